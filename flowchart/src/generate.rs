//! The generation pipeline: parsed chart → program model → structure → script or notebook,
//! with every cell checked by the tree-sitter pass before anything is returned.

use crate::ast::Document;
use crate::marimo::{self, NotebookOptions};
use crate::program;
use crate::pytext;
use crate::python::{self, ScriptOptions};
use crate::structure::{self, Program};
use crate::validate::{self, CellIssue};

/// The kind of file to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A marimo notebook (`.py`).
    Notebook,
    /// A plain Python script.
    Script,
    /// A module with one importable function of this name, whose parameters are the inputs.
    Function(String),
}

/// Generation options.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Values from `--set NAME=VALUE`, raw text.
    pub presets: Vec<(String, String)>,
    /// Title; defaults to the chart's front-matter title.
    pub title: Option<String>,
    /// Whether a script's read shows its `NAME: ` prompt even when stdin is not a terminal.
    /// The kernel sets it because its input box is the only place a prompt can show. A plain
    /// script shows the prompt on a terminal only, so piped input gives clean output.
    pub always_prompt: bool,
}

/// The generated file and its source map.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The file content.
    pub text: String,
    /// For each line of `text` (0-based), the index of the chart node it came from.
    pub line_nodes: Vec<Option<usize>>,
    /// True when the chart could not be nested and became a state machine.
    pub state_machine: bool,
    /// Names the flow reads, in order.
    pub inputs: Vec<String>,
}

impl Generated {
    /// The source map by node: for each chart node index, the 1-based, inclusive line ranges
    /// of the generated text that came from it (a node copied into two branches has two).
    pub fn node_ranges(&self) -> std::collections::BTreeMap<usize, Vec<(usize, usize)>> {
        let mut ranges: std::collections::BTreeMap<usize, Vec<(usize, usize)>> = Default::default();
        let mut previous: Option<usize> = None;
        for (index, node) in self.line_nodes.iter().enumerate() {
            let line = index + 1;
            if let Some(node) = *node {
                let list = ranges.entry(node).or_default();
                match list.last_mut() {
                    Some(range) if previous == Some(node) && range.1 + 1 == line => range.1 = line,
                    _ => list.push((line, line)),
                }
            }
            previous = *node;
        }
        ranges
    }
}

/// A generation failure.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// The chart has parse errors; they are in the document's diagnostics.
    #[error("the flowchart has {0} error(s)")]
    InvalidChart(usize),
    /// A generated cell failed the tree-sitter check: a bug in hexa, reported with the cell.
    #[error("internal error: generated cell {cell} is invalid: {message}\n{code}")]
    InvalidCell {
        /// 1-based cell number.
        cell: usize,
        /// What is wrong.
        message: String,
        /// The cell's code.
        code: String,
    },
    /// `--function NAME` with a name that is not a Python identifier or that the chart uses.
    #[error(
        "`{name}` cannot name the function: it must be a Python identifier the chart does not use"
    )]
    InvalidFunctionName {
        /// The name given.
        name: String,
    },
    /// A `--set` value that does not fit its input.
    #[error("invalid value for `{name}`: {message}")]
    InvalidPreset {
        /// The input.
        name: String,
        /// Why the value does not fit.
        message: String,
    },
    /// A `--set` name that the chart does not read.
    #[error("the flowchart has no input named `{name}`; its inputs are: {available}")]
    UnknownPreset {
        /// The name given.
        name: String,
        /// The chart's inputs, comma-separated.
        available: String,
    },
}

/// Generates a notebook or script from a parsed chart. `diagram` is the chart's source text,
/// shown in the notebook through `mo.mermaid`.
pub fn generate(
    doc: &Document,
    diagram: &str,
    target: Target,
    options: &Options,
) -> Result<Generated, GenerateError> {
    let errors = doc.diagnostics.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        return Err(GenerateError::InvalidChart(errors));
    }
    let mut chart = program::build(doc);
    let mut ids: Vec<String> = doc.nodes.iter().map(|n| n.id.clone()).collect();
    ids.extend(chart.extra_ids.iter().cloned());
    let mut taken = chart.names.clone();
    let functions = crate::subgraphs::extract(doc, &mut chart, &mut taken);
    for function in &functions {
        // Node ids of the function's exit node and of its call node, in the order
        // `extract` appended them.
        ids.push(format!("{}_exit", function.name));
        ids.push(function.name.clone());
        chart.names.insert(function.name.clone());
    }
    chart.functions = functions;
    let input_names: Vec<String> = chart.inputs.iter().map(|i| i.name.clone()).collect();
    let mut presets = Vec::new();
    for (given, value) in &options.presets {
        let Some(name) = resolve_input(&input_names, given) else {
            return Err(GenerateError::UnknownPreset {
                name: given.clone(),
                available: if input_names.is_empty() {
                    "(none)".into()
                } else {
                    input_names.join(", ")
                },
            });
        };
        let numeric = chart
            .inputs
            .iter()
            .any(|i| i.name == name && i.numeric && !i.repeated);
        if numeric && value.trim().parse::<f64>().is_err() {
            return Err(GenerateError::InvalidPreset {
                name: given.clone(),
                message: format!(
                    "the chart computes with `{given}`, so it needs a number, not `{value}`"
                ),
            });
        }
        presets.push((name, value.clone()));
    }
    let mut program = structure::structure(&chart.flow);
    crate::counted::rewrite(&mut program, &chart);
    let title = options.title.clone().or_else(|| doc.title.clone());
    let state_machine = matches!(program, Program::StateMachine { .. });
    let inputs = chart.inputs.iter().map(|i| i.name.clone()).collect();
    let (text, line_nodes) = match target {
        Target::Function(name) => {
            if !pytext::is_identifier(&name) || chart.names.contains(&name) {
                return Err(GenerateError::InvalidFunctionName { name });
            }
            let text = python::function_module(&chart, &program, ids, &name, title.as_deref());
            check_cells(&[text.as_str()])?;
            let line_nodes = script_line_nodes(&text, doc);
            (text, line_nodes)
        }
        Target::Script => {
            let presets = presets
                .iter()
                .map(|(name, value)| (name.clone(), python_value(value)))
                .collect();
            let script_options = ScriptOptions {
                presets,
                title,
                always_prompt: options.always_prompt,
            };
            let (text, _) = python::script(&chart, &program, ids, &script_options);
            check_cells(&[text.as_str()])?;
            let line_nodes = script_line_nodes(&text, doc);
            (text, line_nodes)
        }
        Target::Notebook => {
            let notebook_options = NotebookOptions {
                title: title.clone(),
                presets: presets.clone(),
            };
            let cells = marimo::cells(&chart, &program, ids, diagram, &notebook_options);
            let codes: Vec<&str> = cells.iter().map(|c| c.code.as_str()).collect();
            check_cells(&codes)?;
            marimo::notebook_file(&cells, title.as_deref())
        }
    };
    Ok(Generated {
        text,
        line_nodes,
        state_machine,
        inputs,
    })
}

fn check_cells(cells: &[&str]) -> Result<(), GenerateError> {
    let issues: Vec<CellIssue> = validate::validate_cells(cells)
        .into_iter()
        .filter(|issue| issue.severity == crate::diagnostic::Severity::Error)
        .collect();
    match issues.first() {
        None => Ok(()),
        Some(issue) => Err(GenerateError::InvalidCell {
            cell: issue.cell + 1,
            message: issue.message.clone(),
            code: cells
                .get(issue.cell)
                .map(|c| c.to_string())
                .unwrap_or_default(),
        }),
    }
}

/// Maps script lines back to nodes: a `# node: ID` marker starts a node's lines, which run
/// until the next marker or a line with less indentation than the marked one.
fn script_line_nodes(text: &str, doc: &Document) -> Vec<Option<usize>> {
    let index: std::collections::HashMap<&str, usize> = doc
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| (node.id.as_str(), i))
        .collect();
    marker_line_nodes(text, |id| index.get(id).copied())
}

/// Line → node from `# node: ID` markers, resolving ids with `lookup`.
pub fn marker_line_nodes<T: Clone>(
    text: &str,
    lookup: impl Fn(&str) -> Option<T>,
) -> Vec<Option<T>> {
    let mut current: Option<(T, usize)> = None;
    text.lines()
        .map(|line| {
            let indent = line.len() - line.trim_start().len();
            if let Some((_, id)) = line.rsplit_once(python::NODE_MARKER) {
                current = lookup(id.trim()).map(|node| (node, indent));
            } else if current
                .as_ref()
                .is_some_and(|(_, start)| indent < *start || line.trim().is_empty())
            {
                current = None;
            }
            current.as_ref().map(|(node, _)| node.clone())
        })
        .collect()
}

/// Finds the input a `--set` name refers to: the name itself, or the name with the `_` hexa adds
/// when a chart variable shadows a builtin (`sum` is written `sum_`).
pub fn resolve_input(inputs: &[String], given: &str) -> Option<String> {
    if inputs.iter().any(|name| name == given) {
        return Some(given.to_string());
    }
    let renamed = format!("{given}_");
    inputs.iter().find(|name| **name == renamed).cloned()
}

/// Renders a `--set` value as Python: a literal as written, anything else as a string.
pub fn python_value(raw: &str) -> String {
    if pytext::is_literal(raw.trim()) {
        raw.trim().to_string()
    } else {
        pytext::string_literal(raw)
    }
}
