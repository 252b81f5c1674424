//! From a file's text to a [`Report`]: clean into paragraphs, read the
//! metadata (which also marks header/signature furniture), build the heading
//! tree from the remaining text paragraphs, and place the bureau in the
//! gazetteer.
//!
//! Every stage is linear in the input and free of panics on any text, so a
//! damaged or huge file yields a (possibly empty) report rather than an error.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use super::metadata::{self, Metadata, orgs};
use super::{Region, Report, sections};
use crate::bureau_id::{self, BureauAliases};
use crate::ingest::LoadedText;
use crate::ingest::clean::{self, Paragraph};
use crate::ingest::user_metadata::UserRow;
use crate::region::Level;
use crate::text::script;

/// Parse one file's text with the built-in bureau alias table.
pub fn parse_report(rel_path: &str, doc_id: &str, loaded: &LoadedText) -> Report {
    parse_report_with(rel_path, doc_id, loaded, bureau_id::builtin_aliases())
}

/// Parse one file's text. Never panics; unknown fields stay `None`.
pub fn parse_report_with(
    rel_path: &str,
    doc_id: &str,
    loaded: &LoadedText,
    aliases: &BureauAliases,
) -> Report {
    let paras = clean::paragraphs(&loaded.text);
    // Metadata is read in simplified script, so that a traditional-script
    // repost names the same bureau and places as the original; sections
    // keep the text as written.
    let (mut meta, context) = if needs_metadata_view(&paras) {
        let view: Vec<Paragraph> = paras
            .iter()
            .map(|p| Paragraph {
                text: metadata_view(&p.text),
                ..p.clone()
            })
            .collect();
        let mut meta = metadata::extract(&view);
        // The title is shown as written; names and places stay simplified.
        if let Some((at, second)) = meta.title_paragraphs {
            meta.title = Some(metadata::title::text_of(&paras, at, second));
        }
        (meta, Cow::Owned(metadata_view(&loaded.text)))
    } else {
        (
            metadata::extract(&paras),
            Cow::Borrowed(loaded.text.as_str()),
        )
    };
    let text_paras: Vec<&Paragraph> = paras
        .iter()
        .zip(&meta.furniture)
        .filter(|(_, furniture)| !**furniture)
        .map(|(p, _)| p)
        .collect();
    let tree = sections::build(doc_id, &text_paras);
    let bureau_as_written = meta.bureau.clone();
    let region = place(&mut meta, &context, aliases);
    // A short self-reference no place completes (`市水务局` alone) names no
    // one body: every city has one. It stays only as written.
    if meta
        .bureau
        .as_deref()
        .is_some_and(orgs::is_short_self_reference)
    {
        meta.bureau = None;
        meta.sources.bureau = None;
    }
    let identity = meta
        .bureau
        .as_deref()
        .and_then(|b| bureau_id::identify(b, &region, aliases));
    if let Some(id) = &identity {
        meta.bureau = Some(id.canonical.clone());
    }
    Report {
        path: rel_path.to_string(),
        doc_id: doc_id.to_string(),
        encoding: loaded.encoding.clone(),
        title: meta.title,
        bureau: meta.bureau,
        bureau_key: identity.map(|id| id.key),
        bureau_as_written,
        report_year: meta.report_year,
        publish_date: meta.publish_date,
        doc_number: meta.doc_number,
        addressee: meta.addressee,
        region,
        url: None,
        sources: meta.sources,
        preamble: tree.preamble,
        sections: tree.sections,
        closing: tree.closing,
        warnings: tree.plain_text.into_iter().collect(),
    }
}

/// Pinyin that mirror sites write after characters: `應(yīng)急管理部`.
static PINYIN_GLOSS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\p{Han})[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}[)）]").expect("pinyin gloss")
});

/// Do the opening or closing paragraphs need [`metadata_view`]?
fn needs_metadata_view(paras: &[Paragraph]) -> bool {
    paras
        .iter()
        .take(40)
        .chain(paras.iter().rev().take(10))
        .any(|p| {
            script::has_traditional(&p.text)
                || p.text.contains(['(', '（']) && PINYIN_GLOSS.is_match(&p.text)
        })
}

/// Text as metadata reads it: simplified script, pinyin glosses removed.
fn metadata_view(text: &str) -> String {
    let simplified = script::simplify(text);
    PINYIN_GLOSS.replace_all(&simplified, "$1").into_owned()
}

/// What the user's metadata file says about a report wins over what was
/// extracted; the region follows the given place, else the given bureau.
pub fn apply_user_metadata(report: &mut Report, row: &UserRow, aliases: &BureauAliases) {
    const FROM_FILE: &str = "metadata file";
    let given =
        |value: &Option<String>, field: &mut Option<String>, source: &mut Option<String>| {
            if let Some(v) = value {
                *field = Some(v.clone());
                *source = Some(FROM_FILE.to_string());
            }
        };
    let s = &mut report.sources;
    if row.bureau.is_some() {
        report.bureau_as_written = row.bureau.clone();
        report.bureau_key = None;
    }
    given(&row.title, &mut report.title, &mut s.title);
    given(&row.bureau, &mut report.bureau, &mut s.bureau);
    given(
        &row.publish_date,
        &mut report.publish_date,
        &mut s.publish_date,
    );
    if let Some(year) = row.report_year {
        report.report_year = Some(year);
        s.report_year = Some(FROM_FILE.to_string());
    }
    if row.url.is_some() {
        report.url = row.url.clone();
    }
    let place: String = [&row.province, &row.city, &row.county]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    let region = if !place.is_empty() {
        crate::region::resolve(&place, "")
    } else if let Some(bureau) = &row.bureau {
        crate::region::resolve(bureau, "")
    } else {
        Region::default()
    };
    if region.province.is_some() {
        report.region = region;
        s.region = Some(FROM_FILE.to_string());
    } else if !place.is_empty() {
        // A place the gazetteer does not know is still what the user said.
        report.region = Region {
            province: row.province.clone(),
            city: row.city.clone(),
            county: row.county.clone(),
            ..Region::default()
        };
        s.region = Some(FROM_FILE.to_string());
    }
    if let Some(bureau) = &row.bureau
        && let Some(id) = bureau_id::identify(bureau, &report.region, aliases)
    {
        report.bureau = Some(id.canonical);
        report.bureau_key = Some(id.key);
    }
}

/// Where the bureau sits: its own name's place; for a short self-reference
/// (`市水务局`) the place of another body the page names, cut to the level
/// the reference says (`市` → the city); a national body has none.
fn place(meta: &mut Metadata, text: &str, aliases: &BureauAliases) -> Region {
    let Some(bureau) = meta.bureau.clone() else {
        return place_of_title(meta, text);
    };
    let own = crate::region::resolve(&bureau, text);
    if own.province.is_some() || orgs::is_national_body(&bureau) {
        meta.sources.region = meta
            .sources
            .bureau
            .clone()
            .filter(|_| own.province.is_some());
        return own;
    }
    let Some((region, found_in)) = place_elsewhere(meta, &bureau, text) else {
        return Region::default();
    };
    complete_bureau(meta, &bureau, &region, &found_in, aliases);
    meta.sources.region = Some(found_in);
    region
}

/// The place of a bureau whose name has none: another body the page names
/// (cut to the level a short name says), else for a short name the place the
/// text names most at that level. With where it was found.
fn place_elsewhere(meta: &Metadata, bureau: &str, text: &str) -> Option<(Region, String)> {
    let level = orgs::is_short_self_reference(bureau)
        .then(|| orgs::level_char(bureau))
        .flatten();
    for body in &meta.named_bodies {
        let r = crate::region::resolve(body, text);
        if r.province.is_some()
            && let Some(r) = cut_to_level(r, level)
        {
            return Some((r, format!("named body {body}")));
        }
    }
    let r = crate::region::most_named(text, level.and_then(level_of)?)?;
    Some((r, "places named in the text".to_string()))
}

/// Complete a short self-reference with the place found for it
/// (`市水务局` in 庆阳市 → `庆阳市水务局`), saying so in its source.
fn complete_bureau(
    meta: &mut Metadata,
    bureau: &str,
    region: &Region,
    found_in: &str,
    aliases: &BureauAliases,
) {
    // `教育厅` is a province's: complete it as `省教育厅`.
    let with_level = match orgs::level_char(bureau) {
        Some(level) if !bureau.starts_with(level) => format!("{level}{bureau}"),
        _ => bureau.to_string(),
    };
    if let Some(full) = bureau_id::complete_short(&with_level, region, aliases) {
        meta.sources.bureau = meta
            .sources
            .bureau
            .take()
            .map(|b| format!("{b} (place: {found_in})"));
        meta.bureau = Some(full);
    }
}

/// The place a title names when no bureau was found.
fn place_of_title(meta: &mut Metadata, text: &str) -> Region {
    let Some(title) = meta.title.as_deref() else {
        return Region::default();
    };
    let r = crate::region::resolve(title, text);
    if r.province.is_some() {
        meta.sources.region = meta.sources.title.clone();
    }
    r
}

/// The level a short self-reference's first character names.
fn level_of(c: char) -> Option<Level> {
    match c {
        '省' => Some(Level::Province),
        '市' | '州' => Some(Level::City),
        '县' | '区' | '旗' => Some(Level::County),
        _ => None,
    }
}

/// `region` cut to the level a short self-reference names, or `None` when
/// the region does not reach that level.
fn cut_to_level(mut region: Region, level: Option<char>) -> Option<Region> {
    match level {
        Some('省') => {
            region.city = None;
            region.city_code = None;
            region.county = None;
            region.county_code = None;
        }
        Some('市' | '州') => {
            region.city.as_ref()?;
            region.county = None;
            region.county_code = None;
        }
        Some('县' | '区' | '旗') => {
            region.county.as_ref()?;
        }
        Some(_) => return None,
        None => {}
    }
    Some(region)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(text: &str) -> LoadedText {
        LoadedText {
            text: text.to_string(),
            encoding: "UTF-8".into(),
            content_hash: String::new(),
        }
    }

    fn parse(text: &str) -> Report {
        parse_report("a.txt", "a", &loaded(text))
    }

    #[test]
    fn small_report_end_to_end() {
        let text = "您当前的位置:首页 > 信息公开\n某某县教育局2022年度法治政府建设工作报告\n县政府：\n2022年，我局推进依法行政。\n一、主要工作\n（一）加强领导。我局高度重视，\n\n成立领导小组。\n二、下一步打算\n继续推进。\n某某县教育局\n2023年1月5日\n立即注册\n";
        let r = parse(text);
        assert_eq!(
            r.title.as_deref(),
            Some("某某县教育局2022年度法治政府建设工作报告")
        );
        assert_eq!(r.bureau.as_deref(), Some("某某县教育局"));
        assert_eq!(r.report_year, Some(2022));
        assert_eq!(r.publish_date.as_deref(), Some("2023-01-05"));
        assert_eq!(r.addressee.as_deref(), Some("县政府"));
        assert_eq!(
            r.preamble.as_ref().map(|p| p.body.as_str()),
            Some("2022年，我局推进依法行政。")
        );
        assert_eq!(r.sections.len(), 3);
        assert_eq!(r.sections[1].body, "我局高度重视，成立领导小组。");
        assert_eq!((r.sections[1].line_start, r.sections[1].line_end), (6, 8));
        assert_eq!(r.sections[2].body, "继续推进。");
        assert_eq!(r.sources.title.as_deref(), Some("title line 2"));
        assert_eq!(r.sources.bureau.as_deref(), Some("title line 2"));
    }

    #[test]
    fn short_self_reference_is_placed_by_another_body() {
        // The title says only 市水务局; the footer names the city's government.
        let r = parse(
            "市水务局2023年度法治政府建设工作报告\n2023年，市水务局坚持依法行政，全面推进各项工作，取得明显成效。\n一、主要工作\n推进依法决策。\n主办单位：庆阳市人民政府办公室\n",
        );
        assert_eq!(r.region.city.as_deref(), Some("庆阳市"));
        assert_eq!(r.region.county, None, "a 市 reference is the city's bureau");
        assert_eq!(r.bureau.as_deref(), Some("庆阳市水务局"));
        assert_eq!(
            r.sources.region.as_deref(),
            Some("named body 庆阳市人民政府办公室")
        );
    }

    #[test]
    fn national_body_has_no_region() {
        let r = parse(
            "2021年，司法部坚持以习近平法治思想为指导，全面推进法治政府建设，取得新成效。\n一、加强党的领导\n部党组坚持领导。\n主办单位：许昌市司法局\n",
        );
        assert_eq!(r.bureau.as_deref(), Some("中华人民共和国司法部"));
        assert_eq!(r.bureau_as_written.as_deref(), Some("司法部"));
        assert_eq!(r.bureau_key.as_deref(), Some("00/司法部"));
        assert_eq!(r.region, Region::default());
        assert_eq!(r.report_year, Some(2021));
    }

    #[test]
    fn traditional_script_repost_names_the_same_bureau() {
        let r = parse(
            "湘潭縣衛生健康局2025年法治政府建設年度工作報告\n2025年，我局堅持依法行政，全面推進法治政府建設。\n一、主要工作\n推進依法決策。",
        );
        assert_eq!(r.bureau.as_deref(), Some("湘潭县卫生健康局"));
        assert_eq!(r.region.county.as_deref(), Some("湘潭县"));
        assert_eq!(r.report_year, Some(2025));
        assert_eq!(
            r.title.as_deref(),
            Some("湘潭縣衛生健康局2025年法治政府建設年度工作報告"),
            "the title as written"
        );
        assert_eq!(
            r.sections[0].heading, "一、主要工作",
            "sections keep the text as written"
        );
        assert_eq!(r.sections[0].body, "推進依法決策。");
    }

    #[test]
    fn pinyin_glosses_of_mirror_sites_go() {
        let r = parse(
            "2022年，應(yīng)急管理部堅持以習(xí)近平新時代中國特色社會主義思想為指導(dǎo)，推進法治政府建設。\n一、主要工作\n推進。",
        );
        assert_eq!(r.bureau.as_deref(), Some("中华人民共和国应急管理部"));
        assert_eq!(r.bureau_as_written.as_deref(), Some("应急管理部"));
    }

    #[test]
    fn provincial_department_without_its_province() {
        let r = parse(
            "2021年，教育厅以习近平法治思想为引领，按照省委、省政府部署推进法治政府建设。\n一、主要举措\n落实《四川省法治政府建设实施方案》，四川省各地推进。",
        );
        assert_eq!(r.bureau.as_deref(), Some("四川省教育厅"));
        assert_eq!(r.region.province.as_deref(), Some("四川省"));
        assert_eq!(
            r.sources.region.as_deref(),
            Some("places named in the text")
        );
    }

    #[test]
    fn user_metadata_wins() {
        let mut r = parse("宁县教育局2023年度法治政府建设工作报告\n近年来，我局推进工作。");
        let row = UserRow {
            url: Some("https://example.gov.cn/a.html".into()),
            report_year: Some(2022),
            city: Some("庆阳市".into()),
            ..UserRow::default()
        };
        apply_user_metadata(&mut r, &row, bureau_id::builtin_aliases());
        assert_eq!(r.report_year, Some(2022));
        assert_eq!(r.sources.report_year.as_deref(), Some("metadata file"));
        assert_eq!(r.url.as_deref(), Some("https://example.gov.cn/a.html"));
        assert_eq!(r.region.city_code.as_deref(), Some("6210"));
        assert_eq!(
            r.region.county, None,
            "the user's place replaces the extracted one"
        );
        assert_eq!(
            r.bureau.as_deref(),
            Some("宁县教育局"),
            "not given: extraction stays"
        );
    }

    #[test]
    fn empty_and_garbage_inputs() {
        for t in [
            "",
            "\n\n",
            "一、",
            "（一）",
            "。。。",
            "\u{a0}",
            "1.\n2.\n(1)",
        ] {
            let _ = parse(t);
        }
    }
}
