//! The report's title: where it stands and what it says.
//!
//! On a web page the title is rarely the first line: page chrome (`今天是…`,
//! nav bars, login and font-size widgets, the site's own name) comes first,
//! and the page title may carry the site's name after `_` or ` - `. So the
//! title is *searched for* among the opening paragraphs, up to the first
//! paragraph of running text, rather than expected at line one. Among the
//! title-shaped lines, one that names rule-of-law work (`法治`, `依法行政`)
//! wins over others (`政府信息公开工作报告` in a sidebar).

use crate::ingest::clean::{Paragraph, is_org_name_only};
use crate::text::numbering::{is_padding, parse_marker, trim_padding};

/// Words a report title ends with (both scripts).
const TITLE_ENDINGS: &[&str] = &[
    "报告",
    "總結",
    "总结",
    "汇报",
    "匯報",
    "彙報",
    "情况",
    "情況",
    "报告书",
    "要点",
    "報告",
];

/// Words that mark a title as a rule-of-law report rather than other page furniture.
const SUBJECT_WORDS: &[&str] = &["法治", "依法行政", "法制", "依法治"];

/// How far into a page the title is looked for (paragraphs).
const TITLE_SEARCH: usize = 40;

/// A title found in the paragraphs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundTitle {
    pub text: String,
    /// Paragraph index of the (first line of the) title.
    pub at: usize,
    /// Index of the second line when the title is split over two.
    pub second: Option<usize>,
}

/// A short line without sentence punctuation: could be (part of) a title.
pub fn title_shaped(text: &str) -> bool {
    let n = text.chars().take(81).count();
    (2..=80).contains(&n)
        && !text.contains(['。', '！', '？', '；', ';', '：', ':', '>', '|', '，', ','])
        && parse_marker(text).is_none()
}

/// A title: title-shaped and naming a report.
pub fn title_like(text: &str) -> bool {
    title_shaped(text)
        && text.chars().count() >= 6
        && TITLE_ENDINGS.iter().any(|e| text.ends_with(e))
}

/// Running text: a paragraph of sentences, where a page's header has ended.
fn is_running_text(text: &str) -> bool {
    text.chars().take(60).count() >= 60 && text.contains(['。', '，', ','])
}

/// The page title without the site's name (`X报告_某某网`, `X报告 - 某某网`),
/// a column tag (`【法治建设报告】X报告`) or a posting date (`X报告 (2024-02-26)`).
pub fn strip_site_suffix(text: &str) -> &str {
    let mut text = trim_padding(text);
    // Titles are short; a long line is text, and is left as it is.
    if text.len() > 300 {
        return text;
    }
    if text.starts_with('【')
        && let Some(close) = text.find('】')
        && title_like(trim_padding(&text[close + '】'.len_utf8()..]))
    {
        text = trim_padding(&text[close + '】'.len_utf8()..]);
    }
    if let Some(open) = text.rfind(['(', '（'])
        && crate::text::dates::find_date(&text[open..]).is_some()
        && title_like(trim_padding(&text[..open]))
    {
        text = trim_padding(&text[..open]);
    }
    if !text.contains(['_', '-', '—', '－', '|', '｜', '–']) {
        return text;
    }
    for sep in ["_", " - ", " — ", "－", "|", "｜", " – "] {
        if let Some(pos) = text.rfind(sep) {
            let head = trim_padding(&text[..pos]);
            if title_like(head) {
                return head;
            }
        }
    }
    text
}

/// The title's text as paragraphs `at` (and `second`) write it.
pub fn text_of(paras: &[Paragraph], at: usize, second: Option<usize>) -> String {
    let first = strip_site_suffix(&paras[at].text);
    match second.and_then(|j| paras.get(j)) {
        Some(next) => normalize_title(&format!("{first}{}", strip_site_suffix(&next.text))),
        None => normalize_title(first),
    }
}

/// The title among the opening paragraphs, if any.
pub fn find_title(paras: &[Paragraph]) -> Option<FoundTitle> {
    let mut first_any = None;
    for i in 0..paras.len().min(TITLE_SEARCH) {
        let text = paras[i].text.as_str();
        if is_running_text(text) {
            break;
        }
        let Some(found) = title_at(paras, i) else {
            continue;
        };
        if SUBJECT_WORDS.iter().any(|w| found.text.contains(w)) {
            return Some(found);
        }
        first_any.get_or_insert(found);
    }
    first_any
}

/// The title starting at paragraph `i`, joined with the next line when the
/// title is split over two (`…法治政府建设` + `年度报告`, or
/// `许昌市教育局` + `关于2021年度…报告`).
pub fn title_at(paras: &[Paragraph], i: usize) -> Option<FoundTitle> {
    let text = strip_site_suffix(&paras[i].text);
    let single = |t: &str| FoundTitle {
        text: normalize_title(t),
        at: i,
        second: None,
    };
    if title_like(text) {
        return Some(single(text));
    }
    let next = paras
        .get(i + 1)
        .map(|p| strip_site_suffix(&p.text))
        .filter(|n| title_shaped(n))?;
    let joined = format!("{text}{next}");
    let double = FoundTitle {
        text: normalize_title(&joined),
        at: i,
        second: Some(i + 1),
    };
    // `许昌市教育局` + `关于2021年度…报告` / `2025年法治政府…情况`
    let next_opens_title = next.starts_with("关于")
        || next.starts_with(|c: char| c.is_ascii_digit())
        || next.starts_with("二〇");
    if is_org_name_only(text) && next_opens_title && title_like(next) {
        return Some(double);
    }
    // `呼兰区教育局2023年法治政府建设` + `年度报告`: a short tail that ends the title.
    let tail_ends_title =
        next.chars().count() <= 12 && TITLE_ENDINGS.iter().any(|e| next.ends_with(e));
    if title_shaped(text) && !is_org_name_only(text) && tail_ends_title && title_like(&joined) {
        return Some(double);
    }
    None
}

/// Drop spaces next to CJK characters (`许昌市教育局 关于…` → `许昌市教育局关于…`).
pub fn normalize_title(text: &str) -> String {
    let chars: Vec<char> = trim_padding(text).chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut k = 0;
    while k < chars.len() {
        if !is_padding(chars[k]) {
            out.push(chars[k]);
            k += 1;
            continue;
        }
        // A run of padding: dropped next to CJK, one ASCII space between Latin/digits.
        let run_end = chars[k..]
            .iter()
            .position(|c| !is_padding(*c))
            .map_or(chars.len(), |p| k + p);
        let before = k.checked_sub(1).map(|b| chars[b]);
        let after = chars.get(run_end).copied();
        if before.is_some_and(|c| c.is_ascii()) && after.is_some_and(|c| c.is_ascii()) {
            out.push(' ');
        }
        k = run_end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::clean::paragraphs;

    fn title(text: &str) -> Option<String> {
        find_title(&paragraphs(text)).map(|t| t.text)
    }

    #[test]
    fn title_after_page_chrome() {
        let page = "今天是：2026年1月20日 星期二\n中国政府网|甘肃省政府网|繁体|无障碍\n法制查询\n首页→网站公告\n宁县司法局2023年度法治政府建设工作报告\n发布时间：2024-01-20\n2023年，我局坚持以习近平法治思想为指导，全面推进依法行政，取得了明显成效。";
        assert_eq!(
            title(page).as_deref(),
            Some("宁县司法局2023年度法治政府建设工作报告")
        );
    }

    #[test]
    fn subject_title_wins_over_sidebar_title() {
        let page = "2023年政府信息公开工作年度报告\n许昌市水务局关于2023年度法治政府建设情况的报告\n2023年，市水务局坚持依法行政，各项工作取得新进展，现将有关情况报告如下。";
        assert_eq!(
            title(page).as_deref(),
            Some("许昌市水务局关于2023年度法治政府建设情况的报告")
        );
    }

    #[test]
    fn site_name_after_the_title_goes() {
        assert_eq!(
            strip_site_suffix("庆阳市司法局2021年法治政府建设年度报告_庆阳市人民政府网"),
            "庆阳市司法局2021年法治政府建设年度报告"
        );
        assert_eq!(
            strip_site_suffix("法治政府建设年度报告 - 某某网"),
            "法治政府建设年度报告"
        );
        assert_eq!(strip_site_suffix("一行字_二行字"), "一行字_二行字");
        assert_eq!(
            strip_site_suffix("【法治建设报告】湖北省司法厅2022年法治政府建设年度报告"),
            "湖北省司法厅2022年法治政府建设年度报告"
        );
        assert_eq!(
            strip_site_suffix("上海市司法局2023年法治政府建设情况报告 (2024-02-26)"),
            "上海市司法局2023年法治政府建设情况报告"
        );
    }

    #[test]
    fn no_title_in_body_only_page() {
        assert_eq!(
            title(
                "2022年，庆阳市司法局始终坚持以习近平法治思想为指导，全面推进法治政府建设，现将有关情况报告如下。\n一、主要工作"
            ),
            None
        );
    }

    #[test]
    fn title_split_over_two_lines() {
        assert_eq!(
            title("呼兰区教育局2023年法治政府建设\n年度报告\n区政府：").as_deref(),
            Some("呼兰区教育局2023年法治政府建设年度报告")
        );
        assert_eq!(
            title("许昌市教育局\n关于2021年度法治政府建设情况的报告\n今年以来，我局推进工作。")
                .as_deref(),
            Some("许昌市教育局关于2021年度法治政府建设情况的报告")
        );
        assert_eq!(
            title("四川省交通运输厅\n2025年法治政府部门建设工作情况\n2025年，我厅推进工作。")
                .as_deref(),
            Some("四川省交通运输厅2025年法治政府部门建设工作情况")
        );
    }
}
