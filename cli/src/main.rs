//! The `hexa` binary: turns Mermaid flowcharts into marimo notebooks and Python scripts, and
//! checks and runs them in-process through marimo.

mod commands;
mod input;
mod llm;
mod nodes;
mod output;
mod python;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::input::UserError;

/// Turn a Mermaid flowchart into a marimo notebook that runs.
#[derive(Debug, Parser)]
#[command(name = "hexa", version, about)]
struct Cli {
    /// Python to run marimo with: an interpreter or a virtual environment folder.
    /// Default: $VIRTUAL_ENV, then a .venv here or in a parent folder, then python3 on PATH.
    #[arg(long, global = true, value_name = "PATH")]
    python: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write a marimo notebook (or with --script a Python script) from a flowchart.
    Generate(commands::generate::GenerateArgs),
    /// Run a notebook, or a flowchart directly, in-process through marimo.
    Run(commands::run::RunArgs),
    /// Report problems in a flowchart or a marimo notebook.
    Check(commands::check::CheckArgs),
    /// Print the parsed flowchart as JSON (nodes, edges, subgraphs with source spans).
    Parse(commands::parse::ParseArgs),
    /// Show which Python and marimo hexa uses.
    Doctor,
    /// Run the Jupyter kernel (`--connection-file FILE`), or `install` its kernelspec.
    Kernel(hexa_kernel::cli::KernelArgs),
    /// Export a notebook to HTML, ipynb, Markdown or a flat script with marimo's exporters.
    Export(commands::export::ExportArgs),
    /// Serve a notebooks folder with marimo's editor on 127.0.0.1 and print each notebook's URL.
    Serve(commands::serve::ServeArgs),
    /// Run the language server on stdin and stdout (for editors).
    Lsp,
    /// Ask a language model for a flowchart that does what PROMPT says, and check it.
    Flow(commands::flow::FlowArgs),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HEXA_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        // The original stderr, also while `hexa kernel` captures fd 2 for its cells.
        .with_writer(hexa_kernel::log_writer)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    let python = cli.python.as_deref();
    let result = match &cli.command {
        Command::Generate(args) if args.serve => commands::serve::generate_and_serve(args, python),
        Command::Generate(args) => commands::generate::run(args)
            .map(|path| {
                if path != std::path::Path::new("-") {
                    eprintln!("wrote {}", path.display());
                }
                0
            })
            .map_err(anyhow::Error::from),
        Command::Run(args) => commands::run::run(args, python),
        Command::Check(args) => commands::check::run(args, python),
        Command::Parse(args) => commands::parse::run(args)
            .map(|()| 0)
            .map_err(anyhow::Error::from),
        Command::Doctor => commands::doctor::run(python),
        Command::Kernel(args) => hexa_kernel::cli::run(args, python)
            .map(i32::from)
            .map_err(anyhow::Error::from),
        Command::Lsp => hexa_lsp::run_stdio(cli.python.clone()).map(|()| 0),
        Command::Serve(args) => commands::serve::run(args, python),
        Command::Flow(args) => commands::flow::run(args),
        Command::Export(args) => commands::export::run(args, python).map(|path| {
            if path != std::path::Path::new("-") {
                eprintln!("wrote {}", path.display());
            }
            0
        }),
    };
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(error) => {
            if let Some(user) = error.downcast_ref::<UserError>() {
                eprintln!("{user}");
            } else {
                eprintln!("error: {error:#}");
            }
            ExitCode::from(2)
        }
    }
}
