"""Load throughput into Neo4j: batched ``UNWIND $rows … MERGE`` versus one MERGE per row.

For 10k and 100k synthetic SUPPLIES relationships (one chain, one firm per five
relationships), the relationships are written into an empty graph that already holds the
firms, two ways:

- batched: the loader's own statement (``cypher/load/merge_rels.cypher``), 5,000 rows per
  ``execute_write`` transaction, exactly as ``qmap load`` runs it;
- per row: one parameterised ``MERGE`` statement per row, each its own ``execute_write``
  transaction (what a naive loader does).

Both start from the same state (the firms loaded, no relationships) after a warm-up of both
paths. The batched path is timed ``--repeat`` times (median shown; the first run at a new
size can be up to twice as slow while the server's caches grow); the per-row path once, as
it takes minutes at 100k.

It prints rows/s for each and the batched/per-row ratio, plus the end-to-end ``qmap load``
time (schema, nodes, relationships and the reload clean-up) for the batched path.

Needs a server: NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD (and NEO4J_DATABASE). It wipes
that database, so it refuses to run on a non-empty one unless given ``--wipe``.

    python bench/bench_load.py                      # 10k and 100k
    python bench/bench_load.py --sizes 10000 --wipe
    python bench/bench_load.py --per-row-limit 20000   # time at most 20k per-row MERGEs per size
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time

import networkx as nx

from graphmodel.model import add_node, add_rel
from graphmodel.store.neo4j import Neo4jStore, StoreError, _Plan

PER_ROW = """
MATCH (a:Enterprise {id: $start})
MATCH (b:Enterprise {id: $end})
MERGE (a)-[r:SUPPLIES {chain: $chain, product: $product}]->(b)
SET r = $props
"""


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
    return G


def _supplies_rows(G: nx.MultiDiGraph) -> list[dict]:
    return [row for (rel_type, *_), rows in _Plan(G).rel_groups.items() if rel_type == "SUPPLIES" for row in rows]


def _nodes_only(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    H = nx.MultiDiGraph()
    H.add_nodes_from(G.nodes(data=True))
    return H


def _count_supplies(store: Neo4jStore) -> int:
    return store.query("MATCH ()-[r:SUPPLIES]->() RETURN count(r)")[1][0][0]


def batched(store: Neo4jStore, G: nx.MultiDiGraph, batch_size: int) -> float:
    plan = _Plan(G)
    statements = [(text, rows) for text, rows in plan.upserts(batch_size) if "SUPPLIES" in text]
    started = time.perf_counter()
    with store.driver.session(database=store.database) as session:
        for text, rows in statements:
            session.execute_write(lambda tx: tx.run(text, rows=rows).consume())
    return time.perf_counter() - started


def per_row(store: Neo4jStore, rows: list[dict]) -> float:
    started = time.perf_counter()
    with store.driver.session(database=store.database) as session:
        for row in rows:
            session.execute_write(lambda tx: tx.run(
                PER_ROW, start=row["start"], end=row["end"], chain=row["identity"]["chain"],
                product=row["identity"]["product"], props=row["props"]).consume())
    return time.perf_counter() - started


def fresh_firms(store: Neo4jStore, G: nx.MultiDiGraph) -> None:
    store.wipe()
    store.load(_nodes_only(G))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--per-row-limit", type=int, default=None,
                        help="time at most this many per-row MERGEs per size (rows/s is what is compared)")
    parser.add_argument("--repeat", type=int, default=3, help="batched runs per size (the median is shown)")
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

    # Warm up the JIT and the query caches on both paths so neither pays for them in timing.
    warm = synthetic_chain(1000, seed=1)
    fresh_firms(store, warm)
    batched(store, warm, opts.batch_size)
    fresh_firms(store, warm)
    per_row(store, _supplies_rows(warm)[:300])

    results = []
    for size in opts.sizes:
        G = synthetic_chain(size)
        rows = _supplies_rows(G)

        runs = []
        for _ in range(opts.repeat):   # cheap, so the median of a few runs
            fresh_firms(store, G)
            runs.append(batched(store, G, opts.batch_size))
            assert _count_supplies(store) == size
        seconds_batched = statistics.median(runs)

        fresh_firms(store, G)
        timed = rows[: opts.per_row_limit] if opts.per_row_limit else rows
        seconds_per_row = per_row(store, timed)
        assert _count_supplies(store) == len(timed)

        store.wipe()
        report = store.load(G, batch_size=opts.batch_size)
        results.append((size, len(timed), seconds_batched, seconds_per_row, report))

    print()
    print(f"{'relationships':>13} | {'path':<22} | {'rows':>7} | {'seconds':>8} | {'rows/s':>8}")
    print("-" * 70)
    for size, timed, sb, sp, report in results:
        print(f"{size:>13,} | {'batched UNWIND/MERGE':<22} | {size:>7,} | {sb:>8.2f} | {size / sb:>8,.0f}")
        print(f"{size:>13,} | {'one MERGE per row':<22} | {timed:>7,} | {sp:>8.2f} | {timed / sp:>8,.0f}")
        rows_total = report.nodes + report.relationships
        print(f"{size:>13,} | {'qmap load end-to-end':<22} | {rows_total:>7,} | {report.seconds:>8.2f} | "
              f"{rows_total / report.seconds:>8,.0f}")
    print()
    for size, timed, sb, sp, _ in results:
        ratio = (size / sb) / (timed / sp)
        print(f"ratio batched/per-row at {size:,} relationships: {ratio:.1f}x")
    store.wipe()
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
