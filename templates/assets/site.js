// casebook: small enhancements on every page. No network access, no external resources.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }
  // A search result opens its case with `?highlight=WORDS`: the words its snippet marked. Each
  // is marked in the case's text: a Chinese word wherever it occurs, an English one as a word,
  // or as a word's start when it is a stem of 4 letters or more (as the search page marks it).
  function highlight() {
    var m = /[?&]highlight=([^&#]*)/.exec(location.search);
    var root = document.querySelector(".case-body");
    if (!m || !root) return;
    var words;
    try { words = decodeURIComponent(m[1].replace(/\+/g, " ")).split(/\s+/).filter(Boolean).slice(0, 20); } catch (e) { return; }
    if (!words.length) return;
    var escape = function (w) { return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); };
    var parts = words.map(function (w) {
      if (!/^[\x00-\x7f]*$/.test(w)) return escape(w);
      return "\\b" + escape(w) + (w.length >= 4 ? "[a-z]*" : "\\b");
    });
    var re = new RegExp(parts.join("|"), "gi");
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, null);
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach(function (node) {
      var text = node.nodeValue, at = 0, match, frag = null;
      re.lastIndex = 0;
      while ((match = re.exec(text)) && match[0]) {
        frag = frag || document.createDocumentFragment();
        frag.appendChild(document.createTextNode(text.slice(at, match.index)));
        var mark = document.createElement("mark");
        mark.className = "highlight";
        mark.textContent = match[0];
        frag.appendChild(mark);
        at = match.index + match[0].length;
      }
      if (!frag) return;
      frag.appendChild(document.createTextNode(text.slice(at)));
      node.parentNode.replaceChild(frag, node);
    });
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
    highlight();
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
