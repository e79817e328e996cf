//! Measures Bridge::start, three runs of a 10-cell notebook and one check. Run it with
//! `cargo run -p hexa-marimo --release --example timings`.

use std::path::Path;
use std::time::Instant;

use hexa_marimo::{Bridge, RunRequest, discover_python};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let env = discover_python(Some(&crate_dir.join("../.venv")), crate_dir)?;
    let source = std::fs::read_to_string(crate_dir.join("tests/fixtures/ten_cells.py"))?;

    let started = Instant::now();
    let bridge = Bridge::start(&env)?;
    println!(
        "Bridge::start (init + import marimo): {:?}",
        started.elapsed()
    );

    for attempt in 1..=3 {
        let request = RunRequest {
            source: source.clone(),
            filename: "/virtual/ten_cells.py".into(),
            ..RunRequest::default()
        };
        let started = Instant::now();
        let report = bridge.run(request)?;
        println!(
            "run {attempt} of ten_cells.py ({} cells): {:?}",
            report.cells.len(),
            started.elapsed()
        );
    }

    let started = Instant::now();
    let diagnostics = bridge.check(&source, Path::new("ten_cells.py"))?;
    println!(
        "check ({} diagnostics): {:?}",
        diagnostics.len(),
        started.elapsed()
    );
    Ok(())
}
