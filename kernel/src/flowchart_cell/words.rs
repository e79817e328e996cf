//! Splitting of a `%%flowchart` option line into words, as a POSIX shell does and as Python's
//! `shlex.split` does for `%hexa`. Quotes group, a backslash escapes, and nothing is expanded.

/// Error from splitting a line into words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitError {
    /// A quote (`'` or `"`) opened at this character column (1-based) is never closed.
    UnclosedQuote {
        /// Quote character.
        quote: char,
        /// 1-based character column of the quote in the line.
        column: usize,
    },
    /// The line ends with a backslash that escapes nothing.
    TrailingBackslash,
}

/// Splits `line` into words separated by whitespace.
///
/// `'...'` keeps everything literally. `"..."` keeps everything too, but `\"` and `\\` in it
/// stand for `"` and `\`. Outside quotes, a backslash makes the next character literal.
pub fn split(line: &str) -> Result<Vec<String>, SplitError> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars().enumerate().peekable();
    while let Some((index, ch)) = chars.next() {
        match ch {
            c if c.is_whitespace() => words.extend(word.take()),
            '\\' => {
                let (_, escaped) = chars.next().ok_or(SplitError::TrailingBackslash)?;
                word.get_or_insert_default().push(escaped);
            }
            '\'' | '"' => {
                let current = word.get_or_insert_default();
                let unclosed = SplitError::UnclosedQuote {
                    quote: ch,
                    column: index + 1,
                };
                loop {
                    let (_, inner) = chars.next().ok_or_else(|| unclosed.clone())?;
                    match inner {
                        c if c == ch => break,
                        '\\' if ch == '"' => match chars.peek() {
                            Some(&(_, next @ ('"' | '\\'))) => {
                                current.push(next);
                                chars.next();
                            }
                            _ => current.push('\\'),
                        },
                        c => current.push(c),
                    }
                }
            }
            c => word.get_or_insert_default().push(c),
        }
    }
    words.extend(word);
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        split(line).expect("line splits into words")
    }

    #[test]
    fn quotes_group_words() {
        assert_eq!(words("--set 'guess=[50, 42]'"), ["--set", "guess=[50, 42]"]);
        assert_eq!(words("--set \"n=a b\" x"), ["--set", "n=a b", "x"]);
        assert_eq!(words("--set n='a b'c"), ["--set", "n=a bc"]);
        assert_eq!(words("  a\t b  "), ["a", "b"]);
        assert_eq!(words("''"), [""]);
        assert!(words("   ").is_empty());
    }

    #[test]
    fn backslashes_escape() {
        assert_eq!(words(r"n=a\ b"), ["n=a b"]);
        assert_eq!(words(r#""say \"hi\" \n""#), [r#"say "hi" \n"#]);
        assert_eq!(words(r"'a\b'"), [r"a\b"]);
    }

    #[test]
    fn unbalanced_input_is_error() {
        assert_eq!(
            split("--set 'n=1"),
            Err(SplitError::UnclosedQuote {
                quote: '\'',
                column: 7
            })
        );
        assert_eq!(
            split("a \"b"),
            Err(SplitError::UnclosedQuote {
                quote: '"',
                column: 3
            })
        );
        assert_eq!(split(r"n=1\"), Err(SplitError::TrailingBackslash));
    }
}
