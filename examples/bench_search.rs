//! Query latency of `casebook search` on a built site, index open excluded.
//!
//! ```sh
//! cargo run --release --example gen_corpus -- --n 10000 --out /tmp/c10k
//! cargo run --release -- build --root /tmp/c10k --out /tmp/c10k-site
//! cargo run --release --example bench_search -- /tmp/c10k-site
//! ```
//!
//! First runs each query once (the first query of a shape pages in its part of the index: the
//! time of that pass is printed apart, as "first pass"), then prints, per query shape, the
//! number of matching cases and the median and worst of 20 runs, then the median and p99 over
//! all runs.

use casebook::search::{Query, Searcher};
use std::path::Path;
use std::time::{Duration, Instant};

const QUERIES: &[&str] = &[
    "grid patrol",
    "党建联盟",
    "社区党委 网格",
    "\"party building\"",
    "volunteer force:mass-cohesion",
    "place:Henan level:street",
    "",
    "满意度 OR satisfaction",
    "red wall consciousness",
    "practice:grid-governance 居民",
];

fn main() {
    let Some(given) = std::env::args().nth(1) else {
        eprintln!("usage: bench_search LIBRARY_DIR|INDEX_DIR");
        std::process::exit(2);
    };
    // A library folder (its index in the cache) or the index folder itself (`--index-dir`).
    let given = Path::new(&given);
    let dir = if given.join(casebook::index::META_FILE).is_file() {
        given.to_path_buf()
    } else {
        given.join(casebook::index::INDEX_DIR)
    };
    let t = Instant::now();
    let searcher = match Searcher::open(&dir) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot open {}: {e}", dir.display());
            std::process::exit(2);
        }
    };
    println!("open: {:?}", t.elapsed());
    let t = Instant::now();
    for q in QUERIES {
        let _ = searcher.search(&Query::new(*q));
    }
    println!("first pass, {} queries: {:?}", QUERIES.len(), t.elapsed());
    let mut all: Vec<Duration> = Vec::new();
    for q in QUERIES {
        let mut times = Vec::new();
        let mut total = 0;
        for _ in 0..20 {
            let t = Instant::now();
            match searcher.search(&Query::new(*q)) {
                Ok(r) => total = r.total,
                Err(e) => {
                    eprintln!("{q}: {e}");
                    std::process::exit(1);
                }
            }
            times.push(t.elapsed());
        }
        times.sort();
        println!("{q:40} {total:6} cases  median {:?}  max {:?}", times[times.len() / 2], times[times.len() - 1]);
        all.extend(times);
    }
    all.sort();
    println!("all: median {:?}  p99 {:?}", all[all.len() / 2], all[all.len() * 99 / 100]);
}
