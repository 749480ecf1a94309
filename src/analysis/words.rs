//! The tokenizer: jieba, cut run by run with the cut of short runs remembered, keeping only
//! tokens with a letter or digit, positions counting letters and digits (and a place-name stem
//! after its word, see [`super::place_stem`]).

use super::fxhash::FxBuildHasher;
use super::han;
use super::place_stem::place_stem;
use std::collections::HashMap;
use std::sync::LazyLock;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// jieba, keeping only tokens with a letter or digit; positions count letters and digits.
#[derive(Clone)]
pub(crate) struct Words {
    jieba: tantivy_jieba::JiebaTokenizer,
    /// Scratch for [`WordStream::before`].
    before: Vec<u32>,
    /// Scratch for [`WordStream::cuts`].
    cuts: Vec<(u32, u32)>,
    /// jieba's cut of the short runs seen so far (see [`Words::cut`]).
    runs: RunCuts,
    /// The text with its traditional characters folded ([`super::script`]), when it has any.
    folded: String,
}

/// A run of jieba's word characters ([`is_run_char`]: a clause of Chinese, an English word, a
/// number) → jieba's tokens in it, as byte ranges of the run.
type RunCuts = HashMap<Box<str>, Box<[(u8, u8)]>, FxBuildHasher>;
/// Runs longer than this (in bytes: 32 Chinese characters) are cut afresh every time.
const RUN_MAX: usize = 96;
/// Runs remembered at most, per analyzer (about 10 MB).
const RUN_CUTS_MAX: usize = 150_000;

/// The characters jieba cuts into words, a maximal run of them at a time (jieba-rs's
/// `is_han_default`): its Han characters ([`han::is_jieba_han`]), ASCII letters and digits, and
/// `+#&._%-`. Every other character jieba hands out on its own.
#[inline]
fn is_run_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || matches!(c, '+' | '#' | '&' | '.' | '_' | '%' | '-')
    } else {
        han::is_jieba_han(c)
    }
}

impl Words {
    pub(crate) fn new() -> Words {
        Words {
            jieba: tantivy_jieba::JiebaTokenizer::new(),
            before: Vec::new(),
            cuts: Vec::new(),
            runs: RunCuts::default(),
            folded: String::new(),
        }
    }

    /// Fills `cuts` with jieba's tokens of `text` that hold a letter or digit, as byte ranges,
    /// in jieba's order, and `before` with the letters and digits before each character.
    ///
    /// jieba cuts each maximal run of [`is_run_char`] characters on its own — a clause of
    /// Chinese between punctuation, an English word, a number — whatever surrounds it, and
    /// hands out every other character as a token of its own. So the text is cut run by run
    /// with the same result, and a short run is cut once and then recalled: English words, and
    /// the short clauses and set phrases Chinese text repeats (形式主义, 红墙意识, 党建联盟…),
    /// which come back often. (A test compares this with jieba on whole texts.)
    fn cut(&mut self, text: &str) {
        let Words { jieba, before, cuts, runs, .. } = self;
        cuts.clear();
        before.clear();
        before.resize(text.len() + 1, 0);
        let bytes = text.as_bytes();
        // Letters and digits so far; where the current run started.
        let (mut count, mut run) = (0, None);
        let mut i = 0;
        while i < bytes.len() {
            let (c, len) = decode(bytes, i);
            before[i] = count;
            let word = is_word_char(c);
            count += u32::from(word);
            if is_run_char(c) {
                run.get_or_insert(i);
            } else {
                if let Some(start) = run.take() {
                    cut_run(jieba, runs, cuts, text, start..i);
                }
                // A token of its own; one without a letter or digit is dropped anyway.
                if word {
                    cuts.push((i as u32, (i + len) as u32));
                }
            }
            i += len;
        }
        before[text.len()] = count;
        if let Some(start) = run {
            cut_run(jieba, runs, cuts, text, start..text.len());
        }
    }
}

/// The character at byte `i` of valid UTF-8 and its length in bytes (a hand-written decoder:
/// the analysis decodes every character of the library).
#[inline]
fn decode(bytes: &[u8], i: usize) -> (char, usize) {
    let b = u32::from(bytes[i]);
    let cont = |k: usize| u32::from(bytes[i + k] & 0x3F);
    let (c, len) = match b {
        0..0x80 => return (b as u8 as char, 1),
        0x80..0xE0 => ((b & 0x1F) << 6 | cont(1), 2),
        0xE0..0xF0 => ((b & 0x0F) << 12 | cont(1) << 6 | cont(2), 3),
        _ => ((b & 0x07) << 18 | cont(1) << 12 | cont(2) << 6 | cont(3), 4),
    };
    (char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER), len)
}

/// Appends jieba's tokens of the run `text[range]` that hold a letter or digit to `cuts`,
/// recalled from `runs` or cut and remembered there (see [`Words::cut`]).
fn cut_run(
    jieba: &mut tantivy_jieba::JiebaTokenizer,
    runs: &mut RunCuts,
    cuts: &mut Vec<(u32, u32)>,
    text: &str,
    range: std::ops::Range<usize>,
) {
    let (start, run) = (range.start, &text[range]);
    if let Some(known) = runs.get(run) {
        cuts.extend(known.iter().map(|&(a, b)| ((start + a as usize) as u32, (start + b as usize) as u32)));
        return;
    }
    let first = cuts.len();
    let mut stream = jieba.token_stream(run);
    while stream.advance() {
        let t = stream.token();
        if run[t.offset_from..t.offset_to].chars().any(is_word_char) {
            cuts.push(((start + t.offset_from) as u32, (start + t.offset_to) as u32));
        }
    }
    if run.len() <= RUN_MAX && runs.len() < RUN_CUTS_MAX {
        let relative = cuts[first..].iter().map(|&(a, b)| ((a as usize - start) as u8, (b as usize - start) as u8));
        runs.insert(run.into(), relative.collect());
    }
}

pub(crate) struct WordStream<'a> {
    text: &'a str,
    /// `before[i]`: the letters and digits in `text[..i]`, for every character boundary `i`
    /// (other entries are unspecified).
    before: &'a [u32],
    /// jieba's tokens, as byte ranges of `text`, and the next one to hand out.
    cuts: &'a [(u32, u32)],
    next: usize,
    /// The token handed out (jieba's, or a place-name stem of it).
    current: Token,
    /// A place-name stem still to hand out after its word.
    stem: Option<Token>,
}

impl Tokenizer for Words {
    type TokenStream<'a> = WordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        // Traditional characters are cut and indexed as simplified ones; the folded text has
        // the same byte offsets, so tokens still point into `text`.
        let folded = match super::script::fold(text) {
            std::borrow::Cow::Owned(folded) => Some(folded),
            std::borrow::Cow::Borrowed(_) => None,
        };
        let owned = folded.is_some();
        if let Some(folded) = folded {
            self.folded = folded;
            let scratch = std::mem::take(&mut self.folded);
            self.cut(&scratch);
            self.folded = scratch;
        } else {
            self.cut(text);
        }
        let Words { before, cuts, folded, .. } = self;
        let text = if owned { folded.as_str() } else { text };
        WordStream { text, before, cuts, next: 0, current: Token::default(), stem: None }
    }
}

/// Which characters of the Basic Multilingual Plane are letters or digits, one bit each.
static BMP_WORD_CHARS: LazyLock<Box<[u64]>> = LazyLock::new(|| {
    let mut bits = vec![0u64; 0x10000 / 64];
    for c in (0..0x10000).filter_map(char::from_u32).filter(|c| c.is_alphanumeric()) {
        bits[c as usize / 64] |= 1 << (c as usize % 64);
    }
    bits.into_boxed_slice()
});

/// A letter or digit: `char::is_alphanumeric`, looked up in a table for the BMP (Chinese
/// punctuation is otherwise the slow case of the Unicode tables).
#[inline]
pub fn is_word_char(c: char) -> bool {
    let n = c as usize;
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if n < 0x10000 {
        BMP_WORD_CHARS[n / 64] & (1 << (n % 64)) != 0
    } else {
        c.is_alphanumeric()
    }
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        if let Some(stem) = self.stem.take() {
            self.current = stem;
            return true;
        }
        while let Some(&(from, to)) = self.cuts.get(self.next) {
            self.next += 1;
            let (from, to) = (from as usize, to as usize);
            // Position = letters and digits before the token, whatever jieba emitted between
            // (it does not emit the hyphen of "party-building").
            let (before, length) = (self.before[from] as usize, (self.before[to] - self.before[from]) as usize);
            if length == 0 {
                continue;
            }
            let token = &mut self.current;
            token.text.clear();
            token.text.push_str(&self.text[from..to]);
            token.offset_from = from;
            token.offset_to = to;
            token.position = before;
            token.position_length = length;
            if let Some(stem) = place_stem(&token.text) {
                let mut t = token.clone();
                t.text = stem.to_string();
                t.offset_to = t.offset_from + stem.len();
                t.position_length = stem.chars().count();
                self.stem = Some(t);
            }
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::path::Path;

    #[test]
    fn word_chars_are_unicode_letters_and_digits() {
        let chars = (0..0x11000).filter_map(char::from_u32);
        let differ: Vec<char> = chars.filter(|&c| is_word_char(c) != c.is_alphanumeric()).collect();
        assert!(differ.is_empty(), "{differ:?}");
        assert!(
            is_word_char('党')
                && is_word_char('〇')
                && is_word_char('Ａ')
                && !is_word_char('，')
                && !is_word_char('。')
        );
    }

    #[test]
    fn cutting_run_by_run_and_recalling_short_runs_is_jiebas_cut() {
        // jieba's tokens of the whole text that hold a letter or digit.
        let jieba = |text: &str| {
            let mut tokenizer = tantivy_jieba::JiebaTokenizer::new();
            let mut stream = tokenizer.token_stream(text);
            let mut out = Vec::new();
            while stream.advance() {
                let t = stream.token();
                if text[t.offset_from..t.offset_to].chars().any(char::is_alphanumeric) {
                    out.push((t.offset_from as u32, t.offset_to as u32));
                }
            }
            out
        };
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts: Vec<String> = walkdir::WalkDir::new(root.join("cases"))
            .into_iter()
            .map(|e| e.unwrap().into_path())
            .filter(|p| p.is_file())
            .map(|p| fs::read_to_string(p).unwrap())
            .collect();
        assert!(texts.len() > 5);
        texts.extend(
            [
                "",
                "   ",
                "C++ and C# at 3.5% of WES-5.4.5, e.g. U.S. party-building\r\nline\ttab ... +#& -- 5",
                "Xingfu Street（幸福街道）: 54支队伍, T恤 and B超; café Ünïcödé ｆｕｌｌ ５４ 한국어 かな 🎉 〇 𠀀𠀁",
                "党建+项目 模式，“要我做”变为“我要做” party_member#1&2 done.党员志愿者组建110支社区队伍。",
                "北京大学生前来应聘，中华人民共和国成立了；他来到了网易杭研大厦",
                &format!("{} 党建 {}", "社区".repeat(RUN_MAX / 6), "党员".repeat(RUN_MAX / 6 + 1)),
                &format!("{} {}", "x".repeat(RUN_MAX), "y".repeat(RUN_MAX + 1)),
            ]
            .map(String::from),
        );
        let mut words = Words::new();
        // Twice over: the second time, the short runs come from memory.
        for _ in 0..2 {
            for text in &texts {
                words.cut(text);
                assert_eq!(words.cuts, jieba(text), "{text}");
            }
        }
        for run in ["party-building", "e.g.", "红墙意识", "党建联盟"] {
            assert!(words.runs.contains_key(run), "{run}");
        }
        assert!(words.runs.keys().all(|k| k.len() <= RUN_MAX && k.chars().all(is_run_char)));
        assert!(!words.runs.contains_key("党员".repeat(RUN_MAX / 6 + 1).as_str()));

        // Random mixes of every kind of character jieba tells apart, each text cut twice; the
        // letters and digits before each character are counted on the way.
        let pieces = [
            "党",
            "建",
            "社区",
            "联盟",
            "北京大学",
            "红墙",
            "意识",
            "𠀀",
            "㐀",
            "丽",
            "a",
            "Z",
            "9",
            "x1",
            "C++",
            "+",
            "#",
            "&",
            ".",
            "_",
            "%",
            "-",
            " ",
            "\t",
            "\r\n",
            "\n",
            "，",
            "。",
            "“",
            "”",
            "（",
            "é",
            "Ａ",
            "５",
            "한",
            "か",
            "🎉",
            "\u{E000}",
            "\u{3000}",
            "'",
            "/",
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for _ in 0..2000 {
            let len = next(40);
            let text: String = (0..len).map(|_| pieces[next(pieces.len())]).collect();
            for _ in 0..2 {
                words.cut(&text);
                assert_eq!(words.cuts, jieba(&text), "{text:?}");
                for (i, _) in text.char_indices().chain([(text.len(), ' ')]) {
                    assert_eq!(
                        words.before[i] as usize,
                        text[..i].chars().filter(|c| c.is_alphanumeric()).count(),
                        "{text:?} at {i}"
                    );
                }
            }
        }
    }
}
