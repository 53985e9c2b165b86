"""Shared pieces of the exporters: writes through the output layer (:mod:`graphmodel.files`) and flat properties."""

from __future__ import annotations

import networkx as nx

from ..files import ExportExists, atomic_file, check_target, graph_inputs, output_folder

__all__ = ["ExportExists", "check_target", "atomic_file", "output_folder", "graph_inputs", "flat_value",
           "flat_graph"]


def flat_value(value):
    """Lists and tuples as ``;``-joined text, for formats with scalar attributes only."""
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    return value


def flat_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attributes are all scalars (GraphML and GEXF take no lists)."""
    H = nx.MultiDiGraph()
    # dicts (source_paths, source_values: provenance for the store) have no scalar form
    H.graph.update({k: flat_value(v) for k, v in G.graph.items() if v is not None and not isinstance(v, dict)})
    H.add_nodes_from((n, {k: flat_value(v) for k, v in d.items()}) for n, d in G.nodes(data=True))
    H.add_edges_from((u, v, k, {a: flat_value(b) for a, b in d.items()}) for u, v, k, d in G.edges(keys=True, data=True))
    return H
