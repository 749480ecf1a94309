  // search/query.js: the query text parsed into units and filters, Han runs segmented against
  // the dictionary, and each unit resolved to the tokens it stands for.

  // ---------------------------------------------------------------------------------------------
  // Queries

  /** A Chinese character: within one of the ranges of meta.rules.han (analysis::han::is_han). */
  function isHan(c) {
    var han = rules().han;
    for (var i = 0; i < han.length; i++) if (c >= han[i][0] && c <= han[i][1]) return true;
    return false;
  }
  var LETTERS = /[\p{L}\p{N}]+/gu;

  /**
   * The query as units ANDed together; each unit lists alternatives (ORed): {han: text} or
   * {word: lower-cased text}. Also inline filters (`force:ID`, `level:street`, `place:Henan`),
   * and `rest`: the text without them (what plan.js plans when it is not the query language).
   */
  function parse(text, groups) {
    var units = [], filters = [], kept = [];
    var items = text.match(/"[^"]*"?|\S+/g) || [];
    var or = false;
    items.forEach(function (item) {
      var raw = item;
      if (item === "OR") { kept.push(raw); or = units.length > 0; return; }
      if (item === "AND") { kept.push(raw); return; }
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
      kept.push(raw);
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
    return { units: units, filters: filters, open: open, rest: kept.join(" ") };
  }

  function groupNamed(groups, name) {
    for (var i = 0; i < groups.length; i++) {
      var g = groups[i];
      if (g.name === name || singular(g.name) === name) return g;
    }
    return null;
  }
  /**
   * A vocabulary's singular name, as Rust gives it (meta.vocabularies[i].singular); a name that
   * is not a vocabulary's (level, place) stays as it is.
   */
  function singular(name) {
    var vocabularies = store.meta.vocabularies;
    for (var i = 0; i < vocabularies.length; i++) {
      if (vocabularies[i].name === name) return vocabularies[i].singular;
    }
    return name;
  }

  /**
   * Forward maximum matching of a run of Han characters against the loaded shards (and the
   * words of `extra`, {words: Set, longest}, if given). When the run is being typed (`open`), a
   * rest that no token fits but that begins a longer token (乌鲁木齐 of 乌鲁木齐市) stays whole,
   * to be completed.
   */
  function segment(run, open, extra) {
    var chars = Array.from(run), out = [];
    for (var i = 0; i < chars.length;) {
      var s = shard(shardOf(chars[i])), taken = 1;
      var longest = Math.max(s ? s.longest : 1, extra ? extra.longest : 1);
      for (var len = Math.min(longest, chars.length - i); len > 1; len--) {
        var w = chars.slice(i, i + len).join("");
        if ((s && s.tokens.has(w)) || (extra && extra.words.has(w))) { taken = len; break; }
      }
      var rest = chars.slice(i).join("");
      if (s && taken === 1 && open && rest.length > 1 && !s.tokens.has(chars[i])) {
        var begins = false;
        s.tokens.forEach(function (e, t) { if (!begins && t.startsWith(rest)) begins = true; });
        if (begins) taken = chars.length - i;
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

