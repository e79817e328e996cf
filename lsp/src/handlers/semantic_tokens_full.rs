//! `textDocument/semanticTokens/full`: tokens for every chart of a document.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::server::{Backend, blocking};
use crate::tokens;

pub async fn handle(
    backend: &Backend,
    params: SemanticTokensParams,
) -> Result<Option<SemanticTokensResult>> {
    let snapshot = backend.snapshot(&params.text_document.uri)?;
    let encoding = backend.config().encoding;
    blocking(move || {
        let analysis = snapshot.analysis();
        let data = tokens::encode(&analysis, snapshot.map(encoding), None);
        Ok(Some(SemanticTokensResult::Tokens(SemanticTokens {
            result_id: None,
            data,
        })))
    })
    .await
}
