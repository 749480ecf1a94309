//! `casebook search` on a built site: it trusts the index while no library file is written
//! and rebuilds it first when one changed; a library with errors is answered from its last
//! good index, one with no site from an index of its own. `eval`: the search evaluation set.

pub mod eval;
mod planted;

use std::fs;

use crate::support::Lib;

/// Other spellings of a place, from `[place_aliases]`: search finds the case by them, the index
/// follows an edit of the settings, and a key no case's place uses is warned about.
#[test]
fn place_aliases_find_the_case_and_an_edit_of_them_rebuilds_the_index() {
    let lib = Lib::fixture("basic");
    let settings = lib.read("casebook.toml");
    lib.write("casebook.toml", format!("{settings}\n[place_aliases]\nZhengzhou = [\"Chengchow\"]\n"));
    lib.build_in_place();
    let search = |q: &str| lib.search(q, &["--json"]);
    let ids = |out: &str| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_str(out).unwrap();
        v["hits"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap().to_string()).collect()
    };
    let run = search("Chengchow");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(ids(&run.stdout), ["alpha"], "the other spelling finds the case in Zhengzhou");

    lib.write("casebook.toml", format!("{settings}\n[place_aliases]\nZhengzhou = [\"Tcheng-tcheou\"]\n"));
    let run = search("Tcheng-tcheou");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(ids(&run.stdout), ["alpha"], "an edit of the settings is seen: {}", run.stderr);
    assert!(ids(&search("Chengchow").stdout).is_empty(), "the removed spelling finds nothing");

    lib.write("casebook.toml", format!("{settings}\n[place_aliases]\nZhengzou = [\"x\"]\n"));
    let run = lib.check(&[]);
    assert_eq!(run.code, 0, "a warning only: {}", run.stderr);
    assert!(run.stderr.contains("no case is in a place named `Zhengzou`"), "{}", run.stderr);
    assert!(run.stderr.contains("Zhengzhou"), "the hint names the nearest place: {}", run.stderr);
}

#[test]
fn search_trusts_an_index_while_no_library_file_is_written_and_rebuilds_it_after() {
    let lib = Lib::fixture("basic");
    let root = lib.root();
    let root_arg = root.to_str().unwrap();
    let built = lib.run_in(&root, &["build", "--root", root_arg]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    let meta_file = lib.path(".casebook/index/casebook-index.json");
    let files = |meta: &str| -> String {
        let v: serde_json::Value = serde_json::from_str(meta).unwrap();
        v["files"].as_str().unwrap().to_string()
    };
    let search = || lib.run_in(&root, &["search", "separately", "--root", root_arg]);

    // As built: the stamp of the files is the build's, and the index is used as it is.
    let stamp = files(&lib.read(".casebook/index/casebook-index.json"));
    assert_eq!(Some(stamp.clone()), casebook::freshness::stamp(&root));
    let index_dir = lib.path(".casebook/index");
    assert!(casebook::freshness::stamped(&index_dir, &stamp), "the short way is taken");
    let run = search();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("alpha") && run.stderr.is_empty(), "{}{}", run.stdout, run.stderr);

    // A file written again with the same content: the content check finds the index fresh
    // (nothing rebuilt) and the new stamp is remembered.
    lib.write("cases/alpha.md", lib.read("cases/alpha.md"));
    let restamped = casebook::freshness::stamp(&root).unwrap();
    assert_ne!(restamped, stamp, "a write changes the stamp");
    assert!(!casebook::freshness::stamped(&index_dir, &restamped), "the content is looked at");
    let run = search();
    assert!(run.code == 0 && run.stderr.is_empty(), "{}", run.stderr);
    assert_eq!(files(&fs::read_to_string(&meta_file).unwrap()), restamped);
    assert!(casebook::freshness::stamped(&index_dir, &restamped));

    // A changed file, then a removed one: the index is rebuilt before the search.
    lib.edit("cases/alpha.md", "worked separately", "formed a coalition");
    let run = search();
    assert!(run.stderr.contains("the library changed; rebuilt"), "{}", run.stderr);
    assert!(run.code == 0 && !run.stdout.contains("alpha"), "the old text is no longer found:\n{}", run.stdout);
    assert_eq!(files(&fs::read_to_string(&meta_file).unwrap()), casebook::freshness::stamp(&root).unwrap());
    let gamma = lib
        .read("cases/district/beta.md")
        .replace("id: beta", "id: gamma")
        .replace("visited every", "formed a coalition with every");
    lib.write("cases/district/gamma.md", gamma);
    let run = lib.run_in(&root, &["search", "coalition", "--root", root_arg]);
    assert!(run.stderr.contains("the library changed; rebuilt"), "{}", run.stderr);
    assert!(run.stdout.contains("alpha") && run.stdout.contains("gamma"), "{}", run.stdout);
}

#[cfg(unix)]
#[test]
fn a_load_warning_does_not_make_every_search_rebuild_the_index() {
    let lib = Lib::fixture("basic");
    let outside = lib.tmp.path().join("outside.md");
    fs::write(&outside, "not a case").unwrap();
    std::os::unix::fs::symlink(&outside, lib.path("cases/outside.md")).unwrap();
    lib.build_in_place();
    let stamp = casebook::freshness::stamp(&lib.root());
    assert!(stamp.is_some(), "a warning leaves the files' stamp known");
    assert!(casebook::freshness::stamped(&lib.path(".casebook/index"), &stamp.unwrap()));
    for _ in 0..2 {
        let run = lib.search("separately", &[]);
        assert_eq!((run.code, run.stderr.as_str()), (0, ""), "nothing rebuilt");
        assert!(run.stdout.contains("alpha"), "{}", run.stdout);
    }
}

#[test]
fn deeply_nested_parentheses_are_a_clear_error_not_a_stack_overflow() {
    let lib = Lib::fixture("basic");
    let root = lib.root();
    let root_arg = root.to_str().unwrap();
    let built = lib.run_in(&root, &["build", "--root", root_arg]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    let query = format!("{}separately{}", "(".repeat(3000), ")".repeat(3000));
    let run = lib.run_in(&root, &["search", &query, "--root", root_arg]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let first = run.stderr.lines().next().unwrap_or_default();
    assert_eq!(first, "error: cannot read the query: parentheses nested deeper than 100 levels");
    // The caret is under the parenthesis that opens level 101.
    let caret = run.stderr.lines().nth(2).unwrap_or_default();
    assert_eq!(caret, format!("  {}^", " ".repeat(100)));
    // 100 levels are a query like any other.
    let query = format!("{}separately{}", "(".repeat(100), ")".repeat(100));
    let run = lib.run_in(&root, &["search", &query, "--root", root_arg]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("alpha"), "{}", run.stdout);
}

/// A library with an error cannot be indexed: search answers from the index of its last good
/// version, and says so; with no index to fall back on, the errors are the answer.
#[test]
fn search_answers_from_the_last_good_index_while_the_library_has_errors() {
    let lib = Lib::fixture("basic");
    lib.build_in_place();
    lib.edit("cases/alpha.md", "level: street", "level: stret");
    let run = lib.search("alliance", &["--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let hits: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(hits["hits"][0]["id"], "alpha");
    assert_eq!(
        run.stderr,
        "note: the library has 1 error (`casebook check` lists them): these results are from the index of its last \
         good version, [ROOT]/.casebook/index\n"
    );
    fs::remove_dir_all(lib.path(".casebook")).unwrap();
    let run = lib.search("alliance", &[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("error[bad-level]: 未声明的层级 `stret`"), "{}", run.stderr);
    assert!(!lib.path(".casebook/index").exists(), "a library with errors is not indexed");
}
