import json

import openpyxl
import pytest
from click.testing import CliRunner

from graphmodel.cli import main
from graphmodel.intake import read_dataset
from graphmodel.schema import ENUMS, SHEET_ORDER
from handmade import handmade_rows, write_xlsx


@pytest.fixture
def runner():
    return CliRunner()


def test_validate_prints_per_chain_summary(runner, tmp_path):
    path = write_xlsx(tmp_path / "ok.xlsx", handmade_rows())
    result = runner.invoke(main, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["valid"] is True
    by_chain = {row["chain_id"]: row for row in report["chains"]}
    assert by_chain["C1"]["members"] == 4 and by_chain["C2"]["members"] == 3
    assert report["nodes"]["Enterprise"] == 6


def test_validate_lists_errors_and_exits_2(runner, tmp_path):
    rows = handmade_rows()
    rows["members"][1][2] = "ownr"
    rows["supplies"][0][4] = 1.5
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert "工作表 members，第 3 行，role 列" in result.stderr
    assert "工作表 supplies，第 2 行，share 列" in result.stderr
    as_json = runner.invoke(main, ["validate", str(path), "--format", "json"])
    assert as_json.exit_code == 2
    assert {(e["sheet"], e["row"], e["column"]) for e in json.loads(as_json.stdout)} == {
        ("members", 3, "role"), ("supplies", 2, "share")}


def test_template_is_a_valid_empty_workbook_with_dropdowns(runner, tmp_path):
    path = tmp_path / "blank.xlsx"
    result = runner.invoke(main, ["template", str(path)])
    assert result.exit_code == 0, result.output
    assert read_dataset(path).counts() == {name: 0 for name in SHEET_ORDER}
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0].startswith("说明")
    members = wb["链上成员"]
    assert [c.value for c in members[1]] == ["产业链编号", "企业编号", "角色", "层级"]
    rules = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in members.data_validations.dataValidation}
    assert rules["C2"] == '"链主,上游,中游,下游"'  # the Chinese words only
    assert members["C1"].comment is not None and "role" in members["C1"].comment.text
    # refuses to overwrite without --force, and a wrong suffix
    assert runner.invoke(main, ["template", str(path)]).exit_code == 2
    assert runner.invoke(main, ["template", str(path), "--force"]).exit_code == 0
    assert runner.invoke(main, ["template", str(tmp_path / "x.csv")]).exit_code == 2


def test_template_filled_in_validates(runner, tmp_path):
    """An analyst fills the template in Excel: the dropdown's Chinese words are accepted."""
    from graphmodel.schema import SHEETS

    path = tmp_path / "filled.xlsx"
    runner.invoke(main, ["template", str(path)])
    wb = openpyxl.load_workbook(path)
    for sheet, rows in handmade_rows().items():
        for row in rows:
            wb[SHEETS[sheet].zh].append(row)
    wb.save(path)
    ds = read_dataset(path)
    assert len(ds["members"]) == 7 and set(ds["members"]["role"]) <= set(ENUMS["role"].codes)


def test_demo_writes_a_workbook_that_validates(runner, tmp_path):
    out = tmp_path / "demo"
    result = runner.invoke(main, ["demo", "-o", str(out), "--no-maps", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "SH28" in result.stdout and "海洋装备产业链质量提升" in result.stdout
    workbook = out / "shanghai-demo.xlsx"
    checked = runner.invoke(main, ["validate", str(workbook), "--format", "json"])
    assert checked.exit_code == 0, checked.output
    report = json.loads(checked.stdout)
    assert len(report["chains"]) == 28 and all(10 <= c["members"] <= 60 for c in report["chains"])
    assert (out / "lists" / "全市-三张清单.xlsx").exists() and (out / "report" / "report-2025.md").exists()
    again = tmp_path / "again"
    runner.invoke(main, ["demo", "-o", str(again), "--no-maps", "--quiet"])
    first, second = read_dataset(workbook), read_dataset(again / "shanghai-demo.xlsx")
    assert all(first[s].drop(columns="_row").equals(second[s].drop(columns="_row")) for s in SHEET_ORDER)


# The console script (graphmodel.cli.run) leaves what a command kept to the operating system.
_CONSOLE = """
import atexit, sys
import graphmodel.cli.core as core

class Sentinel:
    def __del__(self):
        print("torn down", file=sys.stderr)

real = core.build_graph
def build(dataset):
    G = real(dataset)
    G.graph["sentinel"] = Sentinel()   # freed with the graph, if the graph is freed
    return G
core.build_graph = build
atexit.register(lambda: print("exit handlers ran", file=sys.stderr))
from graphmodel.cli import main, run
sys.argv[0] = "qmap"
(run if sys.argv.pop(1) == "run" else main)()
"""


def _console(how, *args):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-c", _CONSOLE, how, *args], capture_output=True, text=True,
                          encoding="utf-8")


def test_the_console_script_ends_without_freeing_the_graph_and_says_everything(tmp_path):
    path = write_xlsx(tmp_path / "ok.xlsx", handmade_rows())
    # (a command that builds the graph: qmap validate counts without one)
    command = ["analyze", "city-overview", "--data", str(path), "--format", "json"]
    fast = _console("run", *command)
    usual = _console("main", *command)
    assert fast.returncode == usual.returncode == 0, fast.stderr
    overview = json.loads(fast.stdout)
    assert fast.stdout == usual.stdout and [r["chain_id"] for r in overview] == ["C1", "C2"]  # every byte, flushed
    assert "exit handlers ran" in fast.stderr and "exit handlers ran" in usual.stderr
    assert "torn down" in usual.stderr and "torn down" not in fast.stderr


def test_the_console_script_keeps_the_exit_status_of_bad_input(tmp_path):
    rows = handmade_rows()
    rows["members"][1][2] = "ownr"
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    fast = _console("run", "validate", str(path))
    assert fast.returncode == 2
    assert "工作表 members，第 3 行，role 列" in fast.stderr and "Traceback" not in fast.stderr
    assert "exit handlers ran" in fast.stderr
    assert _console("run", "no-such-command").returncode == 2
