// Live turnout on the dashboard: every 10 seconds, the voter counts are read again and replaced.
// Everything else in the console works without script.
(function () {
  var table = document.querySelector("[data-live]");
  if (!table || !window.fetch) return;
  function refresh() {
    fetch(table.getAttribute("data-live"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (counts) {
        if (!counts) return;
        Object.keys(counts).forEach(function (id) {
          var cell = table.querySelector('[data-voters="' + id + '"]');
          if (cell) cell.textContent = counts[id].toLocaleString(document.documentElement.lang);
        });
      })
      .catch(function () { /* a missed refresh is retried at the next tick */ });
  }
  setInterval(refresh, 10000);
})();
