//! `hexa generate`: flowchart in, marimo notebook or Python script out.

use std::path::PathBuf;

use hexa_flowchart::generate::{self, Options, Target};

use crate::input::{self, UserError};
use crate::output;

/// Arguments of `hexa generate`.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Flowchart: a .mmd file, a Markdown file with ```mermaid fences, or - for stdin.
    pub input: PathBuf,
    /// Where to write the result; - writes to stdout. Default: the input's name with .py.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Write a plain Python script instead of a marimo notebook.
    #[arg(long, conflicts_with = "function")]
    pub script: bool,
    /// Write a module with one importable function NAME, the inputs as its parameters.
    #[arg(long, value_name = "NAME")]
    pub function: Option<String>,
    /// In a Markdown file, use the N-th flowchart fence (counting from 1).
    #[arg(long, value_name = "N")]
    pub index: Option<usize>,
    /// Default value for an input, read as a Python literal when it is one (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = input::parse_assignment)]
    pub set: Vec<(String, String)>,
    /// Notebook title (default: the chart's front-matter title).
    #[arg(long)]
    pub title: Option<String>,
    /// Overwrite the output file if it exists.
    #[arg(long)]
    pub force: bool,
    /// Let a language model write the code from the chart (and --prompt); hexa lays it out
    /// as notebook cells. Without a working model the generator's own output is written.
    #[arg(long, conflicts_with = "function")]
    pub llm: bool,
    /// Extra instructions for the model with --llm.
    #[arg(long, value_name = "TEXT", requires = "llm")]
    pub prompt: Option<String>,
    /// The language the model writes with --llm; only python is supported.
    #[arg(long, value_name = "LANGUAGE", default_value = "python", value_parser = ["python"])]
    pub language: String,
    /// Have a language model fill in the stub functions one at a time, checking each.
    #[arg(long, conflicts_with = "llm")]
    pub fill_stubs: bool,
    /// Send every request to the model, even when the reply cache holds an answer.
    #[arg(long)]
    pub no_cache: bool,
    /// Write the notebook into the notebooks folder under a new timestamped name and print
    /// its URL in the `hexa serve` server for that folder, starting one when none runs.
    #[arg(long, conflicts_with_all = ["output", "script", "function", "force"])]
    pub serve: bool,
    /// The notebooks folder for --serve.
    #[arg(
        long,
        value_name = "DIR",
        default_value = "notebooks",
        requires = "serve"
    )]
    pub notebooks: PathBuf,
}

/// A generated notebook or script, with the flowchart it came from.
pub struct Generated {
    /// The flowchart file as read.
    pub source: input::SourceFile,
    /// The generated file's text.
    pub text: String,
}

/// Runs the command; returns the path written (or `-`).
pub fn run(args: &GenerateArgs) -> Result<PathBuf, UserError> {
    let Generated { source, text } = render(args)?;
    let output = match &args.output {
        Some(path) => path.clone(),
        None => match &source.path {
            Some(path) => path.with_extension("py"),
            None => PathBuf::from("-"),
        },
    };
    if source.path.as_deref() == Some(output.as_path()) {
        return Err(UserError::at_start(
            &source.name,
            "output would replace the input file",
        ));
    }
    output::write_output(&output, &text, args.force)?;
    Ok(output)
}

/// Reads the flowchart and generates the notebook or script text, without writing it.
pub fn render(args: &GenerateArgs) -> Result<Generated, UserError> {
    let source = input::read_source(&args.input)?;
    let chart = input::chart(&source, args.index)?;
    let target = match (&args.function, args.script) {
        (Some(name), _) => Target::Function(name.clone()),
        (None, true) => Target::Script,
        (None, false) => Target::Notebook,
    };
    let options = Options {
        presets: args.set.clone(),
        title: args.title.clone(),
        always_prompt: false,
    };
    let generated = generate::generate(&chart.document, &chart.text, target, &options)
        .map_err(|e| UserError::at_start(&source.name, e))?;
    let generated = crate::llm::codegen::apply(args, &source, &chart, generated)?;
    Ok(Generated {
        source,
        text: generated.text,
    })
}
