//! The theme: casebook's built-in templates and assets, embedded in the binary, with a library's
//! own `templates/` folder overriding any file by name; and template errors worded as
//! diagnostics that name the file and line. Knows which files are templates, not what the pages
//! put in them.

use super::i18n::is_strings_file;
use crate::diag::Diagnostic;
use crate::error::{Error, Result};
use crate::write::Staging;
use std::collections::{BTreeMap, BTreeSet};

/// The built-in theme: (name, contents). Templates are Tera files (`.html`, and the data files
/// `sitemap.xml`, `feed.xml`, `profile.svg`); `i18n/*.toml` are the UI strings; the rest is
/// copied into the site as is.
pub(crate) const THEME: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("case.html", include_str!("../../templates/case.html")),
    ("cases.html", include_str!("../../templates/cases.html")),
    ("term.html", include_str!("../../templates/term.html")),
    ("vocabulary.html", include_str!("../../templates/vocabulary.html")),
    ("places.html", include_str!("../../templates/places.html")),
    ("place.html", include_str!("../../templates/place.html")),
    ("matrix.html", include_str!("../../templates/matrix.html")),
    ("about.html", include_str!("../../templates/about.html")),
    ("search.html", include_str!("../../templates/search.html")),
    ("404.html", include_str!("../../templates/404.html")),
    ("sitemap.xml", include_str!("../../templates/sitemap.xml")),
    ("feed.xml", include_str!("../../templates/feed.xml")),
    ("profile.svg", include_str!("../../templates/profile.svg")),
    ("i18n/zh-CN.toml", include_str!("../../templates/i18n/zh-CN.toml")),
    ("i18n/en.toml", include_str!("../../templates/i18n/en.toml")),
    ("assets/style.css", include_str!("../../templates/assets/style.css")),
    ("assets/site.js", include_str!("../../templates/assets/site.js")),
    ("assets/favicon.svg", include_str!("../../templates/assets/favicon.svg")),
];

/// The search page's script, written in parts that share one closure (`format.js` opens it,
/// `main.js` closes it) and shipped as their concatenation, in this order, as [`SEARCH_JS`]. A
/// library may override one part, or the whole `assets/search.js`.
const SEARCH_JS_PARTS: &[(&str, &str)] = &[
    ("assets/search/format.js", include_str!("../../templates/assets/search/format.js")),
    ("assets/search/shards.js", include_str!("../../templates/assets/search/shards.js")),
    ("assets/search/query.js", include_str!("../../templates/assets/search/query.js")),
    ("assets/search/plan.js", include_str!("../../templates/assets/search/plan.js")),
    ("assets/search/evaluate.js", include_str!("../../templates/assets/search/evaluate.js")),
    ("assets/search/view.js", include_str!("../../templates/assets/search/view.js")),
    ("assets/search/main.js", include_str!("../../templates/assets/search/main.js")),
];

/// The search page's script as the site ships it.
const SEARCH_JS: &str = "assets/search.js";

/// The templates that are not pages: the data files and the profile drawn on case pages. Other
/// `.xml` and `.svg` files of a library's `templates/` are assets, copied as they are.
const DATA_TEMPLATES: &[&str] = &["sitemap.xml", "feed.xml", "profile.svg"];

/// Is `name` (a file inside `templates/`) a Tera template?
fn is_template(name: &str) -> bool {
    name.ends_with(".html") || DATA_TEMPLATES.contains(&name)
}

/// The `escape_xml` filter: [`crate::html::escape`], for the XML and SVG templates, which Tera
/// does not escape on its own.
fn escape_xml(value: &str, _: tera::Kwargs, _: &tera::State) -> String {
    crate::html::escape(value)
}

/// The built-in templates with the library's overrides on top.
pub(crate) fn templates(overrides: &[(String, Vec<u8>)]) -> Result<(tera::Tera, BTreeSet<String>)> {
    let mut tera = tera::Tera::default();
    // Only the pages are escaped by Tera. The XML and SVG templates escape their values with
    // `escape_xml`, the escaping the sitemap, the feed and the profile have always had (Tera's
    // leaves `'` as it is).
    tera.autoescape_on(vec![".html", ".htm"]);
    tera.register_filter("escape_xml", escape_xml);
    let mut sources: BTreeMap<String, (String, bool)> = THEME
        .iter()
        .filter(|(name, _)| is_template(name))
        .map(|(n, s)| (n.to_string(), (s.to_string(), false)))
        .collect();
    for (name, bytes) in overrides {
        if is_template(name) {
            let text = crate::load::decode(&format!("templates/{name}"), bytes.clone())
                .map_err(|d| Error::Content(vec![d]))?;
            sources.insert(name.clone(), (text, true));
        }
    }
    let all: Vec<(&str, &str)> = sources.iter().map(|(n, (t, _))| (n.as_str(), t.as_str())).collect();
    if let Err(e) = tera.add_raw_templates(all) {
        // Name the template the error is in, and point at its line when Tera says where.
        let full = e.to_string();
        let culprit = sources
            .keys()
            .find(|n| full.contains(&format!("--> {n}:")))
            .or_else(|| sources.keys().find(|n| full.contains(&format!("'{n}'"))))
            .cloned()
            .unwrap_or_default();
        let overridden = overridden_of(&sources);
        let text = sources.get(&culprit).map(|(t, _)| t.as_str());
        return Err(template_error(&culprit, &overridden, &e, text));
    }
    Ok((tera, overridden_of(&sources)))
}

/// The names of the templates a library overrides.
fn overridden_of(sources: &BTreeMap<String, (String, bool)>) -> BTreeSet<String> {
    sources.iter().filter(|(_, (_, o))| *o).map(|(n, _)| n.clone()).collect()
}

/// A Tera error as a diagnostic naming the template file and line. `overridden`: the templates
/// the library overrides. A built-in template that fails while the library overrides others
/// (the components of `macros.html`, say) most likely fails in one of those: the hint names them.
pub(crate) fn template_error(name: &str, overridden: &BTreeSet<String>, e: &tera::Error, text: Option<&str>) -> Error {
    let file = format!("templates/{name}");
    let hint = if overridden.contains(name) {
        "fix the template; see README.md, \"Templates\"".to_string()
    } else if !overridden.is_empty() {
        let own: Vec<String> = overridden.iter().map(|n| format!("templates/{n}")).collect();
        format!(
            "this built-in template uses the library's own {}: check those first (README.md, \"Templates\")",
            own.join(", ")
        )
    } else {
        "this is casebook's built-in template: please report it; a library can override it with its own templates/ file"
            .to_string()
    };
    let full = e.to_string();
    // Tera reports " --> name:line:col"; take the innermost such location.
    let mut line = 0;
    let mut column = 0;
    let mut in_file = file.clone();
    for l in full.lines() {
        if let Some(rest) = l.trim().strip_prefix("--> ") {
            let mut parts = rest.rsplitn(3, ':');
            let c = parts.next().and_then(|x| x.parse().ok());
            let ln = parts.next().and_then(|x| x.parse().ok());
            if let (Some(c), Some(ln), Some(n)) = (c, ln, parts.next()) {
                line = ln;
                column = c;
                in_file = if n == name { file.clone() } else { format!("templates/{n}") };
            }
        }
    }
    let message = full
        .lines()
        .find(|l| l.trim_start().starts_with("error:"))
        .map(|l| l.trim_start().trim_start_matches("error:").trim().to_string())
        .unwrap_or_else(|| full.lines().next().unwrap_or("template error").to_string());
    let mut d = Diagnostic::error(&in_file, "template", message).hint(hint);
    if line > 0 {
        d = match text.filter(|_| in_file == file) {
            Some(t) => d.at(t, line, column),
            None => {
                d.line = line;
                d.column = column;
                d
            }
        };
    }
    Error::Content(vec![d])
}

/// A built-in script or style sheet without its comments and layout (the search page loads
/// `search.js` before anything can be typed: a third of its bytes were comments and
/// indentation). Only casebook's own files, which the browser tests run minified: a library's
/// own files are shipped as written. Other files, and any the minifier cannot read, unchanged.
fn minified(name: &str, text: &str) -> Vec<u8> {
    let out = if name.ends_with(".js") {
        minifier::js::minify(text).map(|m| m.to_string()).ok()
    } else if name.ends_with(".css") {
        minifier::css::minify(text).map(|m| m.to_string()).ok()
    } else {
        None
    };
    out.unwrap_or_else(|| text.to_string()).into_bytes()
}

/// Copies the theme's static files (and the library's own) into the site, the search script
/// joined from its parts.
pub(crate) fn write_assets(overrides: &[(String, Vec<u8>)], staging: &Staging) -> Result<()> {
    let is_asset = |name: &str| !is_template(name) && !is_strings_file(name);
    let mut assets: BTreeMap<String, Vec<u8>> =
        THEME.iter().filter(|(name, _)| is_asset(name)).map(|(n, s)| (n.to_string(), minified(n, s))).collect();
    assets.extend(SEARCH_JS_PARTS.iter().map(|(n, s)| (n.to_string(), minified(n, s))));
    for (name, bytes) in overrides {
        if is_asset(name) {
            assets.insert(name.clone(), bytes.clone());
        }
    }
    // The parts become one script (unless the library replaced the whole script), a part to a
    // line: a library's own part may lean on the line break that ends it.
    let parts: Vec<Vec<u8>> = SEARCH_JS_PARTS
        .iter()
        .filter_map(|(name, _)| assets.remove(*name))
        .map(|mut part| {
            if !part.ends_with(b"\n") {
                part.push(b'\n');
            }
            part
        })
        .collect();
    assets.entry(SEARCH_JS.to_string()).or_insert_with(|| parts.concat());
    for (name, bytes) in &assets {
        staging.write(name, bytes.as_slice())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped_assets(overrides: &[(String, Vec<u8>)]) -> BTreeMap<String, Vec<u8>> {
        let staging = Staging::in_memory();
        write_assets(overrides, &staging).unwrap();
        staging.into_files().into_iter().collect()
    }

    #[test]
    fn the_search_script_is_its_parts_joined_in_order() {
        let files = shipped_assets(&[]);
        let joined: String = SEARCH_JS_PARTS
            .iter()
            .map(|(name, text)| minified(name, text))
            .map(|p| String::from_utf8(p).unwrap() + "\n")
            .collect();
        assert_eq!(files[SEARCH_JS], joined.as_bytes());
        assert!(files.keys().all(|name| !name.starts_with("assets/search/")), "no part is shipped alone");
        let first = SEARCH_JS_PARTS[0].1;
        let last = SEARCH_JS_PARTS[SEARCH_JS_PARTS.len() - 1].1;
        assert!(
            first.contains("(function () {") && last.trim_end().ends_with("})();"),
            "one closure, opened and closed"
        );
    }

    #[test]
    fn built_in_scripts_and_styles_ship_without_comments_and_layout() {
        for (name, text) in
            THEME.iter().chain(SEARCH_JS_PARTS).filter(|(n, _)| n.ends_with(".js") || n.ends_with(".css"))
        {
            let out = String::from_utf8(minified(name, text)).unwrap();
            assert!(out.len() * 10 < text.len() * 9, "{name}: {} of {} bytes", out.len(), text.len());
            assert!(!out.contains("\n  ") && !out.contains("/**"), "{name}: comments or indentation left");
        }
        // Strings and regular expressions are kept as written.
        let text = "var a = \"//  not a comment\"; var re = /[\\p{L}\"']+/gu; // gone\n";
        let out = String::from_utf8(minified("x.js", text)).unwrap();
        assert!(
            out.contains("\"//  not a comment\"") && out.contains("/[\\p{L}\"']+/gu") && !out.contains("gone"),
            "{out}"
        );
        assert_eq!(minified("x.txt", "  kept  "), b"  kept  ");
    }

    #[test]
    fn a_library_overrides_one_part_or_the_whole_script() {
        let part = vec![("assets/search/view.js".to_string(), b"/* my view */\n".to_vec())];
        let files = shipped_assets(&part);
        let script = String::from_utf8(files[SEARCH_JS].clone()).unwrap();
        assert!(script.contains("/* my view */"));
        let view = SEARCH_JS_PARTS.iter().find(|(name, _)| *name == "assets/search/view.js").unwrap().1;
        assert!(!script.contains(view), "the built-in view part is replaced");
        let (first, last) = (SEARCH_JS_PARTS[0], SEARCH_JS_PARTS[SEARCH_JS_PARTS.len() - 1]);
        let (first, last) = (minified(first.0, first.1), minified(last.0, last.1));
        assert!(script.as_bytes().starts_with(&first) && script.trim_end().as_bytes().ends_with(&last));
        let whole = vec![(SEARCH_JS.to_string(), b"// mine\n".to_vec())];
        assert_eq!(shipped_assets(&whole)[SEARCH_JS], b"// mine\n");
    }
}
