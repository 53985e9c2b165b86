"""The annual summary each district sends by the end of November (年度总结).

``annual_report(G, year, baseline=None)`` gathers, per chain and city-wide: members
and SMEs, bodies by NQI pillar, training reach, problems raised and resolved in the
year, projects by status, the chain owner's indicators against the national and
industry limits, targets met or missed — and, given last year's workbook as a
baseline graph, what changed. ``write_report`` renders it as Markdown and as one
self-contained HTML page (no network, all user text escaped).

>>> report = annual_report(G, 2025)                 # doctest: +SKIP
>>> report.chains[0].problems_resolved              # doctest: +SKIP
['P0007']
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from .analyses import nqi_coverage, reading_status
from .files import atomic_file
from .model import chain_members, nodes_of
from .schema import ENUMS, NQI_PILLARS, SERVICES, UNRESOLVED_PROBLEM

__all__ = ["ChainReport", "AnnualReport", "annual_report", "write_report", "STATUS_ZH"]

STATUS_ZH = {"below_national": "低于国家标准", "meets_national": "达到国家标准", "beats_industry": "优于行业标准",
             "no_limit": "无限值"}


@dataclass
class ChainReport:
    chain_id: str
    seq: int
    name: str
    district: str
    key: bool
    owner: str | None
    members: int
    smes: int
    bodies_by_pillar: dict[str, list[str]]
    training_bases: list[str]
    training_reach: list[str]  # members reached by training support
    problems_raised: list[str]
    problems_resolved: list[str]
    problems_by_status: dict[str, int]
    projects_by_status: dict[str, int]
    owner_benchmark: list[dict]  # indicator, year, value, limits, status
    targets: list[dict]  # indicator, year, target, value, met (True/False/None)
    changes: dict[str, list] | None = None  # with a baseline


@dataclass
class AnnualReport:
    year: int
    chains: list[ChainReport] = field(default_factory=list)
    has_baseline: bool = False

    def totals(self) -> dict[str, int]:
        return {
            "chains": len(self.chains),
            "members": sum(c.members for c in self.chains),
            "smes": sum(c.smes for c in self.chains),
            "problems_raised": sum(len(c.problems_raised) for c in self.chains),
            "problems_resolved": sum(len(c.problems_resolved) for c in self.chains),
            "targets_met": sum(1 for c in self.chains for t in c.targets if t["met"] is True),
            "targets_missed": sum(1 for c in self.chains for t in c.targets if t["met"] is False),
        }


def _in_year(date: str | None, year: int) -> bool:
    return bool(date) and date[:4] == str(year)


def _latest_reading(G, firm, indicator, year):
    """The reading of ``year``, else the latest before it."""
    best = None
    for _, v, d in G.out_edges(firm, data=True):
        if d["type"] == "REPORTS" and v == indicator and d["year"] <= year and (best is None or d["year"] > best[0]):
            best = (d["year"], d["value"])
    return best


def _better(direction: str, new: float, old: float) -> bool:
    return new > old if direction == "higher" else new < old


def _linked(G, chain_id, members):
    """Problems and projects of the chain."""
    in_chain = [u for u, _, d in G.in_edges(chain_id, data=True) if d["type"] == "IN_CHAIN"]
    return ([n for n in in_chain if G.nodes[n]["label"] == "Problem"],
            [n for n in in_chain if G.nodes[n]["label"] == "Project"])


def _training(G, chain_id, members, problems, projects):
    bases, reached = set(), set()
    for target in [chain_id, *members, *problems, *projects]:
        for body, _, d in G.in_edges(target, data=True):
            if d["type"] not in ("ENABLES", "SUPPORTS", "ADDRESSES", "PARTNERS_IN"):
                continue
            training = d.get("service") == "training" or (
                d.get("service") is None and "TrainingBase" in G.nodes[body]["labels"])
            if training:
                bases.add(body)
                if target in members:
                    reached.add(target)
    return sorted(bases), sorted(reached)


def _chain_report(G, chain_id, year, baseline) -> ChainReport:
    c = G.nodes[chain_id]
    members = chain_members(G, chain_id)
    owner = next((m for m, d in members.items() if d["role"] == "owner"), None)
    problems, projects = _linked(G, chain_id, members)
    coverage = nqi_coverage(G, chain_id)
    bodies = {row.service: list(row.bodies) for row in coverage.itertuples()}
    bases, reached = _training(G, chain_id, members, problems, projects)

    bench, targets = [], []
    if owner:
        for _, indicator, d in G.out_edges(owner, data=True):
            if d["type"] != "REPORTS" or any(b["indicator_id"] == indicator for b in bench):
                continue
            reading = _latest_reading(G, owner, indicator, year)
            if reading is None:
                continue
            i = G.nodes[indicator]
            bench.append({"indicator_id": indicator, "indicator": i["name"], "unit": i.get("unit", ""),
                          "year": reading[0], "value": reading[1], "national_limit": i.get("national_limit"),
                          "industry_limit": i.get("industry_limit"),
                          "status": reading_status(reading[1], i["direction"], i.get("national_limit"),
                                                   i.get("industry_limit"))})
    for _, indicator, d in G.out_edges(chain_id, data=True):
        if d["type"] != "TARGETS" or d["year"] != year:
            continue
        i = G.nodes[indicator]
        reading = _latest_reading(G, owner, indicator, year) if owner else None
        value = reading[1] if reading and reading[0] == year else None
        met = None if value is None else (value == d["value"] or _better(i["direction"], value, d["value"]))
        targets.append({"indicator_id": indicator, "indicator": i["name"], "year": year, "target": d["value"],
                        "value": value, "met": met})

    report = ChainReport(
        chain_id=chain_id, seq=c["seq"], name=c["name"], district=c.get("district", ""), key=bool(c.get("key")),
        owner=G.nodes[owner]["name"] if owner else None, members=len(members),
        smes=sum(1 for m in members if G.nodes[m].get("sme", True)),
        bodies_by_pillar=bodies, training_bases=bases, training_reach=reached,
        problems_raised=sorted(p for p in problems if _in_year(G.nodes[p].get("raised_on"), year)),
        problems_resolved=sorted(p for p in problems if G.nodes[p].get("status") == "resolved"
                                 and _in_year(G.nodes[p].get("resolved_on"), year)),
        problems_by_status=dict(Counter(G.nodes[p].get("status") for p in problems)),
        projects_by_status=dict(Counter(G.nodes[k].get("status") for k in projects)),
        owner_benchmark=sorted(bench, key=lambda b: b["indicator_id"]),
        targets=sorted(targets, key=lambda t: t["indicator_id"]),
    )
    if baseline is not None:
        report.changes = _changes(G, baseline, chain_id, members, problems)
    return report


def _changes(G, B, chain_id, members, problems) -> dict[str, list]:
    before = chain_members(B, chain_id) if chain_id in B else {}
    resolved_since = [p for p in sorted(problems) if G.nodes[p].get("status") == "resolved"
                      and (p not in B or B.nodes[p].get("status") in UNRESOLVED_PROBLEM)]
    improved, worsened = [], []
    for firm in sorted(members):
        if firm not in B:
            continue
        for _, indicator, d in G.out_edges(firm, data=True):
            if d["type"] != "REPORTS" or indicator not in B:
                continue
            now = _latest_reading(G, firm, indicator, 10_000)
            then = _latest_reading(B, firm, indicator, 10_000)
            if not now or not then or now == then or (firm, indicator) in {(x[0], x[1]) for x in improved + worsened}:
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
    chain_ids = chains or nodes_of(G, "Chain")
    for chain_id in chain_ids:
        if chain_id not in G or G.nodes[chain_id]["label"] != "Chain":
            raise KeyError(f"未知的产业链编号 unknown chain id: {chain_id!r}")
    rows = sorted((_chain_report(G, c, year, baseline) for c in chain_ids), key=lambda r: (r.seq, r.chain_id))
    return AnnualReport(year, rows, baseline is not None)


# --------------------------------------------------------------------------- rendering

def _counts(counter: dict[str, int], enum: str) -> str:
    return "，".join(f"{ENUMS[enum].chinese(k)} {v}" for k, v in sorted(counter.items()) if k) or "无"


def _name(G, node_id) -> str:
    return f"{G.nodes[node_id]['name']}（{node_id}）" if node_id in G else node_id


def _fmt(value) -> str:
    return "—" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _sections(G, r: ChainReport, year: int) -> list[tuple[str, list[str] | list[list[str]]]]:
    """(heading, lines) or (heading, table rows with a header row first)."""
    facts = [
        f"链主企业：{r.owner or '未确定'}；链上成员 {r.members} 家，其中中小企业 {r.smes} 家",
        "质量赋能机构（按支柱）：" + "，".join(f"{SERVICES.chinese(p)} {len(r.bodies_by_pillar.get(p, []))}"
                                       for p in NQI_PILLARS),
        f"培训基地 {len(r.training_bases)} 个，培训覆盖成员 {len(r.training_reach)} 家",
        f"{year} 年新提出质量问题 {len(r.problems_raised)} 个，解决 {len(r.problems_resolved)} 个；"
        f"问题现状：{_counts(r.problems_by_status, 'problem_status')}",
        f"重点攻关项目：{_counts(r.projects_by_status, 'project_status')}",
    ]
    sections: list = [("概况", facts)]
    bench = [["指标", "年份", "数值", "国家标准", "行业标准", "对标结果"]] + [
        [f"{b['indicator']}（{b['unit']}）" if b["unit"] else b["indicator"], str(b["year"]), _fmt(b["value"]),
         _fmt(b["national_limit"]), _fmt(b["industry_limit"]), STATUS_ZH.get(b["status"], b["status"])]
        for b in r.owner_benchmark]
    sections.append(("链主主要质量指标对标", bench if len(bench) > 1 else ["无链主指标数据"]))
    targets = [["指标", "目标值", f"{year} 年实测", "结果"]] + [
        [t["indicator"], _fmt(t["target"]), _fmt(t["value"]),
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


def _city_rows(report: AnnualReport) -> list[list[str]]:
    rows = [["序号", "产业链", "区", "链主", "成员", "中小企业", "新提问题", "已解决", "目标达成", "目标未达成"]]
    for r in report.chains:
        rows.append([f"{r.seq}{'★' if r.key else ''}", r.name, r.district or "—", r.owner or "—", str(r.members),
                     str(r.smes), str(len(r.problems_raised)), str(len(r.problems_resolved)),
                     str(sum(t["met"] is True for t in r.targets)), str(sum(t["met"] is False for t in r.targets))])
    return rows


def _md_table(rows: list[list[str]]) -> list[str]:
    cell = lambda v: str(v).replace("|", "\\|")  # noqa: E731
    out = ["| " + " | ".join(map(cell, rows[0])) + " |", "|" + "---|" * len(rows[0])]
    return out + ["| " + " | ".join(map(cell, r)) + " |" for r in rows[1:]]


def to_markdown(G: nx.MultiDiGraph, report: AnnualReport) -> str:
    t = report.totals()
    lines = [f"# {report.year} 年产业链供应链质量联动提升工作总结", "",
             f"共 {t['chains']} 条产业链，链上成员 {t['members']} 家（中小企业 {t['smes']} 家）；"
             f"全年新提出质量问题 {t['problems_raised']} 个，解决 {t['problems_resolved']} 个；"
             f"指标目标达成 {t['targets_met']} 项，未达成 {t['targets_missed']} 项。", ""]
    lines += _md_table(_city_rows(report)) + [""]
    for r in report.chains:
        lines += [f"## {r.seq}{'★' if r.key else ''} {r.name}（{r.chain_id}，{r.district or '—'}）", ""]
        for heading, body in _sections(G, r, report.year):
            lines += [f"### {heading}", ""]
            lines += _md_table(body) if body and isinstance(body[0], list) else [f"- {b}" for b in body]
            lines.append("")
    return "\n".join(lines)


_CSS = """body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;
margin:2em auto;max-width:1100px;color:#1b2733;line-height:1.6}h1{color:#0b2e59}h2{border-bottom:2px solid #1f4e9c;
padding-bottom:.2em;margin-top:2em}table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #c9d3df;
padding:.25em .6em;text-align:left}th{background:#1f4e9c;color:#fff}tr:nth-child(even) td{background:#f5f8fc}
.summary{background:#eef4fb;padding:.8em 1em;border-radius:6px}"""


def _html_table(rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(str(v))}</th>" for v in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in r) + "</tr>" for r in rows[1:])
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def to_html(G: nx.MultiDiGraph, report: AnnualReport) -> str:
    e = html.escape
    t = report.totals()
    parts = [f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
             f"<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">"
             f"<title>{report.year} 年质量联动提升工作总结</title><style>{_CSS}</style></head><body>",
             f"<h1>{report.year} 年产业链供应链质量联动提升工作总结</h1>",
             f"<p class='summary'>共 {t['chains']} 条产业链，链上成员 {t['members']} 家（中小企业 {t['smes']} 家）；"
             f"全年新提出质量问题 {t['problems_raised']} 个，解决 {t['problems_resolved']} 个；"
             f"指标目标达成 {t['targets_met']} 项，未达成 {t['targets_missed']} 项。</p>",
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
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(G: nx.MultiDiGraph, year: int, out_dir, baseline: nx.MultiDiGraph | None = None,
                 chains: list[str] | None = None, force: bool = True) -> list[Path]:
    """``<out_dir>/report-<year>.md`` and ``.html`` (city-wide, every chain a section), plus one
    pair per chain under ``<out_dir>/chains/``."""
    out_dir = Path(out_dir)
    report = annual_report(G, year, baseline, chains)
    written = []
    targets = [(report, out_dir / f"report-{year}")]
    targets += [(AnnualReport(year, [c], report.has_baseline), out_dir / "chains" / f"{c.chain_id}-report-{year}")
                for c in report.chains]
    for part, stem in targets:
        for suffix, render in ((".md", to_markdown), (".html", to_html)):
            path = stem.with_suffix(suffix)
            with atomic_file(path, force) as out:
                out.write(render(G, part))
            written.append(path)
    return written
