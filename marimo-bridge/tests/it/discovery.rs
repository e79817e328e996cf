//! Python discovery order with fake environments; no interpreter is started.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use hexa_marimo::{BridgeError, DiscoveryVars, EnvSource, discover_python_with};

/// Creates `<dir>/bin/python` as an empty executable file and returns its path.
fn fake_venv(dir: &Path) -> PathBuf {
    let python = dir.join("bin/python");
    fs::create_dir_all(python.parent().expect("bin dir")).expect("create bin");
    fs::write(&python, "").expect("write fake python");
    make_executable(&python);
    python
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) {}

struct Layout {
    _temp: tempfile::TempDir,
    flag_venv: PathBuf,
    virtual_env: PathBuf,
    project: PathBuf,
    path_dir: PathBuf,
}

/// Creates a project with `.venv`, an activated venv, a venv for the flag, and a PATH dir.
fn layout() -> Layout {
    let temp = tempfile::tempdir().expect("temp dir");
    let root = temp.path().to_path_buf();
    let flag_venv = root.join("flag-venv");
    let virtual_env = root.join("active-venv");
    let project = root.join("project");
    let path_dir = root.join("path-bin");
    fake_venv(&flag_venv);
    fake_venv(&virtual_env);
    fake_venv(&project.join(".venv"));
    fs::create_dir_all(project.join("src/deep")).expect("project dirs");
    fs::create_dir_all(&path_dir).expect("path dir");
    fs::write(path_dir.join("python3"), "").expect("fake python3");
    make_executable(&path_dir.join("python3"));
    Layout {
        _temp: temp,
        flag_venv,
        virtual_env,
        project,
        path_dir,
    }
}

fn vars(virtual_env: Option<&Path>, path: Option<&Path>) -> DiscoveryVars {
    DiscoveryVars {
        virtual_env: virtual_env.map(OsString::from),
        path: path.map(OsString::from),
    }
}

#[test]
fn flag_beats_virtual_env() {
    let l = layout();
    let vars = vars(Some(&l.virtual_env), Some(&l.path_dir));

    let env = discover_python_with(Some(&l.flag_venv), &l.project, &vars).expect("found");

    assert_eq!(env.source, EnvSource::Flag);
    assert_eq!(env.executable, l.flag_venv.join("bin/python"));
}

#[test]
fn flag_accepts_an_executable() {
    let l = layout();
    let python = l.flag_venv.join("bin/python");

    let env = discover_python_with(Some(&python), &l.project, &vars(None, None)).expect("found");

    assert_eq!(env.executable, python);
}

#[test]
fn missing_flag_path_is_an_error() {
    let l = layout();
    let missing = l.project.join("no-such-venv");

    let error = discover_python_with(
        Some(&missing),
        &l.project,
        &vars(Some(&l.virtual_env), None),
    )
    .expect_err("flag points nowhere");

    assert!(matches!(error, BridgeError::PythonNotFound { .. }));
    assert!(
        error.to_string().contains(&missing.display().to_string()),
        "{error}"
    );
}

#[test]
fn virtual_env_beats_dot_venv() {
    let l = layout();

    let env =
        discover_python_with(None, &l.project, &vars(Some(&l.virtual_env), None)).expect("found");

    assert_eq!(env.source, EnvSource::VirtualEnv);
    assert_eq!(env.executable, l.virtual_env.join("bin/python"));
}

#[test]
fn stale_virtual_env_is_an_error() {
    let l = layout();
    let stale = l.project.join("gone");

    let error = discover_python_with(None, &l.project, &vars(Some(&stale), None))
        .expect_err("VIRTUAL_ENV points nowhere");

    assert!(error.to_string().contains("VIRTUAL_ENV"), "{error}");
    assert!(
        error.to_string().contains(&stale.display().to_string()),
        "{error}"
    );
}

#[test]
fn dot_venv_found_in_parent() {
    let l = layout();
    let cwd = l.project.join("src/deep");

    let env = discover_python_with(None, &cwd, &vars(None, Some(&l.path_dir))).expect("found");

    assert_eq!(env.source, EnvSource::DotVenv);
    assert_eq!(env.executable, l.project.join(".venv/bin/python"));
}

#[test]
fn path_is_the_last_resort() {
    let l = layout();

    let env =
        discover_python_with(None, &l.path_dir, &vars(None, Some(&l.path_dir))).expect("found");

    assert_eq!(env.source, EnvSource::Path);
    assert_eq!(env.executable, l.path_dir.join("python3"));
}

#[test]
fn nothing_found_names_cwd() {
    let l = layout();

    let error = discover_python_with(None, &l.path_dir, &vars(None, None)).expect_err("none");

    assert!(matches!(error, BridgeError::PythonNotFound { .. }));
    assert!(
        error
            .to_string()
            .contains(&l.path_dir.display().to_string()),
        "{error}"
    );
}
