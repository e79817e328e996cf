//! Jupyter messaging protocol 5.3 as serde types, named as the specification names them.
//!
//! Nothing here touches a socket: [`crate::wire`] turns a [`Message`] into signed zeromq frames
//! and back.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The protocol version this kernel speaks.
pub const PROTOCOL_VERSION: &str = "5.3";

/// A message header.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Header {
    /// Unique id of the message.
    pub msg_id: String,
    /// Id of the session that sent the message.
    #[serde(default)]
    pub session: String,
    /// User name of the sender.
    #[serde(default)]
    pub username: String,
    /// ISO 8601 time the message was created.
    #[serde(default)]
    pub date: String,
    /// Message type, for example `execute_request`.
    pub msg_type: String,
    /// Protocol version of the sender.
    #[serde(default)]
    pub version: String,
}

impl Header {
    /// Creates a header for a new message of `msg_type` in `session`.
    pub fn new(msg_type: &str, session: &str) -> Self {
        Self {
            msg_id: uuid::Uuid::new_v4().to_string(),
            session: session.to_string(),
            username: "hexa".to_string(),
            date: iso8601_now(),
            msg_type: msg_type.to_string(),
            version: PROTOCOL_VERSION.to_string(),
        }
    }
}

/// A whole message: routing identities, the four JSON parts and the binary buffers.
#[derive(Debug, Clone)]
pub struct Message {
    /// ROUTER identities that come before the `<IDS|MSG>` delimiter.
    pub identities: Vec<bytes::Bytes>,
    /// This message's header.
    pub header: Header,
    /// Header of the request this message answers, or an empty object.
    pub parent_header: Value,
    /// Free-form metadata.
    pub metadata: Value,
    /// The message type's content.
    pub content: Value,
    /// Extra binary buffers.
    pub buffers: Vec<bytes::Bytes>,
}

impl Message {
    /// Creates a message of `msg_type` with `content`, answering `parent` if given.
    pub fn new(msg_type: &str, content: Value, parent: Option<&Message>, session: &str) -> Self {
        let (identities, parent_header) = match parent {
            Some(parent) => (
                parent.identities.clone(),
                serde_json::to_value(&parent.header).unwrap_or_default(),
            ),
            None => (Vec::new(), Value::Object(Map::new())),
        };
        Self {
            identities,
            header: Header::new(msg_type, session),
            parent_header,
            metadata: Value::Object(Map::new()),
            content,
            buffers: Vec::new(),
        }
    }

    /// Returns the message type from the header.
    pub fn msg_type(&self) -> &str {
        &self.header.msg_type
    }

    /// Reads the content as the typed request `T`.
    pub fn parse_content<T: for<'de> Deserialize<'de>>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_value(self.content.clone())
    }
}

/// Formats the current UTC time as ISO 8601 with microseconds.
fn iso8601_now() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let seconds = now.as_secs();
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        now.subsec_micros()
    )
}

/// Converts days since 1970-01-01 to a (year, month, day) date in the proleptic Gregorian
/// calendar (Howard Hinnant's `civil_from_days` algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `execute_request` content.
#[derive(Debug, Clone, Deserialize)]
pub struct ExecuteRequest {
    /// Source code of the cell.
    pub code: String,
    /// Run without broadcasting output or storing history.
    #[serde(default)]
    pub silent: bool,
    /// Store the cell in history and increase the execution count.
    #[serde(default = "default_true")]
    pub store_history: bool,
    /// Expressions evaluated after the cell, by name.
    #[serde(default)]
    pub user_expressions: Map<String, Value>,
    /// Whether the frontend accepts `input_request` messages.
    #[serde(default = "default_true")]
    pub allow_stdin: bool,
    /// Abort the queued execute requests when this one fails.
    #[serde(default = "default_true")]
    pub stop_on_error: bool,
}

fn default_true() -> bool {
    true
}

/// `complete_request` content.
#[derive(Debug, Clone, Deserialize)]
pub struct CompleteRequest {
    /// The cell's code.
    pub code: String,
    /// Cursor position in Unicode code points.
    pub cursor_pos: usize,
}

/// `inspect_request` content.
#[derive(Debug, Clone, Deserialize)]
pub struct InspectRequest {
    /// The cell's code.
    pub code: String,
    /// Cursor position in Unicode code points.
    pub cursor_pos: usize,
    /// 0 for the docstring, 1 to add the source.
    #[serde(default)]
    pub detail_level: u8,
}

/// `is_complete_request` content.
#[derive(Debug, Clone, Deserialize)]
pub struct IsCompleteRequest {
    /// The code typed so far.
    pub code: String,
}

/// `history_request` content.
#[derive(Debug, Clone, Deserialize)]
pub struct HistoryRequest {
    /// Return outputs too.
    #[serde(default)]
    pub output: bool,
    /// `range`, `tail` or `search`.
    #[serde(default)]
    pub hist_access_type: String,
    /// Session of a `range` request.
    #[serde(default)]
    pub session: i64,
    /// First line of a `range` request.
    #[serde(default)]
    pub start: i64,
    /// Line after the last one of a `range` request.
    #[serde(default)]
    pub stop: i64,
    /// Number of entries of a `tail` or `search` request.
    #[serde(default)]
    pub n: i64,
    /// Glob pattern of a `search` request.
    #[serde(default)]
    pub pattern: String,
    /// Drop duplicate inputs from a `search` result.
    #[serde(default)]
    pub unique: bool,
}

/// `shutdown_request` content.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ShutdownRequest {
    /// Whether the client will start the kernel again.
    #[serde(default)]
    pub restart: bool,
}

/// `input_reply` content.
#[derive(Debug, Clone, Deserialize)]
pub struct InputReply {
    /// The text the user typed.
    #[serde(default)]
    pub value: String,
}

/// `execute_reply` content when the cell ran.
#[derive(Debug, Clone, Serialize)]
pub struct ExecuteReply {
    /// `ok`, `error` or `aborted`.
    pub status: String,
    /// The execution count of the cell.
    pub execution_count: u64,
    /// Results of the request's `user_expressions`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_expressions: Option<Value>,
    /// Payloads for the client; only `ask_exit`, from `exit()` and `quit()`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<Vec<Value>>,
    /// Exception name when `status` is `error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ename: Option<String>,
    /// Exception value when `status` is `error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evalue: Option<String>,
    /// Traceback lines when `status` is `error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traceback: Option<Vec<String>>,
}

/// `status` content on iopub.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// `busy`, `idle` or `starting`.
    pub execution_state: &'static str,
}

/// `execute_input` content on iopub.
#[derive(Debug, Clone, Serialize)]
pub struct ExecuteInput {
    /// The code being run.
    pub code: String,
    /// Its execution count.
    pub execution_count: u64,
}

/// `stream` content on iopub.
#[derive(Debug, Clone, Serialize)]
pub struct StreamContent {
    /// `stdout` or `stderr`.
    pub name: String,
    /// The text written.
    pub text: String,
}

/// `display_data` and `update_display_data` content on iopub.
#[derive(Debug, Clone, Serialize)]
pub struct DisplayData {
    /// MIME type to representation.
    pub data: Value,
    /// Metadata per MIME type.
    pub metadata: Value,
    /// Data not stored in the notebook, such as the `display_id`.
    pub transient: Value,
}

/// `execute_result` content on iopub.
#[derive(Debug, Clone, Serialize)]
pub struct ExecuteResult {
    /// The execution count of the cell.
    pub execution_count: u64,
    /// MIME type to representation.
    pub data: Value,
    /// Metadata per MIME type.
    pub metadata: Value,
}

/// `clear_output` content on iopub.
#[derive(Debug, Clone, Serialize)]
pub struct ClearOutput {
    /// Wait until new output arrives before clearing.
    pub wait: bool,
}

/// `input_request` content on stdin.
#[derive(Debug, Clone, Serialize)]
pub struct InputRequest {
    /// Text shown before the input field.
    pub prompt: String,
    /// Hide what the user types.
    pub password: bool,
}

/// `interrupt_reply` and other replies that carry only a status.
#[derive(Debug, Clone, Serialize)]
pub struct StatusReply {
    /// `ok` or `error`.
    pub status: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_are_gregorian() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }

    #[test]
    fn execute_request_defaults() {
        let request: ExecuteRequest = serde_json::from_str(r#"{"code":"1"}"#).expect("valid");
        assert!(request.store_history);
        assert!(request.allow_stdin);
        assert!(!request.silent);
    }
}
