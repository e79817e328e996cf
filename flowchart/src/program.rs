//! The chart as a program: every node's code, every decision's branch conditions, the
//! inputs, and the stub functions, with names resolved across the whole chart.

use std::collections::{BTreeMap, BTreeSet};

use crate::ast::{Document, NamedShape, Shape, Stroke};
use crate::label::{self, Reading};
use crate::pyscope;
use crate::pytext::{self, CodeKind};
use crate::structure::FlowGraph;

/// Code for one node, before it is placed in a script or notebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeCode {
    /// Terminals and decisions: nothing of their own.
    Nothing,
    /// Plain statements.
    Lines(Vec<String>),
    /// Reads the variables, then runs the statements.
    Read {
        /// Variables read.
        names: Vec<String>,
        /// Statements after the read.
        then: Vec<String>,
    },
    /// Calls the function made from a subgraph.
    Call(Call),
}

impl NodeCode {
    /// Returns the node's code as text lines for name searches. A call counts as its arguments
    /// and results.
    pub fn texts(&self) -> Vec<String> {
        match self {
            NodeCode::Nothing => Vec::new(),
            NodeCode::Lines(lines) => lines.clone(),
            NodeCode::Read { names, then } => names.iter().chain(then).cloned().collect(),
            NodeCode::Call(call) => call
                .params
                .iter()
                .chain(&call.returns)
                .chain(call.reads.iter().map(|(name, _)| name))
                .cloned()
                .collect(),
        }
    }

    /// Names the node assigns.
    pub fn assigned(&self) -> BTreeSet<String> {
        match self {
            NodeCode::Nothing => BTreeSet::new(),
            NodeCode::Lines(lines) => lines.iter().flat_map(|l| assigned_names(l)).collect(),
            NodeCode::Read { names, then } => names
                .iter()
                .cloned()
                .chain(then.iter().flat_map(|l| assigned_names(l)))
                .collect(),
            NodeCode::Call(call) => call
                .returns
                .iter()
                .cloned()
                .chain(call.reads.iter().map(|(name, _)| name.clone()))
                .collect(),
        }
    }
}

/// Names a line binds, the target of an augmented assignment included.
pub fn assigned_names(line: &str) -> BTreeSet<String> {
    let mut names = pyscope::analyze(line).defs;
    names.extend(pyscope::analyze(line).private_defs);
    if let Some(target) = pytext::augmented_target(line) {
        names.insert(target);
    }
    names
}

/// A call of a subgraph function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// Function name.
    pub name: String,
    /// Variables passed in.
    pub params: Vec<String>,
    /// Variables it returns, assigned back in this order.
    pub returns: Vec<String>,
    /// Inputs read inside the function, with whether they are repeated reads. In notebooks
    /// these arrive as parameters too (`name`, or `name_values` for repeated reads).
    pub reads: Vec<(String, bool)>,
}

/// The condition under which a decision takes an edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    /// Chart edge index.
    pub edge: usize,
    /// Python condition, or `None` for the `else` branch.
    pub condition: Option<String>,
    /// For `subject == value` branches, the value as a `match` pattern.
    pub case: Option<String>,
}

/// A decision: a statement to run first (for multi-way stubs) and its branches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Runs before the branches are tested (`choice = pick_shipping()`).
    pub before: Option<String>,
    /// One entry per outgoing edge, in edge order.
    pub branches: Vec<Branch>,
    /// The condition as read, for a `while` header.
    pub test: String,
}

impl Decision {
    /// Returns the condition under which the decision takes `edge`. The `else` branch gets the
    /// negation of the others.
    pub fn condition_for(&self, edge: usize) -> String {
        let own = self.branches.iter().find(|b| b.edge == edge);
        if let Some(condition) = own.and_then(|b| b.condition.clone()) {
            return condition;
        }
        let others: Vec<String> = self
            .branches
            .iter()
            .filter_map(|b| b.condition.clone())
            .collect();
        match others.as_slice() {
            [] => "True".into(),
            [one] => negate(one),
            many => format!("not ({})", many.join(" or ")),
        }
    }
}

/// An input the flow reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// Variable name.
    pub name: String,
    /// Used in arithmetic or ordering comparisons, so a number widget fits.
    pub numeric: bool,
    /// Read more than once (in a loop or at several nodes): values come as a sequence.
    pub repeated: bool,
    /// True when the chart never reads it but uses it (`len(arr)` with no `arr` defined).
    pub free: bool,
}

/// The kind of step a stub function stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StubKind {
    /// A step: prints the label, returns `None`.
    Action,
    /// A yes/no decision: prints the label, returns this value.
    Condition(bool),
    /// A multi-way decision: returns this branch label.
    Choice(String),
    /// A function the chart calls but never defines (`load(x)`): takes any arguments.
    Call,
}

/// A generated stub function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stub {
    /// Function name.
    pub name: String,
    /// The label it stands for (its docstring).
    pub label: String,
    /// Its kind and return value.
    pub kind: StubKind,
}

/// Everything the emitters need about the chart.
#[derive(Debug, Clone)]
pub struct ChartProgram {
    /// Code per node.
    pub code: Vec<NodeCode>,
    /// Decisions by node index.
    pub decisions: BTreeMap<usize, Decision>,
    /// Inputs in order of first use.
    pub inputs: Vec<Input>,
    /// Stub functions in order of first use.
    pub stubs: Vec<Stub>,
    /// The control-flow graph handed to structuring.
    pub flow: FlowGraph,
    /// Every name the chart's code uses, defines or reads, after renaming.
    pub names: BTreeSet<String>,
    /// Ids of the nodes hexa adds after the chart's own (see `missing_branches`).
    pub extra_ids: Vec<String>,
    /// Functions made from subgraphs (filled in by `subgraphs::extract`).
    pub functions: Vec<crate::subgraphs::Function>,
}

/// Names the generated code needs for itself (modules, marimo, the script's helpers); a
/// chart name equal to one gets a trailing `_`. The notebook's helper functions instead give
/// way to chart names (see `marimo::Helpers`).
pub const RESERVED: &[&str] = &[
    "mo",
    "marimo",
    "app",
    "ast",
    "contextlib",
    "io",
    "sys",
    "read_input",
    "PRESETS",
    "main",
];

fn is_reserved(name: &str) -> bool {
    RESERVED.contains(&name) || pyscope::is_builtin(name)
}

const YES: &[&str] = &[
    "yes", "y", "true", "t", "ok", "valid", "correct", "success", "pass", "found",
];
const NO: &[&str] = &[
    "no",
    "n",
    "false",
    "f",
    "fail",
    "invalid",
    "not found",
    "wrong",
];
const ELSE: &[&str] = &["else", "otherwise", "default", "other"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LabelClass {
    Yes,
    No,
    Else,
    None,
    Other,
}

fn classify_edge_label(label: Option<&str>) -> LabelClass {
    let Some(label) = label else {
        return LabelClass::None;
    };
    let word = label
        .trim()
        .trim_end_matches(['.', '!'])
        .to_ascii_lowercase();
    if word.is_empty() {
        LabelClass::None
    } else if YES.contains(&word.as_str()) {
        LabelClass::Yes
    } else if NO.contains(&word.as_str()) {
        LabelClass::No
    } else if ELSE.contains(&word.as_str()) {
        LabelClass::Else
    } else {
        LabelClass::Other
    }
}

fn is_diamond(shape: Shape, shape_name: Option<&str>) -> bool {
    shape == Shape::Diamond
        || (matches!(shape, Shape::Named(NamedShape::Other))
            && matches!(
                shape_name,
                Some("diam" | "diamond" | "decision" | "question")
            ))
}

/// Builds the program model of a parsed chart.
pub fn build(doc: &Document) -> ChartProgram {
    let direct: Vec<(usize, usize, usize)> = doc
        .edges
        .iter()
        .enumerate()
        .filter(|(_, e)| e.stroke != Stroke::Invisible)
        .map(|(i, e)| (i, e.from, e.to))
        .collect();
    let (edges, stand_ins) = through_subgraphs(doc, &direct);
    let mut out_edges: Vec<Vec<usize>> = vec![Vec::new(); doc.nodes.len()];
    for &(i, from, _) in &edges {
        out_edges[from].push(i);
    }
    let decision: Vec<bool> = doc
        .nodes
        .iter()
        .enumerate()
        .map(|(n, node)| {
            let labelled = out_edges[n].len() > 1
                && out_edges[n].iter().all(|&e| {
                    matches!(
                        classify_edge_label(doc.edges[e].label.as_deref()),
                        LabelClass::Yes | LabelClass::No | LabelClass::Else
                    )
                });
            is_diamond(node.shape, node.shape_name.as_deref()) || labelled
        })
        .collect();
    let readings: Vec<Reading> = doc
        .nodes
        .iter()
        .enumerate()
        .map(|(n, node)| {
            if stand_ins[n] {
                return Reading::Terminal;
            }
            let io_shape = matches!(node.shape, Shape::LeanRight | Shape::LeanLeft);
            label::read_label(&node.label, decision[n], io_shape)
        })
        .collect();
    let start: Vec<bool> = doc
        .nodes
        .iter()
        .zip(&readings)
        .map(|(node, r)| *r == Reading::Terminal && is_start_word(&node.label))
        .collect();
    let mut flow = FlowGraph {
        nodes: doc.nodes.len(),
        edges,
        decision,
        start,
        action: vec![false; doc.nodes.len()],
        excluded: stand_ins,
        entry: None,
        rank: (0..doc.nodes.len()).collect(),
    };
    // A plain step with several ways out on a cycle chooses one of them (a retry or a menu).
    // Off cycles, several ways out run one after another (a pipeline).
    let (in_cycle, _) = cycles(&flow);
    let mut implicit = vec![false; doc.nodes.len()];
    for n in 0..doc.nodes.len() {
        if !flow.decision[n] && in_cycle[n] && out_edges[n].len() > 1 {
            implicit[n] = true;
            flow.decision[n] = true;
        }
    }
    let mut builder = Builder::new(doc, &readings, &out_edges, &flow);
    builder.implicit = implicit;
    builder.resolve();
    let mut names = builder.known.clone();
    names.extend(builder.used.iter().cloned());
    names.extend(builder.inputs.iter().map(|i| i.name.clone()));
    names.extend(builder.stubs.iter().map(|s| s.name.clone()));
    let (mut code, mut decisions, inputs, stubs) = (
        builder.code,
        builder.decisions,
        builder.inputs,
        builder.stubs,
    );
    let extra_ids = missing_branches(doc, &out_edges, &mut flow, &mut code, &mut decisions);
    ChartProgram {
        functions: Vec::new(),
        extra_ids,
        names,
        code,
        decisions,
        inputs,
        stubs,
        flow,
    }
}

/// Adds an `else` edge to a new end node to each decision with only a `yes` (or only a
/// `no`) edge, so the flow ends on the other outcome. Returns the ids of the added nodes.
fn missing_branches(
    doc: &Document,
    out_edges: &[Vec<usize>],
    flow: &mut FlowGraph,
    code: &mut Vec<NodeCode>,
    decisions: &mut BTreeMap<usize, Decision>,
) -> Vec<String> {
    let mut ids = Vec::new();
    for (n, edges) in out_edges.iter().enumerate() {
        let [edge] = edges.as_slice() else { continue };
        let answered = matches!(
            classify_edge_label(doc.edges[*edge].label.as_deref()),
            LabelClass::Yes | LabelClass::No
        );
        let Some(decision) = decisions
            .get_mut(&n)
            .filter(|_| answered && flow.includes(n))
        else {
            continue;
        };
        let end = flow.nodes;
        let synthetic_edge = doc.edges.len() + ids.len();
        flow.nodes += 1;
        flow.edges.push((synthetic_edge, n, end));
        for list in [&mut flow.decision, &mut flow.start, &mut flow.action] {
            list.resize(flow.nodes, false);
        }
        flow.rank.push(end);
        code.push(NodeCode::Nothing);
        decision.branches.push(Branch {
            edge: synthetic_edge,
            condition: None,
            case: None,
        });
        ids.push(format!("{}_end", doc.nodes[n].id));
    }
    ids
}

/// Edges to or from a subgraph's id mean its first or last steps: an edge into the
/// subgraph goes to its entry node (the first with no incoming edge inside it), an edge out of
/// it leaves from each node with no outgoing edge inside it. Returns the rewired edges and,
/// per node, whether it only stood for a subgraph (and so is left out of the flow).
fn through_subgraphs(
    doc: &Document,
    edges: &[(usize, usize, usize)],
) -> (Vec<(usize, usize, usize)>, Vec<bool>) {
    let mut stand_in: Vec<Option<usize>> = vec![None; doc.nodes.len()];
    for (s, subgraph) in doc.subgraphs.iter().enumerate() {
        if let Some(n) = doc.node_index(&subgraph.id)
            && !doc.nodes[n].has_label
            && !subgraph.nodes.is_empty()
        {
            stand_in[n] = Some(s);
        }
    }
    if stand_in.iter().all(Option::is_none) {
        return (edges.to_vec(), vec![false; doc.nodes.len()]);
    }
    let ends = |s: usize| -> (Option<usize>, Vec<usize>) {
        let members: BTreeSet<usize> = doc.subgraphs[s]
            .nodes
            .iter()
            .copied()
            .filter(|&n| stand_in[n].is_none())
            .collect();
        let inner = |&&(_, from, to): &&(usize, usize, usize)| {
            members.contains(&from) && members.contains(&to)
        };
        let entry = members
            .iter()
            .copied()
            .find(|&n| !edges.iter().filter(inner).any(|e| e.2 == n));
        let exits = members
            .iter()
            .copied()
            .filter(|&n| !edges.iter().filter(inner).any(|e| e.1 == n))
            .collect();
        (entry, exits)
    };
    let mut out = Vec::new();
    for &(index, from, to) in edges {
        let froms = match stand_in[from] {
            Some(s) => ends(s).1,
            None => vec![from],
        };
        let to = match stand_in[to] {
            Some(s) => ends(s).0.unwrap_or(to),
            None => to,
        };
        out.extend(froms.into_iter().map(|from| (index, from, to)));
    }
    (out, stand_in.iter().map(Option::is_some).collect())
}

fn is_start_word(label: &str) -> bool {
    matches!(
        label.trim().to_ascii_lowercase().as_str(),
        "start" | "begin" | "start program"
    )
}

struct Builder<'a> {
    doc: &'a Document,
    readings: &'a [Reading],
    out_edges: &'a [Vec<usize>],
    flow: &'a FlowGraph,
    known: BTreeSet<String>,
    code: Vec<NodeCode>,
    decisions: BTreeMap<usize, Decision>,
    inputs: Vec<Input>,
    stubs: Vec<Stub>,
    reads: BTreeMap<String, usize>,
    component: Vec<usize>,
    used: BTreeSet<String>,
    implicit: Vec<bool>,
}

impl<'a> Builder<'a> {
    fn new(
        doc: &'a Document,
        readings: &'a [Reading],
        out_edges: &'a [Vec<usize>],
        flow: &'a FlowGraph,
    ) -> Self {
        let mut known = BTreeSet::new();
        let mut reads = BTreeMap::new();
        let mut used = BTreeSet::new();
        for reading in readings {
            let code: Vec<&String> = match reading {
                Reading::Input { then, .. } => then.iter().collect(),
                Reading::Statements(lines) => lines.iter().collect(),
                Reading::Condition(code) | Reading::Output(code) => vec![code],
                Reading::Return(Some(code)) => vec![code],
                _ => Vec::new(),
            };
            for line in code {
                for (start, end) in pytext::name_tokens(line) {
                    used.insert(line[start..end].to_string());
                }
            }
            match reading {
                Reading::Input { names, then } => {
                    for name in names {
                        known.insert(name.clone());
                        *reads.entry(name.clone()).or_insert(0) += 1;
                    }
                    for line in then {
                        known.extend(defined_names(line));
                    }
                }
                Reading::Statements(lines) => {
                    for line in lines {
                        known.extend(defined_names(line));
                    }
                }
                _ => {}
            }
        }
        Builder {
            doc,
            readings,
            out_edges,
            flow,
            known,
            code: Vec::new(),
            decisions: BTreeMap::new(),
            inputs: Vec::new(),
            stubs: Vec::new(),
            reads,
            component: Vec::new(),
            used,
            implicit: Vec::new(),
        }
    }

    fn resolve(&mut self) {
        let (in_cycle, component) = cycles(self.flow);
        self.component = component;
        for (n, reading) in self.readings.iter().enumerate() {
            let code = match reading {
                Reading::Terminal | Reading::Condition(_) => NodeCode::Nothing,
                Reading::Input { names, then } => {
                    for name in names {
                        let repeated =
                            in_cycle[n] || self.reads.get(name).copied().unwrap_or(0) > 1;
                        self.add_input(name, repeated, false);
                    }
                    let then = then.iter().map(|l| self.statement(l)).collect();
                    NodeCode::Read {
                        names: names.clone(),
                        then,
                    }
                }
                Reading::Output(text) => NodeCode::Lines(vec![self.print(text)]),
                Reading::Statements(lines) => {
                    NodeCode::Lines(lines.iter().map(|l| self.statement(l)).collect())
                }
                Reading::Return(value) => {
                    let line = match value {
                        Some(v) => format!("return {}", self.expression(v)),
                        None => "return".to_string(),
                    };
                    NodeCode::Lines(vec![line])
                }
                Reading::Stub if self.flow.decision[n] && !self.implicit[n] => NodeCode::Nothing,
                Reading::Stub => {
                    let name = self.add_stub(&self.doc.nodes[n].label.clone(), StubKind::Action);
                    NodeCode::Lines(vec![format!("{name}()")])
                }
            };
            self.code.push(code);
        }
        for n in 0..self.doc.nodes.len() {
            if self.flow.decision[n] {
                let decision = self.decision(n, &in_cycle);
                if self.out_edges[n].len() < 2 {
                    if let Some(before) = &decision.before {
                        self.code[n] = NodeCode::Lines(vec![before.clone()]);
                    } else if decision.test.ends_with(')') && !decision.test.contains(' ') {
                        self.code[n] = NodeCode::Lines(vec![decision.test.clone()]);
                    }
                }
                self.decisions.insert(n, decision);
            }
        }
        self.rename_builtin_clashes();
    }

    fn add_input(&mut self, name: &str, repeated: bool, free: bool) {
        if let Some(input) = self.inputs.iter_mut().find(|i| i.name == name) {
            input.repeated |= repeated;
            return;
        }
        self.inputs.push(Input {
            name: name.to_string(),
            numeric: false,
            repeated,
            free,
        });
        // An input is a variable of the chart from here on (`Print x` prints its value).
        self.known.insert(name.to_string());
    }

    fn add_stub(&mut self, label: &str, kind: StubKind) -> String {
        if let Some(stub) = self
            .stubs
            .iter()
            .find(|s| s.label == label && s.kind == kind)
        {
            return stub.name.clone();
        }
        let base = pytext::snake_case(label, 5).unwrap_or_else(|| "step".to_string());
        let base = if is_reserved(&base) || self.known.contains(&base) || self.used.contains(&base)
        {
            format!("{base}_step")
        } else {
            base
        };
        let mut name = base.clone();
        let mut counter = 2;
        while self.stubs.iter().any(|s| s.name == name) {
            name = format!("{base}_{counter}");
            counter += 1;
        }
        self.stubs.push(Stub {
            name: name.clone(),
            label: label.to_string(),
            kind,
        });
        name
    }

    /// Resolves free names in code: calls to unknown functions become stubs, other unknown
    /// names become inputs.
    fn note_free_names(&mut self, code: &str) {
        let scope = pyscope::analyze(code);
        for name in &scope.refs {
            if self.known.contains(name) || is_reserved(name) {
                continue;
            }
            if self.stubs.iter().any(|s| &s.name == name) {
                continue;
            }
            if is_called(code, name) {
                self.stubs.push(Stub {
                    name: name.clone(),
                    label: code.to_string(),
                    kind: StubKind::Call,
                });
            } else {
                self.add_input(name, false, true);
            }
        }
        for input in self.inputs.iter_mut() {
            if uses_numerically(code, &input.name) {
                input.numeric = true;
            }
        }
    }

    fn statement(&mut self, line: &str) -> String {
        let line = self.bare_value_as_text(line);
        self.note_free_names(&line);
        if let Some(target) = pytext::augmented_target(&line)
            && !self.known.contains(&target)
            && !is_reserved(&target)
        {
            self.add_input(&target, false, true);
        }
        line
    }

    fn expression(&mut self, code: &str) -> String {
        self.note_free_names(code);
        code.to_string()
    }

    /// `grade = A` where `A` is no variable of the chart assigns the text `"A"`.
    fn bare_value_as_text(&self, line: &str) -> String {
        let Some((target, value)) = line.split_once('=') else {
            return line.to_string();
        };
        let (target, value) = (target.trim(), value.trim());
        let is_plain = pytext::is_identifier(target)
            && !target.ends_with(['<', '>', '!', '+', '-', '*', '/', '%'])
            && !value.starts_with('=');
        if is_plain
            && pytext::is_identifier(value)
            && !self.known.contains(value)
            && !pyscope::is_builtin(value)
        {
            return format!("{target} = {}", pytext::string_literal(value));
        }
        line.to_string()
    }

    /// `Print ...`: expressions over chart variables are printed as values, the rest as text.
    fn print(&mut self, text: &str) -> String {
        let text = text.trim();
        let pieces = pytext::split_top_level(text, "+");
        if pieces.len() > 1
            && pieces.iter().any(|p| is_string_literal(p))
            && self.is_value_expression(text)
        {
            // `"area is " + x` in a chart means "show both"; print them side by side so a
            // number next to text does not raise TypeError.
            let parts: Vec<String> = pieces.iter().map(|p| self.expression(p.trim())).collect();
            return format!("print({})", parts.join(", "));
        }
        if self.is_value_expression(text) {
            let code = self.expression(text);
            return format!("print({code})");
        }
        let mut parts = Vec::new();
        let mut any_value = false;
        let pieces = pytext::split_top_level(text, ",");
        let last_piece = pieces.len().saturating_sub(1);
        for (p, piece) in pieces.into_iter().enumerate() {
            let items = pytext::split_top_level(piece, " and ");
            let last_item = items.len().saturating_sub(1);
            for (i, item) in items.into_iter().enumerate() {
                let item = item.trim();
                if item.is_empty() {
                    continue;
                }
                if self.is_value_expression(item) {
                    any_value = true;
                    parts.push(self.expression(item));
                } else if i == last_item && p < last_piece {
                    // `Print Hello, name` keeps its comma: `print("Hello,", name)`.
                    parts.push(pytext::string_literal(&format!("{},", strip_quotes(item))));
                } else {
                    parts.push(pytext::string_literal(strip_quotes(item)));
                }
            }
        }
        if !any_value {
            return format!("print({})", pytext::string_literal(strip_quotes(text)));
        }
        format!("print({})", parts.join(", "))
    }

    fn is_value_expression(&self, text: &str) -> bool {
        if text.is_empty() || pytext::classify(&format!("({text})")) != CodeKind::Expression {
            return false;
        }
        if is_string_literal(text) {
            return true;
        }
        // Name tokens, not marimo's refs: a variable named like a builtin (`sum`) counts.
        let names: Vec<&str> = pytext::name_tokens(text)
            .into_iter()
            .map(|(a, b)| &text[a..b])
            .collect();
        !names.is_empty()
            && names
                .iter()
                .all(|name| self.known.contains(*name) || pyscope::is_builtin(name))
            && names.iter().any(|name| self.known.contains(*name))
    }

    fn decision(&mut self, n: usize, in_cycle: &[bool]) -> Decision {
        let label = if self.implicit[n] {
            format!(
                "Which way after {}?",
                self.doc.nodes[n].label.replace('\n', " ")
            )
        } else {
            self.doc.nodes[n].label.clone()
        };
        let edges = self.out_edges[n].clone();
        let classes: Vec<LabelClass> = edges
            .iter()
            .map(|&e| classify_edge_label(self.doc.edges[e].label.as_deref()))
            .collect();
        let binary = edges.len() <= 2
            && classes.iter().all(|c| {
                matches!(
                    c,
                    LabelClass::Yes | LabelClass::No | LabelClass::Else | LabelClass::None
                )
            });
        let read = match &self.readings[n] {
            _ if self.implicit[n] => None,
            Reading::Condition(code) if !self.is_unknown_bare_name(code) => Some(code.clone()),
            _ => None,
        };
        if binary {
            let yes_edge = self.default_yes(n, &edges, &classes, in_cycle);
            let test = match read {
                Some(code) => self.expression(&code),
                None => {
                    let name = self.add_stub(&label, StubKind::Condition(yes_edge));
                    format!("{name}()")
                }
            };
            let branches = binary_branches(&edges, &classes, &test);
            return Decision {
                before: None,
                branches,
                test,
            };
        }
        self.multiway(n, &label, &edges, &classes, read, in_cycle)
    }

    /// For a stub decision, the value it returns: the branch that leaves a loop when the
    /// decision sits in one (so the flow ends), else the first branch.
    fn default_yes(
        &self,
        n: usize,
        edges: &[usize],
        classes: &[LabelClass],
        in_cycle: &[bool],
    ) -> bool {
        let first_is_no = matches!(classes.first(), Some(LabelClass::No | LabelClass::Else));
        if in_cycle[n] {
            for (i, &e) in edges.iter().enumerate() {
                if self.component[self.doc.edges[e].to] != self.component[n] {
                    return (i == 0) != first_is_no;
                }
            }
        }
        !first_is_no
    }

    fn is_unknown_bare_name(&self, code: &str) -> bool {
        pytext::is_identifier(code)
            && !self.known.contains(code)
            && code != "True"
            && code != "False"
    }

    fn multiway(
        &mut self,
        n: usize,
        label: &str,
        edges: &[usize],
        classes: &[LabelClass],
        read: Option<String>,
        in_cycle: &[bool],
    ) -> Decision {
        let labels: Vec<String> = edges
            .iter()
            .map(|&e| {
                let edge = &self.doc.edges[e];
                match edge.label.as_deref().map(str::trim) {
                    Some(text) if !text.is_empty() => text.to_string(),
                    _ => self.doc.nodes[edge.to].label.replace('\n', " "),
                }
            })
            .collect();
        let mut before = None;
        let subject = match read {
            Some(code) => self.expression(&code),
            None => {
                let pick = edges
                    .iter()
                    .position(|&e| {
                        in_cycle[n] && self.component[self.doc.edges[e].to] != self.component[n]
                    })
                    .unwrap_or(0);
                let name = self.add_stub(label, StubKind::Choice(labels[pick].clone()));
                let var = unique_name("choice", &self.known);
                self.known.insert(var.clone());
                before = Some(format!("{var} = {name}()"));
                var
            }
        };
        let mut branches = Vec::new();
        let mut has_else = false;
        for (i, &edge) in edges.iter().enumerate() {
            let (condition, case) = match classes[i] {
                LabelClass::Else | LabelClass::None if !has_else => {
                    has_else = true;
                    (None, None)
                }
                _ => {
                    let (condition, case) = self.case_condition(&subject, &labels[i]);
                    (Some(condition), case)
                }
            };
            branches.push(Branch {
                edge,
                condition,
                case,
            });
        }
        // The else branch must come last for if/elif/else.
        branches.sort_by_key(|b| b.condition.is_none());
        Decision {
            before,
            branches,
            test: subject,
        }
    }

    /// Builds the condition of a multi-way branch, and its `match` pattern when it compares
    /// the subject with a constant.
    fn case_condition(&mut self, subject: &str, label: &str) -> (String, Option<String>) {
        let label = label.trim();
        let starts_with_operator = ["<=", ">=", "==", "!=", "<", ">"]
            .iter()
            .any(|op| label.starts_with(op));
        if starts_with_operator {
            let code = format!("{subject} {label}");
            if pytext::classify(&format!("({code})")) == CodeKind::Expression {
                return (self.expression(&code), None);
            }
        }
        if let Some(code) = label::condition(label)
            && self.is_value_expression(&code)
            && code.contains(|c: char| "<>=!".contains(c))
        {
            return (self.expression(&code), None);
        }
        let value = if label.parse::<i64>().is_ok() || label.parse::<f64>().is_ok() {
            label.to_string()
        } else {
            pytext::string_literal(strip_quotes(label))
        };
        (format!("{subject} == {value}"), Some(value))
    }

    /// Variables the chart assigns that shadow a builtin or `mo` get a trailing `_`.
    fn rename_builtin_clashes(&mut self) {
        let clashes: BTreeSet<String> = self
            .known
            .iter()
            .filter(|name| is_reserved(name))
            .cloned()
            .collect();
        if clashes.is_empty() {
            return;
        }
        let rename = |name: &str| clashes.contains(name).then(|| format!("{name}_"));
        // Calls keep the builtin: `print(...)` from an output node stays `print`.
        let fix = |line: &String| pytext::rename_variables(line, rename);
        for code in self.code.iter_mut() {
            match code {
                NodeCode::Lines(lines) => *lines = lines.iter().map(fix).collect(),
                NodeCode::Read { names, then } => {
                    *names = names
                        .iter()
                        .map(|n| rename(n).unwrap_or_else(|| n.clone()))
                        .collect();
                    *then = then.iter().map(fix).collect();
                }
                NodeCode::Nothing | NodeCode::Call(_) => {}
            }
        }
        for decision in self.decisions.values_mut() {
            decision.test = fix(&decision.test);
            decision.before = decision.before.as_ref().map(fix);
            for branch in decision.branches.iter_mut() {
                branch.condition = branch.condition.as_ref().map(fix);
            }
        }
        for input in self.inputs.iter_mut() {
            if let Some(new) = rename(&input.name) {
                input.name = new;
            }
        }
    }
}

fn binary_branches(edges: &[usize], classes: &[LabelClass], test: &str) -> Vec<Branch> {
    let positive = |class: LabelClass, other: Option<LabelClass>| match class {
        LabelClass::Yes | LabelClass::Other => true,
        LabelClass::No | LabelClass::Else => false,
        LabelClass::None => !matches!(other, Some(LabelClass::Yes)),
    };
    let mut branches = Vec::new();
    for (i, &edge) in edges.iter().enumerate() {
        let other = classes
            .get(1 - i.min(1))
            .copied()
            .filter(|_| edges.len() == 2);
        let condition = if positive(classes[i], other) {
            test.to_string()
        } else {
            negate(test)
        };
        branches.push(Branch {
            edge,
            condition: Some(condition),
            case: None,
        });
    }
    if let [first, second] = branches.as_mut_slice() {
        if first.condition == second.condition {
            second.condition = Some(negate(test));
        }
        second.condition = None;
    }
    branches
}

/// Negates a condition, flipping a single comparison when that reads better.
pub fn negate(test: &str) -> String {
    let test = test.trim();
    match test {
        "True" => return "False".into(),
        "False" => return "True".into(),
        _ => {}
    }
    if let Some(rest) = test.strip_prefix("not ")
        && pytext::classify(&format!("({rest})")) == CodeKind::Expression
        && !rest.contains(" and ")
        && !rest.contains(" or ")
    {
        return rest.trim().to_string();
    }
    let simple = !test.contains(" and ") && !test.contains(" or ") && !test.contains(" not ");
    if simple {
        let ops = [
            (" <= ", " > "),
            (" >= ", " < "),
            (" == ", " != "),
            (" != ", " == "),
            (" < ", " >= "),
            (" > ", " <= "),
        ];
        let found: Vec<_> = ops
            .iter()
            .filter(|(op, _)| test.matches(op).count() == 1)
            .collect();
        let total: usize = ops.iter().map(|(op, _)| test.matches(op).count()).sum();
        if let ([(op, flipped)], 1) = (found.as_slice(), total) {
            return test.replacen(op, flipped, 1);
        }
    }
    if pytext::is_identifier(test) || (test.ends_with(')') && !test.contains(' ')) {
        return format!("not {test}");
    }
    format!("not ({test})")
}

/// Names a line assigns; the target of `x += 1` does not count, since it must exist before.
/// The names `line` gives a value to. An update that reads the name first (`x += 1`,
/// `x = x + 1`) does not count: it needs a value from elsewhere.
fn defined_names(line: &str) -> BTreeSet<String> {
    let scope = pyscope::analyze(line);
    let mut names: BTreeSet<String> = scope.defs.into_iter().chain(scope.private_defs).collect();
    if let Some(target) = pytext::augmented_target(line) {
        names.remove(&target);
    }
    names.retain(|name| !scope.refs.contains(name));
    names
}

fn strip_quotes(text: &str) -> &str {
    let t = text.trim();
    for q in ['"', '\''] {
        if t.len() >= 2 && t.starts_with(q) && t.ends_with(q) {
            return &t[1..t.len() - 1];
        }
    }
    t
}

fn is_string_literal(text: &str) -> bool {
    let t = text.trim();
    (t.starts_with('"') && t.ends_with('"')) || (t.starts_with('\'') && t.ends_with('\''))
}

fn is_called(code: &str, name: &str) -> bool {
    pytext::name_tokens(code)
        .into_iter()
        .any(|(s, e)| &code[s..e] == name && code[e..].trim_start().starts_with('('))
}

/// True when `name` sits next to an arithmetic or ordering operator in `code`.
fn uses_numerically(code: &str, name: &str) -> bool {
    const OPS: &[&str] = &["<", ">", "+", "-", "*", "/", "%", "<=", ">="];
    pytext::name_tokens(code).into_iter().any(|(s, e)| {
        if &code[s..e] != name {
            return false;
        }
        let before = code[..s].trim_end();
        let after = code[e..].trim_start();
        if after.starts_with('[') || after.starts_with('.') || before.ends_with("len(") {
            return false;
        }
        OPS.iter()
            .any(|op| before.ends_with(op) || (after.starts_with(op) && !after.starts_with("->")))
            || after.starts_with("range")
            || before.ends_with("range(")
    })
}

fn unique_name(base: &str, taken: &BTreeSet<String>) -> String {
    let mut name = base.to_string();
    let mut counter = 2;
    while taken.contains(&name) {
        name = format!("{base}_{counter}");
        counter += 1;
    }
    name
}

/// Strongly connected component of every node (Kosaraju, iterative).
fn components(flow: &FlowGraph) -> Vec<usize> {
    let n = flow.nodes;
    let mut succ = vec![Vec::new(); n];
    let mut pred = vec![Vec::new(); n];
    for &(_, from, to) in &flow.edges {
        succ[from].push(to);
        pred[to].push(from);
    }
    let mut seen = vec![false; n];
    let mut order = Vec::with_capacity(n);
    for root in 0..n {
        if seen[root] {
            continue;
        }
        seen[root] = true;
        let mut stack = vec![(root, 0usize)];
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if let Some(&t) = succ[v].get(*next) {
                *next += 1;
                if !seen[t] {
                    seen[t] = true;
                    stack.push((t, 0));
                }
            } else {
                order.push(v);
                stack.pop();
            }
        }
    }
    let mut component = vec![usize::MAX; n];
    for (id, &root) in order.iter().rev().enumerate() {
        if component[root] != usize::MAX {
            continue;
        }
        let mut stack = vec![root];
        component[root] = id;
        while let Some(v) = stack.pop() {
            for &p in &pred[v] {
                if component[p] == usize::MAX {
                    component[p] = id;
                    stack.push(p);
                }
            }
        }
    }
    component
}

/// Finds which nodes lie on a cycle, and the component of every node.
fn cycles(flow: &FlowGraph) -> (Vec<bool>, Vec<usize>) {
    let component = components(flow);
    let mut in_cycle = vec![false; flow.nodes];
    for &(_, from, to) in &flow.edges {
        if component[from] == component[to] {
            in_cycle[from] = true;
            in_cycle[to] = true;
        }
    }
    (in_cycle, component)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negate_flips_single_comparison() {
        assert_eq!(negate("i <= n"), "i > n");
        assert_eq!(negate("x == 1"), "x != 1");
        assert_eq!(negate("a < b < c"), "not (a < b < c)");
        assert_eq!(negate("done"), "not done");
        assert_eq!(negate("not done"), "done");
        assert_eq!(negate("x > 0 and y > 0"), "not (x > 0 and y > 0)");
    }

    #[test]
    fn numeric_use_detected() {
        assert!(uses_numerically("i <= n", "n"));
        assert!(!uses_numerically("len(arr) - 1", "arr"));
        assert!(!uses_numerically("arr[mid] == target", "target"));
    }
}
