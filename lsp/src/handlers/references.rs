//! `textDocument/references` of a node id: every occurrence in its chart.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::node_at;
use crate::server::{Backend, blocking};

pub async fn handle(backend: &Backend, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
    let position = params.text_document_position;
    let snapshot = backend.snapshot(&position.text_document.uri)?;
    let encoding = backend.config().encoding;
    blocking(move || {
        let analysis = snapshot.analysis();
        let Some((chart, index)) = node_at(&snapshot, &analysis, position.position, encoding)
        else {
            return Ok(None);
        };
        let map = snapshot.map(encoding);
        let locations = chart.doc.nodes[index]
            .occurrences
            .iter()
            .map(|span| Location::new(snapshot.uri.clone(), map.range(chart.to_file(*span))))
            .collect();
        Ok(Some(locations))
    })
    .await
}
