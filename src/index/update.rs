//! Updating an index in place, a few cases at a time (`serve`).

use super::document::{CaseDocuments, Doc};
use super::meta::{write_meta, Meta};
use super::schema::Fields;
use crate::analysis::{indexing_analyzer, ANALYZER};
use crate::error::{Error, Result};
use crate::model::Library;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tantivy::Index;

/// Memory of the [`Updater`]'s writer: one thread, a few cases per commit.
const UPDATER_HEAP: usize = 32 * 1024 * 1024;

/// Updates an index built by [`build_index`] in place, a few cases at a time: `serve` uses it
/// to make an edited case searchable without rebuilding the index.
///
/// The writer stays open between updates (its lock is held, and tantivy merges the small
/// segments each commit makes in the background). A reader opened before an update keeps
/// seeing the index as it was; one opened after sees the update. The documents of a case are
/// those [`build_index`] makes, so a query finds the same cases; scores can differ slightly
/// from a fresh build's, as tantivy counts deleted documents in its statistics until segments
/// are merged.
pub struct Updater {
    writer: tantivy::IndexWriter<Doc>,
    fields: Fields,
    dir: PathBuf,
}

impl Updater {
    /// Opens the index in `dir` for writing.
    pub fn open(dir: &Path) -> Result<Updater> {
        let index =
            Index::open_in_dir(dir).map_err(|e| Error::index_because(format!("cannot open {}", dir.display()), e))?;
        index.tokenizers().register(ANALYZER, indexing_analyzer());
        let fields = Fields::new(&index.schema())?;
        let writer = index.writer_with_num_threads::<Doc>(1, UPDATER_HEAP)?;
        Ok(Updater { writer, fields, dir: dir.to_path_buf() })
    }

    /// Replaces the documents of the cases `changed` (indices into `library.cases`) with new
    /// ones made from `library`, commits, and rewrites the meta file. The library must have
    /// the cases, in the same order, that the index was built with (an edited case keeps its
    /// id); adding, removing or renaming a case needs a new index. The meta file of an updated
    /// index has no fingerprint (computing one reads the whole library at every edit): it no
    /// longer claims to match any files, and `casebook search` rebuilds it if asked to use it.
    pub fn update(&mut self, library: &Library, changed: &[usize]) -> Result<()> {
        let f = self.fields;
        let documents = CaseDocuments::new(library, f, Arc::default());
        for &i in changed {
            let case = &library.cases[i];
            self.writer.delete_term(tantivy::Term::from_field_text(f.id, &case.id));
            self.writer.add_document(documents.document(i, case))?;
        }
        self.writer.commit()?;
        super::write_surfaces(&self.dir, &super::surfaces(library))?;
        write_meta(&self.dir, &Meta::new(library, String::new(), String::new()))?;
        Ok(())
    }
}
