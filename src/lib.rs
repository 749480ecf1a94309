//! casebook turns a folder of structured case studies into a validated, searchable,
//! self-contained reference site.
//!
//! This file is a table of contents. Where each feature lives:
//!
//! - the commands, one file each: [`commands`] (`check` is the first half of `build`: both
//!   call [`analyze`], so they can never disagree about what is valid);
//! - the stages, in the order the data flows: [`load`] (read the folder) → [`parse`] (YAML,
//!   front matter, Markdown body) → [`validate`] (ids, tags, sections, links) → [`model`] (the
//!   validated library, its ids, related cases) → [`index`] (tantivy) and [`browser_index`] (the
//!   browser's index) → [`render`] (the pages) → [`write`] (staging, atomic swap);
//! - what a link of a case names, and where the site puts the files a case links to: [`links`];
//! - diagnostics and "did you mean": [`diag`] (with [`diag::suggest`]); errors: [`error`];
//! - the terminal's colours: [`console`]; casebook.toml: [`config`];
//! - the other products: [`search`] (the `search` command's queries), [`tags`] (the taxonomy
//!   report), [`scaffold`] (`new` and `init`), [`serve`] (the preview server), [`export`] (the
//!   library for a search server: OpenSearch, Meilisearch, NDJSON).

pub mod analysis;
pub mod browser_index;
pub mod commands;
pub mod config;
pub mod console;
pub mod diag;
pub mod error;
pub mod export;
pub mod freshness;
pub mod html;
pub mod index;
pub mod links;
pub mod load;
pub mod markdown;
pub mod model;
pub mod parse;
pub mod progress;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod tags;
pub mod validate;
pub mod write;

pub use commands::build::{build, build_for_serve, BuildOptions, BuildSummary, Built};
pub use commands::check::{analyze, check, Checked};
pub use commands::export::{export, ExportOptions, Exported};
pub use commands::init::init;
pub use commands::new::new_case;
pub use commands::search::search;
pub use commands::tags::tags;
pub use diag::{Diagnostic, Severity};
pub use error::{Error, Result};
pub use model::Library;
/// `casebook serve`: build the library into a temporary folder and serve it over HTTP, with
/// pages that reload on change and `/api/search`, until Ctrl-C (see [`mod@serve`]).
pub use serve::run as serve;
