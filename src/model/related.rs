//! Related cases: every case's tags as one array of numbers ([`TagSets`]), and the ranking of
//! the cases that share most tags with a case ([`Library::related`]).

use super::{Case, CaseId, Library, Taxonomy, TermId, VocabId};

/// Every case's tags, numbered across vocabularies (the terms of vocabulary 0 first, then those
/// of 1, …), all in one array: ranking related cases compares hundreds of cases with one per
/// page, and this keeps each comparison a read of one short run of memory.
#[derive(Debug, Default)]
pub struct TagSets {
    starts: Vec<usize>,
    ids: Vec<u32>,
    terms: usize,
}

impl TagSets {
    pub fn new(taxonomy: &Taxonomy, cases: &[Case]) -> TagSets {
        let mut offsets = Vec::with_capacity(taxonomy.vocabularies.len());
        let mut terms = 0;
        for v in &taxonomy.vocabularies {
            offsets.push(terms as u32);
            terms += v.terms.len();
        }
        let mut sets = TagSets { starts: vec![0], ids: Vec::new(), terms };
        for case in cases {
            for (tags, at) in case.tags.iter().zip(&offsets) {
                sets.ids.extend(tags.iter().map(|&t| at + t as u32));
            }
            sets.starts.push(sets.ids.len());
        }
        sets
    }

    /// The tags of case `i`.
    #[inline]
    pub fn of(&self, i: CaseId) -> &[u32] {
        &self.ids[self.starts[i]..self.starts[i + 1]]
    }

    /// The tags of case `i` as a bit mask over all terms, for [`TagSets::count_in`].
    pub fn mask(&self, i: CaseId) -> Vec<u64> {
        let mut mask = vec![0u64; self.terms.div_ceil(64)];
        for &t in self.of(i) {
            mask[t as usize / 64] |= 1 << (t % 64);
        }
        mask
    }

    /// How many tags of case `i` are in `mask`.
    #[inline]
    pub fn count_in(&self, i: CaseId, mask: &[u64]) -> usize {
        self.of(i).iter().filter(|&&t| mask[t as usize / 64] & (1 << (t % 64)) != 0).count()
    }
}

impl Library {
    /// Cases related to `case`, ranked by the number of shared tags (then by id), at most `n`.
    ///
    /// Candidates come from the case's rarest terms first (a term shared with thousands of
    /// cases says little), visiting at most a few thousand cases, so a page of a 100,000-case
    /// library costs the same as one of a small library.
    pub fn related(&self, case: CaseId, n: usize) -> Vec<(CaseId, usize)> {
        const VISITS: usize = 500;
        let c = &self.cases[case];
        let mut terms: Vec<(VocabId, TermId)> =
            c.tags.iter().enumerate().flat_map(|(v, ts)| ts.iter().map(move |&t| (v, t))).collect();
        terms.sort_by_key(|&(v, t)| (self.usage[v][t].len(), v, t));
        let mut candidates: Vec<CaseId> = Vec::new();
        for &(v, t) in &terms {
            let users = &self.usage[v][t];
            let room = VISITS.saturating_sub(candidates.len());
            if room == 0 {
                break;
            }
            candidates.extend(users.iter().copied().filter(|&o| o != case).take(room));
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mine = self.tag_sets.mask(case);
        let mut ranked: Vec<(CaseId, usize)> =
            candidates.into_iter().map(|o| (o, self.tag_sets.count_in(o, &mine))).collect();
        let better = |a: &(CaseId, usize), b: &(CaseId, usize)| b.1.cmp(&a.1).then(a.0.cmp(&b.0));
        if ranked.len() > n {
            // The n best first (in no order), then only those sorted.
            ranked.select_nth_unstable_by(n, better);
            ranked.truncate(n);
        }
        ranked.sort_by(better);
        ranked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn related_cases_rank_by_shared_tags() {
        let lib = crate::check(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap().library.expect("valid");
        let shared = |a: &Case, b: &Case| -> usize {
            a.tags.iter().zip(&b.tags).map(|(x, y)| x.iter().filter(|t| y.contains(t)).count()).sum()
        };
        for (i, c) in lib.cases.iter().enumerate() {
            let mut expected: Vec<(usize, usize)> = (0..lib.cases.len())
                .filter(|&o| o != i && shared(c, &lib.cases[o]) > 0)
                .map(|o| (o, shared(c, &lib.cases[o])))
                .collect();
            expected.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            expected.truncate(3);
            assert_eq!(lib.related(i, 3), expected, "{}", c.id);
            assert_eq!(lib.tag_sets.count_in(i, &lib.tag_sets.mask(i)), c.tags.iter().map(Vec::len).sum::<usize>());
        }
    }
}
