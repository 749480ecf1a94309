//! The documents of the index: one per case, its values lent to tantivy's writer, and what it
//! records of its tagged sections.
//!
//! A document records where each tagged section (a heading with vocabulary attributes) lies in
//! its body, in bytes ([`SectionSpan`]) and in token positions, so that a hit can point at
//! `cases/ID.html#anchor`: `search` at the first section holding every word of the query, the
//! browser index at the sections holding each word (read from the token positions). A document
//! per section as well would index each section's text twice, and make the build slower.
//!
//! **Taxonomy expansion.** Every document gets a `tagtext` field holding the labels (English and
//! Chinese) and aliases of the terms its case is tagged with ([`term_text`]): `formalism` or
//! 形式主义 finds the cases tagged `formalism` even when their text says neither.

use super::schema::{Fields, LEVEL_ROOT, PLACE_ROOT, PLACE_ZH_ROOT, YEAR_ROOT};
use crate::analysis::words::is_word_char;
use crate::markdown::plain_text_mapped;
use crate::model::{Case, Library};
use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;
use tantivy::schema::document::{ReferenceValue, ReferenceValueLeaf};
use tantivy::schema::{Document, Facet, Field, Value};

/// The `facet` values of a case, in a stable order: tags (vocabulary order, primary first),
/// level, and the place down to the city (search counts these; the units are too many to count).
fn case_facets(library: &Library, case: &Case) -> Vec<Facet> {
    let mut out = Vec::new();
    for (v, terms) in case.tags.iter().enumerate() {
        let vocab = &library.taxonomy.vocabularies[v];
        for &t in terms {
            out.push(Facet::from_path([vocab.name.as_str(), vocab.terms[t].id.as_str()]));
        }
    }
    if let Some(level) = &case.level {
        out.push(Facet::from_path([LEVEL_ROOT, level.as_str()]));
    }
    let p = &case.place;
    out.push(Facet::from_path(std::iter::once(PLACE_ROOT).chain([p.province.as_str()]).chain(p.city.as_deref())));
    if let Some(date) = case.date {
        out.push(Facet::from_path([YEAR_ROOT, date.year.to_string().as_str()]));
    }
    out
}

/// The `place_path` values of a case: the full place path, in English and, when the case gives
/// Chinese names, in Chinese.
fn place_paths(case: &Case) -> Vec<Facet> {
    let p = &case.place;
    let mut out = vec![Facet::from_path(std::iter::once(PLACE_ROOT).chain(p.path()))];
    if p.province_zh.is_some() || p.city_zh.is_some() || p.unit_zh.is_some() {
        let mut zh = vec![PLACE_ZH_ROOT, p.province_zh.as_deref().unwrap_or(&p.province)];
        if let Some(city) = p.city_zh.as_deref().or(p.city.as_deref()) {
            zh.push(city);
        }
        if let Some(unit) = p.unit_zh.as_deref().or(p.unit.as_deref()) {
            zh.push(unit);
        }
        out.push(Facet::from_path(zh));
    }
    out
}

/// Every name of the case's place, with their short forms (河南省: 河南) and the other names the
/// settings give them (`place_aliases`).
fn place_text(case: &Case, aliases: &BTreeMap<String, Vec<String>>) -> String {
    let given: Vec<&str> = case.place.names().into_iter().flatten().collect();
    crate::model::places::all_names(&given, aliases).join("\n")
}

/// The labels and aliases of a term, one per line.
pub fn term_text(library: &Library, v: usize, t: usize) -> String {
    let term = &library.taxonomy.vocabularies[v].terms[t];
    let mut parts = vec![term.label.as_str()];
    parts.extend(term.label_zh.as_deref());
    parts.extend(term.aliases.iter().map(String::as_str));
    parts.join("\n")
}

/// A document for the index writer: its values lent to the writer as they are, and text shared
/// by several documents (a term's names, a case's title, summary and places) shared rather than
/// copied. It counts itself out of [`InFlight`] when the writer drops it.
#[derive(Debug)]
pub struct Doc {
    values: Vec<(Field, Val)>,
    in_flight: Arc<InFlight>,
}

#[derive(Debug)]
pub enum Val {
    Str(String),
    /// Text shared by several documents.
    Shared(Arc<str>),
    U64(u64),
    Facet(Facet),
}

impl Drop for Doc {
    fn drop(&mut self) {
        self.in_flight.leave();
    }
}

impl<'a> Value<'a> for &'a Val {
    type ArrayIter = std::iter::Empty<&'a Val>;
    type ObjectIter = std::iter::Empty<(&'a str, &'a Val)>;

    fn as_value(&self) -> ReferenceValue<'a, Self> {
        ReferenceValue::Leaf(match *self {
            Val::Str(s) => ReferenceValueLeaf::Str(s),
            Val::Shared(s) => ReferenceValueLeaf::Str(s),
            Val::U64(n) => ReferenceValueLeaf::U64(*n),
            Val::Facet(f) => ReferenceValueLeaf::Facet(f.encoded_str()),
        })
    }
}

type FieldValues<'a> = std::iter::Map<std::slice::Iter<'a, (Field, Val)>, fn(&'a (Field, Val)) -> (Field, &'a Val)>;

impl Document for Doc {
    type Value<'a> = &'a Val;
    type FieldsValuesIter<'a> = FieldValues<'a>;

    fn iter_fields_and_values(&self) -> FieldValues<'_> {
        self.values.iter().map(|(f, v)| (*f, v))
    }
}

impl Doc {
    fn text(&mut self, field: Field, text: impl Into<String>) {
        self.values.push((field, Val::Str(text.into())));
    }

    fn shared(&mut self, field: Field, text: &Arc<str>) {
        self.values.push((field, Val::Shared(Arc::clone(text))));
    }
}

/// `range` of `text` without the white space at either end (empty when `range` is not a
/// slice of `text`).
fn trimmed(text: &str, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let Some(part) = text.get(range.clone()) else { return 0..0 };
    let start = range.start + (part.len() - part.trim_start().len());
    start..start + part.trim().len()
}

/// `[v][t]`: the names of term `t` of vocabulary `v`, one text each (see [`term_text`]).
fn term_texts(library: &Library) -> Vec<Vec<Arc<str>>> {
    let vocabularies = library.taxonomy.vocabularies.iter().enumerate();
    vocabularies.map(|(v, vocab)| (0..vocab.terms.len()).map(|t| term_text(library, v, t).into()).collect()).collect()
}

/// Makes the documents of a library: what every document needs, prepared once.
pub struct CaseDocuments<'a> {
    library: &'a Library,
    f: Fields,
    /// `term_texts[v][t]`: the names of term `t` of vocabulary `v`.
    term_texts: Vec<Vec<Arc<str>>>,
    in_flight: Arc<InFlight>,
}

/// The documents made but not yet dropped by the index writer: what bounds the memory of a
/// build (the builder waits while too many are in flight).
#[derive(Debug, Default)]
pub struct InFlight {
    count: Mutex<usize>,
    /// Signalled whenever a document leaves.
    left: Condvar,
}

impl InFlight {
    fn count(&self) -> std::sync::MutexGuard<'_, usize> {
        self.count.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn enter(&self) {
        *self.count() += 1;
    }

    fn leave(&self) {
        *self.count() -= 1;
        self.left.notify_all();
    }

    /// Waits until at most `limit` documents are in flight; false if none left for `stall`
    /// (the writer stopped).
    pub fn wait_for_at_most(&self, limit: usize, stall: Duration) -> bool {
        let mut count = self.count();
        while *count > limit {
            let before = *count;
            let (now, waited) = self.left.wait_timeout(count, stall).unwrap_or_else(|e| e.into_inner());
            count = now;
            if waited.timed_out() && *count >= before {
                return false;
            }
        }
        true
    }
}

impl<'a> CaseDocuments<'a> {
    /// The documents of `library`, each counting itself in `in_flight` until the writer drops it.
    pub fn new(library: &'a Library, f: Fields, in_flight: Arc<InFlight>) -> CaseDocuments<'a> {
        CaseDocuments { library, f, term_texts: term_texts(library), in_flight }
    }

    fn doc(&self) -> Doc {
        self.in_flight.enter();
        Doc { values: Vec::with_capacity(24), in_flight: Arc::clone(&self.in_flight) }
    }

    /// The document of one case.
    pub fn document(&self, ord: usize, case: &Case) -> Doc {
        let (library, f) = (self.library, self.f);
        let tagged: Vec<&crate::model::Section> = case.sections.iter().filter(|s| s.is_tagged()).collect();
        let mut cuts: Vec<usize> = tagged.iter().flat_map(|s| [s.content.start, s.content.end]).collect();
        cuts.sort_unstable();
        let (text, mapped) = plain_text_mapped(case.body(), &cuts);
        let at = |offset: usize| cuts.iter().position(|&c| c == offset).map_or(0, |i| mapped[i]);
        let mut doc = self.doc();
        doc.text(f.kind, "case");
        doc.text(f.id, &case.id);
        // The titles and summaries as the pages show them: a translation's stand for the
        // original's (`Case::title_in`).
        let (title, title_zh) = case.title_in(crate::config::Language::En);
        doc.text(f.title, title);
        if let Some(t) = title_zh {
            doc.text(f.title_zh, t);
        }
        doc.text(f.place_text, place_text(case, &library.config.place_aliases));
        doc.text(f.place, case.place.describe());
        let (summary, summary_zh) = case.summary_in(crate::config::Language::En);
        doc.text(f.summary, summary);
        if let Some(s) = summary_zh {
            doc.text(f.summary_zh, s);
        }
        for facet in case_facets(library, case) {
            doc.values.push((f.facet, Val::Facet(facet)));
        }
        for path in place_paths(case) {
            doc.values.push((f.place_path, Val::Facet(path)));
        }
        doc.values.push((f.case_ord, Val::U64(ord as u64)));
        if let Some(date) = case.date {
            doc.text(f.date, date.to_string());
        }
        doc.text(f.summary_text, &case.summary);
        for (v, terms) in case.tags.iter().enumerate() {
            for &t in terms {
                doc.shared(f.tagtext, &self.term_texts[v][t]);
            }
        }
        let bytes: Vec<std::ops::Range<usize>> =
            tagged.iter().map(|s| trimmed(&text, at(s.content.start)..at(s.content.end))).collect();
        let positions = positions_at(&text, bytes.iter().flat_map(|r| [r.start, r.end]));
        for ((section, range), p) in tagged.iter().zip(&bytes).zip(positions.chunks(2)) {
            let span =
                SectionSpan { anchor: section.anchor.clone(), title: section.title.clone(), bytes: range.clone() };
            doc.text(f.sections, span.to_string());
            doc.values.push((f.spans, Val::U64(u64::from(p[0]) << 32 | u64::from(p[1]))));
        }
        doc.text(f.body, text);
        // The translations are found too, in a field of their own: a reader's search weighs
        // the text in the reader's language above the other's (`index::language_weights`).
        for t in &case.translations {
            doc.text(f.body_tr, plain_text_mapped(&t.text[t.body_start..], &[]).0);
        }
        doc
    }
}

/// For each byte offset of `text` (on character boundaries), the letters and digits before it:
/// the token position the analysis gives a word that starts there.
fn positions_at(text: &str, offsets: impl Iterator<Item = usize>) -> Vec<u32> {
    let offsets: Vec<usize> = offsets.collect();
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_by_key(|&i| offsets[i]);
    let mut out = vec![0u32; offsets.len()];
    let (mut count, mut chars) = (0u32, text.char_indices().peekable());
    for i in order {
        while let Some(&(at, c)) = chars.peek() {
            if at >= offsets[i] {
                break;
            }
            count += u32::from(is_word_char(c));
            chars.next();
        }
        out[i] = count;
    }
    out
}

/// A tagged section of a case, as its case document records it (the stored field `sections`):
/// what `search` needs to point a hit at it and cut its snippet. (Where its words are among the
/// body's token positions is in the fast field `spans`, for the static index.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionSpan {
    pub anchor: String,
    pub title: String,
    /// Where its text is in the case's `body`.
    pub bytes: std::ops::Range<usize>,
}

impl std::fmt::Display for SectionSpan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let SectionSpan { anchor, title, bytes } = self;
        write!(f, "{anchor}\u{1f}{title}\u{1f}{}\u{1f}{}", bytes.start, bytes.end)
    }
}

impl SectionSpan {
    /// Reads the value written by `Display` (an anchor and a title hold no U+001F).
    pub fn parse(value: &str) -> Option<SectionSpan> {
        let mut parts = value.split('\u{1f}');
        let (anchor, title) = (parts.next()?.to_string(), parts.next()?.to_string());
        let mut number = || parts.next()?.parse::<usize>().ok();
        let (start, end) = (number()?, number()?);
        Some(SectionSpan { anchor, title, bytes: start..end })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{analyze, analyzer, indexing_analyzer};
    use crate::index::schema::schema;
    use std::path::Path;
    use tantivy::tokenizer::{TextAnalyzer, Token};

    fn all_tokens(a: &mut TextAnalyzer, text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        let mut s = a.token_stream(text);
        while let Some(t) = s.next() {
            out.push(t.clone());
        }
        out
    }

    /// The index writer's memo gives every text the tokens of a fresh analysis, and the span a
    /// case document records for each tagged section says where the section's words are.
    #[test]
    fn the_builder_waits_until_the_writer_has_taken_enough_documents() {
        let in_flight = Arc::new(InFlight::default());
        for _ in 0..3 {
            in_flight.enter();
        }
        // Nobody takes any: the wait gives up after the stall.
        assert!(!in_flight.wait_for_at_most(1, Duration::from_millis(20)));
        let writer = Arc::clone(&in_flight);
        let thread = std::thread::spawn(move || {
            for _ in 0..2 {
                std::thread::sleep(Duration::from_millis(5));
                writer.leave();
            }
        });
        assert!(in_flight.wait_for_at_most(1, Duration::from_secs(10)));
        assert!(*in_flight.count() <= 1);
        thread.join().unwrap();
    }

    #[test]
    fn remembered_analysis_and_section_spans_match_a_fresh_analysis() {
        let library = crate::check(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap().library.unwrap();
        let f = Fields::new(&schema()).unwrap();
        let context = CaseDocuments::new(&library, f, Arc::default());
        let mut fresh = analyzer();
        let mut remembering = indexing_analyzer();
        let mut checked = 0;
        for (i, case) in library.cases.iter().enumerate() {
            let doc = context.document(i, case);
            let texts = |field: Field| -> Vec<String> {
                doc.values
                    .iter()
                    .filter(|(f, _)| *f == field)
                    .filter_map(|(_, v)| match v {
                        Val::Str(s) => Some(s.clone()),
                        _ => None,
                    })
                    .collect()
            };
            let body = texts(f.body).remove(0);
            for text in [&body, &case.title, &case.summary, &body, &case.title] {
                assert_eq!(all_tokens(&mut remembering, text), all_tokens(&mut fresh, text));
            }
            let in_body = analyze(&body);
            let spans: Vec<SectionSpan> = texts(f.sections).iter().map(|v| SectionSpan::parse(v).unwrap()).collect();
            let positions: Vec<std::ops::Range<u32>> = doc
                .values
                .iter()
                .filter_map(|(field, v)| match v {
                    Val::U64(n) if *field == f.spans => Some((n >> 32) as u32..*n as u32),
                    _ => None,
                })
                .collect();
            assert_eq!(spans.len(), case.sections.iter().filter(|s| s.is_tagged()).count(), "{}", case.id);
            assert_eq!(spans.len(), positions.len(), "{}", case.id);
            for (span, positions) in spans.into_iter().zip(positions) {
                assert_eq!(SectionSpan::parse(&span.to_string()), Some(span.clone()));
                let alone: Vec<(String, usize)> = analyze(&body[span.bytes.clone()])
                    .into_iter()
                    .map(|t| (t.text, t.position + positions.start as usize))
                    .collect();
                let inside: Vec<(String, usize)> = in_body
                    .iter()
                    .filter(|t| span.bytes.contains(&t.range.start))
                    .map(|t| (t.text.clone(), t.position))
                    .collect();
                assert!(!alone.is_empty(), "{} #{}", case.id, span.anchor);
                assert_eq!(alone, inside, "{} #{}", case.id, span.anchor);
                assert!(inside.iter().all(|(_, p)| positions.contains(&(*p as u32))), "{} #{}", case.id, span.anchor);
                checked += 1;
            }
        }
        assert!(checked >= 5);
    }
}
