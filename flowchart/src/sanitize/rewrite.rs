//! Text edits applied in rounds, with a map from offsets in the edited text back to the text
//! the first round started from.

use crate::span::Span;

/// A replacement of `span` (in the current text) by `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Edit {
    pub span: Span,
    pub text: String,
}

impl Edit {
    pub fn delete(span: Span) -> Self {
        Edit {
            span,
            text: String::new(),
        }
    }

    pub fn insert(at: usize, text: impl Into<String>) -> Self {
        Edit {
            span: Span::new(at, at),
            text: text.into(),
        }
    }

    pub fn replace(span: Span, text: impl Into<String>) -> Self {
        Edit {
            span,
            text: text.into(),
        }
    }
}

/// A run of the current text and where it came from in the original.
#[derive(Debug, Clone, Copy)]
struct Piece {
    /// First byte in the current text.
    start: usize,
    /// Length in the current text, never zero.
    len: usize,
    /// The original bytes this run replaces, or copies when `copied` is true.
    original: Span,
    copied: bool,
}

/// The current text and how each of its bytes maps to the original.
#[derive(Debug, Clone)]
pub(super) struct Rewriter {
    text: String,
    pieces: Vec<Piece>,
}

impl Rewriter {
    pub fn new(text: &str) -> Self {
        let piece = Piece {
            start: 0,
            len: text.len(),
            original: Span::new(0, text.len()),
            copied: true,
        };
        let pieces = if text.is_empty() {
            Vec::new()
        } else {
            vec![piece]
        };
        Rewriter {
            text: text.to_owned(),
            pieces,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn into_text(self) -> String {
        self.text
    }

    /// Maps an offset in the current text to the original. Inside inserted text the result is
    /// the start of what the insertion replaced.
    pub fn original_offset(&self, offset: usize) -> usize {
        let index = self
            .pieces
            .partition_point(|piece| piece.start + piece.len <= offset);
        let Some(piece) = self.pieces.get(index).or(self.pieces.last()) else {
            return 0;
        };
        if piece.copied {
            let inside = offset.saturating_sub(piece.start).min(piece.len);
            piece.original.start + inside
        } else if offset >= piece.start + piece.len {
            piece.original.end
        } else {
            piece.original.start
        }
    }

    /// Maps a span of the current text to the original.
    pub fn original_span(&self, span: Span) -> Span {
        let start = self.original_offset(span.start);
        let end = self.original_offset(span.end).max(start);
        Span::new(start, end)
    }

    /// Applies edits given against the current text. Edits are sorted first, and an edit that
    /// overlaps an earlier one is dropped, so a caller's bug cannot corrupt the text.
    pub fn apply(&mut self, mut edits: Vec<Edit>) {
        edits.retain(|edit| {
            edit.span.start <= edit.span.end
                && edit.span.end <= self.text.len()
                && self.text.is_char_boundary(edit.span.start)
                && self.text.is_char_boundary(edit.span.end)
        });
        edits.sort_by_key(|edit| (edit.span.start, edit.span.end));
        let mut kept: Vec<Edit> = Vec::with_capacity(edits.len());
        for edit in edits {
            let overlaps = kept
                .last()
                .is_some_and(|last| edit.span.start < last.span.end);
            if !overlaps {
                kept.push(edit);
            }
        }
        if kept.is_empty() {
            return;
        }

        let mut text = String::with_capacity(self.text.len());
        let mut pieces = Vec::with_capacity(self.pieces.len() + kept.len() * 2);
        let mut position = 0;
        for edit in &kept {
            self.copy_range(position, edit.span.start, &mut text, &mut pieces);
            let original = self.original_span(edit.span);
            if !edit.text.is_empty() {
                pieces.push(Piece {
                    start: text.len(),
                    len: edit.text.len(),
                    original,
                    copied: false,
                });
            }
            text.push_str(&edit.text);
            position = edit.span.end;
        }
        self.copy_range(position, self.text.len(), &mut text, &mut pieces);
        self.text = text;
        self.pieces = pieces;
    }

    /// Copies `start..end` of the current text to `text`, splitting the pieces it covers.
    fn copy_range(&self, start: usize, end: usize, text: &mut String, pieces: &mut Vec<Piece>) {
        if start >= end {
            return;
        }
        for piece in &self.pieces {
            let from = piece.start.max(start);
            let to = (piece.start + piece.len).min(end);
            if from >= to {
                continue;
            }
            let original = if piece.copied {
                let offset = piece.original.start + (from - piece.start);
                Span::new(offset, offset + (to - from))
            } else {
                piece.original
            };
            pieces.push(Piece {
                start: text.len() + (from - start),
                len: to - from,
                original,
                copied: piece.copied,
            });
        }
        text.push_str(&self.text[start..end]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_through_two_rounds() {
        let mut rewriter = Rewriter::new("abc\ndef\n");
        rewriter.apply(vec![Edit::delete(Span::new(0, 4))]);
        assert_eq!(rewriter.text(), "def\n");
        assert_eq!(rewriter.original_offset(1), 5);
        rewriter.apply(vec![Edit::insert(0, "    ")]);
        assert_eq!(rewriter.text(), "    def\n");
        assert_eq!(rewriter.original_offset(5), 5);
        assert_eq!(rewriter.original_span(Span::new(0, 4)), Span::new(4, 4));
    }

    #[test]
    fn overlapping_edit_is_dropped() {
        let mut rewriter = Rewriter::new("abcdef");
        rewriter.apply(vec![
            Edit::replace(Span::new(1, 4), "X"),
            Edit::replace(Span::new(2, 5), "Y"),
        ]);
        assert_eq!(rewriter.text(), "aXef");
    }
}
