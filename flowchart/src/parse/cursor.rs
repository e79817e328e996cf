//! Byte cursor over the source: whitespace, identifiers, keywords and statement ends.

/// A position in the source text. Every offset it hands out is on a char boundary.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cursor<'a> {
    pub src: &'a str,
    pub pos: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(src: &'a str, pos: usize) -> Self {
        Cursor { src, pos }
    }

    pub fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or("")
    }

    pub fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    pub fn peek_at(&self, n: usize) -> Option<char> {
        self.rest().chars().nth(n)
    }

    pub fn starts_with(&self, text: &str) -> bool {
        self.rest().starts_with(text)
    }

    pub fn eat(&mut self, text: &str) -> bool {
        if self.starts_with(text) {
            self.pos += text.len();
            true
        } else {
            false
        }
    }

    /// Skips spaces and tabs (not newlines).
    pub fn skip_inline_ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\r')) {
            self.pos += 1;
        }
    }

    /// True at a newline, `;` or the end of the text.
    pub fn at_statement_end(&self) -> bool {
        matches!(self.peek(), None | Some('\n' | ';'))
    }

    /// Offset of the end of the current line (before the newline).
    pub fn line_end(&self) -> usize {
        self.rest()
            .find('\n')
            .map_or(self.src.len(), |i| self.pos + i)
    }

    /// True when `word` starts here and is followed by a non-word character, like `\b` in the
    /// JavaScript regular expressions of mermaid's lexer (ASCII word characters only).
    pub fn at_keyword(&self, word: &str) -> bool {
        let rest = self.rest();
        rest.starts_with(word) && !rest[word.len()..].starts_with(is_ascii_word_char)
    }

    /// Reads a node id as mermaid's lexer does (`NODE_STRING`, `NUM` and Unicode letters).
    pub fn scan_id(&mut self) -> Option<(usize, usize)> {
        let start = self.pos;
        while let Some(ch) = self.peek() {
            if ch == '-' {
                if matches!(self.peek_at(1), Some('>' | '-' | '.')) {
                    break;
                }
                self.pos += 1;
            } else if is_id_char(ch) {
                self.pos += ch.len_utf8();
            } else {
                break;
            }
        }
        (self.pos > start).then_some((start, self.pos))
    }
}

fn is_ascii_word_char(ch: char) -> bool {
    ch.is_ascii_alphanumeric() || ch == '_'
}

/// Characters mermaid accepts in a node id, besides `-` which has a lookahead rule.
pub(super) fn is_id_char(ch: char) -> bool {
    ch.is_alphanumeric()
        || matches!(
            ch,
            '!' | '#' | '$' | '%' | '&' | '\'' | '*' | '+' | '.' | '`' | '?' | '\\'
        )
        || matches!(ch, '_' | '/')
}
