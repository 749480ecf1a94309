//! Postings: every token of the tantivy index's text fields read with its occurrences, weighed
//! as tantivy's BM25 scores a one-word query (the field boosts of [`TEXT_FIELDS`]), and encoded.
//!
//! On a site of two languages a weight depends on the reader's: a word found in the other
//! language's fields counts [`OTHER_LANGUAGE_WEIGHT`] of itself (`index::language_weights`).
//! A document's weight is kept in three parts, by the language of the fields it was found in,
//! and written so that each language's search page reads its own (see FORMAT.md).

use super::encoding::{case_set, varint};
use crate::error::Result;
use crate::index::{OTHER_LANGUAGE_WEIGHT, TEXT_FIELDS};
use crate::model::Library;
use rayon::prelude::*;
use std::collections::BTreeMap;

/// The number of text fields searched ([`TEXT_FIELDS`]).
const FIELDS: usize = TEXT_FIELDS.len();

/// Weights are stored as integers: the score times this.
pub const WEIGHT_SCALE: f32 = 100.0;
/// Postings longer than this (in letters) are truncated...
pub const FULL_POSTINGS_MAX: usize = 6000;
/// ... to about this many letters of documents (plus the case set).
pub const TRUNCATED_BUDGET: usize = 3000;
/// tantivy's BM25 parameters.
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// Numbers of the documents of the browser index: per case, in case order, the case then its
/// tagged sections.
pub(crate) struct Documents {
    /// Document → (case, 0 for the case itself or k for its k-th tagged section).
    pub list: Vec<(u32, u32)>,
    /// Per case: its first document.
    first: Vec<u32>,
    /// Per text field, the part of a weight it adds to ([`Parts`]): 0 for a field of both
    /// languages or on a site of one language, else 1 + the place of its language in
    /// [`crate::config::Language::ALL`].
    groups: [usize; FIELDS],
    /// Whether the site has two languages, so that weights are written per reader.
    pub split: bool,
}

/// A document's weight for a token, in parts by the language of the fields it was found in:
/// fields of both languages, fields of `Language::ALL[0]`, fields of `Language::ALL[1]`.
pub(crate) type Parts = [f32; 3];

/// The weight of `parts` for a reader of `Language::ALL[reader]`.
pub(crate) fn seen_by(parts: &Parts, reader: usize) -> f32 {
    parts[0] + parts[1 + reader] + OTHER_LANGUAGE_WEIGHT * parts[2 - reader]
}

/// The larger of a document's weights for either reader: what truncation keeps the heaviest by.
fn heaviest(parts: &Parts) -> f32 {
    seen_by(parts, 0).max(seen_by(parts, 1))
}

impl Documents {
    pub fn new(lib: &Library) -> Documents {
        let mut list = Vec::new();
        let mut first = Vec::with_capacity(lib.cases.len());
        for (i, case) in lib.cases.iter().enumerate() {
            first.push(list.len() as u32);
            list.push((i as u32, 0));
            let tagged = case.sections.iter().filter(|s| s.is_tagged()).count() as u32;
            list.extend((1..=tagged).map(|k| (i as u32, k)));
        }
        let split = lib.config.languages.len() > 1;
        let languages = crate::index::field_languages(lib.config.content_language);
        let groups = languages.map(|lang| match lang {
            Some(lang) if split => 1 + lang.position(),
            _ => 0,
        });
        Documents { list, first, groups, split }
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

/// The place of `body` in [`TEXT_FIELDS`].
const BODY: usize = 4;

/// The tantivy index's text fields, in the order of [`TEXT_FIELDS`].
pub(crate) fn text_fields(f: &crate::index::Fields) -> [tantivy::schema::Field; FIELDS] {
    f.text_fields()
}

/// Reads every token of the index's text fields with its occurrences and encodes its postings;
/// returns them in token order. The token space is cut into ranges of about equal work, read in
/// parallel; within a range, the term dictionaries of every field and segment are merged and
/// read one token at a time, so memory holds one token's occurrences per thread, and the output.
pub(crate) fn read_postings(
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
pub(crate) struct Encoded {
    pub postings: String,
    pub cases: u32,
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
        if !token.is_ascii() && token.chars().nth(1).is_some() { crate::analysis::tokens(token) } else { Vec::new() };
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
        idfs[f] * (1.0 + K1) * TEXT_FIELDS[f].1 * (tf / (tf + scoring.norms[f][norm as usize]))
    };
    // Sum per document, fields in order. Occurrences come field by field, each field's in the
    // order of the index's segments: a common token is summed in a table of all documents, a
    // rare one sorted.
    let mut weights: Vec<(u32, Parts)> = Vec::new();
    if occ.len() > docs.list.len() / 8 {
        let mut table = vec![[0f32; 3]; docs.list.len()];
        for o in &occ {
            table[o.0 as usize][docs.groups[o.1 as usize]] += weight(o);
        }
        weights.extend(
            table.into_iter().enumerate().filter(|(_, w)| w.iter().any(|&x| x > 0.0)).map(|(d, w)| (d as u32, w)),
        );
    } else {
        occ.sort_unstable();
        for o in &occ {
            let (w, group) = (weight(o), docs.groups[o.1 as usize]);
            match weights.last_mut() {
                Some((d, sum)) if *d == o.0 => sum[group] += w,
                _ => {
                    let mut parts = [0f32; 3];
                    parts[group] = w;
                    weights.push((o.0, parts));
                }
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
    encode(&weights, &docs.list, docs.cases(), docs.split)
}

fn quantize(w: f32) -> u64 {
    ((w * WEIGHT_SCALE).round() as u64).max(1)
}

/// Writes a document's weight: on a site of one language, the weight; on a site of two,
/// `4 × weight + kind`, where kind 0 is a weight the same for both readers, 1 (2) a weight
/// found only in fields of `Language::ALL[0]` (`[1]`), which the other reader weighs by
/// [`OTHER_LANGUAGE_WEIGHT`], and 3 the first reader's weight followed by the second's.
fn encode_weight(out: &mut String, parts: &Parts, split: bool) {
    let [both, first, second] = *parts;
    if !split {
        varint(out, quantize(both));
    } else if first == 0.0 && second == 0.0 {
        varint(out, quantize(both) * 4);
    } else if both == 0.0 && second == 0.0 {
        varint(out, quantize(first) * 4 + 1);
    } else if both == 0.0 && first == 0.0 {
        varint(out, quantize(second) * 4 + 2);
    } else {
        varint(out, quantize(seen_by(parts, 0)) * 4 + 3);
        varint(out, quantize(seen_by(parts, 1)));
    }
}

fn encode_docs(out: &mut String, docs: &[(u32, Parts)], documents: &[(u32, u32)], split: bool) {
    varint(out, docs.len() as u64);
    let mut prev = 0u32;
    for (d, w) in docs {
        let (case, k) = documents[*d as usize];
        varint(out, (case - prev) as u64);
        varint(out, k as u64);
        encode_weight(out, w, split);
        prev = case;
    }
}

pub(crate) fn encode(docs: &[(u32, Parts)], documents: &[(u32, u32)], n_cases: usize, split: bool) -> Encoded {
    let mut cases: Vec<u32> = docs.iter().map(|&(d, _)| documents[d as usize].0).collect();
    cases.dedup();
    // A document takes at least 3 letters: only postings that may fit are written out whole.
    let mut per_doc = 4;
    if docs.len() * 3 <= FULL_POSTINGS_MAX {
        let mut full = String::new();
        varint(&mut full, 0);
        varint(&mut full, cases.len() as u64);
        encode_docs(&mut full, docs, documents, split);
        if full.len() <= FULL_POSTINGS_MAX {
            return Encoded { postings: full, cases: cases.len() as u32 };
        }
        per_doc = full.len().div_ceil(docs.len());
    }
    // Keep the heaviest documents (ties: the earlier), back in document order: as many as fit
    // in the budget (guessed from the letters per document, then corrected once or twice).
    let mut by_weight: Vec<usize> = (0..docs.len()).collect();
    let heavier = |a: &usize, b: &usize| heaviest(&docs[*b].1).total_cmp(&heaviest(&docs[*a].1)).then(a.cmp(b));
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
        let kept: Vec<(u32, Parts)> = kept.into_iter().map(|i| docs[i]).collect();
        let mut body = String::new();
        encode_docs(&mut body, &kept, documents, split);
        if body.len() <= TRUNCATED_BUDGET + TRUNCATED_BUDGET / 10 || keep == 1 {
            // An upper bound of the weight, for either reader, of every document left out.
            let floor = by_weight.iter().map(|&i| heaviest(&docs[i].1)).fold(f32::INFINITY, f32::min);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::browser_index::encoding::{Decoded, Reader};
    use crate::config::Language;
    use std::collections::HashMap;
    use std::path::Path;

    #[test]
    fn truncated_postings_keep_the_heaviest_documents_and_every_case() {
        let n = 20_000u32;
        let documents: Vec<(u32, u32)> = (0..n).map(|c| (c, 0)).collect();
        let docs: Vec<(u32, Parts)> = (0..n).map(|d| (d, [1.0 + (d % 97) as f32, 0.0, 0.0])).collect();
        let e = encode(&docs, &documents, n as usize, false);
        // The case set (a bitmap here) and about TRUNCATED_BUDGET letters of documents.
        assert!(e.postings.len() <= n as usize / 6 + TRUNCATED_BUDGET * 11 / 10 + 20, "{}", e.postings.len());
        let Decoded { truncated, cases, floor, docs: kept } =
            Reader(e.postings.as_bytes(), 0).postings(n as usize, None);
        assert!(truncated);
        assert_eq!(cases.len(), n as usize);
        assert!(kept.len() > TRUNCATED_BUDGET / 8, "{}", kept.len());
        // The kept documents are the heaviest: none left out weighs more than the floor.
        assert!(kept.iter().all(|d| d.2 >= floor));
        assert!(docs.iter().filter(|d| d.1[0] > floor + 0.005).count() <= kept.len());
    }

    #[test]
    fn each_reader_reads_its_weights_and_the_other_language_counts_less() {
        let documents: Vec<(u32, u32)> = (0..4).map(|c| (c, 0)).collect();
        // Found in fields of both languages, of the first, of the second, of all three kinds.
        let docs: Vec<(u32, Parts)> =
            vec![(0, [2.0, 0.0, 0.0]), (1, [0.0, 2.0, 0.0]), (2, [0.0, 0.0, 2.0]), (3, [1.0, 2.0, 4.0])];
        let e = encode(&docs, &documents, 4, true);
        let f = OTHER_LANGUAGE_WEIGHT;
        for reader in [0, 1] {
            let Decoded { docs: read, .. } = Reader(e.postings.as_bytes(), 0).postings(4, Some(reader));
            let read: Vec<f32> = read.iter().map(|d| d.2).collect();
            let expected: Vec<f32> = docs.iter().map(|d| seen_by(&d.1, reader)).collect();
            for (r, x) in read.iter().zip(&expected) {
                assert!((r - x).abs() < 0.006, "reader {reader}: {read:?} vs {expected:?}");
            }
        }
        assert_eq!(seen_by(&docs[1].1, 0), 2.0);
        assert_eq!(seen_by(&docs[1].1, 1), 2.0 * f);
        assert_eq!(seen_by(&docs[3].1, 1), 1.0 + 4.0 + 2.0 * f);
        // A site of one language writes the weight alone, as before.
        let one = encode(&[(0, [2.0, 0.0, 0.0])], &documents, 4, false);
        assert_eq!(Reader(one.postings.as_bytes(), 0).postings(4, None).docs, vec![(0, 0, 2.0)]);
    }

    /// The shipped library, its tantivy index and the encoded postings.
    type Shipped = (Library, tempfile::TempDir, Vec<(String, Encoded)>);

    /// The shipped library, its tantivy index and the encoded postings, built once.
    fn shipped() -> &'static Shipped {
        static CELL: std::sync::OnceLock<Shipped> = std::sync::OnceLock::new();
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
    fn static_scores(tokens: &[&str], reader: usize) -> HashMap<String, f32> {
        let (lib, _, postings) = shipped();
        let mut per_doc: HashMap<(u32, u32), (usize, f32)> = HashMap::new();
        for t in tokens {
            let (_, e) = postings.iter().find(|(k, _)| k == t).unwrap_or_else(|| panic!("no token {t}"));
            let Decoded { truncated, docs, .. } =
                Reader(e.postings.as_bytes(), 0).postings(lib.cases.len(), Some(reader));
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
        let Decoded { docs, .. } = Reader(e.postings.as_bytes(), 0).postings(lib.cases.len(), Some(0));
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
        // The shipped site has two languages: each reader's weights are its search's scores.
        for ((q, tokens), lang) in queries.iter().flat_map(|q| Language::ALL.map(|l| (q, l))) {
            // `+word`: the query language, every word required and nothing added (a query in
            // everyday words may also search a term's names).
            let strict: Vec<String> = q.split(' ').map(|w| format!("+{w}")).collect();
            let cli = searcher.search(&crate::search::Query::new(strict.join(" ")).limit(100).lang(lang)).unwrap();
            let ours = static_scores(tokens, lang.position());
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
                    "{q} ({lang:?}) {}: {w} vs {}",
                    hit.id,
                    hit.score
                );
            }
        }
    }

    #[test]
    fn the_body_is_where_body_says() {
        assert_eq!(TEXT_FIELDS[BODY].0, "body");
    }
}
