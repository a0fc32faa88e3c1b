// Render every <div data-chart="bar" data-source="id-of-json-script"> with the slim ECharts bundle.
(function () {
  function render(el) {
    var source = document.getElementById(el.dataset.source);
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    el.style.height = (parseInt(el.dataset.height, 10) || 240) + "px";
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      aria: { enabled: true },
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 40, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: data.labels, inverse: true },
      series: [{ type: "bar", data: data.values, itemStyle: { color: "#b3261e" }, label: { show: true, position: "right" } }],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(render);
  });
})();
