//! Serve: the HTTP preview and search server of `casebook serve`.
//!
//! It builds the library with the code `build` runs ([`crate::build_keeping`]) into a folder
//! under the system's temporary folder (never the library's own `site/`), serves that site
//! over HTTP, answers `/api/search` from its tantivy index with the JSON of
//! `casebook search --json`, and rebuilds when a case, the taxonomy, `casebook.toml` or a
//! template changes. Open pages reload by themselves: every HTML response gets
//! `<script src="/_casebook/live.js">` on the way out, which listens to `/_casebook/events`
//! (server-sent events). That script exists only here; a built site never contains it.
//!
//! **Threads, and no locks.** tokio (axum) answers requests; one builder thread owns the
//! library and does all the rebuilding. It publishes each new state of the site as an
//! immutable [`Snapshot`] through a `watch` channel: a request clones the current `Arc` and
//! never waits for a rebuild, and a rebuild never waits for a request.
//!
//! **Incremental rebuilds.** A changed case file is read, parsed and validated alone
//! ([`validate::replace_case`]: the checks `check` runs on every file, and its links against the
//! library); the pages that show it ([`render::pages_showing`], and for a changed tag or place
//! every page that counts them) are re-rendered into memory ([`render::render_only`]) and laid
//! over the site folder, and its documents in the search index are replaced
//! ([`index::Updater`]); then the new snapshot is published and the pages that changed reload.
//! What an edit changes further away — other cases' "related cases", the matrix pages and
//! `cases.json` — follows in a second, interruptible pass once the edits pause. Anything else
//! (a case added, removed or renamed, the taxonomy, `casebook.toml`, a template) rebuilds the
//! whole site into a fresh folder and swaps it in. The browser's own search index (`_search/*.js`)
//! is rebuilt by full rebuilds only: the search page uses `/api/search` when served from here.
//!
//! **Errors.** A content error keeps the last good site served; the diagnostics (as `check`
//! prints them) go to the terminal and, as an `error` event, over the open pages. Fixing the
//! file reloads them.
//!
//! **Safety.** It binds 127.0.0.1 unless told otherwise, answers GET and HEAD only, and serves
//! nothing but the files of the built site: a request path is percent-decoded segment by
//! segment, and anything but plain names (`..`, encoded slashes, backslashes, NUL, drive
//! letters) is refused before the disk is touched; symbolic links leading out of the site are
//! not followed. It never writes to the library.

use crate::diag::{self, Diagnostic};
use crate::error::{Error, Result};
use crate::model::Library;
use crate::{index, load, parse, render, search, validate, write, BuildOptions};
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::sse::{self, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use notify::Watcher as _;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::convert::Infallible;
use std::io::{IsTerminal, Write as _};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, watch};

/// The reload script every served HTML page gets (and no built page has).
const LIVE_JS: &str = include_str!("serve/live.js");
/// Its stylesheet (the error overlay).
const LIVE_CSS: &str = include_str!("serve/live.css");
/// What is inserted into HTML responses.
const LIVE_TAG: &str = "<script src=\"/_casebook/live.js\" defer></script>";

/// Changes closer together than this are handled as one.
const DEBOUNCE: Duration = Duration::from_millis(25);
/// A stream of changes is cut into batches at least this often.
const DEBOUNCE_MAX: Duration = Duration::from_millis(400);
/// The second pass (related cases, matrix, `cases.json`) waits for the edits to pause this long.
const SETTLE: Duration = Duration::from_millis(300);
/// Pages rendered per step of the second pass (a new change interrupts it between steps).
const SECOND_PASS_STEP: usize = 4;
/// Cases whose related cases are recomputed per step of the second pass.
const RELATED_STEP: usize = 256;
/// Data files re-rendered only when asked for (the whole library: slow to render at every edit).
const ON_DEMAND: &[&str] = &["cases.json"];
/// Re-rendered pages are kept in memory over the site folder up to this many bytes, then
/// written into the folder; files bigger than [`WRITE_THROUGH`] go to the folder at once.
const OVERLAY_MAX: usize = 64 * 1024 * 1024;
const WRITE_THROUGH: usize = 1024 * 1024;

/// Longest accepted `q` of `/api/search`, in bytes, and longest query string.
pub const MAX_QUERY: usize = 512;
const MAX_QUERY_STRING: usize = 4096;
/// Most hits `/api/search` returns.
pub const MAX_LIMIT: usize = 100;

/// Options of `casebook serve`.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    /// 0 picks a free port (the address is printed).
    pub port: u16,
}

// ---------------------------------------------------------------------------------------------
// What the server serves
// ---------------------------------------------------------------------------------------------

/// One state of the served site: replaced as a whole, never changed.
#[derive(Default)]
struct Snapshot {
    /// `None` until the first build succeeds.
    site: Option<Arc<Site>>,
    /// The diagnostics of the library's current errors, as `check` prints them (the last good
    /// site is served meanwhile).
    errors: Option<Arc<str>>,
    /// Files of the site that are out of date and are re-rendered when a request asks for one
    /// ([`ON_DEMAND`]).
    deferred: Arc<BTreeSet<String>>,
    /// Counts the snapshots: a page that comes back after missing some reloads.
    generation: u64,
}

/// A built site: a folder, the pages re-rendered since it was built, and its search index.
struct Site {
    dir: Arc<SiteDir>,
    /// Site path → content; `None`: the page no longer exists.
    overlay: Arc<HashMap<String, Option<Arc<[u8]>>>>,
    searcher: Option<Arc<search::Searcher>>,
}

/// A folder a full build wrote; deleted when the last site using it is dropped.
struct SiteDir {
    /// Canonical.
    path: PathBuf,
}

impl Drop for SiteDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The server's own temporary folder, `casebook-serve-PID` in the system's temporary folder.
struct WorkDir(PathBuf);

impl WorkDir {
    fn create() -> Result<WorkDir> {
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
enum Notice {
    /// These site paths changed (`*`: all of them), in this generation.
    Reload(u64, Arc<str>),
    /// The library has errors: the diagnostics.
    Errors(u64, Arc<str>),
}

// ---------------------------------------------------------------------------------------------
// The command
// ---------------------------------------------------------------------------------------------

/// Runs `casebook serve` until Ctrl-C: binds, builds, prints `serving http://ADDRESS/` on
/// stdout, then serves and rebuilds on change. Only usage and I/O problems end it with an
/// error; content errors are reported and wait to be fixed.
pub fn run(opts: &ServeOptions) -> Result<()> {
    if !opts.root.join(load::CASES_DIR).is_dir() {
        // load names the problem the way every other command does.
        load::load(&opts.root)?;
    }
    let root = opts.root.canonicalize().map_err(|e| Error::io("read", &opts.root, e))?;
    let listener = std::net::TcpListener::bind(SocketAddr::new(opts.bind, opts.port))
        .map_err(|e| Error::system(format!("listen on {}", SocketAddr::new(opts.bind, opts.port)), e))?;
    let addr = listener.local_addr().map_err(|e| Error::system("listen", e))?;
    listener.set_nonblocking(true).map_err(|e| Error::system(format!("listen on {addr}"), e))?;
    let work = WorkDir::create()?;

    let (state_tx, state_rx) = watch::channel(Arc::new(Snapshot::default()));
    let (notices, _) = broadcast::channel(64);
    let (changes_tx, changes_rx) = mpsc::channel::<Change>();
    let mut builder = Builder::new(root.clone(), work.0.clone(), state_tx, notices.clone());
    builder.full_rebuild(true)?;
    let watcher = LibraryWatcher::start(&root, changes_tx.clone())?;
    let refresh = changes_tx.clone();
    let builder_thread = std::thread::Builder::new()
        .name("casebook-builder".into())
        .spawn(move || builder.run(changes_rx, watcher))
        .map_err(|e| Error::system("start the builder thread", e))?;

    let mut out = std::io::stdout();
    let _ = writeln!(out, "serving http://{addr}/");
    let _ = out.flush();
    if !opts.bind.is_loopback() {
        eprintln!("note: listening on {} — anyone who can reach this machine can read the site", opts.bind);
    }
    eprintln!("watching {} for changes; press Ctrl-C to stop", root.display());

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("casebook-http")
        .build()
        .map_err(|e| Error::system("start the server", e))?;
    let served = runtime.block_on(serve_http(listener, state_rx, notices, refresh));
    runtime.shutdown_timeout(Duration::from_secs(1));

    // Stop the builder; a full rebuild cannot be cut short, so do not wait for long.
    let _ = changes_tx.send(Change::Stop);
    let deadline = Instant::now() + Duration::from_secs(3);
    while !builder_thread.is_finished() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    if builder_thread.is_finished() {
        let _ = builder_thread.join();
    }
    drop(work);
    eprintln!("stopped");
    served
}

// ---------------------------------------------------------------------------------------------
// Watching the library
// ---------------------------------------------------------------------------------------------

enum Change {
    Path(PathBuf),
    /// A request waits for the deferred files.
    Refresh,
    Stop,
}

/// Watches the library root (for `casebook.toml` and the creation of `templates/`), `cases/`
/// and `templates/`; access events (reads, our own included) are ignored.
struct LibraryWatcher {
    watcher: notify::RecommendedWatcher,
    templates_watched: bool,
    root: PathBuf,
}

impl LibraryWatcher {
    fn start(root: &Path, tx: mpsc::Sender<Change>) -> Result<LibraryWatcher> {
        let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            let Ok(event) = event else { return };
            if matches!(event.kind, notify::EventKind::Access(_)) {
                return;
            }
            for path in event.paths {
                let _ = tx.send(Change::Path(path));
            }
        })
        .map_err(|e| Error::system(format!("watch {}", root.display()), e))?;
        let mut w = LibraryWatcher { watcher, templates_watched: false, root: root.to_path_buf() };
        let watch = |w: &mut LibraryWatcher, path: &Path, mode| {
            w.watcher.watch(path, mode).map_err(|e| Error::system(format!("watch {}", path.display()), e))
        };
        watch(&mut w, root, notify::RecursiveMode::NonRecursive)?;
        watch(&mut w, &root.join(load::CASES_DIR), notify::RecursiveMode::Recursive)?;
        w.watch_templates();
        Ok(w)
    }

    /// Starts watching `templates/` once it exists.
    fn watch_templates(&mut self) {
        let dir = self.root.join(load::TEMPLATES_DIR);
        if !self.templates_watched && dir.is_dir() {
            self.templates_watched = self.watcher.watch(&dir, notify::RecursiveMode::Recursive).is_ok();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The builder
// ---------------------------------------------------------------------------------------------

/// The last good build, and what incremental rebuilds need of it.
struct Current {
    library: Library,
    templates: Vec<(String, Vec<u8>)>,
    served: Served,
    updater: Option<index::Updater>,
    /// Case file path → index in `library.cases`.
    by_path: HashMap<String, usize>,
    /// The related cases each case page shows.
    related: Vec<Vec<(usize, usize)>>,
}

/// The site being served, as the builder keeps it.
struct Served {
    site: Arc<Site>,
    /// Bytes held by the site's overlay.
    overlay_bytes: usize,
}

/// Owns the library and rebuilds the site; runs on its own thread.
struct Builder {
    root: PathBuf,
    work: PathBuf,
    generation: u64,
    state: watch::Sender<Arc<Snapshot>>,
    notices: broadcast::Sender<Notice>,
    color: bool,
    current: Option<Current>,
    /// Case files that have errors now (the library holds their last good version).
    broken: BTreeMap<String, Vec<Diagnostic>>,
    /// The errors of the last full rebuild, if it failed: every change rebuilds in full then.
    failed: Option<Vec<Diagnostic>>,
    /// Folders of earlier builds, deleted once no request uses them.
    retired: Vec<Arc<SiteDir>>,
    /// Pages of the second pass still to render.
    second_pass: BTreeSet<String>,
    /// Files out of date until a request asks for them.
    deferred: BTreeSet<String>,
    /// Cases whose related cases the second pass recomputes (their page is re-rendered if the
    /// list changed).
    related_queue: BTreeSet<usize>,
    last_change: Instant,
}

/// How a changed path is handled.
#[derive(Debug, PartialEq)]
enum Kind {
    Ignore,
    Case(String),
    Full,
}

impl Builder {
    fn new(
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
            color: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            current: None,
            broken: BTreeMap::new(),
            failed: None,
            retired: Vec::new(),
            second_pass: BTreeSet::new(),
            deferred: BTreeSet::new(),
            related_queue: BTreeSet::new(),
            last_change: Instant::now(),
        }
    }

    fn run(mut self, changes: mpsc::Receiver<Change>, mut watcher: LibraryWatcher) {
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
                self.apply(paths);
                watcher.watch_templates();
                self.retire();
            }
            if refresh {
                self.render_deferred();
            }
        }
    }

    /// Deletes the folders of earlier builds that no request holds any more (in the
    /// background: a big site takes a while).
    fn retire(&mut self) {
        let (gone, kept): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.retired).into_iter().partition(|d| Arc::strong_count(d) == 1);
        self.retired = kept;
        if !gone.is_empty() {
            let _ = std::thread::Builder::new().name("casebook-cleanup".into()).spawn(move || drop(gone));
        }
    }

    fn classify(&self, path: &Path) -> Kind {
        let Ok(rel) = path.strip_prefix(&self.root) else { return Kind::Ignore };
        let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        if parts.is_empty() || parts.iter().any(|p| p.starts_with('.')) {
            return Kind::Ignore;
        }
        let rel = parts.join("/");
        if rel == crate::config::CONFIG_FILE || parts[0] == load::TEMPLATES_DIR {
            return Kind::Full;
        }
        if parts[0] != load::CASES_DIR {
            return Kind::Ignore;
        }
        if parts.len() == 1 || rel == format!("{}/{}", load::CASES_DIR, load::TAXONOMY_FILE) {
            return Kind::Full;
        }
        let known = self.current.as_ref().is_some_and(|c| c.by_path.contains_key(&rel));
        if rel.to_ascii_lowercase().ends_with(".md") && (known || !path.is_dir()) {
            return if known {
                Kind::Case(rel)
            } else if path.is_file() {
                Kind::Full // a new case
            } else {
                Kind::Ignore // an editor's temporary file, already gone
            };
        }
        // A folder: a new one may hold cases; a removed or renamed one held some.
        let prefix = format!("{rel}/");
        let held = self.current.as_ref().is_some_and(|c| c.by_path.keys().any(|k| k.starts_with(&prefix)));
        if path.is_dir() || held {
            Kind::Full
        } else {
            Kind::Ignore
        }
    }

    fn apply(&mut self, paths: BTreeSet<PathBuf>) {
        let mut cases = BTreeSet::new();
        let mut full = false;
        for p in &paths {
            match self.classify(p) {
                Kind::Ignore => {}
                Kind::Case(rel) => {
                    cases.insert(rel);
                }
                Kind::Full => full = true,
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

    // ----- full rebuilds ------------------------------------------------------------------

    /// Builds the whole site into a fresh folder and serves it. The initial build fails only on
    /// usage and I/O problems; later ones, and content errors, are reported and served around.
    fn full_rebuild(&mut self, initial: bool) -> Result<()> {
        self.generation += 1;
        let out = self.work.join(format!("site-{}", self.generation));
        let opts =
            BuildOptions { root: self.root.clone(), out: out.clone(), base_path: Some("/".into()), progress: initial };
        match crate::build_keeping(&opts) {
            Ok(built) => {
                self.print_diagnostics(&built.summary.warnings);
                // The old index writer lets go of the old folder before it can be deleted.
                if let Some(old) = self.current.take() {
                    drop(old.updater);
                    self.retired.push(Arc::clone(&old.served.site.dir));
                }
                let path = out.canonicalize().unwrap_or(out);
                let index_dir = path.join(index::INDEX_DIR);
                let updater = index::Updater::open(&index_dir)
                    .map_err(|e| eprintln!("warning: {e}; search will not follow edits"))
                    .ok();
                let searcher = open_searcher(&index_dir);
                let site = Arc::new(Site { dir: Arc::new(SiteDir { path }), overlay: Arc::default(), searcher });
                let by_path = built.library.cases.iter().enumerate().map(|(i, c)| (c.path.clone(), i)).collect();
                // The related cases of every page, so that an edit can tell whose lists show it.
                let t0 = Instant::now();
                let related = all_related(&built.library);
                if std::env::var_os("CASEBOOK_TIMING").is_some() {
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

    // ----- incremental rebuilds -----------------------------------------------------------

    fn incremental(&mut self, paths: BTreeSet<String>) {
        let started = Instant::now();
        let Some(mut cur) = self.current.take() else { return };
        let names: Vec<String> = cur.library.taxonomy.vocabularies.iter().map(|v| v.name.clone()).collect();
        let mut first_pass: BTreeSet<String> = BTreeSet::new();
        let mut changed: Vec<usize> = Vec::new();
        let mut rebuild_all = false;
        for rel in &paths {
            let i = cur.by_path[rel];
            if !self.root.join(rel).is_file() {
                rebuild_all = true; // removed
                break;
            }
            let file = match load::read_file(&self.root, rel, cur.library.config.max_file_size) {
                Ok(f) => f,
                Err(d) => {
                    self.broken.insert(rel.clone(), vec![d]);
                    continue;
                }
            };
            if file.text == cur.library.cases[i].text {
                if self.broken.remove(rel).is_some() {
                    eprintln!("{rel} is back to its last good version");
                }
                continue;
            }
            // What shows the case now, before it changes (positions and counts of the old tags).
            let lib = &cur.library;
            let old_case = &lib.cases[i];
            let mut before: BTreeSet<String> = render::pages_showing(lib, i).into_iter().collect();
            let old_terms: Vec<(usize, usize)> = tag_pairs(&old_case.tags);
            let mut before_terms: BTreeMap<(usize, usize), Vec<String>> = BTreeMap::new();
            for &(v, t) in &old_terms {
                before_terms.insert((v, t), render::pages_of_term(lib, v, t));
            }
            let before_place = render::pages_of_place(lib, &old_case.place);

            let parsed = parse::parse_case(&file.path, &file.text, &names);
            match validate::replace_case(cur.library, i, file, parsed) {
                validate::Replacement::Valid { library, old, warnings } => {
                    cur.library = library;
                    self.broken.remove(rel);
                    self.print_diagnostics(&warnings);
                    let lib = &cur.library;
                    let new = &lib.cases[i];
                    let new_terms = tag_pairs(&new.tags);
                    before.extend(render::pages_showing(lib, i));
                    let moved: Vec<(usize, usize)> = old_terms
                        .iter()
                        .filter(|x| !new_terms.contains(x))
                        .chain(new_terms.iter().filter(|x| !old_terms.contains(x)))
                        .copied()
                        .collect();
                    for &(v, t) in &moved {
                        before.extend(render::pages_of_term(lib, v, t));
                        before.extend(before_terms.remove(&(v, t)).unwrap_or_default());
                    }
                    if old.place != new.place {
                        before.extend(before_place);
                        before.extend(render::pages_of_place(lib, &old.place));
                        before.extend(render::pages_of_place(lib, &new.place));
                    }
                    // Other cases' pages list it among their related cases (title, place and
                    // shared tags); a tag added or removed changes the lists of the cases
                    // sharing that tag.
                    if old.title != new.title
                        || old.title_zh != new.title_zh
                        || old.place != new.place
                        || !moved.is_empty()
                    {
                        for (j, list) in cur.related.iter().enumerate() {
                            if list.iter().any(|&(o, _)| o == i) {
                                self.second_pass.insert(format!("cases/{}.html", lib.cases[j].id));
                            }
                        }
                    }
                    self.related_queue.insert(i);
                    self.related_queue.extend(moved.iter().flat_map(|&(v, t)| lib.usage[v][t].iter().copied()));
                    first_pass.extend(before);
                    changed.push(i);
                }
                validate::Replacement::Invalid { library, diagnostics } => {
                    cur.library = library;
                    self.print_diagnostics(&diagnostics);
                    self.broken.insert(rel.clone(), diagnostics);
                }
                validate::Replacement::NewId { library } => {
                    cur.library = library;
                    rebuild_all = true;
                    break;
                }
            }
        }
        if rebuild_all {
            self.current = Some(cur);
            let _ = self.full_rebuild(false);
            return;
        }
        // The matrix is slow to render: it follows in the second pass; cases.json when asked for.
        let (later, now): (BTreeSet<String>, BTreeSet<String>) =
            first_pass.into_iter().partition(|p| ON_DEMAND.contains(&p.as_str()) || p.starts_with("matrix"));
        let (deferred, later): (BTreeSet<String>, BTreeSet<String>) =
            later.into_iter().partition(|p| ON_DEMAND.contains(&p.as_str()));
        self.second_pass.extend(later);
        self.deferred.extend(deferred);
        // Render the pages and update the search index at the same time.
        let checked_at = started.elapsed();
        let Current { library, templates, served, updater, .. } = &mut cur;
        let (rendering, indexing, rendered_at) = std::thread::scope(|scope| {
            let indexing = scope.spawn(|| {
                let started = Instant::now();
                let result = match updater.as_mut() {
                    Some(updater) if !changed.is_empty() => Some(updater.update(library, &changed)),
                    _ => None,
                };
                (result, started.elapsed())
            });
            let rendering = render_into(library, templates, served, &now);
            let rendered_at = started.elapsed();
            (rendering, indexing.join(), rendered_at)
        });
        let rendered = match rendering {
            Ok(r) => r,
            Err(e) => {
                // A template error cannot come from a case: rebuild everything to be sure.
                eprintln!("error: {e}");
                self.current = Some(cur);
                let _ = self.full_rebuild(false);
                return;
            }
        };
        let indexed_in = match indexing {
            Ok((Some(Ok(())), took)) => {
                let searcher = open_searcher(&cur.served.site.dir.path.join(index::INDEX_DIR));
                cur.served.site = Arc::new(Site { searcher, ..clone_site(&cur.served.site) });
                took
            }
            Ok((Some(Err(e)), took)) => {
                eprintln!("warning: the search index did not take the edit: {e}");
                took
            }
            _ => Duration::ZERO,
        };
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        if std::env::var_os("CASEBOOK_TIMING").is_some() {
            eprintln!(
                "timing: incremental: check {:.0} ms, then render {:.0} ms and index {:.0} ms side by side",
                checked_at.as_secs_f64() * 1000.0,
                (rendered_at - checked_at).as_secs_f64() * 1000.0,
                indexed_in.as_secs_f64() * 1000.0
            );
        }
        let names: Vec<&str> = changed.iter().map(|&i| cur.library.cases[i].path.as_str()).collect();
        if !names.is_empty() {
            eprintln!("rebuilt {}: {} in {ms:.0} ms", names.join(", "), diag::plural(rendered.len(), "page", "pages"));
        }
        self.current = Some(cur);
        self.publish(rendered.join("\n"));
    }

    /// One step of the second pass: recompute related cases, then render a few pages.
    fn second_pass_step(&mut self) {
        let started = Instant::now();
        let Some(mut cur) = self.current.take() else {
            self.second_pass.clear();
            self.related_queue.clear();
            return;
        };
        if !self.related_queue.is_empty() {
            let step: Vec<usize> = self.related_queue.iter().take(RELATED_STEP).copied().collect();
            for j in &step {
                self.related_queue.remove(j);
            }
            self.second_pass.extend(update_related(&mut cur, step));
            self.current = Some(cur);
            return;
        }
        let step: Vec<String> = self.second_pass.iter().take(SECOND_PASS_STEP).cloned().collect();
        for p in &step {
            self.second_pass.remove(p);
        }
        let wanted: BTreeSet<String> = step.into_iter().collect();
        let result = render_into(&cur.library, &cur.templates, &mut cur.served, &wanted);
        self.current = Some(cur);
        if std::env::var_os("CASEBOOK_TIMING").is_some() {
            eprintln!(
                "timing: second pass step {:?} {:.0} ms",
                wanted.iter().take(3).collect::<Vec<_>>(),
                started.elapsed().as_secs_f64() * 1000.0
            );
        }
        match result {
            Ok(rendered) if !rendered.is_empty() => self.publish(rendered.join("\n")),
            Ok(_) => {}
            Err(e) => eprintln!("error: {e}"),
        }
    }

    /// Renders the files deferred until asked for.
    fn render_deferred(&mut self) {
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
    fn publish(&mut self, reload: String) {
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
            text.push_str(&diag::summary(&diagnostics, files));
            Some(text.into())
        };
        let snapshot = Snapshot {
            site: self.current.as_ref().map(|c| Arc::clone(&c.served.site)),
            errors: errors.clone(),
            deferred: Arc::new(self.deferred.clone()),
            generation,
        };
        self.state.send_replace(Arc::new(snapshot));
        // Fixed: every page reloads (and loses its overlay).
        let reload = if had_errors && errors.is_none() { "*".to_string() } else { reload };
        if !reload.is_empty() {
            let _ = self.notices.send(Notice::Reload(generation, reload.into()));
        }
        if let Some(text) = errors {
            let _ = self.notices.send(Notice::Errors(generation, text));
        }
    }

    fn print_diagnostics(&self, diags: &[Diagnostic]) {
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

/// (vocabulary, term) pairs of a case's tags.
fn tag_pairs(tags: &[Vec<usize>]) -> Vec<(usize, usize)> {
    tags.iter().enumerate().flat_map(|(v, ts)| ts.iter().map(move |&t| (v, t))).collect()
}

fn clone_site(site: &Site) -> Site {
    Site { dir: Arc::clone(&site.dir), overlay: Arc::clone(&site.overlay), searcher: site.searcher.clone() }
}

fn open_searcher(dir: &Path) -> Option<Arc<search::Searcher>> {
    match search::Searcher::open(dir) {
        Ok(s) => Some(Arc::new(s)),
        Err(e) => {
            eprintln!("warning: {e}; /api/search will not answer");
            None
        }
    }
}

/// Renders the pages `wanted` of the current library over its site: a new overlay (the pages
/// no longer produced become "gone"); returns the paths rendered or gone.
fn render_into(
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
    cur.site = Arc::new(Site { overlay: Arc::new(overlay), ..clone_site(&cur.site) });
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
            let tmp = path.with_file_name(format!(".casebook-serve-{}.tmp", std::process::id()));
            std::fs::write(&tmp, bytes).map_err(|e| Error::io("write", &tmp, e))?;
            std::fs::rename(&tmp, &path).map_err(|e| Error::io("write", &path, e))
        }
        None => match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io("remove", &path, e)),
            _ => Ok(()),
        },
    }
}

/// The related cases of every case page.
fn all_related(lib: &Library) -> Vec<Vec<(usize, usize)>> {
    use rayon::prelude::*;
    (0..lib.cases.len()).into_par_iter().map(|i| render::related(lib, i)).collect()
}

/// Recomputes the related cases of `cases`; returns the pages of those whose list changed.
fn update_related(cur: &mut Current, cases: Vec<usize>) -> Vec<String> {
    use rayon::prelude::*;
    let lib = &cur.library;
    let fresh: Vec<(usize, Vec<(usize, usize)>)> =
        cases.into_par_iter().map(|j| (j, render::related(lib, j))).collect();
    let mut pages = Vec::new();
    for (j, list) in fresh {
        if cur.related[j] != list {
            cur.related[j] = list;
            pages.push(format!("cases/{}.html", lib.cases[j].id));
        }
    }
    pages
}

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

#[derive(Clone)]
struct App {
    state: watch::Receiver<Arc<Snapshot>>,
    notices: broadcast::Sender<Notice>,
    shutdown: watch::Receiver<bool>,
    /// Changes on every start of the server: a page that sees another one reloads.
    instance: Arc<str>,
    /// Asks the builder for the deferred files.
    refresh: mpsc::Sender<Change>,
    /// Searches run at most one per core at a time; the others wait their turn (a queue
    /// keeps the slowest answers faster than threads fighting over the cores).
    searches: Arc<tokio::sync::Semaphore>,
}

async fn serve_http(
    listener: std::net::TcpListener,
    state: watch::Receiver<Arc<Snapshot>>,
    notices: broadcast::Sender<Notice>,
    refresh: mpsc::Sender<Change>,
) -> Result<()> {
    let listener = tokio::net::TcpListener::from_std(listener).map_err(|e| Error::system("listen", e))?;
    let (shutdown_tx, shutdown) = watch::channel(false);
    let instance = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis())
    );
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let searches = Arc::new(tokio::sync::Semaphore::new(cores));
    let app = App { state, notices, shutdown, instance: instance.into(), refresh, searches };
    let router = Router::new()
        .route("/_casebook/events", get(events))
        .route("/_casebook/live.js", get(|| async { asset(LIVE_JS, "text/javascript; charset=utf-8") }))
        .route("/_casebook/live.css", get(|| async { asset(LIVE_CSS, "text/css; charset=utf-8") }))
        .route("/api/search", get(api_search))
        .fallback(static_file)
        .with_state(app);
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            stop_signal().await;
            eprintln!("stopping…");
            let _ = shutdown_tx.send(true);
        })
        .await
        .map_err(|e| Error::system("keep serving", e))
}

/// Ctrl-C, or SIGTERM on Unix.
async fn stop_signal() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Headers every response carries.
fn secure(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-cache"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

fn asset(text: &'static str, content_type: &'static str) -> Response {
    secure(([(header::CONTENT_TYPE, content_type)], text).into_response())
}

fn plain(status: StatusCode, text: &str) -> Response {
    secure((status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{text}\n")).into_response())
}

fn json_error(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "error": message }).to_string() + "\n";
    secure((status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], body).into_response())
}

// ----- server-sent events --------------------------------------------------------------------

async fn events(State(app): State<App>) -> Response {
    // Every event carries the generation of the site as its id: a page that reconnects after
    // missing some (it closes the stream while hidden) sees another id in `hello` and reloads.
    let rx = app.notices.subscribe();
    let snapshot = Arc::clone(&app.state.borrow());
    let id = snapshot.generation.to_string();
    let mut first = vec![sse::Event::default().event("hello").id(&id).data(&*app.instance)];
    if let Some(errors) = &snapshot.errors {
        first.push(sse::Event::default().event("error").id(&id).data(&**errors));
    }
    drop(snapshot);
    let stream = futures_util::stream::unfold(
        (first.into_iter(), rx, app.shutdown.clone()),
        |(mut first, mut rx, mut shutdown)| async move {
            if let Some(e) = first.next() {
                return Some((Ok::<_, Infallible>(e), (first, rx, shutdown)));
            }
            if *shutdown.borrow() {
                return None;
            }
            let event = tokio::select! {
                _ = shutdown.changed() => return None,
                notice = rx.recv() => match notice {
                    Ok(Notice::Reload(generation, paths)) => {
                        sse::Event::default().event("reload").id(generation.to_string()).data(&*paths)
                    }
                    Ok(Notice::Errors(generation, text)) => {
                        sse::Event::default().event("error").id(generation.to_string()).data(&*text)
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => sse::Event::default().event("reload").data("*"),
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
            };
            Some((Ok(event), (first, rx, shutdown)))
        },
    );
    secure(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response())
}

// ----- search ------------------------------------------------------------------------------

/// `GET /api/search?q=…&force=…&practice=…&problem=…&place=…&level=…&limit=…`; any other
/// parameter is a filter `VOCABULARY=ID` (repeat one for OR). Answers the JSON of
/// `casebook search --json`; errors are `{"error": "…"}` with status 400 (the request) or 500.
async fn api_search(State(app): State<App>, RawQuery(raw): RawQuery) -> Response {
    let raw = raw.unwrap_or_default();
    if raw.len() > MAX_QUERY_STRING {
        return json_error(
            StatusCode::BAD_REQUEST,
            &format!("the query string is longer than {MAX_QUERY_STRING} bytes"),
        );
    }
    let mut query = search::Query::new("");
    let mut words: Vec<String> = Vec::new();
    for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
        match &*key {
            "q" => words.push(value.into_owned()),
            "limit" => match value.trim().parse::<usize>() {
                Ok(n) => query.limit = n.min(MAX_LIMIT),
                Err(_) => {
                    return json_error(
                        StatusCode::BAD_REQUEST,
                        &format!("limit must be a number from 0 to {MAX_LIMIT}"),
                    )
                }
            },
            _ => query.filters.push((key.into_owned(), value.into_owned())),
        }
    }
    query.text = words.join(" ");
    if query.text.len() > MAX_QUERY {
        return json_error(StatusCode::BAD_REQUEST, &format!("the query is longer than {MAX_QUERY} bytes"));
    }
    let snapshot = Arc::clone(&app.state.borrow());
    let Some(searcher) = snapshot.site.as_ref().and_then(|s| s.searcher.clone()) else {
        return json_error(StatusCode::SERVICE_UNAVAILABLE, "the search index is not ready");
    };
    drop(snapshot);
    let Ok(_turn) = app.searches.acquire().await else {
        return json_error(StatusCode::SERVICE_UNAVAILABLE, "the server is stopping");
    };
    match tokio::task::spawn_blocking(move || searcher.search(&query)).await {
        Ok(Ok(results)) => secure(
            (
                [(header::CONTENT_TYPE, "application/json; charset=utf-8"), (header::CACHE_CONTROL, "no-store")],
                search::render_json(&results) + "\n",
            )
                .into_response(),
        ),
        Ok(Err(e)) if e.is_client_error() => json_error(StatusCode::BAD_REQUEST, &e.to_string()),
        Ok(Err(e)) => json_error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        Err(_) => json_error(StatusCode::INTERNAL_SERVER_ERROR, "the search failed"),
    }
}

// ----- the site's files ----------------------------------------------------------------------

/// Why a request path is refused.
#[derive(Debug, PartialEq)]
enum Refused {
    /// Not a plain path inside the site (`..`, encoded `/`, `\`, NUL, a drive letter, bad escapes).
    BadRequest,
    /// A hidden name: never served.
    NotFound,
}

/// The segments of a request path, percent-decoded, each a plain file or folder name.
fn site_path(raw: &str) -> std::result::Result<Vec<String>, Refused> {
    let rest = raw.strip_prefix('/').ok_or(Refused::BadRequest)?;
    let mut out = Vec::new();
    let mut hidden = false;
    for segment in rest.split('/') {
        if segment.is_empty() {
            continue;
        }
        let name = percent_decode(segment).ok_or(Refused::BadRequest)?;
        let plain =
            name != "." && name != ".." && !name.chars().any(|c| matches!(c, '/' | '\\' | ':') || c.is_control());
        if !plain {
            return Err(Refused::BadRequest);
        }
        hidden |= name.starts_with('.');
        out.push(name);
    }
    if hidden {
        return Err(Refused::NotFound);
    }
    Ok(out)
}

/// `%XX` escapes to bytes, which must then be UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// What a site path holds.
enum Found {
    File(Arc<[u8]>),
    /// A folder asked for without its trailing `/`.
    Folder,
    Missing,
}

/// Looks a site path up: the overlay first, then the folder (a regular file whose real path
/// is inside the folder; a folder serves its `index.html`).
async fn find(site: &Site, segments: &[String], slash: bool) -> Found {
    let rel = segments.join("/");
    let file_rel = if rel.is_empty() || slash {
        format!("{}index.html", if rel.is_empty() { String::new() } else { rel.clone() + "/" })
    } else {
        rel.clone()
    };
    if let Some(entry) = site.overlay.get(&file_rel) {
        return entry.clone().map_or(Found::Missing, Found::File);
    }
    let dir = site.dir.path.clone();
    let path = segments.iter().fold(dir.clone(), |p, s| p.join(s));
    // The site's files are small and read often (the page cache has them): read them here
    // rather than hand each read to another thread.
    let Ok(meta) = std::fs::metadata(&path) else { return Found::Missing };
    let file = if meta.is_dir() {
        if !slash && path != dir {
            return Found::Folder;
        }
        path.join("index.html")
    } else {
        path
    };
    match file.canonicalize() {
        Ok(real) if real.starts_with(&dir) && real.is_file() => match std::fs::read(&real) {
            Ok(bytes) => Found::File(bytes.into()),
            Err(_) => Found::Missing,
        },
        _ => Found::Missing,
    }
}

/// Inserts the reload script into an HTML page: before its first script, or before `</head>`.
/// The page's Content-Security-Policy (a `<meta http-equiv>` in its head) also gets
/// `connect-src 'self'`: the reload stream and `/api/search` need it, a built site does not.
fn inject(html: &[u8]) -> Vec<u8> {
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle));
    let Some(head_end) = find(html, b"</head>") else { return html.to_vec() };
    let mut html = html.to_vec();
    let mut head_end = head_end;
    if let Some(at) = csp_end(&html[..head_end]) {
        const CONNECT: &[u8] = b"; connect-src 'self'";
        html.splice(at..at, CONNECT.iter().copied());
        head_end += CONNECT.len();
    }
    let at = find(&html, b"<script").filter(|&s| s < head_end).unwrap_or(head_end);
    let mut out = Vec::with_capacity(html.len() + LIVE_TAG.len() + 1);
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(LIVE_TAG.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(&html[at..]);
    out
}

/// Where `; connect-src 'self'` goes in the head's CSP meta tag: the end of its `content`
/// value, when the policy has no `connect-src` of its own (trailing `;` and spaces excluded).
fn csp_end(head: &[u8]) -> Option<usize> {
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle));
    let equiv = find(head, b"content-security-policy")?;
    let tag_start = head[..equiv].iter().rposition(|&b| b == b'<')?;
    let tag_end = equiv + head[equiv..].iter().position(|&b| b == b'>')?;
    let tag = &head[tag_start..tag_end];
    let value_start = tag_start + find(tag, b"content=\"")? + b"content=\"".len();
    let value_end = value_start + head[value_start..tag_end].iter().position(|&b| b == b'"')?;
    let value = &head[value_start..value_end];
    if find(value, b"connect-src").is_some() {
        return None;
    }
    let trimmed = value.iter().rposition(|&b| b != b';' && !b.is_ascii_whitespace()).map_or(0, |i| i + 1);
    Some(value_start + trimmed)
}

fn page_response(status: StatusCode, rel: &str, bytes: &[u8]) -> Response {
    let ct = content_type(rel);
    let body = if ct.starts_with("text/html") { Body::from(inject(bytes)) } else { Body::from(bytes.to_vec()) };
    secure((status, [(header::CONTENT_TYPE, ct)], body).into_response())
}

/// The page shown before the first successful build.
fn building_page(errors: Option<&str>) -> Response {
    let text = match errors {
        Some(_) => "casebook could not build the library yet: see the errors.",
        None => "casebook is building the site…",
    };
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'self'; style-src 'self'\">\n<title>casebook serve</title>\n</head>\n<body>\n<p>{text}</p>\n</body>\n</html>\n"
    );
    let mut r = page_response(StatusCode::SERVICE_UNAVAILABLE, "building.html", html.as_bytes());
    r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    r
}

async fn static_file(State(app): State<App>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut r = plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed: this server answers GET and HEAD only");
        r.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let raw = uri.path();
    let segments = match site_path(raw) {
        Ok(s) => Some(s),
        Err(Refused::BadRequest) => return plain(StatusCode::BAD_REQUEST, "bad request: not a path inside the site"),
        Err(Refused::NotFound) => None,
    };
    let slash = raw.ends_with('/');
    let mut snapshot = Arc::clone(&app.state.borrow());
    if let Some(rel) = segments.as_ref().map(|s| s.join("/")).filter(|rel| snapshot.deferred.contains(rel)) {
        snapshot = fresh(&app, &rel).await;
    }
    let Some(site) = snapshot.site.clone() else {
        return building_page(snapshot.errors.as_deref());
    };
    drop(snapshot);
    let Some(segments) = segments else { return not_found(&site).await };
    match find(&site, &segments, slash).await {
        Found::File(bytes) => {
            let rel = if segments.is_empty() || slash { "index.html".to_string() } else { segments.join("/") };
            page_response(StatusCode::OK, &rel, &bytes)
        }
        Found::Folder => {
            // Relative links need the trailing slash.
            let mut location = format!("{raw}/");
            if let Some(q) = uri.query() {
                location.push('?');
                location.push_str(q);
            }
            let mut r = plain(StatusCode::PERMANENT_REDIRECT, "moved");
            match HeaderValue::from_str(&location) {
                Ok(v) => {
                    r.headers_mut().insert(header::LOCATION, v);
                    r
                }
                Err(_) => plain(StatusCode::BAD_REQUEST, "bad request"),
            }
        }
        Found::Missing => not_found(&site).await,
    }
}

/// Asks the builder for a deferred file and waits (a minute at most) for the snapshot that has it.
async fn fresh(app: &App, rel: &str) -> Arc<Snapshot> {
    let mut state = app.state.clone();
    let _ = app.refresh.send(Change::Refresh);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let snapshot = Arc::clone(&state.borrow_and_update());
        if !snapshot.deferred.contains(rel) {
            return snapshot;
        }
        match tokio::time::timeout_at(deadline, state.changed()).await {
            Ok(Ok(())) => {}
            _ => return snapshot,
        }
    }
}

/// The site's own 404 page, with status 404.
async fn not_found(site: &Site) -> Response {
    match find(site, &["404.html".to_string()], false).await {
        Found::File(bytes) => page_response(StatusCode::NOT_FOUND, "404.html", &bytes),
        _ => plain(StatusCode::NOT_FOUND, "not found"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_are_plain_names_inside_the_site() {
        assert_eq!(site_path("/"), Ok(vec![]));
        assert_eq!(site_path("/cases/a.html"), Ok(vec!["cases".to_string(), "a.html".to_string()]));
        assert_eq!(site_path("/%E5%85%9A/x.html"), Ok(vec!["党".to_string(), "x.html".to_string()]));
        assert_eq!(site_path("//cases//a.html"), Ok(vec!["cases".to_string(), "a.html".to_string()]));
        for bad in [
            "/../etc/passwd",
            "/cases/../../x",
            "/%2e%2e/x",
            "/%2E%2E%2Fx",
            "/cases%2f..%2fx",
            "/..%5cx",
            "/a\\b",
            "/a%00b",
            "/C:/Windows/win.ini",
            "/%zz",
            "/%e5",
            "relative",
            "/./x",
        ] {
            assert_eq!(site_path(bad), Err(Refused::BadRequest), "{bad}");
        }
        assert_eq!(site_path("/.casebook-site"), Err(Refused::NotFound));
    }

    #[test]
    fn the_policy_lets_the_page_connect_to_the_server() {
        let page = b"<head><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'self';\"></head>";
        let out = String::from_utf8(inject(page)).unwrap();
        assert!(out.contains("content=\"default-src 'none'; script-src 'self'; connect-src 'self';\">"), "{out}");
        let own = b"<head><meta http-equiv=\"content-security-policy\" content=\"connect-src 'none'\"></head>";
        assert!(String::from_utf8(inject(own)).unwrap().contains("content=\"connect-src 'none'\">"));
    }

    #[test]
    fn the_reload_script_goes_before_the_first_script_of_the_head() {
        let page = b"<html><head><meta charset=\"utf-8\"><script src=\"a.js\"></script></head><body><script></script></body></html>";
        let out = String::from_utf8(inject(page)).unwrap();
        assert!(
            out.contains(
                "<meta charset=\"utf-8\"><script src=\"/_casebook/live.js\" defer></script>\n<script src=\"a.js\">"
            ),
            "{out}"
        );
        let out = String::from_utf8(inject(b"<head><title>x</title></HEAD>")).unwrap();
        assert_eq!(out, "<head><title>x</title><script src=\"/_casebook/live.js\" defer></script>\n</HEAD>");
        assert_eq!(inject(b"not a page"), b"not a page");
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("a/b.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("feed.xml"), "application/xml; charset=utf-8");
        assert_eq!(content_type("_search/t/pa.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("_search/tantivy/meta.json"), "application/json; charset=utf-8");
        assert_eq!(content_type("x.bin"), "application/octet-stream");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }
}
