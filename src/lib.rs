//! casebook turns a folder of structured case studies into a validated, searchable,
//! self-contained reference site.
//!
//! The pipeline runs one way, one module per stage:
//! [`load`] → [`parse`] → [`validate`] → [`model`] → [`index`] → [`render`] → [`write`].
//! This file is the public surface: one function per command. `check` is the first half of
//! `build`: both call [`analyze`], so they can never disagree about what is valid.

pub mod analysis;
pub mod browser_index;
pub mod config;
pub mod diag;
pub mod error;
pub mod freshness;
pub mod html;
pub mod index;
pub mod load;
pub mod markdown;
pub mod model;
pub mod parse;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod static_index;
pub mod tags;
pub mod validate;
pub mod write;

pub use diag::{Diagnostic, Severity};
pub use error::{Error, Result};
pub use model::Library;

use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// What `check` found: the library (when valid) and every diagnostic, sorted.
#[derive(Debug)]
pub struct Checked {
    pub library: Option<Library>,
    pub diagnostics: Vec<Diagnostic>,
    /// How many files were read.
    pub files: usize,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// `casebook check`: load, parse and validate the library at `root`.
pub fn check(root: &Path) -> Result<Checked> {
    Ok(analyze(load::load(root)?))
}

/// Parse and validate what `load` read. Pure; parsing runs in parallel.
pub fn analyze(sources: load::Sources) -> Checked {
    let load::Sources { config, taxonomy, cases, files_seen, mut diagnostics, stamp, .. } = sources;
    let (taxonomy, tax_diags) = match &taxonomy {
        Some(file) => match parse::parse_taxonomy(&file.path, &file.text) {
            Ok(raw) => validate::validate_taxonomy(file, raw),
            Err(d) => (model::Taxonomy::default(), vec![d]),
        },
        None => (model::Taxonomy::default(), Vec::new()),
    };
    let taxonomy_broken = tax_diags.iter().any(Diagnostic::is_error) || taxonomy.vocabularies.is_empty();
    diagnostics.extend(tax_diags);
    let names: Vec<String> = taxonomy.vocabularies.iter().map(|v| v.name.clone()).collect();
    let parsed: Vec<_> = cases
        .into_par_iter()
        .map(|file| {
            let raw = parse::parse_case(&file.path, &file.text, &names);
            (file, raw)
        })
        .collect();
    if taxonomy_broken {
        // Without a usable taxonomy every tag would be reported as unknown: report the
        // taxonomy's own problems and the cases' syntax errors only.
        for (_, raw) in parsed {
            if let Err(ds) = raw {
                diagnostics.extend(ds);
            }
        }
        diag::sort(&mut diagnostics);
        return Checked { library: None, diagnostics, files: files_seen };
    }
    let (library, diagnostics) = validate::validate(config, taxonomy, parsed, diagnostics);
    let library = library.map(|library| model::Library { stamp, ..library });
    Checked { library, diagnostics, files: files_seen }
}

/// Options of `casebook build`.
#[derive(Clone, Debug)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub out: PathBuf,
    /// Overrides `base_path` of casebook.toml.
    pub base_path: Option<String>,
    /// Show a progress bar (when stderr is a terminal).
    pub progress: bool,
}

/// What a successful build did.
#[derive(Debug)]
pub struct BuildSummary {
    pub cases: usize,
    pub pages: usize,
    pub files: usize,
    pub warnings: Vec<Diagnostic>,
    pub seconds: f64,
    pub out: PathBuf,
}

/// `casebook build`: check, then render the site and the search indexes into a temporary
/// sibling folder and swap it into place. A failure leaves the previous site untouched.
pub fn build(opts: &BuildOptions) -> Result<BuildSummary> {
    build_keeping(opts).map(|built| built.summary)
}

/// What [`build_keeping`] made: the summary, and the library and theme overrides the site was
/// rendered from.
pub struct Built {
    pub summary: BuildSummary,
    pub library: Library,
    pub templates: Vec<(String, Vec<u8>)>,
}

/// [`build`], keeping what the site was made from (for `serve`, which goes on to re-render
/// only the pages an edit changes).
pub fn build_keeping(opts: &BuildOptions) -> Result<Built> {
    let started = std::time::Instant::now();
    // jieba's dictionary (a tenth of a second) loads while the library is read and checked,
    // which leaves a core partly idle, rather than at the start of the indexing.
    std::thread::spawn(index::warm_up);
    let mut sources = load::load(&opts.root)?;
    let progress = render::Progress::new(opts.progress, sources.cases.len());
    progress.stage("check", sources.cases.len());
    let overrides = std::mem::take(&mut sources.templates);
    let checked = analyze(sources);
    let warnings: Vec<Diagnostic> = checked.diagnostics.iter().filter(|d| !d.is_error()).cloned().collect();
    let Some(mut library) = checked.library else {
        return Err(Error::Content(checked.diagnostics));
    };
    if let Some(base) = &opts.base_path {
        library.config.base_path = config::normalize_base_path(base);
    }
    let mut staging = write::Staging::create(&opts.out)?;
    // The search indexes are built while the pages are rendered: the writer threads spend much
    // of the page stages creating files, which leaves CPU to tantivy; the browser index, read
    // out of the tantivy index, follows as soon as that is committed.
    let stop = std::sync::atomic::AtomicBool::new(false);
    let made = std::thread::scope(|scope| {
        let indexing = scope.spawn(|| {
            index::build_index_unless(&library, &staging.path().join(index::INDEX_DIR), &stop)?;
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                return Err(Error::Cancelled);
            }
            static_index::write_from_index(&library, &staging)
        });
        let documents = scope.spawn(|| static_index::write_from_library(&library, &staging));
        let pages = render::render(&library, &overrides, &staging, &progress);
        if pages.is_err() {
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        progress.stage("search indexes", 0);
        let indexed = indexing.join().unwrap_or_else(|_| Err(Error::internal("the indexing thread panicked")));
        let stored = documents.join().unwrap_or_else(|_| Err(Error::internal("the document store thread panicked")));
        pages.and_then(|pages| indexed.and(stored).map(|()| pages))
    });
    progress.stage("flush", 0);
    // A write error comes first: a later error may only be its consequence.
    let pages = staging.finish().and(made)?;
    progress.finish();
    let files = staging.commit()?;
    let summary = BuildSummary {
        cases: library.cases.len(),
        pages,
        files,
        warnings,
        seconds: started.elapsed().as_secs_f64(),
        out: opts.out.clone(),
    };
    Ok(Built { summary, library, templates: overrides })
}

/// `casebook new ID`: write a case file skeleton; returns its path.
pub fn new_case(root: &Path, id: &str) -> Result<PathBuf> {
    let sources = load::load(root)?;
    let checked = analyze(sources);
    scaffold::new_case(root, id, checked.library.as_ref())
}

/// `casebook search`: answer a query from the site's index (`SITE/_search/tantivy`). When that
/// index is missing or no longer matches the library, the library is checked and the index —
/// only the index — rebuilt in place first; `rebuilt` then says why.
pub fn search(root: &Path, site: &Path, query: &search::Query) -> Result<search::Searched> {
    let dir = site.join(index::INDEX_DIR);
    // No file written since the index was built: no need to read the library.
    let stamp = load::stamp(root);
    if stamp.as_deref().is_some_and(|stamp| index::stamped(&dir, stamp)) {
        let results = search::Searcher::open(&dir)?.search(query)?;
        return Ok(search::Searched { results, rebuilt: None });
    }
    let sources = load::load(root)?;
    let freshness = index::freshness(&sources, &dir);
    let rebuilt = if freshness == index::Freshness::Fresh {
        // Files were written again with the same content (or the stamp is new): remember
        // their stamp, so that the next search takes the short way.
        if stamp.as_deref().is_some_and(|stamp| stamp == sources.stamp) {
            index::restamp(&dir, &sources.stamp);
        }
        None
    } else {
        let checked = analyze(sources);
        let Some(library) = checked.library else {
            return Err(Error::Content(checked.diagnostics));
        };
        index::rebuild_site_index(&library, site)?;
        let why =
            if freshness == index::Freshness::Missing { "there was no search index" } else { "the library changed" };
        Some(format!("{why}; rebuilt {} ({})", dir.display(), diag::plural(library.cases.len(), "case", "cases")))
    };
    let results = search::Searcher::open(&dir)?.search(query)?;
    Ok(search::Searched { results, rebuilt })
}

/// `casebook tags`: how the library uses its taxonomy, and with `suggest`, the tags each case
/// probably misses, with evidence.
pub fn tags(root: &Path, suggest: bool) -> Result<tags::Report> {
    let checked = check(root)?;
    let Some(library) = checked.library else {
        return Err(Error::Content(checked.diagnostics));
    };
    Ok(tags::report(&library, suggest))
}

/// `casebook serve`: build the library into a temporary folder and serve it over HTTP, with
/// pages that reload on change and `/api/search`, rebuilding on every edit until Ctrl-C
/// (see [`mod@serve`]).
pub fn serve(opts: &serve::ServeOptions) -> Result<()> {
    serve::run(opts)
}
