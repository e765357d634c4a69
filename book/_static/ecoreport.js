/* ecoreport: on a narrow screen a table's rows become blocks, each cell preceded by its
   column's name (ecoreport.css), so no column is cut off (WCAG 1.4.10 reflow). Here each
   cell gets its column's name; tables with one header row only. */
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("article table").forEach(function (table) {
    var rows = table.tHead ? table.tHead.rows : [];
    if (rows.length !== 1) { return; }
    var names = Array.prototype.map.call(rows[0].cells, function (c) {
      return c.textContent.trim();
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        Array.prototype.forEach.call(row.cells, function (cell, i) {
          if (names[i]) { cell.setAttribute("data-label", names[i]); }
        });
      });
    });
    table.classList.add("ecoreport-reflow");
  });
});
