
import pytest

from graphmodel.intake import read_dataset
from graphmodel.model import (build_graph, chain_members, chain_subgraph, chain_table, dataset_summary, nodes_of,
                              summary)
from graphmodel.schema import LABELS, REL_TYPES, rel_key
from conftest import willems
from handmade import handmade_rows, write_xlsx



@pytest.fixture(scope="module")
def G(tmp_path_factory):
    path = write_xlsx(tmp_path_factory.mktemp("wb") / "handmade.xlsx", handmade_rows())
    return build_graph(read_dataset(path))


def edges(G, rel_type):
    return sorted((u, v) for u, v, d in G.edges(data=True) if d["type"] == rel_type)


def test_nodes_carry_domain_labels_and_properties(G):
    assert G.nodes["C1"] == {"label": "Chain", "labels": ("Chain",), "id": "C1", "seq": 1,
                             "name": "光伏玻璃产业链质量提升", "district": "普陀区", "leader": "普陀区市场监管局",
                             "key": True, "industry": "光伏玻璃", "sources": ["handmade.xlsx"]}
    assert G.nodes["E1"]["size"] == "large" and G.nodes["E1"]["sme"] is False
    assert G.nodes["E4"]["sme"] is True and "uscc" not in G.nodes["E4"]  # blanks are not stored
    assert G.nodes["B3"]["labels"] == ("SupportBody", "TrainingBase")
    assert G.nodes["B1"]["labels"] == ("SupportBody",)
    assert G.nodes["B1"]["services"] == ["metrology", "testing"]
    assert G.nodes["P1"]["name"] == G.nodes["P1"]["title"] == "镀膜均匀性波动"
    assert G.nodes["district:普陀区"] == {"label": "District", "labels": ("District",), "id": "district:普陀区",
                                        "name": "普陀区", "sources": ["handmade.xlsx"]}
    assert {d["label"] for _, d in G.nodes(data=True)} <= set(LABELS)


def test_relationships_follow_the_schema(G):
    for u, v, k, d in G.edges(keys=True, data=True):
        starts, ends = REL_TYPES[d["type"]]
        assert G.nodes[u]["label"] in starts and G.nodes[v]["label"] in ends, (u, v, d)
        assert k == rel_key(d["type"], d)
    assert edges(G, "ENABLES") == [("B1", "C1"), ("B2", "C2")]
    assert edges(G, "SUPPORTS") == [("B1", "E3")]
    assert edges(G, "ADDRESSES") == [("B2", "P1")]
    assert edges(G, "PARTNERS_IN") == [("B3", "K1")]
    assert edges(G, "AFFECTS") == [("P1", "E3"), ("P2", "E2")]  # P3 is chain-wide
    assert edges(G, "IN_CHAIN") == [("K1", "C1"), ("P1", "C1"), ("P2", "C1"), ("P3", "C2")]
    assert edges(G, "APPLIES_TO") == [("T1", "C1"), ("T1", "K1"), ("T2", "E6")]
    assert edges(G, "LEADS") == [("E1", "K1")] and edges(G, "TACKLES") == [("K1", "P1")]
    reports = [d for _, _, d in G.out_edges("E1", data=True) if d["type"] == "REPORTS"]
    assert sorted((d["year"], d["value"]) for d in reports) == [(2024, 92.0), (2025, 93.6)]
    supply = G.get_edge_data("E2", "E3", key="SUPPLIES|C1|石英砂")
    assert supply == {"type": "SUPPLIES", "chain": "C1", "product": "石英砂", "share": 0.6, "critical": True,
                      "sources": ["handmade.xlsx"]}


def test_firm_on_two_chains_keeps_each_role(G):
    assert chain_members(G, "C1")["E3"] == {"type": "MEMBER_OF", "role": "upstream", "tier": 1,
                                            "sources": ["handmade.xlsx"]}
    assert chain_members(G, "C2")["E3"] == {"type": "MEMBER_OF", "role": "downstream", "tier": 1,
                                            "sources": ["handmade.xlsx"]}


def test_chain_subgraph_keeps_only_that_chain(G):
    H = chain_subgraph(G, "C2")
    assert set(nodes_of(H, "Enterprise")) == {"E3", "E5", "E6"}
    assert {d["chain"] for _, _, d in H.edges(data=True) if d["type"] == "SUPPLIES"} == {"C2"}
    assert "C1" not in H and "P1" not in H
    assert set(nodes_of(H, "SupportBody")) == {"B1", "B2"}  # B1 supports E3, a member of both
    member_of = [(u, v) for u, v, d in H.edges(data=True) if d["type"] == "MEMBER_OF"]
    assert all(v == "C2" for _, v in member_of) and len(member_of) == 3
    with pytest.raises(KeyError):
        chain_subgraph(G, "C9")
    with pytest.raises(KeyError):
        chain_subgraph(G, "E1")


def test_summary_and_chain_table(G):
    s = summary(G)
    assert s["nodes"]["Enterprise"] == 6 and s["nodes"]["TrainingBase"] == 1
    assert s["relationships"]["MEMBER_OF"] == 7 and s["relationships"]["SUPPLIES"] == 5
    table = chain_table(G).set_index("chain_id")
    assert table.loc["C1", "members"] == 4 and table.loc["C1", "smes"] == 3
    assert table.loc["C1", "key"] == "★" and table.loc["C2", "key"] == ""
    assert table.loc["C2", "problems"] == 1 and table.loc["C1", "problems"] == 2


def test_willems_w38_builds():
    G = build_graph(read_dataset(willems("W38")))
    s = summary(G)
    assert s["nodes"] == {"Chain": 1, "Enterprise": 2025}
    assert s["relationships"] == {"MEMBER_OF": 2025, "SUPPLIES": 16225}
    assert G.nodes["W38"]["name"] == "Willems chain 38" and "district" not in G.nodes["W38"]
    owner = [e for e, d in chain_members(G, "W38").items() if d["role"] == "owner"]
    assert owner == ["W38-Manuf_0023"]


# --------------------------------------------------------------------------- optional columns and cases

@pytest.fixture(scope="module")
def X(tmp_path_factory):
    from handmade import extended_rows

    return build_graph(read_dataset(write_xlsx(tmp_path_factory.mktemp("wb") / "extended.xlsx", extended_rows())))


def test_optional_columns_reach_the_nodes(X):
    assert X.nodes["E1"]["tags"] == ["专精特新", "规上"] and X.nodes["E5"]["tags"] == ["上市", "小巨人"]
    assert "tags" not in X.nodes["E2"]
    p1, p3 = X.nodes["P1"], X.nodes["P3"]
    assert (p1["measures"], p1["owner_unit"], p1["deadline"]) == ("引入在线膜厚检测", "浦江镀膜科技", "2025-06-30")
    assert "measures" not in p3 and p3["owner_unit"] == "奉贤区市场监管局" and p3["deadline"] == "2025-12-31"


def test_cases_are_nodes_in_their_chain_about_what_they_name(X):
    assert X.nodes["CS1"] == {"label": "Case", "labels": ("Case",), "id": "CS1", "name": "计量赋能镀膜均匀性提升",
                              "title": "计量赋能镀膜均匀性提升", "year": 2024, "summary": "示例计量检测中心驻厂服务",
                              "sources": ["extended.xlsx"]}
    assert "summary" not in X.nodes["CS2"]
    assert edges(X, "ABOUT") == [("CS1", "B1"), ("CS1", "E3"), ("CS1", "P1")]
    assert ("CS1", "C1") in edges(X, "IN_CHAIN") and ("CS2", "C2") in edges(X, "IN_CHAIN")
    for u, v, k, d in X.edges(keys=True, data=True):
        starts, ends = REL_TYPES[d["type"]]
        assert X.nodes[u]["label"] in starts and X.nodes[v]["label"] in ends
    H = chain_subgraph(X, "C1")
    assert nodes_of(H, "Case") == ["CS1"] and sorted(v for _, v, d in H.edges(data=True) if d["type"] == "ABOUT") == [
        "B1", "E3", "P1"]
    assert nodes_of(chain_subgraph(X, "C2"), "Case") == ["CS2"]
    assert summary(X)["nodes"]["Case"] == 2 and summary(X)["relationships"]["ABOUT"] == 3


# --------------------------------------------------------------------------- the validate summary at scale

def _graphs_for_the_summary(tmp_path):
    import sys
    from pathlib import Path

    from graphmodel.demo import generate_demo
    from graphmodel.intake import read_tables

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from synthetic import write_city

    write_city(tmp_path / "city", 3_000)
    yield "handmade", build_graph(read_dataset(write_xlsx(tmp_path / "handmade.xlsx", handmade_rows())))
    yield "demo", build_graph(read_tables(generate_demo()))
    yield "W38", build_graph(read_dataset(willems("W38")))
    yield "city", build_graph(read_dataset(tmp_path / "city"))


def test_chain_table_counts_what_the_vocabulary_lists(tmp_path):
    # chain_table counts in one walk per chain (qmap validate on 600 chains); every count must be
    # the length of what the vocabulary's own per-chain functions list, on every chain.
    from graphmodel.model import (chain_bodies, chain_problems, chain_projects, chain_supplies, chains, is_sme)

    totals = [0] * 6
    for name, graph in _graphs_for_the_summary(tmp_path):
        table = chain_table(graph)
        assert table["chain_id"].tolist() == chains(graph), name
        expected = [(len(chain_members(graph, c)), sum(is_sme(graph, m) for m in chain_members(graph, c)),
                     len(chain_bodies(graph, c)), len(chain_problems(graph, c)), len(chain_projects(graph, c)),
                     len(chain_supplies(graph, c))) for c in chains(graph)]
        got = list(table[["members", "smes", "bodies", "problems", "projects", "supplies"]].itertuples(index=False,
                                                                                                    name=None))
        assert got == expected, name
        totals = [t + sum(column) for t, column in zip(totals, zip(*got))]
        nodes = {}
        for _, d in graph.nodes(data=True):
            for label in d["labels"]:
                nodes[label] = nodes.get(label, 0) + 1
        types = {}
        for _, _, d in graph.edges(data=True):
            types[d["type"]] = types.get(d["type"], 0) + 1
        assert summary(graph) == {"nodes": dict(sorted(nodes.items())), "relationships": dict(sorted(types.items()))}
    assert all(totals), totals  # every column was counted somewhere


def _datasets_for_the_summary(tmp_path):
    """Data sets with one source and with many (shared firms, the same rows given twice)."""
    import shutil
    import sys
    from pathlib import Path

    from graphmodel.demo import generate_demo, split_by_district
    from graphmodel.intake import read_sources, read_tables
    from graphmodel.workbook import write_workbook

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from synthetic import write_city

    handmade = write_xlsx(tmp_path / "handmade.xlsx", handmade_rows())
    yield "handmade", read_dataset(handmade)
    for chain in ("W02", "W12", "W20", "W38"):
        yield chain, read_dataset(willems(chain))
    tables = generate_demo()
    yield "demo", read_tables(tables)
    districts = tmp_path / "districts"
    districts.mkdir()
    for district, part in split_by_district(tables).items():
        write_workbook(part, districts / f"{district}.xlsx")
    yield "demo by district", read_sources([districts])
    twice = tmp_path / "twice"
    twice.mkdir()
    for name in ("甲.xlsx", "乙.xlsx"):
        shutil.copy(handmade, twice / name)
    yield "handmade twice", read_sources([twice])
    # One source leaves every size blank, the other gives them: a firm's size is the one given.
    sizes = tmp_path / "sizes"
    sizes.mkdir()
    blank = handmade_rows()
    blank["enterprises"] = [row[:2] + [None] + row[3:] for row in blank["enterprises"]]
    write_xlsx(sizes / "乙.xlsx", blank)   # read first (乙 sorts before 甲)
    shutil.copy(handmade, sizes / "甲.xlsx")
    yield "sizes from one source", read_sources([sizes])
    write_city(tmp_path / "city", 3_000)
    yield "city", read_dataset(tmp_path / "city")


def test_dataset_summary_is_the_summary_and_chain_table_of_the_built_graph(tmp_path):
    # qmap validate prints these without building the graph: they must be what the graph says.
    import pandas as pd

    seen = set()
    for name, dataset in _datasets_for_the_summary(tmp_path):
        G = build_graph(dataset)
        counts, table = dataset_summary(dataset)
        assert counts == summary(G), name
        pd.testing.assert_frame_equal(table, chain_table(G), check_exact=True, obj=name)
        if any(len(d["sources"]) > 1 for _, d in G.nodes(data=True)):
            seen.add(name)
    assert seen == {"demo by district", "handmade twice", "sizes from one source"}  # really merged
