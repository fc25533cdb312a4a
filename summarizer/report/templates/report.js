(function () {
  "use strict";
  // -- index: sort and filter the article table ---------------------------------------------
  var table = document.getElementById("articles");
  if (table) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var text = document.getElementById("filter-text");
    var onlyErrors = document.getElementById("filter-errors");
    var model = document.getElementById("filter-model");
    var shown = document.getElementById("shown");
    var filter = function () {
      var needle = text.value.trim().toLowerCase(), wanted = model.value, count = 0;
      rows.forEach(function (row) {
        var visible = (!onlyErrors.checked || Number(row.dataset.errors) > 0 || row.dataset.status === "failed") &&
          (!wanted || row.dataset.model === wanted) &&
          (!needle || row.cells[0].textContent.toLowerCase().indexOf(needle) >= 0 || row.cells[1].textContent.toLowerCase().indexOf(needle) >= 0);
        row.hidden = !visible;
        if (visible) { count += 1; }
      });
      shown.textContent = count + " of " + rows.length + " shown";
    };
    [text, onlyErrors, model].forEach(function (el) { el.addEventListener("input", filter); el.addEventListener("change", filter); });
    document.getElementById("filters").addEventListener("submit", function (event) { event.preventDefault(); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
      th.tabIndex = 0;
      var sort = function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var numeric = th.dataset.sort === "num";
        rows.sort(function (a, b) {
          var x = a.cells[column].dataset.value, y = b.cells[column].dataset.value;
          var order = numeric ? Number(x) - Number(y) : x.localeCompare(y, undefined, { numeric: true, sensitivity: "base" });
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (event) { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); } });
    });
  }

  // -- article: bullets, references and findings point at paragraphs -------------------------
  var pairs = document.querySelectorAll(".pair[id]");
  if (!pairs.length) { return; }
  var clear = function (selector, name) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), function (el) { el.classList.remove(name); });
  };
  var show = function (numbers, fact) {
    clear(".pair.flash", "flash");
    clear("mark.focus", "focus");
    var first = null;
    numbers.forEach(function (n) {
      var row = document.getElementById("p" + n);
      if (row) { row.classList.add("flash"); first = first || row; }
    });
    if (fact) {
      Array.prototype.forEach.call(document.querySelectorAll('mark[data-fact="' + fact + '"]'), function (mark) { mark.classList.add("focus"); });
    }
    if (first) { first.scrollIntoView({ block: "center" }); }
  };
  var numbersOf = function (el) { return (el.dataset.paragraphs || "").split(" ").filter(Boolean); };
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a.ref, a.goto");
    var bullet = event.target.closest("li.bullet");
    if (link) {
      event.preventDefault();
      clear("li.bullet.active", "active");
      var named = link.dataset.bullet ? document.getElementById("b" + link.dataset.bullet) : null;
      if (named) {  // a finding about a summary bullet: show the bullet and what it cites
        named.classList.add("active");
        named.scrollIntoView({ block: "center" });
        clear(".pair.flash", "flash");
        return;
      }
      if (bullet) { bullet.classList.add("active"); }
      show(numbersOf(link), link.dataset.fact || null);
    } else if (bullet) {
      clear("li.bullet.active", "active");
      bullet.classList.add("active");
      show(numbersOf(bullet), null);
    }
  });
  document.addEventListener("keydown", function (event) {
    var bullet = event.target.closest && event.target.closest("li.bullet");
    if (bullet && (event.key === "Enter" || event.key === " ")) { event.preventDefault(); bullet.click(); }
  });
  // a fact's two sides light up together
  var marks = document.querySelectorAll("mark[data-fact]");
  Array.prototype.forEach.call(marks, function (mark) {
    var partners = function () { return document.querySelectorAll('mark[data-fact="' + mark.dataset.fact + '"]'); };
    mark.addEventListener("mouseenter", function () { Array.prototype.forEach.call(partners(), function (m) { m.classList.add("hover"); }); });
    mark.addEventListener("mouseleave", function () { Array.prototype.forEach.call(partners(), function (m) { m.classList.remove("hover"); }); });
  });
  if (location.hash && /^#p\d+$/.test(location.hash)) { show([location.hash.slice(2)], null); }
})();
