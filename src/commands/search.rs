//! `casebook search`: answer a query from the library's tantivy index (in its cache folder,
//! [`index::INDEX_DIR`], or `--index-dir`), first rebuilding that index when it is missing or
//! no longer matches the library. It writes nothing else: never a site.
//!
//! A library with errors cannot be indexed: the index it had, if any, answers (with a note
//! that says so).

use super::check::analyze;
use crate::freshness::{self, Freshness};
use crate::search::{Query, Searched, Searcher};
use crate::{diag, index, load, Error, Result};
use std::path::Path;

/// `casebook search`: answer a query from the index in `dir`. When that index is missing or no
/// longer matches the library, the library is checked and the index rebuilt whole first;
/// `note` then says why. See the module's doc for a library with errors.
pub fn search(root: &Path, dir: &Path, query: &Query) -> Result<Searched> {
    // No file written since the index was built: no need to read the library.
    let stamp = freshness::stamp(root);
    if stamp.as_deref().is_some_and(|stamp| freshness::stamped(dir, stamp)) {
        let results = Searcher::open(dir).and_then(|s| s.search(query)).map_err(|e| damaged(dir, e))?;
        return Ok(Searched { results, note: None });
    }
    let mut sources = load::load(root)?;
    // Search renders no page: a broken template is `build`'s business, not the index's.
    sources.templates.clear();
    let freshness = freshness::freshness(&sources, dir);
    let note = if freshness == Freshness::Fresh {
        // Files were written again with the same content (or the stamp is new): remember
        // their stamp, so that the next search takes the short way.
        if stamp.as_deref().is_some_and(|stamp| stamp == sources.stamp) {
            freshness::restamp(dir, &sources.stamp);
        }
        None
    } else {
        let checked = analyze(sources);
        let Some(library) = checked.library else {
            let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
            if freshness == Freshness::Missing {
                return Err(Error::Content(checked.diagnostics));
            }
            // The index of the library as it was when it last had none.
            let note = format!(
                "the library has {} (`casebook check` lists them): these results are from the index of its last \
                 good version, {}",
                diag::plural(errors, "error", "errors"),
                dir.display()
            );
            // An index that cannot be opened (of an older casebook's format) cannot stand in.
            let Ok(searcher) = Searcher::open(dir) else { return Err(Error::Content(checked.diagnostics)) };
            return Ok(Searched { results: searcher.search(query)?, note: Some(note) });
        };
        let cases = diag::plural(library.cases.len(), "case", "cases");
        index::rebuild_index(&library, &checked.stamp, dir)?;
        let why = if freshness == Freshness::Missing { "there was no search index" } else { "the library changed" };
        Some(format!("{why}; rebuilt {} ({cases})", dir.display()))
    };
    let results = Searcher::open(dir).and_then(|s| s.search(query)).map_err(|e| damaged(dir, e))?;
    Ok(Searched { results, note })
}

/// The filters a library gives `casebook search` as flags of their own.
#[derive(Debug, Default, PartialEq)]
pub struct LibraryFilters {
    /// Per vocabulary of the taxonomy, in its order: its singular and its name (`--approach ID`
    /// is `--filter approaches=ID`).
    pub vocabularies: Vec<(String, String)>,
    /// Whether the taxonomy declares levels (`--level ID`).
    pub levels: bool,
}

/// The filters of the library at `root`, read from the taxonomy file alone (a library of any
/// size answers at once); none when there is no readable taxonomy (the search then says what
/// is wrong).
pub fn library_filters(root: &Path) -> LibraryFilters {
    let Some(file) = load::taxonomy_file(root) else { return LibraryFilters::default() };
    let Ok(raw) = crate::parse::parse_taxonomy(&file.path, &file.text, crate::config::Language::En) else {
        return LibraryFilters::default();
    };
    let (taxonomy, _) = crate::validate::validate_taxonomy(&file, raw);
    LibraryFilters {
        levels: !taxonomy.levels.is_empty(),
        vocabularies: taxonomy.vocabularies.into_iter().map(|v| (v.singular, v.name)).collect(),
    }
}

/// An index that cannot be read although its files are in place is damaged (a segment cut
/// short, bytes overwritten): say what to do about it.
fn damaged(dir: &Path, e: Error) -> Error {
    match e {
        Error::Index { context, source } => Error::Index {
            context: format!(
                "{context} (the index in {} looks damaged: remove that folder and search again, which rebuilds it)",
                dir.display()
            ),
            source,
        },
        other => other,
    }
}
