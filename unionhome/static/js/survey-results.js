// The survey results page: each <div data-results-chart="id"> draws the JSON in
// <script type="application/json" id="id"> with the slim ECharts bundle (views_results / results_charts.py):
//   {type: "bars", labels, counts, shares}: one horizontal bar per option or score, "count (share %)";
//   {type: "scores", labels, counts, shares, colors, parts, nps}: a 0–10 distribution coloured by
//     detractors / passives / promoters; a second <div data-view="parts"> on the same data draws the three
//     parts as one stacked bar with the NPS;
//   {type: "stacked", labels, series: [{name, values}]}: a matrix, each item's scores 1–5 in %;
//   {type: "scatter", points, medians, quadrants, axes}: drivers, importance × performance, with the
//     quadrants split at the medians and named (drawn by drivers-chart.js, shared with the dashboard).
// The same figures are in the page's tables. While the survey is open, #results-rate is refreshed every 30 s.
(function () {
  var BLUE = "#0b4fa8";
  var SCALE = ["#c0392b", "#e67e22", "#b7950b", "#5dade2", "#1e8449"];

  function base() {
    return { aria: { enabled: true }, animationDuration: 300 };
  }

  function bars(data) {
    return Object.assign(base(), {
      color: [BLUE],
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 72, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.labels, inverse: true, axisLabel: { width: 120, overflow: "truncate" } },
      series: [{
        type: "bar",
        data: data.counts.map(function (c, i) {
          return data.colors ? { value: c, itemStyle: { color: data.colors[i] } } : c;
        }),
        label: {
          show: true,
          position: "right",
          formatter: function (p) { return p.value + " (" + data.shares[p.dataIndex] + "%)"; },
        },
      }],
    });
  }

  // The NPS's three parts as one stacked bar (drawn in its own <div data-view="parts">).
  function parts(data) {
    return Object.assign(base(), {
      tooltip: { trigger: "item", valueFormatter: function (v) { return v + "%"; } },
      legend: { bottom: 0 },
      grid: { left: 8, right: 16, top: 4, bottom: 32, containLabel: true },
      xAxis: { type: "value", max: 100, show: false },
      yAxis: { type: "category", data: ["NPS " + data.nps] },
      series: data.parts.map(function (part) {
        return { type: "bar", name: part.name, stack: "nps", data: [part.value], itemStyle: { color: part.color },
          label: { show: part.value >= 8, formatter: "{c}%", color: "#fff" } };
      }),
    });
  }

  function stacked(data) {
    return Object.assign(base(), {
      color: SCALE,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return v + "%"; } },
      legend: { bottom: 0 },
      grid: { left: 8, right: 16, top: 8, bottom: 32, containLabel: true },
      xAxis: { type: "value", max: 100 },
      yAxis: { type: "category", data: data.labels, inverse: true, axisLabel: { width: 120, overflow: "truncate" } },
      series: data.series.map(function (s) {
        return { type: "bar", name: s.name, stack: "scores", data: s.values,
          label: { show: true, formatter: function (p) { return p.value >= 10 ? p.value + "%" : ""; } } };
      }),
    });
  }

  // The drivers' scatter chart is the satisfaction dashboard's, from the shared module (drivers-chart.js).
  function scatter(data) {
    return Object.assign(base(), window.UnionHomeCharts.drivers(data));
  }

  var BUILD = { bars: bars, scores: bars, stacked: stacked, scatter: scatter };

  function render(el) {
    var source = document.getElementById(el.dataset.resultsChart);
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var rows = parseInt(el.dataset.rows, 10) || 5;
    var build = el.dataset.view === "parts" ? parts : BUILD[data.type] || bars;
    if (el.dataset.view === "parts") el.style.minHeight = "0";
    el.style.height = (el.dataset.view === "parts" ? 96 : Math.max(180, rows * 34 + 40)) + "px";
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.on("finished", function () { el.dataset.drawn = "1"; });
    chart.setOption(build(data));
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function pollRate(box) {
    if (!box || !("live" in box.dataset)) return;
    var k = parseInt(box.dataset.minGroup, 10);
    function refresh() {
      fetch(box.dataset.rateUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          ["invited", "responded", "percent"].forEach(function (key) {
            var cell = box.querySelector('[data-rate="' + key + '"]');
            if (cell) cell.textContent = data[key];
          });
          var ready = document.getElementById("results-ready");
          if (ready && "waiting" in box.dataset && data.responded >= k) ready.hidden = false;
        })
        .catch(function () {});
    }
    window.setInterval(refresh, 30000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-results-chart]").forEach(render);
    pollRate(document.getElementById("results-rate"));
  });
})();
