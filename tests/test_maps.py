"""graphmodel.maps: layered layout, chain map pages, city overview, offline guarantee, `qmap map`.

The data set is written by hand from domain.md so that each problem's colour can be
worked out on paper: P1 needs standards+metrology but only standards (ADDRESSES) and
testing (a SUPPORTS of its firm) are covered → red; P2 resolved → green; P3's firm is
supported for certification → amber; P4 is chain-wide and nobody offers metrology to
it → red; P5 needs nothing → amber. Firm E5 is named like an XSS payload.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from graphmodel import analyses
from graphmodel.files import MANIFEST
from graphmodel.intake import read_dataset, read_tables
from graphmodel.maps import chain_filename, chain_map_html, write_chain_map, write_city_overview, write_maps
from graphmodel.maps import assets
from graphmodel.maps.assets import OfflineError, external_references, finalize_page
from conftest import willems
from handmade import dict_rows
from graphmodel.layout import CLUSTER_MIN, FIRM_LABEL_W, TAG_DX, TAG_W, chain_layout, supply_columns
from graphmodel.style import PROBLEM_STATES, SERVICE_STYLE, short_name
from graphmodel.text import truncate
from graphmodel.model import build_graph, chain_members, chain_subgraph, problem_firm, supply_arcs
from graphmodel.registry import SHANGHAI_DISTRICTS

XSS = "<img src=x onerror=alert(1)>"


def map_rows() -> dict[str, list[dict]]:
    """Two chains, Chinese names, an XSS name, every problem colour, a chain-wide problem."""
    rows = dict_rows

    return {
        "chains": rows("chain_id seq name district leader key industry",
                       ("C1", 1, "光伏玻璃产业链质量提升", "普陀区", "普陀区市场监管局", "★", "光伏玻璃"),
                       ("C2", 2, "电线电缆行业质量提升", "奉贤区", "奉贤区市场监管局", "否", "电线电缆")),
        "enterprises": rows("enterprise_id name size district uscc",
                            ("E1", "沪光玻璃集团有限公司", "大型", "普陀区", None),
                            ("E2", "申石英砂厂", "small", "金山区", None),
                            ("E3", "浦江镀膜科技", "中型", "普陀区", None),
                            ("E4", "晶能组件公司", "micro", "嘉定区", None),
                            ("E5", XSS, "small", "普陀区", None),
                            ("E6", "嘉定光伏电站运营", "large", "嘉定区", None),
                            ("E7", "纯碱原料贸易", "small", "宝山区", None),
                            ("E8", "玻璃深加工协作厂", "medium", "普陀区", None),
                            ("E9", "奉申电缆", "large", "奉贤区", None),
                            ("E10", "铜材供应站", "小型", "奉贤区", None)),
        "members": rows("chain_id enterprise_id role tier",
                        ("C1", "E1", "链主", 0), ("C1", "E2", "upstream", 2), ("C1", "E3", "上游", 1),
                        ("C1", "E4", "downstream", 1), ("C1", "E5", "upstream", 1), ("C1", "E6", "下游", 2),
                        ("C1", "E7", "upstream", None), ("C1", "E8", "中游", 1),
                        ("C2", "E9", "owner", 0), ("C2", "E10", "upstream", 1)),
        "supplies": rows("chain_id supplier_id customer_id product share critical",
                         ("C1", "E7", "E2", "纯碱", None, None), ("C1", "E2", "E3", "石英砂", 0.6, "是"),
                         ("C1", "E3", "E1", "镀膜液", 1, "否"), ("C1", "E5", "E1", "包装材料", None, None),
                         ("C1", "E1", "E4", "光伏玻璃", None, "yes"), ("C1", "E4", "E6", "组件", None, None),
                         ("C1", "E1", "E8", "原片", None, None), ("C1", "E8", "E4", "深加工玻璃", None, None),
                         ("C2", "E10", "E9", "铜杆", "50%", None)),
        "support_bodies": rows("body_id name services accreditations",
                               ("B1", "浦江计量检测中心", "计量；testing", "CMA;CNAS"),
                               ("B2", "示例标准化研究院", "standards", None),
                               ("B3", "示例质量培训基地", "培训;质量管理", None),
                               ("B4", "长风认证中心", "认证认可", None)),
        "support_links": rows("body_id target_id service since status",
                              ("B1", "C1", None, "2024-05-01", "有效"), ("B1", "E3", "检验检测", None, "active"),
                              ("B2", "P1", "标准", None, None), ("B3", "K1", None, None, None),
                              ("B4", "E4", "certification", None, None), ("B2", "C1", "standards", None, None)),
        "problems": rows("problem_id chain_id enterprise_id title category severity status needs raised_on resolved_on",
                         ("P1", "C1", "E3", "镀膜均匀性波动", "工艺", "高", "未解决", "标准；计量", "2024-06-10", None),
                         ("P2", "C1", "E2", "石英砂含铁量超标", "material", "medium", "resolved", "testing",
                          "2024-03-01", "2024-09-30"),
                         ("P3", "C1", "E4", "组件认证周期长", "certification", "low", "推进中", "认证认可", None, None),
                         ("P4", "C1", None, "全链计量溯源能力不足", "metrology", "high", "open", "metrology", None, None),
                         ("P5", "C1", "E5", "包装破损率高<b>注意</b>", "product", "low", "open", None, None, None),
                         ("P6", "C2", "E10", "铜杆电阻率波动", "testing", "low", "open", "testing", None, None)),
        "projects": rows("project_id chain_id title lead_id tackles status due progress",
                         ("K1", "C1", "镀膜工艺攻关", "E1", "P1", "实施中", "2025-12-31", 0.4)),
        "policy_tools": rows("tool_id name kind issuer applies_to",
                             ("T1", "质量标杆示范", "示范引领", "普陀区市场监管局", "C1;K1")),
        "indicators": rows("indicator_id name unit direction standard national_limit industry_limit",
                           ("I1", "透光率", "%", "越高越好", "GB/T 30984.1-2015", 91.5, 93.0)),
        "readings": rows("enterprise_id indicator_id year value", ("E1", "I1", 2025, 93.6)),
        "targets": rows("chain_id indicator_id year value", ("C1", "I1", 2025, 93.0)),
    }


def map_graph():
    return build_graph(read_tables(map_rows(), source="手工测试数据"))


@pytest.fixture(scope="module")
def G():
    return map_graph()


@pytest.fixture(scope="module")
def W38():
    return build_graph(read_dataset(willems("W38")))


def page_json(html: str, block: str):
    m = re.search(rf'<script type="application/json" id="{block}">(.*?)</script>', html, re.S)
    assert m, block
    return json.loads(m.group(1))


# --------------------------------------------------------------------------- layout

def test_columns_follow_tiers_then_supply_paths(G):
    H = chain_subgraph(G, "C1")
    cols = supply_columns(H, "C1", chain_members(H, "C1"))
    assert cols["E1"] == 0  # owner
    assert (cols["E3"], cols["E5"], cols["E2"]) == (-1, -1, -2)  # upstream tiers
    assert (cols["E4"], cols["E6"]) == (1, 2)  # downstream tiers
    assert cols["E7"] == -3  # no tier: three supply hops to the owner (E7→E2→E3→E1)
    assert cols["E8"] == 1  # midstream: one topological generation after the owner


def test_layout_reads_left_to_right_with_bands(G):
    H = chain_subgraph(G, "C1")
    L = chain_layout(H, "C1")
    pos = L.positions
    assert set(pos) == set(H)
    assert len(set(pos.values())) == len(pos)  # nobody on top of anybody
    x = {n: pos[n][0] for n in pos}
    assert x["E7"] < x["E2"] < x["E3"] < x["E1"] < x["E4"] < x["E6"]
    firms_y = [pos[n][1] for n in chain_members(H, "C1")]
    bodies = ["B1", "B2", "B3", "B4"]
    assert max(pos[b][1] for b in bodies) < min(firms_y)  # support bodies in their own band above
    assert pos["C1"][1] < min(pos[b][1] for b in bodies)
    for n in ("K1", "T1", "I1", "P4"):  # projects, tools, indicators, chain-wide problems below
        assert pos[n][1] > max(firms_y)
    assert L.bands["E8"] == "mid" and pos["E8"][1] > max(pos[n][1] for n in ("E1", "E3", "E4"))


def test_bodies_grouped_by_pillar_in_order(G):
    L = chain_layout(chain_subgraph(G, "C1"), "C1")
    # Each body sits under the services it gives *this* chain: B1's ENABLES names none, so all of its own
    # (metrology, testing); B2 ENABLES standards; B3 (a training base) partners in K1 naming none; B4 supports
    # E4 for certification.
    assert L.body_groups == {"B1": "metrology+testing", "B2": "standards", "B3": "quality_management+training",
                             "B4": "certification"}
    groups = {r.key: r for r in L.regions if r.kind == "group" and r.key in L.body_groups.values()}
    assert {k: r.title for k, r in groups.items()}["metrology+testing"] == "计量 · 检验检测"
    assert groups["quality_management+training"].title == "质量管理 · 培训"
    for body, key in L.body_groups.items():
        x, y = L.positions[body]
        r = groups[key]
        assert r.x0 <= x <= r.x1 and r.y0 <= y <= r.y1
    order = ["metrology+testing", "standards", "certification", "quality_management+training"]
    assert [groups[k].x0 for k in order] == sorted(groups[k].x0 for k in order)


def test_a_body_is_drawn_under_the_service_it_gives_this_chain_not_its_first():
    rows = map_rows()
    # B1 offers metrology first, but ENABLES C1 for testing only; a training base ENABLES C1 for training.
    rows["support_links"][0] = {"body_id": "B1", "target_id": "C1", "service": "检验检测", "since": None,
                                "status": None}
    rows["support_links"].append({"body_id": "B3", "target_id": "C1", "service": "培训", "since": None,
                                  "status": None})
    H = chain_subgraph(build_graph(read_tables(rows)), "C1")
    L = chain_layout(H, "C1")
    assert L.body_groups["B1"] == "testing" and L.body_groups["B3"] == "training"
    titles = {r.key: r.title for r in L.regions if r.kind == "group"}
    assert titles["testing"] == "检验检测" and titles["training"] == "培训" and "metrology" not in titles


def test_problem_tags_sit_beside_their_firm(G):
    L = chain_layout(chain_subgraph(G, "C1"), "C1")
    for problem, firm in {"P1": "E3", "P2": "E2", "P3": "E4", "P5": "E5"}.items():
        assert L.problem_firm[problem] == firm
        (px, py), (fx, fy) = L.positions[problem], L.positions[firm]
        assert px - fx == pytest.approx(TAG_DX) and abs(py - fy) < 60


def _tag_and_label_boxes(H, L):
    """Problem tags (their widest box) and firm labels (their widest, one line under the dot), in canvas units."""
    tags, labels = [], []
    for n, (x, y) in L.positions.items():
        label = H.nodes[n]["label"]
        if label == "Problem" and n in L.problem_firm:
            tags.append((n, x - TAG_W / 2, y - 11, x + TAG_W / 2, y + 11))
        elif label == "Enterprise":
            labels.append((n, x - FIRM_LABEL_W / 2, y + 8, x + FIRM_LABEL_W / 2, y + 34))
    return tags, labels


def test_problem_tags_never_cover_a_firm_label():
    from graphmodel.demo import generate_demo

    D = build_graph(read_tables(generate_demo()))
    for chain_id in ("SH01", "SH02", "SH10"):
        H = chain_subgraph(D, chain_id)
        L = chain_layout(H, chain_id)
        tags, labels = _tag_and_label_boxes(H, L)
        assert tags
        for p, a0, b0, a1, b1 in tags:
            for f, c0, d0, c1, d1 in labels:
                assert not (a0 < c1 and c0 < a1 and b0 < d1 and d0 < b1), (chain_id, p, f)


def test_big_cells_split_by_product_and_the_midstream_is_not_called_the_owner_tier(W38):
    firms = [f"U{i:03d}" for i in range(150)]
    G = build_graph(read_tables({
        "chains": [{"chain_id": "P1", "seq": 1, "name": "分组链", "district": None, "leader": None, "key": None,
                    "industry": None}],
        "enterprises": [{"enterprise_id": f, "name": f"企业{f}", "size": "small", "district": None, "uscc": None}
                        for f in ["O"] + firms],
        "members": [{"chain_id": "P1", "enterprise_id": "O", "role": "owner", "tier": 0}]
        + [{"chain_id": "P1", "enterprise_id": f, "role": "upstream", "tier": 1} for f in firms],
        "supplies": [{"chain_id": "P1", "supplier_id": f, "customer_id": "O", "product": "晶圆" if i % 2 else "玻璃",
                      "share": None, "critical": None} for i, f in enumerate(firms)],
    }))
    L = chain_layout(chain_subgraph(G, "P1"), "P1", aggregate=True)
    assert sorted((c.title, len(c.members)) for c in L.clusters) == [("上游 第1层 · 晶圆", 75), ("上游 第1层 · 玻璃", 75)]
    a, b = (c.box for c in L.clusters)
    assert a[3] <= b[1] or b[3] <= a[1]  # each group its own block of rows
    for c in L.clusters:
        x0, y0, x1, y1 = c.box
        assert all(x0 <= L.positions[m][0] <= x1 and y0 <= L.positions[m][1] <= y1 for m in c.members)
    titles = [c.title for c in chain_layout(chain_subgraph(W38, "W38"), "W38").clusters]
    assert "中游 · 与链主同级" in titles and not any("链主层" in t for t in titles)


def test_layout_is_deterministic_and_survives_supply_cycles(G):
    rows = map_rows()
    rows["supplies"].append({"chain_id": "C1", "supplier_id": "E6", "customer_id": "E8", "product": "回收玻璃",
                             "share": None, "critical": None})
    H = chain_subgraph(build_graph(read_tables(rows)), "C1")  # E8 → E4 → E6 → E8 is a cycle
    a, b = chain_layout(H, "C1"), chain_layout(H, "C1")
    assert a.positions == b.positions and set(a.positions) == set(H)


def test_big_chain_aggregates_into_clusters(W38):
    H = chain_subgraph(W38, "W38")
    L = chain_layout(H, "W38")
    assert L.clusters, "W38 (2,026 nodes) should start aggregated"
    members = [m for c in L.clusters for m in c.members]
    assert len(members) == len(set(members))  # each node in at most one cluster
    assert all(len(c.members) > CLUSTER_MIN for c in L.clusters)
    owner = next(m for m, d in chain_members(H, "W38").items() if d["role"] == "owner")
    assert owner not in members
    assert not chain_layout(H, "W38", aggregate=False).clusters


# --------------------------------------------------------------------------- chain map page

@pytest.fixture(scope="module")
def c1_html(G):
    return chain_map_html(G, "C1", overview_href="index.html")


def test_problem_colours_follow_the_coverage_rule(G):
    states = analyses.chain_coverage(G, "C1")
    assert {p: s.tone for p, s in states.items()} == {"P1": "red", "P2": "green", "P3": "amber", "P4": "red",
                                                      "P5": "amber"}
    assert list(states["P1"].missing) == ["metrology"]
    # One definition of coverage: the red ones are exactly analyses' uncovered problems.
    uncovered = set(analyses.uncovered_problems(G, "C1")["problem_id"])
    assert {p for p, s in states.items() if s.tone == "red"} == uncovered


def test_page_draws_every_node_of_the_chain_with_fixed_positions(G, c1_html):
    nodes = page_json(c1_html, "qmap-nodes")
    H = chain_subgraph(G, "C1")
    assert {n["id"] for n in nodes} == set(H)
    L = chain_layout(H, "C1")
    for n in nodes:
        assert (n["x"], n["y"]) == pytest.approx(L.positions[n["id"]], abs=0.1)
    options = page_json(c1_html, "qmap-options")
    assert options["physics"]["enabled"] is False  # the browser places nothing
    groups = {n["id"]: n["group"] for n in nodes}
    assert groups["E1"] == "owner" and groups["E6"] == "firm" and groups["E2"] == "sme"
    assert (groups["P1"], groups["P2"], groups["P3"]) == ("problem-red", "problem-green", "problem-amber")
    assert options["groups"]["problem-red"]["color"]["background"] == PROBLEM_STATES["red"]["color"]


def test_support_links_are_styled_by_service(G, c1_html):
    edges = {(e["from"], e["to"]): e for e in page_json(c1_html, "qmap-edges")}
    assert edges[("B1", "E3")]["color"]["color"] == SERVICE_STYLE["testing"]["color"]
    assert edges[("B1", "E3")]["dashes"] == SERVICE_STYLE["testing"]["dashes"]
    assert edges[("B4", "E4")]["color"]["color"] == SERVICE_STYLE["certification"]["color"]
    assert edges[("B2", "P1")]["q"]["s"] == ["standards"]
    assert edges[("B1", "C1")]["q"]["s"] == ["metrology", "testing"]  # a link naming no service: all the body's
    kinds = {e["q"]["k"] for e in edges.values()}
    assert "member_of" not in kinds and not any(e["to"] == "C1" and e["from"].startswith("E") for e in edges.values())


def test_impact_paths_come_from_the_analysis(G, c1_html):
    meta = page_json(c1_html, "qmap-meta")
    edges = page_json(c1_html, "qmap-edges")
    # The page walks a clicked problem's path over its supply lines, which are exactly the chain's
    # supply arcs (the browser test checks the walk against problem-impact for every problem); the
    # sizes it shows are problem_impacts' own.
    assert {(e["from"], e["to"]) for e in edges if e["q"]["k"] == "supplies"} == supply_arcs(G, "C1")
    for problem in ("P1", "P2", "P3", "P5"):
        expected = {r["enterprise_id"]: r["hops"] for r in analyses.to_records(analyses.problem_impact(G, problem))}
        assert meta["impactSize"][problem] == [len(expected), max(expected.values(), default=0)]
        assert meta["affected"][problem] == problem_firm(G, problem)
    assert meta["impactSize"]["P1"] == [4, 3]  # E1 at 1 hop, E4 and E8 at 2, E6 at 3
    assert "P4" not in meta["affected"]  # chain-wide: no firm, no path
    assert set(meta["gaps"]) == {"P1", "P4", "E3", "E5"}  # uncovered problems, P1's firm, the unsupported SME
    assert meta["gap"]["smes"] == {"E5": ["metrology", "standards", "testing", "certification"]}  # P5 needs none


def test_page_lists_are_the_analyses_rows(G, c1_html):
    meta = page_json(c1_html, "qmap-meta")
    for item in meta["lists"]:
        keys = [c[0] for c in item["cols"]]
        rows = [dict(zip(keys, r)) for r in item["rows"]]
        expected = analyses.to_records(analyses.ANALYSES[item["key"]].run(G, chain="C1"))
        shared = [k for k in keys if k in analyses.ANALYSES[item["key"]].columns]
        assert set(analyses.ANALYSES[item["key"]].keys) <= set(shared)
        assert [{k: r[k] for k in shared} for r in rows] == [{k: r[k] for k in shared} for r in expected]
    uncovered = next(i for i in meta["lists"] if i["key"] == "uncovered-problems")
    assert [r[-1] for r in uncovered["rows"]] == [4, 0]  # 波及下游企业数 of P1, P4
    suggest = meta["suggest"]["P1"]
    assert suggest[0][:3] == ["metrology", 1, "B1"] and meta["bodies"]["B1"]["serves"] == ["C1", "E3"]


def test_critical_suppliers_are_left_to_the_cli_on_a_huge_chain(G, monkeypatch):
    from graphmodel.maps import chain_map

    monkeypatch.setattr(chain_map, "CRITICAL_MAX_WORK", 10)
    meta = page_json(chain_map_html(G, "C1"), "qmap-meta")
    item = next(i for i in meta["lists"] if i["key"] == "critical-suppliers")
    assert item["rows"] == [] and "qmap analyze critical-suppliers --chain C1" in item["note"]
    assert meta["critical"] == []


def test_single_source_links_are_marked(G, c1_html):
    edges = page_json(c1_html, "qmap-edges")
    pairs = {(r["supplier_id"], r["customer_id"]) for r in analyses.to_records(analyses.single_source(G, "C1"))}
    marked = {(e["from"], e["to"]) for e in edges if e["q"].get("ss")}
    assert marked == pairs and pairs
    products = {(r["supplier_id"], r["customer_id"]): r["product"]
                for r in analyses.to_records(analyses.single_source(G, "C1"))}
    for e in edges:
        if e["q"].get("ss"):  # the page's tooltip names the products only this supplier gives
            only = e["q"]["p"] if e["q"]["ss"] == 1 else e["q"]["ss"]
            assert products[(e["from"], e["to"])] in only


def test_user_text_never_reaches_the_page_as_markup(G, c1_html):
    assert XSS not in c1_html and "<b>注意</b>" not in c1_html
    assert "<img" not in c1_html.lower()
    meta = page_json(c1_html, "qmap-meta")
    assert meta["info"]["E5"]["h"] == XSS  # the data is intact, shown later as text
    assert "包装破损率高<b>注意</b>" == meta["info"]["P5"]["h"]


def test_page_is_self_contained_with_a_strict_policy(c1_html):
    assert external_references(c1_html) == []
    assert not re.search(r"<(?:script|img|iframe)[^>]*\ssrc=", c1_html, re.I)
    assert not re.search(r"<link\b", c1_html, re.I)
    assert "cdnjs" not in c1_html and "jsdelivr" not in c1_html and "bootstrap" not in c1_html.lower()
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', c1_html).group(1)
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp and "unsafe-inline'" not in csp.split(
        "script-src")[1].split(";")[0]
    # Every executable inline script is allowed by its hash, and nothing else is.
    import base64
    import hashlib

    scripts = [code for attrs, code in re.findall(r"<script\b([^>]*)>(.*?)</script>", c1_html, re.S)
               if "application/json" not in attrs]
    hashes = {base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() for code in scripts}
    allowed = set(re.findall(r"'sha256-([^']+)'", csp))
    assert hashes == allowed and len(scripts) == 2
    assert assets.vis_network_js()[:200] in c1_html  # vis-network inlined from the pyvis package
    assert "Noto Sans CJK SC" in c1_html and "@font-face" not in c1_html


@pytest.mark.parametrize("page, found", [
    ('<script src="https://cdn.example/vis.js"></script>', "https://cdn.example/vis.js"),
    ("<link rel=stylesheet href=//cdn.example/x.css>", "//cdn.example/x.css"),
    ('<style>@import url("https://fonts.example/css");</style>', "https://fonts.example/css"),
    ("<div style=\"background:url('http://x.example/a.png')\"></div>", "http://x.example/a.png"),
    ('<img srcset="https://x.example/a.png 2x">', "https://x.example/a.png 2x"),
])
def test_offline_check_catches_network_references(page, found):
    assert external_references(page) == [found]
    with pytest.raises(OfflineError):
        finalize_page(f'<meta content="{assets.CSP_PLACEHOLDER}">' + page)


def test_offline_check_ignores_local_links_and_text():
    page = ('<a href="SH01.html">x</a><img src="data:image/png;base64,AAAA">'
            '<p>see https://example.com and src=http://a</p><script>var u="https://x"</script>')
    assert external_references(page) == []


def test_write_is_atomic_and_bad_chain_writes_nothing(G, tmp_path):
    target = tmp_path / "C1.html"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(KeyError):
        write_chain_map(G, "NOPE", target)
    assert target.read_text(encoding="utf-8") == "old"
    path = write_chain_map(G, "C1", target)
    assert path == target and target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["C1.html"]  # no temporary files left


def test_chain_without_members_still_gets_a_page(tmp_path):
    G = build_graph(read_tables({"chains": [{"chain_id": "X1", "seq": 1, "name": "空链", "district": None,
                                             "leader": None, "key": None, "industry": None}]}))
    html = chain_map_html(G, "X1")
    assert page_json(html, "qmap-meta")["empty"] is True
    assert [n["id"] for n in page_json(html, "qmap-nodes")] == ["X1"]


def test_labels_are_short_and_truncated():
    assert short_name("上海恒远电子元器件有限公司（示例）") == "恒远电子元器件"
    assert short_name(XSS, 40) == XSS  # escaping is the page's job, not the label's
    assert truncate("Manuf_0043", 8) == "Manuf_0043" and truncate("空间太阳电池阵质量一致性不足", 8) == "空间太阳电池阵…"


def test_chain_filenames_are_safe():
    assert chain_filename("SH01") == "SH01.html"
    assert chain_filename("../etc/passwd") == "_etc_passwd.html"
    assert chain_filename("nul") == "_nul.html"
    assert chain_filename("浦东-01") == "浦东-01.html"


# --------------------------------------------------------------------------- city overview

class _Table(HTMLParser):
    """Rows of <tbody> cells (text) and every <a href>."""

    def __init__(self):
        super().__init__()
        self.rows, self.links, self._in_body, self._cell = [], [], False, None

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
        elif tag == "td" and self._in_body:
            self._cell = []
        elif tag == "a":
            self.links.append(dict(attrs)["href"])

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag == "td" and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def test_write_maps_writes_every_chain_and_an_overview(G, tmp_path):
    index = write_maps(G, tmp_path)
    assert index == tmp_path / "index.html"
    assert sorted(p.name for p in tmp_path.iterdir()) == [MANIFEST, "C1.html", "C2.html", "index.html"]
    html = index.read_text(encoding="utf-8")
    assert external_references(html) == []
    parser = _Table()
    parser.feed(html)
    assert set(parser.links) == {"C1.html", "C2.html"}
    overview = {r["chain_id"]: r for r in analyses.to_records(analyses.city_overview(G))}
    by_seq = {row[0]: row for row in parser.rows}
    c1 = by_seq["01"]
    assert c1[1].startswith("★") and "光伏玻璃产业链质量提升" in c1[1]
    assert [int(v) for v in c1[3:5]] == [overview["C1"]["members"], overview["C1"]["smes"]]
    assert [int(v) for v in c1[5:9]] == [overview["C1"]["bodies"][p] for p in
                                         ("metrology", "standards", "testing", "certification")]
    assert [int(v) for v in c1[9:12]] == [overview["C1"]["problems"][s] for s in ("open", "in_progress", "resolved")]
    assert int(c1[12]) == 2  # P1 and P4 have a missing service
    assert c1[14] == f"{round(overview['C1']['coverage'] * 100)}%"
    for district in SHANGHAI_DISTRICTS:
        assert f'data-district="{district}"' in html
    chain_page = (tmp_path / "C1.html").read_text(encoding="utf-8")
    assert 'href="index.html"' in chain_page


def test_overview_links_only_maps_that_exist(G, tmp_path):
    write_maps(G, tmp_path, chains=["C2"])
    parser = _Table()
    parser.feed((tmp_path / "index.html").read_text(encoding="utf-8"))
    assert parser.links == ["C2.html", "C2.html"]  # district tile and table row
    with pytest.raises(KeyError):
        write_maps(G, tmp_path / "other", chains=["C9"])
    assert not (tmp_path / "other").exists()


def test_a_one_chain_data_set_gets_no_city_page_of_sixteen_empty_districts(W38, tmp_path):
    index = write_maps(W38, tmp_path)
    html = index.read_text(encoding="utf-8")
    assert 'data-district="' not in html and 'data-headline="districts"' not in html
    assert "本数据集只有 1 条产业链项目" in html and '<a href="W38.html">Willems chain 38</a>' in html
    assert 'data-headline="members"' in html and 'data-chain="W38"' in html  # the KPI cards and table remain
    assert external_references(html) == []


def test_overview_escapes_chain_names(tmp_path):
    rows = map_rows()
    rows["chains"][1]["name"] = XSS
    index = write_city_overview(build_graph(read_tables(rows)), tmp_path)
    html = index.read_text(encoding="utf-8")
    assert XSS not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


# --------------------------------------------------------------------------- qmap map

@pytest.fixture()
def csv_folder(tmp_path):
    import csv

    folder = tmp_path / "data"
    folder.mkdir()
    for sheet, rows in map_rows().items():
        with open(folder / f"{sheet}.csv", "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows([{k: "" if v is None else v for k, v in r.items()} for r in rows])
    return folder


def test_cli_map_writes_all_maps(csv_folder, tmp_path):
    from graphmodel.cli import main

    out = tmp_path / "maps"
    result = CliRunner().invoke(main, ["map", "--data", str(csv_folder), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "C1.html", "C2.html", "index.html"]
    assert (out / "index.html").resolve().as_uri() in result.output


def test_cli_map_one_chain(csv_folder, tmp_path):
    from graphmodel.cli import main

    out = tmp_path / "maps"
    result = CliRunner().invoke(main, ["map", "--data", str(csv_folder), "--chain", "C2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "C2.html"]
    bad = CliRunner().invoke(main, ["map", "--data", str(csv_folder), "--chain", "C9", "-o", str(out)])
    assert bad.exit_code == 2 and "C9" in bad.output


def test_cli_map_from_neo4j_draws_the_same_map(neo4j_db, G, tmp_path):
    """`qmap map --neo4j` reads the graph back from the server; the page's nodes and edges match --data's."""
    from graphmodel.cli import main

    neo4j_db.load(G)
    out = tmp_path / "neo4j"
    result = CliRunner().invoke(main, ["map", "--neo4j", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "C1.html", "C2.html", "index.html"]
    embedded = chain_map_html(G, "C1", overview_href="index.html")
    from_server = (out / "C1.html").read_text(encoding="utf-8")
    for block in ("qmap-nodes", "qmap-edges"):
        assert page_json(from_server, block) == page_json(embedded, block)
    one = CliRunner().invoke(main, ["map", "--neo4j", "--chain", "C2", "-o", str(tmp_path / "one")])
    assert one.exit_code == 0, one.output
    assert page_json((tmp_path / "one" / "C2.html").read_text(encoding="utf-8"), "qmap-nodes") == \
        page_json(chain_map_html(G, "C2"), "qmap-nodes")
