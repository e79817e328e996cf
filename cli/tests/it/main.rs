//! End-to-end tests: the real `hexa` binary runs as a subprocess in a temporary folder, on
//! fixture charts, with the repository's `.venv` as its Python.

mod algorithms;
mod corpus;
mod errors;
mod export;
mod hard_cases;
mod llm;
mod markdown;
mod serve;
mod support;
