//! Surfaces: the English words of the library whose token is another word (`services` →
//! `servic`), which the browser, having no stemmer, looks a typed word up in.

use crate::analysis::fxhash::{FxBuildHasher, FxHasher};
use crate::index::term_text;
use crate::model::Library;
use rayon::prelude::*;

/// Every English word of the library (a run of ASCII letters and digits, lower-cased) whose
/// token is another word, with that token: what the browser looks a typed word up in, since it
/// has no stemmer. The token is what the analysis makes of the word alone, as it does of a word
/// typed into `casebook search`.
pub(crate) fn surfaces(lib: &Library) -> Vec<(String, String)> {
    /// Distinct words, lower-cased; a word is known by its hash (64 bits: collisions, which
    /// would only lose a word, are not worth a string comparison per word of the library).
    #[derive(Default)]
    struct Words {
        seen: std::collections::HashSet<u64, FxBuildHasher>,
        list: Vec<String>,
    }
    fn words(text: &str, into: &mut Words) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if !bytes[i].is_ascii_alphanumeric() {
                i += 1;
                continue;
            }
            let start = i;
            let mut letter = false;
            let mut hash = FxHasher::default();
            while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                letter |= bytes[i].is_ascii_alphabetic();
                std::hash::Hasher::write_u8(&mut hash, bytes[i].to_ascii_lowercase());
                i += 1;
            }
            if letter && into.seen.insert(std::hash::Hasher::finish(&hash)) {
                into.list.push(text[start..i].to_ascii_lowercase());
            }
        }
    }
    let mut seen: Words = lib
        .cases
        .par_iter()
        .fold(Words::default, |mut set, c| {
            words(&c.text, &mut set);
            set
        })
        .reduce(Words::default, |mut a, b| {
            a.list.extend(b.list);
            a
        });
    for (v, vocab) in lib.taxonomy.vocabularies.iter().enumerate() {
        for t in 0..vocab.terms.len() {
            words(&term_text(lib, v, t), &mut seen);
        }
    }
    let mut words = seen.list;
    words.par_sort_unstable();
    words.dedup();
    words
        .into_par_iter()
        .filter_map(|w| {
            let tokens = crate::analysis::tokens(&w);
            match tokens.as_slice() {
                [t] if *t != w => Some((w, t.clone())),
                _ => None,
            }
        })
        .collect()
}
