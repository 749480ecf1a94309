//! Surfaces: the English words of the library whose token is another word (`services` →
//! `servic`), which the browser, having no stemmer, looks a typed word up in, and which
//! every front end compares a misspelt word with (`formalsim` is one letter pair away from
//! `formalism`, not from its token `formal`). Written beside the index as [`SURFACES_FILE`].

use crate::analysis::fxhash::{FxBuildHasher, FxHasher};
use crate::error::{Error, Result};
use crate::index::term_text;
use crate::model::Library;
use rayon::prelude::*;

/// Every English word of the library (a run of ASCII letters and digits, lower-cased) whose
/// token is another word, with that token: what the browser looks a typed word up in, since it
/// has no stemmer. The token is what the analysis makes of the word alone, as it does of a word
/// typed into `casebook search`.
pub fn surfaces(lib: &Library) -> Vec<(String, String)> {
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

/// The surfaces file beside the index: one `word<TAB>token` line per surface, sorted.
pub const SURFACES_FILE: &str = "surfaces.txt";

/// Writes `surfaces` into the index folder `dir`, atomically.
pub fn write_surfaces(dir: &std::path::Path, surfaces: &[(String, String)]) -> Result<()> {
    let mut text = String::with_capacity(surfaces.len() * 16);
    for (word, token) in surfaces {
        text.push_str(word);
        text.push('\t');
        text.push_str(token);
        text.push('\n');
    }
    crate::write::write_atomic(&dir.join(SURFACES_FILE), text.as_bytes())
}

/// Reads the surfaces file of the index folder `dir` (sorted by word).
pub fn read_surfaces(dir: &std::path::Path) -> Result<Vec<(String, String)>> {
    let path = dir.join(SURFACES_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
    Ok(text.lines().filter_map(|line| line.split_once('\t')).map(|(w, t)| (w.to_string(), t.to_string())).collect())
}
