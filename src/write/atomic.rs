//! Atomic replacement: a file written beside its target then renamed over it, a folder swapped
//! for another, so that a reader (a search, a browser) sees the old version or the new one,
//! never half of either.

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

/// The folder a replaced folder is moved to while its replacement moves in: `tmp`'s name with
/// `.old` added.
fn aside(tmp: &Path) -> PathBuf {
    tmp.with_file_name(format!("{}.old", tmp.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()))
}

/// Puts the folder `tmp` in the place of `target`: the old `target` (if any) is moved aside,
/// `tmp` renamed to `target`, then the old one removed. If the rename fails, the old folder is
/// put back. Between the two renames `target` is missing for an instant; it is never half
/// written.
pub fn replace_dir(tmp: &Path, target: &Path) -> Result<()> {
    let old = aside(tmp);
    if old.exists() {
        fs::remove_dir_all(&old).map_err(|e| Error::io("remove", &old, e))?;
    }
    let had_old = target.exists();
    if had_old {
        fs::rename(target, &old).map_err(|e| Error::io("move aside", target, e))?;
    }
    if let Err(e) = fs::rename(tmp, target) {
        if had_old {
            let _ = fs::rename(&old, target);
        }
        return Err(Error::io("move into place", target, e));
    }
    if had_old {
        let _ = fs::remove_dir_all(&old);
    }
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
}
