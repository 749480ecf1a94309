//! Atomic replacement: a file written beside its target then renamed over it, a folder swapped
//! for another, so that a reader (a search, a browser) sees the old version or the new one,
//! never half of either.

use super::temp::remove_or_warn;
use crate::error::{Error, Result};
use std::fs;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` through a temporary sibling renamed over it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    fs::write(&tmp, bytes).map_err(|e| Error::io("write", path, e))?;
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io("write", path, e)
    })
}

/// Writes `bytes` to a new file `path`; a file there already is an error of kind
/// `AlreadyExists` and stays as it is (`casebook new` and `init` never overwrite an editor's file).
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    fs::OpenOptions::new().write(true).create_new(true).open(path)?.write_all(bytes)
}

/// The folder a replaced folder is moved to while its replacement moves in, where the two
/// cannot be exchanged: `tmp`'s name with `.old` added.
fn aside(tmp: &Path) -> PathBuf {
    tmp.with_file_name(format!("{}.old", tmp.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()))
}

/// Exchanges the folders `a` and `b` in one atomic step (Linux's `renameat2` with
/// `RENAME_EXCHANGE`): at every instant each path names one whole folder.
#[cfg(target_os = "linux")]
pub fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(std::io::Error::other);
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both paths are NUL-terminated strings that live across the call.
    let rc = unsafe { libc::renameat2(libc::AT_FDCWD, a.as_ptr(), libc::AT_FDCWD, b.as_ptr(), libc::RENAME_EXCHANGE) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Where there is no `renameat2`, nothing can be exchanged.
#[cfg(not(target_os = "linux"))]
pub fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from_raw_os_error(libc::ENOSYS))
}

/// Whether an [`exchange`] failed only because the system or the file system cannot do it.
fn unsupported(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP))
}

/// Puts the folder `tmp` in the place of `target`. An old `target` is exchanged with `tmp` in
/// one atomic step, then removed: a reader (or a crash) finds the old folder or the new one,
/// never none. Where the exchange is not supported, the old folder is moved aside and `tmp`
/// renamed into place (a missing `target` for an instant; if the second rename fails, the old
/// folder is put back). An old folder that cannot be removed is a warning, not an error: the
/// new one is in place, and a later build removes the leftover once this process has ended.
pub fn replace_dir(tmp: &Path, target: &Path) -> Result<()> {
    let old = aside(tmp);
    if old.exists() {
        fs::remove_dir_all(&old).map_err(|e| Error::io("remove", &old, e))?;
    }
    if fs::symlink_metadata(target).is_err() {
        return fs::rename(tmp, target).map_err(|e| Error::io("move into place", target, e));
    }
    match exchange(tmp, target) {
        Ok(()) => {
            remove_or_warn(tmp, "the previous version");
            return Ok(());
        }
        Err(e) if unsupported(&e) => {}
        Err(e) => return Err(Error::io("move into place", target, e)),
    }
    fs::rename(target, &old).map_err(|e| Error::io("move aside", target, e))?;
    if let Err(e) = fs::rename(tmp, target) {
        let _ = fs::rename(&old, target);
        return Err(Error::io("move into place", target, e));
    }
    remove_or_warn(&old, "the previous version");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_and_a_folder_are_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("meta.json");
        write_atomic(&file, b"one").unwrap();
        write_atomic(&file, b"two").unwrap();
        assert_eq!(fs::read(&file).unwrap(), b"two");

        let (tmp, target) = (dir.path().join(".new"), dir.path().join("site"));
        fs::create_dir(&target).unwrap();
        fs::write(target.join("old.txt"), "old").unwrap();
        fs::create_dir(&tmp).unwrap();
        fs::write(tmp.join("new.txt"), "new").unwrap();
        replace_dir(&tmp, &target).unwrap();
        assert!(target.join("new.txt").is_file() && !target.join("old.txt").exists());
        let mut left: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        left.sort();
        assert_eq!(left, ["meta.json", "site"]);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn two_folders_are_exchanged_in_one_step() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        fs::create_dir(&a).unwrap();
        fs::write(a.join("in-a"), "a").unwrap();
        fs::create_dir(&b).unwrap();
        fs::write(b.join("in-b"), "b").unwrap();
        match exchange(&a, &b) {
            // Where the file system cannot exchange, `replace_dir` takes the two renames.
            Err(e) if unsupported(&e) => {}
            r => {
                r.unwrap();
                assert!(a.join("in-b").is_file() && b.join("in-a").is_file());
                assert!(!a.join("in-a").exists() && !b.join("in-b").exists());
            }
        }
        assert!(exchange(&a, &dir.path().join("missing")).is_err(), "nothing to exchange with");
    }
}
