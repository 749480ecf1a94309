//! The error type of every command: what went wrong, with its context and cause, and the exit
//! code.
//!
//! Content problems are reported as [`Diagnostic`]s (exit code 1); everything else carries its
//! context and, where there is one, the underlying error as [`std::error::Error::source`]
//! (exit code 2). [`Error::is_client_error`] tells a request's fault from the server's, for
//! `serve`'s HTTP status. Only `main` turns an error into an exit status.

use crate::diag::Diagnostic;
use std::fmt;
use std::path::PathBuf;

/// The cause behind an error, from whichever library raised it.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug)]
pub enum Error {
    /// The library has errors; the diagnostics say which (warnings may be included).
    Content(Vec<Diagnostic>),
    /// Reading or writing a file failed.
    Io { action: &'static str, path: PathBuf, source: std::io::Error },
    /// The command was asked to do something it cannot do (arguments, filters, folders).
    Usage(String),
    /// A search query could not be read; the message points at the problem.
    Query(String),
    /// The search index could not be built, opened or queried.
    Index { context: String, source: Option<Cause> },
    /// The system refused a resource: a socket, a thread, a runtime, a file watcher.
    System { action: String, source: Cause },
    /// Data could not be turned into JSON.
    Json(serde_json::Error),
    /// A build was stopped because another part of it failed first.
    Cancelled,
    /// A bug: something casebook's own code should have made impossible.
    Internal(String),
}

impl Error {
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { action, path: path.into(), source }
    }

    /// The index is in a state casebook cannot use (`context` says which).
    pub fn index(context: impl Into<String>) -> Self {
        Error::Index { context: context.into(), source: None }
    }

    /// An index operation (`context`) failed because of `source`.
    pub fn index_because(context: impl Into<String>, source: impl Into<Cause>) -> Self {
        Error::Index { context: context.into(), source: Some(source.into()) }
    }

    /// The system refused to `action` (e.g. "listen on 127.0.0.1:8000").
    pub fn system(action: impl Into<String>, source: impl Into<Cause>) -> Self {
        Error::System { action: action.into(), source: source.into() }
    }

    pub fn internal(what: impl Into<String>) -> Self {
        Error::Internal(what.into())
    }

    /// The process exit code: 1 for content errors, 2 for everything else.
    pub fn code(&self) -> i32 {
        match self {
            Error::Content(_) => 1,
            _ => 2,
        }
    }

    /// Whether the request, not the program or the machine, is at fault: a bad argument, filter
    /// or query, or a library with errors. `serve` answers these with 400, the others with 500.
    pub fn is_client_error(&self) -> bool {
        matches!(self, Error::Content(_) | Error::Usage(_) | Error::Query(_))
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
            Error::Usage(msg) | Error::Query(msg) => f.write_str(msg),
            Error::Index { context, source: None } => write!(f, "search index: {context}"),
            Error::Index { context, source: Some(source) } => write!(f, "search index: {context}: {source}"),
            Error::System { action, source } => write!(f, "cannot {action}: {source}"),
            Error::Json(e) => write!(f, "cannot write JSON: {e}"),
            Error::Cancelled => f.write_str("stopped: the build failed"),
            Error::Internal(what) => write!(f, "internal: {what}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::Index { source: Some(source), .. } | Error::System { source, .. } => Some(source.as_ref()),
            Error::Json(e) => Some(e),
            _ => None,
        }
    }
}

impl From<tantivy::TantivyError> for Error {
    fn from(e: tantivy::TantivyError) -> Self {
        Error::Index { context: "tantivy".into(), source: Some(Box::new(e)) }
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Json(e)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn causes_are_chained_and_shown() {
        let e = Error::io("read", "cases/a.md", std::io::Error::other("disk on fire"));
        assert_eq!(e.to_string(), "cannot read cases/a.md: disk on fire");
        assert_eq!(e.source().map(|s| s.to_string()).as_deref(), Some("disk on fire"));
        let e = Error::index_because("cannot open site/_search/tantivy", std::io::Error::other("gone"));
        assert_eq!(e.to_string(), "search index: cannot open site/_search/tantivy: gone");
        assert!(e.source().is_some());
        assert_eq!(
            Error::index("the index has no field `title`").to_string(),
            "search index: the index has no field `title`"
        );
        let e = Error::system("listen on 127.0.0.1:80", std::io::Error::other("denied"));
        assert_eq!(e.to_string(), "cannot listen on 127.0.0.1:80: denied");
    }

    #[test]
    fn only_the_requests_faults_are_client_errors() {
        assert!(Error::Usage("unknown filter".into()).is_client_error());
        assert!(Error::Query("unbalanced (".into()).is_client_error());
        assert!(Error::Content(Vec::new()).is_client_error());
        assert!(!Error::index("corrupt").is_client_error());
        assert!(!Error::internal("a thread panicked").is_client_error());
        assert!(!Error::io("read", "x", std::io::Error::other("e")).is_client_error());
        assert_eq!(Error::Usage("x".into()).code(), 2);
        assert_eq!(Error::Content(Vec::new()).code(), 1);
    }
}
