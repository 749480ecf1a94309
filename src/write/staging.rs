//! Staging: a temporary output folder that becomes the site on [`Staging::commit`].
//!
//! Pages go to a temporary sibling folder; only when everything has been written is it swapped
//! into place ([`super::replace_dir`]), so a failed build leaves the previous site
//! byte-for-byte intact.
//!
//! Files queued with [`Staging::write`] are written by writer threads, fed through bounded
//! channels, while the renderers go on: one *lane* for the pages, and one more for each folder
//! the caller names ([`Staging::with_lanes`]; `build` names the browser's search index, so that
//! its thousands of small files are created while the pages still are). A lane's files are
//! written by one thread, since creating files in one folder from several threads at once only
//! makes them queue for the folder's lock. That holds for queued files only: a file written with
//! [`Staging::write_with`] is written on the caller's thread, next to the lane that has its
//! folder. A write error stops its writer; [`Staging::finish`] reports it.

use super::{foreign, is_mount_point, remove_dead_beside, replace_dir, temp_beside, write_marker};
use crate::error::{Error, Result};
use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender};
use std::thread::JoinHandle;

/// A temporary output folder that becomes the site on [`Staging::commit`].
#[derive(Debug)]
pub struct Staging {
    /// `--out` as given, for messages.
    out: PathBuf,
    /// The folder replaced: `out` made absolute, through a symbolic link if it is one.
    target: PathBuf,
    tmp: PathBuf,
    /// Folders inside the site that get a list of files of their own ([`super::write_marker`]).
    files: AtomicUsize,
    committed: bool,
    /// Set for [`Staging::in_memory`]: the files written, kept instead of written to disk.
    memory: Option<std::sync::Mutex<Files>>,
    /// The writer threads and their queues (on disk only; empty once finished): lane 0 for
    /// the pages, lane `k` for the files under `lanes[k - 1]`.
    writers: Vec<Writer>,
    /// The folders (inside the site) that have a writer of their own.
    lanes: Vec<String>,
}

/// A writer thread and its queue of (path inside the site, what to write there).
#[derive(Debug)]
struct Writer {
    queue: SyncSender<(String, Content)>,
    thread: JoinHandle<Result<()>>,
}

/// What a writer writes into one file of the site.
#[derive(Debug)]
enum Content {
    Bytes(Vec<u8>),
    /// The bytes of a file of the library, copied as they are (read by the writer, never held
    /// whole in memory: a library may link to many large files).
    Copy(PathBuf),
}

/// Files queued for a writer before a renderer waits.
const QUEUE: usize = 64;

/// The lane of the file at `rel`: `k` when it lies under `lanes[k - 1]`, 0 otherwise.
fn writer_of(lanes: &[String], rel: &str) -> usize {
    let under = |dir: &String| rel.strip_prefix(dir.as_str()).is_some_and(|rest| rest.starts_with('/'));
    lanes.iter().position(under).map_or(0, |k| k + 1)
}

/// Files as (path inside the site, bytes).
type Files = Vec<(String, Vec<u8>)>;

impl Staging {
    /// Checks that `out` may be replaced and creates the temporary sibling folder, with a
    /// writer thread for the pages and one for each folder of `lanes` (`/`-separated paths
    /// inside the site). `out` may be a symbolic link: the link stays, and the folder it points
    /// to is replaced. Leftovers of builds that were killed are removed first.
    pub fn with_lanes(out: &Path, lanes: &[&str]) -> Result<Staging> {
        let target = resolve(out)?;
        if fs::symlink_metadata(&target).is_ok() {
            if !target.is_dir() {
                return Err(Error::Usage(format!(
                    "{} exists and is not a folder; choose another --out",
                    out.display()
                )));
            }
            if is_mount_point(&target) {
                return Err(Error::Usage(format!(
                    "{} is a mount point, which cannot be replaced as a whole (casebook swaps the new site for the \
                     old one); choose a folder inside it, such as --out {}",
                    out.display(),
                    out.join("site").display()
                )));
            }
            if let Some(reason) = foreign(&target)? {
                return Err(Error::Usage(format!(
                    "{} {}; refusing to replace it, which would delete that. Choose an empty or new --out, or \
                     remove the folder yourself and build again",
                    out.display(),
                    reason.describe()
                )));
            }
        }
        remove_dead_beside(&target);
        let tmp = temp_beside(&target, "casebook-tmp");
        if tmp.exists() {
            fs::remove_dir_all(&tmp).map_err(|e| Error::io("remove", &tmp, e))?;
        }
        fs::create_dir(&tmp).map_err(|e| Error::io("create", &tmp, e))?;
        let mut staging = Staging {
            out: out.to_path_buf(),
            target,
            tmp,
            files: AtomicUsize::new(0),
            committed: false,
            memory: None,
            writers: Vec::with_capacity(lanes.len() + 1),
            lanes: lanes.iter().map(|l| l.trim_end_matches('/').to_string()).collect(),
        };
        for _ in 0..=lanes.len() {
            let (queue, rx) = std::sync::mpsc::sync_channel(QUEUE);
            let (dir, shown) = (staging.tmp.clone(), out.to_path_buf());
            let thread = std::thread::Builder::new()
                .name("casebook-writer".into())
                .spawn(move || write_queued(&dir, &shown, rx))
                .map_err(|e| Error::io("start a writer thread for", out, e))?;
            staging.writers.push(Writer { queue, thread });
        }
        Ok(staging)
    }

    /// A staging area that keeps what is written in memory, with no folder (for `serve`, which
    /// renders a few pages at a time into the site it serves). [`Staging::commit`] refuses it;
    /// [`Staging::into_files`] hands the files over.
    pub fn in_memory() -> Staging {
        Staging {
            out: PathBuf::new(),
            target: PathBuf::new(),
            tmp: PathBuf::new(),
            files: AtomicUsize::new(0),
            committed: false,
            memory: Some(std::sync::Mutex::new(Vec::new())),
            writers: Vec::new(),
            lanes: Vec::new(),
        }
    }

    /// The files written to an in-memory staging area, sorted by path (none for a folder).
    pub fn into_files(mut self) -> Vec<(String, Vec<u8>)> {
        let mut files = match self.memory.take() {
            Some(m) => m.into_inner().unwrap_or_else(|e| e.into_inner()),
            None => Vec::new(),
        };
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files
    }

    /// The temporary folder (for writers that need a path, such as the search index).
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// The temporary folder, when the site is written to disk (not for [`Staging::in_memory`]).
    pub fn on_disk(&self) -> Option<&Path> {
        (self.memory.is_none() && !self.tmp.as_os_str().is_empty()).then_some(self.tmp.as_path())
    }

    /// Queues one file for writing, `rel` being a `/`-separated path inside the site. An error
    /// here only says that the writer has stopped; [`Staging::finish`] says why.
    pub fn write(&self, rel: &str, bytes: impl Into<Vec<u8>>) -> Result<()> {
        let bytes = bytes.into();
        if let Some(memory) = &self.memory {
            memory.lock().unwrap_or_else(|e| e.into_inner()).push((rel.to_string(), bytes));
        } else {
            let stopped =
                || Error::io("write", self.out.join(rel), std::io::Error::other("the writer stopped after an error"));
            let Writer { queue, .. } = self.writers.get(writer_of(&self.lanes, rel)).ok_or_else(stopped)?;
            queue.send((rel.to_string(), Content::Bytes(bytes))).map_err(|_| stopped())?;
        }
        self.files.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Queues a copy of the file `from` (a file of the library: a document, a case's image) to
    /// `rel` inside the site. The one way the site gets a file as it is, so that the copies go
    /// through the same writers, staging folder and swap as the pages.
    pub fn copy(&self, rel: &str, from: &Path) -> Result<()> {
        if let Some(memory) = &self.memory {
            let bytes = fs::read(from).map_err(|e| Error::io("read", from, e))?;
            memory.lock().unwrap_or_else(|e| e.into_inner()).push((rel.to_string(), bytes));
        } else {
            let stopped =
                || Error::io("write", self.out.join(rel), std::io::Error::other("the writer stopped after an error"));
            let Writer { queue, .. } = self.writers.get(writer_of(&self.lanes, rel)).ok_or_else(stopped)?;
            queue.send((rel.to_string(), Content::Copy(from.to_path_buf()))).map_err(|_| stopped())?;
        }
        self.files.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Waits until every queued file is written; the first write error, if any. Call it before
    /// reporting any other error of the build, which may only be a consequence.
    pub fn finish(&mut self) -> Result<()> {
        let (queues, threads): (Vec<_>, Vec<_>) = self.writers.drain(..).map(|w| (w.queue, w.thread)).unzip();
        drop(queues);
        let results = threads
            .into_iter()
            .map(|thread| thread.join().unwrap_or_else(|_| Err(Error::internal("a writer thread panicked"))));
        results.fold(Ok(()), Result::and)
    }

    /// Writes one file through a writer, for big files built piece by piece (`cases.json`):
    /// on disk it is streamed, never held whole in memory.
    pub fn write_with(
        &self,
        rel: &str,
        fill: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<()> {
        if self.memory.is_some() {
            let mut bytes = Vec::new();
            fill(&mut bytes).map_err(|e| Error::io("write", rel, e))?;
            return self.write(rel, bytes);
        }
        let path = self.tmp.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)
                .map_err(|e| Error::io("create", self.out.join(rel).parent().unwrap_or(&self.out), e))?;
        }
        let file = fs::File::create(&path).map_err(|e| Error::io("write", self.out.join(rel), e))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        fill(&mut w)
            .and_then(|()| std::io::Write::flush(&mut w))
            .map_err(|e| Error::io("write", self.out.join(rel), e))?;
        self.files.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Swaps the temporary folder into place; returns the number of files written.
    pub fn commit(mut self) -> Result<usize> {
        if self.memory.is_some() {
            return Err(Error::internal("an in-memory staging area has no folder to commit"));
        }
        self.finish()?;
        write_marker(&self.tmp, &[])?;
        replace_dir(&self.tmp, &self.target)?;
        self.committed = true;
        Ok(self.files.load(Ordering::Relaxed))
    }
}

/// The folder `out` names, absolute: a symbolic link is followed (it must lead to a folder);
/// a missing folder's parent is created, so that the temporary sibling can be.
fn resolve(out: &Path) -> Result<PathBuf> {
    if fs::symlink_metadata(out).is_ok_and(|m| m.file_type().is_symlink()) {
        return out.canonicalize().map_err(|e| {
            Error::Usage(format!("--out {} is a symbolic link to a folder that cannot be reached: {e}", out.display()))
        });
    }
    if out.exists() {
        return out.canonicalize().map_err(|e| Error::io("read", out, e));
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
    let name = out.file_name().ok_or_else(|| Error::Usage(format!("--out {} names no folder", out.display())))?;
    Ok(parent.canonicalize().map_err(|e| Error::io("read", parent, e))?.join(name))
}

/// The writer thread: writes the queued files in order, creating folders as needed. Errors name
/// the file where the user will look for it (under `shown`), not the temporary folder.
fn write_queued(tmp: &Path, shown: &Path, queue: Receiver<(String, Content)>) -> Result<()> {
    let mut made: HashSet<PathBuf> = HashSet::new();
    for (rel, content) in queue {
        let path = tmp.join(&rel);
        if let Some(dir) = path.parent() {
            if !made.contains(dir) {
                fs::create_dir_all(dir)
                    .map_err(|e| Error::io("create", shown.join(&rel).parent().unwrap_or(shown), e))?;
                made.insert(dir.to_path_buf());
            }
        }
        match content {
            Content::Bytes(bytes) => fs::write(&path, bytes).map_err(|e| Error::io("write", shown.join(&rel), e))?,
            Content::Copy(from) => {
                // A new file (not `fs::copy`, which would also copy the source's permissions):
                // every file of the site is made alike.
                let mut source = fs::File::open(&from).map_err(|e| Error::io("read", &from, e))?;
                let mut file = fs::File::create(&path).map_err(|e| Error::io("write", shown.join(&rel), e))?;
                std::io::copy(&mut source, &mut file).map_err(|e| Error::io("copy", &from, e))?;
            }
        }
    }
    Ok(())
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = self.finish();
        if !self.committed && self.memory.is_none() && !self.tmp.as_os_str().is_empty() {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_foreign_folder_and_replaces_own() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("precious.txt"), "mine").unwrap();
        assert!(matches!(Staging::with_lanes(&out, &["_search"]), Err(Error::Usage(_))));

        let out2 = dir.path().join("site2");
        let s = Staging::with_lanes(&out2, &["_search"]).unwrap();
        s.write("a/b.html", b"x").unwrap();
        assert_eq!(s.commit().unwrap(), 1);
        assert_eq!(fs::read(out2.join("a/b.html")).unwrap(), b"x");
        let s = Staging::with_lanes(&out2, &["_search"]).unwrap();
        s.write("c.html", b"y").unwrap();
        drop(s); // not committed: the old site stays
        assert!(out2.join("a/b.html").is_file());
        assert!(!out2.join("c.html").exists());
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers.len(), 2, "{leftovers:?}");
    }

    #[test]
    fn the_search_index_has_its_own_writer() {
        let lanes = ["_search".to_string(), "feeds".to_string()];
        assert_eq!(writer_of(&lanes, "_search/d/1.js"), 1);
        assert_eq!(writer_of(&lanes, "_search/meta.js"), 1);
        assert_eq!(writer_of(&lanes, "feeds/a.xml"), 2);
        for pages in ["index.html", "cases/a.html", "_searchable/x.html", "_search"] {
            assert_eq!(writer_of(&lanes, pages), 0, "{pages}");
        }
        // An error of the second writer is reported too.
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let mut s = Staging::with_lanes(&out, &["_search"]).unwrap();
        fs::write(s.path().join("_search"), "in the way").unwrap();
        s.write("index.html", b"a page".as_slice()).unwrap();
        let _ = s.write("_search/d/0.js", b"x".as_slice());
        let err = s.finish().unwrap_err().to_string();
        assert!(err.contains(&out.join("_search").display().to_string()), "{err}");
        assert!(!err.contains("casebook-tmp"), "{err}");
    }

    #[test]
    fn a_write_error_is_reported_and_the_old_site_kept() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let s = Staging::with_lanes(&out, &["_search"]).unwrap();
        s.write("index.html", b"old".as_slice()).unwrap();
        s.commit().unwrap();

        let mut s = Staging::with_lanes(&out, &["_search"]).unwrap();
        s.write("a", b"a file".as_slice()).unwrap();
        // `a` is a file, so `a/b.html` cannot be written; later writes may or may not be queued.
        let _ = s.write("a/b.html", b"x".as_slice());
        let _ = s.write("c.html", b"y".as_slice());
        let err = s.finish().unwrap_err().to_string();
        assert!(err.contains(&out.join("a").display().to_string()), "{err}");
        assert!(!err.contains("casebook-tmp"), "errors name the site, not the temporary folder: {err}");
        drop(s);
        assert_eq!(fs::read(out.join("index.html")).unwrap(), b"old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "the temporary folder is removed");
    }
}
