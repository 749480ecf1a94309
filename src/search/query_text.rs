//! Query text: what tantivy's query parser is given (runs of Han characters cut into words, so
//! that they are ANDed), and its errors as a user reads them ([`Error::Query`], a caret under
//! the place where the query breaks, or the parenthesis that nests too deep).

use super::filters::{filter_names, QUERY_FIELDS};
use crate::analysis::han::is_han;
use crate::diag::suggest::Suggestion;
use crate::error::Error;
use crate::index::Meta;
use tantivy::query::QueryParserError;
use tantivy::tokenizer::{TokenStream, Tokenizer};

/// Puts a space between the words of each bare run of Han characters (outside quotes, not
/// right after `:`, `+` or `-`), so that the query parser ANDs them instead of asking for
/// the exact phrase.
pub(super) fn split_han_runs(text: &str) -> String {
    let mut jieba = tantivy_jieba::JiebaTokenizer::with_search_mode(false);
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_quotes = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '"' {
            in_quotes = !in_quotes;
        }
        if !in_quotes && is_han(c) {
            let end = rest.find(|c: char| !is_han(c)).unwrap_or(rest.len());
            let run = &rest[..end];
            if matches!(out.chars().last(), Some(':' | '+' | '-')) {
                out.push_str(run);
                rest = &rest[end..];
                continue;
            }
            let mut stream = jieba.token_stream(run);
            let mut words = Vec::new();
            while let Some(t) = stream.next() {
                words.push(t.text.clone());
            }
            out.push_str(&words.join(" "));
            rest = &rest[end..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// A parse error as a user reads it: the message, the query, and a caret under the place.
pub(super) fn parse_error(original: &str, error: &QueryParserError, meta: &Meta) -> Error {
    let (message, at) = match error {
        QueryParserError::SyntaxError(m) => match m.rsplit_once(" at position ") {
            Some((msg, pos)) => (msg.replace("\\\"", "\""), pos.trim().parse::<usize>().ok()),
            None => (m.clone(), None),
        },
        QueryParserError::FieldDoesNotExist(field) => {
            let at = original.find(&format!("{field}:"));
            let filters = filter_names(meta);
            let known = filters.iter().map(String::as_str).chain(QUERY_FIELDS.iter().copied());
            let hint = match Suggestion::closest(field, known) {
                Some(suggestion) => suggestion.suffix(":").to_string(),
                None => format!("filters: {}; fields: {}", filters.join(", "), QUERY_FIELDS.join(", ")),
            };
            (format!("`{field}:` is neither a filter nor a field ({hint})"), at)
        }
        QueryParserError::AllButQueryForbidden => {
            ("a query cannot only exclude words: add a word to look for".to_string(), None)
        }
        other => (other.to_string(), None),
    };
    query_error(original, &message, at)
}

/// The deepest nesting of parentheses a query may have. tantivy's parser recurses once per
/// level and overflows the stack (an abort, not an error) at a few thousand; a query a person
/// writes has a handful.
pub(super) const MAX_NESTING: usize = 100;

/// An error, with a caret under the parenthesis that opens one level too many, when the
/// parentheses of `original` (outside quotes) nest deeper than [`MAX_NESTING`].
pub(super) fn check_nesting(original: &str) -> Result<(), Error> {
    let (mut depth, mut in_quotes) = (0usize, false);
    for (at, c) in original.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            '(' if !in_quotes => {
                depth += 1;
                if depth > MAX_NESTING {
                    let message = format!("parentheses nested deeper than {MAX_NESTING} levels");
                    return Err(query_error(original, &message, Some(at)));
                }
            }
            ')' if !in_quotes => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// The message, the query and a caret under byte `at` of it, and the hint on query syntax.
fn query_error(original: &str, message: &str, at: Option<usize>) -> Error {
    let mut text = format!("cannot read the query: {message}");
    if let Some(at) = at.filter(|&a| a <= original.len() && original.is_char_boundary(a)) {
        let col = unicode_width::UnicodeWidthStr::width(&original[..at]);
        text.push_str(&format!("\n  {original}\n  {}^", " ".repeat(col)));
    }
    text.push_str(
        "\n  hint: words are ANDed; use OR, -word, \"a phrase\", (…); filters look like SINGULAR:ID (a vocabulary's singular), place:NAME, level:ID",
    );
    Error::Query(text)
}
