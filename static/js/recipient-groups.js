// The report's send page: an "all" checkbox per recipient group switches the whole group on or
// off, and shows whether all, some or none of it is chosen. Without this script the toggles stay
// hidden and every recipient's own checkbox works as it is.
(function () {
  "use strict";

  function boxesOf(group) {
    return Array.from(group.querySelectorAll('input[type="checkbox"][name="recipients"]'));
  }

  function sync(group, toggle) {
    const boxes = boxesOf(group);
    const chosen = boxes.filter(function (box) { return box.checked; }).length;
    toggle.checked = boxes.length > 0 && chosen === boxes.length;
    toggle.indeterminate = chosen > 0 && chosen < boxes.length;
  }

  function setUp() {
    document.querySelectorAll("[data-recipient-group]").forEach(function (group) {
      const toggle = group.querySelector("[data-recipient-toggle]");
      if (!toggle) return;
      sync(group, toggle);
      toggle.addEventListener("change", function () {
        boxesOf(group).forEach(function (box) { box.checked = toggle.checked; });
        toggle.indeterminate = false;
      });
      group.addEventListener("change", function (event) {
        if (event.target !== toggle) sync(group, toggle);
      });
      const label = group.querySelector("[data-recipient-toggle-label]");
      if (label) label.hidden = false;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
