//! `hexa run`: runs a notebook (or a flowchart, generated in memory) in-process through
//! marimo and reports each cell, mapping errors back to flowchart nodes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use hexa_flowchart::generate::{self, Options, Target};
use hexa_marimo::{CellResult, CellStatus, RunRequest};

use crate::input::{self, Kind, UserError};
use crate::nodes::NodeMap;
use crate::python;

/// Arguments of `hexa run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// A marimo notebook (.py), or a flowchart (.mmd, .md, - for stdin) to generate and run.
    pub input: PathBuf,
    /// Value for an input, read as a Python literal when it is one (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = input::parse_assignment)]
    pub set: Vec<(String, String)>,
    /// In a Markdown file, use the N-th flowchart fence (counting from 1).
    #[arg(long, value_name = "N")]
    pub index: Option<usize>,
    /// Stop the run when it takes longer than this many seconds.
    #[arg(long, value_name = "SECONDS", value_parser = parse_timeout)]
    pub timeout: Option<Duration>,
}

/// Runs the command and returns the process exit code.
pub fn run(args: &RunArgs, python_flag: Option<&Path>) -> anyhow::Result<i32> {
    let source = input::read_source(&args.input)?;
    let (notebook, filename, nodes) = match input::kind_of(&source) {
        Kind::Python => {
            let path = source
                .path
                .clone()
                .unwrap_or_else(|| PathBuf::from("stdin.py"));
            let nodes = NodeMap::from_notebook(&source.text);
            (source.text.clone(), absolute(&path), nodes)
        }
        Kind::Mermaid | Kind::Markdown => {
            let chart = input::chart(&source, args.index)?;
            let generated = generate::generate(
                &chart.document,
                &chart.text,
                Target::Notebook,
                &Options::default(),
            )
            .map_err(|e| UserError::at_start(&source.name, e))?;
            let path = source
                .path
                .as_ref()
                .map(|p| p.with_extension("py"))
                .unwrap_or_else(|| PathBuf::from("stdin.py"));
            let nodes = NodeMap::from_generated(
                &generated.line_nodes,
                &chart.document,
                &source.text,
                chart.offset,
            );
            (generated.text, absolute(&path), nodes)
        }
    };
    let inputs = widget_inputs(&notebook, &args.set);
    let bridge = python::start(python_flag)?;
    let timeout = args.timeout;
    let request = RunRequest {
        source: notebook,
        filename: filename.clone(),
        inputs,
        on_cell: Some(Box::new(print_cell)),
        timeout,
    };
    // The first Ctrl-C interrupts the running cell, and the report shows it as interrupted;
    // a second one exits at once (a cell blocked in native code ignores the interrupt).
    let interrupter = bridge.clone();
    let presses = std::sync::atomic::AtomicUsize::new(0);
    if let Err(error) = ctrlc::set_handler(move || {
        if presses.fetch_add(1, std::sync::atomic::Ordering::SeqCst) > 0 {
            std::process::exit(130);
        }
        interrupter.interrupt();
    }) {
        tracing::warn!(%error, "Ctrl-C handler not installed");
    }
    let report = bridge
        .run(request)
        .map_err(|e| UserError::at_start(&source.name, e))?;
    let mut failed = false;
    let mut stderr = std::io::stderr().lock();
    for cell in &report.cells {
        if cell.status != CellStatus::Error {
            continue;
        }
        failed = true;
        let Some(error) = &cell.error else { continue };
        let line = cell.def_line + error.line_in_cell.unwrap_or(1);
        let node = nodes.at_line(line);
        let (name, cell_number) = (&source.name, cell.index + 1);
        let (ename, evalue) = (&error.ename, &error.evalue);
        let message = match node {
            Some(node) => match node.position {
                Some((chart_line, column)) => format!(
                    "{name}:{chart_line}:{column}: error: {ename}: {evalue} (flowchart node {} \
                     {:?}; line {line} of the generated notebook)",
                    node.id, node.label
                ),
                None => format!(
                    "{name}:{line}:1: error: {ename}: {evalue} (cell {cell_number}, flowchart \
                     node {} {:?})",
                    node.id, node.label
                ),
            },
            None => format!("{name}:{line}:1: error: {ename}: {evalue} (cell {cell_number})"),
        };
        writeln!(stderr, "{message}").context("failed to write to stderr")?;
        write!(stderr, "{}", indent(&error.traceback)).context("failed to write to stderr")?;
    }
    let cancelled = report
        .cells
        .iter()
        .filter(|c| c.status == CellStatus::Cancelled)
        .count();
    if cancelled > 0 {
        writeln!(
            stderr,
            "{cancelled} cell(s) did not run because a cell they depend on failed"
        )
        .context("failed to write to stderr")?;
    }
    Ok(if failed || cancelled > 0 { 1 } else { 0 })
}

/// Maps `--set` names to the widgets of a hexa notebook: `sum` sets the widget `sum_` that
/// hexa wrote for a chart variable named like a builtin. Other names pass unchanged.
fn widget_inputs(notebook: &str, set: &[(String, String)]) -> Vec<(String, String)> {
    let widgets: Vec<String> = notebook
        .lines()
        .filter_map(|line| line.strip_prefix("    ")?.split_once(" = mo.ui."))
        .map(|(name, _)| name.to_string())
        .collect();
    set.iter()
        .map(|(name, value)| {
            let resolved = generate::resolve_input(&widgets, name).unwrap_or_else(|| name.clone());
            (resolved, value.clone())
        })
        .collect()
}

/// Reads `--timeout`: a positive, finite number of seconds.
fn parse_timeout(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if !seconds.is_finite() || seconds <= 0.0 || seconds > 31_536_000.0 {
        return Err(format!(
            "`{text}` is not a positive number of seconds up to a year"
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
}

fn print_cell(cell: &CellResult) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(cell.stdout.as_bytes());
    if let Some(text) = cell.output.as_ref().and_then(|o| o.text.as_ref()) {
        let _ = writeln!(stdout, "{text}");
    }
    let _ = stdout.flush();
    if !cell.stderr.is_empty() {
        let _ = std::io::stderr().write_all(cell.stderr.as_bytes());
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
