//! `textDocument/didChange`: applies the edits in order and schedules diagnostics.

use tower_lsp_server::ls_types::DidChangeTextDocumentParams;

use crate::server::Backend;

/// Synchronous on purpose: the edits are applied before the handler yields, so changes
/// apply in the order they were sent (see `documents`).
pub fn handle(backend: &Backend, params: DidChangeTextDocumentParams) {
    let uri = params.text_document.uri;
    let version = params.text_document.version;
    let config = backend.config();
    match backend
        .store
        .change(&uri, version, params.content_changes, config.encoding)
    {
        Some(_) => backend.publisher.schedule(uri, version, config),
        None => tracing::warn!(
            uri = uri.as_str(),
            version,
            "change for a document that is not open"
        ),
    }
}
