//! Meilisearch: the documents as one JSON array (what `POST /indexes/INDEX/documents` takes,
//! with `id` as the primary key: casebook's ids are valid Meilisearch ids) and the index's
//! settings (`PATCH /indexes/INDEX/settings`): what is searched, in which order of weight, the
//! facets to filter by, and each language field's locale.

use super::{document, facet_fields, languages, suffix, TEXT_FIELDS};
use crate::config::Language;
use crate::model::{Case, Library};
use serde_json::{json, Value};
use std::io::{self, Write};

/// Writes the documents of `cases` as a JSON array, one document per line.
pub fn write_documents(library: &Library, cases: &[&Case], out: &mut dyn Write) -> io::Result<()> {
    out.write_all(b"[")?;
    for (i, case) in cases.iter().enumerate() {
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        write!(out, "{}", document(library, case))?;
    }
    out.write_all(b"\n]\n")
}

/// The body of `PATCH /indexes/INDEX/settings`.
pub fn settings(library: &Library) -> Value {
    let langs = languages(library);
    // Titles first, then the terms' names, summaries, bodies and places: Meilisearch's
    // `attribute` ranking rule weighs them in this order.
    let mut searchable: Vec<String> = langs.iter().map(|l| format!("title_{}", suffix(*l))).collect();
    searchable.push("tag_labels".into());
    for field in &TEXT_FIELDS[1..] {
        searchable.extend(langs.iter().map(|l| format!("{field}_{}", suffix(*l))));
    }
    searchable.push("place".into());
    let locales: Vec<Value> = langs
        .iter()
        .map(|l| {
            let locale = match l {
                Language::ZhCn => "cmn",
                Language::En => "eng",
            };
            json!({"attributePatterns": [format!("*_{}", suffix(*l))], "locales": [locale]})
        })
        .collect();
    json!({
        "searchableAttributes": searchable,
        "filterableAttributes": facet_fields(library),
        "sortableAttributes": ["id"],
        "localizedAttributes": locales,
    })
}
