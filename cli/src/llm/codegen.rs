//! `hexa generate --llm` and `--fill-stubs`. With `--llm` the model turns the chart (and
//! `--prompt`) into plain Python, and hexa lays that out as notebook cells itself; with
//! `--fill-stubs` the model fills in the generator's stub functions. When the model fails
//! for good, the generator's own output is written and stderr says so.

use hexa_flowchart::Generated;
use hexa_flowchart::notebook::read_notebook;
use hexa_flowchart::sanitize::syntax_issues;
use hexa_flowchart::validate::validate_cells;
use tracing::info;

use super::cells;
use super::client::{ChatClient, LlmError};
use super::prompts;
use super::stubs;
use crate::commands::generate::GenerateArgs;
use crate::input::{Chart, SourceFile, UserError};

/// Maximum requests for the code: the first one plus two retries with the problems.
pub const MAX_ATTEMPTS: usize = 3;

/// Rewrites the generator's output through the model when `--llm` or `--fill-stubs` asks
/// for it; otherwise returns it unchanged. Ctrl-C exits with code 130.
pub fn apply(
    args: &GenerateArgs,
    source: &SourceFile,
    chart: &Chart,
    generated: Generated,
) -> Result<Generated, UserError> {
    if !args.llm && !args.fill_stubs {
        return Ok(generated);
    }
    let client = match super::open_client(args.no_cache) {
        Ok(client) => client,
        Err(error) => {
            fall_back(
                &source.name,
                &format!("the language model is not usable: {error:#}"),
            );
            return Ok(generated);
        }
    };
    let diagram = chart.text.trim_start_matches('\n');
    let title = args.title.clone().or_else(|| chart.document.title.clone());
    let notebook = !args.script && args.function.is_none();
    let work = async {
        if args.llm {
            let prompt = args.prompt.as_deref();
            let code =
                write_code(&client, diagram, &generated.inputs, prompt, notebook, title).await;
            Outcome::Code(code)
        } else {
            Outcome::Stubs(stubs::fill_stubs(&client, diagram, &generated.text).await)
        }
    };
    let outcome = match super::run_cancellable(work) {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(super::Cancelled)) => {
            eprintln!("cancelled");
            std::process::exit(super::EXIT_CANCELLED);
        }
        Err(error) => {
            fall_back(&source.name, &format!("{error:#}"));
            return Ok(generated);
        }
    };
    let text = match outcome {
        Outcome::Code(Ok(Ok(text))) => text,
        Outcome::Code(Ok(Err(problems))) => {
            let reason = format!(
                "the model's code still had problems after {MAX_ATTEMPTS} attempts:\n{}",
                problems.join("\n")
            );
            fall_back(&source.name, &reason);
            return Ok(generated);
        }
        Outcome::Code(Err(error)) => {
            fall_back(&source.name, &format!("the language model failed: {error}"));
            return Ok(generated);
        }
        Outcome::Stubs((_, report)) if report.filled.is_empty() && report.error.is_some() => {
            let error = report.error.map(|e| e.to_string()).unwrap_or_default();
            fall_back(&source.name, &format!("the language model failed: {error}"));
            return Ok(generated);
        }
        Outcome::Stubs((text, report)) => {
            report_stubs(&source.name, &report);
            text
        }
    };
    if let Some(problem) = first_problem(&text, notebook) {
        // A bug in the checks above if it happens; the generator's output is still good.
        fall_back(
            &source.name,
            &format!("the model's result failed hexa's checks: {problem}"),
        );
        return Ok(generated);
    }
    let line_nodes = Vec::new();
    Ok(Generated {
        text,
        line_nodes,
        ..generated
    })
}

enum Outcome {
    Code(Result<Result<String, Vec<String>>, LlmError>),
    Stubs((String, stubs::FillReport)),
}

/// Asks for plain code and turns it into a notebook (or, for a script, keeps it), sending
/// problems back up to [`MAX_ATTEMPTS`] times.
async fn write_code(
    client: &ChatClient,
    diagram: &str,
    inputs: &[String],
    prompt: Option<&str>,
    notebook: bool,
    title: Option<String>,
) -> Result<Result<String, Vec<String>>, LlmError> {
    let mut messages = prompts::code_request(diagram, inputs, prompt);
    let mut problems = Vec::new();
    for attempt in 1..=MAX_ATTEMPTS {
        let reply = client.complete(&messages).await?;
        let result = cells::clean_code(&reply).and_then(|code| {
            if notebook {
                cells::notebook(&code, diagram, title.as_deref())
            } else {
                Ok(code)
            }
        });
        match result {
            Ok(text) => return Ok(Ok(text)),
            Err(found) => {
                info!(
                    attempt,
                    problems = found.len(),
                    "the model's code was rejected"
                );
                problems = found;
                prompts::with_feedback(&mut messages, &reply, &problems);
            }
        }
    }
    Ok(Err(problems))
}

fn report_stubs(name: &str, report: &stubs::FillReport) {
    for (stub, reason) in &report.kept {
        eprintln!("{name}: warning: kept the stub `{stub}`: {reason}");
    }
    if let Some(error) = &report.error {
        eprintln!(
            "{name}: warning: the language model failed ({error}); the stubs not filled yet \
             stay as the generator wrote them"
        );
    }
    if !report.filled.is_empty() {
        eprintln!(
            "filled {} stub(s): {}",
            report.filled.len(),
            report.filled.join(", ")
        );
    }
}

fn first_problem(text: &str, notebook: bool) -> Option<String> {
    if notebook {
        let file = read_notebook(text);
        let codes = file.codes();
        validate_cells(&codes)
            .into_iter()
            .find(|issue| issue.severity == hexa_flowchart::Severity::Error)
            .map(|issue| format!("cell {}: {}", issue.cell + 1, issue.message))
    } else {
        syntax_issues(text)
            .into_iter()
            .next()
            .map(|issue| issue.message)
    }
}

fn fall_back(name: &str, reason: &str) {
    eprintln!("{name}: warning: {reason}");
    eprintln!("{name}: warning: falling back to the generator without a model");
}
