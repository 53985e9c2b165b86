"""Indexed Cypher at scale: every named query's median time on a big synthetic city in Neo4j.

Issue 17 asks that every named query scoped to one chain answers in under 50 ms median on
the 1M-firm graph (city-overview, which reads every chain, in under 2 s), with the indexes it
needs declared in ``cypher/schema.cypher`` and no label scan over every firm in its plan.

The seeded city of :mod:`synthetic` (``--firms``; the CSV folder is kept in ``--work`` and
reused) is read, validated and built, loaded into an empty database, and then each query file
of ``cypher/queries`` is run as ``qmap query`` runs it (read transaction, rows fetched and
converted to plain values) against a spread of chains — the largest, the median, the smallest
and ten picked at random — or of problems, ``--runs`` times after a warm-up. It prints the
median and 90th percentile per query in milliseconds, the scans its ``PROFILE`` plan on the
largest chain holds (a scan of ``:Enterprise`` or ``:Problem`` would be a failure of the
schema), and the figure the issue names for it. Figures are printed, never asserted.

Needs a server: NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD (and NEO4J_DATABASE). It wipes that
database, so it refuses to run on a non-empty one unless given ``--wipe``. ``--bulk`` loads
with ``neo4j-admin database import`` into the local server in ``--home`` (much faster for a
big city); otherwise with ``Neo4jStore.load``.

    python bench/bench_queries.py --firms 100000 --wipe
    python bench/bench_queries.py --firms 1000000 --wipe --bulk --home /tmp/neo4j-bench
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from graphmodel.analyses import ANALYSES  # noqa: E402
from graphmodel.model import chain_members, chain_problems, chains  # noqa: E402
from graphmodel.store.cypher_library import read_query  # noqa: E402
from graphmodel.store.neo4j import Neo4jStore, plan_operators  # noqa: E402

#: What the issue asks of each scope (milliseconds, median).
TARGET_MS = {"chain": 50.0, "problem": 50.0, "city": 2000.0}


def _city(firms: int, work: Path):
    from graphmodel.intake import read_dataset
    from graphmodel.model import build_graph
    from graphmodel.xlsx_reader import Limits
    from synthetic import write_city

    folder = work / f"city-{firms}"
    if not (folder / "chains.csv").exists():
        t = time.perf_counter()
        write_city(folder, firms)
        print(f"wrote the {firms:,}-firm city in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    t = time.perf_counter()
    G = build_graph(read_dataset(folder, limits=Limits(max_rows=10_000_000)))  # 1M firms: 3.7M supplies
    print(f"read + validate + build: {time.perf_counter() - t:.1f} s; {G.number_of_nodes():,} nodes, "
          f"{G.number_of_edges():,} relationships", file=sys.stderr)
    return G


def _load(store: Neo4jStore, G, bulk: bool, home: str | None) -> float:
    t = time.perf_counter()
    if bulk:
        from graphmodel.store.bulk import bulk_load  # the path of ``qmap load --bulk``
        from graphmodel.store.server import LocalServer

        steps = []

        def progress(message: str) -> None:
            steps.append((time.perf_counter(), message))

        report = bulk_load(G, LocalServer.from_env(home=home), progress=progress)
        steps.append((time.perf_counter(), "done"))
        for (at, message), (end, _) in zip(steps, steps[1:]):
            print(f"  {end - at:7.1f} s  {message}", file=sys.stderr)
        print(f"  (neo4j-admin import itself {report.import_seconds:.1f} s; {report.fixed:,} entities fixed over Bolt)",
              file=sys.stderr)
    else:
        store.load(G)
    seconds = time.perf_counter() - t
    with store.driver.session(database=store.database) as session:
        session.run("CALL db.awaitIndexes(600)").consume()
    return seconds


def _timed(store: Neo4jStore, text: str, params: list[dict], runs: int) -> list[float]:
    for p in params[:3]:  # warm-up: plan cache and page cache
        store.query(text, p)
    times = []
    for i in range(runs):
        p = params[i % len(params)]
        t = time.perf_counter()
        store.query(text, p)
        times.append((time.perf_counter() - t) * 1000)
    return times


def _scans(plan) -> list[str]:
    out = []
    for op in plan_operators(plan):
        kind = op["operatorType"].split("@")[0]
        if "Scan" in kind and "IndexSeek" not in kind:
            out.append(f"{kind}({op.get('args', {}).get('Details', '')}, {op.get('rows', 0)} rows)")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "qmap-bench-scale"))
    parser.add_argument("--wipe", action="store_true", help="empty a non-empty database first")
    parser.add_argument("--bulk", action="store_true", help="load with neo4j-admin import (needs --home)")
    parser.add_argument("--home", default=None, help="the local server's folder (QMAP_NEO4J_HOME) for --bulk")
    parser.add_argument("--keep", action="store_true", help="the graph is loaded already: only run the queries")
    args = parser.parse_args(argv)

    G = _city(args.firms, Path(args.work))
    store = Neo4jStore.from_env()
    with store:
        if not args.keep:
            nodes = store.counts()["nodes"]
            if sum(nodes.values()) and not args.wipe:
                raise SystemExit("the database is not empty: add --wipe to empty it first")
            store.wipe()
            seconds = _load(store, G, args.bulk, args.home)
            print(f"loaded ({'neo4j-admin import' if args.bulk else 'Neo4jStore.load'}) in {seconds:.1f} s",
                  file=sys.stderr)
        size = {c: len(chain_members(G, c)) for c in chains(G)}
        by_size = sorted(size, key=size.get)
        rng = random.Random(17)
        picked = list(dict.fromkeys([by_size[-1], by_size[len(by_size) // 2], by_size[0],
                                     *rng.sample(by_size, min(10, len(by_size)))]))
        largest = by_size[-1]
        problems = chain_problems(G, largest)
        problems = rng.sample(problems, min(20, len(problems))) or [None]
        print(f"\n{args.firms:,} firms; chains timed: {len(picked)} (largest {largest}, {size[largest]:,} firms; "
              f"median {size[by_size[len(by_size) // 2]]:,}; smallest {size[by_size[0]]})\n")
        print(f"{'query':<22} | {'scope':<7} | {'median ms':>9} | {'p90 ms':>8} | {'largest ms':>10} | "
              f"{'target':>8} | scans in the plan (largest chain)")
        print("-" * 100)
        figures = {}
        for name, analysis in ANALYSES.items():
            text = read_query(name)
            if analysis.scope == "chain":
                params = [{"chain": c, "problem": None} for c in picked]
                profiled = {"chain": largest, "problem": None}
            elif analysis.scope == "problem":
                params = [{"chain": None, "problem": p} for p in problems]
                profiled = params[0]
            else:
                params = [{"chain": None, "problem": None}]
                profiled = params[0]
            runs = args.runs if analysis.scope != "city" else max(3, args.runs // 10)
            times = _timed(store, text, params, runs)
            median = statistics.median(times)
            p90 = sorted(times)[int(0.9 * (len(times) - 1))]
            # the largest chain on its own: a median over a spread of chains can hide it
            worst = statistics.median(_timed(store, text, [profiled], max(3, runs // 10)))
            scans = _scans(store.profile(text, profiled))
            target = TARGET_MS[analysis.scope]
            figures[name] = {"median_ms": median, "p90_ms": p90, "largest_ms": worst, "target_ms": target,
                             "scans": scans}
            print(f"{name:<22} | {analysis.scope:<7} | {median:>9.1f} | {p90:>8.1f} | {worst:>10.1f} | "
                  f"{target:>6.0f}ms | {'; '.join(scans) or 'none'}")
        print(json.dumps({"firms": args.firms, "queries": figures}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
