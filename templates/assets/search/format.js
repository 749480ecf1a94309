// casebook search page: a client of the browser index in _search/ (written by src/browser_index/,
// whose FORMAT.md describes the files and their encodings). No network beyond the site's own
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
// query.js, plan.js, evaluate.js, view.js and main.js (which closes it). Classic scripts, not ES
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
  var notes = document.getElementById("notes");
  if (!form || !input || !list || !status) return;

  var FORMAT = 3;
  var SNIPPET = 160; // characters of a snippet (search::SNIPPET_CHARS)
  var PAGE = 10; // hits shown at first, and added by "more"
  var PREFIX_DELAY = 120; // ms: an unfinished last word waits this long for the next keystroke
  var PREFIX_TOKENS = 4; // an unfinished word stands for at most this many tokens (most cases first)
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var VALUE = new Int8Array(128).fill(-1);
  for (var a = 0; a < 64; a++) VALUE[ALPHABET.charCodeAt(a)] = a;

  // ---------------------------------------------------------------------------------------------
  // Decoding (varints of 5 bits per letter, bitmaps of 6; see src/browser_index/FORMAT.md)

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

  /**
   * Which reader's weights this page reads: on a site of two languages each weight is written
   * for both readers (FORMAT.md), the page's language weighing the other's text less; -1 on a
   * site of one language.
   */
  function readerOf() {
    var readers = store.meta.rules.readers || [];
    if (!readers.length) return -1;
    var i = readers.indexOf(document.documentElement.lang);
    return i < 0 ? 0 : i;
  }

  /** A document's weight for `reader` (readerOf): see postings.rs, encode_weight. */
  function readWeight(r, reader, scale) {
    var v = r.v();
    if (reader < 0) return v / scale;
    var kind = v % 4, q = (v - kind) / 4 / scale;
    if (kind === 0) return q;
    if (kind === 3) { var second = r.v() / scale; return reader === 0 ? q : second; }
    return kind === reader + 1 ? q : q * store.meta.rules.other_language;
  }

  /** A token's postings: its cases, and the documents listed with their weights. */
  function readPostings(text) {
    var n = store.meta.cases, scale = store.meta.scale, reader = readerOf();
    var r = new Reader(text);
    var truncated = r.v() & 1;
    var cases = r.v();
    var floor = 0, set = null;
    if (truncated) { floor = r.v() / scale; set = readSet(r, n); }
    var k = r.v();
    var docCase = new Uint32Array(k), docSec = new Uint16Array(k), docW = new Float64Array(k);
    var c = 0;
    for (var i = 0; i < k; i++) { c += r.v(); docCase[i] = c; docSec[i] = r.v(); docW[i] = readWeight(r, reader, scale); }
    if (!set) { set = words(n); for (i = 0; i < k; i++) setBit(set, docCase[i]); }
    return { cases: set, count: cases, truncated: !!truncated, floor: floor, docCase: docCase, docSec: docSec, docW: docW };
  }

