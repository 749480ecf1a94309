//! Write: put the built site on disk atomically — a foundation every stage that touches the
//! disk uses (`build`'s pages, the search index, its meta file) — and the new files of `init`
//! and `new`, never over an existing one.
//!
//! - [`staging`]: the temporary folder a build writes into, swapped into place as a whole;
//! - [`atomic`]: one file or one folder replaced so that a reader sees the old or the new one;
//! - [`marker`]: the `.casebook-site` file that lists what a build wrote, so that `build`
//!   replaces only a folder that holds nothing else and never wipes a user's own files;
//! - [`temp`]: temporary siblings named by PID, and the clean-up of those a dead process left.
//!
//! This module knows no stage: the folders that get their own writer thread, or their own
//! list of files, are given by the caller.

pub mod atomic;
pub mod marker;
pub mod staging;
pub mod temp;

pub use atomic::{replace_dir, write_atomic, write_new};
pub use marker::{foreign, write_marker, Foreign, MARKER};
pub use staging::Staging;
pub use temp::{is_mount_point, remove_dead, remove_dead_beside, temp_beside};
