"""qmap demo / template / validate."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..files import protect_input
from ..intake import IntakeError, read_dataset
from ..model import build_graph, chain_table, summary
from . import main
from .options import fail, force_option, format_option, quiet_option, show_progress

__all__ = ["report_intake_error", "load_graph"]


def report_intake_error(error: IntakeError, fmt: str = "table"):
    """Print every intake problem (sheet, row, column, reason) and exit 2."""
    if fmt == "json":
        click.echo(json.dumps([{"sheet": i.sheet, "row": i.row, "column": i.column, "message": i.message}
                               for i in error.issues], ensure_ascii=False, indent=1))
    else:
        click.echo(f"{error.source}：发现 {len(error.issues)} 处错误，未写入任何内容 "
                   f"({len(error.issues)} error(s), nothing written)", err=True)
        for issue in error.issues:
            click.echo(f"  - {issue}", err=True)
    raise SystemExit(2)


def load_graph(path: str):
    """Read, validate and model a workbook for a command; bad input exits 2 with every error.

    The workbook is the command's input from then on: no output may replace it.
    """
    protect_input(path)
    try:
        return build_graph(read_dataset(path))
    except IntakeError as error:
        report_intake_error(error)


def _echo_table(frame, title: str | None = None):
    from ..text import format_table

    if title:
        click.echo(title)
    rows = frame.astype(object).where(frame.notna(), None).values.tolist()
    numeric = [frame[c].dtype.kind in "iuf" for c in frame.columns]
    click.echo(format_table(list(frame.columns), rows, ["right" if n else "left" for n in numeric])
               if len(frame) else "（无 none）")


@main.command()
@click.argument("path", type=click.Path(exists=True))
@format_option("table", "json")
def validate(path, fmt):
    """Check an intake workbook (.xlsx) or a folder of CSV files.

    Prints a summary per chain and label, or every error with its sheet, row and
    column (exit status 2; nothing is written anywhere).

    \b
    Example:
        qmap validate exports/demo/shanghai-demo.xlsx
        qmap validate ../shared/data/willems/W38 --format json
    """
    try:
        G = build_graph(read_dataset(path))
    except IntakeError as error:
        report_intake_error(error, fmt)
    counts = summary(G)
    table = chain_table(G)
    if fmt == "json":
        click.echo(json.dumps({"valid": True, **counts, "chains": table.to_dict("records")},
                              ensure_ascii=False, indent=1, default=str))
        return
    click.echo(f"✔ {path}：校验通过 valid")
    _echo_table(table)
    click.echo("节点 nodes: " + ", ".join(f"{k} {v}" for k, v in counts["nodes"].items()))
    click.echo("关系 relationships: " + ", ".join(f"{k} {v}" for k, v in counts["relationships"].items()))


@main.command()
@click.argument("path", type=click.Path(dir_okay=False))
@force_option
def template(path, force):
    """Write an empty intake workbook to fill in (Excel).

    Every contract sheet with its header, Chinese captions, drop-down lists on
    enumerated columns and an instructions sheet (说明) in Chinese and English.

    \b
    Example:
        qmap template 闵行区-空间新能源.xlsx
    """
    from ..workbook import write_workbook

    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        fail(f"选项 PATH：应以 .xlsx 结尾 (PATH must end in .xlsx): {path}")
    write_workbook({}, target, force=force)
    click.echo(f"已写入 wrote {target}")


@main.command()
@click.option("-o", "--output", type=click.Path(), metavar="FOLDER", default="exports/demo", show_default=True,
              help="Output folder.")
@click.option("--seed", type=int, default=233, show_default=True, help="Random seed (same seed, same data).")
@click.option("--no-maps", is_flag=True, help="Only the workbook, no HTML maps.")
@force_option
@quiet_option
def demo(output, seed, no_maps, force, quiet):
    """Generate an illustrative data set for all 28 Shanghai chains, and its maps.

    Every invented name carries the marker （示例）. Writes the intake workbook
    (shanghai-demo.xlsx), then validates it exactly as an analyst's file is
    validated, prints a per-chain summary and writes the quality maps, lists and
    report. The folder appears complete or not at all; an earlier demo is replaced
    only with --force.

    \b
    Example:
        qmap demo
        qmap demo -o /tmp/demo --seed 7 --force
    """
    from ..demo import write_demo

    result = write_demo(output, seed=seed, maps=not no_maps, progress=show_progress(quiet), force=force)
    _echo_table(chain_table(result.graph), f"28 条产业链示例数据 demo data ({result.workbook})")
    for label, where in result.outputs.items():
        click.echo(f"{label}: {where}")
