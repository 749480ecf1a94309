//! Static index: the browser's copy of the search index, part of the index stage.
//!
//! The search page runs in the browser with no server, from `file://` as well as over HTTP,
//! so its index is a set of classic scripts under `_search/`, each of which hands its data to
//! the page's registry (`CASEBOOK_SEARCH.m(…)`, `.f(…)`, `.t(…)`, `.p(…)`, `.d(…)`). The page
//! loads them with `<script src>` (never `fetch()`, which `file://` forbids), only those it
//! needs, and caches them. Nothing here is executed beyond those calls: no code, no WASM.
//!
//! **Derived from the tantivy index, so one analysis.** The static index is written after the
//! tantivy index and read out of it: its tokens are the index's terms, its documents the index's
//! case documents, so the build analyzes the text once, and the page searches exactly what
//! `casebook search` searches. The weight stored for a token in a case is the BM25 score
//! tantivy gives that case for a query of that one word — the
//! index's own statistics (idf over all documents per field, quantized field lengths, average
//! lengths), the boosts of `search.rs` (title ×3, title_zh ×3, summary ×2, body, place_text,
//! tagtext ×0.5: the labels and aliases of the document's terms, so `formalism` and 形式主义 find
//! cases tagged formalism), summed over fields. A query of several words scores a document by
//! the sum of its words' weights, as tantivy does, so the page ranks like `casebook search` (up
//! to a 0.01 rounding; a unit test compares the two). A Chinese token that the analyzer cuts
//! further on its own (形式主义 → 形式, 主义, 形式主义) is what tantivy turns into a phrase query:
//! its weight uses the phrase's idf (the sum of its tokens' idfs), its frequency standing in for
//! the phrase's. Besides its case, a token lists the case's tagged sections whose text holds
//! it (found from the token's positions in the body and the sections' positions, the index's
//! fast field `spans`), with the case's weight: the page points a hit at the first
//! section that holds every word, as `casebook search` does, or else at the case.
//!
//! **What the browser cannot do, and what replaces it.** The browser has no jieba and no
//! stemmer. English: for every word of the library (a run of ASCII letters and digits,
//! lower-cased) that the analysis turns into another token, its shard records the token
//! (`services` → `servic`), which is what `casebook search` makes of that word typed alone; a
//! typed word that never occurs in the library falls back to its lower-cased form (and so
//! usually finds nothing, where the CLI would stem it). Chinese: search.js cuts a run of Han
//! characters by forward maximum matching against the tokens that start with each character (the
//! shards of those characters), falling back to single characters; jieba's default mode picks
//! the most probable cut instead. On the words people type (places, practices, problems) the
//! two agree; on contrived strings they can differ. While a word is being typed, search.js also
//! completes it from its shard (the page's own addition: 乌鲁木齐 finds 乌鲁木齐市, which the
//! CLI, matching whole tokens only, does not).
//!
//! **Files.** All numbers are written in a 64-letter alphabet (`A–Z a–z 0–9 - _`, see
//! [`ALPHABET`]): a *varint* is little-endian groups of 5 bits, the 6th bit of a letter saying
//! "more follows"; a *bitmap* is 6 bits per letter, case `6i + j` being bit `j` of letter `i`.
//! A *case set* is a varint tag then either (tag 0) a varint count and the gaps between
//! successive case numbers (`case - previous - 1`, the first from -1) or (tag 1) a bitmap over
//! all cases. Case numbers are ranks by id.
//!
//! | file | content |
//! |---|---|
//! | `meta.js` | `m({format, cases, documents, chunk, scale, vocabularies: [{name, terms: [id…]}], levels, provinces, shards})`: what the page needs first; `shards` lists the dictionary shards that exist, space-separated |
//! | `f.js` | `f([set…])`: one case set per term of each vocabulary (meta order), per level, per province: facet counts and filters |
//! | `t/KEY.js` | `t(KEY, [token, df, postings…], [surface, token…])`: the tokens of one shard, each with its number of cases and its postings (a string) or the number `n` of `p/n.js` holding them; then the surface forms of the shard that became another token |
//! | `p/N.js` | `p(N, postings)`: postings too big to sit in their shard |
//! | `d/N.js` | `d(N, [[id, title, title_alt, place, excerpts, [anchor, section title, excerpt, …]]…])`: what a result shows, for the `chunk` cases from `N·chunk` (see [`chunk_size`]); the excerpts are the start of the summary (of both, `\n`-separated, when there are two; the site language's first) and of each tagged section |
//!
//! Postings: varint flags (1: truncated), varint number of cases (exact), and if truncated the
//! weight floor and the exact case set; then varint count of documents listed and per document
//! the case gap (`case - previous case`, 0 for another document of the same case), the document
//! (0: the case, k: its k-th tagged section holding the token) and the weight ×
//! [`WEIGHT_SCALE`] (a section's is its case's).
//!
//! **Shards.** [`shard_of`] names the shard of a token: its first two letters when both are ASCII
//! letters or digits (`parti` → `pa`), its first ASCII letter or digit and `_` when the second is
//! not (`x` → `x_`), otherwise `u` and the hexadecimal code point of its first character (`党` →
//! `u515a`). `search.js` has the same rule (`shardOf`); a test here pins examples of it, the
//! browser tests prove the two agree.
//!
//! **Budget, and the honest trade-off.** A word used by most cases of a large library (党建,
//! service) has postings of tens of thousands of documents: far more than a page should load
//! per keystroke. Postings longer than [`FULL_POSTINGS_MAX`] letters keep only their heaviest
//! documents (about [`TRUNCATED_BUDGET`] letters' worth) plus the exact set of cases and the
//! smallest weight kept. The set of matching cases, the total and every facet count stay exact;
//! the ranking is exact among the documents kept, and a case that matched through documents
//! that were not kept is scored as if each such word had the floor weight (an upper bound), and
//! is linked to its case page rather than to a section. At the size of the shipped library
//! nothing is truncated.
//!
//! Output is deterministic: tokens, shards, surfaces and files are written in sorted order.

use crate::config::Language;
use crate::error::Result;
use crate::model::{Case, Library};
use crate::write::Staging;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Where the files go, inside the site.
pub const DIR: &str = "_search";
/// Bumped whenever a file format changes (search.js checks it).
pub const FORMAT: u32 = 1;
/// The letters of varints and bitmaps (base64url's alphabet).
pub const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// Weights are stored as integers: the score times this.
pub const WEIGHT_SCALE: f32 = 100.0;
/// Cases per file of the document store, at least: four keep what a page of results loads
/// small (a library of 10,000 cases: 225–240 KB from opening the page to the results of a
/// typed query, prefetching included) with half the files two would make.
pub const CHUNK: usize = 4;
/// Files of the document store, at most: past 20,000 cases the chunks grow instead, since
/// creating a file costs more than loading a few more kilobytes (the facet file of such a
/// library is larger than a chunk anyway).
pub const MAX_DOCUMENT_FILES: usize = 5_000;

/// Cases per file of the document store for a library of `cases` cases.
pub fn chunk_size(cases: usize) -> usize {
    cases.div_ceil(MAX_DOCUMENT_FILES).max(CHUNK)
}
/// Postings longer than this (in letters) are truncated...
pub const FULL_POSTINGS_MAX: usize = 6000;
/// ... to about this many letters of documents (plus the case set).
pub const TRUNCATED_BUDGET: usize = 3000;
/// Postings up to this long may sit in their shard file...
const INLINE_MAX: usize = 600;
/// ... as long as the shard's inline postings stay under this.
const SHARD_INLINE_BUDGET: usize = 12_000;
/// Characters of a summary or a section kept for snippets.
const EXCERPT_CHARS: usize = 160;

/// The text fields searched (title, title_zh, summary, body, place_text, tagtext; see
/// [`text_fields`]) and their query boosts, as in `search.rs`.
const FIELDS: usize = 6;
const BOOSTS: [f32; FIELDS] = [3.0, 3.0, 2.0, 1.0, 1.0, 0.5];
/// tantivy's BM25 parameters.
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// Writes the part of the browser index of `lib` (under [`DIR`] in `staging`) that does not
/// depend on the tantivy index: the facet sets and
/// the document store (`build` writes them while the tantivy index is being made).
pub fn write_from_library(lib: &Library, staging: &Staging) -> Result<()> {
    write_facets(lib, staging)?;
    write_documents(lib, staging)
}

/// The rest of the browser index, read out of the tantivy index that must already be in
/// `staging` (at [`crate::index::INDEX_DIR`]): the dictionary shards, the postings and the meta
/// file.
pub fn write_from_index(lib: &Library, staging: &Staging) -> Result<()> {
    let opened = crate::index::open(&staging.path().join(crate::index::INDEX_DIR))?;
    let reader: tantivy::IndexReader =
        opened.index.reader_builder().reload_policy(tantivy::ReloadPolicy::Manual).try_into()?;
    let searcher = reader.searcher();
    let documents = Documents::new(lib);
    let postings = read_postings(&searcher, &text_fields(&opened.fields), &documents)?;
    let surfaces = surfaces(lib);
    let shards = write_dictionary(&postings, &surfaces, staging)?;
    drop(postings);
    write_meta(lib, documents.list.len(), &shards, staging)
}

// ---------------------------------------------------------------------------------------------
// Shards and encodings (search.js mirrors these)

/// The shard of a token or of a lower-cased word (see the module doc; `shardOf` in search.js).
pub fn shard_of(token: &str) -> String {
    let mut chars = token.chars();
    match chars.next() {
        None => "_".to_string(),
        Some(c1) if c1.is_ascii_alphanumeric() => {
            let c1 = c1.to_ascii_lowercase();
            match chars.next() {
                Some(c2) if c2.is_ascii_alphanumeric() => format!("{c1}{}", c2.to_ascii_lowercase()),
                _ => format!("{c1}_"),
            }
        }
        Some(c) => format!("u{:x}", c as u32),
    }
}

fn varint(out: &mut String, mut v: u64) {
    while v >= 32 {
        out.push(ALPHABET[(32 | (v & 31)) as usize] as char);
        v >>= 5;
    }
    out.push(ALPHABET[v as usize] as char);
}

/// A case set (sorted, distinct case numbers below `n`): whichever of the two forms is shorter.
fn case_set(out: &mut String, cases: &[u32], n: usize) {
    let mut list = String::new();
    varint(&mut list, cases.len() as u64);
    let mut next = 0u64;
    for &c in cases {
        varint(&mut list, c as u64 - next);
        next = c as u64 + 1;
    }
    let bitmap_len = n.div_ceil(6);
    if list.len() <= bitmap_len {
        varint(out, 0);
        out.push_str(&list);
    } else {
        varint(out, 1);
        let mut bits = vec![0u8; bitmap_len];
        for &c in cases {
            bits[c as usize / 6] |= 1 << (c % 6);
        }
        out.extend(bits.into_iter().map(|b| ALPHABET[b as usize] as char));
    }
}

/// A value as JavaScript (JSON is a subset of JavaScript).
fn js<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

// ---------------------------------------------------------------------------------------------
// Reading the tantivy index

/// Numbers of the documents of the browser index: per case, in case order, the case then its
/// tagged sections.
struct Documents {
    /// Document → (case, 0 for the case itself or k for its k-th tagged section).
    list: Vec<(u32, u32)>,
    /// Per case: its first document.
    first: Vec<u32>,
}

impl Documents {
    fn new(lib: &Library) -> Documents {
        let mut list = Vec::new();
        let mut first = Vec::with_capacity(lib.cases.len());
        for (i, case) in lib.cases.iter().enumerate() {
            first.push(list.len() as u32);
            list.push((i as u32, 0));
            let tagged = case.sections.iter().filter(|s| s.is_tagged()).count() as u32;
            list.extend((1..=tagged).map(|k| (i as u32, k)));
        }
        Documents { list, first }
    }

    fn cases(&self) -> usize {
        self.first.len()
    }
}

/// One token's occurrences: (document, field, field-norm id, term frequency).
type Occurrences = Vec<(u32, u8, u8, u32)>;

/// BM25 as tantivy computes it (query/bm25.rs): the statistics of the whole index.
struct Scoring {
    docs: u64,
    /// Per field: `K1 * (1 - B + B * length / average length)` per field-norm id.
    norms: Vec<[f32; 256]>,
}

fn idf(df: u64, n: u64) -> f32 {
    let x = ((n - df.min(n)) as f32 + 0.5) / (df as f32 + 0.5);
    (1.0 + x).ln()
}

/// The place of `body` in [`text_fields`].
const BODY: usize = 3;

/// The tantivy index's fields, in the order of [`BOOSTS`].
fn text_fields(f: &crate::index::Fields) -> [tantivy::schema::Field; FIELDS] {
    [f.title, f.title_zh, f.summary, f.body, f.place_text, f.tagtext]
}

/// Reads every token of the index's text fields with its occurrences and encodes its postings;
/// returns them in token order. The token space is cut into ranges of about equal work, read in
/// parallel; within a range, the term dictionaries of every field and segment are merged and
/// read one token at a time, so memory holds one token's occurrences per thread, and the output.
fn read_postings(
    searcher: &tantivy::Searcher,
    fields: &[tantivy::schema::Field; FIELDS],
    docs: &Documents,
) -> Result<Vec<(String, Encoded)>> {
    use tantivy::postings::Postings;
    use tantivy::schema::IndexRecordOption;
    use tantivy::{DocSet, TERMINATED};
    let segments = searcher.segment_readers();
    let mut scoring = Scoring { docs: 0, norms: Vec::new() };
    for segment in segments {
        scoring.docs += segment.max_doc() as u64;
    }
    for &field in fields {
        let mut tokens = 0u64;
        for segment in segments {
            tokens += segment.inverted_index(field)?.total_num_tokens();
        }
        let avg = tokens as f32 / scoring.docs.max(1) as f32;
        let mut norms = [0f32; 256];
        for (id, slot) in norms.iter_mut().enumerate() {
            let len = tantivy::fieldnorm::FieldNormReader::id_to_fieldnorm(id as u8) as f32;
            *slot = K1 * (1.0 - B + B * len / avg.max(f32::MIN_POSITIVE));
        }
        scoring.norms.push(norms);
    }

    // Per segment: local document → our document number (its case's), and where the case's
    // tagged sections lie among the positions of its body.
    let io = |e: std::io::Error| crate::Error::index_because("cannot read the search index", e);
    let mut doc_maps: Vec<Vec<u32>> = Vec::new();
    let mut spans: Vec<Spans> = Vec::new();
    for segment in segments {
        let case_ord = segment.fast_fields().u64("case_ord")?;
        doc_maps.push(
            (0..segment.max_doc())
                .map(|d| case_ord.first(d).and_then(|c| docs.first.get(c as usize).copied()).unwrap_or(u32::MAX))
                .collect(),
        );
        // Read out of the column once: it is looked up for every document of every token.
        let column = segment.fast_fields().u64("spans")?;
        let mut table = Spans { starts: Vec::with_capacity(segment.max_doc() as usize + 1), spans: Vec::new() };
        for d in 0..segment.max_doc() {
            table.starts.push(table.spans.len() as u32);
            table.spans.extend(column.values_for_doc(d).map(|span| ((span >> 32) as u32, span as u32)));
        }
        table.starts.push(table.spans.len() as u32);
        spans.push(table);
    }
    let inverted: Vec<Vec<std::sync::Arc<tantivy::InvertedIndexReader>>> = fields
        .iter()
        .map(|&f| segments.iter().map(|s| s.inverted_index(f)).collect::<tantivy::Result<Vec<_>>>())
        .collect::<tantivy::Result<_>>()?;
    let norms: Vec<Vec<tantivy::fieldnorm::FieldNormReader>> = fields
        .iter()
        .map(|&f| segments.iter().map(|s| s.get_fieldnorms_reader(f)).collect::<tantivy::Result<Vec<_>>>())
        .collect::<tantivy::Result<_>>()?;

    // Pass 1: every token with the number of its postings, to cut the token space into ranges
    // of about equal work.
    let mut sizes: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
    for per_field in &inverted {
        for inv in per_field {
            let mut terms = inv.terms().stream().map_err(io)?;
            while terms.advance() {
                *sizes.entry(terms.key().to_vec()).or_default() += terms.value().doc_freq as u64 + 8;
            }
        }
    }
    let total: u64 = sizes.values().sum();
    let parts = (rayon::current_num_threads() * 8).max(1) as u64;
    let mut starts: Vec<Vec<u8>> = Vec::new();
    let mut acc = total; // start a range at the first token
    for (key, size) in &sizes {
        if acc >= total / parts {
            starts.push(key.clone());
            acc = 0;
        }
        acc += size;
    }
    drop(sizes);

    // Pass 2, in parallel over the ranges: merge the term streams of every (field, segment),
    // one token at a time.
    let ranges: Vec<(Vec<u8>, Option<Vec<u8>>)> =
        starts.iter().enumerate().map(|(i, lo)| (lo.clone(), starts.get(i + 1).cloned())).collect();
    let done: Vec<Vec<(String, Encoded)>> = ranges
        .par_iter()
        .map(|(lo, hi)| -> Result<Vec<(String, Encoded)>> {
            let mut streams = Vec::new();
            for (fi, per_field) in inverted.iter().enumerate() {
                for (si, inv) in per_field.iter().enumerate() {
                    let range = inv.terms().range().ge(lo);
                    let range = match hi {
                        Some(hi) => range.lt(hi),
                        None => range,
                    };
                    let mut terms = range.into_stream().map_err(io)?;
                    let live = terms.advance();
                    streams.push((fi, si, terms, live));
                }
            }
            let mut out = Vec::new();
            let mut positions = Vec::new();
            while let Some(min) = streams.iter().filter(|s| s.3).map(|s| s.2.key()).min().map(<[u8]>::to_vec) {
                let mut occ: Occurrences = Vec::new();
                let mut within: Vec<u32> = Vec::new();
                for (fi, si, terms, live) in streams.iter_mut().filter(|s| s.3 && s.2.key() == min.as_slice()) {
                    // In the body, where the token is tells which sections hold it.
                    let body = *fi == BODY;
                    let option =
                        if body { IndexRecordOption::WithFreqsAndPositions } else { IndexRecordOption::WithFreqs };
                    let mut postings =
                        inverted[*fi][*si].read_postings_from_terminfo(terms.value(), option).map_err(io)?;
                    let map = &doc_maps[*si];
                    let norms = &norms[*fi][*si];
                    let mut d = postings.doc();
                    while d != TERMINATED {
                        let doc = map[d as usize];
                        if doc != u32::MAX {
                            occ.push((doc, *fi as u8, norms.fieldnorm_id(d), postings.term_freq()));
                            if body {
                                postings.positions(&mut positions);
                                for (k, &(start, end)) in spans[*si].of(d).iter().enumerate() {
                                    let first = positions.partition_point(|&p| p < start);
                                    if positions.get(first).is_some_and(|&p| p < end) {
                                        within.push(doc + 1 + k as u32);
                                    }
                                }
                            }
                        }
                        d = postings.advance();
                    }
                    *live = terms.advance();
                }
                if !occ.is_empty() {
                    let token = String::from_utf8_lossy(&min).into_owned();
                    let encoded = weigh(searcher, fields, &scoring, docs, &token, occ, within);
                    out.push((token, encoded));
                }
            }
            Ok(out)
        })
        .collect::<Result<_>>()?;
    Ok(done.into_iter().flatten().collect())
}

/// The tagged sections of a segment's documents, as ranges of token positions in the body.
struct Spans {
    /// Document `d`'s sections are `spans[starts[d]..starts[d + 1]]`.
    starts: Vec<u32>,
    spans: Vec<(u32, u32)>,
}

impl Spans {
    fn of(&self, doc: u32) -> &[(u32, u32)] {
        let d = doc as usize;
        &self.spans[self.starts[d] as usize..self.starts[d + 1] as usize]
    }
}

/// One token's postings, encoded, and its number of cases.
struct Encoded {
    postings: String,
    cases: u32,
}

/// The weight of `token` in each case where it occurs: the score tantivy gives the case for a
/// query of that one word (summed over fields, each with its boost); and the same weight for
/// each of the case's tagged sections that holds the token (`within`: their documents).
fn weigh(
    searcher: &tantivy::Searcher,
    fields: &[tantivy::schema::Field; FIELDS],
    scoring: &Scoring,
    docs: &Documents,
    token: &str,
    mut occ: Occurrences,
    mut within: Vec<u32>,
) -> Encoded {
    let mut df = [0u64; FIELDS];
    for o in &occ {
        df[o.1 as usize] += 1;
    }
    // A token the analyzer cuts further on its own is a phrase query for tantivy: its idf is
    // the sum of its parts' idfs (query/bm25.rs, `for_terms`).
    let parts =
        if !token.is_ascii() && token.chars().nth(1).is_some() { crate::index::tokens(token) } else { Vec::new() };
    let mut idfs = [0f32; FIELDS];
    for (f, slot) in idfs.iter_mut().enumerate() {
        *slot = if parts.len() > 1 {
            parts
                .iter()
                .map(|p| {
                    let n = searcher.doc_freq(&tantivy::Term::from_field_text(fields[f], p)).unwrap_or(0);
                    idf(n, scoring.docs)
                })
                .sum()
        } else {
            idf(df[f], scoring.docs)
        };
    }
    let weight = |&(_, f, norm, tf): &(u32, u8, u8, u32)| {
        let f = f as usize;
        let tf = tf as f32;
        idfs[f] * (1.0 + K1) * BOOSTS[f] * (tf / (tf + scoring.norms[f][norm as usize]))
    };
    // Sum per document, fields in order. Occurrences come field by field, each field's in the
    // order of the index's segments: a common token is summed in a table of all documents, a
    // rare one sorted.
    let mut weights: Vec<(u32, f32)> = Vec::new();
    if occ.len() > docs.list.len() / 8 {
        let mut table = vec![0f32; docs.list.len()];
        for o in &occ {
            table[o.0 as usize] += weight(o);
        }
        weights.extend(table.into_iter().enumerate().filter(|(_, w)| *w > 0.0).map(|(d, w)| (d as u32, w)));
    } else {
        occ.sort_unstable();
        for o in &occ {
            let w = weight(o);
            match weights.last_mut() {
                Some((d, sum)) if *d == o.0 => *sum += w,
                _ => weights.push((o.0, w)),
            }
        }
    }
    if !within.is_empty() {
        // A section's document follows its case's: merge the two sorted lists.
        within.sort_unstable();
        let mut merged = Vec::with_capacity(weights.len() + within.len());
        let mut sections = within.into_iter().peekable();
        for &(case, w) in &weights {
            merged.push((case, w));
            while let Some(&d) = sections.peek() {
                let of = docs.first[docs.list[d as usize].0 as usize];
                if of > case {
                    break;
                }
                sections.next();
                if of == case {
                    merged.push((d, w));
                }
            }
        }
        weights = merged;
    }
    encode(&weights, &docs.list, docs.cases())
}

fn quantize(w: f32) -> u64 {
    ((w * WEIGHT_SCALE).round() as u64).max(1)
}

fn encode_docs(out: &mut String, docs: &[(u32, f32)], documents: &[(u32, u32)]) {
    varint(out, docs.len() as u64);
    let mut prev = 0u32;
    for &(d, w) in docs {
        let (case, k) = documents[d as usize];
        varint(out, (case - prev) as u64);
        varint(out, k as u64);
        varint(out, quantize(w));
        prev = case;
    }
}

fn encode(docs: &[(u32, f32)], documents: &[(u32, u32)], n_cases: usize) -> Encoded {
    let mut cases: Vec<u32> = docs.iter().map(|&(d, _)| documents[d as usize].0).collect();
    cases.dedup();
    // A document takes at least 3 letters: only postings that may fit are written out whole.
    let mut per_doc = 4;
    if docs.len() * 3 <= FULL_POSTINGS_MAX {
        let mut full = String::new();
        varint(&mut full, 0);
        varint(&mut full, cases.len() as u64);
        encode_docs(&mut full, docs, documents);
        if full.len() <= FULL_POSTINGS_MAX {
            return Encoded { postings: full, cases: cases.len() as u32 };
        }
        per_doc = full.len().div_ceil(docs.len());
    }
    // Keep the heaviest documents (ties: the earlier), back in document order: as many as fit
    // in the budget (guessed from the letters per document, then corrected once or twice).
    let mut by_weight: Vec<usize> = (0..docs.len()).collect();
    let heavier = |a: &usize, b: &usize| docs[*b].1.total_cmp(&docs[*a].1).then(a.cmp(b));
    let mut keep = (TRUNCATED_BUDGET / per_doc).clamp(1, docs.len());
    let mut head = String::new();
    varint(&mut head, 1);
    varint(&mut head, cases.len() as u64);
    let (kept_docs, floor) = loop {
        // The `keep` heaviest first (each pass looks only at the previous pass's heaviest).
        if keep < by_weight.len() {
            by_weight.select_nth_unstable_by(keep - 1, heavier);
            by_weight.truncate(keep);
        }
        let mut kept: Vec<usize> = by_weight.clone();
        kept.sort_unstable();
        let kept: Vec<(u32, f32)> = kept.into_iter().map(|i| docs[i]).collect();
        let mut body = String::new();
        encode_docs(&mut body, &kept, documents);
        if body.len() <= TRUNCATED_BUDGET + TRUNCATED_BUDGET / 10 || keep == 1 {
            let floor = by_weight.iter().map(|&i| docs[i].1).fold(f32::INFINITY, f32::min);
            break (body, floor);
        }
        keep = (keep * TRUNCATED_BUDGET / body.len()).max(1);
    };
    let mut out = head;
    varint(&mut out, quantize(floor));
    case_set(&mut out, &cases, n_cases);
    out.push_str(&kept_docs);
    Encoded { postings: out, cases: cases.len() as u32 }
}

// ---------------------------------------------------------------------------------------------
// Writing

/// Every English word of the library (a run of ASCII letters and digits, lower-cased) whose
/// token is another word, with that token: what the browser looks a typed word up in, since it
/// has no stemmer. The token is what the analysis makes of the word alone, as it does of a word
/// typed into `casebook search`.
fn surfaces(lib: &Library) -> Vec<(String, String)> {
    /// Distinct words, lower-cased; a word is known by its hash (64 bits: collisions, which
    /// would only lose a word, are not worth a string comparison per word of the library).
    #[derive(Default)]
    struct Words {
        seen: std::collections::HashSet<u64, std::hash::BuildHasherDefault<Identity>>,
        list: Vec<String>,
    }
    fn words(text: &str, into: &mut Words) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if !bytes[i].is_ascii_alphanumeric() {
                i += 1;
                continue;
            }
            let start = i;
            let mut letter = false;
            let mut hash = Fx::default();
            while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                letter |= bytes[i].is_ascii_alphabetic();
                std::hash::Hasher::write_u8(&mut hash, bytes[i].to_ascii_lowercase());
                i += 1;
            }
            if letter && into.seen.insert(std::hash::Hasher::finish(&hash)) {
                into.list.push(text[start..i].to_ascii_lowercase());
            }
        }
    }
    let mut seen: Words = lib
        .cases
        .par_iter()
        .fold(Words::default, |mut set, c| {
            words(&c.text, &mut set);
            set
        })
        .reduce(Words::default, |mut a, b| {
            a.list.extend(b.list);
            a
        });
    for (v, vocab) in lib.taxonomy.vocabularies.iter().enumerate() {
        for t in 0..vocab.terms.len() {
            words(&term_text(lib, v, t), &mut seen);
        }
    }
    let mut words = seen.list;
    words.par_sort_unstable();
    words.dedup();
    words
        .into_par_iter()
        .filter_map(|w| {
            let tokens = crate::index::tokens(&w);
            match tokens.as_slice() {
                [t] if *t != w => Some((w, t.clone())),
                _ => None,
            }
        })
        .collect()
}

/// A fast hash for short strings (FxHash, as in rustc), fed a byte at a time.
#[derive(Default)]
struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u8(b);
        }
    }

    fn write_u8(&mut self, b: u8) {
        self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The hasher of a set of hashes.
#[derive(Default)]
struct Identity(u64);

impl std::hash::Hasher for Identity {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ b as u64;
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The labels and aliases of a term, one per line (as the tantivy index's `tagtext`).
fn term_text(lib: &Library, v: usize, t: usize) -> String {
    let term = &lib.taxonomy.vocabularies[v].terms[t];
    let mut parts = vec![term.label.as_str()];
    parts.extend(term.label_zh.as_deref());
    parts.extend(term.aliases.iter().map(String::as_str));
    parts.join("\n")
}

/// Writes the shards and the postings files; returns the shard keys, sorted. `postings` and
/// `surfaces` are sorted.
fn write_dictionary(
    postings: &[(String, Encoded)],
    surfaces: &[(String, String)],
    staging: &Staging,
) -> Result<Vec<String>> {
    // Shard key → token numbers (ranks in sorted order), and surfaces.
    let mut shards: BTreeMap<String, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for (rank, (token, _)) in postings.iter().enumerate() {
        shards.entry(shard_of(token)).or_default().0.push(rank);
    }
    for (i, (s, _)) in surfaces.iter().enumerate() {
        shards.entry(shard_of(s)).or_default().1.push(i);
    }
    let shards: Vec<(String, (Vec<usize>, Vec<usize>))> = shards.into_iter().collect();
    shards.par_iter().try_for_each(|(key, (tokens, words))| -> Result<()> {
        // Inline the shortest postings while the shard stays small; the rest get files.
        let len = |r: usize| postings[r].1.postings.len();
        let mut by_len: Vec<usize> = tokens.iter().copied().filter(|&r| len(r) <= INLINE_MAX).collect();
        by_len.sort_by_key(|&r| (len(r), r));
        let mut inline = std::collections::HashSet::new();
        let mut used = 0;
        for r in by_len {
            if used + len(r) > SHARD_INLINE_BUDGET {
                break;
            }
            used += len(r);
            inline.insert(r);
        }
        let mut text = format!("CASEBOOK_SEARCH.t({},[", js(key));
        for (i, &r) in tokens.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            let (token, e) = &postings[r];
            let _ = write!(text, "{},{},", js(token), e.cases);
            if inline.contains(&r) {
                text.push_str(&js(&e.postings));
            } else {
                let _ = write!(text, "{r}");
                let file = format!("CASEBOOK_SEARCH.p({r},{});\n", js(&e.postings));
                staging.write(&format!("{DIR}/p/{r}.js"), file.as_bytes())?;
            }
        }
        text.push_str("],[");
        for (i, &w) in words.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            let _ = write!(text, "{},{}", js(&surfaces[w].0), js(&surfaces[w].1));
        }
        text.push_str("]);\n");
        staging.write(&format!("{DIR}/t/{key}.js"), text.as_bytes())
    })?;
    Ok(shards.into_iter().map(|(k, _)| k).collect())
}

fn write_meta(lib: &Library, documents: usize, shards: &[String], staging: &Staging) -> Result<()> {
    let vocabularies: Vec<serde_json::Value> = lib
        .taxonomy
        .vocabularies
        .iter()
        .map(
            |v| serde_json::json!({"name": v.name, "terms": v.terms.iter().map(|t| t.id.as_str()).collect::<Vec<_>>()}),
        )
        .collect();
    let meta = serde_json::json!({
        "format": FORMAT,
        "cases": lib.cases.len(),
        "documents": documents,
        "chunk": chunk_size(lib.cases.len()),
        "scale": WEIGHT_SCALE,
        "vocabularies": vocabularies,
        "levels": crate::model::vocabulary::LEVELS,
        "provinces": provinces(lib),
        "shards": shards.join(" "),
    });
    staging.write(&format!("{DIR}/meta.js"), format!("CASEBOOK_SEARCH.m({});\n", js(&meta)).as_bytes())
}

/// The provinces of the library, sorted (the values of the search page's place checkboxes).
fn provinces(lib: &Library) -> Vec<&str> {
    let set: std::collections::BTreeSet<&str> = lib.cases.iter().map(|c| c.place.province.as_str()).collect();
    set.into_iter().collect()
}

fn write_facets(lib: &Library, staging: &Staging) -> Result<()> {
    let n = lib.cases.len();
    let mut sets: Vec<Vec<u32>> = Vec::new();
    for usage in &lib.usage {
        for cases in usage {
            sets.push(cases.iter().map(|&c| c as u32).collect());
        }
    }
    for level in crate::model::vocabulary::LEVELS {
        sets.push((0..n as u32).filter(|&c| lib.cases[c as usize].level == *level).collect());
    }
    for p in provinces(lib) {
        sets.push((0..n as u32).filter(|&c| lib.cases[c as usize].place.province == p).collect());
    }
    let encoded: Vec<String> = sets
        .iter()
        .map(|s| {
            let mut out = String::new();
            case_set(&mut out, s, n);
            out
        })
        .collect();
    staging.write(&format!("{DIR}/f.js"), format!("CASEBOOK_SEARCH.f({});\n", js(&encoded)).as_bytes())
}

/// The start of a text on one line, at most [`EXCERPT_CHARS`] characters, `…` when cut.
fn excerpt(text: &str) -> String {
    let mut out = String::new();
    let mut space = false;
    let mut chars = 0;
    for c in text.trim().chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if chars >= EXCERPT_CHARS {
            out.push('…');
            return out;
        }
        if space {
            out.push(' ');
            chars += 1;
            space = false;
        }
        out.push(c);
        chars += 1;
    }
    out
}

fn write_documents(lib: &Library, staging: &Staging) -> Result<()> {
    let zh = lib.config.language == Language::ZhCn;
    let chunks: Vec<&[Case]> = lib.cases.chunks(chunk_size(lib.cases.len())).collect();
    chunks.par_iter().enumerate().try_for_each(|(n, cases)| {
        let entries: Vec<serde_json::Value> = cases
            .iter()
            .map(|c| {
                let (title, alt) = match (zh, &c.title_zh) {
                    (true, Some(t)) => (t.as_str(), c.title.as_str()),
                    (false, Some(t)) => (c.title.as_str(), t.as_str()),
                    (_, None) => (c.title.as_str(), ""),
                };
                let place = match (zh, c.place.describe_zh()) {
                    (true, Some(p)) => p,
                    _ => c.place.describe(),
                };
                let mut summaries = vec![excerpt(&c.summary)];
                if let Some(s) = &c.summary_zh {
                    summaries.insert(usize::from(!zh), excerpt(s));
                }
                let mut sections: Vec<String> = Vec::new();
                for s in c.sections.iter().filter(|s| s.is_tagged()) {
                    sections.push(s.anchor.clone());
                    sections.push(s.title.clone());
                    sections.push(excerpt(&crate::markdown::plain_text(c.section_markdown(s))));
                }
                serde_json::json!([c.id, title, alt, place, summaries.join("\n"), sections])
            })
            .collect();
        let text = format!("CASEBOOK_SEARCH.d({n},{});\n", js(&entries));
        staging.write(&format!("{DIR}/d/{n}.js"), text.as_bytes())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::path::Path;

    /// Shard names: the examples search.js is checked against too (the browser test runs
    /// `shardOf` on the same file in the page).
    const SHARD_EXAMPLES: &str = include_str!("../../tests/fixtures/shard_examples.json");

    #[test]
    fn shards_follow_the_documented_rule() {
        let examples: Vec<(String, String)> = serde_json::from_str(SHARD_EXAMPLES).unwrap();
        assert!(examples.len() >= 10);
        for (token, shard) in &examples {
            assert_eq!(shard_of(token), *shard, "{token}");
        }
    }

    /// A reader of the encodings, as search.js reads them.
    struct Reader<'a>(&'a [u8], usize);

    impl Reader<'_> {
        fn value(c: u8) -> u64 {
            ALPHABET.iter().position(|&a| a == c).unwrap() as u64
        }

        fn varint(&mut self) -> u64 {
            let (mut v, mut shift) = (0, 0);
            loop {
                let c = Self::value(self.0[self.1]);
                self.1 += 1;
                v |= (c & 31) << shift;
                shift += 5;
                if c & 32 == 0 {
                    return v;
                }
            }
        }

        fn set(&mut self, n: usize) -> Vec<u32> {
            if self.varint() == 0 {
                let k = self.varint();
                let mut next = 0;
                (0..k)
                    .map(|_| {
                        let c = next + self.varint();
                        next = c + 1;
                        c as u32
                    })
                    .collect()
            } else {
                let letters = n.div_ceil(6);
                let out = (0..n as u32)
                    .filter(|&c| Self::value(self.0[self.1 + c as usize / 6]) >> (c % 6) & 1 == 1)
                    .collect();
                self.1 += letters;
                out
            }
        }

        /// (truncated, cases, floor, [(case, document, weight)])
        fn postings(&mut self, n: usize) -> (bool, Vec<u32>, f32, Vec<(u32, u32, f32)>) {
            let truncated = self.varint() & 1 == 1;
            let count = self.varint();
            let (mut floor, mut set) = (0.0, None);
            if truncated {
                floor = self.varint() as f32 / WEIGHT_SCALE;
                set = Some(self.set(n));
            }
            let k = self.varint();
            let mut case = 0;
            let docs: Vec<(u32, u32, f32)> = (0..k)
                .map(|_| {
                    case += self.varint() as u32;
                    (case, self.varint() as u32, self.varint() as f32 / WEIGHT_SCALE)
                })
                .collect();
            let cases = set.unwrap_or_else(|| {
                let mut c: Vec<u32> = docs.iter().map(|d| d.0).collect();
                c.dedup();
                c
            });
            assert_eq!(cases.len() as u64, count);
            (truncated, cases, floor, docs)
        }
    }

    #[test]
    fn varints_and_case_sets_round_trip() {
        let mut s = String::new();
        for v in [0u64, 1, 31, 32, 1023, 1024, 1 << 30, u32::MAX as u64] {
            varint(&mut s, v);
        }
        let mut r = Reader(s.as_bytes(), 0);
        for v in [0u64, 1, 31, 32, 1023, 1024, 1 << 30, u32::MAX as u64] {
            assert_eq!(r.varint(), v);
        }
        for (cases, n) in [
            (vec![], 10),
            (vec![0, 5, 6, 99], 100),
            ((0..1000).step_by(2).collect::<Vec<u32>>(), 1000),
            (vec![999], 1000),
        ] {
            let mut s = String::new();
            case_set(&mut s, &cases, n);
            assert_eq!(Reader(s.as_bytes(), 0).set(n), cases, "{s}");
        }
        // Dense sets take the bitmap: 1000 cases in 167 letters.
        let mut s = String::new();
        case_set(&mut s, &(0..1000).step_by(2).collect::<Vec<u32>>(), 1000);
        assert_eq!(s.len(), 1 + 167);
    }

    #[test]
    fn truncated_postings_keep_the_heaviest_documents_and_every_case() {
        let n = 20_000u32;
        let documents: Vec<(u32, u32)> = (0..n).map(|c| (c, 0)).collect();
        let docs: Vec<(u32, f32)> = (0..n).map(|d| (d, 1.0 + (d % 97) as f32)).collect();
        let e = encode(&docs, &documents, n as usize);
        // The case set (a bitmap here) and about TRUNCATED_BUDGET letters of documents.
        assert!(e.postings.len() <= n as usize / 6 + TRUNCATED_BUDGET * 11 / 10 + 20, "{}", e.postings.len());
        let (truncated, cases, floor, kept) = Reader(e.postings.as_bytes(), 0).postings(n as usize);
        assert!(truncated);
        assert_eq!(cases.len(), n as usize);
        assert!(kept.len() > TRUNCATED_BUDGET / 8, "{}", kept.len());
        // The kept documents are the heaviest: none left out weighs more than the floor.
        assert!(kept.iter().all(|d| d.2 >= floor));
        assert!(docs.iter().filter(|d| d.1 > floor + 0.005).count() <= kept.len());
    }

    /// The shipped library, its tantivy index and the encoded postings, built once.
    fn shipped() -> &'static (Library, tempfile::TempDir, Vec<(String, Encoded)>) {
        static CELL: std::sync::OnceLock<(Library, tempfile::TempDir, Vec<(String, Encoded)>)> =
            std::sync::OnceLock::new();
        CELL.get_or_init(|| {
            let lib = crate::check(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap().library.unwrap();
            let tmp = tempfile::tempdir().unwrap();
            let dir = tmp.path().join(crate::index::INDEX_DIR);
            crate::index::build_index(&lib, &dir).unwrap();
            let opened = crate::index::open(&dir).unwrap();
            let reader: tantivy::IndexReader = opened.index.reader().unwrap();
            let postings =
                read_postings(&reader.searcher(), &text_fields(&opened.fields), &Documents::new(&lib)).unwrap();
            (lib, tmp, postings)
        })
    }

    /// Per case, the best document's summed weight for the given tokens (all required).
    fn static_scores(tokens: &[&str]) -> HashMap<String, f32> {
        let (lib, _, postings) = shipped();
        let mut per_doc: HashMap<(u32, u32), (usize, f32)> = HashMap::new();
        for t in tokens {
            let (_, e) = postings.iter().find(|(k, _)| k == t).unwrap_or_else(|| panic!("no token {t}"));
            let (truncated, _, _, docs) = Reader(e.postings.as_bytes(), 0).postings(lib.cases.len());
            assert!(!truncated);
            for (c, d, w) in docs {
                let slot = per_doc.entry((c, d)).or_default();
                slot.0 += 1;
                slot.1 += w;
            }
        }
        let mut out: HashMap<String, f32> = HashMap::new();
        for ((c, _), (n, w)) in per_doc {
            if n == tokens.len() {
                let best = out.entry(lib.cases[c as usize].id.clone()).or_insert(0.0);
                *best = best.max(w);
            }
        }
        out
    }

    #[test]
    fn a_token_lists_the_sections_holding_it_with_their_case_weight() {
        let (lib, _, postings) = shipped();
        let (_, e) = postings.iter().find(|(k, _)| k == "红墙").unwrap();
        let (_, _, _, docs) = Reader(e.postings.as_bytes(), 0).postings(lib.cases.len());
        let c = lib.cases.iter().position(|c| c.id == "west-changan").unwrap();
        let tagged: Vec<&str> =
            lib.cases[c].sections.iter().filter(|s| s.is_tagged()).map(|s| s.anchor.as_str()).collect();
        let mine: Vec<(u32, f32)> = docs.iter().filter(|d| d.0 == c as u32).map(|d| (d.1, d.2)).collect();
        assert_eq!(mine[0].0, 0, "the case first: {mine:?}");
        let sections: Vec<&str> = mine[1..].iter().map(|d| tagged[d.0 as usize - 1]).collect();
        assert!(sections.contains(&"red-wall-consciousness"), "{sections:?}");
        assert!(mine.iter().all(|d| d.1 == mine[0].1), "{mine:?}");
        // Only sections whose text holds the word: each listed section's text has it.
        for s in lib.cases[c].sections.iter().filter(|s| sections.contains(&s.anchor.as_str())) {
            assert!(lib.cases[c].section_markdown(s).contains("红墙"), "{}", s.anchor);
        }
    }

    #[test]
    fn weights_are_the_scores_of_casebook_search() {
        let (_, tmp, _) = shipped();
        let searcher = crate::search::Searcher::open(&tmp.path().join(crate::index::INDEX_DIR)).unwrap();
        // One token, several tokens (words ANDed), a Chinese phrase (形式主义 → 形式 主义 形式主义).
        let queries: &[(&str, &[&str])] = &[
            ("alliance", &["allianc"]),
            ("红墙", &["红墙"]),
            ("formalism", &["formal"]),
            ("天湖", &["天湖"]),
            ("party building", &["parti", "build"]),
            ("形式主义", &["形式主义"]),
            ("社区", &["社区"]),
            ("grassroots governance", &["grassroot", "govern"]),
        ];
        for (q, tokens) in queries {
            let cli = searcher.search(&crate::search::Query::new(*q).limit(100)).unwrap();
            let ours = static_scores(tokens);
            assert_eq!(
                cli.total,
                ours.len(),
                "{q}: {:?} vs {ours:?}",
                cli.hits.iter().map(|h| &h.id).collect::<Vec<_>>()
            );
            for hit in &cli.hits {
                let w = ours[&hit.id];
                assert!(
                    (w - hit.score).abs() < 0.006 * tokens.len() as f32 + 1e-4 * hit.score,
                    "{q} {}: {w} vs {}",
                    hit.id,
                    hit.score
                );
            }
        }
    }

    #[test]
    fn output_is_deterministic_and_complete() {
        let (lib, _, _) = shipped();
        let build = || {
            let tmp = tempfile::tempdir().unwrap();
            let out = tmp.path().join("site");
            let staging = Staging::create(&out).unwrap();
            crate::index::build_index(lib, &staging.path().join(crate::index::INDEX_DIR)).unwrap();
            write_from_library(lib, &staging).unwrap();
            write_from_index(lib, &staging).unwrap();
            staging.commit().unwrap();
            let mut files = BTreeMap::new();
            for e in walkdir::WalkDir::new(out.join(DIR))
                .into_iter()
                .filter_map(|e| e.ok())
                .filter(|e| e.file_type().is_file())
            {
                let rel = e.path().strip_prefix(&out).unwrap().to_string_lossy().replace('\\', "/");
                if !rel.starts_with(crate::index::INDEX_DIR) {
                    files.insert(rel, std::fs::read(e.path()).unwrap());
                }
            }
            files
        };
        let (a, b) = (build(), build());
        assert!(a == b, "two builds differ");
        for f in ["_search/meta.js", "_search/f.js", "_search/d/0.js", "_search/t/pa.js", "_search/t/u7ea2.js"] {
            assert!(a.contains_key(f), "{f} missing: {:?}", a.keys().take(20).collect::<Vec<_>>());
        }
        assert_eq!(
            a.keys().filter(|k| k.starts_with("_search/d/")).count(),
            lib.cases.len().div_ceil(chunk_size(lib.cases.len()))
        );
        assert_eq!((chunk_size(5), chunk_size(20_000), chunk_size(20_001), chunk_size(100_000)), (4, 4, 5, 20));
        let meta = String::from_utf8(a["_search/meta.js"].clone()).unwrap();
        assert!(meta.starts_with("CASEBOOK_SEARCH.m({") && meta.contains("\"cases\":5"), "{meta}");
        // The stemmed English words are in their shards: `party` became `parti`.
        let pa = String::from_utf8(a["_search/t/pa.js"].clone()).unwrap();
        assert!(pa.contains("\"party\",\"parti\""), "{pa}");
    }
}
