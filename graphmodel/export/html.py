"""The interactive quality map of one chain, as one offline HTML file.

>>> write_html(chain_subgraph(G, "SH01"), "exports/SH01.html")   # doctest: +SKIP
"""

from __future__ import annotations

import networkx as nx

__all__ = ["write_html"]


def write_html(H: nx.MultiDiGraph, path, force: bool = False):
    from ..maps import write_chain_map

    return write_chain_map(H, H.graph["chain"], path, force=force)  # through the output layer, atomically
