// The open board refreshes its rows every 15 seconds, so new threats arrive without a reload,
// and says so in a live region for screen readers. Written here; no framework, no build step.
(function () {
  "use strict";
  var rows = document.getElementById("board-rows");
  var status = document.getElementById("live-status");
  if (!rows || !rows.dataset.src) { return; }
  function refresh() {
    fetch(rows.dataset.src, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
      .then(function (html) {
        if (html.trim() !== rows.innerHTML.trim()) {
          rows.innerHTML = html;
          if (status) { status.textContent = "Board updated " + new Date().toLocaleTimeString(); }
        }
      })
      .catch(function () { if (status) { status.textContent = "Live updates paused (offline?)"; } });
  }
  window.setInterval(refresh, 15000);
})();
