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
