//! `textDocument/prepareRename`: only node ids can be renamed.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::on_node;
use crate::server::Backend;

pub async fn handle(
    backend: &Backend,
    params: TextDocumentPositionParams,
) -> Result<Option<PrepareRenameResponse>> {
    let cursor = params.position;
    on_node(backend, &params, move |snapshot, chart, index, encoding| {
        let map = snapshot.map(encoding);
        let offset = map.offset(cursor);
        let span = chart.doc.nodes[index]
            .occurrences
            .iter()
            .map(|span| chart.to_file(*span))
            .find(|span| span.start <= offset && offset <= span.end);
        Ok(span.map(|span| PrepareRenameResponse::Range(map.range(span))))
    })
    .await
}
