//! `hexa export`: a marimo notebook to HTML, ipynb, Markdown or a flat script, through
//! marimo's exporters.

use std::path::{Path, PathBuf};

use hexa_marimo::ExportFormat;

use crate::input::{self, Kind, UserError};
use crate::{output, python};

/// A format `hexa export --to` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A standalone HTML page with the outputs; runs the notebook.
    Html,
    /// A Jupyter notebook without outputs.
    Ipynb,
    /// marimo's Markdown notebook format.
    Md,
    /// A flat Python script with the cells in dependency order.
    Script,
}

impl From<Format> for ExportFormat {
    fn from(format: Format) -> Self {
        match format {
            Format::Html => ExportFormat::Html,
            Format::Ipynb => ExportFormat::Ipynb,
            Format::Md => ExportFormat::Markdown,
            Format::Script => ExportFormat::Script,
        }
    }
}

/// Arguments of `hexa export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The marimo notebook (.py) to export.
    pub input: PathBuf,
    /// The format to write.
    #[arg(long, value_enum)]
    pub to: Format,
    /// Where to write; - writes to stdout. Default: the notebook's name with .html, .ipynb,
    /// .md or .script.py.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Overwrite the output file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Runs the command; returns the path written (or `-`).
pub fn run(args: &ExportArgs, python_flag: Option<&Path>) -> anyhow::Result<PathBuf> {
    let source = input::read_source(&args.input)?;
    if input::kind_of(&source) != Kind::Python {
        return Err(UserError::at_start(
            &source.name,
            "hexa export takes a marimo notebook (.py); generate one from a flowchart first",
        )
        .into());
    }
    let Some(path) = source.path.clone() else {
        return Err(
            UserError::at_start(&source.name, "hexa export needs a file, not stdin").into(),
        );
    };
    let format = ExportFormat::from(args.to);
    let target = match &args.output {
        Some(output) => output.clone(),
        None => path.with_extension(format.extension()),
    };
    if target != Path::new("-") && same_file(&target, &path) {
        return Err(UserError::at_start(&source.name, "output would replace the notebook").into());
    }
    // Reject an existing output before the export runs, which for HTML takes seconds.
    if !args.force && target != Path::new("-") && target.exists() {
        return Err(UserError::at_start(
            &target.display().to_string(),
            "output file already exists; pass --force to overwrite it",
        )
        .into());
    }

    let bridge = python::start(python_flag)?;
    let absolute = std::path::absolute(&path).unwrap_or_else(|_| path.clone());
    let text = bridge
        .export(&source.text, &absolute, format)
        .map_err(|e| UserError::at_start(&source.name, e))?;
    output::write_output(&target, &text, args.force)?;
    Ok(target)
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}
