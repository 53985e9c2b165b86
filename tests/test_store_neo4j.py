"""graphmodel.store.neo4j: statements from the fixed schema, load/sync, read-back, read-only queries.

Integration tests run against the real server named by NEO4J_URI (fixtures in conftest.py).
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphmodel.cli import main
from graphmodel.cli.neo4j_cmds import parse_param, render_table
from graphmodel.text import display_width as _width
from graphmodel.intake import read_dataset
from graphmodel.model import build_graph, chain_subgraph, summary
from graphmodel.schema import LABELS, REL_IDENTITY, REL_TYPES
from graphmodel.resources import cypher_text
from graphmodel.store.neo4j import Neo4jStore, StoreError, _template, safe_uri, statement
from conftest import assert_same_graph, willems
from handmade import handmade_rows, write_csv_folder, write_xlsx
from sources_help import as_source, merge_sources, split_by_district, without



# --------------------------------------------------------------------------- helpers

@pytest.fixture(scope="module")
def handmade_graph(tmp_path_factory):
    path = write_xlsx(tmp_path_factory.mktemp("wb") / "handmade.xlsx", handmade_rows())
    return as_source(build_graph(read_dataset(path)), "handmade.xlsx")


@pytest.fixture(scope="module")
def w38():
    return as_source(build_graph(read_dataset(willems("W38"))), "W38")


def _copy_without(src: Path, dst: Path, gone: set[str]) -> Path:
    """A copy of a CSV intake folder with every row naming one of ``gone`` left out."""
    dst.mkdir(parents=True)
    for path in src.glob("*.csv"):
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        kept = [rows[0]] + [r for r in rows[1:] if not gone & set(r)]
        with open(dst / path.name, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(kept)
    return dst


# --------------------------------------------------------------------------- statements (no server)

def test_statements_take_labels_and_types_only_from_the_schema():
    text = statement("merge_nodes", label="SupportBody")
    assert "MERGE (n:SupportBody {id: row[0]})" in text
    assert "SET x:TrainingBase" in text and "REMOVE x:TrainingBase" in text   # follows `services`
    removed = re.search(r"REMOVE x((?::\w+)+)\n", text).group(1).split(":")[1:]
    assert set(removed) == set(LABELS) - {"SupportBody", "TrainingBase"}
    assert "TrainingBase" in statement("merge_nodes", label="Enterprise").split("REMOVE x:")[-1]
    with pytest.raises(StoreError):
        statement("merge_nodes", label="Robert'); DROP")
    with pytest.raises(StoreError):
        statement("merge_rels", rel_type="OWNS", start="Enterprise", end="Enterprise")
    with pytest.raises(StoreError):
        statement("given_nodes", label="Person")


def test_every_statement_fills_in_for_every_label_and_type():
    for label in LABELS:
        for name in ("merge_nodes", "given_nodes", "ids_elsewhere", "rels_from"):
            assert "__" not in statement(name, label=label).replace("$", "")
    for rel_type, (starts, ends) in REL_TYPES.items():
        for name in ("merge_rels", "given_rels", "ends_elsewhere"):
            text = statement(name, rel_type=rel_type, start=starts[0], end=ends[0])
            assert f"[r:{rel_type}" in text and "__" not in text
    for name in ("withdraw_rels", "withdraw_nodes", "source_begin", "source_end", "sources", "uscc_elsewhere"):
        assert "__" not in statement(name)
    supplies = statement("merge_rels", rel_type="SUPPLIES", start="Enterprise", end="Enterprise")
    assert "MERGE (a)-[r:SUPPLIES {qmap_key: row[2]}]->(b)" in supplies
    # the contribution logic is written once, for nodes and relationships alike
    assert _template("contribute").count("__LOCK__") == 1 and "SET x.id = x.id" in statement("merge_nodes", label="Chain")
    assert "x.qmap_given" in supplies and "x.qmap_given" in statement("merge_nodes", label="Chain")


def test_schema_indexes_the_run_marks_of_every_label_and_type():
    text = re.sub(r"//.*", "", cypher_text("schema.cypher"))
    nodes = re.search(r"FULLTEXT INDEX qmap_node_marks IF NOT EXISTS\s+FOR \(n:([\w|]+)\)", text).group(1)
    rels = re.search(r"FULLTEXT INDEX qmap_rel_marks IF NOT EXISTS\s+FOR \(\)-\[r:([\w|]+)\]", text).group(1)
    assert set(nodes.split("|")) == set(LABELS) and set(rels.split("|")) == set(REL_TYPES)


def test_schema_has_an_id_constraint_per_label_and_the_supplies_index():
    text = cypher_text("schema.cypher")
    constrained = set(re.findall(r"FOR \(n:(\w+)\) REQUIRE n\.id IS UNIQUE", text))
    assert constrained == set(LABELS)
    assert not re.search(r"FOR \(\)-\[r:(SUPPLIES|REPORTS|TARGETS)\]", text)  # see schema.cypher
    statements = [s for s in re.sub(r"//.*", "", text).split(";") if s.strip()]
    assert all("IF NOT EXISTS" in s for s in statements)


def test_safe_uri_drops_credentials():
    assert safe_uri("neo4j+s://neo4j:s3cret-pw@abcd.databases.neo4j.io:7687") == "neo4j+s://abcd.databases.neo4j.io:7687"
    assert safe_uri("bolt://127.0.0.1:7687") == "bolt://127.0.0.1:7687"


def test_secure_schemes_are_accepted_as_the_uri_says():
    # The driver raises ConfigurationError when encryption options are given with a +s/+ssc
    # scheme; the store must set none, so Aura-style URIs work.
    for uri in ("neo4j+s://abcd.databases.neo4j.io", "bolt+ssc://127.0.0.1:7687", "neo4j://127.0.0.1"):
        Neo4jStore(uri, "neo4j", "irrelevant-pw").close()
    with pytest.raises(StoreError) as bad:
        Neo4jStore("http2://127.0.0.1:7687", "neo4j", "irrelevant-pw")
    assert bad.value.kind == "config" and "irrelevant-pw" not in str(bad.value)


def test_param_values_and_table_layout():
    assert parse_param("chain=W38") == ("chain", "W38")
    assert parse_param("year=2024") == ("year", 2024)
    assert parse_param('ids=["E1","E2"]') == ("ids", ["E1", "E2"])
    assert parse_param("title=a=b") == ("title", "a=b")
    table = render_table(["id", "name"], [["C1", "光伏玻璃产业链"], ["W38", "Willems chain 38"]])
    lines = table.splitlines()
    # every row's separator sits in the same terminal column, Chinese counted double width
    assert len({_width(line.split("|")[0]) for line in lines[:1] + lines[2:4]}) == 1
    assert lines[-1].startswith("(2 ")


def test_query_without_a_server_says_how_to_get_one(tmp_path, monkeypatch):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    data = write_csv_folder(tmp_path / "wb", handmade_rows())
    runner = CliRunner()
    result = runner.invoke(main, ["query", "MATCH (n) RETURN n", "--data", str(data)])
    assert result.exit_code == 2
    assert "qmap neo4j start" in result.stderr and "NEO4J_URI" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    result = runner.invoke(main, ["query", "RETURN 1"])
    assert result.exit_code == 2 and "NEO4J_URI" in result.stderr


# --------------------------------------------------------------------------- load and read back

@pytest.mark.neo4j
def test_round_trip_equals_the_embedded_model(neo4j_db, handmade_graph):
    neo4j_db.load(handmade_graph)
    assert_same_graph(handmade_graph, neo4j_db.read_graph())
    for chain in ("C1", "C2"):
        assert_same_graph(chain_subgraph(handmade_graph, chain), neo4j_db.read_graph(chain=chain))
    H = neo4j_db.read_graph()
    assert H.nodes["B3"]["labels"] == ("SupportBody", "TrainingBase")
    assert H.nodes["C1"]["name"] == "光伏玻璃产业链质量提升" and H.nodes["C1"]["key"] is True
    assert neo4j_db.counts() == summary(handmade_graph)


@pytest.mark.neo4j
def test_loading_twice_changes_no_count(neo4j_db, handmade_graph):
    first = neo4j_db.load(handmade_graph, batch_size=3)
    counts = neo4j_db.counts()
    second = neo4j_db.load(handmade_graph, batch_size=3)
    assert neo4j_db.counts() == counts == summary(handmade_graph)
    assert first.nodes_created == handmade_graph.number_of_nodes()
    assert first.relationships_created == handmade_graph.number_of_edges()
    assert (second.nodes_created, second.relationships_created, second.nodes_deleted,
            second.relationships_deleted) == (0, 0, 0, 0)


@pytest.mark.neo4j
def test_atomic_load_gives_the_same_graph(neo4j_db, handmade_graph):
    report = neo4j_db.load(handmade_graph, atomic=True)
    assert report.batches == 1
    assert_same_graph(handmade_graph, neo4j_db.read_graph())


@pytest.mark.neo4j
def test_reload_makes_the_database_match_the_changed_workbook(neo4j_db, handmade_graph, tmp_path):
    neo4j_db.load(handmade_graph)
    rows = handmade_rows()
    rows["support_bodies"][2][2] = "质量管理"          # B3 stops training: loses :TrainingBase
    rows["enterprises"][1][2] = "medium"              # E2 grows
    rows["enterprises"][0][4] = None                  # E1's uscc cleared: property removed
    rows["supplies"][0][4] = 0.8                      # share changed
    rows["readings"].pop()                            # one reading withdrawn
    rows["support_links"][0][2] = "testing"           # ENABLES B1→C1 now names a service
    changed = as_source(build_graph(read_dataset(write_xlsx(tmp_path / "changed.xlsx", rows))), "handmade.xlsx")
    report = neo4j_db.load(changed)
    assert_same_graph(changed, neo4j_db.read_graph())
    assert report.relationships_deleted == 2  # the reading, and the service-less ENABLES replaced
    H = neo4j_db.read_graph()
    assert "TrainingBase" not in H.nodes["B3"]["labels"] and "uscc" not in H.nodes["E1"]


@pytest.mark.neo4j
def test_cases_and_the_optional_columns_round_trip(neo4j_db, tmp_path):
    from handmade import extended_rows

    rows = extended_rows()
    G = as_source(build_graph(read_dataset(write_xlsx(tmp_path / "extended.xlsx", rows))), "extended.xlsx")
    assert "Case" in {d["label"] for _, d in G.nodes(data=True)}
    neo4j_db.load(G)
    assert_same_graph(G, neo4j_db.read_graph())
    for chain in ("C1", "C2"):
        assert_same_graph(chain_subgraph(G, chain), neo4j_db.read_graph(chain=chain))
    assert neo4j_db.counts() == summary(G)
    _, found = neo4j_db.query("MATCH (c:Case {id: 'CS1'})-[:ABOUT]->(x) RETURN x.id ORDER BY x.id")
    assert found == [["B1"], ["E3"], ["P1"]]
    _, tags = neo4j_db.query("MATCH (e:Enterprise {id: 'E1'}) RETURN e.tags")
    assert tags == [[["专精特新", "规上"]]]

    # The workbook drops case CS2 and one of CS1's related ids: reload removes exactly those.
    rows["cases"] = [rows["cases"][0][:5] + ["E3；P1"]]
    changed = as_source(build_graph(read_dataset(write_xlsx(tmp_path / "changed.xlsx", rows))), "extended.xlsx")
    report = neo4j_db.load(changed)
    assert_same_graph(changed, neo4j_db.read_graph())
    assert report.nodes_deleted == 1 and "CS2" not in neo4j_db.read_graph()


# --------------------------------------------------------------------------- many sources (issue 13)

@pytest.fixture(scope="module")
def districts():
    """The demo cut into its 16 districts: one source per district, sharing firms and bodies."""
    from graphmodel.demo import generate_demo
    from graphmodel.intake import read_tables

    return split_by_district(build_graph(read_tables(generate_demo(233))))


def _shared_firm(parts: dict) -> tuple[str, str, str]:
    """(firm, district A, district B): a firm both give, with readings, supplies in both."""
    city = merge_sources(parts)
    for firm in sorted(n for n, d in city.nodes(data=True) if d["label"] == "Enterprise" and len(d["sources"]) > 1):
        a, b = city.nodes[firm]["sources"][:2]
        types_b = {d["type"] for _, _, d in list(parts[b].in_edges(firm, data=True)) + list(parts[b].out_edges(firm, data=True))}
        if {"REPORTS", "MEMBER_OF"} <= types_b and parts[a].degree(firm) > 1:
            return firm, a, b
    raise AssertionError("the demo has no firm on chains of two districts")


@pytest.mark.neo4j
def test_sixteen_districts_in_any_order_give_the_city_graph(neo4j_db, districts):
    import random

    city = merge_sources(districts)
    assert len(districts) == 16 and sum(len(d["sources"]) > 1 for _, d in city.nodes(data=True)) > 10
    for seed in (1, 2, 3):
        order = sorted(districts)
        random.Random(seed).shuffle(order)
        neo4j_db.wipe()
        for name in order:
            report = neo4j_db.load(districts[name])
            assert report.sources == [name]
        assert_same_graph(city, neo4j_db.read_graph())
    assert sorted(neo4j_db.sources()) == sorted(districts)
    assert neo4j_db.counts() == summary(city)

    again = neo4j_db.load(districts[order[0]])          # a reload of one district changes nothing
    assert (again.nodes_created, again.relationships_created, again.nodes_deleted,
            again.relationships_deleted) == (0, 0, 0, 0)
    mine = again.per_source[order[0]]
    assert (mine.nodes_added, mine.nodes_withdrawn, mine.nodes) == (0, 0, districts[order[0]].number_of_nodes())

    neo4j_db.wipe()                                     # all sixteen in one load: the same graph
    report = neo4j_db.load(city)
    assert report.sources == sorted(districts)
    assert {s: r.nodes_added for s, r in report.per_source.items()} == {
        s: H.number_of_nodes() for s, H in districts.items()}
    assert_same_graph(city, neo4j_db.read_graph())


@pytest.mark.neo4j
def test_reloading_a_district_without_a_shared_firm_keeps_what_the_other_gives(neo4j_db, districts):
    firm, a, b = _shared_firm(districts)
    for H in districts.values():
        neo4j_db.load(H)
    before = neo4j_db.read_graph()
    assert before.nodes[firm]["sources"] == sorted([a, b]) or set([a, b]) <= set(before.nodes[firm]["sources"])

    smaller = without(districts[a], {firm})
    report = neo4j_db.load(smaller)
    expected = merge_sources({**districts, a: smaller})
    H = neo4j_db.read_graph()
    assert_same_graph(expected, H)
    assert firm in H and a not in H.nodes[firm]["sources"]
    assert {(u, v, k) for u, v, k in before.edges(keys=True) if firm in (u, v) and b in before.edges[u, v, k]["sources"]} \
        <= set(H.edges(keys=True))                       # its other district's links and readings stay
    assert any(d["type"] == "REPORTS" for _, _, d in H.out_edges(firm, data=True))
    gone = {(u, v, k) for u, v, k in districts[a].edges(keys=True) if firm in (u, v)}
    assert gone and not any(e in set(H.edges(keys=True)) and H.edges[e]["sources"] == [a] for e in gone)
    mine = report.per_source[a]
    assert mine.nodes_withdrawn == 1 and mine.relationships_withdrawn == len(gone)
    assert report.nodes_deleted == 0                     # the firm itself stays: b gives it

    neo4j_db.load(districts[a])                          # and back: the city graph again
    assert_same_graph(merge_sources(districts), neo4j_db.read_graph())


@pytest.mark.neo4j
def test_a_conflicting_load_is_refused_with_nothing_written(neo4j_db, districts):
    from graphmodel.store.neo4j import ConflictError

    firm, a, b = _shared_firm(districts)
    neo4j_db.load(districts[b])
    before, marks = neo4j_db.read_graph(), neo4j_db.sources()
    changed = districts[a].copy()
    old_name = changed.nodes[firm]["name"]
    changed.nodes[firm]["name"] = "共享供应商（甲区写法）"
    size = changed.nodes[firm].get("size")
    changed.nodes[firm]["size"] = "medium" if size != "medium" else "small"
    changed.nodes[firm]["sme"] = True
    with pytest.raises(ConflictError) as refused:
        neo4j_db.load(changed)
    found = {(c.key, c.what) for c in refused.value.conflicts}
    assert ("name", f"Enterprise {firm}") in found and ("size", f"Enterprise {firm}") in found
    named = next(c for c in refused.value.conflicts if c.key == "name")
    assert (named.value, named.sources, named.other_value, named.other_sources) == (
        "共享供应商（甲区写法）", [a], old_name, [b])
    text = str(refused.value)
    assert b in text and "nothing written" in text and len(text.splitlines()) == 1
    assert neo4j_db.sources() == marks                   # not even registered
    assert_same_graph(before, neo4j_db.read_graph())

    # A blank never disagrees: district a leaves the firm's size blank -- loaded, and the size
    # is b's; b reloaded without the size -> no source gives it, it is gone.
    blank = districts[a].copy()
    blank.nodes[firm].pop("size", None)
    neo4j_db.load(blank)
    assert neo4j_db.read_graph().nodes[firm]["size"] == districts[b].nodes[firm]["size"]
    b_blank = districts[b].copy()
    b_blank.nodes[firm].pop("size", None)
    neo4j_db.load(b_blank)
    assert "size" not in neo4j_db.read_graph().nodes[firm]
    assert_same_graph(merge_sources({a: blank, b: b_blank}), neo4j_db.read_graph())


@pytest.mark.neo4j
def test_an_id_or_uscc_another_source_uses_otherwise_is_a_conflict(neo4j_db, handmade_graph):
    from graphmodel.model import add_node
    from graphmodel.store.neo4j import ConflictError
    import networkx as nx

    neo4j_db.load(handmade_graph)
    other = nx.MultiDiGraph()
    add_node(other, "E1", ("SupportBody",), name="同号机构")           # E1 is a firm in handmade.xlsx
    uscc = handmade_graph.nodes["E1"]["uscc"]
    add_node(other, "E9", ("Enterprise",), name="另一企业", uscc=uscc)  # E1's uscc under another id
    with pytest.raises(ConflictError) as refused:
        neo4j_db.load(as_source(other, "other.xlsx"))
    found = {(c.what, c.key, tuple(c.other_sources)) for c in refused.value.conflicts}
    assert ("SupportBody E1", "id", ("handmade.xlsx",)) in found
    assert ("Enterprise E9", "uscc", ("handmade.xlsx",)) in found
    # a problem two sources say affects two different firms
    moved = nx.MultiDiGraph()
    for n in ("P1", "E2", "C1"):
        moved.add_node(n, **handmade_graph.nodes[n])
    from graphmodel.model import add_rel
    add_rel(moved, "P1", "AFFECTS", "E2")
    add_rel(moved, "P1", "IN_CHAIN", "C1")
    with pytest.raises(ConflictError) as refused:
        neo4j_db.load(as_source(moved, "moved.xlsx"))
    assert any(c.key == "AFFECTS" and c.what == "Problem P1" for c in refused.value.conflicts)
    assert set(neo4j_db.sources()) == {"handmade.xlsx"}


def _overlapping(districts: dict, n: int) -> dict:
    """n districts that share firms with one another (the first n by shared members)."""
    city = merge_sources(districts)
    shared = defaultdict(int)
    for _, d in city.nodes(data=True):
        if len(d["sources"]) > 1:
            for s in d["sources"]:
                shared[s] += 1
    chosen = sorted(shared, key=lambda s: (-shared[s], s))[:n]
    return {s: districts[s] for s in chosen}


def _schema(store) -> set:
    _, rows = store.query("SHOW INDEXES YIELD name, type, labelsOrTypes, properties WHERE type <> 'LOOKUP' "
                          "RETURN name, type, labelsOrTypes, properties")
    return {(name, kind, tuple(on), tuple(props)) for name, kind, on, props in rows}


@pytest.mark.neo4j
def test_first_loads_into_an_empty_database_at_once_all_create_the_schema(neo4j_db, handmade_graph):
    """Two first loads each create the same constraints; the loser's deadlock is retried, not raised."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    neo4j_db.apply_schema()
    declared = _schema(neo4j_db)
    assert len(declared) > 10
    stores = [Neo4jStore.from_env() for _ in range(4)]
    try:
        for _ in range(4):
            with neo4j_db._session() as session:    # back to a database that never had qmap's schema
                for name in [r["name"] for r in session.run("SHOW CONSTRAINTS YIELD name")]:
                    session.run(f"DROP CONSTRAINT `{name}`").consume()
                for name in [r["name"] for r in session.run("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'")]:
                    session.run(f"DROP INDEX `{name}`").consume()
            assert not _schema(neo4j_db)
            start = threading.Barrier(len(stores))

            def run(store):
                start.wait()
                store.apply_schema()
            with ThreadPoolExecutor(len(stores)) as pool:
                list(pool.map(run, stores))
            assert _schema(neo4j_db) == declared
    finally:
        for store in stores:
            store.close()
    neo4j_db.load(handmade_graph)
    assert neo4j_db.counts() == summary(handmade_graph)


@pytest.mark.neo4j
@pytest.mark.parametrize("n", [2, 4])
def test_concurrent_loads_of_overlapping_districts_all_land(neo4j, districts, n):
    from concurrent.futures import ThreadPoolExecutor

    parts = _overlapping(districts, n)
    expected = merge_sources(parts)
    assert sum(len(d["sources"]) > 1 for _, d in expected.nodes(data=True)) > 0
    stores = [Neo4jStore.from_env() for _ in parts]
    try:
        for round_ in range(20):
            neo4j.wipe()
            start = __import__("threading").Barrier(len(parts))

            def run(args):
                store, H = args
                start.wait()
                return store.load(H, batch_size=40)     # many small transactions: many chances to collide
            with ThreadPoolExecutor(len(parts)) as pool:
                reports = list(pool.map(run, zip(stores, parts.values())))
            assert all(r.sources for r in reports)
            assert_same_graph(expected, neo4j.read_graph())
    finally:
        for store in stores:
            store.close()


@pytest.mark.neo4j
def test_w38_round_trip_and_three_enterprises_removed(neo4j_db, w38, tmp_path):
    report = neo4j_db.load(w38)
    counts = neo4j_db.counts()
    assert counts["nodes"]["Enterprise"] == 2025 and counts["relationships"]["SUPPLIES"] == 16225
    assert report.nodes_created == w38.number_of_nodes()
    assert_same_graph(chain_subgraph(w38, "W38"), neo4j_db.read_graph(chain="W38"))
    again = neo4j_db.load(w38)
    assert neo4j_db.counts() == counts and again.relationships_created == again.relationships_deleted == 0

    # three firms that are not the owner, each with supplies in and out
    owner = next(u for u, _, d in w38.in_edges("W38", data=True) if d.get("role") == "owner")
    gone = sorted(n for n in w38 if n.startswith("W38-Manuf") and n != owner
                  and w38.in_degree(n) > 0 and w38.out_degree(n) > 1)[:3]
    assert len(gone) == 3
    their_rels = {(u, v, k) for n in gone for u, v, k in list(w38.in_edges(n, keys=True)) + list(
        w38.out_edges(n, keys=True))}
    smaller = as_source(build_graph(read_dataset(_copy_without(willems("W38"), tmp_path / "W38-3", set(gone)))), "W38")
    assert smaller.number_of_nodes() == w38.number_of_nodes() - 3

    report = neo4j_db.load(smaller)
    assert report.nodes_deleted == 3 and report.relationships_deleted == len(their_rels)
    H = neo4j_db.read_graph()
    assert not set(gone) & set(H)
    assert H.number_of_edges() == w38.number_of_edges() - len(their_rels)
    assert_same_graph(smaller, H)


# --------------------------------------------------------------------------- queries

@pytest.mark.neo4j
def test_query_is_read_only_and_returns_plain_values(neo4j_db, handmade_graph):
    neo4j_db.load(handmade_graph)
    columns, rows = neo4j_db.query("MATCH (e:Enterprise {id: $id})-[m:MEMBER_OF]->(c:Chain) "
                                   "RETURN c.id AS chain, m.tier AS tier, e ORDER BY chain", {"id": "E3"})
    assert columns == ["chain", "tier", "e"]
    assert [r[:2] for r in rows] == [["C1", 1], ["C2", 1]]
    assert rows[0][2] == {"labels": ["Enterprise"], "properties": dict(
        (k, v) for k, v in handmade_graph.nodes["E3"].items() if k not in ("label", "labels"))}
    with pytest.raises(StoreError) as refused:
        neo4j_db.query("MATCH (c:Chain {id: 'C1'}) SET c.name = 'hacked' RETURN c")
    assert refused.value.kind == "read_only"
    assert neo4j_db.read_graph().nodes["C1"]["name"] == "光伏玻璃产业链质量提升"


@pytest.mark.neo4j
def test_cli_load_and_query(neo4j_db, tmp_path, monkeypatch):
    runner = CliRunner()
    bad = handmade_rows()
    bad["members"][0][2] = "老板"                     # not a role
    bad_path = write_xlsx(tmp_path / "bad.xlsx", bad)
    result = runner.invoke(main, ["load", str(bad_path), "--quiet"])
    assert result.exit_code == 2 and "role" in result.stderr
    assert neo4j_db.counts() == {"nodes": {}, "relationships": {}}   # a bad workbook writes nothing

    good = write_xlsx(tmp_path / "good.xlsx", handmade_rows())
    result = runner.invoke(main, ["load", str(good), "--quiet"])
    assert result.exit_code == 0, result.output
    assert neo4j_db.counts()["nodes"]["Enterprise"] == 6

    query = "MATCH (e:Enterprise)-[:MEMBER_OF]->(:Chain {id: $chain}) RETURN e.id AS id, e.name AS name ORDER BY id"
    result = runner.invoke(main, ["query", query, "--param", "chain=C2", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"id": "E3", "name": "浦江镀膜科技"}, {"id": "E5", "name": "奉申电缆"},
                                         {"id": "E6", "name": "铜材供应站"}]
    result = runner.invoke(main, ["query", query, "--param", "chain=C2", "--format", "csv"])
    assert list(csv.reader(result.stdout.splitlines()))[1] == ["E3", "浦江镀膜科技"]
    table = runner.invoke(main, ["query", query, "--param", "chain=C2"])
    assert "浦江镀膜科技" in table.stdout and "(3 " in table.stdout

    query_file = tmp_path / "members.cypher"
    query_file.write_text("// members of a chain\n" + query + "\n", encoding="utf-8")
    result = runner.invoke(main, ["query", str(query_file), "--param", "chain=C1", "--format", "json"])
    assert [r["id"] for r in json.loads(result.stdout)] == ["E1", "E2", "E3", "E4"]

    write = runner.invoke(main, ["query", "CREATE (c:Chain {id: 'X'}) RETURN c"])
    assert write.exit_code == 1 and "read-only" in write.stderr
    assert len(write.stderr.strip().splitlines()) == 1 and "Traceback" not in write.output
    assert "X" not in neo4j_db.read_graph()

    syntax = runner.invoke(main, ["query", "MATCH (n RETURN n"])
    assert syntax.exit_code == 1 and "syntax error" in syntax.stderr
    assert len(syntax.stderr.strip().splitlines()) == 1

    secret = "Wr0ng-and-Secret-42"
    wrong = runner.invoke(main, ["query", "RETURN 1", "--password", secret])
    assert wrong.exit_code == 1 and "password" in wrong.stderr
    assert secret not in wrong.output and len(wrong.stderr.strip().splitlines()) == 1
    monkeypatch.setenv("NEO4J_PASSWORD", secret)
    wrong = runner.invoke(main, ["load", str(good), "--quiet"])
    assert wrong.exit_code == 1 and secret not in wrong.output and "login refused" in wrong.stderr


def test_plan_sends_plain_values_and_drops_blanks_row_by_row():
    """The plan's rows as the driver gets them, whichever path a row takes: a plain row kept
    whole, a row with NaN, a numpy scalar or a tuple converted value by value, a reserved
    name refused wherever it first appears."""
    import networkx as nx
    import pandas as pd
    from graphmodel.model import add_node
    from graphmodel.store.neo4j import _Plan

    G = nx.MultiDiGraph(source="a.xlsx")
    add_node(G, "E1", ("Enterprise",), name="甲", size="large")
    add_node(G, "E2", ("Enterprise",), name="乙", capacity=2.5, district=None)
    add_node(G, "E3", ("Enterprise",), name="丙", capacity=float("nan"))
    # numpy scalars as a pandas column hands them out (numpy itself is not a declared dependency)
    capacity, staff = pd.Series([1.5]).iloc[0], pd.Series([7]).iloc[0]
    assert type(capacity).__module__ == type(staff).__module__ == "numpy"
    add_node(G, "E4", ("Enterprise",), name="丁", capacity=capacity, staff=staff)
    add_node(G, "E5", ("Enterprise",), name="戊", products=("a", "b"))
    rows = {r["id"]: r["props"] for r in _Plan(G).node_groups["Enterprise"]}
    assert {k: {p: v for p, v in props.items() if p != "sme"} for k, props in rows.items()} == {
        "E1": {"id": "E1", "name": "甲", "size": "large"},
        "E2": {"id": "E2", "name": "乙", "capacity": 2.5},
        "E3": {"id": "E3", "name": "丙"},
        "E4": {"id": "E4", "name": "丁", "capacity": 1.5, "staff": 7},
        "E5": {"id": "E5", "name": "戊", "products": ["a", "b"]}}
    assert type(rows["E4"]["capacity"]) is float and type(rows["E4"]["staff"]) is int
    add_node(G, "E6", ("Enterprise",), name="己", qmap_marks="x")   # a name first seen on a later row
    with pytest.raises(StoreError, match="E6.*qmap_marks.*reserved"):
        _Plan(G)


# --------------------------------------------------------------------------- transactions in flight at once

def test_phases_commit_every_node_before_a_relationship_needs_it(handmade_graph, w38):
    """Transactions within a phase may commit in any order, so a relationship's ends must be
    in an earlier phase or in its own transaction; the phases hold every transaction once, in order."""
    from graphmodel.store.neo4j import _Plan, _phases

    for G, size in ((handmade_graph, 3), (handmade_graph, 5000), (w38, 700)):
        plan = _Plan(G)
        transactions = list(plan.transactions(size))
        phases = list(_phases(plan.transactions(size)))
        assert [tx for phase in phases for tx in phase] == transactions
        committed: set[str] = set()
        for phase in phases:
            kinds = [{is_node for _, _, is_node in tx} for tx in phase]
            assert len(phase) == 1 or all(k == kinds[0] and len(k) == 1 for k in kinds)
            for tx in phase:
                own = {r["id"] for _, rows, is_node in tx if is_node for r in rows}
                for _, rows, is_node in tx:
                    if not is_node:
                        assert all({r["start"], r["end"]} <= committed | own for r in rows)
            committed |= {r["id"] for tx in phase for _, rows, is_node in tx if is_node for r in rows}
        assert len(phases) > 1 or len(transactions) == 1
    assert len(list(_phases(_Plan(w38).transactions(700)))) == 2   # W38: all nodes, then all relationships


@pytest.mark.neo4j
def test_transactions_in_flight_at_once_give_the_same_graph_and_report(neo4j_db, w38):
    """Four batches at once, many small ones (shared end nodes: lock waits and retried
    deadlocks), give exactly what one after another gives."""
    one = neo4j_db.load(w38, batch_size=400, workers=1)
    counts = neo4j_db.counts()
    neo4j_db.wipe()
    four = neo4j_db.load(w38, batch_size=400, workers=4)
    assert neo4j_db.counts() == counts
    assert_same_graph(chain_subgraph(w38, "W38"), neo4j_db.read_graph(chain="W38"))
    for name in ("nodes_created", "relationships_created", "nodes_deleted", "relationships_deleted", "batches"):
        assert getattr(four, name) == getattr(one, name), name
    assert four.per_source == one.per_source
    again = neo4j_db.load(w38, batch_size=400, workers=4)
    assert (again.nodes_created, again.relationships_created, again.nodes_deleted,
            again.relationships_deleted) == (0, 0, 0, 0)


def test_load_refuses_no_workers():
    from graphmodel.store.neo4j import DEFAULT_WORKERS

    store = Neo4jStore("bolt://127.0.0.1:1", "neo4j", "x")
    try:
        with pytest.raises(StoreError, match="workers must be at least 1"):
            store.load(build_graph(read_dataset(willems("W02"))), workers=0)
    finally:
        store.close()
    option = next(p for p in main.commands["load"].params if p.name == "workers")
    assert option.default == DEFAULT_WORKERS
    result = CliRunner().invoke(main, ["load", str(willems("W02")), "--workers", "0"])
    assert result.exit_code == 2 and "--workers" in result.output


def test_driver_retry_warnings_do_not_reach_the_terminal(capfd):
    """A retried transaction is logged by the driver; unless the application configures
    logging, it must not print (Python's last-resort handler would write it to stderr)."""
    import logging
    import graphmodel.store.neo4j  # noqa: F401 -- importing the store is what installs the handler

    logging.getLogger("neo4j.pool").warning("Transaction failed and will be retried in 1.0s (deadlock)")
    assert "retried" not in capfd.readouterr().err
