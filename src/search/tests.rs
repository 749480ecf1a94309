//! Tests of search over the shipped library's index (built once) and small libraries made
//! for one test.

use super::*;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// The shipped library's index, built once for all tests of this module.
fn shipped() -> &'static Searcher {
    static DIR: OnceLock<(tempfile::TempDir, Searcher)> = OnceLock::new();
    &DIR.get_or_init(|| {
        let checked = crate::check(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
        let library = checked.library.expect("the shipped library is valid");
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join(index::INDEX_DIR);
        index::build_index(&library, &dir).unwrap();
        let searcher = Searcher::open(&dir).unwrap();
        (tmp, searcher)
    })
    .1
}

fn ids(r: &Results) -> Vec<&str> {
    r.hits.iter().map(|h| h.id.as_str()).collect()
}

fn count(r: &Results, facet: &str, value: &str) -> usize {
    r.facets
        .iter()
        .find(|f| f.name == facet)
        .and_then(|f| f.counts.iter().find(|(k, _)| k == value))
        .map_or(0, |(_, n)| *n)
}

#[test]
fn a_hit_points_at_the_first_section_holding_the_most_words() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("lib");
    std::fs::create_dir_all(root.join("cases")).unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic/cases/taxonomy.yaml");
    std::fs::copy(fixture, root.join("cases/taxonomy.yaml")).unwrap();
    let case = "---\nid: two\ntitle: \"Two sections\"\nplace:\n  province: Henan\nlevel: street\n\
        forces: [organizational-coverage]\npractices: [party-building-alliance, red-wall-consciousness]\n\
        problems: [governance-synergy-not-formed]\nsummary: Two sections.\nsources: [\"notes\"]\n---\n\n\
        ## Background {#background}\n\nNothing tagged here.\n\n\
        ## First {#first practice=party-building-alliance forces=organizational-coverage}\n\nThe lantern and the compass.\n\n\
        ## Second {#second practice=red-wall-consciousness forces=organizational-coverage}\n\nThe compass and the harbour.\n";
    std::fs::write(root.join("cases/two.md"), case).unwrap();
    let checked = crate::check(&root).unwrap();
    let library = checked.library.unwrap_or_else(|| panic!("{:?}", checked.diagnostics));
    let dir = tmp.path().join("index");
    index::build_index(&library, &dir).unwrap();
    let searcher = Searcher::open(&dir).unwrap();
    let hit = |q: &str| {
        searcher.search(&Query::new(q)).unwrap().hits.into_iter().next().map(|h| (h.url, h.section, h.snippet))
    };
    let (url, section, snippet) = hit("compass").unwrap();
    assert_eq!((url.as_str(), section.as_deref()), ("cases/two.html#first", Some("First")));
    assert!(snippet.iter().any(|(text, marked)| *marked && text == "compass"), "{snippet:?}");
    assert_eq!(hit("harbour compass").unwrap().0, "cases/two.html#second");
    // No section holds both words: the first holding the most; outside the tagged sections,
    // the case.
    assert_eq!(hit("lantern harbour").unwrap().1.as_deref(), Some("First"));
    assert_eq!(hit("lantern OR harbour").unwrap().0, "cases/two.html#first");
    assert_eq!(hit("tagged").unwrap().0, "cases/two.html");
}

#[test]
fn chinese_query_finds_the_case_and_its_section() {
    let r = shipped().search(&Query::new("红墙")).unwrap();
    assert_eq!(ids(&r)[0], "west-changan");
    let hit = &r.hits[0];
    assert_eq!(hit.url, "cases/west-changan.html#red-wall-consciousness");
    // 红墙 is marked (here inside 红墙意识, whose name the query gave: an alias of the
    // practice `red-wall-consciousness`, so its English name is marked too).
    assert!(hit.snippet_html().contains("(<b>红墙意识</b>)"), "{}", hit.snippet_html());
    assert!(hit.snippet_html().contains("<b>red</b> <b>wall</b>"), "{}", hit.snippet_html());
    assert_eq!(hit.section.as_deref(), Some("Practice: red wall consciousness"));
}

#[test]
fn total_counts_every_matching_case_once_whatever_the_limit() {
    let s = shipped();
    let wide = s.search(&Query::new("party").limit(100)).unwrap();
    let narrow = s.search(&Query::new("party").limit(1)).unwrap();
    assert!(wide.total > 1, "the query must match more cases than the narrow limit");
    assert_eq!(narrow.hits.len(), 1);
    assert_eq!(narrow.total, wide.total);
    assert_eq!(narrow.facets, wide.facets);
    assert_eq!(wide.hits.len(), wide.total);
    assert_eq!(ids(&wide).iter().collect::<HashSet<_>>().len(), wide.total);
}

#[test]
fn taxonomy_labels_and_aliases_expand_the_query() {
    let r = shipped().search(&Query::new("formalism")).unwrap();
    assert!(ids(&r).contains(&"tianhu"), "{:?}", ids(&r));
    // A name of the term: its other names are searched too (形式主义 is in four cases' text),
    // the case tagged with it comes first, and the term is the answer card.
    for q in ["box-ticking", "走过场", "形式主義"] {
        let r = shipped().search(&Query::new(q)).unwrap();
        assert_eq!(ids(&r)[0], "tianhu", "{q}: only tianhu is tagged formalism");
        assert!(r.total > 1, "{q}: {:?}", ids(&r));
        assert_eq!(r.card.as_ref().map(|c| c.id.as_str()), Some("formalism"), "{q}");
        let e = &r.expanded[0];
        assert!(e.id == "formalism" && e.names.contains(&"形式主义".to_string()) == (q != "形式主義"), "{q}: {e:?}");
    }
}

#[test]
fn a_place_named_by_any_of_its_names_is_the_answer_card() {
    // The city's English and Chinese names, its Chinese name without 市, an alias of the
    // settings, a typo: each gives the city's card, and its case first.
    for q in ["Urumqi", "乌鲁木齐市", "乌鲁木齐", "Urumchi", "新疆乌鲁木齐"] {
        let r = shipped().search(&Query::new(q)).unwrap();
        let card = r.card.as_ref().unwrap_or_else(|| panic!("{q}: no card"));
        assert_eq!((card.vocabulary.as_str(), card.id.as_str()), ("places", "xinjiang/urumqi"), "{q}");
        assert_eq!((card.url.as_str(), card.cases), ("places/xinjiang/urumqi.html", 1), "{q}");
        assert_eq!(ids(&r)[0], "urumqi", "{q}");
    }
    let r = shipped().search(&Query::new("河南")).unwrap();
    let card = r.card.as_ref().unwrap();
    assert_eq!(
        (card.label.as_str(), card.label_zh.as_deref(), card.url.as_str()),
        ("Henan", Some("河南省"), "places/henan.html")
    );
    assert_eq!(ids(&r)[0], "huaihe-road");
    // A query asking for more than a place ("the Party building of Urumqi", a street of
    // Zhengzhou) has no place card: the case holding every word comes first.
    for (q, first) in [("乌鲁木齐 党建", "urumqi"), ("郑州淮河路街道", "huaihe-road")] {
        let r = shipped().search(&Query::new(q)).unwrap();
        assert_eq!(r.card, None, "{q}");
        assert_eq!(ids(&r)[0], first, "{q}");
    }
    // A term's name still gives the term's card, not a place's.
    let r = shipped().search(&Query::new("红墙意识")).unwrap();
    assert_eq!(r.card.as_ref().map(|c| c.vocabulary.as_str()), Some("practices"));
}

#[test]
fn english_words_are_stemmed_and_missing_ones_reported() {
    let r = shipped().search(&Query::new("party building alliance")).unwrap();
    assert_eq!(ids(&r)[0], "guigang");
    let r = shipped().search(&Query::new("Party Building Alliances")).unwrap();
    assert_eq!(ids(&r)[0], "guigang");
    // A word no case holds does not empty the result: it is reported.
    let r = shipped().search(&Query::new("alliance xyzzy")).unwrap();
    assert!(r.total > 0 && r.complete == 0, "{:?}", ids(&r));
    assert_eq!(r.not_found, ["xyzzy"]);
    // In the query language every word is required.
    assert_eq!(shipped().search(&Query::new("+alliance +xyzzy")).unwrap().total, 0);
}

#[test]
fn chinese_runs_are_anded_word_by_word() {
    let whole = shipped().search(&Query::new("党建联盟")).unwrap();
    assert!(ids(&whole).contains(&"guigang"));
    assert_eq!(
        split_han_runs("党建联盟的做法 \"党建联盟\" title:红墙意识"),
        "党建 联盟 的 做法 \"党建联盟\" title:红墙意识"
    );
}

#[test]
fn filters_and_across_facets_or_within_one() {
    let s = shipped();
    let all = s.search(&Query::new("").limit(100)).unwrap();
    assert_eq!(all.total, 5);
    let cohesion = s.search(&Query::new("force:mass-cohesion").limit(100)).unwrap();
    let coverage = s.search(&Query::new("").filter("force", "organizational-coverage").limit(100)).unwrap();
    let either = s.search(&Query::new("forces:mass-cohesion,organizational-coverage").limit(100)).unwrap();
    let both = s.search(&Query::new("force:mass-cohesion").filter("force", "organizational-coverage").limit(100));
    let both = both.unwrap();
    let set = |r: &Results| ids(r).into_iter().map(str::to_string).collect::<BTreeSet<_>>();
    assert_eq!(set(&either), &set(&cohesion) | &set(&coverage));
    // Two values of one facet are ORed even when given in two places.
    assert_eq!(both.total, either.total);
    let and = s.search(&Query::new("force:mass-cohesion level:street").limit(100)).unwrap();
    let street = s.search(&Query::new("level:street").limit(100)).unwrap();
    assert_eq!(set(&and), &set(&cohesion) & &set(&street));
    assert_eq!(ids(&and), ["west-changan"], "the one street case with mass cohesion");
    // Labels and aliases name terms too.
    let by_label = s.search(&Query::new("").filter("forces", "群众凝聚力").limit(100)).unwrap();
    assert_eq!(set(&by_label), set(&cohesion));
    // Places, in English or Chinese, any part of the path.
    let henan = s.search(&Query::new("place:henan")).unwrap();
    assert_eq!(ids(&henan), ["huaihe-road"]);
    assert_eq!(ids(&s.search(&Query::new("place:北京市")).unwrap()), ["west-changan"]);
    assert_eq!(ids(&s.search(&Query::new("place:Henan/Zhengzhou")).unwrap()), ["huaihe-road"]);
}

#[test]
fn facet_counts_count_cases() {
    let s = shipped();
    let all = s.search(&Query::new("")).unwrap();
    let checked = crate::check(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
    let library = checked.library.unwrap();
    for (v, vocab) in library.taxonomy.vocabularies.iter().enumerate() {
        for (t, term) in vocab.terms.iter().enumerate() {
            assert_eq!(count(&all, &vocab.singular, &term.id), library.usage[v][t].len(), "{}", term.id);
        }
    }
    assert_eq!(count(&all, "place", "Henan"), 1);
    assert_eq!(count(&all, "place", "Henan/Zhengzhou"), 1);
    let r = s.search(&Query::new("红墙")).unwrap();
    assert_eq!(count(&r, "force", "political-leadership"), r.total);
    assert_eq!(count(&r, "level", "street"), r.hits.iter().filter(|h| h.level == "street").count());
}

#[test]
fn empty_query_browses_by_id() {
    let r = shipped().search(&Query::new("  ").limit(3)).unwrap();
    assert_eq!(r.total, 5);
    assert_eq!(ids(&r), ["guigang", "huaihe-road", "tianhu"]);
    assert!(r.hits.iter().all(|h| h.section.is_none() && !h.snippet.is_empty()));
}

#[test]
fn bad_queries_are_clear_errors() {
    let s = shipped();
    let e = s.search(&Query::new("red AND (wall")).unwrap_err().to_string();
    assert!(e.contains("cannot read the query"), "{e}");
    let e = s.search(&Query::new("forse:mass-cohesion")).unwrap_err().to_string();
    assert!(e.contains("`forse:` is neither a filter nor a field") && e.contains('^'), "{e}");
    let e = s.search(&Query::new("force:mass-cohesoin")).unwrap_err().to_string();
    assert!(e.contains("did you mean `mass-cohesion`"), "{e}");
    let e = s.search(&Query::new("level:village")).unwrap_err().to_string();
    assert!(e.contains("unknown level"), "{e}");
    let e = s.search(&Query::new("").filter("colour", "red")).unwrap_err().to_string();
    assert!(e.contains("unknown filter `colour`"), "{e}");
    let e = s.search(&Query::new("place:Atlantis")).unwrap_err().to_string();
    assert!(e.starts_with("no case is in place `Atlantis`: write a province, city or unit"), "{e}");
    let e = s.search(&Query::new("-wall")).unwrap_err().to_string();
    assert!(e.contains("a query cannot only exclude words"), "{e}");
    // Colons that cannot be field syntax are punctuation.
    assert_eq!(s.search(&Query::new("Chang'an: red wall")).unwrap().hits[0].id, "west-changan");
    assert_eq!(super::filters::colons_as_text("10:30 注意:红墙 title:红墙"), "10 30 注意 红墙 title:红墙");
    let colons = s.search(&Query::new("10:30 注意:红墙")).unwrap();
    let spaces = s.search(&Query::new("10 30 注意 红墙")).unwrap();
    assert_eq!((colons.total, ids(&colons)), (spaces.total, ids(&spaces)));
}

#[test]
fn snippets_mark_words_and_keep_characters_whole() {
    let text = "甲".repeat(300) + "党建联盟是抓手。" + &"乙".repeat(300) + " alliance & <b>";
    let mut terms = HashMap::new();
    for t in crate::analysis::tokens("联盟 alliance") {
        terms.insert(t, 0.5);
    }
    for max in [5, 17, 40, 160, 1000] {
        let s = snippet_of(&text, &terms, max);
        assert!(s.iter().any(|(t, m)| *m && t == "联盟"), "{s:?}");
        let plain: String = s.iter().map(|(t, _)| t.as_str()).collect();
        // A window of `max` characters, and an ellipsis at each end where the text goes on.
        assert!(plain.chars().count() <= max + 2, "{max}: {plain}");
    }
    let html = Hit {
        id: String::new(),
        title: String::new(),
        title_zh: None,
        url: String::new(),
        section: None,
        score: 0.0,
        held: 0,
        snippet: snippet_of("a <b> & alliance", &terms, 100),
        tags: Vec::new(),
        place: String::new(),
        level: String::new(),
        date: String::new(),
    }
    .snippet_html();
    assert_eq!(html, "a &lt;b&gt; &amp; <b>alliance</b>");
    // Real hits: every snippet is valid text with a mark.
    for q in ["红墙意识", "political function", "组织力", "形式主义"] {
        let r = shipped().search(&Query::new(q)).unwrap();
        assert!(!r.hits.is_empty(), "{q}");
        assert!(r.hits[0].snippet_html().contains("<b>"), "{q}: {}", r.hits[0].snippet_html());
        assert!(r.hits.iter().all(|h| !h.snippet.is_empty()), "{q}");
    }
}

#[test]
fn json_has_the_documented_shape() {
    let r = shipped().search(&Query::new("红墙")).unwrap();
    let json = render_json(&r);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    // Keys in the documented order (checked on the text: serde_json's map sorts).
    let in_order = |text: &str, keys: &[&str]| {
        let at: Vec<usize> =
            keys.iter().map(|k| text.find(&format!("\"{k}\":")).unwrap_or_else(|| panic!("{k}"))).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{keys:?} in {text}");
    };
    in_order(&json, &["query", "total", "facets", "hits"]);
    in_order(&json, &["force", "problem", "practice", "place", "level", "hits"]);
    let hits = &json[json.find("\"hits\":").unwrap()..];
    in_order(
        hits,
        &[
            "id",
            "title",
            "title_zh",
            "url",
            "section",
            "score",
            "snippet_html",
            "forces",
            "problems",
            "practices",
            "place",
        ],
    );
    assert_eq!(v["total"], r.total);
    assert_eq!(v["hits"][0]["forces"][0], "political-leadership");
    assert_eq!(v["facets"]["force"]["political-leadership"], r.total);
    assert!(v["hits"][0]["snippet_html"].as_str().unwrap().contains("<b>"));
}

#[test]
fn concurrent_first_place_filters_agree() {
    // A fresh searcher: its place names are not read yet, and every thread asks at once.
    let tmp = tempfile::tempdir().unwrap();
    let checked = crate::check(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
    let dir = tmp.path().join(index::INDEX_DIR);
    index::build_index(&checked.library.unwrap(), &dir).unwrap();
    let searcher = Searcher::open(&dir).unwrap();
    let found: Vec<Vec<String>> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    let r = searcher.search(&Query::new("place:henan")).unwrap();
                    r.hits.into_iter().map(|h| h.id).collect::<Vec<_>>()
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    assert!(found.iter().all(|ids| ids == &["huaihe-road"]), "{found:?}");
}
