// Charts of the first-signal dashboard: each <div data-signals-chart="id"> draws the JSON in
// <script type="application/json" id="id"> ({type: "line"|"bar", labels, series: [{name, values}], ids})
// with the slim ECharts bundle. The same figures are in the tables beside each chart. A bar chart with
// data-drill opens the dashboard on the unit whose bar is clicked.
(function () {
  var COLORS = ["#b3261e", "#0b4fa8", "#1b6e3a", "#b26a00", "#6b3fa0", "#00838f", "#5a6272", "#ad1457", "#827717"];

  function line(data) {
    return {
      aria: { enabled: true },
      color: COLORS,
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels, boundaryGap: false },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (s) {
        return { type: "line", name: s.name, data: s.values, smooth: false, symbolSize: 6 };
      }),
    };
  }

  function bar(data) {
    return {
      aria: { enabled: true },
      color: COLORS,
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.labels, inverse: true, axisLabel: { width: 110, overflow: "truncate" } },
      series: [{ type: "bar", data: data.series[0].values, label: { show: true, position: "right" }, cursor: "pointer" }],
    };
  }

  function render(el) {
    var source = document.getElementById(el.dataset.signalsChart);
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    el.style.height = (parseInt(el.dataset.height, 10) || 260) + "px";
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(data.type === "bar" ? bar(data) : line(data));
    if (el.dataset.drill && data.ids) {
      chart.on("click", function (params) {
        var id = data.ids[params.dataIndex];
        if (id) window.location.href = el.dataset.drill + "?unit=" + id + "&weeks=" + (el.dataset.weeks || "");
      });
    }
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-signals-chart]").forEach(render);
  });
})();
