// The dashboard trend chart: Chart.js (app/static/vendor/, from npm) draws the trend table's received and closed
// figures as bars; the table stays on the page as the accessible alternative. Selecting a bar opens the case list
// of that period (cases received in it, or closed in it). Without Chart.js the page keeps its table.
(function () {
  "use strict";
  var canvas = document.getElementById("trend-chart");
  var table = document.getElementById("trend-table");
  if (!canvas || !table || !window.Chart) {
    return;
  }
  var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-label]"));
  var hrefs = [[], []];
  var labels = rows.map(function (row) {
    hrefs[0].push(row.dataset.receivedHref);
    hrefs[1].push(row.dataset.closedHref);
    return row.dataset.label;
  });
  function figures(name) {
    return rows.map(function (row) { return Number(row.dataset[name]); });
  }
  var chart = new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: labels,
      datasets: [
        { label: canvas.dataset.received, data: figures("received"), backgroundColor: "#486581" },
        { label: canvas.dataset.closed, data: figures("closed"), backgroundColor: "#1b7f3b" },
      ],
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      onClick: function (event, elements) {
        if (elements.length) {
          window.location.assign(hrefs[elements[0].datasetIndex][elements[0].index]);
        }
      },
      onHover: function (event, elements) {
        canvas.classList.toggle("clickable", elements.length > 0);
      },
    },
  });
  canvas.dataset.bars = String(chart.data.datasets[0].data.length);
})();
