//! Browser index: the browser's copy of the search index, written under [`DIR`] as classic
//! scripts the search page loads with `<script src>`, read out of the tantivy index so that
//! the page searches exactly what `casebook search` searches.
//!
//! - [`encoding`]: the alphabet, varints and case sets every file is written in;
//! - [`shard`]: which dictionary shard a token belongs to, and the shard files;
//! - [`postings`]: the tokens' postings read from tantivy and weighed with its BM25;
//! - [`posting_list`]: one token's postings written out: weights per reader, truncation;
//! - [`documents`]: the document store, the facet sets and the meta file.
//!
//! It writes through [`Staging`] and reads only the index and the library; the file format is
//! below (kept in `FORMAT.md` beside this file).
//!
#![doc = include_str!("FORMAT.md")]

pub mod documents;
pub mod encoding;
pub mod posting_list;
pub mod postings;
pub mod shard;

pub use documents::{chunk_size, CHUNK, MAX_DOCUMENT_FILES};
pub use encoding::ALPHABET;
pub use posting_list::{FULL_POSTINGS_MAX, TRUNCATED_BUDGET, WEIGHT_SCALE};
pub use shard::{shard_of, SHARD_PREFIX};

use crate::error::Result;
use crate::model::Library;
use crate::write::Staging;

/// Where the files go, inside the site.
pub const DIR: &str = "_search";
/// Bumped whenever a file format changes (search.js checks it).
pub const FORMAT: u32 = 3;

/// Writes the part of the browser index of `lib` (under [`DIR`] in `staging`) that does not
/// depend on the tantivy index: the facet sets and the document store (`build` writes them
/// while the tantivy index is being made).
pub fn write_from_library(lib: &Library, staging: &Staging) -> Result<()> {
    documents::write_facets(lib, staging)?;
    documents::write_documents(lib, staging)
}

/// The rest of the browser index, read out of the tantivy index of `lib` in `index_dir`: the
/// dictionary shards, the postings and the meta file.
pub fn write_from_index(lib: &Library, index_dir: &std::path::Path, staging: &Staging) -> Result<()> {
    let opened = crate::index::open(index_dir)?;
    let reader: tantivy::IndexReader =
        opened.index.reader_builder().reload_policy(tantivy::ReloadPolicy::Manual).try_into()?;
    let searcher = reader.searcher();
    let documents = postings::Documents::new(lib);
    let postings = postings::read_postings(&searcher, &postings::text_fields(&opened.fields), &documents)?;
    let surfaces = crate::index::read_surfaces(&opened.dir)?;
    let shards = shard::write_dictionary(&postings, &surfaces, staging)?;
    // The traditional characters the page folds: those whose simplified form is in a token.
    let han: std::collections::HashSet<char> =
        postings.iter().flat_map(|(t, _)| t.chars()).filter(|&c| crate::analysis::han::is_han(c)).collect();
    let folds = crate::analysis::script::pairs(|c| han.contains(&c));
    drop(postings);
    documents::write_cards(lib, staging)?;
    documents::write_meta(lib, documents.list.len(), &shards, &folds, staging)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::path::Path;

    #[test]
    fn output_is_deterministic_and_complete() {
        let lib = &crate::check(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap().library.unwrap();
        let build = || {
            let tmp = tempfile::tempdir().unwrap();
            let out = tmp.path().join("site");
            let staging = Staging::with_lanes(&out, &[DIR]).unwrap();
            let index = tmp.path().join("index");
            crate::index::build_index(lib, &index).unwrap();
            write_from_library(lib, &staging).unwrap();
            write_from_index(lib, &index, &staging).unwrap();
            staging.commit().unwrap();
            let mut files = BTreeMap::new();
            for e in walkdir::WalkDir::new(out.join(DIR))
                .into_iter()
                .filter_map(|e| e.ok())
                .filter(|e| e.file_type().is_file())
            {
                let rel = e.path().strip_prefix(&out).unwrap().to_string_lossy().replace('\\', "/");
                files.insert(rel, std::fs::read(e.path()).unwrap());
            }
            files
        };
        let (a, b) = (build(), build());
        assert!(a == b, "two builds differ");
        for f in ["_search/meta.js", "_search/f.js", "_search/d/0.js", "_search/t/pa.js", "_search/t/u7ea2.js"] {
            assert!(a.contains_key(f), "{f} missing: {:?}", a.keys().take(20).collect::<Vec<_>>());
        }
        assert_eq!(
            a.keys().filter(|k| k.starts_with("_search/d/")).count(),
            lib.cases.len().div_ceil(chunk_size(lib.cases.len()))
        );
        assert_eq!((chunk_size(5), chunk_size(20_000), chunk_size(20_001), chunk_size(100_000)), (4, 4, 5, 20));
        let meta = String::from_utf8(a["_search/meta.js"].clone()).unwrap();
        assert!(meta.starts_with("CASEBOOK_SEARCH.m({") && meta.contains("\"cases\":5"), "{meta}");
        // The stemmed English words are in their shards: `party` became `parti`.
        let pa = String::from_utf8(a["_search/t/pa.js"].clone()).unwrap();
        assert!(pa.contains("\"party\",\"parti\""), "{pa}");
    }
}
