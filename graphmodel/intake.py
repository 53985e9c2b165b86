"""Intake: an Excel workbook or a folder of CSV files → validated tables.

The sheets and columns are the contract of ``domain.md`` (see :mod:`graphmodel.schema`).
A sheet tab, CSV file name or column header may be the English key or the Chinese name
(``链上成员``, ``企业编号``), in any mix, with an optional hint in brackets after it
(``供货占比(0-1)``). Every enumerated value may be given as its English code or its
Chinese word; lists inside a cell are separated by ``;`` or ``；``. A reference may be
an id, the template's pick-list form ``E0079｜上海某某公司``, or a bare name that matches
exactly one entity (the summary says so).

Bad input is rejected whole: every problem is collected and raised at once as an
:class:`IntakeError`, each naming the sheet and column the way the analyst's file names
them and the row as Excel shows it (the header is row 1). One root cause is one error:
an unknown id used in many rows is reported once, with the rows. Nothing is silently
skipped: a sheet or CSV file whose name is not in the contract is an error naming the
nearest contract name, unless its name starts with 说明, 示例, 备注 or ``#`` (the
template's instructions and example sheets; the analyst's own notes), which intake
leaves alone and lists in the summary. Hidden sheets are read and reported.

Many sources (:func:`read_sources`; domain.md "Many workbooks: one city graph"): several
workbooks or CSV folders, or a folder holding them, are each read and checked as above,
then checked together as one data set, so a reference may name what another source lists.
Rows with the same sheet key are one entity or relationship; where two sources both give
a column (not blank) the normalised values must agree, else a *conflict* names every
source, sheet, row and value, one error per entity. Each error of a row names its source.

>>> ds = read_dataset("../shared/data/willems/W02")          # doctest: +SKIP
>>> ds["members"].query("role == 'owner'").enterprise_id.tolist()  # doctest: +SKIP
['W02-Manuf_0002']
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import itertools
import math
import operator
import os
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .bulk import records as frame_records, without_gc
from .registers import normalise_district, normalise_uscc, uscc_problem
from .schema import BOOL_WORDS, ENUMS, SHEET_ORDER, SHEETS, Column, Sheet
from .xlsx_reader import FORMULA_WITHOUT_VALUE, Limits, WorkbookRefused, open_workbook

__all__ = [
    "Issue",
    "IntakeError",
    "Dataset",
    "SheetInfo",
    "Limits",
    "read_dataset",
    "read_tables",
    "read_sources",
    "expand_sources",
    "source_names",
    "same_value",
    "split_list",
    "match_sheet",
    "is_ignored_sheet",
    "IGNORED_PREFIXES",
    "PICK_SEPARATOR",
    "MAX_ID_LENGTH",
    "MAX_CELL_TEXT",
]

ROW_COLUMN = "_row"  # the Excel row number each record came from
SOURCE_COLUMN = "_source"  # with several sources: the source each record came from
SOURCES_COLUMN = "_sources"  # with several sources, after merging: every source that gave the record
#: Sheets and CSV files whose name starts with one of these are not data: intake skips them.
IGNORED_PREFIXES = ("说明", "示例", "备注", "#", "~$")
#: Between an id and its name in the template's pick-lists: ``E0079｜上海某某公司``.
PICK_SEPARATOR = "｜"
MAX_ID_LENGTH = 64
MAX_CELL_TEXT = 32767  # Excel's limit for one cell
ENTERPRISE_TAGS = ("专精特新", "小巨人", "高新技术企业", "规上", "上市")

Progress = Callable[[int, int], None]


# --------------------------------------------------------------------------- issues

@dataclass(frozen=True, order=True)
class Issue:
    """One problem in the input, located as the analyst sees it.

    ``sheet`` and ``column`` are written as the analyst's file writes them (a Chinese tab
    stays Chinese); ``file`` is set for CSV tables and whole-file problems. An error that
    many rows share is one issue: ``row`` is the first, ``rows`` all of that sheet and
    column, ``places`` every (sheet, column, rows) involved.
    """

    sheet: str
    row: int | None
    column: str | None
    message: str
    rows: tuple[int, ...] = field(default=(), compare=False)
    file: str = field(default="", compare=False)
    contract: str | None = field(default=None, compare=False)
    places: tuple[tuple[str, str | None, tuple[int, ...]], ...] = field(default=(), compare=False)
    #: The source (workbook or CSV folder) when several were read together; "" for one.
    source: str = ""
    #: For a conflict between sources: (source, sheet, row, column, value) of every side.
    conflict: tuple[tuple[str, str, int, str, str], ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        where = [f"文件 {self.file}" if self.file else f"工作表 {self.sheet}"]
        if self.source:
            where.insert(0, f"来源 {self.source}")
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.column:
            where.append(f"{self.column} 列")
        return "，".join(where) + "：" + self.message


class IntakeError(ValueError):
    """The input was rejected; :attr:`issues` lists every problem found."""

    def __init__(self, issues: Iterable[Issue], source: str = ""):
        self.issues = sorted(set(issues), key=_issue_order)
        self.source = source
        head = f"{source}: " if source else ""
        super().__init__(f"{head}发现 {len(self.issues)} 处错误 ({len(self.issues)} error(s))\n"
                         + "\n".join(f"  - {i}" for i in self.issues))


def _issue_order(issue: Issue):
    contract = issue.contract or issue.sheet
    sheet_rank = SHEET_ORDER.index(contract) if contract in SHEET_ORDER else -1
    return (issue.source, sheet_rank, issue.sheet, issue.row or 0, issue.column or "", issue.message)


# --------------------------------------------------------------------------- the data set

@dataclass
class SheetInfo:
    """How one contract sheet appeared in the analyst's file."""

    name: str  # the contract name
    label: str  # the tab name, or the CSV file's name without .csv
    file: str = ""  # the CSV file name (CSV folders only)
    headers: dict[str, str] = field(default_factory=dict)  # column key -> header as written
    chinese: bool = False  # the sheet is written in Chinese (missing columns are named so)
    hidden: bool = False
    present: bool = False
    usable: bool = True  # False when the sheet could not be read (its rows are unknown, not absent)
    rejected: set[str] = field(default_factory=set)  # ids given but refused (so references to them are not)


@dataclass
class Dataset:
    """Validated tables, one DataFrame per contract sheet (empty when the sheet is absent).

    Values are normalised: enumerations as English codes, lists as Python lists,
    booleans, ints and floats as such, dates as ``YYYY-MM-DD`` strings, blanks as None,
    references as ids, districts by their full name. Each frame also has a ``_row``
    column: the row in the analyst's file; :attr:`sheets` says how each sheet and column
    was named there, :attr:`notes` what the summary should tell the analyst.
    """

    tables: dict[str, pd.DataFrame]
    source: str = ""
    sheets: dict[str, SheetInfo] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: The names of the sources read, sorted (one workbook: ``["普陀区.xlsx"]``).
    sources: list[str] = field(default_factory=list)
    #: Source name → the path it was read from.
    source_paths: dict[str, str] = field(default_factory=dict)
    #: Source name → how that source named its sheets and columns.
    source_sheets: dict[str, dict[str, SheetInfo]] = field(default_factory=dict)
    #: With several sources: every source's own rows (``_source`` says whose), before
    #: merging; :attr:`tables` then has one row per entity with ``_sources``. None for one source.
    contributions: dict[str, pd.DataFrame] | None = None

    def __getitem__(self, sheet: str) -> pd.DataFrame:
        return self.tables[sheet]

    @property
    def chain_ids(self) -> list[str]:
        return self.tables["chains"]["chain_id"].tolist()

    def counts(self) -> dict[str, int]:
        return {name: len(df) for name, df in self.tables.items()}


class _Where:
    """Names sheets and columns in messages the way the analyst's file does.

    With several sources each names its sheets its own way: ``by_source`` maps a source's
    name to its sheets, and every lookup takes the source a row came from (its ``_source``).
    """

    def __init__(self, infos: Mapping[str, SheetInfo] | None = None,
                 by_source: Mapping[str, Mapping[str, SheetInfo]] | None = None):
        self.by_source = {k: dict(v) for k, v in by_source.items()} if by_source else {"": dict(infos or {})}
        self.multi = len(self.by_source) > 1
        self.first = next(iter(self.by_source))
        self.infos = self.by_source[self.first]

    def info(self, sheet: str, source: str | None = None) -> SheetInfo:
        infos = self.by_source.get(source, self.infos) if source else self.infos
        return infos.get(sheet) or SheetInfo(sheet, sheet)

    def sheet(self, sheet: str, source: str | None = None) -> str:
        return self.info(sheet, source).label

    def place(self, sheet: str, source: str | None = None) -> str:
        """``工作表 企业``, or with several sources ``甲区.xlsx 工作表 企业``."""
        info = self.info(sheet, source)
        what = f"文件 {info.file}" if info.file else f"工作表 {info.label}"
        return f"{source or self.first} {what}" if self.multi else what

    def column(self, sheet: str, column: str | None, source: str | None = None) -> str | None:
        if column is None:
            return None
        info = self.info(sheet, source)
        if column in info.headers:
            return info.headers[column]
        if info.chinese and sheet in SHEETS and column in SHEETS[sheet].column_names:
            return SHEETS[sheet].column(column).zh
        return column

    def usable(self, sheet: str) -> bool:
        """Could every source's sheet be read? (Otherwise which ids exist is not known.)"""
        return all((infos.get(sheet) or SheetInfo(sheet, sheet)).usable for infos in self.by_source.values())

    def rejected(self) -> set[str]:
        return {i for infos in self.by_source.values() for info in infos.values() for i in info.rejected}

    def issue(self, sheet: str, row: int | None, column: str | None, message: str, source: str | None = None,
              **extra) -> Issue:
        info = self.info(sheet, source)
        return Issue(info.label, row, self.column(sheet, column, source), message, file=info.file, contract=sheet,
                     source=(source or self.first) if self.multi else "", **extra)


# --------------------------------------------------------------------------- names of sheets and columns

_HINT = re.compile(r"\s*[(（\[【][^()（）\[\]【】]*[)）\]】]\s*$")
_MARKS = "*＊★"


def _name_key(text: str) -> str:
    """A sheet or column name without its bracketed hint, marks, case and spaces."""
    key = unicodedata.normalize("NFKC", str(text)).strip()
    for _ in range(2):  # 服务（；分隔）★
        key = _HINT.sub("", key).rstrip(_MARKS).strip()
    return key.lower()


def _sheet_key(name: str) -> str:
    name = str(name).strip()
    if name.lower().endswith(".csv"):
        name = name[:-4]
    return _name_key(name)


_SHEET_KEYS = {k: s.name for s in SHEETS.values() for k in (s.name, _name_key(s.zh))}
_COLUMN_KEYS = {
    s.name: {k: (c.name, k == _name_key(c.zh) and k != c.name) for c in s.columns for k in (c.name, _name_key(c.zh))}
    for s in SHEETS.values()
}
#: Words that point an unknown sheet name at a contract sheet (for the "nearest" hint).
_SHEET_WORDS = (
    ("公司", "enterprises"), ("企业名录", "enterprises"), ("名录", "enterprises"), ("厂商", "enterprises"),
    ("成员", "members"), ("供应", "supplies"), ("供货", "supplies"), ("采购", "supplies"),
    ("机构", "support_bodies"), ("赋能", "support_links"), ("帮扶", "support_links"),
    ("问题", "problems"), ("攻关", "projects"), ("政策", "policy_tools"), ("实测", "readings"),
    ("目标", "targets"), ("指标", "indicators"), ("案例", "cases"), ("产业链", "chains"), ("项目", "projects"),
)


def match_sheet(name: str) -> str | None:
    """The contract sheet a tab or CSV file name stands for (key or Chinese name), or None.

    >>> match_sheet("链上成员"), match_sheet("Members.csv"), match_sheet("供应关系（2024）"), match_sheet("x")
    ('members', 'members', 'supplies', None)
    """
    return _SHEET_KEYS.get(_sheet_key(name))


def is_ignored_sheet(name: str) -> bool:
    """Sheets (and CSV files) intake leaves alone: instructions, examples, notes.

    >>> is_ignored_sheet("说明 Instructions"), is_ignored_sheet("#选项"), is_ignored_sheet("企业")
    (True, True, False)
    """
    return str(name).strip().startswith(IGNORED_PREFIXES)


def _nearest_sheet(name: str) -> Sheet:
    key = _sheet_key(name)
    for word, sheet in _SHEET_WORDS:
        if word in key:
            return SHEETS[sheet]

    def score(sheet: Sheet) -> float:
        return max(difflib.SequenceMatcher(None, key, sheet.name).ratio(),
                   difflib.SequenceMatcher(None, key, sheet.zh).ratio())

    return max(SHEETS.values(), key=score)


def _unknown_sheet(label: str, csv_file: bool) -> str:
    near = _nearest_sheet(label)
    if csv_file:
        return (f"未知的文件“{_shown(label)}”：不是约定的表名，最接近的是 {near.name}.csv 或 {near.zh}.csv；"
                f"若是自己的备注，请把文件名改为以“备注”开头 (unknown file; nearest: {near.name})")
    return (f"未知的工作表“{_shown(label)}”：不是约定的表名，最接近的是“{near.zh}”（{near.name}）；"
            f"若是自己的备注页，请把名称改为以“备注”开头 (unknown sheet; nearest: {near.name})")


# --------------------------------------------------------------------------- showing values

def _shown(value: Any, limit: int = 40) -> str:
    """A value fit for a message: invisible and look-alike characters escaped, long text cut."""
    text = str(value)
    cut = len(text) > limit
    if cut:
        text = text[:limit]
    out = []
    for ch in text:
        if ch == " " or ch == "\u3000" or (ch.isprintable() and unicodedata.category(ch) not in ("Cf", "Zs", "Co")):
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return "".join(out) + (f"…（共 {len(str(value))} 个字符）" if cut else "")


def _rows_text(rows: Iterable[int], most: int = 12) -> str:
    """Row numbers as an analyst reads them: ``第 3–13、20 行`` (first few, then 等 N 处)."""
    rows = sorted(set(rows))
    runs: list[list[int]] = []
    for r in rows:
        if runs and r == runs[-1][1] + 1:
            runs[-1][1] = r
        else:
            runs.append([r, r])
    parts = []
    for a, b in runs:
        parts.extend([str(a)] if a == b else [f"{a}、{b}"] if b == a + 1 else [f"{a}–{b}"])
    shown = "、".join(parts[:most])
    return f"第 {shown} 行" + (f"等 {len(rows)} 处" if len(parts) > most else "")


# --------------------------------------------------------------------------- raw sheets

@dataclass
class _RawSheet:
    name: str  # the contract name
    label: str  # how the analyst knows it (sheet name or CSV file name without .csv)
    header: list[Any]
    header_row: int
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    file: str = ""
    hidden: bool = False
    merged: list[str] = field(default_factory=list)
    text_only: bool = False  # every cell a str (CSV)
    # A regular CSV's body a column at a time instead of ``rows`` (:func:`_csv_columns`): every
    # record after the header, blank ones too, all of one width, and their record numbers.
    columns: list[list[str]] | None = None
    row_numbers: Sequence[int] | None = None


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, float) and math.isnan(value))


def _raw_sheet(name: str, label: str, rows: Iterable[tuple[int, list[Any]]], file: str = "",
               tick: Callable[[], None] | None = None, text_only: bool = False) -> _RawSheet | None:
    """The sheet's header and non-blank rows (``text_only``: every cell is a str, as CSV gives)."""
    if text_only:  # CSV: the records are in memory, every cell a str: filtered in one pass
        rows = rows if isinstance(rows, list) else list(rows)
        # (the first cell, an id in most sheets, usually settles it without joining the row)
        kept = [r for r in rows if (values := r[1]) and (((cell := values[0]) and not cell.isspace())
                                                        or ((joined := "".join(values)) and not joined.isspace()))]
        if tick:
            tick(len(rows))
        if not kept:
            return None
        (header_row, header), body = kept[0], kept[1:]
        return _RawSheet(name, label, list(header), header_row, rows=body, file=file, text_only=True)
    sheet: _RawSheet | None = None
    for row_number, values in rows:
        if tick:
            tick()
        if all(_is_blank(v) for v in values):
            continue
        if sheet is None:
            sheet = _RawSheet(name, label, list(values), row_number, file=file)
            continue
        sheet.rows.append((row_number, values))
    return sheet


class _Ticker:
    """Calls ``progress(done, total)`` every few thousand rows."""

    def __init__(self, progress: Progress | None, total: int):
        self.progress, self.total, self.done = progress, max(total, 1), 0

    def __call__(self, n: int = 1) -> None:
        self.done += n
        if self.progress and self.done % 2000 < n:
            self.progress(min(self.done, self.total), self.total)

    def finish(self) -> None:
        if self.progress:
            self.progress(self.total, self.total)


class _Sources:
    """What reading found, before the contract is checked."""

    def __init__(self):
        self.tables: dict[str, pd.DataFrame] = {}
        self.infos: dict[str, SheetInfo] = {}
        self.path = ""
        self.raw: dict[str, _RawSheet] = {}
        self.present: dict[str, SheetInfo] = {}  # every contract sheet seen, empty or not
        self.ignored: list[str] = []
        self.hidden: list[str] = []
        self.ticker: _Ticker | None = None

    def claim(self, label: str, issues: list[Issue], csv_file: str = "") -> str | None:
        """The contract sheet ``label`` stands for, or None (ignored, unknown, duplicate)."""
        if is_ignored_sheet(csv_file or label):
            self.ignored.append(csv_file or label)
            return None
        name = match_sheet(label)
        if name is None:
            issues.append(Issue(csv_file or label, None, None, _unknown_sheet(label, bool(csv_file)), file=csv_file))
            return None
        if name in self.present:
            first = self.present[name]
            what = f"文件 {first.file}" if first.file else f"工作表 {first.label}"
            issues.append(Issue(csv_file or label, None, None, f"与{what}重复（同为 {name}）", file=csv_file,
                                contract=name))
            return None
        self.present[name] = SheetInfo(name, label, csv_file, present=True)
        return name


def _read_excel(path: Path, issues: list[Issue], limits: Limits, progress: Progress | None) -> _Sources:
    found = _Sources()
    try:
        with open_workbook(path, limits) as sheets:
            wanted = []
            for s in sheets:
                name = found.claim(s.title, issues)
                if name is None:
                    continue
                if s.state != "visible":
                    found.hidden.append(s.title)
                    found.present[name].hidden = True
                if s.rows > limits.max_rows:
                    issues.append(Issue(s.title, None, None,
                                        f"超过 {limits.max_rows} 行的上限（每个工作表）；如确需读取，可用 --max-rows 调高 "
                                        "(too many rows; raise the limit with --max-rows)", contract=name))
                    found.present[name].usable = False
                    continue
                wanted.append((name, s))
            tick = _Ticker(progress, 2 * sum(s.rows for _, s in wanted))
            found.ticker = tick
            for name, s in wanted:
                try:
                    raw = _raw_sheet(name, s.title, s.iter_rows(), tick=tick)
                except Exception as exc:  # noqa: BLE001 -- malformed or hostile sheet XML: one line
                    issues.append(Issue(s.title, None, None, _xml_failure(exc), contract=name))
                    found.present[name].usable = False
                    continue
                if raw is not None:
                    raw.hidden, raw.merged = s.state != "visible", s.merged
                    found.raw[name] = raw
    except WorkbookRefused as exc:
        issues.append(Issue(path.name, None, None, str(exc), file=path.name))
    except Exception as exc:  # noqa: BLE001
        issues.append(Issue(path.name, None, None, _xml_failure(exc), file=path.name))
    return found


def _xml_failure(exc: BaseException) -> str:
    name = type(exc).__name__
    if name in ("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden", "NotSupportedError"):
        return "含有 DTD 或实体声明（XML 实体扩展/外部实体攻击的写法），拒绝读取 (XML entities are refused)"
    first = str(exc).splitlines()[0] if str(exc) else name
    return f"工作表的 XML 无法解析（{name}: {_shown(first, 80)}）；请在 Excel 中打开后另存为 .xlsx"


_DELIMITERS = {";": "分号“;”", "\t": "制表符（Tab）", "；": "全角分号“；”"}


def _csv_columns(data: bytes, max_rows: int) -> list[list[str]] | None:
    r"""A CSV file's records a column at a time, by pandas' C parser, when its bytes (UTF-8,
    one BOM or none) are a text the :mod:`csv` module would split the same way into records
    of one width: no quote, no carriage return but in CR LF, no NUL, no second BOM, no empty
    record, every record of the first one's width, no record (so no field) longer than
    :func:`csv.field_size_limit`, at most ``max_rows`` records. None otherwise (the :mod:`csv`
    module then reads it, record by record, and says what is wrong). Several times faster than
    the :mod:`csv` module and a transpose.

    >>> _csv_columns("chain_id,name\r\nC1,甲\r\n".encode(), 100), _csv_columns('chain_id,name\nC1,"甲"\n'.encode(), 100)
    ([['chain_id', 'C1'], ['name', '甲']], None)
    """
    body = data[len(_BOM):] if data.startswith(_BOM) else data
    if not body or body.startswith((_BOM, b"\n", b"\r\n")) or b'"' in body or b"\x00" in body:
        return None
    if b"\n\n" in body or b"\n\r\n" in body:  # an empty record: [] to the csv module, [""] to pandas
        return None
    if b"\r" in body and body.count(b"\r") != body.count(b"\r\n"):  # (a record's end to both: CR LF)
        return None
    records = body.count(b"\n") + (not body.endswith(b"\n"))
    first_end = body.find(b"\n")
    width = (body[:first_end] if first_end >= 0 else body).count(b",") + 1
    if records > max_rows or body.count(b",") != records * (width - 1):
        return None
    if len(body) > csv.field_size_limit():   # a record's bytes bound its fields' characters
        ends = np.flatnonzero(np.frombuffer(body, dtype=np.uint8) == ord("\n"))
        if np.diff(ends, prepend=-1, append=len(body)).max() > csv.field_size_limit():
            return None
    try:
        frame = pd.read_csv(io.BytesIO(body), header=None, dtype=str, na_filter=False, skip_blank_lines=False,
                            engine="c", encoding="utf-8")
    except (ValueError, pd.errors.ParserError):  # a record wider than the first: the csv module says so
        return None
    if frame.shape != (records, width):
        return None
    return [frame[c].tolist() for c in frame.columns]


_BOM = b"\xef\xbb\xbf"


def _raw_columns(name: str, label: str, columns: list[list[str]], file: str) -> _RawSheet | None:
    """:func:`_raw_sheet` of a regular CSV's records (:func:`_csv_columns`): the first record
    not blank is the header; blank records after it are left to :func:`_parse_sheet`, which
    skips every record blank in the contract's columns."""
    for index, header in enumerate(zip(*columns)):
        if (joined := "".join(header)) and not joined.isspace():
            for column in columns:
                del column[:index + 1]   # (in place: a nation's column is millions of cells)
            return _RawSheet(name, label, list(header), index + 1, file=file, text_only=True, columns=columns,
                             row_numbers=range(index + 2, index + 2 + len(columns[0])))
    return None


def _read_csv_folder(folder: Path, issues: list[Issue], limits: Limits, progress: Progress | None) -> _Sources:
    found = _Sources()
    files: list[tuple[str, str, Path, bytes]] = []   # (each file's bytes: a nation's text would be twice them)
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() != ".csv" or not path.is_file():
            continue
        name = found.claim(path.name[:-4], issues, csv_file=path.name)
        if name is None:
            continue
        # A file the system will not let us read (permission, I/O error) is a failure of the machine,
        # not of the analyst's data: it propagates as an OSError, one line and exit 1 in the CLI.
        data = path.read_bytes()
        if not data.lstrip(b"\xef\xbb\xbf").strip():
            continue  # a 0-byte file is an empty sheet: "none yet"
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            try:
                data.decode("gb18030")
                hint = "看起来是 GBK/GB18030 编码；"
            except UnicodeDecodeError:
                hint = ""
            issues.append(Issue(path.name, line, None,
                                f"不是 UTF-8 编码；{hint}请在 Excel 中“另存为 → CSV UTF-8（逗号分隔）”",
                                file=path.name, contract=name))
            found.present[name].usable = False
            continue
        files.append((name, path.name[:-4], path, data))
    tick = _Ticker(progress, 2 * sum(data.count(b"\n") + 1 for *_, data in files))  # read, then checked
    found.ticker = tick
    for name, label, path, data in files:
        columns = _csv_columns(data, limits.max_rows)
        if columns is not None:  # the usual CSV: a column at a time
            tick(data.count(b"\n") + 1)
            raw = _raw_columns(name, label, columns, file=path.name)
        else:
            raw = _csv_records(name, label, path, data.decode("utf-8-sig"), limits, found, issues, tick)
        if raw is None:
            continue
        delimiter = _wrong_delimiter(SHEETS[name], raw.header)
        if delimiter:
            issues.append(Issue(label, raw.header_row, None,
                                f"表头只有一列，按{_DELIMITERS[delimiter]}才能分开：此文件不是逗号分隔的 CSV；请在 Excel 中"
                                "“另存为 → CSV UTF-8（逗号分隔）” (not comma-separated)", file=path.name, contract=name))
            found.present[name].usable = False
            continue
        found.raw[name] = raw
    return found


def _csv_records(name: str, label: str, path: Path, text: str, limits: Limits, found: _Sources,
                 issues: list[Issue], tick: _Ticker) -> _RawSheet | None:
    """:func:`_raw_sheet` of a CSV text read record by record by the :mod:`csv` module (what
    :func:`_csv_columns` leaves to it); None, with the issue said, when it cannot be read."""
    # Excel shows one row per record, a quoted newline included: count records, not lines.
    # All records at once (the loop runs in C); one more than the limit tells it is exceeded.
    try:
        rows = list(enumerate(itertools.islice(csv.reader(io.StringIO(text, newline="")),
                                               limits.max_rows + 1), 1))
    except csv.Error as exc:
        # (read again, record by record, only to say which record is malformed)
        reader, number = csv.reader(io.StringIO(text, newline="")), 0
        try:
            for number, _ in enumerate(reader, 1):
                pass
        except csv.Error:
            pass
        issues.append(Issue(label, number + 1, None, f"CSV 格式错误：{exc}", file=path.name, contract=name))
        found.present[name].usable = False
        return None
    if len(rows) > limits.max_rows:
        issues.append(Issue(label, None, None, f"超过 {limits.max_rows} 行的上限；如确需读取，可用 --max-rows "
                                               "调高 (too many rows; raise with --max-rows)",
                            file=path.name, contract=name))
        found.present[name].usable = False
    tick(max(0, text.count("\n") + 1 - len(rows)))
    return _raw_sheet(name, label, rows, file=path.name, tick=tick, text_only=True)


def _wrong_delimiter(sheet: Sheet, header: list[Any]) -> str | None:
    cells = [h for h in header if not _is_blank(h)]
    if len(cells) != 1:
        return None
    for delimiter in _DELIMITERS:
        parts = str(cells[0]).split(delimiter)
        if len(parts) > 1 and sum(_name_key(p) in _COLUMN_KEYS[sheet.name] for p in parts) >= 2:
            return delimiter
    return None


# --------------------------------------------------------------------------- cell parsing

_LIST_SPLIT = re.compile(r"[;；]")
_WRONG_LIST_SPLIT = re.compile(r"[,，、]")
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ID_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f-\x9f/\\:*?"<>|]')
_PATH_CHARS = set('/\\:*?"<>|')


def split_list(text: Any) -> list[str]:
    """Split a list cell on ``;`` or ``；``, dropping blanks.

    >>> split_list("计量；testing; ")
    ['计量', 'testing']
    """
    if _is_blank(text):
        return []
    return [part.strip() for part in _LIST_SPLIT.split(str(text)) if part.strip()]


class _Bad(Exception):
    pass


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores typed numbers (ids, codes) as floats
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _text(value: Any) -> str:
    """Cell text, checked: no control characters (tab and newline are fine), fits a cell."""
    text = _as_text(value)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = _CONTROL.search(text)
    if bad:
        raise _Bad(f"含有控制字符 {_shown(bad.group())}（第 {bad.start() + 1} 个字符）；请删除")
    if len(text) > MAX_CELL_TEXT:
        raise _Bad(f"文本长 {len(text)} 个字符，超过 Excel 单元格上限 {MAX_CELL_TEXT}；请缩短或拆分")
    return text


def _ref_text(value: Any) -> str:
    """A reference as written: it must name an id, so a character no id may hold makes it
    unknown (reported once, with the id it resembles), not a second error of its own."""
    text = _as_text(value)
    if len(text) > MAX_CELL_TEXT:
        raise _Bad(f"文本长 {len(text)} 个字符，超过 Excel 单元格上限 {MAX_CELL_TEXT}")
    return text


def _invisible(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Co", "Cn")


def _id(value: Any) -> str:
    text = _text(value)
    if len(text) > MAX_ID_LENGTH:
        raise _Bad(f"编号最长 {MAX_ID_LENGTH} 个字符，实为 {len(text)} 个（“{_shown(text)}”）")
    bad = _ID_FORBIDDEN.search(text)
    if bad is None and not text.isascii():
        bad = next((m for m in re.finditer(".", text, re.S) if _invisible(m.group())), None)
    if bad:
        ch = bad.group()
        what = f"字符“{ch}”" if ch in _PATH_CHARS else f"不可见字符 {_shown(ch)}"
        raise _Bad(f"编号“{_shown(text)}”含有{what}；编号不能含控制字符、零宽字符或 / \\ : * ? \" < > |")
    return text


def _parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise _Bad("应为整数")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise _Bad(f"应为整数，实为 {value}")
    text = str(value).strip()
    if re.fullmatch(r"[+-]?\d+(\.0+)?", text):
        return int(text.split(".")[0])
    raise _Bad(f"应为整数，实为“{_shown(text)}”")


def _parse_number(value: Any, percent_ok: bool = False) -> float:
    if isinstance(value, bool):
        raise _Bad("应为数值")
    try:
        if isinstance(value, (int, float)):
            number = float(value)
        else:
            text = str(value).strip().replace("，", ",")
            scale = 1.0
            if percent_ok and text.endswith("%"):
                text, scale = text[:-1].strip(), 0.01
            try:
                number = float(text) * scale
            except ValueError:
                raise _Bad(f"应为数值，实为“{_shown(value)}”") from None
    except OverflowError:
        raise _Bad("数值超出范围") from None
    if math.isnan(number) or math.isinf(number):
        raise _Bad("应为有限数值")
    return number


def _parse_date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = _text(value)
    if isinstance(value, str) and " " in text:
        text = text.split(" ", 1)[0]  # "2024-05-01 00:00:00" from a datetime-typed column
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
            except ValueError:
                raise _Bad(f"日期不存在：“{_shown(text)}”") from None
    raise _Bad(f"日期格式无法识别：“{_shown(text)}”（应为 YYYY-MM-DD）")


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    word = _as_text(value).lower()
    if word in BOOL_WORDS:
        return BOOL_WORDS[word]
    raise _Bad(f"应为 是/否（true/false、yes/no、1/0），实为“{_shown(_as_text(value))}”")


def _parse_enum(column: Column, text: str) -> str:
    enum = ENUMS[column.enum]
    code = enum.parse(text)
    if code is None:
        parts = [p.strip() for p in _WRONG_LIST_SPLIT.split(text) if p.strip()]
        listed = [p for p in _LIST_SPLIT.split(text) if p.strip()]
        if len(parts) > 1 and all(enum.parse(p) for p in parts):
            hint = "多个值请用“；”分隔" if column.is_list else "此列只能填一个值"
            raise _Bad(f"“{_shown(text)}”：{hint}（可选 {enum.describe()}）")
        if not column.is_list and len(listed) > 1 and all(enum.parse(p) for p in listed):
            raise _Bad(f"“{_shown(text)}”：此列只能填一个值")
        raise _Bad(f"未知取值“{_shown(text)}”，应为 {enum.describe()}")
    return code


def _cell_parser(column: Column) -> Callable[[Any], Any]:
    """The function turning one non-blank cell of ``column`` into its value (or raising _Bad)."""
    kind = column.kind

    low, high = column.minimum, column.maximum
    span = f"（应在 {low:g} 到 {high:g} 之间）" if low is not None and high is not None else ""

    def bounded(number):
        if low is not None and number < low:
            raise _Bad(f"应不小于 {low:g}，实为 {_shown(number)}{span}")
        if high is not None and number > high:
            raise _Bad(f"应不大于 {high:g}，实为 {_shown(number)}{span}")
        return number

    if kind == "id":
        return _id
    if kind == "text":
        return _text
    if kind == "ref":
        return _ref_text
    if kind == "int":
        return lambda v: bounded(_parse_int(v))
    if kind == "number":
        return lambda v: bounded(_parse_number(v))
    if kind == "share":
        def share(v):
            number = _parse_number(v, percent_ok=True)
            if not 0 <= number <= 1:
                raise _Bad(f"应在 0 到 1 之间，实为 {_shown(_as_text(v))}")
            return number
        return share
    if kind == "bool":
        return _parse_bool
    if kind == "date":
        return _parse_date
    if kind == "enum":
        return lambda v: _parse_enum(column, _text(v))
    if kind == "enums":
        def enums(v):
            codes: list[str] = []
            for part in split_list(_text(v)):
                code = _parse_enum(column, part)
                if code not in codes:
                    codes.append(code)
            return codes
        return enums
    if kind == "refs":
        return lambda v: list(dict.fromkeys(split_list(_ref_text(v))))
    if kind == "texts":
        def texts(v):
            items = list(dict.fromkeys(split_list(_text(v))))
            if column.name == "tags":
                for item in items:
                    parts = [p.strip() for p in _WRONG_LIST_SPLIT.split(item) if p.strip()]
                    if len(parts) > 1 and all(p in ENTERPRISE_TAGS for p in parts):
                        raise _Bad(f"“{_shown(item)}”：多个标签请用“；”分隔")
            return items
        return texts
    if kind == "uscc":
        def uscc(v):
            code = normalise_uscc(_text(v))
            problem = uscc_problem(code)
            if problem:
                raise _Bad(f"统一社会信用代码“{_shown(code)}”无效：{problem}")
            return code
        return uscc
    if kind == "district":
        return lambda v: normalise_district(_text(v))
    raise AssertionError(kind)  # pragma: no cover - schema and parser disagree


_PARSERS = {(s.name, c.name): _cell_parser(c) for s in SHEETS.values() for c in s.columns}


def _empty_frame(sheet: Sheet) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in list(sheet.column_names) + [ROW_COLUMN]})


def _merged_ranges(raw: _RawSheet, positions: dict[str, int]):
    if not raw.merged:  # (CSV never has any: openpyxl is not even imported then)
        return
    from openpyxl.utils import range_boundaries

    for ref in raw.merged:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (ValueError, TypeError):
            continue
        if max_row < raw.header_row or (min_col == max_col and min_row == max_row):
            continue
        hit = [name for name, i in positions.items() if min_col <= i + 1 <= max_col]
        if hit:
            yield ref, min_row, max_row, min_col, max_col, hit


def _parse_sheet(sheet: Sheet, raw: _RawSheet | None, issues: list[Issue], info: SheetInfo,
                 tick: Callable[[int], None] | None = None) -> pd.DataFrame:
    if raw is None:
        return _empty_frame(sheet)
    keys = _COLUMN_KEYS[sheet.name]
    positions: dict[str, int] = {}
    unknown: list[str] = []
    chinese_votes = 0
    for index, cell in enumerate(raw.header):
        text = "" if _is_blank(cell) else _as_text(cell)
        found = keys.get(_name_key(text)) if text else None
        if found is None:
            if text:
                unknown.append(text)
            continue
        name, chinese = found
        if name in positions:
            issues.append(Issue(info.label, raw.header_row, text,
                                f"表头重复（与“{info.headers[name]}”同为 {name}）", file=info.file, contract=sheet.name))
            continue
        positions[name] = index
        info.headers[name] = text
        chinese_votes += 1 if chinese else -1
    info.chinese = chinese_votes > 0 or (not positions and _name_key(info.label) == _name_key(sheet.zh))
    where = _Where({sheet.name: info})
    missing = [c for c in sheet.columns if c.name not in positions and not c.optional]
    for column in missing:
        shown = column.zh if info.chinese else column.name
        near = difflib.get_close_matches(_name_key(shown), [_name_key(u) for u in unknown], n=1, cutoff=0.6)
        guess = next((f"；表头中的“{u}”是否写错？" for u in unknown if near and _name_key(u) == near[0]), "")
        expected = "、".join(c.zh if info.chinese else c.name for c in sheet.columns if not c.optional)
        issues.append(where.issue(sheet.name, raw.header_row, column.name,
                                  f"缺少列“{shown}”（{column.name if info.chinese else column.zh}）"
                                  f"{guess}（表头应包含：{expected}）"))
    if missing:
        info.usable = False
        return _empty_frame(sheet)

    covered: set[tuple[int, str]] = set()
    for ref, min_row, max_row, min_col, max_col, hit in _merged_ranges(raw, positions):
        first = min(hit, key=lambda n: positions[n])
        issues.append(where.issue(sheet.name, max(min_row, raw.header_row), first,
                                  f"合并单元格 {ref}：合并区域只有左上角单元格有值，其余会被当作空白；请取消合并，"
                                  "在每行填写完整的值 (merged cells)"))
        for r in range(min_row, max_row + 1):
            for name in hit:
                if (r, positions[name]) != (min_row, min_col - 1):
                    covered.add((r, name))

    plan = [(c, positions[c.name], _PARSERS[(sheet.name, c.name)], c.required) for c in sheet.columns
            if c.name in positions]
    indexes = [i for _, i, _, _ in plan]
    # a row with nothing in the contract's columns (a helper formula, a note beside the table) is skipped
    if raw.columns is not None:  # a regular CSV, a column at a time: every record of one width
        numbers, by_column = raw.row_numbers, raw.columns
        first = by_column[indexes[0]]
        # (the first contract cell, an id in most sheets, usually settles it without the join)
        doubtful = [r for r, cell in enumerate(first) if not cell or cell.isspace()]
        blank = {r for r in doubtful if not (joined := "".join(by_column[i][r] for i in indexes)) or joined.isspace()}
        if blank:
            numbers = [n for r, n in enumerate(numbers) if r not in blank]
            by_column = [[cell for r, cell in enumerate(column) if r not in blank] for column in by_column]
        width = len(by_column)
    else:
        if raw.text_only:  # every cell a str: a row is blank when its contract cells join to blank
            pick, need, first = operator.itemgetter(*indexes), max(indexes) + 1, indexes[0]
            # (the first contract cell, an id in most sheets, usually settles it without the join)
            kept = [(row_number, values) for row_number, values in raw.rows
                    if (len(values) >= need and (((cell := values[first]) and not cell.isspace())
                                                 or ((joined := "".join(pick(values))) and not joined.isspace())))
                    or (len(values) < need and _has_value(values, indexes))]
        else:
            kept = [(row_number, values) for row_number, values in raw.rows if _has_value(values, indexes)]
        numbers = [row_number for row_number, _ in kept]
        # Rows of one width (as CSV writes them) are turned into columns in one step.
        width = len(kept[0][1]) if kept else 0
        by_column = (list(zip(*(values for _, values in kept))) if kept and all(len(v) == width for _, v in kept)
                     else None)
    # Column by column, each distinct text parsed once (ids, enums and references repeat down a
    # column); the issues are then put back in row order, one row's columns left to right.
    found: list[tuple[int, int, Issue]] = []
    parsed: dict[str, list[Any]] = {}
    done = 0
    for p, (column, i, parse, required) in enumerate(plan):
        is_list = column.is_list
        if by_column is not None:
            cells = by_column[i] if i < width else (None,) * len(numbers)
        else:
            cells = [values[i] if i < len(values) else None for _, values in kept]
        out = _parsed_column(cells, parse, required, is_list)
        if out is not None:  # the usual case: every cell text, parsed or blank where blank is fine
            parsed[column.name] = out
            if tick:
                share = len(numbers) * (p + 1) // len(plan) - done
                done += share
                tick(share)
            continue
        out = []
        memo: dict[str, tuple[str, Any]] = {}
        for r, row_number in enumerate(numbers):
            value = cells[r]
            outcome = memo.get(value) if type(value) is str else None
            if outcome is None:
                outcome = _parse_cell(value, parse)
                if type(value) is str:
                    memo[value] = outcome
            what, result = outcome
            if what is _PARSED:
                out.append(list(result) if is_list else result)  # a list is never shared between rows
                continue
            out.append([] if is_list else None)
            if what is _BLANK:
                if required and (row_number, column.name) not in covered:
                    found.append((r, p, where.issue(sheet.name, row_number, column.name, f"必填（{column.zh}）不能为空")))
                continue
            found.append((r, p, where.issue(sheet.name, row_number, column.name, result)))
            if what is _REJECTED and column.kind == "id":
                info.rejected.add(_as_text(value))
        parsed[column.name] = out
        if tick:
            share = len(numbers) * (p + 1) // len(plan) - done
            done += share
            tick(share)
    found.sort(key=lambda f: (f[0], f[1]))
    issues.extend(f[2] for f in found)
    for column in sheet.columns:
        if column.name not in parsed:
            parsed[column.name] = [[] if column.is_list else None for _ in numbers]
    parsed[ROW_COLUMN] = list(numbers)
    # object columns: an int column with a blank cell must keep its ints (not become 2.0, NaN)
    columns = list(sheet.column_names) + [ROW_COLUMN]
    return pd.DataFrame({c: pd.Series(parsed[c], dtype=object) for c in columns})


def _parsed_column(cells: list[Any], parse: Callable[[Any], Any], required: bool, is_list: bool) -> list | None:
    """A column's values when every cell is text that parses (or is blank and may be), each
    distinct text parsed once; None when any cell needs the cell-by-cell path (an error to report)."""
    distinct = dict.fromkeys(cells)
    if not all(type(text) is str for text in distinct):
        return None
    values = _texts_at_once(distinct, parse, required) if parse in _TEXT_LIMITS else None
    if values is None:
        values = _texts_one_by_one(distinct, parse, required)
        if values is None:
            return None
    if is_list:  # a list is never shared between rows
        return [[] if v is None else list(v) for v in map(values.__getitem__, cells)]
    return list(map(values.__getitem__, cells))


def _texts_one_by_one(texts: Iterable[str], parse: Callable[[Any], Any], required: bool) -> dict[str, Any] | None:
    """What :func:`_parse_cell` gives each text (None for a blank that may be blank), or None
    when any text is an error to report."""
    values: dict[str, Any] = {}
    for text in texts:
        what, value = _parse_cell(text, parse)
        if what is _PARSED:
            values[text] = value
        elif what is _BLANK and not required:
            values[text] = None
        else:
            return None
    return values


#: The text parsers checked a column at a time (:func:`_texts_at_once`), with their length limits.
_TEXT_LIMITS = {_id: MAX_ID_LENGTH, _text: MAX_CELL_TEXT, _ref_text: MAX_CELL_TEXT}


def _texts_at_once(texts: Iterable[str], parse: Callable[[Any], Any], required: bool) -> dict[str, Any] | None:
    """What :func:`_parse_cell` gives each distinct text of an id, text or reference column,
    found by a few checks over the whole column (a province's ids are hundreds of thousands
    of distinct texts); None when any text needs a look of its own (the cell-by-cell path
    then finds the same values, or the error to report)."""
    texts = list(texts)
    stripped = [t.strip() for t in texts]
    if (required and "" in stripped) or not _EXCEL_ERRORS.isdisjoint(stripped):
        return None
    if max(map(len, stripped), default=0) > _TEXT_LIMITS[parse]:
        return None
    joined = " ".join(stripped)   # a space: no pattern below matches it
    if "\r" in joined or (parse is not _ref_text and _CONTROL.search(joined)):
        return None
    if parse is _id and (_ID_FORBIDDEN.search(joined) or (
            not joined.isascii() and any(_invisible(ch) for ch in joined if not ch.isascii()))):
        return None
    return {text: value or None for text, value in zip(texts, stripped)}


def _has_value(values: list[Any], indexes: list[int]) -> bool:
    width = len(values)
    for i in indexes:
        if i < width:
            value = values[i]
            if type(value) is str:
                if value and not value.isspace():
                    return True
            elif not _is_blank(value):
                return True
    return False


# What one cell came to: (_PARSED, value), (_BLANK, None), or (_REJECTED / _UNUSABLE, the message).
_PARSED, _BLANK, _REJECTED, _UNUSABLE = "parsed", "blank", "rejected", "unusable"


def _parse_cell(value: Any, parse: Callable[[Any], Any]) -> tuple[str, Any]:
    if value is FORMULA_WITHOUT_VALUE:
        return _UNUSABLE, "单元格只有公式、没有计算结果；请在 Excel 中打开并保存，或“粘贴为数值”"
    if _is_blank(value):
        return _BLANK, None
    if isinstance(value, str) and value.strip() in _EXCEL_ERRORS:
        return _UNUSABLE, f"单元格是 Excel 错误值 {value.strip()}"
    try:
        return _PARSED, parse(value)
    except _Bad as bad:
        return _REJECTED, str(bad)


_EXCEL_ERRORS = {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#SPILL!", "#CALC!"}


# --------------------------------------------------------------------------- references

_KIND_ZH = {"Chain": "产业链", "Enterprise": "企业", "SupportBody": "质量赋能机构", "Problem": "质量问题",
            "Project": "攻关项目", "PolicyTool": "政策工具", "Indicator": "质量指标", "Case": "典型案例"}
_ID_SHEET_OF = {s.label: s for s in SHEETS.values() if s.label}


class _Places:
    """Collects one error per root cause, with every row where it shows."""

    def __init__(self):
        self.found: dict[tuple, list[tuple[str, str, int, str]]] = {}
        self.heads: dict[tuple, str] = {}

    def add(self, key: tuple, message: str, sheet: str, row: int, column: str, source: str = "") -> None:
        self.heads.setdefault(key, message)
        self.found.setdefault(key, []).append((source, sheet, row, column))

    def issues(self, where: _Where) -> list[Issue]:
        out = []
        for key, places in self.found.items():
            places.sort(key=lambda p: (p[0], SHEET_ORDER.index(p[1]) if p[1] in SHEET_ORDER else -1, p[2]))
            groups: dict[tuple[str, str, str], list[int]] = {}
            for source, sheet, row, column in places:
                groups.setdefault((source, sheet, column), []).append(row)
            (source, sheet, column), rows = next(iter(groups.items()))
            message = self.heads[key]
            if len(groups) == 1 and len(places) > 1:
                message += f"（共 {len(places)} 处：{_rows_text(rows)}）"
            elif len(groups) > 1:
                parts = [f"{_source_prefix(where, src)}{where.sheet(s, src)} {where.column(s, c, src)} {_rows_text(r)}"
                         for (src, s, c), r in groups.items()]
                message += f"（共 {len(places)} 处：{'；'.join(parts)}）"
            out.append(where.issue(sheet, rows[0], column, message, source, rows=tuple(sorted(set(rows))),
                                   places=tuple((where.sheet(s, src), where.column(s, c, src), tuple(sorted(set(r))))
                                                for (src, s, c), r in groups.items())))
        return out


def _source_prefix(where: _Where, source: str | None) -> str:
    return f"{source or where.first} " if where.multi else ""


class _Registry:
    """Every id of the data set with its label, and what people call each entity."""

    def __init__(self, tables: Mapping[str, pd.DataFrame]):
        self.kind: dict[str, str] = {}
        #: The ids of each label (those ``kind`` gives that label), for whole-column questions.
        self.of_kind: dict[str, set[str]] = {}
        self._given: list[tuple[str, list, list]] = []
        for label, sheet in _ID_SHEET_OF.items():
            frame = tables.get(sheet.name)
            if frame is None or not len(frame):
                continue
            ids = frame[sheet.id_column].tolist()
            names = frame[sheet.name_column].tolist() if sheet.name_column else [None] * len(ids)
            self._given.append((label, ids, names))
            fresh = dict.fromkeys(ids)
            fresh.pop(None, None)
            new = fresh.keys() - self.kind.keys()  # an id of two sheets keeps its first sheet's label
            self.kind.update(dict.fromkeys(new, label))
            self.of_kind[label] = new
        self._names: dict[str, dict[str, list[str]]] | None = None
        self._folded: dict[str, str] | None = None

    # Names and case-folded ids are wanted only for a reference that is not an id (rare):
    # they are gathered then, not for every read.
    @property
    def names(self) -> dict[str, dict[str, list[str]]]:
        if self._names is None:
            self._names = defaultdict(lambda: defaultdict(list))
            for label, ids, names in self._given:
                for node_id, name in zip(ids, names):
                    if node_id is not None and name:
                        self._names[label][name].append(node_id)
        return self._names

    @property
    def folded(self) -> dict[str, str]:
        if self._folded is None:
            self._folded = {}
            for _, ids, _ in self._given:
                for node_id in ids:
                    if node_id is not None:
                        self._folded.setdefault(node_id.casefold(), node_id)
        return self._folded

    def resolve(self, value: str, targets: tuple[str, ...]) -> tuple[str, str | None]:
        """(id, how) for a reference: an id as it is, the pick-list form, or a unique name."""
        if self.kind.get(value) in targets:
            return value, None
        for sep in (PICK_SEPARATOR, "|"):
            at = value.find(sep)
            while at > 0:
                head = value[:at].strip()
                if self.kind.get(head) in targets:
                    return head, None
                at = value.find(sep, at + 1)
        matches = {i for label in targets for i in self.names[label].get(value, ())}
        if len(matches) == 1:
            return matches.pop(), "name"
        return value, None

    def why_unknown(self, value: str, targets: tuple[str, ...], is_list: bool) -> tuple[str, str]:
        """(grouping key, message) for a reference that names nothing of ``targets``."""
        kinds = [_KIND_ZH[t] for t in targets]
        what = "、".join(kinds[:-1]) + "或" + kinds[-1] if len(kinds) > 1 else kinds[0]
        kind = self.kind.get(value)
        if kind is not None:
            return ("kind", value, targets), f"“{_shown(value)}”是{_KIND_ZH[kind]}，此处应为{what}的编号"
        head = f"找不到{what}“{_shown(value)}”"
        named = sorted({i for label in targets for i in self.names[label].get(value, ())})
        if named:
            return ("name", value, targets), f"{head}：这是 {len(named)} 个{what}的名称（{'、'.join(named[:5])}），请填写编号"
        other = sorted({(label, i) for label, names in self.names.items() for i in names.get(value, ())})
        if other:
            label, node = other[0]
            return ("name", value, targets), f"{head}：“{_shown(value)}”是{_KIND_ZH[label]}“{node}”的名称，此处应为{what}的编号"
        folded = self.folded.get(value.casefold())
        if folded and self.kind.get(folded) in targets:
            return ("missing", value), f"{head}；编号区分大小写，是否为“{folded}”？"
        visible = "".join(ch for ch in value if not _invisible(ch))
        if visible != value and self.kind.get(visible) in targets:
            return ("missing", value), f"{head}：含有不可见字符；是否为“{visible}”？"
        parts = [p.strip() for p in _WRONG_LIST_SPLIT.split(value) if p.strip()]
        if len(parts) > 1 and all(self.kind.get(p) in targets for p in parts):
            return ("missing", value), head + ("：多个编号请用“；”分隔" if is_list else "：此列只能填一个编号")
        listed = split_list(value)
        if not is_list and len(listed) > 1 and all(self.kind.get(p) in targets for p in listed):
            return ("missing", value), head + "：此列只能填一个编号"
        return ("missing", value), head


_REF_COLUMNS = [(s.name, c) for s in SHEETS.values() for c in s.columns if c.kind in ("ref", "refs")]


def _sources_of(frame: pd.DataFrame) -> list[str]:
    """The source of each row (``_source``; "" when one source was read)."""
    if SOURCE_COLUMN in frame:
        return frame[SOURCE_COLUMN].tolist()
    return [""] * len(frame)


def _resolve(tables: dict[str, pd.DataFrame], where: _Where, notes: list[str]) -> dict[str, pd.DataFrame]:
    """References given as the pick-list form or as a unique name, replaced by the id."""
    registry = _Registry(tables)
    by_name: dict[tuple[str, str], list[tuple[str, int, str]]] = defaultdict(list)
    out = dict(tables)
    for sheet, column in _REF_COLUMNS:
        frame = out.get(sheet)
        if frame is None or not len(frame) or column.name not in frame:
            continue
        given = frame[column.name].tolist()
        written = given if column.kind == "ref" else [item for items in given if items for item in items]
        unknown = set(written)
        unknown.discard(None)
        for target in column.targets:
            unknown -= registry.of_kind.get(target, set())
        if not unknown:
            continue  # every reference is an id already (the usual case): nothing to replace
        rows = list(zip(_sources_of(frame), frame[ROW_COLUMN].tolist()))
        changed = False
        values = []
        for value, (source, row) in zip(given, rows):
            if column.kind == "ref":
                if value is not None:
                    new, how = registry.resolve(value, column.targets)
                    if new != value:
                        changed = True
                        if how:
                            by_name[(value, new)].append((source, sheet, row, column.name))
                    value = new
            elif value:
                new_list = []
                for item in value:
                    new, how = registry.resolve(item, column.targets)
                    if new != item:
                        changed = True
                        if how:
                            by_name[(item, new)].append((source, sheet, row, column.name))
                    if new not in new_list:
                        new_list.append(new)
                value = new_list
            values.append(value)
        if changed:
            frame = frame.copy()
            frame[column.name] = pd.Series(values, index=frame.index, dtype=object)
            out[sheet] = frame
    for (name, node_id), places in by_name.items():
        groups: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        for source, sheet, row, column in places:
            groups[(source, sheet, column)].append(row)
        shown = "；".join(f"{_source_prefix(where, src)}{where.sheet(s, src)} {where.column(s, c, src)} {_rows_text(r)}"
                         for (src, s, c), r in groups.items())
        notes.append(f"按名称识别：“{_shown(name)}” → {node_id}（{shown}）")
    return out


# --------------------------------------------------------------------------- cross-sheet checks

def _check(tables: Mapping[str, pd.DataFrame], issues: list[Issue], where: _Where | None = None) -> None:
    """Checks that need several sheets: keys, ids, references, chain membership.

    A function of the tables alone (plus how to name their sheets and columns), so it
    can run on the union of several sources.

    Valid data is the usual case, so each check first asks the columns a cheap question
    (no duplicate in a set, every value among the known ids) and walks the rows one by
    one, as it always has, only when the answer is not a plain "nothing to report": the
    row walks alone say what is wrong and where, in their own order.
    """
    where = where or _Where()
    columns: dict[tuple[str, str], list] = {}
    built: dict[str, list[dict]] = {}

    def size(sheet: str) -> int:
        frame = tables.get(sheet)
        return 0 if frame is None else len(frame)

    def col(sheet: str, column: str) -> list:
        """One column's values (``frame_records``' values), read once."""
        if (sheet, column) not in columns:
            columns[sheet, column] = tables[sheet][column].tolist() if size(sheet) else []
        return columns[sheet, column]

    def sources(sheet: str, blank):
        """What ``r.get(SOURCE_COLUMN, blank)`` says for each row."""
        frame = tables.get(sheet)
        if size(sheet) and SOURCE_COLUMN in frame:
            return col(sheet, SOURCE_COLUMN)
        return [blank] * size(sheet)

    class _Records(dict):
        """Row dicts of a sheet, built the first time a row walk needs them."""

        def __missing__(self, sheet):
            if sheet not in built:
                frame = tables.get(sheet)
                built[sheet] = [] if frame is None else frame_records(frame)
            return built[sheet]

    records = _Records()

    def issue(sheet, r, column, message):
        issues.append(where.issue(sheet, r[ROW_COLUMN] if r is not None else None, column, message,
                                  r.get(SOURCE_COLUMN) if r is not None else None))

    def issue_at(sheet, row, source, column, message):
        """:func:`issue` for a row given by its number and ``r.get(SOURCE_COLUMN)``."""
        issues.append(where.issue(sheet, row, column, message, source))

    def at(sheet, here, there) -> str:
        """Where the other row is, said from ``here``: ``第 3 行``, or with its source and sheet."""
        (src, row), (other_src, other_row) = here, there
        if src == other_src:
            return f"第 {other_row} 行"
        return f"{where.place(sheet, other_src)} 第 {other_row} 行"

    def loc(r) -> tuple[str, int]:
        return r.get(SOURCE_COLUMN, ""), r[ROW_COLUMN]

    # Keys unique within each sheet.
    for sheet in SHEETS.values():
        if not size(sheet.name):
            continue
        keys = [col(sheet.name, c) for c in sheet.key]
        given = len(keys[0]) - keys[0].count(None)
        if len(keys) == 1:
            distinct = set(keys[0])
            distinct.discard(None)
        elif given == len(keys[0]):
            distinct = set(zip(*keys))
        else:
            distinct = {key for key in zip(*keys) if key[0] is not None}
        if len(distinct) == given:
            continue  # no key twice: the walk below would say nothing
        seen: dict[tuple, dict] = {}
        for r in records[sheet.name]:
            key = tuple(r[c] for c in sheet.key)
            if key[0] is None:
                continue
            if key in seen:
                src = r.get(SOURCE_COLUMN)
                shown = "、".join(f"{where.column(sheet.name, c, src)}={_shown(r[c])}" for c in sheet.key
                                 if r[c] is not None)
                issue(sheet.name, r, sheet.key[-1],
                      f"重复记录（{shown}，与{at(sheet.name, loc(r), loc(seen[key]))}相同）")
            else:
                seen[key] = r

    # Ids unique across the whole data set, also when letter case is ignored. No two ids
    # the same once case-folded means no two the same at all: nothing to say.
    id_sheets = [s for s in SHEETS.values() if s.id_column]
    folded_ids = [i.casefold() for s in id_sheets for i in col(s.name, s.id_column) if i is not None]
    if len(set(folded_ids)) != len(folded_ids):
        owner_of_id: dict[str, tuple[str, tuple[str, int]]] = {}
        folded: dict[str, tuple[str, str, tuple[str, int]]] = {}
        for sheet in id_sheets:
            for r in records[sheet.name]:
                node_id = r[sheet.id_column]
                if node_id is None:
                    continue
                if node_id in owner_of_id:
                    other_sheet, other = owner_of_id[node_id]
                    if other_sheet != sheet.name:
                        issue(sheet.name, r, sheet.id_column,
                              f"编号“{_shown(node_id)}”已在{where.place(other_sheet, other[0])} 第 {other[1]} 行使用；"
                              "编号须在全部工作表中唯一")
                    continue
                owner_of_id[node_id] = (sheet.name, loc(r))
                key = node_id.casefold()
                if key in folded:
                    other, other_sheet, there = folded[key]
                    issue(sheet.name, r, sheet.id_column,
                          f"编号“{_shown(node_id)}”与{where.place(other_sheet, there[0])} 第 {there[1]} 行的“{_shown(other)}”"
                          "只差字母大小写；编号不区分大小写也须唯一")
                else:
                    folded[key] = (node_id, sheet.name, loc(r))

    # One legal entity, one id: the same 统一社会信用代码 under two enterprise ids from two
    # sources is a conflict (within one workbook it is the analyst's own choice, as before).
    # Each code with one id only (the usual case) is no conflict.
    by_uscc: dict[str, list[dict]] = defaultdict(list)
    if where.multi:
        pairs = {(code, firm) for code, firm in zip(col("enterprises", "uscc"), col("enterprises", "enterprise_id"))
                 if code is not None and firm is not None}
        if len({code for code, _ in pairs}) != len(pairs):
            for r in records["enterprises"]:
                if r["uscc"] is not None and r["enterprise_id"] is not None:
                    by_uscc[r["uscc"]].append(r)
    for code, firms in by_uscc.items():
        ids = list(dict.fromkeys(f["enterprise_id"] for f in firms))
        if len(ids) < 2 or len({f.get(SOURCE_COLUMN) for f in firms}) < 2:
            continue
        first = firms[0]
        sides = [(f.get(SOURCE_COLUMN) or where.first, where.sheet("enterprises", f.get(SOURCE_COLUMN)), f[ROW_COLUMN],
                  where.column("enterprises", "uscc", f.get(SOURCE_COLUMN)), f["enterprise_id"]) for f in firms]
        shown = "；".join(f"{where.place('enterprises', f.get(SOURCE_COLUMN))} 第 {f[ROW_COLUMN]} 行为企业"
                         f"“{_shown(f['enterprise_id'])}”" for f in firms)
        issues.append(where.issue("enterprises", first[ROW_COLUMN], "uscc",
                                  f"冲突：统一社会信用代码“{code}”属于 {len(ids)} 个不同的企业编号（{shown}）；"
                                  "同一企业只能有一个编号 (one uscc, two enterprise ids)", first.get(SOURCE_COLUMN),
                                  rows=tuple(sorted({f[ROW_COLUMN] for f in firms})), conflict=tuple(sides)))

    registry = _Registry(tables)
    kind_of_id = registry.kind

    def usable(sheet: str) -> bool:
        return where.usable(sheet)

    # Every reference names something of the right kind: one error per unknown value. A
    # sheet that could not be read at all says nothing about which ids exist.
    places = _Places()
    broken: set[tuple[str, int, str]] = set()
    rejected = where.rejected()
    for sheet, column in _REF_COLUMNS:
        if not all(usable(_ID_SHEET_OF[t].name) for t in column.targets):
            continue
        given = col(sheet, column.name)
        written = set(given if column.kind == "ref" else [value for values in given for value in values])
        written.discard(None)
        for target in column.targets:
            written -= registry.of_kind.get(target, set())
        if not written:
            continue  # every value names something of the right kind (the usual case)
        for r in records[sheet]:
            values = [r[column.name]] if column.kind == "ref" else r[column.name]
            for value in values:
                if value is None or kind_of_id.get(value) in column.targets:
                    continue
                if value in rejected:  # the id's own error says it all
                    broken.add((sheet, loc(r), column.name))
                    continue
                key, message = registry.why_unknown(value, column.targets, column.is_list)
                places.add(key, message, sheet, r[ROW_COLUMN], column.name, r.get(SOURCE_COLUMN, ""))
                broken.add((sheet, loc(r), column.name))
    broken_columns = {(sheet, column) for sheet, _, column in broken}

    def oks(sheet: str, column: str) -> list[bool]:
        """``ok(sheet, r, column)`` for each row of the sheet."""
        values = col(sheet, column)
        if (sheet, column) not in broken_columns:
            return [value is not None for value in values]
        return [value is not None and (sheet, here, column) not in broken
                for value, here in zip(values, zip(sources(sheet, ""), col(sheet, ROW_COLUMN)))]

    def ok(sheet, r, column) -> bool:
        return r[column] is not None and (not broken or (sheet, loc(r), column) not in broken)

    # A chain's member list is only known when every members row of it was read whole.
    member_chain, member_firm = col("members", "chain_id"), col("members", "enterprise_id")
    ok_chain, ok_firm = oks("members", "chain_id"), oks("members", "enterprise_id")
    members_known = usable("members") and all(ok_chain)
    uncertain: set[str] = {chain for chain, a, b in zip(member_chain, ok_chain, ok_firm) if a and not b}

    def member_known(chain_id) -> bool:
        return members_known and chain_id not in uncertain

    seqs: dict[int, tuple[str, int]] = {}
    for seq, row, source, src in zip(col("chains", "seq"), col("chains", ROW_COLUMN), sources("chains", None),
                                     sources("chains", "")):
        if seq is not None:
            if seq in seqs:
                issue_at("chains", row, source, "seq", f"序号 {seq} 与{at('chains', (src, row), seqs[seq])}重复")
            seqs.setdefault(seq, (src, row))

    membership: dict[str, set[str]] = defaultdict(set)
    member_pairs: set[tuple[str, str]] = set()
    owners: dict[str, list[tuple[str, int]]] = defaultdict(list)
    member_source: dict[str, str] = {}
    for chain_id, firm, role, tier, a, b, row, source, src in zip(
            member_chain, member_firm, col("members", "role"), col("members", "tier"), ok_chain, ok_firm,
            col("members", ROW_COLUMN), sources("members", None), sources("members", "")):
        if a and b:
            membership[chain_id].add(firm)
            member_pairs.add((chain_id, firm))
            member_source.setdefault(chain_id, source)
        if role == "owner":
            if a:
                owners[chain_id].append((src, row))
            if tier not in (None, 0):
                issue_at("members", row, source, "tier", "链主的层级应为 0")
    for chain_id, owner_rows in owners.items():
        for extra in owner_rows[1:]:
            issues.append(where.issue("members", extra[1], "role",
                                      f"产业链“{_shown(chain_id)}”已有链主（{at('members', extra, owner_rows[0])}）；"
                                      "每条链只能有一个链主", extra[0] or None))
    role_unknown = {chain_id for chain_id, role in zip(member_chain, col("members", "role")) if role is None}
    for chain_id in membership:
        if chain_id not in owners and chain_id not in role_unknown:
            issues.append(where.issue("members", None, "role",
                                      f"产业链“{_shown(chain_id)}”有成员但没有链主（role=owner/链主）",
                                      member_source.get(chain_id)))

    def not_member(sheet, r, column, chain_id, what="企业"):
        places.add(("member", chain_id, r[column], what), f"{what}“{_shown(r[column])}”不是产业链“{_shown(chain_id)}”的成员",
                   sheet, r[ROW_COLUMN], column, r.get(SOURCE_COLUMN, ""))

    def not_member_at(sheet, value, row, src, column, chain_id, what="企业"):
        places.add(("member", chain_id, value, what), f"{what}“{_shown(value)}”不是产业链“{_shown(chain_id)}”的成员",
                   sheet, row, column, src)

    # Supplies say nothing when both ends of each are members of its chain, no firm
    # supplies itself and no customer's shares of a product add up to more than 1.
    chain_of, supplier, customer = col("supplies", "chain_id"), col("supplies", "supplier_id"), col("supplies", "customer_id")
    quiet = all(map(member_pairs.__contains__, zip(chain_of, supplier))) \
        and all(map(member_pairs.__contains__, zip(chain_of, customer))) \
        and not (any(map(operator.eq, supplier, customer))  # (in C; a None pair is no firm supplying itself)
                 and any(s is not None and s == c for s, c in zip(supplier, customer)))
    given_shares = col("supplies", "share")
    if quiet and given_shares.count(None) < len(given_shares):
        shares: dict[tuple, float] = defaultdict(float)
        product, a = col("supplies", "product"), oks("supplies", "chain_id")
        for i in [i for i, share in enumerate(given_shares) if share is not None]:
            if a[i]:
                shares[chain_of[i], customer[i], product[i]] += given_shares[i]  # the same additions, in order
        quiet = not any(total > 1 + 1e-9 for total in shares.values())
    if not quiet:
        shares = defaultdict(float)
        share_rows: dict[tuple, tuple[str, int]] = {}
        for r in records["supplies"]:
            if not ok("supplies", r, "chain_id"):
                continue
            members = membership.get(r["chain_id"], set())
            for column in ("supplier_id", "customer_id"):
                if member_known(r["chain_id"]) and ok("supplies", r, column) and r[column] not in members:
                    not_member("supplies", r, column, r["chain_id"])
            if r["supplier_id"] is not None and r["supplier_id"] == r["customer_id"]:
                issue("supplies", r, "customer_id", "供方与需方不能是同一企业")
            if r["share"] is not None:
                key = (r["chain_id"], r["customer_id"], r["product"])
                shares[key] += r["share"]
                share_rows[key] = loc(r)
        for key, total in shares.items():
            if total > 1 + 1e-9:
                issues.append(where.issue("supplies", share_rows[key][1], "share",
                                          f"需方“{_shown(key[1])}”的产品“{_shown(key[2] or '')}”各供方占比之和为 "
                                          f"{total:.2f}，超过 1", share_rows[key][0] or None))

    for chain_id, firm, status, raised, resolved, a, b, row, source, src in zip(
            col("problems", "chain_id"), col("problems", "enterprise_id"), col("problems", "status"),
            col("problems", "raised_on"), col("problems", "resolved_on"), oks("problems", "chain_id"),
            oks("problems", "enterprise_id"), col("problems", ROW_COLUMN), sources("problems", None),
            sources("problems", "")):
        if a and member_known(chain_id) and b:
            if firm not in membership.get(chain_id, set()):
                not_member_at("problems", firm, row, src, "enterprise_id", chain_id)
        if resolved is not None:
            if status not in (None, "resolved"):
                issue_at("problems", row, source, "resolved_on", "填写了解决日期，但状态不是“已解决”")
            if raised is not None and resolved < raised:
                issue_at("problems", row, source, "resolved_on", "解决日期早于提出日期")
    problem_chain = dict(zip(col("problems", "problem_id"), col("problems", "chain_id")))

    for chain_id, lead, tackles, has_chain, b, row, source, src in zip(
            col("projects", "chain_id"), col("projects", "lead_id"), col("projects", "tackles"),
            oks("projects", "chain_id"), oks("projects", "lead_id"), col("projects", ROW_COLUMN),
            sources("projects", None), sources("projects", "")):
        if has_chain and member_known(chain_id) and b and lead not in membership.get(chain_id, set()):
            not_member_at("projects", lead, row, src, "lead_id", chain_id, what="牵头企业")
        for problem_id in tackles if has_chain else ():
            if kind_of_id.get(problem_id) == "Problem" and problem_chain.get(problem_id) != chain_id:
                issue_at("projects", row, source, "tackles",
                         f"质量问题“{_shown(problem_id)}”属于其他产业链（{problem_chain.get(problem_id)}）")
    issues.extend(places.issues(where))


# --------------------------------------------------------------------------- many sources

def same_value(a: Any, b: Any) -> bool:
    """Do two sources agree on a (normalised, non-blank) value? Lists are compared as sets.

    Values are compared after intake's normalisation, so ``小型`` and ``small``, ``普陀`` and
    ``普陀区``, ``50%`` and ``0.5`` are the same value. A blank never disagrees: compare only
    values both sides give.

    >>> same_value(["testing", "metrology"], ["metrology", "testing"]), same_value("small", "medium")
    (True, False)
    """
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return set(a) == set(b)
    return a == b


def _given(value: Any) -> bool:
    return value is not None and not (isinstance(value, (list, tuple)) and not value)


#: Columns of entity sheets that list targets: several sources' lists are joined, not compared.
_JOINED = {(s.name, c.name) for s in SHEETS.values() if s.label for c in s.columns if c.kind == "refs"}


def _value_text(column: Column, value: Any) -> str:
    """A normalised value as the analyst would recognise it: ``小型（small）``, ``是``, ``计量；标准``."""
    if isinstance(value, (list, tuple)):
        return "；".join(_value_text(column, v) for v in value)
    if column.enum and isinstance(value, str) and value in ENUMS[column.enum].codes:
        return f"{ENUMS[column.enum].chinese(value)}（{value}）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:g}"
    return _shown(value)


def _entity_text(sheet: Sheet, record: dict) -> str:
    if sheet.label:
        return f"{_KIND_ZH[sheet.label]}“{_shown(record[sheet.id_column])}”"
    key = "，".join(f"{sheet.column(c).zh} {_shown(record[c])}" for c in sheet.key if record[c] is not None)
    return f"{sheet.zh}（{key}）"


def _merge(tables: Mapping[str, pd.DataFrame], where: _Where, issues: list[Issue]) -> dict[str, pd.DataFrame]:
    """One row per entity or relationship from the rows of every source (sheet keys identify them).

    Where two sources give the same column (not blank) they must agree (:func:`same_value`);
    a disagreement is a conflict, reported once per entity with every source's sheet, row
    and value. Lists of targets (攻关问题编号, 适用对象编号, 相关对象编号) are joined. Two rows
    of one source with the same key stay two rows: that is the source's own duplicate,
    reported as such by :func:`_check`.
    """
    out: dict[str, pd.DataFrame] = {}
    for name in SHEET_ORDER:
        frame, sheet = tables[name], SHEETS[name]
        columns = list(sheet.column_names)
        if not len(frame):
            out[name] = frame.assign(**{SOURCES_COLUMN: pd.Series(dtype=object)})
            continue
        groups: list[list[dict]] = []
        at: dict[tuple, int] = {}
        for r in frame_records(frame):
            key = tuple(r[c] for c in sheet.key)
            i = at.get(key) if key[0] is not None else None
            if i is None or any(g[SOURCE_COLUMN] == r[SOURCE_COLUMN] for g in groups[i]):
                if i is None and key[0] is not None:
                    at[key] = len(groups)
                groups.append([r])
            else:
                groups[i].append(r)
        compared = [c for c in columns if c not in sheet.key and (name, c) not in _JOINED]
        joined = [c for c in columns if (name, c) in _JOINED]
        merged = []
        for group in groups:
            first = group[0]
            record = dict(first)
            record[SOURCES_COLUMN] = sorted({g[SOURCE_COLUMN] for g in group})
            if len(group) > 1:
                clashes = []
                for c in compared:
                    given = [g for g in group if _given(g[c])]
                    if not given:
                        continue
                    record[c] = given[0][c]
                    if any(not same_value(given[0][c], g[c]) for g in given[1:]):
                        clashes.append((c, given))
                for c in joined:
                    record[c] = list(dict.fromkeys(x for g in group for x in (g[c] or ())))
                if clashes:
                    issues.append(_conflict(sheet, first, clashes, where))
            merged.append(record)
        out[name] = pd.DataFrame({c: pd.Series([r[c] for r in merged], dtype=object)
                                  for c in columns + [ROW_COLUMN, SOURCE_COLUMN, SOURCES_COLUMN]})
    return out


def _conflict(sheet: Sheet, first: dict, clashes: list[tuple[str, list[dict]]], where: _Where) -> Issue:
    """One issue for one entity: every column the sources disagree on, with each side."""
    parts, sides = [], []
    for c, given in clashes:
        column = sheet.column(c)
        said = []
        for g in given:
            src = g[SOURCE_COLUMN]
            value = _value_text(column, g[c])
            said.append(f"{where.place(sheet.name, src)} 第 {g[ROW_COLUMN]} 行为“{value}”")
            sides.append((src, where.sheet(sheet.name, src), g[ROW_COLUMN], where.column(sheet.name, c, src), value))
        parts.append(f"{column.zh}：{'，'.join(said)}")  # the sources may name the column differently
    sources = {s[0] for s in sides}
    message = (f"冲突：{_entity_text(sheet, first)}在 {len(sources)} 个来源中不一致——{'；'.join(parts)}"
               f"（同一编号是同一对象，各来源填写的值须相同；空白不算不同 conflict between sources）")
    return where.issue(sheet.name, first[ROW_COLUMN], clashes[0][0], message, first[SOURCE_COLUMN],
                       rows=tuple(sorted({s[2] for s in sides})), conflict=tuple(sides))


def source_names(paths: Iterable[str | os.PathLike]) -> list[str]:
    """Each source's name: its file or folder name, with as many parent folders as it takes
    to tell two of the same name apart (``2024/普陀区.xlsx``, ``2025/普陀区.xlsx``).

    >>> source_names(["a/普陀区.xlsx", "b/普陀区.xlsx", "b/奉贤区.xlsx"])
    ['a/普陀区.xlsx', 'b/普陀区.xlsx', '奉贤区.xlsx']
    """
    parts = [Path(os.path.abspath(p)).parts for p in paths]
    depth = [1] * len(parts)
    while True:
        names = ["/".join(p[-d:]) for p, d in zip(parts, depth)]
        seen: dict[str, list[int]] = defaultdict(list)
        for i, n in enumerate(names):
            seen[n].append(i)
        clashing = [i for group in seen.values() if len(group) > 1 for i in group if depth[i] < len(parts[i])]
        if not clashing:
            return names
        for i in clashing:
            depth[i] += 1


def _is_csv_folder(path: Path) -> bool:
    return any(p.suffix.lower() == ".csv" and p.is_file() for p in path.iterdir())


def expand_sources(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """The sources named by ``paths``: each workbook or CSV folder as it is, and a folder that
    holds workbooks or CSV folders (and no CSV file of its own) as each of them, by name.
    The same file given twice is read once.

    A folder's sources are its ``.xlsx``/``.xlsm`` files (not Excel's ``~$`` lock files nor
    hidden ones) and its sub-folders holding CSV files.
    """
    out: list[Path] = []
    seen: set[str] = set()
    for raw in paths:
        path = Path(raw)
        found = [path]
        if path.is_dir() and not _is_csv_folder(path):
            inside = [p for p in sorted(path.iterdir()) if not p.name.startswith((".", "~$"))
                      and ((p.is_file() and p.suffix.lower() in (".xlsx", ".xlsm")) or (p.is_dir() and _is_csv_folder(p)))]
            found = inside or [path]
        for p in found:
            real = os.path.normcase(os.path.realpath(p))
            if real not in seen:
                seen.add(real)
                out.append(p)
    return out


# --------------------------------------------------------------------------- entry points

def _parse_source(found: _Sources, issues: list[Issue], tick: _Ticker) -> tuple[dict[str, pd.DataFrame],
                                                                              dict[str, SheetInfo]]:
    if "chains" not in found.present and not any((i.contract or i.sheet) == "chains" for i in issues):
        issues.append(Issue("chains", None, None, "缺少必需的工作表 chains（产业链项目）"))
    tables, infos = {}, {}
    for name in SHEET_ORDER:
        info = found.present.get(name) or SheetInfo(name, name)
        tables[name] = _parse_sheet(SHEETS[name], found.raw.get(name), issues, info, tick)
        infos[name] = info
    return tables, infos


def _source_notes(found: _Sources, prefix: str = "") -> tuple[list[str], list[str]]:
    first, last = [], []
    if found.hidden:
        first.append(f"{prefix}隐藏的工作表已照常读取：{'、'.join(found.hidden)} (hidden sheets were read)")
    if found.ignored:
        last.append(f"{prefix}未读取（名称以 说明/示例/备注/# 开头）：{'、'.join(found.ignored)}")
    return first, last


def _validate(found: _Sources, issues: list[Issue], source: str, progress: Progress | None = None,
              notes: list[str] | None = None, name: str | None = None) -> Dataset:
    notes = notes if notes is not None else []
    tick = getattr(found, "ticker", None) or _Ticker(progress, sum(len(r.rows) for r in found.raw.values()))
    if tick.progress is None and progress is not None:
        tick.progress = progress
    tables, infos = _parse_source(found, issues, tick)
    where = _Where(infos)
    tables = _resolve(tables, where, notes)
    _check(tables, issues, where)
    tick.finish()
    if issues:
        raise IntakeError(issues, source)
    first, last = _source_notes(found)
    name = name if name is not None else (Path(source).name or source)
    return Dataset(tables, source, infos, first + notes + last, sources=[name], source_paths={name: source},
                   source_sheets={name: infos})


def _read_source(path: Path, issues: list[Issue], limits: Limits, progress: Progress | None) -> _Sources:
    """What one workbook or CSV folder holds; raises :class:`IntakeError` when the file itself is refused."""
    if not path.exists():
        raise IntakeError([Issue(path.name, None, None, "文件或文件夹不存在", file=path.name)], str(path))
    if path.is_dir():
        return _read_csv_folder(path, issues, limits, progress)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        if path.stat().st_size == 0:
            raise IntakeError([Issue(path.name, None, None, "文件为空（0 字节），不是 Excel 工作簿", file=path.name)],
                              str(path))
        found = _read_excel(path, issues, limits, progress)
        if any(i.file == path.name for i in issues):
            raise IntakeError(issues, str(path))  # the workbook itself was refused
        return found
    if path.suffix.lower() == ".xls":
        raise IntakeError([Issue(path.name, None, None, "不支持旧版 .xls；请在 Excel 中另存为 .xlsx",
                                 file=path.name)], str(path))
    raise IntakeError([Issue(path.name, None, None, "应为 .xlsx 工作簿，或包含 chains.csv 等文件的文件夹",
                             file=path.name)], str(path))


@without_gc
def read_dataset(path: str | os.PathLike, *, limits: Limits | None = None,
                 progress: Progress | None = None) -> Dataset:
    """Read and validate an ``.xlsx`` workbook or a folder of CSV files.

    ``limits`` bounds what a workbook may hold (uncompressed size, compression ratio,
    rows per sheet; see :class:`graphmodel.xlsx_reader.Limits`); ``progress(done, total)``
    is called as rows are read and checked. Raises :class:`IntakeError` listing every
    problem; nothing is returned half-checked. A folder holding several workbooks or CSV
    folders is read as all of them (:func:`read_sources`).
    """
    path = Path(path)
    if path.is_dir() and len(expand_sources([path])) > 1:
        return read_sources([path], limits=limits, progress=progress)
    issues: list[Issue] = []
    found = _read_source(path, issues, limits or Limits(), progress)
    return _validate(found, issues, str(path), progress)


@without_gc
def read_sources(paths: Iterable[str | os.PathLike], *, limits: Limits | None = None,
                 progress: Progress | None = None) -> Dataset:
    """Read several workbooks or CSV folders (or folders holding them) as one data set.

    Each is a *source*, named by :func:`source_names`. Every source is read and checked
    as :func:`read_dataset` checks one (each row-level error names its source); then the
    union is checked as one data set — references may cross sources — and sources that
    disagree are refused (see :func:`_merge`). Every error of every source is raised at
    once. One path (a workbook or a CSV folder) reads exactly as :func:`read_dataset`.

    >>> ds = read_sources(["普陀区.xlsx", "奉贤区.xlsx"])          # doctest: +SKIP
    >>> ds.sources                                                # doctest: +SKIP
    ['奉贤区.xlsx', '普陀区.xlsx']
    """
    limits = limits or Limits()
    paths = expand_sources(paths)
    if not paths:
        raise IntakeError([Issue("--data", None, None, "没有给出任何工作簿或 CSV 文件夹")], "")
    if len(paths) == 1:
        issues: list[Issue] = []
        found = _read_source(paths[0], issues, limits, progress)
        return _validate(found, issues, str(paths[0]), progress)
    names = source_names(paths)
    order = sorted(range(len(paths)), key=lambda i: names[i])
    label = "、".join(names[i] for i in order[:3]) + (f" 等 {len(paths)} 个来源" if len(paths) > 3 else "")
    issues = []
    refused = False
    parts: list[tuple[str, _Sources]] = []
    for k, i in enumerate(order):
        name, path = names[i], paths[i]
        here: list[Issue] = []
        shift = _shifted(progress, k, len(paths))
        try:
            found = _read_source(path, here, limits, shift)
        except IntakeError as error:
            issues.extend(_replace(issue, source=name) for issue in error.issues)
            refused = True
            continue
        tick = found.ticker or _Ticker(shift, sum(len(r.rows) for r in found.raw.values()))
        tables, infos = _parse_source(found, here, tick)
        issues.extend(_replace(issue, source=name) for issue in here)
        parts.append((name, found))
        found.tables, found.infos, found.path = tables, infos, str(path)
    if refused:
        raise IntakeError(issues, label)
    by_source = {name: found.infos for name, found in parts}
    where = _Where(by_source=by_source)
    contributions = {
        sheet: pd.concat([found.tables[sheet].assign(**{SOURCE_COLUMN: name}) for name, found in parts],
                         ignore_index=True)
        for sheet in SHEET_ORDER}
    notes: list[str] = []
    contributions = _resolve(contributions, where, notes)
    tables = _merge(contributions, where, issues)
    _check(tables, issues, where)
    if progress:
        progress(1000, 1000)
    if issues:
        raise IntakeError(issues, label)
    # The same note of many sources (the template's 说明 sheets, not read) is said once.
    said: dict[str, list[str]] = {}
    for name, found in parts:
        for text in sum(_source_notes(found), []):
            said.setdefault(text, []).append(name)

    def whose(names: list[str]) -> str:
        return f"全部 {len(parts)} 个来源" if len(names) == len(parts) else "、".join(names)

    first = [f"{text}（{whose(names)}）" for text, names in said.items() if text.startswith("隐藏")]
    last = [f"{text}（{whose(names)}）" for text, names in said.items() if not text.startswith("隐藏")]
    shared = sum(len(s) > 1 for frame in tables.values() for s in frame[SOURCES_COLUMN])
    summary = [f"{len(parts)} 个来源中有 {shared} 条记录由多个来源共同给出，已核对一致 "
               f"({shared} records given by several sources agree)"]
    return Dataset(tables, label, dict(parts[0][1].infos), summary + first + notes + last,
                   sources=[n for n, _ in parts], source_paths={n: f.path for n, f in parts},
                   source_sheets=by_source, contributions=contributions)


def _replace(issue: Issue, **changes) -> Issue:
    from dataclasses import replace

    return replace(issue, **changes)


def _shifted(progress: Progress | None, k: int, n: int) -> Progress | None:
    """Progress of source ``k`` of ``n`` as a share of the whole read (out of 1000)."""
    if progress is None:
        return None

    def shifted(done: int, total: int) -> None:
        progress(min(999, int(1000 * (k + done / max(total, 1)) / n)), 1000)
    return shifted


def read_tables(tables: Mapping[str, pd.DataFrame | list[dict]], source: str = "<tables>") -> Dataset:
    """Validate in-memory tables (DataFrames or lists of row dicts) exactly as a workbook is.

    Keys may be sheet keys or Chinese names; row numbers in errors count as Excel would
    (the header is row 1).
    """
    issues: list[Issue] = []
    found = _Sources()
    for name, table in tables.items():
        contract = found.claim(str(name), issues)
        if contract is None:
            continue
        frame = table if isinstance(table, pd.DataFrame) else pd.DataFrame(list(table))
        frame = frame.astype(object).where(frame.notna(), None)
        header = [str(c) for c in frame.columns]
        rows = [(i + 2, list(values)) for i, values in enumerate(frame.itertuples(index=False, name=None))]
        found.raw[contract] = _RawSheet(contract, str(name), header, 1,
                                        [(n, v) for n, v in rows if not all(map(_is_blank, v))])
    return _validate(found, issues, source, name=source)
