/* The publishing form's enhancements. Without this script the form works as it is: every choice
   is a checkbox or radio button and the completeness is shown after each save.
   - Filter fields over long choice lists (levels, subjects, kerndoelen).
   - Kerndoelen follow the chosen sectors at once (without JavaScript: "Kerndoelen bijwerken").
   - The completeness meter follows what is filled in, by asking the server's own check. */
(function () {
  "use strict";

  var DELAY_MS = 400;

  function filterList(input) {
    var target = document.querySelector(input.getAttribute("data-filters"));
    if (!target) { return; }
    input.hidden = false;
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      target.querySelectorAll("li[data-search]").forEach(function (item) {
        var text = item.getAttribute("data-search");
        var checked = item.querySelector("input:checked");
        item.hidden = !checked && !words.every(function (word) { return text.indexOf(word) >= 0; });
      });
      target.querySelectorAll("details.picker-group").forEach(function (group) {
        if (words.length) { group.open = group.querySelector("li[data-search]:not([hidden])") !== null; }
      });
    });
  }

  // Sectors as NL-LOM contexts, and the kerndoel sectors each covers (VSO is SO in NL-LOM).
  var KERNDOEL_SECTORS = { PO: ["PO"], VO: ["VO"], SO: ["SO", "VSO"] };

  function followSectors(form) {
    var groups = form.querySelectorAll("details.picker-group");
    function update() {
      var chosen = Array.prototype.map.call(
        form.querySelectorAll("input[name=contexts]:checked"), function (box) { return box.value; });
      var shown = [];
      chosen.forEach(function (context) { shown = shown.concat(KERNDOEL_SECTORS[context] || []); });
      groups.forEach(function (group) {
        var sector = group.querySelector("summary").textContent.trim().split(/\s/)[0];
        group.hidden = shown.length > 0 && shown.indexOf(sector) < 0;
      });
    }
    form.querySelectorAll("input[name=contexts]").forEach(function (box) {
      box.addEventListener("change", update);
    });
  }

  function liveMeter(form) {
    var meter = document.getElementById("meter");
    var text = document.getElementById("meter-text");
    var fill = meter && meter.querySelector(".meter-fill");
    if (!meter || !text) { return; }
    var timer = null;
    var latest = 0;
    function check() {
      var data = new FormData(form);
      data.delete("files");
      var ticket = ++latest;
      fetch(meter.getAttribute("data-check-url"), { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (!answer || ticket !== latest) { return; }
          text.textContent = answer.summary;
          if (fill) { fill.className = "meter-fill meter-" + Math.round(answer.score * 10); }
        })
        .catch(function () { /* the meter stays as it was; saving still checks everything */ });
    }
    form.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, DELAY_MS);
    });
    form.addEventListener("change", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, DELAY_MS);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.publish-form");
    if (!form) { return; }
    form.querySelectorAll("input.picker-search").forEach(filterList);
    followSectors(form);
    liveMeter(form);
  });
})();
