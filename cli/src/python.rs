//! Starting the embedded Python through the bridge, with discovery as documented.

use std::path::Path;

use anyhow::Context;
use hexa_marimo::{Bridge, discover_python};

/// Finds the Python environment and starts the bridge on it.
pub fn start(flag: Option<&Path>) -> anyhow::Result<Bridge> {
    let cwd = std::env::current_dir().context("failed to read the current directory")?;
    let env = discover_python(flag, &cwd)?;
    tracing::debug!(python = %env.executable.display(), source = ?env.source, "python found");
    Ok(Bridge::start(&env)?)
}
