//! The statement loop: front matter, header, comments, subgraphs and the style statements.

use super::cursor::Cursor;
use super::labels::decode_label;
use super::{OpenSubgraph, Parser, PendingRef};
use crate::ast::{ClassDef, Direction, Subgraph};
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// Words mermaid's lexer always reads as keywords, so they cannot be node ids.
pub(super) const RESERVED: &[&str] = &[
    "end",
    "subgraph",
    "style",
    "linkStyle",
    "classDef",
    "class",
    "click",
    "graph",
    "flowchart",
];

impl<'a> Parser<'a> {
    fn cursor(&self) -> Cursor<'a> {
        Cursor::new(self.src, self.pos)
    }

    pub(super) fn run(&mut self) {
        self.front_matter();
        if !self.header() {
            return;
        }
        loop {
            self.skip_separators();
            if self.pos >= self.src.len() {
                break;
            }
            let before = self.pos;
            self.statement();
            self.end_statement();
            if self.pos == before {
                // Never loop without progress, whatever the input.
                self.pos = self.cursor().line_end();
            }
        }
    }

    /// YAML front matter between `---` lines at the very start; only `title` is read.
    fn front_matter(&mut self) {
        let first_line_end = self.src.find('\n').unwrap_or(self.src.len());
        if self.src[..first_line_end].trim_end() != "---" {
            return;
        }
        let mut line_start = (first_line_end + 1).min(self.src.len());
        while line_start < self.src.len() {
            let line_end = self.src[line_start..]
                .find('\n')
                .map_or(self.src.len(), |i| line_start + i);
            let line = &self.src[line_start..line_end];
            if line.trim_end() == "---" {
                self.pos = (line_end + 1).min(self.src.len());
                return;
            }
            if let Some(value) = line.strip_prefix("title:") {
                let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
                self.doc.title = Some(value.to_string());
            }
            line_start = line_end + 1;
        }
        self.error(
            "F002",
            Span::new(0, 3),
            "front matter opened with `---` is not closed",
        );
        self.pos = self.src.len();
    }

    /// Skips blank lines, `;`, whole-line `%%` comments and `%%{…}%%` directives.
    fn skip_separators(&mut self) {
        loop {
            let mut cursor = self.cursor();
            cursor.skip_inline_ws();
            self.pos = cursor.pos;
            if cursor.eat("\n") || cursor.eat(";") {
                self.pos = cursor.pos;
                continue;
            }
            if cursor.starts_with("%%{") {
                let end = self.directive_end(cursor.pos);
                self.pos = end.unwrap_or_else(|| cursor.line_end());
                continue;
            }
            if cursor.starts_with("%%") {
                if self.statement_before_on_line(cursor.pos) {
                    self.trailing_comment(cursor.pos);
                }
                self.pos = cursor.line_end();
                continue;
            }
            return;
        }
    }

    fn statement_before_on_line(&self, pos: usize) -> bool {
        let line_start = self.src[..pos].rfind('\n').map_or(0, |i| i + 1);
        !self.src[line_start..pos].trim().is_empty()
    }

    /// Reports a `%%` comment after a statement, which mermaid rejects.
    pub(super) fn trailing_comment(&mut self, pos: usize) {
        let line_start = self.src[..pos].rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.src[pos..]
            .find('\n')
            .map_or(self.src.len(), |i| pos + i);
        let comment = self.src[pos..line_end].trim_end();
        let indent: String = self.src[line_start..]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        let before = self.src[line_start..pos].trim_end().len() + line_start;
        let span = Span::new(pos, pos + comment.len());
        let diagnostic = Diagnostic::error(
            "F008",
            span,
            "a `%%` comment must be on its own line; mermaid rejects a comment after a statement",
        )
        .with_fix(
            "Move comment to its own line",
            Span::new(before, pos + comment.len()),
            format!("\n{indent}{comment}"),
        );
        self.push(diagnostic);
    }

    /// After a statement: accepts a newline, `;` or the end, reports anything else.
    fn end_statement(&mut self) {
        let mut cursor = self.cursor();
        cursor.skip_inline_ws();
        self.pos = cursor.pos;
        if cursor.at_statement_end() {
            return;
        }
        if cursor.starts_with("%%") {
            self.trailing_comment(cursor.pos);
            self.pos = cursor.line_end();
            return;
        }
        let ch = cursor.peek().unwrap_or(' ');
        let span = Span::new(cursor.pos, cursor.pos + ch.len_utf8());
        self.error(
            "F003",
            span,
            format!("unexpected `{ch}`; expected a new line or `;`"),
        );
        self.pos = cursor.line_end();
    }

    /// Reads `flowchart`/`graph` and the direction. Reports F001 and stops when missing.
    fn header(&mut self) -> bool {
        self.skip_separators();
        let mut cursor = self.cursor();
        let start = cursor.pos;
        let keyword = ["flowchart-elk", "flowchart", "graph"]
            .into_iter()
            .find(|word| cursor.at_keyword(word));
        let Some(keyword) = keyword else {
            let found = cursor.rest().split_whitespace().next().unwrap_or("");
            let found: String = found.chars().take(40).collect();
            let (span, message) = if found.is_empty() {
                (
                    Span::new(0, 0),
                    "empty diagram; expected a `flowchart` or `graph` header".to_string(),
                )
            } else {
                let span = Span::new(start, start + found.len());
                (
                    span,
                    format!("not a flowchart: expected `flowchart` or `graph`, found `{found}`"),
                )
            };
            let diagnostic = Diagnostic::error("F001", span, message);
            let diagnostic = if found.is_empty() {
                diagnostic
            } else {
                diagnostic.with_fix(
                    "Add flowchart header",
                    Span::new(start, start),
                    "flowchart TD\n",
                )
            };
            self.push(diagnostic);
            return false;
        };
        cursor.pos += keyword.len();
        self.doc.graph_keyword = keyword == "graph";
        let mut header_end = cursor.pos;
        cursor.skip_inline_ws();
        if !cursor.at_statement_end() {
            let word_start = cursor.pos;
            let word_len = cursor
                .rest()
                .find(|c: char| c.is_whitespace() || c == ';')
                .unwrap_or(cursor.rest().len());
            let word = &cursor.rest()[..word_len];
            match parse_direction(word) {
                Some(direction) => {
                    self.doc.direction = direction;
                    header_end = word_start + word_len;
                }
                None => {
                    let span = Span::new(word_start, word_start + word_len);
                    self.error(
                        "F009",
                        span,
                        format!("unknown direction `{word}`; expected TB, TD, BT, LR or RL"),
                    );
                }
            }
            cursor.pos = word_start + word_len;
        }
        self.doc.header_span = Span::new(start, header_end);
        self.pos = cursor.pos;
        self.end_statement();
        true
    }

    /// Dispatches one statement on its leading keyword.
    fn statement(&mut self) {
        let cursor = self.cursor();
        if cursor.at_keyword("subgraph") {
            self.subgraph();
        } else if cursor.at_keyword("end") && !self.end_is_node_id() {
            self.end();
        } else if cursor.at_keyword("classDef") {
            self.class_def();
        } else if cursor.at_keyword("class") {
            self.class_statement();
        } else if cursor.at_keyword("style") {
            self.style_statement();
        } else if cursor.at_keyword("linkStyle") {
            self.pos = self.statement_end();
        } else if cursor.at_keyword("click") {
            self.click_statement();
        } else {
            let handled = (cursor.at_keyword("direction") && self.direction_statement())
                || self.accessibility();
            if !handled {
                self.vertex_statement();
            }
        }
    }

    /// True when `end` at the start of a statement is used like a node (`end --> done`).
    fn end_is_node_id(&self) -> bool {
        let mut cursor = Cursor::new(self.src, self.pos + 3);
        cursor.skip_inline_ws();
        let rest = cursor.rest();
        ["--", "==", "-.", "~~", "&", ":::", "[", "(", "{", ">", "@"]
            .iter()
            .any(|token| rest.starts_with(token))
    }

    /// Offset of the next `;`, newline or end.
    fn statement_end(&self) -> usize {
        let rest = &self.src[self.pos..];
        rest.find(['\n', ';'])
            .map_or(self.src.len(), |i| self.pos + i)
    }

    fn subgraph(&mut self) {
        let start = self.pos;
        let mut cursor = Cursor::new(self.src, self.pos + "subgraph".len());
        cursor.skip_inline_ws();
        let end = self.statement_end_from(cursor.pos);
        let text = &self.src[cursor.pos..end];
        let index = self.doc.subgraphs.len();

        let (id, id_span, title, anonymous) = if text.trim().is_empty() {
            (
                String::new(),
                Span::new(start, start + 8),
                String::new(),
                true,
            )
        } else if let Some(bracket) = title_bracket(text) {
            let id_span =
                super::links::trim_span(self.src, Span::new(cursor.pos, cursor.pos + bracket));
            let close = text.rfind(']').unwrap_or(text.len());
            let raw_title = &text[bracket + 1..close.max(bracket + 1)];
            if !text.trim_end().ends_with(']') {
                let open = cursor.pos + bracket;
                self.error(
                    "F002",
                    Span::new(open, end),
                    format!("unclosed `[` opened at {}", self.line_col(open)),
                );
            }
            (
                id_span.text(self.src).to_string(),
                id_span,
                decode_label(raw_title),
                false,
            )
        } else {
            let id_span = super::links::trim_span(self.src, Span::new(cursor.pos, end));
            let raw = id_span.text(self.src);
            let title = decode_label(raw);
            let anonymous = title.contains(char::is_whitespace);
            (title.clone(), id_span, title, anonymous)
        };

        let title = if title.is_empty() { id.clone() } else { title };
        self.doc.subgraphs.push(Subgraph {
            id,
            title,
            direction: None,
            nodes: Vec::new(),
            parent: self.open.last().map(|open| open.index),
            span: Span::new(start, end),
            id_span,
        });
        self.open.push(OpenSubgraph {
            index,
            members: Vec::new(),
            anonymous,
        });
        self.pos = end;
    }

    fn statement_end_from(&self, pos: usize) -> usize {
        let rest = &self.src[pos..];
        rest.find(['\n', ';']).map_or(self.src.len(), |i| pos + i)
    }

    fn end(&mut self) {
        let span = Span::new(self.pos, self.pos + 3);
        self.pos += 3;
        match self.open.pop() {
            Some(open) => self.close_subgraph(open, span.end),
            None => self.error("F007", span, "`end` without an open `subgraph`; remove it"),
        }
    }

    fn direction_statement(&mut self) -> bool {
        let mut cursor = Cursor::new(self.src, self.pos + "direction".len());
        cursor.skip_inline_ws();
        let word_len = cursor
            .rest()
            .find(|c: char| c.is_whitespace() || c == ';')
            .unwrap_or(cursor.rest().len());
        let Some(direction) = parse_direction(&cursor.rest()[..word_len]) else {
            return false;
        };
        if let Some(open) = self.open.last() {
            self.doc.subgraphs[open.index].direction = Some(direction);
        }
        self.pos = cursor.pos + word_len;
        true
    }

    fn class_def(&mut self) {
        let start = self.pos;
        let end = self.statement_end();
        let body = &self.src[start + "classDef".len()..end];
        let body = body.trim_start();
        let (names, styles) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
        self.doc.class_defs.push(ClassDef {
            names: names
                .split(',')
                .map(|name| name.trim().to_string())
                .collect(),
            styles: styles.trim().to_string(),
            span: Span::new(start, end),
        });
        self.pos = end;
    }

    /// `class a,b name`: records occurrences and classes for nodes that exist.
    fn class_statement(&mut self) {
        let end = self.statement_end();
        let mut cursor = Cursor::new(self.src, self.pos + "class".len());
        cursor.skip_inline_ws();
        let ids_start = cursor.pos;
        let ids_len = cursor.rest()[..end - cursor.pos]
            .find(char::is_whitespace)
            .unwrap_or(end - cursor.pos);
        let class = self.src[ids_start + ids_len..end].trim().to_string();
        self.pending_ids(ids_start, ids_start + ids_len, Some(class));
        self.pos = end;
    }

    fn click_statement(&mut self) {
        let end = self.statement_end();
        let mut cursor = Cursor::new(self.src, self.pos + "click".len());
        cursor.skip_inline_ws();
        let id_start = cursor.pos;
        let id_len = cursor.rest()[..end - cursor.pos]
            .find(char::is_whitespace)
            .unwrap_or(end - cursor.pos);
        self.pending_ids(id_start, id_start + id_len, None);
        self.pos = end;
    }

    fn pending_ids(&mut self, start: usize, end: usize, class: Option<String>) {
        let mut offset = start;
        for id in self.src[start..end].split(',') {
            let span = Span::new(offset, offset + id.len());
            offset += id.len() + 1;
            if !id.is_empty() {
                self.pending.push(PendingRef {
                    id: id.to_string(),
                    span,
                    class: class.clone(),
                });
            }
        }
    }

    /// `style id css`: mermaid creates the node when it does not exist yet.
    fn style_statement(&mut self) {
        let end = self.statement_end();
        let mut cursor = Cursor::new(self.src, self.pos + "style".len());
        cursor.skip_inline_ws();
        if let Some((id_start, id_end)) = cursor.scan_id() {
            let id = self.src[id_start..id_end].to_string();
            self.touch_node(&id, Span::new(id_start, id_end));
            // A style line does not make the node a member of the enclosing subgraph.
            if let Some(open) = self.open.last_mut() {
                open.members.pop();
            }
        }
        self.pos = end;
    }

    /// `accTitle: …`, `accDescr: …` and `accDescr { … }`.
    fn accessibility(&mut self) -> bool {
        let cursor = self.cursor();
        let rest = cursor.rest();
        let Some(after) = rest
            .strip_prefix("accTitle")
            .or_else(|| rest.strip_prefix("accDescr"))
        else {
            return false;
        };
        let trimmed = after.trim_start_matches([' ', '\t']);
        if trimmed.starts_with(':') {
            self.pos = cursor.line_end();
            return true;
        }
        if trimmed.starts_with('{') && rest.starts_with("accDescr") {
            let brace = self.pos + (rest.len() - trimmed.len());
            match self.src[brace..].find('}') {
                Some(i) => self.pos = brace + i + 1,
                None => {
                    let span = Span::new(brace, brace + 1);
                    self.error(
                        "F002",
                        span,
                        format!("unclosed `{{` opened at {}", self.line_col(brace)),
                    );
                    self.pos = self.src.len();
                }
            }
            return true;
        }
        false
    }
}

/// Finds the `[` that starts a subgraph title (`subgraph id [Title]`), outside quotes.
fn title_bracket(text: &str) -> Option<usize> {
    if text.trim_start().starts_with('"') {
        return None;
    }
    text.find('[')
}

pub(super) fn parse_direction(word: &str) -> Option<Direction> {
    Some(match word {
        "TB" | "TD" | "v" => Direction::TopDown,
        "BT" | "^" => Direction::BottomUp,
        "LR" | ">" => Direction::LeftRight,
        "RL" | "<" => Direction::RightLeft,
        _ => return None,
    })
}
