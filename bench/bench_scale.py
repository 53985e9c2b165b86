"""How qmap scales: a synthetic city of 10k / 100k (/ 1M) firms, step by step, with peak memory.

For each size the seeded city of :mod:`synthetic` is written once (CSV, the intake format) and
then, in a fresh Python process per size so peak RSS is that size's own:

* read + validate the CSV folder (``read_dataset``), then build the graph (``build_graph``);
* critical-suppliers and the page of the largest chain;
* the other named analyses (each on the largest chain; city-overview on all);
* and, as separate processes, ``qmap validate`` end to end against a plain pandas read of
  the same files (the issue's anchor: validate ≤ 6× pandas).

Figures are printed, never asserted. ``--before PYTHON`` runs every step with another
interpreter too — a virtual environment holding an earlier qmap (``git worktree add`` the
old commit, ``pip install`` it there, not editable) — and prints the before/after ratios.

    python bench/bench_scale.py                    # 10k and 100k firms
    python bench/bench_scale.py --full             # and 1M firms (needs ~10 GB and minutes)
    python bench/bench_scale.py --sizes 10000 --before /tmp/venv-before/bin/python
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic import write_city  # noqa: E402

STEPS = r'''
import json, resource, sys, time
from pathlib import Path
folder, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024  # GiB (ru_maxrss is KiB on Linux)
figures = {}
def step(name, func):
    t = time.perf_counter(); value = func(); figures[name] = [time.perf_counter() - t, rss()]; return value
from graphmodel.intake import read_dataset
from graphmodel.model import build_graph
from graphmodel import analyses
from graphmodel.xlsx_reader import Limits
ds = step("read + validate", lambda: read_dataset(folder, limits=Limits(max_rows=10_000_000)))  # 1M firms: 3.7M supplies
G = step("build the graph", lambda: build_graph(ds))
del ds
chains = [n for n, d in G.nodes(data=True) if d.get("label") == "Chain"]
members = {}
for u, v, d in G.edges(data=True):
    if d["type"] == "MEMBER_OF":
        members[v] = members.get(v, 0) + 1
largest = max(chains, key=lambda c: members.get(c, 0))
figures["largest chain"] = [members.get(largest, 0), largest]
step("critical-suppliers, largest chain", lambda: analyses.critical_suppliers(G, largest))
from graphmodel.maps import write_chain_map
step("write the largest chain's map", lambda: write_chain_map(G, largest, out_dir / "largest.html"))
others = {}
for name, a in analyses.ANALYSES.items():
    if name == "critical-suppliers":
        continue
    t = time.perf_counter()
    if a.scope == "problem":
        problem = next((n for n, d in G.nodes(data=True) if d.get("label") == "Problem"), None)
        a.run(G, problem=problem)
    elif a.scope == "city":
        a.run(G)
    else:
        a.run(G, chain=largest)
    others[name] = time.perf_counter() - t
figures["other analyses"] = [max(others.values()), rss(), others]
print(json.dumps(figures))
'''


def _qmap(python: str) -> list[str]:
    # the console script's own entry (an earlier qmap may have only main)
    return [python, "-c", "from graphmodel import cli; (getattr(cli, 'run', None) or cli.main)()"]


def measure(size: int, work: Path, python: str) -> dict:
    folder = work / f"city-{size}"
    if not (folder / "chains.csv").exists():
        t = time.perf_counter()
        rows = write_city(folder, size)
        print(f"  wrote the {size:,}-firm city ({sum(rows.values()):,} rows) in {time.perf_counter() - t:.1f} s",
              file=sys.stderr)
    env = dict(os.environ)
    proc = subprocess.run([python, "-c", STEPS, str(folder), str(work)], env=env, capture_output=True, text=True,
                          cwd=work)
    if proc.returncode:
        raise SystemExit(f"steps failed for {size}: {proc.stderr[-1500:]}")
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    read_pandas = (f"import pandas as pd, pathlib; [pd.read_csv(p, dtype=str, keep_default_na=False) "
                   f"for p in pathlib.Path({str(folder)!r}).glob('*.csv')]")
    figures["pandas read"] = list(_best([python, "-c", read_pandas], env))
    figures["qmap validate"] = list(_best(_qmap(python) + ["validate", str(folder), "--format", "json", "--max-rows", "10000000"], env,
                                          runs=1 if size > 200_000 else 3))
    return figures


def _best(argv, env, runs: int = 3) -> tuple[float, float]:
    best = None
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              cwd=tempfile.gettempdir())
        wall = time.perf_counter() - t
        if proc.returncode:
            raise SystemExit(f"{' '.join(argv[2:4])} failed: {proc.stderr[-600:]}")
        best = wall if best is None else min(best, wall)
    return best, 0.0


ROWS = ("read + validate", "build the graph", "critical-suppliers, largest chain", "write the largest chain's map",
        "other analyses", "qmap validate")


def table(results: dict[int, dict], before: dict[int, dict] | None) -> str:
    sizes = sorted(results)
    head = "| step | " + " | ".join(f"{s // 1000}k firms" for s in sizes) + " |"
    lines = [head, "|---" * (len(sizes) + 1) + "|"]
    for row in ROWS:
        cells = []
        for s in sizes:
            t, mem = results[s][row][:2]
            cell = f"{t:.2f} s" + (f", {mem:.2f} GB" if mem and row in ("read + validate", "build the graph") else "")
            if row == "qmap validate":
                cell += f" ({t / results[s]['pandas read'][0]:.1f}× pandas)"
            if before and s in before:
                cell += f"; {before[s][row][0] / t:.1f}× faster than before" if t else ""
            cells.append(cell)
        lines.append(f"| {row} | " + " | ".join(cells) + " |")
    lines.append("| largest chain | " + " | ".join(f"{results[s]['largest chain'][0]:,} firms" for s in sizes) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=None)
    parser.add_argument("--full", action="store_true", help="also 1M firms")
    parser.add_argument("--python", default=sys.executable, help="the interpreter whose qmap is measured")
    parser.add_argument("--before", help="another interpreter (an earlier qmap) to measure too, for ratios")
    parser.add_argument("--work", default=None, help="folder for the synthetic cities (kept between runs)")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([10_000, 100_000] + ([1_000_000] if args.full else []))
    work = Path(args.work or Path(tempfile.gettempdir()) / "qmap-bench-scale")
    work.mkdir(parents=True, exist_ok=True)
    before = {s: measure(s, work, args.before) for s in sizes} if args.before else None
    results = {s: measure(s, work, args.python) for s in sizes}
    if before:
        print("before:\n" + table(before, None) + "\n")
    print(table(results, before))
    for s in sizes:
        print(f"{s:,} firms, other analyses (s): " + ", ".join(f"{k} {v:.3f}"
                                                         for k, v in results[s]["other analyses"][2].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
