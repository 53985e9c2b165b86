"""The maps in a real headless Chromium (Debian's ``chromium``, driven by Playwright).

Pages are opened from ``file://`` with every other request aborted and counted: the
pages must not try to reach anything. No console error may appear. Screenshots go to
``test-output/browser/`` (git-ignored) so a person can look at them.

Chromium is found at ``$QMAP_CHROMIUM`` or ``chromium`` on the PATH; Playwright's own
browser download is never used. Without Chromium or Playwright the tests are skipped,
except under ``CI=true``, where that fails the run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from graphmodel import analyses
from graphmodel.intake import read_dataset
from graphmodel.maps import write_chain_map, write_maps
from graphmodel.model import build_graph, chain_subgraph
from conftest import required_missing, willems
from test_maps import XSS, map_graph

pytestmark = pytest.mark.browser

OUTPUT = Path(__file__).resolve().parents[1] / "test-output" / "browser"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
                 "--disable-extensions", "--lang=zh-CN"]


def _missing(reason: str):
    required_missing(reason, "the browser tests")


def chromium_path() -> str | None:
    path = os.environ.get("QMAP_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    return path if path and os.access(path, os.X_OK) else None


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the Python package playwright is not installed (pip install playwright; no browser download)")
    executable = chromium_path()
    if executable is None:
        _missing("Chromium not found: apt-get install chromium fonts-noto-cjk (or set QMAP_CHROMIUM)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Visit:
    """One page in a fresh context that blocks and counts every non-local request."""

    def __init__(self, browser, url: str, width: int = 1600, height: int = 1000, wait: bool = True):
        self.left_page: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                           service_workers="block")
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("request", self._request)
        self.page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("dialog", self._dialog)
        self.page.goto(url)
        if wait:
            self.ready()

    def ready(self):
        self.page.wait_for_selector("body[data-ready='1']", timeout=60_000)

    @staticmethod
    def _local(url: str) -> bool:
        return url.startswith(("file:", "data:", "blob:", "about:"))

    def _route(self, route):
        if self._local(route.request.url):
            route.continue_()
        else:
            route.abort()

    def _request(self, request):
        if not self._local(request.url):
            self.left_page.append(request.url)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def drawn(self) -> set[str]:
        return set(self.js("qmap.drawnNodeIds()"))

    def lit(self) -> set[str]:
        return set(self.js("qmap.litNodeIds()"))

    def download(self, selector: str) -> bytes:
        with self.page.expect_download() as info:
            self.page.click(selector)
        return Path(info.value.path()).read_bytes()

    def node_point(self, node_id: str) -> tuple[float, float]:
        p = self.js("""id => {
            const pos = qmap.network.getPositions([id])[id], dom = qmap.network.canvasToDOM(pos);
            const r = document.getElementById('mynetwork').getBoundingClientRect();
            return [r.left + dom.x, r.top + dom.y];
        }""", node_id)
        return p[0], p[1]

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def G():
    return map_graph()


TAGS = {"E1": ["专精特新", "上市"], "E4": "小巨人"}  # enterprises.tags (a list, or text as a reader may keep it)


@pytest.fixture(scope="module")
def maps_dir(G, tmp_path_factory):
    out = tmp_path_factory.mktemp("maps")
    for firm, tags in TAGS.items():
        G.nodes[firm]["tags"] = tags
    write_maps(G, out)
    return out


@pytest.fixture()
def c1(browser, maps_dir):
    visit = Visit(browser, (maps_dir / "C1.html").as_uri())
    yield visit
    visit.close()


def test_chain_map_loads_offline_and_draws_every_node(c1, G):
    H = chain_subgraph(G, "C1")
    assert c1.left_page == []
    assert c1.errors == []
    assert c1.drawn() == set(H)
    assert c1.js("qmap.network.physics.options.enabled") is False
    # The canvas is really painted: some pixels differ from the background.
    assert c1.js("""() => { const c = document.querySelector('#mynetwork canvas');
                            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                            let ink = 0; for (let i = 0; i < d.length; i += 4 * 97) if (d[i] < 200) ink++;
                            return ink; }""") > 50
    # The Chinese labels are drawn with a CJK font that is really installed.
    assert c1.js("document.fonts.check('14px \"Noto Sans CJK SC\"', '光伏玻璃')") is True
    OUTPUT.mkdir(parents=True, exist_ok=True)
    c1.page.screenshot(path=str(OUTPUT / "chain-map-C1.png"))


def test_filters_hide_what_they_should(c1, G):
    everything = c1.drawn()
    problems = {"P1", "P2", "P3", "P4", "P5"}
    c1.page.click('input[data-filter="type"][value="problem"]')
    assert c1.drawn() == everything - problems
    c1.page.click('input[data-filter="type"][value="problem"]')
    assert c1.drawn() == everything
    c1.page.click('input[data-filter="status"][value="red"]')
    assert c1.drawn() == everything - {"P1", "P4"}
    c1.page.click('input[data-filter="status"][value="red"]')
    c1.page.click('input[data-filter="service"][value="standards"]')
    assert "B2" not in c1.drawn()  # B2 offers standards only
    assert c1.js("qmap.drawnEdgeIds().map(id => qmap.edges.get(id)).filter(e => e.q.s.includes('standards')"
                 " && e.q.s.length === 1).length") == 0
    c1.page.click(".switch")  # the gap view, in place: every gap lit, the rest faded, nothing moved or dropped
    gaps = set(analyses.uncovered_problems(G, "C1")["problem_id"]) | set(analyses.sme_unsupported(G, "C1")["enterprise_id"])
    assert set(c1.js("qmap.litNodeIds()")) == gaps | {"E3"}  # E3: P1's firm
    assert c1.drawn() == everything - {"B2"}  # the standards filter still holds
    c1.page.click("#q-reset")
    assert c1.drawn() == everything
    assert c1.errors == []


def test_search_focuses_the_node_chinese_or_id(c1):
    c1.page.fill("#q-search", "晶能")
    assert c1.page.inner_text("#q-results").startswith("晶能组件公司")
    c1.page.press("#q-search", "Enter")
    assert c1.js("qmap.network.getSelectedNodes()") == ["E4"]
    # the focus animation ends centred on the node (a fixed wait missed it on a busy machine)
    c1.page.wait_for_function("""() => {
        const v = qmap.network.getViewPosition(), p = qmap.network.getPositions(['E4']).E4;
        return Math.abs(v.x - p.x) < 2 && Math.abs(v.y - p.y) < 2; }""", timeout=10_000)
    assert "晶能组件公司" in c1.page.inner_text("#q-detail")
    c1.page.fill("#q-search", "k1")
    c1.page.press("#q-search", "Enter")
    assert c1.js("qmap.network.getSelectedNodes()") == ["K1"]


def test_search_reveals_a_filtered_node(c1):
    c1.page.click('input[data-filter="type"][value="body"]')
    assert "B4" not in c1.drawn()
    c1.page.fill("#q-search", "长风认证")
    c1.page.press("#q-search", "Enter")
    assert "B4" in c1.drawn() and c1.page.is_checked('input[data-filter="type"][value="body"]')


def test_xss_name_stays_text(c1):
    c1.page.fill("#q-search", "<img")
    assert XSS in c1.page.inner_text("#q-results")
    c1.page.press("#q-search", "Enter")
    c1.page.wait_for_timeout(600)
    assert XSS in c1.page.inner_text("#q-detail")
    x, y = c1.node_point("E5")
    c1.page.mouse.move(x, y)
    c1.page.wait_for_selector("#q-tooltip:not([hidden])")
    assert XSS in c1.page.inner_text("#q-tooltip")
    assert c1.js("document.querySelectorAll('img').length") == 0
    assert c1.dialogs == [] and c1.errors == []
    OUTPUT.mkdir(parents=True, exist_ok=True)
    c1.page.screenshot(path=str(OUTPUT / "chain-map-C1-tooltip.png"))


def test_clicking_a_problem_highlights_its_impact_path(c1, G):
    x, y = c1.node_point("P1")
    c1.page.mouse.click(x, y)
    detail = c1.page.inner_text("#q-detail")
    assert "影响路径" in detail and "第 3 跳" in detail
    impact = {r["enterprise_id"] for r in analyses.to_records(analyses.problem_impact(G, "P1"))}
    lit = set(c1.js("qmap.nodes.get().filter(n => n.opacity === undefined || n.opacity === 1).map(n => n.id)"))
    assert lit == impact | {"P1", "E3"}
    # The path's supply edges are drawn thick; E3→E1→E4→E6 and E1→E8.
    thick = c1.js("qmap.edges.get().filter(e => e.width > 3).map(e => e.from + '>' + e.to).sort()")
    assert thick == sorted(["E3>E1", "E1>E4", "E1>E8", "E4>E6", "P1>E3"])
    OUTPUT.mkdir(parents=True, exist_ok=True)
    c1.page.screenshot(path=str(OUTPUT / "chain-map-C1-impact.png"))
    c1.page.mouse.click(5 + c1.js("document.getElementById('side').offsetWidth"), 5)  # empty canvas corner
    assert c1.js("qmap.nodes.get().every(n => n.opacity === undefined || n.opacity === 1)")


def test_city_overview_links_to_working_maps(browser, maps_dir):
    visit = Visit(browser, (maps_dir / "index.html").as_uri(), 1500, 1000)
    try:
        assert visit.left_page == [] and visit.errors == []
        assert visit.page.locator(".district").count() == 16
        assert "★" in visit.page.inner_text('[data-district="普陀区"]')
        OUTPUT.mkdir(parents=True, exist_ok=True)
        visit.page.screenshot(path=str(OUTPUT / "city-overview.png"), full_page=True)
        visit.page.click('#kpi a[href="C2.html"]')
        visit.page.wait_for_selector("body[data-ready='1']")
        assert visit.page.url.endswith("/C2.html")
        assert visit.drawn() >= {"C2", "E9", "E10", "P6"}
        assert visit.left_page == [] and visit.errors == []
    finally:
        visit.close()


def test_big_chain_starts_aggregated_and_expands_on_click(browser, tmp_path):
    W = build_graph(read_dataset(willems("W38")))
    path = write_chain_map(W, "W38", tmp_path / "W38.html")
    visit = Visit(browser, path.as_uri())
    try:
        assert visit.left_page == [] and visit.errors == []
        drawn = visit.drawn()
        assert len(drawn) < 20  # a few cluster nodes instead of 2,026 dots
        clusters = visit.js("qmap.meta.clusters.map(c => [c.id, c.members.length])")
        cid, size = clusters[0]
        assert cid in drawn
        x, y = visit.node_point(cid)
        visit.page.mouse.click(x, y)
        assert len(visit.drawn()) == len(drawn) - 1 + size
        visit.page.click("#q-expand-all")
        assert len(visit.drawn()) == chain_subgraph(W, "W38").number_of_nodes()
        assert visit.errors == []
    finally:
        visit.close()


def test_every_demo_map_works_offline(browser, tmp_path):
    """The done-criterion: the demo's overview and all 28 chain maps load with no network and no errors."""
    from graphmodel.demo import generate_demo
    from graphmodel.intake import read_tables

    D = build_graph(read_tables(generate_demo()))
    index = write_maps(D, tmp_path)
    visit = Visit(browser, index.as_uri(), 1500, 1000)
    try:
        hrefs = visit.js("[...new Set([...document.querySelectorAll('#kpi a')].map(a => a.getAttribute('href')))]")
        assert len(hrefs) == 28 and visit.left_page == [] and visit.errors == []
        chains = sorted(n for n, d in D.nodes(data=True) if d["label"] == "Chain")
        for chain_id, href in zip(chains, sorted(hrefs)):
            visit.page.goto((tmp_path / href).as_uri())
            visit.page.wait_for_selector("body[data-ready='1']")
            assert visit.drawn() == set(chain_subgraph(D, chain_id)), chain_id
        assert visit.left_page == [] and visit.errors == [] and visit.dialogs == []
    finally:
        visit.close()


# --------------------------------------------------------------------------- from display to action (issue 14)

import csv  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402

import networkx as nx  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from graphmodel.analyses import ANALYSES, to_records  # noqa: E402
from graphmodel.cli import main  # noqa: E402
from graphmodel.model import supply_graph  # noqa: E402
from test_maps import map_rows  # noqa: E402

LIST_KEYS = ["uncovered-problems", "sme-unsupported", "support-suggestions", "single-source", "critical-suppliers"]


def write_csv_folder(rows: dict, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for sheet, table in rows.items():
        with open(folder / f"{sheet}.csv", "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(table[0]))
            writer.writeheader()
            writer.writerows([{k: "" if v is None else v for k, v in r.items()} for r in table])
    return folder


def analyze_json(data: Path, name: str, chain: str) -> list[dict]:
    result = CliRunner().invoke(main, ["analyze", name, "--data", str(data), "--chain", chain, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo as a workbook (for `qmap analyze`), its graph and the map of SH02."""
    from graphmodel.demo import generate_demo
    from graphmodel.intake import read_tables
    from graphmodel.workbook import write_workbook

    out = tmp_path_factory.mktemp("demo")
    tables = generate_demo()
    workbook = write_workbook(tables, out / "shanghai-demo.xlsx")
    D = build_graph(read_tables(tables))
    write_chain_map(D, "SH02", out / "SH02.html")
    return {"workbook": workbook, "G": D, "dir": out}


@pytest.fixture()
def sh02(browser, demo):
    visit = Visit(browser, (demo["dir"] / "SH02.html").as_uri(), 1280, 720)
    yield visit
    visit.close()


@pytest.fixture(scope="module")
def w38_page(tmp_path_factory):
    W = build_graph(read_dataset(willems("W38")))
    path = write_chain_map(W, "W38", tmp_path_factory.mktemp("w38") / "W38.html")
    return W, path


def test_gap_view_shows_exactly_the_analyses_gaps(sh02, demo):
    G = demo["G"]
    problems = set(analyses.uncovered_problems(G, "SH02")["problem_id"])
    smes = set(analyses.sme_unsupported(G, "SH02")["enterprise_id"])
    assert smes == {"E0056", "E0063", "E0079", "E0082", "E0089"}  # the five, all now in the view
    everything = sh02.drawn()
    sh02.page.click(".switch")
    firms = {analyses.problem_impacts(G, "SH02").firm(p) for p in problems} - {None}
    assert sh02.lit() == problems | smes | firms
    assert sh02.drawn() == everything  # in place: tiers and bands kept, nothing dropped
    listed = sh02.js("[...document.querySelectorAll('#q-detail .gap-problems li')].map(li => li.dataset.node)")
    assert set(listed) == problems and len(listed) == len(problems)
    listed = sh02.js("[...document.querySelectorAll('#q-detail .gap-smes li')].map(li => li.dataset.node)")
    assert set(listed) == smes and len(listed) == len(smes)
    # The missing services are written on the canvas: each uncovered problem's tag now reads 缺：….
    zh = {"metrology": "计量", "standards": "标准", "testing": "检验检测", "certification": "认证认可",
          "quality_management": "质量管理", "training": "培训"}
    for row in to_records(analyses.uncovered_problems(G, "SH02")):
        label = sh02.js(f"qmap.nodes.get({json.dumps(row['problem_id'])}).label")
        assert label.startswith("缺：") and zh[row["missing"][0]][:2] in label, (row, label)
    assert sh02.errors == []
    OUTPUT.mkdir(parents=True, exist_ok=True)
    sh02.page.screenshot(path=str(OUTPUT / "chain-map-SH02-gaps.png"))


def test_a_suggestion_highlights_the_body_and_what_it_serves(sh02, demo):
    G = demo["G"]
    sh02.page.click(".switch")
    sh02.page.click('#q-detail .gap-problems li[data-node="P0017"] a')
    suggested = [r["body_id"] for r in to_records(analyses.support_suggestions(G, "SH02"))
                 if r["target_id"] == "P0017" and r["service"] == "metrology"]
    shown = sh02.js("[...document.querySelectorAll('#q-detail .suggest a')].map(a => a.dataset.body)")
    assert shown == suggested and len(shown) == 3
    body = suggested[0]
    sh02.page.click(f'#q-detail .suggest a[data-body="{body}"]')
    serves = {v for v, _, d in __import__("graphmodel.model", fromlist=["body_links"]).body_links(G, body, True)
              if v in chain_subgraph(G, "SH02")}
    assert serves and sh02.lit() == serves | {body, "P0017"}
    assert "已服务" in sh02.page.inner_text("#q-detail")
    assert sh02.errors == []


@pytest.mark.parametrize("where", ["C1", "SH02"])
def test_each_list_equals_qmap_analyze_json(browser, maps_dir, demo, tmp_path, where):
    if where == "C1":
        data, chain = write_csv_folder(map_rows(), tmp_path / "data"), "C1"
        visit = Visit(browser, (maps_dir / "C1.html").as_uri())
    else:
        data, chain = demo["workbook"], "SH02"
        visit = Visit(browser, (demo["dir"] / "SH02.html").as_uri())
    try:
        for key in LIST_KEYS:
            expected = analyze_json(data, key, chain)
            visit.page.click(f'#q-lists [data-list="{key}"]')
            shown = visit.js(f"qmap.listRecords({json.dumps(key)})")
            if key == "critical-suppliers":
                expected = expected[:10]  # the top ten, as the list says
            keys = [k for k in ANALYSES[key].columns if k in shown[0]] if shown else []
            assert set(ANALYSES[key].keys) <= set(keys) or not expected
            assert [{k: r[k] for k in keys} for r in shown] == [{k: r[k] for k in keys} for r in expected], key
            # The table shows those rows, ids as they are.
            rows = visit.js("[...document.querySelectorAll('#q-table tbody tr')].map(tr => tr.dataset.node)")
            focus = {"uncovered-problems": "problem_id", "sme-unsupported": "enterprise_id",
                     "support-suggestions": "target_id", "single-source": "customer_id",
                     "critical-suppliers": "enterprise_id"}[key]
            assert rows == [r[focus] for r in expected], key
            # …and the CSV the page writes holds the same rows, for Excel.
            raw = visit.download("#q-csv")
            assert raw.startswith(b"\xef\xbb\xbf")
            table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
            assert len(table) == len(expected) + 1, key
            header = table[0]
            captions = visit.js(f"qmap.meta.lists.find(l => l.key === {json.dumps(key)}).cols.map(c => [c[0], c[1]])")
            assert header == [zh for _, zh in captions]
            column = header.index(dict(captions)[focus])
            assert [r[column] for r in table[1:]] == [r[focus] for r in expected], key
        assert visit.left_page == [] and visit.errors == []
    finally:
        visit.close()


def test_list_rows_sort_and_a_row_click_focuses_its_node(sh02, demo):
    assert sh02.page.locator("#dock").is_hidden()  # a laptop starts with the map wide; ☷ 清单 opens the lists
    sh02.page.click("#q-dock-toggle")
    sh02.page.click('#q-lists [data-list="critical-suppliers"]')
    sh02.page.select_option("#q-top", "20")
    assert sh02.page.locator("#q-table tbody tr").count() == 20
    sh02.page.click('#q-table th[data-key="name"]')
    assert sh02.js("""(() => { const names = qmap.listRecords('critical-suppliers').map(r => r.name);
                                return names.length === 20 && names.every((n, i) => !i || names[i - 1].localeCompare(n, 'zh-CN') <= 0);
                              })()""")  # by name now, as a Chinese reader sorts
    assert sh02.js("document.querySelector('#q-table th[data-key=\"name\"]').className") == "sorted-asc"
    sh02.page.click('#q-lists [data-list="sme-unsupported"]')
    sh02.page.click('#q-table tbody tr[data-node="E0079"]')
    assert sh02.js("qmap.network.getSelectedNodes()") == ["E0079"]
    sh02.page.wait_for_function("""() => {  // the focus animation ends centred on the node
        const v = qmap.network.getViewPosition(), p = qmap.network.getPositions(['E0079']).E0079;
        return Math.abs(v.x - p.x) < 2 && Math.abs(v.y - p.y) < 2; }""", timeout=10_000)
    assert "建议对接" in sh02.page.inner_text("#q-detail") or "供需对接" in sh02.page.inner_text("#q-detail")
    assert sh02.errors == []


def test_impact_paths_drawn_are_the_analysis(c1, G):
    for problem in ("P1", "P2", "P3", "P5"):
        expected = {r["enterprise_id"]: r["hops"] for r in to_records(analyses.problem_impact(G, problem))}
        got = c1.js(f"qmap.impactOf({json.dumps(problem)})")
        firm = analyses.problem_impacts(G, "C1").firm(problem)
        assert {k: v for k, v in got.items() if k != firm} == expected
    x, y = c1.node_point("P1")
    c1.page.mouse.click(x, y)
    assert "波及 4 家企业（最远 3 跳" in c1.page.inner_text("#q-detail")


def test_csv_cells_are_formula_safe(browser, tmp_path):
    rows = map_rows()
    rows["enterprises"][4]["name"] = '=HYPERLINK("x")'  # E5, the unsupported SME
    rows["enterprises"][2]["name"] = "+31 镀膜"  # E3, P1's firm
    rows["problems"][0]["title"] = "-折扣@"  # P1
    path = write_chain_map(build_graph(__import__("graphmodel.intake", fromlist=["read_tables"]).read_tables(rows)),
                           "C1", tmp_path / "C1.html")
    visit = Visit(browser, path.as_uri())
    try:
        visit.page.click('#q-lists [data-list="sme-unsupported"]')
        table = list(csv.reader(io.StringIO(visit.download("#q-csv").decode("utf-8-sig"))))
        assert table[1][:2] == ["E5", "'=HYPERLINK(\"x\")"]
        visit.page.click('#q-lists [data-list="uncovered-problems"]')
        table = list(csv.reader(io.StringIO(visit.download("#q-csv").decode("utf-8-sig"))))
        assert table[1][:4] == ["P1", "'-折扣@", "E3", "'+31 镀膜"]
        assert visit.errors == [] and visit.left_page == []
    finally:
        visit.close()


def test_marks_single_source_critical_and_tags(c1, G):
    pairs = {(r["supplier_id"], r["customer_id"]) for r in to_records(analyses.single_source(G, "C1"))}
    marked = {tuple(p) for p in c1.js("qmap.edges.get().filter(e => e.q.ss).map(e => [e.from, e.to])")}
    assert marked == pairs
    top = [r["enterprise_id"] for r in to_records(analyses.critical_suppliers(G, "C1")) if r["score"] > 0]
    assert c1.js("qmap.meta.critical.map(c => c[0])") == top
    x, y = c1.node_point("E1")
    c1.page.mouse.move(x, y)
    c1.page.wait_for_selector("#q-tooltip:not([hidden])")
    assert "专精特新、上市" in c1.page.inner_text("#q-tooltip")
    x, y = c1.node_point("E5")
    c1.page.mouse.move(x, y)
    c1.page.wait_for_timeout(200)
    assert "无帮扶" in c1.page.inner_text("#q-tooltip")


def test_filters_by_district_size_tier_and_tag(c1):
    everything = c1.drawn()
    c1.page.click('input[data-filter="district"][value="普陀区"]')
    assert c1.drawn() == everything - {"E1", "E3", "E5", "E8", "P1", "P5"}  # their problems go with them
    c1.page.click('input[data-filter="district"][value="普陀区"]')
    c1.page.click('input[data-filter="size"][value="small"]')
    assert c1.drawn() == everything - {"E2", "E5", "E7", "P2", "P5"}
    c1.page.click('input[data-filter="size"][value="small"]')
    c1.page.click('input[data-filter="tier"][value="main:-1"]')
    assert c1.drawn() == everything - {"E3", "E5", "P1", "P5"}
    c1.page.click('input[data-filter="tier"][value="main:-1"]')
    c1.page.click('input[data-filter="tag"][value=""]')  # 无标签 off: the tagged firms remain
    firms = {n for n in c1.drawn() if n.startswith("E")}
    assert firms == {"E1", "E4"}
    assert c1.errors == []


def test_reset_clears_everything_including_the_search(c1):
    everything = c1.drawn()
    c1.page.fill("#q-search", "晶能")
    c1.page.press("#q-search", "Enter")
    c1.page.click(".switch")
    c1.page.click('input[data-filter="size"][value="small"]')
    c1.page.click("#q-reset")
    assert c1.page.input_value("#q-search") == "" and c1.js("document.getElementById('q-results').hidden")
    assert c1.drawn() == everything and c1.js("qmap.state.gap") is False
    assert c1.lit() == everything and c1.js("location.hash") == ""
    assert c1.js("qmap.network.getSelectedNodes()") == [] and c1.js("document.getElementById('q-detail').hidden")


def _hood(S: nx.DiGraph, firm: str, n: int) -> set[str]:
    down = nx.single_source_shortest_path_length(S, firm, cutoff=n)
    up = nx.single_source_shortest_path_length(S.reverse(copy=False), firm, cutoff=n)
    return set(down) | set(up)


def test_neighbourhood_and_paths_on_w38_are_the_networkx_answer(browser, w38_page):
    W, path = w38_page
    S = supply_graph(W, "W38")
    visit = Visit(browser, path.as_uri())
    try:
        for firm, n in (("W38-Manuf_0023", 1), ("W38-Part_0001", 2), ("W38-Trans_0040", 3)):
            visit.js(f"qmap.reveal({json.dumps(firm)})")
            visit.page.select_option("#q-hood-n", str(n))
            visit.page.click("#q-detail .acts button >> nth=0")  # 显示邻域
            assert visit.drawn() == _hood(S, firm, n), (firm, n)
            assert f"上下游 {n} 层" in visit.page.inner_text("#q-view-note")
        a, b = "W38-Part_0001", "W38-Retail_0100"
        visit.js(f"qmap.reveal({json.dumps(a)})")
        visit.page.click("#q-detail .acts button >> nth=1")  # 设为路径起点
        visit.js(f"qmap.reveal({json.dumps(b)})")
        visit.page.click("#q-detail .acts button >> nth=2")  # 设为路径终点
        paths = list(nx.all_shortest_paths(S, a, b))
        assert visit.drawn() == set().union(*paths)
        on_path = {(u, v) for p in paths for u, v in zip(p, p[1:])}
        lit = visit.js("qmap.edges.get().filter(e => e.width === 3.5).map(e => [e.from, e.to])")
        assert {tuple(e) for e in lit} == on_path
        assert visit.errors == [] and visit.left_page == []
    finally:
        visit.close()


def test_the_url_fragment_reopens_the_same_view(browser, maps_dir, w38_page):
    visit = Visit(browser, (maps_dir / "C1.html").as_uri())
    try:
        visit.page.click('input[data-filter="type"][value="tool"]')
        visit.page.click('input[data-filter="district"][value="嘉定区"]')
        visit.page.click(".switch")
        visit.js("qmap.reveal('E3')")
        visit.page.wait_for_timeout(500)
        visit.js("qmap.network.moveTo({position: {x: 120, y: 80}, scale: 1.37}); qmap.network.emit('dragEnd', {})")
        visit.page.wait_for_timeout(400)
        before = {"hash": visit.js("location.hash"), "drawn": visit.drawn(), "lit": visit.lit(),
                  "view": visit.js("[qmap.network.getViewPosition(), qmap.network.getScale()]"),
                  "boxes": visit.js("[...document.querySelectorAll('input[data-filter]')].map(b => b.checked)")}
        assert "gap=1" in before["hash"] and "focus=E3" in before["hash"]
        visit.page.reload()
        visit.ready()
        assert visit.js("location.hash") == before["hash"]
        assert visit.drawn() == before["drawn"] and visit.lit() == before["lit"]
        assert visit.js("[...document.querySelectorAll('input[data-filter]')].map(b => b.checked)") == before["boxes"]
        assert visit.js("qmap.network.getSelectedNodes()") == ["E3"] and visit.js("qmap.state.gap") is True
        (x, y), scale = (lambda v: ((v[0]["x"], v[0]["y"]), v[1]))(visit.js(
            "[qmap.network.getViewPosition(), qmap.network.getScale()]"))
        assert abs(scale - 1.37) < 1e-3 and abs(x - 120) < 0.2 and abs(y - 80) < 0.2
        assert visit.errors == []
    finally:
        visit.close()
    W, path = w38_page  # a neighbourhood and an expanded group come back too
    visit = Visit(browser, path.as_uri())
    try:
        visit.js("qmap.setHood('W38-Manuf_0023', 2)")
        visit.page.wait_for_timeout(400)
        drawn, url = visit.drawn(), visit.page.url
        visit.page.goto("about:blank")
        visit.page.goto(url)
        visit.ready()
        assert visit.drawn() == drawn == _hood(supply_graph(W, "W38"), "W38-Manuf_0023", 2)
    finally:
        visit.close()


def test_save_picture_writes_the_current_view_as_png(c1):
    from PIL import Image, ImageChops, ImageStat

    c1.js("qmap.network.moveTo({position: {x: 0, y: 0}, scale: 0.9})")
    c1.page.mouse.move(1, 1)
    c1.page.wait_for_timeout(300)
    shot = Image.open(io.BytesIO(c1.page.locator("#mynetwork").screenshot())).convert("RGB")
    png = Image.open(io.BytesIO(c1.download("#q-png")))
    assert png.format == "PNG"
    w, h = c1.js("[document.querySelector('#mynetwork canvas').width, document.querySelector('#mynetwork canvas').height]")
    assert png.width == w and png.height > h
    body = png.convert("RGB").crop((0, png.height - h, w, png.height)).resize(shot.size)
    below_toolbar = (0, 60, shot.width, shot.height)
    diff = ImageStat.Stat(ImageChops.difference(body.crop(below_toolbar), shot.crop(below_toolbar))).mean
    assert max(diff) < 6, diff  # the same picture (the page's dotted background aside)
    assert max(ImageStat.Stat(body).stddev) > 20  # and not a blank one
    c1.js("qmap.network.moveTo({position: {x: 400, y: 300}, scale: 2.5})")
    c1.page.wait_for_timeout(200)
    other = Image.open(io.BytesIO(c1.download("#q-png"))).convert("RGB").crop((0, png.height - h, w, png.height))
    assert max(ImageStat.Stat(ImageChops.difference(other, body.resize(other.size))).mean) > 6  # the view, not a copy
    assert c1.errors == []


def _inside(box: dict, width: int, height: int) -> bool:
    return box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width and box["y"] + box["height"] <= height


def test_laptop_layout_at_1280_by_720(sh02):
    page = sh02.page
    assert sh02.js("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]") == [1280, 720]
    for selector in ("#side .kpis", ".switch", "#mynetwork", ".toolbar"):
        assert _inside(page.locator(selector).bounding_box(), 1280, 720), selector
    # Labels are readable at the first zoom: about 12 px on screen, and most firms named.
    size = sh02.js("qmap.network.getScale() * (qmap.network.groups.get('sme').font.size)")
    assert size >= 11
    named = sh02.js("qmap.nodes.get().filter(n => n.q.t === 'firm' && !n.q.c && n.label && n.label.length >= 2).length")
    assert named >= 0.9 * sh02.js("qmap.nodes.get().filter(n => n.q.t === 'firm').length")
    x, y = sh02.node_point("P0017")
    page.mouse.click(x, y)
    detail = page.locator("#q-detail").bounding_box()
    assert _inside(detail, 1280, 720) and detail["height"] > 100  # the problem panel in view, no scrolling
    assert "影响路径" in page.inner_text("#q-detail")
    assert _inside(page.locator("#mynetwork").bounding_box(), 1280, 720)
    width = page.locator("#mynetwork").bounding_box()["width"]
    page.click("#q-side-close")
    assert page.locator("#side").is_hidden() and page.locator("#mynetwork").bounding_box()["width"] > width + 250
    page.click("#q-side-open")
    assert page.locator("#side").is_visible()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "chain-map-SH02-1280x720.png"))
    assert sh02.errors == []


def test_problem_labels_never_overlap_firm_labels(sh02):
    def overlaps():
        return sh02.js("""() => {
            const net = qmap.network, ids = qmap.drawnNodeIds().filter(id => !qmap.nodes.get(id).q.c);
            const kind = id => qmap.nodes.get(id).q.t, box = id => net.getBoundingBox(id);
            const probs = ids.filter(id => kind(id) === 'problem').map(id => [id, box(id)]);
            const firms = ids.filter(id => kind(id) === 'firm').map(id => [id, box(id)]);
            const out = [];
            for (const [p, a] of probs) for (const [f, b] of firms)
                if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) out.push([p, f]);
            return out;
        }""")
    for scale in (None, 0.6, 1.0, 1.6, 3.0):
        if scale is not None:
            sh02.js(f"qmap.network.moveTo({{scale: {scale}}}); qmap.relabel(); qmap.network.redraw()")
            sh02.page.wait_for_timeout(100)
        assert overlaps() == [], scale
    # Zoomed in, names are shown in full (P0017 and P0018 no longer read alike).
    labels = sh02.js("['P0017', 'P0018'].map(id => qmap.nodes.get(id).label)")
    assert labels[0] != labels[1] and not labels[0].endswith("…")


def test_print_is_a4_landscape_with_title_and_legend(c1):
    c1.page.emulate_media(media="print")
    for selector in ("#q-print-title", ".legend", "#mynetwork", ".side-head h1"):
        assert c1.page.locator(selector).is_visible(), selector
    for selector in ("#dock", ".toolbar", ".filters", ".search"):
        assert c1.page.locator(selector).is_hidden(), selector
    pdf = c1.page.pdf(prefer_css_page_size=True)
    import re as _re

    boxes = _re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert boxes and all(abs(float(w) - 841.9) < 2 and abs(float(h) - 595.3) < 2 for w, h in boxes)
    assert len(boxes) == 1  # one page
    c1.page.emulate_media(media="screen")
