//! Render: turn the validated [`Library`] into the pages of the static site.
//!
//! Reads like a script: register the templates (built-in ones embedded in the binary, a
//! library's own `templates/` overriding any file by name), build small view structs for Tera
//! (the model stays free to change), render every page kind, and hand the bytes to the writer.
//! Markdown goes through pulldown-cmark; raw HTML in it is sanitized with ammonia; every link
//! the site makes is relative, so the output works under any sub-path and from `file://`.
//! Output is deterministic: no timestamps, no hash-map order.

use crate::config::Language;
use crate::diag::Diagnostic;
use crate::error::{Error, Result};
use crate::model::{slug, Case, Library, Place, Section};
use crate::parse::markdown_options;
use crate::write::Staging;
use pulldown_cmark::{html, Alignment, CowStr, Event, LinkType, Parser, Tag, TagEnd};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// The built-in theme: (name, contents). Templates are Tera files; the rest is copied as is.
const THEME: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("index.html", include_str!("../templates/index.html")),
    ("case.html", include_str!("../templates/case.html")),
    ("cases.html", include_str!("../templates/cases.html")),
    ("term.html", include_str!("../templates/term.html")),
    ("vocabulary.html", include_str!("../templates/vocabulary.html")),
    ("places.html", include_str!("../templates/places.html")),
    ("place.html", include_str!("../templates/place.html")),
    ("matrix.html", include_str!("../templates/matrix.html")),
    ("about.html", include_str!("../templates/about.html")),
    ("search.html", include_str!("../templates/search.html")),
    ("404.html", include_str!("../templates/404.html")),
    ("assets/style.css", include_str!("../templates/assets/style.css")),
    ("assets/site.js", include_str!("../templates/assets/site.js")),
    ("assets/search.js", include_str!("../templates/assets/search.js")),
];

/// Cases per page of the matrix (it is a table: denser than a list).
const MATRIX_PAGE: usize = 200;
/// Related cases shown on a case page.
const RELATED: usize = 8;
/// Cases in the Atom feed.
const FEED_ENTRIES: usize = 100;

/// A progress bar on stderr for long builds; silent otherwise. With `CASEBOOK_TIMING=1` in
/// the environment, each stage's wall and CPU time is printed instead (for benchmarks).
pub struct Progress(
    Option<indicatif::ProgressBar>,
    Option<std::sync::Mutex<(std::time::Instant, &'static str, [f64; 2])>>,
);

/// The process's user and system CPU seconds so far, where the system tells (Linux's
/// `/proc/self/stat`, in ticks of 1/100 s); zeros elsewhere.
fn cpu_seconds() -> [f64; 2] {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let fields: Vec<&str> = stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0) / 100.0;
    [ticks(11), ticks(12)]
}

impl Progress {
    pub fn new(enabled: bool, cases: usize) -> Progress {
        use std::io::IsTerminal;
        if enabled && cases >= 2000 && std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(cases as u64);
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{spinner} {msg:12} [{bar:30}] {pos}/{len} {elapsed}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            Progress(Some(bar), None)
        } else if std::env::var_os("CASEBOOK_TIMING").is_some() {
            Progress(None, Some(std::sync::Mutex::new((std::time::Instant::now(), "start", cpu_seconds()))))
        } else {
            Progress(None, None)
        }
    }

    /// Marks the start of a stage.
    pub fn stage(&self, msg: &'static str, len: usize) {
        if let Some(timing) = &self.1 {
            if let Ok(mut t) = timing.lock() {
                let cpu = cpu_seconds();
                let (user, sys) = (cpu[0] - t.2[0], cpu[1] - t.2[1]);
                let memory = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
                let kb = |key: &str| {
                    memory.lines().find_map(|l| l.strip_prefix(key)).map_or(String::from("?"), |v| v.trim().to_string())
                };
                eprintln!(
                    "timing: {:<10} {:>7.3} s  (cpu: {user:.2} s user, {sys:.2} s system; memory: {}, peak {})",
                    t.1,
                    t.0.elapsed().as_secs_f64(),
                    kb("VmRSS:"),
                    kb("VmHWM:")
                );
                *t = (std::time::Instant::now(), msg, cpu);
            }
        }
        if let Some(bar) = &self.0 {
            bar.set_message(msg);
            bar.set_length(len as u64);
            bar.set_position(0);
        }
    }

    fn tick(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }

    pub fn finish(&self) {
        self.stage("", 0);
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// User-interface strings
// ---------------------------------------------------------------------------------------------

/// UI strings in the site's language (keys are used by the templates as `ui.key`).
fn ui(lang: Language) -> BTreeMap<&'static str, &'static str> {
    let pairs: &[(&str, &str, &str)] = &[
        ("home", "首页", "Home"),
        ("cases", "案例", "Cases"),
        ("all_cases", "全部案例", "All cases"),
        ("places", "地区", "Places"),
        ("matrix", "矩阵", "Matrix"),
        ("about", "关于", "About"),
        ("search", "搜索", "Search"),
        ("search_placeholder", "搜索案例、做法、问题…", "Search cases, practices, problems…"),
        ("search_button", "搜索", "Search"),
        ("start_from_problem", "从问题出发", "Start from a problem"),
        ("start_from_problem_intro", "选择您所在社区面临的问题，查看其他地方的做法。", "Pick the problem your community faces and see what others did."),
        ("browse", "浏览", "Browse"),
        ("place", "地点", "Place"),
        ("level", "层级", "Level"),
        ("summary", "摘要", "Summary"),
        ("sources", "来源", "Sources"),
        ("related_cases", "相关案例", "Related cases"),
        ("shared_tags", "个共同标签", "shared tags"),
        ("profile", "概况", "Profile"),
        ("definition", "定义", "Definition"),
        ("countermeasure", "对策", "Countermeasure"),
        ("related_terms", "相关条目", "Related terms"),
        ("excerpts", "案例摘录", "Excerpts from the cases"),
        ("no_excerpt", "该案例没有对应的段落，请阅读全文。", "This case has no matching section; read the whole case."),
        ("read_case", "阅读案例", "Read the case"),
        ("in_context", "在原文中查看", "In context"),
        ("copy_link", "复制链接", "Copy link"),
        ("link_copied", "链接已复制", "Link copied"),
        ("page", "第 {n} 页", "Page {n}"),
        ("previous", "上一页", "Previous"),
        ("next", "下一页", "Next"),
        ("pages", "分页", "Pages"),
        ("case_count", "个案例", "cases"),
        ("term", "条目", "Term"),
        ("matrix_intro", "每个单元格的数字表示该案例中标注此项的段落数加一（0 表示未标注）；颜色越深，数值越大。", "Each cell shows 1 plus the number of the case's sections tagged with the term (0: not tagged); darker means more."),
        ("matrix_total", "合计", "Total"),
        ("not_found", "页面不存在", "Page not found"),
        ("not_found_text", "找不到您要的页面。可以从首页或搜索开始。", "The page you asked for does not exist. Start from the home page or search."),
        ("skip", "跳到正文", "Skip to content"),
        ("built_with", "由 casebook 生成", "Built with casebook"),
        ("source_file", "源文件", "Source file"),
        ("feed", "订阅", "Feed"),
        ("data", "数据", "Data"),
        ("results", "结果", "results"),
        ("no_results", "没有找到结果。试试其他词语，或减少筛选条件。", "No results. Try other words or fewer filters."),
        ("filters", "筛选", "Filters"),
        ("clear_filters", "清除筛选", "Clear filters"),
        ("loading", "正在加载索引…", "Loading the index…"),
        ("search_help", "输入中文或英文词语；勾选筛选条件（不同类别之间为“且”，同一类别内为“或”）。", "Type words in Chinese or English; tick filters (AND across groups, OR within one)."),
        ("no_js", "搜索页需要 JavaScript。也可以按五力、问题、做法或地区浏览。", "The search page needs JavaScript. You can also browse by force, problem, practice or place."),
        ("level_street", "街道", "Street"),
        ("level_community", "社区", "Community"),
        ("level_city", "城市", "City"),
        ("primary", "主要", "primary"),
        ("about_text", "本站由 casebook 根据结构化案例库生成：每个案例都经过校验，按五力、做法、问题和地区编排，可离线浏览和检索。", "This site is generated by casebook from a structured case library: every case is validated and organized by force, practice, problem and place, and can be browsed and searched offline."),
        ("vocabularies", "分类", "Vocabularies"),
        ("print", "打印", "Print"),
        ("on_this_page", "本页内容", "On this page"),
        ("breadcrumbs", "导航路径", "Breadcrumbs"),
        ("main_nav", "主导航", "Main navigation"),
    ];
    pairs.iter().map(|(k, zh, en)| (*k, if lang == Language::En { *en } else { *zh })).collect()
}

// ---------------------------------------------------------------------------------------------
// Views: small structs made for the templates
// ---------------------------------------------------------------------------------------------

#[derive(Serialize, Clone)]
struct Link {
    href: String,
    label: String,
}

#[derive(Serialize, Clone)]
struct NavItem {
    href: String,
    label: String,
    current: bool,
}

/// A term as a tag or a list entry.
#[derive(Serialize, Clone)]
struct TermView {
    vocab: String,
    id: String,
    name: String,
    alt: Option<String>,
    href: String,
    /// CSS classes: `tag v-forces t3` (t = position in its vocabulary, for the colour).
    class: String,
    count: usize,
}

#[derive(Serialize)]
struct TagGroup {
    vocab: String,
    label: String,
    /// Serialized [`TermView`]s (made once for pages at `../`, see [`Site::term_value`]).
    terms: Vec<tera::Value>,
}

#[derive(Serialize)]
struct CaseItem {
    id: String,
    href: String,
    title: String,
    title_alt: Option<String>,
    summary: String,
    place: String,
    level: String,
    /// [`TermView`]s, as template values (shared, see [`Site::term_value`]).
    tags: Vec<tera::Value>,
}

#[derive(Serialize)]
struct Pager {
    current: usize,
    total: usize,
    prev: Option<String>,
    next: Option<String>,
    pages: Vec<Link>,
}

/// What every page gets.
#[derive(Serialize)]
struct PageBase<'a> {
    lang: &'static str,
    site_title: &'a str,
    site_title_alt: Option<&'a str>,
    root: String,
    title: String,
    description: String,
    nav: Vec<NavItem>,
    breadcrumbs: Vec<Link>,
    extra_scripts: Vec<String>,
    /// `index` / `case` / `term` / ...: the body's class.
    kind: &'static str,
}

// ---------------------------------------------------------------------------------------------
// The renderer
// ---------------------------------------------------------------------------------------------

/// Everything the page functions share.
struct Site<'a> {
    lib: &'a Library,
    tera: tera::Tera,
    ui: BTreeMap<&'static str, &'static str>,
    staging: &'a Staging,
    /// Templates the library overrides (for error messages).
    overridden: BTreeSet<String>,
    pages: AtomicUsize,
    /// Rendered HTML of each case's tagged sections: `sections[case][section]` (empty if untagged);
    /// set by the case pages, computed on first use by [`render_only`]. Template values: a
    /// value's text is shared, not copied, by every page that shows it.
    sections: Vec<OnceLock<Vec<tera::Value>>>,
    /// Each case as listed on a page one folder deep ([`CaseItem`] with root `../`), made once:
    /// a case is listed on a dozen pages (its terms, its places, the list of cases).
    items: Vec<OnceLock<tera::Value>>,
    /// Each term as shown in those lists ([`TermView`] with root `../`): `terms[v][t]`.
    terms: Vec<Vec<tera::Value>>,
    /// Vocabularies that get navigation and pages.
    shown: Vec<usize>,
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
/// re-renders the pages that depend on an edited case ([`pages_showing`], [`pages_of_term`],
/// [`pages_of_place`]).
pub fn render_only(
    lib: &Library,
    overrides: &[(String, Vec<u8>)],
    staging: &Staging,
    only: &BTreeSet<String>,
) -> Result<usize> {
    render_with(lib, overrides, staging, &Progress(None, None), Some(only))
}

fn render_with(
    lib: &Library,
    overrides: &[(String, Vec<u8>)],
    staging: &Staging,
    progress: &Progress,
    only: Option<&BTreeSet<String>>,
) -> Result<usize> {
    progress.stage("templates", 0);
    let (mut tera, overridden) = templates(overrides)?;
    tera.global_context().insert("ui", &ui(lib.config.language));
    if only.is_none() {
        write_assets(overrides, staging)?;
    }

    // Filled by the case pages (or on demand, when only some pages are rendered).
    let sections: Vec<OnceLock<Vec<tera::Value>>> = lib.cases.iter().map(|_| OnceLock::new()).collect();
    let items: Vec<OnceLock<tera::Value>> = lib.cases.iter().map(|_| OnceLock::new()).collect();

    let shown = shown(lib);
    let mut site = Site {
        lib,
        tera,
        ui: ui(lib.config.language),
        staging,
        overridden,
        pages: AtomicUsize::new(0),
        sections,
        items,
        terms: Vec::new(),
        shown,
        place_index: PlaceTree::build(lib),
        only,
    };
    site.terms = (0..lib.taxonomy.vocabularies.len())
        .map(|v| {
            let terms = lib.taxonomy.vocabularies[v].terms.len();
            (0..terms).map(|t| tera::Value::from_serializable(&site.term_view(v, t, "../"))).collect()
        })
        .collect();

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
    let (data, pages) = rayon::join(
        || site.cases_json().and_then(|()| site.sitemap()).and_then(|()| site.feed()),
        || -> Result<()> {
            site.home()?;
            site.case_lists()?;
            site.places()?;
            site.matrices()?;
            site.simple_page("about.html", "about.html", "about")?;
            site.simple_page("search.html", "search.html", "search")?;
            site.not_found()
        },
    );
    pages.and(data)?;
    // The browser's search index (static_index) is derived from the tantivy index: lib.rs writes it.
    Ok(site.pages.load(Ordering::Relaxed))
}

/// The vocabularies that get navigation and pages.
fn shown(lib: &Library) -> Vec<usize> {
    match &lib.config.vocabularies {
        Some(names) => names.iter().filter_map(|n| lib.taxonomy.vocabulary_index(n)).collect(),
        None => (0..lib.taxonomy.vocabularies.len()).collect(),
    }
}

/// The HTML of each tagged section of a case (empty strings for the others).
fn sections_html(case: &Case) -> Vec<tera::Value> {
    case_html(case, "../").1.into_iter().map(tera::Value::from).collect()
}

/// The built-in templates with the library's overrides on top.
fn templates(overrides: &[(String, Vec<u8>)]) -> Result<(tera::Tera, BTreeSet<String>)> {
    let mut tera = tera::Tera::default();
    let mut sources: BTreeMap<String, (String, bool)> = THEME
        .iter()
        .filter(|(name, _)| name.ends_with(".html"))
        .map(|(n, s)| (n.to_string(), (s.to_string(), false)))
        .collect();
    for (name, bytes) in overrides {
        if name.ends_with(".html") {
            let text = crate::load::decode(&format!("templates/{name}"), bytes.clone())
                .map_err(|d| Error::Content(vec![d]))?;
            sources.insert(name.clone(), (text, true));
        }
    }
    let all: Vec<(&str, &str)> = sources.iter().map(|(n, (t, _))| (n.as_str(), t.as_str())).collect();
    if let Err(e) = tera.add_raw_templates(all) {
        // Name the template the error is in, and point at its line when Tera says where.
        let full = e.to_string();
        let culprit = sources
            .keys()
            .find(|n| full.contains(&format!("--> {n}:")))
            .or_else(|| sources.keys().find(|n| full.contains(&format!("'{n}'"))))
            .cloned()
            .unwrap_or_default();
        let (text, overridden) = sources.get(&culprit).map_or((None, false), |(t, o)| (Some(t.as_str()), *o));
        return Err(template_error(&culprit, overridden, &e, text));
    }
    let overridden = sources.iter().filter(|(_, (_, o))| *o).map(|(n, _)| n.clone()).collect();
    Ok((tera, overridden))
}

/// A Tera error as a diagnostic naming the template file and line.
fn template_error(name: &str, overridden: bool, e: &tera::Error, text: Option<&str>) -> Error {
    let file = format!("templates/{name}");
    let hint = if overridden {
        "fix the template; see README.md, \"Templates\""
    } else {
        "this is casebook's built-in template: please report it; a library can override it with its own templates/ file"
    };
    let full = e.to_string();
    // Tera reports " --> name:line:col"; take the innermost such location.
    let mut line = 0;
    let mut column = 0;
    let mut in_file = file.clone();
    for l in full.lines() {
        if let Some(rest) = l.trim().strip_prefix("--> ") {
            let mut parts = rest.rsplitn(3, ':');
            let c = parts.next().and_then(|x| x.parse().ok());
            let ln = parts.next().and_then(|x| x.parse().ok());
            if let (Some(c), Some(ln), Some(n)) = (c, ln, parts.next()) {
                line = ln;
                column = c;
                in_file = if n == name { file.clone() } else { format!("templates/{n}") };
            }
        }
    }
    let message = full
        .lines()
        .find(|l| l.trim_start().starts_with("error:"))
        .map(|l| l.trim_start().trim_start_matches("error:").trim().to_string())
        .unwrap_or_else(|| full.lines().next().unwrap_or("template error").to_string());
    let mut d = Diagnostic::error(&in_file, "template", message).hint(hint);
    if line > 0 {
        d = match text.filter(|_| in_file == file) {
            Some(t) => d.at(t, line, column),
            None => {
                d.line = line;
                d.column = column;
                d
            }
        };
    }
    Error::Content(vec![d])
}

fn write_assets(overrides: &[(String, Vec<u8>)], staging: &Staging) -> Result<()> {
    let mut assets: BTreeMap<String, Vec<u8>> = THEME
        .iter()
        .filter(|(name, _)| !name.ends_with(".html"))
        .map(|(n, s)| (n.to_string(), s.as_bytes().to_vec()))
        .collect();
    for (name, bytes) in overrides {
        if !name.ends_with(".html") {
            assets.insert(name.clone(), bytes.clone());
        }
    }
    for (name, bytes) in &assets {
        staging.write(name, bytes.as_slice())?;
    }
    Ok(())
}

impl Site<'_> {
    /// Is the page (or data file) at `path` to be rendered?
    fn wants(&self, path: &str) -> bool {
        self.only.is_none_or(|only| only.contains(path))
    }

    fn section_html(&self, case: usize) -> &[tera::Value] {
        self.sections[case].get_or_init(|| sections_html(&self.lib.cases[case]))
    }

    fn lang(&self) -> Language {
        self.lib.config.language
    }

    /// Primary and secondary label in the UI language.
    fn names(&self, en: &str, zh: Option<&str>) -> (String, Option<String>) {
        match (self.lang(), zh) {
            (Language::ZhCn, Some(zh)) => (zh.to_string(), Some(en.to_string())),
            (Language::En, Some(zh)) => (en.to_string(), Some(zh.to_string())),
            (_, None) => (en.to_string(), None),
        }
    }

    fn vocab_label(&self, v: usize) -> String {
        let voc = &self.lib.taxonomy.vocabularies[v];
        self.names(&voc.label, voc.label_zh.as_deref()).0
    }

    fn term_view(&self, v: usize, t: usize, root: &str) -> TermView {
        let voc = &self.lib.taxonomy.vocabularies[v];
        let term = &voc.terms[t];
        let (name, alt) = self.names(&term.label, term.label_zh.as_deref());
        TermView {
            vocab: voc.name.clone(),
            id: term.id.clone(),
            name,
            alt,
            href: format!("{root}{}/{}.html", voc.name, term.id),
            class: format!("tag v-{} t{}", voc.name, t % 8),
            count: self.lib.usage[v][t].len(),
        }
    }

    fn level_label(&self, level: &str) -> String {
        self.ui.get(format!("level_{level}").as_str()).map_or_else(|| level.to_string(), |s| s.to_string())
    }

    fn place_label(&self, p: &Place) -> String {
        match (self.lang(), p.describe_zh()) {
            (Language::ZhCn, Some(zh)) => zh,
            _ => p.describe(),
        }
    }

    /// A term as a template value; shared when `root` is `../`.
    fn term_value(&self, v: usize, t: usize, root: &str) -> tera::Value {
        match self.terms.get(v).and_then(|terms| terms.get(t)) {
            Some(value) if root == "../" => value.clone(),
            _ => tera::Value::from_serializable(&self.term_view(v, t, root)),
        }
    }

    /// Case `i` as listed on a page, as a template value; made once when `root` is `../`.
    fn item(&self, i: usize, root: &str) -> tera::Value {
        if root == "../" {
            self.items[i].get_or_init(|| tera::Value::from_serializable(&self.case_item(i, root))).clone()
        } else {
            tera::Value::from_serializable(&self.case_item(i, root))
        }
    }

    fn case_item(&self, i: usize, root: &str) -> CaseItem {
        let c = &self.lib.cases[i];
        let (title, title_alt) = self.names(&c.title, c.title_zh.as_deref());
        let summary = match (self.lang(), &c.summary_zh) {
            (Language::ZhCn, Some(zh)) => zh.clone(),
            _ => c.summary.clone(),
        };
        let mut tags = Vec::new();
        for &v in &self.shown {
            for &t in &c.tags[v] {
                tags.push(self.term_value(v, t, root));
            }
        }
        CaseItem {
            id: c.id.clone(),
            href: format!("{root}cases/{}.html", c.id),
            title,
            title_alt,
            summary,
            place: self.place_label(&c.place),
            level: self.level_label(&c.level),
            tags,
        }
    }

    fn base(&self, root: &str, title: String, description: String, kind: &'static str, current: &str) -> PageBase<'_> {
        let cfg = &self.lib.config;
        let (site_title, site_title_alt) = match (self.lang(), &cfg.title_zh) {
            (Language::ZhCn, Some(zh)) => (zh.as_str(), Some(cfg.title.as_str())),
            (_, zh) => (cfg.title.as_str(), zh.as_deref()),
        };
        let mut nav = Vec::new();
        for &v in &self.shown {
            let name = &self.lib.taxonomy.vocabularies[v].name;
            nav.push(NavItem {
                href: format!("{root}{name}/index.html"),
                label: self.vocab_label(v),
                current: current == name,
            });
        }
        for (key, href) in [("places", "places/index.html"), ("matrix", "matrix.html"), ("search", "search.html")] {
            nav.push(NavItem {
                href: format!("{root}{href}"),
                label: self.ui[key].to_string(),
                current: current == key,
            });
        }
        PageBase {
            lang: cfg.language.tag(),
            site_title,
            site_title_alt,
            root: root.to_string(),
            title,
            description,
            nav,
            breadcrumbs: vec![Link { href: format!("{root}index.html"), label: self.ui["home"].to_string() }],
            extra_scripts: Vec::new(),
            kind,
        }
    }

    /// Renders `template` with `base` and `extra`, writes it to `path`.
    fn page<T: Serialize>(&self, template: &str, path: &str, base: &PageBase, extra: &T) -> Result<()> {
        if !self.wants(path) {
            return Ok(());
        }
        let mut ctx =
            tera::Context::from_serialize(extra).map_err(|e| Error::internal(format!("template context: {e}")))?;
        ctx.insert("base", base);
        let mut out = Vec::with_capacity(16 * 1024);
        self.tera
            .render_to(template, &ctx, &mut out)
            .map_err(|e| template_error(template, self.overridden.contains(template), &e, None))?;
        self.staging.write(path, out)?;
        self.pages.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    // ----- case pages -------------------------------------------------------------------

    fn case_page(&self, i: usize) -> Result<()> {
        let lib = self.lib;
        let c = &lib.cases[i];
        if self.only.is_some() && !self.wants(&format!("cases/{}.html", c.id)) {
            return Ok(());
        }
        let root = "../";
        let (title, title_alt) = self.names(&c.title, c.title_zh.as_deref());
        let mut base = self.base(root, title.clone(), c.summary.clone(), "case", "");
        base.breadcrumbs.push(Link { href: format!("{root}cases/index.html"), label: self.ui["cases"].to_string() });
        let groups: Vec<TagGroup> = self
            .shown
            .iter()
            .filter(|&&v| !c.tags[v].is_empty())
            .map(|&v| TagGroup {
                vocab: lib.taxonomy.vocabularies[v].name.clone(),
                label: self.vocab_label(v),
                terms: c.tags[v].iter().map(|&t| self.term_value(v, t, root)).collect(),
            })
            .collect();
        #[derive(Serialize)]
        struct Related {
            href: String,
            title: String,
            place: String,
            shared: usize,
        }
        let related: Vec<Related> = lib
            .related(i, RELATED)
            .into_iter()
            .map(|(j, shared)| {
                let other = &lib.cases[j];
                Related {
                    href: format!("{}.html", other.id),
                    title: self.names(&other.title, other.title_zh.as_deref()).0,
                    place: self.place_label(&other.place),
                    shared,
                }
            })
            .collect();
        let toc: Vec<Link> = c
            .sections
            .iter()
            .filter(|s| s.level == 2)
            .map(|s| Link { href: format!("#{}", s.anchor), label: s.title.clone() })
            .collect();
        #[derive(Serialize)]
        struct V<'a> {
            case: tera::Value,
            title_alt: Option<String>,
            place_path: Vec<Link>,
            place_zh: Option<String>,
            place_en: String,
            groups: Vec<TagGroup>,
            profile: Option<String>,
            body: String,
            related: Vec<Related>,
            sources: &'a [String],
            summary_alt: Option<&'a str>,
            toc: Vec<Link>,
            source_file: &'a str,
        }
        let summary_alt = match self.lang() {
            Language::ZhCn if c.summary_zh.is_some() => Some(c.summary.as_str()),
            Language::En => c.summary_zh.as_deref(),
            _ => None,
        };
        // The body and its tagged sections come from one rendering; term pages reuse the sections.
        let (body, sections) = case_html(c, root);
        let _ = self.sections[i].set(sections.into_iter().map(tera::Value::from).collect());
        let v = V {
            case: self.item(i, root),
            title_alt,
            place_path: self.place_index.links(&c.place, root),
            place_zh: c.place.describe_zh(),
            place_en: c.place.describe(),
            groups,
            profile: self.profile_svg(i),
            body,
            related,
            sources: &c.sources,
            summary_alt,
            toc,
            source_file: &c.path,
        };
        self.page("case.html", &format!("cases/{}.html", c.id), &base, &v)
    }

    /// The force profile: one bar per term of the profile vocabulary, as inline SVG with
    /// classes only (no style attributes), and a text equivalent for screen readers.
    fn profile_svg(&self, i: usize) -> Option<String> {
        let v = self.lib.profile?;
        let voc = &self.lib.taxonomy.vocabularies[v];
        let c = &self.lib.cases[i];
        let scores = profile_scores(c, v, voc.terms.len());
        let max = scores.iter().copied().max().unwrap_or(0).max(3);
        let row = 26;
        let label_w = 150;
        let bar_w = 200;
        let height = row * voc.terms.len() + 8;
        let mut svg = String::new();
        let mut desc = Vec::new();
        let _ = write!(
            svg,
            "<svg class=\"profile\" viewBox=\"0 0 {w} {height}\" width=\"{w}\" height=\"{height}\" role=\"img\" aria-labelledby=\"profile-desc-{id}\"><title id=\"profile-desc-{id}\">",
            w = label_w + bar_w + 40,
            id = c.id
        );
        for (t, term) in voc.terms.iter().enumerate() {
            let (name, _) = self.names(&term.label, term.label_zh.as_deref());
            desc.push(format!("{name}: {}", scores[t]));
        }
        svg.push_str(&escape(&desc.join("; ")));
        svg.push_str("</title>");
        for (t, term) in voc.terms.iter().enumerate() {
            let (name, _) = self.names(&term.label, term.label_zh.as_deref());
            let y = 4 + t * row;
            let w = if scores[t] == 0 { 0 } else { (bar_w * scores[t] / max).max(4) };
            let primary = c.tags[v].first() == Some(&t);
            let _ = write!(
                svg,
                "<text x=\"0\" y=\"{ty}\" class=\"profile-label\">{}</text><rect x=\"{label_w}\" y=\"{y}\" width=\"{bar_w}\" height=\"16\" class=\"profile-track\"/><rect x=\"{label_w}\" y=\"{y}\" width=\"{w}\" height=\"16\" class=\"profile-bar t{}{}\"/><text x=\"{tx}\" y=\"{ty}\" class=\"profile-value\">{}{}</text>",
                escape(&name),
                t % 8,
                if primary { " primary" } else { "" },
                scores[t],
                if primary { " ★" } else { "" },
                ty = y + 13,
                tx = label_w + bar_w + 6,
            );
        }
        svg.push_str("</svg>");
        Some(svg)
    }

    // ----- vocabulary and term pages ------------------------------------------------------

    fn vocabulary_pages(&self, v: usize) -> Result<()> {
        let lib = self.lib;
        let voc = &lib.taxonomy.vocabularies[v];
        let root = "../";
        let label = self.vocab_label(v);
        if !self.wants(&format!("{}/index.html", voc.name)) {
            return (0..voc.terms.len()).into_par_iter().try_for_each(|t| self.term_pages(v, t));
        }
        let mut base = self.base(root, label.clone(), String::new(), "vocabulary", &voc.name);
        base.breadcrumbs.push(Link { href: format!("{root}{}/index.html", voc.name), label: label.clone() });
        #[derive(Serialize)]
        struct Entry {
            term: TermView,
            definition: String,
            links: Vec<TagGroup>,
        }
        let entries: Vec<Entry> = (0..voc.terms.len())
            .map(|t| Entry {
                term: self.term_view(v, t, root),
                definition: self.definition(v, t),
                links: self.term_links(v, t, root),
            })
            .collect();
        #[derive(Serialize)]
        struct V {
            vocab: String,
            label: String,
            entries: Vec<Entry>,
        }
        self.page(
            "vocabulary.html",
            &format!("{}/index.html", voc.name),
            &base,
            &V { vocab: voc.name.clone(), label, entries },
        )?;
        (0..voc.terms.len()).into_par_iter().try_for_each(|t| self.term_pages(v, t))
    }

    fn definition(&self, v: usize, t: usize) -> String {
        let term = &self.lib.taxonomy.vocabularies[v].terms[t];
        match (self.lang(), &term.definition_zh) {
            (Language::ZhCn, Some(zh)) => zh.clone(),
            _ => term.definition.clone(),
        }
    }

    /// Terms this term links to, and terms that link to it, grouped by vocabulary.
    fn term_links(&self, v: usize, t: usize, root: &str) -> Vec<TagGroup> {
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
            .map(|(gv, ts)| TagGroup {
                vocab: tax.vocabularies[gv].name.clone(),
                label: self.vocab_label(gv),
                terms: ts.into_iter().map(|ot| self.term_value(gv, ot, root)).collect(),
            })
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
        let countermeasure = match (self.lang(), &term.countermeasure_zh) {
            (Language::ZhCn, Some(zh)) => Some(zh.clone()),
            _ => term.countermeasure.clone(),
        };
        let links = self.term_links(v, t, root);
        #[derive(Serialize)]
        struct Excerpt {
            anchor: String,
            href: String,
            title: String,
            html: tera::Value,
        }
        #[derive(Serialize)]
        struct CaseExcerpts {
            case: tera::Value,
            excerpts: Vec<Excerpt>,
        }
        #[derive(Serialize)]
        struct V<'a> {
            term: &'a TermView,
            vocab_label: String,
            definition: String,
            definition_alt: Option<String>,
            countermeasure: Option<String>,
            aliases: &'a [String],
            links: &'a [TagGroup],
            cases: Vec<CaseExcerpts>,
            pager: Pager,
        }
        let definition_alt = match self.lang() {
            Language::ZhCn if term.definition_zh.is_some() => Some(term.definition.clone()),
            Language::En => term.definition_zh.clone(),
            _ => None,
        };
        for page in 0..total_pages {
            let path = page_path(&format!("{}/{}", voc.name, term.id), page);
            if !self.wants(&path) {
                continue;
            }
            let mut base = self.base(root, view.name.clone(), self.definition(v, t), "term", &voc.name);
            base.breadcrumbs.push(Link { href: format!("{root}{}/index.html", voc.name), label: self.vocab_label(v) });
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
            let v = V {
                term: &view,
                vocab_label: self.vocab_label(v),
                definition: self.definition(v, t),
                definition_alt: definition_alt.clone(),
                countermeasure: countermeasure.clone(),
                aliases: &term.aliases,
                links: &links,
                cases,
                pager: pager(&term.id, page, total_pages, ""),
            };
            self.page("term.html", &path, &base, &v)?;
        }
        Ok(())
    }

    // ----- home, lists, places, matrix ----------------------------------------------------

    fn home(&self) -> Result<()> {
        if !self.wants("index.html") {
            return Ok(());
        }
        let lib = self.lib;
        let root = "";
        let (title, _) = self.names(&lib.config.title, lib.config.title_zh.as_deref());
        let base = self.base(root, title, String::new(), "index", "home");
        let groups: Vec<TagGroup> = self
            .shown
            .iter()
            .map(|&v| TagGroup {
                vocab: lib.taxonomy.vocabularies[v].name.clone(),
                label: self.vocab_label(v),
                terms: (0..lib.taxonomy.vocabularies[v].terms.len()).map(|t| self.term_value(v, t, root)).collect(),
            })
            .collect();
        let problems = self.shown.iter().copied().find(|&v| lib.taxonomy.vocabularies[v].name == "problems");
        let profile = lib.profile.filter(|p| self.shown.contains(p));
        #[derive(Serialize)]
        struct Problem {
            term: TermView,
            definition: String,
            answers: Vec<tera::Value>,
        }
        let problem_list: Vec<Problem> = problems
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
        #[derive(Serialize)]
        struct V {
            profile: Option<TagGroup>,
            problems: Vec<Problem>,
            groups: Vec<TagGroup>,
            cases: Vec<tera::Value>,
            total: usize,
            more: bool,
        }
        let shown_cases = lib.config.page_size.min(lib.cases.len());
        let v = V {
            profile: profile
                .and_then(|p| groups.iter().position(|g| g.vocab == lib.taxonomy.vocabularies[p].name))
                .map(|i| {
                    let g = &groups[i];
                    TagGroup { vocab: g.vocab.clone(), label: g.label.clone(), terms: g.terms.clone() }
                }),
            problems: problem_list,
            groups: groups
                .into_iter()
                .filter(|g| Some(g.vocab.as_str()) != profile.map(|p| lib.taxonomy.vocabularies[p].name.as_str()))
                .collect(),
            cases: (0..shown_cases).map(|i| self.item(i, root)).collect(),
            total: lib.cases.len(),
            more: lib.cases.len() > shown_cases,
        };
        self.page("index.html", "index.html", &base, &v)
    }

    fn case_lists(&self) -> Result<()> {
        let lib = self.lib;
        let root = "../";
        let size = lib.config.page_size;
        let total_pages = lib.cases.len().div_ceil(size).max(1);
        #[derive(Serialize)]
        struct V {
            cases: Vec<tera::Value>,
            total: usize,
            pager: Pager,
        }
        (0..total_pages).into_par_iter().try_for_each(|page| {
            if !self.wants(&page_path("cases/index", page)) {
                return Ok(());
            }
            let mut base = self.base(root, self.ui["all_cases"].to_string(), String::new(), "cases", "cases");
            base.breadcrumbs
                .push(Link { href: format!("{root}cases/index.html"), label: self.ui["cases"].to_string() });
            let v = V {
                cases: (page * size..((page + 1) * size).min(lib.cases.len())).map(|i| self.item(i, root)).collect(),
                total: lib.cases.len(),
                pager: pager("index", page, total_pages, ""),
            };
            self.page("cases.html", &page_path("cases/index", page), &base, &v)
        })
    }

    fn places(&self) -> Result<()> {
        let root = "../";
        let tree = &self.place_index;
        let mut base = self.base(root, self.ui["places"].to_string(), String::new(), "places", "places");
        base.breadcrumbs.push(Link { href: format!("{root}places/index.html"), label: self.ui["places"].to_string() });
        #[derive(Serialize)]
        struct Node {
            label: String,
            href: String,
            count: usize,
            children: Vec<Node>,
        }
        let nodes: Vec<Node> = tree
            .provinces
            .iter()
            .map(|(pk, p)| Node {
                label: p.label.clone(),
                href: format!("{}.html", pk),
                count: p.count,
                children: p
                    .cities
                    .iter()
                    .map(|(ck, c)| Node {
                        label: c.label.clone(),
                        href: format!("{pk}/{ck}.html"),
                        count: c.cases.len(),
                        children: Vec::new(),
                    })
                    .collect(),
            })
            .collect();
        #[derive(Serialize)]
        struct V {
            nodes: Vec<Node>,
        }
        self.page("places.html", "places/index.html", &base, &V { nodes })?;

        #[derive(Serialize)]
        struct PlaceV {
            label: String,
            children: Vec<Link>,
            units: Vec<(String, Vec<tera::Value>)>,
            cases: Vec<tera::Value>,
            pager: Pager,
        }
        let size = self.lib.config.page_size;
        // A province's cases: those of its cities and its own.
        let all: BTreeMap<&String, Vec<usize>> = tree
            .provinces
            .iter()
            .map(|(pk, p)| {
                let cases: BTreeSet<usize> =
                    p.cities.values().flat_map(|c| c.cases.iter().copied()).chain(p.direct.iter().copied()).collect();
                (pk, cases.into_iter().collect())
            })
            .collect();
        // Every page of every province and city (province, city, page, pages), rendered in
        // parallel.
        let mut jobs: Vec<(&String, Option<&String>, usize, usize)> = Vec::new();
        for (pk, p) in &tree.provinces {
            let total_pages = all[pk].len().div_ceil(size).max(1);
            jobs.extend((0..total_pages).map(|page| (pk, None, page, total_pages)));
            for (ck, c) in &p.cities {
                let total_pages = c.cases.len().div_ceil(size).max(1);
                jobs.extend((0..total_pages).map(|page| (pk, Some(ck), page, total_pages)));
            }
        }
        jobs.into_par_iter().try_for_each(|(pk, city, page, total_pages)| {
            let p = &tree.provinces[pk];
            let Some(ck) = city else {
                // Province page: its cities, then its cases.
                if !self.wants(&page_path(&format!("places/{pk}"), page)) {
                    return Ok(());
                }
                let root = "../";
                let mut base = self.base(root, p.label.clone(), String::new(), "place", "places");
                base.breadcrumbs
                    .push(Link { href: format!("{root}places/index.html"), label: self.ui["places"].to_string() });
                let v = PlaceV {
                    label: p.label.clone(),
                    children: p
                        .cities
                        .iter()
                        .map(|(ck, c)| Link {
                            href: format!("{pk}/{ck}.html"),
                            label: format!("{} ({})", c.label, c.cases.len()),
                        })
                        .collect(),
                    units: Vec::new(),
                    cases: all[pk].iter().skip(page * size).take(size).map(|&i| self.item(i, root)).collect(),
                    pager: pager(pk, page, total_pages, ""),
                };
                return self.page("place.html", &page_path(&format!("places/{pk}"), page), &base, &v);
            };
            let c = &p.cities[ck];
            if !self.wants(&page_path(&format!("places/{pk}/{ck}"), page)) {
                return Ok(());
            }
            let root = "../../";
            let mut base = self.base(root, c.label.clone(), String::new(), "place", "places");
            base.breadcrumbs
                .push(Link { href: format!("{root}places/index.html"), label: self.ui["places"].to_string() });
            base.breadcrumbs.push(Link { href: format!("../{pk}.html"), label: p.label.clone() });
            let mut units: BTreeMap<String, Vec<tera::Value>> = BTreeMap::new();
            for &i in c.cases.iter().skip(page * size).take(size) {
                let case = &self.lib.cases[i];
                let unit = match (self.lang(), &case.place.unit_zh, &case.place.unit) {
                    (Language::ZhCn, Some(zh), _) => zh.clone(),
                    (_, _, Some(u)) => u.clone(),
                    (_, Some(zh), None) => zh.clone(),
                    _ => c.label.clone(),
                };
                units.entry(unit).or_default().push(self.item(i, root));
            }
            let v = PlaceV {
                label: c.label.clone(),
                children: Vec::new(),
                units: units.into_iter().collect(),
                cases: Vec::new(),
                pager: pager(ck, page, total_pages, ""),
            };
            self.page("place.html", &page_path(&format!("places/{pk}/{ck}"), page), &base, &v)
        })
    }

    fn matrices(&self) -> Result<()> {
        let lib = self.lib;
        let root = "";
        // The profile vocabulary first, then the others that are shown.
        let mut order: Vec<usize> = lib.profile.filter(|p| self.shown.contains(p)).into_iter().collect();
        order.extend(self.shown.iter().copied().filter(|v| Some(*v) != lib.profile));
        let total_pages = lib.cases.len().div_ceil(MATRIX_PAGE).max(1);
        #[derive(Serialize)]
        struct Row {
            case: Link,
            cells: Vec<(usize, String)>,
        }
        #[derive(Serialize)]
        struct Table {
            vocab: String,
            label: String,
            columns: Vec<TermView>,
            rows: Vec<Row>,
            totals: Vec<usize>,
        }
        #[derive(Serialize)]
        struct V {
            tables: Vec<Table>,
            pager: Pager,
        }
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
                            let (title, _) = self.names(&c.title, c.title_zh.as_deref());
                            let scores = profile_scores(c, v, voc.terms.len());
                            Row {
                                case: Link { href: format!("{root}cases/{}.html", c.id), label: title },
                                cells: scores
                                    .iter()
                                    .enumerate()
                                    .map(|(t, &s)| {
                                        (s, if s == 0 { "h0".to_string() } else { format!("h{} t{}", s.min(4), t % 8) })
                                    })
                                    .collect(),
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
            let base = self.base(root, self.ui["matrix"].to_string(), String::new(), "matrix", "matrix");
            self.page(
                "matrix.html",
                &page_path("matrix", page),
                &base,
                &V { tables, pager: pager("matrix", page, total_pages, "") },
            )
        })
    }

    fn simple_page(&self, template: &str, path: &str, kind: &'static str) -> Result<()> {
        if !self.wants(path) {
            return Ok(());
        }
        let root = "";
        let title = self.ui[kind].to_string();
        let mut base = self.base(root, title, String::new(), kind, kind);
        if kind == "search" {
            base.extra_scripts.push(format!("{root}assets/search.js"));
        }
        #[derive(Serialize)]
        struct V {
            vocabularies: Vec<TagGroup>,
            cases: usize,
            levels: Vec<(String, String)>,
            provinces: Vec<(String, String)>,
        }
        let v = V {
            vocabularies: self
                .shown
                .iter()
                .map(|&v| TagGroup {
                    vocab: self.lib.taxonomy.vocabularies[v].name.clone(),
                    label: self.vocab_label(v),
                    terms: (0..self.lib.taxonomy.vocabularies[v].terms.len())
                        .map(|t| self.term_value(v, t, root))
                        .collect(),
                })
                .collect(),
            cases: self.lib.cases.len(),
            levels: crate::validate::LEVELS.iter().map(|l| (l.to_string(), self.level_label(l))).collect(),
            provinces: {
                let mut seen: BTreeMap<&str, String> = BTreeMap::new();
                for c in &self.lib.cases {
                    seen.entry(c.place.province.as_str()).or_insert_with(|| {
                        match (self.lang(), &c.place.province_zh) {
                            (Language::ZhCn, Some(zh)) => zh.clone(),
                            _ => c.place.province.clone(),
                        }
                    });
                }
                seen.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            },
        };
        self.page(template, path, &base, &v)
    }

    /// The 404 page is served by a web server at any depth, so its links use the base path.
    fn not_found(&self) -> Result<()> {
        let root = self.lib.config.base_path.clone();
        let base = self.base(&root, self.ui["not_found"].to_string(), String::new(), "notfound", "");
        self.page("404.html", "404.html", &base, &serde_json::json!({}))
    }

    // ----- machine-readable outputs -------------------------------------------------------

    fn absolute(&self, rel: &str) -> String {
        let cfg = &self.lib.config;
        let origin = cfg.base_url.as_deref().unwrap_or("").trim_end_matches('/');
        format!("{origin}{}{rel}", cfg.base_path)
    }

    fn sitemap(&self) -> Result<()> {
        if !self.wants("sitemap.xml") {
            return Ok(());
        }
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
        let mut add = |rel: &str| {
            let _ = writeln!(xml, "  <url><loc>{}</loc></url>", escape(&self.absolute(rel)));
        };
        add("index.html");
        for c in &self.lib.cases {
            add(&format!("cases/{}.html", c.id));
        }
        for &v in &self.shown {
            let voc = &self.lib.taxonomy.vocabularies[v];
            add(&format!("{}/index.html", voc.name));
            for t in &voc.terms {
                add(&format!("{}/{}.html", voc.name, t.id));
            }
        }
        add("places/index.html");
        add("matrix.html");
        add("about.html");
        xml.push_str("</urlset>\n");
        self.staging.write("sitemap.xml", xml.as_bytes())
    }

    /// An Atom feed of the cases (the newest 100 by id order; no dates are invented: the feed's
    /// `updated` is a fixed epoch so that builds stay byte-identical).
    fn feed(&self) -> Result<()> {
        if !self.wants("feed.xml") {
            return Ok(());
        }
        let cfg = &self.lib.config;
        let mut xml =
            String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
        let _ = writeln!(xml, "  <title>{}</title>", escape(&cfg.title));
        let _ = writeln!(xml, "  <id>{}</id>", escape(&self.absolute("feed.xml")));
        let _ = writeln!(xml, "  <link rel=\"self\" href=\"{}\"/>", escape(&self.absolute("feed.xml")));
        let _ = writeln!(xml, "  <link href=\"{}\"/>", escape(&self.absolute("index.html")));
        xml.push_str("  <updated>1970-01-01T00:00:00Z</updated>\n  <author><name>casebook</name></author>\n");
        for c in self.lib.cases.iter().take(FEED_ENTRIES) {
            let url = self.absolute(&format!("cases/{}.html", c.id));
            let _ = write!(
                xml,
                "  <entry>\n    <title>{}</title>\n    <id>{}</id>\n    <link href=\"{}\"/>\n    <updated>1970-01-01T00:00:00Z</updated>\n    <summary>{}</summary>\n  </entry>\n",
                escape(&c.title),
                escape(&url),
                escape(&url),
                escape(&c.summary)
            );
        }
        xml.push_str("</feed>\n");
        self.staging.write("feed.xml", xml.as_bytes())
    }

    /// `cases.json`: the whole validated library as data (schema in README.md).
    fn cases_json(&self) -> Result<()> {
        if !self.wants("cases.json") {
            return Ok(());
        }
        let lib = self.lib;
        let tax = &lib.taxonomy;
        let vocabularies: Vec<serde_json::Value> = tax
            .vocabularies
            .iter()
            .map(|voc| {
                serde_json::json!({
                    "name": voc.name,
                    "label": voc.label,
                    "label_zh": voc.label_zh,
                    "terms": voc.terms.iter().map(|t| {
                        let links: serde_json::Map<String, serde_json::Value> = t.links.iter().map(|(lv, ids)| {
                            (tax.vocabularies[*lv].name.clone(), ids.iter().map(|&i| tax.vocabularies[*lv].terms[i].id.clone()).collect::<Vec<_>>().into())
                        }).collect();
                        serde_json::json!({
                            "id": t.id, "label": t.label, "label_zh": t.label_zh,
                            "definition": t.definition, "definition_zh": t.definition_zh,
                            "aliases": t.aliases, "countermeasure": t.countermeasure,
                            "countermeasure_zh": t.countermeasure_zh, "links": links,
                        })
                    }).collect::<Vec<_>>(),
                })
            })
            .collect();
        // One case at a time: a 100,000-case library never becomes one JSON tree in memory.
        let case_value = |c: &Case| {
            let tags: serde_json::Map<String, serde_json::Value> = tax
                .vocabularies
                .iter()
                .enumerate()
                .map(|(v, voc)| {
                    (voc.name.clone(), c.tags[v].iter().map(|&t| voc.terms[t].id.clone()).collect::<Vec<_>>().into())
                })
                .collect();
            let sections: Vec<serde_json::Value> = c
                .sections
                .iter()
                .map(|s| {
                    let stags: serde_json::Map<String, serde_json::Value> = tax
                        .vocabularies
                        .iter()
                        .enumerate()
                        .filter(|(v, _)| !s.tags[*v].is_empty())
                        .map(|(v, voc)| {
                            (
                                voc.name.clone(),
                                s.tags[v].iter().map(|&t| voc.terms[t].id.clone()).collect::<Vec<_>>().into(),
                            )
                        })
                        .collect();
                    serde_json::json!({"anchor": s.anchor, "title": s.title, "level": s.level, "tags": stags})
                })
                .collect();
            serde_json::json!({
                "id": c.id, "url": format!("cases/{}.html", c.id), "title": c.title, "title_zh": c.title_zh,
                "place": c.place, "level": c.level, "summary": c.summary, "summary_zh": c.summary_zh,
                "sources": c.sources, "tags": tags, "sections": sections, "body_markdown": c.body(),
            })
        };
        let head = serde_json::json!({
            "format": "casebook/cases.json",
            "language": lib.config.language.tag(),
            "title": lib.config.title,
            "version": 1,
            "vocabularies": vocabularies,
        });
        self.staging.write_with("cases.json", |w| {
            // The head's keys, then "cases" last (keys stay in alphabetical order but for it).
            let head = serde_json::to_string(&head).map_err(std::io::Error::other)?;
            w.write_all(&head.as_bytes()[..head.len() - 1])?;
            w.write_all(b",\"cases\":[")?;
            for (i, c) in lib.cases.iter().enumerate() {
                if i > 0 {
                    w.write_all(b",")?;
                }
                serde_json::to_writer(&mut *w, &case_value(c)).map_err(std::io::Error::other)?;
            }
            w.write_all(b"]}")
        })
    }
}

/// Per term of vocabulary `v`: 0 if the case is not tagged with it, else 1 + the number of its
/// sections tagged with it.
fn profile_scores(c: &Case, v: usize, n: usize) -> Vec<usize> {
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

fn page_path(stem: &str, page: usize) -> String {
    if page == 0 {
        format!("{stem}.html")
    } else {
        format!("{stem}-{}.html", page + 1)
    }
}

/// Page links for a paginated list whose first page is `stem.html`, relative to a page of it.
fn pager(stem: &str, page: usize, total: usize, prefix: &str) -> Pager {
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

// ---------------------------------------------------------------------------------------------
// Places
// ---------------------------------------------------------------------------------------------

struct PlaceTree {
    /// slug → province
    provinces: BTreeMap<String, ProvinceNode>,
}

struct ProvinceNode {
    label: String,
    count: usize,
    cities: BTreeMap<String, CityNode>,
    /// Cases with a province but no city.
    direct: Vec<usize>,
}

struct CityNode {
    label: String,
    cases: Vec<usize>,
}

fn place_slug(name: &str, fallback: &str) -> String {
    let s = slug(name);
    if s.is_empty() {
        slug(fallback)
    } else {
        s
    }
}

impl PlaceTree {
    fn build(lib: &Library) -> PlaceTree {
        let zh = lib.config.language == Language::ZhCn;
        let pick = |en: &str, zh_name: &Option<String>| match (zh, zh_name) {
            (true, Some(z)) => format!("{z} {en}"),
            _ => en.to_string(),
        };
        let mut provinces: BTreeMap<String, ProvinceNode> = BTreeMap::new();
        for (i, c) in lib.cases.iter().enumerate() {
            let p = &c.place;
            let pk = place_slug(&p.province, "province");
            let node = provinces.entry(pk).or_insert_with(|| ProvinceNode {
                label: pick(&p.province, &p.province_zh),
                count: 0,
                cities: BTreeMap::new(),
                direct: Vec::new(),
            });
            node.count += 1;
            match &p.city {
                Some(city) => {
                    let ck = place_slug(city, "city");
                    node.cities
                        .entry(ck)
                        .or_insert_with(|| CityNode { label: pick(city, &p.city_zh), cases: Vec::new() })
                        .cases
                        .push(i);
                }
                None => node.direct.push(i),
            }
        }
        PlaceTree { provinces }
    }

    /// Breadcrumb links for a case's place: province page, city page.
    fn links(&self, p: &Place, root: &str) -> Vec<Link> {
        let pk = place_slug(&p.province, "province");
        let mut out = Vec::new();
        if let Some(node) = self.provinces.get(&pk) {
            out.push(Link { href: format!("{root}places/{pk}.html"), label: node.label.clone() });
            if let Some(city) = &p.city {
                let ck = place_slug(city, "city");
                if let Some(cn) = node.cities.get(&ck) {
                    out.push(Link { href: format!("{root}places/{pk}/{ck}.html"), label: cn.label.clone() });
                }
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------------

/// The body of a case page as HTML (section anchors as heading ids), and the HTML of each
/// tagged section's content (empty strings for the other sections), from one rendering: the
/// sections are cut out of the body's HTML, so an excerpt shows what the case page shows
/// (reference links and footnotes defined elsewhere in the body included).
fn case_html(c: &Case, root: &str) -> (String, Vec<String>) {
    let body = c.body();
    // Markers at the section boundaries: text in the Unicode private use area, which Markdown
    // and the sanitizer leave alone. A body that holds such characters itself is rendered a
    // section at a time instead.
    let mark = |end: char, k: usize| format!("{MARK_OPEN}{end}{k}{MARK_CLOSE}\n");
    let mut marks: Vec<(usize, String)> = Vec::new();
    if !body.contains(MARK_OPEN) {
        for (k, s) in c.sections.iter().enumerate().filter(|(_, s)| s.is_tagged()) {
            marks.push((s.content.start, mark('s', k)));
            marks.push((s.content.end, mark('e', k)));
        }
        marks.sort_by_key(|m| m.0);
    }
    let marked = render_markdown_marked(body, root, &c.sections, &marks);
    let separately = || -> Vec<String> {
        let one = |s: &Section| detach(&markdown_to_html(c.section_markdown(s), root), root, &c.id);
        c.sections.iter().map(|s| if s.is_tagged() { one(s) } else { String::new() }).collect()
    };
    if marks.is_empty() {
        return (marked, separately());
    }
    let mut sections = vec![String::new(); c.sections.len()];
    // Sections come in order: each is looked for after the start of the one before.
    let mut from = 0;
    for (k, _) in c.sections.iter().enumerate().filter(|(_, s)| s.is_tagged()) {
        let (open, close) = (mark('s', k), mark('e', k));
        let open_at = marked[from..].find(&open).map(|a| from + a);
        let close_at = open_at.and_then(|a| marked[a..].find(&close).map(|b| a + b));
        match (open_at, close_at) {
            (Some(a), Some(b)) if a + open.len() <= b => {
                sections[k] = detach(&strip_marks(&marked[a + open.len()..b]), root, &c.id);
                from = a;
            }
            // The sanitizer moved a marker (raw HTML around a heading), or a heading sits
            // inside another block: fall back.
            _ => return (strip_marks(&marked), separately()),
        }
    }
    (strip_marks(&marked), sections)
}

/// `html` without the markers of [`case_html`] (each with the line break that ends it).
fn strip_marks(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(MARK_OPEN) {
        out.push_str(&rest[..at]);
        rest = rest[at..].find(MARK_CLOSE).map_or("", |end| &rest[at + end + MARK_CLOSE.len_utf8()..]);
        rest = rest.strip_prefix('\n').unwrap_or(rest);
    }
    out.push_str(rest);
    out
}

/// HTML cut out of a case page, made fit for another page: its ids are dropped (they belong to
/// the case page, and two cases may use the same), and links to an anchor of the case page
/// (a footnote, another section) point at the case page.
fn detach(html: &str, root: &str, id: &str) -> String {
    let case_page = format!("href=\"{root}cases/{id}.html#");
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(" id=\"") {
        out.push_str(&rest[..at]);
        let value = &rest[at + 5..];
        rest = value.find('"').map_or("", |end| &value[end + 1..]);
    }
    out.push_str(rest);
    out.replace("href=\"#", &case_page)
}

const MARK_OPEN: char = '\u{E000}';
const MARK_CLOSE: char = '\u{E001}';

/// Renders Markdown (no section anchors) for excerpts; `root` prefixes `case:` links.
pub fn markdown_to_html(markdown: &str, root: &str) -> String {
    render_markdown(markdown, root, &[])
}

/// Markdown → safe HTML. Heading attributes are replaced by the validated anchors; `case:`
/// links become relative links; URLs with other schemes than http(s), mailto and relative
/// ones are dropped; remote images become links (the site loads nothing from outside); raw
/// HTML, when present, is sanitized by ammonia; table alignment becomes a class (the CSP
/// forbids style attributes).
fn render_markdown(markdown: &str, root: &str, sections: &[Section]) -> String {
    render_markdown_marked(markdown, root, sections, &[])
}

/// [`render_markdown`], with each of `marks` (sorted by offset) written as text before the first
/// block that starts at or after its offset in `markdown`.
fn render_markdown_marked(markdown: &str, root: &str, sections: &[Section], marks: &[(usize, String)]) -> String {
    let mut heading_no = 0;
    let mut has_raw_html = false;
    let mut image_depth = 0usize;
    let mut events = Vec::new();
    let mut marks = marks.iter().peekable();
    // Blocks open around the next event: a mark due inside one (a heading in a list) is
    // dropped, so that a slice between two marks never cuts through an element.
    let mut depth = 0usize;
    // Table cells are aligned by class (`al`, `ac`, `ar` in the style sheet), never by a style
    // attribute, which the Content-Security-Policy forbids: the table's alignments, whether
    // the head is open, and the cell's column.
    let mut table: (Vec<Alignment>, bool, usize) = (Vec::new(), false, 0);
    for (event, range) in Parser::new_ext(markdown, markdown_options()).into_offset_iter() {
        while let Some((_, mark)) = marks.next_if(|(at, _)| *at <= range.start) {
            if depth == 0 {
                events.push(Event::Text(mark.as_str().into()));
            }
        }
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        let event = match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let id = sections.get(heading_no).map(|s| CowStr::from(s.anchor.clone()));
                heading_no += 1;
                Event::Start(Tag::Heading { level, id, classes: Vec::new(), attrs: Vec::new() })
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                Event::Start(Tag::Link { link_type, dest_url: safe_url(&dest_url, root).into(), title, id })
            }
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                if is_local(&dest_url) {
                    Event::Start(Tag::Image { link_type, dest_url: safe_url(&dest_url, root).into(), title, id })
                } else {
                    // Keep the alt text as a link to the image; never load it.
                    image_depth += 1;
                    Event::Start(Tag::Link {
                        link_type: LinkType::Inline,
                        dest_url: safe_url(&dest_url, root).into(),
                        title,
                        id,
                    })
                }
            }
            Event::End(TagEnd::Image) if image_depth > 0 => {
                image_depth -= 1;
                Event::End(TagEnd::Link)
            }
            Event::Start(Tag::Table(alignments)) => {
                let none = vec![Alignment::None; alignments.len()];
                table = (alignments, false, 0);
                Event::Start(Tag::Table(none))
            }
            Event::Start(Tag::TableHead) => {
                table.1 = true;
                table.2 = 0;
                Event::Start(Tag::TableHead)
            }
            Event::End(TagEnd::TableHead) => {
                table.1 = false;
                Event::End(TagEnd::TableHead)
            }
            Event::Start(Tag::TableRow) => {
                table.2 = 0;
                Event::Start(Tag::TableRow)
            }
            Event::Start(Tag::TableCell) => {
                let class = match table.0.get(table.2) {
                    Some(Alignment::Left) => "al",
                    Some(Alignment::Center) => "ac",
                    Some(Alignment::Right) => "ar",
                    _ => "",
                };
                table.2 += 1;
                match (class, table.1) {
                    ("", _) => Event::Start(Tag::TableCell),
                    (class, true) => Event::Html(format!("<th class=\"{class}\">").into()),
                    (class, false) => Event::Html(format!("<td class=\"{class}\">").into()),
                }
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                has_raw_html = true;
                Event::Html(h)
            }
            other => other,
        };
        events.push(event);
    }
    events.extend(marks.map(|(_, mark)| Event::Text(mark.as_str().into())));
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    if has_raw_html {
        out = sanitizer().clean(&out).to_string();
    }
    out
}

/// The documented safe set for raw HTML in cases: ammonia's defaults (text formatting, lists,
/// tables, links, images) plus details/summary and figure/figcaption; heading ids and the
/// alignment classes casebook itself emits. No script, style, iframe, object, form, event
/// handler, style attribute, or `javascript:`/`data:` URL survives.
fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_tags(["details", "summary", "figure", "figcaption", "mark", "section"]);
        for h in ["h1", "h2", "h3", "h4", "h5", "h6"] {
            b.add_tag_attributes(h, ["id"]);
        }
        b.add_tag_attributes("li", ["id"]);
        b.add_tag_attributes("sup", ["id", "class"]);
        b.add_tag_attributes("div", ["id", "class"]);
        for cell in ["th", "td"] {
            b.add_tag_attributes(cell, ["class"]);
        }
        b.url_schemes(["http", "https", "mailto"].into_iter().collect());
        b.url_relative(ammonia::UrlRelative::PassThrough);
        b.link_rel(Some("noopener noreferrer"));
        b
    })
}

fn is_local(url: &str) -> bool {
    !url.contains(':') || url.starts_with("case:")
}

/// Rewrites `case:ID#anchor` to a relative link and drops dangerous schemes.
fn safe_url(url: &str, root: &str) -> String {
    if let Some(rest) = url.strip_prefix("case:") {
        let (id, anchor) = rest.split_once('#').map_or((rest, None), |(i, a)| (i, Some(a)));
        return match anchor {
            Some(a) => format!("{root}cases/{id}.html#{a}"),
            None => format!("{root}cases/{id}.html"),
        };
    }
    let lower: String =
        url.trim().chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect::<String>().to_ascii_lowercase();
    let scheme_end = lower.find(':');
    let first_sep = lower.find(['/', '?', '#']);
    match scheme_end {
        Some(i) if first_sep.is_none_or(|s| i < s) => {
            let scheme = &lower[..i];
            if matches!(scheme, "http" | "https" | "mailto") {
                url.to_string()
            } else {
                "#".to_string()
            }
        }
        _ => url.to_string(),
    }
}

pub use crate::html::escape;

// ---------------------------------------------------------------------------------------------
// Which pages show what (for `serve`'s incremental rebuilds)

/// The pages and data files whose content shows case `case`: its own page, the page of each of
/// its terms' lists it is on, its page of the list of all cases, its province's and city's
/// pages, the home page and the feed when it is among the first cases, its matrix page, and
/// `cases.json`. (Other cases' pages show it among their [`related`] cases.)
pub fn pages_showing(lib: &Library, case: usize) -> Vec<String> {
    let c = &lib.cases[case];
    let size = lib.config.page_size;
    let mut out = vec![
        format!("cases/{}.html", c.id),
        page_path("cases/index", case / size),
        page_path("matrix", case / MATRIX_PAGE),
        "cases.json".to_string(),
    ];
    if case < size {
        out.push("index.html".to_string());
    }
    if case < FEED_ENTRIES {
        out.push("feed.xml".to_string());
    }
    for v in shown(lib) {
        let voc = &lib.taxonomy.vocabularies[v];
        for &t in &c.tags[v] {
            if let Some(at) = lib.usage[v][t].iter().position(|&x| x == case) {
                out.push(page_path(&format!("{}/{}", voc.name, voc.terms[t].id), at / size));
            }
        }
    }
    let pk = place_slug(&c.place.province, "province");
    let province = |o: &Case| place_slug(&o.place.province, "province") == pk;
    let before = lib.cases[..case].iter().filter(|o| province(o)).count();
    out.push(page_path(&format!("places/{pk}"), before / size));
    if let Some(city) = &c.place.city {
        let ck = place_slug(city, "city");
        let before = lib.cases[..case]
            .iter()
            .filter(|o| province(o) && o.place.city.as_deref().is_some_and(|oc| place_slug(oc, "city") == ck))
            .count();
        out.push(page_path(&format!("places/{pk}/{ck}"), before / size));
    }
    out
}

/// The pages that count or list the cases of term `t` of vocabulary `v`: every page of the
/// term, its vocabulary's index, the home page, and the matrix pages (their totals row).
pub fn pages_of_term(lib: &Library, v: usize, t: usize) -> Vec<String> {
    if !shown(lib).contains(&v) {
        return Vec::new();
    }
    let voc = &lib.taxonomy.vocabularies[v];
    let stem = format!("{}/{}", voc.name, voc.terms[t].id);
    let mut out: Vec<String> =
        (0..lib.usage[v][t].len().div_ceil(lib.config.page_size).max(1)).map(|p| page_path(&stem, p)).collect();
    out.push(format!("{}/index.html", voc.name));
    out.push("index.html".to_string());
    out.extend((0..lib.cases.len().div_ceil(MATRIX_PAGE).max(1)).map(|p| page_path("matrix", p)));
    out
}

/// The pages that list or count the cases of `place`'s province and city: the index of places,
/// every page of the province and of the city, and the search page (it lists the provinces).
pub fn pages_of_place(lib: &Library, place: &Place) -> Vec<String> {
    let size = lib.config.page_size;
    let pk = place_slug(&place.province, "province");
    let ck = place.city.as_deref().map(|c| place_slug(c, "city"));
    let (mut in_province, mut in_city) = (0usize, 0usize);
    for c in &lib.cases {
        if place_slug(&c.place.province, "province") == pk {
            in_province += 1;
            if ck.is_some() && c.place.city.as_deref().map(|c| place_slug(c, "city")) == ck {
                in_city += 1;
            }
        }
    }
    let mut out = vec!["places/index.html".to_string(), "search.html".to_string()];
    out.extend((0..in_province.div_ceil(size).max(1)).map(|p| page_path(&format!("places/{pk}"), p)));
    if let Some(ck) = ck {
        out.extend((0..in_city.div_ceil(size).max(1)).map(|p| page_path(&format!("places/{pk}/{ck}"), p)));
    }
    out
}

/// The related cases a case page shows: (case, number of shared tags).
pub fn related(lib: &Library, case: usize) -> Vec<(usize, usize)> {
    lib.related(case, RELATED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dangerous_urls_are_dropped() {
        assert_eq!(safe_url("javascript:alert(1)", ""), "#");
        assert_eq!(safe_url("JaVaScRiPt:alert(1)", ""), "#");
        assert_eq!(safe_url("java\tscript:alert(1)", ""), "#");
        assert_eq!(safe_url("data:text/html,x", ""), "#");
        assert_eq!(safe_url("https://example.org/a", ""), "https://example.org/a");
        assert_eq!(safe_url("other.html#x", ""), "other.html#x");
        assert_eq!(safe_url("case:tianhu#lessons", "../"), "../cases/tianhu.html#lessons");
    }

    #[test]
    fn markdown_is_sanitized() {
        let html = markdown_to_html("Hi <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))\n\n<iframe src=\"https://e\"></iframe>\n", "");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("<iframe"), "{html}");
    }

    #[test]
    fn remote_images_become_links_and_tables_use_classes() {
        let html = markdown_to_html(
            "![chart](https://cdn.example/c.png)\n\n| a | b | c | d |\n|:--|--:|:-:|---|\n| 1 | 2 | 3 | 4 |\n| 5 |\n",
            "",
        );
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("<a href=\"https://cdn.example/c.png\">chart</a>"), "{html}");
        let cells = |tag: &str, texts: [&str; 4]| {
            format!(
                "<{tag} class=\"al\">{}</{tag}><{tag} class=\"ar\">{}</{tag}><{tag} class=\"ac\">{}</{tag}><{tag}>{}</{tag}>",
                texts[0], texts[1], texts[2], texts[3]
            )
        };
        assert!(html.contains(&cells("th", ["a", "b", "c", "d"])), "{html}");
        assert!(html.contains(&cells("td", ["1", "2", "3", "4"])), "{html}");
        // A short row: its cells still count from the first column.
        assert!(html.contains("<tr><td class=\"al\">5</td><td class=\"ar\"></td>"), "{html}");
        assert!(!html.contains("style="), "{html}");
    }

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
