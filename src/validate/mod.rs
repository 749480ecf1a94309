//! Validate: check raw cases against the taxonomy and build the [`Library`]. No I/O.
//!
//! Every problem of every file is collected (never just the first), each pointing at the file,
//! line and column where it was written, with a hint: an unknown id gets the nearest id by edit
//! distance and the id whose label or alias matches what was written, in either language.
//! `check` stops after this stage; `build` runs exactly the same code and goes on.
//!
//! [`taxonomy`] checks the taxonomy (with its singulars) and resolves ids against it; `levels`
//! checks its levels and a case's level; [`case`] checks one case (its fields, tags and
//! sections); `links` checks every file's links once all cases are known (to cases and their
//! anchors, to documents, to the files beside a case, which it publishes); `about` the about
//! page's texts; `names` has the rules for names that become file names (no two pages on one
//! path, no name too long) and for control characters; this module checks the library as a
//! whole and replaces one case of it for `serve`. A case whose front matter cannot be read is
//! still known by its id, so that its one error is not echoed by every link to it. Vocabulary
//! facts (how a singular is derived, the reserved keys) are [`crate::model::vocabulary`]'s and
//! "did you mean" is [`crate::diag::suggest`]'s, not this stage's.

mod about;
pub mod case;
mod dates;
mod levels;
mod links;
mod names;
mod translation;

pub(crate) use names::case_id_clash;
pub mod taxonomy;

pub use taxonomy::validate_taxonomy;

use crate::config::{Config, Language};
use crate::diag::{Diagnostic, Suggestion};
use crate::load::{FileEntry, SourceFile};
use crate::model::vocabulary::valid_id;
use crate::model::{slug, Attachment, Case, CaseId, Library, TagSets, Taxonomy, Translation};
use crate::parse::{At, RawCase, RawLink, CASE_KEYS};
use std::collections::{HashMap, HashSet};

/// Validates all cases against the taxonomy; returns the library if there is no error.
/// `files`: the documents of `static/`; `case_files`: the files under `cases/` that are no case.
pub fn validate(
    config: Config,
    taxonomy: Taxonomy,
    cases: Vec<(SourceFile, Result<RawCase, Vec<Diagnostic>>)>,
    (files, case_files, about_files): (Vec<FileEntry>, Vec<FileEntry>, Vec<SourceFile>),
    mut diags: Vec<Diagnostic>,
) -> (Option<Library>, Vec<Diagnostic>) {
    let vocab_names: Vec<&str> = taxonomy.vocabularies.iter().map(|v| v.name.as_str()).collect();
    let mut known_keys: Vec<&str> = CASE_KEYS.to_vec();
    known_keys.extend(vocab_names.iter().copied());

    // Translations (`x.zh.md` beside `x.md`) are checked once their originals are.
    let (translations, cases): (Vec<_>, Vec<_>) =
        cases.into_iter().partition(|(file, _)| Language::of_translation(&file.path).is_some());
    let originals: HashSet<String> = cases.iter().map(|(file, _)| file.path.clone()).collect();

    // First pass: every case on its own. Links wait until every case is known.
    let mut checked: Vec<(Case, Vec<RawLink>)> = Vec::new();
    let mut first_file: HashMap<String, (String, usize)> = HashMap::new();
    let mut rejected: Vec<(SourceFile, Vec<RawLink>)> = Vec::new();
    // A case that could not be read is still known by its id, so that the links to it are not
    // reported too: its own error is the one to fix.
    let mut unread: Vec<String> = Vec::new();
    for (file, parsed) in cases {
        let mut raw = match parsed {
            Ok(r) => r,
            Err(ds) => {
                diags.extend(ds);
                unread.extend(known_id(&file));
                continue;
            }
        };
        let before = diags.len();
        let case = case::check_case(&file, &raw, (&taxonomy, &config), &known_keys, &mut diags);
        let mut file_links = std::mem::take(&mut raw.body.links);
        file_links.extend(links::source_links(&file.text, &raw));
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
            Some(case) => checked.push((Case { text: file.text, ..case }, file_links)),
            None => rejected.push((file, file_links)),
        }
    }

    let mut translation_links = Vec::new();
    let translated =
        translations_of(&config, &taxonomy, &checked, &originals, translations, &mut translation_links, &mut diags);
    for (i, t) in translated {
        checked[i].0.translations.push(t);
    }
    for (case, _) in &mut checked {
        case.translations.sort_by_key(|t| config.languages.iter().position(|&l| l == t.lang));
    }

    // Second pass: the links of every file (the about page's too), and the files they name.
    let mut found: Vec<(usize, Vec<Attachment>)> = Vec::new();
    let about;
    {
        let mut ids: HashSet<&str> = first_file.keys().map(String::as_str).collect();
        ids.extend(unread.iter().map(String::as_str));
        let known = links::Known {
            ids,
            anchors: checked.iter().map(|(c, _)| (c.id.as_str(), anchors_of(c))).collect(),
            case_of_file: first_file.iter().map(|(id, (path, _))| (path.as_str(), id.as_str())).collect(),
            documents: files.iter().map(|f| f.name.as_str()).collect(),
            files: &case_files,
            max_size: config.max_attachment_size,
            lang: config.language,
        };
        for (i, (c, file_links)) in checked.iter().enumerate() {
            let file = links::InFile { path: &c.path, text: &c.text };
            found.push((i, links::check(&known, file, file_links, &mut diags)));
        }
        for (file, file_links) in &rejected {
            links::check(&known, links::InFile { path: &file.path, text: &file.text }, file_links, &mut diags);
        }
        for (file, file_links, original) in &translation_links {
            let attached =
                links::check(&known, links::InFile { path: &file.path, text: &file.text }, file_links, &mut diags);
            found.extend(original.map(|i| (i, attached)));
        }
        about = about::about_texts(about_files, &config, &known, &mut diags);
    }
    for (i, attached) in found {
        let case = &mut checked[i].0;
        case.attachments.extend(attached);
        case.attachments.sort();
        case.attachments.dedup();
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
        // (With errors, a case that could not be read links to files nobody knows of.)
        let linked: HashSet<String> = cases
            .iter()
            .flat_map(|c| c.attachments.iter().map(|a| format!("{}{}", crate::links::folder_of(&c.path), a.name)))
            .collect();
        diags.extend(links::unlinked_in_bundles(&cases, &case_files, &linked, config.language));
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
    (Some(Library { config, taxonomy, cases, usage, profile, tag_sets, files, case_files, about }), diags)
}

/// The id a case that could not be read is known by: the `id:` its front matter shows, else
/// its file's name (its folder's, for a page bundle's `index.md`).
fn known_id(file: &SourceFile) -> Option<String> {
    if let Some(id) = crate::parse::readable_id(&file.text).filter(|id| valid_id(id)) {
        return Some(id.to_string());
    }
    let mut parts = file.path.rsplit('/');
    let stem = parts.next()?.strip_suffix(".md")?;
    // `cases/index.md` is no bundle: its folder is all the cases'.
    let name = match (stem, parts.next(), parts.next()) {
        ("index", Some(folder), Some(_)) => folder,
        _ => stem,
    };
    valid_id(name).then(|| name.to_string())
}

/// The anchors of a case's sections, in every language it is written in.
fn anchors_of(case: &Case) -> Vec<&str> {
    let mut anchors: Vec<&str> = case.sections.iter().map(|s| s.anchor.as_str()).collect();
    anchors.extend(case.translations.iter().flat_map(|t| t.sections.iter().map(|s| s.anchor.as_str())));
    anchors.sort_unstable();
    anchors.dedup();
    anchors
}

/// A translation's file and links, with the original it was accepted for, if it was.
type TranslationLinks = (SourceFile, Vec<RawLink>, Option<usize>);

/// Checks each translation against its original (`checked[i]`, by file name; `originals`: every
/// case file, valid or not); returns the good ones with the index of their original. The links
/// of each translation that could be read go to `pending`, to be checked with everyone's.
fn translations_of(
    config: &Config,
    taxonomy: &Taxonomy,
    checked: &[(Case, Vec<RawLink>)],
    originals: &HashSet<String>,
    translations: Vec<(SourceFile, Result<RawCase, Vec<Diagnostic>>)>,
    pending: &mut Vec<TranslationLinks>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(usize, Translation)> {
    let by_path: HashMap<&str, usize> = checked.iter().enumerate().map(|(i, (c, _))| (c.path.as_str(), i)).collect();
    let mut out: Vec<(usize, Translation)> = Vec::new();
    for (file, parsed) in translations {
        let Some((lang, original)) = Language::of_translation(&file.path) else { continue };
        let mut raw = match parsed {
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
        let mut file_links = std::mem::take(&mut raw.body.links);
        file_links.extend(links::source_links(&file.text, &raw));
        let accepted = 'accepted: {
            let Some(&i) = by_path.get(original.as_str()) else {
                // An original with errors of its own is reported already.
                if !originals.contains(&original) {
                    diags.push(
                        Diagnostic::error(
                            &file.path,
                            "translation-original",
                            format!("no case `{original}` to translate"),
                        )
                        .at(&file.text, 1, 1)
                        .hint(
                            "a translation sits beside its original and is named after it: `x.zh.md` translates `x.md`",
                        ),
                    );
                }
                break 'accepted None;
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
                break 'accepted None;
            }
            let original_case = &checked[i].0;
            let t = translation::check_translation(&file, &raw, lang, original_case, (taxonomy, config), diags);
            t.map(|t| out.push((i, t))).map(|()| i)
        };
        pending.push((file, file_links, accepted));
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
    /// The file is valid but changes more than the pages that show it: it holds another case id
    /// (which changes other cases' links and the library's order) or links to other files than
    /// before (which the site publishes with the theme), so the whole library has to be
    /// validated and built again.
    Rebuild { library: Library },
}

/// Validates one changed case file against the rest of a valid library and puts it in place of
/// the case at `index` (for `serve`, which re-parses only the files that changed). The file gets
/// the checks [`validate`] gives every file — its fields, its tags, its links against the
/// library's cases and files — with the same diagnostics; library-wide warnings (unused terms,
/// files in a bundle no case links to) are not recomputed.
pub fn replace_case(
    library: Library,
    index: CaseId,
    file: SourceFile,
    parsed: Result<RawCase, Vec<Diagnostic>>,
) -> Replacement {
    let mut raw = match parsed {
        Ok(r) => r,
        Err(diagnostics) => return Replacement::Invalid { library, diagnostics },
    };
    let mut known_keys: Vec<&str> = CASE_KEYS.to_vec();
    known_keys.extend(library.taxonomy.vocabularies.iter().map(|v| v.name.as_str()));
    let mut diags = Vec::new();
    let case = case::check_case(&file, &raw, (&library.taxonomy, &library.config), &known_keys, &mut diags);
    let mut file_links = std::mem::take(&mut raw.body.links);
    file_links.extend(links::source_links(&file.text, &raw));
    let this = links::InFile { path: &file.path, text: &file.text };
    let Some(mut case) = case.filter(|_| !diags.iter().any(Diagnostic::is_error)) else {
        // Its links too, so that every error of the file shows at once.
        links::check(&known_in(&library, None), this, &file_links, &mut diags);
        crate::diag::sort(&mut diags);
        return Replacement::Invalid { library, diagnostics: diags };
    };
    if case.id != library.cases[index].id {
        return Replacement::Rebuild { library };
    }
    // The case's translations, checked again against its new text (their tagged sections
    // follow the original's).
    let names: Vec<String> = library.taxonomy.vocabularies.iter().map(|v| v.name.clone()).collect();
    let mut translation_links = Vec::new();
    for t in &library.cases[index].translations {
        let file = SourceFile { path: t.path.clone(), text: t.text.clone() };
        match crate::parse::parse_case(&file.path, &file.text, &names, library.config.language) {
            Ok(mut raw) => {
                let mut their_links = std::mem::take(&mut raw.body.links);
                their_links.extend(links::source_links(&file.text, &raw));
                case.translations.extend(translation::check_translation(
                    &file,
                    &raw,
                    t.lang,
                    &case,
                    (&library.taxonomy, &library.config),
                    &mut diags,
                ));
                translation_links.push((file, their_links));
            }
            Err(ds) => diags.extend(ds),
        }
    }
    let mut attachments = {
        let known = known_in(&library, Some((index, &case)));
        let mut found = links::check(&known, this, &file_links, &mut diags);
        for (file, their_links) in &translation_links {
            let theirs = links::InFile { path: &file.path, text: &file.text };
            found.extend(links::check(&known, theirs, their_links, &mut diags));
        }
        found
    };
    attachments.sort();
    attachments.dedup();
    if diags.iter().any(Diagnostic::is_error) {
        crate::diag::sort(&mut diags);
        return Replacement::Invalid { library, diagnostics: diags };
    }
    if attachments != library.cases[index].attachments {
        return Replacement::Rebuild { library };
    }
    case.attachments = attachments;
    let Library { config, taxonomy, mut cases, usage: _, profile, tag_sets: _, files, case_files, about } = library;
    let old = std::mem::replace(&mut cases[index], Case { text: file.text, ..case });
    let usage = usage(&taxonomy, &cases);
    let tag_sets = TagSets::new(&taxonomy, &cases);
    Replacement::Valid {
        library: Library { config, taxonomy, cases, usage, profile, tag_sets, files, case_files, about },
        old: Box::new(old),
        warnings: diags,
    }
}

/// What the links of a file of a valid library are checked against; `replaced`: the case at
/// that index as it is now, for its own anchors.
fn known_in<'a>(library: &'a Library, replaced: Option<(CaseId, &'a Case)>) -> links::Known<'a> {
    let case = |i: usize| replaced.filter(|(r, _)| *r == i).map_or(&library.cases[i], |(_, c)| c);
    links::Known {
        ids: library.cases.iter().map(|c| c.id.as_str()).collect(),
        anchors: (0..library.cases.len()).map(|i| (library.cases[i].id.as_str(), anchors_of(case(i)))).collect(),
        case_of_file: library.cases.iter().map(|c| (c.path.as_str(), c.id.as_str())).collect(),
        documents: library.files.iter().map(|f| f.name.as_str()).collect(),
        files: &library.case_files,
        max_size: library.config.max_attachment_size,
        lang: library.config.language,
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
