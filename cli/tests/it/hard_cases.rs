//! Charts that other flowchart and notebook tools get wrong: front matter inside
//! `mo.mermaid`, names bound in several cells, loops as cell cycles, and irreducible charts.

use std::collections::BTreeMap;

use crate::support::{Workspace, fixture};

/// Prints the first string argument of every `mo.mermaid(...)` call in a notebook, after
/// marimo's own parser has dedented the cell code.
const MERMAID_ARGUMENT: &str = r#"
import ast, sys
from marimo._ast.parse import parse_notebook

notebook = parse_notebook(open(sys.argv[1]).read())
for cell in notebook.cells:
    for node in ast.walk(ast.parse(cell.code)):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "mermaid":
            sys.stdout.write(node.args[0].value)
"#;

/// Prints, as JSON, the global names each cell of a notebook defines, as marimo computes them.
const CELL_DEFINITIONS: &str = r#"
import json, sys
from marimo._ast.load import load_app

app = load_app(sys.argv[1])
print(json.dumps([sorted(cell.defs) for cell in app._cell_manager.cells()]))
"#;

/// Returns the names that more than one cell of `notebook` defines.
fn names_defined_twice(work: &Workspace, notebook: &str) -> Vec<String> {
    let output = work.python(&["-c", CELL_DEFINITIONS, notebook], "");
    assert_eq!(output.code, Some(0), "cell definitions: {output}");
    let cells: Vec<Vec<String>> =
        serde_json::from_str(output.stdout.trim()).expect("the script prints a JSON list");
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for name in cells.into_iter().flatten() {
        *counts.entry(name).or_default() += 1;
    }
    counts
        .into_iter()
        .filter(|(_, count)| *count > 1)
        .map(|(name, _)| name)
        .collect()
}

/// Generates `notebook.py` from a fixture chart and asserts that hexa and marimo accept it.
fn generate_checked(work: &Workspace, chart: &str) {
    let flow = work.copy(&fixture(chart), "flow.mmd");
    let generated = work.hexa(&["generate", flow, "-o", "notebook.py"]);
    assert_eq!(generated.code, Some(0), "generate {chart}: {generated}");

    let checked = work.hexa(&["check", "notebook.py"]);
    assert_eq!(checked.code, Some(0), "hexa check {chart}: {checked}");
    assert_eq!(checked.stdout, "", "hexa check {chart}: {checked}");

    let marimo = work.marimo(&["check", "notebook.py"]);
    assert_eq!(marimo.code, Some(0), "marimo check {chart}: {marimo}");
}

#[test]
fn front_matter_starts_column_zero() {
    let work = Workspace::new();
    generate_checked(&work, "charts/front-matter.mmd");

    let diagram = work.python(&["-c", MERMAID_ARGUMENT, "notebook.py"], "");
    assert_eq!(diagram.code, Some(0), "{diagram}");
    assert_eq!(
        diagram.stdout,
        "---\ntitle: Flow\n---\nflowchart LR\n    A --> B\n"
    );
    assert!(
        work.read("notebook.py").contains(r#"app_title="Flow""#),
        "the front-matter title becomes the notebook title"
    );
}

#[test]
fn with_as_defined_once() {
    let work = Workspace::new();
    generate_checked(&work, "charts/with-as.mmd");
    work.write("a.txt", "xy");
    work.write("b.txt", "z");

    assert_eq!(
        names_defined_twice(&work, "notebook.py"),
        Vec::<String>::new()
    );
    let run = work.hexa(&["run", "notebook.py"]);
    assert_eq!(run.code, Some(0), "{run}");
}

#[test]
fn with_as_reads_both_files() {
    let work = Workspace::new();
    generate_checked(&work, "charts/with-as-print.mmd");
    work.write("a.txt", "xy");
    work.write("b.txt", "z");

    let run = work.hexa(&["run", "notebook.py"]);
    assert_eq!(run.code, Some(0), "{run}");
    assert_eq!(run.lines(), ["3"], "{run}");
}

#[test]
fn loop_stays_in_one_cell() {
    let work = Workspace::new();
    generate_checked(&work, "charts/loop.mmd");

    let notebook = work.read("notebook.py");
    assert!(notebook.contains("while i < 3:"), "{notebook}");
    assert!(!notebook.contains("&lt;"), "{notebook}");
    assert_eq!(
        names_defined_twice(&work, "notebook.py"),
        Vec::<String>::new()
    );

    let run = work.hexa(&["run", "notebook.py"]);
    assert_eq!(run.code, Some(0), "{run}");
    assert_eq!(run.lines(), ["3"], "{run}");
}

#[test]
fn irreducible_runs_as_state_machine() {
    let work = Workspace::new();
    generate_checked(&work, "charts/irreducible.mmd");
    assert!(work.read("notebook.py").contains("state = "));

    // x = 3 enters the loop at L1 and x = -1 at L2; both leave it at x = 5.
    for (input, expected) in [("x=3", "5"), ("x=-1", "5")] {
        let run = work.hexa(&["run", "notebook.py", "--set", input]);
        assert_eq!(run.code, Some(0), "{input}: {run}");
        assert_eq!(run.lines(), [expected], "{input}: {run}");
    }
}

/// Inputs named like the notebook's helper functions (`values`, `literal`) still read input.
#[test]
fn input_named_like_helper() {
    for name in ["values", "literal"] {
        let work = Workspace::new();
        let chart = format!("read-{name}.mmd");
        work.copy(&fixture(&format!("charts/{chart}")), &chart);

        let set = format!("{name}=[1, 2]");
        let run = work.hexa(&["run", &chart, "--set", &set]);
        assert_eq!(run.code, Some(0), "{chart}: {run}");
        assert_eq!(run.lines(), ["[1, 2]"], "{chart}: {run}");
    }
}
