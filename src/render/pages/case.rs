//! The case pages: a case's facts, tags, profile, body, sources and related cases.

use crate::error::Result;
use crate::render::markdown::{self, LinkBase};
use crate::render::views::{Link, TagGroup};
use crate::render::{Renderer, RELATED};
use serde::Serialize;

/// What `case.html` gets besides the page base.
#[derive(Serialize)]
struct CasePage<'a> {
    case: tera::Value,
    title_alt: Option<String>,
    place_path: Vec<Link>,
    place_zh: Option<String>,
    place_en: String,
    groups: Vec<TagGroup>,
    /// The profile, drawn by `profile.svg`.
    profile: Option<String>,
    body: String,
    /// The language of the body when it is not the page's (a case not translated yet), and
    /// the notice that says so.
    body_lang: Option<&'static str>,
    untranslated: Option<String>,
    related: Vec<RelatedCase>,
    /// Each source as HTML (inline Markdown: links to the web, to cases, to `static/`, to the
    /// case's own files).
    sources: Vec<String>,
    summary_alt: Option<&'a str>,
    toc: Vec<Link>,
    source_file: &'a str,
}

/// A related case listed at the end of a case page.
#[derive(Serialize)]
struct RelatedCase {
    href: String,
    title: String,
    place: String,
    /// Tags the two cases share.
    shared: usize,
}

/// What `profile.svg` gets: the geometry of the drawing and one bar per term.
#[derive(Serialize)]
struct ProfileView<'a> {
    id: &'a str,
    width: usize,
    height: usize,
    label_width: usize,
    bar_width: usize,
    /// Where the numbers after the bars start.
    value_x: usize,
    bars: Vec<ProfileBar>,
    /// The page language's punctuation, for the numbers read out (`政治领导力：3；…`).
    colon: &'a str,
    semicolon: &'a str,
}

#[derive(Serialize)]
struct ProfileBar {
    name: String,
    score: usize,
    /// The top of the bar, and the baseline of its texts.
    y: usize,
    text_y: usize,
    /// The bar's length (0 for a term the case is not tagged with).
    width: usize,
    /// The term's colour class, `t0` … `t7`.
    colour: usize,
    /// The case's first term of the vocabulary.
    primary: bool,
}

/// Height of one bar's row, in SVG units; the bars leave room for the labels before them.
const PROFILE_ROW: usize = 26;
const PROFILE_LABEL_WIDTH: usize = 175;
// Narrow enough that the drawing is not scaled down in the fact box (its labels stay legible).
const PROFILE_BAR_WIDTH: usize = 100;

impl Renderer<'_> {
    pub(crate) fn case_page(&self, i: usize) -> Result<()> {
        let lib = self.lib;
        let c = &lib.cases[i];
        if self.only.is_some() && !self.wants(&format!("cases/{}.html", c.id)) {
            return Ok(());
        }
        let root = "../";
        let lang = self.lang();
        let text = self.case_text(i);
        let (title, title_alt) = c.title_in(lang);
        let (summary, summary_alt) = c.summary_in(lang);
        let mut base = self.base(root, title.to_string(), summary.to_string(), "case", "");
        base.breadcrumbs.push(self.crumb(format!("{root}cases/index.html"), "cases"));
        let groups: Vec<TagGroup> = self
            .shown
            .iter()
            .filter(|&&v| !c.tags[v].is_empty())
            .map(|&v| self.tag_group(v, c.tags[v].iter().map(|&t| self.term_value(v, t, root)).collect()))
            .collect();
        let related: Vec<RelatedCase> = lib
            .related(i, RELATED)
            .into_iter()
            .map(|(j, shared)| {
                let other = &lib.cases[j];
                RelatedCase {
                    href: format!("{}.html", other.id),
                    title: other.title_in(lang).0.to_string(),
                    place: self.place_label(&other.place),
                    shared,
                }
            })
            .collect();
        let toc: Vec<Link> = text
            .sections
            .iter()
            .filter(|s| s.level == 2)
            .map(|s| Link { href: format!("#{}", s.anchor), label: s.title.clone() })
            .collect();
        // The body and its tagged sections come from one rendering; term pages reuse the sections.
        let links = LinkBase { root, assets: &base.assets, case: Some(&c.id) };
        let html = markdown::case_html(text, links);
        let _ = self.sections[i].set(self.excerpts(text, html.sections));
        let body_lang = (text.lang != lang).then(|| text.lang.tag());
        let untranslated = body_lang.map(|_| {
            let name = |l: crate::config::Language| {
                self.ui.lookup(&format!("language_{}", l.tag())).unwrap_or(l.native_name()).to_string()
            };
            self.ui
                .text("untranslated_notice")
                .replace("{language}", &name(lang))
                .replace("{original}", &name(text.lang))
        });
        let page = CasePage {
            case: self.item(i, root),
            title_alt: title_alt.map(str::to_string),
            place_path: self.place_index.links(&c.place, root),
            place_zh: c.place.describe_zh(),
            place_en: c.place.describe(),
            groups,
            profile: self.profile_svg(i)?,
            body: html.body,
            body_lang,
            untranslated,
            related,
            sources: text.sources.iter().map(|s| markdown::inline_html(s, links)).collect(),
            summary_alt,
            toc,
            source_file: text.path,
        };
        self.page("case.html", &format!("cases/{}.html", c.id), &base, &page)
    }

    /// The profile: one bar per term of the profile vocabulary, drawn by `profile.svg`.
    fn profile_svg(&self, i: usize) -> Result<Option<String>> {
        let Some(v) = self.lib.profile else { return Ok(None) };
        let voc = &self.lib.taxonomy.vocabularies[v];
        let c = &self.lib.cases[i];
        let scores = profile_scores(c, v, voc.terms.len());
        let max = scores.iter().copied().max().unwrap_or(0).max(3);
        let bars = voc
            .terms
            .iter()
            .enumerate()
            .map(|(t, term)| {
                let y = 4 + t * PROFILE_ROW;
                let score = scores[t];
                ProfileBar {
                    name: self.pick(&term.label, term.label_zh.as_deref()),
                    score,
                    y,
                    text_y: y + 13,
                    width: if score == 0 { 0 } else { (PROFILE_BAR_WIDTH * score / max).max(4) },
                    colour: t % 8,
                    primary: c.tags[v].first() == Some(&t),
                }
            })
            .collect();
        let view = ProfileView {
            id: &c.id,
            width: PROFILE_LABEL_WIDTH + PROFILE_BAR_WIDTH + 40,
            height: PROFILE_ROW * voc.terms.len() + 8,
            label_width: PROFILE_LABEL_WIDTH,
            bar_width: PROFILE_BAR_WIDTH,
            value_x: PROFILE_LABEL_WIDTH + PROFILE_BAR_WIDTH + 6,
            bars,
            colon: self.ui.text("colon"),
            semicolon: self.ui.text("semicolon"),
        };
        self.fragment("profile.svg", &view).map(Some)
    }
}

/// Per term of vocabulary `v`: 0 if the case is not tagged with it, else 1 + the number of its
/// sections tagged with it.
pub(crate) fn profile_scores(c: &crate::model::Case, v: usize, n: usize) -> Vec<usize> {
    let mut scores = vec![0; n];
    for &t in &c.tags[v] {
        scores[t] = 1;
    }
    for s in &c.sections {
        for &t in &s.tags[v] {
            if scores[t] > 0 {
                scores[t] += 1;
            }
        }
    }
    scores
}
