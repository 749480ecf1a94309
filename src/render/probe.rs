//! `check`'s look at the templates, so that it fails where `build` would: the built-in
//! templates with the library's own `templates/` are compiled (syntax, inheritance, macros) and
//! its UI strings read, and, when the library is valid, one page of each kind is rendered in
//! memory — a variable or a filter a template names but does not have shows only then. A
//! template that fails on every page fails here with the error `build` gives; one that fails
//! only on some case's data is found by `build` alone.

use super::{page_path, place_slug, render_only, shown, theme};
use crate::config::Language;
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::model::Library;
use crate::write::Staging;
use std::collections::BTreeSet;

/// The template errors of a library: none when its templates compile and, for a valid
/// `library`, render one page of each kind in every language of `languages`.
pub fn check_templates(
    library: Option<&Library>,
    languages: &[Language],
    overrides: &[(String, Vec<u8>)],
) -> Vec<Diagnostic> {
    let found = || -> crate::Result<()> {
        theme::templates(overrides)?;
        for &lang in languages {
            super::i18n::Ui::load(lang, overrides)?;
        }
        match library {
            Some(lib) => render_only(lib, overrides, &Staging::in_memory(), &probe_pages(lib)).map(|_| ()),
            None => Ok(()),
        }
    };
    match found() {
        Ok(()) => Vec::new(),
        Err(Error::Content(diagnostics)) => diagnostics,
        Err(other) => vec![Diagnostic::error("templates", "template", other.to_string())],
    }
}

/// One page of each kind: the pages every site has, each vocabulary's page and its first
/// term's, and the first case's page and its places'.
fn probe_pages(lib: &Library) -> BTreeSet<String> {
    let mut pages: BTreeSet<String> = [
        "index.html",
        "cases/index.html",
        "places/index.html",
        "matrix.html",
        "about.html",
        "search.html",
        "404.html",
        "sitemap.xml",
        "feed.xml",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    for v in shown(lib) {
        let voc = &lib.taxonomy.vocabularies[v];
        pages.insert(format!("{}/index.html", voc.name));
        pages.extend(voc.terms.first().map(|t| page_path(&format!("{}/{}", voc.name, t.id), 0)));
    }
    if let Some(case) = lib.cases.first() {
        pages.insert(format!("cases/{}.html", case.id));
        let province = place_slug(&case.place.province, "province");
        pages.insert(page_path(&format!("places/{province}"), 0));
        if let Some(city) = &case.place.city {
            pages.insert(page_path(&format!("places/{province}/{}", place_slug(city, "city")), 0));
        }
    }
    pages
}
