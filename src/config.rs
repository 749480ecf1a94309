//! Site settings from the optional `casebook.toml` at the library root.
//!
//! Every setting has a default, so no file is needed. Unknown keys are errors (a misspelt
//! key must not be silently ignored). Parsing is pure: the loader hands in the file's text.

use crate::diag::{line_col, Diagnostic, Suggestion};
use serde::Deserialize;
use std::collections::BTreeMap;

pub const CONFIG_FILE: &str = "casebook.toml";
pub const DEFAULT_MAX_FILE_SIZE: u64 = 1024 * 1024;
/// The default of `max_attachment_size`: 20 MiB.
pub const DEFAULT_MAX_ATTACHMENT_SIZE: u64 = 20 * 1024 * 1024;

/// The user interface language of the built site.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize, Default)]
pub enum Language {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::ZhCn, Language::En];

    pub fn tag(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::En => "en",
        }
    }

    /// The folder of the site's pages in this language, for a site in `languages` (the default
    /// first): none (`""`) for the default language, `en/` for another.
    pub fn folder_in(self, languages: &[Language]) -> String {
        if languages.first() == Some(&self) {
            String::new()
        } else {
            format!("{}/", self.tag())
        }
    }

    /// The language a reader names, as `--lang` or `/api/search?lang=` take it: its tag in any
    /// case, and `zh` for `zh-CN`.
    pub fn from_tag(text: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.tag().eq_ignore_ascii_case(text) || (text == "zh" && *l == Language::ZhCn))
    }

    /// The language's place in [`Language::ALL`].
    pub fn position(self) -> usize {
        Language::ALL.iter().position(|&l| l == self).unwrap_or(0)
    }

    /// The other of the two languages: the one of a text shown beside its translation.
    pub fn other(self) -> Language {
        match self {
            Language::ZhCn => Language::En,
            Language::En => Language::ZhCn,
        }
    }

    /// The language's name in itself, for the language switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Language::ZhCn => "中文",
            Language::En => "English",
        }
    }

    /// The language of a translation file's name, `x.zh.md` or `x.zh-CN.md` or `x.en.md`, and
    /// the original's name (`x.md`).
    pub fn of_translation(path: &str) -> Option<(Language, String)> {
        let stem = path.strip_suffix(".md")?;
        let (original, code) = stem.rsplit_once('.')?;
        let lang = match code {
            "zh" | "zh-CN" => Language::ZhCn,
            "en" => Language::En,
            _ => return None,
        };
        (!original.ends_with('/') && !original.is_empty()).then(|| (lang, format!("{original}.md")))
    }
}

/// Settings of one library.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The library's title in the site header.
    pub title: String,
    /// A Chinese title, shown beside `title` when set.
    pub title_zh: Option<String>,
    /// The UI language: `zh-CN` (default) or `en`; with `languages`, the first of them.
    pub language: Language,
    /// The languages of the site, the default (at the root) first, each other one in a folder
    /// of its own (`en/`); default: `[language]`.
    pub languages: Vec<Language>,
    /// The language the case files' bodies are written in; a translation (`x.zh.md` beside
    /// `x.md`) gives a case in another one. Default: the site's default language.
    pub content_language: Language,
    /// Where the site will be published, e.g. `/kb/`. Links stay relative; this only
    /// feeds `sitemap.xml` and the RSS feed, together with `base_url` if given.
    pub base_path: String,
    /// Optional origin for absolute URLs in sitemap.xml and the feed, e.g. `https://intranet.example`.
    pub base_url: Option<String>,
    /// Which vocabularies get navigation links and facets; default: all, in taxonomy order.
    pub vocabularies: Option<Vec<String>>,
    /// The vocabulary drawn as the profile and first in the matrix; default: the first one.
    pub profile: Option<String>,
    /// The vocabulary the home page's "start from …" section lists (the shipped library's
    /// problems), with the terms linked to each of its terms; default: none (no such section).
    pub start_from: Option<String>,
    /// Largest case file accepted, in bytes.
    pub max_file_size: u64,
    /// Largest file the site publishes as it is (a file a case links to, a document of
    /// `static/`), in bytes.
    pub max_attachment_size: u64,
    /// Cases or excerpts per page on list pages.
    pub page_size: usize,
    /// Other names of places, keyed by a place name as the cases write it (in any language):
    /// `Urumqi = ["Urumchi"]`. Search finds a case by any of them.
    pub place_aliases: BTreeMap<String, Vec<String>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            // Neutral: a library names itself in its casebook.toml.
            title: "Casebook".to_string(),
            title_zh: None,
            language: Language::ZhCn,
            languages: vec![Language::ZhCn],
            content_language: Language::ZhCn,
            base_path: "/".to_string(),
            base_url: None,
            vocabularies: None,
            profile: None,
            start_from: None,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            max_attachment_size: DEFAULT_MAX_ATTACHMENT_SIZE,
            page_size: 50,
            place_aliases: BTreeMap::new(),
        }
    }
}

/// The keys of `casebook.toml`, for "did you mean" hints.
const KEYS: &[&str] = &[
    "title",
    "title_zh",
    "language",
    "languages",
    "content_language",
    "base_path",
    "base_url",
    "vocabularies",
    "profile",
    "start_from",
    "max_file_size",
    "max_attachment_size",
    "page_size",
    "place_aliases",
];

/// Parses `casebook.toml`; errors name the line and the offending key.
pub fn parse(text: &str) -> Result<Config, Diagnostic> {
    let mut config: Config = toml::from_str(text).map_err(|e| {
        let (line, col) = e.span().map_or((1, 1), |s| line_col(text, s.start));
        let mut message = e.message().trim_end().to_string();
        let mut hint = if message.contains("variant") {
            "language is \"zh-CN\" or \"en\"".to_string()
        } else {
            "see the casebook.toml section of README.md".to_string()
        };
        // toml says "unknown field `x`, expected one of ..."; say it like the front matter does.
        let unknown =
            message.strip_prefix("unknown field `").and_then(|m| m.split_once('`')).map(|(k, _)| k.to_string());
        // A setting written below a `[table]` header belongs to that table: say so, since the
        // message only says that the value has the wrong type.
        if let Some((header, at)) = table_above(text, line) {
            hint = format!(
                "line {line} is inside the `{header}` table that starts on line {at}; settings such as this one go \
                 above the first [table] line"
            );
        }
        if let Some(key) = unknown {
            hint = match Suggestion::closest(&key, KEYS.iter().copied()) {
                Some(suggestion) => suggestion.to_string(),
                None => format!("known keys: {}", KEYS.join(", ")),
            };
            message = format!("unknown key `{key}`");
        }
        Diagnostic::error(CONFIG_FILE, "config", message).at(text, line, col).hint(hint)
    })?;
    if config.page_size == 0 {
        return Err(
            Diagnostic::error(CONFIG_FILE, "config", "page_size must be at least 1").hint("use e.g. page_size = 50")
        );
    }
    config.base_path = normalize_base_path(&config.base_path);
    settle_languages(text, &mut config)?;
    Ok(config)
}

/// `language` and `languages` agree: the site's languages, the default first, once each.
fn settle_languages(text: &str, config: &mut Config) -> Result<(), Diagnostic> {
    let table: toml::Table = toml::from_str(text).unwrap_or_default();
    let at = |key: &str| {
        let offset = text.lines().scan(0, |pos, l| {
            let here = *pos;
            *pos += l.len() + 1;
            Some((here, l))
        });
        offset
            .filter(|(_, l)| l.trim_start().strip_prefix(key).is_some_and(|r| r.trim_start().starts_with('=')))
            .map(|(o, _)| line_col(text, o))
            .next()
            .unwrap_or((1, 1))
    };
    if !table.contains_key("languages") {
        config.languages = vec![config.language];
    }
    if !table.contains_key("content_language") {
        config.content_language = config.languages.first().copied().unwrap_or(config.language);
    }
    if !table.contains_key("languages") {
        return Ok(());
    }
    let (line, col) = at("languages");
    let error = |message: String, hint: String| {
        Diagnostic::error(CONFIG_FILE, "config", message).at(text, line, col).hint(hint)
    };
    let Some(&first) = config.languages.first() else {
        return Err(error(
            "languages is empty".into(),
            "list the site's languages, the default first: languages = [\"zh-CN\", \"en\"]".into(),
        ));
    };
    for (i, l) in config.languages.iter().enumerate() {
        if config.languages[..i].contains(l) {
            return Err(error(format!("languages lists `{}` twice", l.tag()), "list each language once".into()));
        }
    }
    if table.contains_key("language") && config.language != first {
        return Err(error(
            format!("language is `{}` but languages starts with `{}`", config.language.tag(), first.tag()),
            "the first of languages is the site's default language: remove `language`, or make it the first".into(),
        ));
    }
    config.language = first;
    Ok(())
}

/// The `[table]` header above line `line` (1-based) of `text`, and its line, if any.
fn table_above(text: &str, line: usize) -> Option<(&str, usize)> {
    text.lines()
        .take(line.saturating_sub(1))
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with('['))
        .last()
        .map(|(i, l)| (l.trim(), i + 1))
}

/// `kb` → `/kb/`, `` → `/`.
pub fn normalize_base_path(path: &str) -> String {
    let trimmed = path.trim().trim_matches('/');
    if trimmed.is_empty() {
        "/".to_string()
    } else {
        format!("/{trimmed}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults() {
        assert_eq!(parse("").unwrap(), Config::default());
    }

    #[test]
    fn unknown_key_is_an_error_with_its_line() {
        let e = parse("title = \"x\"\nlanguge = \"en\"\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert_eq!(e.message, "unknown key `languge`");
        assert_eq!(e.hint, "did you mean `language`?");
    }

    #[test]
    fn profile_and_start_from_name_vocabularies_and_default_to_none() {
        let c = parse("profile = \"forces\"\nstart_from = \"problems\"\n").unwrap();
        assert_eq!((c.profile.as_deref(), c.start_from.as_deref()), (Some("forces"), Some("problems")));
        assert_eq!((Config::default().profile, Config::default().start_from), (None, None));
        assert_eq!(parse("start_form = \"x\"").unwrap_err().hint, "did you mean `start_from`?");
    }

    #[test]
    fn a_setting_written_below_a_table_is_said_to_be_inside_it() {
        let e =
            parse("profile = \"forces\"\n[place_aliases]\nUrumqi = [\"Urumchi\"]\nlanguage = \"en\"\n").unwrap_err();
        assert_eq!(e.line, 4);
        assert!(e.hint.contains("inside the `[place_aliases]` table that starts on line 2"), "{}", e.hint);
        let e = parse("languge = \"en\"\n").unwrap_err();
        assert_eq!(e.hint, "did you mean `language`?", "no table, no such hint");
    }

    #[test]
    fn languages_default_to_the_ui_language_and_lead_with_the_default() {
        assert_eq!(parse("language = \"en\"").unwrap().languages, vec![Language::En]);
        let c = parse("languages = [\"en\", \"zh-CN\"]\ncontent_language = \"zh-CN\"").unwrap();
        assert_eq!(
            (c.language, c.languages.clone(), c.content_language),
            (Language::En, vec![Language::En, Language::ZhCn], Language::ZhCn)
        );
        assert_eq!(parse("languages = [\"en\", \"zh-CN\"]").unwrap().content_language, Language::En, "the default's");
        assert_eq!(Config::default().content_language, Config::default().language);
        let e = parse("title = \"x\"\nlanguages = [\"en\", \"en\"]").unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (2, "languages lists `en` twice"));
        assert!(parse("languages = []").is_err());
        let e = parse("language = \"zh-CN\"\nlanguages = [\"en\", \"zh-CN\"]").unwrap_err();
        assert!(e.message.contains("languages starts with `en`"), "{}", e.message);
    }

    #[test]
    fn a_translation_is_named_by_its_language() {
        let of = Language::of_translation;
        assert_eq!(of("cases/henan/x.zh.md"), Some((Language::ZhCn, "cases/henan/x.md".to_string())));
        assert_eq!(of("cases/x.zh-CN.md"), Some((Language::ZhCn, "cases/x.md".to_string())));
        assert_eq!(of("cases/x.en.md"), Some((Language::En, "cases/x.md".to_string())));
        assert_eq!(of("cases/x.md"), None);
        assert_eq!(of("cases/x.fr.md"), None);
        assert_eq!(of("cases/.en.md"), None);
    }

    #[test]
    fn language_and_base_path() {
        let c = parse("language = \"en\"\nbase_path = \"kb\"\n").unwrap();
        assert_eq!(c.language, Language::En);
        assert_eq!(c.base_path, "/kb/");
        assert!(parse("language = \"fr\"").is_err());
    }
}
