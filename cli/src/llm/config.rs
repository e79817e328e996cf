//! Where the language-model settings come from: environment variables first, then the
//! `[llm]` table of the nearest `hexa.toml` (the current folder or a parent), then defaults.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};

/// OpenAI's chat API, used when neither `HEXA_LLM_BASE_URL` nor `hexa.toml` names a server.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

/// The model used when neither `HEXA_LLM_MODEL` nor `hexa.toml` names one.
pub const DEFAULT_MODEL: &str = "gpt-4o-mini";

/// The variable the API key is read from unless `[llm] api_key_env` names another.
pub const DEFAULT_KEY_VARIABLE: &str = "OPENAI_API_KEY";

const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(60);
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_RETRIES: u32 = 4;
const DEFAULT_BACKOFF: Duration = Duration::from_millis(500);

/// An API key. It has no `Display`, and `Debug` prints `[redacted]`, so formatting it into a
/// log line or an error message cannot leak the key.
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    /// Returns the key itself, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Replaces every occurrence of the key in `text` with `[redacted]`.
    pub fn redact(&self, text: &str) -> String {
        if self.0.is_empty() {
            return text.to_string();
        }
        text.replace(&self.0, "[redacted]")
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Settings for talking to an OpenAI-compatible chat-completions server.
#[derive(Debug, Clone)]
pub struct LlmConfig {
    /// The API root, such as `https://api.openai.com/v1`; `/chat/completions` is appended.
    pub base_url: String,
    /// The model name sent with every request.
    pub model: String,
    /// The bearer token; `None` for local servers that need none.
    pub api_key: Option<ApiKey>,
    /// Maximum wait for the TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// Maximum wait for each read from the server, so a stalled stream fails.
    pub read_timeout: Duration,
    /// Retries after the first attempt on 429, 5xx, timeouts and connection errors.
    pub retries: u32,
    /// The first backoff delay; each retry doubles it, plus jitter.
    pub backoff: Duration,
    /// The `hexa.toml` the settings were read from, if any.
    pub file: Option<PathBuf>,
}

/// The `[llm]` table of `hexa.toml`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct LlmTable {
    base_url: Option<String>,
    model: Option<String>,
    api_key_env: Option<String>,
    /// Read timeout in seconds.
    timeout: Option<f64>,
    retries: Option<u32>,
    /// Rejected with an explanation: a key in a project file tends to get committed.
    api_key: Option<toml::Value>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct HexaToml {
    llm: Option<LlmTable>,
}

impl LlmConfig {
    /// Reads the settings from the process environment and the nearest `hexa.toml`.
    pub fn load() -> anyhow::Result<Self> {
        let cwd = std::env::current_dir().context("failed to read the current folder")?;
        Self::load_from(&cwd, |name| std::env::var(name).ok())
    }

    /// Reads the settings with `env` as the environment, searching `hexa.toml` from `dir` up.
    pub fn load_from(dir: &Path, env: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let file = find_hexa_toml(dir);
        let table = match &file {
            Some(path) => read_table(path)?,
            None => LlmTable::default(),
        };
        if table.api_key.is_some() {
            let name = file.as_deref().map(Path::display);
            bail!(
                "{}: [llm] api_key is not supported, so that the key never sits in a project file; \
                 set {DEFAULT_KEY_VARIABLE}, or name another variable with api_key_env",
                name.map(|n| n.to_string()).unwrap_or_default()
            );
        }
        let nonempty = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let key_variable = table
            .api_key_env
            .clone()
            .unwrap_or_else(|| DEFAULT_KEY_VARIABLE.to_string());
        let base_url = nonempty("HEXA_LLM_BASE_URL")
            .or(table.base_url)
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_string());
        let read_timeout = match nonempty("HEXA_LLM_TIMEOUT") {
            Some(text) => seconds(&text).context("invalid HEXA_LLM_TIMEOUT")?,
            None => match table.timeout {
                Some(value) => seconds(&value.to_string()).context("invalid [llm] timeout")?,
                None => DEFAULT_READ_TIMEOUT,
            },
        };
        let retries = match nonempty("HEXA_LLM_RETRIES") {
            Some(text) => text.trim().parse().with_context(|| {
                format!("invalid HEXA_LLM_RETRIES `{text}`: expected a whole number")
            })?,
            None => table.retries.unwrap_or(DEFAULT_RETRIES),
        };
        let backoff = match nonempty("HEXA_LLM_BACKOFF_MS") {
            Some(text) => Duration::from_millis(text.trim().parse().with_context(|| {
                format!("invalid HEXA_LLM_BACKOFF_MS `{text}`: expected milliseconds")
            })?),
            None => DEFAULT_BACKOFF,
        };
        Ok(LlmConfig {
            base_url: base_url.trim_end_matches('/').to_string(),
            model: nonempty("HEXA_LLM_MODEL")
                .or(table.model)
                .unwrap_or_else(|| DEFAULT_MODEL.to_string()),
            api_key: nonempty(&key_variable).map(|key| ApiKey(key.trim().to_string())),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT.min(read_timeout),
            read_timeout,
            retries,
            backoff,
            file,
        })
    }

    /// Returns the full URL of the chat-completions endpoint.
    pub fn endpoint(&self) -> String {
        format!("{}/chat/completions", self.base_url)
    }

    /// Removes the API key from `text`, for anything shown to the user or logged.
    pub fn redact(&self, text: &str) -> String {
        match &self.api_key {
            Some(key) => key.redact(text),
            None => text.to_string(),
        }
    }
}

/// Returns whether an API key is configured, for `hexa doctor`; an unreadable `hexa.toml`
/// counts as "not set".
pub fn key_is_set() -> bool {
    LlmConfig::load().is_ok_and(|config| config.api_key.is_some())
}

fn seconds(text: &str) -> anyhow::Result<Duration> {
    let value: f64 = text
        .trim()
        .parse()
        .with_context(|| format!("`{text}` is not a number of seconds"))?;
    if !(value.is_finite() && value > 0.0 && value <= 3600.0) {
        bail!("`{text}` is out of range: expected seconds between 0 and 3600");
    }
    Ok(Duration::from_secs_f64(value))
}

fn find_hexa_toml(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join("hexa.toml"))
        .find(|path| path.is_file())
}

fn read_table(path: &Path) -> anyhow::Result<LlmTable> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("failed to read {}", path.display()))?;
    // Only the message, not the error's quoted source line, which could hold a secret.
    let parsed: HexaToml = toml::from_str(&text)
        .map_err(|e| anyhow::anyhow!("invalid {}: {}", path.display(), e.message().trim()))?;
    Ok(parsed.llm.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn defaults_without_env_or_file() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let config = LlmConfig::load_from(dir.path(), env_of(&[])).expect("defaults load");
        assert_eq!(config.base_url, DEFAULT_BASE_URL);
        assert_eq!(config.model, DEFAULT_MODEL);
        assert!(config.api_key.is_none());
    }

    #[test]
    fn env_overrides_hexa_toml() {
        let dir = tempfile::tempdir().expect("temporary folder");
        std::fs::write(
            dir.path().join("hexa.toml"),
            "[llm]\nbase_url = \"http://127.0.0.1:1/v1/\"\nmodel = \"from-file\"\n\
             api_key_env = \"MY_KEY\"\ntimeout = 2.5\nretries = 1\n",
        )
        .expect("write hexa.toml");
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).expect("create sub folder");
        let config = LlmConfig::load_from(
            &sub,
            env_of(&[("HEXA_LLM_MODEL", "from-env"), ("MY_KEY", "sk-abc")]),
        )
        .expect("config loads");
        assert_eq!(config.base_url, "http://127.0.0.1:1/v1");
        assert_eq!(config.model, "from-env");
        assert_eq!(config.read_timeout, Duration::from_millis(2500));
        assert_eq!(config.retries, 1);
        assert_eq!(config.api_key.as_ref().map(ApiKey::expose), Some("sk-abc"));
    }

    #[test]
    fn api_key_in_file_is_rejected() {
        let dir = tempfile::tempdir().expect("temporary folder");
        std::fs::write(
            dir.path().join("hexa.toml"),
            "[llm]\napi_key = \"sk-secret\"\n",
        )
        .expect("write hexa.toml");
        let error = LlmConfig::load_from(dir.path(), env_of(&[])).expect_err("must fail");
        let message = format!("{error:#}");
        assert!(message.contains("api_key is not supported"), "{message}");
        assert!(!message.contains("sk-secret"), "{message}");
    }

    #[test]
    fn key_debug_is_redacted() {
        let key = ApiKey("sk-hidden".into());
        assert_eq!(format!("{key:?}"), "[redacted]");
        assert_eq!(key.redact("a sk-hidden b"), "a [redacted] b");
    }
}
