//! A reader that goes away (`casebook search x | head -1`) ends the command quietly: no panic,
//! exit status 0 — as `grep` and `ls` do — for every command that prints to stdout.

use std::io::Read;
use std::process::{Command, Stdio};

use crate::support::{Lib, BIN};

/// Runs `casebook ARGS` with a stdout whose reader closed its end at once, before the command
/// wrote anything (it first reads the library).
fn with_closed_stdout(args: &[&str]) -> (i32, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    (child.wait().unwrap().code().unwrap_or(-1), stderr)
}

#[test]
fn a_closed_pipe_ends_search_tags_and_check_quietly() {
    let lib = Lib::shipped();
    let root = lib.root();
    lib.build("site", &[]);
    let root = root.to_str().unwrap();
    for args in [
        vec!["search", "社区", "--root", root, "--limit", "100"],
        vec!["search", "社区", "--root", root, "--json"],
        vec!["tags", "--suggest", "--root", root],
        vec!["check", "--root", root, "--format", "json"],
    ] {
        let (code, stderr) = with_closed_stdout(&args);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(code, 0, "{args:?}: {stderr}");
    }
}
