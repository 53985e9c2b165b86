"""Every writing command, tried as a hostile tester would (issue 11).

Each command runs in a sandbox (``tmp_path/a/box`` as the working folder); every file
under ``tmp_path`` is listed before and after, and nothing may change outside the folder
the command was told to write. Every refusal or failure is one line on stderr, with exit
status 2 (qmap refused) or 1 (the system refused), and never a traceback.

Workbooks are built with openpyxl directly (tests/handmade.py). Ids the intake accepts are
used for the full checks; ids it rejects (or will reject: path characters, > 64
characters, ids differing only by case) only for what must hold either way.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import resource
import signal
import subprocess
import sys
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from graphmodel.cli import main
from graphmodel.files import MANIFEST
from handmade import handmade_rows, write_csv_folder, write_xlsx

FORMULA = '=HYPERLINK("http://x","click")'


def rename_chain(rows, old, new):
    for r in rows["chains"]:
        r[0] = new if r[0] == old else r[0]
    for sheet, column in (("members", 0), ("supplies", 0), ("problems", 1), ("projects", 1), ("targets", 0),
                          ("support_links", 1)):
        for r in rows[sheet]:
            r[column] = new if r[column] == old else r[column]
    for r in rows["policy_tools"]:
        r[4] = ";".join(new if x == old else x for x in r[4].split(";"))


def hostile_workbook(path: Path, ids=("A.1", "A.2"), extra=()) -> Path:
    """The handmade workbook with chains C1, C2 renamed to ``ids``, one chain row per ``extra`` id,
    a formula-like problem title stored as text (as Excel stores '=…) and a negative latest reading."""
    rows = handmade_rows()
    rename_chain(rows, "C1", ids[0])
    rename_chain(rows, "C2", ids[1])
    rows["chains"] += [[cid, 3 + i, f"链 {i}", "普陀区", "普陀区市场监管局", "否", "其他"] for i, cid in enumerate(extra)]
    rows["problems"][0][3] = FORMULA
    rows["readings"][1][3] = -1.5
    write_xlsx(path, rows)
    wb = openpyxl.load_workbook(path)
    for row in wb["problems"].iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    wb.save(path)
    return path


def snapshot(root: Path) -> dict[str, str]:
    found = {}
    for path in root.rglob("*"):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink() or not path.is_dir():
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "special"
        else:
            found[rel] = "dir"
    return found


class Box:
    """A sandbox: the working folder is ``root/a/box``; everything under ``root`` is watched."""

    def __init__(self, root: Path):
        self.root = root
        self.dir = root / "a" / "box"
        self.dir.mkdir(parents=True)
        self.runner = CliRunner()

    def changed(self, before, after) -> set[str]:
        return {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}

    def run(self, args, out: str | None, status: int = 0, *needles: str, within=None):
        """Run ``qmap args``; only ``out`` (relative to the box) may change; check the exit and the one line.

        ``within``: a context (e.g. :func:`unprivileged`) for the command only, not for the listing.
        """
        before = snapshot(self.root)
        with within() if within else nullcontext():
            result = self.runner.invoke(main, [str(a) for a in args])
        after = snapshot(self.root)
        inside = f"a/box/{out}" if out not in (None, ".") else "a/box"
        changed = self.changed(before, after)
        outside = {k for k in changed if k != inside and not k.startswith(inside + "/")}
        assert not outside, (args, sorted(outside))
        if out is None or status:
            assert not changed, (args, sorted(changed))
        assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr, result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert result.exit_code == status, (args, result.exit_code, result.output)
        if status:
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("错误 Error: "), result.stderr
            for needle in needles:
                assert needle in lines[0], (needle, lines[0])
        return result

    def files(self, out: str) -> dict[str, str]:
        return snapshot(self.dir / out) if (self.dir / out).exists() else {}


@pytest.fixture
def box(tmp_path, monkeypatch):
    b = Box(tmp_path)
    monkeypatch.chdir(b.dir)
    hostile_workbook(b.dir / "in.xlsx")
    return b


DATA = ["--data", "in.xlsx"]

#: Every command that writes, as (arguments, the folder it writes in, a file it writes there).
WRITERS = {
    "map": (["map", *DATA, "-o", "out"], "out", "A.1.html"),
    "map --chain": (["map", *DATA, "--chain", "A.2", "-o", "out"], "out", "A.2.html"),
    "lists": (["lists", *DATA, "-o", "out"], "out", "A.1-三张清单.xlsx"),
    "lists --chain": (["lists", *DATA, "--chain", "A.2", "-o", "out"], "out", "A.2-三张清单.xlsx"),
    "report": (["report", *DATA, "--year", "2025", "-o", "out"], "out", "report-2025.md"),
    "export default path": (["export", *DATA, "--chain", "A.1", "--format", "dot"], "exports", "A.1.dot"),
    "export -o file": (["export", *DATA, "--chain", "A.1", "--format", "mermaid", "-o", "out/a1.mmd"], "out",
                       "a1.mmd"),
    "export --all": (["export", *DATA, "--all", "--format", "graphml", "-o", "out"], "out", "A.2.graphml"),
    "export csv folder": (["export", *DATA, "--chain", "A.2", "--format", "csv", "-o", "out"], "out",
                          "nodes_Chain.csv"),
    "analyze -o": (["analyze", "city-overview", *DATA, "--format", "csv", "-o", "out/overview.csv"], "out",
                   "overview.csv"),
    "template": (["template", "out/blank.xlsx"], "out", "blank.xlsx"),
    "demo": (["demo", "--no-maps", "-q", "-o", "out"], "out", "shanghai-demo.xlsx"),
}
#: Writers whose target file the person names: --force replaces it, whatever it is (never an input).
NAMED_FILE = {"export -o file", "analyze -o", "template"}


@pytest.mark.parametrize("name", list(WRITERS))
def test_an_existing_output_needs_force_and_force_keeps_other_files(box, name):
    args, out, target = WRITERS[name]
    (box.dir / out).mkdir()
    (box.dir / out / "notes.docx").write_bytes(b"the analyst's own notes")
    box.run(args, out)
    assert (box.dir / out / target).is_file()
    first = box.files(out)
    box.run(args, out, 2, "--force", "已存在")  # nothing replaced, nothing written
    assert box.files(out) == first
    box.run([*args, "--force"], out)
    assert (box.dir / out / "notes.docx").read_bytes() == b"the analyst's own notes"
    assert set(box.files(out)) == set(first)  # the same set of files, replaced in place


@pytest.mark.parametrize("name", sorted(set(WRITERS) - NAMED_FILE))
def test_force_never_replaces_a_file_qmap_did_not_write(box, name):
    args, out, target = WRITERS[name]
    (box.dir / out).mkdir()
    (box.dir / out / target).write_bytes(b"made by hand, same name")
    box.run([*args, "--force"], out, 2, "not written by qmap", target)
    assert (box.dir / out / target).read_bytes() == b"made by hand, same name"


@pytest.mark.parametrize("name", sorted(NAMED_FILE))
def test_force_replaces_a_file_the_person_named(box, name):
    args, out, target = WRITERS[name]
    (box.dir / out).mkdir()
    (box.dir / out / target).write_bytes(b"old")
    box.run([*args, "--force"], out)
    assert (box.dir / out / target).read_bytes() != b"old"


@pytest.mark.parametrize("args", [
    ["analyze", "city-overview", *DATA, "--format", "csv", "-o", "in.xlsx", "--force"],
    ["export", *DATA, "--chain", "A.1", "--format", "dot", "-o", "in.xlsx", "--force"],
    ["report", *DATA, "--baseline", "base.xlsx", "-o", "base.xlsx", "--force"],
    ["lists", "--data", "csvdata", "-o", "csvdata", "--force"],
    ["map", "--data", "csvdata", "-o", "csvdata/maps", "--force"],
], ids=["analyze onto --data", "export onto --data", "report onto --baseline", "lists into the CSV folder",
        "map inside the CSV folder"])
def test_an_input_is_never_a_target_even_with_force(box, args):
    hostile_workbook(box.dir / "base.xlsx")
    write_csv_folder(box.dir / "csvdata", handmade_rows())
    box.run(args, None, 2, "input")


def test_report_replaces_its_own_set_and_a1_a2_are_both_kept(box):
    box.run(["report", *DATA, "--year", "2025", "-o", "out"], "out")
    chains = sorted(box.files("out/chains"))
    assert chains == [MANIFEST, "A.1-report-2025.docx", "A.1-report-2025.html", "A.1-report-2025.md",
                      "A.2-report-2025.docx", "A.2-report-2025.html", "A.2-report-2025.md"]
    (box.dir / "out" / "chains" / "notes.txt").write_text("mine")
    hostile_workbook(box.dir / "in.xlsx", ids=("A.1", "B"))  # chain A.2 is gone from the data
    box.run(["report", *DATA, "--year", "2025", "-o", "out", "--force"], "out")
    assert sorted(box.files("out/chains")) == [MANIFEST, "A.1-report-2025.docx", "A.1-report-2025.html",
                                              "A.1-report-2025.md", "B-report-2025.docx", "B-report-2025.html",
                                              "B-report-2025.md", "notes.txt"]
    box.run(["report", *DATA, "--year", "2024", "-o", "out"], "out")  # another year is another set
    assert "A.1-report-2025.md" in box.files("out/chains") and "A.1-report-2024.md" in box.files("out/chains")


@pytest.mark.parametrize("args", [
    ["map", *DATA, "-o", ".", "--force"],
    ["lists", *DATA, "-o", ".", "--force"],
    ["export", *DATA, "--all", "--format", "dot", "-o", ".", "--force"],
])
def test_writing_into_the_working_folder_leaves_no_stray_folders(box, args):
    (box.dir / "notes.docx").write_bytes(b"mine")
    box.run(args, ".")
    box.run(args, ".")  # again, replacing its own set
    names = {p.name for p in box.dir.iterdir()}
    assert "notes.docx" in names and "in.xlsx" in names
    strays = [n for n in names | {p.name for p in box.dir.parent.iterdir()} if ("qmap-" in n or ".old" in n)]
    assert strays == [MANIFEST]


@pytest.mark.parametrize("args, cause", [
    (["export", *DATA, "--all", "--format", "dot", "-o", "afile"], "is not a folder"),
    (["map", *DATA, "-o", "afile/maps"], "a part of the path is a file"),
    (["lists", *DATA, "-o", "afile"], "is not a folder"),
    (["report", *DATA, "-o", "afile/r"], "a part of the path is a file"),
    (["analyze", "city-overview", *DATA, "-o", "afile/x.csv"], "a part of the path is a file"),
    (["demo", "-q", "--no-maps", "-o", "afile"], "is not a folder"),
    (["template", "afile/x.xlsx"], "a part of the path is a file"),
    (["export", *DATA, "--chain", "A.1", "--format", "dot", "-o", "名" * 90 + ".dot"], "name too long"),
])
def test_os_failures_are_one_line_with_exit_1(box, args, cause):
    (box.dir / "afile").write_text("a regular file")
    box.run(args, None, 1, "无法写入 cannot write", cause)


# --------------------------------------------------------------------------- ids at the command line

#: Accepted by the intake now and after its id rules (≤ 64 characters, no path or control characters).
VALID_HOSTILE = ["..", "...", ".hidden", "trailing.", "CON", "nul", "Com1", "LPT9.txt", "aux.tar.gz", "index", "全市",
                 "-rf", "~", "$HOME", "%2e%2e%2f", "链" * 64, "x" * 64]
#: Ids the intake will reject (path characters, > 64 characters, differing only by case).
REJECTED_HOSTILE = ["../../escaped", "../../../../../../tmp/qmap-escaped", "/abs/qmap-escaped", "a<b>c:d|e?f*g",
                    "x" * 300, "链" * 130, "sh1"]


@pytest.mark.parametrize("command", ["map", "lists", "report", "export"])
def test_valid_but_hostile_ids_stay_inside_and_none_is_lost(box, command):
    hostile_workbook(box.dir / "in.xlsx", ids=("A.1", "A.2"), extra=VALID_HOSTILE)
    args = {"map": ["map", *DATA, "-o", "out"], "lists": ["lists", *DATA, "-o", "out"],
            "report": ["report", *DATA, "--year", "2025", "-o", "out"],
            "export": ["export", *DATA, "--all", "--format", "mermaid", "-o", "out"]}[command]
    box.run(args, "out")
    folder = box.dir / "out" / ("chains" if command == "report" else "")
    per_chain = [p.name for p in folder.iterdir() if p.name != MANIFEST and p.name not in
                 ("index.html", "全市-三张清单.xlsx")]
    expected = (2 + len(VALID_HOSTILE)) * (3 if command == "report" else 1)  # report: .md, .html and .docx
    assert len(per_chain) == expected, sorted(per_chain)
    for name in per_chain:
        assert not name.startswith(".") and ".." not in name and len(name.encode()) <= 120
        assert name.split(".")[0].upper() not in {"CON", "NUL", "COM1", "LPT9", "AUX"}


@pytest.mark.parametrize("bad", REJECTED_HOSTILE)
def test_ids_the_intake_rejects_never_escape_either(box, bad):
    extra = [bad] if bad != "sh1" else ["SH1", "sh1"]
    hostile_workbook(box.dir / "in.xlsx", ids=("A.1", "A.2"), extra=extra)
    for args in (["lists", *DATA, "-o", "out/l"], ["report", *DATA, "-o", "out/r"],
                 ["export", *DATA, "--all", "--format", "dot", "-o", "out/e"], ["map", *DATA, "-o", "out/m"],
                 ["export", *DATA, "--chain", extra[-1], "--format", "dot"]):
        before = snapshot(box.root)
        result = box.runner.invoke(main, args)
        changed = box.changed(before, snapshot(box.root))
        assert all(k in ("a/box/out", "a/box/exports") or k.startswith(("a/box/out/", "a/box/exports/"))
                   for k in changed), sorted(changed)
        assert result.exit_code in (0, 2) and "Traceback" not in result.stderr, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not Path("/abs/qmap-escaped").exists() and not Path("/tmp/qmap-escaped-三张清单.xlsx").exists()


# --------------------------------------------------------------------------- no live formulas

def test_lists_from_the_command_line_hold_no_formula(box):
    box.run(["lists", *DATA, "-o", "out"], "out")
    ws = openpyxl.load_workbook(box.dir / "out" / "全市-三张清单.xlsx")["质量问题清单"]
    cells = [c for row in ws.iter_rows() for c in row if c.value == FORMULA]
    assert len(cells) == 1 and cells[0].data_type == "s" and cells[0].quotePrefix
    assert not any(c.data_type == "f" for ws in openpyxl.load_workbook(box.dir / "out" / "全市-三张清单.xlsx")
                   for row in ws.iter_rows() for c in row)


def test_analyze_csv_for_excel_quotes_formula_text_and_keeps_numbers(box):
    shown = box.run(["analyze", "uncovered-problems", *DATA, "--format", "csv"], None)
    rows = list(csv.DictReader(io.StringIO(shown.stdout)))
    assert [r["title"] for r in rows if r["problem_id"] == "P1"] == ["'" + FORMULA]
    box.run(["analyze", "indicator-gap", *DATA, "--format", "csv", "-o", "gap.csv"], "gap.csv")
    gap = list(csv.DictReader(io.StringIO((box.dir / "gap.csv").read_text("utf-8-sig"))))
    assert [r["value"] for r in gap] == ["-1.5"]  # a negative number stays a number


def test_the_neo4j_admin_csv_export_keeps_values_exact(box):
    box.run(["export", *DATA, "--chain", "A.1", "--format", "csv", "-o", "out"], "out")
    with open(box.dir / "out" / "nodes_Problem.csv", encoding="utf-8", newline="") as f:
        assert FORMULA in [r["title"] for r in csv.DictReader(f)]


def test_markdown_report_tables_keep_their_columns(box):
    rows = handmade_rows()
    rows["chains"][0][2] = "光伏|玻璃\n产业链"
    rows["enterprises"][0][1] = "沪光|玻璃"
    write_xlsx(box.dir / "in.xlsx", rows)
    box.run(["report", *DATA, "--year", "2025", "-o", "out"], "out")
    md = (box.dir / "out" / "report-2025.md").read_text("utf-8")
    header = next(line for line in md.splitlines() if line.startswith("| 序号"))
    table = [line for line in md.splitlines() if line.startswith("| 1")]
    assert len(table) == 1 and "光伏\\|玻璃<br>产业链" in table[0] and "沪光\\|玻璃" in table[0]
    assert table[0].count(" | ") == header.count(" | ")  # as many cells as the header has


# --------------------------------------------------------------------------- the system says no

@contextmanager
def unprivileged():
    """File permissions apply: as root, act as nobody (effective ids only, restored after)."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(65534)
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


@pytest.fixture
def open_box(tmp_path_factory, monkeypatch):
    """A sandbox in a folder everyone may enter (pytest's own tmp folders are private to root)."""
    import shutil
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="qmap-test-"))
    os.chmod(root, 0o755)
    b = Box(root)
    for folder in (root / "a", b.dir):
        os.chmod(folder, 0o755)
    monkeypatch.chdir(b.dir)
    hostile_workbook(b.dir / "in.xlsx")
    os.chmod(b.dir / "in.xlsx", 0o644)
    yield b
    os.chdir("/")
    shutil.rmtree(root, ignore_errors=True)


@pytest.mark.parametrize("name", ["map", "lists", "report", "export --all", "analyze -o", "demo", "template"])
def test_a_read_only_folder_is_one_line_and_keeps_the_previous_set(open_box, name):
    args, out, _ = WRITERS[name]
    open_box.run(args, out)  # the previous set, written normally
    previous = open_box.files(out)
    for path in [open_box.dir / out, *(open_box.dir / out).rglob("*")]:
        if path.is_dir():
            os.chmod(path, 0o555)
    try:
        open_box.run([*args, "--force"], None, 1, "无法写入 cannot write", "permission denied", within=unprivileged)
    finally:
        for path in [open_box.dir / out, *(open_box.dir / out).rglob("*")]:
            if path.is_dir():
                os.chmod(path, 0o755)
    assert open_box.files(out) == previous


def test_an_unreadable_csv_in_a_readable_folder_is_one_line(open_box):
    folder = write_csv_folder(open_box.dir / "csvdata", handmade_rows())
    for path in (folder, *folder.iterdir()):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    os.chmod(folder / "members.csv", 0o000)
    open_box.run(["map", "--data", "csvdata", "-o", "out"], None, 1, "members.csv", "permission denied",
                 within=unprivileged)
    open_box.run(["validate", "csvdata"], None, 1, "members.csv", within=unprivileged)


@pytest.fixture
def small_disk(tmp_path):
    """A 2.2 MB tmpfs (root only): room for one set of the handmade maps, not for two."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2200k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_keeps_the_previous_maps_and_leaves_nothing_else(small_disk, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    hostile_workbook(tmp_path / "in.xlsx")
    runner = CliRunner()
    first = runner.invoke(main, ["map", *DATA, "-o", str(small_disk / "maps")])
    assert first.exit_code == 0, first.output
    previous = snapshot(small_disk)
    again = runner.invoke(main, ["map", *DATA, "-o", str(small_disk / "maps"), "--force"])
    assert again.exit_code == 1 and len(again.stderr.strip().splitlines()) == 1, again.output
    assert "磁盘空间不足" in again.stderr and "no space left" in again.stderr and "Traceback" not in again.stderr
    assert snapshot(small_disk) == previous  # the whole previous set, and no half-written staging
    filler = os.open(small_disk / "filler", os.O_WRONLY | os.O_CREAT)  # now fill the disk to the last block
    try:
        while os.write(filler, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(filler)
    previous = snapshot(small_disk)
    fresh = runner.invoke(main, ["lists", *DATA, "-o", str(small_disk / "lists")])
    assert fresh.exit_code == 1 and "no space left" in fresh.stderr
    assert snapshot(small_disk) == previous  # not even an empty lists/ folder


def qmap_process(args, cwd, **popen):
    code = "import sys; from graphmodel.cli import main; sys.argv[0] = 'qmap'; main()"
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **popen)


@pytest.mark.parametrize("args, out", [
    (["lists", *DATA, "-o", "out"], "out"),
    (["map", *DATA, "-o", "out"], "out"),
    (["demo", "-q", "-o", "out"], "out"),
    (["export", *DATA, "--all", "--format", "png", "-o", "out"], "out"),
])
def test_a_file_size_limit_is_one_line_and_leaves_nothing(box, args, out):
    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (6000, 6000))

    before = snapshot(box.root)
    process = qmap_process(args, box.dir, preexec_fn=limit)
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 1, (stdout, stderr)
    assert stderr.count("\n") == 1 and stderr.startswith("错误 Error: ") and "file too large" in stderr, stderr
    assert snapshot(box.root) == before  # no folder, no half a workbook


def test_sigkill_mid_write_leaves_the_previous_set_and_the_next_run_cleans_up(box):
    from graphmodel.demo import generate_demo
    from graphmodel.workbook import write_workbook

    write_workbook(generate_demo(7), box.dir / "before.xlsx")
    write_workbook(generate_demo(), box.dir / "demo.xlsx")
    first = qmap_process(["map", "--data", "before.xlsx", "-o", "out"], box.dir)
    assert first.wait(timeout=300) == 0, first.stderr.read()
    previous = box.files("out")
    args = ["map", "--data", "demo.xlsx", "-o", "out", "--force"]  # other data: other pages
    process = qmap_process(args, box.dir)
    deadline = time.monotonic() + 300
    staged = []
    while time.monotonic() < deadline and process.poll() is None and not staged:
        staged = list((box.dir / "out").glob(".qmap-staging-*/*.html"))
        time.sleep(0.02)
    assert process.poll() is None, "the run ended before it could be killed mid-write"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert staged  # it was writing: 28 chain maps take seconds
    after = {k: v for k, v in box.files("out").items() if not k.startswith(".qmap-staging-")}
    assert after == previous  # the previous maps and overview, byte for byte
    again = qmap_process(args, box.dir)
    assert again.wait(timeout=300) == 0, again.stderr.read()
    assert box.files("out") != previous
    assert not [p for p in (box.dir / "out").iterdir() if p.name.startswith(".qmap-") and p.name != MANIFEST]


def test_no_traceback_for_any_hostile_command_in_a_real_process(box):
    """The same failures as above, as an analyst meets them: a real process, its real stderr."""
    (box.dir / "afile").write_text("x")
    (box.dir / "out").mkdir()
    (box.dir / "out" / "A.1.html").write_text("mine")
    cases = [
        (["map", *DATA, "-o", "out", "--force"], 2),                       # not qmap's file
        (["analyze", "city-overview", *DATA, "-o", "in.xlsx", "--force"], 2),  # the input
        (["export", *DATA, "--all", "--format", "dot", "-o", "afile"], 1),  # onto a file
        (["lists", *DATA, "-o", "afile/lists"], 1),                        # under a file
        (["template", "in.xlsx"], 2),                                       # exists
        (["export", *DATA, "--chain", "A.1", "--format", "dot", "-o", "名" * 90 + ".dot"], 1),  # name too long
    ]
    processes = [(qmap_process(args, box.dir), args, status) for args, status in cases]
    for process, args, status in processes:
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == status, (args, stderr)
        assert "Traceback" not in stderr and stderr.count("\n") == 1 and stderr.startswith("错误 Error: "), (args, stderr)


def test_query_csv_for_excel_quotes_formula_text_and_keeps_numbers(neo4j_db, box):
    from graphmodel.intake import read_dataset
    from graphmodel.model import build_graph

    neo4j_db.load(build_graph(read_dataset(box.dir / "in.xlsx")))
    query = ("MATCH (p:Problem) OPTIONAL MATCH (e:Enterprise)-[r:REPORTS {year: 2025}]->() "
             "RETURN p.id AS id, p.title AS title, r.value AS value ORDER BY id")
    shown = box.run(["query", query, "--format", "csv"], None)
    rows = list(csv.DictReader(io.StringIO(shown.stdout)))
    assert [r["title"] for r in rows if r["id"] == "P1"] == ["'" + FORMULA]
    assert {r["value"] for r in rows} == {"-1.5"}
