// The operator desk's category picker: type a keyword or pinyin initials, pick from the leaves that match
// (fetched from the page's data-source, the session twin of GET /api/v1/categories?leaves=1). Without this
// script the search button posts the form and the select comes back narrowed to the matches.
(function () {
  "use strict";
  var input = document.getElementById("category_q");
  var list = document.getElementById("category-suggestions");
  var select = document.getElementById("category");
  if (!input || !list || !select || !window.fetch) {
    return;
  }
  var timer = null;

  function choose(item) {
    var option = Array.prototype.find.call(select.options, function (o) { return o.value === item.code; });
    if (!option) {
      option = new Option(item.path + " (" + item.initials + ")", item.code);
      select.add(option);
    }
    select.value = item.code;
    list.hidden = true;
    input.value = item.name;
  }

  function show(items) {
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = item.path + " (" + item.initials + ")";
      button.addEventListener("click", function () { choose(item); });
      li.appendChild(button);
      list.appendChild(li);
    });
    list.hidden = items.length === 0;
  }

  function search() {
    var q = input.value.trim();
    if (!q) {
      show([]);
      return;
    }
    fetch(input.dataset.source + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { items: [] }; })
      .then(function (body) { show(body.items); })
      .catch(function () { show([]); });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {  // Enter picks the first match instead of posting the form
      var first = list.querySelector("button");
      if (first) {
        event.preventDefault();
        first.click();
      }
    }
  });
})();
