"""graphmodel.workbook: the Chinese template, its drop-downs, the pre-fill from the notice, the example.

Workbooks are read back by an independent reader (openpyxl, not qmap's intake) and, where
LibreOffice is installed, recalculated by it so the formulas behind the pick-lists are
proven to compute.
"""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils import get_column_letter, range_boundaries

from conftest import assert_same_graph, required_missing
from graphmodel.cli import main
from graphmodel.intake import PICK_SEPARATOR, read_dataset, read_tables
from graphmodel.model import build_graph
from graphmodel.registry import load_registry
from graphmodel.schema import ENUMS, SHEET_ORDER, SHEETS
from graphmodel.workbook import (EXAMPLE, EXAMPLE_SHEET, INSTRUCTIONS_SHEET, OPTIONS_SHEET, PICK_NAMES, header_text,
                                 write_template)
from handmade import handmade_rows, write_xlsx
from test_registry import NOTICE, annex_rows


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("tpl") / "blank.xlsx"
    write_template(path)
    return path


def _validations(ws) -> dict[str, object]:
    """Column header → its data validation (one per column)."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for cells in str(dv.sqref).split():
            min_col, min_row, max_col, max_row = range_boundaries(cells)
            assert min_col == max_col and min_row == 2 and max_row == 1048576, cells  # the whole column
            header = ws.cell(row=1, column=min_col).value
            assert header not in out
            out[header] = dv
    return out


def test_tabs_headers_and_keys_are_chinese_first(template):
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == [INSTRUCTIONS_SHEET] + [SHEETS[s].zh for s in SHEET_ORDER] + [EXAMPLE_SHEET, OPTIONS_SHEET]
    assert wb[OPTIONS_SHEET].sheet_state == "hidden"
    for name in SHEET_ORDER:
        sheet, ws = SHEETS[name], wb[SHEETS[name].zh]
        headers = [c.value for c in ws[1]][:len(sheet.columns)]
        assert headers == [header_text(c) for c in sheet.columns]
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in headers)
        for index, column in enumerate(sheet.columns, 1):
            comment = ws.cell(row=1, column=index).comment.text
            assert comment.startswith(f"{column.name}（英文键 key）")  # the English key is findable
            assert ("必填" in comment) == column.required
            width = ws.column_dimensions[get_column_letter(index)].width
            assert width >= (30 if column.name in ("name", "title", "summary") or column.kind == "ref" else 8), \
                (name, column.name, width)
        assert ws.freeze_panes == "A2"
    assert header_text(SHEETS["supplies"].column("share")) == "供货占比(0-1)"
    assert header_text(SHEETS["support_bodies"].column("services")) == "服务(；分隔)"


def test_one_dropdown_per_enumeration_with_chinese_words_only(template):
    wb = openpyxl.load_workbook(template)
    for name in SHEET_ORDER:
        sheet, ws = SHEETS[name], wb[SHEETS[name].zh]
        rules = _validations(ws)
        for column in sheet.columns:
            header = header_text(column)
            if column.kind in ("enum", "enums"):
                enum = ENUMS[column.enum]
                assert rules[header].formula1 == '"' + ",".join(enum.chinese(c) for c in enum.codes) + '"'
                assert not set(enum.codes) & set(rules[header].formula1.strip('"').split(","))
            elif column.kind == "bool":
                assert rules[header].formula1 in ('"是,否"', '"是,否,★"')
    assert _validations(wb["质量问题清单"])["状态"].formula1 == '"待处理,推进中,已解决"'


def test_reference_dropdowns_offer_what_the_workbook_holds(template):
    wb = openpyxl.load_workbook(template)
    names = {n: d.attr_text for n, d in wb.defined_names.items()}
    for name in SHEET_ORDER:
        sheet, ws = SHEETS[name], wb[SHEETS[name].zh]
        rules = _validations(ws)
        for column in sheet.columns:
            if column.kind not in ("ref", "refs"):
                continue
            rule = rules[header_text(column)]
            assert rule.formula1 in names and not rule.showErrorMessage  # typing an id stays allowed
            if len(column.targets) == 1:
                target = next(s for s in SHEETS.values() if s.label == column.targets[0])
                assert rule.formula1 == PICK_NAMES[column.targets[0]]
                assert names[rule.formula1] == f"T_{target.name}[下拉选项]"  # a table column: grows with rows
            else:
                assert names[rule.formula1].startswith(f"OFFSET('{OPTIONS_SHEET}'!")
    for sheet in SHEETS.values():
        if not sheet.label:
            continue
        ws = wb[sheet.zh]
        table = ws.tables[f"T_{sheet.name}"]
        pick = table.tableColumns[-1]
        assert pick.name == "下拉选项" and "[#This Row]" in pick.calculatedColumnFormula.attr_text
        assert ws.column_dimensions[get_column_letter(len(sheet.columns) + 1)].hidden
        assert ws.cell(row=2, column=len(sheet.columns) + 1).value.startswith("=IF(")


def _fill_like_excel(path, rows: dict[str, list[list]]):
    """Type rows into the template as Excel would keep them: inside each table, whose
    calculated 下拉选项 column fills in for every new row."""
    wb = openpyxl.load_workbook(path)
    for name, data in rows.items():
        sheet = SHEETS[name]
        ws = wb[sheet.zh]
        start = next(r for r in range(2, ws.max_row + 2)
                     if all(ws.cell(row=r, column=c).value is None for c in range(1, len(sheet.columns) + 1)))
        for i, row in enumerate(data):
            for j, value in enumerate(row):
                ws.cell(row=start + i, column=j + 1, value=value)
        if sheet.label:
            table = ws.tables[f"T_{sheet.name}"]
            pick = len(sheet.columns) + 1
            last = max(start + len(data) - 1, 2)
            formula = ws.cell(row=2, column=pick).value
            for r in range(2, last + 1):
                ws.cell(row=r, column=pick, value=formula)
            table.ref = f"A1:{get_column_letter(pick)}{last}"
    wb.save(path)


def _picked(rows):
    """The handmade rows with references given as the drop-down shows them: 编号｜名称."""
    names = {r[0]: r[1] for s in ("enterprises", "support_bodies", "policy_tools", "indicators") for r in rows[s]}
    names |= {r[0]: r[2] for s in ("chains", "projects") for r in rows[s]} | {r[0]: r[3] for r in rows["problems"]}
    picked = {name: [list(r) for r in data] for name, data in rows.items()}
    for name, data in picked.items():
        sheet = SHEETS[name]
        for row in data:
            for j, column in enumerate(sheet.columns[:len(row)]):
                if column.kind == "ref" and row[j] in names:
                    row[j] = f"{row[j]}{PICK_SEPARATOR}{names[row[j]]}"
    return picked


def test_the_template_round_trips_with_pick_list_values(tmp_path):
    path = tmp_path / "filled.xlsx"
    write_template(path, ["SH28"])
    rows = _picked(handmade_rows())
    assert rows["members"][0][:2] == ["C1｜光伏玻璃产业链质量提升", "E1｜沪光玻璃集团"]
    _fill_like_excel(path, rows)
    filled = read_dataset(path)
    plain = read_dataset(write_xlsx(tmp_path / "plain.xlsx", handmade_rows()))
    assert filled.counts() == {**plain.counts(), "chains": 3}  # SH28 was pre-filled
    H = build_graph(filled)
    H.remove_nodes_from(["SH28", "district:崇明区"])
    assert_same_graph(build_graph(plain), H, ignore=("sources",))  # other file names, the same content
    assert not [n for n in filled.notes if "按名称" in n]  # picked values are ids, not guesses


def test_prefill_is_verbatim_from_the_notice(tmp_path):
    if not NOTICE.exists():
        required_missing(f"the notice is not beside the repo ({NOTICE})", "the notice check")
    annex = {seq: (key, leader, name) for seq, key, leader, name in annex_rows(NOTICE.read_text("utf-8"))}
    runner = CliRunner()
    path = tmp_path / "普陀区.xlsx"
    result = runner.invoke(main, ["template", str(path), "--district", "普陀", "--chain", "SH01", "--chain", "sh02"])
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(path)["产业链项目"]
    rows = [r[:6] for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]
    puto = [e for e in load_registry() if e.district == "普陀区"]
    assert [r[0] for r in rows] == ["SH01", "SH02", "SH11"] and {e.seq for e in puto} == {2, 11}
    for chain_id, seq, name, district, leader, key in rows:
        assert chain_id == f"SH{seq:02d}"
        assert (key == "★", leader, name) == annex[seq]
        assert district in leader
    ds = read_dataset(path)
    assert ds["chains"]["chain_id"].tolist() == ["SH01", "SH02", "SH11"]
    assert ds["chains"]["key"].tolist() == [True, True, None]


@pytest.mark.parametrize("args, words", [
    (["--chain", "SH29"], ["SH29", "SH01–SH28"]),
    (["--district", "黄埔"], ["黄埔", "黄浦区"]),
    (["--district", "苏州"], ["苏州"]),
])
def test_prefill_options_refuse_what_the_notice_lacks(tmp_path, args, words):
    path = tmp_path / "x.xlsx"
    result = CliRunner().invoke(main, ["template", str(path), *args])
    assert result.exit_code == 2 and not path.exists()
    assert len(result.stderr.strip().splitlines()) == 1
    for word in words:
        assert word in result.stderr


def test_the_example_is_valid_data_and_intake_skips_its_sheet(template):
    ds = read_tables({name: [dict(zip(SHEETS[name].column_names, r)) for r in rows] for name, rows in EXAMPLE.items()})
    assert all(len(ds[name]) for name in SHEET_ORDER)  # every sheet has an example
    assert ds["members"]["enterprise_id"].tolist() == ["E001", "E002", "E003"]  # the picked form taken as the id
    assert ds["enterprises"]["district"].tolist() == ["普陀区", "金山区", "普陀区"]
    ws = openpyxl.load_workbook(template)[EXAMPLE_SHEET]
    written = [list(r) for r in ws.iter_rows(values_only=True)]
    for name, rows in EXAMPLE.items():
        header = [header_text(c) for c in SHEETS[name].columns]
        at = next(i for i, r in enumerate(written) if r[:len(header)] == header)
        for k, row in enumerate(rows):
            assert written[at + 1 + k][:len(row)] == row
    notes = read_dataset(template).notes
    assert any(EXAMPLE_SHEET in n and INSTRUCTIONS_SHEET in n and OPTIONS_SHEET in n for n in notes)


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    from graphmodel.workbook import write_workbook

    rows = handmade_rows()
    rows["problems"][0][3] = '=HYPERLINK("http://x","click")'
    tables = {name: __import__("pandas").DataFrame(data, columns=SHEETS[name].column_names[:len(data[0])])
              for name, data in rows.items()}
    path = write_workbook(tables, tmp_path / "x.xlsx")
    cell = openpyxl.load_workbook(path)["质量问题清单"]["D2"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x","click")'
    assert read_dataset(path)["problems"]["title"].tolist()[0] == '=HYPERLINK("http://x","click")'


def test_libreoffice_computes_the_pick_lists(tmp_path):
    """Optional: LibreOffice recalculates the workbook; the drop-downs' sources hold 编号｜名称."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice is not installed (optional: apt-get install libreoffice-calc-nogui)")
    path = tmp_path / "filled.xlsx"
    write_template(path)
    _fill_like_excel(path, handmade_rows())
    out = tmp_path / "out"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--calc",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=300)
    converted = out / "filled.xlsx"
    # LibreOffice exits 0 having written nothing when it has no spreadsheet filter (Writer alone)
    assert converted.is_file(), "LibreOffice wrote no .xlsx: is libreoffice-calc installed? (.ci/run installs it)"
    wb = openpyxl.load_workbook(converted, data_only=True)
    ws = wb["企业"]
    assert [r[6] for r in ws.iter_rows(min_row=2, max_row=7, values_only=True)] == [
        f"{r[0]}{PICK_SEPARATOR}{r[1]}" for r in handmade_rows()["enterprises"]]
    targets = [r[0] for r in wb[OPTIONS_SHEET].iter_rows(min_row=2, max_row=20, values_only=True) if r[0]]
    assert targets == ["C1｜光伏玻璃产业链质量提升", "C2｜电线电缆行业质量提升"] + [
        f"{r[0]}｜{r[1]}" for r in handmade_rows()["enterprises"]] + ["P1｜镀膜均匀性波动", "P2｜石英砂含铁量超标",
                                                                   "P3｜铜杆电阻率检测能力不足", "K1｜镀膜工艺攻关"]
    assert read_dataset(converted).counts() == read_dataset(path).counts()
