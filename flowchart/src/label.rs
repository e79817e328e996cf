//! Label reading: what a node's text means as code (input, output, assignment, condition,
//! terminal, or a natural-language step that becomes a stub).
//!
//! Reading is syntactic and per label. Whether a bare name in a label is a variable or text
//! is decided later, once every label of the chart has been read (see `program`).

use crate::pytext::{self, CodeKind};

/// What a label means, before chart-wide name resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    /// `Start`, `End`, `Stop`, ...: no code.
    Terminal,
    /// `Read n`, `Input a, b`, `Get age from user`: the variables read, then any extra
    /// statements written after them (`Read list a, n = len(a)`).
    Input {
        /// Variables read, in order.
        names: Vec<String>,
        /// Statements that follow the read in the same label.
        then: Vec<String>,
    },
    /// `Print ...`, `Display ...`, `Output ...`: the text after the verb.
    Output(String),
    /// One or more Python statements, one per entry.
    Statements(Vec<String>),
    /// A Python expression used as a decision.
    Condition(String),
    /// `Return x` or `Return`.
    Return(Option<String>),
    /// Natural language: becomes a stub function.
    Stub,
}

/// Reads a label. `decision` is true for diamond nodes and other branching nodes, whose
/// labels are read as conditions.
pub fn read_label(label: &str, decision: bool, io_shape: bool) -> Reading {
    let text = label.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = text.trim();
    if text.is_empty() {
        return Reading::Terminal;
    }
    if is_terminal(text) {
        return Reading::Terminal;
    }
    if decision {
        return match condition(text) {
            Some(code) => Reading::Condition(code),
            None => Reading::Stub,
        };
    }
    // `print = 5` or `input_value = 3` is code, even though it starts like `Print ...`.
    if pytext::classify(text) == CodeKind::Statement
        && !text.to_ascii_lowercase().starts_with("return")
    {
        return match statements(label) {
            Some(lines) => Reading::Statements(lines),
            None => Reading::Stub,
        };
    }
    if let Some(rest) = strip_verb(text, &["return"]) {
        let rest = rest.trim();
        if rest.is_empty() {
            return Reading::Return(None);
        }
        if pytext::classify(rest) == CodeKind::Expression || is_call(rest) {
            return Reading::Return(Some(rest.to_string()));
        }
    }
    if let Some(reading) = input(label) {
        return reading;
    }
    if io_shape {
        let names: Vec<&str> = text.split(',').map(str::trim).collect();
        if names.iter().all(|name| pytext::is_identifier(name)) {
            let names = names.iter().map(|n| n.to_string()).collect();
            return Reading::Input {
                names,
                then: Vec::new(),
            };
        }
    }
    if let Some(rest) = strip_verb(text, OUTPUT_VERBS) {
        return Reading::Output(rest.trim().to_string());
    }
    match statements(label) {
        Some(lines) => Reading::Statements(lines),
        None => Reading::Stub,
    }
}

const OUTPUT_VERBS: &[&str] = &[
    "print", "display", "output", "show", "write", "say", "echo", "emit",
];
const INPUT_VERBS: &[&str] = &[
    "read",
    "input",
    "get",
    "enter",
    "ask for",
    "ask",
    "accept",
    "take",
    "scan",
    "receive",
    "prompt for",
    "obtain",
];
const TYPE_WORDS: &[&str] = &[
    "list", "number", "numbers", "integer", "integers", "int", "float", "string", "value",
    "values", "array", "the", "of", "an", "two", "three",
];

fn is_terminal(text: &str) -> bool {
    let word = text.trim_end_matches(['.', '!']).to_ascii_lowercase();
    matches!(
        word.as_str(),
        "start"
            | "begin"
            | "end"
            | "stop"
            | "exit"
            | "finish"
            | "finished"
            | "done"
            | "halt"
            | "terminate"
            | "start program"
            | "end program"
    )
}

/// Strips a leading verb (case-insensitive, whole word, optional `:`) and returns the rest.
fn strip_verb<'a>(text: &'a str, verbs: &[&str]) -> Option<&'a str> {
    for verb in verbs {
        let Some(head) = text.get(..verb.len()) else {
            continue;
        };
        if !head.eq_ignore_ascii_case(verb) {
            continue;
        }
        let rest = &text[verb.len()..];
        if rest.is_empty() {
            return Some(rest);
        }
        if let Some(stripped) = rest.strip_prefix(':') {
            return Some(stripped.trim_start());
        }
        if rest.starts_with(' ') {
            return Some(rest.trim_start());
        }
    }
    None
}

fn is_call(text: &str) -> bool {
    pytext::classify(text) == CodeKind::Statement
        && text.trim_end().ends_with(')')
        && !text.contains('=')
}

/// Reads `Read n`, `Input a, b`, `Get age from user`, `Read list a, n = len(a)`.
fn input(label: &str) -> Option<Reading> {
    let text = label.split_whitespace().collect::<Vec<_>>().join(" ");
    let rest = strip_verb(&text, INPUT_VERBS)?;
    let rest = strip_suffixes(rest);
    let mut names = Vec::new();
    let mut then = Vec::new();
    for part in pytext::split_top_level(rest, ",") {
        let part = part.trim();
        if !names.is_empty() && pytext::classify(part) == CodeKind::Statement {
            then.push(part.to_string());
            continue;
        }
        if !then.is_empty() {
            return None;
        }
        for item in part.split(" and ") {
            let mut words: Vec<&str> = item
                .split_whitespace()
                .filter(|w| !TYPE_WORDS.contains(&w.to_ascii_lowercase().as_str()))
                .collect();
            if words.is_empty() {
                // `Read values`: the type word is the name.
                words = item.split_whitespace().collect();
            }
            if words.is_empty() || words.len() > 3 {
                return None;
            }
            let joined = words.join(" ");
            let name = if pytext::is_identifier(&joined) {
                joined
            } else {
                pytext::snake_case(&joined, 3)?
            };
            names.push(name);
        }
    }
    (!names.is_empty()).then_some(Reading::Input { names, then })
}

fn strip_suffixes(text: &str) -> &str {
    let lower = text.to_ascii_lowercase();
    for suffix in [
        " from the user",
        " from user",
        " from keyboard",
        " from the keyboard",
    ] {
        if lower.ends_with(suffix) {
            return &text[..text.len() - suffix.len()];
        }
    }
    text
}

/// Reads a label as statements: Python as written, or a known English pattern.
fn statements(label: &str) -> Option<Vec<String>> {
    let lines: Vec<&str> = label
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    let mut out = Vec::new();
    for line in lines {
        out.extend(statement_line(line)?);
    }
    (!out.is_empty()).then_some(out)
}

fn statement_line(line: &str) -> Option<Vec<String>> {
    let line = line.trim().trim_end_matches(';').trim();
    if let Some(code) = english_statement(line) {
        return Some(vec![code]);
    }
    let normal = normalize_assignment(line);
    if pytext::classify(&normal) == CodeKind::Statement {
        return Some(vec![normal]);
    }
    let mut out = Vec::new();
    for separator in [",", ";"] {
        let parts = pytext::split_top_level(&normal, separator);
        if parts.len() < 2 {
            continue;
        }
        out.clear();
        for part in parts {
            let part = part.trim();
            let code = english_statement(part).unwrap_or_else(|| normalize_assignment(part));
            if pytext::classify(&code) != CodeKind::Statement {
                out.clear();
                break;
            }
            out.push(code);
        }
        if !out.is_empty() {
            return Some(out);
        }
    }
    None
}

/// `x ← 5`, `x <- 5`, `x := 5` → `x = 5`; `i++` → `i += 1`.
fn normalize_assignment(line: &str) -> String {
    let line = line.replace('←', "=").replace(":=", "=");
    if let Some(name) = line.strip_suffix("++") {
        return format!("{} += 1", name.trim());
    }
    if let Some(name) = line.strip_suffix("--") {
        return format!("{} -= 1", name.trim());
    }
    if let Some((left, right)) = line.split_once("<-")
        && pytext::is_identifier(left.trim())
    {
        return format!("{} = {}", left.trim(), right.trim());
    }
    line
}

fn variable_name(text: &str) -> Option<String> {
    let text = text.trim();
    if pytext::is_identifier(text) || is_target(text) {
        return Some(text.to_string());
    }
    if text.split_whitespace().count() <= 3 {
        return pytext::snake_case(text, 3);
    }
    None
}

/// True for assignable targets such as `a[j]` or `p.x`.
fn is_target(text: &str) -> bool {
    pytext::classify(&format!("{text} = 0")) == CodeKind::Statement
        && !text.contains(' ')
        && !text.is_empty()
}

/// English statement patterns: `Set x to 5`, `Increment i`, `Swap a and b`, `Add x to total`.
fn english_statement(line: &str) -> Option<String> {
    let lower = line.to_ascii_lowercase();
    let after = |prefix: &str| -> Option<&str> {
        lower
            .starts_with(prefix)
            .then(|| line[prefix.len()..].trim())
    };
    let split_word = |text: &str, word: &str| -> Option<(String, String)> {
        let lower = text.to_ascii_lowercase();
        let at = lower.find(word)?;
        Some((
            text[..at].trim().to_string(),
            text[at + word.len()..].trim().to_string(),
        ))
    };
    for verb in ["calculate ", "compute "] {
        if let Some(rest) = after(verb) {
            let code = normalize_assignment(rest);
            if pytext::classify(&code) == CodeKind::Statement && code.contains('=') {
                return Some(code);
            }
        }
    }
    for verb in ["set ", "let ", "initialize ", "initialise ", "assign "] {
        let Some(rest) = after(verb) else {
            continue;
        };
        if verb == "assign " {
            let (value, name) = split_word(rest, " to ")?;
            return Some(format!("{} = {}", variable_name(&name)?, value));
        }
        let code = normalize_assignment(rest);
        if pytext::classify(&code) == CodeKind::Statement {
            return Some(code);
        }
        let (name, value) = split_word(rest, " to ").or_else(|| split_word(rest, " be "))?;
        return Some(format!("{} = {}", variable_name(&name)?, value));
    }
    for (verb, op) in [
        ("increment ", "+="),
        ("decrement ", "-="),
        ("increase ", "+="),
        ("decrease ", "-="),
    ] {
        if let Some(rest) = after(verb) {
            let (name, amount) = match split_word(rest, " by ") {
                Some((name, amount)) => (name, amount),
                None => (rest.to_string(), "1".to_string()),
            };
            return Some(format!("{} {op} {amount}", variable_name(&name)?));
        }
    }
    if let Some(rest) = after("add ") {
        let (value, name) = split_word(rest, " to ")?;
        return Some(format!("{} += {value}", variable_name(&name)?));
    }
    if let Some(rest) = after("subtract ") {
        let (value, name) = split_word(rest, " from ")?;
        return Some(format!("{} -= {value}", variable_name(&name)?));
    }
    for (verb, op) in [("multiply ", "*="), ("divide ", "/=")] {
        if let Some(rest) = after(verb) {
            let (name, value) = split_word(rest, " by ")?;
            return Some(format!("{} {op} {value}", variable_name(&name)?));
        }
    }
    if let Some(rest) = after("swap ") {
        let (left, right) = split_word(rest, " and ").or_else(|| split_word(rest, " with "))?;
        if is_target(&left) && is_target(&right) {
            return Some(format!("{left}, {right} = {right}, {left}"));
        }
    }
    None
}

/// Reads a decision label as a Python condition, or `None` for natural language.
pub fn condition(text: &str) -> Option<String> {
    let mut text = text.trim().trim_end_matches('?').trim().to_string();
    for prefix in [
        "check if ",
        "check whether ",
        "whether ",
        "if ",
        "is ",
        "are ",
        "does ",
        "do ",
    ] {
        let head = text.get(..prefix.len());
        if text.len() > prefix.len() && head.is_some_and(|h| h.eq_ignore_ascii_case(prefix)) {
            text = text[prefix.len()..].trim().to_string();
            break;
        }
    }
    let code = normalize_condition(&text);
    let code = code.trim();
    if pytext::classify(&format!("({code})")) == CodeKind::Expression {
        return Some(code.to_string());
    }
    None
}

fn normalize_condition(text: &str) -> String {
    let mut code = format!(" {text} ");
    for (from, to) in [
        ("≠", "!="),
        ("≤", "<="),
        ("≥", ">="),
        ("=/=", "!="),
        ("<>", "!="),
        ("÷", "/"),
        ("×", "*"),
        ("−", "-"),
        (" mod ", " % "),
        (" MOD ", " % "),
        (" div ", " // "),
        (" AND ", " and "),
        (" OR ", " or "),
        (" NOT ", " not "),
        (" is greater than or equal to ", " >= "),
        (" is less than or equal to ", " <= "),
        (" is not equal to ", " != "),
        (" is greater than ", " > "),
        (" is less than ", " < "),
        (" is equal to ", " == "),
        (" greater than ", " > "),
        (" less than ", " < "),
        (" equals ", " == "),
        (" is divisible by ", " % __DIV__ "),
        (" divisible by ", " % __DIV__ "),
    ] {
        code = code.replace(from, to);
    }
    if let Some(stripped) = code.trim_start().strip_prefix("NOT ") {
        code = format!(" not {stripped}");
    }
    let code = code.trim().to_string();
    if let Some(index) = code.find(" % __DIV__ ") {
        return format!("{} % {} == 0", &code[..index], &code[index + 11..]);
    }
    for (suffix, replacement) in [
        (" is even", " % 2 == 0"),
        (" even", " % 2 == 0"),
        (" is odd", " % 2 != 0"),
        (" odd", " % 2 != 0"),
        (" is positive", " > 0"),
        (" is negative", " < 0"),
        (" is zero", " == 0"),
    ] {
        if let Some(subject) = code.strip_suffix(suffix)
            && pytext::classify(&format!("({subject})")) == CodeKind::Expression
        {
            return format!("{subject}{replacement}");
        }
    }
    lone_equals_to_comparison(&code)
}

/// `a = b` in a decision means equality: turns each lone `=` into `==`.
fn lone_equals_to_comparison(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    let mut out = String::with_capacity(code.len() + 2);
    let mut quote: Option<char> = None;
    for (i, &ch) in chars.iter().enumerate() {
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => {}
            None if ch == '"' || ch == '\'' => quote = Some(ch),
            None if ch == '=' => {
                let prev = i.checked_sub(1).map(|j| chars[j]);
                let next = chars.get(i + 1).copied();
                let paired = matches!(prev, Some('=' | '<' | '>' | '!')) || next == Some('=');
                if !paired {
                    out.push_str("==");
                    continue;
                }
            }
            None => {}
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stmts(lines: &[&str]) -> Reading {
        Reading::Statements(lines.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn reads_terminals() {
        assert_eq!(read_label("Start", false, false), Reading::Terminal);
        assert_eq!(read_label("END", false, false), Reading::Terminal);
        assert_eq!(read_label("Stop.", false, false), Reading::Terminal);
    }

    #[test]
    fn reads_inputs() {
        let input = |names: &[&str], then: &[&str]| Reading::Input {
            names: names.iter().map(|s| s.to_string()).collect(),
            then: then.iter().map(|s| s.to_string()).collect(),
        };
        assert_eq!(read_label("Read n", false, false), input(&["n"], &[]));
        assert_eq!(
            read_label("Input a, b", false, false),
            input(&["a", "b"], &[])
        );
        assert_eq!(
            read_label("Get age from user", false, false),
            input(&["age"], &[])
        );
        assert_eq!(read_label("obtain: i", false, false), input(&["i"], &[]));
        assert_eq!(read_label("r", false, true), input(&["r"], &[]));
        assert_eq!(read_label("r", false, false), Reading::Stub);
        assert_eq!(
            read_label("Read list a, n = len(a)", false, false),
            input(&["a"], &["n = len(a)"])
        );
    }

    #[test]
    fn reads_outputs() {
        assert_eq!(
            read_label("Print FizzBuzz", false, false),
            Reading::Output("FizzBuzz".into())
        );
        assert_eq!(
            read_label("Display: total", false, false),
            Reading::Output("total".into())
        );
    }

    #[test]
    fn reads_statements() {
        assert_eq!(read_label("i = i + 1", false, false), stmts(&["i = i + 1"]));
        assert_eq!(read_label("Set x to 5", false, false), stmts(&["x = 5"]));
        assert_eq!(read_label("x ← x + 1", false, false), stmts(&["x = x + 1"]));
        assert_eq!(read_label("Increment i", false, false), stmts(&["i += 1"]));
        assert_eq!(
            read_label("Add x to total", false, false),
            stmts(&["total += x"])
        );
        assert_eq!(
            read_label("lo = 0, hi = len(arr) - 1, found = -1", false, false),
            stmts(&["lo = 0", "hi = len(arr) - 1", "found = -1"])
        );
        assert_eq!(
            read_label("swap a[j] and a[j+1]", false, false),
            stmts(&["a[j], a[j+1] = a[j+1], a[j]"])
        );
        assert_eq!(read_label("Validate order", false, false), Reading::Stub);
    }

    #[test]
    fn reads_conditions() {
        let cond = |s: &str| Reading::Condition(s.into());
        assert_eq!(read_label("Is i <= n?", true, false), cond("i <= n"));
        assert_eq!(read_label("x > 5?", true, false), cond("x > 5"));
        assert_eq!(read_label("Is n even?", true, false), cond("n % 2 == 0"));
        assert_eq!(read_label("n mod 2 == 0", true, false), cond("n % 2 == 0"));
        assert_eq!(
            read_label("x is greater than y", true, false),
            cond("x > y")
        );
        assert_eq!(read_label("a ≠ b", true, false), cond("a != b"));
        assert_eq!(read_label("a = b?", true, false), cond("a == b"));
        assert_eq!(
            read_label("x > 0 AND y > 0", true, false),
            cond("x > 0 and y > 0")
        );
        assert_eq!(read_label("Condition 3 holds?", true, false), Reading::Stub);
    }
}
