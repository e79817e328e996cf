//! Node shapes: the bracket forms (`[ ]`, `(( ))`, `{{ }}`, …) and their label text.

use crate::ast::{NamedShape, Shape};
use crate::span::Span;

/// A shape declaration read after a node id.
#[derive(Debug, Clone)]
pub(super) struct ShapeDecl {
    pub shape: Shape,
    pub shape_name: Option<String>,
    /// Label text as written, quotes included.
    pub raw_label: String,
    pub label_span: Span,
    pub decl_span: Span,
}

/// A bracket form that could not be read.
#[derive(Debug, Clone)]
pub(super) enum ShapeError {
    /// The label runs to the end of the text, or onto a later line and into a character
    /// that cannot be in a label, so the bracket was never closed.
    Unclosed { open: Span, stop: usize },
    /// A character mermaid rejects inside an unquoted label, on the opener's line.
    /// `balanced` is the declaration as it was probably meant, when the brackets balance.
    Unexpected {
        at: usize,
        ch: char,
        open: Span,
        balanced: Option<ShapeDecl>,
    },
}

/// Opening token, closing tokens with their shape, in the order mermaid's lexer tries them.
const FORMS: &[(&str, &[(&str, Shape)])] = &[
    ("(((", &[(")))", Shape::DoubleCircle)]),
    ("((", &[("))", Shape::Circle)]),
    ("([", &[("])", Shape::Stadium)]),
    ("(-", &[("-)", Shape::Named(NamedShape::Other))]),
    ("(", &[(")", Shape::Rounded)]),
    ("[[", &[("]]", Shape::Subroutine)]),
    ("[(", &[(")]", Shape::Cylinder)]),
    ("[/", &[("/]", Shape::LeanRight), ("\\]", Shape::Trapezoid)]),
    (
        "[\\",
        &[("\\]", Shape::LeanLeft), ("/]", Shape::InvTrapezoid)],
    ),
    ("[", &[("]", Shape::Rect)]),
    ("{{", &[("}}", Shape::Hexagon)]),
    ("{", &[("}", Shape::Diamond)]),
    (">", &[("]", Shape::Asymmetric)]),
];

/// Reads a bracket shape at `pos`, directly after a node id. `None` when there is none.
pub(super) fn scan_shape(src: &str, pos: usize) -> Option<Result<ShapeDecl, ShapeError>> {
    let rest = &src[pos..];
    let (open_token, closes) = FORMS.iter().find(|(open, _)| rest.starts_with(open))?;
    let open = Span::new(pos, pos + open_token.len());
    Some(scan_label(src, open, closes))
}

fn scan_label(src: &str, open: Span, closes: &[(&str, Shape)]) -> Result<ShapeDecl, ShapeError> {
    let text_start = open.end;
    let close_at = |at: usize| {
        closes
            .iter()
            .find(|(close, _)| src[at..].starts_with(close))
    };
    let make = |label: Span, close_start: usize, close: &(&str, Shape)| ShapeDecl {
        shape: close.1,
        shape_name: (open.text(src) == "(-").then(|| "ellipse".to_string()),
        raw_label: label.text(src).to_string(),
        label_span: label,
        decl_span: Span::new(open.start, close_start + close.0.len()),
    };

    let quote_start = skip_space(src, text_start);
    if src[quote_start..].starts_with('"') {
        let markdown = src[quote_start..].starts_with("\"`");
        let closing = if markdown { "`\"" } else { "\"" };
        let search_from = quote_start + if markdown { 2 } else { 1 };
        let Some(found) = src[search_from..].find(closing) else {
            return Err(ShapeError::Unclosed {
                open,
                stop: src.len(),
            });
        };
        let quote_end = search_from + found + closing.len();
        let after = skip_space(src, quote_end);
        if let Some(close) = close_at(after) {
            return Ok(make(Span::new(quote_start, quote_end), after, close));
        }
        return match src[after..].chars().next() {
            Some(ch) => Err(ShapeError::Unexpected {
                at: after,
                ch,
                open,
                balanced: None,
            }),
            None => Err(ShapeError::Unclosed { open, stop: after }),
        };
    }

    let trap = matches!(open.text(src), "[/" | "[\\");
    let mut at = text_start;
    while at < src.len() {
        if let Some(close) = close_at(at) {
            return Ok(make(Span::new(text_start, at), at, close));
        }
        let ch = src[at..].chars().next().unwrap_or(' ');
        let forbidden = matches!(ch, '[' | ']' | '(' | ')' | '{' | '}' | '"' | '|')
            || (trap && matches!(ch, '/' | '\\') && src[at + 1..].starts_with(']'));
        if forbidden {
            if src[open.start..at].contains('\n') {
                return Err(ShapeError::Unclosed { open, stop: at });
            }
            let balanced = balanced_end(src, open.start)
                .and_then(|end| {
                    closes
                        .iter()
                        .find(|(close, _)| src[..end].ends_with(close))
                        .map(|c| (end, c))
                })
                .filter(|(end, close)| end - close.0.len() >= text_start)
                .map(|(end, close)| {
                    let close_start = end - close.0.len();
                    make(Span::new(text_start, close_start), close_start, close)
                });
            return Err(ShapeError::Unexpected {
                at,
                ch,
                open,
                balanced,
            });
        }
        at += ch.len_utf8();
    }
    Err(ShapeError::Unclosed {
        open,
        stop: src.len(),
    })
}

fn skip_space(src: &str, mut pos: usize) -> usize {
    while matches!(src.as_bytes().get(pos), Some(b' ' | b'\t')) {
        pos += 1;
    }
    pos
}

/// End (exclusive) of the bracket group opened at `start`, counting `[({` against `])}` on
/// one line, for the "quote the label" fix. `None` when the line ends first.
fn balanced_end(src: &str, start: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, ch) in src[start..].char_indices() {
        match ch {
            '[' | '(' | '{' => depth += 1,
            ']' | ')' | '}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(start + i + 1);
                }
            }
            '\n' => return None,
            // `>text]` opens without a bracket.
            _ if i == 0 => depth += 1,
            _ => {}
        }
    }
    None
}
