/* huiqi 惠企 — the analytics pages' charts (Apache ECharts, the "common" build shipped in
   static/): rank intervals, the trend, and the industry chain as a node-link diagram (scatter
   nodes joined by lines: the common build has no graph or Sankey series). Each chart can be
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
        return d.labels[i] + "<br>" + (zh ? "排名 " : "rank ") + d.rank[i] + " (" + d.lo[i] + "–" + d.hi[i] + ")";
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

  function chain(d) {
    var max = Math.max.apply(null, d.nodes.map(function (n) { return n.firms; }).concat([1]));
    var pts = d.nodes.map(function (n, i) {
      return { value: [i, 0], name: n.name, node: n,
        symbolSize: 30 + 50 * n.firms / max,
        itemStyle: { color: n.gap ? "#c62828" : "#1d4e89" },
        label: { show: true, position: "bottom", formatter: n.name + "\n" + n.firms + " " + d.firms + (n.leaders ? " · " + d.leaders + " " + n.leaders : "") } };
    });
    return {
      animation: false, toolbox: save,
      tooltip: { formatter: function (p) {
        var n = p.data.node; if (!n) { return ""; }
        return n.name + "<br>" + n.firms + " " + d.firms + "<br>" + d.revenue + ": " + (n.revenue === null ? "—" : n.revenue.toLocaleString()) +
          "<br>" + d.growth + ": " + (n.growth === null ? "—" : n.growth + "%");
      } },
      grid: { left: 40, right: 40, top: 30, bottom: 50 },
      xAxis: { type: "value", min: -0.5, max: d.nodes.length - 0.5, show: false },
      yAxis: { type: "value", min: -1, max: 1, show: false },
      series: [
        { type: "line", data: d.nodes.map(function (n, i) { return [i, 0]; }), symbol: "none", silent: true,
          lineStyle: { width: 3, color: "#9db7d8" }, markLine: undefined },
        { type: "scatter", data: pts }
      ]
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
