//! What a link in a case's Markdown points at, and where the site puts a case's files.
//!
//! One reading of a link's address for every stage: `validate` checks that what it names
//! exists, `render` rewrites it for the page it is on. A link is one of: another case
//! (`case:ID`, `case:ID#anchor`), a document of the library's `static/` folder (`static:NAME`),
//! a file beside the case (a relative path: `bins.png`, `docs/plan.pdf`), or anything else (the
//! web, `mailto:`, an anchor of the page, an absolute path), which is left as it is.
//!
//! A file beside a case is published in the site at `cases/ID/PATH` ([`attachment_path`]), PATH
//! being its path relative to the case file's folder: a page bundle keeps its layout, and the
//! case's translations, which sit beside it, share its files. Only files in the case's folder
//! or below it are published (a link that climbs out of it with `..` is an error), and only the
//! files a link names. Pure: no file is looked at here.

use percent_encoding::percent_decode_str;

/// What the address of a link or an image names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target<'a> {
    /// `case:ID`, with the anchor after `#` if any.
    Case { id: &'a str, anchor: Option<&'a str> },
    /// `static:NAME`: a document of the library's `static/` folder.
    Static(&'a str),
    /// A relative path: a file beside the case. `path` is relative to the case file's folder,
    /// percent-decoded, with `.` and `..` resolved and `/` as separator; `rest` is what followed
    /// the path as written (`?query`, `#fragment`).
    File { path: String, rest: &'a str },
    /// A relative path that leaves the case's folder (`../shared/logo.png`): `up` folders up
    /// from it, then `path`.
    Outside { up: usize, path: String },
    /// The web, another scheme, an anchor of the page, an absolute path, an empty address.
    Other,
}

/// Reads the address `url` of a link or an image as written in a case.
pub fn target(url: &str) -> Target<'_> {
    if let Some(rest) = url.strip_prefix("case:") {
        let (id, anchor) = rest.split_once('#').map_or((rest, None), |(i, a)| (i, Some(a)));
        return Target::Case { id, anchor };
    }
    if let Some(name) = url.strip_prefix("static:") {
        return Target::Static(name);
    }
    let trimmed = url.trim();
    // A scheme (`https:`, `mailto:`, `C:`) comes before any `/`, `?` or `#`.
    let scheme = trimmed.find(':').is_some_and(|colon| trimmed.find(['/', '\\', '?', '#']).is_none_or(|s| colon < s));
    if trimmed.is_empty() || scheme || trimmed.starts_with(['/', '\\', '#', '?']) {
        return Target::Other;
    }
    let end = trimmed.find(['?', '#']).unwrap_or(trimmed.len());
    let (written, rest) = trimmed.split_at(end);
    let decoded = percent_decode_str(written).decode_utf8().map_or_else(|_| written.to_string(), |d| d.into_owned());
    // Browsers read `\` as `/` in a path (a path copied from Windows).
    let mut parts: Vec<&str> = Vec::new();
    let mut up = 0;
    for part in decoded.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    up += 1;
                }
            }
            part => parts.push(part),
        }
    }
    match (up, parts.is_empty()) {
        (_, true) => Target::Other,
        (0, false) => Target::File { path: parts.join("/"), rest },
        (up, false) => Target::Outside { up, path: parts.join("/") },
    }
}

/// The library path of the file `path` found `up` folders above `folder` (a folder of the
/// library with its trailing `/`), if that is inside the library.
pub fn above(folder: &str, up: usize, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = folder.split('/').filter(|p| !p.is_empty()).collect();
    for _ in 0..up {
        parts.pop()?;
    }
    parts.push(path);
    Some(parts.join("/"))
}

/// Where the site publishes the file `path` (relative to its folder) of case `id`, relative to
/// the site's root: `cases/ID/PATH`.
pub fn attachment_path(id: &str, path: &str) -> String {
    format!("cases/{id}/{path}")
}

/// The folder of a case file, `/`-separated and relative to the library root, with a trailing
/// `/` (`cases/sorting/` for `cases/sorting/first.md`).
pub fn folder_of(file: &str) -> &str {
    file.rfind('/').map_or("", |slash| &file[..=slash])
}

/// `path` written for an `href` or `src`: a `%`, `#` or `?` in a file's name escaped, so that
/// the browser reads none of them as an escape, a fragment or a query (spaces and other
/// characters are the HTML writer's to escape).
pub fn href_path(path: &str) -> String {
    path.replace('%', "%25").replace('#', "%23").replace('?', "%3F")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, rest: &'static str) -> Target<'static> {
        Target::File { path: path.to_string(), rest }
    }

    #[test]
    fn relative_paths_are_files_beside_the_case() {
        assert_eq!(target("bins.png"), file("bins.png", ""));
        assert_eq!(target("./docs/plan.pdf#page=2"), file("docs/plan.pdf", "#page=2"));
        assert_eq!(target("img/../bins.png?v=1"), file("bins.png", "?v=1"));
        assert_eq!(target("my%20photo.png"), file("my photo.png", ""));
        assert_eq!(target("照片.jpg"), file("照片.jpg", ""));
        assert_eq!(target("img\\bins.png"), file("img/bins.png", ""));
        assert_eq!(target("../shared/logo.png"), Target::Outside { up: 1, path: "shared/logo.png".into() });
        assert_eq!(target("img/../../../x.png"), Target::Outside { up: 2, path: "x.png".into() });
        assert_eq!(above("cases/district/", 1, "alpha.md").as_deref(), Some("cases/alpha.md"));
        assert_eq!(above("cases/", 2, "x.png"), None);
    }

    #[test]
    fn other_addresses_are_left_alone() {
        for url in ["https://example.org/a.png", "mailto:a@b.c", "#lessons", "/kb/x.html", "//host/x", "", "C:\\x.png"]
        {
            assert_eq!(target(url), Target::Other, "{url}");
        }
        assert_eq!(target("case:tianhu#lessons"), Target::Case { id: "tianhu", anchor: Some("lessons") });
        assert_eq!(target("case:tianhu"), Target::Case { id: "tianhu", anchor: None });
        assert_eq!(target("static:report.pdf"), Target::Static("report.pdf"));
    }

    #[test]
    fn a_case_folder_and_its_files_in_the_site() {
        assert_eq!(folder_of("cases/sorting/first.md"), "cases/sorting/");
        assert_eq!(attachment_path("first", "img/bins.png"), "cases/first/img/bins.png");
        assert_eq!(href_path("100%.png"), "100%25.png");
        assert_eq!(href_path("a#b?.png"), "a%23b%3F.png");
    }
}
