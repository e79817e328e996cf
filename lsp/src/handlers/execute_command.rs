//! `workspace/executeCommand`: dispatches to the commands in `commands`.

use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::ExecuteCommandParams;

use crate::commands;
use crate::server::Backend;

pub async fn handle(backend: &Backend, params: ExecuteCommandParams) -> Result<Option<Value>> {
    tracing::debug!(command = params.command, "executeCommand");
    match params.command.as_str() {
        commands::GENERATE_NOTEBOOK => commands::generate_notebook(backend, params.arguments).await,
        commands::RUN_NOTEBOOK => commands::run_notebook(backend, params.arguments).await,
        commands::OPEN_IN_MARIMO => commands::open_in_marimo(backend, params.arguments).await,
        other => Err(Error::invalid_params(format!("unknown command `{other}`"))),
    }
}
