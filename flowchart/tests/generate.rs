//! Snapshots of the notebook and script generated for a handful of charts: loops, nested
//! branches, repeated input, stub nodes and an irreducible chart that becomes a state machine.

use hexa_flowchart::generate::{Options, Target, generate};

/// Reads a chart; `relative` is a path from the repository root.
fn read_chart(relative: &str) -> String {
    let path = format!("{}/../{relative}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("failed to read {path}: {e}"))
}

/// Generates both targets for a chart, snapshots them as `NAME_notebook` and `NAME_script`,
/// and returns whether the chart became a state machine.
fn snapshot_chart(name: &str, relative: &str) -> bool {
    let source = read_chart(relative);
    let doc = hexa_flowchart::parse(&source);
    let errors: Vec<_> = doc.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{relative} has errors: {errors:?}");

    let options = Options::default();
    let notebook = generate(&doc, &source, Target::Notebook, &options)
        .unwrap_or_else(|e| panic!("{relative}: notebook: {e}"));
    let script = generate(&doc, &source, Target::Script, &options)
        .unwrap_or_else(|e| panic!("{relative}: script: {e}"));
    assert_eq!(
        notebook.state_machine, script.state_machine,
        "{relative}: both targets use the same structure"
    );

    insta::assert_snapshot!(format!("{name}_notebook"), notebook.text);
    insta::assert_snapshot!(format!("{name}_script"), script.text);
    notebook.state_machine
}

#[test]
fn fizzbuzz_snapshot() {
    assert!(!snapshot_chart(
        "fizzbuzz",
        "flowchart/tests/fixtures/parse/algorithms/001-fizzbuzz.mmd"
    ));
}

#[test]
fn gcd_snapshot() {
    assert!(!snapshot_chart(
        "gcd",
        "flowchart/tests/fixtures/parse/algorithms/002-gcd.mmd"
    ));
}

#[test]
fn bubble_sort_snapshot() {
    assert!(!snapshot_chart(
        "bubble_sort",
        "flowchart/tests/fixtures/parse/algorithms/004-bubble-sort.mmd"
    ));
}

#[test]
fn guessing_game_snapshot() {
    assert!(!snapshot_chart(
        "guessing_game",
        "flowchart/tests/fixtures/parse/algorithms/007-guessing-game.mmd"
    ));
}

#[test]
fn nested_if_snapshot() {
    assert!(!snapshot_chart(
        "nested_if",
        "flowchart/tests/fixtures/parse/algorithms/010-nested-if.mmd"
    ));
}

/// A retry loop whose nodes are prose (`Task 2`, `Condition 3 holds?`), so they become stubs.
#[test]
fn stubs_snapshot() {
    assert!(!snapshot_chart(
        "stubs",
        "flowchart/tests/fixtures/parse/corpus/028.mmd"
    ));
}

/// The loop L1 → L2 → D is entered at both L1 and L2, so it cannot be nested.
#[test]
fn irreducible_snapshot() {
    assert!(snapshot_chart(
        "irreducible",
        "tests/fixtures/charts/irreducible.mmd"
    ));
}

/// `--function NAME`: one importable function with the inputs as parameters.
#[test]
fn guessing_game_function_snapshot() {
    let source = read_chart("flowchart/tests/fixtures/parse/algorithms/007-guessing-game.mmd");
    let doc = hexa_flowchart::parse(&source);
    let target = Target::Function("play".into());
    let module = generate(&doc, &source, target, &Options::default()).expect("generates");
    assert!(module.text.contains("def play(guess):"));
    insta::assert_snapshot!("guessing_game_function", module.text);
}

#[test]
fn function_name_must_be_free() {
    let source = read_chart("flowchart/tests/fixtures/parse/algorithms/007-guessing-game.mmd");
    let doc = hexa_flowchart::parse(&source);
    let taken = generate(
        &doc,
        &source,
        Target::Function("tries".into()),
        &Options::default(),
    );
    assert!(taken.is_err(), "`tries` is a chart variable");
    let invalid = generate(
        &doc,
        &source,
        Target::Function("2x".into()),
        &Options::default(),
    );
    assert!(invalid.is_err(), "`2x` is not an identifier");
}

/// The source map gives each node the lines its code occupies.
#[test]
fn node_ranges_map_lines() {
    let source = read_chart("flowchart/tests/fixtures/parse/algorithms/001-fizzbuzz.mmd");
    let doc = hexa_flowchart::parse(&source);
    let script = generate(&doc, &source, Target::Script, &Options::default()).expect("generates");
    let ranges = script.node_ranges();
    let fizz = doc.node_index("H").expect("node H");
    let [(start, end)] = ranges[&fizz].as_slice() else {
        panic!("node H has one range: {:?}", ranges[&fizz]);
    };
    assert_eq!(start, end);
    let line = script.text.lines().nth(start - 1).expect("line exists");
    assert_eq!(line.trim(), "print(\"Fizz\")  # node: H");
}

/// mermaid.js accepts control characters such as NUL in labels; CPython rejects a NUL
/// anywhere in source, so the generated code must spell them as escapes.
#[test]
fn control_characters_in_labels_are_escaped() {
    let source = read_chart("flowchart/tests/fixtures/parse/cases/control-chars.mmd");
    let doc = hexa_flowchart::parse(&source);
    let errors: Vec<_> = doc.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(
        errors.is_empty(),
        "mermaid.js accepts the chart: {errors:?}"
    );
    for target in [Target::Script, Target::Notebook] {
        let generated = generate(&doc, &source, target.clone(), &Options::default())
            .unwrap_or_else(|e| panic!("{target:?}: {e}"));
        assert!(!generated.text.contains('\0'), "{target:?} holds a raw NUL");
        assert!(
            generated.text.contains("\\x00"),
            "{target:?} escapes the NUL"
        );
        assert!(
            generated.text.contains("\\x1b"),
            "{target:?} escapes the ESC"
        );
    }
}

/// A script prompts for a read on a terminal only, unless `always_prompt` is set (the
/// kernel, whose input box shows the prompt).
#[test]
fn always_prompt_shows_the_prompt_without_a_terminal() {
    let source = "flowchart TD\n  A[/Read n/] --> B[/Print n/]\n";
    let doc = hexa_flowchart::parse(source);
    let script = |always_prompt| {
        let options = Options {
            always_prompt,
            ..Options::default()
        };
        generate(&doc, source, Target::Script, &options)
            .expect("generates")
            .text
    };
    let terminal_only = "    text = input(f\"{name}: \" if sys.stdin.isatty() else \"\")\n";
    assert!(script(false).contains(terminal_only));
    assert!(script(true).contains("    text = input(f\"{name}: \")\n"));
}

/// A name that the chart only updates (`x = x + 1`) needs a value from outside, like `x += 1`.
#[test]
fn self_update_makes_an_input() {
    let source = "flowchart TD\n  A[x = x + 1] --> B[/Print x/]\n";
    let doc = hexa_flowchart::parse(source);
    let script = generate(&doc, source, Target::Script, &Options::default())
        .expect("generates")
        .text;
    let main = &script[script.find("def main").expect("has main")..];
    let read = main
        .find("    x = read_input(\"x\")\n")
        .expect("reads x first");
    let update = main.find("    x = x + 1  # node: A\n").expect("updates x");
    assert!(read < update);
    assert!(main.contains("    print(x)  # node: B\n"));

    // Set before the update, the name is the chart's own.
    let source = "flowchart TD\n  S[x = 1] --> A[x = x + 1] --> B[/Print x/]\n";
    let doc = hexa_flowchart::parse(source);
    let script = generate(&doc, source, Target::Script, &Options::default())
        .expect("generates")
        .text;
    assert!(!script.contains("read_input(\"x\")"));
}
