"""What the wheel carries: every package folder, and the Cypher library as package data."""

from __future__ import annotations

import configparser
from pathlib import Path

from graphmodel.analyses import ANALYSES
from graphmodel.resources import cypher_dir, cypher_file, cypher_text

ROOT = Path(__file__).resolve().parents[1]


def test_setup_cfg_lists_every_package_folder():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    listed = {p.strip() for p in config["options"]["packages"].split() if p.strip()}
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "graphmodel").rglob("__init__.py")}
    assert listed == found | {"graphmodel.cypher"}, listed ^ (found | {"graphmodel.cypher"})
    assert "graphmodel.cypher = cypher" in config["options"]["package_dir"]


def test_every_cypher_file_of_the_checkout_is_found_through_the_locator():
    files = sorted(p.relative_to(ROOT / "cypher") for p in (ROOT / "cypher").rglob("*.cypher"))
    assert len(files) > 20
    for rel in files:
        assert cypher_file(*rel.parts).read_text(encoding="utf-8") == (ROOT / "cypher" / rel).read_text("utf-8")
    for analysis in ANALYSES.values():
        assert cypher_file("queries", analysis.cypher).is_file()
    assert "CREATE CONSTRAINT" in cypher_text("schema.cypher")


def test_cypher_dir_override(tmp_path, monkeypatch):
    (tmp_path / "schema.cypher").write_text("// mine\n", encoding="utf-8")
    monkeypatch.setenv("QMAP_CYPHER_DIR", str(tmp_path))
    assert cypher_text("schema.cypher") == "// mine\n"
    assert Path(str(cypher_dir())) == tmp_path


# -- every import is a declared dependency -------------------------------------------------

import ast  # noqa: E402
import importlib.metadata  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import sysconfig  # noqa: E402
import xml.etree.ElementTree as ET  # noqa: E402

import pytest  # noqa: E402


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement).group(1)).lower()


def _declared() -> tuple[set[str], set[str]]:
    """(install_requires, the test extra) of setup.cfg, as normalised distribution names."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    lines = lambda text: [ln for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]  # noqa: E731
    runtime = {_name(r) for r in lines(config["options"]["install_requires"])}
    test = {_name(r) for r in lines(config["options.extras_require"]["test"])}
    return runtime, test


def _imports(folder: Path) -> dict[str, set[str]]:
    """Top-level modules imported anywhere under ``folder`` (lazy imports included), but not the stdlib."""
    found: dict[str, set[str]] = {}
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else []
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names:
                    found.setdefault(top, set()).add(path.name)
    return found


def _distribution(module: str) -> str:
    dists = importlib.metadata.packages_distributions().get(module)
    assert dists, f"{module} is imported but no installed distribution provides it"
    return _name(dists[0])


def test_every_import_of_the_package_is_a_declared_dependency():
    runtime, test = _declared()
    imported = {_distribution(m): files for m, files in _imports(ROOT / "graphmodel").items() if m != "graphmodel"}
    undeclared = {d: sorted(f) for d, f in imported.items() if d not in runtime}
    assert not undeclared, f"imported by graphmodel but not in install_requires: {undeclared}"
    assert not set(imported) & (test - runtime), "a test-only dependency is imported by the package"
    from graphmodel.fonts import BUNDLED_FONT_PACKAGES

    fonts = {_distribution(m) for m in BUNDLED_FONT_PACKAGES}
    assert fonts <= runtime
    assert USED_WITHOUT_IMPORT <= runtime
    unused = runtime - set(imported) - fonts - USED_WITHOUT_IMPORT
    assert not unused, f"declared but never used: {unused}"


#: Declared, never imported: the driver finds its Rust packer (neo4j-rust-ext installs it
#: inside the driver's own package) and uses it by itself.
USED_WITHOUT_IMPORT = {"neo4j-rust-ext"}


def test_the_driver_packs_with_its_rust_extension():
    import importlib.util

    import neo4j

    assert importlib.util.find_spec("neo4j._rust") is not None, "neo4j-rust-ext is not installed"
    assert importlib.metadata.version("neo4j-rust-ext").startswith(neo4j.__version__ + ".")  # the matching build


def test_the_installed_metadata_declares_the_same_dependencies():
    runtime, test = _declared()
    requires = importlib.metadata.requires("qmap") or []
    assert {_name(r) for r in requires if "extra ==" not in r} == runtime
    assert {_name(r) for r in requires if re.search(r"""extra\s*==\s*["']test["']""", r)} == test


def test_the_tests_import_only_declared_dependencies():
    runtime, test = _declared()
    # the repository's own modules: test helpers and the benches' generators
    local = {p.stem for folder in ("tests", "bench") for p in (ROOT / folder).glob("*.py")} | {"graphmodel"}
    imported = {_distribution(m) for m in _imports(ROOT / "tests") if m not in local}
    assert imported <= runtime | test, imported - runtime - test


# -- the Neo4j server from a wheel --------------------------------------------------------

def test_the_wheel_pom_is_the_checkout_pom():
    """An installed wheel has no neo4j/pom.xml; the pom it writes must resolve the same server."""
    from graphmodel.store import server

    ns = {"m": "http://maven.apache.org/POM/4.0.0"}

    def coordinates(root):
        props = {p.tag.split("}")[1]: p.text for p in root.find("m:properties", ns) or []}
        resolve = lambda text: re.sub(r"\$\{([^}]+)\}", lambda m: props[m.group(1)], text)  # noqa: E731
        deps = {(d.find("m:groupId", ns).text, d.find("m:artifactId", ns).text, resolve(d.find("m:version", ns).text))
                for d in root.iter("{http://maven.apache.org/POM/4.0.0}dependency")}
        plugins = {(p.find("m:artifactId", ns).text, p.find("m:version", ns).text)
                   for p in root.iter("{http://maven.apache.org/POM/4.0.0}plugin")}
        return deps, plugins

    checkout = ET.parse(ROOT / "neo4j" / "pom.xml").getroot()
    wheel = ET.fromstring(server._FALLBACK_POM.format(version=server._WHEEL_NEO4J_VERSION,
                                                      plugin=server._WHEEL_DEPENDENCY_PLUGIN).encode())
    assert coordinates(wheel) == coordinates(checkout)
    assert server._WHEEL_NEO4J_VERSION == server._pom_version(ROOT / "neo4j" / "pom.xml")


def test_a_missing_pom_is_replaced_by_the_wheel_pom(tmp_path, monkeypatch):
    from graphmodel.store import server

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("LOCALAPPDATA", raising=False)
    stale = tmp_path / "qmap" / f"neo4j-pom-{server.NEO4J_VERSION}" / "pom.xml"
    stale.parent.mkdir(parents=True)
    stale.write_text("<project/>", encoding="utf-8")  # left by an older qmap
    pom = server._pom_or_fallback(tmp_path / "no-checkout" / "pom.xml")
    assert pom == stale and "maven-dependency-plugin" in pom.read_text("utf-8")


# -- the suite itself, run against the installed wheel (.ci/run sets QMAP_TEST_INSTALLED) --

@pytest.mark.skipif(not os.environ.get("QMAP_TEST_INSTALLED"), reason="only in the run against the installed wheel")
def test_the_suite_imports_the_installed_wheel_not_the_checkout():
    import graphmodel

    package = Path(graphmodel.__file__).resolve().parent
    assert package.is_relative_to(Path(sysconfig.get_paths()["purelib"]).resolve()), package
    assert not package.is_relative_to(ROOT)
    direct_url = importlib.metadata.distribution("qmap").read_text("direct_url.json") or "{}"
    assert '"editable": true' not in direct_url.replace(" ", "").replace('"editable":true', '"editable": true')
    assert (package / "cypher" / "schema.cypher").is_file() and (package / "assets" / "chain_map.html").is_file()
