import openpyxl
import pytest
from click.testing import CliRunner

from graphmodel.cli import main
from graphmodel.files import MANIFEST
from graphmodel.intake import read_dataset
from graphmodel.analyses import problem_coverage
from graphmodel.lists import LIST_NAMES, three_lists, write_lists
from graphmodel.model import build_graph
from graphmodel.text import display_width
from handmade import handmade_rows, write_xlsx


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    return write_xlsx(tmp_path_factory.mktemp("wb") / "h.xlsx", handmade_rows())


@pytest.fixture(scope="module")
def G(workbook):
    return build_graph(read_dataset(workbook))


def coverage_state(G, problem_id):
    """(覆盖情况, missing services), as the problems list shows them — from the one coverage function."""
    coverage = problem_coverage(G, problem_id)
    return coverage.zh, list(coverage.missing)


def test_coverage_state_follows_the_coverage_rule(G):
    # P1 needs standards + metrology: B2 ADDRESSES it with standards; B1 SUPPORTS E3 only with testing;
    # B3 partners in K1 (tackles P1) with no service, so B3's own services count: no metrology anywhere.
    assert coverage_state(G, "P1") == ("部分覆盖", ["metrology"])
    assert coverage_state(G, "P2") == ("已解决", [])
    assert coverage_state(G, "P3") == ("未覆盖", ["testing"])  # chain-wide: no firm to support


def test_three_lists_in_chinese(G):
    lists = three_lists(G, "C1")
    assert list(lists) == list(LIST_NAMES)
    problems = lists["质量问题清单"].set_index("问题编号")
    assert problems.loc["P1", "类别"] == "工艺" and problems.loc["P1", "严重程度"] == "高"
    assert problems.loc["P1", "缺少的服务"] == "计量" and problems.loc["P1", "攻关项目"] == "镀膜工艺攻关（K1）"
    projects = lists["重点攻关项目清单"].set_index("项目编号")
    assert projects.loc["K1", "合作机构"] == "示例质量培训基地（B3）"
    assert projects.loc["K1", "攻关问题"] == "镀膜均匀性波动（P1）" and projects.loc["K1", "进度"] == "40%"
    tools = lists["质量政策工具清单"]
    assert tools["工具编号"].tolist() == ["T1"] and tools["类型"].tolist() == ["示范引领"]
    with pytest.raises(KeyError):
        three_lists(G, "C9")


def test_workbooks_read_back_with_openpyxl(G, tmp_path):
    paths = write_lists(G, tmp_path)
    assert sorted(p.name for p in paths) == ["C1-三张清单.xlsx", "C2-三张清单.xlsx", "全市-三张清单.xlsx"]
    wb = openpyxl.load_workbook(tmp_path / "全市-三张清单.xlsx")
    assert wb.sheetnames == list(LIST_NAMES)
    ws = wb["质量问题清单"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["序号", "产业链编号", "产业链", "问题编号"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    table = ws[ws.auto_filter.ref]  # the table itself; the definitions follow below it
    rows = {r[3].value: dict(zip(header, (c.value for c in r))) for r in table[1:]}
    assert set(rows) == {"P1", "P2", "P3"}
    assert rows["P3"]["覆盖情况"] == "未覆盖" and rows["P3"]["状态"] == "推进中"
    assert rows["P1"]["状态"] == "待处理"  # entered as 未解决: status open, whose word is 待处理
    # Columns are fitted to their widest cell (the openpyxl default would be 13 everywhere).
    titles = [r["问题"] for r in rows.values()] + ["问题"]
    assert ws.column_dimensions["E"].width == max(map(display_width, titles)) + 2 == 24
    assert ws.column_dimensions["D"].width == display_width("问题编号") + 2
    notes = [r[0].value for r in ws.iter_rows(min_row=len(table) + 1) if r[0].value]
    assert any(n.startswith("注：未解决：状态为待处理或推进中") for n in notes), notes
    c2 = openpyxl.load_workbook(tmp_path / "C2-三张清单.xlsx")["质量问题清单"]
    assert [r[3].value for r in c2[c2.auto_filter.ref][1:]] == ["P3"]


def test_lists_command(workbook, tmp_path):
    result = CliRunner().invoke(main, ["lists", "--data", str(workbook), "--chain", "C2", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [MANIFEST, "C2-三张清单.xlsx"]
    bad = CliRunner().invoke(main, ["lists", "--data", str(workbook), "--chain", "C9", "-o", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "C9" in bad.stderr and not (tmp_path / "x").exists()
