  // search/main.js: the start: restore the state, load meta.js and the facets, wire the form;
  // it also closes the closure that format.js opened.

  // ---------------------------------------------------------------------------------------------
  // Start

  // On a phone the facets fold away behind one button (the style sheet hides them there until
  // it opens them), so that the results come first; the button says how many are ticked.
  function filtersToggle() {
    var button = document.getElementById("filters-toggle");
    var facets = document.getElementById("facets");
    if (!button || !facets) return;
    var count = button.querySelector(".filters-count");
    var update = function () {
      var n = facets.querySelectorAll("input:checked").length;
      count.textContent = n ? "(" + n + ")" : "";
    };
    if (!button.hasAttribute("data-wired")) {
      button.setAttribute("data-wired", "");
      button.hidden = false;
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") !== "true";
        button.setAttribute("aria-expanded", String(open));
        facets.classList.toggle("open", open);
      });
      facets.addEventListener("change", update);
      var clear = document.getElementById("clear");
      if (clear) clear.addEventListener("click", function () { setTimeout(update, 0); });
    }
    update();
  }

  restoreState();
  setStatus(status.getAttribute("data-loading") || "…");
  load("meta.js").then(function () {
    if (!store.meta || store.meta.format !== FORMAT) throw new Error("search index format " + (store.meta && store.meta.format));
    shardKeys = new Set(store.meta.shards ? store.meta.shards.split(" ") : []);
    return load("f.js");
  }).then(function () {
    setupGroups();
    input.addEventListener("input", search);
    form.addEventListener("change", function (e) { if (e.target !== input) search(); });
    form.addEventListener("submit", function (e) { e.preventDefault(); search(); });
    var clear = document.getElementById("clear");
    if (clear) {
      clear.addEventListener("click", function (e) {
        e.preventDefault();
        groups.forEach(function (g) { g.boxes.forEach(function (box) { box.checked = false; }); });
        search();
      });
    }
    window.addEventListener("popstate", function () { restoreState(); search(); filtersToggle(); });
    filtersToggle();
    return search();
  }).catch(function (e) {
    setStatus("⚠ " + e.message);
    list.setAttribute("aria-busy", "false");
  });
})();
