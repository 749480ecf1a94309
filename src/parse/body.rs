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
        RawLink { url: At { value: url.to_string(), line, column }, image }
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
    fn sections_end_at_the_next_heading_of_same_level() {
        let body = "## A\n\na\n\n### A1\n\nx\n\n## B\n\nb\n";
        let b = parse_body(body, 1);
        assert_eq!(b.sections.len(), 3);
        assert_eq!(&body[b.sections[0].range.clone()], "## A\n\na\n\n### A1\n\nx\n\n");
        assert_eq!(&body[b.sections[2].content.clone()], "\nb\n");
    }
}
