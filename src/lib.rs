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
// pub mod index;
pub mod load;
pub mod model;
pub mod parse;
// pub mod render;
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

/*BUILD*/
/// `casebook new ID`: write a case file skeleton; returns its path.
pub fn new_case(root: &Path, id: &str) -> Result<PathBuf> {
    let sources = load::load(root)?;
    let checked = analyze(sources);
    scaffold::new_case(root, id, checked.library.as_ref())
}
