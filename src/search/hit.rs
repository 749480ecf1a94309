//! Hits: what a result shows — the section it points at, its snippet with the query's words
//! marked, its tags and place — and the answer card of the term a query names.

use super::natural::{Alt, Planned, Ranked};
use super::snippet::{shorten, snippet_of};
use super::{Card, Hit, Named, Searcher, SNIPPET_CHARS};
use crate::error::Result;
use crate::index::{self, LEVEL_ROOT};
use std::collections::{BTreeSet, HashMap, HashSet};
use tantivy::query::Query as TantivyQuery;
use tantivy::schema::Value;
use tantivy::{TantivyDocument, Term};

/// Weight of a word marked because it names a term the query named.
const EXPANSION_WEIGHT: f32 = 0.05;

/// What a hit marks and where it points.
#[derive(Default)]
pub(super) struct Marks {
    /// The query's tokens (and those searched for it), each with a weight (rarer is heavier).
    words: HashMap<String, f32>,
    /// Per unit, per alternative, its tokens: a section holds a unit when it holds all the
    /// tokens of one of its alternatives.
    pub units: Vec<Vec<Vec<String>>>,
    /// Terms the query named, with the tokens of all their names: a case tagged with one also
    /// marks where its text says any of them.
    expansions: Vec<(String, String, HashMap<String, f32>)>,
}

impl Searcher {
    /// The weight of marking `token`: the rarer in the library, the heavier.
    fn rarity(&self, searcher: &tantivy::Searcher, token: &str) -> Result<f32> {
        let df = searcher.doc_freq(&Term::from_field_text(self.opened.fields.body, token))?;
        Ok(1.0 / (1.0 + df as f32))
    }

    /// The marks of a planned query.
    pub(super) fn marks(&self, searcher: &tantivy::Searcher, planned: &Planned) -> Result<Marks> {
        let mut marks = Marks::default();
        for unit in &planned.units {
            let mut alts = Vec::new();
            for alt in &unit.alts {
                match alt {
                    Alt::Text(text) => alts.push(crate::analysis::tokens(text)),
                    Alt::Token(token, _) => alts.push(vec![token.clone()]),
                    Alt::Tagged(vocabulary, id) => {
                        if let Some(term) = self.names.iter().find(|t| t.vocabulary == *vocabulary && t.id == *id) {
                            let words = term.tokens.iter().flatten().map(|w| (w.clone(), EXPANSION_WEIGHT)).collect();
                            marks.expansions.push((vocabulary.clone(), id.clone(), words));
                        }
                    }
                }
            }
            marks.units.push(alts.into_iter().filter(|a| !a.is_empty()).collect());
        }
        let soft: Vec<String> = planned.soft.iter().flat_map(|w| crate::analysis::tokens(w)).collect();
        let all: BTreeSet<&String> = marks.units.iter().flatten().flatten().chain(&soft).collect();
        for token in all {
            marks.words.insert(token.clone(), self.rarity(searcher, token)?);
        }
        Ok(marks)
    }

    /// The marks of a query in the query language: each word of it a unit.
    pub(super) fn expert_marks(&self, searcher: &tantivy::Searcher, query: &dyn TantivyQuery) -> Result<Marks> {
        let text_fields = self.opened.fields.text_fields();
        let mut words = BTreeSet::new();
        query.query_terms(&mut |term, _| {
            if text_fields.contains(&term.field()) {
                if let Some(s) = term.value().as_str() {
                    words.insert(s.to_string());
                }
            }
        });
        let mut marks = Marks::default();
        for w in words {
            marks.words.insert(w.clone(), self.rarity(searcher, &w)?);
            marks.units.push(vec![vec![w]]);
        }
        Ok(marks)
    }

    /// The answer card of term or place `t` of [`Searcher::names`].
    pub(super) fn card(&self, searcher: &tantivy::Searcher, t: usize) -> Result<Card> {
        let meta = &self.opened.meta;
        let (v, i) = match self.names[t].at {
            Named::Term(v, i) => (v, i),
            Named::Place(p) => return Ok(Card::place(&meta.places[p])),
        };
        let vocabulary = &meta.vocabularies[v];
        let term = &vocabulary.terms[i];
        let facet = tantivy::schema::Facet::from_path([vocabulary.name.as_str(), term.id.as_str()]);
        let cases = searcher.doc_freq(&Term::from_facet(self.opened.fields.facet, &facet))? as usize;
        let label_of = |vocab: &str, id: &str| {
            let found =
                meta.vocabularies.iter().find(|x| x.name == vocab).and_then(|x| x.terms.iter().find(|t| t.id == id));
            found.map_or_else(|| id.to_string(), |t| t.label.clone())
        };
        Ok(Card {
            vocabulary: vocabulary.name.clone(),
            singular: vocabulary.singular.clone(),
            id: term.id.clone(),
            label: term.label.clone(),
            label_zh: term.label_zh.clone(),
            definition: term.definition.clone(),
            definition_zh: term.definition_zh.clone(),
            countermeasure: term.countermeasure.clone(),
            countermeasure_zh: term.countermeasure_zh.clone(),
            links: term
                .links
                .iter()
                .map(|(vocab, ids)| (vocab.clone(), ids.iter().map(|id| (id.clone(), label_of(vocab, id))).collect()))
                .collect(),
            cases,
            url: format!("{}/{}.html", vocabulary.name, term.id),
        })
    }

    /// Hit `r`; its snippet from the text in `lang` first (the original's, or its translation).
    pub(super) fn hit(
        &self,
        searcher: &tantivy::Searcher,
        r: &Ranked,
        marks: &Marks,
        lang: Option<crate::config::Language>,
    ) -> Result<Hit> {
        let c = &r.candidate;
        let f = self.opened.fields;
        let meta = &self.opened.meta;
        let doc: TantivyDocument = searcher.doc(c.address)?;
        let first = |field| doc.get_first(field).and_then(|v| v.as_str()).map(str::to_string);
        let id = first(f.id).unwrap_or_default();
        let title = first(f.title).unwrap_or_default();
        let body = first(f.body).unwrap_or_default();
        let browsing = marks.units.is_empty();
        // The section the hit points at: the first holding the most units (at least one).
        let held = |s: &index::SectionSpan| {
            let found: HashSet<String> =
                crate::analysis::tokens(body.get(s.bytes.clone()).unwrap_or_default()).into_iter().collect();
            marks.units.iter().filter(|alts| alts.iter().any(|a| a.iter().all(|w| found.contains(w)))).count()
        };
        let mut section = None;
        if !browsing {
            let mut best = 0;
            for s in doc.get_all(f.sections).filter_map(|v| v.as_str().and_then(index::SectionSpan::parse)) {
                let n = held(&s);
                if n > best {
                    best = n;
                    section = Some(s);
                }
            }
        }
        let url = match &section {
            Some(s) => format!("cases/{id}.html#{}", s.anchor),
            None => format!("cases/{id}.html"),
        };
        let mut tags: Vec<(String, Vec<String>)> =
            meta.vocabularies.iter().map(|v| (v.name.clone(), Vec::new())).collect();
        let mut level = String::new();
        for value in doc.get_all(f.facet) {
            let Some(encoded) = value.as_facet() else { continue };
            let path: Vec<&str> = encoded.split('\u{0}').collect();
            if let [root, term] = path.as_slice() {
                if *root == LEVEL_ROOT {
                    level = term.to_string();
                } else if let Some(slot) = tags.iter_mut().find(|(name, _)| name == root) {
                    slot.1.push(term.to_string());
                }
            }
        }
        // The words of the query, and the names of the terms it named that this case has.
        let mut words = marks.words.clone();
        for (vocabulary, term, names) in &marks.expansions {
            if tags.iter().any(|(v, ids)| v == vocabulary && ids.contains(term)) {
                for (w, weight) in names {
                    words.entry(w.clone()).or_insert(*weight);
                }
            }
        }
        let text = section.as_ref().and_then(|s| body.get(s.bytes.clone())).unwrap_or(&body);
        let summary = first(f.summary_text).unwrap_or_default();
        let mut snippet = Vec::new();
        // The translation's text (a site has two languages at most: it is in the other one).
        let translated: Vec<&str> = doc.get_all(f.body_tr).filter_map(|v| v.as_str()).collect();
        if !browsing {
            // A reader of the translation's language sees its passage first.
            if lang.is_some_and(|l| l != meta.content_language) {
                for t in &translated {
                    if snippet.is_empty() {
                        snippet = snippet_of(t, &words, SNIPPET_CHARS);
                    }
                }
            }
            if snippet.is_empty() {
                snippet = snippet_of(text, &words, SNIPPET_CHARS);
            }
            if snippet.is_empty() {
                snippet = snippet_of(&summary, &words, SNIPPET_CHARS);
            }
            // The words may be in a translation only (a Chinese query of an English case).
            for t in &translated {
                if snippet.is_empty() {
                    snippet = snippet_of(t, &words, SNIPPET_CHARS);
                }
            }
        }
        if snippet.is_empty() {
            // No word of the query is in the text (a title match, or browsing): the summary.
            let lead = if summary.is_empty() { text } else { &summary };
            snippet = vec![(shorten(lead, SNIPPET_CHARS), false)];
        }
        Ok(Hit {
            id,
            title,
            title_zh: first(f.title_zh),
            url,
            section: section.map(|s| s.title),
            score: if browsing { 0.0 } else { c.score },
            held: r.held,
            snippet,
            tags,
            place: first(f.place).unwrap_or_default(),
            level,
            date: first(f.date).unwrap_or_default(),
        })
    }
}
