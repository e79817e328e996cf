//! Position encoding negotiation and published diagnostics.

use serde_json::{Value, json};

use crate::client::{Server, basic_capabilities};

fn codes_at(diagnostics: &Value) -> Vec<(String, u64, u64)> {
    diagnostics["diagnostics"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|d| {
                    (
                        d["code"].as_str().unwrap_or_default().to_string(),
                        d["range"]["start"]["line"].as_u64().unwrap_or(u64::MAX),
                        d["range"]["start"]["character"]
                            .as_u64()
                            .unwrap_or(u64::MAX),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn encoding_defaults_to_utf16() {
    let (server, result) = Server::initialized(json!({}));
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(result["serverInfo"]["name"], "hexa");
    server.shutdown();
}

#[test]
fn encoding_is_utf8_when_offered() {
    let capabilities = json!({ "general": { "positionEncodings": ["utf-8", "utf-16"] } });
    let (server, result) = Server::initialized(capabilities);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
    server.shutdown();
}

#[test]
fn broken_chart_gets_f003() {
    let (mut server, _) = Server::initialized(basic_capabilities());
    server.open(
        "file:///t/flow.mmd",
        "mermaid",
        "flowchart TD\n  A[load(x)] --> B\n",
    );
    let published = server.diagnostics("file:///t/flow.mmd", 1);
    let found = codes_at(&published);
    assert!(
        found.contains(&("F003".to_string(), 1, 8)),
        "diagnostics: {published}"
    );
    assert_eq!(published["diagnostics"][0]["severity"], 1);
    assert_eq!(published["diagnostics"][0]["source"], "hexa");
    server.shutdown();
}

#[test]
fn markdown_fence_positions_map_to_file() {
    let (mut server, _) = Server::initialized(basic_capabilities());
    let text = "# Notes\n\nSome text.\n\n```mermaid\nflowchart TD\n  A[load(x)] --> B\n```\n";
    server.open("file:///t/notes.md", "markdown", text);
    let published = server.diagnostics("file:///t/notes.md", 1);
    assert!(
        codes_at(&published).contains(&("F003".to_string(), 6, 8)),
        "{published}"
    );
    server.shutdown();
}

#[test]
fn columns_follow_negotiated_encoding() {
    // `😀` is 2 UTF-16 units and 4 UTF-8 bytes, so the `(` after it moves by 2.
    let text = "flowchart TD\n  A[\"😀\"] --> B[load(x)]\n";
    for (encodings, column) in [(json!(["utf-16"]), 20), (json!(["utf-8"]), 22)] {
        let capabilities = json!({ "general": { "positionEncodings": encodings } });
        let (mut server, _) = Server::initialized(capabilities);
        server.open("file:///t/emoji.mmd", "mermaid", text);
        let published = server.diagnostics("file:///t/emoji.mmd", 1);
        let found = codes_at(&published);
        assert!(
            found.contains(&("F003".to_string(), 1, column)),
            "{encodings}: {published}"
        );
        server.shutdown();
    }
}

#[test]
fn valid_chart_publishes_empty_list() {
    let (mut server, _) = Server::initialized(basic_capabilities());
    let text = "flowchart TD\n  A([Start]) --> B[x = 1] --> C([End])\n";
    server.open("file:///t/ok.mmd", "mermaid", text);
    let published = server.diagnostics("file:///t/ok.mmd", 1);
    assert_eq!(published["diagnostics"], json!([]));
    server.shutdown();
}
