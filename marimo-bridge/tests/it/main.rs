//! Integration tests of the bridge against the real marimo in the workspace's `.venv`.

mod check;
mod common;
mod discovery;
mod inputs;
mod run;
mod start;
mod timeout;
