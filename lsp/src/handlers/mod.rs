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

use tower_lsp_server::ls_types::Position;

use crate::analysis::{Analysis, Chart};
use crate::documents::Snapshot;
use crate::proto::Encoding;

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
