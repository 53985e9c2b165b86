"""Colours, shapes and Chinese captions shared by the maps, the static diagrams and the reports.

One place decides what a red problem or a metrology link looks like, so the legend, the
map, the overview and an exported picture always agree. Which problem is red is decided
by :func:`graphmodel.analyses.problem_coverage` (its ``tone``); this module only says how
each tone looks. It sits below both :mod:`graphmodel.maps` and :mod:`graphmodel.export`.

>>> SERVICE_STYLE["testing"]["zh"], PROBLEM_STATES["red"]["zh"]
('检验检测', '未解决·缺服务')
"""

from __future__ import annotations

import re
from typing import Any

from .schema import SERVICES
from .text import truncate

__all__ = [
    "FONT_STACK",
    "SERVICE_STYLE",
    "PROBLEM_STATES",
    "NODE_TYPES",
    "LABEL_ZH",
    "PROP_ZH",
    "short_name",
    "service_style",
    "body_group_key",
    "body_group_title",
]

#: System CJK fonts only (no web fonts: the pages work offline). Windows, macOS, Linux.
FONT_STACK = ('"Microsoft YaHei", "微软雅黑", "PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC", '
              '"Source Han Sans SC", "WenQuanYi Micro Hei", "Droid Sans Fallback", sans-serif')

#: Support-link styling by service: colour and dash pattern (dashes also tell services
#: apart without colour vision). Body groups use the same colours.
SERVICE_STYLE: dict[str, dict[str, Any]] = {
    "metrology": {"color": "#2b6cb0", "dashes": False},
    "standards": {"color": "#805ad5", "dashes": [10, 5]},
    "testing": {"color": "#0e9aa7", "dashes": [3, 4]},
    "certification": {"color": "#d53f8c", "dashes": [12, 4, 3, 4]},
    "quality_management": {"color": "#5a6b82", "dashes": [6, 6]},
    "training": {"color": "#a0642c", "dashes": [2, 7]},
}
for _code, _zh in SERVICES.values:
    SERVICE_STYLE[_code]["zh"] = _zh
OTHER_SERVICE = {"color": "#718096", "dashes": False, "zh": "其他"}

#: How each coverage tone (:attr:`graphmodel.analyses.Coverage.tone`) looks on maps and diagrams.
PROBLEM_STATES: dict[str, dict[str, str]] = {
    "red": {"color": "#e53e3e", "dark": "#9b2c2c", "zh": "未解决·缺服务", "en": "unresolved, a needed service missing"},
    "amber": {"color": "#dd8a0b", "dark": "#975a16", "zh": "未解决·已覆盖", "en": "unresolved, every need covered"},
    "green": {"color": "#38a169", "dark": "#276749", "zh": "已解决", "en": "resolved"},
}

#: Filterable node types: key → (Chinese caption, labels it covers).
NODE_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "firm": ("企业", ("Enterprise",)),
    "body": ("质量赋能机构", ("SupportBody",)),
    "problem": ("质量问题", ("Problem",)),
    "project": ("攻关项目", ("Project",)),
    "tool": ("政策工具", ("PolicyTool",)),
    "indicator": ("质量指标", ("Indicator",)),
    "case": ("典型案例", ("Case",)),
}

LABEL_ZH = {
    "Chain": "产业链项目", "District": "区", "Enterprise": "企业", "SupportBody": "质量赋能专业技术机构",
    "TrainingBase": "质量提升培训基地", "Problem": "质量问题", "Project": "重点攻关项目",
    "PolicyTool": "质量政策工具", "Indicator": "质量指标", "Case": "典型案例",
}

PROP_ZH = {
    "id": "编号", "name": "名称", "title": "标题", "seq": "序号", "district": "所在区", "leader": "链长单位",
    "key": "重点项目★", "industry": "行业", "size": "规模", "sme": "中小企业", "uscc": "统一社会信用代码",
    "services": "服务", "accreditations": "资质", "category": "类别", "severity": "严重程度", "status": "状态",
    "needs": "所需服务", "raised_on": "提出日期", "resolved_on": "解决日期", "due": "完成期限",
    "progress": "进度", "kind": "类型", "issuer": "发布单位", "unit": "单位", "direction": "方向",
    "standard": "标准号", "national_limit": "国家标准限值", "industry_limit": "行业标准限值",
}

_TRAILING_NOTE = re.compile(r"\s*[（(][^（）()]{1,12}[)）]\s*$")
_CITY = re.compile(r"^(?:上海市|上海)")
_COMPANY = re.compile(r"(?:股份有限公司|有限责任公司|集团有限公司|有限公司|股份公司|公司)$")


def short_name(name: Any, limit: int = 8) -> str:
    """A label-sized name: no trailing note in brackets, no leading 上海, no company form.

    Labels only; tooltips, search and exports keep the full name.

    >>> short_name("上海恒远电子元器件有限公司（示例）")
    '恒远电子元器件'
    >>> short_name("<img src=x onerror=alert(1)>", 40)
    '<img src=x onerror=alert(1)>'
    """
    text = "" if name is None else str(name).strip()
    base = _TRAILING_NOTE.sub("", text) or text
    for pattern in (_CITY, _COMPANY):
        cut = pattern.sub("", base)
        if len(cut) >= 2:
            base = cut
    return truncate(base, limit)


def service_style(code: str | None) -> dict[str, Any]:
    """Colour, dashes and Chinese caption of a service (a group key: its first service)."""
    first = (code or "").split("+")[0]
    return SERVICE_STYLE.get(first, OTHER_SERVICE)


def body_group_key(services) -> str:
    """The map group of a body: the services it gives the chain, joined (``metrology+testing``),
    or ``other`` when it gives none we know.

    >>> body_group_key(["testing", "metrology"]), body_group_key(["training"]), body_group_key([])
    ('metrology+testing', 'training', 'other')
    """
    order = list(SERVICE_STYLE)
    known = sorted({s for s in services or () if s in SERVICE_STYLE}, key=order.index)
    return "+".join(known) or "other"


def body_group_title(key: str) -> str:
    """``计量 · 检验检测`` for ``metrology+testing``; 其他 for ``other``."""
    if key == "other":
        return OTHER_SERVICE["zh"]
    return " · ".join(SERVICE_STYLE[s]["zh"] for s in key.split("+"))
