//! Watching the library: the file-system watcher, what it tells the builder ([`Change`]), and
//! which scope of rebuild a changed path needs ([`classify`]). Nothing here builds.

use crate::error::{Error, Result};
use crate::load;
use notify::Watcher as _;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

/// What the builder is told.
pub(super) enum Change {
    /// A path of the library changed (created, written, removed or renamed).
    Path(PathBuf),
    /// A request waits for the deferred files.
    Refresh,
    Stop,
}

/// Watches the library root (for `casebook.toml`, `about.md` and the creation or replacement of `cases/`
/// and `templates/`), `cases/` and `templates/`; access events (reads, our own included) are
/// ignored.
pub(super) struct LibraryWatcher {
    watcher: notify::RecommendedWatcher,
    /// The folders watched recursively, with the identity of the folder each watch is on.
    watched: HashMap<&'static str, Option<FolderId>>,
    root: PathBuf,
}

/// Which folder a path is (device and inode on Unix): a folder deleted and made again (as
/// `git checkout` does) is another one, and its old watch saw the last of it.
#[derive(Clone, Copy, PartialEq, Debug)]
struct FolderId(u64, u64);

fn folder_id(path: &Path) -> Option<FolderId> {
    let meta = std::fs::metadata(path).ok().filter(|m| m.is_dir())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        Some(FolderId(meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Some(FolderId(0, 0))
    }
}

impl LibraryWatcher {
    pub(super) fn start(root: &Path, tx: mpsc::Sender<Change>) -> Result<LibraryWatcher> {
        let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            let Ok(event) = event else { return };
            if matches!(event.kind, notify::EventKind::Access(_)) {
                return;
            }
            for path in event.paths {
                let _ = tx.send(Change::Path(path));
            }
        })
        .map_err(|e| Error::system(format!("watch {}", root.display()), e))?;
        let mut w = LibraryWatcher { watcher, watched: HashMap::new(), root: root.to_path_buf() };
        w.watcher
            .watch(root, notify::RecursiveMode::NonRecursive)
            .map_err(|e| Error::system(format!("watch {}", root.display()), e))?;
        let cases = root.join(load::CASES_DIR);
        w.watcher
            .watch(&cases, notify::RecursiveMode::Recursive)
            .map_err(|e| Error::system(format!("watch {}", cases.display()), e))?;
        w.watched.insert(load::CASES_DIR, folder_id(&cases));
        w.watch_folders(&BTreeSet::new());
        Ok(w)
    }

    /// Starts watching `templates/` and `static/` once they exist, and watches each again
    /// when they are other folders than the ones watched (deleted and made again, or replaced
    /// by a rename) or when `changed` names the folder itself (moved away and back: the same
    /// folder, but the watcher let go of it when it left). Called on every batch of changes,
    /// before it is handled: edits made during the rebuild it causes are seen.
    pub(super) fn watch_folders(&mut self, changed: &BTreeSet<PathBuf>) {
        for name in [load::CASES_DIR, load::TEMPLATES_DIR, load::STATIC_DIR] {
            let dir = self.root.join(name);
            let now = folder_id(&dir);
            let before = self.watched.get(name).copied().flatten();
            if now.is_none() {
                // Gone: whatever comes back under this name is watched anew.
                self.watched.insert(name, None);
                continue;
            }
            if now == before && !changed.contains(&dir) {
                continue;
            }
            // The old watch may be gone already (inotify drops it with the folder).
            let _ = self.watcher.unwatch(&dir);
            if self.watcher.watch(&dir, notify::RecursiveMode::Recursive).is_ok() {
                self.watched.insert(name, now);
            }
        }
    }
}

/// What scope of rebuild a changed path needs.
#[derive(Debug, PartialEq)]
pub(super) enum ChangeScope {
    /// Not part of the library (or an editor's temporary file): nothing to do.
    Ignore,
    /// A known case file (its path relative to the root): an incremental rebuild.
    Case(String),
    /// Anything else that matters: a full rebuild.
    Full,
}

/// How a changed `path` under `root` is handled; `cases` maps the known case files (relative
/// paths) to their case, `None` before the first good build.
pub(super) fn classify(root: &Path, cases: Option<&HashMap<String, usize>>, path: &Path) -> ChangeScope {
    let Ok(rel) = path.strip_prefix(root) else { return ChangeScope::Ignore };
    let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    if parts.is_empty() || parts.iter().any(|p| p.starts_with('.')) {
        return ChangeScope::Ignore;
    }
    let rel = parts.join("/");
    if rel == crate::config::CONFIG_FILE
        || load::is_about_file(&rel)
        || parts[0] == load::TEMPLATES_DIR
        || parts[0] == load::STATIC_DIR
    {
        return ChangeScope::Full;
    }
    if parts[0] != load::CASES_DIR {
        return ChangeScope::Ignore;
    }
    if parts.len() == 1 || rel == format!("{}/{}", load::CASES_DIR, load::TAXONOMY_FILE) {
        return ChangeScope::Full;
    }
    let known = cases.is_some_and(|c| c.contains_key(&rel));
    if rel.to_ascii_lowercase().ends_with(".md") && (known || !path.is_dir()) {
        return if known {
            ChangeScope::Case(rel)
        } else if path.is_file() {
            ChangeScope::Full // a new case
        } else {
            ChangeScope::Ignore // an editor's temporary file, already gone
        };
    }
    // A case saved as `x.markdown`: a full rebuild says it is not read.
    if load::is_other_markdown(path) && path.is_file() {
        return ChangeScope::Full;
    }
    // A folder: a new one may hold cases; a removed or renamed one held some.
    let prefix = format!("{rel}/");
    let held = cases.is_some_and(|c| c.keys().any(|k| k.starts_with(&prefix)));
    // Any other file may be one a case links to (a photo added, replaced or removed): the
    // cases' files are checked and copied by a full rebuild. An editor's temporary file is not.
    let temporary = is_temporary(parts.last().map_or("", String::as_str));
    if path.is_dir() || held || !temporary {
        ChangeScope::Full
    } else {
        ChangeScope::Ignore
    }
}

/// Whether a file named `name` is an editor's temporary file (`x.md~`, `x.swp`, vim's `4913`,
/// Emacs's `#x#`) or a download not finished yet.
fn is_temporary(name: &str) -> bool {
    const SUFFIXES: &[&str] = &["~", ".swp", ".swx", ".swo", ".tmp", ".part", ".crdownload", ".kate-swp", ".bak"];
    let lower = name.to_ascii_lowercase();
    SUFFIXES.iter().any(|s| lower.ends_with(s))
        || (name.starts_with('#') && name.ends_with('#'))
        || (!name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_or_a_translation_changed_rebuilds_the_whole_site() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("cases")).unwrap();
        std::fs::create_dir_all(root.join("static")).unwrap();
        std::fs::write(root.join("cases/a.md"), "").unwrap();
        std::fs::write(root.join("cases/a.zh.md"), "").unwrap();
        std::fs::write(root.join("static/source.txt"), "").unwrap();
        let cases: HashMap<String, usize> = [("cases/a.md".to_string(), 0)].into();
        assert_eq!(classify(root, Some(&cases), &root.join("cases/a.md")), ChangeScope::Case("cases/a.md".into()));
        assert_eq!(classify(root, Some(&cases), &root.join("cases/a.zh.md")), ChangeScope::Full);
        assert_eq!(classify(root, Some(&cases), &root.join("static/source.txt")), ChangeScope::Full);
        assert_eq!(classify(root, Some(&cases), &root.join("notes.txt")), ChangeScope::Ignore);
        assert_eq!(classify(root, Some(&cases), &root.join("about.md")), ChangeScope::Full);
        assert_eq!(classify(root, Some(&cases), &root.join("about.zh.md")), ChangeScope::Full);
    }

    #[test]
    fn a_file_a_case_may_link_to_rebuilds_the_whole_site_and_a_temporary_one_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("cases/sorting")).unwrap();
        std::fs::write(root.join("cases/sorting/bins.png"), "").unwrap();
        let cases: HashMap<String, usize> = [("cases/sorting/index.md".to_string(), 0)].into();
        let scope = |rel: &str| classify(root, Some(&cases), &root.join(rel));
        assert_eq!(scope("cases/sorting/bins.png"), ChangeScope::Full);
        assert_eq!(scope("cases/sorting/removed.pdf"), ChangeScope::Full);
        for temporary in
            ["cases/sorting/index.md.tmp~", "cases/sorting/.index.md.swp", "cases/sorting/4913", "cases/#a.md#"]
        {
            assert_eq!(scope(temporary), ChangeScope::Ignore, "{temporary}");
        }
    }
}
