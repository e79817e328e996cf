//! The charts of a document, parsed and checked once per version.

use std::sync::OnceLock;

use hexa_flowchart::generate::{Generated, Options, Target};
use hexa_flowchart::notebook::{CheckOptions, check_notebook};
use hexa_flowchart::{Diagnostic, Document, Span, markdown};

use crate::documents::Kind;

/// One flowchart inside a document.
#[derive(Debug)]
pub struct Chart {
    /// Byte offset of the chart text in the document.
    pub offset: usize,
    /// The chart text.
    pub text: String,
    /// The parsed chart; its spans are relative to `text`.
    pub doc: Document,
    /// Parser and checker diagnostics, spans relative to `text`.
    pub diagnostics: Vec<Diagnostic>,
    notebook: OnceLock<Option<Generated>>,
}

impl Chart {
    fn new(offset: usize, text: String) -> Self {
        let doc = hexa_flowchart::parse(&text);
        let mut diagnostics = doc.diagnostics.clone();
        diagnostics.extend(hexa_flowchart::check(&doc));
        Chart {
            offset,
            text,
            doc,
            diagnostics,
            notebook: OnceLock::new(),
        }
    }

    /// Returns the chart's span in the document.
    pub fn span(&self) -> Span {
        Span::new(self.offset, self.offset + self.text.len())
    }

    /// Maps a chart-relative span to the document.
    pub fn to_file(&self, span: Span) -> Span {
        span.shifted(self.offset)
    }

    /// Maps a document offset into the chart, if it falls inside it.
    pub fn to_chart(&self, offset: usize) -> Option<usize> {
        let span = self.span();
        (span.start <= offset && offset <= span.end).then(|| offset - self.offset)
    }

    /// True when the chart has parse errors, so nothing can be generated from it.
    pub fn has_errors(&self) -> bool {
        self.doc.has_errors()
    }

    /// Returns the notebook generated from the chart, made once on first use; `None` when the chart
    /// has errors or generation fails.
    pub fn notebook(&self) -> Option<&Generated> {
        self.notebook
            .get_or_init(|| self.generate(Target::Notebook).ok())
            .as_ref()
    }

    /// Generates a notebook or a script from the chart.
    pub fn generate(
        &self,
        target: Target,
    ) -> Result<Generated, hexa_flowchart::generate::GenerateError> {
        hexa_flowchart::generate(&self.doc, &self.text, target, &Options::default())
    }

    /// Index of the node that has an occurrence at the chart-relative offset.
    pub fn node_at(&self, offset: usize) -> Option<usize> {
        self.doc.nodes.iter().position(|node| {
            node.occurrences
                .iter()
                .any(|span| span.start <= offset && offset <= span.end)
        })
    }
}

/// Every chart of a document plus the document-level diagnostics.
#[derive(Debug, Default)]
pub struct Analysis {
    /// Charts in document order.
    pub charts: Vec<Chart>,
    /// Notebook checks, spans in the document.
    pub file_diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    /// Finds and checks the charts of a document.
    pub fn new(kind: Kind, text: &str) -> Self {
        match kind {
            Kind::Mermaid => Analysis {
                charts: vec![Chart::new(0, text.to_string())],
                file_diagnostics: Vec::new(),
            },
            Kind::Markdown => Analysis {
                charts: markdown::mermaid_blocks(text)
                    .into_iter()
                    .filter(|block| block.is_flowchart)
                    .map(|block| Chart::new(block.offset, block.text))
                    .collect(),
                file_diagnostics: Vec::new(),
            },
            Kind::Notebook => {
                let report = check_notebook(text, CheckOptions::default());
                let file_diagnostics = report
                    .diagnostics
                    .into_iter()
                    .map(|found| found.diagnostic)
                    .collect();
                let charts = notebook_diagram(text)
                    .map(|span| Chart::new(span.start, span.text(text).to_string()))
                    .into_iter()
                    .collect();
                Analysis {
                    charts,
                    file_diagnostics,
                }
            }
            Kind::Other => Analysis::default(),
        }
    }

    /// Returns the chart that contains a document offset.
    pub fn chart_at(&self, offset: usize) -> Option<&Chart> {
        self.charts
            .iter()
            .find(|chart| chart.to_chart(offset).is_some())
    }

    /// Collects every diagnostic with its span in the document, sorted by position.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut all = self.file_diagnostics.clone();
        for chart in &self.charts {
            all.extend(chart.diagnostics.iter().map(|diagnostic| {
                let mut diagnostic = diagnostic.clone();
                diagnostic.span = chart.to_file(diagnostic.span);
                if let Some(fix) = &mut diagnostic.fix {
                    fix.span = chart.to_file(fix.span);
                }
                diagnostic
            }));
        }
        all.sort_by_key(|diagnostic| (diagnostic.span.start, diagnostic.code));
        all
    }
}

/// Finds the span of the diagram text inside the first `mo.mermaid(r"""...""")` of a notebook.
/// Only raw strings, or plain strings without backslashes, are used: in other strings the
/// escapes would shift every position.
fn notebook_diagram(text: &str) -> Option<Span> {
    let call = text.find("mo.mermaid(")?;
    let after_call = call + "mo.mermaid(".len();
    let open = after_call + text[after_call..].find("\"\"\"")?;
    let raw = text[after_call..open].trim().eq_ignore_ascii_case("r");
    let content_start = open + 3;
    let close = content_start + text[content_start..].find("\"\"\"")?;
    let content = &text[content_start..close];
    (raw || !content.contains('\\')).then_some(Span::new(content_start, close))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_chart_spans_map_into_the_file() {
        let text = "# Title\n\n```mermaid\nflowchart TD\n  A[x --> B\n```\n";
        let analysis = Analysis::new(Kind::Markdown, text);
        assert_eq!(analysis.charts.len(), 1);
        let diagnostics = analysis.diagnostics();
        let first = diagnostics.first().map(|d| d.span.start);
        assert!(first.is_some_and(|start| start >= text.find("flowchart").unwrap_or(0)));
    }

    #[test]
    fn notebook_diagram_is_found_in_raw_string() {
        let text = "import marimo\nmo.mermaid(\n    r\"\"\"flowchart TD\n  A --> B\n\"\"\"\n)\n";
        let span = notebook_diagram(text);
        assert_eq!(
            span.map(|span| span.text(text)),
            Some("flowchart TD\n  A --> B\n")
        );
    }
}
