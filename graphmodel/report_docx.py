"""The November report as a Word document (.docx), section by section as the notice asks.

:func:`report_document` turns an :class:`graphmodel.report.AnnualReport` into a
``python-docx`` Document; :func:`write_docx` saves it whole or not at all. One document is
the city-wide summary (every chain in one table per section), the other kind covers one
chain. Both carry the notice's sections, in this order (:data:`SECTIONS`):

一、工作开展情况 (the chain, its members and bodies, what changed since the baseline) ·
二、质量问题清单进展 · 三、重点攻关项目进展 · 四、质量政策工具 ·
五、链主企业主要质量指标对标国家标准、行业标准 · 六、质量提升培训基地 · 七、帮扶中小企业
(unsupported SMEs, and the support suggestions once that analysis exists) · 八、典型案例 ·
九、下一步工作 (the open gaps) — then 附：指标说明, the headline numbers' definitions.

The page is A4 with the margins of GB/T 9704 (official documents); headings are set in 黑体
and the body in 仿宋 (East Asian font names written as ``w:eastAsia``, with the Latin
fallbacks SimHei / FangSong named in the font table so Word and WPS substitute sensibly);
the footer numbers the pages (第 X 页 共 Y 页); a table of contents is a TOC field that Word
updates on opening, pre-filled with the headings so it reads before any update. Charts are
PNG images with Chinese labels (:mod:`graphmodel.report_charts`). Every table names its units
in its header. Numbers come from :mod:`graphmodel.headline` and :mod:`graphmodel.analyses`
(and the report's own rows, built from them); nothing is counted here.

>>> doc = report_document(G, annual_report(G, 2025))      # doctest: +SKIP
>>> [p.text for p in doc.paragraphs if p.style.name == "Heading 1"][:2]   # doctest: +SKIP
['一、工作开展情况', '二、质量问题清单进展']
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import networkx as nx

from . import analyses, model
from .files import atomic_file
from .headline import HEADLINES, ChainNumbers, CityNumbers, footnotes, percent
from .schema import ENUMS, NQI_PILLARS, SERVICES
from .text import READING_STATUS_ZH, change_text, enum_word, name_with_id, number_text, services_text

__all__ = ["SECTIONS", "report_document", "write_docx", "Table", "Figure", "SUPPORT_SUGGESTIONS",
           "BODY_FONT", "HEADING_FONT"]

SECTIONS = ("工作开展情况", "质量问题清单进展", "重点攻关项目进展", "质量政策工具",
            "链主企业主要质量指标对标国家标准、行业标准", "质量提升培训基地", "帮扶中小企业", "典型案例", "下一步工作")
NUMERALS = "一二三四五六七八九十"
APPENDIX = "附：指标说明"

#: The official fonts (East Asian name, the Latin name Word/WPS know them by as a fallback).
HEADING_FONT = ("黑体", "SimHei")
BODY_FONT = ("仿宋", "FangSong")
LATIN_FONT = "Times New Roman"

#: The name of the 供需对接 analysis this report lists once it is registered in analyses.ANALYSES.
SUPPORT_SUGGESTIONS = "support-suggestions"


# --------------------------------------------------------------------------- the content model

@dataclass
class Table:
    """A table: a header row (units in brackets) and rows of text."""

    headers: list[str]
    rows: list[list[str]]
    caption: str = ""


@dataclass
class Figure:
    png: bytes
    caption: str


@dataclass
class Sub:
    """A second-level heading inside a section."""

    text: str


@dataclass
class Bullets:
    items: list[str]


Block = "str | Table | Figure | Sub | Bullets"


@dataclass
class Section:
    title: str
    blocks: list = field(default_factory=list)

    def add(self, *blocks) -> "Section":
        self.blocks.extend(blocks)
        return self


# --------------------------------------------------------------------------- small helpers

def _name(G, node_id) -> str:
    return name_with_id(G.nodes[node_id].get("name"), node_id) if node_id in G else str(node_id)


def _value(numbers, key: str) -> str:
    """A headline number as its table cell: shares as whole percentages without the sign (the
    unit column says %), counts as integers, — when unknown."""
    value = numbers.value(key)
    if HEADLINES[key].unit == "%":
        return percent(value).rstrip("%")
    if isinstance(value, list):
        return str(len(value))
    return number_text(value)


def _headline_table(numbers, keys: Sequence[str], caption: str, baseline=None) -> Table:
    headers = ["指标", "数值", "单位"] + (["上期", "变化"] if baseline is not None else [])
    rows = []
    for key in keys:
        h = HEADLINES[key]
        row = [h.zh, _value(numbers, key), h.unit]
        if baseline is not None:
            share = h.unit == "%"
            now, then = numbers.value(key), baseline.value(key)
            if isinstance(now, (list, dict)):
                now, then = len(now), len(then)
            row += [_value(baseline, key), change_text(now, then, share=share)]
        rows.append(row)
    return Table(headers, rows, caption)


def _count(value) -> str:
    return "—" if value is None else number_text(value)


def _yes_no(value) -> str:
    return "—" if value is None else ("是" if value else "否")


def _date_text(value) -> str:
    if value is None or value == "":
        return "—"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _lists(G, chain_id):
    from .lists import three_lists

    return three_lists(G, chain_id)


def _frame_rows(frame, columns: Sequence[str], formats: dict | None = None) -> list[list[str]]:
    formats = formats or {}
    out = []
    for record in frame.to_dict("records"):
        row = []
        for c in columns:
            v = record.get(c)
            if c in formats:
                row.append(formats[c](v))
            elif v is None or (isinstance(v, float) and v != v) or v == "":
                row.append("—")
            else:
                row.append(_date_text(v) if isinstance(v, dt.date) else str(v))
        out.append(row)
    return out


def _progress(v) -> str:
    return "—" if v is None or v != v else f"{round(v * 100)}"


def _support_suggestions(G, chain_id: str | None):
    """The support-suggestions rows of one chain (or all), or None while the analysis does not exist."""
    analysis = analyses.ANALYSES.get(SUPPORT_SUGGESTIONS)
    if analysis is None:
        return None
    return analyses.to_records(analysis.run(G, chain=chain_id))


_NO_SUGGESTIONS = ("供需对接建议：本版本尚未提供“support-suggestions”（供需对接）分析，本节暂列无帮扶的中小企业；"
                   "该分析上线后，每项缺失服务将列出最多 3 家可提供该服务的机构。")


def _suggestion_table(G, rows: list[dict]) -> Table:
    reach = {"chain": "本链", "district": "本区", "city": "全市"}
    kind = {"problem": "质量问题", "enterprise": "企业"}
    return Table(["帮扶对象", "对象类型", "所需服务", "建议机构", "范围", "排序（第几位）"],
                 [[_name(G, r["target_id"]), kind.get(r["target_kind"], r["target_kind"]),
                   enum_word("service", r["service"]), _name(G, r["body_id"]), reach.get(r["reach"], r["reach"]),
                   str(r["rank"])] for r in rows], "供需对接建议（每项缺失服务最多 3 家机构）")


# --------------------------------------------------------------------------- one chain

def chain_sections(G: nx.MultiDiGraph, r, report) -> list[Section]:
    """The nine sections of one chain's report (``r``: its :class:`graphmodel.report.ChainReport`)."""
    from . import report_charts as charts

    n: ChainNumbers = r.numbers
    year = report.year
    c = G.nodes[r.chain_id]
    lists = _lists(G, r.chain_id)
    sections = [Section(f"{NUMERALS[i]}、{title}") for i, title in enumerate(SECTIONS)]
    work, problems, projects, tools, bench, bases, smes, cases, nxt = sections

    # 一、工作开展情况
    work.add(f"{r.name}（{r.chain_id}）{'为重点项目（★），' if r.key else ''}链长单位为{c.get('leader') or '—'}，"
             f"所在区为{r.district or '—'}，行业为{c.get('industry') or '—'}；链主企业为{r.owner or '未确定'}。"
             f"{year} 年本链链上企业 {n.members} 家，其中中小企业 {n.smes} 家；赋能机构 {n.bodies} 家。")
    baseline = report.baseline_chains.get(r.chain_id) if report.baseline_chains else None
    work.add(_headline_table(n, ("members", "smes", "bodies", "problems", "unresolved", "resolved",
                                 "resolved_this_year", "coverage", "sme_support_rate", "training_bases", "projects"),
                             "本链主要数字", baseline))
    roles = {}
    for firm, membership in model.chain_members(G, r.chain_id).items():
        roles.setdefault(membership.get("role"), []).append(firm)
    work.add(Table(["角色", "企业数（家）", "其中中小企业（家）"],
                   [[enum_word("role", role), str(len(firms)), str(sum(model.is_sme(G, f) for f in firms))]
                    for role, firms in sorted(roles.items(), key=lambda kv: ENUMS["role"].codes.index(kv[0])
                                              if kv[0] in ENUMS["role"].codes else 9)],
                   "链上成员构成"))
    work.add(Table(["支柱", "赋能机构（家）", "机构"],
                   [[SERVICES.chinese(p), str(len(r.bodies_by_pillar.get(p, []))),
                     "、".join(_name(G, b) for b in r.bodies_by_pillar.get(p, [])) or "—"] for p in NQI_PILLARS],
                   "质量赋能专业技术机构（赋能本链，按支柱）"))
    if r.changes is not None:
        ch = r.changes
        work.add(Sub("与上期相比的变化"), Bullets([
            "新增成员：" + ("、".join(_name(G, e) for e in ch["new_members"]) or "无"),
            "退出成员：" + ("、".join(ch["left_members"]) or "无"),
            "新增质量问题：" + ("、".join(_name(G, p) for p in ch["new_problems"]) or "无"),
            "自上期以来解决的问题：" + ("、".join(_name(G, p) for p in ch["resolved_since"]) or "无"),
            "指标改善：" + ("；".join(f"{_name(G, f)} {G.nodes[i]['name']} {number_text(a)}→{number_text(b)}"
                                    for f, i, a, b in ch["improved"]) or "无"),
            "指标退步：" + ("；".join(f"{_name(G, f)} {G.nodes[i]['name']} {number_text(a)}→{number_text(b)}"
                                    for f, i, a, b in ch["worsened"]) or "无"),
        ]))
    else:
        work.add("（未提供上期工作簿，不作与上期的对比。）")

    # 二、质量问题清单进展
    problems.add(f"本链质量问题清单共 {n.problems} 个问题：未解决 {n.unresolved} 个（待处理 {n.open} 个，推进中 "
                 f"{n.in_progress} 个），已解决 {n.resolved} 个；{year} 年新提出 {n.raised_this_year} 个，本年度解决 "
                 f"{n.resolved_this_year} 个。未解决问题的覆盖率为 {percent(n.coverage)}，缺服务的问题 {n.uncovered} 个。")
    problems.add(_headline_table(n, ("open", "in_progress", "resolved", "resolved_this_year", "raised_this_year",
                                     "uncovered", "covered", "coverage"), "质量问题按状态"))
    problems.add(Figure(charts.problems_by_status({s: n.value(s) for s in ENUMS["problem_status"].codes},
                                                  n.resolved_this_year), "图：质量问题按状态（个）"))
    pillar_rows = analyses.to_records(analyses.nqi_coverage(G, r.chain_id))
    problems.add(Table(["支柱", "赋能机构（家）", "需要该服务的未解决问题（个）", "其中已覆盖（个）"],
                       [[SERVICES.chinese(p["service"]), str(len(p["bodies"])), str(p["needing"]), str(p["covered"])]
                        for p in pillar_rows], "按支柱的问题覆盖（nqi-coverage）"))
    problems.add(Figure(charts.coverage_by_pillar(pillar_rows), "图：按支柱的问题覆盖（个）"))
    frame = lists["质量问题清单"]
    if len(frame):
        problems.add(Table(["编号", "问题", "涉及企业", "状态", "覆盖情况", "缺少的服务", "整改措施", "责任单位", "完成时限（日期）"],
                           _frame_rows(frame, ["问题编号", "问题", "涉及企业", "状态", "覆盖情况", "缺少的服务", "整改措施",
                                               "责任单位", "完成时限"]), "质量问题清单"))
    else:
        problems.add("本链尚未填报质量问题。")

    # 三、重点攻关项目进展
    projects.add(f"本链重点攻关项目 {n.projects} 个：" + "，".join(
        f"{enum_word('project_status', s)} {v} 个" for s, v in n.projects_by_status.items()) + "。")
    frame = lists["重点攻关项目清单"]
    if len(frame):
        projects.add(Table(["编号", "项目名称", "牵头企业", "攻关问题", "合作机构", "状态", "完成期限（日期）", "进度（%）"],
                           _frame_rows(frame, ["项目编号", "项目名称", "牵头企业", "攻关问题", "合作机构", "状态", "完成期限", "进度"],
                                       {"进度": _progress}), "重点攻关项目清单"))
    else:
        projects.add("本链尚未填报重点攻关项目。")

    # 四、质量政策工具
    frame = lists["质量政策工具清单"]
    if len(frame):
        tools.add(f"适用本链（含本链成员企业、攻关项目）的质量政策工具 {len(frame)} 项。")
        tools.add(Table(["编号", "政策工具", "类型", "发布单位", "适用对象"],
                        _frame_rows(frame, ["工具编号", "政策工具", "类型", "发布单位", "适用对象"]), "质量政策工具清单"))
    else:
        tools.add("尚无适用本链的质量政策工具。")

    # 五、链主对标
    if r.owner_benchmark:
        verdict = "达标（各指标均达到国家标准及以上）" if n.owner_meets else "未达标（有指标低于国家标准）"
        lead = "领跑（各指标均优于行业标准）" if n.owner_leads else "尚未全部优于行业标准"
        bench.add(f"链主企业{r.owner}上报主要质量指标 {len(r.owner_benchmark)} 项：链主达标——{verdict}；链主领跑——{lead}。")
        bench.add(Table(["指标", "单位", "年份", "实测值", "国家标准限值", "行业标准限值", "对标结果"],
                        [[b["indicator"], b["unit"] or "—", str(b["year"]), number_text(b["value"]),
                          number_text(b["national_limit"]), number_text(b["industry_limit"]),
                          READING_STATUS_ZH.get(b["status"], b["status"])] for b in r.owner_benchmark],
                        "链主企业主要质量指标对标（owner-benchmark）"))
        targets = {t["indicator_id"]: t["target"] for t in r.targets}
        chart_rows = [{**b, "direction": G.nodes[b["indicator_id"]].get("direction"),
                       "target": targets.get(b["indicator_id"])} for b in r.owner_benchmark]
        bench.add(Figure(charts.indicators_against_limits(chart_rows), "图：链主指标实测值、目标值与国家标准、行业标准限值"))
    else:
        bench.add("链主企业尚未上报主要质量指标读数。")
    if r.targets:
        bench.add(Table(["指标", "单位", "目标值", f"{year} 年实测值", "结果"],
                        [[t["indicator"], t["unit"] or "—", number_text(t["target"]), number_text(t["value"]),
                          {True: "达成", False: "未达成", None: "无数据"}[t["met"]]] for t in r.targets],
                        f"{year} 年指标目标完成情况"))
    else:
        bench.add(f"本链未设定 {year} 年指标目标。")

    # 六、质量提升培训基地
    district_bases = report.city.training_bases.get(r.district, []) if r.district else []
    if r.training_bases:
        bases.add(f"赋能本链的质量提升培训基地 {len(r.training_bases)} 个；经有效帮扶获得培训的链上企业 "
                  f"{len(r.training_reach)} 家。")
        bases.add(Table(["编号", "培训基地", "服务"],
                        [[b, G.nodes[b].get("name", b), services_text(G.nodes[b].get("services", []))]
                         for b in r.training_bases], "赋能本链的培训基地"))
    else:
        bases.add("尚无赋能本链的质量提升培训基地（通知要求每区至少 1 个）。")
    if r.district:
        bases.add(f"{r.district}的培训基地（赋能该区任一产业链）：{len(district_bases)} 个"
                  + ("。" if district_bases else "——该区尚无培训基地，需尽快建设。"))

    # 七、帮扶中小企业
    unsupported = analyses.to_records(analyses.sme_unsupported(G, r.chain_id))
    smes.add(f"本链中小企业 {n.smes} 家，其中有有效帮扶关系的 {n.smes_supported} 家，中小企业帮扶率 "
             f"{percent(n.sme_support_rate)}；有未解决问题却没有任何机构帮扶的中小企业 {len(unsupported)} 家。")
    smes.add(_headline_table(n, ("smes", "sme_support_rate"), "中小企业帮扶"))
    if unsupported:
        smes.add(Table(["企业", "规模", "未解决问题（个）", "问题"],
                       [[_name(G, u["enterprise_id"]), enum_word("size", u.get("size")) or "—", str(len(u["problems"])),
                         "、".join(_name(G, p) for p in u["problems"])] for u in unsupported],
                       "有未解决问题却无帮扶的中小企业（sme-unsupported）"))
    suggestions = _support_suggestions(G, r.chain_id)
    if suggestions is None:
        smes.add(_NO_SUGGESTIONS)
    elif suggestions:
        smes.add(_suggestion_table(G, suggestions))
    else:
        smes.add("供需对接：本链没有需要对接的缺口。")

    # 八、典型案例
    _cases(G, cases, [r.chain_id], year, with_chain=False)

    # 九、下一步工作
    nxt.add(Bullets(_chain_gaps(G, r, report, unsupported, pillar_rows, district_bases) or
                    ["本链各项工作均已达到要求，下一步巩固提升。"]))
    return sections


def _chain_gaps(G, r, report, unsupported, pillar_rows, district_bases) -> list[str]:
    n = r.numbers
    gaps = []
    uncovered = analyses.to_records(analyses.uncovered_problems(G, r.chain_id))
    if uncovered:
        gaps.append(f"为 {len(uncovered)} 个缺服务的未解决问题对接机构：" + "；".join(
            f"{_name(G, u['problem_id'])}（缺{services_text(u['missing'])}）" for u in uncovered))
    missing = [SERVICES.chinese(p["service"]) for p in pillar_rows if not p["bodies"]]
    if missing:
        gaps.append("补齐赋能本链的质量基础设施支柱：" + "、".join(missing) + "尚无机构。")
    below = [b for b in r.owner_benchmark if b["status"] == "below_national"]
    if below:
        gaps.append("链主指标低于国家标准，需重点攻关：" + "、".join(b["indicator"] for b in below) + "。")
    elif r.owner_benchmark and not n.owner_leads:
        gaps.append("推动链主指标由达到国家标准提升到优于行业标准：" + "、".join(
            b["indicator"] for b in r.owner_benchmark if b["status"] != "beats_industry") + "。")
    missed = [t for t in r.targets if t["met"] is False]
    if missed:
        gaps.append(f"{report.year} 年未达成的指标目标：" + "、".join(t["indicator"] for t in missed) + "。")
    if unsupported:
        gaps.append(f"为 {len(unsupported)} 家有未解决问题却无帮扶的中小企业建立帮扶关系。")
    if not r.training_bases:
        gaps.append("建设或对接赋能本链的质量提升培训基地。" if district_bases else
                    f"{r.district or '本区'}尚无培训基地，按通知要求建设至少 1 个质量提升培训基地。")
    planned = n.projects_by_status.get("planned", 0)
    if planned:
        gaps.append(f"启动 {planned} 个尚在计划中的重点攻关项目。")
    return gaps


def _cases(G, section: Section, chain_ids: Iterable[str], year: int, with_chain: bool) -> None:
    found = 0
    for chain_id in chain_ids:
        for case in model.chain_cases(G, chain_id):
            c = G.nodes[case]
            if c.get("year") not in (None, year):
                continue
            found += 1
            title = c.get("title") or case
            section.add(Sub(f"（{NUMERALS[found - 1] if found <= 10 else found}）"
                            f"{G.nodes[chain_id].get('name') + '：' if with_chain else ''}{title}"))
            section.add(c.get("summary") or "（未填写案例内容）")
            subjects = model.case_subjects(G, case)
            if subjects:
                section.add("相关对象：" + "、".join(_name(G, s) for s in subjects))
    if not found:
        section.add(f"{year} 年尚未填报典型案例（工作簿的“典型案例”cases 表）。")


# --------------------------------------------------------------------------- the city

def city_sections(G: nx.MultiDiGraph, report) -> list[Section]:
    """The nine sections of the city-wide report: one row per chain in each table."""
    from . import report_charts as charts

    city: CityNumbers = report.city
    year = report.year
    chains = report.chains
    sections = [Section(f"{NUMERALS[i]}、{title}") for i, title in enumerate(SECTIONS)]
    work, problems, projects, tools, bench, bases, smes, cases, nxt = sections
    label = lambda r: f"{r.seq}{'★' if r.key else ''} {r.name}"  # noqa: E731

    # 一、工作开展情况
    work.add(report.summary())
    work.add(_headline_table(city, ("chains", "key_chains", "districts", "members", "memberships", "smes", "bodies",
                                    "problems", "unresolved", "resolved", "resolved_this_year", "coverage",
                                    "sme_support_rate", "owner_meets", "owner_leads", "projects"),
                             "全市主要数字", report.baseline_city))
    work.add(Table(["序号", "产业链", "区", "链主", "链上企业（家）", "中小企业（家）", "赋能机构（家）", "攻关项目（个）"],
                   [[f"{r.seq}{'★' if r.key else ''}", r.name, r.district or "—", r.owner or "—", str(r.numbers.members),
                     str(r.numbers.smes), str(r.numbers.bodies), str(r.numbers.projects)] for r in chains],
                   "各产业链项目概况"))
    if report.has_baseline:
        work.add(Sub("与上期相比的变化"))
        work.add(Table(["产业链", "新增成员（家）", "退出成员（家）", "新增问题（个）", "自上期以来解决（个）", "指标改善（项）",
                        "指标退步（项）"],
                       [[label(r)] + [str(len(r.changes[k])) for k in ("new_members", "left_members", "new_problems",
                                                                          "resolved_since", "improved", "worsened")]
                        for r in chains], "各链与上期对比"))
    else:
        work.add("（未提供上期工作簿，不作与上期的对比。）")

    # 二、质量问题清单进展
    problems.add(f"全市质量问题 {city.problems} 个：未解决 {city.unresolved} 个（待处理 {city.open} 个，推进中 "
                 f"{city.in_progress} 个），已解决 {city.resolved} 个；本年度解决 {city.resolved_this_year} 个；"
                 f"覆盖率 {percent(city.coverage)}。")
    problems.add(Table(["产业链", "待处理（个）", "推进中（个）", "已解决（个）", "本年度解决（个）", "缺服务（个）", "覆盖率（%）"],
                       [[label(r), str(r.numbers.open), str(r.numbers.in_progress), str(r.numbers.resolved),
                         _count(r.numbers.resolved_this_year), str(r.numbers.uncovered), _value(r.numbers, "coverage")]
                        for r in chains]
                       + [["全市", str(city.open), str(city.in_progress), str(city.resolved),
                           _count(city.resolved_this_year), str(city.uncovered), _value(city, "coverage")]],
                       "各链质量问题进展"))
    problems.add(Figure(charts.problems_by_status({s: city.value(s) for s in ENUMS["problem_status"].codes},
                                                  city.resolved_this_year, "全市质量问题按状态"),
                        "图：全市质量问题按状态（个）"))
    pillar_rows = _city_pillars(G, [r.chain_id for r in chains])
    problems.add(Table(["支柱", "需要该服务的未解决问题（个）", "其中已覆盖（个）"],
                       [[SERVICES.chinese(p["service"]), str(p["needing"]), str(p["covered"])] for p in pillar_rows],
                       "全市按支柱的问题覆盖（各链 nqi-coverage 之和）"))
    problems.add(Figure(charts.coverage_by_pillar(pillar_rows, "全市按支柱的问题覆盖"), "图：全市按支柱的问题覆盖（个）"))

    # 三、重点攻关项目进展
    codes = ENUMS["project_status"].codes
    projects.add(f"全市重点攻关项目 {city.projects} 个。")
    projects.add(Table(["产业链"] + [f"{ENUMS['project_status'].chinese(s)}（个）" for s in codes] + ["合计（个）"],
                       [[label(r)] + [str(r.numbers.projects_by_status.get(s, 0)) for s in codes]
                        + [str(r.numbers.projects)] for r in chains], "各链重点攻关项目按状态"))

    # 四、质量政策工具
    seen: dict[str, list[str]] = {}
    for r in chains:
        for tool in model.chain_policy_tools(G, r.chain_id):
            seen.setdefault(tool, []).append(r.chain_id)
    if seen:
        tools.add(f"全市适用各产业链的质量政策工具 {len(seen)} 项。")
        tools.add(Table(["编号", "政策工具", "类型", "发布单位", "适用产业链（条）"],
                        [[t, G.nodes[t].get("name", t), enum_word("kind", G.nodes[t].get("kind")) or "—",
                          G.nodes[t].get("issuer") or "—", str(len(cs))] for t, cs in sorted(seen.items())],
                        "质量政策工具清单"))
    else:
        tools.add("尚未填报质量政策工具。")

    # 五、链主对标
    bench.add(f"链主有指标读数的产业链 {city.owners_reporting} 条：链主达标 {percent(city.owner_meets)}"
              f"（{city.owners_meeting} 条），链主领跑 {percent(city.owner_leads)}（{city.owners_leading} 条）。")
    bench.add(_headline_table(city, ("owner_meets", "owner_leads"), "链主对标", report.baseline_city))
    rows = []
    for r in chains:
        counts = {s: sum(b["status"] == s for b in r.owner_benchmark) for s in READING_STATUS_ZH}
        rows.append([label(r), r.owner or "—", str(len(r.owner_benchmark)), str(counts["below_national"]),
                     str(counts["meets_national"]), str(counts["beats_industry"]), _yes_no(r.numbers.owner_meets),
                     _yes_no(r.numbers.owner_leads), str(sum(t["met"] is True for t in r.targets)),
                     str(sum(t["met"] is False for t in r.targets))])
    bench.add(Table(["产业链", "链主", "上报指标（项）", "低于国家标准（项）", "达到国家标准（项）", "优于行业标准（项）", "链主达标",
                     "链主领跑", "目标达成（项）", "目标未达成（项）"], rows, "各链链主主要质量指标对标"))

    # 六、质量提升培训基地
    lacking = [d for d, b in city.training_bases.items() if not b]
    bases.add(f"有产业链项目的 {len(city.training_bases)} 个区中，{len(city.training_bases) - len(lacking)} 个区已有培训基地"
              + (f"，{'、'.join(lacking)}尚无。" if lacking else "，均已达到通知“每区至少 1 个”的要求。"))
    bases.add(Table(["区", "培训基地（个）", "培训基地", "是否达到每区至少 1 个"],
                    [[d, str(len(b)), "、".join(_name(G, x) for x in b) or "—", "是" if b else "否（缺培训基地）"]
                     for d, b in city.training_bases.items()], "各区质量提升培训基地"))

    # 七、帮扶中小企业
    unsupported = analyses.to_records(analyses.sme_unsupported(G)) if chains else []
    unsupported = [u for u in unsupported if u["chain_id"] in {r.chain_id for r in chains}]
    smes.add(f"全市链上中小企业 {city.smes} 家（去重），有有效帮扶关系的 {city.smes_supported} 家，中小企业帮扶率 "
             f"{percent(city.sme_support_rate)}；有未解决问题却无帮扶的中小企业 {len({u['enterprise_id'] for u in unsupported})} 家。")
    by_chain: dict[str, int] = {}
    for u in unsupported:
        by_chain[u["chain_id"]] = by_chain.get(u["chain_id"], 0) + 1
    smes.add(Table(["产业链", "中小企业（家）", "有帮扶（家）", "中小企业帮扶率（%）", "有未解决问题却无帮扶（家）"],
                   [[label(r), str(r.numbers.smes), str(r.numbers.smes_supported), _value(r.numbers, "sme_support_rate"),
                     str(by_chain.get(r.chain_id, 0))] for r in chains]
                   + [["全市（去重）", str(city.smes), str(city.smes_supported), _value(city, "sme_support_rate"),
                       str(len({u['enterprise_id'] for u in unsupported}))]], "各链中小企业帮扶"))
    suggestions = _support_suggestions(G, None)
    if suggestions is None:
        smes.add(_NO_SUGGESTIONS)
    else:
        ids = {r.chain_id for r in chains}
        chosen = [s for s in suggestions if s.get("chain_id", next(iter(ids))) in ids]
        smes.add(f"供需对接建议 {len(chosen)} 条，详见各链报告。")

    # 八、典型案例
    _cases(G, cases, [r.chain_id for r in chains], year, with_chain=True)

    # 九、下一步工作
    items = []
    if lacking:
        items.append("建设质量提升培训基地：" + "、".join(lacking) + "尚无（通知要求每区至少 1 个）。")
    with_gaps = [r for r in chains if r.numbers.uncovered]
    if with_gaps:
        items.append(f"{len(with_gaps)} 条产业链有缺服务的未解决问题（共 {city.uncovered} 个），需对接机构："
                     + "、".join(f"{r.name}（{r.numbers.uncovered} 个）" for r in with_gaps) + "。")
    below = [r for r in chains if r.numbers.owner_meets is False]
    if below:
        items.append("链主指标尚有低于国家标准的产业链：" + "、".join(r.name for r in below) + "。")
    if unsupported:
        items.append(f"为 {len({u['enterprise_id'] for u in unsupported})} 家有未解决问题却无帮扶的中小企业建立帮扶关系。")
    no_pillar = [r for r in chains if any(not r.bodies_by_pillar.get(p) for p in NQI_PILLARS)]
    if no_pillar:
        items.append(f"{len(no_pillar)} 条产业链的四大支柱尚不齐全：" + "、".join(
            f"{r.name}（缺{'、'.join(SERVICES.chinese(p) for p in NQI_PILLARS if not r.bodies_by_pillar.get(p))}）"
            for r in no_pillar) + "。")
    nxt.add(Bullets(items or ["各项工作均已达到要求，下一步巩固提升。"]))
    return sections


def _city_pillars(G, chain_ids: list[str]) -> list[dict]:
    """Per pillar, nqi-coverage's ``needing`` and ``covered`` summed over the chains (each problem
    belongs to one chain, so the sums count each problem once)."""
    totals = {p: {"service": p, "needing": 0, "covered": 0} for p in NQI_PILLARS}
    for row in analyses.to_records(analyses.nqi_coverage(G)):
        if row["chain_id"] in chain_ids:
            totals[row["service"]]["needing"] += row["needing"]
            totals[row["service"]]["covered"] += row["covered"]
    return list(totals.values())


# --------------------------------------------------------------------------- rendering with python-docx

def _fonts(element, east_asian: str, latin: str = LATIN_FONT) -> None:
    """Set a run's or style's fonts: Latin and East Asian names (w:eastAsia), no theme fonts."""
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:hint"), "eastAsia")


def _font_table(doc) -> None:
    """Name the official fonts in the font table with their Latin names as alternates (w:altName)
    and the GB2312 character set, so Word and WPS find SimHei / FangSong (or a close CJK face)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml

    part = next((rel.target_part for rel in doc.part.rels.values() if rel.reltype == RT.FONT_TABLE), None)
    if part is None:
        return
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    root = parse_xml(part.blob)
    for name, alt in (HEADING_FONT, BODY_FONT):
        root.append(parse_xml(
            f'<w:font {ns} w:name="{name}"><w:altName w:val="{alt}"/>'
            '<w:panose1 w:val="02010609060101010101"/><w:charset w:val="86"/><w:family w:val="modern"/>'
            '<w:pitch w:val="fixed"/></w:font>'))
    from lxml import etree

    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _styles(doc) -> None:
    from docx.enum.text import WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    normal = doc.styles["Normal"]
    normal.font.size = Pt(14)  # 四号
    _fonts(normal.element, BODY_FONT[0])
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.ONE_POINT_FIVE
    normal.paragraph_format.space_after = Pt(4)
    lang = normal.element.get_or_add_rPr().makeelement(qn("w:lang"), {qn("w:val"): "en-US", qn("w:eastAsia"): "zh-CN"})
    normal.element.get_or_add_rPr().append(lang)
    for name, size in (("Title", 22), ("Heading 1", 16), ("Heading 2", 15)):
        style = doc.styles[name]
        style.font.size = Pt(size)
        style.font.bold = name != "Heading 2"
        style.font.color.rgb = RGBColor(0, 0, 0)
        _fonts(style.element, HEADING_FONT[0])
        style.paragraph_format.space_before = Pt(12 if name != "Title" else 0)
        style.paragraph_format.space_after = Pt(6)
    # the Title style draws a rule under the text; a report title has none
    ppr = doc.styles["Title"].element.find(qn("w:pPr"))
    if ppr is not None and ppr.find(qn("w:pBdr")) is not None:
        ppr.remove(ppr.find(qn("w:pBdr")))
    caption = doc.styles["Caption"]
    caption.font.size = Pt(10.5)
    caption.font.color.rgb = RGBColor(0x33, 0x33, 0x33)
    _fonts(caption.element, HEADING_FONT[0])


def _page(doc) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    # GB/T 9704-2012: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (approximately)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for part in ("第 ", ("PAGE", "1"), " 页 共 ", ("NUMPAGES", "1"), " 页"):
        if isinstance(part, tuple):
            _field(footer, part[0], part[1])
        else:
            run = footer.add_run(part)
            run.font.size = Pt(10.5)


def _fld(run, kind: str):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement("w:fldChar")
    el.set(qn("w:fldCharType"), kind)
    if kind == "begin":
        el.set(qn("w:dirty"), "true")  # Word recomputes it on opening
    run._r.append(el)


def _instr(run, text: str):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement("w:instrText")
    el.set(qn("xml:space"), "preserve")
    el.text = f" {text} "
    run._r.append(el)


def _field(paragraph, instruction: str, shown: str) -> None:
    """A complex field (PAGE, NUMPAGES…) with ``shown`` as its text until Word updates it."""
    _fld(paragraph.add_run(), "begin")
    _instr(paragraph.add_run(), instruction)
    _fld(paragraph.add_run(), "separate")
    paragraph.add_run(shown)
    _fld(paragraph.add_run(), "end")


def _toc(doc, headings: list[str]) -> None:
    """A TOC field over heading levels 1–2, pre-filled with the headings (so it reads before an
    update; Word rebuilds it with page numbers when it updates fields on opening)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    doc.add_paragraph("目  录", style="Title")
    entries = headings or ["（目录）"]
    for i, text in enumerate(entries):
        p = doc.add_paragraph()
        if i == 0:
            _fld(p.add_run(), "begin")
            _instr(p.add_run(), 'TOC \\o "1-2" \\h \\z \\u')
            _fld(p.add_run(), "separate")
        p.add_run(text)
        if i == len(entries) - 1:
            _fld(p.add_run(), "end")
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    doc.settings.element.append(update)


#: The text width of the page in twentieths of a point (A4, 28 mm + 26 mm margins).
_TEXT_WIDTH = round((210 - 28 - 26) / 25.4 * 1440)


def _column_widths(table: Table) -> list[int]:
    """Twips per column: as wide as its widest text (a 五号 character is about 210 twips), the
    whole within the text width — short columns keep their width, long ones share the rest."""
    from .text import display_width

    natural = [max([display_width(h)] + [display_width(r[i]) for r in table.rows if i < len(r)]) * 108 + 240
               for i, h in enumerate(table.headers)]
    if sum(natural) <= _TEXT_WIDTH:
        return [round(w * _TEXT_WIDTH / sum(natural)) for w in natural]
    # water-filling: the cap that makes the capped widths add up to the text width
    low, high = 0.0, float(max(natural))
    for _ in range(40):
        cap = (low + high) / 2
        low, high = (cap, high) if sum(min(w, cap) for w in natural) < _TEXT_WIDTH else (low, cap)
    return [max(450, round(min(w, low))) for w in natural]


def _table(doc, table: Table) -> None:
    """The table as one WordprocessingML fragment (python-docx's cell-by-cell API is slow on the
    demo's hundreds of tables): header row shaded, bold and repeated on every page; columns as
    wide as their text, within the page."""
    from xml.sax.saxutils import escape

    from docx.oxml import parse_xml

    from .text import display_width

    if table.caption:
        doc.add_paragraph(table.caption, style="Caption")
    grid = _column_widths(table)
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    head_font = (f'<w:rFonts w:ascii="{LATIN_FONT}" w:hAnsi="{LATIN_FONT}" w:eastAsia="{HEADING_FONT[0]}" '
                 f'w:cs="{LATIN_FONT}" w:hint="eastAsia"/>')

    def cell(text: str, width: int, header: bool) -> str:
        shade = '<w:shd w:val="clear" w:color="auto" w:fill="D9E2F3"/>' if header else ""
        rpr = (head_font + "<w:b/>" if header else "") + '<w:sz w:val="21"/><w:szCs w:val="21"/>'
        return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shade}</w:tcPr><w:p><w:pPr>'
                f'<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0"/>'
                f'</w:pPr><w:r><w:rPr>{rpr}</w:rPr><w:t xml:space="preserve">{escape(str(text))}</w:t></w:r></w:p></w:tc>')

    rows = ['<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>'
            + "".join(cell(h, w, True) for h, w in zip(table.headers, grid)) + "</w:tr>"]
    for values in table.rows:
        rows.append('<w:tr><w:trPr><w:cantSplit/></w:trPr>'
                    + "".join(cell(v, w, False) for v, w in zip(values, grid)) + "</w:tr>")
    xml = (f'<w:tbl {ns}><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="{sum(grid)}" w:type="dxa"/>'
           f'<w:jc w:val="center"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" '
           f'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>'
           + "".join(f'<w:gridCol w:w="{w}"/>' for w in grid) + "</w:tblGrid>" + "".join(rows) + "</w:tbl>")
    after = doc.add_paragraph()
    after._p.addprevious(parse_xml(xml))


def _figure(doc, figure: Figure) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    doc.add_picture(io.BytesIO(figure.png), width=Cm(15))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption = doc.add_paragraph(figure.caption, style="Caption")
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _render(title: str, meta: list[str], sections: list[Section], notes: list[str]):
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Pt

    doc = Document()
    _styles(doc)
    _font_table(doc)
    _page(doc)
    doc.core_properties.title = title if len(title) <= 255 else title[:254] + "…"  # the format's own limit
    doc.core_properties.language = "zh-CN"
    doc.core_properties.author = "qmap"
    heading = doc.add_paragraph(title, style="Title")
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in meta:
        p = doc.add_paragraph(line)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _toc(doc, [s.title for s in sections] + [APPENDIX])
    doc.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
    for section in sections:
        doc.add_heading(section.title, level=1)
        for block in section.blocks:
            if isinstance(block, Table):
                _table(doc, block)
            elif isinstance(block, Figure):
                _figure(doc, block)
            elif isinstance(block, Sub):
                doc.add_heading(block.text, level=2)
            elif isinstance(block, Bullets):
                for item in block.items:
                    doc.add_paragraph(item, style="List Bullet")
            else:
                p = doc.add_paragraph(str(block))
                p.paragraph_format.first_line_indent = Pt(28)  # two characters, as official text is set
    doc.add_heading(APPENDIX, level=1)
    for line in notes:
        p = doc.add_paragraph(line)
        for run in p.runs:
            run.font.size = Pt(10.5)
    for style_name in ("List Bullet",):
        _fonts(doc.styles[style_name].element, BODY_FONT[0])
    return doc


def report_document(G: nx.MultiDiGraph, report, unit: str | None = None, filed_on: dt.date | None = None):
    """The Word document of ``report``: city-wide when it holds several chains (or ``report.city_wide``),
    else that one chain's. ``unit`` (填报单位) and ``filed_on`` (填报日期) go under the title."""
    from .report import REPORT_NUMBERS

    filed_on = filed_on or dt.date.today()
    year = report.year
    if report.city_wide:
        title = f"{year} 年产业链供应链质量联动提升项目实施情况总结"
        leaders = list(dict.fromkeys(G.nodes[r.chain_id].get("leader") for r in report.chains
                                     if G.nodes[r.chain_id].get("leader")))
        meta = [f"全市 {len(report.chains)} 条产业链项目"]
        sections = city_sections(G, report)
    else:
        r = report.chains[0]
        title = f"{r.name}{year} 年项目实施情况总结"
        leaders = [G.nodes[r.chain_id].get("leader")] if G.nodes[r.chain_id].get("leader") else []
        meta = [f"产业链：{r.name}（{r.chain_id}）{'★' if r.key else ''}　链长单位：{leaders[0] if leaders else '—'}"]
        sections = chain_sections(G, r, report)
    filer = unit or ("、".join(leaders[:3]) + (f" 等 {len(leaders)} 个单位" if len(leaders) > 3 else "")) or "—"
    meta.append(f"填报单位：{filer}　填报日期：{filed_on.year} 年 {filed_on.month} 月 {filed_on.day} 日")
    notes = footnotes(REPORT_NUMBERS)
    return _render(title, meta, sections, notes)


def write_docx(G: nx.MultiDiGraph, report, path, force: bool = True, unit: str | None = None,
               filed_on: dt.date | None = None) -> Path:
    """Save :func:`report_document` to ``path`` (whole or not at all)."""
    path = Path(path)
    doc = report_document(G, report, unit, filed_on)
    with atomic_file(path, force, mode="wb") as out:
        doc.save(out)
    return path
