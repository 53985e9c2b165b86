"""The ten named analyses of ``domain.md`` on the networkx model (the embedded backend).

Each analysis is a function of the model built by :func:`graphmodel.model.build_graph`
and returns a :class:`pandas.DataFrame` whose columns are the contract keys of
``domain.md`` plus a few welcome extras (names, titles). Per-chain analyses take
``chain=None`` (every chain, rows ordered by chain ``seq``) or one chain id, and
always carry a ``chain_id`` column. The same questions are answered on Neo4j by
the Cypher library in ``cypher/queries/<name>.cypher`` (run by
:func:`graphmodel.store.cypher_library.run_analysis`); both backends give the same
rows, and the tests prove it.

An unknown chain or problem id raises :class:`UnknownIdError` (a ``KeyError`` whose
message reads well in one line), never an empty result.

Definitions shared by several analyses (one meaning on every backend):

* **unresolved** problem: status ``open`` or ``in_progress``.
* **coverage rule** (:func:`covered_services`): a body covers service *s* for problem
  *p* when it ADDRESSES *p*, or SUPPORTS *p*'s affected enterprise, or PARTNERS_IN a
  project that TACKLES *p*, with *s* named on that link, or, where the link names no
  service, with *s* among the body's ``services``. Only an active (or blank-status)
  link covers: an ended link (已结束) no longer does; ``since`` is not considered. A
  SUPPORTS link covers the firm's problems on every chain it sits on.
* **support**: an SME is supported when some body has an active SUPPORTS link to it
  (:func:`sme_support`); ended links are no support.
* **enabling rule** (nqi-coverage, city-overview): a body enables pillar *s* on a
  chain when an ENABLES link to the chain names *s*, or an ENABLES link naming no
  service exists and *s* is among the body's ``services``
  (:func:`graphmodel.model.chain_enablers`; the link's status is not considered).

The facts these rules read (a chain's members, supplies, problems, the firm a problem
affects, support links…) come from the graph vocabulary of :mod:`graphmodel.model`; the
headline numbers built on them are in :mod:`graphmodel.headline`.
* lists in cells (``missing``, ``bodies``, ``problems``) are sorted alphabetically.

>>> from graphmodel import read_dataset, build_graph                 # doctest: +SKIP
>>> G = build_graph(read_dataset("exports/demo/shanghai-demo.xlsx"))  # doctest: +SKIP
>>> uncovered_problems(G, "SH01").head()                             # doctest: +SKIP
>>> ANALYSES["critical-suppliers"].run(G, chain="SH01")              # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

import networkx as nx
import pandas as pd

from . import model
from .model import UnknownIdError, resolve_chain
from .schema import ENUMS, NQI_PILLARS, SERVICES
from .text import cell_text, plain

__all__ = [
    "Analysis",
    "ANALYSES",
    "UnknownIdError",
    "COVERAGE_STATES",
    "Coverage",
    "covered_services",
    "problem_coverage",
    "chain_coverage",
    "sme_support",
    "training_bases",
    "training_reach",
    "uncovered_problems",
    "problem_impact",
    "problem_impacts",
    "ProblemImpacts",
    "single_source",
    "sme_unsupported",
    "nqi_coverage",
    "indicator_gap",
    "owner_benchmark",
    "critical_suppliers",
    "city_overview",
    "support_suggestions",
    "support_targets",
    "SUGGESTION_REACH",
    "reading_status",
    "betweenness_scores",
    "betweenness_reference",
    "rank_scores",
    "frame_from_rows",
    "to_records",
    "to_json",
    "to_csv",
    "cell_text",
]

#: Decimal places kept for betweenness scores; "tied" nodes whose sums of fractions
#: differ only in the last bits then tie exactly (and both backends agree).
SCORE_DECIMALS = 9


# --------------------------------------------------------------------------- small helpers

def _sort_key(value: Any):
    """Total order with None first, so rows with a missing product still sort."""
    return (value is not None, value)


def _chain_ids(G: nx.MultiDiGraph, chain: str | None) -> list[str]:
    """[the chain ``chain`` names] (:func:`graphmodel.model.resolve_chain`), or every chain in order."""
    return [resolve_chain(G, chain)] if chain is not None else model.chains(G)


def _check_problem(G: nx.MultiDiGraph, problem: str) -> None:
    if problem is None:
        raise UnknownIdError("需要质量问题编号 a problem id is required (--problem)")
    if not model.is_label(G, problem, "Problem"):
        raise UnknownIdError(f"未知的质量问题编号 unknown problem id: {problem}")


# --------------------------------------------------------------------------- coverage

def covered_services(G: nx.MultiDiGraph, problem_id: str) -> set[str]:
    """Every service some body covers for ``problem_id`` (the coverage rule of analysis 1).

    A body covers service *s* for problem *p* when it ADDRESSES *p*, or SUPPORTS *p*'s
    affected enterprise, or PARTNERS_IN a project that TACKLES *p* — with *s* on that
    link, or, where the link names no service, with *s* among the body's services.
    Only an active (or blank-status) link covers; an ended one (已结束) no longer does.
    The result may hold services *p* does not need. Raises :class:`UnknownIdError` for
    an id that is not a problem.

    >>> sorted(covered_services(G, "P1"))   # doctest: +SKIP
    ['metrology', 'testing']
    """
    _check_problem(G, problem_id)
    targets = [problem_id]
    firm = model.problem_firm(G, problem_id)
    if firm is not None:
        targets.append(firm)
    targets += model.problem_projects(G, problem_id)
    covered: set[str] = set()
    for target in targets:
        for body, rel_type, link in model.support_links(G, target, active_only=True):
            if rel_type in ("ADDRESSES", "SUPPORTS", "PARTNERS_IN"):
                covered.update(model.link_services(G, body, link))
    return covered


#: Coverage states: how far a problem's needs are covered (lists' 覆盖情况) and the colour a
#: map draws it in (red: unresolved with a needed service missing, amber: unresolved and
#: every need covered, green: resolved).
COVERAGE_STATES: dict[str, dict[str, str]] = {
    "uncovered": {"zh": "未覆盖", "tone": "red"},
    "partial": {"zh": "部分覆盖", "tone": "red"},
    "covered": {"zh": "已覆盖", "tone": "amber"},
    "resolved": {"zh": "已解决", "tone": "green"},
}


@dataclass(frozen=True)
class Coverage:
    """One problem's coverage: what it needs, what bodies cover, what is missing, and its state."""

    problem_id: str
    needs: tuple[str, ...]
    covered: tuple[str, ...]  # every service covered for it (may exceed its needs)
    missing: tuple[str, ...]  # needed and not covered, sorted; () once resolved
    state: str  # a key of COVERAGE_STATES

    @property
    def tone(self) -> str:
        """red / amber / green, as the maps draw it."""
        return COVERAGE_STATES[self.state]["tone"]

    @property
    def zh(self) -> str:
        return COVERAGE_STATES[self.state]["zh"]

    @property
    def unresolved(self) -> bool:
        return self.state != "resolved"


def problem_coverage(G: nx.MultiDiGraph, problem_id: str) -> Coverage:
    """The coverage of one problem, the single source of 未覆盖/部分覆盖/已覆盖/已解决 and red/amber/green.

    Resolved problems are ``resolved``; an unresolved problem with no missing service
    (including one that needs nothing) is ``covered``; one missing every needed service is
    ``uncovered``; one missing some is ``partial``. Its ``missing`` services are exactly
    those :func:`uncovered_problems` lists.
    """
    _check_problem(G, problem_id)
    needs = tuple(G.nodes[problem_id].get("needs", ()))
    covered = covered_services(G, problem_id)
    if not model.is_unresolved(G, problem_id):
        return Coverage(problem_id, needs, tuple(sorted(covered)), (), "resolved")
    missing = tuple(sorted(set(needs) - covered))
    state = "covered" if not missing else ("uncovered" if len(missing) == len(set(needs)) else "partial")
    return Coverage(problem_id, needs, tuple(sorted(covered)), missing, state)


def chain_coverage(G: nx.MultiDiGraph, chain_id: str) -> dict[str, Coverage]:
    """Problem → :func:`problem_coverage` for every problem of the chain."""
    return {p: problem_coverage(G, p) for p in model.chain_problems(G, resolve_chain(G, chain_id))}


def _missing(G: nx.MultiDiGraph, problem: str) -> list[str]:
    return list(problem_coverage(G, problem).missing)


def _enabled_pillars(G: nx.MultiDiGraph, chain_id: str) -> dict[str, list[str]]:
    """Pillar → sorted ids of the bodies that enable it on the chain (the enabling rule)."""
    bodies: dict[str, list[str]] = {s: [] for s in NQI_PILLARS}
    for body, services in model.chain_enablers(G, chain_id).items():
        for service in services:
            if service in bodies:
                bodies[service].append(body)
    return {s: sorted(ids) for s, ids in bodies.items()}


# --------------------------------------------------------------------------- SME support and training

def sme_support(G: nx.MultiDiGraph, chain_id: str) -> dict[str, list[str]]:
    """SME member → the bodies with an active SUPPORTS link to it (empty: no support, 无帮扶).

    The one rule behind sme-unsupported and 中小企业帮扶率: an ended link is no support.
    """
    chain_id = resolve_chain(G, chain_id)
    return {firm: model.supporting_bodies(G, firm, active_only=True)
            for firm in sorted(model.chain_members(G, chain_id)) if model.is_sme(G, firm)}


def training_bases(G: nx.MultiDiGraph, chain_id: str) -> list[str]:
    """培训基地 of a chain: bodies offering training (their services include it) that ENABLE the chain."""
    return sorted(b for b in model.chain_enablers(G, chain_id) if "training" in G.nodes[b].get("services", ()))


def training_reach(G: nx.MultiDiGraph, chain_id: str) -> list[str]:
    """Members with an active SUPPORTS link that gives training."""
    reached = []
    for firm in sorted(model.chain_members(G, chain_id)):
        for body, rel_type, link in model.support_links(G, firm, active_only=True):
            if rel_type == "SUPPORTS" and "training" in model.link_services(G, body, link):
                reached.append(firm)
                break
    return reached


# --------------------------------------------------------------------------- 1 uncovered-problems

def uncovered_problems(G: nx.MultiDiGraph, chain: str | None = None) -> pd.DataFrame:
    """Unresolved problems with a needed service that no body covers (analysis 1).

    One row per unresolved problem of the chain whose ``needs`` are not all covered
    (see :func:`covered_services`). A problem that needs nothing is never uncovered;
    a problem with no enterprise can only be covered by ADDRESSES or a tackling
    project's partners (``enterprise_id`` is None). Columns: ``chain_id``,
    ``problem_id``, ``enterprise_id``, ``missing`` (service codes, sorted), ``title``,
    ``severity``, ``status``.

    >>> uncovered_problems(G, "SH01")[["problem_id", "missing"]]   # doctest: +SKIP
    """
    rows = []
    for chain_id in _chain_ids(G, chain):
        for problem in model.chain_problems(G, chain_id):
            missing = list(problem_coverage(G, problem).missing)
            if missing:
                node = G.nodes[problem]
                rows.append({"chain_id": chain_id, "problem_id": problem,
                             "enterprise_id": model.problem_firm(G, problem), "missing": missing,
                             "title": node.get("title"), "severity": node.get("severity"),
                             "status": node.get("status")})
    return frame_from_rows("uncovered-problems", rows)


# --------------------------------------------------------------------------- 2 problem-impact

def problem_impact(G: nx.MultiDiGraph, problem: str) -> pd.DataFrame:
    """Enterprises downstream of a problem's affected enterprise, with the fewest hops (analysis 2).

    Hops count SUPPLIES edges whose ``chain`` is the problem's own chain only: a firm
    on two chains passes the problem on along its supplies of that chain, never along
    another chain's. ``hops`` is the shortest such path length (1 = a direct
    customer). The affected enterprise itself is not listed, even when a cycle in
    SUPPLIES leads back to it. A problem with no enterprise has no impact rows. The
    problem's status does not matter (resolved problems can be asked about too).
    Columns: ``problem_id``, ``chain_id``, ``enterprise_id``, ``hops``, ``name``;
    ordered by hops then id. Raises :class:`UnknownIdError` for an unknown problem.

    >>> problem_impact(G, "P0002")   # doctest: +SKIP
    """
    _check_problem(G, problem)
    chain_id = model.problem_chain(G, problem)
    source = model.problem_firm(G, problem)
    rows = []
    if source is not None:
        customers: dict[str, set[str]] = defaultdict(set)
        for u, v in model.supply_arcs(G, chain_id):
            customers[u].add(v)
        hops = {source: 0}
        queue = deque([source])
        while queue:
            firm = queue.popleft()
            for customer in customers[firm]:
                if customer not in hops:
                    hops[customer] = hops[firm] + 1
                    queue.append(customer)
        rows = [{"problem_id": problem, "chain_id": chain_id, "enterprise_id": firm, "hops": n,
                 "name": G.nodes[firm].get("name")} for firm, n in hops.items() if firm != source]
    return frame_from_rows("problem-impact", rows)


class ProblemImpacts(Mapping):
    """problem → {enterprise: hops} for every problem of one chain, from one batched BFS.

    Built by :func:`problem_impacts`. ``impacts[p]`` is exactly what :func:`problem_impact`
    lists for *p* (as a dict; problems affecting the same firm get equal dicts, a problem
    with no firm an empty one). :meth:`count` and :meth:`farthest` (how many firms, how many
    hops to the farthest) need no per-problem pass, so a page can show them for thousands of
    problems without holding every impact set.
    """

    def __init__(self, chain_id: str, firm_of: dict[str, str | None], sources: list[str],
                 levels: list[dict[str, int]], counts: dict[str, int], farthest: dict[str, int]):
        self.chain_id = chain_id
        self._firm_of = firm_of
        self._index = {f: i for i, f in enumerate(sources)}
        self._levels = levels  # levels[h - 1]: node → bitset of the sources first reaching it at h hops
        self._counts = counts
        self._farthest = farthest
        self._cache: dict[str, dict[str, int]] = {}

    def __getitem__(self, problem: str) -> dict[str, int]:
        firm = self._firm_of[problem]
        if firm is None:
            return {}
        if firm not in self._cache:
            bit = 1 << self._index[firm]
            self._cache[firm] = {w: h for h, level in enumerate(self._levels, 1)
                                 for w, bits in level.items() if bits & bit}
        return dict(self._cache[firm])

    def __iter__(self):
        return iter(self._firm_of)

    def __len__(self) -> int:
        return len(self._firm_of)

    def firm(self, problem: str) -> str | None:
        """The enterprise the problem affects (None for a chain-wide problem)."""
        return self._firm_of[problem]

    def count(self, problem: str) -> int:
        """How many enterprises the problem reaches downstream (rows of :func:`problem_impact`)."""
        firm = self._firm_of[problem]
        return 0 if firm is None else self._counts.get(firm, 0)

    def farthest(self, problem: str) -> int:
        """The most hops to an enterprise it reaches (0 when it reaches none)."""
        firm = self._firm_of[problem]
        return 0 if firm is None else self._farthest.get(firm, 0)


def problem_impacts(G: nx.MultiDiGraph, chain: str) -> ProblemImpacts:
    """problem-impact (analysis 2) for every problem of one chain at once.

    One level-by-level BFS over the chain's supply arcs carries, for each node, the set of
    affected firms (as bits of one integer) that reach it first at that level: each arc is
    looked at once per level instead of once per problem, so asking all problems of a
    20,000-firm chain costs about as much as a few BFS. Same rule as :func:`problem_impact`:
    SUPPLIES of this chain only, fewest hops, the affected firm itself never listed.
    Per-firm counts are summed with bit-sliced counters, so :meth:`ProblemImpacts.count`
    needs no decoding. Raises :class:`UnknownIdError` for an unknown chain.

    >>> impacts = problem_impacts(G, "SH01")              # doctest: +SKIP
    >>> impacts["P0002"], impacts.count("P0002")          # doctest: +SKIP
    ({'SH01-E003': 1, 'SH01-E001': 2}, 2)
    """
    chain_id = resolve_chain(G, chain)
    firm_of = {p: model.problem_firm(G, p) for p in model.chain_problems(G, chain_id)}
    sources = sorted({f for f in firm_of.values() if f is not None})
    customers: dict[str, list[str]] = defaultdict(list)
    for u, v in model.supply_arcs(G, chain_id):
        customers[u].append(v)
    seen = {f: 1 << i for i, f in enumerate(sources)}
    frontier = dict(seen)
    levels: list[dict[str, int]] = []
    slices: list[int] = []  # bit-sliced counters: bit i of slices[j] is bit j of source i's count

    def add(bits: int) -> None:
        j = 0
        while bits:
            if j == len(slices):
                slices.append(0)
            carry = slices[j] & bits
            slices[j] ^= bits
            bits = carry
            j += 1

    while frontier:
        reached: dict[str, int] = {}
        for firm, bits in frontier.items():
            for customer in customers.get(firm, ()):
                new = bits & ~seen.get(customer, 0)
                if new:
                    reached[customer] = reached.get(customer, 0) | new
        for customer, bits in reached.items():
            seen[customer] = seen.get(customer, 0) | bits
            add(bits)
        if reached:
            levels.append(reached)
        frontier = reached

    counts = {f: sum(((s >> i) & 1) << j for j, s in enumerate(slices)) for i, f in enumerate(sources)}
    union = [0] * len(levels)
    for h, level in enumerate(levels):
        for bits in level.values():
            union[h] |= bits
    farthest = {}
    for i, f in enumerate(sources):
        farthest[f] = next((h + 1 for h in range(len(levels) - 1, -1, -1) if (union[h] >> i) & 1), 0)
    return ProblemImpacts(chain_id, firm_of, sources, levels, counts, farthest)


# --------------------------------------------------------------------------- 3 single-source

def single_source(G: nx.MultiDiGraph, chain: str | None = None) -> pd.DataFrame:
    """(customer, product) pairs with exactly one supplier in the chain (analysis 3).

    Only SUPPLIES edges of the chain count. Supplies that name no product form one
    group per customer of their own (``product`` None): "unnamed goods". Columns:
    ``chain_id``, ``customer_id``, ``product``, ``supplier_id``, ``share``,
    ``critical`` (the edge's own properties, None when not given).

    >>> single_source(G, "W02").shape[0]   # doctest: +SKIP
    13
    """
    rows = []
    for chain_id in _chain_ids(G, chain):
        groups: dict[tuple, list[tuple[str, Mapping]]] = defaultdict(list)
        for u, v, d in model.chain_supplies(G, chain_id):
            groups[(v, d.get("product"))].append((u, d))
        for (customer, product), suppliers in groups.items():
            if len({s for s, _ in suppliers}) == 1:
                supplier, d = suppliers[0]
                rows.append({"chain_id": chain_id, "customer_id": customer, "product": product,
                             "supplier_id": supplier, "share": d.get("share"), "critical": d.get("critical")})
    return frame_from_rows("single-source", rows)


# --------------------------------------------------------------------------- 4 sme-unsupported

def sme_unsupported(G: nx.MultiDiGraph, chain: str | None = None) -> pd.DataFrame:
    """SME members with an unresolved problem in the chain and no active SUPPORTS link (analysis 4).

    SME means :func:`graphmodel.model.is_sme` (true unless its size is ``large``; a firm
    of unknown size counts as an SME). Only problems IN_CHAIN this chain count; an
    active (or blank-status) SUPPORTS link from any body, whatever its service,
    disqualifies the firm; an ended link is no support (:func:`sme_support`). Columns:
    ``chain_id``, ``enterprise_id``, ``problems`` (unresolved problem ids, sorted),
    ``name``, ``size``.
    """
    rows = []
    for chain_id in _chain_ids(G, chain):
        open_problems: dict[str, list[str]] = defaultdict(list)
        for problem in model.chain_problems(G, chain_id):
            firm = model.problem_firm(G, problem)
            if firm is not None and model.is_unresolved(G, problem):
                open_problems[firm].append(problem)
        for firm, bodies in sme_support(G, chain_id).items():
            node = G.nodes[firm]
            if bodies or firm not in open_problems:
                continue
            rows.append({"chain_id": chain_id, "enterprise_id": firm, "problems": sorted(open_problems[firm]),
                         "name": node.get("name"), "size": node.get("size")})
    return frame_from_rows("sme-unsupported", rows)


# --------------------------------------------------------------------------- 5 nqi-coverage

def nqi_coverage(G: nx.MultiDiGraph, chain: str | None = None) -> pd.DataFrame:
    """Per NQI pillar: enabling bodies, unresolved problems needing it, how many covered (analysis 5).

    Four rows per chain, one per pillar (metrology, standards, testing,
    certification, in that order). ``bodies``: ids of the bodies that enable the
    pillar on the chain (the enabling rule: an ENABLES link naming the pillar, or a
    link naming no service from a body offering it). ``needing``: unresolved
    problems of the chain whose ``needs`` include the pillar. ``covered``: how many of
    those have the pillar covered by the coverage rule (a covering body need not
    ENABLE the chain). Columns: ``chain_id``, ``service``, ``bodies``, ``needing``,
    ``covered``.
    """
    rows = []
    for chain_id in _chain_ids(G, chain):
        enabled = _enabled_pillars(G, chain_id)
        unresolved = [p for p in model.chain_problems(G, chain_id) if model.is_unresolved(G, p)]
        covered = {p: covered_services(G, p) for p in unresolved}
        for service in NQI_PILLARS:
            needing = [p for p in unresolved if service in G.nodes[p].get("needs", ())]
            rows.append({"chain_id": chain_id, "service": service, "bodies": enabled[service],
                         "needing": len(needing), "covered": sum(service in covered[p] for p in needing)})
    return frame_from_rows("nqi-coverage", rows)


# --------------------------------------------------------------------------- 6/7 indicator-gap, owner-benchmark

def reading_status(value: float, direction: str, national: float | None, industry: float | None) -> str:
    """Where one reading stands against the limits, direction-aware.

    Checked in this order:

    1. ``below_national``: a national limit exists and the value is strictly worse
       (lower when higher is better, higher when lower is better);
    2. ``beats_industry``: an industry limit exists and the value is strictly better;
    3. ``meets_national``: a national limit exists (the value is at least as good —
       a tie at the national limit meets it; a tie at the industry limit does not
       beat it);
    4. ``no_limit``: no national limit and the industry limit (if any) is not beaten,
       so the reading cannot be placed.

    >>> reading_status(95.0, "higher", 95.0, 98.0)
    'meets_national'
    >>> reading_status(0.4, "lower", 0.5, 0.4)
    'meets_national'
    >>> reading_status(0.3, "lower", None, 0.4)
    'beats_industry'
    >>> reading_status(1.0, "higher", None, None)
    'no_limit'
    """
    def better(a: float, b: float) -> bool:
        return a > b if direction == "higher" else a < b

    if national is not None and better(national, value):
        return "below_national"
    if industry is not None and better(value, industry):
        return "beats_industry"
    if national is not None:
        return "meets_national"
    return "no_limit"


def _gap_rows(G: nx.MultiDiGraph, chain: str | None, owners_only: bool) -> list[dict]:
    rows = []
    for chain_id in _chain_ids(G, chain):
        for firm, membership in sorted(model.chain_members(G, chain_id).items()):
            if owners_only and membership.get("role") != "owner":
                continue
            for indicator, (year, value) in sorted(model.latest_readings(G, firm).items()):
                ind = G.nodes[indicator]
                national, industry = ind.get("national_limit"), ind.get("industry_limit")
                rows.append({"chain_id": chain_id, "enterprise_id": firm, "indicator_id": indicator,
                             "year": year, "value": value,
                             "status": reading_status(value, ind["direction"], national, industry),
                             "role": membership.get("role"), "direction": ind["direction"],
                             "national_limit": national, "industry_limit": industry})
    return rows


def indicator_gap(G: nx.MultiDiGraph, chain: str | None = None) -> pd.DataFrame:
    """Each member's latest-year reading per indicator against the limits (analysis 6).

    For every member of the chain and every indicator it REPORTS, the reading of the
    greatest ``year`` (one per (enterprise, indicator); earlier years are ignored),
    judged by :func:`reading_status` (direction-aware; ties at a limit meet it, never
    beat it; a missing national limit gives ``no_limit`` unless the industry limit is
    strictly beaten). Members with no readings have no rows; a firm on two chains has
    one row set per chain. Columns: ``chain_id``, ``enterprise_id``, ``indicator_id``,
    ``year``, ``value``, ``status``, ``role``, ``direction``, ``national_limit``,
    ``industry_limit``.
    """
    return frame_from_rows("indicator-gap", _gap_rows(G, chain, owners_only=False))


def owner_benchmark(G: nx.MultiDiGraph, chain: str | None = None) -> pd.DataFrame:
    """:func:`indicator_gap` restricted to the chain owner (链主) — the notice's headline goal (analysis 7).

    Same columns and rules; an owner with no readings gives no rows.
    """
    return frame_from_rows("owner-benchmark", _gap_rows(G, chain, owners_only=True))


# --------------------------------------------------------------------------- 8 critical-suppliers

def betweenness_scores(nodes: Iterable[str], arcs: Iterable[tuple[str, str]]) -> dict[str, float]:
    """Directed, unnormalised betweenness of a supply graph, rounded to :data:`SCORE_DECIMALS`.

    For each node v, the sum over ordered pairs (s, t), s ≠ v ≠ t, of the share of
    shortest s→t paths that pass through v, on the DiGraph of ``nodes`` and ``arcs``
    (supplier → customer; parallel arcs collapse into one) — exactly
    ``networkx.betweenness_centrality(D, normalized=False)`` (:func:`betweenness_reference`,
    which the tests compare it with), computed by rustworkx's Brandes implementation in
    compiled code (≈ 50–90× faster: 2,025 firms in a few hundredths of a second). Both
    backends call this function.

    >>> betweenness_scores("abc", [("a", "b"), ("b", "c")])
    {'a': 0.0, 'b': 1.0, 'c': 0.0}
    """
    import rustworkx as rx

    order = sorted(set(nodes) | {n for arc in arcs for n in arc})
    R = rx.PyDiGraph(multigraph=False)
    index = dict(zip(order, R.add_nodes_from(order)))
    R.add_edges_from_no_data(sorted({(index[u], index[v]) for u, v in arcs}))
    # One thread: the sum over sources in a fixed order, so a score is the same to the last bit
    # on every run and every machine (threads would add the same terms in another order).
    scores = rx.digraph_betweenness_centrality(R, normalized=False, parallel_threshold=len(order) + 1)
    return {n: round(scores[index[n]], SCORE_DECIMALS) + 0.0 for n in order}


def betweenness_reference(nodes: Iterable[str], arcs: Iterable[tuple[str, str]]) -> dict[str, float]:
    """:func:`betweenness_scores` computed by networkx, the reference the tests hold it to."""
    D = nx.DiGraph()
    D.add_nodes_from(sorted(set(nodes)))
    D.add_edges_from(sorted(set(arcs)))
    scores = nx.betweenness_centrality(D, normalized=False)
    return {n: round(s, SCORE_DECIMALS) + 0.0 for n, s in scores.items()}


def rank_scores(chain_id: str, scores: Mapping[str, float], names: Mapping[str, Any]) -> list[dict]:
    """critical-suppliers rows: best score first (ties by id), competition ranks (1, 2, 2, 4).

    >>> [(r["enterprise_id"], r["rank"]) for r in rank_scores("C", {"a": 1.0, "b": 2.0, "c": 1.0}, {})]
    [('b', 1), ('a', 2), ('c', 2)]
    """
    order = sorted(scores, key=lambda n: (-scores[n], n))
    rows, rank = [], 0
    for i, firm in enumerate(order):
        if i == 0 or scores[firm] != scores[order[i - 1]]:
            rank = i + 1
        rows.append({"chain_id": chain_id, "enterprise_id": firm, "score": scores[firm], "rank": rank,
                     "name": names.get(firm)})
    return rows


def critical_suppliers(G: nx.MultiDiGraph, chain: str | None = None) -> pd.DataFrame:
    """Members ranked by betweenness on the chain's SUPPLIES graph (analysis 8).

    ``score`` is :func:`betweenness_scores`: networkx
    ``betweenness_centrality(normalized=False)`` on the directed graph of the chain's
    members and its SUPPLIES edges of this chain only, parallel edges (several
    products between the same two firms) collapsed — a raw count of shortest
    supplier→customer paths through the firm, fractional when paths tie. Every member
    is listed (most score 0). ``rank`` is competition ranking: tied scores share the
    best rank and the next rank skips (1, 2, 3, 3, 3, 3, 7). Columns: ``chain_id``,
    ``enterprise_id``, ``score``, ``rank``, ``name``.
    """
    rows = []
    for chain_id in _chain_ids(G, chain):
        members = model.chain_members(G, chain_id)
        arcs = model.supply_arcs(G, chain_id)
        nodes = set(members) | {u for u, _ in arcs} | {v for _, v in arcs}
        if not nodes:
            continue
        names = {n: G.nodes[n].get("name") for n in nodes}
        rows += rank_scores(chain_id, betweenness_scores(nodes, arcs), names)
    return frame_from_rows("critical-suppliers", rows)


# --------------------------------------------------------------------------- 9 city-overview

def city_overview(G: nx.MultiDiGraph) -> pd.DataFrame:
    """One row per chain: the city bureau's dashboard (analysis 9).

    Columns: ``chain_id``, ``seq``, ``name``, ``district``, ``key``, ``members``
    (count), ``smes`` (members with ``sme`` true), ``bodies`` (dict pillar → number of
    bodies enabling it, as in nqi-coverage, all four pillars), ``problems`` (dict
    status → count, all three statuses), ``projects`` (dict status → count, all
    three), ``unresolved`` (count), ``coverage`` (share of unresolved problems with
    no missing service, 0–1; None when the chain has no unresolved problem — there
    is nothing to cover, and 100 % would flatter an unsurveyed chain). In JSON the
    dict-valued columns are objects.
    """
    rows = []
    for chain_id in _chain_ids(G, None):
        node = G.nodes[chain_id]
        members = model.chain_members(G, chain_id)
        problems = model.chain_problems(G, chain_id)
        unresolved = [p for p in problems if model.is_unresolved(G, p)]
        problem_counts = {s: 0 for s in ENUMS["problem_status"].codes}
        for p in problems:
            problem_counts[G.nodes[p]["status"]] += 1
        project_counts = {s: 0 for s in ENUMS["project_status"].codes}
        for p in model.chain_projects(G, chain_id):
            project_counts[G.nodes[p]["status"]] += 1
        covered = sum(not _missing(G, p) for p in unresolved)
        rows.append({
            "chain_id": chain_id, "seq": node.get("seq"), "name": node.get("name"),
            "district": node.get("district"), "key": bool(node.get("key", False)),
            "members": len(members), "smes": sum(model.is_sme(G, m) for m in members),
            "bodies": {s: len(ids) for s, ids in _enabled_pillars(G, chain_id).items()},
            "problems": problem_counts, "projects": project_counts, "unresolved": len(unresolved),
            "coverage": covered / len(unresolved) if unresolved else None,
        })
    return frame_from_rows("city-overview", rows)


# --------------------------------------------------------------------------- 10 support-suggestions

#: How near a suggested body already is, best first, with its Chinese caption.
SUGGESTION_REACH: dict[str, str] = {"chain": "已赋能本链", "district": "已赋能本区其他产业链", "city": "全市其他机构"}

#: Bodies suggested per target and service.
SUGGESTIONS_PER_SERVICE = 3


def _active_load(G: nx.MultiDiGraph, body: str) -> int:
    """Active SUPPORTS and ADDRESSES links of a body: fewer means spare capacity."""
    return sum(1 for _, rel_type, _ in model.body_links(G, body, active_only=True)
               if rel_type in ("SUPPORTS", "ADDRESSES"))


def _service_rank(code: str) -> tuple[int, str]:
    codes = SERVICES.codes
    return (codes.index(code) if code in codes else len(codes), code)


def support_targets(G: nx.MultiDiGraph, chain_id: str) -> list[tuple[str, str, str]]:
    """(target kind, target id, service) of every gap of a chain, as support-suggestions defines them:
    each missing service of an uncovered problem, each needed service of an unsupported SME."""
    chain_id = resolve_chain(G, chain_id)
    targets = []
    for problem in model.chain_problems(G, chain_id):
        targets += [("problem", problem, s) for s in problem_coverage(G, problem).missing]
    for row in to_records(sme_unsupported(G, chain_id)):
        needs = {s for p in row["problems"] for s in G.nodes[p].get("needs", ())}
        services = sorted(needs, key=_service_rank) if needs else list(NQI_PILLARS)
        targets += [("enterprise", row["enterprise_id"], s) for s in services]
    return targets


def support_suggestions(G: nx.MultiDiGraph, chain: str | None = None) -> pd.DataFrame:
    """Who could fill each gap of a chain, best first (analysis 10, 供需对接).

    **Targets**: each unresolved problem of the chain with missing services (as in
    :func:`uncovered_problems`; one target per missing service) and each unsupported SME
    (as in :func:`sme_unsupported`; one target per service its unresolved problems of this
    chain need, or per NQI pillar when those problems need none). **Candidates** for a
    target and service: every body whose ``services`` include the service. **Order**:
    ``reach`` — ``chain`` (the body ENABLES this chain, whatever the link's service or
    status, as in the enabling rule), then ``district`` (it ENABLES another chain of the
    same district; a chain without a district has none), then ``city`` (any other body);
    within a reach, fewer active (or blank-status) SUPPORTS and ADDRESSES links first
    (``active_links``, counted over the whole graph: spare capacity), then ``body_id``.
    At most :data:`SUGGESTIONS_PER_SERVICE` (3) bodies per target and service, ``rank``
    1–3; a service no body offers gets no row. Columns: ``chain_id``, ``target_kind``
    (``problem`` or ``enterprise``), ``target_id``, ``service``, ``rank``, ``body_id``,
    ``reach``, ``active_links``, ``target_name``, ``body_name``.

    >>> support_suggestions(G, "SH02").head(3)   # doctest: +SKIP
    """
    offering: dict[str, list[str]] = defaultdict(list)
    for body in model.nodes_of(G, "SupportBody"):
        for service in G.nodes[body].get("services", ()):
            offering[service].append(body)
    loads: dict[str, int] = {}
    enablers: dict[str, set[str]] = {}

    def enabling(chain_id: str) -> set[str]:
        if chain_id not in enablers:
            enablers[chain_id] = set(model.chain_enablers(G, chain_id))
        return enablers[chain_id]

    districts = model.district_chains(G)
    rows = []
    for chain_id in _chain_ids(G, chain):
        here = enabling(chain_id)
        district = model.chain_district(G, chain_id)
        nearby = set().union(*(enabling(c) for c in districts.get(district, ()) if c != chain_id)) if district else set()

        def reach(body: str) -> str:
            return "chain" if body in here else ("district" if body in nearby else "city")

        for kind, target, service in support_targets(G, chain_id):
            for body in offering.get(service, ()):
                if body not in loads:
                    loads[body] = _active_load(G, body)
            best = sorted(offering.get(service, ()),
                          key=lambda b: (list(SUGGESTION_REACH).index(reach(b)), loads[b], b))
            for rank, body in enumerate(best[:SUGGESTIONS_PER_SERVICE], 1):
                rows.append({"chain_id": chain_id, "target_kind": kind, "target_id": target, "service": service,
                             "rank": rank, "body_id": body, "reach": reach(body), "active_links": loads[body],
                             "target_name": G.nodes[target].get("name"), "body_name": G.nodes[body].get("name")})
    return frame_from_rows("support-suggestions", rows)


# --------------------------------------------------------------------------- registry

@dataclass(frozen=True)
class Analysis:
    """One named analysis: its function, scope and Cypher file."""

    name: str
    func: Callable[..., pd.DataFrame]
    scope: str  # "chain" (chain=None: all chains), "problem" or "city"
    zh: str
    en: str
    cypher: str  # file name in cypher/queries/
    keys: tuple[str, ...]  # the contract keys of domain.md
    columns: tuple[str, ...]  # every column, in order
    order: tuple[str, ...]  # row order

    @property
    def description(self) -> str:
        return f"{self.zh} — {self.en}"

    def run(self, G: nx.MultiDiGraph, chain: str | None = None, problem: str | None = None) -> pd.DataFrame:
        """Call the function with the arguments its scope takes."""
        if self.scope == "problem":
            return self.func(G, problem)
        if self.scope == "city":
            return self.func(G)
        return self.func(G, chain)


_GAP_COLUMNS = ("chain_id", "enterprise_id", "indicator_id", "year", "value", "status", "role", "direction",
                "national_limit", "industry_limit")
_GAP_KEYS = ("enterprise_id", "indicator_id", "year", "value", "status")

ANALYSES: dict[str, Analysis] = {a.name: a for a in (
    Analysis("uncovered-problems", uncovered_problems, "chain",
             "未被任何机构覆盖所需服务的未解决质量问题",
             "unresolved problems with a needed service no body covers",
             "uncovered-problems.cypher", ("problem_id", "enterprise_id", "missing"),
             ("chain_id", "problem_id", "enterprise_id", "missing", "title", "severity", "status"),
             ("chain_id", "problem_id")),
    Analysis("problem-impact", problem_impact, "problem",
             "质量问题沿本链供应关系向下游波及的企业及最少跳数",
             "firms downstream of a problem's firm along its own chain's supplies, with fewest hops",
             "problem-impact.cypher", ("enterprise_id", "hops"),
             ("problem_id", "chain_id", "enterprise_id", "hops", "name"), ("hops", "enterprise_id")),
    Analysis("single-source", single_source, "chain",
             "只有唯一供方的（需方, 产品）组合",
             "(customer, product) pairs with exactly one supplier in the chain",
             "single-source.cypher", ("customer_id", "product", "supplier_id"),
             ("chain_id", "customer_id", "product", "supplier_id", "share", "critical"),
             ("chain_id", "customer_id", "product", "supplier_id")),
    Analysis("sme-unsupported", sme_unsupported, "chain",
             "有未解决问题却没有任何机构帮扶的中小企业",
             "SME members with an unresolved problem and no SUPPORTS link from any body",
             "sme-unsupported.cypher", ("enterprise_id", "problems"),
             ("chain_id", "enterprise_id", "problems", "name", "size"), ("chain_id", "enterprise_id")),
    Analysis("nqi-coverage", nqi_coverage, "chain",
             "计量、标准、检验检测、认证认可四大支柱的机构与问题覆盖情况",
             "per NQI pillar: enabling bodies, unresolved problems needing it, how many covered",
             "nqi-coverage.cypher", ("service", "bodies", "needing", "covered"),
             ("chain_id", "service", "bodies", "needing", "covered"), ("chain_id", "service")),
    Analysis("indicator-gap", indicator_gap, "chain",
             "成员企业最新年度质量指标对标国家标准、行业标准",
             "each member's latest-year reading against national and industry limits",
             "indicator-gap.cypher", _GAP_KEYS, _GAP_COLUMNS, ("chain_id", "enterprise_id", "indicator_id")),
    Analysis("owner-benchmark", owner_benchmark, "chain",
             "链主企业主要质量指标是否优于国家标准、行业标准",
             "the chain owner's latest-year readings against national and industry limits",
             "owner-benchmark.cypher", _GAP_KEYS, _GAP_COLUMNS, ("chain_id", "enterprise_id", "indicator_id")),
    Analysis("critical-suppliers", critical_suppliers, "chain",
             "按供应网络介数中心性排序的关键企业",
             "members ranked by betweenness centrality on the chain's SUPPLIES graph",
             "critical-suppliers.cypher", ("enterprise_id", "score"),
             ("chain_id", "enterprise_id", "score", "rank", "name"), ("chain_id", "rank", "enterprise_id")),
    Analysis("city-overview", city_overview, "city",
             "全市产业链项目总览：成员、机构、问题、项目与覆盖率",
             "one row per chain: members, SMEs, bodies by pillar, problems and projects by status, coverage",
             "city-overview.cypher",
             ("chain_id", "seq", "district", "key", "members", "smes", "bodies", "problems", "projects", "coverage"),
             ("chain_id", "seq", "name", "district", "key", "members", "smes", "bodies", "problems", "projects",
              "unresolved", "coverage"), ("seq", "chain_id")),
    Analysis("support-suggestions", support_suggestions, "chain",
             "供需对接：为每个缺口（缺服务的问题、无帮扶的中小企业）推荐可提供该服务的机构",
             "per gap (a problem's missing service, an unsupported SME's needed service): the bodies that could "
             "fill it, nearest and least loaded first",
             "support-suggestions.cypher", ("target_id", "target_kind", "service", "body_id", "reach", "rank"),
             ("chain_id", "target_kind", "target_id", "service", "rank", "body_id", "reach", "active_links",
              "target_name", "body_name"), ("chain_id", "target_kind", "target_id", "service", "rank")),
)}


# --------------------------------------------------------------------------- frames and output

def _order_key(analysis: Analysis, row: Mapping) -> tuple:
    key = []
    for column in analysis.order:
        value = row.get(column)
        if column == "service":  # the pillars first, then the other services, in the schema's order
            value = SERVICES.codes.index(value) if value in SERVICES.codes else len(SERVICES.codes)
        elif column == "target_kind":  # problems before enterprises, as analysis 1 comes before 4
            value = ("problem", "enterprise").index(value) if value in ("problem", "enterprise") else 2
        key.append(_sort_key(value))
    return tuple(key)


def frame_from_rows(name: str, rows: Iterable[Mapping]) -> pd.DataFrame:
    """The analysis frame for ``rows`` (dicts): its columns in order, rows in its order.

    Both backends build their result through here, so the shapes agree. Integer
    columns stay integers even when some values are None (pandas ``Int64``); number
    columns are floats (None → NaN); other columns hold Python objects.
    """
    analysis = ANALYSES[name]
    rows = sorted(rows, key=lambda r: _order_key(analysis, r))
    data = {c: [r.get(c) for r in rows] for c in analysis.columns}
    frame = pd.DataFrame({c: pd.Series(values, dtype=object) for c, values in data.items()},
                         columns=list(analysis.columns))
    for column, values in data.items():
        present = [v for v in values if v is not None]
        if present and all(isinstance(v, bool) for v in present):
            continue
        if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
            frame[column] = pd.array(values, dtype="Int64" if len(present) < len(values) else "int64")
        elif present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
            frame[column] = [math.nan if v is None else float(v) for v in values]
    return frame


def to_records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain dicts: lists as lists, dicts as dicts, missing values as None.

    >>> to_records(pd.DataFrame({"a": [1], "b": [["x"]]}))
    [{'a': 1, 'b': ['x']}]
    """
    return [{c: plain(v) for c, v in zip(frame.columns, row)} for row in frame.itertuples(index=False, name=None)]


def to_json(frame: pd.DataFrame, indent: int | None = 1) -> str:
    """A JSON array of objects (Chinese kept as is, not ``\\u`` escaped)."""
    return json.dumps(to_records(frame), ensure_ascii=False, indent=indent)


def to_csv(frame: pd.DataFrame) -> str:
    """CSV text: lists joined with ``;`` (as in the intake sheets), dicts as ``key=value;…``.

    >>> to_csv(pd.DataFrame({"a": [1], "b": [["x", "y"]], "c": [{"k": 2}]}))
    'a,b,c\\n1,x;y,k=2\\n'
    """
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(frame.columns)
    for row in frame.itertuples(index=False, name=None):
        writer.writerow([cell_text(v) for v in row])
    return out.getvalue()
