//! A case's Markdown body: its sections (headings with their `{#anchor key=value}`
//! attributes, each running to the next heading of the same or a higher level) and its links and
//! images, with their lines in the file.

use super::{At, RawBody, RawLink, RawSection};
use crate::diag::LineIndex;
use crate::markdown::markdown_options;
use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
use std::ops::Range;

/// A heading being read: what its start tag said, and its text so far.
struct OpenHeading {
    level: u8,
    anchor: Option<String>,
    /// Byte range of the heading in the body.
    range: Range<usize>,
    title: String,
}

/// A `key=value` attribute of a heading, with the byte offsets of key and value in the body.
struct HeadingAttribute {
    key: String,
    value: String,
    key_offset: usize,
    value_offset: usize,
}

/// Finds the sections (with their `{#anchor key=value}` attributes) and the links of a body.
pub fn parse_body(markdown: &str, first_line: usize) -> RawBody {
    let mut sections: Vec<RawSection> = Vec::new();
    let mut links = Vec::new();
    let mut heading: Option<OpenHeading> = None;
    let lines = LineIndex::new(markdown);
    let pos = |offset: usize| {
        let (l, c) = lines.line_col(offset);
        (l + first_line - 1, c)
    };
    // A link's address where it is written; a reference link's is defined elsewhere: the link's
    // own start then.
    let link = |url: &str, image: bool, range: &Range<usize>| {
        let written = markdown[range.clone()].rfind(url).filter(|_| !url.is_empty());
        let (line, column) = pos(written.map_or(range.start, |i| range.start + i));
        RawLink { url: At { value: url.to_string(), line, column }, image, in_html: false }
    };
    for (event, range) in Parser::new_ext(markdown, markdown_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                heading = Some(OpenHeading {
                    level: heading_level(level),
                    anchor: id.map(|s| s.to_string()),
                    range,
                    title: String::new(),
                });
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(OpenHeading { level, anchor, range, title }) = heading.take() {
                    let (line, _) = pos(range.start);
                    let attrs = heading_attributes(markdown, &range)
                        .into_iter()
                        .map(|a| {
                            let (kl, kc) = pos(a.key_offset);
                            let (vl, vc) = pos(a.value_offset);
                            (At { value: a.key, line: kl, column: kc }, At { value: a.value, line: vl, column: vc })
                        })
                        .collect();
                    sections.push(RawSection {
                        level,
                        title: title.trim().to_string(),
                        anchor,
                        attrs,
                        line,
                        range: range.start..markdown.len(),
                        content: range.end..markdown.len(),
                    });
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.title.push_str(&t);
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                // The event's text is the source's (a block's lines, an inline tag): offsets
                // into it are offsets into the body from where it is found.
                let at = markdown[range.clone()].find(&*html).map_or(range.start, |i| range.start + i);
                for (offset, url, image) in html_addresses(&html) {
                    let (line, column) = pos(at + offset);
                    links.push(RawLink { url: At { value: url, line, column }, image, in_html: true });
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => links.push(link(&dest_url, false, &range)),
            Event::Start(Tag::Image { dest_url, .. }) => links.push(link(&dest_url, true, &range)),
            _ => {}
        }
    }
    // A section ends where the next heading of the same or a higher level starts.
    for i in 0..sections.len() {
        let level = sections[i].level;
        if let Some(next) = sections[i + 1..].iter().find(|s| s.level <= level) {
            let end = next.range.start;
            sections[i].range.end = end;
            sections[i].content.end = end.max(sections[i].content.start);
        }
    }
    RawBody { offset: 0, first_line, sections, links }
}

/// The addresses of the raw HTML tags the sanitizer keeps with one (`<img src>`, `<a href>`):
/// each one's byte offset in `html`, its value (character references decoded), and whether it
/// is an image's.
fn html_addresses(html: &str) -> Vec<(usize, String, bool)> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(lt) = html[i..].find('<') {
        let start = i + lt + 1;
        let name_end = html[start..].find(|c: char| !c.is_ascii_alphanumeric()).map_or(html.len(), |e| start + e);
        // The tag ends at the first `>` outside quotes.
        let mut quote = None;
        let mut end = html.len();
        for (j, c) in html[name_end..].char_indices() {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '>') => {
                    end = name_end + j;
                    break;
                }
                _ => {}
            }
        }
        let wanted = match html[start..name_end].to_ascii_lowercase().as_str() {
            "img" => Some(("src", true)),
            "a" => Some(("href", false)),
            _ => None,
        };
        if let Some((name, image)) = wanted {
            out.extend(
                attribute(html, name_end..end, name).map(|(at, value)| (at, crate::html::unescape(value), image)),
            );
        }
        i = end.max(start);
    }
    out
}

/// The value of attribute `name` in the attributes of a tag, `html[range]` (quoted with `"` or
/// `'`, or not at all), and its byte offset in `html`.
fn attribute<'a>(html: &'a str, range: Range<usize>, name: &str) -> Option<(usize, &'a str)> {
    let attrs = &html[range.clone()];
    let lower = attrs.to_ascii_lowercase();
    lower.match_indices(name).find_map(|(at, _)| {
        // A whole attribute name: after white space, then `=` (spaces allowed around it).
        if !lower[..at].ends_with(|c: char| c.is_ascii_whitespace()) {
            return None;
        }
        let value = attrs[at + name.len()..].trim_start().strip_prefix('=')?.trim_start();
        let start = range.start + attrs.len() - value.len();
        match value.chars().next()? {
            q @ ('"' | '\'') => {
                let inner = &value[1..];
                Some((start + 1, &inner[..inner.find(q).unwrap_or(inner.len())]))
            }
            _ => Some((start, &value[..value.find(|c: char| c.is_ascii_whitespace()).unwrap_or(value.len())])),
        }
    })
}

fn heading_level(level: HeadingLevel) -> u8 {
    level as u8
}

/// Reads `key=value` and `key="value with spaces"` pairs from the `{...}` block that ends a
/// heading line. pulldown-cmark splits attributes on white space, so quoted values are read
/// here from the source. Offsets are in `markdown`.
fn heading_attributes(markdown: &str, range: &Range<usize>) -> Vec<HeadingAttribute> {
    let src = &markdown[range.clone()];
    let line_end = src.find('\n').unwrap_or(src.len());
    let line = src[..line_end].trim_end();
    let (Some(open), true) = (line.rfind('{'), line.ends_with('}')) else {
        return Vec::new();
    };
    let inner = &line[open + 1..line.len() - 1];
    let base = range.start + open + 1;
    let mut out = Vec::new();
    let bytes = inner.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'=' {
            i += 1;
        }
        let key = &inner[start..i];
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            let (value, value_start);
            if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                let quote = bytes[i];
                value_start = i + 1;
                let end = inner[value_start..].find(quote as char).map_or(inner.len(), |j| value_start + j);
                value = &inner[value_start..end];
                i = (end + 1).min(inner.len());
            } else {
                value_start = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = &inner[value_start..i];
            }
            if !key.starts_with('#') && !key.starts_with('.') {
                out.push(HeadingAttribute {
                    key: key.to_string(),
                    value: value.to_string(),
                    key_offset: base + start,
                    value_offset: base + value_start,
                });
            }
        } else {
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_addresses_are_found_where_they_are_written() {
        let html = "<figure><IMG alt=x SRC = 'bins.png'><a href=\"docs/plan.pdf\">plan</a><a href=x>y</a></figure>";
        let found: Vec<(String, bool)> = html_addresses(html).into_iter().map(|(_, u, i)| (u, i)).collect();
        let found: Vec<(&str, bool)> = found.iter().map(|(u, i)| (u.as_str(), *i)).collect();
        assert_eq!(found, [("bins.png", true), ("docs/plan.pdf", false), ("x", false)]);
        assert_eq!(html_addresses("<img srcset=\"a.png\" data-src=\"b.png\"><embed src=\"c.swf\">"), []);
        assert_eq!(html_addresses("<a title='>' href=&#106;s>")[0].1, "js", "a `>` in quotes, a reference");
        let body = "Text.\n\n<p><img src=\"bins.png\"></p>\n";
        let b = parse_body(body, 5);
        let l = &b.links[0];
        assert_eq!(
            (l.url.value.as_str(), l.url.line, l.url.column, l.image, l.in_html),
            ("bins.png", 7, 14, true, true)
        );
    }

    #[test]
    fn sections_end_at_the_next_heading_of_same_level() {
        let body = "## A\n\na\n\n### A1\n\nx\n\n## B\n\nb\n";
        let b = parse_body(body, 1);
        assert_eq!(b.sections.len(), 3);
        assert_eq!(&body[b.sections[0].range.clone()], "## A\n\na\n\n### A1\n\nx\n\n");
        assert_eq!(&body[b.sections[2].content.clone()], "\nb\n");
    }
}
