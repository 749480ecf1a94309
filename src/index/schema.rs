//! The index schema: its fields, the boosts of the text fields (defined once, read by search
//! and by the browser index) and the facet roots.

use crate::analysis::ANALYZER;
use crate::config::Language;
use crate::error::{Error, Result};
use tantivy::schema::{
    FacetOptions, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, STORED, STRING,
};

/// The text fields searched, in this order, with their query boosts: what `casebook search`
/// asks tantivy for and what the browser index weighs its tokens with.
pub const TEXT_FIELDS: [(&str, f32); 8] = [
    ("title", 3.0),
    ("title_zh", 3.0),
    ("summary", 2.0),
    ("summary_zh", 2.0),
    ("body", 1.0),
    ("body_tr", 1.0),
    ("place_text", 1.0),
    ("tagtext", 0.5),
];

/// How much a word found in the text of a language other than the reader's counts, against
/// one found in the reader's (on a site in two languages): each language's search page finds
/// the other language's text too, ranked below its own.
pub const OTHER_LANGUAGE_WEIGHT: f32 = 0.5;

/// The language of each text field of [`TEXT_FIELDS`] when the case files are written in
/// `content`: the English and Chinese titles and summaries, the original's body and its
/// translation's (the other language); `None` for the fields that hold both (place names and
/// the terms' labels).
pub fn field_languages(content: Language) -> [Option<Language>; TEXT_FIELDS.len()] {
    TEXT_FIELDS.map(|(name, _)| match name {
        "title" | "summary" => Some(Language::En),
        "title_zh" | "summary_zh" => Some(Language::ZhCn),
        "body" => Some(content),
        "body_tr" => Some(content.other()),
        _ => None,
    })
}

/// Each text field's weight for a reader of `reader` (a factor of its boost): 1, or
/// [`OTHER_LANGUAGE_WEIGHT`] for a field in another language, on a site of several languages
/// (`languages`) only — a site in one language weighs its fields as they are.
pub fn language_weights(languages: &[Language], content: Language, reader: Language) -> [f32; TEXT_FIELDS.len()] {
    field_languages(content).map(|lang| match lang {
        Some(lang) if languages.len() > 1 && lang != reader => OTHER_LANGUAGE_WEIGHT,
        _ => 1.0,
    })
}

/// The fields of the index.
///
/// | field | kind | content |
/// |---|---|---|
/// | `kind` | string, stored | `case` (what browsing matches) |
/// | `id` | string, stored | the case id |
/// | `sections` | stored | one value per tagged section: its [`SectionSpan`] |
/// | `title` | text ×3, stored | the case title |
/// | `title_zh` | text ×3, stored | the case's Chinese title |
/// | `summary` | text ×2 | the case's English summary |
/// | `summary_zh` | text ×2 | the case's Chinese summary |
/// | `summary_text` | stored | the summary (in the site's source language) |
/// | `body` | text, stored | the body as plain text |
/// | `body_tr` | text, stored | the body of each translation, as plain text |
/// | `place_text` | text | every place name, English and Chinese |
/// | `place` | stored | the place in one line, e.g. `Erqi District, Zhengzhou, Henan` |
/// | `tagtext` | text ×0.5 | labels and aliases of the terms the case is tagged with |
/// | `facet` | facet, stored | `/VOCABULARY/TERM` per tag (case order), `/level/LEVEL`, `/place/PROVINCE/CITY`, `/year/YYYY` (of `date`): what search counts |
/// | `date` | string, stored | the case's `date` as written (`2019-06`), when it has one |
/// | `place_path` | facet | `/place/PROVINCE/CITY/UNIT` and `/place_zh/…` in Chinese: what place filters match |
/// | `case_ord` | u64 fast | the case's rank by id |
/// | `spans` | u64 fast | per tagged section, in order: the token positions of its text in `body`, `start << 32 \| end` |
///
/// Text fields use [`ANALYZER`] with positions; the ×N are their query boosts ([`TEXT_FIELDS`]).
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub kind: Field,
    pub id: Field,
    pub sections: Field,
    pub title: Field,
    pub title_zh: Field,
    pub summary: Field,
    pub summary_zh: Field,
    pub summary_text: Field,
    pub body: Field,
    pub body_tr: Field,
    pub place_text: Field,
    pub place: Field,
    pub tagtext: Field,
    pub facet: Field,
    pub place_path: Field,
    pub date: Field,
    pub case_ord: Field,
    pub spans: Field,
}

/// Facet roots besides the vocabulary names (which can never be `level` or `place`, both
/// front-matter keys; `place_zh` is not a valid vocabulary name).
pub const LEVEL_ROOT: &str = "level";
pub const PLACE_ROOT: &str = "place";
pub const PLACE_ZH_ROOT: &str = "place_zh";
/// The year of a case's `date` (`date` and `year` are no vocabulary name either).
pub const YEAR_ROOT: &str = "year";

/// The index schema (it does not depend on the library: vocabularies are facet roots).
pub fn schema() -> Schema {
    let mut b = Schema::builder();
    let text = |stored: bool| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let options = TextOptions::default().set_indexing_options(indexing);
        if stored {
            options.set_stored()
        } else {
            options
        }
    };
    b.add_text_field("kind", STRING | STORED);
    b.add_text_field("id", STRING | STORED);
    b.add_text_field("sections", STORED);
    b.add_text_field("title", text(true));
    b.add_text_field("title_zh", text(true));
    b.add_text_field("summary", text(false));
    b.add_text_field("summary_zh", text(false));
    b.add_text_field("summary_text", STORED);
    b.add_text_field("body", text(true));
    b.add_text_field("body_tr", text(true));
    b.add_text_field("place_text", text(false));
    b.add_text_field("place", STORED);
    b.add_text_field("tagtext", text(false));
    b.add_facet_field("facet", FacetOptions::default().set_stored());
    b.add_facet_field("place_path", FacetOptions::default());
    b.add_text_field("date", STRING | STORED);
    b.add_u64_field("case_ord", NumericOptions::default().set_fast());
    b.add_u64_field("spans", NumericOptions::default().set_fast());
    b.build()
}

impl Fields {
    /// The fields of [`TEXT_FIELDS`], in its order.
    pub fn text_fields(&self) -> [Field; TEXT_FIELDS.len()] {
        TEXT_FIELDS.map(|(name, _)| match name {
            "title" => self.title,
            "title_zh" => self.title_zh,
            "summary" => self.summary,
            "summary_zh" => self.summary_zh,
            "body" => self.body,
            "body_tr" => self.body_tr,
            "place_text" => self.place_text,
            _ => self.tagtext,
        })
    }

    pub fn new(schema: &Schema) -> Result<Fields> {
        let f = |name: &str| {
            schema.get_field(name).map_err(|_| Error::index(format!("the index has no field `{name}`; rebuild it")))
        };
        Ok(Fields {
            kind: f("kind")?,
            id: f("id")?,
            sections: f("sections")?,
            title: f("title")?,
            title_zh: f("title_zh")?,
            summary: f("summary")?,
            summary_zh: f("summary_zh")?,
            summary_text: f("summary_text")?,
            body: f("body")?,
            body_tr: f("body_tr")?,
            place_text: f("place_text")?,
            place: f("place")?,
            tagtext: f("tagtext")?,
            facet: f("facet")?,
            place_path: f("place_path")?,
            date: f("date")?,
            case_ord: f("case_ord")?,
            spans: f("spans")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_fields_are_the_schemas_by_name() {
        let schema = schema();
        let fields = Fields::new(&schema).unwrap();
        for ((name, _), field) in TEXT_FIELDS.iter().zip(fields.text_fields()) {
            assert_eq!(schema.get_field(name).unwrap(), field, "{name}");
        }
    }
}
