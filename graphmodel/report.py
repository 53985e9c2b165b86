"""The annual summary each district sends by the end of November (年度总结).

``annual_report(G, year, baseline=None)`` gathers, per chain and city-wide: members
and SMEs, bodies by NQI pillar, training reach, problems raised and resolved in the
year, projects by status, the chain owner's indicators against the national and
industry limits, targets met or missed — and, given last year's workbook as a
baseline graph, what changed. ``write_report`` renders it as Markdown, as one
self-contained HTML page (no network, all user text escaped, print styles for A4) and as
a Word document laid out as the notice asks (:mod:`graphmodel.report_docx`).

>>> report = annual_report(G, 2025)                 # doctest: +SKIP
>>> report.chains[0].problems_resolved              # doctest: +SKIP
['P0007']
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from . import model
from .analyses import nqi_coverage, training_reach
from .files import MAX_NAME_BYTES, graph_inputs, output_folder, safe_names
from .headline import (ChainNumbers, CityNumbers, city_numbers, footnotes, owner_readings, percent,
                       raised_in, resolved_in)
from .schema import ENUMS, NQI_PILLARS, SERVICES
from .text import READING_STATUS_ZH, enum_word, name_with_id, number_text

__all__ = ["ChainReport", "AnnualReport", "annual_report", "write_report", "STATUS_ZH"]

STATUS_ZH = READING_STATUS_ZH  # the one set of words for a reading against the limits


@dataclass
class ChainReport:
    chain_id: str
    seq: int
    name: str
    district: str
    key: bool
    owner: str | None
    numbers: ChainNumbers  # the headline numbers (graphmodel.headline), never recomputed here
    bodies_by_pillar: dict[str, list[str]]
    training_bases: list[str]
    training_reach: list[str]  # members reached by an active training support link
    problems_raised: list[str]
    problems_resolved: list[str]
    problems_by_status: dict[str, int]
    projects_by_status: dict[str, int]
    owner_benchmark: list[dict]  # indicator, year, value, limits, status
    targets: list[dict]  # indicator, year, target, value, met (True/False/None)
    changes: dict[str, list] | None = None  # with a baseline

    @property
    def members(self) -> int:
        return self.numbers.members

    @property
    def smes(self) -> int:
        return self.numbers.smes


@dataclass
class AnnualReport:
    year: int
    chains: list[ChainReport] = field(default_factory=list)
    has_baseline: bool = False
    city: CityNumbers | None = None
    #: the baseline's headline numbers (as of the year before), for the change beside each number
    baseline_city: CityNumbers | None = None
    baseline_chains: dict[str, ChainNumbers] = field(default_factory=dict)
    #: a city-wide summary (every chain one row) rather than one chain's report
    city_wide: bool = True

    def summary(self) -> str:
        """The summary sentence: the city's headline numbers under their one names."""
        return _summary(self)

    def for_chain(self, chain: "ChainReport", G: nx.MultiDiGraph) -> "AnnualReport":
        """The report of one of its chains alone (the per-chain documents)."""
        baseline = {chain.chain_id: self.baseline_chains[chain.chain_id]} if chain.chain_id in self.baseline_chains \
            else {}
        return AnnualReport(self.year, [chain], self.has_baseline, city_numbers(G, self.year, [chain.chain_id]),
                            None, baseline, city_wide=False)

    def totals(self) -> dict[str, int]:
        city = self.city
        return {
            "chains": len(self.chains),
            "members": city.members,  # distinct firms (链上企业)
            "memberships": city.memberships,  # summed over chains (成员关系)
            "smes": city.smes,
            "problems_raised": city.raised_this_year,
            "problems_resolved": city.resolved_this_year,
            "unresolved": city.unresolved,
            "targets_met": sum(1 for c in self.chains for t in c.targets if t["met"] is True),
            "targets_missed": sum(1 for c in self.chains for t in c.targets if t["met"] is False),
        }


def _better(direction: str, new: float, old: float) -> bool:
    return new > old if direction == "higher" else new < old


def _chain_report(G, chain_id, year, baseline, numbers: ChainNumbers) -> ChainReport:
    c = G.nodes[chain_id]
    members = model.chain_members(G, chain_id)
    owner = model.chain_owner(G, chain_id)
    coverage = nqi_coverage(G, chain_id)
    bodies = {row.service: list(row.bodies) for row in coverage.itertuples()}

    bench = []
    for b in owner_readings(G, chain_id, until=year):
        i = G.nodes[b["indicator_id"]]
        bench.append({**b, "indicator": i["name"], "unit": i.get("unit", ""),
                      "national_limit": i.get("national_limit"), "industry_limit": i.get("industry_limit")})
    owner_now = model.latest_readings(G, owner, until=year) if owner else {}
    targets = []
    for indicator, _, target in model.chain_targets(G, chain_id, year):
        i = G.nodes[indicator]
        reading = owner_now.get(indicator)
        value = reading[1] if reading and reading[0] == year else None
        met = None if value is None else (value == target or _better(i["direction"], value, target))
        targets.append({"indicator_id": indicator, "indicator": i["name"], "unit": i.get("unit", ""), "year": year,
                        "target": target, "value": value, "met": met})

    report = ChainReport(
        chain_id=chain_id, seq=c["seq"], name=c["name"], district=c.get("district", ""), key=bool(c.get("key")),
        owner=G.nodes[owner]["name"] if owner else None, numbers=numbers,
        bodies_by_pillar=bodies, training_bases=numbers.training_bases,
        training_reach=training_reach(G, chain_id),
        problems_raised=raised_in(G, chain_id, year), problems_resolved=resolved_in(G, chain_id, year),
        problems_by_status={s: numbers.value(s) for s in ENUMS["problem_status"].codes if numbers.value(s)},
        projects_by_status={s: n for s, n in numbers.projects_by_status.items() if n},
        owner_benchmark=bench, targets=targets,
    )
    if baseline is not None:
        report.changes = _changes(G, baseline, chain_id, members, model.chain_problems(G, chain_id))
    return report


def _changes(G, B, chain_id, members, problems) -> dict[str, list]:
    before = model.chain_members(B, chain_id) if model.is_label(B, chain_id, "Chain") else {}
    resolved_since = [p for p in sorted(problems) if G.nodes[p].get("status") == "resolved"
                      and (p not in B or model.is_unresolved(B, p))]
    improved, worsened = [], []
    for firm in sorted(members):
        if firm not in B:
            continue
        then_all = model.latest_readings(B, firm)
        for indicator, now in sorted(model.latest_readings(G, firm).items()):
            then = then_all.get(indicator)
            if indicator not in B or then is None or now == then:
                continue
            row = (firm, indicator, then[1], now[1])
            direction = G.nodes[indicator]["direction"]
            if _better(direction, now[1], then[1]):
                improved.append(row)
            elif _better(direction, then[1], now[1]):
                worsened.append(row)
    return {
        "new_members": sorted(set(members) - set(before)),
        "left_members": sorted(set(before) - set(members)),
        "resolved_since": resolved_since,
        "new_problems": sorted(p for p in problems if p not in B),
        "improved": improved,
        "worsened": worsened,
    }


def annual_report(G: nx.MultiDiGraph, year: int, baseline: nx.MultiDiGraph | None = None,
                  chains: list[str] | None = None) -> AnnualReport:
    """The year's summary for the given chains (default: all), compared with ``baseline`` if given."""
    city = city_numbers(G, year, chains)
    rows = [_chain_report(G, c, year, baseline, numbers) for c, numbers in city.per_chain.items()]
    report = AnnualReport(year, rows, baseline is not None, city)
    if baseline is not None:
        # Last year's numbers of the same chains (those the baseline has), judged as of last year.
        before = [c for c in city.per_chain if model.is_label(baseline, c, "Chain")]
        if before:
            report.baseline_city = city_numbers(baseline, year - 1, before)
            report.baseline_chains = dict(report.baseline_city.per_chain)
    return report


# --------------------------------------------------------------------------- rendering

#: The headline numbers a report shows, defined in its footnote.
REPORT_NUMBERS = ("members", "memberships", "smes", "unresolved", "open", "in_progress", "resolved",
                  "resolved_this_year", "raised_this_year", "coverage", "sme_support_rate", "owner_meets",
                  "owner_leads", "training_bases")


def _counts(counter: dict[str, int], enum: str) -> str:
    return "，".join(f"{enum_word(enum, k)} {v}" for k, v in counter.items() if k) or "无"


def _name(G, node_id) -> str:
    return name_with_id(G.nodes[node_id].get("name"), node_id) if node_id in G else node_id


def _fmt(value) -> str:
    return number_text(value)


def _unit(text: str, unit: str | None) -> str:
    return f"{text}（{unit}）" if unit else text


def _sections(G, r: ChainReport, year: int) -> list[tuple[str, list[str] | list[list[str]]]]:
    """(heading, lines) or (heading, table rows with a header row first)."""
    n = r.numbers
    facts = [
        f"链主企业：{r.owner or '未确定'}；链上企业 {n.members} 家，其中中小企业 {n.smes} 家"
        f"（中小企业帮扶率 {percent(n.sme_support_rate)}）",
        "质量赋能机构（赋能本链，按支柱）：" + "，".join(f"{SERVICES.chinese(p)} {len(r.bodies_by_pillar.get(p, []))}"
                                              for p in NQI_PILLARS),
        f"培训基地 {len(r.training_bases)} 个，培训覆盖成员 {len(r.training_reach)} 家",
        f"{year} 年：本年度新提出质量问题 {n.raised_this_year} 个，本年度解决 {n.resolved_this_year} 个",
        f"质量问题现状：未解决 {n.unresolved} 个（待处理 {n.open}，推进中 {n.in_progress}），已解决 {n.resolved} 个；"
        f"覆盖率 {percent(n.coverage)}",
        f"重点攻关项目：{_counts(r.projects_by_status, 'project_status')}",
    ]
    sections: list = [("概况", facts)]
    bench = [["指标", "年份", "数值", "国家标准限值", "行业标准限值", "对标结果"]] + [
        [_unit(b["indicator"], b["unit"]), str(b["year"]), _fmt(b["value"]),
         _fmt(b["national_limit"]), _fmt(b["industry_limit"]), STATUS_ZH.get(b["status"], b["status"])]
        for b in r.owner_benchmark]
    sections.append(("链主主要质量指标对标", bench if len(bench) > 1 else ["无链主指标数据"]))
    targets = [["指标", "目标值", f"{year} 年实测", "结果"]] + [
        [_unit(t["indicator"], t["unit"]), _fmt(t["target"]), _fmt(t["value"]),
         {True: "达成", False: "未达成", None: "无数据"}[t["met"]]] for t in r.targets]
    sections.append((f"{year} 年目标完成情况", targets if len(targets) > 1 else [f"未设定 {year} 年目标"]))
    if r.changes is not None:
        ch = r.changes
        lines = [
            "新增成员：" + ("、".join(_name(G, e) for e in ch["new_members"]) or "无"),
            "退出成员：" + ("、".join(ch["left_members"]) or "无"),
            "新增问题：" + ("、".join(_name(G, p) for p in ch["new_problems"]) or "无"),
            "自上期以来解决的问题：" + ("、".join(_name(G, p) for p in ch["resolved_since"]) or "无"),
            "指标改善：" + ("；".join(f"{_name(G, f)} {G.nodes[i]['name']} {_fmt(a)}→{_fmt(b)}"
                                    for f, i, a, b in ch["improved"]) or "无"),
            "指标退步：" + ("；".join(f"{_name(G, f)} {G.nodes[i]['name']} {_fmt(a)}→{_fmt(b)}"
                                    for f, i, a, b in ch["worsened"]) or "无"),
        ]
        sections.append(("与上期对比", lines))
    return sections


def _summary(report: AnnualReport) -> str:
    t, city = report.totals(), report.city
    return (f"共 {t['chains']} 条产业链，链上企业 {t['members']} 家（中小企业 {t['smes']} 家；成员关系 "
            f"{t['memberships']} 个）；本年度新提出质量问题 {t['problems_raised']} 个，本年度解决 "
            f"{t['problems_resolved']} 个，未解决 {t['unresolved']} 个（覆盖率 {percent(city.coverage)}）；"
            f"中小企业帮扶率 {percent(city.sme_support_rate)}；链主达标 {percent(city.owner_meets)}，"
            f"链主领跑 {percent(city.owner_leads)}；指标目标达成 {t['targets_met']} 项，未达成 {t['targets_missed']} 项。")


def _city_rows(report: AnnualReport) -> list[list[str]]:
    rows = [["序号", "产业链", "区", "链主", "链上企业", "中小企业", "本年度新提出", "本年度解决", "未解决", "覆盖率",
             "目标达成", "目标未达成"]]
    for r in report.chains:
        n = r.numbers
        rows.append([f"{r.seq}{'★' if r.key else ''}", r.name, r.district or "—", r.owner or "—", str(n.members),
                     str(n.smes), str(n.raised_this_year), str(n.resolved_this_year), str(n.unresolved),
                     percent(n.coverage), str(sum(t["met"] is True for t in r.targets)),
                     str(sum(t["met"] is False for t in r.targets))])
    return rows


def _footnotes() -> list[str]:
    return footnotes(REPORT_NUMBERS)


def _sources_line(G: nx.MultiDiGraph) -> str | None:
    """数据来源, when the report consolidates several workbooks (the city's report of 16 districts)."""
    sources = list(G.graph.get("sources") or ())
    return f"本报告汇总 {len(sources)} 个来源的数据：{'、'.join(sources)}。" if len(sources) > 1 else None


def _md_cell(value) -> str:
    """Text for one Markdown table cell: ``|`` escaped (and ``\\`` before it), line breaks as ``<br>``."""
    text = str(value).replace("\\", "\\\\").replace("|", "\\|")
    return text.replace("\r\n", "<br>").replace("\r", "<br>").replace("\n", "<br>")


def _md_table(rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(map(_md_cell, rows[0])) + " |", "|" + "---|" * len(rows[0])]
    return out + ["| " + " | ".join(map(_md_cell, r)) + " |" for r in rows[1:]]


def to_markdown(G: nx.MultiDiGraph, report: AnnualReport) -> str:
    lines = [f"# {report.year} 年产业链供应链质量联动提升工作总结", "", _summary(report), ""]
    lines += _md_table(_city_rows(report)) + [""]
    for r in report.chains:
        lines += [f"## {r.seq}{'★' if r.key else ''} {r.name}（{r.chain_id}，{r.district or '—'}）", ""]
        for heading, body in _sections(G, r, report.year):
            lines += [f"### {heading}", ""]
            lines += _md_table(body) if body and isinstance(body[0], list) else [f"- {b}" for b in body]
            lines.append("")
    lines += ["## 指标说明", ""] + [f"- {line}" for line in _footnotes()] + [""]
    if _sources_line(G):
        lines += ["## 数据来源", "", _sources_line(G), ""]
    return "\n".join(lines)


_CSS = """body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;
margin:2em auto;max-width:1100px;color:#1b2733;line-height:1.6}h1{color:#0b2e59}h2{border-bottom:2px solid #1f4e9c;
padding-bottom:.2em;margin-top:2em}table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #c9d3df;
padding:.25em .6em;text-align:left}th{background:#1f4e9c;color:#fff}tr:nth-child(even) td{background:#f5f8fc}
.summary{background:#eef4fb;padding:.8em 1em;border-radius:6px}
@page{size:A4;margin:20mm 18mm}@media print{body{max-width:none;margin:0;font-size:11pt}h2{break-before:page}
table{break-inside:auto}tr{break-inside:avoid}thead{display:table-header-group}.summary{border:1px solid #c9d3df}}"""


def _html_table(rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(str(v))}</th>" for v in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in r) + "</tr>" for r in rows[1:])
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def to_html(G: nx.MultiDiGraph, report: AnnualReport) -> str:
    e = html.escape
    parts = [f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
             f"<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">"
             f"<title>{report.year} 年质量联动提升工作总结</title><style>{_CSS}</style></head><body>",
             f"<h1>{report.year} 年产业链供应链质量联动提升工作总结</h1>",
             f"<p class='summary'>{e(_summary(report))}</p>",
             _html_table(_city_rows(report))]
    for r in report.chains:
        parts.append(f"<h2 id='{e(r.chain_id)}'>{r.seq}{'★' if r.key else ''} {e(r.name)}"
                     f"（{e(r.chain_id)}，{e(r.district or '—')}）</h2>")
        for heading, body in _sections(G, r, report.year):
            parts.append(f"<h3>{e(heading)}</h3>")
            if body and isinstance(body[0], list):
                parts.append(_html_table(body))
            else:
                parts.append("<ul>" + "".join(f"<li>{e(b)}</li>" for b in body) + "</ul>")
    parts.append("<h2 id='definitions'>指标说明</h2><ul class='definitions'>"
                 + "".join(f"<li>{e(line)}</li>" for line in _footnotes()) + "</ul>")
    if _sources_line(G):
        parts.append(f"<h2 id='sources'>数据来源</h2><p class='sources'>{e(_sources_line(G))}</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(G: nx.MultiDiGraph, year: int, out_dir, baseline: nx.MultiDiGraph | None = None,
                 chains: list[str] | None = None, force: bool = False, unit: str | None = None,
                 filed_on: dt.date | None = None) -> list[Path]:
    """``<out_dir>/report-<year>.md``, ``.html`` and ``.docx`` (city-wide, every chain a section or
    a row), plus the same three per chain under ``<out_dir>/chains/``. ``unit`` and ``filed_on``
    are the Word documents' 填报单位 and 填报日期.

    The files are built in a staging folder and appear together. An existing file is
    replaced only with ``force`` (and only one qmap wrote); a report of every chain
    replaces the year's earlier report whole, so no chain file of an earlier run is left
    beside the new ones.
    """
    import io

    from .report_docx import report_document

    report = annual_report(G, year, baseline, chains)
    stems = safe_names([c.chain_id for c in report.chains], f"-report-{year}", max_bytes=MAX_NAME_BYTES - 5)
    parts = [(report, f"report-{year}", ())]
    parts += [(report.for_chain(c, G), stems[c.chain_id], ("chains",)) for c in report.chains]
    written = []
    with output_folder(out_dir, key=None if chains else f"report-{year}", force=force,
                       inputs=graph_inputs(G, baseline)) as out:
        for part, stem, folder in parts:
            for suffix, render in ((".md", to_markdown), (".html", to_html)):
                written.append(out.write_text(stem + suffix, render(G, part), *folder))
            buffer = io.BytesIO()
            report_document(G, part, unit, filed_on).save(buffer)
            written.append(out.write_bytes(stem + ".docx", buffer.getvalue(), *folder))
    return written
