"""qmap analyze: the ten named analyses, on the embedded graph or on Neo4j.

The embedded backend runs :mod:`graphmodel.analyses` on the model of ``--data``; the
Neo4j backend runs the Cypher library (``cypher/queries/<name>.cypher``) through
:func:`graphmodel.store.cypher_library.run_analysis`. Both give the same rows.
"""

from __future__ import annotations

import json
import sys
import numbers

import click
import pandas as pd

from ..analyses import ANALYSES, UnknownIdError, to_csv, to_json, to_records
from ..files import csv_text, write_file
from ..text import analysis_table, cell_text, format_table
from . import main
from .options import fail, force_option, format_option, neo4j_settings, source_options

__all__ = ["analyze", "render"]


def _list_text(fmt: str) -> str:
    if fmt == "json":
        return json.dumps([{"name": a.name, "scope": a.scope, "zh": a.zh, "en": a.en, "cypher": a.cypher,
                            "keys": list(a.keys)} for a in ANALYSES.values()], ensure_ascii=False, indent=1)
    width = max(map(len, ANALYSES))
    scope = {"chain": "--chain", "problem": "--problem", "city": ""}
    return "\n".join(f"{a.name:<{width}}  {scope[a.scope]:<9}  {a.zh} — {a.en}" for a in ANALYSES.values())


def render(frame: pd.DataFrame, fmt: str, names: dict | None = None, lang: str = "zh") -> str:
    """The text of an analysis result: a table (Chinese headers and words, a name beside
    every id; ``lang="en"``: the contract's keys and codes), a JSON array of objects, or CSV.
    JSON and CSV always carry the contract's English keys and codes."""
    if fmt == "json":
        return to_json(frame)
    if fmt == "csv":  # for Excel: text that would be a formula stays text (numbers stay numbers)
        cells = frame.copy()
        for column in cells.columns:
            if cells[column].dtype == object:
                cells[column] = [v if isinstance(v, numbers.Number) or v is None else csv_text(cell_text(v))
                                 for v in cells[column]]
        return to_csv(cells)
    if not len(frame):
        return "（无结果 no rows）"
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
               for c in frame.columns]
    headers, rows, align = analysis_table(to_records(frame), list(frame.columns), numeric, names, lang)
    return format_table(headers, rows, align, footer=f"({len(rows)} 行 rows)")


def _shows_chinese(stream) -> bool:
    """Can ``stream`` show Chinese text (UTF-8, GBK…), or would every character become ``?`` (ASCII)?"""
    try:
        "中文".encode(getattr(stream, "encoding", None) or "utf-8")
        return True
    except (UnicodeEncodeError, LookupError):
        return False


def _ids(frame: pd.DataFrame) -> set[str]:
    """Every id a table row shows (id columns, and lists of problem or body ids)."""
    found: set[str] = set()
    for row in to_records(frame):
        for column, value in row.items():
            if column.endswith("_id") and isinstance(value, str):
                found.add(value)
            elif column in ("problems", "bodies") and isinstance(value, list):
                found.update(v for v in value if isinstance(v, str))
    return found


def _graph_names(G, frame: pd.DataFrame) -> dict:
    return {i: G.nodes[i].get("name") for i in _ids(frame) if i in G}


def _server_names(settings, frame: pd.DataFrame) -> dict:
    from ..store.cypher_library import run_query

    ids = sorted(_ids(frame))
    if not ids:
        return {}
    rows = run_query(settings, "MATCH (n) WHERE n.id IN $ids RETURN n.id AS id, n.name AS name", {"ids": ids})
    return {r["id"]: r["name"] for r in rows}


def _write(text: str, output: str | None, fmt: str, force: bool) -> None:
    if output is None:
        click.echo(text)
        return
    # Excel opens a CSV as UTF-8 only when it starts with a byte-order mark.
    data = (text if text.endswith("\n") else text + "\n").encode("utf-8-sig" if fmt == "csv" else "utf-8")
    write_file(output, data, force=force)  # never replaces the --data workbook, nor anything without --force
    click.echo(f"已写入 wrote {output}", err=True)


@main.command("analyze")
@click.argument("name", required=False, metavar="NAME")
@click.option("--list", "list_only", is_flag=True, help="List the analyses, one line each, and exit.")
@click.option("--chain", default=None, metavar="ID", help="Only this chain (per-chain analyses; default: every chain).")
@click.option("--problem", default=None, metavar="ID", help="The problem (problem-impact; required there).")
@source_options
@format_option("table", "json", "csv")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
              help="Table headers and values: Chinese words with names beside ids (zh, the default), or the "
                   "contract's keys and codes (en; also the default where the output cannot show Chinese, e.g. "
                   "an ASCII console). JSON and CSV always use the keys and codes.")
@click.option("-o", "--output", type=click.Path(), metavar="FILE", default=None,
              help="Write to this file instead of standard output (CSV with a BOM, for Excel).")
@force_option
def analyze(name, list_only, chain, problem, data_path, use_neo4j, uri, username, password, database, fmt,
            lang, output, force):
    """Run a named analysis (分析): on the workbook of --data, or on Neo4j.

    Embedded when given --data; Neo4j (the Cypher library in cypher/queries/) when
    given --neo4j, or when NEO4J_URI is set and --data is not. Both give the same
    rows. JSON is an array of objects; lists stay lists, counts by status or pillar
    are objects.

    \b
    Example:
        qmap analyze --list
        qmap analyze uncovered-problems --data exports/demo/shanghai-demo.xlsx --chain SH01
        qmap analyze owner-benchmark --data exports/demo/shanghai-demo.xlsx --chain 光伏玻璃产业链质量提升
        qmap analyze sme-unsupported --data exports/demo/shanghai-demo.xlsx --chain sh02 --lang en
        qmap analyze problem-impact --problem P0002 --neo4j --format json
        qmap analyze city-overview --neo4j --format csv -o overview.csv --force
    """
    if lang is None:
        lang = "zh" if output is not None or _shows_chinese(sys.stdout) else "en"
    if list_only:
        _write(_list_text("json" if fmt == "json" else "table"), output, fmt, force)
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
        names = _graph_names(G, frame) if fmt == "table" and lang == "zh" else {}
    elif use_neo4j or uri:
        if not uri:
            fail("选项 --neo4j 需要 --uri 或环境变量 NEO4J_URI (set NEO4J_URI or --uri)")
        from ..store.cypher_library import run_analysis
        from ..store.neo4j import StoreError

        settings = neo4j_settings(uri, username, password, database)
        try:
            frame = run_analysis(settings, name, chain=chain, problem=problem)
            names = _server_names(settings, frame) if fmt == "table" and lang == "zh" else {}
        except UnknownIdError as error:
            fail(str(error))
        except StoreError as error:
            # A bad URI is the caller's input (2); an unreachable or failing server is not (1).
            fail(str(error), 2 if error.kind in ("config", "input") else 1)
    else:
        fail("请用 --data 指定工作簿，或用 --neo4j 连接 Neo4j (give --data PATH or --neo4j)")
    _write(render(frame, fmt, names, lang), output, fmt, force)
