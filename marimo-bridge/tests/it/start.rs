//! Starting the bridge: interpreter info, a second start, the missing-marimo error.

use std::path::Path;

use hexa_marimo::{Bridge, BridgeError, EnvSource, PythonEnv, marimo_install_command};

use crate::common::{bridge, bridge_with_start_time, workspace_venv};

#[test]
fn info_reports_the_venv() {
    let info = bridge().info().expect("info");
    let venv = workspace_venv().canonicalize().expect("venv path");

    assert!(info.executable.starts_with(&venv) || info.executable.starts_with(workspace_venv()));
    assert!(
        info.python_version.starts_with("3.11."),
        "{}",
        info.python_version
    );
    assert_eq!(info.marimo_version, "0.25.2");
    assert!(
        info.site_packages
            .iter()
            .any(|p| p.ends_with("lib/python3.11/site-packages")),
        "{:?}",
        info.site_packages
    );
}

#[test]
fn start_again_reuses_the_thread() {
    let (first, _) = bridge_with_start_time();
    let env = PythonEnv {
        executable: workspace_venv().join("bin/python"),
        source: EnvSource::Flag,
    };
    let again = Bridge::start(&env).expect("second start with the same env");

    assert_eq!(
        again.info().expect("info").executable,
        first.info().expect("info").executable
    );
}

#[test]
fn start_with_other_env_is_rejected() {
    bridge();
    let env = PythonEnv {
        executable: "/usr/bin/python3".into(),
        source: EnvSource::Path,
    };

    let error = Bridge::start(&env).expect_err("a second interpreter cannot start");

    assert!(
        matches!(error, BridgeError::AlreadyInitialized { .. }),
        "{error}"
    );
}

#[test]
fn marimo_error_message_has_pip_command() {
    let python = Path::new("/tmp/env/bin/python");
    let error = BridgeError::Marimo {
        executable: python.to_path_buf(),
        problem: "marimo is not installed".to_string(),
        install_command: marimo_install_command(python),
    };

    assert_eq!(
        error.to_string(),
        "marimo is not installed in /tmp/env/bin/python; install it with: \
         /tmp/env/bin/python -m pip install 'marimo>=0.25'"
    );
}

/// Set in the child process of `missing_marimo_gives_pip_command` to the venv without marimo.
const NO_MARIMO_VENV: &str = "HEXA_TEST_NO_MARIMO_VENV";

#[test]
fn missing_marimo_gives_pip_command() {
    // The interpreter can be initialised once per process, so a child process of this test
    // binary runs this same test against a fresh venv that has no marimo.
    if let Some(venv) = std::env::var_os(NO_MARIMO_VENV) {
        let env = PythonEnv {
            executable: Path::new(&venv).join("bin/python"),
            source: EnvSource::Flag,
        };
        match Bridge::start(&env) {
            Ok(_) => println!("RESULT: started"),
            Err(error) => println!("RESULT: {error}"),
        }
        return;
    }

    let temp = tempfile::tempdir().expect("temp dir");
    let venv = temp.path().join("venv");
    let created = std::process::Command::new(workspace_venv().join("bin/python"))
        .args(["-m", "venv", "--without-pip"])
        .arg(&venv)
        .status()
        .expect("run python -m venv");
    assert!(created.success());

    let child = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "start::missing_marimo_gives_pip_command",
            "--nocapture",
        ])
        .env(NO_MARIMO_VENV, &venv)
        .output()
        .expect("run the test binary");
    let stdout = String::from_utf8_lossy(&child.stdout);
    let python = venv.join("bin/python");
    let expected = format!(
        "RESULT: marimo is not installed in {0}; install it with: {0} -m pip install \
         'marimo>=0.25'",
        python.display()
    );

    assert!(child.status.success(), "{stdout}");
    assert!(stdout.contains(&expected), "{stdout}");
}
