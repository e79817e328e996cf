//! `textDocument/definition` of a node id: the declaration that gave the node its label,
//! or its first occurrence.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::node_at;
use crate::server::{Backend, blocking};

pub async fn handle(
    backend: &Backend,
    params: GotoDefinitionParams,
) -> Result<Option<GotoDefinitionResponse>> {
    let position = params.text_document_position_params;
    let snapshot = backend.snapshot(&position.text_document.uri)?;
    let encoding = backend.config().encoding;
    blocking(move || {
        let analysis = snapshot.analysis();
        let Some((chart, index)) = node_at(&snapshot, &analysis, position.position, encoding)
        else {
            return Ok(None);
        };
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
    })
    .await
}
