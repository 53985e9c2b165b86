/* qmap chain map: layered quality map on vis-network, positions fixed in Python, no physics.
 * Every piece of user text reaches the page through textContent (never innerHTML). */
(function () {
  "use strict";

  function readJSON(id) { return JSON.parse(document.getElementById(id).textContent); }
  var NODES = readJSON("qmap-nodes"), EDGES = readJSON("qmap-edges");
  var META = readJSON("qmap-meta"), OPTIONS = readJSON("qmap-options");
  var FONT = META.font, TS = META.textScale || 1;
  var byId = {};
  NODES.forEach(function (n) { byId[n.id] = n; });

  // ------------------------------------------------------------------ state
  var state = {
    types: {}, services: {}, statuses: {},
    gapOnly: false, indicatorLinks: false,
    collapsed: new Set(), highlight: null
  };
  META.typeKeys.forEach(function (k) { state.types[k] = true; });
  META.serviceKeys.forEach(function (k) { state.services[k] = true; });
  META.statusKeys.forEach(function (k) { state.statuses[k] = true; });
  var clusterOf = {}, clusterById = {};
  META.clusters.forEach(function (c) {
    clusterById[c.id] = c;
    c.members.forEach(function (m) { clusterOf[m] = c.id; });
    state.collapsed.add(c.id);
  });
  var gapSet = new Set(META.gaps);

  function collapsedHere(id) {
    return !state.gapOnly && clusterOf[id] !== undefined && state.collapsed.has(clusterOf[id]);
  }
  function anyService(list) {
    if (!list || !list.length) return true;
    for (var i = 0; i < list.length; i++) if (state.services[list[i]]) return true;
    return false;
  }
  function passesFilters(n) {
    var q = n.q;
    if (q.t === "chain") return !state.gapOnly;
    if (!state.types[q.t]) return false;
    if (q.t === "body" && !anyService(q.s)) return false;
    if (q.t === "problem" && q.st && !state.statuses[q.st]) return false;
    return true;
  }
  function nodeVisible(n) {
    if (n.q.c) return !state.gapOnly && state.collapsed.has(n.id) && passesFilters(n);
    if (state.gapOnly) return gapSet.has(n.id);
    if (collapsedHere(n.id)) return false;
    return passesFilters(n);
  }
  function edgeVisible(e) {
    var q = e.q;
    if (q.agg) return !state.gapOnly;
    if ((q.k === "reports" || q.k === "targets") && !state.indicatorLinks) return false;
    if (!anyService(q.s)) return false;
    if (collapsedHere(e.from) || collapsedHere(e.to)) return false;
    return true;
  }

  // ------------------------------------------------------------------ network
  var nodes = new vis.DataSet(NODES);
  var edges = new vis.DataSet(EDGES);
  var nodeView = new vis.DataView(nodes, { filter: nodeVisible });
  var edgeView = new vis.DataView(edges, { filter: edgeVisible });
  var baseEdge = {};
  EDGES.forEach(function (e) { baseEdge[e.id] = { color: e.color, width: e.width }; });
  var aggIds = [];

  function endpoint(id) { return collapsedHere(id) ? clusterOf[id] : id; }
  function rebuildAggregates() {
    var groups = {};
    EDGES.forEach(function (e) {
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
    if (fresh.length) edges.add(fresh);
  }

  var container = document.getElementById("mynetwork");
  rebuildAggregates();
  var network = new vis.Network(container, { nodes: nodeView, edges: edgeView }, OPTIONS);
  window.network = network;

  function refresh() {
    rebuildAggregates();
    nodeView.refresh();
    edgeView.refresh();
    renderClusterList();
    if (state.highlight) applyHighlight(state.highlight);
  }

  // ------------------------------------------------------------------ decorations behind the nodes
  function roundRect(ctx, x, y, w, h, r) {
    ctx.beginPath();
    ctx.moveTo(x + r, y); ctx.lineTo(x + w - r, y); ctx.quadraticCurveTo(x + w, y, x + w, y + r);
    ctx.lineTo(x + w, y + h - r); ctx.quadraticCurveTo(x + w, y + h, x + w - r, y + h);
    ctx.lineTo(x + r, y + h); ctx.quadraticCurveTo(x, y + h, x, y + h - r);
    ctx.lineTo(x, y + r); ctx.quadraticCurveTo(x, y, x + r, y); ctx.closePath();
  }
  network.on("beforeDrawing", function (ctx) {
    if (state.gapOnly) return;
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
          ctx.beginPath(); ctx.moveTo(r.x0 - 45, r.y0 + 50); ctx.lineTo(r.x0 - 45, r.y1 - 10); ctx.stroke();
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
  function nodeCard(id) {
    var n = byId[id], info = META.info[id] || { h: n ? n.label : id, ty: "", rows: [] };
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
    var n = byId[p.node];
    if (n && n.q.c) {
      var c = clusterById[p.node], box = el("div");
      box.appendChild(el("div", "hd", c.title));
      box.appendChild(propsTable([["节点数", c.members.length], ["其中缺口问题", c.gaps], ["操作", "点击展开"]]));
      showTip(box);
    } else {
      showTip(nodeCard(p.node));
    }
  });
  network.on("blurNode", hideTip);
  network.on("hoverEdge", function (p) {
    var e = edges.get(p.edge);
    if (!e || !e.q.i) return;
    var box = el("div");
    box.appendChild(el("div", "hd", e.q.i[0]));
    box.appendChild(propsTable(e.q.i.slice(1).map(function (line) {
      var cut = line.indexOf("：");
      return cut > 0 ? [line.slice(0, cut), line.slice(cut + 1)] : ["", line];
    })));
    showTip(box);
  });
  network.on("blurEdge", hideTip);
  network.on("dragStart", hideTip);
  network.on("zoom", hideTip);

  // ------------------------------------------------------------------ detail panel and impact highlight
  var detail = document.getElementById("q-detail");
  function closeDetail() { detail.hidden = true; detail.textContent = ""; }
  function openDetail(parts) {
    detail.textContent = "";
    var close = el("button", "close", "×");
    close.type = "button"; close.title = "关闭";
    close.addEventListener("click", function () { clearHighlight(); closeDetail(); network.unselectAll(); });
    detail.appendChild(close);
    parts.forEach(function (p) { detail.appendChild(p); });
    detail.hidden = false;
  }
  function focusLink(id, text) {
    var a = el("a", null, text);
    a.href = "#"; a.dataset.node = id;
    a.addEventListener("click", function (ev) { ev.preventDefault(); reveal(id); });
    return a;
  }

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
  function clearHighlight() {
    if (!state.highlight) return;
    state.highlight = null;
    nodes.update(NODES.map(function (n) { return { id: n.id, opacity: 1, font: withColor(n, labelColor(n)) }; }));
    edges.update(EDGES.map(function (e) { return { id: e.id, color: baseEdge[e.id].color, width: baseEdge[e.id].width }; }));
  }
  function impactOf(problem) {
    var firm = META.affected[problem];
    var hops = {};
    if (firm !== undefined) hops[firm] = 0;
    (firm === undefined ? [] : META.impact[firm] || []).forEach(function (ids, i) {
      ids.forEach(function (id) { hops[id] = i + 1; });
    });
    return { firm: firm, hops: hops };
  }
  function applyHighlight(problem) {
    var imp = impactOf(problem), keep = new Set([problem]);
    Object.keys(imp.hops).forEach(function (k) { keep.add(k); if (collapsedHere(k)) keep.add(clusterOf[k]); });
    nodes.update(NODES.map(function (n) {
      var on = keep.has(n.id);
      return { id: n.id, opacity: on ? 1 : 0.13, font: withColor(n, on ? labelColor(n) : "rgba(113,128,150,0.28)") };
    }));
    var red = META.stateColor[(byId[problem].q || {}).st] || "#e53e3e";
    edges.update(EDGES.map(function (e) {
      var on = false;
      if (e.q.k === "supplies") {
        var a = imp.hops[e.from], b = imp.hops[e.to];
        on = a !== undefined && b !== undefined && b === a + 1;
      } else if (e.q.k === "affects") {
        on = e.from === problem;
      }
      return on ? { id: e.id, color: { color: red, opacity: 1 }, width: 3.5 }
                : { id: e.id, color: { color: (baseEdge[e.id].color || {}).color || "#a0aec0", opacity: 0.07 },
                    width: baseEdge[e.id].width };
    }));
  }
  function showProblem(problem) {
    state.highlight = problem;
    applyHighlight(problem);
    var imp = impactOf(problem), n = byId[problem], parts = [];
    var h = el("h3", null, "影响路径 · " + (META.info[problem] || {}).h);
    parts.push(h);
    var chip = el("span", "chip", META.stateZh[n.q.st] || "");
    chip.style.background = META.stateColor[n.q.st] || "#718096";
    parts.push(chip);
    parts.push(propsTable((META.info[problem] || { rows: [] }).rows));
    var byHop = {};
    Object.keys(imp.hops).forEach(function (k) { (byHop[imp.hops[k]] = byHop[imp.hops[k]] || []).push(k); });
    if (imp.firm === undefined) {
      parts.push(el("p", "note", "此问题未指明企业，无下游影响路径。"));
    } else {
      var total = Object.keys(imp.hops).length - 1;
      parts.push(el("p", "note", "沿本链供应关系向下游波及 " + total + " 家企业（按最少跳数）。"));
      var ol = el("ol");
      Object.keys(byHop).map(Number).sort(function (a, b) { return a - b; }).forEach(function (hop) {
        var li = el("li", null, hop === 0 ? "受影响企业：" : "第 " + hop + " 跳：");
        byHop[hop].sort().forEach(function (id, i) {
          if (i) li.appendChild(document.createTextNode("、"));
          li.appendChild(focusLink(id, (byId[id] || {}).label || id));
        });
        ol.appendChild(li);
      });
      parts.push(ol);
    }
    openDetail(parts);
  }
  function showNode(id) {
    var parts = [nodeCard(id)];
    var probs = META.problemsOf[id];
    if (probs && probs.length) {
      var p = el("p", "note", "质量问题：");
      probs.forEach(function (pid, i) {
        if (i) p.appendChild(document.createTextNode("、"));
        p.appendChild(focusLink(pid, (META.info[pid] || {}).h || pid));
      });
      parts.push(p);
    }
    openDetail(parts);
  }

  network.on("click", function (p) {
    hideTip();
    if (p.nodes.length) {
      var id = p.nodes[0], n = byId[id];
      if (n && n.q.c) { expand(id); return; }
      clearHighlight();
      if (n && n.q.t === "problem") showProblem(id); else showNode(id);
    } else if (!p.edges.length) {
      clearHighlight(); closeDetail();
    }
  });

  // ------------------------------------------------------------------ clusters
  function expand(id) {
    state.collapsed.delete(id);
    refresh();
  }
  function collapse(id) {
    state.collapsed.add(id);
    refresh();
  }
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
  renderClusterList();

  // ------------------------------------------------------------------ filters
  function setCheckbox(kind, key, on) {
    var box = document.querySelector('input[data-filter="' + kind + '"][value="' + key + '"]');
    if (box) box.checked = on;
    ({ type: state.types, service: state.services, status: state.statuses })[kind][key] = on;
  }
  document.querySelectorAll("input[data-filter]").forEach(function (box) {
    box.addEventListener("change", function () {
      setCheckbox(box.dataset.filter, box.value, box.checked);
      refresh();
    });
  });
  var gapBox = document.getElementById("q-gaps");
  gapBox.addEventListener("change", function () {
    state.gapOnly = gapBox.checked;
    refresh();
    fitAll(false);
  });
  var indBox = document.getElementById("q-indicator-links");
  indBox.addEventListener("change", function () { state.indicatorLinks = indBox.checked; refresh(); });

  function resetAll() {
    document.querySelectorAll("input[data-filter]").forEach(function (box) { setCheckbox(box.dataset.filter, box.value, true); });
    gapBox.checked = false; state.gapOnly = false;
    clearHighlight(); closeDetail(); network.unselectAll();
    refresh();
    fitAll(false);
  }
  document.getElementById("q-reset").addEventListener("click", resetAll);
  document.getElementById("q-fit").addEventListener("click", function () { fitAll(true); });

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
  function reveal(id) {
    var n = byId[id];
    if (!n) return;
    var changed = false;
    if (state.gapOnly && !gapSet.has(id)) { state.gapOnly = false; gapBox.checked = false; changed = true; }
    var q = n.q;
    if (q.t !== "chain" && !state.types[q.t]) { setCheckbox("type", q.t, true); changed = true; }
    if (q.t === "body" && !anyService(q.s)) { setCheckbox("service", q.s[0], true); changed = true; }
    if (q.t === "problem" && q.st && !state.statuses[q.st]) { setCheckbox("status", q.st, true); changed = true; }
    if (clusterOf[id] !== undefined && state.collapsed.has(clusterOf[id]) && !state.gapOnly) {
      state.collapsed.delete(clusterOf[id]); changed = true;
    }
    if (changed) refresh();
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.1), animation: { duration: 350, easingFunction: "easeInOutQuad" } });
    if (q.t === "problem") { clearHighlight(); showProblem(id); } else { clearHighlight(); showNode(id); }
  }

  // ------------------------------------------------------------------ fit the whole drawing (bands included)
  function fitAll(animate) {
    var ids = nodeView.getIds(), pos = network.getPositions(ids);
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    ids.forEach(function (id) {
      var p = pos[id];
      if (!p) return;
      x0 = Math.min(x0, p.x - 60); x1 = Math.max(x1, p.x + 60); y0 = Math.min(y0, p.y - 40); y1 = Math.max(y1, p.y + 40);
    });
    if (!state.gapOnly) META.regions.forEach(function (r) {
      x0 = Math.min(x0, r.x0); x1 = Math.max(x1, r.x1); y0 = Math.min(y0, r.y0); y1 = Math.max(y1, r.y1);
    });
    if (!isFinite(x0)) return;
    var cw = container.clientWidth || 800, ch = container.clientHeight || 600;
    var scale = Math.min(1.6, 0.97 * Math.min(cw / (x1 - x0), ch / (y1 - y0)));
    network.moveTo({ position: { x: (x0 + x1) / 2, y: (y0 + y1) / 2 }, scale: scale,
                     animation: animate ? { duration: 300, easingFunction: "easeInOutQuad" } : false });
  }

  // ------------------------------------------------------------------ ready
  if (META.empty) document.getElementById("q-empty").hidden = false;
  network.once("afterDrawing", function () {
    document.body.setAttribute("data-ready", "1");
  });
  fitAll(false);

  window.qmap = {
    network: network, nodes: nodes, edges: edges, meta: META,
    drawnNodeIds: function () { return network.body.nodeIndices.slice(); },
    drawnEdgeIds: function () {
      return network.body.edgeIndices.filter(function (id) { return network.body.edges[id].connected; });
    },
    reveal: reveal, expand: expand, collapse: collapse, state: state, fitAll: fitAll
  };
})();
