//! `hexa serve` and `hexa generate --serve` against a real `marimo edit` on 127.0.0.1: the
//! token, the restart after marimo dies, the shutdown on SIGTERM and the index across restarts.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use hexa_marimo::serve::{self, INDEX_FILE, Index, ServerRecord};

use crate::support::{Workspace, repo_root, venv};

/// How long marimo may take to start or restart on a busy test machine.
const START_TIMEOUT: Duration = Duration::from_secs(90);

const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// A `hexa serve` child; dropping it kills hexa, and marimo then gets its parent-death signal.
struct Served {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Served {
    fn start(work: &Workspace) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hexa"))
            .arg("--python")
            .arg(venv())
            .args(["serve", "notebooks"])
            .current_dir(work.path(""))
            .env_remove("VIRTUAL_ENV")
            .env_remove("HEXA_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("hexa serve starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Served { child, lines }
    }

    /// Collects the stdout lines printed within `wait`.
    fn lines_within(&self, wait: Duration) -> Vec<String> {
        let deadline = Instant::now() + wait;
        let mut lines = Vec::new();
        while let Ok(line) = self
            .lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            lines.push(line);
        }
        lines
    }

    /// Sends SIGTERM and returns the exit code.
    fn terminate(&mut self) -> Option<i32> {
        signal(self.child.id(), "TERM");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("hexa can be polled") {
                return status.code();
            }
            assert!(Instant::now() < deadline, "hexa serve ignored SIGTERM");
            thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -{name} {pid} failed");
}

fn read_index(work: &Workspace) -> Index {
    let path = work.path("notebooks").join(INDEX_FILE);
    std::fs::read_to_string(&path)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// Waits until the index records a server whose marimo is not `previous` and answers /health.
fn wait_for_server(work: &Workspace, previous: Option<u32>) -> ServerRecord {
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if let Some(record) = read_index(work).server
            && Some(record.marimo_pid) != previous
            && record.marimo_pid != 0
            && get(record.port, "/health", &[]).is_some_and(|r| r.status == 200)
        {
            return record;
        }
        assert!(Instant::now() < deadline, "no healthy server in the index");
        thread::sleep(Duration::from_millis(200));
    }
}

fn get(port: u16, target: &str, headers: &[(&str, &str)]) -> Option<serve::HttpResponse> {
    serve::http_get(port, target, headers, HTTP_TIMEOUT).ok()
}

/// Returns the path and query of a URL on 127.0.0.1.
fn target_of(url: &str, port: u16) -> String {
    let prefix = format!("http://127.0.0.1:{port}");
    url.strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{url} is not on 127.0.0.1:{port}"))
        .to_string()
}

fn file_of(url: &str) -> String {
    let query = url.split_once("?file=").expect("the URL names a file").1;
    query.split('&').next().unwrap_or_default().to_string()
}

fn wait_until_gone(pid: u32, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while serve::process_group_alive(pid) {
        assert!(
            Instant::now() < deadline,
            "{what} (group {pid}) is still running"
        );
        thread::sleep(Duration::from_millis(50));
    }
}

fn assert_notebook_served(port: u16, token: &str, url: &str) {
    let target = target_of(url, port);
    let with_token = get(port, &target, &[]).expect("marimo answers");
    assert_eq!(with_token.status, 303, "token in the URL: {with_token:?}");
    let cookie = with_token
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .expect("marimo sets a session cookie")
        .to_string();
    let location = with_token.header("location").expect("a redirect target");
    let followed_target = if location.starts_with('/') {
        location.to_string()
    } else {
        target_of(location, port)
    };
    let followed = get(port, &followed_target, &[("Cookie", &cookie)]).expect("marimo answers");
    assert_eq!(followed.status, 200, "after the redirect: {followed:?}");

    let file = file_of(url);
    let bearer = format!("Bearer {token}");
    let page = format!("/?file={file}");
    let with_header = get(port, &page, &[("Authorization", &bearer)]).expect("marimo answers");
    assert_eq!(
        with_header.status, 200,
        "token in the header: {with_header:?}"
    );

    let without = get(port, &page, &[]).expect("marimo answers");
    assert!(
        without.status == 303 || without.status == 401,
        "no token: {without:?}"
    );
    if without.status == 303 {
        let location = without.header("location").unwrap_or_default();
        assert!(location.contains("/auth/login"), "no token: {without:?}");
    }
    let wrong = get(port, &format!("{page}&access_token=wrong"), &[]).expect("marimo answers");
    assert_ne!(wrong.status, 200, "a wrong token: {wrong:?}");
}

fn generate_served(work: &Workspace) -> String {
    let generated = work.hexa(&["generate", "fizzbuzz.mmd", "--serve"]);
    assert_eq!(generated.code, Some(0), "{generated}");
    let lines = generated.lines();
    assert_eq!(lines.len(), 1, "one URL: {generated}");
    lines[0].to_string()
}

#[test]
fn serve_lifecycle() {
    let work = Workspace::new();
    work.copy(&repo_root().join("examples/fizzbuzz.mmd"), "fizzbuzz.mmd");
    let mut served = Served::start(&work);
    let record = wait_for_server(&work, None);
    assert_eq!(record.pid, served.child.id());
    assert_eq!(record.token.len(), 32, "{record:?}");
    let health = get(record.port, "/health", &[]).expect("marimo answers");
    assert_eq!(health.status, 200, "{health:?}");

    // Two notebooks of the same chart in the same second still get two names.
    let first = generate_served(&work);
    let second = generate_served(&work);
    let (first_file, second_file) = (file_of(&first), file_of(&second));
    assert_ne!(first_file, second_file);
    assert!(first_file.starts_with("fizzbuzz-"), "{first_file}");
    assert!(work.path("notebooks").join(&first_file).is_file());
    assert!(work.path("notebooks").join(&second_file).is_file());
    for url in [&first, &second] {
        assert_notebook_served(record.port, &record.token, url);
    }

    // A second hexa serve finds the running one and only lists the notebooks.
    let again = work.hexa(&["serve", "notebooks"]);
    assert_eq!(again.code, Some(0), "{again}");
    assert!(again.stderr.contains("already served"), "{again}");
    assert_eq!(again.lines().len(), 2, "{again}");

    // marimo killed from outside comes back on the same port with the same token.
    signal(record.marimo_pid, "KILL");
    let restarted = wait_for_server(&work, Some(record.marimo_pid));
    assert_eq!(restarted.port, record.port);
    assert_eq!(restarted.token, record.token);
    assert_eq!(restarted.pid, record.pid);
    wait_until_gone(record.marimo_pid, "the killed marimo");
    assert_notebook_served(restarted.port, &restarted.token, &first);

    // SIGTERM stops hexa, marimo and everything marimo started.
    assert_eq!(served.terminate(), Some(0));
    wait_until_gone(restarted.marimo_pid, "marimo after SIGTERM");
    assert!(!serve::process_alive(restarted.marimo_pid));
    assert!(
        get(restarted.port, "/health", &[]).is_none(),
        "the port still answers"
    );
    let index = read_index(&work);
    assert_eq!(index.server, None, "a stopped server stays in the index");

    // After the restart the index still knows both notebooks and their flowchart.
    let files: Vec<&str> = index.notebooks.iter().map(|n| n.file.as_str()).collect();
    assert_eq!(files.len(), 2, "{index:?}");
    let mut restart = Served::start(&work);
    let record = wait_for_server(&work, None);
    let listed = restart.lines_within(Duration::from_secs(2));
    assert_eq!(listed.len(), 2, "{listed:?}");
    let chart = std::fs::canonicalize(work.path("fizzbuzz.mmd")).expect("the chart exists");
    // The listing is sorted by file name, where `-2.py` comes before `.py`.
    let mut expected_files = [&first_file, &second_file];
    expected_files.sort();
    for (line, file) in listed.iter().zip(expected_files) {
        let url = serve::notebook_url(record.port, &record.token, Some(file));
        let suffix = format!(" from {}", chart.display());
        assert_eq!(line, &format!("{file} {url}{suffix}"));
    }
    let entry = &read_index(&work).notebooks[0];
    let origin = entry.flowchart.as_ref().expect("the origin is recorded");
    let text = std::fs::read_to_string(&chart).expect("readable");
    assert_eq!(origin.hash, serve::content_hash(&text));
    assert_eq!(restart.terminate(), Some(0));
    wait_until_gone(record.marimo_pid, "marimo after the second SIGTERM");
}

#[test]
fn hexa_killed_takes_marimo_down() {
    let work = Workspace::new();
    let mut served = Served::start(&work);
    let record = wait_for_server(&work, None);
    // SIGKILL skips hexa's clean-up, so marimo relies on its parent-death signal.
    signal(served.child.id(), "KILL");
    let _ = served.child.wait();
    wait_until_gone(record.marimo_pid, "marimo after hexa was killed");

    // The index still names the dead server, and the next hexa serve replaces it.
    let stale = read_index(&work)
        .server
        .expect("the killed hexa left its record");
    assert_eq!(stale.pid, record.pid);
    let mut replacement = Served::start(&work);
    let fresh = wait_for_server(&work, Some(record.marimo_pid));
    assert_eq!(fresh.pid, replacement.child.id());
    assert_eq!(replacement.terminate(), Some(0));
    wait_until_gone(fresh.marimo_pid, "the replacement marimo");
}

#[test]
fn serve_rejects_file_as_folder() {
    let work = Workspace::new();
    work.write("taken", "not a folder\n");
    let output = work.hexa(&["serve", "taken"]);
    assert_eq!(output.code, Some(2), "{output}");
    assert!(output.stderr.contains("taken"), "{output}");
    assert!(work.path("taken").is_file());
}
