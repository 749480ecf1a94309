//! casebook's Markdown dialect ([`markdown_options`]: the parser, the renderer and the index
//! read case bodies alike), and Markdown to plain text, for the index and the browser index's
//! excerpts.

use pulldown_cmark::{Event, Options, Parser, TagEnd};

/// The Markdown dialect of case bodies: CommonMark with tables, footnotes, strikethrough, task
/// lists and heading attributes (`{#anchor practice=…}` marks a tagged section).
pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Markdown to plain text: the text of every block, a newline after each block, no markup.
/// Raw HTML is left out.
pub fn plain_text(markdown: &str) -> String {
    plain_text_mapped(markdown, &[]).0
}

/// [`plain_text`], and where each of the byte offsets `cuts` of the Markdown (ascending)
/// falls in the plain text.
pub(crate) fn plain_text_mapped(markdown: &str, cuts: &[usize]) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(markdown.len());
    let mut mapped = Vec::with_capacity(cuts.len());
    for (event, range) in Parser::new_ext(markdown, markdown_options()).into_offset_iter() {
        while mapped.len() < cuts.len() && cuts[mapped.len()] <= range.start {
            mapped.push(out.len());
        }
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::End(TagEnd::TableCell) => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::CodeBlock,
            ) if !out.ends_with('\n') => out.push('\n'),
            _ => {}
        }
    }
    let end = out.trim_end().len();
    out.truncate(end);
    mapped.resize(cuts.len(), out.len());
    for m in &mut mapped {
        *m = (*m).min(out.len());
    }
    (out, mapped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_drops_markup() {
        let md = "## Practice: one {#one practice=x}\n\nSome **bold** [link](case:x) text\nwrapped.\n\n- item <b>raw</b>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n";
        let text = plain_text(md);
        assert_eq!(text, "Practice: one\nSome bold link text wrapped.\nitem raw\na b \n1 2");
    }
}
