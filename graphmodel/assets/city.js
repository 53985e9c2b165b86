/* qmap city overview: sortable, filterable KPI table. Text only, no network. */
(function () {
  "use strict";
  var table = document.getElementById("kpi");
  var body = table.tBodies[0];
  var heads = table.tHead.rows[1].cells;
  var sorted = { col: -1, dir: 1 };
  Array.prototype.forEach.call(heads, function (th, col) {
    th.addEventListener("click", function () {
      var dir = sorted.col === col ? -sorted.dir : (th.dataset.type === "num" && col > 0 ? -1 : 1);
      sorted = { col: col, dir: dir };
      Array.prototype.forEach.call(heads, function (h) { h.classList.remove("sorted-asc", "sorted-desc"); });
      th.classList.add(dir > 0 ? "sorted-asc" : "sorted-desc");
      var num = th.dataset.type === "num";
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].dataset.v, y = b.cells[col].dataset.v;
        if (num) { x = parseFloat(x); y = parseFloat(y); return (x - y) * dir || (parseFloat(a.cells[0].dataset.v) - parseFloat(b.cells[0].dataset.v)); }
        return x.localeCompare(y, "zh-CN") * dir;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  var filter = document.getElementById("q-filter"), count = document.getElementById("q-count");
  function apply() {
    var q = filter.value.trim().toLowerCase(), shown = 0;
    Array.prototype.forEach.call(body.rows, function (r) {
      var on = !q || r.dataset.search.indexOf(q) >= 0;
      r.hidden = !on;
      if (on) shown += 1;
    });
    count.textContent = q ? "显示 " + shown + " / " + body.rows.length : "";
  }
  filter.addEventListener("input", apply);
  document.body.setAttribute("data-ready", "1");
})();
