//! `casebook search`: answer a query from the built site's tantivy index, first rebuilding
//! that index (and only it) when it is missing or no longer matches the library.
//!
//! A library with errors cannot be indexed: the index it had, if any, answers (with a note
//! that says so). A library with no site gets an index of its own for the one search, in a
//! temporary folder: search never creates a site, which would be one that holds nothing but
//! its index.

use super::check::analyze;
use crate::freshness::{self, Freshness};
use crate::search::{Query, Searched, Searcher};
use crate::{diag, index, load, Error, Result};
use std::path::Path;

/// `casebook search`: answer a query from the site's index (`SITE/_search/tantivy`). When that
/// index is missing or no longer matches the library, the library is checked and the index —
/// only the index — rebuilt in place first; `note` then says why. See the module's doc for a
/// library with errors and one without a site.
pub fn search(root: &Path, site: &Path, query: &Query) -> Result<Searched> {
    let dir = site.join(index::INDEX_DIR);
    // No file written since the index was built: no need to read the library.
    let stamp = freshness::stamp(root);
    if stamp.as_deref().is_some_and(|stamp| freshness::stamped(&dir, stamp)) {
        let results = Searcher::open(&dir).and_then(|s| s.search(query)).map_err(|e| damaged(&dir, e))?;
        return Ok(Searched { results, note: None });
    }
    let mut sources = load::load(root)?;
    // Search renders no page: a broken template is `build`'s business, not the index's.
    sources.templates.clear();
    let freshness = freshness::freshness(&sources, &dir);
    let note = if freshness == Freshness::Fresh {
        // Files were written again with the same content (or the stamp is new): remember
        // their stamp, so that the next search takes the short way.
        if stamp.as_deref().is_some_and(|stamp| stamp == sources.stamp) {
            freshness::restamp(&dir, &sources.stamp);
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
            let Ok(searcher) = Searcher::open(&dir) else { return Err(Error::Content(checked.diagnostics)) };
            return Ok(Searched { results: searcher.search(query)?, note: Some(note) });
        };
        let cases = diag::plural(library.cases.len(), "case", "cases");
        if !site.is_dir() {
            let tmp = tempfile::Builder::new()
                .prefix("casebook-search-")
                .tempdir()
                .map_err(|e| Error::io("create a temporary folder in", std::env::temp_dir(), e))?;
            index::build_index(&library, tmp.path())?;
            let results = Searcher::open(tmp.path()).and_then(|s| s.search(query))?;
            let note = format!(
                "there is no site in {} (`casebook build` makes it, with an index that later searches reuse): \
                 indexed {cases} for this search alone",
                site.display()
            );
            return Ok(Searched { results, note: Some(note) });
        }
        index::rebuild_site_index(&library, &checked.stamp, site)?;
        let why = if freshness == Freshness::Missing { "there was no search index" } else { "the library changed" };
        Some(format!("{why}; rebuilt {} ({cases})", dir.display()))
    };
    let results = Searcher::open(&dir).and_then(|s| s.search(query)).map_err(|e| damaged(&dir, e))?;
    Ok(Searched { results, note })
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
