"""Static PNG and SVG chain diagrams (matplotlib), in the interactive map's layered layout.

Positions come from :func:`graphmodel.layout.chain_layout`, so the picture in a
report looks like the map in the browser: upstream tiers, the owner, downstream
tiers from left to right, support bodies in their band by pillar, problems beside
the firms they affect. Chinese labels are drawn with :func:`graphmodel.fonts.cjk_font`:
a system CJK font when there is one, else the font that comes with qmap; with neither,
:class:`MissingFontError` is raised rather than drawing boxes.

>>> write_png(chain_subgraph(G, "SH01"), "exports/SH01.png")   # doctest: +SKIP
"""

from __future__ import annotations

import io

import networkx as nx

from .. import model
from ..fonts import CJK_FONT_NAMES, MissingFontError, cjk_font
from ..schema import REL_KIND
from ..text import truncate
from ._common import atomic_file
from .diagram import BODY_COLOUR, PROBLEM_COLOURS, ROLE_COLOURS, chain_diagram

__all__ = ["write_png", "write_svg", "cjk_font", "MissingFontError", "CJK_FONT_NAMES"]

_EDGE_STYLE = {  # kind of relationship (schema.REL_KIND) -> (colour, line style, width, alpha)
    "supplies": ("#5b6770", "-", 1.1, 0.85),
    "affects": ("#d64541", "--", 1.0, 0.9),
    "supports": ("#7b5ea7", ":", 1.0, 0.7),
    "addresses": ("#7b5ea7", ":", 1.0, 0.7),
    "partners": ("#7b5ea7", ":", 0.8, 0.5),
    "tackles": ("#b8860b", "-.", 0.8, 0.6),
    "leads": ("#1f4e9c", "-.", 0.8, 0.5),
}
_OTHER_COLOURS = {"Chain": "#0b2e59", "District": "#8899aa", "Project": "#b8860b", "PolicyTool": "#508080",
                  "Indicator": "#999999", "SupportBody": "#7b5ea7"}

_MARKERS = {"Problem": "D", "SupportBody": "s", "Project": "P", "PolicyTool": "^", "Indicator": "v",
            "Chain": "h", "District": "p"}


def _figure(H: nx.MultiDiGraph):
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    from ..layout import chain_layout

    diagram = chain_diagram(H)
    layout = chain_layout(H, diagram.chain_id, aggregate=False)
    pos = layout.positions
    colour = {n.id: n.colour for n in diagram.nodes}
    font = cjk_font()

    xs = [x for x, _ in pos.values()]
    ys = [y for _, y in pos.values()]
    width = max(xs) - min(xs) + 400 if xs else 800
    height = max(ys) - min(ys) + 300 if ys else 600
    scale = 1 / 90  # layout pixels per inch
    fig, ax = plt.subplots(figsize=(min(60, max(10, width * scale)), min(60, max(7, height * scale))))
    ax.set_axis_off()
    ax.invert_yaxis()  # layout y grows downwards, as in the browser

    for region in layout.regions:
        if region.kind == "column":
            continue
        ax.add_patch(FancyBboxPatch((region.x0, region.y0), region.x1 - region.x0, region.y1 - region.y0,
                                    boxstyle="round,pad=4", linewidth=0.8, edgecolor="#c9d3df",
                                    facecolor="#f5f8fc" if region.kind == "band" else "#ffffff", zorder=0))
        ax.text(region.x0 + 8, region.y0 + 16, region.title, fontsize=8, color="#4d5b6a", family=font,
                va="center", zorder=1)

    for u, v, d in H.edges(data=True):
        style = _EDGE_STYLE.get(REL_KIND[d["type"]])
        if style is None or u not in pos or v not in pos:
            continue
        c, ls, lw, alpha = style
        ax.annotate("", xy=pos[v], xytext=pos[u], zorder=2,
                    arrowprops=dict(arrowstyle="-|>", color=c, lw=lw, ls=ls, alpha=alpha, shrinkA=9, shrinkB=9,
                                    mutation_scale=8))

    for node, (x, y) in pos.items():
        data = H.nodes.get(node)
        if data is None:
            continue
        label = data["label"]
        fill = colour.get(node) or _OTHER_COLOURS.get(label, "#888888")
        large = label == "Enterprise" and not model.is_sme(H, node)
        size = 320 if label == "Chain" else 260 if large else 160
        marker = _MARKERS.get(label, "o")
        ax.scatter([x], [y], s=size, c=fill, marker=marker, edgecolors="white", linewidths=1.2, zorder=3)
        ax.text(x, y + 22, truncate(data.get("name", node), 12), fontsize=7, family=font, ha="center", va="top",
                color="#1b2733", zorder=4)

    ax.set_title(f"{diagram.title}（{diagram.chain_id}）质量图谱", family=font, fontsize=13, color="#0b2e59")
    from matplotlib.lines import Line2D

    legend = [Line2D([], [], marker=m, ls="", color=c, label=t) for t, m, c in (
        ("链主", "o", ROLE_COLOURS["owner"]), ("上游", "o", ROLE_COLOURS["upstream"]),
        ("中游", "o", ROLE_COLOURS["midstream"]), ("下游", "o", ROLE_COLOURS["downstream"]),
        ("问题·缺服务", "D", PROBLEM_COLOURS["red"]), ("问题·已覆盖", "D", PROBLEM_COLOURS["amber"]),
        ("问题·已解决", "D", PROBLEM_COLOURS["green"]), ("技术机构", "s", BODY_COLOUR),
        ("攻关项目", "P", _OTHER_COLOURS["Project"]))]
    ax.legend(handles=legend, loc="lower left", prop={"family": font, "size": 8}, frameon=True, ncol=9,
              bbox_to_anchor=(0, -0.04))
    ax.margins(0.04)
    fig.tight_layout()
    return fig


def _write(H: nx.MultiDiGraph, path, force: bool, fmt: str):
    import matplotlib.pyplot as plt

    fig = _figure(H)
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format=fmt, dpi=110, metadata={"Software": "qmap"} if fmt == "png" else None)
    finally:
        plt.close(fig)
    with atomic_file(path, force, "wb") as out:
        out.write(buffer.getvalue())
    return path


def write_png(H: nx.MultiDiGraph, path, force: bool = False):
    return _write(H, path, force, "png")


def write_svg(H: nx.MultiDiGraph, path, force: bool = False):
    import matplotlib

    matplotlib.rcParams["svg.fonttype"] = "none"  # keep text as text: searchable, and small
    return _write(H, path, force, "svg")
