//! Names that become file names, and text that reaches XML: the checks that keep `check` and
//! `build` agreeing about what is valid.
//!
//! Every output path must be owned by exactly one page: a case `index` would be overwritten by
//! the list of all cases (`cases/index.html`), a term `a-2` by page 2 of term `a`, a vocabulary
//! `places` would write into the place pages. A name longer than a file name may be (255 bytes
//! on every common file system) passes validation but fails the build. A control character
//! makes `feed.xml` invalid XML, so every reader rejects the whole feed.

use crate::diag::Diagnostic;
use crate::model::slug;

/// The top-level folders the site writes itself (the pages of a language other than the
/// default go in a folder named after it); a vocabulary's folder must not be one of them.
pub(super) const SITE_FOLDERS: [&str; 7] = ["cases", "places", "assets", "static", "_search", "en", "zh-CN"];

/// The longest name, in bytes, that may become a file name: 255 (the common limit) less room for
/// the longest suffix a page adds, `-NNNN.html` (page numbers of a paginated list).
pub(super) const MAX_NAME_BYTES: usize = 255 - "-9999.html".len();

/// Whether `id` is the file stem of page 2 or later of the paginated list `stem`: `stem-N`
/// with N ≥ 2 written without leading zero, as `render::views::page_path` names them. Checked
/// whether or not the list has that many pages today: a library must not become invalid
/// because one more case was tagged.
pub(super) fn is_later_page_of(id: &str, stem: &str) -> bool {
    id.strip_prefix(stem)
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|n| !n.starts_with('0') && n.parse::<u32>().is_ok_and(|n| n >= 2))
}

/// The page a case id would overwrite in `cases/`, if any.
pub(crate) fn case_id_clash(id: &str) -> Option<String> {
    if id == "index" || is_later_page_of(id, "index") {
        Some(format!("cases/{id}.html is a page of the list of all cases"))
    } else {
        None
    }
}

/// An error when `name` (written at `line:column`) is too long to become a file name.
pub(super) fn too_long(
    path: &str,
    text: &str,
    what: &str,
    name: &str,
    line: usize,
    column: usize,
) -> Option<Diagnostic> {
    let bytes = slug(name).len();
    (bytes > MAX_NAME_BYTES).then(|| {
        Diagnostic::error(path, "name-too-long", format!("{what} is too long to name a file ({bytes} bytes)"))
            .at(text, line, column)
            .hint(format!("shorten it to at most {MAX_NAME_BYTES} bytes (a Chinese character takes 3)"))
    })
}

/// The first character of `value` that XML 1.0 forbids or a terminal would act on: control
/// characters other than tab, line feed and carriage return, and the non-characters U+FFFE and
/// U+FFFF.
pub(super) fn forbidden_char(value: &str) -> Option<char> {
    value
        .chars()
        .find(|&c| (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}'))
}

/// An error when the text value `field` (written at `line:column`) holds a forbidden character.
pub(super) fn control_char(
    path: &str,
    text: &str,
    field: &str,
    value: &str,
    line: usize,
    column: usize,
) -> Option<Diagnostic> {
    forbidden_char(value).map(|c| {
        Diagnostic::error(
            path,
            "control-character",
            format!("`{field}` holds the control character U+{:04X}", c as u32),
        )
        .at(text, line, column)
        .hint("remove it: control characters make feed.xml invalid and do not show in a page")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_pages_are_named_as_the_renderer_names_them() {
        // render::views::page_path: page index p ≥ 1 is `STEM-{p + 1}.html`.
        for id in ["a-2", "a-10", "a-124"] {
            assert!(is_later_page_of(id, "a"), "{id}");
        }
        for id in ["a", "a-1", "a-0", "a-02", "a-x", "ab-2", "a--2", "a-2-b"] {
            assert!(!is_later_page_of(id, "a"), "{id}");
        }
    }

    #[test]
    fn forbidden_characters() {
        assert_eq!(forbidden_char("tab\tnew\nline\r ok 中文"), None);
        for c in ['\0', '\u{1}', '\u{b}', '\u{c}', '\u{1b}', '\u{7f}', '\u{85}', '\u{fffe}', '\u{ffff}'] {
            assert_eq!(forbidden_char(&format!("a{c}b")), Some(c));
        }
    }
}
