//! `hexa check`: flowchart diagnostics for charts, marimo's own checks for notebooks, both
//! printed as `FILE:LINE:COL: severity[code]: message` or as JSON.

use std::path::{Path, PathBuf};

use anyhow::Context;
use hexa_marimo::Severity as MarimoSeverity;
use serde::Serialize;

use crate::input::{self, Kind, UserError};
use crate::python;

/// Output format of `hexa check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One line per finding.
    Text,
    /// One JSON object with a `diagnostics` array.
    Json,
}

/// Arguments of `hexa check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// A flowchart (.mmd, .md, - for stdin) or a marimo notebook (.py).
    pub input: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// In a Markdown file, check the N-th flowchart fence (counting from 1).
    #[arg(long, value_name = "N")]
    pub index: Option<usize>,
}

/// One finding, as printed.
#[derive(Debug, Serialize)]
pub struct Finding {
    /// File name as given.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// `error`, `warning` or `info`.
    pub severity: String,
    /// Stable code (`F002`, `MB002`, ...).
    pub code: String,
    /// The message.
    pub message: String,
}

/// Runs the command and returns the exit code: 1 when an error was found.
pub fn run(args: &CheckArgs, python_flag: Option<&Path>) -> anyhow::Result<i32> {
    let source = input::read_source(&args.input)?;
    let findings = match input::kind_of(&source) {
        Kind::Python => notebook_findings(&source, python_flag)?,
        Kind::Mermaid | Kind::Markdown => chart_findings(&source, args.index)?,
    };
    let text = match args.format {
        Format::Text => findings
            .iter()
            .map(|f| {
                let (file, line, column) = (&f.file, f.line, f.column);
                format!(
                    "{file}:{line}:{column}: {}[{}]: {}\n",
                    f.severity, f.code, f.message
                )
            })
            .collect::<String>(),
        Format::Json => {
            let value = serde_json::json!({ "file": source.name, "diagnostics": findings });
            format!("{}\n", serde_json::to_string_pretty(&value)?)
        }
    };
    crate::output::print_stdout(&text).context("failed to write to stdout")?;
    Ok(if findings.iter().any(|f| f.severity == "error") {
        1
    } else {
        0
    })
}

fn chart_findings(
    source: &input::SourceFile,
    index: Option<usize>,
) -> Result<Vec<Finding>, UserError> {
    let chart = match input::chart(source, index) {
        Ok(chart) => chart,
        Err(_) if matches!(input::kind_of(source), Kind::Mermaid) => {
            // Parse errors are findings here, not a failure to run the command.
            let document = hexa_flowchart::parse(&source.text);
            input::Chart {
                text: source.text.clone(),
                offset: 0,
                document,
            }
        }
        Err(error) => return Err(error),
    };
    let mut diagnostics = chart.document.diagnostics.clone();
    if !chart.document.has_errors() {
        diagnostics.extend(hexa_flowchart::check(&chart.document));
    }
    Ok(diagnostics
        .iter()
        .map(|d| {
            let (line, column) = input::position(&source.text, chart.offset + d.span.start);
            Finding {
                file: source.name.clone(),
                line,
                column,
                severity: d.severity.to_string(),
                code: d.code.to_string(),
                message: d.message.clone(),
            }
        })
        .collect())
}

fn notebook_findings(
    source: &input::SourceFile,
    python_flag: Option<&Path>,
) -> anyhow::Result<Vec<Finding>> {
    let bridge = python::start(python_flag)?;
    let path = source
        .path
        .clone()
        .unwrap_or_else(|| PathBuf::from("stdin.py"));
    let diagnostics = bridge
        .check(&source.text, &path)
        .map_err(|e| UserError::at_start(&source.name, e))?;
    Ok(diagnostics
        .into_iter()
        .map(|d| Finding {
            file: source.name.clone(),
            line: d.line.unwrap_or(1),
            column: d.column.unwrap_or(1).max(1),
            severity: match d.severity {
                MarimoSeverity::Breaking => "error".into(),
                _ => "warning".into(),
            },
            code: d.code,
            message: d.message,
        })
        .collect())
}
