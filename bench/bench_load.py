"""Neo4j load throughput: ``qmap load`` against the server's own bulk paths, on the same rows.

City mode (the default; issue 17): the seeded synthetic city of :mod:`synthetic` (``--firms``,
e.g. 170,000 firms ≈ 1.1M rows: nodes + relationships) is read, validated and built once,
then loaded into an empty database four ways (the first load and LOAD CSV each the best of
``--repeat`` runs into an emptied database: a fresh server's first load also warms it up):

- ``qmap load`` end to end: read + validate + build the graph + :meth:`Neo4jStore.load`
  (source-based sync: schema, per-source bookkeeping, run marks, clean-up);
- the same load again (idempotent: nothing changes), and a reload with 1 % of the firms
  gone (the clean-up, which must cost in proportion to what changed);
- anchor 1, ``LOAD CSV … CALL { MERGE … SET … } IN TRANSACTIONS OF 5000 ROWS``: the same node
  and relationship rows, written as CSV into the server's import folder, upserted by the
  server alone (no bookkeeping, no client);
- anchor 2, ``neo4j-admin database import full`` into an empty database (the bulk limit; the
  server must be a local one started by qmap, ``--home``, and is stopped and restarted);
- ``qmap load --bulk`` end to end (with ``--admin``): read + validate + build, then
  :func:`graphmodel.store.bulk.bulk_load` into the emptied database (the plan's final rows
  with all the sync's bookkeeping as CSV, stop, neo4j-admin import, start, schema, sources).

It prints rows/s for each and the ratios ``qmap load / LOAD CSV``, ``admin import / qmap
load`` and ``qmap load --bulk`` against both. ``--per-row`` adds the old comparison of batched ``UNWIND … MERGE`` against one MERGE
per row on synthetic SUPPLIES.

Needs a server: NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD (and NEO4J_DATABASE). It wipes that
database, so it refuses to run on a non-empty one unless given ``--wipe``.

    python bench/bench_load.py --firms 10000 --wipe
    python bench/bench_load.py --firms 170000 --wipe --home /tmp/neo4j-bench   # 1.1M rows, with admin import
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import networkx as nx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from graphmodel.model import add_node, add_rel  # noqa: E402
from graphmodel.store.neo4j import DEFAULT_WORKERS, Neo4jStore, StoreError, _Plan  # noqa: E402

PER_ROW = """
MATCH (a:Enterprise {id: $start})
MATCH (b:Enterprise {id: $end})
MERGE (a)-[r:SUPPLIES {qmap_key: $key}]->(b)
SET r += $props
"""

ANCHOR_NODES = """
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MERGE (n:__LABEL__ {id: row.id})
  SET n += row
} IN TRANSACTIONS OF 5000 ROWS
"""

ANCHOR_RELS = """
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MATCH (a:__START__ {id: row.start_id})
  MATCH (b:__END__ {id: row.end_id})
  MERGE (a)-[r:__TYPE__ {qmap_key: row.qmap_key}]->(b)
  SET r += row
} IN TRANSACTIONS OF 5000 ROWS
"""


# --------------------------------------------------------------------------- the rows as CSV

def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ";".join(map(str, value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_rows(plan: _Plan, folder: Path, admin: bool = False) -> dict[str, list[tuple]]:
    """The plan's node and relationship rows as CSV files in ``folder``: for LOAD CSV (one file
    per label / type, plain headers) or for neo4j-admin (``:ID``, ``:LABEL``, ``:START_ID``…).
    Returns {"nodes": [(file, label)], "rels": [(file, type, start, end)]}."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {"nodes": [], "rels": []}
    for label, rows in sorted(plan.node_groups.items()):
        keys = sorted({k for r in rows for k in r["props"]} - {"id"})
        path = folder / f"nodes_{label}.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["id:ID", ":LABEL", *keys] if admin else ["id", *keys])
            for r in rows:
                labels = ";".join([label] + (["TrainingBase"] if "training" in r["props"].get("services", ()) else []))
                cells = [_cell(r["props"].get(k)) for k in keys]
                w.writerow([r["id"], labels, *cells] if admin else [r["id"], *cells])
        out["nodes"].append((path, label))
    for (rel_type, start, end), rows in sorted(plan.rel_groups.items()):
        keys = sorted({k for r in rows for k in r["props"]})
        path = folder / f"rels_{rel_type}_{start}_{end}.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow([":START_ID", ":END_ID", ":TYPE", "qmap_key", *keys] if admin
                       else ["start_id", "end_id", "qmap_key", *keys])
            for r in rows:
                cells = [_cell(r["props"].get(k)) for k in keys]
                w.writerow([r["start"], r["end"], rel_type, r["key"], *cells] if admin
                           else [r["start"], r["end"], r["key"], *cells])
        out["rels"].append((path, rel_type, start, end))
    return out


def load_csv_anchor(store: Neo4jStore, files: dict) -> float:
    """Seconds for the server's LOAD CSV … IN TRANSACTIONS over the files of :func:`write_rows`."""
    started = time.perf_counter()
    with store.driver.session(database=store.database) as session:
        for path, label in files["nodes"]:
            session.run(ANCHOR_NODES.replace("__LABEL__", label), url=f"file:///{path.name}").consume()
        for path, rel_type, start, end in files["rels"]:
            text = ANCHOR_RELS.replace("__TYPE__", rel_type).replace("__START__", start).replace("__END__", end)
            session.run(text, url=f"file:///{path.name}").consume()
    return time.perf_counter() - started


def admin_import_anchor(home: Path, plan: _Plan) -> float:
    """Seconds for ``neo4j-admin database import full`` of the same rows into an empty database
    (the local server in ``home`` is stopped for it and started again, empty of anything else)."""
    from graphmodel.store.server import LocalServer

    server = LocalServer.from_env(home=home)
    folder = Path(tempfile.mkdtemp(prefix="qmap-admin-"))
    try:
        files = write_rows(plan, folder, admin=True)
        server.stop()
        started = time.perf_counter()
        server.admin_import([p for p, _ in files["nodes"]], [p for p, *_ in files["rels"]])
        seconds = time.perf_counter() - started
        server.start(timeout=300)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return seconds


def bulk_end_to_end(home: Path, folder: Path):
    """``qmap load --bulk`` as the command runs it, into the (emptied) local server in ``home``:
    intake + build, then :func:`bulk_load`. The report, with ``intake`` seconds added."""
    from graphmodel.intake import read_dataset
    from graphmodel.model import build_graph
    from graphmodel.store.bulk import bulk_load
    from graphmodel.store.server import LocalServer

    started = time.perf_counter()
    G = build_graph(read_dataset(folder))
    intake = time.perf_counter() - started
    report = bulk_load(G, LocalServer.from_env(home=home))
    report.intake = intake
    return report


# --------------------------------------------------------------------------- city mode

def _emptied_then(store: Neo4jStore, work: Callable[[], float]) -> float:
    """``work()``'s seconds, run on an emptied database that has qmap's schema."""
    store.wipe()
    store.apply_schema()
    return work()


def city(opts, store: Neo4jStore) -> None:
    from graphmodel.intake import read_dataset
    from graphmodel.model import build_graph
    from synthetic import write_city

    folder = Path(tempfile.mkdtemp(prefix="qmap-city-"))
    try:
        write_city(folder, opts.firms)
        # Best of --repeat too, like the loads: the server beside it may still be warming up.
        intake = float("inf")
        for _ in range(max(1, opts.repeat)):
            started = time.perf_counter()
            G = build_graph(read_dataset(folder))
            intake = min(intake, time.perf_counter() - started)
        rows = G.number_of_nodes() + G.number_of_edges()
        print(f"synthetic city of {opts.firms:,} firms: {G.number_of_nodes():,} nodes + "
              f"{G.number_of_edges():,} relationships = {rows:,} rows; read + validate + build {intake:.1f}s"
              f" (best of {max(1, opts.repeat)})")

        # Best of --repeat, each into an emptied database: the first load on a fresh server
        # also warms its page cache and compiles the statements (69 s against 44-55 s after).
        first = min(_emptied_then(store, lambda: store.load(G, batch_size=opts.batch_size,
                                                             workers=opts.workers).seconds)
                    for _ in range(max(1, opts.repeat)))
        again = store.load(G, batch_size=opts.batch_size, workers=opts.workers)
        firms = sorted(n for n, d in G.nodes(data=True) if d["label"] == "Enterprise")
        gone = set(random.Random(17).sample(firms, max(1, len(firms) // 100)))
        smaller = G.copy()
        smaller.remove_nodes_from(gone)
        changed = store.load(smaller, batch_size=opts.batch_size, workers=opts.workers)
        print(f"  reload after removing {len(gone):,} firms: withdrew {changed.nodes_deleted:,} nodes, "
              f"{changed.relationships_deleted:,} relationships")

        plan = _Plan(G)
        import_dir = Path(opts.import_dir) if opts.import_dir else (Path(opts.home) / "import" if opts.home else None)
        anchor = None
        if import_dir:
            files = write_rows(plan, import_dir)
            anchor = min(_emptied_then(store, lambda: load_csv_anchor(store, files)) for _ in range(max(1, opts.repeat)))
            for path, *_ in files["nodes"] + files["rels"]:
                path.unlink()
        admin = admin_import_anchor(Path(opts.home), plan) if opts.home and opts.admin else None
        store.wipe()
        bulk = bulk_end_to_end(Path(opts.home), folder) if opts.home and opts.admin else None
        if bulk is not None:
            store.wipe()

        print()
        print(f"{'path':<48} | {'rows':>10} | {'seconds':>8} | {'rows/s':>8}")
        print("-" * 84)
        best = f"best of {max(1, opts.repeat)}"
        lines = [("qmap load end to end (intake + load)", rows, intake + first),
                 (f"  of which Neo4jStore.load, empty db, {best}", rows, first),
                 ("  the same load again (nothing changes)", rows, again.seconds),
                 ("  reload, 1 % of firms gone", smaller.number_of_nodes() + smaller.number_of_edges(), changed.seconds)]
        if anchor is not None:
            lines.append((f"LOAD CSV … IN TRANSACTIONS, {best}", rows, anchor))
        if admin is not None:
            lines.append(("neo4j-admin database import (empty db)", rows, admin))
        if bulk is not None:
            lines.append(("qmap load --bulk end to end (empty db)", rows, bulk.seconds + bulk.intake))
            lines.append(("  of which neo4j-admin import", rows, bulk.import_seconds))
        for name, n, seconds in lines:
            print(f"{name:<48} | {n:>10,} | {seconds:>8.1f} | {n / seconds:>8,.0f}")
        print()
        if anchor is not None:
            print(f"ratio qmap load end to end / LOAD CSV: {anchor / (intake + first):.2f}x   "
                  f"(Neo4jStore.load alone / LOAD CSV: {anchor / first:.2f}x)")
        if admin is not None:
            print(f"ratio neo4j-admin import / qmap load end to end: {(intake + first) / admin:.1f}x faster")
        if bulk is not None:
            whole = bulk.seconds + bulk.intake
            # rows/s of --bulk over rows/s of the other path (>1: --bulk is faster)
            print(f"ratio qmap load --bulk / qmap load, end to end: {(intake + first) / whole:.2f}x   "
                  f"(--bulk / neo4j-admin import alone: {admin / whole:.2f}x"
                  + (f", --bulk / LOAD CSV: {anchor / whole:.2f}x" if anchor is not None else "") + ")")
        print(json.dumps({"firms": opts.firms, "rows": rows, "workers": opts.workers, "repeat": opts.repeat,
                          "intake": intake, "load": first, "again": again.seconds,
                          "reload_1pct": changed.seconds, "load_csv": anchor, "admin_import": admin,
                          "bulk": bulk.seconds + bulk.intake if bulk is not None else None,
                          "bulk_import": bulk.import_seconds if bulk is not None else None}))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------- per-row mode

def synthetic_chain(relationships: int, seed: int = 38) -> nx.MultiDiGraph:
    """One chain, ``relationships // 5`` member firms, ``relationships`` distinct SUPPLIES."""
    rng = random.Random(seed)
    G = nx.MultiDiGraph()
    chain = "BENCH"
    add_node(G, chain, ("Chain",), seq=99, name="基准测试产业链 benchmark chain", key=False)
    firms = [f"BENCH-E{i:06d}" for i in range(max(10, relationships // 5))]
    for i, firm in enumerate(firms):
        add_node(G, firm, ("Enterprise",), name=f"企业{i:06d}", size=("large", "medium", "small", "micro")[i % 4],
                 sme=i % 4 != 0)
        add_rel(G, firm, "MEMBER_OF", chain, role="upstream", tier=1 + i % 5)
    seen = set()
    while len(seen) < relationships:
        a, b = rng.sample(range(len(firms)), 2)
        product = f"部件{rng.randrange(20):02d}"
        if (a, b, product) in seen:
            continue
        seen.add((a, b, product))
        add_rel(G, firms[a], "SUPPLIES", firms[b], chain=chain, product=product,
                share=round(rng.random(), 3), critical=rng.random() < 0.1)
    G.graph["source"] = "bench"
    return G


def per_row(opts, store: Neo4jStore) -> None:
    results = []
    for size in opts.sizes:
        G = synthetic_chain(size)
        firms_only = nx.MultiDiGraph(G.subgraph([n for n, d in G.nodes(data=True)]).copy())
        firms_only.remove_edges_from(list(firms_only.edges(keys=True)))
        firms_only.graph["source"] = "bench"
        plan = _Plan(G)
        rows = [r for (t, *_), rs in plan.rel_groups.items() if t == "SUPPLIES" for r in rs]
        runs = []
        for _ in range(opts.repeat):
            store.wipe()
            store.load(firms_only)
            t = time.perf_counter()
            store.load(G, batch_size=opts.batch_size)
            runs.append(time.perf_counter() - t)
        store.wipe()
        store.load(firms_only)
        timed = rows[: opts.per_row_limit] if opts.per_row_limit else rows
        t = time.perf_counter()
        with store.driver.session(database=store.database) as session:
            for row in timed:
                session.execute_write(lambda tx: tx.run(PER_ROW, start=row["start"], end=row["end"], key=row["key"],
                                                        props=row["props"]).consume())
        seconds = time.perf_counter() - t
        results.append((size, statistics.median(runs), len(timed), seconds))
    for size, batched, timed, seconds in results:
        print(f"{size:>9,} supplies: batched load {size / batched:,.0f} rows/s, one MERGE per row "
              f"{timed / seconds:,.0f} rows/s: {(size / batched) / (timed / seconds):.1f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--firms", type=int, default=10_000, help="firms in the synthetic city")
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--home", help="the local server's folder (qmap neo4j start --home): its import folder "
                                       "is used for LOAD CSV, and --admin runs neo4j-admin import there")
    parser.add_argument("--import-dir", help="the server's import folder, if not <home>/import")
    parser.add_argument("--admin", action="store_true", help="also time neo4j-admin database import (needs --home)")
    parser.add_argument("--per-row", action="store_true", help="batched vs one MERGE per row instead")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--per-row-limit", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each timed load (city mode: the first load and LOAD CSV, best kept)")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                        help="Neo4jStore.load's transactions in flight at once (qmap load --workers)")
    parser.add_argument("--wipe", action="store_true", help="allowed to wipe a non-empty database")
    opts = parser.parse_args(argv)

    try:
        store = Neo4jStore.from_env()
        store.verify()
        existing = store.query("MATCH (n) RETURN count(n)")[1][0][0]
    except StoreError as exc:
        print(f"错误 Error: {exc}", file=sys.stderr)
        return 1
    if existing and not opts.wipe:
        print(f"错误 Error: the database at {store!r} holds {existing} nodes; this benchmark wipes it "
              "(re-run with --wipe)", file=sys.stderr)
        return 2
    version = store.query("CALL dbms.components() YIELD versions RETURN versions[0]")[1][0][0]
    print(f"Neo4j {version} at {os.environ.get('NEO4J_URI')}; batch size {opts.batch_size}")
    store.apply_schema()
    try:
        per_row(opts, store) if opts.per_row else city(opts, store)
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
