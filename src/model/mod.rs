//! Model: the validated library — cases, taxonomy and their cross-references.
//!
//! A [`Library`] is only ever built by `validate`, so every id in it resolves: tags are stored
//! as indices into the taxonomy, and the reverse index (which cases use a term) is computed
//! once here. Later stages (index, render) read it; nothing mutates it. The numbers that stand
//! for a vocabulary, a term or a case are named in [`ids`]; related cases are ranked in
//! [`related`].

pub mod date;
pub mod ids;
pub mod localized;
pub mod places;
pub mod related;
pub mod translation;
pub mod vocabulary;

pub use ids::{CaseId, TermId, VocabId};
pub use localized::Localized;
pub use related::TagSets;
pub use translation::{CaseText, Coverage, Translation};
pub use vocabulary::slug;

use crate::config::Config;
pub use crate::load::FileEntry;
pub use date::CaseDate;
use std::ops::Range;
use std::path::PathBuf;

/// A validated library, ready to index and render.
#[derive(Debug)]
pub struct Library {
    pub config: Config,
    pub taxonomy: Taxonomy,
    /// Sorted by id.
    pub cases: Vec<Case>,
    /// `usage[v][t]`: indices of the cases tagged with term `t` of vocabulary `v`, in case order.
    pub usage: Vec<Vec<Vec<CaseId>>>,
    /// Index of the vocabulary drawn as the profile and the matrix (`profile` in casebook.toml,
    /// else the first).
    pub profile: Option<VocabId>,
    /// Every case's tags as numbers, in one array (see [`TagSets`]).
    pub tag_sets: TagSets,
    /// The documents of the library's `static/` folder, which the site publishes under `static/`
    /// and cases link to as `[title](static:NAME)`.
    pub files: Vec<FileEntry>,
    /// The files under `cases/` that are no case, sorted by name: what a case may link to (for
    /// `serve`, which checks one edited case again; a case's own are its `attachments`).
    pub case_files: Vec<FileEntry>,
    /// The about page's text in each language the library gives one in (`about.md` and its
    /// translations); none: the about page says what casebook says of any library.
    pub about: Vec<About>,
}

/// The library's own text of its about page in one language: Markdown.
#[derive(Debug, Clone)]
pub struct About {
    pub lang: crate::config::Language,
    /// `about.md`, or a translation's name (`about.zh.md`).
    pub path: String,
    pub text: String,
}

#[derive(Debug, Default)]
pub struct Taxonomy {
    pub vocabularies: Vec<Vocabulary>,
    /// The levels a case may have (`levels:` in the taxonomy), in the order declared. Empty
    /// when the library declares none: its cases then have no `level`.
    pub levels: Vec<Level>,
}

/// A controlled vocabulary such as `forces`; its name is also its front-matter key.
#[derive(Debug)]
pub struct Vocabulary {
    pub name: String,
    /// Its name for one term (`force`), declared or derived
    /// ([`vocabulary::derive_singular`]): the key of section attributes, inline filters, the
    /// `--SINGULAR` flag of `casebook search` and hints.
    pub singular: String,
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
    pub links: Vec<(VocabId, Vec<TermId>)>,
}

/// A level a case may have (`street`), with its labels, as terms have them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    pub id: String,
    pub label: String,
    pub label_zh: Option<String>,
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
    /// The id of one of the taxonomy's levels; `None` when the library declares no levels.
    pub level: Option<String>,
    pub summary: String,
    pub summary_zh: Option<String>,
    /// When the work it describes happened or the case was written (`date:`), and when it was
    /// last revised (`updated:`), each as precise as the editor wrote it.
    pub date: Option<CaseDate>,
    pub updated: Option<CaseDate>,
    pub sources: Vec<String>,
    /// `tags[v]`: term indices of vocabulary `v`, primary first.
    pub tags: Vec<Vec<TermId>>,
    /// The whole source file; the body is `text[body_start..]`.
    pub text: String,
    pub body_start: usize,
    pub sections: Vec<Section>,
    /// Its translations ([`translation`]), in the order of the site's languages.
    pub translations: Vec<Translation>,
    /// The files beside it that it or a translation links to, sorted by name: the site
    /// publishes them at `cases/ID/NAME` ([`crate::links`]).
    pub attachments: Vec<Attachment>,
}

/// A file a case links to, published as it is.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Attachment {
    /// Its path relative to the case file's folder, `/`-separated: where it goes in the case's
    /// folder of the site.
    pub name: String,
    /// Where it is on disk.
    pub path: PathBuf,
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

/// Where a case happened, from large to small; only the province is required. As written,
/// before validation, the province may be missing too: that is `Place<Option<String>>` (see
/// [`crate::parse::RawPlace`]). The eight names are spelled out here only.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Place<Province = String> {
    pub province: Province,
    pub province_zh: Option<String>,
    pub city: Option<String>,
    pub city_zh: Option<String>,
    pub district: Option<String>,
    pub district_zh: Option<String>,
    pub unit: Option<String>,
    pub unit_zh: Option<String>,
}

impl Place {
    /// The keys of a place in the front matter, in the order of [`Place::names`].
    pub const KEYS: [&'static str; 8] =
        ["province", "province_zh", "city", "city_zh", "district", "district_zh", "unit", "unit_zh"];

    /// Every name given, in the order of [`Place::KEYS`] (English, then Chinese, large to small).
    pub fn names(&self) -> [Option<&str>; 8] {
        [
            Some(self.province.as_str()),
            self.province_zh.as_deref(),
            self.city.as_deref(),
            self.city_zh.as_deref(),
            self.district.as_deref(),
            self.district_zh.as_deref(),
            self.unit.as_deref(),
            self.unit_zh.as_deref(),
        ]
    }

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

impl<P> Place<P> {
    /// The same place with `province` in place of its province (validation turns the optional
    /// province of a place as written into the required one).
    pub fn with_province<Q>(self, province: Q) -> Place<Q> {
        let Place { province: _, province_zh, city, city_zh, district, district_zh, unit, unit_zh } = self;
        Place { province, province_zh, city, city_zh, district, district_zh, unit, unit_zh }
    }
}

impl Place<Option<String>> {
    /// The field a front-matter key of `place:` sets, if it is one of [`Place::KEYS`].
    pub fn field_mut(&mut self, key: &str) -> Option<&mut Option<String>> {
        Some(match key {
            "province" => &mut self.province,
            "province_zh" => &mut self.province_zh,
            "city" => &mut self.city,
            "city_zh" => &mut self.city_zh,
            "district" => &mut self.district,
            "district_zh" => &mut self.district_zh,
            "unit" => &mut self.unit,
            "unit_zh" => &mut self.unit_zh,
            _ => return None,
        })
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
    pub tags: Vec<Vec<TermId>>,
}

impl Section {
    pub fn is_tagged(&self) -> bool {
        self.tags.iter().any(|t| !t.is_empty())
    }
}

impl Taxonomy {
    pub fn vocabulary_index(&self, name: &str) -> Option<VocabId> {
        self.vocabularies.iter().position(|v| v.name == name)
    }

    /// The vocabulary a key names, by its name (`forces`) or its singular (`force`), as
    /// section attributes and filters write it.
    pub fn vocabulary_by_key(&self, key: &str) -> Option<VocabId> {
        self.vocabularies.iter().position(|v| v.name == key || v.singular == key)
    }

    /// The vocabulary that examples of a tagged section use (the hint of a case without one,
    /// the skeleton of `casebook new`): the first without a role (the profile — by default the
    /// first vocabulary — and `start_from` describe a section less often than they are tagged
    /// beside another), else the first.
    pub fn section_example(&self, config: &Config) -> Option<VocabId> {
        let profile = config.profile.as_deref().or(self.vocabularies.first().map(|v| v.name.as_str()));
        let roles = [profile, config.start_from.as_deref()];
        let has_role = |v: &Vocabulary| roles.contains(&Some(v.name.as_str()));
        self.vocabularies.iter().position(|v| !has_role(v)).or((!self.vocabularies.is_empty()).then_some(0))
    }

    /// The level of id `id`, if the taxonomy declares it.
    pub fn level(&self, id: &str) -> Option<&Level> {
        self.levels.iter().find(|l| l.id == id)
    }

    pub fn term_index(&self, vocabulary: VocabId, id: &str) -> Option<TermId> {
        self.vocabularies.get(vocabulary)?.terms.iter().position(|t| t.id == id)
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

    #[test]
    fn every_key_of_a_place_sets_the_name_it_is_listed_with() {
        let mut raw = Place::<Option<String>>::default();
        for key in Place::KEYS {
            *raw.field_mut(key).expect(key) = Some(key.to_string());
        }
        assert!(raw.field_mut("country").is_none());
        let place = raw.clone().with_province("province".to_string());
        assert_eq!(place.names(), Place::KEYS.map(Some));
        assert_eq!(place.with_province(raw.province.clone()), raw);
    }
}
