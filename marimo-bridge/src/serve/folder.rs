//! The notebooks folder: generated notebooks under timestamped names that never collide, and
//! `.hexa-index.json`, which records where each notebook came from and which server serves
//! the folder.
//!
//! **The folder is the source of truth**: the notebooks are the `.py` files in it, and the
//! index only adds what a file cannot say. Every change to the index happens under an
//! exclusive lock on `.hexa-index.lock` and is written through a temporary file and a rename.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::ServeError;

/// Name of the index file inside the notebooks folder.
pub const INDEX_FILE: &str = ".hexa-index.json";

const LOCK_FILE: &str = ".hexa-index.lock";

/// Version of the index format this code writes.
const INDEX_VERSION: u32 = 1;

/// The flowchart a notebook was generated from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The flowchart file as an absolute path, or `-` for stdin.
    pub path: PathBuf,
    /// [`content_hash`] of the flowchart text.
    pub hash: String,
}

/// One notebook recorded in the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// The file name inside the folder.
    pub file: String,
    /// The flowchart it came from.
    pub flowchart: Option<Origin>,
    /// When hexa wrote it, as UTC `YYYY-MM-DDTHH:MM:SSZ`.
    pub created: String,
}

/// The `marimo edit` server that serves the folder, as the `hexa serve` running it recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerRecord {
    /// Process id of the `hexa` that supervises marimo.
    pub pid: u32,
    /// Process id of marimo, which is also its process group id.
    pub marimo_pid: u32,
    /// The port on 127.0.0.1.
    pub port: u16,
    /// The access token; the index file is readable by its owner only because of it.
    pub token: String,
}

/// The contents of `.hexa-index.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    /// Format version.
    pub version: u32,
    /// The notebooks hexa generated into the folder, sorted by file name.
    pub notebooks: Vec<IndexEntry>,
    /// The running server, if one was started.
    pub server: Option<ServerRecord>,
}

impl Default for Index {
    fn default() -> Self {
        Self {
            version: INDEX_VERSION,
            notebooks: Vec::new(),
            server: None,
        }
    }
}

/// A notebook in the folder, with its origin when the index records one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notebook {
    /// The file name inside the folder.
    pub file: String,
    /// The index entry for the file, when hexa generated it.
    pub entry: Option<IndexEntry>,
}

/// A folder of notebooks with its index.
#[derive(Debug, Clone)]
pub struct NotebookFolder {
    dir: PathBuf,
}

/// The exclusive lock on the index; it is released when dropped.
#[derive(Debug)]
pub struct IndexLock {
    _file: File,
}

impl NotebookFolder {
    /// Opens `dir`, creating it when it does not exist, and makes the path absolute.
    pub fn open(dir: &Path) -> Result<Self, ServeError> {
        std::fs::create_dir_all(dir).map_err(|e| ServeError::io(dir, "create", e))?;
        let dir = dir
            .canonicalize()
            .map_err(|e| ServeError::io(dir, "resolve", e))?;
        if !dir.is_dir() {
            return Err(ServeError::NotADirectory(dir));
        }
        Ok(Self { dir })
    }

    /// Returns the folder's absolute path.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Takes the exclusive lock on the index, waiting for other hexa processes to release it.
    pub fn lock(&self) -> Result<IndexLock, ServeError> {
        let path = self.dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| ServeError::io(&path, "open", e))?;
        file.lock().map_err(|e| ServeError::io(&path, "lock", e))?;
        Ok(IndexLock { _file: file })
    }

    /// Reads the index. A missing file is an empty index; an unreadable one is logged and
    /// treated as empty, because the notebooks themselves are still in the folder.
    pub fn read_index(&self, _lock: &IndexLock) -> Index {
        let path = self.dir.join(INDEX_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Index::default(),
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "failed to read the index; starting a new one");
                return Index::default();
            }
        };
        match serde_json::from_str(&text) {
            Ok(index) => index,
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "invalid index; starting a new one");
                Index::default()
            }
        }
    }

    /// Writes the index atomically, readable by the owner only because it stores the token.
    pub fn write_index(&self, _lock: &IndexLock, index: &Index) -> Result<(), ServeError> {
        let path = self.dir.join(INDEX_FILE);
        let mut text = serde_json::to_string_pretty(index)
            .map_err(|e| ServeError::Index(format!("failed to encode the index: {e}")))?;
        text.push('\n');
        let mut temp = self.temp_file(".hexa-index-")?;
        let fail = |e: std::io::Error| ServeError::io(&path, "write", e);
        temp.write_all(text.as_bytes()).map_err(fail)?;
        temp.as_file().sync_all().map_err(fail)?;
        temp.persist(&path).map_err(|e| fail(e.error))?;
        Ok(())
    }

    /// Applies `change` to the index under the lock and writes it back.
    pub fn update_index<T>(&self, change: impl FnOnce(&mut Index) -> T) -> Result<T, ServeError> {
        let lock = self.lock()?;
        let mut index = self.read_index(&lock);
        let result = change(&mut index);
        self.write_index(&lock, &index)?;
        Ok(result)
    }

    /// Writes `text` as a new notebook named `STEM-YYYYMMDD-HHMMSS.py` and records it.
    ///
    /// When that name exists, `-2`, `-3`, ... is appended. The file is created with a
    /// no-clobber rename, so two processes never write the same name.
    pub fn add_notebook(
        &self,
        stem: &str,
        text: &str,
        origin: Option<Origin>,
    ) -> Result<String, ServeError> {
        let now = utc_now();
        let base = format!("{}-{}", sanitize_stem(stem), now.compact());
        let mut temp = self.temp_file(".hexa-notebook-")?;
        let temp_path = temp.path().to_path_buf();
        let fail = |e: std::io::Error| ServeError::io(&temp_path, "write", e);
        temp.write_all(text.as_bytes()).map_err(fail)?;
        let permissions = std::os::unix::fs::PermissionsExt::from_mode(0o644);
        temp.as_file().set_permissions(permissions).map_err(fail)?;
        temp.as_file().sync_all().map_err(fail)?;

        let mut attempt = 1;
        let file = loop {
            let name = if attempt == 1 {
                format!("{base}.py")
            } else {
                format!("{base}-{attempt}.py")
            };
            match temp.persist_noclobber(self.dir.join(&name)) {
                Ok(_) => break name,
                Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
                    temp = e.file;
                    attempt += 1;
                }
                Err(e) => return Err(ServeError::io(&self.dir.join(&name), "write", e.error)),
            }
        };

        let entry = IndexEntry {
            file: file.clone(),
            flowchart: origin,
            created: now.iso(),
        };
        self.update_index(|index| {
            index.notebooks.retain(|e| e.file != entry.file);
            index.notebooks.push(entry);
            index.notebooks.sort_by(|a, b| a.file.cmp(&b.file));
        })?;
        Ok(file)
    }

    /// Lists the notebooks: every `.py` file in the folder, sorted by name, with its index
    /// entry. Index entries whose file is gone are dropped from the index.
    pub fn notebooks(&self) -> Result<Vec<Notebook>, ServeError> {
        let entries =
            std::fs::read_dir(&self.dir).map_err(|e| ServeError::io(&self.dir, "list", e))?;
        let mut files: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|entry| entry.path().is_file())
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".py") && !name.starts_with('.'))
            .collect();
        files.sort();

        let recorded = self.update_index(|index| {
            index.notebooks.retain(|entry| files.contains(&entry.file));
            index.notebooks.clone()
        })?;
        Ok(files
            .into_iter()
            .map(|file| {
                let entry = recorded.iter().find(|e| e.file == file).cloned();
                Notebook { file, entry }
            })
            .collect())
    }

    fn temp_file(&self, prefix: &str) -> Result<tempfile::NamedTempFile, ServeError> {
        tempfile::Builder::new()
            .prefix(prefix)
            .suffix(".tmp")
            .tempfile_in(&self.dir)
            .map_err(|e| ServeError::io(&self.dir, "create a temporary file in", e))
    }
}

/// Returns a hash of `text` for telling whether a flowchart changed: 64-bit FNV-1a, as
/// `fnv1a64:` and 16 hex digits. It is not a cryptographic hash.
pub fn content_hash(text: &str) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let hash = text.bytes().fold(OFFSET, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    });
    format!("fnv1a64:{hash:016x}")
}

/// Keeps letters, digits, `-` and `_` of a file stem, so names need no quoting in URLs.
fn sanitize_stem(stem: &str) -> String {
    let cleaned: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.trim_matches('_').is_empty() {
        "notebook".to_string()
    } else {
        cleaned
    }
}

/// A UTC time of day, to the second.
struct UtcTime {
    year: i64,
    month: u32,
    day: u32,
    hour: u64,
    minute: u64,
    second: u64,
}

impl UtcTime {
    fn compact(&self) -> String {
        format!(
            "{:04}{:02}{:02}-{:02}{:02}{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    fn iso(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

fn utc_now() -> UtcTime {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    utc_from_unix(seconds)
}

/// Converts seconds since 1970-01-01 UTC to a calendar date and time (proleptic Gregorian),
/// with Howard Hinnant's `civil_from_days` algorithm.
fn utc_from_unix(seconds: u64) -> UtcTime {
    let days = (seconds / 86_400) as i64;
    let of_day = seconds % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    UtcTime {
        year,
        month,
        day,
        hour: of_day / 3_600,
        minute: of_day % 3_600 / 60,
        second: of_day % 60,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates_match_known_days() {
        assert_eq!(utc_from_unix(0).iso(), "1970-01-01T00:00:00Z");
        assert_eq!(utc_from_unix(951_782_400).iso(), "2000-02-29T00:00:00Z");
        assert_eq!(utc_from_unix(1_767_225_599).iso(), "2025-12-31T23:59:59Z");
        assert_eq!(utc_from_unix(1_767_225_599).compact(), "20251231-235959");
    }

    #[test]
    fn stems_keep_url_safe_characters() {
        assert_eq!(sanitize_stem("fizz buzz?"), "fizz_buzz_");
        assert_eq!(sanitize_stem("a-b_c1"), "a-b_c1");
        assert_eq!(sanitize_stem("..."), "notebook");
    }

    #[test]
    fn content_hash_is_fnv1a() {
        assert_eq!(content_hash(""), "fnv1a64:cbf29ce484222325");
        assert_eq!(content_hash("a"), "fnv1a64:af63dc4c8601ec8c");
    }

    #[test]
    fn same_second_notebooks_never_collide() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let folder = NotebookFolder::open(dir.path()).expect("the folder opens");
        let names: Vec<String> = (0..5)
            .map(|i| {
                folder
                    .add_notebook("flow", &format!("# {i}\n"), None)
                    .expect("the notebook is written")
            })
            .collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        for (i, name) in names.iter().enumerate() {
            let text = std::fs::read_to_string(dir.path().join(name)).expect("readable");
            assert_eq!(text, format!("# {i}\n"), "{name}");
        }
    }

    #[test]
    fn index_lists_files_and_origins() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let folder = NotebookFolder::open(dir.path()).expect("the folder opens");
        let origin = Origin {
            path: PathBuf::from("/charts/flow.mmd"),
            hash: content_hash("flowchart TD\n"),
        };
        let name = folder
            .add_notebook("flow", "x = 1\n", Some(origin.clone()))
            .expect("the notebook is written");
        std::fs::write(dir.path().join("mine.py"), "y = 2\n").expect("writable");

        let reopened = NotebookFolder::open(dir.path()).expect("the folder opens again");
        let listed = reopened.notebooks().expect("the folder lists");
        let files: Vec<&str> = listed.iter().map(|n| n.file.as_str()).collect();
        assert_eq!(files, [name.as_str(), "mine.py"]);
        let first = listed[0]
            .entry
            .as_ref()
            .expect("the generated notebook is indexed");
        assert_eq!(first.flowchart.as_ref(), Some(&origin));
        assert!(listed[1].entry.is_none());

        std::fs::remove_file(dir.path().join(&name)).expect("removable");
        assert_eq!(reopened.notebooks().expect("lists").len(), 1);
        let lock = reopened.lock().expect("locks");
        assert!(reopened.read_index(&lock).notebooks.is_empty());
    }
}
