//! Timeouts interrupt the running cell and leave the bridge usable.

use std::time::{Duration, Instant};

use hexa_marimo::{CellStatus, RunRequest};

use crate::common::{bridge, request, run_fixture};

#[test]
fn timeout_stops_busy_loop_then_reuse() {
    let request = RunRequest {
        timeout: Some(Duration::from_millis(500)),
        ..request("busy_loop.py")
    };

    let started = Instant::now();
    let report = bridge()
        .run(request)
        .expect("a timed-out run still returns a report");
    let elapsed = started.elapsed();

    let statuses: Vec<_> = report
        .cells
        .iter()
        .map(|c| (c.cell_id.as_str(), c.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("Hbol", CellStatus::Ok),
            ("MJUe", CellStatus::Error),
            ("vblA", CellStatus::Cancelled)
        ]
    );
    let error = report.cells[1].error.as_ref().expect("timeout error");
    assert_eq!(error.ename, "TimeoutError");
    assert!(error.evalue.contains("500 ms"), "{}", error.evalue);
    assert_eq!(error.line_in_cell.map(|line| line <= 2), Some(true));
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");

    let after = run_fixture("ten_cells.py");
    assert!(after.cells.iter().all(|c| c.status == CellStatus::Ok));
}

#[test]
fn interrupt_stops_the_running_cell() {
    let (loop_started, started) = std::sync::mpsc::channel();
    let request = RunRequest {
        on_cell: Some(Box::new(move |cell| {
            if cell.cell_id == "Hbol" {
                let _ = loop_started.send(());
            }
        })),
        ..request("busy_loop.py")
    };
    let runner = std::thread::spawn(move || bridge().run(request));

    // Jobs run one at a time, so until this run ends the interrupt can only reach it.
    started
        .recv_timeout(Duration::from_secs(30))
        .expect("the first cell finished");
    std::thread::sleep(Duration::from_millis(100));
    assert!(bridge().interrupt());
    let report = runner.join().expect("run thread").expect("run");

    let error = report
        .cell("MJUe")
        .and_then(|c| c.error.clone())
        .expect("interrupted cell");
    assert_eq!(error.ename, "KeyboardInterrupt");
    assert_eq!(error.evalue, "the run was interrupted");
    assert_eq!(
        report.cell("vblA").map(|c| c.status),
        Some(CellStatus::Cancelled)
    );
}
