"""qmap map: the interactive quality maps (one offline HTML page per chain, and a city overview)."""

from __future__ import annotations

from pathlib import Path

import click

from . import main
from .options import fail, force_option, quiet_option, resolve_chain_option, resolve_graph, show_progress, source_options

__all__ = ["map_command"]


@main.command("map")
@source_options
@click.option("--chain", "chain_id", default=None, metavar="ID",
              help="Only this chain's map (default: every chain and the city overview index.html).")
@click.option("--year", type=click.IntRange(2000, 2100), default=None, show_default="this year",
              help="The year of the city overview's 本年度解决.")
@click.option("--baseline", type=click.Path(exists=True), default=None,
              help="Last year's workbook: the city overview shows each goal's change against it.")
@click.option("-o", "--output", type=click.Path(), metavar="FOLDER", default="exports/maps", show_default=True,
              help="Output folder.")
@force_option
@quiet_option
def map_command(data_path, use_neo4j, uri, username, password, database, chain_id, year, baseline, output, force,
                quiet):
    """Draw the quality maps (质量图谱) as HTML pages that work offline.

    Without --chain: one page per chain (<ID>.html, a safe form of the id) and the
    city overview (index.html) linking them, written as one set. With --chain: that
    chain's page only (linking back to index.html when the folder has one). Pages
    use no network at all: open them from a USB stick or a shared folder on an
    offline PC. Existing pages are replaced only with --force.

    \b
    Examples:
        qmap map --data exports/demo/shanghai-demo.xlsx
        qmap map --data chains.xlsx --chain SH01 -o exports/maps
        qmap map --data 2025.xlsx --year 2025 --baseline 2024.xlsx
        qmap map --neo4j -o exports/neo4j-maps
    """
    from ..maps import write_maps

    G = resolve_graph(data_path, use_neo4j, uri, username, password, database, chain=chain_id)
    chain_id = resolve_chain_option(G, chain_id)
    out = Path(output)
    if chain_id:
        path = write_maps(G, out, chains=[chain_id], overview=False, force=force)
        click.echo(f"已写入质量图谱 wrote map: {path}")
        click.echo(f"用浏览器打开 open in a browser: {path.resolve().as_uri()}")
        return
    from ..model import chains

    if not chains(G):
        fail("数据中没有产业链 (no chains in the data)")
    from .core import load_graph

    B = load_graph(baseline) if baseline else None
    index = write_maps(G, out, progress=show_progress(quiet), year=year, baseline=B, force=force)
    n_maps = len(chains(G))
    click.echo(f"已写入 {n_maps} 张产业链质量图谱和全市总览 wrote {n_maps} chain maps and the overview: {out}")
    click.echo(f"用浏览器打开 open in a browser: {index.resolve().as_uri()}")
