//! `textDocument/references` of a node id: every occurrence in its chart.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::on_node;
use crate::server::Backend;

pub async fn handle(backend: &Backend, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
    on_node(
        backend,
        &params.text_document_position,
        |snapshot, chart, index, encoding| {
            let map = snapshot.map(encoding);
            let locations = chart.doc.nodes[index]
                .occurrences
                .iter()
                .map(|span| Location::new(snapshot.uri.clone(), map.range(chart.to_file(*span))))
                .collect();
            Ok(Some(locations))
        },
    )
    .await
}
