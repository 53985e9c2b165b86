"""Reusable click options and helpers shared by every ``qmap`` command."""

from __future__ import annotations

import os
import sys

import click

__all__ = [
    "data_option",
    "neo4j_options",
    "quiet_option",
    "format_option",
    "output_option",
    "show_progress",
    "fail",
    "Neo4jSettings",
]


def data_option(required: bool = False):
    return click.option(
        "--data",
        "data_path",
        type=click.Path(exists=True, dir_okay=True, file_okay=True),
        required=required,
        help="Intake workbook (.xlsx) or folder of CSV files (embedded default, no server needed).",
    )


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


def format_option(*choices: str, default: str = "table"):
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
        help="Output format.",
    )


def output_option(default: str, help_text: str = "Output folder."):
    return click.option("-o", "--output", type=click.Path(), default=default, show_default=True, help=help_text)


def show_progress(quiet: bool) -> bool:
    """Progress bars go to stderr, and only when a person is watching."""
    return not quiet and sys.stderr.isatty()


def fail(message: str, code: int = 2):
    """Print one clear line on stderr and exit (2: bad input or usage, 1: runtime failure)."""
    click.echo(f"错误 Error: {message}", err=True)
    sys.exit(code)


def neo4j_settings(uri, username, password, database) -> Neo4jSettings:
    return Neo4jSettings(uri or os.environ.get("NEO4J_URI"), username, password, database)
