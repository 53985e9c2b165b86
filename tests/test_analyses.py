"""The named analyses on the networkx model, each checked on a tiny chain worked out by hand.

The chains are written as row dicts and go through the real intake (read_tables) and
model (build_graph). The builders at the top are shared with test_analyses_neo4j.py,
which runs the same data sets on Neo4j and checks both backends agree.
"""

from __future__ import annotations

import json
import math
from itertools import permutations
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from conftest import willems
from graphmodel.analyses import (ANALYSES, UnknownIdError, betweenness_reference, betweenness_scores, city_overview,
                                 covered_services, critical_suppliers, frame_from_rows, indicator_gap, nqi_coverage,
                                 owner_benchmark, problem_impact, problem_impacts, rank_scores, reading_status,
                                 single_source, sme_unsupported, support_suggestions, to_csv, to_json, to_records,
                                 uncovered_problems)
from graphmodel.intake import read_dataset, read_tables
from graphmodel.demo import generate_demo
from graphmodel.model import build_graph, chain_members, chains, supply_arcs
from graphmodel.schema import SHEETS



# --------------------------------------------------------------------------- builders (shared)

def tables(**sheets: list[dict]) -> dict[str, pd.DataFrame]:
    """Row dicts → intake tables with every contract column (blank when not given)."""
    out = {}
    for name, rows in sheets.items():
        columns = list(SHEETS[name].column_names)
        out[name] = pd.DataFrame([{c: row.get(c) for c in columns} for row in rows], columns=columns)
    return out


def graph(**sheets: list[dict]) -> nx.MultiDiGraph:
    return build_graph(read_tables(tables(**sheets)))


def chain(cid, seq, **kw):
    return {"chain_id": cid, "seq": seq, "name": f"{cid} 产业链", **kw}


def firm(eid, size=None, **kw):
    return {"enterprise_id": eid, "name": f"企业{eid}", "size": size, **kw}


def member(cid, eid, role, tier=None):
    return {"chain_id": cid, "enterprise_id": eid, "role": role, "tier": tier}


def supply(cid, supplier, customer, product=None, **kw):
    return {"chain_id": cid, "supplier_id": supplier, "customer_id": customer, "product": product, **kw}


def body(bid, services=None):
    return {"body_id": bid, "name": f"机构{bid}", "services": services}


def link(bid, target, service=None, status=None):
    return {"body_id": bid, "target_id": target, "service": service, "status": status}


def problem(pid, cid, eid, status, needs=None, **kw):
    return {"problem_id": pid, "chain_id": cid, "enterprise_id": eid, "title": f"问题{pid}",
            "category": "product", "severity": "high", "status": status, "needs": needs, **kw}


def project(jid, cid, status, tackles=None):
    return {"project_id": jid, "chain_id": cid, "title": f"项目{jid}", "status": status, "tackles": tackles}


def indicator(iid, direction, national=None, industry=None):
    return {"indicator_id": iid, "name": f"指标{iid}", "direction": direction, "national_limit": national,
            "industry_limit": industry}


def reading(eid, iid, year, value):
    return {"enterprise_id": eid, "indicator_id": iid, "year": year, "value": value}


def coverage_chain() -> nx.MultiDiGraph:
    """Chain C1 for the coverage rule (analyses 1, 4, 5, 9).

    Firms: O owner (large), A small, B micro, D medium, E of unknown size.
    Bodies: B1 offers testing+metrology, B2 standards, B3 certification+training.
    Links: B1 SUPPORTS A (no service, *ended*), B2 SUPPORTS D naming testing,
    B2 ADDRESSES P2 naming metrology (not among B2's services: the link decides),
    B1 ADDRESSES P4 naming testing, B3 PARTNERS_IN J1 (no service), J1 TACKLES P2.
    ENABLES: B1 → C1 (no service), B2 → C1 standards and certification, B3 → C1 testing.
    """
    return graph(
        chains=[chain("C1", 1, district="普陀区", key="★")],
        enterprises=[firm("O", "large"), firm("A", "小型"), firm("B", "micro"), firm("D", "medium"), firm("E")],
        members=[member("C1", "O", "链主", 0), member("C1", "A", "upstream", 1), member("C1", "B", "upstream", 2),
                 member("C1", "D", "downstream", 1), member("C1", "E", "midstream", 1)],
        support_bodies=[body("B1", "testing;计量"), body("B2", "standards"), body("B3", "certification；training")],
        support_links=[link("B1", "A", status="已结束"), link("B2", "D", "检验检测"), link("B2", "P2", "metrology"),
                       link("B1", "P4", "testing"), link("B3", "J1"),
                       link("B1", "C1"), link("B2", "C1", "standards"), link("B2", "C1", "certification"),
                       link("B3", "C1", "testing")],
        problems=[problem("P1", "C1", "A", "open", "testing;standards"),
                  problem("P2", "C1", "B", "in_progress", "metrology;certification"),
                  problem("P3", "C1", "A", "resolved", "certification", resolved_on="2024-05-01"),
                  problem("P4", "C1", None, "open", "quality_management;testing"),
                  problem("P5", "C1", "D", "open"),
                  problem("P6", "C1", "D", "未解决", "testing;standards;metrology"),
                  problem("P7", "C1", "E", "open"),
                  problem("P8", "C1", "B", "open")],
        projects=[project("J1", "C1", "active", "P2"), project("J2", "C1", "planned")],
    )


def impact_chains() -> nx.MultiDiGraph:
    """Chains X and Y; firm c sits on both with different roles.

    X supplies: a→b (two products), b→c, a→c, c→d, d→b, d→a (cycles back to a).
    Y supplies: c→e, e→f.
    """
    return graph(
        chains=[chain("X", 1), chain("Y", 2)],
        enterprises=[firm(x, "small") for x in "abcdef"],
        members=[member("X", "a", "owner", 0), member("X", "b", "downstream"), member("X", "c", "downstream"),
                 member("X", "d", "downstream"),
                 member("Y", "c", "upstream"), member("Y", "e", "owner", 0), member("Y", "f", "downstream")],
        supplies=[supply("X", "a", "b", "玻璃"), supply("X", "a", "b", "镀膜液"), supply("X", "b", "c"),
                  supply("X", "a", "c"), supply("X", "c", "d"), supply("X", "d", "b"), supply("X", "d", "a"),
                  supply("Y", "c", "e"), supply("Y", "e", "f")],
        problems=[problem("PA", "X", "a", "open"), problem("PCX", "X", "c", "open"),
                  problem("PCY", "Y", "c", "resolved", resolved_on="2024-01-01"),
                  problem("PN", "X", None, "open")],
    )


def single_source_chains() -> nx.MultiDiGraph:
    """Chains S and T; K and L are customers on both."""
    return graph(
        chains=[chain("S", 1), chain("T", 2)],
        enterprises=[firm(x, "medium") for x in ("s1", "s2", "s3", "K", "L")],
        members=[member(c, e, "owner" if e == "K" else "upstream") for c in "ST" for e in ("s1", "s2", "s3", "K", "L")],
        supplies=[supply("S", "s1", "K", "钢"), supply("S", "s2", "K", "钢"), supply("S", "s1", "K", "铝"),
                  supply("S", "s3", "K"), supply("S", "s1", "L"), supply("S", "s2", "L"),
                  supply("S", "s2", "L", "钢", share=0.5, critical="是"),
                  supply("T", "s1", "K", "铝"), supply("T", "s3", "K", "铝"), supply("T", "s2", "L", "铜")],
    )


def indicator_chains() -> nx.MultiDiGraph:
    """Chain G (owner O, members M, N) and chain H (N again, as owner); Z is on no chain."""
    return graph(
        chains=[chain("G", 1), chain("H", 2)],
        enterprises=[firm(x, "large") for x in "OMNZ"],
        members=[member("G", "O", "owner", 0), member("G", "M", "upstream"), member("G", "N", "downstream"),
                 member("H", "N", "owner", 0)],
        indicators=[indicator("I1", "higher", 90, 95), indicator("I2", "越低越好", 0.5, 0.2),
                    indicator("I3", "higher"), indicator("I4", "lower", None, 10), indicator("I5", "higher", 50)],
        # The latest year is neither the first nor the last row, nor the best or worst value.
        readings=[reading("O", "I1", 2024, 95), reading("O", "I1", 2023, 99), reading("O", "I2", 2024, 0.1),
                  reading("O", "I4", 2024, 10),
                  reading("M", "I1", 2024, 90), reading("M", "I2", 2022, 0.2), reading("M", "I2", 2024, 0.6),
                  reading("M", "I2", 2023, 0.9), reading("M", "I3", 2024, 1000),
                  reading("N", "I4", 2024, 5), reading("N", "I5", 2024, 60),
                  reading("Z", "I1", 2024, 99)],
    )


def betweenness_chains() -> nx.MultiDiGraph:
    """Chain CB: a→b (two products), b→c, a→d, d→c, c→e, and f with no supplies.
    Chain B2 reuses b and e with a shortcut b→e that must not count on CB. (Not "B": no two
    ids may differ only by letter case, and firm b exists.)"""
    return graph(
        chains=[chain("CB", 1), chain("B2", 2)],
        enterprises=[firm(x, "small") for x in "abcdef"],
        members=[member("CB", x, "owner" if x == "c" else "upstream") for x in "abcdef"]
        + [member("B2", "b", "owner", 0), member("B2", "e", "downstream")],
        supplies=[supply("CB", "a", "b", "p1"), supply("CB", "a", "b", "p2"), supply("CB", "b", "c"),
                  supply("CB", "a", "d"), supply("CB", "d", "c"), supply("CB", "c", "e"), supply("B2", "b", "e")],
    )


def suggestion_chains() -> nx.MultiDiGraph:
    """Chains C1 and C2 in 普陀区, C3 in 奉贤区, C4 without a district, for support-suggestions.

    Metrology bodies M1–M5: M1 and M2 ENABLE C1 (M2's link names testing, which M2 does not
    even offer: it still ENABLES the chain), M3 ENABLES C2 (same district), M4 ENABLES C3
    (another district), M5 ENABLES nothing. Active SUPPORTS/ADDRESSES links: M1 two (E, P7),
    M5 one (P7), S1 one (A); M2's only SUPPORTS (to D) has ended and does not count.
    S1 offers standards and ENABLES C1; T1 testing, ENABLES C3; R1 training, no links;
    nobody offers certification.

    C1: P1 (A, open) needs metrology+standards, S1 supports A for standards → metrology
    missing; P2 (chain-wide) needs certification; P3 (B, open) needs nothing and B (small)
    has no support → one target per NQI pillar; P4 (D, open) needs training, D's only
    link has ended → P4 and D both lack training; P5 (O, large owner) needs testing.
    C4: P6 (chain-wide) needs metrology; C4 has no district, so nobody is "district".
    """
    return graph(
        chains=[chain("C1", 1, district="普陀区"), chain("C2", 2, district="普陀区"), chain("C3", 3, district="奉贤区"),
                chain("C4", 4)],
        enterprises=[firm("O", "large"), firm("A", "small"), firm("B", "small"), firm("D", "micro"),
                     firm("E", "small")],
        members=[member("C1", "O", "owner", 0), member("C1", "A", "upstream", 1), member("C1", "B", "upstream", 1),
                 member("C1", "D", "upstream", 2), member("C3", "E", "owner", 0)],
        support_bodies=[body(b, "metrology") for b in ("M1", "M2", "M3", "M4", "M5")]
        + [body("S1", "standards"), body("T1", "testing"), body("R1", "training")],
        support_links=[link("M1", "C1"), link("M2", "C1", "testing"), link("M3", "C2"), link("M4", "C3"),
                       link("S1", "C1"), link("T1", "C3"),
                       link("M1", "E", "metrology", "active"), link("M1", "P7"), link("M5", "P7"),
                       link("M2", "D", "metrology", "已结束"), link("S1", "A", "standards")],
        problems=[problem("P1", "C1", "A", "open", "metrology;standards"),
                  problem("P2", "C1", None, "open", "certification"),
                  problem("P3", "C1", "B", "open"),
                  problem("P4", "C1", "D", "in_progress", "training"),
                  problem("P5", "C1", "O", "open", "testing"),
                  problem("P6", "C4", None, "open", "metrology"),
                  problem("P7", "C3", "E", "resolved", "metrology", resolved_on="2024-05-01")],
    )


def empty_chain() -> nx.MultiDiGraph:
    """Only the chains sheet: every other sheet empty or absent."""
    return build_graph(read_tables({**tables(chains=[chain("Z1", 1, district="—")]),
                                    "members": pd.DataFrame(columns=list(SHEETS["members"].column_names))}))


def rows(frame: pd.DataFrame, *columns: str) -> list[tuple]:
    return [tuple(r[c] for c in columns) for r in to_records(frame)]


# --------------------------------------------------------------------------- 1 uncovered-problems

def test_covered_services_follow_the_three_link_kinds():
    G = coverage_chain()
    # P1: B1 SUPPORTS A naming no service, but the link has ended (已结束): it no longer covers.
    assert covered_services(G, "P1") == set()
    # P2: B2 ADDRESSES naming metrology; B3 partners (no service) in J1 which TACKLES P2.
    assert covered_services(G, "P2") == {"metrology", "certification", "training"}
    # P4 has no enterprise: only the ADDRESSES link.
    assert covered_services(G, "P4") == {"testing"}
    # P6: B2 SUPPORTS D naming testing — only testing, not B2's own standards.
    assert covered_services(G, "P6") == {"testing"}
    with pytest.raises(UnknownIdError, match="unknown problem id: A"):
        covered_services(G, "A")


def test_uncovered_problems_by_hand():
    frame = uncovered_problems(coverage_chain(), "C1")
    assert list(frame.columns[:4]) == ["chain_id", "problem_id", "enterprise_id", "missing"]
    # P2, P5, P7, P8 are fully covered or need nothing; P3 is resolved.
    assert rows(frame, "problem_id", "enterprise_id", "missing") == [
        ("P1", "A", ["standards", "testing"]),  # B1's support of A has ended
        ("P4", None, ["quality_management"]),
        ("P6", "D", ["metrology", "standards"]),  # sorted, though entered testing;standards;metrology
    ]
    assert uncovered_problems(coverage_chain()).equals(frame)  # chain=None: every chain (one here)


def test_an_ended_link_neither_covers_nor_supports_but_an_active_or_blank_one_does():
    def one(status):
        return graph(chains=[chain("X", 1)], enterprises=[firm("o", "large"), firm("c", "small")],
                     members=[member("X", "o", "owner"), member("X", "c", "upstream")],
                     support_bodies=[body("B", "testing")], support_links=[link("B", "c", "testing", status)],
                     problems=[problem("PX", "X", "c", "open", "testing")])
    for status, covered in (("已结束", False), ("ended", False), ("active", True), ("有效", True), (None, True)):
        G = one(status)
        assert (covered_services(G, "PX") == {"testing"}) is covered, status
        assert uncovered_problems(G, "X").empty is covered, status
        assert sme_unsupported(G, "X").empty is covered, status


def test_support_of_a_firm_covers_its_problems_on_every_chain():
    G = graph(chains=[chain("X", 1), chain("Y", 2)], enterprises=[firm("c", "small"), firm("o1"), firm("o2")],
              members=[member("X", "o1", "owner"), member("X", "c", "upstream"),
                       member("Y", "o2", "owner"), member("Y", "c", "downstream")],
              support_bodies=[body("B", "testing")], support_links=[link("B", "c", "testing")],
              problems=[problem("PY", "Y", "c", "open", "testing;standards")])
    assert rows(uncovered_problems(G), "chain_id", "problem_id", "missing") == [("Y", "PY", ["standards"])]


# --------------------------------------------------------------------------- 2 problem-impact

def test_problem_impact_counts_fewest_hops_and_skips_the_source_on_a_cycle():
    frame = problem_impact(impact_chains(), "PA")
    assert list(frame.columns[:4]) == ["problem_id", "chain_id", "enterprise_id", "hops"]
    # a→b, a→c directly; c→d; d→a leads back to a, which is not listed.
    assert rows(frame, "enterprise_id", "hops") == [("b", 1), ("c", 1), ("d", 2)]


def test_problem_impact_stays_inside_the_problems_own_chain():
    G = impact_chains()
    # c is on X and Y. On X: c→d, then d→b and d→a; never Y's c→e.
    assert rows(problem_impact(G, "PCX"), "enterprise_id", "hops") == [("d", 1), ("a", 2), ("b", 2)]
    # On Y (a resolved problem can still be asked about): c→e→f; never X's c→d.
    assert rows(problem_impact(G, "PCY"), "chain_id", "enterprise_id", "hops") == [("Y", "e", 1), ("Y", "f", 2)]


def test_problem_impact_of_a_problem_without_enterprise_is_empty_and_unknown_ids_fail():
    G = impact_chains()
    frame = problem_impact(G, "PN")
    assert frame.empty and "hops" in frame.columns
    with pytest.raises(UnknownIdError, match="unknown problem id: nope"):
        problem_impact(G, "nope")
    with pytest.raises(UnknownIdError, match="unknown problem id: X"):
        problem_impact(G, "X")  # a chain, not a problem


# --------------------------------------------------------------------------- 3 single-source

def test_single_source_by_hand():
    G = single_source_chains()
    cols = ("chain_id", "customer_id", "product", "supplier_id", "share", "critical")
    # S: K gets 钢 from s1 and s2 (not single), 铝 only from s1, unnamed goods only from s3;
    #    L gets unnamed goods from s1 and s2 (not single), 钢 only from s2.
    # T: K gets 铝 from s1 and s3 (not single); L gets 铜 only from s2.
    assert rows(single_source(G), *cols) == [
        ("S", "K", None, "s3", None, None),
        ("S", "K", "铝", "s1", None, None),
        ("S", "L", "钢", "s2", 0.5, True),
        ("T", "L", "铜", "s2", None, None),
    ]
    assert rows(single_source(G, "T"), "customer_id", "product") == [("L", "铜")]


def test_single_source_lists_every_arc_of_the_willems_chains():
    # README: product is the supplier's own name, so no pair has two suppliers.
    for name in ("W02", "W12", "W20"):
        G = build_graph(read_dataset(willems(name)))
        arcs = sum(1 for *_, d in G.edges(data=True) if d["type"] == "SUPPLIES")
        frame = single_source(G, name)
        assert len(frame) == arcs
        assert all(r["product"] == G.nodes[r["supplier_id"]]["name"] for r in to_records(frame))


# --------------------------------------------------------------------------- 4 sme-unsupported

def test_sme_unsupported_by_hand():
    frame = sme_unsupported(coverage_chain(), "C1")
    # O is large; A's only SUPPORTS link has ended (no support any more); D is supported by B2;
    # B (micro) and E (size unknown, so an SME) have unresolved problems and no support.
    assert rows(frame, "enterprise_id", "problems") == [("A", ["P1"]), ("B", ["P2", "P8"]), ("E", ["P7"])]


def test_sme_unsupported_counts_only_the_chains_own_problems():
    G = impact_chains()  # every firm small, no SUPPORTS; c has PCX (X, open) and PCY (Y, resolved)
    assert rows(sme_unsupported(G, "X"), "enterprise_id", "problems") == [("a", ["PA"]), ("c", ["PCX"])]
    assert sme_unsupported(G, "Y").empty


# --------------------------------------------------------------------------- 5 nqi-coverage

def test_nqi_coverage_by_hand():
    frame = nqi_coverage(coverage_chain(), "C1")
    assert rows(frame, "service", "bodies", "needing", "covered") == [
        # B1's ENABLES names no service → its own services; B3's names testing only.
        ("metrology", ["B1"], 2, 1),        # P2 (covered by B2's link), P6 (not)
        ("standards", ["B2"], 2, 0),        # P1, P6
        ("testing", ["B1", "B3"], 3, 2),    # P4 via B1→P4, P6 via B2→D; P1's B1→A has ended
        ("certification", ["B2"], 1, 1),   # P2 via J1's partner B3 (which does not ENABLE it)
    ]


# --------------------------------------------------------------------------- 6/7 indicator-gap, owner-benchmark

@pytest.mark.parametrize("value, direction, national, industry, status", [
    (89.9, "higher", 90, 95, "below_national"),
    (90, "higher", 90, 95, "meets_national"),     # tie at national meets it
    (95, "higher", 90, 95, "meets_national"),     # tie at industry does not beat it
    (95.1, "higher", 90, 95, "beats_industry"),
    (0.51, "lower", 0.5, 0.2, "below_national"),
    (0.2, "lower", 0.5, 0.2, "meets_national"),
    (0.19, "lower", 0.5, 0.2, "beats_industry"),
    (5, "lower", None, 10, "beats_industry"),     # no national limit: only beating industry places it
    (10, "lower", None, 10, "no_limit"),
    (1, "higher", None, None, "no_limit"),
    (60, "higher", 50, None, "meets_national"),   # no industry limit: cannot beat it
    (40, "higher", 50, None, "below_national"),
])
def test_reading_status(value, direction, national, industry, status):
    assert reading_status(value, direction, national, industry) == status


def test_indicator_gap_uses_the_latest_year_per_enterprise_and_indicator():
    frame = indicator_gap(indicator_chains(), "G")
    assert rows(frame, "enterprise_id", "indicator_id", "year", "value", "status") == [
        ("M", "I1", 2024, 90.0, "meets_national"),
        ("M", "I2", 2024, 0.6, "below_national"),   # not 2022's 0.2 nor 2023's 0.9
        ("M", "I3", 2024, 1000.0, "no_limit"),
        ("N", "I4", 2024, 5.0, "beats_industry"),
        ("N", "I5", 2024, 60.0, "meets_national"),
        ("O", "I1", 2024, 95.0, "meets_national"),  # not 2023's 99
        ("O", "I2", 2024, 0.1, "beats_industry"),
        ("O", "I4", 2024, 10.0, "no_limit"),
    ]


def test_indicator_gap_over_all_chains_lists_a_firm_once_per_chain_and_skips_non_members():
    frame = indicator_gap(indicator_chains())
    assert sorted(set(rows(frame, "chain_id", "enterprise_id", "role"))) == [
        ("G", "M", "upstream"), ("G", "N", "downstream"), ("G", "O", "owner"), ("H", "N", "owner")]
    assert "Z" not in set(frame["enterprise_id"])


def test_owner_benchmark_is_indicator_gap_of_the_owner():
    G = indicator_chains()
    frame = owner_benchmark(G)
    assert rows(frame, "chain_id", "enterprise_id", "indicator_id", "status") == [
        ("G", "O", "I1", "meets_national"), ("G", "O", "I2", "beats_industry"), ("G", "O", "I4", "no_limit"),
        ("H", "N", "I4", "beats_industry"), ("H", "N", "I5", "meets_national")]
    gap = indicator_gap(G)
    assert frame.reset_index(drop=True).equals(gap[gap["role"] == "owner"].reset_index(drop=True))


# --------------------------------------------------------------------------- 8 critical-suppliers

def test_critical_suppliers_by_hand():
    frame = critical_suppliers(betweenness_chains(), "CB")
    # Shortest paths: a→c twice (via b, via d: ½ each), a→e twice (b or d ½, c 1), b→e, d→e (c 1).
    # B2's b→e shortcut is another chain's and must not shorten a→e; parallel a→b count once.
    assert rows(frame, "enterprise_id", "score", "rank") == [
        ("c", 3.0, 1), ("b", 1.0, 2), ("d", 1.0, 2), ("a", 0.0, 4), ("e", 0.0, 4), ("f", 0.0, 4)]
    assert rows(critical_suppliers(betweenness_chains(), "B2"), "enterprise_id", "score") == [
        ("b", 0.0), ("e", 0.0)]


def _brute_force_betweenness(D: nx.DiGraph) -> dict[str, float]:
    """Independent oracle: enumerate every shortest path between every ordered pair."""
    score = dict.fromkeys(D, 0.0)
    for s, t in permutations(D, 2):
        if not nx.has_path(D, s, t):
            continue
        paths = list(nx.all_shortest_paths(D, s, t))
        for path in paths:
            for v in path[1:-1]:
                score[v] += 1 / len(paths)
    return score


@pytest.mark.parametrize("name", ["W02", "W12"])
def test_critical_suppliers_match_brute_force_on_willems(name):
    G = build_graph(read_dataset(willems(name)))
    D = nx.DiGraph((u, v) for u, v, d in G.edges(data=True) if d["type"] == "SUPPLIES")
    expected = _brute_force_betweenness(D)
    got = {r["enterprise_id"]: r["score"] for r in to_records(critical_suppliers(G, name))}
    assert got.keys() == expected.keys()
    assert all(math.isclose(got[n], expected[n], abs_tol=1e-9) for n in got)


def test_critical_suppliers_w02_ties_share_places_3_to_6():
    frame = critical_suppliers(build_graph(read_dataset(willems("W02"))), "W02")
    ranks = frame["rank"].tolist()
    assert ranks[:6] == [1, 2, 3, 3, 3, 3] and ranks[6] == 7
    assert len(set(frame["score"].iloc[2:6])) == 1
    assert any(not float(s).is_integer() for s in frame["score"])  # fractional betweenness


def test_betweenness_scores_collapse_parallel_arcs():
    assert betweenness_scores("abc", [("a", "b"), ("a", "b"), ("b", "c")]) == {"a": 0.0, "b": 1.0, "c": 0.0}


def _same_scores_and_ranks(nodes, arcs, chain="X"):
    fast, reference = betweenness_scores(nodes, arcs), betweenness_reference(nodes, arcs)
    assert fast == reference  # every score equal to the last digit kept
    assert rank_scores(chain, fast, {}) == rank_scores(chain, reference, {})


@pytest.mark.parametrize("name", ["W02", "W12", "W20", "W38"])
def test_fast_betweenness_equals_networkx_on_every_willems_chain(name):
    G = build_graph(read_dataset(willems(name)))
    _same_scores_and_ranks(set(chain_members(G, name)), supply_arcs(G, name), name)


def test_fast_betweenness_equals_networkx_on_every_demo_chain():
    G = build_graph(read_tables(generate_demo()))
    for chain_id in chains(G):
        _same_scores_and_ranks(set(chain_members(G, chain_id)), supply_arcs(G, chain_id), chain_id)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fast_betweenness_equals_networkx_on_random_graphs_with_cycles(seed):
    D = nx.gnp_random_graph(300, 0.012, seed=seed, directed=True)  # many cycles, many equal-length paths
    D.add_edges_from([(0, 1), (1, 2), (2, 0)])
    nodes = [f"n{i:03d}" for i in D]
    arcs = [(f"n{u:03d}", f"n{v:03d}") for u, v in D.edges]
    assert not nx.is_directed_acyclic_graph(D)
    _same_scores_and_ranks(nodes, arcs)


# --------------------------------------------------------------------------- 9 city-overview

def test_city_overview_by_hand():
    [row] = to_records(city_overview(coverage_chain()))
    assert row == {
        "chain_id": "C1", "seq": 1, "name": "C1 产业链", "district": "普陀区", "key": True,
        "members": 5, "smes": 4,  # O is large; E's unknown size counts as SME
        "bodies": {"metrology": 1, "standards": 1, "testing": 2, "certification": 1},
        "problems": {"open": 6, "in_progress": 1, "resolved": 1},
        "projects": {"planned": 1, "active": 1, "done": 0},
        "unresolved": 7,
        "coverage": 4 / 7,  # P2, P5, P7, P8 fully covered; P1, P4, P6 not
    }


def test_city_overview_orders_by_seq_and_a_chain_without_problems_has_no_coverage():
    G = graph(chains=[chain("Y", 2), chain("X", 10), chain("W", 1, key="否")])
    frame = city_overview(G)
    assert frame["chain_id"].tolist() == ["W", "Y", "X"]
    assert [r["coverage"] for r in to_records(frame)] == [None, None, None]
    assert frame["key"].tolist() == [False, False, False]


# --------------------------------------------------------------------------- 10 support-suggestions

def test_support_suggestions_by_hand():
    got = rows(support_suggestions(suggestion_chains()), "chain_id", "target_kind", "target_id", "service", "rank",
               "body_id", "reach", "active_links")
    nearest_metrology = [("M2", "chain", 0), ("M1", "chain", 2), ("M3", "district", 0)]  # M4, M5 cut at 3
    expected = (
        [("C1", "problem", "P1", "metrology", i, *b) for i, b in enumerate(nearest_metrology, 1)]
        + [("C1", "problem", "P4", "training", 1, "R1", "city", 0),
           ("C1", "problem", "P5", "testing", 1, "T1", "city", 0)]  # P2: nobody offers certification
        + [("C1", "enterprise", "B", "metrology", i, *b) for i, b in enumerate(nearest_metrology, 1)]
        + [("C1", "enterprise", "B", "standards", 1, "S1", "chain", 1),
           ("C1", "enterprise", "B", "testing", 1, "T1", "city", 0),
           ("C1", "enterprise", "D", "training", 1, "R1", "city", 0)]  # A is supported, O is large
        + [("C4", "problem", "P6", "metrology", i, b, "city", n)
           for i, (b, n) in enumerate([("M2", 0), ("M3", 0), ("M4", 0)], 1)]
    )
    assert got == expected


def test_support_suggestions_of_one_chain_with_names():
    G = suggestion_chains()
    frame = support_suggestions(G, "c1")
    assert set(frame["chain_id"]) == {"C1"} and len(frame) == 11
    first = to_records(frame)[0]
    assert (first["target_name"], first["body_name"]) == ("问题P1", "机构M2")
    assert support_suggestions(G, "C2").empty
    # Targets are exactly the gaps: every missing service, every unsupported SME.
    targets = {(r["target_kind"], r["target_id"]) for r in to_records(support_suggestions(G, "C1"))}
    assert {t for k, t in targets if k == "problem"} == set(uncovered_problems(G, "C1")["problem_id"]) - {"P2"}
    assert {t for k, t in targets if k == "enterprise"} == set(sme_unsupported(G, "C1")["enterprise_id"])


def test_support_suggestions_on_the_demo_name_the_bodies_already_serving_sh02():
    from graphmodel.demo import generate_demo

    G = build_graph(read_tables(generate_demo()))
    frame = support_suggestions(G, "SH02")
    p17 = frame[(frame["target_id"] == "P0017") & (frame["service"] == "metrology")]
    assert p17["reach"].tolist()[:2] == ["chain", "chain"]  # two metrology bodies already serve SH02
    from graphmodel.model import chain_enablers

    for b in p17["body_id"].tolist()[:2]:  # each ENABLES SH02 and offers metrology
        assert b in chain_enablers(G, "SH02") and "metrology" in G.nodes[b]["services"]
    smes = {r["target_id"] for r in to_records(frame) if r["target_kind"] == "enterprise"}
    assert smes == {"E0056", "E0063", "E0079", "E0082", "E0089"}


# --------------------------------------------------------------------------- batched problem impacts

def test_batched_problem_impacts_equal_the_per_problem_analysis_on_every_demo_problem():
    from graphmodel.demo import generate_demo
    from graphmodel.model import chains, chain_problems

    G = build_graph(read_tables(generate_demo()))
    checked = reached = 0
    for chain_id in chains(G):
        impacts = problem_impacts(G, chain_id)
        assert sorted(impacts) == chain_problems(G, chain_id)
        for p in impacts:
            expected = {r["enterprise_id"]: r["hops"] for r in to_records(problem_impact(G, p))}
            assert impacts[p] == expected, p
            assert impacts.count(p) == len(expected) and impacts.farthest(p) == max(expected.values(), default=0)
            checked += 1
            reached += bool(expected)
    assert checked > 100 and reached > 50  # the demo exercises it


def test_batched_problem_impacts_on_cycles_and_two_chains():
    G = impact_chains()
    for chain_id in ("X", "Y"):
        impacts = problem_impacts(G, chain_id)
        for p in impacts:
            assert impacts[p] == {r["enterprise_id"]: r["hops"] for r in to_records(problem_impact(G, p))}
    x = problem_impacts(G, "X")
    assert x["PCX"] == {"d": 1, "b": 2, "a": 2} and x["PA"] == {"b": 1, "c": 1, "d": 2}  # never back to the source
    assert x["PN"] == {} and x.count("PN") == 0 and x.farthest("PA") == 2
    assert problem_impacts(G, "Y")["PCY"] == {"e": 1, "f": 2}
    with pytest.raises(UnknownIdError):
        problem_impacts(G, "NOPE")


# --------------------------------------------------------------------------- all analyses

PER_CHAIN = [name for name, a in ANALYSES.items() if a.scope == "chain"]


def test_registry_names_ten_analyses_with_files_and_descriptions():
    assert list(ANALYSES) == ["uncovered-problems", "problem-impact", "single-source", "sme-unsupported",
                              "nqi-coverage", "indicator-gap", "owner-benchmark", "critical-suppliers",
                              "city-overview", "support-suggestions"]
    root = Path(__file__).resolve().parents[1]
    for name, analysis in ANALYSES.items():
        assert analysis.cypher == f"{name}.cypher" and (root / "cypher" / "queries" / analysis.cypher).is_file()
        assert analysis.scope in ("chain", "problem", "city")
        assert set(analysis.keys) <= set(analysis.columns)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in analysis.zh) and analysis.en.isascii()


@pytest.mark.parametrize("name", PER_CHAIN)
def test_unknown_chain_is_an_error_not_an_empty_result(name):
    G = coverage_chain()
    for bad in ("NOPE", "A", "P1"):  # unknown, an enterprise, a problem
        with pytest.raises(UnknownIdError, match=f"unknown chain id: {bad}"):
            ANALYSES[name].run(G, chain=bad)


@pytest.mark.parametrize("name", list(ANALYSES))
def test_empty_sheets_give_empty_answers_with_the_contract_columns(name):
    G = empty_chain()
    if name == "problem-impact":
        with pytest.raises(UnknownIdError):
            ANALYSES[name].run(G, problem="P1")
        return
    frame = ANALYSES[name].run(G)
    assert list(frame.columns) == list(ANALYSES[name].columns)
    if name == "nqi-coverage":
        assert rows(frame, "service", "bodies", "needing", "covered") == [
            ("metrology", [], 0, 0), ("standards", [], 0, 0), ("testing", [], 0, 0), ("certification", [], 0, 0)]
    elif name == "city-overview":
        [row] = to_records(frame)
        assert (row["members"], row["district"], row["coverage"]) == (0, None, None)
    else:
        assert frame.empty


def test_json_keeps_lists_and_dicts_and_chinese():
    text = to_json(city_overview(coverage_chain()))
    assert "产业链" in text  # not \\u-escaped
    [row] = json.loads(text)
    assert row["problems"] == {"open": 6, "in_progress": 1, "resolved": 1}
    [first, *_] = json.loads(to_json(uncovered_problems(coverage_chain())))
    assert first["missing"] == ["standards", "testing"] and first["enterprise_id"] == "A"


def test_csv_joins_lists_like_the_intake_sheets():
    lines = to_csv(uncovered_problems(coverage_chain())).splitlines()
    assert lines[0].startswith("chain_id,problem_id,enterprise_id,missing")
    assert lines[3].startswith("C1,P6,D,metrology;standards,")


def test_frame_from_rows_orders_rows_and_keeps_integer_columns():
    frame = frame_from_rows("problem-impact", [
        {"problem_id": "P", "chain_id": "X", "enterprise_id": "b", "hops": 2},
        {"problem_id": "P", "chain_id": "X", "enterprise_id": "a", "hops": 2},
        {"problem_id": "P", "chain_id": "X", "enterprise_id": "z", "hops": 1}])
    assert frame["enterprise_id"].tolist() == ["z", "a", "b"]
    assert str(frame["hops"].dtype) == "int64"
