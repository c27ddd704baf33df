// Click a header to sort its table (numbers as numbers); click again to reverse.
document.querySelectorAll("table.sortable th").forEach(function (th, index) {
  th.addEventListener("click", function () {
    var column = Array.prototype.indexOf.call(th.parentNode.children, th);
    var body = th.closest("table").tBodies[0];
    var ascending = th.dataset.order !== "asc";
    th.dataset.order = ascending ? "asc" : "desc";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[column].textContent.trim(), y = b.cells[column].textContent.trim();
      var nx = parseFloat(x), ny = parseFloat(y);
      var result = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, "zh");
      return ascending ? result : -result;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  });
});
