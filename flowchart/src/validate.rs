//! Notebook cell validation with tree-sitter (placeholder).
