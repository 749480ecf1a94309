//! A translation checked against its original: it gives only what is translated (title,
//! summary, sources and the body), in a language of the site other than the one the cases are
//! written in, and its tagged sections have the original's anchors and tags, in the same order,
//! so that excerpts and `#anchor` links line up in both languages.

use super::case::{raw_text_blocks, sections, Tags};
use super::names;
use crate::config::{Config, Language};
use crate::diag::Diagnostic;
use crate::load::SourceFile;
use crate::model::{Case, Section, Taxonomy, Translation};
use crate::parse::{At, RawCase};

/// The keys a translation may have.
pub const TRANSLATION_KEYS: &[&str] = &["title", "summary", "sources"];

/// Checks the translation `file` of `original` into `lang`; returns it when it has no error.
pub(super) fn check_translation(
    file: &SourceFile,
    raw: &RawCase,
    lang: Language,
    original: &Case,
    (taxonomy, config): (&Taxonomy, &Config),
    diags: &mut Vec<Diagnostic>,
) -> Option<Translation> {
    let (path, text) = (file.path.as_str(), file.text.as_str());
    let before = diags.len();
    // Keys that are the original's: each where it is written.
    let mut theirs: Vec<(&str, usize, usize)> = Vec::new();
    for (key, at) in
        [("id", &raw.id), ("title_zh", &raw.title_zh), ("level", &raw.level), ("summary_zh", &raw.summary_zh)]
    {
        if let Some(at) = at {
            theirs.push((key, at.line, at.column));
        }
    }
    if let Some(p) = &raw.place {
        theirs.push(("place", p.line, p.column));
    }
    for (key, _) in &raw.tags {
        theirs.push((key.value.as_str(), key.line, key.column));
    }
    for key in &raw.unknown_keys {
        theirs.push((key.value.as_str(), key.line, key.column));
    }
    theirs.sort_by_key(|&(_, line, column)| (line, column));
    for (key, line, column) in theirs {
        diags.push(
            Diagnostic::error(path, "translation-key", format!("a translation may not give `{key}`"))
                .at(text, line, column)
                .hint(format!(
                    "a translation gives only {}, and the body; `{key}` is the original's ({}): remove it here",
                    TRANSLATION_KEYS.join(", "),
                    original.path
                )),
        );
    }
    for (field, value) in [("title", &raw.title), ("summary", &raw.summary)] {
        if let Some(v) = value {
            diags.extend(names::control_char(path, text, field, &v.value, v.line, v.column));
        }
    }
    let sources: Vec<String> = raw
        .sources
        .iter()
        .flat_map(|s| &s.value)
        .map(|s| s.value.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    for s in raw.sources.iter().flat_map(|s| &s.value) {
        diags.extend(names::control_char(path, text, "sources", &s.value, s.line, s.column));
    }
    // A translation of the title and summary only shows the original's body.
    let has_body = !text[raw.body.offset..].trim().is_empty();
    let translated_sections = if has_body {
        let tags = Tags { terms: original.tags.clone(), unresolved: vec![false; original.tags.len()] };
        let found = sections(file, raw, (taxonomy, config), &tags, diags);
        raw_text_blocks(file, raw, diags);
        diags.extend(compare_sections(file, original, &found, taxonomy));
        found
    } else {
        Vec::new()
    };
    if diags[before..].iter().any(Diagnostic::is_error) {
        return None;
    }
    let trimmed = |v: &Option<At<String>>| v.as_ref().map(|t| t.value.trim().to_string()).filter(|t| !t.is_empty());
    Some(Translation {
        lang,
        path: file.path.clone(),
        title: trimmed(&raw.title),
        summary: trimmed(&raw.summary),
        sources,
        text: file.text.clone(),
        body_start: if has_body { raw.body.offset } else { file.text.len() },
        sections: translated_sections,
    })
}

/// The tagged sections of a translation against the original's, in order: the same anchors,
/// the same tags.
fn compare_sections(file: &SourceFile, original: &Case, found: &[Section], taxonomy: &Taxonomy) -> Vec<Diagnostic> {
    let theirs: Vec<&Section> = original.sections.iter().filter(|s| s.is_tagged()).collect();
    let ours: Vec<&Section> = found.iter().filter(|s| s.is_tagged()).collect();
    let describe = |s: &Section| {
        let tags: Vec<String> = s
            .tags
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.is_empty())
            .map(|(v, t)| {
                let voc = &taxonomy.vocabularies[v];
                let ids: Vec<&str> = t.iter().map(|&t| voc.terms[t].id.as_str()).collect();
                format!("{}=\"{}\"", voc.singular, ids.join(" "))
            })
            .collect();
        format!("{{#{} {}}}", s.anchor, tags.join(" "))
    };
    let mut out = Vec::new();
    for (k, ours) in ours.iter().enumerate() {
        let Some(theirs) = theirs.get(k) else {
            out.push(
                Diagnostic::error(
                    &file.path,
                    "translation-section",
                    format!("tagged section `#{}` is not in the original", ours.anchor),
                )
                .at(&file.text, ours.line, 1)
                .hint(format!(
                    "{} has {} tagged sections; tag the same headings as it does, in the same order",
                    original.path,
                    theirs.len()
                )),
            );
            continue;
        };
        if ours.anchor != theirs.anchor || ours.tags != theirs.tags {
            out.push(
                Diagnostic::error(
                    &file.path,
                    "translation-section",
                    format!("tagged section {} differs from the original's {}", describe(ours), describe(theirs)),
                )
                .at(&file.text, ours.line, 1)
                .hint(format!(
                    "give it the attributes of {} line {}: `{}`, so excerpts and links line up in both languages",
                    original.path,
                    theirs.line,
                    describe(theirs)
                )),
            );
        }
    }
    for theirs in theirs.iter().skip(ours.len()) {
        out.push(
            Diagnostic::error(
                &file.path,
                "translation-section",
                format!("the translation lacks the tagged section `#{}`", theirs.anchor),
            )
            .at(&file.text, found.last().map_or(1, |s| s.line), 1)
            .hint(format!(
                "{} line {} tags `{}`: translate that section with the same attributes",
                original.path,
                theirs.line,
                describe(theirs)
            )),
        );
    }
    out
}

/// Whether a translation into `lang` belongs in this library: a language of the site, not the
/// one the cases are written in. The error or warning when not.
pub(super) fn misplaced(file: &SourceFile, lang: Language, config: &Config) -> Option<Diagnostic> {
    if lang == config.content_language {
        return Some(
            Diagnostic::error(
                &file.path,
                "translation-language",
                format!("a translation into `{}`, the language the cases are written in", lang.tag()),
            )
            .at(&file.text, 1, 1)
            .hint("casebook.toml's content_language says the originals are in this language: rename the file, or set content_language"),
        );
    }
    (!config.languages.contains(&lang)).then(|| {
        Diagnostic::warning(
            &file.path,
            "translation-language",
            format!("a translation into `{}`, which is not one of the site's languages: it is not built", lang.tag()),
        )
        .at(&file.text, 1, 1)
        .hint(format!("add \"{}\" to `languages` in casebook.toml", lang.tag()))
    })
}
