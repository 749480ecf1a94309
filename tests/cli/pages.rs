//! What a built site contains: a library's templates override the built-in ones, a base path
//! changes only the files that must know it, both UI languages, every page kind, pagination
//! of long term pages, and a fourth vocabulary picked up with no code change.

use std::collections::BTreeSet;

use crate::support::generate::generate;
use crate::support::html::{link_problems, scan, xml_root, URL_ATTRS};
use crate::support::{build, differences, fail_if_any, pages, read, stderr, tree, Lib};

/// The distinct case ids a page links to (`../cases/ID.html`, with or without a fragment).
fn linked_cases(html: &str, prefix: &str) -> BTreeSet<String> {
    scan(html)
        .iter()
        .filter(|t| t.name == "a")
        .filter_map(|t| t.attr("href"))
        .filter_map(|h| h.strip_prefix(prefix))
        .filter_map(|h| h.split('#').next().and_then(|h| h.strip_suffix(".html")))
        .filter(|id| *id != "index" && !id.starts_with("index-"))
        .map(str::to_string)
        .collect()
}

fn hrefs(html: &str) -> BTreeSet<String> {
    scan(html).iter().filter_map(|t| t.attr("href").map(str::to_string)).collect()
}

fn slug(s: &str) -> String {
    let lower: String = s.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    lower.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-")
}

// ---------------------------------------------------------------------------------------------
// Template overrides
// ---------------------------------------------------------------------------------------------

/// A library's `templates/about.html` replaces the built-in one; a template error names the
/// template file and line, and no site is written.
#[test]
fn site_template_override() {
    let lib = Lib::shipped();
    lib.write(
        "templates/about.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<h1 id=\"our-about\">About our own library</h1>\n{% endblock content %}\n",
    );
    let site = lib.build("site", &[]);
    let about = read(&site, "about.html");
    assert!(about.contains("<h1 id=\"our-about\">About our own library</h1>"), "the override is used");
    assert!(about.contains("assets/style.css"), "the override still extends the built-in base.html");
    assert!(read(&site, "index.html").contains("about.html"), "other pages are built as usual");

    lib.write(
        "templates/about.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<p>fine</p>\n<p>{{ no_such_variable }}</p>\n{% endblock content %}\n",
    );
    let out = lib.outside("site2");
    let o = build(&lib.root(), &out, &[]);
    assert_eq!(o.status.code(), Some(1), "a template error is a content error:\n{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("templates/about.html:4"), "names the template and line 4:\n{err}");
    assert!(err.contains("no_such_variable"), "names the variable:\n{err}");
    assert!(!out.exists(), "no site is written");
}

// ---------------------------------------------------------------------------------------------
// Sub-path
// ---------------------------------------------------------------------------------------------

/// `--base-path /kb/` changes only what needs absolute URLs: sitemap, feed and 404 page.
#[test]
fn site_base_path_changes_only_sitemap_feed_and_404() {
    let lib = Lib::shipped();
    let plain = lib.build("plain", &[]);
    let kb = lib.build("kb", &["--base-path", "/kb/"]);
    let diff = differences(&tree(&plain), &tree(&kb));
    let allowed = ["sitemap.xml", "feed.xml", "404.html", ".casebook-site"];
    let unexpected: Vec<String> = diff.iter().filter(|d| !allowed.contains(&d.as_str())).cloned().collect();
    fail_if_any("files that depend on the base path", &unexpected);

    let sitemap = read(&kb, "sitemap.xml");
    assert!(sitemap.contains("/kb/cases/"), "sitemap.xml uses the base path:\n{sitemap}");
    assert!(!read(&plain, "sitemap.xml").contains("/kb/"));
    assert!(read(&kb, "feed.xml").contains("/kb/cases/"), "feed.xml uses the base path");
    for (label, site, base) in [("default", &plain, "/"), ("--base-path", &kb, "/kb/")] {
        let not_found = read(site, "404.html");
        for t in scan(&not_found) {
            for (attr, value) in &t.attrs {
                if URL_ATTRS.contains(&attr.as_str()) && !value.starts_with('#') {
                    assert!(
                        value.starts_with(base),
                        "{label}: 404.html is served at any depth, so its links start with {base}: {}",
                        t.raw
                    );
                }
            }
        }
    }
    fail_if_any("links under /kb/", &link_problems(&kb));
}

// ---------------------------------------------------------------------------------------------
// Languages
// ---------------------------------------------------------------------------------------------

#[test]
fn site_ui_language() {
    let lib = Lib::shipped();
    let zh = lib.build("zh", &[]);
    let index = read(&zh, "index.html");
    assert!(index.contains("<html lang=\"zh-CN\">"), "default language zh-CN");
    assert!(index.contains(">地区</a>"), "Chinese navigation");

    lib.write("casebook.toml", "language = \"en\"\n");
    let en = lib.build("en", &[]);
    for (page, html) in pages(&en) {
        assert!(html.contains("<html lang=\"en\">"), "{page}: <html lang=\"en\">");
    }
    let index = read(&en, "index.html");
    assert!(index.contains(">Places</a>") && index.contains(">Matrix</a>"), "English navigation");
    assert!(!index.contains(">地区</a>"), "no Chinese navigation in the English UI");
}

// ---------------------------------------------------------------------------------------------
// Every page kind
// ---------------------------------------------------------------------------------------------

#[test]
fn site_has_every_page_kind() {
    let lib = Lib::shipped();
    let site = lib.build("site", &[]);

    let json: serde_json::Value = serde_json::from_str(&read(&site, "cases.json")).expect("cases.json is JSON");
    let cases = json["cases"].as_array().expect("cases.json has `cases`");
    assert_eq!(cases.len(), 5, "the shipped library has five cases");
    let mut expected: Vec<String> = [
        "index.html",
        "matrix.html",
        "about.html",
        "404.html",
        "search.html",
        "sitemap.xml",
        "feed.xml",
        "cases.json",
        "places/index.html",
        "cases/index.html",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for c in cases {
        let id = c["id"].as_str().expect("case id");
        assert!(c["title"].as_str().is_some_and(|t| !t.is_empty()), "{id}: title");
        assert!(c["tags"]["forces"].as_array().is_some_and(|f| !f.is_empty()), "{id}: tags.forces");
        let sections = c["sections"].as_array().expect("sections");
        assert!(!sections.is_empty(), "{id}: sections");
        let page = read(&site, &format!("cases/{id}.html"));
        let ids: BTreeSet<String> = scan(&page).iter().filter_map(|t| t.attr("id").map(str::to_string)).collect();
        for s in sections {
            let anchor = s["anchor"].as_str().expect("sections[].anchor");
            assert!(ids.contains(anchor), "cases/{id}.html has no id {anchor}");
        }
        expected.push(format!("cases/{id}.html"));
        let province = slug(c["place"]["province"].as_str().expect("place.province"));
        expected.push(format!("places/{province}.html"));
        if let Some(city) = c["place"]["city"].as_str() {
            expected.push(format!("places/{province}/{}.html", slug(city)));
        }
    }
    let vocabularies = json["vocabularies"].as_array().expect("vocabularies");
    let mut problems = Vec::new();
    for v in vocabularies {
        let name = v["name"].as_str().unwrap();
        expected.push(format!("{name}/index.html"));
        for t in v["terms"].as_array().unwrap() {
            expected.push(format!("{name}/{}.html", t["id"].as_str().unwrap()));
        }
        if name == "problems" {
            problems = v["terms"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_string()).collect();
        }
    }
    for name in ["forces", "practices", "problems"] {
        assert!(vocabularies.iter().any(|v| v["name"] == name), "vocabulary {name} in cases.json");
    }
    let missing: Vec<String> = expected.into_iter().filter(|p| !site.join(p).is_file()).collect();
    fail_if_any("missing pages", &missing);

    for xml in ["sitemap.xml", "feed.xml"] {
        let root = xml_root(&read(&site, xml)).unwrap_or_else(|e| panic!("{xml} is not well-formed: {e}"));
        assert_eq!(root, if xml == "feed.xml" { "rss" } else { "urlset" });
    }
    let feed = read(&site, "feed.xml");
    assert_eq!(feed.matches("<item>").count(), 5, "one feed item per case");
    assert!(!feed.contains("1970"), "no invented date");

    // Start from a problem: one click from the home page to the problem, a second to the
    // excerpt in its case.
    assert_eq!(problems.len(), 7, "the shipped taxonomy has seven problems");
    let home = hrefs(&read(&site, "index.html"));
    for p in &problems {
        assert!(home.contains(&format!("problems/{p}.html")), "index.html links to problems/{p}.html");
        let page = read(&site, &format!("problems/{p}.html"));
        let excerpts: Vec<String> =
            hrefs(&page).into_iter().filter(|h| h.starts_with("../cases/") && h.contains(".html#")).collect();
        assert!(!excerpts.is_empty(), "problems/{p}.html links to no excerpt (../cases/ID.html#anchor)");
        for h in excerpts {
            let (file, anchor) = h.trim_start_matches("../").split_once('#').unwrap();
            let target = read(&site, file);
            assert!(target.contains(&format!("id=\"{anchor}\"")), "problems/{p}.html → {h}: no such anchor");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Pagination
// ---------------------------------------------------------------------------------------------

/// 120 cases with one practice: its page is split into pages of at most 50, linked together.
#[test]
fn site_paginates_long_term_pages() {
    let lib = Lib::empty();
    generate(&lib, 120, true);
    let site = lib.build("site", &[]);
    let files =
        ["practices/shared-practice.html", "practices/shared-practice-2.html", "practices/shared-practice-3.html"];
    assert!(!site.join("practices/shared-practice-4.html").exists(), "120 cases at 50 a page make 3 pages");
    let mut seen = BTreeSet::new();
    for (n, file) in files.iter().enumerate() {
        let html = read(&site, file);
        let linked = linked_cases(&html, "../cases/");
        assert!(!linked.is_empty() && linked.len() <= 50, "{file}: {} cases (1..=50 expected)", linked.len());
        assert!(linked.is_disjoint(&seen), "{file} repeats cases of an earlier page");
        seen.extend(linked);
        let links = hrefs(&html);
        for (m, other) in files.iter().enumerate() {
            if m != n {
                let name = other.rsplit('/').next().unwrap();
                assert!(links.contains(name), "{file} links to {name} (pager)");
            }
        }
    }
    assert_eq!(seen.len(), 120, "the three pages together list every case once");
    fail_if_any("links", &link_problems(&site));
}

// ---------------------------------------------------------------------------------------------
// A fourth vocabulary
// ---------------------------------------------------------------------------------------------

#[test]
fn site_picks_up_a_fourth_vocabulary() {
    let lib = Lib::fixture("site-fields");
    let site = lib.build("site", &[]);
    for page in [
        "fields/index.html",
        "fields/residential-compound.html",
        "fields/property-management.html",
        "fields/office-building.html",
    ] {
        assert!(site.join(page).is_file(), "{page} is missing");
    }
    assert!(
        hrefs(&read(&site, "index.html")).contains("fields/index.html"),
        "the navigation links to fields/index.html"
    );
    assert!(
        hrefs(&read(&site, "cases/compound.html")).contains("../fields/property-management.html"),
        "the case links to its field"
    );
    let field = read(&site, "fields/property-management.html");
    assert!(
        hrefs(&field).contains("../cases/compound.html#red-property"),
        "the field page shows the excerpt of the tagged section"
    );
    assert!(field.contains("joint meeting every month"), "with its text");
    fail_if_any("links", &link_problems(&site));
}

// ---------------------------------------------------------------------------------------------
// Hostile markup in case bodies
// ---------------------------------------------------------------------------------------------

/// The HTML of every excerpt on the term pages of `site`, with the page it is on.
fn excerpts(site: &std::path::Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (page, html) in pages(site) {
        for part in html.split("<div class=\"prose\">").skip(1) {
            let Some(end) = part.find("<p class=\"in-context") else { continue };
            let inner = part[..end].trim_end().strip_suffix("</div>").expect("an excerpt ends its prose div");
            out.push((page.clone(), inner.to_string()));
        }
    }
    out
}

/// Why `html` (serialized, quoted attributes) is not balanced: an element opened and not
/// closed in it, or an end tag that closes nothing opened in it.
fn unbalanced(html: &str) -> Option<String> {
    const VOID: [&str; 8] = ["br", "hr", "img", "input", "wbr", "col", "source", "area"];
    let mut open: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let end = rest.find('>')?;
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        let name = |t: &str| t.split([' ', '/', '\n']).next().unwrap_or("").to_ascii_lowercase();
        if let Some(closed) = tag.strip_prefix('/') {
            match open.pop() {
                Some(o) if o == name(closed) => {}
                o => return Some(format!("</{}> closes {o:?}", name(closed))),
            }
        } else if !VOID.contains(&name(tag).as_str()) && !tag.ends_with('/') {
            open.push(name(tag));
        }
    }
    (!open.is_empty()).then(|| format!("left open: {open:?}"))
}

/// An element left open (or closed) across a section boundary by raw HTML stays inside the
/// case page: each excerpt on a term page is balanced on its own, so nothing of it spreads over
/// the other excerpts or the page (review row #19).
#[test]
fn site_excerpts_are_balanced_on_their_own() {
    let lib = Lib::fixture("basic");
    lib.edit(
        "cases/alpha.md",
        "like [Beta](case:beta).",
        "like [Beta](case:beta).\n\n<a href=\"https://evil.example/\">\n\n<strong><em><code>\n\nStill open.",
    );
    let site = lib.build("site", &[]);
    let all = excerpts(&site);
    assert!(all.iter().any(|(_, x)| x.contains("Still open.")), "the excerpt keeps its text: {all:?}");
    let problems: Vec<String> =
        all.iter().filter_map(|(page, x)| unbalanced(x).map(|why| format!("{page}: {why} in {x}"))).collect();
    fail_if_any("unbalanced excerpts", &problems);
    let term = read(&site, "practices/party-building-alliance.html");
    assert_eq!(term.matches("https://evil.example/").count(), 1, "one link, inside the excerpt:\n{term}");
}

/// Random raw tags opened and closed around tagged sections (a seeded generator, as in
/// fuzz.rs): every excerpt on every term page is balanced, and a build never fails.
#[test]
fn fuzz_excerpts_are_balanced() {
    let plan = crate::support::fuzz_plan(0x5EC7_10B5);
    let lib = Lib::fixture("basic");
    let mut rng = crate::support::Rng(plan.seed);
    const BITS: [&str; 22] = [
        "<a href=\"https://e.example/\">",
        "</a>",
        "<strong>",
        "</strong>",
        "<em>",
        "</em>",
        "<div>",
        "</div>",
        "<code>",
        "</code>",
        "<details>",
        "</details>",
        "<ul><li>",
        "</li></ul>",
        "<p>",
        "</p>",
        "<table><tr><td>",
        "</td></tr></table>",
        "**",
        "*",
        "word ",
        "\n\n",
    ];
    let cases = (plan.iterations / 10).max(5);
    for n in 0..cases {
        let mut case = crate::support::case_like_alpha(&format!("fuzz-{n}"))
            .replace("{#background}", "{#background practice=party-building-alliance}")
            .replace("{#results}", "{#results practice=party-building-alliance}");
        for heading in ["## Practice", "## Results"] {
            let noise: String = (0..rng.below(12)).map(|_| *rng.pick(&BITS)).collect();
            case = case.replacen(heading, &format!("{noise}\n\n{heading}"), 1);
        }
        let noise: String = (0..rng.below(12)).map(|_| *rng.pick(&BITS)).collect();
        lib.write(&format!("cases/fuzz-{n}.md"), format!("{case}\n{noise}\n"));
    }
    let site = lib.build("site", &[]);
    let all = excerpts(&site);
    assert!(all.len() >= 3 * cases, "every fuzz case shows three excerpts: {}", all.len());
    let problems: Vec<String> =
        all.iter().filter_map(|(page, x)| unbalanced(x).map(|why| format!("{page}: {why} in {x}"))).collect();
    fail_if_any(&format!("unbalanced excerpts (seed {:#x})", plan.seed), &problems);
}

/// A literal raw-text tag in prose (`<style>`, `<script>`, `<textarea>`, …) is shown as text,
/// and everything after it stays on the page (review row #22).
#[test]
fn site_raw_text_tags_in_prose_keep_the_rest() {
    let lib = Lib::fixture("basic");
    let tags = ["style", "script", "textarea", "title", "xmp", "noscript", "iframe", "plaintext"];
    for t in tags {
        let case = crate::support::case_like_alpha(&format!("raw-{t}")).replacen(
            "worked separately.",
            &format!("worked separately. The office wrote \"<{t}>\" on the form."),
            1,
        );
        lib.write(&format!("cases/raw-{t}.md"), case);
    }
    let site = lib.build("site", &[]);
    for t in tags {
        let page = read(&site, &format!("cases/raw-{t}.html"));
        assert!(page.contains(&format!("&lt;{t}&gt;")), "<{t}> is shown as text");
        for kept in ["<h2 id=\"alliance\">", "<h2 id=\"results\">", "The units now meet every month."] {
            assert!(page.contains(kept), "after <{t}>, {kept:?} is still on the page");
        }
        assert!(!page.contains("&lt;h2"), "after <{t}>, the rest is not shown as escaped source");
    }
}

/// Remote images, in Markdown or raw HTML, protocol-relative or not, become links to the
/// image; no page holds an `<img>` that loads from outside (review row #18).
#[test]
fn site_remote_images_become_links() {
    let lib = Lib::fixture("basic");
    lib.edit(
        "cases/alpha.md",
        "The units now meet every month.",
        "The units now meet every month. ![md-pr](//evil.example/a.png) ![md-bs](/\\evil.example/b.png) \
         ![md-http](http://evil.example/c.png) <img src=\"//evil.example/d.png\" alt=\"raw-pr\"> \
         <img src=\"http://evil.example/e.png\"> <img src=\"https://evil.example/f.png\" alt=\"<b>x</b>\">",
    );
    let site = lib.build("site", &[]);
    for (page, html) in pages(&site) {
        for t in scan(&html).iter().filter(|t| t.name == "img") {
            assert!(!t.attr("src").unwrap_or("").contains("evil.example"), "{page}: live remote image {}", t.raw);
        }
    }
    let case = read(&site, "cases/alpha.html");
    for link in [
        "//evil.example/a.png",
        "/%5Cevil.example/b.png",
        "http://evil.example/c.png",
        "//evil.example/d.png",
        "http://evil.example/e.png",
        "https://evil.example/f.png",
    ] {
        assert!(hrefs(&case).contains(link), "a link to {link}:\n{case}");
    }
    assert!(case.contains(">raw-pr</a>") && case.contains(">md-pr</a>"), "the alt text is the link text");
    assert!(case.contains(">&lt;b&gt;x&lt;/b&gt;</a>"), "alt text stays text");
}

/// 40,000 nested `<div>` in a tagged section build, with the text inside and after them on the
/// case page and in the excerpt; elements deeper than browsers nest (512) lose their tags, not
/// their content (review row #35: html5ever's cost grows with the depth of each new element,
/// so the depth is capped before the sanitizer sees it).
#[test]
fn site_deeply_nested_raw_html_builds() {
    let lib = Lib::fixture("basic");
    let n = 40_000;
    lib.edit(
        "cases/alpha.md",
        "like [Beta](case:beta).",
        &format!("like [Beta](case:beta).\n\n{}deep text{}\n\nAfter the divs.", "<div>".repeat(n), "</div>".repeat(n)),
    );
    let site = lib.build("site", &[]);
    let case = read(&site, "cases/alpha.html");
    let body = &case[case.find("<h2 id=\"alliance\">").expect("the section")..];
    let body = &body[..body.find("<h2 id=\"results\">").expect("the next section")];
    assert!(body.contains("deep text") && case.contains("After the divs."), "the text survives");
    assert!(case.contains("<h2 id=\"results\">") && case.contains("The units now meet every month."));
    let opened = body.matches("<div>").count();
    assert!((500..=512).contains(&opened), "{opened} nested <div> kept (at most 512)");
    assert_eq!(body.matches("</div>").count(), opened, "each kept <div> is closed");
    let excerpt = excerpts(&site).into_iter().find(|(_, x)| x.contains("deep text")).expect("the excerpt");
    assert_eq!(unbalanced(&excerpt.1), None, "the excerpt is balanced");
    assert!(excerpt.1.contains("After the divs."), "the excerpt shows the whole section");
}

#[test]
fn a_source_links_a_document_of_files_which_the_site_publishes() {
    let lib = Lib::fixture("basic");
    lib.write("static/notes/field-notes.txt", "Field notes, 2024: the units meet every month.\n");
    lib.edit(
        "cases/alpha.md",
        "  - \"Field notes, 2024\"",
        "  - \"[Field notes, 2024](static:notes/field-notes.txt), kept by the street\"",
    );
    let site = lib.build("site", &[]);
    assert_eq!(read(&site, "static/notes/field-notes.txt"), "Field notes, 2024: the units meet every month.\n");
    let page = read(&site, "cases/alpha.html");
    assert!(
        page.contains(
            r#"<li><a href="../static/notes/field-notes.txt">Field notes, 2024</a>, kept by the street</li>"#
        ),
        "{page}"
    );
    let about = read(&site, "about.html");
    assert!(about.contains(r#"<a href="static/notes/field-notes.txt">notes/field-notes.txt</a>"#), "{about}");
    // A link to a document that is not there is an error where it is written.
    lib.edit("cases/alpha.md", "static:notes/field-notes.txt", "static:notes/feild-notes.txt");
    let run = lib.check(&[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(
            "error[broken-link]: link to `notes/feild-notes.txt`, which is not in static/\n  --> cases/alpha.md:15:26\n"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("did you mean `static:notes/field-notes.txt`?"), "{}", run.stderr);
}
