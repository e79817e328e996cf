//! The messages hexa sends to the model: what each task asks for, and the feedback sent back
//! when a reply does not pass hexa's checks.

use super::client::Message;

const FLOWCHART_SYSTEM: &str = "\
You write Mermaid flowcharts that hexa turns into Python. Reply with exactly one fenced \
```mermaid block and nothing else. Rules:
- Start with `flowchart TD`.
- One start node `A([Start])` and at least one end node `Z([End])`.
- Inputs as parallelograms: `B[/Read n/]`. Output as `C[/Print total/]`.
- Assignments and conditions as Python: `D[i = i + 1]`, decisions `E{i <= n?}` with edges \
labelled `|Yes|` and `|No|`.
- Steps that are not Python are short English sentences in a rectangle: `F[load the file]`.
- Quote labels that contain parentheses, brackets or quotes: `G[\"total = sum(xs)\"]`.";

const CODE_SYSTEM: &str = "\
You turn a Mermaid flowchart into plain Python 3 code. Reply with exactly one fenced \
```python block and nothing else. Rules:
- Plain top-level code: imports first, then functions and classes, then the statements that \
run the flow. No `if __name__ == \"__main__\":` guard.
- Never call input(). Assign each input named below a sensible default value near the top.
- Print what the flowchart prints.
- Define every name once at the top level. No `import *`. No network or file writes.";

const STUB_SYSTEM: &str = "\
You implement one Python function. Reply with exactly one fenced ```python block holding \
only that function definition. Rules:
- Keep the function's name. Keep its parameters unless it takes `*args`, which you may \
replace with named parameters.
- Put any import inside the function body. Use no global names except builtins.
- Return a value of the same kind as the stub returns.
- Do not print `stub:` messages.";

/// The first request of `hexa flow`.
pub fn flowchart_request(prompt: &str) -> Vec<Message> {
    vec![
        Message::system(FLOWCHART_SYSTEM),
        Message::user(format!("Write a flowchart for this task:\n\n{prompt}")),
    ]
}

/// The first request of `hexa generate --llm`: the chart, the inputs the deterministic
/// generator found, and the user's extra instructions.
pub fn code_request(chart: &str, inputs: &[String], prompt: Option<&str>) -> Vec<Message> {
    let mut text = format!("Flowchart:\n```mermaid\n{}\n```\n", chart.trim_end());
    if !inputs.is_empty() {
        text.push_str(&format!("\nInputs: {}\n", inputs.join(", ")));
    }
    if let Some(prompt) = prompt.filter(|p| !p.trim().is_empty()) {
        text.push_str(&format!("\nInstructions: {prompt}\n"));
    }
    vec![Message::system(CODE_SYSTEM), Message::user(text)]
}

/// The request that fills one stub function of a generated file.
pub fn stub_request(chart: &str, stub: &str) -> Vec<Message> {
    vec![
        Message::system(STUB_SYSTEM),
        Message::user(format!(
            "The function belongs to the program generated from this flowchart:\n\
             ```mermaid\n{}\n```\n\nImplement this stub:\n```python\n{}\n```\n",
            chart.trim_end(),
            stub.trim_end()
        )),
    ]
}

/// Appends the rejected reply and the problems hexa found, asking for a corrected reply.
pub fn with_feedback(messages: &mut Vec<Message>, reply: &str, problems: &[String]) {
    messages.push(Message::assistant(reply));
    messages.push(Message::user(format!(
        "hexa rejected that reply:\n{}\n\nReply again with the whole corrected block and \
         nothing else.",
        problems.join("\n")
    )));
}
