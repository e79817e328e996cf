//! hexa's pure core: Mermaid flowchart text in, Python scripts and marimo notebooks out.
//!
//! Every stage is a function from a value to a value plus diagnostics. Nothing here reads
//! files, spawns processes or runs Python.
#![deny(missing_docs)]

pub mod ast;
pub mod diagnostic;
pub mod markdown;
pub mod parse;
pub mod pyscope;
pub mod span;
pub mod validate;

pub use ast::Document;
pub use diagnostic::{Diagnostic, Severity};
pub use parse::parse;
pub use span::{LineIndex, Span};
