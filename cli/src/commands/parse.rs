//! `hexa parse`: the parsed graph as JSON, for other tools.

use std::path::PathBuf;

use hexa_flowchart::ast::{Document, Edge, Node, Subgraph};
use hexa_flowchart::{LineIndex, Span};
use serde_json::{Value, json};

use crate::input::{self, UserError};

/// Arguments of `hexa parse`.
#[derive(Debug, clap::Args)]
pub struct ParseArgs {
    /// A flowchart: .mmd, a Markdown file with ```mermaid fences, or - for stdin.
    pub input: PathBuf,
    /// In a Markdown file, use the N-th flowchart fence (counting from 1).
    #[arg(long, value_name = "N")]
    pub index: Option<usize>,
    /// Output format (JSON is the only one).
    #[arg(long, default_value = "json", value_parser = ["json"])]
    pub format: String,
}

/// Prints the graph; parse errors fail like every other command.
pub fn run(args: &ParseArgs) -> Result<(), UserError> {
    let source = input::read_source(&args.input)?;
    let chart = input::chart(&source, args.index)?;
    let lines = LineIndex::new(&source.text);
    let span = |span: Span| -> Value {
        let (start, end) = (span.start + chart.offset, span.end + chart.offset);
        let a = lines.position(&source.text, start);
        let b = lines.position(&source.text, end);
        json!({
            "start": start,
            "end": end,
            "start_line": a.line + 1,
            "start_column": a.char_col + 1,
            "end_line": b.line + 1,
            "end_column": b.char_col + 1,
        })
    };
    let doc: &Document = &chart.document;
    let node = |n: &Node| {
        json!({
            "id": n.id,
            "shape": n.shape_name.clone().unwrap_or_else(|| format!("{:?}", n.shape).to_lowercase()),
            "label": n.label,
            "span": span(n.id_span),
            "label_span": n.label_span.map(span),
            "classes": n.classes,
            "subgraph": n.subgraph.and_then(|i| doc.subgraphs.get(i)).map(|s| s.id.clone()),
        })
    };
    let edge = |e: &Edge| {
        json!({
            "from": doc.nodes.get(e.from).map(|n| n.id.clone()),
            "to": doc.nodes.get(e.to).map(|n| n.id.clone()),
            "id": e.id,
            "kind": format!("{:?}", e.stroke).to_lowercase(),
            "start_arrow": format!("{:?}", e.start_head).to_lowercase(),
            "end_arrow": format!("{:?}", e.end_head).to_lowercase(),
            "length": e.length,
            "label": e.label,
            "span": span(e.span),
        })
    };
    let subgraph = |s: &Subgraph| {
        json!({
            "id": s.id,
            "title": s.title,
            "members": s.nodes.iter().filter_map(|&i| doc.nodes.get(i)).map(|n| n.id.clone()).collect::<Vec<_>>(),
            "parent": s.parent.and_then(|i| doc.subgraphs.get(i)).map(|p| p.id.clone()),
            "span": span(s.span),
        })
    };
    let value = json!({
        "direction": format!("{:?}", doc.direction),
        "title": doc.title,
        "nodes": doc.nodes.iter().map(node).collect::<Vec<_>>(),
        "edges": doc.edges.iter().map(edge).collect::<Vec<_>>(),
        "subgraphs": doc.subgraphs.iter().map(subgraph).collect::<Vec<_>>(),
    });
    let text = serde_json::to_string_pretty(&value).unwrap_or_default();
    crate::output::print_stdout(&format!("{text}\n"))
        .map_err(|e| UserError::at_start("<stdout>", format!("failed to write: {e}")))
}
