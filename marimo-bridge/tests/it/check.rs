//! Linting with marimo's rule engine.

use std::path::Path;

use hexa_marimo::{BridgeError, Severity};

use crate::common::{bridge, fixture};

#[test]
fn multiple_definitions_gives_mb002() {
    let source = fixture("multiple_definitions.py");

    let diagnostics = bridge().check(&source, Path::new("nb.py")).expect("check");
    let mb002: Vec<_> = diagnostics.iter().filter(|d| d.code == "MB002").collect();

    assert_eq!(mb002.len(), 2, "{diagnostics:#?}");
    // `a = 1` is on line 9 and `a = 2` on line 15, each indented by four spaces.
    assert_eq!((mb002[0].line, mb002[0].column), (Some(9), Some(5)));
    assert_eq!((mb002[1].line, mb002[1].column), (Some(15), Some(5)));
    assert_eq!(mb002[0].name, "multiple-definitions");
    assert_eq!(mb002[0].severity, Severity::Breaking);
    assert_eq!(
        mb002[0].message,
        "Variable 'a' is defined in multiple cells"
    );
    assert!(!mb002[0].fixable);
}

#[test]
fn clean_notebook_has_no_breaking() {
    for name in ["basic.py", "inputs.py", "ten_cells.py"] {
        let diagnostics = bridge()
            .check(&fixture(name), Path::new(name))
            .expect("check");

        let breaking: Vec<_> = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Breaking)
            .collect();
        assert!(breaking.is_empty(), "{name}: {breaking:#?}");
    }
}

#[test]
fn missing_run_guard_is_formatting() {
    let source = fixture("basic.py").replace("if __name__ == \"__main__\":\n    app.run()\n", "");

    let diagnostics = bridge().check(&source, Path::new("nb.py")).expect("check");

    assert!(
        diagnostics
            .iter()
            .any(|d| d.code == "MF001" && d.severity == Severity::Formatting),
        "{diagnostics:#?}"
    );
}

#[test]
fn plain_script_is_rejected() {
    let error = bridge()
        .check("import os\nprint(os.getcwd())\n", Path::new("script.py"))
        .expect_err("not a notebook");

    assert!(matches!(error, BridgeError::Notebook { .. }), "{error}");
    assert!(
        error.to_string().contains("not a marimo notebook"),
        "{error}"
    );
}
