//! The vocabulary pages (every term of a vocabulary, with its definition and links) and the
//! term pages (a term's definition and the excerpts of the cases tagged with it, paginated).

use crate::error::Result;
use crate::model::{Case, Localized};
use crate::render::views::{page_path, pager, Pager, TagGroup, TermView};
use crate::render::Renderer;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What `vocabulary.html` gets besides the page base.
#[derive(Serialize)]
struct VocabularyPage {
    vocab: String,
    label: String,
    entries: Vec<VocabularyEntry>,
}

#[derive(Serialize)]
struct VocabularyEntry {
    term: TermView,
    definition: String,
    links: Vec<TagGroup>,
}

/// What `term.html` gets besides the page base.
#[derive(Serialize)]
struct TermPage<'a> {
    term: &'a TermView,
    vocab_label: String,
    definition: String,
    definition_alt: Option<&'a str>,
    countermeasure: Option<&'a str>,
    aliases: &'a [String],
    links: &'a [TagGroup],
    cases: Vec<CaseExcerpts>,
    pager: Pager,
}

/// A case on a term page, with its sections about the term.
#[derive(Serialize)]
struct CaseExcerpts {
    case: tera::Value,
    excerpts: Vec<Excerpt>,
}

#[derive(Serialize)]
struct Excerpt {
    anchor: String,
    href: String,
    title: String,
    html: tera::Value,
}

impl Renderer<'_> {
    pub(crate) fn vocabulary_pages(&self, v: usize) -> Result<()> {
        let voc = &self.lib.taxonomy.vocabularies[v];
        let root = "../";
        let label = self.vocab_label(v);
        if !self.wants(&format!("{}/index.html", voc.name)) {
            return (0..voc.terms.len()).into_par_iter().try_for_each(|t| self.term_pages(v, t));
        }
        let mut base = self.base(root, label.clone(), String::new(), "vocabulary", &voc.name);
        base.breadcrumbs
            .push(crate::render::views::Link { href: format!("{root}{}/index.html", voc.name), label: label.clone() });
        let entries: Vec<VocabularyEntry> = (0..voc.terms.len())
            .map(|t| VocabularyEntry {
                term: self.term_view(v, t, root),
                definition: self.definition(v, t),
                links: self.term_links(v, t, root),
            })
            .collect();
        self.page(
            "vocabulary.html",
            &format!("{}/index.html", voc.name),
            &base,
            &VocabularyPage { vocab: voc.name.clone(), label, entries },
        )?;
        (0..voc.terms.len()).into_par_iter().try_for_each(|t| self.term_pages(v, t))
    }

    pub(crate) fn definition(&self, v: usize, t: usize) -> String {
        let term = &self.lib.taxonomy.vocabularies[v].terms[t];
        self.pick(&term.definition, term.definition_zh.as_deref())
    }

    /// Terms this term links to, and terms that link to it, grouped by vocabulary.
    pub(crate) fn term_links(&self, v: usize, t: usize, root: &str) -> Vec<TagGroup> {
        let tax = &self.lib.taxonomy;
        let mut groups: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
        for (target, ids) in &tax.vocabularies[v].terms[t].links {
            groups.entry(*target).or_default().extend(ids.iter().copied());
        }
        for (ov, voc) in tax.vocabularies.iter().enumerate() {
            for (ot, term) in voc.terms.iter().enumerate() {
                if term.links.iter().any(|(target, ids)| *target == v && ids.contains(&t)) {
                    groups.entry(ov).or_default().insert(ot);
                }
            }
        }
        groups
            .into_iter()
            .filter(|(gv, _)| self.shown.contains(gv))
            .map(|(gv, ts)| self.tag_group(gv, ts.into_iter().map(|ot| self.term_value(gv, ot, root)).collect()))
            .collect()
    }

    fn term_pages(&self, v: usize, t: usize) -> Result<()> {
        let lib = self.lib;
        let voc = &lib.taxonomy.vocabularies[v];
        let term = &voc.terms[t];
        let root = "../";
        let users = &lib.usage[v][t];
        let size = lib.config.page_size;
        let total_pages = users.len().div_ceil(size).max(1);
        let view = self.term_view(v, t, root);
        // Not a `Localized`: a countermeasure may be given in Chinese only, and an English page
        // then shows none.
        let countermeasure = match (self.lang(), term.countermeasure_zh.as_deref()) {
            (crate::config::Language::ZhCn, Some(zh)) => Some(zh),
            _ => term.countermeasure.as_deref(),
        };
        let links = self.term_links(v, t, root);
        let definition_alt = Localized::new(&term.definition, term.definition_zh.as_deref()).other(self.lang());
        for page in 0..total_pages {
            let path = page_path(&format!("{}/{}", voc.name, term.id), page);
            if !self.wants(&path) {
                continue;
            }
            let mut base = self.base(root, view.name.clone(), self.definition(v, t), "term", &voc.name);
            base.breadcrumbs.push(crate::render::views::Link {
                href: format!("{root}{}/index.html", voc.name),
                label: self.vocab_label(v),
            });
            let cases = users
                .iter()
                .skip(page * size)
                .take(size)
                .map(|&ci| {
                    let c = &lib.cases[ci];
                    let excerpts = excerpt_sections(c, v, t)
                        .into_iter()
                        .map(|si| {
                            let s = &c.sections[si];
                            Excerpt {
                                anchor: s.anchor.clone(),
                                href: format!("{root}cases/{}.html#{}", c.id, s.anchor),
                                title: s.title.clone(),
                                html: self.section_html(ci)[si].clone(),
                            }
                        })
                        .collect();
                    CaseExcerpts { case: self.item(ci, root), excerpts }
                })
                .collect();
            let page_view = TermPage {
                term: &view,
                vocab_label: self.vocab_label(v),
                definition: self.definition(v, t),
                definition_alt,
                countermeasure,
                aliases: &term.aliases,
                links: &links,
                cases,
                pager: pager(&term.id, page, total_pages, ""),
            };
            self.page("term.html", &path, &base, &page_view)?;
        }
        Ok(())
    }
}

/// The sections of `c` shown as excerpts on the page of term `t` of vocabulary `v`: the sections
/// tagged with the term; if the case tags no section with this vocabulary at all (problems are
/// usually tagged on the case only), all its tagged sections.
fn excerpt_sections(c: &Case, v: usize, t: usize) -> Vec<usize> {
    let direct: Vec<usize> =
        c.sections.iter().enumerate().filter(|(_, s)| s.tags[v].contains(&t)).map(|(i, _)| i).collect();
    if !direct.is_empty() || c.sections.iter().any(|s| !s.tags[v].is_empty()) {
        return direct;
    }
    c.sections.iter().enumerate().filter(|(_, s)| s.is_tagged()).map(|(i, _)| i).collect()
}
