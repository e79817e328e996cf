//! A content-addressed cache of model replies under `$XDG_CACHE_HOME/hexa/llm` (by default
//! `~/.cache/hexa/llm`): one JSON file per request, named by the SHA-256 of the model and the
//! messages, so a repeated request costs nothing. The API key is never part of an entry.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::client::Message;

/// The on-disk cache of replies.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Entry {
    model: String,
    reply: String,
}

impl Cache {
    /// Opens the cache in the standard place; `None` when neither `XDG_CACHE_HOME` nor
    /// `HOME` is set.
    pub fn open_default() -> Option<Self> {
        let root = std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|v| !v.is_empty())
                    .map(|home| PathBuf::from(home).join(".cache"))
            })?;
        Some(Cache::at(root.join("hexa").join("llm")))
    }

    /// Opens a cache in `dir`.
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        Cache { dir: dir.into() }
    }

    /// Returns the cache key of a request: the hex SHA-256 of the model and the messages.
    pub fn key(model: &str, messages: &[Message]) -> String {
        let request = serde_json::json!({ "model": model, "messages": messages });
        hex::encode(Sha256::digest(request.to_string().as_bytes()))
    }

    /// Returns the stored reply for `key`, if any; an unreadable entry counts as a miss.
    pub fn get(&self, key: &str) -> Option<String> {
        let text = std::fs::read_to_string(self.path(key)).ok()?;
        let entry: Entry = serde_json::from_str(&text).ok()?;
        Some(entry.reply)
    }

    /// Stores `reply` under `key` through a temporary file and a rename, so a reader never
    /// sees half an entry.
    pub fn put(&self, key: &str, model: &str, reply: &str) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let entry = Entry {
            model: model.to_string(),
            reply: reply.to_string(),
        };
        let text = serde_json::to_string(&entry).map_err(std::io::Error::other)?;
        let mut temp = tempfile::Builder::new()
            .prefix(".entry-")
            .suffix(".tmp")
            .tempfile_in(&self.dir)?;
        temp.write_all(text.as_bytes())?;
        temp.as_file().sync_all()?;
        temp.persist(self.path(key)).map_err(|e| e.error)?;
        Ok(())
    }

    /// The folder the entries live in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_key_depends_on_model() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let cache = Cache::at(dir.path().join("llm"));
        let messages = vec![Message::user("hello")];
        let key = Cache::key("m1", &messages);
        assert_ne!(key, Cache::key("m2", &messages));
        assert_eq!(cache.get(&key), None);
        cache.put(&key, "m1", "reply").expect("cache write");
        assert_eq!(cache.get(&key).as_deref(), Some("reply"));
    }
}
