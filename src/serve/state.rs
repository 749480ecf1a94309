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

/// A folder a full build wrote; deleted when the last site using it is dropped.
pub(super) struct SiteDir {
    /// Canonical.
    pub(super) path: PathBuf,
}

impl Drop for SiteDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The server's own temporary folder, `casebook-serve-PID` in the system's temporary folder.
pub(super) struct WorkDir(pub(super) PathBuf);

impl WorkDir {
    pub(super) fn create() -> Result<WorkDir> {
        let path = std::env::temp_dir().join(format!("casebook-serve-{}", std::process::id()));
        if path.exists() {
            std::fs::remove_dir_all(&path).map_err(|e| Error::io("remove", &path, e))?;
        }
        std::fs::create_dir_all(&path).map_err(|e| Error::io("create", &path, e))?;
        let path = path.canonicalize().map_err(|e| Error::io("read", &path, e))?;
        Ok(WorkDir(path))
    }
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
