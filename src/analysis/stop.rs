//! Stop words: the question words, particles and function words of English and Chinese
//! (NLTK's lists, from the `stop-words` crate), which a query may hold without meaning them
//! as search words: "our", "is", 怎么办, 如何, 我们.
//!
//! They stay in the index (a phrase, or a library about 安全, still finds them). A query
//! treats them as optional: they add to a case's score where they occur but never narrow the
//! result nor count as "not found" — unless the query holds nothing else, when they are
//! searched as ordinary words. `casebook search`, `/api/search` and the search page (which gets
//! the list as data, [`list`]) read them the same way.

use std::collections::HashSet;
use std::sync::LazyLock;

static WORDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let lists = ["en", "zh"].into_iter().filter_map(stop_words::lookup);
    lists.flatten().map(|w| super::script::fold(&w.to_lowercase()).into_owned()).collect()
});

/// Whether `word` (a word as typed: an English word, or a Chinese word as cut) is a stop word.
pub fn is_stop(word: &str) -> bool {
    if word.bytes().any(|b| b.is_ascii_uppercase()) {
        return WORDS.contains(&word.to_ascii_lowercase());
    }
    WORDS.contains(word)
}

/// Every stop word, sorted (none holds white space: the search page gets them joined by spaces).
pub fn list() -> Vec<&'static str> {
    let mut out: Vec<&str> = WORDS.iter().map(String::as_str).collect();
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_stop_word_holds_white_space() {
        assert!(list().iter().all(|w| !w.is_empty() && !w.contains(char::is_whitespace)));
    }

    #[test]
    fn question_words_of_both_languages_are_stop_words() {
        for w in ["怎么办", "如何", "我们", "的", "吗", "什么", "our", "is", "How", "what", "we"] {
            assert!(is_stop(w), "{w}");
        }
        for w in ["党建", "formalism", "community", "红墙意识"] {
            assert!(!is_stop(w), "{w}");
        }
    }
}
