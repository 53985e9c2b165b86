"""JSON export in networkx's node-link format.

Read it back with ``networkx.node_link_graph(data, edges="edges", name="node")``.

>>> write_json(G, "exports/SH01.json")   # doctest: +SKIP
"""

from __future__ import annotations

import json

import networkx as nx

from ._common import atomic_file

__all__ = ["write_json"]


def write_json(G: nx.MultiDiGraph, path, force: bool = False):
    # "node" names the node key: our nodes carry an `id` property of their own.
    data = nx.node_link_data(G, edges="edges", nodes="nodes", name="node")
    with atomic_file(path, force) as out:
        json.dump(data, out, ensure_ascii=False, indent=1, default=list)
    return path
