//! Flowchart cells: `%%flowchart [--notebook OUT.py] [--set NAME=VALUE]…` or a cell holding
//! only a Mermaid flowchart becomes a diagram, the generated Python and a run of that Python.

mod words;

use std::io::Write;
use std::path::{Path, PathBuf};

use hexa_flowchart::generate::{self, Options, Target};
use serde_json::{Value, json};

/// A flowchart cell split into its options and chart text.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowchartCell {
    /// The Mermaid source.
    pub chart: String,
    /// `--notebook PATH`: also write the marimo notebook there.
    pub notebook: Option<PathBuf>,
    /// `--set NAME=VALUE` presets for the chart's inputs.
    pub presets: Vec<(String, String)>,
    /// Number of cell lines before the chart's first line, counting the `%%flowchart` line.
    /// It lets the kernel report positions in the chart as positions in the cell.
    pub first_line: usize,
}

/// What a flowchart cell shows and runs.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// MIME bundle of the diagram.
    pub diagram: Value,
    /// MIME bundle of the generated Python.
    pub python: Value,
    /// The script to run.
    pub script: String,
    /// A note for the output, such as where the notebook was written.
    pub note: Option<String>,
}

/// Recognises a flowchart cell. Returns `Err` for a `%%flowchart` line with invalid options.
pub fn detect(code: &str) -> Option<Result<FlowchartCell, String>> {
    let trimmed = code.trim_start();
    if let Some(rest) = trimmed.strip_prefix("%%flowchart") {
        let (options, chart) = rest.split_once('\n').unwrap_or((rest, ""));
        let before_options = &code[..code.len() - rest.len()];
        let first_line = before_options.matches('\n').count() + 1;
        return Some(
            parse_options(options)
                .map(|(notebook, presets)| FlowchartCell {
                    chart: chart.to_string(),
                    notebook,
                    presets,
                    first_line,
                })
                .map_err(|error| error.message(before_options)),
        );
    }
    let first = trimmed
        .lines()
        .find(|line| !line.trim().starts_with("%%"))?;
    let keyword = first.split_whitespace().next()?;
    if !matches!(keyword, "flowchart" | "graph" | "flowchart-elk") {
        return None;
    }
    // A Python cell can start with a name `graph`, so only a chart that parses cleanly counts.
    let document = hexa_flowchart::parse(code);
    if document.diagnostics.iter().any(|d| d.is_error()) || document.nodes.is_empty() {
        return None;
    }
    Some(Ok(FlowchartCell {
        chart: code.to_string(),
        notebook: None,
        presets: Vec::new(),
        first_line: 0,
    }))
}

/// `--notebook` path and `--set` presets of a `%%flowchart` line.
type CellOptions = (Option<PathBuf>, Vec<(String, String)>);

/// Error in the options of a `%%flowchart` line.
enum OptionError {
    /// The line has unbalanced quotes or a trailing backslash.
    Split(words::SplitError),
    /// A word is not a known option or lacks its value.
    Invalid(String),
}

impl OptionError {
    /// Returns the error message that the user sees. `before_options` is the cell text up to
    /// the options.
    fn message(self, before_options: &str) -> String {
        let line = before_options.matches('\n').count() + 1;
        match self {
            OptionError::Invalid(message) => message,
            OptionError::Split(words::SplitError::TrailingBackslash) => {
                format!("line {line}: the %%flowchart line ends with a lone backslash")
            }
            OptionError::Split(words::SplitError::UnclosedQuote { quote, column }) => {
                let line_start = before_options.rfind('\n').map_or(0, |i| i + 1);
                let column = column + before_options[line_start..].chars().count();
                format!("line {line}:{column}: the {quote} quote is never closed")
            }
        }
    }
}

fn parse_options(line: &str) -> Result<CellOptions, OptionError> {
    let mut notebook = None;
    let mut presets = Vec::new();
    let mut words = words::split(line).map_err(OptionError::Split)?.into_iter();
    let invalid = |message: &str| OptionError::Invalid(message.to_string());
    while let Some(word) = words.next() {
        match word.as_str() {
            "--notebook" => {
                let path = words
                    .next()
                    .ok_or_else(|| invalid("--notebook needs a file name"))?;
                notebook = Some(PathBuf::from(path));
            }
            "--set" => {
                let assignment = words
                    .next()
                    .ok_or_else(|| invalid("--set needs NAME=VALUE"))?;
                let (name, value) = assignment.split_once('=').ok_or_else(|| {
                    invalid(&format!(
                        "invalid --set `{assignment}`: expected NAME=VALUE"
                    ))
                })?;
                presets.push((name.to_string(), value.to_string()));
            }
            other => {
                return Err(invalid(&format!(
                    "unknown %%flowchart option `{other}`; use --notebook PATH or --set NAME=VALUE"
                )));
            }
        }
    }
    Ok((notebook, presets))
}

/// Generates the script (and the notebook file, when requested) for a flowchart cell.
pub fn prepare(cell: &FlowchartCell, cwd: &Path) -> Result<Prepared, String> {
    // Blank lines in place of the lines before the chart keep every position a position in
    // the cell, including positions inside messages such as "opened at 3:4".
    let source = format!("{}{}", "\n".repeat(cell.first_line), cell.chart);
    let document = hexa_flowchart::parse(&source);
    let index = hexa_flowchart::LineIndex::new(&source);
    let errors: Vec<String> = document
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            let position = index.position(&source, d.span.start);
            let (line, column) = (position.line + 1, position.char_col + 1);
            format!("line {line}:{column}: {} [{}]", d.message, d.code)
        })
        .collect();
    if !errors.is_empty() {
        return Err(format!("invalid flowchart:\n{}", errors.join("\n")));
    }
    let options = Options {
        presets: cell.presets.clone(),
        title: None,
        always_prompt: true,
    };
    let script = generate::generate(&document, &cell.chart, Target::Script, &options)
        .map_err(|e| e.to_string())?;

    let mut note = None;
    if let Some(path) = &cell.notebook {
        let notebook = generate::generate(&document, &cell.chart, Target::Notebook, &options)
            .map_err(|e| e.to_string())?;
        let path = cwd.join(path);
        write_new_file(&path, &notebook.text)?;
        note = Some(format!("wrote the marimo notebook {}", path.display()));
    }

    Ok(Prepared {
        diagram: diagram_bundle(&cell.chart),
        python: json!({
            "text/markdown": format!("```python\n{}```\n", script.text),
            "text/plain": script.text,
        }),
        script: script.text,
        note,
    })
}

/// The diagram as Mermaid text, with an HTML fallback that renders where mermaid.js is loaded.
fn diagram_bundle(chart: &str) -> Value {
    let escaped = chart
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    json!({
        "text/vnd.mermaid": chart,
        "text/html": format!("<pre class=\"mermaid\">{escaped}</pre>"),
        "text/plain": chart,
    })
}

/// Writes `text` to `path` through a temporary file in the same folder, and fails if `path`
/// exists. The file gets the mode of a new file (0666 less the umask), not tempfile's 0600.
fn write_new_file(path: &Path, text: &str) -> Result<(), String> {
    let dir = path
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let failed = |e: &dyn std::fmt::Display| {
        // Drop the temporary file's path that tempfile adds, because the user never named it.
        let reason = e.to_string();
        let reason = reason.split(" at path \"").next().unwrap_or_default();
        format!("cannot write {}: {reason}", path.display())
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".hexa-")
        .suffix(".tmp")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
        .tempfile_in(dir)
        .map_err(|e| failed(&e))?;
    temp.write_all(text.as_bytes()).map_err(|e| failed(&e))?;
    temp.persist_noclobber(path).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            format!(
                "{} already exists; choose another --notebook path",
                path.display()
            )
        } else {
            failed(&e.error)
        }
    })?;
    Ok(())
}

/// Turns `%hexa ARGS` lines into calls of the runtime's `hexa_magic`, which runs
/// `hexa ARGS` and shows its output. Turns `%matplotlib ...` lines into `pass`, because
/// figures always show inline. Other lines are left as they are.
pub fn expand_line_magics(code: &str) -> String {
    if !code.lines().any(|line| expand_line(line).is_some()) {
        return code.to_string();
    }
    code.lines()
        .map(|line| expand_line(line).unwrap_or_else(|| line.to_string()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Returns the Python for one line magic, at the line's indentation, or `None` for any other
/// line.
fn expand_line(line: &str) -> Option<String> {
    let text = line.trim_start();
    let indent = &line[..line.len() - text.len()];
    let magic = |name: &str| {
        text.strip_prefix(name)
            .filter(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
    };
    if let Some(rest) = magic("%hexa") {
        let arguments = serde_json::to_string(rest.trim()).unwrap_or_default();
        return Some(format!(
            "{indent}__import__(\"hexa_kernel_runtime\").hexa_magic({arguments})"
        ));
    }
    if let Some(rest) = magic("%pip") {
        let arguments = serde_json::to_string(rest.trim()).unwrap_or_default();
        return Some(format!(
            "{indent}__import__(\"hexa_kernel_runtime\").pip_command({arguments})"
        ));
    }
    if let Some(command) = text.strip_prefix('!') {
        let command = serde_json::to_string(command.trim()).unwrap_or_default();
        return Some(format!(
            "{indent}__import__(\"hexa_kernel_runtime\").shell_command({command})"
        ));
    }
    magic("%matplotlib").map(|_| format!("{indent}pass  # {}", text.trim_end()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hexa_line_magic_expands() {
        let code = "x = 1\n%hexa check nb.py\nprint(x)";
        let expanded = expand_line_magics(code);
        assert_eq!(
            expanded,
            "x = 1\n__import__(\"hexa_kernel_runtime\").hexa_magic(\"check nb.py\")\nprint(x)"
        );
        assert_eq!(expand_line_magics("%hexadecimal = 1"), "%hexadecimal = 1");
    }

    #[test]
    fn shell_and_pip_lines_expand() {
        let code = "for d in dirs:\n    !ls \"$d\"\n%pip install -q six";
        assert_eq!(
            expand_line_magics(code),
            "for d in dirs:\n    __import__(\"hexa_kernel_runtime\").shell_command(\"ls \\\"$d\\\"\")\n\
             __import__(\"hexa_kernel_runtime\").pip_command(\"install -q six\")"
        );
        assert_eq!(expand_line_magics("x = 1 != 2"), "x = 1 != 2");
    }

    #[test]
    fn matplotlib_line_magic_becomes_pass() {
        let code = "%matplotlib inline\nif True:\n    %matplotlib\n    x = 1";
        assert_eq!(
            expand_line_magics(code),
            "pass  # %matplotlib inline\nif True:\n    pass  # %matplotlib\n    x = 1"
        );
        assert_eq!(expand_line_magics("%matplotlibx"), "%matplotlibx");
    }

    #[test]
    fn magic_line_options() {
        let cell = detect("%%flowchart --notebook out.py --set n=3\nflowchart TD\n  A --> B\n")
            .expect("flowchart cell")
            .expect("valid options");
        assert_eq!(cell.notebook, Some(PathBuf::from("out.py")));
        assert_eq!(cell.presets, vec![("n".to_string(), "3".to_string())]);
        assert_eq!(cell.chart, "flowchart TD\n  A --> B\n");
    }

    #[test]
    fn option_line_is_split_like_a_shell() {
        let cell = detect("%%flowchart --set 'guess=[50, 42]' --set \"n=a b\"\nflowchart TD\n")
            .expect("flowchart cell")
            .expect("valid options");
        let presets = [("guess", "[50, 42]"), ("n", "a b")].map(|(n, v)| (n.into(), v.into()));
        assert_eq!(cell.presets, presets);
    }

    #[test]
    fn unclosed_quote_reports_cell_column() {
        let error = detect("\n%%flowchart --set 'n=1\nflowchart TD\n")
            .expect("flowchart cell")
            .expect_err("unclosed quote");
        assert_eq!(error, "line 2:19: the ' quote is never closed");
    }

    #[test]
    fn chart_errors_report_cell_positions() {
        let cell = detect("%%flowchart\nflowchart TD\n  A[x = 1 --> B\n")
            .expect("flowchart cell")
            .expect("valid options");
        let error = prepare(&cell, Path::new(".")).expect_err("unclosed bracket");
        let expected = "invalid flowchart:\nline 3:4: unclosed `[` opened at 3:4 [F002]";
        assert_eq!(error, expected);
    }

    #[test]
    fn bare_chart_is_detected() {
        assert!(detect("flowchart TD\n  A[x = 1] --> B[/Print x/]\n").is_some());
    }

    #[test]
    fn python_cell_is_not_a_chart() {
        assert!(detect("graph = {}\nprint(graph)").is_none());
        assert!(detect("print('flowchart')").is_none());
    }

    #[test]
    fn unknown_option_is_rejected() {
        assert!(matches!(
            detect("%%flowchart --bogus\nflowchart TD\n"),
            Some(Err(_))
        ));
    }

    #[test]
    fn notebook_mode_follows_umask() {
        use std::os::unix::fs::PermissionsExt;
        let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
        let umask = status
            .lines()
            .find_map(|line| line.strip_prefix("Umask:"))
            .and_then(|mask| u32::from_str_radix(mask.trim(), 8).ok())
            .expect("/proc/self/status has a Umask line");
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.py");
        write_new_file(&path, "x = 1\n").expect("write the notebook");
        let mode = std::fs::metadata(&path)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o666 & !umask);
    }

    #[test]
    fn notebook_is_never_overwritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.py");
        std::fs::write(&path, "keep").expect("write");
        assert!(write_new_file(&path, "new").is_err());
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "keep");
    }
}
