/* Progressive enhancement only: every page works without this file.
   - Artifact pages: poll the copy's progress.json into the page (aria-live announces state changes).
   - Dashboard: refresh the figures every 30 seconds, with a pause button. */
(function () {
  "use strict";

  function setText(root, field, value) {
    var node = root.querySelector('[data-field="' + field + '"]');
    if (node) { node.textContent = value; }
    return node;
  }

  function pollProgress(box) {
    var url = box.getAttribute("data-progress-url");
    var lastState = null;
    function update(data) {
      setText(box, "label", data.label);
      setText(box, "summary", data.summary);
      var bar = box.querySelector("progress");
      if (bar && data.percent !== null) { bar.value = data.percent; setText(box, "percent", data.percent + "%"); }
      var message = setText(box, "message", data.message || "");
      if (message) { message.hidden = !data.message; }
      if (lastState !== null && data.state !== lastState) {
        setText(box, "announce", data.done ? data.summary + ". Reload the page to see the files and downloads." : data.label);
      }
      lastState = data.state;
      if (data.done) {
        var refresh = box.querySelector('[data-field="refresh"] a');
        if (refresh) { refresh.textContent = "Reload to see the stored files and downloads"; }
        return;
      }
      window.setTimeout(tick, 2000);
    }
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          if (!response.ok || type.indexOf("json") === -1) { throw new Error("progress unavailable"); }
          return response.json();
        })
        .then(update)
        .catch(function () { setText(box, "announce", "Progress updates stopped; use the Refresh link."); });
    }
    if (box.getAttribute("data-done") !== "true") { window.setTimeout(tick, 2000); }
  }

  function autoRefresh(content) {
    var seconds = parseInt(content.getAttribute("data-refresh-seconds"), 10) || 30;
    var toggle = document.querySelector("[data-refresh-toggle]");
    var status = document.querySelector("[data-refresh-status]");
    var paused = false;
    var timer = null;
    function schedule() { timer = window.setTimeout(refresh, seconds * 1000); }
    function refresh() {
      if (paused) { return; }
      if (content.contains(document.activeElement)) { schedule(); return; }
      var open = Array.prototype.map.call(content.querySelectorAll("details[open] summary"), function (s) { return s.textContent; });
      fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("refresh failed"); }
          return response.text();
        })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById("dashboard-content");
          if (!fresh) { throw new Error("refresh failed"); }
          content.innerHTML = fresh.innerHTML;
          Array.prototype.forEach.call(content.querySelectorAll("details summary"), function (s) {
            if (open.indexOf(s.textContent) !== -1) { s.parentNode.open = true; }
          });
          status.textContent = "Figures updated at " + new Date().toLocaleTimeString() + ".";
          schedule();
        })
        .catch(function () {
          status.textContent = "Automatic refresh failed; use the reload link.";
          schedule();
        });
    }
    if (toggle) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        paused = !paused;
        toggle.textContent = paused ? "Resume auto-refresh" : "Pause auto-refresh";
        status.textContent = paused ? "Auto-refresh paused." : "Auto-refresh resumed.";
        window.clearTimeout(timer);
        if (!paused) { schedule(); }
      });
    }
    schedule();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-progress-url]"), pollProgress);
    var content = document.getElementById("dashboard-content");
    if (content) { autoRefresh(content); }
  });
})();
