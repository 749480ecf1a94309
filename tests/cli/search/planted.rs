//! Planted phrases in a generated library: a few cases among thousands of near-identical ones
//! hold a phrase no other case holds; asked as a keyword, inside a question in everyday words,
//! misspelt or in traditional characters, the phrase must bring its case first.
//! `CASEBOOK_PLANTED_CASES=N` sets the size (2,000 by default; README reports 10,000).

use crate::support::generate::generate;
use crate::support::Lib;
use casebook::search::{Query, Searcher};

/// (phrase planted, questions that must find it first).
const PLANTED: &[(&str, &[&str])] = &[
    ("lantern cooperative", &["lantern cooperative", "how do we start a lantern cooperative", "lanterm cooperative"]),
    ("harbour compass ledger", &["harbour compass ledger", "what is the harbour ledger", "harbuor compass"]),
    ("willow courtyard patrol", &["willow courtyard patrol", "our willow courtyard patrol is weak", "wilow courtyard"]),
    ("青瓷灯笼议事会", &["青瓷灯笼议事会", "怎么办青瓷灯笼议事会", "青瓷燈籠議事會"]),
    ("银杏巷互助点", &["银杏巷互助点", "如何建立银杏巷互助点", "銀杏巷互助點"]),
    ("薄荷楼道会客厅", &["薄荷楼道会客厅", "我们的薄荷楼道会客厅", "薄荷樓道會客廳"]),
];

#[test]
fn planted_phrases_come_first_among_thousands_of_cases() {
    let n: usize = std::env::var("CASEBOOK_PLANTED_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    let lib = Lib::empty();
    generate(&lib, n, false);
    let mut planted = Vec::new();
    for (k, (phrase, _)) in PLANTED.iter().enumerate() {
        let i = (k * 7919 + 13) % n;
        let province = ["henan", "fujian", "guangxi", "beijing"][i % 4];
        let file = format!("cases/{province}/gen-{i:04}.md");
        lib.edit(&file, "Residents are more satisfied.", &format!("Residents are more satisfied. 经验：{phrase}。"));
        planted.push(format!("gen-{i:04}"));
    }
    let checked = casebook::check(&lib.root()).unwrap();
    let library = checked.library.unwrap_or_else(|| panic!("{:?}", checked.diagnostics));
    let dir = lib.path("index");
    casebook::index::build_index(&library, &dir).unwrap();
    let searcher = Searcher::open(&dir).unwrap();
    let mut misses = Vec::new();
    for ((_, questions), want) in PLANTED.iter().zip(&planted) {
        for q in *questions {
            let r = searcher.search(&Query::new(*q)).unwrap();
            let first = r.hits.first().map(|h| h.id.as_str());
            if first != Some(want.as_str()) {
                misses.push(format!("{q:?}: {first:?}, want {want} (total {})", r.total));
            }
        }
    }
    assert!(misses.is_empty(), "{n} cases:\n{}", misses.join("\n"));
}
