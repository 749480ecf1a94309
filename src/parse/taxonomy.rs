//! `cases/taxonomy.yaml`: the vocabularies (a list of terms, or `{label, label_zh, terms}`)
//! and their terms, read in two passes: first the vocabulary names, which a term may use as
//! keys of its links, then everything.

use super::yaml::{from_str_seed, shift, text, yaml_error, yaml_options, StringList};
use super::{keyboard, RawTaxonomy, RawTerm, RawVocabulary};
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
        struct VocabulariesVisitor(Vec<String>);
        impl<'de> Visitor<'de> for VocabulariesVisitor {
            type Value = Vec<VocabularyFields>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of vocabularies (forces, problems, practices, ...)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(name) = map.next_key::<Spanned<String>>()? {
                    let VocabularyParts { label, label_zh, terms, unknown } =
                        map.next_value_seed(VocabularySeed(self.0.clone()))?;
                    out.push(VocabularyFields { name, label, label_zh, terms, unknown });
                }
                Ok(out)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Vec::new())
            }
        }
        d.deserialize_map(VocabulariesVisitor(self.0))
    }
}

/// A vocabulary: either a list of terms, or `{label, label_zh, terms}`.
struct VocabularySeed(Vec<String>);

/// A vocabulary's fields, without its name (the key it is written under).
#[derive(Default)]
struct VocabularyParts {
    label: Option<String>,
    label_zh: Option<String>,
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
        f.write_str("a list of terms, or a mapping with label, label_zh and terms")
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
    let names = if text.trim().is_empty() {
        Vec::new()
    } else {
        serde_saphyr::from_str_with_options::<TopKeys>(text, yaml_options())
            .map_err(|e| yaml_error(path, text, (text, 1), &e, lang))?
            .0
    };
    let fields = if names.is_empty() {
        Vec::new()
    } else {
        from_str_seed(text, TaxonomySeed(names)).map_err(|e| yaml_error(path, text, (text, 1), &e, lang))?
    };
    // Characters that parse into a term or an id nobody wrote (see `parse_case`).
    if let Some(d) = keyboard::sure_errors(path, text, text, 1, lang).into_iter().next() {
        return Err(d);
    }
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
    }
}
