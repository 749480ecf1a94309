//! Translations: a case in another language than its file's, from `x.zh.md` beside `x.md`.
//!
//! The original holds every structured field (place, level, tags) and its body is in the
//! library's `content_language`. A translation gives the body in its own language and may
//! give the title, the summary and the sources in it; its tagged sections have the original's
//! anchors and tags (validation sees to it), so excerpts and links line up in both languages.
//! [`Case::text_in`] is the one place that decides which text a page in a language shows.

use super::{Case, Library, Section};
use crate::config::Language;

/// One case's text in one more language.
#[derive(Debug)]
pub struct Translation {
    pub lang: Language,
    /// Source file, relative to the library root.
    pub path: String,
    pub title: Option<String>,
    pub summary: Option<String>,
    /// Empty: the original's.
    pub sources: Vec<String>,
    /// The whole source file; the body is `text[body_start..]`.
    pub text: String,
    pub body_start: usize,
    pub sections: Vec<Section>,
}

/// The body a page in one language shows: the translation into it, or else the original.
#[derive(Clone, Copy, Debug)]
pub struct CaseText<'a> {
    pub id: &'a str,
    /// The file it is read from.
    pub path: &'a str,
    pub body: &'a str,
    pub sections: &'a [Section],
    /// The language the body is written in.
    pub lang: Language,
    /// A translation (not the original).
    pub translated: bool,
    pub sources: &'a [String],
}

impl CaseText<'_> {
    /// Markdown of a section's content (heading excluded).
    pub fn section_markdown(&self, s: &Section) -> &str {
        &self.body[s.content.clone()]
    }
}

impl Case {
    /// The translation of the case into `lang`, if there is one.
    pub fn translation(&self, lang: Language) -> Option<&Translation> {
        self.translations.iter().find(|t| t.lang == lang)
    }

    /// What a page in `lang` shows of the case, the originals being in `content` (the
    /// library's `content_language`).
    pub fn text_in(&self, lang: Language, content: Language) -> CaseText<'_> {
        // A translation of the title and summary alone has no body: the original's shows.
        match self.translation(lang).filter(|t| lang != content && t.body_start < t.text.len()) {
            Some(t) => CaseText {
                id: &self.id,
                path: &t.path,
                body: &t.text[t.body_start..],
                sections: &t.sections,
                lang,
                translated: true,
                sources: if t.sources.is_empty() { &self.sources } else { &t.sources },
            },
            None => CaseText {
                id: &self.id,
                path: &self.path,
                body: self.body(),
                sections: &self.sections,
                lang: content,
                translated: false,
                sources: &self.sources,
            },
        }
    }

    /// The title in `lang` and the other language's beside it: a translation's title stands
    /// for the `title_zh` (Chinese) or `title` (English) of the original.
    pub fn title_in(&self, lang: Language) -> (&str, Option<&str>) {
        let (en, zh) = self.both(self.title.as_str(), self.title_zh.as_deref(), |t| t.title.as_deref());
        super::Localized::new(en, zh).names(lang)
    }

    /// The summary in `lang` and the other language's beside it, as [`Case::title_in`].
    pub fn summary_in(&self, lang: Language) -> (&str, Option<&str>) {
        let (en, zh) = self.both(self.summary.as_str(), self.summary_zh.as_deref(), |t| t.summary.as_deref());
        super::Localized::new(en, zh).names(lang)
    }

    fn both<'a>(
        &'a self,
        en: &'a str,
        zh: Option<&'a str>,
        of: impl Fn(&'a Translation) -> Option<&'a str>,
    ) -> (&'a str, Option<&'a str>) {
        let en = self.translation(Language::En).and_then(&of).unwrap_or(en);
        let zh = self.translation(Language::ZhCn).and_then(&of).or(zh);
        (en, zh)
    }
}

/// How many of the cases have a translation into one language of the site.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Coverage {
    pub language: &'static str,
    pub translated: usize,
    pub cases: usize,
    /// The ids of the cases without one.
    pub missing: Vec<String>,
}

impl Library {
    /// Per language of the site other than the cases' own: how many cases are translated.
    pub fn translation_coverage(&self) -> Vec<Coverage> {
        let content = self.config.content_language;
        self.config
            .languages
            .iter()
            .filter(|&&l| l != content)
            .map(|&l| {
                let missing: Vec<String> =
                    self.cases.iter().filter(|c| c.translation(l).is_none()).map(|c| c.id.clone()).collect();
                Coverage {
                    language: l.tag(),
                    translated: self.cases.len() - missing.len(),
                    cases: self.cases.len(),
                    missing,
                }
            })
            .collect()
    }
}

impl std::fmt::Display for Coverage {
    /// `translations into en: 3 of 5 cases (missing: a, b)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "translations into {}: {} of {} cases", self.language, self.translated, self.cases)?;
        if !self.missing.is_empty() {
            let shown: Vec<&str> = self.missing.iter().take(10).map(String::as_str).collect();
            let more =
                if self.missing.len() > 10 { format!(" and {} more", self.missing.len() - 10) } else { String::new() };
            write!(f, " (missing: {}{more})", shown.join(", "))?;
        }
        Ok(())
    }
}
