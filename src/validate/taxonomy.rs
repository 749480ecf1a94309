//! The taxonomy: its vocabularies and terms checked (ids, labels, definitions, unknown keys),
//! the links between terms resolved, and the one way every stage resolves a written id to a
//! term, with the hint for an id that does not exist.

use super::{bad_id, names, unknown_key};
use crate::diag::{Diagnostic, Suggestion};
use crate::load::SourceFile;
use crate::model::vocabulary::{singular, valid_id};
use crate::model::{Taxonomy, Term, TermId, VocabId, Vocabulary};
use crate::parse::{self, At, RawTaxonomy, CASE_KEYS};
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
    let mut vocabularies = Vec::new();
    for rv in &raw.vocabularies {
        if !valid_id(&rv.name.value) || CASE_KEYS.contains(&rv.name.value.as_str()) {
            diags.push(
                err("bad-id", format!("`{}` cannot name a vocabulary", rv.name.value), rv.name.line, rv.name.column)
                    .hint("a vocabulary name is lower-case letters, digits and `-`, and not a front-matter field such as `title`"),
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
            label: rv.label.clone().unwrap_or_else(|| default_label(&rv.name.value)),
            // No Chinese label is made up: a page shows the (English) label instead.
            label_zh: rv.label_zh.clone(),
            terms,
        });
    }
    let mut taxonomy = Taxonomy { vocabularies };
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
                            diags.push(unknown_id(path, text, &taxonomy.vocabularies[target].name, written, hint))
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
pub(super) fn unknown_id(path: &str, text: &str, vocabulary: &str, written: &At<String>, hint: String) -> Diagnostic {
    Diagnostic::error(path, "unknown-id", format!("unknown {} id `{}`", singular(vocabulary), written.value))
        .at(text, written.line, written.column)
        .marking(&written.value)
        .hint(hint)
}
