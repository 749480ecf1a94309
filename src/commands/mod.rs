//! The commands, one file per command (as mdBook's `src/cmd/`): each one runs the stages it
//! needs, in order, and returns values; printing and exit codes belong to `main`.
//!
//! `check` is the first half of `build`: both call [`check::analyze`], so they can never
//! disagree about what is valid. `search` and `tags` start from the same check. Nothing here
//! prints or reads the terminal. `serve`, a long-running server with several parts of its own,
//! has its own folder ([`crate::serve`]) and uses [`build`] for its full rebuilds.

pub mod build;
pub mod check;
pub mod export;
pub mod init;
pub mod new;
pub mod search;
pub mod tags;
