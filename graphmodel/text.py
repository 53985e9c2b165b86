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
* :func:`format_table` — a plain-text table aligned by display width.

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

