//! Validate: check raw cases against the taxonomy and build the [`Library`]. No I/O.
//!
//! Every problem of every file is collected (never just the first), each pointing at the file,
//! line and column where it was written, with a hint: an unknown id gets the nearest id by edit
//! distance and the id whose label or alias matches what was written, in either language.
//! `check` stops after this stage; `build` runs exactly the same code and goes on.
//!
//! [`taxonomy`] checks the taxonomy (with its singulars) and resolves ids against it; `levels`
//! checks its levels and a case's level; [`case`] checks one case (its fields, tags, sections
//! and links); `about` the about page's texts; `names` has the rules for names that become file
//! names (no two pages on one path, no name too long) and for control characters; this module
//! checks the library as a whole and replaces one case of it for `serve`. Vocabulary facts (how
//! a singular is derived, the reserved keys) are [`crate::model::vocabulary`]'s and "did you
//! mean" is [`crate::diag::suggest`]'s, not this stage's.

mod about;
pub mod case;
mod levels;
mod names;
mod translation;

pub(crate) use names::case_id_clash;
pub mod taxonomy;

pub use taxonomy::validate_taxonomy;

use crate::config::{Config, Language};
use crate::diag::{Diagnostic, Suggestion};
use crate::load::SourceFile;
use crate::model::vocabulary::valid_id;
use crate::model::{slug, Case, CaseId, Library, TagSets, Taxonomy, Translation};
use crate::parse::{At, RawCase, CASE_KEYS};
use std::collections::{HashMap, HashSet};

/// Validates all cases against the taxonomy; returns the library if there is no error.
pub fn validate(
    config: Config,
    taxonomy: Taxonomy,
    cases: Vec<(SourceFile, Result<RawCase, Vec<Diagnostic>>)>,
    (files, about): (Vec<(String, Vec<u8>)>, Vec<SourceFile>),
    mut diags: Vec<Diagnostic>,
) -> (Option<Library>, Vec<Diagnostic>) {
    let vocab_names: Vec<&str> = taxonomy.vocabularies.iter().map(|v| v.name.as_str()).collect();
    let mut known_keys: Vec<&str> = CASE_KEYS.to_vec();
    known_keys.extend(vocab_names.iter().copied());

    // Translations (`x.zh.md` beside `x.md`) are checked once their originals are.
    let (translations, cases): (Vec<_>, Vec<_>) =
        cases.into_iter().partition(|(file, _)| Language::of_translation(&file.path).is_some());
    let originals: HashSet<String> = cases.iter().map(|(file, _)| file.path.clone()).collect();

    let documents: HashSet<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    // First pass: every case on its own.
    let mut checked: Vec<(Case, Vec<At<String>>)> = Vec::new();
    let mut first_file: HashMap<String, (String, usize)> = HashMap::new();
    let mut rejected: Vec<(SourceFile, Vec<At<String>>)> = Vec::new();
    for (file, parsed) in cases {
        let raw = match parsed {
            Ok(r) => r,
            Err(ds) => {
                diags.extend(ds);
                continue;
            }
        };
        let before = diags.len();
        let case = case::check_case(&file, &raw, (&taxonomy, &config), &known_keys, &mut diags);
        diags.extend(case::file_links(&file.path, &file.text, &raw, &documents));
        if let Some(id) = raw.id.as_ref().filter(|id| valid_id(&id.value)) {
            match first_file.get(&id.value) {
                Some((other, line)) => {
                    diags.push(
                        Diagnostic::error(&file.path, "duplicate-id", format!("duplicate case id `{}`", id.value))
                            .at(&file.text, id.line, id.column)
                            .hint(format!(
                                "`{other}` (line {line}) already uses this id; ids must be unique — rename one"
                            )),
                    );
                    continue;
                }
                None => {
                    first_file.insert(id.value.clone(), (file.path.clone(), id.line));
                }
            }
        }
        match case.filter(|_| diags[before..].iter().all(|d| !d.is_error())) {
            Some(case) => checked.push((Case { text: file.text, ..case }, raw.body.case_links)),
            None => rejected.push((file, raw.body.case_links)),
        }
    }

    // Second pass: links between cases.
    let ids: HashSet<&str> = first_file.keys().map(String::as_str).collect();
    let all_links = checked
        .iter()
        .map(|(c, links)| (c.path.as_str(), c.text.as_str(), links))
        .chain(rejected.iter().map(|(f, links)| (f.path.as_str(), f.text.as_str(), links)));
    for (path, text, links) in all_links {
        diags.extend(case::links(path, text, links, &ids));
    }
    let about = about::about_texts(about, &config, &ids, &mut diags);
    let translated =
        translations_of(&config, &taxonomy, &checked, &originals, translations, (&ids, &documents), &mut diags);
    for (i, t) in translated {
        checked[i].0.translations.push(t);
    }
    for (case, _) in &mut checked {
        case.translations.sort_by_key(|t| config.languages.iter().position(|&l| l == t.lang));
    }

    let mut cases: Vec<Case> = checked.into_iter().map(|(c, _)| c).collect();
    cases.sort_by(|a, b| a.id.cmp(&b.id));

    // Which cases use which term; unused terms are worth a warning.
    let usage = usage(&taxonomy, &cases);
    let has_errors = diags.iter().any(Diagnostic::is_error);
    if !has_errors {
        for (v, vocab) in taxonomy.vocabularies.iter().enumerate() {
            for (t, term) in vocab.terms.iter().enumerate() {
                if usage[v][t].is_empty() {
                    diags.push(
                        Diagnostic::warning(
                            "cases/taxonomy.yaml",
                            "unused-term",
                            format!("{} `{}` is used by no case", vocab.singular, term.id),
                        )
                        .hint(format!(
                            "tag a case with it (`{}: [{}]`) or remove it from the taxonomy",
                            vocab.name, term.id
                        )),
                    );
                }
            }
        }
    }
    let profile = match &config.profile {
        Some(name) => taxonomy.vocabulary_index(name),
        None => (!taxonomy.vocabularies.is_empty()).then_some(0),
    };
    // The vocabularies given a role must exist: a misspelt role would silently drop the profile
    // chart or the home page's "start from" section.
    for (role, name) in [("profile", &config.profile), ("start_from", &config.start_from)] {
        if let Some(name) = name.as_ref().filter(|name| taxonomy.vocabulary_index(name).is_none()) {
            let hint = format!("one of: {}", vocab_names.join(", "));
            let what = if role == "profile" { "profile vocabulary" } else { "start_from vocabulary" };
            diags.push(
                Diagnostic::error("casebook.toml", "config", format!("{what} `{name}` is not in the taxonomy"))
                    .hint(hint),
            );
        }
    }
    if let Some(show) = &config.vocabularies {
        for name in show {
            if taxonomy.vocabulary_index(name).is_none() {
                diags.push(
                    Diagnostic::error("casebook.toml", "config", format!("vocabulary `{name}` is not in the taxonomy"))
                        .hint(format!("one of: {}", vocab_names.join(", "))),
                );
            }
        }
    }
    diags.extend(unknown_place_aliases(&config, &cases));
    crate::diag::sort(&mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }
    let tag_sets = TagSets::new(&taxonomy, &cases);
    (Some(Library { config, taxonomy, cases, usage, profile, tag_sets, files, about }), diags)
}

/// Checks each translation against its original (`checked[i]`, by file name; `originals`: every
/// case file, valid or not), its `case:` links against `ids` and its `static:` links against
/// `documents`; returns the good ones with the index of their original.
fn translations_of(
    config: &Config,
    taxonomy: &Taxonomy,
    checked: &[(Case, Vec<At<String>>)],
    originals: &HashSet<String>,
    translations: Vec<(SourceFile, Result<RawCase, Vec<Diagnostic>>)>,
    (ids, documents): (&HashSet<&str>, &HashSet<&str>),
    diags: &mut Vec<Diagnostic>,
) -> Vec<(usize, Translation)> {
    let by_path: HashMap<&str, usize> = checked.iter().enumerate().map(|(i, (c, _))| (c.path.as_str(), i)).collect();
    let mut out: Vec<(usize, Translation)> = Vec::new();
    for (file, parsed) in translations {
        let Some((lang, original)) = Language::of_translation(&file.path) else { continue };
        let raw = match parsed {
            Ok(r) => r,
            Err(ds) => {
                diags.extend(ds);
                continue;
            }
        };
        if let Some(d) = translation::misplaced(&file, lang, config) {
            diags.push(d);
            continue;
        }
        diags.extend(case::links(&file.path, &file.text, &raw.body.case_links, ids));
        diags.extend(case::file_links(&file.path, &file.text, &raw, documents));
        let Some(&i) = by_path.get(original.as_str()) else {
            // An original with errors of its own is reported already.
            if !originals.contains(&original) {
                diags.push(
                    Diagnostic::error(&file.path, "translation-original", format!("no case `{original}` to translate"))
                        .at(&file.text, 1, 1)
                        .hint(
                            "a translation sits beside its original and is named after it: `x.zh.md` translates `x.md`",
                        ),
                );
            }
            continue;
        };
        if let Some((_, other)) = out.iter().find(|(j, t)| *j == i && t.lang == lang) {
            diags.push(
                Diagnostic::error(
                    &file.path,
                    "translation-twice",
                    format!("a second translation into `{}`", lang.tag()),
                )
                .at(&file.text, 1, 1)
                .hint(format!("{} translates {original} into it already: keep one", other.path)),
            );
            continue;
        }
        let original_case = &checked[i].0;
        if let Some(t) = translation::check_translation(&file, &raw, lang, original_case, (taxonomy, config), diags) {
            out.push((i, t));
        }
    }
    out
}

/// A warning for each place the settings give other names to that no case is in (a misspelt
/// key would silently find nothing).
fn unknown_place_aliases(config: &Config, cases: &[Case]) -> Vec<Diagnostic> {
    if config.place_aliases.is_empty() {
        return Vec::new();
    }
    let names: HashSet<&str> = cases.iter().flat_map(|c| c.place.names().into_iter().flatten()).collect();
    config
        .place_aliases
        .keys()
        .filter(|name| !names.contains(name.as_str()))
        .map(|name| {
            let hint = match Suggestion::closest(name, names.iter().copied()) {
                Some(s) => s.to_string(),
                None => "the key is a place name as a case's `place` writes it".to_string(),
            };
            Diagnostic::warning("casebook.toml", "place-aliases", format!("no case is in a place named `{name}`"))
                .hint(hint)
        })
        .collect()
}

/// `usage[v][t]`: the indices of the cases tagged with term `t` of vocabulary `v`, in case order.
pub fn usage(taxonomy: &Taxonomy, cases: &[Case]) -> Vec<Vec<Vec<CaseId>>> {
    let mut usage: Vec<Vec<Vec<CaseId>>> =
        taxonomy.vocabularies.iter().map(|v| vec![Vec::new(); v.terms.len()]).collect();
    for (ci, case) in cases.iter().enumerate() {
        for (v, terms) in case.tags.iter().enumerate() {
            for &t in terms {
                usage[v][t].push(ci);
            }
        }
    }
    usage
}

/// What [`replace_case`] did with one changed case file.
pub enum Replacement {
    /// The file is valid: the new library, the case it replaced, and the file's warnings.
    Valid { library: Library, old: Box<Case>, warnings: Vec<Diagnostic> },
    /// The file has errors: the library, unchanged, and the file's diagnostics.
    Invalid { library: Library, diagnostics: Vec<Diagnostic> },
    /// The file is valid but now holds another case id: that changes other cases' links and the
    /// library's order, so the whole library has to be validated again.
    NewId { library: Library },
}

/// Validates one changed case file against the rest of a valid library and puts it in place of
/// the case at `index` (for `serve`, which re-parses only the files that changed). The file gets
/// the checks [`validate`] gives every file — its fields, its tags, its `case:` links against
/// the library's ids — with the same diagnostics; library-wide warnings (unused terms) are not
/// recomputed.
pub fn replace_case(
    library: Library,
    index: CaseId,
    file: SourceFile,
    parsed: Result<RawCase, Vec<Diagnostic>>,
) -> Replacement {
    let raw = match parsed {
        Ok(r) => r,
        Err(diagnostics) => return Replacement::Invalid { library, diagnostics },
    };
    let mut known_keys: Vec<&str> = CASE_KEYS.to_vec();
    known_keys.extend(library.taxonomy.vocabularies.iter().map(|v| v.name.as_str()));
    let mut diags = Vec::new();
    let case = case::check_case(&file, &raw, (&library.taxonomy, &library.config), &known_keys, &mut diags);
    let ids: HashSet<&str> = library.cases.iter().map(|c| c.id.as_str()).collect();
    diags.extend(case::links(&file.path, &file.text, &raw.body.case_links, &ids));
    let documents: HashSet<&str> = library.files.iter().map(|(name, _)| name.as_str()).collect();
    diags.extend(case::file_links(&file.path, &file.text, &raw, &documents));
    crate::diag::sort(&mut diags);
    let case = match case {
        Some(case) if !diags.iter().any(Diagnostic::is_error) => case,
        _ => return Replacement::Invalid { library, diagnostics: diags },
    };
    if case.id != library.cases[index].id {
        return Replacement::NewId { library };
    }
    // The case's translations, checked again against its new text (their tagged sections
    // follow the original's).
    let mut case = case;
    let names: Vec<String> = library.taxonomy.vocabularies.iter().map(|v| v.name.clone()).collect();
    for t in &library.cases[index].translations {
        let file = SourceFile { path: t.path.clone(), text: t.text.clone() };
        match crate::parse::parse_case(&file.path, &file.text, &names, library.config.language) {
            Ok(raw) => case.translations.extend(translation::check_translation(
                &file,
                &raw,
                t.lang,
                &case,
                (&library.taxonomy, &library.config),
                &mut diags,
            )),
            Err(ds) => diags.extend(ds),
        }
    }
    if diags.iter().any(Diagnostic::is_error) {
        crate::diag::sort(&mut diags);
        return Replacement::Invalid { library, diagnostics: diags };
    }
    let Library { config, taxonomy, mut cases, usage: _, profile, tag_sets: _, files, about } = library;
    let old = std::mem::replace(&mut cases[index], Case { text: file.text, ..case });
    let usage = usage(&taxonomy, &cases);
    let tag_sets = TagSets::new(&taxonomy, &cases);
    Replacement::Valid {
        library: Library { config, taxonomy, cases, usage, profile, tag_sets, files, about },
        old: Box::new(old),
        warnings: diags,
    }
}

// ---------------------------------------------------------------------------------------------
// Diagnostics written by both the taxonomy's and the cases' checks

/// A key no reader of this place knows; the hint names the closest of `known`, or all.
pub(super) fn unknown_key(path: &str, text: &str, key: &At<String>, known: &[&str]) -> Diagnostic {
    let hint = match Suggestion::closest(&key.value, known.iter().copied()) {
        Some(suggestion) => suggestion.to_string(),
        None => format!("known keys: {}", known.join(", ")),
    };
    Diagnostic::error(path, "unknown-key", format!("unknown key `{}`", key.value))
        .at(text, key.line, key.column)
        .hint(hint)
}

/// An id that is not of the form `[a-z0-9-]+`, with the slug it could be.
pub(super) fn bad_id(path: &str, text: &str, id: &At<String>) -> Diagnostic {
    let suggestion = slug(&id.value);
    let hint = if valid_id(&suggestion) {
        format!("ids use only a-z, 0-9 and `-`, e.g. `{suggestion}`")
    } else {
        "ids use only a-z, 0-9 and `-`".to_string()
    };
    Diagnostic::error(path, "bad-id", format!("id `{}` is not of the form [a-z0-9-]+", id.value))
        .at(text, id.line, id.column)
        .hint(hint)
}
