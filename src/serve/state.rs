//! What the server serves: each state of the site is a [`Snapshot`], replaced as a whole and
//! never changed, so a request reads one without waiting. The folders the sites live in are
//! owned here and deleted when the last snapshot using them is gone.

use crate::error::{Error, Result};
use crate::search;
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

/// One state of the served site: replaced as a whole, never changed.
#[derive(Default)]
pub(super) struct Snapshot {
    /// `None` until the first build succeeds.
    pub(super) site: Option<Arc<ServedSite>>,
    /// The diagnostics of the library's current errors, as `check` prints them (the last good
    /// site is served meanwhile).
    pub(super) errors: Option<Arc<str>>,
    /// Files of the site that are out of date and are re-rendered when a request asks for one
    /// ([`ON_DEMAND`](super::incremental::ON_DEMAND)).
    pub(super) deferred: Arc<BTreeSet<String>>,
    /// Counts the snapshots: a page that comes back after missing some reloads.
    pub(super) generation: u64,
}

/// A built site as served: a folder, the pages re-rendered since it was built, and its search
/// index. (Not `render::Site`, the renderer's context.)
#[derive(Clone)]
pub(super) struct ServedSite {
    pub(super) dir: Arc<SiteDir>,
    /// Site path → content; `None`: the page no longer exists.
    pub(super) overlay: Arc<HashMap<String, Option<Arc<[u8]>>>>,
    pub(super) searcher: Option<Arc<search::Searcher>>,
}

/// The folders a full build wrote, the site and its search index (kept apart, as `build`
/// keeps them); deleted when the last site using them is dropped.
pub(super) struct SiteDir {
    /// Canonical.
    pub(super) path: PathBuf,
    /// The tantivy index of the site, which serve's edits update in place.
    pub(super) index: PathBuf,
}

impl Drop for SiteDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
        let _ = std::fs::remove_dir_all(&self.index);
    }
}

/// The server's own temporary folder: `casebook-serve-` and a random suffix in the system's
/// temporary folder, private to this user (a name another local user cannot guess, so cannot
/// take first), with the PID of the server in its [`OWNER_FILE`].
pub(super) struct WorkDir(pub(super) PathBuf);

/// What every work folder's name starts with.
const PREFIX: &str = "casebook-serve-";
/// The file in a work folder that holds its server's PID, for [`remove_stale`].
const OWNER_FILE: &str = "owner-pid";

impl WorkDir {
    pub(super) fn create() -> Result<WorkDir> {
        let tmp = std::env::temp_dir();
        remove_stale(&tmp);
        let mut builder = tempfile::Builder::new();
        builder.prefix(PREFIX);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            // Private: mkdir's default leaves it readable by every user.
            builder.permissions(std::fs::Permissions::from_mode(0o700));
        }
        let dir = builder.tempdir_in(&tmp).map_err(|e| Error::io("create", &tmp, e))?;
        let path = dir.keep();
        let owner = path.join(OWNER_FILE);
        std::fs::write(&owner, std::process::id().to_string()).map_err(|e| Error::io("write", &owner, e))?;
        let path = path.canonicalize().map_err(|e| Error::io("read", &path, e))?;
        Ok(WorkDir(path))
    }
}

/// Removes the work folders in `tmp` that a killed server left (SIGKILL leaves no time to clean
/// up; a site of 10,000 cases is half a gigabyte): this user's folders whose server is no longer
/// running. A folder whose owner cannot be told (no PID, not ours) stays. Best effort: a
/// folder that cannot be removed is left.
fn remove_stale(tmp: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(suffix) = name.strip_prefix(PREFIX) else { continue };
        let path = entry.path();
        // Not following links: a link named like a work folder is not one.
        let Ok(meta) = std::fs::symlink_metadata(&path) else { continue };
        if !meta.is_dir() || !owned_by_us(&meta) {
            continue;
        }
        // Folders of older versions are named `casebook-serve-PID`.
        let pid = std::fs::read_to_string(path.join(OWNER_FILE))
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok())
            .or_else(|| suffix.parse::<u32>().ok());
        if pid.is_some_and(|pid| pid != std::process::id() && !crate::write::temp::alive(pid)) {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

#[cfg(unix)]
fn owned_by_us(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    // SAFETY: geteuid has no preconditions and cannot fail.
    meta.uid() == unsafe { libc::geteuid() }
}

#[cfg(not(unix))]
fn owned_by_us(_: &std::fs::Metadata) -> bool {
    true
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What open pages are told.
#[derive(Clone, Debug)]
pub(super) enum Notice {
    /// These site paths changed, one a line (`*`: all of them), in this generation.
    Reload { generation: u64, paths: Arc<str> },
    /// The library has errors: the diagnostics, as `check` prints them.
    Errors { generation: u64, text: Arc<str> },
}
