//! marimo notebook emission: cells laid out as `import marimo as mo`, the diagram, one
//! widget per input, helpers and stubs, then the flow.

use std::collections::BTreeSet;

use crate::program::ChartProgram;
use crate::pyscope;
use crate::pytext;
use crate::python::{self, FlowWriter, Line, ReadStyle};
use crate::structure::Program;

/// The marimo version whose file format the notebook follows.
pub const MARIMO_VERSION: &str = "0.25.2";

/// A notebook cell's body plus where its lines came from.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The body, dedented, ending in a newline.
    pub code: String,
    /// For the flow cell: per body line, the chart node it came from.
    pub lines: Vec<Option<usize>>,
    /// Hide the code in the editor (the diagram cell).
    pub hide_code: bool,
}

/// Options for the notebook.
#[derive(Debug, Clone, Default)]
pub struct NotebookOptions {
    /// `app_title`.
    pub title: Option<String>,
    /// Widget defaults from `--set`, as raw text.
    pub presets: Vec<(String, String)>,
}

/// Names of the notebook's own helpers. Each is its usual name unless the chart uses that
/// name, in which case it gets trailing `_` until it is free: the chart's names win, since
/// `--set NAME=...` refers to them.
pub struct Helpers {
    names: Vec<(&'static str, String)>,
}

const HELPER_NAMES: &[&str] = &[
    "flow",
    "literal",
    "values",
    "next_value",
    "InputExhausted",
    "run_flow",
    "printed",
    "final",
];

impl Helpers {
    /// Picks helper names that no chart name takes.
    pub fn new(chart: &ChartProgram) -> Self {
        let names = HELPER_NAMES
            .iter()
            .map(|&base| {
                let mut name = base.to_string();
                while chart.names.contains(&name) {
                    name.push('_');
                }
                (base, name)
            })
            .collect();
        Helpers { names }
    }

    /// The name used for the helper usually called `base`.
    pub fn get<'a>(&'a self, base: &'a str) -> &'a str {
        self.names
            .iter()
            .find(|(b, _)| *b == base)
            .map(|(_, name)| name.as_str())
            .unwrap_or(base)
    }

    /// Applies the chosen names to helper code written with the usual names.
    fn apply(&self, code: &str) -> String {
        if self.names.iter().all(|(base, name)| base == name) {
            return code.to_string();
        }
        pytext::rename_names(code, |name| {
            self.names
                .iter()
                .find(|(base, new)| *base == name && base != new)
                .map(|(_, new)| new.clone())
        })
    }
}

/// Builds the cells of the notebook.
pub fn cells(
    chart: &ChartProgram,
    program: &Program,
    ids: Vec<String>,
    diagram: &str,
    options: &NotebookOptions,
) -> Vec<Cell> {
    let helper_names = Helpers::new(chart);
    let mut cells = vec![plain("import marimo as mo\n")];
    let mut diagram_cell = plain(&format!(
        "mo.mermaid(\n    {}\n)\n",
        pytext::block_literal(&dedent(diagram))
    ));
    diagram_cell.hide_code = true;
    cells.push(diagram_cell);
    for input in &chart.inputs {
        let preset = options
            .presets
            .iter()
            .find(|(name, _)| *name == input.name)
            .map(|(_, v)| v.as_str());
        // The label shows the chart's own name, without the `_` added to avoid a builtin.
        let shown = match input.name.strip_suffix('_') {
            Some(base) if !base.is_empty() && !base.ends_with('_') => base,
            _ => input.name.as_str(),
        };
        let label = if input.repeated {
            format!("{shown} (one value per read, separated by commas)")
        } else {
            shown.to_string()
        };
        let widget = match preset {
            Some(value)
                if input.numeric && !input.repeated && value.trim().parse::<f64>().is_ok() =>
            {
                format!(
                    "mo.ui.number(value={}, label={})",
                    value.trim(),
                    pytext::string_literal(&label)
                )
            }
            None if input.numeric && !input.repeated => {
                format!(
                    "mo.ui.number(value=0, label={})",
                    pytext::string_literal(&label)
                )
            }
            _ => format!(
                "mo.ui.text(value={}, label={})",
                pytext::string_literal(widget_text(preset.unwrap_or(""))),
                pytext::string_literal(&label)
            ),
        };
        cells.push(plain(&format!(
            "{} = {widget}\n{}\n",
            input.name, input.name
        )));
    }
    let needs_literal = chart.inputs.iter().any(|i| !i.numeric || i.repeated);
    let needs_values = chart.inputs.iter().any(|i| i.repeated);
    let mut helpers = String::from(RUN_FLOW_IMPORTS);
    if needs_literal {
        helpers.push_str("import ast\n");
    }
    helpers.push_str("\n\n");
    if needs_values {
        helpers.push_str(&RUN_FLOW.replace(RUN_FLOW_CALL, RUN_FLOW_CALL_WITH_VALUES));
    } else {
        helpers.push_str(RUN_FLOW);
    }
    if needs_literal {
        helpers.push_str("\n\n");
        helpers.push_str(LITERAL);
    }
    if needs_values {
        helpers.push_str("\n\n");
        helpers.push_str(VALUES);
    }
    let mut helpers = helper_names.apply(&helpers);
    let stubs = python::stub_definitions(chart);
    if !stubs.is_empty() {
        helpers.push_str("\n\n");
        helpers.push_str(&stubs);
    }
    cells.push(plain(&helpers));
    cells.push(flow_cell(chart, program, ids, &helper_names));
    cells.push(output_cell(chart, &helper_names));
    cells
}

/// Returns the text a text widget shows for a `--set` value: a quoted string without its quotes,
/// anything else as written (the flow reads the text as a Python literal).
fn widget_text(value: &str) -> &str {
    let trimmed = value.trim();
    for quote in ['"', '\''] {
        if trimmed.len() >= 2
            && trimmed.starts_with(quote)
            && trimmed.ends_with(quote)
            && !trimmed[1..trimmed.len() - 1].contains(quote)
        {
            return &trimmed[1..trimmed.len() - 1];
        }
    }
    value
}

fn plain(code: &str) -> Cell {
    Cell {
        code: code.to_string(),
        lines: Vec::new(),
        hide_code: false,
    }
}

fn line(indent: usize, text: impl Into<String>) -> Line {
    Line {
        indent,
        text: text.into(),
        node: None,
    }
}

fn flow_cell(chart: &ChartProgram, program: &Program, ids: Vec<String>, names: &Helpers) -> Cell {
    let mut params = Vec::new();
    let flow = names.get("flow");
    let mut args = vec![flow.to_string()];
    for input in &chart.inputs {
        if input.repeated {
            params.push(format!("{}_values", input.name));
            args.push(format!("{}({}.value)", names.get("values"), input.name));
        } else if input.numeric {
            params.push(input.name.clone());
            args.push(format!("{}.value", input.name));
        } else {
            params.push(input.name.clone());
            args.push(format!("{}({}.value)", names.get("literal"), input.name));
        }
    }
    let body = FlowWriter::new(chart, ids.clone(), ReadStyle::Parameter)
        .with_next_value(names.get("next_value"))
        .render(program, 1);
    let ends_in_return = body
        .last()
        .is_some_and(|l| l.indent == 1 && l.text.starts_with("return"));
    let mut lines: Vec<Line> =
        python::function_definitions(chart, &ids, ReadStyle::Parameter, names.get("next_value"));
    lines.extend([
        line(0, format!("def {flow}({}):", params.join(", "))),
        line(
            1,
            "# `# node: ID` marks where the code of flowchart node ID starts.",
        ),
    ]);
    lines.extend(body);
    if !ends_in_return {
        lines.push(line(1, "return locals()"));
    }
    lines.push(line(0, ""));
    lines.push(line(0, ""));
    lines.push(line(
        0,
        format!(
            "{}, {} = {}({})",
            names.get("printed"),
            names.get("final"),
            names.get("run_flow"),
            args.join(", ")
        ),
    ));
    let code = python::join_lines(&lines, &ids, 0);
    let code: String = code
        .lines()
        .map(|l| format!("{}\n", l.trim_end()))
        .collect();
    Cell {
        code,
        lines: lines.iter().map(|l| l.node).collect(),
        hide_code: false,
    }
}

/// Builds the last cell, which shows what the flow printed and its final variables.
fn output_cell(chart: &ChartProgram, names: &Helpers) -> Cell {
    let hidden: Vec<String> = chart
        .inputs
        .iter()
        .filter(|i| i.repeated)
        .map(|i| pytext::string_literal(&format!("{}_values", i.name)))
        .collect();
    // The iterators behind repeated reads are parameters of the flow, not results.
    let filter = match hidden.as_slice() {
        [] => String::new(),
        [one] => format!("\n            if _name != {one}"),
        many => format!("\n            if _name not in ({})", many.join(", ")),
    };
    let code = format!(
        r#"if isinstance(final, dict):
    _values = mo.ui.table(
        [
            {{"name": _name, "value": repr(_value)}}
            for _name, _value in final.items(){filter}
        ],
        selection=None,
    )
else:
    _values = mo.plain_text(repr(final))
mo.vstack(
    [
        mo.md("**Printed**"),
        mo.plain_text(printed or "(nothing)"),
        mo.md("**Final values**"),
        _values,
    ]
)
"#
    );
    plain(&names.apply(&code))
}

/// Removes the common leading whitespace so `---` front matter starts at column 0, and
/// empties lines that hold only whitespace.
pub fn dedent(text: &str) -> String {
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out = String::new();
    for line in text.trim_matches('\n').lines() {
        // Whitespace-only lines become empty, as marimo writes them back when it saves.
        if !line.trim().is_empty() {
            out.push_str(line.get(indent..).unwrap_or(line.trim_start()));
        }
        out.push('\n');
    }
    out.trim_end().to_string() + "\n"
}

/// Writes the notebook file and returns it with, per file line (0-based), the chart node.
pub fn notebook_file(cells: &[Cell], title: Option<&str>) -> (String, Vec<Option<usize>>) {
    let mut out = String::new();
    let mut map: Vec<Option<usize>> = Vec::new();
    let app = match title {
        Some(title) => {
            let title = format!("app_title={}", pytext::string_literal(title));
            tuple_elements(
                "app = marimo.App(...)",
                &["width=\"medium\"", &title],
                false,
            )
        }
        None => "app = marimo.App(width=\"medium\")".to_string(),
    };
    let header = format!("import marimo\n\n__generated_with = \"{MARIMO_VERSION}\"\n{app}\n");
    push_text(&mut out, &mut map, &header, None);
    let scopes: Vec<pyscope::Scope> = cells.iter().map(|c| pyscope::analyze(&c.code)).collect();
    for (index, cell) in cells.iter().enumerate() {
        let elsewhere = |names: fn(&pyscope::Scope) -> &BTreeSet<String>| -> BTreeSet<&String> {
            let other_cells = scopes.iter().enumerate().filter(|(i, _)| *i != index);
            other_cells
                .flat_map(|(_, scope)| names(scope).iter())
                .collect()
        };
        let others = elsewhere(|scope| &scope.defs);
        let params: Vec<&String> = scopes[index]
            .refs
            .iter()
            .filter(|r| others.contains(r))
            .collect();
        // Like marimo's code generator: a cell returns only the names other cells read.
        let read_elsewhere = elsewhere(|scope| &scope.refs);
        let defs: Vec<&String> = scopes[index]
            .defs
            .iter()
            .filter(|d| read_elsewhere.contains(d))
            .collect();
        let decorator = if cell.hide_code {
            "@app.cell(hide_code=True)"
        } else {
            "@app.cell"
        };
        let params: Vec<&str> = params.iter().map(|s| s.as_str()).collect();
        let signature = tuple_elements("def _(...):", &params, false);
        push_text(
            &mut out,
            &mut map,
            &format!("\n\n{decorator}\n{signature}\n"),
            None,
        );
        for (i, line) in cell.code.lines().enumerate() {
            let node = cell.lines.get(i).copied().flatten();
            // Like `textwrap.indent`: lines of only whitespace are not indented.
            let text = if line.trim().is_empty() {
                format!("{line}\n")
            } else {
                format!("    {line}\n")
            };
            push_text(&mut out, &mut map, &text, node);
        }
        if ends_with_definition(&cell.code) {
            push_text(&mut out, &mut map, "\n", None);
        }
        let defs: Vec<&str> = defs.iter().map(|s| s.as_str()).collect();
        let ret = match defs.as_slice() {
            [] => "    return".to_string(),
            [one] => tuple_elements("    return (...)", &[&format!("{one},")], false),
            many => tuple_elements("    return (...)", many, true),
        };
        push_text(&mut out, &mut map, &format!("{ret}\n"), None);
    }
    push_text(
        &mut out,
        &mut map,
        "\n\nif __name__ == \"__main__\":\n    app.run()\n",
        None,
    );
    (out, map)
}

/// Maximum line length marimo's code generator writes before it breaks a tuple over lines.
const MAX_LINE_LENGTH: usize = 80;

/// Replaces `(...)` in `template` with `items` the way marimo 0.25's code generator does:
/// on one line when it fits (without parentheses when `naked`), else one item per line.
fn tuple_elements(template: &str, items: &[&str], naked: bool) -> String {
    let joined = items.join(", ");
    let attempt = if naked {
        template.replace("(...)", &joined)
    } else {
        template.replace("(...)", &format!("({joined})"))
    };
    if attempt.len() < MAX_LINE_LENGTH {
        return attempt;
    }
    let indent = &template[..template.len() - template.trim_start().len()];
    let items: Vec<String> = items
        .iter()
        .map(|item| format!("{indent}    {}", item.trim_end_matches(',')))
        .collect();
    let block = format!("(\n{},\n{indent})", items.join(",\n"));
    template.replace("(...)", &block)
}

/// True when the last top-level statement of `code` is an import, `def` or `class`, after
/// which marimo's code generator leaves a blank line before `return`.
fn ends_with_definition(code: &str) -> bool {
    let Some(tree) = pytext::parse_python(code) else {
        return false;
    };
    let root = tree.root_node();
    let Some(last) = root.named_child(root.named_child_count().saturating_sub(1) as u32) else {
        return false;
    };
    matches!(
        last.kind(),
        "import_statement"
            | "import_from_statement"
            | "future_import_statement"
            | "function_definition"
            | "class_definition"
            | "decorated_definition"
    )
}

fn push_text(out: &mut String, map: &mut Vec<Option<usize>>, text: &str, node: Option<usize>) {
    out.push_str(text);
    map.extend(std::iter::repeat_n(node, text.matches('\n').count()));
}

const RUN_FLOW_IMPORTS: &str = "import contextlib\nimport io\nimport sys\n";

const RUN_FLOW: &str = r#"def run_flow(flow, *args):
    """Run `flow`, echoing what it prints; return the printed text and its result."""
    echo = sys.stdout
    printed = io.StringIO()

    class Tee(io.TextIOBase):
        def write(self, text):
            echo.write(text)
            return printed.write(text)

    with contextlib.redirect_stdout(Tee()):
        result = flow(*args)
    return printed.getvalue(), result
"#;

/// The call in [`RUN_FLOW`], and its replacement when repeated reads can run out of values.
const RUN_FLOW_CALL: &str = "        result = flow(*args)\n";
const RUN_FLOW_CALL_WITH_VALUES: &str = r#"        try:
            result = flow(*args)
        except InputExhausted as error:
            print(error, file=sys.stderr)
            result = None
"#;

const LITERAL: &str = r#"def literal(text):
    """Read widget text as a Python literal when it is one, else keep the text."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
"#;

const VALUES: &str = r#"def values(text):
    """Split widget text into the values of successive reads."""
    if isinstance(text, (list, tuple)):
        return iter(text)
    value = literal(text)
    if isinstance(value, (list, tuple)):
        return iter(value)
    if not str(text).strip():
        return iter(())
    return iter([literal(part.strip()) for part in str(text).split(",")])


class InputExhausted(Exception):
    """Raised when a read finds no value left in its input."""


def next_value(remaining, name):
    """Take the next value of a repeated read."""
    try:
        return next(remaining)
    except StopIteration:
        raise InputExhausted(f"no more values for {name}; add more to its input") from None
"#;
