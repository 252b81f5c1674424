//! Cleaning: drop web boilerplate, re-join paragraphs broken by page breaks.
//!
//! Reports reach us scraped from government web sites or copied out of Word
//! files, so the raw text carries two kinds of damage that would otherwise
//! leak into every later stage:
//!
//! * **web furniture** — breadcrumbs, font-size and print widgets, share
//!   links, login boxes, QR-code hints, footers. These are dropped here by a
//!   list of general patterns (never the exact lines of particular files).
//!   Lines that carry *metadata* (the 发布机构/索引号/生效日期 table, 来源,
//!   文号, 签发人) are deliberately kept: the metadata parser reads them and
//!   the section parser excludes them (see [`is_metadata_line`]).
//! * **page breaks** — a paragraph cut in the middle of a sentence (even in
//!   the middle of a word) and continued after blank lines. A line that is
//!   body text and does not end a sentence is joined with the next line
//!   when that line is a plausible continuation (not a heading, signature,
//!   date or metadata line). Chinese needs no space at the join.
//!
//! Blank lines are never relied on as paragraph separators: some sources
//! have none at all, others put one between every line.

use crate::text::numbering::{parse_marker, trim_padding, without_padding};

/// A logical paragraph of the cleaned text with the source lines it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    /// 1-based first and last source line (inclusive).
    pub line_start: usize,
    pub line_end: usize,
    /// Display text: padding trimmed, broken lines re-joined; original characters kept.
    pub text: String,
}

/// Split `text` into cleaned paragraphs.
pub fn paragraphs(text: &str) -> Vec<Paragraph> {
    let mut out: Vec<Paragraph> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let line = trim_padding(raw);
        if line.is_empty() || is_boilerplate(line) {
            continue;
        }
        let lineno = i + 1;
        if let Some(prev) = out.last_mut()
            && continues_after(&prev.text)
            && is_continuation(line)
        {
            prev.text.push_str(line);
            prev.line_end = lineno;
            continue;
        }
        out.push(Paragraph {
            line_start: lineno,
            line_end: lineno,
            text: line.to_string(),
        });
    }
    out
}

/// Characters that close a sentence or a unit: a line ending in one of them is complete.
const CLOSERS: &[char] = &[
    '。', '！', '？', '；', '：', '!', '?', ';', ':', '…', '”', '」', '』', '’', '"', '）', ')',
    '】', '〕', '》', '.', '．',
];

/// Characters that announce that the sentence goes on.
const OPEN_ENDERS: &[char] = &[
    '，', ',', '、', '《', '〈', '“', '‘', '（', '(', '「', '『', '—', '-',
];

/// Clause punctuation that body text has and titles, names and dates lack.
const CLAUSE_MARKS: &[char] = &['，', ',', '、', '；', ';', '。'];

/// Does `prev` (a paragraph so far) end mid-sentence in body text, so that the
/// next line may continue it?
fn continues_after(prev: &str) -> bool {
    let Some(last) = prev.chars().next_back() else {
        return false;
    };
    if CLOSERS.contains(&last) {
        return false;
    }
    if is_metadata_line(prev) || is_signature_line(prev) {
        return false;
    }
    if OPEN_ENDERS.contains(&last) {
        return !is_standalone_heading(prev);
    }
    if is_standalone_heading(prev) {
        return false;
    }
    // An unclosed 《 or “ near the end: the break fell inside a title or quote.
    let tail = tail_chars(prev, 60);
    let unclosed = tail.matches('《').count() > tail.matches('》').count()
        || tail.matches('“').count() > tail.matches('”').count();
    // Long enough to be body text, and punctuated like body text.
    let long = prev.chars().take(20).count() >= 20;
    (long || unclosed) && prev.contains(CLAUSE_MARKS)
}

/// The last `n` characters of `s`.
fn tail_chars(s: &str, n: usize) -> &str {
    let start = s
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    &s[start..]
}

/// Could `line` be the second half of a paragraph broken by a page break?
fn is_continuation(line: &str) -> bool {
    parse_marker(line).is_none()
        && !is_signature_line(line)
        && !is_metadata_line(line)
        && !starts_like_list_item(line)
}

/// `一是…` / `二是…` open a new enumerated point; a page break never
/// falls exactly before one often enough to risk gluing two paragraphs.
fn starts_like_list_item(line: &str) -> bool {
    let mut it = line.chars();
    matches!(
        (it.next(), it.next()),
        (
            Some('一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'),
            Some('是')
        )
    )
}

/// A numbered line without sentence punctuation inside: a heading of its own.
fn is_standalone_heading(line: &str) -> bool {
    line.len() <= 400
        && parse_marker(line).is_some()
        && !line.contains(['。', '！', '？', '!', '?'])
}

/// A line of the signature block: an organisation name alone, a date alone,
/// or a contact line (联系人 / 联系电话).
pub fn is_signature_line(line: &str) -> bool {
    let line = trim_padding(line);
    is_date_only(line) || is_contact_line(line) || is_org_name_only(line)
}

/// `联系人：… 联系电话：…` in any bracket or order.
pub fn is_contact_line(line: &str) -> bool {
    let t = line.trim_start_matches(['(', '（', '[', '【']);
    let short = line.chars().take(81).count() <= 80;
    short
        && [
            "联系人",
            "联系电话",
            "联系方式",
            "电话：",
            "电话:",
            "邮箱",
            "传真",
        ]
        .iter()
        .any(|k| t.starts_with(k))
}

/// Suffixes of the names of government bodies (longest first where it matters).
pub const ORG_SUFFIXES: &[&str] = &[
    "委员会",
    "办公室",
    "人民政府",
    "政府",
    "党组",
    "党委",
    "局",
    "委",
    "厅",
    "办",
    "院",
    "中心",
    "部",
    "署",
    "处",
    "站",
    "所",
    "会",
    "室",
    "学校",
    "大学",
    "学院",
    "公司",
    "队",
];

/// A short line that is only the name of a body, e.g. a byline or signature.
pub fn is_org_name_only(line: &str) -> bool {
    let line = trim_padding(line);
    let n = line.chars().take(41).count();
    (3..=40).contains(&n)
        && !line.contains(|c: char| {
            CLAUSE_MARKS.contains(&c) || matches!(c, '：' | ':' | '！' | '？' | '“' | '《' | '|')
        })
        && !line.contains(|c: char| c.is_ascii_digit())
        && ORG_SUFFIXES.iter().any(|s| line.ends_with(s))
        && parse_marker(line).is_none()
}

/// A line that is a date and nothing else (signature date), incl. damaged
/// forms like `20201228`.
pub fn is_date_only(line: &str) -> bool {
    crate::text::dates::parse_date_only(trim_padding(line)).is_some()
}

/// Field labels of the metadata tables that government sites print above a
/// document, and of the red-header furniture of official documents.
pub const METADATA_LABELS: &[&str] = &[
    "索引号",
    "发布机构",
    "发文机关",
    "发文机构",
    "发文单位",
    "生效日期",
    "废止日期",
    "失效日期",
    "文号",
    "发文字号",
    "所属主题",
    "主题分类",
    "体裁分类",
    "组配分类",
    "服务对象",
    "发布日期",
    "成文日期",
    "发文日期",
    "印发日期",
    "公开方式",
    "公开范围",
    "公开时限",
    "信息来源",
    "来源",
    "时间",
    "发布时间",
    "作者",
    "浏览次数",
    "点击数",
    "访问次数",
    "阅读次数",
    "有效性",
    "信息名称",
    "信息分类",
    "关键词",
    "主题词",
    "公文种类",
    "责任部门",
    "签发人",
    "编号",
    "所属机构",
    "发布单位",
    "主办单位",
];

/// Does the line carry metadata fields (`发布机构: | 宁县教育局 |`,
/// `时间:2020-12-30 09:42 来源:`, `签发人：…`, `主办单位：…`) or is it a
/// breadcrumb (`首页 > 某某市水务局 > …`)? Such lines are kept by cleaning
/// for the metadata parser (they name the author) but never belong to
/// section bodies.
pub fn is_metadata_line(line: &str) -> bool {
    let line = trim_padding(line);
    if line.len() > 400 {
        return false;
    }
    if is_breadcrumb(line) {
        return true;
    }
    let compact = without_padding(line);
    METADATA_LABELS.iter().any(|label| {
        compact
            .strip_prefix(label)
            .is_some_and(|rest| rest.starts_with([':', '：', '|']))
    })
}

/// A breadcrumb: `您当前的位置：首页 > 信息公开 > …`, `首页 > 政务公开`, `首页→网站公告`.
pub fn is_breadcrumb(line: &str) -> bool {
    let line = trim_padding(line);
    // Cheap rejects first: this runs on every line of every report.
    let arrows = ['>', '›', '»', '＞', '→'];
    if !line.contains(arrows) && !line.starts_with(['您', '当', '现', '所']) {
        return false;
    }
    if line.chars().take(121).count() > 120 {
        return false;
    }
    let compact = without_padding(line);
    const CRUMB_STARTS: &[&str] = &[
        "您当前的位置",
        "您当前位置",
        "当前位置",
        "您现在的位置",
        "现在的位置",
        "您的位置",
        "所在位置",
        "当前页面",
    ];
    CRUMB_STARTS.iter().any(|s| compact.starts_with(s))
        || compact.starts_with("首页") && line.contains(['>', '›', '»', '＞', '→'])
}

/// A row of site links: `中国政府网|甘肃省政府网|繁体|无障碍`: several short
/// segments between bars, with no digits or colons (which a source line or
/// a metadata row would have).
fn is_nav_bar(line: &str) -> bool {
    if !line.contains(['|', '｜', '丨']) {
        return false;
    }
    let segments: Vec<&str> = line
        .split(['|', '｜', '丨'])
        .map(trim_padding)
        .filter(|s| !s.is_empty())
        .collect();
    segments.len() >= 3
        && !line.contains(|c: char| c.is_ascii_digit() || matches!(c, ':' | '：' | '，' | '。'))
        && segments.iter().all(|s| s.chars().count() <= 10)
}

/// Widgets and links that stand on a line of their own (or start it).
const BOILERPLATE_STARTS: &[&str] = &[
    "【字体",
    "[字体",
    "字体：",
    "字体:",
    "字号：",
    "字号:",
    "【打印",
    "[打印",
    "【关闭",
    "【大",
    "打印本页",
    "打印此页",
    "打印页面",
    "关闭窗口",
    "关闭本页",
    "【收藏",
    "【纠错",
    "【我要纠错",
    "分享到",
    "分享：",
    "分享:",
    "扫一扫",
    "用手机扫",
    "手机扫描",
    "微信扫一扫",
    "账号+密码登录",
    "账号密码登录",
    "手机+密码登录",
    "手机免密登录",
    "手机验证码登录",
    "还没有账号",
    "立即注册",
    "忘记密码",
    "用户登录",
    "免费注册",
    "上一篇",
    "下一篇",
    "上一条",
    "下一条",
    "返回顶部",
    "【返回顶部",
    "网站地图",
    "版权所有",
    "今天是",
    "法制查询",
    "设为首页",
    "加入收藏",
    "承办单位：",
    "承办单位:",
    "技术支持：",
    "技术支持:",
    "网站标识码",
    "ICP备",
    "网站纠错",
    "无障碍",
    "责任编辑",
    "相关链接",
    "相关文章",
    "相关阅读",
    "附件下载",
    "【相关",
    "视力保护色",
    "浏览字号",
    "繁體",
    "繁体",
];

/// Widgets that may sit anywhere on a short line (never in a sentence).
const BOILERPLATE_ANYWHERE: &[&str] = &[
    "字体:大中小",
    "字体：大中小",
    "【大中小】",
    "[大中小]",
    "打印本页",
    "关闭窗口",
    "在手机打开",
    "在手机上打开",
    "在手机上查看",
    "公网安备",
    "ICP备",
    "版权所有",
    "Copyright",
    "copyright",
    "【打印】",
    "【关闭】",
    "[打印]",
    "[关闭]",
];

/// Words of a line made only of widgets: "打印 | 关闭", "收藏 打印 关闭".
const WIDGET_WORDS: &[&str] = &[
    "打印", "关闭", "收藏", "分享", "纠错", "登录", "注册", "返回", "顶部", "大", "中", "小",
];

/// Is this line web furniture rather than document text?
pub fn is_boilerplate(line: &str) -> bool {
    let line = trim_padding(line);
    // Boilerplate is short; a long line is text whatever it starts with.
    if line.chars().take(121).count() > 120 {
        return false;
    }
    if is_nav_bar(line) {
        return true;
    }
    let compact = without_padding(line);
    if BOILERPLATE_STARTS.iter().any(|s| compact.starts_with(s)) {
        return true;
    }
    if compact.chars().take(41).count() <= 40
        && BOILERPLATE_ANYWHERE.iter().any(|s| compact.contains(s))
    {
        return true;
    }
    let words: Vec<&str> = line
        .split(|c: char| crate::text::numbering::is_padding(c) || "|｜/【】[]·".contains(c))
        .filter(|w| !w.is_empty())
        .collect();
    words.len() >= 2 && words.iter().all(|w| WIDGET_WORDS.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(ps: &[Paragraph]) -> Vec<&str> {
        ps.iter().map(|p| p.text.as_str()).collect()
    }

    #[test]
    fn trims_padding_and_skips_blank_lines() {
        let ps = paragraphs("\u{a0}\u{a0} 一、总体情况\n\n\u{3000}\u{3000}正文。\t\n \u{a0}\n");
        assert_eq!(texts(&ps), ["一、总体情况", "正文。"]);
        assert_eq!((ps[1].line_start, ps[1].line_end), (3, 3));
    }

    #[test]
    fn keeps_internal_characters() {
        let ps = paragraphs("（1） 强化领导干部法治思维\n全年培训教师 3000 多人。");
        assert_eq!(
            texts(&ps),
            ["（1） 强化领导干部法治思维", "全年培训教师 3000 多人。"]
        );
    }

    #[test]
    fn keeps_breadcrumbs_as_metadata() {
        for l in [
            "您当前的位置:首页 > 信息公开 > 基础信息公开 > 规划计划",
            "当前位置：首页 > 政务公开",
            "您现在的位置： 首页 » 通知公告",
            "首页 > 信息公开 > 法治政府建设",
            "首页→网站公告",
        ] {
            assert!(!is_boilerplate(l), "{l}");
            assert!(is_breadcrumb(l) && is_metadata_line(l), "{l}");
        }
    }

    #[test]
    fn drops_nav_bars_and_crawl_dates() {
        for l in [
            "中国政府网|甘肃省政府网|繁体|无障碍",
            "今天是：2026年1月20日 星期二",
            "法制查询",
        ] {
            assert!(is_boilerplate(l), "{l}");
        }
        assert!(!is_boilerplate("2026-01-20 17:01 | 庆阳市水务局"));
        assert!(!is_boilerplate("索引号: | 1 | 发布机构: | 宁县教育局 |"));
        assert!(is_metadata_line("主办单位：庆阳市水务局"));
    }

    #[test]
    fn drops_widgets_and_login() {
        for l in [
            "【字体: 打印",
            "【字体：大 中 小】",
            "字体：大 中 小",
            "打印本页",
            "关闭窗口",
            "【打印】 【关闭】",
            "打印 | 关闭",
            "分享到：微信 微博",
            "扫一扫在手机打开当前页",
            "账号+密码登录",
            "手机+密码登录",
            "手机免密登录",
            "还没有账号?",
            "立即注册",
            "上一篇：关于…",
            "版权所有：某某市人民政府 ICP备12345号",
        ] {
            assert!(is_boilerplate(l), "{l}");
        }
    }

    #[test]
    fn keeps_text_that_looks_close_to_boilerplate() {
        for l in [
            "一、基本情况",
            "市委、市政府：",
            "我局通过门户网站、微信公众号及时公开信息，方便群众在手机上查看办事指南和办理进度，累计公开信息120条，提高了政务公开的覆盖面和影响力，受到群众好评。",
            "时间:2020-12-30 09:42 来源:",
            "索引号: | 621026jyj000/20240403-00014 | 发布机构: | 宁县教育局 |",
        ] {
            assert!(!is_boilerplate(l), "{l}");
        }
    }

    #[test]
    fn recognises_metadata_lines() {
        assert!(is_metadata_line(
            "索引号: | 621026jyj000/20240403-00014 | 发布机构: | 宁县教育局 |"
        ));
        assert!(is_metadata_line("文 号: | 所属主题: | 公示公告 |"));
        assert!(is_metadata_line("时间:2020-12-30 09:42 来源:"));
        assert!(is_metadata_line("签发人：桂勇翔"));
        assert!(is_metadata_line("生效日期: | 2024-04-03 | 废止日期: | |"));
        assert!(!is_metadata_line("时间紧、任务重，我局全力推进。"));
    }

    #[test]
    fn metadata_lines_survive_cleaning() {
        let ps = paragraphs(
            "索引号: | 1 | 发布机构: | 宁县教育局 |\n宁县教育局2023年度法治政府建设工作报告",
        );
        assert_eq!(ps.len(), 2);
    }

    #[test]
    fn rejoins_page_break_with_blank_lines() {
        let text = "（一）加强组织领导。市教育局高度重视法治教育建设，\n\n把实行依法行政作为中心环节来抓。\n";
        let ps = paragraphs(text);
        assert_eq!(
            texts(&ps),
            ["（一）加强组织领导。市教育局高度重视法治教育建设，把实行依法行政作为中心环节来抓。"]
        );
        assert_eq!((ps[0].line_start, ps[0].line_end), (1, 3));
    }

    #[test]
    fn rejoins_inside_a_word() {
        let text = "经局党组研究同意后，下发了《行政\n\n\n审批服务 授权书》，确保项目进驻。";
        assert_eq!(
            texts(&paragraphs(text)),
            ["经局党组研究同意后，下发了《行政审批服务 授权书》，确保项目进驻。"]
        );
        let text = "办事群众可以在网上提出申请，达到数据通；窗口工\n\n作人员通过网络及时获取信息。";
        assert_eq!(
            texts(&paragraphs(text)),
            ["办事群众可以在网上提出申请，达到数据通；窗口工作人员通过网络及时获取信息。"]
        );
    }

    #[test]
    fn rejoins_without_blank_lines() {
        let text = "先后组织开展了师德专题教育、国培省培和市培计划等项目，邀请\n省、市有关专家进行系统讲解。\n二、下一步";
        let ps = paragraphs(text);
        assert_eq!(
            texts(&ps),
            [
                "先后组织开展了师德专题教育、国培省培和市培计划等项目，邀请省、市有关专家进行系统讲解。",
                "二、下一步"
            ]
        );
    }

    #[test]
    fn does_not_join_complete_or_special_lines() {
        // Sentence ends.
        assert_eq!(paragraphs("第一段结束了。\n第二段开始").len(), 2);
        // A heading line is not continued, nor does a heading continue a line.
        assert_eq!(paragraphs("三、2023年度党政主要负责人履行推进法治建设第一责任人职责，加强法治政府建设的有关情况\n进一步落实职责。").len(), 2);
        assert_eq!(
            paragraphs("我局全面推进依法行政工作，取得了明显成效，主要有\n（一）加强领导").len(),
            2
        );
        // Titles (no clause punctuation) are not joined with what follows.
        assert_eq!(
            paragraphs("许昌市教育局 关于2021年度法治政府建设工作报告\n市委、市政府：").len(),
            2
        );
        // Signature lines are not continuations.
        assert_eq!(
            paragraphs(
                "努力推动全市教育法治工作高质量发展，不断提升水平\n许昌市教育局\n2022年1月5日"
            )
            .len(),
            3
        );
        // Enumerations start a new paragraph.
        assert_eq!(
            paragraphs("存在问题主要有以下几个方面，需要认真研究解决\n一是法治意识不强。").len(),
            2
        );
    }

    #[test]
    fn signature_lines() {
        assert!(is_signature_line("宁县教育局"));
        assert!(is_signature_line("2024年4月3日"));
        assert!(is_signature_line("20201228"));
        assert!(is_signature_line("(联系人：樊振刚 联系电话：2699851)"));
        assert!(!is_signature_line("一、基本情况"));
        assert!(!is_signature_line("我局高度重视。"));
    }
}
