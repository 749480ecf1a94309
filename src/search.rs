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

use crate::error::{Error, Result};
use crate::index::{self, Fields, Meta, Opened, LEVEL_ROOT, PLACE_ROOT, PLACE_ZH_ROOT};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ops::Range;
use std::path::Path;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, Occur, Query as TantivyQuery, QueryParser, QueryParserError, TermQuery,
};
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::tokenizer::{TokenStream, Tokenizer};
use tantivy::{
    DocAddress, DocId, IndexReader, ReloadPolicy, Score, SegmentOrdinal, SegmentReader, TantivyDocument, Term,
};

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
            escape_html(text, &mut out);
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

// ---------------------------------------------------------------------------------------------
// Filters

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Key {
    Vocabulary(usize),
    Place,
    Level,
}

fn key_of(meta: &Meta, name: &str) -> Option<Key> {
    let name = name.to_lowercase();
    if let Some(v) = meta.vocabularies.iter().position(|v| v.name == name || crate::validate::singular(&v.name) == name)
    {
        return Some(Key::Vocabulary(v));
    }
    match name.as_str() {
        "place" | "places" => Some(Key::Place),
        "level" | "levels" => Some(Key::Level),
        _ => None,
    }
}

fn filter_names(meta: &Meta) -> Vec<String> {
    let mut names: Vec<String> =
        meta.vocabularies.iter().map(|v| crate::validate::singular(&v.name).to_string()).collect();
    names.push("place".into());
    names.push("level".into());
    names
}

/// Fields a query may name (`title:红墙`).
const QUERY_FIELDS: &[&str] = &["title", "title_zh", "summary", "body", "place_text", "tagtext", "id", "kind"];

/// An inline `key:value` filter found in the text.
struct Inline {
    key: Key,
    value: String,
}

/// Takes the filters out of the query text. Each is replaced by spaces, so positions in the
/// rest of the text (for error messages) stay those of the text as typed.
fn take_filters(meta: &Meta, text: &str) -> (String, Vec<Inline>) {
    let mut masked = text.to_string();
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut in_quotes = false;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'"' {
            in_quotes = !in_quotes;
            i += 1;
            continue;
        }
        let word_start = i == 0 || bytes[i - 1].is_ascii_whitespace() || bytes[i - 1] == b'(';
        if in_quotes || !word_start || !c.is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'-' || bytes[j] == b'_') {
            j += 1;
        }
        let key = if j < bytes.len() && bytes[j] == b':' { key_of(meta, &text[i..j]) } else { None };
        let Some(key) = key else {
            i = j.max(i + 1);
            continue;
        };
        // The value: "quoted" or up to the next space or closing parenthesis.
        let start = j + 1;
        let (value, end) = if bytes.get(start) == Some(&b'"') {
            match text[start + 1..].find('"') {
                Some(k) => (&text[start + 1..start + 1 + k], start + k + 2),
                None => (&text[start + 1..], text.len()),
            }
        } else {
            let k = text[start..].find(|c: char| c.is_whitespace() || c == ')').unwrap_or(text.len() - start);
            (&text[start..start + k], start + k)
        };
        found.push(Inline { key, value: value.to_string() });
        masked.replace_range(i..end, &" ".repeat(end - i));
        i = end;
    }
    (colons_as_text(&masked), found)
}

/// A colon is field syntax only in `name:value` with a name starting with a letter; any other
/// colon ("Chang'an: red wall", "10:30", "注意:") is punctuation, read as a space.
fn colons_as_text(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = text.as_bytes().to_vec();
    let mut in_quotes = false;
    for (i, &c) in bytes.iter().enumerate() {
        match c {
            b'"' => in_quotes = !in_quotes,
            b':' if !in_quotes => {
                let key_start = bytes[..i]
                    .iter()
                    .rposition(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-'))
                    .map_or(0, |p| p + 1);
                let at_word_start = key_start == 0
                    || bytes[key_start - 1].is_ascii_whitespace()
                    || matches!(bytes[key_start - 1], b'(' | b'+' | b'-');
                let named = key_start < i && bytes[key_start].is_ascii_alphabetic() && at_word_start;
                let value_follows = bytes.get(i + 1).is_some_and(|b| !b.is_ascii_whitespace());
                if !(named && value_follows) {
                    out[i] = b' ';
                }
            }
            _ => {}
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

fn normalize(s: &str) -> String {
    s.trim().to_lowercase().replace(['_', ' '], "-")
}

/// Resolves a term named by id, label or alias.
fn resolve_term(meta: &Meta, v: usize, value: &str) -> Result<String> {
    let vocab = &meta.vocabularies[v];
    if let Some(t) = vocab.terms.iter().find(|t| t.id == value) {
        return Ok(t.id.clone());
    }
    let w = normalize(value);
    let by_name = vocab.terms.iter().find(|t| {
        t.id == w
            || normalize(&t.label) == w
            || t.label_zh.as_deref().is_some_and(|l| normalize(l) == w)
            || t.aliases.iter().any(|a| normalize(a) == w)
    });
    if let Some(t) = by_name {
        return Ok(t.id.clone());
    }
    let name = crate::validate::singular(&vocab.name);
    let hint = match crate::validate::nearest(value, vocab.terms.iter().map(|t| t.id.as_str())) {
        Some(n) => format!("did you mean `{n}`?"),
        None if vocab.terms.len() <= 12 => {
            format!(
                "known {}: {}",
                vocab.name,
                vocab.terms.iter().map(|t| t.id.as_str()).collect::<Vec<_>>().join(", ")
            )
        }
        None => format!("see `casebook tags` for the {} of the library", vocab.name),
    };
    Err(Error::Usage(format!("unknown {name} `{value}`: {hint}")))
}

fn resolve_level(value: &str) -> Result<String> {
    let v = value.trim().to_lowercase();
    if crate::validate::LEVELS.contains(&v.as_str()) {
        return Ok(v);
    }
    let hint = match crate::validate::nearest(&v, crate::validate::LEVELS.iter().copied()) {
        Some(n) => format!("did you mean `{n}`?"),
        None => format!("one of: {}", crate::validate::LEVELS.join(", ")),
    };
    Err(Error::Usage(format!("unknown level `{value}`: {hint}")))
}

/// Every place path of the index (`place` and `place_zh` roots, all depths).
fn place_facets(searcher: &tantivy::Searcher, f: &Fields) -> Result<BTreeSet<Vec<String>>> {
    let mut out = BTreeSet::new();
    for root in [PLACE_ROOT, PLACE_ZH_ROOT] {
        let lo = format!("{root}\u{0}");
        let hi = format!("{root}\u{1}");
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(f.place_path)?;
            let mut stream = inverted
                .terms()
                .range()
                .ge(lo.as_bytes())
                .lt(hi.as_bytes())
                .into_stream()
                .map_err(|e| Error::index_because("cannot read the place terms", e))?;
            while stream.advance() {
                if let Ok(s) = std::str::from_utf8(stream.key()) {
                    out.insert(s.split('\u{0}').map(str::to_string).collect());
                }
            }
        }
    }
    Ok(out)
}

/// The place facets named by `value`: those whose path ends with the parts of `value`.
fn resolve_place(places: &BTreeSet<Vec<String>>, value: &str) -> Result<Vec<Facet>> {
    let want: Vec<String> = value.split('/').map(|p| p.trim().to_lowercase()).filter(|p| !p.is_empty()).collect();
    if want.is_empty() {
        return Err(Error::Usage("empty place filter: write e.g. `place:Henan`".into()));
    }
    let matches: Vec<Facet> = places
        .iter()
        .filter(|path| {
            path.len() > want.len()
                && path[path.len() - want.len()..].iter().zip(&want).all(|(a, b)| a.to_lowercase() == *b)
        })
        .map(Facet::from_path)
        .collect();
    if matches.is_empty() {
        let names: BTreeSet<&str> = places.iter().flat_map(|p| p[1..].iter().map(String::as_str)).collect();
        let hint = match crate::validate::nearest(value, names.iter().copied()) {
            Some(n) => format!("did you mean `{n}`?"),
            None => {
                "write a province, city or unit of the library, e.g. `place:Henan` or `place:Henan/Zhengzhou`".into()
            }
        };
        return Err(Error::Usage(format!("no case is in place `{value}`: {hint}")));
    }
    Ok(matches)
}

// ---------------------------------------------------------------------------------------------
// Query text

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Puts a space between the words of each bare run of Han characters (outside quotes, not
/// right after `:`, `+` or `-`), so that the query parser ANDs them instead of asking for
/// the exact phrase.
fn split_han_runs(text: &str) -> String {
    let mut jieba = tantivy_jieba::JiebaTokenizer::with_search_mode(false);
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_quotes = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '"' {
            in_quotes = !in_quotes;
        }
        if !in_quotes && is_han(c) {
            let end = rest.find(|c: char| !is_han(c)).unwrap_or(rest.len());
            let run = &rest[..end];
            if matches!(out.chars().last(), Some(':' | '+' | '-')) {
                out.push_str(run);
                rest = &rest[end..];
                continue;
            }
            let mut stream = jieba.token_stream(run);
            let mut words = Vec::new();
            while let Some(t) = stream.next() {
                words.push(t.text.clone());
            }
            out.push_str(&words.join(" "));
            rest = &rest[end..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// A parse error as a user reads it: the message, the query, and a caret under the place.
fn parse_error(original: &str, error: &QueryParserError, meta: &Meta) -> Error {
    let (message, at) = match error {
        QueryParserError::SyntaxError(m) => match m.rsplit_once(" at position ") {
            Some((msg, pos)) => (msg.replace("\\\"", "\""), pos.trim().parse::<usize>().ok()),
            None => (m.clone(), None),
        },
        QueryParserError::FieldDoesNotExist(field) => {
            let at = original.find(&format!("{field}:"));
            let filters = filter_names(meta);
            let known = filters.iter().map(String::as_str).chain(QUERY_FIELDS.iter().copied());
            let hint = match crate::validate::nearest(field, known) {
                Some(n) => format!("did you mean `{n}:`?"),
                None => format!("filters: {}; fields: {}", filters.join(", "), QUERY_FIELDS.join(", ")),
            };
            (format!("`{field}:` is neither a filter nor a field ({hint})"), at)
        }
        QueryParserError::AllButQueryForbidden => {
            ("a query cannot only exclude words: add a word to look for".to_string(), None)
        }
        other => (other.to_string(), None),
    };
    let mut text = format!("cannot read the query: {message}");
    if let Some(at) = at.filter(|&a| a <= original.len() && original.is_char_boundary(a)) {
        let col = unicode_width::UnicodeWidthStr::width(&original[..at]);
        text.push_str(&format!("\n  {original}\n  {}^", " ".repeat(col)));
    }
    text.push_str(
        "\n  hint: words are ANDed; use OR, -word, \"a phrase\", (…); filters look like force:ID, place:NAME, level:LEVEL",
    );
    Error::Query(text)
}

// ---------------------------------------------------------------------------------------------
// The searcher

/// An open index, ready to answer queries (cheap to query many times).
pub struct Searcher {
    opened: Opened,
    reader: IndexReader,
    parser: QueryParser,
    /// Per taxonomy term: (vocabulary name, term id, the tokens of each of its names).
    names: Vec<(String, String, Vec<Vec<String>>)>,
    /// Every place path of the index, read on the first place filter.
    places: std::sync::OnceLock<BTreeSet<Vec<String>>>,
}

/// Words that stand for a taxonomy term the query named: (vocabulary, term id) → words.
type Expansions = Vec<((String, String), HashMap<String, f32>)>;

/// Weight of a word marked because it names a term the query named.
const EXPANSION_WEIGHT: f32 = 0.05;

impl Searcher {
    /// Opens the index folder (`SITE/_search/tantivy`).
    pub fn open(dir: &Path) -> Result<Searcher> {
        let opened = index::open(dir)?;
        let reader = opened.index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let f = opened.fields;
        let mut parser = QueryParser::for_index(
            &opened.index,
            vec![f.title, f.title_zh, f.summary, f.body, f.place_text, f.tagtext],
        );
        parser.set_conjunction_by_default();
        parser.set_field_boost(f.title, 3.0);
        parser.set_field_boost(f.title_zh, 3.0);
        parser.set_field_boost(f.summary, 2.0);
        parser.set_field_boost(f.tagtext, 0.5);
        let mut names = Vec::new();
        for v in &opened.meta.vocabularies {
            for t in &v.terms {
                let all = std::iter::once(&t.label).chain(&t.label_zh).chain(&t.aliases);
                let tokens = all.map(|n| index::tokens(n)).filter(|t| !t.is_empty()).collect();
                names.push((v.name.clone(), t.id.clone(), tokens));
            }
        }
        Ok(Searcher { opened, reader, parser, names, places: std::sync::OnceLock::new() })
    }

    pub fn meta(&self) -> &Meta {
        &self.opened.meta
    }

    /// Runs a query.
    pub fn search(&self, query: &Query) -> Result<Results> {
        let meta = &self.opened.meta;
        let f = self.opened.fields;
        let searcher = self.reader.searcher();

        // Filters: inline ones and flags, grouped by facet.
        let (masked, inline) = take_filters(meta, &query.text);
        let mut wanted: Vec<(Key, String)> = inline.into_iter().map(|i| (i.key, i.value)).collect();
        for (k, value) in &query.filters {
            let key = key_of(meta, k).ok_or_else(|| {
                Error::Usage(format!("unknown filter `{k}`: use one of {}", filter_names(meta).join(", ")))
            })?;
            wanted.push((key, value.clone()));
        }
        let mut groups: BTreeMap<Key, Vec<Facet>> = BTreeMap::new();
        for (key, value) in wanted {
            for value in value.split(',').map(str::trim).filter(|v| !v.is_empty()) {
                let facets = match key {
                    Key::Vocabulary(v) => {
                        vec![Facet::from_path([
                            meta.vocabularies[v].name.as_str(),
                            resolve_term(meta, v, value)?.as_str(),
                        ])]
                    }
                    Key::Level => vec![Facet::from_path([LEVEL_ROOT, resolve_level(value)?.as_str()])],
                    Key::Place => {
                        if self.places.get().is_none() {
                            let _ = self.places.set(place_facets(&searcher, &f)?);
                        }
                        resolve_place(self.places.get().unwrap_or(&BTreeSet::new()), value)?
                    }
                };
                groups.entry(key).or_default().extend(facets);
            }
        }

        // The text query.
        let text_query: Option<Box<dyn TantivyQuery>> = if masked.trim().is_empty() {
            None
        } else {
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

        let facets = self.count_facets(&searcher, &ranked)?;
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

    /// Facet counts over the matching cases (one document per case).
    fn count_facets(&self, searcher: &tantivy::Searcher, cases: &[Candidate]) -> Result<Vec<FacetCounts>> {
        let meta = &self.opened.meta;
        let mut by_segment: BTreeMap<SegmentOrdinal, Vec<DocId>> = BTreeMap::new();
        for c in cases {
            by_segment.entry(c.address.segment_ord).or_default().push(c.address.doc_id);
        }
        let mut counts: HashMap<String, usize> = HashMap::new();
        for (segment, docs) in by_segment {
            let reader = searcher.segment_reader(segment).facet_reader("facet")?;
            let mut per_ord = vec![0usize; reader.num_facets()];
            for doc in docs {
                for ord in reader.facet_ords(doc) {
                    if let Some(n) = per_ord.get_mut(ord as usize) {
                        *n += 1;
                    }
                }
            }
            let mut facet = Facet::root();
            for (ord, n) in per_ord.into_iter().enumerate().filter(|(_, n)| *n > 0) {
                reader.facet_from_ord(ord as u64, &mut facet)?;
                *counts.entry(facet.encoded_str().to_string()).or_default() += n;
            }
        }
        // Leaf facets to the counts shown: vocabulary terms, levels, provinces and cities.
        let mut vocab: Vec<BTreeMap<&str, usize>> = vec![BTreeMap::new(); meta.vocabularies.len()];
        let mut place: BTreeMap<String, usize> = BTreeMap::new();
        let mut level: BTreeMap<String, usize> = BTreeMap::new();
        for (encoded, n) in &counts {
            let path: Vec<&str> = encoded.split('\u{0}').collect();
            match path.as_slice() {
                [root, rest @ ..] if *root == PLACE_ROOT => {
                    for depth in 1..=rest.len().min(2) {
                        *place.entry(rest[..depth].join("/")).or_default() += n;
                    }
                }
                [root, value] if *root == LEVEL_ROOT => *level.entry(value.to_string()).or_default() += n,
                [root, term] => {
                    if let Some(v) = meta.vocabularies.iter().position(|v| v.name == *root) {
                        *vocab[v].entry(term).or_default() += n;
                    }
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        for (v, vocabulary) in meta.vocabularies.iter().enumerate() {
            let counts = vocabulary
                .terms
                .iter()
                .filter_map(|t| vocab[v].get(t.id.as_str()).map(|&n| (t.id.clone(), n)))
                .collect();
            out.push(FacetCounts { name: crate::validate::singular(&vocabulary.name).to_string(), counts });
        }
        out.push(FacetCounts { name: "place".into(), counts: place.into_iter().collect() });
        let mut levels: Vec<(String, usize)> = level.into_iter().collect();
        levels.sort_by_key(|(l, _)| crate::validate::LEVELS.iter().position(|x| x == l).unwrap_or(usize::MAX));
        out.push(FacetCounts { name: "level".into(), counts: levels });
        Ok(out)
    }

    /// The words of the query, as index terms, with a weight (rarer is heavier).
    fn query_terms(&self, searcher: &tantivy::Searcher, query: &dyn TantivyQuery) -> Result<HashMap<String, f32>> {
        let f = self.opened.fields;
        let text_fields = [f.title, f.title_zh, f.summary, f.body, f.place_text, f.tagtext];
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
    fn expansions(&self, terms: &HashMap<String, f32>) -> Expansions {
        let mut out = Vec::new();
        for (vocabulary, id, names) in &self.names {
            if names.iter().any(|name| name.iter().all(|w| terms.contains_key(w))) {
                let words = names.iter().flatten().map(|w| (w.clone(), EXPANSION_WEIGHT)).collect();
                out.push(((vocabulary.clone(), id.clone()), words));
            }
        }
        out
    }

    fn hit(
        &self,
        searcher: &tantivy::Searcher,
        c: &Candidate,
        terms: &HashMap<String, f32>,
        expansions: &Expansions,
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
                index::tokens(body.get(s.bytes.clone()).unwrap_or_default()).into_iter().collect();
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
        for ((vocabulary, id), extra) in expansions {
            if tags.iter().any(|(v, ids)| v == vocabulary && ids.contains(id)) {
                for (w, weight) in extra {
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

// ---------------------------------------------------------------------------------------------
// Collecting

/// A matching case: its number, score and document.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    case: u64,
    score: Score,
    address: DocAddress,
}

struct CaseCollector {
    scoring: bool,
}

struct CaseSegmentCollector {
    segment: SegmentOrdinal,
    case_ord: Column<u64>,
    found: Vec<Candidate>,
}

impl Collector for CaseCollector {
    type Fruit = Vec<Candidate>;
    type Child = CaseSegmentCollector;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<CaseSegmentCollector> {
        Ok(CaseSegmentCollector { segment, case_ord: reader.fast_fields().u64("case_ord")?, found: Vec::new() })
    }

    fn requires_scoring(&self) -> bool {
        self.scoring
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Candidate>>) -> tantivy::Result<Vec<Candidate>> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for CaseSegmentCollector {
    type Fruit = Vec<Candidate>;

    fn collect(&mut self, doc: DocId, score: Score) {
        if let Some(case) = self.case_ord.first(doc) {
            self.found.push(Candidate { case, score, address: DocAddress::new(self.segment, doc) });
        }
    }

    fn harvest(self) -> Vec<Candidate> {
        self.found
    }
}

// ---------------------------------------------------------------------------------------------
// Snippets

/// The passage of `text` of about `max_chars` characters with the most (and rarest) query
/// words, cut into plain and marked segments. Empty when no query word is in `text`.
pub fn snippet_of(text: &str, terms: &HashMap<String, f32>, max_chars: usize) -> Vec<Segment> {
    if terms.is_empty() || text.is_empty() {
        return Vec::new();
    }
    // Matched byte ranges, merged; each with the weight of its word.
    let mut matches: Vec<(Range<usize>, String)> = index::analyze(text)
        .into_iter()
        .filter(|t| {
            terms.contains_key(&t.text) && text.is_char_boundary(t.range.start) && text.is_char_boundary(t.range.end)
        })
        .map(|t| (t.range, t.text))
        .collect();
    if matches.is_empty() {
        return Vec::new();
    }
    matches.sort_by_key(|(r, _)| (r.start, r.end));
    // Char index of every byte offset we need: walk the text once.
    let char_starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    let char_of = |byte: usize| char_starts.partition_point(|&b| b < byte);
    let byte_of = |ch: usize| char_starts.get(ch).copied().unwrap_or(text.len());
    let total_chars = char_starts.len();
    let lead_in = max_chars / 5;

    // Windows start a little before each match; the best holds the heaviest set of words.
    let mut best: Option<(f32, usize, usize)> = None; // (score, start char, end char)
    for (r, _) in &matches {
        let start = char_of(r.start).saturating_sub(lead_in);
        // Prefer to start at a sentence or line start inside the lead-in.
        let start = (start..char_of(r.start))
            .rev()
            .find(|&ch| ch > 0 && is_break(text[byte_of(ch - 1)..].chars().next().unwrap_or(' ')))
            .unwrap_or(start);
        let end = (start + max_chars).min(total_chars);
        let (lo, hi) = (byte_of(start), byte_of(end));
        let mut seen = HashSet::new();
        let mut score = 0.0;
        for (m, t) in &matches {
            if m.start >= lo && m.end <= hi && seen.insert(t.as_str()) {
                score += terms.get(t).copied().unwrap_or(0.0) + 1.0;
            }
        }
        if best.is_none_or(|(s, _, _)| score > s) {
            best = Some((score, start, end));
        }
    }
    let Some((_, mut start, mut end)) = best else { return Vec::new() };
    // Never cut a Latin word in two: move the ends to word boundaries (within the window).
    let char_at = |ch: usize| text[byte_of(ch)..].chars().next().unwrap_or(' ');
    let word = |c: char| c.is_ascii_alphanumeric();
    let first_match = matches.iter().map(|(m, _)| char_of(m.start)).filter(|&c| c >= start).min().unwrap_or(start);
    while start > 0 && start < first_match && word(char_at(start - 1)) && word(char_at(start)) {
        start += 1;
    }
    let mut back = end;
    while back > start && back < total_chars && word(char_at(back - 1)) && word(char_at(back)) {
        back -= 1;
    }
    if back > start {
        end = back;
    }
    let (lo, mut hi) = (byte_of(start), byte_of(end));
    // Never end inside a marked word.
    for (m, _) in &matches {
        if m.start < hi && m.end > hi {
            hi = m.end;
        }
    }
    let mut marks: Vec<Range<usize>> = Vec::new();
    for (m, _) in matches.iter().filter(|(m, _)| m.start >= lo && m.end <= hi) {
        match marks.last_mut() {
            Some(last) if m.start <= last.end => last.end = last.end.max(m.end),
            _ => marks.push(m.clone()),
        }
    }
    let mut out: Vec<Segment> = Vec::new();
    let mut push = |s: &str, marked: bool| {
        let s = squeeze(s);
        if !s.is_empty() {
            out.push((s, marked));
        }
    };
    let mut at = lo;
    if lo > 0 {
        push("…", false);
    }
    for m in &marks {
        push(&text[at..m.start], false);
        push(&text[m.clone()], true);
        at = m.end;
    }
    push(&text[at..hi], false);
    if hi < text.len() {
        push("…", false);
    }
    // Merge neighbouring plain segments ("…" and the text after it).
    let mut merged: Vec<Segment> = Vec::new();
    for (s, m) in out {
        match merged.last_mut() {
            Some((prev, false)) if !m => prev.push_str(&s),
            _ => merged.push((s, m)),
        }
    }
    if let Some((first, false)) = merged.first_mut() {
        *first = first.trim_start().to_string();
    }
    merged
}

fn is_break(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '。' | '！' | '？' | '；' | '\n')
}

/// Runs of white space become one space (snippets are one line).
fn squeeze(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    if space {
        out.push(' ');
    }
    out
}

/// The start of `text`, one line, at most `max_chars` characters, with `…` when cut.
fn shorten(text: &str, max_chars: usize) -> String {
    let flat = squeeze(text.trim());
    match flat.char_indices().nth(max_chars) {
        Some((i, _)) => format!("{}…", flat[..i].trim_end()),
        None => flat,
    }
}

fn escape_html(s: &str, out: &mut String) {
    out.push_str(&crate::render::escape(s));
}

// ---------------------------------------------------------------------------------------------
// Output

struct CountsView<'a>(&'a [(String, usize)]);

impl Serialize for CountsView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, n) in self.0 {
            m.serialize_entry(k, n)?;
        }
        m.end()
    }
}

struct FacetsView<'a>(&'a [FacetCounts]);

impl Serialize for FacetsView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for f in self.0 {
            m.serialize_entry(&f.name, &CountsView(&f.counts))?;
        }
        m.end()
    }
}

impl Serialize for Hit {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", &self.id)?;
        m.serialize_entry("title", &self.title)?;
        m.serialize_entry("title_zh", &self.title_zh)?;
        m.serialize_entry("url", &self.url)?;
        m.serialize_entry("section", &self.section)?;
        m.serialize_entry("score", &self.score)?;
        m.serialize_entry("snippet_html", &self.snippet_html())?;
        for (vocabulary, ids) in &self.tags {
            m.serialize_entry(vocabulary, ids)?;
        }
        m.serialize_entry("place", &self.place)?;
        m.end()
    }
}

impl Serialize for Results {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("query", &self.query)?;
        m.serialize_entry("total", &self.total)?;
        m.serialize_entry("facets", &FacetsView(&self.facets))?;
        m.serialize_entry("hits", &self.hits)?;
        m.end()
    }
}

/// `--json`: `{"query", "total", "facets": {"force": {"id": n}, …}, "hits": [...]}`.
pub fn render_json(results: &Results) -> String {
    serde_json::to_string_pretty(results).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// The human listing; `color` marks matched words in bold (ANSI) for a terminal.
pub fn render_human(results: &Results, color: bool) -> String {
    let mut out = String::new();
    let (bold, dim, reset) = if color { ("\x1b[1m", "\x1b[2m", "\x1b[0m") } else { ("", "", "") };
    let shown = results.hits.len();
    let what = crate::diag::plural(results.total, "case", "cases");
    let verb = if results.total == 1 { "matches" } else { "match" };
    let head = if results.query.trim().is_empty() { what } else { format!("{what} {verb} {:?}", results.query) };
    if shown < results.total {
        out.push_str(&format!("{head} (showing {shown}; --limit N for more)\n"));
    } else {
        out.push_str(&format!("{head}\n"));
    }
    for (i, hit) in results.hits.iter().enumerate() {
        out.push('\n');
        out.push_str(&format!("{:>2}. {bold}{}{reset}\n", i + 1, hit.title));
        if let Some(zh) = &hit.title_zh {
            out.push_str(&format!("    {zh}\n"));
        }
        out.push_str(&format!("    {dim}{} · {}{reset}\n", hit.place, hit.level));
        let tags: Vec<String> = hit
            .tags
            .iter()
            .filter(|(_, ids)| !ids.is_empty())
            .map(|(v, ids)| format!("{v}: {}", ids.join(", ")))
            .collect();
        if !tags.is_empty() {
            out.push_str(&format!("    {dim}{}{reset}\n", tags.join(" | ")));
        }
        match &hit.section {
            Some(s) => out.push_str(&format!("    {} ({s})\n", hit.url)),
            None => out.push_str(&format!("    {}\n", hit.url)),
        }
        let mut line = String::new();
        for (text, marked) in &hit.snippet {
            if *marked && color {
                line.push_str(&format!("{bold}{text}{reset}"));
            } else {
                line.push_str(text);
            }
        }
        out.push_str(&format!("    {line}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
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
    fn a_hit_points_at_the_first_section_holding_every_word() {
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
        // No section holds both words, or the words are outside the tagged sections: the case.
        assert_eq!(hit("lantern harbour").unwrap().1, None);
        assert_eq!(hit("lantern OR harbour").unwrap().0, "cases/two.html");
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
        // A case counts once however many of its documents match.
        assert_eq!(r.total, r.hits.len());
        assert_eq!(ids(&r).iter().collect::<HashSet<_>>().len(), r.hits.len());
    }

    #[test]
    fn taxonomy_labels_and_aliases_expand_the_query() {
        let r = shipped().search(&Query::new("formalism")).unwrap();
        assert!(ids(&r).contains(&"tianhu"), "{:?}", ids(&r));
        let r = shipped().search(&Query::new("box-ticking")).unwrap();
        assert_eq!(ids(&r), ["tianhu"], "only tianhu is tagged formalism");
        let r = shipped().search(&Query::new("走过场")).unwrap();
        assert_eq!(ids(&r), ["tianhu"]);
    }

    #[test]
    fn english_words_are_anded_and_stemmed() {
        let r = shipped().search(&Query::new("party building alliance")).unwrap();
        assert_eq!(ids(&r)[0], "guigang");
        let r = shipped().search(&Query::new("Party Building Alliances")).unwrap();
        assert_eq!(ids(&r)[0], "guigang");
        let r = shipped().search(&Query::new("alliance xyzzy")).unwrap();
        assert_eq!(r.total, 0);
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
        assert!(and.total < cohesion.total || and.total < street.total);
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
                assert_eq!(
                    count(&all, crate::validate::singular(&vocab.name), &term.id),
                    library.usage[v][t].len(),
                    "{}",
                    term.id
                );
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
        assert!(s.search(&Query::new("place:Atlantis")).is_err());
        assert!(s.search(&Query::new("-wall")).is_err());
        // Colons that cannot be field syntax are punctuation.
        assert_eq!(s.search(&Query::new("Chang'an: red wall")).unwrap().hits[0].id, "west-changan");
        assert!(s.search(&Query::new("10:30 注意:红墙")).is_ok());
    }

    #[test]
    fn snippets_mark_words_and_keep_characters_whole() {
        let text = "甲".repeat(300) + "党建联盟是抓手。" + &"乙".repeat(300) + " alliance & <b>";
        let mut terms = HashMap::new();
        for t in index::tokens("联盟 alliance") {
            terms.insert(t, 0.5);
        }
        for max in [5, 17, 40, 160, 1000] {
            let s = snippet_of(&text, &terms, max);
            assert!(s.iter().any(|(t, m)| *m && t == "联盟"), "{s:?}");
            let plain: String = s.iter().map(|(t, _)| t.as_str()).collect();
            assert!(plain.chars().count() <= max + 40, "{max}: {plain}");
        }
        let html = Hit {
            id: String::new(),
            title: String::new(),
            title_zh: None,
            url: String::new(),
            section: None,
            score: 0.0,
            snippet: snippet_of("a <b> & alliance", &terms, 100),
            tags: Vec::new(),
            place: String::new(),
            level: String::new(),
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
}
