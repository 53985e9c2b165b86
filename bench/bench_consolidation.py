"""Benchmark: reading 16 district sources against one workbook of the same data (issue 13).

* **demo** — the 28-chain demo as the city workbook (``shanghai-demo.xlsx``) and as the 16
  district workbooks of ``qmap demo --by-district``: intake (``read_dataset`` of the one,
  ``read_sources`` of the 16), then ``build_graph``;
* **synthetic** — ``bench/synthetic.py``'s city (``--firms`` firms, CSV), split the same way
  into 16 district CSV folders, read both ways.

The 16 sources hold more rows than the city (a firm on chains of two districts, its readings
and support links, are in both districts' files), so besides the time of each read the
ratio is printed per row read as well as per read. Anchors: the one-workbook read of the
same data (ratio 16 sources / one workbook). Timing is printed, never asserted.

Run::

    .venv/bin/python bench/bench_consolidation.py
    .venv/bin/python bench/bench_consolidation.py --firms 100000 --repeat 3
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import pandas as pd  # noqa: E402

from graphmodel.demo import generate_demo, split_by_district  # noqa: E402
from graphmodel.intake import read_dataset, read_sources  # noqa: E402
from graphmodel.model import build_graph  # noqa: E402
from graphmodel.schema import SHEET_ORDER, SHEETS  # noqa: E402
from graphmodel.workbook import write_workbook  # noqa: E402


def timed(func, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def rows_of(dataset) -> int:
    frames = dataset.contributions if dataset.contributions is not None else dataset.tables
    return sum(len(f) for f in frames.values())


def compare(label: str, one, many: list, repeat: int) -> None:
    t_one, ds_one = timed(lambda: read_dataset(one), repeat)
    t_many, ds_many = timed(lambda: read_sources(many), repeat)
    g_one, G1 = timed(lambda: build_graph(ds_one), repeat)
    g_many, G16 = timed(lambda: build_graph(ds_many), repeat)
    assert G1.number_of_nodes() == G16.number_of_nodes() and G1.number_of_edges() == G16.number_of_edges()
    r_one, r_many = rows_of(ds_one), rows_of(ds_many)
    print(f"\n{label}: {G1.number_of_nodes():,} nodes, {G1.number_of_edges():,} relationships")
    print(f"  {'':28} {'one workbook':>14} {'16 sources':>12} {'ratio':>7}")
    print(f"  {'rows read':28} {r_one:>14,} {r_many:>12,} {r_many / r_one:>7.2f}")
    print(f"  {'intake (s)':28} {t_one:>14.2f} {t_many:>12.2f} {t_many / t_one:>7.2f}")
    print(f"  {'build_graph (s)':28} {g_one:>14.2f} {g_many:>12.2f} {g_many / g_one:>7.2f}")
    total_one, total_many = t_one + g_one, t_many + g_many
    print(f"  {'read + build (s)':28} {total_one:>14.2f} {total_many:>12.2f} {total_many / total_one:>7.2f}")
    print(f"  {'µs per row read':28} {1e6 * total_one / r_one:>14.1f} {1e6 * total_many / r_many:>12.1f} "
          f"{(total_many / r_many) / (total_one / r_one):>7.2f}")


def write_csv_tables(folder: Path, tables: dict[str, pd.DataFrame]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(frame.columns)
            writer.writerows(["" if v is None else v for v in row]
                             for row in frame.astype(object).where(frame.notna(), None).itertuples(index=False))
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=20_000, help="Firms in the synthetic city [20,000].")
    parser.add_argument("--repeat", type=int, default=3, help="Runs per measurement (the median is shown) [3].")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        tables = generate_demo()
        city = write_workbook(tables, tmp / "demo" / "shanghai-demo.xlsx")
        districts = [write_workbook(part, tmp / "demo" / "districts" / f"{d}.xlsx")
                     for d, part in split_by_district(tables).items()]
        compare("demo (xlsx)", city, districts, args.repeat)

        from synthetic import write_city

        write_city(tmp / "synthetic" / "city", firms=args.firms)
        raw = {name: pd.read_csv(tmp / "synthetic" / "city" / f"{name}.csv", dtype=str, keep_default_na=False)
               for name in SHEET_ORDER if (tmp / "synthetic" / "city" / f"{name}.csv").exists()}
        # synthetic.py may give a firm on two chains its readings twice: one row per key, as intake wants
        raw = {name: frame.where(frame != "", None).drop_duplicates(list(SHEETS[name].key)) for name, frame in raw.items()}
        write_csv_tables(tmp / "synthetic" / "city", raw)
        folders = [write_csv_tables(tmp / "synthetic" / "districts" / d, part)
                   for d, part in split_by_district(raw).items()]
        compare(f"synthetic city, {args.firms:,} firms (CSV)", tmp / "synthetic" / "city", folders, args.repeat)


if __name__ == "__main__":
    main()
