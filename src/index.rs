//! Index: the one text analysis of casebook, and the tantivy index built with it.
//!
//! **Analysis.** Chinese and English go through one analyzer, registered as [`ANALYZER`]:
//! jieba in search mode (tantivy-jieba 0.21's `JiebaTokenizer::new()`: search mode on, HMM on
//! for words missing from the dictionary; search mode also emits the dictionary words inside a
//! longer word, so 北京大学 yields 北京, 大学 and 北京大学) → drop tokens that hold no letter or
//! digit (jieba emits spaces and punctuation as tokens) → drop tokens of 40 bytes or more →
//! lower-case → English Snowball stemming. The last two steps are tantivy's `LowerCaser` and
//! `Stemmer` with one shortcut: the stemmer only runs on tokens holding an ASCII letter (it
//! leaves other tokens unchanged anyway) and remembers its recent answers, which halves the
//! analysis time of a Chinese-English library. Token positions count the letters and digits
//! before a token, so a phrase matches whatever spaces or punctuation separate its words, and
//! a Chinese word inside a longer one keeps its place (长安街 is found in 西长安街).
//! [`analyzer`] and [`tokens`] hand this analysis to every user — the CLI, the server, the
//! browser index and `tags --suggest` — so all of them cut text the same way.
//!
//! **Documents.** One per case and one per tagged section (a heading with vocabulary attributes),
//! so that a hit can point at `cases/ID.html#anchor`. A section document carries the facets of
//! its case, so filters apply to it too; search folds section hits into their case.
//!
//! **Taxonomy expansion.** Every document gets a `tagtext` field holding the labels (English and
//! Chinese) and aliases of the terms it is tagged with: `formalism` or 形式主义 finds the cases
//! tagged `formalism` even when their text says neither.
//!
//! **Staleness.** The index folder holds [`META_FILE`]: the casebook version and a fingerprint
//! of everything the index is made of (case files, the taxonomy's ids, labels and aliases), so
//! `search` can tell whether the index still describes the library. Tantivy's segment files
//! are not byte-for-byte reproducible (segment ids are random, and two indexing threads split
//! the documents by timing); the search results are, and so is the meta file.
//!
//! This module only builds, opens and describes the index; querying is [`crate::search`].

use crate::error::{Error, Result};
use crate::load::Sources;
use crate::model::{Case, Library, Taxonomy};
use pulldown_cmark::{Event, Parser, TagEnd};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use tantivy::schema::{
    Facet, FacetOptions, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, STORED, STRING,
};
use tantivy::tokenizer::{
    Language, RawTokenizer, RemoveLongFilter, Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};
use tantivy::{Index, IndexSettings, TantivyDocument};

/// The name the analyzer is registered under in every index.
pub const ANALYZER: &str = "casebook";
/// Where the tantivy index lives, relative to the site folder.
pub const INDEX_DIR: &str = "_search/tantivy";
/// casebook's description of the index, inside [`INDEX_DIR`].
pub const META_FILE: &str = "casebook-index.json";
/// Bumped whenever the schema or the analysis changes, so older indexes count as stale.
pub const FORMAT: u32 = 1;

/// Memory the index writer may use for its buffers, all threads together.
const WRITER_HEAP: usize = 192 * 1024 * 1024;
/// Tokens of this many bytes or more are dropped (about 13 Chinese characters, 40 letters).
const MAX_TOKEN_BYTES: usize = 40;
/// How many stems each analyzer remembers.
const STEM_CACHE: usize = 50_000;

// ---------------------------------------------------------------------------------------------
// Analysis

static BASE: LazyLock<TextAnalyzer> = LazyLock::new(|| {
    TextAnalyzer::builder(Words { jieba: tantivy_jieba::JiebaTokenizer::new() })
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(Fold)
        .build()
});

thread_local! {
    static LOCAL: RefCell<TextAnalyzer> = RefCell::new(analyzer());
}

/// The analyzer for Chinese and English text. Cloning is cheap: jieba's dictionary is loaded
/// once per process, on first use.
pub fn analyzer() -> TextAnalyzer {
    BASE.clone()
}

/// The tokens of `text`, in order, as the index sees them.
pub fn tokens(text: &str) -> Vec<String> {
    LOCAL.with(|a| {
        let mut a = a.borrow_mut();
        let mut out = Vec::new();
        let mut stream = a.token_stream(text);
        while let Some(t) = stream.next() {
            out.push(t.text.clone());
        }
        out
    })
}

/// The tokens of `text` with their byte ranges in `text`.
pub fn tokens_with_offsets(text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    LOCAL.with(|a| {
        let mut a = a.borrow_mut();
        let mut out = Vec::new();
        let mut stream = a.token_stream(text);
        while let Some(t) = stream.next() {
            out.push((t.text.clone(), t.offset_from..t.offset_to));
        }
        out
    })
}

/// jieba, keeping only tokens with a letter or digit; positions count letters and digits.
#[derive(Clone)]
struct Words {
    jieba: tantivy_jieba::JiebaTokenizer,
}

struct WordStream<'a> {
    inner: tantivy_jieba::JiebaTokenStream<'a>,
    /// Characters of the dropped tokens so far: jieba's positions count characters.
    skipped: usize,
}

impl Tokenizer for Words {
    type TokenStream<'a> = WordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        WordStream { inner: self.jieba.token_stream(text), skipped: 0 }
    }
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        while self.inner.advance() {
            let token = self.inner.token_mut();
            if token.text.chars().any(char::is_alphanumeric) {
                // Search mode emits the words inside a word before the word itself; all of
                // them come after every dropped token counted so far.
                token.position = token.position.saturating_sub(self.skipped);
                return true;
            }
            self.skipped += token.text.chars().count();
        }
        false
    }

    fn token(&self) -> &Token {
        self.inner.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.inner.token_mut()
    }
}

/// Lower-casing and English stemming (see the module doc).
#[derive(Clone)]
struct Fold;

#[derive(Clone)]
struct FoldTokenizer<T> {
    inner: T,
    stemmer: TextAnalyzer,
    cache: HashMap<String, String>,
}

struct FoldStream<'a, T> {
    tail: T,
    stemmer: &'a mut TextAnalyzer,
    cache: &'a mut HashMap<String, String>,
}

impl TokenFilter for Fold {
    type Tokenizer<T: Tokenizer> = FoldTokenizer<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> FoldTokenizer<T> {
        let stemmer = TextAnalyzer::builder(RawTokenizer::default()).filter(Stemmer::new(Language::English)).build();
        FoldTokenizer { inner, stemmer, cache: HashMap::new() }
    }
}

impl<T: Tokenizer> Tokenizer for FoldTokenizer<T> {
    type TokenStream<'a> = FoldStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        FoldStream { tail: self.inner.token_stream(text), stemmer: &mut self.stemmer, cache: &mut self.cache }
    }
}

impl<T: TokenStream> TokenStream for FoldStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if token.text.is_ascii() {
            token.text.make_ascii_lowercase();
        } else if token.text.chars().any(char::is_uppercase) {
            token.text = token.text.to_lowercase();
        }
        if token.text.bytes().any(|b| b.is_ascii_alphabetic()) {
            if let Some(stem) = self.cache.get(&token.text) {
                token.text.clone_from(stem);
            } else {
                let stem = self.stemmer.token_stream(&token.text).next().map(|t| t.text.clone());
                if let Some(stem) = stem {
                    if self.cache.len() < STEM_CACHE {
                        self.cache.insert(token.text.clone(), stem.clone());
                    }
                    token.text = stem;
                }
            }
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

// ---------------------------------------------------------------------------------------------
// Schema

/// The fields of the index.
///
/// | field | kind | content |
/// |---|---|---|
/// | `kind` | string, stored | `case` or `section` |
/// | `id` | string, stored | the case id |
/// | `anchor` | stored | the section's anchor; empty for a case |
/// | `title` | text ×3, stored | the case title; for a section, a second value: the section title |
/// | `title_zh` | text ×3, stored | the case's Chinese title |
/// | `summary` | text ×2, stored | summary and summary_zh (case documents only) |
/// | `body` | text, stored | the body (case) or the section's content, as plain text |
/// | `place_text` | text | every place name, English and Chinese |
/// | `place` | stored | the place in one line, e.g. `Erqi District, Zhengzhou, Henan` |
/// | `tagtext` | text ×0.5 | labels and aliases of the terms the document is tagged with |
/// | `facet` | facet, stored | `/VOCABULARY/TERM` per tag (case order), `/level/LEVEL`, `/place/PROVINCE/CITY/UNIT`, `/place_zh/…` |
/// | `case_ord` | u64 fast | the case's rank by id |
/// | `section_ord` | u64 fast | 0 for the case, 1 + section index for a section |
///
/// Text fields use [`ANALYZER`] with positions; the ×N are the query boosts used by search.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub kind: Field,
    pub id: Field,
    pub anchor: Field,
    pub title: Field,
    pub title_zh: Field,
    pub summary: Field,
    pub body: Field,
    pub place_text: Field,
    pub place: Field,
    pub tagtext: Field,
    pub facet: Field,
    pub case_ord: Field,
    pub section_ord: Field,
}

/// Facet roots besides the vocabulary names (which can never be `level` or `place`, both
/// front-matter keys; `place_zh` is not a valid vocabulary name).
pub const LEVEL_ROOT: &str = "level";
pub const PLACE_ROOT: &str = "place";
pub const PLACE_ZH_ROOT: &str = "place_zh";

/// The index schema (it does not depend on the library: vocabularies are facet roots).
pub fn schema() -> Schema {
    let mut b = Schema::builder();
    let text = |stored: bool| {
        let indexing =
            TextFieldIndexing::default().set_tokenizer(ANALYZER).set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let options = TextOptions::default().set_indexing_options(indexing);
        if stored {
            options.set_stored()
        } else {
            options
        }
    };
    b.add_text_field("kind", STRING | STORED);
    b.add_text_field("id", STRING | STORED);
    b.add_text_field("anchor", STORED);
    b.add_text_field("title", text(true));
    b.add_text_field("title_zh", text(true));
    b.add_text_field("summary", text(true));
    b.add_text_field("body", text(true));
    b.add_text_field("place_text", text(false));
    b.add_text_field("place", STORED);
    b.add_text_field("tagtext", text(false));
    b.add_facet_field("facet", FacetOptions::default().set_stored());
    b.add_u64_field("case_ord", NumericOptions::default().set_fast());
    b.add_u64_field("section_ord", NumericOptions::default().set_fast());
    b.build()
}

impl Fields {
    pub fn new(schema: &Schema) -> Result<Fields> {
        let f = |name: &str| schema.get_field(name).map_err(|_| Error::Index(format!("the index has no field `{name}`; rebuild it")));
        Ok(Fields {
            kind: f("kind")?,
            id: f("id")?,
            anchor: f("anchor")?,
            title: f("title")?,
            title_zh: f("title_zh")?,
            summary: f("summary")?,
            body: f("body")?,
            place_text: f("place_text")?,
            place: f("place")?,
            tagtext: f("tagtext")?,
            facet: f("facet")?,
            case_ord: f("case_ord")?,
            section_ord: f("section_ord")?,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Meta

/// What casebook writes next to the index: enough to check freshness and to interpret filters
/// without reading the library.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Meta {
    pub format: u32,
    pub casebook_version: String,
    pub fingerprint: String,
    pub cases: usize,
    pub documents: usize,
    pub vocabularies: Vec<MetaVocabulary>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MetaVocabulary {
    pub name: String,
    pub terms: Vec<MetaTerm>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MetaTerm {
    pub id: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_zh: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub aliases: Vec<String>,
}

impl Meta {
    fn vocabularies(taxonomy: &Taxonomy) -> Vec<MetaVocabulary> {
        taxonomy
            .vocabularies
            .iter()
            .map(|v| MetaVocabulary {
                name: v.name.clone(),
                terms: v
                    .terms
                    .iter()
                    .map(|t| MetaTerm { id: t.id.clone(), label: t.label.clone(), label_zh: t.label_zh.clone(), aliases: t.aliases.clone() })
                    .collect(),
            })
            .collect()
    }
}

/// Reads the meta file of the index in `dir`, if there is a readable one.
pub fn read_meta(dir: &Path) -> Option<Meta> {
    let text = fs::read_to_string(dir.join(META_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

/// A 128-bit, non-cryptographic hash: it detects edits, not attacks.
struct Fingerprint(u64, u64);

impl Fingerprint {
    fn new() -> Self {
        Fingerprint(0x243f_6a88_85a3_08d3, 0x1319_8a2e_0370_7344)
    }

    fn word(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7cc1_b727_220a_95);
        self.1 = (self.1.rotate_left(23) ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn bytes(&mut self, bytes: &[u8]) {
        self.word(bytes.len() as u64);
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.word(u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]));
        }
        let mut last = [0u8; 8];
        last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.word(u64::from_le_bytes(last));
    }

    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    fn finish(&self) -> String {
        let mix = |mut x: u64| {
            x ^= x >> 33;
            x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
            x ^= x >> 33;
            x
        };
        format!("{:016x}{:016x}", mix(self.0), mix(self.1))
    }
}

/// The fingerprint of what an index is made of: the casebook version and index format, the
/// taxonomy's vocabularies (names, term ids, labels, aliases) and every case file (path and text).
fn fingerprint<'a>(taxonomy: &Taxonomy, cases: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut h = Fingerprint::new();
    h.str(env!("CARGO_PKG_VERSION"));
    h.word(FORMAT as u64);
    for v in &taxonomy.vocabularies {
        h.str(&v.name);
        h.word(v.terms.len() as u64);
        for t in &v.terms {
            h.str(&t.id);
            h.str(&t.label);
            h.str(t.label_zh.as_deref().unwrap_or(""));
            h.word(t.aliases.len() as u64);
            for a in &t.aliases {
                h.str(a);
            }
        }
    }
    let mut files: Vec<(&str, &str)> = cases.into_iter().collect();
    files.sort_unstable();
    h.word(files.len() as u64);
    for (path, text) in files {
        h.str(path);
        h.str(text);
    }
    h.finish()
}

/// The fingerprint of a validated library.
pub fn library_fingerprint(library: &Library) -> String {
    fingerprint(&library.taxonomy, library.cases.iter().map(|c| (c.path.as_str(), c.text.as_str())))
}

/// The fingerprint the library would have, computed from the files alone (only the taxonomy is
/// parsed). `None` when the sources cannot make a valid library as they are.
pub fn sources_fingerprint(sources: &Sources) -> Option<String> {
    if !sources.diagnostics.is_empty() {
        return None;
    }
    let file = sources.taxonomy.as_ref()?;
    let raw = crate::parse::parse_taxonomy(&file.path, &file.text).ok()?;
    let (taxonomy, diags) = crate::validate::validate_taxonomy(file, raw);
    if diags.iter().any(crate::Diagnostic::is_error) {
        return None;
    }
    Some(fingerprint(&taxonomy, sources.cases.iter().map(|c| (c.path.as_str(), c.text.as_str()))))
}

/// Whether the index in a folder still describes the library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    Fresh,
    Missing,
    Stale,
}

/// Compares the index in `dir` with the library files read into `sources`.
pub fn freshness(sources: &Sources, dir: &Path) -> Freshness {
    let Some(meta) = read_meta(dir) else { return Freshness::Missing };
    if !dir.join("meta.json").is_file() {
        return Freshness::Missing;
    }
    match sources_fingerprint(sources) {
        Some(f) if meta.format == FORMAT && meta.fingerprint == f => Freshness::Fresh,
        _ => Freshness::Stale,
    }
}

// ---------------------------------------------------------------------------------------------
// Building

/// Markdown to plain text: the text of every block, a newline after each block, no markup.
/// Raw HTML is left out.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, crate::parse::markdown_options()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::End(TagEnd::TableCell) => out.push(' '),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableRow | TagEnd::TableHead | TagEnd::CodeBlock,
            ) => {
                if !out.ends_with('\n') {
                    out.push('\n');
                }
            }
            _ => {}
        }
    }
    let end = out.trim_end().len();
    out.truncate(end);
    out
}

/// The `facet` values of a case, in a stable order: tags (vocabulary order, primary first),
/// level, place, place in Chinese.
fn case_facets(library: &Library, case: &Case) -> Vec<Facet> {
    let mut out = Vec::new();
    for (v, terms) in case.tags.iter().enumerate() {
        let vocab = &library.taxonomy.vocabularies[v];
        for &t in terms {
            out.push(Facet::from_path([vocab.name.as_str(), vocab.terms[t].id.as_str()]));
        }
    }
    out.push(Facet::from_path([LEVEL_ROOT, case.level.as_str()]));
    let p = &case.place;
    out.push(Facet::from_path(std::iter::once(PLACE_ROOT).chain(p.path())));
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

fn place_text(case: &Case) -> String {
    let p = &case.place;
    [
        Some(&p.province),
        p.province_zh.as_ref(),
        p.city.as_ref(),
        p.city_zh.as_ref(),
        p.district.as_ref(),
        p.district_zh.as_ref(),
        p.unit.as_ref(),
        p.unit_zh.as_ref(),
    ]
    .into_iter()
    .flatten()
    .map(String::as_str)
    .collect::<Vec<_>>()
    .join("\n")
}

/// The labels and aliases of a term, one per line.
fn term_text(library: &Library, v: usize, t: usize) -> String {
    let term = &library.taxonomy.vocabularies[v].terms[t];
    let mut parts = vec![term.label.as_str()];
    parts.extend(term.label_zh.as_deref());
    parts.extend(term.aliases.iter().map(String::as_str));
    parts.join("\n")
}

/// Writes a fresh index of `library` into `dir` (created if needed; it must not hold an index).
pub fn build_index(library: &Library, dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    let index = Index::builder()
        .schema(schema())
        .settings(IndexSettings::default())
        .create_in_dir(dir)
        .map_err(|e| Error::Index(format!("cannot create the index in {}: {e}", dir.display())))?;
    index.tokenizers().register(ANALYZER, analyzer());
    let f = Fields::new(&index.schema())?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 2);
    let mut writer = index.writer_with_num_threads::<TantivyDocument>(threads, WRITER_HEAP)?;

    let term_texts: Vec<Vec<String>> = library
        .taxonomy
        .vocabularies
        .iter()
        .enumerate()
        .map(|(v, vocab)| (0..vocab.terms.len()).map(|t| term_text(library, v, t)).collect())
        .collect();
    let tag_text = |tags: &[Vec<usize>]| -> String {
        let mut parts = Vec::new();
        for (v, terms) in tags.iter().enumerate() {
            for &t in terms {
                parts.push(term_texts[v][t].as_str());
            }
        }
        parts.join("\n")
    };

    let mut documents = 0;
    for (ord, case) in library.cases.iter().enumerate() {
        let facets = case_facets(library, case);
        let places = place_text(case);
        let place = case.place.describe();
        let common = |doc: &mut TantivyDocument, kind: &str, section_ord: u64| {
            doc.add_text(f.kind, kind);
            doc.add_text(f.id, &case.id);
            doc.add_text(f.title, &case.title);
            if let Some(t) = &case.title_zh {
                doc.add_text(f.title_zh, t);
            }
            doc.add_text(f.place_text, &places);
            doc.add_text(f.place, &place);
            for facet in &facets {
                doc.add_facet(f.facet, facet.clone());
            }
            doc.add_u64(f.case_ord, ord as u64);
            doc.add_u64(f.section_ord, section_ord);
        };

        let mut doc = TantivyDocument::new();
        common(&mut doc, "case", 0);
        doc.add_text(f.anchor, "");
        doc.add_text(f.summary, &case.summary);
        if let Some(s) = &case.summary_zh {
            doc.add_text(f.summary, s);
        }
        doc.add_text(f.body, plain_text(case.body()));
        doc.add_text(f.tagtext, tag_text(&case.tags));
        writer.add_document(doc)?;
        documents += 1;

        for (i, section) in case.sections.iter().enumerate().filter(|(_, s)| s.is_tagged()) {
            let mut doc = TantivyDocument::new();
            common(&mut doc, "section", i as u64 + 1);
            doc.add_text(f.title, &section.title);
            doc.add_text(f.anchor, &section.anchor);
            doc.add_text(f.body, plain_text(case.section_markdown(section)));
            doc.add_text(f.tagtext, tag_text(&section.tags));
            writer.add_document(doc)?;
            documents += 1;
        }
    }
    writer.commit()?;
    writer.wait_merging_threads()?;

    let meta = Meta {
        format: FORMAT,
        casebook_version: env!("CARGO_PKG_VERSION").to_string(),
        fingerprint: library_fingerprint(library),
        cases: library.cases.len(),
        documents,
        vocabularies: Meta::vocabularies(&library.taxonomy),
    };
    let json = serde_json::to_string_pretty(&meta).map_err(|e| Error::Index(e.to_string()))? + "\n";
    let path = dir.join(META_FILE);
    fs::write(&path, json).map_err(|e| Error::io("write", &path, e))?;
    Ok(())
}

/// Rebuilds the index of a site folder in place: into a temporary sibling of
/// `SITE/_search/tantivy`, then renamed over it, so a search running meanwhile sees the old
/// index or the new one. A missing site folder is created (with the marker that lets `build`
/// replace it later); a folder not written by casebook is refused.
pub fn rebuild_site_index(library: &Library, site: &Path) -> Result<()> {
    if site.is_dir() {
        let non_empty = fs::read_dir(site).map_err(|e| Error::io("read", site, e))?.next().is_some();
        if non_empty && !site.join(crate::write::MARKER).is_file() {
            return Err(Error::Usage(format!(
                "{} is not empty and was not written by casebook; refusing to put a search index there (choose another --site)",
                site.display()
            )));
        }
    } else {
        fs::create_dir_all(site).map_err(|e| Error::io("create", site, e))?;
        let marker = site.join(crate::write::MARKER);
        fs::write(&marker, "This folder is written by `casebook build` and replaced as a whole on every build.\n")
            .map_err(|e| Error::io("write", &marker, e))?;
    }
    let target = site.join(INDEX_DIR);
    let parent = target.parent().map(Path::to_path_buf).unwrap_or_else(|| site.to_path_buf());
    fs::create_dir_all(&parent).map_err(|e| Error::io("create", &parent, e))?;
    let pid = std::process::id();
    let tmp = parent.join(format!(".tantivy.tmp-{pid}"));
    let old = parent.join(format!(".tantivy.old-{pid}"));
    for dir in [&tmp, &old] {
        if dir.exists() {
            fs::remove_dir_all(dir).map_err(|e| Error::io("remove", dir, e))?;
        }
    }
    if let Err(e) = build_index(library, &tmp) {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if target.exists() {
        fs::rename(&target, &old).map_err(|e| Error::io("move", &target, e))?;
    }
    if let Err(e) = fs::rename(&tmp, &target) {
        let _ = fs::rename(&old, &target);
        return Err(Error::io("move", tmp, e));
    }
    if old.exists() {
        fs::remove_dir_all(&old).map_err(|e| Error::io("remove", &old, e))?;
    }
    Ok(())
}

/// An opened index with its fields and meta.
pub struct Opened {
    pub index: Index,
    pub fields: Fields,
    pub meta: Meta,
    pub dir: PathBuf,
}

/// Opens the index in `dir` and registers the analyzer.
pub fn open(dir: &Path) -> Result<Opened> {
    let meta = read_meta(dir).ok_or_else(|| {
        Error::Index(format!("no casebook index in {} (run `casebook build` or `casebook search` to create it)", dir.display()))
    })?;
    if meta.format != FORMAT {
        return Err(Error::Index(format!("the index in {} has format {}, this casebook reads {FORMAT}; rebuild it", dir.display(), meta.format)));
    }
    let index = Index::open_in_dir(dir).map_err(|e| Error::Index(format!("cannot open {}: {e}", dir.display())))?;
    index.tokenizers().register(ANALYZER, analyzer());
    let fields = Fields::new(&index.schema())?;
    Ok(Opened { index, fields, meta, dir: dir.to_path_buf() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_search_mode_and_english_stems() {
        assert_eq!(tokens("形式主义"), ["形式", "主义", "形式主义"]);
        assert_eq!(tokens("Party building  alliances, RED-wall!"), ["parti", "build", "allianc", "red", "wall"]);
        assert!(tokens("北京市西城区").contains(&"西城区".to_string()));
        assert!(tokens("，。 ！“”").is_empty());
    }

    #[test]
    fn positions_ignore_spaces_and_punctuation() {
        let positions = |text: &str| {
            let mut a = analyzer();
            let mut s = a.token_stream(text);
            let mut out = Vec::new();
            while let Some(t) = s.next() {
                out.push((t.text.clone(), t.position));
            }
            out
        };
        let a = positions("party building");
        let b = positions("party ,\n  building");
        assert_eq!(a.iter().map(|x| x.1 - a[0].1).collect::<Vec<_>>(), b.iter().map(|x| x.1 - b[0].1).collect::<Vec<_>>());
        // A word inside a longer word sits at the same place as in the longer word.
        let long = positions("西长安街街道");
        let p = |w: &str| long.iter().find(|x| x.0 == w).unwrap().1;
        assert_eq!(p("长安街"), p("长安"));
    }

    #[test]
    fn offsets_are_char_boundaries() {
        let text = "“红墙意识”is red-wall consciousness，党建联盟";
        for (_, r) in tokens_with_offsets(text) {
            assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
        }
    }

    #[test]
    fn plain_text_drops_markup() {
        let md = "## Practice: one {#one practice=x}\n\nSome **bold** [link](case:x) text\nwrapped.\n\n- item <b>raw</b>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n";
        let text = plain_text(md);
        assert_eq!(text, "Practice: one\nSome bold link text wrapped.\nitem raw\na b \n1 2");
    }

    #[test]
    fn fingerprint_of_sources_matches_library() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let sources = crate::load::load(root).unwrap();
        let from_sources = sources_fingerprint(&sources).unwrap();
        let library = crate::analyze(sources).library.unwrap();
        assert_eq!(library_fingerprint(&library), from_sources);
        let mut sources = crate::load::load(root).unwrap();
        sources.cases[0].text.push(' ');
        assert_ne!(sources_fingerprint(&sources).unwrap(), from_sources);
    }
}
