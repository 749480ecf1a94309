//! `casebook export`: the validated library as the input of a search server, for intranets
//! that already run one — OpenSearch or Elasticsearch (a `_bulk` file and the index's settings
//! and mapping: [`opensearch`]), Meilisearch (documents and settings: [`meilisearch`]), or plain
//! NDJSON, one case per line, for anything else.
//!
//! Every format carries the same document per case ([`document`]): its ids, URLs, place and
//! level, one keyword list per vocabulary, and its title, summary and body as plain text in
//! each language the library has them in, one field per language (`title_en`, `body_zh`…), so
//! that each gets its language's analysis. A text is only put in a language's field when it is
//! written in that language: an untranslated case has no `body_zh` rather than its English body
//! there. The output is deterministic (cases by id, keys sorted) and written one case at a
//! time, so a large library never sits in memory twice.

pub mod meilisearch;
pub mod opensearch;

use crate::config::Language;
use crate::markdown::plain_text;
use crate::model::{Case, Library, Translation};
use serde_json::{Map, Value};
use std::io::{self, Write};

/// What `casebook export --format` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `_bulk` NDJSON (an action line, then the document), and the index's settings and mapping.
    OpenSearch,
    /// A JSON array of documents, and the index's settings.
    Meilisearch,
    /// One document per line, nothing else.
    Ndjson,
}

/// The analysis a Chinese text field gets in OpenSearch: `smartcn` (the analysis-smartcn
/// plugin, word segmentation), `icu` (the analysis-icu plugin, dictionary-based) or `cjk`
/// (built in: overlapping bigrams, no plugin needed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ChineseAnalyzer {
    #[default]
    Smartcn,
    Icu,
    Cjk,
}

impl ChineseAnalyzer {
    /// The analyzer's name in an OpenSearch mapping.
    pub fn name(self) -> &'static str {
        match self {
            ChineseAnalyzer::Smartcn => "smartcn",
            ChineseAnalyzer::Icu => "icu_analyzer",
            ChineseAnalyzer::Cjk => "cjk",
        }
    }
}

/// The suffix of a language's fields: `zh` for Chinese, `en` for English.
pub fn suffix(lang: Language) -> &'static str {
    match lang {
        Language::ZhCn => "zh",
        Language::En => "en",
    }
}

/// The languages whose fields the documents of `library` may carry: its site languages and the
/// language its case files are written in.
pub fn languages(library: &Library) -> Vec<Language> {
    let config = &library.config;
    Language::ALL.into_iter().filter(|l| config.languages.contains(l) || *l == config.content_language).collect()
}

/// The text fields a document has per language, in the order of their weight.
pub const TEXT_FIELDS: [&str; 3] = ["title", "summary", "body"];

/// The document of one case, the same in every format.
pub fn document(library: &Library, case: &Case) -> Value {
    let config = &library.config;
    let content = config.content_language;
    let mut doc = Map::new();
    doc.insert("id".into(), case.id.clone().into());
    let urls: Map<String, Value> = config
        .languages
        .iter()
        .map(|l| {
            (format!("url_{}", suffix(*l)), format!("{}cases/{}.html", l.folder_in(&config.languages), case.id).into())
        })
        .collect();
    doc.extend(urls);
    for lang in languages(library) {
        let s = suffix(lang);
        let of = |written: &str, written_zh: Option<&str>, tr: fn(&Translation) -> Option<&str>| -> Option<String> {
            in_language(case, lang, content, written, written_zh, tr).map(str::to_string)
        };
        let title = of(&case.title, case.title_zh.as_deref(), |t| t.title.as_deref());
        let summary = of(&case.summary, case.summary_zh.as_deref(), |t| t.summary.as_deref());
        let text = case.text_in(lang, content);
        let body = (text.lang == lang).then(|| plain_text(text.body));
        for (field, value) in TEXT_FIELDS.iter().zip([title, summary, body]) {
            if let Some(value) = value {
                doc.insert(format!("{field}_{s}"), value.into());
            }
        }
    }
    doc.insert("place".into(), serde_json::to_value(&case.place).unwrap_or(Value::Null));
    doc.insert("level".into(), case.level.clone().into());
    let tax = &library.taxonomy;
    let tags: Map<String, Value> = tax
        .vocabularies
        .iter()
        .zip(&case.tags)
        .map(|(v, ids)| (v.name.clone(), ids.iter().map(|&t| v.terms[t].id.clone()).collect::<Vec<_>>().into()))
        .collect();
    doc.insert("tags".into(), tags.into());
    // The names of its terms in both languages, and their aliases: a query in the words of the
    // taxonomy finds the case, as it does in casebook's own search.
    let mut labels: Vec<&str> = Vec::new();
    for (v, ids) in tax.vocabularies.iter().zip(&case.tags) {
        for &t in ids {
            let term = &v.terms[t];
            labels.push(&term.label);
            labels.extend(term.label_zh.as_deref());
            labels.extend(term.aliases.iter().map(String::as_str));
        }
    }
    doc.insert("tag_labels".into(), labels.into());
    doc.insert("sources".into(), case.sources.clone().into());
    doc.insert("language".into(), content.tag().into());
    Value::Object(doc)
}

/// A title or summary written in `lang`, if the case has one: the original's when its files
/// are written in `lang`, else its translation's, else (for Chinese) its `_zh` field.
fn in_language<'a>(
    case: &'a Case,
    lang: Language,
    content: Language,
    written: &'a str,
    written_zh: Option<&'a str>,
    of: fn(&'a Translation) -> Option<&'a str>,
) -> Option<&'a str> {
    if lang == content {
        return Some(written).filter(|t| !t.is_empty());
    }
    case.translation(lang)
        .and_then(of)
        .or(if lang == Language::ZhCn { written_zh } else { None })
        .filter(|t| !t.is_empty())
}

/// Writes the documents of `library` in `format` to `out`.
pub fn write_documents(library: &Library, format: Format, out: &mut dyn Write) -> io::Result<()> {
    let mut cases: Vec<&Case> = library.cases.iter().collect();
    cases.sort_by(|a, b| a.id.cmp(&b.id));
    match format {
        Format::OpenSearch => opensearch::write_bulk(library, &cases, out),
        Format::Meilisearch => meilisearch::write_documents(library, &cases, out),
        Format::Ndjson => cases.iter().try_for_each(|c| writeln!(out, "{}", document(library, c))),
    }
}

/// The index settings of `format`, as JSON (none for plain NDJSON).
pub fn settings(library: &Library, format: Format, chinese: ChineseAnalyzer) -> Option<Value> {
    match format {
        Format::OpenSearch => Some(opensearch::index_body(library, chinese)),
        Format::Meilisearch => Some(meilisearch::settings(library)),
        Format::Ndjson => None,
    }
}

/// The keyword fields a search server filters and counts by: `level`, the place's names and
/// one per vocabulary (`tags.forces`…).
pub fn facet_fields(library: &Library) -> Vec<String> {
    let mut fields = vec!["level".to_string()];
    fields.extend(PLACE_FIELDS.iter().map(|f| format!("place.{f}")));
    fields.extend(library.taxonomy.vocabularies.iter().map(|v| format!("tags.{}", v.name)));
    fields
}

/// The names of a place, as in [`crate::model::Place`].
pub const PLACE_FIELDS: [&str; 8] =
    ["province", "province_zh", "city", "city_zh", "district", "district_zh", "unit", "unit_zh"];
