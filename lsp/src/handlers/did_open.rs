//! `textDocument/didOpen`: stores the text and schedules diagnostics.

use tower_lsp_server::ls_types::DidOpenTextDocumentParams;

use crate::server::Backend;

/// Synchronous on purpose: the text is stored before the handler yields (see `documents`).
pub fn handle(backend: &Backend, params: DidOpenTextDocumentParams) {
    let document = params.text_document;
    let snapshot = backend.store.open(
        document.uri,
        &document.language_id,
        document.version,
        document.text,
    );
    tracing::debug!(uri = snapshot.uri.as_str(), version = snapshot.version, kind = ?snapshot.kind, "opened");
    let config = backend.config();
    backend
        .publisher
        .schedule(snapshot.uri.clone(), snapshot.version, config);
}
