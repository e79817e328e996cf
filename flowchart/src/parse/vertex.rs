//! Vertex statements: node groups joined by `&`, chains of links, shapes and `@{ … }` data.

use super::Parser;
use super::cursor::Cursor;
use super::labels::{decode_label, decode_text, yaml_scalar};
use super::links::{LinkError, LinkToken, scan_link, trim_span};
use super::named_shapes::{self, ShapeNameError};
use super::shapes::{ShapeDecl, ShapeError, scan_shape};
use super::statements::RESERVED;
use crate::ast::Edge;
use crate::diagnostic::Diagnostic;
use crate::span::Span;

impl Parser<'_> {
    /// `A[x] & B --> C -->|yes| D:::cls`. On an error the rest of the line is skipped.
    pub(super) fn vertex_statement(&mut self) {
        let Some(mut left) = self.node_group() else {
            self.pos = Cursor::new(self.src, self.pos).line_end();
            return;
        };
        loop {
            let mut cursor = Cursor::new(self.src, self.pos);
            cursor.skip_inline_ws();
            if cursor.at_statement_end() || cursor.starts_with("%%") {
                return;
            }
            let word_break = self.word_break(cursor.pos);
            let link = match scan_link(self.src, cursor.pos, word_break) {
                Ok(Some(link)) => link,
                Ok(None) => {
                    self.not_a_link(cursor.pos);
                    return;
                }
                Err(error) => {
                    self.link_error(error);
                    return;
                }
            };
            // mermaid's link token ends with `\s*`, so the target may be on the next line.
            let rest = &self.src[link.span.end..];
            self.pos = link.span.end + (rest.len() - rest.trim_start().len());
            let Some(right) = self.node_group() else {
                self.pos = Cursor::new(self.src, self.pos).line_end();
                return;
            };
            self.add_edges(&left, &right, &link);
            left = right;
        }
    }

    fn add_edges(&mut self, left: &[usize], right: &[usize], link: &LinkToken) {
        let label = link.label.as_ref().map(|(raw, _)| decode_label(raw));
        let label_span = link.label.as_ref().map(|(_, span)| *span);
        for (i, &from) in left.iter().enumerate() {
            for (j, &to) in right.iter().enumerate() {
                // mermaid gives the edge id to the last source and first target only.
                let id = (i + 1 == left.len() && j == 0)
                    .then(|| link.id.clone())
                    .flatten();
                if let Some(id) = &id {
                    self.edge_ids.insert(id.clone());
                }
                self.doc.edges.push(Edge {
                    from,
                    to,
                    label: label.clone().filter(|text| !text.is_empty()),
                    label_span,
                    id,
                    stroke: link.stroke,
                    start_head: link.start_head,
                    end_head: link.end_head,
                    length: link.length,
                    span: link.span,
                });
            }
        }
    }

    /// Reports the text found where a link was expected.
    fn not_a_link(&mut self, at: usize) {
        let rest = &self.src[at..];
        let bad_arrow = ["->", "=>", "-.>", "<-", "<="]
            .into_iter()
            .find(|arrow| rest.starts_with(arrow));
        if let Some(arrow) = bad_arrow {
            let fixed = match arrow {
                "->" => "-->",
                "=>" => "==>",
                "-.>" => "-.->",
                "<-" => "<--",
                _ => "<==",
            };
            let span = Span::new(at, at + arrow.len());
            let diagnostic = Diagnostic::error(
                "F004",
                span,
                format!("invalid arrow `{arrow}`; mermaid links need two dashes, as in `{fixed}`"),
            )
            .with_fix(format!("Replace with `{fixed}`"), span, fixed);
            self.push(diagnostic);
        } else if !rest.starts_with("%%") {
            let ch = rest.chars().next().unwrap_or(' ');
            let span = Span::new(at, at + ch.len_utf8());
            self.error(
                "F003",
                span,
                format!("unexpected `{ch}`; expected a link such as `-->`"),
            );
        }
        self.pos = Cursor::new(self.src, at).line_end();
        if rest.starts_with("%%") {
            self.trailing_comment(at);
        }
    }

    fn link_error(&mut self, error: LinkError) {
        let resume = match error {
            LinkError::UnclosedText { open, stop } => {
                let token = open.text(self.src).trim().to_string();
                let message = format!(
                    "edge label after `{token}` at {} is not closed by an arrow such as `-->`",
                    self.line_col(open.start)
                );
                self.error("F002", Span::new(open.start, stop), message);
                stop
            }
            LinkError::UnclosedPipe { open, stop } => {
                let message = format!("unclosed `|` opened at {}", self.line_col(open));
                self.error("F002", Span::new(open, stop.max(open + 1)), message);
                stop
            }
            LinkError::BadPipeChar {
                at,
                ch,
                open,
                close,
            } => {
                let mut diagnostic = Diagnostic::error(
                    "F003",
                    Span::new(at, at + ch.len_utf8()),
                    format!("unexpected `{ch}` in unquoted edge label; quote the label: `|\"…\"|`"),
                );
                if let Some(close) = close {
                    let text = self.src[open + 1..close].trim().replace('"', "#quot;");
                    let span = Span::new(open, close + 1);
                    diagnostic = diagnostic.with_fix("Quote label", span, format!("|\"{text}\"|"));
                }
                self.push(diagnostic);
                at
            }
        };
        self.pos = Cursor::new(self.src, resume.min(self.src.len())).line_end();
    }

    /// `A`, `A[x]:::c`, `A & B@{…}`: the indices of the nodes, or `None` after an error.
    fn node_group(&mut self) -> Option<Vec<usize>> {
        let mut nodes = Vec::new();
        loop {
            nodes.push(self.styled_vertex()?);
            let mut cursor = Cursor::new(self.src, self.pos);
            cursor.skip_inline_ws();
            if !cursor.eat("&") {
                return Some(nodes);
            }
            cursor.skip_inline_ws();
            self.pos = cursor.pos;
        }
    }

    /// Reads one node with its optional shape, `@{…}` data and `:::class`.
    fn styled_vertex(&mut self) -> Option<usize> {
        let mut cursor = Cursor::new(self.src, self.pos);
        let Some((start, end)) = cursor.scan_id() else {
            let ch = cursor.peek().unwrap_or('\n');
            let width = cursor.peek().map_or(0, char::len_utf8);
            let span = Span::new(cursor.pos, cursor.pos + width);
            if ch == '\n' || ch == ';' {
                self.error("F003", span, "expected a node id after the link");
            } else {
                self.error(
                    "F003",
                    span,
                    format!("unexpected `{ch}`; expected a node id"),
                );
            }
            return None;
        };
        let id = &self.src[start..end];
        let id_span = Span::new(start, end);
        if let Some(word) = RESERVED.iter().find(|word| **word == id) {
            self.reserved_id(word, id_span);
            return None;
        }
        self.pos = end;

        // `e1@{ animate: true }` configures an edge, not a node.
        if self.src[end..].starts_with("@{") && self.edge_ids.contains(id) {
            let data_end = shape_data_end(self.src, end + 2).unwrap_or(self.src.len());
            self.pos = data_end;
            return None;
        }

        let index = self.touch_node(id, id_span);
        match scan_shape(self.src, end) {
            None => {}
            Some(Ok(decl)) => {
                self.pos = decl.decl_span.end;
                self.declare(index, decl);
            }
            Some(Err(error)) => {
                self.shape_error(index, error)?;
            }
        }
        if self.src[self.pos..].starts_with("@{") {
            self.shape_data(index)?;
        }
        if self.src[self.pos..].starts_with(":::") {
            let mut cursor = Cursor::new(self.src, self.pos + 3);
            if let Some((class_start, class_end)) = cursor.scan_id() {
                let class = self.src[class_start..class_end].to_string();
                self.doc.nodes[index].classes.push(class);
                self.pos = class_end;
            }
        }
        Some(index)
    }

    fn reserved_id(&mut self, word: &str, span: Span) {
        let suggestion = capitalise(word);
        let message = format!(
            "`{word}` is a keyword and cannot be a node id; use `{suggestion}` or give the node \
             another id and the label: `done[\"{word}\"]`"
        );
        let diagnostic = Diagnostic::error("F005", span, message).with_fix(
            format!("Rename to `{suggestion}`"),
            span,
            suggestion,
        );
        self.push(diagnostic);
    }

    fn declare(&mut self, index: usize, decl: ShapeDecl) {
        let node = &mut self.doc.nodes[index];
        node.shape = decl.shape;
        node.shape_name = decl.shape_name;
        node.label = decode_label(&decl.raw_label);
        node.has_label = true;
        node.label_span = Some(decl.label_span);
        node.decl_span = Some(decl.decl_span);
    }

    /// Reports a bad bracket form. Recovers the declaration when the brackets balance.
    fn shape_error(&mut self, index: usize, error: ShapeError) -> Option<()> {
        match error {
            ShapeError::Unclosed { open, stop } => {
                let token = open.text(self.src);
                let message = format!("unclosed `{token}` opened at {}", self.line_col(open.start));
                let end = self.src[stop..]
                    .chars()
                    .next()
                    .map_or(stop, |ch| stop + ch.len_utf8());
                let diagnostic = Diagnostic::error("F002", Span::new(open.start, end), message);
                let (at, closer) = closing_insert(self.src, open.start, token);
                let title = format!("Close with `{closer}`");
                self.push(diagnostic.with_fix(title, Span::new(at, at), closer));
                self.pos = Cursor::new(self.src, stop).line_end();
                None
            }
            ShapeError::Unexpected {
                at,
                ch,
                open,
                balanced,
            } => {
                let span = Span::new(at, at + ch.len_utf8());
                let Some(decl) = balanced else {
                    let message = format!(
                        "unexpected `{ch}` in label opened at {}",
                        self.line_col(open.start)
                    );
                    self.error("F003", span, message);
                    self.pos = Cursor::new(self.src, at).line_end();
                    return None;
                };
                let open_text = open.text(self.src);
                let close_text = &self.src[decl.label_span.end..decl.decl_span.end];
                let inner = decl.raw_label.trim().replace('"', "#quot;");
                let quoted = format!("{open_text}\"{inner}\"{close_text}");
                let message = format!(
                    "unexpected `{ch}` in unquoted label; quote the label: `{}{quoted}`",
                    self.doc.nodes[index].id
                );
                let diagnostic = Diagnostic::error("F003", span, message).with_fix(
                    "Quote label",
                    decl.decl_span,
                    quoted,
                );
                self.push(diagnostic);
                self.pos = decl.decl_span.end;
                self.declare(index, decl);
                Some(())
            }
        }
    }

    /// `@{ shape: diam, label: "x" }` after a node id.
    fn shape_data(&mut self, index: usize) -> Option<()> {
        let open = self.pos;
        let Some(end) = shape_data_end(self.src, open + 2) else {
            let message = format!("unclosed `@{{` opened at {}", self.line_col(open));
            self.error("F002", Span::new(open, open + 2), message);
            self.pos = self.src.len();
            return None;
        };
        self.pos = end;
        let body_span = Span::new(open + 2, end - 1);
        let mut shape = None;
        let mut label = None;
        for (key, value) in key_values(self.src, body_span) {
            match key.text(self.src).trim() {
                "shape" => shape = Some(value),
                "label" => label = Some(value),
                _ => {}
            }
        }
        let decl_span = Span::new(open, end);
        if let Some(value) = shape {
            let name = yaml_scalar(value.text(self.src));
            let name = name.as_str();
            match named_shapes::check(name) {
                Ok(()) => {
                    let node = &mut self.doc.nodes[index];
                    node.shape = named_shapes::classify(name);
                    node.shape_name = Some(name.to_string());
                    node.decl_span = Some(decl_span);
                }
                Err(ShapeNameError::NotLowercase) => {
                    let fixed = name.to_lowercase().replace('_', "-");
                    let message = format!(
                        "invalid shape name `{name}`; shape names are lower case with `-`, such as `{fixed}`"
                    );
                    let diagnostic = Diagnostic::error("F010", value, message).with_fix(
                        format!("Replace with `{fixed}`"),
                        value,
                        fixed,
                    );
                    self.push(diagnostic);
                }
                Err(ShapeNameError::Unknown) => {
                    let message = format!(
                        "unknown shape `{name}`; see the shape names mermaid lists for `@{{ shape: … }}`"
                    );
                    self.error("F010", value, message);
                }
            }
        }
        if let Some(value) = label {
            let node = &mut self.doc.nodes[index];
            node.label = decode_text(&yaml_scalar(value.text(self.src)));
            node.has_label = true;
            node.label_span = Some(value);
            node.decl_span = Some(decl_span);
        }
        Some(())
    }
}

/// Offset after the `}` closing shape data whose body starts at `from`; quotes may hold `}`.
fn shape_data_end(src: &str, from: usize) -> Option<usize> {
    let mut in_quote = false;
    let mut escaped = false;
    for (i, ch) in src[from..].char_indices() {
        if std::mem::take(&mut escaped) {
            continue;
        }
        match ch {
            '\\' if in_quote => escaped = true,
            '"' => in_quote = !in_quote,
            '}' if !in_quote => return Some(from + i + 1),
            _ => {}
        }
    }
    None
}

/// Splits `key: value` pairs separated by commas or newlines, outside quotes.
fn key_values(src: &str, body: Span) -> Vec<(Span, Span)> {
    let mut pairs = Vec::new();
    let mut part_start = body.start;
    let mut in_quote = false;
    let text = body.text(src);
    let mut escaped = false;
    let mut ends: Vec<usize> = Vec::new();
    for (i, ch) in text.char_indices() {
        if std::mem::take(&mut escaped) {
            continue;
        }
        match ch {
            '\\' if in_quote => escaped = true,
            '"' => in_quote = !in_quote,
            ',' | '\n' if !in_quote => ends.push(body.start + i),
            _ => {}
        }
    }
    ends.push(body.end);
    for end in ends {
        let part = &src[part_start..end];
        if let Some(colon) = part.find(':') {
            let key = Span::new(part_start, part_start + colon);
            let value = trim_span(src, Span::new(part_start + colon + 1, end));
            pairs.push((key, value));
        }
        part_start = (end + 1).min(body.end);
    }
    pairs
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Where to insert the closing bracket for an unclosed `token` opened at `open`, and the
/// closer: before the first link on the rest of the line (`A[label --> B`), else at the end
/// of the line's text.
fn closing_insert(src: &str, open: usize, token: &str) -> (usize, String) {
    let closer: String = token
        .chars()
        .rev()
        .map(|ch| match ch {
            '[' | '>' => ']',
            '(' => ')',
            '{' => '}',
            other => other,
        })
        .collect();
    let after = open + token.len();
    let line_end = src[after..].find('\n').map_or(src.len(), |i| after + i);
    let rest = &src[after..line_end];
    let link = ["-->", "---", "-.-", "==>", "===", "~~~", "--", "=="]
        .iter()
        .filter_map(|l| rest.find(l))
        .min();
    let stop = link.map_or(line_end, |i| after + i);
    let trimmed = after + src[after..stop].trim_end().len();
    (trimmed, closer)
}
