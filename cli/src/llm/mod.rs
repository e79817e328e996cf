//! The optional language-model front end: `hexa flow` (prompt to flowchart) and
//! `hexa generate --llm` / `--fill-stubs` (flowchart to code), through any OpenAI-compatible
//! chat-completions server. hexa works without it; nothing here runs unless asked for.

pub mod cache;
pub mod cells;
pub mod chart;
pub mod client;
pub mod codegen;
pub mod config;
pub mod prompts;
pub mod retry;
pub mod stubs;

use anyhow::Context;

use cache::Cache;
use client::ChatClient;
use config::LlmConfig;

/// The exit code after Ctrl-C: 128 + SIGINT, as shells report it.
pub const EXIT_CANCELLED: i32 = 130;

/// Returns "set" or "not set" for `hexa doctor`; the key itself is never shown.
pub fn key_status() -> &'static str {
    if config::key_is_set() {
        "set"
    } else {
        "not set"
    }
}

/// Marks work that Ctrl-C stopped.
#[derive(Debug)]
pub struct Cancelled;

/// Runs `future` to completion on a single-threaded runtime, or stops it at Ctrl-C.
pub fn run_cancellable<F: Future>(future: F) -> anyhow::Result<Result<F::Output, Cancelled>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    let interrupted = async {
        if tokio::signal::ctrl_c().await.is_err() {
            // Without a signal handler Ctrl-C keeps its default effect, ending the process.
            std::future::pending::<()>().await;
        }
    };
    Ok(runtime.block_on(async {
        tokio::select! {
            output = future => Ok(output),
            () = interrupted => Err(Cancelled),
        }
    }))
}

/// Builds a client from the environment and `hexa.toml`, with the reply cache unless
/// `no_cache` is set.
pub fn open_client(no_cache: bool) -> anyhow::Result<ChatClient> {
    let config = LlmConfig::load()?;
    let cache = if no_cache {
        None
    } else {
        Cache::open_default()
    };
    tracing::debug!(
        base_url = %config.base_url,
        model = %config.model,
        file = ?config.file,
        key = if config.api_key.is_some() { "set" } else { "not set" },
        "language model settings"
    );
    Ok(ChatClient::new(config, cache)?)
}
