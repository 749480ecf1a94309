//! Which characters count as Han (Chinese) characters. Three rules ask, and they do not mean
//! the same set, so each has its own function here, named for its rule, instead of a range
//! typed again where it is used:
//!
//! - [`is_han`]: the query side (`casebook search` puts spaces between the words of a run of
//!   these, and the search page cuts runs of them by its dictionary). The browser gets its
//!   ranges, [`HAN`], as data in `_search/meta.js`, so the two cannot drift apart.
//! - [`is_jieba_han`]: the ideographs jieba cuts into words a run at a time (jieba-rs's
//!   `is_han_default`). It leaves out a few unassigned blocks that [`is_han`] takes whole; the
//!   run-by-run cut must agree with jieba's, so it keeps jieba's exact ranges.
//! - [`is_cjk_unified`]: the CJK Unified Ideographs of the Basic Multilingual Plane only, the
//!   characters a Chinese place name is made of (see [`super::place_stem`]).
//!
//! [`is_caseless_cjk`] is not a Han test but a shortcut of lower-casing: the block from the CJK
//! punctuation to the end of the unified ideographs has no upper-case letter.

/// The Han ranges of the query side, inclusive code points (see [`is_han`]).
pub const HAN: [(u32, u32); 4] = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F)];

/// A Han character, as the query side counts them: CJK Unified Ideographs, their extensions A
/// to F and the compatibility ideographs ([`HAN`]).
#[inline]
pub fn is_han(c: char) -> bool {
    let n = c as u32;
    HAN.iter().any(|&(first, last)| (first..=last).contains(&n))
}

/// A Han character as jieba counts one when it cuts a run of word characters (jieba-rs's
/// `is_han_default`, without its ASCII part).
#[inline]
pub fn is_jieba_han(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2A6DF}'
        | '\u{2A700}'..='\u{2B73F}'
        | '\u{2B740}'..='\u{2B81F}'
        | '\u{2B820}'..='\u{2CEAF}'
        | '\u{2CEB0}'..='\u{2EBEF}'
        | '\u{2F800}'..='\u{2FA1F}')
}

/// A CJK Unified Ideograph of the Basic Multilingual Plane (U+4E00–U+9FFF).
#[inline]
pub fn is_cjk_unified(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}')
}

/// A character of U+3000–U+9FFF (CJK punctuation, kana, Hangul letters, ideographs…), none of
/// which has a lower-case form: lower-casing may skip them.
#[inline]
pub fn is_caseless_cjk(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{9FFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_han_tests_nest_as_documented() {
        for c in (0..0x11_0000).filter_map(char::from_u32) {
            if is_cjk_unified(c) {
                assert!(is_jieba_han(c) && is_caseless_cjk(c), "{c:?}");
            }
            if is_jieba_han(c) {
                assert!(is_han(c), "{c:?}");
            }
            if is_caseless_cjk(c) {
                assert_eq!(c.to_lowercase().collect::<String>(), c.to_string(), "{c:?}");
                assert!(!c.is_uppercase(), "{c:?}");
            }
        }
        assert!(is_han('党') && is_han('𠀀') && !is_han('a') && !is_han('，') && !is_han('か'));
    }
}
