//! Names of bodies inside running text and titles.
//!
//! Real reports often name their author only in a sentence (`2022年，某某市
//! 司法局始终坚持…`, `现将市人力资源和社会保障局2019年度…报告如下`) or in a
//! title that carries more than the name (`X关于…的报告`, `X发布2023年…`).
//! A name is found from its end: a department suffix (`局`, `委员会`,
//! `人民政府` …), extended backwards over Chinese characters until a
//! boundary (punctuation, a digit, `年`), then stripped of leading function
//! words (`现将`, `在`, `按照` …). Names of the bodies a report is addressed
//! to or led by (`县委`, `市政府`, `党中央`) are not authors and are skipped.

use std::sync::LazyLock;

use regex::Regex;

/// Department suffixes that end an author's name in running text, longest first.
const NAME_ENDINGS: &[&str] = &[
    "街道办事处",
    "人民政府",
    "委员会",
    "办公室",
    "办事处",
    "管理局",
    "总局",
    "总署",
    "公署",
    "政府",
    "党组",
    "局",
    "厅",
    "部",
    "委",
    "办",
    "院",
    "中心",
    "街道",
    "镇",
    "乡",
];

/// The first characters of [`NAME_ENDINGS`].
const ENDING_FIRST_CHARS: &str = "街人委办管总公政党局厅部院中镇乡";

/// Words that open a clause before the subject, stripped from a name's front.
const LEADING_WORDS: &[&str] = &[
    "现将",
    "原",
    "今年",
    "近年来",
    "以来",
    "全年",
    "一年来",
    "过去一年",
    "根据",
    "按照",
    "我们",
    "由",
    "将",
    "在",
    "经",
    "据",
    "对",
    "向",
    "为",
    "以",
    "与",
    "和",
    "及",
    "是",
    "度",
    "年",
    "本",
    "全",
    "现",
];

/// Bodies that lead or receive a report rather than write it.
fn is_superior_body(name: &str) -> bool {
    let core = name.strip_prefix("中共").unwrap_or(name);
    const EXACT: &[&str] = &["党中央", "中央", "国务院", "党组", "中心", "街道"];
    if EXACT.contains(&core) {
        return true;
    }
    // 市委 / 县政府 / 区人民政府 / 省委依法治省办 written without a place:
    // in an opening sentence these are the leadership, not the author.
    let mut chars = core.chars();
    let level = chars.next();
    let rest = chars.as_str();
    matches!(level, Some('省' | '市' | '县' | '区' | '州' | '旗'))
        && (matches!(
            rest,
            "委" | "政府" | "人民政府" | "人大" | "政协" | "委员会"
        ) || rest.starts_with("委依法治")
            || rest.starts_with("委全面依法治"))
}

/// Is `c` part of a name (a Chinese character)?
fn is_name_char(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

/// Every author-like name in running text, in order of position (byte
/// offset of the name): a name must name a place, be a short self-reference
/// or a national body, so that `服务大局` or `推进乡` never pass.
pub fn names_in(text: &str) -> Vec<(usize, String)> {
    let mut names = names_by_shape(text);
    names.retain(|(at, n)| {
        plausible_author(n) && !is_party_committee(n) && !is_leading_body(text, *at, at + n.len())
    });
    names
}

/// A name a body could be known by: it names a place (`宁县教育局`), is a
/// short self-reference (`市水务局`) or a national body (`司法部`).
pub fn plausible_author(name: &str) -> bool {
    is_short_self_reference(name)
        || is_national_body(name)
        || is_township_government(name)
        || name
            .strip_prefix("中共")
            .unwrap_or(name)
            .chars()
            .next()
            .is_some_and(crate::region::may_begin_place)
            && crate::region::resolve(name, "").province.is_some()
}

/// A township's or street's government (`东里镇人民政府`): many townships
/// share a name, so the place is settled later, with the report's text.
fn is_township_government(name: &str) -> bool {
    ["镇人民政府", "乡人民政府", "苏木人民政府", "街道办事处"]
        .iter()
        .any(|s| {
            name.strip_suffix(s)
                .is_some_and(|place| place.chars().count() >= 1)
        })
}

/// Ministries and other national bodies, which carry no place in their
/// name: those of the bureau table, and `国家…局` / `…总局` / `…总署`.
pub fn is_national_body(name: &str) -> bool {
    let core = name.strip_prefix("中华人民共和国").unwrap_or(name);
    crate::bureau_id::builtin_aliases()
        .department(core)
        .is_some_and(|d| d.national)
        || (core.starts_with("国家") || core.ends_with("总局") || core.ends_with("总署"))
            && core.chars().count() >= 4
            && !core.starts_with(['省', '市', '县', '区'])
}

/// Words of a clause that never occur inside a body's name: a run of
/// characters before a suffix that holds one starts after it
/// (`充分发挥市委全面依法治市委员会` → `市委全面依法治市委员会`).
const CLAUSE_WORDS: &[&str] = &[
    "发挥", "坚持", "推进", "贯彻", "落实", "深入", "加强", "认真", "按照", "根据", "围绕", "学习",
    "作为", "组建", "建立", "关于", "指示", "精神", "讲话", "印发", "制定", "召开", "要求", "成立",
    "联合", "会同", "牵头", "配合", "报送", "提请", "经过", "通过",
];

/// [`CLAUSE_WORDS`] as one automaton.
static CLAUSE_WORDS_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&CLAUSE_WORDS.join("|")).expect("clause words"));

/// The name after the last clause word in it, if any.
fn after_clause_words(name: &str) -> &str {
    CLAUSE_WORDS_RE
        .find_iter(name)
        .last()
        .map_or(name, |m| &name[m.end()..])
}

/// Is the body at `start..end` of `text` the one that leads or guides
/// (`在雷州市委的领导下`, `在区委全面依法治区委员会办公室的指导下`)?
fn is_leading_body(text: &str, start: usize, end: usize) -> bool {
    const CLAUSE_ENDS: &[char] = &['，', ',', '。', '；'];
    let clause_start = text[..start]
        .char_indices()
        .rev()
        .find(|(_, c)| CLAUSE_ENDS.contains(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let clause_end = text[end..]
        .find(CLAUSE_ENDS)
        .map_or(text.len(), |p| end + p);
    let before = &text[clause_start..start];
    let after = &text[end..clause_end];
    before.contains('在') && (after.contains("领导") || after.contains("指导"))
}

/// A party committee (`中共江门市委`, `湛江市委`): it leads the government
/// whose report this is, so it is never the author of one.
fn is_party_committee(name: &str) -> bool {
    let core = name.strip_prefix("中共").unwrap_or(name);
    let place = core
        .strip_suffix("委员会")
        .or_else(|| core.strip_suffix('委'));
    place.is_some_and(|p| !p.is_empty() && is_bare_place(p))
}

/// Is byte offset `pos` of `text` inside a cited title (`《…》`)?
pub fn inside_book_title(text: &str, pos: usize) -> bool {
    let before = &text[..pos];
    before.matches('《').count() > before.matches('》').count()
}

/// A place standing as the subject of the opening sentence (`2019年，南昌县全面
/// 贯彻…`, `在…领导下，南昌县坚持…`): the place's government wrote it.
pub fn place_as_subject(text: &str) -> Option<String> {
    const VERBS: &[&str] = &[
        "全面",
        "坚持",
        "深入",
        "认真",
        "始终",
        "紧紧",
        "扎实",
        "持续",
        "积极",
        "以习近平",
        "牢牢",
        "聚焦",
        "不断",
        "大力",
        "着力",
    ];
    for clause in text.split(['，', ',', '。']).take(3) {
        let clause = clause.trim_start_matches(crate::text::numbering::is_padding);
        let run: String = clause
            .chars()
            .take_while(|c| is_name_char(*c))
            .take(10)
            .collect();
        // A place name ends with its level (`县`, `区`, `镇` …): only those cuts.
        let cuts: Vec<usize> = run
            .char_indices()
            .skip(1)
            .filter(|(_, c)| "省市县区州旗盟镇乡".contains(*c))
            .map(|(i, c)| i + c.len_utf8())
            .collect();
        let found = cuts.into_iter().rev().find(|&cut| {
            is_bare_place(&run[..cut])
                && VERBS
                    .iter()
                    .any(|v| run[cut..].starts_with(v) || clause[cut..].starts_with(v))
        });
        if let Some(cut) = found {
            return Some(run[..cut].to_string());
        }
    }
    None
}

/// Names by their shape alone: a department suffix and the characters before it.
fn names_by_shape(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut covered_until = 0;
    for (end_pos, c) in text.char_indices() {
        // Most characters start no ending: test the first character before
        // comparing strings (this runs on the opening of every report).
        if !ENDING_FIRST_CHARS.contains(c) {
            continue;
        }
        let Some(ending) = NAME_ENDINGS
            .iter()
            .find(|e| text[end_pos..].starts_with(**e))
        else {
            continue;
        };
        let end = end_pos + ending.len();
        // A longer name goes on (`市场监督管理局` after `市`): only a name that
        // is not followed by more of a suffix counts here; `局长` is no name.
        let next = text[end..].chars().next();
        if next.is_some_and(|c| "长务员属机所内外系署门分面势托理法好事件案校级".contains(c))
        {
            continue;
        }
        // A longer ending right after a name extends it (`某某镇` + `人民政府`,
        // `司法局` + `党组`); otherwise a name never starts inside the last one.
        if let Some(last) = out.last_mut()
            && last.0 + last.1.len() == end_pos
        {
            last.1.push_str(ending);
            covered_until = end;
            continue;
        }
        let start = name_start(text, end_pos).max(covered_until);
        if start >= end_pos {
            continue;
        }
        let name = strip_leading_words(after_clause_words(&text[start..end]));
        let count = name.chars().count();
        let offset = end - name.len();
        if !(3..=30).contains(&count)
            || is_superior_body(name)
            || name.contains("法治")
            || *ending == "部" && !is_national_body(name) && !name.contains('委')
        {
            continue;
        }
        out.push((offset, name.to_string()));
        covered_until = end;
    }
    out
}

/// Start of the run of name characters that ends at `end_pos`, at most 24 back.
fn name_start(text: &str, end_pos: usize) -> usize {
    let mut start = end_pos;
    for (taken, (i, c)) in text[..end_pos].char_indices().rev().enumerate() {
        if taken >= 24 || !is_name_char(c) {
            break;
        }
        start = i;
    }
    start
}

/// Drop clause openers from the front of a candidate name.
fn strip_leading_words(mut name: &str) -> &str {
    loop {
        let before = name;
        for w in LEADING_WORDS {
            if let Some(rest) = name.strip_prefix(w)
                && rest.chars().count() >= 3
            {
                name = rest;
                break;
            }
        }
        if name == before {
            return name;
        }
    }
}

/// The author named at the start of a title: `X关于…`, `X发布…`, `X2021年度…`,
/// `2021年度X法治政府建设…`.
pub fn title_author(title: &str) -> Option<String> {
    let cut = [
        title.find("关于"),
        title.find("發布"),
        title.find("发布"),
        title.find("法治"),
        title.find("依法"),
        title.find(|c: char| c.is_ascii_digit()),
        title.find("二〇"),
        title.find("二○"),
    ]
    .into_iter()
    .flatten()
    .min()?;
    let head = title[..cut].trim_matches(crate::text::numbering::is_padding);
    let head = head.strip_suffix("公开").unwrap_or(head);
    if let Some(name) = names_by_shape(head).into_iter().map(|(_, n)| n).next_back()
        && head.ends_with(&name)
    {
        return Some(name);
    }
    // `静海区2023年度…`: a place alone is its government.
    if !head.is_empty() && is_bare_place(head) {
        return Some(head.to_string());
    }
    // `2021年度宁县教育局法治政府建设…`: the name between the year and the subject.
    let after_year = title.find('年').map(|p| &title[p + '年'.len_utf8()..])?;
    let after_year = after_year.strip_prefix('度').unwrap_or(after_year);
    let subject = after_year
        .find("法治")
        .or_else(|| after_year.find("依法"))?;
    let middle = &after_year[..subject];
    if !middle.is_empty() && is_bare_place(middle) {
        return Some(middle.to_string());
    }
    names_by_shape(middle)
        .into_iter()
        .find(|(off, n)| *off == 0 && n.len() == middle.len())
        .map(|(_, n)| n)
}

/// A place's name alone (`静海区`, `早胜镇`), which stands for its government.
fn is_bare_place(name: &str) -> bool {
    let r = crate::region::resolve(name, "");
    let finest = r
        .township
        .as_deref()
        .or(r.county.as_deref())
        .or(r.city.as_deref())
        .or(r.province.as_deref());
    finest == Some(name)
}

/// A name that says only the level and the department (`市水务局`, `区教育局`,
/// `县司法局`, `部党组`): the place stands elsewhere in the text.
pub fn is_short_self_reference(name: &str) -> bool {
    let mut chars = name.chars();
    let first = chars.next();
    let rest = chars.as_str();
    let level_then_department = matches!(
        first,
        Some('省' | '市' | '县' | '区' | '镇' | '乡' | '州' | '旗')
    ) && rest.chars().count() >= 2
        && !rest.starts_with("场")
        && !rest.contains("政府")
        && !rest.replace("市场", "").contains(['省', '市', '县'])
        && !rest.starts_with('区')
        && !crate::region::starts_with_place_name(name);
    level_then_department
        || matches!(name, "部党组" | "厅党组" | "局党组" | "委党组")
        || is_provincial_department(name)
}

/// A provincial department named without its province (`教育厅`): 厅 is a
/// province's department, so the level is known even without `省`.
fn is_provincial_department(name: &str) -> bool {
    name.ends_with('厅')
        && crate::bureau_id::builtin_aliases()
            .department(name)
            .is_some()
}

/// `我局`, `本厅`, `我镇政府`: the report names itself by a pronoun; the
/// ending (`局`, `厅`, `委`, `镇` …) the body's name must have.
pub fn pronoun_self_reference(text: &str) -> Option<&'static str> {
    const FORMS: &[(&str, &str)] = &[
        ("我局", "局"),
        ("本局", "局"),
        ("我厅", "厅"),
        ("本厅", "厅"),
        ("我委", "委员会"),
        ("本委", "委员会"),
        ("我镇", "镇人民政府"),
        ("我乡", "乡人民政府"),
        ("我街道", "街道办事处"),
        ("我办", "办公室"),
    ];
    let head: String = text.chars().take(300).collect();
    FORMS
        .iter()
        .filter_map(|(form, ending)| head.find(form).map(|at| (at, *ending)))
        .min()
        .map(|(_, ending)| ending)
}

/// The level character of a short self-reference: its first (`市水务局` →
/// 市), or 省 for a provincial department (`教育厅`).
pub fn level_char(name: &str) -> Option<char> {
    if is_provincial_department(name) {
        return Some('省');
    }
    name.chars().next()
}

/// The department part of a short self-reference (`市水务局` → `水务局`).
pub fn department_of_short(name: &str) -> &str {
    if is_provincial_department(name) {
        return name;
    }
    let mut chars = name.chars();
    chars.next();
    let rest = chars.as_str();
    rest.strip_suffix("党组")
        .map_or(rest, |_| &name[..name.len() - "党组".len()])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        names_in(text).into_iter().map(|(_, n)| n).collect()
    }

    #[test]
    fn names_in_opening_sentences() {
        assert_eq!(
            names("2022年，庆阳市司法局始终坚持以人民为中心"),
            ["庆阳市司法局"]
        );
        assert_eq!(
            names("现将市人力资源和社会保障局2019年度法治政府建设工作报告如下"),
            ["市人力资源和社会保障局"]
        );
        assert_eq!(
            names("2021年以来，许昌市公安局按照市委、市政府部署"),
            ["许昌市公安局"]
        );
        assert_eq!(
            names("在县委、县政府的正确领导下，县教育局认真贯彻落实"),
            ["县教育局"]
        );
        assert_eq!(names("局长带头学法"), Vec::<String>::new());
        assert_eq!(names("宁县人民政府坚持依法行政"), ["宁县人民政府"]);
        assert_eq!(
            names("服务大局，全面推进乡村振兴，政府部署"),
            Vec::<String>::new()
        );
        assert_eq!(
            names("2021年，司法部坚持以习近平法治思想为指导"),
            ["司法部"]
        );
        assert_eq!(names("原环境保护部认真贯彻"), ["环境保护部"]);
        assert_eq!(
            names("2023年，在雷州市委的坚强领导下，东里镇人民政府坚持依法行政"),
            ["东里镇人民政府"]
        );
        assert_eq!(names("组建由司法所干部组成的队伍"), Vec::<String>::new());
        assert_eq!(
            names("上海市充分发挥市委全面依法治市委员会作用"),
            Vec::<String>::new()
        );
        assert_eq!(names("静海区法治政府建设取得成效"), Vec::<String>::new());
        assert_eq!(
            names("2023年，东莞市司法局在市委市政府的正确领导、省司法厅的关心指导下，始终坚持"),
            ["东莞市司法局"]
        );
        assert_eq!(
            names("落实《中共广东省委全面依法治省委员会办公室关于做好年度报告的通知》"),
            Vec::<String>::new(),
            "the office of a 依法治 committee leads; it does not report"
        );
        assert_eq!(
            names("落实湛江市委市政府和雷州市委市政府的部署"),
            Vec::<String>::new()
        );
        assert!(inside_book_title(
            "落实《宜春市公安局办法》",
            "落实《宜春".len()
        ));
    }

    #[test]
    fn places_as_subjects() {
        assert_eq!(
            place_as_subject("2019年，在省委、省政府的正确领导下，南昌县全面贯彻党的十九大精神")
                .as_deref(),
            Some("南昌县")
        );
        assert_eq!(place_as_subject("2019年，全县上下全面贯彻"), None);
    }

    #[test]
    fn ending_first_characters_cover_every_ending() {
        for e in NAME_ENDINGS {
            assert!(
                ENDING_FIRST_CHARS.contains(e.chars().next().unwrap()),
                "{e}"
            );
        }
    }

    #[test]
    fn title_authors() {
        assert_eq!(
            title_author("某某县司法局关于2016年度法治政府建设情况的报告").as_deref(),
            Some("某某县司法局")
        );
        assert_eq!(
            title_author("某某市水务局发布2023年法治政府建设年度报告").as_deref(),
            Some("某某市水务局")
        );
        assert_eq!(
            title_author("2021年度某某县交通运输局法治政府建设工作报告").as_deref(),
            Some("某某县交通运输局")
        );
        assert_eq!(title_author("关于2025年度法治政府建设情况的报告"), None);
        assert_eq!(
            title_author("静海区2023年度法治政府建设情况报告").as_deref(),
            Some("静海区")
        );
        assert_eq!(
            title_author("2020年静海区法治政府建设情况报告").as_deref(),
            Some("静海区")
        );
        assert_eq!(
            title_author("某某镇2020年度法治政府建设工作总结").as_deref(),
            Some("某某镇")
        );
    }

    #[test]
    fn short_self_references() {
        for s in [
            "市水务局",
            "区教育局",
            "县司法局",
            "部党组",
            "省司法厅",
            "教育厅",
            "市市场监管局",
        ] {
            assert!(is_short_self_reference(s), "{s}");
        }
        for s in [
            "市场监督管理局",
            "庆阳市水务局",
            "司法部",
            "宁县教育局",
            "镇海区农业农村局",
            "市中区人力资源和社会保障局",
        ] {
            assert!(!is_short_self_reference(s), "{s}");
        }
        assert_eq!(department_of_short("市水务局"), "水务局");
        assert_eq!(department_of_short("部党组"), "部");
    }
}
