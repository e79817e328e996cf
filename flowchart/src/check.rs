//! Reviewer warnings on a parsed chart: unreachable nodes, nodes with no way to an end,
//! doubtful decisions, ids that look like typos, and labels used by two different nodes.

use crate::ast::{Document, NamedShape, Shape, Stroke};
use crate::diagnostic::Diagnostic;

/// Returns warnings for a chart that parsed. Charts with parse errors may give partial results.
pub fn check(doc: &Document) -> Vec<Diagnostic> {
    let n = doc.nodes.len();
    let mut succ = vec![Vec::new(); n];
    let mut pred = vec![Vec::new(); n];
    let mut out_edges = vec![Vec::new(); n];
    for (index, edge) in doc.edges.iter().enumerate() {
        if edge.stroke == Stroke::Invisible || edge.from >= n || edge.to >= n {
            continue;
        }
        succ[edge.from].push(edge.to);
        pred[edge.to].push(edge.from);
        out_edges[edge.from].push(index);
    }
    let mut out = Vec::new();
    unreachable(doc, &succ, &pred, &mut out);
    no_way_out(doc, &succ, &pred, &mut out);
    decisions(doc, &out_edges, &mut out);
    typos(doc, &mut out);
    repeated_branches(doc, &out_edges, &mut out);
    several_starts(doc, &pred, &mut out);
    duplicate_labels(doc, &mut out);
    out.sort_by_key(|d| (d.span.start, d.code));
    out
}

fn is_terminal_label(label: &str) -> bool {
    matches!(
        label
            .trim()
            .trim_end_matches(['.', '!'])
            .to_ascii_lowercase()
            .as_str(),
        "start" | "begin" | "end" | "stop" | "exit" | "finish" | "done" | "halt" | "terminate"
    )
}

fn is_start_label(label: &str) -> bool {
    matches!(
        label.trim().to_ascii_lowercase().as_str(),
        "start" | "begin"
    )
}

fn reach(from: &[usize], next: &[Vec<usize>], n: usize) -> Vec<bool> {
    let mut seen = vec![false; n];
    let mut stack = from.to_vec();
    while let Some(v) = stack.pop() {
        if std::mem::replace(&mut seen[v], true) {
            continue;
        }
        stack.extend(next[v].iter().copied().filter(|&t| !seen[t]));
    }
    seen
}

/// W001: with a start terminal, nodes it cannot reach; without one, nodes no source reaches.
fn unreachable(
    doc: &Document,
    succ: &[Vec<usize>],
    pred: &[Vec<usize>],
    out: &mut Vec<Diagnostic>,
) {
    let n = doc.nodes.len();
    let starts: Vec<usize> = (0..n)
        .filter(|&i| is_start_label(&doc.nodes[i].label) && pred[i].is_empty())
        .collect();
    let roots: Vec<usize> = if starts.len() == 1 {
        starts
    } else {
        (0..n).filter(|&i| pred[i].is_empty()).collect()
    };
    if roots.is_empty() {
        return;
    }
    let seen = reach(&roots, succ, n);
    for (i, node) in doc.nodes.iter().enumerate() {
        if !seen[i] {
            out.push(Diagnostic::warning(
                "W001",
                node.id_span,
                format!("node `{}` cannot be reached from the start", node.id),
            ));
        }
    }
}

/// W002: nodes on a cycle from which no end (a node without outgoing edges) is reachable.
fn no_way_out(doc: &Document, succ: &[Vec<usize>], pred: &[Vec<usize>], out: &mut Vec<Diagnostic>) {
    let n = doc.nodes.len();
    let sinks: Vec<usize> = (0..n).filter(|&i| succ[i].is_empty()).collect();
    let can_end = reach(&sinks, pred, n);
    for (i, node) in doc.nodes.iter().enumerate() {
        if !can_end[i] {
            out.push(Diagnostic::warning(
                "W002",
                node.id_span,
                format!(
                    "node `{}` has no way to an end: every path from it loops forever",
                    node.id
                ),
            ));
        }
    }
}

fn is_diamond(doc: &Document, i: usize) -> bool {
    let node = &doc.nodes[i];
    node.shape == Shape::Diamond
        || (matches!(node.shape, Shape::Named(NamedShape::Other))
            && matches!(
                node.shape_name.as_deref(),
                Some("diam" | "diamond" | "decision" | "question")
            ))
}

/// W003 and W004: decisions with one way out, or with branches that have no label.
fn decisions(doc: &Document, out_edges: &[Vec<usize>], out: &mut Vec<Diagnostic>) {
    for (i, node) in doc.nodes.iter().enumerate() {
        if !is_diamond(doc, i) {
            continue;
        }
        let edges = &out_edges[i];
        let always_true = matches!(node.label.trim(), "True" | "true" | "while True");
        if edges.len() == 1 && !always_true {
            let answered_no = doc.edges[edges[0]].label.as_deref().is_some_and(|label| {
                matches!(
                    label.trim().to_ascii_lowercase().as_str(),
                    "no" | "false" | "n"
                )
            });
            let missing = if answered_no { "Yes" } else { "No" };
            // The new branch goes on its own line after everything else in the chart.
            let at = document_end(doc);
            let id = &node.id;
            let branch = format!(
                "\n    {id} -->|{missing}| {id}_{}([End])",
                missing.to_lowercase()
            );
            out.push(
                Diagnostic::warning(
                    "W003",
                    node.id_span,
                    format!("decision `{id}` has only one outgoing edge, so it decides nothing"),
                )
                .with_fix(
                    format!("Add a `{missing}` branch"),
                    crate::span::Span::new(at, at),
                    branch,
                ),
            );
        }
        if edges.len() < 2 {
            continue;
        }
        let unlabeled: Vec<usize> = edges
            .iter()
            .copied()
            .filter(|&e| {
                doc.edges[e]
                    .label
                    .as_deref()
                    .is_none_or(|l| l.trim().is_empty())
            })
            .collect();
        if unlabeled.len() > 1 || (unlabeled.len() == 1 && edges.len() > 2) {
            for &e in &unlabeled {
                let target = &doc.nodes[doc.edges[e].to].id;
                out.push(Diagnostic::warning(
                    "W004",
                    doc.edges[e].span,
                    format!(
                        "branch from decision `{}` to `{target}` has no label; label it (yes/no)",
                        node.id
                    ),
                ));
            }
        }
    }
}

/// W007: two branches of one node with the same label; only the first can be taken.
fn repeated_branches(doc: &Document, out_edges: &[Vec<usize>], out: &mut Vec<Diagnostic>) {
    for (i, edges) in out_edges.iter().enumerate() {
        let mut seen: Vec<String> = Vec::new();
        for &e in edges {
            let Some(label) = doc.edges[e]
                .label
                .as_deref()
                .map(|l| l.trim().to_lowercase())
            else {
                continue;
            };
            if label.is_empty() {
                continue;
            }
            if seen.contains(&label) {
                out.push(Diagnostic::warning(
                    "W007",
                    doc.edges[e].span,
                    format!(
                        "`{}` has two branches labelled `{label}`; the second can never be taken",
                        doc.nodes[i].id
                    ),
                ));
            } else {
                seen.push(label);
            }
        }
    }
}

/// W008: more than one start terminal; hexa runs them one after another.
fn several_starts(doc: &Document, pred: &[Vec<usize>], out: &mut Vec<Diagnostic>) {
    let starts: Vec<usize> = (0..doc.nodes.len())
        .filter(|&i| is_start_label(&doc.nodes[i].label) && pred[i].is_empty())
        .collect();
    if let [first, rest @ ..] = starts.as_slice() {
        for &i in rest {
            out.push(Diagnostic::warning(
                "W008",
                doc.nodes[i].id_span,
                format!(
                    "second start `{}` (the first is `{}`); the flows run one after another",
                    doc.nodes[i].id, doc.nodes[*first].id
                ),
            ));
        }
    }
}

/// The end of the last node, edge or subgraph: where a new statement can go.
fn document_end(doc: &Document) -> usize {
    let nodes = doc.nodes.iter().flat_map(|n| {
        n.occurrences
            .iter()
            .map(|s| s.end)
            .chain(n.decl_span.map(|s| s.end))
    });
    let edges = doc.edges.iter().map(|e| e.span.end);
    let subgraphs = doc.subgraphs.iter().map(|s| s.span.end);
    nodes.chain(edges).chain(subgraphs).max().unwrap_or(0)
}

/// W005: an id never declared with a label that differs slightly from a declared id.
fn typos(doc: &Document, out: &mut Vec<Diagnostic>) {
    let declared: Vec<&str> = doc
        .nodes
        .iter()
        .filter(|n| n.has_label)
        .map(|n| n.id.as_str())
        .collect();
    for node in doc.nodes.iter().filter(|n| !n.has_label) {
        let Some(best) = declared
            .iter()
            .filter(|id| looks_like_typo(&node.id, id))
            .min_by_key(|id| edit_distance(&node.id, id))
        else {
            continue;
        };
        for &span in &node.occurrences {
            out.push(
                Diagnostic::warning(
                    "W005",
                    span,
                    format!(
                        "`{}` is not declared anywhere; did you mean `{best}`?",
                        node.id
                    ),
                )
                .with_fix(format!("Change to `{best}`"), span, best.to_string()),
            );
        }
    }
}

fn looks_like_typo(candidate: &str, declared: &str) -> bool {
    if candidate == declared {
        return false;
    }
    if candidate.eq_ignore_ascii_case(declared) {
        return true;
    }
    let longest = candidate.chars().count().max(declared.chars().count());
    let distance = edit_distance(candidate, declared);
    longest >= 4 && distance <= 1 + longest / 6
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == cb {
                previous
            } else {
                1 + previous.min(row[j]).min(row[j + 1])
            };
            previous = current;
        }
    }
    row[b.len()]
}

/// W006 (info): two different ids with the same label (terminals such as `End` excepted).
fn duplicate_labels(doc: &Document, out: &mut Vec<Diagnostic>) {
    let mut first: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    for node in doc.nodes.iter().filter(|n| n.has_label) {
        let label = node.label.trim();
        if label.is_empty() || is_terminal_label(label) {
            continue;
        }
        match first.get(label) {
            Some(other) => {
                // A hint, not a warning: decision trees repeat leaf labels on purpose.
                let mut hint = Diagnostic::warning(
                    "W006",
                    node.id_span,
                    format!(
                        "node `{}` has the same label as `{other}`; if they are one step, use one id",
                        node.id
                    ),
                );
                hint.severity = crate::diagnostic::Severity::Info;
                out.push(hint);
            }
            None => {
                first.insert(label, node.id.as_str());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(source: &str) -> Vec<(&'static str, String)> {
        let doc = crate::parse(source);
        assert!(!doc.has_errors(), "{:?}", doc.diagnostics);
        check(&doc)
            .into_iter()
            .map(|d| (d.code, d.span.text(source).to_string()))
            .collect()
    }

    #[test]
    fn clean_chart_has_no_warnings() {
        assert!(
            codes("flowchart TD\nA([Start]) --> B{x > 1}\nB -->|yes| C\nB -->|no| D\n").is_empty()
        );
    }

    #[test]
    fn unreachable_from_start() {
        let found = codes("flowchart TD\nS([Start]) --> A[a = 1]\nX[x = 2] --> A\n");
        assert_eq!(found, vec![("W001", "X".to_string())]);
    }

    #[test]
    fn loop_without_exit() {
        let found = codes("flowchart TD\nA[a = 1] --> B[b = 2]\nB --> C[c = 3]\nC --> B\n");
        let nodes: Vec<&str> = found.iter().map(|(_, text)| text.as_str()).collect();
        assert!(found.iter().all(|(code, _)| *code == "W002"));
        assert_eq!(nodes, vec!["A", "B", "C"]);
    }

    #[test]
    fn decision_with_one_edge() {
        let found = codes("flowchart TD\nA{ok?} --> B\n");
        assert_eq!(found, vec![("W003", "A".to_string())]);
        assert!(codes("flowchart TD\nA{True} --> B\n").is_empty());
    }

    #[test]
    fn missing_branch_fix_parses() {
        let source = "flowchart TD\nA{ok?} -->|Yes| B[b = 1]\n";
        let doc = crate::parse(source);
        let warning = check(&doc)
            .into_iter()
            .find(|d| d.code == "W003")
            .expect("W003");
        let fix = warning.fix.expect("a fix");
        assert_eq!(fix.title, "Add a `No` branch");
        let mut fixed = source.to_string();
        fixed.replace_range(fix.span.start..fix.span.end, &fix.replacement);
        let fixed_doc = crate::parse(&fixed);
        assert!(!fixed_doc.has_errors(), "{fixed}");
        assert_eq!(fixed_doc.edges.len(), 2);
        assert!(
            check(&fixed_doc).iter().all(|d| d.code != "W003"),
            "{fixed}"
        );
    }

    #[test]
    fn unlabeled_branches() {
        let found = codes("flowchart TD\nA{ok?} --> B\nA --> C\n");
        assert_eq!(found.len(), 2);
        assert!(found.iter().all(|(code, _)| *code == "W004"));
    }

    #[test]
    fn typo_of_declared_id() {
        let source = "flowchart TD\nProcess[do it] --> End\nStart --> Proces\n";
        let doc = crate::parse(source);
        let found = check(&doc);
        let typo = found
            .iter()
            .find(|d| d.code == "W005")
            .expect("a W005 warning");
        assert_eq!(typo.span.text(source), "Proces");
        assert_eq!(
            typo.fix.as_ref().map(|f| f.replacement.as_str()),
            Some("Process")
        );
    }

    #[test]
    fn duplicate_label() {
        let found =
            codes("flowchart TD\nA[Load data] --> B[Load data]\nB --> C([End])\nC2([End])\n");
        assert_eq!(found, vec![("W006", "B".to_string())]);
    }

    #[test]
    fn repeated_branch_label() {
        let found = codes("flowchart TD\nA{x > 1} -->|yes| B\nA -->|Yes| C\n");
        assert_eq!(found, vec![("W007", "-->|Yes|".to_string())]);
    }

    #[test]
    fn two_starts() {
        let found = codes("flowchart TD\nS1([Start]) --> A[a = 1]\nS2([Start]) --> A\n");
        assert_eq!(found, vec![("W008", "S2".to_string())]);
    }

    #[test]
    fn edit_distance_counts() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
