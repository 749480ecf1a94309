//! `casebook build`: check, then render the pages and build both search indexes into a staging
//! folder, and swap it into place. `serve` runs the same function ([`build_for_serve`]).

use super::check::analyze;
use crate::diag::Diagnostic;
use crate::model::Library;
use crate::progress::Progress;
use crate::{analysis, browser_index, config, index, load, render, write, Error, Result};
use std::path::PathBuf;

/// Options of `casebook build`.
#[derive(Clone, Debug)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub out: PathBuf,
    /// Overrides `base_path` of casebook.toml.
    pub base_path: Option<String>,
    /// Where the tantivy index goes (replaced whole) [default: [`index::INDEX_DIR`] in the
    /// library]. It is never part of the site.
    pub index: Option<PathBuf>,
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
    build_for_serve(opts).map(|built| built.summary)
}

/// What [`build_for_serve`] made: the summary, and the library and theme overrides the site
/// was rendered from.
pub struct Built {
    pub summary: BuildSummary,
    pub library: Library,
    pub templates: Vec<(String, Vec<u8>)>,
}

/// [`build`], returning also what the site was made from (for `serve`, which goes on to
/// re-render only the pages an edit changes).
pub fn build_for_serve(opts: &BuildOptions) -> Result<Built> {
    let started = std::time::Instant::now();
    // jieba's dictionary loads while the library is read and checked, which leaves a core
    // partly idle, rather than at the start of the indexing. The indexer joins the thread, so
    // none outlives the build.
    let warming = std::thread::spawn(analysis::warm_up);
    let sources = load::load(&opts.root)?;
    let progress = Progress::new(opts.progress, sources.cases.len());
    progress.stage("check", sources.cases.len());
    let mut checked = analyze(sources);
    let overrides = std::mem::take(&mut checked.templates);
    let warnings: Vec<Diagnostic> = checked.diagnostics.iter().filter(|d| !d.is_error()).cloned().collect();
    let Some(mut library) = checked.library else {
        return Err(Error::Content(checked.diagnostics));
    };
    let stamp = checked.stamp;
    if let Some(base) = &opts.base_path {
        library.config.base_path = config::normalize_base_path(base);
    }
    let mut staging = write::Staging::with_lanes(&opts.out, &[browser_index::DIR])?;
    // The tantivy index is built beside the library's index folder and swapped in once the site
    // is: it is the engine of `search` and `serve`, not a file any browser reads.
    let index_dir = index::index_dir(&opts.root, opts.index.as_deref());
    let fresh = index::Fresh::beside(&index_dir)?;
    // The search indexes are built while the pages are rendered: the writer threads spend much
    // of the page stages creating files, which leaves CPU to tantivy; the browser index, read
    // out of the tantivy index, follows as soon as that is committed.
    let stop = std::sync::atomic::AtomicBool::new(false);
    let made = std::thread::scope(|scope| {
        let indexing = scope.spawn(|| {
            // A panic while warming up is the indexer's own to meet again: ignore it here.
            let _ = warming.join();
            index::build_index_cancellable(&library, &stamp, fresh.path(), &stop)?;
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                return Err(Error::Cancelled);
            }
            browser_index::write_from_index(&library, fresh.path(), &staging)
        });
        let documents = scope.spawn(|| browser_index::write_from_library(&library, &staging));
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
    fresh.install()?;
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
