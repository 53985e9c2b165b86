"""qmap export."""

from __future__ import annotations

from pathlib import Path

import click

from ..export import FORMATS, export_chain
from ..files import output_folder, safe_names
from ..model import chains as chain_ids
from . import main
from .options import fail, force_option, progress, quiet_option, resolve_chain_option, resolve_graph, source_options


def _file_names(chains: list[str], fmt: str) -> dict[str, str]:
    """Chain id → the safe name of its export (a folder ``<id>-csv`` for csv)."""
    return safe_names(chains, FORMATS[fmt].suffix or f"-{fmt}")


@main.command("export")
@source_options
@click.option("--chain", "chain_id", help="The chain to export (its id, e.g. SH01).")
@click.option("--all", "all_chains", is_flag=True, help="Every chain, one file each, into the -o folder.")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), required=True,
              help="html, png, svg, graphml, gexf, json, csv (neo4j-admin), cypher, mermaid or dot.")
@click.option("-o", "--output", type=click.Path(), default=None,
              help="File (one chain) or folder (--all). Default: exports/<chain>.<ext> or exports/<format>/.")
@force_option
@quiet_option
def export_command(data_path, use_neo4j, uri, username, password, database, chain_id, all_chains, fmt, output,
                   force, quiet):
    """Export chain diagrams and graphs to files.

    Each file is written to a temporary name and renamed when complete; --all
    builds the whole folder aside and moves it into place at the end. An existing
    file is replaced only with --force (in a folder, only one qmap wrote there),
    and that is checked before any drawing starts. File names are a safe form of
    the chain id.

    \b
    Examples:
        qmap export --data exports/demo/shanghai-demo.xlsx --chain SH01 --format png
        qmap export --data chains.xlsx --all --format graphml -o exports/gephi
        qmap export --neo4j --chain SH02 --format cypher -o SH02.cypher --force
    """
    if bool(chain_id) == bool(all_chains):
        fail("选项 --chain 与 --all 须且只能给一个 (give --chain ID or --all)")
    G = resolve_graph(data_path, use_neo4j, uri, username, password, database, chain=chain_id)
    chain_id = resolve_chain_option(G, chain_id)
    every = chain_ids(G)
    if not every:
        fail("数据中没有产业链 (no chains in the data)")
    names = _file_names(every, fmt)
    if chain_id and output:  # a file (or csv folder) the person named
        written = [export_chain(G, chain_id, fmt, output, force=force)]
    else:
        chains = [chain_id] if chain_id else every
        folder = Path(output) if output else Path("exports") / ("" if chain_id else fmt)
        with output_folder(folder, key=None if chain_id else f"export-{fmt}", force=force) as out:
            targets = {c: out.path(names[c]) for c in chains}  # an existing file stops here, before any drawing
            with progress(list(targets.items()), f"导出 export {fmt}", quiet) as items:
                for chain, path in items:
                    export_chain(G, chain, fmt, path)
        written = [out.final(names[c]) for c in chains]
    for path in written[:5]:
        click.echo(str(path))
    if len(written) > 5:
        click.echo(f"… 共 {len(written)} 个文件 ({len(written)} files) in {written[0].parent}")
