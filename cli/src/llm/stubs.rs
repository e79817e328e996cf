//! `--fill-stubs`: the stub functions of a generated file, filled in one at a time by the
//! model. Each reply must parse, define only the stub's function, and use no global name
//! other than builtins and the other stubs; otherwise the stub stays.

use std::collections::BTreeSet;

use hexa_flowchart::pyscope;
use hexa_flowchart::sanitize::sanitize_cell;
use tracing::{info, warn};

use super::client::{ChatClient, LlmError};
use super::prompts;

/// Maximum requests for one stub: the first one plus one retry with the problems.
pub const MAX_ATTEMPTS: usize = 2;

/// A stub function as the generator writes it: `def NAME(...):`, a docstring, a
/// `print("stub: ...")` and a `return`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stub {
    /// The function name.
    pub name: String,
    /// Byte range of the definition in the file, through its last line's newline.
    pub range: std::ops::Range<usize>,
    /// The indentation of the `def` line.
    pub indent: String,
}

/// The result of [`fill_stubs`]: stubs filled, stubs kept, and the error that stopped it.
#[derive(Debug, Default)]
pub struct FillReport {
    /// Names of the stubs the model filled.
    pub filled: Vec<String>,
    /// Stubs left as they were, each with the reason.
    pub kept: Vec<(String, String)>,
    /// The request error that stopped the filling, if one did.
    pub error: Option<LlmError>,
}

/// Finds the generator's stub functions in a generated file.
pub fn find_stubs(text: &str) -> Vec<Stub> {
    let lines: Vec<(usize, &str)> = line_offsets(text);
    let mut stubs = Vec::new();
    for (index, &(start, line)) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let Some(name) = trimmed
            .strip_prefix("def ")
            .and_then(|rest| rest.split_once('('))
            .map(|(name, _)| name.trim())
        else {
            continue;
        };
        let is_stub = lines
            .get(index + 2)
            .is_some_and(|(_, l)| l.trim_start().starts_with("print(\"stub: "));
        if !is_stub || !pyscope_identifier(name) {
            continue;
        }
        let mut end = start + line.len();
        for &(next_start, next) in &lines[index + 1..] {
            let next_indent = next.len() - next.trim_start().len();
            if !next.trim().is_empty() && next_indent <= indent.len() {
                break;
            }
            if !next.trim().is_empty() {
                end = next_start + next.len();
            }
        }
        stubs.push(Stub {
            name: name.to_string(),
            range: start..end,
            indent: indent.into(),
        });
    }
    stubs
}

/// Asks the model for each stub's body and replaces each stub whose reply passes the checks. Stops at the
/// first request error, keeping the stubs not filled yet.
pub async fn fill_stubs(client: &ChatClient, chart: &str, text: &str) -> (String, FillReport) {
    let stubs = find_stubs(text);
    let names: BTreeSet<String> = stubs.iter().map(|s| s.name.clone()).collect();
    let mut report = FillReport::default();
    let mut filled: Vec<(Stub, String)> = Vec::new();
    for stub in &stubs {
        let original = dedent(&text[stub.range.clone()], stub.indent.len());
        let mut messages = prompts::stub_request(chart, &original);
        let mut problems = Vec::new();
        for attempt in 1..=MAX_ATTEMPTS {
            let reply = match client.complete(&messages).await {
                Ok(reply) => reply,
                Err(error) => {
                    report.error = Some(error);
                    return (replace(text, &filled), report);
                }
            };
            match check_function(&reply, &stub.name, &names) {
                Ok(code) => {
                    filled.push((stub.clone(), indent(&code, &stub.indent)));
                    report.filled.push(stub.name.clone());
                    problems.clear();
                    break;
                }
                Err(found) => {
                    info!(stub = %stub.name, attempt, "the model's function was rejected");
                    problems = found;
                    prompts::with_feedback(&mut messages, &reply, &problems);
                }
            }
        }
        if !problems.is_empty() {
            warn!(stub = %stub.name, "kept the stub");
            report.kept.push((stub.name.clone(), problems.join("; ")));
        }
    }
    (replace(text, &filled), report)
}

/// Checks a reply that should define function `name`: returns its code, or the problems.
pub fn check_function(
    reply: &str,
    name: &str,
    allowed: &BTreeSet<String>,
) -> Result<String, Vec<String>> {
    let sanitized = sanitize_cell(reply);
    if !sanitized.is_valid() {
        return Err(sanitized.issues.iter().map(|i| i.message.clone()).collect());
    }
    let code = sanitized.code;
    let statements = hexa_flowchart::pytext::parse_python(&code)
        .map(|tree| {
            let root = tree.root_node();
            let mut cursor = root.walk();
            root.named_children(&mut cursor)
                .filter(|n| n.kind() != "comment")
                .map(|n| n.kind().to_string())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let scope = pyscope::analyze(&code);
    let mut problems = Vec::new();
    if statements != ["function_definition"] || !scope.defs.contains(name) {
        problems.push(format!(
            "the reply must hold exactly one top-level statement, `def {name}(...):`"
        ));
    }
    let globals: Vec<&String> = scope
        .refs
        .iter()
        .filter(|r| !pyscope::is_builtin(r) && !allowed.contains(*r) && r.as_str() != name)
        .collect();
    for global in globals {
        problems.push(format!(
            "`{global}` is a global name; import or define it inside the function"
        ));
    }
    if problems.is_empty() {
        Ok(code)
    } else {
        Err(problems)
    }
}

fn replace(text: &str, filled: &[(Stub, String)]) -> String {
    let mut out = text.to_string();
    // From the last stub to the first, so earlier ranges stay valid.
    for (stub, code) in filled.iter().rev() {
        out.replace_range(stub.range.clone(), code.trim_end_matches('\n'));
    }
    out
}

/// Indents every non-blank line. NOTE: lines inside a multi-line string get the indent too,
/// which changes the string's text.
fn indent(code: &str, prefix: &str) -> String {
    code.lines()
        .map(|line| {
            if line.trim().is_empty() {
                String::new()
            } else {
                format!("{prefix}{line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn dedent(code: &str, width: usize) -> String {
    code.lines()
        .map(|line| line.get(width..).unwrap_or(line.trim_start()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn pyscope_identifier(name: &str) -> bool {
    hexa_flowchart::pytext::is_identifier(name)
}

fn line_offsets(text: &str) -> Vec<(usize, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n')
        .map(|line| {
            let start = offset;
            offset += line.len();
            (start, line.trim_end_matches('\n'))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "import x\n\n\n@app.cell\ndef _():\n    def load_the_file():\n        \
                        \"\"\"load the file\"\"\"\n        print(\"stub: load the file\")\n        \
                        return None\n\n\n    def other():\n        return 1\n    return\n";

    #[test]
    fn finds_indented_stub() {
        let stubs = find_stubs(FILE);
        assert_eq!(stubs.len(), 1);
        assert_eq!(stubs[0].name, "load_the_file");
        assert_eq!(stubs[0].indent, "    ");
        assert!(FILE[stubs[0].range.clone()].ends_with("return None"));
    }

    #[test]
    fn replace_keeps_the_rest() {
        let stubs = find_stubs(FILE);
        let code = indent("def load_the_file():\n    return [1, 2]\n", "    ");
        let out = replace(FILE, &[(stubs[0].clone(), code)]);
        assert!(out.contains("    def load_the_file():\n        return [1, 2]\n\n\n    def other"));
        assert!(!out.contains("stub: load"));
    }

    #[test]
    fn check_function_rules() {
        let allowed = BTreeSet::from(["helper".to_string()]);
        let good = "```python\ndef f(x):\n    import math\n    return math.sqrt(helper(x))\n```";
        assert!(check_function(good, "f", &allowed).is_ok());
        let renamed = check_function("def g():\n    return 1\n", "f", &allowed);
        assert!(renamed.is_err());
        let extra = check_function("def f():\n    return 1\nf()\n", "f", &allowed);
        assert!(extra.is_err());
        let global = check_function("def f():\n    return np.zeros(3)\n", "f", &allowed)
            .expect_err("np is a global");
        assert!(global[0].contains("`np`"), "{global:?}");
    }
}
