//! Lower-casing and English stemming: tantivy's `LowerCaser` and `Stemmer`, except that the
//! stemmer only runs on tokens holding an ASCII letter (it leaves other tokens unchanged
//! anyway) and remembers its answers, which makes the analysis of a Chinese-English library
//! much faster.

use super::fxhash::FxBuildHasher;
use super::han;
use std::collections::HashMap;
use tantivy::tokenizer::{Language, RawTokenizer, Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer};

/// How many stems each analyzer remembers.
const STEM_CACHE: usize = 50_000;

/// Lower-casing and English stemming (see the module doc).
#[derive(Clone)]
pub struct Fold;

#[derive(Clone)]
pub struct FoldTokenizer<T> {
    inner: T,
    stemmer: TextAnalyzer,
    cache: StemCache,
}

type StemCache = HashMap<String, String, FxBuildHasher>;

pub struct FoldStream<'a, T> {
    tail: T,
    stemmer: &'a mut TextAnalyzer,
    cache: &'a mut StemCache,
}

impl TokenFilter for Fold {
    type Tokenizer<T: Tokenizer> = FoldTokenizer<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> FoldTokenizer<T> {
        let stemmer = TextAnalyzer::builder(RawTokenizer::default()).filter(Stemmer::new(Language::English)).build();
        FoldTokenizer { inner, stemmer, cache: StemCache::default() }
    }
}

impl<T: Tokenizer> Tokenizer for FoldTokenizer<T> {
    type TokenStream<'a> = FoldStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        FoldStream { tail: self.inner.token_stream(text), stemmer: &mut self.stemmer, cache: &mut self.cache }
    }
}

impl<T: TokenStream> TokenStream for FoldStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if token.text.is_ascii() {
            token.text.make_ascii_lowercase();
        } else if token.text.chars().any(|c| !han::is_caseless_cjk(c) && c.is_uppercase()) {
            token.text = token.text.to_lowercase();
        }
        if token.text.bytes().any(|b| b.is_ascii_alphabetic()) {
            if let Some(stem) = self.cache.get(&token.text) {
                token.text.clone_from(stem);
            } else {
                let stem = self.stemmer.token_stream(&token.text).next().map(|t| t.text.clone());
                if let Some(stem) = stem {
                    if self.cache.len() < STEM_CACHE {
                        self.cache.insert(token.text.clone(), stem.clone());
                    }
                    token.text = stem;
                }
            }
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}
