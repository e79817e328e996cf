//! End-to-end tests: `target/debug/hexa lsp` driven over stdio by a small JSON-RPC client.

mod client;
mod code_actions;
mod diagnostics;
mod features;
mod robustness;
