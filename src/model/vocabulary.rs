//! Facts about vocabularies and ids that every stage shares: which levels a case may have, what
//! makes an id valid, a vocabulary's singular form (the key of its inline filter and of its
//! hints), and slugs for file names. Nothing here validates; `validate` uses these rules.

/// Levels a case may have.
pub const LEVELS: &[&str] = &["street", "community", "city"];

/// Is `id` made of `[a-z0-9-]+`?
pub fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `forces` → `force`, `practices` → `practice`, `problems` → `problem`. The browser gets each
/// vocabulary's singular from the index metadata, so this stays the one definition.
pub fn singular(name: &str) -> &str {
    name.strip_suffix('s').filter(|s| !s.is_empty()).unwrap_or(name)
}

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
    fn singular_drops_one_trailing_s() {
        assert_eq!(singular("forces"), "force");
        assert_eq!(singular("problems"), "problem");
        assert_eq!(singular("s"), "s");
        assert_eq!(singular("level"), "level");
    }

    #[test]
    fn slugs_keep_letters_of_any_script() {
        assert_eq!(slug("Erqi District"), "erqi-district");
        assert_eq!(slug("  Xicheng, Beijing! "), "xicheng-beijing");
        assert_eq!(slug("河南省"), "河南省");
    }
}
