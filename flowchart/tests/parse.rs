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

/// Turns mermaid's DB text into the displayed text, so it compares with `Node::label`:
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

fn node<'a>(doc: &'a Document, id: &str) -> &'a hexa_flowchart::ast::Node {
    let index = doc.node_index(id).unwrap_or_else(|| panic!("no node {id}"));
    &doc.nodes[index]
}

fn edge_pairs(doc: &Document) -> Vec<(String, String)> {
    doc.edges
        .iter()
        .map(|e| (doc.nodes[e.from].id.clone(), doc.nodes[e.to].id.clone()))
        .collect()
}

fn ids(doc: &Document) -> Vec<&str> {
    doc.nodes.iter().map(|n| n.id.as_str()).collect()
}

#[test]
fn br01_bare_end_is_rejected() {
    let source = "flowchart TD\n  Start --> end\n";
    let doc = parse(source);
    let errs: Vec<_> = doc.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].code, "F005");
    assert_eq!(errs[0].span.text(source), "end");
    let index = LineIndex::new(source);
    assert_eq!(index.position(source, errs[0].span.start).line, 1);
    assert!(errs[0].fix.is_some());
}

#[test]
fn br01_workarounds_parse() {
    let doc =
        parse("flowchart TD\n  Start --> done[\"end\"]\n  Start --> B_end\n  Start --> End\n");
    assert!(errors(&doc).is_empty(), "{:?}", errors(&doc));
    assert_eq!(ids(&doc), ["Start", "done", "B_end", "End"]);
    assert_eq!(node(&doc, "done").label, "end");
    assert_eq!(doc.edges.len(), 3);
    assert!(doc.edges.iter().all(|e| doc.nodes[e.from].id == "Start"));
}

#[test]
fn br03_unquoted_parenthesis_is_reported() {
    let source = "flowchart TD\n  A[load(x)] --> B\n";
    let doc = parse(source);
    let diagnostic = doc
        .diagnostics
        .iter()
        .find(|d| d.code == "F003")
        .expect("an F003");
    let index = LineIndex::new(source);
    let position = index.position(source, diagnostic.span.start);
    assert_eq!((position.line, position.utf16_col), (1, 8));
    assert!(
        diagnostic.message.contains("quote the label"),
        "{}",
        diagnostic.message
    );
    let fix = diagnostic.fix.as_ref().expect("a quote fix");
    assert_eq!(fix.span.text(source), "[load(x)]");
    assert_eq!(fix.replacement, "[\"load(x)\"]");
    // The rest of the statement is still read.
    assert_eq!(edge_pairs(&doc), [("A".to_string(), "B".to_string())]);
}

#[test]
fn br03_quoted_labels_decode() {
    let doc = parse("flowchart TD\n  A[\"load(x)\"] --> B\n  B --> C[\"say #quot;hi#quot;\"]\n");
    assert!(errors(&doc).is_empty(), "{:?}", errors(&doc));
    assert_eq!(node(&doc, "A").label, "load(x)");
    assert_eq!(node(&doc, "C").label, "say \"hi\"");
}

#[test]
fn br04_trailing_comment_is_an_error() {
    let source = "flowchart TD\n  A --> B;  %% note\n";
    let doc = parse(source);
    let errs: Vec<_> = doc.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].code, "F008");
    assert_eq!(errs[0].span.text(source), "%% note");
    assert_eq!(ids(&doc), ["A", "B"]);
    let fix = errs[0].fix.as_ref().expect("a move fix");
    assert_eq!(fix.replacement, "\n  %% note");
}

#[test]
fn br04_trailing_comment_without_semicolon() {
    let doc = parse("flowchart TD\n  A --> B %% note\n  B --> C\n");
    assert_eq!(errors(&doc).len(), 1, "{:?}", errors(&doc));
    assert_eq!(ids(&doc), ["A", "B", "C"]);
}

#[test]
fn br04_comment_lines_are_fine() {
    let doc = parse("flowchart TD\n  %% note\n  A --> B;\n  B --> C;\n");
    assert!(errors(&doc).is_empty(), "{:?}", errors(&doc));
    assert_eq!(ids(&doc), ["A", "B", "C"]);
    assert_eq!(edge_pairs(&doc).len(), 2);
}

#[test]
fn header_directions() {
    let cases = [
        ("flowchart TB", Direction::TopDown, false),
        ("flowchart TD", Direction::TopDown, false),
        ("graph BT", Direction::BottomUp, true),
        ("graph LR;", Direction::LeftRight, true),
        ("flowchart RL", Direction::RightLeft, false),
        ("flowchart", Direction::TopDown, false),
    ];
    for (header, direction, graph_keyword) in cases {
        let doc = parse(&format!("{header}\n  A --> B\n"));
        assert!(errors(&doc).is_empty(), "{header}: {:?}", errors(&doc));
        assert_eq!(doc.direction, direction, "{header}");
        assert_eq!(doc.graph_keyword, graph_keyword, "{header}");
    }
}

#[test]
fn missing_header_is_f001() {
    for source in ["", "   \n", "A --> B", "sequenceDiagram\n  A->>B: hi"] {
        let doc = parse(source);
        assert_eq!(doc.diagnostics.len(), 1, "{source:?}");
        assert_eq!(doc.diagnostics[0].code, "F001", "{source:?}");
        assert_eq!(
            LineIndex::new(source)
                .position(source, doc.diagnostics[0].span.start)
                .line,
            0
        );
    }
    let doc = parse("sequenceDiagram\n");
    assert!(doc.diagnostics[0].message.contains("`sequenceDiagram`"));
}

#[test]
fn front_matter_title() {
    let doc = parse("---\ntitle: My flow\n---\nflowchart LR\n  A --> B\n");
    assert!(errors(&doc).is_empty(), "{:?}", errors(&doc));
    assert_eq!(doc.title.as_deref(), Some("My flow"));
}

#[test]
fn shapes_and_spans() {
    let source = "flowchart LR\n  A([go]) --> B{ok?} --> C[/in/] --> D[\\out\\] --> E>odd]\n";
    let doc = parse(source);
    assert!(errors(&doc).is_empty(), "{:?}", errors(&doc));
    let shapes: Vec<Shape> = doc.nodes.iter().map(|n| n.shape).collect();
    let expected = [
        Shape::Stadium,
        Shape::Diamond,
        Shape::LeanRight,
        Shape::LeanLeft,
        Shape::Asymmetric,
    ];
    assert_eq!(shapes, expected);
    let a = node(&doc, "A");
    assert!(a.has_label);
    assert_eq!(a.decl_span.map(|s| s.text(source)), Some("([go])"));
    assert_eq!(a.label_span.map(|s| s.text(source)), Some("go"));
    assert_eq!(a.id_span.text(source), "A");
    assert_eq!(node(&doc, "B").occurrences.len(), 1);
}

#[test]
fn named_shapes_map_to_enum() {
    let source = "flowchart TD\n  A@{ shape: diam, label: \"x?\" }\n  B@{ shape: cyl }\n  C@{shape: sm-circ}\n  D@{ shape: bolt }\n";
    let doc = parse(source);
    assert!(errors(&doc).is_empty(), "{:?}", errors(&doc));
    assert_eq!(node(&doc, "A").shape, Shape::Diamond);
    assert_eq!(node(&doc, "A").label, "x?");
    assert_eq!(
        node(&doc, "A").label_span.map(|s| s.text(source)),
        Some("\"x?\"")
    );
    assert_eq!(node(&doc, "B").shape, Shape::Cylinder);
    assert_eq!(node(&doc, "B").label, "B");
    use hexa_flowchart::ast::NamedShape;
    assert_eq!(node(&doc, "C").shape, Shape::Named(NamedShape::Terminal));
    assert_eq!(node(&doc, "D").shape, Shape::Named(NamedShape::Other));
    assert_eq!(node(&doc, "D").shape_name.as_deref(), Some("bolt"));
}

#[test]
fn unknown_shape_name_is_f010() {
    let doc = parse("flowchart TD\n  A@{ shape: blob }\n  B@{ shape: Rect }\n");
    let codes: Vec<_> = doc.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["F010", "F010"]);
}

#[test]
fn links_kinds() {
    let doc = parse(
        "flowchart TD\n  A <--> B\n  A o--o C\n  A -.-> D\n  A ==> E\n  A ~~~ F\n  A ----> G\n",
    );
    assert!(errors(&doc).is_empty(), "{:?}", errors(&doc));
    let e = &doc.edges;
    assert_eq!(
        (e[0].start_head, e[0].end_head),
        (ArrowHead::Arrow, ArrowHead::Arrow)
    );
    assert_eq!(
        (e[1].start_head, e[1].end_head),
        (ArrowHead::Circle, ArrowHead::Circle)
    );
    assert_eq!(e[2].stroke, Stroke::Dotted);
    assert_eq!(e[3].stroke, Stroke::Thick);
    assert_eq!(e[4].stroke, Stroke::Invisible);
    assert_eq!(e[5].length, 3);
    assert_eq!(e[0].length, 1);
}

#[test]
fn edge_labels_and_ids() {
    let source =
        "flowchart TD\n  A -- yes --> B\n  A -->|\"a (b)\"| C\n  A e1@==> D\n  A -. maybe .-> E\n";
    let doc = parse(source);
    assert!(errors(&doc).is_empty(), "{:?}", errors(&doc));
    let labels: Vec<_> = doc.edges.iter().map(|e| e.label.as_deref()).collect();
    assert_eq!(labels, [Some("yes"), Some("a (b)"), None, Some("maybe")]);
    assert_eq!(doc.edges[0].label_span.map(|s| s.text(source)), Some("yes"));
    assert_eq!(doc.edges[2].id.as_deref(), Some("e1"));
    assert_eq!(doc.edges[0].span.text(source), "-- yes -->");
}

#[test]
fn ampersand_groups_and_chains() {
    let doc = parse("flowchart TD\n  A & B --> C & D --> E\n");
    assert!(errors(&doc).is_empty(), "{:?}", errors(&doc));
    assert_eq!(doc.edges.len(), 6);
    assert_eq!(ids(&doc), ["A", "B", "C", "D", "E"]);
}

#[test]
fn redeclared_node_keeps_last_shape() {
    let doc = parse("flowchart TD\n  A[one] --> B\n  A(two)\n");
    assert_eq!(node(&doc, "A").label, "two");
    assert_eq!(node(&doc, "A").shape, Shape::Rounded);
    assert_eq!(node(&doc, "A").occurrences.len(), 2);
}

#[test]
fn subgraph_membership_and_nesting() {
    let source = "flowchart TD\n  subgraph outer [Outer]\n    A\n    subgraph inner\n      direction LR\n      B --> C\n    end\n  end\n  C --> D\n";
    let doc = parse(source);
    assert!(errors(&doc).is_empty(), "{:?}", errors(&doc));
    assert_eq!(doc.subgraphs.len(), 2);
    assert_eq!(doc.subgraphs[0].title, "Outer");
    assert_eq!(doc.subgraphs[1].parent, Some(0));
    assert_eq!(doc.subgraphs[1].direction, Some(Direction::LeftRight));
    assert_eq!(node(&doc, "A").subgraph, Some(0));
    assert_eq!(node(&doc, "B").subgraph, Some(1));
    assert_eq!(node(&doc, "D").subgraph, None);
    let outer: Vec<&str> = doc.subgraphs[0]
        .nodes
        .iter()
        .map(|&i| doc.nodes[i].id.as_str())
        .collect();
    assert_eq!(outer, ["A", "B", "C"]);
}

#[test]
fn subgraph_errors() {
    let doc = parse("flowchart TD\n  subgraph S\n    A\n");
    assert_eq!(
        doc.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(),
        ["F006"]
    );
    let doc = parse("flowchart TD\n  A\n  end\n");
    assert_eq!(
        doc.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(),
        ["F007"]
    );
}

#[test]
fn class_style_click_record_occurrences() {
    let source = "flowchart TD\n  A --> B\n  class A,X hot\n  style Y fill:#fff\n  click B cb\n  classDef hot fill:#f00\n  A:::cold\n";
    let doc = parse(source);
    assert!(errors(&doc).is_empty(), "{:?}", errors(&doc));
    // `style` creates a node for an unknown id, `class` and `click` do not (as mermaid).
    assert_eq!(ids(&doc), ["A", "B", "Y"]);
    let mut classes = node(&doc, "A").classes.clone();
    classes.sort();
    assert_eq!(classes, ["cold", "hot"]);
    assert_eq!(node(&doc, "A").occurrences.len(), 3);
    assert_eq!(node(&doc, "B").occurrences.len(), 2);
    assert_eq!(doc.class_defs.len(), 1);
    assert_eq!(doc.class_defs[0].names, ["hot"]);
}

#[test]
fn several_errors_are_reported() {
    let source = "flowchart TD\n  A -> B\n  C[x(y)] --> D\n  E --> end\n  F --> G\n";
    let doc = parse(source);
    let codes: Vec<_> = doc.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["F004", "F003", "F005"]);
    assert!(doc.node_index("G").is_some());
    let fix = doc.diagnostics[0].fix.as_ref().expect("an arrow fix");
    assert_eq!(fix.replacement, "-->");
}

#[test]
fn unclosed_bracket_names_opener() {
    let source = "flowchart TD\n  A[Start] --> B{Is n > 0?\n  B -->|Yes| C\n";
    let doc = parse(source);
    let diagnostic = &doc.diagnostics[0];
    assert_eq!(diagnostic.code, "F002");
    assert!(
        diagnostic.message.contains("unclosed `{` opened at 2:17"),
        "{}",
        diagnostic.message
    );
}

#[test]
fn keywords_inside_labels_and_ids() {
    let doc =
        parse("flowchart TD\n  K[graph style end] --> endpoint --> 1a\n  subgraph_x --> End\n");
    assert!(errors(&doc).is_empty(), "{:?}", errors(&doc));
    assert_eq!(node(&doc, "K").label, "graph style end");
    assert_eq!(ids(&doc), ["K", "endpoint", "1a", "subgraph_x", "End"]);
}

#[test]
fn unicode_ids_and_labels() {
    let source = "flowchart TD\n  é[café ☕] --> 日本[\"東京\"]\n";
    let doc = parse(source);
    assert!(errors(&doc).is_empty(), "{:?}", errors(&doc));
    assert_eq!(node(&doc, "é").label, "café ☕");
    assert_eq!(node(&doc, "日本").label, "東京");
}

fn assert_spans_on_boundaries(source: &str, doc: &Document) {
    let check = |span: hexa_flowchart::Span| {
        assert!(
            span.start <= span.end && span.end <= source.len(),
            "{span:?}"
        );
        assert!(source.is_char_boundary(span.start), "{span:?}");
        assert!(source.is_char_boundary(span.end), "{span:?}");
    };
    for diagnostic in &doc.diagnostics {
        check(diagnostic.span);
        if let Some(fix) = &diagnostic.fix {
            check(fix.span);
        }
    }
    for node in &doc.nodes {
        node.occurrences.iter().copied().for_each(check);
        node.decl_span
            .into_iter()
            .chain(node.label_span)
            .for_each(check);
    }
    for edge in &doc.edges {
        check(edge.span);
        edge.label_span.into_iter().for_each(check);
    }
}

#[test]
fn every_prefix_parses_without_panic() {
    let mut sources: Vec<String> = ["008", "014", "024"]
        .iter()
        .map(|n| read(&fixtures().join(format!("corpus/{n}.mmd"))))
        .collect();
    sources.extend(mmd_files("cases").iter().map(|path| read(path)));
    sources.extend(mmd_files("invalid").iter().map(|path| read(path)));
    for source in &sources {
        for (end, _) in source.char_indices() {
            let prefix = &source[..end];
            let doc = parse(prefix);
            assert_spans_on_boundaries(prefix, &doc);
        }
    }
}

#[test]
fn byte_soup_parses_without_panic() {
    // A small xorshift generator keeps the test deterministic without a dependency.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let alphabet: Vec<char> =
        "flowchart graph TD LR subgraph end AB-=.~>|&:;%{}[]()\"`#/\\@ \n\té😀o x"
            .chars()
            .collect();
    for _ in 0..3000 {
        let mut text = String::from("flowchart TD\n");
        for _ in 0..(state % 60) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push(alphabet[(state % alphabet.len() as u64) as usize]);
        }
        let doc = parse(&text);
        assert_spans_on_boundaries(&text, &doc);
    }
}

#[test]
fn large_chart_parses_quickly() {
    let mut source = String::from("flowchart TD\n");
    for i in 0..10_000 {
        source.push_str(&format!("  n{i}[\"step {i}\"] -->|go| n{}\n", i + 1));
    }
    let started = std::time::Instant::now();
    let doc = parse(&source);
    let elapsed = started.elapsed();
    assert_eq!(doc.nodes.len(), 10_001);
    assert_eq!(doc.edges.len(), 10_000);
    // Generous so that debug builds on a busy machine pass; release is far below 100 ms.
    assert!(elapsed.as_secs() < 5, "took {elapsed:?}");
}

/// An unclosed bracket comes with a fix that closes it before the link.
#[test]
fn unclosed_bracket_fix_closes_it() {
    let source = "flowchart TD\n  A[load x --> B\n";
    let doc = hexa_flowchart::parse(source);
    let error = doc
        .diagnostics
        .iter()
        .find(|d| d.code == "F002")
        .expect("an F002 error");
    let fix = error.fix.as_ref().expect("a fix");
    assert_eq!(fix.replacement, "]");
    let mut fixed = source.to_string();
    fixed.replace_range(fix.span.start..fix.span.end, &fix.replacement);
    assert_eq!(fixed, "flowchart TD\n  A[load x] --> B\n");
    assert!(!hexa_flowchart::parse(&fixed).has_errors());
}
