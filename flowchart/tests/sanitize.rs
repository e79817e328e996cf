//! `sanitize_cell` on code that people and language models write.

use hexa_flowchart::sanitize::{ChangeKind, sanitize_cell};
use hexa_flowchart::span::Span;

fn kinds(code: &str) -> Vec<ChangeKind> {
    sanitize_cell(code)
        .changes
        .iter()
        .map(|change| change.kind)
        .collect()
}

#[test]
fn fence_with_prose_keeps_only_code() {
    let reply = "Sure, here is the step:\n```python\ntotal = sum(range(4))\n```";
    let sanitized = sanitize_cell(reply);
    assert_eq!(sanitized.code, "total = sum(range(4))");
    assert!(sanitized.is_valid());
    assert_eq!(kinds(reply), vec![ChangeKind::Fence]);
    assert_eq!(sanitized.changes[0].span, Span::new(24, 33));
}

#[test]
fn fence_without_tag_handled_same() {
    let reply = "Here you go:\n```\ntotal = sum(range(4))\n```\nThis sums 0 to 3.\n";
    assert_eq!(sanitize_cell(reply).code, "total = sum(range(4))");
}

#[test]
fn fence_tilde_and_bash_skipped() {
    let reply = "Install:\n```bash\npip install x\n```\nThen:\n~~~py\nx = 1\ny = 2\n~~~\n";
    assert_eq!(sanitize_cell(reply).code, "x = 1\ny = 2");
}

#[test]
fn fence_two_python_blocks_joined() {
    let reply = "```python\na = 1\n```\nand\n```python\nb = a\n```";
    assert_eq!(sanitize_cell(reply).code, "a = 1\n\nb = a");
}

#[test]
fn fence_unclosed_runs_to_end() {
    assert_eq!(sanitize_cell("```python\nx = 1\n").code, "x = 1");
}

#[test]
fn fence_inside_string_untouched() {
    let code = "mo.md(\"\"\"\n```python\nx = 1\n```\n\"\"\")\n";
    let sanitized = sanitize_cell(code);
    assert_eq!(sanitized.code, code);
    assert!(sanitized.changes.is_empty());
}

#[test]
fn clean_code_unchanged() {
    let code = "x = 1\nif x:\n    print(x)\n";
    let sanitized = sanitize_cell(code);
    assert_eq!(sanitized.code, code);
    assert!(sanitized.changes.is_empty());
    assert!(sanitized.is_valid());
}

#[test]
fn empty_block_gets_pass() {
    let sanitized = sanitize_cell("def step():\nx = step()");
    assert_eq!(sanitized.code, "def step():\n    pass\nx = step()");
    assert!(sanitized.is_valid());
    assert_eq!(sanitized.changes.len(), 1);
    assert_eq!(sanitized.changes[0].kind, ChangeKind::EmptyBlock);
    assert_eq!(sanitized.changes[0].span, Span::new(11, 11));
    assert_eq!(
        sanitized.changes[0].message,
        "inserted `pass` into the empty body of the function definition on line 1"
    );
}

#[test]
fn half_finished_if_gets_pass() {
    let sanitized = sanitize_cell("x = 1\nif x > 0:\n");
    assert_eq!(sanitized.code, "x = 1\nif x > 0:\n    pass\n");
    assert!(sanitized.is_valid());
}

#[test]
fn nested_empty_blocks_filled() {
    let sanitized =
        sanitize_cell("class A:\n    def f(self):\n    def g(self):\nfor i in x:\nelse:\n");
    assert!(
        sanitized.is_valid(),
        "{:?}\n{}",
        sanitized.issues,
        sanitized.code
    );
    assert_eq!(
        sanitized.code,
        "class A:\n    def f(self):\n        pass\n    def g(self):\n        pass\n\
         for i in x:\n    pass\nelse:\n    pass\n"
    );
}

#[test]
fn tabs_mixed_with_spaces_expanded() {
    let code = "def f():\n\tx = 1\n    return x\n";
    let sanitized = sanitize_cell(code);
    assert_eq!(sanitized.code, "def f():\n    x = 1\n    return x\n");
    assert_eq!(kinds(code), vec![ChangeKind::Tabs]);
    assert!(sanitized.is_valid());
}

#[test]
fn tabs_inside_string_kept() {
    let code = "s = '''\n\tkept\n'''\nif s:\n\tprint(s)\n";
    assert_eq!(
        sanitize_cell(code).code,
        "s = '''\n\tkept\n'''\nif s:\n    print(s)\n"
    );
}

#[test]
fn common_indentation_removed() {
    let code = "    x = 1\n    if x:\n        y = 2\n";
    let sanitized = sanitize_cell(code);
    assert_eq!(sanitized.code, "x = 1\nif x:\n    y = 2\n");
    assert_eq!(kinds(code), vec![ChangeKind::Dedent]);
}

#[test]
fn first_line_flush_rest_indented() {
    let sanitized = sanitize_cell("x = load()\n    y = x + 1\n    z = y * 2");
    assert_eq!(sanitized.code, "x = load()\ny = x + 1\nz = y * 2");
}

#[test]
fn main_guard_replaced_by_body() {
    let code = "def main():\n    return 1\n\nif __name__ == \"__main__\":\n    result = main()\n    print(result)\n";
    let sanitized = sanitize_cell(code);
    assert_eq!(
        sanitized.code,
        "def main():\n    return 1\n\nresult = main()\nprint(result)\n"
    );
    assert_eq!(kinds(code), vec![ChangeKind::MainGuard]);
}

#[test]
fn main_guard_on_one_line() {
    let code = "if '__main__' == __name__: main()\n";
    assert_eq!(sanitize_cell(code).code, "main()\n");
}

#[test]
fn main_guard_with_else_kept() {
    let code = "if __name__ == \"__main__\":\n    a()\nelse:\n    b()\n";
    assert_eq!(sanitize_cell(code).code, code);
}

#[test]
fn crlf_line_endings_normalized() {
    let sanitized = sanitize_cell("x = 1\r\ny = 2\r\n");
    assert_eq!(sanitized.code, "x = 1\ny = 2\n");
    assert_eq!(sanitized.changes[0].kind, ChangeKind::LineEndings);
}

#[test]
fn syntax_error_reported_with_range() {
    let sanitized = sanitize_cell("```python\nx = (1,\n```");
    assert_eq!(sanitized.code, "x = (1,");
    assert_eq!(sanitized.issues.len(), 1);
    assert_eq!(sanitized.issues[0].span, Span::new(4, 5));
    assert_eq!(sanitized.issues[0].message, "`(` was never closed");
}

#[test]
fn every_step_together() {
    let reply = "Sure!\r\n```python\r\n    if __name__ == '__main__':\r\n    \tdef run():\r\n    \trun()\r\n```\r\n";
    let sanitized = sanitize_cell(reply);
    assert!(
        sanitized.is_valid(),
        "{:?}\n{}",
        sanitized.issues,
        sanitized.code
    );
    assert_eq!(sanitized.code, "def run():\n    pass\nrun()");
}

#[test]
fn odd_inputs_do_not_panic() {
    for code in [
        "",
        "\n",
        "```",
        "```python",
        "\t",
        "é\t\r\n```\n",
        "if:\n\t\t",
        "\u{feff}x=1",
    ] {
        let _ = sanitize_cell(code);
    }
}

#[test]
fn unexpected_indent_reported() {
    let issues = hexa_flowchart::sanitize::syntax_issues(
        "x = 1\n    y = 2\nif x:\n    a = 1\n      b = 2\n",
    );
    let spans: Vec<Span> = issues.iter().map(|issue| issue.span).collect();
    assert_eq!(spans, vec![Span::new(10, 15), Span::new(38, 43)]);
    assert_eq!(issues[0].message, "unexpected indent");
}

/// Every case in `tests/fixtures/cells`: `NAME.cell.txt` sanitizes to `NAME.sanitized.txt`;
/// a notebook `NAME.py` gets the diagnostics in `NAME.expected` (`LINE:COL SEVERITY CODE`,
/// 1-based, columns in characters) and, when `NAME.fixed.py` exists, `fix_notebook` turns it
/// into that file. `HEXA_BLESS=1` rewrites the expected files from today's output.
#[test]
fn fixture_directory_matches() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/cells");
    let bless = std::env::var_os("HEXA_BLESS").is_some();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/cells exists")
        .map(|entry| {
            entry
                .expect("readable entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    let mut failures = Vec::new();
    let mut cases = 0;
    for name in &names {
        let path = dir.join(name);
        let read = |path: &std::path::Path| {
            std::fs::read_to_string(path)
                .unwrap_or_else(|_| panic!("{} is missing", path.display()))
        };
        if let Some(stem) = name.strip_suffix(".cell.txt") {
            cases += 1;
            let got = sanitize_cell(&read(&path)).code;
            let expected_path = dir.join(format!("{stem}.sanitized.txt"));
            if bless {
                std::fs::write(&expected_path, &got).expect("writable fixture");
            } else if got != read(&expected_path) {
                failures.push(format!("{name}: sanitized to\n{got}"));
            }
        } else if let Some(stem) = name.strip_suffix(".py").filter(|s| !s.ends_with(".fixed")) {
            cases += 1;
            let text = read(&path);
            let got = describe_diagnostics(&text);
            let expected_path = dir.join(format!("{stem}.expected"));
            if bless {
                std::fs::write(&expected_path, &got).expect("writable fixture");
            } else if got != read(&expected_path) {
                failures.push(format!("{name}: diagnostics\n{got}"));
            }

            let fixed = hexa_flowchart::notebook::fix_notebook(&text);
            let fixed_path = dir.join(format!("{stem}.fixed.py"));
            if bless && !fixed.fixes.is_empty() {
                std::fs::write(&fixed_path, &fixed.text).expect("writable fixture");
            } else if fixed_path.exists() && fixed.text != read(&fixed_path) {
                failures.push(format!("{name}: fixed to\n{}", fixed.text));
            } else if !fixed_path.exists() && !fixed.fixes.is_empty() && !bless {
                failures.push(format!(
                    "{name}: fixes applied but {stem}.fixed.py is missing"
                ));
            }
        }
    }
    assert!(
        cases >= 15,
        "only {cases} fixture cases found in {}",
        dir.display()
    );
    assert!(
        failures.is_empty(),
        "{} fixtures differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn describe_diagnostics(text: &str) -> String {
    let report = hexa_flowchart::notebook::check_notebook(text, Default::default());
    let index = hexa_flowchart::LineIndex::new(text);
    let mut out = String::new();
    for found in &report.diagnostics {
        let position = index.position(text, found.diagnostic.span.start);
        out.push_str(&format!(
            "{}:{} {} {}\n",
            position.line + 1,
            position.char_col + 1,
            found.diagnostic.severity,
            found.diagnostic.code
        ));
    }
    out
}

/// Truncated and spliced fixture notebooks: reading, checking and fixing must not panic.
#[test]
fn notebook_pass_survives_cut_files() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/cells");
    let texts: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/cells exists")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let is_notebook = path.extension().is_some_and(|ext| ext == "py");
            is_notebook
                .then(|| std::fs::read_to_string(&path).ok())
                .flatten()
        })
        .collect();
    assert!(texts.len() >= 12);
    for text in &texts {
        let cuts = (0..text.len())
            .step_by(13)
            .filter(|cut| text.is_char_boundary(*cut));
        for cut in cuts {
            let variants = [
                text[..cut].to_owned(),
                format!("{}\t)\"\"\"\n{}", &text[..cut], &text[cut..]),
            ];
            for variant in variants {
                let report = hexa_flowchart::notebook::check_notebook(&variant, Default::default());
                for found in &report.diagnostics {
                    assert!(found.diagnostic.span.end <= variant.len());
                }
                let fixed = hexa_flowchart::notebook::fix_notebook(&variant);
                let _ = hexa_flowchart::notebook::check_notebook(&fixed.text, Default::default());
            }
        }
    }
}
