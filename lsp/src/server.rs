//! The [`Backend`]: shared state and the `LanguageServer` impl, which hands each method to
//! its file under `handlers/`.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use crate::documents::{Snapshot, Store};
use crate::handlers;
use crate::proto::Encoding;
use crate::publish::Publisher;

/// What the client said it supports at `initialize`, reduced to what the server uses.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientConfig {
    /// Column unit of positions.
    pub encoding: Encoding,
    /// The client resolves a code action's `edit` lazily (`codeAction/resolve`).
    pub resolve_edit: bool,
    /// The client applies `documentChanges` with a `create` operation.
    pub create_files: bool,
    /// The client accepts `documentSymbol` results as a tree.
    pub hierarchical_symbols: bool,
    /// The client expands snippets in completion items.
    pub snippets: bool,
    /// The client shows `relatedInformation` of published diagnostics.
    pub related_information: bool,
}

impl ClientConfig {
    /// Reads the capabilities the server cares about.
    pub fn from_capabilities(capabilities: &ClientCapabilities) -> Self {
        let offered = capabilities
            .general
            .as_ref()
            .and_then(|general| general.position_encodings.as_deref());
        let text = capabilities.text_document.as_ref();
        let resolve_edit = text
            .and_then(|text| text.code_action.as_ref())
            .and_then(|action| action.resolve_support.as_ref())
            .is_some_and(|support| support.properties.iter().any(|p| p == "edit"));
        let edit = capabilities
            .workspace
            .as_ref()
            .and_then(|workspace| workspace.workspace_edit.as_ref());
        let create_files = edit.is_some_and(|edit| {
            edit.document_changes == Some(true)
                && edit
                    .resource_operations
                    .as_ref()
                    .is_some_and(|ops| ops.contains(&ResourceOperationKind::Create))
        });
        let hierarchical_symbols = text
            .and_then(|text| text.document_symbol.as_ref())
            .and_then(|symbol| symbol.hierarchical_document_symbol_support)
            .unwrap_or(false);
        let snippets = text
            .and_then(|text| text.completion.as_ref())
            .and_then(|completion| completion.completion_item.as_ref())
            .and_then(|item| item.snippet_support)
            .unwrap_or(false);
        let related_information = text
            .and_then(|text| text.publish_diagnostics.as_ref())
            .and_then(|publish| publish.related_information)
            .unwrap_or(false);
        ClientConfig {
            encoding: Encoding::negotiate(offered),
            related_information,
            snippets,
            resolve_edit,
            create_files,
            hierarchical_symbols,
        }
    }
}

/// The server state shared by all handlers.
#[derive(Debug)]
pub struct Backend {
    /// Sends notifications and requests to the client.
    pub client: Client,
    /// The open documents.
    pub store: Arc<Store>,
    /// Debounced diagnostics.
    pub publisher: Arc<Publisher>,
    /// Set once by `initialize`.
    config: OnceLock<ClientConfig>,
    /// `--python` from the command line, for `hexa.runNotebook`.
    pub python: Option<PathBuf>,
}

impl Backend {
    /// Makes the backend for a new connection.
    pub fn new(client: Client, python: Option<PathBuf>) -> Self {
        let store = Arc::new(Store::default());
        Backend {
            publisher: Arc::new(Publisher::new(client.clone(), Arc::clone(&store))),
            client,
            store,
            config: OnceLock::new(),
            python,
        }
    }

    /// Stores the client configuration; only the first call counts.
    pub fn configure(&self, config: ClientConfig) {
        if self.config.set(config).is_err() {
            tracing::warn!("initialize sent twice; keeping the first capabilities");
        }
    }

    /// The client configuration (defaults before `initialize`).
    pub fn config(&self) -> ClientConfig {
        self.config.get().copied().unwrap_or_default()
    }

    /// The current snapshot of an open document, or an `InvalidParams` error.
    pub fn snapshot(&self, uri: &Uri) -> Result<Arc<Snapshot>> {
        self.store.get(uri).ok_or_else(|| Error {
            code: tower_lsp_server::jsonrpc::ErrorCode::InvalidParams,
            message: format!("document is not open: {}", uri.as_str()).into(),
            data: None,
        })
    }
}

/// Runs CPU work off the async threads, so the server keeps reading messages (and
/// `$/cancelRequest` can drop the waiting request). A panic in `work` becomes an internal
/// error for this request only.
pub async fn blocking<T, F>(work: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T> + Send + 'static,
{
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result,
        Err(error) => {
            tracing::error!(%error, "request handler failed");
            Err(Error::internal_error())
        }
    }
}

/// An `InvalidParams` error with a message.
pub fn invalid_params(message: impl Into<String>) -> Error {
    Error::invalid_params(message.into())
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        handlers::initialize::handle(self, params)
    }

    async fn initialized(&self, _: InitializedParams) {
        tracing::info!("client initialized");
    }

    async fn shutdown(&self) -> Result<()> {
        tracing::info!("shutdown requested");
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        handlers::did_open::handle(self, params);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        handlers::did_change::handle(self, params);
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        handlers::did_close::handle(self, params).await;
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        handlers::code_action::handle(self, params).await
    }

    async fn code_action_resolve(&self, params: CodeAction) -> Result<CodeAction> {
        handlers::code_action_resolve::handle(self, params).await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        handlers::execute_command::handle(self, params).await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        handlers::hover::handle(self, params).await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        handlers::document_symbol::handle(self, params).await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        handlers::definition::handle(self, params).await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        handlers::references::handle(self, params).await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        handlers::prepare_rename::handle(self, params).await
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        handlers::rename::handle(self, params).await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        handlers::completion::handle(self, params).await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        handlers::folding_range::handle(self, params).await
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        handlers::formatting::handle(self, params).await
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        handlers::semantic_tokens_full::handle(self, params).await
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        handlers::semantic_tokens_range::handle(self, params).await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        handlers::code_lens::handle(self, params).await
    }
}
