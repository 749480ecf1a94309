//! Traditional characters: folded to simplified ones at index and query time, so that 紅牆意識
//! finds 红墙意识. The table is fast2s's (OpenCC's character table), read one character at a
//! time: every mapping keeps the character's length in UTF-8, so a folded text has the same
//! byte offsets as the text, and tokens still point into the text as written.
//!
//! fast2s also looks at a character's neighbours for a few ambiguous ones (乾隆 keeps 乾);
//! casebook folds each character on its own, the same way on both sides and in the browser,
//! which gets the table as data ([`pairs`]).

use super::fxhash::FxBuildHasher;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The code points fast2s converts: the CJK blocks of the Basic Multilingual Plane.
const BLOCKS: [(u32, u32); 3] = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)];

/// Traditional → simplified, for every character fast2s changes when it stands alone.
static TABLE: LazyLock<HashMap<char, char, FxBuildHasher>> = LazyLock::new(|| {
    let mut table = HashMap::default();
    let mut one = String::with_capacity(4);
    for (first, last) in BLOCKS {
        for c in (first..=last).filter_map(char::from_u32) {
            one.clear();
            one.push(c);
            let folded = fast2s::convert(&one);
            let mut chars = folded.chars();
            if let (Some(s), None) = (chars.next(), chars.next()) {
                if s != c && s.len_utf8() == c.len_utf8() {
                    table.insert(c, s);
                }
            }
        }
    }
    table
});

/// Which characters of the Basic Multilingual Plane are in [`TABLE`], one bit each: most
/// characters of a text are not, and are told so without a hash.
static TRADITIONAL: LazyLock<Box<[u64]>> = LazyLock::new(|| {
    let mut bits = vec![0u64; 0x10000 / 64];
    for c in TABLE.keys() {
        let n = *c as usize;
        bits[n / 64] |= 1 << (n % 64);
    }
    bits.into_boxed_slice()
});

/// `c` as simplified Chinese (itself when it is not a traditional character).
#[inline]
pub fn simplified(c: char) -> char {
    let n = c as usize;
    if n < BLOCKS[0].0 as usize || n >= 0x10000 || TRADITIONAL[n / 64] & (1 << (n % 64)) == 0 {
        return c;
    }
    TABLE.get(&c).copied().unwrap_or(c)
}

/// `text` with its traditional characters folded to simplified ones; borrowed when it has none.
/// The result has the same length in bytes, character for character.
pub fn fold(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    let Some(first) = text.char_indices().find(|&(_, c)| simplified(c) != c).map(|(i, _)| i) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..first]);
    out.extend(text[first..].chars().map(simplified));
    Cow::Owned(out)
}

/// Every (traditional, simplified) pair whose simplified character `keep` accepts, sorted:
/// what the search page needs to fold a query as the index was folded.
pub fn pairs(mut keep: impl FnMut(char) -> bool) -> Vec<(char, char)> {
    let mut out: Vec<(char, char)> = TABLE.iter().filter(|(_, s)| keep(**s)).map(|(t, s)| (*t, *s)).collect();
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_text_folds_to_simplified_with_the_same_offsets() {
        for (traditional, simple) in [("紅牆意識", "红墙意识"), ("黨建聯盟", "党建联盟"), ("形式主義", "形式主义")]
        {
            assert_eq!(fold(traditional), simple);
            assert_eq!(fold(traditional).len(), traditional.len());
        }
        assert!(matches!(fold("党建 party building"), Cow::Borrowed(_)));
        assert_eq!(fold("A紅b"), "A红b");
        assert!(pairs(|s| s == '红').contains(&('紅', '红')));
    }
}
