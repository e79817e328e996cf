//! Writing results: atomically through a temporary file, never over an existing file
//! unless `--force` is given, or to stdout for `-`.

use std::io::Write;
use std::path::Path;

use crate::input::UserError;

/// Writes `text` to `path` (stdout for `-`).
pub fn write_output(path: &Path, text: &str, force: bool) -> Result<(), UserError> {
    let name = path.display().to_string();
    if path == Path::new("-") {
        let mut stdout = std::io::stdout().lock();
        return stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
            .map_err(|e| UserError::at_start("<stdout>", format!("failed to write: {e}")));
    }
    if path.is_dir() {
        return Err(UserError::at_start(&name, "output path is a directory"));
    }
    let existing = std::fs::metadata(path).ok();
    if existing.as_ref().is_some_and(|m| !m.is_file()) {
        // Renaming over a device or a pipe would replace it with a regular file.
        return Err(UserError::at_start(
            &name,
            "output path is not a regular file; use -o - and redirect",
        ));
    }
    if !force && path.exists() {
        return Err(UserError::at_start(
            &name,
            "output file already exists; pass --force to overwrite it",
        ));
    }
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let fail = |e: std::io::Error| {
        let reason = without_temp_path(&e);
        UserError::at_start(&name, format!("failed to write: {reason}"))
    };
    // Create the file with 0666 less the umask, like any new file, not tempfile's usual 0600.
    let mut temp = tempfile::Builder::new()
        .prefix(".hexa-")
        .suffix(".tmp")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
        .tempfile_in(dir)
        .map_err(fail)?;
    temp.write_all(text.as_bytes()).map_err(fail)?;
    // A replaced file keeps its permissions.
    if let Some(metadata) = &existing {
        temp.as_file()
            .set_permissions(metadata.permissions())
            .map_err(fail)?;
    }
    temp.as_file().sync_all().map_err(fail)?;
    if force {
        temp.persist(path).map_err(|e| fail(e.error))?;
    } else {
        // A file created between the check above and now is still never replaced.
        temp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                UserError::at_start(
                    &name,
                    "output file already exists; pass --force to overwrite it",
                )
            } else {
                fail(e.error)
            }
        })?;
    }
    Ok(())
}

/// Prints to stdout; a closed pipe (`hexa parse ... | head`) is not an error.
pub fn print_stdout(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Returns the message of an error from `tempfile` without the temporary file's path that
/// tempfile adds, because the user named another path.
fn without_temp_path(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at path \"") {
        Some(end) => text[..end].to_string(),
        None => text,
    }
}
