//! Filters: which reports' sections a request may return (bureau, region,
//! administrative level, department type, years, topic), as tantivy queries
//! over raw and fast fields.
//!
//! A place (`--province`, `--city`, `--county`) is resolved before it
//! filters, against the GB/T 2260 gazetteer and the names the index holds:
//! a code (`33`, `330000`; `6210`, `621000`; `330181`) must name a place of
//! that level; a name matches exactly, then by its short form (`浙江` →
//! 浙江省), then as a part of one name (`长春` → 长春市). A code or name
//! that names nothing, or a part of several names (`江` → 江苏省, 江西省,
//! 黑龙江省), is a [`FilterError`] naming the candidates — never a filter
//! that silently matches nothing.
//!
//! The level and department type of a section come from its bureau's
//! identity key (`place code/department`, see the bureau identity module):
//! the place code's length is the level (`00` national, 2 digits province,
//! 4 city, 6 county, 9 township), the rest is the department.

use std::collections::BTreeSet;
use std::ops::Bound;

use tantivy::Searcher;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query as TQuery, RangeQuery, TermQuery,
    TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Term};

use crate::analysis::normalize;
use crate::bureau_id::builtin_aliases;
use crate::index::Fields;
use crate::region::{self, GazetteerPlace, Level};

/// Restrict a search to sections of some reports.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Bureau name contains this (after normalisation).
    pub bureau: Option<String>,
    /// Province: a name, part of one, or its code (resolved, see the module docs).
    pub province: Option<String>,
    /// Prefecture-level city: a name, part of one, or its code.
    pub city: Option<String>,
    /// County-level unit: a name, part of one, or its code.
    pub county: Option<String>,
    /// Administrative level of the bureau.
    pub level: Option<AdminLevel>,
    /// The bureau's department type contains this, or it is one of the
    /// types this is an alias of (`人社局`).
    pub dept: Option<String>,
    /// Inclusive range of report years.
    pub years: Option<(Option<u64>, Option<u64>)>,
    /// Only sections discussing a topic (resolved by the engine from a
    /// name or alias).
    pub topic: Option<TopicFilter>,
    /// The score from which a section discusses a topic, for whichever
    /// topic the request names (`None`: the taxonomy's `main_min`). Not a
    /// filter by itself.
    pub min_score: Option<f64>,
}

/// Sections whose score for topic `slot` is at least `min_score` (and
/// above 0): *the sections of a topic*, the same for every command.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TopicFilter {
    pub slot: usize,
    pub min_score: f64,
}

impl TopicFilter {
    /// Whether a section with this score for the topic is one of its sections.
    pub fn admits(&self, score: f64) -> bool {
        score > 0.0 && score >= self.min_score
    }
}

impl Filters {
    /// Whether no filter is set (every section passes).
    pub fn is_empty(&self) -> bool {
        let Filters {
            bureau,
            province,
            city,
            county,
            level,
            dept,
            years,
            topic,
            min_score: _,
        } = self;
        bureau.is_none()
            && province.is_none()
            && city.is_none()
            && county.is_none()
            && level.is_none()
            && dept.is_none()
            && years.is_none()
            && topic.is_none()
    }
}

/// A filter value that names nothing or too much: a usage error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FilterError(pub String);

/// Administrative level of a bureau (`--level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AdminLevel {
    National,
    Province,
    City,
    County,
    Township,
}

impl AdminLevel {
    pub const ALL: [AdminLevel; 5] = [
        AdminLevel::National,
        AdminLevel::Province,
        AdminLevel::City,
        AdminLevel::County,
        AdminLevel::Township,
    ];

    /// The English name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            AdminLevel::National => "national",
            AdminLevel::Province => "province",
            AdminLevel::City => "city",
            AdminLevel::County => "county",
            AdminLevel::Township => "township",
        }
    }

    /// `national`, `province`, … or the Chinese 国家/中央, 省, 市, 县, 乡镇
    /// (with or without 级).
    pub fn parse(s: &str) -> Result<AdminLevel, String> {
        let t = s.trim().to_lowercase();
        let t = t.strip_suffix('级').unwrap_or(&t);
        let level = match t {
            "national" | "国家" | "中央" | "全国" => AdminLevel::National,
            "province" | "provincial" | "省" => AdminLevel::Province,
            "city" | "prefecture" | "市" | "地市" => AdminLevel::City,
            "county" | "县" | "区县" | "县区" => AdminLevel::County,
            "township" | "town" | "乡镇" | "乡" | "镇" | "街道" => AdminLevel::Township,
            _ => {
                return Err(format!(
                    "bad level '{s}': use national, province, city, county or township"
                ));
            }
        };
        Ok(level)
    }

    /// The level of a bureau identity key (`6210/教育局` → city); `None`
    /// for a body whose place is unknown (`?/…`).
    pub fn of_key(key: &str) -> Option<AdminLevel> {
        let (code, _) = key.split_once('/')?;
        match code.len() {
            2 if code == "00" => Some(AdminLevel::National),
            2 => Some(AdminLevel::Province),
            4 => Some(AdminLevel::City),
            6 => Some(AdminLevel::County),
            9 | 12 => Some(AdminLevel::Township),
            _ => None,
        }
    }
}

/// The department type of a bureau identity key (`6210/教育局` → 教育局).
pub fn key_department(key: &str) -> Option<&str> {
    key.split_once('/')
        .map(|(_, d)| d)
        .filter(|d| !d.is_empty())
}

/// Parse a year or a range: `2021`, `2021年`, `2021年度`, `2020-2023`,
/// `2020..2023`, `2020..`, `..2023` (full-width digits and dashes, `~`,
/// `至` and `到` too).
pub fn parse_years(s: &str) -> Result<(Option<u64>, Option<u64>), String> {
    let bad = || {
        format!("bad year range '{s}': use 2021, 2021年, 2020-2023, 2020..2023, 2020.. or ..2023")
    };
    let folded: String = s
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            '－' | '–' | '—' | '~' | '～' | '至' | '到' => '-',
            _ => c,
        })
        .collect();
    let year = |t: &str| -> Result<Option<u64>, String> {
        let t = t.trim();
        let t = t
            .strip_suffix("年度")
            .or_else(|| t.strip_suffix('年'))
            .unwrap_or(t)
            .trim();
        if t.is_empty() {
            return Ok(None);
        }
        t.parse::<u64>()
            .ok()
            .filter(|y| (1949..=2200).contains(y))
            .map(Some)
            .ok_or_else(bad)
    };
    let parts = folded.split_once("..").or_else(|| folded.split_once('-'));
    match parts {
        Some((a, b)) => {
            let (a, b) = (year(a)?, year(b)?);
            if a.is_none() && b.is_none() {
                return Err(bad());
            }
            if let (Some(x), Some(y)) = (a, b)
                && x > y
            {
                return Err(bad());
            }
            Ok((a, b))
        }
        None => {
            let y = year(&folded)?.ok_or_else(bad)?;
            Ok((Some(y), Some(y)))
        }
    }
}

/// All distinct values of a raw string field whose value satisfies `keep`.
pub fn field_values(
    searcher: &Searcher,
    field: Field,
    mut keep: impl FnMut(&str) -> bool,
) -> anyhow::Result<Vec<String>> {
    let mut out = BTreeSet::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted.terms().stream()?;
        while stream.advance() {
            if let Ok(value) = std::str::from_utf8(stream.key())
                && !out.contains(value)
                && keep(value)
            {
                out.insert(value.to_string());
            }
        }
    }
    Ok(out.into_iter().collect())
}

/// A place flag: its level, the fields it filters and its name in messages.
struct PlaceFlag {
    flag: &'static str,
    level: Level,
    name: Field,
    code: Field,
}

/// How a place filter was resolved: the index's code, or exact names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PlaceMatch {
    Code(String),
    Names(Vec<String>),
}

/// The noun for a level in messages.
fn level_noun(level: Level) -> &'static str {
    match level {
        Level::Province => "province",
        Level::City => "city",
        Level::County => "county-level unit",
    }
}

/// A GB/T 2260 code as the index stores it at its own level: `33`,
/// `330000` → (province, `33`); `6210`, `621000` → (city, `6210`);
/// `330181` → (county, `330181`). `None` when not a code's shape.
fn code_level(code: &str) -> Option<(Level, String)> {
    match code.len() {
        2 => Some((Level::Province, code.to_string())),
        4 => Some((Level::City, code.to_string())),
        6 if code.ends_with("0000") => Some((Level::Province, code[..2].to_string())),
        6 if code.ends_with("00") => Some((Level::City, code[..4].to_string())),
        6 => Some((Level::County, code.to_string())),
        _ => None,
    }
}

/// Digits folded to ASCII (full-width `３３` too); `None` unless all digits.
fn as_code(value: &str) -> Option<String> {
    let folded: String = value
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            _ => c,
        })
        .collect();
    (!folded.is_empty() && folded.chars().all(|c| c.is_ascii_digit())).then_some(folded)
}

/// `name (code)` for each candidate, at most ten, then how many more.
fn list_candidates(places: &[(String, Option<String>)]) -> String {
    const SHOWN: usize = 10;
    let mut out: Vec<String> = places
        .iter()
        .take(SHOWN)
        .map(|(name, code)| match code {
            Some(code) => format!("{name} ({code})"),
            None => name.clone(),
        })
        .collect();
    if places.len() > SHOWN {
        out.push(format!("and {} more", places.len() - SHOWN));
    }
    out.join(", ")
}

/// Resolve a place flag's value against the gazetteer and the index's
/// names (see the module docs).
fn resolve_place(
    flag: &PlaceFlag,
    value: &str,
    indexed: &[String],
) -> Result<PlaceMatch, FilterError> {
    let value = value.trim();
    let noun = level_noun(flag.level);
    let places = region::gazetteer_places(flag.level);
    if let Some(code) = as_code(value) {
        let Some((level, code)) = code_level(&code) else {
            return Err(FilterError(format!(
                "--{} {value}: not a GB/T 2260 code (2, 4 or 6 digits, e.g. 33, 330000, 621000, 330181)",
                flag.flag
            )));
        };
        if level != flag.level {
            let other = match level {
                Level::Province => "province",
                Level::City => "city",
                Level::County => "county",
            };
            return Err(FilterError(format!(
                "--{} {value}: that is a {} code; use --{other} {value}",
                flag.flag,
                level_noun(level)
            )));
        }
        if places.iter().any(|p| p.code == code) {
            return Ok(PlaceMatch::Code(code));
        }
        let hint = if flag.level == Level::Province {
            let all: Vec<(String, Option<String>)> = places
                .iter()
                .map(|p| (p.name.clone(), Some(p.code.clone())))
                .collect();
            format!("; provinces: {}", list_candidates_all(&all))
        } else {
            String::new()
        };
        return Err(FilterError(format!(
            "--{} {value}: no {noun} has GB/T 2260 code {code}{hint}",
            flag.flag
        )));
    }
    let wanted = normalize(value);
    // Candidates (name, code, short form, all normalised but the code): the
    // gazetteer's places, then names only the index has (from a user's
    // metadata file), each once.
    let known: BTreeSet<String> = places.iter().map(|p| p.name.clone()).collect();
    let mut candidates: Vec<[String; 3]> = places
        .into_iter()
        .map(|GazetteerPlace { code, name, short }| [name, code, normalize(&short)])
        .collect();
    for name in indexed.iter().filter(|n| !known.contains(*n)) {
        let short = normalize(region::short_name(name));
        candidates.push([name.clone(), String::new(), short]);
    }
    let stages: [fn(&[String; 3], &str) -> bool; 3] = [
        |c, w| normalize(&c[0]) == w,
        |c, w| c[2] == w,
        |c, w| normalize(&c[0]).contains(w),
    ];
    for stage in stages {
        let mut found: Vec<(String, Option<String>)> = candidates
            .iter()
            .filter(|c| stage(c, &wanted))
            .map(|[name, code, _]| (name.clone(), (!code.is_empty()).then(|| code.clone())))
            .collect();
        let names: BTreeSet<&String> = found.iter().map(|c| &c.0).collect();
        match names.len() {
            0 => continue,
            1 => {
                let name = found.swap_remove(0).0;
                return Ok(PlaceMatch::Names(vec![name]));
            }
            _ => {
                found.sort();
                found.dedup();
                return Err(FilterError(format!(
                    "--{} {value} is ambiguous: {}; give the full name or the code",
                    flag.flag,
                    list_candidates(&found)
                )));
            }
        }
    }
    Err(FilterError(format!(
        "--{} {value}: no {noun} is named or contains '{value}'",
        flag.flag
    )))
}

/// Every candidate, `name (code)`.
fn list_candidates_all(places: &[(String, Option<String>)]) -> String {
    places
        .iter()
        .map(|(name, code)| match code {
            Some(code) => format!("{name} ({code})"),
            None => name.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The clause of a place flag.
fn place_filter(
    searcher: &Searcher,
    flag: &PlaceFlag,
    value: &str,
) -> anyhow::Result<Box<dyn TQuery>> {
    let indexed = field_values(searcher, flag.name, |_| true)?;
    Ok(match resolve_place(flag, value, &indexed)? {
        PlaceMatch::Code(code) => Box::new(TermQuery::new(
            Term::from_field_text(flag.code, &code),
            IndexRecordOption::Basic,
        )),
        PlaceMatch::Names(names) => Box::new(TermSetQuery::new(
            names.iter().map(|n| Term::from_field_text(flag.name, n)),
        )),
    })
}

/// The department types `--dept value` stands for: the alias table's
/// types whose name or an alias contains it (`人社` → 人力资源和社会保障局).
fn departments_named(wanted: &str) -> Vec<String> {
    builtin_aliases()
        .departments()
        .iter()
        .filter(|d| {
            std::iter::once(&d.name)
                .chain(&d.aliases)
                .any(|n| normalize(n).contains(wanted))
        })
        .map(|d| d.name.clone())
        .collect()
}

/// The identity keys of bureaus of department type `value` (see
/// [`Filters::dept`]); an error when neither the alias table nor the
/// index knows such a type.
fn dept_keys(searcher: &Searcher, f: &Fields, value: &str) -> anyhow::Result<Vec<String>> {
    let wanted = normalize(value);
    let types = departments_named(&wanted);
    let keys = field_values(searcher, f.bureau_key, |k| {
        key_department(k)
            .is_some_and(|d| types.iter().any(|t| t == d) || normalize(d).contains(&wanted))
    })?;
    if keys.is_empty() && types.is_empty() {
        let some: Vec<&str> = builtin_aliases()
            .departments()
            .iter()
            .take(12)
            .map(|d| d.name.as_str())
            .collect();
        return Err(FilterError(format!(
            "--dept {value}: no department type is named or contains '{value}' (types are like {}, …; see data/bureaus.toml)",
            some.join(", ")
        ))
        .into());
    }
    Ok(keys)
}

/// The filter clauses of `filters` (each must match).
pub fn filter_queries(
    searcher: &Searcher,
    f: &Fields,
    filters: &Filters,
) -> anyhow::Result<Vec<Box<dyn TQuery>>> {
    let mut out: Vec<Box<dyn TQuery>> = Vec::new();
    if let Some(b) = &filters.bureau {
        let needle = normalize(b);
        let values = field_values(searcher, f.bureau, |v| normalize(v).contains(&needle))?;
        out.push(Box::new(TermSetQuery::new(
            values
                .into_iter()
                .map(|v| Term::from_field_text(f.bureau, &v)),
        )));
    }
    let places = [
        (
            &filters.province,
            "province",
            Level::Province,
            f.province,
            f.province_code,
        ),
        (&filters.city, "city", Level::City, f.city, f.city_code),
        (
            &filters.county,
            "county",
            Level::County,
            f.county,
            f.county_code,
        ),
    ];
    for (value, flag, level, name, code) in places {
        if let Some(value) = value {
            let flag = PlaceFlag {
                flag,
                level,
                name,
                code,
            };
            out.push(place_filter(searcher, &flag, value)?);
        }
    }
    if let Some(level) = filters.level {
        let keys = field_values(searcher, f.bureau_key, |k| {
            AdminLevel::of_key(k) == Some(level)
        })?;
        out.push(Box::new(TermSetQuery::new(
            keys.iter().map(|k| Term::from_field_text(f.bureau_key, k)),
        )));
    }
    if let Some(dept) = &filters.dept {
        let keys = dept_keys(searcher, f, dept)?;
        out.push(Box::new(TermSetQuery::new(
            keys.iter().map(|k| Term::from_field_text(f.bureau_key, k)),
        )));
    }
    if let Some((lo, hi)) = filters.years {
        let bound = |y: Option<u64>| match y {
            Some(y) => Bound::Included(Term::from_field_u64(f.report_year, y)),
            None => Bound::Unbounded,
        };
        out.push(Box::new(RangeQuery::new(bound(lo), bound(hi))));
    }
    if let Some(t) = filters.topic {
        // Scores are stored only when above 0, so a threshold of 0 still
        // selects only the sections that touch the topic.
        out.push(Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_f64(f.topic_scores[t.slot], t.min_score)),
            Bound::Unbounded,
        )));
    }
    Ok(out)
}

/// The sections that pass `filters` (all of them when none is set),
/// unscored.
pub fn filter_query(
    searcher: &Searcher,
    f: &Fields,
    filters: &Filters,
) -> anyhow::Result<Box<dyn TQuery>> {
    let clauses: Vec<(Occur, Box<dyn TQuery>)> = filter_queries(searcher, f, filters)?
        .into_iter()
        .map(|q| {
            (
                Occur::Must,
                Box::new(ConstScoreQuery::new(q, 0.0)) as Box<dyn TQuery>,
            )
        })
        .collect();
    Ok(if clauses.is_empty() {
        Box::new(AllQuery)
    } else {
        Box::new(BooleanQuery::new(clauses))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_forms() {
        let one = Ok((Some(2021), Some(2021)));
        for s in [
            "2021",
            " 2021 ",
            "2021年",
            "2021年度",
            "２０２１年",
            "2021..2021",
        ] {
            assert_eq!(parse_years(s), one, "{s}");
        }
        let range = Ok((Some(2020), Some(2023)));
        for s in [
            "2020-2023",
            "2020..2023",
            "2020年-2023年",
            "2020年度-2023年度",
            "2020–2023",
            "2020—2023",
            "2020~2023",
            "2020至2023",
            "2020到2023",
            "２０２０－２０２３",
        ] {
            assert_eq!(parse_years(s), range, "{s}");
        }
        assert_eq!(parse_years("2020.."), Ok((Some(2020), None)));
        assert_eq!(parse_years("2020-"), Ok((Some(2020), None)));
        assert_eq!(parse_years("..2023"), Ok((None, Some(2023))));
        assert_eq!(parse_years("-2023"), Ok((None, Some(2023))));
        for bad in [
            "",
            "-",
            "..",
            "2023-2020",
            "1900",
            "20211",
            "2021年年",
            "二〇二一",
        ] {
            assert!(parse_years(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn codes_at_their_level() {
        assert_eq!(code_level("33"), Some((Level::Province, "33".into())));
        assert_eq!(code_level("330000"), Some((Level::Province, "33".into())));
        assert_eq!(code_level("621000"), Some((Level::City, "6210".into())));
        assert_eq!(code_level("6210"), Some((Level::City, "6210".into())));
        assert_eq!(code_level("621026"), Some((Level::County, "621026".into())));
        assert_eq!(code_level("3"), None);
        assert_eq!(code_level("621026001"), None);
        assert_eq!(as_code("３３"), Some("33".into()));
        assert_eq!(as_code("33a"), None);
    }

    fn flag(level: Level) -> PlaceFlag {
        // The fields are not used by `resolve_place`.
        let (_, f) = crate::index::schema();
        PlaceFlag {
            flag: "x",
            level,
            name: f.province,
            code: f.province_code,
        }
    }

    fn names(m: Result<PlaceMatch, FilterError>) -> Vec<String> {
        match m {
            Ok(PlaceMatch::Names(n)) => n,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn names_resolve_exactly_then_by_short_form_then_by_part() {
        let p = flag(Level::Province);
        assert_eq!(names(resolve_place(&p, "浙江省", &[])), ["浙江省"]);
        assert_eq!(names(resolve_place(&p, "浙江", &[])), ["浙江省"]);
        assert_eq!(names(resolve_place(&p, "内蒙古", &[])), ["内蒙古自治区"]);
        let c = flag(Level::City);
        assert_eq!(names(resolve_place(&c, "长春", &[])), ["长春市"]);
        assert_eq!(names(resolve_place(&c, "北京", &[])), ["北京市"]);
        let k = flag(Level::County);
        // 宁县 exactly, not 肃宁县 or 永宁县 which contain it.
        assert_eq!(names(resolve_place(&k, "宁县", &[])), ["宁县"]);
        // A name only the index has (from a metadata file) is a candidate too.
        let indexed = ["某某新区".to_string()];
        assert_eq!(names(resolve_place(&k, "某某新区", &indexed)), ["某某新区"]);
    }

    #[test]
    fn codes_resolve_or_fail_naming_the_flag_to_use() {
        let p = flag(Level::Province);
        assert_eq!(
            resolve_place(&p, "330000", &[]),
            Ok(PlaceMatch::Code("33".into()))
        );
        let err = resolve_place(&p, "99", &[]).unwrap_err().0;
        assert!(err.contains("no province has GB/T 2260 code 99"), "{err}");
        assert!(err.contains("浙江省 (33)"), "{err}");
        let err = resolve_place(&p, "621000", &[]).unwrap_err().0;
        assert!(err.contains("use --city 621000"), "{err}");
        let c = flag(Level::City);
        assert_eq!(
            resolve_place(&c, "621000", &[]),
            Ok(PlaceMatch::Code("6210".into()))
        );
        assert!(resolve_place(&c, "9999", &[]).is_err());
    }

    #[test]
    fn a_part_of_several_names_is_ambiguous() {
        let err = resolve_place(&flag(Level::Province), "江", &[])
            .unwrap_err()
            .0;
        for name in ["江苏省 (32)", "江西省 (36)", "黑龙江省 (23)", "ambiguous"] {
            assert!(err.contains(name), "{err}");
        }
        let err = resolve_place(&flag(Level::County), "城", &[])
            .unwrap_err()
            .0;
        assert!(err.contains("more"), "a long list is cut: {err}");
        let err = resolve_place(&flag(Level::City), "火星", &[])
            .unwrap_err()
            .0;
        assert!(err.contains("no city is named or contains '火星'"), "{err}");
    }

    #[test]
    fn levels_and_departments_of_keys() {
        assert_eq!(AdminLevel::of_key("00/司法部"), Some(AdminLevel::National));
        assert_eq!(AdminLevel::of_key("33/司法厅"), Some(AdminLevel::Province));
        assert_eq!(AdminLevel::of_key("6210/教育局"), Some(AdminLevel::City));
        assert_eq!(
            AdminLevel::of_key("621026/公安局"),
            Some(AdminLevel::County)
        );
        assert_eq!(
            AdminLevel::of_key("621026101/人民政府"),
            Some(AdminLevel::Township)
        );
        assert_eq!(AdminLevel::of_key("?/鼓楼区人民政府"), None);
        assert_eq!(AdminLevel::of_key("nonsense"), None);
        assert_eq!(key_department("6210/教育局"), Some("教育局"));
        assert_eq!(key_department("6210/"), None);
        for level in AdminLevel::ALL {
            assert_eq!(AdminLevel::parse(level.as_str()), Ok(level));
        }
        assert_eq!(AdminLevel::parse("省级"), Ok(AdminLevel::Province));
        assert_eq!(AdminLevel::parse(" City "), Ok(AdminLevel::City));
        assert!(AdminLevel::parse("galaxy").is_err());
    }

    #[test]
    fn alias_spellings_name_their_department_type() {
        assert!(departments_named("人社").contains(&"人力资源和社会保障局".to_string()));
        assert!(departments_named("火星").is_empty());
    }

    #[test]
    fn a_topic_filter_admits_only_touching_sections() {
        let t = TopicFilter {
            slot: 0,
            min_score: 0.0,
        };
        assert!(!t.admits(0.0));
        assert!(t.admits(0.1));
        let t = TopicFilter {
            slot: 0,
            min_score: 6.0,
        };
        assert!(!t.admits(5.9) && t.admits(6.0));
    }
}
