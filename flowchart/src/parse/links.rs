//! Edge tokens: `-->`, `---`, `-.->`, `==>`, `~~~`, heads `<`/`o`/`x`, `e1@` ids and labels.

use crate::ast::{ArrowHead, Stroke};
use crate::span::Span;

/// A scanned edge token with its inline (`-- yes -->`) or pipe (`-->|yes|`) label.
#[derive(Debug, Clone)]
pub(super) struct LinkToken {
    pub span: Span,
    pub stroke: Stroke,
    pub start_head: ArrowHead,
    pub end_head: ArrowHead,
    pub length: usize,
    pub label: Option<(String, Span)>,
    pub id: Option<String>,
}

/// A link that could not be read. The caller turns it into a diagnostic.
#[derive(Debug, Clone)]
pub(super) enum LinkError {
    /// Inline label text that never reaches a closing arrow.
    UnclosedText { open: Span, stop: usize },
    /// `|label` without the closing `|`.
    UnclosedPipe { open: usize, stop: usize },
    /// A character mermaid rejects inside an unquoted `|label|`.
    BadPipeChar {
        at: usize,
        ch: char,
        open: usize,
        close: Option<usize>,
    },
}

/// A plain arrow without label: where it ends and what it looks like.
struct Arrow {
    end: usize,
    stroke: Stroke,
    start: Option<char>,
    end_char: char,
    length: usize,
}

/// Reads a link starting at `pos` (after whitespace). `Ok(None)` when there is none.
/// `word_break` is the offset of the first whitespace or `@` at or after `pos` (or the end).
pub(super) fn scan_link(
    src: &str,
    pos: usize,
    word_break: usize,
) -> Result<Option<LinkToken>, LinkError> {
    let (id, link_start) = match edge_id(src, pos, word_break) {
        Some((id, after)) => (Some(id), after),
        None => (None, pos),
    };

    let (arrow, label) = if let Some(arrow) = plain_arrow(src, link_start) {
        (arrow, None)
    } else if let Some((family, prefix, text_start)) = text_link_start(src, link_start) {
        let (text_span, arrow) = scan_inline_text(src, link_start, text_start, family)?;
        let arrow = Arrow {
            start: prefix.or(arrow.start),
            ..arrow
        };
        let raw = text_span.text(src).to_string();
        (arrow, Some((raw, text_span)))
    } else {
        return Ok(None);
    };

    let mut token = finish_arrow(&arrow, pos, arrow.end);
    token.id = id;
    token.label = label;

    let after_ws = skip_ws(src, arrow.end);
    if src[after_ws..].starts_with('|') {
        let (raw, span, end) = scan_pipe_label(src, after_ws)?;
        token.label = Some((raw, span));
        token.span = Span::new(pos, end);
    }
    Ok(Some(token))
}

/// `e1@` before an arrow: returns the id and the offset after `@`. The id is the text up to
/// `word_break`, which must be an `@`.
fn edge_id(src: &str, pos: usize, word_break: usize) -> Option<(String, usize)> {
    if !src[word_break..].starts_with('@') {
        return None;
    }
    let rest = &src[pos..];
    let at = word_break - pos;
    let id = &rest[..at];
    if id.is_empty() || id.contains('"') || matches!(rest[at + 1..].chars().next(), Some('{' | '"'))
    {
        return None;
    }
    let after = pos + at + 1;
    (plain_arrow(src, after).is_some() || text_link_start(src, after).is_some())
        .then(|| (id.to_string(), after))
}

fn count(src: &str, pos: usize, ch: char) -> usize {
    src[pos..].chars().take_while(|&c| c == ch).count()
}

fn head_prefix(src: &str, pos: usize) -> (Option<char>, usize) {
    let mut chars = src[pos..].chars();
    match (chars.next(), chars.next()) {
        (Some(c @ ('x' | 'o' | '<')), Some('-' | '=' | '.')) => (Some(c), pos + 1),
        _ => (None, pos),
    }
}

/// Reads an arrow that mermaid's `LINK` token accepts: `[xo<]?--+[-xo>]`, `[xo<]?==+[=xo>]`,
/// `[xo<]?-?\.+-[xo>]?` or `~~~+`.
fn plain_arrow(src: &str, pos: usize) -> Option<Arrow> {
    if src[pos..].starts_with("~~~") {
        let n = count(src, pos, '~');
        let arrow = Arrow {
            end: pos + n,
            stroke: Stroke::Invisible,
            start: None,
            end_char: '~',
            length: n - 2,
        };
        return Some(arrow);
    }
    let (start, body) = head_prefix(src, pos);
    let next = |at: usize| src[at..].chars().next();
    let first = next(body)?;

    if first == '-' || first == '=' {
        let n = count(src, body, first);
        if first == '-' && n == 1 {
            return dotted_arrow(src, body, start);
        }
        if n < 2 {
            return None;
        }
        let after = body + n;
        if let Some(end_char @ ('x' | 'o' | '>')) = next(after) {
            let stroke = if first == '=' {
                Stroke::Thick
            } else {
                Stroke::Normal
            };
            return Some(Arrow {
                end: after + 1,
                stroke,
                start,
                end_char,
                length: n - 1,
            });
        }
        if n >= 3 {
            let stroke = if first == '=' {
                Stroke::Thick
            } else {
                Stroke::Normal
            };
            return Some(Arrow {
                end: after,
                stroke,
                start,
                end_char: first,
                length: n - 2,
            });
        }
        return None;
    }
    if first == '.' {
        return dotted_arrow(src, body, start);
    }
    None
}

/// `-?\.+-[xo>]?` starting at `body` (the optional leading `-` included).
fn dotted_arrow(src: &str, body: usize, start: Option<char>) -> Option<Arrow> {
    let dots_at = if src[body..].starts_with('-') {
        body + 1
    } else {
        body
    };
    let dots = count(src, dots_at, '.');
    if dots == 0 || !src[dots_at + dots..].starts_with('-') {
        return None;
    }
    let after = dots_at + dots + 1;
    let (end, end_char) = match src[after..].chars().next() {
        Some(c @ ('x' | 'o' | '>')) => (after + 1, c),
        _ => (after, '-'),
    };
    Some(Arrow {
        end,
        stroke: Stroke::Dotted,
        start,
        end_char,
        length: dots,
    })
}

/// `--`, `==` or `-.` that opens an inline label: returns the family, head and text start.
fn text_link_start(src: &str, pos: usize) -> Option<(Stroke, Option<char>, usize)> {
    let (start, body) = head_prefix(src, pos);
    let rest = &src[body..];
    let (family, len) = if rest.starts_with("-.") {
        (Stroke::Dotted, 2)
    } else if rest.starts_with("--") {
        (Stroke::Normal, 2)
    } else if rest.starts_with("==") {
        (Stroke::Thick, 2)
    } else {
        return None;
    };
    let after = body + len;
    let next = src[after..].chars().next();
    // `--` must be followed by label text, not by more arrow characters.
    if matches!(next, None | Some('\n' | '-' | '=' | '.' | '>')) {
        return None;
    }
    Some((family, start, after))
}

/// Scans label text after `--`/`==`/`-.` up to the closing arrow of the same family.
fn scan_inline_text(
    src: &str,
    open_pos: usize,
    text_start: usize,
    family: Stroke,
) -> Result<(Span, Arrow), LinkError> {
    let open = Span::new(open_pos, text_start);
    let mut at = text_start;
    while at < src.len() {
        let ch = src[at..].chars().next().unwrap_or('\n');
        if ch == '\n' {
            break;
        }
        let closing = matches!(ch, '-' | '=' | '.' | 'x' | 'o' | '<')
            .then(|| plain_arrow(src, at))
            .flatten()
            .filter(|arrow| arrow.stroke == family);
        if let Some(arrow) = closing {
            let text = Span::new(text_start, at);
            return Ok((trim_span(src, text), arrow));
        }
        at += skip_in_run(src, at, ch);
    }
    Err(LinkError::UnclosedText { open, stop: at })
}

/// How far to move past `ch` at `at` when no closing arrow starts there. Inside a run of
/// `-` or `=`, every start with 3 or more of the run left reads the same arrow as this one,
/// and in a run of `.` every start does, so those starts are skipped. Checking each of them
/// would make a long run cost quadratic time.
fn skip_in_run(src: &str, at: usize, ch: char) -> usize {
    match ch {
        '-' | '=' => count(src, at, ch).saturating_sub(2).max(1),
        '.' => count(src, at, ch),
        _ => ch.len_utf8(),
    }
}

/// Scans `|label|` at `pos` (the opening `|`): raw text, span and the offset after `|`.
fn scan_pipe_label(src: &str, pos: usize) -> Result<(String, Span, usize), LinkError> {
    let start = pos + 1;
    let rest = &src[start..];
    let trimmed_start = start + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
    if src[trimmed_start..].starts_with('"') {
        let close_quote = src[trimmed_start + 1..]
            .find('"')
            .map(|i| trimmed_start + 1 + i);
        let Some(close_quote) = close_quote else {
            return Err(LinkError::UnclosedPipe {
                open: pos,
                stop: src.len(),
            });
        };
        let after = skip_ws(src, close_quote + 1);
        if !src[after..].starts_with('|') {
            return Err(LinkError::UnclosedPipe {
                open: pos,
                stop: after,
            });
        }
        let span = Span::new(trimmed_start, close_quote + 1);
        return Ok((span.text(src).to_string(), span, after + 1));
    }
    for (i, ch) in rest.char_indices() {
        let at = start + i;
        match ch {
            '|' => {
                let span = trim_span(src, Span::new(start, at));
                return Ok((span.text(src).to_string(), span, at + 1));
            }
            '\n' => {
                return Err(LinkError::UnclosedPipe {
                    open: pos,
                    stop: at,
                });
            }
            '[' | ']' | '(' | ')' | '{' | '}' | '"' => {
                let line_end = rest.find('\n').map_or(src.len(), |n| start + n);
                let close = src[at..line_end].find('|').map(|n| at + n);
                return Err(LinkError::BadPipeChar {
                    at,
                    ch,
                    open: pos,
                    close,
                });
            }
            _ => {}
        }
    }
    Err(LinkError::UnclosedPipe {
        open: pos,
        stop: src.len(),
    })
}

fn skip_ws(src: &str, mut pos: usize) -> usize {
    while matches!(src.as_bytes().get(pos), Some(b' ' | b'\t')) {
        pos += 1;
    }
    pos
}

/// Shrinks a span to exclude surrounding spaces and tabs.
pub(super) fn trim_span(src: &str, span: Span) -> Span {
    let text = span.text(src);
    let lead = text.len() - text.trim_start().len();
    let trail = text.len() - text.trim_end().len();
    if lead == text.len() {
        return Span::new(span.start, span.start);
    }
    Span::new(span.start + lead, span.end - trail)
}

fn head_for(ch: char) -> ArrowHead {
    match ch {
        '>' | '<' => ArrowHead::Arrow,
        'o' => ArrowHead::Circle,
        'x' => ArrowHead::Cross,
        _ => ArrowHead::None,
    }
}

/// Applies mermaid's rules for the two ends: a start head counts only when it matches the
/// end head (`<-->`, `o--o`, `x--x`).
fn finish_arrow(arrow: &Arrow, start: usize, end: usize) -> LinkToken {
    let end_head = head_for(arrow.end_char);
    let start_head = match arrow.start.map(head_for) {
        Some(head) if head == end_head => head,
        _ => ArrowHead::None,
    };
    LinkToken {
        span: Span::new(start, end),
        stroke: arrow.stroke,
        start_head,
        end_head,
        length: arrow.length.max(1),
        label: None,
        id: None,
    }
}
