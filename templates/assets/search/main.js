  // search/main.js: the start: restore the state, load meta.js and the facets, wire the form;
  // it also closes the closure that format.js opened.

  // ---------------------------------------------------------------------------------------------
  // Start

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
    window.addEventListener("popstate", function () { restoreState(); search(); });
    return search();
  }).catch(function (e) {
    setStatus("⚠ " + e.message);
    list.setAttribute("aria-busy", "false");
  });
})();
