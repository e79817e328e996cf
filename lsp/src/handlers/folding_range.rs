//! `textDocument/foldingRange`: one range per subgraph.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::server::{Backend, blocking};

pub async fn handle(
    backend: &Backend,
    params: FoldingRangeParams,
) -> Result<Option<Vec<FoldingRange>>> {
    let snapshot = backend.snapshot(&params.text_document.uri)?;
    let encoding = backend.config().encoding;
    blocking(move || {
        let analysis = snapshot.analysis();
        let map = snapshot.map(encoding);
        let mut ranges = Vec::new();
        for chart in &analysis.charts {
            for subgraph in &chart.doc.subgraphs {
                let range = map.range(chart.to_file(subgraph.span));
                if range.end.line > range.start.line {
                    ranges.push(FoldingRange {
                        start_line: range.start.line,
                        end_line: range.end.line,
                        kind: Some(FoldingRangeKind::Region),
                        collapsed_text: Some(subgraph.title.clone()),
                        ..Default::default()
                    });
                }
            }
        }
        Ok(Some(ranges))
    })
    .await
}
