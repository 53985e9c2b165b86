"""Writing intake workbooks: the empty template and filled ones (the demo).

Each contract sheet gets its English header (the contract), a Chinese caption as the
header cell's comment, a frozen header row, drop-down lists on enumerated columns,
and an instructions sheet (说明 / Instructions) in front. Files are written to a
temporary name and renamed, so a failed write leaves nothing behind.

>>> write_workbook({}, "blank.xlsx")          # doctest: +SKIP
PosixPath('blank.xlsx')
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Mapping

import pandas as pd

from .files import inert_sheet, write_file
from .schema import ENUMS, SHEET_ORDER, SHEETS

__all__ = ["write_workbook", "INSTRUCTIONS"]

INSTRUCTIONS = [
    ("产业链供应链质量图谱 · 数据填报工作簿", "Supply-chain quality map · intake workbook"),
    ("", ""),
    ("每个工作表一张表，第 1 行是表头（英文列名，请勿修改；鼠标悬停可看中文说明）。",
     "One sheet per table; row 1 is the header (English column names, keep them; hover for the Chinese caption)."),
    ("只有 chains（产业链项目）是必需的；空白或缺少的工作表表示“暂无”。",
     "Only 'chains' is required; an empty or absent sheet means 'none yet'."),
    ("枚举值可填英文代码或中文，例如 owner 或 链主、testing 或 检验检测、high 或 高。",
     "Enumerations accept the English code or the Chinese word, e.g. owner or 链主."),
    ("一个单元格内的多个值用 ; 或 ； 分隔。", "Lists inside a cell are separated by ; or ；."),
    ("编号（chain_id、enterprise_id、body_id 等）在整个工作簿中必须唯一。",
     "Ids (chain_id, enterprise_id, body_id, ...) must be unique across the whole workbook."),
    ("日期填 YYYY-MM-DD；占比、进度填 0 到 1 之间的小数（或百分数）。",
     "Dates as YYYY-MM-DD; share and progress between 0 and 1 (or a percentage)."),
    ("support_links 的 target_id 可以是产业链、企业、质量问题或攻关项目的编号。",
     "support_links.target_id may be a chain, an enterprise, a problem or a project id."),
    ("填好后运行：qmap validate 本文件.xlsx —— 所有错误会按“工作表、行、列”列出。",
     "Then run: qmap validate this-file.xlsx — every error is listed by sheet, row and column."),
]

_BOOL_CHOICES = "是,否"


def _choices(column) -> str | None:
    if column.kind == "enum":
        enum = ENUMS[column.enum]
        values = list(enum.codes) + [enum.chinese(c) for c in enum.codes]
        return ",".join(values)
    if column.kind == "bool":
        return _BOOL_CHOICES + (",★" if column.name == "key" else "")
    return None


def write_workbook(tables: Mapping[str, pd.DataFrame], path: str | os.PathLike, max_rows: int = 5000, *,
                   force: bool = True) -> Path:
    """Write an intake workbook with every contract sheet (empty where ``tables`` has none).

    ``tables`` holds raw intake values (codes or Chinese words, ``;``-joined lists); text
    that Excel would take for a formula is stored as text (the intake reads it back as
    written). ``path`` is the caller's choice: an existing file there is replaced unless
    ``force=False``.
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    path = Path(path)
    wb = Workbook()
    info = wb.active
    info.title = "说明 Instructions"
    for zh, en in INSTRUCTIONS:
        info.append([zh, en])
    info["A1"].font = info["B1"].font = Font(bold=True, size=14)
    info.column_dimensions["A"].width = 70
    info.column_dimensions["B"].width = 80
    info.append([])
    info.append(["工作表 sheet", "内容 content"])
    for name in SHEET_ORDER:
        info.append([name, SHEETS[name].zh])

    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for name in SHEET_ORDER:
        sheet = SHEETS[name]
        ws = wb.create_sheet(name)
        ws.append(list(sheet.column_names))
        frame = tables.get(name)
        rows = 0
        if frame is not None and len(frame):
            frame = frame.reindex(columns=list(sheet.column_names))
            for values in frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None):
                ws.append(list(values))
            rows = len(frame)
            inert_sheet(ws, min_row=2)
        for index, column in enumerate(sheet.columns, 1):
            cell = ws.cell(row=1, column=index)
            cell.font = Font(bold=True)
            cell.fill = header_fill
            cell.comment = Comment(f"{column.zh}{'（必填）' if column.required else ''}", "qmap")
            letter = get_column_letter(index)
            ws.column_dimensions[letter].width = max(12, min(40, len(column.zh) * 2 + 6))
            choices = _choices(column)
            if choices:
                rule = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True,
                                      showErrorMessage=True, errorTitle="取值无效",
                                      error=f"请从下拉列表中选择（{column.zh}）")
                ws.add_data_validation(rule)
                rule.add(f"{letter}2:{letter}{max(rows + 1, max_rows)}")
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
        for row in ws.iter_rows(min_row=1, max_row=1):
            for cell in row:
                cell.alignment = Alignment(vertical="center")

    buffer = io.BytesIO()
    wb.save(buffer)
    return write_file(path, buffer.getvalue(), force=force)
