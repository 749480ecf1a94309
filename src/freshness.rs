//! Freshness: whether the tantivy index in a site still describes the library's files.
//!
//! The index's meta file holds a fingerprint of everything the index is made of (case files,
//! the taxonomy's ids, labels and aliases), so `search` can tell whether the index still
//! describes the library, and the [`stamp`] of the files it was read from, so that while no
//! file was written since, `search` can tell it without reading them. This is a question of the
//! `search` command, not of the index stage: the index only writes what is asked here.

use crate::index::meta::{fingerprint, read_meta, write_meta, FORMAT};
use crate::load::stamp::Stamp;
use crate::load::{Sources, CASES_DIR};
use rayon::prelude::*;
use std::fs;
use std::path::Path;

/// The stamp of the library at `root` as it is now, from the files' metadata alone (nothing
/// is read): a hash of every taxonomy and case file's path, size, modification and change
/// times and inode ([`Stamp`]). It equals the [`Sources::stamp`] of a [`crate::load::load`] of
/// the same files, so a stamp kept from a build tells in a few milliseconds that no file was
/// added, removed or written since (`casebook search` then skips reading the library). A file
/// changes its stamp whenever it is written, even with the same content; a stamp cannot be set
/// back by hand the way a modification time can, since the change time (on Unix) follows every
/// write. `None` when the folder cannot be walked cleanly. A warning of the walk (a link out
/// of the library or a broken one, skipped) leaves the stamp known: the same links are skipped
/// the same way every time, and a link that starts to resolve adds a file, which changes it.
pub fn stamp(root: &Path) -> Option<String> {
    let canonical_root = root.canonicalize().ok()?;
    let mut diagnostics = Vec::new();
    let files = crate::load::library_files(&canonical_root, &root.join(CASES_DIR), &mut diagnostics);
    if diagnostics.iter().any(crate::Diagnostic::is_error) {
        return None;
    }
    let metadata: Vec<Option<fs::Metadata>> = files.par_iter().map(|(path, _)| fs::metadata(path).ok()).collect();
    let mut stamp = Stamp::new();
    for ((_, rel), m) in files.iter().zip(metadata) {
        stamp.file(rel, &m?);
    }
    stamp.settings(root);
    Some(stamp.finish())
}

/// The fingerprint the library would have, computed from the files alone (only the taxonomy is
/// parsed). `None` when the sources cannot make a valid library as they are; a warning (a
/// skipped link) does not change what the library is made of.
pub fn sources_fingerprint(sources: &Sources) -> Option<String> {
    if sources.diagnostics.iter().any(crate::Diagnostic::is_error) {
        return None;
    }
    let file = sources.taxonomy.as_ref()?;
    let raw = crate::parse::parse_taxonomy(&file.path, &file.text, sources.config.language).ok()?;
    let (taxonomy, diags) = crate::validate::validate_taxonomy(file, raw);
    if diags.iter().any(crate::Diagnostic::is_error) {
        return None;
    }
    Some(fingerprint(
        &taxonomy,
        &sources.config.place_aliases,
        // As the library has them: a translation into a language the site does not build is
        // not part of it.
        sources.cases.iter().filter(|c| built(&sources.config, &c.path)).map(|c| (c.path.as_str(), c.text.as_str())),
    ))
}

/// Whether the case file `path` goes into the library: an original, or a translation into one
/// of the site's languages.
fn built(config: &crate::config::Config, path: &str) -> bool {
    crate::config::Language::of_translation(path)
        .is_none_or(|(lang, _)| lang != config.content_language && config.languages.contains(&lang))
}

/// Whether the index in a folder still describes the library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    Fresh,
    Missing,
    Stale,
}

/// Whether the index in `dir` is complete and was built from files with this `stamp`
/// ([`stamp`]): then it is fresh, and the files need not be read.
pub fn stamped(dir: &Path, stamp: &str) -> bool {
    read_meta(dir).is_some_and(|m| m.format == FORMAT && !m.files.is_empty() && m.files == stamp)
        && dir.join("meta.json").is_file()
}

/// Records `stamp` in the meta file of the index in `dir`, found fresh by its content. Best
/// effort: an index that cannot be written to is only checked the long way next time.
pub fn restamp(dir: &Path, stamp: &str) {
    if let Some(mut meta) = read_meta(dir).filter(|m| m.files != stamp) {
        meta.files = stamp.to_string();
        let _ = write_meta(dir, &meta);
    }
}

/// Compares the index in `dir` with the library files read into `sources`.
pub fn freshness(sources: &Sources, dir: &Path) -> Freshness {
    let Some(meta) = read_meta(dir) else { return Freshness::Missing };
    if !dir.join("meta.json").is_file() {
        return Freshness::Missing;
    }
    match sources_fingerprint(sources) {
        Some(f) if meta.format == FORMAT && meta.fingerprint == f => Freshness::Fresh,
        _ => Freshness::Stale,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::meta::library_fingerprint;

    #[test]
    fn fingerprint_of_sources_matches_library() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let sources = crate::load::load(root).unwrap();
        let from_sources = sources_fingerprint(&sources).unwrap();
        let library = crate::analyze(sources).library.unwrap();
        assert_eq!(library_fingerprint(&library), from_sources);
        let mut sources = crate::load::load(root).unwrap();
        sources.cases[0].text.push(' ');
        assert_ne!(sources_fingerprint(&sources).unwrap(), from_sources);
    }
}
