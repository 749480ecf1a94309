//! `casebook new ID`: read the library's settings and taxonomy, then write a case skeleton made
//! from them ([`crate::scaffold::skeleton`]). The other cases need not be valid: a library with
//! a skeleton not filled in yet gets its next one all the same.

use crate::error::Error;
use crate::load::{SourceFile, CASES_DIR};
use crate::model::vocabulary::valid_id;
use crate::{load, parse, scaffold, validate, Result};
use std::path::{Path, PathBuf};

/// `casebook new ID`: write `cases/ID.md` under `root`, never over a file; returns its path.
pub fn new_case(root: &Path, id: &str) -> Result<PathBuf> {
    if !valid_id(id) {
        let suggestion: String =
            crate::model::slug(id).chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        let example = if valid_id(&suggestion) { format!("e.g. `{suggestion}`") } else { "e.g. `my-case`".to_string() };
        return Err(Error::Usage(format!(
            "`{id}` is not a valid case id: use lower-case letters, digits and `-` ({example})"
        )));
    }
    if let Some(clash) = crate::validate::case_id_clash(id) {
        return Err(Error::Usage(format!("case id `{id}` cannot be used: {clash}; choose another id")));
    }
    let sources = load::load(root)?;
    // Asked of the files themselves, not of the checked library: a library with an error (a
    // skeleton not filled in yet) has no cases to compare with.
    if let Some(file) = sources.cases.iter().find(|f| front_matter_id(f) == Some(id)) {
        return Err(Error::Usage(format!("case id `{id}` is already used by {}", file.path)));
    }
    // The skeleton is made of the taxonomy: it must be usable.
    let Some(file) = &sources.taxonomy else {
        return Err(Error::Content(sources.diagnostics.into_iter().filter(|d| d.is_error()).collect()));
    };
    let lang = sources.config.language;
    let (taxonomy, diags) = match parse::parse_taxonomy(&file.path, &file.text, lang) {
        Ok(raw) => validate::validate_taxonomy(file, raw),
        Err(d) => (Default::default(), vec![d]),
    };
    let errors: Vec<_> = diags.into_iter().filter(|d| d.is_error()).collect();
    if !errors.is_empty() {
        return Err(Error::Content(errors));
    }
    let path = root.join(CASES_DIR).join(format!("{id}.md"));
    let text = scaffold::skeleton(id, &sources.config, &taxonomy);
    crate::write::write_new(&path, text.as_bytes()).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => {
            Error::Usage(format!("{} already exists; casebook new never overwrites a file", path.display()))
        }
        _ => Error::io("create", &path, e),
    })?;
    Ok(path)
}

/// The `id:` a case file's front matter gives, as written (quotes removed), if it has one.
fn front_matter_id(file: &SourceFile) -> Option<&str> {
    let mut lines = file.text.lines();
    if lines.next()?.trim_end() != "---" {
        return None;
    }
    lines.take_while(|l| l.trim_end() != "---").find_map(|l| {
        let value = l.strip_prefix("id:")?.trim();
        let value = value.split(" #").next().unwrap_or(value).trim();
        Some(value.trim_matches(|c| c == '"' || c == '\''))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_of_the_front_matter_is_found_as_written() {
        let file = |text: &str| SourceFile { path: "cases/x.md".into(), text: text.into() };
        assert_eq!(front_matter_id(&file("---\ntitle: x\nid: tianhu\n---\nid: no\n")), Some("tianhu"));
        assert_eq!(front_matter_id(&file("---\nid: \"tianhu\"  # the page\n---\n")), Some("tianhu"));
        assert_eq!(front_matter_id(&file("---\ntitle: x\n---\nid: body\n")), None, "the body is not the front matter");
        assert_eq!(front_matter_id(&file("id: x\n")), None);
    }
}
