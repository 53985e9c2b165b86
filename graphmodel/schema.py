"""The fixed contract: intake sheets and columns, enumerations, graph labels and
relationship types (``../shared/docs/domain.md``).

Everything that names a sheet, a column, a label or a relationship type reads it
from here, so Cypher labels and types only ever come from this fixed schema and
never from user text.

>>> ENUMS["role"].parse("链主")
'owner'
>>> ENUMS["severity"].chinese("high")
'高'
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Enum",
    "ENUMS",
    "NQI_PILLARS",
    "SERVICES",
    "Column",
    "Sheet",
    "SHEETS",
    "SHEET_ORDER",
    "LABELS",
    "ID_SHEETS",
    "REL_TYPES",
    "REL_ZH",
    "REL_KIND",
    "PLACED_BY_LAYOUT",
    "SUPPORT_REL_OF_LABEL",
    "REL_IDENTITY",
    "DERIVED_LABELS",
    "UNRESOLVED_PROBLEM",
    "YEARS",
    "BOOL_WORDS",
    "district_id",
    "rel_key",
]


@dataclass(frozen=True)
class Enum:
    """An enumeration: English codes, each with its Chinese word (both accepted)."""

    name: str
    values: tuple[tuple[str, str], ...]  # (code, 中文)
    extra: tuple[tuple[str, str], ...] = ()  # more accepted spellings -> code

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.values)

    def chinese(self, code: str) -> str:
        return dict(self.values)[code]

    def parse(self, text: str) -> str | None:
        """The code for ``text`` (code or Chinese word, case and spaces ignored), or None."""
        key = str(text).strip().lower()
        for code, zh in self.values:
            if key == code.lower() or key == zh:
                return code
        return dict(self.extra).get(key)

    def describe(self) -> str:
        return "、".join(f"{code}/{zh}" for code, zh in self.values)


SERVICES = Enum(
    "service",
    (
        ("metrology", "计量"),
        ("standards", "标准"),
        ("testing", "检验检测"),
        ("certification", "认证认可"),
        ("quality_management", "质量管理"),
        ("training", "培训"),
    ),
)

#: The four pillars of the national quality infrastructure (NQI), in display order.
NQI_PILLARS = ("metrology", "standards", "testing", "certification")

ENUMS: dict[str, Enum] = {
    "role": Enum(
        "role",
        (("owner", "链主"), ("upstream", "上游"), ("midstream", "中游"), ("downstream", "下游")),
    ),
    "size": Enum("size", (("large", "大型"), ("medium", "中型"), ("small", "小型"), ("micro", "微型"))),
    "service": SERVICES,
    "category": Enum(
        "category",
        (
            ("product", "产品"),
            ("process", "工艺"),
            ("material", "原材料"),
            ("equipment", "设备"),
            ("management", "管理"),
            ("metrology", "计量"),
            ("standard", "标准"),
            ("testing", "检验检测"),
            ("certification", "认证认可"),
            ("brand", "品牌"),
        ),
    ),
    "severity": Enum("severity", (("high", "高"), ("medium", "中"), ("low", "低"))),
    # 未解决 means open *or* in_progress in every output (domain.md, "One set of numbers"), so the
    # word for open alone is 待处理; 未解决 is still accepted on intake as open.
    "problem_status": Enum(
        "problem_status", (("open", "待处理"), ("in_progress", "推进中"), ("resolved", "已解决")),
        extra=(("未解决", "open"),),
    ),
    "project_status": Enum(
        "project_status", (("planned", "计划"), ("active", "实施中"), ("done", "已完成"))
    ),
    "kind": Enum(
        "kind", (("showcase", "示范引领"), ("incentive", "政策激励"), ("constraint", "底线约束"))
    ),
    "direction": Enum("direction", (("higher", "越高越好"), ("lower", "越低越好"))),
    "link_status": Enum("link_status", (("active", "有效"), ("ended", "已结束"))),
}

UNRESOLVED_PROBLEM = ("open", "in_progress")

_TRUE = ("true", "yes", "y", "1", "是", "★")
_FALSE = ("false", "no", "n", "0", "否")
BOOL_WORDS = {**{w: True for w in _TRUE}, **{w: False for w in _FALSE}}


@dataclass(frozen=True)
class Column:
    """One intake column.

    kind is one of: id, ref, text, int, number, share (0-1), bool, date,
    enum, enums (a ``;``/``；`` list of enum values), refs (a list of ids), texts,
    uscc (统一社会信用代码, GB 32100-2015) and district (Shanghai districts normalised).

    ``zh`` is the column's Chinese name (domain.md "Chinese names"): a header may give
    the key or this name. ``hint`` is what the template writes after the name in brackets
    (intake ignores any bracketed hint). ``optional`` columns may be left out of the
    header altogether; ``targets`` are the labels a ref/refs column may point to.
    """

    name: str
    kind: str = "text"
    required: bool = False  # a value must be given in every row
    enum: str | None = None  # for enum/enums
    zh: str = ""  # Chinese name (headers, messages)
    minimum: float | None = None
    maximum: float | None = None
    hint: str = ""
    optional: bool = False  # the column itself may be absent
    targets: tuple[str, ...] = ()

    @property
    def is_list(self) -> bool:
        return self.kind in ("enums", "refs", "texts")


@dataclass(frozen=True)
class Sheet:
    name: str
    zh: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # columns that together identify a row
    label: str | None = None  # node label for sheets whose rows are nodes
    id_column: str | None = None
    name_column: str | None = None  # what a person calls a row (drop-downs, bare-name references)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


#: Years (readings, targets, cases) and sequence numbers stay within these bounds, so
#: every later command (maps, reports, Neo4j integers) can take them.
YEARS = (1900, 2100)
_LIST = "；分隔"

C = Column
SHEETS: dict[str, Sheet] = {
    s.name: s
    for s in (
        Sheet(
            "chains",
            "产业链项目",
            (
                C("chain_id", "id", True, zh="产业链编号"),
                C("seq", "int", True, zh="序号", minimum=1, maximum=9999),
                C("name", "text", True, zh="项目名称"),
                C("district", "district", zh="所在区"),
                C("leader", "text", zh="链长单位"),
                C("key", "bool", zh="重点项目", hint="★"),
                C("industry", "text", zh="行业"),
            ),
            key=("chain_id",),
            label="Chain",
            id_column="chain_id",
            name_column="name",
        ),
        Sheet(
            "enterprises",
            "企业",
            (
                C("enterprise_id", "id", True, zh="企业编号"),
                C("name", "text", True, zh="企业名称"),
                C("size", "enum", enum="size", zh="规模"),
                C("district", "district", zh="所在区"),
                C("uscc", "uscc", zh="统一社会信用代码"),
                C("tags", "texts", zh="企业标签", hint=_LIST, optional=True),
            ),
            key=("enterprise_id",),
            label="Enterprise",
            id_column="enterprise_id",
            name_column="name",
        ),
        Sheet(
            "members",
            "链上成员",
            (
                C("chain_id", "ref", True, zh="产业链编号", targets=("Chain",)),
                C("enterprise_id", "ref", True, zh="企业编号", targets=("Enterprise",)),
                C("role", "enum", True, enum="role", zh="角色"),
                C("tier", "int", zh="层级", minimum=0, maximum=9999),
            ),
            key=("chain_id", "enterprise_id"),
        ),
        Sheet(
            "supplies",
            "供应关系",
            (
                C("chain_id", "ref", True, zh="产业链编号", targets=("Chain",)),
                C("supplier_id", "ref", True, zh="供方企业编号", targets=("Enterprise",)),
                C("customer_id", "ref", True, zh="需方企业编号", targets=("Enterprise",)),
                C("product", "text", zh="产品"),
                C("share", "share", zh="供货占比", hint="0-1"),
                C("critical", "bool", zh="关键供应"),
            ),
            key=("chain_id", "supplier_id", "customer_id", "product"),
        ),
        Sheet(
            "support_bodies",
            "质量赋能专业技术机构",
            (
                C("body_id", "id", True, zh="机构编号"),
                C("name", "text", True, zh="机构名称"),
                C("services", "enums", enum="service", zh="服务", hint=_LIST),
                C("accreditations", "texts", zh="资质", hint=_LIST),
            ),
            key=("body_id",),
            label="SupportBody",
            id_column="body_id",
            name_column="name",
        ),
        Sheet(
            "support_links",
            "赋能关系",
            (
                C("body_id", "ref", True, zh="机构编号", targets=("SupportBody",)),
                C("target_id", "ref", True, zh="对象编号", targets=("Chain", "Enterprise", "Problem", "Project")),
                C("service", "enum", enum="service", zh="服务"),
                C("since", "date", zh="起始日期"),
                C("status", "enum", enum="link_status", zh="状态"),
            ),
            key=("body_id", "target_id", "service"),
        ),
        Sheet(
            "problems",
            "质量问题清单",
            (
                C("problem_id", "id", True, zh="问题编号"),
                C("chain_id", "ref", True, zh="产业链编号", targets=("Chain",)),
                C("enterprise_id", "ref", zh="涉及企业编号", targets=("Enterprise",)),
                C("title", "text", True, zh="问题"),
                C("category", "enum", True, enum="category", zh="类别"),
                C("severity", "enum", True, enum="severity", zh="严重程度"),
                C("status", "enum", True, enum="problem_status", zh="状态"),
                C("needs", "enums", enum="service", zh="所需服务", hint=_LIST),
                C("raised_on", "date", zh="提出日期"),
                C("resolved_on", "date", zh="解决日期"),
                C("measures", "text", zh="整改措施", optional=True),
                C("owner_unit", "text", zh="责任单位", optional=True),
                C("deadline", "date", zh="完成时限", optional=True),
            ),
            key=("problem_id",),
            label="Problem",
            id_column="problem_id",
            name_column="title",
        ),
        Sheet(
            "projects",
            "重点攻关项目清单",
            (
                C("project_id", "id", True, zh="项目编号"),
                C("chain_id", "ref", True, zh="产业链编号", targets=("Chain",)),
                C("title", "text", True, zh="项目名称"),
                C("lead_id", "ref", zh="牵头企业编号", targets=("Enterprise",)),
                C("tackles", "refs", zh="攻关问题编号", hint=_LIST, targets=("Problem",)),
                C("status", "enum", True, enum="project_status", zh="状态"),
                C("due", "date", zh="完成期限"),
                C("progress", "share", zh="进度", hint="0-1"),
            ),
            key=("project_id",),
            label="Project",
            id_column="project_id",
            name_column="title",
        ),
        Sheet(
            "policy_tools",
            "质量政策工具清单",
            (
                C("tool_id", "id", True, zh="工具编号"),
                C("name", "text", True, zh="政策工具名称"),
                C("kind", "enum", True, enum="kind", zh="类型"),
                C("issuer", "text", zh="发布单位"),
                C("applies_to", "refs", zh="适用对象编号", hint=_LIST, targets=("Chain", "Enterprise", "Project")),
            ),
            key=("tool_id",),
            label="PolicyTool",
            id_column="tool_id",
            name_column="name",
        ),
        Sheet(
            "indicators",
            "质量指标",
            (
                C("indicator_id", "id", True, zh="指标编号"),
                C("name", "text", True, zh="指标名称"),
                C("unit", "text", zh="单位"),
                C("direction", "enum", True, enum="direction", zh="方向"),
                C("standard", "text", zh="标准号"),
                C("national_limit", "number", zh="国家标准限值"),
                C("industry_limit", "number", zh="行业标准限值"),
            ),
            key=("indicator_id",),
            label="Indicator",
            id_column="indicator_id",
            name_column="name",
        ),
        Sheet(
            "readings",
            "指标实测值",
            (
                C("enterprise_id", "ref", True, zh="企业编号", targets=("Enterprise",)),
                C("indicator_id", "ref", True, zh="指标编号", targets=("Indicator",)),
                C("year", "int", True, zh="年份", minimum=YEARS[0], maximum=YEARS[1]),
                C("value", "number", True, zh="数值"),
            ),
            key=("enterprise_id", "indicator_id", "year"),
        ),
        Sheet(
            "targets",
            "指标目标值",
            (
                C("chain_id", "ref", True, zh="产业链编号", targets=("Chain",)),
                C("indicator_id", "ref", True, zh="指标编号", targets=("Indicator",)),
                C("year", "int", True, zh="年份", minimum=YEARS[0], maximum=YEARS[1]),
                C("value", "number", True, zh="目标值"),
            ),
            key=("chain_id", "indicator_id", "year"),
        ),
        Sheet(
            "cases",
            "典型案例",
            (
                C("case_id", "id", True, zh="案例编号"),
                C("chain_id", "ref", True, zh="产业链编号", targets=("Chain",)),
                C("year", "int", True, zh="年份", minimum=YEARS[0], maximum=YEARS[1]),
                C("title", "text", True, zh="案例标题"),
                C("summary", "text", zh="案例内容"),
                C("related", "refs", zh="相关对象编号", hint=_LIST, optional=True,
                  targets=("Enterprise", "SupportBody", "Problem", "Project")),
            ),
            key=("case_id",),
            label="Case",
            id_column="case_id",
            name_column="title",
        ),
    )
}
del C

SHEET_ORDER: tuple[str, ...] = tuple(SHEETS)

#: Sheets whose rows are nodes with their own ids (unique across the whole data set).
ID_SHEETS: dict[str, str] = {s.label: s.name for s in SHEETS.values() if s.label}

#: Every node label. ``TrainingBase`` is a second label on training support bodies.
LABELS = (
    "Chain",
    "District",
    "Enterprise",
    "SupportBody",
    "TrainingBase",
    "Problem",
    "Project",
    "PolicyTool",
    "Indicator",
    "Case",
)

#: Second labels that follow from a property: label -> (primary label, property, value). A
#: support body whose ``services`` include ``training`` is also a ``TrainingBase``. The Neo4j
#: store recomputes these from the properties all sources give together.
DERIVED_LABELS: dict[str, tuple[str, str, str]] = {"TrainingBase": ("SupportBody", "services", "training")}

#: Relationship type -> (start label(s), end label(s)).
REL_TYPES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "IN_DISTRICT": (("Chain",), ("District",)),
    "MEMBER_OF": (("Enterprise",), ("Chain",)),
    "SUPPLIES": (("Enterprise",), ("Enterprise",)),
    "ENABLES": (("SupportBody",), ("Chain",)),
    "SUPPORTS": (("SupportBody",), ("Enterprise",)),
    "ADDRESSES": (("SupportBody",), ("Problem",)),
    "PARTNERS_IN": (("SupportBody",), ("Project",)),
    "AFFECTS": (("Problem",), ("Enterprise",)),
    "IN_CHAIN": (("Problem", "Project", "Case"), ("Chain",)),
    "TACKLES": (("Project",), ("Problem",)),
    "LEADS": (("Enterprise",), ("Project",)),
    "APPLIES_TO": (("PolicyTool",), ("Chain", "Enterprise", "Project")),
    "REPORTS": (("Enterprise",), ("Indicator",)),
    "TARGETS": (("Chain",), ("Indicator",)),
    "ABOUT": (("Case",), ("Enterprise", "SupportBody", "Problem", "Project")),
}

#: Each relationship type in Chinese, as maps, tooltips and exports caption it.
REL_ZH: dict[str, str] = {
    "IN_DISTRICT": "所在区", "MEMBER_OF": "链上成员", "SUPPLIES": "供应", "ENABLES": "赋能本链",
    "SUPPORTS": "帮扶企业", "ADDRESSES": "攻关问题", "PARTNERS_IN": "参与项目", "AFFECTS": "影响企业",
    "IN_CHAIN": "所属产业链", "TACKLES": "攻关", "LEADS": "牵头", "APPLIES_TO": "适用",
    "REPORTS": "上报指标", "TARGETS": "目标值", "ABOUT": "案例涉及",
}

#: A short lower-case word per relationship type: what pages and diagrams key their styles,
#: filters and legends on (so they never spell the types themselves).
REL_KIND: dict[str, str] = {
    "IN_DISTRICT": "district", "MEMBER_OF": "member", "SUPPLIES": "supplies", "ENABLES": "enables",
    "SUPPORTS": "supports", "ADDRESSES": "addresses", "PARTNERS_IN": "partners", "AFFECTS": "affects",
    "IN_CHAIN": "in_chain", "TACKLES": "tackles", "LEADS": "leads", "APPLIES_TO": "applies",
    "REPORTS": "reports", "TARGETS": "targets", "ABOUT": "about",
}

#: Relationships a map shows by position (columns, bands) rather than as lines.
PLACED_BY_LAYOUT = ("MEMBER_OF", "IN_CHAIN")

#: The relationships by which a support body serves something (its target's label decides the type).
SUPPORT_REL_OF_LABEL: dict[str, str] = {"Chain": "ENABLES", "Enterprise": "SUPPORTS", "Problem": "ADDRESSES",
                                        "Project": "PARTNERS_IN"}

#: Properties that, with the two end nodes and the type, identify a relationship
#: (several SUPPLIES may join the same two firms: one per chain and product).
REL_IDENTITY: dict[str, tuple[str, ...]] = {
    "SUPPLIES": ("chain", "product"),
    "SUPPORTS": ("service",),
    "ADDRESSES": ("service",),
    "ENABLES": ("service",),
    "PARTNERS_IN": ("service",),
    "REPORTS": ("year",),
    "TARGETS": ("year",),
}


def rel_key(rel_type: str, props: dict) -> str:
    """The networkx edge key of a relationship: its type plus its identity properties.

    >>> rel_key("SUPPLIES", {"chain": "C1", "product": "玻璃"})
    'SUPPLIES|C1|玻璃'
    >>> rel_key("MEMBER_OF", {"role": "owner"})
    'MEMBER_OF'
    """
    identity = REL_IDENTITY.get(rel_type)
    if identity is None:
        return rel_type
    return "|".join([rel_type, *["" if (value := props.get(p)) is None else str(value) for p in identity]])


def district_id(name: str) -> str:
    """Districts have no sheet of their own; their id is derived from the name."""
    return f"district:{name}"
