/* Search-box suggestions: an ARIA 1.2 combobox over /api/v1/suggest. Progressive
   enhancement only: without this script the search form works as a plain form. */
(function () {
  "use strict";

  var DELAY_MS = 150;

  function enhance(field) {
    var input = field.querySelector("input[type=search]");
    if (!input) { return; }
    var listId = input.id + "-suggestions";
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", field.getAttribute("data-suggest-label") || "Suggesties");
    list.hidden = true;
    field.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var timer = null;
    var active = -1;
    var latest = 0;
    var items = [];

    function close() {
      list.hidden = true;
      list.textContent = "";
      items = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      items.forEach(function (item, i) { item.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (index >= 0) { input.setAttribute("aria-activedescendant", items[index].id); }
      else { input.removeAttribute("aria-activedescendant"); }
    }

    function go(item) {
      window.location.href = item.getAttribute("data-href");
    }

    function show(suggestions) {
      list.textContent = "";
      items = suggestions.map(function (suggestion, i) {
        var option = document.createElement("li");
        option.id = listId + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = suggestion.text;  /* text, never HTML */
        option.setAttribute("data-href", field.getAttribute("data-resource").replace("__id__", encodeURIComponent(suggestion.id)));
        option.addEventListener("mousedown", function (event) { event.preventDefault(); go(option); });
        list.appendChild(option);
        return option;
      });
      active = -1;
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
    }

    function fetchSuggestions() {
      var text = input.value.trim();
      if (text.length < 2) { close(); return; }
      var request = ++latest;
      var url = field.getAttribute("data-suggest") + "?size=8&q=" + encodeURIComponent(input.value);
      fetch(url, { headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (body) { if (request === latest) { show(body.suggestions || []); } })
        .catch(function () { close(); });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchSuggestions, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && items.length) {
        event.preventDefault();
        highlight((active + 1) % items.length);
      } else if (event.key === "ArrowUp" && items.length) {
        event.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        go(items[active]);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 100); });
  }

  document.querySelectorAll(".search-field[data-suggest]").forEach(enhance);

  /* On a phone the filter panel starts folded, so the results come first; the
     chips above them still show (and remove) the active filters. */
  if (window.matchMedia("(max-width: 52rem)").matches) {
    document.querySelectorAll("details.filter-panel[open]").forEach(function (panel) { panel.open = false; });
  }
})();
