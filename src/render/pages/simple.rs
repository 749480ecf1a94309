//! The pages with little data of their own: about, search (its facets) and 404.

use crate::error::Result;
use crate::render::views::{Link, TagGroup};
use crate::render::Renderer;
use serde::Serialize;
use std::collections::BTreeMap;

/// What `about.html` and `search.html` get besides the page base.
#[derive(Serialize)]
struct SimplePage {
    vocabularies: Vec<TagGroup>,
    cases: usize,
    levels: Vec<Choice>,
    provinces: Vec<Choice>,
    /// The library's documents (`static/`), each linked.
    files: Vec<Link>,
    /// The folder of the search page's result files in `_search/` (its language's).
    documents: String,
    /// The library's about text (`about.md` or its translation) as HTML; none: the UI's.
    about: Option<String>,
    /// Its language, when it is not the page's (a text not translated).
    about_lang: Option<&'static str>,
}

/// A facet of the search page: the value a filter takes, and its label.
#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
}

impl Renderer<'_> {
    /// The page `template` at `path`; `kind` is its UI string, body class and navigation entry.
    pub(crate) fn simple_page(&self, template: &str, path: &str, kind: &'static str) -> Result<()> {
        if !self.wants(path) {
            return Ok(());
        }
        let root = "";
        let title = self.ui.text(kind).to_string();
        let mut base = self.base(root, title, String::new(), kind, kind);
        if kind == "search" {
            base.extra_scripts.push(format!("{}assets/search.js", base.assets));
        }
        let mut provinces: BTreeMap<&str, String> = BTreeMap::new();
        for c in &self.lib.cases {
            provinces
                .entry(c.place.province.as_str())
                .or_insert_with(|| self.pick(&c.place.province, c.place.province_zh.as_deref()));
        }
        // The about text in the page's language, else the one the library is written in.
        let about = (kind == "about")
            .then(|| {
                let content = self.lib.config.content_language;
                let of = |l| self.lib.about.iter().find(|a| a.lang == l);
                of(self.lang).or_else(|| of(content))
            })
            .flatten();
        let page = SimplePage {
            about: about
                .map(|a| crate::render::markdown::markdown_to_html(&a.text, root, &base.assets).trim_end().to_string()),
            about_lang: about.filter(|a| a.lang != self.lang).map(|a| a.lang.tag()),
            vocabularies: self.shown.iter().map(|&v| self.whole_vocabulary(v, root)).collect(),
            cases: self.lib.cases.len(),
            levels: (self.lib.taxonomy.levels.iter())
                .map(|l| Choice { value: l.id.clone(), label: self.level_label(Some(&l.id)) })
                .collect(),
            provinces: provinces.into_iter().map(|(k, label)| Choice { value: k.to_string(), label }).collect(),
            files: self
                .lib
                .files
                .iter()
                .map(|f| Link { href: format!("{}static/{}", base.assets, f.name), label: f.name.clone() })
                .collect(),
            documents: crate::browser_index::documents::documents_folder(self.lib, self.lang),
        };
        self.page(template, path, &base, &page)
    }

    /// The 404 page is served by a web server at any depth, so its links use the base path.
    pub(crate) fn not_found(&self) -> Result<()> {
        let root = format!("{}{}", self.lib.config.base_path, self.prefix);
        let base = self.base(&root, self.ui.text("not_found").to_string(), String::new(), "notfound", "");
        self.page("404.html", "404.html", &base, &serde_json::json!({}))
    }
}
