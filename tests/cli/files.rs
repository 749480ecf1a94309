//! `casebook check` on what the file system and the site's file names allow: symbolic links,
//! hidden files, CRLF, a byte order mark, Markdown files with another extension; names two pages would share, names too long for a
//! file, control characters and terminal escapes. Each test compares what the user sees with a
//! reviewed snapshot in `tests/snapshots/` or with the exact message.

use std::fs;

use crate::support::{alpha, case_like_alpha, snapshot, Lib};

// ---------------------------------------------------------------------------------------------
// Files on disk: symbolic links, hidden files, CRLF, BOM
// ---------------------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_library_are_skipped_with_a_warning() {
    use std::os::unix::fs::symlink;
    let lib = Lib::fixture("basic");
    let outside = lib.tmp.path().join("outside.md");
    fs::write(&outside, "not a case at all").unwrap();
    symlink(&outside, lib.path("cases/outside.md")).unwrap();
    symlink(lib.tmp.path(), lib.path("cases/outside-folder")).unwrap();
    symlink(lib.path("cases/missing.md"), lib.path("cases/broken.md")).unwrap();
    // A link to a folder inside the library is not walked twice.
    symlink(lib.path("cases/district"), lib.path("cases/again")).unwrap();
    let run = lib.check(&[]);
    assert_eq!(run.code, 0);
    snapshot("symlinks", &run.transcript());
}

#[test]
fn hidden_files_and_folders_are_skipped() {
    let lib = Lib::fixture("basic");
    lib.write("cases/.draft.md", "garbage \u{0} not a case");
    lib.write("cases/.drafts/x.md", "---\nid: Bad Id\n");
    lib.write("cases/notes.txt", "not markdown: ignored");
    let run = lib.check(&[]);
    assert_eq!(run.transcript(), "exit code: 0\n--- stdout\n--- stderr\n0 errors, 0 warnings in 3 files\n");
}

#[test]
fn crlf_line_endings_work_with_correct_lines() {
    let lib = Lib::fixture("basic");
    for rel in ["cases/alpha.md", "cases/district/beta.md", "cases/taxonomy.yaml"] {
        lib.write(rel, lib.read(rel).replace('\n', "\r\n"));
    }
    let run = lib.check(&[]);
    assert_eq!((run.code, run.stderr.as_str()), (0, "0 errors, 0 warnings in 3 files\n"));

    lib.edit("cases/alpha.md", "practices: [party-building-alliance]", "practices: [party-building-aliance]");
    lib.edit("cases/alpha.md", "(case:beta)", "(case:betta)");
    lib.edit("cases/district/beta.md", "forces=mass-cohesion", "forces=mass-cohesio");
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    assert!(!run.stderr.contains('\r'), "no carriage return reaches the report");
    snapshot("crlf", &run.transcript());
}

#[test]
fn a_byte_order_mark_is_ignored() {
    let lib = Lib::fixture("basic");
    for rel in ["cases/alpha.md", "cases/taxonomy.yaml"] {
        lib.write(rel, format!("\u{FEFF}{}", lib.read(rel)));
    }
    let run = lib.check(&[]);
    assert_eq!((run.code, run.stderr.as_str()), (0, "0 errors, 0 warnings in 3 files\n"));

    lib.edit("cases/alpha.md", "id: alpha", "id: Alpha");
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("--> cases/alpha.md:2:5"), "{}", run.stderr);
}

#[test]
fn markdown_files_with_another_extension_are_warned_about_by_check_and_build() {
    let lib = Lib::fixture("basic");
    lib.write("cases/gamma.markdown", case_like_alpha("gamma"));
    lib.write("cases/district/delta.MKD", case_like_alpha("delta"));
    lib.write("cases/epsilon.mdown", case_like_alpha("epsilon"));
    lib.write("cases/notes.txt", "not Markdown: no warning");
    let check = lib.check(&[]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    let out = lib.outside("site");
    let root = lib.root();
    let build = lib.run_in(&root, &["build", "--root", root.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    for file in ["gamma.markdown", "delta.MKD", "epsilon.mdown"] {
        assert!(
            build.stderr.contains(&format!("`{file}` is not read")),
            "build does not warn about {file}:\n{}",
            build.stderr
        );
    }
    assert!(!out.join("cases/gamma.html").exists(), "the file is not read");
    snapshot("other_markdown_extensions", &check.transcript());
}

// ---------------------------------------------------------------------------------------------
// Output paths: every page its own file, every file name one the file system accepts
// ---------------------------------------------------------------------------------------------

#[test]
fn names_that_would_make_two_pages_share_a_file_are_errors() {
    let lib = Lib::fixture("basic");
    // cases/index.html and cases/index-2.html are the list of all cases.
    lib.write("cases/index.md", case_like_alpha("index"));
    lib.write("cases/index-2.md", case_like_alpha("index-2"));
    let cases = lib.check(&[]);
    assert_eq!(cases.code, 1);
    // (The cases are checked only against a valid taxonomy: two runs.)
    lib.remove("cases/index.md");
    lib.remove("cases/index-2.md");
    // forces/index.html is the vocabulary's page; forces/mass-cohesion-2.html page 2 of a term.
    let term = |id: &str| format!("    - id: {id}\n      label: L {id}\n      definition: D.\n");
    lib.edit("cases/taxonomy.yaml", "  terms:\n", &format!("  terms:\n{}{}", term("index"), term("mass-cohesion-2")));
    // A vocabulary named like a folder of the site.
    lib.write("cases/taxonomy.yaml", format!("{}places:\n{}", lib.read("cases/taxonomy.yaml"), term("alpha")));
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    snapshot("output_path_collisions", &format!("{}{}", cases.transcript(), run.transcript()));
}

#[test]
fn control_characters_and_over_long_names_are_errors() {
    let lib = Lib::fixture("basic");
    lib.edit("cases/alpha.md", "title: \"Alpha Street:", "title: \"Alpha \\x01 \\f \\0 \\uFFFF Street:");
    // 90 Han characters are 270 bytes: places/….html would be longer than 255.
    lib.edit("cases/district/beta.md", "province: Beijing", &format!("province: {}", "河".repeat(90)));
    lib.write("cases/long.md", case_like_alpha(&"a".repeat(260)));
    let cases = lib.check(&[]);
    assert_eq!(cases.code, 1);
    lib.remove("cases/long.md");
    lib.edit("cases/taxonomy.yaml", "label: Mass cohesion\n", "label: \"Mass \\e[31m cohesion\"\n");
    lib.edit("cases/taxonomy.yaml", "label_zh: 群众凝聚力\n", "label_zh: \"群众\\x7f\"\n");
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    snapshot("control_characters_and_long_names", &format!("{}{}", cases.transcript(), run.transcript()));
}

#[cfg(unix)]
#[test]
fn casebook_toml_and_templates_linked_out_of_the_library_are_skipped_with_a_warning() {
    use std::os::unix::fs::symlink;
    let lib = Lib::fixture("basic");
    let outside = lib.tmp.path().join("passwd");
    fs::write(&outside, "root:x:0:0:root:/root:/bin/bash\n").unwrap();
    lib.remove("casebook.toml");
    symlink(&outside, lib.path("casebook.toml")).unwrap();
    fs::create_dir(lib.tmp.path().join("theme")).unwrap();
    symlink(lib.tmp.path().join("theme"), lib.path("templates")).unwrap();
    let run = lib.check(&[]);
    assert!(!run.stderr.contains("root:x"), "the file out of the library is not read:\n{}", run.stderr);
    snapshot("symlinks_config_templates", &run.transcript());
}

#[cfg(unix)]
#[test]
fn a_cases_folder_linked_inside_the_library_works_and_one_linked_outside_is_refused() {
    use std::os::unix::fs::symlink;
    let lib = Lib::fixture("basic");
    fs::rename(lib.path("cases"), lib.path("data")).unwrap();
    symlink(lib.path("data"), lib.path("cases")).unwrap();
    let run = lib.check(&[]);
    assert_eq!((run.code, run.stderr.as_str()), (0, "0 errors, 0 warnings in 3 files\n"));

    let elsewhere = Lib::empty();
    fs::remove_dir(elsewhere.path("cases")).unwrap();
    symlink(lib.path("data"), elsewhere.path("cases")).unwrap();
    let run = elsewhere.check(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("`cases/` is a symbolic link to a folder outside the library"), "{}", run.stderr);
}

#[test]
fn terminal_escapes_from_files_are_shown_escaped_in_the_human_report() {
    let lib = Lib::fixture("basic");
    lib.remove("cases/alpha.md");
    let case = alpha().replace("level: street", "level: \"str\u{1b}[2Jeet\"  # \u{1b}]0;TITLE\u{7}");
    lib.write("cases/\u{1b}]0;TITLE\u{7}\u{1b}[31m.md", case);
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    assert!(!run.stderr.contains(['\u{1b}', '\u{7}']), "{:?}", run.stderr);
    snapshot("terminal_escapes", &run.transcript());
}

#[test]
fn a_raw_text_tag_at_the_start_of_a_line_is_pointed_out() {
    let lib = Lib::fixture("basic");
    let case = lib.read("cases/alpha.md");
    let written =
        format!("{case}\nThe office wrote the word\n<style> on the form.\n\n```\n<script>in code</script>\n```\n");
    lib.write("cases/alpha.md", &written);
    let run = lib.check(&[]);
    let said = run.transcript();
    assert_eq!(run.code, 0, "a warning only: {said}");
    let line = written.lines().position(|l| l.starts_with("<style>")).unwrap() + 1;
    assert!(said.contains(&format!("--> cases/alpha.md:{line}:1")), "{said}");
    assert!(
        said.contains("warning[raw-html-block]: a line that starts with `<style` makes Markdown read what follows"),
        "{said}"
    );
    assert_eq!(said.matches("raw-html-block").count(), 1, "the tag inside a code fence is code: {said}");
}
