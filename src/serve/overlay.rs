//! The overlay: pages re-rendered since a site was built are kept in memory over its folder
//! (requests look there first), up to a bound; then they are written into the folder, which
//! serves the same bytes. A built folder is never otherwise changed.

use super::builder::Served;
use super::state::ServedSite;
use crate::error::{Error, Result};
use crate::model::Library;
use crate::{render, write};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

/// Re-rendered pages are kept in memory over the site folder up to this many bytes, then
/// written into the folder; files bigger than [`WRITE_THROUGH`] go to the folder at once.
const OVERLAY_MAX: usize = 64 * 1024 * 1024;
const WRITE_THROUGH: usize = 1024 * 1024;

/// Renders the pages `wanted` of the current library over its site: a new overlay (the pages
/// no longer produced become "gone"); returns the paths rendered or gone.
pub(super) fn render_into(
    library: &Library,
    templates: &[(String, Vec<u8>)],
    cur: &mut Served,
    wanted: &BTreeSet<String>,
) -> Result<Vec<String>> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let staging = write::Staging::in_memory();
    render::render_only(library, templates, &staging, wanted)?;
    let files = staging.into_files();
    let mut overlay: HashMap<String, Option<Arc<[u8]>>> = (*cur.site.overlay).clone();
    let mut changed = Vec::new();
    let mut produced = BTreeSet::new();
    for (path, bytes) in files {
        produced.insert(path.clone());
        if bytes.len() > WRITE_THROUGH {
            write_file(&cur.site.dir.path, &path, Some(&bytes))?;
            if let Some(Some(old)) = overlay.remove(&path) {
                cur.overlay_bytes -= old.len();
            }
        } else {
            cur.overlay_bytes += bytes.len();
            if let Some(Some(old)) = overlay.insert(path.clone(), Some(bytes.into())) {
                cur.overlay_bytes -= old.len();
            }
        }
        changed.push(path);
    }
    // A page asked for is asked for in every language's tree.
    let trees: Vec<String> = library.config.languages.iter().map(|&l| render::tree_prefix(library, l)).collect();
    let wanted: Vec<String> = trees.iter().flat_map(|t| wanted.iter().map(move |p| format!("{t}{p}"))).collect();
    for gone in wanted.iter().filter(|p| !produced.contains(*p)) {
        if cur.site.dir.path.join(gone).is_file() || overlay.get(gone).is_some_and(Option::is_some) {
            if let Some(Some(old)) = overlay.insert(gone.clone(), None) {
                cur.overlay_bytes -= old.len();
            }
            changed.push(gone.clone());
        }
    }
    if cur.overlay_bytes > OVERLAY_MAX {
        // Lay the overlay into the folder: the site served stays byte-for-byte the same.
        for (path, bytes) in &overlay {
            write_file(&cur.site.dir.path, path, bytes.as_deref())?;
        }
        overlay.clear();
        cur.overlay_bytes = 0;
    }
    cur.site = Arc::new(ServedSite { overlay: Arc::new(overlay), ..ServedSite::clone(&cur.site) });
    Ok(changed)
}

/// Replaces (or, for `None`, removes) one file of a site folder atomically.
fn write_file(dir: &Path, rel: &str, bytes: Option<&[u8]>) -> Result<()> {
    let path = dir.join(rel);
    match bytes {
        Some(bytes) => {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
            }
            crate::write::atomic::write_atomic(&path, bytes)
        }
        None => match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io("remove", &path, e)),
            _ => Ok(()),
        },
    }
}
