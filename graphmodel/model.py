"""The typed graph model: validated tables → one networkx ``MultiDiGraph``.

Nodes are keyed by their ``id``; each carries ``label`` (its primary Neo4j label),
``labels`` (all of them, e.g. ``("SupportBody", "TrainingBase")``) and the properties
of ``domain.md``. Edges carry ``type`` (the relationship type) and its properties;
the edge key is :func:`graphmodel.schema.rel_key`. Properties that are None or empty
lists are not stored, exactly as Neo4j does not store nulls, so a graph read back
from Neo4j compares equal to one built here.

>>> from graphmodel.intake import read_dataset
>>> G = build_graph(read_dataset("../shared/data/willems/W02"))   # doctest: +SKIP
>>> G.nodes["W02-Manuf_0002"]["label"], G.nodes["W02"]["name"]     # doctest: +SKIP
('Enterprise', 'Willems chain 02')
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

import networkx as nx

from .intake import Dataset
from .schema import REL_TYPES, district_id, rel_key

__all__ = [
    "build_graph",
    "chain_subgraph",
    "add_node",
    "add_rel",
    "nodes_of",
    "rels_of",
    "chain_members",
    "summary",
    "chain_table",
]

#: Placeholders that mean "no district" (the Willems extracts use an em dash).
_NO_DISTRICT = {"", "—", "-", "–", "无", "n/a"}


def _clean(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if v is not None and not (isinstance(v, list) and not v)}


def add_node(G: nx.MultiDiGraph, node_id: str, labels: Iterable[str], **props: Any) -> None:
    labels = tuple(labels)
    G.add_node(node_id, label=labels[0], labels=labels, **_clean({"id": node_id, **props}))


def add_rel(G: nx.MultiDiGraph, start: str, rel_type: str, end: str, **props: Any) -> None:
    assert rel_type in REL_TYPES, rel_type
    props = _clean(props)
    G.add_edge(start, end, key=rel_key(rel_type, props), type=rel_type, **props)


def build_graph(dataset: Dataset) -> nx.MultiDiGraph:
    """The graph of ``domain.md`` for a validated data set (one or many chains)."""
    G = nx.MultiDiGraph()
    t = dataset.tables

    for r in t["chains"].to_dict("records"):
        district = None if r["district"] is None or r["district"].strip().lower() in _NO_DISTRICT else r["district"]
        add_node(G, r["chain_id"], ("Chain",), seq=r["seq"], name=r["name"], district=district,
                 leader=r["leader"], key=bool(r["key"]), industry=r["industry"])
        if district:
            if district_id(district) not in G:
                add_node(G, district_id(district), ("District",), name=district)
            add_rel(G, r["chain_id"], "IN_DISTRICT", district_id(district))

    for r in t["enterprises"].to_dict("records"):
        add_node(G, r["enterprise_id"], ("Enterprise",), name=r["name"], size=r["size"],
                 sme=r["size"] != "large", district=r["district"], uscc=r["uscc"], tags=r.get("tags"))

    for r in t["support_bodies"].to_dict("records"):
        labels = ("SupportBody", "TrainingBase") if "training" in r["services"] else ("SupportBody",)
        add_node(G, r["body_id"], labels, name=r["name"], services=r["services"],
                 accreditations=r["accreditations"])

    for r in t["problems"].to_dict("records"):
        add_node(G, r["problem_id"], ("Problem",), name=r["title"], title=r["title"], category=r["category"],
                 severity=r["severity"], status=r["status"], needs=r["needs"], raised_on=r["raised_on"],
                 resolved_on=r["resolved_on"], measures=r.get("measures"), owner_unit=r.get("owner_unit"),
                 deadline=r.get("deadline"))
        add_rel(G, r["problem_id"], "IN_CHAIN", r["chain_id"])
        if r["enterprise_id"]:
            add_rel(G, r["problem_id"], "AFFECTS", r["enterprise_id"])

    for r in t["projects"].to_dict("records"):
        add_node(G, r["project_id"], ("Project",), name=r["title"], title=r["title"], status=r["status"],
                 due=r["due"], progress=r["progress"])
        add_rel(G, r["project_id"], "IN_CHAIN", r["chain_id"])
        if r["lead_id"]:
            add_rel(G, r["lead_id"], "LEADS", r["project_id"])
        for problem_id in r["tackles"]:
            add_rel(G, r["project_id"], "TACKLES", problem_id)

    for r in t["policy_tools"].to_dict("records"):
        add_node(G, r["tool_id"], ("PolicyTool",), name=r["name"], kind=r["kind"], issuer=r["issuer"])
        for target in r["applies_to"]:
            add_rel(G, r["tool_id"], "APPLIES_TO", target)

    for r in t["indicators"].to_dict("records"):
        add_node(G, r["indicator_id"], ("Indicator",), name=r["name"], unit=r["unit"], direction=r["direction"],
                 standard=r["standard"], national_limit=r["national_limit"], industry_limit=r["industry_limit"])

    cases = t.get("cases")
    for r in [] if cases is None else cases.to_dict("records"):
        add_node(G, r["case_id"], ("Case",), name=r["title"], title=r["title"], year=r["year"],
                 summary=r["summary"])
        add_rel(G, r["case_id"], "IN_CHAIN", r["chain_id"])
        for target in r.get("related") or ():
            add_rel(G, r["case_id"], "ABOUT", target)

    for r in t["members"].to_dict("records"):
        add_rel(G, r["enterprise_id"], "MEMBER_OF", r["chain_id"], role=r["role"], tier=r["tier"])

    for r in t["supplies"].to_dict("records"):
        add_rel(G, r["supplier_id"], "SUPPLIES", r["customer_id"], chain=r["chain_id"], product=r["product"],
                share=r["share"], critical=r["critical"])

    link_type = {"Chain": "ENABLES", "Enterprise": "SUPPORTS", "Problem": "ADDRESSES", "Project": "PARTNERS_IN"}
    for r in t["support_links"].to_dict("records"):
        rel_type = link_type[G.nodes[r["target_id"]]["label"]]
        add_rel(G, r["body_id"], rel_type, r["target_id"], service=r["service"], since=r["since"],
                status=r["status"])

    for r in t["readings"].to_dict("records"):
        add_rel(G, r["enterprise_id"], "REPORTS", r["indicator_id"], year=r["year"], value=r["value"])
    for r in t["targets"].to_dict("records"):
        add_rel(G, r["chain_id"], "TARGETS", r["indicator_id"], year=r["year"], value=r["value"])

    G.graph["source"] = dataset.source
    return G


# --------------------------------------------------------------------------- queries on the model

def nodes_of(G: nx.MultiDiGraph, label: str) -> list[str]:
    """Ids of the nodes carrying ``label`` (primary or secondary), sorted."""
    return sorted(n for n, d in G.nodes(data=True) if label in d["labels"])


def rels_of(G: nx.MultiDiGraph, rel_type: str, chain: str | None = None):
    """(start, end, attrs) of every relationship of one type (SUPPLIES optionally of one chain)."""
    for u, v, d in G.edges(data=True):
        if d["type"] == rel_type and (chain is None or d.get("chain") == chain):
            yield u, v, d


def chain_members(G: nx.MultiDiGraph, chain_id: str) -> dict[str, dict]:
    """Member enterprise id → its MEMBER_OF properties (role, tier) in that chain."""
    return {u: d for u, _, d in G.in_edges(chain_id, data=True) if d["type"] == "MEMBER_OF"}


def chain_subgraph(G: nx.MultiDiGraph, chain_id: str) -> nx.MultiDiGraph:
    """One chain's quality map: its members, their supplies in this chain, its problems,
    projects and typical cases (典型案例), the bodies linked to any of them, the policy tools and indicators
    that concern them. A firm on two chains keeps only this chain's roles and supplies.

    Raises KeyError for an unknown chain id.
    """
    if chain_id not in G or G.nodes[chain_id]["label"] != "Chain":
        raise KeyError(f"未知的产业链编号 unknown chain id: {chain_id!r}")
    keep = {chain_id}
    keep.update(v for _, v, d in G.out_edges(chain_id, data=True) if d["type"] in ("IN_DISTRICT", "TARGETS"))
    members = chain_members(G, chain_id)
    keep.update(members)
    in_chain = {u for u, _, d in G.in_edges(chain_id, data=True) if d["type"] == "IN_CHAIN"}
    keep.update(in_chain)
    focus = {chain_id} | set(members) | in_chain
    for node in focus:
        for u, _, d in G.in_edges(node, data=True):
            if d["type"] in ("ENABLES", "SUPPORTS", "ADDRESSES", "PARTNERS_IN", "APPLIES_TO"):
                keep.add(u)
    for member in members:
        keep.update(v for _, v, d in G.out_edges(member, data=True) if d["type"] == "REPORTS")

    H = nx.MultiDiGraph()
    H.graph.update(G.graph, chain=chain_id)
    H.add_nodes_from((n, G.nodes[n]) for n in keep)
    for u, v, k, d in G.edges(keys=True, data=True):
        if u not in keep or v not in keep:
            continue
        if d["type"] == "SUPPLIES" and d.get("chain") != chain_id:
            continue
        if d["type"] == "APPLIES_TO" and v not in focus:
            continue
        if d["type"] == "SUPPORTS" and v not in members:
            continue
        H.add_edge(u, v, key=k, **d)
    return H


def summary(G: nx.MultiDiGraph) -> dict[str, Any]:
    """Counts per label and relationship type (the ``qmap validate`` summary)."""
    labels = Counter(label for _, d in G.nodes(data=True) for label in d["labels"])
    types = Counter(d["type"] for _, _, d in G.edges(data=True))
    return {"nodes": dict(sorted(labels.items())), "relationships": dict(sorted(types.items()))}


def chain_table(G: nx.MultiDiGraph):
    """One row per chain, in display order: members, SMEs, bodies, problems, projects, supplies.

    >>> chain_table(G).columns.tolist()[:4]    # doctest: +SKIP
    ['seq', 'chain_id', 'name', 'district']
    """
    import pandas as pd

    rows = []
    for chain_id in nodes_of(G, "Chain"):
        c = G.nodes[chain_id]
        members = chain_members(G, chain_id)
        sub = chain_subgraph(G, chain_id)
        rows.append({
            "seq": c["seq"],
            "chain_id": chain_id,
            "name": c["name"],
            "district": c.get("district", ""),
            "key": "★" if c.get("key") else "",
            "members": len(members),
            "smes": sum(1 for m in members if G.nodes[m].get("sme", True)),
            "bodies": len(nodes_of(sub, "SupportBody")),
            "problems": len(nodes_of(sub, "Problem")),
            "projects": len(nodes_of(sub, "Project")),
            "supplies": sum(1 for _ in rels_of(sub, "SUPPLIES")),
        })
    columns = ["seq", "chain_id", "name", "district", "key", "members", "smes", "bodies", "problems",
               "projects", "supplies"]
    return pd.DataFrame(rows, columns=columns).sort_values(["seq", "chain_id"]).reset_index(drop=True)
