/* huiqi 惠企 — small progressive enhancements: charts (Apache ECharts) drawn from the data
   of the table beside them; keyboard focus moved to new content after an htmx swap;
   progress bars sized from data-width; buttons that fill a field from a template
   (data-fill, data-from); the menu button of a phone's header (data-menu). The pages carry no inline script or style (the CSP forbids it):
   what they need of script is here. */
(function () {
  "use strict";
  var palette = ["#1d4e89", "#e07b00", "#2e7d32", "#8e24aa", "#00838f", "#c62828"];

  function draw(el) {
    if (!window.echarts || el.dataset.drawn) { return; }
    var src = document.getElementById(el.dataset.chart);
    if (!src) { return; }
    var spec = JSON.parse(src.textContent);
    var horizontal = spec.horizontal !== false;
    var cat = { type: "category", data: spec.labels, axisLabel: { width: 140, overflow: "truncate" } };
    var compact = new Intl.NumberFormat(document.documentElement.lang || "zh-CN", { notation: "compact" });
    var val = { type: "value", name: spec.unit || "", axisLabel: { formatter: function (v) { return compact.format(v); } } };
    var option = {
      color: palette, animation: false,
      tooltip: { trigger: spec.type === "pie" ? "item" : "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      series: spec.series.map(function (s) {
        var out = { name: s.name, type: spec.type === "pie" ? "pie" : "bar", stack: spec.stack ? "all" : undefined,
          data: s.values.map(Number) };
        if (spec.type === "pie") {
          out.radius = ["35%", "65%"];
          out.data = s.values.map(function (v, i) { return { name: spec.labels[i], value: Number(v) }; });
        }
        return out;
      })
    };
    if (spec.type !== "pie") {
      option.xAxis = horizontal ? val : cat;
      option.yAxis = horizontal ? Object.assign({ inverse: true }, cat) : val;
    }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    el.dataset.drawn = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }

  var loading = null;
  /* ECharts (715 KB) is loaded only when a chart is to be drawn: a page that may draw one
     later (the simulation form, after its htmx answer) names it in data-echarts. */
  function withEcharts(then) {
    if (window.echarts) { then(); return; }
    var holder = document.querySelector("[data-echarts]");
    if (!holder) { return; }
    if (!loading) {
      loading = document.createElement("script");
      loading.src = holder.dataset.echarts;
      document.head.appendChild(loading);
    }
    loading.addEventListener("load", then);
  }

  function drawAll(root) {
    var charts = (root || document).querySelectorAll("[data-chart]");
    if (charts.length) { withEcharts(function () { charts.forEach(draw); }); }
    // a table wider than the screen scrolls in its box: the box can take the keyboard's focus
    (root || document).querySelectorAll(".table-wrap").forEach(function (el) {
      if (el.scrollWidth > el.clientWidth + 1) { el.tabIndex = 0; } else { el.removeAttribute("tabindex"); }
    });
    (root || document).querySelectorAll("[data-width]").forEach(function (el) {
      el.style.width = Number(el.dataset.width) + "%";
    });
  }

  document.documentElement.classList.add("js");
  document.addEventListener("click", function (e) {
    var menu = e.target.closest && e.target.closest("[data-menu]");
    if (menu) {
      var open = menu.getAttribute("aria-expanded") !== "true";
      menu.setAttribute("aria-expanded", open ? "true" : "false");
      menu.closest("header").classList.toggle("open", open);
      return;
    }
    var button = e.target.closest && e.target.closest("[data-fill]");
    if (!button) { return; }
    var field = document.getElementById(button.dataset.fill);
    var from = document.getElementById(button.dataset.from);
    if (field && from) { field.value = (from.content || from).textContent; }
  });
  document.addEventListener("DOMContentLoaded", function () {
    drawAll(document);
    // a questionnaire starts at its first question (the calculator)
    var first = document.querySelector("#question [data-focus]");
    if (first) { first.focus(); }
  });
  document.addEventListener("htmx:afterSettle", function (e) {
    drawAll(e.target);
    var focus = e.target.querySelector("[data-focus]");
    if (focus) { focus.focus(); }
  });
})();
