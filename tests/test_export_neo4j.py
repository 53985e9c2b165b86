"""The Cypher script export, run on the real Neo4j, gives the graph `qmap load` gives."""

import pytest

from conftest import assert_same_graph
from graphmodel.export import export_chain
from graphmodel.export.cypher_script import split_statements
from graphmodel.intake import read_dataset
from graphmodel.model import build_graph, chain_subgraph
from handmade import handmade_rows, write_xlsx

pytestmark = pytest.mark.neo4j


def test_cypher_script_recreates_the_chain_like_a_load(neo4j_db, tmp_path):
    rows = handmade_rows()
    rows["enterprises"][1][1] = "'}) DETACH DELETE n // 石英\\砂\n厂"  # E2: text that must stay data
    G = build_graph(read_dataset(write_xlsx(tmp_path / "h.xlsx", rows)))
    H = chain_subgraph(G, "C1")
    script = export_chain(G, "C1", "cypher", tmp_path / "c1.cypher")

    statements = split_statements(script.read_text("utf-8"))
    with neo4j_db.driver.session(database=neo4j_db.database) as session:
        for text in statements:
            session.run(text).consume()
        for text in statements:  # a second run changes nothing: the script is idempotent
            session.run(text).consume()
    from_script = neo4j_db.read_graph()

    neo4j_db.wipe()
    neo4j_db.load(H)
    from_load = neo4j_db.read_graph()

    assert_same_graph(from_load, from_script)
    assert_same_graph(H, from_script)
    assert from_script.nodes["E2"]["name"] == rows["enterprises"][1][1]
