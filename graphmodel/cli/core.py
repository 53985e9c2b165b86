"""qmap demo / template / validate."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from ..bulk import paused_gc
from ..files import protect_input
from ..intake import IntakeError, expand_sources, read_sources
from ..model import build_graph, chain_table, dataset_summary
from ..schema import SHEET_ORDER, SHEETS
from . import keep_until_exit, main
from .options import fail, force_option, format_option, quiet_option, read_limit_options, read_limits, show_progress

__all__ = ["report_intake_error", "load_graph", "read_data"]


def report_intake_error(error: IntakeError, fmt: str = "table"):
    """Print every intake problem (sheet, row, column, reason) and exit 2."""
    if fmt == "json":
        click.echo(json.dumps([{"sheet": i.sheet, "row": i.row, "column": i.column, "message": i.message,
                                **({"file": i.file} if i.file else {}),
                                **({"rows": list(i.rows)} if len(i.rows) > 1 else {}),
                                **({"places": [{"sheet": s, "column": c, "rows": list(r)} for s, c, r in i.places]}
                                   if len(i.places) > 1 else {}),
                                **({"source": i.source} if i.source else {}),
                                **({"conflict": [{"source": src, "sheet": s, "row": r, "column": c, "value": v}
                                                 for src, s, r, c, v in i.conflict]} if i.conflict else {})}
                               for i in error.issues], ensure_ascii=False, indent=1))
    else:
        click.echo(f"{error.source}：发现 {len(error.issues)} 处错误，未写入任何内容 "
                   f"({len(error.issues)} error(s), nothing written)", err=True)
        for issue in error.issues:
            click.echo(f"  - {issue}", err=True)
    raise SystemExit(2)


def _paths(paths) -> list[str]:
    return [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)


def read_data(paths, progress=None):
    """Read and validate one or many sources (workbooks, CSV folders, folders of them) as one
    data set; bad input (or sources that disagree) exits 2 with every error.

    Every source is the command's input from then on: no output may replace it.
    """
    paths = _paths(paths)
    protect_input(*paths, *expand_sources(paths))
    try:
        return keep_until_exit(read_sources(paths, limits=read_limits(), progress=progress))
    except IntakeError as error:
        report_intake_error(error)


def load_graph(paths, progress=None):
    """The graph of one or many sources for a command (see :func:`read_data`)."""
    return keep_until_exit(build_graph(read_data(paths, progress)))


def _echo_table(frame, title: str | None = None):
    from ..text import format_table

    if title:
        click.echo(title)
    rows = frame.astype(object).where(frame.notna(), None).values.tolist()
    numeric = [frame[c].dtype.kind in "iuf" for c in frame.columns]
    click.echo(format_table(list(frame.columns), rows, ["right" if n else "left" for n in numeric])
               if len(frame) else "（无 none）")


class _ReadingBar:
    """``progress(done, total)`` for intake, drawn as a click progress bar on stderr."""

    def __init__(self):
        self.bar = None
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="读取 reading", file=sys.stderr, show_pos=True)
            self.bar.__enter__()
        self.bar.length = total
        self.bar.update(max(0, done - self.shown))
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _warnings(dataset) -> list[str]:
    warnings = []
    if not len(dataset["members"]):
        sheet = dataset.sheets.get("members")
        name = sheet.label if sheet and sheet.present else "链上成员（members）"
        warnings.append(f"没有任何链上成员：工作表 {name} 为空，图谱中只有产业链本身 (no members at all)")
    return warnings


@main.command()
@click.argument("paths", metavar="PATH...", nargs=-1, required=True, type=click.Path(exists=True))
@format_option("table", "json")
@read_limit_options
@quiet_option
def validate(paths, fmt, quiet):
    """Check intake workbooks (.xlsx) or folders of CSV files, one or many together.

    Prints a summary per chain and label, or every error with its sheet, row and
    column (exit status 2; nothing is written anywhere). Tabs and headers may be
    Chinese or English; a workbook with no members validates with a warning.
    Several paths (or a folder holding several workbooks) are checked as one city
    graph: references may cross workbooks, and two workbooks that give different
    values for the same id are a conflict, listed with both sources, sheets and rows.

    \b
    Example:
        qmap validate exports/demo/shanghai-demo.xlsx
        qmap validate ../shared/data/willems/W38 --format json
        qmap validate 普陀区.xlsx 奉贤区.xlsx
        qmap validate exports/demo/districts
        qmap validate 很大的工作簿.xlsx --max-rows 3000000
    """
    bar = _ReadingBar() if show_progress(quiet) else None
    # The whole check with the cyclic collector paused: rows and graph entries hold no cycles,
    # and each collection it would make between the steps walks millions of them.
    with paused_gc():
        try:
            dataset = keep_until_exit(read_sources(paths, limits=read_limits(), progress=bar))
        except IntakeError as error:
            if bar:
                bar.close()
            report_intake_error(error, fmt)
        finally:
            if bar:
                bar.close()
        path = dataset.source
        # the counts the graph would give, without building it (model.dataset_summary)
        counts, table = dataset_summary(dataset)
        warnings = _warnings(dataset)
    if fmt == "json":
        click.echo(json.dumps({"valid": True, "sources": dataset.sources, **counts, "chains": table.to_dict("records"),
                               "notes": dataset.notes, "warnings": warnings},
                              ensure_ascii=False, indent=1, default=str))
        return
    click.echo(f"✔ {path}：校验通过 valid")
    if len(dataset.sources) > 1:
        click.echo(f"来源 sources（{len(dataset.sources)}）：{'、'.join(dataset.sources)}")
    _echo_table(table)
    click.echo("节点 nodes: " + ", ".join(f"{k} {v}" for k, v in counts["nodes"].items()))
    click.echo("关系 relationships: " + ", ".join(f"{k} {v}" for k, v in counts["relationships"].items()))
    for note in dataset.notes:
        click.echo(f"提示 note: {note}")
    for warning in warnings:
        click.echo(f"⚠ 警告 warning: {warning}", err=True)


#: The sheet of a merged workbook that says what went into it (intake does not read 说明 sheets).
MERGE_NOTES_SHEET = "说明-合并来源 Sources"


@main.command()
@click.argument("paths", metavar="SRC...", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, metavar="city.xlsx",
              help="The consolidated workbook to write (.xlsx).")
@read_limit_options
@force_option
@quiet_option
def merge(paths, output, force, quiet):
    """Merge district workbooks into one intake workbook (合并): the city's archive.

    Reads every SRC (workbooks, CSV folders, or folders holding several) as one graph,
    exactly as --data does: a conflict between sources is an error (exit 2, nothing
    written). Writes one workbook in the template's form (Chinese tabs and headers),
    one row per entity and relationship, which reads back to the same graph. Its sheet
    “说明-合并来源” lists the sources merged and what each gave; read back, the merged
    workbook is one source of its own.

    \b
    Example:
        qmap merge exports/demo/districts -o 上海市-2025.xlsx
        qmap merge 普陀区.xlsx 奉贤区.xlsx -o city.xlsx --force
    """
    from ..workbook import UNION_ROWS, write_workbook

    target = Path(output)
    if target.suffix.lower() != ".xlsx":
        fail(f"选项 -o/--output：应以 .xlsx 结尾 (must end in .xlsx): {output}")
    bar = _ReadingBar() if show_progress(quiet) else None
    try:
        dataset = read_data(paths, progress=bar)
    finally:
        if bar:
            bar.close()
    tables = {name: frame[list(SHEETS[name].column_names)] for name, frame in dataset.tables.items()}
    given = _given_counts(dataset)
    notes = [["来源 source", "路径 path"] + [SHEETS[name].zh for name in SHEET_ORDER]]
    notes += [[name, dataset.source_paths.get(name, "")] + [given[name].get(sheet, 0) for sheet in SHEET_ORDER]
              for name in dataset.sources]
    notes.append(["合并后 merged", str(target)] + [len(tables[sheet]) for sheet in SHEET_ORDER])
    rows = max([UNION_ROWS] + [len(f) for f in tables.values()])
    write_workbook(tables, target, rows * 2, example=False, force=force, notes=(MERGE_NOTES_SHEET, notes))
    total = sum(len(f) for f in tables.values())
    click.echo(f"已写入 wrote {target}：{len(dataset.sources)} 个来源合并为 {total} 行 "
               f"({len(dataset.sources)} source(s), {total} rows)")
    click.echo("、".join(f"{SHEETS[n].zh} {len(tables[n])}" for n in SHEET_ORDER if len(tables[n])))


def _given_counts(dataset) -> dict[str, dict[str, int]]:
    """Rows per source and sheet, as each source gave them."""
    counts: dict[str, dict[str, int]] = {name: {} for name in dataset.sources}
    frames = dataset.contributions if dataset.contributions is not None else dataset.tables
    only = dataset.sources[0] if dataset.sources else ""
    for sheet, frame in frames.items():
        sources = frame["_source"] if "_source" in frame else [only] * len(frame)
        for source in sources:
            counts.setdefault(source, {})
            counts[source][sheet] = counts[source].get(sheet, 0) + 1
    return counts


@main.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--chain", "chains", multiple=True, metavar="SH02",
              help="Pre-fill this project of the notice's annex (repeatable).")
@click.option("--district", metavar="普陀区", help="Pre-fill every project of this district (普陀区, 普陀 or 310107).")
@force_option
def template(path, chains, district, force):
    """Write an intake workbook to fill in (Excel), in Chinese.

    Every contract sheet under its Chinese name with Chinese headers (the English key
    in each header's comment), drop-down lists (Chinese words for enumerations;
    编号｜名称 of what the workbook holds for references), an instructions sheet and
    a filled-in example. --chain / --district pre-fill 产业链项目 from the notice
    (沪市监质发〔2024〕233号 附件) verbatim.

    \b
    Example:
        qmap template 闵行区-空间新能源.xlsx --chain SH01
        qmap template 普陀区.xlsx --district 普陀区
    """
    from ..workbook import registry_chains, write_template

    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        fail(f"选项 PATH：应以 .xlsx 结尾 (PATH must end in .xlsx): {path}")
    try:
        prefilled = registry_chains(chains, district)
    except ValueError as error:
        fail(str(error))
    write_template(target, chains, district, force=force)
    click.echo(f"已写入 wrote {target}" + (f"（预填 {len(prefilled)} 个项目：{'、'.join(prefilled.chain_id)}）"
                                          if len(prefilled) else ""))


@main.command()
@click.option("-o", "--output", type=click.Path(), metavar="FOLDER", default="exports/demo", show_default=True,
              help="Output folder.")
@click.option("--seed", type=int, default=233, show_default=True, help="Random seed (same seed, same data).")
@click.option("--no-maps", is_flag=True, help="Only the workbook, no HTML maps.")
@click.option("--by-district", is_flag=True,
              help="Also write the data as 16 district workbooks (districts/普陀区.xlsx …), which read together "
                   "give the city graph.")
@force_option
@quiet_option
def demo(output, seed, no_maps, by_district, force, quiet):
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
        qmap demo --by-district --no-maps -o /tmp/demo16
    """
    from ..demo import write_demo

    result = write_demo(output, seed=seed, maps=not no_maps, progress=show_progress(quiet), force=force,
                        by_district=by_district)
    _echo_table(chain_table(result.graph), f"28 条产业链示例数据 demo data ({result.workbook})")
    for label, where in result.outputs.items():
        click.echo(f"{label}: {where}")
