"""One locator for the files that ship with qmap: the Cypher library, page assets, package data.

Everything is found through :mod:`importlib.resources`, so the same code works from a
source checkout (editable install) and from an installed wheel. The top-level
``cypher/`` folder of the checkout is the package ``graphmodel.cypher`` (``setup.cfg``
maps it), so it is installed with the wheel and never looked up by a path relative to
a source file. ``$QMAP_CYPHER_DIR`` points at another Cypher folder (one holding
``schema.cypher``, ``load/`` and ``queries/``), e.g. to try edited queries.

>>> cypher_file("queries", "single-source.cypher").name
'single-source.cypher'
>>> "vis" in asset_text("chain_map.html")
True
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # importlib.resources.abc is 3.11+; the objects work the same on 3.10
    from importlib.resources.abc import Traversable

__all__ = ["cypher_dir", "cypher_file", "cypher_text", "asset_text", "data_text", "package_file"]


def package_file(*parts: str) -> "Traversable":
    """A file or folder inside the installed ``graphmodel`` package."""
    return resources.files("graphmodel").joinpath(*parts)


def cypher_dir() -> "Traversable":
    """The Cypher library: ``$QMAP_CYPHER_DIR`` when set, else the packaged ``graphmodel.cypher``."""
    override = os.environ.get("QMAP_CYPHER_DIR")
    if override:
        return Path(override)
    return resources.files("graphmodel.cypher")


def cypher_file(*parts: str) -> "Traversable":
    """One file of the Cypher library, e.g. ``cypher_file("queries", "nqi-coverage.cypher")``."""
    return cypher_dir().joinpath(*parts)


def cypher_text(*parts: str) -> str:
    """The text of one Cypher file (UTF-8; a byte-order mark from a Windows editor is dropped)."""
    return cypher_file(*parts).read_text(encoding="utf-8-sig")


@lru_cache(maxsize=None)
def asset_text(name: str) -> str:
    """One of the page assets in ``graphmodel/assets`` (templates, JS, CSS)."""
    return package_file("assets", name).read_text("utf-8")


def data_text(name: str) -> str:
    """One file of package data in ``graphmodel/data`` (e.g. the notice's registry)."""
    return package_file("data", name).read_text("utf-8")
