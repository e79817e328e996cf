//! Debounced diagnostics: computed for one version, published only if that version is still
//! current, and published in version order.

use std::sync::Arc;
use std::time::Duration;

use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{self as lsp, NumberOrString, Uri};

use crate::documents::{Snapshot, Store};
use crate::proto;
use crate::related::related_places;
use crate::server::ClientConfig;

/// Quiet time after a change before diagnostics are computed, so typing does not queue one
/// analysis per keystroke.
pub const DEBOUNCE: Duration = Duration::from_millis(150);

/// Publishes diagnostics for the current version of each document.
#[derive(Debug)]
pub struct Publisher {
    client: Client,
    store: Arc<Store>,
    /// Held from the staleness check until the notification is queued, so a version checked
    /// as current cannot be overtaken by a newer one between the check and the send.
    order: tokio::sync::Mutex<()>,
}

impl Publisher {
    /// Makes a publisher that reads versions from `store`.
    pub fn new(client: Client, store: Arc<Store>) -> Self {
        Publisher {
            client,
            store,
            order: tokio::sync::Mutex::new(()),
        }
    }

    /// Starts the debounced diagnostics task for one version of a document.
    pub fn schedule(self: &Arc<Self>, uri: Uri, version: i32, config: ClientConfig) {
        let publisher = Arc::clone(self);
        tokio::spawn(async move { publisher.publish(uri, version, config).await });
    }

    async fn publish(&self, uri: Uri, version: i32, config: ClientConfig) {
        tokio::time::sleep(DEBOUNCE).await;
        let Some(snapshot) = self.store.get(&uri) else {
            return;
        };
        if snapshot.version != version {
            tracing::trace!(uri = uri.as_str(), version, "skipped: newer version open");
            return;
        }
        let computed = tokio::task::spawn_blocking(move || diagnostics(&snapshot, config)).await;
        let diagnostics = match computed {
            Ok(diagnostics) => diagnostics,
            Err(error) => {
                tracing::error!(uri = uri.as_str(), version, %error, "diagnostics task failed");
                return;
            }
        };
        let _order = self.order.lock().await;
        if self.store.version(&uri) != Some(version) {
            tracing::trace!(uri = uri.as_str(), version, "dropped stale diagnostics");
            return;
        }
        tracing::debug!(
            uri = uri.as_str(),
            version,
            count = diagnostics.len(),
            "publishing"
        );
        self.client
            .publish_diagnostics(uri, diagnostics, Some(version))
            .await;
    }

    /// Clears the diagnostics of a closed document.
    pub async fn clear(&self, uri: Uri) {
        let _order = self.order.lock().await;
        self.client.publish_diagnostics(uri, Vec::new(), None).await;
    }
}

/// The LSP diagnostics of a snapshot, with `relatedInformation` when the client shows it.
pub fn diagnostics(snapshot: &Snapshot, config: ClientConfig) -> Vec<lsp::Diagnostic> {
    let map = snapshot.map(config.encoding);
    let analysis = snapshot.analysis();
    let all = analysis.diagnostics();
    all.iter()
        .map(|diagnostic| {
            let mut converted = to_lsp(diagnostic, &map);
            if config.related_information {
                let related: Vec<lsp::DiagnosticRelatedInformation> =
                    related_places(&analysis, &snapshot.text, diagnostic, &all)
                        .into_iter()
                        .map(|(span, message)| lsp::DiagnosticRelatedInformation {
                            location: lsp::Location::new(snapshot.uri.clone(), map.range(span)),
                            message,
                        })
                        .collect();
                converted.related_information = (!related.is_empty()).then_some(related);
            }
            converted
        })
        .collect()
}

/// Converts one hexa diagnostic (span in the document) to LSP.
pub fn to_lsp(diagnostic: &hexa_flowchart::Diagnostic, map: &proto::TextMap) -> lsp::Diagnostic {
    lsp::Diagnostic {
        range: map.range(diagnostic.span),
        severity: Some(proto::severity(diagnostic.severity)),
        code: Some(NumberOrString::String(diagnostic.code.to_string())),
        source: Some("hexa".to_string()),
        message: diagnostic.message.clone(),
        ..Default::default()
    }
}
