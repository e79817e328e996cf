//! Byte spans and the line index that turns them into line/column pairs for people and LSP.

use serde::Serialize;

/// A half-open range of UTF-8 byte offsets into the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default, PartialOrd, Ord)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// Makes a span from two byte offsets.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// The text the span covers, or "" when it is out of range.
    pub fn text(self, source: &str) -> &str {
        source.get(self.start..self.end).unwrap_or("")
    }

    /// Moves the span by `offset` bytes (for text embedded in a larger file).
    pub fn shifted(self, offset: usize) -> Span {
        Span::new(self.start + offset, self.end + offset)
    }
}

/// A position as a 0-based line and 0-based column in UTF-8 bytes, UTF-16 units and chars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    /// 0-based line.
    pub line: usize,
    /// 0-based column in UTF-8 bytes.
    pub utf8_col: usize,
    /// 0-based column in UTF-16 code units (the LSP default).
    pub utf16_col: usize,
    /// 0-based column in Unicode scalar values (what people count).
    pub char_col: usize,
}

/// Line starts of a text, for offset to position conversion.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the line starts of `text`.
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { line_starts }
    }

    /// Converts a byte offset (clamped to the text and to a char boundary) to a position.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let prefix = &text[self.line_starts[line]..offset];
        Position {
            line,
            utf8_col: prefix.len(),
            utf16_col: prefix.encode_utf16().count(),
            char_col: prefix.chars().count(),
        }
    }

    /// Converts a 0-based line and UTF-16 column back to a byte offset (clamped to the line).
    pub fn offset_utf16(&self, text: &str, line: usize, utf16_col: usize) -> usize {
        let Some(&start) = self.line_starts.get(line) else {
            return text.len();
        };
        let end = self
            .line_starts
            .get(line + 1)
            .copied()
            .unwrap_or(text.len());
        let mut units = 0;
        for (i, ch) in text[start..end].char_indices() {
            if units >= utf16_col || ch == '\n' {
                return start + i;
            }
            units += ch.len_utf16();
        }
        end
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_counts_utf16_units() {
        let text = "ab\nx😀y";
        let index = LineIndex::new(text);
        let pos = index.position(text, text.find('y').unwrap());
        assert_eq!(pos.line, 1);
        assert_eq!(pos.utf8_col, 5);
        assert_eq!(pos.utf16_col, 3);
        assert_eq!(pos.char_col, 2);
    }

    #[test]
    fn offset_utf16_round_trips() {
        let text = "ab\nx😀y\n";
        let index = LineIndex::new(text);
        assert_eq!(index.offset_utf16(text, 1, 3), text.find('y').unwrap());
        assert_eq!(index.offset_utf16(text, 9, 0), text.len());
    }
}
