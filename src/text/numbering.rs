//! Heading markers of Chinese official documents.
//!
//! The four conventional levels are `一、` › `（一）` › `1.` › `（1）`. Sources
//! mix half- and full-width brackets and dots, indent with NBSP or U+3000, and
//! sometimes number a level with the wrong style (`（1）（2）（三）` as siblings),
//! so a marker reports its *style* and the parser decides the level by context.

/// The numbering style of a heading marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MarkerStyle {
    /// `一、` `十二、`
    ChineseComma,
    /// `（一）` `(一)`
    ChineseParen,
    /// `1.` `1、` `1．`
    ArabicDot,
    /// `（1）` `(1)`
    ArabicParen,
}

impl MarkerStyle {
    /// Conventional depth of the style: 1 for `一、` … 4 for `（1）`.
    pub fn conventional_level(self) -> u8 {
        match self {
            MarkerStyle::ChineseComma => 1,
            MarkerStyle::ChineseParen => 2,
            MarkerStyle::ArabicDot => 3,
            MarkerStyle::ArabicParen => 4,
        }
    }
}

/// A heading marker found at the start of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub style: MarkerStyle,
    /// The number the marker carries (一 = 1, 十二 = 12).
    pub number: u32,
    /// Byte offset in the (trimmed) line where the text after the marker starts.
    pub rest_start: usize,
}

/// Characters that pad lines in scraped text: ASCII and Unicode spaces, NBSP, U+3000.
pub fn is_padding(c: char) -> bool {
    c.is_whitespace() || c == '\u{a0}' || c == '\u{3000}' || c == '\u{feff}'
}

/// `s` without any padding, inside too: labels are printed spaced out
/// (`文 号:`) and names split by a stray space (`许昌市教育局 关于`).
pub fn without_padding(s: &str) -> String {
    s.chars().filter(|c| !is_padding(*c)).collect()
}

/// Trim padding (including NBSP and U+3000) from both ends.
pub fn trim_padding(s: &str) -> &str {
    s.trim_matches(is_padding)
}

/// Value of a Chinese numeral from 一 to 九十九 (also 〇/零 as 0); `None` otherwise.
pub fn chinese_numeral_value(s: &str) -> Option<u32> {
    fn digit(c: char) -> Option<u32> {
        Some(match c {
            '〇' | '零' => 0,
            '一' => 1,
            '二' => 2,
            '三' => 3,
            '四' => 4,
            '五' => 5,
            '六' => 6,
            '七' => 7,
            '八' => 8,
            '九' => 9,
            _ => return None,
        })
    }
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [c] if *c == '十' => Some(10),
        [c] => digit(*c),
        ['十', u] => Some(10 + digit(*u)?),
        [t, '十'] => Some(digit(*t)? * 10),
        [t, '十', u] => Some(digit(*t)? * 10 + digit(*u)?),
        _ => None,
    }
}

const CHINESE_DIGITS: &str = "〇零一二三四五六七八九十";

/// Recognise a heading marker at the start of `line` (padding is trimmed first;
/// `rest_start` is relative to the trimmed line).
pub fn parse_marker(line: &str) -> Option<Marker> {
    let line = trim_padding(line);
    let mut chars = line.char_indices().peekable();
    let (_, first) = *chars.peek()?;
    if first == '（' || first == '(' {
        chars.next();
        let mut inner = String::new();
        let mut close_end = None;
        for (i, c) in chars.by_ref() {
            if c == '）' || c == ')' {
                close_end = Some(i + c.len_utf8());
                break;
            }
            if inner.chars().count() >= 4 {
                return None;
            }
            inner.push(c);
        }
        let close_end = close_end?;
        let inner = trim_padding(&inner);
        let (style, number) = if inner.chars().all(|c| CHINESE_DIGITS.contains(c)) {
            (MarkerStyle::ChineseParen, chinese_numeral_value(inner)?)
        } else if !inner.is_empty() && inner.chars().all(|c| c.is_ascii_digit()) {
            (MarkerStyle::ArabicParen, inner.parse().ok()?)
        } else {
            return None;
        };
        return Some(Marker {
            style,
            number,
            rest_start: skip_padding(line, close_end),
        });
    }
    if CHINESE_DIGITS.contains(first) {
        let end = line
            .char_indices()
            .find(|(_, c)| !CHINESE_DIGITS.contains(*c))
            .map(|(i, _)| i)?;
        let number = chinese_numeral_value(&line[..end])?;
        let sep = line[end..].chars().next()?;
        if sep != '、' {
            return None;
        }
        return Some(Marker {
            style: MarkerStyle::ChineseComma,
            number,
            rest_start: skip_padding(line, end + sep.len_utf8()),
        });
    }
    if first.is_ascii_digit() {
        let end = line.find(|c: char| !c.is_ascii_digit())?;
        if end > 2 {
            return None; // years and counts, not heading numbers
        }
        let sep = line[end..].chars().next()?;
        if !matches!(sep, '.' | '、' | '．') {
            return None;
        }
        let after = end + sep.len_utf8();
        // "1.5亿" or "12.4宪法日" are numbers, not headings.
        if line[after..].starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        return Some(Marker {
            style: MarkerStyle::ArabicDot,
            number: line[..end].parse().ok()?,
            rest_start: skip_padding(line, after),
        });
    }
    None
}

fn skip_padding(line: &str, from: usize) -> usize {
    line[from..]
        .char_indices()
        .find(|(_, c)| !is_padding(*c))
        .map(|(i, _)| from + i)
        .unwrap_or(line.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style_number(s: &str) -> Option<(MarkerStyle, u32, &str)> {
        let t = trim_padding(s);
        parse_marker(s).map(|m| (m.style, m.number, &t[m.rest_start..]))
    }

    #[test]
    fn chinese_comma() {
        assert_eq!(
            style_number("一、基本情况"),
            Some((MarkerStyle::ChineseComma, 1, "基本情况"))
        );
        assert_eq!(
            style_number("\u{a0} 四、严格落实"),
            Some((MarkerStyle::ChineseComma, 4, "严格落实"))
        );
        assert_eq!(
            style_number("十二、其他"),
            Some((MarkerStyle::ChineseComma, 12, "其他"))
        );
        assert_eq!(style_number("一是加强"), None);
        assert_eq!(style_number("一年来，我局"), None);
    }

    #[test]
    fn chinese_paren_half_and_full_width() {
        assert_eq!(
            style_number("（一）加强组织领导。"),
            Some((MarkerStyle::ChineseParen, 1, "加强组织领导。"))
        );
        assert_eq!(
            style_number("(三)强化法治教育"),
            Some((MarkerStyle::ChineseParen, 3, "强化法治教育"))
        );
        assert_eq!(
            style_number("  （四）深化"),
            Some((MarkerStyle::ChineseParen, 4, "深化"))
        );
    }

    #[test]
    fn arabic_styles() {
        assert_eq!(
            style_number("1.切实履行"),
            Some((MarkerStyle::ArabicDot, 1, "切实履行"))
        );
        assert_eq!(
            style_number("2、大力推动"),
            Some((MarkerStyle::ArabicDot, 2, "大力推动"))
        );
        assert_eq!(
            style_number("3．依法"),
            Some((MarkerStyle::ArabicDot, 3, "依法"))
        );
        assert_eq!(
            style_number("（1） 强化"),
            Some((MarkerStyle::ArabicParen, 1, "强化"))
        );
        assert_eq!(
            style_number("(2)提高"),
            Some((MarkerStyle::ArabicParen, 2, "提高"))
        );
    }

    #[test]
    fn numbers_are_not_markers() {
        assert_eq!(style_number("2020年，我局"), None);
        assert_eq!(style_number("12.4宪法日"), None);
        assert_eq!(style_number("（联系人：樊振刚）"), None);
        assert_eq!(style_number("(2015-2020)"), None);
        assert_eq!(style_number(""), None);
    }

    #[test]
    fn numeral_values() {
        assert_eq!(chinese_numeral_value("九"), Some(9));
        assert_eq!(chinese_numeral_value("十"), Some(10));
        assert_eq!(chinese_numeral_value("十五"), Some(15));
        assert_eq!(chinese_numeral_value("二十"), Some(20));
        assert_eq!(chinese_numeral_value("二十三"), Some(23));
        assert_eq!(chinese_numeral_value("一二"), None);
    }
}
