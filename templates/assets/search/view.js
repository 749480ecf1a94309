  // search/view.js: the page: facets, the URL state, server mode, and one renderer of a hit
  // for both modes; snippets with the query's words marked.

  // ---------------------------------------------------------------------------------------------
  // The page

  var groups = []; // {name, sets: [bitmap], boxes: [checkbox]} per fieldset
  var run = 0; // the newest search; older ones stop at their next step
  // The result files of this page's language (d/ for the site's default one).
  var documents = form.getAttribute("data-documents") || "d/";

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
      return {
        hits: hits,
        counts: counts,
        total: json.total,
        card: json.card ? serverCard(json.card, zh) : null,
        notes: { notFound: json.not_found || [], expanded: json.expanded || [], corrected: json.corrected || [] },
      };
    });
  }

  /** The view of the server's answer card (see renderCard). */
  function serverCard(c, zh) {
    var links = (c.links || []).map(function (l) {
      return { vocabulary: l.vocabulary, labels: l.terms.map(function (t) { return t.label; }) };
    });
    return {
      key: c.vocabulary + "/" + c.id,
      url: c.url,
      place: c.vocabulary === "places",
      title: zh && c.label_zh ? c.label_zh : c.label,
      alt: zh && c.label_zh ? c.label : c.label_zh || "",
      definition: (zh && c.definition_zh) || c.definition || "",
      countermeasure: (zh && c.countermeasure_zh) || c.countermeasure || "",
      cases: c.cases,
      links: links,
    };
  }

  /** The view of the card (c/N.js) of term `at` of the meta (see renderCard). */
  function indexCard(at) {
    var c = store.cards && store.cards[at];
    if (!c) return null;
    var zh = (document.documentElement.lang || "").indexOf("zh") === 0, offset = 0, v = null, t = 0;
    store.meta.vocabularies.forEach(function (x) {
      if (!v && at < offset + x.terms.length) { v = x; t = at - offset; }
      offset += x.terms.length;
    });
    if (!v) {
      // A place's card: its names, where it is, its page and its number of cases.
      return {
        key: c[7].replace(/\.html$/, ""),
        url: c[7],
        place: true,
        title: zh && c[1] ? c[1] : c[0],
        alt: zh && c[1] ? c[0] : c[1],
        definition: (zh && c[3]) || c[2],
        countermeasure: "",
        cases: c[8],
        links: [],
      };
    }
    return {
      key: v.name + "/" + v.terms[t],
      url: encodeURIComponent(v.name) + "/" + encodeURIComponent(v.terms[t]) + ".html",
      title: zh && c[1] ? c[1] : c[0],
      alt: zh && c[1] ? c[0] : c[1],
      definition: (zh && c[3]) || c[2],
      countermeasure: (zh && c[5]) || c[4],
      cases: count(tagSet(at)),
      links: c[6].map(function (l) { return { vocabulary: l[0], labels: l[1].map(function (x) { return x[1]; }) }; }),
    };
  }

  /** The answer card: the term the query names, with its definition, first in the list. */
  function renderCard(view) {
    var li = document.createElement("li");
    li.className = "answer-card";
    li.setAttribute("data-term", view.key);
    appendTitle(li, view);
    var text = function (cls, value) {
      if (!value) return;
      var p = document.createElement("p");
      p.className = cls;
      p.textContent = value;
      li.appendChild(p);
    };
    text("card-definition", view.definition);
    text("card-countermeasure", view.countermeasure ? "→ " + view.countermeasure : "");
    var meta = [view.cases + " " + (notes && notes.getAttribute(view.place ? "data-place-cases" : "data-cases") || "")];
    view.links.forEach(function (l) { meta.push(l.labels.join(", ")); });
    text("hit-meta", meta.join(" · "));
    return li;
  }

  /** What the query did besides finding: words not found, names also searched, corrections. */
  function showNotes(n) {
    if (!notes) return;
    var lines = [];
    if (n && n.corrected) n.corrected.forEach(function (c) {
      lines.push((notes.getAttribute("data-corrected") || "") + c.to.join(", ") + " ← " + c.word);
    });
    if (n && n.expanded) n.expanded.forEach(function (e) {
      if (e.names.length) lines.push((notes.getAttribute("data-also") || "") + e.names.join("、"));
    });
    if (n && n.notFound && n.notFound.length) lines.push((notes.getAttribute("data-not-found") || "") + n.notFound.join("、"));
    var text = lines.join(" · ");
    if (notes.textContent !== text) notes.textContent = text;
    notes.hidden = !text;
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
    var found = viaServer || (isExpert(parsed.rest) ? null : naturalSearch(parsed, mine));
    found = found || resolve(parsed).then(function (resolved) {
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
      showNotes(evaluated.notes);
      return show(evaluated, PAGE, mine).then(function () {
        if (evaluated.resolved && evaluated.resolved.prefix) prefetch(evaluated.resolved, parsed, mine);
      });
    }).catch(function (e) {
      if (mine !== run) return;
      setStatus("⚠ " + e.message);
      list.setAttribute("aria-busy", "false");
    });
  }

  /** A query in everyday words (plan.js): planned, its postings loaded, ranked. */
  function naturalSearch(parsed, mine) {
    return planQuery(parsed.rest, parsed.open).then(function (plan) {
      if (mine !== run) return null;
      var selected = selectedSets(parsed.filters);
      if (!plan.units.length) {
        var browsed = evaluate({ units: [] }, groups, selected);
        browsed.marks = marksOf({ units: [] });
        return browsed;
      }
      var entries = plan.soft.slice();
      plan.units.forEach(function (u) { u.alts.forEach(function (a) { entries.push(a.entry); }); });
      // An unfinished word stands for its completions: wait a moment for the next keystroke.
      var prefix = plan.completed;
      var wait = prefix ? new Promise(function (ok) { setTimeout(ok, PREFIX_DELAY); }) : Promise.resolve();
      return wait.then(function () {
        if (mine !== run) return null;
        var cards = plan.card !== null ? load("c/" + plan.card + ".js") : Promise.resolve();
        return Promise.all([loadPostings(entries), cards]);
      }).then(function (ready) {
        if (!ready || mine !== run) return null;
        var ranked = rankPlan(plan, groups, selected);
        ranked.marks = marksOf({ units: [{ marks: plan.marks, neg: false }] });
        ranked.card = plan.card !== null ? indexCard(plan.card) : null;
        ranked.notes = { notFound: ranked.notFound, expanded: plan.expanded, corrected: plan.corrected };
        return ranked;
      });
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
        hits.forEach(function (h) { load(documents + Math.floor(h.c / chunk) + ".js").catch(function () {}); });
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
    if (evaluated.sectionOf) hits.forEach(function (h) { if (h.sec === undefined) h.sec = evaluated.sectionOf(h); });
    var needed = new Set(hits.filter(function (h) { return !h.li; }).map(function (h) { return Math.floor(h.c / chunk); }));
    return Promise.all(Array.from(needed).map(function (k) { return load(documents + k + ".js"); })).then(function () {
      if (mine !== run) return;
      var items = hits.map(function (h) { return item(h, evaluated.marks, chunk); });
      var frag = document.createDocumentFragment();
      if (evaluated.card) frag.appendChild(renderCard(evaluated.card));
      items.forEach(function (li) { frag.appendChild(li); });
      if (evaluated.total > limit) {
        var li = document.createElement("li");
        li.className = "more";
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = "+ " + Math.min(PAGE, evaluated.total - limit);
        b.setAttribute("aria-label", "+ " + count(Math.min(PAGE, evaluated.total - limit)));
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
      setStatus(evaluated.total ? count(evaluated.total) : status.getAttribute("data-none") || "0");
    });
  }

  // "12 results" / "找到 12 个结果", from the page's own pattern ({n} is the number).
  function count(n) {
    var pattern = status.getAttribute(n === 1 ? "data-result-one" : "data-results") || "{n}";
    return pattern.replace("{n}", String(n));
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
      url: "cases/" + encodeURIComponent(id) + ".html" + highlightOf(marks) + (anchor ? "#" + encodeURIComponent(anchor) : ""),
      title: title,
      alt: alt,
      section: secTitle,
      meta: [place, labelOf("level", hit.c)].filter(Boolean).join(" · "),
      snippet: snippet(texts, marks),
    };
  }

  /** A result's title, linking to `view.url`, and its title in the other language. */
  function appendTitle(li, view) {
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
    appendTitle(li, view);
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

  /**
   * `?highlight=…` for a result's link: the words the snippets mark, which the case page marks
   * in its text on arrival (site.js reads them with the same rules as `ranges`).
   */
  function highlightOf(marks) {
    var words = Array.from(new Set(marks.han.concat(Array.from(marks.latin)))).filter(Boolean);
    return words.length ? "?highlight=" + encodeURIComponent(words.join(" ")) : "";
  }

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
    var folded = foldHan(text); // 紅牆意識 is marked by 红墙意识
    marks.han.forEach(function (w) {
      for (var i = folded.indexOf(w); i >= 0; i = folded.indexOf(w, i + w.length)) out.push([i, i + w.length]);
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

  /**
   * The passage that shows the most marks, as pieces {text, mark} (see renderHit): of the
   * texts, the one with the most marked words, cut to about SNIPPET characters around its
   * best window (as search::snippet does for `casebook search`).
   */
  function snippet(texts, marks) {
    var best = texts[0] || "", bestRanges = [], pieces = [];
    texts.forEach(function (t) {
      var r = ranges(t, marks);
      if (r.length > bestRanges.length) { best = t; bestRanges = r; }
    });
    if (best.length > SNIPPET) {
      var from = 0, most = -1;
      bestRanges.forEach(function (r) {
        var start = Math.max(0, r[0] - Math.floor(SNIPPET / 5));
        var n = bestRanges.filter(function (x) { return x[0] >= start && x[1] <= start + SNIPPET; }).length;
        if (n > most) { most = n; from = start; }
      });
      var to = Math.min(best.length, from + SNIPPET);
      bestRanges.forEach(function (r) { if (r[0] < to && r[1] > to) to = r[1]; });
      var cutText = (from > 0 ? "…" : "") + best.slice(from, to) + (to < best.length && best.charAt(best.length - 1) !== "…" ? "…" : "");
      var shift = from > 0 ? 1 - from : 0;
      bestRanges = bestRanges.filter(function (r) { return r[0] >= from && r[1] <= to; })
        .map(function (r) { return [r[0] + shift, r[1] + shift]; });
      best = cutText;
    }
    var at = 0;
    bestRanges.forEach(function (r) {
      if (r[0] > at) pieces.push({ text: best.slice(at, r[0]), mark: false });
      pieces.push({ text: best.slice(r[0], r[1]), mark: true });
      at = r[1];
    });
    if (at < best.length) pieces.push({ text: best.slice(at), mark: false });
    return pieces;
  }

