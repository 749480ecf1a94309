//! The document store (`d/N.js`: what a result shows), the facet sets (`f.js`) and the meta
//! file (`meta.js`, with the rules search.js shares with Rust).

use super::encoding::{case_set, js};
use super::posting_list::WEIGHT_SCALE;
use super::{DIR, FORMAT};
use crate::config::Language;
use crate::error::Result;
use crate::model::{Case, Library, Localized};
use crate::write::Staging;
use rayon::prelude::*;

/// Cases per file of the document store, at least: four keep what a page of results loads
/// small with half the files two would make (README has the measurements).
pub const CHUNK: usize = 4;
/// Files of the document store, at most: past 20,000 cases the chunks grow instead, since
/// creating a file costs more than loading a few more kilobytes (the facet file of such a
/// library is larger than a chunk anyway).
pub const MAX_DOCUMENT_FILES: usize = 5_000;

/// Cases per file of the document store for a library of `cases` cases.
pub fn chunk_size(cases: usize) -> usize {
    cases.div_ceil(MAX_DOCUMENT_FILES).max(CHUNK)
}
/// Characters of a summary or a section kept for snippets.
const EXCERPT_CHARS: usize = 160;

pub(crate) fn write_meta(
    lib: &Library,
    documents: usize,
    shards: &[String],
    folds: &[(char, char)],
    staging: &Staging,
) -> Result<()> {
    use crate::search::plan;
    let vocabularies: Vec<serde_json::Value> = lib
        .taxonomy
        .vocabularies
        .iter()
        .map(|v| {
            serde_json::json!({
                "name": v.name,
                "singular": v.singular,
                "terms": v.terms.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
                // Per term, the keys of each of its names (`crate::search::plan::name_keys`).
                "keys": v.terms.iter().map(|t| names(t).map(plan::name_keys).collect::<Vec<_>>()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let meta = serde_json::json!({
        "format": FORMAT,
        "cases": lib.cases.len(),
        "documents": documents,
        "chunk": chunk_size(lib.cases.len()),
        "scale": WEIGHT_SCALE,
        "vocabularies": vocabularies,
        "levels": lib.taxonomy.levels.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
        "provinces": provinces(lib),
        // Per province or city, its depth (1, 2) and the keys of each of its names; their cards
        // follow the terms'.
        "places": named_places(lib)
            .iter()
            .map(|p| serde_json::json!([p.path.len(), p.names.iter().map(|n| plan::name_keys(n)).collect::<Vec<_>>()]))
            .collect::<Vec<_>>(),
        // The rules search.js shares with Rust, as data (see FORMAT.md).
        "rules": {
            "han": crate::analysis::han::HAN.map(|(first, last)| [first, last]),
            "shard_prefix": super::SHARD_PREFIX,
            // One string, a space between words: a third of the bytes of a list.
            "stop": crate::analysis::stop::list().join(" "),
            "folds": folds.iter().flat_map(|(t, s)| [*t, *s]).collect::<String>(),
            "tag_boost": plan::TAG_BOOST,
            "typo_weight": plan::TYPO_WEIGHT,
            "prefix_tokens": plan::PREFIX_TOKENS,
            // On a site of two languages, the readers a weight is written for (in this order)
            // and how much the other language's text counts (postings.rs, `encode_weight`).
            "readers": if lib.config.languages.len() > 1 {
                crate::config::Language::ALL.map(|l| l.tag()).to_vec()
            } else {
                Vec::new()
            },
            "other_language": crate::index::OTHER_LANGUAGE_WEIGHT,
        },
        "shards": shards.join(" "),
    });
    staging.write(&format!("{DIR}/meta.js"), format!("CASEBOOK_SEARCH.m({});\n", js(&meta)).as_bytes())
}

/// A term's names, as a query may name it: its label, Chinese label and aliases.
fn names(t: &crate::model::Term) -> impl Iterator<Item = &str> {
    std::iter::once(t.label.as_str()).chain(t.label_zh.as_deref()).chain(t.aliases.iter().map(String::as_str))
}

/// Characters of a definition an answer card shows.
const CARD_CHARS: usize = 240;

/// The library's provinces and cities, in the order of the meta's `places`.
fn named_places(lib: &Library) -> Vec<crate::model::places::NamedPlace> {
    crate::model::places::named_places(&lib.cases, &lib.config.place_aliases)
}

/// `c/N.js`: what the answer card of term N shows, N counting in meta order (vocabularies, then
/// terms): `[label, label_zh, definition, definition_zh, countermeasure, countermeasure_zh,
/// links]`, links as `[[vocabulary, [[id, label]…]]…]`. The places' cards follow, N counting
/// on: `[name, name_zh, within, within_zh, "", "", [], url, cases]`. A file per card: a query
/// that names a term loads that term's card only.
pub(crate) fn write_cards(lib: &Library, staging: &Staging) -> Result<()> {
    let short = |s: &str| crate::search::shorten(s, CARD_CHARS);
    let mut at = 0usize;
    for v in &lib.taxonomy.vocabularies {
        for t in &v.terms {
            let links: Vec<serde_json::Value> = t
                .links
                .iter()
                .map(|(o, ids)| {
                    let other = &lib.taxonomy.vocabularies[*o];
                    let terms: Vec<[&str; 2]> =
                        ids.iter().map(|&i| [other.terms[i].id.as_str(), other.terms[i].label.as_str()]).collect();
                    serde_json::json!([other.name, terms])
                })
                .collect();
            let card = serde_json::json!([
                t.label,
                t.label_zh.as_deref().unwrap_or(""),
                short(&t.definition),
                t.definition_zh.as_deref().map(short).unwrap_or_default(),
                t.countermeasure.as_deref().unwrap_or(""),
                t.countermeasure_zh.as_deref().unwrap_or(""),
                links
            ]);
            staging
                .write(&format!("{DIR}/c/{at}.js"), format!("CASEBOOK_SEARCH.c({at},{});\n", js(&card)).as_bytes())?;
            at += 1;
        }
    }
    for p in named_places(lib) {
        let card = serde_json::json!([
            p.name,
            p.name_zh.as_deref().unwrap_or(""),
            p.within,
            p.within_zh.as_deref().unwrap_or(""),
            "",
            "",
            [],
            p.url,
            p.cases
        ]);
        staging.write(&format!("{DIR}/c/{at}.js"), format!("CASEBOOK_SEARCH.c({at},{});\n", js(&card)).as_bytes())?;
        at += 1;
    }
    Ok(())
}

/// The provinces of the library, sorted (the values of the search page's place checkboxes).
fn provinces(lib: &Library) -> Vec<&str> {
    let set: std::collections::BTreeSet<&str> = lib.cases.iter().map(|c| c.place.province.as_str()).collect();
    set.into_iter().collect()
}

pub(crate) fn write_facets(lib: &Library, staging: &Staging) -> Result<()> {
    let n = lib.cases.len();
    let mut sets: Vec<Vec<u32>> = Vec::new();
    for usage in &lib.usage {
        for cases in usage {
            sets.push(cases.iter().map(|&c| c as u32).collect());
        }
    }
    for level in &lib.taxonomy.levels {
        sets.push((0..n as u32).filter(|&c| lib.cases[c as usize].level.as_ref() == Some(&level.id)).collect());
    }
    for p in provinces(lib) {
        sets.push((0..n as u32).filter(|&c| lib.cases[c as usize].place.province == p).collect());
    }
    let encoded: Vec<String> = sets
        .iter()
        .map(|s| {
            let mut out = String::new();
            case_set(&mut out, s, n);
            out
        })
        .collect();
    staging.write(&format!("{DIR}/f.js"), format!("CASEBOOK_SEARCH.f({});\n", js(&encoded)).as_bytes())
}

/// The start of a text on one line, at most [`EXCERPT_CHARS`] characters, `…` when cut.
fn excerpt(text: &str) -> String {
    let mut out = String::new();
    let mut space = false;
    let mut chars = 0;
    for c in text.trim().chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if chars >= EXCERPT_CHARS {
            out.push('…');
            return out;
        }
        if space {
            out.push(' ');
            chars += 1;
            space = false;
        }
        out.push(c);
        chars += 1;
    }
    out
}

/// The folder of the result files of the search page in `lang`, inside `_search/`: `d/` for
/// the site's default language, `d-en/` (`d-TAG/`) for another.
pub(crate) fn documents_folder(lib: &Library, lang: Language) -> String {
    match lang.folder_in(&lib.config.languages).as_str() {
        "" => "d/".to_string(),
        _ => format!("d-{}/", lang.tag()),
    }
}

/// The result files (`d/N.js`) of each language's search page: titles, summaries and sections
/// in that language where the case has them.
pub(crate) fn write_documents(lib: &Library, staging: &Staging) -> Result<()> {
    for &lang in &lib.config.languages {
        write_documents_in(lib, staging, lang)?;
    }
    Ok(())
}

fn write_documents_in(lib: &Library, staging: &Staging, lang: Language) -> Result<()> {
    let folder = documents_folder(lib, lang);
    let chunks: Vec<&[Case]> = lib.cases.chunks(chunk_size(lib.cases.len())).collect();
    chunks.par_iter().enumerate().try_for_each(|(n, cases)| {
        let entries: Vec<serde_json::Value> = cases
            .iter()
            .map(|c| {
                let (title, alt) = c.title_in(lang);
                let alt = alt.unwrap_or("");
                let (place_en, place_zh) = (c.place.describe(), c.place.describe_zh());
                let place = Localized::new(&place_en, place_zh.as_deref()).pick(lang);
                let (summary, other) = c.summary_in(lang);
                // The page's language first.
                let mut summaries = vec![excerpt(summary)];
                summaries.extend(other.map(excerpt));
                let text = c.text_in(lang, lib.config.content_language);
                let mut sections: Vec<String> = Vec::new();
                for s in text.sections.iter().filter(|s| s.is_tagged()) {
                    sections.push(s.anchor.clone());
                    sections.push(s.title.clone());
                    sections.push(excerpt(&crate::markdown::plain_text(text.section_markdown(s))));
                }
                serde_json::json!([c.id, title, alt, place, summaries.join("\n"), sections])
            })
            .collect();
        let text = format!("CASEBOOK_SEARCH.d({n},{});\n", js(&entries));
        staging.write(&format!("{DIR}/{folder}{n}.js"), text.as_bytes())
    })
}
