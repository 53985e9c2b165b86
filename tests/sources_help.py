"""Multi-source graphs for the store tests (domain.md "Many workbooks: one city graph").

Until the model records sources itself these build them: :func:`as_source` names every node
and edge of one graph after one source, :func:`merge_sources` joins single-source graphs
into the city graph (an entity several sources give is one, with every source in
``sources``, and ``G.graph["given"]`` saying which properties each gave where they differ),
and :func:`split_by_district` cuts a city graph into one graph per district: the union of
its chains' quality maps.
"""

from __future__ import annotations

import networkx as nx

from graphmodel.model import chain_subgraph, district_chains
from graphmodel.schema import LABELS

_NOT_DATA = {"id", "label", "labels", "sources", "type"}


def as_source(G: nx.MultiDiGraph, name: str) -> nx.MultiDiGraph:
    """A copy of ``G`` as one source called ``name``."""
    H = G.copy()
    H.graph["sources"] = [name]
    H.graph.pop("given", None)
    H.graph.pop("source_values", None)  # recorded under the old name
    for _, d in H.nodes(data=True):
        d["sources"] = [name]
    for _, _, d in H.edges(data=True):
        d["sources"] = [name]
    return H


def _data(d: dict) -> dict:
    return {k: v for k, v in d.items() if k not in _NOT_DATA}


def merge_sources(parts: dict[str, nx.MultiDiGraph]) -> nx.MultiDiGraph:
    """The one graph of several sources (name → graph); equal values are required."""
    M = nx.MultiDiGraph()
    given: dict = {}
    for name, H in sorted(parts.items()):
        for n, d in H.nodes(data=True):
            if n in M:
                old = M.nodes[n]
                for k, v in _data(d).items():
                    assert old.get(k, v) == v, (n, k, old.get(k), v)
                old.update({k: v for k, v in d.items() if k != "sources"})
                old["labels"] = tuple(x for x in LABELS if x in set(old["labels"]) | set(d["labels"]))
                old["sources"] = sorted(set(old["sources"]) | {name})
            else:
                M.add_node(n, **{k: v for k, v in d.items() if k != "sources"}, sources=[name])
            given.setdefault(n, {})[name] = tuple(sorted(_data(d)))
        for u, v, k, d in H.edges(keys=True, data=True):
            if M.has_edge(u, v, k):
                old = M.edges[u, v, k]
                for key, value in _data(d).items():
                    assert old.get(key, value) == value, (u, v, k, key)
                old.update({x: y for x, y in d.items() if x != "sources"})
                old["sources"] = sorted(set(old["sources"]) | {name})
            else:
                M.add_edge(u, v, key=k, **{x: y for x, y in d.items() if x != "sources"}, sources=[name])
            given.setdefault((u, v, k), {})[name] = tuple(sorted(_data(d)))
    M.graph["sources"] = sorted(parts)
    everything = {e: set(M.nodes[e] if not isinstance(e, tuple) else M.edges[e]) - _NOT_DATA for e in given}
    M.graph["given"] = {e: by for e, by in given.items()
                        if any(set(keys) != everything[e] for keys in by.values())}
    return M


def split_by_district(G: nx.MultiDiGraph, suffix: str = ".xlsx") -> dict[str, nx.MultiDiGraph]:
    """One single-source graph per district (``普陀区.xlsx`` …): its chains' quality maps together."""
    parts = {}
    for district, chains in sorted(district_chains(G).items()):
        H = nx.MultiDiGraph()
        for chain in chains:
            H = nx.compose(H, chain_subgraph(G, chain))
        parts[district + suffix] = as_source(H, district + suffix)
    return parts


def without(G: nx.MultiDiGraph, nodes: set[str]) -> nx.MultiDiGraph:
    """A copy of ``G`` with ``nodes`` and every edge touching them left out."""
    H = G.copy()
    H.remove_nodes_from(nodes)
    return H
