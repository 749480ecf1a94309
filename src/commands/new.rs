//! `casebook new ID`: check the library (for its vocabularies), then write a case skeleton.

use super::check::analyze;
use crate::error::Error;
use crate::load::SourceFile;
use crate::{load, scaffold, Result};
use std::path::{Path, PathBuf};

/// `casebook new ID`: write a case file skeleton; returns its path.
pub fn new_case(root: &Path, id: &str) -> Result<PathBuf> {
    if let Some(clash) = crate::validate::case_id_clash(id) {
        return Err(Error::Usage(format!("case id `{id}` cannot be used: {clash}; choose another id")));
    }
    let sources = load::load(root)?;
    // Asked of the files themselves, not of the checked library: a library with an error (a
    // skeleton not filled in yet) has no cases to compare with.
    if let Some(file) = sources.cases.iter().find(|f| front_matter_id(f) == Some(id)) {
        return Err(Error::Usage(format!("case id `{id}` is already used by {}", file.path)));
    }
    let checked = analyze(sources);
    scaffold::new_case(root, id, checked.library.as_ref())
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
