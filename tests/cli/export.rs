//! `casebook export`: the library for a search server. No OpenSearch, Elasticsearch or
//! Meilisearch server can be installed here, so the files are checked against the formats the
//! engines document: the `_bulk` grammar line by line, a strict mapping that declares every
//! field of every document with a type and analyzer the engine has, and Meilisearch's rules
//! for ids and settings.

use crate::support::Lib;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::fs;

/// `casebook export --format FORMAT --out <tmp>/docs --settings <tmp>/settings.json`, run in
/// the library: the documents' text and the settings.
fn export(lib: &Lib, format: &str) -> (String, Option<Value>) {
    let (docs, settings) = (lib.outside("docs"), lib.outside("settings.json"));
    let root = lib.root();
    let mut args =
        vec!["export", "--root", root.to_str().unwrap(), "--format", format, "--out", docs.to_str().unwrap()];
    if format != "ndjson" {
        args.extend(["--settings", settings.to_str().unwrap()]);
    }
    let run = lib.run_in(&root, &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("exported"), "{}", run.stderr);
    let settings = (format != "ndjson").then(|| serde_json::from_str(&fs::read_to_string(&settings).unwrap()).unwrap());
    (fs::read_to_string(&docs).unwrap(), settings)
}

fn library(lib: &Lib) -> casebook::Library {
    casebook::check(&lib.root()).unwrap().library.unwrap()
}

/// The field types and analyzers of OpenSearch that the mapping may use: built in, or from
/// the analysis-smartcn and analysis-icu plugins.
const TYPES: [&str; 2] = ["text", "keyword"];
const ANALYZERS: [&str; 5] = ["standard", "english", "cjk", "smartcn", "icu_analyzer"];

/// Every field of `doc` is declared in `properties`, with a value of its type; returns the
/// problems.
fn mapped(doc: &Map<String, Value>, properties: &Map<String, Value>, at: &str, problems: &mut Vec<String>) {
    for (key, value) in doc {
        let path = format!("{at}{key}");
        let Some(field) = properties.get(key) else {
            problems.push(format!("{path} is not in the mapping"));
            continue;
        };
        match (field.get("properties"), value) {
            (Some(Value::Object(inner)), Value::Object(o)) => mapped(o, inner, &format!("{path}."), problems),
            (Some(_), _) => problems.push(format!("{path}: an object field holds {value}")),
            (None, _) => {
                let kind = field["type"].as_str().unwrap_or("");
                if !TYPES.contains(&kind) {
                    problems.push(format!("{path}: type {kind:?}"));
                }
                if let Some(analyzer) = field.get("analyzer") {
                    if kind != "text" || !ANALYZERS.contains(&analyzer.as_str().unwrap_or("")) {
                        problems.push(format!("{path}: analyzer {analyzer} on {kind}"));
                    }
                }
                let strings = |v: &Value| v.is_string() || v.is_null();
                let ok = strings(value) || value.as_array().is_some_and(|a| a.iter().all(Value::is_string));
                if !ok {
                    problems.push(format!("{path}: {value} is not a string or a list of strings"));
                }
            }
        }
    }
}

#[test]
fn opensearch_bulk_follows_the_bulk_grammar_and_the_mapping_declares_every_field() {
    let lib = Lib::shipped();
    let library = library(&lib);
    let (bulk, body) = export(&lib, "opensearch");
    assert!(bulk.ends_with('\n') && !bulk.contains("\n\n"), "each line ends in a newline, none is empty");
    let lines: Vec<&str> = bulk.lines().collect();
    assert_eq!(lines.len(), 2 * library.cases.len(), "an action and a document per case");
    let body = body.unwrap();
    assert_eq!(body.as_object().unwrap().keys().collect::<Vec<_>>(), ["mappings"]);
    let mapping = &body["mappings"];
    assert_eq!(mapping["dynamic"], "strict", "a field the mapping lacks is refused, not guessed");
    let properties = mapping["properties"].as_object().unwrap();
    let mut ids = Vec::new();
    let mut problems = Vec::new();
    for pair in lines.chunks(2) {
        let action: Value = serde_json::from_str(pair[0]).unwrap();
        let action = action.as_object().unwrap();
        assert_eq!(action.keys().collect::<Vec<_>>(), ["index"], "{action:?}");
        let meta = action["index"].as_object().unwrap();
        assert_eq!(meta.keys().collect::<Vec<_>>(), ["_id"], "the index is named by the URL: {meta:?}");
        let doc: Value = serde_json::from_str(pair[1]).unwrap();
        assert_eq!(doc["id"], meta["_id"]);
        ids.push(doc["id"].as_str().unwrap().to_string());
        mapped(doc.as_object().unwrap(), properties, "", &mut problems);
        // One keyword list per vocabulary of the library, as the mapping declares them.
        let vocabularies: BTreeSet<&str> = library.taxonomy.vocabularies.iter().map(|v| v.name.as_str()).collect();
        let tags: BTreeSet<&str> = doc["tags"].as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(tags, vocabularies);
    }
    assert!(problems.is_empty(), "{problems:#?}");
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids, sorted, "cases by id, each once");
    // Each language's text in its own field, with its analysis.
    let huaihe: Value =
        serde_json::from_str(lines[2 * ids.iter().position(|i| i == "huaihe-road").unwrap() + 1]).unwrap();
    assert!(huaihe["body_en"].as_str().unwrap().contains("Huaihe Road"), "{}", huaihe["body_en"]);
    assert!(huaihe["body_zh"].as_str().unwrap().contains("淮河路"), "{}", huaihe["body_zh"]);
    assert!(!huaihe["body_en"].as_str().unwrap().contains("{#"), "plain text, no Markdown attributes");
    assert_eq!(properties["body_en"]["analyzer"], "english");
    assert_eq!(properties["body_zh"]["analyzer"], "smartcn");
    assert_eq!(huaihe["url_zh"], "cases/huaihe-road.html");
    assert_eq!(huaihe["url_en"], "en/cases/huaihe-road.html");
}

#[test]
fn an_untranslated_case_has_no_field_in_the_language_it_lacks() {
    let lib = Lib::fixture("bilingual");
    let (ndjson, _) = export(&lib, "ndjson");
    let docs: Vec<Value> = ndjson.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let by_id = |id: &str| docs.iter().find(|d| d["id"] == id).unwrap();
    let (alpha, beta) = (by_id("alpha"), by_id("beta"));
    assert!(alpha["body_zh"].is_string() && alpha["body_en"].is_string(), "{alpha}");
    assert!(beta["body_en"].is_string() && beta.get("body_zh").is_none(), "beta has no Chinese body: {beta}");
}

#[test]
fn the_chinese_analyzer_can_be_one_built_into_opensearch() {
    let lib = Lib::fixture("bilingual");
    let root = lib.root();
    let settings = lib.outside("index.json");
    let args = [
        "export",
        "--root",
        root.to_str().unwrap(),
        "--format",
        "opensearch",
        "--chinese-analyzer",
        "cjk",
        "--settings",
        settings.to_str().unwrap(),
    ];
    let run = lib.run_in(&root, &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let body: Value = serde_json::from_str(&fs::read_to_string(&settings).unwrap()).unwrap();
    assert_eq!(body["mappings"]["properties"]["title_zh"]["analyzer"], "cjk");
    // The documents went to standard output: the bulk file itself.
    assert!(run.stdout.starts_with("{\"index\":{\"_id\":\"alpha\"}}\n"), "{}", run.stdout);
}

/// The settings Meilisearch documents for `PATCH /indexes/{uid}/settings`.
const MEILI_SETTINGS: [&str; 14] = [
    "displayedAttributes",
    "searchableAttributes",
    "filterableAttributes",
    "sortableAttributes",
    "rankingRules",
    "stopWords",
    "nonSeparatorTokens",
    "separatorTokens",
    "dictionary",
    "synonyms",
    "distinctAttribute",
    "typoTolerance",
    "faceting",
    "localizedAttributes",
];

#[test]
fn meilisearch_documents_have_valid_ids_and_the_settings_name_their_fields() {
    let lib = Lib::shipped();
    let (docs, settings) = export(&lib, "meilisearch");
    let docs: Vec<Value> = serde_json::from_str(&docs).unwrap();
    assert_eq!(docs.len(), library(&lib).cases.len());
    for d in &docs {
        let id = d["id"].as_str().unwrap();
        // Meilisearch's rule for a document id.
        assert!(
            !id.is_empty()
                && id.len() <= 511
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }
    let settings = settings.unwrap();
    for key in settings.as_object().unwrap().keys() {
        assert!(MEILI_SETTINGS.contains(&key.as_str()), "{key} is not a Meilisearch setting");
    }
    let has =
        |path: &str| docs.iter().any(|d| path.split('.').try_fold(d, |v, k| v.get(k)).is_some_and(|v| !v.is_null()));
    for key in ["filterableAttributes", "searchableAttributes"] {
        for field in settings[key].as_array().unwrap() {
            assert!(has(field.as_str().unwrap()), "{key}: no document has {field}");
        }
    }
    assert!(settings["filterableAttributes"].as_array().unwrap().contains(&Value::from("tags.forces")));
    for rule in settings["localizedAttributes"].as_array().unwrap() {
        let locale = rule["locales"][0].as_str().unwrap();
        assert!(["cmn", "eng"].contains(&locale), "{locale}");
    }
}

#[test]
fn export_is_deterministic_and_a_failed_export_keeps_the_previous_file() {
    let lib = Lib::fixture("basic");
    let (first, _) = export(&lib, "ndjson");
    let (again, _) = export(&lib, "ndjson");
    assert_eq!(first, again);
    assert_eq!(first.lines().count(), library(&lib).cases.len());
    lib.edit("cases/alpha.md", "id: alpha", "id: Alpha");
    let root = lib.root();
    let docs = lib.outside("docs");
    let run = lib.run_in(
        &root,
        &["export", "--root", root.to_str().unwrap(), "--format", "ndjson", "--out", docs.to_str().unwrap()],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("cases/alpha.md:"), "the error names the file: {}", run.stderr);
    assert_eq!(fs::read_to_string(&docs).unwrap(), first, "the previous export is intact");
}
