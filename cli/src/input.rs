//! Reading the user's input: a `.mmd` file, a Markdown file with ```mermaid fences, a marimo
//! notebook, or stdin (`-`), and turning byte offsets back into `FILE:LINE:COL`.

use std::io::Read;
use std::path::{Path, PathBuf};

use hexa_flowchart::markdown;
use hexa_flowchart::{Diagnostic, Document, LineIndex};

/// A problem to report as `FILE:LINE:COL: severity: message`, then exit 2.
#[derive(Debug)]
pub struct UserError {
    /// The located lines to print.
    pub lines: Vec<String>,
}

impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.lines.join("\n"))
    }
}

impl std::error::Error for UserError {}

impl UserError {
    /// An error at line 1, column 1 of `name`.
    pub fn at_start(name: &str, message: impl std::fmt::Display) -> Self {
        UserError {
            lines: vec![format!("{name}:1:1: error: {message}")],
        }
    }
}

/// The text as read, with its display name.
pub struct SourceFile {
    /// Name for messages (`-` becomes `<stdin>`).
    pub name: String,
    /// The path, `None` for stdin.
    pub path: Option<PathBuf>,
    /// The whole text.
    pub text: String,
}

/// Reads `path`, or stdin when it is `-`.
pub fn read_source(path: &Path) -> Result<SourceFile, UserError> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| UserError::at_start("<stdin>", format!("failed to read stdin: {e}")))?;
        return Ok(SourceFile {
            name: "<stdin>".into(),
            path: None,
            text,
        });
    }
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => "file not found".to_string(),
            std::io::ErrorKind::IsADirectory => "is a directory, not a file".to_string(),
            _ => format!("failed to read file: {e}"),
        };
        UserError::at_start(&name, reason)
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]);
        let (line, col) = position(&prefix, valid);
        UserError {
            lines: vec![format!(
                "{name}:{line}:{col}: error: file is not valid UTF-8"
            )],
        }
    })?;
    // A byte-order mark is not part of the chart.
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    Ok(SourceFile {
        name,
        path: Some(path.to_path_buf()),
        text,
    })
}

/// What kind of file this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Mermaid text.
    Mermaid,
    /// Markdown with fences.
    Markdown,
    /// A Python file (a marimo notebook).
    Python,
}

/// Guesses the kind from the extension, then from the content for stdin.
pub fn kind_of(source: &SourceFile) -> Kind {
    let extension = source
        .path
        .as_ref()
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("md" | "markdown") => Kind::Markdown,
        Some("py") => Kind::Python,
        Some(_) => Kind::Mermaid,
        None if source.text.contains("```mermaid") || source.text.contains("~~~mermaid") => {
            Kind::Markdown
        }
        None if source.text.contains("marimo.App(") => Kind::Python,
        None => Kind::Mermaid,
    }
}

/// A flowchart taken from a file: its text and where that text starts in the file.
pub struct Chart {
    /// The flowchart text.
    pub text: String,
    /// Byte offset of `text` in the file.
    pub offset: usize,
    /// The parsed document (spans relative to `text`).
    pub document: Document,
}

/// Picks the flowchart and parses it, failing on parse errors.
pub fn chart(source: &SourceFile, index: Option<usize>) -> Result<Chart, UserError> {
    let chart = parsed(source, index)?;
    let errors: Vec<&Diagnostic> = chart
        .document
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    if !errors.is_empty() {
        let lines = errors
            .iter()
            .map(|d| format_diagnostic(source, &chart, d))
            .collect();
        return Err(UserError { lines });
    }
    Ok(chart)
}

/// Picks the flowchart (the whole file, or the `index`-th (1-based) flowchart fence of a
/// Markdown file) and parses it; parse errors stay in the document.
pub fn parsed(source: &SourceFile, index: Option<usize>) -> Result<Chart, UserError> {
    let (text, offset) = match kind_of(source) {
        Kind::Markdown => {
            let blocks: Vec<_> = markdown::mermaid_blocks(&source.text)
                .into_iter()
                .filter(|b| b.is_flowchart)
                .collect();
            let wanted = index.unwrap_or(1);
            if wanted == 0 {
                return Err(UserError::at_start(&source.name, "--index counts from 1"));
            }
            match blocks.into_iter().nth(wanted - 1) {
                // Blank lines in front of the fence's text make every position the parser
                // reports, in spans and in messages, a position in the Markdown file.
                Some(block) => {
                    let padding = "\n".repeat(block.line);
                    let offset = block.offset.saturating_sub(block.line);
                    (padding + &block.text, offset)
                }
                None if wanted == 1 => {
                    return Err(UserError::at_start(
                        &source.name,
                        "no ```mermaid fence with a flowchart found in this Markdown file",
                    ));
                }
                None => {
                    return Err(UserError::at_start(
                        &source.name,
                        format!("no flowchart fence number {wanted} in this Markdown file"),
                    ));
                }
            }
        }
        _ => {
            if index.is_some_and(|i| i != 1) {
                return Err(UserError::at_start(
                    &source.name,
                    "--index applies to Markdown files only",
                ));
            }
            (source.text.clone(), 0)
        }
    };
    let document = hexa_flowchart::parse(&text);
    Ok(Chart {
        text,
        offset,
        document,
    })
}

/// `FILE:LINE:COL: severity[code]: message` with 1-based line and character column.
pub fn format_diagnostic(source: &SourceFile, chart: &Chart, diagnostic: &Diagnostic) -> String {
    let (line, col) = position(&source.text, chart.offset + diagnostic.span.start);
    format!(
        "{}:{line}:{col}: {}[{}]: {}",
        source.name, diagnostic.severity, diagnostic.code, diagnostic.message
    )
}

/// 1-based line and character column of a byte offset.
pub fn position(text: &str, offset: usize) -> (usize, usize) {
    let index = LineIndex::new(text);
    let pos = index.position(text, offset);
    (pos.line + 1, pos.char_col + 1)
}

/// Parses `NAME=VALUE` from `--set`.
pub fn parse_assignment(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=VALUE, got `{text}`"))?;
    let name = name.trim();
    let valid = !name.is_empty()
        && name
            .chars()
            .next()
            .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric());
    if !valid {
        return Err(format!("`{name}` is not a valid Python name"));
    }
    Ok((name.to_string(), value.to_string()))
}
