//! `hexa flow`'s loop: ask the model for a flowchart, take it out of the reply, parse and
//! check it, and send the diagnostics back until it parses or the attempts run out.

use hexa_flowchart::markdown;
use tracing::info;

use super::client::{ChatClient, LlmError};
use super::prompts;
use crate::input::{self, Chart, SourceFile};

/// Maximum requests for one chart: the first one plus three retries with diagnostics.
pub const MAX_ATTEMPTS: usize = 4;

/// What the model produced after all attempts.
#[derive(Debug)]
pub enum ChartOutcome {
    /// A chart without parse errors, ending in a newline, and its checker warnings.
    Valid {
        /// The chart text.
        text: String,
        /// `FILE:LINE:COL: warning[...]` lines from `hexa_flowchart::check`.
        warnings: Vec<String>,
    },
    /// Every attempt had errors; these are the last attempt's diagnostics.
    Invalid {
        /// `FILE:LINE:COL: error[...]` lines.
        problems: Vec<String>,
    },
}

/// Asks for a chart for `prompt`, retrying with diagnostics; `name` is the file name the
/// diagnostics show.
pub async fn write_chart(
    client: &ChatClient,
    prompt: &str,
    name: &str,
) -> Result<ChartOutcome, LlmError> {
    let mut messages = prompts::flowchart_request(prompt);
    let mut problems = Vec::new();
    for attempt in 1..=MAX_ATTEMPTS {
        let reply = client.complete(&messages).await?;
        match check_reply(&reply, name) {
            Ok((text, warnings)) => return Ok(ChartOutcome::Valid { text, warnings }),
            Err(found) => {
                info!(
                    attempt,
                    problems = found.len(),
                    "the model's chart has errors"
                );
                problems = found;
                prompts::with_feedback(&mut messages, &reply, &problems);
            }
        }
    }
    Ok(ChartOutcome::Invalid { problems })
}

/// Takes the chart out of a reply and parses and checks it: the chart and its warnings, or
/// the error lines to send back.
pub fn check_reply(reply: &str, name: &str) -> Result<(String, Vec<String>), Vec<String>> {
    let Some(mut text) = extract_chart(reply) else {
        return Err(vec![format!(
            "{name}:1:1: error: no flowchart found in the reply; send one ```mermaid block \
             that starts with `flowchart TD`"
        )]);
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let source = SourceFile {
        name: name.to_string(),
        path: None,
        text: text.clone(),
    };
    let chart = Chart {
        document: hexa_flowchart::parse(&text),
        text,
        offset: 0,
    };
    let format = |d: &hexa_flowchart::Diagnostic| input::format_diagnostic(&source, &chart, d);
    let errors: Vec<String> = chart
        .document
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(format)
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    if chart.document.nodes.is_empty() {
        return Err(vec![format!(
            "{name}:1:1: error: the flowchart has no nodes"
        )]);
    }
    let warnings = hexa_flowchart::check(&chart.document)
        .iter()
        .map(format)
        .collect();
    Ok((chart.text, warnings))
}

/// Returns the flowchart in a reply: the first ```` ```mermaid ```` flowchart fence, else the
/// first other fence whose text starts with `flowchart` or `graph`, else the reply from its
/// first line that starts with one of those keywords.
pub fn extract_chart(reply: &str) -> Option<String> {
    if let Some(block) = markdown::mermaid_blocks(reply)
        .into_iter()
        .find(|b| b.is_flowchart)
    {
        return Some(block.text);
    }
    if let Some(text) = fenced_blocks(reply)
        .into_iter()
        .find(|block| starts_with_header(block))
    {
        return Some(text);
    }
    let lines: Vec<&str> = reply.lines().collect();
    let start = lines.iter().position(|line| starts_with_header(line))?;
    Some(lines[start..].join("\n"))
}

fn starts_with_header(text: &str) -> bool {
    let first = text.trim_start();
    ["flowchart", "graph"].iter().any(|keyword| {
        first
            .strip_prefix(keyword)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
    })
}

/// Returns the contents of every ```` ``` ```` or `~~~` fence, whatever its language tag.
fn fenced_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<(&str, Vec<&str>)> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        match &mut current {
            None => {
                if let Some(marker) = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m)) {
                    current = Some((marker, Vec::new()));
                }
            }
            Some((marker, lines)) => {
                if trimmed.trim_end() == *marker {
                    blocks.push(lines.join("\n"));
                    current = None;
                } else {
                    lines.push(line);
                }
            }
        }
    }
    if let Some((_, lines)) = current {
        blocks.push(lines.join("\n"));
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHART: &str = "flowchart TD\n    A([Start]) --> B[/Print hi/]\n    B --> C([End])";

    #[test]
    fn extract_from_mermaid_fence_with_prose() {
        let reply = format!("Sure! Here it is:\n\n```mermaid\n{CHART}\n```\nEnjoy.");
        assert_eq!(
            extract_chart(&reply).as_deref(),
            Some(format!("{CHART}\n").as_str())
        );
    }

    #[test]
    fn extract_from_untagged_fence() {
        let reply = format!("Here:\n```\n{CHART}\n```\n");
        assert_eq!(extract_chart(&reply).as_deref(), Some(CHART));
    }

    #[test]
    fn extract_from_bare_text() {
        let reply = format!("{CHART}\n");
        assert_eq!(extract_chart(&reply).as_deref(), Some(CHART));
        assert_eq!(extract_chart("no chart here"), None);
        assert_eq!(extract_chart("graphs are nice"), None);
    }

    #[test]
    fn check_reply_reports_located_errors() {
        let problems = check_reply("flowchart TD\n    A[x --> B\n", "flow.mmd")
            .expect_err("an unclosed bracket is an error");
        assert!(problems[0].starts_with("flow.mmd:2:"), "{problems:?}");
        assert!(problems[0].contains("error["), "{problems:?}");
    }

    #[test]
    fn check_reply_accepts_valid_chart() {
        let (text, _) = check_reply(CHART, "flow.mmd").expect("valid chart");
        assert!(text.ends_with("B --> C([End])\n"));
    }
}
