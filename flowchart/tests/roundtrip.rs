//! Printer round trip: parsing the printed text gives back the same graph, and printing is
//! idempotent. Checked on the fixture charts and on random charts built from the grammar.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use hexa_flowchart::ast::{ArrowHead, Direction, Shape, Stroke};
use hexa_flowchart::format::format;
use hexa_flowchart::{Document, parse};
use proptest::prelude::*;
use proptest::sample::{Index, select};

/// What a round trip must keep, with nodes keyed by id because the printer groups nodes by
/// subgraph and so may change their order.
#[derive(Debug, PartialEq)]
struct Graph {
    direction: Direction,
    title: Option<String>,
    nodes: BTreeMap<String, NodeFacts>,
    edges: Vec<EdgeFacts>,
    /// Id, title, direction and parent index of each subgraph, in order of their `subgraph` line.
    subgraphs: Vec<(String, String, Option<Direction>, Option<usize>)>,
    class_defs: Vec<(Vec<String>, String)>,
}

#[derive(Debug, PartialEq)]
struct NodeFacts {
    shape: Shape,
    shape_name: Option<String>,
    label: String,
    has_label: bool,
    subgraph: Option<usize>,
    classes: Vec<String>,
}

#[derive(Debug, PartialEq)]
struct EdgeFacts {
    from: String,
    to: String,
    stroke: Stroke,
    start_head: ArrowHead,
    end_head: ArrowHead,
    length: usize,
    label: Option<String>,
    id: Option<String>,
}

fn graph(doc: &Document) -> Graph {
    let nodes = doc
        .nodes
        .iter()
        .map(|node| {
            let facts = NodeFacts {
                shape: node.shape,
                shape_name: node.shape_name.clone(),
                label: node.label.clone(),
                has_label: node.has_label,
                subgraph: node.subgraph,
                classes: node.classes.clone(),
            };
            (node.id.clone(), facts)
        })
        .collect();
    let edges = doc
        .edges
        .iter()
        .map(|edge| EdgeFacts {
            from: doc.nodes[edge.from].id.clone(),
            to: doc.nodes[edge.to].id.clone(),
            stroke: edge.stroke,
            start_head: edge.start_head,
            end_head: edge.end_head,
            length: edge.length,
            label: edge.label.clone(),
            id: edge.id.clone(),
        })
        .collect();
    let subgraphs = doc
        .subgraphs
        .iter()
        .map(|s| (s.id.clone(), s.title.clone(), s.direction, s.parent))
        .collect();
    let class_defs = doc
        .class_defs
        .iter()
        .map(|c| (c.names.clone(), c.styles.clone()))
        .collect();
    Graph {
        direction: doc.direction,
        title: doc.title.clone(),
        nodes,
        edges,
        subgraphs,
        class_defs,
    }
}

fn error_messages(doc: &Document) -> Vec<String> {
    doc.diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{} {:?} {}", d.code, d.span, d.message))
        .collect()
}

/// Checks the round trip of one source that parses without errors; `Err` says what differs.
fn round_trip(source: &str) -> Result<(), String> {
    let doc = parse(source);
    let printed = format(&doc);
    let reparsed = parse(&printed);
    let errors = error_messages(&reparsed);
    if !errors.is_empty() {
        return Err(format!("printed text has errors {errors:?}:\n{printed}"));
    }
    let (before, after) = (graph(&doc), graph(&reparsed));
    if before != after {
        return Err(format!(
            "graph changed:\n{before:#?}\n{after:#?}\nprinted:\n{printed}"
        ));
    }
    let printed_again = format(&reparsed);
    if printed_again != printed {
        return Err(format!("not idempotent:\n{printed}\n---\n{printed_again}"));
    }
    Ok(())
}

#[test]
fn fixtures_round_trip() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/parse");
    let mut checked = 0;
    for dir in ["corpus", "cases", "algorithms"] {
        let mut paths: Vec<_> = fs::read_dir(root.join(dir))
            .expect("fixture directory exists")
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "mmd"))
            .collect();
        paths.sort();
        for path in paths {
            let source = fs::read_to_string(&path).expect("fixture is UTF-8 text");
            if let Err(message) = round_trip(&source) {
                panic!("{}: {message}", path.display());
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 57);
}

#[test]
fn printed_form_is_canonical() {
    let source = "---\ntitle: Demo\n---\ngraph LR\n  A([go]) -- yes --> B{\"ok?\"}\n  \
                  subgraph s1 [Work]\n  direction TB\n  B\n  end\n  B e1@-.->|no| C:::hot\n  \
                  C <==> A\n  classDef hot fill:#f00\n";
    let expected = "---\ntitle: Demo\n---\ngraph LR\n    A([\"go\"])\n    C\n    \
                    subgraph s1[\"Work\"]\n        direction TD\n        B{\"ok?\"}\n    end\n    \
                    A -->|\"yes\"| B\n    B e1@-.->|\"no\"| C\n    C <==> A\n    \
                    classDef hot fill:#f00\n    class C hot\n";
    assert_eq!(format(&parse(source)), expected);
}

#[test]
fn labels_with_entities_round_trip() {
    let sources = [
        "flowchart TD\n  A[\"say #quot;hi#quot; #35;35; &amp;amp; #lt;br>\"]\n",
        "flowchart TD\n  A[\"`md`\"] --> B[\"#96;x#96;\"]\n",
        "flowchart TD\n  A@{ shape: diam, label: \"a \\\"b\\\" \\\\ c\" }\n",
        "flowchart TD\n  subgraph \"Two words\"\n    A\n  end\n  subgraph\n    B\n  end\n",
        "flowchart TD\n  subgraph s [\"x (y) \"z\"\"]\n    A(-ellipse-)\n  end\n",
        "flowchart TD\n  subgraph \"a [b] c\"\n    A\n  end\n  subgraph t [`md`<br>x]\n    B\n  end\n",
    ];
    for source in sources {
        assert!(error_messages(&parse(source)).is_empty(), "{source}");
        if let Err(message) = round_trip(source) {
            panic!("{source}: {message}");
        }
    }
}

// ---- Random charts from the grammar ----

/// Words the parser always reads as keywords at the start of a statement.
const KEYWORDS: &[&str] = &[
    "end",
    "subgraph",
    "style",
    "linkStyle",
    "classDef",
    "class",
    "click",
    "graph",
    "flowchart",
];

fn node_id() -> impl Strategy<Value = String> {
    let tricky = select(vec![
        "B_end", "End", "endpoint", "1", "42", "7a", "é", "日本", "node_1", "o", "x", "v",
    ]);
    prop_oneof![3 => "[A-Za-z][A-Za-z0-9_]{0,5}", 1 => tricky.prop_map(String::from)]
        .prop_filter("not a keyword, subgraph id or edge id", |id| {
            !KEYWORDS.contains(&id.as_str()) && !id.starts_with("sg") && !id.starts_with("lnk")
        })
}

/// Text with the characters that force quoting: unicode, quotes, brackets, entities, `<br>`.
fn label_text() -> impl Strategy<Value = String> {
    let tricky = select(vec![
        "é", "☕", "日本", "😀", "\"", "(", ")", "[", "]", "{", "}", "|", "#", "&", ";", "<", ">",
        "/", "\\", "'", "-", ".", ":", ",", "!", "?", "=", "<br>", "#quot;", "&amp;", "#35;", "%%",
        "`",
    ]);
    let part = prop_oneof![4 => "[a-zA-Z0-9 ]", 1 => tricky.prop_map(String::from)];
    prop::collection::vec(part, 1..10).prop_map(|parts| parts.concat())
}

/// Plain words, safe in unquoted labels, pipes and inline edge text.
fn plain_text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9][a-zA-Z0-9 ]{0,8}[a-zA-Z0-9]?"
}

fn is_plain(text: &str) -> bool {
    !text.trim().is_empty()
        && text
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == ' ')
}

/// A label in `"…"`, with the quotes inside written as entities.
fn quoted(text: &str) -> String {
    let inner = text.replace('"', "#quot;");
    // `"`…` would open a markdown string.
    let lead = if inner.starts_with('`') { " " } else { "" };
    format!("\"{lead}{inner}\"")
}

#[derive(Debug, Clone)]
enum NodeShape {
    Bare,
    Brackets(&'static str, &'static str, String),
    Data(&'static str, Option<String>),
}

fn node_shape() -> impl Strategy<Value = NodeShape> {
    let brackets = select(vec![
        ("[", "]"),
        ("(", ")"),
        ("([", "])"),
        ("[[", "]]"),
        ("[(", ")]"),
        ("((", "))"),
        ("(((", ")))"),
        (">", "]"),
        ("{", "}"),
        ("{{", "}}"),
        ("[/", "/]"),
        ("[\\", "\\]"),
        ("[/", "\\]"),
        ("[\\", "/]"),
        ("(-", "-)"),
    ]);
    let names = select(vec![
        "diam", "cyl", "sm-circ", "doc", "bolt", "rect", "lean-r", "odd",
    ]);
    prop_oneof![
        2 => Just(NodeShape::Bare),
        5 => (brackets, label_text()).prop_map(|((open, close), text)| {
            NodeShape::Brackets(open, close, text)
        }),
        1 => (names, proptest::option::of(label_text()))
            .prop_map(|(name, label)| NodeShape::Data(name, label)),
    ]
}

#[derive(Debug, Clone)]
struct NodeRef {
    id: Index,
    shape: NodeShape,
    class: bool,
}

fn node_ref() -> impl Strategy<Value = NodeRef> {
    (any::<Index>(), node_shape(), prop::bool::weighted(0.1))
        .prop_map(|(id, shape, class)| NodeRef { id, shape, class })
}

#[derive(Debug, Clone)]
enum EdgeLabel {
    None,
    Pipe(String),
    PipeQuoted(String),
    Inline(String),
}

#[derive(Debug, Clone)]
struct Link {
    /// 0 normal, 1 thick, 2 dotted, 3 invisible.
    stroke: usize,
    start: &'static str,
    end: &'static str,
    length: usize,
    label: EdgeLabel,
    with_id: bool,
}

fn link() -> impl Strategy<Value = Link> {
    let label = prop_oneof![
        3 => Just(EdgeLabel::None),
        1 => plain_text().prop_map(EdgeLabel::Pipe),
        1 => label_text().prop_map(EdgeLabel::PipeQuoted),
        1 => plain_text().prop_map(EdgeLabel::Inline),
    ];
    (
        0..4usize,
        select(vec!["", "<", "o", "x"]),
        select(vec!["", ">", "o", "x"]),
        1..4usize,
        label,
        prop::bool::weighted(0.15),
    )
        .prop_map(|(stroke, start, end, length, label, with_id)| Link {
            stroke,
            start,
            end,
            length,
            label,
            with_id,
        })
}

#[derive(Debug, Clone)]
enum Statement {
    Chain(Vec<Vec<NodeRef>>, Vec<Link>),
    Subgraph(usize, String, Option<&'static str>, Vec<Statement>),
    Comment(String),
    ClassDef,
    Class(Vec<Index>),
    Style(Index),
}

fn chain() -> impl Strategy<Value = Statement> {
    let group = prop::collection::vec(node_ref(), 1..4);
    (
        prop::collection::vec(group, 1..4),
        prop::collection::vec(link(), 3),
    )
        .prop_map(|(groups, mut links)| {
            links.truncate(groups.len() - 1);
            Statement::Chain(groups, links)
        })
}

fn statement() -> impl Strategy<Value = Statement> {
    let leaf = prop_oneof![
        6 => chain(),
        1 => "[ -~]{0,20}".prop_map(Statement::Comment),
        1 => Just(Statement::ClassDef),
        1 => prop::collection::vec(any::<Index>(), 1..3).prop_map(Statement::Class),
        1 => any::<Index>().prop_map(Statement::Style),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        let direction = proptest::option::of(select(vec!["TB", "BT", "LR", "RL"]));
        let title = prop_oneof![label_text(), "[A-Za-z]{1,5} [A-Za-z0-9]{1,5}"];
        (
            0..4usize,
            title,
            direction,
            prop::collection::vec(inner, 0..4),
        )
            .prop_map(|(form, title, direction, body)| {
                Statement::Subgraph(form, title, direction, body)
            })
    })
}

#[derive(Debug, Clone)]
struct Chart {
    title: Option<String>,
    header: &'static str,
    ids: Vec<String>,
    statements: Vec<Statement>,
    semicolons: bool,
}

fn chart() -> impl Strategy<Value = Chart> {
    let headers = select(vec![
        "flowchart TD",
        "flowchart LR",
        "graph TB",
        "graph BT;",
        "flowchart RL",
        "flowchart",
    ]);
    (
        proptest::option::of(plain_text()),
        headers,
        prop::collection::hash_set(node_id(), 1..8),
        prop::collection::vec(statement(), 1..6),
        any::<bool>(),
    )
        .prop_map(|(title, header, ids, statements, semicolons)| Chart {
            title,
            header,
            ids: ids.into_iter().collect(),
            statements,
            semicolons,
        })
}

/// Writes a generated chart as Mermaid text.
struct Renderer<'a> {
    chart: &'a Chart,
    out: String,
    subgraphs: usize,
    edge_ids: usize,
}

impl Renderer<'_> {
    fn id(&self, index: &Index) -> &str {
        index.get::<String>(&self.chart.ids).as_str()
    }

    fn line(&mut self, depth: usize, text: &str) {
        self.out.push_str(&"  ".repeat(depth));
        self.out.push_str(text);
        self.out
            .push_str(if self.chart.semicolons { ";\n" } else { "\n" });
    }

    fn node(&self, node: &NodeRef) -> String {
        let mut text = self.id(&node.id).to_string();
        match &node.shape {
            NodeShape::Bare => {}
            NodeShape::Brackets(open, close, label) => {
                // Unquoted text may not end in `/` or `\` inside `[/ … /]`, so plain text only.
                let label = if is_plain(label) {
                    label.clone()
                } else {
                    quoted(label)
                };
                text.push_str(&format!("{open}{label}{close}"));
            }
            NodeShape::Data(name, None) => text.push_str(&format!("@{{ shape: {name} }}")),
            NodeShape::Data(name, Some(label)) => {
                let label = label.replace('\\', "\\\\").replace('"', "\\\"");
                text.push_str(&format!("@{{ shape: {name}, label: \"{label}\" }}"));
            }
        }
        if node.class {
            text.push_str(":::hot");
        }
        text
    }

    fn link(&mut self, link: &Link) -> String {
        let id = if link.with_id {
            self.edge_ids += 1;
            format!("lnk{}@", self.edge_ids)
        } else {
            String::new()
        };
        if link.stroke == 3 {
            let token = "~".repeat(link.length + 2);
            return match &link.label {
                EdgeLabel::None => format!("{id}{token}"),
                EdgeLabel::Pipe(text) | EdgeLabel::Inline(text) => format!("{id}{token}|{text}|"),
                EdgeLabel::PipeQuoted(text) => format!("{id}{token}|{}|", quoted(text)),
            };
        }
        let line = if link.stroke == 1 { "=" } else { "-" };
        let close = if link.stroke == 2 {
            format!("{}-{}", ".".repeat(link.length), link.end)
        } else if link.end.is_empty() {
            line.repeat(link.length + 2)
        } else {
            format!("{}{}", line.repeat(link.length + 1), link.end)
        };
        let plain = if link.stroke == 2 {
            format!("-{close}")
        } else {
            close.clone()
        };
        match &link.label {
            EdgeLabel::None => format!("{id}{}{plain}", link.start),
            EdgeLabel::Pipe(text) => format!("{id}{}{plain}|{text}|", link.start),
            EdgeLabel::PipeQuoted(text) => format!("{id}{}{plain}|{}|", link.start, quoted(text)),
            EdgeLabel::Inline(text) => {
                let open = if link.stroke == 2 {
                    "-."
                } else {
                    &line.repeat(2)
                };
                format!("{id}{}{open} {text} {close}", link.start)
            }
        }
    }

    fn statement(&mut self, statement: &Statement, depth: usize) {
        match statement {
            Statement::Chain(groups, links) => {
                let mut text = String::new();
                for (i, group) in groups.iter().enumerate() {
                    if i > 0 {
                        let link = self.link(&links[i - 1]);
                        text.push_str(&format!(" {link} "));
                    }
                    let nodes: Vec<String> = group.iter().map(|node| self.node(node)).collect();
                    text.push_str(&nodes.join(" & "));
                }
                self.line(depth, &text);
            }
            Statement::Subgraph(form, title, direction, body) => {
                self.subgraphs += 1;
                let id = format!("sg{}", self.subgraphs);
                let header = match form {
                    0 => format!("subgraph {id}"),
                    1 if is_plain(title) => format!("subgraph {id} [{title}]"),
                    // The subgraph line ends at `;`, so no entities and no `;` in titles.
                    1 | 2 => format!("subgraph {id}[\"{}\"]", title.replace(';', "")),
                    _ if is_plain(title) && title.trim().contains(' ') => {
                        format!("subgraph {}", title.trim())
                    }
                    _ => format!("subgraph {id}"),
                };
                self.line(depth, &header);
                if let Some(direction) = direction {
                    self.line(depth + 1, &format!("direction {direction}"));
                }
                for inner in body {
                    self.statement(inner, depth + 1);
                }
                self.line(depth, "end");
            }
            Statement::Comment(text) => {
                self.out.push_str(&format!("%% {text}\n"));
            }
            Statement::ClassDef => self.line(depth, "classDef hot,cold fill:#f00,stroke:#333"),
            Statement::Class(ids) => {
                let ids: Vec<&str> = ids.iter().map(|id| self.id(id)).collect();
                let text = format!("class {} cold", ids.join(","));
                self.line(depth, &text);
            }
            Statement::Style(id) => {
                let text = format!("style {} fill:#fff", self.id(id));
                self.line(depth, &text);
            }
        }
    }
}

fn render(chart: &Chart) -> String {
    let mut renderer = Renderer {
        chart,
        out: String::new(),
        subgraphs: 0,
        edge_ids: 0,
    };
    if let Some(title) = &chart.title {
        renderer
            .out
            .push_str(&format!("---\ntitle: {title}\n---\n"));
    }
    renderer.out.push_str(chart.header);
    renderer.out.push('\n');
    for statement in &chart.statements {
        renderer.statement(statement, 1);
    }
    renderer.out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_charts_round_trip(chart in chart()) {
        let source = render(&chart);
        let doc = parse(&source);
        let errors = error_messages(&doc);
        prop_assert!(errors.is_empty(), "generated chart has errors {errors:?}:\n{source}");
        if let Err(message) = round_trip(&source) {
            prop_assert!(false, "{message}\nsource:\n{source}");
        }
    }
}
