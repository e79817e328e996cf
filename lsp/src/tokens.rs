//! Semantic tokens for flowcharts: the legend and the encoding of a document's charts into
//! LSP's relative token stream.
//!
//! Tokens come from the parsed chart (node ids, shape brackets, labels, edges, subgraph and
//! `classDef` names) plus a line scan for statement keywords and `%%` comments.

use hexa_flowchart::Span;
use tower_lsp_server::ls_types::{
    Range, SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokensLegend,
};

use crate::analysis::{Analysis, Chart};
use crate::proto::TextMap;

/// Token types in legend order; a token's `token_type` is its index here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `flowchart`, `graph`, `subgraph`, `end`, `classDef`, `class`, `style`, ...
    Keyword,
    /// A node id.
    NodeId,
    /// The brackets that give a node its shape (`[`, `((`, `{{`, `@{ shape: ... }`).
    Shape,
    /// A node label.
    Label,
    /// An edge (`-->`, `-. text .->`, `==>|yes|`) without its label.
    Arrow,
    /// An edge label.
    EdgeLabel,
    /// A `%%` comment.
    Comment,
    /// A subgraph id.
    Subgraph,
    /// A `classDef` name.
    ClassName,
}

const KINDS: [(Kind, SemanticTokenType); 9] = [
    (Kind::Keyword, SemanticTokenType::KEYWORD),
    (Kind::NodeId, SemanticTokenType::VARIABLE),
    (Kind::Shape, SemanticTokenType::TYPE),
    (Kind::Label, SemanticTokenType::STRING),
    (Kind::Arrow, SemanticTokenType::OPERATOR),
    (Kind::EdgeLabel, SemanticTokenType::new("label")),
    (Kind::Comment, SemanticTokenType::COMMENT),
    (Kind::Subgraph, SemanticTokenType::NAMESPACE),
    (Kind::ClassName, SemanticTokenType::CLASS),
];

/// Bit of the `declaration` modifier: set on the first occurrence of a node id.
const DECLARATION: u32 = 1;

/// Words that start a statement and are shown as keywords.
const KEYWORDS: &[&str] = &[
    "flowchart",
    "graph",
    "subgraph",
    "end",
    "direction",
    "classDef",
    "class",
    "style",
    "linkStyle",
    "click",
    "accTitle",
    "accDescr",
];

/// The legend sent in the server capabilities.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: KINDS.iter().map(|(_, name)| name.clone()).collect(),
        token_modifiers: vec![SemanticTokenModifier::DECLARATION],
    }
}

fn type_index(kind: Kind) -> u32 {
    let index = KINDS.iter().position(|(known, _)| *known == kind);
    index.map_or(0, crate::proto::to_u32)
}

/// A token as a byte span in the document.
#[derive(Debug, Clone, Copy)]
struct Token {
    span: Span,
    kind: Kind,
    modifiers: u32,
}

/// Encodes the tokens of every chart, limited to `range` when given.
pub fn encode(analysis: &Analysis, map: TextMap<'_>, range: Option<Range>) -> Vec<SemanticToken> {
    let mut tokens: Vec<Token> = analysis.charts.iter().flat_map(chart_tokens).collect();
    tokens.sort_by_key(|token| (token.span.start, std::cmp::Reverse(token.span.end)));

    let limit = range.map(|range| map.span(range));
    let mut encoded = Vec::with_capacity(tokens.len());
    let (mut last_line, mut last_start, mut covered) = (0, 0, 0);
    for token in tokens {
        // Tokens may not overlap: a later token inside an earlier one is dropped.
        if token.span.start < covered || token.span.start >= token.span.end {
            continue;
        }
        covered = token.span.end;
        let outside = limit
            .is_some_and(|limit| token.span.end <= limit.start || token.span.start >= limit.end);
        if outside {
            continue;
        }
        for piece in lines_of(map.text, token.span) {
            let start = map.position(piece.start);
            let end = map.position(piece.end);
            let delta_line = start.line - last_line;
            let delta_start = if delta_line == 0 {
                start.character - last_start
            } else {
                start.character
            };
            encoded.push(SemanticToken {
                delta_line,
                delta_start,
                length: end.character - start.character,
                token_type: type_index(token.kind),
                token_modifiers_bitset: token.modifiers,
            });
            (last_line, last_start) = (start.line, start.character);
        }
    }
    encoded
}

/// Splits a span at line ends, because a token may not cross lines.
fn lines_of(text: &str, span: Span) -> Vec<Span> {
    let mut pieces = Vec::new();
    let mut start = span.start;
    for (at, _) in span.text(text).match_indices('\n') {
        pieces.push(Span::new(start, span.start + at));
        start = span.start + at + 1;
    }
    pieces.push(Span::new(start, span.end));
    pieces.retain(|piece| piece.start < piece.end);
    pieces
}

fn chart_tokens(chart: &Chart) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut push = |span: Span, kind: Kind, modifiers: u32| {
        tokens.push(Token {
            span: chart.to_file(span),
            kind,
            modifiers,
        });
    };
    line_tokens(&chart.text, &mut push);

    for node in &chart.doc.nodes {
        for span in &node.occurrences {
            let modifiers = if *span == node.id_span {
                DECLARATION
            } else {
                0
            };
            push(*span, Kind::NodeId, modifiers);
        }
        // NOTE: only the declaration that set the label is kept in the tree, so brackets of
        // other declarations of the same node get no token.
        if let (Some(decl), Some(label)) = (node.decl_span, node.label_span) {
            push(Span::new(decl.start, label.start), Kind::Shape, 0);
            push(label, Kind::Label, 0);
            push(Span::new(label.end, decl.end), Kind::Shape, 0);
        }
    }
    for edge in &chart.doc.edges {
        match edge.label_span {
            Some(label) if edge.span.start <= label.start && label.end <= edge.span.end => {
                push(Span::new(edge.span.start, label.start), Kind::Arrow, 0);
                push(label, Kind::EdgeLabel, 0);
                push(Span::new(label.end, edge.span.end), Kind::Arrow, 0);
            }
            _ => push(edge.span, Kind::Arrow, 0),
        }
    }
    for subgraph in &chart.doc.subgraphs {
        push(subgraph.id_span, Kind::Subgraph, DECLARATION);
    }
    for class_def in &chart.doc.class_defs {
        let body = class_def.span.text(&chart.text);
        let Some(names) = body.strip_prefix("classDef") else {
            continue;
        };
        let names_start = class_def.span.start + "classDef".len();
        let leading = names.len() - names.trim_start().len();
        let mut at = names_start + leading;
        let list = names.trim_start().split(char::is_whitespace).next();
        for name in list.unwrap_or_default().split(',') {
            push(Span::new(at, at + name.len()), Kind::ClassName, DECLARATION);
            at += name.len() + 1;
        }
    }
    tokens
}

/// Finds statement keywords at the start of a line and `%%` comments.
fn line_tokens(text: &str, push: &mut impl FnMut(Span, Kind, u32)) {
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let indent = content.len() - content.trim_start().len();
        let start = line_start + indent;
        let rest = content.trim_start();
        if rest.starts_with("%%") {
            push(
                Span::new(start, line_start + content.len()),
                Kind::Comment,
                0,
            );
        } else {
            let word_len = rest
                .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .unwrap_or(rest.len());
            if KEYWORDS.contains(&&rest[..word_len]) {
                push(Span::new(start, start + word_len), Kind::Keyword, 0);
            }
        }
        line_start += line.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::Kind as DocumentKind;
    use crate::proto::Encoding;
    use hexa_flowchart::LineIndex;

    /// Decodes the relative stream back to `(line, column, text, type name)`.
    fn decode(text: &str) -> Vec<(u32, u32, String, String)> {
        let analysis = Analysis::new(DocumentKind::Mermaid, text);
        let index = LineIndex::new(text);
        let map = TextMap {
            text,
            index: &index,
            encoding: Encoding::Utf16,
        };
        let lines: Vec<&str> = text.lines().collect();
        let (mut line, mut column) = (0, 0);
        let mut decoded = Vec::new();
        for token in encode(&analysis, map, None) {
            if token.delta_line > 0 {
                column = 0;
            }
            line += token.delta_line;
            column += token.delta_start;
            let source = lines[line as usize];
            let piece = &source[column as usize..(column + token.length) as usize];
            let name = KINDS[token.token_type as usize].1.as_str().to_string();
            decoded.push((line, column, piece.to_string(), name));
        }
        decoded
    }

    #[test]
    fn tokens_cover_each_part_of_a_chart() {
        let text = "flowchart TD\n  %% note\n  subgraph one [One]\n    A[\"x = 1\"] -->|yes| B{ok}\n  end\n  classDef hot fill:#f00\n";
        let pieces: Vec<(String, String)> = decode(text)
            .into_iter()
            .map(|(_, _, piece, name)| (piece, name))
            .collect();
        let expected = [
            ("flowchart", "keyword"),
            ("%% note", "comment"),
            ("subgraph", "keyword"),
            ("one", "namespace"),
            ("A", "variable"),
            ("[", "type"),
            ("\"x = 1\"", "string"),
            ("]", "type"),
            ("-->|", "operator"),
            ("yes", "label"),
            ("|", "operator"),
            ("B", "variable"),
            ("{", "type"),
            ("ok", "string"),
            ("}", "type"),
            ("end", "keyword"),
            ("classDef", "keyword"),
            ("hot", "class"),
        ];
        for (piece, name) in expected {
            let found = pieces.iter().any(|(p, n)| p == piece && n == name);
            assert!(found, "no {name} token `{piece}` in {pieces:?}");
        }
    }

    #[test]
    fn range_limits_tokens() {
        let text = "flowchart TD\n  A --> B\n  B --> C\n";
        let analysis = Analysis::new(DocumentKind::Mermaid, text);
        let index = LineIndex::new(text);
        let map = TextMap {
            text,
            index: &index,
            encoding: Encoding::Utf16,
        };
        let range = Range::new(
            tower_lsp_server::ls_types::Position::new(2, 0),
            tower_lsp_server::ls_types::Position::new(3, 0),
        );
        let tokens = encode(&analysis, map, Some(range));
        assert_eq!(tokens.len(), 3, "{tokens:?}");
        assert_eq!(tokens[0].delta_line, 2);
    }
}
