//! Markdown → safe HTML: the case pages' bodies (with the validated section anchors) and the
//! excerpts of their tagged sections, cut out of the same rendering. Raw HTML is sanitized by
//! ammonia; links are made relative (`case:`, `static:` and a case's own files, read by
//! [`crate::links`]) or dropped when their scheme is unsafe; remote images become links (the
//! site loads nothing from outside). Pure: no templates, no files.

use crate::links::{self, Target};
use crate::markdown::markdown_options;
use crate::model::{CaseText, Section};
use footnotes::Footnotes;
use pulldown_cmark::{html, Alignment, CowStr, Event, LinkType, Parser, Tag, TagEnd};
use std::sync::OnceLock;

/// Where the links of a text lead from the page it is shown on.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LinkBase<'a> {
    /// The root of the page's language tree, for `case:` links.
    pub(crate) root: &'a str,
    /// The site's root, where the one copy of each published file is: `static:` links and the
    /// case's own files.
    pub(crate) assets: &'a str,
    /// The case whose text it is: a relative link names one of its files (`cases/ID/NAME`).
    pub(crate) case: Option<&'a str>,
}

/// A case page's body, and each section's own HTML for the term pages.
pub(crate) struct CaseHtml {
    /// The body, section anchors as heading ids.
    pub(crate) body: String,
    /// `sections[k]`: the HTML of tagged section `k` (empty for untagged sections).
    pub(crate) sections: Vec<String>,
}

/// The body of a case page as HTML (section anchors as heading ids), and the HTML of each
/// tagged section's content (empty strings for the other sections), from one rendering: the
/// sections are cut out of the body's HTML, so an excerpt shows what the case page shows
/// (reference links and footnotes defined elsewhere in the body included).
pub(crate) fn case_html(c: CaseText, base: LinkBase) -> CaseHtml {
    let base = LinkBase { case: Some(c.id), ..base };
    let root = base.root;
    let body = c.body;
    // Markers at the section boundaries: text in the Unicode private use area, which Markdown
    // and the sanitizer leave alone. A body that holds such characters itself is rendered a
    // section at a time instead.
    let mark = |end: char, k: usize| format!("{MARK_OPEN}{end}{k}{MARK_CLOSE}\n");
    let mut marks: Vec<(usize, String)> = Vec::new();
    if !body.contains(MARK_OPEN) {
        for (k, s) in c.sections.iter().enumerate().filter(|(_, s)| s.is_tagged()) {
            marks.push((s.content.start, mark('s', k)));
            marks.push((s.content.end, mark('e', k)));
        }
        marks.sort_by_key(|m| m.0);
    }
    let marked = render_markdown_marked(body, base, c.sections, &marks);
    let separately = || -> Vec<String> {
        let one = |s: &Section| fit_for_other_page(&render_markdown(c.section_markdown(s), base, &[]), root, c.id);
        c.sections.iter().map(|s| if s.is_tagged() { one(s) } else { String::new() }).collect()
    };
    if marks.is_empty() {
        return CaseHtml { body: marked, sections: separately() };
    }
    let mut sections = vec![String::new(); c.sections.len()];
    // Sections come in order: each is looked for after the start of the one before.
    let mut from = 0;
    for (k, _) in c.sections.iter().enumerate().filter(|(_, s)| s.is_tagged()) {
        let (open, close) = (mark('s', k), mark('e', k));
        let open_at = marked[from..].find(&open).map(|a| from + a);
        let close_at = open_at.and_then(|a| marked[a..].find(&close).map(|b| a + b));
        match (open_at, close_at) {
            (Some(a), Some(b)) if a + open.len() <= b => {
                let cut = balanced(strip_marks(&marked[a + open.len()..b]));
                sections[k] = fit_for_other_page(&cut, root, c.id);
                from = a;
            }
            // The sanitizer moved a marker (raw HTML around a heading), or a heading sits
            // inside another block: fall back.
            _ => return CaseHtml { body: strip_marks(&marked), sections: separately() },
        }
    }
    CaseHtml { body: strip_marks(&marked), sections }
}

/// `html` without the markers of [`case_html`] (each with the line break that ends it).
fn strip_marks(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(MARK_OPEN) {
        out.push_str(&rest[..at]);
        rest = rest[at..].find(MARK_CLOSE).map_or("", |end| &rest[at + end + MARK_CLOSE.len_utf8()..]);
        rest = rest.strip_prefix('\n').unwrap_or(rest);
    }
    out.push_str(rest);
    out
}

/// HTML cut out of a case page, made fit for another page: its ids are dropped (they belong to
/// the case page, and two cases may use the same), and links to an anchor of the case page
/// (a footnote, another section) point at the case page.
fn fit_for_other_page(html: &str, root: &str, id: &str) -> String {
    let case_page = format!("href=\"{root}cases/{id}.html#");
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(" id=\"") {
        out.push_str(&rest[..at]);
        let value = &rest[at + 5..];
        rest = value.find('"').map_or("", |end| &value[end + 1..]);
    }
    out.push_str(rest);
    out.replace("href=\"#", &case_page)
}

const MARK_OPEN: char = '\u{E000}';
const MARK_CLOSE: char = '\u{E001}';

/// Renders Markdown (no section anchors, of no case) on a page whose tree's root is `root` and
/// whose site's root is `assets`.
pub fn markdown_to_html(markdown: &str, root: &str, assets: &str) -> String {
    render_markdown(markdown, LinkBase { root, assets, case: None }, &[])
}

/// One line of inline Markdown (a `sources` entry of a case) as HTML without its paragraph,
/// its links made for the page (`base`).
pub(crate) fn inline_html(text: &str, base: LinkBase) -> String {
    // Front-matter text shows as written: HTML in it is text (entities for `&` and `<` keep
    // Markdown from reading it as HTML), Markdown's links and emphasis are its only markup.
    let text = text.replace('&', "&amp;").replace('<', "&lt;");
    let html = render_markdown(&text, base, &[]);
    let html = html.trim_end();
    match html.strip_prefix("<p>").and_then(|h| h.strip_suffix("</p>")) {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => html.to_string(),
    }
}

/// Markdown → safe HTML. Heading attributes are replaced by the validated anchors; `case:`,
/// `static:` and relative links become links relative to the page ([`safe_url`]); URLs with
/// other schemes than http(s) and mailto are dropped; remote images become links (the site
/// loads nothing from outside); raw HTML, when present, is sanitized by ammonia; table
/// alignment becomes a class (the CSP forbids style attributes).
fn render_markdown(markdown: &str, base: LinkBase, sections: &[Section]) -> String {
    render_markdown_marked(markdown, base, sections, &[])
}

/// [`render_markdown`], with each of `marks` (sorted by offset) written as text before the first
/// block that starts at or after its offset in `markdown`.
fn render_markdown_marked(markdown: &str, base: LinkBase, sections: &[Section], marks: &[(usize, String)]) -> String {
    let mut heading_no = 0;
    let mut has_raw_html = false;
    let mut image_depth = 0usize;
    let mut events = Vec::new();
    let mut marks = marks.iter().peekable();
    // Blocks open around the next event: a mark due inside one (a heading in a list) is
    // dropped, so that a slice between two marks never cuts through an element.
    let mut depth = 0usize;
    // Table cells are aligned by class (`al`, `ac`, `ar` in the style sheet), never by a style
    // attribute, which the Content-Security-Policy forbids: the table's alignments, whether
    // the head is open, and the cell's column.
    let mut table: (Vec<Alignment>, bool, usize) = (Vec::new(), false, 0);
    let mut footnotes = Footnotes::default();
    for (event, range) in Parser::new_ext(markdown, markdown_options()).into_offset_iter() {
        while let Some((_, mark)) = marks.next_if(|(at, _)| *at <= range.start) {
            if depth == 0 {
                events.push(Event::Text(mark.as_str().into()));
            }
        }
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        let event = match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let id = sections.get(heading_no).map(|s| CowStr::from(s.anchor.clone()));
                heading_no += 1;
                Event::Start(Tag::Heading { level, id, classes: Vec::new(), attrs: Vec::new() })
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                Event::Start(Tag::Link { link_type, dest_url: safe_url(&dest_url, base).into(), title, id })
            }
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                if is_local(&dest_url) {
                    Event::Start(Tag::Image { link_type, dest_url: safe_url(&dest_url, base).into(), title, id })
                } else {
                    // Keep the alt text as a link to the image; never load it.
                    image_depth += 1;
                    Event::Start(Tag::Link {
                        link_type: LinkType::Inline,
                        dest_url: safe_url(&dest_url, base).into(),
                        title,
                        id,
                    })
                }
            }
            Event::End(TagEnd::Image) if image_depth > 0 => {
                image_depth -= 1;
                Event::End(TagEnd::Link)
            }
            Event::Start(Tag::Table(alignments)) => {
                let none = vec![Alignment::None; alignments.len()];
                table = (alignments, false, 0);
                Event::Start(Tag::Table(none))
            }
            Event::Start(Tag::TableHead) => {
                table.1 = true;
                table.2 = 0;
                Event::Start(Tag::TableHead)
            }
            Event::End(TagEnd::TableHead) => {
                table.1 = false;
                Event::End(TagEnd::TableHead)
            }
            Event::Start(Tag::TableRow) => {
                table.2 = 0;
                Event::Start(Tag::TableRow)
            }
            Event::Start(Tag::TableCell) => {
                let class = match table.0.get(table.2) {
                    Some(Alignment::Left) => "al",
                    Some(Alignment::Center) => "ac",
                    Some(Alignment::Right) => "ar",
                    _ => "",
                };
                table.2 += 1;
                match (class, table.1) {
                    ("", _) => Event::Start(Tag::TableCell),
                    (class, true) => Event::Html(format!("<th class=\"{class}\">").into()),
                    (class, false) => Event::Html(format!("<td class=\"{class}\">").into()),
                }
            }
            // A task list's box as a character: the sanitizer keeps no <input>, and a printed
            // handout shows it as it is.
            Event::FootnoteReference(name) => footnotes.reference(&name),
            Event::Start(Tag::FootnoteDefinition(name)) => footnotes.start(&name),
            Event::End(TagEnd::FootnoteDefinition) => footnotes.end(),
            Event::TaskListMarker(done) => Event::Text(if done { "☑ " } else { "☐ " }.into()),
            Event::Html(h) | Event::InlineHtml(h) => {
                has_raw_html = true;
                Event::Html(defuse_raw_text(h))
            }
            other => other,
        };
        events.push(event);
    }
    events.extend(marks.map(|(_, mark)| Event::Text(mark.as_str().into())));
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    if has_raw_html {
        out = remote_images_to_links(sanitizer().clean(&cap_nesting(&out)).to_string());
    }
    out
}

/// Elements whose content the HTML parser reads as raw text up to their end tag (or to the end
/// of the input): a literal `<style>` or `<textarea>` in prose would swallow the rest of the
/// body, so such a tag is written as text.
const RAW_TEXT: [&str; 10] =
    ["script", "style", "textarea", "title", "xmp", "noscript", "iframe", "plaintext", "noembed", "noframes"];

/// `html` with the `<` of every start or end tag of a [`RAW_TEXT`] element escaped.
fn defuse_raw_text(html: CowStr<'_>) -> CowStr<'_> {
    let is_raw_tag = |after: &str| {
        let name = after.strip_prefix('/').unwrap_or(after);
        RAW_TEXT.iter().any(|t| {
            name.get(..t.len()).is_some_and(|n| n.eq_ignore_ascii_case(t))
                && name[t.len()..].chars().next().is_none_or(|c| c.is_ascii_whitespace() || c == '/' || c == '>')
        })
    };
    let hits: Vec<usize> = html.match_indices('<').map(|(i, _)| i).filter(|&i| is_raw_tag(&html[i + 1..])).collect();
    if hits.is_empty() {
        return html;
    }
    let mut out = String::with_capacity(html.len() + 3 * hits.len());
    let mut from = 0;
    for i in hits {
        out.push_str(&html[from..i]);
        out.push_str("&lt;");
        from = i + 1;
    }
    out.push_str(&html[from..]);
    out.into()
}

/// Sanitized HTML with every `<img>` whose source is not on this site replaced by a link to
/// the image, its alt text (or its address) as the link text: the site loads nothing from
/// outside. The input is the sanitizer's serialization: attribute values in double quotes.
fn remote_images_to_links(html: String) -> String {
    if !html.contains("<img") {
        return html;
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(at) = rest.find("<img") {
        out.push_str(&rest[..at]);
        let tag_end = tag_end(&rest[at..]).map_or(rest.len(), |e| at + e);
        let tag = &rest[at..tag_end];
        let src = attr_value(tag, "src");
        match src {
            Some(src) if !is_local(&src.replace("&amp;", "&")) => {
                let alt = attr_value(tag, "alt").filter(|a| !a.is_empty()).unwrap_or(src);
                // An attribute value may hold `<` and `>` unescaped; as text they must not be.
                let text = alt.replace('<', "&lt;").replace('>', "&gt;");
                out.push_str(&format!("<a href=\"{src}\" rel=\"noopener noreferrer\">{text}</a>"));
            }
            _ => out.push_str(tag),
        }
        rest = &rest[tag_end..];
    }
    out.push_str(rest);
    out
}

/// The length of the tag that starts `html` (up to and with its `>`, quotes respected).
fn tag_end(html: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in html.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// The raw (still escaped) value of attribute `name` in the serialized tag `tag`.
fn attr_value<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let at = tag.find(&key)? + key.len();
    tag[at..].find('"').map(|end| &tag[at..at + end])
}

/// How deep raw HTML may nest elements, as in browsers (Chromium's parser stops nesting at
/// 512): html5ever looks through all open elements for each new one, so a case of 100,000
/// nested `<div>` would cost time quadratic in its depth.
const MAX_DEPTH: usize = 512;

/// `html` (Markdown's rendering, raw HTML included) without the start and end tags of the
/// elements nested deeper than [`MAX_DEPTH`]; their content stays, one level up. Linear: the
/// elements it keeps open are at most `MAX_DEPTH`, the dropped ones are only counted.
fn cap_nesting(html: &str) -> std::borrow::Cow<'_, str> {
    let mut open: Vec<&str> = Vec::new();
    let mut dropped: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut out = String::new();
    let mut copied = 0;
    let mut at = 0;
    while let Some(off) = html[at..].find('<') {
        let start = at + off;
        let rest = &html[start..];
        if let Some(after) = rest.strip_prefix("<!--") {
            at = after.find("-->").map_or(html.len(), |e| start + 4 + e + 3);
            continue;
        }
        let (closing, name_at) = if rest.starts_with("</") { (true, 2) } else { (false, 1) };
        if !rest[name_at..].starts_with(|c: char| c.is_ascii_alphabetic()) {
            at = start + 1;
            continue;
        }
        let Some(end) = tag_end(rest) else { break };
        let tag = &rest[name_at..end - 1];
        let name = &tag[..tag.find(|c: char| c.is_ascii_whitespace() || c == '/').unwrap_or(tag.len())];
        at = start + end;
        let drop_tag = if closing {
            let lower = name.to_ascii_lowercase();
            match dropped.get_mut(&lower) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    true
                }
                _ => {
                    if let Some(i) = open.iter().rposition(|o| o.eq_ignore_ascii_case(name)) {
                        open.truncate(i);
                    }
                    false
                }
            }
        } else if VOID.iter().any(|v| v.eq_ignore_ascii_case(name)) || tag.ends_with('/') {
            false
        } else if open.len() < MAX_DEPTH {
            open.push(name);
            false
        } else {
            *dropped.entry(name.to_ascii_lowercase()).or_default() += 1;
            true
        };
        if drop_tag {
            out.push_str(&html[copied..start]);
            copied = at;
        }
    }
    if copied == 0 {
        return html.into();
    }
    out.push_str(&html[copied..]);
    out.into()
}

/// Elements that have no end tag.
const VOID: [&str; 14] =
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"];

/// Whether every element opened in `html` (serialized HTML: casebook's or the sanitizer's) is
/// closed in it, and every element closed was opened in it.
fn is_balanced(html: &str) -> bool {
    let mut open: Vec<&str> = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |e| &after[e + 3..]);
            continue;
        }
        let Some(end) = tag_end(rest) else { return false };
        let tag = &rest[1..end - 1];
        rest = &rest[end..];
        let (closing, tag) = match tag.strip_prefix('/') {
            Some(t) => (true, t),
            None => (false, tag),
        };
        let name = &tag[..tag.find(|c: char| c.is_ascii_whitespace() || c == '/').unwrap_or(tag.len())];
        if closing {
            if open.pop().is_none_or(|o| !o.eq_ignore_ascii_case(name)) {
                return false;
            }
        } else if !VOID.iter().any(|v| v.eq_ignore_ascii_case(name)) && !tag.ends_with('/') {
            open.push(name);
        }
    }
    open.is_empty()
}

/// HTML cut out of a body, balanced on its own: an element that raw HTML left open (or closed)
/// across a section boundary must not spread over the page the excerpt is shown on. Balanced
/// cuts are returned as they are; the others go through the sanitizer's parser, which closes
/// what is open and drops end tags that close nothing.
fn balanced(html: String) -> String {
    if is_balanced(&html) {
        html
    } else {
        remote_images_to_links(sanitizer().clean(&html).to_string())
    }
}

/// The documented safe set for raw HTML in cases: ammonia's defaults (text formatting, lists,
/// tables, links, images) plus details/summary and figure/figcaption; heading ids and the
/// alignment classes casebook itself emits. No script, style, iframe, object, form, event
/// handler, style attribute, or `javascript:`/`data:` URL survives.
fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_tags(["details", "summary", "figure", "figcaption", "mark", "section"]);
        for h in ["h1", "h2", "h3", "h4", "h5", "h6"] {
            b.add_tag_attributes(h, ["id"]);
        }
        b.add_tag_attributes("li", ["id"]);
        b.add_tag_attributes("sup", ["id", "class"]);
        // Footnotes' links both ways (`footnotes`).
        b.add_tag_attributes("a", ["class", "role"]);
        b.add_tag_attributes("div", ["id", "class"]);
        for cell in ["th", "td"] {
            b.add_tag_attributes(cell, ["class"]);
        }
        b.url_schemes(["http", "https", "mailto"].into_iter().collect());
        b.url_relative(ammonia::UrlRelative::PassThrough);
        b.link_rel(Some("noopener noreferrer"));
        b
    })
}

/// Whether `url` points into this site: relative without a scheme and without a host (a
/// protocol-relative `//host/…`, or `\\host` which browsers read the same way, is remote).
fn is_local(url: &str) -> bool {
    let url = url.trim_start();
    let remote_host = url.len() >= 2 && url.as_bytes()[..2].iter().all(|b| matches!(b, b'/' | b'\\'));
    url.starts_with("case:") || url.starts_with("static:") || !url.contains(':') && !remote_host
}

/// Rewrites `case:ID#anchor`, `static:NAME` and a case's own files (`bins.png`, published at
/// `cases/ID/bins.png`) to links relative to the page, and drops dangerous schemes.
fn safe_url(url: &str, base: LinkBase) -> String {
    match links::target(url) {
        Target::Case { id, anchor: Some(a) } => return format!("{}cases/{id}.html#{a}", base.root),
        Target::Case { id, anchor: None } => return format!("{}cases/{id}.html", base.root),
        Target::Static(name) => return format!("{}static/{}", base.assets, links::href_path(name)),
        Target::File { path, rest } => {
            if let Some(id) = base.case {
                return format!("{}{}{rest}", base.assets, links::href_path(&links::attachment_path(id, &path)));
            }
        }
        Target::Outside { .. } | Target::Other => {}
    }
    let lower: String =
        url.trim().chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect::<String>().to_ascii_lowercase();
    let scheme_end = lower.find(':');
    let first_sep = lower.find(['/', '?', '#']);
    match scheme_end {
        Some(i) if first_sep.is_none_or(|s| i < s) => {
            let scheme = &lower[..i];
            if matches!(scheme, "http" | "https" | "mailto") {
                url.to_string()
            } else {
                "#".to_string()
            }
        }
        _ => url.to_string(),
    }
}

mod footnotes;
#[cfg(test)]
mod tests;
