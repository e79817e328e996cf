//! The scope walk behind [`super::analyze`]: blocks, bindings and refs, following marimo's
//! `ScopedVisitor`.

mod definitions;

use std::collections::{BTreeMap, HashSet};

use tree_sitter::Node;

use super::{Scope, is_builtin, is_private, named_children, span_of};
use crate::span::Span;

/// Deepest syntax-tree nesting the analysis descends into. Deeper subtrees are skipped, which
/// keeps the recursion within the stack. CPython itself rejects code nested this deep.
const MAX_DEPTH: usize = 600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BlockKind {
    Module,
    Function,
    Class,
    Comprehension,
}

/// A scope in which names are bound.
#[derive(Debug)]
struct Block {
    id: usize,
    kind: BlockKind,
    defs: HashSet<String>,
    /// Names declared `global` in this block: binding them binds the module-level name.
    globals: HashSet<String>,
}

/// One place a name was read without a binding in sight.
#[derive(Debug)]
struct RefSite {
    block: usize,
    /// Ids of the blocks enclosing `block`. A later binding in one of them cancels the ref.
    parents: Vec<usize>,
    span: Span,
}

pub(super) struct Visitor<'a> {
    code: &'a str,
    blocks: Vec<Block>,
    next_block_id: usize,
    refs: BTreeMap<String, Vec<RefSite>>,
    /// Names bound by the enclosing `except ... as name` clauses.
    hidden: Vec<String>,
    def_spans: BTreeMap<String, Span>,
    import_stars: Vec<Span>,
}

impl<'a> Visitor<'a> {
    pub(super) fn new(code: &'a str) -> Self {
        let module = Block {
            id: 0,
            kind: BlockKind::Module,
            defs: HashSet::new(),
            globals: HashSet::new(),
        };
        Visitor {
            code,
            blocks: vec![module],
            next_block_id: 1,
            refs: BTreeMap::new(),
            hidden: Vec::new(),
            def_spans: BTreeMap::new(),
            import_stars: Vec::new(),
        }
    }

    pub(super) fn finish(self) -> Scope {
        let mut scope = Scope {
            import_stars: self.import_stars,
            ..Scope::default()
        };
        let module = &self.blocks[0];
        for name in &module.defs {
            if is_private(name) {
                scope.private_defs.insert(name.clone());
            } else {
                scope.defs.insert(name.clone());
            }
            if let Some(span) = self.def_spans.get(name) {
                scope.def_spans.insert(name.clone(), *span);
            }
        }

        for (name, sites) in self.refs {
            let Some(span) = sites.iter().map(|site| site.span).min() else {
                continue;
            };
            scope.ref_spans.insert(name.clone(), span);
            if is_builtin(&name) {
                scope.builtin_refs.insert(name);
            } else {
                scope.refs.insert(name);
            }
        }
        scope
    }

    fn text(&self, node: Node) -> &'a str {
        node.utf8_text(self.code.as_bytes()).unwrap_or("")
    }

    fn push_block(&mut self, kind: BlockKind) {
        let id = self.next_block_id;
        self.next_block_id += 1;
        self.blocks.push(Block {
            id,
            kind,
            defs: HashSet::new(),
            globals: HashSet::new(),
        });
    }

    fn pop_block(&mut self) {
        if self.blocks.len() > 1 {
            self.blocks.pop();
        }
    }

    fn current(&self) -> &Block {
        self.blocks
            .last()
            .expect("the module block is never popped")
    }

    fn is_defined(&self, name: &str) -> bool {
        self.blocks.iter().any(|block| block.defs.contains(name))
    }

    fn is_hidden(&self, name: &str) -> bool {
        self.hidden.iter().any(|hidden| hidden == name)
    }

    /// Binds `name` in the current block, or in the module block when it was declared `global`.
    fn define(&mut self, name: &str, span: Span) {
        let index = if self.current().globals.contains(name) {
            0
        } else {
            self.blocks.len() - 1
        };
        self.define_in(name, span, index, true);
    }

    /// Binds `name` in the block at `index`. A binding cancels the refs read from blocks nested
    /// inside it, except for methods, which marimo does not let cancel refs.
    fn define_in(&mut self, name: &str, span: Span, index: usize, cancels_refs: bool) {
        let block = &mut self.blocks[index];
        block.defs.insert(name.to_owned());
        let block_id = block.id;
        if index == 0 {
            self.def_spans.entry(name.to_owned()).or_insert(span);
        }
        if !cancels_refs {
            return;
        }
        if let Some(sites) = self.refs.get_mut(name) {
            sites.retain(|site| !site.parents.contains(&block_id));
            if sites.is_empty() {
                self.refs.remove(name);
            }
        }
    }

    fn add_ref(&mut self, name: &str, span: Span) {
        let block = self.current().id;
        let sites = self.refs.entry(name.to_owned()).or_default();
        if sites.iter().any(|site| site.block == block) {
            return;
        }
        let parents = self.blocks[..self.blocks.len() - 1]
            .iter()
            .map(|b| b.id)
            .collect();
        sites.push(RefSite {
            block,
            parents,
            span,
        });
    }

    /// Handles a read (or a `del`) of a bare name.
    fn load(&mut self, node: Node) {
        let name = self.text(node);
        if name.is_empty() || self.is_hidden(name) || self.is_defined(name) || is_private(name) {
            return;
        }
        self.add_ref(name, span_of(node));
    }

    /// Handles an assignment to a bare name.
    fn store_name(&mut self, node: Node) {
        let name = self.text(node);
        if name.is_empty() || self.is_hidden(name) {
            return;
        }
        self.define(name, span_of(node));
    }

    pub(super) fn visit(&mut self, node: Node, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let depth = depth + 1;
        match node.kind() {
            "identifier" => self.load(node),
            "comment" | "string_start" | "string_content" | "string_end" => {}
            "attribute" => self.visit_field(node, "object", depth),
            "keyword_argument" => self.visit_field(node, "value", depth),
            "assignment" => self.visit_assignment(node, depth),
            "augmented_assignment" => {
                self.visit_field(node, "right", depth);
                self.store_field(node, "left", depth);
            }
            "named_expression" => self.visit_walrus(node, depth),
            "for_statement" => {
                self.store_field(node, "left", depth);
                self.visit_field(node, "right", depth);
                self.visit_field(node, "body", depth);
                self.visit_field(node, "alternative", depth);
            }
            "as_pattern" => {
                self.visit_children_except_alias(node, depth);
                if let Some(alias) = node.child_by_field_name("alias") {
                    self.visit_children_as_targets(alias, depth);
                }
            }
            "except_clause" => self.visit_except(node, depth),
            "decorated_definition" => self.visit_decorated(node, depth),
            "function_definition" => self.visit_function(node, &[], depth),
            "class_definition" => self.visit_class(node, &[], depth),
            "lambda" => {
                self.push_block(BlockKind::Function);
                if let Some(parameters) = node.child_by_field_name("parameters") {
                    self.visit_parameters(parameters, depth);
                }
                self.visit_field(node, "body", depth);
                self.pop_block();
            }
            "list_comprehension"
            | "set_comprehension"
            | "generator_expression"
            | "dictionary_comprehension" => self.visit_comprehension(node, depth),
            "global_statement" => self.visit_global(node),
            "nonlocal_statement" => {}
            "delete_statement" => {
                for child in named_children(node) {
                    self.visit_deleted(child, depth);
                }
            }
            "import_statement" | "import_from_statement" | "future_import_statement" => {
                self.visit_import(node);
            }
            "case_clause" => self.visit_case(node, depth),
            "generic_type" => {
                for child in named_children(node) {
                    self.visit(child, depth);
                }
            }
            "member_type" => {
                if let Some(first) = node.named_child(0) {
                    self.visit(first, depth);
                }
            }
            "type_alias_statement" => {
                self.store_field(node, "left", depth);
                self.visit_field(node, "right", depth);
            }
            _ => {
                for child in named_children(node) {
                    self.visit(child, depth);
                }
            }
        }
    }

    fn visit_field(&mut self, node: Node, field: &str, depth: usize) {
        let mut cursor = node.walk();
        let children: Vec<Node> = node.children_by_field_name(field, &mut cursor).collect();
        for child in children {
            self.visit(child, depth);
        }
    }

    fn store_field(&mut self, node: Node, field: &str, depth: usize) {
        if let Some(target) = node.child_by_field_name(field) {
            self.store(target, depth);
        }
    }

    /// Binds an assignment target: names, unpacking patterns and starred names.
    fn store(&mut self, target: Node, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let depth = depth + 1;
        match target.kind() {
            "identifier" => self.store_name(target),
            "pattern_list"
            | "tuple_pattern"
            | "list_pattern"
            | "tuple"
            | "list"
            | "expression_list"
            | "parenthesized_expression"
            | "list_splat_pattern"
            | "list_splat"
            | "as_pattern_target" => self.visit_children_as_targets(target, depth),
            // `a.b = 1` and `a[0] = 1` read `a`.
            _ => self.visit(target, depth),
        }
    }

    fn visit_children_as_targets(&mut self, node: Node, depth: usize) {
        for child in named_children(node) {
            if child.kind() != "comment" {
                self.store(child, depth);
            }
        }
    }

    fn visit_children_except_alias(&mut self, node: Node, depth: usize) {
        let alias = node.child_by_field_name("alias").map(|alias| alias.id());
        for child in named_children(node) {
            if Some(child.id()) != alias {
                self.visit(child, depth);
            }
        }
    }

    /// `x = v`, `x: T = v` and `x: T`: the value and the annotation are read before the target
    /// is bound, so `x = x + 1` reads `x`.
    fn visit_assignment(&mut self, node: Node, depth: usize) {
        self.visit_field(node, "right", depth);
        self.visit_field(node, "type", depth);
        self.store_field(node, "left", depth);
    }

    /// `(name := value)` binds `name` in the nearest scope that is not a comprehension.
    fn visit_walrus(&mut self, node: Node, depth: usize) {
        self.visit_field(node, "value", depth);
        let Some(name) = node.child_by_field_name("name") else {
            return;
        };
        if self.current().kind != BlockKind::Comprehension {
            self.store_name(name);
            return;
        }
        let text = self.text(name);
        let index = self
            .blocks
            .iter()
            .rposition(|block| block.kind != BlockKind::Comprehension);
        if let Some(index) = index {
            self.define_in(text, span_of(name), index, true);
        }
    }

    /// `except E as e:` hides `e` in the whole clause instead of binding it, as marimo does.
    fn visit_except(&mut self, node: Node, depth: usize) {
        let value = node.child_by_field_name("value");
        let hidden = value
            .filter(|value| value.kind() == "as_pattern")
            .and_then(|pattern| pattern.child_by_field_name("alias"))
            .map(|alias| self.text(alias).trim().to_owned());
        if let Some(name) = &hidden {
            self.hidden.push(name.clone());
        }
        for child in named_children(node) {
            if child.kind() == "as_pattern" {
                self.visit_children_except_alias(child, depth);
            } else {
                self.visit(child, depth);
            }
        }
        if hidden.is_some() {
            self.hidden.pop();
        }
    }

    /// Comprehensions get their own scope. Each `for` clause reads its iterable, then binds its
    /// target. The element is read last, and a dict comprehension reads the value before the key.
    fn visit_comprehension(&mut self, node: Node, depth: usize) {
        self.push_block(BlockKind::Comprehension);
        let body = node.child_by_field_name("body").map(|body| body.id());
        for clause in named_children(node) {
            match clause.kind() {
                "for_in_clause" => {
                    self.visit_field(clause, "right", depth);
                    self.store_field(clause, "left", depth);
                }
                "if_clause" => self.visit(clause, depth),
                _ => {}
            }
        }

        if let Some(body) = node.child_by_field_name("body") {
            if body.kind() == "pair" {
                self.visit_field(body, "value", depth);
                self.visit_field(body, "key", depth);
            } else {
                self.visit(body, depth);
            }
        }
        for child in named_children(node) {
            let is_clause = matches!(child.kind(), "for_in_clause" | "if_clause");
            if !is_clause && Some(child.id()) != body {
                self.visit(child, depth);
            }
        }
        self.pop_block();
    }

    /// `global x` makes later bindings of `x` in this block bind the module-level name, and reads
    /// `x` unless the cell already bound it at module level.
    fn visit_global(&mut self, node: Node) {
        for name_node in named_children(node).filter(|child| child.kind() == "identifier") {
            let name = self.text(name_node);
            let block = self.blocks.len() - 1;
            self.blocks[block].globals.insert(name.to_owned());
            // NOTE: marimo reads a private name declared `global` under its mangled name, so a
            // ref to it cannot match any cell's def. hexa records no ref for it.
            if !self.blocks[0].defs.contains(name) && !is_private(name) {
                self.add_ref(name, span_of(name_node));
            }
        }
    }

    fn visit_deleted(&mut self, target: Node, depth: usize) {
        match target.kind() {
            "identifier" => self.load(target),
            "expression_list" | "tuple" | "list" | "parenthesized_expression" => {
                for child in named_children(target) {
                    self.visit_deleted(child, depth + 1);
                }
            }
            _ => self.visit(target, depth),
        }
    }
}
