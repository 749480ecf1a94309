//! The index writer's memo: short texts (a term's names, repeated in every case tagged with
//! it) are analyzed once; long texts (bodies) go straight through.

use super::fxhash::FxBuildHasher;
use std::collections::HashMap;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Memoizes the analysis of short texts for the index writer, so that a term's names (in
/// `tagtext` of every case tagged with it) are analyzed once, not once per case. Long texts
/// (bodies) go straight through.
#[derive(Clone)]
pub struct Memo;

/// Texts this long or longer are bodies (analyzed as they come); shorter ones are memoized.
const LONG_TEXT: usize = 512;
/// Short texts memoized at most (then the memo starts afresh).
const MEMO_MAX: usize = 2048;

/// Analyzed text: tokens whose texts are concatenated in `words` (no allocation per token).
#[derive(Clone, Default)]
pub struct Analysis {
    tokens: Vec<Remembered>,
    words: String,
}

#[derive(Clone, Copy)]
pub struct Remembered {
    word: (usize, usize),
    offsets: (usize, usize),
    position: usize,
    position_length: usize,
}

impl Analysis {
    fn of<T: Tokenizer>(inner: &mut T, text: &str) -> Analysis {
        let mut into = Analysis::default();
        let mut stream = inner.token_stream(text);
        while let Some(t) = stream.next() {
            let from = into.words.len();
            into.words.push_str(&t.text);
            into.tokens.push(Remembered {
                word: (from, into.words.len()),
                offsets: (t.offset_from, t.offset_to),
                position: t.position,
                position_length: t.position_length,
            });
        }
        into
    }
}

#[derive(Clone)]
pub struct MemoTokenizer<T> {
    inner: T,
    memo: HashMap<String, Analysis, FxBuildHasher>,
}

pub enum MemoStream<'a, S> {
    /// A long text, analyzed as it is read.
    Live(S),
    /// A short text, from memory.
    Replay { tokens: &'a [Remembered], words: &'a str, next: usize, current: Token },
}

impl TokenFilter for Memo {
    type Tokenizer<T: Tokenizer> = MemoTokenizer<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> MemoTokenizer<T> {
        MemoTokenizer { inner, memo: HashMap::default() }
    }
}

impl<T: Tokenizer> Tokenizer for MemoTokenizer<T> {
    type TokenStream<'a> = MemoStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        if text.len() >= LONG_TEXT {
            return MemoStream::Live(self.inner.token_stream(text));
        }
        if !self.memo.contains_key(text) {
            if self.memo.len() >= MEMO_MAX {
                self.memo.clear();
            }
            let analysis = Analysis::of(&mut self.inner, text);
            self.memo.insert(text.to_string(), analysis);
        }
        let analysis = &self.memo[text];
        MemoStream::Replay { tokens: &analysis.tokens, words: &analysis.words, next: 0, current: Token::default() }
    }
}

impl<S: TokenStream> TokenStream for MemoStream<'_, S> {
    fn advance(&mut self) -> bool {
        match self {
            MemoStream::Live(stream) => stream.advance(),
            MemoStream::Replay { tokens, words, next, current } => {
                let Some(t) = tokens.get(*next) else { return false };
                *next += 1;
                current.text.clear();
                current.text.push_str(&words[t.word.0..t.word.1]);
                current.offset_from = t.offsets.0;
                current.offset_to = t.offsets.1;
                current.position = t.position;
                current.position_length = t.position_length;
                true
            }
        }
    }

    fn token(&self) -> &Token {
        match self {
            MemoStream::Live(stream) => stream.token(),
            MemoStream::Replay { current, .. } => current,
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        match self {
            MemoStream::Live(stream) => stream.token_mut(),
            MemoStream::Replay { current, .. } => current,
        }
    }
}
