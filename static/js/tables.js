// Tables reflow on narrow screens (WCAG 1.4.10): each cell is given its column's name, which
// app.css shows before the cell's value when the rows are drawn as cards. No framework.
(function () {
  document.querySelectorAll("table.govuk-table").forEach(function (table) {
    // A header only screen readers see (an "Actions" column of links) labels nothing: its
    // links already say what they do.
    var headers = Array.prototype.map.call(
      table.querySelectorAll("thead th"), function (th) {
        var hidden = th.querySelector(".govuk-visually-hidden");
        return hidden && hidden.textContent.trim() === th.textContent.trim()
          ? "" : th.textContent.trim();
      });
    if (!headers.some(Boolean)) return;
    table.classList.add("app-reflow");
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, index) {
        if (headers[index] && !cell.hasAttribute("data-label") && !cell.hasAttribute("colspan")) {
          cell.setAttribute("data-label", headers[index]);
        }
      });
    });
  });
})();
