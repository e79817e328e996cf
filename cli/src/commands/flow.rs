//! `hexa flow "PROMPT"`: a language model writes a Mermaid flowchart, hexa checks it.

use std::path::{Path, PathBuf};

use crate::input::UserError;
use crate::llm::{self, chart::ChartOutcome};
use crate::output;

/// Arguments of `hexa flow`.
#[derive(Debug, clap::Args)]
pub struct FlowArgs {
    /// What the flowchart should do, in plain words.
    pub prompt: String,
    /// Where to write the chart (.mmd); - writes to stdout, the default.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Overwrite the output file if it exists.
    #[arg(long)]
    pub force: bool,
    /// Send every request to the model, even when the reply cache contains a reply.
    #[arg(long)]
    pub no_cache: bool,
}

/// Runs the command; returns the exit code.
pub fn run(args: &FlowArgs) -> anyhow::Result<i32> {
    if args.prompt.trim().is_empty() {
        return Err(UserError::at_start("<prompt>", "the prompt is empty").into());
    }
    let output = args.output.clone().unwrap_or_else(|| PathBuf::from("-"));
    let to_stdout = output == Path::new("-");
    let name = if to_stdout {
        "<reply>".to_string()
    } else {
        output.display().to_string()
    };
    // Refused before the request, so that no model call is paid for in vain.
    if !to_stdout && !args.force && output.exists() {
        return Err(UserError::at_start(
            &name,
            "output file already exists; pass --force to overwrite it",
        )
        .into());
    }
    let client = llm::open_client(args.no_cache)?;
    let outcome = match llm::run_cancellable(llm::chart::write_chart(&client, &args.prompt, &name))?
    {
        Ok(result) => result.map_err(|e| anyhow::anyhow!(e).context("the model request failed"))?,
        Err(llm::Cancelled) => {
            eprintln!("cancelled");
            return Ok(llm::EXIT_CANCELLED);
        }
    };
    match outcome {
        ChartOutcome::Valid { text, warnings } => {
            for warning in &warnings {
                eprintln!("{warning}");
            }
            output::write_output(&output, &text, args.force)?;
            if !to_stdout {
                eprintln!("wrote {name}");
            }
            Ok(0)
        }
        ChartOutcome::Invalid { mut problems } => {
            problems.push(format!(
                "error: the model's flowchart still has errors after {} attempts",
                llm::chart::MAX_ATTEMPTS
            ));
            Err(UserError { lines: problems }.into())
        }
    }
}
