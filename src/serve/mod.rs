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
//! immutable `Snapshot` (`state`) through a `watch` channel: a request clones the current `Arc` and
//! never waits for a rebuild, and a rebuild never waits for a request.
//!
//! **Incremental rebuilds.** A changed case file is read, parsed and validated alone
//! ([`crate::validate::replace_case`]: the checks `check` runs on every file, and its links
//! against the library); the pages that show it (`dependencies::pages_showing`, and for a
//! changed tag or place every page that counts them) are re-rendered into memory
//! ([`crate::render::render_only`]) and laid over the site folder, and its documents in the
//! search index are replaced ([`crate::index::Updater`]); then the new snapshot is published and
//! the pages that changed reload.
//! What an edit changes further away — other cases' "related cases", the matrix pages and
//! `cases.json` — follows in a second, interruptible pass once the edits pause. Anything else
//! (a case added, removed or renamed, the taxonomy, `casebook.toml`, a template) rebuilds the
//! whole site into a fresh folder and swaps it in. The browser's own search index (`_search/*.js`)
//! is rebuilt by full rebuilds only: the search page uses `/api/search` when served from here.
//!
//! **Errors.** A content error keeps the last good site served; the diagnostics (as `check`
//! prints them) go to the terminal and, as an `error` event, over the open pages. Fixing the
//! file reloads them, and so does deleting or renaming away a file the errors name.
//!
//! **Safety.** It binds 127.0.0.1 unless told otherwise (an address, or a host name such as
//! `localhost`), answers GET and HEAD only, and serves
//! nothing but the files of the built site: a request path is percent-decoded segment by
//! segment, and anything but plain names (`..`, encoded slashes, backslashes, NUL, drive
//! letters) is refused before the disk is touched; symbolic links leading out of the site are
//! not followed. It never writes to the library.
//!
//! **The folder.** `state` (what is served), `watch` (the watcher and what a change needs),
//! `builder` (the change loop, full rebuilds, publishing), `incremental` (edits of one case,
//! the second pass), `dependencies` (which pages show what), `overlay` (re-rendered pages
//! over a built folder), and the HTTP side: `http` (router, static files), `api`
//! (`/api/search`), `events` (server-sent events), `limits` (the connection cap and
//! timeouts), `paths` (request paths, content types) and `inject` (the reload script and the
//! CSP). The HTTP side only reads snapshots; only the
//! builder changes what is served.

mod api;
mod builder;
mod dependencies;
mod events;
mod http;
mod incremental;
mod inject;
mod limits;
mod overlay;
mod paths;
mod state;
mod watch;

pub use api::{MAX_LIMIT, MAX_QUERY};

use crate::error::{Error, Result};
use crate::load;
use builder::Builder;
use state::{Snapshot, WorkDir};
use std::io::Write as _;
use std::net::{IpAddr, SocketAddr, TcpListener, ToSocketAddrs as _};
use std::path::PathBuf;
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::{broadcast, watch as channel};
use watch::{Change, LibraryWatcher};

/// How long stopping waits for a rebuild under way to finish.
const BUILDER_STOP_WAIT: Duration = Duration::from_secs(10);

/// Options of `casebook serve`.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    pub root: PathBuf,
    /// An IP address or a host name (`localhost`), resolved when binding.
    pub bind: String,
    /// 0 picks a free port (the address is printed).
    pub port: u16,
}

use crate::progress::timing_enabled;

/// Runs `casebook serve` until Ctrl-C: binds, builds, prints `serving http://ADDRESS/` on
/// stdout, then serves and rebuilds on change. Only usage and I/O problems end it with an
/// error; content errors are reported and wait to be fixed.
pub fn run(opts: &ServeOptions) -> Result<()> {
    if !opts.root.join(load::CASES_DIR).is_dir() {
        // load names the problem the way every other command does.
        load::load(&opts.root)?;
    }
    let root = opts.root.canonicalize().map_err(|e| Error::io("read", &opts.root, e))?;
    let listener = listen(&opts.bind, opts.port)?;
    let addr = listener.local_addr().map_err(|e| Error::system("listen", e))?;
    listener.set_nonblocking(true).map_err(|e| Error::system(format!("listen on {addr}"), e))?;
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd as _;
        // A longer queue than std's 128: connections beyond the cap wait there for a slot.
        // SAFETY: listen on a socket we own; calling it again only changes the queue's length.
        unsafe { libc::listen(listener.as_raw_fd(), limits::BACKLOG) };
    }
    let work = WorkDir::create()?;

    let (state_tx, state_rx) = channel::channel(Arc::new(Snapshot::default()));
    let (notices, _) = broadcast::channel(64);
    let (changes_tx, changes_rx) = mpsc::channel::<Change>();
    let mut builder = Builder::new(root.clone(), work.0.clone(), state_tx, notices.clone());
    builder.full_rebuild(true)?;
    let watcher = LibraryWatcher::start(&root, changes_tx.clone())?;
    let refresh = changes_tx.clone();
    let (done_tx, builder_done) = mpsc::channel::<()>();
    let builder_thread = std::thread::Builder::new()
        .name("casebook-builder".into())
        .spawn(move || {
            builder.run(changes_rx, watcher);
            // The builder (and the folders it held) is gone: the work folder may go.
            let _ = done_tx.send(());
        })
        .map_err(|e| Error::system("start the builder thread", e))?;

    let mut out = std::io::stdout();
    let _ = writeln!(out, "serving http://{addr}/");
    let _ = out.flush();
    if !addr.ip().is_loopback() {
        eprintln!("note: listening on {} — anyone who can reach this machine can read the site", addr.ip());
    }
    eprintln!("watching {} for changes; press Ctrl-C to stop", root.display());

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("casebook-http")
        .build()
        .map_err(|e| Error::system("start the server", e))?;
    let served = runtime.block_on(http::serve_http(listener, state_rx, notices, refresh));
    runtime.shutdown_timeout(Duration::from_secs(1));

    shutdown(&changes_tx, builder_thread, &builder_done, work, BUILDER_STOP_WAIT);
    eprintln!("stopped");
    served
}

/// Binds `bind` (an address, or a name such as `localhost`, resolved here) and `port`. A name
/// may stand for several addresses (`localhost`: 127.0.0.1 and ::1): IPv4 ones are tried
/// first, as the printed address is then the one every browser reaches. A port in use says
/// how to get another.
fn listen(bind: &str, port: u16) -> Result<TcpListener> {
    let host = bind.trim_start_matches('[').trim_end_matches(']');
    let mut addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => (host, port).to_socket_addrs().map(Iterator::collect).map_err(|e| {
            Error::Usage(format!(
                "--bind {bind}: cannot resolve this host name ({e}); give an address such as 127.0.0.1"
            ))
        })?,
    };
    addrs.sort_by_key(|a| !a.is_ipv4());
    addrs.dedup();
    let mut last = None;
    for addr in &addrs {
        match TcpListener::bind(addr) {
            Ok(listener) => return Ok(listener),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                return Err(Error::Usage(format!(
                    "port {port} is in use on {} (another casebook serve, or another server?); pick another \
                     with --port {}, or --port 0 for any free port",
                    addr.ip(),
                    port.saturating_add(1)
                )))
            }
            Err(e) => last = Some((addr, e)),
        }
    }
    Err(match last {
        Some((addr, e)) => Error::system(format!("listen on {addr}"), e),
        None => Error::Usage(format!("--bind {bind}: the host name has no address")),
    })
}

/// What [`shutdown`] did with the work folder.
#[derive(Debug, PartialEq)]
enum Stopped {
    Removed,
    /// The builder was still running: the folder is left to it.
    Left,
}

/// Stops the builder and removes the work folder once the builder has let go of it. A full
/// rebuild cannot be cut short: wait for it a while, and if it does not stop, leave the folder
/// (removing it under a running build would fail that build noisily or leave files behind).
fn shutdown(
    changes: &mpsc::Sender<Change>,
    builder: JoinHandle<()>,
    done: &mpsc::Receiver<()>,
    work: WorkDir,
    wait: Duration,
) -> Stopped {
    let _ = changes.send(Change::Stop);
    match done.recv_timeout(wait) {
        // Disconnected: the builder thread ended without saying so (it panicked).
        Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => {
            let _ = builder.join();
            drop(work);
            Stopped::Removed
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            eprintln!(
                "warning: the rebuild did not stop within {} s; leaving its folder {}",
                wait.as_secs(),
                work.0.display()
            );
            std::mem::forget(work);
            Stopped::Left
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A builder thread that, once told to stop, still writes into the work folder for `busy`.
    fn busy_builder(
        work: &std::path::Path,
        busy: Duration,
    ) -> (mpsc::Sender<Change>, JoinHandle<()>, mpsc::Receiver<()>) {
        let (changes, told) = mpsc::channel();
        let (done_tx, done) = mpsc::channel();
        let file = work.join("site-1/page.html");
        let thread = std::thread::spawn(move || {
            while !matches!(told.recv(), Ok(Change::Stop) | Err(_)) {}
            std::thread::sleep(busy);
            // Best effort: the test may be over (and its folder gone) when a late write comes.
            let _ = std::fs::create_dir_all(file.parent().unwrap());
            let _ = std::fs::write(&file, "late");
            let _ = done_tx.send(());
        });
        (changes, thread, done)
    }

    #[test]
    fn stopping_waits_for_the_builder_before_removing_the_work_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("casebook-serve-test");
        std::fs::create_dir_all(&path).unwrap();
        let (changes, thread, done) = busy_builder(&path, Duration::from_millis(200));
        let stopped = shutdown(&changes, thread, &done, WorkDir(path.clone()), Duration::from_secs(10));
        assert_eq!(stopped, Stopped::Removed);
        assert!(!path.exists(), "the builder's late write must not outlive the work folder");
    }

    #[test]
    fn a_builder_that_does_not_stop_keeps_its_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("casebook-serve-test");
        std::fs::create_dir_all(&path).unwrap();
        let (changes, thread, done) = busy_builder(&path, Duration::from_millis(500));
        let stopped = shutdown(&changes, thread, &done, WorkDir(path.clone()), Duration::from_millis(50));
        assert_eq!(stopped, Stopped::Left);
        assert!(path.is_dir());
    }
}
