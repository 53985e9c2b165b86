"""Codes of real registers that intake checks: 统一社会信用代码 and Shanghai's districts.

The unified social credit code (USCC) follows GB 32100-2015: 18 characters from
``0123456789ABCDEFGHJKLMNPQRTUWXY`` (I, O, S, V, Z never occur), the 18th a check
character over the first 17. Shanghai's 16 districts may be written with or without 区,
or as their GB/T 2260 code, and are stored by their full name; places outside Shanghai
are kept as written (``domain.md``, "Codes of real registers").

>>> uscc_problem("91350100M000100Y43") is None
True
>>> uscc_problem("91350100M000100Y4Z")
'校验位（第 18 位）应为“3”，实为“Z”'
>>> normalise_district("普陀"), normalise_district("310115"), normalise_district("苏州市")
('普陀区', '浦东新区', '苏州市')
"""

from __future__ import annotations

import unicodedata

__all__ = [
    "USCC_CHARS",
    "USCC_WEIGHTS",
    "uscc_check_char",
    "uscc_problem",
    "normalise_uscc",
    "DISTRICT_CODES",
    "normalise_district",
]

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: W_i = 3^(i-1) mod 31 for i = 1…17.
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_VALUE = {ch: i for i, ch in enumerate(USCC_CHARS)}


def uscc_check_char(first17: str) -> str:
    """The 18th character for the first 17: (31 − Σ Cᵢ·Wᵢ mod 31) mod 31."""
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, USCC_WEIGHTS))
    return USCC_CHARS[(31 - total % 31) % 31]


def normalise_uscc(text: str) -> str:
    """Full-width characters folded, spaces dropped, upper case (as printed on a licence)."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).upper()


def uscc_problem(code: str) -> str | None:
    """Why ``code`` (already normalised) is not a valid USCC, or None when it is."""
    if len(code) != 18:
        return f"应为 18 位，实为 {len(code)} 位"
    bad = [ch for ch in code[:17] if ch not in _VALUE]
    if bad:
        return (f"含有不允许的字符“{bad[0]}”（只能是数字和除 I、O、S、V、Z 以外的大写字母）")
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return f"校验位（第 18 位）应为“{expected}”，实为“{code[17]}”"
    return None


#: GB/T 2260 codes of Shanghai's 16 districts → full name.
DISTRICT_CODES = {
    "310101": "黄浦区", "310104": "徐汇区", "310105": "长宁区", "310106": "静安区",
    "310107": "普陀区", "310109": "虹口区", "310110": "杨浦区", "310112": "闵行区",
    "310113": "宝山区", "310114": "嘉定区", "310115": "浦东新区", "310116": "金山区",
    "310117": "松江区", "310118": "青浦区", "310120": "奉贤区", "310151": "崇明区",
}
_SHORT = {}
for _full in DISTRICT_CODES.values():
    _SHORT[_full] = _full
    _SHORT[_full[:-1]] = _full  # 普陀 → 普陀区, 浦东新 → 浦东新区
_SHORT["浦东"] = "浦东新区"


def normalise_district(text: str) -> str:
    """The full name of a Shanghai district written with or without 区 (or 上海市), or
    as its GB/T 2260 code; anything else as written."""
    key = "".join(unicodedata.normalize("NFKC", text).split())
    if key in DISTRICT_CODES:
        return DISTRICT_CODES[key]
    for prefix in ("上海市", "上海"):
        if key.startswith(prefix) and key[len(prefix):] in _SHORT:
            key = key[len(prefix):]
    return _SHORT.get(key, text)
