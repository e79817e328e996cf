//! The related places of a diagnostic, sent as LSP `relatedInformation`: the declared id
//! that a typo resembles (W005), the node with the same label (W006), the first start
//! (W008) and the other cells that define a name (P002).
//!
//! The checker's diagnostics carry no related spans, so they are found here again from the
//! parsed chart, the diagnostic's fix and message, and the document's other diagnostics.

use hexa_flowchart::ast::Node;
use hexa_flowchart::{Diagnostic, Span};

use crate::analysis::{Analysis, Chart};

/// Returns the related places of `diagnostic` as (span in the document, message).
///
/// `all` is every diagnostic of the document, with spans in the document, as
/// [`Analysis::diagnostics`] returns them; `text` is the document text.
pub fn related_places(
    analysis: &Analysis,
    text: &str,
    diagnostic: &Diagnostic,
    all: &[Diagnostic],
) -> Vec<(Span, String)> {
    match diagnostic.code {
        "W005" => typo_target(analysis, diagnostic).into_iter().collect(),
        "W006" => same_label(analysis, diagnostic).into_iter().collect(),
        "W008" => first_start(analysis, diagnostic).into_iter().collect(),
        "P002" => other_definitions(text, diagnostic, all),
        _ => Vec::new(),
    }
}

/// W005: the declared node whose id the fix puts in place of the typo.
fn typo_target(analysis: &Analysis, diagnostic: &Diagnostic) -> Option<(Span, String)> {
    let chart = analysis.chart_at(diagnostic.span.start)?;
    let id = &diagnostic.fix.as_ref()?.replacement;
    let declared = chart
        .doc
        .nodes
        .iter()
        .find(|node| node.has_label && &node.id == id)?;
    Some(declared_here(chart, declared))
}

/// W006: the first node, in document order, that has the same label (the checker compares
/// labels the same way, trimmed).
fn same_label(analysis: &Analysis, diagnostic: &Diagnostic) -> Option<(Span, String)> {
    let chart = analysis.chart_at(diagnostic.span.start)?;
    let nodes = &chart.doc.nodes;
    let flagged = nodes
        .iter()
        .find(|node| chart.to_file(node.id_span) == diagnostic.span)?;
    let label = flagged.label.trim();
    let first = nodes
        .iter()
        .find(|node| node.has_label && node.id != flagged.id && node.label.trim() == label)?;
    Some((
        chart.to_file(first.id_span),
        format!("`{}` has the same label", first.id),
    ))
}

/// W008: the first start, which the checker names in the message as "the first is `ID`".
// NOTE: this reads the message of `several_starts` in flowchart/src/check.rs; if that
// wording changes, W008 loses its related place (the diagnostic itself is unchanged).
fn first_start(analysis: &Analysis, diagnostic: &Diagnostic) -> Option<(Span, String)> {
    const MARKER: &str = "the first is `";
    let chart = analysis.chart_at(diagnostic.span.start)?;
    let after = &diagnostic.message[diagnostic.message.find(MARKER)? + MARKER.len()..];
    let id = &after[..after.find('`')?];
    let first = chart.doc.nodes.iter().find(|node| node.id == id)?;
    Some((
        chart.to_file(first.id_span),
        format!("`{}` is the first start", first.id),
    ))
}

/// P002: the other P002 diagnostics of the same name. Each defining cell gets one, at the
/// binding, so the name is the text under the diagnostic.
fn other_definitions(
    text: &str,
    diagnostic: &Diagnostic,
    all: &[Diagnostic],
) -> Vec<(Span, String)> {
    let name = diagnostic.span.text(text);
    if name.is_empty() {
        return Vec::new();
    }
    all.iter()
        .filter(|other| {
            other.code == "P002" && other.span != diagnostic.span && other.span.text(text) == name
        })
        .map(|other| (other.span, format!("`{name}` is also defined here")))
        .collect()
}

fn declared_here(chart: &Chart, node: &Node) -> (Span, String) {
    (
        chart.to_file(node.id_span),
        format!("`{}` is declared here", node.id),
    )
}
