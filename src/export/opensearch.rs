//! OpenSearch and Elasticsearch: the `_bulk` file (an `index` action line naming the case's id,
//! then its document, each line ending in `\n`, as the bulk API requires) and the body of the
//! create-index request, with a strict mapping: every field of the documents is declared (the
//! facets as `keyword`, each language's text with its analyzer), and a document with any other
//! field would be refused rather than guessed at.

use super::{document, facet_fields, languages, suffix, ChineseAnalyzer, PLACE_FIELDS, TEXT_FIELDS};
use crate::config::Language;
use crate::model::{Case, Library};
use serde_json::{json, Map, Value};
use std::io::{self, Write};

/// Writes the `_bulk` NDJSON of `cases`: for each, `{"index":{"_id":ID}}` and its document.
/// The index is named in the request's URL (`POST /INDEX/_bulk`), not in the file.
pub fn write_bulk(library: &Library, cases: &[&Case], out: &mut dyn Write) -> io::Result<()> {
    for case in cases {
        writeln!(out, "{}", json!({"index": {"_id": case.id}}))?;
        writeln!(out, "{}", document(library, case))?;
    }
    Ok(())
}

/// The body of `PUT /INDEX`: its mapping (and no settings beyond the engine's defaults).
pub fn index_body(library: &Library, chinese: ChineseAnalyzer) -> Value {
    let keyword = || json!({"type": "keyword"});
    let mut properties = Map::new();
    properties.insert("id".into(), keyword());
    for lang in &library.config.languages {
        // URLs are returned, never searched.
        properties.insert(format!("url_{}", suffix(*lang)), json!({"type": "keyword", "index": false}));
    }
    for lang in languages(library) {
        let analyzer = match lang {
            Language::ZhCn => chinese.name(),
            Language::En => "english",
        };
        for field in TEXT_FIELDS {
            properties.insert(format!("{field}_{}", suffix(lang)), json!({"type": "text", "analyzer": analyzer}));
        }
    }
    let place: Map<String, Value> = PLACE_FIELDS.iter().map(|f| (f.to_string(), keyword())).collect();
    properties.insert("place".into(), json!({"properties": place}));
    properties.insert("level".into(), keyword());
    let tags: Map<String, Value> = library.taxonomy.vocabularies.iter().map(|v| (v.name.clone(), keyword())).collect();
    properties.insert("tags".into(), json!({"properties": tags}));
    // Labels come in both languages: the Chinese analysis also cuts English words.
    properties.insert("tag_labels".into(), json!({"type": "text", "analyzer": chinese.name()}));
    properties.insert("sources".into(), json!({"type": "text", "analyzer": "standard"}));
    properties.insert("language".into(), keyword());
    debug_assert!(facet_fields(library)
        .iter()
        .all(|f| f.split('.').next().is_some_and(|top| properties.contains_key(top))));
    json!({"mappings": {"dynamic": "strict", "properties": properties}})
}
