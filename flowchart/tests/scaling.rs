//! Parser scaling: large and pathological charts finish, do not overflow the stack and take
//! time linear in their size. Each linear check times an input and the same input four times
//! larger, and fails when the larger one takes more than 8 times as long (16 for a quadratic
//! parser), so a busy machine does not make it flaky.

use std::time::{Duration, Instant};

use hexa_flowchart::format::format;
use hexa_flowchart::{check, parse};

/// Best of three runs of parse, check and format, so one slow run does not count.
fn time_pipeline(source: &str) -> Duration {
    (0..3)
        .map(|_| {
            let started = Instant::now();
            let doc = parse(source);
            let _ = check(&doc);
            let _ = format(&doc);
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// Asserts that parsing `make(8 * n)` takes less than 24 times as long as `make(n)`: linear
/// work gives about 8, quadratic work about 64, and the wide margin keeps the test steady on a
/// busy machine.
fn assert_linear(name: &str, n: usize, make: impl Fn(usize) -> String) {
    let small = make(n);
    let large = make(8 * n);
    let small_time = time_pipeline(&small).max(Duration::from_millis(1));
    let large_time = time_pipeline(&large);
    let ratio = large_time.as_secs_f64() / small_time.as_secs_f64();
    assert!(
        ratio < 24.0,
        "{name}: {} bytes took {small_time:?}, {} bytes took {large_time:?} (ratio {ratio:.1})",
        small.len(),
        large.len()
    );
}

fn chain_chart(lines: usize) -> String {
    let mut source = String::from("flowchart TD\n");
    for i in 0..lines {
        source.push_str(&format!("  n{i}[\"step {i}\"] -->|go| n{}{{ok?}}\n", i + 1));
    }
    source
}

#[test]
fn megabyte_chart_is_linear() {
    // About 256 KB against about 1 MB.
    assert_linear("chain", 7_000, chain_chart);
    let doc = parse(&chain_chart(28_000));
    assert_eq!(doc.edges.len(), 28_000);
    assert!(!doc.has_errors());
}

#[test]
fn long_line_without_spaces_is_linear() {
    let make = |n: usize| {
        let links: Vec<String> = (0..n).map(|i| format!("a{i}")).collect();
        format!("flowchart LR\n{}\n", links.join("-->"))
    };
    assert_linear("no spaces", 20_000, make);
}

#[test]
fn arrow_runs_in_edge_text_are_linear() {
    // A thick inline label over a long run of `-`, and a dotted one over a run of `.`.
    let dashes = |n: usize| format!("flowchart TD\n  A == x {} y ==> B\n", "-".repeat(n));
    assert_linear("dash run", 200_000, dashes);
    let dots = |n: usize| format!("flowchart TD\n  A -- x {} y --> B\n", ".".repeat(n));
    assert_linear("dot run", 200_000, dots);
}

#[test]
fn unclosed_directives_are_linear() {
    let make = |n: usize| format!("flowchart TD\n{}", "%%{init\nA --> B\n".repeat(n));
    assert_linear("unclosed %%{", 5_000, make);
}

#[test]
fn deep_subgraph_nesting_is_linear() {
    let make = |depth: usize| {
        let mut source = String::from("flowchart TD\n");
        for i in 0..depth {
            source.push_str(&format!("subgraph s{i}\n"));
        }
        source.push_str("A --> B\n");
        source.push_str(&"end\n".repeat(depth));
        source
    };
    let doc = parse(&make(10_000));
    assert!(!doc.has_errors());
    assert_eq!(doc.subgraphs.len(), 10_000);
    assert_eq!(doc.subgraphs[9_999].parent, Some(9_998));
    assert_eq!(doc.subgraphs[0].nodes.len(), 2);
    let printed = format(&doc);
    assert_eq!(parse(&printed).subgraphs.len(), 10_000);
    assert_linear("nesting", 2_500, make);
}

#[test]
fn unclosed_deep_nesting_finishes() {
    let source = format!("flowchart TD\n{}A\n", "subgraph s\n".repeat(10_000));
    let doc = parse(&source);
    assert_eq!(doc.subgraphs.len(), 10_000);
    assert_eq!(doc.diagnostics.len(), 10_000);
}

#[test]
fn huge_labels_are_linear() {
    let quoted = |n: usize| format!("flowchart TD\n  A[\"{}\"] --> B\n", "é(x) ".repeat(n / 6));
    let doc = parse(&quoted(100_000));
    assert!(!doc.has_errors());
    assert!(doc.nodes[0].label.len() > 90_000);
    assert_linear("quoted label", 100_000, quoted);
    let plain = |n: usize| format!("flowchart TD\n  A[{}] --> B\n", "word ".repeat(n / 5));
    assert_linear("plain label", 100_000, plain);
    let edge = |n: usize| format!("flowchart TD\n  A -- {} --> B\n", "text ".repeat(n / 5));
    assert_linear("edge label", 100_000, edge);
}

#[test]
fn wide_ampersand_groups_are_linear() {
    let make = |n: usize| {
        let group: Vec<String> = (0..n).map(|i| format!("n{i}")).collect();
        format!(
            "flowchart TD\n  {} --> Z\n  Z --> {}\n",
            group.join(" & "),
            group.join(" & ")
        )
    };
    let doc = parse(&make(50_000));
    assert!(!doc.has_errors());
    assert_eq!(doc.edges.len(), 100_000);
    assert_linear("& group", 12_500, make);
}
