//! Generating a notebook or a script from a chart: the output file name beside the source,
//! the WorkspaceEdits that create or replace it, and the atomic write used by
//! `hexa.generateNotebook`.

use std::io::Write;
use std::path::{Path, PathBuf};

use hexa_flowchart::generate::Target;
use hexa_flowchart::{LineIndex, Span};
use tower_lsp_server::ls_types::*;

use crate::proto::{Encoding, TextMap};

/// Code action kind of the generate actions.
pub const GENERATE_KIND: CodeActionKind = CodeActionKind::new("source.generate.hexa");

/// How many numbered names (`NAME-2.py`, `NAME-3.py`, ...) are tried before giving up.
const MAX_SUFFIX: usize = 1000;

/// Reads a target name from a command argument or code action data.
pub fn parse_target(name: Option<&str>) -> Option<Target> {
    match name {
        None | Some("notebook") => Some(Target::Notebook),
        Some("script") => Some(Target::Script),
        Some(_) => None,
    }
}

/// The name of a target in command arguments and code action data.
pub fn target_name(target: &Target) -> &'static str {
    if *target == Target::Script {
        "script"
    } else {
        "notebook"
    }
}

/// The file a chart generates to by default: `NAME.py` for a notebook, `NAME_script.py`
/// for a script, beside the source.
pub fn default_path(source: &Path, target: &Target) -> PathBuf {
    let stem = source
        .file_stem()
        .map_or_else(|| "flow".into(), |stem| stem.to_string_lossy());
    let name = if *target == Target::Script {
        format!("{stem}_script.py")
    } else {
        format!("{stem}.py")
    };
    source.with_file_name(name)
}

/// The first of `NAME.py`, `NAME-2.py`, `NAME-3.py`, ... that does not exist yet.
pub fn free_path(source: &Path, target: &Target) -> Option<PathBuf> {
    let first = default_path(source, target);
    if !first.exists() {
        return Some(first);
    }
    let stem = first.file_stem()?.to_string_lossy().into_owned();
    (2..=MAX_SUFFIX)
        .map(|number| first.with_file_name(format!("{stem}-{number}.py")))
        .find(|path| !path.exists())
}

/// The notebook beside `source` when it exists and was made by hexa (it shows the diagram
/// with `mo.mermaid`), so "Regenerate notebook" can replace it.
pub fn existing_notebook(source: &Path) -> Option<(PathBuf, String)> {
    let path = default_path(source, &Target::Notebook);
    let text = std::fs::read_to_string(&path).ok()?;
    let made_by_hexa = text.contains("import marimo") && text.contains("mo.mermaid(");
    made_by_hexa.then_some((path, text))
}

/// A WorkspaceEdit that creates `uri` (failing if it exists) and inserts `text`.
pub fn create_edit(uri: Uri, text: String) -> WorkspaceEdit {
    let create = ResourceOp::Create(CreateFile {
        uri: uri.clone(),
        options: Some(CreateFileOptions {
            overwrite: Some(false),
            ignore_if_exists: Some(false),
        }),
        annotation_id: None,
    });
    let insert = TextDocumentEdit {
        text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
        edits: vec![OneOf::Left(TextEdit::new(Range::default(), text))],
    };
    WorkspaceEdit {
        document_changes: Some(DocumentChanges::Operations(vec![
            DocumentChangeOperation::Op(create),
            DocumentChangeOperation::Edit(insert),
        ])),
        ..Default::default()
    }
}

/// A WorkspaceEdit that replaces the whole of an existing file.
pub fn replace_edit(
    uri: Uri,
    old_text: &str,
    new_text: String,
    encoding: Encoding,
) -> WorkspaceEdit {
    let index = LineIndex::new(old_text);
    let map = TextMap {
        text: old_text,
        index: &index,
        encoding,
    };
    let range = map.range(Span::new(0, old_text.len()));
    let edit = TextEdit::new(range, new_text);
    WorkspaceEdit::new([(uri, vec![edit])].into_iter().collect())
}

/// Writes a new file atomically: the text goes to a temporary file in the same folder, which
/// is then renamed without replacing anything, so a reader never sees half a file and an
/// existing file is never overwritten.
pub fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    // Created with 0666 less the umask, as any new file, not tempfile's usual 0600.
    let mut temp = tempfile::Builder::new()
        .prefix(".hexa-")
        .suffix(".tmp")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
        .tempfile_in(dir)?;
    temp.write_all(text.as_bytes())?;
    temp.as_file().sync_all()?;
    temp.persist_noclobber(path).map_err(|error| error.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_path_skips_existing_files() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let source = dir.path().join("flow.mmd");
        assert_eq!(
            free_path(&source, &Target::Notebook),
            Some(dir.path().join("flow.py"))
        );
        write_new(&dir.path().join("flow.py"), "x")?;
        assert_eq!(
            free_path(&source, &Target::Notebook),
            Some(dir.path().join("flow-2.py"))
        );
        assert!(write_new(&dir.path().join("flow.py"), "y").is_err());
        assert_eq!(std::fs::read_to_string(dir.path().join("flow.py"))?, "x");
        Ok(())
    }
}
