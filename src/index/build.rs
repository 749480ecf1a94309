//! Building the index: a fresh index of a library, and an index folder replaced whole by a fresh
//! one built beside it.
//!
//! Building streams the documents to tantivy's writer (two indexing threads, one commit), a few
//! hundred cases at a time prepared on the calling thread (`build` runs it alongside the page
//! rendering, which has rayon's threads), with at most `IN_FLIGHT` documents waiting, so memory
//! stays flat whatever the library size. Tantivy's segment files are not byte-for-byte
//! reproducible (segment ids are random, and two indexing threads split the documents by
//! timing); the search results are, and so is the meta file.

use super::document::{CaseDocuments, Doc, InFlight};
use super::meta::{library_fingerprint, write_meta, Meta};
use super::schema::{schema, Fields};
use super::META_FILE;
use crate::analysis::{indexing_analyzer, ANALYZER};
use crate::error::{Error, Result};
use crate::model::Library;
use crate::write::{remove_dead_beside, replace_dir, temp_beside};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tantivy::{Index, IndexSettings};

/// Memory the index writer may use for its buffers, all threads together.
const WRITER_HEAP: usize = 192 * 1024 * 1024;
/// Cases analyzed together before their documents go to the index writer.
const CHUNK: usize = 256;
/// Documents handed to the index writer but not yet indexed, at most (bounds memory: tantivy's
/// own queue holds up to 10,000).
const IN_FLIGHT: usize = 2_000;
/// How long the writer may take no document at all before the build gives up on it.
const STALL: Duration = Duration::from_secs(120);

/// Writes a fresh index of `library` into `dir` (created if needed; it must not hold an index),
/// with no stamp of the files it was read from (so `search` looks at their content).
pub fn build_index(library: &Library, dir: &Path) -> Result<()> {
    build_index_cancellable(library, "", dir, &AtomicBool::new(false))
}

/// [`build_index`], giving up (with [`Error::Cancelled`]) as soon as `cancel` is set: `build`
/// sets it when the pages it renders meanwhile fail, so the error is not held back by the index.
/// `stamp` is that of the files `library` was read from ([`crate::load::Sources::stamp`]).
pub fn build_index_cancellable(library: &Library, stamp: &str, dir: &Path, cancel: &AtomicBool) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    let index = Index::builder()
        .schema(schema())
        .settings(IndexSettings::default())
        .create_in_dir(dir)
        .map_err(|e| Error::index_because(format!("cannot create the index in {}", dir.display()), e))?;
    index.tokenizers().register(ANALYZER, indexing_analyzer());
    let f = Fields::new(&index.schema())?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 2);
    let mut writer = index.writer_with_num_threads::<Doc>(threads, WRITER_HEAP)?;

    let in_flight = Arc::new(InFlight::default());
    let documents = CaseDocuments::new(library, f, Arc::clone(&in_flight));

    // Documents are prepared here, a slice of the library at a time (bounding the memory held
    // by documents not yet indexed); tantivy's threads analyze and index them.
    for (n, chunk) in library.cases.chunks(CHUNK).enumerate() {
        if cancel.load(Ordering::Relaxed) {
            return Err(Error::Cancelled);
        }
        for (i, case) in chunk.iter().enumerate() {
            writer.add_document(documents.document(n * CHUNK + i, case))?;
        }
        // Let the writer catch up before analyzing more (and notice if it stopped).
        if !in_flight.wait_for_at_most(IN_FLIGHT, STALL) {
            return Err(Error::index("the index writer stopped indexing documents"));
        }
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    super::write_surfaces(dir, &super::surfaces(library))?;
    write_meta(dir, &Meta::new(library, library_fingerprint(library), stamp.to_string()))
}

/// A fresh index being built beside the index folder it will replace (`.index.tantivy-tmp-PID`,
/// on the same file system, so the swap is a rename): removed when dropped, unless
/// [`Fresh::install`] moved it into place.
pub struct Fresh {
    path: PathBuf,
    target: PathBuf,
    installed: bool,
}

impl Fresh {
    /// Makes room for a fresh index that will replace `target`: refuses a `target` that is not
    /// an index casebook wrote (casebook deletes nothing it did not write), creates its parent,
    /// and removes what killed rebuilds left beside it.
    pub fn beside(target: &Path) -> Result<Fresh> {
        refuse_foreign(target)?;
        let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
        remove_dead_beside(target);
        let path = temp_beside(target, "tantivy-tmp");
        if path.exists() {
            fs::remove_dir_all(&path).map_err(|e| Error::io("remove", &path, e))?;
        }
        Ok(Fresh { path, target: target.to_path_buf(), installed: false })
    }

    /// Where the fresh index is built.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Swaps the fresh index for the old one ([`replace_dir`]): a search running meanwhile sees
    /// the old index or the new one, never a mix.
    pub fn install(mut self) -> Result<()> {
        replace_dir(&self.path, &self.target)?;
        self.installed = true;
        Ok(())
    }
}

impl Drop for Fresh {
    fn drop(&mut self) {
        if !self.installed && self.path.exists() {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// Refuses to replace `dir` unless it is missing, empty or an index (it holds casebook's
/// [`META_FILE`], or tantivy's list of its files, `.managed.json`, when casebook's meta file was
/// lost): `--index-dir` may name any folder, and replacing one is deleting it.
fn refuse_foreign(dir: &Path) -> Result<()> {
    let Ok(meta) = fs::symlink_metadata(dir) else { return Ok(()) };
    let ours = meta.is_dir()
        && (dir.join(META_FILE).is_file()
            || dir.join(".managed.json").is_file()
            || fs::read_dir(dir).map_err(|e| Error::io("read", dir, e))?.next().is_none());
    if ours {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "{} is not a search index casebook wrote (something replaced or changed it, or --index-dir names another \
         folder), and casebook deletes nothing it did not write; remove it yourself or choose another --index-dir, \
         then search or build again (the index is rebuilt)",
        dir.display()
    )))
}

/// Rebuilds the index in `dir` whole: a fresh index built beside it, then swapped in
/// ([`Fresh`]). Nothing else is written: `search` never makes a site.
pub fn rebuild_index(library: &Library, stamp: &str, dir: &Path) -> Result<()> {
    let fresh = Fresh::beside(dir)?;
    build_index_cancellable(library, stamp, fresh.path(), &AtomicBool::new(false))?;
    fresh.install()
}
