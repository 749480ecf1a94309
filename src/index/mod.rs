//! Index: the tantivy index built with casebook's analysis ([`crate::analysis`]), and opening it.
//!
//! - [`schema`]: the fields and their boosts ([`TEXT_FIELDS`]);
//! - [`document`]: a case's document, its tagged sections and facets;
//! - [`build`]: a fresh index, and an index folder replaced whole;
//! - [`update`]: `serve`'s in-place updates of a few cases;
//! - [`meta`]: the meta file beside the index;
//! - [`surfaces`]: the English words whose token is another word, beside the index.
//!
//! This module only builds, opens and describes the index; querying is [`mod@crate::search`],
//! and whether an index is still fresh is [`crate::freshness`]'s question.

pub mod build;
pub mod document;
pub mod meta;
pub mod schema;
pub mod surfaces;
pub mod update;

pub use build::{build_index, build_index_cancellable, rebuild_index, Fresh};
pub use document::{term_text, SectionSpan};
pub use meta::{library_fingerprint, read_meta, write_meta, Meta, MetaTerm, MetaVocabulary, FORMAT, META_FILE};
pub use schema::{
    field_languages, language_weights, schema, Fields, LEVEL_ROOT, OTHER_LANGUAGE_WEIGHT, PLACE_ROOT, PLACE_ZH_ROOT,
    TEXT_FIELDS, YEAR_ROOT,
};
pub use surfaces::{read_surfaces, surfaces, write_surfaces, SURFACES_FILE};
pub use update::Updater;

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use tantivy::Index;

/// Where the tantivy index lives by default, relative to the library folder: in the library's
/// cache, out of the published site, which holds only what a browser reads (and so is
/// byte-identical from build to build: tantivy's segment files are not). `--index-dir` puts it
/// elsewhere.
pub const INDEX_DIR: &str = ".casebook/index";

/// The index folder of the library at `root`, unless `--index-dir` names another.
pub fn index_dir(root: &Path, given: Option<&Path>) -> PathBuf {
    given.map(Path::to_path_buf).unwrap_or_else(|| root.join(INDEX_DIR))
}

/// An opened index with its fields and meta.
pub struct Opened {
    pub index: Index,
    pub fields: Fields,
    pub meta: Meta,
    pub dir: PathBuf,
}

/// Opens the index in `dir` and registers the analyzer.
pub fn open(dir: &Path) -> Result<Opened> {
    let meta = read_meta(dir).ok_or_else(|| {
        Error::index(format!(
            "no casebook index in {} (run `casebook build` or `casebook search` to create it)",
            dir.display()
        ))
    })?;
    if meta.format != FORMAT {
        return Err(Error::index(format!(
            "the index in {} has format {}, this casebook reads {FORMAT}; rebuild it",
            dir.display(),
            meta.format
        )));
    }
    let index =
        Index::open_in_dir(dir).map_err(|e| Error::index_because(format!("cannot open {}", dir.display()), e))?;
    index.tokenizers().register(crate::analysis::ANALYZER, crate::analysis::analyzer());
    let fields = Fields::new(&index.schema())?;
    Ok(Opened { index, fields, meta, dir: dir.to_path_buf() })
}
