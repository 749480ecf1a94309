//! Diagnostics: what `check` (and every later command) tells an editor about the content.
//!
//! A [`Diagnostic`] always names a file and a 1-based line and column in that file, carries the
//! source line it points at, and says how to fix the problem. Stages create diagnostics and keep
//! going; only the caller decides whether they are fatal. This module renders them for humans
//! (with a caret under the column) and as JSON for editors and CI. It does no I/O.

pub mod suggest;

pub use suggest::{nearest, Suggestion};

use serde::Serialize;
use std::fmt::Write as _;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// How bad a diagnostic is. Errors stop a build; warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Path relative to the library root, with `/` separators.
    pub file: String,
    /// 1-based line in `file`; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based column in characters; 0 when unknown.
    pub column: usize,
    pub severity: Severity,
    /// A stable machine-readable code, such as `unknown-id`.
    pub code: &'static str,
    pub message: String,
    /// How to fix it; empty when there is nothing useful to add.
    pub hint: String,
    /// The source line the diagnostic points at (not serialized).
    #[serde(skip)]
    pub source_line: Option<String>,
    /// Width of the `^^^` marker in terminal columns; 0 lets the renderer find the token's end.
    #[serde(skip)]
    pub width: usize,
    /// Characters of the line cut off before `source_line` (a long line is shown around the
    /// column, after a `…`), so the marker lands under the column.
    #[serde(skip)]
    pub source_skip: usize,
}

/// The longest part of a source line shown, in characters.
const SHOWN_CHARS: usize = 200;

impl Diagnostic {
    pub fn error(file: &str, code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_string(),
            line: 0,
            column: 0,
            severity: Severity::Error,
            code,
            message: message.into(),
            hint: String::new(),
            source_line: None,
            width: 0,
            source_skip: 0,
        }
    }

    pub fn warning(file: &str, code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(file, code, message) }
    }

    /// Points the diagnostic at `line`/`column` of `text` and keeps that line for display.
    pub fn at(mut self, text: &str, line: usize, column: usize) -> Self {
        self.line = line;
        self.column = column;
        self.source_skip = 0;
        self.source_line = if line == 0 {
            None
        } else {
            text.lines().nth(line - 1).map(|l| {
                // Far along a long line, show the part around the column, after a `…`.
                let cut = if column > SHOWN_CHARS * 3 / 4 { column - SHOWN_CHARS / 2 } else { 0 };
                match l.char_indices().nth(cut).filter(|_| cut > 0) {
                    Some((byte, _)) => {
                        self.source_skip = cut - 1;
                        format!("…{}", truncate_chars(&l[byte..], SHOWN_CHARS))
                    }
                    None => truncate_chars(l, SHOWN_CHARS),
                }
            })
        };
        self
    }

    /// Marks the whole of `token` (which starts at the column), e.g. a value with spaces.
    pub fn marking(mut self, token: &str) -> Self {
        self.width = UnicodeWidthStr::width(token);
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Sorts diagnostics by file, line, column, then message, so reports are stable.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (a.file.as_str(), a.line, a.column, a.severity, a.message.as_str()).cmp(&(
            b.file.as_str(),
            b.line,
            b.column,
            b.severity,
            b.message.as_str(),
        ))
    });
}

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
    let (bold, red, yellow, blue, reset) =
        if color { ("\x1b[1m", "\x1b[1;31m", "\x1b[1;33m", "\x1b[1;34m", "\x1b[0m") } else { ("", "", "", "", "") };
    let (word, c) = match d.severity {
        Severity::Error => ("error", red),
        Severity::Warning => ("warning", yellow),
    };
    let mut out = String::new();
    let _ = writeln!(out, "{c}{word}[{}]{reset}{bold}: {}{reset}", d.code, d.message);
    let loc = match (d.line, d.column) {
        (0, _) => d.file.clone(),
        (l, 0) => format!("{}:{l}", d.file),
        (l, col) => format!("{}:{l}:{col}", d.file),
    };
    let width = d.line.max(1).to_string().len();
    let pad = " ".repeat(width);
    let _ = writeln!(out, "{pad}{blue}-->{reset} {loc}");
    if let Some(src) = &d.source_line {
        let _ = writeln!(out, "{pad} {blue}|{reset}");
        let _ = writeln!(out, "{blue}{:>width$} |{reset} {src}", d.line);
        if d.column > 0 {
            let before: String = src
                .chars()
                .take((d.column - 1).saturating_sub(d.source_skip))
                .map(|ch| if ch == '\t' { "\t".to_string() } else { " ".repeat(ch.width().unwrap_or(0)) })
                .collect();
            let column = d.column.saturating_sub(d.source_skip).max(1);
            let marker_len = if d.width > 0 { d.width.min(60) } else { marker_len(src, column) };
            let _ = writeln!(out, "{pad} {blue}|{reset} {before}{c}{}{reset}", "^".repeat(marker_len));
        }
    }
    if !d.hint.is_empty() {
        let _ = writeln!(out, "{pad} {blue}={reset} {bold}hint{reset}: {}", d.hint);
    }
    out
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
        n += c.width().unwrap_or(0);
    }
    n.clamp(1, 60)
}

/// The closing summary line, e.g. `2 errors, 1 warning in 5 files`.
pub fn summary(diags: &[Diagnostic], files: usize) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    format!(
        "{}, {} in {}",
        plural(errors, "error", "errors"),
        plural(warnings, "warning", "warnings"),
        plural(files, "file", "files")
    )
}

pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Renders diagnostics as a JSON array of `{file, line, column, severity, code, message, hint}`.
pub fn render_json(diags: &[Diagnostic]) -> String {
    serde_json::to_string_pretty(diags).unwrap_or_else(|_| "[]".to_string())
}

/// Byte offset in `text` → 1-based (line, column in characters).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    LineIndex::new(text).line_col(offset)
}

/// Line and column for many offsets of one text: the line starts are found once.
pub struct LineIndex<'a> {
    text: &'a str,
    newlines: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        LineIndex { text, newlines: text.match_indices('\n').map(|(i, _)| i).collect() }
    }

    /// Byte offset → 1-based (line, column in characters); an offset inside a character counts
    /// as that character's start.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let line = self.newlines.partition_point(|&n| n < offset);
        let line_start = if line == 0 { 0 } else { self.newlines[line - 1] + 1 };
        (line + 1, self.text[line_start..offset].chars().count() + 1)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
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
    fn line_col_counts_characters_not_bytes() {
        let text = "一二\n三四五x";
        assert_eq!(line_col(text, text.find('x').unwrap()), (2, 4));
        assert_eq!(line_col(text, 0), (1, 1));
        // An offset inside a multi-byte character snaps back to its start.
        assert_eq!(line_col(text, 1), (1, 1));
    }

    #[test]
    fn line_index_finds_every_offset() {
        let text = "a\n一二\n\n三四五x\nend";
        let index = LineIndex::new(text);
        // (offset, line, column) worked out by hand: 一 starts at byte 2, 三 at 10, x at 19.
        for (offset, expected) in [
            (0, (1, 1)),
            (1, (1, 2)),
            (2, (2, 1)),
            (5, (2, 2)),
            (9, (3, 1)),
            (10, (4, 1)),
            (19, (4, 4)),
            (21, (5, 1)),
            (99, (5, 4)),
        ] {
            assert_eq!(index.line_col(offset), expected, "offset {offset}");
        }
    }

    #[test]
    fn summary_pluralizes() {
        let d = vec![
            Diagnostic::error("a", "x", "m"),
            Diagnostic::error("a", "x", "m"),
            Diagnostic::warning("a", "y", "m"),
        ];
        assert_eq!(summary(&d, 5), "2 errors, 1 warning in 5 files");
        assert_eq!(summary(&[], 1), "0 errors, 0 warnings in 1 file");
    }
}
