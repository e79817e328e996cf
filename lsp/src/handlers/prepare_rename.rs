//! `textDocument/prepareRename`: only node ids can be renamed.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::node_at;
use crate::server::{Backend, blocking};

pub async fn handle(
    backend: &Backend,
    params: TextDocumentPositionParams,
) -> Result<Option<PrepareRenameResponse>> {
    let snapshot = backend.snapshot(&params.text_document.uri)?;
    let encoding = backend.config().encoding;
    blocking(move || {
        let analysis = snapshot.analysis();
        let Some((chart, index)) = node_at(&snapshot, &analysis, params.position, encoding) else {
            return Ok(None);
        };
        let map = snapshot.map(encoding);
        let offset = map.offset(params.position);
        let span = chart.doc.nodes[index]
            .occurrences
            .iter()
            .map(|span| chart.to_file(*span))
            .find(|span| span.start <= offset && offset <= span.end);
        Ok(span.map(|span| PrepareRenameResponse::Range(map.range(span))))
    })
    .await
}
