// Draws the workforce page's two charts from the figures embedded in the page; the same
// figures are in the tables beside them, so the page reads without JavaScript and in print.
(function () {
  "use strict";
  var source = document.getElementById("workforce-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false; // printed pages must show the final chart

  var licensed = document.getElementById("licensed-chart");
  if (licensed) {
    new Chart(licensed, {
      type: "bar",
      data: {
        labels: data.years,
        datasets: [
          { type: "bar", label: data.labels.licensed, data: data.licensed, backgroundColor: "#0d6efd" },
          { type: "line", label: data.labels.plan, data: data.plan, borderColor: "#fd7e14",
            backgroundColor: "#fd7e14", borderDash: [6, 4], spanGaps: false },
        ],
      },
      options: { maintainAspectRatio: false, scales: { y: { beginAtZero: true } } },
    });
    licensed.dataset.ready = "true";
  }

  var density = document.getElementById("density-chart");
  if (density) {
    new Chart(density, {
      type: "bar",
      data: {
        labels: data.counties,
        datasets: [{ label: data.labels.density, data: data.density, backgroundColor: "#198754" }],
      },
      options: { maintainAspectRatio: false, scales: { y: { beginAtZero: true } },
                 plugins: { legend: { display: false } } },
    });
    density.dataset.ready = "true";
  }
})();
