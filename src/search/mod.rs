//! Search: answer a query from the tantivy index that `build` (or `search` itself) wrote.
//!
//! **Queries.** Free text goes through tantivy's query parser over `title`^3, `title_zh`^3,
//! `summary`^2, `body`, `place_text` and `tagtext`^0.5, with the same analyzer as the index.
//! Words are ANDed (every word must match somewhere: adding a word narrows the result, as
//! people expect of a search box); `OR`, `-word`, `"a phrase"`, `(…)` and `field:word` work
//! as in tantivy. Chinese has no spaces, so a run of Han characters is first cut into words
//! (jieba's default mode) and each word must match: 党建联盟的做法 asks for 党建, 联盟, 的 and
//! 做法, not for that exact phrase. A malformed query is an error that shows where it breaks.
//!
//! **Filters.** `force:ID`, `forces:ID`, `practice:ID`, … (any vocabulary, singular or
//! plural), `place:NAME` and `level:LEVEL`, written in the query or passed as flags. A term is
//! named by its id, label or alias; a place by any part of its path, in English or Chinese
//! (`place:Henan`, `place:郑州市`, `place:Henan/Zhengzhou`). Filters of different facets are
//! ANDed; several values of one facet are ORed (`force:a,b`, or the filter repeated). Filters
//! never change scores. A query with filters only (or nothing) browses: all matching cases by id.
//!
//! **Results are per case**, one document each. A hit points at the first tagged section whose
//! text holds every word of the query (the section's snippet is then cut from it), or at the
//! case when none does (an `OR` or a `-word` query included).
//!
//! **Snippets** are cut here rather than by tantivy's `SnippetGenerator`, which measures in
//! bytes and assumes token offsets only grow (jieba's search mode emits 北京 and 京市 before
//! 北京市): a snippet is about [`SNIPPET_CHARS`] characters, starts and ends on character
//! boundaries, and marks the matched words.
//!
//! The folder: `filters` (inline `key:value` filters and what they name), `query_text`
//! (rewriting the text for tantivy's parser, and its errors), `collect` (one candidate per
//! case, facet counts), `snippet` (cutting and marking snippets) and `output` (`--json` and
//! the human listing). This module reads the index and never writes it.

mod collect;
pub(crate) mod filters;
mod output;
mod query_text;
mod snippet;
#[cfg(test)]
mod tests;

pub use output::{render_human, render_json};
pub use snippet::snippet_of;

use crate::error::{Error, Result};
use crate::html::escape;
use crate::index::{self, Meta, Opened, LEVEL_ROOT};
use collect::{count_facets, Candidate, CaseCollector};
use filters::{
    filter_names, key_of, place_facets, resolve_level, resolve_place, resolve_term, take_filters, Filter, Key,
};
use query_text::{check_nesting, parse_error, split_han_runs};
use snippet::shorten;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::{Mutex, OnceLock};
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query as TantivyQuery, QueryParser, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::{IndexReader, ReloadPolicy, Score, TantivyDocument, Term};

/// About how many characters a snippet shows.
pub const SNIPPET_CHARS: usize = 160;
/// Hits returned when the query says nothing.
pub const DEFAULT_LIMIT: usize = 10;

/// What to look for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Free text, possibly with inline filters such as `force:mass-cohesion`.
    pub text: String,
    /// Filters given apart from the text: (`force`/`forces`/… or `place` or `level`, value).
    pub filters: Vec<(String, String)>,
    /// How many hits to return (facet counts and `total` always cover all matches).
    pub limit: usize,
}

impl Query {
    pub fn new(text: impl Into<String>) -> Query {
        Query { text: text.into(), filters: Vec::new(), limit: DEFAULT_LIMIT }
    }

    pub fn filter(mut self, key: impl Into<String>, value: impl Into<String>) -> Query {
        self.filters.push((key.into(), value.into()));
        self
    }

    pub fn limit(mut self, limit: usize) -> Query {
        self.limit = limit;
        self
    }
}

/// Counts of one facet over the matching cases, e.g. `force` → [(`mass-cohesion`, 3), …].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCounts {
    /// The singular vocabulary name, or `place`, or `level`.
    pub name: String,
    /// Values with at least one case, in taxonomy order (places: by name; levels: by rank).
    pub counts: Vec<(String, usize)>,
}

/// One part of a snippet: text, and whether it is a matched word.
pub type Segment = (String, bool);

/// One matching case.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: String,
    pub title: String,
    pub title_zh: Option<String>,
    /// Relative to the site root: `cases/ID.html` or `cases/ID.html#anchor`.
    pub url: String,
    /// The title of the section that matched best, if a section did.
    pub section: Option<String>,
    pub score: Score,
    pub snippet: Vec<Segment>,
    /// (vocabulary name, term ids), in taxonomy order, every vocabulary present.
    pub tags: Vec<(String, Vec<String>)>,
    /// The place in one line.
    pub place: String,
    pub level: String,
}

impl Hit {
    /// The snippet as HTML: text escaped, matched words in `<b>…</b>`.
    pub fn snippet_html(&self) -> String {
        let mut out = String::new();
        for (text, marked) in &self.snippet {
            if *marked {
                out.push_str("<b>");
            }
            out.push_str(&escape(text));
            if *marked {
                out.push_str("</b>");
            }
        }
        out
    }
}

/// The answer to a query.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    /// The query text as given.
    pub query: String,
    /// Number of matching cases.
    pub total: usize,
    pub facets: Vec<FacetCounts>,
    /// At most `limit` hits, best first (by id when browsing).
    pub hits: Vec<Hit>,
}

/// What `casebook search` did: the results, and why it rebuilt the index first, if it did.
#[derive(Debug)]
pub struct Searched {
    pub results: Results,
    pub rebuilt: Option<String>,
}

/// An open index, ready to answer queries (cheap to query many times).
pub struct Searcher {
    opened: Opened,
    reader: IndexReader,
    parser: QueryParser,
    /// Every taxonomy term, with the tokens of each of its names.
    names: Vec<TermNames>,
    /// Every place path of the index, read on the first place filter.
    places: OnceLock<BTreeSet<Vec<String>>>,
    /// Held while `places` is read, so that concurrent first place filters read it once.
    reading_places: Mutex<()>,
}

/// Words that stand for a taxonomy term the query named.
struct Expansion {
    vocabulary: String,
    id: String,
    /// The words of all the term's names, each with [`EXPANSION_WEIGHT`].
    words: HashMap<String, f32>,
}

/// A taxonomy term and the tokens of each of its names (label, Chinese label, aliases).
struct TermNames {
    vocabulary: String,
    id: String,
    names: Vec<Vec<String>>,
}

/// Weight of a word marked because it names a term the query named.
const EXPANSION_WEIGHT: f32 = 0.05;

impl Searcher {
    /// Opens the index folder (`SITE/_search/tantivy`).
    pub fn open(dir: &Path) -> Result<Searcher> {
        let opened = index::open(dir)?;
        let reader = opened.index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let f = opened.fields;
        let mut parser = QueryParser::for_index(&opened.index, f.text_fields().to_vec());
        parser.set_conjunction_by_default();
        // The boosts are the schema's, which the browser index's weights use too.
        for (field, (_, boost)) in f.text_fields().into_iter().zip(index::TEXT_FIELDS) {
            if boost != 1.0 {
                parser.set_field_boost(field, boost);
            }
        }
        let mut names = Vec::new();
        for v in &opened.meta.vocabularies {
            for t in &v.terms {
                let all = std::iter::once(&t.label).chain(&t.label_zh).chain(&t.aliases);
                let tokens = all.map(|n| crate::analysis::tokens(n)).filter(|t| !t.is_empty()).collect();
                names.push(TermNames { vocabulary: v.name.clone(), id: t.id.clone(), names: tokens });
            }
        }
        Ok(Searcher { opened, reader, parser, names, places: OnceLock::new(), reading_places: Mutex::new(()) })
    }

    pub fn meta(&self) -> &Meta {
        &self.opened.meta
    }

    /// Every place path of the index, read once, on the first place filter (`OnceLock` has no
    /// fallible init: the lock keeps a second thread from reading them again meanwhile).
    fn places(&self, searcher: &tantivy::Searcher) -> Result<&BTreeSet<Vec<String>>> {
        if let Some(places) = self.places.get() {
            return Ok(places);
        }
        let _reading = self.reading_places.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(places) = self.places.get() {
            return Ok(places);
        }
        let read = place_facets(searcher, &self.opened.fields)?;
        Ok(self.places.get_or_init(|| read))
    }

    /// Runs a query.
    pub fn search(&self, query: &Query) -> Result<Results> {
        let meta = &self.opened.meta;
        let f = self.opened.fields;
        let searcher = self.reader.searcher();

        // Filters: inline ones and flags, grouped by facet.
        let (masked, inline) = take_filters(meta, &query.text);
        let mut wanted: Vec<Filter> = inline;
        for (k, value) in &query.filters {
            let key = key_of(meta, k).ok_or_else(|| {
                Error::Usage(format!("unknown filter `{k}`: use one of {}", filter_names(meta).join(", ")))
            })?;
            wanted.push(Filter { key, value: value.clone() });
        }
        let mut groups: BTreeMap<Key, Vec<Facet>> = BTreeMap::new();
        for Filter { key, value } in wanted {
            for value in value.split(',').map(str::trim).filter(|v| !v.is_empty()) {
                let facets = match key {
                    Key::Vocabulary(v) => {
                        vec![Facet::from_path([
                            meta.vocabularies[v].name.as_str(),
                            resolve_term(meta, v, value)?.as_str(),
                        ])]
                    }
                    Key::Level => vec![Facet::from_path([LEVEL_ROOT, resolve_level(value)?.as_str()])],
                    Key::Place => resolve_place(self.places(&searcher)?, value)?,
                };
                groups.entry(key).or_default().extend(facets);
            }
        }

        // The text query.
        let text_query: Option<Box<dyn TantivyQuery>> = if masked.trim().is_empty() {
            None
        } else {
            // Before the parser, which recurses once per parenthesis.
            check_nesting(&query.text)?;
            let (_, errors) = self.parser.parse_query_lenient(&masked);
            if let Some(e) = errors.first() {
                return Err(parse_error(&query.text, e, meta));
            }
            let (q, errors) = self.parser.parse_query_lenient(&split_han_runs(&masked));
            if let Some(e) = errors.first() {
                return Err(parse_error(&query.text, e, meta));
            }
            Some(q)
        };
        let browsing = text_query.is_none();
        let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
        match &text_query {
            Some(q) => clauses.push((Occur::Must, q.box_clone())),
            None => clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(
                    Box::new(TermQuery::new(Term::from_field_text(f.kind, "case"), IndexRecordOption::Basic)),
                    0.0,
                )),
            )),
        }
        for (key, facets) in &groups {
            let field = if *key == Key::Place { f.place_path } else { f.facet };
            let any: Vec<(Occur, Box<dyn TantivyQuery>)> = facets
                .iter()
                .map(|facet| {
                    let q: Box<dyn TantivyQuery> =
                        Box::new(TermQuery::new(Term::from_facet(field, facet), IndexRecordOption::Basic));
                    (Occur::Should, q)
                })
                .collect();
            clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(any)), 0.0))));
        }
        let full = BooleanQuery::new(clauses);

        // Collect every matching case.
        let mut ranked = searcher.search(&full, &CaseCollector { scoring: !browsing })?;
        if browsing {
            ranked.sort_by_key(|c| c.case);
        } else {
            ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.case.cmp(&b.case)));
        }

        let facets = count_facets(meta, &searcher, &ranked)?;
        let terms = match &text_query {
            Some(q) => self.query_terms(&searcher, q.as_ref())?,
            None => HashMap::new(),
        };
        let expansions = self.expansions(&terms);
        let mut hits = Vec::new();
        for c in ranked.iter().take(query.limit) {
            hits.push(self.hit(&searcher, c, &terms, &expansions, browsing)?);
        }
        Ok(Results { query: query.text.clone(), total: ranked.len(), facets, hits })
    }

    /// The words of the query, as index terms, with a weight (rarer is heavier).
    fn query_terms(&self, searcher: &tantivy::Searcher, query: &dyn TantivyQuery) -> Result<HashMap<String, f32>> {
        let f = self.opened.fields;
        let text_fields = f.text_fields();
        let mut words = BTreeSet::new();
        query.query_terms(&mut |term, _| {
            if text_fields.contains(&term.field()) {
                if let Some(s) = term.value().as_str() {
                    words.insert(s.to_string());
                }
            }
        });
        let mut out = HashMap::new();
        for w in words {
            let df = searcher.doc_freq(&Term::from_field_text(f.body, &w))?;
            out.insert(w, 1.0 / (1.0 + df as f32));
        }
        Ok(out)
    }

    /// The taxonomy terms the query names (all the words of one of their names are in the
    /// query), with the words of all their names: a case tagged `formalism` found by 形式主义
    /// shows where its text says "formalism".
    fn expansions(&self, terms: &HashMap<String, f32>) -> Vec<Expansion> {
        let mut out = Vec::new();
        for term in &self.names {
            if term.names.iter().any(|name| name.iter().all(|w| terms.contains_key(w))) {
                let words = term.names.iter().flatten().map(|w| (w.clone(), EXPANSION_WEIGHT)).collect();
                out.push(Expansion { vocabulary: term.vocabulary.clone(), id: term.id.clone(), words });
            }
        }
        out
    }

    fn hit(
        &self,
        searcher: &tantivy::Searcher,
        c: &Candidate,
        terms: &HashMap<String, f32>,
        expansions: &[Expansion],
        browsing: bool,
    ) -> Result<Hit> {
        let f = self.opened.fields;
        let meta = &self.opened.meta;
        let doc: TantivyDocument = searcher.doc(c.address)?;
        let first = |field| doc.get_first(field).and_then(|v| v.as_str()).map(str::to_string);
        let id = first(f.id).unwrap_or_default();
        let title = first(f.title).unwrap_or_default();
        let body = first(f.body).unwrap_or_default();
        // The section the hit points at: the first whose text holds every word of the query.
        let holds_every_word = |s: &index::SectionSpan| {
            let found: HashSet<String> =
                crate::analysis::tokens(body.get(s.bytes.clone()).unwrap_or_default()).into_iter().collect();
            terms.keys().all(|w| found.contains(w))
        };
        let section = if browsing || terms.is_empty() {
            None
        } else {
            doc.get_all(f.sections)
                .filter_map(|v| v.as_str().and_then(index::SectionSpan::parse))
                .find(holds_every_word)
        };
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
        let mut words = terms.clone();
        for term in expansions {
            if tags.iter().any(|(v, ids)| *v == term.vocabulary && ids.contains(&term.id)) {
                for (w, weight) in &term.words {
                    words.entry(w.clone()).or_insert(*weight);
                }
            }
        }
        let text = section.as_ref().and_then(|s| body.get(s.bytes.clone())).unwrap_or(&body);
        let summary = first(f.summary_text).unwrap_or_default();
        let mut snippet = Vec::new();
        if !browsing {
            snippet = snippet_of(text, &words, SNIPPET_CHARS);
            if snippet.is_empty() {
                snippet = snippet_of(&summary, &words, SNIPPET_CHARS);
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
            snippet,
            tags,
            place: first(f.place).unwrap_or_default(),
            level,
        })
    }
}
