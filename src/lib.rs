//! casebook turns a folder of structured case studies into a validated, searchable,
//! self-contained reference site.
//!
//! The pipeline runs one way, one module per stage:
//! [`load`] → [`parse`] → [`validate`] → [`model`] → [`index`] → [`render`] → [`write`].
//! This file is the public surface: one function per command. `check` is the first half of
//! `build`: both call [`analyze`], so they can never disagree about what is valid.

pub mod config;
pub mod diag;
pub mod error;
pub mod index;
pub mod load;
pub mod model;
pub mod parse;
pub mod render;
pub mod scaffold;
// pub mod search;
// pub mod tags;
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
    let load::Sources { config, taxonomy, cases, files_seen, mut diagnostics, .. } = sources;
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
    let started = std::time::Instant::now();
    let mut sources = load::load(&opts.root)?;
    let overrides = std::mem::take(&mut sources.templates);
    let checked = analyze(sources);
    let warnings: Vec<Diagnostic> = checked.diagnostics.iter().filter(|d| !d.is_error()).cloned().collect();
    let Some(mut library) = checked.library else {
        return Err(Error::Content(checked.diagnostics));
    };
    if let Some(base) = &opts.base_path {
        library.config.base_path = config::normalize_base_path(base);
    }
    let staging = write::Staging::create(&opts.out)?;
    let progress = render::Progress::new(opts.progress, library.cases.len());
    let pages = render::render(&library, &overrides, &staging, &progress)?;
    // INDEX
    progress.finish();
    let files = staging.commit()?;
    Ok(BuildSummary {
        cases: library.cases.len(),
        pages,
        files,
        warnings,
        seconds: started.elapsed().as_secs_f64(),
        out: opts.out.clone(),
    })
}

/// `casebook new ID`: write a case file skeleton; returns its path.
pub fn new_case(root: &Path, id: &str) -> Result<PathBuf> {
    let sources = load::load(root)?;
    let checked = analyze(sources);
    scaffold::new_case(root, id, checked.library.as_ref())
}
