// Draws one ECharts bar chart per indicator from the JSON the dashboard embeds. A ratio
// without a denominator is null: no bar, "—" in the tooltip.
(function () {
  "use strict";
  var source = document.getElementById("stats-charts");
  if (!source || !window.echarts) return;
  var charts = JSON.parse(source.textContent);
  var instances = [];
  document.querySelectorAll(".stats-chart").forEach(function (el) {
    var spec = charts[Number(el.dataset.chart)];
    if (!spec) return;
    var many = spec.categories.length > 12;
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        valueFormatter: function (v) { return v == null ? "—" : v + " " + spec.unit; },
      },
      legend: spec.series.length > 1 ? { top: 0, type: "scroll" } : undefined,
      grid: { left: 48, right: 8, top: spec.series.length > 1 ? 32 : 12, bottom: many ? 56 : 8, containLabel: true },
      xAxis: {
        type: "category",
        data: spec.categories,
        axisLabel: { interval: 0, rotate: spec.categories.length > 5 ? 30 : 0, width: 96, overflow: "truncate" },
      },
      yAxis: { type: "value", minInterval: spec.integer ? 1 : undefined, max: spec.max || undefined },
      // Long lists of children scroll instead of squeezing the bars into hairlines.
      dataZoom: many ? [{ type: "slider", startValue: 0, endValue: 11, bottom: 8 }] : [],
      series: spec.series.map(function (s) {
        return { name: s.name, type: "bar", stack: spec.stacked ? "total" : undefined, data: s.data, barMaxWidth: 40 };
      }),
    });
    instances.push(chart);
  });
  window.addEventListener("resize", function () {
    instances.forEach(function (c) { c.resize(); });
  });
})();
