//! Model: the validated library — cases, taxonomy and their cross-references.
//!
//! A [`Library`] is only ever built by `validate`, so every id in it resolves: tags are stored
//! as indices into the taxonomy, and the reverse index (which cases use a term) is computed
//! once here. Later stages (index, render) read it; nothing mutates it.

pub mod localized;
pub mod vocabulary;

pub use localized::Localized;
pub use vocabulary::slug;

use crate::config::Config;
use std::ops::Range;

/// A validated library, ready to index and render.
#[derive(Debug)]
pub struct Library {
    pub config: Config,
    pub taxonomy: Taxonomy,
    /// Sorted by id.
    pub cases: Vec<Case>,
    /// `usage[v][t]`: indices of the cases tagged with term `t` of vocabulary `v`, in case order.
    pub usage: Vec<Vec<Vec<usize>>>,
    /// Index of the vocabulary drawn as the profile and the matrix (`forces` by default).
    pub profile: Option<usize>,
    /// Every case's tags as numbers, in one array (see [`TagSets`]).
    pub tag_sets: TagSets,
    /// The stamp of the files the library was read from ([`crate::load::stamp`]); empty when
    /// unknown.
    pub stamp: String,
}

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
    pub fn of(&self, i: usize) -> &[u32] {
        &self.ids[self.starts[i]..self.starts[i + 1]]
    }

    /// The tags of case `i` as a bit mask over all terms, for [`TagSets::count_in`].
    pub fn mask(&self, i: usize) -> Vec<u64> {
        let mut mask = vec![0u64; self.terms.div_ceil(64)];
        for &t in self.of(i) {
            mask[t as usize / 64] |= 1 << (t % 64);
        }
        mask
    }

    /// How many tags of case `i` are in `mask`.
    pub fn count_in(&self, i: usize, mask: &[u64]) -> usize {
        self.of(i).iter().filter(|&&t| mask[t as usize / 64] & (1 << (t % 64)) != 0).count()
    }
}

#[derive(Debug, Default)]
pub struct Taxonomy {
    pub vocabularies: Vec<Vocabulary>,
}

/// A controlled vocabulary such as `forces`; its name is also its front-matter key.
#[derive(Debug)]
pub struct Vocabulary {
    pub name: String,
    pub label: String,
    pub label_zh: Option<String>,
    pub terms: Vec<Term>,
}

#[derive(Debug)]
pub struct Term {
    pub id: String,
    pub label: String,
    pub label_zh: Option<String>,
    pub definition: String,
    pub definition_zh: Option<String>,
    pub aliases: Vec<String>,
    pub countermeasure: Option<String>,
    pub countermeasure_zh: Option<String>,
    /// Links to terms of other vocabularies: (vocabulary index, term indices).
    pub links: Vec<(usize, Vec<usize>)>,
}

/// One case study.
#[derive(Debug)]
pub struct Case {
    pub id: String,
    /// Source file, relative to the library root.
    pub path: String,
    pub title: String,
    pub title_zh: Option<String>,
    pub place: Place,
    pub level: String,
    pub summary: String,
    pub summary_zh: Option<String>,
    pub sources: Vec<String>,
    /// `tags[v]`: term indices of vocabulary `v`, primary first.
    pub tags: Vec<Vec<usize>>,
    /// The whole source file; the body is `text[body_start..]`.
    pub text: String,
    pub body_start: usize,
    pub sections: Vec<Section>,
}

impl Case {
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }

    /// Markdown of a section's content (heading excluded).
    pub fn section_markdown(&self, s: &Section) -> &str {
        &self.body()[s.content.clone()]
    }
}

/// Where a case happened, from large to small; only the province is required.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Place {
    pub province: String,
    pub province_zh: Option<String>,
    pub city: Option<String>,
    pub city_zh: Option<String>,
    pub district: Option<String>,
    pub district_zh: Option<String>,
    pub unit: Option<String>,
    pub unit_zh: Option<String>,
}

impl Place {
    /// The path from province to unit, skipping absent parts (district excluded: the place
    /// pages go province → city → unit).
    pub fn path(&self) -> Vec<&str> {
        let mut out = vec![self.province.as_str()];
        out.extend(self.city.as_deref());
        out.extend(self.unit.as_deref());
        out
    }

    /// A one-line description in English, e.g. `Erqi District, Zhengzhou, Henan`.
    pub fn describe(&self) -> String {
        let parts: Vec<&str> =
            [self.unit.as_deref(), self.district.as_deref(), self.city.as_deref(), Some(self.province.as_str())]
                .into_iter()
                .flatten()
                .collect();
        dedup_adjacent(parts).join(", ")
    }

    /// The same in Chinese (large to small, no separators), when Chinese names are given.
    pub fn describe_zh(&self) -> Option<String> {
        let parts: Vec<&str> = [&self.province_zh, &self.city_zh, &self.district_zh, &self.unit_zh]
            .into_iter()
            .filter_map(|p| p.as_deref())
            .collect();
        (!parts.is_empty()).then(|| dedup_adjacent(parts).concat())
    }
}

fn dedup_adjacent(mut parts: Vec<&str>) -> Vec<&str> {
    parts.dedup();
    parts
}

/// A heading of the body and its text; tagged sections are the excerpts shown on term pages.
#[derive(Debug, Clone)]
pub struct Section {
    /// The HTML id, unique within the case.
    pub anchor: String,
    pub title: String,
    pub level: u8,
    pub line: usize,
    /// Byte range in the body, heading included.
    pub range: Range<usize>,
    /// Byte range in the body, heading excluded.
    pub content: Range<usize>,
    /// `tags[v]`: term indices of vocabulary `v` from the heading's attributes.
    pub tags: Vec<Vec<usize>>,
}

impl Section {
    pub fn is_tagged(&self) -> bool {
        self.tags.iter().any(|t| !t.is_empty())
    }
}

impl Taxonomy {
    pub fn vocabulary_index(&self, name: &str) -> Option<usize> {
        self.vocabularies.iter().position(|v| v.name == name)
    }

    pub fn term_index(&self, vocabulary: usize, id: &str) -> Option<usize> {
        self.vocabularies.get(vocabulary)?.terms.iter().position(|t| t.id == id)
    }
}

impl Library {
    /// Cases related to `case`, ranked by the number of shared tags (then by id), at most `n`.
    ///
    /// Candidates come from the case's rarest terms first (a term shared with thousands of
    /// cases says little), visiting at most a few thousand cases, so a page of a 100,000-case
    /// library costs the same as one of a small library.
    pub fn related(&self, case: usize, n: usize) -> Vec<(usize, usize)> {
        const VISITS: usize = 500;
        let c = &self.cases[case];
        let mut terms: Vec<(usize, usize)> =
            c.tags.iter().enumerate().flat_map(|(v, ts)| ts.iter().map(move |&t| (v, t))).collect();
        terms.sort_by_key(|&(v, t)| (self.usage[v][t].len(), v, t));
        let mut candidates: Vec<usize> = Vec::new();
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
        let mut ranked: Vec<(usize, usize)> =
            candidates.into_iter().map(|o| (o, self.tag_sets.count_in(o, &mine))).collect();
        let better = |a: &(usize, usize), b: &(usize, usize)| b.1.cmp(&a.1).then(a.0.cmp(&b.0));
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
    fn slugs() {
        assert_eq!(slug("Practice: one body, two wings"), "practice-one-body-two-wings");
        assert_eq!(slug("背景 Background"), "背景-background");
        assert_eq!(slug("--"), "");
    }

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

    #[test]
    fn place_description() {
        let p = Place {
            province: "Beijing".into(),
            city: Some("Beijing".into()),
            district: Some("Xicheng District".into()),
            unit: Some("West Chang'an Street".into()),
            ..Default::default()
        };
        assert_eq!(p.describe(), "West Chang'an Street, Xicheng District, Beijing");
        assert_eq!(p.path(), vec!["Beijing", "Beijing", "West Chang'an Street"]);
    }
}
