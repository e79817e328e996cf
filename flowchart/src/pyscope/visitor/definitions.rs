//! Statements that bind names in their own way: `def`, `class`, parameters, imports and
//! `match` patterns.

use tree_sitter::Node;

use super::{BlockKind, MAX_DEPTH, Visitor};
use crate::pyscope::{named_children, span_of};

impl Visitor<'_> {
    pub(super) fn visit_decorated(&mut self, node: Node, depth: usize) {
        let decorators: Vec<Node> = named_children(node)
            .filter(|child| child.kind() == "decorator")
            .collect();
        match node.child_by_field_name("definition") {
            Some(def) if def.kind() == "function_definition" => {
                self.visit_function(def, &decorators, depth);
            }
            Some(def) if def.kind() == "class_definition" => {
                self.visit_class(def, &decorators, depth);
            }
            _ => {
                for child in named_children(node) {
                    self.visit(child, depth);
                }
            }
        }
    }

    pub(super) fn visit_function(&mut self, node: Node, decorators: &[Node], depth: usize) {
        let name_node = node.child_by_field_name("name");
        let name = name_node.map(|name| self.text(name)).unwrap_or("");
        let in_class = self.current().kind == BlockKind::Class;
        if !in_class && !name.is_empty() {
            // The body may call the function itself, so its name is bound before the body.
            let block = self.blocks.len() - 1;
            self.blocks[block].defs.insert(name.to_owned());
            if block == 0 {
                let span = name_node.map(span_of).unwrap_or_default();
                self.def_spans.entry(name.to_owned()).or_insert(span);
            }
        }

        self.push_block(BlockKind::Function);
        if let Some(parameters) = node.child_by_field_name("parameters") {
            self.visit_parameters(parameters, depth);
        }
        self.visit_field(node, "body", depth);
        for decorator in decorators {
            self.visit(*decorator, depth);
        }
        self.visit_field(node, "return_type", depth);
        self.pop_block();

        if let Some(name_node) = name_node {
            let index = if self.current().globals.contains(name) {
                0
            } else {
                self.blocks.len() - 1
            };
            self.define_in(name, span_of(name_node), index, !in_class);
        }
    }

    pub(super) fn visit_class(&mut self, node: Node, decorators: &[Node], depth: usize) {
        self.push_block(BlockKind::Class);
        self.visit_field(node, "superclasses", depth);
        self.visit_field(node, "body", depth);
        for decorator in decorators {
            self.visit(*decorator, depth);
        }
        self.pop_block();

        // Unlike a bare name, a class name binds even inside `except ... as` of the same name.
        if let Some(name) = node.child_by_field_name("name") {
            self.define(self.text(name), span_of(name));
        }
    }

    /// Reads every default value, then binds each parameter and reads its annotation.
    pub(super) fn visit_parameters(&mut self, parameters: Node, depth: usize) {
        let params: Vec<Node> = named_children(parameters).collect();
        for param in &params {
            if matches!(
                param.kind(),
                "default_parameter" | "typed_default_parameter"
            ) {
                self.visit_field(*param, "value", depth);
            }
        }

        // Python binds `*args` and `**kwargs` after the named parameters.
        let is_splat = |param: &Node| {
            matches!(
                param.kind(),
                "list_splat_pattern" | "dictionary_splat_pattern"
            )
        };
        let named = params.iter().filter(|param| !is_splat(param));
        let splats = params.iter().filter(|param| is_splat(param));
        for param in named.chain(splats) {
            self.bind_parameter(*param, depth);
        }
    }

    fn bind_parameter(&mut self, param: Node, depth: usize) {
        match param.kind() {
            "identifier" => self.define(self.text(param), span_of(param)),
            "default_parameter" | "typed_default_parameter" => {
                if let Some(name) = param.child_by_field_name("name") {
                    self.bind_parameter(name, depth);
                }
                self.visit_field(param, "type", depth);
            }
            "typed_parameter" => {
                for child in named_children(param) {
                    if child.kind() != "type" {
                        self.bind_parameter(child, depth);
                    }
                }
                self.visit_field(param, "type", depth);
            }
            "list_splat_pattern" | "dictionary_splat_pattern" | "tuple_pattern" => {
                for child in named_children(param) {
                    self.bind_parameter(child, depth);
                }
            }
            _ => {}
        }
    }

    /// `import a.b` binds `a`, `import a.b as c` and `from m import a as c` bind `c`.
    pub(super) fn visit_import(&mut self, node: Node) {
        if node.kind() != "import_statement" {
            let mut cursor = node.walk();
            for child in node.children(&mut cursor) {
                if child.kind() == "wildcard_import" {
                    self.import_stars.push(span_of(node));
                }
            }
        }

        let mut cursor = node.walk();
        let names: Vec<Node> = node.children_by_field_name("name", &mut cursor).collect();
        for name in names {
            let bound = match name.kind() {
                "aliased_import" => name.child_by_field_name("alias"),
                _ => name.named_child(0),
            };
            if let Some(bound) = bound.filter(|bound| bound.kind() == "identifier") {
                self.define(self.text(bound), span_of(bound));
            }
        }
    }

    /// Binds the capture names of `case` patterns. Dotted names and class names are read.
    pub(super) fn visit_case(&mut self, node: Node, depth: usize) {
        for child in named_children(node) {
            match child.kind() {
                "case_pattern" => self.visit_pattern(child, depth),
                _ => self.visit(child, depth),
            }
        }
    }

    fn visit_pattern(&mut self, pattern: Node, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let depth = depth + 1;
        match pattern.kind() {
            // A bare name captures. A dotted name (`Color.RED`) is a value pattern that reads
            // its first part.
            "dotted_name" => {
                let parts: Vec<Node> = named_children(pattern).collect();
                match parts.as_slice() {
                    [name] => self.store_capture(*name),
                    [first, ..] => self.load(*first),
                    [] => {}
                }
            }
            "class_pattern" => {
                for child in named_children(pattern) {
                    if child.kind() == "dotted_name" {
                        if let Some(first) = child.named_child(0) {
                            self.load(first);
                        }
                    } else {
                        self.visit_pattern(child, depth);
                    }
                }
            }
            // `Point(x=px)`: `x` is an attribute name, `px` a capture.
            "keyword_pattern" => {
                for child in named_children(pattern).skip(1) {
                    self.visit_pattern(child, depth);
                }
            }
            "as_pattern" | "splat_pattern" => {
                for child in named_children(pattern) {
                    if child.kind() == "identifier" {
                        self.store_capture(child);
                    } else {
                        self.visit_pattern(child, depth);
                    }
                }
            }
            // Keys are literals or dotted value patterns, which are read, never bound.
            "dict_pattern" => {
                let mut cursor = pattern.walk();
                let keys: Vec<usize> = pattern
                    .children_by_field_name("key", &mut cursor)
                    .map(|key| key.id())
                    .collect();
                for child in named_children(pattern) {
                    if !keys.contains(&child.id()) {
                        self.visit_pattern(child, depth);
                    } else if child.kind() == "dotted_name"
                        && let Some(first) = child.named_child(0)
                    {
                        self.load(first);
                    }
                }
            }
            "case_pattern" | "union_pattern" | "list_pattern" | "tuple_pattern" => {
                for child in named_children(pattern) {
                    self.visit_pattern(child, depth);
                }
            }
            _ => self.visit(pattern, depth),
        }
    }

    /// Capture patterns bind even names that an `except` clause hides, as in marimo.
    fn store_capture(&mut self, name: Node) {
        let text = self.text(name);
        if !text.is_empty() {
            self.define(text, span_of(name));
        }
    }
}
