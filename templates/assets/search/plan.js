  // search/plan.js: a query in everyday words, planned and ranked as `casebook search` does
  // (src/search/plan.rs and natural.rs, whose docs give the rules): folded, cut into words,
  // stop words optional, each word found exactly, completed (the unfinished last word) or
  // corrected (a misspelt English word), the taxonomy terms it names gathered into units with
  // their other names and their tagged cases, and the cases ranked by the units they hold.
  // Everything it shares with Rust comes as data in meta.js (rules.stop, rules.folds,
  // rules.tag_boost, rules.typo_weight, rules.prefix_tokens, vocabularies[i].keys).

  // ---------------------------------------------------------------------------------------------
  // Words

  var foldMap = null, stopSet = null, extra = null;
  /** Traditional → simplified, from meta.js's rules.folds (analysis::script::pairs). */
  function folds() {
    if (!foldMap) {
      foldMap = new Map();
      var f = Array.from(rules().folds || "");
      for (var i = 0; i + 1 < f.length; i += 2) foldMap.set(f[i], f[i + 1]);
    }
    return foldMap;
  }
  /** Lower case, and traditional characters as simplified ones (analysis::script). */
  function fold(text) {
    var map = folds();
    return Array.from(text.toLowerCase()).map(function (c) { return map.get(c) || c; }).join("");
  }
  /** Traditional characters as simplified ones, nothing else: the same length as `text`. */
  function foldHan(text) {
    var map = folds(), out = "";
    for (var i = 0; i < text.length; i++) { var c = text.charAt(i); out += map.get(c) || c; }
    return out;
  }
  /** The stop words: one string, a space between words (no stop word holds a space). */
  function stopWords() { return (rules().stop || "").split(" ").filter(Boolean); }
  function isStop(word) {
    if (!stopSet) stopSet = new Set(stopWords());
    return stopSet.has(word);
  }
  /** Chinese words the cut knows besides the dictionary's tokens: the names' keys, the stop words. */
  function extraWords() {
    if (!extra) {
      extra = { words: new Set(), longest: 1 };
      var add = function (w) {
        if (!isHan(w.codePointAt(0))) return;
        extra.words.add(w);
        extra.longest = Math.max(extra.longest, Array.from(w).length);
      };
      stopWords().forEach(add);
      nameables().forEach(function (n) { n.names.forEach(function (keys) { keys.forEach(add); }); });
    }
    return extra;
  }

  /**
   * What a query may name (Searcher::names): every term, then every place, each with the keys
   * of its names and its card's number `at` (c/N.js); `v` and `t` for a term.
   */
  var nameable = null;
  function nameables() {
    if (!nameable) {
      nameable = [];
      store.meta.vocabularies.forEach(function (v) {
        (v.keys || []).forEach(function (names, t) { nameable.push({ v: v, t: t, at: nameable.length, names: names }); });
      });
      (store.meta.places || []).forEach(function (place, p) {
        nameable.push({ place: p, depth: place[0], at: nameable.length, names: place[1] });
      });
    }
    return nameable;
  }

  /** The query language (search::plan::is_expert): OR, -word, +word, "…", (…), field:word. */
  function isExpert(text) {
    if (/["()]/.test(text)) return true;
    return text.split(/\s+/).some(function (w) {
      if (w === "OR" || w === "AND" || w === "NOT") return true;
      if (/^[-+][\p{L}\p{N}]/u.test(w)) return true;
      var at = w.indexOf(":");
      return at > 0 && /^[A-Za-z_]+$/.test(w.slice(0, at));
    });
  }

  /** The runs of the folded text: {text, latin}. */
  function runs(text) {
    var out = [];
    (text.match(LETTERS) || []).forEach(function (run) {
      var cur = "", han = null;
      Array.from(run).forEach(function (ch) {
        var h = isHan(ch.codePointAt(0));
        if (han !== null && h !== han) { out.push({ text: cur, latin: !han }); cur = ""; }
        han = h;
        cur += ch;
      });
      if (cur) out.push({ text: cur, latin: !han });
    });
    return out;
  }

  /** The shards a query's words need. */
  function shardsOf(text) {
    var keys = new Set();
    runs(fold(text)).forEach(function (r) {
      if (r.latin) keys.add(shardOf(r.text));
      else Array.from(r.text).forEach(function (ch) { keys.add(shardOf(ch)); });
    });
    return Array.from(keys);
  }

  // ---------------------------------------------------------------------------------------------
  // Looking words up

  /** The token of an English word as typed: its surface's, a stem-like prefix, or itself. */
  function latinToken(w) {
    var s = shard(shardOf(w));
    if (!s) return w;
    var t = s.words.get(w);
    if (t) return t;
    if (s.tokens.has(w)) return w;
    // No stemmer here: the longest token the word begins with, missing at most 4 letters
    // (innovate → innov), stands in for the stem `casebook search` would find.
    var best = null;
    s.tokens.forEach(function (e, tok) {
      if (tok.length >= Math.max(3, w.length - 4) && w.startsWith(tok) && /^[a-z]+$/.test(tok) && (!best || tok.length > best.length)) best = tok;
    });
    return best || w;
  }

  function osa(a, b) {
    var d = [];
    for (var i = 0; i <= a.length; i++) { d.push([i]); }
    for (var j = 1; j <= b.length; j++) d[0][j] = j;
    for (i = 1; i <= a.length; i++) {
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
    return d[a.length][b.length];
  }

  /** search::plan::typo_budget. */
  function typoBudget(w) { var n = Array.from(w).length; return n < 4 ? 0 : n < 8 ? 1 : 2; }

  function byCases(tokens) {
    var entries = [];
    tokens.forEach(function (t) { var e = tokenEntry(t); if (e && e.df > 0) entries.push(e); });
    entries.sort(function (x, y) { return y.df - x.df || (x.token < y.token ? -1 : 1); });
    return entries.slice(0, rules().prefix_tokens || PREFIX_TOKENS);
  }

  /** A misspelt word's stand-ins (Searcher::misspelt): [{word, entry}]. */
  function misspelt(w) {
    var budget = typoBudget(w), s = shard(shardOf(w));
    if (!budget || !s || !/^[a-z]+$/.test(w)) return [];
    var best = [], bestD = budget + 1;
    var consider = function (word, token) {
      if (!word.startsWith(w.slice(0, 2)) || !/^[a-z]+$/.test(word)) return;
      var d = osa(w, word);
      if (d < bestD) { bestD = d; best = []; }
      if (d === bestD) best.push([word, token]);
    };
    s.tokens.forEach(function (e, t) { consider(t, t); });
    s.words.forEach(function (t, word) { consider(word, t); });
    var tokens = new Set(best.map(function (b) { return b[1]; }));
    return byCases(tokens).map(function (e) {
      var shown = best.filter(function (b) { return b[1] === e.token; })
        .sort(function (x, y) { return x[0].length - y[0].length || (x[0] < y[0] ? -1 : 1); })[0][0];
      return { word: shown, entry: e };
    });
  }

  /**
   * Plans a natural query (Searcher::plan): {units: [{shown, alts: [{entry, weight}], tags:
   * [facet index]}], soft: [entry], ignored, corrected, expanded, card (meta term index), marks}.
   * Loads the shards it needs.
   */
  function planQuery(text, open) {
    var folded = fold(text);
    return loadShards(shardsOf(text)).then(function () {
      var words = [];
      var rs = runs(folded);
      rs.forEach(function (r, ri) {
        if (r.latin) words.push({ text: r.text, latin: true });
        else segment(r.text, open && ri === rs.length - 1, extraWords()).forEach(function (w) { words.push({ text: w, latin: false }); });
      });
      words.forEach(function (w) { w.stop = isStop(w.text); });
      if (words.every(function (w) { return w.stop; })) words.forEach(function (w) { w.stop = false; });
      // English words whose token lives in another shard.
      var more = new Set();
      words.forEach(function (w) { if (w.latin) more.add(shardOf(latinToken(w.text))); });
      return loadShards(Array.from(more)).then(function () { return words; });
    }).then(function (words) {
      var plan = { units: [], soft: [], ignored: [], corrected: [], expanded: [], card: null, marks: [], completed: false };
      var content = [], keys = new Set(), last = words.length - 1;
      words.forEach(function (w, i) {
        var token = w.latin ? latinToken(w.text) : w.text;
        var e = tokenEntry(token);
        if (w.stop) {
          plan.ignored.push(w.text);
          if (e) plan.soft.push(e);
          return;
        }
        w.key = token;
        keys.add(w.key);
        var alts = e ? [{ entry: e, weight: 1 }] : [];
        if (e) plan.marks.push(token, w.text);
        if (!e) {
          var completed = open && i === last ? completions(w.text) : [];
          if (completed.length) {
            plan.completed = true;
            completed.forEach(function (c) { keys.add(c.token); alts.push({ entry: c, weight: 1 }); plan.marks.push(c.token); });
          } else if (w.latin) {
            var fixes = misspelt(w.text);
            if (fixes.length) {
              plan.corrected.push({ word: w.text, to: fixes.map(function (f) { return f.word; }) });
              fixes.forEach(function (f) {
                keys.add(f.entry.token);
                alts.push({ entry: f.entry, weight: rules().typo_weight });
                plan.marks.push(f.entry.token, f.word);
              });
            }
          }
        }
        content.push({ word: w, alts: alts });
      });

      // The terms and places the query names, the one covering most keys first.
      var named = [];
      nameables().forEach(function (n) {
        var best = null, covered = [];
        n.names.forEach(function (name) {
          var held = name.filter(function (k) { return keys.has(k); }).length;
          if (name.length > 0 && (held === name.length || (held >= 2 && 2 * held >= name.length))) {
            var ratio = held / name.length;
            if (!best || held > best.held || (held === best.held && ratio > best.ratio)) best = { held: held, ratio: ratio };
            name.forEach(function (k) { if (keys.has(k)) covered.push(k); });
          }
        });
        if (best) named.push({ n: n, at: n.at, held: best.held, ratio: best.ratio, covered: covered, names: n.names });
      });
      // Ties: a term before a place, a city before its province (Searcher::plan).
      var depth = function (x) { return x.n.depth || 0; };
      named.sort(function (a, b) {
        return b.held - a.held || b.ratio - a.ratio || (depth(a) > 0) - (depth(b) > 0) || depth(b) - depth(a) || a.at - b.at;
      });
      // A place is the card only when the query names nothing but places.
      var byPlaces = new Set();
      named.forEach(function (x) { if (depth(x)) x.covered.forEach(function (k) { byPlaces.add(k); }); });
      var onlyPlaces = content.every(function (c) {
        return byPlaces.has(c.word.key) || c.alts.some(function (a) { return byPlaces.has(a.entry.token); });
      });
      var card = named.find(function (x) { return !depth(x) || onlyPlaces; });
      if (card) plan.card = card.at;

      // The shards of the one-word names of the terms named, before their units are made.
      var needed = new Set();
      named.forEach(function (n) { n.names.forEach(function (name) { if (name.length === 1) needed.add(shardOf(name[0])); }); });
      return loadShards(Array.from(needed)).then(function () {
        var taken = content.map(function () { return false; });
        named.forEach(function (n) {
          var unit = { shown: "", alts: [], tags: [] };
          content.forEach(function (c, i) {
            var holds = c.alts.some(function (a) { return n.covered.indexOf(a.entry.token) >= 0; });
            if (!taken[i] && (n.covered.indexOf(c.word.key) >= 0 || holds)) {
              taken[i] = true;
              unit.shown += (unit.shown ? " " : "") + c.word.text;
              unit.alts = unit.alts.concat(c.alts);
            }
          });
          if (!unit.shown) return;
          var also = [];
          n.names.forEach(function (name) {
            // A one-word name the query does not hold already (as typed or completed).
            if (name.length !== 1 || n.covered.indexOf(name[0]) >= 0) return;
            var e = tokenEntry(name[0]);
            if (e && !unit.alts.some(function (a) { return a.entry === e; })) {
              unit.alts.push({ entry: e, weight: 1 });
              plan.marks.push(e.token);
            }
            also.push(name[0]);
          });
          // A term's cases are found by their tag too; a place's hold its names already.
          if (n.n.v) {
            unit.tags.push(n.at);
            plan.expanded.push({ vocabulary: n.n.v.name, id: n.n.v.terms[n.n.t], names: also });
          } else {
            plan.expanded.push({ vocabulary: "place", id: String(n.n.place), names: also });
          }
          plan.units.push(unit);
        });
        content.forEach(function (c, i) {
          if (!taken[i]) plan.units.push({ shown: c.word.text, alts: c.alts, tags: [] });
        });
        return plan;
      });
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Ranking (Searcher::rank)

  var tagSets = {};
  function tagSet(at) {
    if (!tagSets[at]) tagSets[at] = readSet(new Reader(store.facets[at]), store.meta.cases);
    return tagSets[at];
  }

  /**
   * An entry's weight per case, as an array over all cases (its case document's weight, or its
   * floor where truncated postings left the case out), and its tagged sections per case.
   */
  function caseWeights(p) {
    if (!p.caseW) {
      var n = store.meta.cases;
      p.caseW = new Float32Array(n);
      if (p.truncated) {
        for (var c = 0; c < n; c++) if (hasBit(p.cases, c)) p.caseW[c] = p.floor;
      }
      p.secsOf = new Map();
      for (var k = 0; k < p.docCase.length; k++) {
        if (p.docSec[k] === 0) p.caseW[p.docCase[k]] = p.docW[k];
        else {
          var l = p.secsOf.get(p.docCase[k]);
          if (!l) { l = []; p.secsOf.set(p.docCase[k], l); }
          l.push(p.docSec[k]);
        }
      }
    }
    return p.caseW;
  }

  /**
   * The ranked cases of a plan with the checked filters: {hits: [{c, score, held, tagged}],
   * counts, total, complete, notFound, sectionOf(hit)}.
   */
  function rankPlan(plan, groups, selected) {
    var n = store.meta.cases, boost = rules().tag_boost;
    var filters = filterSets(groups, selected);
    var pass = all(n);
    filters.forEach(function (f) { if (f) pass = and(pass, f); });
    var score = new Float64Array(n), held = new Uint16Array(n), tagged = new Uint16Array(n);
    var any = words(n), every = all(n), found = words(n), notFound = [], unitPostings = [];
    plan.units.forEach(function (u) {
      var bits = words(n), ps = u.alts.map(function (a) { return postingsOf(a.entry); });
      unitPostings.push(ps);
      ps.forEach(function (p) { for (var i = 0; i < bits.length; i++) bits[i] |= p.cases[i]; });
      var tags = u.tags.map(tagSet);
      tags.forEach(function (s) { for (var i = 0; i < bits.length; i++) bits[i] |= s[i]; });
      for (var i = 0; i < bits.length; i++) { any[i] |= bits[i]; every[i] &= bits[i]; }
      var mine = and(bits, pass);
      if (!count(mine)) notFound.push(u.shown);
      var weights = ps.map(caseWeights);
      for (var w = 0; w < mine.length; w++) {
        var x = mine[w];
        found[w] |= x;
        while (x) {
          var low = x & -x, c = (w << 5) + (31 - Math.clz32(low));
          x ^= low;
          held[c]++;
          for (var k = 0; k < weights.length; k++) score[c] += weights[k][c] * u.alts[k].weight;
          for (k = 0; k < tags.length; k++) if (hasBit(tags[k], c)) { score[c] += boost; tagged[c]++; }
        }
      }
    });
    var soft = plan.soft.map(function (e) { return caseWeights(postingsOf(e)); });
    var hits = [];
    for (var w = 0; w < found.length; w++) {
      var x = found[w];
      while (x) {
        var low = x & -x, c = (w << 5) + (31 - Math.clz32(low));
        x ^= low;
        for (var k = 0; k < soft.length; k++) score[c] += soft[k][c];
        hits.push({ c: c, score: score[c], held: held[c], tagged: tagged[c] });
      }
    }

    var units = plan.units.length;
    var complete = hits.filter(function (r) { return r.held === units; }).length;
    var strict = complete >= PAGE;
    if (strict) hits = hits.filter(function (r) { return r.held === units; });
    hits.sort(function (x, y) { return y.held - x.held || y.tagged - x.tagged || y.score - x.score || x.c - y.c; });
    var counts = facetCounts(groups, filters, strict ? every : any);
    // The section a hit points at: the first holding the most units (for the hits shown only).
    var sectionOf = function (r) {
      var per = new Map();
      unitPostings.forEach(function (ps) {
        var secs = new Set();
        ps.forEach(function (p) { (p.secsOf.get(r.c) || []).forEach(function (s) { secs.add(s); }); });
        secs.forEach(function (s) { per.set(s, (per.get(s) || 0) + 1); });
      });
      var best = 0, sec = 0;
      per.forEach(function (k, s) { if (k > best || (k === best && s < sec)) { best = k; sec = s; } });
      return sec;
    };
    return { hits: hits, counts: counts, total: hits.length, complete: complete, notFound: notFound, sectionOf: sectionOf };
  }
