//! The taxonomy: its vocabularies and terms checked (ids, labels, definitions, unknown keys,
//! singulars), the links between terms resolved, and the one way every stage resolves a written
//! id to a term, with the hint for an id that does not exist. Its levels are [`super::levels`]'.

use super::{bad_id, levels, names, unknown_key};
use crate::diag::{Diagnostic, Suggestion};
use crate::load::SourceFile;
use crate::model::vocabulary::{derive_singular, valid_id, RESERVED_KEYS};
use crate::model::{Taxonomy, Term, TermId, VocabId, Vocabulary};
use crate::parse::{self, At, RawTaxonomy};
use std::collections::HashMap;

/// Ids and names compared loosely: case, outer spaces, `_` and ` ` for `-`.
use crate::model::vocabulary::normalize;

/// Validates the taxonomy alone. Returns it with the diagnostics about it.
pub fn validate_taxonomy(file: &SourceFile, raw: RawTaxonomy) -> (Taxonomy, Vec<Diagnostic>) {
    let text = &file.text;
    let path = file.path.as_str();
    let mut diags = Vec::new();
    let err = |code, msg: String, line, col| Diagnostic::error(path, code, msg).at(text, line, col);
    if raw.vocabularies.is_empty() {
        diags.push(
            Diagnostic::error(path, "empty-taxonomy", "the taxonomy declares no vocabulary")
                .at(text, 1, 1)
                .hint("declare at least one vocabulary, e.g. `forces:` with a list of terms"),
        );
    }
    let names: Vec<&str> = raw.vocabularies.iter().map(|v| v.name.value.as_str()).collect();
    let singulars = singulars(path, text, &raw, &mut diags);
    let levels = levels::validate_levels(path, text, raw.levels.as_ref(), &mut diags);
    let mut vocabularies = Vec::new();
    for (rv, singular) in raw.vocabularies.iter().zip(singulars) {
        let name = rv.name.value.as_str();
        // A folder of the site is reported as such, below.
        if !valid_id(name) || RESERVED_KEYS.contains(&name) && !names::SITE_FOLDERS.contains(&name) {
            diags.push(
                err("bad-id", format!("`{}` cannot name a vocabulary", rv.name.value), rv.name.line, rv.name.column)
                    .hint(format!(
                        "a vocabulary name is lower-case letters, digits and `-`, and none of: {}",
                        RESERVED_KEYS.join(", ")
                    )),
            );
        }
        if names::SITE_FOLDERS.contains(&rv.name.value.as_str()) {
            diags.push(
                err(
                    "path-collision",
                    format!("a vocabulary cannot be named `{}`", rv.name.value),
                    rv.name.line,
                    rv.name.column,
                )
                .hint(format!(
                    "{}/ is a folder of the site ({}); give the vocabulary another name",
                    rv.name.value,
                    names::SITE_FOLDERS.join(", ")
                )),
            );
        }
        diags.extend(names::too_long(path, text, "the vocabulary name", &rv.name.value, rv.name.line, rv.name.column));
        for value in [&rv.label, &rv.label_zh].into_iter().flatten() {
            diags.extend(names::control_char(path, text, "label", value, rv.name.line, rv.name.column));
        }
        for k in &rv.unknown_keys {
            diags.push(unknown_key(path, text, k, parse::vocabulary_keys()));
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut terms = Vec::new();
        for rt in &rv.terms {
            for k in &rt.unknown_keys {
                let mut known: Vec<&str> = parse::term_keys().to_vec();
                known.extend(names.iter().filter(|n| **n != rv.name.value));
                diags.push(unknown_key(path, text, k, &known));
            }
            let Some(id) = &rt.id else {
                diags.push(
                    err("missing-field", "term has no `id`".into(), rt.line, rt.column)
                        .hint("add `id: some-id` to the term"),
                );
                continue;
            };
            if !valid_id(&id.value) {
                diags.push(bad_id(path, text, id));
            } else if let Some(clash) = page_clash(rv, &id.value) {
                diags.push(
                    err(
                        "path-collision",
                        format!("term id `{}` names a page of the site", id.value),
                        id.line,
                        id.column,
                    )
                    .hint(format!("{}/{}.html is {clash}; give the term another id", rv.name.value, id.value)),
                );
            }
            diags.extend(names::too_long(path, text, "the term id", &id.value, id.line, id.column));
            for (field, value) in [("label", &rt.label), ("definition", &rt.definition)] {
                if let Some(v) = value {
                    diags.extend(names::control_char(path, text, field, &v.value, v.line, v.column));
                }
            }
            let others = [("label_zh", &rt.label_zh), ("definition_zh", &rt.definition_zh)];
            let others = others.into_iter().chain([("countermeasure", &rt.countermeasure)]);
            let others = others.chain([("countermeasure_zh", &rt.countermeasure_zh)]);
            let others = others.filter_map(|(f, v)| v.as_deref().map(|v| (f, v)));
            for (field, value) in others.chain(rt.aliases.iter().map(|a| ("aliases", a.as_str()))) {
                diags.extend(names::control_char(path, text, field, value, id.line, id.column));
            }
            if let Some(first) = seen.insert(id.value.as_str(), id.line) {
                diags.push(
                    err(
                        "duplicate-id",
                        format!("duplicate term id `{}` in `{}`", id.value, rv.name.value),
                        id.line,
                        id.column,
                    )
                    .hint(format!("the same id is already used on line {first}; give one of them another id")),
                );
                continue;
            }
            let label = match &rt.label {
                Some(l) if !l.value.trim().is_empty() => l.value.clone(),
                _ => {
                    diags.push(
                        err("missing-field", format!("term `{}` has no `label`", id.value), id.line, id.column)
                            .hint("add `label: ...` (English) and `label_zh: ...` (Chinese)"),
                    );
                    id.value.clone()
                }
            };
            let definition = match &rt.definition {
                Some(d) if !d.value.trim().is_empty() => d.value.trim().to_string(),
                _ => {
                    diags.push(
                        err("missing-field", format!("term `{}` has no `definition`", id.value), id.line, id.column)
                            .hint("add `definition: ...`, one paragraph saying what the term means"),
                    );
                    String::new()
                }
            };
            terms.push(Term {
                id: id.value.clone(),
                label,
                label_zh: rt.label_zh.clone(),
                definition,
                definition_zh: rt.definition_zh.clone(),
                aliases: rt.aliases.clone(),
                countermeasure: rt.countermeasure.clone(),
                countermeasure_zh: rt.countermeasure_zh.clone(),
                links: Vec::new(),
            });
        }
        vocabularies.push(Vocabulary {
            name: rv.name.value.clone(),
            singular,
            label: rv.label.clone().unwrap_or_else(|| default_label(&rv.name.value)),
            // No Chinese label is made up: a page shows the (English) label instead.
            label_zh: rv.label_zh.clone(),
            terms,
        });
    }
    let mut taxonomy = Taxonomy { vocabularies, levels };
    // Links between terms, resolved once all terms are known.
    for (v, rv) in raw.vocabularies.iter().enumerate() {
        for rt in &rv.terms {
            let Some(id) = &rt.id else { continue };
            let Some(t) = taxonomy.term_index(v, &id.value) else { continue };
            let mut links = Vec::new();
            for (key, ids) in &rt.links {
                let Some(target) = taxonomy.vocabulary_index(&key.value) else { continue };
                let mut resolved = Vec::new();
                for written in ids {
                    match resolve(&taxonomy, target, &written.value) {
                        Ok(i) => resolved.push(i),
                        Err(hint) => {
                            diags.push(unknown_id(path, text, &taxonomy.vocabularies[target].singular, written, hint))
                        }
                    }
                }
                links.push((target, resolved));
            }
            taxonomy.vocabularies[v].terms[t].links = links;
        }
    }
    (taxonomy, diags)
}

/// Each vocabulary's singular, declared (`singular: approach`) or derived from its name
/// ([`derive_singular`]), in taxonomy order. One that is no id, is reserved, or is the name
/// or singular of another vocabulary is reported: section attributes, filters and the flags of
/// `casebook search` must each name one vocabulary.
fn singulars(path: &str, text: &str, raw: &RawTaxonomy, diags: &mut Vec<Diagnostic>) -> Vec<String> {
    let singulars: Vec<String> = raw
        .vocabularies
        .iter()
        .map(|rv| rv.singular.as_ref().map_or_else(|| derive_singular(&rv.name.value), |s| s.value.clone()))
        .collect();
    for (i, (rv, singular)) in raw.vocabularies.iter().zip(&singulars).enumerate() {
        let name = rv.name.value.as_str();
        // A name that is refused is reported as such; its singular would only repeat it.
        if !valid_id(name) || RESERVED_KEYS.contains(&name) || names::SITE_FOLDERS.contains(&name) {
            continue;
        }
        // A declared singular is pointed at; a derived one at the vocabulary's name.
        let (line, column, what) = match &rv.singular {
            Some(s) => (s.line, s.column, format!("the singular `{singular}` of `{}`", rv.name.value)),
            None => {
                (rv.name.line, rv.name.column, format!("the singular `{singular}` derived from `{}`", rv.name.value))
            }
        };
        let fix = if rv.singular.is_some() { "declare another" } else { "declare one with `singular: ...`" };
        let error = |message: String, hint: String| {
            Diagnostic::error(path, "bad-singular", message).at(text, line, column).hint(hint)
        };
        if rv.singular.is_some() && !valid_id(singular) {
            diags.push(error(
                format!("`{singular}` cannot be the singular of `{}`", rv.name.value),
                "a singular is lower-case letters, digits and `-`, like an id".into(),
            ));
        } else if rv.name.value != *singular && RESERVED_KEYS.contains(&singular.as_str()) {
            diags.push(error(
                format!("{what} is a reserved key"),
                format!("`{singular}` already means something in case files or search; {fix}"),
            ));
        }
        let other =
            raw.vocabularies.iter().zip(&singulars).enumerate().find(|(j, (other, their))| {
                *j != i && (other.name.value == *singular || (*their == singular && *j < i))
            });
        if let Some((_, (other, _))) = other {
            diags.push(error(
                format!("{what} also names `{}`", other.name.value),
                format!("a section attribute or filter `{singular}` must name one vocabulary; {fix}"),
            ));
        }
    }
    singulars
}

/// What page a term `id` of `rv` would overwrite: the vocabulary's page (`VOCAB/index.html`) or
/// page N of another term `T` (`VOCAB/T-N.html`).
fn page_clash(rv: &parse::RawVocabulary, id: &str) -> Option<String> {
    if id == "index" {
        return Some("the page of the vocabulary".to_string());
    }
    rv.terms
        .iter()
        .filter_map(|t| t.id.as_ref())
        .find(|other| names::is_later_page_of(id, &other.value))
        .map(|other| format!("a later page of term `{}` (line {})", other.value, other.line))
}

/// English labels for the vocabularies DESIGN.md names, when the taxonomy gives none.
fn default_label(name: &str) -> String {
    let mut s = name.replace('-', " ");
    if let Some(first) = s.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    s
}

/// Resolves a written id; on failure returns the hint.
pub(super) fn resolve(taxonomy: &Taxonomy, v: VocabId, written: &str) -> Result<TermId, String> {
    let vocab = &taxonomy.vocabularies[v];
    if let Some(i) = vocab.terms.iter().position(|t| t.id == written) {
        return Ok(i);
    }
    Err(unknown_id_hint(vocab, written))
}

/// The hint for an id `vocab` does not have: the term it names, a close id, or the ids.
pub(super) fn unknown_id_hint(vocab: &Vocabulary, written: &str) -> String {
    let w = normalize(written);
    let by_label = vocab.terms.iter().find(|t| {
        normalize(&t.label) == w
            || t.label_zh.as_deref().is_some_and(|l| normalize(l) == w)
            || t.aliases.iter().any(|a| normalize(a) == w)
    });
    if let Some(t) = by_label {
        return format!("`{written}` is a name of `{}`; write the id: {}", t.id, t.id);
    }
    if let Some(suggestion) = Suggestion::closest(written, vocab.terms.iter().map(|t| t.id.as_str())) {
        return suggestion.to_string();
    }
    let ids: Vec<&str> = vocab.terms.iter().map(|t| t.id.as_str()).collect();
    if ids.len() <= 12 {
        format!("known {}: {}", vocab.name, ids.join(", "))
    } else {
        format!("see the `{}` list in cases/taxonomy.yaml", vocab.name)
    }
}

/// An id of `vocabulary` that the taxonomy does not have; `hint` says what was meant.
pub(super) fn unknown_id(path: &str, text: &str, singular: &str, written: &At<String>, hint: String) -> Diagnostic {
    Diagnostic::error(path, "unknown-id", format!("unknown {singular} id `{}`", written.value))
        .at(text, written.line, written.column)
        .marking(&written.value)
        .hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Language;

    /// The taxonomy `text` validated: its vocabularies' singulars and the error messages.
    fn singulars_of(text: &str) -> (Vec<String>, Vec<String>) {
        let file = SourceFile { path: "cases/taxonomy.yaml".into(), text: text.into() };
        let raw = parse::parse_taxonomy(&file.path, &file.text, Language::En).unwrap();
        let (taxonomy, diags) = validate_taxonomy(&file, raw);
        let singulars = taxonomy.vocabularies.into_iter().map(|v| v.singular).collect();
        (singulars, diags.into_iter().filter(|d| d.is_error()).map(|d| format!("{}: {}", d.line, d.message)).collect())
    }

    fn vocabulary(name: &str, singular: Option<&str>) -> String {
        let singular = singular.map(|s| format!("  singular: {s}\n")).unwrap_or_default();
        format!("{name}:\n{singular}  terms:\n    - id: a\n      label: A\n      definition: d\n")
    }

    #[test]
    fn a_singular_is_declared_or_derived() {
        let text = vocabulary("approaches", None)
            + &vocabulary("obstacles", None)
            + &vocabulary("criteria", Some("criterion"));
        assert_eq!(singulars_of(&text), (vec!["approach".into(), "obstacle".into(), "criterion".into()], vec![]));
    }

    #[test]
    fn a_singular_must_be_an_id_of_its_own() {
        let (_, errors) = singulars_of(&vocabulary("approaches", Some("Approach")));
        assert_eq!(errors, ["2: `Approach` cannot be the singular of `approaches`"]);
        // Another vocabulary's name, or another's singular (declared or derived).
        let text = vocabulary("fields", None) + &vocabulary("field-types", Some("fields"));
        assert_eq!(singulars_of(&text).1, ["7: the singular `fields` of `field-types` also names `fields`"]);
        let text = vocabulary("forces", None) + &vocabulary("powers", Some("force"));
        assert_eq!(singulars_of(&text).1, ["7: the singular `force` of `powers` also names `forces`"]);
        // A key casebook gives another meaning: a derived one is pointed at the name.
        let (_, errors) = singulars_of(&vocabulary("sites", None));
        assert_eq!(errors, ["1: the singular `site` derived from `sites` is a reserved key"]);
        assert!(singulars_of(&vocabulary("sites", Some("location"))).1.is_empty());
        let (_, errors) = singulars_of(&vocabulary("regions", Some("place")));
        assert_eq!(errors, ["2: the singular `place` of `regions` is a reserved key"]);
    }

    #[test]
    fn levels_are_checked_like_terms() {
        let text = vocabulary("themes", None)
            + "levels:\n  - id: town\n    label: Town\n  - id: Town\n  - label: x\n  - id: town\n  - id: city\n    rank: 1\n";
        let file = SourceFile { path: "cases/taxonomy.yaml".into(), text };
        let raw = parse::parse_taxonomy(&file.path, &file.text, Language::En).unwrap();
        let (taxonomy, diags) = validate_taxonomy(&file, raw);
        let ids: Vec<(&str, &str)> = taxonomy.levels.iter().map(|l| (l.id.as_str(), l.label.as_str())).collect();
        assert_eq!(ids, [("town", "Town"), ("city", "city")]);
        let messages: Vec<String> = diags.iter().map(|d| format!("{}: {}", d.line, d.message)).collect();
        assert_eq!(
            messages,
            [
                "9: id `Town` is not of the form [a-z0-9-]+",
                "10: level has no `id`",
                "11: duplicate level id `town`",
                "13: unknown key `rank`"
            ]
        );
    }
}
