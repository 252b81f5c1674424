//! Where a bureau sits: map a name like `宁县教育局`, `长春市教育局` or
//! `宁县早胜镇人民政府` to province / city / county / township with GB/T 2260
//! codes (9-digit codes for townships).
//!
//! The gazetteer (data/china-division, embedded at compile time) is parsed
//! once; the township table (41,352 rows) only the first time a name is
//! looked up below county level. Names are matched as *whole names at the
//! start* of the bureau name (after optional `中共`, province and city
//! prefixes), longest first, so `宁县教育局` is 宁县 (甘肃 庆阳) and never the
//! tail of 肃宁县. A short form without its 县/区/市 (`龙泉教育局`) is
//! accepted only when a department suffix follows it directly; the suffixes
//! come from data/bureaus.toml (its `suffixes` plus every department name
//! and alias), so that one list serves both this module and
//! the bureau identity module. When a county-level name exists in several places
//! (鼓楼区, 朝阳区 …) the province/city names the report mentions decide; if
//! they don't, the region stays unresolved rather than guessed. City-level
//! bureaus get no county. Municipalities (北京, 天津, 上海, 重庆) have
//! placeholder cities (`市辖区`, `县`) in the data: there the province is the
//! city. For counties directly under a province (`省直辖县级行政区划`) the
//! city is left empty.
//!
//! # Townships
//!
//! After the place prefixes, a township or street may follow (`早胜镇`,
//! `东华门街道`, or the name without its suffix before a body such as
//! `人民政府` / `党委`). Township names repeat across the country (大河乡 is
//! in five counties), so a township is resolved only when exactly one
//! candidate is consistent with the county / city / province the bureau name
//! gives and, failing that, with the places the report text names; an
//! ambiguous township leaves the region as the prefixes alone make it (no
//! township, and no county guessed from it). A resolved township fills
//! county, city and province from its own codes.
//!
//! This module depends on nothing else in the crate: the report model
//! re-exports [`Region`] from here.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::text::numbering::without_padding;

/// Where a bureau sits, resolved against the GB/T 2260 gazetteer.
/// Unknown parts are `None`; a city-level bureau has no county, a
/// county-level one no township.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub province: Option<String>,
    pub province_code: Option<String>,
    pub city: Option<String>,
    pub city_code: Option<String>,
    pub county: Option<String>,
    pub county_code: Option<String>,
    /// Township, town or street (乡, 镇, 街道, 苏木 …). `default` so that JSON
    /// written before townships existed still reads.
    #[serde(default)]
    pub township: Option<String>,
    /// The township's 9-digit code.
    #[serde(default)]
    pub township_code: Option<String>,
}

const PROVINCES_CSV: &str = include_str!("../data/china-division/provinces.csv");
const CITIES_CSV: &str = include_str!("../data/china-division/cities.csv");
const AREAS_CSV: &str = include_str!("../data/china-division/areas.csv");
const STREETS_CSV: &str = include_str!("../data/china-division/streets.csv");
/// Department names and generic suffixes (see [`DEPARTMENT_SUFFIXES`]).
const BUREAUS_TOML: &str = include_str!("../data/bureaus.toml");

#[derive(Debug)]
struct Province {
    code: String,
    name: String,
    short: String,
}

#[derive(Debug)]
struct City {
    code: String,
    /// `None` for placeholders (市辖区, 县, 省直辖县级行政区划).
    name: Option<String>,
    /// `name` without its place suffix (see [`short_form`]).
    short: String,
    /// The common form of an autonomous prefecture (`恩施州`), see [`prefecture_short`].
    alias: Option<String>,
    province: usize,
}

#[derive(Debug)]
struct Area {
    code: String,
    name: String,
    short: String,
    city: usize,
}

#[derive(Debug)]
struct Gazetteer {
    provinces: Vec<Province>,
    cities: Vec<City>,
    areas: Vec<Area>,
    /// City / area indices by the first char of their name (a name or its
    /// short form can only match text starting with that char): resolving
    /// a bureau then looks at a handful of candidates, not all 3,000 areas.
    cities_by_first: HashMap<char, Vec<usize>>,
    areas_by_first: HashMap<char, Vec<usize>>,
}

static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(Gazetteer::load);

/// What may follow a place name in a bureau's name: data/bureaus.toml's
/// `suffixes` plus every department name and alias there, except those of
/// township-only bodies (`街道` after 朝阳 must not make it 朝阳区). Longest
/// first is not needed: callers only ask whether one of them starts a text.
static DEPARTMENT_SUFFIXES: LazyLock<Vec<String>> =
    LazyLock::new(|| department_suffixes(BUREAUS_TOML));

/// The part of data/bureaus.toml this module reads; the rest belongs to
/// the bureau identity module, which validates the whole file.
#[derive(Deserialize)]
struct SuffixView {
    #[serde(default)]
    suffixes: Vec<String>,
    #[serde(default)]
    department: Vec<DepartmentView>,
}

#[derive(Deserialize)]
struct DepartmentView {
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    township_only: bool,
}

/// The suffix list of a bureaus file; empty if the text does not parse (the
/// built-in file is checked by a test, and resolving must never panic).
fn department_suffixes(toml_text: &str) -> Vec<String> {
    let Ok(view) = toml::from_str::<SuffixView>(toml_text) else {
        return Vec::new();
    };
    let mut out = view.suffixes;
    for d in view.department.into_iter().filter(|d| !d.township_only) {
        out.push(d.name);
        out.extend(d.aliases);
    }
    out.retain(|s| !s.is_empty());
    out.sort();
    out.dedup();
    out
}

fn starts_with_department(s: &str) -> bool {
    DEPARTMENT_SUFFIXES
        .iter()
        .any(|d| s.starts_with(d.as_str()))
}

/// Suffixes a full place name may carry; the short form is the name without it.
const PLACE_SUFFIXES: &[&str] = &[
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "特别行政区",
    "林区",
    "地区",
    "省",
    "市",
    "县",
    "区",
    "旗",
    "盟",
];

/// Ethnic groups in the names of autonomous prefectures (without 族, which
/// some names omit: 博尔塔拉蒙古自治州).
const ETHNIC_GROUPS: &[&str] = &[
    "朝鲜",
    "土家",
    "布依",
    "哈尼",
    "景颇",
    "傈僳",
    "蒙古",
    "柯尔克孜",
    "哈萨克",
    "藏",
    "彝",
    "苗",
    "壮",
    "傣",
    "白",
    "回",
];

/// How reports shorten an autonomous prefecture: the place before its
/// ethnic groups, plus 州 (`恩施土家族苗族自治州` → `恩施州`, `大理白族自治州`
/// → `大理州`). `None` for other names or a root under two characters.
pub fn prefecture_short(name: &str) -> Option<String> {
    let body = name.strip_suffix("自治州")?;
    let root_end = body
        .char_indices()
        .skip(2)
        .find(|(i, _)| ETHNIC_GROUPS.iter().any(|e| body[*i..].starts_with(e)))?
        .0;
    Some(format!("{}州", &body[..root_end]))
}

fn short_form(name: &str) -> &str {
    for s in PLACE_SUFFIXES {
        if let Some(short) = name.strip_suffix(s)
            && short.chars().count() >= 2
        {
            return short;
        }
    }
    name
}

/// Split a CSV line with optional double quotes (no embedded commas in this data).
fn csv_fields(line: &str) -> Vec<&str> {
    line.split(',')
        .map(|f| f.trim().trim_matches('"'))
        .collect()
}

impl Gazetteer {
    fn load() -> Gazetteer {
        let mut provinces = Vec::new();
        for line in PROVINCES_CSV
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
        {
            let f = csv_fields(line);
            if f.len() >= 2 {
                let name = f[1].to_string();
                provinces.push(Province {
                    code: f[0].to_string(),
                    short: short_form(&name).to_string(),
                    name,
                });
            }
        }
        let mut cities = Vec::new();
        for line in CITIES_CSV.lines().skip(1).filter(|l| !l.trim().is_empty()) {
            let f = csv_fields(line);
            if f.len() < 3 {
                continue;
            }
            let Some(province) = provinces.iter().position(|p| p.code == f[2]) else {
                continue;
            };
            let placeholder = matches!(f[1], "市辖区" | "县") || f[1].contains("直辖县级");
            cities.push(City {
                code: f[0].to_string(),
                name: (!placeholder).then(|| f[1].to_string()),
                short: short_form(f[1]).to_string(),
                alias: prefecture_short(f[1]),
                province,
            });
        }
        let mut areas = Vec::new();
        for line in AREAS_CSV.lines().skip(1).filter(|l| !l.trim().is_empty()) {
            let f = csv_fields(line);
            if f.len() < 3 {
                continue;
            }
            let Some(city) = cities.iter().position(|c| c.code == f[2]) else {
                continue;
            };
            areas.push(Area {
                code: f[0].to_string(),
                name: f[1].to_string(),
                short: short_form(f[1]).to_string(),
                city,
            });
        }
        let mut cities_by_first: HashMap<char, Vec<usize>> = HashMap::new();
        for (i, c) in cities.iter().enumerate() {
            if let Some(first) = c.name.as_deref().and_then(|n| n.chars().next()) {
                cities_by_first.entry(first).or_default().push(i);
            }
        }
        let mut areas_by_first: HashMap<char, Vec<usize>> = HashMap::new();
        for (i, a) in areas.iter().enumerate() {
            if let Some(first) = a.name.chars().next() {
                areas_by_first.entry(first).or_default().push(i);
            }
        }
        Gazetteer {
            provinces,
            cities,
            areas,
            cities_by_first,
            areas_by_first,
        }
    }

    /// Is this city a municipality's placeholder (市辖区/县 under 北京 …)?
    fn is_municipality_city(&self, city: usize) -> bool {
        let c = &self.cities[city];
        c.name.is_none() && self.provinces[c.province].name.ends_with('市')
    }

    fn region_for_area(&self, a: usize) -> Region {
        let area = &self.areas[a];
        let mut r = self.region_for_city(area.city);
        r.county = Some(area.name.clone());
        r.county_code = Some(area.code.clone());
        r
    }

    fn region_for_city(&self, c: usize) -> Region {
        let city = &self.cities[c];
        let mut r = self.region_for_province(city.province);
        r.city = None;
        r.city_code = None;
        if let Some(name) = &city.name {
            r.city = Some(name.clone());
            r.city_code = Some(city.code.clone());
        } else if self.is_municipality_city(c) {
            r.city = r.province.clone();
            r.city_code = Some(city.code.clone());
        }
        r
    }

    /// A province's region; a municipality (北京, 天津, 上海, 重庆) is also
    /// its own city, so that its bureaus are city-level like any city's.
    fn region_for_province(&self, p: usize) -> Region {
        let prov = &self.provinces[p];
        let mut r = Region {
            province: Some(prov.name.clone()),
            province_code: Some(prov.code.clone()),
            ..Region::default()
        };
        if let Some(c) = (0..self.cities.len())
            .find(|&c| self.cities[c].province == p && self.is_municipality_city(c))
        {
            r.city = r.province.clone();
            r.city_code = Some(self.cities[c].code.clone());
        }
        r
    }
}

/// Length (bytes) of `name` or its `short` form at the start of `s`; the
/// short form only when a department suffix follows.
fn name_at_start(s: &str, name: &str, short: &str, allow_short: bool) -> Option<usize> {
    if s.starts_with(name) {
        return Some(name.len());
    }
    if allow_short
        && short != name
        && let Some(rest) = s.strip_prefix(short)
        && starts_with_department(rest)
    {
        return Some(short.len());
    }
    None
}

/// Resolve `bureau` (e.g. `宁县教育局`, `宁县早胜镇人民政府`) to a region.
/// `context` is the report's text, used only to choose between places of
/// the same name.
pub fn resolve(bureau: &str, context: &str) -> Region {
    let g = &*GAZETTEER;
    let name = without_padding(bureau);
    let name = name.strip_prefix("中共").unwrap_or(&name);
    let (place, rest) = place_prefix(g, name, context);
    match township_after(g, &place, rest, context) {
        Some(t) => region_for_township(g, &TOWNSHIPS.list[t]),
        None => place.region(g),
    }
}

/// Where the province / city / county prefixes of a name lead.
#[derive(Debug)]
enum Place {
    Unknown,
    Province(usize),
    City(usize),
    Area(usize),
    /// A county-level name shared by places the text does not tell apart
    /// (in the named province, if any): a township may still single one out.
    Areas(Option<usize>, Vec<usize>),
}

impl Place {
    fn province(p: Option<usize>) -> Place {
        p.map_or(Place::Unknown, Place::Province)
    }

    fn region(&self, g: &Gazetteer) -> Region {
        match self {
            Place::Unknown | Place::Areas(None, _) => Region::default(),
            Place::Province(p) | Place::Areas(Some(p), _) => g.region_for_province(*p),
            Place::City(c) => g.region_for_city(*c),
            Place::Area(a) => g.region_for_area(*a),
        }
    }

    /// May a township of county-level area `area` sit in this place?
    fn admits(&self, g: &Gazetteer, area: usize) -> bool {
        let city = g.areas[area].city;
        match self {
            Place::Unknown => true,
            Place::Province(p) => g.cities[city].province == *p,
            Place::City(c) => city == *c,
            Place::Area(a) => area == *a,
            Place::Areas(_, areas) => areas.contains(&area),
        }
    }
}

/// Cities whose name (or short form, if `allow_short`) starts `rest`, longest
/// match only, with the match length.
fn city_match(
    g: &Gazetteer,
    rest: &str,
    province: Option<usize>,
    allow_short: bool,
) -> Vec<(usize, usize)> {
    let mut best = Vec::new();
    let first = rest.chars().next();
    for &i in first
        .and_then(|ch| g.cities_by_first.get(&ch))
        .into_iter()
        .flatten()
    {
        let c = &g.cities[i];
        let Some(cname) = &c.name else { continue };
        if province.is_some_and(|p| c.province != p) {
            continue;
        }
        let by_alias = c.alias.as_deref().filter(|a| rest.starts_with(a));
        if let Some(len) =
            name_at_start(rest, cname, &c.short, allow_short).or(by_alias.map(str::len))
        {
            keep_longest(&mut best, i, len);
        }
    }
    best
}

/// County-level areas whose name (or short form before a department) starts
/// `rest`, within the given city / province, longest match only.
fn area_match(
    g: &Gazetteer,
    rest: &str,
    province: Option<usize>,
    city: Option<usize>,
) -> Vec<(usize, usize)> {
    let mut best = Vec::new();
    let first = rest.chars().next();
    for &i in first
        .and_then(|ch| g.areas_by_first.get(&ch))
        .into_iter()
        .flatten()
    {
        let a = &g.areas[i];
        if city.is_some_and(|c| a.city != c)
            || province.is_some_and(|p| g.cities[a.city].province != p)
        {
            continue;
        }
        if let Some(len) = name_at_start(rest, &a.name, &a.short, true) {
            keep_longest(&mut best, i, len);
        }
    }
    best
}

/// Keep only the longest matches in `best` (ties all kept).
fn keep_longest(best: &mut Vec<(usize, usize)>, i: usize, len: usize) {
    match best.first() {
        Some((_, l)) if *l > len => {}
        Some((_, l)) if *l == len => best.push((i, len)),
        _ => *best = vec![(i, len)],
    }
}

/// Read the optional province, city and county prefixes of `name`; returns
/// the place they give and the text after them.
fn place_prefix<'a>(g: &Gazetteer, name: &'a str, context: &str) -> (Place, &'a str) {
    let mut rest = name;
    // Optional province prefix (full or short name).
    let mut province = None;
    if let Some((p, len)) = g
        .provinces
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            name_at_start(rest, &p.name, &p.short, false)
                .or_else(|| {
                    // `吉林` of 吉林省 must not eat the city 吉林市, nor
                    // `海南` of 海南省 the prefecture 海南州.
                    let after = rest.strip_prefix(p.short.as_str())?;
                    let bare = p.short.chars().count() >= 2
                        && !after.starts_with('州')
                        && !PLACE_SUFFIXES.iter().any(|s| after.starts_with(s));
                    bare.then_some(p.short.len())
                })
                .map(|len| (i, len))
        })
        .max_by_key(|(_, len)| *len)
    {
        province = Some(p);
        rest = &rest[len..];
    }

    let cities = city_match(g, rest, province, false);
    let areas = area_match(g, rest, province, None);
    let city_len = cities.first().map_or(0, |c| c.1);
    let area_len = areas.first().map_or(0, |a| a.1);

    if city_len > 0 && city_len >= area_len {
        // A city, perhaps followed by one of its counties.
        let after = &rest[city_len..];
        let candidates: Vec<usize> = cities.iter().map(|c| c.0).collect();
        let Some(city) = disambiguate(g, &candidates, context, |c| c) else {
            return (Place::province(province), "");
        };
        return match area_match(g, after, None, Some(city))[..] {
            [(a, len)] => (Place::Area(a), &after[len..]),
            _ => (Place::City(city), after),
        };
    }
    if area_len > 0 {
        let after = &rest[area_len..];
        let candidates: Vec<usize> = areas.iter().map(|a| a.0).collect();
        return match disambiguate(g, &candidates, context, |a| g.areas[a].city) {
            Some(a) => (Place::Area(a), after),
            None => (Place::Areas(province, candidates), after),
        };
    }
    // A city by its short name followed by a department (`长春教育局`).
    let cities = city_match(g, rest, province, true);
    let candidates: Vec<usize> = cities.iter().map(|c| c.0).collect();
    if let Some(city) = disambiguate(g, &candidates, context, |c| c) {
        let len = cities.first().map_or(0, |c| c.1);
        return (Place::City(city), &rest[len..]);
    }
    (Place::province(province), rest)
}

/// Choose one of several same-named places by the city and province names
/// the text mentions; `None` when the text does not single one out.
fn disambiguate(
    g: &Gazetteer,
    candidates: &[usize],
    context: &str,
    city_of: impl Fn(usize) -> usize,
) -> Option<usize> {
    match candidates {
        [] => return None,
        [only] => return Some(*only),
        _ => {}
    }
    let scored: Vec<(usize, u32)> = candidates
        .iter()
        .map(|&cand| {
            let city = &g.cities[city_of(cand)];
            let prov = &g.provinces[city.province];
            let mut score = 0;
            if let Some(cname) = &city.name
                && names_place(context, cname, &city.short)
            {
                score += 2;
            }
            if names_place(context, &prov.name, &prov.short) {
                score += 1;
            }
            (cand, score)
        })
        .collect();
    let best = scored.iter().map(|s| s.1).max()?;
    let winners: Vec<usize> = scored.iter().filter(|s| s.1 == best).map(|s| s.0).collect();
    (best > 0 && winners.len() == 1).then(|| winners[0])
}

/// Does `context` name the place, by its full name or a short form of at
/// least two characters (one character, like 宁 or 吉, is too common)?
fn names_place(context: &str, name: &str, short: &str) -> bool {
    (!name.is_empty() && context.contains(name))
        || (short.chars().count() >= 2 && context.contains(short))
}

/// Could `c` begin a place name (province, city, county, township)? A cheap
/// test before [`resolve`] on text that is mostly not names.
pub fn may_begin_place(c: char) -> bool {
    static FIRSTS: LazyLock<std::collections::HashSet<char>> = LazyLock::new(|| {
        let g = &*GAZETTEER;
        let t = &*TOWNSHIPS;
        g.provinces
            .iter()
            .filter_map(|p| p.name.chars().next())
            .chain(g.cities_by_first.keys().copied())
            .chain(
                g.cities
                    .iter()
                    .filter_map(|c| c.alias.as_deref()?.chars().next()),
            )
            .chain(g.areas_by_first.keys().copied())
            .chain(t.by_first.keys().copied())
            .collect()
    });
    FIRSTS.contains(&c)
}

/// Does `name` start with the full name of a province, city or county-level
/// area (`镇海区…`, `市中区…`), ambiguous or not?
pub fn starts_with_place_name(name: &str) -> bool {
    let g = &*GAZETTEER;
    let Some(first) = name.chars().next() else {
        return false;
    };
    g.provinces
        .iter()
        .any(|p| name.starts_with(p.name.as_str()))
        || g.cities_by_first
            .get(&first)
            .into_iter()
            .flatten()
            .any(|&c| {
                g.cities[c]
                    .name
                    .as_deref()
                    .is_some_and(|n| name.starts_with(n))
            })
        || g.areas_by_first
            .get(&first)
            .into_iter()
            .flatten()
            .any(|&a| name.starts_with(g.areas[a].name.as_str()))
}

/// The administrative level a short self-reference names (`省司法厅`,
/// `市公安局`, `区教育局`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Province,
    City,
    County,
}

/// How far into a report [`most_named`] looks: the opening names the
/// author's own documents (`《宜春市公安局…办法》`), the rest cites others.
const MENTION_WINDOW: usize = 6000;

/// The place at `level` that the opening of `text` names most often, by its
/// full name (a province also by its short form, `广东`): a report that calls
/// itself `省司法厅` cites `《广东省法治建设…》`. A county name shared by
/// several places counts only when one of them lies in the province or
/// city the text names most. `None` when nothing is named or two places tie.
pub fn most_named(text: &str, level: Level) -> Option<Region> {
    let g = &*GAZETTEER;
    let end = text
        .char_indices()
        .nth(MENTION_WINDOW)
        .map_or(text.len(), |(i, _)| i);
    let text = &text[..end];
    let province_counts: Vec<usize> = g
        .provinces
        .iter()
        .map(|p| {
            let short = if p.short.chars().count() >= 2 {
                p.short.as_str()
            } else {
                p.name.as_str()
            };
            text.matches(short).count()
        })
        .collect();
    let top_province = unique_max(&province_counts);
    match level {
        Level::Province => top_province.map(|p| g.region_for_province(p)),
        Level::City => {
            let full = count_names(text, &g.cities_by_first, |i| g.cities[i].name.as_deref());
            // Then the short form (`绍兴创新…` for 绍兴市), two characters or more.
            let short = || {
                count_names(text, &g.cities_by_first, |i| {
                    let c = &g.cities[i];
                    c.name.as_ref()?;
                    (c.short.chars().count() >= 2).then_some(c.short.as_str())
                })
            };
            if let Some(c) = unique_max_of(&full).or_else(|| unique_max_of(&short())) {
                return Some(g.region_for_city(c));
            }
            // A municipality is its own city.
            let p = top_province?;
            g.provinces[p].name.ends_with('市').then(|| {
                let mut r = g.region_for_province(p);
                r.city = r.province.clone();
                r
            })
        }
        Level::County => {
            let mut counts =
                count_names(text, &g.areas_by_first, |i| Some(g.areas[i].name.as_str()));
            // Keep only the namesakes in the province most named, if any.
            if let Some(p) = top_province {
                counts.retain(|(a, _)| g.cities[g.areas[*a].city].province == p);
            }
            let a = unique_max_of(&counts)?;
            let namesakes = counts
                .iter()
                .filter(|(b, _)| g.areas[*b].name == g.areas[a].name)
                .count();
            (namesakes == 1).then(|| g.region_for_area(a))
        }
    }
}

/// (index, occurrences) of every name of `by_first` that occurs in `text`.
fn count_names<'g>(
    text: &str,
    by_first: &HashMap<char, Vec<usize>>,
    name_of: impl Fn(usize) -> Option<&'g str>,
) -> Vec<(usize, usize)> {
    let mut counts: HashMap<usize, usize> = HashMap::new();
    // Names do not overlap: `上城区` is not also `城区`.
    let mut covered_until = 0;
    for (pos, c) in text.char_indices() {
        if pos < covered_until {
            continue;
        }
        let longest = by_first
            .get(&c)
            .into_iter()
            .flatten()
            .filter_map(|&i| {
                name_of(i)
                    .filter(|n| text[pos..].starts_with(n))
                    .map(|n| (i, n.len()))
            })
            .max_by_key(|(_, len)| *len);
        if let Some((_, len)) = longest {
            covered_until = pos + len;
            // Every place of that name counts (namesakes are sorted out later).
            for &i in by_first.get(&c).into_iter().flatten() {
                if name_of(i).is_some_and(|n| n.len() == len && text[pos..].starts_with(n)) {
                    *counts.entry(i).or_default() += 1;
                }
            }
        }
    }
    let mut counts: Vec<(usize, usize)> = counts.into_iter().collect();
    counts.sort_unstable();
    counts
}

/// The index with the most occurrences, if it is the only one with that many.
fn unique_max_of(counts: &[(usize, usize)]) -> Option<usize> {
    let best = counts.iter().map(|(_, n)| *n).max().filter(|n| *n > 0)?;
    let mut winners = counts.iter().filter(|(_, n)| *n == best);
    let first = winners.next()?.0;
    winners.next().is_none().then_some(first)
}

/// [`unique_max_of`] over a dense list of counts.
fn unique_max(counts: &[usize]) -> Option<usize> {
    let indexed: Vec<(usize, usize)> = counts.iter().copied().enumerate().collect();
    unique_max_of(&indexed)
}

// ---------------------------------------------------------------------------
// Townships

/// Suffixes of township names; the short form is the name without one.
const TOWNSHIP_SUFFIXES: &[&str] = &[
    "街道办事处",
    "民族苏木",
    "民族乡",
    "街道",
    "苏木",
    "镇",
    "乡",
];

/// Bodies that may follow a township's short form (`早胜党委`): without one
/// of them a short form is too likely to be an ordinary word.
const TOWNSHIP_BODIES: &[&str] = &[
    "人民政府",
    "政府",
    "党委",
    "党工委",
    "委员会",
    "人大",
    "办事处",
];

/// Borrowed from the embedded CSV: 41,352 rows load without allocating names.
#[derive(Debug)]
struct Township {
    code: &'static str,
    name: &'static str,
    /// `name` without its suffix, when at least two characters remain.
    short: Option<&'static str>,
    /// Index of its county-level area in the gazetteer.
    area: usize,
}

#[derive(Debug)]
struct Townships {
    list: Vec<Township>,
    /// Township indices by the first char of the name (shared by the short form).
    by_first: HashMap<char, Vec<usize>>,
}

/// Parsed on first use: most bureaus never need it, and it is the largest table.
static TOWNSHIPS: LazyLock<Townships> = LazyLock::new(|| Townships::load(&GAZETTEER));

impl Townships {
    fn load(g: &Gazetteer) -> Townships {
        let area_by_code: HashMap<&str, usize> = g
            .areas
            .iter()
            .enumerate()
            .map(|(i, a)| (a.code.as_str(), i))
            .collect();
        let mut list = Vec::new();
        let mut by_first: HashMap<char, Vec<usize>> = HashMap::new();
        for line in STREETS_CSV.lines().skip(1) {
            // Fields in order, without collecting them: this loop runs 41,352 times.
            let mut f = line.split(',').map(|x| x.trim().trim_matches('"'));
            let (Some(code), Some(name), Some(area_code)) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            let (Some(&area), Some(first)) = (area_by_code.get(area_code), name.chars().next())
            else {
                continue;
            };
            let short = TOWNSHIP_SUFFIXES
                .iter()
                .find_map(|s| name.strip_suffix(s))
                .filter(|s| s.chars().count() >= 2);
            by_first.entry(first).or_default().push(list.len());
            list.push(Township {
                code,
                name,
                short,
                area,
            });
        }
        Townships { list, by_first }
    }
}

/// A place name without its level suffix (`庆阳市` → `庆阳`, `早胜镇` →
/// `早胜`, `东华门街道` → `东华门`), or the name itself when fewer than two
/// characters would remain (`宁县`): how reports shorten a place.
pub fn short_name(name: &str) -> &str {
    let short = short_form(name);
    if short != name {
        return short;
    }
    TOWNSHIP_SUFFIXES
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .filter(|s| s.chars().count() >= 2)
        .unwrap_or(name)
}

fn region_for_township(g: &Gazetteer, t: &Township) -> Region {
    let mut r = g.region_for_area(t.area);
    r.township = Some(t.name.to_string());
    r.township_code = Some(t.code.to_string());
    r
}

/// The township starting `rest` within `place`, if exactly one candidate is
/// consistent with the place and the report text.
fn township_after(g: &Gazetteer, place: &Place, rest: &str, context: &str) -> Option<usize> {
    // `宁县教育局`: a county bureau, not a township.
    if rest.is_empty() || starts_with_department(rest) {
        return None;
    }
    let t = &*TOWNSHIPS;
    let mut best = Vec::new();
    let first = rest.chars().next();
    for &i in first
        .and_then(|ch| t.by_first.get(&ch))
        .into_iter()
        .flatten()
    {
        let town = &t.list[i];
        if !place.admits(g, town.area) {
            continue;
        }
        let len = if rest.starts_with(town.name) {
            town.name.len()
        } else if let Some(short) = town.short
            && let Some(after) = rest.strip_prefix(short)
            && TOWNSHIP_BODIES.iter().any(|b| after.starts_with(b))
        {
            short.len()
        } else {
            continue;
        };
        keep_longest(&mut best, i, len);
    }
    let candidates: Vec<usize> = best.iter().map(|b| b.0).collect();
    pick_township(g, t, &candidates, context)
}

/// One township out of same-named candidates: narrowed in turn to those
/// whose county, then city, then province the text names (a level that names
/// none of them narrows nothing); `None` unless exactly one remains.
fn pick_township(
    g: &Gazetteer,
    t: &Townships,
    candidates: &[usize],
    context: &str,
) -> Option<usize> {
    let area = |i: usize| &g.areas[t.list[i].area];
    let city = |i: usize| &g.cities[area(i).city];
    let tiers: [&dyn Fn(usize) -> bool; 3] = [
        &|i| names_place(context, &area(i).name, &area(i).short),
        &|i| {
            city(i)
                .name
                .as_deref()
                .is_some_and(|n| names_place(context, n, &city(i).short))
        },
        &|i| {
            let p = &g.provinces[city(i).province];
            names_place(context, &p.name, &p.short)
        },
    ];
    let mut left = candidates.to_vec();
    for named in tiers {
        if left.len() == 1 {
            break;
        }
        let narrowed: Vec<usize> = left.iter().copied().filter(|&i| named(i)).collect();
        if !narrowed.is_empty() {
            left = narrowed;
        }
    }
    match left[..] {
        [only] => Some(only),
        _ => None,
    }
}

/// One place of the gazetteer at a level, for resolving a user's filter
/// (`--province 浙江`, `--city 621000`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GazetteerPlace {
    pub code: String,
    pub name: String,
    /// The name without its level suffix (`浙江`, `庆阳`).
    pub short: String,
}

/// Every place of the gazetteer at `level`. A municipality (北京, 天津, 上海,
/// 重庆) is also listed as a city, by its own name and its placeholder
/// city's code, as the index stores it.
pub fn gazetteer_places(level: Level) -> Vec<GazetteerPlace> {
    let g = &*GAZETTEER;
    let place = |code: &str, name: &str| GazetteerPlace {
        code: code.to_string(),
        short: short_name(name).to_string(),
        name: name.to_string(),
    };
    match level {
        Level::Province => g
            .provinces
            .iter()
            .map(|p| place(&p.code, &p.name))
            .collect(),
        Level::City => (0..g.cities.len())
            .filter_map(|c| {
                let city = &g.cities[c];
                match &city.name {
                    Some(name) => Some(place(&city.code, name)),
                    None if g.is_municipality_city(c) => {
                        Some(place(&city.code, &g.provinces[city.province].name))
                    }
                    None => None,
                }
            })
            .collect(),
        Level::County => g.areas.iter().map(|a| place(&a.code, &a.name)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(
        b: &str,
        ctx: &str,
    ) -> (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    ) {
        let r = resolve(b, ctx);
        (r.province, r.city, r.county, r.county_code)
    }

    fn s(x: &str) -> Option<String> {
        Some(x.to_string())
    }

    #[test]
    fn whole_county_name_not_a_tail() {
        assert_eq!(
            r("宁县教育局", ""),
            (s("甘肃省"), s("庆阳市"), s("宁县"), s("621026"))
        );
        assert_eq!(
            r("肃宁县教育局", ""),
            (s("河北省"), s("沧州市"), s("肃宁县"), s("130926"))
        );
    }

    #[test]
    fn city_level_bureau_has_no_county() {
        let reg = resolve("长春市教育局", "");
        assert_eq!(reg.province.as_deref(), Some("吉林省"));
        assert_eq!(reg.province_code.as_deref(), Some("22"));
        assert_eq!(reg.city.as_deref(), Some("长春市"));
        assert_eq!(reg.city_code.as_deref(), Some("2201"));
        assert_eq!(reg.county, None);
        assert_eq!(reg.county_code, None);
        assert_eq!(r("许昌市教育局", "").1, s("许昌市"));
        assert_eq!(r("吉林市教育局", "").1, s("吉林市"));
        assert_eq!(r("吉林省教育厅", "").0, s("吉林省"));
    }

    #[test]
    fn county_city_comes_from_gazetteer() {
        assert_eq!(
            r("龙泉市教育局", ""),
            (s("浙江省"), s("丽水市"), s("龙泉市"), s("331181"))
        );
        assert_eq!(
            r("呼兰区教育局", "哈尔滨市"),
            (s("黑龙江省"), s("哈尔滨市"), s("呼兰区"), s("230111"))
        );
    }

    #[test]
    fn prefixes_and_short_forms() {
        assert_eq!(r("甘肃省庆阳市宁县教育局", "").2, s("宁县"));
        assert_eq!(r("中共宁县县委", "").2, s("宁县"));
        assert_eq!(r("龙泉教育局", "").2, s("龙泉市"));
        assert_eq!(r("黑龙江省哈尔滨市呼兰区教育局", "").2, s("呼兰区"));
    }

    #[test]
    fn ambiguous_county_needs_context() {
        // 鼓楼区 exists in several cities.
        assert_eq!(resolve("鼓楼区教育局", "本区教育工作"), Region::default());
        let reg = resolve("鼓楼区教育局", "在福州市委、市政府的领导下");
        assert_eq!(reg.city.as_deref(), Some("福州市"));
        assert_eq!(reg.county.as_deref(), Some("鼓楼区"));
        // A city prefix settles it too.
        assert_eq!(r("南京市鼓楼区教育局", "").1, s("南京市"));
    }

    #[test]
    fn municipality_province_is_city() {
        let reg = resolve("北京市朝阳区教育委员会", "");
        assert_eq!(reg.province.as_deref(), Some("北京市"));
        assert_eq!(reg.city.as_deref(), Some("北京市"));
        assert_eq!(reg.city_code.as_deref(), Some("1101"));
        assert_eq!(reg.county_code.as_deref(), Some("110105"));
        let reg = resolve("上海市司法局", "");
        assert_eq!(
            reg.city.as_deref(),
            Some("上海市"),
            "a municipality is its own city"
        );
        assert_eq!(reg.city_code.as_deref(), Some("3101"));
        assert_eq!(resolve("广东省司法厅", "").city, None);
    }

    #[test]
    fn unknown_names_stay_unresolved() {
        assert_eq!(resolve("市教育局", ""), Region::default());
        assert_eq!(resolve("", ""), Region::default());
    }

    fn town(b: &str, ctx: &str) -> (Option<String>, Option<String>, Option<String>) {
        let r = resolve(b, ctx);
        (r.township, r.township_code, r.county)
    }

    #[test]
    fn suffixes_come_from_the_bureaus_file() {
        let all = department_suffixes(BUREAUS_TOML);
        for s in ["局", "委员会", "人社局", "人力资源和社会保障局", "人民政府"]
        {
            assert!(all.iter().any(|x| x == s), "{s} missing");
        }
        // Township-only bodies are not county suffixes: 朝阳街道 is no 朝阳区.
        assert!(!all.iter().any(|x| x == "街道"));
        assert!(department_suffixes("not = [toml").is_empty());
    }

    #[test]
    fn township_after_county() {
        let reg = resolve("宁县早胜镇人民政府", "");
        assert_eq!(reg.township.as_deref(), Some("早胜镇"));
        assert_eq!(reg.township_code.as_deref(), Some("621026102"));
        assert_eq!(reg.county_code.as_deref(), Some("621026"));
        assert_eq!(reg.city.as_deref(), Some("庆阳市"));
        assert_eq!(reg.province.as_deref(), Some("甘肃省"));
        assert_eq!(town("甘肃省庆阳市宁县早胜镇", "").0, s("早胜镇"));
        assert_eq!(town("中共宁县早胜镇委员会", "").0, s("早胜镇"));
    }

    #[test]
    fn unique_township_needs_no_prefix() {
        assert_eq!(
            town("早胜镇人民政府", ""),
            (s("早胜镇"), s("621026102"), s("宁县"))
        );
    }

    #[test]
    fn township_short_form_only_before_a_body() {
        assert_eq!(town("宁县早胜人民政府", "").0, s("早胜镇"));
        assert_eq!(town("宁县早胜党委", "").0, s("早胜镇"));
        // Without a body after it, 早胜 stays an ordinary word.
        assert_eq!(town("宁县早胜", "").0, None);
    }

    #[test]
    fn streets_resolve_like_townships() {
        let reg = resolve("北京市东城区东华门街道办事处", "");
        assert_eq!(reg.township_code.as_deref(), Some("110101001"));
        assert_eq!(reg.county.as_deref(), Some("东城区"));
        assert_eq!(reg.city.as_deref(), Some("北京市"));
    }

    #[test]
    fn ambiguous_township_stays_unresolved() {
        // 大河乡 is in five counties; nothing says which.
        assert_eq!(resolve("大河乡人民政府", "全乡法治建设"), Region::default());
        // Two of the candidates' counties named: still ambiguous.
        assert_eq!(
            resolve("大河乡人民政府", "学习巫溪县和红寺堡区的经验"),
            Region::default()
        );
    }

    #[test]
    fn ambiguous_township_resolved_by_context() {
        let reg = resolve("大河乡人民政府", "在巫溪县委、县政府的领导下");
        assert_eq!(reg.township_code.as_deref(), Some("500238207"));
        assert_eq!(reg.county.as_deref(), Some("巫溪县"));
        assert_eq!(reg.province.as_deref(), Some("重庆市"));
        // A province named in the text is enough when it singles one out.
        assert_eq!(
            town("大河乡人民政府", "甘肃省人民政府").2,
            s("肃南裕固族自治县")
        );
        // A county named in the bureau name settles it without context.
        assert_eq!(town("七星关区大河乡人民政府", "").1, s("520502203"));
    }

    #[test]
    fn township_settles_an_ambiguous_county() {
        // Four 鼓楼区, one of them with a 宁海路街道.
        let reg = resolve("鼓楼区宁海路街道办事处", "");
        assert_eq!(reg.city.as_deref(), Some("南京市"));
        assert_eq!(reg.township.as_deref(), Some("宁海路街道"));
    }

    #[test]
    fn padding_is_ignored() {
        for c in [' ', '\t', '\u{a0}', '\u{3000}', '\u{feff}'] {
            assert!(crate::text::numbering::is_padding(c), "{c:?}");
        }
        assert!(!crate::text::numbering::is_padding('县'));
        assert_eq!(r("宁\u{3000}县 教育局\u{a0}", "").2, s("宁县"));
        assert_eq!(town("\u{feff}宁县 早胜镇", "").0, s("早胜镇"));
    }

    #[test]
    fn odd_input_does_not_panic() {
        for b in [
            "镇",
            "街道办事处",
            "中共",
            "县",
            "𠀀镇人民政府",
            "宁县镇",
            "大河",
            "\u{feff}",
        ] {
            let _ = resolve(b, b);
        }
    }

    #[test]
    fn autonomous_prefectures_by_their_common_form() {
        assert_eq!(
            prefecture_short("恩施土家族苗族自治州").as_deref(),
            Some("恩施州")
        );
        assert_eq!(
            prefecture_short("大理白族自治州").as_deref(),
            Some("大理州")
        );
        assert_eq!(
            prefecture_short("博尔塔拉蒙古自治州").as_deref(),
            Some("博尔塔拉州")
        );
        assert_eq!(prefecture_short("庆阳市"), None);
        assert_eq!(r("恩施州司法局", "").1, s("恩施土家族苗族自治州"));
        assert_eq!(r("湖北省恩施州利川市教育局", "").2, s("利川市"));
        // 海南 of 海南省 does not eat the prefecture 海南州 (青海).
        assert_eq!(r("海南州教育局", "").0, s("青海省"));
    }

    #[test]
    fn region_json_before_townships_still_reads() {
        let old = r#"{"province":"甘肃省","province_code":"62","city":"庆阳市",
            "city_code":"6210","county":"宁县","county_code":"621026"}"#;
        let reg: Region = serde_json::from_str(old).unwrap();
        assert_eq!(reg, resolve("宁县教育局", ""));
        assert_eq!(reg.township, None);
        // New fields are written too, after the old ones.
        let json = serde_json::to_string(&resolve("宁县早胜镇", "")).unwrap();
        assert!(
            json.ends_with(r#""township":"早胜镇","township_code":"621026102"}"#),
            "{json}"
        );
    }

    #[test]
    fn short_names() {
        assert_eq!(short_name("庆阳市"), "庆阳");
        assert_eq!(short_name("宁县"), "宁县");
        assert_eq!(short_name("早胜镇"), "早胜");
        assert_eq!(short_name("东华门街道"), "东华门");
        assert_eq!(short_name(""), "");
    }

    #[test]
    fn county_bureau_is_not_a_township() {
        assert_eq!(town("宁县教育局", "早胜镇").0, None);
        // A township name the county does not have: the county alone.
        assert_eq!(town("宁县大河乡人民政府", ""), (None, None, s("宁县")));
    }

    #[test]
    fn most_named_place_at_each_level() {
        let text =
            "2022年，省司法厅学习贯彻总书记对广东系列重要讲话精神，制定《广东省法治建设规划》。";
        assert_eq!(
            most_named(text, Level::Province)
                .and_then(|r| r.province)
                .as_deref(),
            Some("广东省")
        );
        let text = "市公安局制定了《宜春市公安局行政执法办法》，宜春市各分局落实。";
        let r = most_named(text, Level::City).unwrap();
        assert_eq!(
            (r.province.as_deref(), r.city.as_deref()),
            (Some("江西省"), Some("宜春市"))
        );
        let text = "市人社局落实《天津市人力资源和社会保障条例》。";
        assert_eq!(
            most_named(text, Level::City)
                .and_then(|r| r.city)
                .as_deref(),
            Some("天津市")
        );
        let text = "区教育局落实《杭州市上城区2024年法治政府建设工作要点》。";
        assert_eq!(
            most_named(text, Level::County)
                .and_then(|r| r.county)
                .as_deref(),
            Some("上城区")
        );
        assert_eq!(
            most_named("鼓楼区推进工作。", Level::County),
            None,
            "four 鼓楼区, no context"
        );
        assert_eq!(most_named("县司法局推进工作。", Level::County), None);
    }
}
