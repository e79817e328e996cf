//! hexa's pure core: Mermaid flowchart text in, Python scripts and marimo notebooks out.
//!
//! Every stage is a function from a value to a value plus diagnostics. Nothing here reads
//! files, spawns processes or runs Python.
#![deny(missing_docs)]

pub mod ast;
pub mod check;
pub mod counted;
pub mod diagnostic;
pub mod format;
pub mod generate;
pub mod label;
pub mod marimo;
pub mod markdown;
pub mod notebook;
pub mod parse;
pub mod policy;
pub mod program;
pub mod pyscope;
pub mod pytext;
pub mod python;
pub mod sanitize;
pub mod span;
pub mod structure;
pub mod subgraphs;
pub mod validate;

pub use ast::Document;
pub use check::check;
pub use diagnostic::{Diagnostic, Severity};
pub use generate::{GenerateError, Generated, Target, generate};
pub use parse::parse;
pub use span::{LineIndex, Span};
