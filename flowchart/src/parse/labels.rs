//! Label text: quotes, markdown strings, entities and `<br>` line breaks.

/// Decodes label text into the text the rendered chart shows: surrounding quotes and
/// markdown backticks removed, `#name;`/`#123;` and `&name;`/`&#123;` entities decoded,
/// `<br>` (any spelling) turned into a newline and the ends trimmed. Other HTML tags stay.
pub fn decode_label(raw: &str) -> String {
    decode_text(unquote(raw.trim()))
}

/// Decodes entities and `<br>` in text that has no quotes to strip, then trims it.
pub(super) fn decode_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(ch) = rest.chars().next() {
        if let Some((decoded, used)) = entity_at(rest) {
            out.push_str(&decoded);
            rest = &rest[used..];
        } else if let Some(used) = line_break_at(rest) {
            out.push('\n');
            rest = &rest[used..];
        } else {
            out.push(ch);
            rest = &rest[ch.len_utf8()..];
        }
    }
    out.trim().to_string()
}

/// Encodes label text so that [`decode_label`] of it in quotes returns it unchanged: `"`
/// becomes `#quot;`, a newline becomes `<br>`, and `#`, `&` or `<` that would start an
/// entity or a `<br>` are written as entities. A leading backtick is encoded too, because
/// `"`…`"` reads as a markdown string. The text should be trimmed, since decoding trims.
pub fn encode_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (i, ch) in text.char_indices() {
        let rest = &text[i..];
        let needs_entity = match ch {
            '"' => {
                out.push_str("#quot;");
                continue;
            }
            '\n' => {
                out.push_str("<br>");
                continue;
            }
            // An entity inserted right after `#` or `&` would be read as `##59;`, so those
            // are encoded too.
            '#' | '&' => {
                let next = rest[1..].chars().next();
                entity_at(rest).is_some() || matches!(next, Some('"' | '#' | '&'))
            }
            '<' => line_break_at(rest).is_some(),
            '`' => i == 0,
            _ => false,
        };
        if needs_entity {
            out.push_str(&format!("#{};", u32::from(ch)));
        } else {
            out.push(ch);
        }
    }
    out
}

/// Reads a YAML scalar from `@{ … }` data: `"…"` with backslash escapes, `'…'` with `''`
/// for a quote, or plain text.
pub(super) fn yaml_scalar(raw: &str) -> String {
    let raw = raw.trim();
    if let Some(inner) = raw.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(ch) = chars.next() {
            if ch != '\\' {
                out.push(ch);
                continue;
            }
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        }
        return out;
    }
    if let Some(inner) = raw.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')) {
        return inner.replace("''", "'");
    }
    raw.to_string()
}

/// Strips `"…"` and markdown-string quotes ``"`…`"``.
fn unquote(text: &str) -> &str {
    if let Some(inner) = text.strip_prefix("\"`").and_then(|t| t.strip_suffix("`\"")) {
        return inner;
    }
    if text.len() >= 2 && text.starts_with('"') && text.ends_with('"') {
        return &text[1..text.len() - 1];
    }
    text
}

/// Length of a `<br>`, `<br/>` or `<br />` tag (any case) at the start of `text`.
fn line_break_at(text: &str) -> Option<usize> {
    let head = text.get(..3)?;
    if !head.eq_ignore_ascii_case("<br") {
        return None;
    }
    let close = text[3..].find('>')?;
    let between = &text[3..3 + close];
    between
        .chars()
        .all(|ch| ch == ' ' || ch == '/')
        .then_some(3 + close + 1)
}

/// Decodes an entity at the start of `text`: mermaid's `#quot;`/`#35;` or HTML's
/// `&quot;`/`&#35;`/`&#x23;`. Returns the text and the bytes used.
fn entity_at(text: &str) -> Option<(String, usize)> {
    let lead = text.chars().next()?;
    if lead != '#' && lead != '&' {
        return None;
    }
    let body_end = text[1..].find(';')? + 1;
    let body = &text[1..body_end];
    if body.is_empty() || body.len() > 10 {
        return None;
    }
    let decoded = if let Some(number) = body.strip_prefix('#') {
        decode_number(number)?
    } else if body.chars().all(|ch| ch.is_ascii_digit()) && lead == '#' {
        decode_number(body)?
    } else {
        named_entity(body)?.to_string()
    };
    Some((decoded, body_end + 1))
}

fn decode_number(number: &str) -> Option<String> {
    let value = match number.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => number.parse::<u32>().ok()?,
    };
    char::from_u32(value).map(String::from)
}

/// Named entities people write in flowchart labels. Unknown names stay as written.
fn named_entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "quot" => "\"",
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "apos" => "'",
        "nbsp" => "\u{a0}",
        "num" => "#",
        "semi" => ";",
        "colon" => ":",
        "comma" => ",",
        "vert" | "verbar" => "|",
        "lpar" => "(",
        "rpar" => ")",
        "lsqb" | "lbrack" => "[",
        "rsqb" | "rbrack" => "]",
        "lcub" | "lbrace" => "{",
        "rcub" | "rbrace" => "}",
        "copy" => "©",
        "reg" => "®",
        "deg" => "°",
        "plusmn" => "±",
        "times" => "×",
        "divide" => "÷",
        "ne" => "≠",
        "le" => "≤",
        "ge" => "≥",
        "larr" => "←",
        "rarr" => "→",
        "uarr" => "↑",
        "darr" => "↓",
        "harr" => "↔",
        "hearts" => "♥",
        "hellip" => "…",
        "mdash" => "—",
        "ndash" => "–",
        "bull" => "•",
        "infin" => "∞",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::{decode_label, encode_text};

    #[test]
    fn decodes_entities_and_breaks() {
        assert_eq!(decode_label("\"say #quot;hi#quot;\""), "say \"hi\"");
        assert_eq!(decode_label("a<br>b<BR/>c<br />d"), "a\nb\nc\nd");
        assert_eq!(decode_label("#35; #9829; &lt;x&gt; &#35;"), "# ♥ <x> #");
        assert_eq!(decode_label("\"`**md**`\""), "**md**");
        assert_eq!(decode_label("#unknown; <b>x</b>"), "#unknown; <b>x</b>");
    }

    #[test]
    fn encoded_text_decodes_to_itself() {
        let texts = [
            "say \"hi\"",
            "a\nb",
            "#35; and &amp; stay literal",
            "<br> literal",
            "`md`",
            "x;y[z]",
            "&\"#",
            "café ☕ (1) {2}",
        ];
        for text in texts {
            let encoded = encode_text(text);
            assert!(!encoded.contains('"'), "{encoded}");
            assert_eq!(decode_label(&format!("\"{encoded}\"")), text, "{encoded}");
        }
    }
}
