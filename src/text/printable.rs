//! Untrusted text made safe for a terminal: control characters shown as
//! visible stand-ins, as ripgrep and `ls` do.
//!
//! Why here, at the bottom: report text and file names reach people
//! through tables and snippets (the output layer) and through warnings
//! printed while indexing (the index layer); both use these. A scraped page
//! holding `ESC]0;…BEL`, `ESC[2J` or an OSC 52 sequence must not retitle or
//! clear the terminal or write its clipboard, and a file name with a line
//! break must not forge a line such as `fazhi: warning: …`. The same holds
//! for pages: [`escape_html`] is the one escape of the HTML and SVG fazhi
//! writes (the heatmap, the trend charts).

use std::borrow::Cow;

/// The visible stand-in of a control character: the Unicode control
/// picture for C0 controls and DEL (ESC → `␛`, LF → `␊`), U+FFFD for the
/// C1 controls (which have none).
pub fn visible_control(c: char) -> char {
    match c as u32 {
        u @ 0..=0x1f => char::from_u32(0x2400 + u).unwrap_or('\u{fffd}'),
        0x7f => '\u{2421}',
        _ => '\u{fffd}',
    }
}

/// `s` for one line of a terminal: every control character (line breaks
/// and tabs too) made visible, see [`visible_control`].
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| {
                if c.is_control() {
                    visible_control(c)
                } else {
                    c
                }
            })
            .collect(),
    )
}

/// Multi-line text for a terminal (a section's body): line breaks and
/// tabs kept, every other control character made visible.
pub fn printable_lines(s: &str) -> Cow<'_, str> {
    let keep = |c: char| matches!(c, '\n' | '\t');
    if !s.chars().any(|c| c.is_control() && !keep(c)) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| {
                if c.is_control() && !keep(c) {
                    visible_control(c)
                } else {
                    c
                }
            })
            .collect(),
    )
}

/// Terminal columns of a char: 2 for East Asian wide and full-width forms.
pub fn char_width(c: char) -> usize {
    let u = c as u32;
    let wide = (0x1100..=0x115f).contains(&u)
        || (0x2e80..=0xa4cf).contains(&u)
        || (0xac00..=0xd7a3).contains(&u)
        || (0xf900..=0xfaff).contains(&u)
        || (0xfe30..=0xfe4f).contains(&u)
        || (0xff00..=0xff60).contains(&u)
        || (0xffe0..=0xffe6).contains(&u)
        || (0x20000..=0x3fffd).contains(&u);
    if wide { 2 } else { 1 }
}

/// Terminal columns of a string (CJK and other wide characters count 2).
pub fn display_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// Escape text for HTML and XML (element content and attribute values).
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_become_visible() {
        assert_eq!(printable("a\u{1b}]0;x\u{7}b"), "a␛]0;x␇b");
        assert_eq!(printable("\u{1b}[2J"), "␛[2J");
        assert_eq!(printable("a\nfazhi: warning"), "a␊fazhi: warning");
        assert_eq!(printable("\u{9b}\u{7f}"), "\u{fffd}␡");
        assert_eq!(
            printable_lines("行一\n\t行二\u{1b}[2J\r"),
            "行一\n\t行二␛[2J␍"
        );
        assert!(matches!(printable("法治政府 (正文)"), Cow::Borrowed(_)));
    }
}
