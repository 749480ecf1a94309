//! Views: the small structs Tera gets, made for the templates (the model stays free to change),
//! and the renderer's helpers that make them from the library: a term as a tag, a case as a
//! list item, what every page gets, a pager.

use super::Renderer;
use crate::config::Language;
use crate::model::{CaseDate, Localized, Place};
use serde::Serialize;

#[derive(Serialize, Clone)]
pub(crate) struct Link {
    pub(crate) href: String,
    pub(crate) label: String,
}

#[derive(Serialize, Clone)]
pub(crate) struct NavItem {
    pub(crate) href: String,
    pub(crate) label: String,
    /// The label's language when it is not the page's (see [`Renderer::fallback`]).
    pub(crate) label_lang: Option<&'static str>,
    pub(crate) current: bool,
}

/// A term as a tag or a list entry.
#[derive(Serialize, Clone)]
pub(crate) struct TermView {
    pub(crate) vocab: String,
    pub(crate) id: String,
    pub(crate) name: String,
    /// The name's language when it is not the page's (see [`Renderer::fallback`]).
    pub(crate) name_lang: Option<&'static str>,
    pub(crate) alt: Option<String>,
    pub(crate) href: String,
    /// CSS classes: `tag v-forces t3` (t = position in its vocabulary, for the colour).
    pub(crate) class: String,
    pub(crate) count: usize,
}

/// The terms of one vocabulary shown together (a case's tags, a term's links, a home page
/// section), with the vocabulary's role, so that templates never test a vocabulary's name.
#[derive(Serialize, Clone)]
pub(crate) struct TagGroup {
    pub(crate) vocab: String,
    pub(crate) label: String,
    pub(crate) label_lang: Option<&'static str>,
    /// Serialized [`TermView`]s (made once for pages at `../`, see [`Renderer::term_value`]).
    pub(crate) terms: Vec<tera::Value>,
    /// The vocabulary drawn as the profile (`profile` in casebook.toml).
    pub(crate) is_profile: bool,
    /// The vocabulary the home page starts from (`start_from` in casebook.toml).
    pub(crate) is_start_from: bool,
}

#[derive(Serialize)]
pub(crate) struct CaseItem {
    pub(crate) id: String,
    pub(crate) href: String,
    pub(crate) title: String,
    /// The title's language when it is not the page's (see [`Renderer::fallback`]).
    pub(crate) title_lang: Option<&'static str>,
    pub(crate) title_alt: Option<String>,
    /// The language of `title_alt`.
    pub(crate) alt_lang: &'static str,
    pub(crate) summary: String,
    pub(crate) place: String,
    /// The level's label; empty in a library without levels.
    pub(crate) level: String,
    /// [`TermView`]s, as template values (shared, see [`Renderer::term_value`]).
    pub(crate) tags: Vec<tera::Value>,
    pub(crate) date: Option<DateView>,
    pub(crate) updated: Option<DateView>,
}

/// A case's date as a reader reads it (`2019年6月`, `June 2019`) and as `<time datetime>`
/// and machines do (`2019-06`).
#[derive(Serialize)]
pub(crate) struct DateView {
    pub(crate) text: String,
    pub(crate) iso: String,
}

impl DateView {
    fn of(date: Option<CaseDate>, lang: Language) -> Option<DateView> {
        date.map(|d| DateView { text: d.display(lang), iso: d.to_string() })
    }
}

#[derive(Serialize)]
pub(crate) struct Pager {
    pub(crate) current: usize,
    pub(crate) total: usize,
    pub(crate) prev: Option<String>,
    pub(crate) next: Option<String>,
    pub(crate) pages: Vec<Link>,
}

/// The same page in one language of the site (the language switch, `hreflang`).
#[derive(Serialize)]
pub(crate) struct Alternate {
    pub(crate) lang: &'static str,
    /// The language's name in itself.
    pub(crate) name: &'static str,
    pub(crate) href: String,
    pub(crate) current: bool,
}

/// What every page gets.
#[derive(Serialize)]
pub(crate) struct PageBase<'a> {
    pub(crate) lang: &'static str,
    /// The site's root (the assets, the data files, the search index), where `root` is the
    /// root of this language's pages.
    pub(crate) assets: String,
    pub(crate) site_title: &'a str,
    pub(crate) site_title_alt: Option<&'a str>,
    pub(crate) root: String,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) nav: Vec<NavItem>,
    pub(crate) breadcrumbs: Vec<Link>,
    pub(crate) extra_scripts: Vec<String>,
    /// `index` / `case` / `term` / ...: the body's class.
    pub(crate) kind: &'static str,
}

impl Renderer<'_> {
    pub(crate) fn lang(&self) -> Language {
        self.lang
    }

    /// Primary and secondary label in the UI language.
    pub(crate) fn names(&self, en: &str, zh: Option<&str>) -> (String, Option<String>) {
        let (name, alt) = Localized::new(en, zh).names(self.lang());
        (name.to_string(), alt.map(str::to_string))
    }

    /// `en`, or `zh` on a Chinese site when there is one.
    pub(crate) fn pick(&self, en: &str, zh: Option<&str>) -> String {
        Localized::new(en, zh).pick(self.lang()).to_string()
    }

    /// A label inside an English sentence starts lower-case ("Start from problems"), unless it
    /// opens with an abbreviation ("NGO types"); Chinese has no case.
    pub(crate) fn in_sentence(&self, label: String) -> String {
        let mut chars = label.chars();
        match (self.lang, chars.next(), chars.next()) {
            (Language::En, Some(first), Some(second)) if first.is_uppercase() && !second.is_uppercase() => {
                first.to_lowercase().chain(label[first.len_utf8()..].chars()).collect()
            }
            _ => label,
        }
    }

    pub(crate) fn vocab_label(&self, v: usize) -> String {
        let voc = &self.lib.taxonomy.vocabularies[v];
        self.pick(&voc.label, voc.label_zh.as_deref())
    }

    /// The language of a text shown in place of a Chinese one the library does not give (a
    /// label without `label_zh`, a vocabulary without labels, a case not translated) when it
    /// is not the page's: the language the library is written in. `None` when it is the page's.
    pub(crate) fn fallback(&self, has_zh: bool) -> Option<&'static str> {
        let content = self.lib.config.content_language;
        (self.lang == Language::ZhCn && !has_zh && content != self.lang).then(|| content.tag())
    }

    /// The terms of vocabulary `v` numbered in `terms`, as a group of tags.
    pub(crate) fn tag_group(&self, v: usize, terms: Vec<tera::Value>) -> TagGroup {
        TagGroup {
            vocab: self.lib.taxonomy.vocabularies[v].name.clone(),
            label: self.vocab_label(v),
            label_lang: self.fallback(self.lib.taxonomy.vocabularies[v].label_zh.is_some()),
            terms,
            is_profile: self.lib.profile == Some(v),
            is_start_from: self.start_from == Some(v),
        }
    }

    /// Every term of vocabulary `v`, as a group of tags for a page at `root`.
    pub(crate) fn whole_vocabulary(&self, v: usize, root: &str) -> TagGroup {
        let terms = self.lib.taxonomy.vocabularies[v].terms.len();
        self.tag_group(v, (0..terms).map(|t| self.term_value(v, t, root)).collect())
    }

    pub(crate) fn term_view(&self, v: usize, t: usize, root: &str) -> TermView {
        let voc = &self.lib.taxonomy.vocabularies[v];
        let term = &voc.terms[t];
        let (name, alt) = self.names(&term.label, term.label_zh.as_deref());
        TermView {
            vocab: voc.name.clone(),
            id: term.id.clone(),
            name,
            name_lang: self.fallback(term.label_zh.is_some()),
            alt,
            href: format!("{root}{}/{}.html", voc.name, term.id),
            // The profile's terms share its colours whatever the vocabulary is called.
            class: format!(
                "tag v-{} t{}{}",
                voc.name,
                t % 8,
                if self.lib.profile == Some(v) { " v-profile" } else { "" }
            ),
            count: self.lib.usage[v][t].len(),
        }
    }

    /// The label of the level `id` in the page's language (the taxonomy's `levels:`); empty
    /// for a case without a level.
    pub(crate) fn level_label(&self, id: Option<&str>) -> String {
        match id.and_then(|id| self.lib.taxonomy.level(id)) {
            Some(l) => self.pick(&l.label, l.label_zh.as_deref()),
            None => id.unwrap_or_default().to_string(),
        }
    }

    pub(crate) fn place_label(&self, p: &Place) -> String {
        match (self.lang(), p.describe_zh()) {
            (Language::ZhCn, Some(zh)) => zh,
            _ => p.describe(),
        }
    }

    /// A term as a template value; shared when `root` is `../`.
    pub(crate) fn term_value(&self, v: usize, t: usize, root: &str) -> tera::Value {
        match self.terms.get(v).and_then(|terms| terms.get(t)) {
            Some(value) if root == "../" => value.clone(),
            _ => tera::Value::from_serializable(&self.term_view(v, t, root)),
        }
    }

    /// Case `i` as listed on a page, as a template value; made once when `root` is `../`.
    pub(crate) fn item(&self, i: usize, root: &str) -> tera::Value {
        if root == "../" {
            self.items[i].get_or_init(|| tera::Value::from_serializable(&self.case_item(i, root))).clone()
        } else {
            tera::Value::from_serializable(&self.case_item(i, root))
        }
    }

    fn case_item(&self, i: usize, root: &str) -> CaseItem {
        let c = &self.lib.cases[i];
        let (title, title_alt) = c.title_in(self.lang);
        let (title, title_alt) = (title.to_string(), title_alt.map(str::to_string));
        let mut tags = Vec::new();
        for &v in &self.shown {
            for &t in &c.tags[v] {
                tags.push(self.term_value(v, t, root));
            }
        }
        CaseItem {
            id: c.id.clone(),
            href: format!("{root}cases/{}.html", c.id),
            // A Chinese title shows with the English one beside it.
            title_lang: self.fallback(c.title_in(Language::ZhCn).1.is_some()),
            title,
            title_alt,
            alt_lang: self.lang.other().tag(),
            summary: c.summary_in(self.lang).0.to_string(),
            place: self.place_label(&c.place),
            level: self.level_label(c.level.as_deref()),
            tags,
            date: DateView::of(c.date, self.lang),
            updated: DateView::of(c.updated, self.lang),
        }
    }

    /// What every page at `root` gets; `current` is the navigation entry it belongs to.
    pub(crate) fn base(
        &self,
        root: &str,
        title: String,
        description: String,
        kind: &'static str,
        current: &str,
    ) -> PageBase<'_> {
        let cfg = &self.lib.config;
        let (site_title, site_title_alt) = Localized::new(&cfg.title, cfg.title_zh.as_deref()).names(self.lang());
        let mut nav = Vec::new();
        for &v in &self.shown {
            let name = &self.lib.taxonomy.vocabularies[v].name;
            nav.push(NavItem {
                href: format!("{root}{name}/index.html"),
                label: self.vocab_label(v),
                label_lang: self.fallback(self.lib.taxonomy.vocabularies[v].label_zh.is_some()),
                current: current == name,
            });
        }
        for (key, href) in [("places", "places/index.html"), ("matrix", "matrix.html"), ("search", "search.html")] {
            nav.push(NavItem {
                href: format!("{root}{href}"),
                label: self.ui.text(key).to_string(),
                label_lang: None,
                current: current == key,
            });
        }
        let assets = self.assets_from(root);
        PageBase {
            lang: self.lang.tag(),
            assets,
            site_title,
            site_title_alt,
            root: root.to_string(),
            title,
            description,
            nav,
            breadcrumbs: vec![self.crumb(format!("{root}index.html"), "home")],
            extra_scripts: Vec::new(),
            kind,
        }
    }

    /// The site's root (where the assets and the published files are) from a page whose tree's
    /// root is `root`. A page of another language's tree is one folder further from it; the 404
    /// page's root is the base path (it is served at any depth).
    pub(crate) fn assets_from(&self, root: &str) -> String {
        if root.starts_with('/') {
            self.lib.config.base_path.clone()
        } else {
            format!("{root}{}", "../".repeat(self.prefix.matches('/').count()))
        }
    }

    /// A breadcrumb to `href` labelled with the UI string `key`.
    pub(crate) fn crumb(&self, href: String, key: &str) -> Link {
        Link { href, label: self.ui.text(key).to_string() }
    }
}

/// The file of page `page` (from 0) of a paginated list whose first page is `stem.html`.
pub(crate) fn page_path(stem: &str, page: usize) -> String {
    if page == 0 {
        format!("{stem}.html")
    } else {
        format!("{stem}-{}.html", page + 1)
    }
}

/// Page links for a paginated list whose first page is `stem.html`, relative to a page of it.
pub(crate) fn pager(stem: &str, page: usize, total: usize, prefix: &str) -> Pager {
    let href = |p: usize| format!("{prefix}{}", page_path(stem, p).rsplit('/').next().unwrap_or_default());
    // Show the first, the last and a window around the current page.
    let mut pages = Vec::new();
    for p in 0..total {
        if total <= 12 || p < 2 || p + 2 >= total || p.abs_diff(page) <= 3 {
            pages.push(Link { href: href(p), label: (p + 1).to_string() });
        } else if pages.last().is_some_and(|l: &Link| !l.label.is_empty()) {
            pages.push(Link { href: String::new(), label: String::new() });
        }
    }
    Pager {
        current: page + 1,
        total,
        prev: (page > 0).then(|| href(page - 1)),
        next: (page + 1 < total).then(|| href(page + 1)),
        pages,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pager_windows() {
        let p = pager("x", 0, 3, "");
        assert_eq!(p.pages.len(), 3);
        assert_eq!(p.next.as_deref(), Some("x-2.html"));
        assert!(p.prev.is_none());
        let p = pager("x", 50, 100, "");
        assert!(p.pages.len() < 20);
        assert_eq!(p.prev.as_deref(), Some("x-50.html"));
    }
}
