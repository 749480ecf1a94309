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
