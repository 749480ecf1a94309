//! `casebook serve` on a copy of the shipped library: pages, headers and `/api/search` (the
//! JSON of `casebook search --json`); an edit shows in the page and in search, a broken case
//! keeps the last good site and sends its diagnostics, fixing it reloads; paths that try to
//! leave the site are refused; the reload script is in served pages and never in `build`
//! output; a bounded load on loopback has no errors.

pub mod client;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::{tree, Lib, BIN};
use client::{serve, server_tmp, Conn, Server};

/// `casebook search ... --json` against the index `casebook build` made.
fn cli_search(lib: &Lib, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .arg("search")
        .args(args)
        .arg("--json")
        .arg("--root")
        .arg(lib.root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "search {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}
#[test]
fn serves_the_site_with_types_headers_and_the_reload_script() {
    let lib = Lib::shipped();
    let server = serve(&lib);

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
    let out = lib.build("built", &[]);
    let files = tree(&out);
    for (path, bytes) in &files {
        assert!(!bytes.windows(9).any(|w| w == b"_casebook"), "{path} mentions _casebook");
    }
    assert!(files.contains_key("index.html") && files.contains_key("cases/tianhu.html"), "the walk saw the pages");
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
    lib.build("site", &[]);
    let server = serve(&lib);
    let cases: [(&str, &[&str]); 7] = [
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
        ("/api/search?q=%E7%BD%91%E6%A0%BC&lang=en", &["网格", "--lang", "en"]),
        ("/api/search?q=grid&lang=zh", &["grid", "--lang", "zh-CN"]),
    ];
    for (url, args) in cases {
        let r = server.get(url);
        assert_eq!(r.status, 200, "{url}: {}", r.text());
        assert_eq!(r.header("content-type"), "application/json; charset=utf-8");
        assert_eq!(r.text(), cli_search(&lib, args), "{url}");
    }

    // Bad requests are JSON errors with status 400.
    let long = "a".repeat(600);
    for url in [
        format!("/api/search?q={long}"),
        "/api/search?q=x&limit=many".to_string(),
        "/api/search?q=x&colour=red".to_string(),
        "/api/search?q=x&lang=fr".to_string(),
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
    fs::write(server_tmp(&lib).join("secret.txt"), secret).unwrap();
    let server = serve(&lib);
    // Symbolic links inside the served folder that lead out of it are not followed.
    let site = Server::site_dir(&server_tmp(&lib));
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
    let server = serve(&lib);
    let mut events = server.events();
    events.wait("hello", "", 10);
    let case = "cases/fujian/tianhu.md";

    // An edit: the page and search follow, and the page is told to reload.
    lib.save_edit(case, "title: \"Tianhu Community:", "title: \"Tianhu Kingfisherword Community:");
    let page = server.wait_for("/cases/tianhu.html", 30, |r| r.text().contains("Kingfisherword"));
    assert_eq!(page.status, 200);
    let reload = events.wait("reload", "cases/tianhu.html", 10);
    assert!(reload.lines().any(|l| l == "cases/tianhu.html"), "{reload}");
    let found = server.wait_for("/api/search?q=kingfisherword", 30, |r| r.text().contains("\"total\": 1"));
    assert!(found.text().contains("\"id\": \"tianhu\""), "{}", found.text());
    // Lists that show the title follow too.
    assert!(server.get("/cases/index.html").text().contains("Kingfisherword"));
    server.wait_for("/cases.json", 30, |r| r.text().contains("Kingfisherword"));

    // A broken case: the diagnostics go to the terminal and to open pages; the last good site
    // stays.
    lib.save_edit(case, "forces: [organizational-coverage,", "forces: [organisational-coverage,");
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
    lib.save_edit(case, "forces: [organisational-coverage,", "forces: [organizational-coverage,");
    lib.save_edit(case, "Tianhu Kingfisherword Community:", "Tianhu Heronword Community:");
    events.wait("reload", "*", 30);
    server.wait_for("/cases/tianhu.html", 30, |r| r.text().contains("Heronword"));
    server.wait_for("/api/search?q=heronword", 30, |r| r.text().contains("\"total\": 1"));
    let r = server.get("/api/search?q=kingfisherword");
    assert!(r.text().contains("\"total\": 0"), "the old word is gone from the index: {}", r.text());

    // A new case (a full rebuild), then its removal.
    let new = lib.read(case).replace("id: tianhu", "id: tianhu-copy");
    lib.save("cases/fujian/tianhu-copy.md", &new);
    server.wait_for("/cases/tianhu-copy.html", 60, |r| r.status == 200);
    server.wait_for("/api/search?q=heronword", 30, |r| r.text().contains("\"total\": 2"));
    lib.remove("cases/fujian/tianhu-copy.md");
    server.wait_for("/cases/tianhu-copy.html", 60, |r| r.status == 404);

    // A broken taxonomy (a full rebuild that fails) keeps the site too; fixing it recovers.
    let taxonomy = lib.read("cases/taxonomy.yaml");
    lib.save("cases/taxonomy.yaml", format!("{taxonomy}\n  - this is not: [valid\n"));
    events.wait("error", "taxonomy.yaml", 60);
    assert_eq!(server.get("/cases/tianhu.html").status, 200);
    lib.save("cases/taxonomy.yaml", &taxonomy);
    events.wait("reload", "*", 60);
    assert!(server.get("/cases/tianhu.html").text().contains("Heronword"));
}

/// How many requests the load test sends, on how many keep-alive connections: a small load in
/// plain `cargo test` (this is a correctness test: no request fails), a bigger one when
/// `SERVE_LOAD_REQUESTS` asks. It measures nothing: throughput and latency belong in
/// `examples/serve_bench`.
fn load_plan() -> LoadPlan {
    let requests = std::env::var("SERVE_LOAD_REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000);
    LoadPlan { requests, connections: if requests > 1_000 { 32 } else { 8 } }
}

struct LoadPlan {
    requests: usize,
    connections: usize,
}

#[test]
fn a_bounded_load_on_loopback_has_no_errors() {
    let LoadPlan { requests, connections: threads } = load_plan();
    let lib = Lib::shipped();
    let server = serve(&lib);
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
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let mut conn = Conn::open(&addr);
                let mut answered = 0;
                let mut errors = Vec::new();
                let deadline = Instant::now() + Duration::from_secs(300);
                for i in (t..requests).step_by(threads) {
                    if Instant::now() > deadline {
                        errors.push("out of time".to_string());
                        break;
                    }
                    let target = targets[i % targets.len()];
                    match conn.get(&addr, target) {
                        Ok(r) if r.status == 200 || (r.status == 404 && target.starts_with("/no-such")) => {
                            answered += 1
                        }
                        Ok(r) => errors.push(format!("{target}: {}", r.status)),
                        Err(e) => {
                            errors.push(format!("{target}: {e}"));
                            conn = Conn::open(&addr);
                        }
                    }
                }
                (answered, errors)
            })
        })
        .collect();
    let mut answered = 0;
    let mut errors = Vec::new();
    for h in handles {
        let (n, e) = h.join().unwrap();
        answered += n;
        errors.extend(e);
    }
    assert!(errors.is_empty(), "{} errors, e.g. {:?}", errors.len(), &errors[..errors.len().min(5)]);
    assert_eq!(answered, requests);
}

#[test]
fn redirects_stay_on_the_site_and_every_answer_says_nosniff() {
    let lib = Lib::shipped();
    let server = serve(&lib);
    // A folder asked for with extra leading slashes is redirected to a path of this site,
    // never to `//host/` (a protocol-relative address: another host).
    for (target, location) in [
        ("//forces", "/forces/"),
        ("///forces", "/forces/"),
        ("//forces?x=1", "/forces/?x=1"),
        ("/forces?x=1", "/forces/?x=1"),
    ] {
        let r = server.get(target);
        assert_eq!((r.status, r.header("location")), (308, location), "{target}");
    }
    // Every answer says nosniff, the 405s of the routes included.
    for (method, path) in [
        ("POST", "/api/search"),
        ("PUT", "/api/search?q=x"),
        ("DELETE", "/_casebook/events"),
        ("POST", "/_casebook/live.js"),
        ("OPTIONS", "/_casebook/live.css"),
        ("POST", "/index.html"),
    ] {
        let r = server.raw(method, path);
        assert_eq!(r.status, 405, "{method} {path}");
        assert_eq!(r.header("x-content-type-options"), "nosniff", "{method} {path}: {:?}", r.headers);
    }
    for target in ["/api/search?q=x", "/api/search?q=%22unclosed", "/no/such", "/..%2f", "/forces"] {
        assert_eq!(server.get(target).header("x-content-type-options"), "nosniff", "{target}");
    }
}

/// The folders in `tmpdir` named like a server's work folder.
fn work_dirs(tmpdir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(tmpdir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("casebook-serve-"))
        .collect();
    names.sort();
    names
}

#[test]
fn the_work_folder_is_private_unpredictable_and_leftovers_of_killed_servers_go() {
    let lib = Lib::shipped();
    let tmp = server_tmp(&lib);
    // Left by killed servers: the old name `casebook-serve-PID`, and a new one with its PID
    // inside (no process has a PID above pid_max's ceiling of 2^22).
    for (name, owner) in [("casebook-serve-999999999", None), ("casebook-serve-dead00", Some("999999998"))] {
        fs::create_dir_all(tmp.join(name).join("site-1")).unwrap();
        fs::write(tmp.join(name).join("site-1/index.html"), "old").unwrap();
        if let Some(pid) = owner {
            fs::write(tmp.join(name).join("owner-pid"), pid).unwrap();
        }
    }
    // A running server's folder (this test's own PID) stays.
    fs::create_dir_all(tmp.join("casebook-serve-alive0")).unwrap();
    fs::write(tmp.join("casebook-serve-alive0/owner-pid"), std::process::id().to_string()).unwrap();
    let server = serve(&lib);
    assert_eq!(server.get("/index.html").status, 200);
    let names = work_dirs(&tmp);
    assert_eq!(names.len(), 2, "the dead servers' folders are gone: {names:?}");
    assert!(names.contains(&"casebook-serve-alive0".to_string()), "{names:?}");
    let own = names.iter().find(|n| *n != "casebook-serve-alive0").unwrap();
    assert_ne!(
        own,
        &format!("casebook-serve-{}", server.pid()),
        "not named by the PID (another user could take it first)"
    );
    assert_eq!(fs::read_to_string(tmp.join(own).join("owner-pid")).unwrap(), server.pid().to_string());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = fs::metadata(tmp.join(own)).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "private: {mode:o}");
    }
    drop(server);
    assert_eq!(work_dirs(&tmp), ["casebook-serve-alive0"], "a stopped server removes its folder");
}

/// A client holding every connection slot with silent connections, or with requests sent a
/// byte at a time (attacks #78 and #79): a new client is answered at once, not after the idle
/// time (30 s) or the unanswered time (60 s), because the connection left unanswered for
/// longest makes room for it.
#[test]
fn connections_holding_every_slot_make_room_for_a_new_client() {
    let lib = Lib::shipped();
    let server = Server::start_with(&lib.root(), &server_tmp(&lib), &[("CASEBOOK_SERVE_MAX_CONNECTIONS", "16")], None);
    assert_eq!(server.get("/index.html").status, 200);
    let silent: Vec<std::net::TcpStream> =
        (0..40).map(|_| std::net::TcpStream::connect(&server.addr).unwrap()).collect();
    // Three in four dribble a request line, a byte every 100 ms (traffic, but never answered).
    let dribbling: Vec<std::net::TcpStream> =
        silent.iter().enumerate().filter(|(i, _)| i % 4 != 0).map(|(_, s)| s).map(|s| s.try_clone().unwrap()).collect();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let dribbler = {
        let stop = std::sync::Arc::clone(&stop);
        std::thread::spawn(move || {
            let line = b"GET /index.html HTTP/1.1\r\nX-Slow: ";
            for i in 0.. {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                for mut s in &dribbling {
                    let _ = std::io::Write::write_all(&mut s, &[line[i.min(line.len() - 1)]]);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(1500));
    let started = std::time::Instant::now();
    let mut conn = Conn::open(&server.addr);
    let r = conn.get(&server.addr, "/index.html").unwrap_or_else(|e| panic!("{e}; stderr:\n{}", server.stderr()));
    assert_eq!(r.status, 200);
    assert!(started.elapsed() < Duration::from_secs(15), "answered after {:?}", started.elapsed());
    // A client that keeps asking is not the one closed: its second request is answered too.
    let r = conn.get(&server.addr, "/cases/index.html").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status, 200);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    dribbler.join().unwrap();
    drop(silent);
}

/// More silent connections than the server has descriptors (`ulimit -n 256`): they are capped
/// and time out, and a normal request is still answered (before: accept failed with EMFILE and
/// every other client waited for as long as the silent ones stayed).
#[cfg(unix)]
#[test]
fn silent_connections_beyond_the_file_limit_do_not_lock_others_out() {
    let lib = Lib::shipped();
    let server = Server::start_with(&lib.root(), &server_tmp(&lib), &[("CASEBOOK_SERVE_IDLE_SECS", "1")], Some(256));
    assert_eq!(server.get("/index.html").status, 200);
    let silent: Vec<std::net::TcpStream> =
        (0..300).map(|_| std::net::TcpStream::connect(&server.addr).unwrap()).collect();
    // The client's own read timeout (30 s) bounds the wait.
    let mut conn = Conn::open(&server.addr);
    let r =
        conn.get(&server.addr, "/cases/tianhu.html").unwrap_or_else(|e| panic!("{e}; stderr:\n{}", server.stderr()));
    assert_eq!(r.status, 200);
    // An edit made meanwhile shows (before: its read failed with EMFILE and the case counted as
    // broken until saved again).
    lib.save_edit("cases/fujian/tianhu.md", "title: \"Tianhu Community:", "title: \"Tianhu Egretword Community:");
    server.wait_for("/cases/tianhu.html", 60, |r| r.text().contains("Egretword"));
    // The silent ones were closed by the server (read gives end of file, or a reset).
    let mut first = &silent[0];
    let mut buf = [0u8; 1];
    first.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    assert!(matches!(std::io::Read::read(&mut first, &mut buf), Ok(0) | Err(_)));
    drop(silent);
    assert_eq!(server.get("/index.html").status, 200);
}

#[test]
fn edits_show_after_cases_is_deleted_and_made_again() {
    let lib = Lib::shipped();
    let server = serve(&lib);
    let mut events = server.events();
    events.wait("hello", "", 10);
    // As `git checkout` or `rsync --delete` do: a new folder in place of the old one.
    let root = lib.root();
    let status = Command::new("cp").arg("-r").arg(root.join("cases")).arg(root.join("cases.new")).status().unwrap();
    assert!(status.success());
    fs::remove_dir_all(root.join("cases")).unwrap();
    fs::rename(root.join("cases.new"), root.join("cases")).unwrap();
    events.wait("reload", "*", 60);
    lib.save_edit(
        "cases/henan/huaihe-road.md",
        "title: \"Huaihe Road Street",
        "title: \"Lapwingword Huaihe Road Street",
    );
    server.wait_for("/cases/huaihe-road.html", 30, |r| r.text().contains("Lapwingword"));
    // And again: the new folder's watch is not the last one either.
    lib.save_edit("cases/henan/huaihe-road.md", "Lapwingword Huaihe", "Ploverword Huaihe");
    server.wait_for("/cases/huaihe-road.html", 30, |r| r.text().contains("Ploverword"));
}

/// `casebook.toml` made a link to a file outside the library while serving: refused, and
/// nothing of that file reaches the terminal or the open pages.
#[cfg(unix)]
#[test]
fn a_casebook_toml_linked_out_of_the_library_is_not_read() {
    let lib = Lib::shipped();
    let server = serve(&lib);
    let mut events = server.events();
    events.wait("hello", "", 10);
    let secret = lib.outside("passwd");
    fs::write(&secret, "root:x:0:0:SECRET-c41d:/root:/bin/bash\n").unwrap();
    let root = lib.root();
    std::os::unix::fs::symlink(&secret, root.join("casebook.toml.link")).unwrap();
    fs::rename(root.join("casebook.toml.link"), root.join("casebook.toml")).unwrap();
    let error = events.wait("error", "casebook.toml", 60);
    assert!(error.contains("symbolic link points outside the library"), "{error}");
    assert!(!error.contains("SECRET-c41d"), "the event carries the linked file: {error}");
    assert!(!server.stderr().contains("SECRET-c41d"), "{}", server.stderr());
    assert_eq!(server.get("/index.html").status, 200, "the last good site stays");
}

/// A client that sends its request's headers a line at a time and never finishes them is
/// closed (before: kept open for as long as it kept sending).
#[test]
fn a_request_that_never_ends_its_headers_is_closed() {
    use std::io::Write as _;
    let lib = Lib::shipped();
    let server = Server::start_with(&lib.root(), &server_tmp(&lib), &[("CASEBOOK_SERVE_IDLE_SECS", "1")], None);
    let mut s = std::net::TcpStream::connect(&server.addr).unwrap();
    let mut closed = false;
    // 80 lines, one every 250 ms (more often than the idle time): 20 s, ten times the 2 s the
    // server allows an unanswered request.
    for i in 0..80 {
        if s.write_all(format!("GET / HTTP/1.1\r\nX-Slow-{i}: 1\r\n").as_bytes()).is_err() {
            closed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    if !closed {
        // Closed but not noticed by a write yet: reading reaches the end (or a reset); a read
        // that times out means the connection is still open.
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut rest = Vec::new();
        closed = match std::io::Read::read_to_end(&mut s, &mut rest) {
            Ok(_) => true,
            Err(e) => !matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut),
        };
    }
    assert!(closed, "the slow request is still open");
    assert_eq!(server.get("/index.html").status, 200);
}

#[test]
fn api_search_answers_every_question_of_the_evaluation_set_as_the_cli_does() {
    let lib = Lib::shipped();
    lib.build("site", &[]);
    let server = serve(&lib);
    // `casebook search --json` is `render_json` of the site's index (the test above compares
    // a few queries with the binary itself); here, in process, for speed.
    let searcher = casebook::search::Searcher::open(&lib.path(crate::support::INDEX_DIR)).unwrap();
    for q in crate::search::eval::questions() {
        let query: String = form_urlencoded::Serializer::new(String::new()).append_pair("q", &q.q).finish();
        let r = server.get(&format!("/api/search?{query}"));
        assert_eq!(r.status, 200, "{}: {}", q.q, r.text());
        let cli = casebook::search::render_json(&searcher.search(&casebook::search::Query::new(&q.q)).unwrap()) + "\n";
        assert_eq!(r.text(), cli, "{}", q.q);
    }
}
