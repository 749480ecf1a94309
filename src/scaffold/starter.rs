//! The files of a new library (`casebook init`), in English or Chinese: `casebook.toml`, a small
//! taxonomy (two vocabularies with their singulars, and levels), one sample case and the about
//! page's text. They are real files beside this one (`starter/LANG/…`), embedded in the binary,
//! so they read as an editor will see them; a test checks and builds each set as it is.

use crate::config::Language;

/// The files of a new library in `lang`: (path relative to the library, text), in the order
/// they are written.
pub fn files(lang: Language) -> [(&'static str, &'static str); 4] {
    match lang {
        Language::En => [
            ("casebook.toml", include_str!("starter/en/casebook.toml")),
            ("about.md", include_str!("starter/en/about.md")),
            ("cases/taxonomy.yaml", include_str!("starter/en/cases/taxonomy.yaml")),
            ("cases/sample-case.md", include_str!("starter/en/cases/sample-case.md")),
        ],
        Language::ZhCn => [
            ("casebook.toml", include_str!("starter/zh-CN/casebook.toml")),
            ("about.md", include_str!("starter/zh-CN/about.md")),
            ("cases/taxonomy.yaml", include_str!("starter/zh-CN/cases/taxonomy.yaml")),
            ("cases/sample-case.md", include_str!("starter/zh-CN/cases/sample-case.md")),
        ],
    }
}
