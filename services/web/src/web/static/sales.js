// An event's sales as a chart (Chart.js, from npm): per ticket type, the tickets sold, held, left
// and checked in. The table above it says the same in words, for screen readers and for print.
(function () {
  const canvas = document.getElementById('sales-chart');
  const figures = document.getElementById('sales-data');
  if (!canvas || !figures || !window.Chart) return;
  const shown = JSON.parse(figures.textContent);
  const colours = ['#00703c', '#505a5f', '#7a6a00', '#8a1c1c']; // 3:1 at least on white, named by the legend
  new Chart(canvas, {
    type: 'bar',
    data: {
      labels: shown.labels,
      datasets: shown.datasets.map((set, i) => Object.assign({backgroundColor: colours[i]}, set)),
    },
    options: {
      indexAxis: 'y',
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: {x: {beginAtZero: true, ticks: {precision: 0}}},
    },
  });
})();
