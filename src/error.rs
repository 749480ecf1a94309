//! The error type of every command: what went wrong, with its context, and the exit code.
//!
//! Content problems are reported as [`Diagnostic`]s (exit code 1); usage and I/O problems
//! carry the path and the cause (exit code 2). Only `main` turns an error into an exit status.

use crate::diag::Diagnostic;
use std::fmt;
use std::path::PathBuf;

#[derive(Debug)]
pub enum Error {
    /// The library has errors; the diagnostics say which (warnings may be included).
    Content(Vec<Diagnostic>),
    /// Reading or writing a file failed.
    Io { action: &'static str, path: PathBuf, source: std::io::Error },
    /// The command was asked to do something it cannot do.
    Usage(String),
    /// The search index could not be built, opened or queried.
    Index(String),
}

impl Error {
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { action, path: path.into(), source }
    }

    /// The process exit code: 1 for content errors, 2 for usage or I/O errors.
    pub fn code(&self) -> i32 {
        match self {
            Error::Content(_) => 1,
            _ => 2,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Content(diags) => {
                let n = diags.iter().filter(|d| d.is_error()).count();
                write!(f, "the library has {}", crate::diag::plural(n, "error", "errors"))
            }
            Error::Io { action, path, source } => write!(f, "cannot {action} {}: {source}", path.display()),
            Error::Usage(msg) => f.write_str(msg),
            Error::Index(msg) => write!(f, "search index: {msg}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<tantivy::TantivyError> for Error {
    fn from(e: tantivy::TantivyError) -> Self {
        Error::Index(e.to_string())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
