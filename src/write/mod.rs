//! Write: put the built site on disk atomically — a foundation every stage that touches the
//! disk uses (`build`'s pages, the search index, its meta file).
//!
//! - [`staging`]: the temporary folder a build writes into, swapped into place as a whole;
//! - [`atomic`]: one file or one folder replaced so that a reader sees the old or the new one.
//!
//! A site folder carries a marker file ([`MARKER`]): `build` refuses to replace a non-empty
//! folder without it, so it can never wipe a user's own files. This module knows no stage: the
//! folders that get their own writer thread are given by the caller.

pub mod atomic;
pub mod staging;

pub use atomic::{replace_dir, write_atomic};
pub use staging::Staging;

use crate::error::{Error, Result};
use std::fs;
use std::path::Path;

/// Marks a folder as casebook output.
pub const MARKER: &str = ".casebook-site";
/// What the marker file says to whoever opens it.
pub const MARKER_TEXT: &str = "This folder is written by `casebook build` and replaced as a whole on every build.\n";

/// Writes the marker file into the site folder `dir`.
pub fn mark_site_dir(dir: &Path) -> Result<()> {
    let marker = dir.join(MARKER);
    fs::write(&marker, MARKER_TEXT).map_err(|e| Error::io("write", &marker, e))
}

/// Whether `dir` may be replaced or written into by casebook: it is empty, or it carries the
/// marker. (A missing folder may be as well; the callers check that first.)
pub fn is_ours(dir: &Path) -> Result<bool> {
    let non_empty = fs::read_dir(dir).map_err(|e| Error::io("read", dir, e))?.next().is_some();
    Ok(!non_empty || dir.join(MARKER).is_file())
}
