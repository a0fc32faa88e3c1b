// Charts of the satisfaction dashboard: each <div data-index-chart="id"> draws the JSON in
// <script type="application/json" id="id"> with the slim ECharts bundle:
//   {type: "gauge", value, label}: the index on a half dial from 0 to 100 (a half doughnut: the slim bundle
//     has no gauge series);
//   {type: "line"|"bar", labels, series: [{name, values}], ids}: the trend, and the units below (best first).
// The same figures are in the page's text and tables. A bar chart with data-drill opens the dashboard on
// the unit whose bar is clicked, keeping the period and service line (data-keep).
(function () {
  var BLUE = "#0b4fa8";
  var TRACK = "#e3e7ee";

  function gauge(data) {
    var value = data.value === null ? 0 : data.value;
    return {
      aria: { enabled: true },
      title: {
        text: data.value === null ? "—" : value.toFixed(1),
        subtext: "0 – 100",
        left: "center",
        top: "52%",
        textStyle: { fontSize: 28, fontWeight: 600 },
      },
      series: [{
        type: "pie",
        radius: ["95%", "135%"],
        center: ["50%", "95%"],
        startAngle: 180,
        silent: true,
        label: { show: false },
        data: [
          { value: value, name: data.label, itemStyle: { color: BLUE } },
          { value: 100 - value, name: "", itemStyle: { color: TRACK } },
          { value: 100, name: "", itemStyle: { color: "none" } },
        ],
      }],
    };
  }

  function line(data) {
    return {
      aria: { enabled: true },
      color: [BLUE],
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels, boundaryGap: false, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", min: 0, max: 100 },
      series: data.series.map(function (s) {
        return { type: "line", name: s.name, data: s.values, connectNulls: false, showAllSymbol: true, symbolSize: 8 };
      }),
    };
  }

  function bar(data) {
    return {
      aria: { enabled: true },
      color: [BLUE],
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100 },
      yAxis: { type: "category", data: data.labels, inverse: true, axisLabel: { width: 110, overflow: "truncate" } },
      series: [{ type: "bar", data: data.series[0].values, label: { show: true, position: "right" }, cursor: "pointer" }],
    };
  }

  var BUILD = { gauge: gauge, line: line, bar: bar };

  function render(el) {
    var source = document.getElementById(el.dataset.indexChart);
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    el.style.height = (parseInt(el.dataset.height, 10) || 240) + "px";
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.on("finished", function () { el.dataset.drawn = "1"; });  // animations done: what is seen is what is drawn
    chart.setOption((BUILD[data.type] || line)(data));
    if (el.dataset.drill && data.ids) {
      chart.on("click", function (params) {
        var id = data.ids[params.dataIndex];
        if (id) window.location.href = el.dataset.drill + "?unit=" + id + "&" + (el.dataset.keep || "");
      });
    }
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-index-chart]").forEach(render);
  });
})();
