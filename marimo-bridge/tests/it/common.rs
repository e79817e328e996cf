//! The bridge shared by all tests (CPython can be initialised only once per process).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use hexa_marimo::{Bridge, DiscoveryVars, RunReport, RunRequest, discover_python_with};

/// Returns the workspace's virtual environment, which has marimo 0.25.2 installed.
pub fn workspace_venv() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv")
}

/// Returns the bridge started once for the workspace's `.venv`, with its start-up time.
pub fn bridge_with_start_time() -> &'static (Bridge, Duration) {
    static BRIDGE: OnceLock<(Bridge, Duration)> = OnceLock::new();
    BRIDGE.get_or_init(|| {
        let cwd = Path::new(env!("CARGO_MANIFEST_DIR"));
        let env = discover_python_with(Some(&workspace_venv()), cwd, &DiscoveryVars::default())
            .expect("the workspace .venv exists (create it before running the tests)");
        let started = Instant::now();
        let bridge = Bridge::start(&env).expect("the bridge starts with the workspace .venv");
        (bridge, started.elapsed())
    })
}

pub fn bridge() -> &'static Bridge {
    &bridge_with_start_time().0
}

/// Reads a notebook from `tests/fixtures`.
pub fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// A run request for a fixture notebook with no inputs and no timeout.
pub fn request(name: &str) -> RunRequest {
    RunRequest {
        source: fixture(name),
        filename: PathBuf::from(format!("/virtual/{name}")),
        ..RunRequest::default()
    }
}

/// Runs a fixture notebook and panics on a bridge error.
pub fn run_fixture(name: &str) -> RunReport {
    bridge()
        .run(request(name))
        .unwrap_or_else(|e| panic!("run {name}: {e}"))
}
