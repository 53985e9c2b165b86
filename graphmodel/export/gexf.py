"""GEXF 1.2 export for Gephi. Lists become ``;``-joined text.

>>> write_gexf(G, "exports/SH01.gexf")   # doctest: +SKIP
"""

from __future__ import annotations

import io

import networkx as nx

from ._common import atomic_file, flat_graph

__all__ = ["write_gexf"]


def write_gexf(G: nx.MultiDiGraph, path, force: bool = False):
    H = flat_graph(G)
    for node, data in H.nodes(data=True):
        # GEXF's own `label` is what Gephi shows: the name; our Neo4j label moves to `kind`.
        data["kind"] = data.pop("label")
        data["label"] = data.get("name", node)
    buffer = io.BytesIO()
    nx.write_gexf(H, buffer, encoding="utf-8", version="1.2draft")
    with atomic_file(path, force, "wb") as out:
        out.write(buffer.getvalue())
    return path
