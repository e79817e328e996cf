//! Quick fixes (filled in without resolve support) and the generate actions.

use serde_json::{Value, json};

use crate::client::{Server, apply_edits, basic_capabilities, file_uri};

const BROKEN: &str = "flowchart TD\n  A[load(x)] --> B\n";
const VALID: &str = "flowchart TD\n  A([Start]) --> B[/Read n/] --> C[/Print n/] --> D([End])\n";

fn code_actions(server: &mut Server, uri: &str, line: u32, only: Option<Value>) -> Vec<Value> {
    let mut context = json!({ "diagnostics": [] });
    if let Some(only) = only {
        context["only"] = only;
    }
    let result = server.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": { "start": { "line": line, "character": 0 },
                       "end": { "line": line, "character": 0 } },
            "context": context,
        }),
    );
    result.as_array().cloned().unwrap_or_default()
}

fn titled<'a>(actions: &'a [Value], title: &str) -> &'a Value {
    actions
        .iter()
        .find(|action| {
            action["title"]
                .as_str()
                .is_some_and(|t| t.starts_with(title))
        })
        .unwrap_or_else(|| panic!("no action `{title}` in {actions:#?}"))
}

#[test]
fn quick_fix_has_edit_without_resolve() {
    let (mut server, _) = Server::initialized(basic_capabilities());
    let uri = "file:///t/flow.mmd";
    server.open(uri, "mermaid", BROKEN);
    let actions = code_actions(&mut server, uri, 1, Some(json!(["quickfix"])));
    let fix = titled(&actions, "Quote label");
    assert_eq!(fix["kind"], "quickfix");
    let edits = &fix["edit"]["changes"][uri];
    assert_eq!(
        edits[0]["range"],
        json!({ "start": { "line": 1, "character": 3 }, "end": { "line": 1, "character": 12 } })
    );
    assert_eq!(edits[0]["newText"], "[\"load(x)\"]");
    let fixed = apply_edits(BROKEN, edits.as_array().map_or(&[][..], Vec::as_slice));
    assert_eq!(fixed, "flowchart TD\n  A[\"load(x)\"] --> B\n");
    server.shutdown();
}

#[test]
fn generate_action_creates_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("flow.mmd");
    std::fs::write(&path, VALID).expect("write chart");
    let uri = file_uri(&path);
    let (mut server, _) = Server::initialized(basic_capabilities());
    server.open(&uri, "mermaid", VALID);
    let actions = code_actions(&mut server, &uri, 1, None);
    let generate = titled(&actions, "Generate marimo notebook");
    let changes = &generate["edit"]["documentChanges"];
    let expected = file_uri(&dir.path().join("flow.py"));
    assert_eq!(changes[0]["kind"], "create");
    assert_eq!(changes[0]["uri"], expected);
    assert_eq!(changes[0]["options"]["overwrite"], false);
    assert_eq!(changes[1]["textDocument"]["uri"], expected);
    let text = changes[1]["edits"][0]["newText"]
        .as_str()
        .unwrap_or_default();
    assert!(text.contains("import marimo"), "{text}");
    assert!(text.contains("mo.mermaid("), "{text}");
    let script = titled(&actions, "Generate Python script");
    let script_uri = &script["edit"]["documentChanges"][0]["uri"];
    assert_eq!(*script_uri, file_uri(&dir.path().join("flow_script.py")));
    server.shutdown();
}

#[test]
fn generate_action_never_overwrites() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("flow.mmd");
    std::fs::write(&path, VALID).expect("write chart");
    std::fs::write(dir.path().join("flow.py"), "# mine\n").expect("write existing");
    let uri = file_uri(&path);
    let (mut server, _) = Server::initialized(basic_capabilities());
    server.open(&uri, "mermaid", VALID);
    let actions = code_actions(&mut server, &uri, 1, None);
    let generate = titled(&actions, "Generate marimo notebook");
    let created = &generate["edit"]["documentChanges"][0]["uri"];
    assert_eq!(*created, file_uri(&dir.path().join("flow-2.py")));
    server.shutdown();
}

#[test]
fn generate_edit_resolved_lazily() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("flow.mmd");
    let uri = file_uri(&path);
    let mut capabilities = basic_capabilities();
    capabilities["textDocument"]["codeAction"] =
        json!({ "resolveSupport": { "properties": ["edit"] } });
    let (mut server, _) = Server::initialized(capabilities);
    server.open(&uri, "mermaid", VALID);
    let actions = code_actions(&mut server, &uri, 1, Some(json!(["source"])));
    let generate = titled(&actions, "Generate marimo notebook").clone();
    assert!(generate.get("edit").is_none(), "{generate}");
    let resolved = server.request("codeAction/resolve", generate);
    assert_eq!(resolved["edit"]["documentChanges"][0]["kind"], "create");
    server.shutdown();
}

#[test]
fn generate_command_writes_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("flow.mmd");
    std::fs::write(&path, VALID).expect("write chart");
    let uri = file_uri(&path);
    // No `resourceOperations`: the action must fall back to the server-side command.
    let (mut server, _) = Server::initialized(json!({}));
    server.open(&uri, "mermaid", VALID);
    let actions = code_actions(&mut server, &uri, 1, None);
    let generate = titled(&actions, "Generate marimo notebook");
    assert!(generate.get("edit").is_none(), "{generate}");
    let command = &generate["command"];
    assert_eq!(command["command"], "hexa.generateNotebook");
    let result = server.request(
        "workspace/executeCommand",
        json!({ "command": command["command"], "arguments": command["arguments"] }),
    );
    let written = dir.path().join("flow.py");
    assert_eq!(result["path"], json!(written));
    let text = std::fs::read_to_string(&written).expect("notebook written");
    assert!(text.contains("import marimo"), "{text}");
    let again = server.request(
        "workspace/executeCommand",
        json!({ "command": "hexa.generateNotebook", "arguments": [uri] }),
    );
    assert_eq!(again["path"], json!(dir.path().join("flow-2.py")));
    server.shutdown();
}

#[test]
fn broken_chart_offers_no_generate() {
    let (mut server, _) = Server::initialized(basic_capabilities());
    let uri = "file:///t/flow.mmd";
    server.open(uri, "mermaid", BROKEN);
    let actions = code_actions(&mut server, uri, 1, None);
    let titles: Vec<&str> = actions.iter().filter_map(|a| a["title"].as_str()).collect();
    assert!(
        !titles.iter().any(|t| t.starts_with("Generate")),
        "{titles:?}"
    );
    server.shutdown();
}
