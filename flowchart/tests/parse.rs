//! Parser tests: mermaid.js oracle dumps, the shared corpus, hard cases and robustness.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use hexa_flowchart::ast::{ArrowHead, Direction, Shape, Stroke};
use hexa_flowchart::span::LineIndex;
use hexa_flowchart::{Document, parse};
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/parse")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

fn mmd_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(fixtures().join(dir))
        .unwrap_or_else(|error| panic!("cannot list {dir}: {error}"))
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "mmd"))
        .collect();
    files.sort();
    files
}

fn errors(doc: &Document) -> Vec<String> {
    doc.diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{} {:?} {}", d.code, d.span, d.message))
        .collect()
}

/// Turns mermaid's DB text into what a reader sees, so it compares with `Node::label`:
/// mermaid keeps entities as `ﬂ°…¶ß` placeholders until rendering and HTML-escapes `<`.
fn normalise_oracle_text(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("ﬂ°") {
        out.push_str(&rest[..start]);
        let after = &rest[start + "ﬂ°".len()..];
        let Some(end) = after.find("¶ß") else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let body = &after[..end];
        let entity = match body.strip_prefix('°') {
            Some(number) => format!("#{number};"),
            None => format!("#{body};"),
        };
        out.push_str(&entity);
        rest = &after[end + "¶ß".len()..];
    }
    out.push_str(rest);
    let out = out
        .replace("&lt;", "#lt;")
        .replace("&gt;", "#gt;")
        .replace("&amp;", "#amp;");
    hexa_flowchart::parse::decode_label(&out)
}

fn edge_type(start: ArrowHead, end: ArrowHead) -> String {
    let name = |head: ArrowHead| match head {
        ArrowHead::None => "arrow_open",
        ArrowHead::Arrow => "arrow_point",
        ArrowHead::Circle => "arrow_circle",
        ArrowHead::Cross => "arrow_cross",
    };
    if start != ArrowHead::None && start == end {
        format!("double_{}", name(end))
    } else {
        name(end).to_string()
    }
}

fn stroke_name(stroke: Stroke) -> &'static str {
    match stroke {
        Stroke::Normal => "normal",
        Stroke::Thick => "thick",
        Stroke::Dotted => "dotted",
        Stroke::Invisible => "invisible",
    }
}

/// Compares a parsed document with mermaid's dump and returns every difference.
fn oracle_differences(doc: &Document, oracle: &Value) -> Vec<String> {
    let mut diffs = Vec::new();
    let vertices = oracle["vertices"].as_array().cloned().unwrap_or_default();
    let ours: Vec<&str> = doc.nodes.iter().map(|n| n.id.as_str()).collect();
    let theirs: Vec<&str> = vertices.iter().filter_map(|v| v["id"].as_str()).collect();
    if ours != theirs {
        diffs.push(format!("node ids: ours {ours:?}, mermaid {theirs:?}"));
    }
    for vertex in &vertices {
        let id = vertex["id"].as_str().unwrap_or("");
        let Some(node) = doc.nodes.iter().find(|n| n.id == id) else {
            continue;
        };
        let text = normalise_oracle_text(vertex["text"].as_str().unwrap_or(id));
        if node.label != text {
            diffs.push(format!(
                "label of {id}: ours {:?}, mermaid {text:?}",
                node.label
            ));
        }
    }

    let edges = oracle["edges"].as_array().cloned().unwrap_or_default();
    if edges.len() != doc.edges.len() {
        diffs.push(format!(
            "edge count: ours {}, mermaid {}",
            doc.edges.len(),
            edges.len()
        ));
    }
    for (i, (edge, theirs)) in doc.edges.iter().zip(&edges).enumerate() {
        let from = &doc.nodes[edge.from].id;
        let to = &doc.nodes[edge.to].id;
        let ours = (
            from.as_str(),
            to.as_str(),
            edge.label.clone().unwrap_or_default(),
            edge_type(edge.start_head, edge.end_head),
            stroke_name(edge.stroke).to_string(),
        );
        let theirs = (
            theirs["start"].as_str().unwrap_or(""),
            theirs["end"].as_str().unwrap_or(""),
            normalise_oracle_text(theirs["text"].as_str().unwrap_or("")),
            theirs["type"].as_str().unwrap_or("").to_string(),
            theirs["stroke"].as_str().unwrap_or("").to_string(),
        );
        if ours != theirs {
            diffs.push(format!("edge {i}: ours {ours:?}, mermaid {theirs:?}"));
        }
    }

    let subgraphs = oracle["subgraphs"].as_array().cloned().unwrap_or_default();
    if subgraphs.len() != doc.subgraphs.len() {
        diffs.push(format!(
            "subgraphs: ours {}, mermaid {}",
            doc.subgraphs.len(),
            subgraphs.len()
        ));
    }
    for theirs in &subgraphs {
        let id = theirs["id"].as_str().unwrap_or("");
        let Some(index) = doc.subgraphs.iter().position(|s| s.id == id) else {
            diffs.push(format!("subgraph {id} missing"));
            continue;
        };
        let title = normalise_oracle_text(theirs["title"].as_str().unwrap_or(""));
        if doc.subgraphs[index].title != title {
            diffs.push(format!(
                "subgraph {id} title: ours {:?}, mermaid {title:?}",
                doc.subgraphs[index].title
            ));
        }
        let direct: BTreeSet<&str> = doc
            .nodes
            .iter()
            .filter(|n| n.subgraph == Some(index))
            .map(|n| n.id.as_str())
            .collect();
        let expected: BTreeSet<&str> = theirs["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|member| theirs_is_vertex(&vertices, member))
            .collect();
        if direct != expected {
            diffs.push(format!(
                "subgraph {id} members: ours {direct:?}, mermaid {expected:?}"
            ));
        }
    }
    diffs
}

fn theirs_is_vertex(vertices: &[Value], id: &str) -> bool {
    vertices.iter().any(|v| v["id"].as_str() == Some(id))
}

fn check_against_oracle(dir: &str) -> (usize, Vec<String>) {
    let mut matched = 0;
    let mut failures = Vec::new();
    for path in mmd_files(dir) {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("")
            .to_string();
        let oracle_path = fixtures().join("oracle").join(format!("{name}.json"));
        let oracle: Value = serde_json::from_str(&read(&oracle_path)).unwrap_or(Value::Null);
        let doc = parse(&read(&path));
        let mut diffs = errors(&doc);
        diffs.extend(oracle_differences(&doc, &oracle));
        if diffs.is_empty() {
            matched += 1;
        } else {
            failures.push(format!("{name}:\n  {}", diffs.join("\n  ")));
        }
    }
    (matched, failures)
}

#[test]
fn corpus_matches_oracle() {
    let (matched, failures) = check_against_oracle("corpus");
    assert!(
        failures.is_empty(),
        "{matched} of 40 match; differences:\n{}",
        failures.join("\n")
    );
    assert_eq!(matched, 40);
}

#[test]
fn cases_match_oracle() {
    let (_, failures) = check_against_oracle("cases");
    assert!(failures.is_empty(), "differences:\n{}", failures.join("\n"));
}

/// Node, edge and subgraph counts that mermaid.js 11.17.2 reports for the corpus.
const MANIFEST_COUNTS: [(usize, usize, usize); 40] = [
    (68, 67, 0),
    (13, 18, 0),
    (11, 13, 0),
    (16, 17, 0),
    (18, 20, 0),
    (23, 30, 0),
    (24, 33, 0),
    (17, 17, 2),
    (6, 6, 0),
    (9, 13, 0),
    (7, 7, 0),
    (6, 6, 0),
    (8, 8, 0),
    (10, 11, 0),
    (8, 8, 0),
    (14, 14, 0),
    (13, 12, 0),
    (19, 20, 0),
    (7, 7, 0),
    (8, 9, 0),
    (6, 6, 0),
    (10, 10, 0),
    (9, 12, 0),
    (15, 11, 4),
    (8, 7, 0),
    (9, 9, 0),
    (7, 5, 0),
    (6, 6, 0),
    (6, 5, 3),
    (9, 7, 3),
    (8, 6, 2),
    (10, 9, 4),
    (7, 6, 0),
    (11, 10, 0),
    (9, 4, 3),
    (8, 4, 4),
    (5, 4, 0),
    (259, 258, 0),
    (147, 146, 0),
    (7, 7, 0),
];

#[test]
fn corpus_counts_match_manifest() {
    let files = mmd_files("corpus");
    assert_eq!(files.len(), 40);
    for (path, expected) in files.iter().zip(MANIFEST_COUNTS) {
        let doc = parse(&read(path));
        let counts = (doc.nodes.len(), doc.edges.len(), doc.subgraphs.len());
        assert_eq!(counts, expected, "{}", path.display());
        assert!(
            errors(&doc).is_empty(),
            "{}: {:?}",
            path.display(),
            errors(&doc)
        );
    }
}

#[test]
fn algorithms_parse_without_errors() {
    for path in mmd_files("algorithms") {
        let doc = parse(&read(&path));
        assert!(
            errors(&doc).is_empty(),
            "{}: {:?}",
            path.display(),
            errors(&doc)
        );
        assert!(!doc.nodes.is_empty(), "{}", path.display());
    }
}

/// 1-based line of the end of each error span.
fn error_lines(source: &str, doc: &Document) -> Vec<(usize, &'static str)> {
    let index = LineIndex::new(source);
    doc.diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            (
                index
                    .position(source, d.span.end.saturating_sub(1).max(d.span.start))
                    .line
                    + 1,
                d.code,
            )
        })
        .collect()
}

#[test]
fn invalid_corpus_reports_mermaid_lines() {
    // Lines from mermaid.js 11.17.2. For a missing `end` mermaid reports the end of the text;
    // hexa points at the `subgraph` line instead (line 2).
    let expected = [
        ("001-unclosed-diamond", 3, "F002"),
        ("002-bad-arrow", 3, "F004"),
        ("003-end-keyword-as-node", 3, "F005"),
        ("004-nested-brackets", 2, "F003"),
        ("005-subgraph-missing-end", 2, "F006"),
    ];
    for (name, line, code) in expected {
        let source = read(&fixtures().join("invalid").join(format!("{name}.mmd")));
        let doc = parse(&source);
        let lines = error_lines(&source, &doc);
        assert!(
            lines.contains(&(line, code)),
            "{name}: expected {code} on line {line}, got {lines:?}"
        );
    }
}
