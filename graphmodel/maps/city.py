"""The city overview page (``index.html``) and :func:`write_maps`, which writes every map.

The overview shows Shanghai's 16 districts as a tile map (roughly where they lie), each
listing its chain projects (★ key projects marked) with a link to the chain's map, and
a sortable KPI table from :func:`graphmodel.analyses.city_overview`: members, SMEs,
bodies by pillar, problems by status, problems with a missing service, projects and
coverage. Like the chain maps it is one offline file with its own CSP.

>>> from graphmodel.maps import write_maps
>>> write_maps(G, "exports/demo/maps")   # doctest: +SKIP
PosixPath('exports/demo/maps/index.html')
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from pathlib import Path
from typing import Iterable
from urllib.parse import quote

import networkx as nx

from .. import analyses
from ..registry import SHANGHAI_DISTRICTS
from ..schema import ENUMS, NQI_PILLARS
from . import assets
from .chain_map import chain_filename, map_environment, write_chain_map

__all__ = ["city_overview_html", "write_city_overview", "write_maps", "DISTRICT_TILES"]

#: Where each district's tile sits on a 6 × 5 grid (CSS grid-area: row / column / row end / column end),
#: roughly as the districts lie on the map: Chongming top right, Pudong east, Jinshan south-west.
DISTRICT_TILES = {
    "嘉定区": "1 / 2 / 2 / 3", "宝山区": "1 / 3 / 2 / 5", "崇明区": "1 / 5 / 2 / 7",
    "青浦区": "2 / 1 / 4 / 2", "普陀区": "2 / 2 / 3 / 3", "静安区": "2 / 3 / 3 / 4", "虹口区": "2 / 4 / 3 / 5",
    "杨浦区": "2 / 5 / 3 / 6",
    "长宁区": "3 / 2 / 4 / 3", "徐汇区": "3 / 3 / 4 / 4", "黄浦区": "3 / 4 / 4 / 5", "浦东新区": "3 / 5 / 6 / 7",
    "松江区": "4 / 1 / 5 / 2", "闵行区": "4 / 2 / 5 / 5",
    "金山区": "5 / 1 / 6 / 3", "奉贤区": "5 / 3 / 6 / 5",
}
assert set(DISTRICT_TILES) == set(SHANGHAI_DISTRICTS)

NO_DISTRICT = "未指定区"
TITLE = "上海市产业链供应链质量联动提升 · 质量图谱"


def _pct(share: float | None) -> int | None:
    return None if share is None else int(round(share * 100))


def _tone(share: float | None) -> str:
    if share is None:
        return ""
    return "low" if share < 0.5 else ("mid" if share < 0.8 else "")


def _context(G: nx.MultiDiGraph, linked: dict[str, str]) -> dict:
    overview = analyses.to_records(analyses.city_overview(G))
    gaps = Counter(r["chain_id"] for r in analyses.to_records(analyses.uncovered_problems(G)))
    pillars = [{"key": p, "zh": ENUMS["service"].chinese(p)} for p in NQI_PILLARS]
    statuses = [{"key": s, "zh": ENUMS["problem_status"].chinese(s)} for s in ENUMS["problem_status"].codes]

    chains = []
    for r in overview:
        name = str(r.get("name") or r["chain_id"])
        district = r.get("district")
        chains.append({
            "id": r["chain_id"], "seq": r.get("seq"),
            "seq_text": f"{r['seq']:02d}" if isinstance(r.get("seq"), int) else "",
            "name": name, "district": district, "key": bool(r.get("key")), "href": linked.get(r["chain_id"]),
            "members": r["members"], "smes": r["smes"],
            "bodies": [r["bodies"].get(p, 0) for p in NQI_PILLARS],
            "problems": [r["problems"].get(s, 0) for s in ENUMS["problem_status"].codes],
            "projects": sum(r["projects"].values()), "unresolved": r["unresolved"],
            "gaps": gaps.get(r["chain_id"], 0),
            "coverage": r["coverage"], "coverage_pct": _pct(r["coverage"]), "coverage_tone": _tone(r["coverage"]),
            "search": " ".join(str(v) for v in (r["chain_id"], name, district or "", r.get("seq") or "")).lower(),
        })

    # Totals: firms and bodies counted once even when they serve several chains.
    member_firms = {u for u, _, d in G.edges(data=True) if d["type"] == "MEMBER_OF"}
    pillar_bodies = {p: set() for p in NQI_PILLARS}
    for row in analyses.to_records(analyses.nqi_coverage(G)):
        pillar_bodies[row["service"]].update(row["bodies"])
    unresolved = sum(c["unresolved"] for c in chains)
    total_gaps = sum(c["gaps"] for c in chains)
    coverage = None if not unresolved else (unresolved - total_gaps) / unresolved
    totals = {
        "members": len(member_firms), "smes": sum(1 for f in member_firms if G.nodes[f].get("sme", True)),
        "bodies": [len(pillar_bodies[p]) for p in NQI_PILLARS],
        "problems": [sum(c["problems"][i] for c in chains) for i in range(len(statuses))],
        "gaps": total_gaps, "projects": sum(c["projects"] for c in chains),
        "coverage": coverage, "coverage_pct": _pct(coverage),
    }
    resolved = totals["problems"][-1]
    n_bodies = sum(1 for _, d in G.nodes(data=True) if d.get("label") == "SupportBody")
    cards = [
        {"value": len(chains), "label": f"产业链项目（★ 重点 {sum(c['key'] for c in chains)}）"},
        {"value": len({c['district'] for c in chains if c['district']}), "label": "涉及的区"},
        {"value": totals["members"], "label": f"链上企业（中小企业 {totals['smes']}）"},
        {"value": n_bodies, "label": "质量赋能机构"},
        {"value": total_gaps, "label": "未解决·缺服务问题", "tone": "red"},
        {"value": unresolved - total_gaps, "label": "未解决·已覆盖问题", "tone": "amber"},
        {"value": resolved, "label": "已解决问题", "tone": "green"},
        {"value": "—" if coverage is None else f"{_pct(coverage)}%", "label": "全市问题覆盖率"},
    ]

    by_district: dict[str, list[dict]] = {d: [] for d in SHANGHAI_DISTRICTS}
    extra: dict[str, list[dict]] = {}
    for c in chains:
        district = c["district"] or NO_DISTRICT
        (by_district if district in by_district else extra).setdefault(district, []).append(c)
    districts = [{"name": d, "chains": by_district[d], "area": DISTRICT_TILES[d],
                  "has_key": any(c["key"] for c in by_district[d])} for d in SHANGHAI_DISTRICTS]
    districts += [{"name": d, "chains": cs, "area": None, "has_key": any(c["key"] for c in cs)}
                  for d, cs in sorted(extra.items(), key=lambda kv: (kv[0] == NO_DISTRICT, kv[0]))]

    names = [str(d.get("name", "")) for _, d in G.nodes(data=True) if d.get("label") == "Enterprise"]
    demo_note = ""
    if names and all(n.endswith("（示例）") for n in names):
        demo_note = "示例数据：企业、机构、问题等名称均为虚构（带“（示例）”标记），仅产业链名称、所在区和链长单位取自通知附件。"
    from .. import __version__

    return {
        "title": TITLE, "chains": chains, "districts": districts, "district_count": len(SHANGHAI_DISTRICTS),
        "pillars": pillars, "statuses": statuses, "totals": totals, "cards": cards, "demo_note": demo_note,
        "source": G.graph.get("source") or "", "generated": dt.date.today().isoformat(), "version": __version__,
        "app_css": assets.asset_text("maps.css"), "app_js": assets.asset_text("city.js"),
    }


def city_overview_html(G: nx.MultiDiGraph, links: dict[str, str] | None = None) -> str:
    """The overview page as a string. ``links`` maps chain id → relative href of its map."""
    template = map_environment().get_template("city.html")
    return assets.finalize_page(template.render(**_context(G, links or {})))


def _existing_links(G: nx.MultiDiGraph, out_dir: Path) -> dict[str, str]:
    chains = [n for n, d in G.nodes(data=True) if d.get("label") == "Chain"]
    return {c: quote(chain_filename(c)) for c in chains if (out_dir / chain_filename(c)).is_file()}


def write_city_overview(G: nx.MultiDiGraph, out_dir: str | Path) -> Path:
    """Write ``out_dir/index.html`` (atomically), linking each chain whose map is already in ``out_dir``.

    >>> write_city_overview(G, "exports/maps")   # doctest: +SKIP
    PosixPath('exports/maps/index.html')
    """
    out_dir = Path(out_dir)
    return assets.atomic_write_text(out_dir / "index.html", city_overview_html(G, _existing_links(G, out_dir)))


def write_maps(G: nx.MultiDiGraph, out_dir: str | Path, chains: Iterable[str] | None = None,
               progress: bool = False) -> Path:
    """Write the map of each chain (all by default) and the city overview; return ``index.html``.

    Each file is written atomically. ``progress`` shows a bar on stderr (only when it
    is a terminal). Raises KeyError, before writing anything, for an unknown chain id.

    >>> write_maps(G, "exports/maps", chains=["SH01"])   # doctest: +SKIP
    PosixPath('exports/maps/index.html')
    """
    out_dir = Path(out_dir)
    all_chains = sorted((n for n, d in G.nodes(data=True) if d.get("label") == "Chain"),
                        key=lambda c: (G.nodes[c].get("seq") is None, G.nodes[c].get("seq") or 0, c))
    if chains is None:
        selected = all_chains
    else:
        selected = list(dict.fromkeys(chains))
        unknown = [c for c in selected if c not in all_chains]
        if unknown:
            raise KeyError(f"未知的产业链编号 unknown chain id: {', '.join(map(str, unknown))}")
    names = Counter(chain_filename(c) for c in all_chains)
    clash = [c for c in all_chains if names[chain_filename(c)] > 1]
    if clash:
        raise ValueError(f"产业链编号映射到相同的文件名 chain ids map to the same file name: {clash}")

    def draw(items):
        for chain_id in items:
            write_chain_map(G, chain_id, out_dir / chain_filename(chain_id), overview_href="index.html")

    if progress and sys.stderr.isatty() and selected:
        import click

        with click.progressbar(selected, label="绘制质量图谱 drawing maps", file=sys.stderr,
                               item_show_func=lambda c: c or "") as bar:
            draw(bar)
    else:
        draw(selected)
    return write_city_overview(G, out_dir)
