"""One place for each fact: the graph vocabulary lives in the model, derived facts in the analyses.

These tests read the package's source: relationship types are spelt out (and edges filtered
by them) only in the schema, the model, the store and the analyses; the SME default is read
in one place; the static exporters never import the map pages; the library never imports
the CLI.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from graphmodel.schema import REL_TYPES

PACKAGE = Path(__file__).resolve().parents[1] / "graphmodel"
#: The modules that own the graph vocabulary and the derived facts.
OWNERS = {"schema.py", "model.py", "analyses.py", "headline.py"}


def sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), path.read_text("utf-8")


def test_relationship_types_are_spelt_only_in_the_schema_model_store_and_analyses():
    pattern = re.compile(r"""["'](%s)["']""" % "|".join(REL_TYPES))
    offenders = {}
    for name, text in sources():
        if name in OWNERS or name.startswith("store/"):
            continue
        found = sorted(set(pattern.findall(text)))
        if found:
            offenders[name] = found
    assert not offenders, offenders
    for path in sorted((PACKAGE / "assets").glob("*.js")):
        assert not pattern.findall(path.read_text("utf-8")), path.name


def test_the_sme_default_is_read_in_one_place():
    readers = [name for name, text in sources() if re.search(r"""\.get\(\s*["']sme["']""", text)]
    assert readers == ["model.py"], readers


def _imports(text: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_static_exporters_do_not_import_the_map_pages():
    for name, text in sources():
        if name.startswith("export/") and name != "export/html.py":
            assert not any("maps" in module for module in _imports(text)), name


def test_the_library_never_imports_the_cli():
    for name, text in sources():
        if not name.startswith("cli/"):
            assert not any(m.endswith("cli") or ".cli." in m or m.startswith("graphmodel.cli") or m == "..cli"
                           for m in _imports(text)), name


def test_only_the_store_imports_the_neo4j_driver():
    for name, text in sources():
        if not name.startswith("store/"):
            assert not any(m == "neo4j" or m.startswith("neo4j.") for m in _imports(text)), name
