"""The city overview page (``index.html``) and :func:`write_maps`, which writes every map.

The overview shows Shanghai's 16 districts as a tile map (roughly where they lie), each
listing its chain projects (★ key projects marked) with a link to the chain's map, and
a sortable KPI table from :func:`graphmodel.analyses.city_overview`: members, SMEs,
bodies by pillar, problems by status, problems with a missing service, projects and
coverage. Like the chain maps it is one offline file with its own CSP. A data set of one chain
gets no district tiles: the page says plainly that it covers that one chain and links its map.

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

from .. import analyses, headline, model
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


def _card(numbers, key: str, label: str | None = None, tone: str | None = None, extra: str = "") -> dict:
    """A KPI card: the headline number under its one name, its definition for the hover text."""
    h = headline.HEADLINES[key]
    value = numbers.value(key)
    return {"key": key, "value": headline.percent(value) if h.unit == "%" else value,
            "label": (label or h.zh) + extra, "tone": tone, "definition": h.definition}


def _context(G: nx.MultiDiGraph, linked: dict[str, str]) -> dict:
    overview = analyses.to_records(analyses.city_overview(G))
    city = headline.city_numbers(G)
    pillars = [{"key": p, "zh": ENUMS["service"].chinese(p)} for p in NQI_PILLARS]
    statuses = [{"key": s, "zh": ENUMS["problem_status"].chinese(s)} for s in ENUMS["problem_status"].codes]

    chains = []
    for r in overview:
        name = str(r.get("name") or r["chain_id"])
        district = r.get("district")
        numbers = city.per_chain[r["chain_id"]]
        chains.append({
            "id": r["chain_id"], "seq": r.get("seq"),
            "seq_text": f"{r['seq']:02d}" if isinstance(r.get("seq"), int) else "",
            "name": name, "district": district, "key": bool(r.get("key")), "href": linked.get(r["chain_id"]),
            "members": numbers.members, "smes": numbers.smes,
            "bodies": [r["bodies"].get(p, 0) for p in NQI_PILLARS],
            "problems": [numbers.value(s) for s in ENUMS["problem_status"].codes],
            "projects": numbers.projects, "unresolved": numbers.unresolved,
            "gaps": numbers.uncovered,
            "coverage": numbers.coverage, "coverage_pct": _pct(numbers.coverage),
            "coverage_tone": _tone(numbers.coverage),
            "search": " ".join(str(v) for v in (r["chain_id"], name, district or "", r.get("seq") or "")).lower(),
        })

    # Totals: firms and bodies counted once even when they serve several chains.
    pillar_bodies = {p: set() for p in NQI_PILLARS}
    for row in analyses.to_records(analyses.nqi_coverage(G)):
        pillar_bodies[row["service"]].update(row["bodies"])
    totals = {
        "members": city.members, "memberships": city.memberships, "smes": city.smes,
        "bodies": [len(pillar_bodies[p]) for p in NQI_PILLARS],
        "problems": [city.value(s) for s in ENUMS["problem_status"].codes],
        "gaps": city.uncovered, "projects": city.projects,
        "coverage": city.coverage, "coverage_pct": _pct(city.coverage),
    }
    # One chain is no city: its page says so plainly, without 16 district tiles or a count of districts.
    single = chains[0] if len(chains) == 1 else None
    cards = [
        _card(city, "chains", extra=f"（★ 重点 {city.key_chains}）"),
        *([] if single else [_card(city, "districts")]),
        _card(city, "members", extra=f"（中小企业 {city.smes}）"),
        _card(city, "bodies"),
        _card(city, "uncovered", "未解决·缺服务", "red"),
        _card(city, "covered", "未解决·已覆盖", "amber"),
        _card(city, "resolved", tone="green"),
        _card(city, "coverage", "全市覆盖率"),
    ]
    defs = {k: f"{h.zh}：{h.definition}" for k, h in headline.HEADLINES.items()}
    definitions = [{"zh": headline.HEADLINES[k].zh, "text": headline.HEADLINES[k].definition}
                   for k in ("members", "memberships", "smes", "bodies", "unresolved", "open", "uncovered", "covered",
                             "resolved", "coverage")]

    by_district: dict[str, list[dict]] = {d: [] for d in SHANGHAI_DISTRICTS}
    extra: dict[str, list[dict]] = {}
    for c in chains:
        district = c["district"] or NO_DISTRICT
        (by_district if district in by_district else extra).setdefault(district, []).append(c)
    districts = [{"name": d, "chains": by_district[d], "area": DISTRICT_TILES[d],
                  "has_key": any(c["key"] for c in by_district[d])} for d in SHANGHAI_DISTRICTS]
    districts += [{"name": d, "chains": cs, "area": None, "has_key": any(c["key"] for c in cs)}
                  for d, cs in sorted(extra.items(), key=lambda kv: (kv[0] == NO_DISTRICT, kv[0]))]

    names = [str(G.nodes[n].get("name", "")) for n in model.nodes_of(G, "Enterprise")]
    demo_note = ""
    if names and all(n.endswith("（示例）") for n in names):
        demo_note = "示例数据：企业、机构、问题等名称均为虚构（带“（示例）”标记），仅产业链名称、所在区和链长单位取自通知附件。"
    from .. import __version__

    return {
        "title": TITLE, "chains": chains, "single": single, "districts": districts, "district_count": len(SHANGHAI_DISTRICTS),
        "pillars": pillars, "statuses": statuses, "totals": totals, "cards": cards, "definitions": definitions, "defs": defs,
        "demo_note": demo_note,
        "source": G.graph.get("source") or "", "generated": dt.date.today().isoformat(), "version": __version__,
        "app_css": assets.asset_text("maps.css"), "app_js": assets.asset_text("city.js"),
    }


def city_overview_html(G: nx.MultiDiGraph, links: dict[str, str] | None = None) -> str:
    """The overview page as a string. ``links`` maps chain id → relative href of its map."""
    template = map_environment().get_template("city.html")
    return assets.finalize_page(template.render(**_context(G, links or {})))


def _existing_links(G: nx.MultiDiGraph, out_dir: Path) -> dict[str, str]:
    return {c: quote(chain_filename(c)) for c in model.chains(G) if (out_dir / chain_filename(c)).is_file()}


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
    is a terminal). Raises :class:`graphmodel.model.UnknownIdError` (a KeyError), before writing anything, for an
    unknown chain id.

    >>> write_maps(G, "exports/maps", chains=["SH01"])   # doctest: +SKIP
    PosixPath('exports/maps/index.html')
    """
    out_dir = Path(out_dir)
    all_chains = model.chains(G)
    selected = all_chains if chains is None else list(dict.fromkeys(model.resolve_chain(G, c) for c in chains))
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
