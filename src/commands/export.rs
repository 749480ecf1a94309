//! `casebook export`: check the library, then write it in a search server's bulk format
//! ([`crate::export`]): the documents to `--out` (or the given writer, standard output) and the
//! index settings to `--settings`. Files are written whole or not at all: a temporary sibling
//! renamed into place, so a failed export leaves the previous file as it was.

use super::check::check;
use crate::export::{self, ChineseAnalyzer, Format};
use crate::write::write_atomic;
use crate::{Error, Result};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Options of `casebook export`.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    pub root: PathBuf,
    pub format: Format,
    /// The documents' file; `None`: the writer given to [`export`].
    pub out: Option<PathBuf>,
    /// The index settings' file (OpenSearch's mapping, Meilisearch's settings).
    pub settings: Option<PathBuf>,
    pub chinese: ChineseAnalyzer,
}

/// What an export wrote.
#[derive(Debug)]
pub struct Exported {
    pub cases: usize,
    /// The format has settings, and none were asked for (`--settings`).
    pub settings_skipped: bool,
}

/// `casebook export`: the documents to `opts.out`, or to `stdout` when none is given.
pub fn export(opts: &ExportOptions, stdout: &mut dyn Write) -> Result<Exported> {
    let checked = check(&opts.root)?;
    let Some(library) = checked.library else {
        return Err(Error::Content(checked.diagnostics));
    };
    let settings = export::settings(&library, opts.format, opts.chinese);
    if let (Some(path), Some(value)) = (&opts.settings, &settings) {
        let text = serde_json::to_string_pretty(value).map_err(|e| Error::internal(e.to_string()))? + "\n";
        write_atomic(path, text.as_bytes())?;
    } else if opts.settings.is_some() {
        return Err(Error::Usage("--settings: the ndjson format has no index settings".into()));
    }
    match &opts.out {
        Some(path) => write_whole(path, |out| export::write_documents(&library, opts.format, out))?,
        None => {
            let mut out = BufWriter::new(stdout);
            crate::console::quiet_if_closed(
                export::write_documents(&library, opts.format, &mut out).and_then(|()| out.flush()),
            )
            .map_err(|e| Error::io("write to", "standard output", e))?
        }
    }
    Ok(Exported { cases: library.cases.len(), settings_skipped: settings.is_some() && opts.settings.is_none() })
}

/// Streams `write` into a temporary sibling of `path` (created as any file, under the umask),
/// then renames it over `path`; on failure the sibling is removed.
fn write_whole(path: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let written = std::fs::File::create(&tmp).and_then(|file| {
        let mut out = BufWriter::new(file);
        write(&mut out)?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()
    });
    let done = written.and_then(|()| std::fs::rename(&tmp, path));
    if done.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    done.map_err(|e| Error::io("write", path, e))
}
