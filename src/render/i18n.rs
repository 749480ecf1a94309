//! The user-interface strings of the site ("Home", "Search", "Page {n}") in the site's language.
//!
//! They are data, not code: `templates/i18n/LANG.toml`, embedded like the rest of the theme. A
//! library's own `templates/i18n/LANG.toml` overrides some or all of the keys, exactly as its
//! other template files override the built-in ones; a key the built-in file does not have is an
//! error naming the file and the key, so a misspelt key is never silently ignored.

use crate::config::Language;
use crate::diag::suggest::Suggestion;
use crate::diag::{line_col, Diagnostic};
use crate::error::{Error, Result};
use std::collections::BTreeMap;

/// The built-in strings of each language.
const BUILT_IN: &[(Language, &str)] = &[
    (Language::ZhCn, include_str!("../../templates/i18n/zh-CN.toml")),
    (Language::En, include_str!("../../templates/i18n/en.toml")),
];

/// Where a language's strings live, inside `templates/`.
fn file_name(lang: Language) -> String {
    format!("i18n/{}.toml", lang.tag())
}

/// Is `name` (a file inside `templates/`) a file of UI strings rather than a template or an asset?
pub(crate) fn is_strings_file(name: &str) -> bool {
    name.starts_with("i18n/") && name.ends_with(".toml")
}

/// The UI strings of one language: every key of the built-in file, each with its text.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(transparent)]
pub(crate) struct Ui {
    strings: BTreeMap<String, String>,
}

impl Ui {
    /// The strings of `lang`: the built-in ones, with the library's `templates/i18n/LANG.toml`
    /// (among `overrides`) on top. Every `i18n/*.toml` override is checked, not only the one
    /// of the site's language.
    pub(crate) fn load(lang: Language, overrides: &[(String, Vec<u8>)]) -> Result<Ui> {
        let mut ui = Ui::built_in(lang);
        for (name, bytes) in overrides.iter().filter(|(name, _)| is_strings_file(name)) {
            let path = format!("templates/{name}");
            let text = crate::load::decode(&path, bytes.clone()).map_err(|d| Error::Content(vec![d]))?;
            let strings = parse(&path, &text, &ui)?;
            if *name == file_name(lang) {
                ui.strings.extend(strings);
            }
        }
        Ok(ui)
    }

    /// The built-in strings of `lang`.
    pub(crate) fn built_in(lang: Language) -> Ui {
        let text = BUILT_IN.iter().find(|(l, _)| *l == lang).map_or("", |(_, text)| text);
        let strings = toml::from_str(text).unwrap_or_else(|e| panic!("built-in {}: {e}", file_name(lang)));
        Ui { strings }
    }

    /// The text of `key`. Every key the code asks for is in the built-in files (a unit test
    /// checks it); were one missing, the key itself would show rather than the build failing.
    pub(crate) fn text<'a>(&'a self, key: &'a str) -> &'a str {
        self.lookup(key).unwrap_or(key)
    }

    /// The text of `key`, if there is one (for keys made from data, such as `language_en`).
    pub(crate) fn lookup(&self, key: &str) -> Option<&str> {
        self.strings.get(key).map(String::as_str)
    }

    fn keys(&self) -> impl Iterator<Item = &str> {
        self.strings.keys().map(String::as_str)
    }
}

/// A library's file of UI strings: a table of strings whose keys are all `known`.
fn parse(path: &str, text: &str, known: &Ui) -> Result<BTreeMap<String, String>> {
    let error = |d: Diagnostic| Error::Content(vec![d]);
    let table: toml::Table = toml::from_str(text)
        .map_err(|e| {
            let (line, col) = e.span().map_or((1, 1), |s| line_col(text, s.start));
            Diagnostic::error(path, "template", e.message().trim_end().to_string())
                .at(text, line, col)
                .hint("write one `key = \"text\"` line per string; see README.md, \"Templates\"")
        })
        .map_err(error)?;
    let mut strings = BTreeMap::new();
    for (key, value) in table {
        let at = |d: Diagnostic| match text.lines().position(|l| l.trim_start().starts_with(key.as_str())) {
            Some(line) => d.at(text, line + 1, 1),
            None => d,
        };
        if known.lookup(&key).is_none() {
            let hint = match Suggestion::closest(&key, known.keys()) {
                Some(s) => s.to_string(),
                None => format!("the keys are those of casebook's built-in {}", path.trim_start_matches("templates/")),
            };
            return Err(error(
                at(Diagnostic::error(path, "template", format!("unknown UI string `{key}`")).hint(hint)),
            ));
        }
        match value {
            toml::Value::String(s) => strings.insert(key, s),
            _ => {
                let d = Diagnostic::error(path, "template", format!("UI string `{key}` is not a string"));
                return Err(error(at(d.hint(format!("write it as {key} = \"…\"")))));
            }
        };
    }
    Ok(strings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(lang: Language) -> BTreeSet<String> {
        Ui::built_in(lang).keys().map(str::to_string).collect()
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        assert_eq!(keys(Language::ZhCn), keys(Language::En));
        assert!(keys(Language::En).len() >= 60);
    }

    /// Every `ui.KEY` of the built-in templates and every `ui.text("KEY")` of the render code.
    #[test]
    fn every_key_the_code_and_templates_use_exists() {
        let known = keys(Language::En);
        let mut used = BTreeSet::new();
        for (name, text) in super::super::theme::THEME.iter().filter(|(name, _)| !is_strings_file(name)) {
            let mut rest = *text;
            while let Some(at) = rest.find("ui.") {
                rest = &rest[at + 3..];
                let key: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                used.insert((name.to_string(), key));
            }
        }
        for (name, text) in super::super::SOURCES {
            let mut rest = *text;
            while let Some(at) = rest.find(".text(\"") {
                rest = &rest[at + 7..];
                used.insert((name.to_string(), rest.split('"').next().unwrap_or_default().to_string()));
            }
        }
        assert!(used.len() > 60, "{used:?}");
        let missing: Vec<_> = used.iter().filter(|(_, key)| !known.contains(key)).collect();
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn a_library_overrides_some_keys_and_keeps_the_others() {
        let overrides = vec![("i18n/en.toml".to_string(), b"home = \"Start\"\n".to_vec())];
        let ui = Ui::load(Language::En, &overrides).unwrap();
        assert_eq!(ui.text("home"), "Start");
        assert_eq!(ui.text("search"), "Search");
        // The Chinese file is not the site's language: it is checked, not used.
        let ui = Ui::load(Language::ZhCn, &overrides).unwrap();
        assert_eq!(ui.text("home"), "首页");
    }

    #[test]
    fn an_unknown_key_names_the_file_and_the_key() {
        let overrides = vec![("i18n/zh-CN.toml".to_string(), b"# mine\nsearch_buton = \"Go\"\n".to_vec())];
        let Err(Error::Content(ds)) = Ui::load(Language::ZhCn, &overrides) else { panic!("accepted") };
        assert_eq!(ds[0].file, "templates/i18n/zh-CN.toml");
        assert_eq!(ds[0].line, 2);
        assert_eq!(ds[0].message, "unknown UI string `search_buton`");
        assert_eq!(ds[0].hint, "did you mean `search_button`?");
    }
}
