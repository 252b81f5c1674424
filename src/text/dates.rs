//! Dates and years as reports print them: `2024年4月3日`, `2020-12-28`,
//! `2020.12.28`, `二〇二〇年十二月二十八日`, the damaged `20201228`.
//!
//! Below both cleaning (which must not glue a signature date to the text)
//! and metadata (which reads publication dates and report years), so it
//! lives here rather than in either.

use std::sync::LazyLock;

use regex::Regex;

use super::numbering::{chinese_numeral_value, trim_padding};

static DATE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"((?:19|20)\d{2})\s*(?:年|[-./])\s*(\d{1,2})\s*(?:月|[-./])\s*(\d{1,2})\s*日?")
        .expect("date regex")
});

/// The first date in `text` (`2024-04-03`, `2024年4月3日`), as `YYYY-MM-DD`.
pub fn find_date(text: &str) -> Option<String> {
    if text.len() > 2000 {
        return None;
    }
    let c = DATE_RE.captures(text)?;
    ymd(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?)
}

/// A line that is only a date, as `YYYY-MM-DD`: `2024年4月3日`, `2020-12-28`,
/// `2020.12.28`, `二〇二〇年十二月二十八日`, and the damaged `20201228`.
pub fn parse_date_only(text: &str) -> Option<String> {
    let text = trim_padding(text);
    if text.is_empty() || text.len() > 60 {
        return None;
    }
    static ARABIC: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^((?:19|20)\d{2})\s*(?:年|[-./．])\s*(\d{1,2})\s*(?:月|[-./．])\s*(\d{1,2})\s*日?$",
        )
        .expect("date")
    });
    static COMPACT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^((?:19|20)\d{2})(\d{2})(\d{2})$").expect("compact date"));
    static CHINESE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^([〇零○Ｏ一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日$")
            .expect("chinese date")
    });
    if let Some(c) = ARABIC.captures(text).or_else(|| COMPACT.captures(text)) {
        return ymd(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?);
    }
    if let Some(c) = CHINESE.captures(text) {
        let m = chinese_numeral_value(&c[2])?;
        let d = chinese_numeral_value(&c[3])?;
        return ymd(chinese_year(&c[1])?, m, d);
    }
    None
}

/// Format a valid calendar date.
fn ymd(y: i32, m: u32, d: u32) -> Option<String> {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1990..=2099).contains(&y).then_some(())?;
    (1..=days)
        .contains(&d)
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// A year written digit by digit in Chinese (`二〇二〇`).
pub fn chinese_year(s: &str) -> Option<i32> {
    let mut year = 0i32;
    for ch in s.chars() {
        let digit = match ch {
            '〇' | '零' | '○' | 'Ｏ' => 0,
            other => chinese_numeral_value(&other.to_string()).filter(|v| *v <= 9)?,
        };
        year = year * 10 + digit as i32;
    }
    (s.chars().count() == 4).then_some(year)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_forms() {
        assert_eq!(
            parse_date_only("2024年4月3日").as_deref(),
            Some("2024-04-03")
        );
        assert_eq!(parse_date_only("20201228").as_deref(), Some("2020-12-28"));
        assert_eq!(parse_date_only("2020-12-28").as_deref(), Some("2020-12-28"));
        assert_eq!(parse_date_only("2020.1.5").as_deref(), Some("2020-01-05"));
        assert_eq!(
            parse_date_only("二〇二二年一月十五日").as_deref(),
            Some("2022-01-15")
        );
        assert_eq!(parse_date_only("20201332"), None);
        assert_eq!(parse_date_only("2023年2月30日"), None);
        assert_eq!(parse_date_only("2023年，我局"), None);
        assert_eq!(
            find_date("生效日期: | 2024-04-03 |").as_deref(),
            Some("2024-04-03")
        );
    }

    #[test]
    fn chinese_years() {
        assert_eq!(chinese_year("二〇二〇"), Some(2020));
        assert_eq!(chinese_year("二○一九"), Some(2019));
        assert_eq!(chinese_year("二十"), None);
    }
}
