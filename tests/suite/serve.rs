//! `casebook serve` (issue 5): the real binary on a copy of the shipped library, spoken to over
//! plain HTTP/1.1 on loopback (a small client below, no extra dependency).
//!
//! Pages, headers and `/api/search` (the JSON of `casebook search --json`); an edit shows in
//! the page and in search, a broken case keeps the last good site and sends its diagnostics,
//! fixing it reloads; paths that try to leave the site are refused; the reload script is in
//! served pages and never in `build` output; a bounded load on loopback has no errors (its
//! throughput and p99 are printed: `cargo test serve -- --nocapture`).
//!
//! Each server runs with its own `TMPDIR` inside the test's temporary folder and is stopped
//! with SIGINT (then killed) when its guard drops. Self-contained: no helper shared with the
//! rest of `tests/cli.rs`.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_casebook");
const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

use crate::copy_dir;

/// A copy of the shipped library at `<tmp>/lib`, and a `<tmp>/tmp` for the server's TMPDIR.
struct Lib {
    tmp: tempfile::TempDir,
}

impl Lib {
    fn shipped() -> Lib {
        let lib = Lib { tmp: tempfile::tempdir().unwrap() };
        copy_dir(&Path::new(MANIFEST_DIR).join("cases"), &lib.root().join("cases"));
        fs::create_dir_all(lib.tmp.path().join("tmp")).unwrap();
        lib
    }

    fn root(&self) -> PathBuf {
        self.tmp.path().join("lib")
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap()
    }

    /// Writes a file the way an editor saves it (a new file renamed over the old one).
    fn write(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let tmp = path.with_extension("md.tmp~");
        fs::write(&tmp, text).unwrap();
        fs::rename(&tmp, &path).unwrap();
    }

    fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    fn serve(&self) -> Server {
        Server::start(&self.root(), &self.tmp.path().join("tmp"))
    }
}

/// A running `casebook serve`; stopped with SIGINT (then killed) on drop.
struct Server {
    child: Child,
    addr: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(root: &Path, tmpdir: &Path) -> Server {
        let mut child = Command::new(BIN)
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .env("TMPDIR", tmpdir)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start casebook serve");
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

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Sends a raw request (the request line's target exactly as given) and reads the answer.
    fn raw(&self, method: &str, target: &str) -> Response {
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

    fn get(&self, target: &str) -> Response {
        self.raw("GET", target)
    }

    /// Polls `target` until `done` accepts the answer; panics after `secs` seconds.
    fn wait_for(&self, target: &str, secs: u64, done: impl Fn(&Response) -> bool) -> Response {
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

    fn events(&self) -> Events {
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
    fn site_dir(tmpdir: &Path) -> PathBuf {
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
struct Events {
    _stream: TcpStream,
    rx: mpsc::Receiver<Vec<u8>>,
    seen: String,
}

impl Events {
    /// Waits until the stream so far holds an event `name` whose data contains `data`; returns
    /// that event's data and forgets what came before it.
    fn wait(&mut self, name: &str, data: &str, secs: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some((end, text)) = find_event(&self.seen, name, data) {
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

/// The first complete event named `name` whose data contains `data`: (where it ends, data).
fn find_event(stream: &str, name: &str, data: &str) -> Option<(usize, String)> {
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
            return Some((offset, text));
        }
    }
    None
}

struct Response {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

impl Response {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(String::as_str).unwrap_or("")
    }
}

/// One HTTP/1.1 connection (keep-alive): reads responses framed by Content-Length or chunks.
struct Conn {
    reader: BufReader<TcpStream>,
}

impl Conn {
    fn open(addr: &str) -> Conn {
        let s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        s.set_nodelay(true).unwrap();
        Conn { reader: BufReader::new(s) }
    }

    fn get(&mut self, addr: &str, target: &str) -> Result<Response, String> {
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

/// `casebook search ... --json` against a site built by `casebook build`.
fn cli_search(lib: &Lib, site: &Path, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .arg("search")
        .args(args)
        .arg("--json")
        .arg("--root")
        .arg(lib.root())
        .arg("--site")
        .arg(site)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "search {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[test]
fn serves_the_site_with_types_headers_and_the_reload_script() {
    let lib = Lib::shipped();
    let server = lib.serve();

    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(home.header("content-type"), "text/html; charset=utf-8");
    assert_eq!(home.header("x-content-type-options"), "nosniff");
    let html = home.text();
    let live = html.find("<script src=\"/_casebook/live.js\" defer></script>").expect("the reload script is injected");
    assert!(live < html.find("assets/site.js").unwrap(), "it runs before the site's scripts");
    assert!(live > html.find("Content-Security-Policy").unwrap(), "after the CSP");
    assert_eq!(server.get("/index.html").text(), html);

    for (path, ct) in [
        ("/cases/tianhu.html", "text/html; charset=utf-8"),
        ("/assets/style.css", "text/css; charset=utf-8"),
        ("/assets/site.js", "text/javascript; charset=utf-8"),
        ("/feed.xml", "application/xml; charset=utf-8"),
        ("/sitemap.xml", "application/xml; charset=utf-8"),
        ("/cases.json", "application/json; charset=utf-8"),
        ("/_casebook/live.js", "text/javascript; charset=utf-8"),
        ("/_casebook/live.css", "text/css; charset=utf-8"),
        ("/forces/", "text/html; charset=utf-8"),
        ("/%E5%85%9A%E5%BB%BA/../index.html", ""),
    ] {
        let r = server.get(path);
        if ct.is_empty() {
            assert_eq!(r.status, 400, "{path}");
            continue;
        }
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type"), ct, "{path}");
        assert_eq!(r.header("x-content-type-options"), "nosniff", "{path}");
    }
    assert!(!server.get("/cases.json").text().contains("_casebook"), "only HTML gets the script");

    // A folder without its slash is redirected (relative links need it); no listings.
    let r = server.get("/forces");
    assert_eq!((r.status, r.header("location")), (308, "/forces/"));
    let r = server.get("/_search/");
    assert_eq!(r.status, 404, "a folder without index.html is not listed");

    // 404 is the site's own page, with the script.
    let r = server.get("/no/such/page.html");
    assert_eq!(r.status, 404);
    assert!(r.text().contains("page-notfound") && r.text().contains("/_casebook/live.js"), "{}", r.text());

    // HEAD works; other methods do not.
    let r = server.raw("HEAD", "/cases/tianhu.html");
    assert_eq!(r.status, 200);
    assert!(r.header("content-length").parse::<usize>().unwrap() > 1000);
    assert!(r.body.is_empty());
    for (method, path) in
        [("POST", "/"), ("PUT", "/index.html"), ("DELETE", "/cases/tianhu.html"), ("POST", "/api/search")]
    {
        let r = server.raw(method, path);
        assert_eq!(r.status, 405, "{method} {path}");
        assert!(r.header("allow").contains("GET"), "{method} {path}: {:?}", r.headers);
    }

    // `casebook build` output never has the script.
    let out = lib.tmp.path().join("built");
    let status = Command::new(BIN).args(["build", "--root"]).arg(lib.root()).arg("--out").arg(&out).status().unwrap();
    assert!(status.success());
    let mut stack = vec![out.clone()];
    let mut files = 0;
    while let Some(dir) = stack.pop() {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files += 1;
                let bytes = fs::read(&p).unwrap();
                assert!(!bytes.windows(9).any(|w| w == b"_casebook"), "{} mentions _casebook", p.display());
            }
        }
    }
    assert!(files > 40);
    // A served page is the built page plus the script line, and a policy that lets it connect
    // to the server.
    let built = fs::read_to_string(out.join("cases/tianhu.html")).unwrap();
    let served = server.get("/cases/tianhu.html").text();
    assert!(!built.contains("connect-src"));
    assert!(served.contains("form-action 'self'; connect-src 'self'\">"), "{served}");
    let plain = served.replacen("<script src=\"/_casebook/live.js\" defer></script>\n", "", 1).replacen(
        "; connect-src 'self'",
        "",
        1,
    );
    assert_eq!(plain, built);
}

#[test]
fn api_search_answers_the_json_of_the_cli() {
    let lib = Lib::shipped();
    let site = lib.tmp.path().join("site");
    assert!(Command::new(BIN)
        .args(["build", "--root"])
        .arg(lib.root())
        .arg("--out")
        .arg(&site)
        .status()
        .unwrap()
        .success());
    let server = lib.serve();
    let cases: [(&str, &[&str]); 5] = [
        ("/api/search?q=alliance&limit=3", &["alliance", "--limit", "3"]),
        ("/api/search?q=%E5%BD%A2%E5%BC%8F%E4%B8%BB%E4%B9%89", &["形式主义"]),
        ("/api/search?q=&force=mass-cohesion&level=community", &["--force", "mass-cohesion", "--level", "community"]),
        (
            "/api/search?q=party&forces=mass-cohesion&forces=political-leadership",
            &["party", "--filter", "forces=mass-cohesion", "--filter", "forces=political-leadership"],
        ),
        (
            "/api/search?q=Party+building&place=Henan&limit=100",
            &["Party building", "--place", "Henan", "--limit", "100"],
        ),
    ];
    for (url, args) in cases {
        let r = server.get(url);
        assert_eq!(r.status, 200, "{url}: {}", r.text());
        assert_eq!(r.header("content-type"), "application/json; charset=utf-8");
        assert_eq!(r.text(), cli_search(&lib, &site, args), "{url}");
    }

    // Bad requests are JSON errors with status 400.
    let long = "a".repeat(600);
    for url in [
        format!("/api/search?q={long}"),
        "/api/search?q=x&limit=many".to_string(),
        "/api/search?q=x&colour=red".to_string(),
        "/api/search?q=x&force=no-such-force".to_string(),
        "/api/search?q=%22unclosed".to_string(),
    ] {
        let r = server.get(&url);
        assert_eq!(r.status, 400, "{url}: {}", r.text());
        let v: serde_json::Value =
            serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{url}: {e}: {}", r.text()));
        assert!(v["error"].as_str().is_some_and(|m| !m.is_empty()), "{url}: {v}");
    }
    // The limit is capped.
    let v: serde_json::Value = serde_json::from_slice(&server.get("/api/search?q=&limit=100000").body).unwrap();
    assert_eq!(v["total"], 5);
    assert_eq!(v["hits"].as_array().unwrap().len(), 5);
}

#[test]
fn paths_that_leave_the_site_are_refused() {
    let lib = Lib::shipped();
    let secret = "TOP-SECRET-c8f1";
    fs::write(lib.tmp.path().join("secret.txt"), secret).unwrap();
    fs::write(lib.tmp.path().join("tmp").join("secret.txt"), secret).unwrap();
    let server = lib.serve();
    // Symbolic links inside the served folder that lead out of it are not followed.
    let site = Server::site_dir(&lib.tmp.path().join("tmp"));
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(lib.tmp.path().join("secret.txt"), site.join("leak.txt")).unwrap();
        std::os::unix::fs::symlink(lib.tmp.path(), site.join("leakdir")).unwrap();
    }
    let depth = site.components().count();
    let up = "../".repeat(depth + 2);
    let up_encoded = "%2e%2e/".repeat(depth + 2);
    let attempts = [
        format!("/{up}etc/passwd"),
        "/../secret.txt".to_string(),
        "/../../secret.txt".to_string(),
        "/cases/../../secret.txt".to_string(),
        format!("/{up_encoded}etc/passwd"),
        "/%2e%2e/secret.txt".to_string(),
        "/%2E%2E%2Fsecret.txt".to_string(),
        "/cases%2f..%2f..%2fsecret.txt".to_string(),
        "/..%2fsecret.txt".to_string(),
        "/..%5csecret.txt".to_string(),
        "/..%5c..%5csecret.txt".to_string(),
        "/%5c..%5csecret.txt".to_string(),
        "/..\\secret.txt".to_string(),
        "/index.html%00.txt".to_string(),
        "/%00".to_string(),
        "//etc/passwd".to_string(),
        format!("/{}", lib.tmp.path().join("secret.txt").display()),
        format!("/{}", lib.tmp.path().join("secret.txt").display()).replace('/', "%2f"),
        "/C:/Windows/win.ini".to_string(),
        "/c:%5cwindows%5cwin.ini".to_string(),
        "/leak.txt".to_string(),
        "/leakdir/secret.txt".to_string(),
        "/leakdir/tmp/secret.txt".to_string(),
        "/.casebook-site".to_string(),
        "/%2e/index.html".to_string(),
        "/.%2e/secret.txt".to_string(),
        "/%252e%252e/secret.txt".to_string(),
        format!("/{}", "%c0%ae%c0%ae/secret.txt"),
        "/api/../../secret.txt".to_string(),
        "/_casebook/../../secret.txt".to_string(),
    ];
    for target in &attempts {
        let r = server.get(target);
        assert!(matches!(r.status, 400 | 404), "{target}: {} {}", r.status, r.text());
        assert!(!r.text().contains(secret), "{target} leaked the file");
        assert!(!r.text().contains("root:"), "{target} leaked /etc/passwd");
    }
    // Absolute-form request targets are paths like any other.
    let r = server.get(&format!("http://{}/../secret.txt", server.addr));
    assert!(matches!(r.status, 400 | 404) && !r.text().contains(secret), "{}", r.status);
    // And the server still serves the site.
    assert_eq!(server.get("/index.html").status, 200);
}

#[test]
fn edits_show_in_pages_and_search_and_errors_keep_the_last_good_site() {
    let lib = Lib::shipped();
    let server = lib.serve();
    let mut events = server.events();
    events.wait("hello", "", 10);
    let case = "cases/fujian/tianhu.md";

    // An edit: the page and search follow, and the page is told to reload.
    lib.edit(case, "title: \"Tianhu Community:", "title: \"Tianhu Kingfisherword Community:");
    let page = server.wait_for("/cases/tianhu.html", 30, |r| r.text().contains("Kingfisherword"));
    assert_eq!(page.status, 200);
    let reload = events.wait("reload", "cases/tianhu.html", 10);
    assert!(reload.lines().any(|l| l == "cases/tianhu.html"), "{reload}");
    let found = server.wait_for("/api/search?q=kingfisherword", 30, |r| r.text().contains("\"total\": 1"));
    assert!(found.text().contains("\"id\": \"tianhu\""), "{}", found.text());
    // Lists that show the title follow too.
    assert!(server.get("/cases/index.html").text().contains("Kingfisherword"));
    assert!(server.wait_for("/cases.json", 30, |r| r.text().contains("Kingfisherword")).status == 200);

    // A broken case: the diagnostics go to the terminal and to open pages; the last good site
    // stays.
    lib.edit(case, "forces: [organizational-coverage,", "forces: [organisational-coverage,");
    let error = events.wait("error", "organisational-coverage", 30);
    assert!(error.contains("error[unknown-id]") && error.contains("cases/fujian/tianhu.md:"), "{error}");
    assert!(error.contains("did you mean `organizational-coverage`?"), "{error}");
    let start = Instant::now();
    while !server.stderr().contains("organisational-coverage") {
        assert!(start.elapsed() < Duration::from_secs(10), "stderr: {}", server.stderr());
        std::thread::sleep(Duration::from_millis(50));
    }
    let stderr = server.stderr();
    let printed = &stderr[stderr.find("error[unknown-id]").unwrap()..];
    assert!(printed.starts_with(error.lines().next().unwrap()), "the terminal shows the same text:\n{stderr}");
    let r = server.get("/cases/tianhu.html");
    assert_eq!(r.status, 200);
    assert!(r.text().contains("Kingfisherword"), "the last good page is served");
    // A page opened now is told at once.
    let mut late = server.events();
    late.wait("error", "organisational-coverage", 10);

    // Fixing it reloads the pages, with no restart.
    lib.edit(case, "forces: [organisational-coverage,", "forces: [organizational-coverage,");
    lib.edit(case, "Tianhu Kingfisherword Community:", "Tianhu Heronword Community:");
    events.wait("reload", "*", 30);
    server.wait_for("/cases/tianhu.html", 30, |r| r.text().contains("Heronword"));
    server.wait_for("/api/search?q=heronword", 30, |r| r.text().contains("\"total\": 1"));
    let r = server.get("/api/search?q=kingfisherword");
    assert!(r.text().contains("\"total\": 0"), "the old word is gone from the index: {}", r.text());

    // A new case (a full rebuild), then its removal.
    let new = lib.read(case).replace("id: tianhu", "id: tianhu-copy");
    lib.write("cases/fujian/tianhu-copy.md", &new);
    server.wait_for("/cases/tianhu-copy.html", 60, |r| r.status == 200);
    server.wait_for("/api/search?q=heronword", 30, |r| r.text().contains("\"total\": 2"));
    fs::remove_file(lib.path("cases/fujian/tianhu-copy.md")).unwrap();
    server.wait_for("/cases/tianhu-copy.html", 60, |r| r.status == 404);

    // A broken taxonomy (a full rebuild that fails) keeps the site too; fixing it recovers.
    let taxonomy = lib.read("cases/taxonomy.yaml");
    lib.write("cases/taxonomy.yaml", &format!("{taxonomy}\n  - this is not: [valid\n"));
    events.wait("error", "taxonomy.yaml", 60);
    assert_eq!(server.get("/cases/tianhu.html").status, 200);
    lib.write("cases/taxonomy.yaml", &taxonomy);
    events.wait("reload", "*", 60);
    assert!(server.get("/cases/tianhu.html").text().contains("Heronword"));
}

#[test]
fn a_bounded_load_on_loopback_has_no_errors() {
    const REQUESTS: usize = 10_000;
    const THREADS: usize = 32;
    let lib = Lib::shipped();
    let server = lib.serve();
    let targets = [
        "/",
        "/cases/tianhu.html",
        "/cases/huaihe-road.html",
        "/forces/mass-cohesion.html",
        "/assets/style.css",
        "/assets/site.js",
        "/matrix.html",
        "/places/",
        "/no-such-page.html",
        "/api/search?q=alliance",
    ];
    let addr = server.addr.clone();
    let started = Instant::now();
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let mut conn = Conn::open(&addr);
                let mut latencies = Vec::new();
                let mut errors = Vec::new();
                let deadline = Instant::now() + Duration::from_secs(300);
                for i in (t..REQUESTS).step_by(THREADS) {
                    if Instant::now() > deadline {
                        errors.push("out of time".to_string());
                        break;
                    }
                    let target = targets[i % targets.len()];
                    let t0 = Instant::now();
                    match conn.get(&addr, target) {
                        Ok(r) if r.status == 200 || (r.status == 404 && target.starts_with("/no-such")) => {
                            latencies.push((t0.elapsed(), target.starts_with("/api/")));
                        }
                        Ok(r) => errors.push(format!("{target}: {}", r.status)),
                        Err(e) => {
                            errors.push(format!("{target}: {e}"));
                            conn = Conn::open(&addr);
                        }
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = Vec::new();
    for h in handles {
        let (l, e) = h.join().unwrap();
        latencies.extend(l);
        errors.extend(e);
    }
    let elapsed = started.elapsed();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let summary = |only: Option<bool>| {
        let mut l: Vec<Duration> =
            latencies.iter().filter(|(_, api)| only.is_none_or(|o| o == *api)).map(|(d, _)| *d).collect();
        l.sort();
        let pct = |p: f64| ms(l[((l.len() - 1) as f64 * p) as usize]);
        format!("{} requests: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms", l.len(), pct(0.5), pct(0.99), pct(1.0))
    };
    println!(
        "serve load: {THREADS} keep-alive connections, {:.2} s, {:.0} requests/s\n  all    {}\n  files  {}\n  search {}",
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        summary(None),
        summary(Some(false)),
        summary(Some(true)),
    );
    assert!(errors.is_empty(), "{} errors, e.g. {:?}", errors.len(), &errors[..errors.len().min(5)]);
    assert_eq!(latencies.len(), REQUESTS);
}
