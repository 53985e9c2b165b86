"""The ``qmap`` command line: a thin layer over the :mod:`graphmodel` library.

Each group of commands lives in its own module and registers itself on :data:`main`.
Before any command runs, the terminal streams get the degrading error handler of
:mod:`graphmodel.cli.console`, so no command (nor a click usage message) crashes on a
GBK or ASCII console.
"""

from __future__ import annotations

import click

from ..fonts import MissingFontError
from .console import setup_streams

__all__ = ["main"]


class QmapGroup(click.Group):
    """The top-level group: encoding-safe streams first; a missing font is one line, exit 1."""

    def main(self, *args, **kwargs):
        setup_streams()
        return super().main(*args, **kwargs)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except MissingFontError as error:
            click.echo(f"错误 Error: {error}", err=True)
            ctx.exit(1)


@click.group(cls=QmapGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="qmap")
def main():
    """qmap — 产业链供应链质量图谱 supply-chain quality maps.

    \b
    Start here:
        qmap demo                       # illustrative data for all 28 Shanghai chains
        qmap validate my-chains.xlsx    # check an intake workbook
        qmap template blank.xlsx        # an empty workbook to fill in
    """


# Registration happens on import; keep this list in the order commands appear in --help.
from . import core  # noqa: E402,F401
from . import neo4j_cmds  # noqa: E402,F401
from . import analyze_cmds  # noqa: E402,F401
from . import map_cmds  # noqa: E402,F401
from . import export_cmds  # noqa: E402,F401
from . import lists_cmds  # noqa: E402,F401
