"""qmap neo4j start|stop|status, qmap load, qmap query: the Neo4j side of the command line.

\b
    export NEO4J_PASSWORD=...          # 8+ characters, chosen once
    qmap neo4j start                   # local Neo4j 5.26 on bolt://127.0.0.1:7687
    export NEO4J_URI=bolt://127.0.0.1:7687
    qmap load my-chains.xlsx
    qmap query "MATCH (e:Enterprise) RETURN e.id, e.name LIMIT 5"
    qmap neo4j stop
"""

from __future__ import annotations

import csv
import io
import json
import os
from contextlib import ExitStack
from pathlib import Path

import click

from . import main
from .options import data_option, fail, neo4j_options, quiet_option, show_progress

__all__ = ["neo4j_group", "load", "query", "parse_param", "render_table"]


# --------------------------------------------------------------------------- local server

@main.group("neo4j")
def neo4j_group():
    """A local Neo4j Community 5.26 server (from Maven Central; needs Java 17+ and Maven).

    Data, logs and configuration live in $QMAP_NEO4J_HOME (default ~/.cache/qmap/neo4j);
    the password of user neo4j is NEO4J_PASSWORD, set at the first start.
    """


def _server_options(func):
    func = click.option("--home", type=click.Path(file_okay=False), default=None,
                        help="Server folder (default: $QMAP_NEO4J_HOME or ~/.cache/qmap/neo4j).")(func)
    func = click.option("--port", type=click.IntRange(1, 65535), default=None,
                        help="Bolt port on 127.0.0.1 (default: $QMAP_NEO4J_PORT, else the port of a local NEO4J_URI, else 7687).")(func)
    return func


def _server(port, home, **extra):
    from ..store.server import LocalServer

    return LocalServer.from_env(port=port, home=home, **extra)


@neo4j_group.command("start")
@_server_options
@click.option("--heap", default=None, help="JVM heap, e.g. 2g (default: $QMAP_NEO4J_HEAP or 2g).")
@click.option("--pagecache", default=None, help="Page cache, e.g. 1g (default: $QMAP_NEO4J_PAGECACHE or 1g).")
@click.option("--timeout", type=float, default=180.0, show_default=True, help="Seconds to wait for Bolt.")
@click.option("--reset", is_flag=True, help="Delete the server's data first (and set the password again).")
def neo4j_start(port, home, heap, pagecache, timeout, reset):
    """Start the local server and wait until it accepts connections.

    \b
    Example:
        NEO4J_PASSWORD=my-secret-pw qmap neo4j start --port 7687
    """
    from ..store.server import NEO4J_VERSION, ServerError

    server = _server(port, home, heap=heap, pagecache=pagecache)
    if server.running_pid():
        if reset:
            click.echo(f"Neo4j 正在运行，先停止再清空数据 running at {server.uri} (pid {server.running_pid()}): "
                       "stopping it to reset its data", err=True)
        else:
            click.echo(f"Neo4j 已在运行，未重启 already running at {server.uri} (pid {server.running_pid()}); "
                       "add --reset to wipe its data", err=True)
    try:
        uri = server.start(timeout=timeout, reset=reset)
    except ServerError as exc:
        fail(str(exc), 1)
    click.echo(f"✔ Neo4j {NEO4J_VERSION} 已启动 running at {uri} (pid {server.running_pid()}, {server.home})")
    click.echo(f"  export NEO4J_URI={uri}")


@neo4j_group.command("stop")
@_server_options
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Seconds before it is killed.")
def neo4j_stop(port, home, timeout):
    """Stop the local server (by its own process id, cleanly)."""
    server = _server(port, home)
    if server.stop(timeout=timeout):
        click.echo("✔ Neo4j 已停止 stopped")
    else:
        click.echo(f"Neo4j 未运行 not running ({server.home})")


@neo4j_group.command("status")
@_server_options
def neo4j_status(port, home):
    """Is the local server running and answering? (exit status 3 when it is stopped)"""
    info = _server(port, home).status()
    if info["running"]:
        answer = "answering" if info["reachable"] else "not answering (starting, or NEO4J_PASSWORD differs)"
        click.echo(f"运行中 running: {info['uri']} pid {info['pid']}, {answer}; Neo4j {info['version']}; {info['home']}")
    else:
        click.echo(f"未运行 stopped ({info['home']})")
        raise SystemExit(3)


# --------------------------------------------------------------------------- load

def _store(uri, username, password, database):
    from ..store.neo4j import Neo4jStore, StoreError

    try:
        return Neo4jStore(uri or os.environ.get("NEO4J_URI"), username, password, database)
    except StoreError as exc:
        fail(str(exc), 2 if exc.kind == "config" else 1)


@main.command("load")
@click.argument("paths", metavar="PATH...", nargs=-1, required=True, type=click.Path(exists=True))
@neo4j_options
@click.option("--batch-size", type=click.IntRange(1), default=5000, show_default=True,
              help="Rows per transaction.")
@click.option("--workers", type=click.IntRange(1), default=2, show_default=True,
              help="Transactions in flight at once: the server commits one while the next is sent "
                   "(more for a cluster; 1 sends them one after another).")
@click.option("--atomic", is_flag=True,
              help="One transaction for the whole load (all or nothing; needs server memory for it all).")
@click.option("--bulk", is_flag=True,
              help="First load into an EMPTY database of the local server (qmap neo4j start) by neo4j-admin "
                   "import; the server is stopped and restarted for it.")
@click.option("--home", type=click.Path(file_okay=False), default=None,
              help="With --bulk: the local server's folder (default: $QMAP_NEO4J_HOME or ~/.cache/qmap/neo4j).")
@quiet_option
def load(paths, uri, username, password, database, batch_size, workers, atomic, bulk, home, quiet):
    """Load workbooks into Neo4j: validate, then upsert; each source ends up exactly as it is now.

    Several paths (or a folder holding several workbooks) are read as one graph first, so
    references may cross them; each is a source, named by its file or folder name. A bad
    workbook, or two that disagree, writes nothing. Loading the same workbook again changes
    nothing. If the server stops mid-load, run the same command again: the result is the
    same as an uninterrupted load.

    \b
    Example:
        qmap load ../shared/data/willems/W38 --uri bolt://127.0.0.1:7687
        qmap load 普陀区.xlsx 奉贤区.xlsx
        qmap load --bulk 全市/        # first load of a big city into an empty local database
    """
    from ..store.neo4j import StoreError, safe_uri
    from .core import load_graph

    if bulk:
        return _bulk_load(paths, uri, username, password, database, atomic, home, quiet)
    if home:
        fail("--home 只用于 --bulk --home only goes with --bulk (the local server's folder)", 2)
    G = load_graph(paths)  # exits 2 listing every intake error and conflict; nothing is written
    path = G.graph["source"]
    store = _store(uri, username, password, database)
    with ExitStack() as stack:
        stack.callback(store.close)
        bar = None
        if show_progress(quiet):
            bar = stack.enter_context(click.progressbar(
                length=G.number_of_nodes() + G.number_of_edges(), label="写入 loading",
                file=click.get_text_stream("stderr")))
        seen = [0]

        def progress(done, total):
            if bar is not None:
                bar.update(done - seen[0])
                seen[0] = done
        try:
            store.verify()
            report = store.load(G, batch_size=batch_size, progress=progress, atomic=atomic, workers=workers)
        except StoreError as exc:
            stack.close()  # end the progress bar before the message
            hint = ("; 重新运行同一命令即可完成 re-run the same command to finish the load"
                    if exc.kind == "unavailable" else "")
            fail(str(exc) + hint, 1)
    click.echo(f"✔ {path} → {safe_uri(store.uri)}: {report.nodes} nodes, {report.relationships} relationships "
               f"({', '.join(report.chains) or 'no chains'}) in {report.seconds:.1f}s")
    click.echo(f"  新建 created {report.nodes_created} nodes, {report.relationships_created} relationships; "
               f"删除 removed {report.nodes_deleted} nodes, {report.relationships_deleted} relationships")


def _bulk_load(paths, uri, username, password, database, atomic, home, quiet):
    """``qmap load --bulk``: the checks that need no data first, then intake, then the import."""
    from ..store.bulk import NotEmptyError, bulk_load, local_port
    from ..store.neo4j import StoreError, safe_uri
    from ..store.server import ServerError
    from .core import load_graph

    if atomic:
        fail("--atomic 不能与 --bulk 同用 --atomic does not go with --bulk (an import is all or nothing anyway)", 2)
    uri = uri or os.environ.get("NEO4J_URI")
    port = local_port(uri)
    if uri and port is None:
        fail(f"--bulk 需要 qmap 管理的本机服务器 --bulk needs the local server qmap manages (qmap neo4j start), "
             f"not {safe_uri(uri)}: use plain `qmap load` for a remote server", 2)
    G = load_graph(paths)  # exits 2 listing every intake error and conflict; nothing is written
    server = _server(port, home, password=password)
    say = (lambda message: click.echo(f"… {message}", err=True)) if show_progress(quiet) else None
    try:
        report = bulk_load(G, server, username=username, database=database, progress=say)
    except NotEmptyError as exc:
        fail(str(exc), 2)
    except StoreError as exc:
        fail(str(exc), 2 if exc.kind in ("config", "input") else 1)
    except (ServerError, OSError) as exc:   # OSError: the import files could not be written
        fail(f"批量导入失败 bulk load failed: {exc}", 1)
    click.echo(f"✔ {G.graph['source']} → {safe_uri(server.uri)} (neo4j-admin import): {report.nodes} nodes, "
               f"{report.relationships} relationships ({', '.join(report.chains) or 'no chains'}) in "
               f"{report.seconds:.1f}s, of which the import {report.import_seconds:.1f}s")
    click.echo("  之后用普通 `qmap load` 同步更新 later loads of these sources: plain `qmap load` (it syncs)")


# --------------------------------------------------------------------------- query

def parse_param(text: str) -> tuple[str, object]:
    """``name=value``: value read as JSON when it parses (2024, true, ["a","b"], "01"), else as text.

    >>> parse_param("chain=W38"), parse_param("year=2024"), parse_param('code="01"')
    (('chain', 'W38'), ('year', 2024), ('code', '01'))
    """
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise click.BadParameter(f"expected name=value, got {text!r}", param_hint="--param")
    try:
        return name, json.loads(value)
    except ValueError:
        return name, value


def render_table(columns: list[str], rows: list[list]) -> str:
    """A plain text table that lines up with Chinese text in it."""
    from ..store.neo4j import format_value
    from ..text import format_table

    return format_table(columns, [[format_value(v) for v in row] for row in rows], footer=f"({len(rows)} 行 rows)")


def _read_query(text: str) -> str:
    """A Cypher string, a .cypher file, or the name of one in cypher/queries/."""
    from ..resources import cypher_file

    candidates = [Path(text)] if text.endswith(".cypher") else []
    if "\n" not in text and " " not in text.strip():
        candidates.append(cypher_file("queries", f"{text.removesuffix('.cypher')}.cypher"))
    for path in candidates:
        if path.is_file():
            return path.read_text(encoding="utf-8-sig")
    if text.endswith(".cypher"):
        fail(f"查询文件不存在 query file not found: {text}", 2)
    return text


@main.command("query")
@click.argument("cypher")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A query parameter ($NAME); repeat for more. Values are JSON when they parse, else text.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
              help="Output format.")
@neo4j_options
@data_option()
def query(cypher, params, fmt, uri, username, password, database, data_path):
    """Run a read-only Cypher query (text, a .cypher file, or a name in cypher/queries/).

    Runs in READ access mode: the server refuses any write.

    \b
    Examples:
        qmap query "MATCH (c:Chain) RETURN c.id, c.name ORDER BY c.seq"
        qmap query "MATCH (e:Enterprise)-[:MEMBER_OF]->(:Chain {id: $chain}) RETURN e.id" --param chain=W38
        qmap query cypher/queries/single-source.cypher --param chain=W38 --format json
    """
    from ..store.neo4j import StoreError

    if data_path:
        fail("Cypher 查询需要 Neo4j 服务器 Cypher queries need a Neo4j server; --data (the embedded default) "
             "has none: run `qmap neo4j start` and `qmap load` the workbook, or set NEO4J_URI", 2)
    text = _read_query(cypher)
    values = dict(parse_param(p) for p in params)
    store = _store(uri, username, password, database)
    try:
        columns, rows = store.query(text, values)
    except StoreError as exc:
        fail(str(exc), 1)
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps([dict(zip(columns, row)) for row in rows], ensure_ascii=False, indent=1))
    elif fmt == "csv":
        from ..files import csv_text
        from ..store.neo4j import format_value

        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        # text that Excel would take for a formula stays text; numbers stay numbers
        writer.writerows([[csv_text(format_value(v)) if isinstance(v, str) else format_value(v) for v in row]
                          for row in rows])
        click.echo(buf.getvalue(), nl=False)
    else:
        click.echo(render_table(columns, rows))
