//! Markdown code fences around Python, as chat models write them: prose, then a fence with
//! an optional `python` tag, the code, and a closing fence.

use super::rewrite::Edit;
use crate::span::Span;

/// Info-string words that mark a fence as Python. An untagged fence counts as Python too.
const PYTHON_TAGS: &[&str] = &["python", "python3", "py", "py3", "ipython", "ipython3"];

/// One fenced block: where its code is and whether its tag says Python.
#[derive(Debug)]
struct Block {
    /// The opening fence line, newline excluded.
    opener: Span,
    /// The code between the fences, without the newline before the closing fence.
    content: Span,
    is_python: bool,
}

/// What removing the fences does: the edits and a description of them.
#[derive(Debug)]
pub(super) struct Unfenced {
    pub edits: Vec<Edit>,
    /// The first opening fence line.
    pub opener: Span,
    pub message: String,
}

/// Returns the edits that keep only the code of the Python fences in `text`, or `None` when
/// `text` has no Python fence. The caller decides whether the text needs unfencing at all.
pub(super) fn unfence(text: &str) -> Option<Unfenced> {
    let blocks: Vec<Block> = blocks(text)
        .into_iter()
        .filter(|block| block.is_python)
        .collect();
    let first = blocks.first()?;
    let last = blocks.last()?;

    let mut edits = vec![Edit::delete(Span::new(0, first.content.start))];
    for pair in blocks.windows(2) {
        let between = Span::new(pair[0].content.end, pair[1].content.start);
        edits.push(Edit::replace(between, "\n\n"));
    }
    edits.push(Edit::delete(Span::new(last.content.end, text.len())));

    let kept: usize = blocks
        .iter()
        .map(|block| block.content.end - block.content.start)
        .sum();
    let outside = text.len().saturating_sub(kept);
    let prose = text[..first.opener.start].trim().len() + text[last.content.end..].trim().len();
    let fence_word = if blocks.len() == 1 { "fence" } else { "fences" };
    let mut message = format!("removed the markdown {fence_word} around the code");
    if prose > 0 && outside > 0 {
        message.push_str(" and the text outside it");
    }
    Some(Unfenced {
        edits,
        opener: first.opener,
        message,
    })
}

/// Finds the fenced blocks of `text`. A block whose closing fence is missing runs to the end.
fn blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<(char, usize, Span, bool, usize)> = None;
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let line_end = line_start + line.trim_end_matches(['\n', '\r']).len();
        let next_line = line_start + line.len();
        match (&open, parse_fence(line)) {
            (None, Some((marker, count, info))) => {
                let is_python = is_python_info(info);
                open = Some((
                    marker,
                    count,
                    Span::new(line_start, line_end),
                    is_python,
                    next_line,
                ));
            }
            (Some((marker, count, opener, is_python, content_start)), Some((m, c, info)))
                if *marker == m && c >= *count && info.trim().is_empty() =>
            {
                // The newline before the closing fence belongs to the fence, not the code.
                let content_end = line_start.saturating_sub(1).max(*content_start);
                blocks.push(Block {
                    opener: *opener,
                    content: Span::new(*content_start, content_end),
                    is_python: *is_python,
                });
                open = None;
            }
            _ => {}
        }
        line_start = next_line;
    }
    if let Some((_, _, opener, is_python, content_start)) = open {
        let content_end = text.trim_end().len().max(content_start);
        blocks.push(Block {
            opener,
            content: Span::new(content_start.min(content_end), content_end),
            is_python,
        });
    }
    blocks
}

/// Reads a fence line: its marker, how many markers and the info string after them.
fn parse_fence(line: &str) -> Option<(char, usize, &str)> {
    let trimmed = line.trim_start();
    let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let count = trimmed.chars().take_while(|c| *c == marker).count();
    if count < 3 {
        return None;
    }
    let info = trimmed[count..].trim();
    // CommonMark: the info string of a backtick fence may not contain a backtick.
    if marker == '`' && info.contains('`') {
        return None;
    }
    Some((marker, count, info))
}

fn is_python_info(info: &str) -> bool {
    let word = info
        .split(|c: char| c.is_whitespace() || c == ',')
        .next()
        .unwrap_or("")
        .trim_matches(|c| c == '{' || c == '}' || c == '.')
        .to_ascii_lowercase();
    word.is_empty() || PYTHON_TAGS.contains(&word.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fence_tag_decides_python() {
        assert!(is_python_info(""));
        assert!(is_python_info("Python"));
        assert!(is_python_info("{.python}"));
        assert!(!is_python_info("bash"));
    }

    #[test]
    fn fence_without_close_runs_to_end() {
        let found = blocks("```python\nx = 1\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].content, Span::new(10, 15));
    }
}
