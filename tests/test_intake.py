import copy
import re
from pathlib import Path

import openpyxl
import pytest

from graphmodel.intake import IntakeError, read_dataset, read_tables, split_list
from conftest import willems
from handmade import HEADERS, handmade_rows, write_csv_folder, write_xlsx



def test_handmade_workbook_normalises_chinese_and_english(tmp_path):
    ds = read_dataset(write_xlsx(tmp_path / "chains.xlsx", handmade_rows()))
    members = ds["members"].set_index(["chain_id", "enterprise_id"])
    assert members.loc[("C1", "E1"), "role"] == "owner"
    assert members.loc[("C1", "E3"), "role"] == "upstream"
    assert members.loc[("C2", "E3"), "role"] == "downstream"
    bodies = ds["support_bodies"].set_index("body_id")
    assert bodies.loc["B1", "services"] == ["metrology", "testing"]
    assert bodies.loc["B1", "accreditations"] == ["CMA", "CNAS"]
    problems = ds["problems"].set_index("problem_id")
    assert problems.loc["P1", "needs"] == ["standards", "metrology"]
    assert problems.loc["P1", "category"] == "process" and problems.loc["P1", "status"] == "open"
    assert problems.loc["P3", "enterprise_id"] is None
    links = ds["support_links"]
    assert links["since"].tolist() == ["2024-05-01", "2024-06-01", None, None, "2024-07-01"]
    assert links["status"].tolist() == ["active", "active", None, None, "ended"]
    supplies = ds["supplies"]
    assert supplies["share"].tolist()[:2] == [0.6, 1.0]
    assert supplies["share"].tolist()[3] == 0.5  # "50%"
    assert supplies["critical"].tolist()[:3] == [True, False, True]
    chains = ds["chains"].set_index("chain_id")
    assert bool(chains.loc["C1", "key"]) is True and bool(chains.loc["C2", "key"]) is False
    assert ds["enterprises"].set_index("enterprise_id").loc["E1", "size"] == "large"
    assert ds["policy_tools"].set_index("tool_id").loc["T1", "applies_to"] == ["C1", "K1"]
    assert ds["members"]["_row"].tolist() == [2, 3, 4, 5, 6, 7, 8]


def test_csv_folder_with_bom_equals_workbook(tmp_path):
    a = read_dataset(write_xlsx(tmp_path / "a.xlsx", handmade_rows()))
    b = read_dataset(write_csv_folder(tmp_path / "csv", handmade_rows(), bom=True))
    for sheet in HEADERS:
        left = a[sheet].drop(columns="_row").to_dict("records")
        right = b[sheet].drop(columns="_row").to_dict("records")
        assert left == right, sheet


def test_only_chains_is_required(tmp_path):
    rows = {"chains": handmade_rows()["chains"]}
    ds = read_dataset(write_csv_folder(tmp_path / "csv", rows))
    assert ds.counts()["chains"] == 2 and ds.counts()["members"] == 0


@pytest.mark.parametrize("chain", ["W02", "W12", "W20", "W38"])
def test_willems_chains_validate_as_they_are(chain):
    ds = read_dataset(willems(chain))
    expected = {"W02": (13, 13), "W12": (88, 107), "W20": (156, 169), "W38": (2025, 16225)}[chain]
    assert (len(ds["enterprises"]), len(ds["supplies"])) == expected
    assert (ds["members"]["role"] == "owner").sum() == 1


def test_split_list_accepts_both_semicolons():
    assert split_list("a；b; c;;") == ["a", "b", "c"]
    assert split_list(None) == []


# ----------------------------------------------------------------------------- bad inputs

def _mutate(change):
    rows = copy.deepcopy(handmade_rows())
    change(rows)
    return rows


def _set(sheet, row, column, value):
    def change(rows):
        rows[sheet][row][HEADERS[sheet].index(column)] = value
    return change


def _append(sheet, values):
    def change(rows):
        rows[sheet].append(values)
    return change


# (case, mutation, expected (sheet, excel row, column), words expected in the message)
BAD_CASES = [
    ("unknown role", _set("members", 1, "role", "ownr"), ("members", 3, "role"), "ownr"),
    ("unknown size", _set("enterprises", 1, "size", "巨型"), ("enterprises", 3, "size"), "巨型"),
    ("unknown service in list", _set("support_bodies", 0, "services", "计量；化验"), ("support_bodies", 2, "services"),
     "化验"),
    ("unknown severity", _set("problems", 0, "severity", "critical"), ("problems", 2, "severity"), "critical"),
    ("unknown kind", _set("policy_tools", 0, "kind", "奖励"), ("policy_tools", 2, "kind"), "奖励"),
    ("share above one", _set("supplies", 0, "share", 1.5), ("supplies", 2, "share"), "0 到 1"),
    ("progress negative", _set("projects", 0, "progress", -0.2), ("projects", 2, "progress"), "0 到 1"),
    ("negative tier", _set("members", 1, "tier", -1), ("members", 3, "tier"), "不小于 0"),
    ("tier not integer", _set("members", 1, "tier", "二"), ("members", 3, "tier"), "整数"),
    ("bad date", _set("problems", 0, "raised_on", "2024-13-45"), ("problems", 2, "raised_on"), "日期"),
    ("unparseable date", _set("support_links", 0, "since", "去年五月"), ("support_links", 2, "since"), "日期"),
    ("bad boolean", _set("supplies", 0, "critical", "maybe"), ("supplies", 2, "critical"), "maybe"),
    ("year not a number", _set("readings", 0, "year", "二〇二四"), ("readings", 2, "year"), "整数"),
    ("value not a number", _set("readings", 0, "value", "n/a"), ("readings", 2, "value"), "数值"),
    ("required name blank", _set("enterprises", 2, "name", None), ("enterprises", 4, "name"), "必填"),
    ("duplicate id in one sheet", _append("enterprises", ["E2", "重复企业", "small", None, None]),
     ("enterprises", 8, "enterprise_id"), "第 3 行"),
    ("duplicate id across sheets", _append("support_bodies", ["E1", "与企业同号的机构", "testing", None]),
     ("support_bodies", 5, "body_id"), "enterprises"),
    ("dangling member enterprise", _append("members", ["C1", "E99", "upstream", 1]),
     ("members", 9, "enterprise_id"), "E99"),
    ("dangling member chain", _append("members", ["C9", "E2", "upstream", 1]), ("members", 9, "chain_id"), "C9"),
    ("two owners", _set("members", 1, "role", "owner"), ("members", 3, "role"), "链主"),
    ("owner tier not zero", _set("members", 0, "tier", 2), ("members", 2, "tier"), "0"),
    ("supply between non-members", _append("supplies", ["C2", "E2", "E5", "石英砂", None, None]),
     ("supplies", 7, "supplier_id"), "成员"),
    ("self supply", _append("supplies", ["C1", "E3", "E3", "镀膜液2", None, None]),
     ("supplies", 7, "customer_id"), "同一"),
    ("duplicate supply", _append("supplies", ["C1", "E2", "E3", "石英砂", 0.3, None]),
     ("supplies", 7, "product"), "重复"),
    ("shares over one for a product", _append("supplies", ["C1", "E1", "E3", "石英砂", 0.5, None]),
     ("supplies", 7, "share"), "超过 1"),
    ("problem enterprise not a member", _set("problems", 0, "enterprise_id", "E5"),
     ("problems", 2, "enterprise_id"), "成员"),
    ("support link to unknown target", _append("support_links", ["B1", "X1", None, None, None]),
     ("support_links", 7, "target_id"), "X1"),
    ("support link to an indicator", _append("support_links", ["B1", "I1", None, None, None]),
     ("support_links", 7, "target_id"), "指标"),
    ("project tackles another chain's problem", _set("projects", 0, "tackles", "P1;P3"),
     ("projects", 2, "tackles"), "其他产业链"),
    ("resolved before raised", _set("problems", 1, "resolved_on", "2023-01-01"), ("problems", 3, "resolved_on"),
     "早于"),
    ("policy tool applies to unknown", _set("policy_tools", 1, "applies_to", "E6；E77"),
     ("policy_tools", 3, "applies_to"), "E77"),
    ("duplicate seq", _set("chains", 1, "seq", 1), ("chains", 3, "seq"), "重复"),
]


@pytest.mark.parametrize("case, change, where, words", BAD_CASES, ids=[c[0] for c in BAD_CASES])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_bad_input_names_sheet_row_column(tmp_path, case, change, where, words, fmt):
    rows = _mutate(change)
    path = write_xlsx(tmp_path / "bad.xlsx", rows) if fmt == "xlsx" else write_csv_folder(tmp_path / "bad", rows)
    with pytest.raises(IntakeError) as caught:
        read_dataset(path)
    located = [(i.sheet, i.row, i.column) for i in caught.value.issues]
    assert where in located, caught.value
    issue = caught.value.issues[located.index(where)]
    assert words in issue.message, issue


def test_all_errors_reported_at_once(tmp_path):
    rows = _mutate(lambda r: (_set("members", 1, "role", "ownr")(r), _set("supplies", 0, "share", 2)(r),
                              _set("readings", 0, "year", "x")(r)))
    with pytest.raises(IntakeError) as caught:
        read_dataset(write_xlsx(tmp_path / "bad.xlsx", rows))
    sheets = {i.sheet for i in caught.value.issues}
    assert {"members", "supplies", "readings"} <= sheets


def test_cross_sheet_errors_together_each_said_once(tmp_path):
    """Many cross-sheet errors at once: each said once, where it is, and nothing more (an
    uncertain member list says nothing about its chain; a refused id's references are quiet)."""
    rows = copy.deepcopy(handmade_rows())
    rows["chains"].append(["C3", 2, "第三条链", "嘉定区", None, None, None])
    rows["enterprises"] += [["e4", "小写企业", "small", None, None], ["E/7", "坏编号企业", "small", None, None]]
    rows["support_bodies"].append(["E1", "与企业同号的机构", "testing", None])
    rows["members"][0][3] = 2
    rows["members"][5][2:] = ["owner", 0]
    rows["members"] += [["C1", "E99", "upstream", 1], ["C3", "E4", "upstream", 1]]
    rows["supplies"] += [["C1", "E2", "E3", "石英砂", 0.3, None], ["C2", "E2", "E5", "石英砂2", None, None],
                         ["C2", "E6", "E6", "铜杆2", None, None], ["C2", "E3", "E5", "铜杆", 0.6, None],
                         ["C2", "E/7", "E5", "铜杆3", None, None], ["C1", "E5", "E1", "玻璃原料", None, None]]
    rows["support_links"] += [["B1", "I1", None, None, None], ["B2", "E77", None, None, None]]
    rows["problems"][0][9] = "2024-12-01"
    rows["problems"][1][9] = "2023-01-01"
    rows["problems"][2][2] = "E4"
    rows["projects"][0][4] = "P1;P3"
    rows["policy_tools"][1][4] = "E6；E77"
    with pytest.raises(IntakeError) as caught:
        read_dataset(write_csv_folder(tmp_path / "bad", rows))
    assert [(i.sheet, i.row, i.column, i.message) for i in caught.value.issues] == [
        ("chains", 4, "seq", "序号 2 与第 3 行重复"),
        ("enterprises", 8, "enterprise_id",
         "编号“e4”与文件 enterprises.csv 第 5 行的“E4”只差字母大小写；编号不区分大小写也须唯一"),
        ("enterprises", 9, "enterprise_id",
         '编号“E/7”含有字符“/”；编号不能含控制字符、零宽字符或 / \\ : * ? " < > |'),
        ("members", None, "role", "产业链“C3”有成员但没有链主（role=owner/链主）"),
        ("members", 2, "tier", "链主的层级应为 0"),
        ("members", 7, "role", "产业链“C2”已有链主（第 6 行）；每条链只能有一个链主"),
        ("members", 9, "enterprise_id", "找不到企业“E99”"),
        ("supplies", 7, "product",
         "重复记录（chain_id=C1、supplier_id=E2、customer_id=E3、product=石英砂，与第 2 行相同）"),
        ("supplies", 8, "supplier_id", "企业“E2”不是产业链“C2”的成员"),
        ("supplies", 9, "customer_id", "供方与需方不能是同一企业"),
        ("supplies", 10, "share", "需方“E5”的产品“铜杆”各供方占比之和为 1.10，超过 1"),
        ("support_bodies", 5, "body_id", "编号“E1”已在文件 enterprises.csv 第 2 行使用；编号须在全部工作表中唯一"),
        ("support_links", 7, "target_id", "“I1”是质量指标，此处应为产业链、企业、质量问题或攻关项目的编号"),
        ("support_links", 8, "target_id",
         "找不到产业链、企业、质量问题或攻关项目“E77”（共 2 处：support_links target_id 第 8 行；"
         "policy_tools applies_to 第 3 行）"),
        ("problems", 2, "resolved_on", "填写了解决日期，但状态不是“已解决”"),
        ("problems", 3, "resolved_on", "解决日期早于提出日期"),
        ("problems", 4, "enterprise_id", "企业“E4”不是产业链“C2”的成员"),
        ("projects", 2, "tackles", "质量问题“P3”属于其他产业链（C2）"),
    ]
    grouped = next(i for i in caught.value.issues if "E77" in i.message)
    assert grouped.rows == (8,) and grouped.file == "support_links.csv"
    assert grouped.places == (("support_links", "target_id", (8,)), ("policy_tools", "applies_to", (3,)))


def test_missing_column_names_header_row(tmp_path):
    headers = dict(HEADERS, members=["chain_id", "enterprise_id", "tier"])
    rows = _mutate(lambda r: r.update(members=[[c, e, t] for c, e, _, t in r["members"]]))
    with pytest.raises(IntakeError) as caught:
        read_dataset(write_xlsx(tmp_path / "bad.xlsx", rows, headers))
    assert ("members", 1, "role") in [(i.sheet, i.row, i.column) for i in caught.value.issues]


def test_missing_chains_sheet(tmp_path):
    rows = {"enterprises": handmade_rows()["enterprises"]}
    with pytest.raises(IntakeError) as caught:
        read_dataset(write_xlsx(tmp_path / "bad.xlsx", rows))
    assert caught.value.issues[0].sheet == "chains"


def test_chain_with_members_but_no_owner(tmp_path):
    rows = _mutate(_set("members", 4, "role", "upstream"))
    with pytest.raises(IntakeError) as caught:
        read_dataset(write_xlsx(tmp_path / "bad.xlsx", rows))
    assert any(i.sheet == "members" and "C2" in i.message and "没有链主" in i.message for i in caught.value.issues)


def test_formula_only_cell(tmp_path):
    path = write_xlsx(tmp_path / "f.xlsx", handmade_rows())
    wb = openpyxl.load_workbook(path)
    wb["readings"]["D2"] = "=B2*2"  # saved by openpyxl: a formula with no cached result
    wb.save(path)
    with pytest.raises(IntakeError) as caught:
        read_dataset(path)
    issue = caught.value.issues[0]
    assert (issue.sheet, issue.row, issue.column) == ("readings", 2, "value")
    assert "公式" in issue.message


def test_excel_error_value(tmp_path):
    rows = _mutate(_set("readings", 1, "value", "#DIV/0!"))
    with pytest.raises(IntakeError) as caught:
        read_dataset(write_xlsx(tmp_path / "bad.xlsx", rows))
    assert [(i.sheet, i.row, i.column) for i in caught.value.issues] == [("readings", 3, "value")]


def test_non_utf8_csv_names_file_and_line(tmp_path):
    folder = write_csv_folder(tmp_path / "csv", handmade_rows())
    text = (folder / "enterprises.csv").read_text("utf-8")
    (folder / "enterprises.csv").write_bytes(text.encode("gbk"))
    with pytest.raises(IntakeError) as caught:
        read_dataset(folder)
    issue = caught.value.issues[0]
    assert issue.sheet == "enterprises.csv" and issue.row == 2 and "UTF-8" in issue.message


def test_empty_csv_file_is_an_empty_sheet(tmp_path):
    """domain.md: an empty sheet, or a 0-byte CSV file, means "none yet" (as in a workbook)."""
    rows = handmade_rows()
    folder = write_csv_folder(tmp_path / "csv", rows)
    (folder / "supplies.csv").write_bytes(b"")
    (folder / "targets.csv").write_bytes(b"\xef\xbb\xbf")  # a BOM and nothing else
    ds = read_dataset(folder)
    assert ds.counts()["supplies"] == 0 and ds.counts()["targets"] == 0 and ds.counts()["members"] == 7
    path = write_xlsx(tmp_path / "empty-sheets.xlsx", rows)
    wb = openpyxl.load_workbook(path)
    for name in ("supplies", "targets"):
        wb.remove(wb[name])
        wb.create_sheet(name)
    wb.save(path)
    assert read_dataset(path).counts() == ds.counts()


def test_empty_and_non_workbook_files(tmp_path):
    (tmp_path / "empty.xlsx").write_bytes(b"")
    (tmp_path / "fake.xlsx").write_text("not a zip")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    for name in ("empty.xlsx", "fake.xlsx", "old.xls"):
        with pytest.raises(IntakeError) as caught:
            read_dataset(tmp_path / name)
        assert caught.value.issues[0].sheet == name


def test_read_tables_counts_rows_like_excel():
    rows = _mutate(_set("members", 2, "role", "boss"))
    tables = {sheet: [dict(zip(HEADERS[sheet], r)) for r in data] for sheet, data in rows.items()}
    with pytest.raises(IntakeError) as caught:
        read_tables(tables)
    assert [(i.sheet, i.row, i.column) for i in caught.value.issues] == [("members", 4, "role")]


def test_extra_columns_and_sheets_are_accepted(tmp_path):
    """More columns are welcome; a sheet of one's own is welcome under a name intake skips."""
    headers = dict(HEADERS, chains=HEADERS["chains"] + ["备注"])
    rows = _mutate(lambda r: r.update(chains=[row + ["随便写"] for row in r["chains"]]))
    path = write_xlsx(tmp_path / "extra.xlsx", rows, headers)
    wb = openpyxl.load_workbook(path)
    for name in ("备注-我的笔记", "说明", "示例 2024", "#草稿"):
        wb.create_sheet(name).append(["anything"])
    wb.save(path)
    ds = read_dataset(path)
    assert len(ds["chains"]) == 2
    assert any("备注-我的笔记" in n and "#草稿" in n for n in ds.notes)


def test_int_column_with_a_blank_keeps_ints(tmp_path):
    rows = _mutate(_set("members", 1, "tier", None))
    ds = read_dataset(write_xlsx(tmp_path / "blank-tier.xlsx", rows))
    tiers = ds["members"]["tier"].tolist()
    assert tiers[1] is None
    assert [type(t) for t in tiers if t is not None] == [int] * 6
    assert all(type(v) is int for v in ds["members"]["_row"])


def test_a_missing_path_is_the_intake_error_it_promises(tmp_path):
    for missing in (tmp_path / "nope.xlsx", tmp_path / "nope-folder", tmp_path / "nope.csv"):
        with pytest.raises(IntakeError) as error:
            read_dataset(missing)
        assert [i.message for i in error.value.issues] == ["文件或文件夹不存在"], missing


# ============================================================================= the contract in Chinese

from graphmodel.cli import main  # noqa: E402
from graphmodel.model import build_graph  # noqa: E402
from graphmodel.schema import SHEETS  # noqa: E402
from conftest import assert_same_graph  # noqa: E402
from handmade import EXTENDED_HEADERS, chinese_headers, extended_rows  # noqa: E402


def _mixed_headers() -> dict[str, list[str]]:
    """Chinese names everywhere, with hints in brackets, and one sheet mixing keys and names."""
    headers = chinese_headers(EXTENDED_HEADERS)
    headers["members"] = ["产业链编号", "enterprise_id", "角色（链主/上游/中游/下游）", "Tier"]
    headers["supplies"][4] = "供货占比(0-1)"
    headers["support_bodies"][2] = "服务（；分隔）"
    headers["chains"][5] = "重点项目★"
    return headers


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_chinese_workbook_gives_the_same_graph_as_its_english_twin(tmp_path, fmt):
    rows = extended_rows()
    if fmt == "xlsx":
        english = write_xlsx(tmp_path / "en.xlsx", rows)
        chinese = write_xlsx(tmp_path / "zh.xlsx", rows, _mixed_headers(), chinese=True)
    else:
        english = write_csv_folder(tmp_path / "en", rows)
        chinese = write_csv_folder(tmp_path / "zh", rows, headers=_mixed_headers(), chinese=True)
        assert (chinese / "链上成员.csv").exists() and (chinese / "典型案例.csv").exists()
    a, b = read_dataset(english), read_dataset(chinese)
    assert a.counts() == b.counts() and a.counts()["cases"] == 2
    assert_same_graph(build_graph(a), build_graph(b), ignore=("sources",))  # other file names, the same content
    assert b.sheets["members"].label == "链上成员" and b.sheets["members"].headers["role"].startswith("角色")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_messages_name_the_sheet_and_column_as_the_file_does(tmp_path, fmt):
    rows = _mutate(_set("members", 1, "role", "ownr"))
    headers = _mixed_headers()
    path = (write_xlsx(tmp_path / "zh.xlsx", rows, headers, chinese=True) if fmt == "xlsx"
            else write_csv_folder(tmp_path / "zh", rows, headers=headers, chinese=True))
    with pytest.raises(IntakeError) as caught:
        read_dataset(path)
    [issue] = caught.value.issues
    assert (issue.sheet, issue.row, issue.column) == ("链上成员", 3, "角色（链主/上游/中游/下游）")
    where = "工作表 链上成员" if fmt == "xlsx" else "文件 链上成员.csv"
    assert str(issue).startswith(f"{where}，第 3 行，角色（链主/上游/中游/下游） 列：")


def test_a_missing_column_is_named_in_the_sheets_language(tmp_path):
    headers = chinese_headers(HEADERS)
    headers["members"] = ["产业链编号", "企业编码", "层级"]  # 企业编号 misspelt, 角色 left out
    rows = _mutate(lambda r: r.update(members=[[c, e, t] for c, e, _, t in r["members"]]))
    with pytest.raises(IntakeError) as caught:
        read_dataset(write_xlsx(tmp_path / "zh.xlsx", rows, headers, chinese=True))
    by_column = {i.column: i for i in caught.value.issues}
    assert set(by_column) == {"企业编号", "角色"}
    assert all((i.sheet, i.row) == ("链上成员", 1) for i in caught.value.issues)
    assert "企业编码" in by_column["企业编号"].message and "enterprise_id" in by_column["企业编号"].message


def test_the_same_column_twice_is_an_error(tmp_path):
    headers = dict(HEADERS, members=HEADERS["members"] + ["角色"])
    rows = _mutate(lambda r: r.update(members=[row + [row[2]] for row in r["members"]]))
    with pytest.raises(IntakeError) as caught:
        read_dataset(write_xlsx(tmp_path / "dup.xlsx", rows, headers))
    assert [(i.sheet, i.row, i.column) for i in caught.value.issues] == [("members", 1, "角色")]
    assert "重复" in caught.value.issues[0].message


# ============================================================================= no silent drops

@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("name, nearest", [("supply", "supplies"), ("公司名录", "enterprises"), ("Membres", "members")])
def test_an_unknown_sheet_is_an_error_naming_the_nearest(tmp_path, fmt, name, nearest):
    rows = handmade_rows()
    if fmt == "xlsx":
        path = write_xlsx(tmp_path / "wb.xlsx", rows)
        wb = openpyxl.load_workbook(path)
        wb.create_sheet(name).append(["x"])
        wb.save(path)
        label = name
    else:
        path = write_csv_folder(tmp_path / "csv", rows)
        (path / f"{name}.csv").write_text("a,b\n1,2\n", "utf-8")
        label = f"{name}.csv"
    with pytest.raises(IntakeError) as caught:
        read_dataset(path)
    [issue] = caught.value.issues
    assert (issue.sheet, issue.row, issue.column) == (label, None, None)
    assert nearest in issue.message and SHEETS[nearest].zh in issue.message and "备注" in issue.message


def _sheet_part(path, title: str) -> str:
    return f"xl/worksheets/sheet{openpyxl.load_workbook(path, read_only=True).sheetnames.index(title) + 1}.xml"


def _patch(path, part: str, change) -> None:
    """Rewrite one part of an .xlsx (what another tool might have written)."""
    import zipfile

    with zipfile.ZipFile(path) as zin:
        items = [(info, zin.read(info)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in items:
            zout.writestr(info, change(data) if info.filename == part else data)


def test_rows_beyond_a_stale_dimension_are_read(tmp_path):
    path = write_xlsx(tmp_path / "stale.xlsx", handmade_rows())
    _patch(path, _sheet_part(path, "members"),  # another tool's stale <dimension>: the header and one row
           lambda xml: re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:D2"/>', xml))
    naive = openpyxl.load_workbook(path, read_only=True)["members"]
    assert len(list(naive.iter_rows(values_only=True))) == 2  # what trusting the dimension reads
    ds = read_dataset(path)
    assert len(ds["members"]) == 7 and ds["members"]["_row"].tolist() == [2, 3, 4, 5, 6, 7, 8]


def test_hidden_sheets_are_read_and_reported(tmp_path):
    path = write_xlsx(tmp_path / "hidden.xlsx", handmade_rows())
    wb = openpyxl.load_workbook(path)
    wb["supplies"].sheet_state = "hidden"
    wb["readings"].sheet_state = "veryHidden"
    wb.save(path)
    ds = read_dataset(path)
    assert len(ds["supplies"]) == 5 and len(ds["readings"]) == 2
    assert ds.sheets["supplies"].hidden and not ds.sheets["members"].hidden
    assert any("隐藏" in n and "supplies" in n and "readings" in n for n in ds.notes)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0 and "隐藏" in result.stdout


def test_merged_cells_are_reported_as_merged(tmp_path):
    path = write_xlsx(tmp_path / "merged.xlsx", handmade_rows())
    wb = openpyxl.load_workbook(path)
    wb["members"].merge_cells("A2:A5")  # chain C1 written once for four members
    wb.save(path)
    with pytest.raises(IntakeError) as caught:
        read_dataset(path)
    [issue] = caught.value.issues
    assert (issue.sheet, issue.row, issue.column) == ("members", 2, "chain_id")
    assert "合并单元格 A2:A5" in issue.message


# ============================================================================= locations that match Excel

def test_csv_rows_count_records_as_excel_shows_them(tmp_path):
    """A quoted newline keeps a record on one Excel row: later rows are not one off."""
    rows = _mutate(lambda r: (r["enterprises"][0].__setitem__(1, "沪光玻璃\n集团"),
                              r["enterprises"][3].__setitem__(2, "巨型")))
    with pytest.raises(IntakeError) as caught_csv:
        read_dataset(write_csv_folder(tmp_path / "csv", rows))
    with pytest.raises(IntakeError) as caught_xlsx:
        read_dataset(write_xlsx(tmp_path / "x.xlsx", rows))
    for caught in (caught_csv, caught_xlsx):
        assert [(i.sheet, i.row, i.column) for i in caught.value.issues] == [("enterprises", 5, "size")]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_invisible_characters_are_shown_escaped(tmp_path, fmt):
    rows = _mutate(_set("members", 1, "enterprise_id", "E2\u200b"))
    path = write_xlsx(tmp_path / "x.xlsx", rows) if fmt == "xlsx" else write_csv_folder(tmp_path / "c", rows)
    with pytest.raises(IntakeError) as caught:
        read_dataset(path)
    [issue] = caught.value.issues
    assert (issue.sheet, issue.row, issue.column) == ("members", 3, "enterprise_id")
    assert "E2\\u200b" in issue.message and "\u200b" not in issue.message and "是否为“E2”" in issue.message


@pytest.mark.parametrize("delimiter, word", [(";", "分号"), ("\t", "制表符")])
def test_a_csv_split_by_semicolons_or_tabs_is_one_error(tmp_path, delimiter, word):
    import csv as _csv

    folder = write_csv_folder(tmp_path / "csv", handmade_rows())
    with open(folder / "enterprises.csv", "w", encoding="utf-8", newline="") as f:
        writer = _csv.writer(f, delimiter=delimiter)
        writer.writerow(HEADERS["enterprises"])
        writer.writerows([["" if v is None else v for v in r] for r in handmade_rows()["enterprises"]])
    with pytest.raises(IntakeError) as caught:
        read_dataset(folder)
    located = [(i.sheet, i.row, i.column) for i in caught.value.issues]
    assert ("enterprises", 1, None) in located
    issue = caught.value.issues[located.index(("enterprises", 1, None))]
    assert word in issue.message and "逗号" in issue.message and issue.file == "enterprises.csv"
    assert not any("缺少列" in i.message for i in caught.value.issues)


# ============================================================================= one error per root cause

def _readings_with(value_for_odd_rows: str, n: int = 11):
    """Readings alternating a good firm and ``value_for_odd_rows``: n bad rows, not consecutive."""
    def change(rows):
        rows["readings"] = []
        for k in range(2 * n):
            rows["readings"].append([value_for_odd_rows if k % 2 else "E1", "I1", 2000 + k, 90.0 + k])
    return change


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_one_wrong_id_in_11_rows_is_one_error_naming_the_11_rows(tmp_path, fmt):
    rows = _mutate(_readings_with("E0005"))
    path = write_xlsx(tmp_path / "x.xlsx", rows) if fmt == "xlsx" else write_csv_folder(tmp_path / "c", rows)
    with pytest.raises(IntakeError) as caught:
        read_dataset(path)
    [issue] = caught.value.issues
    bad_rows = list(range(3, 24, 2))  # 11 rows: 3, 5, … 23
    assert len(bad_rows) == 11
    assert (issue.sheet, issue.row, issue.column) == ("readings", 3, "enterprise_id")
    assert issue.rows == tuple(bad_rows)
    assert "E0005" in issue.message and "共 11 处" in issue.message
    assert "第 " + "、".join(map(str, bad_rows)) + " 行" in issue.message


def test_many_rows_are_shown_first_few_then_a_count(tmp_path):
    rows = _mutate(_readings_with("E0005", n=30))
    with pytest.raises(IntakeError) as caught:
        read_dataset(write_xlsx(tmp_path / "x.xlsx", rows))
    [issue] = caught.value.issues
    assert len(issue.rows) == 30 and "等 30 处" in issue.message and "59" not in issue.message


def test_a_renamed_id_is_one_error_across_sheets(tmp_path):
    rows = _mutate(_set("enterprises", 2, "enterprise_id", "E3X"))  # E3 is used on six sheets
    with pytest.raises(IntakeError) as caught:
        read_dataset(write_xlsx(tmp_path / "x.xlsx", rows))
    [issue] = caught.value.issues
    assert (issue.sheet, issue.row, issue.column) == ("members", 4, "enterprise_id")
    assert {(s, c) for s, c, _ in issue.places} == {
        ("members", "enterprise_id"), ("supplies", "supplier_id"), ("supplies", "customer_id"),
        ("support_links", "target_id"), ("problems", "enterprise_id")}
    assert "共 7 处" in issue.message


HINT_CASES = [
    ("a name of two firms", lambda r: (r["enterprises"][3].__setitem__(1, "浦江镀膜科技"),
                                       r["members"][1].__setitem__(1, "浦江镀膜科技")),
     ("members", 3, "enterprise_id"), ["名称", "E3", "E4", "编号"]),
    ("a body's name for a firm", _set("members", 1, "enterprise_id", "示例标准化研究所"),
     ("members", 3, "enterprise_id"), ["机构", "B2"]),
    ("a body's id for a firm", _set("members", 1, "enterprise_id", "B2"), ("members", 3, "enterprise_id"),
     ["质量赋能机构", "企业的编号"]),
    ("ids in another case", _set("members", 1, "enterprise_id", "e2"), ("members", 3, "enterprise_id"), ["“E2”"]),
    ("a list split by commas", _set("policy_tools", 0, "applies_to", "C1,K1"), ("policy_tools", 2, "applies_to"),
     ["；"]),
    ("a list split by 、", _set("projects", 0, "tackles", "P1、P2"), ("projects", 2, "tackles"), ["；"]),
    ("two ids where one goes", _set("problems", 0, "enterprise_id", "E3；E1"), ("problems", 2, "enterprise_id"),
     ["只能填一个"]),
    ("services split by 、", _set("support_bodies", 0, "services", "计量、检验检测"), ("support_bodies", 2, "services"),
     ["；"]),
    ("tags split by 、", lambda r: r["enterprises"][0].append("专精特新、小巨人"), ("enterprises", 2, "tags"), ["；"]),
]


@pytest.mark.parametrize("case, change, where, words", HINT_CASES, ids=[c[0] for c in HINT_CASES])
def test_hints_for_names_typed_as_ids_and_wrong_separators(tmp_path, case, change, where, words):
    rows = _mutate(change)
    headers = dict(HEADERS, enterprises=HEADERS["enterprises"] + ["tags"]) if case.startswith("tags") else None
    if headers:
        rows["enterprises"] = [r + [None] * (6 - len(r)) for r in rows["enterprises"]]
    with pytest.raises(IntakeError) as caught:
        read_dataset(write_xlsx(tmp_path / "x.xlsx", rows, headers))
    [issue] = caught.value.issues
    assert (issue.sheet, issue.row, issue.column) == where
    for word in words:
        assert word in issue.message, issue


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_picked_forms_and_unique_names_are_taken_as_ids(tmp_path, fmt):
    rows = _mutate(lambda r: (r["members"][1].__setitem__(1, "E2｜申石英砂厂"),
                              r["supplies"][0].__setitem__(2, "浦江镀膜科技"),  # a unique name
                              r["support_links"][1].__setitem__(1, "E3|浦江镀膜科技（旧名）"),
                              r["projects"][0].__setitem__(4, "P1｜镀膜均匀性波动")))
    path = write_xlsx(tmp_path / "x.xlsx", rows) if fmt == "xlsx" else write_csv_folder(tmp_path / "c", rows)
    ds = read_dataset(path)
    plain = read_dataset(write_xlsx(tmp_path / "plain.xlsx", handmade_rows()))
    assert_same_graph(build_graph(plain), build_graph(ds), ignore=("sources",))  # other file names, the same content
    [note] = [n for n in ds.notes if "按名称" in n]
    assert "浦江镀膜科技" in note and "E3" in note and "supplies" in note and "第 2 行" in note
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0 and "按名称识别" in result.stdout


# ============================================================================= registers

def test_uscc_check_character():
    from graphmodel.registers import uscc_check_char, uscc_problem

    assert uscc_problem("91350100M000100Y43") is None  # domain.md's worked example
    assert uscc_check_char("91350100M000100Y4") == "3"
    assert "应为“3”" in uscc_problem("91350100M000100Y4Z") and "实为“Z”" in uscc_problem("91350100M000100Y4Z")
    assert "应为“3”" in uscc_problem("91350100M000100Y44")
    assert "18 位" in uscc_problem("91350100M000100Y4")
    assert "“O”" in uscc_problem("91350100MO00100Y43")  # O never occurs


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_wrong_uscc_is_an_error_saying_the_expected_character(tmp_path, fmt):
    rows = _mutate(lambda r: (_set("enterprises", 0, "uscc", "91350100M000100Y4Z")(r),
                              _set("enterprises", 1, "uscc", " 91350100m000100y43 ")(r)))  # fine: case, spaces
    path = write_xlsx(tmp_path / "x.xlsx", rows) if fmt == "xlsx" else write_csv_folder(tmp_path / "c", rows)
    with pytest.raises(IntakeError) as caught:
        read_dataset(path)
    [issue] = caught.value.issues
    assert (issue.sheet, issue.row, issue.column) == ("enterprises", 2, "uscc") and "应为“3”" in issue.message
    rows["enterprises"][0][4] = "91350100M000100Y43"
    ds = read_dataset(write_xlsx(tmp_path / "ok.xlsx", rows))
    assert ds["enterprises"]["uscc"].tolist()[:2] == ["91350100M000100Y43", "91350100M000100Y43"]


def test_districts_are_normalised_both_ways():
    from graphmodel.registers import DISTRICT_CODES, normalise_district
    from graphmodel.registry import SHANGHAI_DISTRICTS

    assert set(DISTRICT_CODES.values()) == set(SHANGHAI_DISTRICTS)
    for code, full in DISTRICT_CODES.items():
        assert normalise_district(code) == normalise_district(full) == normalise_district(full[:-1]) == full
    assert normalise_district("浦东") == normalise_district("浦东新") == "浦东新区"
    assert normalise_district("上海市普陀区") == normalise_district(" 普陀 ") == "普陀区"
    for elsewhere in ("苏州市", "昆山市花桥镇", "—", "North District", "310199"):
        assert normalise_district(elsewhere) == elsewhere


def test_intake_stores_districts_by_full_name(tmp_path):
    rows = _mutate(lambda r: (_set("chains", 0, "district", "普陀")(r), _set("enterprises", 1, "district", 310116)(r),
                              _set("enterprises", 3, "district", "苏州市")(r)))
    ds = read_dataset(write_xlsx(tmp_path / "x.xlsx", rows))
    assert ds["chains"]["district"].tolist() == ["普陀区", "奉贤区"]
    assert ds["enterprises"]["district"].tolist()[:4] == ["普陀区", "金山区", "普陀区", "苏州市"]
    assert "district:普陀区" in build_graph(ds)


# ============================================================================= validation rules out later crashes

from click.testing import CliRunner  # noqa: E402


def assert_one_clear_error(path, where, words, *options):
    """`qmap validate` exits 2 with exactly one error at ``where``, and never a traceback."""
    import json

    runner = CliRunner()
    result = runner.invoke(main, ["validate", str(path), "--format", "json", *options])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), (result.output, result.exception)
    errors = json.loads(result.stdout)
    assert len(errors) == 1, errors
    assert (errors[0]["sheet"], errors[0]["row"], errors[0]["column"]) == where, errors
    for word in ([words] if isinstance(words, str) else words):
        assert word in errors[0]["message"], errors
    text = runner.invoke(main, ["validate", str(path), *options])
    assert text.exit_code == 2 and isinstance(text.exception, SystemExit)
    assert "Traceback" not in text.stderr and text.stdout == ""
    assert len(text.stderr.strip().splitlines()) == 2  # the summary line and the one error


def _renamed(old: str, new: str):
    """``old`` renamed to ``new`` everywhere (its definition and every reference, lists too)."""
    def change(rows):
        for data in rows.values():
            for row in data:
                for i, v in enumerate(row):
                    if isinstance(v, str) and old in re.split("[;；]", v):
                        row[i] = ";".join(new if x == old else x for x in re.split("[;；]", v))
    return change


BOUNDS = [
    ("NUL in a name", _set("enterprises", 1, "name", "申石\x00英砂厂"), ("enterprises", 3, "name"), ["\\x00", "控制字符"]),
    ("bell in a title", _set("problems", 0, "title", "镀膜\x07波动"), ("problems", 2, "title"), ["\\x07"]),
    ("escape in an id", _renamed("B2", "B\x1b2"), ("support_bodies", 3, "body_id"), ["\\x1b"]),
    ("year 10^20", _set("readings", 0, "year", 10 ** 20), ("readings", 2, "year"), ["2100"]),
    ("year 1899", _set("targets", 0, "year", 1899), ("targets", 2, "year"), ["1900"]),
    ("seq 0", _set("chains", 1, "seq", 0), ("chains", 3, "seq"), ["不小于 1"]),
    ("seq 10000", _set("chains", 1, "seq", 10000), ("chains", 3, "seq"), ["9999"]),
    ("value beyond float", _set("readings", 1, "value", "1e400"), ("readings", 3, "value"), ["有限"]),
    ("limit beyond float", _set("indicators", 0, "national_limit", "-1e999"), ("indicators", 2, "national_limit"),
     ["有限"]),
    ("a 300-character id", _renamed("T2", "T" * 300), ("policy_tools", 3, "tool_id"),
     ["64", "300"]),
    ("a 65-character Chinese id", _renamed("I1", "指" * 65), ("indicators", 2, "indicator_id"),
     ["64"]),
    ("ids differing only by case", _append("enterprises", ["e5", "另一家电缆厂", "small", None, None]),
     ("enterprises", 8, "enterprise_id"), ["大小写", "E5"]),
    ("a zero-width id", _renamed("E4", "E\u200b4"), ("enterprises", 5, "enterprise_id"), ["\\u200b", "不可见"]),
    ("a byte-order mark in an id", _renamed("C2", "C\ufeff2"), ("chains", 3, "chain_id"), ["\\ufeff"]),
    ("a slash in an id", _renamed("K1", "../K1"), ("projects", 2, "project_id"), ["“/”"]),
    ("a colon in an id", _set("policy_tools", 0, "tool_id", "T:1"), ("policy_tools", 2, "tool_id"), ["“:”"]),
    ("text too long for a cell", _set("problems", 2, "title", "长" * 32768), ("problems", 4, "title"),
     ["32768", "32767"]),
]
@pytest.mark.parametrize("case, change, where, words", BOUNDS, ids=[c[0] for c in BOUNDS])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_validation_rules_out_every_later_crash(tmp_path, fmt, case, change, where, words):
    rows = _mutate(change)
    if fmt == "xlsx":
        # openpyxl refuses control characters in cells; Excel stores them as _xHHHH_ escapes
        escaped = copy.deepcopy(rows)
        for data in escaped.values():
            for row in data:
                for i, v in enumerate(row):
                    if isinstance(v, str) and any(ord(ch) < 32 for ch in v):
                        row[i] = "".join(f"_x{ord(ch):04x}_" if ord(ch) < 32 else ch for ch in v)
        long = {v for data in escaped.values() for row in data for v in row if isinstance(v, str) and len(v) > 32767}
        for data in escaped.values():  # openpyxl cuts long text when writing; other tools do not
            for row in data:
                row[:] = ["LONG-TEXT-HERE" if v in long else v for v in row]
        path = write_xlsx(tmp_path / "bad.xlsx", escaped)
        if long:
            [text] = long
            _patch(path, _sheet_part(path, [s for s in escaped if any("LONG-TEXT-HERE" in r for r in escaped[s])][0]),
                   lambda xml: xml.replace(b"LONG-TEXT-HERE", text.encode()))
    else:
        path = write_csv_folder(tmp_path / "bad", rows)
    assert_one_clear_error(path, where, words)


# ============================================================================= hostile .xlsx files

_MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _rewrite(path, part: str, write) -> None:
    """Replace one part of an .xlsx by what ``write(stream)`` writes (streamed, never in memory)."""
    import zipfile

    with zipfile.ZipFile(path) as zin:
        items = [(info, zin.read(info)) for info in zin.infolist() if info.filename != part]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in items:
            zout.writestr(info, data)
        info = zipfile.ZipInfo(part)
        info.compress_type = zipfile.ZIP_DEFLATED
        with zout.open(info, "w", force_zip64=True) as out:
            write(out)


def _zip_bomb(tmp_path, megabytes: int = 64):
    """A real workbook whose members sheet expands from ~100 KB to ``megabytes`` MB of rows."""
    path = write_xlsx(tmp_path / "bomb.xlsx", handmade_rows())
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    block = row * ((1 << 20) // len(row))

    def write(out):
        out.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="' + _MAIN + b'"><sheetData>')
        for _ in range(megabytes):
            out.write(block)
        out.write(b"</sheetData></worksheet>")

    part = _sheet_part(path, "members")
    assert part == "xl/worksheets/sheet3.xml"
    _rewrite(path, part, write)
    return path


def test_a_zip_bomb_is_refused_naming_the_limit_and_its_option(tmp_path):
    import zipfile

    path = _zip_bomb(tmp_path)
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet3.xml")  # members (never ask openpyxl: it parses)
    assert info.file_size > 60 * 2 ** 20 and info.file_size > 200 * info.compress_size  # it is a bomb
    assert_one_clear_error(path, ("bomb.xlsx", None, None), ["压缩炸弹", "--max-xlsx-ratio"])
    # each limit, when it is the one exceeded, names its own option
    assert_one_clear_error(path, ("bomb.xlsx", None, None), ["1 MB", "--max-xlsx-mb"], "--max-xlsx-mb", "1")
    assert_one_clear_error(path, ("members", None, None), ["1000", "--max-rows"],
                           "--max-xlsx-ratio", "100000", "--max-rows", "1000")


def test_a_zip_bomb_through_the_installed_command(tmp_path):
    """The real console script, as an analyst runs it: one line on stderr, exit 2, no traceback."""
    import subprocess
    import sys

    qmap = Path(sys.executable).with_name("qmap")
    if not qmap.exists():
        pytest.skip(f"the qmap console script is not installed beside {sys.executable}")
    path = _zip_bomb(tmp_path, megabytes=32)
    done = subprocess.run([str(qmap), "validate", str(path)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 2 and done.stdout == ""
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 2
    assert "--max-xlsx-ratio" in done.stderr


LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, b"".join(b"&lol%s;" % (b"" if i == 1 else b"%d" % (i - 1))
                                                           for _ in range(10))) for i in range(1, 10))
          + b']>\n<worksheet xmlns="' + _MAIN + b'"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
          b"&lol9;</t></is></c></row></sheetData></worksheet>")
XXE = (b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<worksheet xmlns="'
       + _MAIN + b'"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
       b"</sheetData></worksheet>")


@pytest.mark.parametrize("payload", [LAUGHS, XXE, XXE.decode().replace('encoding', 'x').encode("utf-16")],
                         ids=["billion-laughs", "external-entity", "external-entity-utf16"])
@pytest.mark.parametrize("part", ["sheet", "xl/workbook.xml"])
def test_xml_with_entities_is_refused_with_one_line(tmp_path, payload, part):
    path = write_xlsx(tmp_path / "entities.xlsx", handmade_rows())
    if part == "sheet":
        part = _sheet_part(path, "chains")
    _rewrite(path, part, lambda out: out.write(payload))
    assert_one_clear_error(path, ("entities.xlsx", None, None), ["DTD", part])


def test_openpyxl_parses_with_defusedxml():
    """The second line of defence: openpyxl uses defusedxml when it is installed (a dependency)."""
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_too_many_rows_names_the_sheet_and_the_option(tmp_path, fmt):
    rows = handmade_rows()
    path = write_xlsx(tmp_path / "x.xlsx", rows) if fmt == "xlsx" else write_csv_folder(tmp_path / "c", rows)
    # members has the most rows: its header and seven
    assert_one_clear_error(path, ("members", None, None), ["7 行", "--max-rows"], "--max-rows", "7")
    assert CliRunner().invoke(main, ["validate", str(path), "--max-rows", "8"]).exit_code == 0


def test_not_a_workbook_is_one_line(tmp_path):
    import zipfile

    truncated = write_xlsx(tmp_path / "cut.xlsx", handmade_rows())
    truncated.write_bytes(truncated.read_bytes()[:3000])
    assert_one_clear_error(truncated, ("cut.xlsx", None, None), ".xlsx")
    lying = write_xlsx(tmp_path / "lying.xlsx", handmade_rows())
    _rewrite(lying, _sheet_part(lying, "members"), lambda out: out.write(b"<worksheet><sheetData><row>"))
    assert_one_clear_error(lying, ("members", None, None), "XML")
    assert zipfile.is_zipfile(lying)


# ============================================================================= qmap validate: warnings and progress

def test_validate_warns_when_there_are_no_members(tmp_path):
    import json

    path = write_xlsx(tmp_path / "chains-only.xlsx", {"chains": handmade_rows()["chains"]})
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0 and "校验通过" in result.stdout
    assert "没有任何链上成员" in result.stderr and "警告" in result.stderr
    as_json = CliRunner().invoke(main, ["validate", str(path), "--format", "json"])
    assert as_json.exit_code == 0 and any("没有任何链上成员" in w for w in json.loads(as_json.stdout)["warnings"])
    full = CliRunner().invoke(main, ["validate", str(write_xlsx(tmp_path / "full.xlsx", handmade_rows()))])
    assert full.exit_code == 0 and "警告" not in full.stderr


def test_reading_reports_progress(tmp_path):
    for path in (willems("W20"), write_xlsx(tmp_path / "w.xlsx", handmade_rows())):
        calls = []
        read_dataset(path, progress=lambda done, total: calls.append((done, total)))
        assert calls and calls[-1][0] == calls[-1][1] > 0
        assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_validate_shows_a_progress_bar_only_to_a_person(monkeypatch):
    import graphmodel.cli.core as core

    monkeypatch.setattr(core, "show_progress", lambda quiet: not quiet)  # as if stderr were a terminal
    shown = CliRunner().invoke(main, ["validate", str(willems("W20"))])
    assert shown.exit_code == 0 and "读取 reading" in shown.stderr
    quiet = CliRunner().invoke(main, ["validate", str(willems("W20")), "-q"])
    assert quiet.exit_code == 0 and "读取" not in quiet.stderr
    monkeypatch.undo()
    piped = CliRunner().invoke(main, ["validate", str(willems("W20"))])  # CliRunner's stderr is no terminal
    assert piped.exit_code == 0 and "读取" not in piped.stderr


def test_the_demo_and_the_willems_chains_still_validate_unchanged(tmp_path):
    import json

    from graphmodel.demo import generate_demo
    from graphmodel.workbook import write_workbook

    demo = write_workbook(generate_demo(), tmp_path / "demo.xlsx")
    for path in [demo] + [willems(c) for c in ("W02", "W12", "W20", "W38")]:
        result = CliRunner().invoke(main, ["validate", str(path), "--format", "json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["valid"] is True


def test_every_command_reading_data_takes_the_read_limits(tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", handmade_rows())
    result = CliRunner().invoke(main, ["analyze", "city-overview", "--data", str(path), "--max-rows", "7"])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert "--max-rows" in result.stderr and "members" in result.stderr and "Traceback" not in result.stderr
    assert CliRunner().invoke(main, ["analyze", "city-overview", "--data", str(path)]).exit_code == 0


# ----------------------------------------------------------------------------- column-wise parsing (issue 17)

def test_repeated_bad_text_is_reported_on_every_row_in_row_order(tmp_path):
    # Each distinct text of a column is parsed once; its error must still be reported on every
    # row that holds it, and the issues come back row by row, left to right, as a reader scans.
    rows = _mutate(lambda r: (_set("members", 1, "role", "ownr")(r), _set("members", 1, "tier", "二")(r),
                              _set("members", 2, "role", "ownr")(r), _set("members", 3, "tier", "二")(r)))
    with pytest.raises(IntakeError) as caught:
        read_dataset(write_csv_folder(tmp_path / "bad", rows))
    got = [(i.row, i.column) for i in caught.value.issues if i.sheet == "members"]
    assert got == [(3, "role"), (3, "tier"), (4, "role"), (5, "tier")]


def test_equal_list_cells_do_not_share_one_list(tmp_path):
    rows = _mutate(lambda r: _set("support_bodies", 1, "services", "计量；testing")(r))
    services = read_dataset(write_csv_folder(tmp_path / "ok", rows))["support_bodies"]["services"].tolist()
    assert services[0] == services[1] == ["metrology", "testing"]
    assert services[0] is not services[1]  # one row's list edited later must not change the other's


# --------------------------------------------------------------------------- a column's texts at once

_HOSTILE_TEXTS = ["E1", "  E2 ", "", "   ", "\u3000", "企业甲", "a\tb", "a\nb", "a\rb", "a\r\nb", "a\x00b", "x\x1fy",
                  "\x1f", "#N/A", " #REF! ", "a/b", "a:b", 'a"b', "a|b", "a\u200bb", "a\ufeffb", "a\u2028b",
                  "\x85E3", "E\x85", "é", "x" * 64, "x" * 65, "y" * 32767, "y" * 32768, "#n/a", "E 4"]


def test_a_columns_texts_at_once_are_what_each_cell_gives():
    # The column-at-a-time check must give each text's value or hand the column back (None):
    # never a value the cell-by-cell path would not give.
    import itertools
    import random
    from graphmodel.intake import _TEXT_LIMITS, _id, _texts_at_once, _texts_one_by_one

    rng = random.Random(17)
    columns = [[t] for t in _HOSTILE_TEXTS] + [["E1", "E2", t] for t in _HOSTILE_TEXTS]
    columns += [rng.sample(_HOSTILE_TEXTS, 5) for _ in range(300)]
    used = 0
    for parse, required, texts in itertools.product(_TEXT_LIMITS, (True, False), columns):
        distinct = list(dict.fromkeys(texts))
        expected = _texts_one_by_one(distinct, parse, required)
        got = _texts_at_once(distinct, parse, required)
        if got is not None:
            used += 1
            assert got == expected, (parse.__name__, required, texts)
    assert used > 200   # and it is the path taken for ordinary columns
    assert _texts_at_once(["E1", " E2", "企业甲", ""], _id, False) == {
        "E1": "E1", " E2": "E2", "企业甲": "企业甲", "": None}


_CSV_PIECES = [",", ",", ",", "\n", "\n", "\r\n", "\r", '"', '""', "a", "E1", " ", "\t", "中文", "\x00", "\ufeff",
               "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "#", "'", ";", "=1+1", "  x  ", "é"]


def test_a_regular_csv_read_a_column_at_a_time_is_what_the_csv_module_reads():
    # The C parser may only take a text the csv module splits the same way (one width, the same
    # cells, the same records); anything else it hands back (None) for the csv module to read.
    import csv
    import io
    import random
    from graphmodel.intake import _csv_columns

    rng = random.Random(23)
    texts = ["", "a", "a\n", "a,b\n1,2", "a,b\n1,2\n", "a,b\n\n1,2\n", "a,b\n,\n1,2\n", "\ufeffa,b\n1,2\n",
             "a,b\n 1 , 2 \n#x,y\n", "a;b\n1;2\n", "a,b\n1,2,3\n", "a,b,c\n1,2\n", 'a,b\n"1",2\n', "a,b\r\n1,2\r\n",
             "a,b\n" + "x" * 131_073 + ",1\n", "a,b\n" + "x" * 131_072 + ",1\n"]
    texts += ["".join(rng.choices(_CSV_PIECES, k=rng.randint(1, 40))) for _ in range(3000)]
    # regular texts of every width, the cells drawn from what is not a quote, CR or NUL
    plain = [p for p in _CSV_PIECES if p not in (",", "\n", "\r\n", "\r", '"', '""', "\x00", "\ufeff")]
    for _ in range(1000):
        width, records = rng.randint(1, 6), rng.randint(1, 8)
        lines = [",".join("".join(rng.choices(plain + [""], k=rng.randint(0, 3))) for _ in range(width))
                 for _ in range(records)]
        end = rng.choice(["\n", "\r\n"])   # (Excel's CSV ends records with CR LF)
        texts.append(end.join(lines) + rng.choice(["", end]))
    taken = 0
    for text in texts:
        columns = _csv_columns(text.encode("utf-8"), 1_000_000)
        if columns is None:
            continue
        taken += 1
        # what intake reads the file's bytes as (one BOM dropped); raises if the csv module refuses it
        rows = list(csv.reader(io.StringIO(text.encode("utf-8").decode("utf-8-sig"), newline="")))
        assert [list(row) for row in zip(*columns)] == rows, repr(text)
        assert all(len(column) == len(rows) for column in columns), repr(text)
    assert taken > 900    # the usual CSV takes it
    assert _csv_columns(b"a,b\n1,2\n3,4\n", 2) is None   # over the row limit: the csv module says so
    assert _csv_columns(b"\xef\xbb\xbfa,b\n1,2\n", 2) == [["a", "1"], ["b", "2"]]   # one BOM, as utf-8-sig reads
    assert _csv_columns(b"\xef\xbb\xbf\xef\xbb\xbfa,b\n1,2\n", 2) is None


def test_a_csv_folder_reads_the_same_a_column_or_a_record_at_a_time(tmp_path, monkeypatch):
    # The whole intake, fast path and record-by-record path: the same tables, or the same errors.
    import graphmodel.intake as intake
    from handmade import sheet_title

    real = intake._csv_columns

    def variants():
        yield "handmade", write_csv_folder(tmp_path / "handmade", handmade_rows())
        yield "chinese", write_csv_folder(tmp_path / "chinese", handmade_rows(), bom=True, chinese=True)
        blank = "," * (len(HEADERS["enterprises"]) - 1)
        # (the edits the fast path takes, then those it leaves to the csv module)
        edits = {
            "blank records": lambda t: t.replace("\r\n", f"\r\n{blank}\r\n", 3) + f" {blank} \r\n",
            "blank before the header": lambda t: f"{blank}\r\n  {blank}\r\n" + t,
            "no CR": lambda t: t.replace("\r\n", "\n"),
            "spaces around cells": lambda t: t.replace(",", " , "),
            "empty records": lambda t: t.replace("\r\n", "\r\n\r\n", 3) + "   \r\n",
            "a short record": lambda t: t + "E9\n",
            "a long record": lambda t: t + "E9,x,y,z,w,v,u,t,s\n",
            "a quoted cell": lambda t: t.replace("E2,", '"E2",', 1),
            "semicolons": lambda t: t.replace(",", ";"),
            "a duplicate": lambda t: t + t.splitlines()[1] + "\r\n",
            "a bad cell": lambda t: t.replace("small", "tiny-ish"),
        }
        for name, edit in edits.items():
            folder = write_csv_folder(tmp_path / name.replace(" ", "-"), handmade_rows())
            path = folder / f"{sheet_title('enterprises', False)}.csv"
            text = edit(path.read_bytes().decode("utf-8"))
            path.write_bytes(text.encode("utf-8"))
            fast = name in ("blank records", "blank before the header", "no CR", "spaces around cells", "a bad cell",
                            "a duplicate", "semicolons")
            assert (real(text.encode("utf-8"), 1000) is not None) == fast, name
            yield name, folder

    def outcome(folder):
        try:
            ds = read_dataset(folder)
        except IntakeError as exc:
            return "error", str(exc)
        return "tables", {name: frame.to_dict("list") for name, frame in ds.tables.items()}, ds.notes

    fast_used = []
    monkeypatch.setattr(intake, "_csv_columns", lambda *a: fast_used.append(real(*a) is not None) or real(*a))
    for name, folder in variants():
        fast_used.clear()
        fast = outcome(folder)
        assert any(fast_used), name        # the fast path read some of its files
        with monkeypatch.context() as m:
            m.setattr(intake, "_csv_columns", lambda *a: None)
            assert outcome(folder) == fast, name
