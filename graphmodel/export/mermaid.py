"""Mermaid flowchart of a chain (renders in GitLab/GitHub wikis, Typora, Obsidian).

>>> write_mermaid(chain_subgraph(G, "SH01"), "exports/SH01.mmd")   # doctest: +SKIP
"""

from __future__ import annotations

import networkx as nx

from ._common import atomic_file
from .diagram import chain_diagram

__all__ = ["write_mermaid", "mermaid_text"]

_ENTITIES = {'"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "#": "#35;", "\n": " ", "|": "#124;"}
_ARROWS = {"supply": "-->", "affects": "-.->", "support": "-.->"}


def _text(text: str) -> str:
    return '"' + "".join(_ENTITIES.get(ch, ch) for ch in text) + '"'


def mermaid_text(H: nx.MultiDiGraph) -> str:
    diagram = chain_diagram(H)
    ids = {node.id: f"n{i}" for i, node in enumerate(diagram.nodes)}  # mermaid ids must be plain ASCII
    lines = ["flowchart LR", f"  %% {diagram.chain_id}"]
    for group in diagram.groups:
        lines.append(f"  subgraph g_{group.key}[{_text(group.title)}]")
        for node in group.nodes:
            shape = ("([", "])") if node.kind == "problem" else ("[[", "]]") if node.kind == "body" else ("[", "]")
            lines.append(f"    {ids[node.id]}{shape[0]}{_text(node.text)}{shape[1]}")
        lines.append("  end")
    for edge in diagram.edges:
        label = f"|{_text(edge.text)}|" if edge.text else ""
        lines.append(f"  {ids[edge.source]} {_ARROWS[edge.style]}{label} {ids[edge.target]}")
    for node in diagram.nodes:
        lines.append(f"  style {ids[node.id]} fill:{node.colour},color:#fff,stroke:#333")
    return "\n".join(lines) + "\n"


def write_mermaid(H: nx.MultiDiGraph, path, force: bool = False):
    text = mermaid_text(H)
    with atomic_file(path, force) as out:
        out.write(text)
    return path
