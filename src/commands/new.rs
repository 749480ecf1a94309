//! `casebook new ID`: check the library (for its vocabularies), then write a case skeleton.

use super::check::analyze;
use crate::{load, scaffold, Result};
use std::path::{Path, PathBuf};

/// `casebook new ID`: write a case file skeleton; returns its path.
pub fn new_case(root: &Path, id: &str) -> Result<PathBuf> {
    let sources = load::load(root)?;
    let checked = analyze(sources);
    scaffold::new_case(root, id, checked.library.as_ref())
}
