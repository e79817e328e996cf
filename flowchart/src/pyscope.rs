//! Python name analysis with tree-sitter (placeholder).
