"""Reusable click options and helpers shared by every ``qmap`` command."""

from __future__ import annotations

import os
import sys

import click

__all__ = [
    "data_option",
    "read_limit_options",
    "read_limits",
    "neo4j_options",
    "quiet_option",
    "force_option",
    "format_option",
    "show_progress",
    "progress",
    "fail",
    "Neo4jSettings",
    "neo4j_settings",
    "source_options",
    "resolve_graph",
    "resolve_chain_option",
]


def _remember_limit(ctx: click.Context, param: click.Parameter, value):
    if value is not None:
        ctx.meta.setdefault("qmap.read_limits", {})[param.name] = value
    return value


def read_limit_options(func):
    """--max-xlsx-mb / --max-xlsx-ratio / --max-rows: how much a workbook may hold before it
    is refused (zip bombs, runaway sheets). Kept in the click context; see :func:`read_limits`."""
    from ..xlsx_reader import Limits

    defaults = Limits()
    options = [
        click.option("--max-xlsx-mb", "max_mb", type=click.IntRange(1), default=None, expose_value=False,
                     callback=_remember_limit, is_eager=True,
                     help=f"Largest uncompressed size of an .xlsx workbook, in MB [default: {defaults.max_mb}]."),
        click.option("--max-xlsx-ratio", "max_ratio", type=click.IntRange(1), default=None, expose_value=False,
                     callback=_remember_limit, is_eager=True,
                     help=f"Largest compression ratio of a big workbook part (zip bomb guard) "
                          f"[default: {defaults.max_ratio}]."),
        click.option("--max-rows", "max_rows", type=click.IntRange(1), default=None, expose_value=False,
                     callback=_remember_limit, is_eager=True,
                     help=f"Most rows per sheet or CSV file [default: {defaults.max_rows:,}]."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def read_limits():
    """The read limits the current command was given (defaults where none)."""
    from ..xlsx_reader import Limits

    ctx = click.get_current_context(silent=True)
    given = ctx.meta.get("qmap.read_limits", {}) if ctx is not None else {}
    return Limits(**given)


def data_option(required: bool = False):
    """--data PATH, repeatable: workbooks (.xlsx), CSV folders, or folders holding several of them,
    read together as one graph (``data_path`` is a tuple of paths, empty when not given)."""
    def decorate(func):
        func = read_limit_options(func)
        return click.option(
            "--data",
            "data_path",
            type=click.Path(exists=True, dir_okay=True, file_okay=True),
            multiple=True,
            required=required,
            help="Intake workbook (.xlsx) or folder of CSV files (embedded default, no server needed); "
                 "repeat it, or name a folder holding several, to read many sources as one graph.",
        )(func)
    return decorate


class Neo4jSettings:
    """Connection settings, following Neo4j's own environment variable names."""

    def __init__(self, uri, username, password, database):
        self.uri = uri
        self.username = username
        self.password = password
        self.database = database

    def __repr__(self) -> str:  # never show the password
        return f"Neo4jSettings(uri={self.uri!r}, username={self.username!r}, database={self.database!r})"


def neo4j_options(func):
    """--uri/--username/--password/--database, defaulting to NEO4J_* environment variables."""

    options = [
        click.option("--uri", envvar="NEO4J_URI", default=None, show_envvar=True,
                     help="Bolt URI, e.g. bolt://127.0.0.1:7687 or neo4j+s://xxxx.databases.neo4j.io"),
        click.option("--username", envvar="NEO4J_USERNAME", default="neo4j", show_envvar=True,
                     show_default=True, help="Neo4j user name."),
        click.option("--password", envvar="NEO4J_PASSWORD", default=None, show_envvar=True,
                     help="Neo4j password (prefer the environment variable)."),
        click.option("--database", envvar="NEO4J_DATABASE", default=None, show_envvar=True,
                     help="Database name (default: the server's default database)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def quiet_option(func):
    return click.option("-q", "--quiet", is_flag=True, help="No progress bars or chatter on stderr.")(func)


def force_option(func):
    """--force: the same rule for every command that writes (see :mod:`graphmodel.files`)."""
    return click.option("--force", is_flag=True,
                        help="Replace existing output (in a folder: only files qmap wrote there; never an input).")(func)


def format_option(*choices: str, default: str = "table"):
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
        help="Output format.",
    )


def show_progress(quiet: bool) -> bool:
    """Progress bars go to stderr, and only when a person is watching."""
    return not quiet and sys.stderr.isatty()


def progress(items, label: str, quiet: bool, length: int | None = None):
    """A progress bar on stderr when a person is watching; otherwise the items as they are."""
    from contextlib import nullcontext

    if show_progress(quiet):
        return click.progressbar(items, length=length, label=label, file=sys.stderr, show_pos=True)
    return nullcontext(items)


def fail(message: str, code: int = 2):
    """Print one clear line on stderr and exit (2: bad input or usage, 1: runtime failure)."""
    click.echo(f"错误 Error: {message}", err=True)
    sys.exit(code)


def neo4j_settings(uri, username, password, database) -> Neo4jSettings:
    return Neo4jSettings(uri or os.environ.get("NEO4J_URI"), username, password, database)


def source_options(func):
    """--data PATH (repeatable) | --neo4j (with the connection options): where the graph comes from."""
    func = neo4j_options(func)
    func = click.option("--neo4j", "use_neo4j", is_flag=True,
                        help="Read from the Neo4j server named by --uri / NEO4J_URI.")(func)
    return data_option()(func)


def resolve_graph(data_path, use_neo4j, uri, username, password, database, chain=None):
    """The networkx model from one or more workbooks (embedded default) or from Neo4j; exits 2 on bad input.

    With ``chain`` (and --neo4j) only that chain's map is read from the server; resolve the
    option with :func:`resolve_chain_option`.
    """
    if data_path and use_neo4j:
        fail("选项 --data 与 --neo4j 只能选一个 (give --data or --neo4j, not both)")
    if data_path:
        from .core import load_graph

        G = load_graph(data_path)
    elif use_neo4j or uri:
        if not uri:
            fail("选项 --neo4j 需要 --uri 或环境变量 NEO4J_URI (set NEO4J_URI or --uri)")
        from ..store.neo4j import Neo4jStore, StoreError

        try:
            with Neo4jStore(uri, username, password, database) as store:
                G = store.read_graph(chain=chain)
        except StoreError as error:
            fail(str(error), 2 if error.kind in ("input", "config") else 1)
    else:
        fail("请用 --data 指定工作簿，或用 --neo4j 连接 Neo4j (give --data PATH or --neo4j)")
    return G


def resolve_chain_option(G, chain: str | None) -> str | None:
    """The chain id that ``--chain`` names (its id in any letter case, or its exact name), or
    one clear line and exit 2 listing the chains there are."""
    if chain is None:
        return None
    from ..model import UnknownIdError, resolve_chain

    try:
        return resolve_chain(G, chain)
    except UnknownIdError as error:
        fail(f"选项 --chain：{error}")
