//! Byte offsets to 1-based lines and columns (in characters), for diagnostics that point into
//! a file's text.

/// Byte offset in `text` → 1-based (line, column in characters).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    LineIndex::new(text).line_col(offset)
}

/// Line and column for many offsets of one text: the line starts are found once.
pub struct LineIndex<'a> {
    text: &'a str,
    newlines: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        LineIndex { text, newlines: text.match_indices('\n').map(|(i, _)| i).collect() }
    }

    /// Byte offset → 1-based (line, column in characters); an offset inside a character counts
    /// as that character's start.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let line = self.newlines.partition_point(|&n| n < offset);
        let line_start = if line == 0 { 0 } else { self.newlines[line - 1] + 1 };
        (line + 1, self.text[line_start..offset].chars().count() + 1)
    }
}

thread_local! {
    /// The line starts of the last text a line was asked of, by its address and length: a file
    /// with thousands of mistakes (10,000 unknown keys) would otherwise be scanned from its
    /// start for each, which made `check` quadratic in the number of diagnostics.
    static STARTS: std::cell::RefCell<(usize, usize, Vec<usize>)> = const { std::cell::RefCell::new((0, 0, Vec::new())) };
}

/// Line `line` (1-based) of `text`, without its line break (as [`str::lines`] gives it).
pub fn line_text(text: &str, line: usize) -> Option<&str> {
    if line == 0 {
        return None;
    }
    let key = (text.as_ptr() as usize, text.len());
    let start = STARTS.with(|cell| {
        let mut cache = cell.borrow_mut();
        // The same address and length may be another text by now: the start found must still
        // begin a line of this one, else the starts are found again.
        let begins_line = |cache: &(usize, usize, Vec<usize>)| {
            cache.2.get(line - 1).is_none_or(|&at| at == 0 || text.as_bytes().get(at - 1) == Some(&b'\n'))
        };
        if (cache.0, cache.1) != key || cache.2.is_empty() || !begins_line(&cache) {
            let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
            *cache = (key.0, key.1, starts);
        }
        cache.2.get(line - 1).copied()
    })?;
    if start >= text.len() {
        // A last line break starts no line, nor does an empty text (as for `str::lines`).
        return None;
    }
    let rest = &text[start..];
    match rest.find('\n') {
        Some(end) => Some(rest[..end].strip_suffix('\r').unwrap_or(&rest[..end])),
        None => Some(rest),
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_text_is_the_line_of_str_lines() {
        for text in ["", "a", "a\n", "a\nb", "a\r\nb\r\n", "\n\n", "α\nβγ\n\nδ", "x\r"] {
            let lines: Vec<&str> = text.lines().collect();
            for n in 0..lines.len() + 3 {
                let want = if n == 0 { None } else { lines.get(n - 1).copied() };
                assert_eq!(line_text(text, n), want, "{text:?} line {n}");
            }
        }
        // Another text of the same length in turn: each gives its own lines.
        let (a, b) = ("ab\ncd".to_string(), "a\nbcd".to_string());
        assert_eq!(line_text(&a, 2), Some("cd"));
        assert_eq!(line_text(&b, 2), Some("bcd"));
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "一二\n三四五x";
        assert_eq!(line_col(text, text.find('x').unwrap()), (2, 4));
        assert_eq!(line_col(text, 0), (1, 1));
        // An offset inside a multi-byte character snaps back to its start.
        assert_eq!(line_col(text, 1), (1, 1));
    }

    #[test]
    fn line_index_finds_every_offset() {
        let text = "a\n一二\n\n三四五x\nend";
        let index = LineIndex::new(text);
        // (offset, line, column) worked out by hand: 一 starts at byte 2, 三 at 10, x at 19.
        for (offset, expected) in [
            (0, (1, 1)),
            (1, (1, 2)),
            (2, (2, 1)),
            (5, (2, 2)),
            (9, (3, 1)),
            (10, (4, 1)),
            (19, (4, 4)),
            (21, (5, 1)),
            (99, (5, 4)),
        ] {
            assert_eq!(index.line_col(offset), expected, "offset {offset}");
        }
    }
}
