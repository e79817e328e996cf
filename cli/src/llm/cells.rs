//! Plain Python to marimo cells, without a model: imports go to one cell, each top-level
//! `def` or `class` to its own cell, and every other statement to one main cell, in source
//! order. Cells that marimo would reject together (a name defined twice, a cycle) are merged.

use hexa_flowchart::marimo::{self, Cell};
use hexa_flowchart::sanitize::sanitize_cell;
use hexa_flowchart::validate::validate_cells;
use hexa_flowchart::{LineIndex, pytext};

/// The name used for the model's code in messages sent back to it.
pub const CODE_NAME: &str = "code.py";

/// Cells before the model's code: `import marimo as mo` and the diagram.
const FIXED_CELLS: usize = 2;

/// One top-level statement (with the comments above it) and its place in the source.
#[derive(Debug, Clone)]
struct Statement {
    order: usize,
    text: String,
}

/// Sanitizes plain code from a model reply: fences and prose removed, empty blocks filled.
/// Returns the code, or `code.py:LINE:COL` problems to send back.
pub fn clean_code(reply: &str) -> Result<String, Vec<String>> {
    let sanitized = sanitize_cell(reply);
    if sanitized.is_valid() {
        if sanitized.code.trim().is_empty() {
            return Err(vec![format!(
                "{CODE_NAME}:1:1: error: the reply holds no code"
            )]);
        }
        let mut code = sanitized.code;
        if !code.ends_with('\n') {
            code.push('\n');
        }
        return Ok(code);
    }
    let index = LineIndex::new(&sanitized.code);
    Err(sanitized
        .issues
        .iter()
        .map(|issue| {
            let position = index.position(&sanitized.code, issue.span.start);
            format!(
                "{CODE_NAME}:{}:{}: error: {}",
                position.line + 1,
                position.char_col + 1,
                issue.message
            )
        })
        .collect())
}

/// Builds the notebook file for plain `code`: marimo's import, the chart as a diagram, then
/// the code's cells. Returns problems to send back when the cells cannot be made valid.
pub fn notebook(code: &str, diagram: &str, title: Option<&str>) -> Result<String, Vec<String>> {
    let mut groups = split(code);
    loop {
        let bodies: Vec<String> = groups.iter().map(|group| join(group)).collect();
        let mut all = vec![
            "import marimo as mo\n".to_string(),
            format!(
                "mo.mermaid(\n    {}\n)\n",
                pytext::block_literal(&marimo::dedent(diagram))
            ),
        ];
        all.extend(bodies);
        let codes: Vec<&str> = all.iter().map(String::as_str).collect();
        let errors: Vec<_> = validate_cells(&codes)
            .into_iter()
            .filter(|issue| issue.severity == hexa_flowchart::Severity::Error)
            .collect();
        if errors.is_empty() {
            let cells: Vec<Cell> = all
                .iter()
                .enumerate()
                .map(|(index, code)| Cell {
                    code: code.clone(),
                    lines: Vec::new(),
                    hide_code: index == 1,
                })
                .collect();
            return Ok(marimo::notebook_file(&cells, title).0);
        }
        let mut clashing: Vec<usize> = errors
            .iter()
            .filter(|issue| matches!(issue.code, "P002" | "P003") && issue.cell >= FIXED_CELLS)
            .map(|issue| issue.cell - FIXED_CELLS)
            .collect();
        clashing.sort_unstable();
        clashing.dedup();
        if clashing.len() < 2 {
            return Err(errors
                .iter()
                .map(|issue| {
                    format!(
                        "cell {}: error[{}]: {}\n{}",
                        issue.cell + 1,
                        issue.code,
                        issue.message,
                        all[issue.cell].trim_end()
                    )
                })
                .collect());
        }
        groups = merge(groups, &clashing);
    }
}

/// Splits `code` into groups of statements by the cell rule in the module docs.
fn split(code: &str) -> Vec<Vec<Statement>> {
    let Some(tree) = pytext::parse_python(code) else {
        return vec![vec![Statement {
            order: 0,
            text: code.to_string(),
        }]];
    };
    let root = tree.root_node();

    let mut imports = Vec::new();
    let mut definitions = Vec::new();
    let mut main = Vec::new();
    let mut comment_start: Option<usize> = None;
    let mut cursor = root.walk();
    for (order, node) in root.named_children(&mut cursor).enumerate() {
        if node.kind() == "comment" {
            comment_start.get_or_insert(node.start_byte());
            continue;
        }

        let start = comment_start.take().unwrap_or(node.start_byte());
        let text = code.get(start..node.end_byte()).unwrap_or_default();
        let statement = Statement {
            order,
            text: text.to_string(),
        };
        match node.kind() {
            "import_statement" | "import_from_statement" | "future_import_statement" => {
                // The notebook's first cell imports marimo already.
                if !matches!(text.trim(), "import marimo as mo" | "import marimo") {
                    imports.push(statement);
                }
            }
            "function_definition" | "class_definition" | "decorated_definition" => {
                definitions.push(vec![statement]);
            }
            _ => main.push(statement),
        }
    }

    let mut groups = Vec::new();
    if !imports.is_empty() {
        groups.push(imports);
    }
    groups.extend(definitions);
    if !main.is_empty() {
        groups.push(main);
    }
    groups
}

/// Merges the groups at `indices` into one, placed where the first of them was.
fn merge(groups: Vec<Vec<Statement>>, indices: &[usize]) -> Vec<Vec<Statement>> {
    let mut merged = Vec::new();
    let mut result = Vec::new();
    let mut slot = None;
    for (index, group) in groups.into_iter().enumerate() {
        if indices.contains(&index) {
            slot.get_or_insert(result.len());
            merged.extend(group);
        } else {
            result.push(group);
        }
    }
    merged.sort_by_key(|statement| statement.order);
    result.insert(slot.unwrap_or(result.len()), merged);
    result
}

fn join(group: &[Statement]) -> String {
    let mut text = String::new();
    for (index, statement) in group.iter().enumerate() {
        if index > 0 {
            let definition = |s: &Statement| {
                let first = s.text.trim_start();
                first.starts_with("def ") || first.starts_with("class ") || first.starts_with('@')
            };
            text.push_str(if definition(statement) || definition(&group[index - 1]) {
                "\n\n"
            } else {
                "\n"
            });
        }
        text.push_str(&statement.text);
    }
    text.push('\n');
    sanitize_cell(&text).code
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIAGRAM: &str = "flowchart TD\n    A([Start]) --> B([End])\n";

    fn cell_bodies(file: &str) -> Vec<String> {
        hexa_flowchart::notebook::read_notebook(file)
            .codes()
            .iter()
            .map(|c| c.to_string())
            .collect()
    }

    #[test]
    fn splits_imports_definitions_and_main() {
        let code = "import math\nfrom os import path\n\n# Area of a circle.\ndef area(r):\n    \
                    return math.pi * r * r\n\nclass Box:\n    pass\n\nr = 2\nprint(area(r))\n";
        let file = notebook(code, DIAGRAM, None).expect("valid notebook");
        let bodies = cell_bodies(&file);
        assert_eq!(bodies.len(), 6, "{bodies:#?}");
        assert_eq!(bodies[2].trim(), "import math\nfrom os import path");
        assert!(
            bodies[3].starts_with("# Area of a circle.\ndef area(r):"),
            "{}",
            bodies[3]
        );
        assert_eq!(bodies[4].trim(), "class Box:\n    pass");
        assert_eq!(bodies[5].trim(), "r = 2\nprint(area(r))");
    }

    #[test]
    fn merges_a_cycle_into_one_cell() {
        // `double` reads the global `n` that the main cell defines, and the main cell calls
        // `double`: two cells would form a cycle.
        let code = "def double():\n    return n * 2\n\nn = 3\nprint(double())\n";
        let file = notebook(code, DIAGRAM, None).expect("valid notebook");
        let bodies = cell_bodies(&file);
        assert_eq!(bodies.len(), 3, "{bodies:#?}");
        assert!(bodies[2].starts_with("def double():"), "{}", bodies[2]);
        assert!(bodies[2].contains("print(double())"), "{}", bodies[2]);
    }

    #[test]
    fn merges_a_name_defined_twice() {
        let code = "def f():\n    return 1\n\ndef f():\n    return 2\n\nprint(f())\n";
        let file = notebook(code, DIAGRAM, None).expect("valid notebook");
        let bodies = cell_bodies(&file);
        assert_eq!(bodies.len(), 4, "{bodies:#?}");
        assert!(bodies[2].contains("return 1"), "{}", bodies[2]);
        assert!(bodies[2].contains("return 2"), "{}", bodies[2]);
        assert_eq!(bodies[3].trim(), "print(f())");
    }

    #[test]
    fn rejects_import_star() {
        let problems = notebook("from math import *\nprint(pi)\n", DIAGRAM, None)
            .expect_err("import * is rejected");
        assert!(problems.iter().any(|p| p.contains("P005")), "{problems:?}");
    }

    #[test]
    fn clean_code_strips_fences_and_reports_errors() {
        let code = clean_code("Here:\n```python\ntotal = sum(range(4))\n```\n").expect("valid");
        assert_eq!(code.trim(), "total = sum(range(4))");
        let problems = clean_code("def f(:\n    pass\n").expect_err("syntax error");
        assert!(problems[0].starts_with("code.py:1:"), "{problems:?}");
    }
}
