//! The browser index's old name: see [`crate::browser_index`].

// moved: re-export until the merge
pub use crate::browser_index::*;
