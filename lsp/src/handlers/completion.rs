//! `textDocument/completion`: node ids, shapes (as snippets) and `classDef` names.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::server::{Backend, blocking};

/// Bracket forms offered after a node id: (snippet, description).
const SHAPES: &[(&str, &str)] = &[
    ("[${1:text}]", "rectangle: a step"),
    ("(${1:text})", "rounded rectangle"),
    ("([${1:Start}])", "stadium: start or end"),
    ("{${1:condition}}", "diamond: a decision"),
    ("[/${1:Read x}/]", "parallelogram: input or output"),
    ("[[${1:text}]]", "subroutine"),
    ("((${1:text}))", "circle"),
    ("{{${1:text}}}", "hexagon"),
    ("[(${1:text})]", "cylinder"),
    (">${1:text}]", "asymmetric"),
];

pub async fn handle(
    backend: &Backend,
    params: CompletionParams,
) -> Result<Option<CompletionResponse>> {
    let position = params.text_document_position;
    let snapshot = backend.snapshot(&position.text_document.uri)?;
    let config = backend.config();
    let (encoding, snippets) = (config.encoding, config.snippets);
    blocking(move || {
        let analysis = snapshot.analysis();
        let map = snapshot.map(encoding);
        let offset = map.offset(position.position);
        let Some(chart) = analysis.chart_at(offset) else {
            return Ok(None);
        };
        let line_start = snapshot.text[..offset]
            .rfind('\n')
            .map_or(0, |index| index + 1);
        let before = &snapshot.text[line_start..offset];
        let mut items = Vec::new();
        let class_names = chart.doc.class_defs.iter().flat_map(|def| def.names.iter());
        for name in class_names {
            items.push(CompletionItem {
                label: name.clone(),
                kind: Some(CompletionItemKind::CLASS),
                detail: Some("classDef".to_string()),
                ..Default::default()
            });
        }
        let wants_class = before.ends_with(":::") || before.trim_start().starts_with("class ");
        if !wants_class {
            for node in &chart.doc.nodes {
                items.push(CompletionItem {
                    label: node.id.clone(),
                    kind: Some(CompletionItemKind::VARIABLE),
                    detail: node.has_label.then(|| node.label.clone()),
                    ..Default::default()
                });
            }
            for (snippet, description) in SHAPES {
                let label = snippet_label(snippet);
                // Clients without snippet support would insert `${1:...}` literally.
                let (insert_text, format) = if snippets {
                    (snippet.to_string(), InsertTextFormat::SNIPPET)
                } else {
                    (label.clone(), InsertTextFormat::PLAIN_TEXT)
                };
                items.push(CompletionItem {
                    label,
                    kind: Some(CompletionItemKind::SNIPPET),
                    detail: Some(description.to_string()),
                    insert_text: Some(insert_text),
                    insert_text_format: Some(format),
                    ..Default::default()
                });
            }
        }
        Ok(Some(CompletionResponse::Array(items)))
    })
    .await
}

/// The snippet as it reads once inserted: `{${1:condition}}` becomes `{condition}`.
fn snippet_label(snippet: &str) -> String {
    let Some(start) = snippet.find("${1:") else {
        return snippet.to_string();
    };
    let body = &snippet[start + 4..];
    let Some(end) = body.find('}') else {
        return snippet.to_string();
    };
    format!("{}{}{}", &snippet[..start], &body[..end], &body[end + 1..])
}
