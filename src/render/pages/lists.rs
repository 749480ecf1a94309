//! The list of all cases, paginated (`cases/index.html`, `cases/index-2.html`, …).

use crate::error::Result;
use crate::render::views::{page_path, pager, Pager};
use crate::render::Renderer;
use rayon::prelude::*;
use serde::Serialize;

/// What `cases.html` gets besides the page base.
#[derive(Serialize)]
struct CaseListPage {
    cases: Vec<tera::Value>,
    total: usize,
    pager: Pager,
}

impl Renderer<'_> {
    pub(crate) fn case_lists(&self) -> Result<()> {
        let lib = self.lib;
        let root = "../";
        let size = lib.config.page_size;
        let total_pages = lib.cases.len().div_ceil(size).max(1);
        (0..total_pages).into_par_iter().try_for_each(|page| {
            if !self.wants(&page_path("cases/index", page)) {
                return Ok(());
            }
            let mut base = self.base(root, self.ui.text("all_cases").to_string(), String::new(), "cases", "cases");
            base.breadcrumbs.push(self.crumb(format!("{root}cases/index.html"), "cases"));
            let list = CaseListPage {
                cases: (page * size..((page + 1) * size).min(lib.cases.len())).map(|i| self.item(i, root)).collect(),
                total: lib.cases.len(),
                pager: pager("index", page, total_pages, ""),
            };
            self.page("cases.html", &page_path("cases/index", page), &base, &list)
        })
    }
}
