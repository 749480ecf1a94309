//! The home page: the search box, the profile vocabulary as cards, "start from a problem" (the
//! terms of the `start_from` vocabulary with the terms that answer them), the other
//! vocabularies, and the first cases.

use crate::error::Result;
use crate::render::views::{TagGroup, TermView};
use crate::render::Renderer;
use serde::Serialize;

/// What `index.html` gets besides the page base.
#[derive(Serialize)]
struct HomePage {
    /// The profile vocabulary, when it is shown.
    profile: Option<TagGroup>,
    /// The terms of the `start_from` vocabulary; empty when there is none.
    start_from: Vec<Problem>,
    /// The heading of their section: the UI string with the vocabulary's label in it.
    start_from_title: String,
    /// The shown vocabularies but the profile.
    groups: Vec<TagGroup>,
    cases: Vec<tera::Value>,
    total: usize,
    more: bool,
}

/// A term to start from, with the terms linked to it (the practices that answer a problem).
#[derive(Serialize)]
struct Problem {
    term: TermView,
    definition: String,
    answers: Vec<tera::Value>,
}

impl Renderer<'_> {
    pub(crate) fn home(&self) -> Result<()> {
        if !self.wants("index.html") {
            return Ok(());
        }
        let lib = self.lib;
        let root = "";
        let title = self.pick(&lib.config.title, lib.config.title_zh.as_deref());
        let base = self.base(root, title, String::new(), "index", "home");
        let (profile, groups): (Vec<TagGroup>, Vec<TagGroup>) =
            self.shown.iter().map(|&v| self.whole_vocabulary(v, root)).partition(|g| g.is_profile);
        let start_from: Vec<Problem> = self
            .start_from
            .map(|pv| {
                (0..lib.taxonomy.vocabularies[pv].terms.len())
                    .map(|t| Problem {
                        term: self.term_view(pv, t, root),
                        definition: self.definition(pv, t),
                        answers: self.term_links(pv, t, root).into_iter().flat_map(|g| g.terms).collect(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let start_from_title = self.start_from.map_or_else(String::new, |v| {
            self.ui.text("start_from_problem").replace("{vocabulary}", &self.in_sentence(self.vocab_label(v)))
        });
        let shown_cases = lib.config.page_size.min(lib.cases.len());
        let page = HomePage {
            profile: profile.into_iter().next(),
            start_from,
            start_from_title,
            groups,
            cases: (0..shown_cases).map(|i| self.item(i, root)).collect(),
            total: lib.cases.len(),
            more: lib.cases.len() > shown_cases,
        };
        self.page("index.html", "index.html", &base, &page)
    }
}
