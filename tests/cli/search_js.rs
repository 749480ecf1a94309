//! The search page's script is written in parts (`templates/assets/search/*.js`, sharing one
//! closure) and shipped as their concatenation, `templates/assets/search.js`, which the theme
//! embeds. Until the build concatenates the parts itself, the concatenation is a generated
//! file kept in the repository; this test fails when it no longer equals its parts.

use std::fs;
use std::path::Path;

use crate::support::MANIFEST_DIR;

/// The parts, in the order they are concatenated: `format.js` opens the closure, `main.js`
/// closes it.
const PARTS: &[&str] = &["format", "shards", "query", "evaluate", "view", "main"];

#[test]
fn search_js_is_the_concatenation_of_its_parts() {
    let assets = Path::new(MANIFEST_DIR).join("templates/assets");
    let parts: String = PARTS
        .iter()
        .map(|p| fs::read_to_string(assets.join(format!("search/{p}.js"))).unwrap_or_else(|e| panic!("{p}.js: {e}")))
        .collect();
    let shipped = fs::read_to_string(assets.join("search.js")).unwrap();
    assert!(
        parts == shipped,
        "templates/assets/search.js is not the concatenation of templates/assets/search/*.js; regenerate it:\n  \
         cd templates/assets/search && cat {}.js > ../search.js",
        PARTS.join(".js ")
    );
    let mut names: Vec<String> = fs::read_dir(assets.join("search"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".js"))
        .collect();
    names.sort();
    let mut listed: Vec<String> = PARTS.iter().map(|p| format!("{p}.js")).collect();
    listed.sort();
    assert_eq!(names, listed, "every part is concatenated, and only the parts");
}
