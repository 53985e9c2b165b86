"""Reading ``.xlsx`` workbooks defensively: a hostile file is refused, quickly, with one line.

Before any XML is parsed the zip's own directory is checked: the uncompressed size of
all parts together (a zip member never yields more than its declared size, so this is
an upper bound), and each large part's compression ratio (a zip bomb expands hundreds
of times; real sheets about ten). Then every XML part is streamed once, in bounded
memory, to refuse DTDs and entity declarations (the billion-laughs and external-entity
payloads; ``defusedxml``, which openpyxl uses when installed, is the second line) and to
count each sheet's rows, so a sheet over the row limit is refused before it is parsed.

Sheets are then parsed row by row with openpyxl's streaming worksheet parser, ignoring
the ``<dimension>`` a sheet claims (files from other tools often carry a stale one),
keeping Excel's own row numbers, the merged ranges, and formulas that have no cached
result (a workbook written by a script and never opened in Excel).

>>> with open_workbook("chains.xlsx", Limits()) as sheets:      # doctest: +SKIP
...     [(s.title, s.state, s.rows) for s in sheets]
[('产业链项目', 'visible', 3)]
"""

from __future__ import annotations

import defusedxml  # noqa: F401 -- openpyxl parses through defusedxml when it is installed: a second guard
import re
import warnings
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

__all__ = ["Limits", "WorkbookRefused", "XlsxSheet", "open_workbook", "FORMULA_WITHOUT_VALUE"]

FORMULA_WITHOUT_VALUE = type("FormulaWithoutValue", (), {"__repr__": lambda self: "<formula without value>"})()

_MB = 1 << 20
_CHUNK = 4 * _MB
#: Parts smaller than this are never called a zip bomb, whatever their ratio.
_RATIO_FLOOR = 16 * _MB


@dataclass(frozen=True)
class Limits:
    """What a workbook may hold before it is refused (each has a command-line option)."""

    max_mb: int = 1024  # --max-xlsx-mb: all parts together, uncompressed
    max_ratio: int = 100  # --max-xlsx-ratio: uncompressed / compressed, for parts over 16 MB
    max_rows: int = 2_000_000  # --max-rows: rows per sheet (Excel itself stops at 1,048,576)


class WorkbookRefused(Exception):
    """The workbook is not read at all; ``str()`` is one line saying why and what to do."""


@dataclass
class XlsxSheet:
    title: str
    state: str  # visible, hidden, veryHidden
    rows: int  # <row> elements in the sheet's XML (counted before parsing)
    _ws: Any = field(repr=False, default=None)
    merged: list[str] = field(default_factory=list)  # filled in once rows() is exhausted

    def iter_rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(Excel row number, cell values by column from A) for every row the file has."""
        from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

        class Parser(WorkSheetParser):
            def parse_cell(self, element):
                cell = super().parse_cell(element)
                value = cell["value"]
                if value is None and element.find(FORMULA_TAG) is not None:
                    cell["value"] = FORMULA_WITHOUT_VALUE
                elif isinstance(value, str) and "_x" in value:
                    cell["value"] = _unescape(value)
                return cell

        ws, wb = self._ws, self._ws.parent
        with ws._get_source() as src, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "extension is not supported" and the like
            parser = Parser(src, ws._shared_strings, data_only=True, epoch=wb.epoch,
                            date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
            for number, cells in parser.parse():
                if not cells:
                    continue
                values: list[Any] = [None] * max(c["column"] for c in cells)
                for c in cells:
                    values[c["column"] - 1] = c["value"]
                yield number, values
            if parser.merged_cells is not None:
                self.merged = [str(m.ref) for m in parser.merged_cells.mergeCell]


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    """Excel's ``_xHHHH_`` escapes (how a cell stores a character XML cannot hold, e.g.
    ``_x000D_``) read as Excel shows them; ``_x005F_`` escapes the underscore itself."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _encoded(text: bytes, head: bytes) -> bytes:
    """``text`` in the encoding the part declares by its first bytes (UTF-8 unless UTF-16)."""
    if head.startswith((b"\xff\xfe", b"<\x00")):
        return text.decode().encode("utf-16-le")
    if head.startswith((b"\xfe\xff", b"\x00<")):
        return text.decode().encode("utf-16-be")
    return text


_PREFIXED_ROW = re.compile(rb"<[A-Za-z_][\w.\-]{0,30}:row[\s/>]")


def _scan_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, max_rows: int) -> tuple[int, bool]:
    """(rows counted, has a DTD) for one XML part, stopping early past ``max_rows``."""
    with zf.open(info) as fh:
        chunk = fh.read(_CHUNK)
        dtd = [_encoded(p, chunk) for p in (b"<!DOCTYPE", b"<!ENTITY")]
        row, breaks, colon = (_encoded(p, chunk) for p in (b"<row", b"<rowBreaks", b":row"))
        utf8 = row == b"<row"

        def count(buf: bytes) -> int:
            n = buf.count(row) - buf.count(breaks)
            if utf8 and colon in buf:
                n += len(_PREFIXED_ROW.findall(buf))
            return n

        rows, tail = 0, b""
        while chunk:
            buf = tail + chunk
            if any(p in buf for p in dtd):
                return rows, True
            rows += count(buf) - count(tail)
            if rows > max_rows:
                return rows, False
            tail = buf[-64:]
            chunk = fh.read(_CHUNK)
    return rows, False


def _size(n: int) -> str:
    return f"{n / _MB:.0f} MB" if n >= 10 * _MB else f"{n / _MB:.1f} MB"


@contextmanager
def _no_dimension_scan():
    """openpyxl reads each sheet's ``<dimension>`` when it opens a workbook, parsing the whole
    sheet when there is none (a huge sheet, or a bomb, before any limit applies). The rows
    are read here without it, so that look-up is skipped while the workbook is opened."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    original = ReadOnlyWorksheet._get_size
    ReadOnlyWorksheet._get_size = lambda self: None
    try:
        yield
    finally:
        ReadOnlyWorksheet._get_size = original


@contextmanager
def open_workbook(path: str | Path, limits: Limits = Limits()) -> Iterator[list[XlsxSheet]]:
    """The sheets of a workbook that passed the checks above; raises :class:`WorkbookRefused`."""
    import openpyxl

    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            if total > limits.max_mb * _MB:
                raise WorkbookRefused(
                    f"解压后共 {_size(total)}，超过上限 {limits.max_mb} MB；如确为正常工作簿，可用 "
                    f"--max-xlsx-mb 调高 (uncompressed size over the limit; raise it with --max-xlsx-mb)")
            for i in infos:
                if i.file_size > _RATIO_FLOOR and i.file_size > limits.max_ratio * max(i.compress_size, 1):
                    raise WorkbookRefused(
                        f"疑似压缩炸弹：{i.filename} 由 {_size(i.compress_size)} 解压为 {_size(i.file_size)}"
                        f"（压缩比 {i.file_size // max(i.compress_size, 1)}:1，上限 {limits.max_ratio}:1）；"
                        f"如确为正常工作簿，可用 --max-xlsx-ratio 调高 (zip bomb? raise with --max-xlsx-ratio)")
            rows_in: dict[str, int] = {}
            for i in infos:
                if not i.filename.lower().endswith((".xml", ".rels", ".vml")):
                    continue
                rows, dtd = _scan_part(zf, i, limits.max_rows)
                if dtd:
                    raise WorkbookRefused(
                        f"{i.filename} 含有 DTD 或实体声明（XML 实体扩展/外部实体攻击的写法），拒绝读取；"
                        "请在 Excel 中打开后另存为 .xlsx (XML with a DTD or entities is refused)")
                rows_in[i.filename.lstrip("/")] = rows
    except zipfile.BadZipFile as exc:
        raise WorkbookRefused(f"不是有效的 .xlsx 文件或文件已损坏（{exc}）") from None
    except PermissionError:
        raise  # the machine's refusal, not the workbook's content: one line and exit 1 in the CLI
    except (OSError, EOFError, RuntimeError, NotImplementedError) as exc:  # encrypted, truncated, odd compression
        raise WorkbookRefused(f"无法读取该工作簿（{type(exc).__name__}: {exc}）") from None

    try:
        with warnings.catch_warnings(), _no_dimension_scan():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 -- a file openpyxl cannot open is bad input, one line
        raise WorkbookRefused(f"无法作为 Excel 工作簿打开（{type(exc).__name__}）；请在 Excel 中另存为 .xlsx") from None
    try:
        sheets = [XlsxSheet(ws.title, getattr(ws, "sheet_state", "visible") or "visible",
                            rows_in.get(str(getattr(ws, "_worksheet_path", "")).lstrip("/"), 0), ws)
                  for ws in wb.worksheets]
        yield sheets
    finally:
        wb.close()
