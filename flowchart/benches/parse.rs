//! Parser timing for `bench/parse/run.sh`: parses each chart file given on the command line
//! many times and prints one JSON line per file with the mean time in milliseconds.
//!
//! Usage: cargo bench -p hexa-flowchart --bench parse -- [--runs N] FILE.mmd ...

use std::time::Instant;

fn main() {
    let mut runs = 100usize;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            // cargo bench passes `--bench` to every bench binary.
            "--bench" => {}
            "--runs" => {
                let value = args.next().unwrap_or_default();
                runs = value.parse().unwrap_or_else(|_| {
                    eprintln!("--runs expects a positive whole number, got `{value}`");
                    std::process::exit(2);
                });
            }
            _ => files.push(arg),
        }
    }
    for file in files {
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(error) => {
                eprintln!("cannot read {file}: {error}");
                std::process::exit(1);
            }
        };
        let warm_up = hexa_flowchart::parse(&text);
        let ok = !warm_up.has_errors();
        let started = Instant::now();
        for _ in 0..runs.max(1) {
            std::hint::black_box(hexa_flowchart::parse(std::hint::black_box(&text)));
        }
        let mean_ms = started.elapsed().as_secs_f64() * 1000.0 / runs.max(1) as f64;
        let file = file.replace('\\', "\\\\").replace('"', "\\\"");
        println!("{{\"file\":\"{file}\",\"ok\":{ok},\"runs\":{runs},\"mean_ms\":{mean_ms}}}");
    }
}
