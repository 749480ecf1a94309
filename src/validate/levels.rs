//! Levels: the taxonomy's `levels:` list checked (ids, labels, unknown keys, duplicates), and a
//! case's `level:` checked against it.
//!
//! Levels are data, like vocabularies: the library declares the ones its cases may have (the
//! shipped library: street, community, city). A library that declares none has no levels: a
//! case then writes no `level:`, and the site shows no level and no level facet. A case's level
//! errors are worded in the library's language, as a Chinese editor most often meets them.

use super::unknown_key;
use crate::config::Language;
use crate::diag::{Diagnostic, Suggestion};
use crate::model::vocabulary::valid_id;
use crate::model::{Level, Taxonomy};
use crate::parse::{At, RawLevel, LEVEL_KEYS};
use std::collections::HashMap;

/// The levels of `levels:` (none when the taxonomy has no such key); problems go to `diags`.
pub(super) fn validate_levels(
    path: &str,
    text: &str,
    raw: Option<&At<Vec<RawLevel>>>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Level> {
    let mut levels = Vec::new();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for rl in raw.map(|r| r.value.as_slice()).unwrap_or_default() {
        for k in &rl.unknown_keys {
            diags.push(unknown_key(path, text, k, LEVEL_KEYS));
        }
        let Some(id) = &rl.id else {
            diags.push(
                Diagnostic::error(path, "missing-field", "level has no `id`")
                    .at(text, rl.line, rl.column)
                    .hint("add `id: some-id` to the level"),
            );
            continue;
        };
        if !valid_id(&id.value) {
            diags.push(super::bad_id(path, text, id));
            continue;
        }
        if let Some(first) = seen.insert(id.value.as_str(), id.line) {
            diags.push(
                Diagnostic::error(path, "duplicate-id", format!("duplicate level id `{}`", id.value))
                    .at(text, id.line, id.column)
                    .hint(format!("the same id is already used on line {first}; give one of them another id")),
            );
            continue;
        }
        for (field, value) in
            [("label", rl.label.as_ref().map(|l| l.value.as_str())), ("label_zh", rl.label_zh.as_deref())]
        {
            if let Some(value) = value {
                diags.extend(super::names::control_char(path, text, field, value, id.line, id.column));
            }
        }
        let label = rl.label.as_ref().map(|l| l.value.trim()).filter(|l| !l.is_empty());
        levels.push(Level {
            id: id.value.clone(),
            // As a vocabulary without a label: the id stands for it.
            label: label.map_or_else(|| id.value.clone(), str::to_string),
            label_zh: rl.label_zh.as_deref().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string),
        });
    }
    levels
}

/// A case's `level:`, written and not blank, against the taxonomy's levels: the level, or `None`
/// with the problem in `diags`. When the library declares no levels, a case has none
/// (`Some(None)`), and one that writes `level:` is told so.
pub(super) fn check_level(
    (path, text): (&str, &str),
    level: Option<&At<String>>,
    taxonomy: &Taxonomy,
    lang: Language,
    diags: &mut Vec<Diagnostic>,
) -> Option<Option<String>> {
    let ids: Vec<&str> = taxonomy.levels.iter().map(|l| l.id.as_str()).collect();
    let zh = lang == Language::ZhCn;
    match level {
        // Missing or blank where levels are declared: reported as every required field is.
        None => Some(None),
        Some(level) if ids.is_empty() => {
            let (message, hint) = if zh {
                (
                    format!("本库没有声明层级，不能写 `level: {}`", level.value),
                    "删除这一行；或者在 cases/taxonomy.yaml 的 `levels:` 下声明层级（id、label、label_zh）".to_string(),
                )
            } else {
                (
                    format!("the library declares no levels, so a case cannot have `level: {}`", level.value),
                    "remove the line, or declare the levels in cases/taxonomy.yaml under `levels:` (id, label, label_zh)"
                        .to_string(),
                )
            };
            diags.push(Diagnostic::error(path, "bad-level", message).at(text, level.line, level.column).hint(hint));
            None
        }
        Some(level) if ids.contains(&level.value.as_str()) => Some(Some(level.value.clone())),
        Some(level) => {
            let closest = Suggestion::closest(&level.value, ids.iter().copied()).map(|s| s.candidate);
            let (message, hint) = if zh {
                let list = format!("cases/taxonomy.yaml 声明的层级：{}", ids.join("、"));
                let hint = match closest {
                    Some(c) => format!("是不是 `{c}`？（{list}）"),
                    None => list,
                };
                (format!("未声明的层级 `{}`", level.value), hint)
            } else {
                let list = format!("the levels of cases/taxonomy.yaml: {}", ids.join(", "));
                let hint = match closest {
                    Some(c) => format!("{} ({list})", Suggestion::new(c)),
                    None => list,
                };
                (format!("unknown level `{}`", level.value), hint)
            };
            diags.push(
                Diagnostic::error(path, "bad-level", message)
                    .at(text, level.line, level.column)
                    .marking(&level.value)
                    .hint(hint),
            );
            None
        }
    }
}
