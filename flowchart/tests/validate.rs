//! Name analysis and cell validation on real Python cells, checked against marimo's output.

use std::collections::BTreeSet;

use hexa_flowchart::diagnostic::Severity;
use hexa_flowchart::pyscope::{SyntaxIssueKind, analyze, syntax_errors};
use hexa_flowchart::span::Span;
use hexa_flowchart::validate::validate_cells;

fn names(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|name| name.to_string()).collect()
}

/// The cases in `scope_cases.json` are marimo 0.25.2's `compile_cell` output, which
/// `tests/python/test_pyscope_agreement.py` re-checks against the installed marimo.
#[test]
fn scope_matches_marimo_fixture() {
    let text = include_str!("fixtures/cells/scope_cases.json");
    let cases: Vec<serde_json::Value> = serde_json::from_str(text).expect("valid JSON fixture");
    assert!(cases.len() >= 40, "the fixture lists {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let code = case["code"].as_str().expect("code is a string");
        let field = |key: &str| -> BTreeSet<String> {
            case[key]
                .as_array()
                .expect("a list of names")
                .iter()
                .map(|name| name.as_str().expect("a name").to_owned())
                .collect()
        };
        let scope = analyze(code);
        let got = (&scope.defs, &scope.refs, &scope.private_defs);
        let expected = (field("defs"), field("refs"), field("private_defs"));
        if got != (&expected.0, &expected.1, &expected.2) {
            failures.push(format!(
                "{}: {code:?}\n  expected {expected:?}\n  got      {got:?}",
                case["name"]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn scope_import_binds_top_package() {
    let scope = analyze("import a.b.c\nimport d.e as f");
    assert_eq!(scope.defs, names(&["a", "f"]));
    assert_eq!(scope.def_spans["a"], Span::new(7, 8));
    assert_eq!(scope.def_spans["f"], Span::new(27, 28));
}

#[test]
fn scope_builtins_kept_apart() {
    let scope = analyze("print(len(rows), __file__)");
    assert_eq!(scope.refs, names(&["rows"]));
    assert_eq!(scope.builtin_refs, names(&["__file__", "len", "print"]));
    assert_eq!(scope.ref_spans["rows"], Span::new(10, 14));
}

#[test]
fn scope_private_names_are_not_refs() {
    let scope = analyze("_a = 1\ntotal = _a + _b");
    assert_eq!(scope.defs, names(&["total"]));
    assert_eq!(scope.private_defs, names(&["_a"]));
    assert!(scope.refs.is_empty(), "refs: {:?}", scope.refs);
}

#[test]
fn scope_ref_span_is_first_read() {
    let code = "def f():\n    return g\ny = g";
    let scope = analyze(code);
    assert_eq!(scope.refs, names(&["g"]));
    assert_eq!(scope.ref_spans["g"].text(code), "g");
    assert_eq!(scope.ref_spans["g"].start, 20);
}

#[test]
fn scope_import_star_recorded() {
    let scope = analyze("from os.path import *\nx = 1");
    assert_eq!(scope.import_stars, vec![Span::new(0, 21)]);
    assert_eq!(scope.defs, names(&["x"]));
}

#[test]
fn scope_survives_broken_code() {
    let scope = analyze("x = (1,\ny = [z");
    assert!(
        scope.defs.is_subset(&names(&["x", "y"])),
        "defs: {:?}",
        scope.defs
    );
    let deep = "(".repeat(5000) + &")".repeat(5000);
    assert!(analyze(&deep).defs.is_empty());
    assert!(!syntax_errors(&"[".repeat(5000)).is_empty());
}

/// Returns each syntax issue as (start, end, covered text, message), for compact assertions.
fn issues(code: &str) -> Vec<(usize, usize, String, String)> {
    syntax_errors(code)
        .into_iter()
        .map(|issue| {
            let text = issue.span.text(code).to_owned();
            (issue.span.start, issue.span.end, text, issue.message)
        })
        .collect()
}

fn one(start: usize, end: usize, text: &str, message: &str) -> Vec<(usize, usize, String, String)> {
    vec![(start, end, text.to_owned(), message.to_owned())]
}

#[test]
fn syntax_unclosed_paren() {
    assert_eq!(issues("x = (1,"), one(4, 5, "(", "`(` was never closed"));
}

#[test]
fn syntax_unclosed_list_in_block() {
    assert_eq!(
        issues("if x:\n    y = [1, 2"),
        one(14, 15, "[", "`[` was never closed")
    );
}

#[test]
fn syntax_unclosed_paren_hides_later_errors() {
    let code = "x = (1,\ny = 2\ndef f(:\n    return x +\nprint('ok')";
    assert_eq!(issues(code), one(4, 5, "(", "`(` was never closed"));
}

#[test]
fn syntax_bracket_mismatches() {
    assert_eq!(issues("x = )"), one(4, 5, ")", "unmatched `)`"));
    assert_eq!(
        issues("foo(]"),
        one(4, 5, "]", "closing `]` does not match opening `(`")
    );
}

#[test]
fn syntax_missing_token() {
    assert_eq!(issues("def f(:\n    pass"), one(6, 7, ":", "missing `)`"));
}

#[test]
fn syntax_error_node_ranges() {
    assert_eq!(issues("f(a=)"), one(3, 4, "=", "invalid syntax near `=`"));
    let code = "for i in range(3) print(i)";
    assert_eq!(
        issues(code),
        one(18, 23, "print", "invalid syntax near `print`")
    );
    let code = "x = 1 +";
    assert_eq!(
        issues(code),
        one(0, 7, "x = 1 +", "unexpected end of input after `+`")
    );
}

#[test]
fn syntax_empty_function_body() {
    let message = "expected an indented block after function definition on line 1";
    assert_eq!(
        issues("def step():\nx = step()"),
        one(12, 22, "x = step()", message)
    );
    assert_eq!(
        issues("def step():\n    # later\n"),
        one(10, 11, ":", message)
    );
}

#[test]
fn syntax_empty_blocks_name_statement() {
    let code = "if a:\n    pass\nelse:\n";
    let message = "expected an indented block after `else` statement on line 3";
    assert_eq!(issues(code), one(19, 20, ":", message));
    let code = "try:\n    x = 1\nexcept E:\n# nothing\ny = 2";
    let message = "expected an indented block after `except` statement on line 3";
    assert_eq!(issues(code), one(35, 40, "y = 2", message));
    let code = "match p:\n    case 1:\n";
    let message = "expected an indented block after `case` statement on line 2";
    assert_eq!(issues(code), one(19, 20, ":", message));
}

#[test]
fn syntax_statements_out_of_place() {
    assert_eq!(
        issues("return 1"),
        one(0, 8, "return 1", "`return` outside function")
    );
    assert_eq!(
        issues("yield 1"),
        one(0, 7, "yield 1", "`yield` outside function")
    );
    assert_eq!(issues("break"), one(0, 5, "break", "`break` outside loop"));
    assert_eq!(
        issues("continue"),
        one(0, 8, "continue", "`continue` not properly in loop")
    );
    let code = "for i in x:\n    continue\nelse:\n    break";
    assert_eq!(issues(code), one(35, 40, "break", "`break` outside loop"));
    let code = "class A:\n    def m(self):\n        return 1\n    return 2";
    assert_eq!(
        issues(code),
        one(47, 55, "return 2", "`return` outside function")
    );
    let message = "nonlocal declaration not allowed at module level";
    assert_eq!(issues("nonlocal x"), one(0, 10, "nonlocal x", message));
    let message = "`await` outside async function";
    assert_eq!(
        issues("def f():\n    await g()"),
        one(13, 22, "await g()", message)
    );
    let message = "missing parentheses in call to `print`";
    assert_eq!(issues("print 'hi'"), one(0, 10, "print 'hi'", message));
}

#[test]
fn syntax_valid_code_has_no_issues() {
    let code =
        "async def f():\n    await g()\n\nawait h()\nfor i in x:\n    if i:\n        break\n";
    assert_eq!(issues(code), vec![]);
    assert_eq!(issues(""), vec![]);
    assert_eq!(issues("lambda: (yield)"), vec![]);
}

#[test]
fn syntax_import_star() {
    let found = syntax_errors("def f():\n    from m import *");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].kind, SyntaxIssueKind::ImportStar);
    assert_eq!(found[0].span, Span::new(13, 28));
    assert_eq!(
        found[0].message,
        "importing symbols with `import *` is not allowed in marimo"
    );
}

/// Returns each cell issue as (cell, code, covered text, message), in `validate_cells` order.
fn cell_issues(cells: &[&str]) -> Vec<(usize, &'static str, String, String)> {
    validate_cells(cells)
        .into_iter()
        .map(|issue| {
            let text = issue.span.text(cells[issue.cell]).to_owned();
            (issue.cell, issue.code, text, issue.message)
        })
        .collect()
}

fn cell_issue(
    cell: usize,
    code: &'static str,
    text: &str,
    message: &str,
) -> (usize, &'static str, String, String) {
    (cell, code, text.to_owned(), message.to_owned())
}

#[test]
fn validate_with_target_in_two_cells() {
    let cells = [
        "with open('a.txt') as f:\n    head = f.readline()",
        "with open('a.txt') as f:\n    body = f.read()",
    ];
    let found = validate_cells(&cells);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].span, Span::new(22, 23));
    assert_eq!(found[0].severity, Severity::Error);
    let expected = vec![
        cell_issue(0, "P002", "f", "`f` is also defined in cell 2"),
        cell_issue(1, "P002", "f", "`f` is also defined in cell 1"),
    ];
    assert_eq!(cell_issues(&cells), expected);
}

#[test]
fn validate_loop_variable_in_three_cells() {
    let cells = [
        "for i in range(3):\n    print(i)",
        "x = 1",
        "for i in 'ab':\n    pass",
        "for i in []: pass",
    ];
    let expected = vec![
        cell_issue(0, "P002", "i", "`i` is also defined in cells 3 and 4"),
        cell_issue(2, "P002", "i", "`i` is also defined in cells 1 and 4"),
        cell_issue(3, "P002", "i", "`i` is also defined in cells 1 and 3"),
    ];
    assert_eq!(cell_issues(&cells), expected);
}

#[test]
fn validate_private_names_may_repeat() {
    assert_eq!(
        cell_issues(&[
            "_tmp = 1",
            "_tmp = 2\nfor _i in []: pass",
            "for _i in []: pass"
        ]),
        vec![]
    );
}

#[test]
fn validate_empty_body_without_error_node() {
    let cells = ["def step():\nx = step()", "y = x"];
    let message = "expected an indented block after function definition on line 1";
    assert_eq!(
        cell_issues(&cells),
        vec![cell_issue(0, "P001", "x = step()", message)]
    );
}

#[test]
fn validate_broken_cell_left_out_of_graph() {
    let cells = ["x = (1,", "x = 2", "y = x"];
    let expected = vec![cell_issue(0, "P001", "(", "`(` was never closed")];
    assert_eq!(cell_issues(&cells), expected);
}

#[test]
fn validate_import_star() {
    let cells = ["from math import *", "y = pi"];
    let message = "importing symbols with `import *` is not allowed in marimo";
    let expected = vec![
        cell_issue(0, "P005", "from math import *", message),
        cell_issue(1, "P004", "pi", "`pi` is not defined in any cell"),
    ];
    assert_eq!(cell_issues(&cells), expected);
}

#[test]
fn validate_two_cell_cycle() {
    let cells = ["a = b + 1", "b = a * 2"];
    let expected = vec![
        cell_issue(
            0,
            "P003",
            "b",
            "cells 1 and 2 form a cycle: cell 2 reads `a` from cell 1 and cell 1 reads `b` from cell 2",
        ),
        cell_issue(
            1,
            "P003",
            "a",
            "cells 1 and 2 form a cycle: cell 1 reads `b` from cell 2 and cell 2 reads `a` from cell 1",
        ),
    ];
    assert_eq!(cell_issues(&cells), expected);
}

#[test]
fn validate_three_cell_cycle_beside_chain() {
    let cells = ["a = c\nz = 0", "b = a", "c = b", "w = z + a"];
    let found = cell_issues(&cells);
    let on_cycle: Vec<usize> = found.iter().map(|issue| issue.0).collect();
    assert_eq!(on_cycle, vec![0, 1, 2]);
    assert!(found.iter().all(|issue| issue.1 == "P003"), "{found:?}");
    let message = "cells 1, 2 and 3 form a cycle: cell 2 reads `a` from cell 1, \
                   cell 3 reads `b` from cell 2 and cell 1 reads `c` from cell 3";
    assert_eq!(found[0], cell_issue(0, "P003", "c", message));
}

#[test]
fn validate_cycle_through_shadowed_builtin() {
    let cells = ["print = log", "log = print"];
    let found = validate_cells(&cells);
    let codes: Vec<&str> = found.iter().map(|issue| issue.code).collect();
    assert_eq!(codes, vec!["P003", "P003"]);
}

#[test]
fn validate_undefined_names_warn() {
    let cells = [
        "y = x + len(items)\nprint(y)",
        "items = []\ndef f():\n    return missing",
    ];
    let found = validate_cells(&cells);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].severity, Severity::Warning);
    let expected = vec![
        cell_issue(0, "P004", "x", "`x` is not defined in any cell"),
        cell_issue(1, "P004", "missing", "`missing` is not defined in any cell"),
    ];
    assert_eq!(cell_issues(&cells), expected);
}

#[test]
fn validate_clean_notebook() {
    let cells = [
        "import marimo as mo",
        "data = [1, 2, 3]",
        "def mean(xs):\n    return sum(xs) / len(xs)",
        "mo.md(f'mean is {mean(data)}')",
    ];
    assert_eq!(cell_issues(&cells), vec![]);
    assert_eq!(cell_issues(&[]), vec![]);
}
