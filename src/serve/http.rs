//! HTTP: the router, the headers every response carries, and the site's own files (the overlay
//! first, then the folder; the site's 404 page). Answers GET and HEAD only and never serves a
//! file outside the site folder.

use super::inject::inject;
use super::paths::{content_type, site_path, Refused};
use super::state::{Notice, ServedSite, Snapshot};
use super::watch::Change;
use super::{api, events};
use crate::error::{Error, Result};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// The reload script every served HTML page gets (and no built page has).
const LIVE_JS: &str = include_str!("live.js");
/// Its stylesheet (the error overlay).
const LIVE_CSS: &str = include_str!("live.css");

#[derive(Clone)]
/// What every request handler is given.
pub(super) struct App {
    pub(super) state: watch::Receiver<Arc<Snapshot>>,
    pub(super) notices: broadcast::Sender<Notice>,
    pub(super) shutdown: watch::Receiver<bool>,
    /// Changes on every start of the server: a page that sees another one reloads.
    pub(super) instance: Arc<str>,
    /// Asks the builder for the deferred files.
    pub(super) refresh: mpsc::Sender<Change>,
    /// Searches run at most one per core at a time; the others wait their turn (a queue
    /// keeps the slowest answers faster than threads fighting over the cores).
    pub(super) searches: Arc<tokio::sync::Semaphore>,
}

/// Serves until Ctrl-C or SIGTERM, then tells the event streams to end.
pub(super) async fn serve_http(
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
        .route("/_casebook/events", get(events::events))
        .route("/_casebook/live.js", get(|| async { asset(LIVE_JS, "text/javascript; charset=utf-8") }))
        .route("/_casebook/live.css", get(|| async { asset(LIVE_CSS, "text/css; charset=utf-8") }))
        .route("/api/search", get(api::api_search))
        .fallback(static_file)
        .with_state(app)
        // Over the whole router: the answers axum makes itself (the 405s of the routes) get
        // the headers too.
        .layer(axum::middleware::map_response(|r: Response| async move { secure(r) }));
    let listener = super::limits::CappedListener::new(listener, super::limits::Limits::from_env());
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
pub(super) fn secure(mut response: Response) -> Response {
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

pub(super) fn json_error(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "error": message }).to_string() + "\n";
    secure((status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], body).into_response())
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
async fn find(site: &ServedSite, segments: &[String], slash: bool) -> Found {
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

/// A page of the site as a response: HTML pages get the reload script.
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
            // Relative links need the trailing slash. One leading slash only: `//forces/` would
            // be a protocol-relative address, i.e. the host `forces` (an open redirect).
            let mut location = format!("/{}/", raw.trim_start_matches('/'));
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
async fn not_found(site: &ServedSite) -> Response {
    match find(site, &["404.html".to_string()], false).await {
        Found::File(bytes) => page_response(StatusCode::NOT_FOUND, "404.html", &bytes),
        _ => plain(StatusCode::NOT_FOUND, "not found"),
    }
}
