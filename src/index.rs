//! Index: the one text analysis of casebook, and the tantivy index built with it.
//!
//! **Analysis.** Chinese and English go through one analyzer, registered as [`ANALYZER`]:
//! jieba in search mode (tantivy-jieba 0.21's `JiebaTokenizer::new()`: search mode on, HMM on
//! for words missing from the dictionary; search mode also emits the dictionary words inside a
//! longer word, so 北京大学 yields 北京, 大学 and 北京大学, and a hyphenated word its parts and
//! the whole) → drop tokens that hold no letter or digit (jieba emits spaces and punctuation as
//! tokens) → drop tokens of 40 bytes or more → lower-case → English Snowball stemming. The
//! last two steps are tantivy's `LowerCaser` and `Stemmer` with one shortcut: the stemmer only
//! runs on tokens holding an ASCII letter (it leaves other tokens unchanged anyway) and
//! remembers its answers, which halves the analysis time of a Chinese-English library; in the
//! same way jieba's cut of a short run of word characters (an English word, a Chinese clause
//! between punctuation) is remembered, since jieba cuts each run on its own. Token
//! positions count the letters and digits before a token, so a phrase matches whatever spaces,
//! hyphens or punctuation separate its words, and a Chinese word inside a longer one keeps its
//! place (长安街 is found in 西长安街). [`analyzer`], [`tokens`] and [`analyze`] hand this
//! analysis to every user — the CLI, the server, the browser index and `tags --suggest` — so
//! all of them cut text the same way.
//!
//! **Documents.** One per case. It records where each tagged section (a heading with
//! vocabulary attributes) lies in its body, in bytes ([`SectionSpan`]) and in token positions,
//! so that a hit can point at `cases/ID.html#anchor`: `search` at the first section holding
//! every word of the query, the browser index at the sections holding each word (read from
//! the token positions). A document per section as well would index each section's text
//! twice; measured at 10,000 cases, the build takes 9% less time without. The schema is
//! described at [`Fields`].
//!
//! **Taxonomy expansion.** Every document gets a `tagtext` field holding the labels (English and
//! Chinese) and aliases of the terms its case is tagged with:
//! `formalism` or 形式主义 finds the cases tagged `formalism` even when their text says neither.
//!
//! **Building** streams the documents to tantivy's writer (two indexing threads, a 192 MB heap,
//! one commit), a few hundred cases at a time prepared on the calling thread (`build` runs it
//! alongside the page rendering, which has rayon's threads), with at most
//! `IN_FLIGHT` documents waiting, so memory stays flat whatever the library size. A term's
//! names, repeated in every case tagged with it, are analyzed once (`Memo`).
//!
//! **Staleness.** The index folder holds [`META_FILE`]: the casebook version and a fingerprint
//! of everything the index is made of (case files, the taxonomy's ids, labels and aliases), so
//! `search` can tell whether the index still describes the library, and the stamp of the
//! files it was read from ([`crate::load::stamp`]), so that while no file was written since,
//! `search` can tell it without reading them. Tantivy's segment files
//! are not byte-for-byte reproducible (segment ids are random, and two indexing threads split
//! the documents by timing); the search results are, and so is the meta file.
//!
//! This module only builds, opens and describes the index; querying is [`mod@crate::search`].

use crate::error::{Error, Result};
use crate::load::Sources;
use crate::model::{Case, Library, Taxonomy};
use pulldown_cmark::{Event, Parser, TagEnd};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};
use tantivy::schema::document::{ReferenceValue, ReferenceValueLeaf};
use tantivy::schema::{
    Document, Facet, FacetOptions, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions,
    Value, STORED, STRING,
};
use tantivy::tokenizer::{
    Language, RawTokenizer, RemoveLongFilter, Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};
use tantivy::{Index, IndexSettings};

/// The name the analyzer is registered under in every index.
pub const ANALYZER: &str = "casebook";
/// Where the tantivy index lives, relative to the site folder.
pub const INDEX_DIR: &str = "_search/tantivy";
/// casebook's description of the index, inside [`INDEX_DIR`].
pub const META_FILE: &str = "casebook-index.json";
/// Bumped whenever the schema or the analysis changes, so older indexes count as stale.
pub const FORMAT: u32 = 4;

/// Memory the index writer may use for its buffers, all threads together.
const WRITER_HEAP: usize = 192 * 1024 * 1024;
/// Tokens of this many bytes or more are dropped (about 13 Chinese characters, 40 letters).
const MAX_TOKEN_BYTES: usize = 40;
/// How many stems each analyzer remembers.
const STEM_CACHE: usize = 50_000;

// ---------------------------------------------------------------------------------------------
// Analysis

fn builder() -> tantivy::tokenizer::TextAnalyzerBuilder<impl Tokenizer> {
    TextAnalyzer::builder(Words::new()).filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES)).filter(Fold)
}

static BASE: LazyLock<TextAnalyzer> = LazyLock::new(|| builder().build());

/// The analyzer the index writer uses: the same analysis, short texts memoized (see [`Memo`]).
fn indexing_analyzer() -> TextAnalyzer {
    builder().filter(Memo).build()
}

thread_local! {
    static LOCAL: RefCell<TextAnalyzer> = RefCell::new(analyzer());
}

/// The analyzer for Chinese and English text. Cloning is cheap: jieba's dictionary is loaded
/// once per process, on first use.
pub fn analyzer() -> TextAnalyzer {
    BASE.clone()
}

/// Loads what the analysis needs once per process (jieba's dictionary, the character table).
pub fn warm_up() {
    let _ = tokens("组织力 warm-up");
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

/// A token with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analyzed {
    /// The token as indexed.
    pub text: String,
    /// Letters and digits before the token: two tokens are a phrase when their positions
    /// differ by the first one's length in letters and digits.
    pub position: usize,
    /// Byte range in the analyzed text (always on character boundaries).
    pub range: std::ops::Range<usize>,
}

/// The tokens of `text` with their positions and byte ranges.
pub fn analyze(text: &str) -> Vec<Analyzed> {
    analyze_tokens(text)
        .into_iter()
        .map(|t| Analyzed { text: t.text, position: t.position, range: t.offset_from..t.offset_to })
        .collect()
}

/// The tokens of `text` as tantivy sees them (this thread's analyzer).
fn analyze_tokens(text: &str) -> Vec<Token> {
    LOCAL.with(|a| {
        let mut a = a.borrow_mut();
        let mut out = Vec::new();
        let mut stream = a.token_stream(text);
        while let Some(t) = stream.next() {
            out.push(t.clone());
        }
        out
    })
}

/// jieba, keeping only tokens with a letter or digit; positions count letters and digits.
#[derive(Clone)]
struct Words {
    jieba: tantivy_jieba::JiebaTokenizer,
    /// Scratch for [`WordStream::before`].
    before: Vec<u32>,
    /// Scratch for [`WordStream::cuts`].
    cuts: Vec<(u32, u32)>,
    /// jieba's cut of the short runs seen so far (see [`Words::cut`]).
    runs: RunCuts,
}

/// A run of jieba's word characters ([`is_run_char`]: a clause of Chinese, an English word, a
/// number) → jieba's tokens in it, as byte ranges of the run.
type RunCuts = HashMap<Box<str>, Box<[(u8, u8)]>, std::hash::BuildHasherDefault<WordHasher>>;
/// Runs longer than this (in bytes: 32 Chinese characters) are cut afresh every time.
const RUN_MAX: usize = 96;
/// Runs remembered at most, per analyzer (about 10 MB).
const RUN_CUTS_MAX: usize = 150_000;

/// The characters jieba cuts into words, a maximal run of them at a time (jieba-rs's
/// `is_han_default`): CJK ideographs, ASCII letters and digits, and `+#&._%-`. Every other
/// character jieba hands out on its own.
fn is_run_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || matches!(c, '+' | '#' | '&' | '.' | '_' | '%' | '-')
    } else {
        matches!(c,
            '\u{4E00}'..='\u{9FFF}'
            | '\u{3400}'..='\u{4DBF}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{20000}'..='\u{2A6DF}'
            | '\u{2A700}'..='\u{2B73F}'
            | '\u{2B740}'..='\u{2B81F}'
            | '\u{2B820}'..='\u{2CEAF}'
            | '\u{2CEB0}'..='\u{2EBEF}'
            | '\u{2F800}'..='\u{2FA1F}')
    }
}

impl Words {
    fn new() -> Words {
        Words {
            jieba: tantivy_jieba::JiebaTokenizer::new(),
            before: Vec::new(),
            cuts: Vec::new(),
            runs: RunCuts::default(),
        }
    }

    /// Fills `cuts` with jieba's tokens of `text` that hold a letter or digit, as byte ranges,
    /// in jieba's order, and `before` with the letters and digits before each character.
    ///
    /// jieba cuts each maximal run of [`is_run_char`] characters on its own — a clause of
    /// Chinese between punctuation, an English word, a number — whatever surrounds it, and
    /// hands out every other character as a token of its own. So the text is cut run by run
    /// with the same result, and a short run is cut once and then recalled: English words, and
    /// the short clauses and set phrases Chinese text repeats (形式主义, 红墙意识, 党建联盟…);
    /// about half the runs of the shipped cases come back within them. (A test compares this
    /// with jieba on whole texts.)
    fn cut(&mut self, text: &str) {
        let Words { jieba, before, cuts, runs } = self;
        cuts.clear();
        before.clear();
        before.resize(text.len() + 1, 0);
        let bytes = text.as_bytes();
        // Letters and digits so far; where the current run started.
        let (mut count, mut run) = (0, None);
        let mut i = 0;
        while i < bytes.len() {
            let (c, len) = decode(bytes, i);
            before[i] = count;
            let word = is_word_char(c);
            count += u32::from(word);
            if is_run_char(c) {
                run.get_or_insert(i);
            } else {
                if let Some(start) = run.take() {
                    cut_run(jieba, runs, cuts, text, start..i);
                }
                // A token of its own; one without a letter or digit is dropped anyway.
                if word {
                    cuts.push((i as u32, (i + len) as u32));
                }
            }
            i += len;
        }
        before[text.len()] = count;
        if let Some(start) = run {
            cut_run(jieba, runs, cuts, text, start..text.len());
        }
    }
}

/// The character at byte `i` of valid UTF-8 and its length in bytes (a hand-written decoder:
/// the analysis decodes every character of the library).
fn decode(bytes: &[u8], i: usize) -> (char, usize) {
    let b = u32::from(bytes[i]);
    let cont = |k: usize| u32::from(bytes[i + k] & 0x3F);
    let (c, len) = match b {
        0..0x80 => return (b as u8 as char, 1),
        0x80..0xE0 => ((b & 0x1F) << 6 | cont(1), 2),
        0xE0..0xF0 => ((b & 0x0F) << 12 | cont(1) << 6 | cont(2), 3),
        _ => ((b & 0x07) << 18 | cont(1) << 12 | cont(2) << 6 | cont(3), 4),
    };
    (char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER), len)
}

/// Appends jieba's tokens of the run `text[range]` that hold a letter or digit to `cuts`,
/// recalled from `runs` or cut and remembered there (see [`Words::cut`]).
fn cut_run(
    jieba: &mut tantivy_jieba::JiebaTokenizer,
    runs: &mut RunCuts,
    cuts: &mut Vec<(u32, u32)>,
    text: &str,
    range: std::ops::Range<usize>,
) {
    let (start, run) = (range.start, &text[range]);
    if let Some(known) = runs.get(run) {
        cuts.extend(known.iter().map(|&(a, b)| ((start + a as usize) as u32, (start + b as usize) as u32)));
        return;
    }
    let first = cuts.len();
    let mut stream = jieba.token_stream(run);
    while stream.advance() {
        let t = stream.token();
        if run[t.offset_from..t.offset_to].chars().any(is_word_char) {
            cuts.push(((start + t.offset_from) as u32, (start + t.offset_to) as u32));
        }
    }
    if run.len() <= RUN_MAX && runs.len() < RUN_CUTS_MAX {
        let relative = cuts[first..].iter().map(|&(a, b)| ((a as usize - start) as u8, (b as usize - start) as u8));
        runs.insert(run.into(), relative.collect());
    }
}

struct WordStream<'a> {
    text: &'a str,
    /// `before[i]`: the letters and digits in `text[..i]`, for every character boundary `i`
    /// (other entries are unspecified).
    before: &'a [u32],
    /// jieba's tokens, as byte ranges of `text`, and the next one to hand out.
    cuts: &'a [(u32, u32)],
    next: usize,
    /// The token handed out (jieba's, or a place-name stem of it).
    current: Token,
    /// A place-name stem still to hand out after its word.
    stem: Option<Token>,
}

/// Suffixes of Chinese place and unit names. A word that ends with one is also indexed
/// without it, at the same position, so 乌鲁木齐 finds 乌鲁木齐市 and 天湖 finds 天湖社区
/// (jieba's search mode only adds sub-words of two and three characters).
const PLACE_SUFFIXES: &[&str] = &["自治区", "街道", "社区", "市", "省", "区", "县", "镇", "乡", "村"];

/// The stem of a Chinese place name: `乌鲁木齐市` → `乌鲁木齐`; None when nothing would be left
/// but a single character, or when the word is not Chinese.
fn place_stem(word: &str) -> Option<&str> {
    if !word.chars().all(|c| matches!(c, '\u{4E00}'..='\u{9FFF}')) {
        return None;
    }
    PLACE_SUFFIXES.iter().find_map(|suffix| word.strip_suffix(suffix)).filter(|stem| stem.chars().count() >= 2)
}

impl Tokenizer for Words {
    type TokenStream<'a> = WordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        self.cut(text);
        let Words { before, cuts, .. } = self;
        WordStream { text, before, cuts, next: 0, current: Token::default(), stem: None }
    }
}

/// Which characters of the Basic Multilingual Plane are letters or digits, one bit each.
static BMP_WORD_CHARS: LazyLock<Box<[u64]>> = LazyLock::new(|| {
    let mut bits = vec![0u64; 0x10000 / 64];
    for c in (0..0x10000).filter_map(char::from_u32).filter(|c| c.is_alphanumeric()) {
        bits[c as usize / 64] |= 1 << (c as usize % 64);
    }
    bits.into_boxed_slice()
});

/// A letter or digit: `char::is_alphanumeric`, looked up in a table for the BMP (Chinese
/// punctuation is otherwise the slow case of the Unicode tables).
fn is_word_char(c: char) -> bool {
    let n = c as usize;
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if n < 0x10000 {
        BMP_WORD_CHARS[n / 64] & (1 << (n % 64)) != 0
    } else {
        c.is_alphanumeric()
    }
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        if let Some(stem) = self.stem.take() {
            self.current = stem;
            return true;
        }
        while let Some(&(from, to)) = self.cuts.get(self.next) {
            self.next += 1;
            let (from, to) = (from as usize, to as usize);
            // Position = letters and digits before the token, whatever jieba emitted between
            // (it does not emit the hyphen of "party-building").
            let (before, length) = (self.before[from] as usize, (self.before[to] - self.before[from]) as usize);
            if length == 0 {
                continue;
            }
            let token = &mut self.current;
            token.text.clear();
            token.text.push_str(&self.text[from..to]);
            token.offset_from = from;
            token.offset_to = to;
            token.position = before;
            token.position_length = length;
            if let Some(stem) = place_stem(&token.text) {
                let mut t = token.clone();
                t.text = stem.to_string();
                t.offset_to = t.offset_from + stem.len();
                t.position_length = stem.chars().count();
                self.stem = Some(t);
            }
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

/// Memoizes the analysis of short texts for the index writer, so that a term's names (in
/// `tagtext` of every case tagged with it) are analyzed once, not once per case. Long texts
/// (bodies) go straight through.
#[derive(Clone)]
struct Memo;

/// Texts this long or longer are bodies (analyzed as they come); shorter ones are memoized.
const LONG_TEXT: usize = 512;
/// Short texts memoized at most (then the memo starts afresh).
const MEMO_MAX: usize = 2048;

/// Analyzed text: tokens whose texts are concatenated in `words` (no allocation per token).
#[derive(Clone, Default)]
struct Analysis {
    tokens: Vec<Remembered>,
    words: String,
}

#[derive(Clone, Copy)]
struct Remembered {
    word: (usize, usize),
    offsets: (usize, usize),
    position: usize,
    position_length: usize,
}

impl Analysis {
    fn of<T: Tokenizer>(inner: &mut T, text: &str) -> Analysis {
        let mut into = Analysis::default();
        let mut stream = inner.token_stream(text);
        while let Some(t) = stream.next() {
            let from = into.words.len();
            into.words.push_str(&t.text);
            into.tokens.push(Remembered {
                word: (from, into.words.len()),
                offsets: (t.offset_from, t.offset_to),
                position: t.position,
                position_length: t.position_length,
            });
        }
        into
    }
}

#[derive(Clone)]
struct MemoTokenizer<T> {
    inner: T,
    memo: HashMap<String, Analysis, std::hash::BuildHasherDefault<WordHasher>>,
}

enum MemoStream<'a, S> {
    /// A long text, analyzed as it is read.
    Live(S),
    /// A short text, from memory.
    Replay { tokens: &'a [Remembered], words: &'a str, next: usize, current: Token },
}

impl TokenFilter for Memo {
    type Tokenizer<T: Tokenizer> = MemoTokenizer<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> MemoTokenizer<T> {
        MemoTokenizer { inner, memo: HashMap::default() }
    }
}

impl<T: Tokenizer> Tokenizer for MemoTokenizer<T> {
    type TokenStream<'a> = MemoStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        if text.len() >= LONG_TEXT {
            return MemoStream::Live(self.inner.token_stream(text));
        }
        if !self.memo.contains_key(text) {
            if self.memo.len() >= MEMO_MAX {
                self.memo.clear();
            }
            let analysis = Analysis::of(&mut self.inner, text);
            self.memo.insert(text.to_string(), analysis);
        }
        let analysis = &self.memo[text];
        MemoStream::Replay { tokens: &analysis.tokens, words: &analysis.words, next: 0, current: Token::default() }
    }
}

impl<S: TokenStream> TokenStream for MemoStream<'_, S> {
    fn advance(&mut self) -> bool {
        match self {
            MemoStream::Live(stream) => stream.advance(),
            MemoStream::Replay { tokens, words, next, current } => {
                let Some(t) = tokens.get(*next) else { return false };
                *next += 1;
                current.text.clear();
                current.text.push_str(&words[t.word.0..t.word.1]);
                current.offset_from = t.offsets.0;
                current.offset_to = t.offsets.1;
                current.position = t.position;
                current.position_length = t.position_length;
                true
            }
        }
    }

    fn token(&self) -> &Token {
        match self {
            MemoStream::Live(stream) => stream.token(),
            MemoStream::Replay { current, .. } => current,
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        match self {
            MemoStream::Live(stream) => stream.token_mut(),
            MemoStream::Replay { current, .. } => current,
        }
    }
}

/// Lower-casing and English stemming (see the module doc).
#[derive(Clone)]
struct Fold;

#[derive(Clone)]
struct FoldTokenizer<T> {
    inner: T,
    stemmer: TextAnalyzer,
    cache: StemCache,
}

type StemCache = HashMap<String, String, std::hash::BuildHasherDefault<WordHasher>>;

/// A fast hasher for short words (the stem cache is private; no untrusted keys to resist).
#[derive(Default)]
struct WordHasher(u64);

impl WordHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl std::hash::Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            self.add(u64::from_le_bytes(word.try_into().expect("8 bytes")));
        }
        let last = words.remainder().iter().rev().fold(0u64, |word, &b| word << 8 | u64::from(b));
        self.add(last ^ bytes.len() as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

struct FoldStream<'a, T> {
    tail: T,
    stemmer: &'a mut TextAnalyzer,
    cache: &'a mut StemCache,
}

impl TokenFilter for Fold {
    type Tokenizer<T: Tokenizer> = FoldTokenizer<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> FoldTokenizer<T> {
        let stemmer = TextAnalyzer::builder(RawTokenizer::default()).filter(Stemmer::new(Language::English)).build();
        FoldTokenizer { inner, stemmer, cache: StemCache::default() }
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
        } else if token.text.chars().any(|c| !matches!(c, '\u{3000}'..='\u{9FFF}') && c.is_uppercase()) {
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
/// | `kind` | string, stored | `case` (what browsing matches) |
/// | `id` | string, stored | the case id |
/// | `sections` | stored | one value per tagged section: its [`SectionSpan`] |
/// | `title` | text ×3, stored | the case title |
/// | `title_zh` | text ×3, stored | the case's Chinese title |
/// | `summary` | text ×2 | the case's summary and summary_zh |
/// | `summary_text` | stored | the summary (in the site's source language) |
/// | `body` | text, stored | the body as plain text |
/// | `place_text` | text | every place name, English and Chinese |
/// | `place` | stored | the place in one line, e.g. `Erqi District, Zhengzhou, Henan` |
/// | `tagtext` | text ×0.5 | labels and aliases of the terms the case is tagged with |
/// | `facet` | facet, stored | `/VOCABULARY/TERM` per tag (case order), `/level/LEVEL`, `/place/PROVINCE/CITY`: what search counts |
/// | `place_path` | facet | `/place/PROVINCE/CITY/UNIT` and `/place_zh/…` in Chinese: what place filters match |
/// | `case_ord` | u64 fast | the case's rank by id |
/// | `spans` | u64 fast | per tagged section, in order: the token positions of its text in `body`, `start << 32 \| end` |
///
/// Text fields use [`ANALYZER`] with positions; the ×N are the query boosts used by search.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub kind: Field,
    pub id: Field,
    pub sections: Field,
    pub title: Field,
    pub title_zh: Field,
    pub summary: Field,
    pub summary_text: Field,
    pub body: Field,
    pub place_text: Field,
    pub place: Field,
    pub tagtext: Field,
    pub facet: Field,
    pub place_path: Field,
    pub case_ord: Field,
    pub spans: Field,
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
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let options = TextOptions::default().set_indexing_options(indexing);
        if stored {
            options.set_stored()
        } else {
            options
        }
    };
    b.add_text_field("kind", STRING | STORED);
    b.add_text_field("id", STRING | STORED);
    b.add_text_field("sections", STORED);
    b.add_text_field("title", text(true));
    b.add_text_field("title_zh", text(true));
    b.add_text_field("summary", text(false));
    b.add_text_field("summary_text", STORED);
    b.add_text_field("body", text(true));
    b.add_text_field("place_text", text(false));
    b.add_text_field("place", STORED);
    b.add_text_field("tagtext", text(false));
    b.add_facet_field("facet", FacetOptions::default().set_stored());
    b.add_facet_field("place_path", FacetOptions::default());
    b.add_u64_field("case_ord", NumericOptions::default().set_fast());
    b.add_u64_field("spans", NumericOptions::default().set_fast());
    b.build()
}

impl Fields {
    pub fn new(schema: &Schema) -> Result<Fields> {
        let f = |name: &str| {
            schema.get_field(name).map_err(|_| Error::index(format!("the index has no field `{name}`; rebuild it")))
        };
        Ok(Fields {
            kind: f("kind")?,
            id: f("id")?,
            sections: f("sections")?,
            title: f("title")?,
            title_zh: f("title_zh")?,
            summary: f("summary")?,
            summary_text: f("summary_text")?,
            body: f("body")?,
            place_text: f("place_text")?,
            place: f("place")?,
            tagtext: f("tagtext")?,
            facet: f("facet")?,
            place_path: f("place_path")?,
            case_ord: f("case_ord")?,
            spans: f("spans")?,
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
    /// The stamp of the library's files when the index was built ([`crate::load::stamp`]):
    /// while it holds, the index is fresh without a look at the files' content.
    #[serde(default)]
    pub files: String,
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
                    .map(|t| MetaTerm {
                        id: t.id.clone(),
                        label: t.label.clone(),
                        label_zh: t.label_zh.clone(),
                        aliases: t.aliases.clone(),
                    })
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
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95);
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

/// Whether the index in `dir` is complete and was built from files with this `stamp`
/// ([`crate::load::stamp`]): then it is fresh, and the files need not be read.
pub fn stamped(dir: &Path, stamp: &str) -> bool {
    read_meta(dir).is_some_and(|m| m.format == FORMAT && !m.files.is_empty() && m.files == stamp)
        && dir.join("meta.json").is_file()
}

/// Records `stamp` in the meta file of the index in `dir`, found fresh by its content. Best
/// effort: an index that cannot be written to is only checked the long way next time.
pub fn restamp(dir: &Path, stamp: &str) {
    if let Some(mut meta) = read_meta(dir).filter(|m| m.files != stamp) {
        meta.files = stamp.to_string();
        if let Ok(json) = serde_json::to_string_pretty(&meta) {
            let _ = fs::write(dir.join(META_FILE), json + "\n");
        }
    }
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
    plain_text_mapped(markdown, &[]).0
}

/// [`plain_text`], and where each of the byte offsets `cuts` of the Markdown (ascending)
/// falls in the plain text.
fn plain_text_mapped(markdown: &str, cuts: &[usize]) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(markdown.len());
    let mut mapped = Vec::with_capacity(cuts.len());
    for (event, range) in Parser::new_ext(markdown, crate::parse::markdown_options()).into_offset_iter() {
        while mapped.len() < cuts.len() && cuts[mapped.len()] <= range.start {
            mapped.push(out.len());
        }
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::End(TagEnd::TableCell) => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::CodeBlock,
            ) if !out.ends_with('\n') => out.push('\n'),
            _ => {}
        }
    }
    let end = out.trim_end().len();
    out.truncate(end);
    mapped.resize(cuts.len(), out.len());
    for m in &mut mapped {
        *m = (*m).min(out.len());
    }
    (out, mapped)
}

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
    out.push(Facet::from_path([LEVEL_ROOT, case.level.as_str()]));
    let p = &case.place;
    out.push(Facet::from_path(std::iter::once(PLACE_ROOT).chain([p.province.as_str()]).chain(p.city.as_deref())));
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
pub fn term_text(library: &Library, v: usize, t: usize) -> String {
    let term = &library.taxonomy.vocabularies[v].terms[t];
    let mut parts = vec![term.label.as_str()];
    parts.extend(term.label_zh.as_deref());
    parts.extend(term.aliases.iter().map(String::as_str));
    parts.join("\n")
}

/// Cases analyzed together before their documents go to the index writer.
const CHUNK: usize = 256;
/// Documents handed to the index writer but not yet indexed, at most (bounds memory: tantivy's
/// own queue holds up to 10,000).
const IN_FLIGHT: usize = 2_000;

/// A document for the index writer: its values lent to the writer as they are, and text shared
/// by several documents (a term's names, a case's title, summary and places) shared rather than
/// copied. It counts itself out of `in_flight` when the writer drops it.
#[derive(Debug)]
struct Doc {
    values: Vec<(Field, Val)>,
    in_flight: Arc<AtomicUsize>,
}

#[derive(Debug)]
enum Val {
    Str(String),
    /// Text shared by several documents.
    Shared(Arc<str>),
    U64(u64),
    Facet(Facet),
}

impl Drop for Doc {
    fn drop(&mut self) {
        self.in_flight.fetch_sub(1, Ordering::Release);
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

/// What every document of a library needs.
struct Context<'a> {
    library: &'a Library,
    f: Fields,
    /// `term_texts[v][t]`: the names of term `t` of vocabulary `v`.
    term_texts: Vec<Vec<Arc<str>>>,
    in_flight: Arc<AtomicUsize>,
}

impl Context<'_> {
    fn doc(&self) -> Doc {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        Doc { values: Vec::with_capacity(24), in_flight: Arc::clone(&self.in_flight) }
    }

    /// The document of one case.
    fn document(&self, ord: usize, case: &Case) -> Doc {
        let (library, f) = (self.library, self.f);
        let tagged: Vec<&crate::model::Section> = case.sections.iter().filter(|s| s.is_tagged()).collect();
        let mut cuts: Vec<usize> = tagged.iter().flat_map(|s| [s.content.start, s.content.end]).collect();
        cuts.sort_unstable();
        let (text, mapped) = plain_text_mapped(case.body(), &cuts);
        let at = |offset: usize| cuts.iter().position(|&c| c == offset).map_or(0, |i| mapped[i]);
        let mut doc = self.doc();
        doc.text(f.kind, "case");
        doc.text(f.id, &case.id);
        doc.text(f.title, &case.title);
        if let Some(t) = &case.title_zh {
            doc.text(f.title_zh, t);
        }
        doc.text(f.place_text, place_text(case));
        doc.text(f.place, case.place.describe());
        for s in std::iter::once(&case.summary).chain(&case.summary_zh) {
            doc.text(f.summary, s);
        }
        for facet in case_facets(library, case) {
            doc.values.push((f.facet, Val::Facet(facet)));
        }
        for path in place_paths(case) {
            doc.values.push((f.place_path, Val::Facet(path)));
        }
        doc.values.push((f.case_ord, Val::U64(ord as u64)));
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

/// Writes a fresh index of `library` into `dir` (created if needed; it must not hold an index).
pub fn build_index(library: &Library, dir: &Path) -> Result<()> {
    build_index_unless(library, dir, &std::sync::atomic::AtomicBool::new(false))
}

/// [`build_index`], giving up (with an error) as soon as `stop` is set: `build` sets it when
/// the pages it renders meanwhile fail, so the error is not held back by the index.
pub fn build_index_unless(library: &Library, dir: &Path, stop: &std::sync::atomic::AtomicBool) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    let index = Index::builder()
        .schema(schema())
        .settings(IndexSettings::default())
        .create_in_dir(dir)
        .map_err(|e| Error::index_because(format!("cannot create the index in {}", dir.display()), e))?;
    index.tokenizers().register(ANALYZER, indexing_analyzer());
    let f = Fields::new(&index.schema())?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 2);
    let mut writer = index.writer_with_num_threads::<Doc>(threads, WRITER_HEAP)?;

    let in_flight = Arc::new(AtomicUsize::new(0));
    let context = Context { library, f, term_texts: term_texts(library), in_flight: Arc::clone(&in_flight) };

    // Documents are prepared here, a slice of the library at a time (bounding the memory held
    // by documents not yet indexed); tantivy's threads analyze and index them.
    let mut documents = 0;
    for (n, chunk) in library.cases.chunks(CHUNK).enumerate() {
        if stop.load(Ordering::Relaxed) {
            return Err(Error::Cancelled);
        }
        for (i, case) in chunk.iter().enumerate() {
            documents += 1;
            writer.add_document(context.document(n * CHUNK + i, case))?;
        }
        // Let the writer catch up before analyzing more (and notice if it stopped).
        let mut waiting = (in_flight.load(Ordering::Acquire), std::time::Instant::now());
        while waiting.0 > IN_FLIGHT {
            std::thread::sleep(std::time::Duration::from_millis(1));
            let now = in_flight.load(Ordering::Acquire);
            if now < waiting.0 {
                waiting = (now, std::time::Instant::now());
            } else if waiting.1.elapsed() > std::time::Duration::from_secs(120) {
                return Err(Error::index("the index writer stopped indexing documents"));
            }
        }
    }
    writer.commit()?;
    writer.wait_merging_threads()?;

    let meta = Meta {
        format: FORMAT,
        casebook_version: env!("CARGO_PKG_VERSION").to_string(),
        fingerprint: library_fingerprint(library),
        files: library.stamp.clone(),
        cases: library.cases.len(),
        documents,
        vocabularies: Meta::vocabularies(&library.taxonomy),
    };
    let json = serde_json::to_string_pretty(&meta)? + "\n";
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
        Error::index(format!(
            "no casebook index in {} (run `casebook build` or `casebook search` to create it)",
            dir.display()
        ))
    })?;
    if meta.format != FORMAT {
        return Err(Error::index(format!(
            "the index in {} has format {}, this casebook reads {FORMAT}; rebuild it",
            dir.display(),
            meta.format
        )));
    }
    let index =
        Index::open_in_dir(dir).map_err(|e| Error::index_because(format!("cannot open {}", dir.display()), e))?;
    index.tokenizers().register(ANALYZER, analyzer());
    let fields = Fields::new(&index.schema())?;
    Ok(Opened { index, fields, meta, dir: dir.to_path_buf() })
}

// ---------------------------------------------------------------------------------------------
// Updating in place (serve)

/// Memory of the [`Updater`]'s writer: one thread, a few cases per commit.
const UPDATER_HEAP: usize = 32 * 1024 * 1024;

/// Updates an index built by [`build_index`] in place, a few cases at a time: `serve` uses it
/// to make an edited case searchable without rebuilding the index.
///
/// The writer stays open between updates (its lock is held, and tantivy merges the small
/// segments each commit makes in the background). A reader opened before an update keeps
/// seeing the index as it was; one opened after sees the update. The documents of a case are
/// those [`build_index`] makes, so a query finds the same cases; scores can differ slightly
/// from a fresh build's, as tantivy counts deleted documents in its statistics until segments
/// are merged.
pub struct Updater {
    writer: tantivy::IndexWriter<Doc>,
    fields: Fields,
    dir: PathBuf,
}

impl Updater {
    /// Opens the index in `dir` for writing.
    pub fn open(dir: &Path) -> Result<Updater> {
        let index =
            Index::open_in_dir(dir).map_err(|e| Error::index_because(format!("cannot open {}", dir.display()), e))?;
        index.tokenizers().register(ANALYZER, indexing_analyzer());
        let fields = Fields::new(&index.schema())?;
        let writer = index.writer_with_num_threads::<Doc>(1, UPDATER_HEAP)?;
        Ok(Updater { writer, fields, dir: dir.to_path_buf() })
    }

    /// Replaces the documents of the cases `changed` (indices into `library.cases`) with new
    /// ones made from `library`, commits, and rewrites the meta file. The library must have
    /// the cases, in the same order, that the index was built with (an edited case keeps its
    /// id); adding, removing or renaming a case needs a new index. The meta file of an updated
    /// index has no fingerprint (computing one reads the whole library at every edit): it no
    /// longer claims to match any files, and `casebook search` rebuilds it if asked to use it.
    pub fn update(&mut self, library: &Library, changed: &[usize]) -> Result<()> {
        let f = self.fields;
        let context = Context { library, f, term_texts: term_texts(library), in_flight: Arc::new(AtomicUsize::new(0)) };
        for &i in changed {
            let case = &library.cases[i];
            self.writer.delete_term(tantivy::Term::from_field_text(f.id, &case.id));
            self.writer.add_document(context.document(i, case))?;
        }
        self.writer.commit()?;
        let documents = library.cases.len();
        let meta = Meta {
            format: FORMAT,
            casebook_version: env!("CARGO_PKG_VERSION").to_string(),
            fingerprint: String::new(),
            files: String::new(),
            cases: library.cases.len(),
            documents,
            vocabularies: Meta::vocabularies(&library.taxonomy),
        };
        let json = serde_json::to_string_pretty(&meta)? + "\n";
        let path = self.dir.join(META_FILE);
        let tmp = self.dir.join(format!(".{META_FILE}.tmp"));
        fs::write(&tmp, json).map_err(|e| Error::io("write", &path, e))?;
        fs::rename(&tmp, &path).map_err(|e| Error::io("write", &path, e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_search_mode_and_english_stems() {
        assert_eq!(tokens("形式主义"), ["形式", "主义", "形式主义"]);
        // Hyphenated words give their parts and the whole (jieba's search mode).
        assert_eq!(
            tokens("Party building  alliances, RED-wall!"),
            ["parti", "build", "allianc", "red", "wall", "red-wal"]
        );
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
        for other in ["party ,\n  building", "party-building", "Party–Building"] {
            let b = positions(other);
            let b: Vec<(String, usize)> = b.into_iter().filter(|(t, _)| a.iter().any(|x| &x.0 == t)).collect();
            assert_eq!(a, b, "{other}");
        }
        // A word inside a longer word sits at the same place as in the longer word.
        let long = positions("西长安街街道");
        let p = |w: &str| long.iter().find(|x| x.0 == w).unwrap().1;
        assert_eq!(p("长安街"), p("长安"));
    }

    #[test]
    fn word_chars_are_unicode_letters_and_digits() {
        let chars = (0..0x11000).filter_map(char::from_u32);
        let differ: Vec<char> = chars.filter(|&c| is_word_char(c) != c.is_alphanumeric()).collect();
        assert!(differ.is_empty(), "{differ:?}");
        assert!(
            is_word_char('党')
                && is_word_char('〇')
                && is_word_char('Ａ')
                && !is_word_char('，')
                && !is_word_char('。')
        );
    }

    #[test]
    fn cutting_run_by_run_and_recalling_short_runs_is_jiebas_cut() {
        // jieba's tokens of the whole text that hold a letter or digit.
        let jieba = |text: &str| {
            let mut tokenizer = tantivy_jieba::JiebaTokenizer::new();
            let mut stream = tokenizer.token_stream(text);
            let mut out = Vec::new();
            while stream.advance() {
                let t = stream.token();
                if text[t.offset_from..t.offset_to].chars().any(char::is_alphanumeric) {
                    out.push((t.offset_from as u32, t.offset_to as u32));
                }
            }
            out
        };
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts: Vec<String> = walkdir::WalkDir::new(root.join("cases"))
            .into_iter()
            .map(|e| e.unwrap().into_path())
            .filter(|p| p.is_file())
            .map(|p| fs::read_to_string(p).unwrap())
            .collect();
        assert!(texts.len() > 5);
        texts.extend(
            [
                "",
                "   ",
                "C++ and C# at 3.5% of WES-5.4.5, e.g. U.S. party-building\r\nline\ttab ... +#& -- 5",
                "Xingfu Street（幸福街道）: 54支队伍, T恤 and B超; café Ünïcödé ｆｕｌｌ ５４ 한국어 かな 🎉 〇 𠀀𠀁",
                "党建+项目 模式，“要我做”变为“我要做” party_member#1&2 done.党员志愿者组建110支社区队伍。",
                "北京大学生前来应聘，中华人民共和国成立了；他来到了网易杭研大厦",
                &format!("{} 党建 {}", "社区".repeat(RUN_MAX / 6), "党员".repeat(RUN_MAX / 6 + 1)),
                &format!("{} {}", "x".repeat(RUN_MAX), "y".repeat(RUN_MAX + 1)),
            ]
            .map(String::from),
        );
        let mut words = Words::new();
        // Twice over: the second time, the short runs come from memory.
        for _ in 0..2 {
            for text in &texts {
                words.cut(text);
                assert_eq!(words.cuts, jieba(text), "{text}");
            }
        }
        for run in ["party-building", "e.g.", "红墙意识", "党建联盟"] {
            assert!(words.runs.contains_key(run), "{run}");
        }
        assert!(words.runs.keys().all(|k| k.len() <= RUN_MAX && k.chars().all(is_run_char)));
        assert!(!words.runs.contains_key("党员".repeat(RUN_MAX / 6 + 1).as_str()));

        // Random mixes of every kind of character jieba tells apart, each text cut twice; the
        // letters and digits before each character are counted on the way.
        let pieces = [
            "党",
            "建",
            "社区",
            "联盟",
            "北京大学",
            "红墙",
            "意识",
            "𠀀",
            "㐀",
            "丽",
            "a",
            "Z",
            "9",
            "x1",
            "C++",
            "+",
            "#",
            "&",
            ".",
            "_",
            "%",
            "-",
            " ",
            "\t",
            "\r\n",
            "\n",
            "，",
            "。",
            "“",
            "”",
            "（",
            "é",
            "Ａ",
            "５",
            "한",
            "か",
            "🎉",
            "\u{E000}",
            "\u{3000}",
            "'",
            "/",
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for _ in 0..2000 {
            let len = next(40);
            let text: String = (0..len).map(|_| pieces[next(pieces.len())]).collect();
            for _ in 0..2 {
                words.cut(&text);
                assert_eq!(words.cuts, jieba(&text), "{text:?}");
                for (i, _) in text.char_indices().chain([(text.len(), ' ')]) {
                    assert_eq!(
                        words.before[i] as usize,
                        text[..i].chars().filter(|c| c.is_alphanumeric()).count(),
                        "{text:?} at {i}"
                    );
                }
            }
        }
    }

    #[test]
    fn offsets_are_char_boundaries() {
        let text = "“红墙意识”is red-wall consciousness，党建联盟";
        for t in analyze(text) {
            assert!(text.is_char_boundary(t.range.start) && text.is_char_boundary(t.range.end));
            assert_eq!(text[t.range.clone()].to_lowercase().chars().next(), t.text.chars().next());
        }
    }

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
    fn remembered_analysis_and_section_spans_match_a_fresh_analysis() {
        let library = crate::check(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap().library.unwrap();
        let f = Fields::new(&schema()).unwrap();
        let context = Context { library: &library, f, term_texts: term_texts(&library), in_flight: Arc::default() };
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

    #[test]
    fn place_names_are_also_indexed_without_their_suffix() {
        assert_eq!(place_stem("乌鲁木齐市"), Some("乌鲁木齐"));
        assert_eq!(place_stem("天湖社区"), Some("天湖"));
        assert_eq!(place_stem("广西壮族自治区"), Some("广西壮族"));
        assert_eq!(place_stem("市区"), None);
        assert_eq!(place_stem("city"), None);
        let t = tokens("新疆乌鲁木齐市的社区");
        assert!(t.iter().any(|x| x == "乌鲁木齐"), "{t:?}");
        assert!(t.iter().any(|x| x == "乌鲁木齐市"), "{t:?}");
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
