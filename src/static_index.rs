//! Static index: the browser's copy of the search index, part of the index stage.
//!
//! The search page runs in the browser with no server, from `file://` as well as over HTTP,
//! so its index is a set of classic scripts under `_search/`, each of which hands its data to
//! the page's registry (`CASEBOOK_SEARCH.m(…)`, `.f(…)`, `.t(…)`, `.p(…)`, `.d(…)`). The page
//! loads them with `<script src>` (never `fetch()`, which `file://` forbids), only those it
//! needs, and caches them. Nothing here is executed beyond those calls: no code, no WASM.
//!
//! **One analysis.** Every text goes through [`crate::index::analyze`], the analysis of the
//! tantivy index, once per text. The documents and fields are those of the tantivy index (one
//! document per case and one per tagged section; title ×3, title_zh ×3, summary ×2, body,
//! place_text, tagtext ×0.5), and the weight stored for a token in a document is the BM25 score
//! tantivy gives that document for a query of that one word: the same idf (over all documents,
//! per field), the same quantized field lengths, the same boosts, summed over fields. A query of
//! several words scores a document by the sum of its words' weights, as tantivy does, so the page
//! ranks single-token words exactly like `casebook search` (up to a 0.01 rounding). A Chinese
//! token that the analyzer cuts further on its own (形式主义 → 形式, 主义, 形式主义) is what
//! tantivy turns into a phrase query; its weight uses the phrase's idf (the sum of its tokens'
//! idfs) with the token's frequency standing in for the phrase frequency.
//!
//! **What the browser cannot do, and what replaces it.** The browser has no jieba and no
//! stemmer. English: the dictionary records, for each word as written in the text (lower-cased)
//! whose token differs, the token it became (`services` → `servic`), so a typed word is looked
//! up, not stemmed; a word that never occurs in the library falls back to its lower-cased form
//! (and so usually finds nothing, where the CLI would stem it). Chinese: a run of Han characters
//! is cut by forward maximum matching against the tokens that start with each of its characters
//! (the shards of those characters), falling back to single characters. jieba's default mode
//! picks the most probable cut instead; on the words people type (names of places, practices,
//! problems) the two agree, on contrived strings they can differ.
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
//! | `d/N.js` | `d(N, [[id, title, title_alt, place, excerpt, [anchor, section title, excerpt]…]…])`: what a result shows, for cases `N·chunk …`; `excerpt` is the start of the summary (of both summaries when there are two) or of the section |
//!
//! Postings: varint flags (1: truncated), varint number of cases (exact), and if truncated the
//! weight floor and the exact case set; then varint count of documents listed and per document
//! the case gap (`case - previous case`, 0 for another document of the same case), the document
//! (0: the case, k: its k-th tagged section) and the weight × [`WEIGHT_SCALE`].
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
/// Cases per file of the document store.
pub const CHUNK: usize = 4;
/// Postings longer than this (in letters) are truncated...
pub const FULL_POSTINGS_MAX: usize = 6000;
/// ... to about this many letters of documents (plus the case set).
pub const TRUNCATED_BUDGET: usize = 3000;
/// Postings up to this long may sit in their shard file...
const INLINE_MAX: usize = 600;
/// ... as long as the shard's inline postings stay under this.
const SHARD_INLINE_BUDGET: usize = 12_000;
/// Characters of a summary or a section kept for snippets.
const EXCERPT_CHARS: usize = 240;

/// The text fields searched (title, title_zh, summary, body, place_text, tagtext; see
/// [`text_fields`]) and their query boosts, as in `search.rs`.
const FIELDS: usize = 6;
const BOOSTS: [f32; FIELDS] = [3.0, 3.0, 2.0, 1.0, 1.0, 0.5];
/// tantivy's BM25 parameters.
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// Writes the browser index of `lib` into `staging` under [`DIR`], from the tantivy index that
/// must already be in `staging` (at [`crate::index::INDEX_DIR`]).
pub fn write(lib: &Library, staging: &Staging) -> Result<()> {
    let t = std::time::Instant::now();
    let lap = |what: &str| if std::env::var_os("SI_TIMING").is_some() { eprintln!("si {what} {:.3}", t.elapsed().as_secs_f64()) };
    let opened = crate::index::open(&staging.path().join(crate::index::INDEX_DIR))?;
    let reader: tantivy::IndexReader =
        opened.index.reader_builder().reload_policy(tantivy::ReloadPolicy::Manual).try_into()?;
    let searcher = reader.searcher();
    let documents = Documents::new(lib);
    let postings = read_postings(&searcher, &text_fields(&opened.fields), &documents)?;
    lap("postings");
    let surfaces = surfaces(lib);
    lap("surfaces");
    let shards = write_dictionary(&postings, &surfaces, staging)?;
    lap("dictionary");
    drop(postings);
    write_meta(lib, documents.list.len(), &shards, staging)?;
    write_facets(lib, staging)?;
    lap("facets");
    write_documents(lib, staging)?;
    lap("documents");
    Ok(())
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

/// Numbers of the documents: per case, in case order, the case then its tagged sections.
struct Documents {
    /// Document → (case, 0 for the case itself or k for its k-th tagged section).
    list: Vec<(u32, u32)>,
    /// Per case: its first document.
    first: Vec<u32>,
    /// Per case, per section index: 1 + its rank among the tagged sections (0 if untagged).
    rank: Vec<Vec<u32>>,
}

impl Documents {
    fn new(lib: &Library) -> Documents {
        let mut list = Vec::new();
        let mut first = Vec::with_capacity(lib.cases.len());
        let mut rank = Vec::with_capacity(lib.cases.len());
        for (i, case) in lib.cases.iter().enumerate() {
            first.push(list.len() as u32);
            list.push((i as u32, 0));
            let mut k = 0;
            rank.push(
                case.sections
                    .iter()
                    .map(|s| {
                        if s.is_tagged() {
                            k += 1;
                            list.push((i as u32, k));
                            k
                        } else {
                            0
                        }
                    })
                    .collect(),
            );
        }
        Documents { list, first, rank }
    }

    fn cases(&self) -> usize {
        self.first.len()
    }

    /// The document of the tantivy index's `case_ord` and `section_ord` (0: the case, 1 + i:
    /// section i), if the library has it.
    fn of(&self, case: u64, section: u64) -> Option<u32> {
        let first = *self.first.get(case as usize)?;
        if section == 0 {
            return Some(first);
        }
        match *self.rank[case as usize].get(section as usize - 1)? {
            0 => None,
            k => Some(first + k),
        }
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

/// The tantivy index's fields, in the order of [`BOOSTS`].
fn text_fields(f: &crate::index::Fields) -> [tantivy::schema::Field; FIELDS] {
    [f.title, f.title_zh, f.summary, f.body, f.place_text, f.tagtext]
}

/// Reads every token of the index's text fields with its occurrences, in token order, and
/// encodes each token's postings. Tokens are read one at a time (the term dictionaries of all
/// fields and segments merged) and encoded in parallel in batches, so memory stays bounded by
/// a batch and the output.
fn read_postings(searcher: &tantivy::Searcher, fields: &[tantivy::schema::Field; FIELDS], docs: &Documents) -> Result<Vec<(String, Encoded)>> {
    use tantivy::schema::IndexRecordOption;
    use tantivy::postings::Postings;
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

    // Per segment: local document → our document number.
    let mut doc_maps: Vec<Vec<u32>> = Vec::new();
    for segment in segments {
        let case_ord = segment.fast_fields().u64("case_ord")?;
        let section_ord = segment.fast_fields().u64("section_ord")?;
        doc_maps.push(
            (0..segment.max_doc())
                .map(|d| match (case_ord.first(d), section_ord.first(d)) {
                    (Some(c), Some(s)) => docs.of(c, s).unwrap_or(u32::MAX),
                    _ => u32::MAX,
                })
                .collect(),
        );
    }
    let io = |e: std::io::Error| crate::Error::Index(format!("cannot read the search index: {e}"));

    // One term stream per (field, segment).
    struct Stream<'a> {
        field: usize,
        segment: usize,
        inverted: std::sync::Arc<tantivy::InvertedIndexReader>,
        norms: tantivy::fieldnorm::FieldNormReader,
        terms: tantivy::termdict::TermStreamer<'a>,
        live: bool,
    }
    let inverted: Vec<Vec<std::sync::Arc<tantivy::InvertedIndexReader>>> = fields
        .iter()
        .map(|&f| segments.iter().map(|s| s.inverted_index(f)).collect::<tantivy::Result<Vec<_>>>())
        .collect::<tantivy::Result<_>>()?;
    let mut streams: Vec<Stream> = Vec::new();
    for (fi, &field) in fields.iter().enumerate() {
        for (si, segment) in segments.iter().enumerate() {
            let inv = inverted[fi][si].clone();
            let mut terms = inverted[fi][si].terms().stream().map_err(io)?;
            let live = terms.advance();
            streams.push(Stream { field: fi, segment: si, inverted: inv, norms: segment.get_fieldnorms_reader(field)?, terms, live });
        }
    }

    const BATCH: usize = 4096;
    let mut out: Vec<(String, Encoded)> = Vec::new();
    let mut batch: Vec<(String, Occurrences)> = Vec::with_capacity(BATCH);
    let flush = |batch: &mut Vec<(String, Occurrences)>, out: &mut Vec<(String, Encoded)>| {
        let encoded: Vec<(String, Encoded)> = std::mem::take(batch)
            .into_par_iter()
            .map(|(token, occ)| {
                let e = weigh(searcher, fields, &scoring, docs, &token, occ);
                (token, e)
            })
            .collect();
        out.extend(encoded);
    };
    loop {
        let Some(min) = streams.iter().filter(|s| s.live).map(|s| s.terms.key()).min().map(<[u8]>::to_vec) else { break };
        let mut occ: Occurrences = Vec::new();
        for s in streams.iter_mut().filter(|s| s.live && s.terms.key() == min.as_slice()) {
            let mut postings = s.inverted.read_postings_from_terminfo(s.terms.value(), IndexRecordOption::WithFreqs).map_err(io)?;
            let map = &doc_maps[s.segment];
            let mut d = postings.doc();
            while d != TERMINATED {
                let doc = map[d as usize];
                if doc != u32::MAX {
                    occ.push((doc, s.field as u8, s.norms.fieldnorm_id(d), postings.term_freq()));
                }
                d = postings.advance();
            }
            s.live = s.terms.advance();
        }
        if occ.is_empty() {
            continue;
        }
        let token = String::from_utf8_lossy(&min).into_owned();
        batch.push((token, occ));
        if batch.len() >= BATCH {
            flush(&mut batch, &mut out);
        }
    }
    flush(&mut batch, &mut out);
    Ok(out)
}

/// One token's postings, encoded, and its number of cases.
struct Encoded {
    postings: String,
    cases: u32,
}

/// The weight of `token` in each document where it occurs: the score tantivy gives the document
/// for a query of that one word (summed over fields, each with its boost).
fn weigh(
    searcher: &tantivy::Searcher,
    fields: &[tantivy::schema::Field; FIELDS],
    scoring: &Scoring,
    docs: &Documents,
    token: &str,
    mut occ: Occurrences,
) -> Encoded {
    occ.sort_unstable();
    let mut df = [0u64; FIELDS];
    for o in &occ {
        df[o.1 as usize] += 1;
    }
    // A token the analyzer cuts further on its own is a phrase query for tantivy: its idf is
    // the sum of its parts' idfs (query/bm25.rs, `for_terms`).
    let parts = if !token.is_ascii() && token.chars().nth(1).is_some() { crate::index::tokens(token) } else { Vec::new() };
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
    let mut weights: Vec<(u32, f32)> = Vec::new();
    for &(doc, f, norm, tf) in &occ {
        let f = f as usize;
        let tf = tf as f32;
        let w = idfs[f] * (1.0 + K1) * BOOSTS[f] * (tf / (tf + scoring.norms[f][norm as usize]));
        match weights.last_mut() {
            Some((d, sum)) if *d == doc => *sum += w,
            _ => weights.push((doc, w)),
        }
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
    let mut full = String::new();
    varint(&mut full, 0);
    varint(&mut full, cases.len() as u64);
    encode_docs(&mut full, docs, documents);
    if full.len() <= FULL_POSTINGS_MAX {
        return Encoded { postings: full, cases: cases.len() as u32 };
    }
    // Keep the heaviest documents (ties: the earlier), within the budget, back in document order.
    let mut by_weight: Vec<usize> = (0..docs.len()).collect();
    by_weight.sort_by(|&a, &b| docs[b].1.total_cmp(&docs[a].1).then(a.cmp(&b)));
    let keep = (TRUNCATED_BUDGET / 4).min(docs.len());
    let mut kept: Vec<usize> = by_weight[..keep].to_vec();
    let floor = kept.last().map_or(0.0, |&i| docs[i].1);
    kept.sort_unstable();
    let kept: Vec<(u32, f32)> = kept.into_iter().map(|i| docs[i]).collect();
    let mut out = String::new();
    varint(&mut out, 1);
    varint(&mut out, cases.len() as u64);
    varint(&mut out, quantize(floor));
    case_set(&mut out, &cases, n_cases);
    encode_docs(&mut out, &kept, documents);
    Encoded { postings: out, cases: cases.len() as u32 }
}

// ---------------------------------------------------------------------------------------------
// Writing

/// Every English word of the library (a run of ASCII letters and digits, lower-cased) whose
/// token is another word, with that token: what the browser looks a typed word up in, since it
/// has no stemmer. The token is what the analysis makes of the word alone, as it does of a word
/// typed into `casebook search`.
fn surfaces(lib: &Library) -> Vec<(String, String)> {
    fn words(text: &str, into: &mut std::collections::HashSet<String>) {
        for w in text.split(|c: char| !c.is_ascii_alphanumeric()) {
            if w.bytes().any(|b| b.is_ascii_alphabetic()) && !into.contains(w) {
                into.insert(w.to_ascii_lowercase());
            }
        }
    }
    let mut seen: std::collections::HashSet<String> = lib
        .cases
        .par_iter()
        .fold(std::collections::HashSet::new, |mut set, c| {
            words(&c.text, &mut set);
            set
        })
        .reduce(std::collections::HashSet::new, |mut a, b| {
            if a.len() < b.len() {
                return b.into_iter().chain(a).collect();
            }
            a.extend(b);
            a
        });
    for (v, vocab) in lib.taxonomy.vocabularies.iter().enumerate() {
        for t in 0..vocab.terms.len() {
            words(&term_text(lib, v, t), &mut seen);
        }
    }
    let mut words: Vec<String> = seen.into_iter().collect();
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
fn write_dictionary(postings: &[(String, Encoded)], surfaces: &[(String, String)], staging: &Staging) -> Result<Vec<String>> {
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
        .map(|v| serde_json::json!({"name": v.name, "terms": v.terms.iter().map(|t| t.id.as_str()).collect::<Vec<_>>()}))
        .collect();
    let meta = serde_json::json!({
        "format": FORMAT,
        "cases": lib.cases.len(),
        "documents": documents,
        "chunk": CHUNK,
        "scale": WEIGHT_SCALE,
        "vocabularies": vocabularies,
        "levels": crate::validate::LEVELS,
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
    for level in crate::validate::LEVELS {
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
    let chunks: Vec<&[Case]> = lib.cases.chunks(CHUNK).collect();
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
                    sections.push(excerpt(&crate::index::plain_text(c.section_markdown(s))));
                }
                serde_json::json!([c.id, title, alt, place, summaries.join("\n"), sections])
            })
            .collect();
        let text = format!("CASEBOOK_SEARCH.d({n},{});\n", js(&entries));
        staging.write(&format!("{DIR}/d/{n}.js"), text.as_bytes())
    })
}
