// The drivers chart, shared by the satisfaction dashboard (satisfaction-index.js) and the survey results page
// (survey-results.js): UnionHomeCharts.drivers(data) gives the ECharts option for the JSON that
// satisfaction.index_charts.drivers_chart writes,
//   {points: [{name, importance, performance, quadrant}], medians: {importance, performance},
//    quadrants: {code: name}, axes: {importance, performance}}:
// each driver by importance (Pearson's r) and performance (0–100), split by the medians into four quadrants
// named in their corners, coloured by quadrant, with a legend. Load it before the page's own script.
(function () {
  var QUADRANT_COLORS = { act_first: "#c0392b", keep_up: "#1e7b4f", lower_priority: "#7a8699", overdone: "#0b4fa8" };

  // Where each quadrant's name is written: its corner of the chart (high importance is on the right).
  var CORNERS = {
    act_first: { right: true, top: false },
    keep_up: { right: true, top: true },
    lower_priority: { right: false, top: false },
    overdone: { right: false, top: true },
  };

  function drivers(data) {
    // The axes close in on the points (drivers are often all between r = 0.5 and 0.9), with a margin.
    var xs = data.points.map(function (p) { return p.importance; });
    var ys = data.points.map(function (p) { return p.performance; });
    if (!xs.length) { xs = [0, 1]; ys = [0, 100]; }
    var xMin = Math.max(-1, Math.floor(Math.min.apply(null, xs) * 10) / 10 - 0.1);
    var xMax = Math.min(1, Math.ceil(Math.max.apply(null, xs) * 10) / 10 + 0.1);
    var yMin = Math.max(0, Math.floor(Math.min.apply(null, ys) / 10) * 10 - 10);
    var yMax = Math.min(100, Math.ceil(Math.max.apply(null, ys) / 10) * 10 + 10);
    var codes = Object.keys(QUADRANT_COLORS);
    var series = codes.map(function (code) {
      return {
        type: "scatter",
        name: data.quadrants[code],
        color: QUADRANT_COLORS[code],
        symbolSize: 12,
        data: data.points.filter(function (p) { return p.quadrant === code; }).map(function (p) {
          // Names of points on the right half are written to their left, so they stay inside the chart.
          var side = p.importance >= data.medians.importance ? "left" : "right";
          return { value: [p.importance, p.performance], name: p.name, label: { position: side } };
        }),
        label: { show: true, formatter: "{b}", fontSize: 11, width: 80, overflow: "truncate" },
        labelLayout: { hideOverlap: true },
      };
    });
    series[0].markLine = {
      silent: true, symbol: "none", lineStyle: { type: "dashed", color: "#9aa5b5" }, label: { show: false },
      data: [{ xAxis: data.medians.importance }, { yAxis: data.medians.performance }],
    };
    series.push({
      type: "scatter",
      name: "",
      silent: true,
      symbolSize: 0,
      tooltip: { show: false },
      data: codes.map(function (code) {
        var corner = CORNERS[code];
        return {
          value: [corner.right ? xMax : xMin, corner.top ? yMax - (yMax - yMin) * 0.02 : yMin + (yMax - yMin) * 0.02],
          name: data.quadrants[code],
          label: { position: corner.right ? "left" : "right" },
        };
      }),
      label: { show: true, formatter: "{b}", color: "#4a5568", fontWeight: 600, fontSize: 12 },
    });
    return {
      aria: { enabled: true },
      legend: { bottom: 0, data: codes.map(function (code) { return data.quadrants[code]; }) },
      tooltip: {
        formatter: function (p) {
          return p.name + "<br>" + data.axes.importance + ": " + p.value[0].toFixed(2) + "<br>" +
            data.axes.performance + ": " + p.value[1].toFixed(1) + "<br>" + p.seriesName;
        },
      },
      // containLabel leaves the axis names out: the left margin keeps room for the rotated performance axis name.
      grid: { left: 32, right: 24, top: 16, bottom: 72, containLabel: true },
      xAxis: { type: "value", name: data.axes.importance, nameLocation: "middle", nameGap: 24, min: xMin, max: xMax },
      yAxis: {
        type: "value", name: data.axes.performance, nameLocation: "middle", nameRotate: 90, nameGap: 32,
        min: yMin, max: yMax,
      },
      series: series,
    };
  }

  window.UnionHomeCharts = window.UnionHomeCharts || {};
  window.UnionHomeCharts.drivers = drivers;
})();
