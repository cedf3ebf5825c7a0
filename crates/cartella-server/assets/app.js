// Cartella: small progressive enhancement. Everything works without it; no inline script anywhere
// (the Content-Security-Policy forbids it).
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');
  // htmx requests carry the session's CSRF token like forms do.
  document.addEventListener("htmx:configRequest", function (e) {
    if (csrf) e.detail.headers["X-CSRF-Token"] = csrf.content;
  });
  // Live updates: the server pushes changes; pages say which records they show with data-watch.
  var events = document.body.getAttribute("data-events");
  if (!events || !window.EventSource) return;
  var source = new EventSource(events);
  source.addEventListener("change", function (e) {
    var change;
    try { change = JSON.parse(e.data); } catch (_) { return; }
    var key = change.type + "/" + change.id;
    var watched = document.querySelectorAll('[data-watch="' + key + '"]');
    watched.forEach(function (el) {
      if (String(change.version) === el.getAttribute("data-version")) return;
      var banner = document.getElementById("live-banner");
      if (!banner) return;
      banner.textContent = (el.getAttribute("data-changed-text") || "Changed") + " " + change.by + " · " + change.at;
      var link = document.createElement("a");
      link.href = window.location.pathname + window.location.search;
      link.textContent = " " + (el.getAttribute("data-reload-text") || "Reload");
      banner.appendChild(link);
      banner.hidden = false;
      banner.setAttribute("data-change", key + "@" + change.version);
    });
    // Lists refresh themselves (htmx) when a record of their type changes.
    document.querySelectorAll('[data-refresh-on="' + change.type + '"]').forEach(function (el) {
      if (window.htmx) window.htmx.trigger(el, "refresh");
    });
  });
})();
