"""The ``qmap`` command line: a thin layer over the :mod:`graphmodel` library.

Each group of commands lives in its own module and registers itself on :data:`main`.
"""

from __future__ import annotations

import click

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
