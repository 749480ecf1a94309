//! Footnotes with links both ways: pulldown-cmark writes a reference as a link to its note but
//! gives the note no way back, so a reader who followed `¹` is left at the foot of a long case.
//! [`Footnotes`] turns the parser's footnote events into HTML of its own: every reference gets
//! an id (`fnref-NAME`, `fnref-NAME-2` for the second reference to the same note), every note
//! (`fn-NAME`) ends with a link back to each of its references (`↩`, `↩²`…).
//!
//! Numbers follow pulldown-cmark's rule: a note's number is the order in which its name is
//! first met, as a reference or as a definition.

use pulldown_cmark::{CowStr, Event};
use std::collections::HashMap;

/// The footnotes of one rendering.
#[derive(Default)]
pub(super) struct Footnotes {
    /// Per note name: its number and how many references to it were written so far.
    notes: HashMap<String, (usize, usize)>,
    /// The note being written (between its definition's start and end): its name.
    open: Option<String>,
}

impl Footnotes {
    fn number(&mut self, name: &str) -> &mut (usize, usize) {
        let next = self.notes.len() + 1;
        self.notes.entry(name.to_string()).or_insert((next, 0))
    }

    /// A reference to note `name` (`[^name]`).
    pub(super) fn reference(&mut self, name: &str) -> Event<'static> {
        let (number, refs) = self.number(name);
        *refs += 1;
        let (number, refs) = (*number, *refs);
        let id = ref_id(name, refs);
        Event::Html(CowStr::from(format!(
            "<sup class=\"footnote-reference\" id=\"{id}\"><a href=\"#fn-{}\" role=\"doc-noteref\">{number}</a></sup>",
            id_part(name)
        )))
    }

    /// The start of note `name`'s definition (`[^name]: …`).
    pub(super) fn start(&mut self, name: &str) -> Event<'static> {
        let number = self.number(name).0;
        self.open = Some(name.to_string());
        Event::Html(CowStr::from(format!(
            "<div class=\"footnote-definition\" id=\"fn-{}\"><sup class=\"footnote-definition-label\">{number}</sup>\n",
            id_part(name)
        )))
    }

    /// The end of the note being defined: its links back to the references written before it
    /// (a note is usually defined after its references, at the end of the body). A reference
    /// written after its note has no link back: its id is not known yet.
    pub(super) fn end(&mut self) -> Event<'static> {
        let name = self.open.take().unwrap_or_default();
        let refs = self.notes.get(&name).map_or(0, |n| n.1);
        let mut html = String::new();
        for k in 1..=refs {
            let mark = if k == 1 { String::new() } else { superscript(k) };
            html.push_str(&format!(
                " <a href=\"#{}\" class=\"footnote-back\" role=\"doc-backlink\">↩{mark}</a>",
                ref_id(&name, k)
            ));
        }
        html.push_str("</div>\n");
        Event::Html(CowStr::from(html))
    }
}

/// The id of the `k`-th reference to note `name`.
fn ref_id(name: &str, k: usize) -> String {
    match k {
        1 => format!("fnref-{}", id_part(name)),
        k => format!("fnref-{}-{k}", id_part(name)),
    }
}

/// A note's name as part of an id and a URL fragment: letters, digits, `-` and `_` as they
/// are, anything else (spaces, quotes, `#`) as `_` followed by its code point in hex.
fn id_part(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_alphanumeric() || c == '-' {
            out.push(c);
        } else {
            out.push_str(&format!("_{:x}", c as u32));
        }
    }
    out
}

/// `k` in superscript digits (²³…).
fn superscript(k: usize) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    k.to_string().chars().map(|d| DIGITS[d.to_digit(10).unwrap_or(0) as usize]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_ids_that_cannot_break_the_attribute() {
        assert_eq!(id_part("note-1"), "note-1");
        assert_eq!(id_part("a b\"<"), "a_20b_22_3c");
        assert_eq!(id_part("注释"), "注释");
        assert_eq!(id_part("a_b"), "a_5fb", "an underscore is escaped too, so two names never meet");
    }

    #[test]
    fn superscripts() {
        assert_eq!(superscript(2), "²");
        assert_eq!(superscript(12), "¹²");
    }
}
