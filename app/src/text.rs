//! What a typed text may contain. Pure.
//!
//! Every text a client sends (names, comments, purposes, notes…) goes through
//! [`clean`] before it is stored. The refusals are per character class:
//! - control characters (NUL, the C0 and C1 ranges, DEL) are refused: they are
//!   never typed on purpose and break logs, exports and other programs;
//! - bidirectional overrides, embeddings and isolates (U+202A–U+202E,
//!   U+2066–U+2069) are refused: U+202E makes a name display reversed, so a
//!   customer or a comment could show as something it is not;
//! - U+FFFD, the replacement character, is refused: it is what invalid UTF-8
//!   turns into when a form decoder is lenient, so the text was damaged on the way.
//!
//! Line breaks are allowed only in multi-line fields (`\r\n` and `\r` become
//! `\n`); in a single-line field a tab or line break becomes a space. A byte-order
//! mark or zero-width space is dropped: invisible, and only ever pasted.

/// The shape of a field: how long it may be and whether it has lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub max_chars: usize,
    pub multiline: bool,
}

impl Shape {
    pub const fn line(max_chars: usize) -> Shape {
        Shape {
            max_chars,
            multiline: false,
        }
    }

    pub const fn lines(max_chars: usize) -> Shape {
        Shape {
            max_chars,
            multiline: true,
        }
    }
}

/// Translation codes of the refusals.
pub const CONTROL_CHARS: &str = "control_chars";
pub const BIDI_CHARS: &str = "bidi_chars";
pub const INVALID_CHARS: &str = "invalid_chars";
pub const TOO_LONG: &str = "too_long";

/// Bidirectional embedding, override and isolate controls.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Invisible characters that are dropped silently (pasted, never meant).
fn is_dropped(c: char) -> bool {
    matches!(c, '\u{FEFF}' | '\u{200B}')
}

/// The first character class `raw` may not contain, as a translation code.
pub fn refusal(raw: &str) -> Option<&'static str> {
    for c in raw.chars() {
        let allowed_control = matches!(c, '\t' | '\n' | '\r');
        if c.is_control() && !allowed_control {
            return Some(CONTROL_CHARS);
        }
        if is_bidi_control(c) {
            return Some(BIDI_CHARS);
        }
        if c == '\u{FFFD}' {
            return Some(INVALID_CHARS);
        }
    }
    None
}

/// The text as it is stored: refused characters named, line breaks normalized,
/// invisible characters dropped, trimmed, at most `shape.max_chars` characters.
pub fn clean(raw: &str, shape: Shape) -> Result<String, &'static str> {
    if let Some(code) = refusal(raw) {
        return Err(code);
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if is_dropped(c) => {}
            '\r' if shape.multiline => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\t' | '\n' | '\r' if !shape.multiline => out.push(' '),
            c => out.push(c),
        }
    }
    let trimmed = out.trim();
    if trimmed.chars().count() > shape.max_chars {
        return Err(TOO_LONG);
    }
    Ok(trimmed.to_string())
}

/// [`clean`] as a server function's validation error on `field`.
pub fn checked(field: &str, raw: &str, shape: Shape) -> Result<String, crate::error::AppError> {
    clean(raw, shape).map_err(|code| crate::error::AppError::validation(field, code))
}

/// [`clean`] with the field's name on the refusal, for forms that show it next
/// to the input.
pub fn clean_field(
    field: &'static str,
    raw: &str,
    shape: Shape,
) -> Result<String, (&'static str, &'static str)> {
    clean(raw, shape).map_err(|code| (field, code))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const LINE: Shape = Shape::line(10);
    const LINES: Shape = Shape::lines(10);

    #[rstest]
    #[case::plain("  华为 ", LINE, Ok("华为"))]
    #[case::nul("a\0b", LINE, Err(CONTROL_CHARS))]
    #[case::bell("a\u{7}", LINES, Err(CONTROL_CHARS))]
    #[case::escape("\u{1b}[31m", LINE, Err(CONTROL_CHARS))]
    #[case::delete("a\u{7f}", LINE, Err(CONTROL_CHARS))]
    #[case::c1("a\u{85}", LINES, Err(CONTROL_CHARS))]
    #[case::rlo("abc\u{202E}def", LINE, Err(BIDI_CHARS))]
    #[case::lre("\u{202A}x", LINES, Err(BIDI_CHARS))]
    #[case::isolate("x\u{2067}y", LINE, Err(BIDI_CHARS))]
    #[case::replacement("a\u{FFFD}", LINE, Err(INVALID_CHARS))]
    #[case::newline_in_line("a\nb", LINE, Ok("a b"))]
    #[case::tab_in_line("a\tb", LINE, Ok("a b"))]
    #[case::crlf_in_lines("a\r\nb\rc", LINES, Ok("a\nb\nc"))]
    #[case::tab_in_lines("a\tb", LINES, Ok("a\tb"))]
    #[case::bom_dropped("\u{FEFF}ab\u{200B}c", LINE, Ok("abc"))]
    #[case::zwj_kept("👨\u{200D}👩", LINE, Ok("👨\u{200D}👩"))]
    #[case::ten_chars("一二三四五六七八九十", LINE, Ok("一二三四五六七八九十"))]
    #[case::eleven_chars("一二三四五六七八九十百", LINE, Err(TOO_LONG))]
    #[case::length_after_trim("  一二三四五六七八九十  ", LINES, Ok("一二三四五六七八九十"))]
    #[case::rtl_letters_kept("مرحبا", LINE, Ok("مرحبا"))]
    fn cases(#[case] raw: &str, #[case] shape: Shape, #[case] want: Result<&str, &str>) {
        assert_eq!(clean(raw, shape).as_deref().map_err(|e| *e), want);
    }

    #[test]
    fn the_field_is_named() {
        assert_eq!(
            clean_field("name", "a\u{202E}", LINE),
            Err(("name", BIDI_CHARS))
        );
    }

    #[test]
    fn every_c0_control_but_tab_and_breaks_is_refused() {
        for b in 0u32..0x20 {
            let c = char::from_u32(b).unwrap();
            let s = format!("a{c}b");
            let refused = clean(&s, LINES).is_err();
            assert_eq!(refused, !matches!(c, '\t' | '\n' | '\r'), "U+{b:04X}");
        }
    }
}
