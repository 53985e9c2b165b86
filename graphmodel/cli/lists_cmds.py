"""qmap lists / qmap report."""

from __future__ import annotations

import datetime as dt

import click

from ..model import chains
from . import main
from .core import load_graph
from .options import fail, force_option, resolve_chain_option, resolve_graph, source_options


def _filing_options(func):
    """--unit (填报单位) and --date (填报日期): the title block of the lists and the report."""
    func = click.option("--date", "filed_on", type=click.DateTime(["%Y-%m-%d"]), default=None,
                        help="填报日期 on the title block, YYYY-MM-DD (default: today).")(func)
    return click.option("--unit", default=None, metavar="TEXT",
                        help="填报单位 on the title block (default: the chains' 链长单位).")(func)


@main.command("lists")
@source_options
@click.option("--chain", "chain_id", help="Only this chain (default: every chain and a city-wide workbook).")
@_filing_options
@click.option("-o", "--output", type=click.Path(), metavar="FOLDER", default="exports/lists", show_default=True,
              help="Output folder.")
@force_option
def lists_command(data_path, use_neo4j, uri, username, password, database, chain_id, unit, filed_on, output, force):
    """The three lists (三张清单) as formatted Excel workbooks.

    质量问题清单 (with coverage state and missing services), 重点攻关项目清单 (with
    the problems each tackles and its partner bodies) and 质量政策工具清单: one
    workbook per chain and one city-wide, each sheet ready to print and hand
    over (title block, A4 landscape, header row on every page), written as one
    set; existing workbooks are replaced only with --force.

    \b
    Example:
        qmap lists --data exports/demo/shanghai-demo.xlsx
        qmap lists --data chains.xlsx --chain SH02 -o 普陀区清单 --unit 普陀区市场监督管理局 --date 2025-11-20
    """
    from ..lists import write_lists

    G = resolve_graph(data_path, use_neo4j, uri, username, password, database, chain=chain_id)
    chain_id = resolve_chain_option(G, chain_id)
    for path in write_lists(G, output, [chain_id] if chain_id else None, unit=unit,
                            date=filed_on.date() if filed_on else None, force=force):
        click.echo(str(path))


@main.command("report")
@source_options
@click.option("--year", type=click.IntRange(2000, 2100), default=dt.date.today().year, show_default="this year",
              help="The year to summarise.")
@click.option("--baseline", type=click.Path(exists=True), help="Last year's workbook, to report what changed.")
@click.option("--chain", "chain_id", help="Only this chain.")
@_filing_options
@click.option("-o", "--output", type=click.Path(), metavar="FOLDER", default="exports/report", show_default=True,
              help="Output folder.")
@force_option
def report_command(data_path, use_neo4j, uri, username, password, database, year, baseline, chain_id, unit,
                   filed_on, output, force):
    """The annual summary (项目实施情况总结), city-wide and per chain: Word, HTML and Markdown.

    The Word document (.docx, A4, page numbers, table of contents, 黑体/仿宋)
    follows the notice: 工作开展情况, 质量问题清单进展, 重点攻关项目进展, 质量政策工具,
    链主企业主要质量指标对标国家标准、行业标准, 质量提升培训基地, 帮扶中小企业, 典型案例,
    下一步工作 — with charts, and every table with its units. With --baseline,
    the change against the earlier workbook beside each number. The year's files
    are written as one set and replace the earlier ones only with --force.

    \b
    Example:
        qmap report --data exports/demo/shanghai-demo.xlsx --year 2025
        qmap report --data 2025.xlsx --year 2025 --baseline 2024.xlsx --unit 普陀区市场监督管理局
    """
    from ..report import write_report

    G = resolve_graph(data_path, use_neo4j, uri, username, password, database, chain=chain_id)
    chain_id = resolve_chain_option(G, chain_id)
    B = load_graph(baseline) if baseline else None
    if not chains(G):
        fail("数据中没有产业链 (no chains in the data)")
    written = write_report(G, year, output, baseline=B, chains=[chain_id] if chain_id else None, unit=unit,
                           filed_on=filed_on.date() if filed_on else None, force=force)
    for path in written[:3]:
        click.echo(str(path))
    click.echo(f"… 每条链的总结在 per-chain summaries in {output}/chains/")
