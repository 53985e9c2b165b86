"""GraphML export (opens in Gephi, yEd, Cytoscape). Lists become ``;``-joined text.

>>> write_graphml(G, "exports/SH01.graphml")   # doctest: +SKIP
"""

from __future__ import annotations

import io

import networkx as nx

from ._common import atomic_file, flat_graph

__all__ = ["write_graphml"]


def write_graphml(G: nx.MultiDiGraph, path, force: bool = False):
    buffer = io.BytesIO()
    nx.write_graphml_xml(flat_graph(G), buffer, encoding="utf-8", named_key_ids=True)
    with atomic_file(path, force, "wb") as out:
        out.write(buffer.getvalue())
    return path
