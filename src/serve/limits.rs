//! Connection limits: how many connections are open at once (below the process's open-file
//! limit, so that accepting never fails with "too many open files" and the builder keeps
//! descriptors for its own files), and how long a connection may stay silent or dribble a
//! request. A listener for `axum::serve` that holds at most the cap: when every slot is taken
//! and another client connects, the connection left unanswered for longest (nothing written
//! to it for at least [`EVICTABLE`]: idle, or dribbling a request) is closed to make room, so
//! that a client holding many connections, silent or slow, cannot keep others out until its
//! time is up; when no connection has waited that long, the newcomer waits for a slot.
//! And a stream that ends a connection once its time is up, or once it is evicted. HTTP itself
//! stays hyper's.

use futures_util::task::AtomicWaker;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

/// Descriptors kept for everything but connections (at least; a quarter of the limit when
/// that is more): the builder's files (a full rebuild
/// writes through a few at a time, tantivy's segments), the watcher, the event streams' pipes.
const FD_MARGIN: u64 = 128;
/// The fewest connections allowed, whatever the file limit.
const MIN_CONNECTIONS: usize = 16;
/// A connection with no bytes either way for this long is closed (keep-alive and silent
/// connections alike). The event stream sends a comment every 15 s, so it stays open.
const IDLE: Duration = Duration::from_secs(30);
/// A client that keeps sending without being answered for this long (a request's headers a
/// byte at a time) is closed.
const UNANSWERED: Duration = Duration::from_secs(60);
/// A connection nothing was written to for this long may be closed to admit a new one while
/// every slot is taken (a browser opens another when it needs one; an open page's event
/// stream, silent up to 15 s between comments, reconnects itself).
const EVICTABLE: Duration = Duration::from_secs(1);
/// The kernel's queue of connections not accepted yet: room for the ones beyond the cap.
pub(super) const BACKLOG: i32 = 1024;

/// The limits in force.
#[derive(Clone, Copy, Debug)]
pub(super) struct Limits {
    pub(super) connections: usize,
    pub(super) idle: Duration,
    pub(super) unanswered: Duration,
}

impl Limits {
    /// The defaults, below this process's open-file limit. `CASEBOOK_SERVE_MAX_CONNECTIONS` and
    /// `CASEBOOK_SERVE_IDLE_SECS` (the idle time; twice it for an unanswered request) lower them (for tests; not documented as options).
    pub(super) fn from_env() -> Limits {
        let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
        let mut connections = default_connections(open_file_limit());
        if let Some(n) = env("CASEBOOK_SERVE_MAX_CONNECTIONS") {
            connections = connections.min(n.max(1) as usize);
        }
        // A lowered idle time lowers the other in proportion (so a test need not wait a minute).
        let (idle, unanswered) = match env("CASEBOOK_SERVE_IDLE_SECS") {
            Some(s) => (Duration::from_secs(s.max(1)), Duration::from_secs(2 * s.max(1))),
            None => (IDLE, UNANSWERED),
        };
        Limits { connections, idle, unanswered }
    }
}

fn default_connections(fd_limit: Option<u64>) -> usize {
    match fd_limit {
        Some(limit) => (limit.saturating_sub(FD_MARGIN).min(limit / 2 + limit / 4) as usize).max(MIN_CONNECTIONS),
        None => 1_000,
    }
}

/// The soft limit of open files, if the system has one.
#[cfg(unix)]
#[allow(clippy::unnecessary_cast)] // rlim_t is not u64 on every Unix
fn open_file_limit() -> Option<u64> {
    let mut rl = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit only writes the struct it is given.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut rl) } == 0;
    (ok && rl.rlim_cur != libc::RLIM_INFINITY).then_some(rl.rlim_cur as u64)
}

#[cfg(not(unix))]
fn open_file_limit() -> Option<u64> {
    None
}

/// A listener that holds at most `limits.connections` connections.
pub(super) struct CappedListener {
    inner: TcpListener,
    slots: Arc<Semaphore>,
    limits: Limits,
    open: Arc<Open>,
}

impl CappedListener {
    pub(super) fn new(inner: TcpListener, limits: Limits) -> CappedListener {
        let open = Arc::new(Open { started: Instant::now(), connections: Mutex::new(Vec::new()) });
        CappedListener { inner, slots: Arc::new(Semaphore::new(limits.connections)), limits, open }
    }

    /// A slot for a connection accepted while every slot was taken: the connection unanswered
    /// for longest is asked to close, if one has been for [`EVICTABLE`]; else the wait is for any
    /// slot to free.
    async fn make_room(&self) -> OwnedSemaphorePermit {
        loop {
            if let Ok(permit) = Arc::clone(&self.slots).try_acquire_owned() {
                return permit;
            }
            let evicted = self.open.evict_unanswered(EVICTABLE);
            let wait = if evicted { Duration::from_millis(20) } else { EVICTABLE / 4 };
            if let Ok(permit) = tokio::time::timeout(wait, Arc::clone(&self.slots).acquire_owned()).await {
                return permit.expect("the slots are never closed");
            }
        }
    }
}

/// The open connections, for choosing one to evict.
struct Open {
    started: Instant,
    connections: Mutex<Vec<Arc<Shared>>>,
}

impl Open {
    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Arc<Shared>>> {
        self.connections.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Asks the connection unanswered for longest to close, if it has been for `at_least`.
    fn evict_unanswered(&self, at_least: Duration) -> bool {
        let now = self.now_ms();
        let open = self.lock();
        let oldest = open
            .iter()
            .filter(|c| !c.evicted.load(Ordering::Relaxed))
            .min_by_key(|c| c.last_write_ms.load(Ordering::Relaxed));
        match oldest {
            Some(c) if now.saturating_sub(c.last_write_ms.load(Ordering::Relaxed)) >= at_least.as_millis() as u64 => {
                c.evicted.store(true, Ordering::Relaxed);
                c.wake.wake();
                true
            }
            _ => false,
        }
    }
}

/// What a connection shares with the listener: when it was last written to (or accepted), and
/// whether it is asked to close.
struct Shared {
    last_write_ms: AtomicU64,
    evicted: AtomicBool,
    wake: AtomicWaker,
}

impl axum::serve::Listener for CappedListener {
    type Io = Timed;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Timed, std::net::SocketAddr) {
        loop {
            // At most one connection beyond the cap is held while room is made: the margin of
            // descriptors below the file limit covers it.
            match self.inner.accept().await {
                Ok((io, addr)) => {
                    let _ = io.set_nodelay(true);
                    let permit = self.make_room().await;
                    return (Timed::new(io, permit, self.limits, &self.open), addr);
                }
                // Out of descriptors anyway (other files of the process): wait, then try again.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<std::net::SocketAddr> {
        self.inner.local_addr()
    }
}

/// A connection that times out: after `idle` with no bytes either way, or after `unanswered`
/// of reading since the last answer. It holds its slot until dropped.
pub(super) struct Timed {
    io: TcpStream,
    _slot: OwnedSemaphorePermit,
    limits: Limits,
    last_traffic: Instant,
    last_write: Instant,
    timer: Pin<Box<Sleep>>,
    shared: Arc<Shared>,
    open: Arc<Open>,
}

impl Timed {
    fn new(io: TcpStream, slot: OwnedSemaphorePermit, limits: Limits, open: &Arc<Open>) -> Timed {
        let now = Instant::now();
        let timer = Box::pin(tokio::time::sleep_until(now + limits.idle));
        let shared = Arc::new(Shared {
            last_write_ms: AtomicU64::new(open.now_ms()),
            evicted: AtomicBool::new(false),
            wake: AtomicWaker::new(),
        });
        open.lock().push(Arc::clone(&shared));
        Timed { io, _slot: slot, limits, last_traffic: now, last_write: now, timer, shared, open: Arc::clone(open) }
    }

    /// Notes traffic now (for the timeouts, and, when written, for the choice of a connection
    /// to evict).
    fn traffic(&mut self, write: bool) {
        let now = Instant::now();
        self.last_traffic = now;
        if write {
            self.last_write = now;
            self.shared.last_write_ms.store(self.open.now_ms(), Ordering::Relaxed);
        }
    }

    /// Whether the listener asked this connection to close (registering to be woken when it does).
    fn evicted(&self, cx: &Context<'_>) -> bool {
        self.shared.wake.register(cx.waker());
        self.shared.evicted.load(Ordering::Relaxed)
    }
}

impl Timed {
    fn deadline(&self) -> Instant {
        (self.last_traffic + self.limits.idle).min(self.last_write + self.limits.unanswered)
    }
}

impl Drop for Timed {
    fn drop(&mut self) {
        self.open.lock().retain(|c| !Arc::ptr_eq(c, &self.shared));
    }
}

fn timed_out() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "connection timed out")
}

impl AsyncRead for Timed {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.evicted(cx) {
            return Poll::Ready(Err(timed_out()));
        }
        match Pin::new(&mut this.io).poll_read(cx, buf) {
            Poll::Ready(r) => {
                if Instant::now() >= this.last_write + this.limits.unanswered {
                    return Poll::Ready(Err(timed_out()));
                }
                this.traffic(false);
                Poll::Ready(r)
            }
            Poll::Pending => {
                let deadline = this.deadline();
                this.timer.as_mut().reset(deadline);
                match this.timer.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(timed_out())),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl AsyncWrite for Timed {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.evicted(cx) {
            return Poll::Ready(Err(timed_out()));
        }
        let r = Pin::new(&mut this.io).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            this.traffic(true);
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.evicted(cx) {
            return Poll::Ready(Err(timed_out()));
        }
        let r = Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            this.traffic(true);
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_stays_below_the_file_limit() {
        assert_eq!(default_connections(Some(1024)), 768);
        assert_eq!(default_connections(Some(20_000)), 15_000);
        assert_eq!(default_connections(Some(256)), 128);
        assert_eq!(default_connections(Some(10)), MIN_CONNECTIONS);
    }
}
