"""Writing intake workbooks for people: the template (``qmap template``) and filled ones (the demo).

Everything an analyst reads is Chinese: the tabs are the sheets' Chinese names
(产业链项目, 企业, 链上成员…), row 1 holds the Chinese column names with a hint in
brackets where one helps (``供货占比(0-1)``, ``服务(；分隔)``); each header cell's comment
gives the English key (``supplier_id``) and whether the column is required. The header
row is frozen and the columns are wide enough to read.

Drop-down lists:

- each enumeration offers its Chinese words only (the English codes are still accepted);
- each reference column offers what the workbook itself holds, as ``编号｜名称``
  (``E0079｜上海某某公司``; intake takes the id before ``｜``). Every sheet whose rows are
  entities (产业链项目, 企业, 机构, 问题, 项目, 政策工具, 指标, 案例) is an Excel table
  with a hidden calculated column 下拉选项; a defined name over that table column
  (``qmap_enterprises`` …) feeds the drop-down, so it grows as rows are added. Columns
  that may name several kinds (赋能关系 对象编号, 适用对象编号, 相关对象编号) draw on a
  hidden sheet ``#下拉选项`` that stacks those table columns.

Intake reads every contract sheet and leaves alone the sheets whose names start with
说明, 示例, 备注 or ``#``: the instructions (说明), a filled-in example (示例) and the
hidden ``#下拉选项``. Text that begins with ``=`` is written as text, never as a formula.
Files are written to a temporary name and renamed, so a failed write leaves nothing.

>>> write_workbook({}, "blank.xlsx")                                    # doctest: +SKIP
PosixPath('blank.xlsx')
>>> write_template("普陀区.xlsx", district="普陀")                        # doctest: +SKIP
PosixPath('普陀区.xlsx')
"""

from __future__ import annotations

import io
import os
import unicodedata
from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd

from .files import inert_cell, write_file
from .intake import ENTERPRISE_TAGS, PICK_SEPARATOR
from .registers import normalise_district
from .registry import load_registry
from .schema import ENUMS, SHEET_ORDER, SHEETS, Column, Sheet

__all__ = ["write_workbook", "write_template", "registry_chains", "INSTRUCTIONS", "EXAMPLE", "PICK_NAMES",
           "OPTIONS_SHEET", "EXAMPLE_SHEET", "INSTRUCTIONS_SHEET", "header_text"]

INSTRUCTIONS_SHEET = "说明 Instructions"
EXAMPLE_SHEET = "示例（不读取）Example"
OPTIONS_SHEET = "#下拉选项"
PICK_COLUMN = "下拉选项"
#: Rows of the hidden stacked lists (the columns that may name several kinds of entity).
UNION_ROWS = 5000

INSTRUCTIONS = [
    ("产业链供应链质量图谱 · 数据填报工作簿", "Supply-chain quality map · intake workbook"),
    ("", ""),
    ("每个工作表一张表，第 1 行是表头（中文列名；鼠标悬停可看英文键名和是否必填）。表头可写中文名或英文键名，括号里的提示可有可无。",
     "One sheet per table; row 1 is the header (Chinese names; hover for the English key). "
     "A header may be the Chinese name or the English key; a hint in brackets is ignored."),
    ("只有“产业链项目”是必需的；空白或缺少的工作表表示“暂无”。",
     "Only 产业链项目 (chains) is required; an empty or absent sheet means 'none yet'."),
    ("先填产业链项目、企业、质量赋能专业技术机构等“名录”，其他工作表的编号列就可以从下拉列表中选择（显示为 编号｜名称）。",
     "Fill in the registers first (chains, firms, bodies…): reference columns then offer them in a drop-down "
     "as id｜name; also typing the id, or a name that matches exactly one entry, is accepted."),
    ("枚举列从下拉列表选择中文（也可填英文代码，例如 链主 或 owner、检验检测 或 testing）。",
     "Enumerations: pick the Chinese word (the English code is accepted too)."),
    ("一个单元格内的多个值用 ； 或 ; 分隔（不要用逗号或顿号）。", "Lists inside a cell are separated by ； or ; (not , or 、)."),
    ("编号在整个工作簿中必须唯一（不区分大小写），最长 64 个字符，不能含 / \\ : * ? \" < > | 和不可见字符。",
     "Ids are unique across the workbook (ignoring case), at most 64 characters, without / \\ : * ? \" < > | "
     "or invisible characters."),
    ("日期填 YYYY-MM-DD；占比、进度填 0 到 1 之间的小数（或百分数）；统一社会信用代码按 GB 32100-2015 校验。",
     "Dates as YYYY-MM-DD; share and progress between 0 and 1 (or a percentage); USCCs are checked (GB 32100-2015)."),
    ("所在区可写“普陀区”“普陀”或代码 310107，均按全称“普陀区”保存。",
     "Districts may be written 普陀区, 普陀 or 310107; all are stored as 普陀区."),
    ("赋能关系的“对象编号”可以是产业链、企业、质量问题或攻关项目的编号。",
     "support_links.target_id may be a chain, an enterprise, a problem or a project."),
    ("名称以“说明”“示例”“备注”或“#”开头的工作表不读取：可以放自己的备注。其他名称的工作表必须是约定的表名。",
     "Sheets named starting with 说明, 示例, 备注 or # are not read (keep your notes there); any other sheet "
     "must be one of the contract's."),
    ("填好后运行：qmap validate 本文件.xlsx —— 所有错误会按“工作表、行、列”列出，什么也不会写入。",
     "Then run: qmap validate this-file.xlsx — every error is listed by sheet, row and column."),
]

_ENTITY_SHEETS = [s for s in SHEETS.values() if s.label]
#: Defined name of each entity sheet's pick-list column (and of the stacked lists).
PICK_NAMES = {s.label: f"qmap_{s.name}" for s in _ENTITY_SHEETS}
_TABLE = {s.name: f"T_{s.name}" for s in _ENTITY_SHEETS}

#: A small filled-in example, one list of rows per sheet in the contract's column order.
EXAMPLE: dict[str, list[list]] = {
    "chains": [["SH02", 2, "光伏玻璃产业链质量提升", "普陀区", "普陀区质量工作领导小组（普陀区市场监管局）", "★", "光伏玻璃"]],
    "enterprises": [
        ["E001", "示例玻璃集团（示例）", "大型", "普陀区", "91350100M000100Y43", "专精特新；规上"],
        ["E002", "示例石英砂厂（示例）", "小型", "金山", None, None],
        ["E003", "示例镀膜科技（示例）", "中型", "310107", None, "高新技术企业"],
    ],
    "members": [["SH02", "E001", "链主", 0], ["SH02", "E002", "上游", 2], ["SH02", "E003｜示例镀膜科技（示例）", "上游", 1]],
    "supplies": [["SH02", "E002", "E003", "石英砂", 0.6, "是"], ["SH02", "E003", "E001", "镀膜液", "100%", "否"]],
    "support_bodies": [["B001", "示例计量检测中心（示例）", "计量；检验检测", "CMA；CNAS"],
                       ["B002", "示例质量培训基地（示例）", "培训；质量管理", None]],
    "support_links": [["B001", "SH02", None, "2024-05-01", "有效"], ["B001", "E003", "检验检测", "2024-06-01", "有效"],
                      ["B001", "P001", "计量", None, None], ["B002", "K001", "培训", None, None]],
    "problems": [["P001", "SH02", "E003", "镀膜均匀性波动", "工艺", "高", "待处理", "标准；计量", "2024-06-10", None,
                  "引入在线膜厚检测", "示例镀膜科技（示例）", "2025-06-30"]],
    "projects": [["K001", "SH02", "镀膜工艺攻关", "E001", "P001", "实施中", "2025-12-31", 0.4]],
    "policy_tools": [["T001", "质量标杆示范", "示范引领", "普陀区市场监管局", "SH02；K001"]],
    "indicators": [["I001", "透光率", "%", "越高越好", "GB/T 30984.1-2015", 91.5, 93.0]],
    "readings": [["E001", "I001", 2024, 92.0]],
    "targets": [["SH02", "I001", 2025, 93.0]],
    "cases": [["C001", "SH02", 2024, "计量赋能镀膜均匀性提升", "示例计量检测中心驻厂服务，镀膜均匀性明显改善（示例）",
               "E003；B001；P001"]],
}


def header_text(column: Column) -> str:
    """What the template writes in a column's header cell, e.g. ``供货占比(0-1)``."""
    return f"{column.zh}({column.hint})" if column.hint else column.zh


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


_KIND_WIDTH = {"id": 14, "ref": 30, "refs": 30, "int": 9, "number": 13, "share": 12, "bool": 10, "date": 13,
               "enum": 12, "enums": 24, "texts": 24, "uscc": 22, "district": 12}
_TEXT_WIDTH = {"name": 36, "title": 40, "summary": 60, "measures": 40, "leader": 36, "owner_unit": 24,
               "issuer": 24, "industry": 18, "product": 18, "standard": 22, "unit": 8}


def _column_width(column: Column) -> int:
    base = _KIND_WIDTH.get(column.kind) or _TEXT_WIDTH.get(column.name, 20)
    return max(base, _width(header_text(column)) + 4)


def _choices(column: Column) -> list[str] | None:
    if column.kind in ("enum", "enums"):
        enum = ENUMS[column.enum]
        return [enum.chinese(c) for c in enum.codes]
    if column.kind == "bool":
        return ["是", "否", "★"] if column.name == "key" else ["是", "否"]
    if column.name == "tags":
        return list(ENTERPRISE_TAGS)
    return None


def _comment(sheet: Sheet, column: Column) -> str:
    lines = [f"{column.name}（英文键 key）", "必填 required" if column.required else "选填 optional"]
    if column.kind in ("ref", "refs"):
        kinds = "、".join(SHEETS[_label_sheet(t)].zh for t in column.targets)
        lines.append(f"从下拉列表选择（{kinds}），或填写编号")
    if column.is_list:
        lines.append("多个值用 ； 分隔")
    if column.kind == "date":
        lines.append("日期 YYYY-MM-DD")
    if column.kind == "id":
        lines.append("编号在整个工作簿中唯一")
    return "\n".join(lines)


def _label_sheet(label: str) -> str:
    return next(s.name for s in _ENTITY_SHEETS if s.label == label)


def _cell_value(value):
    """A value as a cell holds it: blanks empty, numpy scalars plain."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    if isinstance(value, (list, tuple)):
        return "；".join(str(v) for v in value)
    return value


def _append(ws, values: Iterable) -> None:
    """One row of data; text Excel would take for a formula (``=``, ``+``, ``-``, ``@``…) stays text."""
    ws.append([_cell_value(v) for v in values])
    for cell in ws[ws.max_row]:
        inert_cell(cell)


def _pick_formula(sheet: Sheet) -> str:
    table = _TABLE[sheet.name]
    id_header = header_text(sheet.column(sheet.id_column))
    name_header = header_text(sheet.column(sheet.name_column))
    this = f"{table}[[#This Row],[{id_header}]]"
    return f'=IF({this}="","",{this}&"{PICK_SEPARATOR}"&{table}[[#This Row],[{name_header}]])'


def _unions() -> list[tuple[str, tuple[str, ...]]]:
    """The stacked lists: (defined name, labels) for every multi-kind reference column."""
    seen: dict[tuple[str, ...], str] = {}
    for sheet in SHEETS.values():
        for column in sheet.columns:
            if column.kind in ("ref", "refs") and len(column.targets) > 1 and column.targets not in seen:
                seen[column.targets] = f"qmap_{sheet.name}_{column.name}"
    return [(name, targets) for targets, name in seen.items()]


def _pick_name(column: Column) -> str:
    if len(column.targets) == 1:
        return PICK_NAMES[column.targets[0]]
    return dict((t, n) for n, t in _unions())[column.targets]


def write_workbook(tables: Mapping[str, pd.DataFrame], path: str | os.PathLike, max_rows: int = UNION_ROWS, *,
                   example: bool = True, force: bool = True, notes: tuple[str, list[list]] | None = None) -> Path:
    """Write an intake workbook with every contract sheet (empty where ``tables`` has none).

    ``tables`` holds raw intake values (codes or Chinese words, ``;``-joined lists),
    keyed by sheet key, in the contract's column names. ``max_rows`` is how many
    entries the stacked drop-downs (target, applies-to, related) can offer. ``notes``
    (sheet name, rows) adds a sheet for people; its name must start with 说明 so intake
    leaves it alone (``qmap merge`` lists the merged sources there).
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.table import Table, TableColumn, TableFormula, TableStyleInfo

    path = Path(path)
    wb = Workbook()
    _instructions(wb.active)

    header_fill = PatternFill("solid", fgColor="DDEBF7")
    required_fill = PatternFill("solid", fgColor="FCE4D6")
    bold = Font(bold=True)
    for name in SHEET_ORDER:
        sheet = SHEETS[name]
        ws = wb.create_sheet(sheet.zh)
        headers = [header_text(c) for c in sheet.columns]
        is_entity = sheet.label is not None
        ws.append(headers + ([PICK_COLUMN] if is_entity else []))
        frame = tables.get(name)
        rows = 0
        if frame is not None and len(frame):
            frame = frame.reindex(columns=list(sheet.column_names))
            for values in frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None):
                _append(ws, values)
            rows = len(frame)
        for index, column in enumerate(sheet.columns, 1):
            cell = ws.cell(row=1, column=index)
            cell.font = bold
            cell.fill = required_fill if column.required else header_fill
            cell.alignment = Alignment(vertical="center")
            cell.comment = Comment(_comment(sheet, column), "qmap", width=260, height=110)
            letter = get_column_letter(index)
            ws.column_dimensions[letter].width = _column_width(column)
            if column.kind in ("id", "ref", "refs", "uscc"):
                ws.column_dimensions[letter].number_format = "@"
            elif column.kind == "date":
                ws.column_dimensions[letter].number_format = "yyyy-mm-dd"
            rule = _validation(DataValidation, column)
            if rule is not None:
                ws.add_data_validation(rule)
                rule.add(f"{letter}2:{letter}1048576")
        ws.freeze_panes = "A2"
        if is_entity:
            pick = len(headers) + 1
            letter = get_column_letter(pick)
            formula = _pick_formula(sheet)
            last = max(rows, 1) + 1
            for r in range(2, last + 1):
                ws.cell(row=r, column=pick, value=formula)
            ws.cell(row=1, column=pick).comment = Comment("自动生成，供其他工作表的下拉列表使用，请勿填写", "qmap")
            ws.column_dimensions[letter].hidden = True
            table = Table(displayName=_TABLE[name], ref=f"A1:{letter}{last}")
            table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
            table.tableColumns = [TableColumn(id=i, name=h) for i, h in enumerate(headers, 1)]
            table.tableColumns.append(TableColumn(id=pick, name=PICK_COLUMN,
                                                  calculatedColumnFormula=TableFormula(attr_text=formula[1:])))
            ws.add_table(table)
            wb.defined_names[PICK_NAMES[sheet.label]] = DefinedName(
                PICK_NAMES[sheet.label], attr_text=f"{_TABLE[name]}[{PICK_COLUMN}]")
        else:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(rows, 1) + 1}"

    if example:
        _example_sheet(wb.create_sheet(EXAMPLE_SHEET), bold, header_fill)
    if notes is not None:
        title, rows = notes
        assert title.startswith("说明"), title  # intake must not read it
        ws = wb.create_sheet(title, 1)
        for values in rows:
            _append(ws, values)
        for cell in ws[1]:
            cell.font = bold
        for letter, width in zip("ABCDEFGHIJKLMNOPQ", (28, 60) + (10,) * 15):
            ws.column_dimensions[letter].width = width
    _options_sheet(wb, max_rows, quote_sheetname, DefinedName)
    wb.active = 0

    buffer = io.BytesIO()
    wb.save(buffer)
    return write_file(path, buffer.getvalue(), force=force)


def _validation(DataValidation, column: Column):
    choices = _choices(column)
    if choices:
        single = column.kind in ("enum", "bool")
        return DataValidation(
            type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
            showErrorMessage=single, errorStyle="warning", errorTitle="不在下拉列表中",
            error=f"请从下拉列表中选择（{column.zh}）；也可填写英文代码", promptTitle=column.zh,
            prompt="多个值用 ； 分隔" if not single else None, showInputMessage=not single)
    if column.kind in ("ref", "refs"):
        return DataValidation(type="list", formula1=_pick_name(column), allow_blank=True, showErrorMessage=False)
    return None


def _options_sheet(wb, max_rows: int, quote_sheetname, DefinedName) -> None:
    """The hidden sheet stacking several tables' pick-list columns into one list."""
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(OPTIONS_SHEET)
    ws.sheet_state = "hidden"
    quoted = quote_sheetname(OPTIONS_SHEET)
    col = 1
    for name, targets in _unions():
        letter, count_letter = get_column_letter(col), get_column_letter(col + 1)
        ws.cell(row=1, column=col, value=name)
        ws.cell(row=1, column=col + 1, value="累计条数")
        sources = [f"{_TABLE[_label_sheet(t)]}[{PICK_COLUMN}]" for t in targets]
        # cumulative counts of the non-empty entries of each source table, in rows 2…
        for k, source in enumerate(sources):
            before = f"+{count_letter}{k + 1}" if k else ""
            ws.cell(row=k + 2, column=col + 1, value=f'=COUNTIF({source},"?*"){before}')
        for r in range(2, max_rows + 2):
            i = "(ROW()-1)"
            expr = '""'
            for k in reversed(range(len(sources))):
                prev = f"${count_letter}${k + 1}" if k else "0"
                expr = (f"IF({i}<=${count_letter}${k + 2},INDEX({sources[k]},{i}-{prev}),{expr})"
                        if k else f"IF({i}<=${count_letter}$2,INDEX({sources[0]},{i}),{expr})")
            ws.cell(row=r, column=col, value=f"=IFERROR({expr},\"\")")
        total = f"${count_letter}${len(sources) + 1}"
        wb.defined_names[name] = DefinedName(
            name, attr_text=f"OFFSET({quoted}!${letter}$2,0,0,MAX(1,{quoted}!{total}),1)")
        col += 3


def _instructions(ws) -> None:
    from openpyxl.styles import Font

    ws.title = INSTRUCTIONS_SHEET
    for zh, en in INSTRUCTIONS:
        ws.append([zh, en])
    ws["A1"].font = ws["B1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 90
    ws.column_dimensions["B"].width = 90
    ws.append([])
    ws.append(["工作表 sheet", "英文名 key", "列（中文名 = 英文键；* 为必填）columns"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for name in SHEET_ORDER:
        sheet = SHEETS[name]
        columns = "，".join(f"{c.zh}={c.name}{'*' if c.required else ''}" for c in sheet.columns)
        ws.append([sheet.zh, name, columns])
    ws.column_dimensions["C"].width = 120


def _example_sheet(ws, bold, fill) -> None:
    ws.append(["以下是一个填好的示例（不会被读取）。复制到对应工作表即可试用 qmap validate。",
               "A filled-in example (not read by qmap)."])
    ws["A1"].font = bold
    for name in SHEET_ORDER:
        rows = EXAMPLE.get(name)
        if not rows:
            continue
        sheet = SHEETS[name]
        ws.append([])
        ws.append([f"{sheet.zh}（{name}）"])
        ws.cell(row=ws.max_row, column=1).font = bold
        ws.append([header_text(c) for c in sheet.columns])
        for cell in ws[ws.max_row]:
            cell.font, cell.fill = bold, fill
        for row in rows:
            _append(ws, row)
    for index in range(1, 14):
        ws.column_dimensions[chr(64 + index)].width = 22


def registry_chains(chains: Iterable[str] = (), district: str | None = None) -> pd.DataFrame:
    """The chains rows of the notice's annex for ``chains`` (ids such as SH02) and every
    project of ``district`` (普陀区, 普陀 or 310107), verbatim: id, seq, name, district,
    leader, ★. Raises ValueError naming what is unknown."""
    registry = {entry.chain_id: entry for entry in load_registry()}
    wanted: list[str] = []
    for chain in chains:
        key = chain.strip().upper()
        if key not in registry:
            raise ValueError(f"选项 --chain：通知附件中没有项目“{chain}”（可选 SH01–SH{len(registry):02d}）")
        wanted.append(key)
    if district:
        full = normalise_district(district)
        found = [cid for cid, e in registry.items() if e.district == full]
        if not found:
            import difflib

            from .registry import SHANGHAI_DISTRICTS

            districts = [d for d in SHANGHAI_DISTRICTS if any(e.district == d for e in registry.values())]
            short = {d.rstrip("区"): d for d in districts}
            near = difflib.get_close_matches(full.rstrip("区"), list(short), n=1, cutoff=0.5)
            guess = f"是否为“{short[near[0]]}”？" if near else ""
            raise ValueError(f"选项 --district：通知附件中没有“{district}”的项目；{guess}"
                             f"（有项目的区：{'、'.join(districts)}）")
        wanted.extend(found)
    rows = [registry[cid] for cid in dict.fromkeys(wanted)]
    rows.sort(key=lambda e: e.seq)
    return pd.DataFrame([{"chain_id": e.chain_id, "seq": e.seq, "name": e.name, "district": e.district,
                          "leader": e.leader, "key": "★" if e.key else None, "industry": None} for e in rows],
                        columns=list(SHEETS["chains"].column_names), dtype=object)


def write_template(path: str | os.PathLike, chains: Iterable[str] = (), district: str | None = None, *,
                   force: bool = False) -> Path:
    """The empty intake workbook, its 产业链项目 sheet pre-filled from the notice's annex."""
    tables = {}
    prefilled = registry_chains(chains, district)
    if len(prefilled):
        tables["chains"] = prefilled
    return write_workbook(tables, path, force=force)
