//! YAML plumbing shared by case files and the taxonomy: serde-saphyr's options, positions
//! moved into file coordinates, YAML errors reworded as diagnostics in an editor's words, and the
//! small value types (a text, a list of texts) every file reads. A keyboard's character near an
//! error is named instead of serde-saphyr's words for what it could not read.

use super::{keyboard, At};
use crate::config::Language;
use crate::diag::Diagnostic;
use serde::de::{self, Deserialize, Deserializer, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

/// Deserializes `text` with a stateful seed (serde-saphyr exposes the deserializer in a closure).
pub(super) fn from_str_seed<T, S>(text: &str, seed: S) -> Result<T, serde_saphyr::Error>
where
    S: for<'de> de::DeserializeSeed<'de, Value = T>,
{
    serde_saphyr::with_deserializer_from_str_with_options(text, yaml_options(), |d| seed.deserialize(d))
}

pub(super) fn yaml_options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.with_snippet = false;
    options
}

/// Converts a serde-saphyr location inside a YAML block that starts at `first_line` of the file.
pub(super) fn shift<T>(s: Spanned<T>, first_line: usize) -> At<T> {
    let line = s.referenced.line() as usize;
    At {
        value: s.value,
        line: if line == 0 { first_line } else { line + first_line - 1 },
        column: (s.referenced.column() as usize).max(1),
    }
}

/// A serde-saphyr error as a diagnostic in file coordinates. `yaml` is the YAML block of the
/// file's `text` that starts at `first_line`: a keyboard's character next to the error is its
/// likely cause, and is named instead, where it is ([`keyboard`]).
pub(super) fn yaml_error(
    path: &str,
    text: &str,
    (yaml, first_line): (&str, usize),
    e: &serde_saphyr::Error,
    lang: Language,
) -> Diagnostic {
    let raw = e.without_snippet().to_string();
    let message = clean_yaml_message(&raw);
    let (line, column) = match e.location() {
        Some(loc) if loc.line() > 0 => (loc.line() as usize + first_line - 1, (loc.column() as usize).max(1)),
        _ => (first_line, 1),
    };
    if let Some(cause) = keyboard::cause(&keyboard::scan(yaml, first_line), line) {
        return keyboard::diagnostic(path, text, cause, lang);
    }
    let hint = yaml_hint(&message);
    Diagnostic::error(path, "yaml", message).at(text, line, column).hint(hint)
}

/// serde-saphyr appends the position to its messages; we show it separately.
fn clean_yaml_message(raw: &str) -> String {
    let first = raw.lines().next().unwrap_or(raw).trim();
    let first = match first.find(" at line ") {
        Some(i) => &first[..i],
        None => first,
    };
    let first = first.trim_start_matches("error: ").trim_end_matches('.');
    // serde-saphyr's type errors speak of parser events and Rust types; say it in the editor's words.
    let plain = if first == "recursion limit exceeded" || first.starts_with("budget breached: Depth") {
        "values are nested too deeply"
    } else if first.starts_with("budget breached") {
        "the YAML is too large, or expands too much through anchors and aliases"
    } else if first.contains("null into string") {
        "expected text, found an empty value"
    } else if first == "expected string scalar" {
        "expected text, found a list or a mapping"
    } else if first == "expected sequence start" {
        "expected a list"
    } else if first == "expected mapping start" {
        "expected `key: value` lines (a mapping)"
    } else {
        first
    };
    if let Some(key) = plain.strip_prefix("duplicate mapping key: ") {
        let key = key.split(", set DuplicateKeyPolicy").next().unwrap_or(key);
        format!("duplicate key `{key}`")
    } else if plain.is_empty() {
        "invalid YAML".to_string()
    } else {
        plain.to_string()
    }
}

fn yaml_hint(message: &str) -> &'static str {
    let m = message.to_ascii_lowercase();
    // What the parser wanted here, e.g. "expected a list, e.g. [a, b]" → "a list, e.g. [a, b]".
    let expected = m.rsplit_once("expected ").map_or("", |(_, e)| e);
    if m.contains("too large") || m.contains("alias") || m.contains("nested too deeply") {
        "YAML here is limited in size, nesting depth and aliases; write the values out plainly"
    } else if expected.starts_with("a list") || expected.starts_with("sequence") {
        "write a list as [a, b] or as lines starting with \"- \""
    } else if expected.starts_with("text") || expected.starts_with("string") {
        "write text as a plain or quoted string, e.g. title: \"...\""
    } else if expected.contains("mapping") || expected.contains("key: value") || expected.starts_with("a place") {
        "write one `key: value` per line, indented under the key"
    } else if m.contains("mapping values are not allowed") {
        "a value that contains \": \" must be quoted, e.g. title: \"Huaihe Road Street: one body, two wings\""
    } else if m.contains("duplicate") {
        "remove one of the two entries"
    } else if m.contains("tab") {
        "indent YAML with spaces, not tabs"
    } else {
        "check the YAML syntax on this line and the one before (indentation, a missing colon, an unclosed quote or bracket)"
    }
}

/// A list of strings, each with its position; an empty value is an empty list.
pub(super) struct StringList(pub(super) Vec<Spanned<String>>);

impl<'de> Deserialize<'de> for StringList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct StringListVisitor;
        impl<'de> Visitor<'de> for StringListVisitor {
            type Value = StringList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list, e.g. [a, b]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StringList, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<String>>()? {
                    out.push(item);
                }
                Ok(StringList(out))
            }
            fn visit_unit<E: de::Error>(self) -> Result<StringList, E> {
                Ok(StringList(Vec::new()))
            }
        }
        d.deserialize_any(StringListVisitor)
    }
}

/// A text value with its position; an empty value (`id:`) reads as empty text, so that
/// `validate` reports "`id` is empty" at its line rather than a type error.
pub(super) fn text(s: Spanned<Option<String>>) -> Spanned<String> {
    Spanned::new(s.value.unwrap_or_default(), s.referenced, s.defined)
}
