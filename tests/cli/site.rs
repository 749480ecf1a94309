//! The qualities of a site built by `casebook build`: it loads nothing from outside and its
//! links resolve, it satisfies its own Content-Security-Policy, a case's raw HTML never
//! scripts or styles a page, it is byte-identical from build to build, and it is replaced
//! atomically (a failed build leaves the previous site as it was).
//!
//! Each test builds a real library (the shipped `cases/`, a fixture under
//! `tests/fixtures/site-*/`, or a generated one) with the real binary and inspects the files it
//! wrote with `support::html`, not a browser: the browser and validator checks live in
//! `scripts/check-html.sh` and `browser.rs`.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use crate::support::generate::generate;
use crate::support::html::{csp_problems, is_script_url, link_problems, scan, scheme, xml_root, URL_ATTRS};
use crate::support::{build, build_ok, differences, fail_if_any, pages, read, stderr, tree, Lib};

// ---------------------------------------------------------------------------------------------
// Links resolve, nothing is loaded from outside
// ---------------------------------------------------------------------------------------------

/// Every link of the shipped site is relative and resolves, every anchor exists, and nothing is
/// loaded from outside: the site works from a shared drive and under any sub-path.
#[test]
fn site_is_self_contained() {
    let lib = Lib::shipped();
    let site = lib.build("site", &[]);
    assert!(site.join("404.html").is_file(), "404.html is missing");
    fail_if_any("links", &link_problems(&site));

    let mut problems = Vec::new();
    for (page, html) in pages(&site) {
        for t in scan(&html) {
            for (attr, value) in &t.attrs {
                let lower = value.to_ascii_lowercase();
                if URL_ATTRS.contains(&attr.as_str())
                    && (lower.contains("http:") || lower.contains("https:") || lower.trim_start().starts_with("//"))
                {
                    problems.push(format!("{page}: external URL in {}", t.raw));
                }
            }
        }
    }
    for (path, bytes) in tree(&site) {
        let text = String::from_utf8_lossy(&bytes);
        if path.starts_with("assets/") && path.ends_with(".css") {
            if text.contains("@import") {
                problems.push(format!("{path}: @import"));
            }
            for (k, _) in text.match_indices("url(") {
                let target = text[k + 4..].trim_start_matches(['"', '\'', ' ']);
                if !target.starts_with("data:") && (scheme(target).is_some() || target.starts_with('/')) {
                    problems.push(format!("{path}: non-relative url({})", target.chars().take(40).collect::<String>()));
                }
            }
        }
        if path.starts_with("assets/") && path.ends_with(".js") {
            // The search index is loaded by <script> (file:// allows nothing else): no network API.
            for api in
                ["fetch(", "XMLHttpRequest", "WebAssembly", "WebSocket", "EventSource", "sendBeacon", "importScripts"]
            {
                // A whole identifier only: `prefetch(` is not `fetch(`.
                let used = text.match_indices(api).any(|(i, _)| {
                    !text[..i].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$')
                });
                if used {
                    problems.push(format!("{path}: uses {api}"));
                }
            }
        }
    }
    fail_if_any("external resources", &problems);
}

// ---------------------------------------------------------------------------------------------
// Content-Security-Policy
// ---------------------------------------------------------------------------------------------

/// Every page declares a strict CSP and has nothing inline that the CSP would block.
#[test]
fn site_pages_satisfy_their_strict_csp() {
    let lib = Lib::shipped();
    let site = lib.build("site", &[]);
    fail_if_any("CSP", &csp_problems(&site));
}

// ---------------------------------------------------------------------------------------------
// Sanitized
// ---------------------------------------------------------------------------------------------

#[test]
fn site_term_excerpts_match_the_case_page() {
    // Excerpts are cut out of the rendered case body: a reference link defined at the end of
    // the body works in them. A tagged heading inside a list still gives a whole excerpt.
    let lib = Lib::fixture("site-fields");
    let head = |id: &str| {
        format!(
            "---\nid: {id}\ntitle: {id}\nplace:\n  province: Fujian\nlevel: community\nforces: [mass-cohesion]\n\
             practices: [red-property]\nproblems: [mass-cohesion-weak]\nsummary: Excerpts.\nsources: [\"Notes\"]\n---\n\n"
        )
    };
    lib.write(
        "cases/refs.md",
        head("refs")
            + "## Property {#property practice=red-property}\n\nSee the [charter][c] and the table[^n]:\n\n\
               | a | b |\n|---|--:|\n| 1 | 2 |\n\n### Detail {#detail}\n\nAs in [the background](#other).\n\n\
               ## Other {#other}\n\nUntagged.\n\n[c]: https://example.org/charter\n\n[^n]: A note.\n",
    );
    lib.write(
        "cases/nested.md",
        head("nested")
            + "## Other {#other}\n\n- item\n\n  ### Nested {#nested practice=red-property}\n\n  Nested text.\n",
    );
    let site = lib.build("site", &[]);
    let case = read(&site, "cases/refs.html");
    let term = read(&site, "practices/red-property.html");
    let link = "<a href=\"https://example.org/charter\">charter</a>";
    assert!(case.contains(link), "the case page resolves the reference link");
    assert!(term.contains(link), "so does its excerpt on the practice page");
    assert!(term.contains("<td class=\"ar\">2</td>"), "table alignment survives in the excerpt");
    assert!(!term.contains("Untagged."), "an excerpt stops where its section ends");
    assert!(term.contains("href=\"../cases/refs.html#other\""), "a link to another section leads to the case page");
    assert!(term.contains("href=\"../cases/refs.html#fn-n\""), "so does a footnote reference");
    assert!(case.contains("href=\"#fnref-n\" class=\"footnote-back\""), "the note links back to its reference");
    assert!(case.contains("id=\"detail\"") && !term.contains("id=\"detail\""), "ids stay on the case page");
    assert!(term.contains("Nested text."), "the nested section is excerpted too");
    let nested = read(&site, "cases/nested.html");
    for page in [&case, &term, &nested] {
        assert!(!page.contains('\u{E000}'), "no internal marker leaks");
        for tag in ["ul", "li", "table", "div", "section"] {
            assert_eq!(
                page.matches(&format!("<{tag}>")).count() + page.matches(&format!("<{tag} ")).count(),
                page.matches(&format!("</{tag}>")).count(),
                "<{tag}> balanced"
            );
        }
    }
}

/// A case that tries every way to get script or style into the site gets none through; its
/// front matter is shown as text; harmless markup (details, tables, an outside link) survives.
#[test]
fn site_sanitizes_hostile_case_content() {
    let lib = Lib::fixture("site-hostile");
    let site = lib.build("site", &[]);
    fail_if_any("CSP", &csp_problems(&site));

    let mut problems = Vec::new();
    for (page, html) in pages(&site) {
        let tags = scan(&html);
        let lower = html.to_ascii_lowercase();
        let our_scripts =
            tags.iter().filter(|t| t.name == "script" && t.attr("src").is_some_and(|s| s.contains("assets/"))).count();
        if lower.matches("<script").count() != our_scripts {
            problems.push(format!(
                "{page}: {} <script, of which {our_scripts} are casebook's assets",
                lower.matches("<script").count()
            ));
        }
        for bad in ["<iframe", "<object", "<embed", "<style", "<base", "<frame", "<applet", "<svg onload", "<math"] {
            if lower.contains(bad) {
                problems.push(format!("{page}: raw {bad}"));
            }
        }
        // Front matter is escaped text, so words like `onerror` may appear between tags and in
        // attribute values (a description, a facet label); as attribute names, never.
        let names: String = tags.iter().flat_map(|t| t.attrs.iter().map(|(n, _)| format!(" {n}="))).collect();
        for bad in [" onerror=", " onload=", " onclick=", " onmouseover=", " style=", " formaction=", " xlink:href="] {
            if names.contains(bad) {
                problems.push(format!("{page}: attribute `{}` in the markup", bad.trim()));
            }
        }
        for t in &tags {
            match t.name.as_str() {
                "meta" if t.attr("http-equiv").is_some_and(|v| v.eq_ignore_ascii_case("refresh")) => {
                    problems.push(format!("{page}: meta refresh"))
                }
                // The theme's own links: its style sheet, the pages in other languages, its icon.
                "link" if !theme_link(t.attr("rel"), t.attr("href")) => problems.push(format!("{page}: {}", t.raw)),
                "form" if !t.attr("action").is_some_and(|a| a.ends_with("search.html")) => {
                    problems.push(format!("{page}: {}", t.raw))
                }
                "input" | "button" if t.attr("formaction").is_some() => problems.push(format!("{page}: {}", t.raw)),
                _ => {}
            }
            for (attr, value) in &t.attrs {
                let squeezed: String = value
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control())
                    .collect::<String>()
                    .to_ascii_lowercase();
                if is_script_url(value)
                    || URL_ATTRS.contains(&attr.as_str())
                        && (squeezed.contains("javascript:") || squeezed.contains("vbscript:"))
                {
                    problems.push(format!("{page}: script URL in {attr} of {}", t.raw));
                }
                if URL_ATTRS.contains(&attr.as_str()) && scheme(value).is_some_and(|s| s == "data") {
                    problems.push(format!("{page}: data: URL in {}", t.raw));
                }
            }
        }
    }
    for xml in ["feed.xml", "sitemap.xml"] {
        let text = read(&site, xml).to_ascii_lowercase();
        for bad in ["<script", "<img", "<iframe", "<svg", "<style", "<a "] {
            if text.contains(bad) {
                problems.push(format!("{xml}: raw {bad}"));
            }
        }
        if let Err(e) = xml_root(&read(&site, xml)) {
            problems.push(format!("{xml} is not well-formed: {e}"));
        }
    }
    fail_if_any("hostile content", &problems);

    let case = read(&site, "cases/hostile.html");
    for escaped in [
        "&lt;script&gt;alert(",        // title
        "&lt;img src=x onerror=",      // title_zh and summary
        "&lt;svg onload=",             // place.province
        "&lt;a href=&#39;javascript:", // place.unit (escaped, harmless text)
        // sources (inline Markdown whose HTML is text: `<` escaped, quotes need not be)
        "&lt;a href=\"javascript:",
        "&lt;p style=\"color:red\"&gt;",
    ] {
        assert!(case.contains(escaped), "front matter should appear escaped as {escaped:?} in cases/hostile.html");
    }
    assert!(
        case.contains("<details><summary>More detail</summary>Hidden detail text.</details>"),
        "details/summary should survive"
    );
    assert!(
        case.contains("<table>") && case.contains("cell one") && case.contains("cell two"),
        "the table should survive"
    );
    assert!(case.contains("href=\"https://example.org/ok\""), "a plain outside link in the body should survive");
    assert!(case.contains("A styled paragraph."), "the text of a styled paragraph should survive without its style");
    let plain = read(&site, "cases/markdown-only.html");
    assert!(plain.contains("href=\"https://example.org/fine\""), "an outside link in plain Markdown survives");
    assert!(plain.contains("href=\"../cases/hostile.html#alliance\""), "a case: link becomes a relative link");
    let practice = read(&site, "practices/party-building-alliance.html");
    assert!(practice.contains("cell one"), "the practice excerpt should be the sanitized section");
}

// ---------------------------------------------------------------------------------------------
// Deterministic
// ---------------------------------------------------------------------------------------------

/// Two builds of the shipped library, a second apart, give byte-identical trees.
#[test]
fn site_build_is_deterministic_for_the_shipped_library() {
    let lib = Lib::shipped();
    let a = lib.build("a", &[]);
    // A second apart, so that a timestamp with one-second resolution shows up.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let b = lib.build("b", &[]);
    let (ta, tb) = (tree(&a), tree(&b));
    // Two empty or half-written trees would be equal too: both builds hold every case's page.
    let json: serde_json::Value = serde_json::from_slice(&ta["cases.json"]).expect("cases.json is JSON");
    let cases = json["cases"].as_array().expect("cases.json has `cases`");
    assert_eq!(cases.len(), 5, "the shipped library has five cases");
    for case in cases {
        // In each language's tree.
        for tree in ["", "en/"] {
            let page = format!("{tree}cases/{}.html", case["id"].as_str().expect("a case id"));
            assert!(ta.contains_key(&page) && tb.contains_key(&page), "{page} is missing");
        }
    }
    // The whole site: the server's index, which is not byte-stable, lives in the library's cache.
    assert!(ta.keys().all(|k| !k.contains("tantivy") && !k.starts_with(".casebook/")), "no server index in the site");
    assert!(lib.path(".casebook/index/casebook-index.json").is_file(), "the index is in the library's cache");
    fail_if_any("files that differ between two builds", &differences(&ta, &tb));
}

/// The same for 300 generated cases (parallel rendering, many pages, pagination).
#[test]
fn site_build_is_deterministic_for_300_cases() {
    let lib = Lib::empty();
    generate(&lib, 300, false);
    let a = lib.build("a", &[]);
    let b = lib.build("b", &[]);
    let (ta, tb) = (tree(&a), tree(&b));
    assert!(ta.keys().filter(|k| k.starts_with("cases/gen-")).count() == 300, "expected 300 case pages");
    fail_if_any("files that differ between two builds", &differences(&ta, &tb));
}

// ---------------------------------------------------------------------------------------------
// Atomic
// ---------------------------------------------------------------------------------------------

/// What a folder holds: names of its entries (to see leftovers of a failed build).
fn entries(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
}

/// A failed build — content error, template error, write error — leaves the previous site
/// byte-for-byte intact and no temporary folder behind.
#[test]
fn site_failed_build_leaves_previous_site_intact() {
    let lib = Lib::shipped();
    let parent = lib.outside("out");
    fs::create_dir_all(&parent).unwrap();
    let site = parent.join("site");
    build_ok(&lib.root(), &site, &[]);
    let before = tree(&site);
    assert!(before.contains_key(".casebook-site"), "the output carries its marker");
    let intact = |what: &str| {
        let now = tree(&site);
        let diff: Vec<String> =
            before.keys().chain(now.keys()).filter(|k| before.get(*k) != now.get(*k)).cloned().collect();
        fail_if_any(&format!("after {what}, files changed"), &diff);
        assert_eq!(entries(&parent), BTreeSet::from(["site".to_string()]), "after {what}, leftovers next to the site");
    };

    // A content error.
    let case = lib.root().join("cases/fujian/tianhu.md");
    let original = fs::read_to_string(&case).unwrap();
    fs::write(&case, original.replacen("forces: [", "forces: [no-such-force, ", 1)).unwrap();
    let o = build(&lib.root(), &site, &[]);
    assert_eq!(o.status.code(), Some(1), "a content error exits 1:\n{}", stderr(&o));
    assert!(stderr(&o).contains("cases/fujian/tianhu.md"), "the error names the file:\n{}", stderr(&o));
    intact("a content error");
    fs::write(&case, &original).unwrap();

    // A translation whose tagged section is not the original's.
    let translation = lib.root().join("cases/fujian/tianhu.zh.md");
    let translated = fs::read_to_string(&translation).unwrap();
    fs::write(&translation, translated.replacen("{#urban-big-party-building", "{#urban-party-building", 1)).unwrap();
    let o = build(&lib.root(), &site, &[]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a broken translation exits 1:
{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("cases/fujian/tianhu.zh.md"),
        "the error names the file:
{}",
        stderr(&o)
    );
    intact("a broken translation");
    fs::write(&translation, &translated).unwrap();

    // A broken template override.
    lib.write("templates/base.html", "<!DOCTYPE html>\n<html>\n{% if %}\n</html>\n");
    let o = build(&lib.root(), &site, &[]);
    assert_eq!(o.status.code(), Some(1), "a template syntax error exits 1:\n{}", stderr(&o));
    assert!(stderr(&o).contains("templates/base.html:3"), "the error names the template and its line:\n{}", stderr(&o));
    intact("a template error");
    fs::remove_dir_all(lib.root().join("templates")).unwrap();

    // A template that doubles a string forty times (a terabyte) stops at the page budget with
    // a message naming the template, instead of aborting on out-of-memory (attack #50).
    let doubling = "{% set s = \"0123456789abcdef\" %}".to_string() + &"{% set s = s ~ s %}".repeat(40);
    lib.write("templates/case.html", format!("{doubling}{{{{ s | length }}}}"));
    let o = build(&lib.root(), &site, &[]);
    assert_eq!(o.status.code(), Some(1), "a template over the memory budget exits 1:\n{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("error[template-memory]") && err.contains("templates/case.html"), "{err}");
    assert!(err.contains("MiB"), "the message says the budget: {err}");
    intact("a template that grows a string without end");
    fs::remove_dir_all(lib.root().join("templates")).unwrap();

    // A library's component that fails inside a built-in page (attack #48): the hint points at
    // the library's own file, not at casebook.
    let macros = include_str!("../../templates/macros.html").replacen(
        "{% if list -%}",
        "{{ list.nope.deeper }}{% if list -%}",
        1,
    );
    lib.write("templates/macros.html", &macros);
    let o = build(&lib.root(), &site, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("uses the library's own templates/macros.html") && !err.contains("please report"), "{err}");
    intact("a component of the library's that fails");
    fs::remove_dir_all(lib.root().join("templates")).unwrap();

    // A write error late in the build: a theme file whose folder takes the place of cases.json.
    lib.write("templates/cases.json/readme.txt", "in the way");
    let o = build(&lib.root(), &site, &[]);
    assert!(!o.status.success(), "a write error fails the build");
    intact("a write error");
    fs::remove_dir_all(lib.root().join("templates")).unwrap();

    // The site can still be rebuilt.
    build_ok(&lib.root(), &site, &[]);
    assert!(differences(&before, &tree(&site)).is_empty(), "the rebuilt site is the same");
}

/// `--out` below a regular file is an I/O error (exit 2) that touches nothing.
#[test]
fn site_out_under_a_file_is_an_io_error() {
    let lib = Lib::shipped();
    let file = lib.outside("notes.txt");
    fs::write(&file, "mine").unwrap();
    let o = build(&lib.root(), &file.join("site"), &[]);
    assert_eq!(o.status.code(), Some(2), "exit 2:\n{}", stderr(&o));
    assert_eq!(fs::read_to_string(&file).unwrap(), "mine");
    let o = build(&lib.root(), &file, &[]);
    assert_eq!(o.status.code(), Some(2), "--out naming a file: exit 2:\n{}", stderr(&o));
    assert_eq!(fs::read_to_string(&file).unwrap(), "mine");
}

/// `build` never replaces a non-empty folder it did not write.
#[test]
fn site_build_refuses_a_foreign_folder() {
    let lib = Lib::shipped();
    let mine = lib.outside("mine");
    fs::create_dir_all(&mine).unwrap();
    fs::write(mine.join("precious.txt"), "my own file").unwrap();
    let o = build(&lib.root(), &mine, &[]);
    assert_eq!(o.status.code(), Some(2), "exit 2:\n{}", stderr(&o));
    assert_eq!(entries(&mine), BTreeSet::from(["precious.txt".to_string()]));
    assert_eq!(fs::read_to_string(mine.join("precious.txt")).unwrap(), "my own file");
    assert_eq!(entries(lib.tmp.path()), BTreeSet::from(["lib".to_string(), "mine".to_string()]), "no leftovers");
}

/// A PID no process has (Linux's PIDs stay below 4,194,304): the leftovers of a killed build.
const DEAD: u32 = 4_194_305;

/// `cp -r site/. /var/www/` carries the marker into a web root full of other files: the next
/// build into it refuses (naming the file it would delete and what to do) and deletes nothing.
/// A site as built, and as `search` left it after rebuilding its index, is still replaced.
#[test]
fn site_build_keeps_the_files_of_a_folder_that_holds_a_copied_marker() {
    let lib = Lib::fixture("basic");
    let root = lib.root();
    let site = lib.build("site", &[]);
    let www = lib.outside("www");
    fs::create_dir_all(www.join("other-app")).unwrap();
    fs::write(www.join("other-app/important.txt"), "USER DATA").unwrap();
    crate::support::copy_dir(&site, &www);
    assert!(www.join(".casebook-site").is_file());
    let o = build(&root, &www, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "refused with exit 2:\n{err}");
    assert!(err.contains("other-app/") && err.contains("did not write"), "names what it would delete:\n{err}");
    assert!(err.contains("empty or new --out") && err.contains("remove the folder"), "says what to do:\n{err}");
    assert_eq!(fs::read_to_string(www.join("other-app/important.txt")).unwrap(), "USER DATA");

    // A page changed by hand is not casebook's either; removed pages are.
    fs::write(site.join("index.html"), "my own home page").unwrap();
    let o = build(&root, &site, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("index.html"), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(site.join("index.html")).unwrap(), "my own home page");
    fs::remove_file(site.join("index.html")).unwrap();
    build_ok(&root, &site, &[]);

    // An older casebook's marker lists nothing: refused, with the way out.
    let old = lib.outside("old");
    fs::create_dir_all(&old).unwrap();
    fs::write(old.join(".casebook-site"), "This folder is written by `casebook build`.\n").unwrap();
    fs::write(old.join("index.html"), "an old page").unwrap();
    let o = build(&root, &old, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("older casebook") && stderr(&o).contains("remove the folder"), "{}", stderr(&o));
    assert!(old.join("index.html").is_file());

    // `search` rebuilds the index, outside the site; the site stays casebook's.
    let root_arg = root.to_str().unwrap();
    lib.run_in(&root, &["build", "--root", root_arg]);
    fs::remove_file(lib.path(".casebook/index/casebook-index.json")).unwrap();
    let run = lib.run_in(&root, &["search", "separately", "--root", root_arg]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("rebuilt"), "{}", run.stderr);
    let run = lib.run_in(&root, &["build", "--root", root_arg]);
    assert_eq!(run.code, 0, "after search's rebuild, the site is still casebook's:\n{}", run.stderr);
}

/// A rebuild swaps the whole folder: the old site's files are gone, nothing temporary is left,
/// and folders that killed builds left (their PID is no longer alive) are removed.
#[test]
fn site_rebuild_replaces_the_old_site_whole_and_removes_dead_leftovers() {
    let lib = Lib::fixture("basic");
    let parent = lib.outside("out");
    fs::create_dir_all(&parent).unwrap();
    let site = parent.join("site");
    lib.write("cases/extra.md", crate::support::case_like_alpha("extra"));
    build_ok(&lib.root(), &site, &[]);
    assert!(site.join("cases/extra.html").is_file());
    for left in [format!(".site.casebook-tmp-{DEAD}"), format!(".site.casebook-tmp-{DEAD}.old")] {
        fs::create_dir_all(parent.join(&left).join("cases")).unwrap();
        fs::write(parent.join(&left).join("cases/x.html"), "half a build").unwrap();
    }
    lib.remove("cases/extra.md");
    build_ok(&lib.root(), &site, &[]);
    assert!(!site.join("cases/extra.html").exists(), "the old site's pages are gone");
    assert!(site.join("index.html").is_file());
    assert_eq!(entries(&parent), BTreeSet::from(["site".to_string()]), "no leftovers, dead builds' removed");
}

/// A killed `search` left its index rebuild behind (beside the index, in the library's cache):
/// the next search removes it, rebuilds the index there, and writes nothing in the site.
#[test]
fn site_search_removes_dead_index_rebuilds_and_leaves_the_site_alone() {
    let lib = Lib::fixture("basic");
    let root = lib.root();
    lib.build_in_place();
    let site = lib.path("site");
    let before = crate::support::tree(&site);
    assert!(before.keys().all(|k| !k.contains("tantivy")), "no server index in the site");
    let cache = root.join(".casebook");
    let dead = cache.join(format!(".index.tantivy-tmp-{DEAD}"));
    fs::create_dir_all(&dead).unwrap();
    fs::write(dead.join("segment.idx"), "half an index").unwrap();
    fs::remove_file(cache.join("index/casebook-index.json")).unwrap();
    let run = lib.search("separately", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("rebuilt") && run.stdout.contains("alpha"), "{}{}", run.stderr, run.stdout);
    assert!(!dead.exists(), "dead rebuilds are removed");
    assert_eq!(entries(&cache), BTreeSet::from(["index".to_string()]), "nothing temporary is left");
    assert!(crate::support::differences(&before, &crate::support::tree(&site)).is_empty(), "the site is untouched");
}

/// `search` in a library never built: it answers, and writes its index only (no `site/`).
#[test]
fn search_without_a_site_makes_its_index_and_no_site() {
    let lib = Lib::fixture("basic");
    let run = lib.search("separately", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("there was no search index") && run.stdout.contains("alpha"), "{}", run.stderr);
    assert!(!lib.path("site").exists(), "no partial site");
    assert!(lib.path(".casebook/index/casebook-index.json").is_file());
}

/// `--index-dir` naming a folder of someone else's files: refused, nothing deleted.
#[test]
fn an_index_dir_holding_other_files_is_refused_and_kept() {
    let lib = Lib::fixture("basic");
    let mine = lib.outside("notes");
    fs::create_dir_all(&mine).unwrap();
    fs::write(mine.join("todo.txt"), "mine").unwrap();
    let dir = mine.to_str().unwrap();
    for args in [&["search", "separately", "--index-dir", dir][..], &["build", "--index-dir", dir]] {
        let root = lib.root();
        let mut all = args.to_vec();
        all.extend(["--root", root.to_str().unwrap()]);
        let run = lib.run_in(&root, &all);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("is not a search index casebook wrote"), "{}", run.stderr);
        assert_eq!(entries(&mine), BTreeSet::from(["todo.txt".to_string()]), "{args:?}");
    }
    assert!(!lib.path("site").exists(), "a refused build writes no site");
}

/// The search index replaced by a file (attack #95): search names that path, deletes nothing
/// it did not write and says what to do; once the file is gone the index is rebuilt.
#[test]
fn site_search_with_its_index_replaced_by_a_file_says_what_to_remove() {
    let lib = Lib::fixture("basic");
    lib.build_in_place();
    let index = lib.path(".casebook/index");
    fs::remove_dir_all(&index).unwrap();
    fs::write(&index, "not an index").unwrap();
    let run = lib.search("separately", &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains(".casebook/index is not a search index casebook wrote"), "{}", run.stderr);
    assert!(run.stderr.contains("remove it yourself"), "{}", run.stderr);
    assert!(!run.stderr.contains("Not a directory"), "{}", run.stderr);
    assert_eq!(fs::read_to_string(&index).unwrap(), "not an index", "the file is not deleted");
    fs::remove_file(&index).unwrap();
    let run = lib.search("separately", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(index.join("casebook-index.json").is_file(), "the index is rebuilt");
}

/// A segment of the index cut short (attack #92): search fails with exit code 2, names the
/// index and says to remove it, and the next search rebuilds it.
#[test]
fn site_search_with_a_damaged_index_says_what_to_remove() {
    let lib = Lib::fixture("basic");
    lib.build_in_place();
    let index = lib.path(".casebook/index");
    let store = fs::read_dir(&index)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "store"))
        .unwrap();
    fs::OpenOptions::new().write(true).open(&store).unwrap().set_len(10).unwrap();
    let run = lib.search("separately", &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("looks damaged: remove that folder and search again") && !run.stderr.contains("panicked"),
        "{}",
        run.stderr
    );
    fs::remove_dir_all(&index).unwrap();
    let run = lib.search("separately", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("rebuilt"), "{}", run.stderr);
}

/// `--out` given as a symbolic link: the link stays, and the folder it leads to is updated.
#[test]
fn site_out_through_a_symlink_updates_its_target() {
    let lib = Lib::fixture("basic");
    let www = lib.outside("www");
    fs::create_dir_all(&www).unwrap();
    let kb = www.join("kb");
    build_ok(&lib.root(), &kb, &[]);
    let link = lib.outside("kblink");
    std::os::unix::fs::symlink(&kb, &link).unwrap();
    lib.write("cases/extra.md", crate::support::case_like_alpha("extra"));
    build_ok(&lib.root(), &link, &[]);
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link stays a link");
    assert!(kb.join("cases/extra.html").is_file(), "its target holds the new site");
    assert_eq!(entries(&www), BTreeSet::from(["kb".to_string()]), "no leftovers beside the target");
    let beside: Vec<String> = entries(lib.tmp.path()).into_iter().filter(|n| n.starts_with('.')).collect();
    assert!(beside.is_empty(), "nor beside the link: {beside:?}");
}

/// A mount point can never be renamed: `--out` naming one fails before anything is rendered,
/// and says what to do. (`/proc` is one wherever it exists.)
#[test]
fn site_out_that_is_a_mount_point_is_refused_at_once() {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let lib = Lib::fixture("basic");
    let o = build(&lib.root(), Path::new("/proc"), &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("/proc is a mount point") && err.contains("--out /proc/site"), "{err}");
}

/// Is a `<link>` one the theme writes: its style sheet, a page in another language, its icon?
fn theme_link(rel: Option<&str>, href: Option<&str>) -> bool {
    match rel {
        Some("stylesheet" | "alternate") => true,
        Some("icon") => href.is_some_and(|h| h.ends_with("assets/favicon.svg")),
        _ => false,
    }
}
