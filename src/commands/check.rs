//! `casebook check`: load, parse and validate a library, check its templates, and collect every
//! diagnostic of every file. Every other command starts here.

use crate::diag::{self, Diagnostic};
use crate::model::{self, Library};
use crate::{load, parse, render, validate, Result};
use rayon::prelude::*;
use std::path::Path;

/// What `check` found: the library (when valid) and every diagnostic, sorted.
#[derive(Debug)]
pub struct Checked {
    pub library: Option<Library>,
    pub diagnostics: Vec<Diagnostic>,
    /// How many files were read.
    pub files: usize,
    /// The stamp of the files read ([`crate::load::stamp`]), for the index's meta file; empty
    /// when unknown.
    pub stamp: String,
    /// The library's own `templates/` (name, bytes), checked with the built-in ones: what
    /// `build` renders with.
    pub templates: Vec<(String, Vec<u8>)>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// `casebook check`: load, parse and validate the library at `root`, and check its templates.
pub fn check(root: &Path) -> Result<Checked> {
    Ok(analyze(load::load(root)?))
}

/// Parse and validate what `load` read, and check the templates (compiled, and a page of each
/// kind rendered in memory: [`crate::render::check_templates`]); a library with a broken
/// template is no library to build. A caller that renders nothing (`search`) takes the
/// templates out of `sources` first. Pure; parsing runs in parallel.
pub fn analyze(sources: load::Sources) -> Checked {
    let load::Sources {
        config,
        taxonomy,
        cases,
        files,
        case_files,
        about,
        templates,
        files_seen,
        mut diagnostics,
        stamp,
        ..
    } = sources;
    let lang = config.language;
    let languages = config.languages.clone();
    let (taxonomy, tax_diags) = match &taxonomy {
        Some(file) => match parse::parse_taxonomy(&file.path, &file.text, lang) {
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
            let raw = parse::parse_case(&file.path, &file.text, &names, lang);
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
        diagnostics.extend(render::check_templates(None, &languages, &templates));
        diag::sort(&mut diagnostics);
        return Checked { library: None, diagnostics, files: files_seen, stamp, templates };
    }
    let (mut library, mut diagnostics) =
        validate::validate(config, taxonomy, parsed, (files, case_files, about), diagnostics);
    let broken = render::check_templates(library.as_ref(), &languages, &templates);
    if !broken.is_empty() {
        library = None;
        diagnostics.extend(broken);
        diag::sort(&mut diagnostics);
    }
    Checked { library, diagnostics, files: files_seen, stamp, templates }
}
