//! Building the index: a fresh index of a library, and the index of a site folder replaced in
//! place.
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
use super::INDEX_DIR;
use crate::analysis::{indexing_analyzer, ANALYZER};
use crate::error::{Error, Result};
use crate::model::Library;
use crate::write::{
    foreign, is_mount_point, list_apart, remove_dead, remove_dead_beside, replace_dir, temp_beside, write_marker,
    Foreign, MARKER,
};
use std::fs;
use std::path::Path;
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

/// Why the index of `site` is not rebuilt, and what to do. The index's own folder replaced by
/// something else (a file, a folder of other files) is a damaged index: casebook deletes
/// nothing it did not write, so the reader is told to remove that one path, after which the
/// next search rebuilds the index.
fn refusal(site: &Path, reason: &Foreign) -> String {
    match reason {
        Foreign::Unlisted(path) if path == INDEX_DIR || path.starts_with(&format!("{INDEX_DIR}/")) => {
            let index = site.join(INDEX_DIR);
            format!(
                "{} is not the search index casebook wrote (something replaced or changed it), and casebook deletes \
                 nothing it did not write; remove {} yourself, then search again (the index is rebuilt) or run \
                 `casebook build`",
                index.display(),
                index.display()
            )
        }
        _ => format!(
            "{} {}; refusing to put a search index there (choose another --site)",
            site.display(),
            reason.describe()
        ),
    }
}

/// Rebuilds the index of a site folder in place: into a temporary sibling of the site folder
/// (outside what is served), then swapped for `SITE/_search/tantivy` ([`replace_dir`]), so a
/// search running meanwhile sees the old index or the new one. The new index carries its own
/// list of files, which the site's marker names, so that `build` may still replace the site. A
/// missing site folder is created (with that marker); a folder not written by casebook is
/// refused. Leftovers of rebuilds that were killed are removed first.
pub fn rebuild_site_index(library: &Library, stamp: &str, site: &Path) -> Result<()> {
    let search_dir = site.join(INDEX_DIR);
    let search_dir = search_dir.parent().unwrap_or(site);
    // Where older versions (and rebuilds in a mount point) built the new index, inside the
    // published folder: a dead process's is removed before the folder is judged (in a folder
    // that carries casebook's marker only: nothing is removed from anyone else's).
    if site.join(MARKER).is_file() {
        remove_dead(search_dir, ".tantivy.tmp-");
    }
    if site.is_dir() {
        if let Some(reason) = foreign(site)? {
            return Err(Error::Usage(refusal(site, &reason)));
        }
    } else {
        fs::create_dir_all(site).map_err(|e| Error::io("create", site, e))?;
    }
    let real = site.canonicalize().map_err(|e| Error::io("read", site, e))?;
    let target = real.join(INDEX_DIR);
    let parent = target.parent().map(Path::to_path_buf).unwrap_or_else(|| real.clone());
    fs::create_dir_all(&parent).map_err(|e| Error::io("create", &parent, e))?;
    let tmp = if is_mount_point(&real) {
        // Nothing can be renamed into a mount point from outside it: the temporary folder goes
        // inside (briefly published, and removed on failure or by the next rebuild).
        parent.join(format!(".tantivy.tmp-{}", std::process::id()))
    } else {
        remove_dead_beside(&real);
        temp_beside(&real, "tantivy-tmp")
    };
    if tmp.exists() {
        fs::remove_dir_all(&tmp).map_err(|e| Error::io("remove", &tmp, e))?;
    }
    let built = build_index_cancellable(library, stamp, &tmp, &AtomicBool::new(false))
        .and_then(|()| write_marker(&tmp, &[]))
        .and_then(|()| list_apart(&real, INDEX_DIR))
        .and_then(|()| replace_dir(&tmp, &target));
    if built.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    built
}
