//! `casebook new ID`: write a case-file skeleton with every field present and explained.
//!
//! The skeleton lists the library's own vocabulary ids in comments, so an editor fills it in
//! without opening the taxonomy. It never overwrites a file. Once its placeholders are filled
//! in, it passes `check`.

use crate::error::{Error, Result};
use crate::load::CASES_DIR;
use crate::model::vocabulary::{singular, valid_id, LEVELS};
use crate::model::Library;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Writes `cases/ID.md` under `root`.
pub fn new_case(root: &Path, id: &str, library: Option<&Library>) -> Result<PathBuf> {
    if !valid_id(id) {
        let suggestion: String =
            crate::model::slug(id).chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        let example = if valid_id(&suggestion) { format!("e.g. `{suggestion}`") } else { "e.g. `my-case`".to_string() };
        return Err(Error::Usage(format!(
            "`{id}` is not a valid case id: use lower-case letters, digits and `-` ({example})"
        )));
    }
    if let Some(lib) = library {
        if let Some(c) = lib.cases.iter().find(|c| c.id == id) {
            return Err(Error::Usage(format!("case id `{id}` is already used by {}", c.path)));
        }
    }
    let path = root.join(CASES_DIR).join(format!("{id}.md"));
    let mut file =
        std::fs::OpenOptions::new().write(true).create_new(true).open(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                Error::Usage(format!("{} already exists; casebook new never overwrites a file", path.display()))
            }
            _ => Error::io("create", &path, e),
        })?;
    file.write_all(skeleton(id, library).as_bytes()).map_err(|e| Error::io("write", &path, e))?;
    Ok(path)
}

/// The text of a new case file.
pub fn skeleton(id: &str, library: Option<&Library>) -> String {
    let mut s = String::new();
    s.push_str("---\n");
    s.push_str("# Unique id: lower-case letters, digits and '-'. It becomes the page address (cases/ID.html).\n");
    let _ = writeln!(s, "id: {id}");
    s.push_str("# English title, e.g. \"Huaihe Road Street: one body, two wings, four alliances, five districts\".\n");
    s.push_str("title: \"\"\n");
    s.push_str("# Chinese title (optional).\n");
    s.push_str("title_zh: \"\"\n");
    s.push_str(
        "# Where the case happened, from large to small. Only the province is required; the _zh fields are optional.\n",
    );
    s.push_str("place:\n  province: \"\"\n  province_zh: \"\"\n  city: \"\"\n  city_zh: \"\"\n  district: \"\"\n  district_zh: \"\"\n  unit: \"\"\n  unit_zh: \"\"\n");
    let _ = writeln!(s, "# One of: {}.", LEVELS.join(", "));
    s.push_str("level: community\n");
    match library {
        Some(lib) => {
            for v in &lib.taxonomy.vocabularies {
                let ids: Vec<&str> = v.terms.iter().map(|t| t.id.as_str()).collect();
                let _ = writeln!(s, "# {} ({}), ids from cases/taxonomy.yaml, most important first:", v.label, v.name);
                for chunk in ids.chunks(6) {
                    let _ = writeln!(s, "#   {}", chunk.join(", "));
                }
                let _ = writeln!(s, "{}: []", v.name);
            }
        }
        None => s.push_str(
            "# Tags: one key per vocabulary of cases/taxonomy.yaml, e.g.\nforces: []\npractices: []\nproblems: []\n",
        ),
    }
    s.push_str("# One paragraph of plain text, shown in lists, search results and the feed.\n");
    s.push_str("summary: \"\"\n");
    s.push_str("# The same in Chinese (optional).\n");
    s.push_str("summary_zh: \"\"\n");
    s.push_str("# What the case is based on: documents, field notes, interviews.\n");
    s.push_str("sources:\n  - \"\"\n");
    s.push_str("---\n\n");
    s.push_str("## Background {#background}\n\nWhat the place is like and what problem it faced.\n\n");
    let (attr, example) = match library.and_then(|l| l.taxonomy.vocabularies.iter().find(|v| v.name == "practices")) {
        Some(v) => (singular(&v.name).to_string(), v.terms.first().map(|t| t.id.clone()).unwrap_or_default()),
        None => ("practice".to_string(), "PRACTICE-ID".to_string()),
    };
    s.push_str("<!-- A practice section: tag its heading with the practice id and the forces it shows.\n");
    s.push_str("     The practice must be listed in `practices:` above, the forces in `forces:`. -->\n");
    let _ = writeln!(s, "## Practice: NAME {{#{example} {attr}={example} forces=\"FORCE-ID\"}}\n");
    s.push_str("What was done, by whom, and how.\n\n");
    s.push_str("## Results {#results}\n\nWhat changed, as the sources state it.\n\n");
    s.push_str("## Lessons {#lessons}\n\nWhat other communities can take from it.\n");
    s
}
