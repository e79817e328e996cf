//! Finds ```mermaid fences in Markdown (placeholder).
