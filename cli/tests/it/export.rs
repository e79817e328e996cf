//! `hexa export`: a generated FizzBuzz notebook (n preset to 15) to each format, with the
//! output checked by the tools that read it.

use crate::support::{Workspace, repo_root};

const FIZZBUZZ_15: &[&str] = &[
    "1", "2", "Fizz", "4", "Buzz", "Fizz", "7", "8", "Fizz", "Buzz", "11", "Fizz", "13", "14",
    "FizzBuzz",
];

/// The line of the flow cell that prints FizzBuzz, as the generator writes it.
const FLOW_LINE: &str = "print(\"FizzBuzz\")";

/// Returns a workspace with `fizzbuzz.py` generated from the example with `n=15`.
fn fizzbuzz_notebook() -> Workspace {
    let work = Workspace::new();
    work.copy(&repo_root().join("examples/fizzbuzz.mmd"), "fizzbuzz.mmd");
    let generated = work.hexa(&[
        "generate",
        "fizzbuzz.mmd",
        "-o",
        "fizzbuzz.py",
        "--set",
        "n=15",
    ]);
    assert_eq!(generated.code, Some(0), "generate: {generated}");
    work
}

#[test]
fn ipynb_validates_and_runs() {
    let work = fizzbuzz_notebook();
    let exported = work.hexa(&["export", "fizzbuzz.py", "--to", "ipynb"]);
    assert_eq!(exported.code, Some(0), "{exported}");
    assert_eq!(exported.stderr, "wrote fizzbuzz.ipynb\n", "{exported}");

    let notebook: serde_json::Value =
        serde_json::from_str(&work.read("fizzbuzz.ipynb")).expect("the ipynb is JSON");
    assert_eq!(notebook["nbformat"], 4, "{notebook}");
    let sources: Vec<String> = notebook["cells"]
        .as_array()
        .expect("the ipynb has a cells array")
        .iter()
        .map(|cell| match &cell["source"] {
            serde_json::Value::Array(lines) => lines
                .iter()
                .filter_map(|line| line.as_str())
                .collect::<String>(),
            other => other.as_str().unwrap_or_default().to_string(),
        })
        .collect();
    assert!(
        sources.iter().any(|source| source.contains(FLOW_LINE)),
        "no cell holds the flow: {sources:#?}"
    );

    // nbformat's schema check is what Jupyter runs when it opens a notebook. Then every code
    // cell runs in order in one namespace, as a Jupyter kernel would run them.
    let script = r#"
import contextlib, io, nbformat
nb = nbformat.read("fizzbuzz.ipynb", as_version=4)
nbformat.validate(nb)
namespace = {}
for cell in nb.cells:
    if cell.cell_type == "code":
        exec(compile(cell.source, "<cell>", "exec"), namespace)
"#;
    let ran = work.python(&["-c", script], "");
    assert_eq!(
        ran.code,
        Some(0),
        "nbformat.validate or a cell failed: {ran}"
    );
    assert_eq!(ran.lines(), FIZZBUZZ_15, "{ran}");

    // nbconvert and a kernel are too heavy a test dependency (nbformat brings only the
    // `jupyter` launcher); when nbconvert is installed, it runs the file too.
    let nbconvert = repo_root().join(".venv/bin/jupyter-nbconvert");
    if nbconvert.is_file() {
        let mut command = std::process::Command::new(nbconvert);
        command.current_dir(work.path("")).args([
            "--to",
            "notebook",
            "--execute",
            "--stdout",
            "fizzbuzz.ipynb",
        ]);
        let executed = command.output().expect("jupyter-nbconvert starts");
        let stderr = String::from_utf8_lossy(&executed.stderr);
        assert!(
            executed.status.success(),
            "nbconvert --execute failed: {stderr}"
        );
    }
}

#[test]
fn markdown_contains_every_cell() {
    let work = fizzbuzz_notebook();
    let exported = work.hexa(&["export", "fizzbuzz.py", "--to", "md", "-o", "out.md"]);
    assert_eq!(exported.code, Some(0), "{exported}");

    let markdown = work.read("out.md");
    assert!(markdown.starts_with("---\n"), "no front matter: {markdown}");
    assert!(markdown.contains("marimo-version:"), "{markdown}");
    assert!(markdown.contains(FLOW_LINE), "no flow cell: {markdown}");
    assert!(
        markdown.contains("mo.mermaid("),
        "no diagram cell: {markdown}"
    );
    assert!(
        markdown.contains("n = mo.ui.number(value=15"),
        "no widget cell: {markdown}"
    );
    let notebook = work.read("fizzbuzz.py");
    let cells = notebook.matches("@app.cell").count();
    let fences = markdown.matches("```python {.marimo").count();
    assert_eq!(fences, cells, "one fence per cell: {markdown}");
}

#[test]
fn script_prints_fizzbuzz() {
    let work = fizzbuzz_notebook();
    let exported = work.hexa(&["export", "fizzbuzz.py", "--to", "script"]);
    assert_eq!(exported.code, Some(0), "{exported}");
    assert_eq!(exported.stderr, "wrote fizzbuzz.script.py\n", "{exported}");

    let script = work.read("fizzbuzz.script.py");
    assert!(
        !script.contains("marimo.App("),
        "still a notebook: {script}"
    );
    let ran = work.python(&["fizzbuzz.script.py"], "");
    assert_eq!(ran.code, Some(0), "{ran}");
    assert_eq!(ran.lines(), FIZZBUZZ_15, "{ran}");
}

#[test]
fn html_has_run_outputs() {
    let work = fizzbuzz_notebook();
    let exported = work.hexa(&["export", "fizzbuzz.py", "--to", "html", "-o", "page.html"]);
    assert_eq!(exported.code, Some(0), "{exported}");

    let html = work.read("page.html");
    assert!(html.contains("<html"), "not an HTML page");
    assert!(html.contains("FizzBuzz"), "the page has no run output");
    assert!(
        !exported.stdout.contains("<html"),
        "the page went to stdout"
    );
}

#[test]
fn stdout_with_dash() {
    let work = fizzbuzz_notebook();
    let exported = work.hexa(&["export", "fizzbuzz.py", "--to", "script", "-o", "-"]);
    assert_eq!(exported.code, Some(0), "{exported}");
    assert!(exported.stdout.contains("# %%"), "{exported}");
    assert!(exported.stdout.contains(FLOW_LINE), "{exported}");
}

#[test]
fn existing_output_kept_without_force() {
    let work = fizzbuzz_notebook();
    work.write("fizzbuzz.md", "mine\n");

    let rejected = work.hexa(&["export", "fizzbuzz.py", "--to", "md"]);
    assert_eq!(rejected.code, Some(2), "{rejected}");
    assert_eq!(
        rejected.first_error_line(),
        "fizzbuzz.md:1:1: error: output file already exists; pass --force to overwrite it"
    );
    assert_eq!(work.read("fizzbuzz.md"), "mine\n");

    let forced = work.hexa(&["export", "fizzbuzz.py", "--to", "md", "--force"]);
    assert_eq!(forced.code, Some(0), "{forced}");
    assert!(work.read("fizzbuzz.md").contains(FLOW_LINE));
}

#[test]
fn non_notebooks_rejected() {
    let work = fizzbuzz_notebook();
    let chart = work.hexa(&["export", "fizzbuzz.mmd", "--to", "ipynb"]);
    assert_eq!(chart.code, Some(2), "{chart}");
    assert!(
        chart
            .first_error_line()
            .starts_with("fizzbuzz.mmd:1:1: error: hexa export takes a marimo notebook"),
        "{chart}"
    );

    work.write("plain.py", "print('not a notebook')\n");
    let plain = work.hexa(&["export", "plain.py", "--to", "script"]);
    assert_eq!(plain.code, Some(2), "{plain}");
    assert!(
        plain.first_error_line().starts_with("plain.py:1:1: error:"),
        "{plain}"
    );
    assert!(plain.stderr.contains("not a marimo notebook"), "{plain}");
    assert!(!work.path("plain.script.py").exists());

    let onto_itself = work.hexa(&[
        "export",
        "fizzbuzz.py",
        "--to",
        "script",
        "-o",
        "fizzbuzz.py",
    ]);
    assert_eq!(onto_itself.code, Some(2), "{onto_itself}");
}
