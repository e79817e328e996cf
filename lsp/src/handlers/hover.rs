//! `textDocument/hover` on a node: its shape, label, how hexa reads the label and the
//! Python generated for it.

use std::fmt::Write;

use hexa_flowchart::ast::{NamedShape, Node, Shape};
use hexa_flowchart::label::{Reading, read_label};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::on_node;
use crate::analysis::Chart;
use crate::server::Backend;

/// Most generated lines shown for one node.
const MAX_LINES: usize = 8;

pub async fn handle(backend: &Backend, params: HoverParams) -> Result<Option<Hover>> {
    let position = params.text_document_position_params;
    on_node(
        backend,
        &position,
        move |snapshot, chart, index, encoding| {
            let node = &chart.doc.nodes[index];
            let range = node
                .occurrences
                .iter()
                .find(|span| {
                    let offset = snapshot.map(encoding).offset(position.position);
                    chart.to_file(**span).start <= offset && offset <= chart.to_file(**span).end
                })
                .map(|span| snapshot.map(encoding).range(chart.to_file(*span)));
            Ok(Some(Hover {
                contents: HoverContents::Markup(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: describe(chart, index, node),
                }),
                range,
            }))
        },
    )
    .await
}

fn describe(chart: &Chart, index: usize, node: &Node) -> String {
    let mut text = String::new();
    let shape = node
        .shape_name
        .clone()
        .unwrap_or_else(|| shape_name(node.shape).to_string());
    let _ = writeln!(text, "**{}** ({shape})\n", node.id);
    if node.has_label {
        let _ = writeln!(text, "label: `{}`\n", node.label.replace('`', "'"));
    }
    let outgoing = chart
        .doc
        .edges
        .iter()
        .filter(|edge| edge.from == index)
        .count();
    let decision = matches!(node.shape, Shape::Diamond | Shape::Hexagon) || outgoing > 1;
    let io_shape = matches!(
        node.shape,
        Shape::LeanRight | Shape::LeanLeft | Shape::Named(NamedShape::Data)
    );
    let _ = writeln!(
        text,
        "hexa reads it as {}\n",
        reading(&read_label(&node.label, decision, io_shape))
    );
    if let Some(generated) = chart.notebook() {
        let lines: Vec<&str> = generated
            .text
            .lines()
            .zip(&generated.line_nodes)
            .filter(|(_, node)| **node == Some(index))
            .map(|(line, _)| line.trim())
            .take(MAX_LINES)
            .collect();
        if !lines.is_empty() {
            let _ = writeln!(
                text,
                "generated Python:\n```python\n{}\n```",
                lines.join("\n")
            );
        }
    }
    text
}

fn reading(reading: &Reading) -> String {
    match reading {
        Reading::Terminal => "a terminal (no code)".to_string(),
        Reading::Input { names, then } if then.is_empty() => {
            format!("input of `{}`", names.join("`, `"))
        }
        Reading::Input { names, then } => format!(
            "input of `{}`, then `{}`",
            names.join("`, `"),
            then.join("; ")
        ),
        Reading::Output(what) => format!("output of `{what}`"),
        Reading::Statements(lines) => format!("Python statements `{}`", lines.join("; ")),
        Reading::Condition(test) => format!("the condition `{test}`"),
        Reading::Return(Some(value)) => format!("`return {value}`"),
        Reading::Return(None) => "`return`".to_string(),
        Reading::Stub => "a step in words: a stub function to fill in".to_string(),
    }
}

/// The shape as mermaid.js names it.
pub fn shape_name(shape: Shape) -> &'static str {
    match shape {
        Shape::Rect => "rectangle",
        Shape::Rounded => "rounded rectangle",
        Shape::Stadium => "stadium",
        Shape::Subroutine => "subroutine",
        Shape::Cylinder => "cylinder",
        Shape::Circle => "circle",
        Shape::DoubleCircle => "double circle",
        Shape::Asymmetric => "asymmetric",
        Shape::Diamond => "diamond (decision)",
        Shape::Hexagon => "hexagon",
        Shape::LeanRight => "parallelogram (input/output)",
        Shape::LeanLeft => "parallelogram alt (input/output)",
        Shape::Trapezoid => "trapezoid",
        Shape::InvTrapezoid => "inverted trapezoid",
        Shape::Named(_) => "named shape",
    }
}
