"""Benchmark: time from page load until a chain map is drawn and idle, ours vs pyvis's default.

For synthetic chains of about 500 and 5,000 nodes (generated here as intake tables,
validated and modelled like any workbook) it writes:

* **qmap** — our map as shipped: positions computed in Python, physics off, and past
  :data:`graphmodel.maps.layout.AGGREGATE_ABOVE` nodes crowded tiers collapsed into
  cluster nodes that expand on click;
* **qmap-full** — the same page with aggregation off (every node drawn at once);
* **pyvis** — pyvis's default output for the same nodes and edges: ``Network(directed=True,
  cdn_resources="in_line")``, default barnesHut physics with stabilisation.

Each page is opened from ``file://`` in headless Chromium (``/usr/bin/chromium`` via
Playwright, every network request aborted). An init script hooks the page's global
``network`` as vis-network creates it and records each ``afterDrawing`` and the
``stabilized`` event. "Drawn and idle" is the last frame drawn before one quiet second
during which nothing is drawn, and, when physics is on, after ``stabilized`` (pyvis's
page first runs 1,000 stabilisation iterations behind a loading bar, then keeps animating
until the simulation settles); "first frame" is the first frame drawn. Times are from
navigation start (``performance.now()``). Ours is the median of ``--repeat`` runs; pyvis
is run once (it takes minutes). Then the ratios pyvis / qmap.

Then the time to write one page of a seeded synthetic chain of 20,000 firms (``--write-firms``;
:func:`bench.synthetic_chain.synthetic_chain`: tiers, 3–8 supply links per firm, problems on 10 % of
the firms, support links, readings), against the issue's anchor of 30 s.

Run::

    .venv/bin/python bench/bench_maps.py                  # 500 and 5000 nodes, 3 runs each
    .venv/bin/python bench/bench_maps.py --sizes 500 --repeat 1 --no-pyvis --write-firms 0

Timing is printed, never asserted (see the tests for behaviour).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from graphmodel.intake import read_tables
from graphmodel.maps import chain_map_html
from graphmodel.maps.assets import atomic_write_text
from graphmodel.maps.chain_map import _build
from graphmodel.model import build_graph, chain_subgraph
from graphmodel.schema import SERVICES

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic_chain import synthetic_chain  # noqa: E402

#: The issue's anchor for writing a 20,000-firm chain's page.
WRITE_ANCHOR_S = 30.0

HOOK = """
(() => {
  const rec = window.__bench = { draws: [], stabilized: null, iterations: null, hooked: null };
  let net;
  Object.defineProperty(window, "network", {
    configurable: true, enumerable: true,
    get() { return net; },
    set(v) {
      net = v;
      if (v && typeof v.on === "function" && rec.hooked === null) {
        rec.hooked = performance.now();
        v.on("afterDrawing", () => rec.draws.push(performance.now()));
        v.on("stabilized", () => { rec.stabilized = performance.now(); });
        v.on("stabilizationIterationsDone", () => { rec.iterations = performance.now(); });
      }
    },
  });
})();
"""

SYLLABLES = "华申浦江沪东海鑫源恒泰博瑞宏达联创新锐精密智能光电材料装备科技工业"
PRODUCTS = ["晶圆", "衬底", "外延片", "芯片", "封装", "模组", "玻璃", "涂层", "电池片", "组件", "支架", "线缆"]


def _name(rng: random.Random, i: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(4)) + f"{i:04d}有限公司"


def synthetic_tables(target: int, seed: int = 7) -> dict[str, list[dict]]:
    """One chain of about ``target`` nodes: tiers of firms, bodies, problems, projects, tools."""
    rng = random.Random(seed)
    n_firms = int(target * 0.82)
    n_bodies = max(6, int(target * 0.03))
    n_problems = int(target * 0.1)
    n_projects = max(1, int(target * 0.02))
    n_tools = max(1, int(target * 0.01))
    codes = SERVICES.codes

    # Tier sizes: upstream tiers 1-5 grow towards the raw materials; 2 downstream tiers; a few midstream.
    weights = {-5: 10, -4: 8, -3: 6, -2: 4, -1: 3, 1: 2, 2: 1.5, "mid": 0.8}
    total = sum(weights.values())
    tiers: dict = {0: ["F00000"]}
    i = 1
    for tier, w in weights.items():
        count = max(1, round((n_firms - 1) * w / total))
        tiers[tier] = [f"F{i + k:05d}" for k in range(count)]
        i += count
    firms = [f for group in tiers.values() for f in group]

    chains = [{"chain_id": "B1", "seq": 1, "name": f"基准测试产业链（{target} 节点）", "district": "浦东新区",
               "leader": "测试", "key": "是", "industry": "电子信息"}]
    enterprises = [{"enterprise_id": f, "name": _name(rng, k), "size": rng.choice(["large", "medium", "small", "micro"]),
                    "district": None, "uscc": None} for k, f in enumerate(firms)]
    members = []
    for tier, group in tiers.items():
        for f in group:
            if tier == 0:
                members.append({"chain_id": "B1", "enterprise_id": f, "role": "owner", "tier": 0})
            elif tier == "mid":
                members.append({"chain_id": "B1", "enterprise_id": f, "role": "midstream", "tier": 1})
            else:
                role = "upstream" if tier < 0 else "downstream"
                members.append({"chain_id": "B1", "enterprise_id": f, "role": role, "tier": abs(tier)})
    supplies, seen = [], set()

    def supply(u, v):
        if u != v and (u, v) not in seen:
            seen.add((u, v))
            supplies.append({"chain_id": "B1", "supplier_id": u, "customer_id": v,
                             "product": f"{rng.choice(PRODUCTS)}-{u}", "share": None,
                             "critical": "是" if rng.random() < 0.05 else None})

    for t in range(-5, 0):
        for f in tiers[t]:
            for customer in rng.sample(tiers[t + 1] if t + 1 != 0 else tiers[0], k=min(2, len(tiers[t + 1] if t + 1 != 0 else tiers[0]))):
                supply(f, customer)
    for f in tiers[1]:
        supply("F00000", f)
    for f in tiers[2]:
        for customer in rng.sample(tiers[1], k=min(2, len(tiers[1]))):
            supply(customer, f)
    for f in tiers["mid"]:
        supply(rng.choice(tiers[-1]), f)
        supply(f, rng.choice(tiers[1]))

    bodies, links = [], []
    for b in range(n_bodies):
        services = rng.sample(codes, k=rng.randint(1, 3))
        bodies.append({"body_id": f"Q{b:04d}", "name": _name(rng, b).replace("有限公司", "检测中心"),
                       "services": ";".join(services), "accreditations": "CMA"})
        links.append({"body_id": f"Q{b:04d}", "target_id": "B1", "service": None, "since": None, "status": None})
        for f in rng.sample(firms, k=min(5, len(firms))):
            links.append({"body_id": f"Q{b:04d}", "target_id": f, "service": rng.choice(services), "since": None,
                          "status": "active"})
    problems = []
    for p in range(n_problems):
        problems.append({"problem_id": f"P{p:05d}", "chain_id": "B1", "enterprise_id": rng.choice(firms),
                         "title": f"{rng.choice(PRODUCTS)}质量波动{p}", "category": "product",
                         "severity": rng.choice(["high", "medium", "low"]),
                         "status": rng.choice(["open", "in_progress", "resolved"]),
                         "needs": ";".join(rng.sample(codes[:4], k=rng.randint(1, 2))), "raised_on": None,
                         "resolved_on": None})
    for p in rng.sample(problems, k=len(problems) // 4):
        b = rng.choice(bodies)
        links.append({"body_id": b["body_id"], "target_id": p["problem_id"], "service": None, "since": None,
                      "status": None})
    projects = [{"project_id": f"K{k:04d}", "chain_id": "B1", "title": f"攻关项目{k}", "lead_id": rng.choice(firms),
                 "tackles": ";".join(p["problem_id"] for p in rng.sample(problems, k=min(3, len(problems)))),
                 "status": "active", "due": None, "progress": 0.5} for k in range(n_projects)]
    tools = [{"tool_id": f"T{k:04d}", "name": f"政策工具{k}", "kind": "incentive", "issuer": "测试",
              "applies_to": "B1"} for k in range(n_tools)]
    return {"chains": chains, "enterprises": enterprises, "members": members, "supplies": supplies,
            "support_bodies": bodies, "support_links": links, "problems": problems, "projects": projects,
            "policy_tools": tools}


def pyvis_default_html(G, chain_id: str, path: Path) -> None:
    """pyvis's default page for the nodes and edges our map draws (its physics places them)."""
    from pyvis.network import Network

    ours = _build(G, chain_id, None, False)
    net = Network(directed=True, cdn_resources="in_line")
    for node in ours.nodes:
        net.add_node(node["id"], label=node["label"])
    for edge in ours.edges:
        net.add_edge(edge["from"], edge["to"])
    html = net.generate_html()
    atomic_write_text(path, html)


def _s(ms) -> str:
    return "—" if ms is None else f"{ms / 1000:.2f}"


def measure(browser, url: str, timeout: float) -> dict:
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
    context.add_init_script(HOOK)
    page = context.new_page()
    try:
        page.goto(url, wait_until="commit")
        deadline = time.monotonic() + timeout
        while True:
            time.sleep(0.25)
            state = page.evaluate("""() => {
                const b = window.__bench || {draws: []}, net = window.network;
                const physics = !!(net && net.physics && net.physics.physicsEnabled);
                return { now: performance.now(), last: b.draws.length ? b.draws[b.draws.length - 1] : null,
                         first: b.draws.length ? b.draws[0] : null,
                         frames: b.draws.length, stabilized: b.stabilized, hooked: b.hooked, physics: physics,
                         nodes: net ? net.body.nodeIndices.length : 0 };
            }""")
            settled = state["last"] is not None and state["now"] - state["last"] >= 1000
            if settled and (not state["physics"] or state["stabilized"] is not None):
                ready = max(state["last"], state["stabilized"] or 0)
                return {"ms": ready, "first": state["first"], "frames": state["frames"], "nodes": state["nodes"],
                        "timeout": False}
            if time.monotonic() > deadline:
                return {"ms": state["now"], "first": state["first"], "frames": state["frames"],
                        "nodes": state["nodes"], "timeout": True}
    finally:
        context.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=1800,
                        help="seconds per page load (pyvis's physics on 5,000 nodes takes many minutes)")
    parser.add_argument("--chromium", default=os.environ.get("QMAP_CHROMIUM") or shutil.which("chromium"))
    parser.add_argument("--keep", type=Path, default=None, help="keep the pages in this folder")
    parser.add_argument("--no-pyvis", action="store_true", help="leave out pyvis's default page (minutes per load)")
    parser.add_argument("--write-firms", type=int, nargs="*", default=[20_000],
                        help="firms of the synthetic chains whose page writing is timed (0: none)")
    args = parser.parse_args(argv)
    if not args.chromium:
        print("Chromium not found (apt-get install chromium, or --chromium PATH)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    work = args.keep or Path(tempfile.mkdtemp(prefix="qmap-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium,
                                    args=["--headless", "--no-sandbox", "--disable-gpu",
                                          "--disable-background-networking", "--disable-component-update",
                                          "--disable-sync", "--no-first-run"])
        for size in args.sizes:
            G = build_graph(read_tables(synthetic_tables(size)))
            H = chain_subgraph(G, "B1")
            pages = {}
            for variant, aggregate in (("qmap", None), ("qmap-full", False)):
                t0 = time.perf_counter()
                html = chain_map_html(G, "B1", aggregate=aggregate)
                path = atomic_write_text(work / f"{variant}-{size}.html", html)
                pages[variant] = (path, time.perf_counter() - t0)
            if not args.no_pyvis:
                t0 = time.perf_counter()
                pyvis_default_html(G, "B1", work / f"pyvis-{size}.html")
                pages["pyvis"] = (work / f"pyvis-{size}.html", time.perf_counter() - t0)
            for variant, (path, write_s) in pages.items():
                # pyvis's physics takes minutes per load: one run of it, --repeat runs of ours.
                runs = [measure(browser, path.as_uri(), args.timeout)
                        for _ in range(args.repeat if variant != "pyvis" else 1)]
                ms = statistics.median(r["ms"] for r in runs)
                firsts = [r["first"] for r in runs if r["first"] is not None]
                first = statistics.median(firsts) if firsts else None
                rows.append({"size": size, "nodes": H.number_of_nodes(), "edges": H.number_of_edges(),
                             "variant": variant, "mb": path.stat().st_size / 1e6, "write_s": write_s, "ms": ms,
                             "first": first,
                             "drawn": runs[0]["nodes"], "frames": runs[0]["frames"],
                             "timeout": any(r["timeout"] for r in runs), "runs": len(runs)})
                r = rows[-1]
                print(f"  {size:>5} {variant:<9} drawn {r['drawn']:>5} nodes  first frame {_s(r['first'])}"
                      f"  idle {r['ms'] / 1000:8.2f} s"
                      f"{'  (TIMEOUT)' if r['timeout'] else ''}", file=sys.stderr, flush=True)
        browser.close()

    print()
    print("Chain maps: page load → drawn and idle, headless Chromium "
          f"({os.cpu_count()} CPUs), median of runs")
    print(f"{'size':>6} {'nodes':>6} {'edges':>6}  {'page':<10} {'drawn':>6} {'HTML MB':>8} {'write s':>8}"
          f" {'1st frame s':>11} {'idle s':>9} {'runs':>5}")
    for r in rows:
        print(f"{r['size']:>6} {r['nodes']:>6} {r['edges']:>6}  {r['variant']:<10} {r['drawn']:>6} {r['mb']:>8.2f}"
              f" {r['write_s']:>8.2f} {_s(r['first']):>11} {r['ms'] / 1000:>9.2f} {r['runs']:>5}"
              f"{'  TIMEOUT' if r['timeout'] else ''}")
    print()
    for size in [] if args.no_pyvis else args.sizes:
        by = {r["variant"]: r for r in rows if r["size"] == size}
        base = by["pyvis"]
        more = " (pyvis hit the timeout: a lower bound)" if base["timeout"] else ""
        for ours in ("qmap", "qmap-full"):
            line = f"{size:>5} nodes, pyvis default / {ours:<9}: drawn and idle {base['ms'] / by[ours]['ms']:7.1f}×{more}"
            if base["first"] and by[ours]["first"]:
                line += f"; first frame {base['first'] / by[ours]['first']:.1f}×"
            print(line)
    writes = [n for n in args.write_firms if n > 0]
    if writes:
        print()
        print("Writing one chain's page (chain_map_html, seeded synthetic chain), seconds")
        print(f"{'firms':>7} {'supplies':>9} {'problems':>9} {'read+model s':>12} {'page s':>8} {'HTML MB':>8}"
              f" {'vs 30 s':>8}")
    for n in writes:
        t0 = time.perf_counter()
        tables = synthetic_chain(n)
        G = build_graph(read_tables(tables))
        t1 = time.perf_counter()
        html = chain_map_html(G, "S1")
        t2 = time.perf_counter()
        print(f"{n:>7} {len(tables['supplies']):>9} {len(tables['problems']):>9} {t1 - t0:>12.1f} {t2 - t1:>8.1f}"
              f" {len(html) / 1e6:>8.1f} {(t2 - t1) / WRITE_ANCHOR_S:>7.2f}×", flush=True)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
