// Cartella calendar: drag an appointment to a new start (mouse, pen or touch: pointer events).
// Posts the new start with the session's CSRF token to /appointments/{id}/move; on refusal the
// server's conflict list is shown in place. Without this script, each appointment's page has
// a reschedule form that does the same.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');
  var drag = null;

  function cellAt(x, y) {
    var els = document.elementsFromPoint(x, y);
    for (var i = 0; i < els.length; i++) {
      if (els[i].classList && els[i].classList.contains("cal-cell") && els[i].hasAttribute("data-start")) return els[i];
    }
    return null;
  }

  function mark(cell) {
    if (drag.target === cell) return;
    if (drag.target) drag.target.classList.remove("drop");
    drag.target = cell;
    if (cell) cell.classList.add("drop");
  }

  function finish() {
    if (!drag) return;
    if (drag.target) drag.target.classList.remove("drop");
    drag.el.classList.remove("dragging");
    drag = null;
  }

  function refresh() {
    var cal = document.getElementById("cal");
    if (cal && window.htmx) window.htmx.trigger(cal, "refresh");
    else window.location.reload();
  }

  function move(el, start) {
    var message = document.getElementById("cal-message");
    var body = new URLSearchParams();
    body.set("_csrf", csrf ? csrf.content : "");
    body.set("start", start);
    body.set("version", el.getAttribute("data-version") || "");
    message.textContent = "";
    fetch("/appointments/" + encodeURIComponent(el.getAttribute("data-id")) + "/move", {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "Content-Type": "application/x-www-form-urlencoded" }
    }).then(function (r) {
      if (r.ok) { refresh(); return; }
      return r.text().then(function (html) {
        // The fragment is rendered (and escaped) by the server.
        message.innerHTML = html;
        refresh();
      });
    }).catch(function () { window.location.reload(); });
  }

  document.addEventListener("pointerdown", function (e) {
    var el = e.target.closest && e.target.closest(".cal-appt[data-id]");
    if (!el || e.button !== 0) return;
    drag = { el: el, x: e.clientX, y: e.clientY, moved: false, target: null, id: e.pointerId };
  });

  document.addEventListener("pointermove", function (e) {
    if (!drag || e.pointerId !== drag.id) return;
    if (!drag.moved && Math.abs(e.clientX - drag.x) + Math.abs(e.clientY - drag.y) < 8) return;
    if (!drag.moved) {
      drag.moved = true;
      drag.el.classList.add("dragging");
    }
    e.preventDefault();
    mark(cellAt(e.clientX, e.clientY));
  });

  document.addEventListener("pointerup", function (e) {
    if (!drag || e.pointerId !== drag.id) return;
    var d = drag;
    if (d.moved) {
      var cell = cellAt(e.clientX, e.clientY) || d.target;
      // The click that follows a drag must not open the appointment.
      d.el.addEventListener("click", function stop(ev) { ev.preventDefault(); d.el.removeEventListener("click", stop, true); }, true);
      finish();
      if (cell) move(d.el, cell.getAttribute("data-start"));
      return;
    }
    finish();
  });

  document.addEventListener("pointercancel", finish);
  // Appointments are links: keep the browser's own link dragging out of the way.
  document.addEventListener("dragstart", function (e) {
    if (e.target.closest && e.target.closest(".cal-appt")) e.preventDefault();
  });
})();
