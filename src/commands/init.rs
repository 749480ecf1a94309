//! `casebook init [DIR] [--lang zh-CN|en]`: start a library — `casebook.toml`, a small taxonomy,
//! one sample case and the about page's text ([`crate::scaffold::starter`]) — that passes
//! `check` and `build` at once, and a `.gitignore` for what casebook writes into it (the site, the
//! search index's cache in `.casebook/`) where the folder has none. DIR is created if missing; no
//! file is ever overwritten: when one of the library's files exists already, nothing is written.

use crate::config::Language;
use crate::error::{Error, Result};
use crate::scaffold::starter;
use std::path::{Path, PathBuf};

/// Writes a new library in `dir` in `lang`; returns the paths written.
pub fn init(dir: &Path, lang: Language) -> Result<Vec<PathBuf>> {
    let files = starter::files(lang);
    // All or nothing: a library half written over an existing one would mix the two.
    let existing: Vec<String> =
        files.iter().map(|(rel, _)| dir.join(rel)).filter(|p| p.exists()).map(|p| p.display().to_string()).collect();
    if !existing.is_empty() {
        return Err(Error::Usage(format!(
            "{} already {}; casebook init never overwrites a file — choose another folder, or remove {}",
            existing.join(", "),
            if existing.len() == 1 { "exists" } else { "exist" },
            if existing.len() == 1 { "it" } else { "them" }
        )));
    }
    let mut written = Vec::new();
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
        }
        crate::write::write_new(&path, text.as_bytes()).map_err(|e| match e.kind() {
            // Written meanwhile by someone else: still never overwritten.
            std::io::ErrorKind::AlreadyExists => {
                Error::Usage(format!("{} already exists; casebook init never overwrites a file", path.display()))
            }
            _ => Error::io("create", &path, e),
        })?;
        written.push(path);
    }
    // What casebook writes into a library (the site and the search index's cache) is rebuilt
    // from it, never kept in version control: a `.gitignore` says so, unless the folder has
    // one already (the editor's own, which is left as it is).
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        crate::write::write_new(&ignore, GITIGNORE.as_bytes()).map_err(|e| Error::io("create", &ignore, e))?;
        written.push(ignore);
    }
    Ok(written)
}

/// The `.gitignore` of a new library.
const GITIGNORE: &str =
    "# Written by casebook from the library, rebuilt at will: the site and the search index.\n/site/\n/.casebook/\n";
