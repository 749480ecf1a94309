//! Collecting: every case that matches, with its score and document (tantivy's top-k collectors
//! would cut the list before the facets are counted), and the facet counts over them. The
//! index has one document per case, so a case is counted once.

use super::FacetCounts;
use crate::error::Result;
use crate::index::{Meta, LEVEL_ROOT, PLACE_ROOT, YEAR_ROOT};
use std::collections::{BTreeMap, HashMap};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::schema::Facet;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// A matching case: its number, score and document.
#[derive(Debug, Clone, Copy)]
pub(super) struct Candidate {
    pub case: u64,
    pub score: Score,
    pub address: DocAddress,
}

/// Collects every matching case; scores only when the query has text.
pub(super) struct CaseCollector {
    pub scoring: bool,
}

pub(super) struct CaseSegmentCollector {
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

/// Facet counts over the matching cases (one document per case).
pub(super) fn count_facets(meta: &Meta, searcher: &tantivy::Searcher, cases: &[Candidate]) -> Result<Vec<FacetCounts>> {
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
    let mut year: BTreeMap<String, usize> = BTreeMap::new();
    for (encoded, n) in &counts {
        let path: Vec<&str> = encoded.split('\u{0}').collect();
        match path.as_slice() {
            [root, rest @ ..] if *root == PLACE_ROOT => {
                for depth in 1..=rest.len().min(2) {
                    *place.entry(rest[..depth].join("/")).or_default() += n;
                }
            }
            [root, value] if *root == LEVEL_ROOT => *level.entry(value.to_string()).or_default() += n,
            [root, value] if *root == YEAR_ROOT => *year.entry(value.to_string()).or_default() += n,
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
        let counts =
            vocabulary.terms.iter().filter_map(|t| vocab[v].get(t.id.as_str()).map(|&n| (t.id.clone(), n))).collect();
        out.push(FacetCounts { name: vocabulary.singular.clone(), counts });
    }
    out.push(FacetCounts { name: "place".into(), counts: place.into_iter().collect() });
    // In the order the taxonomy declares them; a library without levels has no such facet.
    if !meta.levels.is_empty() {
        let mut levels: Vec<(String, usize)> = level.into_iter().collect();
        levels.sort_by_key(|(l, _)| meta.levels.iter().position(|x| x.id == *l).unwrap_or(usize::MAX));
        out.push(FacetCounts { name: "level".into(), counts: levels });
    }
    // The newest year first; a library whose cases have no dates has no such facet.
    if !year.is_empty() {
        out.push(FacetCounts { name: "year".into(), counts: year.into_iter().rev().collect() });
    }
    Ok(out)
}
