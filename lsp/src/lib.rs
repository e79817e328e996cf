//! The hexa language server (`hexa lsp`): diagnostics, code actions, navigation and
//! notebook generation for Mermaid flowcharts, over LSP on stdio.
//!
//! `server` wires the LSP methods to `handlers/` (one file per method). Document text lives
//! in `documents`, where every change is applied in arrival order before any `.await`.
//! `analysis` parses a snapshot once and caches the result; `proto` converts between byte
//! offsets and LSP positions in the negotiated encoding.
#![deny(missing_docs)]

mod analysis;
mod commands;
mod documents;
mod generate;
mod handlers;
mod proto;
mod publish;
mod related;
mod server;
mod tokens;

use tower_lsp_server::{LspService, Server};

/// Serves LSP on stdin and stdout until the client sends `exit` or closes the input.
/// `python` is the `--python` flag, used when `hexa.runNotebook` starts marimo.
pub fn run_stdio(python: Option<std::path::PathBuf>) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let (service, socket) = LspService::new(|client| server::Backend::new(client, python));
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
            .serve(service)
            .await;
    });
    tracing::info!("language server stopped");
    Ok(())
}
