//! HTML and XML text escaping, shared by the renderer and the search output, and reading an
//! attribute value of raw HTML back (for `check`, which looks at the addresses in it).

/// Escapes text for HTML and XML (element content and quoted attributes).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An attribute value with its character references decoded as a browser reads them: the
/// numeric ones (`&#106;`, `&#x6A;`, the `;` optional) and `&amp;`, `&lt;`, `&gt;`, `&quot;`,
/// `&apos;`, `&Tab;`, `&NewLine;`. Any other `&` stays as it is.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let named = [("&amp;", '&'), ("&lt;", '<'), ("&gt;", '>'), ("&quot;", '"'), ("&apos;", '\'')];
        let named = named.into_iter().chain([("&Tab;", '\t'), ("&NewLine;", '\n')]);
        if let Some((entity, c)) = named.into_iter().find(|(e, _)| rest.starts_with(e)) {
            out.push(c);
            rest = &rest[entity.len()..];
            continue;
        }
        let numeric = rest.strip_prefix("&#").and_then(|r| {
            let (digits, radix, skip) = match r.strip_prefix(['x', 'X']) {
                Some(hex) => (hex, 16, 3),
                None => (r, 10, 2),
            };
            let len = digits.find(|c: char| !c.is_digit(radix)).unwrap_or(digits.len());
            let c = u32::from_str_radix(&digits[..len], radix).ok().and_then(char::from_u32)?;
            Some((c, skip + len + usize::from(digits[len..].starts_with(';'))))
        });
        match numeric {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn character_references_are_read_as_a_browser_reads_them() {
        assert_eq!(super::unescape("&#106;ava&#x73;cript&#58;x"), "javascript:x");
        assert_eq!(super::unescape("java&#x09;script:x"), "java\tscript:x");
        assert_eq!(super::unescape("a&amp;b&lt;&#106 c&unknown;"), "a&b<j c&unknown;");
        assert_eq!(super::unescape("&#xFFFFFFFF;&"), "&#xFFFFFFFF;&");
    }

    #[test]
    fn escapes_the_five_special_characters_and_keeps_the_rest() {
        assert_eq!(
            super::escape(r#"<a href="x">Tom & Jerry's</a> 红墙"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt; 红墙"
        );
    }
}
