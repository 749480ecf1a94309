//! The links of a case file checked against the library, once every case is known: `case:ID`
//! must name a case and its `#anchor` a section of that case in one of its languages;
//! `static:NAME` a document of `static/`; a relative path a file in the case file's folder (or
//! below it) that is no Markdown file and no larger than `max_attachment_size`. The files found
//! are what the case publishes ([`crate::model::Attachment`]). Links in the body and in the
//! `sources` alike; what a link names is [`crate::links`]'s reading, the same one render uses.
//!
//! The messages that came with the file links are in the library's language.

use crate::config::Language;
use crate::diag::{Diagnostic, Suggestion};
use crate::links::{self, Target};
use crate::load::FileEntry;
use crate::markdown::markdown_options;
use crate::model::Attachment;
use crate::parse::{At, RawCase, RawLink};
use pulldown_cmark::{Event, Parser, Tag};
use std::collections::{HashMap, HashSet};

/// What the links of every file are checked against.
pub(super) struct Known<'a> {
    /// Every case id, those of cases with errors (or that could not be read) included.
    pub(super) ids: HashSet<&'a str>,
    /// The section anchors of each valid case, in all its languages.
    pub(super) anchors: HashMap<&'a str, Vec<&'a str>>,
    /// The id of the case in each original case file.
    pub(super) case_of_file: HashMap<&'a str, &'a str>,
    /// The names of the documents of `static/`.
    pub(super) documents: HashSet<&'a str>,
    /// The files under `cases/`, sorted by name.
    pub(super) files: &'a [FileEntry],
    pub(super) max_size: u64,
    pub(super) lang: Language,
}

/// A case file whose links are checked: its path and its text.
pub(super) struct InFile<'a> {
    pub(super) path: &'a str,
    pub(super) text: &'a str,
}

/// Checks the links of the case file `file` (an original or a translation); returns the files
/// they name, sorted, once each.
pub(super) fn check(known: &Known, file: InFile, links: &[RawLink], diags: &mut Vec<Diagnostic>) -> Vec<Attachment> {
    let file = &file;
    let mut attachments = Vec::new();
    let mut too_large_said = HashSet::new();
    // In the order written (the sources come before the body).
    let mut links: Vec<&RawLink> = links.iter().collect();
    links.sort_by_key(|l| (l.url.line, l.url.column));
    for link in links {
        let url = &link.url;
        if link.in_html {
            diags.extend(in_html(known, file, link));
            continue;
        }
        match links::target(&url.value) {
            Target::Case { id, anchor } => diags.extend(case_link(known, file, url, id, anchor)),
            Target::Static(name) if !known.documents.contains(name) => diags.push(static_link(known, file, url, name)),
            Target::File { path, .. } => {
                let folder = links::folder_of(file.path);
                let name = format!("{folder}{path}");
                if is_markdown(&path) {
                    diags.push(markdown_link(known, file, url, Some(&name)));
                    continue;
                }
                let found = known.files.binary_search_by(|f| f.name.as_str().cmp(&name)).ok().map(|i| &known.files[i]);
                match found {
                    // Said once per file of the case, where it is first linked to.
                    Some(f) if f.size > known.max_size => {
                        if too_large_said.insert(name) {
                            diags.push(too_large(known, file, url, &path, f.size));
                        }
                    }
                    Some(f) => attachments.push(Attachment { name: path, path: f.path.clone() }),
                    None => diags.push(missing(known, file, url, &path, link.image)),
                }
            }
            // A link to another case's file, as an editor's preview shows it.
            Target::Outside { up, path } if is_markdown(&path) => {
                let name = links::above(links::folder_of(file.path), up, &path);
                diags.push(markdown_link(known, file, url, name.as_deref()));
            }
            Target::Outside { .. } => diags.push(outside(known, file, url)),
            Target::Static(_) | Target::Other => {}
        }
    }
    attachments.sort();
    attachments.dedup();
    attachments
}

/// The links of a case's `sources` (inline Markdown in the front matter), where they are
/// written in the file.
pub(super) fn source_links(text: &str, raw: &RawCase) -> Vec<RawLink> {
    let mut out = Vec::new();
    for source in raw.sources.iter().flat_map(|s| &s.value) {
        // The value as written may open with a quote: columns count from inside it.
        let quoted = text.lines().nth(source.line.saturating_sub(1)).and_then(|l| l.chars().nth(source.column - 1));
        let skip = usize::from(matches!(quoted, Some('"' | '\'')));
        let value = &source.value;
        for (event, range) in Parser::new_ext(value, markdown_options()).into_offset_iter() {
            let (url, image) = match &event {
                Event::Start(Tag::Link { dest_url, .. }) => (dest_url, false),
                Event::Start(Tag::Image { dest_url, .. }) => (dest_url, true),
                _ => continue,
            };
            let at =
                value[range.clone()].rfind(&**url).filter(|_| !url.is_empty()).map_or(range.start, |i| range.start + i);
            let column = source.column + skip + value[..at].chars().count();
            out.push(RawLink { url: At { value: url.to_string(), line: source.line, column }, image, in_html: false });
        }
    }
    out
}

/// The files under `cases/` in the folder of a case written as `index.md` (a page bundle)
/// that no case links to: the site does not publish them, which the editor who put them there
/// would not expect. `linked`: the files (by name) some case publishes.
pub(super) fn unlinked_in_bundles(
    cases: &[crate::model::Case],
    files: &[FileEntry],
    linked: &HashSet<String>,
    lang: Language,
) -> Vec<Diagnostic> {
    // A bundle's folder, deepest first, so that a file belongs to the nearest bundle above it.
    let mut bundles: Vec<(&str, &crate::model::Case)> = cases
        .iter()
        .filter(|c| c.path.ends_with("/index.md") && links::folder_of(&c.path) != "cases/")
        .map(|c| (links::folder_of(&c.path), c))
        .collect();
    bundles.sort_by_key(|(folder, _)| std::cmp::Reverse(folder.len()));
    let mut out = Vec::new();
    for f in files.iter().filter(|f| !linked.contains(&f.name)) {
        let Some((folder, case)) = bundles.iter().find(|(folder, _)| f.name.starts_with(folder)) else { continue };
        let rel = &f.name[folder.len()..];
        let shown = rel.rsplit('/').next().unwrap_or(rel);
        let (message, hint) = match lang {
            Language::ZhCn => (
                format!("`{rel}` 在案例 `{}` 的文件夹里（{}），但案例没有链接它，站点不会发布它", case.id, case.path),
                format!("在案例里链接它，例如 [{shown}]({rel})；或者把它移出 cases/"),
            ),
            Language::En => (
                format!(
                    "`{rel}` is in the folder of case `{}` ({}), which does not link to it: the site does not publish it",
                    case.id, case.path
                ),
                format!("link to it from the case, e.g. [{shown}]({rel}), or move it out of cases/"),
            ),
        };
        out.push(Diagnostic::warning(&f.name, "unlinked-file", message).hint(hint));
    }
    out
}

fn is_markdown(path: &str) -> bool {
    std::path::Path::new(path).extension().is_some_and(|e| e.eq_ignore_ascii_case("md"))
}

/// A `case:` link to no case, or to an anchor its case does not have.
fn case_link(known: &Known, file: &InFile, url: &At<String>, id: &str, anchor: Option<&str>) -> Option<Diagnostic> {
    let (path, text) = (file.path, file.text);
    if !known.ids.contains(id) {
        let hint = match Suggestion::closest(id, known.ids.iter().copied()) {
            Some(suggestion) => suggestion.prefix("case:").to_string(),
            None => "link to an existing case as [text](case:ID)".to_string(),
        };
        return Some(
            Diagnostic::error(path, "broken-link", format!("link to unknown case `{id}`"))
                .at(text, url.line, url.column)
                .hint(hint),
        );
    }
    let written = anchor.filter(|a| !a.is_empty())?;
    let anchor = percent_encoding::percent_decode_str(written).decode_utf8_lossy();
    // A case with errors of its own has no anchors to check against: its errors come first.
    let anchors = known.anchors.get(id)?;
    if anchors.contains(&anchor.as_ref()) {
        return None;
    }
    let prefix = format!("case:{id}#");
    let lang = known.lang;
    let hint = match Suggestion::closest(&anchor, anchors.iter().copied()) {
        Some(suggestion) => suggestion.prefix(&prefix).in_language(lang),
        None if anchors.is_empty() => match lang {
            Language::ZhCn => format!("这个案例没有章节；直接链接案例：case:{id}"),
            Language::En => format!("the case has no sections: link to the case itself, case:{id}"),
        },
        None => {
            let mut listed: Vec<String> = anchors.iter().take(12).map(|a| format!("#{a}")).collect();
            if anchors.len() > listed.len() {
                listed.push("…".into());
            }
            match lang {
                Language::ZhCn => format!("它的章节锚点有：{}", listed.join("、")),
                Language::En => format!("its sections' anchors: {}", listed.join(", ")),
            }
        }
    };
    let message = match lang {
        Language::ZhCn => format!("案例 `{id}` 没有锚点为 `#{anchor}` 的章节"),
        Language::En => format!("case `{id}` has no section `#{anchor}`"),
    };
    // The caret under the anchor, when the address is written as it reads.
    let column = url.column + "case:".len() + id.chars().count() + 1;
    Some(Diagnostic::error(path, "broken-anchor", message).at(text, url.line, column).hint(hint))
}

/// A `static:` link to no document of `static/`.
fn static_link(known: &Known, file: &InFile, url: &At<String>, name: &str) -> Diagnostic {
    let hint = match Suggestion::closest(name, known.documents.iter().copied()) {
        Some(suggestion) => suggestion.prefix("static:").to_string(),
        None => "put the document in the library's static/ folder and link it as [title](static:NAME)".to_string(),
    };
    Diagnostic::error(file.path, "broken-link", format!("link to `{name}`, which is not in static/"))
        .at(file.text, url.line, url.column)
        .hint(hint)
}

/// A link to a file that is not in the case's folder: "did you mean" the file whose path is
/// closest, else one of the same name elsewhere in the folder.
fn missing(known: &Known, file: &InFile, url: &At<String>, path: &str, image: bool) -> Diagnostic {
    let folder = links::folder_of(file.path);
    let beside: Vec<&str> =
        known.files.iter().filter_map(|f| f.name.strip_prefix(folder)).filter(|name| !is_markdown(name)).collect();
    let lower: Vec<String> = beside.iter().map(|n| n.to_lowercase()).collect();
    let same_name = |a: &str, b: &str| a.rsplit('/').next() == b.rsplit('/').next();
    let found = lower
        .iter()
        .position(|n| *n == path.to_lowercase())
        .or_else(|| {
            crate::diag::nearest(path, lower.iter().map(String::as_str)).and_then(|n| lower.iter().position(|l| l == n))
        })
        .or_else(|| lower.iter().position(|n| same_name(n, &path.to_lowercase())))
        .map(|i| beside[i]);
    let lang = known.lang;
    let written = &url.value;
    let message = match (lang, image) {
        (Language::ZhCn, true) => format!("图片 `{written}` 不在 {folder} 里"),
        (Language::ZhCn, false) => format!("链接的文件 `{written}` 不在 {folder} 里"),
        (Language::En, true) => format!("image `{written}` is not in {folder}"),
        (Language::En, false) => format!("linked file `{written}` is not in {folder}"),
    };
    let hint = match found {
        Some(name) => Suggestion::new(name).in_language(lang),
        None => match lang {
            Language::ZhCn => format!("把文件放进 {folder}（案例文件所在的文件夹）或它的子文件夹，或者改正链接"),
            Language::En => {
                format!("put the file in {folder} (the case file's folder) or below it, or correct the link")
            }
        },
    };
    Diagnostic::error(file.path, "missing-file", message)
        .at(file.text, url.line, url.column)
        .marking(written)
        .hint(hint)
}

/// An address of casebook's own (a file beside the case, `case:`, `static:`) written in raw
/// HTML: render leaves raw HTML as it is (sanitized), so the file is not published, and the
/// sanitizer drops a link of casebook's schemes; a warning says how to write it in Markdown.
fn in_html(known: &Known, file: &InFile, link: &RawLink) -> Option<Diagnostic> {
    let url = &link.url;
    let written = &url.value;
    let file_of_its_own = match links::target(written) {
        Target::Other => return None,
        Target::File { .. } | Target::Outside { .. } => true,
        Target::Case { .. } | Target::Static(_) => false,
    };
    let (message, example) = match known.lang {
        Language::ZhCn => (
            if file_of_its_own {
                format!("原始 HTML 里的 `{written}` 不会被改写：从页面上看，它指不到站点里的文件")
            } else {
                format!("原始 HTML 里的链接 `{written}` 会被去掉")
            },
            if link.image { format!("![图片说明]({written})") } else { format!("[文字]({written})") },
        ),
        Language::En => (
            if file_of_its_own {
                format!("`{written}` in raw HTML is not rewritten: from the page, it names no file of the site")
            } else {
                format!("the link `{written}` in raw HTML is removed")
            },
            if link.image { format!("![what it shows]({written})") } else { format!("[text]({written})") },
        ),
    };
    let hint = match known.lang {
        Language::ZhCn => format!("改用 Markdown 来写：{example}"),
        Language::En => format!("write it in Markdown: {example}"),
    };
    Some(
        Diagnostic::warning(file.path, "raw-html-link", message)
            .at(file.text, url.line, url.column)
            .marking(written)
            .hint(hint),
    )
}

/// A file larger than the site publishes.
fn too_large(known: &Known, file: &InFile, url: &At<String>, path: &str, size: u64) -> Diagnostic {
    let (size, max) = (crate::diag::file_size(size), crate::diag::file_size(known.max_size));
    let written = path;
    let (message, hint) = match known.lang {
        Language::ZhCn => (
            format!("`{written}` 有 {size}，超过了站点发布文件的大小上限 {max}"),
            "把文件缩小（照片减少像素，PDF 压缩）；上限可在 casebook.toml 里用 max_attachment_size 调整".to_string(),
        ),
        Language::En => (
            format!("`{written}` is {size}, more than the limit for files the site publishes ({max})"),
            "make the file smaller (a photo: fewer pixels; a PDF: compressed), or raise max_attachment_size in \
             casebook.toml"
                .to_string(),
        ),
    };
    Diagnostic::error(file.path, "too-large", message)
        .at(file.text, url.line, url.column)
        .marking(&url.value)
        .hint(hint)
}

/// A relative link that climbs out of the case's folder.
fn outside(known: &Known, file: &InFile, url: &At<String>) -> Diagnostic {
    let folder = links::folder_of(file.path);
    let written = &url.value;
    let (message, hint) = match known.lang {
        Language::ZhCn => (
            format!("`{written}` 在案例文件所在的文件夹 {folder} 之外：站点只发布这个文件夹及其子文件夹里的文件"),
            format!("把文件移进 {folder}；几个案例共用的文件可以放进 static/，链接写成 static:文件名"),
        ),
        Language::En => (
            format!(
                "`{written}` is outside the case file's folder, {folder}: the site publishes only files in it or below it"
            ),
            format!("move the file into {folder}; a file several cases share can go in static/, linked as static:NAME"),
        ),
    };
    Diagnostic::error(file.path, "link-outside", message)
        .at(file.text, url.line, url.column)
        .marking(written)
        .hint(hint)
}

/// A link to a Markdown file (another case's file, as an editor's preview shows it): the site
/// has pages, not Markdown files.
fn markdown_link(known: &Known, file: &InFile, url: &At<String>, name: Option<&str>) -> Diagnostic {
    let original = name.map(|name| Language::of_translation(name).map_or_else(|| name.to_string(), |(_, o)| o));
    let id = original.and_then(|o| known.case_of_file.get(o.as_str()).copied());
    let written = &url.value;
    let (message, hint) = match known.lang {
        Language::ZhCn => (
            format!("`{written}` 链接的是 Markdown 文件，站点不发布 Markdown 文件"),
            match id {
                Some(id) => format!("链接案例请写成 [文字](case:{id})"),
                None => "链接案例请写成 [文字](case:案例ID)".to_string(),
            },
        ),
        Language::En => (
            format!("`{written}` links to a Markdown file, which the site does not publish"),
            match id {
                Some(id) => format!("link to the case as [text](case:{id})"),
                None => "link to a case as [text](case:ID)".to_string(),
            },
        ),
    };
    Diagnostic::error(file.path, "markdown-link", message)
        .at(file.text, url.line, url.column)
        .marking(written)
        .hint(hint)
}
