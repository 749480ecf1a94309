//! The about page's text: `about.md` at the library root, in the language the cases are
//! written in, and its translations beside it (`about.zh.md`, `about.en.md`), as cases have
//! them. Each is Markdown; its `case:` links are checked like a case's. A text in a language the
//! site does not have, or a second one in a language, is warned about, never dropped silently.

use super::links;
use crate::config::{Config, Language};
use crate::diag::Diagnostic;
use crate::load::SourceFile;
use crate::model::About;

/// The about texts of the site's languages, one per language (the first found).
pub(super) fn about_texts(
    files: Vec<SourceFile>,
    config: &Config,
    known: &links::Known,
    diags: &mut Vec<Diagnostic>,
) -> Vec<About> {
    let mut out: Vec<About> = Vec::new();
    for file in files {
        let lang = match Language::of_translation(&file.path) {
            Some((lang, _)) => lang,
            None => config.content_language,
        };
        let at_top = |d: Diagnostic| d.at(&file.text, 1, 1);
        if !config.languages.contains(&lang) {
            diags.push(at_top(
                Diagnostic::warning(
                    &file.path,
                    "about-language",
                    format!("`{}` is not shown: `{}` is not a language of the site", file.path, lang.tag()),
                )
                .hint("add the language to `languages` in casebook.toml, or remove the file"),
            ));
            continue;
        }
        if let Some(other) = out.iter().find(|a| a.lang == lang) {
            diags.push(at_top(
                Diagnostic::warning(
                    &file.path,
                    "about-language",
                    format!(
                        "`{}` is not shown: `{}` gives the about text in `{}` already",
                        file.path,
                        other.path,
                        lang.tag()
                    ),
                )
                .hint("keep one about text per language"),
            ));
            continue;
        }
        let body = crate::parse::parse_body(&file.text, 1);
        // Its links are checked as a case's are (what it names beside it is not published).
        links::check(known, links::InFile { path: &file.path, text: &file.text }, &body.links, diags);
        out.push(About { lang, path: file.path, text: file.text });
    }
    out
}
