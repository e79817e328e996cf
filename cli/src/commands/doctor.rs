//! `hexa doctor`: which Python and marimo hexa would use, and whether they work.

use std::path::Path;

use crate::python;

/// Prints the environment report; returns the exit code.
pub fn run(python_flag: Option<&Path>) -> anyhow::Result<i32> {
    println!("hexa {}", env!("CARGO_PKG_VERSION"));
    println!("llm key: {}", crate::llm::key_status());
    let bridge = match python::start(python_flag) {
        Ok(bridge) => bridge,
        Err(error) => {
            println!("python: not usable");
            eprintln!("error: {error:#}");
            return Ok(1);
        }
    };
    let info = bridge.info()?;
    println!(
        "python: {} ({})",
        info.executable.display(),
        info.python_version
    );
    println!("marimo: {}", info.marimo_version);
    for dir in &info.site_packages {
        println!("site-packages: {}", dir.display());
    }
    Ok(0)
}
