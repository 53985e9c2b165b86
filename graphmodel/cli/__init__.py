"""The ``qmap`` command line: a thin layer over the :mod:`graphmodel` library.

Each group of commands lives in its own module and registers itself on :data:`main`.
Failed writes are handled here, once for every command: an
:class:`~graphmodel.files.OutputError` (and, as a last resort, any other OS error) is
one line on stderr and exit status 1 (2 when qmap itself refused), never a traceback.

Before any command runs, the terminal streams get the degrading error handler of
:mod:`graphmodel.cli.console`, so no command (nor a click usage message) crashes on a
GBK or ASCII console.

The console script is :func:`run`: :data:`main`, then out of the process without freeing,
object by object, the data set and graph the command kept (:func:`keep_until_exit`).
"""

from __future__ import annotations

import atexit
import errno
import gc
import os
import sys
import threading
import traceback

import click

from ..files import OutputError, command_inputs, describe_os_error, os_cause
from ..fonts import MissingFontError
from .console import setup_streams
from .options import fail

__all__ = ["main", "run", "keep_until_exit"]


def _let_go(error: BaseException) -> None:
    """Free what the failed writer held, now and quietly.

    A writer stopped by the system (openpyxl's zip file, say) is closed when its frames
    die; closing it fails again, and Python would print that as an "Exception ignored"
    traceback on the way out.
    """
    hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: None
    try:
        seen = set()
        while error is not None and id(error) not in seen:
            seen.add(id(error))
            traceback.clear_frames(error.__traceback__)
            error = error.__cause__ or error.__context__
        gc.collect()  # generators in reference cycles close here too
    finally:
        sys.unraisablehook = hook


#: What the running command read (its data set, its graph), left for the operating system to free
#: when the process ends: Python would free a province's graph one object at a time after the
#: answer is out (1.8 s of the 13 s ``qmap validate`` takes at 100k firms). Each command lets go
#: of the previous one's (CliRunner runs many in one process).
_KEPT: list = []


def keep_until_exit(value):
    """Keep ``value`` alive to the end of the process (see :func:`run`); returns it."""
    _KEPT.append(value)
    return value


def run() -> None:
    """The ``qmap`` console script: :data:`main`, then out.

    When the command kept what it read (:func:`keep_until_exit`) and nothing else runs beside
    it, the streams are flushed and the exit handlers run, and the process ends without
    tearing its objects down; otherwise it exits the usual way.
    """
    try:
        main()
    except SystemExit as done:
        code = done.code
        if not _KEPT or threading.active_count() > 1 or not (code is None or isinstance(code, int)):
            raise
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed pipe: click has already said what it says
                pass
        atexit._run_exitfuncs()
        os._exit(code or 0)


class QmapGroup(click.Group):
    """The top-level group: encoding-safe streams first; every command runs with its own protected
    inputs; every OS failure, and a missing font, is one line."""

    def main(self, *args, **kwargs):
        setup_streams()
        return super().main(*args, **kwargs)

    def invoke(self, ctx):
        _KEPT.clear()
        with command_inputs():
            try:
                return super().invoke(ctx)
            except MissingFontError as error:
                fail(str(error), 1)
            except OutputError as error:
                _let_go(error)
                fail(str(error), error.status)
            except OSError as error:
                if error.errno == errno.EPIPE:  # stdout closed (qmap … | head): click handles it quietly
                    raise
                _let_go(error)
                fail(describe_os_error(error), 1)
            except Exception as error:  # a library that wraps a failed write in its own error (lxml)
                cause = os_cause(error)
                if cause is None:
                    raise
                _let_go(error)
                fail(describe_os_error(cause), 1)


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
