//! The variable views (`inspectVariables`, `richInspectVariables` and `copyToGlobals`) and
//! the filter for the names they show.

use serde_json::{Value, json};

use super::{Connection, DebugError, invalid, python, success, with_client_seq};
use crate::executor::Executor;

/// Names in the kernel namespace that the variable views leave out.
const HIDDEN_NAMES: [&str; 6] = [
    "display",
    "update_display",
    "clear_output",
    "exit",
    "quit",
    "_",
];

/// Handles `inspectVariables` by listing the kernel namespace. This works while a cell runs
/// or is stopped too.
pub(super) async fn inspect_variables(
    executor: &Executor,
    request: &Value,
) -> Result<Value, DebugError> {
    let mut variables = python(executor.call_json_now("debug_globals", Vec::new()).await)?;
    if let Some(list) = variables.as_array_mut() {
        list.retain(shown);
    }
    Ok(success(request, json!({"variables": variables})))
}

/// Handles `copyToGlobals` by sending a `setExpression` of `globals()[destination]` in the
/// source variable's frame.
pub(super) async fn copy_to_globals(
    open: &Connection,
    request: &Value,
) -> Result<Value, DebugError> {
    let arguments = &request["arguments"];
    let names = (
        arguments["dstVariableName"].as_str(),
        arguments["srcVariableName"].as_str(),
    );
    let (Some(destination), Some(source)) = names else {
        return Err(invalid(
            request,
            "dstVariableName and srcVariableName are required",
        ));
    };
    if !is_identifier(destination) || !is_identifier(source) {
        return Err(invalid(
            request,
            "variable names must be Python identifiers",
        ));
    }
    let arguments = json!({
        "expression": format!("globals()['{destination}']"),
        "value": source,
        "frameId": arguments["srcFrameId"],
    });
    let response = open.client.request("setExpression", arguments).await?;
    Ok(with_client_seq(response, request))
}

/// Handles `richInspectVariables` by returning the MIME bundle of a variable. When a thread
/// is stopped, the variable is read in the stopped frame through an `evaluate`. Otherwise it
/// is read from the kernel namespace.
pub(super) async fn rich_inspect(
    executor: &Executor,
    stopped: bool,
    open: Option<&Connection>,
    request: &Value,
) -> Result<Value, DebugError> {
    let arguments = &request["arguments"];
    let name = arguments["variableName"]
        .as_str()
        .filter(|name| is_identifier(name))
        .ok_or_else(|| invalid(request, "variableName must be a Python identifier"))?;
    let frame = arguments["frameId"].as_i64();
    let (true, Some(frame), Some(open)) = (stopped, frame, open) else {
        let body = python(
            executor
                .call_json_now("rich_variable", vec![json!(name)])
                .await,
        )?;
        return Ok(success(request, body));
    };
    let expression = format!("__import__('hexa_kernel_runtime').format_object({name})");
    let arguments = json!({"expression": expression, "frameId": frame, "context": "clipboard"});
    let evaluated = open.client.request("evaluate", arguments).await?;
    let Some(text) = evaluated["body"]["result"].as_str() else {
        return Ok(with_client_seq(evaluated, request));
    };
    let args = vec![json!(text)];
    let body = python(executor.call_json_now("rich_from_repr", args).await)?;
    Ok(success(request, body))
}

/// Returns whether a variable shows in the variable views.
pub(super) fn shown(variable: &Value) -> bool {
    let name = variable["name"].as_str().unwrap_or_default();
    let dunder = name.len() > 4 && name.starts_with("__") && name.ends_with("__");
    !dunder && !HIDDEN_NAMES.contains(&name)
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first == '_' || first.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_hides_dunders_and_helpers() {
        assert!(shown(&json!({"name": "total"})));
        assert!(shown(&json!({"name": "special variables"})));
        assert!(!shown(&json!({"name": "__builtins__"})));
        assert!(!shown(&json!({"name": "display"})));
    }

    #[test]
    fn is_identifier_rejects_non_identifiers() {
        assert!(is_identifier("x_1"));
        assert!(!is_identifier("1x"));
        assert!(!is_identifier("a']; import os; x['"));
        assert!(!is_identifier(""));
    }
}
