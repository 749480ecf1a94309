//! Facts about vocabularies and ids that every stage shares: what makes an id valid, a
//! vocabulary's singular form when the taxonomy declares none (the key of its section
//! attributes, inline filters, `--SINGULAR` flag and hints), the keys a vocabulary may not
//! take, and slugs for file names. Nothing here validates; `validate` uses these rules.
//! The levels a case may have are the library's (`levels:` in the taxonomy), not code.

/// Is `id` made of `[a-z0-9-]+`?
pub fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The singular of a vocabulary's name when the taxonomy declares none, by English rules:
/// `categories` → `category`, `approaches` → `approach`, `wishes` → `wish`, `boxes` → `box`,
/// `classes` → `class`, `forces` → `force`; a name ending in `ss` or not in `s` is its own
/// singular. A name these rules get wrong (`species`, `criteria`) declares `singular:`. The
/// browser gets each vocabulary's singular from the index metadata, so this stays the one
/// definition.
pub fn derive_singular(name: &str) -> String {
    let stem = |suffix: &str, add: &str| name.strip_suffix(suffix).filter(|s| s.len() > 1).map(|s| format!("{s}{add}"));
    if name.ends_with("ss") || !name.ends_with('s') {
        return name.to_string();
    }
    stem("ies", "y")
        .or_else(|| ["ches", "shes", "sses", "xes", "zzes"].iter().find_map(|s| stem(s, &s[..s.len() - 2])))
        .or_else(|| stem("s", ""))
        .unwrap_or_else(|| name.to_string())
}

/// Keys a vocabulary's name or singular may not be, because something else answers to them:
/// the front-matter fields of a case, `levels` (the taxonomy's list of levels) and `places`
/// (with `place` and `level`, the other filters of search), the fields a search query may name
/// (`body:…`), and the flags of `casebook search`, which gets a `--SINGULAR` flag per vocabulary.
pub const RESERVED_KEYS: &[&str] = &[
    // Front-matter fields (crate::parse::CASE_KEYS).
    "id",
    "title",
    "title_zh",
    "place",
    "level",
    "summary",
    "summary_zh",
    "date",
    "updated",
    "sources",
    // The taxonomy's levels, and the plural of the place filter.
    "levels",
    "places",
    // Fields a query names (crate::search's QUERY_FIELDS) that are no front-matter field.
    "body",
    "body_tr",
    "place_text",
    "tagtext",
    "kind",
    // The flags of `casebook search`.
    "root",
    "site",
    "filter",
    "limit",
    "json",
    "lang",
    "year",
    "sort",
    "help",
];

/// How a written name is compared with ids (in hints and search filters): trimmed, lower-case,
/// `_` and spaces read as `-`.
pub fn normalize(s: &str) -> String {
    s.trim().to_lowercase().replace(['_', ' '], "-")
}

/// A URL- and file-safe slug: lower-case letters and digits (any script) joined by `-`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for ch in text.chars() {
        if ch.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(ch.to_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_lower_case_letters_digits_and_dashes() {
        assert!(valid_id("huaihe-road-2"));
        assert!(!valid_id(""));
        assert!(!valid_id("Huaihe"));
        assert!(!valid_id("a_b"));
        assert!(!valid_id("红墙"));
    }

    #[test]
    fn singulars_follow_english_rules() {
        let cases = [
            ("forces", "force"),
            ("problems", "problem"),
            ("practices", "practice"),
            ("approaches", "approach"),
            ("obstacles", "obstacle"),
            ("categories", "category"),
            ("wishes", "wish"),
            ("boxes", "box"),
            ("classes", "class"),
            ("buzzes", "buzz"),
            ("themes", "theme"),
            ("methods", "method"),
            ("fields", "field"),
            ("class", "class"),
            ("level", "level"),
            ("staff", "staff"),
            ("s", "s"),
            ("ies", "ie"),
            ("xes", "xe"),
        ];
        for (name, singular) in cases {
            assert_eq!(derive_singular(name), singular, "{name}");
        }
    }

    #[test]
    fn the_front_matter_keys_are_reserved() {
        for key in crate::parse::CASE_KEYS {
            assert!(RESERVED_KEYS.contains(key), "{key}");
        }
    }

    #[test]
    fn slugs_keep_letters_of_any_script() {
        assert_eq!(slug("Erqi District"), "erqi-district");
        assert_eq!(slug("  Xicheng, Beijing! "), "xicheng-beijing");
        assert_eq!(slug("河南省"), "河南省");
    }
}
