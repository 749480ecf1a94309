//! The stamp of a library's files: a hash of their metadata (size, times, inode), taken by
//! `load` as it reads them and by [`crate::freshness::stamp`] without reading them, so that
//! `search` can tell in milliseconds that no file was written since the index was built.

use std::fs;

/// The hash behind a stamp: std's SipHash with its fixed keys ([`std::hash::DefaultHasher`]).
/// Its value is stable within one binary, which is all a stamp needs (a stamp written by
/// another casebook only costs a look at the files' content); it is not promised across Rust
/// releases.
pub struct Stamp(std::hash::DefaultHasher);

impl Default for Stamp {
    fn default() -> Stamp {
        Stamp::new()
    }
}

impl Stamp {
    pub fn new() -> Stamp {
        Stamp(std::hash::DefaultHasher::new())
    }

    /// Adds the library's `casebook.toml`, if there is one: the settings name other spellings of
    /// places, which the index holds.
    pub fn settings(&mut self, root: &std::path::Path) {
        if let Ok(m) = fs::metadata(root.join(crate::config::CONFIG_FILE)) {
            self.file(crate::config::CONFIG_FILE, &m);
        }
    }

    /// Adds one file: its path (relative to the library, `/`-separated) and metadata.
    pub fn file(&mut self, rel: &str, m: &fs::Metadata) {
        use std::hash::Hash;
        rel.hash(&mut self.0);
        m.len().hash(&mut self.0);
        m.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).hash(&mut self.0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            (m.ctime(), m.ctime_nsec(), m.ino(), m.dev()).hash(&mut self.0);
        }
    }

    pub fn finish(&self) -> String {
        format!("{:016x}", std::hash::Hasher::finish(&self.0))
    }
}
