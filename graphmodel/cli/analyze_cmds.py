"""qmap analyze: the ten named analyses, on the embedded graph or on Neo4j.

The embedded backend runs :mod:`graphmodel.analyses` on the model of ``--data``; the
Neo4j backend runs the Cypher library (``cypher/queries/<name>.cypher``) through
:func:`graphmodel.store.cypher_library.run_analysis`. Both give the same rows.
"""

from __future__ import annotations

import json

import click
import pandas as pd

from ..analyses import ANALYSES, UnknownIdError, to_csv, to_json, to_records
from ..text import cell_text, format_table, number_text
from ..files import atomic_file
from . import main
from .options import fail, format_option, neo4j_settings, source_options

__all__ = ["analyze", "render"]


def _list_text(fmt: str) -> str:
    if fmt == "json":
        return json.dumps([{"name": a.name, "scope": a.scope, "zh": a.zh, "en": a.en, "cypher": a.cypher,
                            "keys": list(a.keys)} for a in ANALYSES.values()], ensure_ascii=False, indent=1)
    width = max(map(len, ANALYSES))
    scope = {"chain": "--chain", "problem": "--problem", "city": ""}
    return "\n".join(f"{a.name:<{width}}  {scope[a.scope]:<9}  {a.zh} — {a.en}" for a in ANALYSES.values())


def render(frame: pd.DataFrame, fmt: str) -> str:
    """The text of an analysis result: a plain table, a JSON array of objects, or CSV."""
    if fmt == "json":
        return to_json(frame)
    if fmt == "csv":
        return to_csv(frame)
    if not len(frame):
        return "（无结果 no rows）"
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
               for c in frame.columns]
    rows = [[number_text(v) if num and v is not None else cell_text(v) for v, num in zip(row, numeric)]
            for row in to_records(frame) for row in [list(row.values())]]
    return format_table(list(frame.columns), rows, ["right" if n else "left" for n in numeric],
                        footer=f"({len(rows)} 行 rows)")


def _write(text: str, output: str | None, fmt: str) -> None:
    if output is None:
        click.echo(text)
        return
    # Excel opens a CSV as UTF-8 only when it starts with a byte-order mark.
    with atomic_file(output, force=True, mode="wb") as handle:
        handle.write((text if text.endswith("\n") else text + "\n").encode("utf-8-sig" if fmt == "csv" else "utf-8"))
    click.echo(f"已写入 wrote {output}", err=True)


@main.command("analyze")
@click.argument("name", required=False, metavar="NAME")
@click.option("--list", "list_only", is_flag=True, help="List the analyses, one line each, and exit.")
@click.option("--chain", default=None, metavar="ID", help="Only this chain (per-chain analyses; default: every chain).")
@click.option("--problem", default=None, metavar="ID", help="The problem (problem-impact; required there).")
@source_options
@format_option("table", "json", "csv")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write to this file instead of standard output (CSV with a BOM, for Excel).")
def analyze(name, list_only, chain, problem, data_path, use_neo4j, uri, username, password, database, fmt,
            output):
    """Run a named analysis (分析): on the workbook of --data, or on Neo4j.

    Embedded when given --data; Neo4j (the Cypher library in cypher/queries/) when
    given --neo4j, or when NEO4J_URI is set and --data is not. Both give the same
    rows. JSON is an array of objects; lists stay lists, counts by status or pillar
    are objects.

    \b
    Example:
        qmap analyze --list
        qmap analyze uncovered-problems --data exports/demo/shanghai-demo.xlsx --chain SH01
        qmap analyze problem-impact --problem P0002 --neo4j --format json
        qmap analyze city-overview --neo4j --format csv -o overview.csv
    """
    if list_only:
        _write(_list_text("json" if fmt == "json" else "table"), output, fmt)
        return
    if not name:
        fail("缺少分析名称 NAME；可选 (missing NAME; choose from): " + ", ".join(ANALYSES))
    if name not in ANALYSES:
        fail(f"未知的分析“{name}” (unknown analysis; choose from: {', '.join(ANALYSES)})")
    analysis = ANALYSES[name]
    if analysis.scope == "problem" and not problem:
        fail(f"{name} 需要选项 --problem ID (needs --problem ID)")
    if analysis.scope != "problem" and problem:
        fail(f"{name} 不接受选项 --problem (takes no --problem)")
    if analysis.scope != "chain" and chain:
        fail(f"{name} 不接受选项 --chain (takes no --chain)")
    if data_path and use_neo4j:
        fail("选项 --data 与 --neo4j 只能选一个 (give --data or --neo4j, not both)")

    if data_path:
        from .core import load_graph

        G = load_graph(data_path)
        try:
            frame = analysis.run(G, chain=chain, problem=problem)
        except UnknownIdError as error:
            fail(str(error))
    elif use_neo4j or uri:
        if not uri:
            fail("选项 --neo4j 需要 --uri 或环境变量 NEO4J_URI (set NEO4J_URI or --uri)")
        from ..store.cypher_library import run_analysis
        from ..store.neo4j import StoreError

        try:
            frame = run_analysis(neo4j_settings(uri, username, password, database), name,
                                 chain=chain, problem=problem)
        except UnknownIdError as error:
            fail(str(error))
        except StoreError as error:
            # A bad URI is the caller's input (2); an unreachable or failing server is not (1).
            fail(str(error), 2 if error.kind in ("config", "input") else 1)
    else:
        fail("请用 --data 指定工作簿，或用 --neo4j 连接 Neo4j (give --data PATH or --neo4j)")
    _write(render(frame, fmt), output, fmt)
