//! Maps notebook lines back to flowchart nodes, for generated notebooks in memory and for
//! notebook files (through the `# node: ID` markers and the diagram in the `mo.mermaid` cell).

use hexa_flowchart::Document;

/// Line → (node id, label).
#[derive(Debug, Default)]
pub struct NodeMap {
    lines: Vec<Option<(String, String)>>,
}

impl NodeMap {
    /// From a generation's line map.
    pub fn from_generated(line_nodes: &[Option<usize>], doc: &Document) -> Self {
        let lines = line_nodes
            .iter()
            .map(|n| {
                n.and_then(|i| doc.nodes.get(i))
                    .map(|node| (node.id.clone(), node.label.clone()))
            })
            .collect();
        NodeMap { lines }
    }

    /// From a notebook file written by hexa: node ids from trailing comments, labels from
    /// the diagram inside `mo.mermaid(...)`.
    pub fn from_notebook(text: &str) -> Self {
        let doc = diagram(text).map(|d| hexa_flowchart::parse(&d));
        let lines = hexa_flowchart::generate::marker_line_nodes(text, |id| {
            let node = doc.as_ref()?.nodes.iter().find(|n| n.id == id)?;
            Some((node.id.clone(), node.label.clone()))
        });
        NodeMap { lines }
    }

    /// The node of a 1-based line.
    pub fn at_line(&self, line: usize) -> Option<(&str, &str)> {
        let entry = self.lines.get(line.checked_sub(1)?)?.as_ref()?;
        Some((entry.0.as_str(), entry.1.as_str()))
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
