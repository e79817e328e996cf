//! Cell files for the debugger: each cell's code is written to a file whose name is the
//! MurmurHash2 of the code, so the client and the kernel name the same cell the same way.
//!
//! **The file name depends only on the code and the seed.** `debugInfo` sends the seed to
//! the client, which computes the same name to match breakpoints and stack frames to cells.

use std::os::unix::fs::DirBuilderExt;
use std::path::{MAIN_SEPARATOR, Path, PathBuf};

/// Seed of the hash. Any value works because `debugInfo` sends it to the client.
pub const HASH_SEED: u32 = 0x6865_7861;

/// Suffix of every cell file.
pub const SUFFIX: &str = ".py";

/// Folder of one kernel's cell files.
#[derive(Debug)]
pub struct CellFiles {
    dir: PathBuf,
}

impl CellFiles {
    /// Returns the cell files of this process, in a folder of the temporary directory.
    pub fn for_this_process() -> Self {
        let name = format!("hexa_kernel_{}", std::process::id());
        Self {
            dir: std::env::temp_dir().join(name),
        }
    }

    /// Returns the prefix of every cell file's path: the folder and a separator.
    pub fn prefix(&self) -> String {
        format!("{}{MAIN_SEPARATOR}", self.dir.display())
    }

    /// Returns the path of the file for a cell with `code`.
    pub fn path(&self, code: &str) -> PathBuf {
        self.dir
            .join(format!("{}{SUFFIX}", murmur2(code, HASH_SEED)))
    }

    /// Returns whether `path` is in this folder of cell files.
    pub fn contains(&self, path: &Path) -> bool {
        path.parent() == Some(self.dir.as_path())
    }

    /// Writes `code` to its file, unless the file already contains it, and returns the
    /// file's path.
    pub fn write(&self, code: &str) -> std::io::Result<PathBuf> {
        let path = self.path(code);
        if std::fs::read_to_string(&path).is_ok_and(|existing| existing == code) {
            return Ok(path);
        }
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)?;
        std::fs::write(&path, code)?;
        Ok(path)
    }

    /// Removes the folder and the cell files in it.
    pub fn remove(&self) {
        if let Err(error) = std::fs::remove_dir_all(&self.dir)
            && error.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(%error, dir = %self.dir.display(), "cannot remove the cell files");
        }
    }
}

/// Returns the 32-bit MurmurHash2 of `text`'s UTF-8 bytes, the hash that JupyterLab's
/// debugger computes for a cell.
pub fn murmur2(text: &str, seed: u32) -> u32 {
    const M: u32 = 0x5bd1_e995;
    let bytes = text.as_bytes();
    let mut hash = seed ^ bytes.len() as u32;
    let mut chunks = bytes.chunks_exact(4);
    for chunk in &mut chunks {
        let mut k = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> 24;
        k = k.wrapping_mul(M);
        hash = hash.wrapping_mul(M) ^ k;
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        for (i, byte) in tail.iter().enumerate().rev() {
            hash ^= u32::from(*byte) << (8 * i);
        }
        hash = hash.wrapping_mul(M);
    }
    hash ^= hash >> 13;
    hash = hash.wrapping_mul(M);
    hash ^ (hash >> 15)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn murmur2_matches_reference_values() {
        // Values returned by ipykernel 6's `murmur2_x86`, which JupyterLab's hashes match.
        assert_eq!(murmur2("", 0), 0);
        assert_eq!(murmur2("", 1), 0x5bd1_5e36);
        assert_eq!(murmur2("a", 0), 0x9268_5f5e);
        assert_eq!(murmur2("abcd", 0), 0x2687_3021);
        assert_eq!(murmur2("x = 1\nprint(x)\n", HASH_SEED), 0x6e81_2ce3);
        assert_eq!(murmur2("héllo wörld", 7), 0xbded_b67b);
    }

    #[test]
    fn cell_paths_are_in_folder() {
        let files = CellFiles::for_this_process();
        let path = files.path("x = 1\n");
        assert!(files.contains(&path));
        assert!(path.to_string_lossy().starts_with(&files.prefix()));
        assert!(path.to_string_lossy().ends_with(SUFFIX));
    }
}
