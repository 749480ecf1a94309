//! Reading built pages the way a browser would, without a browser: a small scanner of start
//! tags, their attributes (entities decoded) and the contents of raw-text elements, and the
//! checks built on it that every site test shares: links that resolve, a page that satisfies
//! its own Content-Security-Policy, well-formed XML.
//!
//! It only reads; the browser and validator checks live in `scripts/check-html.sh` and
//! `tests/cli/browser.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::pages;

pub struct Tag {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    /// The tag's own source, `<name ...>`.
    pub raw: String,
    /// Contents of raw-text elements (script, style, textarea, title); empty otherwise.
    pub text: String,
}

impl Tag {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// The start tags of `html`, in order. Comments, doctypes and end tags are skipped.
pub fn scan(html: &str) -> Vec<Tag> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        let start = i + off;
        let rest = &html[start..];
        if rest.starts_with("<!--") {
            i = rest.find("-->").map_or(html.len(), |e| start + e + 3);
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") || rest.starts_with("</") {
            i = rest.find('>').map_or(html.len(), |e| start + e + 1);
            continue;
        }
        if !b.get(start + 1).is_some_and(u8::is_ascii_alphabetic) {
            i = start + 1;
            continue;
        }
        let mut j = start + 1;
        while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' && b[j] != b'/' {
            j += 1;
        }
        let name = html[start + 1..j].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                j += 1;
            }
            if j >= b.len() {
                break;
            }
            if b[j] == b'>' {
                j += 1;
                break;
            }
            let name_start = j;
            while j < b.len() && !b[j].is_ascii_whitespace() && !matches!(b[j], b'=' | b'>' | b'/') {
                j += 1;
            }
            let attr = html[name_start..j].to_ascii_lowercase();
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let mut value = String::new();
            if j < b.len() && b[j] == b'=' {
                j += 1;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j < b.len() && (b[j] == b'"' || b[j] == b'\'') {
                    let quote = b[j] as char;
                    let value_start = j + 1;
                    let value_end = html[value_start..].find(quote).map_or(html.len(), |e| value_start + e);
                    value = decode_entities(&html[value_start..value_end]);
                    j = (value_end + 1).min(html.len());
                } else {
                    let value_start = j;
                    while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                    value = decode_entities(&html[value_start..j]);
                }
            }
            attrs.push((attr, value));
        }
        let raw = html[start..j].to_string();
        let mut text = String::new();
        if matches!(name.as_str(), "script" | "style" | "textarea" | "title") {
            // ASCII lower-casing keeps byte offsets.
            let close = format!("</{name}");
            let end = html[j..].to_ascii_lowercase().find(&close).map_or(html.len(), |e| j + e);
            text = html[j..end].to_string();
            j = end;
        }
        out.push(Tag { name, attrs, raw, text });
        i = j;
    }
    out
}

pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        let after = &rest[p + 1..];
        let decoded = after.find(';').filter(|&e| e <= 10).and_then(|e| {
            let name = &after[..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => {
                    let n = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                        u32::from_str_radix(hex, 16).ok()
                    } else {
                        name.strip_prefix('#').and_then(|d| d.parse().ok())
                    };
                    n.and_then(char::from_u32)
                }
            };
            c.map(|c| (e, c))
        });
        match decoded {
            Some((e, c)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Attributes whose value is a URL the browser may follow or load.
pub const URL_ATTRS: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "srcset",
    "poster",
    "data",
    "cite",
    "background",
    "xlink:href",
    "manifest",
    "icon",
    "ping",
];

/// `javascript:`, as a browser would read it: case and white space/control characters ignored.
pub fn is_script_url(url: &str) -> bool {
    let squeezed: String =
        url.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect::<String>().to_ascii_lowercase();
    squeezed.starts_with("javascript:") || squeezed.starts_with("vbscript:")
}

/// The scheme of a URL (`https`, `data`, ...), if it has one.
pub fn scheme(url: &str) -> Option<String> {
    let colon = url.find(':')?;
    let first_sep = url.find(['/', '?', '#']).unwrap_or(url.len());
    (colon < first_sep).then(|| url[..colon].trim().to_ascii_lowercase())
}

/// Resolves a relative `path` against the page at `page` (both `/`-separated, inside the site).
pub fn resolve(page: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// The ids of every element of every page.
fn ids_of(pages: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    pages
        .iter()
        .map(|(p, html)| (p.clone(), scan(html).iter().filter_map(|t| t.attr("id").map(str::to_string)).collect()))
        .collect()
}

/// Checks every URL of every page but 404.html: relative, no scheme, resolving to a file of the
/// site, and any `#fragment` naming an id of its target page.
pub fn link_problems(site: &Path) -> Vec<String> {
    let pages = pages(site);
    let ids = ids_of(&pages);
    let mut problems = Vec::new();
    for (page, html) in &pages {
        if page == "404.html" {
            continue;
        }
        for tag in scan(html) {
            for (attr, value) in &tag.attrs {
                if !URL_ATTRS.contains(&attr.as_str()) {
                    continue;
                }
                let url = if attr == "srcset" { value.split_whitespace().next().unwrap_or("") } else { value.as_str() };
                let at = format!("{page}: <{} {attr}=\"{value}\">", tag.name);
                if url.trim().is_empty() {
                    problems.push(format!("{at}: empty URL"));
                    continue;
                }
                if url.starts_with('/') || url.starts_with('\\') {
                    problems
                        .push(format!("{at}: not relative (the site must work under any sub-path and from file://)"));
                    continue;
                }
                if let Some(s) = scheme(url) {
                    problems.push(format!("{at}: has a scheme `{s}:` (no external resource, no absolute link)"));
                    continue;
                }
                let (before_fragment, fragment) = url.split_once('#').map_or((url, None), |(a, f)| (a, Some(f)));
                // As a browser asks the file system: `%E6%96%B9` is `方`.
                let path = percent_encoding::percent_decode_str(before_fragment.split('?').next().unwrap_or(""))
                    .decode_utf8_lossy()
                    .into_owned();
                let path = path.as_str();
                let target = if path.is_empty() {
                    page.clone()
                } else {
                    match resolve(page, path) {
                        Some(t) => t,
                        None => {
                            problems.push(format!("{at}: leaves the site"));
                            continue;
                        }
                    }
                };
                if path.ends_with('/') || !site.join(&target).is_file() {
                    problems.push(format!(
                        "{at}: {target} is not a file of the site (file:// serves no index.html for a folder)"
                    ));
                    continue;
                }
                if let Some(f) = fragment.filter(|f| !f.is_empty()) {
                    match ids.get(&target) {
                        Some(set) if set.contains(f) => {}
                        Some(_) => problems.push(format!("{at}: no element with id `{f}` in {target}")),
                        // A fragment into a published file (a PDF's `#page=2`) is its viewer's.
                        None if !target.ends_with(".html") => {}
                        None => problems.push(format!("{at}: fragment `#{f}` into {target}, which is not a page")),
                    }
                }
            }
        }
    }
    problems
}

/// Checks that every page satisfies a strict Content-Security-Policy of its own: a CSP meta
/// before anything it governs, without unsafe sources, and nothing inline for it to forbid.
pub fn csp_problems(site: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for (page, html) in pages(site) {
        let tags = scan(&html);
        let csp: Vec<(usize, &Tag)> = tags
            .iter()
            .enumerate()
            .filter(|(_, t)| {
                t.name == "meta"
                    && t.attr("http-equiv").is_some_and(|v| v.eq_ignore_ascii_case("content-security-policy"))
            })
            .collect();
        match csp.as_slice() {
            [(at, meta)] => {
                let content = meta.attr("content").unwrap_or("");
                for bad in ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "http:", "https:"] {
                    if content.contains(bad) {
                        problems.push(format!("{page}: the CSP allows {bad}: {content}"));
                    }
                }
                if !content.contains("default-src") {
                    problems.push(format!("{page}: the CSP has no default-src: {content}"));
                }
                if let Some(first) =
                    tags.iter().position(|t| matches!(t.name.as_str(), "script" | "link" | "style" | "img"))
                {
                    if first < *at {
                        problems.push(format!(
                            "{page}: <{}> comes before the CSP meta, which does not govern it",
                            tags[first].name
                        ));
                    }
                }
            }
            [] => problems.push(format!("{page}: no <meta http-equiv=\"Content-Security-Policy\">")),
            _ => problems.push(format!("{page}: {} CSP metas", csp.len())),
        }
        for t in &tags {
            match t.name.as_str() {
                "script" if t.attr("src").is_none() || !t.text.trim().is_empty() => problems.push(format!(
                    "{page}: inline script {}{}",
                    t.raw,
                    t.text.chars().take(60).collect::<String>()
                )),
                "style" => problems.push(format!("{page}: <style> element")),
                _ => {}
            }
            for (attr, value) in &t.attrs {
                if attr.starts_with("on") {
                    problems.push(format!("{page}: event handler attribute in {}", t.raw));
                }
                if attr == "style" {
                    problems.push(format!("{page}: style attribute in {}", t.raw));
                }
                if URL_ATTRS.contains(&attr.as_str()) && is_script_url(value) {
                    problems.push(format!("{page}: javascript: URL in {}", t.raw));
                }
            }
        }
    }
    problems
}

/// A minimal well-formedness check of an XML document: balanced, properly nested elements under
/// one root, quoted attributes, and only the five predefined or numeric entities.
pub fn xml_root(text: &str) -> Result<String, String> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut stack: Vec<String> = Vec::new();
    let mut root = None;
    let mut i = 0;
    let check_text = |s: &str| -> Result<(), String> {
        let mut rest = s;
        while let Some(p) = rest.find('&') {
            let after = &rest[p + 1..];
            let e = after.find(';').ok_or_else(|| format!("bare & in {s:?}"))?;
            let name = &after[..e];
            let ok = matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
                || name.strip_prefix("#x").is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
                || name.strip_prefix('#').is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
            if !ok {
                return Err(format!("unknown entity &{name};"));
            }
            rest = &after[e + 1..];
        }
        Ok(())
    };
    while let Some(off) = body[i..].find('<') {
        let text_part = &body[i..i + off];
        if stack.is_empty() && !text_part.trim().is_empty() {
            return Err(format!("text outside the root element: {text_part:?}"));
        }
        check_text(text_part)?;
        let start = i + off;
        let rest = &body[start..];
        if let Some(r) = rest.strip_prefix("<?") {
            let e = r.find("?>").ok_or("unclosed <?")?;
            i = start + 2 + e + 2;
            continue;
        }
        if let Some(r) = rest.strip_prefix("<!--") {
            let e = r.find("-->").ok_or("unclosed comment")?;
            i = start + 4 + e + 3;
            continue;
        }
        if let Some(r) = rest.strip_prefix("<![CDATA[") {
            let e = r.find("]]>").ok_or("unclosed CDATA")?;
            i = start + 9 + e + 3;
            continue;
        }
        // Find the end of the tag, skipping quoted attribute values.
        let mut end = None;
        let mut quote = None;
        for (k, c) in rest.char_indices().skip(1) {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), '<') => return Err(format!("< in an attribute value at byte {start}")),
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '<') => return Err(format!("< inside a tag at byte {start}")),
                (None, '>') => {
                    end = Some(k);
                    break;
                }
                _ => {}
            }
        }
        let end = end.ok_or_else(|| format!("unclosed tag at byte {start}"))?;
        let inner = &rest[1..end];
        i = start + end + 1;
        if let Some(name) = inner.strip_prefix('/') {
            let name = name.trim();
            match stack.pop() {
                Some(open) if open == name => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
            continue;
        }
        let self_closing = inner.ends_with('/');
        let inner = inner.trim_end_matches('/');
        let name = inner.split(|c: char| c.is_whitespace()).next().unwrap_or("").to_string();
        if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || matches!(c, ':' | '-' | '_' | '.')) {
            return Err(format!("bad element name {name:?}"));
        }
        // Attributes: name="value" pairs.
        let mut attrs = inner[name.len()..].trim();
        while !attrs.is_empty() {
            let eq = attrs.find('=').ok_or_else(|| format!("attribute without value in <{inner}>"))?;
            let after = attrs[eq + 1..].trim_start();
            let q = after
                .chars()
                .next()
                .filter(|c| *c == '"' || *c == '\'')
                .ok_or_else(|| format!("unquoted attribute in <{inner}>"))?;
            let close = after[1..].find(q).ok_or("unclosed attribute value")?;
            check_text(&after[1..1 + close])?;
            attrs = after[1 + close + 1..].trim_start();
        }
        if stack.is_empty() {
            if root.is_some() {
                return Err(format!("a second root element <{name}>"));
            }
            root = Some(name.clone());
        }
        if !self_closing {
            stack.push(name);
        }
    }
    if !body[i..].trim().is_empty() {
        return Err("text after the root element".into());
    }
    if let Some(open) = stack.pop() {
        return Err(format!("<{open}> is never closed"));
    }
    root.ok_or_else(|| "no root element".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_scanner_reads_attributes_like_a_browser() {
        let tags = scan("<!-- <a href=x> --><p class=a title='b c' data-x=\"&#106;ava&amp;\" hidden><a href=\"&#x6A;avascript:1\">x</a><script src=s.js></script><script>var a = '<b>';</script>");
        let names: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["p", "a", "script", "script"]);
        assert_eq!(tags[0].attr("class"), Some("a"));
        assert_eq!(tags[0].attr("title"), Some("b c"));
        assert_eq!(tags[0].attr("data-x"), Some("java&"));
        assert_eq!(tags[0].attr("hidden"), Some(""));
        assert!(is_script_url(tags[1].attr("href").unwrap()));
        assert!(is_script_url(" Java\tScript:x"));
        assert_eq!(tags[3].text, "var a = '<b>';");
        assert_eq!(resolve("a/b.html", "../c.html"), Some("c.html".into()));
        assert_eq!(resolve("a.html", "../c.html"), None);
        assert_eq!(scheme("https://x"), Some("https".into()));
        assert_eq!(scheme("a.html?x=1:2"), None);
        assert_eq!(xml_root("<?xml version=\"1.0\"?>\n<a x=\"1\"><b/>t &amp; u</a>\n"), Ok("a".into()));
        assert!(xml_root("<a><b></a></b>").is_err());
        assert!(xml_root("<a>x & y</a>").is_err());
        assert!(xml_root("<a></a><b></b>").is_err());
    }
}
