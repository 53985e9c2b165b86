import copy

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


def test_empty_csv_file(tmp_path):
    folder = write_csv_folder(tmp_path / "csv", handmade_rows())
    (folder / "members.csv").write_bytes(b"")
    with pytest.raises(IntakeError) as caught:
        read_dataset(folder)
    assert caught.value.issues[0].sheet == "members.csv" and "空" in caught.value.issues[0].message


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
    headers = dict(HEADERS, chains=HEADERS["chains"] + ["备注"])
    rows = _mutate(lambda r: r.update(chains=[row + ["随便写"] for row in r["chains"]]))
    path = write_xlsx(tmp_path / "extra.xlsx", rows, headers)
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("我的笔记").append(["anything"])
    wb.save(path)
    assert len(read_dataset(path)["chains"]) == 2


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
