//! Finds ```` ```mermaid ```` and `~~~mermaid` fenced blocks in Markdown text.

/// One fenced mermaid block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MermaidBlock {
    /// The block content, without the fence lines.
    pub text: String,
    /// Byte offset of the content in the Markdown text.
    pub offset: usize,
    /// 0-based line of the content's first line.
    pub line: usize,
    /// True when the content, after front matter, `%%` comments and `%%{init}%%`
    /// directives, starts with `flowchart` or `graph`.
    pub is_flowchart: bool,
}

/// Returns the mermaid blocks of a Markdown text in order. A block whose closing fence is
/// missing runs to the end of the text, as CommonMark specifies.
pub fn mermaid_blocks(markdown: &str) -> Vec<MermaidBlock> {
    let mut blocks = Vec::new();
    let mut lines = lines_with_offsets(markdown).enumerate();
    while let Some((line_number, (start, line))) = lines.next() {
        let Some(fence) = opening_fence(line) else {
            continue;
        };
        let content_start = start + line.len();
        let mut content_end = markdown.len();
        for (_, (close_start, close_line)) in lines.by_ref() {
            if is_closing_fence(close_line, &fence) {
                content_end = close_start;
                break;
            }
        }
        if !fence.is_mermaid {
            continue;
        }
        let text = &markdown[content_start..content_end];
        blocks.push(MermaidBlock {
            text: text.to_string(),
            offset: content_start,
            line: line_number + 1,
            is_flowchart: starts_with_flowchart(text),
        });
    }
    blocks
}

/// An opening fence: its character, its length and whether the info string is `mermaid`.
struct Fence {
    ch: char,
    len: usize,
    is_mermaid: bool,
}

/// Yields each line with its byte offset; the line keeps its `\n`.
fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n').map(move |line| {
        let start = offset;
        offset += line.len();
        (start, line)
    })
}

fn opening_fence(line: &str) -> Option<Fence> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let ch = rest.chars().next().filter(|ch| *ch == '`' || *ch == '~')?;
    let len = rest.chars().take_while(|c| *c == ch).count();
    if len < 3 {
        return None;
    }
    let info = rest[len..].trim();
    // A backtick fence's info string cannot contain a backtick.
    if ch == '`' && info.contains('`') {
        return None;
    }
    let language = info.split_whitespace().next().unwrap_or("");
    Some(Fence {
        ch,
        len,
        is_mermaid: language.eq_ignore_ascii_case("mermaid"),
    })
}

fn is_closing_fence(line: &str, fence: &Fence) -> bool {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return false;
    }
    let rest = line[indent..].trim_end();
    rest.len() >= fence.len && rest.chars().all(|c| c == fence.ch)
}

/// True when the first statement, after front matter, comments and directives, is a
/// `flowchart` or `graph` header.
fn starts_with_flowchart(text: &str) -> bool {
    let mut rest = text.trim_start();
    if let Some(after) = rest.strip_prefix("---") {
        match after.find("\n---") {
            Some(end) => {
                let after_close = &after[end + 4..];
                rest = after_close.trim_start_matches('-').trim_start();
            }
            None => return false,
        }
    }
    loop {
        if rest.starts_with("%%{") {
            let Some(end) = rest.find("}%%") else {
                return false;
            };
            rest = rest[end + 3..].trim_start();
        } else if rest.starts_with("%%") {
            rest = rest.find('\n').map_or("", |i| &rest[i + 1..]).trim_start();
        } else {
            break;
        }
    }
    ["flowchart", "graph"].iter().any(|keyword| {
        rest.strip_prefix(keyword).is_some_and(|after| {
            !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        })
    })
}

#[cfg(test)]
mod tests {
    use super::mermaid_blocks;

    #[test]
    fn finds_backtick_and_tilde_blocks() {
        let markdown = "# T\n```mermaid\nflowchart TD\n  A --> B\n```\ntext\n~~~mermaid\nsequenceDiagram\n~~~\n";
        let blocks = mermaid_blocks(markdown);
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].text, "flowchart TD\n  A --> B\n");
        assert_eq!(blocks[0].line, 2);
        assert_eq!(
            &markdown[blocks[0].offset..blocks[0].offset + 9],
            "flowchart"
        );
        assert!(blocks[0].is_flowchart);
        assert_eq!(blocks[1].line, 7);
        assert!(!blocks[1].is_flowchart);
    }

    #[test]
    fn flowchart_after_front_matter_and_directive() {
        let markdown = "```mermaid\n---\ntitle: X\n---\n%%{init: {}}%%\n%% c\ngraph LR\n```\n";
        let blocks = mermaid_blocks(markdown);
        assert_eq!(blocks.len(), 1);
        assert!(blocks[0].is_flowchart);
    }

    #[test]
    fn skips_other_languages_and_longer_fences() {
        let markdown = "````md\n```mermaid\ngraph TD\n```\n````\n```python\nx\n```\n";
        assert!(mermaid_blocks(markdown).is_empty());
    }

    #[test]
    fn unclosed_block_runs_to_end() {
        let blocks = mermaid_blocks("```mermaid\ngraph TD\nA-->B");
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].text, "graph TD\nA-->B");
    }
}
