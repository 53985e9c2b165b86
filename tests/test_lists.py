import openpyxl
import pytest
from click.testing import CliRunner

from graphmodel.cli import main
from graphmodel.intake import read_dataset
from graphmodel.lists import LIST_NAMES, coverage_state, three_lists, write_lists
from graphmodel.model import build_graph
from handmade import handmade_rows, write_xlsx


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    return write_xlsx(tmp_path_factory.mktemp("wb") / "h.xlsx", handmade_rows())


@pytest.fixture(scope="module")
def G(workbook):
    return build_graph(read_dataset(workbook))


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
    rows = {r[3]: dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"P1", "P2", "P3"}
    assert rows["P3"]["覆盖情况"] == "未覆盖" and rows["P3"]["状态"] == "推进中"
    width = ws.column_dimensions["D"].width
    assert width >= 8  # fitted, not the default
    c2 = openpyxl.load_workbook(tmp_path / "C2-三张清单.xlsx")["质量问题清单"]
    assert [r[3] for r in c2.iter_rows(min_row=2, values_only=True)] == ["P3"]


def test_lists_command(workbook, tmp_path):
    result = CliRunner().invoke(main, ["lists", "--data", str(workbook), "--chain", "C2", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["C2-三张清单.xlsx"]
    bad = CliRunner().invoke(main, ["lists", "--data", str(workbook), "--chain", "C9", "-o", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "C9" in bad.stderr and not (tmp_path / "x").exists()
