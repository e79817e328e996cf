//! Risky calls in generated or model-written cells: shell commands, `eval`, deleting files,
//! writing outside the notebook's folder and network access.
//!
//! Each finding is a warning with a stable code (`S001` to `S007`). Names are resolved through
//! the imports of every cell, so `import subprocess as sp` in one cell makes `sp.run(...)` in
//! another a `subprocess.run` call, and `from os import system` makes `system(...)` an
//! `os.system` call. A module name that some cell assigns to (`requests = []`) is not a module.
//!
//! The check is syntactic. It does not follow values (`f = os.system; f("ls")`), `getattr`,
//! or paths built at run time: only a path written as a string literal is checked for
//! `..` or an absolute start.

use std::collections::{BTreeMap, BTreeSet};

use tree_sitter::{Node, Tree};

use crate::diagnostic::Severity;
use crate::pyscope::{self, named_children};
use crate::span::Span;
use crate::validate::CellIssue;

/// A rule: the calls it matches and what it reports.
struct Rule {
    code: &'static str,
    /// Qualified names. A trailing `*` matches any suffix (`subprocess.*`, `os.exec*`).
    patterns: &'static [&'static str],
    /// Completes "`NAME` ...".
    effect: &'static str,
}

const RULES: &[Rule] = &[
    Rule {
        code: "S001",
        patterns: &[
            "os.system",
            "os.popen",
            "os.exec*",
            "os.spawn*",
            "os.posix_spawn*",
            "pty.spawn",
        ],
        effect: "runs a shell command",
    },
    Rule {
        code: "S002",
        patterns: &[
            "subprocess.*",
            "asyncio.create_subprocess_exec",
            "asyncio.create_subprocess_shell",
        ],
        effect: "starts another program",
    },
    Rule {
        code: "S003",
        patterns: &["eval", "exec", "builtins.eval", "builtins.exec"],
        effect: "runs code built from a string",
    },
    Rule {
        code: "S004",
        patterns: &[
            "__import__",
            "builtins.__import__",
            "importlib.import_module",
            "importlib.__import__",
        ],
        effect: "imports a module chosen at run time",
    },
    Rule {
        code: "S005",
        patterns: &[
            "shutil.rmtree",
            "os.remove",
            "os.unlink",
            "os.rmdir",
            "os.removedirs",
        ],
        effect: "deletes files or folders",
    },
    Rule {
        code: "S007",
        patterns: &[
            "urllib.request.urlopen",
            "urllib.request.urlretrieve",
            "requests.*",
            "httpx.*",
            "aiohttp.ClientSession",
            "socket.socket",
            "socket.create_connection",
            "http.client.HTTPConnection",
            "http.client.HTTPSConnection",
            "ftplib.FTP",
            "smtplib.SMTP",
        ],
        effect: "opens a network connection",
    },
];

/// Functions that open a file by path, with the mode as second argument.
const OPEN_FUNCTIONS: &[&str] = &["open", "builtins.open", "io.open", "codecs.open"];

/// `pathlib` classes whose methods write to the path they hold.
const PATH_CLASSES: &[&str] = &["pathlib.Path", "pathlib.PosixPath", "pathlib.WindowsPath"];

/// `Path` methods that create or change a file.
const PATH_WRITES: &[&str] = &["write_text", "write_bytes", "touch", "mkdir"];

/// Lists the risky calls in a notebook given as cell bodies, as warnings sorted by cell and
/// position.
pub fn check_policy(cells: &[&str]) -> Vec<CellIssue> {
    let mut parser = pyscope::new_parser();
    let trees: Vec<_> = cells.iter().map(|code| parser.parse(code, None)).collect();
    check_policy_in_trees(cells, &trees)
}

/// [`check_policy`] on cells already parsed, one tree per cell.
pub(crate) fn check_policy_in_trees(cells: &[&str], trees: &[Option<Tree>]) -> Vec<CellIssue> {
    let mut names = Names::default();
    for (tree, code) in trees.iter().zip(cells) {
        if let Some(tree) = tree {
            names.collect_imports(tree.root_node(), code);
        }
    }
    for (tree, code) in trees.iter().zip(cells) {
        let Some(tree) = tree else {
            continue;
        };
        let scope = pyscope::analyze_tree(tree, code);
        names.assigned.extend(
            scope
                .defs
                .into_iter()
                .filter(|name| !names.aliases.contains_key(name)),
        );
    }

    let mut issues = Vec::new();
    for (cell, (tree, code)) in trees.iter().zip(cells).enumerate() {
        let Some(tree) = tree else {
            continue;
        };
        let mut stack = vec![tree.root_node()];
        while let Some(node) = stack.pop() {
            if node.kind() == "call"
                && let Some((code_id, message)) = names.check_call(node, code)
            {
                issues.push(CellIssue {
                    cell,
                    span: Span::new(node.start_byte(), node.end_byte()),
                    severity: Severity::Warning,
                    code: code_id,
                    message,
                });
            }
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
        }
    }
    issues.sort_by_key(|issue| (issue.cell, issue.span));
    issues
}

/// The meaning of names, from the cells' imports and assignments.
#[derive(Default)]
struct Names {
    /// Local name to the qualified name it was imported as.
    aliases: BTreeMap<String, String>,
    /// Names some cell assigns, defines or binds other than by import.
    assigned: BTreeSet<String>,
}

impl Names {
    fn collect_imports(&mut self, root: Node, code: &str) {
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            match node.kind() {
                "import_statement" => self.collect_import(node, code, None),
                "import_from_statement" => {
                    let module = node.child_by_field_name("module_name");
                    let module = module.map(|module| text(module, code).to_owned());
                    // A relative import (`from . import x`) names no known module.
                    if let Some(module) = module.filter(|module| !module.starts_with('.')) {
                        self.collect_import(node, code, Some(&module));
                    }
                }
                _ => {
                    let mut cursor = node.walk();
                    stack.extend(node.named_children(&mut cursor));
                }
            }
        }
    }

    fn collect_import(&mut self, node: Node, code: &str, module: Option<&str>) {
        let mut cursor = node.walk();
        let names: Vec<Node> = node.children_by_field_name("name", &mut cursor).collect();
        for name in names {
            let (dotted, alias) = match name.kind() {
                "aliased_import" => (
                    name.child_by_field_name("name").map(|n| text(n, code)),
                    name.child_by_field_name("alias").map(|n| text(n, code)),
                ),
                _ => (Some(text(name, code)), None),
            };
            let Some(dotted) = dotted else {
                continue;
            };
            let qualified = match module {
                Some(module) => format!("{module}.{dotted}"),
                None => dotted.to_owned(),
            };
            match (alias, module) {
                (Some(alias), _) => self.aliases.insert(alias.to_owned(), qualified),
                // `import a.b` binds `a` to the package `a`.
                (None, None) => {
                    let head = dotted.split('.').next().unwrap_or(dotted);
                    self.aliases.insert(head.to_owned(), head.to_owned())
                }
                (None, Some(_)) => self.aliases.insert(dotted.to_owned(), qualified),
            };
        }
    }

    /// Resolves a callee to its qualified name: `sp.run` becomes `subprocess.run`. `None` for calls on
    /// values (`x().y`) and on names a cell assigns.
    fn qualified(&self, node: Node, code: &str) -> Option<String> {
        let mut parts = Vec::new();
        let mut current = node;
        loop {
            match current.kind() {
                "identifier" => break,
                "attribute" => {
                    parts.push(text(current.child_by_field_name("attribute")?, code));
                    current = current.child_by_field_name("object")?;
                }
                _ => return None,
            }
        }
        let head = text(current, code);
        let resolved = match self.aliases.get(head) {
            Some(qualified) => qualified.clone(),
            None if self.assigned.contains(head) => return None,
            None => head.to_owned(),
        };
        parts.reverse();
        Some(
            std::iter::once(resolved.as_str())
                .chain(parts)
                .collect::<Vec<_>>()
                .join("."),
        )
    }

    fn check_call(&self, call: Node, code: &str) -> Option<(&'static str, String)> {
        let function = call.child_by_field_name("function")?;
        let arguments = call.child_by_field_name("arguments");
        if let Some(found) = self.check_path_write(function, arguments, code) {
            return Some(found);
        }
        let name = self.qualified(function, code)?;
        if OPEN_FUNCTIONS.contains(&name.as_str()) {
            let arguments = arguments?;
            let path = positional(arguments, 0).and_then(|path| outside_path(path, code))?;
            let mode =
                argument(arguments, 1, "mode", code).and_then(|mode| string_value(mode, code));
            return mode.filter(|mode| is_write_mode(mode)).map(|mode| {
                let message = format!(
                    "`open` writes to `{path}` (mode \"{mode}\"), outside the notebook's folder"
                );
                ("S006", message)
            });
        }

        let rule = RULES
            .iter()
            .find(|rule| rule.patterns.iter().any(|p| matches_pattern(p, &name)))?;
        let mut message = format!("`{name}` {}", rule.effect);
        if rule.code == "S003" && arguments.is_some_and(|args| reads_input(args, code)) {
            message.push_str(", here from `input()`, so it runs whatever the user types");
        } else {
            message.push_str("; review it before running this notebook");
        }
        Some((rule.code, message))
    }

    /// `Path("/abs").write_text(...)`, `Path("..") / "x"` and `Path(p).open("w")`.
    fn check_path_write(
        &self,
        function: Node,
        arguments: Option<Node>,
        code: &str,
    ) -> Option<(&'static str, String)> {
        if function.kind() != "attribute" {
            return None;
        }
        let method = text(function.child_by_field_name("attribute")?, code);
        let receiver = function.child_by_field_name("object")?;
        let writes = match method {
            "open" => arguments
                .and_then(|args| argument(args, 0, "mode", code))
                .and_then(|mode| string_value(mode, code))
                .is_some_and(|mode| is_write_mode(&mode)),
            _ => PATH_WRITES.contains(&method),
        };
        if !writes {
            return None;
        }
        let path = self.path_literal(receiver, code)?;
        Some((
            "S006",
            format!("`Path.{method}` writes to `{path}`, outside the notebook's folder"),
        ))
    }

    /// Returns the literal path a `Path(...)` expression starts from, when it leaves the folder.
    fn path_literal(&self, node: Node, code: &str) -> Option<String> {
        match node.kind() {
            "binary_operator" => self.path_literal(node.child_by_field_name("left")?, code),
            "parenthesized_expression" => self.path_literal(node.named_child(0)?, code),
            "call" => {
                let name = self.qualified(node.child_by_field_name("function")?, code)?;
                let is_path = PATH_CLASSES.contains(&name.as_str()) || name == "Path";
                let first = positional(node.child_by_field_name("arguments")?, 0)?;
                if is_path {
                    outside_path(first, code)
                } else {
                    None
                }
            }
            _ => None,
        }
    }
}

fn text<'a>(node: Node, code: &'a str) -> &'a str {
    code.get(node.start_byte()..node.end_byte()).unwrap_or("")
}

fn matches_pattern(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix) && name.len() > prefix.len(),
        None => pattern == name,
    }
}

fn positional(arguments: Node, index: usize) -> Option<Node> {
    named_children(arguments)
        .filter(|child| !matches!(child.kind(), "keyword_argument" | "comment"))
        .nth(index)
}

/// Finds the argument at `index`, or the keyword argument `keyword`.
fn argument<'t>(arguments: Node<'t>, index: usize, keyword: &str, code: &str) -> Option<Node<'t>> {
    let by_keyword = named_children(arguments).find(|child| {
        child.kind() == "keyword_argument"
            && child
                .child_by_field_name("name")
                .is_some_and(|name| text(name, code) == keyword)
    });
    match by_keyword {
        Some(found) => found.child_by_field_name("value"),
        None => positional(arguments, index),
    }
}

/// Returns the value of a plain string literal: no f-string interpolation, no escapes decoded.
fn string_value(node: Node, code: &str) -> Option<String> {
    if node.kind() != "string" || named_children(node).any(|child| child.kind() == "interpolation")
    {
        return None;
    }
    let content = named_children(node)
        .filter(|child| child.kind() == "string_content")
        .map(|child| text(child, code))
        .collect();
    Some(content)
}

/// Returns the path of a string literal that is absolute, starts at the home folder or climbs out
/// with `..`.
fn outside_path(node: Node, code: &str) -> Option<String> {
    let path = string_value(node, code)?;
    let bytes = path.as_bytes();
    let is_drive = bytes.len() >= 3
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && matches!(bytes[2], b'/' | b'\\');
    let absolute =
        path.starts_with('/') || path.starts_with('\\') || path.starts_with('~') || is_drive;
    let climbs = path.split(['/', '\\']).any(|part| part == "..");
    (absolute || climbs).then_some(path)
}

fn is_write_mode(mode: &str) -> bool {
    mode.contains(['w', 'a', 'x', '+'])
}

/// True when the arguments contain a call to `input`.
fn reads_input(arguments: Node, code: &str) -> bool {
    let mut stack = vec![arguments];
    while let Some(node) = stack.pop() {
        if node.kind() == "call"
            && node
                .child_by_field_name("function")
                .is_some_and(|f| text(f, code) == "input")
        {
            return true;
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    false
}
