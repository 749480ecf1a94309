//! Filters: the `key:value` filters written in the query text or passed apart from it, and the
//! terms, levels and places they name. A name that names nothing is a usage error with a "did
//! you mean" hint worded by [`Suggestion`].

use crate::diag::suggest::Suggestion;
use crate::error::{Error, Result};
use crate::index::{Fields, Meta, PLACE_ROOT, PLACE_ZH_ROOT};
use std::collections::BTreeSet;
use tantivy::schema::Facet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Key {
    Vocabulary(usize),
    Place,
    Level,
    Year,
}

pub(super) fn key_of(meta: &Meta, name: &str) -> Option<Key> {
    let name = name.to_lowercase();
    if let Some(v) = meta.vocabularies.iter().position(|v| v.name == name || v.singular == name) {
        return Some(Key::Vocabulary(v));
    }
    match name.as_str() {
        "place" | "places" => Some(Key::Place),
        "level" | "levels" => Some(Key::Level),
        "year" | "years" => Some(Key::Year),
        _ => None,
    }
}

pub(super) fn filter_names(meta: &Meta) -> Vec<String> {
    let mut names: Vec<String> = meta.vocabularies.iter().map(|v| v.singular.clone()).collect();
    names.push("place".into());
    if !meta.levels.is_empty() {
        names.push("level".into());
    }
    names.push("year".into());
    names
}

/// Fields a query may name (`title:红墙`).
pub(super) const QUERY_FIELDS: &[&str] =
    &["title", "title_zh", "summary", "summary_zh", "body", "body_tr", "place_text", "tagtext", "id", "kind"];

/// A `key:value` filter with its key resolved, found in the text or given apart from it.
pub(super) struct Filter {
    pub key: Key,
    pub value: String,
}

/// Takes the filters out of the query text. Each is replaced by spaces, so positions in the
/// rest of the text (for error messages) stay those of the text as typed.
pub(super) fn take_filters(meta: &Meta, text: &str) -> (String, Vec<Filter>) {
    let mut masked = text.to_string();
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut in_quotes = false;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'"' {
            in_quotes = !in_quotes;
            i += 1;
            continue;
        }
        let word_start = i == 0 || bytes[i - 1].is_ascii_whitespace() || bytes[i - 1] == b'(';
        if in_quotes || !word_start || !c.is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'-' || bytes[j] == b'_') {
            j += 1;
        }
        let key = if j < bytes.len() && bytes[j] == b':' { key_of(meta, &text[i..j]) } else { None };
        let Some(key) = key else {
            i = j.max(i + 1);
            continue;
        };
        // The value: "quoted" or up to the next space or closing parenthesis.
        let start = j + 1;
        let (value, end) = if bytes.get(start) == Some(&b'"') {
            match text[start + 1..].find('"') {
                Some(k) => (&text[start + 1..start + 1 + k], start + k + 2),
                None => (&text[start + 1..], text.len()),
            }
        } else {
            let k = text[start..].find(|c: char| c.is_whitespace() || c == ')').unwrap_or(text.len() - start);
            (&text[start..start + k], start + k)
        };
        found.push(Filter { key, value: value.to_string() });
        masked.replace_range(i..end, &" ".repeat(end - i));
        i = end;
    }
    (colons_as_text(&masked), found)
}

/// A colon is field syntax only in `name:value` with a name starting with a letter; any other
/// colon ("Chang'an: red wall", "10:30", "注意:") is punctuation, read as a space.
pub(super) fn colons_as_text(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = text.as_bytes().to_vec();
    let mut in_quotes = false;
    for (i, &c) in bytes.iter().enumerate() {
        match c {
            b'"' => in_quotes = !in_quotes,
            b':' if !in_quotes => {
                let key_start = bytes[..i]
                    .iter()
                    .rposition(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-'))
                    .map_or(0, |p| p + 1);
                let at_word_start = key_start == 0
                    || bytes[key_start - 1].is_ascii_whitespace()
                    || matches!(bytes[key_start - 1], b'(' | b'+' | b'-');
                let named = key_start < i && bytes[key_start].is_ascii_alphabetic() && at_word_start;
                let value_follows = bytes.get(i + 1).is_some_and(|b| !b.is_ascii_whitespace());
                if !(named && value_follows) {
                    out[i] = b' ';
                }
            }
            _ => {}
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

pub(crate) use crate::model::vocabulary::normalize;

/// Resolves a term named by id, label or alias.
pub(super) fn resolve_term(meta: &Meta, v: usize, value: &str) -> Result<String> {
    let vocab = &meta.vocabularies[v];
    if let Some(t) = vocab.terms.iter().find(|t| t.id == value) {
        return Ok(t.id.clone());
    }
    let w = normalize(value);
    let by_name = vocab.terms.iter().find(|t| {
        t.id == w
            || normalize(&t.label) == w
            || t.label_zh.as_deref().is_some_and(|l| normalize(l) == w)
            || t.aliases.iter().any(|a| normalize(a) == w)
    });
    if let Some(t) = by_name {
        return Ok(t.id.clone());
    }
    let name = &vocab.singular;
    let hint = match Suggestion::closest(value, vocab.terms.iter().map(|t| t.id.as_str())) {
        Some(suggestion) => suggestion.to_string(),
        None if vocab.terms.len() <= 12 => {
            format!(
                "known {}: {}",
                vocab.name,
                vocab.terms.iter().map(|t| t.id.as_str()).collect::<Vec<_>>().join(", ")
            )
        }
        None => format!("see `casebook tags` for the {} of the library", vocab.name),
    };
    Err(Error::Usage(format!("unknown {name} `{value}`: {hint}")))
}

/// Resolves a level named by id or label (in either language).
pub(super) fn resolve_level(meta: &Meta, value: &str) -> Result<String> {
    if meta.levels.is_empty() {
        return Err(Error::Usage(format!("no case has a level `{value}`: the library declares no levels")));
    }
    let w = normalize(value);
    let found = meta
        .levels
        .iter()
        .find(|l| l.id == w || normalize(&l.label) == w || l.label_zh.as_deref().is_some_and(|z| normalize(z) == w));
    if let Some(l) = found {
        return Ok(l.id.clone());
    }
    let ids: Vec<&str> = meta.levels.iter().map(|l| l.id.as_str()).collect();
    let hint = match Suggestion::closest(&w, ids.iter().copied()) {
        Some(suggestion) => suggestion.to_string(),
        None => format!("one of: {}", ids.join(", ")),
    };
    Err(Error::Usage(format!("unknown level `{value}`: {hint}")))
}

/// A year filter's value: four digits (the year of a case's `date`).
pub(super) fn resolve_year(value: &str) -> Result<String> {
    let year = value.trim();
    if year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(year.to_string());
    }
    Err(Error::Usage(format!("`year` takes a year of four digits, such as 2019, not `{value}`")))
}

/// Every place path of the index (`place` and `place_zh` roots, all depths).
pub(super) fn place_facets(searcher: &tantivy::Searcher, f: &Fields) -> Result<BTreeSet<Vec<String>>> {
    let mut out = BTreeSet::new();
    for root in [PLACE_ROOT, PLACE_ZH_ROOT] {
        let lo = format!("{root}\u{0}");
        let hi = format!("{root}\u{1}");
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(f.place_path)?;
            let mut stream = inverted
                .terms()
                .range()
                .ge(lo.as_bytes())
                .lt(hi.as_bytes())
                .into_stream()
                .map_err(|e| Error::index_because("cannot read the place terms", e))?;
            while stream.advance() {
                if let Ok(s) = std::str::from_utf8(stream.key()) {
                    out.insert(s.split('\u{0}').map(str::to_string).collect());
                }
            }
        }
    }
    Ok(out)
}

/// The place facets named by `value`: those whose path ends with the parts of `value`.
pub(super) fn resolve_place(places: &BTreeSet<Vec<String>>, value: &str) -> Result<Vec<Facet>> {
    let want: Vec<String> = value.split('/').map(|p| p.trim().to_lowercase()).filter(|p| !p.is_empty()).collect();
    if want.is_empty() {
        return Err(Error::Usage("empty place filter: write e.g. `place:Henan`".into()));
    }
    let matches: Vec<Facet> = places
        .iter()
        .filter(|path| {
            path.len() > want.len()
                && path[path.len() - want.len()..].iter().zip(&want).all(|(a, b)| a.to_lowercase() == *b)
        })
        .map(Facet::from_path)
        .collect();
    if matches.is_empty() {
        let names: BTreeSet<&str> = places.iter().flat_map(|p| p[1..].iter().map(String::as_str)).collect();
        let hint = match Suggestion::closest(value, names.iter().copied()) {
            Some(suggestion) => suggestion.to_string(),
            None => {
                "write a province, city or unit of the library, e.g. `place:Henan` or `place:Henan/Zhengzhou`".into()
            }
        };
        return Err(Error::Usage(format!("no case is in place `{value}`: {hint}")));
    }
    Ok(matches)
}
