//! `hexa check`: flowchart diagnostics for charts; for marimo notebooks, hexa's own checks
//! (no Python) and then marimo's lint through the bridge. Everything prints as
//! `FILE:LINE:COL: severity[code]: message`, or as JSON.

use std::path::{Path, PathBuf};

use anyhow::Context;
use hexa_flowchart::notebook::{self, CheckOptions};
use hexa_flowchart::{LineIndex, Span};
use hexa_marimo::Severity as MarimoSeverity;
use serde::Serialize;

use crate::input::{self, Kind, UserError};
use crate::python;

/// Output format of `hexa check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One line per finding.
    Text,
    /// One JSON object with `diagnostics` and `fixes` arrays.
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
    /// Apply the safe fixes to the notebook file in place and print each one, then check the
    /// result.
    #[arg(long)]
    pub fix: bool,
    /// Count every warning as an error, risky calls (S001-S007) included.
    #[arg(long)]
    pub strict: bool,
    /// Run only hexa's own checks on a notebook, without starting Python and marimo.
    #[arg(long)]
    pub fast: bool,
}

/// One finding, as printed.
#[derive(Debug, Serialize)]
pub struct Finding {
    /// File name as given.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// 1-based line where the range ends, when the range is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<usize>,
    /// 1-based column where the range ends (exclusive), when the range is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<usize>,
    /// `error`, `warning` or `info`; `fixed` for a fix `--fix` applied.
    pub severity: String,
    /// Stable code (`F002`, `P002`, `MB002`, ...).
    pub code: String,
    /// The message.
    pub message: String,
    /// 1-based number of the notebook cell, in file order with the setup cell counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<usize>,
    /// `hexa` or `marimo`.
    pub source: &'static str,
}

/// Runs the command and returns the exit code: 1 when an error was found.
pub fn run(args: &CheckArgs, python_flag: Option<&Path>) -> anyhow::Result<i32> {
    let source = input::read_source(&args.input)?;
    let (mut findings, fixes) = match input::kind_of(&source) {
        Kind::Python => notebook_findings(&source, args, python_flag)?,
        Kind::Mermaid | Kind::Markdown => {
            if args.fix {
                return Err(UserError::at_start(
                    &source.name,
                    "--fix rewrites marimo notebooks (.py) only",
                )
                .into());
            }
            (chart_findings(&source, args.index)?, Vec::new())
        }
    };
    if args.strict {
        for finding in &mut findings {
            if finding.severity == "warning" {
                finding.severity = "error".into();
            }
        }
    }

    let text = match args.format {
        Format::Text => fixes
            .iter()
            .chain(&findings)
            .map(text_line)
            .collect::<String>(),
        Format::Json => {
            let value = serde_json::json!({
                "file": source.name,
                "diagnostics": findings,
                "fixes": fixes,
            });
            format!("{}\n", serde_json::to_string_pretty(&value)?)
        }
    };
    crate::output::print_stdout(&text).context("failed to write to stdout")?;
    Ok(i32::from(findings.iter().any(|f| f.severity == "error")))
}

fn text_line(finding: &Finding) -> String {
    let (file, line, column) = (&finding.file, finding.line, finding.column);
    format!(
        "{file}:{line}:{column}: {}[{}]: {}\n",
        finding.severity, finding.code, finding.message
    )
}

fn chart_findings(
    source: &input::SourceFile,
    index: Option<usize>,
) -> Result<Vec<Finding>, UserError> {
    // Parse errors are findings here, not a failure to run the command.
    let chart = input::parsed(source, index)?;
    let mut diagnostics = chart.document.diagnostics.clone();
    if !chart.document.has_errors() {
        diagnostics.extend(hexa_flowchart::check(&chart.document));
    }
    let positions = Positions::new(&source.text);
    Ok(diagnostics
        .iter()
        .map(|d| {
            let span = d.span.shifted(chart.offset);
            let mut finding = positions.finding(&source.name, span, d.severity.to_string());
            finding.code = d.code.to_string();
            finding.message = d.message.clone();
            finding.end_line = None;
            finding.end_column = None;
            finding
        })
        .collect())
}

/// Runs `--fix` when asked, hexa's checks, then marimo's unless `--fast`. Returns the
/// findings and the applied fixes, both located in the file as it was when read.
fn notebook_findings(
    source: &input::SourceFile,
    args: &CheckArgs,
    python_flag: Option<&Path>,
) -> anyhow::Result<(Vec<Finding>, Vec<Finding>)> {
    let mut text = source.text.clone();
    let mut fixes = Vec::new();
    if args.fix {
        let Some(path) = &source.path else {
            return Err(UserError::at_start(&source.name, "--fix needs a file, not stdin").into());
        };
        let fixed = notebook::fix_notebook(&text);
        let positions = Positions::new(&text);
        for fix in &fixed.fixes {
            let mut finding = positions.finding(&source.name, fix.span, "fixed".into());
            finding.code = fix.code.to_string();
            finding.message = fix.message.clone();
            finding.cell = Some(fix.cell + 1);
            fixes.push(finding);
        }
        if fixed.text != text {
            crate::output::write_output(path, &fixed.text, true)?;
            text = fixed.text;
        }
    }

    let report = notebook::check_notebook(
        &text,
        CheckOptions {
            strict: args.strict,
        },
    );
    let positions = Positions::new(&text);
    let mut findings: Vec<Finding> = report
        .diagnostics
        .iter()
        .map(|found| {
            let d = &found.diagnostic;
            let mut finding = positions.finding(&source.name, d.span, d.severity.to_string());
            finding.code = d.code.to_string();
            finding.message = d.message.clone();
            finding.cell = found.cell.map(|cell| cell + 1);
            finding
        })
        .collect();
    if !args.fast {
        findings.extend(marimo_findings(source, &text, args.strict, python_flag)?);
    }
    Ok((findings, fixes))
}

fn marimo_findings(
    source: &input::SourceFile,
    text: &str,
    strict: bool,
    python_flag: Option<&Path>,
) -> anyhow::Result<Vec<Finding>> {
    let bridge = python::start(python_flag)?;
    let path = source
        .path
        .clone()
        .unwrap_or_else(|| PathBuf::from("stdin.py"));
    let diagnostics = bridge
        .check(text, &path)
        .map_err(|e| UserError::at_start(&source.name, e))?;
    Ok(diagnostics
        .into_iter()
        .map(|d| Finding {
            file: source.name.clone(),
            line: d.line.unwrap_or(1),
            column: d.column.unwrap_or(1).max(1),
            end_line: None,
            end_column: None,
            severity: match d.severity {
                MarimoSeverity::Breaking => "error".into(),
                _ if strict => "error".into(),
                _ => "warning".into(),
            },
            code: d.code,
            message: d.message,
            cell: None,
            source: "marimo",
        })
        .collect())
}

/// Turns byte spans of one text into 1-based lines and character columns.
struct Positions<'a> {
    text: &'a str,
    index: LineIndex,
}

impl<'a> Positions<'a> {
    fn new(text: &'a str) -> Self {
        Positions {
            text,
            index: LineIndex::new(text),
        }
    }

    /// A hexa finding at `span`, with an empty code and message for the caller to fill.
    fn finding(&self, file: &str, span: Span, severity: String) -> Finding {
        let start = self.index.position(self.text, span.start);
        let end = self.index.position(self.text, span.end);
        Finding {
            file: file.to_owned(),
            line: start.line + 1,
            column: start.char_col + 1,
            end_line: Some(end.line + 1),
            end_column: Some(end.char_col + 1),
            severity,
            code: String::new(),
            message: String::new(),
            cell: None,
            source: "hexa",
        }
    }
}
