//! Running the real `hexa` binary in a temporary folder, with the repository's `.venv`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Maximum time one process may run before the test kills it and fails.
const PROCESS_TIMEOUT: Duration = Duration::from_secs(60);

/// Returns the workspace root: the parent of the `cli` crate.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the cli crate lives inside the workspace folder")
        .to_path_buf()
}

/// Returns the virtual environment with marimo that `make venv` creates.
pub fn venv() -> PathBuf {
    repo_root().join(".venv")
}

/// Returns the venv's Python interpreter.
pub fn venv_python() -> PathBuf {
    venv().join("bin").join("python")
}

/// Returns a fixture under `tests/fixtures/` at the repository root.
pub fn fixture(relative: &str) -> PathBuf {
    repo_root().join("tests/fixtures").join(relative)
}

/// Returns a corpus chart copied for the parser tests, under `flowchart/tests/fixtures/parse/`.
pub fn parse_fixture(relative: &str) -> PathBuf {
    repo_root()
        .join("flowchart/tests/fixtures/parse")
        .join(relative)
}

/// Exit code and captured output of one process.
#[derive(Debug)]
pub struct Output {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Splits stdout into lines.
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    /// Returns the first stderr line, or "" when stderr is empty.
    pub fn first_error_line(&self) -> &str {
        self.stderr.lines().next().unwrap_or("")
    }
}

impl std::fmt::Display for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit code {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// A temporary working folder where `hexa` runs.
pub struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    pub fn new() -> Self {
        Workspace {
            dir: tempfile::tempdir().expect("failed to create a temporary folder"),
        }
    }

    /// Returns the absolute path of `name` inside the workspace.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Copies `source` into the workspace as `name` and returns `name`.
    pub fn copy<'a>(&self, source: &Path, name: &'a str) -> &'a str {
        let target = self.path(name);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).expect("failed to create a folder in the workspace");
        }
        std::fs::copy(source, &target)
            .unwrap_or_else(|e| panic!("failed to copy {}: {e}", source.display()));
        name
    }

    /// Writes `text` to `name` inside the workspace.
    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).expect("failed to write into the workspace");
    }

    /// Reads `name` from the workspace.
    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name))
            .unwrap_or_else(|e| panic!("failed to read {name}: {e}"))
    }

    /// Lists the sorted file names in the workspace folder `sub` ("" for the top).
    pub fn files(&self, sub: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.path(sub))
            .expect("failed to list the workspace")
            .map(|entry| entry.expect("failed to read a folder entry"))
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Runs `hexa --python <venv> ARGS` here with empty stdin.
    pub fn hexa(&self, args: &[&str]) -> Output {
        self.hexa_with_stdin(args, "")
    }

    /// Runs `hexa --python <venv> ARGS` here, writing `stdin` to its standard input.
    pub fn hexa_with_stdin(&self, args: &[&str], stdin: &str) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_hexa"));
        command.arg("--python").arg(venv()).args(args);
        self.run(command, stdin)
    }

    /// Runs the venv's Python on `args` here, writing `stdin` to its standard input.
    pub fn python(&self, args: &[&str], stdin: &str) -> Output {
        let mut command = Command::new(venv_python());
        command.args(args);
        self.run(command, stdin)
    }

    /// Runs the venv's `marimo` command line here.
    pub fn marimo(&self, args: &[&str]) -> Output {
        let mut command = Command::new(venv().join("bin").join("marimo"));
        command.args(args);
        self.run(command, "")
    }

    /// Runs `command` here, writing `stdin` to its standard input.
    pub fn run(&self, mut command: Command, stdin: &str) -> Output {
        command
            .current_dir(self.dir.path())
            .env_remove("VIRTUAL_ENV")
            .env_remove("HEXA_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let description = format!("{command:?}");
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("failed to start {description}: {e}"));
        let mut input = child.stdin.take().expect("stdin is piped");
        input
            .write_all(stdin.as_bytes())
            .unwrap_or_else(|e| panic!("failed to write stdin of {description}: {e}"));
        drop(input);
        let stdout = read_in_background(child.stdout.take().expect("stdout is piped"));
        let stderr = read_in_background(child.stderr.take().expect("stderr is piped"));
        let code = wait_with_timeout(&mut child, &description);
        Output {
            code,
            stdout: stdout.join().expect("the stdout reader does not panic"),
            stderr: stderr.join().expect("the stderr reader does not panic"),
        }
    }
}

fn read_in_background(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn wait_with_timeout(child: &mut Child, description: &str) -> Option<i32> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("failed to poll the child process") {
            return status.code();
        }
        if start.elapsed() > PROCESS_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{description} timed out after {PROCESS_TIMEOUT:?}");
        }
        thread::sleep(Duration::from_millis(20));
    }
}
