//! `casebook init`: a new library in either language checks and builds at once, takes a case
//! from `casebook new` that checks and builds once its placeholders are filled in, and is never
//! written over an existing one; and the code's defaults speak of no library in particular.

use std::fs;

use crate::support::{pages, read, snapshot, Lib};

/// `casebook init lib [--lang LANG]` in the temporary folder: the library at `lib.root()`.
fn init(lang: Option<&str>) -> (Lib, crate::support::Run) {
    let lib = Lib::not_yet();
    let mut args = vec!["init", "lib"];
    args.extend(lang.iter().flat_map(|l| ["--lang", l]));
    let run = lib.run_in(lib.tmp.path(), &args);
    (lib, run)
}

/// The skeleton of `casebook new` with its placeholders filled in from the starter taxonomy.
fn fill_in(skeleton: &str, title: &str) -> String {
    skeleton
        .replacen("title: \"\"", &format!("title: \"{title}\""), 1)
        .replacen("province: \"\"", "province: Example Province", 1)
        .replace("themes: []", "themes: [participation]")
        .replace("methods: []", "methods: [working-group]")
        .replacen("summary: \"\"", "summary: \"A second case.\"", 1)
        .replace("  - \"\"", "  - \"Field notes, 2025\"")
        .replace("THEME-ID", "participation")
        .replace("NAME", "the group")
}

#[test]
fn init_then_new_then_check_and_build_in_both_languages() {
    for (lang, title) in [("en", "Hilltop: a working group"), ("zh-CN", "山顶社区：工作小组")] {
        let (lib, run) = init(Some(lang));
        snapshot(&format!("init_{lang}"), &run.transcript());
        let run = lib.check(&[]);
        assert_eq!(run.transcript(), "exit code: 0\n--- stdout\n--- stderr\n0 errors, 0 warnings in 3 files\n");
        lib.build("site-1", &[]);

        let run = lib.run_in(&lib.root(), &["new", "first-case"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let skeleton = lib.read("cases/first-case.md");
        snapshot(&format!("new_skeleton_init_{lang}"), &skeleton);
        lib.write("cases/first-case.md", fill_in(&skeleton, title));
        let run = lib.check(&[]);
        assert_eq!(
            run.transcript(),
            "exit code: 0\n--- stdout\n--- stderr\n0 errors, 0 warnings in 4 files\n",
            "{lang}"
        );
        let site = lib.build("site-2", &[]);
        let page = read(&site, "cases/first-case.html");
        assert!(page.contains(title) && page.contains("id=\"working-group\""), "{lang}: {page}");
        let html_lang = if lang == "en" { "<html lang=\"en\"" } else { "<html lang=\"zh-CN\"" };
        assert!(page.contains(html_lang), "{lang}: the site speaks the library's language");
        // The about page shows the library's about.md.
        let about = read(&site, "about.html");
        let own = if lang == "en" { "This casebook collects case studies" } else { "本案例库收集案例" };
        assert!(about.contains(own), "{lang}: {about}");
    }
}

#[test]
fn init_writes_into_the_current_folder_in_chinese_by_default_and_makes_a_missing_folder() {
    let lib = Lib::not_yet();
    fs::create_dir_all(lib.root()).unwrap();
    let run = lib.run_in(&lib.root(), &["init"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("下一步：casebook check && casebook build"), "{}", run.stdout);
    assert!(lib.read("casebook.toml").contains("languages = [\"zh-CN\"]"));
    assert_eq!(lib.check(&[]).code, 0);
    // What casebook writes into the library stays out of version control.
    let ignore = lib.read(".gitignore");
    assert!(ignore.lines().any(|l| l == "/site/") && ignore.lines().any(|l| l == "/.casebook/"), "{ignore}");

    // An editor's own .gitignore is kept as it is.
    fs::create_dir_all(lib.outside("a/b/c")).unwrap();
    fs::write(lib.outside("a/b/c/.gitignore"), "mine\n").unwrap();
    let run = lib.run_in(lib.tmp.path(), &["init", "a/b/c", "--lang", "en"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(lib.outside("a/b/c/cases/sample-case.md").is_file());
    assert_eq!(fs::read_to_string(lib.outside("a/b/c/.gitignore")).unwrap(), "mine\n");
    let run = lib.run_in(lib.tmp.path(), &["init", "x", "--lang", "fr"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("`fr` is not a language casebook knows: zh-CN or en"), "{}", run.stderr);
}

#[test]
fn init_never_overwrites_a_file() {
    let lib = Lib::fixture("basic");
    let before = lib.read("casebook.toml");
    let run = lib.run_in(lib.tmp.path(), &["init", "lib", "--lang", "en"]);
    snapshot("init_refuses_to_overwrite", &run.transcript());
    assert_eq!(lib.read("casebook.toml"), before);
    assert!(!lib.path("about.md").exists() && !lib.path("cases/sample-case.md").exists(), "nothing is written");

    // One file of a library is enough to refuse: the others stay unwritten.
    let lib = Lib::not_yet();
    lib.write("about.md", "Mine.\n");
    let run = lib.run_in(&lib.root(), &["init"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: ./about.md already exists; casebook init never overwrites a file — choose another folder, or remove it\n"
    );
    assert_eq!(lib.read("about.md"), "Mine.\n");
    assert!(!lib.path("casebook.toml").exists());
}

/// The shipped library's words, which the code's defaults must not hold.
const SHIPPED_WORDS: &[&str] =
    &["基层党组织", "组织力", "五力", "问题", "做法", "Organizational strength", "force", "practice", "problem"];

#[test]
fn without_settings_or_about_text_the_site_speaks_of_no_library_in_particular() {
    for lang in ["en", "zh-CN"] {
        let (lib, _) = init(Some(lang));
        lib.remove("casebook.toml").remove("about.md");
        let run = lib.check(&[]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let site = lib.build("site", &[]);
        let all = pages(&site);
        for page in ["index.html", "about.html", "search.html", "cases/index.html", "404.html"] {
            let html = &all[page];
            let lower = html.to_lowercase();
            let found: Vec<&&str> = SHIPPED_WORDS.iter().filter(|w| lower.contains(&w.to_lowercase())).collect();
            assert!(found.is_empty(), "{lang} {page} holds {found:?}");
            assert!(html.contains("<title>Casebook</title>") || !page.starts_with("index"), "{lang}: {html}");
        }
        // The about page says what casebook says of any library, in the site's language (the
        // default, Chinese).
        assert!(all["about.html"].contains("本站由 casebook 根据结构化案例库生成"), "{lang}");
    }
}
