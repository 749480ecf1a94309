// casebook search page: a client of the static index in _search/ (written by src/static_index.rs,
// whose module doc describes the files and their encodings). No network beyond the site's own
// files, loaded with <script src> so that the page works from file:// as well as over HTTP, under
// any sub-path: every URL is relative to the page (the form's data-index). No eval, no inline
// handlers, no style attributes (the page's Content-Security-Policy allows none of them).
//
// What it does: reads the state from the URL (q, and one parameter per facet named like its
// checkboxes: forces=…&level=…&place=…), searches as you type, keeps the state in the URL
// (history.replaceState), ranks by the BM25 weights the build computed (the same as
// `casebook search`), folds section hits into their case, marks the query's words in the
// snippets, counts facets over the results, and browses all cases when the query is empty.
//
// Written in parts that share one closure, concatenated in this order into the one
// assets/search.js the site ships: search/format.js (which opens the closure), shards.js,
// query.js, evaluate.js, view.js and main.js (which closes it). Classic scripts, not ES
// modules: module imports fail on file://. Edit the parts, never the concatenation.
//
// search/format.js: the page's elements, the constants, and the decoder of the packed index
// format (varints of 5 bits per letter, bitmaps of 6, postings).
(function () {
  "use strict";

  var form = document.getElementById("search");
  var input = document.getElementById("q");
  var list = document.getElementById("results");
  var status = document.getElementById("status");
  if (!form || !input || !list || !status) return;

  var FORMAT = 1;
  var PAGE = 10; // hits shown at first, and added by "more"
  var PREFIX_DELAY = 120; // ms: an unfinished last word waits this long for the next keystroke
  var PREFIX_TOKENS = 4; // an unfinished word stands for at most this many tokens (most cases first)
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var VALUE = new Int8Array(128).fill(-1);
  for (var a = 0; a < 64; a++) VALUE[ALPHABET.charCodeAt(a)] = a;

  // ---------------------------------------------------------------------------------------------
  // Decoding (varints of 5 bits per letter, bitmaps of 6; see static_index.rs)

  function Reader(text) { this.s = text; this.i = 0; }
  Reader.prototype.v = function () {
    var r = 0, shift = 0, c;
    do {
      c = VALUE[this.s.charCodeAt(this.i++)];
      r += (c & 31) * Math.pow(2, shift);
      shift += 5;
    } while (c & 32);
    return r;
  };

  function words(n) { return new Uint32Array((n + 31) >>> 5); }
  function setBit(bits, c) { bits[c >>> 5] |= 1 << (c & 31); }
  function hasBit(bits, c) { return (bits[c >>> 5] >>> (c & 31)) & 1; }
  function popcount(x) {
    x -= (x >>> 1) & 0x55555555;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  function count(bits) { var n = 0; for (var i = 0; i < bits.length; i++) n += popcount(bits[i]); return n; }
  function and(a, b) { var out = new Uint32Array(a.length); for (var i = 0; i < a.length; i++) out[i] = a[i] & b[i]; return out; }
  function andCount(a, b) { var n = 0; for (var i = 0; i < a.length; i++) n += popcount(a[i] & b[i]); return n; }
  function all(n) {
    var bits = words(n);
    bits.fill(0xffffffff);
    if (n & 31) bits[bits.length - 1] = (1 << (n & 31)) - 1;
    return bits;
  }

  function readSet(r, n) {
    var bits = words(n);
    if (r.v() === 0) {
      var k = r.v(), next = 0;
      for (var j = 0; j < k; j++) { var c = next + r.v(); setBit(bits, c); next = c + 1; }
    } else {
      var letters = Math.ceil(n / 6);
      for (var i = 0; i < letters; i++) {
        var b = VALUE[r.s.charCodeAt(r.i + i)];
        for (var bit = 0; b; bit++, b >>= 1) if (b & 1) setBit(bits, i * 6 + bit);
      }
      r.i += letters;
    }
    return bits;
  }

  /** A token's postings: its cases, and the documents listed with their weights. */
  function readPostings(text) {
    var n = store.meta.cases, scale = store.meta.scale;
    var r = new Reader(text);
    var truncated = r.v() & 1;
    var cases = r.v();
    var floor = 0, set = null;
    if (truncated) { floor = r.v() / scale; set = readSet(r, n); }
    var k = r.v();
    var docCase = new Uint32Array(k), docSec = new Uint16Array(k), docW = new Float64Array(k);
    var c = 0;
    for (var i = 0; i < k; i++) { c += r.v(); docCase[i] = c; docSec[i] = r.v(); docW[i] = r.v() / scale; }
    if (!set) { set = words(n); for (i = 0; i < k; i++) setBit(set, docCase[i]); }
    return { cases: set, count: cases, truncated: !!truncated, floor: floor, docCase: docCase, docSec: docSec, docW: docW };
  }

  // search/shards.js: the loader (every file of _search/ is a script that calls one function of
  // CASEBOOK_SEARCH), the shards of the dictionary and the postings they point to.

  // ---------------------------------------------------------------------------------------------
  // Loading: each file calls one of these; a file is loaded once, by a <script> element.

  var store = { meta: null, facets: null, shards: {}, postings: {}, docs: {} };
  window.CASEBOOK_SEARCH = {
    m: function (meta) { store.meta = meta; },
    f: function (sets) { store.facets = sets; },
    t: function (key, tokens, surfaces) { store.shards[key] = { raw: tokens, surfaces: surfaces }; },
    p: function (n, postings) { store.postings[n] = postings; },
    d: function (n, cases) { store.docs[n] = cases; },
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
  // Shards (static_index::shard_of; its one number comes in meta.rules.shard_prefix)

  /**
   * The rules Rust shares with this page (meta.rules: `han`, inclusive code-point ranges of a
   * Chinese character; `shard_prefix`, how many leading ASCII letters or digits name a shard).
   * FALLBACK until the merge: an index whose meta.js has no `rules` yet, and `shardOf` called
   * before meta.js has loaded (the browser tests call it from outside), get today's values.
   */
  var FALLBACK_RULES = { han: [[0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xf900, 0xfaff], [0x20000, 0x2fa1f]], shard_prefix: 2 };
  function rules() { return (store.meta && store.meta.rules) || FALLBACK_RULES; }

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

  // search/query.js: the query text parsed into units and filters, Han runs segmented against
  // the dictionary, and each unit resolved to the tokens it stands for.

  // ---------------------------------------------------------------------------------------------
  // Queries

  /** A Chinese character: within one of the ranges of meta.rules.han (search.rs's is_han). */
  function isHan(c) {
    var han = rules().han;
    for (var i = 0; i < han.length; i++) if (c >= han[i][0] && c <= han[i][1]) return true;
    return false;
  }
  var LETTERS = /[\p{L}\p{N}]+/gu;

  /**
   * The query as units ANDed together; each unit lists alternatives (ORed): {han: text} or
   * {word: lower-cased text}. Also inline filters (`force:ID`, `level:street`, `place:Henan`).
   */
  function parse(text, groups) {
    var units = [], filters = [];
    var items = text.match(/"[^"]*"?|\S+/g) || [];
    var or = false;
    items.forEach(function (item) {
      if (item === "OR") { or = units.length > 0; return; }
      if (item === "AND") return;
      var neg = false;
      if (item.charAt(0) === "-" && item.length > 1) { neg = true; item = item.slice(1); }
      else if (item.charAt(0) === "+") item = item.slice(1);
      var quoted = item.charAt(0) === '"';
      item = item.replace(/"/g, "");
      var colon = item.indexOf(":");
      if (!quoted && colon > 0) {
        var name = item.slice(0, colon).toLowerCase(), value = item.slice(colon + 1);
        var g = groupNamed(groups, name);
        if (g && value) { filters.push({ group: g, value: value }); return; }
        if (/^[a-z_]+$/.test(name)) item = value; // title:红墙 searches every field here
      }
      var parts = [];
      (item.match(LETTERS) || []).forEach(function (run) {
        var chars = Array.from(run), cur = "", han = null;
        chars.forEach(function (ch) {
          var h = isHan(ch.codePointAt(0));
          if (han !== null && h !== han) { parts.push(han ? { han: cur } : { word: cur.toLowerCase() }); cur = ""; }
          han = h;
          cur += ch;
        });
        if (cur) parts.push(han ? { han: cur } : { word: cur.toLowerCase() });
      });
      if (!parts.length) return;
      if (or && parts.length === 1 && !neg) {
        units[units.length - 1].alts.push(parts[0]);
      } else {
        parts.forEach(function (p) { units.push({ alts: [p], neg: neg }); });
      }
      or = false;
    });
    var open = text.length > 0 && !/[\s"]$/.test(text);
    return { units: units, filters: filters, open: open };
  }

  function groupNamed(groups, name) {
    for (var i = 0; i < groups.length; i++) {
      var g = groups[i];
      if (g.name === name || singular(g.name) === name || singular(name) === g.name) return g;
    }
    return null;
  }
  /**
   * A vocabulary's singular name, as Rust computes it (meta.vocabularies[i].singular). Names meta
   * does not list (level, place, a typed word) and, until the merge, an index whose meta has no
   * `singular` yet: the rule of model::vocabulary::singular (one trailing "s" dropped).
   */
  function singular(name) {
    var vocabularies = (store.meta && store.meta.vocabularies) || [];
    for (var i = 0; i < vocabularies.length; i++) {
      if (vocabularies[i].name === name && vocabularies[i].singular) return vocabularies[i].singular;
    }
    return name.replace(/(.)s$/, "$1");
  }

  /**
   * Forward maximum matching of a run of Han characters against the loaded shards. When the run
   * is being typed (`open`), a rest that no token fits but that begins a longer token (乌鲁木齐 of
   * 乌鲁木齐市) stays whole, to be completed.
   */
  function segment(run, open) {
    var chars = Array.from(run), out = [];
    for (var i = 0; i < chars.length;) {
      var s = shard(shardOf(chars[i])), taken = 1;
      if (s) {
        for (var len = Math.min(s.longest, chars.length - i); len > 1; len--) {
          if (s.tokens.has(chars.slice(i, i + len).join(""))) { taken = len; break; }
        }
        var rest = chars.slice(i).join("");
        if (taken === 1 && open && rest.length > 1 && !s.tokens.has(chars[i])) {
          var begins = false;
          s.tokens.forEach(function (e, t) { if (!begins && t.startsWith(rest)) begins = true; });
          if (begins) taken = chars.length - i;
        }
      }
      out.push(chars.slice(i, i + taken).join(""));
      i += taken;
    }
    return out;
  }

  /** Tokens of a shard starting with `prefix` (tokens, and words that became tokens). */
  function completions(prefix) {
    var s = shard(shardOf(prefix));
    if (!s) return [];
    var found = new Map();
    s.tokens.forEach(function (e, t) { if (t.length > prefix.length && t.startsWith(prefix)) found.set(t, e); });
    s.words.forEach(function (t, w) {
      if (w.startsWith(prefix)) { var e = tokenEntry(t); if (e) found.set(t, e); }
    });
    return Array.from(found.values()).sort(function (x, y) { return y.df - x.df || (x.token < y.token ? -1 : 1); }).slice(0, PREFIX_TOKENS);
  }

  /**
   * Resolves the parsed query to tokens: loads the shards it needs, cuts Chinese runs, looks
   * English words up. Returns {units: [{entries, neg, marks}], prefix: bool}.
   */
  function resolve(parsed) {
    var keys = new Set();
    parsed.units.forEach(function (u) {
      u.alts.forEach(function (alt) {
        if (alt.han) Array.from(alt.han).forEach(function (ch) { keys.add(shardOf(ch)); });
        else keys.add(shardOf(alt.word));
      });
    });
    return loadShards(Array.from(keys)).then(function () {
      // English words whose token lives in another shard.
      var more = new Set();
      parsed.units.forEach(function (u) {
        u.alts.forEach(function (alt) {
          if (alt.word) {
            var s = shard(shardOf(alt.word)), t = s && s.words.get(alt.word);
            if (t && shardOf(t) !== shardOf(alt.word)) more.add(shardOf(t));
          }
        });
      });
      return loadShards(Array.from(more));
    }).then(function () {
      var units = [], prefix = false;
      var lastUnit = parsed.units[parsed.units.length - 1];
      parsed.units.forEach(function (u) {
        var isLast = u === lastUnit && parsed.open && !u.neg;
        // A Chinese run becomes one unit per word; in an OR, a run stands whole.
        var parts;
        if (u.alts.length === 1 && u.alts[0].han) {
          var segs = segment(u.alts[0].han, isLast);
          parts = segs.map(function (w, i) { return { alts: [{ han: w }], last: isLast && i === segs.length - 1 }; });
        } else {
          parts = [{ alts: u.alts, last: isLast && u.alts.length === 1 }];
        }
        parts.forEach(function (part) {
          var entries = [], marks = [], completed = false, ignored = false;
          part.alts.forEach(function (alt) {
            var text = alt.han || alt.word;
            var s = shard(shardOf(text));
            var token = alt.han ? text : (s && s.words.get(text)) || text;
            var e = tokenEntry(token);
            if (e) {
              entries.push(e);
              marks.push(token);
              if (alt.word) marks.push(alt.word);
            } else if (part.last && alt.word && text.length < 2) {
              ignored = true; // one letter typed so far: not a word yet
            } else if (part.last) {
              completions(text).forEach(function (c) { entries.push(c); marks.push(c.token); });
              completed = prefix = true;
            }
          });
          if (!ignored) units.push({ entries: entries, neg: u.neg, marks: marks, completed: completed });
        });
      });
      return { units: units, prefix: prefix };
    });
  }

  // search/evaluate.js: the resolved query evaluated over the postings: cases ANDed and ORed,
  // ranked by the weights the build wrote, facets counted over the results.

  // ---------------------------------------------------------------------------------------------
  // Evaluating

  /** A unit's postings merged over its alternatives: cases, per-case documents, floor. */
  function merge(entries) {
    var n = store.meta.cases;
    var cases = words(n), byCase = new Map(), floor = 0, truncated = false;
    entries.forEach(function (e) {
      var p = postingsOf(e);
      for (var i = 0; i < cases.length; i++) cases[i] |= p.cases[i];
      if (p.truncated) { truncated = true; floor = Math.max(floor, p.floor); }
      for (i = 0; i < p.docCase.length; i++) {
        var c = p.docCase[i], docs = byCase.get(c);
        if (!docs) { docs = new Map(); byCase.set(c, docs); }
        var w = p.docW[i], sec = p.docSec[i];
        if (!(docs.get(sec) >= w)) docs.set(sec, w);
      }
    });
    return { cases: cases, byCase: byCase, floor: floor, truncated: truncated };
  }

  /**
   * The score of case `c` and where the hit points (0: the case, k: its k-th tagged section):
   * the sum of the words' weights in the case, and the first section holding every word (a
   * section's entries carry its case's weight), else the case. When truncated postings left a
   * word's documents in this case out, each such word counts with its floor weight and the hit
   * points at the case.
   */
  function score(c, merged) {
    var first = merged[0].byCase.get(c);
    var known = true;
    for (var u = 0; u < merged.length; u++) if (!merged[u].byCase.has(c)) { known = false; break; }
    if (known) {
      var best = -1, bestSec = 0;
      first.forEach(function (w, sec) {
        var sum = w;
        for (var u = 1; u < merged.length; u++) {
          var x = merged[u].byCase.get(c).get(sec);
          if (x === undefined) return;
          sum += x;
        }
        var tie = Math.abs(sum - best) <= 1e-9 && sec > 0 && (bestSec === 0 || sec < bestSec);
        if (sum > best + 1e-9 || tie) { best = sum; bestSec = sec; }
      });
      if (best >= 0) return { score: best, sec: bestSec };
    }
    var total = 0;
    merged.forEach(function (m) {
      var docs = m.byCase.get(c), top = m.floor;
      if (docs) docs.forEach(function (w) { top = Math.max(top, w); });
      total += top;
    });
    return { score: total, sec: 0 };
  }

  /**
   * Runs a resolved query with the checked filters: the matching cases, ranked (or in id order
   * when browsing), and the facet counts.
   */
  function evaluate(resolved, groups, selected) {
    var n = store.meta.cases;
    var text = all(n), positive = [];
    resolved.units.forEach(function (u) {
      var m = merge(u.entries);
      if (u.neg) { for (var i = 0; i < text.length; i++) text[i] &= ~m.cases[i]; }
      else { positive.push(m); text = and(text, m.cases); }
    });
    // Filters: OR within a group, AND across groups; each group's counts ignore its own filter.
    var filters = groups.map(function (g, gi) {
      var chosen = selected[gi];
      if (!chosen.length) return null;
      var bits = words(n);
      chosen.forEach(function (set) { for (var i = 0; i < bits.length; i++) bits[i] |= set[i]; });
      return bits;
    });
    var results = text;
    filters.forEach(function (f) { if (f) results = and(results, f); });
    var counts = groups.map(function (g, gi) {
      var scope = text;
      filters.forEach(function (f, fi) { if (f && fi !== gi) scope = and(scope, f); });
      return g.sets.map(function (set) { return andCount(scope, set); });
    });
    var hits = [];
    for (var w = 0; w < results.length; w++) {
      var bitsW = results[w];
      while (bitsW) {
        var low = bitsW & -bitsW, c = (w << 5) + (31 - Math.clz32(low));
        bitsW ^= low;
        hits.push(positive.length ? Object.assign({ c: c }, score(c, positive)) : { c: c, score: 0, sec: 0 });
      }
    }
    if (positive.length) hits.sort(function (x, y) { return y.score - x.score || x.c - y.c; });
    return { hits: hits, counts: counts, total: hits.length };
  }

  // search/view.js: the page: facets, the URL state, server mode, and one renderer of a hit
  // for both modes; snippets with the query's words marked.

  // ---------------------------------------------------------------------------------------------
  // The page

  var groups = []; // {name, sets: [bitmap], boxes: [checkbox]} per fieldset
  var run = 0; // the newest search; older ones stop at their next step

  function setupGroups() {
    var meta = store.meta, n = meta.cases;
    var sets = store.facets.map(function (s) { return readSet(new Reader(s), n); });
    var offset = 0, where = {};
    meta.vocabularies.forEach(function (v) {
      where[v.name] = { offset: offset, ids: v.terms };
      offset += v.terms.length;
    });
    where.level = { offset: offset, ids: meta.levels };
    offset += meta.levels.length;
    where.place = { offset: offset, ids: meta.provinces };
    Array.prototype.forEach.call(form.querySelectorAll("fieldset[data-facet]"), function (fs) {
      var name = fs.getAttribute("data-facet"), w = where[name];
      if (!w) return;
      var g = { name: name, sets: [], boxes: [], counts: [], values: [] };
      Array.prototype.forEach.call(fs.querySelectorAll("input[type=checkbox]"), function (box) {
        var i = w.ids.indexOf(box.value);
        g.boxes.push(box);
        g.values.push(box.value);
        g.sets.push(i >= 0 ? sets[w.offset + i] : words(n));
        g.counts.push(fs.querySelector('[data-count="' + cssEscape(name + ":" + box.value) + '"]'));
      });
      groups.push(g);
    });
    // Level and place names for result lines, from the page's own labels.
    groups.forEach(function (g) {
      g.labels = g.boxes.map(function (box) { return (box.parentNode.textContent || "").trim(); });
    });
  }

  function cssEscape(s) { return window.CSS && CSS.escape ? CSS.escape(s) : s.replace(/["\\]/g, "\\$&"); }

  function selectedSets(inline) {
    return groups.map(function (g) {
      var chosen = [];
      g.boxes.forEach(function (box, i) { if (box.checked) chosen.push(g.sets[i]); });
      inline.forEach(function (f) {
        if (f.group !== g) return;
        var i = g.values.indexOf(f.value);
        if (i < 0) i = g.values.findIndex(function (v) { return v.toLowerCase() === f.value.toLowerCase(); });
        if (i >= 0) chosen.push(g.sets[i]);
        else chosen.push(words(store.meta.cases));
      });
      return chosen;
    });
  }

  function stateKey() {
    var p = new URLSearchParams();
    if (input.value) p.set("q", input.value);
    groups.forEach(function (g) { g.boxes.forEach(function (box) { if (box.checked) p.append(g.name, box.value); }); });
    return p.toString();
  }

  function saveState() {
    var query = stateKey();
    var url = location.pathname + (query ? "?" + query : "") + location.hash;
    if (url !== location.pathname + location.search + location.hash) {
      try { history.replaceState(null, "", url); } catch (e) { /* file:// in some browsers */ }
    }
  }

  function restoreState() {
    var p = new URLSearchParams(location.search);
    input.value = p.get("q") || "";
    Array.prototype.forEach.call(form.querySelectorAll("fieldset[data-facet] input[type=checkbox]"), function (box) {
      box.checked = p.getAll(box.name).indexOf(box.value) >= 0;
    });
  }

  function setStatus(text) { if (status.textContent !== text) status.textContent = text; }

  /**
   * SERVER SEARCH — the one place `casebook serve` plugs in: when the page is served with an
   * `/api/search` endpoint, answer `query` from it (same state: q and filters) and return a
   * Promise of {hits: [{c, score, sec}], counts, total}; returning null uses the static index.
   *
   * `casebook serve` says so before this script runs: its live.js (never part of a built site,
   * which makes no request but for its own files) sets window.CASEBOOK_SERVER.search(state), a
   * Promise of the JSON of `casebook search --json` for that state, up to 100 hits, fresh after
   * every edit (the static index is only rebuilt by full rebuilds). Each hit comes with its list
   * item made here from that JSON (`li`); the facet counts are the server's.
   */
  function serverSearch(query) {
    var server = window.CASEBOOK_SERVER;
    if (!server || typeof server.search !== "function") return null;
    return server.search(query.state).then(function (json) {
      var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
      var hits = json.hits.map(function (h) { return { score: h.score, li: renderHit(serverView(h, zh)) }; });
      var counts = groups.map(function (g) {
        var facet = json.facets[g.name] || json.facets[singular(g.name)] || {};
        return g.values.map(function (v) { return facet[v] || 0; });
      });
      return { hits: hits, counts: counts, total: json.total };
    });
  }

  /** The view of a hit of the server's JSON (see renderHit). */
  function serverView(h, zh) {
    // snippet_html is escaped text with the matched words in <b>…</b>: read back as pieces.
    var pieces = [];
    String(h.snippet_html || "").split(/<(\/?)b>/).forEach(function (part, i, parts) {
      if (i % 2 === 1) return; // the captured slash
      var text = part.replace(/&(lt|gt|quot|#39|amp);/g, function (m, e) {
        return { lt: "<", gt: ">", quot: "\"", "#39": "'", amp: "&" }[e];
      });
      if (text) pieces.push({ text: text, mark: i > 0 && parts[i - 1] === "" });
    });
    return {
      id: h.id,
      score: h.score,
      url: h.url,
      title: zh && h.title_zh ? h.title_zh : h.title,
      alt: zh && h.title_zh ? h.title : h.title_zh,
      section: h.section || "",
      meta: h.place || "",
      snippet: pieces,
    };
  }

  function search() {
    var mine = ++run;
    list.setAttribute("aria-busy", "true");
    saveState();
    var q = input.value;
    var parsed = parse(q, groups);
    var viaServer = serverSearch({ q: q, state: stateKey() });
    var found = viaServer || resolve(parsed).then(function (resolved) {
      if (mine !== run) return null;
      var entries = [];
      resolved.units.forEach(function (u) { entries.push.apply(entries, u.entries); });
      var wait = resolved.prefix ? new Promise(function (ok) { setTimeout(ok, PREFIX_DELAY); }) : Promise.resolve();
      return wait.then(function () {
        if (mine !== run) return null;
        return loadPostings(entries);
      }).then(function () {
        if (mine !== run) return null;
        var evaluated = evaluate(resolved, groups, selectedSets(parsed.filters));
        evaluated.marks = marksOf(resolved);
        evaluated.resolved = resolved;
        return evaluated;
      });
    });
    return found.then(function (evaluated) {
      if (!evaluated || mine !== run) return;
      showCounts(evaluated.counts);
      return show(evaluated, PAGE, mine).then(function () {
        if (evaluated.resolved && evaluated.resolved.prefix) prefetch(evaluated.resolved, parsed, mine);
      });
    }).catch(function (e) {
      if (mine !== run) return;
      setStatus("⚠ " + e.message);
      list.setAttribute("aria-busy", "false");
    });
  }

  /**
   * While an unfinished word is shown with its completions ORed, load the documents each
   * completion alone would show first: the finished word then shows at once.
   */
  function prefetch(resolved, parsed, mine) {
    var last = resolved.units[resolved.units.length - 1];
    if (!last || !last.completed) return;
    var selected = selectedSets(parsed.filters), chunk = store.meta.chunk;
    last.entries.forEach(function (entry, i) {
      setTimeout(function () {
        if (mine !== run) return;
        var units = resolved.units.slice(0, -1).concat([{ entries: [entry], neg: false, marks: [] }]);
        var hits = evaluate({ units: units }, groups, selected).hits.slice(0, PAGE);
        hits.forEach(function (h) { load("d/" + Math.floor(h.c / chunk) + ".js").catch(function () {}); });
      }, 10 * i);
    });
  }

  function showCounts(counts) {
    groups.forEach(function (g, gi) {
      g.counts.forEach(function (el, i) {
        if (!el) return;
        var text = "(" + counts[gi][i] + ")";
        if (el.textContent !== text) el.textContent = text;
      });
    });
  }

  /** Shows the first `limit` hits (loading their documents first), then the status. */
  function show(evaluated, limit, mine) {
    var hits = evaluated.hits.slice(0, limit);
    var chunk = store.meta.chunk;
    var needed = new Set(hits.filter(function (h) { return !h.li; }).map(function (h) { return Math.floor(h.c / chunk); }));
    return Promise.all(Array.from(needed).map(function (k) { return load("d/" + k + ".js"); })).then(function () {
      if (mine !== run) return;
      var items = hits.map(function (h) { return item(h, evaluated.marks, chunk); });
      var frag = document.createDocumentFragment();
      items.forEach(function (li) { frag.appendChild(li); });
      if (evaluated.total > limit) {
        var li = document.createElement("li");
        li.className = "more";
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = "+ " + Math.min(PAGE, evaluated.total - limit);
        b.setAttribute("aria-label", "+" + Math.min(PAGE, evaluated.total - limit) + " " + (status.getAttribute("data-results") || ""));
        b.addEventListener("click", function () {
          show(evaluated, limit + PAGE, run).then(function () {
            var next = list.children[limit];
            var link = next && next.querySelector("a");
            if (link) link.focus();
          });
        });
        li.appendChild(b);
        frag.appendChild(li);
      }
      list.replaceChildren(frag);
      list.setAttribute("aria-busy", "false");
      setStatus(evaluated.total ? evaluated.total + " " + (status.getAttribute("data-results") || "") : status.getAttribute("data-none") || "0");
    });
  }

  function labelOf(name, c) {
    for (var gi = 0; gi < groups.length; gi++) {
      var g = groups[gi];
      if (g.name !== name) continue;
      for (var i = 0; i < g.sets.length; i++) if (hasBit(g.sets[i], c)) return g.labels[i];
    }
    return "";
  }

  function item(hit, marks, chunk) {
    if (hit.li) return hit.li; // from the server (serverSearch)
    return renderHit(indexView(hit, marks, chunk));
  }

  /** The view of a hit of the static index (see renderHit); its documents are loaded. */
  function indexView(hit, marks, chunk) {
    var entry = store.docs[Math.floor(hit.c / chunk)][hit.c % chunk];
    var id = entry[0], title = entry[1], alt = entry[2], place = entry[3], summaries = entry[4], sections = entry[5];
    var sec = hit.sec, anchor = "", secTitle = "", texts;
    if (sec > 0 && sections.length >= sec * 3) {
      anchor = sections[(sec - 1) * 3];
      secTitle = sections[(sec - 1) * 3 + 1];
      // The start of the section, or the summary when only that shows the words.
      texts = [sections[(sec - 1) * 3 + 2]].concat(summaries.split("\n"));
    } else {
      texts = summaries.split("\n");
    }
    return {
      id: id,
      score: hit.score,
      url: "cases/" + encodeURIComponent(id) + ".html" + (anchor ? "#" + encodeURIComponent(anchor) : ""),
      title: title,
      alt: alt,
      section: secTitle,
      meta: [place, labelOf("level", hit.c)].filter(Boolean).join(" · "),
      snippet: snippet(texts, marks),
    };
  }

  /**
   * The one result item of both modes, from a view: {id, score, url, title, alt (the title in
   * the other language, or empty), section (its title, or empty), meta (place and level),
   * snippet: [{text, mark}]}. Text only ever goes in as textContent or text nodes.
   */
  function renderHit(view) {
    var li = document.createElement("li");
    li.setAttribute("data-case", view.id);
    li.setAttribute("data-score", Number(view.score).toFixed(2));
    var a = document.createElement("a");
    a.className = "hit-title";
    a.href = view.url;
    a.textContent = view.title;
    li.appendChild(a);
    if (view.alt) {
      var span = document.createElement("span");
      span.className = "hit-alt";
      span.textContent = " " + view.alt;
      li.appendChild(span);
    }
    if (view.section) {
      var ps = document.createElement("p");
      ps.className = "hit-section";
      ps.textContent = "§ " + view.section;
      li.appendChild(ps);
    }
    var meta = document.createElement("p");
    meta.className = "hit-meta";
    meta.textContent = view.meta;
    li.appendChild(meta);
    var p = document.createElement("p");
    p.className = "snippet";
    view.snippet.forEach(function (piece) {
      var node = piece.mark ? document.createElement("mark") : document.createTextNode(piece.text);
      if (piece.mark) node.textContent = piece.text;
      p.appendChild(node);
    });
    li.appendChild(p);
    return li;
  }

  // ---------------------------------------------------------------------------------------------
  // Snippets

  /** What to mark: Chinese words (found as substrings) and English tokens and words. */
  function marksOf(resolved) {
    var han = [], latin = new Set();
    resolved.units.forEach(function (u) {
      if (u.neg) return;
      u.marks.forEach(function (m) {
        if (/^[\x00-\x7f]*$/.test(m)) latin.add(m);
        else if (isHan(m.codePointAt(0))) han.push(m);
        else latin.add(m);
      });
    });
    return { han: han, latin: latin };
  }

  function ranges(text, marks) {
    var out = [];
    marks.han.forEach(function (w) {
      for (var i = text.indexOf(w); i >= 0; i = text.indexOf(w, i + w.length)) out.push([i, i + w.length]);
    });
    if (marks.latin.size) {
      var re = /[A-Za-z0-9]+/g, m;
      while ((m = re.exec(text))) {
        var lw = m[0].toLowerCase(), s = store.shards[shardOf(lw)] && shard(shardOf(lw));
        var token = (s && s.words.get(lw)) || lw;
        var hit = marks.latin.has(token) || marks.latin.has(lw);
        if (!hit) marks.latin.forEach(function (t) { if (t.length >= 4 && lw.startsWith(t)) hit = true; });
        if (hit) out.push([m.index, m.index + m[0].length]);
      }
    }
    out.sort(function (x, y) { return x[0] - y[0] || y[1] - x[1]; });
    var merged = [];
    out.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push(r.slice());
    });
    return merged;
  }

  /** The text that shows the most marks, as pieces {text, mark} (see renderHit). */
  function snippet(texts, marks) {
    var best = texts[0] || "", bestRanges = [], pieces = [];
    texts.forEach(function (t) {
      var r = ranges(t, marks);
      if (r.length > bestRanges.length) { best = t; bestRanges = r; }
    });
    var at = 0;
    bestRanges.forEach(function (r) {
      if (r[0] > at) pieces.push({ text: best.slice(at, r[0]), mark: false });
      pieces.push({ text: best.slice(r[0], r[1]), mark: true });
      at = r[1];
    });
    if (at < best.length) pieces.push({ text: best.slice(at), mark: false });
    return pieces;
  }

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
