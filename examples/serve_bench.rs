//! How long an edit takes to show in `casebook serve`: in the served page, and in `/api/search`.
//!
//! ```text
//! cargo build --release
//! cargo run --release --example gen_corpus -- --n 10000 --out /tmp/c10k
//! cp -r /tmp/c10k /tmp/c10k-serve        # the benchmark edits case files: use a copy
//! cargo run --release --example serve_bench -- --root /tmp/c10k-serve [--edits 20] [--kind body|title|tags]
//! ```
//!
//! Starts `target/release/casebook serve --port 0` (or `$CASEBOOK_BIN`), waits for the first
//! build, then edits case files one at a time, spread over the library. Each edit writes a new
//! unique word (`body`: into the first paragraph of the body; `title`: into the title; `tags`:
//! the word into the body and a problem added or removed), and the clock runs from the write
//! until the case page shows the word, and until `/api/search?q=WORD` finds the case. Prints
//! every edit and the median, 90th percentile and maximum. Loopback only.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let mut root: Option<PathBuf> = None;
    let mut edits = 20usize;
    let mut kind = "body".to_string();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--root" => root = args.next().map(PathBuf::from),
            "--edits" => edits = args.next().and_then(|n| n.parse().ok()).expect("--edits N"),
            "--kind" => kind = args.next().expect("--kind body|title|tags"),
            _ => panic!("usage: serve_bench --root DIR [--edits N] [--kind body|title|tags]"),
        }
    }
    let root = root.expect("--root DIR (a copy of a library: its case files are edited)");
    let bin = std::env::var("CASEBOOK_BIN")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/target/release/casebook").into());

    let mut files = Vec::new();
    collect(&root.join("cases"), &mut files);
    files.sort();
    assert!(!files.is_empty(), "no case files under {}", root.display());

    let started = Instant::now();
    let mut child = Command::new(&bin)
        .args(["serve", "--port", "0", "--root"])
        .arg(&root)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start casebook serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim().trim_start_matches("serving http://").trim_end_matches('/').to_string();
    eprintln!("bench: server up at {addr} after {:.1} s ({} case files)", started.elapsed().as_secs_f64(), files.len());

    let mut page_ms = Vec::new();
    let mut search_ms = Vec::new();
    let run = format!("{:x}", std::process::id());
    for k in 0..edits {
        let file = &files[(k * 7919 + 13) % files.len()];
        let text = std::fs::read_to_string(file).unwrap();
        let id = text.lines().find_map(|l| l.strip_prefix("id:")).unwrap().trim().trim_matches('"').to_string();
        let word = format!("zqbench{run}x{k}");
        let edited = edit(&text, &kind, &word);
        // Settle: let the previous edit's second pass go by.
        std::thread::sleep(Duration::from_millis(700));
        let t0 = Instant::now();
        std::fs::write(file, edited).unwrap();
        let page = poll(t0, || get(&addr, &format!("/cases/{id}.html")).is_some_and(|b| b.contains(&word)));
        let search = poll(t0, || {
            get(&addr, &format!("/api/search?q={word}")).is_some_and(|b| b.contains(&format!("\"id\": \"{id}\"")))
        });
        eprintln!("bench: edit {k:>3} {id}: page {page:>7.1} ms, search {search:>7.1} ms");
        page_ms.push(page);
        search_ms.push(search);
    }
    let _ = Command::new("kill").arg("-INT").arg(child.id().to_string()).status();
    let _ = child.wait();
    println!("edits: {edits} ({kind}), cases: {}", files.len());
    println!(
        "page visible:   median {:.0} ms, p90 {:.0} ms, max {:.0} ms",
        pct(&page_ms, 50.0),
        pct(&page_ms, 90.0),
        pct(&page_ms, 100.0)
    );
    println!(
        "search finds:   median {:.0} ms, p90 {:.0} ms, max {:.0} ms",
        pct(&search_ms, 50.0),
        pct(&search_ms, 90.0),
        pct(&search_ms, 100.0)
    );
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "md") {
            out.push(p);
        }
    }
}

/// The case text with `word` in it, as `kind` says.
fn edit(text: &str, kind: &str, word: &str) -> String {
    let end = text[3..].find("\n---").map(|i| i + 3).expect("front matter");
    let (front, body) = text.split_at(end + 4);
    let body_edit = |body: &str| {
        // After the first heading's paragraph starts: the first line that is plain text.
        let mut out = String::new();
        let mut done = false;
        for l in body.split_inclusive('\n') {
            if !done && !l.trim().is_empty() && !l.starts_with('#') {
                out.push_str(word);
                out.push(' ');
                done = true;
            }
            out.push_str(l);
        }
        out
    };
    match kind {
        "title" => {
            let front = front.replacen("\ntitle: \"", &format!("\ntitle: \"{word} "), 1);
            assert!(front.contains(word), "the title is not a quoted string");
            front + body
        }
        "tags" => {
            // A problem added or removed (problems are tagged on the case, not on sections):
            // drop the second when there are two, else add `formalism` (or `coverage-gaps`).
            let mut f = String::new();
            for l in front.split_inclusive('\n') {
                if let Some(list) = l.strip_prefix("problems: [").and_then(|r| r.trim_end().strip_suffix(']')) {
                    let mut items: Vec<&str> = list.split(',').map(str::trim).collect();
                    if items.len() >= 2 {
                        items.pop();
                    } else {
                        items.push(if items.contains(&"formalism") { "coverage-gaps" } else { "formalism" });
                    }
                    f.push_str(&format!("problems: [{}]\n", items.join(", ")));
                    continue;
                }
                f.push_str(l);
            }
            f + &body_edit(body)
        }
        _ => front.to_string() + &body_edit(body),
    }
}

fn poll(t0: Instant, mut done: impl FnMut() -> bool) -> f64 {
    loop {
        if done() {
            return t0.elapsed().as_secs_f64() * 1000.0;
        }
        if t0.elapsed() > Duration::from_secs(120) {
            panic!("the edit did not show within 120 s");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// GET over HTTP/1.1 on loopback; the body of a 200 response.
fn get(addr: &str, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(addr).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").ok()?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf);
    let (head, body) = text.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.1 200").then(|| body.to_string())
}

fn pct(values: &[f64], p: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let i = ((p / 100.0) * (v.len() - 1) as f64).round() as usize;
    v[i.min(v.len() - 1)]
}
