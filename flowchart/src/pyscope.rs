//! Python name analysis for one marimo cell: the globals it defines and the names it reads.
//!
//! The rules follow marimo 0.25.2's `compile_cell` (its `ScopedVisitor`), including its quirks,
//! so that hexa computes the same cell graph as marimo. The cases worth knowing:
//!
//! - A name read at top level before the cell assigns it is both a def and a ref
//!   (`print(x)\nx = 1`). A read inside a function body is not a ref when the cell defines the
//!   name anywhere at top level.
//! - `except E as e` binds nothing: marimo hides `e` inside the handler.
//! - Names are private (cell-local) when they start with `_` but not with `__`, and `__` itself.
//!   Private names are never refs. `__x` is not private, so it is an ordinary global.
//! - A function body sees every enclosing block, class bodies included, so a method reading a
//!   class attribute by its bare name does not make a ref.
//! - Decorators, default values and annotations of a `def` are read inside the function's own
//!   scope, after its parameters are bound.

mod builtins;
mod syntax;
mod visitor;

use std::collections::{BTreeMap, BTreeSet};

use tree_sitter::{Node, Parser, Tree};

use crate::span::Span;

pub(crate) use syntax::syntax_errors_in_tree;
pub use syntax::{SyntaxIssue, SyntaxIssueKind, syntax_errors};

/// The names one cell binds and reads, as marimo's dataflow graph records them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// Global names the cell binds, private names excluded.
    pub defs: BTreeSet<String>,
    /// Names the cell reads but does not bind before the read, builtins excluded.
    pub refs: BTreeSet<String>,
    /// Private names the cell binds at top level (`_x`, `_`, `__`), local to the cell in marimo.
    pub private_defs: BTreeSet<String>,
    /// Builtins the cell reads (`print`, `len`). They become edges only when a cell shadows one.
    pub builtin_refs: BTreeSet<String>,
    /// First top-level binding occurrence of each name in `defs` and `private_defs`.
    pub def_spans: BTreeMap<String, Span>,
    /// First read of each name in `refs` and `builtin_refs`.
    pub ref_spans: BTreeMap<String, Span>,
    /// Every `from module import *` statement. marimo rejects a cell that has one.
    pub import_stars: Vec<Span>,
}

/// Analyzes the names of one cell body. Code with syntax errors still gets a scope, computed
/// from the parts tree-sitter could parse.
pub fn analyze(code: &str) -> Scope {
    let mut parser = new_parser();
    match parser.parse(code, None) {
        Some(tree) => analyze_tree(&tree, code),
        None => Scope::default(),
    }
}

/// Makes a parser for Python.
pub(crate) fn new_parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .expect("tree-sitter-python 0.25 uses an ABI that tree-sitter 0.27 supports");
    parser
}

/// Analyzes a tree parsed from `code`.
pub(crate) fn analyze_tree(tree: &Tree, code: &str) -> Scope {
    let mut visitor = visitor::Visitor::new(code);
    visitor.visit(tree.root_node(), 0);
    visitor.finish()
}

/// True for names marimo keeps local to the cell: `_x` and `__`, but not `__x` or `__x__`.
pub fn is_private(name: &str) -> bool {
    name == "__" || (name.starts_with('_') && !name.starts_with("__"))
}

/// True for the names [`Scope::builtin_refs`] collects.
pub fn is_builtin(name: &str) -> bool {
    builtins::is_builtin(name)
}

pub(crate) fn span_of(node: Node) -> Span {
    Span::new(node.start_byte(), node.end_byte())
}

pub(crate) fn named_children<'t>(node: Node<'t>) -> impl Iterator<Item = Node<'t>> {
    (0..node.named_child_count()).filter_map(move |index| node.named_child(index as u32))
}
