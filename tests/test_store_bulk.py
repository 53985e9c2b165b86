"""graphmodel.store.bulk and ``qmap load --bulk``: neo4j-admin import into an empty database.

The bulk-loaded database must be indistinguishable from a plain load of the same sources
(nodes, labels, properties with their types, relationships, the sync's bookkeeping, the
schema), and later plain loads must sync on it as usual. The import stops and restarts its
server, so these tests use a private server (own folder, own port), never the shared one
named by NEO4J_URI; the plain loads they compare with go to the shared one (``neo4j_db``).
"""

from __future__ import annotations

import json

import networkx as nx
import pytest
from click.testing import CliRunner

from handmade import handmade_rows, write_csv_folder
from sources_help import as_source, merge_sources
from test_store_neo4j import _copy_without
from test_store_server import PASSWORD, private_server  # noqa: F401 -- a fixture: a server of our own
from graphmodel.cli import main
from graphmodel.demo import generate_demo, split_by_district
from graphmodel.intake import read_dataset, read_tables
from graphmodel.model import add_node, add_rel, build_graph
from graphmodel.store.bulk import NotEmptyError, bulk_load, csv_type, local_port, write_import_files
from graphmodel.store.neo4j import Neo4jStore, StoreError, _Plan
from graphmodel.store.server import LocalServer, free_port


# --------------------------------------------------------------------------- helpers

def dump(store: Neo4jStore) -> dict:
    """Everything in the database, exactly: every node's labels and properties (with their
    Cypher types), every relationship's type, ends and properties, the loaded sources and the
    schema. Run marks are random per load, so each is replaced by the name of its source."""
    _, sources = store.query("MATCH (s:QmapSource) RETURN s.name, s.mark, s.runs, valueType(s.loaded_at), "
                             "[k IN keys(s) | k] ORDER BY s.name")
    marks = {mark: f"<{name}>" for name, mark, *_ in sources}
    assert all(runs == [mark] for _, mark, runs, *_ in sources)

    def plain(props: dict) -> dict:
        out = dict(props)
        if "qmap_marks" in out:
            out["qmap_marks"] = " ".join(marks[m] for m in out["qmap_marks"].split(" "))
        return out

    # properties(n) via to_plain would drop the store's qmap_ bookkeeping: return it as a list
    _, nodes = store.query("MATCH (n) WHERE NOT n:QmapSource "
                           "RETURN labels(n), [k IN keys(n) | [k, n[k], valueType(n[k])]]")
    _, rels = store.query("MATCH (a)-[r]->(b) RETURN type(r), a.id, b.id, [k IN keys(r) | [k, r[k], valueType(r[k])]]")
    _, schema = store.query("SHOW INDEXES YIELD name, type, entityType, labelsOrTypes, properties, options "
                            "RETURN name, type, entityType, labelsOrTypes, properties, options.indexConfig ORDER BY name")
    _, constraints = store.query("SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties "
                                 "RETURN name, type, labelsOrTypes, properties ORDER BY name")

    def entity(head: list, props: list) -> str:
        values = {k: v for k, v, _ in props}
        values = plain(values)
        return json.dumps([*head, sorted([k, values[k], t] for k, _, t in props)], ensure_ascii=False, sort_keys=True)

    return {
        "nodes": sorted(entity([sorted(labels)], props) for labels, props in nodes),
        "relationships": sorted(entity([t, a, b], props) for t, a, b, props in rels),
        "sources": [[name, marks[mark], t, sorted(keys)] for name, mark, _, t, keys in sources],
        "schema": schema,
        "constraints": constraints,
    }


def assert_same_dump(actual: dict, expected: dict) -> None:
    assert actual["sources"] == expected["sources"]
    for part in ("nodes", "relationships"):
        missing = sorted(set(expected[part]) - set(actual[part]))
        extra = sorted(set(actual[part]) - set(expected[part]))
        assert not missing and not extra, f"{part}: missing {missing[:3]}, extra {extra[:3]}"
        assert actual[part] == expected[part]
    assert actual["schema"] == expected["schema"]
    assert actual["constraints"] == expected["constraints"]


@pytest.fixture
def empty(private_server):
    """The private server (its own folder and port), running, its database empty."""
    server = private_server
    if not server.running_pid():
        server.start(timeout=240)
    with Neo4jStore(server.uri, "neo4j", PASSWORD) as store:
        store.wipe()
    return server


def private(server) -> Neo4jStore:
    return Neo4jStore(server.uri, "neo4j", PASSWORD)


def env_of(server, **extra) -> dict:
    return {"NEO4J_URI": server.uri, "NEO4J_PASSWORD": PASSWORD, "NEO4J_USERNAME": "neo4j",
            "QMAP_NEO4J_HOME": str(server.home), "QMAP_NEO4J_PORT": None, "NEO4J_DATABASE": None, **extra}


def demo_city() -> nx.MultiDiGraph:
    return build_graph(read_tables(generate_demo(233)))


def demo_districts() -> nx.MultiDiGraph:
    """The demo's 16 district data sets as one graph of 16 sources (firms and bodies shared)."""
    parts = split_by_district(generate_demo(233))
    return merge_sources({f"{d}.xlsx": as_source(build_graph(read_tables(part, source=f"{d}.xlsx")), f"{d}.xlsx")
                          for d, part in sorted(parts.items())})


# --------------------------------------------------------------------------- no server needed

def test_csv_types_and_what_a_csv_cannot_say():
    assert [csv_type(v) for v in ("", 0, -2 ** 62, 1e-300, False, [1, 2], [0.5], [True], ["", "a"])] == [
        "string", "long", "long", "double", "boolean", "long[]", "double[]", "boolean[]", "string[]"]
    # neo4j-admin reads an empty field as no property: these are set over Bolt after the import
    assert [csv_type(v) for v in ([], [""], [1, 2.5], ["a", 1], float("nan"), float("-inf"), [float("inf")],
                                  {"a": 1}, None)] == [None] * 9


def test_local_port_accepts_only_a_plain_local_uri():
    assert local_port("bolt://127.0.0.1:7721") == 7721 and local_port("neo4j://localhost") == 7687
    for uri in ("neo4j+s://abc.databases.neo4j.io", "bolt+ssc://127.0.0.1:7687", "bolt://10.1.2.3:7687",
                "bolt://127.0.0.1.evil.example:7687", "bolt://user:pw@127.0.0.1:7687"):
        assert local_port(uri) is None, uri


def test_import_files_type_every_column_and_keep_absent_values_absent(tmp_path):
    G = nx.MultiDiGraph(source="t.xlsx")
    add_node(G, "E1", ("Enterprise",), name='甲,"乙"\n丙', size="large")
    add_node(G, "E2", ("Enterprise",), name="丁", tags=["a;b", "c\x1fd"])
    add_rel(G, "E1", "SUPPLIES", "E2", chain="C1", product="玻璃", share=1)
    add_rel(G, "E2", "SUPPLIES", "E1", chain="C1", product="砂", share=0.5)
    files = write_import_files(_Plan(G), tmp_path)
    assert files.delimiter == "\x1e"          # \x1f occurs in a list item
    node_files = [p.read_text(encoding="utf-8") for p in files.nodes]
    assert len(node_files) == 1 and files.multiline == files.nodes
    header = node_files[0].splitlines()[0].split(",")
    assert header[:2] == ["id:ID", ":LABEL"] and "tags:string[]" in header and "sme:boolean" in header
    assert '"甲,""乙""\n丙"' in node_files[0]
    # E1 has no tags: an empty unquoted field (absent), never "" (an empty text)
    e1 = node_files[0].split('"E1"', 1)[1].split("\n\"E2\"")[0]
    assert ',,' in e1 or e1.endswith(",")
    # share is an integer in one row and a float in the other: two files, each column typed
    rel_headers = sorted(p.read_text(encoding="utf-8").splitlines()[0] for p in files.relationships)
    assert any("share:long" in h for h in rel_headers) and any("share:double" in h for h in rel_headers)


# --------------------------------------------------------------------------- a private server

@pytest.mark.neo4j
@pytest.mark.parametrize("graph", [demo_city, demo_districts], ids=["demo-city", "demo-16-districts"])
def test_bulk_load_equals_a_plain_load(empty, neo4j_db, graph):
    G = graph()
    steps = []
    report = bulk_load(G, empty, progress=steps.append)
    assert report.nodes == G.number_of_nodes() and report.relationships == G.number_of_edges()
    assert report.fixed > 0       # e.g. qmap_given [''] of a relationship with no properties of its own
    assert any("neo4j-admin" in s for s in steps)
    neo4j_db.load(G)
    with private(empty) as bulk:
        assert_same_dump(dump(bulk), dump(neo4j_db))
        assert len(bulk.sources()) == len(G.graph["sources"])
        # planned on samples of what was imported and fixed (Neo4jStore.refresh_statistics)
        _, stale = bulk.query("CALL db.stats.retrieve('GRAPH COUNTS') YIELD data "
                              "RETURN [ix IN data.indexes WHERE ix.updatesSinceEstimation > 0.05 * ix.totalSize]")
        assert stale == [[[]]]


@pytest.mark.neo4j
def test_plain_loads_after_bulk_sync_as_usual(empty, tmp_path):
    folder = write_csv_folder(tmp_path / "handmade", handmade_rows())
    env = env_of(empty)
    runner = CliRunner()
    result = runner.invoke(main, ["load", "--bulk", str(folder)], env=env)
    assert result.exit_code == 0, result.output
    assert "neo4j-admin" in result.output
    with private(empty) as store:
        before = dump(store)
        G = build_graph(read_dataset(folder))
        again = store.load(G)
        assert (again.nodes_created, again.relationships_created, again.nodes_deleted,
                again.relationships_deleted) == (0, 0, 0, 0)
        assert dump(store) == before
        # the same through the CLI
        result = runner.invoke(main, ["load", str(folder)], env=env)
        assert result.exit_code == 0, result.output
        assert "created 0 nodes, 0 relationships; 删除 removed 0 nodes, 0 relationships" in result.output
        assert dump(store) == before
        # a firm's rows removed from the source: exactly that firm and its relationships go
        smaller = _copy_without(folder, tmp_path / "smaller", {"E4"})
        gone_rels = sum(1 for u, v in G.edges() if "E4" in (u, v))
        H = build_graph(read_dataset(smaller))
        H.graph["sources"] = G.graph["sources"]
        report = store.load(_renamed(H, G))
        assert (report.nodes_deleted, report.relationships_deleted) == (1, gone_rels)
        assert (report.nodes_created, report.relationships_created) == (0, 0)
        after = dump(store)
        assert not any('"E4"' in n for n in after["nodes"])
        assert len(after["relationships"]) == len(before["relationships"]) - gone_rels


def _renamed(H: nx.MultiDiGraph, G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """``H`` as the same source ``G`` is (a source is named by its folder)."""
    (name,) = G.graph["sources"]
    return as_source(H, name)


@pytest.mark.neo4j
def test_refusals_leave_the_database_and_the_server_as_they_were(empty, tmp_path):
    folder = write_csv_folder(tmp_path / "handmade", handmade_rows())
    runner = CliRunner()
    env = env_of(empty)
    with private(empty) as store:
        store.load(build_graph(read_dataset(folder)))
        before, pid = dump(store), empty.running_pid()
        # a database that holds anything: refused, one line, exit 2
        result = runner.invoke(main, ["load", "--bulk", str(folder)], env=env)
        assert result.exit_code == 2, result.output
        lines = [ln for ln in result.output.splitlines() if ln.strip()]
        assert len(lines) == 1 and "数据库已有" in lines[0] and "qmap load" in lines[0] and "--reset" in lines[0]
        assert "Traceback" not in result.output
        assert empty.running_pid() == pid and dump(store) == before
        # bad input: exit 2, nothing written, the server not touched
        bad = write_csv_folder(tmp_path / "bad", {**handmade_rows(), "members": [["C1", "E999", "链主", 0]]})
        store.wipe()
        result = runner.invoke(main, ["load", "--bulk", str(bad)], env=env)
        assert result.exit_code == 2 and "E999" in result.output, result.output
        assert empty.running_pid() == pid and store.counts()["nodes"] == {}
    # a remote server, or one qmap does not manage: exit 2 before the data is even read
    for uri in ("neo4j+s://abc.databases.neo4j.io", "bolt://10.1.2.3:7687"):
        result = runner.invoke(main, ["load", "--bulk", str(folder)], env=env_of(empty, NEO4J_URI=uri))
        assert result.exit_code == 2 and "--bulk" in result.output and "qmap load" in result.output, result.output
        assert "Traceback" not in result.output
    result = runner.invoke(main, ["load", "--bulk", str(folder), "--atomic"], env=env)
    assert result.exit_code == 2
    assert empty.running_pid() == pid


@pytest.mark.neo4j
def test_a_stopped_server_is_checked_and_left_stopped_when_refused(empty, tmp_path):
    G = build_graph(read_dataset(write_csv_folder(tmp_path / "handmade", handmade_rows())))
    with private(empty) as store:
        store.load(G)
        before = dump(store)
    empty.stop()
    with pytest.raises(NotEmptyError) as refused:
        bulk_load(G, empty)
    assert refused.value.nodes > 0 and not empty.running_pid()
    empty.start(timeout=240)
    with private(empty) as store:
        assert dump(store) == before
        store.wipe()
    empty.stop()
    # empty and stopped: checked, imported, left running
    bulk_load(G, empty)
    assert empty.running_pid()
    with private(empty) as store:
        assert store.counts()["nodes"]["Enterprise"] == 6


def awkward_graph() -> nx.MultiDiGraph:
    """Text a CSV file can break on, in every place a value can be."""
    texts = ['逗号,引号"双"引号""', "换行\n第二行\r\n第三行", "分号;分号；", "=SUM(A1:A2)", "+1", "-2", "@x",
             "\\反斜杠\\\"", "  前后空格  ", "\x1f单元分隔符", "", "null", "NULL", "true", "1.0", "数据库"]
    G = nx.MultiDiGraph(source="awkward.xlsx")
    add_node(G, "C1", ("Chain",), seq=1, name=texts[0], key=True, industry=texts[1])
    for i, text in enumerate(texts):
        add_node(G, f"E{i}", ("Enterprise",), name=text or "空", district=text,
                 size="large" if i % 2 else None)
        add_rel(G, f"E{i}", "MEMBER_OF", "C1", role=text or "upstream", tier=i)
    add_node(G, "B1", ("SupportBody",), name="检测所, \"甲\"", services=["training", "a;b", "c\x1fd", "换\n行", ""],
             accreditations=["=1+1"])
    add_node(G, "B2", ("SupportBody",), name="=cmd|' /C calc'!A0", services=["testing"])
    add_node(G, "P1", ("Problem",), title="问题\n多行", status="open", needs=[";"], severity="high")
    add_rel(G, "P1", "AFFECTS", "E1")
    add_rel(G, "P1", "IN_CHAIN", "C1")
    add_rel(G, "B1", "SUPPORTS", "E1", service="a;b", status='"已"', since="2024-01-01")
    add_rel(G, "B2", "SUPPORTS", "E2", service="testing")
    add_rel(G, "E1", "SUPPLIES", "E2", chain="C1", product="玻璃,\"超白\"", share=1, critical=True)
    add_rel(G, "E2", "SUPPLIES", "E3", chain="C1", product="砂\n石", share=0.1 + 0.2, critical=False)
    return as_source(G, "awkward.xlsx")


@pytest.mark.neo4j
def test_awkward_text_survives_the_import(empty, neo4j_db):
    G = awkward_graph()
    bulk_load(G, empty)
    neo4j_db.load(G)
    with private(empty) as bulk:
        expected = dump(neo4j_db)
        assert_same_dump(dump(bulk), expected)
        assert any("0.30000000000000004" in r for r in expected["relationships"])
        assert any("TrainingBase" in n and "c\\u001fd" in n for n in expected["nodes"])
        # and a plain load afterwards finds nothing to change
        again = bulk.load(G)
        assert (again.nodes_created, again.relationships_created, again.nodes_deleted,
                again.relationships_deleted) == (0, 0, 0, 0)
        assert dump(bulk) == expected


def test_a_graph_the_store_refuses_fails_before_the_server_is_touched(tmp_path):
    G = nx.MultiDiGraph(source="x.xlsx")
    add_node(G, "E1", ("Enterprise",), name="甲", qmap_marks="forged")
    server = LocalServer(home=tmp_path / "never", port=free_port(), password=PASSWORD)
    with pytest.raises(StoreError) as refused:
        bulk_load(G, server)
    assert refused.value.kind == "input" and not (tmp_path / "never").exists()
