//! Capture of file descriptors 1 and 2, so that output written straight to them (by a child
//! process that `os.system` starts, or by C code) reaches the client as `stream` messages.
//!
//! The kernel points fds 1 and 2 at pipes and reads them on two threads. Log lines keep
//! going to the original stderr through [`log_writer`].

use std::io::{self, Write};
use std::os::fd::RawFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

/// File descriptor that [`LogWriter`] writes to: fd 2, or a copy of the original fd 2 while
/// fd 2 is captured.
static LOG_FD: AtomicI32 = AtomicI32::new(libc::STDERR_FILENO);

/// Writer of log lines to the process's original stderr, also while the kernel captures fd 2.
#[derive(Debug, Default)]
pub struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let fd = LOG_FD.load(Ordering::Relaxed);
        // SAFETY: `buf` is valid for `buf.len()` bytes, and `fd` is fd 2 or a copy of it
        // that stays open until LOG_FD points back at fd 2.
        let written = unsafe { libc::write(fd, buf.as_ptr().cast(), buf.len()) };
        usize::try_from(written).map_err(|_| io::Error::last_os_error())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Returns a [`LogWriter`], for `tracing_subscriber`'s `with_writer`.
pub fn log_writer() -> LogWriter {
    LogWriter
}

/// Receiver of captured text, called with the stream name (`stdout` or `stderr`) and the text.
pub type Sink = Arc<dyn Fn(&'static str, String) + Send + Sync>;

/// Fds 1 and 2 captured into pipes. Dropping it points them back at the originals.
pub struct Capture {
    /// Each captured fd, paired with a copy of the original it replaced.
    saved: Vec<(RawFd, RawFd)>,
}

impl Capture {
    /// Points fds 1 and 2 at pipes whose text goes to `sink`.
    pub fn start(sink: Sink) -> io::Result<Self> {
        let mut capture = Self { saved: Vec::new() };
        for (fd, name) in [
            (libc::STDOUT_FILENO, "stdout"),
            (libc::STDERR_FILENO, "stderr"),
        ] {
            // SAFETY: `fd` is open because a client starts the kernel with fds 1 and 2 open.
            let saved = check(unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 3) })?;
            let mut ends = [0; 2];
            // SAFETY: `ends` has room for the two fds that pipe2 writes.
            check(unsafe { libc::pipe2(ends.as_mut_ptr(), libc::O_CLOEXEC) })?;
            let [read, write] = ends;
            // SAFETY: both fds are open. dup2 makes `fd` a copy of the pipe's write end
            // without O_CLOEXEC, so child processes write into the pipe too.
            let duplicated = check(unsafe { libc::dup2(write, fd) });
            // SAFETY: `write` is ours and no longer needed once `fd` refers to the pipe.
            unsafe { libc::close(write) };
            if let Err(error) = duplicated {
                // SAFETY: `read` and `saved` are ours.
                unsafe {
                    libc::close(read);
                    libc::close(saved);
                }
                return Err(error);
            }
            capture.saved.push((fd, saved));
            if fd == libc::STDERR_FILENO {
                LOG_FD.store(saved, Ordering::Relaxed);
            }
            let sink = Arc::clone(&sink);
            std::thread::Builder::new()
                .name(format!("hexa-kernel-{name}"))
                .spawn(move || forward(read, name, &sink))?;
        }
        Ok(capture)
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        LOG_FD.store(libc::STDERR_FILENO, Ordering::Relaxed);
        for &(fd, saved) in &self.saved {
            // SAFETY: `saved` is the open copy made in `start`. dup2 closes the pipe's last
            // write end in this process, so its reader sees end of file.
            unsafe {
                libc::dup2(saved, fd);
                libc::close(saved);
            }
        }
    }
}

fn check(rc: libc::c_int) -> io::Result<RawFd> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

/// Reads the pipe `read` until end of file and passes its text to `sink`.
///
/// A UTF-8 character split between two reads waits for its end, unless the read also
/// contains invalid bytes. Bytes that are not UTF-8 become U+FFFD.
fn forward(read: RawFd, name: &'static str, sink: &Sink) {
    let mut buffer = vec![0u8; 64 * 1024];
    let mut pending: Vec<u8> = Vec::new();
    loop {
        // SAFETY: `buffer` is valid for its length, and `read` is ours until we close it.
        let count = unsafe { libc::read(read, buffer.as_mut_ptr().cast(), buffer.len()) };
        let count = match usize::try_from(count) {
            Ok(0) => break,
            Ok(count) => count,
            Err(_) if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        pending.extend_from_slice(&buffer[..count]);
        let complete = complete_utf8_len(&pending);
        if complete > 0 {
            let rest = pending.split_off(complete);
            sink(name, String::from_utf8_lossy(&pending).into_owned());
            pending = rest;
        }
    }
    if !pending.is_empty() {
        sink(name, String::from_utf8_lossy(&pending).into_owned());
    }
    // SAFETY: `read` is ours and no longer used.
    unsafe { libc::close(read) };
}

/// Returns the length of the longest prefix of `bytes` that does not end inside a UTF-8
/// character, or the whole length when `bytes` contains invalid UTF-8.
fn complete_utf8_len(bytes: &[u8]) -> usize {
    match std::str::from_utf8(bytes) {
        Ok(_) => bytes.len(),
        Err(error) if error.error_len().is_none() => error.valid_up_to(),
        // Pass invalid bytes on with the rest, because from_utf8_lossy replaces them.
        Err(_) => bytes.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complete_text_passes_whole() {
        assert_eq!(complete_utf8_len("héllo".as_bytes()), 6);
    }

    #[test]
    fn split_character_waits_for_end() {
        let bytes = "aé".as_bytes();
        assert_eq!(complete_utf8_len(&bytes[..2]), 1);
    }

    #[test]
    fn invalid_bytes_pass_on() {
        assert_eq!(complete_utf8_len(&[b'a', 0xff, b'b']), 3);
    }
}
