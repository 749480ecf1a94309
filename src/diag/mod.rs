//! Diagnostics: what `check` (and every later command) tells an editor about the content.
//!
//! A [`Diagnostic`] always names a file and a 1-based line and column in that file, carries the
//! source line it points at, and says how to fix the problem. Stages create diagnostics and keep
//! going; only the caller decides whether they are fatal. This module renders them for humans
//! (with a caret under the column, [`render`]) and as JSON for editors and CI; [`lines`] turns
//! byte offsets into lines and columns, [`suggest`] words every "did you mean". It does no I/O.

pub mod lines;
pub mod render;
pub mod suggest;

pub use lines::{line_col, LineIndex};
pub use render::{escape_controls, render_human, render_json};
pub use suggest::{nearest, Suggestion};

use serde::Serialize;

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
    /// The source line the diagnostic points at (not serialized). Boxed: a diagnostic travels
    /// in `Result`s, and this keeps it small.
    #[serde(skip)]
    pub source: Option<Box<SourceLine>>,
    /// Width of the `^^^` marker in terminal columns; 0 lets the renderer find the token's end.
    #[serde(skip)]
    pub width: u32,
}

/// The part of a source line a diagnostic shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceLine {
    pub text: String,
    /// Characters of the line cut off before `text` (a long line is shown around the column,
    /// after a `…`), so the marker lands under the column.
    pub skip: usize,
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
            source: None,
            width: 0,
        }
    }

    pub fn warning(file: &str, code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(file, code, message) }
    }

    /// Points the diagnostic at `line`/`column` of `text` and keeps that line for display.
    pub fn at(mut self, text: &str, line: usize, column: usize) -> Self {
        self.line = line;
        self.column = column;
        self.source = if line == 0 {
            None
        } else {
            lines::line_text(text, line).map(|l| {
                // Far along a long line, show the part around the column, after a `…`.
                let cut = if column > SHOWN_CHARS * 3 / 4 { column - SHOWN_CHARS / 2 } else { 0 };
                Box::new(match l.char_indices().nth(cut).filter(|_| cut > 0) {
                    Some((byte, _)) => {
                        SourceLine { text: format!("…{}", truncate_chars(&l[byte..], SHOWN_CHARS)), skip: cut - 1 }
                    }
                    None => SourceLine { text: truncate_chars(l, SHOWN_CHARS), skip: 0 },
                })
            })
        };
        self
    }

    /// Marks the whole of `token` (which starts at the column), e.g. a value with spaces; a
    /// control character in it counts as wide as its escape, as it is shown.
    pub fn marking(mut self, token: &str) -> Self {
        let width: usize = token.chars().map(render::shown_width).sum();
        self.width = u32::try_from(width).unwrap_or(u32::MAX);
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

/// [`summary`] in `lang`, for pages (serve's error overlay): `2 个错误，1 个警告，涉及 5 个文件`.
pub fn summary_in(diags: &[Diagnostic], files: usize, lang: crate::config::Language) -> String {
    if lang == crate::config::Language::En {
        return summary(diags, files);
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    format!("{errors} 个错误，{} 个警告，涉及 {files} 个文件", diags.len() - errors)
}

/// A file's size for a message: `900 B`, `12.5 KiB`, `20 MiB` (one decimal, none when it is 0).
pub fn file_size(bytes: u64) -> String {
    let (value, unit) = match bytes {
        b if b < 1024 => return format!("{b} B"),
        b if b < 1024 * 1024 => (b as f64 / 1024.0, "KiB"),
        b => (b as f64 / (1024.0 * 1024.0), "MiB"),
    };
    let shown = format!("{value:.1}");
    format!("{} {unit}", shown.strip_suffix(".0").unwrap_or(&shown))
}

pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_pluralizes() {
        let d = vec![
            Diagnostic::error("a", "x", "m"),
            Diagnostic::error("a", "x", "m"),
            Diagnostic::warning("a", "y", "m"),
        ];
        assert_eq!(summary(&d, 5), "2 errors, 1 warning in 5 files");
        assert_eq!(summary(&[], 1), "0 errors, 0 warnings in 1 file");
        assert_eq!(summary_in(&d, 5, crate::config::Language::ZhCn), "2 个错误，1 个警告，涉及 5 个文件");
        assert_eq!(summary_in(&d, 5, crate::config::Language::En), summary(&d, 5));
    }

    #[test]
    fn file_sizes_are_shown_in_the_unit_that_fits() {
        assert_eq!(file_size(900), "900 B");
        assert_eq!(file_size(12_800), "12.5 KiB");
        assert_eq!(file_size(20 * 1024 * 1024), "20 MiB");
        assert_eq!(file_size(25 * 1024 * 1024 + 300 * 1024), "25.3 MiB");
    }

    #[test]
    fn a_diagnostic_is_small_enough_to_return_in_a_result() {
        // clippy's `result_large_err` limit: functions return `Result<_, Diagnostic>`.
        assert!(std::mem::size_of::<Diagnostic>() < 128, "{}", std::mem::size_of::<Diagnostic>());
    }
}
