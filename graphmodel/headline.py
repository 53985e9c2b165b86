"""The one set of headline numbers (domain.md, "One set of numbers"): each with one name and one definition.

Every page, list, report and analysis that shows one of these numbers takes it from here,
with its Chinese name and its definition (shown on hover on the pages and as a footnote in
the report and the lists), so a superior comparing two outputs finds the same figure under
the same name:

* **链上企业** (``members``): distinct enterprises that are MEMBER_OF the chain; city-wide,
  distinct enterprises on any chain. Per-chain counts summed over chains are **成员关系**
  (``memberships``), never called 链上企业.
* **中小企业** (``smes``): those of them that are SMEs (every size but large).
* **未解决** (``unresolved``): problems open or in_progress; **待处理** (``open``) is status open
  alone; **推进中** (``in_progress``).
* **已解决** (``resolved``): status resolved, all time; **本年度解决** (``resolved_this_year``):
  resolved_on in the report's year.
* **覆盖率** (``coverage``): the share of unresolved problems whose needed services are all
  covered; split into **缺服务** (``uncovered``) and **已覆盖** (``covered``) problems.
* **中小企业帮扶率** (``sme_support_rate``): the share of SME members with at least one active
  SUPPORTS link.
* **链主达标** / **链主领跑** (``owner_meets`` / ``owner_leads``): among chains whose owner
  reports a reading, the share whose owner's latest readings are all at least
  meets_national / all beats_industry.
* **培训基地** (``training_bases``): per district, bodies offering training that ENABLE a chain
  of that district.
* **已完成项目** / **项目平均进度** (``projects_done`` / ``project_progress``): key projects
  done, and the mean of the progress values given.

>>> HEADLINES["members"].zh, HEADLINES["memberships"].zh
('链上企业', '成员关系')
>>> percent(2 / 3), percent(None)
('67%', '—')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from . import analyses, model
from .schema import ENUMS

__all__ = ["Headline", "HEADLINES", "ChainNumbers", "CityNumbers", "chain_numbers", "city_numbers",
           "percent", "footnotes", "owner_readings", "owner_standing", "resolved_in", "raised_in"]


@dataclass(frozen=True)
class Headline:
    """One headline number: its key, Chinese name, unit and definition."""

    key: str
    zh: str
    unit: str
    definition: str

    def label(self) -> str:
        return self.zh


HEADLINES: dict[str, Headline] = {h.key: h for h in (
    Headline("chains", "产业链项目", "条", "数据中的产业链供应链质量联动提升项目数。"),
    Headline("key_chains", "重点项目", "条", "标注★的重点产业链项目数。"),
    Headline("districts", "涉及的区", "个", "有产业链项目的区（链长单位所在区）的个数。"),
    Headline("members", "链上企业", "家",
             "在链上（链上成员）的企业，去重计数：全市口径下一家企业在多条链上只计一次。"),
    Headline("memberships", "成员关系", "个", "各链成员数之和：一家企业在两条链上计两次。"),
    Headline("smes", "中小企业", "家", "链上企业中的中小企业（除大型企业外的各类规模；规模未填的按中小企业计）。"),
    Headline("bodies", "赋能机构", "家", "赋能本链或帮扶其成员、攻关其问题、参与其项目的质量赋能专业技术机构（去重）。"),
    Headline("problems", "质量问题", "个", "质量问题清单中的问题总数（各状态合计）。"),
    Headline("unresolved", "未解决", "个", "状态为待处理或推进中的质量问题。"),
    Headline("open", "待处理", "个", "状态为待处理的质量问题（未解决中尚未推进的部分）。"),
    Headline("in_progress", "推进中", "个", "状态为推进中的质量问题。"),
    Headline("resolved", "已解决", "个", "状态为已解决的质量问题，不限年度。"),
    Headline("resolved_this_year", "本年度解决", "个", "解决日期在报告年度内的已解决问题。"),
    Headline("raised_this_year", "本年度新提出", "个", "提出日期在报告年度内的质量问题。"),
    Headline("uncovered", "缺服务", "个", "未解决且至少一项所需服务没有任何机构覆盖的问题。"),
    Headline("covered", "已覆盖", "个", "未解决但所需服务均有机构覆盖（或无所需服务）的问题。"),
    Headline("coverage", "覆盖率", "%",
             "未解决问题中所需服务全部有机构覆盖的比例。机构覆盖某项服务：直接攻关该问题、帮扶问题所在企业或参与攻关该问题的项目，"
             "且该连线标明此服务（未标明时取机构的全部服务）；已结束的连线不再覆盖。"),
    Headline("sme_support_rate", "中小企业帮扶率", "%", "中小企业中至少有一条有效帮扶关系（机构帮扶企业，未结束）的比例。"),
    Headline("owner_meets", "链主达标", "%",
             "链主有指标读数的产业链中，链主各指标最新年度读数均达到国家标准及以上的比例。"),
    Headline("owner_leads", "链主领跑", "%", "链主有指标读数的产业链中，链主各指标最新年度读数均优于行业标准的比例。"),
    Headline("training_bases", "培训基地", "个", "提供培训服务、且赋能该区某条产业链的机构（通知要求每区至少 1 个）。"),
    Headline("projects", "攻关项目", "个", "重点攻关项目清单中的项目数。"),
    Headline("projects_done", "已完成项目", "个", "重点攻关项目中状态为已完成的项目数。"),
    Headline("project_progress", "项目平均进度", "%", "重点攻关项目填报进度（0–100%）的平均值；未填进度的项目不计。"),
)}


def percent(share: float | None) -> str:
    """A share as a whole percentage, or — when there is nothing to divide."""
    return "—" if share is None else f"{round(share * 100)}%"


def footnotes(keys) -> list[str]:
    """``名称：定义`` lines for the numbers an output shows (report and list footnotes)."""
    return [f"{HEADLINES[k].zh}：{HEADLINES[k].definition}" for k in dict.fromkeys(keys)]


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def owner_readings(G: nx.MultiDiGraph, chain_id: str, until: int | None = None) -> list[dict]:
    """The owner's latest reading per indicator (at most ``until`` when given), judged as in
    owner-benchmark (:func:`graphmodel.analyses.reading_status`); [] without an owner or readings."""
    owner = model.chain_owner(G, chain_id)
    if owner is None:
        return []
    rows = []
    for indicator, (year, value) in sorted(model.latest_readings(G, owner, until).items()):
        i = G.nodes[indicator]
        rows.append({"enterprise_id": owner, "indicator_id": indicator, "year": year, "value": value,
                     "status": analyses.reading_status(value, i["direction"], i.get("national_limit"),
                                                       i.get("industry_limit"))})
    return rows


def owner_standing(G: nx.MultiDiGraph, chain_id: str, until: int | None = None) -> tuple[bool | None, bool | None]:
    """(链主达标, 链主领跑) of one chain: None when its owner reports no reading.

    From the owner's latest reading per indicator (owner-benchmark; up to ``until``): 达标
    when every status is meets_national or beats_industry; 领跑 when every one is beats_industry.
    """
    statuses = [r["status"] for r in owner_readings(G, chain_id, until)]
    if not statuses:
        return None, None
    return (all(s in ("meets_national", "beats_industry") for s in statuses),
            all(s == "beats_industry" for s in statuses))


def _in_year(date: str | None, year: int | None) -> bool:
    return year is not None and bool(date) and str(date)[:4] == str(year)


def resolved_in(G: nx.MultiDiGraph, chain_id: str, year: int) -> list[str]:
    """本年度解决: the chain's problems with status resolved and resolved_on in ``year``."""
    return [p for p in model.chain_problems(G, chain_id)
            if G.nodes[p].get("status") == "resolved" and _in_year(G.nodes[p].get("resolved_on"), year)]


def raised_in(G: nx.MultiDiGraph, chain_id: str, year: int) -> list[str]:
    """本年度新提出: the chain's problems with raised_on in ``year``."""
    return [p for p in model.chain_problems(G, chain_id) if _in_year(G.nodes[p].get("raised_on"), year)]


class _Counts:
    """The numbers derived from the counts, the same for a chain and for the city."""

    open: int
    in_progress: int
    covered: int
    smes: int
    smes_supported: int

    @property
    def unresolved(self) -> int:
        return self.open + self.in_progress

    @property
    def coverage(self) -> float | None:
        return _share(self.covered, self.unresolved)

    @property
    def sme_support_rate(self) -> float | None:
        return _share(self.smes_supported, self.smes)

    def value(self, key: str) -> Any:
        """The number a :data:`HEADLINES` key names."""
        return getattr(self, key)


@dataclass
class ChainNumbers(_Counts):
    """The headline numbers of one chain (keys of :data:`HEADLINES` as attributes)."""

    chain_id: str
    members: int
    smes: int
    bodies: int
    problems: int
    open: int
    in_progress: int
    resolved: int
    uncovered: int
    covered: int
    smes_supported: int
    projects: int
    owner_meets: bool | None
    owner_leads: bool | None
    training_bases: list[str]
    year: int | None = None
    resolved_this_year: int | None = None
    raised_this_year: int | None = None
    projects_by_status: dict[str, int] = field(default_factory=dict)
    progress: list[float] = field(default_factory=list)  # the projects' progress values given (0–1)

    @property
    def projects_done(self) -> int:
        return self.projects_by_status.get("done", 0)

    @property
    def project_progress(self) -> float | None:
        return _share(sum(self.progress), len(self.progress))

@dataclass
class CityNumbers(_Counts):
    """The city-wide headline numbers: firms counted once however many chains they sit on."""

    chains: int
    key_chains: int
    districts: int
    members: int
    memberships: int
    smes: int
    bodies: int
    problems: int
    open: int
    in_progress: int
    resolved: int
    uncovered: int
    covered: int
    smes_supported: int
    projects: int
    owners_reporting: int
    owners_meeting: int
    owners_leading: int
    training_bases: dict[str, list[str]]  # district → bodies
    per_chain: dict[str, ChainNumbers]
    year: int | None = None
    resolved_this_year: int | None = None
    raised_this_year: int | None = None

    @property
    def projects_done(self) -> int:
        return sum(n.projects_done for n in self.per_chain.values())

    @property
    def project_progress(self) -> float | None:
        values = [v for n in self.per_chain.values() for v in n.progress]
        return _share(sum(values), len(values))

    @property
    def owner_meets(self) -> float | None:
        return _share(self.owners_meeting, self.owners_reporting)

    @property
    def owner_leads(self) -> float | None:
        return _share(self.owners_leading, self.owners_reporting)


def chain_numbers(G: nx.MultiDiGraph, chain_id: str, year: int | None = None) -> ChainNumbers:
    """The headline numbers of one chain; ``year`` adds 本年度解决 and 本年度新提出 (and judges the
    owner's readings as of that year)."""
    chain_id = model.resolve_chain(G, chain_id)
    members = model.chain_members(G, chain_id)
    coverage = analyses.chain_coverage(G, chain_id)
    status = {s: 0 for s in ENUMS["problem_status"].codes}
    for p in coverage:
        status[G.nodes[p]["status"]] += 1
    support = analyses.sme_support(G, chain_id)
    projects = model.chain_projects(G, chain_id)
    by_status = {s: 0 for s in ENUMS["project_status"].codes}
    for k in projects:
        by_status[G.nodes[k]["status"]] += 1
    meets, leads = owner_standing(G, chain_id, until=year)
    numbers = ChainNumbers(
        chain_id=chain_id, members=len(members), smes=len(support), bodies=len(model.chain_bodies(G, chain_id)),
        problems=len(coverage), open=status["open"], in_progress=status["in_progress"], resolved=status["resolved"],
        uncovered=sum(1 for c in coverage.values() if c.unresolved and c.missing),
        covered=sum(1 for c in coverage.values() if c.state == "covered"),
        smes_supported=sum(1 for bodies in support.values() if bodies), projects=len(projects),
        owner_meets=meets, owner_leads=leads, training_bases=analyses.training_bases(G, chain_id), year=year,
        projects_by_status=by_status,
        progress=[float(G.nodes[k]["progress"]) for k in projects if G.nodes[k].get("progress") is not None])
    if year is not None:
        numbers.resolved_this_year = len(resolved_in(G, chain_id, year))
        numbers.raised_this_year = len(raised_in(G, chain_id, year))
    return numbers


def city_numbers(G: nx.MultiDiGraph, year: int | None = None, chains: list[str] | None = None) -> CityNumbers:
    """The city-wide headline numbers over every chain (or the given ones).

    Firms and bodies are counted once however many of the chains they serve; problems and
    projects belong to one chain each, so their counts are sums.
    """
    order = model.chains(G)
    chain_ids = order if chains is None else sorted({model.resolve_chain(G, c) for c in chains}, key=order.index)
    per_chain = {c: chain_numbers(G, c, year) for c in chain_ids}
    firms = {m for c in chain_ids for m in model.chain_members(G, c)}
    smes = {f for f in firms if model.is_sme(G, f)}
    supported = {f for f in smes if model.supporting_bodies(G, f, active_only=True)}
    bodies = {b for c in chain_ids for b in model.chain_bodies(G, c)}
    bases: dict[str, set[str]] = {}
    for c in chain_ids:
        district = model.chain_district(G, c)
        if district:
            bases.setdefault(district, set()).update(per_chain[c].training_bases)

    def total(key):
        values = [getattr(n, key) for n in per_chain.values()]
        return None if any(v is None for v in values) else sum(values)

    reporting = [n for n in per_chain.values() if n.owner_meets is not None]
    return CityNumbers(
        chains=len(chain_ids), key_chains=sum(1 for c in chain_ids if G.nodes[c].get("key")),
        districts=len({model.chain_district(G, c) for c in chain_ids if model.chain_district(G, c)}),
        members=len(firms), memberships=sum(n.members for n in per_chain.values()), smes=len(smes),
        bodies=len(bodies), problems=total("problems"), open=total("open"), in_progress=total("in_progress"),
        resolved=total("resolved"), uncovered=total("uncovered"), covered=total("covered"),
        smes_supported=len(supported), projects=total("projects"), owners_reporting=len(reporting),
        owners_meeting=sum(1 for n in reporting if n.owner_meets), owners_leading=sum(1 for n in reporting
                                                                                    if n.owner_leads),
        training_bases={d: sorted(b) for d, b in sorted(bases.items())}, per_chain=per_chain, year=year,
        resolved_this_year=total("resolved_this_year"), raised_this_year=total("raised_this_year"))
