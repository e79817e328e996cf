//! `textDocument/codeAction`: quick fixes from diagnostics that carry a fix, and
//! "Generate marimo notebook" / "Generate Python script" / "Regenerate notebook".

use std::sync::Arc;

use hexa_flowchart::generate::Target;
use serde::{Deserialize, Serialize};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

use crate::analysis::Chart;
use crate::commands;
use crate::documents::{Kind, Snapshot};
use crate::generate::{self, GENERATE_KIND};
use crate::publish;
use crate::server::{Backend, ClientConfig, blocking};

/// What `codeAction/resolve` needs to fill in a generate action's edit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GenerateData {
    /// The flowchart document.
    pub uri: Uri,
    /// The version the action was computed for.
    pub version: i32,
    /// `notebook` or `script`.
    pub target: String,
    /// Byte offset of the chart in the document.
    pub chart: usize,
    /// True for "Regenerate notebook": replace the existing notebook.
    pub regenerate: bool,
}

pub async fn handle(
    backend: &Backend,
    params: CodeActionParams,
) -> Result<Option<CodeActionResponse>> {
    let snapshot = backend.snapshot(&params.text_document.uri)?;
    let config = backend.config();
    blocking(move || Ok(Some(actions(&snapshot, &params, config)))).await
}

fn actions(
    snapshot: &Arc<Snapshot>,
    params: &CodeActionParams,
    config: ClientConfig,
) -> CodeActionResponse {
    let only = params.context.only.as_deref();
    let wanted = |kind: &CodeActionKind| {
        only.is_none_or(|only| {
            only.iter().any(|prefix| {
                kind.as_str() == prefix.as_str()
                    || kind.as_str().starts_with(&format!("{}.", prefix.as_str()))
            })
        })
    };
    let map = snapshot.map(config.encoding);
    let span = map.span(params.range);
    // A cursor anywhere on a diagnostic's line offers its fix, as editors ask for actions
    // at the cursor position.
    let lines = whole_lines(&snapshot.text, span);
    let analysis = snapshot.analysis();
    let mut actions = Vec::new();

    if wanted(&CodeActionKind::QUICKFIX) {
        for diagnostic in analysis.diagnostics() {
            let Some(fix) = &diagnostic.fix else { continue };
            let touches = diagnostic.span.start <= lines.end && lines.start <= diagnostic.span.end;
            if !touches {
                continue;
            }
            let edit = TextEdit::new(map.range(fix.span), fix.replacement.clone());
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![publish::to_lsp(&diagnostic, &map)]),
                // The edit is cheap, so it is always filled in: clients without
                // `codeAction/resolve` support get a working action too.
                edit: Some(WorkspaceEdit::new(
                    [(snapshot.uri.clone(), vec![edit])].into_iter().collect(),
                )),
                is_preferred: Some(true),
                ..Default::default()
            }));
        }
    }

    if wanted(&GENERATE_KIND) && snapshot.kind != Kind::Notebook {
        let chart = analysis
            .chart_at(span.start)
            .or_else(|| (analysis.charts.len() == 1).then(|| &analysis.charts[0]));
        if let Some(chart) = chart.filter(|chart| !chart.has_errors()) {
            actions.extend(generate_actions(snapshot, chart, config));
        }
    }
    actions
}

/// Extends a span to the start of its first line and the end of its last line.
fn whole_lines(text: &str, span: hexa_flowchart::Span) -> hexa_flowchart::Span {
    let start = text[..span.start].rfind('\n').map_or(0, |index| index + 1);
    let end = text[span.end..]
        .find('\n')
        .map_or(text.len(), |index| span.end + index);
    hexa_flowchart::Span::new(start, end)
}

fn generate_actions(
    snapshot: &Snapshot,
    chart: &Chart,
    config: ClientConfig,
) -> Vec<CodeActionOrCommand> {
    let Some(source) = snapshot.uri.to_file_path() else {
        return Vec::new();
    };
    let mut actions = Vec::new();
    let mut choices = vec![
        (
            Target::Notebook,
            false,
            "Generate marimo notebook from flowchart",
        ),
        (Target::Script, false, "Generate Python script"),
    ];
    if generate::existing_notebook(&source).is_some() {
        choices.push((Target::Notebook, true, "Regenerate notebook"));
    }
    for (target, regenerate, title) in choices {
        let data = GenerateData {
            uri: snapshot.uri.clone(),
            version: snapshot.version,
            target: generate::target_name(&target).to_string(),
            chart: chart.offset,
            regenerate,
        };
        let mut action = CodeAction {
            title: title.to_string(),
            kind: Some(GENERATE_KIND),
            ..Default::default()
        };
        if !regenerate && !config.create_files {
            // The client cannot create files through an edit, so the server writes it.
            action.command = Some(Command::new(
                title.to_string(),
                commands::GENERATE_NOTEBOOK.to_string(),
                Some(vec![
                    serde_json::json!(snapshot.uri.as_str()),
                    serde_json::json!(data.target),
                ]),
            ));
        } else if config.resolve_edit {
            action.data = serde_json::to_value(&data).ok();
        } else {
            match generate_edit(snapshot, &data, config) {
                Ok(edit) => action.edit = Some(edit),
                Err(error) => {
                    tracing::warn!(%error.message, title, "generate action left out");
                    continue;
                }
            }
        }
        actions.push(CodeActionOrCommand::CodeAction(action));
    }
    actions
}

/// Builds the edit of a generate action: create a new file, or replace the existing
/// notebook for "Regenerate notebook".
pub fn generate_edit(
    snapshot: &Snapshot,
    data: &GenerateData,
    config: ClientConfig,
) -> Result<WorkspaceEdit> {
    let target = generate::parse_target(Some(&data.target))
        .ok_or_else(|| Error::invalid_params(format!("unknown target `{}`", data.target)))?;
    let analysis = snapshot.analysis();
    let chart = analysis
        .charts
        .iter()
        .find(|chart| chart.offset == data.chart)
        .ok_or_else(|| Error::invalid_params("the chart is no longer in the document"))?;
    let generated = chart
        .generate(target.clone())
        .map_err(|error| Error::invalid_params(error.to_string()))?;
    let source = snapshot
        .uri
        .to_file_path()
        .ok_or_else(|| Error::invalid_params("the document is not a file"))?;
    let not_a_file = || Error::internal_error();
    if data.regenerate {
        let (path, old_text) = generate::existing_notebook(&source)
            .ok_or_else(|| Error::invalid_params("the notebook to regenerate is gone"))?;
        let uri = Uri::from_file_path(&path).ok_or_else(not_a_file)?;
        return Ok(generate::replace_edit(
            uri,
            &old_text,
            generated.text,
            config.encoding,
        ));
    }
    let path = generate::free_path(&source, &target)
        .ok_or_else(|| Error::invalid_params("no free file name beside the document"))?;
    let uri = Uri::from_file_path(&path).ok_or_else(not_a_file)?;
    Ok(generate::create_edit(uri, generated.text))
}
