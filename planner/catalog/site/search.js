// Filters the product list as the search box changes: every word typed
// must occur in a product's name, description, owner, team, domain, tags,
// column names or column tags. ?q=words in the address fills the box on
// load, so that a search can be linked to.
(function () {
  "use strict";
  var box = document.getElementById("q");
  var count = document.getElementById("count");
  var none = document.getElementById("none");
  var noneQuery = document.getElementById("none-q");
  var items = Array.prototype.slice.call(document.querySelectorAll("li.product"));
  var domains = Array.prototype.slice.call(document.querySelectorAll("section.domain"));
  function filter(query) {
    var words = query.toLowerCase().split(/\s+/).filter(function (w) { return w !== ""; });
    var shown = 0;
    items.forEach(function (li) {
      var text = li.getAttribute("data-search") || "";
      var match = words.every(function (w) { return text.indexOf(w) >= 0; });
      li.hidden = !match;
      if (match) { shown++; }
    });
    domains.forEach(function (d) {
      d.hidden = d.querySelector("li.product:not([hidden])") === null;
    });
    count.textContent = shown + " of " + items.length + " products";
    none.hidden = shown > 0;
    noneQuery.textContent = query;
  }
  var params = new URLSearchParams(window.location.search);
  box.value = params.get("q") || "";
  filter(box.value);
  box.addEventListener("input", function () { filter(box.value); });
})();
