//! Parse: turn the text of a case file or of the taxonomy into raw, unchecked data. No I/O.
//!
//! Front matter is YAML read by serde-saphyr (panic-free, with line and column for every value
//! and every error, and budgets against alias bombs and deep nesting): [`yaml`] holds the
//! plumbing, [`front_matter`] a case's fields, [`taxonomy`] the taxonomy file. The body is
//! Markdown read by pulldown-cmark with heading attributes, to find the tagged sections
//! ([`body`]). Every position is translated to a line and column of the file itself, not of the
//! front-matter block. A full-width colon, comma, quote, bracket or space, a tab or a zero-width
//! character in a YAML syntax position is named where it is, in the library's language
//! ([`keyboard`]). Whether ids exist is not this stage's business: that is `validate`.
//!
//! This module holds the raw types the stage returns.

pub mod body;
pub mod front_matter;
mod keyboard;
pub mod taxonomy;
mod yaml;

pub use body::parse_body;
pub use front_matter::{parse_case, readable_id};
pub use keyboard::toml_error as keyboard_in_toml;
pub use taxonomy::parse_taxonomy;

use crate::model::Place;
use std::ops::Range;

/// A value with the (line, column) where it was written, in file coordinates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct At<T> {
    pub value: T,
    pub line: usize,
    pub column: usize,
}

/// Known front-matter keys; any other key must be the name of a vocabulary.
pub const CASE_KEYS: &[&str] =
    &["id", "title", "title_zh", "place", "level", "summary", "summary_zh", "date", "updated", "sources"];
const TERM_KEYS: &[&str] =
    &["id", "label", "label_zh", "definition", "definition_zh", "aliases", "countermeasure", "countermeasure_zh"];
const VOCABULARY_KEYS: &[&str] = &["label", "label_zh", "singular", "terms"];
/// The taxonomy's key of the levels a case may have (beside the vocabularies).
pub const LEVELS_KEY: &str = "levels";
/// Keys a level may have (for "did you mean" hints).
pub const LEVEL_KEYS: &[&str] = &["id", "label", "label_zh"];

/// A case file as written, before validation.
#[derive(Clone, Debug)]
pub struct RawCase {
    pub id: Option<At<String>>,
    pub title: Option<At<String>>,
    pub title_zh: Option<At<String>>,
    pub place: Option<At<RawPlace>>,
    pub level: Option<At<String>>,
    pub summary: Option<At<String>>,
    pub summary_zh: Option<At<String>>,
    pub date: Option<At<String>>,
    pub updated: Option<At<String>>,
    pub sources: Option<At<Vec<At<String>>>>,
    /// Vocabulary keys in the order written: (vocabulary name, ids).
    pub tags: Vec<(At<String>, Vec<At<String>>)>,
    /// Keys that are neither known fields nor vocabulary names.
    pub unknown_keys: Vec<At<String>>,
    pub body: RawBody,
}

/// A case's `place:` as written: the names given (the province, too, may be missing) and the
/// keys that are no place key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawPlace {
    pub names: Place<Option<String>>,
    pub unknown_keys: Vec<At<String>>,
}

/// The Markdown body: where it starts in the file, its sections and its links.
#[derive(Clone, Debug, Default)]
pub struct RawBody {
    /// Byte offset of the body in the file's text.
    pub offset: usize,
    /// 1-based file line of the body's first line.
    pub first_line: usize,
    pub sections: Vec<RawSection>,
    /// Every link and image, and every `src` and `href` address of raw HTML, in the order
    /// written.
    pub links: Vec<RawLink>,
}

/// A link or an image of a body: its address as written (what it names is
/// [`crate::links::target`]'s to say), at the place the address is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawLink {
    pub url: At<String>,
    /// An image (`![…](…)`, or a `src` of raw HTML).
    pub image: bool,
    /// Written in raw HTML, which render leaves as it is (sanitized).
    pub in_html: bool,
}

/// A heading and the text up to the next heading of the same or a higher level.
#[derive(Clone, Debug)]
pub struct RawSection {
    pub level: u8,
    pub title: String,
    pub anchor: Option<String>,
    /// `key=value` attributes other than `#id` and `.class`, values unquoted.
    pub attrs: Vec<(At<String>, At<String>)>,
    pub line: usize,
    /// Byte range in the body of the whole section, heading included.
    pub range: Range<usize>,
    /// Byte range in the body of the section's content, heading excluded.
    pub content: Range<usize>,
}

/// The taxonomy as written.
#[derive(Clone, Debug, Default)]
pub struct RawTaxonomy {
    pub path: String,
    pub text: String,
    pub vocabularies: Vec<RawVocabulary>,
    /// `levels:` (where the key is written) with its levels, if the taxonomy has the key.
    pub levels: Option<At<Vec<RawLevel>>>,
}

#[derive(Clone, Debug)]
pub struct RawVocabulary {
    pub name: At<String>,
    pub label: Option<String>,
    pub label_zh: Option<String>,
    /// `singular:` as written, if declared.
    pub singular: Option<At<String>>,
    pub terms: Vec<RawTerm>,
    pub unknown_keys: Vec<At<String>>,
}

#[derive(Clone, Debug, Default)]
pub struct RawTerm {
    pub line: usize,
    pub column: usize,
    pub id: Option<At<String>>,
    pub label: Option<At<String>>,
    pub label_zh: Option<String>,
    pub definition: Option<At<String>>,
    pub definition_zh: Option<String>,
    pub aliases: Vec<String>,
    pub countermeasure: Option<String>,
    pub countermeasure_zh: Option<String>,
    /// Links to terms of other vocabularies: (vocabulary name, ids).
    pub links: Vec<(At<String>, Vec<At<String>>)>,
    pub unknown_keys: Vec<At<String>>,
}

/// A level of `levels:` as written.
#[derive(Clone, Debug, Default)]
pub struct RawLevel {
    pub line: usize,
    pub column: usize,
    pub id: Option<At<String>>,
    pub label: Option<At<String>>,
    pub label_zh: Option<String>,
    pub unknown_keys: Vec<At<String>>,
}

/// Keys a term may have besides links (for "did you mean" hints).
pub fn term_keys() -> &'static [&'static str] {
    TERM_KEYS
}

/// Keys a place may have (for "did you mean" hints).
pub fn place_keys() -> &'static [&'static str] {
    &Place::KEYS
}

pub fn vocabulary_keys() -> &'static [&'static str] {
    VOCABULARY_KEYS
}
