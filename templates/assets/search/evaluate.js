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

  /** Each group's checked values ORed into one case set (null: nothing checked in the group). */
  function filterSets(groups, selected) {
    var n = store.meta.cases;
    return groups.map(function (g, gi) {
      var chosen = selected[gi];
      if (!chosen.length) return null;
      var bits = words(n);
      chosen.forEach(function (set) { for (var i = 0; i < bits.length; i++) bits[i] |= set[i]; });
      return bits;
    });
  }

  /**
   * Facet counts over the cases of `base`: AND across groups, each group's counts ignoring its
   * own filter (so a group shows what checking another of its values would add).
   */
  function facetCounts(groups, filters, base) {
    return groups.map(function (g, gi) {
      var scope = base;
      filters.forEach(function (f, fi) { if (f && fi !== gi) scope = and(scope, f); });
      return g.sets.map(function (set) { return andCount(scope, set); });
    });
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
    var filters = filterSets(groups, selected);
    var results = text;
    filters.forEach(function (f) { if (f) results = and(results, f); });
    var counts = facetCounts(groups, filters, text);
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

