// Guided examinations: shows and hides conditional items (enableWhen) as the form is filled.
// The server evaluates the same rules on save and drops answers of hidden items, so this
// script only spares the clinician questions that do not apply.
(function () {
  "use strict";
  var form = document.querySelector("form.exam-form");
  if (!form) return;

  function shown(el) {
    return !el.closest("[hidden]");
  }

  // The current answers of the question with this linkId (only while it is shown).
  function answers(link) {
    var out = [];
    form.querySelectorAll('[name="a.' + CSS.escape(link) + '"]').forEach(function (input) {
      if (!shown(input)) return;
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) return;
      var v = input.value.trim();
      if (v !== "") out.push(v);
    });
    return out;
  }

  function same(a, b) {
    if (typeof b === "number") return Number(a.replace(",", ".")) === b;
    return String(a) === String(b);
  }

  function order(a, b) {
    var x = Number(String(a).replace(",", "."));
    return isNaN(x) ? String(a).localeCompare(String(b)) : x - Number(b);
  }

  function holds(c) {
    var got = answers(c.q);
    switch (c.op) {
      case "exists": return (c.v !== false) === (got.length > 0);
      case "=": return got.some(function (a) { return same(a, c.v); });
      case "!=": return got.length > 0 && got.every(function (a) { return !same(a, c.v); });
      case ">": return got.some(function (a) { return order(a, c.v) > 0; });
      case "<": return got.some(function (a) { return order(a, c.v) < 0; });
      case ">=": return got.some(function (a) { return order(a, c.v) >= 0; });
      case "<=": return got.some(function (a) { return order(a, c.v) <= 0; });
    }
    return false;
  }

  function update() {
    var items = form.querySelectorAll("[data-when]");
    // Repeat until stable: hiding one item can hide those that depend on it.
    for (var pass = 0; pass < 5; pass++) {
      var changed = false;
      items.forEach(function (el) {
        var conds = JSON.parse(el.getAttribute("data-when"));
        var on = el.getAttribute("data-behavior") === "any" ? conds.some(holds) : conds.every(holds);
        if (el.hidden === on) {
          el.hidden = !on;
          changed = true;
        }
      });
      if (!changed) break;
    }
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
