//! Running notebooks: per-cell status, streams, outputs, errors and streaming callbacks.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use hexa_marimo::{BridgeError, CellStatus, RunRequest};

use crate::common::{bridge, request, run_fixture};

#[test]
fn basic_notebook_cell_results() {
    let report = run_fixture("basic.py");
    let ids: Vec<&str> = report.cells.iter().map(|c| c.cell_id.as_str()).collect();
    assert_eq!(ids, ["setup", "Hbol", "MJUe", "vblA", "bkHC", "lEQa"]);

    let setup = &report.cells[0];
    assert_eq!(setup.status, CellStatus::Ok);
    assert_eq!(setup.def_line, 6);
    assert_eq!(setup.index, 0);

    let printer = &report.cells[1];
    assert_eq!(printer.status, CellStatus::Ok);
    assert_eq!(printer.stdout, "hello from cell 1\n");
    assert_eq!(printer.stderr, "");
    assert_eq!(printer.index, 1);
    assert_eq!(printer.def_line, 13);
    assert_eq!(printer.name, "_");
    assert!(printer.output.is_none());
}

#[test]
fn markdown_output_has_mime_and_text() {
    let report = run_fixture("basic.py");
    let markdown = report.cell("MJUe").expect("markdown cell");
    let output = markdown.output.as_ref().expect("markdown output");

    assert_eq!(markdown.status, CellStatus::Ok);
    assert_eq!(output.mime, "text/markdown");
    assert!(output.data.contains("Title"), "{}", output.data);
    assert_eq!(output.text.as_deref(), Some("# Title"));
}

#[test]
fn failing_cell_reports_exception() {
    let report = run_fixture("basic.py");
    let failing = report.cell("vblA").expect("failing cell");
    let error = failing.error.as_ref().expect("error details");

    assert_eq!(failing.status, CellStatus::Error);
    assert_eq!(failing.def_line, 25);
    assert_eq!(error.ename, "ZeroDivisionError");
    assert_eq!(error.evalue, "division by zero");
    assert_eq!(error.line_in_cell, Some(2));
    assert!(
        error.traceback.contains("boom = y / 0"),
        "{}",
        error.traceback
    );
    assert!(
        error
            .traceback
            .ends_with("ZeroDivisionError: division by zero\n")
    );
    assert!(
        !error.traceback.contains("script_runner"),
        "{}",
        error.traceback
    );
}

#[test]
fn dependent_cell_is_cancelled() {
    let report = run_fixture("basic.py");
    let dependent = report.cell("bkHC").expect("dependent cell");

    assert_eq!(dependent.status, CellStatus::Cancelled);
    assert_eq!(dependent.stdout, "");
    assert!(dependent.error.is_none());
}

#[test]
fn independent_cell_after_failure_runs() {
    let report = run_fixture("basic.py");
    let later = report.cell("lEQa").expect("later cell");
    let output = later.output.as_ref().expect("value output");

    assert_eq!(later.status, CellStatus::Ok);
    assert_eq!(later.stderr, "to stderr\n");
    assert_eq!(later.stdout, "");
    assert_eq!(output.text.as_deref(), Some("42"));
    assert_eq!(output.mime, "text/html");
    assert!(report.has_errors());
}

#[test]
fn on_cell_streams_in_order() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let request = RunRequest {
        on_cell: Some(Box::new(move |cell| {
            sink.lock()
                .expect("not poisoned")
                .push((cell.cell_id.clone(), cell.status));
        })),
        ..request("basic.py")
    };

    let report = bridge().run(request).expect("run");
    let seen = seen.lock().expect("not poisoned").clone();
    let reported: Vec<_> = report
        .cells
        .iter()
        .map(|c| (c.cell_id.clone(), c.status))
        .collect();

    assert_eq!(seen, reported);
    assert_eq!(seen.len(), 6);
}

#[test]
fn ten_cell_notebook_runs() {
    let report = run_fixture("ten_cells.py");

    assert_eq!(report.cells.len(), 11);
    assert!(report.cells.iter().all(|c| c.status == CellStatus::Ok));
    assert_eq!(report.cells[9].stdout, "cell 8 37\n");
    let last = report.cells[10].output.as_ref().expect("markdown output");
    assert_eq!(last.text.as_deref(), Some("total **37**"));
}

#[test]
fn not_a_notebook_is_a_notebook_error() {
    let request = RunRequest {
        source: "print('plain script')\n".to_string(),
        filename: PathBuf::from("/virtual/script.py"),
        ..RunRequest::default()
    };

    let error = bridge().run(request).expect_err("not a marimo notebook");

    assert!(matches!(error, BridgeError::Notebook { .. }), "{error}");
    assert!(
        error
            .to_string()
            .starts_with("/virtual/script.py: not a marimo notebook"),
        "{error}"
    );
}

#[test]
fn multiple_definitions_is_a_notebook_error() {
    let error = bridge()
        .run(request("multiple_definitions.py"))
        .expect_err("MB002");

    assert!(matches!(error, BridgeError::Notebook { .. }), "{error}");
    assert!(
        error.to_string().contains("multiple definitions"),
        "{error}"
    );
}

#[test]
fn filename_must_end_in_py() {
    let request = RunRequest {
        filename: PathBuf::from("notebook.txt"),
        ..request("basic.py")
    };

    let error = bridge().run(request).expect_err("bad filename");

    assert!(matches!(error, BridgeError::InvalidRequest(_)), "{error}");
}

#[test]
fn async_cells_capture_stdout() {
    let report = run_fixture("async_cell.py");
    let stdouts: Vec<_> = report
        .cells
        .iter()
        .map(|c| (c.status, c.stdout.as_str()))
        .collect();

    assert_eq!(
        stdouts,
        [
            (CellStatus::Ok, "after await\n"),
            (CellStatus::Ok, "sync cell\n")
        ]
    );
}

#[test]
fn failing_setup_cancels_its_dependents() {
    let report = run_fixture("failing_setup.py");
    let setup = report.cell("setup").expect("setup cell");
    let error = setup.error.as_ref().expect("setup error");

    assert_eq!(setup.status, CellStatus::Error);
    assert_eq!(setup.stdout, "setup starts\n");
    assert_eq!(error.ename, "RuntimeError");
    assert_eq!(error.line_in_cell, Some(4));
    assert_eq!(
        report.cell("Hbol").map(|c| c.status),
        Some(CellStatus::Cancelled)
    );
    assert_eq!(
        report.cell("MJUe").map(|c| c.stdout.as_str()),
        Some("independent\n")
    );
}

#[test]
fn bridge_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<hexa_marimo::Bridge>();
}
