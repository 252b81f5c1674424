//! Report metadata: title, bureau, year covered, date, 文号 and addressee.
//!
//! Reports state their metadata in a handful of places that vary from site
//! to site, so every field is looked up in several places in a fixed order
//! of trust:
//!
//! * the **header** — the leading run of paragraphs before the text proper:
//!   web metadata tables (`发布机构: | … |`), the red-header masthead
//!   (`许昌市教育局文件`), the document's own 文号, `签发人`, the title
//!   (possibly split over two lines, possibly printed twice), a byline with
//!   the bureau's name, and the addressee (`市委、市政府：`);
//! * the **signature** — the trailing run of the bureau's name, the date
//!   and contact lines.
//!
//! Everything recognised there is *furniture*: [`Metadata::furniture`]
//! marks those paragraphs so that the section parser never puts them into a
//! section body. Fields are `None` rather than guessed: a web page's posting
//! time (`时间:2020-12-30 09:42`) is not the report's date, and a 文号 cited
//! in the body (`长发〔2017〕37号`) is not the report's own.

use std::sync::LazyLock;

use regex::Regex;

use crate::ingest::clean::{self, Paragraph, is_metadata_line, is_org_name_only};
use crate::report::numbering::{is_padding, parse_marker, trim_padding};

/// Metadata found in a report's paragraphs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    pub title: Option<String>,
    pub bureau: Option<String>,
    pub report_year: Option<i32>,
    pub publish_date: Option<String>,
    pub doc_number: Option<String>,
    pub addressee: Option<String>,
    /// Per paragraph: true when it is header/signature furniture, not text.
    pub furniture: Vec<bool>,
}

/// What a header or signature paragraph is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Furniture {
    /// A web metadata table row or a `签发人：` line.
    Field,
    /// `XXX文件`: the red-header masthead.
    Masthead(String),
    /// The document's own 文号.
    DocNumber(String),
    /// Title (with the index of a second line when it is split).
    Title(String, Option<usize>),
    /// An organisation's name alone.
    OrgName(String),
    /// `市委、市政府：`
    Addressee(String),
    /// A date alone.
    Date(String),
    /// 联系人 / 联系电话.
    Contact,
}

/// Longest header or signature we scan (paragraphs).
const MAX_FURNITURE_RUN: usize = 20;

/// Extract metadata from cleaned paragraphs.
pub fn extract(paras: &[Paragraph]) -> Metadata {
    let mut meta = Metadata {
        furniture: vec![false; paras.len()],
        ..Default::default()
    };
    let mut title_parts: Vec<usize> = Vec::new();
    let mut masthead = None;
    let mut byline = None;
    let mut field_doc_number = None;
    let mut field_dates = Vec::new();
    let mut field_bureaus = Vec::new();

    // Header: the leading run of furniture.
    let mut i = 0;
    let mut seen_title = false;
    while i < paras.len() && i < MAX_FURNITURE_RUN {
        let Some(kind) = classify_header(paras, i, seen_title) else {
            break;
        };
        meta.furniture[i] = true;
        match kind {
            Furniture::Field => {}
            Furniture::Masthead(org) => masthead = masthead.or(Some(org)),
            Furniture::DocNumber(n) => meta.doc_number = meta.doc_number.take().or(Some(n)),
            Furniture::Title(t, second) => {
                if meta.title.is_none() {
                    meta.title = Some(t);
                    title_parts.push(i);
                }
                seen_title = true;
                if let Some(j) = second {
                    meta.furniture[j] = true;
                    i = j;
                }
            }
            Furniture::OrgName(org) => byline = byline.or(Some(org)),
            Furniture::Addressee(a) => meta.addressee = meta.addressee.take().or(Some(a)),
            Furniture::Date(d) => field_dates.push(d),
            Furniture::Contact => {}
        }
        i += 1;
    }
    let header_end = i;

    // Signature: the trailing run of names, dates and contact lines.
    let mut sig_org = None;
    let mut sig_date = None;
    let mut j = paras.len();
    while j > header_end && paras.len() - j < MAX_FURNITURE_RUN {
        let text = paras[j - 1].text.as_str();
        let kind = if let Some(d) = parse_date_only(text) {
            Furniture::Date(d)
        } else if clean::is_contact_line(text) {
            Furniture::Contact
        } else if is_metadata_line(text) {
            Furniture::Field
        } else if is_org_name_only(text) {
            Furniture::OrgName(clean_org(text))
        } else {
            break;
        };
        meta.furniture[j - 1] = true;
        match kind {
            Furniture::Date(d) => sig_date = sig_date.or(Some(d)),
            Furniture::OrgName(o) => sig_org = Some(o), // the topmost name wins
            _ => {}
        }
        j -= 1;
    }

    // Fields anywhere (tables are sometimes printed after the text), and
    // repeated titles.
    for (k, p) in paras.iter().enumerate() {
        if is_metadata_line(&p.text) {
            meta.furniture[k] = true;
            for (label, value) in fields(&p.text) {
                match label {
                    "发布机构" | "发文机关" | "发文机构" | "发文单位" | "发布单位" | "来源"
                    | "信息来源"
                        if is_org_name_only(&value) =>
                    {
                        field_bureaus
                            .push((label == "来源" || label == "信息来源", clean_org(&value)));
                    }
                    "文号" | "发文字号" if field_doc_number.is_none() => {
                        field_doc_number = find_doc_number(&value);
                    }
                    "生效日期" | "发布日期" | "成文日期" | "发文日期" | "印发日期" => {
                        if let Some(d) = find_date(&value) {
                            field_dates.push(d);
                        }
                    }
                    _ => {}
                }
            }
        }
        if let Some(t) = &meta.title
            && !meta.furniture[k]
            && k < header_end + MAX_FURNITURE_RUN
            && p.text.len() <= 400
            && normalize_title(&p.text) == *t
        {
            meta.furniture[k] = true;
        }
    }

    meta.doc_number = meta.doc_number.or(field_doc_number);
    meta.publish_date = sig_date.or_else(|| field_dates.into_iter().next());
    let title_org = meta.title.as_deref().and_then(org_prefix);
    field_bureaus.sort_by_key(|(is_source, _)| *is_source);
    meta.bureau = title_org
        .or(masthead)
        .or(byline)
        .or(sig_org)
        .or(field_bureaus.into_iter().next().map(|(_, o)| o));
    meta.report_year = meta.title.as_deref().and_then(year_in_title).or_else(|| {
        paras
            .iter()
            .enumerate()
            .filter(|(k, _)| !meta.furniture[*k])
            .take(8)
            .find_map(|(_, p)| year_in_body(&p.text))
    });
    meta
}

/// Classify paragraph `i` of the header, or `None` when the text proper starts.
fn classify_header(paras: &[Paragraph], i: usize, seen_title: bool) -> Option<Furniture> {
    let text = paras[i].text.as_str();
    if text.len() > 300 {
        return None;
    }
    if is_metadata_line(text) {
        return Some(Furniture::Field);
    }
    if parse_marker(text).is_some() {
        return None;
    }
    if let Some(n) = find_doc_number(text)
        && text.chars().count() <= 40
        && DOC_NUMBER_RE
            .find(text)
            .is_some_and(|m| m.start() == 0 || text[..m.start()].chars().all(is_padding))
    {
        return Some(Furniture::DocNumber(n));
    }
    if let Some(d) = parse_date_only(text) {
        return Some(Furniture::Date(d));
    }
    if clean::is_contact_line(text) {
        return Some(Furniture::Contact);
    }
    if let Some(org) = text.strip_suffix("文件").map(trim_padding)
        && is_org_name_only(org)
    {
        return Some(Furniture::Masthead(clean_org(org)));
    }
    if !seen_title && let Some(t) = title_at(paras, i) {
        return Some(t);
    }
    if seen_title && let Some(a) = addressee(text) {
        return Some(Furniture::Addressee(a));
    }
    if is_org_name_only(text) {
        return Some(Furniture::OrgName(clean_org(text)));
    }
    if seen_title && title_like(text) {
        // A repeated title (page title, then document title).
        return Some(Furniture::Title(normalize_title(text), None));
    }
    if !seen_title && let Some(a) = addressee(text) {
        return Some(Furniture::Addressee(a));
    }
    None
}

/// Words a report title ends with.
const TITLE_ENDINGS: &[&str] = &[
    "报告",
    "总结",
    "汇报",
    "情况",
    "报告书",
    "要点",
    "自查报告",
    "工作报告",
];

/// A short line without sentence punctuation: could be (part of) a title.
fn title_shaped(text: &str) -> bool {
    let n = text.chars().take(81).count();
    (2..=80).contains(&n)
        && !text.contains(['。', '！', '？', '；', ';', '：', ':', '>', '|', '，', ','])
        && parse_marker(text).is_none()
}

/// A title: title-shaped and naming a report.
fn title_like(text: &str) -> bool {
    title_shaped(text)
        && text.chars().count() >= 6
        && TITLE_ENDINGS.iter().any(|e| text.ends_with(e))
}

/// The title starting at paragraph `i`, joined with the next line when the
/// title is split over two (`…法治政府建设` + `年度报告`, or
/// `许昌市教育局` + `关于2021年度…报告`).
fn title_at(paras: &[Paragraph], i: usize) -> Option<Furniture> {
    let text = paras[i].text.as_str();
    let next = paras
        .get(i + 1)
        .map(|p| p.text.as_str())
        .filter(|n| title_shaped(n));
    if title_like(text) {
        return Some(Furniture::Title(normalize_title(text), None));
    }
    let next = next?;
    let joined = format!("{text}{next}");
    // `许昌市教育局` + `关于2021年度…报告`
    if is_org_name_only(text) && next.starts_with("关于") && title_like(next) {
        return Some(Furniture::Title(normalize_title(&joined), Some(i + 1)));
    }
    // `呼兰区教育局2023年法治政府建设` + `年度报告`: a short tail that ends the title.
    let tail_ends_title =
        next.chars().count() <= 12 && TITLE_ENDINGS.iter().any(|e| next.ends_with(e));
    if title_shaped(text) && !is_org_name_only(text) && tail_ends_title && title_like(&joined) {
        return Some(Furniture::Title(normalize_title(&joined), Some(i + 1)));
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

/// The addressee line: short, names bodies, ends with a colon.
fn addressee(text: &str) -> Option<String> {
    let body = text.strip_suffix(['：', ':'])?;
    let body = trim_padding(body);
    let n = body.chars().count();
    if !(2..=40).contains(&n) || body.contains(['，', ',', '。', '；', ';', '：', ':', '|']) {
        return None;
    }
    const BODIES: &[&str] = &[
        "委", "政府", "办", "局", "厅", "部", "院", "会", "处", "领导", "同志", "单位", "组",
    ];
    BODIES
        .iter()
        .any(|b| body.contains(b))
        .then(|| body.to_string())
}

/// Organisation name at the start of a title, before `关于` or the year.
fn org_prefix(title: &str) -> Option<String> {
    let cut = [
        title.find("关于"),
        title.find(|c: char| c.is_ascii_digit()),
        title.find("二〇"),
    ]
    .into_iter()
    .flatten()
    .min()?;
    let org = trim_padding(&title[..cut]);
    is_org_name_only(org).then(|| clean_org(org))
}

/// An organisation name without padding or internal spaces.
fn clean_org(text: &str) -> String {
    trim_padding(text)
        .chars()
        .filter(|c| !is_padding(*c))
        .collect()
}

/// `(label, value)` pairs of a metadata line: `发布机构: | 宁县教育局 |` or
/// `时间:2020-12-30 09:42 来源:`.
fn fields(line: &str) -> Vec<(&'static str, String)> {
    // Spaces go: labels are printed spaced out (`文 号:`), values need none.
    let compact: String = line.chars().filter(|c| !is_padding(*c)).collect();
    let mut hits: Vec<(usize, usize, &'static str)> = Vec::new();
    for label in clean::METADATA_LABELS {
        for (pos, _) in compact.match_indices(label) {
            let after = pos + label.len();
            if let Some(sep) = compact[after..]
                .chars()
                .next()
                .filter(|c| matches!(c, ':' | '：'))
            {
                hits.push((pos, after + sep.len_utf8(), label));
            }
        }
    }
    hits.sort();
    // Drop labels contained in longer ones ("来源" inside "信息来源").
    hits.dedup_by(|b, a| b.0 < a.1 && b.0 >= a.0);
    let mut out = Vec::new();
    for (k, &(_, value_start, label)) in hits.iter().enumerate() {
        let value_end = hits.get(k + 1).map_or(compact.len(), |h| h.0);
        let value = compact[value_start..value_end.max(value_start)]
            .split('|')
            .map(trim_padding)
            .find(|v| !v.is_empty())
            .unwrap_or("");
        out.push((label, value.to_string()));
    }
    out
}

static DOC_NUMBER_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"[\p{Han}A-Za-z]{1,12}[ \u{3000}]*[〔\[［【(（][ \u{3000}]*(?:19|20)\d{2}[ \u{3000}]*[〕\]］】)）][ \u{3000}]*第?[ \u{3000}]*\d{1,5}[ \u{3000}]*号",
    )
    .expect("doc number regex")
});

/// A 文号 like `许教〔2022〕5号` in `text`, spaces removed.
pub fn find_doc_number(text: &str) -> Option<String> {
    if text.len() > 2000 {
        return None;
    }
    DOC_NUMBER_RE
        .find(text)
        .map(|m| m.as_str().chars().filter(|c| !is_padding(*c)).collect())
}

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
        let year: String = c[1]
            .chars()
            .map(|ch| match ch {
                '〇' | '零' | '○' | 'Ｏ' => '0',
                other => char::from_digit(
                    crate::report::numbering::chinese_numeral_value(&other.to_string())
                        .unwrap_or(0),
                    10,
                )
                .unwrap_or('0'),
            })
            .collect();
        let m = crate::report::numbering::chinese_numeral_value(&c[2])?;
        let d = crate::report::numbering::chinese_numeral_value(&c[3])?;
        return ymd(year.parse().ok()?, m, d);
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

/// The year a title says the report covers: `2021年度`, `2023年`, `二〇二〇年`.
fn year_in_title(title: &str) -> Option<i32> {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"((?:19|20)\d{2})\s*年|([〇零○一二三四五六七八九]{4})\s*年").expect("year")
    });
    let c = RE.captures(title)?;
    if let Some(y) = c.get(1) {
        return y.as_str().parse().ok();
    }
    let s: String = c[2]
        .chars()
        .map(|ch| match ch {
            '〇' | '零' | '○' => '0',
            other => char::from_digit(
                crate::report::numbering::chinese_numeral_value(&other.to_string()).unwrap_or(0),
                10,
            )
            .unwrap_or('0'),
        })
        .collect();
    s.parse().ok()
}

/// A year the opening text reports on: `2023年，`, `2020年度`, `2021年以来`.
fn year_in_body(text: &str) -> Option<i32> {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"((?:19|20)\d{2})\s*年(?:度|[，,、]|以来|全年|我)").expect("body year")
    });
    let head: String = text.chars().take(200).collect();
    RE.captures(&head)?[1].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::clean::paragraphs;

    fn meta(text: &str) -> Metadata {
        extract(&paragraphs(text))
    }

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
    fn doc_number_forms() {
        assert_eq!(
            find_doc_number("许教〔2022〕5号").as_deref(),
            Some("许教〔2022〕5号")
        );
        assert_eq!(
            find_doc_number("某政办发[2021] 12 号").as_deref(),
            Some("某政办发[2021]12号")
        );
        assert_eq!(find_doc_number("无文号"), None);
    }

    #[test]
    fn doc_number_only_from_header() {
        let m = meta(
            "许昌市教育局文件\n许教〔2022〕5号\n签发人：某某\n许昌市教育局关于2021年度法治政府建设工作报告\n市委、市政府：\n全面落实《某某方案》（长发〔2017〕37号）要求，推进工作。\n",
        );
        assert_eq!(m.doc_number.as_deref(), Some("许教〔2022〕5号"));
        let m = meta(
            "某局2021年度法治政府建设工作报告\n全面落实《某某方案》（长发〔2017〕37号）要求。\n",
        );
        assert_eq!(m.doc_number, None);
    }

    #[test]
    fn title_join_and_space() {
        let m = meta(
            "\n呼兰区教育局2023年法治政府建设\n年度报告\n区政府：\n2023年，区教育局深入推进。",
        );
        assert_eq!(
            m.title.as_deref(),
            Some("呼兰区教育局2023年法治政府建设年度报告")
        );
        assert_eq!(m.addressee.as_deref(), Some("区政府"));
        assert_eq!(m.bureau.as_deref(), Some("呼兰区教育局"));
        assert_eq!(m.report_year, Some(2023));
        let m = meta(
            "许昌市教育局 关于2021年度法治政府建设工作报告\n市委、市政府：\n今年以来，我局推进工作。",
        );
        assert_eq!(
            m.title.as_deref(),
            Some("许昌市教育局关于2021年度法治政府建设工作报告")
        );
        let m = meta("某某市教育局\n关于2021年度法治政府建设情况的报告\n今年以来，我局推进工作。");
        assert_eq!(
            m.title.as_deref(),
            Some("某某市教育局关于2021年度法治政府建设情况的报告")
        );
        assert_eq!(m.bureau.as_deref(), Some("某某市教育局"));
    }

    #[test]
    fn duplicated_title_collapses_and_breadcrumb_is_not_title() {
        let text = "您当前的位置:首页 > 信息公开 > 规划计划\n长春市教育局关于2020年法治政府建设的工作报告\n时间:2020-12-30 09:42 来源:\n长春市教育局关于2020年法治政府建设的工作报告\n市委依法治市委员会办公室:\n2020年,市教育局认真贯彻落实中央决策部署。\n一、主要工作\n正文。\n长春市教育局\n20201228\n";
        let ps = paragraphs(text);
        let m = extract(&ps);
        assert_eq!(
            m.title.as_deref(),
            Some("长春市教育局关于2020年法治政府建设的工作报告")
        );
        assert_eq!(m.addressee.as_deref(), Some("市委依法治市委员会办公室"));
        assert_eq!(
            m.publish_date.as_deref(),
            Some("2020-12-28"),
            "signature date, not posting time"
        );
        assert_eq!(m.report_year, Some(2020));
        assert_eq!(
            m.furniture,
            [true, true, true, true, false, false, false, true, true]
        );
    }

    #[test]
    fn bureau_from_byline_field_or_signature() {
        let m = meta("2020年度法治政府建设工作总结\n龙泉市教育局\n2020年，我局认真贯彻落实。");
        assert_eq!(m.bureau.as_deref(), Some("龙泉市教育局"));
        assert_eq!(m.report_year, Some(2020));
        assert_eq!(m.publish_date, None);
        let m = meta(
            "索引号: | 1 | 发布机构: | 宁县教育局 |\n生效日期: | 2024-04-03 | 废止日期: | |\n法治政府建设工作报告\n近年来，我局推进工作。",
        );
        assert_eq!(m.bureau.as_deref(), Some("宁县教育局"));
        assert_eq!(m.publish_date.as_deref(), Some("2024-04-03"));
        let m = meta("法治政府建设工作报告\n近年来，我局推进工作。\n某某县司法局\n2024年4月3日");
        assert_eq!(m.bureau.as_deref(), Some("某某县司法局"));
        assert_eq!(m.publish_date.as_deref(), Some("2024-04-03"));
    }

    #[test]
    fn report_year_is_not_publication_year() {
        let m = meta(
            "宁县教育局2023年度法治政府建设工作报告\n近年来，我局推进工作。\n宁县教育局\n2024年4月3日",
        );
        assert_eq!(m.report_year, Some(2023));
        let m = meta("法治政府建设工作报告\n2023年，我局推进工作。\n2024年1月3日");
        assert_eq!(m.report_year, Some(2023));
    }

    #[test]
    fn addressee_rules() {
        assert_eq!(addressee("市委、市政府：").as_deref(), Some("市委、市政府"));
        assert_eq!(
            addressee("市委依法治市委员会办公室:").as_deref(),
            Some("市委依法治市委员会办公室")
        );
        assert_eq!(addressee("现将有关情况报告如下，请审阅："), None);
        assert_eq!(addressee("时间:"), None);
    }
}
