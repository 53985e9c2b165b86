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

    def __init__(self, browser, url: str, width: int = 1600, height: int = 1000):
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
        self.page.wait_for_selector("body[data-ready='1']", timeout=30_000)

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


@pytest.fixture(scope="module")
def maps_dir(G, tmp_path_factory):
    out = tmp_path_factory.mktemp("maps")
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
    c1.page.click(".switch")  # gaps only: uncovered problems and their firms
    gaps = set(analyses.uncovered_problems(G, "C1")["problem_id"])
    assert c1.drawn() == gaps | {"E3"}
    c1.page.click("#q-reset")
    assert c1.drawn() == everything
    assert c1.errors == []


def test_search_focuses_the_node_chinese_or_id(c1):
    c1.page.fill("#q-search", "晶能")
    assert c1.page.inner_text("#q-results").startswith("晶能组件公司")
    c1.page.press("#q-search", "Enter")
    c1.page.wait_for_timeout(700)  # the focus animation
    assert c1.js("qmap.network.getSelectedNodes()") == ["E4"]
    view, node = c1.js("[qmap.network.getViewPosition(), qmap.network.getPositions(['E4']).E4]")
    assert abs(view["x"] - node["x"]) < 2 and abs(view["y"] - node["y"]) < 2
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
