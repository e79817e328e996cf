//! The chat-completions client: one request with `"stream": true`, read as server-sent
//! events, with timeouts, retries and the reply cache around it.

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderValue, RETRY_AFTER};
use tracing::{debug, trace, warn};

use super::cache::Cache;
use super::config::LlmConfig;
use super::retry;

/// Maximum number of characters of an error body quoted in a message.
const MAX_ERROR_BODY: usize = 500;

/// One chat message, as the chat-completions API names its fields.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Message {
    /// `system`, `user` or `assistant`.
    pub role: String,
    /// The text.
    pub content: String,
}

impl Message {
    /// A `system` message.
    pub fn system(content: impl Into<String>) -> Self {
        Message {
            role: "system".into(),
            content: content.into(),
        }
    }

    /// A `user` message.
    pub fn user(content: impl Into<String>) -> Self {
        Message {
            role: "user".into(),
            content: content.into(),
        }
    }

    /// An `assistant` message, for a reply sent back with feedback.
    pub fn assistant(content: impl Into<String>) -> Self {
        Message {
            role: "assistant".into(),
            content: content.into(),
        }
    }
}

/// A request to the model that failed for good. Messages have the API key redacted.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    /// The default server needs a key and none is set.
    #[error(
        "no API key for {url}: set OPENAI_API_KEY (or name another variable with \
         [llm] api_key_env in hexa.toml), or point HEXA_LLM_BASE_URL at a local server"
    )]
    MissingKey {
        /// The API root.
        url: String,
    },
    /// The server returned an error status.
    #[error("{url}: HTTP {status} after {attempts} attempt(s): {message}")]
    Http {
        /// The endpoint.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// The server's error message, shortened and redacted.
        message: String,
        /// Attempts made.
        attempts: u32,
    },
    /// No connection, a timeout, or a stream cut short, on every attempt.
    #[error("{url}: {message} after {attempts} attempt(s)")]
    Transport {
        /// The endpoint.
        url: String,
        /// What failed, such as "request timed out".
        message: String,
        /// Attempts made.
        attempts: u32,
    },
    /// The reply was not chat-completions JSON or server-sent events.
    #[error("{url}: invalid response: {message}")]
    InvalidResponse {
        /// The endpoint.
        url: String,
        /// What was wrong with it.
        message: String,
    },
    /// The client could not be built (no TLS provider, invalid settings).
    #[error("failed to set up the HTTP client: {0}")]
    Setup(String),
}

/// A failed attempt and whether another one may succeed.
struct Failure {
    error: LlmError,
    retryable: bool,
    retry_after: Option<Duration>,
}

/// A client for an OpenAI-compatible `/chat/completions` endpoint.
pub struct ChatClient {
    config: LlmConfig,
    http: reqwest::Client,
    cache: Option<Cache>,
}

impl ChatClient {
    /// Builds a client; `cache` is `None` for `--no-cache`.
    pub fn new(config: LlmConfig, cache: Option<Cache>) -> Result<Self, LlmError> {
        if config.api_key.is_none() && config.base_url == super::config::DEFAULT_BASE_URL {
            return Err(LlmError::MissingKey {
                url: config.base_url.clone(),
            });
        }
        // reqwest is built without a bundled crypto provider; ring is installed here. An
        // error only means a provider is installed already.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .user_agent(concat!("hexa/", env!("CARGO_PKG_VERSION")));
        if is_loopback(&config.base_url) {
            // A proxy from the environment must not see traffic meant for this machine.
            builder = builder.no_proxy();
        }
        let http = builder
            .build()
            .map_err(|e| LlmError::Setup(config.redact(&e.to_string())))?;
        Ok(ChatClient {
            config,
            http,
            cache,
        })
    }

    /// Sends `messages` and returns the reply text, from the cache when the same model was
    /// sent the same messages before.
    pub async fn complete(&self, messages: &[Message]) -> Result<String, LlmError> {
        let key = Cache::key(&self.config.model, messages);
        if let Some(reply) = self.cache.as_ref().and_then(|cache| cache.get(&key)) {
            debug!(key = %key, "model reply from the cache");
            return Ok(reply);
        }
        let reply = self.send_with_retries(messages).await?;
        if let Some(cache) = &self.cache
            && let Err(error) = cache.put(&key, &self.config.model, &reply)
        {
            warn!(dir = %cache.dir().display(), %error, "failed to write the reply cache");
        }
        Ok(reply)
    }

    async fn send_with_retries(&self, messages: &[Message]) -> Result<String, LlmError> {
        let mut waited = Duration::ZERO;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let failure = match self.send_once(messages, attempt).await {
                Ok(reply) => return Ok(reply),
                Err(failure) => failure,
            };
            if !failure.retryable || attempt > self.config.retries {
                return Err(failure.error);
            }
            let wait = retry::delay(self.config.backoff, attempt - 1, failure.retry_after);
            if waited + wait > retry::MAX_TOTAL_DELAY {
                warn!(attempt, "giving up: the retry time budget is spent");
                return Err(failure.error);
            }
            warn!(
                attempt,
                wait_ms = wait.as_millis() as u64,
                error = %failure.error,
                "model request failed; retrying"
            );
            tokio::time::sleep(wait).await;
            waited += wait;
        }
    }

    async fn send_once(&self, messages: &[Message], attempts: u32) -> Result<String, Failure> {
        let url = self.config.endpoint();
        let body = serde_json::json!({
            "model": self.config.model,
            "messages": messages,
            "stream": true,
        });
        trace!(%url, body = %body, "model request");
        let mut request = self.http.post(&url).json(&body);
        if let Some(key) = &self.config.api_key {
            let mut value =
                HeaderValue::from_str(&format!("Bearer {}", key.expose())).map_err(|_| {
                    Failure {
                        error: LlmError::Setup("the API key contains invalid characters".into()),
                        retryable: false,
                        retry_after: None,
                    }
                })?;
            value.set_sensitive(true);
            request = request.header(AUTHORIZATION, value);
        }
        let response = request
            .send()
            .await
            .map_err(|e| self.transport_failure(&e, attempts))?;
        let status = response.status();
        if !status.is_success() {
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(retry::parse_retry_after);
            let text = response.text().await.unwrap_or_default();
            return Err(Failure {
                error: LlmError::Http {
                    url,
                    status: status.as_u16(),
                    message: self.config.redact(&error_message(&text)),
                    attempts,
                },
                retryable: retry::is_retryable_status(status.as_u16()),
                retry_after,
            });
        }
        let is_stream = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        if is_stream {
            self.read_stream(response, attempts).await
        } else {
            // Some local servers ignore `"stream": true` and send one JSON object.
            let text = response
                .text()
                .await
                .map_err(|e| self.transport_failure(&e, attempts))?;
            self.parse_whole(&text)
        }
    }

    async fn read_stream(
        &self,
        mut response: reqwest::Response,
        attempts: u32,
    ) -> Result<String, Failure> {
        let mut events = SseReader::default();
        loop {
            match response.chunk().await {
                Ok(Some(bytes)) => {
                    events
                        .feed(&bytes)
                        .map_err(|message| self.invalid(message))?;
                    if events.done {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => return Err(self.transport_failure(&e, attempts)),
            }
        }
        if !events.done {
            return Err(Failure {
                error: LlmError::Transport {
                    url: self.config.endpoint(),
                    message: "the reply stream ended before `data: [DONE]`".into(),
                    attempts,
                },
                retryable: true,
                retry_after: None,
            });
        }
        trace!(reply = %events.content, "model reply");
        Ok(events.content)
    }

    fn parse_whole(&self, text: &str) -> Result<String, Failure> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| self.invalid(format!("the body is not JSON: {e}")))?;
        value
            .pointer("/choices/0/message/content")
            .and_then(|c| c.as_str())
            .map(str::to_string)
            .ok_or_else(|| self.invalid("no `choices[0].message.content` in the reply".into()))
    }

    fn invalid(&self, message: String) -> Failure {
        Failure {
            error: LlmError::InvalidResponse {
                url: self.config.endpoint(),
                message: self.config.redact(&message),
            },
            retryable: false,
            retry_after: None,
        }
    }

    fn transport_failure(&self, error: &reqwest::Error, attempts: u32) -> Failure {
        let message = if error.is_timeout() {
            "request timed out".to_string()
        } else if error.is_connect() {
            format!("connection failed: {}", error_chain(error))
        } else {
            format!("request failed: {}", error_chain(error))
        };
        Failure {
            error: LlmError::Transport {
                url: self.config.endpoint(),
                message: self.config.redact(&message),
                attempts,
            },
            retryable: true,
            retry_after: None,
        }
    }
}

/// Reads server-sent events as the chat-completions stream sends them: `data: {json}` lines
/// with `choices[0].delta.content`, ended by `data: [DONE]`.
#[derive(Debug, Default)]
pub struct SseReader {
    pending: Vec<u8>,
    /// The text of all deltas so far.
    pub content: String,
    /// True once `data: [DONE]` arrived.
    pub done: bool,
}

impl SseReader {
    /// Consumes a chunk of the body; returns an error message for an invalid event or an
    /// error event.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.pending.extend_from_slice(bytes);
        while let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\n', '\r']);
            let Some(data) = line.strip_prefix("data:") else {
                // Blank separators, `event:`, `id:` and `:` comment lines carry no text.
                continue;
            };
            let data = data.trim();
            if data == "[DONE]" {
                self.done = true;
                return Ok(());
            }
            let event: serde_json::Value = serde_json::from_str(data)
                .map_err(|e| format!("invalid JSON in a stream event: {e}"))?;
            if let Some(error) = event.get("error") {
                return Err(format!("error event in the stream: {}", error_text(error)));
            }
            if let Some(text) = event
                .pointer("/choices/0/delta/content")
                .and_then(|c| c.as_str())
            {
                self.content.push_str(text);
            }
        }
        Ok(())
    }
}

/// Returns the `error.message` of an OpenAI-style error body, else the body itself, shortened.
fn error_message(body: &str) -> String {
    let message = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("error").map(error_text))
        .unwrap_or_else(|| body.trim().to_string());
    if message.is_empty() {
        return "empty response body".into();
    }
    match message.char_indices().nth(MAX_ERROR_BODY) {
        Some((cut, _)) => format!("{}…", &message[..cut]),
        None => message,
    }
}

fn error_text(error: &serde_json::Value) -> String {
    match error.get("message").and_then(|m| m.as_str()) {
        Some(message) => message.to_string(),
        None => error.to_string(),
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn is_loopback(base_url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(base_url) else {
        return false;
    };
    match url.host_str() {
        Some("localhost") => true,
        Some(host) => host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sse_reader_joins_deltas_across_chunks() {
        let mut reader = SseReader::default();
        let body = "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n\
                    data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n\
                    : keep-alive\n\
                    data: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\r\n\r\n\
                    data: [DONE]\n\n";
        for chunk in body.as_bytes().chunks(7) {
            reader.feed(chunk).expect("valid events");
        }
        assert!(reader.done);
        assert_eq!(reader.content, "Hello");
    }

    #[test]
    fn sse_reader_reports_error_events() {
        let mut reader = SseReader::default();
        let error = reader
            .feed(b"data: {\"error\":{\"message\":\"overloaded\"}}\n")
            .expect_err("error event");
        assert!(error.contains("overloaded"), "{error}");
    }

    #[test]
    fn error_message_prefers_error_field() {
        assert_eq!(
            error_message("{\"error\":{\"message\":\"bad key\"}}"),
            "bad key"
        );
        assert_eq!(error_message("  plain text "), "plain text");
        assert_eq!(error_message(""), "empty response body");
    }

    #[test]
    fn loopback_detection() {
        assert!(is_loopback("http://127.0.0.1:8080/v1"));
        assert!(is_loopback("http://localhost:11434/v1"));
        assert!(!is_loopback("https://api.openai.com/v1"));
    }
}
