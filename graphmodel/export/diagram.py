"""The static chain diagram shared by the Mermaid, DOT, PNG and SVG exporters.

One chain's enterprises grouped by role (上游 → 链主 → 中游 → 下游), its supplies
labelled by product, its problems attached to the firms they affect (coloured by
state) and the support bodies with the links to what they support.

>>> d = chain_diagram(chain_subgraph(G, "SH01"))   # doctest: +SKIP
>>> [g.title for g in d.groups]                    # doctest: +SKIP
['上游', '链主', '中游', '下游', '质量问题', '技术机构']
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from .. import analyses, model
from ..style import PROBLEM_STATES
from ..text import enum_word, services_text

__all__ = ["DiagramNode", "DiagramEdge", "Group", "Diagram", "chain_diagram", "PROBLEM_COLOURS", "ROLE_COLOURS"]

ROLE_ORDER = ("upstream", "owner", "midstream", "downstream")
ROLE_COLOURS = {"owner": "#1f4e9c", "upstream": "#4a90d9", "midstream": "#6aa9e0", "downstream": "#2e8b57"}
#: The map's problem colours (red/amber/green), so a picture never disagrees with the map.
PROBLEM_COLOURS = {state: style["color"] for state, style in PROBLEM_STATES.items()}
BODY_COLOUR = "#7b5ea7"


@dataclass
class DiagramNode:
    id: str
    text: str
    kind: str  # enterprise / problem / body
    colour: str
    tier: int | None = None
    role: str | None = None


@dataclass
class DiagramEdge:
    source: str
    target: str
    text: str
    style: str  # supply / affects / support


@dataclass
class Group:
    key: str
    title: str
    nodes: list[DiagramNode] = field(default_factory=list)


@dataclass
class Diagram:
    chain_id: str
    title: str
    groups: list[Group]
    edges: list[DiagramEdge]

    @property
    def nodes(self) -> list[DiagramNode]:
        return [n for g in self.groups for n in g.nodes]


def chain_diagram(H: nx.MultiDiGraph) -> Diagram:
    """The diagram of one chain's subgraph (``graphmodel.model.chain_subgraph``)."""
    chain_id = H.graph.get("chain")
    if chain_id is None:
        chains = [n for n, d in H.nodes(data=True) if d["label"] == "Chain"]
        if len(chains) != 1:
            raise ValueError("a chain diagram needs one chain: pass chain_subgraph(G, chain_id)")
        chain_id = chains[0]
    members = model.chain_members(H, chain_id)
    groups = {role: Group(role, enum_word("role", role)) for role in ROLE_ORDER}
    for firm, rel in sorted(members.items(), key=lambda kv: (kv[1].get("tier") or 0, kv[0])):
        role = rel["role"]
        sme = "（中小）" if model.is_sme(H, firm) else ""
        groups[role].nodes.append(DiagramNode(firm, H.nodes[firm]["name"] + sme, "enterprise",
                                              ROLE_COLOURS[role], rel.get("tier"), role))
    coverage = analyses.chain_coverage(H, chain_id)
    problems = Group("problems", "质量问题")
    bodies = Group("bodies", "技术机构")
    edges = [DiagramEdge(u, v, d.get("product", ""), "supply") for u, v, d in model.chain_supplies(H, chain_id)]
    for problem, c in coverage.items():
        problems.nodes.append(DiagramNode(problem, H.nodes[problem]["name"], "problem", PROBLEM_COLOURS[c.tone]))
        firm = model.problem_firm(H, problem)
        if firm in members:
            edges.append(DiagramEdge(problem, firm, "", "affects"))
    for body in model.chain_bodies(H, chain_id):
        bodies.nodes.append(DiagramNode(body, H.nodes[body]["name"], "body", BODY_COLOUR))
        for target, _, link in model.body_links(H, body):
            if target in members or target in coverage:
                edges.append(DiagramEdge(body, target, services_text([link["service"]]) if link.get("service")
                                         else "", "support"))
    edges.sort(key=lambda e: (e.style, e.source, e.target, e.text))
    ordered = [groups[r] for r in ROLE_ORDER if groups[r].nodes] + [g for g in (problems, bodies) if g.nodes]
    return Diagram(chain_id, H.nodes[chain_id]["name"], ordered, edges)
