//! Maps notebook lines back to flowchart nodes, for generated notebooks in memory and for
//! notebook files (through the `# node: ID` markers and the diagram in the `mo.mermaid` cell).

use hexa_flowchart::Document;

/// A flowchart node as an error report names it.
#[derive(Debug, Clone)]
pub struct NodeAt {
    /// The node id.
    pub id: String,
    /// Its label.
    pub label: String,
    /// 1-based line and column of the id in the file the user gave, when that file is the
    /// chart itself.
    pub position: Option<(usize, usize)>,
}

/// Notebook line → flowchart node.
#[derive(Debug, Default)]
pub struct NodeMap {
    lines: Vec<Option<NodeAt>>,
}

impl NodeMap {
    /// From a generation's line map; `source` is the file the chart came from and `offset`
    /// where the chart starts in it.
    pub fn from_generated(
        line_nodes: &[Option<usize>],
        doc: &Document,
        source: &str,
        offset: usize,
    ) -> Self {
        let lines = line_nodes
            .iter()
            .map(|n| {
                n.and_then(|i| doc.nodes.get(i)).map(|node| NodeAt {
                    id: node.id.clone(),
                    label: node.label.clone(),
                    position: Some(crate::input::position(source, offset + node.id_span.start)),
                })
            })
            .collect();
        NodeMap { lines }
    }

    /// From a notebook file written by hexa: node ids from `# node: ID` markers, labels from
    /// the diagram inside `mo.mermaid(...)`.
    pub fn from_notebook(text: &str) -> Self {
        let doc = diagram(text).map(|d| hexa_flowchart::parse(&d));
        let lines = hexa_flowchart::generate::marker_line_nodes(text, |id| {
            let node = doc.as_ref()?.nodes.iter().find(|n| n.id == id)?;
            Some(NodeAt {
                id: node.id.clone(),
                label: node.label.clone(),
                position: None,
            })
        });
        NodeMap { lines }
    }

    /// The node of a 1-based notebook line.
    pub fn at_line(&self, line: usize) -> Option<&NodeAt> {
        self.lines.get(line.checked_sub(1)?)?.as_ref()
    }
}

/// The diagram text of the first `mo.mermaid(r"""...""")` call.
pub fn diagram(text: &str) -> Option<String> {
    let start = text.find("mo.mermaid(")?;
    let rest = &text[start..];
    let open = rest.find("\"\"\"")?;
    let raw = rest[..open].trim_end().ends_with('r');
    let body = &rest[open + 3..];
    let close = body.find("\"\"\"")?;
    let content = &body[..close];
    if raw {
        Some(content.to_string())
    } else {
        Some(content.replace("\\\"", "\"").replace("\\\\", "\\"))
    }
}
