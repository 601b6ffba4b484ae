// The dashboard's charts (ECharts), map (Leaflet) and column picker, from the JSON the page
// embeds (#stats-charts). A ratio without a denominator is null: a gap, "—" in tooltips.
(function () {
  "use strict";
  var source = document.getElementById("stats-charts");
  var charts = source ? JSON.parse(source.textContent) : {};
  var instances = [];
  var narrow = window.matchMedia("(max-width: 575px)").matches;

  function format(v, unit) {
    return v == null ? "—" : v + (unit === "%" ? "%" : " " + unit);
  }

  function trend(el, spec) {
    var hasPercent = spec.series.some(function (s) { return s.percent; });
    var hasCount = spec.series.some(function (s) { return !s.percent; });
    var axes = [];
    if (hasCount) axes.push({ type: "value", minInterval: 1, name: "", axisLabel: { hideOverlap: true } });
    if (hasPercent) axes.push({ type: "value", max: 100, min: 0, axisLabel: { formatter: "{value}%" }, splitLine: { show: !hasCount } });
    return {
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var lines = [items[0].axisValueLabel];
          items.forEach(function (item) {
            var s = spec.series[item.seriesIndex];
            lines.push(item.marker + s.name + ":" + format(item.value, s.unit));
          });
          return lines.join("<br>");
        },
      },
      legend: { top: 0 },
      grid: { left: 8, right: 8, top: narrow ? 64 : 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: spec.months, boundaryGap: false, axisLabel: { hideOverlap: true } },
      yAxis: axes,
      series: spec.series.map(function (s) {
        return {
          name: s.name,
          type: "line",
          yAxisIndex: s.percent && hasCount ? 1 : 0,
          data: s.data,
          connectNulls: false,
          symbolSize: 6,
          lineStyle: s.percent ? { type: "dashed" } : undefined,
        };
      }),
    };
  }

  function bars(spec) {
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return format(v, spec.unit); } },
      grid: { left: 8, right: 40, top: 4, bottom: 4, containLabel: true },
      xAxis: { type: "value", minInterval: 1, axisLabel: { hideOverlap: true } },
      yAxis: {
        type: "category",
        inverse: true, // the largest first, as listed
        data: spec.categories,
        axisLabel: { width: narrow ? 96 : 150, overflow: "truncate" },
      },
      series: [{
        type: "bar",
        data: spec.data,
        barMaxWidth: 22,
        label: { show: true, position: "right" },
      }],
    };
  }

  function draw(el, option) {
    if (!window.echarts) return;
    var chart = echarts.init(el);
    chart.setOption(option);
    instances.push(chart);
  }

  document.querySelectorAll(".stats-chart").forEach(function (el) {
    var kind = el.dataset.chart;
    if (kind === "trend" && charts.trend) draw(el, trend(el, charts.trend));
    if (kind === "ranking" && charts.ranking) draw(el, bars(charts.ranking));
    if (kind === "parts" && charts.parts) draw(el, bars(charts.parts[Number(el.dataset.index)]));
  });
  window.addEventListener("resize", function () {
    instances.forEach(function (c) { c.resize(); });
  });

  // The map: a circle per placed organization, its area proportional to the value. With
  // no tile URL configured it stands on a plain background: the circles and their labels
  // are the map.
  var mapEl = document.getElementById("stats-map");
  if (mapEl && charts.map && window.L) {
    var spec = charts.map;
    var map = L.map(mapEl, {
      attributionControl: !!spec.tiles, zoomSnap: 0.25, scrollWheelZoom: false, minZoom: 5, maxZoom: 18,
    });
    if (spec.tiles) L.tileLayer(spec.tiles, { maxZoom: 18 }).addTo(map);
    var max = Math.max.apply(null, spec.points.map(function (p) { return p.value; }).concat([1]));
    var biggest = narrow || spec.points.length > 15 ? 14 : 22;
    var radius = function (v) { return v > 0 ? 6 + biggest * Math.sqrt(v / max) : 4; };
    var points = spec.points.slice().sort(function (a, b) { return b.value - a.value; });
    var layer = L.featureGroup();
    var labelled = narrow ? 6 : 8; // more labels than this would cover one another
    points.forEach(function (p, rank) {
      var marker = L.circleMarker([p.lat, p.lng], {
        radius: radius(p.value),
        color: p.value > 0 ? "#1d4ed8" : "#94a3b8",
        weight: 1.5,
        fillColor: p.value > 0 ? "#3b82f6" : "#cbd5e1",
        fillOpacity: p.value > 0 ? 0.55 : 0.6,
      });
      // The largest places carry a label; the others tell theirs on hover or tap.
      marker.bindTooltip(p.name + " " + format(p.value, spec.unit), {
        permanent: p.value > 0 && rank < labelled,
        direction: "top",
        offset: [0, -radius(p.value)],
        className: "stats-map-label" + (p.value > 0 ? "" : " stats-map-label-zero"),
      });
      marker.addTo(layer);
    });
    layer.addTo(map);
    var bounds = layer.getBounds();
    // One place (a township looking at itself) has no extent to fit: show its surroundings.
    if (points.length > 1) map.fitBounds(bounds, { padding: [36, 36], maxZoom: 13 });
    else map.setView(bounds.getCenter(), 11);
    var legend = L.control({ position: "bottomleft" });
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "stats-map-legend");
      var half = Math.round(max / 4);
      var swatch = function (v) {
        var r = radius(v);
        return '<span class="stats-map-swatch" style="width:' + 2 * r + "px;height:" + 2 * r + 'px"></span>' + v;
      };
      div.innerHTML = "<strong>" + spec.label + "(" + spec.unit + ")</strong><br>" +
        (half > 0 && half < max ? swatch(half) + " " : "") + swatch(max) +
        '<br><span class="stats-map-swatch stats-map-swatch-zero"></span>' + mapEl.dataset.zero;
      return div;
    };
    legend.addTo(map);
  }

  // The column picker: unchecked columns are hidden by one style rule each; the choice is
  // remembered per tab in this browser. The Excel export always holds every column.
  var picker = document.querySelector(".stats-picker");
  var style = document.getElementById("stats-columns-style");
  if (picker && style) {
    var key = picker.dataset.storage;
    var boxes = Array.prototype.slice.call(picker.querySelectorAll("input[type=checkbox]"));
    var apply = function () {
      style.textContent = boxes.filter(function (b) { return !b.checked; }).map(function (b) {
        return "#drilldown tr > :nth-child(" + (Number(b.dataset.index) + 1) + "){display:none}";
      }).join("\n");
    };
    var save = function () {
      try {
        localStorage.setItem(key, JSON.stringify(boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; })));
      } catch (e) { /* private mode: the choice lasts for this page */ }
    };
    var saved = null;
    try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { saved = null; }
    if (Array.isArray(saved)) {
      boxes.forEach(function (b) { b.checked = saved.indexOf(b.value) >= 0; });
      apply();
    }
    boxes.forEach(function (b) { b.addEventListener("change", function () { apply(); save(); }); });
    picker.querySelectorAll("[data-columns]").forEach(function (button) {
      button.addEventListener("click", function () {
        var all = button.dataset.columns === "all";
        boxes.forEach(function (b) { b.checked = all || b.hasAttribute("data-default"); });
        apply();
        if (all) save(); else localStorage.removeItem(key);
      });
    });
  }
})();
