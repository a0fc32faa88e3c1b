// Charts of the assistance report: each <div data-report-chart="id"> draws the JSON in
// <script type="application/json" id="id"> ({type: "bar"|"pie", labels, series: [{name, values}]})
// with the slim ECharts bundle. The same figures are in the tables next to each chart.
(function () {
  var COLORS = ["#b3261e", "#0b4fa8", "#1b6e3a", "#b26a00", "#6b3fa0", "#00838f", "#5a6272", "#ad1457", "#827717"];

  function pie(data) {
    var values = data.series[0].values;
    return {
      aria: { enabled: true },
      color: COLORS,
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { type: "scroll", bottom: 0 },
      series: [{
        type: "pie",
        name: data.series[0].name,
        radius: ["30%", "60%"],
        center: ["50%", "45%"],
        label: { position: "inside", formatter: "{c}", color: "#fff" },
        data: data.labels.map(function (label, i) { return { name: label, value: values[i] }; })
          .filter(function (item) { return item.value; }),
      }],
    };
  }

  function bar(data) {
    var several = data.series.length > 1;
    return {
      aria: { enabled: true },
      color: COLORS,
      tooltip: { trigger: "axis" },
      legend: { show: several, type: "scroll", top: 0 },
      grid: { left: 8, right: 56, top: several ? 40 : 8, bottom: 8, containLabel: true },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: data.labels, inverse: true, axisLabel: { width: 120, overflow: "truncate" } },
      series: data.series.map(function (s) {
        return { type: "bar", name: s.name, data: s.values, label: { show: true, position: "right" } };
      }),
    };
  }

  function render(el) {
    var source = document.getElementById(el.dataset.reportChart);
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    el.style.height = (parseInt(el.dataset.height, 10) || 240) + "px";
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(data.type === "pie" ? pie(data) : bar(data));
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-report-chart]").forEach(render);
  });
})();
