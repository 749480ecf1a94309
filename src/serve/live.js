// casebook serve: reloads the page when the site it shows is rebuilt, and shows the library's
// errors over it. `casebook serve` adds this script to every HTML page it sends; a built site
// never contains it. It runs before the site's own scripts, so they can tell they are served
// by casebook (window.CASEBOOK_SERVER, or data-casebook-server on <html>) and use its API.
(function () {
  "use strict";
  window.CASEBOOK_SERVER = {
    // The search page's server path (serverSearch in assets/search.js): a page state such as
    // `q=…&forces=…` answered by /api/search, as a Promise of its JSON.
    search: function (state) {
      return fetch("/api/search?" + state + (state ? "&" : "") + "limit=100").then(function (r) {
        return r.json().then(function (json) {
          if (!r.ok) {
            throw new Error(json.error || r.statusText);
          }
          return json;
        });
      });
    },
  };
  document.documentElement.setAttribute("data-casebook-server", "1");
  if (!window.EventSource) {
    return;
  }

  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = "/_casebook/live.css";
  document.head.appendChild(style);

  // This page's path in the site, as the server names the pages it re-rendered.
  function here() {
    var path = location.pathname;
    try {
      path = decodeURIComponent(path);
    } catch (e) {
      // keep it as it is
    }
    path = path.replace(/^\/+/, "");
    if (path === "" || path.charAt(path.length - 1) === "/") {
      path += "index.html";
    }
    return path;
  }

  var overlay = null;

  function hide() {
    if (overlay && overlay.parentNode) {
      overlay.parentNode.removeChild(overlay);
    }
    overlay = null;
  }

  function show(text) {
    hide();
    overlay = document.createElement("div");
    overlay.className = "casebook-overlay";
    overlay.setAttribute("role", "alert");
    var box = document.createElement("div");
    box.className = "casebook-overlay-box";
    var title = document.createElement("p");
    title.className = "casebook-overlay-title";
    // In the page's language (the diagnostics below are as `casebook check` prints them).
    var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
    title.textContent = zh
      ? "casebook：案例库有错误。以下页面是最后一次成功构建的版本；改正文件后页面会自动刷新。"
      : "casebook: the library has errors. This is the last version that built; fix the file and the page reloads.";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "casebook-overlay-close";
    close.setAttribute("aria-label", zh ? "关闭" : "Close");
    close.textContent = "\u00d7";
    close.addEventListener("click", hide);
    var pre = document.createElement("pre");
    pre.className = "casebook-overlay-text";
    pre.textContent = text;
    box.appendChild(close);
    box.appendChild(title);
    box.appendChild(pre);
    overlay.appendChild(box);
    (document.body || document.documentElement).appendChild(overlay);
  }

  // The server this page came from and the generation of the site it has seen: a page that
  // comes back to another one reloads. The stream is closed while the page is hidden (browsers
  // allow few connections per server, and each open page would hold one).
  var instance = null;
  var seen = null;
  var events = null;

  function connect() {
    events = new EventSource("/_casebook/events");
    events.addEventListener("hello", function (e) {
      if ((instance !== null && instance !== e.data) || (seen !== null && seen !== e.lastEventId)) {
        location.reload();
        return;
      }
      instance = e.data;
      seen = e.lastEventId;
    });
    events.addEventListener("reload", function (e) {
      seen = e.lastEventId;
      var paths = String(e.data).split("\n");
      if (paths.indexOf("*") >= 0 || paths.indexOf(here()) >= 0) {
        location.reload();
      }
    });
    events.addEventListener("error", function (e) {
      // The server's "error" events carry text; the browser's own (connection lost) do not.
      if (typeof e.data === "string") {
        seen = e.lastEventId;
        show(e.data);
      }
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden && events) {
      events.close();
      events = null;
    } else if (!document.hidden && !events) {
      connect();
    }
  });
  if (!document.hidden) {
    connect();
  }
})();
