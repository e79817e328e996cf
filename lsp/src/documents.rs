//! The open documents. Changes are applied synchronously, in the order the notifications
//! arrive, before any `.await`: tower-lsp runs handlers concurrently, and only the code
//! before a handler's first `.await` runs in arrival order.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use hexa_flowchart::LineIndex;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use crate::analysis::Analysis;
use crate::proto::{Encoding, TextMap};

/// What kind of file a document is, which decides where its flowcharts are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A `.mmd` or `.mermaid` file: the whole text is one chart.
    Mermaid,
    /// Markdown: every ```` ```mermaid ```` fence that holds a flowchart.
    Markdown,
    /// A marimo notebook: the diagram inside `mo.mermaid(...)`, plus the notebook checks.
    Notebook,
    /// Anything else (a Python file that is not a marimo notebook): no diagnostics.
    Other,
}

impl Kind {
    /// Decides the kind from the language id the client sent, the file extension and, for
    /// Python, whether the text imports marimo.
    pub fn detect(uri: &Uri, language_id: &str, text: &str) -> Self {
        let path = uri.path().as_str().to_ascii_lowercase();
        if language_id == "mermaid" || path.ends_with(".mmd") || path.ends_with(".mermaid") {
            Kind::Mermaid
        } else if language_id == "markdown" || path.ends_with(".md") || path.ends_with(".markdown")
        {
            Kind::Markdown
        } else if (language_id == "python" || path.ends_with(".py")) && text.contains("marimo") {
            Kind::Notebook
        } else {
            Kind::Other
        }
    }
}

/// One version of an open document. Snapshots are immutable: a change makes a new one, so
/// requests read a consistent text while edits go on.
#[derive(Debug)]
pub struct Snapshot {
    /// The document's URI.
    pub uri: Uri,
    /// Where its charts are.
    pub kind: Kind,
    /// The version the client gave with the text.
    pub version: i32,
    /// The full text.
    pub text: String,
    /// Line starts of `text`.
    pub index: LineIndex,
    analysis: OnceLock<Arc<Analysis>>,
}

impl Snapshot {
    fn new(uri: Uri, kind: Kind, version: i32, text: String) -> Self {
        Snapshot {
            index: LineIndex::new(&text),
            uri,
            kind,
            version,
            text,
            analysis: OnceLock::new(),
        }
    }

    /// The text with its line index, for position conversion.
    pub fn map(&self, encoding: Encoding) -> TextMap<'_> {
        TextMap {
            text: &self.text,
            index: &self.index,
            encoding,
        }
    }

    /// Parses and checks the charts of this version, once; later calls return the same value.
    /// This is CPU work: async callers run it through `spawn_blocking`.
    pub fn analysis(&self) -> Arc<Analysis> {
        Arc::clone(
            self.analysis
                .get_or_init(|| Arc::new(Analysis::new(self.kind, &self.text))),
        )
    }
}

/// The open documents by URI.
#[derive(Debug, Default)]
pub struct Store {
    documents: Mutex<HashMap<Uri, Arc<Snapshot>>>,
}

impl Store {
    fn lock(&self) -> MutexGuard<'_, HashMap<Uri, Arc<Snapshot>>> {
        // A panic while the lock was held cannot leave the map half-updated: every
        // update is a single insert or remove.
        self.documents
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Stores a newly opened document, replacing any earlier one with the same URI.
    pub fn open(&self, uri: Uri, language_id: &str, version: i32, text: String) -> Arc<Snapshot> {
        let kind = Kind::detect(&uri, language_id, &text);
        let snapshot = Arc::new(Snapshot::new(uri.clone(), kind, version, text));
        self.lock().insert(uri, Arc::clone(&snapshot));
        snapshot
    }

    /// Applies content changes in order and stores the result as `version`. Returns `None`
    /// when the document is not open.
    pub fn change(
        &self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: Encoding,
    ) -> Option<Arc<Snapshot>> {
        let mut documents = self.lock();
        let current = documents.get(uri)?;
        let mut text = current.text.clone();
        for change in changes {
            match change.range {
                None => text = change.text,
                Some(range) => {
                    let index = LineIndex::new(&text);
                    let map = TextMap {
                        text: &text,
                        index: &index,
                        encoding,
                    };
                    let span = map.span(range);
                    text.replace_range(span.start..span.end, &change.text);
                }
            }
        }
        let snapshot = Arc::new(Snapshot::new(uri.clone(), current.kind, version, text));
        documents.insert(uri.clone(), Arc::clone(&snapshot));
        Some(snapshot)
    }

    /// Forgets a closed document.
    pub fn close(&self, uri: &Uri) {
        self.lock().remove(uri);
    }

    /// The current snapshot of a document.
    pub fn get(&self, uri: &Uri) -> Option<Arc<Snapshot>> {
        self.lock().get(uri).cloned()
    }

    /// The current version of a document.
    pub fn version(&self, uri: &Uri) -> Option<i32> {
        self.lock().get(uri).map(|snapshot| snapshot.version)
    }
}
