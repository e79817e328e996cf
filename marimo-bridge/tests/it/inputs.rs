//! Inputs (`--set name=value`) applied to widgets and plain globals.

use hexa_marimo::{BridgeError, CellStatus, RunReport, RunRequest};

use crate::common::{bridge, request};

fn run_with(inputs: &[(&str, &str)]) -> Result<RunReport, BridgeError> {
    let request = RunRequest {
        inputs: inputs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        ..request("inputs.py")
    };
    bridge().run(request)
}

/// Returns the stdout of the cell that prints the result line.
fn result_line(report: &RunReport) -> String {
    report
        .cells
        .iter()
        .find(|c| c.stdout.starts_with("result="))
        .map(|c| c.stdout.clone())
        .unwrap_or_else(|| panic!("no result line in {report:#?}"))
}

#[test]
fn defaults_without_inputs() {
    let report = run_with(&[]).expect("run");

    assert_eq!(result_line(&report), "result=6 name='world'\n");
}

#[test]
fn number_widget_gets_value() {
    let report = run_with(&[("n", "5")]).expect("run");

    assert_eq!(result_line(&report), "result=10 name='world'\n");
}

#[test]
fn number_widget_accepts_float() {
    let report = run_with(&[("n", "2.5")]).expect("run");

    assert_eq!(result_line(&report), "result=5.0 name='world'\n");
}

#[test]
fn number_widget_rejects_text() {
    let error = run_with(&[("n", "many")]).expect_err("not a number");

    assert!(
        matches!(&error, BridgeError::InvalidInput { name, .. } if name == "n"),
        "{error}"
    );
    assert!(error.to_string().contains("expects a number"), "{error}");
}

#[test]
fn number_widget_rejects_out_of_range() {
    let error = run_with(&[("n", "500")]).expect_err("above stop");

    assert!(
        error.to_string().contains("outside the range [0, 100]"),
        "{error}"
    );
}

#[test]
fn text_widget_gets_string() {
    let report = run_with(&[("name", "Ada Lovelace")]).expect("run");

    assert_eq!(result_line(&report), "result=6 name='Ada Lovelace'\n");
}

#[test]
fn text_widget_unquotes_literal() {
    let report = run_with(&[("name", "\"a b\"")]).expect("run");

    assert_eq!(result_line(&report), "result=6 name='a b'\n");
}

#[test]
fn text_widget_keeps_list_as_typed() {
    let report = run_with(&[("name", "[1, 2]")]).expect("run");

    assert_eq!(result_line(&report), "result=6 name='[1, 2]'\n");
}

#[test]
fn plain_global_is_overridden() {
    let report = run_with(&[("factor", "10"), ("n", "4")]).expect("run");

    assert_eq!(result_line(&report), "result=40 name='world'\n");
    // The cell that defines `factor` is pruned, as with marimo's App.run(defs=...).
    assert!(report.cells.iter().all(|c| c.stdout != "factor cell ran\n"));
    assert_eq!(report.cells.len(), 4);
    assert!(report.cells.iter().all(|c| c.status == CellStatus::Ok));
}

#[test]
fn unknown_input_lists_names() {
    let error = run_with(&[("nope", "1")]).expect_err("unknown");

    match error {
        BridgeError::UnknownInput { name, available } => {
            assert_eq!(name, "nope");
            assert_eq!(available, ["factor", "mo", "n", "name", "result"]);
        }
        other => panic!("expected UnknownInput, got {other}"),
    }
}

#[test]
fn override_needs_all_cell_defs() {
    let source = crate::common::fixture("inputs.py")
        .replace("    factor = 2\n", "    factor = 2\n    offset = 1\n")
        .replace("return (factor,)", "return factor, offset");
    let request = RunRequest {
        source,
        inputs: vec![("factor".to_string(), "10".to_string())],
        ..request("inputs.py")
    };

    let error = bridge().run(request).expect_err("offset is not given");

    assert!(
        matches!(&error, BridgeError::InvalidInput { name, .. } if name == "factor"),
        "{error}"
    );
    assert!(error.to_string().contains("Missing: ['offset']"), "{error}");
}
