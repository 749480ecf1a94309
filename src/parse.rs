//! Parse: turn the text of a case file or of the taxonomy into raw, unchecked data. No I/O.
//!
//! Front matter is YAML read by serde-saphyr (panic-free, with line and column for every value
//! and every error, and budgets against alias bombs and deep nesting); the body is Markdown read
//! by pulldown-cmark with heading attributes, to find the tagged sections. Every position is
//! translated to a line and column of the file itself, not of the front-matter block.
//! Whether ids exist is not this stage's business: that is `validate`.

use crate::diag::{Diagnostic, LineIndex};
use pulldown_cmark::{Event, HeadingLevel, Options as MdOptions, Parser, Tag, TagEnd};
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;
use std::ops::Range;

/// A value with the (line, column) where it was written, in file coordinates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct At<T> {
    pub value: T,
    pub line: usize,
    pub column: usize,
}

/// Known front-matter keys; any other key must be the name of a vocabulary.
pub const CASE_KEYS: &[&str] = &["id", "title", "title_zh", "place", "level", "summary", "summary_zh", "sources"];
const PLACE_KEYS: &[&str] =
    &["province", "province_zh", "city", "city_zh", "district", "district_zh", "unit", "unit_zh"];
const TERM_KEYS: &[&str] =
    &["id", "label", "label_zh", "definition", "definition_zh", "aliases", "countermeasure", "countermeasure_zh"];
const VOCABULARY_KEYS: &[&str] = &["label", "label_zh", "terms"];

// ---------------------------------------------------------------------------------------------
// Raw data
// ---------------------------------------------------------------------------------------------

/// A case file as written, before validation.
#[derive(Clone, Debug)]
pub struct RawCase {
    pub id: Option<At<String>>,
    pub title: Option<At<String>>,
    pub title_zh: Option<At<String>>,
    pub place: Option<At<RawPlace>>,
    pub level: Option<At<String>>,
    pub summary: Option<At<String>>,
    pub summary_zh: Option<At<String>>,
    pub sources: Option<At<Vec<At<String>>>>,
    /// Vocabulary keys in the order written: (vocabulary name, ids).
    pub tags: Vec<(At<String>, Vec<At<String>>)>,
    /// Keys that are neither known fields nor vocabulary names.
    pub unknown_keys: Vec<At<String>>,
    pub body: RawBody,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawPlace {
    pub province: Option<String>,
    pub province_zh: Option<String>,
    pub city: Option<String>,
    pub city_zh: Option<String>,
    pub district: Option<String>,
    pub district_zh: Option<String>,
    pub unit: Option<String>,
    pub unit_zh: Option<String>,
    pub unknown_keys: Vec<At<String>>,
}

/// The Markdown body: where it starts in the file, its sections and its `case:` links.
#[derive(Clone, Debug, Default)]
pub struct RawBody {
    /// Byte offset of the body in the file's text.
    pub offset: usize,
    /// 1-based file line of the body's first line.
    pub first_line: usize,
    pub sections: Vec<RawSection>,
    pub case_links: Vec<At<String>>,
}

/// A heading and the text up to the next heading of the same or a higher level.
#[derive(Clone, Debug)]
pub struct RawSection {
    pub level: u8,
    pub title: String,
    pub anchor: Option<String>,
    /// `key=value` attributes other than `#id` and `.class`, values unquoted.
    pub attrs: Vec<(At<String>, At<String>)>,
    pub line: usize,
    /// Byte range in the body of the whole section, heading included.
    pub range: Range<usize>,
    /// Byte range in the body of the section's content, heading excluded.
    pub content: Range<usize>,
}

/// The taxonomy as written.
#[derive(Clone, Debug, Default)]
pub struct RawTaxonomy {
    pub path: String,
    pub text: String,
    pub vocabularies: Vec<RawVocabulary>,
}

#[derive(Clone, Debug)]
pub struct RawVocabulary {
    pub name: At<String>,
    pub label: Option<String>,
    pub label_zh: Option<String>,
    pub terms: Vec<RawTerm>,
    pub unknown_keys: Vec<At<String>>,
}

#[derive(Clone, Debug, Default)]
pub struct RawTerm {
    pub line: usize,
    pub column: usize,
    pub id: Option<At<String>>,
    pub label: Option<At<String>>,
    pub label_zh: Option<String>,
    pub definition: Option<At<String>>,
    pub definition_zh: Option<String>,
    pub aliases: Vec<String>,
    pub countermeasure: Option<String>,
    pub countermeasure_zh: Option<String>,
    /// Links to terms of other vocabularies: (vocabulary name, ids).
    pub links: Vec<(At<String>, Vec<At<String>>)>,
    pub unknown_keys: Vec<At<String>>,
}

// ---------------------------------------------------------------------------------------------
// YAML plumbing
// ---------------------------------------------------------------------------------------------

/// Deserializes `text` with a stateful seed (serde-saphyr exposes the deserializer in a closure).
fn from_str_seed<T, S>(text: &str, seed: S) -> Result<T, serde_saphyr::Error>
where
    S: for<'de> de::DeserializeSeed<'de, Value = T>,
{
    serde_saphyr::with_deserializer_from_str_with_options(text, yaml_options(), |d| seed.deserialize(d))
}

fn yaml_options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.with_snippet = false;
    options
}

/// Converts a serde-saphyr location inside a YAML block that starts at `first_line` of the file.
fn shift<T>(s: Spanned<T>, first_line: usize) -> At<T> {
    let line = s.referenced.line() as usize;
    At {
        value: s.value,
        line: if line == 0 { first_line } else { line + first_line - 1 },
        column: (s.referenced.column() as usize).max(1),
    }
}

/// A serde-saphyr error as a diagnostic in file coordinates.
fn yaml_error(path: &str, text: &str, first_line: usize, e: &serde_saphyr::Error) -> Diagnostic {
    let raw = e.without_snippet().to_string();
    let message = clean_yaml_message(&raw);
    let (line, column) = match e.location() {
        Some(loc) if loc.line() > 0 => (loc.line() as usize + first_line - 1, (loc.column() as usize).max(1)),
        _ => (first_line, 1),
    };
    let hint = yaml_hint(&message);
    Diagnostic::error(path, "yaml", message).at(text, line, column).hint(hint)
}

/// serde-saphyr appends the position to its messages; we show it separately.
fn clean_yaml_message(raw: &str) -> String {
    let first = raw.lines().next().unwrap_or(raw).trim();
    let first = match first.find(" at line ") {
        Some(i) => &first[..i],
        None => first,
    };
    let first = first.trim_start_matches("error: ").trim_end_matches('.');
    // serde-saphyr's type errors speak of parser events and Rust types; say it in the editor's words.
    let plain = if first == "recursion limit exceeded" || first.starts_with("budget breached: Depth") {
        "values are nested too deeply"
    } else if first.starts_with("budget breached") {
        "the YAML is too large, or expands too much through anchors and aliases"
    } else if first.contains("null into string") {
        "expected text, found an empty value"
    } else if first == "expected string scalar" {
        "expected text, found a list or a mapping"
    } else if first == "expected sequence start" {
        "expected a list"
    } else if first == "expected mapping start" {
        "expected `key: value` lines (a mapping)"
    } else {
        first
    };
    if let Some(key) = plain.strip_prefix("duplicate mapping key: ") {
        let key = key.split(", set DuplicateKeyPolicy").next().unwrap_or(key);
        format!("duplicate key `{key}`")
    } else if plain.is_empty() {
        "invalid YAML".to_string()
    } else {
        plain.to_string()
    }
}

fn yaml_hint(message: &str) -> &'static str {
    let m = message.to_ascii_lowercase();
    // What the parser wanted here, e.g. "expected a list, e.g. [a, b]" → "a list, e.g. [a, b]".
    let expected = m.rsplit_once("expected ").map_or("", |(_, e)| e);
    if m.contains("too large") || m.contains("alias") || m.contains("nested too deeply") {
        "YAML here is limited in size, nesting depth and aliases; write the values out plainly"
    } else if expected.starts_with("a list") || expected.starts_with("sequence") {
        "write a list as [a, b] or as lines starting with \"- \""
    } else if expected.starts_with("text") || expected.starts_with("string") {
        "write text as a plain or quoted string, e.g. title: \"...\""
    } else if expected.contains("mapping") || expected.contains("key: value") || expected.starts_with("a place") {
        "write one `key: value` per line, indented under the key"
    } else if m.contains("mapping values are not allowed") {
        "a value that contains \": \" must be quoted, e.g. title: \"Huaihe Road Street: one body, two wings\""
    } else if m.contains("duplicate") {
        "remove one of the two entries"
    } else if m.contains("tab") {
        "indent YAML with spaces, not tabs"
    } else {
        "check the YAML syntax on this line and the one before (indentation, a missing colon, an unclosed quote or bracket)"
    }
}

/// A list of strings, each with its position; an empty value is an empty list.
struct StringList(Vec<Spanned<String>>);

impl<'de> Deserialize<'de> for StringList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StringList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list, e.g. [a, b]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StringList, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<String>>()? {
                    out.push(item);
                }
                Ok(StringList(out))
            }
            fn visit_unit<E: de::Error>(self) -> Result<StringList, E> {
                Ok(StringList(Vec::new()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A text value with its position; an empty value (`id:`) reads as empty text, so that
/// `validate` reports "`id` is empty" at its line rather than a type error.
fn text(s: Spanned<Option<String>>) -> Spanned<String> {
    Spanned::new(s.value.unwrap_or_default(), s.referenced, s.defined)
}

// ---------------------------------------------------------------------------------------------
// Case files
// ---------------------------------------------------------------------------------------------

/// The front matter keys of a case file, read in one pass so that every unknown key is reported.
struct FrontMatter {
    vocabularies: Vec<String>,
    out: RawCaseFields,
}

#[derive(Default)]
struct RawCaseFields {
    id: Option<Spanned<String>>,
    title: Option<Spanned<String>>,
    title_zh: Option<Spanned<String>>,
    place: Option<(Spanned<()>, RawPlace, Vec<Spanned<String>>)>,
    level: Option<Spanned<String>>,
    summary: Option<Spanned<String>>,
    summary_zh: Option<Spanned<String>>,
    sources: Option<(Spanned<()>, Vec<Spanned<String>>)>,
    tags: Vec<(Spanned<String>, Vec<Spanned<String>>)>,
    unknown_keys: Vec<Spanned<String>>,
}

impl<'de> de::DeserializeSeed<'de> for FrontMatter {
    type Value = RawCaseFields;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RawCaseFields, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FrontMatter {
    type Value = RawCaseFields;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("front matter fields (id, title, place, level, ...)")
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<RawCaseFields, A::Error> {
        let o = &mut self.out;
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            match key.value.as_str() {
                "id" => o.id = Some(text(map.next_value()?)),
                "title" => o.title = Some(text(map.next_value()?)),
                "title_zh" => o.title_zh = Some(text(map.next_value()?)),
                "level" => o.level = Some(text(map.next_value()?)),
                "summary" => o.summary = Some(text(map.next_value()?)),
                "summary_zh" => o.summary_zh = Some(text(map.next_value()?)),
                "place" => {
                    let place: PlaceFields = map.next_value()?;
                    let at = Spanned::new((), key.referenced, key.defined);
                    o.place = Some((at, place.place, place.unknown));
                }
                "sources" => {
                    let list: StringList = map.next_value()?;
                    o.sources = Some((Spanned::new((), key.referenced, key.defined), list.0));
                }
                name if self.vocabularies.iter().any(|v| v == name) => {
                    let list: StringList = map.next_value()?;
                    o.tags.push((key, list.0));
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    o.unknown_keys.push(key);
                }
            }
        }
        Ok(self.out)
    }
}

struct PlaceFields {
    place: RawPlace,
    unknown: Vec<Spanned<String>>,
}

impl<'de> Deserialize<'de> for PlaceFields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PlaceFields;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a place: province, city, district, unit (each optionally with _zh)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PlaceFields, A::Error> {
                let mut p = RawPlace::default();
                let mut unknown = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    let slot = match key.value.as_str() {
                        "province" => &mut p.province,
                        "province_zh" => &mut p.province_zh,
                        "city" => &mut p.city,
                        "city_zh" => &mut p.city_zh,
                        "district" => &mut p.district,
                        "district_zh" => &mut p.district_zh,
                        "unit" => &mut p.unit,
                        "unit_zh" => &mut p.unit_zh,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            unknown.push(key);
                            continue;
                        }
                    };
                    *slot = map.next_value::<Option<String>>()?.filter(|s| !s.trim().is_empty());
                }
                Ok(PlaceFields { place: p, unknown })
            }
        }
        d.deserialize_map(V)
    }
}

/// Splits a case file into its YAML front matter and Markdown body.
/// Returns (yaml, first line of yaml, body offset, first line of body).
fn split_front_matter<'a>(path: &str, text: &'a str) -> Result<(&'a str, usize, usize, usize), Diagnostic> {
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "---" {
        return Err(Diagnostic::error(path, "no-front-matter", "the file does not start with front matter")
            .at(text, 1, 1)
            .hint("start the file with a line `---`, then the fields (id, title, place, ...), then another `---`; `casebook new ID` writes a template"));
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    for (i, line) in lines.enumerate() {
        let t = line.trim_end();
        if t == "---" || t == "..." {
            let yaml = &text[yaml_start..offset];
            let body_start = offset + line.len();
            return Ok((yaml, 2, body_start, i + 3));
        }
        offset += line.len();
    }
    Err(Diagnostic::error(path, "no-front-matter", "the front matter is not closed")
        .at(text, 1, 1)
        .hint("add a line `---` after the last front-matter field, before the Markdown body"))
}

/// Parses one case file. `vocabularies` are the names declared by the taxonomy: they are the
/// other keys a case may use. A file whose front matter cannot be read yields diagnostics only.
pub fn parse_case(path: &str, text: &str, vocabularies: &[String]) -> Result<RawCase, Vec<Diagnostic>> {
    let (yaml, yaml_line, body_offset, body_line) = split_front_matter(path, text).map_err(|d| vec![d])?;
    let seed = FrontMatter { vocabularies: vocabularies.to_vec(), out: RawCaseFields::default() };
    let fields = if yaml.trim().is_empty() {
        RawCaseFields::default()
    } else {
        from_str_seed(yaml, seed).map_err(|e| vec![yaml_error(path, text, yaml_line, &e)])?
    };
    let at = |s: Spanned<String>| shift(s, yaml_line);
    let place = fields.place.map(|(k, mut place, unknown)| {
        place.unknown_keys = unknown.into_iter().map(at).collect();
        let k = shift(k, yaml_line);
        At { value: place, line: k.line, column: k.column }
    });
    let sources = fields.sources.map(|(k, list)| {
        let k = shift(k, yaml_line);
        At { value: list.into_iter().map(at).collect(), line: k.line, column: k.column }
    });
    let tags = fields.tags.into_iter().map(|(k, ids)| (at(k), ids.into_iter().map(at).collect())).collect();
    let mut body = parse_body(&text[body_offset..], body_line);
    body.offset = body_offset;
    Ok(RawCase {
        id: fields.id.map(at),
        title: fields.title.map(at),
        title_zh: fields.title_zh.map(at),
        place,
        level: fields.level.map(at),
        summary: fields.summary.map(at),
        summary_zh: fields.summary_zh.map(at),
        sources,
        tags,
        unknown_keys: fields.unknown_keys.into_iter().map(at).collect(),
        body,
    })
}

/// Finds the sections (with their `{#anchor key=value}` attributes) and `case:` links of a body.
pub fn parse_body(markdown: &str, first_line: usize) -> RawBody {
    let mut sections: Vec<RawSection> = Vec::new();
    let mut case_links = Vec::new();
    let mut heading: Option<(u8, Option<String>, Range<usize>, String)> = None;
    let lines = LineIndex::new(markdown);
    let pos = |offset: usize| {
        let (l, c) = lines.line_col(offset);
        (l + first_line - 1, c)
    };
    for (event, range) in Parser::new_ext(markdown, markdown_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                heading = Some((heading_level(level), id.map(|s| s.to_string()), range, String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, anchor, range, title)) = heading.take() {
                    let (line, _) = pos(range.start);
                    let attrs = heading_attributes(markdown, &range)
                        .into_iter()
                        .map(|(k, v, ko, vo)| {
                            let (kl, kc) = pos(ko);
                            let (vl, vc) = pos(vo);
                            (At { value: k, line: kl, column: kc }, At { value: v, line: vl, column: vc })
                        })
                        .collect();
                    sections.push(RawSection {
                        level,
                        title: title.trim().to_string(),
                        anchor,
                        attrs,
                        line,
                        range: range.start..markdown.len(),
                        content: range.end..markdown.len(),
                    });
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.3.push_str(&t);
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                if let Some(target) = dest_url.strip_prefix("case:") {
                    let id = target.split('#').next().unwrap_or("").to_string();
                    let offset = markdown[range.clone()].find("case:").map_or(range.start, |i| range.start + i);
                    let (line, column) = pos(offset);
                    case_links.push(At { value: id, line, column });
                }
            }
            _ => {}
        }
    }
    // A section ends where the next heading of the same or a higher level starts.
    for i in 0..sections.len() {
        let level = sections[i].level;
        if let Some(next) = sections[i + 1..].iter().find(|s| s.level <= level) {
            let end = next.range.start;
            sections[i].range.end = end;
            sections[i].content.end = end.max(sections[i].content.start);
        }
    }
    RawBody { offset: 0, first_line, sections, case_links }
}

/// The Markdown dialect of case bodies (the renderer uses the same).
pub fn markdown_options() -> MdOptions {
    MdOptions::ENABLE_TABLES
        | MdOptions::ENABLE_FOOTNOTES
        | MdOptions::ENABLE_STRIKETHROUGH
        | MdOptions::ENABLE_HEADING_ATTRIBUTES
}

fn heading_level(level: HeadingLevel) -> u8 {
    level as u8
}

/// Reads `key=value` and `key="value with spaces"` pairs from the `{...}` block that ends a
/// heading line. pulldown-cmark splits attributes on white space, so quoted values are read
/// here from the source. Returns (key, value, key offset, value offset), offsets in `markdown`.
fn heading_attributes(markdown: &str, range: &Range<usize>) -> Vec<(String, String, usize, usize)> {
    let src = &markdown[range.clone()];
    let line_end = src.find('\n').unwrap_or(src.len());
    let line = src[..line_end].trim_end();
    let (Some(open), true) = (line.rfind('{'), line.ends_with('}')) else {
        return Vec::new();
    };
    let inner = &line[open + 1..line.len() - 1];
    let base = range.start + open + 1;
    let mut out = Vec::new();
    let bytes = inner.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'=' {
            i += 1;
        }
        let key = &inner[start..i];
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            let (value, value_start);
            if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                let quote = bytes[i];
                value_start = i + 1;
                let end = inner[value_start..].find(quote as char).map_or(inner.len(), |j| value_start + j);
                value = &inner[value_start..end];
                i = (end + 1).min(inner.len());
            } else {
                value_start = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = &inner[value_start..i];
            }
            if !key.starts_with('#') && !key.starts_with('.') {
                out.push((key.to_string(), value.to_string(), base + start, base + value_start));
            }
        } else {
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                i += 1;
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Taxonomy
// ---------------------------------------------------------------------------------------------

/// The top-level keys only: the vocabulary names, in order.
struct TopKeys(Vec<String>);

impl<'de> Deserialize<'de> for TopKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TopKeys;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of vocabularies (forces, problems, practices, ...)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopKeys, A::Error> {
                let mut keys = Vec::new();
                while let Some(k) = map.next_key::<String>()? {
                    map.next_value::<IgnoredAny>()?;
                    keys.push(k);
                }
                Ok(TopKeys(keys))
            }
            fn visit_unit<E: de::Error>(self) -> Result<TopKeys, E> {
                Ok(TopKeys(Vec::new()))
            }
        }
        d.deserialize_any(V)
    }
}

type SpannedLinks = Vec<(Spanned<String>, Vec<Spanned<String>>)>;

struct TaxonomySeed(Vec<String>);

struct VocabularyFields {
    name: Spanned<String>,
    label: Option<String>,
    label_zh: Option<String>,
    terms: Vec<TermFields>,
    unknown: Vec<Spanned<String>>,
}

struct TermFields {
    at: Spanned<()>,
    id: Option<Spanned<String>>,
    label: Option<Spanned<String>>,
    label_zh: Option<String>,
    definition: Option<Spanned<String>>,
    definition_zh: Option<String>,
    aliases: Vec<String>,
    countermeasure: Option<String>,
    countermeasure_zh: Option<String>,
    links: SpannedLinks,
    unknown: Vec<Spanned<String>>,
}

impl<'de> de::DeserializeSeed<'de> for TaxonomySeed {
    type Value = Vec<VocabularyFields>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        struct V(Vec<String>);
        impl<'de> Visitor<'de> for V {
            type Value = Vec<VocabularyFields>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of vocabularies (forces, problems, practices, ...)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(name) = map.next_key::<Spanned<String>>()? {
                    let v = map.next_value_seed(VocabularySeed(self.0.clone()))?;
                    out.push(VocabularyFields { name, label: v.0, label_zh: v.1, terms: v.2, unknown: v.3 });
                }
                Ok(out)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Vec::new())
            }
        }
        d.deserialize_map(V(self.0))
    }
}

/// A vocabulary: either a list of terms, or `{label, label_zh, terms}`.
struct VocabularySeed(Vec<String>);

type VocabularyParts = (Option<String>, Option<String>, Vec<TermFields>, Vec<Spanned<String>>);

impl<'de> de::DeserializeSeed<'de> for VocabularySeed {
    type Value = VocabularyParts;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for VocabularySeed {
    type Value = VocabularyParts;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of terms, or a mapping with label, label_zh and terms")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Ok((None, None, terms_from_seq(seq, &self.0)?, Vec::new()))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut label, mut label_zh, mut terms, mut unknown) = (None, None, Vec::new(), Vec::new());
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            match key.value.as_str() {
                "label" => label = map.next_value()?,
                "label_zh" => label_zh = map.next_value()?,
                "terms" => terms = map.next_value_seed(TermsSeed(self.0.clone()))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    unknown.push(key);
                }
            }
        }
        Ok((label, label_zh, terms, unknown))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok((None, None, Vec::new(), Vec::new()))
    }
}

struct TermsSeed(Vec<String>);

impl<'de> de::DeserializeSeed<'de> for TermsSeed {
    type Value = Vec<TermFields>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        struct V(Vec<String>);
        impl<'de> Visitor<'de> for V {
            type Value = Vec<TermFields>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of terms")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                terms_from_seq(seq, &self.0)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Vec::new())
            }
        }
        d.deserialize_seq(V(self.0))
    }
}

fn terms_from_seq<'de, A: SeqAccess<'de>>(mut seq: A, vocabularies: &[String]) -> Result<Vec<TermFields>, A::Error> {
    let mut out = Vec::new();
    while let Some(t) = seq.next_element_seed(TermSeed(vocabularies.to_vec()))? {
        out.push(t);
    }
    Ok(out)
}

struct TermSeed(Vec<String>);

impl<'de> de::DeserializeSeed<'de> for TermSeed {
    type Value = TermFields;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TermSeed {
    type Value = TermFields;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a term: id, label, label_zh, definition, aliases, ...")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TermFields, A::Error> {
        let mut t = TermFields {
            at: Spanned::new((), serde_saphyr::Location::UNKNOWN, serde_saphyr::Location::UNKNOWN),
            id: None,
            label: None,
            label_zh: None,
            definition: None,
            definition_zh: None,
            aliases: Vec::new(),
            countermeasure: None,
            countermeasure_zh: None,
            links: Vec::new(),
            unknown: Vec::new(),
        };
        let mut first = true;
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            if first {
                t.at = Spanned::new((), key.referenced, key.defined);
                first = false;
            }
            match key.value.as_str() {
                "id" => t.id = Some(text(map.next_value()?)),
                "label" => t.label = Some(text(map.next_value()?)),
                "label_zh" => t.label_zh = map.next_value()?,
                "definition" => t.definition = Some(text(map.next_value()?)),
                "definition_zh" => t.definition_zh = map.next_value()?,
                "countermeasure" => t.countermeasure = map.next_value()?,
                "countermeasure_zh" => t.countermeasure_zh = map.next_value()?,
                "aliases" => {
                    let list: StringList = map.next_value()?;
                    t.aliases = list.0.into_iter().map(|s| s.value).collect();
                }
                name if self.0.iter().any(|v| v == name) => {
                    let list: StringList = map.next_value()?;
                    t.links.push((key, list.0));
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    t.unknown.push(key);
                }
            }
        }
        Ok(t)
    }
}

/// Parses `cases/taxonomy.yaml`.
pub fn parse_taxonomy(path: &str, text: &str) -> Result<RawTaxonomy, Diagnostic> {
    let names = if text.trim().is_empty() {
        Vec::new()
    } else {
        serde_saphyr::from_str_with_options::<TopKeys>(text, yaml_options())
            .map_err(|e| yaml_error(path, text, 1, &e))?
            .0
    };
    let fields = if names.is_empty() {
        Vec::new()
    } else {
        from_str_seed(text, TaxonomySeed(names)).map_err(|e| yaml_error(path, text, 1, &e))?
    };
    let at = |s: Spanned<String>| shift(s, 1);
    let vocabularies = fields
        .into_iter()
        .map(|v| RawVocabulary {
            name: at(v.name),
            label: v.label,
            label_zh: v.label_zh,
            unknown_keys: v.unknown.into_iter().map(at).collect(),
            terms: v
                .terms
                .into_iter()
                .map(|t| {
                    let pos = shift(t.at, 1);
                    RawTerm {
                        line: pos.line,
                        column: pos.column,
                        id: t.id.map(at),
                        label: t.label.map(at),
                        label_zh: t.label_zh,
                        definition: t.definition.map(at),
                        definition_zh: t.definition_zh,
                        aliases: t.aliases,
                        countermeasure: t.countermeasure,
                        countermeasure_zh: t.countermeasure_zh,
                        links: t.links.into_iter().map(|(k, ids)| (at(k), ids.into_iter().map(at).collect())).collect(),
                        unknown_keys: t.unknown.into_iter().map(at).collect(),
                    }
                })
                .collect(),
        })
        .collect();
    Ok(RawTaxonomy { path: path.to_string(), text: text.to_string(), vocabularies })
}

/// Keys a term may have besides links (for "did you mean" hints).
pub fn term_keys() -> &'static [&'static str] {
    TERM_KEYS
}

pub fn place_keys() -> &'static [&'static str] {
    PLACE_KEYS
}

pub fn vocabulary_keys() -> &'static [&'static str] {
    VOCABULARY_KEYS
}

#[cfg(test)]
mod tests {
    use super::*;

    const VOCABS: &[&str] = &["forces", "practices", "problems"];

    fn vocabs() -> Vec<String> {
        VOCABS.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn positions_are_in_file_coordinates() {
        let text = "---\nid: a\ntitle: T\nforces: [x, y]\nbogus: 1\n---\n\n## Practice {#p practice=pp forces=\"x y\"}\n\nText [b](case:other#s).\n";
        let c = parse_case("a.md", text, &vocabs()).unwrap();
        let id = c.id.unwrap();
        assert_eq!((id.value.as_str(), id.line, id.column), ("a", 2, 5));
        let (k, ids) = &c.tags[0];
        assert_eq!((k.value.as_str(), k.line), ("forces", 4));
        assert_eq!((ids[1].value.as_str(), ids[1].line, ids[1].column), ("y", 4, 13));
        assert_eq!(c.unknown_keys[0].value, "bogus");
        assert_eq!(c.unknown_keys[0].line, 5);
        let s = &c.body.sections[0];
        assert_eq!((s.line, s.anchor.as_deref(), s.title.as_str()), (8, Some("p"), "Practice"));
        let attrs: Vec<_> =
            s.attrs.iter().map(|(k, v)| (k.value.as_str(), v.value.as_str(), v.line, v.column)).collect();
        assert_eq!(attrs, vec![("practice", "pp", 8, 26), ("forces", "x y", 8, 37)]);
        assert_eq!(c.body.case_links[0].value, "other");
        assert_eq!(c.body.case_links[0].line, 10);
    }

    #[test]
    fn sections_end_at_the_next_heading_of_same_level() {
        let body = "## A\n\na\n\n### A1\n\nx\n\n## B\n\nb\n";
        let b = parse_body(body, 1);
        assert_eq!(b.sections.len(), 3);
        assert_eq!(&body[b.sections[0].range.clone()], "## A\n\na\n\n### A1\n\nx\n\n");
        assert_eq!(&body[b.sections[2].content.clone()], "\nb\n");
    }

    #[test]
    fn missing_or_unclosed_front_matter() {
        let e = parse_case("a.md", "# no front matter\n", &vocabs()).unwrap_err();
        assert_eq!(e[0].code, "no-front-matter");
        let e = parse_case("a.md", "---\nid: a\n", &vocabs()).unwrap_err();
        assert!(e[0].message.contains("not closed"));
    }

    #[test]
    fn yaml_error_has_file_line() {
        let e = parse_case("a.md", "---\nid: a\ntitle: [unclosed\n---\nbody\n", &vocabs()).unwrap_err();
        assert_eq!(e[0].code, "yaml");
        assert!(e[0].line >= 3, "{:?}", e[0]);
    }

    #[test]
    fn taxonomy_both_forms() {
        let text = "forces:\n  - id: a\n    label: A\n    definition: d\nproblems:\n  label: Problems\n  terms:\n    - id: p\n      label: P\n      definition: d\n      forces: [a]\n      oops: 1\n";
        let t = parse_taxonomy("t.yaml", text).unwrap();
        assert_eq!(t.vocabularies.len(), 2);
        assert_eq!(t.vocabularies[1].label.as_deref(), Some("Problems"));
        let p = &t.vocabularies[1].terms[0];
        assert_eq!(p.line, 8);
        assert_eq!(p.links[0].0.value, "forces");
        assert_eq!(p.links[0].1[0].line, 11);
        assert_eq!(p.unknown_keys[0].value, "oops");
    }
}
