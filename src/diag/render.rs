//! How a diagnostic looks: the human format (a rustc-like report with the source line and a
//! caret under the column, coloured through [`crate::console`]) and the JSON array editors and CI
//! read. Rendering only; no I/O. Control characters from files are shown escaped in the human
//! format (JSON escapes them itself).

use super::{Diagnostic, Severity};
use crate::console::Styles;
use std::fmt::Write as _;
use unicode_width::UnicodeWidthChar;

/// Renders one diagnostic in the human format:
///
/// ```text
/// error[unknown-id]: unknown force `politcal-leadership`
///   --> cases/henan/huaihe-road.md:9:10
///    |
///  9 | forces: [politcal-leadership]
///    |          ^^^^^^^^^^^^^^^^^^^
///    = hint: did you mean `political-leadership`?
/// ```
pub fn render_human(d: &Diagnostic, color: bool) -> String {
    let Styles { bold, red, yellow, blue, reset, .. } = Styles::new(color);
    let (word, c) = match d.severity {
        Severity::Error => ("error", red),
        Severity::Warning => ("warning", yellow),
    };
    let mut out = String::new();
    let _ = writeln!(out, "{c}{word}[{}]{reset}{bold}: {}{reset}", d.code, escaped(&d.message));
    let file = escaped(&d.file);
    let loc = match (d.line, d.column) {
        (0, _) => file,
        (l, 0) => format!("{file}:{l}"),
        (l, col) => format!("{file}:{l}:{col}"),
    };
    let width = d.line.max(1).to_string().len();
    let pad = " ".repeat(width);
    let _ = writeln!(out, "{pad}{blue}-->{reset} {loc}");
    if let Some(shown) = &d.source {
        let src = &shown.text;
        let _ = writeln!(out, "{pad} {blue}|{reset}");
        let _ = writeln!(out, "{blue}{:>width$} |{reset} {}", d.line, escaped(src));
        if d.column > 0 {
            let before: String = src
                .chars()
                .take((d.column - 1).saturating_sub(shown.skip))
                .map(|ch| if ch == '\t' { "\t".to_string() } else { " ".repeat(shown_width(ch)) })
                .collect();
            let column = d.column.saturating_sub(shown.skip).max(1);
            let marker_len = if d.width > 0 { d.width.min(60) as usize } else { marker_len(src, column) };
            let _ = writeln!(out, "{pad} {blue}|{reset} {before}{c}{}{reset}", "^".repeat(marker_len));
        }
    }
    if !d.hint.is_empty() {
        let _ = writeln!(out, "{pad} {blue}={reset} {bold}hint{reset}: {}", escaped(&d.hint));
    }
    out
}

/// Whether `c` is shown escaped: a control character other than tab (C0, DEL, C1), or a
/// zero-width one. Written raw, a control character from a file name or a source line would act
/// on the terminal (set its title, clear the screen); a zero-width one would be invisible where
/// a diagnostic points at it.
fn is_escaped(c: char) -> bool {
    (c.is_control() && c != '\t') || matches!(c, '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}')
}

/// `text` with its control characters written as Rust escapes (`\u{1b}`).
fn escaped(text: &str) -> String {
    if !text.chars().any(is_escaped) {
        return text.to_string();
    }
    text.chars().map(|c| if is_escaped(c) { c.escape_unicode().to_string() } else { c.to_string() }).collect()
}

/// A message of several lines with its control characters but the line breaks escaped, as
/// [`render_human`] shows them: for an error that quotes a file name or a query on its way to
/// the terminal.
pub fn escape_controls(text: &str) -> String {
    text.split('\n').map(escaped).collect::<Vec<_>>().join("\n")
}

/// The columns `c` takes as shown by [`escaped`].
pub(super) fn shown_width(c: char) -> usize {
    if is_escaped(c) {
        c.escape_unicode().count()
    } else {
        c.width().unwrap_or(0)
    }
}

/// The length of the marker: the token that starts at `column` (up to a separator), at least 1.
fn marker_len(src: &str, column: usize) -> usize {
    let mut chars = src.chars().skip(column - 1).peekable();
    let mut n = 0;
    while let Some(c) = chars.next() {
        let separator = matches!(c, ',' | '=' | ']' | '[' | '}' | '{' | '"' | '\'' | ' ' | '\t' | ')' | '(' | '，')
            // A YAML key ends at `: ` (but `case:id` is one token).
            || (c == ':' && chars.peek().is_none_or(|next| next.is_whitespace()));
        if separator {
            break;
        }
        n += shown_width(c);
    }
    n.clamp(1, 60)
}

/// Renders diagnostics as a JSON array of `{file, line, column, severity, code, message, hint}`.
/// A failure is returned, never printed as an empty array (which would read "no problems").
pub fn render_json(diags: &[Diagnostic]) -> serde_json::Result<String> {
    serde_json::to_string_pretty(diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_rendering_points_at_the_column() {
        let text = "id: x\nforces: [politcal-leadership]\n";
        let d = Diagnostic::error("cases/a.md", "unknown-id", "unknown force `politcal-leadership`")
            .at(text, 2, 10)
            .hint("did you mean `political-leadership`?");
        assert_eq!(
            render_human(&d, false),
            "error[unknown-id]: unknown force `politcal-leadership`\n \
             --> cases/a.md:2:10\n  \
             |\n\
             2 | forces: [politcal-leadership]\n  \
             |          ^^^^^^^^^^^^^^^^^^^\n  \
             = hint: did you mean `political-leadership`?\n"
        );
    }

    #[test]
    fn control_characters_are_escaped_and_the_caret_stays_under_its_column() {
        let d =
            Diagnostic::error("a\u{1b}[2J.md", "x", "bad `\u{7}`").at("k: \u{1b}]0;T\u{7} x\n", 1, 11).hint("h\u{0}");
        assert_eq!(
            render_human(&d, false),
            "error[x]: bad `\\u{7}`\n \
             --> a\\u{1b}[2J.md:1:11\n  \
             |\n\
             1 | k: \\u{1b}]0;T\\u{7} x\n  \
             |                    ^\n  \
             = hint: h\\u{0}\n"
        );
    }

    #[test]
    fn json_lists_the_fields_an_editor_reads() {
        let d = Diagnostic::warning("cases/a.md", "x-code", "message").at("a\nb\n", 2, 1).hint("fix it");
        assert_eq!(
            render_json(&[d]).unwrap(),
            "[\n  {\n    \"file\": \"cases/a.md\",\n    \"line\": 2,\n    \"column\": 1,\n    \"severity\": \"warning\",\n    \
             \"code\": \"x-code\",\n    \"message\": \"message\",\n    \"hint\": \"fix it\"\n  }\n]"
        );
        assert_eq!(render_json(&[]).unwrap(), "[]");
    }
}
