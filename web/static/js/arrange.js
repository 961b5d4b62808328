/* Drag and drop for an arrangement's parts: an enhancement of the buttons that stay (up, down,
   to another section), which remain the way to move parts by keyboard. Dropping a part on another
   part of the same section posts the same form the buttons post, with the offset to move by. */
(function () {
  "use strict";

  function partsOf(list) {
    return Array.prototype.filter.call(list.children, function (item) { return item.matches("li.part"); });
  }

  function enhance(list) {
    var dragged = null;
    partsOf(list).forEach(function (item) {
      var form = item.querySelector("form.part-tools");
      if (!form) { return; }
      item.setAttribute("draggable", "true");
      item.addEventListener("dragstart", function (event) {
        dragged = item;
        item.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", item.id);
      });
      item.addEventListener("dragend", function () {
        item.classList.remove("dragging");
        dragged = null;
      });
      item.addEventListener("dragover", function (event) {
        if (dragged && dragged !== item && dragged.parentNode === list) { event.preventDefault(); }
      });
      item.addEventListener("drop", function (event) {
        if (!dragged || dragged === item || dragged.parentNode !== list) { return; }
        event.preventDefault();
        var parts = partsOf(list);
        var offset = parts.indexOf(item) - parts.indexOf(dragged);
        var draggedForm = dragged.querySelector("form.part-tools");
        var field = document.createElement("input");
        field.type = "hidden";
        field.name = "offset";
        field.value = String(offset);
        draggedForm.appendChild(field);
        var action = document.createElement("input");
        action.type = "hidden";
        action.name = "action";
        action.value = "offset";
        draggedForm.appendChild(action);
        draggedForm.submit();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("ol.parts-list").forEach(enhance);
  });
})();
