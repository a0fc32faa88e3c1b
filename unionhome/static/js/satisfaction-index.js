// Charts of the satisfaction dashboard: each <div data-index-chart="id"> draws the JSON in
// <script type="application/json" id="id"> with the slim ECharts bundle:
//   {type: "gauge", value, label}: the index on a dial from 0 to 100;
//   {type: "line"|"bar", labels, series: [{name, values}], ids}: the trend, and the units below (best first);
//   {type: "heatmap", columns, rows, ids, cells: [[x, y, index|null, n]], fewer, none, answers}: the units
//     below × the last periods; a cell with fewer than k answers is drawn blank, its tooltip says why;
//   {type: "scatter", points: [{name, importance, performance, quadrant}], medians, quadrants, axes}: the
//     drivers, importance × performance, split by the medians into four named quadrants (drivers-chart.js).
// The same figures are in the page's text and tables. A bar chart or heat map with data-drill opens the
// dashboard on the unit whose bar or row is clicked, keeping the period and service line (data-keep).
(function () {
  var BLUE = "#0b4fa8";
  var TRACK = "#e3e7ee";

  function gauge(data) {
    return {
      aria: { enabled: true },
      series: [{
        type: "gauge",
        min: 0,
        max: 100,
        startAngle: 200,
        endAngle: -20,
        radius: "92%",
        center: ["50%", "62%"],
        splitNumber: 4,
        progress: { show: true, width: 14, itemStyle: { color: BLUE } },
        axisLine: { lineStyle: { width: 14, color: [[1, TRACK]] } },
        axisTick: { show: false },
        splitLine: { length: 8, lineStyle: { width: 1, color: "#9aa5b5" } },
        axisLabel: { distance: 18, fontSize: 11, color: "#4a5568" },
        pointer: { show: false },
        anchor: { show: false },
        title: { show: false },
        detail: {
          valueAnimation: true,
          offsetCenter: [0, "10%"],
          fontSize: 28,
          fontWeight: 600,
          color: "#1a202c",
          formatter: function (v) { return data.value === null ? "—" : v.toFixed(1); },
        },
        data: [{ value: data.value === null ? 0 : data.value, name: data.label }],
      }],
    };
  }

  function line(data) {
    return {
      aria: { enabled: true },
      color: [BLUE],
      tooltip: { trigger: "axis" },
      // Labels sit in the middle of their band (boundaryGap) and the grid keeps room on both sides, so that
      // the first and the last period's labels are not cut at the chart's edges.
      grid: { left: 16, right: 32, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels, boundaryGap: true, axisLabel: { hideOverlap: true } },
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

  function heatmap(data) {
    var shown = [], blank = [];
    data.cells.forEach(function (c) {
      (c[2] === null ? blank : shown).push(c[2] === null ? [c[0], c[1], 0, c[3]] : c);
    });
    return {
      aria: { enabled: true },
      tooltip: {
        formatter: function (p) {
          var c = p.data, text = p.seriesIndex === 0 ? c[2].toFixed(1) : (c[3] ? data.fewer : data.none);
          return data.rows[c[1]] + " · " + data.columns[c[0]] + "<br>" + text + " (" + data.answers + " " + c[3] + ")";
        },
      },
      grid: { left: 8, right: 16, top: 8, bottom: 48, containLabel: true },
      xAxis: { type: "category", data: data.columns, splitArea: { show: true }, axisLabel: { hideOverlap: true } },
      yAxis: {
        type: "category", data: data.rows, inverse: true, triggerEvent: true,
        axisLabel: { width: 96, overflow: "truncate" },
      },
      visualMap: {
        min: 0, max: 100, seriesIndex: 0, dimension: 2, orient: "horizontal", left: "center", bottom: 0,
        itemWidth: 12, itemHeight: 120, calculable: false, text: ["100", "0"],
        inRange: { color: ["#c0392b", "#f4d03f", "#1e7b4f"] },
      },
      series: [
        { type: "heatmap", data: shown, label: { show: true, formatter: function (p) { return p.data[2].toFixed(0); } },
          cursor: "pointer" },
        { type: "heatmap", data: blank, itemStyle: { color: "#ffffff", borderColor: "#c5cbd5", borderWidth: 1 },
          cursor: "pointer" },
      ],
    };
  }

  // The drivers' scatter chart is drawn by the module shared with the survey results page (drivers-chart.js).
  function scatter(data) {
    return window.UnionHomeCharts.drivers(data);
  }

  var BUILD = { gauge: gauge, line: line, bar: bar, heatmap: heatmap, scatter: scatter };

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
        var index = params.dataIndex;
        if (data.type === "heatmap") {
          index = params.componentType === "yAxis" ? data.rows.indexOf(params.value) : params.data[1];
        }
        var id = data.ids[index];
        if (id) window.location.href = el.dataset.drill + "?unit=" + id + "&" + (el.dataset.keep || "");
      });
    }
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-index-chart]").forEach(render);
  });
})();
