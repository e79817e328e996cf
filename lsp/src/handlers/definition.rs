//! `textDocument/definition` of a node id: the declaration that gave the node its label,
//! or its first occurrence.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::on_node;
use crate::server::Backend;

pub async fn handle(
    backend: &Backend,
    params: GotoDefinitionParams,
) -> Result<Option<GotoDefinitionResponse>> {
    on_node(
        backend,
        &params.text_document_position_params,
        |snapshot, chart, index, encoding| {
            let node = &chart.doc.nodes[index];
            let target = node
                .decl_span
                .and_then(|decl| {
                    node.occurrences
                        .iter()
                        .find(|span| decl.start <= span.start && span.end <= decl.end)
                        .copied()
                })
                .unwrap_or(node.id_span);
            let range = snapshot.map(encoding).range(chart.to_file(target));
            Ok(Some(GotoDefinitionResponse::Scalar(Location::new(
                snapshot.uri.clone(),
                range,
            ))))
        },
    )
    .await
}
