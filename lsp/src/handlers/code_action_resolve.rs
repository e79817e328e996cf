//! `codeAction/resolve`: fills in the edit of a generate action for clients that resolve
//! lazily. Quick fixes already carry their edit and come back unchanged.

use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::CodeAction;

use super::code_action::{GenerateData, generate_edit};
use crate::server::{Backend, blocking};

pub async fn handle(backend: &Backend, mut action: CodeAction) -> Result<CodeAction> {
    if action.edit.is_some() {
        return Ok(action);
    }
    let Some(data) = action.data.take() else {
        return Ok(action);
    };
    let data: GenerateData = serde_json::from_value(data)
        .map_err(|error| Error::invalid_params(format!("invalid code action data: {error}")))?;
    let snapshot = backend.snapshot(&data.uri)?;
    if snapshot.version != data.version {
        return Err(Error {
            code: ErrorCode::ContentModified,
            message: "the document changed since the action was offered".into(),
            data: None,
        });
    }
    let config = backend.config();
    let edit = blocking(move || generate_edit(&snapshot, &data, config)).await?;
    action.edit = Some(edit);
    Ok(action)
}
