//! Notebook-level checks on a list of marimo cell bodies: syntax, names defined twice, cycles,
//! undefined names and `import *`.
//!
//! Issue codes: `P001` syntax error, `P002` name defined in more than one cell, `P003` cycle
//! between cells, `P004` name no cell defines (a warning), `P005` `import *`. Like marimo, the
//! cell graph leaves out cells that do not compile (a syntax error or `import *`).

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::diagnostic::Severity;
use crate::pyscope::{self, Scope, SyntaxIssueKind, is_builtin};
use crate::span::Span;

/// One problem found in one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellIssue {
    /// 0-based index of the cell in the list passed to [`validate_cells`].
    pub cell: usize,
    /// Byte range within that cell's code.
    pub span: Span,
    /// `Error` for what marimo rejects, `Warning` for a name that no cell defines.
    pub severity: Severity,
    /// A stable code, `P001` to `P005`.
    pub code: &'static str,
    /// A lower-case sentence without a trailing period. Cell numbers in it are 1-based.
    pub message: String,
}

/// Checks a notebook given as cell bodies, parsing each cell once. Issues are sorted by cell,
/// then by position.
pub fn validate_cells(cells: &[&str]) -> Vec<CellIssue> {
    let mut parser = pyscope::new_parser();
    let mut issues = Vec::new();
    let mut scopes = Vec::with_capacity(cells.len());
    let mut compiles = Vec::with_capacity(cells.len());
    for (cell, code) in cells.iter().enumerate() {
        let Some(tree) = parser.parse(code, None) else {
            scopes.push(Scope::default());
            compiles.push(false);
            continue;
        };
        let syntax = pyscope::syntax_errors_in_tree(&tree, code);
        compiles.push(syntax.is_empty());
        for found in syntax {
            let code = match found.kind {
                SyntaxIssueKind::Syntax => "P001",
                SyntaxIssueKind::ImportStar => "P005",
            };
            issues.push(error(cell, found.span, code, found.message));
        }
        scopes.push(pyscope::analyze_tree(&tree, code));
    }

    let graph = Graph::new(&scopes, &compiles);
    graph.report_multiple_definitions(&scopes, &mut issues);
    graph.report_cycles(&scopes, &mut issues);
    graph.report_undefined(&scopes, &mut issues);
    issues.sort_by(|a, b| (a.cell, a.span, a.code).cmp(&(b.cell, b.span, b.code)));
    issues
}

fn error(cell: usize, span: Span, code: &'static str, message: String) -> CellIssue {
    CellIssue {
        cell,
        span,
        severity: Severity::Error,
        code,
        message,
    }
}

/// The dataflow graph marimo would build from the cells that compile.
struct Graph {
    /// Cells that compile and bind each global name.
    definers: BTreeMap<String, Vec<usize>>,
    /// Every name some cell binds, cells that do not compile included.
    any_definition: BTreeSet<String>,
    /// Whether each cell compiles, so that it takes part in the graph.
    compiles: Vec<bool>,
    /// `edges[from][to]`: the names cell `to` reads from cell `from`.
    edges: Vec<BTreeMap<usize, BTreeSet<String>>>,
}

impl Graph {
    fn new(scopes: &[Scope], compiles: &[bool]) -> Self {
        let mut definers: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut any_definition = BTreeSet::new();
        for (cell, scope) in scopes.iter().enumerate() {
            any_definition.extend(scope.defs.iter().cloned());
            if compiles[cell] {
                for name in &scope.defs {
                    definers.entry(name.clone()).or_default().push(cell);
                }
            }
        }

        let mut edges = vec![BTreeMap::new(); scopes.len()];
        for (reader, scope) in scopes.iter().enumerate() {
            if !compiles[reader] {
                continue;
            }
            // A builtin is an edge only when some cell shadows it (`list = [1]`).
            for name in scope.refs.iter().chain(&scope.builtin_refs) {
                for &writer in definers.get(name).map(Vec::as_slice).unwrap_or_default() {
                    if writer != reader {
                        let names: &mut BTreeSet<String> = edges[writer].entry(reader).or_default();
                        names.insert(name.clone());
                    }
                }
            }
        }
        Graph {
            definers,
            any_definition,
            compiles: compiles.to_vec(),
            edges,
        }
    }

    /// `P002`: one issue per defining cell, at the binding, naming the other cells.
    fn report_multiple_definitions(&self, scopes: &[Scope], issues: &mut Vec<CellIssue>) {
        for (name, cells) in &self.definers {
            if cells.len() < 2 {
                continue;
            }
            for &cell in cells {
                let others: Vec<usize> = cells.iter().copied().filter(|&c| c != cell).collect();
                let noun = if others.len() == 1 { "cell" } else { "cells" };
                let message = format!("`{name}` is also defined in {noun} {}", list_cells(&others));
                let span = scopes[cell]
                    .def_spans
                    .get(name)
                    .copied()
                    .unwrap_or_default();
                issues.push(error(cell, span, "P002", message));
            }
        }
    }

    /// `P003`: every cell on a cycle gets an issue describing the shortest cycle through it,
    /// at the first read of a name that comes from the previous cell on that cycle.
    fn report_cycles(&self, scopes: &[Scope], issues: &mut Vec<CellIssue>) {
        for component in self.strongly_connected_components() {
            if component.len() < 2 {
                continue;
            }
            for &cell in &component {
                let Some(cycle) = self.shortest_cycle(cell, &component) else {
                    continue;
                };
                let previous = cycle[cycle.len() - 2];
                let read = self.edges[previous]
                    .get(&cell)
                    .and_then(|names| names.first());
                let span = read
                    .and_then(|name| scopes[cell].ref_spans.get(name))
                    .copied()
                    .unwrap_or_default();
                issues.push(error(cell, span, "P003", self.describe_cycle(&cycle)));
            }
        }
    }

    /// Describes `cycle` (0-based cells, the first repeated at the end) as "cells 1 and 2 form a
    /// cycle: cell 2 reads `a` from cell 1 and cell 1 reads `b` from cell 2".
    fn describe_cycle(&self, cycle: &[usize]) -> String {
        let mut members: Vec<usize> = cycle[..cycle.len() - 1].to_vec();
        members.sort_unstable();
        let mut steps = Vec::new();
        for pair in cycle.windows(2) {
            let (from, to) = (pair[0], pair[1]);
            let names = self.edges[from].get(&to).cloned().unwrap_or_default();
            let names: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
            steps.push(format!(
                "cell {} reads {} from cell {}",
                to + 1,
                join_and(&names),
                from + 1
            ));
        }
        format!(
            "cells {} form a cycle: {}",
            list_cells(&members),
            join_and(&steps)
        )
    }

    /// Finds the shortest path from `start` back to itself inside `component`, breadth-first.
    fn shortest_cycle(&self, start: usize, component: &BTreeSet<usize>) -> Option<Vec<usize>> {
        let mut came_from: BTreeMap<usize, usize> = BTreeMap::new();
        let mut queue = VecDeque::from([start]);
        while let Some(cell) = queue.pop_front() {
            for &next in self.edges[cell].keys() {
                if !component.contains(&next) {
                    continue;
                }
                if next == start {
                    let mut path = vec![start, cell];
                    let mut at = cell;
                    while let Some(&previous) = came_from.get(&at).filter(|_| at != start) {
                        at = previous;
                        path.push(at);
                    }
                    path.reverse();
                    return Some(path);
                }
                if let Entry::Vacant(slot) = came_from.entry(next) {
                    slot.insert(cell);
                    queue.push_back(next);
                }
            }
        }
        None
    }

    /// Finds the strongly connected components with Tarjan's algorithm. It runs without
    /// recursion, so a long chain of cells cannot overflow the stack.
    fn strongly_connected_components(&self) -> Vec<BTreeSet<usize>> {
        let count = self.edges.len();
        let mut index = vec![usize::MAX; count];
        let mut low = vec![0; count];
        let mut on_stack = vec![false; count];
        let mut stack = Vec::new();
        let mut components = Vec::new();
        let mut next_index = 0;

        for root in 0..count {
            if index[root] != usize::MAX {
                continue;
            }
            // Each frame is a cell and the position of the next successor to look at.
            let mut frames = vec![(root, 0)];
            index[root] = next_index;
            low[root] = next_index;
            next_index += 1;
            stack.push(root);
            on_stack[root] = true;

            while let Some(frame) = frames.last_mut() {
                let cell = frame.0;
                let successor = self.edges[cell].keys().nth(frame.1).copied();
                frame.1 += 1;
                match successor {
                    Some(next) if index[next] == usize::MAX => {
                        index[next] = next_index;
                        low[next] = next_index;
                        next_index += 1;
                        stack.push(next);
                        on_stack[next] = true;
                        frames.push((next, 0));
                    }
                    Some(next) => {
                        if on_stack[next] {
                            low[cell] = low[cell].min(index[next]);
                        }
                    }
                    None => {
                        frames.pop();
                        if let Some(&(parent, _)) = frames.last() {
                            low[parent] = low[parent].min(low[cell]);
                        }
                        if low[cell] == index[cell] {
                            let mut component = BTreeSet::new();
                            while let Some(member) = stack.pop() {
                                on_stack[member] = false;
                                component.insert(member);
                                if member == cell {
                                    break;
                                }
                            }
                            components.push(component);
                        }
                    }
                }
            }
        }
        components
    }

    /// `P004`: a warning at the first read of each name that no cell binds and that is not a
    /// builtin. Cells that do not compile are skipped because their refs are guesses.
    fn report_undefined(&self, scopes: &[Scope], issues: &mut Vec<CellIssue>) {
        for (cell, scope) in scopes.iter().enumerate() {
            if !self.compiles[cell] {
                continue;
            }
            for name in &scope.refs {
                if self.any_definition.contains(name) || is_builtin(name) {
                    continue;
                }
                let span = scope.ref_spans.get(name).copied().unwrap_or_default();
                issues.push(CellIssue {
                    cell,
                    span,
                    severity: Severity::Warning,
                    code: "P004",
                    message: format!("`{name}` is not defined in any cell"),
                });
            }
        }
    }
}

/// Formats 0-based cells as 1-based numbers: "3", "2 and 4" or "2, 3 and 5".
fn list_cells(cells: &[usize]) -> String {
    let numbers: Vec<String> = cells.iter().map(|cell| (cell + 1).to_string()).collect();
    join_and(&numbers)
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
