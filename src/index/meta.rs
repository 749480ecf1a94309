//! The meta file casebook writes beside the tantivy index: its format, the fingerprint and stamp
//! of what it was built from, and the taxonomy (so filters are read without the library). The
//! fingerprint is computed here; whether it still matches is [`crate::freshness`]'s question.

use crate::analysis::fxhash;
use crate::error::Result;
use crate::model::places::{named_places, NamedPlace};
use crate::model::{Library, Taxonomy};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// casebook's description of the index, inside [`INDEX_DIR`](super::INDEX_DIR).
pub const META_FILE: &str = "casebook-index.json";
/// Bumped whenever the schema or the analysis changes, so older indexes count as stale.
pub const FORMAT: u32 = 10;

/// What casebook writes next to the index: enough to check freshness and to interpret filters
/// without reading the library.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Meta {
    pub format: u32,
    pub casebook_version: String,
    pub fingerprint: String,
    /// The stamp of the library's files when the index was built ([`crate::freshness::stamp`]):
    /// while it holds, the index is fresh without a look at the files' content.
    #[serde(default)]
    pub files: String,
    pub cases: usize,
    pub documents: usize,
    pub vocabularies: Vec<MetaVocabulary>,
    /// The library's levels, in the order declared (empty: the library has none).
    #[serde(default)]
    pub levels: Vec<MetaLevel>,
    /// The provinces and cities, which a query may name like a term.
    #[serde(default)]
    pub places: Vec<NamedPlace>,
    /// The site's languages (the default first) and the one the case files are written in:
    /// a case's `body` holds the original's text, then its translation's, if any.
    #[serde(default)]
    pub languages: Vec<crate::config::Language>,
    #[serde(default)]
    pub content_language: crate::config::Language,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MetaVocabulary {
    pub name: String,
    /// Its singular, as filters and flags name it (`force:ID`, `--force ID`).
    pub singular: String,
    pub terms: Vec<MetaTerm>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MetaLevel {
    pub id: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub label_zh: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MetaTerm {
    pub id: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_zh: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub aliases: Vec<String>,
    /// What a search's answer card shows of the term.
    #[serde(default)]
    pub definition: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub definition_zh: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub countermeasure: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub countermeasure_zh: Option<String>,
    /// Linked terms of other vocabularies: (vocabulary name, term ids).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub links: Vec<(String, Vec<String>)>,
}

impl Meta {
    /// The meta of an index of `library` made now: the one place a [`Meta`] is built.
    /// `fingerprint` and `files` say what it was made from (empty when that is not known,
    /// as after an update in place).
    pub fn new(library: &Library, fingerprint: String, files: String) -> Meta {
        Meta {
            format: FORMAT,
            casebook_version: env!("CARGO_PKG_VERSION").to_string(),
            fingerprint,
            files,
            cases: library.cases.len(),
            documents: library.cases.len(),
            vocabularies: Meta::vocabularies(&library.taxonomy),
            levels: library
                .taxonomy
                .levels
                .iter()
                .map(|l| MetaLevel { id: l.id.clone(), label: l.label.clone(), label_zh: l.label_zh.clone() })
                .collect(),
            places: named_places(&library.cases, &library.config.place_aliases),
            languages: library.config.languages.clone(),
            content_language: library.config.content_language,
        }
    }

    fn vocabularies(taxonomy: &Taxonomy) -> Vec<MetaVocabulary> {
        taxonomy
            .vocabularies
            .iter()
            .map(|v| MetaVocabulary {
                name: v.name.clone(),
                singular: v.singular.clone(),
                terms: v
                    .terms
                    .iter()
                    .map(|t| MetaTerm {
                        id: t.id.clone(),
                        label: t.label.clone(),
                        label_zh: t.label_zh.clone(),
                        aliases: t.aliases.clone(),
                        definition: t.definition.clone(),
                        definition_zh: t.definition_zh.clone(),
                        countermeasure: t.countermeasure.clone(),
                        countermeasure_zh: t.countermeasure_zh.clone(),
                        links: t
                            .links
                            .iter()
                            .map(|(v, ids)| {
                                let other = &taxonomy.vocabularies[*v];
                                (other.name.clone(), ids.iter().map(|&i| other.terms[i].id.clone()).collect())
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect()
    }
}

/// Reads the meta file of the index in `dir`, if there is a readable one.
pub fn read_meta(dir: &Path) -> Option<Meta> {
    let text = std::fs::read_to_string(dir.join(META_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Writes `meta` as the meta file of the index in `dir`, atomically (a search running
/// meanwhile reads the old meta file or the new one).
pub fn write_meta(dir: &Path, meta: &Meta) -> Result<()> {
    let json = serde_json::to_string_pretty(meta)? + "\n";
    crate::write::write_atomic(&dir.join(META_FILE), json.as_bytes())
}

/// A 128-bit, non-cryptographic hash: it detects edits, not attacks.
struct Fingerprint(u64, u64);

impl Fingerprint {
    fn new() -> Self {
        Fingerprint(0x243f_6a88_85a3_08d3, 0x1319_8a2e_0370_7344)
    }

    fn word(&mut self, w: u64) {
        // The first lane is FxHash; the second, another multiplier and rotation.
        self.0 = fxhash::mix(self.0, w);
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
/// taxonomy's levels and vocabularies (names, singulars, term ids, labels, aliases) and every case
/// file (path and text).
pub fn fingerprint<'a>(
    taxonomy: &Taxonomy,
    place_aliases: &BTreeMap<String, Vec<String>>,
    cases: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    let mut h = Fingerprint::new();
    h.str(env!("CARGO_PKG_VERSION"));
    h.word(FORMAT as u64);
    h.word(place_aliases.len() as u64);
    for (name, others) in place_aliases {
        h.str(name);
        h.word(others.len() as u64);
        for o in others {
            h.str(o);
        }
    }
    h.word(taxonomy.levels.len() as u64);
    for l in &taxonomy.levels {
        h.str(&l.id);
        h.str(&l.label);
        h.str(l.label_zh.as_deref().unwrap_or(""));
    }
    for v in &taxonomy.vocabularies {
        h.str(&v.name);
        h.str(&v.singular);
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
    fingerprint(
        &library.taxonomy,
        &library.config.place_aliases,
        library.cases.iter().flat_map(|c| {
            let translations = c.translations.iter().map(|t| (t.path.as_str(), t.text.as_str()));
            std::iter::once((c.path.as_str(), c.text.as_str())).chain(translations)
        }),
    )
}
