"""Intake: an Excel workbook or a folder of CSV files → validated tables.

The sheets and columns are the contract of ``domain.md`` (see :mod:`graphmodel.schema`).
Every enumerated value may be given as its English code or its Chinese word; lists
inside a cell are separated by ``;`` or ``；``. Bad input is rejected whole: every
problem is collected and raised at once as an :class:`IntakeError`, each naming the
sheet, the row as the analyst sees it in Excel (the header is row 1) and the column.

>>> ds = read_dataset("../shared/data/willems/W02")          # doctest: +SKIP
>>> ds["members"].query("role == 'owner'").enterprise_id.tolist()  # doctest: +SKIP
['W02-Manuf_0002']
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import pandas as pd

from .schema import BOOL_WORDS, ENUMS, SHEET_ORDER, SHEETS, Column, Sheet

__all__ = ["Issue", "IntakeError", "Dataset", "read_dataset", "read_tables", "split_list"]

ROW_COLUMN = "_row"  # the Excel row number each record came from


@dataclass(frozen=True, order=True)
class Issue:
    """One problem in the input, located as the analyst sees it."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        # a contract sheet is named as a sheet; a file (CSV, workbook, folder) as a file
        where = [f"工作表 {self.sheet}" if self.sheet in SHEETS else f"文件 {self.sheet}"]
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
    sheet_rank = SHEET_ORDER.index(issue.sheet) if issue.sheet in SHEET_ORDER else -1
    return (sheet_rank, issue.sheet, issue.row or 0, issue.column or "", issue.message)


@dataclass
class Dataset:
    """Validated tables, one DataFrame per contract sheet (empty when the sheet is absent).

    Values are normalised: enumerations as English codes, lists as Python lists,
    booleans, ints and floats as such, dates as ``YYYY-MM-DD`` strings, blanks as None.
    Each frame also has a ``_row`` column: the row in the analyst's file.
    """

    tables: dict[str, pd.DataFrame]
    source: str = ""

    def __getitem__(self, sheet: str) -> pd.DataFrame:
        return self.tables[sheet]

    @property
    def chain_ids(self) -> list[str]:
        return self.tables["chains"]["chain_id"].tolist()

    def counts(self) -> dict[str, int]:
        return {name: len(df) for name, df in self.tables.items()}


# --------------------------------------------------------------------------- reading files

_FORMULA_WITHOUT_VALUE = object()
_EXCEL_ERRORS = {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#SPILL!", "#CALC!"}


@dataclass
class _RawSheet:
    name: str  # the contract name
    label: str  # how the analyst knows it (sheet name or file name)
    header: list[str]
    header_row: int
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)


def _match_sheet(name: str) -> str | None:
    key = name.strip().lower()
    if key.endswith(".csv"):
        key = key[:-4]
    for sheet in SHEETS.values():
        if key == sheet.name or key == sheet.zh:
            return sheet.name
    return None


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, float) and math.isnan(value))


def _raw_sheet(name: str, label: str, rows: Iterable[tuple[int, list[Any]]], issues: list[Issue]):
    header: list[str] | None = None
    sheet = _RawSheet(name, label, [], 0)
    for row_number, values in rows:
        if all(_is_blank(v) for v in values):
            continue
        if header is None:
            header = ["" if v is None else str(v).strip().lower() for v in values]
            sheet.header, sheet.header_row = header, row_number
            continue
        sheet.rows.append((row_number, list(values)))
    return sheet if header is not None else None


def _read_excel(path: Path, issues: list[Issue]) -> dict[str, _RawSheet]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        values_book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        formula_book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        issues.append(Issue(path.name, None, None, f"无法作为 Excel 工作簿打开（{type(exc).__name__}）；"
                                                   "请另存为 .xlsx 格式"))
        return {}
    except Exception as exc:  # zipfile.BadZipFile and friends: not a workbook at all
        issues.append(Issue(path.name, None, None, f"不是有效的 .xlsx 文件（{type(exc).__name__}）"))
        return {}
    sheets: dict[str, _RawSheet] = {}
    try:
        for ws_values, ws_formulas in zip(values_book.worksheets, formula_book.worksheets):
            name = _match_sheet(ws_values.title)
            if name is None:
                continue  # instructions and the analyst's own sheets are welcome
            if name in sheets:
                issues.append(Issue(ws_values.title, None, None, f"与工作表 {sheets[name].label} 重复（同为 {name}）"))
                continue

            def rows():
                for number, (vals, forms) in enumerate(
                        zip(ws_values.iter_rows(values_only=True), ws_formulas.iter_rows(values_only=True)), 1):
                    merged = []
                    for i, v in enumerate(vals):
                        f = forms[i] if i < len(forms) else None
                        if v is None and isinstance(f, str) and f.startswith("="):
                            merged.append(_FORMULA_WITHOUT_VALUE)
                        else:
                            merged.append(v)
                    yield number, merged

            raw = _raw_sheet(name, ws_values.title, rows(), issues)
            if raw is not None:
                sheets[name] = raw
    finally:
        values_book.close()
        formula_book.close()
    return sheets


def _read_csv_folder(folder: Path, issues: list[Issue]) -> dict[str, _RawSheet]:
    sheets: dict[str, _RawSheet] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() != ".csv" or not path.is_file():
            continue
        name = _match_sheet(path.name)
        if name is None:
            continue
        if name in sheets:
            issues.append(Issue(path.name, None, None, f"与文件 {sheets[name].label} 重复（同为 {name}）"))
            continue
        data = path.read_bytes()
        if not data.strip():
            issues.append(Issue(path.name, None, None, "文件为空，缺少表头行（删除该文件表示“暂无”）"))
            continue
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            issues.append(Issue(path.name, line, None,
                                "不是 UTF-8 编码；请在 Excel 中“另存为 → CSV UTF-8（逗号分隔）”"))
            continue
        reader = csv.reader(io.StringIO(text, newline=""))
        rows = []
        try:
            for row in reader:
                rows.append((reader.line_num, row))
        except csv.Error as exc:
            issues.append(Issue(path.name, reader.line_num, None, f"CSV 格式错误：{exc}"))
            continue
        # csv line_num is the line where the record ends; a record spans lines only with quoted newlines
        raw = _raw_sheet(name, path.name, rows, issues)
        if raw is not None:
            sheets[name] = raw
    return sheets


# --------------------------------------------------------------------------- cell parsing

_LIST_SPLIT = re.compile(r"[;；]")
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)


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
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores typed numbers (ids, codes) as floats
    if isinstance(value, (dt.datetime, dt.date)):
        return value.date().isoformat() if isinstance(value, dt.datetime) else value.isoformat()
    return str(value).strip()


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
        return int(float(text))
    raise _Bad(f"应为整数，实为“{text}”")


def _parse_number(value: Any, percent_ok: bool = False) -> float:
    if isinstance(value, bool):
        raise _Bad("应为数值")
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
            raise _Bad(f"应为数值，实为“{value}”") from None
    if math.isnan(number) or math.isinf(number):
        raise _Bad("应为有限数值")
    return number


def _parse_date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if isinstance(value, str) and " " in text:
        text = text.split(" ", 1)[0]  # "2024-05-01 00:00:00" from a datetime-typed column
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
            except ValueError:
                raise _Bad(f"日期不存在：“{text}”") from None
    raise _Bad(f"日期格式无法识别：“{text}”（应为 YYYY-MM-DD）")


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    word = _as_text(value).lower()
    if word in BOOL_WORDS:
        return BOOL_WORDS[word]
    raise _Bad(f"应为 是/否（true/false、yes/no、1/0），实为“{_as_text(value)}”")


def _parse_enum(enum_name: str, value: Any) -> str:
    enum = ENUMS[enum_name]
    code = enum.parse(_as_text(value))
    if code is None:
        raise _Bad(f"未知取值“{_as_text(value)}”，应为 {enum.describe()}")
    return code


def _parse_cell(column: Column, value: Any) -> Any:
    """The normalised value of one non-blank cell, or raise _Bad with a reason."""
    if value is _FORMULA_WITHOUT_VALUE:
        raise _Bad("单元格只有公式、没有计算结果；请在 Excel 中打开并保存，或“粘贴为数值”")
    if isinstance(value, str) and value.strip() in _EXCEL_ERRORS:
        raise _Bad(f"单元格是 Excel 错误值 {value.strip()}")
    kind = column.kind
    if kind in ("id", "ref", "text"):
        return _as_text(value)
    if kind == "int":
        number = _parse_int(value)
    elif kind == "number":
        number = _parse_number(value)
    elif kind == "share":
        number = _parse_number(value, percent_ok=True)
        if not 0 <= number <= 1:
            raise _Bad(f"应在 0 到 1 之间，实为 {_as_text(value)}")
        return number
    elif kind == "bool":
        return _parse_bool(value)
    elif kind == "date":
        return _parse_date(value)
    elif kind == "enum":
        return _parse_enum(column.enum, value)
    elif kind == "enums":
        codes: list[str] = []
        for part in split_list(_as_text(value)):
            code = _parse_enum(column.enum, part)
            if code not in codes:
                codes.append(code)
        return codes
    elif kind in ("refs", "texts"):
        return list(dict.fromkeys(split_list(_as_text(value))))
    else:  # pragma: no cover - schema and parser disagree
        raise AssertionError(kind)
    if column.minimum is not None and number < column.minimum:
        raise _Bad(f"应不小于 {column.minimum:g}，实为 {number:g}")
    return number


def _blank_value(column: Column) -> Any:
    return [] if column.kind in ("enums", "refs", "texts") else None


def _parse_sheet(sheet: Sheet, raw: _RawSheet | None, issues: list[Issue]) -> pd.DataFrame:
    columns = list(sheet.column_names) + [ROW_COLUMN]
    if raw is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    positions: dict[str, int] = {}
    for index, title in enumerate(raw.header):
        if title in positions and title in sheet.column_names:
            issues.append(Issue(sheet.name, raw.header_row, title, "表头重复"))
        positions.setdefault(title, index)
    missing = [c for c in sheet.column_names if c not in positions]
    for name in missing:
        issues.append(Issue(sheet.name, raw.header_row, name,
                            f"缺少列（表头应包含：{', '.join(sheet.column_names)}）"))
    if missing:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    records = []
    for row_number, values in raw.rows:
        record: dict[str, Any] = {ROW_COLUMN: row_number}
        for column in sheet.columns:
            i = positions[column.name]
            value = values[i] if i < len(values) else None
            if _is_blank(value):
                if column.required:
                    issues.append(Issue(sheet.name, row_number, column.name, f"必填（{column.zh}）不能为空"))
                record[column.name] = _blank_value(column)
                continue
            try:
                record[column.name] = _parse_cell(column, value)
            except _Bad as bad:
                issues.append(Issue(sheet.name, row_number, column.name, str(bad)))
                record[column.name] = _blank_value(column)
        records.append(record)
    # object columns: an int column with a blank cell must keep its ints (not become 2.0, NaN)
    return pd.DataFrame({c: pd.Series([r[c] for r in records], dtype=object) for c in columns})


# --------------------------------------------------------------------------- cross-sheet checks

def _check(tables: dict[str, pd.DataFrame], issues: list[Issue]) -> None:
    def rows(sheet: str):
        return tables[sheet].to_dict("records")

    # Keys unique within each sheet.
    for sheet in SHEETS.values():
        seen: dict[tuple, int] = {}
        for r in rows(sheet.name):
            key = tuple(r[c] for c in sheet.key)
            if any(k is None for k in key[:1]):
                continue
            if key in seen:
                shown = "、".join(f"{c}={r[c]}" for c in sheet.key if r[c] is not None)
                issues.append(Issue(sheet.name, r[ROW_COLUMN], sheet.key[-1] if len(sheet.key) > 1 else sheet.key[0],
                                    f"重复记录（{shown}，与第 {seen[key]} 行相同）"))
            else:
                seen[key] = r[ROW_COLUMN]

    # Ids unique across the whole data set.
    owner_of_id: dict[str, tuple[str, int]] = {}
    kind_of_id: dict[str, str] = {}
    for sheet in SHEETS.values():
        if not sheet.id_column:
            continue
        for r in rows(sheet.name):
            node_id = r[sheet.id_column]
            if node_id is None:
                continue
            if node_id in owner_of_id and owner_of_id[node_id][0] != sheet.name:
                other_sheet, other_row = owner_of_id[node_id]
                issues.append(Issue(sheet.name, r[ROW_COLUMN], sheet.id_column,
                                    f"编号“{node_id}”已在工作表 {other_sheet} 第 {other_row} 行使用；编号须在全部工作表中唯一"))
            elif node_id not in owner_of_id:
                owner_of_id[node_id] = (sheet.name, r[ROW_COLUMN])
                kind_of_id[node_id] = sheet.label

    def ids(label: str) -> set[str]:
        return {i for i, k in kind_of_id.items() if k == label}

    chains, enterprises, bodies = ids("Chain"), ids("Enterprise"), ids("SupportBody")
    problems, projects, indicators = ids("Problem"), ids("Project"), ids("Indicator")

    def ref(sheet, r, column, valid, what):
        value = r[column]
        if value is not None and value not in valid:
            issues.append(Issue(sheet, r[ROW_COLUMN], column, f"找不到{what}“{value}”"))
            return False
        return value is not None

    seqs: dict[int, int] = {}
    for r in rows("chains"):
        if r["seq"] is not None:
            if r["seq"] in seqs:
                issues.append(Issue("chains", r[ROW_COLUMN], "seq", f"序号 {r['seq']} 与第 {seqs[r['seq']]} 行重复"))
            seqs.setdefault(r["seq"], r[ROW_COLUMN])

    membership: dict[str, set[str]] = defaultdict(set)
    owners: dict[str, list[int]] = defaultdict(list)
    for r in rows("members"):
        ok_chain = ref("members", r, "chain_id", chains, "产业链")
        ok_firm = ref("members", r, "enterprise_id", enterprises, "企业")
        if ok_chain and ok_firm:
            membership[r["chain_id"]].add(r["enterprise_id"])
        if r["role"] == "owner":
            if ok_chain:
                owners[r["chain_id"]].append(r[ROW_COLUMN])
            if r["tier"] not in (None, 0):
                issues.append(Issue("members", r[ROW_COLUMN], "tier", "链主的层级应为 0"))
    for chain_id, owner_rows in owners.items():
        for extra in owner_rows[1:]:
            issues.append(Issue("members", extra, "role",
                                f"产业链“{chain_id}”已有链主（第 {owner_rows[0]} 行）；每条链只能有一个链主"))
    for chain_id in membership:
        if chain_id not in owners:
            issues.append(Issue("members", None, "role", f"产业链“{chain_id}”有成员但没有链主（role=owner）"))

    shares: dict[tuple, float] = defaultdict(float)
    share_rows: dict[tuple, int] = {}
    for r in rows("supplies"):
        if not ref("supplies", r, "chain_id", chains, "产业链"):
            continue
        members = membership.get(r["chain_id"], set())
        for column in ("supplier_id", "customer_id"):
            value = r[column]
            if value is not None and value not in members:
                where = "企业" if value not in enterprises else f"产业链“{r['chain_id']}”的成员"
                issues.append(Issue("supplies", r[ROW_COLUMN], column,
                                    f"“{value}”不是{where}" if value in enterprises else f"找不到企业“{value}”"))
        if r["supplier_id"] is not None and r["supplier_id"] == r["customer_id"]:
            issues.append(Issue("supplies", r[ROW_COLUMN], "customer_id", "供方与需方不能是同一企业"))
        if r["share"] is not None:
            key = (r["chain_id"], r["customer_id"], r["product"])
            shares[key] += r["share"]
            share_rows[key] = r[ROW_COLUMN]
    for key, total in shares.items():
        if total > 1 + 1e-9:
            issues.append(Issue("supplies", share_rows[key], "share",
                                f"需方“{key[1]}”的产品“{key[2] or ''}”各供方占比之和为 {total:.2f}，超过 1"))

    for r in rows("problems"):
        if ref("problems", r, "chain_id", chains, "产业链") and r["enterprise_id"] is not None:
            if r["enterprise_id"] not in enterprises:
                issues.append(Issue("problems", r[ROW_COLUMN], "enterprise_id", f"找不到企业“{r['enterprise_id']}”"))
            elif r["enterprise_id"] not in membership.get(r["chain_id"], set()):
                issues.append(Issue("problems", r[ROW_COLUMN], "enterprise_id",
                                    f"企业“{r['enterprise_id']}”不是产业链“{r['chain_id']}”的成员"))
        if r["resolved_on"] is not None:
            if r["status"] not in (None, "resolved"):
                issues.append(Issue("problems", r[ROW_COLUMN], "resolved_on", "填写了解决日期，但状态不是“已解决”"))
            if r["raised_on"] is not None and r["resolved_on"] < r["raised_on"]:
                issues.append(Issue("problems", r[ROW_COLUMN], "resolved_on", "解决日期早于提出日期"))
    problem_chain = {r["problem_id"]: r["chain_id"] for r in rows("problems")}

    for r in rows("projects"):
        has_chain = ref("projects", r, "chain_id", chains, "产业链")
        if r["lead_id"] is not None:
            if r["lead_id"] not in enterprises:
                issues.append(Issue("projects", r[ROW_COLUMN], "lead_id", f"找不到企业“{r['lead_id']}”"))
            elif has_chain and r["lead_id"] not in membership.get(r["chain_id"], set()):
                issues.append(Issue("projects", r[ROW_COLUMN], "lead_id",
                                    f"牵头企业“{r['lead_id']}”不是产业链“{r['chain_id']}”的成员"))
        for problem_id in r["tackles"]:
            if problem_id not in problems:
                issues.append(Issue("projects", r[ROW_COLUMN], "tackles", f"找不到质量问题“{problem_id}”"))
            elif has_chain and problem_chain.get(problem_id) != r["chain_id"]:
                issues.append(Issue("projects", r[ROW_COLUMN], "tackles",
                                    f"质量问题“{problem_id}”属于其他产业链（{problem_chain.get(problem_id)}）"))

    targets_ok = chains | enterprises | problems | projects
    for r in rows("support_links"):
        ref("support_links", r, "body_id", bodies, "质量赋能机构")
        value = r["target_id"]
        if value is not None and value not in targets_ok:
            what = {"SupportBody": "机构", "PolicyTool": "政策工具", "Indicator": "指标"}.get(kind_of_id.get(value))
            reason = (f"“{value}”是{what}，赋能对象只能是产业链、企业、质量问题或攻关项目" if what
                      else f"找不到赋能对象“{value}”（应为产业链、企业、质量问题或攻关项目的编号）")
            issues.append(Issue("support_links", r[ROW_COLUMN], "target_id", reason))

    applicable = chains | enterprises | projects
    for r in rows("policy_tools"):
        for target in r["applies_to"]:
            if target not in applicable:
                issues.append(Issue("policy_tools", r[ROW_COLUMN], "applies_to",
                                    f"找不到适用对象“{target}”（应为产业链、企业或攻关项目的编号）"))

    for r in rows("readings"):
        ref("readings", r, "enterprise_id", enterprises, "企业")
        ref("readings", r, "indicator_id", indicators, "质量指标")
    for r in rows("targets"):
        ref("targets", r, "chain_id", chains, "产业链")
        ref("targets", r, "indicator_id", indicators, "质量指标")


# --------------------------------------------------------------------------- entry points

def _validate(raw: dict[str, _RawSheet], issues: list[Issue], source: str) -> Dataset:
    if "chains" not in raw and not any(i.sheet.lower().startswith("chains") for i in issues):
        issues.append(Issue("chains", None, None, "缺少必需的工作表 chains（产业链项目）"))
    tables = {name: _parse_sheet(SHEETS[name], raw.get(name), issues) for name in SHEET_ORDER}
    _check(tables, issues)
    if issues:
        raise IntakeError(issues, source)
    return Dataset(tables, source)


def read_dataset(path: str | os.PathLike) -> Dataset:
    """Read and validate an ``.xlsx`` workbook or a folder of ``<sheet>.csv`` files.

    Raises :class:`IntakeError` listing every problem; nothing is returned half-checked.
    """
    path = Path(path)
    issues: list[Issue] = []
    if not path.exists():
        raise IntakeError([Issue(path.name, None, None, "文件或文件夹不存在")], str(path))
    if path.is_dir():
        raw = _read_csv_folder(path, issues)
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        if path.stat().st_size == 0:
            raise IntakeError([Issue(path.name, None, None, "文件为空（0 字节），不是 Excel 工作簿")], str(path))
        raw = _read_excel(path, issues)
    elif path.suffix.lower() == ".xls":
        raise IntakeError([Issue(path.name, None, None, "不支持旧版 .xls；请在 Excel 中另存为 .xlsx")], str(path))
    else:
        raise IntakeError([Issue(path.name, None, None,
                                 "应为 .xlsx 工作簿，或包含 chains.csv 等文件的文件夹")], str(path))
    return _validate(raw, issues, str(path))


def read_tables(tables: Mapping[str, pd.DataFrame | list[dict]], source: str = "<tables>") -> Dataset:
    """Validate in-memory tables (DataFrames or lists of row dicts) exactly as a workbook is.

    Row numbers in errors count as Excel would: the header is row 1.
    """
    issues: list[Issue] = []
    raw: dict[str, _RawSheet] = {}
    for name, table in tables.items():
        contract = _match_sheet(name)
        if contract is None:
            continue
        frame = table if isinstance(table, pd.DataFrame) else pd.DataFrame(list(table))
        frame = frame.astype(object).where(frame.notna(), None)
        header = [str(c).strip().lower() for c in frame.columns]
        rows = [(i + 2, list(values)) for i, values in enumerate(frame.itertuples(index=False, name=None))]
        raw[contract] = _RawSheet(contract, name, header, 1, [(n, v) for n, v in rows if not all(map(_is_blank, v))])
    return _validate(raw, issues, source)
