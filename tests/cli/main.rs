//! The integration tests of `casebook`: one binary, run the way an editor runs it.
//!
//! Each test copies a small fixture library from `tests/fixtures/` (or the shipped `cases/`)
//! into a temporary folder, changes what the test is about, runs the real `casebook` binary and
//! compares what the user sees — stdout, stderr and the exit code, or the files of the built
//! site — with a reviewed snapshot in `tests/snapshots/` or with properties every page must
//! have. The harness is `tests/support/`; each feature has its file beside this one.
//! `tests/README.md` says how to add a test and refresh snapshots.

#[path = "../support/mod.rs"]
mod support;

#[cfg(feature = "browser-tests")]
mod browser;
mod bundles;
mod check;
mod dates;
mod export;
mod files;
mod fuzz;
mod init;
mod keyboard;
mod links;
mod new;
mod pages;
mod pipe;
mod search;
mod serve;
mod serve_recovery;
mod site;
mod translations;
mod vocabularies;
