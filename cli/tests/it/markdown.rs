//! Markdown input with several ```mermaid fences, and stdin/stdout through `-`.

use crate::support::{Workspace, fixture, parse_fixture};

#[test]
fn markdown_first_flowchart_default() {
    let work = Workspace::new();
    let doc = work.copy(&fixture("charts/two-charts.md"), "doc.md");

    let run = work.hexa(&["run", doc]);
    assert_eq!(run.code, Some(0), "{run}");
    assert_eq!(run.lines(), ["first"], "{run}");
}

#[test]
fn markdown_index_selects_fence() {
    let work = Workspace::new();
    let doc = work.copy(&fixture("charts/two-charts.md"), "doc.md");

    let run = work.hexa(&["run", doc, "--index", "2"]);
    assert_eq!(run.code, Some(0), "{run}");
    assert_eq!(run.lines(), ["second"], "{run}");

    let generated = work.hexa(&["generate", doc, "--index", "2", "-o", "second.py"]);
    assert_eq!(generated.code, Some(0), "{generated}");
    let run = work.hexa(&["run", "second.py"]);
    assert_eq!(run.lines(), ["second"], "{run}");

    let checked = work.hexa(&["check", doc, "--index", "2"]);
    assert_eq!(checked.code, Some(0), "{checked}");
}

#[test]
fn markdown_index_out_of_range() {
    let work = Workspace::new();
    let doc = work.copy(&fixture("charts/two-charts.md"), "doc.md");

    for command in ["generate", "run"] {
        let output = work.hexa(&[command, doc, "--index", "3"]);
        assert_eq!(output.code, Some(2), "{command}: {output}");
        let first = output.first_error_line();
        assert!(
            first.starts_with("doc.md:1:1: error: "),
            "{command}: {output}"
        );
        assert!(first.contains('3'), "{command}: {output}");
    }
    assert_eq!(
        work.files(""),
        ["doc.md"],
        "a rejected command wrote a file"
    );
}

#[test]
fn stdin_generate_to_stdout() {
    let work = Workspace::new();
    let chart = std::fs::read_to_string(parse_fixture("algorithms/001-fizzbuzz.mmd"))
        .expect("failed to read the fizzbuzz fixture");

    let generated = work.hexa_with_stdin(&["generate", "-", "-o", "-"], &chart);
    assert_eq!(generated.code, Some(0), "{generated}");
    assert!(
        generated.stdout.starts_with("import marimo\n"),
        "{generated}"
    );
    assert!(generated.stdout.contains("def flow(n):"), "{generated}");

    let script = work.hexa_with_stdin(&["generate", "-", "--script"], &chart);
    assert_eq!(script.code, Some(0), "{script}");
    assert!(script.stdout.contains("def main():"), "{script}");
    assert!(work.files("").is_empty(), "wrote {:?}", work.files(""));
}

#[test]
fn stdin_run_chart() {
    let work = Workspace::new();
    let chart = std::fs::read_to_string(parse_fixture("algorithms/001-fizzbuzz.mmd"))
        .expect("failed to read the fizzbuzz fixture");

    let run = work.hexa_with_stdin(&["run", "-", "--set", "n=5"], &chart);
    assert_eq!(run.code, Some(0), "{run}");
    assert_eq!(run.lines(), ["1", "2", "Fizz", "4", "Buzz"], "{run}");
    assert!(work.files("").is_empty(), "wrote {:?}", work.files(""));
}

#[test]
fn stdin_error_names_stdin() {
    let work = Workspace::new();
    let chart = "flowchart TD\n    A --> B{x\n";

    let generated = work.hexa_with_stdin(&["generate", "-", "-o", "-"], chart);
    assert_eq!(generated.code, Some(2), "{generated}");
    assert!(
        generated
            .first_error_line()
            .starts_with("<stdin>:2:12: error"),
        "{generated}"
    );
}
