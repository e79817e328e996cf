//! Hover, navigation, rename, completion, folding, code lens and formatting.

use serde_json::{Value, json};

use crate::client::{Server, apply_edits, basic_capabilities};

const CHART: &str = "flowchart TD
    A([Start]) --> B[/Read n/]
    B --> C{n > 0?}
    subgraph work [Work]
        C -->|Yes| D[/Print n/]
    end
    C -->|No| E([End])
    D --> E
";
const URI: &str = "file:///t/features.mmd";

fn at(line: u32, character: u32) -> Value {
    json!({ "textDocument": { "uri": URI }, "position": { "line": line, "character": character } })
}

fn open() -> Server {
    let (mut server, _) = Server::initialized(basic_capabilities());
    server.open(URI, "mermaid", CHART);
    server
}

#[test]
fn hover_shows_shape_reading_and_code() {
    let mut server = open();
    let hover = server.request("textDocument/hover", at(2, 10));
    let text = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(text.contains("**C** (diamond (decision))"), "{text}");
    assert!(text.contains("the condition `n > 0`"), "{text}");
    assert!(text.contains("```python"), "{text}");
    assert!(text.contains("if n > 0:"), "{text}");
    let on_space = server.request("textDocument/hover", at(0, 12));
    assert_eq!(on_space, Value::Null);
    server.shutdown();
}

#[test]
fn definition_and_references_of_node() {
    let mut server = open();
    let definition = server.request("textDocument/definition", at(7, 4));
    assert_eq!(
        definition["range"]["start"],
        json!({ "line": 4, "character": 19 })
    );
    let mut params = at(7, 4);
    params["context"] = json!({ "includeDeclaration": true });
    let references = server.request("textDocument/references", params);
    let lines: Vec<u64> = references
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|l| l["range"]["start"]["line"].as_u64())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(lines, [4, 7]);
    server.shutdown();
}

#[test]
fn rename_changes_every_occurrence() {
    let mut server = open();
    let prepared = server.request("textDocument/prepareRename", at(2, 10));
    assert_eq!(prepared["start"], json!({ "line": 2, "character": 10 }));
    let mut params = at(2, 10);
    params["newName"] = json!("check");
    let edit = server.request("textDocument/rename", params);
    let edits = edit["changes"][URI].as_array().cloned().unwrap_or_default();
    let renamed = apply_edits(CHART, &edits);
    assert!(renamed.contains("B --> check{n > 0?}"), "{renamed}");
    assert!(renamed.contains("check -->|No| E([End])"), "{renamed}");
    assert!(!renamed.contains(" C "), "{renamed}");
    let mut taken = at(2, 10);
    taken["newName"] = json!("D");
    let refused = server.request_raw("textDocument/rename", taken);
    assert_eq!(refused["error"]["code"], -32602, "{refused}");
    server.shutdown();
}

#[test]
fn symbols_group_nodes_by_subgraph() {
    let mut server = open();
    let symbols = server.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": URI } }),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .map(|list| list.iter().filter_map(|s| s["name"].as_str()).collect())
        .unwrap_or_default();
    // As in mermaid.js, an edge inside the subgraph moves `C` into it.
    assert_eq!(names, ["A", "B", "work", "E"]);
    let work = &symbols[2];
    assert_eq!(work["children"][0]["name"], "C");
    assert_eq!(work["children"][1]["name"], "D");
    server.shutdown();
}

#[test]
fn completion_folding_and_code_lens() {
    let mut server = open();
    let completion = server.request("textDocument/completion", at(8, 0));
    let labels: Vec<&str> = completion
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|item| item["label"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert!(labels.contains(&"D"), "{labels:?}");
    assert!(labels.contains(&"{condition}"), "{labels:?}");
    let folds = server.request(
        "textDocument/foldingRange",
        json!({ "textDocument": { "uri": URI } }),
    );
    assert_eq!(folds[0]["startLine"], 3);
    assert_eq!(folds[0]["endLine"], 5);
    let lenses = server.request(
        "textDocument/codeLens",
        json!({ "textDocument": { "uri": URI } }),
    );
    assert_eq!(lenses[0]["command"]["command"], "hexa.generateNotebook");
    assert_eq!(
        lenses[0]["range"]["start"],
        json!({ "line": 0, "character": 0 })
    );
    server.shutdown();
}

#[test]
fn formatting_is_idempotent() {
    let mut server = open();
    let options = json!({ "tabSize": 4, "insertSpaces": true });
    let params = json!({ "textDocument": { "uri": URI }, "options": options });
    let edits = server.request("textDocument/formatting", params.clone());
    let edits = edits.as_array().cloned().unwrap_or_default();
    assert_eq!(edits.len(), 1, "{edits:?}");
    let formatted = apply_edits(CHART, &edits);
    server.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": URI, "version": 2 },
            "contentChanges": [{ "text": formatted }],
        }),
    );
    let again = server.request("textDocument/formatting", params);
    assert_eq!(
        again,
        json!([]),
        "formatting the output changed it:\n{formatted}"
    );
    server.shutdown();
}

#[test]
fn formatting_keeps_commented_chart() {
    let (mut server, _) = Server::initialized(basic_capabilities());
    let uri = "file:///t/commented.mmd";
    server.open(uri, "mermaid", "flowchart TD\n  %% why\n  A-->B\n");
    let params = json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 4, "insertSpaces": true } });
    assert_eq!(server.request("textDocument/formatting", params), json!([]));
    server.shutdown();
}
