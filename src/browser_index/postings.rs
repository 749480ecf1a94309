//! Postings: every token of the tantivy index's text fields read with its occurrences, weighed
//! as tantivy's BM25 scores a one-word query (the field boosts of [`TEXT_FIELDS`]), and encoded.
//!
//! On a site of two languages a weight depends on the reader's: a word found in the other
//! language's fields counts `OTHER_LANGUAGE_WEIGHT` of itself (`index::language_weights`).
//! A document's weight is kept in three parts (`Parts`), by the language of the fields it was
//! found in; [`super::posting_list`] writes them so that each language's page reads its own.

use super::posting_list::{encode, Encoded, Parts};
use crate::error::Result;
use crate::index::TEXT_FIELDS;
use crate::model::Library;
use rayon::prelude::*;
use std::collections::BTreeMap;

/// The number of text fields searched ([`TEXT_FIELDS`]).
const FIELDS: usize = TEXT_FIELDS.len();

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::browser_index::encoding::{Decoded, Reader};
    use crate::config::Language;
    use std::collections::HashMap;
    use std::path::Path;

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
