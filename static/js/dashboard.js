// Draws the dashboard's two charts from the coverage API. The numbers are also in
// the page's tables, so the page stays readable without JavaScript and in print.
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
})();
