// The open board refreshes its rows every 15 seconds, so new threats arrive without a reload,
// and says so in a live region for screen readers. Written here; no framework, no build step.
(function () {
  "use strict";
  // An upload is analysed before the page answers: say so, and keep the button from a second
  // submission.
  var ingest = document.getElementById("ingest-form");
  if (ingest) {
    ingest.addEventListener("submit", function () {
      var button = ingest.querySelector("button[type=submit]");
      var progress = document.getElementById("ingest-progress");
      if (progress) { progress.textContent = "Uploading and analysing; this takes a few seconds..."; }
      if (button) { window.setTimeout(function () { button.disabled = true; }, 0); }
    });
  }
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
