//! `casebook new`: the skeleton it writes, made of the library's own vocabularies, levels and
//! languages, checks clean once filled in (in a fixture, the shipped library and, in `init.rs`,
//! a library made by `casebook init`); it never overwrites a file, refuses bad ids and needs a
//! library.

use std::fs;

use crate::support::{case_like_alpha, snapshot, Lib};

#[test]
fn new_writes_a_skeleton_that_checks_once_filled_in() {
    let lib = Lib::fixture("basic");
    let run = lib.run_in(&lib.root(), &["new", "my-case"]);
    assert_eq!(run.transcript(), "exit code: 0\n--- stdout\nwrote ./cases/my-case.md: fill in the fields, then run `casebook check`\n--- stderr\n");
    let skeleton = lib.read("cases/my-case.md");
    snapshot("new_skeleton", &skeleton);

    // As written, the skeleton reports what is left to fill in.
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    snapshot("new_skeleton_check", &run.transcript());

    // Filled in with values from the fixture's taxonomy, it passes.
    let filled = skeleton
        .replace("title: \"\"", "title: \"My Street: an alliance\"")
        .replace("province: \"\"", "province: Henan")
        .replace("forces: []", "forces: [organizational-coverage]")
        .replace("practices: []", "practices: [party-building-alliance]")
        .replace("problems: []", "problems: [governance-synergy-not-formed]")
        .replace("summary: \"\"", "summary: \"My Street formed an alliance.\"")
        .replace("  - \"\"", "  - \"Field notes, 2025\"")
        .replace("FORCE-ID", "organizational-coverage")
        .replace("NAME", "the alliance");
    lib.write("cases/my-case.md", filled);
    let run = lib.check(&[]);
    assert_eq!(run.transcript(), "exit code: 0\n--- stdout\n--- stderr\n0 errors, 0 warnings in 4 files\n");
}

/// The shipped library's skeleton follows its settings: cases written in English, with the
/// Chinese title and place names beside the English ones; filled in, it checks and builds.
#[test]
fn new_in_the_shipped_library_checks_and_builds_once_filled_in() {
    let lib = Lib::shipped();
    let run = lib.run_in(&lib.root(), &["new", "my-case"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let skeleton = lib.read("cases/my-case.md");
    snapshot("new_skeleton_shipped", &skeleton);
    let filled = skeleton
        .replace("title: \"\"", "title: \"My Street: an alliance\"")
        .replace("title_zh: \"\"", "title_zh: \"我的街道：联盟\"")
        .replace("province: \"\"", "province: Henan")
        .replace("province_zh: \"\"", "province_zh: 河南省")
        .replace("forces: []", "forces: [organizational-coverage]")
        .replace("practices: []", "practices: [one-body-two-wings]")
        .replace("problems: []", "problems: [governance-synergy-not-formed]")
        .replace("summary: \"\"", "summary: \"My Street formed an alliance.\"")
        .replace("  - \"\"", "  - \"Field notes, 2025\"")
        .replace("FORCE-ID", "organizational-coverage")
        .replace("NAME", "the alliance");
    lib.write("cases/my-case.md", filled);
    let run = lib.check(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.ends_with("0 errors, 0 warnings in 14 files\n"), "{}", run.stderr);
    let site = lib.build("site", &[]);
    assert!(crate::support::read(&site, "cases/my-case.html").contains("我的街道：联盟"));
}

/// The skeleton is made of the taxonomy: while other cases have errors it is written all the
/// same; a broken taxonomy is reported instead.
#[test]
fn new_needs_a_usable_taxonomy_only() {
    let lib = Lib::fixture("basic");
    lib.write("cases/broken.md", "---\nid: broken\ntitle: \"\"\n---\n");
    let run = lib.run_in(&lib.root(), &["new", "my-case"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(lib.read("cases/my-case.md").contains("forces: []\n"));
    lib.edit("cases/taxonomy.yaml", "forces:\n  label: Forces", "forces:\n  singular: Force\n  label: Forces");
    let run = lib.run_in(&lib.root(), &["new", "other-case"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error[bad-singular]: `Force` cannot be the singular of `forces`"), "{}", run.stderr);
    assert!(!lib.path("cases/other-case.md").exists());
}

#[test]
fn new_never_overwrites() {
    let lib = Lib::fixture("basic");
    let root = lib.root();
    // A file of that name exists (its case has another id).
    lib.write("cases/gamma.md", case_like_alpha("delta"));
    let run = lib.run_in(&root, &["new", "gamma"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr, "error: ./cases/gamma.md already exists; casebook new never overwrites a file\n");
    assert_eq!(lib.read("cases/gamma.md"), case_like_alpha("delta"));

    // The same when the library has errors.
    lib.write("cases/gamma.md", "broken");
    let run = lib.run_in(&root, &["new", "gamma"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr, "error: ./cases/gamma.md already exists; casebook new never overwrites a file\n");
    assert_eq!(lib.read("cases/gamma.md"), "broken");
    lib.remove("cases/gamma.md");

    // An id used by a case in a sub-folder is refused too.
    let run = lib.run_in(&root, &["new", "beta", "--root", root.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr, "error: case id `beta` is already used by cases/district/beta.md\n");
    assert!(!lib.path("cases/beta.md").exists());
    let run = lib.run_in(&root, &["new", "alpha"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr, "error: case id `alpha` is already used by cases/alpha.md\n");

    // While another file has an error (a skeleton not filled in), ids in use are still refused
    // (attack #99: the duplicate was written).
    lib.write("cases/broken.md", "---\nid: broken\ntitle: \"\"\n---\n");
    let run = lib.run_in(&root, &["new", "alpha"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stderr, "error: case id `alpha` is already used by cases/alpha.md\n");
    assert!(!lib.path("cases/alpha-1.md").exists() && lib.read("cases/alpha.md").contains("id: alpha"));
    lib.remove("cases/broken.md");

    // An id whose page would be one of the list of all cases.
    for id in ["index", "index-2"] {
        let run = lib.run_in(&root, &["new", id]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains(&format!("case id `{id}` cannot be used")), "{}", run.stderr);
        assert!(!lib.path(&format!("cases/{id}.md")).exists());
    }
}

#[test]
fn new_refuses_bad_ids() {
    let lib = Lib::fixture("basic");
    let mut out = String::new();
    for id in ["My_Case", "淮河路", "a b"] {
        let run = lib.run_in(&lib.root(), &["new", id]);
        assert_eq!(run.code, 2);
        out.push_str(&run.transcript());
    }
    snapshot("new_bad_ids", &out);
    let mut names: Vec<_> = fs::read_dir(lib.path("cases")).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names, ["alpha.md", "district", "taxonomy.yaml"], "no file was written");
}

#[test]
fn new_outside_a_library_is_a_usage_error() {
    let lib = Lib::fixture("basic");
    let run = lib.run_in(lib.tmp.path(), &["new", "x"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("error: no `cases/` folder"), "{}", run.stderr);
}
