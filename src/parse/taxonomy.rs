//! `cases/taxonomy.yaml`: the vocabularies (a list of terms, or `{label, label_zh, singular,
//! terms}`) and their terms, and the `levels:` list, read in two passes: first the vocabulary
//! names, which a term may use as keys of its links, then everything.

use super::yaml::{from_str_seed, shift, text, yaml_error, yaml_options, StringList};
use super::{keyboard, At, RawLevel, RawTaxonomy, RawTerm, RawVocabulary, LEVELS_KEY};
use crate::config::Language;
use crate::diag::Diagnostic;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

/// The top-level keys only: the vocabulary names, in order.
struct TopKeys(Vec<String>);

impl<'de> Deserialize<'de> for TopKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TopKeysVisitor;
        impl<'de> Visitor<'de> for TopKeysVisitor {
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
        d.deserialize_any(TopKeysVisitor)
    }
}

type SpannedLinks = Vec<(Spanned<String>, Vec<Spanned<String>>)>;

struct TaxonomySeed(Vec<String>);

/// What the taxonomy file holds: its vocabularies, and its `levels:` (the key, the levels).
#[derive(Default)]
struct TaxonomyFields {
    vocabularies: Vec<VocabularyFields>,
    levels: Option<(Spanned<String>, Vec<LevelFields>)>,
}

struct VocabularyFields {
    name: Spanned<String>,
    parts: VocabularyParts,
}

struct LevelFields {
    at: Spanned<()>,
    id: Option<Spanned<String>>,
    label: Option<Spanned<String>>,
    label_zh: Option<String>,
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
    type Value = TaxonomyFields;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        struct VocabulariesVisitor(Vec<String>);
        impl<'de> Visitor<'de> for VocabulariesVisitor {
            type Value = TaxonomyFields;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of vocabularies (forces, problems, practices, ...)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = TaxonomyFields::default();
                while let Some(name) = map.next_key::<Spanned<String>>()? {
                    if name.value == LEVELS_KEY {
                        let levels: Levels = map.next_value()?;
                        out.levels = Some((name, levels.0));
                        continue;
                    }
                    let parts = map.next_value_seed(VocabularySeed(self.0.clone()))?;
                    out.vocabularies.push(VocabularyFields { name, parts });
                }
                Ok(out)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(TaxonomyFields::default())
            }
        }
        d.deserialize_map(VocabulariesVisitor(self.0))
    }
}

/// `levels:`: a list of `{id, label, label_zh}`; an empty value is no level.
struct Levels(Vec<LevelFields>);

impl<'de> Deserialize<'de> for Levels {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct LevelsVisitor;
        impl<'de> Visitor<'de> for LevelsVisitor {
            type Value = Levels;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of levels, each with id, label and label_zh")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Levels, A::Error> {
                let mut out = Vec::new();
                while let Some(level) = seq.next_element::<LevelFields>()? {
                    out.push(level);
                }
                Ok(Levels(out))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Levels, E> {
                Ok(Levels(Vec::new()))
            }
        }
        d.deserialize_any(LevelsVisitor)
    }
}

impl<'de> Deserialize<'de> for LevelFields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct LevelVisitor;
        impl<'de> Visitor<'de> for LevelVisitor {
            type Value = LevelFields;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a level: id, label, label_zh")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LevelFields, A::Error> {
                let unknown_at = Spanned::new((), serde_saphyr::Location::UNKNOWN, serde_saphyr::Location::UNKNOWN);
                let mut l = LevelFields { at: unknown_at, id: None, label: None, label_zh: None, unknown: Vec::new() };
                let mut first = true;
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    if first {
                        l.at = Spanned::new((), key.referenced, key.defined);
                        first = false;
                    }
                    match key.value.as_str() {
                        "id" => l.id = Some(text(map.next_value()?)),
                        "label" => l.label = Some(text(map.next_value()?)),
                        "label_zh" => l.label_zh = map.next_value()?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            l.unknown.push(key);
                        }
                    }
                }
                Ok(l)
            }
        }
        d.deserialize_map(LevelVisitor)
    }
}

/// A vocabulary: either a list of terms, or `{label, label_zh, singular, terms}`.
struct VocabularySeed(Vec<String>);

/// A vocabulary's fields, without its name (the key it is written under).
#[derive(Default)]
struct VocabularyParts {
    label: Option<String>,
    label_zh: Option<String>,
    singular: Option<Spanned<String>>,
    terms: Vec<TermFields>,
    unknown: Vec<Spanned<String>>,
}

impl<'de> de::DeserializeSeed<'de> for VocabularySeed {
    type Value = VocabularyParts;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for VocabularySeed {
    type Value = VocabularyParts;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of terms, or a mapping with label, label_zh, singular and terms")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Ok(VocabularyParts { terms: terms_from_seq(seq, &self.0)?, ..VocabularyParts::default() })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut parts = VocabularyParts::default();
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            match key.value.as_str() {
                "label" => parts.label = map.next_value()?,
                "label_zh" => parts.label_zh = map.next_value()?,
                "singular" => parts.singular = Some(text(map.next_value()?)),
                "terms" => parts.terms = map.next_value_seed(TermsSeed(self.0.clone()))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    parts.unknown.push(key);
                }
            }
        }
        Ok(parts)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(VocabularyParts::default())
    }
}

struct TermsSeed(Vec<String>);

impl<'de> de::DeserializeSeed<'de> for TermsSeed {
    type Value = Vec<TermFields>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        struct TermsVisitor(Vec<String>);
        impl<'de> Visitor<'de> for TermsVisitor {
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
        d.deserialize_seq(TermsVisitor(self.0))
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

/// Parses `cases/taxonomy.yaml`; messages about keyboard characters are in `lang`.
pub fn parse_taxonomy(path: &str, text: &str, lang: Language) -> Result<RawTaxonomy, Diagnostic> {
    let keys = if text.trim().is_empty() {
        Vec::new()
    } else {
        serde_saphyr::from_str_with_options::<TopKeys>(text, yaml_options())
            .map_err(|e| yaml_error(path, text, (text, 1), &e, lang))?
            .0
    };
    let read_all = !keys.is_empty();
    // `levels` is the list of levels, not a vocabulary a term may link to.
    let names: Vec<String> = keys.into_iter().filter(|k| k != LEVELS_KEY).collect();
    let fields = if !read_all {
        TaxonomyFields::default()
    } else {
        from_str_seed(text, TaxonomySeed(names)).map_err(|e| yaml_error(path, text, (text, 1), &e, lang))?
    };
    // Characters that parse into a term or an id nobody wrote (see `parse_case`).
    if let Some(d) = keyboard::sure_errors(path, text, text, 1, lang).into_iter().next() {
        return Err(d);
    }
    let at = |s: Spanned<String>| shift(s, 1);
    let levels = fields.levels.map(|(key, levels)| {
        let key = at(key);
        let levels = levels
            .into_iter()
            .map(|l| {
                let pos = shift(l.at, 1);
                RawLevel {
                    line: pos.line,
                    column: pos.column,
                    id: l.id.map(at),
                    label: l.label.map(at),
                    label_zh: l.label_zh,
                    unknown_keys: l.unknown.into_iter().map(at).collect(),
                }
            })
            .collect();
        At { value: levels, line: key.line, column: key.column }
    });
    let vocabularies = fields
        .vocabularies
        .into_iter()
        .map(|VocabularyFields { name, parts: v }| RawVocabulary {
            name: at(name),
            label: v.label,
            label_zh: v.label_zh,
            singular: v.singular.map(at),
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
    Ok(RawTaxonomy { path: path.to_string(), text: text.to_string(), vocabularies, levels })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taxonomy_both_forms() {
        let text = "forces:\n  - id: a\n    label: A\n    definition: d\nproblems:\n  label: Problems\n  terms:\n    - id: p\n      label: P\n      definition: d\n      forces: [a]\n      oops: 1\n";
        let t = parse_taxonomy("t.yaml", text, Language::En).unwrap();
        assert_eq!(t.vocabularies.len(), 2);
        assert_eq!(t.vocabularies[1].label.as_deref(), Some("Problems"));
        let p = &t.vocabularies[1].terms[0];
        assert_eq!(p.line, 8);
        assert_eq!(p.links[0].0.value, "forces");
        assert_eq!(p.links[0].1[0].line, 11);
        assert_eq!(p.unknown_keys[0].value, "oops");
        assert!(t.levels.is_none());
    }

    #[test]
    fn singular_and_levels() {
        let text = "approaches:\n  singular: approach\n  terms:\n    - id: a\n      label: A\n      definition: d\nlevels:\n  - id: town\n    label: Town\n    label_zh: 镇\n  - id: county\n    rank: 2\n";
        let t = parse_taxonomy("t.yaml", text, Language::En).unwrap();
        assert_eq!(t.vocabularies.len(), 1, "levels is no vocabulary");
        let singular = t.vocabularies[0].singular.as_ref().unwrap();
        assert_eq!((singular.value.as_str(), singular.line, singular.column), ("approach", 2, 13));
        let levels = t.levels.unwrap();
        assert_eq!(levels.line, 7);
        assert_eq!(levels.value.len(), 2);
        let town = &levels.value[0];
        assert_eq!((town.id.as_ref().unwrap().value.as_str(), town.line), ("town", 8));
        assert_eq!(town.label_zh.as_deref(), Some("镇"));
        assert_eq!(levels.value[1].unknown_keys[0].value, "rank");
        assert!(parse_taxonomy("t.yaml", "levels: [town]\n", Language::En).is_err(), "a level is a mapping");
        let only_levels = parse_taxonomy("t.yaml", "levels:\n", Language::En).unwrap();
        assert_eq!(only_levels.levels.map(|l| l.value.len()), Some(0));
    }
}
