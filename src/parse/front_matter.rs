//! A case file's front matter: split it from the body, read its fields in one pass (so that
//! every unknown key is reported), and return a [`RawCase`] in file coordinates.

use super::yaml::{from_str_seed, shift, text, yaml_error, StringList};
use super::{keyboard, parse_body, At, RawCase, RawPlace};
use crate::config::Language;
use crate::diag::Diagnostic;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

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
    date: Option<Spanned<String>>,
    updated: Option<Spanned<String>>,
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
                "date" => o.date = Some(text(map.next_value()?)),
                "updated" => o.updated = Some(text(map.next_value()?)),
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
        struct PlaceVisitor;
        impl<'de> Visitor<'de> for PlaceVisitor {
            type Value = PlaceFields;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a place: province, city, district, unit (each optionally with _zh)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PlaceFields, A::Error> {
                let mut place = RawPlace::default();
                let mut unknown = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    match place.names.field_mut(&key.value) {
                        Some(slot) => *slot = map.next_value::<Option<String>>()?.filter(|s| !s.trim().is_empty()),
                        None => {
                            map.next_value::<IgnoredAny>()?;
                            unknown.push(key);
                        }
                    }
                }
                Ok(PlaceFields { place, unknown })
            }
        }
        d.deserialize_map(PlaceVisitor)
    }
}

/// A case file cut in two: the YAML front matter and where the Markdown body starts.
struct Split<'a> {
    yaml: &'a str,
    /// 1-based file line of the YAML's first line.
    yaml_line: usize,
    /// Byte offset of the body in the file.
    body_offset: usize,
    /// 1-based file line of the body's first line.
    body_line: usize,
}

/// Splits a case file into its YAML front matter and Markdown body.
fn split_front_matter<'a>(path: &str, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "---" {
        // A translation (`x.zh.md`) gives fewer fields than a case.
        let hint = if crate::config::Language::of_translation(path).is_some() {
            "start the translation with a line `---`, then its title, summary and sources (each optional), then another `---`, then the translated body"
        } else {
            "start the file with a line `---`, then the fields (id, title, place, ...), then another `---`; `casebook new ID` writes a template"
        };
        return Err(Diagnostic::error(path, "no-front-matter", "the file does not start with front matter")
            .at(text, 1, 1)
            .hint(hint));
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    for (i, line) in lines.enumerate() {
        let t = line.trim_end();
        if t == "---" || t == "..." {
            let yaml = &text[yaml_start..offset];
            let body_start = offset + line.len();
            return Ok(Split { yaml, yaml_line: 2, body_offset: body_start, body_line: i + 3 });
        }
        offset += line.len();
    }
    Err(Diagnostic::error(path, "no-front-matter", "the front matter is not closed")
        .at(text, 1, 1)
        .hint("add a line `---` after the last front-matter field, before the Markdown body"))
}

/// The `id:` line of a front matter as a reader sees it, when the YAML cannot be read: the value
/// after `id:` (or `id：`, a full-width colon) on a line of its own, without quotes or comment.
/// For a case that failed to parse, so that links to it are not reported as broken too.
pub fn readable_id(text: &str) -> Option<&str> {
    let mut lines = text.lines();
    if lines.next()?.trim_end() != "---" {
        return None;
    }
    let blank = |c: char| c.is_whitespace() || c == '\u{feff}';
    lines.take_while(|l| !matches!(l.trim_end(), "---" | "...")).find_map(|line| {
        let rest = line.trim_start_matches(blank).strip_prefix("id")?.trim_start_matches(blank);
        let value = rest.strip_prefix(':').or_else(|| rest.strip_prefix('：'))?;
        let value = value.split(" #").next().unwrap_or(value).trim_matches(blank);
        let value = value.trim_matches(|c| matches!(c, '"' | '\'' | '“' | '”' | '‘' | '’')).trim_matches(blank);
        (!value.is_empty()).then_some(value)
    })
}

/// Parses one case file. `vocabularies` are the names declared by the taxonomy: they are the
/// other keys a case may use. A file whose front matter cannot be read yields diagnostics only.
/// Messages about keyboard characters are in `lang`, the library's language.
pub fn parse_case(path: &str, text: &str, vocabularies: &[String], lang: Language) -> Result<RawCase, Vec<Diagnostic>> {
    let Split { yaml, yaml_line, body_offset, body_line } = split_front_matter(path, text).map_err(|d| vec![d])?;
    let seed = FrontMatter { vocabularies: vocabularies.to_vec(), out: RawCaseFields::default() };
    let fields = if yaml.trim().is_empty() {
        RawCaseFields::default()
    } else {
        from_str_seed(yaml, seed).map_err(|e| vec![yaml_error(path, text, (yaml, yaml_line), &e, lang)])?
    };
    // A full-width comma in a list or a full-width space before a key still parses, into an
    // id or a key nobody wrote: the character is the one error, not what it turned into.
    let mut keyboard = keyboard::sure_errors(path, text, yaml, yaml_line, lang);
    let mut body = parse_body(&text[body_offset..], body_line);
    body.offset = body_offset;
    keyboard.extend(keyboard::attribute_errors(path, text, &body.sections, lang));
    if !keyboard.is_empty() {
        return Err(keyboard);
    }
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
    Ok(RawCase {
        id: fields.id.map(at),
        title: fields.title.map(at),
        title_zh: fields.title_zh.map(at),
        place,
        level: fields.level.map(at),
        summary: fields.summary.map(at),
        summary_zh: fields.summary_zh.map(at),
        date: fields.date.map(at),
        updated: fields.updated.map(at),
        sources,
        tags,
        unknown_keys: fields.unknown_keys.into_iter().map(at).collect(),
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const VOCABS: &[&str] = &["forces", "practices", "problems"];

    fn vocabs() -> Vec<String> {
        VOCABS.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_id_line_is_read_when_the_yaml_is_not() {
        assert_eq!(readable_id("---\ntitle: x\n\tlevel: a\nid: tianhu\n---\n"), Some("tianhu"));
        assert_eq!(readable_id("---\nid：“tianhu”  # full-width\n---\n"), Some("tianhu"));
        assert_eq!(readable_id("---\n  id: 'a-b'\n"), Some("a-b"));
        assert_eq!(readable_id("---\ntitle: x\n---\nid: body\n"), None, "the body is not the front matter");
        assert_eq!(readable_id("---\nidea: x\nid:\n---\n"), None);
        assert_eq!(readable_id("id: x\n"), None);
    }

    #[test]
    fn positions_are_in_file_coordinates() {
        let text = "---\nid: a\ntitle: T\nforces: [x, y]\nbogus: 1\n---\n\n## Practice {#p practice=pp forces=\"x y\"}\n\nText [b](case:other#s).\n";
        let c = parse_case("a.md", text, &vocabs(), Language::En).unwrap();
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
        let link = &c.body.links[0];
        assert_eq!(
            (link.url.value.as_str(), link.url.line, link.url.column, link.image),
            ("case:other#s", 10, 10, false)
        );
    }

    #[test]
    fn missing_or_unclosed_front_matter() {
        let e = parse_case("a.md", "# no front matter\n", &vocabs(), Language::En).unwrap_err();
        assert_eq!(e[0].code, "no-front-matter");
        let e = parse_case("a.md", "---\nid: a\n", &vocabs(), Language::En).unwrap_err();
        assert!(e[0].message.contains("not closed"));
        let e = parse_case("a.zh.md", "## 背景\n", &vocabs(), Language::En).unwrap_err();
        assert!(e[0].hint.starts_with("start the translation with a line `---`"), "{}", e[0].hint);
    }

    #[test]
    fn yaml_error_has_file_line() {
        let e = parse_case("a.md", "---\nid: a\ntitle: [unclosed\n---\nbody\n", &vocabs(), Language::En).unwrap_err();
        assert_eq!(e[0].code, "yaml");
        assert!(e[0].line >= 3, "{:?}", e[0]);
    }
}
