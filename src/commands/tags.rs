//! `casebook tags`: check the library, then report how it uses its taxonomy (and, asked to,
//! the tags each case probably misses).

use super::check::check;
use crate::tags::{report, Report};
use crate::{Error, Result};
use std::path::Path;

/// `casebook tags`: how the library uses its taxonomy, and with `suggest`, the tags each case
/// probably misses, with evidence.
pub fn tags(root: &Path, suggest: bool) -> Result<Report> {
    let checked = check(root)?;
    let Some(library) = checked.library else {
        return Err(Error::Content(checked.diagnostics));
    };
    Ok(report(&library, suggest))
}
