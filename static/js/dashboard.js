// Draws the dashboard's charts from the coverage and supervision APIs, and the city's
// map of counties from the shipped boundaries (api/v1/boundaries/) coloured by the
// coverage rates embedded in the page. The numbers are also in the page's tables, so
// the page stays readable without JavaScript and in print.
(function () {
  "use strict";
  var holder = document.getElementById("dashboard");
  if (!holder || typeof Chart === "undefined") return;
  var labels = JSON.parse(document.getElementById("chart-labels").textContent || "{}");
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false; // printed pages must show the final chart

  function percent(value) { return Math.round(value * 1000) / 10; }
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      });
  }
  var percentAxis = { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } };

  getJSON(holder.dataset.coverageUrl).then(function (data) {
    var canvas = document.getElementById("children-chart");
    canvas.dataset.ready = "true";
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.children.map(function (c) { return c.name; }),
        datasets: [{ label: labels.rate, data: data.children.map(function (c) { return percent(c.rate); }),
                     backgroundColor: "#0d6efd" }],
      },
      options: { maintainAspectRatio: false, scales: { y: percentAxis },
                 plugins: { legend: { display: false } } },
    });
  });

  getJSON(holder.dataset.timelineUrl).then(function (data) {
    var canvas = document.getElementById("timeline-chart");
    canvas.dataset.ready = "true";
    new Chart(canvas, {
      type: "line",
      data: {
        labels: data.points.map(function (p) { return p.date.slice(0, 7); }),
        datasets: [{ label: labels.rate, data: data.points.map(function (p) { return percent(p.rate); }),
                     borderColor: "#198754", backgroundColor: "#198754", tension: 0.2 }],
      },
      options: { maintainAspectRatio: false, scales: { y: percentAxis },
                 plugins: { legend: { display: false } } },
    });
  });

  if (holder.dataset.supervisionUrl) {
    getJSON(holder.dataset.supervisionUrl).then(function (data) {
      var canvas = document.getElementById("supervision-chart");
      var series = function (key, field, colour) {
        return { label: labels[key], borderColor: colour, backgroundColor: colour, tension: 0.2,
                 data: data.months.map(function (m) { return m[field] === null ? null : percent(m[field]); }) };
      };
      new Chart(canvas, {
        type: "line",
        data: {
          labels: data.months.map(function (m) { return m.month; }),
          datasets: [series("submitted", "rate", "#0d6efd"), series("on_time", "on_time_rate", "#fd7e14"),
                     series("supervised", "supervised_rate", "#198754")],
        },
        options: { maintainAspectRatio: false, scales: { y: percentAxis } },
      });
      canvas.dataset.ready = "true";
    });
  }

  if (holder.dataset.mapUrl) drawMap();

  // Longitude and latitude to the SVG's plane: x east, y south, a degree of longitude
  // shortened by the cosine of the city's middle latitude.
  function drawMap() {
    var svg = document.getElementById("county-map");
    var counties = JSON.parse(document.getElementById("map-counties").textContent);
    var bands = JSON.parse(document.getElementById("map-bands").textContent);
    var ns = "http://www.w3.org/2000/svg";
    function colour(rate) {
      var chosen = bands[bands.length - 1].colour; // no counted township
      if (rate === null || rate === undefined) return chosen;
      bands.forEach(function (band) { if (band.floor !== null && rate >= band.floor) chosen = band.colour; });
      return chosen;
    }
    getJSON(holder.dataset.mapUrl).then(function (collection) {
      var rings = [];
      collection.features.forEach(function (feature) {
        feature.geometry.coordinates.forEach(function (polygon) {
          polygon.forEach(function (ring) { rings.push(ring); });
        });
      });
      if (!rings.length) { svg.dataset.ready = "empty"; return; }
      var lons = [], lats = [];
      rings.forEach(function (ring) { ring.forEach(function (p) { lons.push(p[0]); lats.push(p[1]); }); });
      var west = Math.min.apply(null, lons), east = Math.max.apply(null, lons);
      var south = Math.min.apply(null, lats), north = Math.max.apply(null, lats);
      var shrink = Math.cos(((north + south) / 2) * Math.PI / 180);
      var scale = 1000 / Math.max((east - west) * shrink, north - south);
      function point(p) {
        return ((p[0] - west) * shrink * scale).toFixed(1) + " " + ((north - p[1]) * scale).toFixed(1);
      }
      svg.setAttribute("viewBox", "-5 -5 " + ((east - west) * shrink * scale + 10).toFixed(0) + " " +
                       ((north - south) * scale + 10).toFixed(0));
      collection.features.forEach(function (feature) {
        var county = counties[feature.id];
        if (!county) return;
        var d = feature.geometry.coordinates.map(function (polygon) {
          return polygon.map(function (ring) { return "M" + ring.map(point).join("L") + "Z"; }).join("");
        }).join("");
        var link = document.createElementNS(ns, "a");
        link.setAttribute("href", county.url);
        var path = document.createElementNS(ns, "path");
        path.setAttribute("d", d);
        path.setAttribute("fill", colour(county.rate));
        path.setAttribute("stroke", "#fff");
        path.setAttribute("stroke-width", "2");
        path.setAttribute("fill-rule", "evenodd");
        path.dataset.county = feature.id;
        var title = document.createElementNS(ns, "title");
        title.textContent = county.name + " " + (county.rate === null ? "—" : percent(county.rate) + "%");
        path.appendChild(title);
        link.appendChild(path);
        svg.appendChild(link);
      });
      svg.dataset.ready = "true";
    });
  }
})();
