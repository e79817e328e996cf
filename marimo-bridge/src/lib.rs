//! Embedded CPython that checks and runs marimo notebooks in-process for hexa.
//!
//! [`discover_python`] picks the Python environment, [`Bridge::start`] initialises the
//! interpreter on a dedicated thread and imports marimo, and [`Bridge::run`],
//! [`Bridge::check`] and [`Bridge::export`] send notebook source text to it. PyO3 is used
//! only inside this crate. [`serve`] keeps a notebooks folder and supervises `marimo edit`.
#![deny(missing_docs)]

mod bridge;
mod control;
mod discover;
mod error;
mod export;
mod interpreter;
mod model;
mod runner;
pub mod serve;
mod worker;

pub use bridge::Bridge;
pub use discover::{DiscoveryVars, EnvSource, PythonEnv, discover_python, discover_python_with};
pub use error::BridgeError;
pub use export::{ExportFormat, marimo_executable};
pub use interpreter::initialize_python;
pub use model::{
    CellCallback, CellError, CellResult, CellStatus, MarimoDiagnostic, Output, PythonInfo,
    RunReport, RunRequest, Severity,
};
pub use worker::marimo_install_command;
