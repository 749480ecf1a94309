//! The other end of `casebook serve`: the real binary started on a library with its own
//! `TMPDIR` inside the test's temporary folder, stopped with SIGINT (then killed) when its guard
//! drops, and spoken to over plain HTTP/1.1 on loopback by a small client (no extra
//! dependency): single requests, keep-alive connections and the server-sent events stream.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::{Lib, BIN};

/// Starts `casebook serve` on `lib`, with `<tmp>/tmp` as its TMPDIR.
pub fn serve(lib: &Lib) -> Server {
    Server::start(&lib.root(), &server_tmp(lib))
}

/// The server's TMPDIR, `<tmp>/tmp` (created if needed), where it builds its site.
pub fn server_tmp(lib: &Lib) -> PathBuf {
    let dir = lib.outside("tmp");
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// A running `casebook serve`; stopped with SIGINT (then killed) on drop.
pub struct Server {
    child: Child,
    pub addr: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    pub fn start(root: &Path, tmpdir: &Path) -> Server {
        Server::start_with(root, tmpdir, &[], None)
    }

    /// Starts it with more environment variables and, on Unix, a lower open-file limit.
    pub fn start_with(root: &Path, tmpdir: &Path, envs: &[(&str, &str)], open_files: Option<u64>) -> Server {
        Server::start_args(root, tmpdir, &[], envs, open_files)
    }

    /// Starts it with more arguments (`--bind …`) after `serve --port 0 --root ROOT`.
    pub fn start_args(
        root: &Path,
        tmpdir: &Path,
        args: &[&str],
        envs: &[(&str, &str)],
        open_files: Option<u64>,
    ) -> Server {
        let mut command = Command::new(BIN);
        command.args(["serve", "--port", "0", "--root"]).arg(root).args(args);
        command.env("TMPDIR", tmpdir).env("NO_COLOR", "1");
        command.envs(envs.iter().copied());
        #[cfg(unix)]
        if let Some(n) = open_files {
            use std::os::unix::process::CommandExt as _;
            // SAFETY: only setrlimit between fork and exec (async-signal-safe).
            unsafe {
                command.pre_exec(move || {
                    let rl = libc::rlimit { rlim_cur: n as libc::rlim_t, rlim_max: n as libc::rlim_t };
                    if libc::setrlimit(libc::RLIMIT_NOFILE, &rl) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        #[cfg(not(unix))]
        let _ = open_files;
        let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start casebook serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        let out = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(out).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            for _ in lines {}
        });
        let line = match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                panic!("casebook serve printed no address; stderr:\n{}", stderr.lock().unwrap());
            }
        };
        let addr = line
            .strip_prefix("serving http://")
            .and_then(|a| a.strip_suffix('/'))
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_string();
        assert!(addr.starts_with("127.0.0.1:"), "binds loopback by default: {addr}");
        Server { child, addr, stderr }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Sends a raw request (the request line's target exactly as given) and reads the answer.
    pub fn raw(&self, method: &str, target: &str) -> Response {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        write!(
            s,
            "{method} {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
            self.addr
        )
        .unwrap();
        let mut conn = Conn { reader: BufReader::new(s) };
        conn.response(method == "HEAD").unwrap_or_else(|e| panic!("{method} {target}: {e}"))
    }

    pub fn get(&self, target: &str) -> Response {
        self.raw("GET", target)
    }

    /// Polls `target` until `done` accepts the answer; panics after `secs` seconds.
    pub fn wait_for(&self, target: &str, secs: u64, done: impl Fn(&Response) -> bool) -> Response {
        let start = Instant::now();
        loop {
            let r = self.get(target);
            if done(&r) {
                return r;
            }
            if start.elapsed() > Duration::from_secs(secs) {
                panic!(
                    "{target} did not change within {secs} s; last answer {}:\n{}\nstderr:\n{}",
                    r.status,
                    r.text(),
                    self.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn events(&self) -> Events {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        write!(s, "GET /_casebook/events HTTP/1.1\r\nHost: {}\r\n\r\n", self.addr).unwrap();
        let (tx, rx) = mpsc::channel();
        let reader = s.try_clone().unwrap();
        std::thread::spawn(move || {
            // The stream is chunked: hand over the chunks' content.
            let mut r = BufReader::new(reader);
            let mut line = String::new();
            while r.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                line.clear();
            }
            loop {
                let mut size = String::new();
                if !r.read_line(&mut size).is_ok_and(|n| n > 0) {
                    break;
                }
                let Ok(n) = usize::from_str_radix(size.trim(), 16) else { break };
                let mut chunk = vec![0; n + 2];
                if n == 0 || r.read_exact(&mut chunk).is_err() || tx.send(chunk[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Events { _stream: s, rx, seen: String::new() }
    }

    /// The folder the server built the site into (inside its TMPDIR).
    pub fn site_dir(tmpdir: &Path) -> PathBuf {
        let work = fs::read_dir(tmpdir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("casebook-serve-"))
            .expect("the server's folder in TMPDIR");
        fs::read_dir(&work)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("site-") && p.join("index.html").is_file())
            .expect("a built site")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg("-INT").arg(self.child.id().to_string()).status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The server-sent events of one connection.
pub struct Events {
    _stream: TcpStream,
    rx: mpsc::Receiver<Vec<u8>>,
    seen: String,
}

impl Events {
    /// Waits until the stream so far holds an event `name` whose data contains `data`; returns
    /// that event's data and forgets what came before it.
    pub fn wait(&mut self, name: &str, data: &str, secs: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(Found { end, data: text }) = find_event(&self.seen, name, data) {
                self.seen.drain(..end);
                return text;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(bytes) => self.seen.push_str(&String::from_utf8_lossy(&bytes)),
                Err(_) => panic!("no `{name}` event with {data:?} within {secs} s; the stream had:\n{}", self.seen),
            }
        }
    }
}

/// An event found in the stream: where it ends, and its data.
struct Found {
    end: usize,
    data: String,
}

/// The first complete event named `name` whose data contains `data`.
fn find_event(stream: &str, name: &str, data: &str) -> Option<Found> {
    let mut offset = 0;
    for block in stream.split_inclusive("\n\n") {
        offset += block.len();
        if !block.ends_with("\n\n") {
            break;
        }
        let mut event = "message";
        let mut lines = Vec::new();
        for line in block.lines() {
            if let Some(e) = line.strip_prefix("event: ") {
                event = e;
            } else if let Some(d) = line.strip_prefix("data: ").or_else(|| line.strip_prefix("data:")) {
                lines.push(d);
            }
        }
        let text = lines.join("\n");
        if event == name && text.contains(data) {
            return Some(Found { end: offset, data: text });
        }
    }
    None
}

/// One answer of the server.
pub struct Response {
    pub status: u16,
    /// Header names in lower case.
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(String::as_str).unwrap_or("")
    }
}

/// One HTTP/1.1 connection (keep-alive): reads responses framed by Content-Length or chunks.
pub struct Conn {
    reader: BufReader<TcpStream>,
}

impl Conn {
    pub fn open(addr: &str) -> Conn {
        let s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        s.set_nodelay(true).unwrap();
        Conn { reader: BufReader::new(s) }
    }

    pub fn get(&mut self, addr: &str, target: &str) -> Result<Response, String> {
        write!(self.reader.get_mut(), "GET {target} HTTP/1.1\r\nHost: {addr}\r\n\r\n").map_err(|e| e.to_string())?;
        self.response(false)
    }

    fn response(&mut self, head: bool) -> Result<Response, String> {
        let mut line = String::new();
        self.reader.read_line(&mut line).map_err(|e| e.to_string())?;
        let status: u16 =
            line.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| format!("bad status line {line:?}"))?;
        let mut headers = BTreeMap::new();
        loop {
            let mut h = String::new();
            self.reader.read_line(&mut h).map_err(|e| e.to_string())?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let mut body = Vec::new();
        if head {
            return Ok(Response { status, headers, body });
        }
        if let Some(n) = headers.get("content-length") {
            let n: usize = n.parse().map_err(|_| "bad content-length".to_string())?;
            body.resize(n, 0);
            self.reader.read_exact(&mut body).map_err(|e| e.to_string())?;
        } else if headers.get("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
            loop {
                let mut size = String::new();
                self.reader.read_line(&mut size).map_err(|e| e.to_string())?;
                let n = usize::from_str_radix(size.trim(), 16).map_err(|_| format!("bad chunk size {size:?}"))?;
                let mut chunk = vec![0; n + 2];
                self.reader.read_exact(&mut chunk).map_err(|e| e.to_string())?;
                if n == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..n]);
            }
        } else {
            self.reader.read_to_end(&mut body).map_err(|e| e.to_string())?;
        }
        Ok(Response { status, headers, body })
    }
}
