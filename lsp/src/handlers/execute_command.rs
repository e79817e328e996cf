//! `workspace/executeCommand`: dispatches to the commands in `commands`.

use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::ExecuteCommandParams;

use crate::commands;
use crate::server::Backend;

pub async fn handle(backend: &Backend, params: ExecuteCommandParams) -> Result<Option<Value>> {
    tracing::debug!(command = params.command, "executeCommand");
    match params.command.as_str() {
        commands::GENERATE_NOTEBOOK => commands::generate_notebook(backend, params.arguments).await,
        commands::RUN_NOTEBOOK => commands::run_notebook(backend, params.arguments).await,
        commands::OPEN_IN_MARIMO => Err(Error {
            // -32803 is RequestFailed in LSP 3.17.
            code: ErrorCode::ServerError(-32803),
            message: "hexa.openInMarimo is not available: this build of hexa has no \
                      `hexa serve`; run `marimo edit NOTEBOOK.py` instead"
                .into(),
            data: None,
        }),
        other => Err(Error::invalid_params(format!("unknown command `{other}`"))),
    }
}
