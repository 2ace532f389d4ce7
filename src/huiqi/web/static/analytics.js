/* huiqi 惠企 — the analytics pages' charts (Apache ECharts, shipped in static/): rank
   intervals and the trend (the "common" build), and the industry chain as an ECharts graph
   (the full build, which has the graph series: loaded on the chain page only). Each chart can be
   saved as SVG (toolbox). Data comes from a JSON script element beside each chart (the CSP
   allows no inline script). */
(function () {
  "use strict";
  var palette = ["#1d4e89", "#e07b00", "#2e7d32", "#8e24aa", "#c62828"];
  var zh = (document.documentElement.lang || "zh").indexOf("zh") === 0;
  var save = { feature: { saveAsImage: { type: "svg", title: zh ? "保存为 SVG" : "Save as SVG" } }, right: 8 };

  function interval(d) {
    var n = d.labels.length;
    var lo = d.lo.map(function (v) { return v === null ? 0 : v; });
    var span = d.hi.map(function (v, i) { return v === null ? 0 : v - lo[i]; });
    return {
      color: palette, animation: false, toolbox: save,
      tooltip: { trigger: "axis", formatter: function (ps) {
        var i = ps[0].dataIndex;
        return esc(d.labels[i]) + "<br>" + (zh ? "排名 " : "rank ") + d.rank[i] + " (" + d.lo[i] + "–" + d.hi[i] + ")";
      } },
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      yAxis: { type: "category", data: d.labels, inverse: true, axisLabel: { width: 120, overflow: "truncate" } },
      xAxis: { type: "value", name: zh ? "排名" : "rank", min: 1, inverse: false },
      series: [
        { type: "bar", stack: "r", data: lo, itemStyle: { color: "transparent" }, silent: true },
        { type: "bar", stack: "r", name: zh ? "90% 区间" : "90% interval", data: span.map(function (v, i) {
          return { value: v, itemStyle: { color: d.home[i] ? "#e07b00" : "#9db7d8" } };
        }) },
        { type: "scatter", name: zh ? "名义排名" : "nominal rank", data: d.rank, symbolSize: 8, itemStyle: { color: "#1d4e89" } }
      ],
      legend: { top: 0, data: [zh ? "90% 区间" : "90% interval", zh ? "名义排名" : "nominal rank"] },
      height: Math.max(n * 18, 200)
    };
  }

  function trend(d) {
    return {
      color: palette, animation: false, toolbox: save, tooltip: { trigger: "axis" },
      legend: { top: 0 }, grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: d.labels },
      yAxis: [{ type: "value", name: d.names[0] }, { type: "value", name: d.names[1], inverse: true, minInterval: 1 }],
      series: [{ type: "line", name: d.names[0], data: d.score }, { type: "line", name: d.names[1], yAxisIndex: 1, data: d.rank }]
    };
  }

  function esc(v) { return window.echarts.format.encodeHTML(String(v)); }

  function chain(d) {
    /* a graph on hidden cartesian axes: the server places each node (x: the segment's place
       upstream to downstream; y: 0, its leaders −1, −2 …), the symbols keep their size */
    var max = Math.max.apply(null, d.nodes.map(function (n) { return n.firms || 0; }).concat([1]));
    var low = Math.min.apply(null, d.nodes.map(function (n) { return n.y; }).concat([0]));
    var segs = d.nodes.filter(function (n) { return n.kind === "segment"; }).length;
    var nodes = d.nodes.map(function (n) {
      var seg = n.kind === "segment";
      return { id: n.id, name: n.id, value: [n.x, n.y], text: n.label, kind: n.kind,
        symbol: seg ? "circle" : "diamond",
        symbolSize: seg ? 24 + 32 * (n.firms || 0) / max : 14,
        itemStyle: { color: seg ? (n.gap ? "#c62828" : "#1d4e89") : "#e07b00" },
        label: { show: true, position: seg ? "top" : "right", distance: seg ? 8 : 6,
          fontWeight: seg ? "bold" : "normal" } };
    });
    var links = d.links.map(function (l) {
      var flow = l.kind === "flow";
      return { source: l.source, target: l.target,
        symbol: flow ? ["none", "arrow"] : ["none", "none"],
        lineStyle: flow ? { width: 4, color: "#9db7d8" } : { width: 1, type: "dashed", color: "#e07b00" } };
    });
    return {
      animation: false, toolbox: save,
      tooltip: { formatter: function (p) {
        return p.dataType === "node" ? esc(p.data.text).replace(/\n/g, "<br>") : "";
      } },
      grid: { left: 80, right: 80, top: 110, bottom: 20 },
      xAxis: { type: "value", min: -0.5, max: segs - 0.5, show: false },
      yAxis: { type: "value", min: low - 0.5, max: 0.3, show: false },
      series: [{ type: "graph", coordinateSystem: "cartesian2d", layout: "none", data: nodes,
        links: links, edgeSymbolSize: 12,
        label: { formatter: function (p) { return p.data.text; }, lineHeight: 16 } }],
      height: 200 + 40 * -low
    };
  }

  var builders = { interval: interval, trend: trend, chain: chain };
  function draw(el) {
    if (!window.echarts || el.dataset.drawn) { return; }
    var src = document.getElementById(el.dataset.src);
    var build = builders[el.dataset.achart];
    if (!src || !build) { return; }
    var option = build(JSON.parse(src.textContent));
    if (option.height) { el.style.height = option.height + 60 + "px"; delete option.height; }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    el.dataset.drawn = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-achart]").forEach(draw);
  });
})();
