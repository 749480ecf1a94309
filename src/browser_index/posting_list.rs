//! A token's postings as the browser index writes them: each document's weight per reader
//! (`Parts`: on a site of two languages, a word found in the other language's fields counts
//! [`OTHER_LANGUAGE_WEIGHT`] of itself), and, for a token in too many documents, only the
//! heaviest, with a floor for those left out (FORMAT.md, "Postings"). [`super::postings`] reads
//! and weighs them out of the tantivy index.

use super::encoding::{case_set, varint};
use crate::index::OTHER_LANGUAGE_WEIGHT;

/// Weights are stored as integers: the score times this.
pub const WEIGHT_SCALE: f32 = 100.0;
/// Postings longer than this (in letters) are truncated...
pub const FULL_POSTINGS_MAX: usize = 6000;
/// ... to about this many letters of documents (plus the case set).
pub const TRUNCATED_BUDGET: usize = 3000;
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

/// One token's postings, encoded, and its number of cases.
pub(crate) struct Encoded {
    pub postings: String,
    pub cases: u32,
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
}
