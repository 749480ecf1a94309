//! Load: find the library's files on disk and read them, and nothing else.
//!
//! The walk is deterministic (sorted by name), skips hidden files and folders, never follows a
//! symbolic link out of the library root, and turns an unreadable, non-UTF-8 or oversized file
//! into a diagnostic on that file instead of a crash. A Markdown file with another extension
//! (`.markdown`, `.mkd`, …) is warned about, never skipped silently. Later stages never touch
//! the disk.

use crate::config::{self, Config, Language, CONFIG_FILE};
use crate::diag::Diagnostic;
use crate::error::{Error, Result};
pub mod stamp;

use rayon::prelude::*;
use stamp::Stamp;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

pub const CASES_DIR: &str = "cases";
pub const TAXONOMY_FILE: &str = "taxonomy.yaml";
pub const TEMPLATES_DIR: &str = "templates";
/// Documents the cases refer to (a source text, a report), copied into the site as they are.
pub const STATIC_DIR: &str = "static";
/// The library's own text for its about page, at the root; its translations sit beside it as
/// case translations do (`about.zh.md`, `about.en.md`).
pub const ABOUT_FILE: &str = "about.md";
/// The names the about page's text may have, in the order they are read.
const ABOUT_FILES: [&str; 4] = [ABOUT_FILE, "about.en.md", "about.zh.md", "about.zh-CN.md"];
/// Whether `rel` (relative to the library root) is the about page's text or a translation of it.
pub fn is_about_file(rel: &str) -> bool {
    ABOUT_FILES.contains(&rel)
}

/// One text file of the library, with its path relative to the root (`/`-separated).
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

/// A file the site may publish as it is, found but not read: a document of `static/`, or a file
/// under `cases/` that is no case (an image, a PDF). Its bytes are copied by the writer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileEntry {
    /// A document's name inside `static/`; for a file under `cases/`, its path relative to the
    /// root (`cases/sorting/bins.png`). `/`-separated.
    pub name: String,
    /// Where it is on disk (a symbolic link resolved).
    pub path: PathBuf,
    pub size: u64,
}

/// Everything read from a library folder.
#[derive(Debug)]
pub struct Sources {
    pub root: PathBuf,
    pub config: Config,
    /// `cases/taxonomy.yaml`, if readable.
    pub taxonomy: Option<SourceFile>,
    /// Every `cases/**/*.md`, sorted by path.
    pub cases: Vec<SourceFile>,
    /// Theme overrides from `templates/`: name relative to that folder, bytes.
    pub templates: Vec<(String, Vec<u8>)>,
    /// The documents of `static/`, sorted by name.
    pub files: Vec<FileEntry>,
    /// The files under `cases/` that are neither case nor taxonomy (what the cases may link to),
    /// sorted by name.
    pub case_files: Vec<FileEntry>,
    /// The about page's text ([`ABOUT_FILE`]) and its translations, those that exist.
    pub about: Vec<SourceFile>,
    /// Number of files looked at (for the summary line).
    pub files_seen: usize,
    /// Problems found while reading (unreadable, not UTF-8, too large, bad config).
    pub diagnostics: Vec<Diagnostic>,
    /// What the file system said of the taxonomy and case files as they were read (see
    /// [`stamp`]); empty when one of them could not be read.
    pub stamp: String,
}

/// Reads the library at `root`.
pub fn load(root: &Path) -> Result<Sources> {
    let cases_dir = root.join(CASES_DIR);
    if !cases_dir.is_dir() {
        return Err(Error::Usage(format!(
            "no `{CASES_DIR}/` folder in {} — run casebook inside a library folder, or pass --root DIR \
             (`casebook init` starts a library)",
            display_root(root)
        )));
    }
    let canonical_root = root.canonicalize().map_err(|e| Error::io("read", root, e))?;
    // A `cases/` linked to a folder elsewhere would have casebook read files out of the
    // library: refused as a whole (its files are not skipped one by one, which would report
    // the taxonomy missing). A link to a folder inside the library is read as `cases/`.
    let canonical_cases = cases_dir.canonicalize().map_err(|e| Error::io("read", &cases_dir, e))?;
    if !canonical_cases.starts_with(&canonical_root) {
        return Err(Error::Usage(format!(
            "`{CASES_DIR}/` is a symbolic link to a folder outside the library ({}); casebook reads no file \
             outside the library — move the folder into it, or pass --root with the folder that holds it",
            canonical_cases.display()
        )));
    }
    let mut diagnostics = Vec::new();

    let mut config = Config::default();
    let config_path = root.join(CONFIG_FILE);
    if inside(&canonical_root, &config_path, CONFIG_FILE, &mut diagnostics) && config_path.is_file() {
        match read_text(&config_path, CONFIG_FILE, config::DEFAULT_MAX_FILE_SIZE) {
            Ok(text) => match config::parse(&text) {
                Ok(c) => config = c,
                Err(d) => diagnostics.push(crate::parse::keyboard_in_toml(&text, d)),
            },
            Err(d) => diagnostics.push(d),
        }
    }

    let mut taxonomy = None;
    let mut cases = Vec::new();
    let taxonomy_rel = format!("{CASES_DIR}/{TAXONOMY_FILE}");
    let (wanted, others) = walk_cases(&canonical_root, &cases_dir, &mut diagnostics);
    let files_seen = wanted.len();
    // Read on all cores (a large library is mostly waiting on the file system); order is kept.
    let read: Vec<_> =
        wanted.into_par_iter().map(|(path, rel)| (read_text_stamped(&path, &rel, config.max_file_size), rel)).collect();
    let mut stamp = Some(Stamp::new());
    for (text, rel) in read {
        match text {
            Ok((text, metadata)) => {
                stamp = stamp.zip(metadata).map(|(mut s, m)| {
                    s.file(&rel, &m);
                    s
                });
                if rel == taxonomy_rel {
                    taxonomy = Some(SourceFile { path: rel, text });
                } else {
                    cases.push(SourceFile { path: rel, text });
                }
            }
            Err(d) => {
                stamp = None;
                diagnostics.push(d);
            }
        }
    }
    if let Some(s) = stamp.as_mut() {
        s.settings(root);
    }
    let stamp = stamp.map_or_else(String::new, |s| s.finish());
    if taxonomy.is_none() && !diagnostics.iter().any(|d| d.file.ends_with(TAXONOMY_FILE)) {
        diagnostics.push(
            Diagnostic::error(
                &format!("{CASES_DIR}/{TAXONOMY_FILE}"),
                "missing-taxonomy",
                "the taxonomy file is missing",
            )
            .hint(
                "create cases/taxonomy.yaml with at least one vocabulary (see README.md, \"Taxonomy\"); \
                 `casebook init` in an empty folder writes one to start from",
            ),
        );
    }

    let mut templates = Vec::new();
    let templates_dir = root.join(TEMPLATES_DIR);
    if inside(&canonical_root, &templates_dir, TEMPLATES_DIR, &mut diagnostics) && templates_dir.is_dir() {
        for (path, rel) in walk(&canonical_root, &templates_dir, &mut diagnostics) {
            let name = rel.trim_start_matches(TEMPLATES_DIR).trim_start_matches('/').to_string();
            let bytes = fs::read(&path).map_err(|e| Error::io("read", &path, e))?;
            templates.push((name, bytes));
        }
    }

    let mut files = Vec::new();
    let static_dir = root.join(STATIC_DIR);
    if inside(&canonical_root, &static_dir, STATIC_DIR, &mut diagnostics) && static_dir.is_dir() {
        for (path, rel) in walk(&canonical_root, &static_dir, &mut diagnostics) {
            let name = rel.trim_start_matches(STATIC_DIR).trim_start_matches('/').to_string();
            let size = fs::metadata(&path).map_err(|e| Error::io("read", &path, e))?.len();
            if size > config.max_attachment_size {
                diagnostics.push(too_large(&rel, size, config.max_attachment_size, config.language));
                continue;
            }
            files.push(FileEntry { name, path, size });
        }
    }
    // Only their size is needed here: a file is read when the site is written, if a case links to it.
    let mut case_files = others
        .into_par_iter()
        .map(|(path, name)| {
            let size = fs::metadata(&path).map_err(|e| Error::io("read", &path, e))?.len();
            Ok(FileEntry { name, path, size })
        })
        .collect::<Result<Vec<_>>>()?;
    // By name as a string (the walk's order is a folder's files after its sub-folders' when
    // the name sorts so: `a/b.png` before `a#b.png`), for lookups by name.
    case_files.sort_by(|a, b| a.name.cmp(&b.name));

    let mut about = Vec::new();
    for name in ABOUT_FILES {
        let path = root.join(name);
        if inside(&canonical_root, &path, name, &mut diagnostics) && path.is_file() {
            match read_text(&path, name, config.max_file_size) {
                Ok(text) => about.push(SourceFile { path: name.to_string(), text }),
                Err(d) => diagnostics.push(d),
            }
        }
    }

    let files_seen = files_seen + about.len();
    Ok(Sources {
        root: root.to_path_buf(),
        config,
        taxonomy,
        cases,
        templates,
        files,
        about,
        case_files,
        files_seen,
        diagnostics,
        stamp,
    })
}

/// The taxonomy file alone, if it is there and readable (for what needs only the taxonomy,
/// such as the flags `casebook search` takes).
pub fn taxonomy_file(root: &Path) -> Option<SourceFile> {
    let rel = format!("{CASES_DIR}/{TAXONOMY_FILE}");
    let path = root.join(&rel);
    // Never a file out of the library, as `load` reads none.
    if !path.canonicalize().ok()?.starts_with(root.canonicalize().ok()?) {
        return None;
    }
    read_text(&path, &rel, config::DEFAULT_MAX_FILE_SIZE).ok().map(|text| SourceFile { path: rel, text })
}

/// A document of `static/` larger than `max` bytes, in `lang`.
fn too_large(rel: &str, size: u64, max: u64, lang: Language) -> Diagnostic {
    let (size, max) = (crate::diag::file_size(size), crate::diag::file_size(max));
    let (message, hint) = match lang {
        Language::ZhCn => (
            format!("文件有 {size}，超过了站点发布文件的大小上限 {max}"),
            "把它缩小或分成几个文件；也可以放在内网的其他地方，在 `sources` 里写明出处；上限可在 casebook.toml 里用 max_attachment_size 调整",
        ),
        Language::En => (
            format!("the file is {size}, more than the limit for files the site publishes ({max})"),
            "make it smaller or split it; or publish it elsewhere on the intranet and name it in `sources`; \
             max_attachment_size in casebook.toml sets the limit",
        ),
    };
    Diagnostic::error(rel, "too-large", message).hint(hint)
}

/// The files [`load`] reads: `cases/**/*.md` and the taxonomy, sorted.
pub(crate) fn library_files(
    root: &Path,
    cases_dir: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(PathBuf, String)> {
    walk_cases(root, cases_dir, diagnostics).0
}

/// The files under `cases/`, sorted: those [`load`] reads (`*.md` and the taxonomy), and the
/// others but Markdown files with another extension (which are warned about).
fn walk_cases(root: &Path, cases_dir: &Path, diagnostics: &mut Vec<Diagnostic>) -> (Vec<Walked>, Vec<Walked>) {
    let taxonomy_rel = format!("{CASES_DIR}/{TAXONOMY_FILE}");
    let files = walk(root, cases_dir, diagnostics);
    // A case saved as `x.markdown` would vanish from the site without a word: say so.
    for (path, rel) in &files {
        if is_other_markdown(path) {
            diagnostics.push(other_markdown(path, rel));
        }
    }
    let (read, others): (Vec<_>, Vec<_>) = files.into_iter().partition(|(path, rel)| {
        path.extension().is_some_and(|e| e.eq_ignore_ascii_case("md")) || *rel == taxonomy_rel
    });
    (read, others.into_iter().filter(|(path, _)| !is_other_markdown(path)).collect())
}

/// A file found by [`walk`]: where it is on disk, and its `/`-separated path in the library.
type Walked = (PathBuf, String);

/// Extensions other tools give Markdown files; casebook reads `.md` only.
const OTHER_MARKDOWN: &[&str] = &["markdown", "mdown", "mkd", "mkdn", "mdwn", "mdtext"];

/// Whether `path` is named like a Markdown file casebook does not read (`x.markdown`).
pub(crate) fn is_other_markdown(path: &Path) -> bool {
    path.extension().is_some_and(|ext| OTHER_MARKDOWN.iter().any(|other| ext.eq_ignore_ascii_case(other)))
}

fn other_markdown(path: &Path, rel: &str) -> Diagnostic {
    let name = path.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    Diagnostic::warning(
        rel,
        "not-md",
        format!("`{name}` is not read: only .md files are read; rename it to `{stem}.md`"),
    )
    .hint("a file that is not a case belongs outside cases/")
}

/// Whether `path` (named `rel`) may be read: not a symbolic link, or one that resolves inside
/// the library (like every file of the walk). A link out of it gets the walk's warning.
fn inside(root: &Path, path: &Path, rel: &str, diagnostics: &mut Vec<Diagnostic>) -> bool {
    let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link || path.canonicalize().is_ok_and(|target| target.starts_with(root)) {
        return true;
    }
    if path.exists() {
        diagnostics.push(symlink_outside(rel));
    }
    false
}

fn symlink_outside(rel: &str) -> Diagnostic {
    Diagnostic::warning(rel, "symlink-outside", "symbolic link points outside the library; skipped")
        .hint("copy the file into the library instead of linking to it")
}

fn display_root(root: &Path) -> String {
    if root.as_os_str().is_empty() || root == Path::new(".") {
        "the current folder".to_string()
    } else {
        root.display().to_string()
    }
}

/// Regular files under `dir`, sorted, hidden entries skipped; symbolic links are followed only
/// when they resolve inside `root`. Returns (path, path relative to root with `/`).
fn walk(root: &Path, dir: &Path, diagnostics: &mut Vec<Diagnostic>) -> Vec<(PathBuf, String)> {
    // Paths are named by where they are in the library (`cases/…`), also when the folder is a
    // link to another folder inside it: relative to the canonical folder, then prefixed.
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let rel_of = |path: &Path| match path.strip_prefix(&dir) {
        Ok(rest) if rest.as_os_str().is_empty() => name.clone(),
        Ok(rest) => format!("{name}/{}", relative(Path::new(""), rest)),
        Err(_) => relative(root, path),
    };
    let mut out = Vec::new();
    let walker = WalkDir::new(&dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let rel = e.path().map(rel_of).unwrap_or_default();
                diagnostics.push(Diagnostic::error(&rel, "unreadable", format!("cannot read: {e}")));
                continue;
            }
        };
        let rel = rel_of(entry.path());
        let ft = entry.file_type();
        if ft.is_file() {
            out.push((entry.path().to_path_buf(), rel));
        } else if ft.is_symlink() {
            match entry.path().canonicalize() {
                Ok(target) if target.starts_with(root) && target.is_file() => out.push((target, rel)),
                Ok(target) if target.starts_with(root) => {} // a link to a folder inside: its files are walked anyway
                Ok(_) => diagnostics.push(symlink_outside(&rel)),
                Err(e) => {
                    diagnostics.push(Diagnostic::warning(&rel, "broken-symlink", format!("broken symbolic link: {e}")))
                }
            }
        }
    }
    out
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// Reads a text file of at most `max` bytes; a diagnostic names the file otherwise.
fn read_text(path: &Path, rel: &str, max: u64) -> std::result::Result<String, Diagnostic> {
    read_text_stamped(path, rel, max).map(|(text, _)| text)
}

/// [`read_text`], with the file's metadata as it was before reading (for [`stamp`]: a write
/// that comes after changes the stamp the next time).
fn read_text_stamped(
    path: &Path,
    rel: &str,
    max: u64,
) -> std::result::Result<(String, Option<fs::Metadata>), Diagnostic> {
    let file = fs::File::open(path).map_err(|e| Diagnostic::error(rel, "unreadable", format!("cannot read: {e}")))?;
    let metadata = file.metadata().ok();
    // Sized up front: one read for the file, one to see its end.
    let size = metadata.as_ref().map_or(0, |m| m.len());
    let mut bytes = Vec::with_capacity(size.min(max) as usize + 1);
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Diagnostic::error(rel, "unreadable", format!("cannot read: {e}")))?;
    if bytes.len() as u64 > max {
        let size = fs::metadata(path).map_or(bytes.len() as u64, |m| m.len());
        return Err(Diagnostic::error(
            rel,
            "file-too-large",
            format!("file is {size} bytes, more than the limit of {max}"),
        )
        .hint("split the file, or raise max_file_size in casebook.toml"));
    }
    Ok((decode(rel, bytes)?, metadata))
}

/// UTF-8 (an optional byte-order mark is dropped); otherwise a diagnostic at the first bad byte.
pub fn decode(rel: &str, mut bytes: Vec<u8>) -> std::result::Result<String, Diagnostic> {
    let bom = if bytes.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    bytes.drain(..bom);
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
        // Show the line with the bad bytes replaced by U+FFFD; the caret lands on the first one.
        let shown = String::from_utf8_lossy(e.as_bytes());
        Diagnostic::error(rel, "invalid-utf8", format!("invalid UTF-8 at byte {}", good.len() + bom))
            .at(&shown, line, column)
            .hint("save the file as UTF-8 (for example, in your editor choose \"Save with encoding: UTF-8\")")
    })
}

/// Reads one file of the library again, with the limits [`load`] applies (for `serve`, which
/// re-reads only the files that changed). `rel` is `/`-separated and relative to `root`; like
/// the walk, a symbolic link is followed only when it resolves inside the library.
pub fn read_file(root: &Path, rel: &str, max: u64) -> std::result::Result<SourceFile, Diagnostic> {
    let unreadable = |e: std::io::Error| Diagnostic::error(rel, "unreadable", format!("cannot read: {e}"));
    let root = root.canonicalize().map_err(unreadable)?;
    let target = root.join(rel).canonicalize().map_err(unreadable)?;
    if !target.starts_with(&root) {
        return Err(Diagnostic::error(rel, "symlink-outside", "symbolic link points outside the library")
            .hint("copy the file into the library instead of linking to it"));
    }
    Ok(SourceFile { path: rel.to_string(), text: read_text(&target, rel, max)? })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_names_line_and_column() {
        let d = decode("a.md", b"ok\nab\xFFcd".to_vec()).unwrap_err();
        assert_eq!((d.line, d.column, d.code), (2, 3, "invalid-utf8"));
    }

    #[test]
    fn bom_is_dropped() {
        assert_eq!(decode("a.md", b"\xEF\xBB\xBFhi".to_vec()).unwrap(), "hi");
    }
}
