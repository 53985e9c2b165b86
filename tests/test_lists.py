import copy
import datetime as dt

import openpyxl
import pytest
from click.testing import CliRunner

from graphmodel.cli import main
from graphmodel.files import MANIFEST
from graphmodel.intake import read_dataset
from graphmodel.analyses import problem_coverage
from graphmodel.lists import LIST_NAMES, TITLE_ROWS, three_lists, write_lists
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
    assert projects.loc["K1", "攻关问题"] == "镀膜均匀性波动（P1）" and projects.loc["K1", "进度"] == 0.4
    assert projects.loc["K1", "完成期限"] == dt.date(2025, 12, 31)
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
    header_row = TITLE_ROWS + 1  # the title block comes first
    header = [c.value for c in ws[header_row]]
    assert header[:4] == ["序号", "产业链编号", "产业链", "问题编号"]
    assert ws.freeze_panes == f"A{header_row + 1}" and ws.auto_filter.ref.startswith(f"A{header_row}:")
    table = ws[ws.auto_filter.ref]  # the table itself; the definitions follow below it
    rows = {r[3].value: dict(zip(header, (c.value for c in r))) for r in table[1:]}
    assert set(rows) == {"P1", "P2", "P3"}
    assert rows["P3"]["覆盖情况"] == "未覆盖" and rows["P3"]["状态"] == "推进中"
    assert rows["P1"]["状态"] == "待处理"  # entered as 未解决: status open, whose word is 待处理
    # Columns are fitted to their widest cell (the openpyxl default would be 13 everywhere).
    titles = [r["问题"] for r in rows.values()] + ["问题"]
    assert ws.column_dimensions["E"].width == max(map(display_width, titles)) + 2 == 24
    assert ws.column_dimensions["D"].width == display_width("问题编号") + 2
    notes = [r[0].value for r in ws.iter_rows(min_row=header_row + len(table)) if r[0].value]
    assert any(n.startswith("注：未解决：状态为待处理或推进中") for n in notes), notes
    c2 = openpyxl.load_workbook(tmp_path / "C2-三张清单.xlsx")["质量问题清单"]
    assert [r[3].value for r in c2[c2.auto_filter.ref][1:]] == ["P3"]


def test_lists_command(workbook, tmp_path):
    result = CliRunner().invoke(main, ["lists", "--data", str(workbook), "--chain", "C2", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [MANIFEST, "C2-三张清单.xlsx"]
    bad = CliRunner().invoke(main, ["lists", "--data", str(workbook), "--chain", "C9", "-o", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "C9" in bad.stderr and not (tmp_path / "x").exists()


def _filled_in(G):
    """The graph as intake gives it once the problems sheet carries 整改措施 / 责任单位 / 完成时限,
    and the consolidation of many workbooks records each node's sources."""
    H = copy.deepcopy(G)
    H.nodes["P1"].update(measures="增加镀膜工序在线监测；每班首件检验", owner_unit="浦江镀膜科技质量部",
                         deadline="2025-12-31", sources=["普陀区.xlsx", "市局.xlsx"])
    return H


def _table(ws):
    rows = [[c.value for c in r] for r in ws[ws.auto_filter.ref]]
    return rows[0], [dict(zip(rows[0], r)) for r in rows[1:]]


def test_lists_are_formal_documents(G, tmp_path):
    write_lists(_filled_in(G), tmp_path, ["C1"], unit="普陀区市场监督管理局质量发展科", date=dt.date(2025, 11, 20))
    wb = openpyxl.load_workbook(tmp_path / "C1-三张清单.xlsx")
    for title in LIST_NAMES:
        ws = wb[title]
        # the title block: list name, chain, 链长单位, 填报单位, 填报日期 (a real date)
        assert ws["A1"].value == title and ws["A1"].font.b
        labels = {ws.cell(row=r, column=c).value: ws.cell(row=r, column=c + 1).value
                  for r in (2, 3) for c in range(1, ws.max_column) if ws.cell(row=r, column=c).font.b}
        assert labels["产业链"] == "光伏玻璃产业链质量提升（C1）"
        assert labels["链长单位"] == "普陀区市场监管局"
        assert labels["填报单位"] == "普陀区市场监督管理局质量发展科"
        assert labels["填报日期"] == dt.datetime(2025, 11, 20) and ws.cell(row=3, column=[
            c for c in range(1, ws.max_column) if ws.cell(row=3, column=c).value == "填报日期"][0] + 1
        ).is_date
        # printing: A4 landscape, fitted to the page width, the header row repeated on every page
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows.replace("$", "") == f"{TITLE_ROWS + 1}:{TITLE_ROWS + 1}"
        assert ws.freeze_panes == f"A{TITLE_ROWS + 2}"
        first_data = ws.cell(row=TITLE_ROWS + 2, column=2)
        assert first_data.alignment.wrap_text
    header, rows = _table(wb["质量问题清单"])
    assert header[14:17] == ["整改措施", "责任单位", "完成时限"] and header[-1] == "来源"
    p1 = next(r for r in rows if r["问题编号"] == "P1")
    assert p1["整改措施"] == "增加镀膜工序在线监测；每班首件检验" and p1["责任单位"] == "浦江镀膜科技质量部"
    assert p1["完成时限"] == dt.datetime(2025, 12, 31) and p1["来源"] == "普陀区.xlsx；市局.xlsx"
    assert p1["提出日期"] == dt.datetime(2024, 6, 10) and p1["序号"] == 1 and isinstance(p1["序号"], int)
    p2 = next(r for r in rows if r["问题编号"] == "P2")
    assert p2["解决日期"] == dt.datetime(2024, 9, 30) and p2["整改措施"] is None and p2["来源"] is None
    ws = wb["质量问题清单"]
    col = header.index("提出日期") + 1
    assert all(ws.cell(row=r, column=col).is_date for r in range(TITLE_ROWS + 2, TITLE_ROWS + 2 + len(rows)))
    header, rows = _table(wb["重点攻关项目清单"])
    assert rows[0]["进度"] == 0.4 and rows[0]["完成期限"] == dt.datetime(2025, 12, 31)
    ws = wb["重点攻关项目清单"]
    assert ws.cell(row=TITLE_ROWS + 2, column=header.index("进度") + 1).number_format == "0%"
    assert "来源" not in header  # no project knows its sources: no empty column


def test_the_city_workbook_title_names_every_leader(G, tmp_path):
    write_lists(G, tmp_path)
    ws = openpyxl.load_workbook(tmp_path / "全市-三张清单.xlsx")["质量问题清单"]
    assert ws["B2"].value == "全市（2 条产业链）"
    row2 = [c.value for c in ws[2]]
    assert "普陀区市场监管局、奉贤区市场监管局" in row2
    assert [c.value for c in ws[3]].count("普陀区市场监管局、奉贤区市场监管局") == 1  # 填报单位 by default
