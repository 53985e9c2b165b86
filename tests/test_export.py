import csv
import json
import re

import networkx as nx
import pydot
import pytest

from graphmodel.export import FORMATS, ExportExists, export_chain, export_graph
from graphmodel.export.cypher_script import cypher_literal, split_statements
from graphmodel.intake import read_dataset
from graphmodel.model import build_graph, chain_subgraph
from handmade import handmade_rows, write_xlsx

XSS = "<img src=x onerror=alert(1)>"
INJECTION = "'}) DETACH DELETE n //"


@pytest.fixture(scope="module")
def G(tmp_path_factory):
    rows = handmade_rows()
    rows["enterprises"][3][1] = XSS  # E4, downstream of C1
    rows["enterprises"][1][1] = INJECTION + " 石英 \"砂\"\\厂"  # E2
    path = write_xlsx(tmp_path_factory.mktemp("wb") / "h.xlsx", rows)
    return build_graph(read_dataset(path))


def plain(G):
    """Nodes and edges as comparable sets, lists flattened the way the flat formats do."""
    flat = lambda v: ";".join(map(str, v)) if isinstance(v, (list, tuple)) else v  # noqa: E731
    nodes = {n: {k: flat(v) for k, v in d.items()} for n, d in G.nodes(data=True)}
    edges = sorted((u, v, tuple(sorted((k, flat(x)) for k, x in d.items()))) for u, v, d in G.edges(data=True))
    return nodes, edges


def test_graphml_reads_back_with_networkx(G, tmp_path):
    H = chain_subgraph(G, "C1")
    export_chain(G, "C1", "graphml", tmp_path / "c1.graphml")
    back = nx.read_graphml(tmp_path / "c1.graphml", force_multigraph=True)
    assert plain(back)[0] == plain(H)[0]
    assert plain(back)[1] == plain(H)[1]
    assert back.nodes["E4"]["name"] == XSS


def test_gexf_reads_back_with_names_as_labels(G, tmp_path):
    H = chain_subgraph(G, "C1")
    export_chain(G, "C1", "gexf", tmp_path / "c1.gexf")
    back = nx.read_gexf(tmp_path / "c1.gexf")
    assert set(back.nodes) == set(H.nodes)
    assert back.number_of_edges() == H.number_of_edges()
    assert back.nodes["C1"]["label"] == "光伏玻璃产业链质量提升"
    assert back.nodes["C1"]["kind"] == "Chain"


def test_json_node_link_round_trip(G, tmp_path):
    export_graph(G, "json", tmp_path / "all.json")
    data = json.loads((tmp_path / "all.json").read_text("utf-8"))
    back = nx.node_link_graph(data, edges="edges", name="node", multigraph=True, directed=True)
    for node in back.nodes:
        back.nodes[node]["labels"] = tuple(back.nodes[node]["labels"])
    assert dict(back.nodes(data=True)) == dict(G.nodes(data=True))
    assert sorted(back.edges(keys=True, data=True), key=str) == sorted(G.edges(keys=True, data=True), key=str)


def _typed(value: str, kind: str):
    if value == "":
        return None
    if kind.endswith("[]"):
        return [_typed(v, kind[:-2]) for v in value.split(";")]
    return {"long": int, "double": float, "boolean": lambda v: v == "true"}.get(kind, str)(value)


def test_neo4j_admin_csv_rebuilds_the_graph(G, tmp_path):
    """Parse the import headers as neo4j-admin does and rebuild the graph from the files."""
    folder = export_graph(G, "csv", tmp_path / "import")
    back = nx.MultiDiGraph()
    for path in sorted(folder.glob("nodes_*.csv")):
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            assert header[0] == "id:ID" and header[-1] == ":LABEL"
            for row in reader:
                props = {}
                for title, value in zip(header[1:-1], row[1:-1]):
                    name, _, kind = title.partition(":")
                    if (v := _typed(value, kind or "string")) is not None:
                        props[name] = v
                labels = tuple(row[-1].split(";"))
                back.add_node(row[0], label=labels[0], labels=labels, id=row[0], **props)
    for path in sorted(folder.glob("relationships_*.csv")):
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            assert header[:3] == [":START_ID", ":END_ID", ":TYPE"]
            for row in reader:
                props = {}
                for title, value in zip(header[3:], row[3:]):
                    name, _, kind = title.partition(":")
                    if (v := _typed(value, kind or "string")) is not None:
                        props[name] = v
                back.add_edge(row[0], row[1], type=row[2], **props)
    assert dict(back.nodes(data=True)) == dict(G.nodes(data=True))
    assert sorted(map(str, (sorted(d.items()) for *_, d in back.edges(data=True)))) == \
        sorted(map(str, (sorted(d.items()) for *_, d in G.edges(data=True))))
    assert "--nodes=nodes_Enterprise.csv" in (folder / "import.sh").read_text()


def test_cypher_literals_escape_user_text():
    assert cypher_literal(INJECTION) == "'\\'}) DETACH DELETE n //'"
    assert cypher_literal("a\\b\n") == "'a\\\\b\\n'"
    assert cypher_literal({"x": [1, 2.5, True, None]}) == "{`x`: [1, 2.5, true, null]}"
    with pytest.raises(ValueError):
        cypher_literal(float("nan"))


def test_cypher_script_statements_split(G, tmp_path):
    export_chain(G, "C1", "cypher", tmp_path / "c1.cypher")
    statements = split_statements((tmp_path / "c1.cypher").read_text("utf-8"))
    assert statements and all(not s.endswith(";") for s in statements)
    assert any(s.startswith("UNWIND") and "MERGE (n:Enterprise" in s for s in statements)
    assert sum("CREATE (a)-[r:SUPPLIES]->(b)" in s for s in statements) == 1


def test_dot_parses_with_pydot_and_escapes(G, tmp_path):
    export_chain(G, "C1", "dot", tmp_path / "c1.dot")
    (graph,) = pydot.graph_from_dot_file(str(tmp_path / "c1.dot"), encoding="utf-8")
    names = {}
    for sub in graph.get_subgraphs():
        for node in sub.get_nodes():
            names[node.get_name().strip('"')] = node.get_label()
    assert {"E1", "E2", "E3", "E4", "P1", "P2"} <= set(names)
    assert names["E1"].strip('"').startswith("沪光玻璃集团")
    assert len(graph.get_edges()) >= 3
    assert graph.get_rankdir() == "LR"


def test_mermaid_declares_every_node_once(G, tmp_path):
    export_chain(G, "C1", "mermaid", tmp_path / "c1.mmd")
    text = (tmp_path / "c1.mmd").read_text("utf-8")
    assert text.startswith("flowchart LR")
    declared = re.findall(r"^\s+(n\d+)[\[\(]", text, re.M)
    assert len(declared) == len(set(declared)) >= 6
    assert "<img" not in text and "#lt;img src=x onerror=alert(1)#gt;" in text
    for source, target in re.findall(r"^\s+(n\d+) [-.]+>(?:\|[^|]*\|)? (n\d+)$", text, re.M):
        assert source in declared and target in declared


def test_existing_file_needs_force_and_failures_leave_nothing(G, tmp_path):
    target = tmp_path / "c1.graphml"
    export_chain(G, "C1", "graphml", target)
    before = target.read_bytes()
    with pytest.raises(ExportExists):
        export_chain(G, "C1", "graphml", target)
    assert target.read_bytes() == before
    export_chain(G, "C1", "graphml", target, force=True)
    broken = G.copy()
    broken.nodes["E1"]["bad"] = float("nan")  # no Cypher literal for NaN: the writer fails midway
    with pytest.raises(ValueError):
        export_chain(broken, "C1", "cypher", tmp_path / "c1.cypher")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c1.graphml"]


def test_every_format_is_registered():
    assert set(FORMATS) == {"html", "png", "svg", "graphml", "gexf", "json", "csv", "cypher", "mermaid", "dot"}


def test_png_decodes_and_its_font_has_every_chinese_glyph(G, tmp_path):
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font
    from PIL import Image

    from graphmodel.export.image import cjk_font

    export_chain(G, "C1", "png", tmp_path / "c1.png")
    with Image.open(tmp_path / "c1.png") as image:
        assert image.format == "PNG" and image.width > 600 and image.height > 400
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
        assert len(colours) > 50  # a drawing, not a blank page
    font = FT2Font(font_manager.findfont(font_manager.FontProperties(family=cjk_font()), fallback_to_default=False))
    charmap = font.get_charmap()
    text = "".join(d["name"] for _, d in chain_subgraph(G, "C1").nodes(data=True))
    missing = {ch for ch in text if ord(ch) > 127 and ord(ch) not in charmap}
    assert not missing  # no character would render as a box


def test_svg_keeps_chinese_labels_as_text(G, tmp_path):
    import xml.etree.ElementTree as ET

    export_chain(G, "C1", "svg", tmp_path / "c1.svg")
    root = ET.parse(tmp_path / "c1.svg").getroot()
    texts = "".join(el.text or "" for el in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "沪光玻璃集团" in texts and "光伏玻璃产业链质量提升" in texts


def test_exported_files_get_ordinary_permissions(G, tmp_path):
    import os
    import stat

    old = os.umask(0o022)
    try:
        path = export_chain(G, "C1", "dot", tmp_path / "c1.dot")
        folder = export_graph(G, "csv", tmp_path / "csv")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755


def test_every_format_for_a_demo_chain(tmp_path):
    """Each format, for one chain of the demo, read back by a reader that is not qmap's."""
    import xml.etree.ElementTree as ET
    from html.parser import HTMLParser

    from PIL import Image

    from graphmodel.demo import generate_demo
    from graphmodel.intake import read_tables

    G = build_graph(read_tables(generate_demo()))
    H = chain_subgraph(G, "SH02")
    paths = {fmt: export_chain(G, "SH02", fmt, tmp_path / f"SH02{FORMATS[fmt].suffix or '-csv'}") for fmt in FORMATS}

    assert set(nx.read_graphml(paths["graphml"]).nodes) == set(H.nodes)
    assert set(nx.read_gexf(paths["gexf"]).nodes) == set(H.nodes)
    data = json.loads(paths["json"].read_text("utf-8"))
    assert nx.node_link_graph(data, edges="edges", name="node").number_of_edges() == H.number_of_edges()
    with open(paths["csv"] / "nodes_Enterprise.csv", encoding="utf-8") as f:
        assert sum(1 for _ in csv.reader(f)) - 1 == sum(1 for _, d in H.nodes(data=True) if d["label"] == "Enterprise")
    with Image.open(paths["png"]) as image:
        image.verify()
    assert ET.parse(paths["svg"]).getroot().tag.endswith("svg")
    (dot,) = pydot.graph_from_dot_file(str(paths["dot"]), encoding="utf-8")
    assert dot.get_name().strip('"') == "SH02"
    assert paths["mermaid"].read_text("utf-8").startswith("flowchart LR")
    assert split_statements(paths["cypher"].read_text("utf-8"))

    class Titles(HTMLParser):
        title = ""
        def handle_data(self, text):  # noqa: E301
            if self.lasttag == "title":
                self.title += text
    parser = Titles()
    parser.feed(paths["html"].read_text("utf-8"))
    assert G.nodes["SH02"]["name"] in parser.title
