//! `textDocument/formatting`: prints each chart in hexa's canonical layout.
//!
//! The printer keeps nodes, edges, subgraphs and classes but not comments, `style`,
//! `linkStyle`, `click`, accessibility lines or front matter other than the title. A chart
//! with any of those, or with parse errors, is left as it is rather than lose text.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::documents::Kind;
use crate::server::{Backend, blocking};

pub async fn handle(
    backend: &Backend,
    params: DocumentFormattingParams,
) -> Result<Option<Vec<TextEdit>>> {
    let snapshot = backend.snapshot(&params.text_document.uri)?;
    let encoding = backend.config().encoding;
    blocking(move || {
        if !matches!(snapshot.kind, Kind::Mermaid | Kind::Markdown) {
            return Ok(None);
        }
        let analysis = snapshot.analysis();
        let map = snapshot.map(encoding);
        let mut edits = Vec::new();
        for chart in &analysis.charts {
            if chart.has_errors() || has_unprinted_lines(&chart.text) {
                continue;
            }
            let formatted = hexa_flowchart::format::format(&chart.doc);
            if formatted != chart.text {
                edits.push(TextEdit::new(map.range(chart.span()), formatted));
            }
        }
        Ok(Some(edits))
    })
    .await
}

/// True when the chart has lines the printer would drop.
fn has_unprinted_lines(text: &str) -> bool {
    const DROPPED: &[&str] = &[
        "%%",
        "style ",
        "linkStyle ",
        "click ",
        "accTitle",
        "accDescr",
    ];
    let mut lines = text.lines().map(str::trim);
    let mut in_front_matter = text.trim_start().starts_with("---");
    if in_front_matter {
        lines.next();
    }
    for line in lines {
        if in_front_matter {
            if line == "---" {
                in_front_matter = false;
            } else if !line.starts_with("title:") {
                return true;
            }
            continue;
        }
        if DROPPED.iter().any(|prefix| line.starts_with(prefix)) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::has_unprinted_lines;

    #[test]
    fn unprinted_lines_are_detected() {
        assert!(!has_unprinted_lines("flowchart TD\n  A --> B\n"));
        assert!(has_unprinted_lines("flowchart TD\n  %% note\n  A --> B\n"));
        assert!(has_unprinted_lines("flowchart TD\n  style A fill:#f00\n"));
        assert!(!has_unprinted_lines("---\ntitle: x\n---\nflowchart TD\n"));
        assert!(has_unprinted_lines(
            "---\nconfig:\n  x: 1\n---\nflowchart TD\n"
        ));
    }
}
