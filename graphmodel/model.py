"""The typed graph model: validated tables → one networkx ``MultiDiGraph``.

Nodes are keyed by their ``id``; each carries ``label`` (its primary Neo4j label),
``labels`` (all of them, e.g. ``("SupportBody", "TrainingBase")``) and the properties
of ``domain.md``. Edges carry ``type`` (the relationship type) and its properties;
the edge key is :func:`graphmodel.schema.rel_key`. Properties that are None or empty
lists are not stored, exactly as Neo4j does not store nulls, so a graph read back
from Neo4j compares equal to one built here.

**Sources (provenance; the interface with the store).** A graph is built from one or
more *sources* (workbooks or CSV folders, each named by its file or folder name, see
:func:`graphmodel.intake.read_sources`), and records where every fact came from:

- every node and every relationship has ``sources``: the sorted list of the names of the
  sources that give it (a single-workbook read gives ``["that.xlsx"]``: nothing needs to
  special-case one workbook). A District node's sources are those of the chains naming it;
  a relationship drawn from a node's row (IN_CHAIN, AFFECTS, LEADS, TACKLES, APPLIES_TO,
  ABOUT, IN_DISTRICT) is given by the sources whose row names that end;
- ``G.graph["sources"]``: the sorted names of every source read; ``G.graph["source_paths"]``:
  name → the path it was read from; ``G.graph["source"]``: one line naming them (as before);
- ``G.graph["source_values"]``: what each source itself gives, property by property:
  ``{source: {"nodes": {id: {prop: value}}, "rels": {start: {end: {key: {prop: value}}}}}}``
  (plain dicts, so the graph still serialises as JSON; :func:`source_rels` walks the rels).
  Values are in the model's form (codes, lists, ints…), blanks left out, and only what that
  source's own rows say: no defaults or derived values (never ``sme``; a chain's ``key`` only
  where the source fills it in; see :data:`FINISHED`). The node ids under a
  source are exactly the nodes whose ``sources`` name it; the same for relationships (whose
  values include their identity properties, see ``schema.REL_IDENTITY``);
- :func:`finish_node` turns given values into the node's labels and properties (defaults,
  ``sme``, ``TrainingBase``); the node in ``G`` is ``finish_node`` of the union of its
  sources' values plus ``sources``. Relationships have no derived properties;
- two sources agree on a value when :func:`graphmodel.intake.same_value` says so (list
  properties such as ``services`` compare as sets; the first source, by name, decides the
  order). Intake refuses disagreeing sources before a graph is built, so within one ``G``
  the sources never conflict;
- :func:`source_graph` is one source's part of ``G`` as a graph of its own (only what it
  gives, finished as above, ``sources == [that source]``; ends of its relationships that
  it does not give itself are there as bare references with ``sources == []``).

>>> from graphmodel.intake import read_dataset
>>> G = build_graph(read_dataset("../shared/data/willems/W02"))   # doctest: +SKIP
>>> G.nodes["W02-Manuf_0002"]["label"], G.nodes["W02"]["name"]     # doctest: +SKIP
('Enterprise', 'Willems chain 02')
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import repeat
from typing import Any, Iterable

import networkx as nx

from .bulk import records, without_gc
from .intake import SOURCE_COLUMN, Dataset
from .intake import same_value as _same_value
from .schema import REL_IDENTITY, REL_TYPES, SERVICES, SHEETS, SUPPORT_REL_OF_LABEL, UNRESOLVED_PROBLEM, district_id, rel_key

__all__ = [
    "build_graph", "add_node", "add_rel", "UnknownIdError", "finish_node", "FINISHED", "source_graph", "source_rels", "same_value",
    # the graph vocabulary
    "nodes_of", "rels_of", "is_label", "chains", "match_chain", "unknown_chain", "resolve_chain",
    "chain_district", "district_chains", "chain_members", "chain_owner", "is_sme", "firm_tags", "member_chains",
    "chain_supplies", "supply_arcs", "supply_graph", "chain_problems", "chain_projects", "chain_cases",
    "problem_firm", "problem_chain", "is_unresolved", "problem_projects", "project_problems", "project_lead",
    "firm_projects", "add_case", "case_subjects", "SUPPORT_TYPES", "link_active", "link_services", "support_links",
    "body_links", "body_chains", "addressing_bodies", "project_partners", "supporting_bodies", "chain_enablers",
    "chain_bodies", "tool_targets", "chain_policy_tools",
    "readings", "latest_readings", "chain_targets", "node_sources", "shown_sources", "chain_subgraph",
    "summary", "chain_table", "dataset_summary",
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


#: Properties :func:`finish_node` sets from the others, per label: never in a source's values
#: (``Chain.key`` only where a source filled it in). A store merging sources recomputes them
#: from the merged values: ``sme`` is ``size != "large"`` (true when no source gives a size),
#: ``key`` is false when no source gives it. (The label rule: training → ``TrainingBase``.)
FINISHED: dict[str, tuple[str, ...]] = {"Chain": ("key",), "Enterprise": ("sme",)}


def finish_node(label: str, given: dict[str, Any]) -> tuple[tuple[str, ...], dict[str, Any]]:
    """(labels, properties) of a node from the values its sources give (see the module notes).

    The defaults and derived values live here: a chain is ``key`` only when marked, an
    enterprise is ``sme`` unless it is large (also when its size is not given), a body
    offering training is also a ``TrainingBase``.

    >>> finish_node("Enterprise", {"id": "E1", "name": "甲", "size": "large"})
    (('Enterprise',), {'id': 'E1', 'name': '甲', 'size': 'large', 'sme': False})
    """
    props = _clean(dict(given))
    if label == "Chain":
        props["key"] = bool(props.get("key"))
    elif label == "Enterprise":
        props["sme"] = props.get("size") != "large"
    labels = (label, "TrainingBase") if label == "SupportBody" and "training" in props.get("services", ()) else (label,)
    return labels, props


#: The relationships (values of their own: none) a node sheet's row gives besides its node:
#: (start column, type, end column); a list column gives one per item, a blank start or end none.
_SHEET_LINKS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "problems": (("problem_id", "IN_CHAIN", "chain_id"), ("problem_id", "AFFECTS", "enterprise_id")),
    "projects": (("project_id", "IN_CHAIN", "chain_id"), ("lead_id", "LEADS", "project_id"),
                 ("project_id", "TACKLES", "tackles")),
    "policy_tools": (("tool_id", "APPLIES_TO", "applies_to"),),
    "cases": (("case_id", "IN_CHAIN", "chain_id"), ("case_id", "ABOUT", "related")),
}


def _node_values(sheet: str, r: dict) -> dict[str, Any]:
    """The values a node sheet's row gives its node (``chains``' district: see :func:`_row_facts`)."""
    if sheet == "chains":
        return {"id": r["chain_id"], "seq": r["seq"], "name": r["name"], "district": _chain_district(r["district"]),
                "leader": r["leader"], "key": r["key"], "industry": r["industry"]}
    if sheet == "enterprises":
        return {"id": r["enterprise_id"], "name": r["name"], "size": r["size"], "district": r["district"],
                "uscc": r["uscc"], "tags": r.get("tags")}
    if sheet == "support_bodies":
        return {"id": r["body_id"], "name": r["name"], "services": r["services"], "accreditations": r["accreditations"]}
    if sheet == "problems":
        return {"id": r["problem_id"], "name": r["title"], "title": r["title"], "category": r["category"],
                "severity": r["severity"], "status": r["status"], "needs": r["needs"], "raised_on": r["raised_on"],
                "resolved_on": r["resolved_on"], "measures": r.get("measures"), "owner_unit": r.get("owner_unit"),
                "deadline": r.get("deadline")}
    if sheet == "projects":
        return {"id": r["project_id"], "name": r["title"], "title": r["title"], "status": r["status"], "due": r["due"],
                "progress": r["progress"]}
    if sheet == "policy_tools":
        return {"id": r["tool_id"], "name": r["name"], "kind": r["kind"], "issuer": r["issuer"]}
    if sheet == "indicators":
        return {"id": r["indicator_id"], "name": r["name"], "unit": r["unit"], "direction": r["direction"],
                "standard": r["standard"], "national_limit": r["national_limit"], "industry_limit": r["industry_limit"]}
    assert sheet == "cases", sheet
    return {"id": r["case_id"], "name": r["title"], "title": r["title"], "year": r["year"], "summary": r["summary"]}


def _chain_district(district: str | None) -> str | None:
    return None if district is None or district.strip().lower() in _NO_DISTRICT else district


def _row_facts(sheet: str, r: dict) -> Iterable[tuple]:
    """What one row of a node sheet says: ("node", id, label, values) and ("rel", start, type, end, values)
    (its relationships: :data:`_SHEET_LINKS`, and a chain's district, a node of its own; the
    relationship sheets are :data:`_REL_SHEETS`)."""
    id_column, label = _NODE_OF_SHEET[sheet]
    yield "node", r[id_column], label, _node_values(sheet, r)
    if sheet == "chains" and (district := _chain_district(r["district"])):
        yield "node", district_id(district), "District", {"id": district_id(district), "name": district}
        yield "rel", r["chain_id"], "IN_DISTRICT", district_id(district), {}
    for start_column, rel_type, end_column, is_list in _LINKS_OF_SHEET.get(sheet, ()):
        start, ends = r.get(start_column), r.get(end_column)
        for end in (ends or ()) if is_list else (ends,):
            if start and end:
                yield "rel", start, rel_type, end, {}


# What _row_facts asks of every row, looked up once.
_NODE_OF_SHEET = {s.name: (s.id_column, s.label) for s in SHEETS.values() if s.label}
_LINKS_OF_SHEET = {sheet: tuple((start, rel_type, end, SHEETS[sheet].column(end).is_list)
                                for start, rel_type, end in links) for sheet, links in _SHEET_LINKS.items()}


#: The sheets whose rows are one relationship each: (start column, type, end column,
#: {property: column}); support links take their type from the target's label. Read column by
#: column (:func:`_sheet_rels`): these are the big sheets (millions of rows a nation).
_REL_SHEETS: dict[str, tuple[str, str | None, str, dict[str, str]]] = {
    "members": ("enterprise_id", "MEMBER_OF", "chain_id", {"role": "role", "tier": "tier"}),
    "supplies": ("supplier_id", "SUPPLIES", "customer_id",
                 {"chain": "chain_id", "product": "product", "share": "share", "critical": "critical"}),
    "support_links": ("body_id", None, "target_id", {"service": "service", "since": "since", "status": "status"}),
    "readings": ("enterprise_id", "REPORTS", "indicator_id", {"year": "year", "value": "value"}),
    "targets": ("chain_id", "TARGETS", "indicator_id", {"year": "year", "value": "value"}),
}


def _rel_columns(sheet: str, frame, label_of) -> tuple[list, list, list, list, dict[str, list], list]:
    """A relationship sheet a column at a time (a nation's supplies are millions of rows):
    sources, starts, types, ends, the value columns by property and the keys
    (:func:`~graphmodel.schema.rel_key`), one item per row."""
    start_column, fixed_type, end_column, columns = _REL_SHEETS[sheet]
    n = len(frame)
    sources = frame[SOURCE_COLUMN].tolist() if SOURCE_COLUMN in frame else [None] * n
    starts, ends = frame[start_column].tolist(), frame[end_column].tolist()
    by_name = {name: frame[column].tolist() for name, column in columns.items()}
    types = [fixed_type] * n if fixed_type else [SUPPORT_REL_OF_LABEL[label_of(end)] for end in ends]
    identities = {REL_IDENTITY.get(t) for t in set(types)}
    if len(identities) == 1:   # one identity for the whole sheet: its key parts a column at a time
        identity = identities.pop()
        if identity is None:
            keys = types
        else:
            parts = [["" if v is None else str(v) for v in by_name[p]] if p in by_name else repeat("", n)
                     for p in identity]
            keys = ["|".join(key) for key in zip(types, *parts)]
    else:
        keys = [rel_key(t, dict(zip(by_name, row))) for t, *row in zip(types, *by_name.values())]
    return sources, starts, types, ends, by_name, keys


def _sheet_rels(sheet: str, frame, label_of) -> Iterable[tuple]:
    """What each row of a relationship sheet says: (source, start, type, end, values, key),
    values without blanks (:func:`_rel_columns`; row by row only where a column needs it)."""
    sources, starts, types, ends, by_name, keys = _rel_columns(sheet, frame, label_of)
    names = list(by_name)
    rows = zip(*by_name.values())
    if any(SHEETS[sheet].column(c).is_list for c in _REL_SHEETS[sheet][3].values()):
        props = [_clean(dict(zip(names, row))) for row in rows]
    else:  # every value given (the usual row): no test per value
        props = [dict(zip(names, row)) if None not in row else {k: v for k, v in zip(names, row) if v is not None}
                 for row in rows]
    return zip(sources, starts, types, ends, props, keys)


#: The order rows are read in: every node's own sheet before the sheets that link nodes.
_BUILD_ORDER = ("chains", "enterprises", "support_bodies", "problems", "projects", "policy_tools", "indicators",
                "cases", "members", "supplies", "support_links", "readings", "targets")


def _source_names(dataset: Dataset) -> list[str]:
    return list(dataset.sources) or [dataset.source or "<tables>"]


def _gather(dataset: Dataset, bookkeeping: bool) -> tuple:
    """What every row of the data set says, merged: (primary label by node, given values by
    node, sources by node, (type, values) by relationship (start, end, key), sources by
    relationship, values by source). Without ``bookkeeping`` (one source, or only counts
    wanted) the sources and values by source are left empty.
    """
    names = _source_names(dataset)
    rows = dataset.contributions if dataset.contributions is not None else dataset.tables
    labels: dict[str, str] = {}
    given: dict[str, dict[str, Any]] = {}
    node_sources: dict[str, set[str]] = defaultdict(set)
    rels: dict[tuple[str, str, str], tuple[str, dict[str, Any]]] = {}
    rel_sources: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    values: dict[str, dict[str, dict]] = {name: {"nodes": {}, "rels": {}} for name in names}

    def merge(into: dict, props: dict) -> None:
        for k, v in props.items():
            into.setdefault(k, v)

    for sheet in _BUILD_ORDER:
        frame = rows.get(sheet)
        if frame is None or not len(frame):
            continue
        if sheet in _REL_SHEETS:
            for source, start, rel_type, end, props, key in _sheet_rels(sheet, frame, labels.__getitem__):
                edge = (start, end, key)
                if edge in rels:
                    merge(rels[edge][1], props)
                else:
                    rels[edge] = (rel_type, props)
                if bookkeeping:
                    source = source or names[0]
                    rel_sources[edge].add(source)
                    mine = values.setdefault(source, {"nodes": {}, "rels": {}})
                    merge(mine["rels"].setdefault(start, {}).setdefault(end, {}).setdefault(key, {}), props)
            continue
        for r in records(frame):
            source = r.get(SOURCE_COLUMN) or names[0]
            mine = values.setdefault(source, {"nodes": {}, "rels": {}}) if bookkeeping else None
            for fact in _row_facts(sheet, r):
                if fact[0] == "node":
                    _, node_id, label, props = fact
                    props = _clean(props)
                    labels.setdefault(node_id, label)
                    if node_id in given:
                        merge(given[node_id], props)
                    else:
                        given[node_id] = props  # a fresh dict of _clean's, held nowhere else
                    if bookkeeping:
                        node_sources[node_id].add(source)
                    if mine is not None:
                        merge(mine["nodes"].setdefault(node_id, {}), props)
                else:
                    _, start, rel_type, end, props = fact
                    props = _clean(props)
                    key = (start, end, rel_key(rel_type, props))
                    if key in rels:
                        merge(rels[key][1], props)
                    else:
                        rels[key] = (rel_type, props)
                    if bookkeeping:
                        rel_sources[key].add(source)
                    if mine is not None:
                        merge(mine["rels"].setdefault(start, {}).setdefault(end, {}).setdefault(key[2], {}), props)
    return labels, given, node_sources, rels, rel_sources, values


@without_gc
def build_graph(dataset: Dataset) -> nx.MultiDiGraph:
    """The graph of ``domain.md`` for a validated data set (one or many chains, one or many sources).

    Every source's rows are read in turn; what several sources give is one node (one
    relationship) with the union of their values — intake has checked that they agree —
    and the sources that gave it (see the module notes).
    """
    names = _source_names(dataset)
    # One source (the usual case): its values are the merged values, kept once (shared below).
    single = len(names) == 1
    labels, given, node_sources, rels, rel_sources, values = _gather(dataset, bookkeeping=not single)
    if single:
        nested: dict = {}
        for (start, end, key), (_, props) in rels.items():
            ends = nested.get(start)  # (not setdefault: its default dict would be made on every call)
            if ends is None:
                ends = nested[start] = {}
            keyed = ends.get(end)
            if keyed is None:
                keyed = ends[end] = {}
            keyed[key] = props
        values[names[0]] = {"nodes": given, "rels": nested}

    G = nx.MultiDiGraph()
    only = names[:1]  # one source gave everything (the source bookkeeping above is skipped then)
    # Nodes and relationships straight into the adjacency dicts (what add_node and add_edge do,
    # less their per-call checks: every node and key here is new, and the graph has no cache yet):
    # a hundred thousand nodes and half a million edges a province, ten times that a nation.
    node, succ, pred = G._node, G._succ, G._pred
    for node_id, props in given.items():
        node_labels, finished = finish_node(labels[node_id], props)
        node[node_id] = {"label": node_labels[0], "labels": node_labels, **finished,
                         "sources": list(only) if single else sorted(node_sources[node_id])}
        succ[node_id] = {}
        pred[node_id] = {}
    for edge, (rel_type, props) in rels.items():
        start, end, key = edge
        data = {"type": rel_type, **props, "sources": list(only) if single else sorted(rel_sources[edge])}
        if start not in succ or end not in succ:  # an end no row gave as a node: networkx adds it bare
            G.add_edge(start, end, key=key, **data)
            continue
        keyed = succ[start].get(end)
        if keyed is None:
            keyed = succ[start][end] = pred[end][start] = {}
        keyed[key] = data
    G.graph["source"] = dataset.source
    G.graph["sources"] = sorted(values)
    G.graph["source_paths"] = dict(dataset.source_paths) or {names[0]: dataset.source}
    G.graph["source_values"] = values
    return G


def source_graph(G: nx.MultiDiGraph, source: str) -> nx.MultiDiGraph:
    """One source's part of ``G`` as a graph of its own (see the module notes).

    Its nodes and relationships carry only what that source gives (nodes finished by
    :func:`finish_node`) and ``sources == [source]``; the ends of its relationships that it
    does not give itself are bare references (id and labels, ``sources == []``).
    """
    mine = G.graph.get("source_values", {}).get(source)
    if mine is None:
        raise KeyError(f"未读取来源 {source}（已读取：{'、'.join(G.graph.get('sources', ())) or '无'}）")
    H = nx.MultiDiGraph()
    for node_id, props in mine["nodes"].items():
        node_labels, finished = finish_node(G.nodes[node_id]["label"], props)
        H.add_node(node_id, label=node_labels[0], labels=node_labels, **finished, sources=[source])
    for start, end, key, props in source_rels(G, source):
        for end_id in (start, end):
            if end_id not in H:
                d = G.nodes[end_id]
                H.add_node(end_id, label=d["label"], labels=d["labels"], id=end_id, sources=[])
        H.add_edge(start, end, key=key, type=G.edges[start, end, key]["type"], **props, sources=[source])
    H.graph.update(source=G.graph.get("source_paths", {}).get(source, source), sources=[source],
                   source_paths={source: G.graph.get("source_paths", {}).get(source, source)},
                   source_values={source: mine})
    return H


def source_rels(G: nx.MultiDiGraph, source: str) -> Iterable[tuple[str, str, str, dict[str, Any]]]:
    """(start, end, key, values) of every relationship one source gives (from ``source_values``)."""
    for start, ends in G.graph["source_values"][source]["rels"].items():
        for end, keys in ends.items():
            for key, props in keys.items():
                yield start, end, key, props


def same_value(a: Any, b: Any) -> bool:
    """Two sources' values agree (lists as sets); see :func:`graphmodel.intake.same_value`."""
    return _same_value(a, b)


# --------------------------------------------------------------------------- the graph vocabulary
#
# What a chain is made of, each fact read from the graph in exactly one place. Everything
# downstream (analyses, maps, lists, report, exports, the CLI) asks these functions and never
# filters edges by type or re-reads node attributes with defaults of its own.

class UnknownIdError(KeyError):
    """An id that names no chain (or no problem) in the graph; ``str()`` is one readable line."""

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0]) if self.args else ""


def nodes_of(G: nx.MultiDiGraph, label: str) -> list[str]:
    """Ids of the nodes carrying ``label`` (primary or secondary), sorted."""
    return sorted(n for n, d in G.nodes(data=True) if label in d["labels"])


def rels_of(G: nx.MultiDiGraph, rel_type: str, chain: str | None = None):
    """(start, end, attrs) of every relationship of one type (SUPPLIES optionally of one chain)."""
    for u, v, d in G.edges(data=True):
        if d["type"] == rel_type and (chain is None or d.get("chain") == chain):
            yield u, v, d


# The adjacency dicts themselves (what networkx's edge views iterate, in the same order):
# these helpers run once per member of every chain, where building a view per call cost more
# than the walk.

def _out_edges(G: nx.MultiDiGraph, node: str):
    """(end, attrs) of every relationship out of ``node``."""
    return ((v, d) for v, keyed in G._succ.get(node, {}).items() for d in keyed.values())


def _in_edges(G: nx.MultiDiGraph, node: str):
    """(start, attrs) of every relationship into ``node``."""
    return ((u, d) for u, keyed in G._pred.get(node, {}).items() for d in keyed.values())


def _out(G: nx.MultiDiGraph, node: str, rel_type: str):
    return ((v, d) for v, d in _out_edges(G, node) if d["type"] == rel_type)


def _in(G: nx.MultiDiGraph, node: str, rel_type: str):
    return ((u, d) for u, d in _in_edges(G, node) if d["type"] == rel_type)


def is_label(G: nx.MultiDiGraph, node: str, label: str) -> bool:
    """Does ``node`` exist and carry ``label`` (primary or secondary)?"""
    return node in G and label in G.nodes[node].get("labels", (G.nodes[node].get("label"),))


# -- chains --------------------------------------------------------------------------------

def chains(G: nx.MultiDiGraph) -> list[str]:
    """Every chain id, in display order: by ``seq`` (chains without one last), then id."""
    return _display_order((n, d) for n, d in G._node.items() if d.get("label") == "Chain")


def _display_order(chain_nodes: Iterable[tuple[str, dict]]) -> list[str]:
    """Chain ids of (id, properties) pairs by ``seq`` (chains without one last), then id."""
    return [c for c, _ in sorted(chain_nodes, key=lambda cd: (cd[1].get("seq") is None, cd[1].get("seq") or 0, cd[0]))]


def match_chain(text: str, known: Iterable[tuple[str, str | None]]) -> str | None:
    """The chain id that ``text`` names among ``known`` (id, name) pairs, else None.

    An exact id first, then an id differing only in letter case (ids never differ only
    by case), then an exact chain name when exactly one chain has it.

    >>> match_chain("sh02", [("SH01", "甲"), ("SH02", "光伏玻璃产业链质量提升")])
    'SH02'
    >>> match_chain("光伏玻璃产业链质量提升", [("SH02", "光伏玻璃产业链质量提升")])
    'SH02'
    """
    known = list(known)
    text = str(text).strip()
    for chain_id, _ in known:
        if chain_id == text:
            return chain_id
    folded = [c for c, _ in known if c.casefold() == text.casefold()]
    if len(folded) == 1:
        return folded[0]
    named = [c for c, name in known if name is not None and str(name).strip() == text]
    return named[0] if len(named) == 1 else None


def unknown_chain(text: str, known: Iterable[str]) -> UnknownIdError:
    """The one error for a chain id or name that names no chain, with the chains there are."""
    known = list(known)
    listed = ", ".join(known[:30]) + (f" … (共 {len(known)} 条)" if len(known) > 30 else "")
    return UnknownIdError(f"未知的产业链编号 unknown chain id: {text}（已有 known: {listed or '无 none'}）")


def resolve_chain(G: nx.MultiDiGraph, text: str) -> str:
    """The id of the chain ``text`` names (its id in any letter case, or its exact name).

    Raises :class:`UnknownIdError` listing the known chains.
    """
    ids = chains(G)
    found = match_chain(text, ((c, G.nodes[c].get("name")) for c in ids))
    if found is None:
        raise unknown_chain(text, ids)
    return found


def chain_district(G: nx.MultiDiGraph, chain_id: str) -> str | None:
    """The district of the chain's leader (None when not given)."""
    return G.nodes[chain_id].get("district")


def district_chains(G: nx.MultiDiGraph) -> dict[str, list[str]]:
    """District → its chains (display order); chains without a district are left out."""
    out: dict[str, list[str]] = {}
    for c in chains(G):
        district = chain_district(G, c)
        if district:
            out.setdefault(district, []).append(c)
    return out


# -- members and supplies ------------------------------------------------------------------

def chain_members(G: nx.MultiDiGraph, chain_id: str) -> dict[str, dict]:
    """Member enterprise id → its MEMBER_OF properties (role, tier) in that chain."""
    return {u: d for u, d in _in(G, chain_id, "MEMBER_OF")}


def chain_owner(G: nx.MultiDiGraph, chain_id: str) -> str | None:
    """The chain owner (链主), or None when the chain has none yet."""
    return next((m for m, d in sorted(chain_members(G, chain_id).items()) if d.get("role") == "owner"), None)


def is_sme(G: nx.MultiDiGraph, firm: str) -> bool:
    """Is the enterprise an SME (中小企业)? Its ``sme`` property: true for every size but large,
    and for a firm whose size is not given."""
    return _is_sme(G.nodes[firm])


_NO_VALUES: dict = {}   # an end no row gave as a node (networkx adds it bare)


def _is_sme(data: dict) -> bool:
    return bool(data.get("sme", data.get("size") != "large"))


def firm_tags(G: nx.MultiDiGraph, firm: str) -> list[str]:
    """An enterprise's tags (企业标签: 专精特新, 小巨人, 高新技术企业, …), in the order given, none twice.

    The optional ``tags`` column of the enterprises sheet: a list, or text separated by
    ``;``/``；`` where a reader kept it as written; absent or blank means no tags.

    >>> G = nx.MultiDiGraph(); G.add_node("E1", tags="专精特新；小巨人"); G.add_node("E2")
    >>> firm_tags(G, "E1"), firm_tags(G, "E2")
    (['专精特新', '小巨人'], [])
    """
    raw = G.nodes[firm].get("tags")
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = raw.replace("；", ";").split(";")
    out: list[str] = []
    for tag in raw:
        text = "" if tag is None else str(tag).strip()
        if text and text not in out:
            out.append(text)
    return out


def member_chains(G: nx.MultiDiGraph, firm: str) -> list[str]:
    """The chains an enterprise is a member of."""
    return sorted(v for v, _ in _out(G, firm, "MEMBER_OF"))


def chain_supplies(G: nx.MultiDiGraph, chain_id: str) -> list[tuple[str, str, dict]]:
    """(supplier, customer, attrs) of every SUPPLIES of the chain (its ``chain`` property), sorted.

    Found from the members' outgoing edges, so asking every chain stays linear in the graph.
    """
    out = []
    for firm in sorted(chain_members(G, chain_id)):  # sorted by supplier, then each supplier's few edges
        mine = [(firm, v, d) for v, d in _out(G, firm, "SUPPLIES") if d.get("chain") == chain_id]
        mine.sort(key=lambda e: (e[1], str(e[2].get("product"))))
        out.extend(mine)
    return out


def supply_arcs(G: nx.MultiDiGraph, chain_id: str) -> set[tuple[str, str]]:
    """(supplier, customer) pairs of the chain's SUPPLIES, parallel edges (products) collapsed."""
    return {(u, v) for u, v, _ in chain_supplies(G, chain_id)}


def supply_graph(G: nx.MultiDiGraph, chain_id: str) -> nx.DiGraph:
    """The chain's directed supply network: every member, one arc per (supplier, customer)."""
    S = nx.DiGraph()
    S.add_nodes_from(sorted(chain_members(G, chain_id)))
    S.add_edges_from(sorted(supply_arcs(G, chain_id)))
    return S


# -- problems, projects, cases ------------------------------------------------------------

def _in_chain(G: nx.MultiDiGraph, chain_id: str, label: str) -> list[str]:
    return sorted(u for u, _ in _in(G, chain_id, "IN_CHAIN") if G.nodes[u]["label"] == label)


def chain_problems(G: nx.MultiDiGraph, chain_id: str) -> list[str]:
    """The chain's quality problems (IN_CHAIN), sorted by id."""
    return _in_chain(G, chain_id, "Problem")


def chain_projects(G: nx.MultiDiGraph, chain_id: str) -> list[str]:
    """The chain's key projects (IN_CHAIN), sorted by id."""
    return _in_chain(G, chain_id, "Project")


def chain_cases(G: nx.MultiDiGraph, chain_id: str) -> list[str]:
    """The chain's typical cases (典型案例, IN_CHAIN), sorted by id."""
    return _in_chain(G, chain_id, "Case")


def problem_firm(G: nx.MultiDiGraph, problem: str) -> str | None:
    """The enterprise a problem affects (AFFECTS), or None for a chain-wide problem."""
    return next((v for v, _ in _out(G, problem, "AFFECTS")), None)


def problem_chain(G: nx.MultiDiGraph, problem: str) -> str | None:
    """The chain a problem or project belongs to (IN_CHAIN)."""
    return next((v for v, _ in _out(G, problem, "IN_CHAIN")), None)


def is_unresolved(G: nx.MultiDiGraph, problem: str) -> bool:
    """未解决: status open or in_progress."""
    return G.nodes[problem].get("status") in UNRESOLVED_PROBLEM


def problem_projects(G: nx.MultiDiGraph, problem: str) -> list[str]:
    """The projects that tackle a problem (TACKLES)."""
    return sorted(u for u, _ in _in(G, problem, "TACKLES"))


def project_problems(G: nx.MultiDiGraph, project: str) -> list[str]:
    """The problems a project tackles."""
    return sorted(v for v, _ in _out(G, project, "TACKLES"))


def project_lead(G: nx.MultiDiGraph, project: str) -> list[str]:
    """The enterprise(s) leading a project (LEADS)."""
    return sorted(u for u, _ in _in(G, project, "LEADS"))


def firm_projects(G: nx.MultiDiGraph, firm: str) -> list[str]:
    """The projects an enterprise leads."""
    return sorted(v for v, _ in _out(G, firm, "LEADS"))


def add_case(G: nx.MultiDiGraph, case_id: str, chain_id: str, related, **props: Any) -> None:
    """A typical case (典型案例) as the cases sheet gives it: (Case)-[:IN_CHAIN]->(Chain) and
    (Case)-[:ABOUT]->(x) for each related id."""
    add_node(G, case_id, ("Case",), **props)
    add_rel(G, case_id, "IN_CHAIN", chain_id)
    for target in related:
        add_rel(G, case_id, "ABOUT", target)


def case_subjects(G: nx.MultiDiGraph, case: str) -> list[str]:
    """What a typical case is about (ABOUT): firms, bodies, problems or projects."""
    return sorted(v for v, _ in _out(G, case, "ABOUT"))


# -- support bodies --------------------------------------------------------------------------

SUPPORT_TYPES = tuple(SUPPORT_REL_OF_LABEL.values())


def link_active(link: dict) -> bool:
    """A support link counts while its status is active or blank; an ended one (已结束) no longer does."""
    return link.get("status") in (None, "active")


def link_services(G: nx.MultiDiGraph, body: str, link: dict) -> list[str]:
    """What one support link offers: its own service, else every service of the body."""
    if link.get("service") is not None:
        return [link["service"]]
    return list(G.nodes[body].get("services", ()))


def support_links(G: nx.MultiDiGraph, target: str, active_only: bool = False) -> list[tuple[str, str, dict]]:
    """(body, relationship type, attrs) of every support link into ``target`` (a chain, firm,
    problem or project), optionally only the active ones."""
    return sorted(_support_in(G, target, active_only), key=lambda x: (x[0], x[1], str(x[2].get("service"))))


def _support_in(G: nx.MultiDiGraph, target: str, active_only: bool = False):
    """:func:`support_links` unsorted (for callers that only gather them into sets)."""
    return ((u, d["type"], d) for u, d in _in_edges(G, target)
            if d["type"] in SUPPORT_TYPES and (not active_only or link_active(d)))


def body_links(G: nx.MultiDiGraph, body: str, active_only: bool = False) -> list[tuple[str, str, dict]]:
    """(target, relationship type, attrs) of every support link a body has."""
    return sorted(((v, d["type"], d) for v, d in _out_edges(G, body)
                   if d["type"] in SUPPORT_TYPES and (not active_only or link_active(d))),
                  key=lambda x: (x[0], x[1], str(x[2].get("service"))))


def body_chains(G: nx.MultiDiGraph, body: str) -> list[str]:
    """The chains a body ENABLES (any ENABLES link, whatever its service or status)."""
    return sorted({v for v, rel_type, _ in body_links(G, body) if rel_type == "ENABLES"})


def addressing_bodies(G: nx.MultiDiGraph, problem: str) -> list[str]:
    """The bodies that work on a problem directly (ADDRESSES), whatever the link's status."""
    return sorted({b for b, t, _ in support_links(G, problem) if t == "ADDRESSES"})


def project_partners(G: nx.MultiDiGraph, project: str) -> list[str]:
    """The bodies that are partners in a project (PARTNERS_IN), whatever the link's status."""
    return sorted({b for b, t, _ in support_links(G, project) if t == "PARTNERS_IN"})


def supporting_bodies(G: nx.MultiDiGraph, firm: str, active_only: bool = True) -> list[str]:
    """The bodies with a SUPPORTS link to an enterprise (active ones only, by default)."""
    return sorted({b for b, t, _ in support_links(G, firm, active_only) if t == "SUPPORTS"})


def chain_enablers(G: nx.MultiDiGraph, chain_id: str) -> dict[str, list[str]]:
    """Body → the services it ENABLES on the chain, sorted (the enabling rule).

    A body enables service *s* on a chain when an ENABLES link to the chain names *s*,
    or an ENABLES link naming no service exists and *s* is among the body's services.
    The link's status is not considered (domain.md's rule names none).
    """
    out: dict[str, set[str]] = defaultdict(set)
    for body, rel_type, link in support_links(G, chain_id):
        if rel_type == "ENABLES":
            out[body].update(link_services(G, body, link))
    return {b: sorted(s, key=_service_order) for b, s in sorted(out.items())}


def chain_bodies(G: nx.MultiDiGraph, chain_id: str) -> dict[str, list[str]]:
    """Body → the services it gives *this* chain, in display order, for every body linked to it.

    A body that ENABLES the chain gives what it enables there (:func:`chain_enablers`); a
    body that only supports the chain's members, problems or projects gives the services of
    those links (a link naming no service: the body's services). Bodies are what a map
    draws for the chain, grouped by these services.
    """
    enablers = chain_enablers(G, chain_id)
    others: dict[str, set[str]] = defaultdict(set)
    targets = list(chain_members(G, chain_id)) + chain_problems(G, chain_id) + chain_projects(G, chain_id)
    for target in targets:
        for body, _, link in _support_in(G, target):
            if body not in enablers:
                others[body].update(link_services(G, body, link))
    out = dict(enablers)
    out.update({b: sorted(s, key=_service_order) for b, s in others.items()})
    return dict(sorted(out.items()))


def _service_order(code: str) -> tuple[int, str]:
    codes = SERVICES.codes
    return (codes.index(code) if code in codes else len(codes), code)


# -- policy tools, indicators ------------------------------------------------------------------

def tool_targets(G: nx.MultiDiGraph, tool: str) -> list[str]:
    """What a policy tool applies to (APPLIES_TO): chains, enterprises or projects."""
    return sorted(v for v, _ in _out(G, tool, "APPLIES_TO"))


def chain_policy_tools(G: nx.MultiDiGraph, chain_id: str) -> dict[str, list[str]]:
    """Policy tool → what it applies to *in this chain* (the chain, its members, its projects)."""
    here = {chain_id} | set(chain_members(G, chain_id)) | set(chain_projects(G, chain_id))
    tools: dict[str, set[str]] = defaultdict(set)
    for target in here:
        for tool, _ in _in(G, target, "APPLIES_TO"):
            tools[tool].add(target)
    return {t: sorted(ts) for t, ts in sorted(tools.items())}


def readings(G: nx.MultiDiGraph, firm: str) -> list[tuple[str, int, float]]:
    """(indicator, year, value) of every reading an enterprise REPORTS, sorted."""
    return sorted((v, d["year"], d["value"]) for v, d in _out(G, firm, "REPORTS"))


def latest_readings(G: nx.MultiDiGraph, firm: str, until: int | None = None) -> dict[str, tuple[int, float]]:
    """Indicator → (year, value) of the firm's latest reading (at most ``until`` when given)."""
    latest: dict[str, tuple[int, float]] = {}
    for indicator, year, value in readings(G, firm):
        if until is not None and year > until:
            continue
        if indicator not in latest or year > latest[indicator][0]:
            latest[indicator] = (year, value)
    return latest


def chain_targets(G: nx.MultiDiGraph, chain_id: str, year: int | None = None) -> list[tuple[str, int, float]]:
    """(indicator, year, target value) of the chain's TARGETS (of one year when given), sorted."""
    return sorted((v, d["year"], d["value"]) for v, d in _out(G, chain_id, "TARGETS")
                  if year is None or d["year"] == year)


def node_sources(G: nx.MultiDiGraph, node: str) -> list[str]:
    """Where a node's facts came from (the ``sources`` of domain.md, when recorded)."""
    return list(G.nodes[node].get("sources") or ())


def shown_sources(G: nx.MultiDiGraph, node: str) -> list[str]:
    """The node's sources where saying them tells a reader something (a 来源 row or column):
    when the graph was read from several sources, or the node came from elsewhere than the
    one source read. A district's own workbook does not print its name on every row."""
    sources = node_sources(G, node)
    read = list(G.graph.get("sources") or ())
    return [] if len(read) <= 1 and sources == read else sources


def chain_subgraph(G: nx.MultiDiGraph, chain_id: str) -> nx.MultiDiGraph:
    """One chain's quality map: its members, their supplies in this chain, its problems,
    projects and typical cases (典型案例), the bodies linked to any of them, the policy tools and indicators
    that concern them. A firm on two chains keeps only this chain's roles and supplies.

    Raises :class:`UnknownIdError` for an unknown chain id.
    """
    if not is_label(G, chain_id, "Chain"):
        raise unknown_chain(chain_id, chains(G))
    keep = {chain_id}
    keep.update(v for _, v, d in G.out_edges(chain_id, data=True) if d["type"] in ("IN_DISTRICT", "TARGETS"))
    members = chain_members(G, chain_id)
    keep.update(members)
    in_chain = {u for u, _ in _in(G, chain_id, "IN_CHAIN")}
    keep.update(in_chain)
    focus = {chain_id} | set(members) | in_chain
    for node in focus:
        for u, _, d in G.in_edges(node, data=True):
            if d["type"] in ("ENABLES", "SUPPORTS", "ADDRESSES", "PARTNERS_IN", "APPLIES_TO"):
                keep.add(u)
    for member in members:
        keep.update(v for v, _ in _out(G, member, "REPORTS"))

    H = nx.MultiDiGraph()
    # a chain's map is never loaded as a source: the city's per-source values stay behind
    H.graph.update({k: v for k, v in G.graph.items() if k != "source_values"}, chain=chain_id)
    H.add_nodes_from((n, G.nodes[n]) for n in keep)
    for u in sorted(keep):
        for _, v, k, d in G.out_edges(u, keys=True, data=True):
            if v not in keep:
                continue
            if d["type"] == "SUPPLIES" and d.get("chain") != chain_id:
                continue
            if d["type"] == "APPLIES_TO" and v not in focus:
                continue
            if d["type"] == "SUPPORTS" and v not in members:
                continue
            if d["type"] == "ABOUT" and u not in in_chain:
                continue
            H.add_edge(u, v, key=k, **d)
    return H


def summary(G: nx.MultiDiGraph) -> dict[str, Any]:
    """Counts per label and relationship type (the ``qmap validate`` summary)."""
    return _counts((label for d in G._node.values() for label in d["labels"]),
                   (d["type"] for ends in G._succ.values() for keyed in ends.values() for d in keyed.values()))


def _counts(labels: Iterable[str] | dict[str, int], types: Iterable[str] | dict[str, int]) -> dict[str, Any]:
    """The summary's counts of labels and types (each given one by one, or already counted)."""
    labels, types = Counter(labels), Counter(types)
    return {"nodes": dict(sorted(labels.items())), "relationships": dict(sorted(types.items()))}


@without_gc  # it makes a tuple per relationship; a collection would walk the whole graph each time
def chain_table(G: nx.MultiDiGraph):
    """One row per chain, in display order: members, SMEs, bodies, problems, projects, supplies.

    Each count is the length of what the vocabulary lists for the chain (:func:`chain_members`,
    :func:`chain_bodies`, :func:`chain_problems`, :func:`chain_projects`, :func:`chain_supplies`),
    gathered for every chain in one walk over the relationships: ``qmap validate`` prints it
    for hundreds of chains, where asking each chain's lists walked every member's edges again.

    >>> chain_table(G).columns.tolist()[:4]    # doctest: +SKIP
    ['seq', 'chain_id', 'name', 'district']
    """
    node = G._node
    by_type: dict[str, list[tuple[str, str, Any]]] = defaultdict(list)
    for start, ends in G._succ.items():
        for end, keyed in ends.items():
            for d in keyed.values():
                by_type[d["type"]].append((start, end, d.get("chain")))
    return _chain_rows(node, lambda n: node[n]["label"], lambda n: _is_sme(node.get(n, _NO_VALUES)), by_type,
                       chains(G))


#: The node sheets whose rows :func:`dataset_summary` merges into values, as a graph's nodes
#: are (what it reads of the others is a column or two, merged there).
_VALUES_COUNTED = ("chains", "support_bodies")


@without_gc
def dataset_summary(dataset: Dataset) -> tuple[dict[str, Any], Any]:
    """:func:`summary` and :func:`chain_table` of ``build_graph(dataset)``, without building
    the graph (``qmap validate`` prints only these): the same rows make the same nodes and
    relationships (:data:`_SHEET_LINKS`, :func:`_rel_columns`, :func:`_row_facts`), finished
    the same way (:func:`finish_node`) and counted by the same rules. It reads the columns it
    counts, a column at a time: the values of no relationship and of few nodes.

    >>> counts, table = dataset_summary(read_dataset("../shared/data/willems/W02"))  # doctest: +SKIP
    >>> counts["nodes"]["Chain"], table["members"].tolist()                           # doctest: +SKIP
    (1, [13])
    """
    rows = dataset.contributions if dataset.contributions is not None else dataset.tables
    labels: dict[str, str] = {}             # a node's primary label: its first row's
    given: dict[str, dict[str, Any]] = {}   # merged values of the nodes of _VALUES_COUNTED
    size: dict[str, Any] = {}               # an enterprise's merged size
    by_type: dict[str, dict[tuple[str, str, str], Any]] = defaultdict(dict)  # (start, end, key) → its chain

    for sheet in _BUILD_ORDER:
        frame = rows.get(sheet)
        if frame is None or not len(frame):
            continue
        if sheet in _REL_SHEETS:
            _, starts, types, ends, by_name, keys = _rel_columns(sheet, frame, labels.__getitem__)
            edges = zip(starts, ends, keys)
            chain_of = by_name.get("chain") or repeat(None)  # a SUPPLIES key holds its chain: one per edge
            if _REL_SHEETS[sheet][1]:
                by_type[types[0]].update(zip(edges, chain_of))
            else:
                for rel_type, edge, chain in zip(types, edges, chain_of):
                    by_type[rel_type][edge] = chain
        elif sheet in _VALUES_COUNTED:
            for r in records(frame):
                for fact in _row_facts(sheet, r):
                    if fact[0] == "node":
                        _, node_id, label, props = fact
                        labels.setdefault(node_id, label)
                        merged = given.setdefault(node_id, {})
                        for k, v in _clean(props).items():
                            merged.setdefault(k, v)
                    else:
                        _, start, rel_type, end, props = fact
                        by_type[rel_type].setdefault((start, end, rel_key(rel_type, props)), props.get("chain"))
        else:
            spec = SHEETS[sheet]
            ids = frame[spec.id_column].tolist()
            labels.update({node_id: spec.label for node_id in ids if node_id not in labels})
            if sheet == "enterprises":  # a value's first row gives it (reversed: the first row is set last)
                size.update({k: v for k, v in zip(reversed(ids), reversed(frame["size"].tolist()))
                             if v is not None and k not in size})
            for start_column, rel_type, end_column, is_list in _LINKS_OF_SHEET.get(sheet, ()):
                if start_column not in frame or end_column not in frame:
                    continue
                key = rel_key(rel_type, {})
                pairs = zip(frame[start_column].tolist(), frame[end_column].tolist())
                if is_list:
                    edges = ((start, end, key) for start, ends in pairs if start for end in ends or () if end)
                else:
                    edges = ((start, end, key) for start, end in pairs if start and end)
                by_type[rel_type].update(dict.fromkeys(edges))

    node_labels = {node_id: finish_node(labels[node_id], props) for node_id, props in given.items()}
    node = {node_id: props for node_id, (_, props) in node_labels.items()}
    derived = Counter(label for node_id, (these, _) in node_labels.items() for label in these[1:])
    counts = _counts(Counter(labels.values()) + derived, {t: len(edges) for t, edges in by_type.items() if edges})
    sme_of_size = {v: finish_node("Enterprise", {"size": v})[1]["sme"] for v in {None, *size.values()}}
    table = _chain_rows(node, labels.__getitem__, lambda n: sme_of_size[size.get(n)],
                        {t: ((start, end, chain) for (start, end, _), chain in edges.items())
                         for t, edges in by_type.items()},
                        _display_order((n, node[n]) for n, label in labels.items() if label == "Chain"))
    return counts, table


def _chain_rows(node: dict[str, dict], label_of, is_sme, by_type: dict[str, Iterable[tuple[str, str, Any]]],
                chain_ids: list[str]):
    """:func:`chain_table` from chains' properties by id, a node's primary label, whether a
    member is an SME, every relationship once by type as (start, end, its ``chain``) and the
    chains in display order."""
    import pandas as pd

    members: dict[str, set[str]] = defaultdict(set)
    parts: dict[str, dict[str, set[str]]] = {"Problem": defaultdict(set), "Project": defaultdict(set)}
    part_of: dict[str, set[str]] = defaultdict(set)  # a member, problem or project → its chains
    for firm, chain_id, _ in by_type.get("MEMBER_OF", ()):
        members[chain_id].add(firm)
        part_of[firm].add(chain_id)
    for start, chain_id, _ in by_type.get("IN_CHAIN", ()):
        label = label_of(start)
        if label in parts:
            parts[label][chain_id].add(start)
            part_of[start].add(chain_id)
    bodies: dict[str, set[str]] = defaultdict(set)
    for rel_type in SUPPORT_TYPES:
        for body, target, _ in by_type.get(rel_type, ()):
            if rel_type == "ENABLES":  # a chain's enablers (chain_enablers)
                bodies[target].add(body)
            for chain_id in part_of.get(target, ()):
                bodies[chain_id].add(body)
    supplied: Counter = Counter(chain for firm, _, chain in by_type.get("SUPPLIES", ())
                                if firm in members.get(chain, ()))

    rows = []
    for chain_id in chain_ids:
        c = node[chain_id]
        mine = members.get(chain_id, ())
        rows.append({
            "seq": c.get("seq"),
            "chain_id": chain_id,
            "name": c.get("name"),
            "district": c.get("district", ""),
            "key": "★" if c.get("key") else "",
            "members": len(mine),
            "smes": sum(1 for m in mine if is_sme(m)),
            "bodies": len(bodies.get(chain_id, ())),
            "problems": len(parts["Problem"].get(chain_id, ())),
            "projects": len(parts["Project"].get(chain_id, ())),
            "supplies": supplied[chain_id],
        })
    columns = ["seq", "chain_id", "name", "district", "key", "members", "smes", "bodies", "problems",
               "projects", "supplies"]
    return pd.DataFrame(rows, columns=columns)
