//! Temporary folders beside a target (`.NAME.KIND-PID`, and `.old` once swapped out), and the
//! clean-up of those a killed process left: their name carries the PID of the process that
//! made them, so any process can tell a dead one's leftovers from a running one's folder.

use std::fs;
use std::path::{Path, PathBuf};

/// The kinds of temporary siblings casebook makes: a build's staging folder, and `search`'s
/// rebuilt index.
const KINDS: [&str; 2] = ["casebook-tmp", "tantivy-tmp"];

/// The temporary sibling of `target` of this `kind` ([`KINDS`]) for this process.
pub fn temp_beside(target: &Path, kind: &str) -> PathBuf {
    debug_assert!(KINDS.contains(&kind));
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    target.with_file_name(format!(".{name}.{kind}-{}", std::process::id()))
}

/// Removes the temporary siblings of `target` (of every kind) that dead processes left.
pub fn remove_dead_beside(target: &Path) {
    let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else { return };
    for kind in KINDS {
        remove_dead(parent, &format!(".{}.{kind}-", name.to_string_lossy()));
    }
}

/// Whether process `pid` is running. Only `/proc` can tell; without it every process counts as
/// running, so that nothing of a live one is ever removed.
pub fn alive(pid: u32) -> bool {
    !Path::new("/proc/self").exists() || Path::new("/proc").join(pid.to_string()).exists()
}

/// Removes the folders `dir/PREFIX<pid>` and `dir/PREFIX<pid>.old` whose process is no longer
/// [`alive`]. A folder that cannot be removed is reported as a warning: the build goes on.
pub fn remove_dead(dir: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(prefix) else { continue };
        let pid = rest.strip_suffix(".old").unwrap_or(rest);
        let Ok(pid) = pid.parse::<u32>() else { continue };
        if pid == std::process::id() || alive(pid) {
            continue;
        }
        if fs::symlink_metadata(entry.path()).is_ok_and(|m| m.is_dir()) {
            remove_or_warn(&entry.path(), "what a stopped casebook left");
        }
    }
}

/// Removes the folder `path`, warning (not failing) when it cannot: `what` says what it is.
pub fn remove_or_warn(path: &Path, what: &str) {
    if let Err(e) = fs::remove_dir_all(path) {
        if path.exists() {
            eprintln!("warning: cannot remove {what}, {}: {e}; remove it by hand", path.display());
        }
    }
}

/// Whether the folder `dir` is a mount point (or the root): it can then never be renamed, so it
/// can be written into but not replaced.
pub fn is_mount_point(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(canonical) = dir.canonicalize() else { return false };
    let Some(parent) = canonical.parent() else { return true };
    match (fs::metadata(&canonical), fs::metadata(parent)) {
        (Ok(d), Ok(p)) => d.dev() != p.dev() || d.ino() == p.ino(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_of_dead_processes_go_those_of_live_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        // No process has PID 4194304 + 1 (above Linux's largest PID); PID 1 is always alive.
        let dead = dir.path().join(".site.casebook-tmp-4194305");
        let dead_old = dir.path().join(".site.tantivy-tmp-4194305.old");
        let alive = dir.path().join(".site.casebook-tmp-1");
        let mine = temp_beside(&site, "casebook-tmp");
        let other = dir.path().join(".other.casebook-tmp-4194305");
        for d in [&dead, &dead_old, &alive, &mine, &other] {
            fs::create_dir(d).unwrap();
            fs::write(d.join("page.html"), "x").unwrap();
        }
        remove_dead_beside(&site);
        assert!(!dead.exists() && !dead_old.exists());
        assert!(alive.exists() && mine.exists() && other.exists());
    }

    #[test]
    fn a_mount_point_is_told_from_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!is_mount_point(dir.path()));
        assert!(is_mount_point(Path::new("/")));
        if Path::new("/proc/self").exists() {
            assert!(is_mount_point(Path::new("/proc")));
        }
    }
}
