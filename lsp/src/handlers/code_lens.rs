//! `textDocument/codeLens`: "Generate notebook" above each chart's header.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::commands;
use crate::documents::Kind;
use crate::server::{Backend, blocking};

pub async fn handle(backend: &Backend, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
    let snapshot = backend.snapshot(&params.text_document.uri)?;
    let encoding = backend.config().encoding;
    blocking(move || {
        let is_chart_file = matches!(snapshot.kind, Kind::Mermaid | Kind::Markdown);
        if !is_chart_file || snapshot.uri.to_file_path().is_none() {
            return Ok(None);
        }
        let analysis = snapshot.analysis();
        let map = snapshot.map(encoding);
        // `hexa.generateNotebook` reads the first chart of the file, so one lens is enough.
        let lenses = analysis
            .charts
            .first()
            .filter(|chart| !chart.has_errors())
            .map(|chart| CodeLens {
                range: map.range(chart.to_file(chart.doc.header_span)),
                command: Some(Command::new(
                    "Generate notebook".to_string(),
                    commands::GENERATE_NOTEBOOK.to_string(),
                    Some(vec![serde_json::json!(snapshot.uri.as_str())]),
                )),
                data: None,
            })
            .into_iter()
            .collect();
        Ok(Some(lenses))
    })
    .await
}
