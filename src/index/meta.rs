//! The meta file casebook writes beside the tantivy index: its format, the fingerprint and stamp
//! of what it was built from, and the taxonomy (so filters are read without the library).

use crate::error::Result;
use crate::model::{Library, Taxonomy};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// casebook's description of the index, inside [`INDEX_DIR`](super::INDEX_DIR).
pub const META_FILE: &str = "casebook-index.json";
/// Bumped whenever the schema or the analysis changes, so older indexes count as stale.
pub const FORMAT: u32 = 4;

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
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MetaVocabulary {
    pub name: String,
    pub terms: Vec<MetaTerm>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MetaTerm {
    pub id: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_zh: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub aliases: Vec<String>,
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
        }
    }

    fn vocabularies(taxonomy: &Taxonomy) -> Vec<MetaVocabulary> {
        taxonomy
            .vocabularies
            .iter()
            .map(|v| MetaVocabulary {
                name: v.name.clone(),
                terms: v
                    .terms
                    .iter()
                    .map(|t| MetaTerm {
                        id: t.id.clone(),
                        label: t.label.clone(),
                        label_zh: t.label_zh.clone(),
                        aliases: t.aliases.clone(),
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
