//! Analysis: the one text analysis of casebook, like tantivy's `tokenizer/`, one concept per file.
//!
//! Chinese and English go through one analyzer, registered as [`ANALYZER`]:
//! jieba in search mode (tantivy-jieba 0.21's `JiebaTokenizer::new()`: search mode on, HMM on
//! for words missing from the dictionary; search mode also emits the dictionary words inside a
//! longer word, so 北京大学 yields 北京, 大学 and 北京大学, and a hyphenated word its parts and
//! the whole) → drop tokens that hold no letter or digit (jieba emits spaces and punctuation as
//! tokens) → drop tokens of 40 bytes or more → lower-case → English Snowball stemming.
//!
//! - [`words`]: the tokenizer (jieba run by run, remembering the cut of short runs; token
//!   positions count the letters and digits before a token, so a phrase matches whatever
//!   spaces, hyphens or punctuation separate its words, and a Chinese word inside a longer one
//!   keeps its place: 长安街 is found in 西长安街);
//! - [`place_stem`]: Chinese place names are also indexed without their suffix (市, 社区…);
//! - [`fold`]: lower-casing and stemming (tantivy's `LowerCaser` and `Stemmer` with a shortcut:
//!   the stemmer only runs on tokens holding an ASCII letter, and remembers its answers);
//! - [`memo`]: the index writer's memo of short texts (a term's names, analyzed once);
//! - [`han`]: which characters count as Han, for each rule that asks;
//! - [`script`]: traditional characters folded to simplified ones (before jieba cuts);
//! - [`stop`]: the stop words a query may hold without meaning them;
//! - [`fxhash`]: the one fast hasher of the caches.
//!
//! [`analyzer`], [`tokens`] and [`analyze`] hand this analysis to every user — the CLI, the
//! server, the browser index and `tags --suggest` — so all of them cut text the same way. This
//! module knows nothing of the index, the library or the disk.

pub mod fold;
pub mod fxhash;
pub mod han;
pub mod memo;
pub mod place_stem;
pub mod script;
pub mod stop;
pub mod words;

use fold::Fold;
use memo::Memo;
use std::cell::RefCell;
use std::sync::LazyLock;
use tantivy::tokenizer::{RemoveLongFilter, TextAnalyzer, Token, TokenStream, Tokenizer};
use words::Words;

/// The name the analyzer is registered under in every index.
pub const ANALYZER: &str = "casebook";
/// Tokens of this many bytes or more are dropped (about 13 Chinese characters, 40 letters).
const MAX_TOKEN_BYTES: usize = 40;

fn builder() -> tantivy::tokenizer::TextAnalyzerBuilder<impl Tokenizer> {
    TextAnalyzer::builder(Words::new()).filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES)).filter(Fold)
}

static BASE: LazyLock<TextAnalyzer> = LazyLock::new(|| builder().build());

/// The analyzer the index writer uses: the same analysis, short texts memoized (see [`Memo`]).
pub fn indexing_analyzer() -> TextAnalyzer {
    builder().filter(Memo).build()
}

thread_local! {
    static LOCAL: RefCell<TextAnalyzer> = RefCell::new(analyzer());
}

/// The analyzer for Chinese and English text. Cloning is cheap: jieba's dictionary is loaded
/// once per process, on first use.
pub fn analyzer() -> TextAnalyzer {
    BASE.clone()
}

/// Loads what the analysis needs once per process (jieba's dictionary, the character table).
pub fn warm_up() {
    let _ = tokens("组织力 warm-up");
}

/// The tokens of `text`, in order, as the index sees them.
pub fn tokens(text: &str) -> Vec<String> {
    LOCAL.with(|a| {
        let mut a = a.borrow_mut();
        let mut out = Vec::new();
        let mut stream = a.token_stream(text);
        while let Some(t) = stream.next() {
            out.push(t.text.clone());
        }
        out
    })
}

/// A token with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analyzed {
    /// The token as indexed.
    pub text: String,
    /// Letters and digits before the token: two tokens are a phrase when their positions
    /// differ by the first one's length in letters and digits.
    pub position: usize,
    /// Byte range in the analyzed text (always on character boundaries).
    pub range: std::ops::Range<usize>,
}

/// The tokens of `text` with their positions and byte ranges.
pub fn analyze(text: &str) -> Vec<Analyzed> {
    analyze_tokens(text)
        .into_iter()
        .map(|t| Analyzed { text: t.text, position: t.position, range: t.offset_from..t.offset_to })
        .collect()
}

/// The tokens of `text` as tantivy sees them (this thread's analyzer).
fn analyze_tokens(text: &str) -> Vec<Token> {
    LOCAL.with(|a| {
        let mut a = a.borrow_mut();
        let mut out = Vec::new();
        let mut stream = a.token_stream(text);
        while let Some(t) = stream.next() {
            out.push(t.clone());
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_search_mode_and_english_stems() {
        assert_eq!(tokens("形式主义"), ["形式", "主义", "形式主义"]);
        // Hyphenated words give their parts and the whole (jieba's search mode).
        assert_eq!(
            tokens("Party building  alliances, RED-wall!"),
            ["parti", "build", "allianc", "red", "wall", "red-wal"]
        );
        assert!(tokens("北京市西城区").contains(&"西城区".to_string()));
        assert!(tokens("，。 ！“”").is_empty());
    }

    #[test]
    fn positions_ignore_spaces_and_punctuation() {
        let positions = |text: &str| {
            let mut a = analyzer();
            let mut s = a.token_stream(text);
            let mut out = Vec::new();
            while let Some(t) = s.next() {
                out.push((t.text.clone(), t.position));
            }
            out
        };
        let a = positions("party building");
        for other in ["party ,\n  building", "party-building", "Party–Building"] {
            let b = positions(other);
            let b: Vec<(String, usize)> = b.into_iter().filter(|(t, _)| a.iter().any(|x| &x.0 == t)).collect();
            assert_eq!(a, b, "{other}");
        }
        // A word inside a longer word sits at the same place as in the longer word.
        let long = positions("西长安街街道");
        let p = |w: &str| long.iter().find(|x| x.0 == w).unwrap().1;
        assert_eq!(p("长安街"), p("长安"));
    }

    #[test]
    fn offsets_are_char_boundaries() {
        let text = "“红墙意识”is red-wall consciousness，党建联盟";
        for t in analyze(text) {
            assert!(text.is_char_boundary(t.range.start) && text.is_char_boundary(t.range.end));
            assert_eq!(text[t.range.clone()].to_lowercase().chars().next(), t.text.chars().next());
        }
    }
}
