//! The printer: a [`Document`] back to canonical Mermaid text.
//!
//! The layout is fixed, so printing is idempotent (`format(parse(format(doc)))` equals
//! `format(doc)`): front matter, the header, one declaration per node grouped by subgraph,
//! one edge per line, then `classDef` and `class` statements. Labels are always quoted and
//! encoded with entities, so parsing the output gives back the same ids, shapes, labels,
//! edges and subgraph membership (`tests/roundtrip.rs` checks this on random charts).
//!
//! NOTE: a few ids do not survive a round trip: a node id that starts a statement as a
//! keyword would (`style-x`, `end-x`, `%%x`), a node id equal to a subgraph id, and subgraph
//! ids made with entities (see `subgraph_line`).
//!
//! What the document does not keep is not printed: comments, `style`, `linkStyle`,
//! `click`, accessibility lines and the original order of statements.

use std::fmt::Write;

use crate::ast::{ArrowHead, Direction, Document, Edge, Node, Shape, Stroke, Subgraph};
use crate::parse::encode_text;

const INDENT: &str = "    ";

/// Prints a document as canonical Mermaid flowchart text, ending with a newline.
pub fn format(doc: &Document) -> String {
    let mut out = String::new();
    if let Some(title) = &doc.title {
        let _ = write!(out, "---\ntitle: {title}\n---\n");
    }
    let keyword = if doc.graph_keyword {
        "graph"
    } else {
        "flowchart"
    };
    let _ = writeln!(out, "{keyword} {}", direction_name(doc.direction));

    let tree = SubgraphTree::new(doc);
    for &node in &tree.top_level_nodes {
        let _ = writeln!(out, "{INDENT}{}", node_declaration(&doc.nodes[node]));
    }
    for &root in &tree.roots {
        print_subgraph(doc, &tree, root, &mut out);
    }
    for edge in &doc.edges {
        if let Some(line) = edge_line(doc, edge) {
            let _ = writeln!(out, "{INDENT}{line}");
        }
    }
    for class_def in &doc.class_defs {
        let names = class_def.names.join(",");
        let line = format!("classDef {names} {}", class_def.styles);
        let _ = writeln!(out, "{INDENT}{}", line.trim_end());
    }
    // Class lines follow the declarations, so the order survives a round trip.
    let grouped = tree.members.iter().flatten();
    for &node in tree.top_level_nodes.iter().chain(grouped) {
        let node = &doc.nodes[node];
        for class in &node.classes {
            let line = format!("class {} {class}", node.id);
            let _ = writeln!(out, "{INDENT}{}", line.trim_end());
        }
    }
    out
}

fn direction_name(direction: Direction) -> &'static str {
    match direction {
        Direction::TopDown => "TD",
        Direction::BottomUp => "BT",
        Direction::LeftRight => "LR",
        Direction::RightLeft => "RL",
    }
}

/// Subgraph nesting: the children of each subgraph and the order in which they close.
struct SubgraphTree {
    roots: Vec<usize>,
    /// Nodes outside every subgraph, in document order.
    top_level_nodes: Vec<usize>,
    /// The nodes directly inside each subgraph, in document order.
    members: Vec<Vec<usize>>,
    children: Vec<Vec<usize>>,
    /// Position of each subgraph in closing order, which numbers mermaid's `subGraphN` ids.
    close_order: Vec<usize>,
}

impl SubgraphTree {
    fn new(doc: &Document) -> Self {
        let count = doc.subgraphs.len();
        let mut roots = Vec::new();
        let mut children = vec![Vec::new(); count];
        for (index, subgraph) in doc.subgraphs.iter().enumerate() {
            match subgraph.parent.filter(|&parent| parent < index) {
                Some(parent) => children[parent].push(index),
                None => roots.push(index),
            }
        }

        // Post-order walk with an explicit stack, so deep nesting cannot overflow the stack.
        let mut close_order = vec![0; count];
        let mut closed = 0;
        let mut stack: Vec<(usize, bool)> = roots.iter().rev().map(|&root| (root, false)).collect();
        while let Some((index, expanded)) = stack.pop() {
            if expanded {
                close_order[index] = closed;
                closed += 1;
                continue;
            }
            stack.push((index, true));
            stack.extend(children[index].iter().rev().map(|&child| (child, false)));
        }
        let mut top_level_nodes = Vec::new();
        let mut members = vec![Vec::new(); count];
        for (index, node) in doc.nodes.iter().enumerate() {
            match node.subgraph.filter(|&subgraph| subgraph < count) {
                Some(subgraph) => members[subgraph].push(index),
                None => top_level_nodes.push(index),
            }
        }
        SubgraphTree {
            roots,
            top_level_nodes,
            members,
            children,
            close_order,
        }
    }
}

/// Prints a subgraph block with its direction, its direct members and its nested blocks.
fn print_subgraph(doc: &Document, tree: &SubgraphTree, root: usize, out: &mut String) {
    enum Step {
        Open(usize, usize),
        Close(usize),
    }
    // An explicit stack keeps deep nesting from exhausting the call stack.
    let mut stack = vec![Step::Open(root, 1)];
    while let Some(step) = stack.pop() {
        match step {
            Step::Open(index, depth) => {
                let subgraph = &doc.subgraphs[index];
                let indent = indent(depth);
                let line = subgraph_line(subgraph, tree.close_order[index]);
                let _ = writeln!(out, "{indent}{line}");
                if let Some(direction) = subgraph.direction {
                    let _ = writeln!(
                        out,
                        "{indent}{INDENT}direction {}",
                        direction_name(direction)
                    );
                }
                for &node in &tree.members[index] {
                    let declaration = node_declaration(&doc.nodes[node]);
                    let _ = writeln!(out, "{indent}{INDENT}{declaration}");
                }
                stack.push(Step::Close(depth));
                for &child in tree.children[index].iter().rev() {
                    stack.push(Step::Open(child, depth + 1));
                }
            }
            Step::Close(depth) => {
                let _ = writeln!(out, "{}end", indent(depth));
            }
        }
    }
}

/// Indentation for a nesting depth. It stops growing after 8 levels, so that the output of a
/// deeply nested chart stays linear in its size.
fn indent(depth: usize) -> String {
    INDENT.repeat(depth.min(8))
}

/// `subgraph id["Title"]`, or `subgraph "Title words"` for a subgraph whose id mermaid made
/// up (`subGraphN`, numbered in closing order) because the title has spaces or is missing.
fn subgraph_line(subgraph: &Subgraph, close_order: usize) -> String {
    let made_up_id = subgraph.id == format!("subGraph{close_order}");
    let spaced_or_empty = subgraph.title.is_empty() || subgraph.title.contains(char::is_whitespace);
    if made_up_id && spaced_or_empty {
        return format!("subgraph {}", subgraph_title(&subgraph.title))
            .trim_end()
            .to_string();
    }
    // NOTE: an id that contains `[` or starts with `" (only reachable through entities, as in
    // `subgraph a#91;b`) does not survive this form.
    format!(
        "subgraph {}[{}]",
        subgraph.id,
        subgraph_title(&subgraph.title)
    )
}

/// A subgraph title as the subgraph line needs it. Entities cannot be used there, because the
/// line ends at the first `;`, so a parsed title never contains an entity or a `;` to encode.
fn subgraph_title(title: &str) -> String {
    let text = title.replace('\n', "<br>");
    if title.is_empty() || title.starts_with('`') {
        // `"`…`"` would read as a markdown string, and the text stays as written unquoted.
        text
    } else {
        // One level of quotes is removed when parsing, so a quoted title keeps its quotes.
        format!("\"{text}\"")
    }
}

/// Prints a node's declaration: its id with the shape and label it was given, if any.
fn node_declaration(node: &Node) -> String {
    let label = encode_text(&node.label);
    if let Some(name) = node.shape_name.as_deref().filter(|name| *name != "ellipse") {
        let name = name.to_string();
        if !node.has_label {
            return format!("{}@{{ shape: {name} }}", node.id);
        }
        let label = label.replace('\\', "\\\\");
        return format!("{}@{{ shape: {name}, label: \"{label}\" }}", node.id);
    }
    if !node.has_label {
        return node.id.clone();
    }
    let (open, close) = match node.shape {
        Shape::Rect => ("[", "]"),
        Shape::Rounded => ("(", ")"),
        Shape::Stadium => ("([", "])"),
        Shape::Subroutine => ("[[", "]]"),
        Shape::Cylinder => ("[(", ")]"),
        Shape::Circle => ("((", "))"),
        Shape::DoubleCircle => ("(((", ")))"),
        Shape::Asymmetric => (">", "]"),
        Shape::Diamond => ("{", "}"),
        Shape::Hexagon => ("{{", "}}"),
        Shape::LeanRight => ("[/", "/]"),
        Shape::LeanLeft => ("[\\", "\\]"),
        Shape::Trapezoid => ("[/", "\\]"),
        Shape::InvTrapezoid => ("[\\", "/]"),
        // Only `A(-text-)` gives a named shape without a shape name.
        Shape::Named(_) => ("(-", "-)"),
    };
    format!("{}{open}\"{label}\"{close}", node.id)
}

/// `A e1@-->|"label"| B`, or `None` when an index points past the nodes.
fn edge_line(doc: &Document, edge: &Edge) -> Option<String> {
    let from = &doc.nodes.get(edge.from)?.id;
    let to = &doc.nodes.get(edge.to)?.id;
    let id = edge
        .id
        .as_ref()
        .map_or(String::new(), |id| format!("{id}@"));
    let label = edge.label.as_ref().map_or(String::new(), |label| {
        format!("|\"{}\"|", encode_text(label))
    });
    Some(format!("{from} {id}{}{label} {to}", link_token(edge)))
}

/// Builds the arrow for an edge's stroke, heads and length (`-->`, `<==>`, `-..-`, `~~~~`).
fn link_token(edge: &Edge) -> String {
    let length = edge.length.max(1);
    if edge.stroke == Stroke::Invisible {
        return "~".repeat(length + 2);
    }
    let head = |head: ArrowHead, arrow: char| match head {
        ArrowHead::None => None,
        ArrowHead::Arrow => Some(arrow),
        ArrowHead::Circle => Some('o'),
        ArrowHead::Cross => Some('x'),
    };
    let end = head(edge.end_head, '>');
    // mermaid keeps a start head only when it matches the end head.
    let start = head(edge.start_head, '<').filter(|_| edge.start_head == edge.end_head);
    let mut token = String::new();
    token.extend(start);
    match (edge.stroke, end) {
        (Stroke::Dotted, _) => {
            token.push('-');
            token.push_str(&".".repeat(length));
            token.push('-');
        }
        (stroke, Some(_)) => token.push_str(&line_char(stroke).repeat(length + 1)),
        (stroke, None) => token.push_str(&line_char(stroke).repeat(length + 2)),
    }
    token.extend(end);
    token
}

fn line_char(stroke: Stroke) -> &'static str {
    if stroke == Stroke::Thick { "=" } else { "-" }
}
