"""Text for people: display width of Chinese text, values as words, aligned tables.

One place for each rule, so a terminal table, a map label, a list cell and a report line
show a value the same way:

* :func:`display_width` — columns a string takes on a terminal or in a fixed-width cell
  (Chinese and other wide characters 2, combining and zero-width characters 0);
* :func:`truncate` — cut to a width, with an ellipsis;
* :func:`display_value` — a property value as an analyst reads it (enum codes with their
  Chinese words, 是/否, percentages); :func:`enum_word` and :func:`services_text` for the
  Chinese word alone;
* :func:`number_text` — a number without float noise (``656`` not ``656.000000``);
* :func:`cell_text` — a value as machine text for CSV (codes, ``;``-joined lists);
* :func:`format_table` — a plain-text table aligned by display width;
* :func:`change_text` — the change of a number against last year (``+3``, ``−5 个百分点``, ``持平``);
* :data:`READING_STATUS_ZH` — the words of a reading's standing against the limits (indicator-gap);
* :func:`analysis_table` — an analysis result as a table for Chinese readers (headers, enum
  words, a name beside every id) or with the contract's keys and codes (``lang="en"``).

>>> display_width("链主A"), truncate("上海示例精密仪器有限公司", 8)
(5, '上海示例精密仪…')
>>> display_value("status", "open", "Problem"), enum_word("problem_status", "in_progress")
('待处理 open', '推进中')
>>> number_text(656.0), number_text(0.123456789), number_text(None)
('656', '0.1235', '—')
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any, Iterable, Mapping, Sequence

from .schema import ENUMS

__all__ = [
    "display_width",
    "truncate",
    "pad",
    "format_table",
    "display_value",
    "enum_word",
    "services_text",
    "number_text",
    "name_with_id",
    "cell_text",
    "plain",
    "change_text",
    "READING_STATUS_ZH",
    "COLUMN_ZH",
    "analysis_table",
]


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0  # combining marks, zero-width spaces and joiners
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: Any) -> int:
    """Columns ``text`` takes in a monospaced terminal or cell.

    >>> display_width("SH02"), display_width("光伏玻璃"), display_width("U1\\u200b")
    (4, 8, 2)
    """
    return sum(_char_width(ch) for ch in ("" if text is None else str(text)))


def truncate(text: Any, limit: int) -> str:
    """At most ``limit`` Chinese characters wide (a Latin letter counts half), with an ellipsis when cut.

    Labels only; tooltips show the full text.

    >>> truncate("Part_0001", 8), truncate("Manuf_00431234567", 8)
    ('Part_0001', 'Manuf_00431234…')
    """
    text = "" if text is None else str(text)
    budget = 2 * limit
    if display_width(text) <= budget:
        return text
    out, used = [], 0
    for ch in text:
        w = _char_width(ch)
        if used + w > budget - 2:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def pad(text: Any, width: int, align: str = "left") -> str:
    """``text`` padded with spaces to ``width`` display columns (``align``: left or right)."""
    text = "" if text is None else str(text)
    gap = " " * max(0, width - display_width(text))
    return gap + text if align == "right" else text + gap


def format_table(headers: Sequence[str], rows: Iterable[Sequence[Any]], align: Sequence[str] | None = None,
                 footer: str | None = None) -> str:
    """A plain-text table whose columns line up with Chinese text in them.

    Cells are shown with :func:`str` (None as empty); newlines become spaces. ``align``
    gives ``left``/``right`` per column (default: left).

    >>> print(format_table(["编号", "名称"], [["E1", "链主"], ["E22", "上游企业"]]))
    编号 | 名称
    -----+---------
    E1   | 链主
    E22  | 上游企业
    """
    cells = [["" if v is None else str(v).replace("\r", " ").replace("\n", " ") for v in row] for row in rows]
    headers = [str(h) for h in headers]
    align = list(align or ["left"] * len(headers))
    widths = [max([display_width(h)] + [display_width(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values):
        return " | ".join(pad(v, w, a) for v, w, a in zip(values, widths, align)).rstrip()

    out = [line(headers), "-+-".join("-" * w for w in widths)] + [line(r) for r in cells]
    if footer:
        out.append(footer)
    return "\n".join(out)


# --------------------------------------------------------------------------- values as words

#: Property → enumeration, for showing codes with their Chinese words.
_PROP_ENUM = {"size": "size", "services": "service", "needs": "service", "category": "category",
              "severity": "severity", "kind": "kind", "direction": "direction", "service": "service",
              "role": "role"}


def enum_word(enum: str, code: Any) -> str:
    """The Chinese word of an enumeration code ("" for a blank, the code itself if unknown)."""
    if code is None or code == "":
        return ""
    values = dict(ENUMS[enum].values)
    return values.get(code, str(code))


def services_text(codes: Iterable[str] | None, sep: str = "、") -> str:
    """Service codes as their Chinese words: ``['testing', 'metrology']`` → ``检验检测、计量``."""
    return sep.join(enum_word("service", c) for c in (codes or ()))


def number_text(value: Any, digits: int = 4) -> str:
    """A number as a person reads it: integers without ``.0``, others to ``digits`` significant digits."""
    value = plain(value)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.{digits}g}"
    return str(value)


def name_with_id(name: Any, node_id: Any) -> str:
    """``名称（编号）``, or the id alone when there is no name."""
    if name is None or name == "" or name == node_id:
        return str(node_id)
    return f"{name}（{node_id}）"


def display_value(prop: str, value: Any, label: str | None = None) -> str:
    """A property value as an analyst reads it: enum codes with their Chinese words, 是/否, percentages.

    >>> display_value("needs", ["testing", "metrology"])
    '检验检测 testing、计量 metrology'
    >>> display_value("sme", True), display_value("progress", 0.4)
    ('是', '40%')
    """
    enum_name = _PROP_ENUM.get(prop)
    if prop == "status":
        enum_name = {"Problem": "problem_status", "Project": "project_status"}.get(label or "", "link_status")
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "、".join(display_value(prop, v, label) for v in value)
    if enum_name and isinstance(value, str):
        enum = ENUMS[enum_name]
        if value in enum.codes:
            return f"{enum.chinese(value)} {value}"
    if prop == "progress" and isinstance(value, (int, float)):
        return f"{value:.0%}"
    if isinstance(value, float):
        return number_text(value)
    return str(value)


# --------------------------------------------------------------------------- machine text

def plain(value: Any) -> Any:
    """A JSON-ready Python value: numpy/pandas scalars unwrapped, NaN/NA as None."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [plain(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        value = value.tolist()  # numpy scalars and arrays
        if isinstance(value, list):
            return [plain(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    if type(value).__name__ in ("NAType", "NaTType"):  # pandas.NA, pandas.NaT without importing pandas
        return None
    return value


def cell_text(value: Any) -> str:
    """One value as machine text (CSV): lists joined with ``;``, dicts as ``key=value;…``, None as "".

    >>> cell_text(["testing", "metrology"]), cell_text({"open": 2}), cell_text(None)
    ('testing;metrology', 'open=2', '')
    """
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(cell_text(v) for v in value)
    if isinstance(value, dict):
        return ";".join(f"{k}={cell_text(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)



# --------------------------------------------------------------------------- changes against last year

def change_text(now: Any, then: Any, share: bool = False) -> str:
    """How a number moved since the baseline: ``+3``, ``−2``, ``持平``; shares in whole
    percentage points of the percentages shown (``+5 个百分点``); ``—`` when either is unknown.

    >>> change_text(5, 2), change_text(1, 3), change_text(4, 4), change_text(0.5, 0.25, share=True)
    ('+3', '−2', '持平', '+25 个百分点')
    >>> change_text(None, 2), change_text(0.5, None, share=True)
    ('—', '—')
    """
    now, then = plain(now), plain(then)
    if now is None or then is None:
        return "—"
    if share:
        delta = round(now * 100) - round(then * 100)
        unit = " 个百分点"
    else:
        delta = now - then
        unit = ""
    if delta == 0:
        return "持平"
    return ("+" if delta > 0 else "−") + number_text(abs(delta)) + unit


# --------------------------------------------------------------------------- analysis tables for people

#: How a reading stands against the national and industry limits (indicator-gap, owner-benchmark).
READING_STATUS_ZH = {"below_national": "低于国家标准", "meets_national": "达到国家标准",
                     "beats_industry": "优于行业标准", "no_limit": "无限值"}

#: The Chinese header of each analysis column (the contract's keys stay the JSON/CSV keys).
COLUMN_ZH = {
    "chain_id": "产业链", "problem_id": "质量问题", "enterprise_id": "企业", "missing": "缺少的服务",
    "title": "问题", "severity": "严重程度", "status": "状态", "hops": "跳数", "name": "名称",
    "customer_id": "需方企业", "product": "产品", "supplier_id": "供方企业", "share": "供货占比",
    "critical": "关键供应", "problems": "未解决问题", "size": "规模", "service": "服务", "bodies": "机构",
    "needing": "需要该服务的问题数", "covered": "已覆盖数", "indicator_id": "指标", "year": "年份", "value": "数值",
    "role": "角色", "direction": "方向", "national_limit": "国家标准限值", "industry_limit": "行业标准限值",
    "score": "介数得分", "rank": "排名", "seq": "序号", "district": "区", "key": "重点项目",
    "members": "链上企业", "smes": "中小企业", "projects": "攻关项目", "unresolved": "未解决",
    "coverage": "覆盖率", "target_id": "帮扶对象", "target_kind": "对象类型", "body_id": "机构",
    "reach": "范围",
}

#: Columns holding ids (a name is shown beside each) and lists of ids.
_ID_COLUMNS = {"chain_id", "problem_id", "enterprise_id", "customer_id", "supplier_id", "indicator_id",
               "target_id", "body_id"}
_ID_LIST_COLUMNS = {"problems", "bodies"}
_ENUM_COLUMNS = {"missing": "service", "severity": "severity", "size": "size", "service": "service",
                 "role": "role", "direction": "direction"}
_WORDS = {"target_kind": {"problem": "质量问题", "enterprise": "企业"},
          "reach": {"chain": "本链", "district": "本区", "city": "全市"}}
_COUNT_ENUMS = {"problems": "problem_status", "projects": "project_status", "bodies": "service"}
_COUNT_HEADERS = {"problems": "质量问题（按状态）", "projects": "攻关项目（按状态）", "bodies": "赋能机构（按支柱）"}
_SHARE_COLUMNS = {"coverage", "share"}
#: The longest name shown beside an id in a terminal table (Chinese characters).
NAME_LIMIT = 18


def _status_enum(frame_columns) -> str:
    return "reading_status" if "indicator_id" in frame_columns else "problem_status"


def _with_name(node_id: Any, names: Mapping[str, Any]) -> str:
    name = names.get(node_id)
    if name is None or name == "" or name == node_id:
        return str(node_id)
    return f"{node_id} {truncate(name, NAME_LIMIT)}"


def _zh_cell(column: str, value: Any, names: Mapping[str, Any], status_enum: str, numeric: bool) -> str:
    value = plain(value)
    if value is None:
        return ""
    if column in _ID_COLUMNS:
        return _with_name(value, names)
    if column in _ID_LIST_COLUMNS and isinstance(value, list):
        return "、".join(_with_name(v, names) for v in value)
    if isinstance(value, dict):
        enum = _COUNT_ENUMS.get(column)
        return "，".join(f"{enum_word(enum, k) if enum else k} {number_text(v)}" for k, v in value.items())
    if column == "status":
        if status_enum == "reading_status":
            return READING_STATUS_ZH.get(value, str(value))
        return enum_word(status_enum, value)
    if column in _ENUM_COLUMNS:
        enum = _ENUM_COLUMNS[column]
        return "、".join(enum_word(enum, v) for v in value) if isinstance(value, list) else enum_word(enum, value)
    if column in _WORDS:
        return _WORDS[column].get(value, str(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if column in _SHARE_COLUMNS and isinstance(value, (int, float)):
        return f"{round(value * 100)}%"
    if column == "score" and isinstance(value, float):
        return number_text(round(value, 2))
    if isinstance(value, list):
        return "、".join(cell_text(v) for v in value)
    return number_text(value) if numeric else cell_text(value)


def analysis_table(records: Sequence[Mapping[str, Any]], columns: Sequence[str], numeric: Sequence[bool],
                   names: Mapping[str, Any] | None = None, lang: str = "zh",
                   status_enum: str | None = None) -> tuple[list[str], list[list[str]], list[str]]:
    """(headers, rows, alignment) of an analysis result for a terminal.

    ``lang="zh"`` (the default for people): Chinese headers (:data:`COLUMN_ZH`), enumeration
    codes as their Chinese words, ``名称`` beside every id (from ``names``: id → name), shares as
    percentages, scores to two decimals. ``lang="en"``: the contract's keys and codes, as
    JSON and CSV carry them. ``numeric`` says which columns are numbers (right-aligned).

    >>> h, rows, _ = analysis_table([{"enterprise_id": "E1", "size": "small"}], ["enterprise_id", "size"],
    ...                             [False, False], {"E1": "申石英砂厂"})
    >>> h, rows
    (['企业', '规模'], [['E1 申石英砂厂', '小型']])
    >>> analysis_table([{"status": "open"}], ["status"], [False], lang="en")[1]
    [['open']]
    """
    names = names or {}
    status_enum = status_enum or _status_enum(columns)
    # The name column is dropped: each name is shown beside its id.
    shown = [c for c in columns if not (lang == "zh" and c == "name" and _ID_COLUMNS & set(columns))]
    flags = [numeric[list(columns).index(c)] for c in shown]
    if lang == "en":
        headers = list(shown)
        rows = [[number_text(r.get(c)) if num and r.get(c) is not None else cell_text(r.get(c))
                 for c, num in zip(shown, flags)] for r in records]
    else:
        counted = {c for c in shown if any(isinstance(plain(r.get(c)), dict) for r in records)}
        headers = [_COUNT_HEADERS[c] if c in counted and c in _COUNT_HEADERS else COLUMN_ZH.get(c, c) for c in shown]
        rows = [[_zh_cell(c, r.get(c), names, status_enum, num) for c, num in zip(shown, flags)] for r in records]
    return headers, rows, ["right" if n else "left" for n in flags]
