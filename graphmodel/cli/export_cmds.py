"""qmap export."""

from __future__ import annotations

from pathlib import Path

import click

from ..export import FORMATS, ExportExists, export_chain
from ..model import chains as chain_ids
from . import main
from .options import fail, progress, quiet_option, resolve_chain_option, resolve_graph, source_options


def _targets(chains: list[str], fmt: str, output: str | None, many: bool) -> dict[str, Path]:
    suffix = FORMATS[fmt].suffix
    if not many:
        return {chains[0]: Path(output) if output else Path("exports") / f"{chains[0]}{suffix or '-' + fmt}"}
    folder = Path(output) if output else Path("exports") / fmt
    return {c: folder / f"{c}{suffix or '-' + fmt}" for c in chains}


@main.command("export")
@source_options
@click.option("--chain", "chain_id", help="The chain to export (its id, e.g. SH01).")
@click.option("--all", "all_chains", is_flag=True, help="Every chain, one file each, into the -o folder.")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), required=True,
              help="html, png, svg, graphml, gexf, json, csv (neo4j-admin), cypher, mermaid or dot.")
@click.option("-o", "--output", type=click.Path(), default=None,
              help="File (one chain) or folder (--all). Default: exports/<chain>.<ext> or exports/<format>/.")
@click.option("--force", is_flag=True, help="Replace existing files.")
@quiet_option
def export_command(data_path, use_neo4j, uri, username, password, database, chain_id, all_chains, fmt, output,
                   force, quiet):
    """Export chain diagrams and graphs to files.

    Each file is written to a temporary name and renamed when complete; an
    existing file is replaced only with --force (and then checked before any
    file is written).

    \b
    Examples:
        qmap export --data exports/demo/shanghai-demo.xlsx --chain SH01 --format png
        qmap export --data chains.xlsx --all --format graphml -o exports/gephi
        qmap export --neo4j --chain SH02 --format cypher -o SH02.cypher
    """
    if bool(chain_id) == bool(all_chains):
        fail("选项 --chain 与 --all 须且只能给一个 (give --chain ID or --all)")
    G = resolve_graph(data_path, use_neo4j, uri, username, password, database, chain=chain_id)
    chain_id = resolve_chain_option(G, chain_id)
    chains = [chain_id] if chain_id else chain_ids(G)
    if not chains:
        fail("数据中没有产业链 (no chains in the data)")
    targets = _targets(chains, fmt, output, bool(all_chains))
    clashes = [str(p) for p in targets.values() if p.exists()]
    if clashes and not force:
        fail(f"{clashes[0]} 已存在；加 --force 覆盖 (exists; use --force)" +
             (f"（另有 {len(clashes) - 1} 个 and {len(clashes) - 1} more）" if len(clashes) > 1 else ""))
    with progress(list(targets.items()), f"导出 export {fmt}", quiet) as items:
        for chain, path in items:
            try:
                export_chain(G, chain, fmt, path, force=force)
            except ExportExists as error:
                fail(str(error))
    for path in list(targets.values())[:5]:
        click.echo(str(path))
    if len(targets) > 5:
        click.echo(f"… 共 {len(targets)} 个文件 ({len(targets)} files) in {Path(next(iter(targets.values()))).parent}")
