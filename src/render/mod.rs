//! Render: turn the validated [`Library`] into the pages and data files of the static site.
//!
//! [`render`] reads like a script: register the templates ([`theme`]: built-in ones embedded in
//! the binary, a library's own `templates/` overriding any file by name) and the UI strings
//! ([`i18n`]), build small view structs for Tera ([`views`]: the model stays free to change),
//! write every page kind ([`pages`]) and the data files ([`data`]), and hand the bytes to the
//! writer. Markdown goes through [`markdown`]: pulldown-cmark, raw HTML sanitized by ammonia.
//! `check` compiles the templates and renders a page of each kind in memory ([`probe`]), so
//! that a broken template fails `check` as it fails `build`.
//! Every link the site makes is relative, so the output works under any sub-path and from
//! `file://`. Output is deterministic: no timestamps, no hash-map order.
//!
//! Render reads nothing from the disk and names no vocabulary: which vocabulary is the profile
//! and which one the home page starts from come from the library's configuration.

pub mod budget;
mod data;
mod i18n;
mod markdown;
mod pages;
mod probe;
mod theme;
mod views;

use crate::config::Language;
use crate::error::{Error, Result};
use crate::model::Library;
use crate::progress::Progress;
use crate::write::Staging;
use i18n::Ui;
use pages::places::PlaceTree;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use views::PageBase;

pub use crate::html::escape;
// Where render puts the pages, for serve's page-dependency graph (`serve::dependencies`).
pub(crate) use crate::model::places::place_slug;
pub use markdown::markdown_to_html;
pub use probe::check_templates;
pub(crate) use views::page_path;

/// Cases per page of the matrix (it is a table: denser than a list).
pub(crate) const MATRIX_PAGE: usize = 200;
/// Related cases shown on a case page.
pub(crate) const RELATED: usize = 8;
/// Cases in the Atom feed.
pub(crate) const FEED_ENTRIES: usize = 100;

/// Everything the page and data functions share while a site is rendered.
struct Renderer<'a> {
    lib: &'a Library,
    /// The language of the pages being rendered, and the folder of its tree in the site: `""`
    /// for the default language (the first of `languages`), `en/` for another.
    lang: Language,
    prefix: String,
    tera: tera::Tera,
    ui: Ui,
    staging: &'a Staging,
    /// Templates the library overrides (for error messages).
    overridden: BTreeSet<String>,
    /// Bytes one page's rendering may hold ([`budget`]).
    budget: usize,
    /// HTML pages written so far.
    pages: AtomicUsize,
    /// Rendered HTML of each case's tagged sections: `sections[case][section]` (empty if untagged);
    /// set by the case pages, computed on first use by [`render_only`]. Template values: a
    /// value's text is shared, not copied, by every page that shows it.
    sections: Vec<OnceLock<Vec<tera::Value>>>,
    /// Each case as listed on a page one folder deep ([`views::CaseItem`] with root `../`), made
    /// once: a case is listed on a dozen pages (its terms, its places, the list of cases).
    items: Vec<OnceLock<tera::Value>>,
    /// Each term as shown in those lists ([`views::TermView`] with root `../`): `terms[v][t]`.
    terms: Vec<Vec<tera::Value>>,
    /// Vocabularies that get navigation and pages.
    shown: Vec<usize>,
    /// The shown vocabulary the home page's "start from a problem" lists (`start_from` in
    /// casebook.toml).
    start_from: Option<usize>,
    place_index: PlaceTree,
    /// The pages to render, for [`render_only`]; `None`: all of them.
    only: Option<&'a BTreeSet<String>>,
}

/// Renders every page into `staging`; returns the number of HTML pages.
pub fn render(lib: &Library, overrides: &[(String, Vec<u8>)], staging: &Staging, progress: &Progress) -> Result<usize> {
    render_with(lib, overrides, staging, progress, None)
}

/// Renders only the pages and data files named in `only` (paths inside the site, such as
/// `cases/ID.html`), the way [`render`] renders them; names of pages the library does not have
/// are skipped. Theme assets and the browser search index are not written. For `serve`, which
/// re-renders the pages that depend on an edited case (see `serve::dependencies`).
pub fn render_only(
    lib: &Library,
    overrides: &[(String, Vec<u8>)],
    staging: &Staging,
    only: &BTreeSet<String>,
) -> Result<usize> {
    render_with(lib, overrides, staging, &Progress::silent(), Some(only))
}

fn render_with(
    lib: &Library,
    overrides: &[(String, Vec<u8>)],
    staging: &Staging,
    progress: &Progress,
    only: Option<&BTreeSet<String>>,
) -> Result<usize> {
    if only.is_none() {
        theme::write_assets(overrides, staging)?;
        write_files(lib, staging)?;
    }
    // One tree of pages per language, the default at the root; the data files once.
    let mut pages = 0;
    for &lang in &lib.config.languages {
        progress.stage("templates", 0);
        let (mut tera, overridden) = theme::templates(overrides)?;
        let ui = Ui::load(lang, overrides)?;
        tera.global_context().insert("ui", &ui);
        // A text shown beside its translation (`class="alt"`) is in the other language.
        tera.global_context().insert("alt_lang", lang.other().tag());
        let site = Renderer::new(lib, tera, ui, staging, overridden, only, lang);
        pages += site.tree(progress)?;
    }
    Ok(pages)
}

/// Copies the files the site publishes as they are, once for all its languages: the library's
/// documents (for `static:` links and the about page) at `static/NAME`, and each case's files
/// at `cases/ID/NAME` ([`crate::links`]).
fn write_files(lib: &Library, staging: &Staging) -> Result<()> {
    for file in &lib.files {
        staging.copy(&format!("static/{}", file.name), &file.path)?;
    }
    for case in &lib.cases {
        for file in &case.attachments {
            staging.copy(&crate::links::attachment_path(&case.id, &file.name), &file.path)?;
        }
    }
    Ok(())
}

/// The folder of the pages in `lang` inside the site: none for the default language.
pub(crate) fn tree_prefix(lib: &Library, lang: Language) -> String {
    lang.folder_in(&lib.config.languages)
}

impl Renderer<'_> {
    /// Renders the pages of one language (and, for the default one, the data files); returns
    /// the number of HTML pages.
    fn tree(&self, progress: &Progress) -> Result<usize> {
        let lib = self.lib;
        let site = self;
        progress.stage("cases", lib.cases.len());
        (0..lib.cases.len()).into_par_iter().try_for_each(|i| {
            progress.tick();
            site.case_page(i)
        })?;
        progress.stage("terms", site.shown.len());
        for &v in &site.shown {
            progress.tick();
            site.vocabulary_pages(v)?;
        }
        // The last pages and data files, side by side: `cases.json` is written as one stream, on
        // one thread, while the lists, places and matrix pages take the others.
        progress.stage("lists, places, matrix, data", 0);
        let default = site.prefix.is_empty();
        let (data, pages) = rayon::join(
            || {
                if default {
                    site.cases_json().and_then(|()| site.sitemap()).and_then(|()| site.feed())
                } else {
                    Ok(())
                }
            },
            || -> Result<()> {
                site.home()?;
                site.case_lists()?;
                site.places()?;
                site.matrices()?;
                site.simple_page("about.html", "about.html", "about")?;
                site.simple_page("search.html", "search.html", "search")?;
                // One 404 page, the web server's: in the default language.
                if default {
                    site.not_found()
                } else {
                    Ok(())
                }
            },
        );
        pages.and(data)?;
        // The browser's search index (browser_index) is derived from the tantivy index: the build command writes it.
        Ok(site.pages.load(Ordering::Relaxed))
    }
}

/// The vocabularies that get navigation and pages.
pub(crate) fn shown(lib: &Library) -> Vec<usize> {
    match &lib.config.vocabularies {
        Some(names) => names.iter().filter_map(|n| lib.taxonomy.vocabulary_index(n)).collect(),
        None => (0..lib.taxonomy.vocabularies.len()).collect(),
    }
}

impl<'a> Renderer<'a> {
    fn new(
        lib: &'a Library,
        tera: tera::Tera,
        ui: Ui,
        staging: &'a Staging,
        overridden: BTreeSet<String>,
        only: Option<&'a BTreeSet<String>>,
        lang: Language,
    ) -> Renderer<'a> {
        let shown = shown(lib);
        let start_from = lib
            .config
            .start_from
            .as_deref()
            .and_then(|name| lib.taxonomy.vocabulary_index(name))
            .filter(|v| shown.contains(v));
        let mut site = Renderer {
            lib,
            lang,
            prefix: tree_prefix(lib, lang),
            tera,
            ui,
            staging,
            overridden,
            budget: budget::page_budget(lib.config.max_file_size),
            pages: AtomicUsize::new(0),
            // Filled by the case pages (or on demand, when only some pages are rendered).
            sections: lib.cases.iter().map(|_| OnceLock::new()).collect(),
            items: lib.cases.iter().map(|_| OnceLock::new()).collect(),
            terms: Vec::new(),
            shown,
            start_from,
            place_index: PlaceTree::build(lib),
            only,
        };
        site.terms = (0..lib.taxonomy.vocabularies.len())
            .map(|v| {
                let terms = lib.taxonomy.vocabularies[v].terms.len();
                (0..terms).map(|t| tera::Value::from_serializable(&site.term_view(v, t, "../"))).collect()
            })
            .collect();
        site
    }

    /// What the pages in this language show of case `i`.
    fn case_text(&self, i: usize) -> crate::model::CaseText<'_> {
        self.lib.cases[i].text_in(self.lang, self.lib.config.content_language)
    }

    /// The same page in each language of the site, for a page at `path` of this tree: the
    /// `hreflang` links and the language switch (none on a site of one language).
    fn alternates(&self, path: &str) -> Vec<views::Alternate> {
        let languages = &self.lib.config.languages;
        if languages.len() < 2 {
            return Vec::new();
        }
        let up = "../".repeat(format!("{}{path}", self.prefix).matches('/').count());
        languages
            .iter()
            .map(|&l| views::Alternate {
                lang: l.tag(),
                name: l.native_name(),
                href: format!("{up}{}{path}", tree_prefix(self.lib, l)),
                current: l == self.lang,
            })
            .collect()
    }

    /// Is the page (or data file) at `path` (in any language) to be rendered?
    fn wants(&self, path: &str) -> bool {
        self.only.is_none_or(|only| only.contains(path))
    }

    /// The HTML of each tagged section of case `case` (empty strings for the others), for a
    /// page one folder deep in this tree, as the case page is.
    fn section_html(&self, case: usize) -> &[tera::Value] {
        self.sections[case].get_or_init(|| {
            let text = self.case_text(case);
            let assets = self.assets_from("../");
            let links = markdown::LinkBase { root: "../", assets: &assets, case: None };
            self.excerpts(text, markdown::case_html(text, links).sections)
        })
    }

    /// The HTML of tagged sections as template values; an excerpt not in the page's language
    /// says which one it is in.
    fn excerpts(&self, text: crate::model::CaseText, sections: Vec<String>) -> Vec<tera::Value> {
        let other = (text.lang != self.lang).then(|| text.lang.tag());
        sections
            .into_iter()
            .map(|html| match other {
                Some(lang) if !html.is_empty() => format!("<div lang=\"{lang}\">{html}</div>"),
                _ => html,
            })
            .map(tera::Value::from)
            .collect()
    }

    /// Renders `template` to a string with `view` as its context (for the parts of a page that
    /// are templates of their own, such as the profile).
    fn fragment<T: Serialize>(&self, template: &str, view: &T) -> Result<String> {
        let ctx = tera::Context::from_serialize(view).map_err(|e| Error::internal(format!("template context: {e}")))?;
        let over = self.over(template, template);
        let _budget = budget::Scope::enter(self.budget, &over);
        self.tera.render(template, &ctx).map_err(|e| self.template_error(template, &e))
    }

    /// A rendering error of `template` as a diagnostic ([`theme::template_error`]).
    fn template_error(&self, template: &str, e: &tera::Error) -> Error {
        theme::template_error(template, &self.overridden, e, None)
    }

    /// What to say when rendering `path` with `template` goes over the page budget.
    fn over(&self, template: &str, path: &str) -> budget::Over {
        let mib = self.budget >> 20;
        let (message, hint) = match self.lib.config.language {
            Language::ZhCn => (
                format!("渲染 `{path}` 用了超过 {mib} MiB 内存，构建已停止"),
                "模板可能在不断加长一个字符串（例如 `set s = s ~ s`）；已发布的站点没有改动",
            ),
            Language::En => (
                format!("rendering `{path}` used more than {mib} MiB of memory, so the build stopped"),
                "the template probably keeps growing a string (such as `set s = s ~ s`); the published site is untouched",
            ),
        };
        let message = format!("error[template-memory]: {message}\n --> templates/{template}\n  = hint: {hint}\n");
        budget::Over::new(message, self.staging.on_disk())
    }

    /// Renders `template` with `base` and `extra`, writes it to `path`.
    fn page<T: Serialize>(&self, template: &str, path: &str, base: &PageBase, extra: &T) -> Result<()> {
        if !self.wants(path) {
            return Ok(());
        }
        let mut ctx =
            tera::Context::from_serialize(extra).map_err(|e| Error::internal(format!("template context: {e}")))?;
        ctx.insert("base", base);
        // The 404 page is served in place of any missing page: it has no other-language page.
        let languages = if path == "404.html" { Vec::new() } else { self.alternates(path) };
        ctx.insert("languages", &languages);
        let mut out = Vec::with_capacity(16 * 1024);
        let over = self.over(template, path);
        let _budget = budget::Scope::enter(self.budget, &over);
        self.tera.render_to(template, &ctx, &mut out).map_err(|e| self.template_error(template, &e))?;
        self.staging.write(&format!("{}{path}", self.prefix), out)?;
        self.pages.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Renders `template` with `view` and writes it to the data file `path` (not counted as a page).
    fn data_file<T: Serialize>(&self, template: &str, path: &str, view: &T) -> Result<()> {
        let text = self.fragment(template, view)?;
        self.staging.write(path, text.into_bytes())
    }
}

/// The source of the render code, for the i18n test that every UI string the code asks for exists.
#[cfg(test)]
const SOURCES: &[(&str, &str)] = &[
    ("render/mod.rs", include_str!("mod.rs")),
    ("render/views.rs", include_str!("views.rs")),
    ("render/pages/case.rs", include_str!("pages/case.rs")),
    ("render/pages/terms.rs", include_str!("pages/terms.rs")),
    ("render/pages/home.rs", include_str!("pages/home.rs")),
    ("render/pages/lists.rs", include_str!("pages/lists.rs")),
    ("render/pages/places.rs", include_str!("pages/places.rs")),
    ("render/pages/matrix.rs", include_str!("pages/matrix.rs")),
    ("render/pages/simple.rs", include_str!("pages/simple.rs")),
];
