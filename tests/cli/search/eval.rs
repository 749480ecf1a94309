//! The search evaluation: the questions of `tests/fixtures/search_eval.toml` asked of the
//! shipped library, each scored by the rank of its first acceptable result (the answer card
//! counts as the first result when there is one). success@1 and MRR are printed and must not
//! drop below what the pipeline reached (README, "Search quality").

use casebook::search::{Query, Results, Searcher};
use std::path::Path;

/// What the pipeline reached on the set when these floors were set; the suite fails below.
const SUCCESS_AT_1_FLOOR: f64 = 0.97;
const MRR_FLOOR: f64 = 0.98;

#[derive(serde::Deserialize)]
struct Set {
    question: Vec<Question>,
}

#[derive(serde::Deserialize, Clone)]
pub struct Question {
    pub q: String,
    pub lang: String,
    pub kind: String,
    pub accept: Vec<String>,
}

/// The questions of the evaluation set.
pub fn questions() -> Vec<Question> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/search_eval.toml");
    let set: Set = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    set.question
}

/// The results as a ranked list of `term:VOCAB/ID` (the card) and `case:ID`.
pub fn ranked(r: &Results) -> Vec<String> {
    let card = r.card.iter().map(|c| format!("term:{}/{}", c.vocabulary, c.id));
    card.chain(r.hits.iter().map(|h| format!("case:{}", h.id))).collect()
}

fn rank_of(list: &[String], accept: &[String]) -> Option<usize> {
    list.iter().position(|x| accept.contains(x)).map(|i| i + 1)
}

#[test]
fn the_evaluation_set_is_answered_well_enough() {
    let lib = crate::support::Lib::shipped();
    lib.build("site", &[]);
    let searcher = Searcher::open(&lib.path(crate::support::INDEX_DIR)).unwrap();
    let questions = questions();
    assert!(questions.len() >= 60, "{} questions", questions.len());
    let (mut at1, mut rr) = (0usize, 0f64);
    let mut by_kind: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    let mut misses = Vec::new();
    for q in &questions {
        let r = searcher.search(&Query::new(&q.q)).unwrap();
        let list = ranked(&r);
        let rank = rank_of(&list, &q.accept);
        let e = by_kind.entry(format!("{}/{}", q.lang, q.kind)).or_default();
        e.1 += 1;
        if rank == Some(1) {
            at1 += 1;
            e.0 += 1;
        } else {
            misses.push(format!("  {:?} → {:?} (want {:?}, rank {rank:?})", q.q, list.first(), q.accept));
        }
        rr += rank.map_or(0.0, |k| 1.0 / k as f64);
    }
    let n = questions.len() as f64;
    let (success, mrr) = (at1 as f64 / n, rr / n);
    eprintln!("search evaluation: {} questions, success@1 {success:.3}, MRR {mrr:.3}", questions.len());
    for (kind, (ok, all)) in &by_kind {
        eprintln!("  {kind}: {ok}/{all}");
    }
    eprintln!("misses:\n{}", misses.join("\n"));
    assert!(success >= SUCCESS_AT_1_FLOOR, "success@1 {success:.3} fell below {SUCCESS_AT_1_FLOOR}");
    assert!(mrr >= MRR_FLOOR, "MRR {mrr:.3} fell below {MRR_FLOOR}");
}
