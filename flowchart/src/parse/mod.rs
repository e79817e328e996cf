//! Hand-written Mermaid flowchart parser: text in, [`Document`] plus diagnostics out.
//!
//! The parser follows mermaid.js 11 (its `flow.jison` grammar and `FlowDB`): which ids become
//! nodes, how subgraphs claim nodes and which inputs are errors. It never fails, and no input
//! reaches a panic (`tests/parse.rs` feeds it every prefix of several charts and random text).
//! After a bad statement it reports a diagnostic, skips to the next line and goes on.

mod cursor;
mod labels;
mod links;
mod named_shapes;
mod shapes;
mod statements;
mod vertex;

use std::collections::{HashMap, HashSet};

use crate::ast::{Document, Node, Shape};
use crate::diagnostic::Diagnostic;
use crate::span::{LineIndex, Span};

pub use labels::{decode_label, encode_text};

/// Parses flowchart text into a document plus diagnostics. Never fails: errors become diagnostics.
pub fn parse(source: &str) -> Document {
    let mut parser = Parser::new(source);
    parser.run();
    parser.finish()
}

/// A subgraph whose `end` has not been seen yet.
struct OpenSubgraph {
    index: usize,
    /// Ids mentioned directly in the block (and ids of nested subgraphs), in mermaid's sense.
    members: Vec<String>,
    /// True when the id was made up because the title has spaces (`subgraph Two words`).
    anonymous: bool,
}

/// An id named by `class` or `click`, resolved once every node is known.
struct PendingRef {
    id: String,
    span: Span,
    class: Option<String>,
}

pub(crate) struct Parser<'a> {
    src: &'a str,
    pos: usize,
    doc: Document,
    lines: LineIndex,
    ids: HashMap<String, usize>,
    open: Vec<OpenSubgraph>,
    /// Id to the subgraph that claimed it, as mermaid's `makeUniq` assigns them.
    claimed: HashMap<String, usize>,
    closed_count: usize,
    edge_ids: HashSet<String>,
    pending: Vec<PendingRef>,
    /// Last [`Parser::word_break`] search: where it started and what it found.
    word_break_cache: (usize, usize),
    /// Last search for the `}%%` that closes a directive: where it started and what it found.
    directive_end_cache: Option<(usize, Option<usize>)>,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str) -> Self {
        Parser {
            src,
            pos: 0,
            doc: Document::default(),
            lines: LineIndex::new(src),
            ids: HashMap::new(),
            open: Vec::new(),
            claimed: HashMap::new(),
            closed_count: 0,
            edge_ids: HashSet::new(),
            pending: Vec::new(),
            word_break_cache: (usize::MAX, 0),
            directive_end_cache: None,
        }
    }

    /// Offset of the first whitespace or `@` at or after `pos`, or the end of the text.
    /// Searches again only when `pos` is outside the last search, so a long line of links
    /// without spaces (`a-->b-->c…`) costs linear time.
    fn word_break(&mut self, pos: usize) -> usize {
        let (from, found) = self.word_break_cache;
        if from <= pos && pos <= found {
            return found;
        }
        let found = self.src[pos..]
            .find(|ch: char| ch.is_whitespace() || ch == '@')
            .map_or(self.src.len(), |i| pos + i);
        self.word_break_cache = (pos, found);
        found
    }

    /// Offset after the first `}%%` at or after `pos`, remembered like [`Parser::word_break`]
    /// so that many unclosed `%%{` directives cost linear time.
    fn directive_end(&mut self, pos: usize) -> Option<usize> {
        if let Some((from, found)) = self.directive_end_cache {
            let covered = match found {
                Some(end) => from <= pos && pos + 3 <= end,
                None => from <= pos,
            };
            if covered {
                return found;
            }
        }
        let found = self.src[pos..].find("}%%").map(|i| pos + i + 3);
        self.directive_end_cache = Some((pos, found));
        found
    }

    /// `line:column`, both 1-based, column in characters, for messages.
    fn line_col(&self, offset: usize) -> String {
        let position = self.lines.position(self.src, offset);
        format!("{}:{}", position.line + 1, position.char_col + 1)
    }

    fn push(&mut self, diagnostic: Diagnostic) {
        self.doc.diagnostics.push(diagnostic);
    }

    fn error(&mut self, code: &'static str, span: Span, message: impl Into<String>) {
        self.push(Diagnostic::error(code, span, message));
    }

    /// Returns the node with this id, creating it (as mermaid's `addVertex` does) when new,
    /// and records the occurrence and the membership in the open subgraph.
    fn touch_node(&mut self, id: &str, span: Span) -> usize {
        let index = match self.ids.get(id) {
            Some(&index) => index,
            None => {
                let index = self.doc.nodes.len();
                self.doc.nodes.push(Node {
                    id: id.to_string(),
                    shape: Shape::Rect,
                    shape_name: None,
                    label: id.to_string(),
                    has_label: false,
                    id_span: span,
                    decl_span: None,
                    label_span: None,
                    occurrences: Vec::new(),
                    classes: Vec::new(),
                    subgraph: None,
                });
                self.ids.insert(id.to_string(), index);
                index
            }
        };
        self.doc.nodes[index].occurrences.push(span);
        if let Some(open) = self.open.last_mut() {
            open.members.push(id.to_string());
        }
        index
    }

    /// Claims the members of a closing subgraph that no earlier subgraph holds.
    fn close_subgraph(&mut self, open: OpenSubgraph, end: usize) {
        let index = open.index;
        for id in open.members {
            self.claimed.entry(id).or_insert(index);
        }
        if open.anonymous {
            self.doc.subgraphs[index].id = format!("subGraph{}", self.closed_count);
        }
        self.closed_count += 1;
        let subgraph = &mut self.doc.subgraphs[index];
        subgraph.span = Span::new(subgraph.span.start, end);
        let id = subgraph.id.clone();
        if let Some(parent) = self.open.last_mut() {
            parent.members.push(id);
        }
    }

    fn finish(mut self) -> Document {
        while let Some(open) = self.open.pop() {
            let span = self.doc.subgraphs[open.index].id_span;
            let line_span = Span::new(self.doc.subgraphs[open.index].span.start, span.end);
            let title = self.doc.subgraphs[open.index].title.clone();
            self.error(
                "F006",
                line_span,
                format!("subgraph `{title}` has no `end`; add `end` after its last statement"),
            );
            self.close_subgraph(open, self.src.len());
        }

        for pending in std::mem::take(&mut self.pending) {
            let Some(&index) = self.ids.get(&pending.id) else {
                continue;
            };
            let node = &mut self.doc.nodes[index];
            node.occurrences.push(pending.span);
            if let Some(class) = pending.class {
                node.classes.push(class);
            }
        }

        let parents: Vec<Option<usize>> = self.doc.subgraphs.iter().map(|s| s.parent).collect();
        for (index, node) in self.doc.nodes.iter_mut().enumerate() {
            node.occurrences.sort();
            node.subgraph = self.claimed.get(&node.id).copied();
            let mut current = node.subgraph;
            while let Some(subgraph) = current {
                self.doc.subgraphs[subgraph].nodes.push(index);
                current = parents.get(subgraph).copied().flatten();
            }
        }
        self.doc
    }
}
