//! `textDocument/documentSymbol`: nodes grouped by subgraph, for each chart.

use hexa_flowchart::Span;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::analysis::Chart;
use crate::proto::TextMap;
use crate::server::{Backend, blocking};

pub async fn handle(
    backend: &Backend,
    params: DocumentSymbolParams,
) -> Result<Option<DocumentSymbolResponse>> {
    let snapshot = backend.snapshot(&params.text_document.uri)?;
    let config = backend.config();
    blocking(move || {
        let analysis = snapshot.analysis();
        let map = snapshot.map(config.encoding);
        let mut symbols = Vec::new();
        for chart in &analysis.charts {
            symbols.extend(chart_symbols(chart, &map));
        }
        if config.hierarchical_symbols {
            return Ok(Some(DocumentSymbolResponse::Nested(symbols)));
        }
        let mut flat = Vec::new();
        flatten(&snapshot.uri, &symbols, None, &mut flat);
        Ok(Some(DocumentSymbolResponse::Flat(flat)))
    })
    .await
}

#[allow(deprecated)] // `deprecated` is a required field of the LSP type.
fn symbol(
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    range: Range,
    selection: Range,
    children: Vec<DocumentSymbol>,
) -> DocumentSymbol {
    DocumentSymbol {
        name,
        detail,
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range: selection,
        children: Some(children),
    }
}

fn chart_symbols(chart: &Chart, map: &TextMap) -> Vec<DocumentSymbol> {
    let doc = &chart.doc;
    let range = |span: Span| map.range(chart.to_file(span));
    let node_symbol = |index: usize| {
        let node = &doc.nodes[index];
        let declaration = node.decl_span.unwrap_or(node.id_span);
        let detail = node.has_label.then(|| node.label.clone());
        symbol(
            node.id.clone(),
            detail,
            SymbolKind::OBJECT,
            range(declaration.cover(node.id_span)),
            range(node.id_span),
            Vec::new(),
        )
    };
    // Build subgraphs innermost first: a subgraph's `parent` always comes before it.
    let mut built: Vec<Option<DocumentSymbol>> = vec![None; doc.subgraphs.len()];
    for index in (0..doc.subgraphs.len()).rev() {
        let subgraph = &doc.subgraphs[index];
        let mut children: Vec<DocumentSymbol> = doc
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, node)| node.subgraph == Some(index))
            .map(|(node, _)| node_symbol(node))
            .collect();
        for (child, other) in doc.subgraphs.iter().enumerate() {
            if other.parent == Some(index) {
                children.extend(built[child].take());
            }
        }
        let selection = range(subgraph.id_span);
        built[index] = Some(symbol(
            subgraph.id.clone(),
            Some(subgraph.title.clone()),
            SymbolKind::NAMESPACE,
            range(subgraph.span),
            selection,
            children,
        ));
    }
    let mut top: Vec<DocumentSymbol> = doc
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, node)| node.subgraph.is_none())
        .map(|(index, _)| node_symbol(index))
        .collect();
    for (index, subgraph) in doc.subgraphs.iter().enumerate() {
        if subgraph.parent.is_none() {
            top.extend(built[index].take());
        }
    }
    top.sort_by_key(|symbol| (symbol.range.start.line, symbol.range.start.character));
    top
}

#[allow(deprecated)] // `deprecated` is a required field of the LSP type.
fn flatten(
    uri: &Uri,
    symbols: &[DocumentSymbol],
    container: Option<&str>,
    out: &mut Vec<SymbolInformation>,
) {
    for symbol in symbols {
        out.push(SymbolInformation {
            name: symbol.name.clone(),
            kind: symbol.kind,
            tags: None,
            deprecated: None,
            location: Location::new(uri.clone(), symbol.range),
            container_name: container.map(str::to_string),
        });
        if let Some(children) = &symbol.children {
            flatten(uri, children, Some(&symbol.name), out);
        }
    }
}
