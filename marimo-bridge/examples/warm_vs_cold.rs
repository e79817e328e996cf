//! Compares a warm in-process run of a notebook (one `Bridge`, marimo already imported)
//! with a cold `python NOTEBOOK.py` subprocess, for the notebooks given on the command line.
//! `bench/run/run.sh` builds the notebooks and runs this in release mode.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use hexa_marimo::{Bridge, RunRequest, discover_python};

const ROUNDS: usize = 7;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = crate_dir.join("../.venv");
    let env = discover_python(Some(&venv), crate_dir)?;
    let notebooks: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if notebooks.is_empty() {
        return Err("usage: warm_vs_cold NOTEBOOK.py...".into());
    }
    let bridge = Bridge::start(&env)?;
    println!(
        "| notebook | cells | warm in-process (median) | cold `python nb.py` (median) | warm / cold |"
    );
    println!("|---|---:|---:|---:|---:|");
    for notebook in &notebooks {
        let source = std::fs::read_to_string(notebook)?;
        let run = || -> Result<(Duration, usize), Box<dyn std::error::Error>> {
            let request = RunRequest {
                source: source.clone(),
                filename: notebook.clone(),
                ..RunRequest::default()
            };
            let started = Instant::now();
            let report = bridge.run(request)?;
            Ok((started.elapsed(), report.cells.len()))
        };
        // The first run registers marimo's formatters; warm means every run after it.
        let (_, cells) = run()?;
        let warm: Vec<Duration> = (0..ROUNDS)
            .map(|_| run().map(|r| r.0))
            .collect::<Result<_, _>>()?;
        let mut cold = Vec::new();
        for _ in 0..ROUNDS {
            let started = Instant::now();
            let status = Command::new(&env.executable).arg(notebook).output()?.status;
            if !status.success() {
                return Err(format!("python {} failed: {status}", notebook.display()).into());
            }
            cold.push(started.elapsed());
        }
        let (warm, cold) = (median(warm), median(cold));
        println!(
            "| {} | {cells} | {warm:.1?} | {cold:.1?} | {:.3} |",
            notebook.file_name().and_then(|n| n.to_str()).unwrap_or("?"),
            warm.as_secs_f64() / cold.as_secs_f64()
        );
    }
    match resident_kib() {
        Some(kib) => println!("\nresident memory of the warm runtime: {} MiB", kib / 1024),
        None => println!("\nresident memory: not available"),
    }
    Ok(())
}
