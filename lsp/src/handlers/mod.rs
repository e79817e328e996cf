//! One file per LSP method.

pub mod code_action;
pub mod code_action_resolve;
pub mod code_lens;
pub mod completion;
pub mod definition;
pub mod did_change;
pub mod did_close;
pub mod did_open;
pub mod document_symbol;
pub mod execute_command;
pub mod folding_range;
pub mod formatting;
pub mod hover;
pub mod initialize;
pub mod prepare_rename;
pub mod references;
pub mod rename;
pub mod semantic_tokens_full;
pub mod semantic_tokens_range;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{Position, TextDocumentPositionParams};

use crate::analysis::{Analysis, Chart};
use crate::documents::Snapshot;
use crate::proto::Encoding;
use crate::server::{Backend, blocking};

/// Runs `work(snapshot, chart, node index, encoding)` on the blocking pool for the node
/// under `position`. Returns `None`, without running it, when the position is on no node id.
pub async fn on_node<T, F>(
    backend: &Backend,
    position: &TextDocumentPositionParams,
    work: F,
) -> Result<Option<T>>
where
    T: Send + 'static,
    F: FnOnce(&Snapshot, &Chart, usize, Encoding) -> Result<Option<T>> + Send + 'static,
{
    let snapshot = backend.snapshot(&position.text_document.uri)?;
    let encoding = backend.config().encoding;
    let cursor = position.position;
    blocking(move || {
        let analysis = snapshot.analysis();
        let Some((chart, index)) = node_at(&snapshot, &analysis, cursor, encoding) else {
            return Ok(None);
        };
        work(&snapshot, chart, index, encoding)
    })
    .await
}

/// The chart and node index under a position, if the position is on a node id.
pub fn node_at<'a>(
    snapshot: &Snapshot,
    analysis: &'a Analysis,
    position: Position,
    encoding: Encoding,
) -> Option<(&'a Chart, usize)> {
    let offset = snapshot.map(encoding).offset(position);
    let chart = analysis.chart_at(offset)?;
    let node = chart.node_at(chart.to_chart(offset)?)?;
    Some((chart, node))
}
