  // search/shards.js: the loader (every file of _search/ is a script that calls one function of
  // CASEBOOK_SEARCH), the shards of the dictionary and the postings they point to.

  // ---------------------------------------------------------------------------------------------
  // Loading: each file calls one of these; a file is loaded once, by a <script> element.

  var store = { meta: null, facets: null, shards: {}, postings: {}, docs: {}, cards: {} };
  window.CASEBOOK_SEARCH = {
    m: function (meta) { store.meta = meta; },
    f: function (sets) { store.facets = sets; },
    t: function (key, tokens, surfaces) { store.shards[key] = { raw: tokens, surfaces: surfaces }; },
    p: function (n, postings) { store.postings[n] = postings; },
    d: function (n, cases) { store.docs[n] = cases; },
    c: function (n, card) { store.cards[n] = card; },
    shardOf: function (word) { return shardOf(word); }, // for the browser tests
  };

  var base = form.getAttribute("data-index") || "_search/";
  var pending = {};
  function load(path) {
    if (!pending[path]) {
      pending[path] = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = base + path;
        s.onload = function () { s.remove(); resolve(); };
        s.onerror = function () {
          s.remove();
          delete pending[path];
          reject(new Error("cannot load " + base + path));
        };
        document.head.appendChild(s);
      });
    }
    return pending[path];
  }


  // ---------------------------------------------------------------------------------------------
  // Shards (browser_index::shard::shard_of; its one number comes in meta.rules.shard_prefix)

  /**
   * The rules Rust shares with this page, as data in meta.js (never a second copy here):
   * `han`, the inclusive code-point ranges of a Chinese character; `shard_prefix`, how many
   * leading ASCII letters or digits name a shard. Everything that uses them runs after meta.js
   * has loaded.
   */
  function rules() { return store.meta.rules; }

  function isAsciiAlnum(c) { return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122); }
  /** Up to `shard_prefix` leading ASCII letters or digits, lower-cased ("_" after fewer); else "u" and the first code point in hex. */
  function shardOf(word) {
    var c1 = word.codePointAt(0);
    if (c1 === undefined) return "_";
    if (!isAsciiAlnum(c1)) return "u" + c1.toString(16);
    var n = rules().shard_prefix, key = "";
    for (var i = 0; i < n && i < word.length && isAsciiAlnum(word.charCodeAt(i)); i++) key += word.charAt(i).toLowerCase();
    return key.length < n ? key + "_" : key;
  }

  var shardKeys = null;
  function shardExists(key) { return shardKeys.has(key); }

  /** The loaded shard `key`, as maps (built on first use); null if the shard does not exist. */
  function shard(key) {
    var s = store.shards[key];
    if (!s) return null;
    if (!s.tokens) {
      s.tokens = new Map();
      s.longest = 1;
      for (var i = 0; i < s.raw.length; i += 3) {
        s.tokens.set(s.raw[i], { token: s.raw[i], df: s.raw[i + 1], ref: s.raw[i + 2] });
        s.longest = Math.max(s.longest, Array.from(s.raw[i]).length);
      }
      s.words = new Map();
      for (i = 0; i < s.surfaces.length; i += 2) s.words.set(s.surfaces[i], s.surfaces[i + 1]);
    }
    return s;
  }

  function loadShards(keys) {
    return Promise.all(keys.filter(shardExists).map(function (k) { return load("t/" + k + ".js"); }));
  }

  function tokenEntry(token) {
    var s = shard(shardOf(token));
    return s ? s.tokens.get(token) || null : null;
  }

  var decoded = new Map();
  function postingsOf(entry) {
    var p = decoded.get(entry.token);
    if (!p) {
      p = readPostings(typeof entry.ref === "string" ? entry.ref : store.postings[entry.ref]);
      decoded.set(entry.token, p);
    }
    return p;
  }
  function loadPostings(entries) {
    return Promise.all(entries.filter(function (e) { return typeof e.ref === "number"; })
      .map(function (e) { return load("p/" + e.ref + ".js"); }));
  }

