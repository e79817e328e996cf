//! Every valid chart of the real-world corpus generates, passes `hexa check` and runs.

use std::path::{Path, PathBuf};
use std::thread;

use crate::support::{Workspace, parse_fixture};

/// Number of charts in `flowchart/tests/fixtures/parse/corpus`.
const CORPUS_SIZE: usize = 40;

fn corpus_charts() -> Vec<PathBuf> {
    let mut charts: Vec<PathBuf> = std::fs::read_dir(parse_fixture("corpus"))
        .expect("failed to list the corpus fixtures")
        .map(|entry| entry.expect("failed to read a folder entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "mmd"))
        .collect();
    charts.sort();
    charts
}

/// Generates, checks and runs one chart; returns what went wrong, if anything.
fn chart_problems(chart: &Path) -> Vec<String> {
    let name = chart
        .file_stem()
        .expect("a corpus chart has a file name")
        .to_string_lossy()
        .into_owned();
    let work = Workspace::new();
    let flow = work.copy(chart, "flow.mmd");
    let mut problems = Vec::new();

    let generated = work.hexa(&["generate", flow, "-o", "notebook.py"]);
    if generated.code != Some(0) {
        problems.push(format!("{name}: generate failed: {generated}"));
        return problems;
    }

    let checked = work.hexa(&["check", "notebook.py"]);
    if checked.code != Some(0) {
        problems.push(format!(
            "{name}: check exited with {:?}: {checked}",
            checked.code
        ));
    }
    if checked.stdout.lines().any(|line| line.contains("error")) {
        problems.push(format!("{name}: check reported errors: {checked}"));
    }

    let run = work.hexa(&["run", "notebook.py", "--timeout", "10"]);
    if run.code != Some(0) {
        problems.push(format!("{name}: run exited with {:?}: {run}", run.code));
    }
    problems
}

#[test]
fn corpus_generates_checks_runs() {
    let charts = corpus_charts();
    assert_eq!(charts.len(), CORPUS_SIZE, "corpus fixtures: {charts:?}");

    // Each `hexa` process keeps one core busy, so run one chart per core at a time.
    let workers = thread::available_parallelism().map_or(2, |n| n.get());
    let chunk_size = charts.len().div_ceil(workers);
    let problems: Vec<String> = thread::scope(|scope| {
        let workers: Vec<_> = charts
            .chunks(chunk_size)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .flat_map(|chart| chart_problems(chart))
                        .collect()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| -> Vec<String> { worker.join().expect("a corpus worker panicked") })
            .collect()
    });

    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
