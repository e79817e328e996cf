//! `textDocument/didClose`: forgets the document and clears its diagnostics.

use tower_lsp_server::ls_types::DidCloseTextDocumentParams;

use crate::server::Backend;

pub async fn handle(backend: &Backend, params: DidCloseTextDocumentParams) {
    let uri = params.text_document.uri;
    backend.store.close(&uri);
    backend.publisher.clear(uri).await;
}
