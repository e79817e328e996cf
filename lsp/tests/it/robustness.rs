//! Ordering of changes, cancellation, malformed requests and a large document.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::client::{Server, basic_capabilities, file_uri};

fn change(server: &mut Server, uri: &str, version: i64, line: u32, text: &str) {
    let at = json!({ "line": line, "character": 0 });
    server.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": version },
            "contentChanges": [{ "range": { "start": at, "end": at }, "text": text }],
        }),
    );
}

fn symbol_names(symbols: &Value) -> Vec<String> {
    let mut names = Vec::new();
    for symbol in symbols.as_array().into_iter().flatten() {
        names.push(symbol["name"].as_str().unwrap_or_default().to_string());
        names.extend(symbol_names(&symbol["children"]));
    }
    names
}

#[test]
fn changes_apply_in_order() {
    let (mut server, _) = Server::initialized(basic_capabilities());
    let uri = "file:///t/order.mmd";
    server.open(uri, "mermaid", "flowchart TD\n  A --> B\n");
    change(&mut server, uri, 2, 2, "  B --> C\n");
    change(&mut server, uri, 3, 3, "  C --> D\n");
    let symbols = server.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert_eq!(symbol_names(&symbols), ["A", "B", "C", "D"]);

    server.diagnostics(uri, 3);
    let later = server.drain(Duration::from_millis(500));
    let versions: Vec<i64> = later
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .filter_map(|m| m["params"]["version"].as_i64())
        .collect();
    assert!(
        versions.iter().all(|version| *version == 3),
        "published after v3: {versions:?}"
    );
    server.shutdown();
}

#[test]
fn many_changes_publish_last_version_only_at_end() {
    let (mut server, _) = Server::initialized(basic_capabilities());
    let uri = "file:///t/many.mmd";
    server.open(uri, "mermaid", "flowchart TD\n");
    for version in 2..=30 {
        let line = (version - 1) as u32;
        change(
            &mut server,
            uri,
            version,
            line,
            &format!("  N{version} --> N{}\n", version + 1),
        );
    }
    server.diagnostics(uri, 30);
    let later = server.drain(Duration::from_millis(500));
    let stale = later
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .any(|m| m["params"]["version"] != json!(30));
    assert!(!stale, "stale diagnostics after version 30: {later:#?}");
    server.shutdown();
}

/// A straight chain of `nodes` assignment steps.
pub fn chain(nodes: usize) -> String {
    let mut text = String::from("flowchart TD\n  N0([Start])\n");
    for index in 1..nodes {
        text.push_str(&format!(
            "  N{}[\"x{index} = {index}\"] --> N{index}[\"x{index} = {index}\"]\n",
            index - 1
        ));
    }
    text
}

#[test]
fn cancel_gets_exactly_one_response() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("big.mmd");
    let text = chain(3000);
    std::fs::write(&path, &text).expect("write chart");
    let uri = file_uri(&path);
    let (mut server, _) = Server::initialized(basic_capabilities());
    let id = server.send_request(
        "workspace/executeCommand",
        json!({ "command": "hexa.generateNotebook", "arguments": [uri] }),
    );
    server.notify("$/cancelRequest", json!({ "id": id }));
    let response = server.response(id);
    let cancelled = response["error"]["code"] == -32800;
    assert!(cancelled || response.get("result").is_some(), "{response}");

    // The next request is answered normally, and no second response for `id` came.
    let next = server.request_raw(
        "textDocument/hover",
        json!({
            "textDocument": { "uri": "file:///t/not-open.mmd" },
            "position": { "line": 0, "character": 0 },
        }),
    );
    assert!(next.get("error").is_some(), "{next}");
    let rest = server.drain(Duration::from_millis(300));
    assert!(
        !rest.iter().any(|m| m["id"] == json!(id)),
        "second response for {id}: {rest:#?}"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list dir")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    server.shutdown();
}

#[test]
fn malformed_requests_get_errors() {
    let (mut server, _) = Server::initialized(basic_capabilities());
    let bad_params = server.request_raw("textDocument/hover", json!({ "nonsense": 1 }));
    assert_eq!(bad_params["error"]["code"], -32602, "{bad_params}");
    let unknown = server.request_raw("hexa/noSuchMethod", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    let bad_command = server.request_raw(
        "workspace/executeCommand",
        json!({ "command": "hexa.generateNotebook", "arguments": [42] }),
    );
    assert_eq!(bad_command["error"]["code"], -32602, "{bad_command}");
    let not_open = server.request_raw(
        "textDocument/formatting",
        json!({
            "textDocument": { "uri": "file:///t/none.mmd" },
            "options": { "tabSize": 4, "insertSpaces": true },
        }),
    );
    assert_eq!(not_open["error"]["code"], -32602, "{not_open}");
    let bad_range = "flowchart TD\n  A --> B\n";
    server.open("file:///t/r.mmd", "mermaid", bad_range);
    server.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": "file:///t/r.mmd", "version": 2 },
            "contentChanges": [{ "range": {
                "start": { "line": 99, "character": 99 }, "end": { "line": 0, "character": 0 }
            }, "text": "x" }],
        }),
    );
    server.diagnostics("file:///t/r.mmd", 2);
    server.shutdown();
}

#[test]
fn large_document_stays_responsive() {
    let text = chain(10_000);
    let uri = "file:///t/large.mmd";
    let (mut server, _) = Server::initialized(basic_capabilities());
    let opened = Instant::now();
    server.open(uri, "mermaid", &text);
    server.diagnostics(uri, 1);
    let diagnostics_time = opened.elapsed();

    let mut hover_times = Vec::new();
    for line in [1_u32, 5_000, 9_999] {
        let started = Instant::now();
        server.request(
            "textDocument/hover",
            json!({
                "textDocument": { "uri": uri },
                "position": { "line": line, "character": 3 },
            }),
        );
        hover_times.push(started.elapsed());
    }
    let started = Instant::now();
    change(&mut server, uri, 2, 1, "  X0 --> N0\n");
    server.diagnostics(uri, 2);
    let change_time = started.elapsed();
    eprintln!(
        "10,000 nodes: open->diagnostics {diagnostics_time:?}, hovers {hover_times:?}, \
         change->diagnostics {change_time:?}"
    );
    // Generous bounds for a debug build on a loaded machine; the numbers above are the
    // measurement.
    assert!(
        diagnostics_time < Duration::from_secs(10),
        "{diagnostics_time:?}"
    );
    assert!(change_time < Duration::from_secs(10), "{change_time:?}");
    server.shutdown();
}

/// Without a live server, `hexa.openInMarimo` starts `hexa serve`; with a Python that does
/// not exist that process exits, and the error names it and quotes its log.
#[test]
fn open_in_marimo_reports_a_serve_that_fails_to_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let uri = file_uri(&dir.path().join("flow.py"));
    let missing_python = dir.path().join("no-such-python");
    let missing_python = missing_python.to_str().expect("UTF-8 temp path");
    let (mut server, _) =
        Server::initialized_with_flags(basic_capabilities(), &["--python", missing_python]);
    let response = server.request_raw(
        "workspace/executeCommand",
        json!({ "command": "hexa.openInMarimo", "arguments": [uri] }),
    );
    assert_eq!(response["error"]["code"], -32803, "{response}");
    let message = response["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("hexa serve"), "{message}");
    assert!(message.contains("exited"), "{message}");
    assert!(dir.path().join(".hexa-serve.log").is_file());
    server.shutdown();
}
