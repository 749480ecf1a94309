//! Plans: a query in everyday words ("our members' ideological awareness is weak",
//! 基层党建工作流于形式怎么办) turned into the units a case may hold, before any of it is
//! looked up. The same rules run in the search page (`assets/search/plan.js`), which gets
//! what it needs as data from the build.
//!
//! 1. **Words.** The text is folded (traditional characters to simplified, lower case) and cut
//!    into words: each run of Latin letters and digits is a word, each run of Han characters
//!    is cut by jieba (its default mode, as the index's words are).
//! 2. **Stop words** ([`crate::analysis::stop`]) are optional: they add to a case's score but
//!    never narrow the result, unless the query holds nothing else.
//! 3. **Keys.** A word's key is what it is matched on against the taxonomy's names: an English
//!    word's token (its stem), a Chinese word itself.
//! 4. **Terms named.** A taxonomy term is named by the query when the query holds every key
//!    of one of its names, or at least two of them and at least half ([`names_term`]). The
//!    words a named term covers become one unit, held by a case that holds any of them, any
//!    one-word name of the term (形式主义 for 流于形式), or is tagged with the term (which adds
//!    [`TAG_BOOST`] to its score). The term that covers most keys is the answer card.
//! 5. Every other word is a unit of its own.
//!
//! How units are looked up (exact words, completions of the last word, misspellings) is the
//! searcher's part ([`super::lookup`]); how cases are ranked, [`super::rank`].

use crate::analysis::han::is_han;
use crate::analysis::words::is_word_char;
use crate::analysis::{script, stop};
use std::cell::RefCell;
use tantivy::tokenizer::{TokenStream, Tokenizer};

/// Score a case gets for being tagged with a term the query named: about that of a word the
/// case holds in its summary.
pub const TAG_BOOST: f32 = 2.0;
/// A misspelt word's replacements weigh this much of an exact word: they rank below it.
pub const TYPO_WEIGHT: f32 = 0.5;
/// An unfinished last word stands for at most this many words of the library (most cases first).
pub const PREFIX_TOKENS: usize = 4;

/// One word of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word folded: lower case, simplified characters.
    pub text: String,
    /// What it is matched on against the taxonomy's names (see the module doc).
    pub key: String,
    /// A run of Latin letters and digits (not Han).
    pub latin: bool,
    pub stop: bool,
}

/// Whether the query uses the query language (`OR`, `-word`, `+word`, `"a phrase"`, `(…)`,
/// `field:word`): such a query is read by tantivy's parser, every word required, as written.
pub fn is_expert(text: &str) -> bool {
    if text.contains(['"', '(', ')']) {
        return true;
    }
    text.split_whitespace().any(|w| {
        matches!(w, "OR" | "AND" | "NOT")
            || ((w.starts_with('-') || w.starts_with('+')) && w.chars().nth(1).is_some_and(is_word_char))
            || w.find(':').is_some_and(|at| at > 0 && w[..at].bytes().all(|b| b.is_ascii_alphabetic() || b == b'_'))
    })
}

thread_local! {
    static JIEBA: RefCell<tantivy_jieba::JiebaTokenizer> =
        RefCell::new(tantivy_jieba::JiebaTokenizer::with_search_mode(false));
}

/// The words of `text` (see the module doc), in order. Stop words are marked, unless every
/// word is one.
pub fn words(text: &str) -> Vec<Word> {
    let folded = script::fold(text).to_lowercase();
    let mut out = Vec::new();
    let mut rest = folded.as_str();
    while let Some(start) = rest.find(is_word_char) {
        rest = &rest[start..];
        let han = rest.chars().next().is_some_and(is_han);
        let end = rest.find(|c: char| !is_word_char(c) || is_han(c) != han).unwrap_or(rest.len());
        let run = &rest[..end];
        if han {
            JIEBA.with(|j| {
                let mut j = j.borrow_mut();
                let mut stream = j.token_stream(run);
                while let Some(t) = stream.next() {
                    if t.text.chars().any(is_word_char) {
                        out.push(word(&t.text, false));
                    }
                }
            });
        } else {
            out.push(word(run, true));
        }
        rest = &rest[end..];
    }
    if out.iter().all(|w| w.stop) {
        out.iter_mut().for_each(|w| w.stop = false);
    }
    out
}

fn word(text: &str, latin: bool) -> Word {
    let key = if latin { key_of(text) } else { text.to_string() };
    Word { text: text.to_string(), key, latin, stop: stop::is_stop(text) }
}

/// The key of an English word: its token, as the index has it.
pub fn key_of(word: &str) -> String {
    crate::analysis::tokens(word).into_iter().next().unwrap_or_else(|| word.to_string())
}

/// The keys of a name (label or alias) of a term: the keys of its words that are not stop
/// words, each once, in order.
pub fn name_keys(name: &str) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for w in words(name).into_iter().filter(|w| !w.stop) {
        if !keys.contains(&w.key) {
            keys.push(w.key);
        }
    }
    keys
}

/// Whether a name of `keys.len()` keys, `held` of which the query holds, is named by the query:
/// all of them, or at least two and at least half.
pub fn names_term(held: usize, keys: usize) -> bool {
    keys > 0 && (held == keys || (held >= 2 && 2 * held >= keys))
}

/// The OSA edit distance (a swap of two neighbours counts one) a misspelling of `word` may
/// have: none under 4 letters, 1 for 4–7 letters, 2 from 8.
pub fn typo_budget(word: &str) -> usize {
    match word.chars().count() {
        0..4 => 0,
        4..8 => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_becomes_its_words_with_stop_words_marked() {
        let w = words("我们社区党建工作流于形式怎么办");
        let texts: Vec<&str> = w.iter().map(|w| w.text.as_str()).collect();
        assert!(texts.contains(&"怎么办") && texts.contains(&"党建"), "{texts:?}");
        assert!(w.iter().find(|w| w.text == "怎么办").unwrap().stop);
        assert!(!w.iter().find(|w| w.text == "党建").unwrap().stop);
        let w = words("Our members' ideological awareness is WEAK");
        let content: Vec<&str> = w.iter().filter(|w| !w.stop).map(|w| w.key.as_str()).collect();
        assert_eq!(content, ["member", "ideolog", "awar", "weak"]);
        // Traditional characters are folded first.
        assert_eq!(words("紅牆意識")[0].text.chars().next(), Some('红'));
        // A query of stop words only searches them.
        assert!(words("how do we").iter().all(|w| !w.stop));
    }

    #[test]
    fn a_name_is_named_by_all_its_keys_or_two_and_half() {
        assert!(names_term(1, 1) && names_term(2, 4) && names_term(3, 4));
        assert!(!names_term(1, 2) && !names_term(2, 5) && !names_term(0, 0));
        assert_eq!(name_keys("Members' ideological awareness weak"), ["member", "ideolog", "awar", "weak"]);
    }

    #[test]
    fn expert_queries_are_told_apart() {
        for q in ["a OR b", "-x y", "\"a b\"", "(a)", "title:x", "+word"] {
            assert!(is_expert(q), "{q}");
        }
        for q in ["our members' awareness is weak", "基层党建 怎么办", "a-b c", "10:30"] {
            assert!(!is_expert(q), "{q}");
        }
        assert_eq!((typo_budget("abc"), typo_budget("guigan"), typo_budget("formalsim")), (0, 1, 2));
    }
}
