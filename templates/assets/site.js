// casebook: small enhancements on every page. No network access, no external resources.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }
  ready(function () {
    var body = document.body;
    var copyLabel = body.getAttribute("data-copy") || "Copy link";
    var copiedLabel = body.getAttribute("data-copied") || "Link copied";
    // A "copy link" button after each section heading of a case body.
    var headings = document.querySelectorAll(".case-body h2[id], .case-body h3[id]");
    Array.prototype.forEach.call(headings, function (h) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "copy-link";
      b.textContent = "#";
      b.setAttribute("aria-label", copyLabel + ": " + h.textContent);
      b.title = copyLabel;
      b.addEventListener("click", function () {
        var url = location.href.split("#")[0] + "#" + h.id;
        var done = function () { b.textContent = "✓"; b.title = copiedLabel; setTimeout(function () { b.textContent = "#"; }, 1500); };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(url).then(done, function () { location.hash = h.id; });
        } else {
          location.hash = h.id;
          done();
        }
      });
      h.appendChild(b);
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
    // The language switch leads to the same place of the page in the other language: the same
    // section (#anchor) and, on the search page, the same query and filters.
    Array.prototype.forEach.call(document.querySelectorAll("a[data-same-place]"), function (a) {
      a.addEventListener("click", function () {
        a.href = a.getAttribute("href").split(/[?#]/)[0] + location.search + location.hash;
      });
    });
  });
})();
