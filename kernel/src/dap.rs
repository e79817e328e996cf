//! A Debug Adapter Protocol client over TCP: `Content-Length` framing, request sequence
//! numbers, and responses matched to their requests.
//!
//! **The client only ever connects to 127.0.0.1**, where the kernel's own debugpy adapter
//! listens. Events go out on the channel given to [`DapClient::connect`], in arrival order.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{mpsc::UnboundedSender, oneshot};

/// Maximum size in bytes of a DAP message body that the client accepts from the adapter.
const MAX_FRAME_BYTES: usize = 64 * 1024 * 1024;

/// Maximum time that a request waits for its response.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(60);

/// Error of a connection to the debug adapter.
#[derive(Debug, thiserror::Error)]
pub enum DapError {
    /// The TCP connection to the adapter could not be made.
    #[error("cannot connect to the debug adapter on 127.0.0.1:{port}: {source}")]
    Connect {
        /// The adapter's port.
        port: u16,
        /// The socket error.
        source: std::io::Error,
    },
    /// Writing a request failed.
    #[error("cannot send to the debug adapter: {0}")]
    Send(std::io::Error),
    /// The adapter closed the connection before it sent the response.
    #[error("the debug adapter closed the connection")]
    Closed,
    /// The adapter sent no response in time.
    #[error("timed out after {seconds} s waiting for the debug adapter's {command} response")]
    Timeout {
        /// The request's command.
        command: String,
        /// The time waited.
        seconds: u64,
    },
}

type Pending = Arc<Mutex<HashMap<i64, oneshot::Sender<Value>>>>;

/// Connection to a debug adapter. Several tasks may send requests on it at once.
pub struct DapClient {
    writer: tokio::sync::Mutex<OwnedWriteHalf>,
    pending: Pending,
    next_seq: AtomicI64,
    reader: tokio::task::JoinHandle<()>,
}

/// Handle of a sent request. [`PendingResponse::wait`] returns its response.
pub struct PendingResponse {
    command: String,
    seq: i64,
    pending: Pending,
    receiver: oneshot::Receiver<Value>,
}

impl PendingResponse {
    /// Waits for the adapter's response, whose `request_seq` is the client's sequence number.
    pub async fn wait(self) -> Result<Value, DapError> {
        match tokio::time::timeout(RESPONSE_TIMEOUT, self.receiver).await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(_)) => Err(DapError::Closed),
            Err(_) => {
                // A response that comes later has nobody to go to.
                lock(&self.pending).remove(&self.seq);
                Err(DapError::Timeout {
                    command: self.command,
                    seconds: RESPONSE_TIMEOUT.as_secs(),
                })
            }
        }
    }
}

impl DapClient {
    /// Connects to the adapter on `127.0.0.1:port` and sends its events to `events`.
    pub async fn connect(port: u16, events: UnboundedSender<Value>) -> Result<Self, DapError> {
        let stream = TcpStream::connect(("127.0.0.1", port))
            .await
            .map_err(|source| DapError::Connect { port, source })?;
        let (read_half, write_half) = stream.into_split();
        let pending: Pending = Arc::default();
        let reader = tokio::spawn(read_messages(read_half, Arc::clone(&pending), events));
        Ok(Self {
            writer: tokio::sync::Mutex::new(write_half),
            pending,
            next_seq: AtomicI64::new(1),
            reader,
        })
    }

    /// Sends `command` with `arguments` and returns the handle of its response.
    pub async fn send(&self, command: &str, arguments: Value) -> Result<PendingResponse, DapError> {
        let seq = self.next_seq.fetch_add(1, Ordering::SeqCst);
        let mut request = json!({"seq": seq, "type": "request", "command": command});
        if !arguments.is_null() {
            request["arguments"] = arguments;
        }
        let (sender, receiver) = oneshot::channel();
        lock(&self.pending).insert(seq, sender);
        let body = request.to_string();
        tracing::trace!(%body, "dap request");
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        let written = self.writer.lock().await.write_all(frame.as_bytes()).await;
        if let Err(error) = written {
            lock(&self.pending).remove(&seq);
            return Err(DapError::Send(error));
        }
        Ok(PendingResponse {
            command: command.to_string(),
            seq,
            pending: Arc::clone(&self.pending),
            receiver,
        })
    }

    /// Sends `command` and waits for its response.
    pub async fn request(&self, command: &str, arguments: Value) -> Result<Value, DapError> {
        self.send(command, arguments).await?.wait().await
    }
}

impl Drop for DapClient {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}

async fn read_messages(stream: OwnedReadHalf, pending: Pending, events: UnboundedSender<Value>) {
    let mut reader = BufReader::new(stream);
    loop {
        let message = match read_frame(&mut reader).await {
            Ok(Some(message)) => message,
            Ok(None) => {
                tracing::info!("the debug adapter closed the connection");
                break;
            }
            Err(error) => {
                tracing::warn!(%error, "invalid message from the debug adapter");
                break;
            }
        };
        tracing::trace!(%message, "dap message");
        match message["type"].as_str() {
            Some("response") => {
                let waiter = message["request_seq"]
                    .as_i64()
                    .and_then(|seq| lock(&pending).remove(&seq));
                match waiter {
                    Some(waiter) => {
                        let _ = waiter.send(message);
                    }
                    None => tracing::debug!(
                        request_seq = %message["request_seq"],
                        "dropped a debug adapter response with no pending request"
                    ),
                }
            }
            Some("event") => {
                if events.send(message).is_err() {
                    break;
                }
            }
            _ => tracing::debug!(
                message_type = %message["type"],
                "ignored a debug adapter message that is neither a response nor an event"
            ),
        }
    }
    // Dropping the waiters ends their requests with `DapError::Closed`.
    lock(&pending).clear();
}

/// Reads one `Content-Length` framed JSON message. Returns `None` at the end of the stream.
async fn read_frame(reader: &mut BufReader<OwnedReadHalf>) -> std::io::Result<Option<Value>> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(None);
        }
        let line = line.trim_end();
        if line.is_empty() {
            if length.is_some() {
                break;
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let length = length.unwrap_or_default();
    if length > MAX_FRAME_BYTES {
        return Err(invalid(format!(
            "message of {length} bytes is larger than the maximum of {MAX_FRAME_BYTES}"
        )));
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await?;
    serde_json::from_slice(&body)
        .map(Some)
        .map_err(|e| invalid(e.to_string()))
}

fn invalid(message: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, message)
}
