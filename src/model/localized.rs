//! A text the library gives in English and, optionally, in Chinese: the one place that decides
//! which of the two a page in the UI language shows, and which one it shows beside it.

use crate::config::Language;

/// An English text with its optional Chinese form (a title, a label, a summary, a definition).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Localized<'a> {
    pub en: &'a str,
    pub zh: Option<&'a str>,
}

impl<'a> Localized<'a> {
    pub fn new(en: &'a str, zh: Option<&'a str>) -> Self {
        Localized { en, zh }
    }

    /// The text in `lang`, or English where there is no Chinese.
    pub fn pick(self, lang: Language) -> &'a str {
        self.names(lang).0
    }

    /// The text in `lang` first, and the other language's text beside it when there is one.
    pub fn names(self, lang: Language) -> (&'a str, Option<&'a str>) {
        match (lang, self.zh) {
            (Language::ZhCn, Some(zh)) => (zh, Some(self.en)),
            (Language::En, Some(zh)) => (self.en, Some(zh)),
            (_, None) => (self.en, None),
        }
    }

    /// The other language's text, shown beside the one in `lang`, if there is one.
    pub fn other(self, lang: Language) -> Option<&'a str> {
        self.names(lang).1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_pages_show_chinese_first_and_english_beside_it() {
        let both = Localized::new("Red wall", Some("红墙"));
        assert_eq!(both.names(Language::ZhCn), ("红墙", Some("Red wall")));
        assert_eq!(both.names(Language::En), ("Red wall", Some("红墙")));
        assert_eq!(both.pick(Language::ZhCn), "红墙");
        assert_eq!(both.other(Language::En), Some("红墙"));
    }

    #[test]
    fn english_stands_in_where_there_is_no_chinese() {
        let en = Localized::new("Red wall", None);
        assert_eq!(en.names(Language::ZhCn), ("Red wall", None));
        assert_eq!(en.pick(Language::En), "Red wall");
        assert_eq!(en.other(Language::ZhCn), None);
    }
}
