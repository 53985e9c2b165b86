"""Positions for a chain map, computed in Python so the browser never runs physics.

The map reads left to right: upstream tiers, the chain owner, downstream tiers. Each
member enterprise gets a *column* (``-t`` for upstream tier *t*, ``0`` for the owner,
``+t`` for downstream tier *t*); where a tier is missing, or for midstream firms
(whose tier says little about where goods flow), the column comes from the
topological generation of the chain's SUPPLIES graph relative to the owner.
Horizontal *bands*, top to bottom:

* the chain itself (title node and its district);
* support bodies, grouped by the services each gives *this* chain
  (:func:`graphmodel.model.chain_bodies`: metrology, standards, testing, certification,
  quality management, training; a body giving two services sits in their joint group);
* the main flow (owner, upstream and downstream firms), each problem drawn just right
  of the enterprise it affects;
* midstream firms (中游), in the same columns;
* projects, chain-wide problems, policy tools and indicators, each near the nodes it
  concerns.

Within a column, firms are ordered by the barycentre of their suppliers and customers
(a few sweeps) so that supply arrows cross less. Columns with many firms wrap into
several sub-columns. Problem tags sit in their own strip right of the firm's label
(:data:`FIRM_LABEL_W`, :data:`TAG_W`), so a tag never covers a firm's name.

When a chain is too big to read drawn in full, cells with many nodes become *clusters*
(one node standing for the cell) that the page expands on click; a big cell whose firms
fall into a few main products is split by product (上游 第1层 · 晶圆), each product group
taking its own rows of the cell, so expanding one group shows it as a block of its own.
Every step is linear in the chain (or n log n), so a chain of 20,000 firms lays out in
seconds.

The layout sits below both the map pages (:mod:`graphmodel.maps`) and the static
diagrams (:mod:`graphmodel.export`), so a picture in a report looks like the map.

>>> from graphmodel.model import chain_subgraph
>>> layout = chain_layout(chain_subgraph(G, "SH01"), "SH01")   # doctest: +SKIP
>>> layout.positions["SH01-E001"], layout.columns["SH01-E001"]  # doctest: +SKIP
((0.0, 0.0), 0)
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import networkx as nx

from . import model
from .schema import ENUMS
from .style import SERVICE_STYLE, body_group_key, body_group_title

__all__ = [
    "ChainLayout",
    "Region",
    "Cluster",
    "chain_layout",
    "supply_columns",
    "tier_title",
    "FIRM_LABEL_W",
    "TAG_W",
    "body_groups",
    "BODY_GROUPS",
    "AGGREGATE_ABOVE",
    "CLUSTER_MIN",
    "GROUP_CLUSTER_MIN",
]

#: A chain whose map would hold more nodes than this is drawn aggregated: every cell
#: (a band × column of firms, a pillar group of bodies, a row of the bottom band) of
#: more than :data:`CLUSTER_MIN` nodes starts collapsed into one cluster node.
AGGREGATE_ABOVE = 600
CLUSTER_MIN = 60
#: In an aggregated map, groups of bodies, projects, tools or indicators collapse from this size
#: (their links to collapsed tiers would otherwise fan out as hundreds of lines).
GROUP_CLUSTER_MIN = 12

#: A big cell (aggregated map) is split by product when each group would still be a cluster.
PRODUCT_GROUPS_MAX = 8

#: The single-service body groups, in display order: the four NQI pillars, then the other
#: services; joint groups (``metrology+testing``) sort after their first service's group.
BODY_GROUPS = tuple(SERVICE_STYLE) + ("other",)

# Geometry, in canvas pixels at zoom 1.
ROWS_RANGE = (8, 160)  # firms per sub-column before a column wraps (chosen to suit a screen's shape)
ASPECT = 1.45  # width / height the map aims at (a laptop screen beside the side panel)
ROW_H = 50  # vertical pitch of firms
TAG_DY = 26  # vertical pitch of the problem tags beside a firm
FIRM_LABEL_W = 112  # the widest a firm's label may be (8 CJK characters at the map's 14 px)
TAG_W = 140  # the widest a problem tag may be, its margins included
TAG_GAP = 10  # between a firm's label and its tags, and between the tags and the next firm's label
TAG_DX = FIRM_LABEL_W / 2 + TAG_GAP + TAG_W / 2  # problem tags' centres sit this far right of their firm
SLOT_W = 140  # width of a sub-column of firms without problems
SLOT_W_TAGS = TAG_DX + TAG_W / 2 + TAG_GAP + FIRM_LABEL_W / 2  # ... and with problem tags beside them
COLUMN_GAP = 64
BAND_GAP = 110
HEADER_H = 52  # room for a band's or column's title
GROUP_TITLE_H = 38
ITEM_W, ITEM_H = 150, 74  # pitch of bodies, projects, tools and indicators in their groups
GROUP_GAP = 40
GROUP_COLS_MAX = 8


@dataclass
class Region:
    """A titled rectangle drawn behind the nodes (band, column header, pillar group)."""

    kind: str  # "band" | "column" | "group"
    key: str
    title: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class Cluster:
    """Nodes shown collapsed into one node until the analyst expands them."""

    id: str
    title: str
    members: list[str]
    x: float
    y: float
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # the area its members fill when expanded


@dataclass
class ChainLayout:
    """Where each node goes and the decorations drawn behind them."""

    positions: dict[str, tuple[float, float]]
    columns: dict[str, int]  # member enterprise → column (negative: upstream)
    bands: dict[str, str]  # node → band key
    regions: list[Region] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    body_groups: dict[str, str] = field(default_factory=dict)  # body → group key
    problem_firm: dict[str, str] = field(default_factory=dict)  # problem → enterprise it is drawn beside

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of everything drawn: nodes and regions."""
        xs = [p[0] for p in self.positions.values()] + [v for r in self.regions for v in (r.x0, r.x1)]
        ys = [p[1] for p in self.positions.values()] + [v for r in self.regions for v in (r.y0, r.y1)]
        return (min(xs), min(ys), max(xs), max(ys)) if xs else (0.0, 0.0, 0.0, 0.0)

    @property
    def cluster_of(self) -> dict[str, str]:
        return {m: c.id for c in self.clusters for m in c.members}


def body_groups(H: nx.MultiDiGraph, chain_id: str) -> dict[str, str]:
    """Body → its group key on the chain's map: the services it gives this chain
    (:func:`graphmodel.model.chain_bodies`), e.g. ``testing`` or ``metrology+testing``."""
    return {b: body_group_key(services) for b, services in model.chain_bodies(H, chain_id).items()}


def _group_order(key: str) -> tuple:
    parts = key.split("+")
    return tuple(BODY_GROUPS.index(p) if p in BODY_GROUPS else len(BODY_GROUPS) for p in parts)


def _generations(S: nx.DiGraph) -> dict[str, int]:
    """Topological generation of each node; a supply cycle is one generation (its SCC)."""
    C = nx.condensation(S)
    gen_of_scc = {scc: i for i, layer in enumerate(nx.topological_generations(C)) for scc in layer}
    return {n: gen_of_scc[C.graph["mapping"][n]] for n in S}


def supply_columns(H: nx.MultiDiGraph, chain_id: str, members: dict[str, dict],
                   S: nx.DiGraph | None = None) -> dict[str, int]:
    """Column of each member: from its role and tier, else from the SUPPLIES graph.

    Owner → 0; upstream tier *t* → -t; downstream tier *t* → +t. Upstream or downstream
    firms without a tier get their hop count to (from) the owner, midstream firms the
    topological generation of the supply graph minus the owner's. ``S``: the chain's
    :func:`graphmodel.model.supply_graph`, when the caller has it already.
    """
    S = model.supply_graph(H, chain_id) if S is None else S
    owner = next((m for m in sorted(members) if members[m].get("role") == "owner"), None)
    gens = _generations(S) if len(S) else {}
    ref = gens.get(owner, 0) if owner is not None else (min(gens.values()) if gens else 0)
    to_owner = dict(nx.single_target_shortest_path_length(S, owner)) if owner in S else {}
    from_owner = dict(nx.single_source_shortest_path_length(S, owner)) if owner in S else {}

    columns: dict[str, int] = {}
    for m in sorted(members):
        role, tier = members[m].get("role"), members[m].get("tier")
        tier = int(tier) if isinstance(tier, (int, float)) and tier == tier else None  # 2.0 from a blank-holed column
        gen = gens.get(m, ref) - ref
        if m == owner:
            columns[m] = 0
        elif role == "upstream":
            columns[m] = -tier if tier else -(to_owner.get(m) or max(1, -gen))  # tier 0/None: not a tier
        elif role == "downstream":
            columns[m] = tier if tier else (from_owner.get(m) or max(1, gen))
        else:
            columns[m] = gen
    return columns


def _order_cells(cells: dict[tuple[str, int], list[str]], S: nx.DiGraph, sweeps: int = 4) -> None:
    """Reorder each cell's firms in place by the barycentre of their neighbours (fewer crossings)."""
    pos: dict[str, float] = {}
    neighbours = {n: [m for m in list(S.predecessors(n)) + list(S.successors(n)) if m != n]
                  for items in cells.values() if len(items) > 1 for n in items if n in S}

    def refresh(key):
        items = cells[key]
        for i, n in enumerate(items):
            pos[n] = (i + 0.5) / len(items)

    for key in cells:
        refresh(key)
    keys = sorted(cells, key=lambda k: (k[1], k[0]))
    for sweep in range(sweeps):
        for key in (keys if sweep % 2 == 0 else reversed(keys)):
            items = cells[key]
            if len(items) < 2:
                continue
            score = {}
            for n in items:
                nbrs = [pos[m] for m in neighbours.get(n, ()) if m in pos]
                score[n] = sum(nbrs) / len(nbrs) if nbrs else pos[n]
            items.sort(key=lambda n: (score[n], pos[n]))
            refresh(key)


def _mean(values, default: float) -> float:
    values = list(values)
    return sum(values) / len(values) if values else default


def _cell_geometry(sizes: list[int], most: int, rows_max: int) -> tuple[int, int, float, float]:
    """(sub-columns, rows, row pitch, slot width) of one cell of firms.

    ``sizes``: the cell's groups (one, or its product groups, each starting a new row);
    ``most``: the most problem tags beside one firm of the cell.
    """
    ncols = max(1, math.ceil(sum(sizes) / rows_max))
    nrows = sum(math.ceil(n / ncols) for n in sizes)
    row_h = max(ROW_H, 62 + (most - 1) * TAG_DY) if most else ROW_H
    return ncols, nrows, row_h, (SLOT_W_TAGS if most else SLOT_W)


def _pick_rows(shapes: dict, n_extra: int) -> int:
    """How many firms a sub-column holds: the value whose map shape is closest to :data:`ASPECT`.

    ``shapes``: cell → (group sizes, most tags), as :func:`_cell_geometry` takes them.
    """
    if not shapes:
        return ROWS_RANGE[0]
    extra_h = 2 * (HEADER_H + GROUP_TITLE_H + ITEM_H) + 2 * BAND_GAP + 90 + ITEM_H * max(0, n_extra // 40)
    cols = sorted({c for _, c in shapes})
    bands = sorted({b for b, _ in shapes})
    best = None
    for rows in range(ROWS_RANGE[0], ROWS_RANGE[1] + 1):
        geo = {k: _cell_geometry(sizes, most, rows) for k, (sizes, most) in shapes.items()}
        col_w: dict[int, float] = defaultdict(float)
        band_h: dict[str, float] = defaultdict(float)
        for (band, c), g in geo.items():
            col_w[c] = max(col_w[c], g[0] * g[3])
            band_h[band] = max(band_h[band], g[1] * g[2])
        width = sum(col_w[c] for c in cols) + COLUMN_GAP * len(cols)
        height = extra_h + sum(HEADER_H + band_h[b] for b in bands)
        score = abs(math.log(width / height / ASPECT))
        if best is None or score < best[0] - 1e-9:
            best = (score, rows)
    return best[1]


def _main_products(H: nx.MultiDiGraph, chain_id: str) -> dict[str, str]:
    """Firm → the product it supplies most in the chain (else the one it buys most), for grouping."""
    sold: dict[str, Counter] = defaultdict(Counter)
    bought: dict[str, Counter] = defaultdict(Counter)
    for u, v, d in model.chain_supplies(H, chain_id):
        product = d.get("product")
        if product is not None:
            sold[u][str(product)] += 1
            bought[v][str(product)] += 1
    out = {}
    for firm in set(sold) | set(bought):
        counts = sold.get(firm) or bought[firm]
        out[firm] = min(counts, key=lambda p: (-counts[p], p))
    return out


def _product_groups(items: list[str], product_of: dict[str, str]) -> list[tuple[str, list[str]]] | None:
    """A big cell's firms split by main product, when that gives 2+ groups each big enough to be a
    cluster; firms of smaller products pool under 其他产品. None when the products do not group them."""
    counts = Counter(product_of[m] for m in items if m in product_of)
    big = [p for p, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if n > CLUSTER_MIN]
    big = big[:PRODUCT_GROUPS_MAX]
    if len(big) < 2:
        return None
    groups = [(p, [m for m in items if product_of.get(m) == p]) for p in big]
    rest = [m for m in items if product_of.get(m) not in big]
    if rest:
        groups.append(("", rest))
    return groups


def _tag_offsets(n: int) -> list[float]:
    """y offsets of ``n`` problem tags beside a firm: stacked up from just above its supply lines."""
    return [-20 - (n - 1 - j) * TAG_DY for j in range(n)]


def _grid_groups(groups: list[tuple[str, str, list[str]]], top: float, centre_x: float, want_x: dict[str, float],
                 positions: dict, regions: list, band_key: str, band_title: str, area: tuple[float, float],
                 fill: float = 0.0):
    """Lay ``groups`` of nodes side by side as grids under ``top``; return the band's bottom.

    ``fill`` > 0 spreads the items so the groups span that share of the firms' width (an
    aggregated map, where the groups show as cluster blocks as big as the tiers').
    """
    item_w, item_h = ITEM_W, ITEM_H
    shapes = []
    for key, title, items in groups:
        items = sorted(items, key=lambda n: (want_x.get(n, centre_x), n))
        n = len(items)
        ncols = n if n <= 4 else min(GROUP_COLS_MAX, max(4, math.ceil(math.sqrt(2.5 * n))))
        shapes.append((key, title, items, ncols, math.ceil(n / ncols)))
    if fill:
        natural = sum(s[3] * ITEM_W + GROUP_GAP for s in shapes)
        grow = max(1.0, fill * (area[1] - area[0]) / natural)
        item_w, item_h = ITEM_W * grow, ITEM_H * grow
    total_w = sum(s[3] * item_w for s in shapes) + GROUP_GAP * (len(shapes) - 1)
    max_rows = max(s[4] for s in shapes)
    gx = centre_x - total_w / 2
    gy0 = top + HEADER_H
    for key, title, items, ncols, nrows in shapes:
        for i, node in enumerate(items):
            r, k = divmod(i, ncols)
            positions[node] = (gx + (k + 0.5) * item_w, gy0 + GROUP_TITLE_H + (r + 0.5) * item_h)
        regions.append(Region("group", key, title, gx, gy0, gx + ncols * item_w, gy0 + GROUP_TITLE_H + nrows * item_h))
        gx += ncols * item_w + GROUP_GAP
    bottom = gy0 + GROUP_TITLE_H + max_rows * item_h + 24
    regions.append(Region("band", band_key, band_title, min(area[0], centre_x - total_w / 2) - 60, top,
                          max(area[1], centre_x + total_w / 2) + 60, bottom))
    return bottom


def chain_layout(H: nx.MultiDiGraph, chain_id: str, aggregate: bool | None = None) -> ChainLayout:
    """Positions and decorations for the map of one chain.

    ``H`` is the chain's graph (:func:`graphmodel.model.chain_subgraph`). ``aggregate``
    None means "when the chain has more than :data:`AGGREGATE_ABOVE` nodes". Every node
    of ``H`` gets a position; the layout is deterministic (ids break every tie).
    """
    if aggregate is None:
        aggregate = H.number_of_nodes() > AGGREGATE_ABOVE
    label = {n: d.get("label") for n, d in H.nodes(data=True)}
    members = model.chain_members(H, chain_id)
    S = model.supply_graph(H, chain_id)
    columns = supply_columns(H, chain_id, members, S)
    bands: dict[str, str] = {m: ("mid" if members[m].get("role") == "midstream" else "main") for m in members}

    # Problems are tags beside the firm they affect; chain-wide ones go to the bottom band.
    problem_firm: dict[str, str] = {}
    for n in sorted(n for n in H if label[n] == "Problem"):
        firm = model.problem_firm(H, n)
        if firm is not None and firm in members:
            problem_firm[n] = firm
    problems_of: dict[str, list[str]] = defaultdict(list)
    for p, firm in problem_firm.items():
        problems_of[firm].append(p)

    size_rank = {code: i for i, code in enumerate(ENUMS["size"].codes)}
    cells: dict[tuple[str, int], list[str]] = defaultdict(list)
    data = dict(H.nodes(data=True))
    for m in sorted(members, key=lambda m: (size_rank.get(data[m].get("size"), 9), str(data[m].get("name")), m)):
        cells[(bands[m], columns[m])].append(m)
    _order_cells(cells, S)

    # Big cells of an aggregated map split by product: each group keeps the barycentre order and
    # starts a new row, so its rows form a block that collapses into one cluster.
    split: dict[tuple[str, int], list[tuple[str, list[str]]]] = {}
    if aggregate:
        product_of = None
        for key, items in cells.items():
            if len(items) > 2 * CLUSTER_MIN:
                product_of = _main_products(H, chain_id) if product_of is None else product_of
                groups = _product_groups(items, product_of)
                if groups:
                    split[key] = groups
                    cells[key] = [m for _, group in groups for m in group]

    # Cell geometry: sub-columns, row pitch, slot width; the wrap height suits the screen.
    shapes = {key: ([len(g) for _, g in split[key]] if key in split else [len(items)],
                    max((len(problems_of[m]) for m in items), default=0)) for key, items in cells.items()}
    rows_max = _pick_rows(shapes, n_extra=H.number_of_nodes() - len(members))
    geometry: dict[tuple[str, int], tuple[int, int, float, float]] = {}
    for key, (sizes, most) in shapes.items():
        geometry[key] = _cell_geometry(sizes, most, rows_max)
    group_box: dict[tuple[str, int, int], tuple[float, float, float, float]] = {}

    col_ids = sorted({c for _, c in cells} | {0})
    width = {c: max([geometry[k][0] * geometry[k][3] for k in cells if k[1] == c] or [SLOT_W]) for c in col_ids}
    col_x: dict[int, float] = {}
    x = 0.0
    for c in col_ids:
        col_x[c] = x + width[c] / 2
        x += width[c] + COLUMN_GAP
    shift = col_x[0]
    col_x = {c: v - shift for c, v in col_x.items()}
    area = (col_x[col_ids[0]] - width[col_ids[0]] / 2, col_x[col_ids[-1]] + width[col_ids[-1]] / 2)
    centre_x = (area[0] + area[1]) / 2

    positions: dict[str, tuple[float, float]] = {}
    regions: list[Region] = []
    cell_box: dict[tuple[str, int], tuple[float, float, float, float]] = {}

    def place_band(band: str, top: float) -> float:
        """Place one band of firms (and their problem tags) from ``top``; return its bottom."""
        keys = [k for k in cells if k[0] == band]
        height = max(geometry[k][1] * geometry[k][2] for k in keys)
        mid_y = top + HEADER_H + height / 2
        for key in keys:
            ncols, nrows, row_h, slot = geometry[key]
            x0 = col_x[key[1]] - ncols * slot / 2
            y0 = mid_y - nrows * row_h / 2
            # A firm sits mid-slot, or (with tags) at the slot's left: its label, then its tags' strip.
            left = FIRM_LABEL_W / 2 + TAG_GAP / 2 if slot == SLOT_W_TAGS else slot / 2
            row0 = 0
            for g, (_, group) in enumerate(split.get(key) or [("", cells[key])]):
                for i, m in enumerate(group):
                    r, k = divmod(i, ncols)  # row-major, so the barycentre order reads top to bottom
                    fx, fy = x0 + k * slot + left, y0 + (row0 + r + 1) * row_h - ROW_H / 2  # tags stack above
                    positions[m] = (fx, fy)
                    for p, dy in zip(problems_of[m], _tag_offsets(len(problems_of[m]))):
                        positions[p] = (fx + TAG_DX, fy + dy)
                rows = math.ceil(len(group) / ncols)
                group_box[(key[0], key[1], g)] = (x0, y0 + row0 * row_h, x0 + ncols * slot, y0 + (row0 + rows) * row_h)
                row0 += rows
            cell_box[key] = (x0, y0, x0 + ncols * slot, y0 + nrows * row_h)
        bottom = top + HEADER_H + height + 20
        title = {"main": "主链：上游 → 链主 → 下游", "mid": "中游及其他成员（按供应关系排列）"}[band]
        regions.append(Region("band", band, title, area[0] - 60, top, area[1] + 60, bottom))
        return bottom

    main_top = 0.0
    main_bottom = place_band("main", main_top) if any(k[0] == "main" for k in cells) else main_top + HEADER_H
    mid_bottom = place_band("mid", main_bottom + 24) if any(k[0] == "mid" for k in cells) else main_bottom
    for c in col_ids:
        regions.append(Region("column", str(c), _column_title(c), col_x[c] - width[c] / 2, main_top,
                              col_x[c] + width[c] / 2, mid_bottom))

    def want(n) -> float:
        xs = [positions[v][0] for v in list(H.successors(n)) + list(H.predecessors(n)) if v in positions]
        return _mean(xs, centre_x)

    # Support bodies: one group per service (or set of services) they give this chain, above the firms.
    groups_of = body_groups(H, chain_id)
    groups_of.update({n: "other" for n in sorted(H) if label[n] == "SupportBody" and n not in groups_of})
    body_sets = [(g, body_group_title(g), sorted(b for b in groups_of if groups_of[b] == g))
                 for g in sorted(set(groups_of.values()), key=_group_order)]
    top_of_map = main_top - BAND_GAP / 2
    if body_sets:
        want_x = {b: want(b) for b in groups_of}
        # The band's height is only known once laid out: lay it out at 0, then move it up.
        sub_regions: list[Region] = []
        sub_positions: dict[str, tuple[float, float]] = {}
        height = _grid_groups(body_sets, 0.0, centre_x, want_x, sub_positions, sub_regions, "bodies",
                              "质量赋能专业技术机构（按为本链提供的服务分组）", area, fill=0.8 if aggregate else 0.0)
        dy = top_of_map - height
        for n, (px, py) in sub_positions.items():
            positions[n] = (px, py + dy)
            bands[n] = "bodies"
        for r in sub_regions:
            regions.append(Region(r.kind, r.key, r.title, r.x0, r.y0 + dy, r.x1, r.y1 + dy))
        top_of_map = dy

    # The chain and its district, above everything.
    chain_y = top_of_map - 90
    positions[chain_id] = (centre_x, chain_y)
    bands[chain_id] = "chain"
    for n in sorted(H):
        if label[n] == "District":
            positions[n] = (centre_x + 360, chain_y)
            bands[n] = "chain"

    # Bottom band: projects, chain-wide problems, policy tools, indicators.
    bottom_sets = [
        ("projects", "重点攻关项目", [n for n in sorted(H) if label[n] == "Project"]),
        ("problems", "未指明企业的质量问题", [n for n in sorted(H) if label[n] == "Problem" and n not in problem_firm]),
        ("tools", "质量政策工具", [n for n in sorted(H) if label[n] == "PolicyTool"]),
        ("indicators", "质量指标", [n for n in sorted(H) if label[n] == "Indicator"]),
        ("cases", "典型案例", [n for n in sorted(H) if label[n] == "Case"]),
    ]
    bottom_sets = [t for t in bottom_sets if t[2]]
    y = mid_bottom + BAND_GAP / 2
    if bottom_sets:
        want_x = {n: want(n) for _, _, items in bottom_sets for n in items}
        short = {"projects": "攻关项目", "problems": "全链性问题", "tools": "政策工具", "indicators": "质量指标",
                 "cases": "典型案例"}
        y = _grid_groups(bottom_sets, y, centre_x, want_x, positions, regions, "others",
                         " · ".join(short[k] for k, _, _ in bottom_sets), area, fill=0.6 if aggregate else 0.0)
        for key, _, items in bottom_sets:
            for n in items:
                bands[n] = key

    # Anything else (chain_subgraph gives nothing else) goes in a last row.
    for i, n in enumerate(sorted(n for n in H if n not in positions)):
        positions[n] = (area[0] + i * ITEM_W, y + 80)
        bands[n] = "other"

    clusters: list[Cluster] = []
    if aggregate:
        for key, items in sorted(cells.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            band, c = key
            title = tier_title(band, c)
            if key in split:
                for g, (product, group) in enumerate(split[key]):
                    if len(group) <= CLUSTER_MIN:
                        continue  # a small remainder stays drawn firm by firm
                    x0, y0, x1, y1 = group_box[(band, c, g)]
                    inner = list(group) + [p for m in group for p in problems_of[m]]
                    clusters.append(Cluster(f"cluster:{band}:{c}:{g}", f"{title} · {product or '其他产品'}", inner,
                                            (x0 + x1) / 2, (y0 + y1) / 2, (x0, y0, x1, y1)))
            elif len(items) > CLUSTER_MIN:
                x0, y0, x1, y1 = cell_box[key]
                inner = list(items) + [p for m in items for p in problems_of[m]]
                clusters.append(Cluster(f"cluster:{band}:{c}", title, inner, (x0 + x1) / 2, (y0 + y1) / 2,
                                        (x0, y0, x1, y1)))
        for key, title, items in body_sets + bottom_sets:
            if len(items) > GROUP_CLUSTER_MIN:
                r = next(r for r in regions if r.kind == "group" and r.key == key)
                clusters.append(Cluster(f"cluster:{key}", title, list(items), (r.x0 + r.x1) / 2,
                                        (r.y0 + GROUP_TITLE_H + r.y1) / 2, (r.x0, r.y0 + GROUP_TITLE_H, r.x1, r.y1)))

    return ChainLayout(positions=positions, columns=columns, bands=bands, regions=regions, clusters=clusters,
                       body_groups=groups_of, problem_firm=problem_firm)


def tier_title(band: str, column: int) -> str:
    """The title of a cell of firms: its column, in the main band or the midstream band.

    >>> tier_title("main", -2), tier_title("main", 0), tier_title("mid", 0)
    ('上游 第2层', '链主', '中游 · 与链主同级')
    """
    return _column_title(column) if band == "main" else f"中游 · {_column_title(column, side=True)}"


def _column_title(c: int, side: bool = False) -> str:
    """A column's title; ``side`` for the midstream band, whose firms are placed by supply generation
    relative to the owner, not by a tier of their own (so never "链主层": they are not the owner)."""
    if side:
        if c < 0:
            return f"供给侧 第{-c}级"
        if c > 0:
            return f"需求侧 第{c}级"
        return "与链主同级"
    if c < 0:
        return f"上游 第{-c}层"
    if c > 0:
        return f"下游 第{c}层"
    return "链主"
