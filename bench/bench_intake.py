"""Benchmark: intake speed, and how fast (and how lightly) a hostile workbook is refused.

* **W38** — ``read_dataset`` on the largest Willems chain (CSV, 20,276 rows), and the
  same chain as an ``.xlsx`` written here;
* **zip bomb** — a real workbook whose members sheet expands from well under 1 MB to
  ``--bomb-mb`` MB of rows: time and peak memory (``ru_maxrss`` of a child process) to
  refusal at the default limits, and with the ratio guard raised so the row count
  refuses it instead;
* with ``--baseline DIR`` (a checkout of an earlier commit, e.g. ``git archive main | tar
  -x -C /tmp/base``) the same W38 reads through that code, and the ratio new / baseline.

Run::

    .venv/bin/python bench/bench_intake.py
    .venv/bin/python bench/bench_intake.py --baseline /tmp/base --repeat 5

Timing is printed, never asserted (see tests/test_intake.py for behaviour).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
W38 = ROOT.parent / "shared" / "data" / "willems" / "W38"

_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from graphmodel.intake import IntakeError, read_dataset
kwargs = {}
if len(sys.argv) > 3:
    from graphmodel.intake import Limits
    kwargs["limits"] = Limits(**json.loads(sys.argv[3]))
started = time.perf_counter()
try:
    rows = sum(read_dataset(sys.argv[2], **kwargs).counts().values())
    outcome = f"valid, {rows} rows"
except IntakeError as error:
    outcome = "refused: " + error.issues[0].message[:70]
print(json.dumps({"seconds": time.perf_counter() - started, "outcome": outcome,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _run(code_root: Path, path: Path, limits: dict | None = None) -> dict:
    args = [sys.executable, "-c", _CHILD, str(code_root), str(path)] + ([json.dumps(limits)] if limits else [])
    done = subprocess.run(args, capture_output=True, text=True, check=True, cwd=code_root)
    return json.loads(done.stdout)


def _median(code_root: Path, path: Path, repeat: int, limits: dict | None = None) -> dict:
    runs = [_run(code_root, path, limits) for _ in range(repeat)]
    return {"seconds": statistics.median(r["seconds"] for r in runs),
            "peak_mb": max(r["peak_mb"] for r in runs), "outcome": runs[0]["outcome"]}


def _w38_xlsx(folder: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    for path in sorted(W38.glob("*.csv")):
        ws = wb.create_sheet(path.stem)
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                ws.append(row)
    target = folder / "W38.xlsx"
    wb.save(target)
    return target


def _bomb(folder: Path, megabytes: int) -> Path:
    import openpyxl

    target = folder / "bomb.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "chains"
    wb.active.append(["chain_id", "seq", "name", "district", "leader", "key", "industry"])
    wb.active.append(["B1", 1, "bomb", None, None, None, None])
    members = wb.create_sheet("members")
    members.append(["chain_id", "enterprise_id", "role", "tier"])
    wb.save(target)
    with zipfile.ZipFile(target) as zin:
        items = [(i, zin.read(i)) for i in zin.infolist() if i.filename != "xl/worksheets/sheet2.xml"]
    row = b'<row><c t="inlineStr"><is><t>B1</t></is></c></row>'
    block = row * ((1 << 20) // len(row))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in items:
            zout.writestr(info, data)
        info = zipfile.ZipInfo("xl/worksheets/sheet2.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with zout.open(info, "w", force_zip64=True) as out:
            out.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            for _ in range(megabytes):
                out.write(block)
            out.write(b"</sheetData></worksheet>")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--bomb-mb", type=int, default=150)
    parser.add_argument("--baseline", type=Path, help="a checkout of earlier code to compare W38 with")
    opts = parser.parse_args()
    if not W38.is_dir():
        sys.exit(f"the Willems data is not beside the repo ({W38})")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        xlsx = _w38_xlsx(tmp)
        print(f"{'input':28} {'seconds':>8} {'peak MB':>8}  outcome")
        for label, path in (("W38 (CSV folder)", W38), ("W38 (.xlsx)", xlsx)):
            new = _median(ROOT, path, opts.repeat)
            print(f"{label:28} {new['seconds']:8.3f} {new['peak_mb']:8.0f}  {new['outcome']}")
            if opts.baseline:
                old = _median(opts.baseline, path, opts.repeat)
                print(f"{'  baseline':28} {old['seconds']:8.3f} {old['peak_mb']:8.0f}  {old['outcome']}")
                print(f"{'  ratio new / baseline':28} {new['seconds'] / old['seconds']:8.2f}")
        bomb = _bomb(tmp, opts.bomb_mb)
        print(f"zip bomb: {os.path.getsize(bomb) / 2 ** 20:.2f} MB on disk, {opts.bomb_mb} MB of sheet XML")
        for label, limits in (("bomb, default limits", None),
                              ("bomb, ratio guard raised", {"max_ratio": 10 ** 6})):
            result = _median(ROOT, bomb, 1, limits)
            print(f"{label:28} {result['seconds']:8.3f} {result['peak_mb']:8.0f}  {result['outcome']}")


if __name__ == "__main__":
    main()
