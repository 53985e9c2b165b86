"""The city overview page (``index.html``) and :func:`write_maps`, which writes every map.

The overview shows Shanghai's 16 districts as a tile map (roughly where they lie), each
listing its chain projects (★ key projects marked) with a link to the chain's map, and
a sortable KPI table from :func:`graphmodel.analyses.city_overview`: members, SMEs,
bodies by pillar, problems by status, problems with a missing service, projects and
coverage. Above them, the notice's goals as cards (:mod:`graphmodel.headline`): 培训基地
per district (a table flags each district with none), 链主达标 and 链主领跑, 中小企业帮扶率,
覆盖率, 本年度解决 and project progress; given last year's graph as ``baseline``, each card
shows its change against it. Like the chain maps it is one offline file with its own CSP. A data
set of one chain gets no district tiles: the page says plainly that it covers that one chain and
links its map.

>>> from graphmodel.maps import write_maps
>>> write_maps(G, "exports/demo/maps")   # doctest: +SKIP
PosixPath('exports/demo/maps/index.html')

File names come from :func:`map_filenames` (safe, distinct, never ``index.html``); the
folder is written through :func:`graphmodel.files.output_folder`, so a set of maps
appears whole or not at all and replaces only qmap's own earlier maps.
"""

from __future__ import annotations

import datetime as dt
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Iterable
from urllib.parse import quote

import networkx as nx

from .. import analyses, headline, model
from ..files import graph_inputs, output_folder, safe_names
from ..registry import SHANGHAI_DISTRICTS
from ..schema import ENUMS, NQI_PILLARS
from ..text import change_text
from . import assets
from .chain_map import chain_map_html, map_environment

__all__ = ["city_overview_html", "write_city_overview", "write_maps", "map_filenames", "DISTRICT_TILES"]

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


def _card(numbers, key: str, label: str | None = None, tone: str | None = None, extra: str = "",
          before=None) -> dict:
    """A KPI card: the headline number under its one name, its definition for the hover text, and
    (given the baseline's numbers) its change against last year."""
    h = headline.HEADLINES[key]
    value = numbers.value(key)
    change = None
    if before is not None:
        change = change_text(value, before.value(key), share=h.unit == "%")
    return {"key": key, "value": headline.percent(value) if h.unit == "%" else value,
            "label": (label or h.zh) + extra, "tone": tone, "definition": h.definition, "change": change}


def _bases_card(city, before) -> dict:
    """培训基地: the distinct bases city-wide, and how many districts with chains have none."""
    h = headline.HEADLINES["training_bases"]
    count = lambda numbers: len({b for bases in numbers.training_bases.values() for b in bases})  # noqa: E731
    lacking = [d for d, bases in city.training_bases.items() if not bases]
    return {"key": "training_bases", "value": count(city), "tone": "red" if lacking else None,
            "label": h.zh + (f"（{len(lacking)} 个区缺）" if lacking else "（每区均有）"), "definition": h.definition,
            "change": None if before is None else change_text(count(city), count(before))}


def _owner_flag(value) -> str:
    return "—" if value is None else ("是" if value else "否")


def _context(G: nx.MultiDiGraph, linked: dict[str, str], year: int | None = None,
             baseline: nx.MultiDiGraph | None = None) -> dict:
    overview = analyses.to_records(analyses.city_overview(G))
    year = year or dt.date.today().year
    city = headline.city_numbers(G, year)
    before = None
    if baseline is not None:
        known = [c for c in model.chains(baseline)]
        before = headline.city_numbers(baseline, year - 1, known) if known else None
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
            "resolved_this_year": numbers.resolved_this_year,
            "sme_support_rate": numbers.sme_support_rate, "sme_support_text": headline.percent(numbers.sme_support_rate),
            "owner_meets": _owner_flag(numbers.owner_meets), "owner_leads": _owner_flag(numbers.owner_leads),
            "owner_sort": {None: -1, False: 0, True: 1}[numbers.owner_meets] + (numbers.owner_leads is True),
            "project_progress": numbers.project_progress,
            "project_progress_text": headline.percent(numbers.project_progress),
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
        _card(city, "coverage", "全市覆盖率", before=before),
    ]
    # The notice's goals (沪市监质发〔2024〕233号): each with its change against last year when given.
    goals = [
        _bases_card(city, before),
        _card(city, "owner_meets", before=before, extra=f"（{city.owners_meeting}/{city.owners_reporting} 条）"),
        _card(city, "owner_leads", before=before, extra=f"（{city.owners_leading}/{city.owners_reporting} 条）"),
        _card(city, "sme_support_rate", before=before, extra=f"（{city.smes_supported}/{city.smes} 家）"),
        _card(city, "resolved_this_year", f"{year} 年解决", before=before),
        _card(city, "project_progress", before=before,
              extra=f"（已完成 {city.projects_done}/{city.projects} 个）"),
    ]
    for goal in goals:
        goal["key"] = "goal-" + goal["key"]
    by_district_chains = model.district_chains(G)
    district_bases = []
    # every district with a chain project (those without one have nothing to train for yet)
    for d in [d for d in SHANGHAI_DISTRICTS if d in by_district_chains] + sorted(
            set(by_district_chains) - set(SHANGHAI_DISTRICTS)):
        bases = city.training_bases.get(d, [])
        chains_here = by_district_chains.get(d, [])
        district_bases.append({"name": d, "chains": len(chains_here), "count": len(bases),
                               "bases": [G.nodes[b].get("name", b) for b in bases],
                               "lacking": bool(chains_here) and not bases})
    defs = {k: f"{h.zh}：{h.definition}" for k, h in headline.HEADLINES.items()}
    definitions = [{"zh": headline.HEADLINES[k].zh, "text": headline.HEADLINES[k].definition}
                   for k in ("members", "memberships", "smes", "bodies", "unresolved", "open", "uncovered", "covered",
                             "resolved", "coverage", "resolved_this_year", "sme_support_rate", "owner_meets",
                             "owner_leads", "training_bases", "projects_done", "project_progress")]

    by_district: dict[str, list[dict]] = {d: [] for d in SHANGHAI_DISTRICTS}
    extra: dict[str, list[dict]] = {}
    for c in chains:
        district = c["district"] or NO_DISTRICT
        (by_district if district in by_district else extra).setdefault(district, []).append(c)
    bases_of = {row["name"]: row for row in district_bases}
    districts = [{"name": d, "chains": by_district[d], "area": DISTRICT_TILES[d],
                  "has_key": any(c["key"] for c in by_district[d]), "no_base": bases_of.get(d, {}).get("lacking", False)}
                 for d in SHANGHAI_DISTRICTS]
    districts += [{"name": d, "chains": cs, "area": None, "has_key": any(c["key"] for c in cs),
                   "no_base": bases_of.get(d, {}).get("lacking", False)}
                  for d, cs in sorted(extra.items(), key=lambda kv: (kv[0] == NO_DISTRICT, kv[0]))]

    names = [str(G.nodes[n].get("name", "")) for n in model.nodes_of(G, "Enterprise")]
    demo_note = ""
    if names and all(n.endswith("（示例）") for n in names):
        demo_note = "示例数据：企业、机构、问题等名称均为虚构（带“（示例）”标记），仅产业链名称、所在区和链长单位取自通知附件。"
    from .. import __version__

    return {
        "title": TITLE, "chains": chains, "single": single, "districts": districts, "district_count": len(SHANGHAI_DISTRICTS),
        "pillars": pillars, "statuses": statuses, "totals": totals, "cards": cards, "definitions": definitions, "defs": defs,
        "goals": goals, "district_bases": district_bases,
        "districts_without_chains": len([d for d in SHANGHAI_DISTRICTS if d not in by_district_chains]), "year": year, "has_baseline": before is not None,
        "demo_note": demo_note,
        "source": G.graph.get("source") or "", "generated": dt.date.today().isoformat(), "version": __version__,
        "app_css": assets.asset_text("maps.css"), "app_js": assets.asset_text("city.js"),
    }


def city_overview_html(G: nx.MultiDiGraph, links: dict[str, str] | None = None, year: int | None = None,
                       baseline: nx.MultiDiGraph | None = None) -> str:
    """The overview page as a string. ``links`` maps chain id → relative href of its map; ``year``
    is the year of 本年度解决 (default: this year); ``baseline`` last year's graph, for the changes."""
    template = map_environment().get_template("city.html")
    return assets.finalize_page(template.render(**_context(G, links or {}, year, baseline)))


def map_filenames(chain_ids) -> dict[str, str]:
    """Chain id → the file name of its map in a folder of maps (safe, distinct, never ``index.html``).

    >>> map_filenames(["SH01", "index", "a/b"])
    {'SH01': 'SH01.html', 'a/b': 'a_b.html', 'index': 'index-1bc04b52.html'}
    """
    return safe_names(chain_ids, ".html", reserved=["index.html"])


def _links(names: dict[str, str], written, out_dir: Path) -> dict[str, str]:
    """Chain id → href, for the maps this run writes and those already in the folder."""
    return {c: quote(name) for c, name in names.items() if c in written or (out_dir / name).is_file()}


def write_city_overview(G: nx.MultiDiGraph, out_dir: str | Path, year: int | None = None,
                        baseline: nx.MultiDiGraph | None = None, *, force: bool = False) -> Path:
    """Write ``out_dir/index.html`` (atomically), linking each chain whose map is already in ``out_dir``.

    >>> write_city_overview(G, "exports/maps")   # doctest: +SKIP
    PosixPath('exports/maps/index.html')
    """
    out_dir = Path(out_dir)
    links = _links(map_filenames(model.chains(G)), (), out_dir)
    with output_folder(out_dir, force=force, inputs=graph_inputs(G)) as out:
        return out.write_text("index.html", city_overview_html(G, links, year, baseline))


def write_maps(G: nx.MultiDiGraph, out_dir: str | Path, chains: Iterable[str] | None = None,
               progress: bool = False, year: int | None = None, baseline: nx.MultiDiGraph | None = None, *,
               force: bool = False, overview: bool = True) -> Path:
    """Write the map of each chain (all by default) and the city overview; return ``index.html``.

    The pages are built in a staging folder and moved into ``out_dir`` together. Without
    ``force`` no existing file is replaced; with it, only maps qmap wrote there (all
    chains: the earlier set, stale pages included; some chains: just those pages and
    ``index.html``). ``overview=False`` writes the chain pages only (linking back to an
    ``index.html`` already there) and returns the last one. ``progress`` shows a bar on
    stderr (only when it is a terminal). Raises :class:`graphmodel.model.UnknownIdError`
    (a KeyError), before writing anything, for an unknown chain id.

    >>> write_maps(G, "exports/maps", chains=["SH01"])   # doctest: +SKIP
    PosixPath('exports/maps/index.html')
    """
    out_dir = Path(out_dir)
    all_chains = model.chains(G)
    selected = all_chains if chains is None else list(dict.fromkeys(model.resolve_chain(G, c) for c in chains))
    names = map_filenames(all_chains)
    back = "index.html" if overview or (out_dir / "index.html").is_file() else None
    show = progress and sys.stderr.isatty() and selected
    with output_folder(out_dir, key="maps" if chains is None and overview else None, force=force,
                       inputs=graph_inputs(G)) as out:
        if show:
            import click

            bar = click.progressbar(selected, label="绘制质量图谱 drawing maps", file=sys.stderr,
                                    item_show_func=lambda c: c or "")
        with bar if show else nullcontext(selected) as items:
            for chain_id in items:
                last = out.write_text(names[chain_id], chain_map_html(G, chain_id, overview_href=back))
        if not overview:
            return last if selected else out_dir
        return out.write_text("index.html", city_overview_html(G, _links(names, set(selected), out_dir), year,
                                                               baseline))
