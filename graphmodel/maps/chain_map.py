"""One self-contained HTML quality map per chain (pyvis → vis-network, fully offline).

The map is a pyvis :class:`~pyvis.network.Network` whose nodes carry fixed positions
from :mod:`graphmodel.layout` (physics off: the browser places nothing), rendered
through our own template (``graphmodel/assets/chain_map.html``) instead of pyvis's,
which links Bootstrap and TomSelect from CDNs. vis-network itself is inlined from the
pyvis package (:mod:`graphmodel.maps.assets`).

What the analyst sees: upstream tiers → owner → downstream tiers left to right; support
bodies in their own band grouped by pillar; each problem a coloured tag beside the firm
it affects (red: unresolved with a needed service no body covers, amber: unresolved and
covered, green: resolved — :func:`graphmodel.analyses.problem_coverage`); support
links coloured and dashed by service; the owner a gold star, SMEs small dashed dots;
single-source supply lines in orange (analysis 3), critical suppliers ringed (analysis 8),
firm tags as small badges. Labels stay about 12 px on screen at any zoom, cut to the room
the layout leaves them (full names when zoomed in or hovered).

From display to action: the *gap view* lights, in place, every uncovered problem (with its
firm) and every unsupported SME (analyses 1 and 4), writes what each lacks on its label and
lists them with the bodies :func:`graphmodel.analyses.support_suggestions` names (a click
lights that body and what it already serves). A dock beside the map holds the details and
five lists — uncovered problems, unsupported SMEs, support suggestions, single-source links,
critical suppliers (top N) — each sortable, each row focusing the map, each downloadable as
CSV (BOM, formula-safe) from the page. Exploration: a firm's neighbourhood (N tiers up and
down) and the shortest paths between two firms, filters by type, service, status, district,
size, tier and tag. The page's state lives in the URL fragment; "save picture" writes the
view as PNG; printing gives A4 landscape with title and legend — all offline.

Big chains start aggregated: crowded cells (split by main product where that groups them)
collapse into cluster nodes that expand on click. Writing a page is linear in the chain:
problem impacts come from one batched pass (:func:`graphmodel.analyses.problem_impacts`) and
the page walks a clicked problem's path over its own supply lines; critical suppliers are
ranked only while exact betweenness is affordable (:data:`CRITICAL_MAX_WORK`).

>>> from graphmodel.maps import write_chain_map
>>> write_chain_map(G, "SH01", "exports/maps/SH01.html")   # doctest: +SKIP
PosixPath('exports/maps/SH01.html')
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import networkx as nx
from jinja2 import Environment, FunctionLoader, select_autoescape
from pyvis.edge import Edge
from pyvis.network import Network
from pyvis.node import Node

from .. import analyses, headline, model
from ..files import graph_inputs, safe_name, write_file
from ..layout import BODY_GROUPS, FIRM_LABEL_W, TAG_W, ChainLayout, chain_layout, tier_title
from ..model import chain_members, chain_subgraph
from ..schema import ENUMS, PLACED_BY_LAYOUT, REL_KIND, REL_ZH
from ..style import (FONT_STACK, LABEL_ZH, NODE_TYPES, PROBLEM_STATES, PROP_ZH, SERVICE_STYLE, service_style,
                     short_name)
from ..text import display_value, truncate
from . import assets

__all__ = ["chain_map_html", "write_chain_map", "chain_filename", "map_environment"]

_TYPE_OF_LABEL = {"Enterprise": "firm", "SupportBody": "body", "Problem": "problem", "Project": "project",
                  "PolicyTool": "tool", "Indicator": "indicator", "Case": "case", "Chain": "chain",
                  "District": "chain"}

#: Caption of each kind of line (the relationship's Chinese name and its type).
_KIND_ZH = {kind: f"{REL_ZH[rel]} {rel}" for rel, kind in REL_KIND.items()}
_SUPPORT_KINDS = {REL_KIND[t] for t in model.SUPPORT_TYPES}

_COLORS = {"firm": "#2d3748", "sme_fill": "#e2e8f0", "owner": "#f6c343", "owner_border": "#b7791f",
           "project": "#2c7a7b", "tool": "#4a5568", "indicator": "#a0aec0", "chain": "#1a365d",
           "supplies": "#a0aec0", "critical": "#4a5568", "cluster": "#ebf4ff", "cluster_border": "#5a67d8",
           "single": "#dd6b20", "ring": "#6b46c1"}


# --------------------------------------------------------------------------- small helpers

def chain_filename(chain_id: str) -> str:
    """The safe file name of one chain's map, alone (:func:`graphmodel.files.safe_name`).

    A folder of maps names them with :func:`graphmodel.maps.map_filenames`, which also keeps
    them apart from each other and from ``index.html``.

    >>> chain_filename("SH01"), chain_filename("a/b:c"), chain_filename("CON")
    ('SH01.html', 'a_b_c.html', '_CON.html')
    """
    return safe_name(chain_id, ".html")


def _template_source(name: str):
    return assets.asset_text(name), None, lambda: True


def map_environment() -> Environment:
    """Jinja environment for our page templates: HTML autoescaped, JSON kept readable."""
    env = Environment(loader=FunctionLoader(_template_source), autoescape=select_autoescape(default=True))
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
    return env


class _QmapNetwork(Network):
    """pyvis's Network rendered through qmap's offline template with extra context.

    pyvis's ``generate_html`` passes a fixed set of variables to its (CDN-linking)
    template; ours needs more (legend, tooltips, impact paths), so the method is
    overridden — node/edge/option handling stays pyvis's.
    """

    def __init__(self, context: dict[str, Any], **kwargs):
        super().__init__(directed=True, cdn_resources="in_line", **kwargs)
        self.context = context
        self.templateEnv = map_environment()
        self.path = "chain_map.html"

    def generate_html(self, name="index.html", local=True, notebook=False):  # noqa: D102 - pyvis API
        nodes, edges, heading, height, width, options = self.get_network_data()
        template = self.templateEnv.get_template(self.path)
        self.html = template.render(nodes=nodes, edges=edges, heading=heading, height=height, width=width,
                                    options=json.loads(options), **self.context)
        return self.html


def _problem_states(G: nx.MultiDiGraph, chain_id: str) -> dict[str, dict[str, Any]]:
    """Per problem of the chain: its map colour (``state``: red/amber/green), missing and covered
    services — all from :func:`graphmodel.analyses.problem_coverage`."""
    return {p: {"state": c.tone, "missing": list(c.missing), "covered": list(c.covered)}
            for p, c in analyses.chain_coverage(G, chain_id).items()}


def _svc(code: str | None) -> dict[str, Any]:
    return service_style(code)


def _dash_css(dashes) -> str | None:
    return " ".join(str(d) for d in dashes) if dashes else None


# --------------------------------------------------------------------------- vis styling

def _groups() -> dict[str, dict]:
    """vis-network groups: one style per kind of node, so each node only names its group."""
    box_font = {"color": "#ffffff", "size": 13, "strokeWidth": 0}
    groups: dict[str, dict] = {
        "owner": {"shape": "star", "size": 27, "borderWidth": 2,
                  "color": {"background": _COLORS["owner"], "border": _COLORS["owner_border"],
                            "highlight": {"background": "#fbd38d", "border": "#975a16"},
                            "hover": {"background": "#fbd38d", "border": "#975a16"}},
                  "font": {"size": 17, "color": "#1a202c", "strokeWidth": 4, "strokeColor": "#ffffff"}},
        "firm": {"shape": "dot", "size": 12, "borderWidth": 1.5,
                 "color": {"background": _COLORS["firm"], "border": "#1a202c",
                           "highlight": {"background": "#4a5568", "border": "#000000"},
                           "hover": {"background": "#4a5568", "border": "#000000"}}},
        "sme": {"shape": "dot", "size": 8.5, "borderWidth": 2, "shapeProperties": {"borderDashes": [3, 2]},
                "color": {"background": _COLORS["sme_fill"], "border": "#4a5568",
                          "highlight": {"background": "#cbd5e0", "border": "#1a202c"},
                          "hover": {"background": "#cbd5e0", "border": "#1a202c"}}},
        "project": {"shape": "square", "size": 11,
                    "color": {"background": _COLORS["project"], "border": "#234e52",
                              "highlight": {"background": "#38b2ac", "border": "#234e52"}}},
        "tool": {"shape": "hexagon", "size": 12,
                 "color": {"background": _COLORS["tool"], "border": "#2d3748",
                           "highlight": {"background": "#718096", "border": "#1a202c"}}},
        "indicator": {"shape": "ellipse", "margin": 6,
                      "color": {"background": "#f7fafc", "border": _COLORS["indicator"],
                                "highlight": {"background": "#edf2f7", "border": "#4a5568"}},
                      "font": {"size": 13, "color": "#2d3748", "strokeWidth": 0}},
        "case": {"shape": "box", "margin": 8, "shapeProperties": {"borderRadius": 3},
                 "color": {"background": "#fefcbf", "border": "#b7791f",
                           "highlight": {"background": "#faf089", "border": "#744210"}},
                 "font": {"size": 13, "color": "#744210", "strokeWidth": 0}},
        "chain": {"shape": "box", "margin": 14, "borderWidth": 0, "shapeProperties": {"borderRadius": 10},
                  "color": {"background": _COLORS["chain"], "border": _COLORS["chain"],
                            "highlight": {"background": "#2a4365", "border": "#1a365d"}},
                  "font": {"color": "#ffffff", "size": 22, "strokeWidth": 0}},
        "district": {"shape": "box", "margin": 10, "shapeProperties": {"borderRadius": 16},
                     "color": {"background": "#ebf8ff", "border": "#90cdf4",
                               "highlight": {"background": "#bee3f8", "border": "#3182ce"}},
                     "font": {"color": "#2c5282", "size": 16, "strokeWidth": 0}},
        "cluster": {"shape": "box", "margin": 16, "borderWidth": 2,
                    "shapeProperties": {"borderRadius": 12, "borderDashes": [7, 5]},
                    "color": {"background": _COLORS["cluster"], "border": _COLORS["cluster_border"],
                              "highlight": {"background": "#c3dafe", "border": "#434190"},
                              "hover": {"background": "#c3dafe", "border": "#434190"}},
                    "font": {"color": "#2d3748", "size": 18, "strokeWidth": 0, "multi": False}},
    }
    for key, st in PROBLEM_STATES.items():
        groups[f"problem-{key}"] = {
            "shape": "box", "margin": {"top": 4, "bottom": 4, "left": 7, "right": 7}, "borderWidth": 1,
            "shapeProperties": {"borderRadius": 5},
            "color": {"background": st["color"], "border": st["dark"],
                      "highlight": {"background": st["dark"], "border": "#1a202c"},
                      "hover": {"background": st["dark"], "border": "#1a202c"}},
            "font": dict(box_font, size=12.5)}
    for g in BODY_GROUPS:
        st = _svc(g)
        groups[f"body-{g}"] = {"shape": "diamond", "size": 14, "borderWidth": 1.5,
                               "color": {"background": st["color"], "border": "#1a202c",
                                         "highlight": {"background": st["color"], "border": "#000000"},
                                         "hover": {"background": st["color"], "border": "#000000"}}}
    return groups


def _options(n_nodes: int, n_edges: int) -> dict:
    big = n_edges > 2500 or n_nodes > 1500
    return {
        "autoResize": True,
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": 1},
        "interaction": {"hover": True, "tooltipDelay": 80, "hideEdgesOnDrag": big, "hideEdgesOnZoom": big,
                        "multiselect": False, "navigationButtons": False, "keyboard": False,
                        "zoomSpeed": 0.9, "selectConnectedEdges": False},
        "nodes": {"font": {"face": FONT_STACK, "size": 14, "color": "#1a202c", "strokeWidth": 3,
                           "strokeColor": "#ffffff"},
                  "borderWidth": 1.5, "shadow": False, "chosen": True},
        "edges": {"smooth": False, "width": 1.2, "selectionWidth": 1.5, "hoverWidth": 0.8,
                  "arrows": {"to": {"enabled": True, "scaleFactor": 0.55}},
                  "color": {"inherit": False}, "font": {"face": FONT_STACK}},
        "groups": _groups(),
    }


# --------------------------------------------------------------------------- page data

def _node_info(G, H, n, chain_id, members, states, problems_of, bodies) -> dict:
    """Heading, type caption and (caption, text) rows for a node's tooltip: plain text only."""
    d = H.nodes[n]
    label = d["label"]
    rows: list[list[str]] = [["编号", n]]
    ty = "、".join(LABEL_ZH.get(lab, lab) for lab in d.get("labels", (label,)))
    if label == "Enterprise":
        m = members.get(n, {})
        if m.get("role"):
            role = display_value("role", m["role"])
            tier = m.get("tier")
            rows.append(["本链角色", role + (f"，第 {int(tier)} 层" if isinstance(tier, (int, float)) and tier else "")])
    skip = {"id", "label", "labels", "name", "title", "tags", "sources"}
    for key, value in d.items():
        if key in skip:
            continue
        rows.append([PROP_ZH.get(key, key), display_value(key, value, label)])
    sources = model.shown_sources(G, n)
    if sources:
        rows.append(["来源", "、".join(sources)])
    if label == "Problem" and n in states:
        st = states[n]
        rows.append(["图上状态", PROBLEM_STATES[st["state"]]["zh"]])
        rows.append(["已覆盖服务", display_value("needs", st["covered"]) or "无"])
        if st["missing"]:
            rows.append(["缺失服务", display_value("needs", st["missing"])])
        firm = model.problem_firm(H, n)
        rows.append(["涉及企业", f"{H.nodes[firm].get('name', firm)}（{firm}）" if firm else "未指明"])
    if label == "Enterprise":
        tags = model.firm_tags(H, n)
        if tags:
            rows.append(["企业标签", "、".join(tags)])
    if label == "Enterprise" and problems_of.get(n):
        rows.append(["本链质量问题", str(len(problems_of[n]))])
    if label == "SupportBody" and bodies.get(n):
        rows.append(["为本链提供", display_value("services", bodies[n])])
    return {"h": str(d.get("name", n)), "ty": ty, "rows": rows}


def _node_label(H, n, chain_id, members) -> str:
    d = H.nodes[n]
    label = d["label"]
    name = d.get("name", n)
    if label == "Chain":
        return truncate(name, 30) + (" ★" if d.get("key") else "")
    if label == "District":
        return str(name)
    if label == "Enterprise" and members.get(n, {}).get("role") == "owner":
        return f"{short_name(name, 12)}\n链主"
    return short_name(name, {"Problem": 9, "Indicator": 10}.get(label, 8))


def _edge_info(H, u, v, kind: str, props: list[dict], single: frozenset = frozenset()) -> list[str]:
    lines = [_KIND_ZH[kind]]
    lines.append(f"从：{H.nodes[u].get('name', u)}")
    lines.append(f"到：{H.nodes[v].get('name', v)}")
    if kind == "supplies":
        products = [p.get("product") for p in props if p.get("product")]
        if products:
            lines.append("产品：" + "、".join(map(str, products)))
        shares = [p.get("share") for p in props if p.get("share") is not None]
        if shares:
            lines.append("占比：" + "、".join(f"{s:.0%}" for s in shares))
        if any(p.get("critical") for p in props):
            lines.append("关键供应：是")
        if single:
            named = [str(p) for p in sorted(single, key=str) if p is not None]
            lines.append("唯一供方：是（" + ("、".join(named) if named else "未指明产品") + " 仅此一家供应）")
    elif kind in _SUPPORT_KINDS:
        services = sorted({p["service"] for p in props if p.get("service")})
        lines.append("服务：" + (display_value("services", services) if services else
                                 "未指明（视为机构的全部服务）"))
        statuses = sorted({p["status"] for p in props if p.get("status")})
        if statuses:
            lines.append("状态：" + display_value("status", statuses))
        since = sorted({p["since"] for p in props if p.get("since")})
        if since:
            lines.append("起始：" + "、".join(since))
    elif kind in ("reports", "targets"):
        for p in sorted(props, key=lambda p: p.get("year", 0)):
            lines.append(f"{p.get('year')}：{display_value('value', p.get('value'))}")
    return lines


def _edge_style(G, H, u, v, kind, props, states, single: frozenset = frozenset()) -> dict:
    """vis styling of one merged line; ``single``: the products this supplier alone gives that customer."""
    style: dict[str, Any] = {"width": 1.2}
    services: list[str] = []
    if kind == "supplies":
        critical = any(p.get("critical") for p in props)
        if single:  # a single-source link: the customer has no other supplier of that product
            style.update(color={"color": _COLORS["single"], "opacity": 0.95}, width=3 if critical else 2)
        else:
            style.update(color={"color": _COLORS["critical" if critical else "supplies"], "opacity": 0.9},
                         width=2.6 if critical else 1.3)
    elif kind == "affects":
        st = states.get(u, {}).get("state", "amber")
        style.update(color={"color": PROBLEM_STATES[st]["color"], "opacity": 0.95}, width=2,
                     arrows={"to": {"enabled": True, "scaleFactor": 0.45}})
    elif kind in _SUPPORT_KINDS:
        services = sorted({s for p in props for s in model.link_services(G, u, p)}, key=list(SERVICE_STYLE).index)
        st = _svc(services[0] if services else None)
        ended = not any(model.link_active(p) for p in props)
        style.update(color={"color": st["color"], "opacity": 0.25 if kind == "enables" else (0.45 if ended else 0.85)},
                     width=1 if kind == "enables" else 1.8, dashes=st["dashes"])
    elif kind in ("tackles", "leads"):
        style.update(color={"color": _COLORS["project"], "opacity": 0.7}, width=1.4, dashes=[4, 4])
    elif kind == "applies":
        style.update(color={"color": _COLORS["tool"], "opacity": 0.45}, width=1.1, dashes=[2, 4])
    elif kind in ("reports", "targets"):
        style.update(color={"color": _COLORS["indicator"], "opacity": 0.5}, width=0.8, dashes=[1, 4])
    else:  # district
        style.update(color={"color": "#90cdf4", "opacity": 0.8}, width=1.2, arrows={"to": {"enabled": False}})
    if kind == "supplies":
        # Supply lines are most of a big chain's page: the page writes their tooltip from these few facts.
        style["q"] = {"k": kind, "s": services}
        products = [p.get("product") for p in props if p.get("product")]
        shares = [p.get("share") for p in props if p.get("share") is not None]
        if products:
            style["q"]["p"] = [str(p) for p in products]
        if shares:
            style["q"]["sh"] = shares
        if any(p.get("critical") for p in props):
            style["q"]["cr"] = 1
        if single:  # 1: every product of the line; else the products only this supplier gives
            named = sorted(str(p) for p in single if p is not None)
            style["q"]["ss"] = 1 if named == sorted(style["q"].get("p", [])) else (named or [""])
        return style
    style["q"] = {"k": kind, "s": services, "i": _edge_info(H, u, v, kind, props, single)}
    return style


def _icon(shape: str, fill: str, stroke: str = "#1a202c", dashed: bool = False, r: float = 7) -> str:
    dash = ' stroke-dasharray="2.5 2"' if dashed else ""
    common = f'fill="{fill}" stroke="{stroke}" stroke-width="1.4"{dash}'
    if shape == "dot":
        return f'<circle cx="10" cy="10" r="{r}" {common}/>'
    if shape == "star":
        pts = " ".join(f"{10 + 9 * math.cos(math.pi / 2 + i * math.pi / 5) * (1 if i % 2 == 0 else 0.45):.1f},"
                       f"{10 - 9 * math.sin(math.pi / 2 + i * math.pi / 5) * (1 if i % 2 == 0 else 0.45):.1f}"
                       for i in range(10))
        return f'<polygon points="{pts}" {common}/>'
    if shape == "diamond":
        return f'<polygon points="10,2 18,10 10,18 2,10" {common}/>'
    if shape == "square":
        return f'<rect x="4" y="4" width="12" height="12" {common}/>'
    if shape == "hexagon":
        return f'<polygon points="5,3 15,3 19,10 15,17 5,17 1,10" {common}/>'
    if shape == "tag":
        return f'<rect x="1" y="5" width="18" height="10" rx="2.5" {common}/>'
    if shape == "ellipse":
        return f'<ellipse cx="10" cy="10" rx="9" ry="6" {common}/>'
    if shape == "box":
        return f'<rect x="1" y="4" width="18" height="12" rx="3" {common}/>'
    raise ValueError(shape)


def _legend() -> tuple[list[dict], list[dict]]:
    nodes = [
        {"icon": _icon("star", _COLORS["owner"], _COLORS["owner_border"]), "zh": "链主企业"},
        {"icon": _icon("dot", _COLORS["firm"]), "zh": "大型企业"},
        {"icon": _icon("dot", _COLORS["sme_fill"], "#4a5568", dashed=True, r=5.5), "zh": "中小企业（虚线小点）"},
    ]
    for key, st in PROBLEM_STATES.items():
        nodes.append({"icon": _icon("tag", st["color"], st["dark"]), "zh": "问题：" + st["zh"]})
    for g in BODY_GROUPS[:-1]:
        nodes.append({"icon": _icon("diamond", _svc(g)["color"]), "zh": "机构·" + _svc(g)["zh"]})
    nodes += [
        {"icon": _icon("square", _COLORS["project"]), "zh": "重点攻关项目"},
        {"icon": _icon("hexagon", _COLORS["tool"]), "zh": "质量政策工具"},
        {"icon": _icon("ellipse", "#f7fafc", _COLORS["indicator"]), "zh": "质量指标"},
        {"icon": _icon("box", _COLORS["cluster"], _COLORS["cluster_border"], dashed=True), "zh": "聚合分组（点击展开）"},
    ]
    nodes.insert(3, {"icon": '<circle cx="10" cy="10" r="4.5" fill="#2d3748"/><circle cx="10" cy="10" r="8" '
                             f'fill="none" stroke="{_COLORS["ring"]}" stroke-width="2.2"/>',
                     "zh": "关键企业（介数前列，紫环）"})
    nodes.insert(4, {"icon": '<rect x="1" y="6" width="11" height="8" rx="2" fill="#fefcbf" stroke="#b7791f" '
                             'stroke-width="1"/><circle cx="15" cy="10" r="4" fill="#2d3748"/>',
                     "zh": "企业标签（专精特新等）"})
    edges = [
        {"color": _COLORS["supplies"], "width": 1.5, "dash": None, "zh": "供应（上游→下游）"},
        {"color": _COLORS["critical"], "width": 3, "dash": None, "zh": "关键供应"},
        {"color": _COLORS["single"], "width": 2.2, "dash": None, "zh": "唯一供方供应（橙色）"},
        {"color": PROBLEM_STATES["red"]["color"], "width": 2, "dash": None, "zh": "问题影响企业"},
        {"color": _COLORS["project"], "width": 1.5, "dash": "4 4", "zh": "项目攻关/牵头"},
    ]
    return nodes, edges


_BAND_STYLE = {
    "main": ("rgba(66,153,225,0.055)", "#2c5282"),
    "mid": ("rgba(160,174,192,0.10)", "#4a5568"),
    "bodies": ("rgba(128,90,213,0.045)", "#553c9a"),
    "others": ("rgba(113,128,150,0.06)", "#4a5568"),
}
_GROUP_INK = {"projects": _COLORS["project"], "problems": PROBLEM_STATES["red"]["dark"], "tools": _COLORS["tool"],
              "indicators": "#4a5568", "cases": "#b7791f"}


def _hex_rgba(color: str, alpha: float) -> str:
    color = color.lstrip("#")
    r, g, b = (int(color[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _regions(layout: ChainLayout) -> list[dict]:
    body_keys = set(layout.body_groups.values())
    out = []
    for r in layout.regions:
        item = {"kind": r.kind, "key": r.key, "title": r.title, "x0": r.x0, "y0": r.y0, "x1": r.x1, "y1": r.y1}
        if r.kind == "band":
            item["fill"], item["ink"] = _BAND_STYLE.get(r.key, _BAND_STYLE["others"])
        elif r.kind == "group":
            ink = _svc(r.key)["color"] if r.key in body_keys else _GROUP_INK.get(r.key, "#4a5568")
            item["fill"], item["ink"] = _hex_rgba(ink, 0.07), ink
        else:
            item["ink"] = "#975a16" if r.key == "0" else "#4a5568"  # the owner's column in the owner's gold
        out.append(item)
    return out


# --------------------------------------------------------------------------- the page

def _kpi(numbers, key: str, tone: str | None = None, label: str | None = None) -> dict:
    """A KPI card: the headline number, its one name, and its definition for the hover text."""
    h = headline.HEADLINES[key]
    value = numbers.value(key)
    shown = headline.percent(value) if h.unit == "%" else value
    return {"key": key, "value": shown, "label": label or h.zh, "tone": tone, "definition": h.definition,
            "raw": value}


#: Above this much betweenness work (members × supply arcs) a page does not rank critical suppliers
#: itself, to keep page writing quick (rustworkx does about 2×10⁸ a second here: W38, 3×10⁷, takes
#: 0.1 s); the list says how to get the ranking with ``qmap analyze critical-suppliers``.
CRITICAL_MAX_WORK = 500_000_000
#: Firms ringed as critical suppliers at first (the page lets the analyst choose).
CRITICAL_TOP = 10

#: The in-page lists: analysis → (title, columns as (key, caption, kind), the column a row click focuses).
#: Kinds tell the page how to show a value: id, text, num, svc (service codes), ids, pct, bool, enum:<name>,
#: name:<column> (left out of the rows: the page shows the name of the node that column names).
LISTS: dict[str, tuple[str, tuple[tuple[str, str, str], ...], str]] = {
    "uncovered-problems": ("未覆盖问题", (
        ("problem_id", "问题编号", "id"), ("title", "问题", "text"), ("enterprise_id", "涉及企业编号", "id"),
        ("enterprise_name", "涉及企业", "text"), ("missing", "缺失服务", "svc"), ("severity", "严重程度", "enum:severity"),
        ("status", "状态", "enum:problem_status"), ("impact", "波及下游企业数", "num")), "problem_id"),
    "sme-unsupported": ("无帮扶中小企业", (
        ("enterprise_id", "企业编号", "id"), ("name", "企业名称", "text"), ("size", "规模", "enum:size"),
        ("problems", "未解决问题", "ids"), ("needs", "所需服务", "svc")), "enterprise_id"),
    "support-suggestions": ("供需对接", (
        ("target_kind", "缺口类型", "enum:target_kind"), ("target_id", "缺口编号", "id"), ("target_name", "缺口", "text"),
        ("service", "服务", "svc"), ("rank", "推荐次序", "num"), ("body_id", "机构编号", "id"),
        ("body_name", "推荐机构", "text"), ("reach", "与本链的距离", "enum:reach"),
        ("active_links", "在服务数", "num")), "target_id"),
    "single-source": ("唯一供方", (
        ("customer_id", "需方编号", "id"), ("customer_name", "需方", "name:customer_id"), ("product", "产品", "text"),
        ("supplier_id", "唯一供方编号", "id"), ("supplier_name", "唯一供方", "name:supplier_id"),
        ("share", "供货占比", "pct"),
        ("critical", "关键供应", "bool")), "customer_id"),
    "critical-suppliers": ("关键企业", (
        ("rank", "排名", "num"), ("enterprise_id", "企业编号", "id"), ("name", "企业名称", "text"),
        ("score", "介数", "num")), "enterprise_id"),
}


def _critical_affordable(G: nx.MultiDiGraph, chain_id: str) -> bool:
    return len(chain_members(G, chain_id)) * max(1, len(model.supply_arcs(G, chain_id))) <= CRITICAL_MAX_WORK


def _name(G: nx.MultiDiGraph, node: str | None) -> str | None:
    return None if node is None or node not in G else G.nodes[node].get("name")


def _lists(G: nx.MultiDiGraph, chain_id: str, facts: dict) -> list[dict]:
    """The page's lists: each analysis' rows for this chain (its raw values) plus names, as arrays."""
    records = {
        "uncovered-problems": [dict(r, enterprise_name=_name(G, r["enterprise_id"]), impact=facts["impacts"].count(
            r["problem_id"])) for r in facts["uncovered"]],
        "sme-unsupported": [dict(r, needs=facts["sme_needs"].get(r["enterprise_id"], [])) for r in facts["unsupported"]],
        "support-suggestions": facts["suggestions"],
        "single-source": facts["single"],  # the page fills in the names from its nodes
        "critical-suppliers": facts["critical"] or [],
    }
    out = []
    for key, (title, columns, focus) in LISTS.items():
        item = {"key": key, "zh": title, "cols": [list(c) for c in columns], "focus": focus,
                "rows": [[None if c[2].startswith("name:") else r.get(c[0]) for c in columns] for r in records[key]]}
        if key == "critical-suppliers":
            item["top"] = CRITICAL_TOP
            if facts["critical"] is None:
                item["note"] = ("本链规模较大，页面未计算介数排名；请运行 qmap analyze critical-suppliers --chain "
                                f"{chain_id} 查看。")
        out.append(item)
    return out


def _gap_facts(G: nx.MultiDiGraph, chain_id: str) -> dict:
    """Every fact the page shows about gaps and their remedies, each from its analysis."""
    uncovered = analyses.to_records(analyses.uncovered_problems(G, chain_id))
    unsupported = analyses.to_records(analyses.sme_unsupported(G, chain_id))
    suggestions = analyses.to_records(analyses.support_suggestions(G, chain_id))
    sme_needs: dict[str, list[str]] = defaultdict(list)
    for kind, target, service in analyses.support_targets(G, chain_id):
        if kind == "enterprise":
            sme_needs[target].append(service)
    critical = (analyses.to_records(analyses.critical_suppliers(G, chain_id))
                if _critical_affordable(G, chain_id) else None)
    return {"uncovered": uncovered, "unsupported": unsupported, "suggestions": suggestions,
            "sme_needs": dict(sme_needs), "single": analyses.to_records(analyses.single_source(G, chain_id)),
            "critical": critical, "impacts": analyses.problem_impacts(G, chain_id)}


def _filter_options(counts: dict, order=None, words: dict | None = None) -> list[dict]:
    keys = list(order) if order is not None else sorted(counts, key=lambda k: (k == "", str(k)))
    return [{"key": k, "zh": (words or {}).get(k, k) or "未填写", "count": counts[k]} for k in keys if counts.get(k)]


def _build(G: nx.MultiDiGraph, chain_id: str, overview_href: str | None, aggregate: bool | None) -> _QmapNetwork:
    H = chain_subgraph(G, chain_id)
    layout = chain_layout(H, chain_id, aggregate=aggregate)
    members = chain_members(H, chain_id)
    states = _problem_states(G, chain_id)
    bodies = model.chain_bodies(G, chain_id)
    support = analyses.sme_support(G, chain_id)
    numbers = headline.chain_numbers(G, chain_id)
    facts = _gap_facts(G, chain_id)
    impacts = facts["impacts"]
    problems_of: dict[str, list[str]] = defaultdict(list)
    affected: dict[str, str] = {}
    for p in sorted(states):
        firm = impacts.firm(p)
        if firm is not None and firm in H:
            affected[p] = firm
            problems_of[firm].append(p)
    # The page walks the impact path itself over its supply lines (a chain of 20,000 firms would
    # need every problem's whole downstream in the page); the counts shown come from the analysis.
    impact_size = {p: [impacts.count(p), impacts.farthest(p)] for p in affected}
    gap_problems = {r["problem_id"]: r["missing"] for r in facts["uncovered"]}
    gap_smes = {r["enterprise_id"]: facts["sme_needs"].get(r["enterprise_id"], []) for r in facts["unsupported"]}
    gap_firms = sorted({affected[p] for p in gap_problems if p in affected})
    gaps = sorted(set(gap_problems) | set(gap_firms) | set(gap_smes))
    suggest: dict[str, list[list]] = defaultdict(list)
    for r in facts["suggestions"]:
        suggest[r["target_id"]].append([r["service"], r["rank"], r["body_id"], r["reach"], r["active_links"]])
    single: dict[tuple[str, str], set] = defaultdict(set)
    for r in facts["single"]:
        single[(r["supplier_id"], r["customer_id"])].add(r["product"])
    critical = [[r["enterprise_id"], r["score"], r["rank"]] for r in (facts["critical"] or []) if r["score"] > 0][:200]
    cluster_of = layout.cluster_of

    info: dict[str, dict] = {}
    counts = defaultdict(int)
    service_counts = defaultdict(int)
    firm_counts: dict[str, Counter] = {"d": Counter(), "z": Counter(), "tr": Counter(), "tg": Counter()}
    tags_of: dict[str, list[str]] = {}
    pyvis_nodes = []
    for n in sorted(H):
        d = H.nodes[n]
        label = d["label"]
        ntype = _TYPE_OF_LABEL.get(label, "chain")
        counts[ntype] += 1
        q: dict[str, Any] = {"t": ntype, "n": short_name(d.get("name", n), 200)}
        if label == "Enterprise":
            role = members.get(n, {}).get("role")
            group = "owner" if role == "owner" else ("sme" if model.is_sme(H, n) else "firm")
            if role == "owner":
                q["o"] = 1
            q["d"] = d.get("district") or ""
            q["z"] = d.get("size") or ""
            if n in layout.columns:
                q["tr"] = f"{layout.bands.get(n, 'main')}:{layout.columns[n]}"
            tags = model.firm_tags(H, n)
            if tags:
                q["tg"] = tags_of[n] = tags
            for key in ("d", "z", "tr"):
                if key in q:
                    firm_counts[key][q[key]] += 1
            for tag in tags or [""]:
                firm_counts["tg"][tag] += 1
        elif label == "SupportBody":
            key = layout.body_groups.get(n, "other")
            group = f"body-{key.split('+')[0]}"
            q["s"] = list(bodies.get(n) or ["other"])
            for s in q["s"]:
                service_counts[s] += 1
        elif label == "Problem":
            q["st"] = states.get(n, {}).get("state", "amber")
            q["n"] = short_name(d.get("title") or d.get("name", n), 200)
            group = f"problem-{q['st']}"
        else:
            group = {"Project": "project", "PolicyTool": "tool", "Indicator": "indicator", "Chain": "chain",
                     "District": "district", "Case": "case"}.get(label, "tool")
            if label in ("Chain", "District"):
                q["fix"] = 1  # titles keep their size and text
        x, y = layout.positions[n]
        options: dict[str, Any] = {"group": group, "x": round(x, 1), "y": round(y, 1), "q": q}
        if label == "Problem":
            if d.get("severity") == "high":  # a heavier border, not a bigger font: tags keep one size
                options["borderWidth"] = 2.5
        if label == "SupportBody" and "+" in layout.body_groups.get(n, ""):
            # A body giving this chain several services: filled in its first service's colour,
            # ringed in its second's, so it is never drawn as a service it does not give.
            second = _svc(layout.body_groups[n].split("+")[1])["color"]
            options["color"] = {"background": _svc(group[5:])["color"], "border": second,
                                "highlight": {"background": _svc(group[5:])["color"], "border": "#000000"},
                                "hover": {"background": _svc(group[5:])["color"], "border": "#000000"}}
            options["borderWidth"] = 3.5
        if n in cluster_of:
            q["cl"] = cluster_of[n]
        pyvis_nodes.append(Node(n, "dot", label=_node_label(H, n, chain_id, members), **options).options)
        info[n] = _node_info(G, H, n, chain_id, members, states, problems_of, bodies)
        if n in support:
            helpers = support[n]
            info[n]["rows"].append(["帮扶机构", "、".join(f"{H.nodes[b].get('name', b)}（{b}）" if b in H else b
                                                        for b in helpers) if helpers else "无帮扶"])
    for node in pyvis_nodes:  # shape comes from the group
        node.pop("shape", None)
    # Titles and the chain's name grow with the drawing, so they stay legible on a big chain's overview.
    ex0, ey0, ex1, ey1 = layout.extent
    text_scale = round(min(12.0, max(1.0, max(ex1 - ex0, ey1 - ey0) / 2600)), 2)
    for node in pyvis_nodes:
        if node.get("group") in ("chain", "district"):
            node["font"] = {"size": round((22 if node["group"] == "chain" else 16) * text_scale)}
        elif node.get("group") == "owner" and text_scale > 1:  # the owner stands out on a big chain's overview
            node["size"] = round(27 * text_scale)

    gap_set = set(gaps)
    cluster_meta = []
    for c in layout.clusters:
        n_gaps = sum(1 for m in c.members if m in gap_set and H.nodes[m]["label"] == "Problem")
        n_firms = sum(1 for m in c.members if H.nodes[m]["label"] == "Enterprise")
        mtype = _TYPE_OF_LABEL.get(H.nodes[c.members[0]]["label"], "firm")
        what = f"{n_firms} 家企业" if n_firms else f"{len(c.members)} 个{NODE_TYPES[mtype][0]}"
        lines = [c.title, what + (f" · {n_gaps} 个缺口" if n_gaps else ""), "▸ 点击展开"]
        services = sorted({s for m in c.members for s in bodies.get(m, ())}) if mtype == "body" else []
        x0, y0, x1, y1 = c.box
        w, h = max(x1 - x0, 200.0), max(y1 - y0, 120.0)
        size = max(18.0, min(220.0, min(w / 7, h / 4)))  # the block fills the area its members will take
        pyvis_nodes.append(Node(c.id, "box", label="\n".join(lines), group="cluster", x=round(c.x, 1), y=round(c.y, 1),
                                widthConstraint={"minimum": round(w * 0.92), "maximum": round(w * 0.92)},
                                heightConstraint={"minimum": round(h * 0.86), "valign": "middle"},
                                font={"size": round(size)}, q={"t": mtype, "c": True, "s": services}).options)
        pyvis_nodes[-1].pop("shape", None)
        cluster_meta.append({"id": c.id, "title": c.title, "members": c.members, "gaps": n_gaps})

    # Edges: parallel relationships of one type between two nodes become one line.
    merged: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for u, v, d in H.edges(data=True):
        if d["type"] not in PLACED_BY_LAYOUT:
            merged[(u, v, REL_KIND[d["type"]])].append(d)
    pyvis_edges = []
    for i, ((u, v, kind), props) in enumerate(sorted(merged.items(), key=lambda kv: kv[0])):
        ss = frozenset(single.get((u, v), ())) if kind == "supplies" else frozenset()
        style = _edge_style(G, H, u, v, kind, props, states, ss)
        pyvis_edges.append(Edge(u, v, directed=True, id=f"e{i}", **style).options)

    # The bodies a page can point at: those drawn, and those suggested from elsewhere in the city.
    body_meta = {}
    for b in sorted({b for b in H if H.nodes[b]["label"] == "SupportBody"} | {s[2] for v in suggest.values() for s in v}):
        body_meta[b] = {"h": G.nodes[b].get("name", b), "s": list(G.nodes[b].get("services", ())), "in": b in H,
                        "serves": sorted({v for v, _, _ in model.body_links(G, b, active_only=True) if v in H}),
                        "enables": model.body_chains(G, b)}

    chain_node = H.nodes[chain_id]
    state_counts = defaultdict(int)
    for st in states.values():
        state_counts[st["state"]] += 1
    kpis = [_kpi(numbers, "members"), _kpi(numbers, "smes"), _kpi(numbers, "bodies"),
            _kpi(numbers, "uncovered", "red", "未解决·缺服务"), _kpi(numbers, "covered", "amber", "未解决·已覆盖"),
            _kpi(numbers, "resolved", "green"), _kpi(numbers, "coverage")]
    type_icons = {"firm": _icon("dot", _COLORS["firm"]), "body": _icon("diamond", _svc("testing")["color"]),
                  "problem": _icon("tag", PROBLEM_STATES["red"]["color"], PROBLEM_STATES["red"]["dark"]),
                  "project": _icon("square", _COLORS["project"]), "tool": _icon("hexagon", _COLORS["tool"]),
                  "indicator": _icon("ellipse", "#f7fafc", _COLORS["indicator"]),
                  "case": _icon("box", "#fefcbf", "#b7791f")}
    type_filters = [{"key": k, "zh": zh, "count": counts[k], "icon": type_icons[k]} for k, (zh, _) in NODE_TYPES.items()]
    # Services offered by bodies of this chain or named on its links, in display order.
    link_services = {s for e in pyvis_edges for s in e["q"]["s"]}
    service_keys = [s for s in (*SERVICE_STYLE, "other") if s in service_counts or s in link_services]
    service_filters = [{"key": s, "zh": _svc(s)["zh"], "color": _svc(s)["color"], "dash": _dash_css(_svc(s)["dashes"]),
                        "count": service_counts.get(s, 0)} for s in service_keys]
    status_filters = [{"key": k, "zh": st["zh"], "color": st["color"], "count": state_counts[k]}
                      for k, st in PROBLEM_STATES.items()]
    size_words = dict(ENUMS["size"].values)
    tier_keys = sorted(firm_counts["tr"], key=lambda k: (int(k.split(":")[1]), k.split(":")[0] != "main"))
    firm_filters = [
        {"kind": "district", "zh": "所在区", "options": _filter_options(firm_counts["d"])},
        {"kind": "size", "zh": "规模", "options": _filter_options(firm_counts["z"], [*ENUMS["size"].codes, ""],
                                                                 size_words)},
        {"kind": "tier", "zh": "层级", "options": _filter_options(
            firm_counts["tr"], tier_keys, {k: tier_title(k.split(":")[0], int(k.split(":")[1])) for k in tier_keys})},
        {"kind": "tag", "zh": "企业标签", "options": _filter_options(
            firm_counts["tg"], sorted((t for t in firm_counts["tg"] if t), key=str) + [""], {"": "无标签"})},
    ]
    firm_filters = [f for f in firm_filters if len(f["options"]) > 1 or (f["kind"] == "tag" and tags_of)]
    legend_nodes, legend_edges = _legend()
    legend_edges += [{"color": _svc(s)["color"], "width": 2, "dash": _dash_css(_svc(s)["dashes"]),
                      "zh": "赋能·" + _svc(s)["zh"]} for s in SERVICE_STYLE]

    meta = {
        "chain": chain_id,
        "chainName": chain_node.get("name", chain_id),
        "font": FONT_STACK,
        "typeKeys": list(NODE_TYPES),
        "serviceKeys": list(SERVICE_STYLE) + ["other"],
        "statusKeys": list(PROBLEM_STATES),
        "stateZh": {k: v["zh"] for k, v in PROBLEM_STATES.items()},
        "stateColor": {k: v["color"] for k, v in PROBLEM_STATES.items()},
        "serviceZh": {**{k: v["zh"] for k, v in SERVICE_STYLE.items()}, "other": _svc("other")["zh"]},
        "enums": {"size": size_words, "severity": dict(ENUMS["severity"].values),
                  "problem_status": dict(ENUMS["problem_status"].values),
                  "target_kind": {"problem": "质量问题", "enterprise": "中小企业"},
                  "reach": {k: v for k, v in analyses.SUGGESTION_REACH.items()}},
        "kindZh": _KIND_ZH,
        "info": info,
        "affected": affected,
        "impactSize": impact_size,
        "problemsOf": dict(problems_of),
        "gaps": gaps,
        "gap": {"problems": gap_problems, "smes": gap_smes, "firms": gap_firms},
        "suggest": dict(suggest),
        "bodies": body_meta,
        "critical": critical,
        "lists": _lists(G, chain_id, facts),
        "tierZh": {k: tier_title(k.split(":")[0], int(k.split(":")[1])) for k in tier_keys},
        "budget": {"firm": FIRM_LABEL_W, "problem": TAG_W - 16, "item": 130, "tagDy": 26, "rowH": 50},
        "colors": {"ring": _COLORS["ring"], "single": _COLORS["single"], "gap": PROBLEM_STATES["red"]["color"]},
        "clusters": cluster_meta,
        "regions": _regions(layout),
        "textScale": text_scale,
        "empty": not members,
    }
    import pyvis

    from .. import __version__

    context = {
        "chain": {"id": chain_id, "name": chain_node.get("name", chain_id), "key": chain_node.get("key"),
                  "district": chain_node.get("district"), "leader": chain_node.get("leader"),
                  "industry": chain_node.get("industry")},
        "kpis": kpis, "type_filters": type_filters, "service_filters": service_filters,
        "status_filters": status_filters, "firm_filters": firm_filters, "gap_count": len(gap_problems),
        "sme_gap_count": len(gap_smes), "clusters": cluster_meta, "lists": [(i["key"], i["zh"]) for i in meta["lists"]],
        "legend": legend_nodes, "edge_legend": legend_edges, "meta": meta, "overview_href": overview_href,
        "version": __version__, "pyvis_version": getattr(pyvis, "__version__", "0.3"),
        "vis_version": assets.VIS_VERSION, "generated": dt.date.today().isoformat(),
        "source": G.graph.get("source") or "",
        "vis_css": assets.vis_network_css(), "vis_js": assets.vis_network_js(),
        "app_css": assets.asset_text("maps.css"), "app_js": assets.asset_text("chain_map.js"),
    }
    net = _QmapNetwork(context)
    net.nodes = pyvis_nodes
    net.node_ids = [node["id"] for node in pyvis_nodes]
    net.node_map = {node["id"]: node for node in pyvis_nodes}
    net.edges = pyvis_edges
    net.options = _options(len(pyvis_nodes), len(pyvis_edges))
    return net


def chain_map_html(G: nx.MultiDiGraph, chain_id: str, *, overview_href: str | None = None,
                   aggregate: bool | None = None) -> str:
    """The map page of one chain as a string (self-contained, offline, with its CSP).

    ``G`` is the whole model (:func:`graphmodel.model.build_graph`); the chain's part is
    cut out with :func:`graphmodel.model.chain_subgraph`. ``overview_href`` adds a link
    back to the city overview. ``aggregate``: None decides by size
    (:data:`graphmodel.maps.layout.AGGREGATE_ABOVE`), True/False forces it.
    Raises :class:`graphmodel.model.UnknownIdError` (a KeyError) for an unknown chain id.
    """
    return assets.finalize_page(_build(G, chain_id, overview_href, aggregate).generate_html())


def write_chain_map(G: nx.MultiDiGraph, chain_id: str, path: str | Path, *, overview_href: str | None = None,
                    aggregate: bool | None = None, force: bool = True) -> Path:
    """Write one chain's map to ``path`` (atomically) and return the path.

    ``path`` is the caller's choice, so an existing file there is replaced unless
    ``force=False`` (the graph's own source file never is).

    >>> write_chain_map(G, "SH01", "/tmp/SH01.html")   # doctest: +SKIP
    PosixPath('/tmp/SH01.html')
    """
    html = chain_map_html(G, chain_id, overview_href=overview_href, aggregate=aggregate)
    return write_file(path, html, force=force, inputs=graph_inputs(G))
