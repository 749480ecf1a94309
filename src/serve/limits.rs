//! Connection limits: how many connections are open at once (below the process's open-file
//! limit, so that accepting never fails with "too many open files" and the builder keeps
//! descriptors for its own files), and how long a connection may stay silent or dribble a
//! request. A listener for `axum::serve` that waits for a free slot before it accepts
//! (connections beyond the cap wait in the kernel's queue, unanswered but not refused), and a
//! stream that ends a connection once its time is up. HTTP itself stays hyper's.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
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
}

impl CappedListener {
    pub(super) fn new(inner: TcpListener, limits: Limits) -> CappedListener {
        CappedListener { inner, slots: Arc::new(Semaphore::new(limits.connections)), limits }
    }
}

impl axum::serve::Listener for CappedListener {
    type Io = Timed;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Timed, std::net::SocketAddr) {
        // The semaphore is never closed.
        let permit = Arc::clone(&self.slots).acquire_owned().await.expect("the slots are never closed");
        loop {
            match self.inner.accept().await {
                Ok((io, addr)) => {
                    let _ = io.set_nodelay(true);
                    return (Timed::new(io, permit, self.limits), addr);
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
}

impl Timed {
    fn new(io: TcpStream, slot: OwnedSemaphorePermit, limits: Limits) -> Timed {
        let now = Instant::now();
        let timer = Box::pin(tokio::time::sleep_until(now + limits.idle));
        Timed { io, _slot: slot, limits, last_traffic: now, last_write: now, timer }
    }

    fn deadline(&self) -> Instant {
        (self.last_traffic + self.limits.idle).min(self.last_write + self.limits.unanswered)
    }
}

fn timed_out() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "connection timed out")
}

impl AsyncRead for Timed {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        match Pin::new(&mut this.io).poll_read(cx, buf) {
            Poll::Ready(r) => {
                let now = Instant::now();
                if now >= this.last_write + this.limits.unanswered {
                    return Poll::Ready(Err(timed_out()));
                }
                this.last_traffic = now;
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
        let r = Pin::new(&mut this.io).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            let now = Instant::now();
            this.last_traffic = now;
            this.last_write = now;
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
        let r = Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            let now = Instant::now();
            this.last_traffic = now;
            this.last_write = now;
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
