//! Shards: which dictionary file a token is in, and writing those files (`t/KEY.js`, with the
//! postings too big to sit in them in `p/N.js`).

use super::encoding::js;
use super::posting_list::Encoded;
use super::DIR;
use crate::error::Result;
use crate::write::Staging;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// How many leading ASCII letters or digits a shard name takes (search.js reads it from
/// `meta.js`'s `rules.shard_prefix`).
pub const SHARD_PREFIX: usize = 2;

/// Postings up to this long may sit in their shard file...
const INLINE_MAX: usize = 600;
/// ... as long as the shard's inline postings stay under this.
const SHARD_INLINE_BUDGET: usize = 12_000;

/// The shard of a token or of a lower-cased word (see the module doc; `shardOf` in search.js).
pub fn shard_of(token: &str) -> String {
    let head: String = token
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .take(SHARD_PREFIX)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    match token.chars().next() {
        None => "_".to_string(),
        Some(_) if head.len() == SHARD_PREFIX => head,
        Some(_) if !head.is_empty() => head + "_",
        Some(c) => format!("u{:x}", c as u32),
    }
}

/// Writes the shards and the postings files; returns the shard keys, sorted. `postings` and
/// `surfaces` are sorted.
pub(crate) fn write_dictionary(
    postings: &[(String, Encoded)],
    surfaces: &[(String, String)],
    staging: &Staging,
) -> Result<Vec<String>> {
    /// What goes into one shard file: token numbers (ranks in sorted order), and surfaces.
    #[derive(Default)]
    struct Shard {
        tokens: Vec<usize>,
        words: Vec<usize>,
    }
    let mut shards: BTreeMap<String, Shard> = BTreeMap::new();
    for (rank, (token, _)) in postings.iter().enumerate() {
        shards.entry(shard_of(token)).or_default().tokens.push(rank);
    }
    for (i, (s, _)) in surfaces.iter().enumerate() {
        shards.entry(shard_of(s)).or_default().words.push(i);
    }
    let shards: Vec<(String, Shard)> = shards.into_iter().collect();
    shards.par_iter().try_for_each(|(key, Shard { tokens, words })| -> Result<()> {
        // Inline the shortest postings while the shard stays small; the rest get files.
        let len = |r: usize| postings[r].1.postings.len();
        let mut by_len: Vec<usize> = tokens.iter().copied().filter(|&r| len(r) <= INLINE_MAX).collect();
        by_len.sort_by_key(|&r| (len(r), r));
        let mut inline = std::collections::HashSet::new();
        let mut used = 0;
        for r in by_len {
            if used + len(r) > SHARD_INLINE_BUDGET {
                break;
            }
            used += len(r);
            inline.insert(r);
        }
        let mut text = format!("CASEBOOK_SEARCH.t({},[", js(key));
        for (i, &r) in tokens.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            let (token, e) = &postings[r];
            let _ = write!(text, "{},{},", js(token), e.cases);
            if inline.contains(&r) {
                text.push_str(&js(&e.postings));
            } else {
                let _ = write!(text, "{r}");
                let file = format!("CASEBOOK_SEARCH.p({r},{});\n", js(&e.postings));
                staging.write(&format!("{DIR}/p/{r}.js"), file.as_bytes())?;
            }
        }
        text.push_str("],[");
        for (i, &w) in words.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            let _ = write!(text, "{},{}", js(&surfaces[w].0), js(&surfaces[w].1));
        }
        text.push_str("]);\n");
        staging.write(&format!("{DIR}/t/{key}.js"), text.as_bytes())
    })?;
    Ok(shards.into_iter().map(|(k, _)| k).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shard names: the examples search.js is checked against too (the browser test runs
    /// `shardOf` on the same file in the page).
    const SHARD_EXAMPLES: &str = include_str!("../../tests/fixtures/shard_examples.json");

    #[test]
    fn shards_follow_the_documented_rule() {
        let examples: Vec<(String, String)> = serde_json::from_str(SHARD_EXAMPLES).unwrap();
        assert!(examples.len() >= 10);
        for (token, shard) in &examples {
            assert_eq!(shard_of(token), *shard, "{token}");
        }
    }
}
