//! Live reload on the way out: every served HTML page gets the reload script, and its
//! Content-Security-Policy lets it connect back to the server. Built pages never have either.

/// What is inserted into HTML responses.
const LIVE_TAG: &str = "<script src=\"/_casebook/live.js\" defer></script>";

/// Inserts the reload script into an HTML page: before its first script, or before `</head>`.
/// The page's Content-Security-Policy (a `<meta http-equiv>` in its head) also gets
/// `connect-src 'self'`: the reload stream and `/api/search` need it, a built site does not.
pub(super) fn inject(html: &[u8]) -> Vec<u8> {
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle));
    let Some(head_end) = find(html, b"</head>") else { return html.to_vec() };
    let mut html = html.to_vec();
    let mut head_end = head_end;
    if let Some(at) = csp_end(&html[..head_end]) {
        const CONNECT: &[u8] = b"; connect-src 'self'";
        html.splice(at..at, CONNECT.iter().copied());
        head_end += CONNECT.len();
    }
    let at = find(&html, b"<script").filter(|&s| s < head_end).unwrap_or(head_end);
    let mut out = Vec::with_capacity(html.len() + LIVE_TAG.len() + 1);
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(LIVE_TAG.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(&html[at..]);
    out
}

/// Where `; connect-src 'self'` goes in the head's CSP meta tag: the end of its `content`
/// value, when the policy has no `connect-src` of its own (trailing `;` and spaces excluded).
fn csp_end(head: &[u8]) -> Option<usize> {
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle));
    let equiv = find(head, b"content-security-policy")?;
    let tag_start = head[..equiv].iter().rposition(|&b| b == b'<')?;
    let tag_end = equiv + head[equiv..].iter().position(|&b| b == b'>')?;
    let tag = &head[tag_start..tag_end];
    let value_start = tag_start + find(tag, b"content=\"")? + b"content=\"".len();
    let value_end = value_start + head[value_start..tag_end].iter().position(|&b| b == b'"')?;
    let value = &head[value_start..value_end];
    if find(value, b"connect-src").is_some() {
        return None;
    }
    let trimmed = value.iter().rposition(|&b| b != b';' && !b.is_ascii_whitespace()).map_or(0, |i| i + 1);
    Some(value_start + trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_lets_the_page_connect_to_the_server() {
        let page = b"<head><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'self';\"></head>";
        let out = String::from_utf8(inject(page)).unwrap();
        assert!(out.contains("content=\"default-src 'none'; script-src 'self'; connect-src 'self';\">"), "{out}");
        let own = b"<head><meta http-equiv=\"content-security-policy\" content=\"connect-src 'none'\"></head>";
        assert!(String::from_utf8(inject(own)).unwrap().contains("content=\"connect-src 'none'\">"));
    }

    #[test]
    fn the_reload_script_goes_before_the_first_script_of_the_head() {
        let page = b"<html><head><meta charset=\"utf-8\"><script src=\"a.js\"></script></head><body><script></script></body></html>";
        let out = String::from_utf8(inject(page)).unwrap();
        assert!(
            out.contains(
                "<meta charset=\"utf-8\"><script src=\"/_casebook/live.js\" defer></script>\n<script src=\"a.js\">"
            ),
            "{out}"
        );
        let out = String::from_utf8(inject(b"<head><title>x</title></HEAD>")).unwrap();
        assert_eq!(out, "<head><title>x</title><script src=\"/_casebook/live.js\" defer></script>\n</HEAD>");
        assert_eq!(inject(b"not a page"), b"not a page");
    }
}
