"""Graphviz DOT of a chain: ``dot -Tsvg SH01.dot > SH01.svg``.

>>> write_dot(chain_subgraph(G, "SH01"), "exports/SH01.dot")   # doctest: +SKIP
"""

from __future__ import annotations

import networkx as nx

from ._common import atomic_file
from .diagram import chain_diagram

__all__ = ["write_dot", "dot_text", "CJK_FONTS"]

CJK_FONTS = "Noto Sans CJK SC,Microsoft YaHei,PingFang SC,WenQuanYi Micro Hei,SimHei,sans-serif"
_STYLES = {"supply": 'color="#555555"', "affects": 'style=dashed color="#d64541"',
           "support": 'style=dotted color="#7b5ea7"'}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def dot_text(H: nx.MultiDiGraph) -> str:
    diagram = chain_diagram(H)
    lines = [f"digraph {_quote(diagram.chain_id)} {{",
             f"  label={_quote(diagram.title)}; labelloc=t; rankdir=LR; newrank=true;",
             f"  fontname={_quote(CJK_FONTS)};",
             f"  node [shape=box style=\"rounded,filled\" fontcolor=white fontname={_quote(CJK_FONTS)}];",
             f"  edge [fontname={_quote(CJK_FONTS)} fontsize=10];"]
    for i, group in enumerate(diagram.groups):
        lines.append(f"  subgraph {_quote('cluster_' + group.key)} {{ label={_quote(group.title)}; color=\"#cccccc\";")
        for node in group.nodes:
            shape = " shape=ellipse" if node.kind == "problem" else " shape=component" if node.kind == "body" else ""
            lines.append(f"    {_quote(node.id)} [label={_quote(node.text)} fillcolor={_quote(node.colour)}{shape}];")
        lines.append("  }")
    for edge in diagram.edges:
        label = f" label={_quote(edge.text)}" if edge.text else ""
        lines.append(f"  {_quote(edge.source)} -> {_quote(edge.target)} [{_STYLES[edge.style]}{label}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_dot(H: nx.MultiDiGraph, path, force: bool = False):
    text = dot_text(H)
    with atomic_file(path, force) as out:
        out.write(text)
    return path
