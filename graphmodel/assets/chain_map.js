/* qmap chain map: layered quality map on vis-network, positions fixed in Python, no physics.
 * Every piece of user text reaches the page through textContent (never innerHTML).
 * The page's state (filters, focus, gap view, neighbourhood, path, zoom) lives in the URL fragment. */
(function () {
  "use strict";

  function readJSON(id) { return JSON.parse(document.getElementById(id).textContent); }
  var NODES = readJSON("qmap-nodes"), EDGES = readJSON("qmap-edges");
  var META = readJSON("qmap-meta"), OPTIONS = readJSON("qmap-options");
  var FONT = META.font, TS = META.textScale || 1;
  var byId = new Map();
  NODES.forEach(function (n) { byId.set(n.id, n); });
  var edgeById = new Map();
  EDGES.forEach(function (e) { edgeById.set(e.id, e); });

  // ------------------------------------------------------------------ supply graph (for impact, neighbourhood, path)
  var succ = new Map(), pred = new Map(), supplyEdge = new Map();
  function push(map, k, v) { var a = map.get(k); if (a) a.push(v); else map.set(k, [v]); }
  EDGES.forEach(function (e) {
    if (e.q.k !== "supplies") return;
    push(succ, e.from, e.to); push(pred, e.to, e.from);
    supplyEdge.set(e.from + "\u0000" + e.to, e.id);
  });
  /* Fewest hops from ``start`` along ``adj`` (up to ``cutoff`` hops): a Map node → hops. */
  function bfs(start, adj, cutoff) {
    var dist = new Map([[start, 0]]), queue = [start];
    for (var i = 0; i < queue.length; i++) {
      var v = queue[i], d = dist.get(v);
      if (cutoff !== undefined && d >= cutoff) continue;
      var next = adj.get(v) || [];
      for (var j = 0; j < next.length; j++) {
        if (!dist.has(next[j])) { dist.set(next[j], d + 1); queue.push(next[j]); }
      }
    }
    return dist;
  }
  function both(v) { return (succ.get(v) || []).concat(pred.get(v) || []); }
  var undirected = { get: both };

  // ------------------------------------------------------------------ state
  var FIRM_FILTERS = ["district", "size", "tier", "tag"];
  var state = {
    type: {}, service: {}, status: {}, district: {}, size: {}, tier: {}, tag: {},
    gap: false, indicatorLinks: false, collapsed: new Set(), highlight: null,
    hood: null, path: null, focus: null, side: true, dock: window.innerWidth >= 1500,
    list: META.lists.length ? META.lists[0].key : null, top: 10, pathPick: null
  };
  META.typeKeys.forEach(function (k) { state.type[k] = true; });
  META.serviceKeys.forEach(function (k) { state.service[k] = true; });
  META.statusKeys.forEach(function (k) { state.status[k] = true; });
  var clusterOf = new Map(), clusterById = new Map(), clusterHasGap = new Set();
  var gapSet = new Set(META.gaps);
  META.clusters.forEach(function (c) {
    clusterById.set(c.id, c);
    c.members.forEach(function (m) {
      clusterOf.set(m, c.id);
      if (gapSet.has(m)) clusterHasGap.add(c.id);
    });
    state.collapsed.add(c.id);
  });
  var critList = META.lists.filter(function (l) { return l.key === "critical-suppliers"; })[0];
  if (critList && critList.top) state.top = critList.top;
  var exploreSet = null, pathEdges = null, pathNote = "";

  function collapsedEff(c) {
    return state.collapsed.has(c) && !exploreSet && !(state.gap && clusterHasGap.has(c));
  }
  function collapsedHere(id) {
    var c = clusterOf.get(id);
    return c !== undefined && collapsedEff(c);
  }
  function anyService(list) {
    if (!list || !list.length) return true;
    for (var i = 0; i < list.length; i++) if (state.service[list[i]]) return true;
    return false;
  }
  function firmPasses(n) {
    var q = n.q;
    if (state.district[q.d || ""] === false || state.size[q.z || ""] === false) return false;
    if (q.tr !== undefined && state.tier[q.tr] === false) return false;
    var tags = q.tg && q.tg.length ? q.tg : [""];
    for (var i = 0; i < tags.length; i++) if (state.tag[tags[i]] !== false) return true;
    return false;
  }
  function passesFilters(n) {
    var q = n.q;
    if (q.t === "chain") return true;
    if (!state.type[q.t]) return false;
    if (q.t === "body" && !anyService(q.s)) return false;
    if (q.t === "firm" && !q.c && !firmPasses(n)) return false;
    if (q.t === "problem") {
      if (q.st && !state.status[q.st]) return false;
      var firm = META.affected[n.id];
      if (firm !== undefined && byId.has(firm) && !firmPasses(byId.get(firm))) return false;
    }
    return true;
  }
  function nodeVisible(n) {
    if (n.q.c) return collapsedEff(n.id) && passesFilters(n);
    if (exploreSet) return exploreSet.has(n.id) && passesFilters(n);
    if (collapsedHere(n.id)) return false;
    return passesFilters(n);
  }
  function edgeVisible(e) {
    var q = e.q;
    if (q.agg) return true;
    if ((q.k === "reports" || q.k === "targets") && !state.indicatorLinks) return false;
    if (!anyService(q.s)) return false;
    if (collapsedHere(e.from) || collapsedHere(e.to)) return false;
    return true;
  }

  // ------------------------------------------------------------------ labels: readable at every zoom, never over a neighbour
  var BUDGET = META.budget;
  function charW(ch, f) {
    var c = ch.charCodeAt(0);
    if (c > 0x2e7f || (c >= 0x2000 && c <= 0x206f)) return f;  // CJK, full-width, the ellipsis
    if (c >= 65 && c <= 90) return 0.78 * f;  // upper case Latin
    return 0.62 * f;
  }
  function textW(text, f) { var w = 0; for (var i = 0; i < text.length; i++) w += charW(text[i], f); return w; }
  function fit(text, f, budget) {
    if (textW(text, f) <= budget) return text;
    var w = f, out = "";
    for (var i = 0; i < text.length; i++) {
      var cw = charW(text[i], f);
      if (w + cw > budget) break;
      out += text[i]; w += cw;
    }
    return out ? out + "…" : "";
  }
  /* Font sizes by kind of node at zoom ``scale``: about 12.5 px on screen, within what the layout has room for.
   * They are set on vis-network's groups (one change for all nodes), never per node. */
  var FONT_KIND = { firm: [14, 30], owner: [17, 36 * TS], problem: [12.5, BUDGET.tagDy - 8], item: [14, 28] };
  function kindOf(q) { return q.t === "problem" ? "problem" : (q.o ? "owner" : (q.t === "firm" ? "firm" : "item")); }
  function groupKind(g) {
    if (g === "owner") return "owner";
    if (g === "firm" || g === "sme") return "firm";
    if (g.indexOf("problem-") === 0) return "problem";
    return g === "chain" || g === "district" || g === "cluster" ? null : "item";
  }
  function fontAt(kind, scale) {
    var k = FONT_KIND[kind];
    return Math.round(Math.min(k[1], Math.max(k[0] * 0.35, 12.5 / scale)) * 10) / 10;
  }
  /* The label of a node at zoom ``scale``: cut to the room it has, hidden when too small to read. */
  function labelAt(n, scale) {
    var q = n.q;
    if (q.c || q.fix || q.t === "chain") return null;
    var kind = kindOf(q), f = fontAt(kind, scale), problem = kind === "problem";
    var text = q.n || "";
    if (state.gap && problem && META.gap.problems[n.id]) text = "缺：" + svcWords(META.gap.problems[n.id], "·");
    if (state.gap && META.gap.smes[n.id]) text = "无帮扶·需" + svcWords(META.gap.smes[n.id], "·");
    var budget = problem ? BUDGET.problem : (q.o ? BUDGET.firm * TS : (q.t === "firm" ? BUDGET.firm : BUDGET.item));
    var label = f * scale < 7 ? "" : fit(text, f, budget);
    if (q.o) label = (label ? label + "\n" : "") + "链主";
    else if (state.gap && META.gap.smes[n.id] && q.n && 2.5 * f + 12 <= BUDGET.rowH && f * scale >= 7) {
      label = fit(q.n, f, budget) + "\n" + label;  // room for the name as well
    }
    return label;
  }
  function groupFonts(scale) {
    var groups = {};
    Object.keys(OPTIONS.groups).forEach(function (g) {
      var kind = groupKind(g), group = OPTIONS.groups[g];
      if (!kind) return;
      var font = {};
      Object.keys(group.font || {}).forEach(function (k) { font[k] = group.font[k]; });
      font.size = fontAt(kind, scale);
      group.font = font;
      groups[g] = group;
    });
    OPTIONS.nodes.font.size = fontAt("firm", scale);
    return groups;
  }
  var labelScale = null;
  function labelUpdates(scale) {
    var out = [];
    NODES.forEach(function (n) {
      var l = labelAt(n, scale);
      if (l === null || n._lab === l) return;
      n._lab = l;
      out.push({ id: n.id, label: l });
    });
    return out;
  }
  function levelScale(scale) { return Math.pow(1.2, Math.round(Math.log(scale) / Math.log(1.2))); }

  // ------------------------------------------------------------------ the view that fits what is shown
  var container = document.getElementById("mynetwork"), TOOLBAR_H = 44;
  function fitView(ids) {
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    ids.forEach(function (id) {
      var p = byId.get(id) || {};
      if (p.x === undefined) return;
      x0 = Math.min(x0, p.x - 60); x1 = Math.max(x1, p.x + 60); y0 = Math.min(y0, p.y - 40); y1 = Math.max(y1, p.y + 40);
    });
    if (!exploreSet) META.regions.forEach(function (r) {
      x0 = Math.min(x0, r.x0); x1 = Math.max(x1, r.x1); y0 = Math.min(y0, r.y0); y1 = Math.max(y1, r.y1);
    });
    if (!isFinite(x0)) return null;
    var cw = container.clientWidth || 800, ch = Math.max(200, (container.clientHeight || 600) - TOOLBAR_H);
    var scale = Math.min(1.6, 0.97 * Math.min(cw / (x1 - x0), ch / (y1 - y0)));
    return { x: (x0 + x1) / 2, y: (y0 + y1) / 2 - TOOLBAR_H / 2 / scale, scale: scale };  // clear of the toolbar
  }
  function visibleIds() { return NODES.filter(nodeVisible).map(function (n) { return n.id; }); }

  // ------------------------------------------------------------------ URL fragment (shareable views)
  function readHash() {
    var h = location.hash.replace(/^#/, "");
    return h ? new URLSearchParams(h) : null;
  }
  function applyParams(p) {
    if (!p) return null;
    ["type", "service", "status"].concat(FIRM_FILTERS).forEach(function (kind) {
      p.getAll("no-" + kind).forEach(function (k) { state[kind][k] = false; });
    });
    state.gap = p.get("gap") === "1";
    state.indicatorLinks = p.get("ind") === "1";
    if (p.get("side") === "0") state.side = false;
    if (p.get("dock")) state.dock = p.get("dock") === "1";
    if (p.get("list")) state.list = p.get("list");
    if (p.get("top")) state.top = parseInt(p.get("top"), 10) || state.top;
    p.getAll("open").forEach(function (c) { state.collapsed.delete(c); });
    if (p.get("hood") && byId.has(p.get("hood"))) state.hood = { id: p.get("hood"), n: parseInt(p.get("n"), 10) || 1 };
    if (p.get("from") && p.get("to") && byId.has(p.get("from")) && byId.has(p.get("to"))) {
      state.path = { a: p.get("from"), b: p.get("to") };
    }
    if (p.get("focus") && byId.has(p.get("focus"))) state.focus = p.get("focus");
    var v = (p.get("view") || "").split(",").map(Number);
    return v.length === 3 && v.every(isFinite) && v[2] > 0 ? { x: v[0], y: v[1], scale: v[2] } : null;
  }
  function stateParams() {
    var p = new URLSearchParams();
    ["type", "service", "status"].concat(FIRM_FILTERS).forEach(function (kind) {
      Object.keys(state[kind]).sort().forEach(function (k) { if (state[kind][k] === false) p.append("no-" + kind, k); });
    });
    if (state.gap) p.set("gap", "1");
    if (state.indicatorLinks) p.set("ind", "1");
    META.clusters.forEach(function (c) { if (!state.collapsed.has(c.id)) p.append("open", c.id); });
    if (state.hood) { p.set("hood", state.hood.id); p.set("n", String(state.hood.n)); }
    if (state.path) { p.set("from", state.path.a); p.set("to", state.path.b); }
    if (state.focus) p.set("focus", state.focus);
    if (!state.side) p.set("side", "0");
    p.set("dock", state.dock ? "1" : "0");
    if (state.list) p.set("list", state.list);
    if (critList && state.top !== critList.top) p.set("top", String(state.top));
    if (network) {
      var c = network.getViewPosition(), s = network.getScale();
      p.set("view", [c.x.toFixed(1), c.y.toFixed(1), s.toFixed(4)].join(","));
    }
    return p;
  }
  var saveTimer = null, restoring = true;
  function saveState() {
    if (restoring) return;
    clearTimeout(saveTimer);
    saveTimer = setTimeout(writeHash, 150);
  }
  function writeHash() {
    var hash = "#" + stateParams().toString();
    if (location.hash === hash) return;
    try { history.replaceState(null, "", hash); } catch (err) { location.replace(hash); }
  }

  // ------------------------------------------------------------------ exploration sets
  function computeExplore() {
    exploreSet = null; pathEdges = null; pathNote = "";
    if (state.hood) {
      var down = bfs(state.hood.id, succ, state.hood.n), up = bfs(state.hood.id, pred, state.hood.n);
      exploreSet = new Set(down.keys());
      up.forEach(function (_, k) { exploreSet.add(k); });
      Array.from(exploreSet).forEach(function (f) { (META.problemsOf[f] || []).forEach(function (p) { exploreSet.add(p); }); });
    } else if (state.path) {
      var r = shortestPaths(state.path.a, state.path.b);
      exploreSet = r.nodes; pathEdges = r.edges; pathNote = r.note;
    }
  }
  /* Every node and supply line on a shortest path a → b (else b → a, else ignoring direction). */
  function shortestPaths(a, b) {
    var tries = [[a, b, succ, pred, "沿供应方向"], [b, a, succ, pred, "沿供应方向（反向）"],
                 [a, b, undirected, undirected, "不计供应方向"]];
    for (var t = 0; t < tries.length; t++) {
      var s = tries[t][0], e = tries[t][1], fwd = bfs(s, tries[t][2]);
      if (!fwd.has(e)) continue;
      var back = bfs(e, tries[t][3]), L = fwd.get(e), nodes = new Set(), edges = new Set();
      fwd.forEach(function (d, v) { if (back.has(v) && d + back.get(v) === L) nodes.add(v); });
      supplyEdge.forEach(function (id, key) {
        var cut = key.indexOf("\u0000"), u = key.slice(0, cut), v = key.slice(cut + 1);
        var on = fwd.has(u) && back.has(v) && fwd.get(u) + 1 + back.get(v) === L;
        if (t === 2) on = on || (fwd.has(v) && back.has(u) && fwd.get(v) + 1 + back.get(u) === L);
        if (on) edges.add(id);
      });
      return { nodes: nodes, edges: edges, note: tries[t][4] + " 最短 " + L + " 步" };
    }
    return { nodes: new Set([a, b]), edges: new Set(), note: "两家企业之间没有供应路径" };
  }

  // ------------------------------------------------------------------ network
  var initialView = applyParams(readHash());
  document.body.classList.toggle("side-collapsed", !state.side);  // before fitting: the map's size depends on them
  document.body.classList.toggle("dock-collapsed", !state.dock);
  computeExplore();
  var startView = initialView || fitView(visibleIds()) || { x: 0, y: 0, scale: 1 };
  labelScale = levelScale(startView.scale);
  labelUpdates(labelScale).forEach(function (u) { byId.get(u.id).label = u.label; });
  groupFonts(labelScale);
  var nodes = new vis.DataSet(NODES);
  var edges = new vis.DataSet(EDGES);
  var nodeView = new vis.DataView(nodes, { filter: nodeVisible });
  var edgeView = new vis.DataView(edges, { filter: edgeVisible });
  var baseEdge = {};
  EDGES.forEach(function (e) { baseEdge[e.id] = { color: e.color, width: e.width }; });
  var aggIds = [], aggShown = "base";

  function endpoint(id) { return collapsedHere(id) ? clusterOf.get(id) : id; }
  function rebuildAggregates() {
    var groups = {};
    if (clusterOf.size && !exploreSet) EDGES.forEach(function (e) {
      if ((e.q.k === "reports" || e.q.k === "targets") && !state.indicatorLinks) return;
      if (!anyService(e.q.s)) return;
      var f = endpoint(e.from), t = endpoint(e.to);
      if ((f === e.from && t === e.to) || f === t) return;
      var key = f + "\u0000" + t + "\u0000" + e.q.k;
      var g = groups[key] || (groups[key] = { from: f, to: t, k: e.q.k, n: 0, color: e.color, dashes: e.dashes });
      g.n += 1;
    });
    var fresh = [];
    Object.keys(groups).forEach(function (key, i) {
      var g = groups[key];
      fresh.push({
        id: "agg:" + i, from: g.from, to: g.to, dashes: g.dashes || false,
        color: { color: (g.color && g.color.color) || "#a0aec0", opacity: 0.55 },
        width: Math.min(9, 1 + Math.log2(g.n)) * TS, label: g.n > 1 ? String(g.n) : undefined,
        font: { size: 16 * TS, color: "#4a5568", strokeWidth: 3 * TS, strokeColor: "#fff", align: "middle" },
        q: { k: g.k, agg: true, n: g.n, i: [META.kindZh[g.k] || g.k, "聚合连线：" + g.n + " 条"] }
      });
    });
    if (aggIds.length) edges.remove(aggIds);
    aggIds = fresh.map(function (e) { return e.id; });
    aggShown = "base";
    if (fresh.length) edges.add(fresh);
  }

  rebuildAggregates();
  var network = new vis.Network(container, { nodes: nodeView, edges: edgeView }, OPTIONS);
  window.network = network;
  network.moveTo({ position: { x: startView.x, y: startView.y }, scale: startView.scale, animation: false });

  function refresh() {
    computeExplore();
    rebuildAggregates();
    nodeView.refresh();
    edgeView.refresh();
    renderClusterList();
    restyle();
    renderExploreState();
    saveState();
  }

  // ------------------------------------------------------------------ emphasis: one place decides what is lit
  var shownNode = new Map(), shownEdge = new Map();
  function labelColor(n) {
    var own = n.font && n.font.color, group = (OPTIONS.groups[n.group] || {}).font;
    return own || (group && group.color) || OPTIONS.nodes.font.color;
  }
  function withColor(n, color) {  // an update replaces the whole font object: keep the node's own size
    var font = {}, own = n.font || {};
    Object.keys(own).forEach(function (k) { font[k] = own[k]; });
    font.color = color;
    return font;
  }
  function impactOf(problem) {
    var firm = META.affected[problem], hops = new Map();
    if (firm !== undefined) hops = bfs(firm, succ);
    return { firm: firm, hops: hops };
  }
  /* {nodes, edges, color, dim}: what to light, or null when nothing is singled out. */
  function emphasis() {
    var h = state.highlight;
    if (h && h.kind === "problem") {
      var imp = impactOf(h.id), lit = new Set([h.id]), es = new Set();
      imp.hops.forEach(function (_, k) { lit.add(k); if (collapsedHere(k)) lit.add(clusterOf.get(k)); });
      EDGES.forEach(function (e) {
        if (e.q.k === "supplies") {
          var a = imp.hops.get(e.from), b = imp.hops.get(e.to);
          if (a !== undefined && b !== undefined && b === a + 1) es.add(e.id);
        } else if (e.q.k === "affects" && e.from === h.id) es.add(e.id);
      });
      return { nodes: lit, edges: es, color: META.stateColor[(byId.get(h.id).q || {}).st] || "#e53e3e", dim: 0.13 };
    }
    if (h && h.kind === "body") {
      var b = META.bodies[h.id] || { serves: [] }, litB = new Set(b.serves), esB = new Set();
      if (byId.has(h.id)) litB.add(h.id);
      if (h.target) litB.add(h.target);
      EDGES.forEach(function (e) { if (e.from === h.id && litB.has(e.to)) esB.add(e.id); });
      return { nodes: litB, edges: esB, color: META.colors.ring, dim: 0.13 };
    }
    if (h && h.kind === "edge") {
      var edge = edgeById.get(h.id);
      return { nodes: new Set([edge.from, edge.to]), edges: new Set([h.id]), color: META.colors.single, dim: 0.13 };
    }
    if (state.path) return { nodes: exploreSet, edges: pathEdges, color: "#2b6cb0", dim: 0.3 };
    if (state.gap) {
      var esG = new Set();
      EDGES.forEach(function (e) { if (e.q.k === "affects" && gapSet.has(e.from) && gapSet.has(e.to)) esG.add(e.id); });
      return { nodes: gapSet, edges: esG, color: META.colors.gap, dim: 0.16 };
    }
    return null;
  }
  function restyle() {
    var em = emphasis(), nodeUpd = [], edgeUpd = [];
    NODES.forEach(function (n) {
      var on = !em || em.nodes.has(n.id) || (n.q.c && em === null);
      var key = on ? 1 : em.dim;
      if ((shownNode.get(n.id) || 1) === key) return;
      shownNode.set(n.id, key);
      nodeUpd.push({ id: n.id, opacity: key, font: withColor(n, on ? labelColor(n) : "rgba(113,128,150,0.28)") });
    });
    EDGES.forEach(function (e) {
      var key = !em ? "base" : (em.edges && em.edges.has(e.id) ? "lit" : "dim");
      if ((shownEdge.get(e.id) || "base") === key) return;
      shownEdge.set(e.id, key);
      var base = baseEdge[e.id];
      if (key === "base") edgeUpd.push({ id: e.id, color: base.color, width: base.width });
      else if (key === "lit") edgeUpd.push({ id: e.id, color: { color: em.color, opacity: 1 }, width: 3.5 });
      else edgeUpd.push({ id: e.id, color: { color: (base.color || {}).color || "#a0aec0", opacity: 0.07 }, width: base.width });
    });
    var aggKey = em ? "dim" : "base";  // lines between groups fade with the rest
    if (aggKey !== aggShown) {
      aggShown = aggKey;
      aggIds.forEach(function (id) {
        var e = edges.get(id);
        edgeUpd.push({ id: id, color: { color: e.color.color, opacity: em ? 0.06 : 0.55 } });
      });
    }
    if (nodeUpd.length) nodes.update(nodeUpd);
    if (edgeUpd.length) edges.update(edgeUpd);
  }
  function relabel(force) {
    var s = levelScale(network.getScale());
    if (!force && s === labelScale) return;
    var fontsChanged = fontAt("firm", s) !== fontAt("firm", labelScale) || fontAt("problem", s) !== fontAt("problem", labelScale);
    labelScale = s;
    if (fontsChanged) {
      var groups = groupFonts(s);
      network.setOptions({ nodes: { font: { size: OPTIONS.nodes.font.size } }, groups: groups });
    }
    var upd = labelUpdates(s);
    if (upd.length) nodes.update(upd);
  }

  // ------------------------------------------------------------------ decorations behind and above the nodes
  function roundRect(ctx, x, y, w, h, r) {
    ctx.beginPath();
    ctx.moveTo(x + r, y); ctx.lineTo(x + w - r, y); ctx.quadraticCurveTo(x + w, y, x + w, y + r);
    ctx.lineTo(x + w, y + h - r); ctx.quadraticCurveTo(x + w, y + h, x + w - r, y + h);
    ctx.lineTo(x + r, y + h); ctx.quadraticCurveTo(x, y + h, x, y + h - r);
    ctx.lineTo(x, y + r); ctx.quadraticCurveTo(x, y, x + r, y); ctx.closePath();
  }
  network.on("beforeDrawing", function (ctx) {
    META.regions.forEach(function (r) {
      var w = r.x1 - r.x0, h = r.y1 - r.y0;
      ctx.save();
      if (r.kind === "band") {
        roundRect(ctx, r.x0, r.y0, w, h, 18);
        ctx.fillStyle = r.fill; ctx.fill();
        ctx.fillStyle = r.ink; ctx.font = "600 " + 24 * TS + "px " + FONT; ctx.textBaseline = "top";
        ctx.fillText(r.title, r.x0 + 20 * TS, r.y0 + 14);
      } else if (r.kind === "column") {
        if (r.key === "0") {
          roundRect(ctx, r.x0 - 10, r.y0 + 6, w + 20, h - 12, 14);
          ctx.fillStyle = "rgba(246,195,67,0.13)"; ctx.fill();
        } else {
          ctx.strokeStyle = "rgba(113,128,150,0.22)"; ctx.setLineDash([8, 8]); ctx.lineWidth = 1.5;
          ctx.beginPath(); ctx.moveTo(r.x0 - 24, r.y0 + 50); ctx.lineTo(r.x0 - 24, r.y1 - 10); ctx.stroke();
        }
        ctx.setLineDash([]);
        ctx.fillStyle = r.ink; ctx.font = "600 " + 20 * TS + "px " + FONT; ctx.textAlign = "center"; ctx.textBaseline = "top";
        ctx.fillText(r.title, (r.x0 + r.x1) / 2, r.y0 + 46);
      } else if (r.kind === "group") {
        roundRect(ctx, r.x0, r.y0, w, h, 12);
        ctx.fillStyle = r.fill; ctx.fill();
        ctx.strokeStyle = r.ink; ctx.globalAlpha = 0.35; ctx.lineWidth = 1.2; ctx.stroke(); ctx.globalAlpha = 1;
        ctx.fillStyle = r.ink; ctx.font = "600 18px " + FONT; ctx.textBaseline = "top";
        ctx.fillText(r.title, r.x0 + 12, r.y0 + 9);
      }
      ctx.restore();
    });
  });
  var drawnSet = function (id) { return network.body.nodes[id] && nodeView.get(id) !== null; };
  network.on("afterDrawing", function (ctx) {
    var scale = network.getScale();
    // Critical suppliers: a ring, thicker for the top ranks.
    var top = META.critical.slice(0, state.top);
    if (top.length) {
      var pos = network.getPositions(top.map(function (c) { return c[0]; }));
      ctx.save();
      ctx.strokeStyle = META.colors.ring;
      top.forEach(function (c, i) {
        var p = pos[c[0]], body = network.body.nodes[c[0]];
        if (!p || !body || !nodeView.get(c[0])) return;
        var r = (body.options.size || 10) + 6;
        ctx.globalAlpha = (shownNode.get(c[0]) || 1) < 1 ? 0.2 : 0.9;
        ctx.lineWidth = i < 3 ? 3.5 : 2.2;
        ctx.beginPath(); ctx.arc(p.x, p.y, r, 0, 2 * Math.PI); ctx.stroke();
      });
      ctx.restore();
    }
    // Firm tags: a small badge left of the dot (where a firm's own label never is), when legible.
    if (scale >= 0.6 && META.hasTags) {
      ctx.save();
      ctx.font = "600 10px " + FONT; ctx.textBaseline = "middle"; ctx.textAlign = "right";
      NODES.forEach(function (n) {
        if (!n.q.tg || !drawnSet(n.id)) return;
        var p = network.body.nodes[n.id], text = n.q.tg.map(function (t) { return t.slice(0, 1); }).join("");
        var w = ctx.measureText(text).width + 6, x = p.x - (p.options.size || 10) - 4, y = p.y;
        ctx.globalAlpha = (shownNode.get(n.id) || 1) < 1 ? 0.25 : 1;
        roundRect(ctx, x - w, y - 7, w, 14, 3);
        ctx.fillStyle = "#fefcbf"; ctx.fill(); ctx.strokeStyle = "#b7791f"; ctx.lineWidth = 0.8; ctx.stroke();
        ctx.fillStyle = "#744210"; ctx.fillText(text, x - 3, y + 0.5);
      });
      ctx.restore();
    }
  });
  META.hasTags = NODES.some(function (n) { return n.q.tg && n.q.tg.length; });

  // ------------------------------------------------------------------ tooltip (text only)
  var tip = document.getElementById("q-tooltip");
  var mouse = { x: 0, y: 0 };
  container.addEventListener("mousemove", function (ev) {
    var rect = container.getBoundingClientRect();
    mouse.x = ev.clientX - rect.left; mouse.y = ev.clientY - rect.top;
    if (!tip.hidden) placeTip();
  });
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function propsTable(rows) {
    var table = el("table", "props");
    rows.forEach(function (r) {
      var tr = el("tr");
      tr.appendChild(el("th", null, r[0]));
      tr.appendChild(el("td", null, r[1]));
      table.appendChild(tr);
    });
    return table;
  }
  function nameOf(id) {
    var info = META.info[id];
    if (info) return info.h;
    var b = META.bodies[id];
    return b ? b.h : id;
  }
  function nodeCard(id) {
    var n = byId.get(id), info = META.info[id] || { h: n ? n.label : id, ty: "", rows: [] };
    var box = el("div");
    var hd = el("div", "hd", info.h);
    hd.appendChild(el("span", "ty", info.ty));
    box.appendChild(hd);
    box.appendChild(propsTable(info.rows));
    return box;
  }
  function placeTip() {
    var w = tip.offsetWidth, h = tip.offsetHeight, cw = container.clientWidth, ch = container.clientHeight;
    var x = mouse.x + 16, y = mouse.y + 14;
    if (x + w > cw - 8) x = Math.max(8, mouse.x - w - 16);
    if (y + h > ch - 8) y = Math.max(8, ch - h - 8);
    tip.style.left = x + "px"; tip.style.top = y + "px";
  }
  function showTip(content) {
    tip.textContent = "";
    tip.appendChild(content);
    tip.hidden = false;
    placeTip();
  }
  function hideTip() { tip.hidden = true; }
  network.on("hoverNode", function (p) {
    var n = byId.get(p.node);
    if (n && n.q.c) {
      var c = clusterById.get(p.node), box = el("div");
      box.appendChild(el("div", "hd", c.title));
      box.appendChild(propsTable([["节点数", c.members.length], ["其中缺口问题", c.gaps], ["操作", "点击展开"]]));
      showTip(box);
    } else {
      showTip(nodeCard(p.node));
    }
  });
  network.on("blurNode", hideTip);
  /* A supply line's tooltip, from the few facts the page carries for it. */
  function supplyInfo(e) {
    var q = e.q, lines = [META.kindZh.supplies, "从：" + nameOf(e.from), "到：" + nameOf(e.to)];
    if (q.p) lines.push("产品：" + q.p.join("、"));
    if (q.sh) lines.push("占比：" + q.sh.map(function (x) { return Math.round(x * 100) + "%"; }).join("、"));
    if (q.cr) lines.push("关键供应：是");
    var only = q.ss === 1 ? (q.p || []) : (q.ss || []).filter(Boolean);
    if (q.ss) lines.push("唯一供方：是（" + (only.join("、") || "未指明产品") + " 仅此一家供应）");
    return lines;
  }
  network.on("hoverEdge", function (p) {
    var e = edges.get(p.edge);
    var info = e && (e.q.i || (e.q.k === "supplies" ? supplyInfo(e) : null));
    if (!info) return;
    var box = el("div");
    box.appendChild(el("div", "hd", info[0]));
    box.appendChild(propsTable(info.slice(1).map(function (line) {
      var cut = line.indexOf("：");
      return cut > 0 ? [line.slice(0, cut), line.slice(cut + 1)] : ["", line];
    })));
    showTip(box);
  });
  network.on("blurEdge", hideTip);
  network.on("dragStart", hideTip);
  network.on("zoom", hideTip);

  // ------------------------------------------------------------------ words
  function svcWords(list, sep) {
    return (list || []).map(function (s) { return META.serviceZh[s] || s; }).join(sep || "、");
  }

  // ------------------------------------------------------------------ detail panel
  var detail = document.getElementById("q-detail");
  function closeDetail() { detail.hidden = true; detail.textContent = ""; }
  function openDetail(parts) {
    detail.textContent = "";
    delete detail.dataset.gaps;
    var close = el("button", "close", "×");
    close.type = "button"; close.title = "关闭";
    close.addEventListener("click", function () {
      state.highlight = null; state.focus = null; restyle(); closeDetail(); network.unselectAll(); saveState();
    });
    detail.appendChild(close);
    parts.forEach(function (p) { detail.appendChild(p); });
    detail.hidden = false;
    setDock(true);
  }
  function focusLink(id, text) {
    var a = el("a", null, text);
    a.href = "#"; a.dataset.node = id;
    a.addEventListener("click", function (ev) { ev.preventDefault(); reveal(id); });
    return a;
  }
  function button(text, onClick, title) {
    var b = el("button", null, text);
    b.type = "button";
    if (title) b.title = title;
    b.addEventListener("click", onClick);
    return b;
  }
  /* The bodies support-suggestions names for a gap, per service; a click lights the body and what it serves. */
  function suggestionBlock(target) {
    var rows = META.suggest[target], box = el("div", "suggest");
    var needs = META.gap.problems[target] || META.gap.smes[target] || [];
    box.appendChild(el("h4", null, "供需对接 · 建议机构"));
    needs.forEach(function (service) {
      var mine = (rows || []).filter(function (r) { return r[0] === service; });
      var p = el("div", null, (META.serviceZh[service] || service) + "：");
      if (!mine.length) { p.appendChild(el("span", "reach", "全市暂无提供该服务的机构")); box.appendChild(p); return; }
      box.appendChild(p);
      var ol = el("ol");
      mine.forEach(function (r) {
        var li = el("li"), a = el("a", null, nameOf(r[2]));
        a.href = "#"; a.dataset.body = r[2];
        a.addEventListener("click", function (ev) { ev.preventDefault(); showBody(r[2], target); });
        li.appendChild(a);
        li.appendChild(el("span", "reach", " · " + META.enums.reach[r[3]] + " · 在服务 " + r[4] + " 项"));
        ol.appendChild(li);
      });
      box.appendChild(ol);
    });
    return box;
  }
  function showProblem(problem) {
    state.highlight = { kind: "problem", id: problem };
    restyle();
    var imp = impactOf(problem), n = byId.get(problem), parts = [];
    parts.push(el("h3", null, "影响路径 · " + (META.info[problem] || {}).h));
    var chip = el("span", "chip", META.stateZh[n.q.st] || "");
    chip.style.background = META.stateColor[n.q.st] || "#718096";
    parts.push(chip);
    if (META.gap.problems[problem]) parts.push(suggestionBlock(problem));
    parts.push(propsTable((META.info[problem] || { rows: [] }).rows));
    var byHop = [];
    imp.hops.forEach(function (h, k) { (byHop[h] = byHop[h] || []).push(k); });
    if (imp.firm === undefined) {
      parts.push(el("p", "note", "此问题未指明企业，无下游影响路径。"));
    } else {
      var size = META.impactSize[problem] || [imp.hops.size - 1, byHop.length - 1];
      parts.push(el("p", "note", "沿本链供应关系向下游波及 " + size[0] + " 家企业（最远 " + size[1] + " 跳，按最少跳数）。"));
      var ol = el("ol");
      byHop.forEach(function (ids, hop) {
        var li = el("li", null, hop === 0 ? "受影响企业：" : "第 " + hop + " 跳：");
        ids.sort().slice(0, 200).forEach(function (id, i) {
          if (i) li.appendChild(document.createTextNode("、"));
          li.appendChild(focusLink(id, (byId.get(id) || {}).label || id));
        });
        if (ids.length > 200) li.appendChild(document.createTextNode(" 等 " + ids.length + " 家"));
        ol.appendChild(li);
      });
      parts.push(ol);
    }
    openDetail(parts);
  }
  function showNode(id) {
    var n = byId.get(id), parts = [nodeCard(id)];
    if (n.q.t === "body") { showBody(id); return; }
    if (META.gap.smes[id]) {
      parts.push(el("p", "note", "无帮扶：未解决问题所需 " + svcWords(META.gap.smes[id]) + "。"));
      parts.push(suggestionBlock(id));
    }
    var probs = META.problemsOf[id];
    if (probs && probs.length) {
      var p = el("p", "note", "质量问题：");
      probs.forEach(function (pid, i) {
        if (i) p.appendChild(document.createTextNode("、"));
        p.appendChild(focusLink(pid, (META.info[pid] || {}).h || pid));
      });
      parts.push(p);
    }
    if (n.q.t === "firm") {
      var acts = el("div", "acts");
      acts.appendChild(button("显示邻域（上下游 " + hoodN() + " 层）", function () { setHood(id, hoodN()); }));
      acts.appendChild(button("设为路径起点", function () { pickPath("a", id); }));
      acts.appendChild(button("设为路径终点", function () { pickPath("b", id); }));
      parts.push(acts);
    }
    openDetail(parts);
  }
  function showBody(body, target) {
    state.highlight = { kind: "body", id: body, target: target };
    restyle();
    var b = META.bodies[body] || { h: body, s: [], serves: [], enables: [], in: false }, parts = [];
    parts.push(byId.has(body) ? nodeCard(body) : el("h3", null, b.h));
    var rows = [["编号", body], ["服务", svcWords(b.s) || "—"]];
    if (b.enables.length) rows.push(["赋能产业链", b.enables.join("、")]);
    parts.push(propsTable(rows));
    if (b.serves.length) {
      var p = el("p", "note", "在本链已服务（图上高亮）：");
      b.serves.forEach(function (id, i) {
        if (i) p.appendChild(document.createTextNode("、"));
        p.appendChild(focusLink(id, nameOf(id)));
      });
      parts.push(p);
    } else {
      parts.push(el("p", "note", b.in ? "在本链暂无有效服务关系。" : "该机构尚未服务本链（图上未绘出）。"));
    }
    if (target) parts.push(el("p", "note", "建议对接：" + nameOf(target) + "（" + target + "）"));
    openDetail(parts);
  }

  network.on("click", function (p) {
    hideTip();
    if (p.nodes.length) {
      var id = p.nodes[0], n = byId.get(id);
      if (n && n.q.c) { expand(id); return; }
      state.focus = id;
      if (n && n.q.t === "problem") showProblem(id); else { state.highlight = null; restyle(); showNode(id); }
      saveState();
    } else if (!p.edges.length) {
      state.highlight = null; state.focus = null; restyle(); closeDetail(); saveState();
    }
  });

  // ------------------------------------------------------------------ clusters
  function expand(id) { state.collapsed.delete(id); refresh(); }
  function collapse(id) { state.collapsed.add(id); refresh(); }
  function renderClusterList() {
    var list = document.getElementById("q-cluster-list");
    if (!list) return;
    list.textContent = "";
    META.clusters.forEach(function (c) {
      var li = el("li");
      var label = el("span", null, c.title + "（" + c.members.length + "）");
      var open = state.collapsed.has(c.id);
      var b = el("button", null, open ? "展开" : "收起");
      b.type = "button";
      b.dataset.cluster = c.id;
      b.addEventListener("click", function () { if (state.collapsed.has(c.id)) expand(c.id); else collapse(c.id); });
      li.appendChild(label); li.appendChild(b);
      list.appendChild(li);
    });
  }
  var expandAll = document.getElementById("q-expand-all");
  if (expandAll) {
    expandAll.addEventListener("click", function () { state.collapsed.clear(); refresh(); });
    document.getElementById("q-collapse-all").addEventListener("click", function () {
      META.clusters.forEach(function (c) { state.collapsed.add(c.id); });
      refresh();
    });
  }

  // ------------------------------------------------------------------ filters
  function setCheckbox(kind, key, on) {
    var box = document.querySelector('input[data-filter="' + kind + '"][value="' + CSS.escape(key) + '"]');
    if (box) box.checked = on;
    state[kind][key] = on;
  }
  document.querySelectorAll("input[data-filter]").forEach(function (box) {
    box.checked = state[box.dataset.filter][box.value] !== false;
    box.addEventListener("change", function () {
      setCheckbox(box.dataset.filter, box.value, box.checked);
      refresh();
    });
  });
  var gapBox = document.getElementById("q-gaps");
  gapBox.checked = state.gap;
  function setGap(on) {
    state.gap = on; gapBox.checked = on;
    relabel(true);
    refresh();
    if (on) showGaps(); else if (detail.dataset.gaps) closeDetail();
  }
  gapBox.addEventListener("change", function () { setGap(gapBox.checked); });
  var indBox = document.getElementById("q-indicator-links");
  indBox.checked = state.indicatorLinks;
  indBox.addEventListener("change", function () { state.indicatorLinks = indBox.checked; refresh(); });

  /* The gap view's panel: every uncovered problem and unsupported SME, with what it lacks. */
  function showGaps() {
    var parts = [el("h3", null, "缺口清单")];
    function section(title, cls, gaps, lacks) {
      var ids = Object.keys(gaps).sort(), ul = el("ul", cls);
      parts.push(el("h4", null, title.replace("N", ids.length)));
      ids.forEach(function (id) {
        var li = el("li"); li.dataset.node = id;
        li.appendChild(focusLink(id, nameOf(id)));
        li.appendChild(el("span", "reach", " · " + lacks + " " + svcWords(gaps[id])));
        ul.appendChild(li);
      });
      parts.push(ul);
    }
    section("未覆盖问题 N 个", "gap-problems", META.gap.problems, "缺");
    section("无帮扶中小企业 N 家", "gap-smes", META.gap.smes, "需");
    parts.push(el("p", "note", "点击条目查看建议对接的机构；右侧“供需对接”清单列出全部建议。"));
    openDetail(parts);
    detail.dataset.gaps = "1";
  }

  // ------------------------------------------------------------------ exploration: neighbourhood and paths
  var hoodSelect = document.getElementById("q-hood-n");
  function hoodN() { return parseInt(hoodSelect.value, 10) || 1; }
  hoodSelect.addEventListener("change", function () { if (state.hood) setHood(state.hood.id, hoodN()); });
  function setHood(id, n) {
    state.path = null; state.pathPick = null; state.highlight = null;
    state.hood = id ? { id: id, n: n } : null;
    if (state.hood) hoodSelect.value = String(n);
    refresh();
    fitAll(true);
  }
  function pickPath(end, id) {
    state.hood = null;
    state.pathPick = state.pathPick || {};
    state.pathPick[end] = id;
    if (state.pathPick.a && state.pathPick.b) {
      state.path = { a: state.pathPick.a, b: state.pathPick.b };
      state.pathPick = null; state.highlight = null;
      refresh();
      fitAll(true);
    } else {
      renderExploreState();
    }
  }
  var exploreBox = document.getElementById("q-explore-state"), viewNote = document.getElementById("q-view-note");
  function renderExploreState() {
    exploreBox.textContent = "";
    viewNote.textContent = "";
    var text = null;
    if (state.hood) text = "邻域：" + nameOf(state.hood.id) + " 上下游 " + state.hood.n + " 层，共 " +
      Array.from(exploreSet).filter(function (id) { return (byId.get(id) || {}).q && byId.get(id).q.t === "firm"; }).length + " 家企业";
    else if (state.path) text = "路径：" + nameOf(state.path.a) + " → " + nameOf(state.path.b) + "（" + pathNote + "）";
    else if (state.pathPick) text = "路径" + (state.pathPick.a ? "起点：" + nameOf(state.pathPick.a) : "终点：" + nameOf(state.pathPick.b)) +
      "；请在另一家企业的面板中设置" + (state.pathPick.a ? "终点" : "起点");
    if (!text) { viewNote.hidden = true; exploreBox.textContent = "点击一家企业，可显示其上下游邻域，或设为路径的起点、终点。"; return; }
    exploreBox.textContent = text;
    viewNote.appendChild(document.createTextNode(text));
    viewNote.appendChild(button("退出", function () { state.hood = null; state.path = null; state.pathPick = null; refresh(); fitAll(true); }));
    viewNote.hidden = false;
  }

  // ------------------------------------------------------------------ in-page lists
  var LISTS = {};
  META.lists.forEach(function (l) {
    LISTS[l.key] = l;
    var keys = l.cols.map(function (c) { return c[0]; });
    l.cols.forEach(function (c, i) {  // a name column shows the name of the node its id column names
      if (c[2].indexOf("name:") !== 0) return;
      var from = keys.indexOf(c[2].slice(5));
      l.rows.forEach(function (row) { row[i] = row[from]; });
    });
  });
  var sortBy = {}, showAll = {}, LIST_ROWS = 400;
  var tabs = document.querySelectorAll("#q-lists [data-list]"), thead = document.querySelector("#q-table thead");
  var tbody = document.querySelector("#q-table tbody"), listCount = document.getElementById("q-list-count");
  var listNote = document.getElementById("q-list-note"), more = document.getElementById("q-more");
  var topBox = document.getElementById("q-top-box"), topSelect = document.getElementById("q-top");
  function cellText(kind, v) {
    if (v === null || v === undefined) return "";
    if (kind.indexOf("name:") === 0) return nameOf(v);
    if (kind === "svc") return Array.isArray(v) ? svcWords(v) : (META.serviceZh[v] || v);
    if (kind === "ids") return v.join("、");
    if (kind === "pct") return Math.round(v * 100) + "%";
    if (kind === "bool") return v ? "是" : "否";
    if (kind.indexOf("enum:") === 0) return (META.enums[kind.slice(5)] || {})[v] || String(v);
    if (kind === "num") return typeof v === "number" && !Number.isInteger(v) ? String(Math.round(v * 1e4) / 1e4) : String(v);
    return String(v);
  }
  function sortValue(kind, v) {
    if (v === null || v === undefined) return kind === "num" || kind === "pct" ? -Infinity : "";
    if (kind === "num" || kind === "pct") return v;
    return cellText(kind, v);
  }
  /* The rows of a list in the order shown (critical suppliers: the top N). */
  function listRows(key) {
    var l = LISTS[key], rows = l.rows.slice(), s = sortBy[key];
    if (key === "critical-suppliers") rows = rows.slice(0, state.top);
    if (s) {
      var kind = l.cols[s.col][2];
      rows.sort(function (a, b) {
        var x = sortValue(kind, a[s.col]), y = sortValue(kind, b[s.col]);
        var c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), "zh-CN");
        return c * s.dir;
      });
    }
    return rows;
  }
  function renderList() {
    var key = state.list, l = LISTS[key];
    tabs.forEach(function (t) { t.setAttribute("aria-selected", t.dataset.list === key ? "true" : "false"); });
    if (!l) return;
    thead.textContent = ""; tbody.textContent = "";
    var tr = el("tr"), s = sortBy[key];
    l.cols.forEach(function (c, i) {
      var th = el("th", s && s.col === i ? (s.dir > 0 ? "sorted-asc" : "sorted-desc") : null, c[1]);
      th.dataset.key = c[0];
      th.addEventListener("click", function () {
        var cur = sortBy[key];
        sortBy[key] = { col: i, dir: cur && cur.col === i ? -cur.dir : (c[2] === "num" ? -1 : 1) };
        renderList();
      });
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    var rows = listRows(key), shown = showAll[key] ? rows : rows.slice(0, LIST_ROWS);
    var focusCol = l.cols.map(function (c) { return c[0]; }).indexOf(l.focus);
    var frag = document.createDocumentFragment();
    shown.forEach(function (row) {
      var r = el("tr");
      r.dataset.node = row[focusCol];
      l.cols.forEach(function (c, i) {
        var text = cellText(c[2], row[i]), td = el("td", c[2] === "num" || c[2] === "pct" ? "num" : (c[2] === "id" ? "id" : null), text);
        if (text.length > 12) td.title = text;  // cut to the column: the whole text on hover
        r.appendChild(td);
      });
      r.addEventListener("click", function () {
        tbody.querySelectorAll("tr.on").forEach(function (x) { x.classList.remove("on"); });
        r.classList.add("on");
        rowAction(key, row);
      });
      frag.appendChild(r);
    });
    tbody.appendChild(frag);
    listCount.textContent = (key === "critical-suppliers" ? "前 " + rows.length + " 名 / 共 " + l.rows.length : "共 " + rows.length + " 行");
    more.hidden = showAll[key] || rows.length <= LIST_ROWS;
    more.textContent = "显示全部 " + rows.length + " 行";
    topBox.hidden = key !== "critical-suppliers";
    listNote.hidden = !l.note;
    listNote.textContent = l.note || "";
  }
  function col(l, row, name) { return row[l.cols.map(function (c) { return c[0]; }).indexOf(name)]; }
  function rowAction(key, row) {
    var l = LISTS[key];
    if (key === "support-suggestions") {
      var target = col(l, row, "target_id"), body = col(l, row, "body_id");
      reveal(target, true);
      showBody(body, target);
      return;
    }
    if (key === "single-source") {
      var edge = supplyEdge.get(col(l, row, "supplier_id") + "\u0000" + col(l, row, "customer_id"));
      reveal(col(l, row, "customer_id"), true);
      if (edge) { state.highlight = { kind: "edge", id: edge }; restyle(); }
      return;
    }
    reveal(row[l.cols.map(function (c) { return c[0]; }).indexOf(l.focus)]);
  }
  tabs.forEach(function (t) {
    t.addEventListener("click", function () { state.list = t.dataset.list; renderList(); saveState(); });
  });
  more.addEventListener("click", function () { showAll[state.list] = true; renderList(); });
  topSelect.value = String(state.top);
  topSelect.addEventListener("change", function () {
    state.top = parseInt(topSelect.value, 10); renderList(); network.redraw(); saveState();
  });

  // CSV for Excel: a byte-order mark, CRLF, quoted cells, and no cell that Excel would run as a formula.
  function csvCell(text) {
    text = text === null || text === undefined ? "" : String(text);
    if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
    return /[",\r\n;]/.test(text) || text !== text.trim() ? '"' + text.replace(/"/g, '""') + '"' : text;
  }
  function listCsv(key) {
    var l = LISTS[key], lines = [l.cols.map(function (c) { return csvCell(c[1]); }).join(",")];
    listRows(key).forEach(function (row) {
      lines.push(l.cols.map(function (c, i) { return csvCell(cellText(c[2], row[i])); }).join(","));
    });
    return "\ufeff" + lines.join("\r\n") + "\r\n";
  }
  function safeName(text) { return String(text).replace(/[\\/:*?"<>|\u0000-\u001f]/g, "_"); }
  function download(blob, name) {
    var url = URL.createObjectURL(blob), a = document.createElement("a");
    a.href = url; a.download = name; a.hidden = true;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(url); a.remove(); }, 1000);
  }
  document.getElementById("q-csv").addEventListener("click", function () {
    var l = LISTS[state.list];
    download(new Blob([listCsv(state.list)], { type: "text/csv;charset=utf-8" }),
             safeName(META.chain + "-" + l.zh + ".csv"));
  });

  // ------------------------------------------------------------------ search
  var input = document.getElementById("q-search"), results = document.getElementById("q-results");
  var note = document.getElementById("q-search-note");
  var index = NODES.filter(function (n) { return !n.q.c; }).map(function (n) {
    var info = META.info[n.id] || {};
    return { id: n.id, name: info.h || n.label || "", ty: info.ty || "", hay: (n.id + "\u0000" + (info.h || "")).toLowerCase() };
  });
  var matches = [], active = 0;
  function search(text) {
    var q = text.trim().toLowerCase();
    if (!q) return [];
    var exact = [], partial = [];
    index.forEach(function (item) {
      if (item.id.toLowerCase() === q || item.name.toLowerCase() === q) exact.push(item);
      else if (item.hay.indexOf(q) >= 0) partial.push(item);
    });
    return exact.concat(partial).slice(0, 30);
  }
  function renderResults() {
    results.textContent = "";
    note.hidden = true;
    if (!input.value.trim()) { results.hidden = true; return; }
    if (!matches.length) { results.hidden = true; note.textContent = "没有找到匹配的节点"; note.hidden = false; return; }
    matches.forEach(function (m, i) {
      var li = el("li", i === active ? "active" : null, m.name);
      li.setAttribute("role", "option");
      li.dataset.node = m.id;
      li.appendChild(el("span", "t", m.ty + " · " + m.id));
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); pick(m.id); });
      results.appendChild(li);
    });
    results.hidden = false;
  }
  input.addEventListener("input", function () { matches = search(input.value); active = 0; renderResults(); });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      if (!matches.length) return;
      active = (active + (ev.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length;
      renderResults(); ev.preventDefault();
    } else if (ev.key === "Enter") {
      matches = search(input.value);
      if (matches.length) pick(matches[Math.min(active, matches.length - 1)].id);
      else renderResults();
      ev.preventDefault();
    } else if (ev.key === "Escape") {
      results.hidden = true;
    }
  });
  input.addEventListener("blur", function () { setTimeout(function () { results.hidden = true; }, 150); });
  function pick(id) {
    results.hidden = true;
    reveal(id);
  }

  /* Make a node visible (turn on what hides it, open its cluster), select it and centre on it. */
  function reveal(id, quiet) {
    var n = byId.get(id);
    if (!n) return;
    var changed = false, q = n.q;
    if (exploreSet && !exploreSet.has(id)) { state.hood = null; state.path = null; computeExplore(); changed = true; }
    if (q.t !== "chain" && !state.type[q.t]) { setCheckbox("type", q.t, true); changed = true; }
    if (q.t === "body" && !anyService(q.s)) { setCheckbox("service", q.s[0], true); changed = true; }
    if (q.t === "problem" && q.st && !state.status[q.st]) { setCheckbox("status", q.st, true); changed = true; }
    var firm = q.t === "firm" ? n : (META.affected[id] !== undefined ? byId.get(META.affected[id]) : null);
    if (firm && !firmPasses(firm)) {
      FIRM_FILTERS.forEach(function (kind) { Object.keys(state[kind]).forEach(function (k) { setCheckbox(kind, k, true); }); });
      changed = true;
    }
    var c = clusterOf.get(id);
    if (c !== undefined && collapsedEff(c)) { state.collapsed.delete(c); changed = true; }
    if (changed) refresh();
    state.focus = id;
    setDock(true);  // the details open there: resize the map before centring on the node
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.1), animation: { duration: 350, easingFunction: "easeInOutQuad" } });
    if (!quiet) {
      if (q.t === "problem") showProblem(id); else { state.highlight = null; restyle(); showNode(id); }
    }
    saveState();
  }

  // ------------------------------------------------------------------ fit, reset
  function fitAll(animate) {
    var v = fitView(visibleIds());
    if (!v) return;
    network.moveTo({ position: { x: v.x, y: v.y }, scale: v.scale,
                     animation: animate ? { duration: 300, easingFunction: "easeInOutQuad" } : false });
    if (!animate) { relabel(); saveState(); }
  }
  function resetAll() {
    restoring = true;  // a reset view has no fragment: nothing below writes one
    clearTimeout(saveTimer); clearTimeout(zoomTimer);
    ["type", "service", "status"].concat(FIRM_FILTERS).forEach(function (kind) {
      Object.keys(state[kind]).forEach(function (k) { setCheckbox(kind, k, true); });
    });
    document.querySelectorAll("input[data-filter]").forEach(function (box) { setCheckbox(box.dataset.filter, box.value, true); });
    state.gap = false; gapBox.checked = false;
    state.indicatorLinks = false; indBox.checked = false;
    state.hood = null; state.path = null; state.pathPick = null; state.highlight = null; state.focus = null;
    META.clusters.forEach(function (c) { state.collapsed.add(c.id); });
    input.value = ""; matches = []; renderResults();
    sortBy = {}; showAll = {};
    if (critList) { state.top = critList.top; topSelect.value = String(state.top); }
    closeDetail(); network.unselectAll();
    relabel(true);
    refresh();
    renderList();
    fitAll(false);
    clearTimeout(saveTimer);
    restoring = false;
    try { history.replaceState(null, "", location.pathname + location.search); } catch (err) { location.hash = ""; }
  }
  document.getElementById("q-reset").addEventListener("click", resetAll);
  document.getElementById("q-fit").addEventListener("click", function () { fitAll(true); });

  // ------------------------------------------------------------------ side panel, dock, picture, print
  function setSide(on) { state.side = on; document.body.classList.toggle("side-collapsed", !on); saveState(); }
  function setDock(on) { state.dock = on; document.body.classList.toggle("dock-collapsed", !on); saveState(); }
  document.getElementById("q-side-close").addEventListener("click", function () { setSide(false); });
  document.getElementById("q-side-open").addEventListener("click", function () { setSide(true); });
  document.getElementById("q-dock-toggle").addEventListener("click", function () { setDock(!state.dock); });

  /* The current view as a PNG: the map as drawn, on white, under a title line. */
  function picture(callback) {
    var src = container.querySelector("canvas"), ratio = src.width / (container.clientWidth || src.width);
    var head = Math.round(34 * ratio), out = document.createElement("canvas");
    out.width = src.width; out.height = src.height + head;
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, out.width, out.height);
    ctx.fillStyle = "#1a202c"; ctx.font = "600 " + Math.round(15 * ratio) + "px " + FONT; ctx.textBaseline = "middle";
    var what = state.gap ? " · 缺口视图" : (state.hood ? " · 邻域" : (state.path ? " · 路径" : ""));
    ctx.fillText(META.chainName + "（" + META.chain + "）· 产业链质量图谱" + what, 10 * ratio, head / 2);
    ctx.drawImage(src, 0, head);
    out.toBlob(callback, "image/png");
  }
  document.getElementById("q-png").addEventListener("click", function () {
    picture(function (blob) { download(blob, safeName(META.chain + "-质量图谱.png")); });
  });
  document.getElementById("q-print").addEventListener("click", function () { window.print(); });
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll(".legend").forEach(function (d) { d.open = true; });
  });

  // ------------------------------------------------------------------ zoom: labels and the URL follow
  var zoomTimer = null;
  network.on("zoom", function () { clearTimeout(zoomTimer); zoomTimer = setTimeout(function () { relabel(); saveState(); }, 120); });
  network.on("dragEnd", function () { saveState(); });
  network.on("animationFinished", function () { relabel(); saveState(); });

  // ------------------------------------------------------------------ ready
  if (META.empty) document.getElementById("q-empty").hidden = false;
  renderClusterList();
  renderExploreState();
  restyle();
  if (state.focus) {
    network.selectNodes([state.focus]);
    var fn = byId.get(state.focus);
    if (fn.q.t === "problem") showProblem(state.focus); else showNode(state.focus);
  } else if (state.gap) {
    showGaps();
  }
  network.moveTo({ position: { x: startView.x, y: startView.y }, scale: startView.scale, animation: false });
  restoring = false;
  network.once("afterDrawing", function () {
    renderList();  // the lists beside the map wait for its first frame
    document.body.setAttribute("data-ready", "1");
  });

  window.qmap = {
    network: network, nodes: nodes, edges: edges, meta: META, state: state,
    drawnNodeIds: function () { return network.body.nodeIndices.slice(); },
    drawnEdgeIds: function () {
      return network.body.edgeIndices.filter(function (id) { return network.body.edges[id].connected; });
    },
    litNodeIds: function () {
      return network.body.nodeIndices.filter(function (id) { return (shownNode.get(id) || 1) === 1; });
    },
    listRecords: function (key) {
      var l = LISTS[key];
      return listRows(key).map(function (row) {
        var o = {};
        l.cols.forEach(function (c, i) { o[c[0]] = c[2].indexOf("name:") === 0 ? nameOf(row[i]) : row[i]; });
        return o;
      });
    },
    listCsv: listCsv, impactOf: function (p) { var m = {}; impactOf(p).hops.forEach(function (h, k) { m[k] = h; }); return m; },
    reveal: reveal, expand: expand, collapse: collapse, fitAll: fitAll, setHood: setHood, pickPath: pickPath,
    relabel: function () { relabel(true); },
    setGap: setGap, stateParams: function () { return stateParams().toString(); }
  };
})();
