//! Scaffolding: the texts casebook writes for an editor to fill in — the skeleton of a new case
//! ([`skeleton`], `casebook new`) and the files of a new library ([`starter`], `casebook init`).
//! Pure: the commands write the files (`crate::commands::new`, `crate::commands::init`).

pub mod skeleton;
pub mod starter;

pub use skeleton::skeleton;
