//! The matrix pages: for each shown vocabulary (the profile first), a table of cases × terms
//! whose cells count how strongly a case is tagged with a term; paginated by cases.

use super::case::profile_scores;
use crate::error::Result;
use crate::render::views::{page_path, pager, Link, Pager, TermView};
use crate::render::{Renderer, MATRIX_PAGE};
use rayon::prelude::*;
use serde::Serialize;

/// What `matrix.html` gets besides the page base.
#[derive(Serialize)]
struct MatrixPage {
    tables: Vec<Table>,
    pager: Pager,
}

/// The cases of one page × the terms of one vocabulary.
#[derive(Serialize)]
struct Table {
    vocab: String,
    label: String,
    columns: Vec<TermView>,
    rows: Vec<Row>,
    /// Cases per term, in the whole library.
    totals: Vec<usize>,
}

#[derive(Serialize)]
struct Row {
    case: Link,
    cells: Vec<Cell>,
}

/// One cell: its score (see [`profile_scores`]) and its class: `h0` for none, else the shade of
/// its value, `h1` … `h4` (4 and more), one scale for every term: the colour says how much,
/// never which term, so it means the same in a table of five terms or fifty. A tuple struct, so that templates get `[score, class]`:
/// the matrix has a cell per case and term, and Tera builds an array much faster than a map.
#[derive(Serialize)]
struct Cell(usize, String);

impl Renderer<'_> {
    pub(crate) fn matrices(&self) -> Result<()> {
        let lib = self.lib;
        let root = "";
        // The profile vocabulary first, then the others that are shown.
        let mut order: Vec<usize> = lib.profile.filter(|p| self.shown.contains(p)).into_iter().collect();
        order.extend(self.shown.iter().copied().filter(|v| Some(*v) != lib.profile));
        let total_pages = lib.cases.len().div_ceil(MATRIX_PAGE).max(1);
        (0..total_pages).into_par_iter().try_for_each(|page| {
            if !self.wants(&page_path("matrix", page)) {
                return Ok(());
            }
            let range = page * MATRIX_PAGE..((page + 1) * MATRIX_PAGE).min(lib.cases.len());
            let tables = order
                .iter()
                .map(|&v| {
                    let voc = &lib.taxonomy.vocabularies[v];
                    let rows: Vec<Row> = range
                        .clone()
                        .map(|i| {
                            let c = &lib.cases[i];
                            let title = self.pick(&c.title, c.title_zh.as_deref());
                            let scores = profile_scores(c, v, voc.terms.len());
                            Row {
                                case: Link { href: format!("{root}cases/{}.html", c.id), label: title },
                                cells: scores.iter().map(|&score| cell(score)).collect(),
                            }
                        })
                        .collect();
                    Table {
                        vocab: voc.name.clone(),
                        label: self.vocab_label(v),
                        columns: (0..voc.terms.len()).map(|t| self.term_view(v, t, root)).collect(),
                        totals: (0..voc.terms.len()).map(|t| lib.usage[v][t].len()).collect(),
                        rows,
                    }
                })
                .collect();
            let base = self.base(root, self.ui.text("matrix").to_string(), String::new(), "matrix", "matrix");
            self.page(
                "matrix.html",
                &page_path("matrix", page),
                &base,
                &MatrixPage { tables, pager: pager("matrix", page, total_pages, "") },
            )
        })
    }
}

/// The cell with `score`.
fn cell(score: usize) -> Cell {
    Cell(score, format!("h{}", score.min(4)))
}
