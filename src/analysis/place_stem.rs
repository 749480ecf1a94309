//! Place-name stems: a Chinese place or unit name is also indexed without its suffix.

use super::han;

/// Suffixes of Chinese place and unit names. A word that ends with one is also indexed
/// without it, at the same position, so 乌鲁木齐 finds 乌鲁木齐市 and 天湖 finds 天湖社区
/// (jieba's search mode only adds sub-words of two and three characters).
pub const PLACE_SUFFIXES: &[&str] = &["自治区", "街道", "社区", "市", "省", "区", "县", "镇", "乡", "村"];

/// The stem of a Chinese place name: `乌鲁木齐市` → `乌鲁木齐`; None when nothing would be left
/// but a single character, or when the word is not Chinese.
#[inline]
pub fn place_stem(word: &str) -> Option<&str> {
    if !word.chars().all(han::is_cjk_unified) {
        return None;
    }
    PLACE_SUFFIXES.iter().find_map(|suffix| word.strip_suffix(suffix)).filter(|stem| stem.chars().count() >= 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tokens;

    #[test]
    fn place_names_are_also_indexed_without_their_suffix() {
        assert_eq!(place_stem("乌鲁木齐市"), Some("乌鲁木齐"));
        assert_eq!(place_stem("天湖社区"), Some("天湖"));
        assert_eq!(place_stem("广西壮族自治区"), Some("广西壮族"));
        assert_eq!(place_stem("市区"), None);
        assert_eq!(place_stem("city"), None);
        let t = tokens("新疆乌鲁木齐市的社区");
        assert!(t.iter().any(|x| x == "乌鲁木齐"), "{t:?}");
        assert!(t.iter().any(|x| x == "乌鲁木齐市"), "{t:?}");
    }
}
