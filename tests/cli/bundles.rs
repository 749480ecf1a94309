//! Files beside a case: what `build` publishes of the `bundles` fixture (a page bundle
//! `cases/sorting/index.md` with its translation, an image and two PDFs, and a loose case
//! `cases/district/beta.md` with a photo beside it), where the pages link to them in every
//! language tree, and what `check` and `build` both say of a missing file, a file over the size
//! limit, a link out of the case's folder, a file in a bundle no case links to and a link of
//! casebook's own written in raw HTML.

use std::fs;

use crate::support::{html, read, snapshot, tree, Lib, Run};

/// `casebook build` into `<tmp>/<name>`, whatever its outcome.
fn build_run(lib: &Lib, name: &str) -> Run {
    let (root, out) = (lib.root(), lib.outside(name));
    lib.run_in(&root, &["build", "--root", root.to_str().unwrap(), "--out", out.to_str().unwrap()])
}

/// The diagnostics of a run of `check` or `build`, without the line that ends it (check's
/// summary, build's "error: the library has …").
fn diagnostics(run: &Run) -> &str {
    let text = run.stderr.trim_end_matches('\n');
    text.rsplit_once('\n').map_or("", |(before, _)| before)
}

/// Asserts that `check` and `build` fail alike (exit code 1, the same diagnostics, no site),
/// and returns check's run.
fn check_and_build_fail_alike(lib: &Lib) -> Run {
    let check = lib.check(&[]);
    let build = build_run(lib, "site");
    assert_eq!((check.code, build.code), (1, 1), "check:\n{}\nbuild:\n{}", check.stderr, build.stderr);
    assert_eq!(diagnostics(&check), diagnostics(&build), "check and build disagree");
    assert!(!lib.outside("site").exists(), "a failed build writes no site");
    check
}

/// The `src` of every image of a page.
fn images(page: &str) -> Vec<String> {
    html::scan(page).iter().filter(|t| t.name == "img").filter_map(|t| t.attr("src")).map(str::to_string).collect()
}

#[test]
fn build_publishes_the_files_the_cases_link_to_and_every_link_to_them_resolves() {
    let lib = Lib::fixture("bundles");
    let check = lib.check(&[]);
    assert_eq!((check.code, diagnostics(&check)), (0, "translations into zh-CN: 1 of 3 cases (missing: alpha, beta)"));
    let site = lib.build("site", &[]);
    let files = tree(&site);
    let again = tree(&lib.build("again", &[]));
    assert_eq!(crate::support::differences(&files, &again), Vec::<String>::new(), "byte-identical builds");
    // Each case's files in its folder of the site, the documents in static/: nothing else.
    let published: Vec<&str> = files
        .keys()
        .map(String::as_str)
        .filter(|k| (k.starts_with("cases/") && !k.ends_with(".html")) || k.starts_with("static/"))
        .collect();
    assert_eq!(
        published,
        [
            "cases/beta/photo.jpg",
            "cases/sorting/bins.png",
            "cases/sorting/docs/plan.pdf",
            "cases/sorting/docs/方案.pdf",
            "static/survey.txt"
        ]
    );
    for (in_site, in_library) in [
        ("cases/beta/photo.jpg", "cases/district/photo.jpg"),
        ("cases/sorting/bins.png", "cases/sorting/bins.png"),
        ("cases/sorting/docs/方案.pdf", "cases/sorting/docs/方案.pdf"),
    ] {
        assert_eq!(files[in_site], fs::read(lib.path(in_library)).unwrap(), "{in_site} is a copy of {in_library}");
    }
    // Every link of every page resolves to a file of the site (relative: any sub-path, file://).
    crate::support::fail_if_any("links", &html::link_problems(&site));
    // The photo and its image, on the case page and in the excerpt of the practice's page, in
    // each language's tree: the one copy, at the path that reaches it from there.
    for (page, src) in [
        ("cases/sorting.html", "../cases/sorting/bins.png"),
        ("en/cases/sorting.html", "../../cases/sorting/bins.png"),
        ("practices/party-building-alliance.html", "../cases/sorting/bins.png"),
        ("en/practices/party-building-alliance.html", "../../cases/sorting/bins.png"),
        ("cases/beta.html", "../cases/beta/photo.jpg"),
        ("en/cases/beta.html", "../../cases/beta/photo.jpg"),
    ] {
        assert_eq!(images(&read(&site, page)), [src], "{page}");
        assert!(site.join(html::resolve(page, src).unwrap()).is_file(), "{page}: {src}");
    }
    // The translation links to its own document; the sources' links are made for the page too.
    let zh = read(&site, "cases/sorting.html");
    assert!(zh.contains("href=\"../cases/sorting/docs/%E6%96%B9%E6%A1%88.pdf\""), "{zh}");
    let en = read(&site, "en/cases/sorting.html");
    assert!(en.contains("href=\"../../cases/sorting/docs/plan.pdf#page=1\""), "{en}");
    assert!(en.contains("href=\"../../static/survey.txt\""), "a document linked from the body: {en}");
}

#[test]
fn a_bundle_is_named_by_its_front_matter_and_a_rebuild_drops_what_is_no_longer_linked() {
    let lib = Lib::fixture("bundles");
    fs::rename(lib.path("cases/sorting"), lib.path("cases/2024-waste")).unwrap();
    let site = lib.build("site", &[]);
    assert!(site.join("cases/sorting.html").is_file() && site.join("cases/sorting/bins.png").is_file());
    assert!(!site.join("cases/2024-waste").exists(), "the folder's name is not the case's");

    // The image no longer shown (in either language): the next build does not publish it.
    for file in ["cases/2024-waste/index.md", "cases/2024-waste/index.zh.md"] {
        let text = lib.read(file);
        let line = text.lines().find(|l| l.contains("(bins.png)")).unwrap().to_string();
        lib.edit(file, &line, "");
    }
    let site = lib.build("site", &[]);
    assert!(!site.join("cases/sorting/bins.png").exists(), "a file no longer linked is gone");
    assert!(site.join("cases/sorting/docs/plan.pdf").is_file());
}

#[test]
fn a_missing_file_is_reported_by_check_and_build_with_the_file_meant() {
    let lib = Lib::fixture("bundles");
    lib.edit("cases/sorting/index.md", "(bins.png)", "(Bins.png)");
    lib.edit("cases/sorting/index.md", "(docs/plan.pdf#page=1)", "(plan.pdf#page=1)");
    lib.edit("cases/sorting/index.zh.md", "(docs/方案.pdf)", "(docs/方按.pdf)");
    lib.edit("cases/district/beta.md", "(photo.jpg \"A visit\")", "(photos/visit.jpg)");
    let zh = check_and_build_fail_alike(&lib);
    assert_eq!(zh.stderr.matches("error[missing-file]").count(), 4, "{}", zh.stderr);
    // The same library in English.
    lib.edit("casebook.toml", "languages = [\"zh-CN\", \"en\"]", "languages = [\"en\", \"zh-CN\"]");
    let en = check_and_build_fail_alike(&lib);
    snapshot("bundle_missing_file", &format!("{}{}", zh.transcript(), en.transcript()));
}

#[test]
fn a_file_over_the_size_limit_is_an_error_and_the_limit_is_a_setting() {
    let lib = Lib::fixture("bundles");
    // Over the default of 20 MiB (a sparse file: nothing is written).
    let big = fs::File::create(lib.path("cases/sorting/docs/plan.pdf")).unwrap();
    big.set_len(25 * 1024 * 1024).unwrap();
    drop(big);
    let default = check_and_build_fail_alike(&lib);
    assert!(
        default.stderr.contains("`docs/plan.pdf` 有 25 MiB，超过了站点发布文件的大小上限 20 MiB"),
        "{}",
        default.stderr
    );
    fs::write(lib.path("cases/sorting/docs/plan.pdf"), b"%PDF-1.4\n").unwrap();
    lib.write("casebook.toml", format!("{}max_attachment_size = 64\n", lib.read("casebook.toml")));
    // The same limit for the documents of static/.
    lib.write("static/report.txt", "r".repeat(100));
    lib.edit("casebook.toml", "languages = [\"zh-CN\", \"en\"]", "languages = [\"en\", \"zh-CN\"]");
    let set = check_and_build_fail_alike(&lib);
    snapshot("bundle_too_large", &format!("{}{}", default.transcript(), set.transcript()));
}

#[test]
fn links_out_of_the_case_s_folder_and_to_markdown_files_are_errors() {
    let lib = Lib::fixture("bundles");
    lib.write(
        "cases/district/beta.md",
        format!(
            "{}\nSee [Alpha's file](../alpha.md), [the plan](../sorting/docs/plan.pdf) and [a draft](notes.md).\n",
            lib.read("cases/district/beta.md")
        ),
    );
    let run = check_and_build_fail_alike(&lib);
    snapshot("bundle_link_outside", &run.transcript());
}

#[test]
fn a_file_in_a_bundle_no_case_links_to_is_pointed_out_and_not_published() {
    let lib = Lib::fixture("bundles");
    lib.write("cases/sorting/interview.mp3", b"ID3");
    lib.write("cases/sorting/docs/draft.docx", b"PK");
    // Beside a case that is no bundle, a file is the folder's, not the case's: no warning.
    lib.write("cases/district/notes.txt", "not linked");
    let check = lib.check(&[]);
    assert_eq!(check.code, 0, "warnings only: {}", check.stderr);
    let build = build_run(&lib, "site");
    assert_eq!(build.code, 0, "{}", build.stderr);
    let warnings =
        |run: &Run| run.stderr.split("\n\n").filter(|b| b.contains("warning[")).collect::<Vec<_>>().join("\n\n");
    assert_eq!(warnings(&check), warnings(&build), "check and build warn alike");
    for unpublished in ["cases/sorting/interview.mp3", "cases/sorting/docs/draft.docx", "cases/beta/notes.txt"] {
        assert!(!lib.outside("site").join(unpublished).exists(), "{unpublished}");
    }
    snapshot("bundle_unlinked_file", &check.transcript());
}

#[test]
fn links_of_casebook_s_own_written_in_raw_html_are_pointed_out() {
    let lib = Lib::fixture("bundles");
    let html = "\n<figure><img src=\"bins.png\" alt=\"bins\"><figcaption>As at <a href=\"case:alpha\">Alpha</a> \
                (<a href=\"https://example.org\">the web</a>, <a href=\"#points\">above</a>)</figcaption></figure>\n";
    lib.write("cases/sorting/index.md", format!("{}{html}", lib.read("cases/sorting/index.md")));
    let check = lib.check(&[]);
    let build = build_run(&lib, "site");
    assert_eq!((check.code, build.code), (0, 0), "warnings only:\n{}", check.stderr);
    assert_eq!(check.stderr.matches("warning[raw-html-link]").count(), 2, "{}", check.stderr);
    assert_eq!(build.stderr.matches("warning[raw-html-link]").count(), 2, "{}", build.stderr);
    lib.edit("casebook.toml", "languages = [\"zh-CN\", \"en\"]", "languages = [\"en\", \"zh-CN\"]");
    snapshot("bundle_raw_html", &format!("{}{}", check.transcript(), lib.check(&[]).transcript()));
}
