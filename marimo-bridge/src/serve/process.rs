//! Supervising `marimo edit DIR --headless` as a child process: start with a random token,
//! wait for `/health`, restart with backoff when it dies, stop its whole process group.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use super::ServeError;
use super::http::http_get;

/// Name of the log file in the notebooks folder that receives marimo's stdout and stderr.
pub const LOG_FILE: &str = ".hexa-marimo.log";

/// How often the supervisor checks the child and the stop flag.
const POLL: Duration = Duration::from_millis(100);

/// How long marimo may take to exit after SIGTERM before its group gets SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// A child that stayed up this long has recovered, so its restart count starts again.
const STABLE_UPTIME: Duration = Duration::from_secs(60);

/// The first restart delay; each further restart in a row doubles it, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(500);

const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// How to run the server.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// The environment's Python; `marimo` is taken from the same `bin` folder.
    pub python: PathBuf,
    /// The notebooks folder marimo serves.
    pub dir: PathBuf,
    /// The port on 127.0.0.1, or `None` for a free one chosen at start.
    pub port: Option<u16>,
    /// How many restarts in a row hexa makes before it gives up.
    pub max_restarts: u32,
    /// How long marimo may take to return 200 on `/health` after each start.
    pub ready_timeout: Duration,
}

/// A running `marimo edit` child and the settings that survive its restarts.
#[derive(Debug)]
pub struct MarimoServer {
    config: ServeConfig,
    marimo: PathBuf,
    token: String,
    port: u16,
    child: Option<Child>,
    started: Instant,
    restarts_in_row: u32,
}

impl MarimoServer {
    /// Starts marimo and waits until `/health` returns 200.
    pub fn start(config: ServeConfig) -> Result<Self, ServeError> {
        let marimo = crate::marimo_executable(&config.python)?;
        let port = match config.port {
            Some(port) => port,
            None => free_port()?,
        };
        let mut server = Self {
            config,
            marimo,
            token: random_token()?,
            port,
            child: None,
            started: Instant::now(),
            restarts_in_row: 0,
        };
        server.spawn()?;
        if let Err(error) = server.wait_ready() {
            server.stop();
            return Err(error);
        }
        Ok(server)
    }

    /// Returns the port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Returns the access token.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Returns marimo's process id (its process group id too), while it runs.
    pub fn marimo_pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Returns the URL that opens the server, or the notebook `file` in it, with the token.
    pub fn url(&self, file: Option<&str>) -> String {
        notebook_url(self.port, &self.token, file)
    }

    /// Watches marimo until `stop` is set, restarting it when it exits.
    ///
    /// After each restart `on_restart` gets the server, so the caller can record the new pid.
    /// Gives up with [`ServeError::TooManyRestarts`] after `max_restarts` restarts in a row.
    pub fn supervise(
        &mut self,
        stop: &AtomicBool,
        mut on_restart: impl FnMut(&Self),
    ) -> Result<(), ServeError> {
        while !stop.load(Ordering::SeqCst) {
            let exited = match self.child.as_mut().map(Child::try_wait) {
                Some(Ok(None)) => None,
                Some(Ok(Some(status))) => Some(status.to_string()),
                Some(Err(error)) => Some(format!("failed to poll it: {error}")),
                None => Some("not running".to_string()),
            };
            let Some(reason) = exited else {
                thread::sleep(POLL);
                continue;
            };

            let pid = self.marimo_pid();
            self.reap();
            if self.started.elapsed() >= STABLE_UPTIME {
                self.restarts_in_row = 0;
            }
            if self.restarts_in_row >= self.config.max_restarts {
                tracing::error!(pid, %reason, restarts = self.restarts_in_row, "marimo keeps exiting; giving up");
                return Err(ServeError::TooManyRestarts {
                    restarts: self.restarts_in_row,
                    log: self.config.dir.join(LOG_FILE),
                });
            }
            self.restarts_in_row += 1;
            let delay = backoff(self.restarts_in_row);
            tracing::warn!(
                pid,
                %reason,
                attempt = self.restarts_in_row,
                max = self.config.max_restarts,
                delay_ms = delay.as_millis() as u64,
                "marimo exited; restarting"
            );
            if sleep_unless_stopped(delay, stop) {
                break;
            }
            match self.spawn().and_then(|()| self.wait_ready()) {
                Ok(()) => {
                    tracing::info!(
                        pid = self.marimo_pid(),
                        port = self.port,
                        "marimo restarted"
                    );
                    on_restart(self);
                }
                Err(error) => {
                    // stop() leaves no child, so the next pass counts another restart.
                    tracing::warn!(%error, "marimo restart failed");
                    self.stop();
                }
            }
        }
        Ok(())
    }

    /// Stops marimo and every process in its group: SIGTERM, then SIGKILL after a grace time.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let pid = child.id();
        signal_group(pid, libc::SIGTERM);
        let deadline = Instant::now() + STOP_GRACE;
        loop {
            match child.try_wait() {
                Ok(Some(status)) => {
                    tracing::info!(pid, %status, "marimo stopped");
                    break;
                }
                Ok(None) if Instant::now() < deadline => thread::sleep(POLL),
                _ => {
                    tracing::warn!(pid, "marimo did not stop after SIGTERM; sending SIGKILL");
                    signal_group(pid, libc::SIGKILL);
                    let _ = child.wait();
                    break;
                }
            }
        }
        // Kernel and helper processes marimo started may outlive it in its group.
        signal_group(pid, libc::SIGKILL);
    }

    fn spawn(&mut self) -> Result<(), ServeError> {
        let log = open_log(&self.config.dir)?;
        let log_err = log
            .try_clone()
            .map_err(|e| ServeError::io(&self.config.dir.join(LOG_FILE), "open", e))?;
        let mut command = Command::new(&self.marimo);
        command
            .arg("edit")
            .arg(&self.config.dir)
            .args(["--headless", "--host", "127.0.0.1", "--port"])
            .arg(self.port.to_string())
            // The token goes through stdin so that other users cannot read it in `ps`.
            .args(["--token-password-file", "-", "--skip-update-check"])
            .current_dir(&self.config.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err))
            .process_group(0);
        set_parent_death_signal(&mut command);
        let mut child = command
            .spawn()
            .map_err(|e| ServeError::io(&self.marimo, "start", e))?;
        if let Some(mut stdin) = child.stdin.take() {
            // marimo reads the token until end of file, so stdin is closed right after.
            if let Err(error) = stdin.write_all(self.token.as_bytes()) {
                tracing::warn!(%error, "failed to pass the token to marimo");
            }
        }
        tracing::info!(pid = child.id(), port = self.port, dir = %self.config.dir.display(), "marimo started");
        self.child = Some(child);
        self.started = Instant::now();
        Ok(())
    }

    fn wait_ready(&mut self) -> Result<(), ServeError> {
        let deadline = Instant::now() + self.config.ready_timeout;
        loop {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                return Err(ServeError::NotReady {
                    reason: format!("marimo exited with {status}"),
                    log_tail: self.log_tail(),
                });
            }
            match http_get(self.port, "/health", &[], Duration::from_secs(2)) {
                Ok(response) if response.status == 200 => return Ok(()),
                Ok(response) => tracing::debug!(status = response.status, "marimo not ready"),
                Err(error) => tracing::trace!(%error, "marimo not ready"),
            }
            if Instant::now() >= deadline {
                return Err(ServeError::NotReady {
                    reason: format!(
                        "/health did not answer 200 within {:?}",
                        self.config.ready_timeout
                    ),
                    log_tail: self.log_tail(),
                });
            }
            thread::sleep(POLL);
        }
    }

    /// Waits for an exited child and kills what is left of its group.
    fn reap(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.wait();
            signal_group(child.id(), libc::SIGKILL);
        }
    }

    fn log_tail(&self) -> String {
        let mut text = String::new();
        if let Ok(mut file) = File::open(self.config.dir.join(LOG_FILE)) {
            let _ = file.read_to_string(&mut text);
        }
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for MarimoServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Returns `http://127.0.0.1:PORT/?file=FILE&access_token=TOKEN`, without `file` when `None`.
pub fn notebook_url(port: u16, token: &str, file: Option<&str>) -> String {
    let token = percent_encode(token);
    match file {
        Some(file) => format!(
            "http://127.0.0.1:{port}/?file={}&access_token={token}",
            percent_encode(file)
        ),
        None => format!("http://127.0.0.1:{port}/?access_token={token}"),
    }
}

/// Returns whether a process with this id exists (a zombie counts as existing).
pub fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: kill with signal 0 sends nothing; it only checks that the process exists.
    let result = unsafe { libc::kill(pid, 0) };
    result == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Returns whether any process is left in the process group `pgid`.
pub fn process_group_alive(pgid: u32) -> bool {
    let Ok(pgid) = libc::pid_t::try_from(pgid) else {
        return false;
    };
    if pgid <= 1 {
        return false;
    }
    // SAFETY: signal 0 to a negative pid checks the group without sending anything.
    let result = unsafe { libc::kill(-pgid, 0) };
    result == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

fn signal_group(pgid: u32, signal: libc::c_int) {
    let Ok(pgid) = libc::pid_t::try_from(pgid) else {
        return;
    };
    // A group id of 0 or 1 would signal hexa's own group or every process.
    if pgid <= 1 {
        return;
    }
    // SAFETY: kill has no memory effects; the group is the one marimo leads, because it was
    // started with process_group(0).
    unsafe {
        libc::kill(-pgid, signal);
    }
}

/// Asks Linux to send SIGTERM to marimo when hexa dies without cleaning up (SIGKILL).
#[cfg(target_os = "linux")]
fn set_parent_death_signal(command: &mut Command) {
    // SAFETY: the closure runs in the child between fork and exec and calls only prctl, which
    // is async-signal-safe. The signal fires when the thread that forked exits; hexa serve
    // spawns marimo from its main thread, which lives until the process exits.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn set_parent_death_signal(_command: &mut Command) {}

fn open_log(dir: &Path) -> Result<File, ServeError> {
    use std::os::unix::fs::OpenOptionsExt;
    let path = dir.join(LOG_FILE);
    // marimo prints its URL with the token, so only the owner may read the log.
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| ServeError::io(&path, "open", e))
}

/// Asks the kernel for a free port on 127.0.0.1.
///
/// NOTE: another process may bind the port before marimo does. marimo then fails to start
/// and [`MarimoServer::start`] returns the error; restarts keep the same port.
fn free_port() -> Result<u16, ServeError> {
    let listener = std::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0))
        .map_err(|e| ServeError::io(Path::new("127.0.0.1:0"), "bind", e))?;
    let port = listener
        .local_addr()
        .map_err(|e| ServeError::io(Path::new("127.0.0.1:0"), "bind", e))?
        .port();
    Ok(port)
}

/// Returns 32 hex digits from the operating system's random source.
fn random_token() -> Result<String, ServeError> {
    let path = Path::new("/dev/urandom");
    let mut bytes = [0u8; 16];
    File::open(path)
        .and_then(|mut file| file.read_exact(&mut bytes))
        .map_err(|e| ServeError::io(path, "read", e))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn backoff(attempt: u32) -> Duration {
    let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
    FIRST_BACKOFF.saturating_mul(factor).min(MAX_BACKOFF)
}

/// Sleeps for `delay` in short steps; returns true when `stop` was set meanwhile.
fn sleep_unless_stopped(delay: Duration, stop: &AtomicBool) -> bool {
    let deadline = Instant::now() + delay;
    while Instant::now() < deadline {
        if stop.load(Ordering::SeqCst) {
            return true;
        }
        thread::sleep(POLL.min(deadline.saturating_duration_since(Instant::now())));
    }
    stop.load(Ordering::SeqCst)
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_max() {
        assert_eq!(backoff(1), Duration::from_millis(500));
        assert_eq!(backoff(2), Duration::from_secs(1));
        assert_eq!(backoff(4), Duration::from_secs(4));
        assert_eq!(backoff(20), MAX_BACKOFF);
    }

    #[test]
    fn urls_encode_names() {
        assert_eq!(
            notebook_url(2718, "ab12", Some("my flow.py")),
            "http://127.0.0.1:2718/?file=my%20flow.py&access_token=ab12"
        );
        assert_eq!(
            notebook_url(1, "t", None),
            "http://127.0.0.1:1/?access_token=t"
        );
    }

    #[test]
    fn tokens_are_random_hex() {
        let first = random_token().expect("a token");
        let second = random_token().expect("a token");
        assert_eq!(first.len(), 32);
        assert!(first.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(first, second);
    }

    #[test]
    fn own_process_alive() {
        assert!(process_alive(std::process::id()));
        assert!(!process_alive(0));
        assert!(!process_group_alive(1));
    }
}
