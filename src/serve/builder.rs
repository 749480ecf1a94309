//! The builder: one thread that owns the library, waits for changes, debounces them, and
//! rebuilds the site (in full here, incrementally in [`super::incremental`]); each result is
//! published as a new [`Snapshot`] and told to the open pages. It never answers requests.

use super::dependencies::related;
use super::overlay::render_into;
use super::state::{Notice, ServedSite, SiteDir, Snapshot};
use super::timing_enabled;
use super::watch::{classify, Change, ChangeScope, LibraryWatcher};
use crate::diag::{self, Diagnostic};
use crate::error::{Error, Result};
use crate::model::Library;
use crate::{index, search, BuildOptions};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, watch};

/// Changes closer together than this are handled as one.
const DEBOUNCE: Duration = Duration::from_millis(25);
/// A stream of changes is cut into batches at least this often.
const DEBOUNCE_MAX: Duration = Duration::from_millis(400);
/// The second pass (related cases, matrix, `cases.json`) waits for the edits to pause this long.
const SETTLE: Duration = Duration::from_millis(300);

/// The last good build, and what incremental rebuilds need of it.
pub(super) struct Current {
    pub(super) library: Library,
    pub(super) templates: Vec<(String, Vec<u8>)>,
    pub(super) served: Served,
    pub(super) updater: Option<index::Updater>,
    /// Case file path → index in `library.cases`.
    pub(super) by_path: HashMap<String, usize>,
    /// The related cases each case page shows.
    pub(super) related: Vec<Vec<(usize, usize)>>,
}

/// The site being served, as the builder keeps it.
pub(super) struct Served {
    pub(super) site: Arc<ServedSite>,
    /// Bytes held by the site's overlay.
    pub(super) overlay_bytes: usize,
}

/// Owns the library and rebuilds the site; runs on its own thread.
pub(super) struct Builder {
    pub(super) root: PathBuf,
    work: PathBuf,
    generation: u64,
    state: watch::Sender<Arc<Snapshot>>,
    notices: broadcast::Sender<Notice>,
    color: bool,
    pub(super) current: Option<Current>,
    /// Case files that have errors now (the library holds their last good version).
    pub(super) broken: BTreeMap<String, Vec<Diagnostic>>,
    /// The errors of the last full rebuild, if it failed: every change rebuilds in full then.
    failed: Option<Vec<Diagnostic>>,
    /// Folders of earlier builds, deleted once no request uses them.
    retired: Vec<Arc<SiteDir>>,
    /// Deletes the folders no request uses any more.
    cleanup: Cleanup,
    /// Pages of the second pass still to render.
    pub(super) second_pass: BTreeSet<String>,
    /// Files out of date until a request asks for them.
    pub(super) deferred: BTreeSet<String>,
    /// Cases whose related cases the second pass recomputes (their page is re-rendered if the
    /// list changed).
    pub(super) related_queue: BTreeSet<usize>,
    last_change: Instant,
}

impl Builder {
    pub(super) fn new(
        root: PathBuf,
        work: PathBuf,
        state: watch::Sender<Arc<Snapshot>>,
        notices: broadcast::Sender<Notice>,
    ) -> Builder {
        Builder {
            root,
            work,
            generation: 0,
            state,
            notices,
            color: crate::console::stderr_color(),
            current: None,
            broken: BTreeMap::new(),
            failed: None,
            retired: Vec::new(),
            cleanup: Cleanup::start(),
            second_pass: BTreeSet::new(),
            deferred: BTreeSet::new(),
            related_queue: BTreeSet::new(),
            last_change: Instant::now(),
        }
    }

    pub(super) fn run(mut self, changes: mpsc::Receiver<Change>, mut watcher: LibraryWatcher) {
        loop {
            // Wait for a change; meanwhile, once the edits pause, do the second pass.
            let first = loop {
                if self.second_pass.is_empty() && self.related_queue.is_empty() {
                    match changes.recv() {
                        Ok(c) => break c,
                        Err(_) => return,
                    }
                }
                let wait = SETTLE.saturating_sub(self.last_change.elapsed());
                match changes.recv_timeout(wait) {
                    Ok(c) => break c,
                    Err(mpsc::RecvTimeoutError::Timeout) => self.second_pass_step(),
                    Err(mpsc::RecvTimeoutError::Disconnected) => return,
                }
            };
            let mut paths = BTreeSet::new();
            let mut refresh = false;
            let started = Instant::now();
            let mut next = Some(first);
            while let Some(change) = next {
                match change {
                    Change::Stop => return,
                    Change::Path(p) => {
                        paths.insert(p);
                    }
                    Change::Refresh => refresh = true,
                }
                next = if started.elapsed() < DEBOUNCE_MAX { changes.recv_timeout(DEBOUNCE).ok() } else { None };
            }
            if !paths.is_empty() {
                self.last_change = Instant::now();
                watcher.watch_folders(&paths);
                self.apply(paths);
                self.retire();
            }
            if refresh {
                self.render_deferred();
            }
        }
    }

    /// Deletes the folders of earlier builds that no request holds any more (on the cleanup
    /// thread: a big site takes a while, and the next edit should not wait for it).
    fn retire(&mut self) {
        let (gone, kept): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.retired).into_iter().partition(|d| Arc::strong_count(d) == 1);
        self.retired = kept;
        self.cleanup.remove(gone);
    }

    fn apply(&mut self, paths: BTreeSet<PathBuf>) {
        let mut cases = BTreeSet::new();
        let mut full = false;
        for p in &paths {
            match classify(&self.root, self.current.as_ref().map(|c| &c.by_path), p) {
                // A file the errors shown name, deleted or renamed away before it ever built
                // (a new case, or any file while the last full rebuild failed): rebuild, or its
                // errors would stay on every page until another file changes.
                ChangeScope::Ignore if self.names_in_errors(p) => full = true,
                ChangeScope::Ignore => {}
                ChangeScope::Case(rel) => {
                    cases.insert(rel);
                }
                ChangeScope::Full => full = true,
            }
        }
        if !full && cases.is_empty() {
            return;
        }
        if full || self.current.is_none() || self.failed.is_some() {
            let _ = self.full_rebuild(false);
        } else {
            self.incremental(cases);
        }
    }

    /// Whether the errors shown name `path` (or a file under it, for a folder).
    fn names_in_errors(&self, path: &Path) -> bool {
        let Ok(rel) = path.strip_prefix(&self.root) else { return false };
        let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        let prefix = format!("{rel}/");
        let named = |d: &Diagnostic| d.file == rel || d.file.starts_with(&prefix);
        self.failed.iter().flatten().any(named) || self.broken.values().flatten().any(named)
    }

    // ----- full rebuilds ------------------------------------------------------------------

    /// Builds the whole site into a fresh folder and serves it. The initial build fails only on
    /// usage and I/O problems; later ones, and content errors, are reported and served around.
    pub(super) fn full_rebuild(&mut self, initial: bool) -> Result<()> {
        self.generation += 1;
        let out = self.work.join(format!("site-{}", self.generation));
        let index_dir = self.work.join(format!("index-{}", self.generation));
        let opts = BuildOptions {
            root: self.root.clone(),
            out: out.clone(),
            base_path: Some("/".into()),
            progress: initial,
            index: Some(index_dir.clone()),
        };
        // Serve sends its errors to every open page: a linked-out `casebook.toml` is refused
        // before anything reads it, so no part of another file reaches a browser.
        let built = match config_link_outside(&self.root) {
            Some(d) => Err(Error::Content(vec![d])),
            None => crate::build_for_serve(&opts),
        };
        match built {
            Ok(built) => {
                self.print_diagnostics(&built.summary.warnings);
                // The old index writer lets go of the old folder before it can be deleted.
                if let Some(old) = self.current.take() {
                    drop(old.updater);
                    self.retired.push(Arc::clone(&old.served.site.dir));
                }
                let path = out.canonicalize().unwrap_or(out);
                let index_dir = index_dir.canonicalize().unwrap_or(index_dir);
                let updater = index::Updater::open(&index_dir)
                    .map_err(|e| eprintln!("warning: {e}; search will not follow edits"))
                    .ok();
                let searcher = open_searcher(&index_dir);
                let site = Arc::new(ServedSite {
                    dir: Arc::new(SiteDir { path, index: index_dir }),
                    overlay: Arc::default(),
                    searcher,
                });
                let by_path = built.library.cases.iter().enumerate().map(|(i, c)| (c.path.clone(), i)).collect();
                // The related cases of every page, so that an edit can tell whose lists show it.
                let t0 = Instant::now();
                let related = all_related(&built.library);
                if timing_enabled() {
                    eprintln!("timing: related cases of every case {:.0} ms", t0.elapsed().as_secs_f64() * 1000.0);
                }
                self.current = Some(Current {
                    library: built.library,
                    templates: built.templates,
                    served: Served { site, overlay_bytes: 0 },
                    updater,
                    by_path,
                    related,
                });
                self.broken.clear();
                self.failed = None;
                self.second_pass.clear();
                self.deferred.clear();
                self.related_queue.clear();
                self.publish("*".into());
                eprintln!(
                    "{} {}, {} in {:.2} s",
                    if initial { "built" } else { "rebuilt" },
                    diag::plural(built.summary.cases, "case", "cases"),
                    diag::plural(built.summary.pages, "page", "pages"),
                    built.summary.seconds
                );
                Ok(())
            }
            Err(Error::Content(diagnostics)) => {
                self.print_diagnostics(&diagnostics);
                self.failed = Some(diagnostics);
                self.publish(String::new());
                Ok(())
            }
            Err(e) if initial => Err(e),
            Err(e) => {
                eprintln!("error: {e}");
                let mut d = Diagnostic::error(".", "build", e.to_string());
                d.line = 0;
                self.failed = Some(vec![d]);
                self.publish(String::new());
                Ok(())
            }
        }
    }

    /// Renders the files deferred until asked for.
    pub(super) fn render_deferred(&mut self) {
        if self.deferred.is_empty() {
            return;
        }
        let Some(mut cur) = self.current.take() else { return };
        let wanted = std::mem::take(&mut self.deferred);
        let result = render_into(&cur.library, &cur.templates, &mut cur.served, &wanted);
        self.current = Some(cur);
        match result {
            Ok(rendered) => self.publish(rendered.join("\n")),
            Err(e) => {
                eprintln!("error: {e}");
                self.publish(String::new());
            }
        }
    }

    // ----- telling -------------------------------------------------------------------------

    /// Publishes the current site and errors, and tells open pages: `reload` (site paths, `*`
    /// for all, nothing to tell if empty) or the errors.
    pub(super) fn publish(&mut self, reload: String) {
        let (had_errors, generation) = {
            let previous = self.state.borrow();
            (previous.errors.is_some(), previous.generation + 1)
        };
        let mut diagnostics: Vec<Diagnostic> = self.failed.clone().unwrap_or_default();
        diagnostics.extend(self.broken.values().flatten().cloned());
        let errors: Option<Arc<str>> = if diagnostics.is_empty() {
            None
        } else {
            diag::sort(&mut diagnostics);
            let mut text: String =
                diagnostics.iter().map(|d| diag::render_human(d, false)).collect::<Vec<_>>().join("\n");
            let files = diagnostics.iter().map(|d| d.file.as_str()).collect::<BTreeSet<_>>().len();
            text.push('\n');
            // The pages' language: the library's, as of its last good build.
            let lang = self.current.as_ref().map(|c| c.library.config.language).unwrap_or_default();
            text.push_str(&diag::summary_in(&diagnostics, files, lang));
            Some(text.into())
        };
        let snapshot = Snapshot {
            site: self.current.as_ref().map(|c| Arc::clone(&c.served.site)),
            errors: errors.clone(),
            deferred: Arc::new(self.deferred.clone()),
            generation,
        };
        self.state.send_replace(Arc::new(snapshot));
        // Fixed: every page reloads (and loses its overlay), and the terminal, whose errors
        // cannot be taken back, says they are gone.
        let fixed = had_errors && errors.is_none();
        if fixed {
            eprintln!("no errors left; open pages reload");
        }
        let reload = if fixed { "*".to_string() } else { reload };
        if !reload.is_empty() {
            let _ = self.notices.send(Notice::Reload { generation, paths: reload.into() });
        }
        if let Some(text) = errors {
            let _ = self.notices.send(Notice::Errors { generation, text });
        }
    }

    pub(super) fn print_diagnostics(&self, diags: &[Diagnostic]) {
        for d in diags {
            eprintln!("{}", diag::render_human(d, self.color));
        }
        let errors = diags.iter().filter(|d| d.is_error()).count();
        if errors > 0 {
            let what = if self.current.is_some() {
                "still serving the last good version"
            } else {
                "the site is built once they are fixed"
            };
            eprintln!("{} — {what}", diag::plural(errors, "error", "errors"));
        }
    }
}

pub(super) fn open_searcher(dir: &Path) -> Option<Arc<search::Searcher>> {
    match search::Searcher::open(dir) {
        Ok(s) => Some(Arc::new(s)),
        Err(e) => {
            eprintln!("warning: {e}; /api/search will not answer");
            None
        }
    }
}

/// The related cases of every case page.
fn all_related(lib: &Library) -> Vec<Vec<(usize, usize)>> {
    use rayon::prelude::*;
    (0..lib.cases.len()).into_par_iter().map(|i| related(lib, i)).collect()
}

/// The one thread that deletes retired site folders, in the order they were retired. Dropping
/// it waits until every folder handed to it is gone, so the work folder can then be removed.
struct Cleanup {
    queue: Option<mpsc::Sender<Vec<Arc<SiteDir>>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Cleanup {
    fn start() -> Cleanup {
        let (queue, folders) = mpsc::channel::<Vec<Arc<SiteDir>>>();
        let thread = std::thread::Builder::new()
            .name("casebook-cleanup".into())
            .spawn(move || folders.into_iter().for_each(drop))
            .ok();
        // Without the thread, folders are deleted on the builder's thread.
        Cleanup { queue: thread.as_ref().map(|_| queue), thread }
    }

    /// Deletes the folders (dropping the last handle of a [`SiteDir`] removes it).
    fn remove(&self, folders: Vec<Arc<SiteDir>>) {
        if folders.is_empty() {
            return;
        }
        match &self.queue {
            // A send fails only when the thread is gone: the error drops the folders here.
            Some(queue) => drop(queue.send(folders)),
            None => drop(folders),
        }
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        self.queue = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A refusal of `casebook.toml` when it is a symbolic link to a file outside the library
/// (the rule every file casebook reads follows).
fn config_link_outside(root: &std::path::Path) -> Option<Diagnostic> {
    let path = root.join(crate::config::CONFIG_FILE);
    if !std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
        return None;
    }
    let root = root.canonicalize().ok()?;
    // A broken link: load says it cannot be read, and reads nothing.
    let real = path.canonicalize().ok()?;
    (!real.starts_with(&root)).then(|| {
        Diagnostic::error(crate::config::CONFIG_FILE, "symlink-outside", "symbolic link points outside the library")
            .hint("copy the file into the library instead of linking to it")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cleanup_thread_removes_every_folder_before_it_is_dropped() {
        let tmp = tempfile::tempdir().unwrap();
        let cleanup = Cleanup::start();
        let mut paths = Vec::new();
        for n in 0..3 {
            let path = tmp.path().join(format!("site-{n}"));
            std::fs::create_dir_all(path.join("cases")).unwrap();
            std::fs::write(path.join("cases/a.html"), "a").unwrap();
            cleanup.remove(vec![Arc::new(SiteDir { path: path.clone(), index: path.with_extension("index") })]);
            paths.push(path);
        }
        // A folder a request still holds stays until the request lets go.
        let held = Arc::new(SiteDir { path: tmp.path().join("site-held"), index: tmp.path().join("index-held") });
        std::fs::create_dir_all(&held.path).unwrap();
        cleanup.remove(vec![Arc::clone(&held)]);
        drop(cleanup);
        assert!(paths.iter().all(|p| !p.exists()), "{paths:?}");
        assert!(held.path.is_dir());
    }
}
