//! The site marker `.casebook-site`: proof that casebook wrote a folder *and everything in it*.
//!
//! A marker alone would prove nothing: `cp -r site/. /var/www/` carries it into a folder full of
//! other files, which a build would then replace. So the marker lists every file the build wrote
//! (size and path, sorted), and a folder counts as casebook's only while each file in it is
//! listed with its size: a file added or changed since is someone else's, and the folder is
//! refused. A listed file that is missing is fine (nothing of anyone's is lost).
//!
//! A subtree that changes on its own after the build can be listed *apart*: the marker names it
//! with a `tree` line and the subtree carries its own marker. Sites of earlier versions listed
//! their tantivy index so (it now lives outside the site), and are still recognised as casebook's.

use super::atomic::write_atomic;
use crate::error::{Error, Result};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

/// The marker's file name, in the site folder (and in each subtree listed apart).
pub const MARKER: &str = ".casebook-site";
/// The marker's opening text, for whoever opens it; the list follows the line [`LIST`].
const HEADER: &str = "This folder was written by `casebook build`, which replaces it as a whole on every build.\n\
                      It does so only while the folder holds no file but those listed below (size in bytes, path):\n\
                      remove or change nothing, add nothing of your own.\n";
const LIST: &str = "files:";

/// What a marker lists: files with their sizes, and subtrees that carry a marker of their own.
#[derive(Debug, Default, PartialEq)]
struct Listing {
    files: BTreeSet<(String, u64)>,
    trees: BTreeSet<String>,
}

impl Listing {
    fn to_text(&self) -> String {
        let mut text = format!("{HEADER}{LIST}\n");
        for tree in &self.trees {
            let _ = writeln!(text, "tree {tree}");
        }
        for (path, size) in &self.files {
            let _ = writeln!(text, "file {size} {path}");
        }
        text
    }

    /// `None` for a marker without a list (an older casebook's) or one casebook cannot read.
    fn parse(text: &str) -> Option<Listing> {
        let mut lines = text.lines().skip_while(|l| *l != LIST);
        lines.next()?;
        let mut listing = Listing::default();
        for line in lines {
            if let Some(tree) = line.strip_prefix("tree ") {
                listing.trees.insert(tree.to_string());
            } else {
                let (size, path) = line.strip_prefix("file ")?.split_once(' ')?;
                listing.files.insert((path.to_string(), size.parse().ok()?));
            }
        }
        Some(listing)
    }
}

/// Why a folder is not casebook's to replace.
#[derive(Debug, PartialEq)]
pub enum Foreign {
    /// Not empty, and no marker.
    NoMarker,
    /// A marker without a list of files (written by an older casebook), or one that cannot be
    /// read.
    OldMarker,
    /// This file or folder (a path inside the folder) is not listed with its size.
    Unlisted(String),
}

impl Foreign {
    /// The reason, as the end of a sentence that starts with the folder's name.
    pub fn describe(&self) -> String {
        match self {
            Foreign::NoMarker => "is not empty and was not written by casebook".into(),
            Foreign::OldMarker => format!(
                "carries a marker ({MARKER}) without the list of the files casebook wrote (an older casebook's), \
                 so casebook cannot tell its files from files added since"
            ),
            Foreign::Unlisted(path) => {
                format!("holds {path}, which casebook did not write (or which changed since it did)")
            }
        }
    }
}

/// Whether casebook may replace the folder `dir`: `Ok(None)` when it is empty or everything in
/// it is listed by its marker; otherwise why not.
pub fn foreign(dir: &Path) -> Result<Option<Foreign>> {
    if fs::read_dir(dir).map_err(|e| Error::io("read", dir, e))?.next().is_none() {
        return Ok(None);
    }
    let marker = dir.join(MARKER);
    if !fs::symlink_metadata(&marker).is_ok_and(|m| m.is_file()) {
        return Ok(Some(Foreign::NoMarker));
    }
    let text = fs::read_to_string(&marker).map_err(|e| Error::io("read", &marker, e))?;
    let Some(listing) = Listing::parse(&text) else { return Ok(Some(Foreign::OldMarker)) };
    // The folders on the way to a listed file or subtree.
    let mut dirs = BTreeSet::new();
    for path in listing.files.iter().map(|(p, _)| p).chain(&listing.trees) {
        let mut at = path.as_str();
        while let Some((parent, _)) = at.rsplit_once('/') {
            dirs.insert(parent.to_string());
            at = parent;
        }
    }
    check(dir, "", &listing, &dirs)
}

/// Checks the folder `dir` (at `rel` inside the listed one) against `listing`.
fn check(dir: &Path, rel: &str, listing: &Listing, dirs: &BTreeSet<String>) -> Result<Option<Foreign>> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(|e| Error::io("read", dir, e))?
        .map(|e| e.map_err(|e| Error::io("read", dir, e)))
        .collect::<Result<_>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
        if rel.is_empty() && name == MARKER {
            continue;
        }
        let meta = fs::symlink_metadata(entry.path()).map_err(|e| Error::io("read", entry.path(), e))?;
        if meta.is_dir() && listing.trees.contains(&path) {
            // A subtree listed apart proves itself with its own marker.
            let inner = foreign(&entry.path())?;
            if let Some(reason) = inner {
                let inner_path = match reason {
                    Foreign::Unlisted(p) => format!("{path}/{p}"),
                    _ => format!("{path}/{MARKER}"),
                };
                return Ok(Some(Foreign::Unlisted(inner_path)));
            }
        } else if meta.is_dir() && dirs.contains(&path) {
            if let Some(reason) = check(&entry.path(), &path, listing, dirs)? {
                return Ok(Some(reason));
            }
        } else if !(meta.is_file() && listing.files.contains(&(path.clone(), meta.len()))) {
            let shown = if meta.is_dir() { format!("{path}/") } else { path };
            return Ok(Some(Foreign::Unlisted(shown)));
        }
    }
    Ok(None)
}

/// Writes the marker of the folder `dir`, listing every file in it, except the subtrees
/// `apart` (`/`-separated paths inside it), which get a marker of their own.
pub fn write_marker(dir: &Path, apart: &[&str]) -> Result<()> {
    let mut listing = Listing::default();
    for sub in apart {
        let sub = sub.trim_end_matches('/');
        if dir.join(sub).is_dir() {
            write_marker(&dir.join(sub), &[])?;
            listing.trees.insert(sub.to_string());
        }
    }
    collect(dir, "", &listing.trees.clone(), &mut listing.files)?;
    write_atomic(&dir.join(MARKER), listing.to_text().as_bytes())
}

/// Every file under `dir` (at `rel`) with its size, but the marker and the subtrees `apart`.
fn collect(dir: &Path, rel: &str, apart: &BTreeSet<String>, files: &mut BTreeSet<(String, u64)>) -> Result<()> {
    for entry in fs::read_dir(dir).map_err(|e| Error::io("read", dir, e))? {
        let entry = entry.map_err(|e| Error::io("read", dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
        if (rel.is_empty() && name == MARKER) || apart.contains(&path) {
            continue;
        }
        let meta = fs::symlink_metadata(entry.path()).map_err(|e| Error::io("read", entry.path(), e))?;
        if meta.is_dir() {
            collect(&entry.path(), &path, apart, files)?;
        } else {
            files.insert((path, meta.len()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_is_ours_only_while_it_holds_what_its_marker_lists() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path();
        fs::create_dir_all(site.join("cases")).unwrap();
        fs::create_dir_all(site.join("_search/tantivy")).unwrap();
        fs::write(site.join("index.html"), "home").unwrap();
        fs::write(site.join("cases/a.html"), "a case").unwrap();
        fs::write(site.join("_search/tantivy/seg.idx"), "varies").unwrap();
        write_marker(site, &["_search/tantivy"]).unwrap();
        let text = fs::read_to_string(site.join(MARKER)).unwrap();
        assert!(text.ends_with("files:\ntree _search/tantivy\nfile 6 cases/a.html\nfile 4 index.html\n"), "{text}");
        assert_eq!(foreign(site).unwrap(), None);

        // A listed file removed: fine. One changed, one added, an unlisted folder: foreign.
        fs::remove_file(site.join("index.html")).unwrap();
        assert_eq!(foreign(site).unwrap(), None);
        fs::write(site.join("cases/a.html"), "edited by hand").unwrap();
        assert_eq!(foreign(site).unwrap(), Some(Foreign::Unlisted("cases/a.html".into())));
        fs::write(site.join("cases/a.html"), "a case").unwrap();
        fs::write(site.join("_search/tantivy/mine.txt"), "mine").unwrap();
        assert_eq!(foreign(site).unwrap(), Some(Foreign::Unlisted("_search/tantivy/mine.txt".into())));
        fs::remove_file(site.join("_search/tantivy/mine.txt")).unwrap();
        fs::create_dir(site.join("other-app")).unwrap();
        assert_eq!(foreign(site).unwrap(), Some(Foreign::Unlisted("other-app/".into())));
        fs::remove_dir(site.join("other-app")).unwrap();
        assert_eq!(foreign(site).unwrap(), None);

        fs::write(site.join(MARKER), HEADER).unwrap();
        assert_eq!(foreign(site).unwrap(), Some(Foreign::OldMarker));
        fs::remove_file(site.join(MARKER)).unwrap();
        assert_eq!(foreign(site).unwrap(), Some(Foreign::NoMarker));
    }
}
