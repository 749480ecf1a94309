//! `casebook search`: answer a query from the library's tantivy index (in its cache folder,
//! [`index::INDEX_DIR`], or `--index-dir`), first rebuilding that index when it is missing or
//! no longer matches the library. It writes nothing else: never a site.

use super::check::analyze;
use crate::freshness::{self, Freshness};
use crate::search::{Query, Searched, Searcher};
use crate::{diag, index, load, Error, Result};
use std::path::Path;

/// `casebook search`: answer a query from the index in `dir`. When that index is missing or no
/// longer matches the library, the library is checked and the index rebuilt whole first;
/// `rebuilt` then says why.
pub fn search(root: &Path, dir: &Path, query: &Query) -> Result<Searched> {
    let dir = dir.to_path_buf();
    // No file written since the index was built: no need to read the library.
    let stamp = freshness::stamp(root);
    if stamp.as_deref().is_some_and(|stamp| freshness::stamped(&dir, stamp)) {
        let results = Searcher::open(&dir).and_then(|s| s.search(query)).map_err(|e| damaged(&dir, e))?;
        return Ok(Searched { results, rebuilt: None });
    }
    let sources = load::load(root)?;
    let freshness = freshness::freshness(&sources, &dir);
    let rebuilt = if freshness == Freshness::Fresh {
        // Files were written again with the same content (or the stamp is new): remember
        // their stamp, so that the next search takes the short way.
        if stamp.as_deref().is_some_and(|stamp| stamp == sources.stamp) {
            freshness::restamp(&dir, &sources.stamp);
        }
        None
    } else {
        let checked = analyze(sources);
        let Some(library) = checked.library else {
            return Err(Error::Content(checked.diagnostics));
        };
        index::rebuild_index(&library, &checked.stamp, &dir)?;
        let why = if freshness == Freshness::Missing { "there was no search index" } else { "the library changed" };
        Some(format!("{why}; rebuilt {} ({})", dir.display(), diag::plural(library.cases.len(), "case", "cases")))
    };
    let results = Searcher::open(&dir).and_then(|s| s.search(query)).map_err(|e| damaged(&dir, e))?;
    Ok(Searched { results, rebuilt })
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
