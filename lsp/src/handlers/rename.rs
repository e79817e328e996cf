//! `textDocument/rename` of a node id across its chart.

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

use super::on_node;
use crate::server::Backend;

pub async fn handle(backend: &Backend, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
    let position = params.text_document_position;
    let new_name = params.new_name;
    if !is_node_id(&new_name) {
        return Err(Error::invalid_params(format!(
            "`{new_name}` is not a valid node id: use letters, digits, `_` and `-`"
        )));
    }
    on_node(
        backend,
        &position,
        move |snapshot, chart, index, encoding| {
            if chart.doc.node_index(&new_name).is_some() {
                return Err(Error::invalid_params(format!(
                    "node `{new_name}` already exists"
                )));
            }
            let map = snapshot.map(encoding);
            let edits = chart.doc.nodes[index]
                .occurrences
                .iter()
                .map(|span| TextEdit::new(map.range(chart.to_file(*span)), new_name.clone()))
                .collect();
            Ok(Some(WorkspaceEdit::new(
                [(snapshot.uri.clone(), edits)].into_iter().collect(),
            )))
        },
    )
    .await
}

/// True for ids that parse back as the same single node id; words the grammar reserves
/// (`end`, `subgraph`, ...) are rejected too.
fn is_node_id(name: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "end",
        "subgraph",
        "graph",
        "flowchart",
        "style",
        "class",
        "classDef",
        "click",
        "linkStyle",
        "direction",
    ];
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|first| first.is_alphanumeric() || first == '_');
    first_ok
        && chars.all(|ch| ch.is_alphanumeric() || ch == '_' || ch == '-')
        && !name.ends_with('-')
        && !KEYWORDS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::is_node_id;

    #[test]
    fn node_id_rules() {
        assert!(is_node_id("start_2"));
        assert!(is_node_id("a-b"));
        assert!(!is_node_id(""));
        assert!(!is_node_id("a b"));
        assert!(!is_node_id("end"));
        assert!(!is_node_id("x-"));
        assert!(!is_node_id("A[x]"));
    }
}
