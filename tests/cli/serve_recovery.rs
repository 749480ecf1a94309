//! `casebook serve` and the editor's mistakes around it: a broken file deleted or renamed
//! away clears the errors of every open page and of the terminal, a case saved as `.markdown`
//! is warned about at once, `--bind localhost` is a name that resolves, a port in use says how
//! to get another, and a photo linked before it is saved beside its case is served once it is.

use std::fs;

use crate::serve::client::{server_tmp, Server};
use crate::support::{alpha, Lib};

/// A new case that does not parse (a full-width colon), named `gamma`.
fn broken_case() -> String {
    alpha().replace("id: alpha", "id: gamma").replace("level: street", "level：street")
}

#[test]
fn a_broken_file_deleted_or_renamed_away_clears_the_errors() {
    let lib = Lib::fixture("basic");
    let server = Server::start(&lib.root(), &server_tmp(&lib));
    let mut events = server.events();
    events.wait("hello", "", 10);

    // A new file that fails the full rebuild: its error goes to the pages; deleting it clears it.
    lib.save("cases/gamma.md", broken_case());
    let error = events.wait("error", "cases/gamma.md", 60);
    assert!(error.contains("全角冒号"), "{error}");
    lib.remove("cases/gamma.md");
    events.wait("reload", "*", 60);
    assert_eq!(server.get("/cases/alpha.html").status, 200);

    // The same, renamed to a name that is no case.
    lib.save("cases/gamma.md", broken_case());
    events.wait("error", "cases/gamma.md", 60);
    fs::rename(lib.path("cases/gamma.md"), lib.path("cases/gamma.txt")).unwrap();
    events.wait("reload", "*", 60);

    // A case that built, broken, then deleted: the site is rebuilt without it.
    lib.save("cases/gamma.md", alpha().replace("id: alpha", "id: gamma"));
    server.wait_for("/cases/gamma.html", 60, |r| r.status == 200);
    lib.save_edit("cases/gamma.md", "level: street", "level：street");
    events.wait("error", "cases/gamma.md", 60);
    lib.remove("cases/gamma.md");
    events.wait("reload", "*", 60);
    server.wait_for("/cases/gamma.html", 60, |r| r.status == 404);
    // The terminal, too, says the errors are gone, each time.
    wait_for_stderr(&server, |s| s.matches("no errors left; open pages reload\n").count() == 3);

    // A case saved as `.markdown` is not read, and the terminal says so at once.
    lib.save("cases/gamma.markdown", alpha().replace("id: alpha", "id: gamma"));
    wait_for_stderr(&server, |s| s.contains("warning[not-md]: `gamma.markdown` is not read"));
}

/// `cases/` moved away and back (attack #85), at once and after a rebuild: the same folder,
/// which the watcher let go of when it left, is watched again and every later edit shows.
#[test]
fn edits_show_after_cases_is_moved_away_and_back() {
    let lib = Lib::fixture("basic");
    let server = Server::start(&lib.root(), &server_tmp(&lib));
    let mut events = server.events();
    events.wait("hello", "", 10);
    let (cases, away) = (lib.path("cases"), lib.path("elsewhere"));
    for (n, pause) in [(1, false), (2, true)] {
        fs::rename(&cases, &away).unwrap();
        if pause {
            events.wait("error", "", 60);
        }
        fs::rename(&away, &cases).unwrap();
        let word = format!("Movedword{n}");
        lib.save_edit("cases/alpha.md", "title: \"", &format!("title: \"{word} "));
        server.wait_for("/cases/alpha.html", 60, |r| r.text().contains(&word));
        // And a later edit, too.
        lib.save_edit("cases/alpha.md", &word, &format!("{word}again"));
        server.wait_for("/cases/alpha.html", 60, |r| r.text().contains(&format!("{word}again")));
    }
}

/// Waits until what the server wrote to stderr satisfies `done`; panics after 30 s.
fn wait_for_stderr(server: &Server, done: impl Fn(&str) -> bool) {
    let start = std::time::Instant::now();
    while !done(&server.stderr()) {
        assert!(start.elapsed().as_secs() < 30, "{}", server.stderr());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn bind_localhost_resolves_and_a_port_in_use_suggests_port_0() {
    let lib = Lib::fixture("basic");
    let server = Server::start_args(&lib.root(), &server_tmp(&lib), &["--bind", "localhost"], &[], None);
    assert_eq!(server.get("/index.html").status, 200);
    let port = server.addr.rsplit_once(':').unwrap().1.to_string();
    let next = port.parse::<u16>().unwrap().saturating_add(1);

    let root = lib.root();
    let run = lib.run_in(&root, &["serve", "--root", root.to_str().unwrap(), "--bind", "127.0.0.1", "--port", &port]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        format!(
            "error: port {port} is in use on 127.0.0.1 (another casebook serve, or another server?); pick another \
             with --port {next}, or --port 0 for any free port\n"
        )
    );
    let run = lib.run_in(&root, &["serve", "--root", root.to_str().unwrap(), "--bind", "no-such-host.invalid"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("error: --bind no-such-host.invalid: cannot resolve this host name"),
        "{}",
        run.stderr
    );
}

/// A photo linked before it is there: the error says so at once; the photo saved beside the
/// case clears it and is served, and a case edited to link another file gets that one too.
#[test]
fn a_photo_added_beside_a_case_is_served_once_it_is_there() {
    let lib = Lib::fixture("bundles");
    let server = Server::start(&lib.root(), &server_tmp(&lib));
    let mut events = server.events();
    events.wait("hello", "", 10);
    let bins = server.get("/cases/sorting/bins.png");
    assert_eq!((bins.status, bins.body), (200, fs::read(lib.path("cases/sorting/bins.png")).unwrap()));

    lib.save_edit(
        "cases/district/beta.md",
        "Members visited every household.",
        "Members visited.\n\n![The meeting](meeting.png)",
    );
    let error = events.wait("error", "cases/district/beta.md", 60);
    assert!(error.contains("meeting.png"), "{error}");
    lib.save("cases/district/meeting.png", b"a photo");
    server.wait_for("/cases/beta/meeting.png", 60, |r| r.status == 200 && r.body == b"a photo");
    assert!(server.get("/cases/beta.html").text().contains("src=\"../cases/beta/meeting.png\""));

    // A valid edit that links one more file: the case's files are published with it.
    lib.save("cases/district/minutes.pdf", b"%PDF minutes");
    lib.save_edit("cases/district/beta.md", "Members visited.", "Members visited ([minutes](minutes.pdf)).");
    server.wait_for("/cases/beta/minutes.pdf", 60, |r| r.status == 200 && r.body == b"%PDF minutes");
}
