//! Conversion between byte offsets in a text and LSP positions, in UTF-16 (the LSP default)
//! or UTF-8 when the client offers it.

use hexa_flowchart::diagnostic::Severity;
use hexa_flowchart::{LineIndex, Span};
use tower_lsp_server::ls_types::{self as lsp, PositionEncodingKind};

/// The column unit negotiated at `initialize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-16 code units.
    #[default]
    Utf16,
    /// UTF-8 bytes.
    Utf8,
}

impl Encoding {
    /// Picks UTF-8 when the client lists it, UTF-16 otherwise.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Self {
        let offers_utf8 = offered.is_some_and(|kinds| kinds.contains(&PositionEncodingKind::UTF8));
        if offers_utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        }
    }

    /// The LSP name of the encoding.
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf8 => PositionEncodingKind::UTF8,
        }
    }
}

/// A text with its line index, for position conversions.
#[derive(Debug, Clone, Copy)]
pub struct TextMap<'a> {
    /// The whole document text.
    pub text: &'a str,
    /// Its line starts.
    pub index: &'a LineIndex,
    /// Column unit.
    pub encoding: Encoding,
}

impl TextMap<'_> {
    /// Converts a byte offset to an LSP position.
    pub fn position(&self, offset: usize) -> lsp::Position {
        let position = self.index.position(self.text, offset);
        let column = match self.encoding {
            Encoding::Utf16 => position.utf16_col,
            Encoding::Utf8 => position.utf8_col,
        };
        lsp::Position::new(to_u32(position.line), to_u32(column))
    }

    /// Converts a byte span to an LSP range.
    pub fn range(&self, span: Span) -> lsp::Range {
        lsp::Range::new(self.position(span.start), self.position(span.end))
    }

    /// Converts an LSP position to a byte offset, clamped to its line and to the text.
    pub fn offset(&self, position: lsp::Position) -> usize {
        let line = position.line as usize;
        let column = position.character as usize;
        match self.encoding {
            Encoding::Utf16 => self.index.offset_utf16(self.text, line, column),
            Encoding::Utf8 => {
                let start = self.index.offset_utf16(self.text, line, 0);
                let line_end = self.text[start..]
                    .find('\n')
                    .map_or(self.text.len(), |end| start + end);
                let mut offset = (start + column).min(line_end);
                while !self.text.is_char_boundary(offset) {
                    offset -= 1;
                }
                offset
            }
        }
    }

    /// Converts an LSP range to a byte span; a reversed range becomes empty.
    pub fn span(&self, range: lsp::Range) -> Span {
        let start = self.offset(range.start);
        let end = self.offset(range.end).max(start);
        Span::new(start, end)
    }
}

/// Converts a hexa severity to the LSP one.
pub fn severity(severity: Severity) -> lsp::DiagnosticSeverity {
    match severity {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
    }
}

/// Saturating conversion for line and column numbers.
pub fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_round_trip_in_both_encodings() {
        let text = "ab\nx😀y\n";
        let index = LineIndex::new(text);
        let y = text.find('y').unwrap_or_default();
        for (encoding, column) in [(Encoding::Utf16, 3), (Encoding::Utf8, 5)] {
            let map = TextMap {
                text,
                index: &index,
                encoding,
            };
            assert_eq!(map.position(y), lsp::Position::new(1, column));
            assert_eq!(map.offset(lsp::Position::new(1, column)), y);
        }
    }

    #[test]
    fn offset_clamps_to_line_and_char_boundary() {
        let text = "ab\nx😀y\n";
        let index = LineIndex::new(text);
        let map = TextMap {
            text,
            index: &index,
            encoding: Encoding::Utf8,
        };
        assert_eq!(map.offset(lsp::Position::new(1, 2)), 4);
        assert_eq!(map.offset(lsp::Position::new(0, 99)), 2);
        assert_eq!(map.offset(lsp::Position::new(99, 0)), text.len());
    }
}
