//! User errors: each is reported as `FILE:LINE:COL: error...` on stderr with exit code 2,
//! and failing cells exit 1 naming the flowchart node.

use crate::support::{Workspace, fixture, parse_fixture};

/// Asserts exit code 2, nothing on stdout, and a first stderr line starting with `prefix`.
fn assert_user_error(output: &crate::support::Output, prefix: &str, context: &str) {
    assert_eq!(output.code, Some(2), "{context}: {output}");
    assert_eq!(output.stdout, "", "{context}: {output}");
    assert!(
        output.first_error_line().starts_with(prefix),
        "{context}: expected stderr to start with {prefix:?}: {output}"
    );
}

#[test]
fn missing_file_rejected() {
    let work = Workspace::new();
    let expected = "nope.mmd:1:1: error: file not found";

    let generated = work.hexa(&["generate", "nope.mmd", "-o", "out.py"]);
    assert_user_error(&generated, expected, "generate");
    assert_eq!(generated.first_error_line(), expected, "generate");
    assert!(
        work.files("").is_empty(),
        "generate wrote {:?}",
        work.files("")
    );

    let run = work.hexa(&["run", "nope.mmd"]);
    assert_user_error(&run, expected, "run");
    assert_eq!(run.first_error_line(), expected, "run");

    let checked = work.hexa(&["check", "nope.mmd"]);
    assert_user_error(&checked, expected, "check");
}

#[test]
fn sequence_diagram_rejected() {
    let work = Workspace::new();
    let chart = work.copy(&fixture("charts/sequence.mmd"), "seq.mmd");
    let prefix = "seq.mmd:1:1: error[F001]: not a flowchart";

    let generated = work.hexa(&["generate", chart, "-o", "out.py"]);
    assert_user_error(&generated, prefix, "generate");
    assert!(
        generated.first_error_line().contains("sequenceDiagram"),
        "{generated}"
    );
    assert_eq!(work.files(""), ["seq.mmd"], "generate wrote a file");

    let run = work.hexa(&["run", chart]);
    assert_user_error(&run, prefix, "run");
}

#[test]
fn invalid_charts_located() {
    // Each position points at the offending token. An unclosed bracket or subgraph is
    // reported where it opens, where mermaid.js reports the later line it gave up on.
    let cases = [
        ("001-unclosed-diamond", "2:19", "F002"),
        ("002-bad-arrow", "3:7", "F004"),
        ("003-end-keyword-as-node", "3:14", "F005"),
        ("004-nested-brackets", "2:26", "F003"),
        ("005-subgraph-missing-end", "2:5", "F006"),
    ];
    let work = Workspace::new();
    for (name, position, code) in cases {
        let chart = format!("{name}.mmd");
        work.copy(&parse_fixture(&format!("invalid/{chart}")), &chart);
        let prefix = format!("{chart}:{position}: error[{code}]: ");

        let generated = work.hexa(&["generate", &chart, "-o", "out.py"]);
        assert_user_error(&generated, &prefix, &format!("generate {chart}"));
        assert!(
            !work.path("out.py").exists(),
            "generate {chart} wrote out.py"
        );

        let run = work.hexa(&["run", &chart]);
        assert_user_error(&run, &prefix, &format!("run {chart}"));

        // `check` prints findings on stdout and exits 1 when one is an error.
        let checked = work.hexa(&["check", &chart]);
        assert_eq!(checked.code, Some(1), "check {chart}: {checked}");
        let first = checked.stdout.lines().next().unwrap_or("");
        assert!(first.starts_with(&prefix), "check {chart}: {checked}");
    }
}

#[test]
fn existing_output_needs_force() {
    let work = Workspace::new();
    let chart = work.copy(
        &parse_fixture("algorithms/001-fizzbuzz.mmd"),
        "fizzbuzz.mmd",
    );
    work.write("out.py", "keep me\n");

    let refused = work.hexa(&["generate", chart, "-o", "out.py"]);
    assert_user_error(&refused, "out.py:1:1: error: ", "without --force");
    assert!(refused.stderr.contains("--force"), "{refused}");
    assert_eq!(work.read("out.py"), "keep me\n");

    let forced = work.hexa(&["generate", chart, "-o", "out.py", "--force"]);
    assert_eq!(forced.code, Some(0), "{forced}");
    assert!(work.read("out.py").starts_with("import marimo\n"));
}

#[test]
fn generate_default_output_name() {
    let work = Workspace::new();
    let chart = work.copy(
        &parse_fixture("algorithms/001-fizzbuzz.mmd"),
        "fizzbuzz.mmd",
    );

    let generated = work.hexa(&["generate", chart]);
    assert_eq!(generated.code, Some(0), "{generated}");
    assert_eq!(work.files(""), ["fizzbuzz.mmd", "fizzbuzz.py"]);
    assert!(work.read("fizzbuzz.py").starts_with("import marimo\n"));
}

#[test]
fn unknown_input_rejected() {
    let work = Workspace::new();
    let chart = work.copy(
        &parse_fixture("algorithms/001-fizzbuzz.mmd"),
        "fizzbuzz.mmd",
    );

    let generated = work.hexa(&["generate", chart, "-o", "nb.py", "--set", "m=3"]);
    assert_user_error(&generated, "fizzbuzz.mmd:1:1: error: ", "generate");
    assert!(generated.stderr.contains("`m`"), "{generated}");
    assert!(!work.path("nb.py").exists(), "generate wrote nb.py");

    let run = work.hexa(&["run", chart, "--set", "m=3"]);
    assert_user_error(&run, "fizzbuzz.mmd:1:1: error: ", "run chart");
    assert!(run.stderr.contains("`m`"), "{run}");

    let generated = work.hexa(&["generate", chart, "-o", "nb.py"]);
    assert_eq!(generated.code, Some(0), "{generated}");
    let run = work.hexa(&["run", "nb.py", "--set", "m=3"]);
    assert_user_error(&run, "nb.py:1:1: error: ", "run notebook");
    assert!(run.stderr.contains("`m`"), "{run}");
}

#[test]
fn set_without_equals_rejected() {
    let work = Workspace::new();
    let chart = work.copy(
        &parse_fixture("algorithms/001-fizzbuzz.mmd"),
        "fizzbuzz.mmd",
    );

    for command in ["generate", "run"] {
        let output = work.hexa(&[command, chart, "--set", "n"]);
        assert_eq!(output.code, Some(2), "{command}: {output}");
        assert_eq!(output.stdout, "", "{command}: {output}");
        assert!(
            output
                .first_error_line()
                .starts_with("error: invalid value 'n' for '--set"),
            "{command}: {output}"
        );
        assert!(output.stderr.contains("NAME=VALUE"), "{command}: {output}");
    }
    assert_eq!(
        work.files(""),
        ["fizzbuzz.mmd"],
        "a rejected command wrote a file"
    );
}

#[test]
fn runtime_error_notebook_names_node() {
    let work = Workspace::new();
    let chart = work.copy(&fixture("charts/divide-by-zero.mmd"), "div.mmd");
    let generated = work.hexa(&["generate", chart, "-o", "div.py"]);
    assert_eq!(generated.code, Some(0), "{generated}");
    let notebook = work.read("div.py");
    let line = notebook
        .lines()
        .position(|l| l.contains("y = x / 0  #"))
        .expect("the notebook contains node B's code")
        + 1;

    let run = work.hexa(&["run", "div.py"]);
    assert_eq!(run.code, Some(1), "{run}");
    let first = run.first_error_line();
    assert!(
        first.starts_with(&format!("div.py:{line}:1: error: ZeroDivisionError")),
        "{run}"
    );
    assert!(first.contains("flowchart node B "), "{run}");
}

#[test]
fn runtime_error_chart_names_node() {
    let work = Workspace::new();
    let chart = work.copy(&fixture("charts/divide-by-zero.mmd"), "div.mmd");

    let run = work.hexa(&["run", chart]);
    assert_eq!(run.code, Some(1), "{run}");
    let first = run.first_error_line();
    assert!(first.contains("ZeroDivisionError"), "{run}");
    assert!(first.contains("flowchart node B "), "{run}");
    // The position is in the file the user gave: node B is on line 2 of div.mmd.
    assert!(first.starts_with("div.mmd:2:"), "{run}");
    assert_eq!(work.files(""), ["div.mmd"], "run wrote a file");
}

/// A new output file gets the mode any new file gets under the umask; a replaced one keeps
/// its own.
#[test]
fn output_mode_follows_the_umask() {
    use std::os::unix::fs::PermissionsExt;

    let work = Workspace::new();
    let chart = work.copy(
        &parse_fixture("algorithms/001-fizzbuzz.mmd"),
        "fizzbuzz.mmd",
    );
    let mut command = std::process::Command::new("sh");
    command
        .arg("-c")
        .arg("umask 027 && exec \"$0\" generate \"$1\" -o new.py")
        .arg(env!("CARGO_BIN_EXE_hexa"))
        .arg(chart);
    let created = work.run(command, "");
    assert_eq!(created.code, Some(0), "{created}");
    let mode = |name: &str| {
        let metadata = std::fs::metadata(work.path(name)).expect("written");
        metadata.permissions().mode() & 0o777
    };
    assert_eq!(mode("new.py"), 0o640);

    work.write("kept.py", "old\n");
    std::fs::set_permissions(work.path("kept.py"), PermissionsExt::from_mode(0o600))
        .expect("chmod");
    let forced = work.hexa(&["generate", chart, "-o", "kept.py", "--force"]);
    assert_eq!(forced.code, Some(0), "{forced}");
    assert_eq!(mode("kept.py"), 0o600);
}

/// A write error names the file the user asked for, not hexa's temporary file.
#[test]
fn write_error_names_the_output() {
    let work = Workspace::new();
    let chart = work.copy(
        &parse_fixture("algorithms/001-fizzbuzz.mmd"),
        "fizzbuzz.mmd",
    );
    let failed = work.hexa(&["generate", chart, "-o", "missing/out.py"]);
    assert_user_error(&failed, "missing/out.py:1:1: error: ", "missing folder");
    let reason = "failed to write: No such file or directory (os error 2)";
    assert!(failed.stderr.contains(reason), "{failed}");
    assert!(!failed.stderr.contains(".hexa-"), "{failed}");
}
