//! Tests of the Markdown renderer (kept apart: the renderer is long enough).

use super::*;

fn from(root: &'static str) -> LinkBase<'static> {
    LinkBase { root, assets: root, case: None }
}

#[test]
fn dangerous_urls_are_dropped() {
    assert_eq!(safe_url("javascript:alert(1)", from("")), "#");
    assert_eq!(safe_url("JaVaScRiPt:alert(1)", from("")), "#");
    assert_eq!(safe_url("java\tscript:alert(1)", from("")), "#");
    assert_eq!(safe_url(" javascript:alert(1)", from("")), "#");
    assert_eq!(safe_url("data:text/html,x", from("")), "#");
    assert_eq!(safe_url("https://example.org/a", from("")), "https://example.org/a");
    assert_eq!(safe_url("other.html#x", from("")), "other.html#x");
    assert_eq!(safe_url("case:tianhu#lessons", from("../")), "../cases/tianhu.html#lessons");
}

#[test]
fn a_case_s_own_files_and_documents_are_linked_from_the_site_s_root() {
    // A page of the English tree: the tree's root is `../`, the site's `../../`.
    let base = LinkBase { root: "../", assets: "../../", case: Some("sorting") };
    assert_eq!(safe_url("bins.png", base), "../../cases/sorting/bins.png");
    assert_eq!(safe_url("./docs/plan.pdf#page=2", base), "../../cases/sorting/docs/plan.pdf#page=2");
    assert_eq!(safe_url("my%20photo.png", base), "../../cases/sorting/my photo.png");
    assert_eq!(safe_url("100%25.png", base), "../../cases/sorting/100%25.png");
    assert_eq!(safe_url("static:report.pdf", base), "../../static/report.pdf");
    assert_eq!(safe_url("case:other", base), "../cases/other.html");
    assert_eq!(safe_url("#lessons", base), "#lessons");
    let html = markdown_to_html("![bins](bins.png) [plan](docs/plan.pdf)", "../", "../../");
    assert!(
        html.contains("src=\"bins.png\"") && html.contains("href=\"docs/plan.pdf\""),
        "no case, no rewrite: {html}"
    );
    let text = crate::model::CaseText {
        id: "sorting",
        path: "cases/sorting/index.md",
        body: "![Bins, sorted](bins.png)\n",
        sections: &[],
        lang: crate::config::Language::En,
        translated: false,
        sources: &[],
    };
    let html = case_html(text, LinkBase { root: "../", assets: "../", case: None }).body;
    assert_eq!(html, "<p><img src=\"../cases/sorting/bins.png\" alt=\"Bins, sorted\" /></p>\n");
}

#[test]
fn markdown_is_sanitized() {
    let html = markdown_to_html("Hi <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))\n\n<iframe src=\"https://e\"></iframe>\n", "", "");
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("onerror"), "{html}");
    assert!(!html.contains("javascript:"), "{html}");
    assert!(!html.contains("<iframe"), "{html}");
}

#[test]
fn remote_images_become_links_and_tables_use_classes() {
    let html = markdown_to_html(
        "![chart](https://cdn.example/c.png)\n\n| a | b | c | d |\n|:--|--:|:-:|---|\n| 1 | 2 | 3 | 4 |\n| 5 |\n",
        "",
        "",
    );
    assert!(!html.contains("<img"), "{html}");
    assert!(html.contains("<a href=\"https://cdn.example/c.png\">chart</a>"), "{html}");
    let cells = |tag: &str, texts: [&str; 4]| {
        format!(
            "<{tag} class=\"al\">{}</{tag}><{tag} class=\"ar\">{}</{tag}><{tag} class=\"ac\">{}</{tag}><{tag}>{}</{tag}>",
            texts[0], texts[1], texts[2], texts[3]
        )
    };
    assert!(html.contains(&cells("th", ["a", "b", "c", "d"])), "{html}");
    assert!(html.contains(&cells("td", ["1", "2", "3", "4"])), "{html}");
    // A short row: its cells still count from the first column.
    assert!(html.contains("<tr><td class=\"al\">5</td><td class=\"ar\"></td>"), "{html}");
    assert!(!html.contains("style="), "{html}");
}

#[test]
fn nesting_is_capped_and_content_kept() {
    let deep = format!("{}x{}<p>after</p>", "<DIV class=\"a\">".repeat(600), "</div>".repeat(600));
    let capped = cap_nesting(&deep);
    assert_eq!(capped.matches("<DIV").count(), MAX_DEPTH);
    assert_eq!(capped.matches("</div>").count(), MAX_DEPTH);
    assert!(capped.contains("x") && capped.ends_with("<p>after</p>"), "{capped}");
    assert!(is_balanced(&capped));
    // Shallow HTML, stray end tags and comments pass unchanged.
    let shallow = "</span><div><!-- <div> --><br><img src=\"a>b\"></div>";
    assert_eq!(cap_nesting(shallow), shallow);
}

#[test]
fn task_lists_render_as_ticked_and_empty_boxes() {
    let html = markdown_to_html("- [x] met the residents\n- [ ] report back\n", "", "");
    assert!(html.contains("☑ met the residents") && html.contains("☐ report back"), "{html}");
    assert!(!html.contains("[x]") && !html.contains("<input"), "{html}");
}

#[test]
fn footnotes_link_back_to_each_reference() {
    let md = "Held weekly[^w] and reviewed[^r], weekly again[^w].\n\n[^w]: Every Monday.\n[^r]: By the committee.\n";
    let html = markdown_to_html(md, "", "");
    let refs: Vec<&str> = (html.split("id=\"fnref-").skip(1)).map(|rest| &rest[..rest.find('"').unwrap()]).collect();
    assert_eq!(refs, ["w", "r", "w-2"], "{html}");
    assert!(html.contains("<a href=\"#fn-w\" role=\"doc-noteref\">1</a>"), "{html}");
    assert!(html.contains("<a href=\"#fn-r\" role=\"doc-noteref\">2</a>"), "{html}");
    let note = &html[html.find("id=\"fn-w\"").unwrap()..];
    let note = &note[..note.find("</div>").unwrap()];
    assert!(note.contains("Every Monday."), "{note}");
    assert!(note.contains("href=\"#fnref-w\" class=\"footnote-back\""), "{note}");
    assert!(note.contains("href=\"#fnref-w-2\" class=\"footnote-back\" role=\"doc-backlink\">↩²</a>"), "{note}");
    // Raw HTML sends the body through the sanitizer: the links both ways survive it.
    let html = markdown_to_html(&format!("<b>x</b> {md}"), "", "");
    assert!(html.contains("id=\"fnref-w\"") && html.contains("role=\"doc-backlink\""), "{html}");
}
