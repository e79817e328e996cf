//! Python emission: the flow function shared by scripts and notebooks, and the plain script.

use crate::program::{self, ChartProgram, NodeCode, StubKind};
use crate::pytext;
use crate::structure::{Program, Stmt};

/// One emitted line with its indentation and the chart node it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Indentation level (4 spaces each).
    pub indent: usize,
    /// The code, without indentation.
    pub text: String,
    /// Chart node index this line came from.
    pub node: Option<usize>,
}

/// The form reads take in generated code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadStyle {
    /// `n = read_input("n")` at the node (scripts).
    Call,
    /// Single reads arrive as function parameters; repeated reads take the next value from
    /// a `<name>_values` iterator, and the flow returns its variables (notebooks).
    Parameter,
}

/// Renders the flow as the body of a function, one [`Line`] per line.
pub struct FlowWriter<'a> {
    chart: &'a ChartProgram,
    ids: Vec<String>,
    style: ReadStyle,
    next_value: String,
    pending: bool,
    flow: Option<&'a crate::structure::FlowGraph>,
    return_text: Option<String>,
    lines: Vec<Line>,
}

impl<'a> FlowWriter<'a> {
    /// Makes a writer; `ids` are the chart's node ids, used in source comments.
    pub fn new(chart: &'a ChartProgram, ids: Vec<String>, style: ReadStyle) -> Self {
        FlowWriter {
            chart,
            ids,
            style,
            next_value: "next_value".to_string(),
            pending: false,
            flow: None,
            return_text: None,
            lines: Vec::new(),
        }
    }

    /// Renders a subgraph function's body: its own graph, and `return` with its results.
    pub fn for_function(
        mut self,
        flow: &'a crate::structure::FlowGraph,
        return_text: String,
    ) -> Self {
        self.flow = Some(flow);
        self.return_text = Some(return_text);
        self
    }

    /// Sets the name of the helper that takes the next value of a repeated read.
    pub fn with_next_value(mut self, name: &str) -> Self {
        self.next_value = name.to_string();
        self
    }

    /// Renders the structured program or the state machine at `indent`.
    pub fn render(mut self, program: &Program, indent: usize) -> Vec<Line> {
        match program {
            Program::Structured(stmts) => {
                self.block(stmts, indent);
                if self.lines.is_empty() {
                    self.push(indent, "pass", None);
                }
            }
            Program::StateMachine { entries, reason } => {
                self.state_machine(entries, reason, indent)
            }
        }
        self.lines
    }

    fn push(&mut self, indent: usize, text: impl Into<String>, node: Option<usize>) {
        self.lines.push(Line {
            indent,
            text: text.into(),
            node,
        });
    }

    fn block(&mut self, stmts: &[Stmt], indent: usize) {
        let before = self.lines.len();
        for stmt in stmts {
            self.stmt(stmt, indent);
        }
        if self.lines.len() == before {
            self.push(indent, "pass", None);
        }
    }

    fn node(&mut self, n: usize, indent: usize) {
        match &self.chart.code[n] {
            NodeCode::Nothing => {}
            NodeCode::Call(call) => {
                let mut args = call.params.clone();
                if self.style == ReadStyle::Parameter {
                    for (name, repeated) in &call.reads {
                        args.push(if *repeated {
                            format!("{name}_values")
                        } else {
                            name.clone()
                        });
                    }
                }
                let invocation = format!("{}({})", call.name, args.join(", "));
                let text = match call.returns.as_slice() {
                    [] => invocation,
                    names => format!("{} = {invocation}", names.join(", ")),
                };
                self.push(indent, text, Some(n));
            }
            NodeCode::Lines(lines) => {
                for line in lines.clone() {
                    self.push(indent, line, Some(n));
                }
            }
            NodeCode::Read { names, then } => {
                for name in names.clone() {
                    let repeated = self
                        .chart
                        .inputs
                        .iter()
                        .any(|i| i.name == name && i.repeated);
                    let text = match (self.style, repeated) {
                        (ReadStyle::Call, true) => format!(
                            "{name} = read_input({}, repeated=True)",
                            pytext::string_literal(&name)
                        ),
                        (ReadStyle::Call, false) => {
                            format!("{name} = read_input({})", pytext::string_literal(&name))
                        }
                        (ReadStyle::Parameter, true) => {
                            format!(
                                "{name} = {}({name}_values, {})",
                                self.next_value,
                                pytext::string_literal(&name)
                            )
                        }
                        (ReadStyle::Parameter, false) => continue,
                    };
                    self.push(indent, text, Some(n));
                }
                for line in then.clone() {
                    self.push(indent, line, Some(n));
                }
            }
        }
    }

    fn stmt(&mut self, stmt: &Stmt, indent: usize) {
        match stmt {
            Stmt::Node(n) => self.node(*n, indent),
            Stmt::For {
                header,
                var,
                range,
                body,
            } => {
                self.push(
                    indent,
                    format!("for {var} in range({range}):"),
                    Some(*header),
                );
                self.block(body, indent + 1);
            }
            Stmt::Break => self.push(indent, "break", None),
            Stmt::Continue => self.push(indent, "continue", None),
            Stmt::Return => {
                let text = match (&self.return_text, self.style) {
                    (Some(text), _) => text.clone(),
                    (None, ReadStyle::Parameter) => "return locals()".to_string(),
                    (None, ReadStyle::Call) => "return".to_string(),
                };
                self.push(indent, text, None);
            }
            Stmt::If { node, arms } => self.if_stmt(*node, arms, indent),
            Stmt::While {
                header,
                stay_edge,
                body,
                endless,
            } => {
                let decision = header.and_then(|h| self.chart.decisions.get(&h));
                match (header, stay_edge, decision) {
                    (Some(h), Some(edge), Some(d)) if d.before.is_none() => {
                        let test = self.edge_condition(*h, *edge);
                        self.push(indent, format!("while {test}:"), Some(*h));
                        self.block(body, indent + 1);
                    }
                    (Some(h), Some(edge), Some(d)) => {
                        let test = self.edge_condition(*h, *edge);
                        self.push(indent, "while True:", Some(*h));
                        if let Some(before) = &d.before {
                            self.push(indent + 1, before.clone(), Some(*h));
                        }
                        self.push(
                            indent + 1,
                            format!("if {}:", program::negate(&test)),
                            Some(*h),
                        );
                        self.push(indent + 2, "break", Some(*h));
                        self.block(body, indent + 1);
                    }
                    _ if *endless => {
                        // A notebook cell that never finishes blocks every cell after it.
                        self.push(
                            indent,
                            format!(
                                "# The chart gives this loop no way out; it stops after \
                                 {ENDLESS_ROUNDS} rounds here."
                            ),
                            None,
                        );
                        self.push(
                            indent,
                            format!("for _round in range({ENDLESS_ROUNDS}):"),
                            None,
                        );
                        self.block(body, indent + 1);
                    }
                    _ => {
                        self.push(indent, "while True:", None);
                        self.block(body, indent + 1);
                    }
                }
            }
        }
    }

    /// Returns the condition under which decision `node` takes `edge`.
    fn edge_condition(&self, node: usize, edge: usize) -> String {
        match self.chart.decisions.get(&node) {
            Some(decision) => decision.condition_for(edge),
            None => "True".into(),
        }
    }

    fn if_stmt(&mut self, node: usize, arms: &[crate::structure::Arm], indent: usize) {
        let Some(decision) = self.chart.decisions.get(&node) else {
            for arm in arms {
                self.block(&arm.body, indent);
            }
            return;
        };
        if let Some(before) = &decision.before {
            self.push(indent, before.clone(), Some(node));
        }
        if self.match_stmt(node, decision, arms, indent) {
            return;
        }
        let mut conditioned: Vec<(Option<String>, &[Stmt])> = Vec::new();
        for arm in arms {
            let condition = arm.edge.and_then(|edge| {
                decision
                    .branches
                    .iter()
                    .find(|b| b.edge == edge)
                    .and_then(|b| b.condition.clone())
            });
            // An arm of nodes without code (an end, a terminal) writes nothing.
            let body: &[Stmt] = if self.is_silent(&arm.body) {
                &[]
            } else {
                &arm.body
            };
            conditioned.push((condition, body));
        }
        conditioned.sort_by_key(|(c, _)| c.is_none());
        if conditioned.iter().all(|(_, body)| body.is_empty()) {
            // Both ways lead to the same place: the decision changes nothing.
            return;
        }
        if conditioned.len() == 2 && conditioned[0].1.is_empty() && conditioned[1].0.is_none() {
            let test = conditioned[0].0.clone().unwrap_or_else(|| "True".into());
            conditioned = vec![(Some(program::negate(&test)), conditioned[1].1)];
        }
        if conditioned.len() == 2 && conditioned[1].0.is_none() && conditioned[1].1.is_empty() {
            conditioned.pop();
        }
        // `if c: ... break` needs no `else:`; the else arm follows at the same level.
        let first_jumps = matches!(
            conditioned.first().and_then(|(_, body)| body.last()),
            Some(Stmt::Break | Stmt::Continue | Stmt::Return)
        );
        if conditioned.len() == 2 && conditioned[1].0.is_none() && first_jumps {
            let (condition, body) = conditioned[0].clone();
            let rest = conditioned[1].1;
            let test = condition.unwrap_or_else(|| "True".into());
            self.push(indent, format!("if {test}:"), Some(node));
            self.block(body, indent + 1);
            for stmt in rest {
                self.stmt(stmt, indent);
            }
            return;
        }
        let mut first = true;
        for (condition, body) in conditioned {
            match condition {
                Some(cond) if first => self.push(indent, format!("if {cond}:"), Some(node)),
                Some(cond) => self.push(indent, format!("elif {cond}:"), Some(node)),
                None => {
                    if let [
                        Stmt::If {
                            node: inner,
                            arms: inner_arms,
                        },
                    ] = body
                    {
                        let chained = self
                            .chart
                            .decisions
                            .get(inner)
                            .is_some_and(|d| d.before.is_none());
                        if chained && !first {
                            self.elif_chain(*inner, inner_arms, indent);
                            continue;
                        }
                    }
                    self.push(indent, "else:", None);
                }
            }
            first = false;
            self.block(body, indent + 1);
        }
    }

    /// Writes a decision that compares one value with three or more constants as `match`.
    /// Returns false when the decision does not have that form.
    fn match_stmt(
        &mut self,
        node: usize,
        decision: &crate::program::Decision,
        arms: &[crate::structure::Arm],
        indent: usize,
    ) -> bool {
        let cases = decision
            .branches
            .iter()
            .filter(|b| b.case.is_some())
            .count();
        let others = decision
            .branches
            .iter()
            .filter(|b| b.condition.is_some() && b.case.is_none());
        if cases < 3 || others.count() > 0 {
            return false;
        }
        self.push(indent, format!("match {}:", decision.test), Some(node));
        let mut ordered: Vec<(Option<String>, &[Stmt])> = arms
            .iter()
            .map(|arm| {
                let case = arm.edge.and_then(|edge| {
                    decision
                        .branches
                        .iter()
                        .find(|b| b.edge == edge)
                        .and_then(|b| b.case.clone())
                });
                (case, arm.body.as_slice())
            })
            .collect();
        ordered.sort_by_key(|(case, _)| case.is_none());
        for (case, body) in ordered {
            let pattern = case.unwrap_or_else(|| "_".into());
            self.push(indent + 1, format!("case {pattern}:"), None);
            self.block(body, indent + 2);
        }
        true
    }

    /// True when `stmts` write no line: only nodes without code.
    fn is_silent(&self, stmts: &[Stmt]) -> bool {
        stmts.iter().all(|stmt| match stmt {
            Stmt::Node(n) => matches!(self.chart.code[*n], NodeCode::Nothing),
            _ => false,
        })
    }

    /// Writes a nested `if` that is the whole `else` arm as `elif` arms.
    fn elif_chain(&mut self, node: usize, arms: &[crate::structure::Arm], indent: usize) {
        let start = self.lines.len();
        self.if_stmt(node, arms, indent);
        if let Some(line) = self.lines.get_mut(start)
            && line.indent == indent
            && line.text.starts_with("if ")
        {
            line.text = format!("el{}", line.text);
        }
    }

    fn state_machine(&mut self, entries: &[usize], reason: &str, indent: usize) {
        let comment = format!("Written as a state machine because {reason}.");
        for line in wrap(&comment, 88) {
            self.push(indent, format!("# {line}"), None);
        }
        let mut first_ids: Vec<String> = entries
            .iter()
            .map(|&e| pytext::string_literal(&self.ids[e]))
            .collect();
        let first = if first_ids.is_empty() {
            "None".to_string()
        } else {
            first_ids.remove(0)
        };
        self.push(indent, format!("state = {first}"), None);
        // `pending` lists the starts and fan-out branches still to run. Most charts need none.
        let flow = self.flow.unwrap_or(&self.chart.flow);
        let fans_out = (0..flow.nodes).any(|n| {
            !self.chart.decisions.contains_key(&n)
                && flow.edges.iter().filter(|&&(_, from, _)| from == n).count() > 1
        });
        self.pending = fans_out || !first_ids.is_empty();
        if self.pending {
            first_ids.reverse();
            self.push(
                indent,
                format!("pending = [{}]", first_ids.join(", ")),
                None,
            );
        }
        self.push(indent, "while state is not None:", None);
        let flow = self.flow.unwrap_or(&self.chart.flow);
        // `match` keeps the dispatch flat: a long `elif` chain nests in Python's syntax tree
        // and overflows the recursion limit of tools that walk it.
        self.push(indent + 1, "match state:", None);
        for n in (0..flow.nodes).filter(|&n| flow.includes(n)) {
            let id = pytext::string_literal(&self.ids[n]);
            self.push(indent + 2, format!("case {id}:"), Some(n));
            self.node(n, indent + 3);
            let targets: Vec<(usize, usize)> = flow
                .edges
                .iter()
                .filter(|&&(_, from, _)| from == n)
                .map(|&(e, _, to)| (e, to))
                .collect();
            let decision = self.chart.decisions.get(&n).filter(|_| targets.len() > 1);
            match (targets.as_slice(), decision) {
                ([], _) if self.pending => self.push(
                    indent + 3,
                    "state = pending.pop() if pending else None",
                    None,
                ),
                ([], _) => self.push(indent + 3, "state = None", None),
                ([(_, to)], _) => {
                    let target = pytext::string_literal(&self.ids[*to]);
                    self.push(indent + 3, format!("state = {target}"), None);
                }
                (_, Some(d)) => {
                    if let Some(before) = &d.before {
                        self.push(indent + 3, before.clone(), Some(n));
                    }
                    let mut word = "if";
                    let mut branches = d.branches.clone();
                    branches.sort_by_key(|b| b.condition.is_none());
                    for branch in branches {
                        let to = targets
                            .iter()
                            .find(|(e, _)| *e == branch.edge)
                            .map(|&(_, t)| t);
                        let Some(to) = to else { continue };
                        match branch.condition {
                            Some(c) => self.push(indent + 3, format!("{word} {c}:"), Some(n)),
                            None => self.push(indent + 3, "else:", None),
                        }
                        word = "elif";
                        let target = pytext::string_literal(&self.ids[to]);
                        self.push(indent + 4, format!("state = {target}"), None);
                    }
                }
                (many, None) => {
                    let first = pytext::string_literal(&self.ids[many[0].1]);
                    let rest: Vec<String> = many[1..]
                        .iter()
                        .rev()
                        .map(|&(_, t)| pytext::string_literal(&self.ids[t]))
                        .collect();
                    self.push(
                        indent + 3,
                        format!("pending.extend([{}])", rest.join(", ")),
                        None,
                    );
                    self.push(indent + 3, format!("state = {first}"), None);
                }
            }
        }
    }
}

/// How many times a loop without any exit runs in generated code.
pub const ENDLESS_ROUNDS: usize = 10;

/// Splits `text` into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let last = lines.last_mut().map(|l| l.len()).unwrap_or(0);
        if last > 0 && last + 1 + word.len() > width {
            lines.push(String::new());
        }
        if let Some(line) = lines.last_mut() {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

/// Marker that starts a node's code; `# node: B` follows the first line of node `B`'s code.
pub const NODE_MARKER: &str = "  # node: ";

/// Joins lines into text, marking the first line of each run of a node's code.
pub fn join_lines(lines: &[Line], ids: &[String], base_indent: usize) -> String {
    let mut out = String::new();
    let mut previous: Option<usize> = None;
    for line in lines {
        for _ in 0..(line.indent + base_indent) {
            out.push_str("    ");
        }
        out.push_str(&line.text);
        if let Some(node) = line.node.filter(|&n| Some(n) != previous) {
            out.push_str(NODE_MARKER);
            out.push_str(&ids[node]);
        }
        previous = line.node;
        out.push('\n');
    }
    out
}

/// Renders the subgraph functions at indent 0, one after another.
pub fn function_definitions(
    chart: &ChartProgram,
    ids: &[String],
    style: ReadStyle,
    next_value: &str,
) -> Vec<Line> {
    let mut lines = Vec::new();
    for function in &chart.functions {
        let mut params = function.params.clone();
        if style == ReadStyle::Parameter {
            for (name, repeated) in &function.reads {
                params.push(if *repeated {
                    format!("{name}_values")
                } else {
                    name.clone()
                });
            }
        }
        let return_text = match function.returns.as_slice() {
            [] => "return".to_string(),
            names => format!("return {}", names.join(", ")),
        };
        let plain = |indent, text: String| Line {
            indent,
            text,
            node: None,
        };
        lines.push(plain(
            0,
            format!("def {}({}):", function.name, params.join(", ")),
        ));
        lines.push(plain(
            1,
            pytext::block_literal(&function.title.replace('\n', " ")),
        ));
        let body = FlowWriter::new(chart, ids.to_vec(), style)
            .with_next_value(next_value)
            .for_function(&function.flow, return_text.clone())
            .render(&function.program, 1);
        let ends_in_return = body
            .last()
            .is_some_and(|l| l.indent == 1 && l.text.starts_with("return"));
        lines.extend(body);
        if !ends_in_return && !function.returns.is_empty() {
            lines.push(plain(1, return_text));
        }
        lines.push(plain(0, String::new()));
        lines.push(plain(0, String::new()));
    }
    lines
}

/// Renders stub function definitions at indent 0.
pub fn stub_definitions(chart: &ChartProgram) -> String {
    let mut out = String::new();
    for stub in &chart.stubs {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        let label = stub.label.replace('\n', " ");
        let doc = pytext::block_literal(&label);
        let (params, ret, note) = match &stub.kind {
            StubKind::Action => ("", "None".to_string(), format!("stub: {label}")),
            StubKind::Condition(value) => {
                let value = if *value { "True" } else { "False" };
                ("", value.to_string(), format!("stub: {label} -> {value}"))
            }
            StubKind::Choice(choice) => (
                "",
                pytext::string_literal(choice),
                format!("stub: {label} -> {choice}"),
            ),
            StubKind::Call => ("*args", "None".to_string(), format!("stub: {}", stub.name)),
        };
        out.push_str(&format!("def {}({params}):\n", stub.name));
        out.push_str(&format!("    {doc}\n"));
        out.push_str(&format!("    print({})\n", pytext::string_literal(&note)));
        out.push_str(&format!("    return {ret}\n"));
    }
    out
}

/// Options for the plain script.
#[derive(Debug, Clone, Default)]
pub struct ScriptOptions {
    /// Values from `--set`, already rendered as Python expressions.
    pub presets: Vec<(String, String)>,
    /// A title for the module docstring.
    pub title: Option<String>,
    /// Show a read's prompt even when stdin is not a terminal.
    pub always_prompt: bool,
}

/// Renders a module with one importable function `name` whose parameters are the inputs.
/// A repeated read takes its values from an iterable parameter of the same name.
pub fn function_module(
    chart: &ChartProgram,
    program: &Program,
    ids: Vec<String>,
    name: &str,
    title: Option<&str>,
) -> String {
    let title = title.unwrap_or("Flowchart");
    let mut out = format!(
        "{}\n",
        pytext::block_literal(&format!(
            "{title}: generated from a Mermaid flowchart by hexa."
        ))
    );
    let repeated = chart.inputs.iter().any(|i| i.repeated);
    if repeated {
        out.push_str("\n\n");
        out.push_str(NEXT_VALUE);
    }
    let stubs = stub_definitions(chart);
    if !stubs.is_empty() {
        out.push_str("\n\n");
        out.push_str(&stubs);
    }
    let functions = function_definitions(chart, &ids, ReadStyle::Parameter, "next_value");
    if !functions.is_empty() {
        out.push_str("\n\n");
        out.push_str(join_lines(&functions, &ids, 0).trim_end());
        out.push('\n');
    }
    let params: Vec<&str> = chart.inputs.iter().map(|i| i.name.as_str()).collect();
    out.push_str(&format!("\n\ndef {name}({}):\n", params.join(", ")));
    let doc = if repeated {
        "Run the flowchart. A parameter read more than once is an iterable of its values."
    } else {
        "Run the flowchart."
    };
    out.push_str(&format!("    {}\n", pytext::block_literal(doc)));
    let mut lines = Vec::new();
    for input in chart.inputs.iter().filter(|i| i.repeated) {
        lines.push(Line {
            indent: 0,
            text: format!("{0}_values = iter({0})", input.name),
            node: None,
        });
    }
    let body = FlowWriter::new(chart, ids.clone(), ReadStyle::Parameter)
        .for_function(&chart.flow, "return".to_string())
        .render(program, 0);
    lines.extend(body);
    out.push_str(&join_lines(&lines, &ids, 1));
    out
}

const NEXT_VALUE: &str = r#"def next_value(remaining, name):
    """Take the next value of a repeated read."""
    try:
        return next(remaining)
    except StopIteration:
        raise ValueError(f"no more values for {name}") from None
"#;

/// Renders a complete plain Python script.
pub fn script(
    chart: &ChartProgram,
    program: &Program,
    ids: Vec<String>,
    options: &ScriptOptions,
) -> (String, Vec<Line>) {
    let mut out = String::new();
    let title = options
        .title
        .clone()
        .unwrap_or_else(|| "Flowchart".to_string());
    out.push_str(&format!(
        "{}\n",
        pytext::block_literal(&format!(
            "{title}: generated from a Mermaid flowchart by hexa."
        ))
    ));
    let has_reads = chart
        .code
        .iter()
        .any(|c| matches!(c, NodeCode::Read { .. }))
        || chart.inputs.iter().any(|i| i.free);
    if has_reads {
        out.push_str("\nimport ast\nimport sys\n\n");
        let presets: Vec<String> = options
            .presets
            .iter()
            .map(|(name, value)| format!("{}: {value}", pytext::string_literal(name)))
            .collect();
        out.push_str(&format!("PRESETS = {{{}}}\n\n\n", presets.join(", ")));
        let prompt = if options.always_prompt {
            r#"f"{name}: ""#
        } else {
            r#"f"{name}: " if sys.stdin.isatty() else """#
        };
        out.push_str(&READ_INPUT.replace("$PROMPT", prompt));
    }
    let stubs = stub_definitions(chart);
    if !stubs.is_empty() {
        out.push_str("\n\n");
        out.push_str(&stubs);
    }
    let functions = function_definitions(chart, &ids, ReadStyle::Call, "next_value");
    if !functions.is_empty() {
        out.push_str("\n\n");
        out.push_str(join_lines(&functions, &ids, 0).trim_end());
        out.push('\n');
    }
    out.push_str("\n\ndef main():\n");
    out.push_str("    # `# node: ID` marks where the code of flowchart node ID starts.\n");
    let mut lines = Vec::new();
    for input in chart.inputs.iter().filter(|i| i.free) {
        lines.push(Line {
            indent: 0,
            text: format!(
                "{} = read_input({})",
                input.name,
                pytext::string_literal(&input.name)
            ),
            node: None,
        });
    }
    lines.extend(FlowWriter::new(chart, ids.clone(), ReadStyle::Call).render(program, 0));
    out.push_str(&join_lines(&lines, &ids, 1));
    out.push_str("\n\nif __name__ == \"__main__\":\n    main()\n");
    (out, lines)
}

/// The scripts' `read_input`; `$PROMPT` stands for the expression of its prompt.
const READ_INPUT: &str = r#"def read_input(name, repeated=False):
    """Return a preset value for `name`, or ask on stdin; text is read as a Python literal
    when it is one."""
    if name in PRESETS:
        value = PRESETS[name]
        if not repeated:
            return value
        # A repeated read takes the next value of a list preset; a single value counts once.
        remaining = value if isinstance(value, list) else [value]
        if not remaining:
            raise SystemExit(f"no more preset values for {name}")
        PRESETS[name] = remaining[1:]
        return remaining[0]
    text = input($PROMPT)
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
"#;
