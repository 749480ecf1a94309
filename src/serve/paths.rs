//! Request paths and content types: a request path is percent-decoded segment by segment, and
//! anything but plain names (`..`, encoded slashes, backslashes, NUL, drive letters) is refused
//! before the disk is touched.

/// Why a request path is refused.
#[derive(Debug, PartialEq)]
pub(super) enum Refused {
    /// Not a plain path inside the site (`..`, encoded `/`, `\`, NUL, a drive letter, bad escapes).
    BadRequest,
    /// A hidden name: never served.
    NotFound,
}

/// The segments of a request path, percent-decoded, each a plain file or folder name.
pub(super) fn site_path(raw: &str) -> std::result::Result<Vec<String>, Refused> {
    let rest = raw.strip_prefix('/').ok_or(Refused::BadRequest)?;
    let mut out = Vec::new();
    let mut hidden = false;
    for segment in rest.split('/') {
        if segment.is_empty() {
            continue;
        }
        let name = percent_decode(segment).ok_or(Refused::BadRequest)?;
        let plain =
            name != "." && name != ".." && !name.chars().any(|c| matches!(c, '/' | '\\' | ':') || c.is_control());
        if !plain {
            return Err(Refused::BadRequest);
        }
        hidden |= name.starts_with('.');
        out.push(name);
    }
    if hidden {
        return Err(Refused::NotFound);
    }
    Ok(out)
}

/// `%XX` escapes to bytes, which must then be UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `Content-Type` of a site file, by its extension.
pub(super) fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_are_plain_names_inside_the_site() {
        assert_eq!(site_path("/"), Ok(vec![]));
        assert_eq!(site_path("/cases/a.html"), Ok(vec!["cases".to_string(), "a.html".to_string()]));
        assert_eq!(site_path("/%E5%85%9A/x.html"), Ok(vec!["党".to_string(), "x.html".to_string()]));
        assert_eq!(site_path("//cases//a.html"), Ok(vec!["cases".to_string(), "a.html".to_string()]));
        for bad in [
            "/../etc/passwd",
            "/cases/../../x",
            "/%2e%2e/x",
            "/%2E%2E%2Fx",
            "/cases%2f..%2fx",
            "/..%5cx",
            "/a\\b",
            "/a%00b",
            "/C:/Windows/win.ini",
            "/%zz",
            "/%e5",
            "relative",
            "/./x",
        ] {
            assert_eq!(site_path(bad), Err(Refused::BadRequest), "{bad}");
        }
        assert_eq!(site_path("/.casebook-site"), Err(Refused::NotFound));
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("a/b.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("feed.xml"), "application/xml; charset=utf-8");
        assert_eq!(content_type("_search/t/pa.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("_search/tantivy/meta.json"), "application/json; charset=utf-8");
        assert_eq!(content_type("x.bin"), "application/octet-stream");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }
}
