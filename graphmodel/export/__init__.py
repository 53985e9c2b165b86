"""Exporters, one module per format (like networkx's ``readwrite``).

>>> from graphmodel.export import export_chain, FORMATS
>>> sorted(FORMATS)    # doctest: +NORMALIZE_WHITESPACE
['csv', 'cypher', 'dot', 'gexf', 'graphml', 'html', 'json', 'mermaid', 'png', 'svg']
>>> export_chain(G, "SH01", "graphml", "exports/SH01.graphml")   # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
import networkx as nx

from ..model import chain_subgraph
from ._common import ExportExists, check_target, graph_inputs

__all__ = ["FORMATS", "Format", "export_chain", "export_graph", "ExportExists"]


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str  # "" for a folder
    description: str
    writer: str  # "module:function", imported on use so one format's dependency never slows the others

    def write(self, H: nx.MultiDiGraph, path, force: bool = False):
        module, function = self.writer.split(":")
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{module}"), function)(H, path, force=force)


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("html", ".html", "交互式质量图谱 interactive map (offline)", "html:write_html"),
    Format("png", ".png", "静态图 static diagram (image)", "image:write_png"),
    Format("svg", ".svg", "矢量图 static diagram (vector)", "image:write_svg"),
    Format("graphml", ".graphml", "GraphML (Gephi, yEd)", "graphml:write_graphml"),
    Format("gexf", ".gexf", "GEXF (Gephi)", "gexf:write_gexf"),
    Format("json", ".json", "networkx node-link JSON", "nodelink:write_json"),
    Format("csv", "", "neo4j-admin import CSV folder", "neo4j_csv:write_neo4j_csv"),
    Format("cypher", ".cypher", "Cypher script for an empty Neo4j", "cypher_script:write_cypher"),
    Format("mermaid", ".mmd", "Mermaid flowchart text", "mermaid:write_mermaid"),
    Format("dot", ".dot", "Graphviz DOT text", "dot:write_dot"),
)}


def export_chain(G: nx.MultiDiGraph, chain_id: str, fmt: str, path, force: bool = False) -> Path:
    """Write one chain's subgraph in ``fmt``; the file appears whole or not at all.

    ``path`` is a file (a folder for ``csv``); an existing one is replaced only with ``force``,
    checked before any drawing starts, and the graph's own source never is.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    H = chain_subgraph(G, chain_id)
    if FORMATS[fmt].suffix:
        check_target(path, force, graph_inputs(G))
    FORMATS[fmt].write(H, path, force=force)
    return Path(path)


def export_graph(G: nx.MultiDiGraph, fmt: str, path, force: bool = False) -> Path:
    """Write the whole graph (every chain) in a graph format (not the per-chain diagrams)."""
    if fmt not in ("graphml", "gexf", "json", "csv", "cypher"):
        raise ValueError(f"format {fmt!r} draws one chain; export chains one by one (--all)")
    if FORMATS[fmt].suffix:
        check_target(path, force, graph_inputs(G))
    FORMATS[fmt].write(G, path, force=force)
    return Path(path)
