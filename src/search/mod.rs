//! Search: answer a query from the tantivy index that `build` (or `search` itself) wrote.
//!
//! **Queries in everyday words** ([`plan`], [`natural`]): the words of the query, stop words
//! optional, traditional characters folded, each word looked up exactly, as a completion of the
//! unfinished last word, or as the library's word one or two letters away (`formalsim`); a
//! word or words that name a taxonomy term also search the term's other names and the cases
//! tagged with it (formalism ⇄ 形式主义 ⇄ 流于形式), and the term becomes the answer card.
//! Cases holding every word rank first; when fewer than a page do, those holding most of the
//! words follow, and the words no case holds are reported.
//!
//! **The query language**: a query with `OR`, `-word`, `"a phrase"`, `(…)` or `field:word` is
//! read by tantivy's parser over the text fields (`title`^3, `title_zh`^3, `summary`^2, `body`,
//! `place_text`, `tagtext`^0.5), every word required, Han runs cut into words by jieba. A
//! malformed query is an error that shows where it breaks.
//!
//! **Filters.** `force:ID`, `forces:ID`, `practice:ID`, … (any vocabulary, singular or
//! plural), `place:NAME` and `level:LEVEL`, written in the query or passed as flags. A term is
//! named by its id, label or alias; a place by any part of its path, in English or Chinese
//! (`place:Henan`, `place:郑州市`, `place:Henan/Zhengzhou`). Filters of different facets are
//! ANDed; several values of one facet are ORed (`force:a,b`, or the filter repeated). Filters
//! never change scores. A query with filters only (or nothing) browses: all matching cases by id.
//!
//! **Results are per case**, one document each. A hit points at the first tagged section
//! holding the most words of the query, or at the case when none holds any.
//!
//! The folder: `plan` (a query's words and the terms they name), `natural` (looking them up,
//! ranking), `filters` (inline `key:value` filters and what they name), `query_text`
//! (rewriting the query language for tantivy's parser, and its errors), `collect` (one
//! candidate per case, facet counts), `hit` (a hit's section, snippet and tags), `snippet`
//! (cutting and marking snippets) and `output` (`--json` and the human listing). This module
//! reads the index and never writes it.

mod collect;
pub(crate) mod filters;
mod hit;
mod natural;
mod output;
pub mod plan;
mod query_text;
mod snippet;
#[cfg(test)]
mod tests;

pub use output::{render_human, render_json};
pub use snippet::{shorten, snippet_of};

use crate::config::Language;
use crate::error::{Error, Result};
use crate::html::escape;
use crate::index::{self, Meta, Opened, LEVEL_ROOT, YEAR_ROOT};
use collect::{count_facets, CaseCollector};
use filters::{
    filter_names, key_of, place_facets, resolve_level, resolve_place, resolve_term, resolve_year, take_filters, Filter,
    Key,
};
use hit::Marks;
use query_text::{check_nesting, parse_error, split_han_runs};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Mutex, OnceLock};
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query as TantivyQuery, QueryParser, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption};
use tantivy::{IndexReader, ReloadPolicy, Score, Term};

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
    /// The reader's language: a hit's snippet comes from the case's text in it first, and its
    /// URL is that of the page in it.
    pub lang: Option<crate::config::Language>,
}

impl Query {
    pub fn new(text: impl Into<String>) -> Query {
        Query { text: text.into(), filters: Vec::new(), limit: DEFAULT_LIMIT, lang: None }
    }

    pub fn filter(mut self, key: impl Into<String>, value: impl Into<String>) -> Query {
        self.filters.push((key.into(), value.into()));
        self
    }

    pub fn limit(mut self, limit: usize) -> Query {
        self.limit = limit;
        self
    }

    pub fn lang(mut self, lang: crate::config::Language) -> Query {
        self.lang = Some(lang);
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
    /// How many of the query's units (words, or terms named) the case holds.
    pub held: usize,
    pub snippet: Vec<Segment>,
    /// (vocabulary name, term ids), in taxonomy order, every vocabulary present.
    pub tags: Vec<(String, Vec<String>)>,
    /// The place in one line.
    pub place: String,
    pub level: String,
    /// The case's `date` as written (`2019-06`); empty when it has none.
    pub date: String,
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

/// A misspelt word and the library's words searched in its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrected {
    pub word: String,
    pub to: Vec<String>,
}

/// A taxonomy term the query named, and the names searched besides the query's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expanded {
    pub vocabulary: String,
    pub id: String,
    pub label: String,
    pub names: Vec<String>,
}

/// The name of places in filters and expansions.
const PLACE: &str = "place";

/// What a query may name: (vocabulary, term) or a place, in the meta.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Named {
    Term(usize, usize),
    Place(usize),
}

/// The answer card: the term the query names best, shown before the cases.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    pub vocabulary: String,
    /// The vocabulary's singular (`problem`), as filters name it.
    pub singular: String,
    pub id: String,
    pub label: String,
    pub label_zh: Option<String>,
    pub definition: String,
    pub definition_zh: Option<String>,
    pub countermeasure: Option<String>,
    pub countermeasure_zh: Option<String>,
    /// Linked terms of other vocabularies: (vocabulary, [(id, label)]).
    pub links: Vec<(String, Vec<(String, String)>)>,
    /// Cases tagged with the term (all of them, whatever the filters).
    pub cases: usize,
    /// Relative to the site root: `VOCABULARY/ID.html`.
    pub url: String,
}

impl Card {
    /// The card of a province or city: its names, where it is, its cases, its page.
    fn place(p: &crate::model::places::NamedPlace) -> Card {
        Card {
            vocabulary: "places".to_string(),
            singular: PLACE.to_string(),
            // As the page's card names it: the page's path under `places/`.
            id: p.url.trim_start_matches("places/").trim_end_matches(".html").to_string(),
            label: p.name.clone(),
            label_zh: p.name_zh.clone(),
            definition: p.within.clone(),
            definition_zh: p.within_zh.clone(),
            countermeasure: None,
            countermeasure_zh: None,
            links: Vec::new(),
            cases: p.cases,
            url: p.url.clone(),
        }
    }
}

/// The answer to a query.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    /// The query text as given.
    pub query: String,
    /// Number of matching cases.
    pub total: usize,
    /// How many of them hold every word (all of them for the query language).
    pub complete: usize,
    pub facets: Vec<FacetCounts>,
    /// At most `limit` hits, best first (by id when browsing).
    pub hits: Vec<Hit>,
    pub card: Option<Card>,
    /// Words (or terms named) that no case holds.
    pub not_found: Vec<String>,
    /// Stop words: searched, never required.
    pub ignored: Vec<String>,
    pub corrected: Vec<Corrected>,
    pub expanded: Vec<Expanded>,
}

/// What `casebook search` did: the results, and a note on the index they come from when it
/// is not simply the site's (rebuilt first, and why; built for this search alone; kept from
/// before the library's errors).
#[derive(Debug)]
pub struct Searched {
    pub results: Results,
    pub note: Option<String>,
}

/// An open index, ready to answer queries (cheap to query many times).
pub struct Searcher {
    opened: Opened,
    reader: IndexReader,
    /// The query language's parser for a reader of each language of [`Language::ALL`]: the
    /// fields' boosts weighed by the reader's language ([`index::language_weights`]).
    parsers: Vec<QueryParser>,
    /// The text fields' boosts for a reader of each language of [`Language::ALL`].
    boosts: Vec<[f32; index::TEXT_FIELDS.len()]>,
    /// Every taxonomy term, with its names and their keys.
    names: Vec<TermNames>,
    /// Every place path of the index, read on the first place filter.
    places: OnceLock<BTreeSet<Vec<String>>>,
    /// Held while `places` is read, so that concurrent first place filters read it once.
    reading_places: Mutex<()>,
    /// The index's surfaces file, read on the first word the index does not hold.
    surfaces: OnceLock<Vec<(String, String)>>,
}

/// A taxonomy term or a place: its names (label, Chinese label, aliases), each with its tokens
/// and keys.
struct TermNames {
    /// The vocabulary (`place` for a place) and the id (a place's path, `/`-joined), as the
    /// query's expansions name it.
    vocabulary: String,
    id: String,
    at: Named,
    names: Vec<String>,
    tokens: Vec<Vec<String>>,
    keys: Vec<Vec<String>>,
}

impl TermNames {
    fn new(vocabulary: String, id: String, at: Named, names: Vec<String>) -> TermNames {
        TermNames {
            vocabulary,
            id,
            at,
            tokens: names.iter().map(|n| crate::analysis::tokens(n)).collect(),
            keys: names.iter().map(|n| plan::name_keys(n)).collect(),
            names,
        }
    }
}

impl Searcher {
    /// Opens the index folder (by default `.casebook/index` in the library).
    pub fn open(dir: &Path) -> Result<Searcher> {
        let opened = index::open(dir)?;
        let reader = opened.index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let f = opened.fields;
        // The boosts are the schema's, weighed by the reader's language, as the browser
        // index's weights are.
        let boosts: Vec<[f32; index::TEXT_FIELDS.len()]> = Language::ALL
            .iter()
            .map(|&reader| {
                let weights = index::language_weights(&opened.meta.languages, opened.meta.content_language, reader);
                std::array::from_fn(|i| index::TEXT_FIELDS[i].1 * weights[i])
            })
            .collect();
        let parsers = boosts
            .iter()
            .map(|boosts| {
                let mut parser = QueryParser::for_index(&opened.index, f.text_fields().to_vec());
                parser.set_conjunction_by_default();
                for (field, &boost) in f.text_fields().into_iter().zip(boosts) {
                    if boost != 1.0 {
                        parser.set_field_boost(field, boost);
                    }
                }
                parser
            })
            .collect();
        let mut names = Vec::new();
        for (v, vocabulary) in opened.meta.vocabularies.iter().enumerate() {
            for (t, term) in vocabulary.terms.iter().enumerate() {
                let all: Vec<String> =
                    std::iter::once(&term.label).chain(&term.label_zh).chain(&term.aliases).cloned().collect();
                names.push(TermNames::new(vocabulary.name.clone(), term.id.clone(), Named::Term(v, t), all));
            }
        }
        // Places after terms: a name that is both a term's and a place's gives the term's card.
        for (p, place) in opened.meta.places.iter().enumerate() {
            names.push(TermNames::new(PLACE.to_string(), place.path.join("/"), Named::Place(p), place.names.clone()));
        }
        Ok(Searcher {
            opened,
            reader,
            parsers,
            boosts,
            names,
            places: OnceLock::new(),
            reading_places: Mutex::new(()),
            surfaces: OnceLock::new(),
        })
    }

    pub fn meta(&self) -> &Meta {
        &self.opened.meta
    }

    /// The language a query is ranked for: the reader's, or the site's default.
    fn reader(&self, query: &Query) -> Language {
        let meta = &self.opened.meta;
        query.lang.or(meta.languages.first().copied()).unwrap_or(meta.content_language)
    }

    /// The parser of a reader of `lang`.
    fn parser(&self, lang: Language) -> &QueryParser {
        &self.parsers[lang.position()]
    }

    /// The text fields' boosts for a reader of `lang`.
    fn boosts(&self, lang: Language) -> &[f32; index::TEXT_FIELDS.len()] {
        &self.boosts[lang.position()]
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

    /// The index's surfaces (English words whose token is another), read once, on the first
    /// word the index lacks (every index of this format has the file).
    fn surfaces(&self) -> Result<&[(String, String)]> {
        if let Some(s) = self.surfaces.get() {
            return Ok(s);
        }
        let read = index::read_surfaces(&self.opened.dir)?;
        Ok(self.surfaces.get_or_init(|| read))
    }

    /// The filters of `query` (inline and given apart), one query per facet (values ORed), and
    /// the text with the inline ones taken out.
    fn filters(&self, searcher: &tantivy::Searcher, query: &Query) -> Result<(String, Vec<Box<dyn TantivyQuery>>)> {
        let meta = &self.opened.meta;
        let f = self.opened.fields;
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
                    Key::Level => vec![Facet::from_path([LEVEL_ROOT, resolve_level(meta, value)?.as_str()])],
                    Key::Year => vec![Facet::from_path([YEAR_ROOT, resolve_year(value)?.as_str()])],
                    Key::Place => resolve_place(self.places(searcher)?, value)?,
                };
                groups.entry(key).or_default().extend(facets);
            }
        }
        let mut out: Vec<Box<dyn TantivyQuery>> = Vec::new();
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
            out.push(Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(any)), 0.0)));
        }
        Ok((masked, out))
    }

    /// Runs a query.
    pub fn search(&self, query: &Query) -> Result<Results> {
        let meta = &self.opened.meta;
        let searcher = self.reader.searcher();
        let (masked, filters) = self.filters(&searcher, query)?;
        let mut results = Results {
            query: query.text.clone(),
            total: 0,
            complete: 0,
            facets: Vec::new(),
            hits: Vec::new(),
            card: None,
            not_found: Vec::new(),
            ignored: Vec::new(),
            corrected: Vec::new(),
            expanded: Vec::new(),
        };
        let (ranked, marks) = if plan::is_expert(&masked) {
            self.expert(&searcher, query, &masked, &filters)?
        } else {
            let open = !query.text.ends_with(char::is_whitespace);
            let planned = self.plan(&searcher, &masked, open, self.reader(query))?;
            if planned.units.is_empty() {
                (self.browse(&searcher, &filters)?, Marks::default())
            } else {
                let (ranked, not_found) = self.rank(&searcher, &planned, &filters, query.limit)?;
                results.not_found = not_found;
                results.complete = ranked.iter().filter(|r| r.held == planned.units.len()).count();
                results.card = planned.card.map(|t| self.card(&searcher, t)).transpose()?;
                results.ignored = planned.ignored.clone();
                results.corrected = planned.corrected.clone();
                results.expanded = planned.expanded.clone();
                let marks = self.marks(&searcher, &planned)?;
                (ranked, marks)
            }
        };
        let candidates: Vec<collect::Candidate> = ranked.iter().map(|r| r.candidate).collect();
        results.facets = count_facets(meta, &searcher, &candidates)?;
        results.total = ranked.len();
        if marks.units.is_empty() {
            results.complete = ranked.len();
        }
        for r in ranked.iter().take(query.limit) {
            results.hits.push(self.hit(&searcher, r, &marks, query.lang)?);
        }
        // The pages of the reader's language: another than the site's default is in a folder.
        // (A language the site has no pages in links to the default's.)
        let tree = query.lang.filter(|l| meta.languages.contains(l)).map(|l| l.folder_in(&meta.languages));
        if let Some(tree) = tree.filter(|t| !t.is_empty()) {
            for hit in &mut results.hits {
                hit.url.insert_str(0, &tree);
            }
            if let Some(card) = &mut results.card {
                card.url.insert_str(0, &tree);
            }
        }
        Ok(results)
    }

    /// Every case passing the filters, by id (a query with no words).
    fn browse(&self, searcher: &tantivy::Searcher, filters: &[Box<dyn TantivyQuery>]) -> Result<Vec<natural::Ranked>> {
        let f = self.opened.fields;
        let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = vec![(
            Occur::Must,
            Box::new(ConstScoreQuery::new(
                Box::new(TermQuery::new(Term::from_field_text(f.kind, "case"), IndexRecordOption::Basic)),
                0.0,
            )),
        )];
        clauses.extend(filters.iter().map(|q| (Occur::Must, q.box_clone())));
        let mut found = searcher.search(&BooleanQuery::new(clauses), &CaseCollector { scoring: false })?;
        found.sort_by_key(|c| c.case);
        Ok(found
            .into_iter()
            .map(|candidate| natural::Ranked {
                candidate: collect::Candidate { score: 0.0, ..candidate },
                held: 0,
                tagged: 0,
            })
            .collect())
    }

    /// A query in the query language: tantivy's parser, every word required.
    fn expert(
        &self,
        searcher: &tantivy::Searcher,
        query: &Query,
        masked: &str,
        filters: &[Box<dyn TantivyQuery>],
    ) -> Result<(Vec<natural::Ranked>, Marks)> {
        let meta = &self.opened.meta;
        // Before the parser, which recurses once per parenthesis.
        check_nesting(&query.text)?;
        let parser = self.parser(self.reader(query));
        let (_, errors) = parser.parse_query_lenient(masked);
        if let Some(e) = errors.first() {
            return Err(parse_error(&query.text, e, meta));
        }
        let folded = crate::analysis::script::fold(masked);
        let (q, errors) = parser.parse_query_lenient(&split_han_runs(&folded));
        if let Some(e) = errors.first() {
            return Err(parse_error(&query.text, e, meta));
        }
        let mut clauses = vec![(Occur::Must, q.box_clone())];
        clauses.extend(filters.iter().map(|f| (Occur::Must, f.box_clone())));
        let mut ranked = searcher.search(&BooleanQuery::new(clauses), &CaseCollector { scoring: true })?;
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.case.cmp(&b.case)));
        let marks = self.expert_marks(searcher, q.as_ref())?;
        let held = marks.units.len();
        Ok((ranked.into_iter().map(|candidate| natural::Ranked { candidate, held, tagged: 0 }).collect(), marks))
    }
}
