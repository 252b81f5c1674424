//! Bureau identity: one body, one name, in every report and every year.
//!
//! Reports name their author in many ways: `人社局`, `市人社局`,
//! `庆阳市人力资源和社会保障局`, `甘肃省庆阳市人力资源和社会保障局`. Counting
//! per bureau needs them to be one body. A body is identified by its *place*
//! — the finest code its [`Region`] has (township 9 digits, county 6, city
//! 4, province 2; `00` for national bodies) — and its *department type*, the
//! canonical name of the department from an alias table:
//!
//! ```text
//! key       = place code + "/" + department     6210/人力资源和社会保障局
//! canonical = place name + department           庆阳市人力资源和社会保障局
//! ```
//!
//! # The alias table
//!
//! TOML, embedded from `data/bureaus.toml` (which documents the format); a
//! `bureaus.toml` beside the corpus is merged over it ([`BureauAliases::load`]):
//! a user department with a built-in name adds aliases and overrides the
//! flags it sets, a new one is added, and a spelling the user gives to a
//! department is taken from whichever built-in one had it. A broken file is
//! reported as `FILE: line N: message`.
//!
//! # Rules of [`identify`]
//!
//! 1. Padding is dropped; `中国共产党` reads as `中共`. A leading department
//!    prefix (`中共`, `国家税务总局`) is set aside and kept for the canonical
//!    form.
//! 2. A national department (after an optional `中华人民共和国`) is place `00`
//!    whatever the region says, and its canonical form is the official one.
//! 3. The region's place names are stripped from the start, coarse to fine:
//!    full (`庆阳市`), a prefecture's common form (`恩施州`) or short
//!    (`庆阳`, not when a level word or a finer place follows it). The
//!    finest one stripped is the body's level, so `庆阳市人社局` is the
//!    city's even in a county's report; failing that, a bare level word
//!    (`市人社局`, `县委`, `镇政府`, but not the 市 of `市场监督管理局`);
//!    failing that, the finest level the region has. When the caller's
//!    region leaves the name untyped, the name's own region
//!    ([`region::resolve`]) is tried (`宁县教育局` in a report of 庆阳市).
//! 4. What is left is looked up among the department names and aliases.
//!    Nothing left means the place's government: `宁县` → 宁县人民政府,
//!    `早胜镇` → 早胜镇人民政府, a street → its 街道办事处.
//! 5. A name that cannot be typed still gets a key: place code + the rest,
//!    with a trailing abbreviation expanded (`…政府办` → `…人民政府办公室`);
//!    with no place at all the code is `?` and the whole name stays in the
//!    key, so that unplaced bodies of different places never merge
//!    (`?/鼓楼区人民政府`: 鼓楼区 is in four cities). Only an empty name, one
//!    without an organisation ending, or a bare department type or level-word
//!    self-reference with no place anywhere (`人社局`, `县司法局`: every
//!    county has one) gives `None`.
//!
//! The spellings a corpus uses for one body are not kept here: the index
//! stores each report's spelling (`bureau_as_written`) and `fazhi bureaus`
//! lists them per body as its `aliases`.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::region::{self, Region};

/// The built-in alias table.
pub const BUILTIN_BUREAUS: &str = include_str!("../data/bureaus.toml");

/// The built-in table, parsed once per process.
pub fn builtin_aliases() -> &'static BureauAliases {
    static BUILTIN: std::sync::LazyLock<BureauAliases> =
        std::sync::LazyLock::new(BureauAliases::builtin);
    &BUILTIN
}

/// Name of the alias file looked for beside the corpus.
pub const CORPUS_BUREAUS_FILE: &str = "bureaus.toml";

/// Place code of national bodies.
const NATIONAL_CODE: &str = "00";

/// Place code of a body whose place is unknown.
const UNKNOWN_CODE: &str = "?";

/// The state's name, before a ministry's in its official form.
const STATE: &str = "中华人民共和国";

/// Endings that make an untyped name a body rather than a phrase.
const ORGANISATION_ENDINGS: &[&str] = &[
    "局", "委", "办", "厅", "部", "署", "院", "所", "站", "队", "会", "室", "处", "中心", "政府",
    "公司", "组", "社", "馆", "团", "场", "镇", "乡", "街道", "苏木",
];

/// One department type of the alias table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    /// Canonical name, as it follows the place in the official form.
    pub name: String,
    pub aliases: Vec<String>,
    /// A national body: place `00`.
    pub national: bool,
    /// Official full form of a national body (default 中华人民共和国 + name).
    pub official: Option<String>,
    /// Written before the place in the official form (`中共`).
    pub prefix: Option<String>,
    /// Only a township-level body (街道办事处).
    pub township_only: bool,
}

/// The department alias table: built in, optionally extended by a user file.
#[derive(Debug, Clone)]
pub struct BureauAliases {
    departments: Vec<Department>,
    /// Generic endings that may follow a place (for [`crate::region`]).
    suffixes: Vec<String>,
    /// Every name and alias → index in `departments`.
    by_spelling: HashMap<String, usize>,
    /// Department prefixes, longest first.
    prefixes: Vec<String>,
    /// Hash of every text merged into the table, in order: a changed user
    /// file means every report's bureau may read differently.
    fingerprint: u64,
}

/// Who wrote a report: a stable key, the official full name and the department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BureauIdentity {
    /// `place code/department`, e.g. `6210/人力资源和社会保障局`.
    pub key: String,
    /// Official full form, e.g. `庆阳市人力资源和社会保障局`.
    pub canonical: String,
    /// The canonical department type, or the normalised rest of an untyped name.
    pub department: String,
    /// Whether `department` is a type of the alias table (else it is the
    /// rest of the name, and the registry shows the longest spelling).
    pub typed: bool,
}

// ---------------------------------------------------------------------------
// The file format

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    #[serde(default)]
    suffixes: Vec<Spanned<String>>,
    #[serde(default)]
    department: Vec<Spanned<DepartmentFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DepartmentFile {
    name: Spanned<String>,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    national: Option<bool>,
    official: Option<String>,
    prefix: Option<String>,
    township_only: Option<bool>,
}

/// 1-based line of a byte offset (counted on bytes: no slicing, no panic
/// whatever the offset).
fn line_of(text: &str, offset: usize) -> usize {
    let before = &text.as_bytes()[..offset.min(text.len())];
    before.iter().filter(|&&b| b == b'\n').count() + 1
}

/// A name as compared: no padding, `中国共产党` as `中共`.
fn clean(name: &str) -> String {
    let s = crate::text::numbering::without_padding(name);
    match s.strip_prefix("中国共产党") {
        Some(rest) => format!("中共{rest}"),
        None => s,
    }
}

impl BureauAliases {
    /// The table shipped with fazhi (data/bureaus.toml).
    pub fn builtin() -> BureauAliases {
        let mut table = BureauAliases {
            departments: Vec::new(),
            suffixes: Vec::new(),
            by_spelling: HashMap::new(),
            prefixes: Vec::new(),
            fingerprint: 0,
        };
        // A unit test parses the built-in file; should it ever break, an
        // empty table (every name untyped) is better than a panic.
        let _ = table.merge_text(BUILTIN_BUREAUS, "built-in");
        table
    }

    /// The built-in table with the user file at `path` merged over it.
    pub fn load(path: &Path) -> Result<BureauAliases, String> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{origin}: cannot read the bureau aliases: {e}"))?;
        BureauAliases::builtin().merged(&text, &origin)
    }

    /// The table for a corpus: the built-in one, with `bureaus.toml` merged
    /// over it when the corpus folder has one.
    pub fn load_for_corpus(corpus: &Path) -> Result<BureauAliases, String> {
        let beside = corpus.join(CORPUS_BUREAUS_FILE);
        if beside.is_file() {
            BureauAliases::load(&beside)
        } else {
            Ok(BureauAliases::builtin())
        }
    }

    /// This table with a file's text merged over it; `origin` names the file in errors.
    pub fn merged(mut self, text: &str, origin: &str) -> Result<BureauAliases, String> {
        self.merge_text(text, origin)?;
        Ok(self)
    }

    /// The department types, in file order (built-in first).
    pub fn departments(&self) -> &[Department] {
        &self.departments
    }

    /// Everything that may follow a place name in a bureau's name: the
    /// generic suffixes plus every department name and alias except those
    /// of township-only bodies.
    pub fn place_suffixes(&self) -> Vec<String> {
        let mut out = self.suffixes.clone();
        for d in self.departments.iter().filter(|d| !d.township_only) {
            out.push(d.name.clone());
            out.extend(d.aliases.iter().cloned());
        }
        out.sort();
        out.dedup();
        out
    }

    /// The department a whole spelling names (`人社局` → 人力资源和社会保障局).
    pub fn department(&self, spelling: &str) -> Option<&Department> {
        self.by_spelling
            .get(spelling)
            .map(|&i| &self.departments[i])
    }

    /// Fingerprint of the table's sources (built-in file and user file).
    pub fn fingerprint(&self) -> String {
        format!("{:016x}", self.fingerprint)
    }

    fn merge_text(&mut self, text: &str, origin: &str) -> Result<(), String> {
        self.fingerprint = xxhash_rust::xxh3::xxh3_64_with_seed(text.as_bytes(), self.fingerprint);
        let doc: FileDoc = toml::from_str(text).map_err(|e| {
            let message = e.message().trim().to_string();
            match e.span() {
                Some(span) => format!("{origin}: line {}: {message}", line_of(text, span.start)),
                None => format!("{origin}: {message}"),
            }
        })?;
        let located = |offset: usize, message: String| {
            format!("{origin}: line {}: {message}", line_of(text, offset))
        };
        for s in doc.suffixes {
            let suffix = clean(s.get_ref());
            if suffix.is_empty() {
                return Err(located(s.span().start, "empty suffix".into()));
            }
            if !self.suffixes.contains(&suffix) {
                self.suffixes.push(suffix);
            }
        }
        // Spellings this file gives, for conflicts inside the file.
        let mut claimed: HashMap<String, String> = HashMap::new();
        for entry in doc.department {
            let d = entry.into_inner();
            let name = clean(d.name.get_ref());
            if name.is_empty() {
                return Err(located(
                    d.name.span().start,
                    "department name is empty".into(),
                ));
            }
            let mut spellings = Vec::new();
            for label in std::iter::once(&d.name).chain(d.aliases.iter()) {
                let spelling = clean(label.get_ref());
                if spelling.is_empty() {
                    return Err(located(
                        label.span().start,
                        format!("empty alias in department {name}"),
                    ));
                }
                if let Some(owner) = claimed.get(&spelling)
                    && *owner != name
                {
                    return Err(located(
                        label.span().start,
                        format!("'{spelling}' already names department {owner}"),
                    ));
                }
                claimed.insert(spelling.clone(), name.clone());
                spellings.push(spelling);
            }
            self.add_department(name, &spellings, &d);
        }
        self.prefixes = self
            .departments
            .iter()
            .filter_map(|d| d.prefix.clone())
            .collect();
        self.prefixes
            .sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        self.prefixes.dedup();
        Ok(())
    }

    /// Add a department or merge into the one of the same name; `spellings`
    /// (its name first) are taken from any other department that had them.
    fn add_department(&mut self, name: String, spellings: &[String], d: &DepartmentFile) {
        let index = match self.departments.iter().position(|x| x.name == name) {
            Some(i) => i,
            None => {
                self.departments.push(Department {
                    name: name.clone(),
                    aliases: Vec::new(),
                    national: false,
                    official: None,
                    prefix: None,
                    township_only: false,
                });
                self.departments.len() - 1
            }
        };
        for spelling in spellings {
            if let Some(&old) = self.by_spelling.get(spelling)
                && old != index
            {
                self.departments[old].aliases.retain(|a| a != spelling);
            }
            self.by_spelling.insert(spelling.clone(), index);
            let dep = &mut self.departments[index];
            if *spelling != dep.name && !dep.aliases.contains(spelling) {
                dep.aliases.push(spelling.clone());
            }
        }
        let dep = &mut self.departments[index];
        let non_empty = |s: &Option<String>| s.as_deref().map(clean).filter(|s| !s.is_empty());
        if let Some(v) = d.national {
            dep.national = v;
        }
        if let Some(v) = d.township_only {
            dep.township_only = v;
        }
        if let Some(v) = non_empty(&d.official) {
            dep.official = Some(v);
        }
        if let Some(v) = non_empty(&d.prefix) {
            dep.prefix = Some(v);
        }
    }

    /// Set aside a leading department prefix (`中共`, `国家税务总局`) when
    /// something follows it.
    fn strip_prefix<'a>(&self, name: &'a str) -> (&'a str, &'a str) {
        for p in &self.prefixes {
            if let Some(rest) = name.strip_prefix(p.as_str())
                && !rest.is_empty()
            {
                return (&name[..p.len()], rest);
            }
        }
        ("", name)
    }

    /// An untyped rest with a trailing abbreviation expanded (`鼓楼区政府` →
    /// `鼓楼区人民政府`). Single characters and party committees (`县委`,
    /// whose first character is a level) are left alone.
    fn expand_tail(&self, rest: &str) -> String {
        let starts: Vec<usize> = rest.char_indices().map(|(i, _)| i).collect();
        for &i in &starts {
            let tail = &rest[i..];
            if tail.chars().count() < 2 {
                break;
            }
            // A two-character tail is too likely to end a longer word
            // (`民族宗教委` is not an 教委): only governments expand there.
            let short_tail = tail.chars().count() < 3;
            if let Some(d) = self.department(tail)
                && d.prefix.is_none()
                && (!short_tail || d.name.contains("政府"))
            {
                return format!("{}{}", &rest[..i], d.name);
            }
        }
        rest.to_string()
    }
}

// ---------------------------------------------------------------------------
// Levels of a region

/// A level of government below the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Province,
    City,
    County,
    Township,
}

const LEVELS: [Level; 4] = [Level::Province, Level::City, Level::County, Level::Township];

/// Words that start with a level word without being one (`市场服务中心`).
const NOT_LEVEL_WORDS: &[&str] = &[
    "市场", "市政", "市容", "市民", "区域", "县域", "乡村", "镇区",
];

/// Words that stand for "this place" at a level: `市人社局`, `县委`, `镇政府`.
const LEVEL_WORDS: &[(&str, Level)] = &[
    ("自治区", Level::Province),
    ("省", Level::Province),
    ("市", Level::City),
    ("州", Level::City),
    ("盟", Level::City),
    ("区", Level::County),
    ("县", Level::County),
    ("旗", Level::County),
    ("街道", Level::Township),
    ("镇", Level::Township),
    ("乡", Level::Township),
];

impl Level {
    fn name(self, r: &Region) -> Option<&str> {
        match self {
            Level::Province => r.province.as_deref(),
            Level::City => r.city.as_deref(),
            Level::County => r.county.as_deref(),
            Level::Township => r.township.as_deref(),
        }
    }

    /// The level's code; a municipality's city (北京市 as a city) has its
    /// province's code, so `市司法局` and `北京市司法局` agree.
    fn code(self, r: &Region) -> Option<&str> {
        match self {
            Level::Province => r.province_code.as_deref(),
            Level::City if r.city.is_some() && r.city == r.province => r.province_code.as_deref(),
            Level::City => r.city_code.as_deref(),
            Level::County => r.county_code.as_deref(),
            Level::Township => r.township_code.as_deref(),
        }
    }

    /// The finest level the region has (with both name and code).
    fn finest(r: &Region) -> Option<Level> {
        LEVELS
            .into_iter()
            .rev()
            .find(|l| l.name(r).is_some() && l.code(r).is_some())
    }
}

/// Strip the region's place names from the start of `name`, coarse to fine,
/// full or short; returns the finest level stripped and the rest.
fn strip_places<'a>(name: &'a str, region: &Region) -> (Option<Level>, &'a str) {
    let mut rest = name;
    let mut level = None;
    for (i, l) in LEVELS.into_iter().enumerate() {
        let Some(place) = l.name(region) else {
            continue;
        };
        let prefecture = region::prefecture_short(place);
        let full = rest
            .strip_prefix(place)
            .or_else(|| rest.strip_prefix(prefecture.as_deref()?));
        // The short form only when no level word follows (`吉林` of 吉林省
        // must not eat the city in `吉林市教育局`) and no finer place starts
        // here (`苏州` of 苏州市 must not eat the county 苏州工业园区).
        let finer_here = LEVELS[i + 1..]
            .iter()
            .any(|f| f.name(region).is_some_and(|n| rest.starts_with(n)));
        let short = rest
            .strip_prefix(region::short_name(place))
            .filter(|r| !finer_here && !LEVEL_WORDS.iter().any(|(w, _)| r.starts_with(w)));
        if let Some(r) = full.or(short) {
            rest = r;
            level = Some(l);
        }
    }
    (level, rest)
}

/// A bare level word at the start (`市人社局` → 市, `县委` → 县, `镇政府` →
/// 镇) and the rest. The word is not a level when the whole is a department
/// that the rest is not (`市场监督管理局` keeps its 市); with `typed`, the
/// rest must be a department, else an untyped rest must not start a common
/// word (`市场服务中心`). A township-only body (`街道办`) is itself at
/// township level.
fn level_word<'a>(body: &'a str, aliases: &BureauAliases, typed: bool) -> Option<(Level, &'a str)> {
    let whole = aliases.department(body);
    if whole.is_some_and(|d| d.township_only) {
        return Some((Level::Township, body));
    }
    LEVEL_WORDS.iter().find_map(|&(word, level)| {
        let after = body.strip_prefix(word).filter(|a| !a.is_empty())?;
        let part = aliases.department(after);
        let is_level = match (whole, part) {
            (Some(w), Some(p)) => w.name == p.name,
            (Some(_), None) => false,
            (None, Some(_)) => true,
            (None, None) => !typed && !NOT_LEVEL_WORDS.iter().any(|w| body.starts_with(w)),
        };
        is_level.then_some((level, after))
    })
}

/// Place name + department, without doubling a street's 街道
/// (`东华门街道` + `街道办事处` → `东华门街道办事处`).
fn join_place(place: &str, department: &str) -> String {
    match (place.strip_suffix("街道"), department.strip_prefix("街道")) {
        (Some(_), Some(dept_rest)) => format!("{place}{dept_rest}"),
        _ => format!("{place}{department}"),
    }
}

/// The department of a place named with nothing after it: its government,
/// or for a street its 街道办事处 (also `办事处` / `办` after the street's name).
fn government_of(level: Level, place: &str, rest: &str) -> Option<&'static str> {
    let street = level == Level::Township && place.ends_with("街道");
    match rest {
        "" if street => Some("街道办事处"),
        "" => Some("人民政府"),
        "办事处" | "办" if street => Some("街道办事处"),
        _ => None,
    }
}

fn has_organisation_ending(name: &str) -> bool {
    ORGANISATION_ENDINGS.iter().any(|e| name.ends_with(e))
}

/// Identify the body named `name` in a report of `region` (see the module
/// docs for the rules). `None` only for an empty name, one without an
/// organisation ending, or a bare department type or level-word
/// self-reference with no place anywhere (`人社局`, `县司法局`).
pub fn identify(name: &str, region: &Region, aliases: &BureauAliases) -> Option<BureauIdentity> {
    let cleaned = clean(name);
    if cleaned.is_empty() {
        return None;
    }
    let (ornament, body) = aliases.strip_prefix(&cleaned);
    if let Some(id) = national(body, aliases) {
        return Some(id);
    }
    // The caller's region first; the name's own region when that one
    // leaves the name untyped (`庆阳市宁县教育局` in a report of 庆阳市).
    let given = locate(body, region, aliases);
    let own;
    let (level, rest, region) = match given {
        Some((l, r)) if is_typed(l, r, region, aliases) => (Some(l), r, region),
        _ => {
            own = region::resolve(body, "");
            match (locate(body, &own, aliases), given) {
                (Some((l, r)), _) if is_typed(l, r, &own, aliases) => (Some(l), r, &own),
                (_, Some((l, r))) => (Some(l), r, region),
                (Some((l, r)), None) => (Some(l), r, &own),
                (None, None) => (None, body, region),
            }
        }
    };
    let Some(level) = level.or_else(|| Level::finest(region)) else {
        return unplaced(ornament, body, aliases);
    };
    let (Some(place), Some(code)) = (level.name(region), level.code(region)) else {
        return unplaced(ornament, body, aliases);
    };
    if let Some(government) = government_of(level, place, rest) {
        return Some(typed_identity(code, place, government, None));
    }
    if let Some(d) = aliases.department(rest) {
        return Some(typed_identity(code, place, &d.name, d.prefix.as_deref()));
    }
    let department = aliases.expand_tail(rest);
    if !has_organisation_ending(&department) {
        return None;
    }
    Some(BureauIdentity {
        key: format!("{code}/{department}"),
        canonical: format!("{ornament}{}", join_place(place, &department)),
        department,
        typed: false,
    })
}

/// Is `rest` at `level` of `region` a department of the table or the place's
/// government?
fn is_typed(level: Level, rest: &str, region: &Region, aliases: &BureauAliases) -> bool {
    aliases.department(rest).is_some()
        || level
            .name(region)
            .is_some_and(|place| government_of(level, place, rest).is_some())
}

/// Where the region explains the start of `body`: the level of the places
/// (or level word) stripped and the rest. `None` when it explains nothing.
fn locate<'a>(body: &'a str, region: &Region, aliases: &BureauAliases) -> Option<(Level, &'a str)> {
    let (level, rest) = strip_places(body, region);
    match level {
        Some(l) => Some((l, rest)),
        None => level_word(rest, aliases, false),
    }
}

/// A national body, by its name, alias or official form.
fn national(body: &str, aliases: &BureauAliases) -> Option<BureauIdentity> {
    let d = aliases
        .department(body)
        .or_else(|| aliases.department(body.strip_prefix(STATE)?))
        .or_else(|| {
            aliases
                .departments
                .iter()
                .find(|d| d.national && d.official.as_deref() == Some(body))
        })
        .filter(|d| d.national)?;
    let canonical = d
        .official
        .clone()
        .unwrap_or_else(|| format!("{STATE}{}", d.name));
    Some(BureauIdentity {
        key: format!("{NATIONAL_CODE}/{}", d.name),
        canonical,
        department: d.name.clone(),
        typed: true,
    })
}

fn typed_identity(
    code: &str,
    place: &str,
    department: &str,
    prefix: Option<&str>,
) -> BureauIdentity {
    BureauIdentity {
        key: format!("{code}/{department}"),
        canonical: format!("{}{}", prefix.unwrap_or(""), join_place(place, department)),
        department: department.to_string(),
        typed: true,
    }
}

/// A name with no place the region or gazetteer knows: keyed by the whole
/// (expanded) name so that bodies of different places never merge. A bare
/// department type or a self-reference by level word (`人社局`, `县司法局`,
/// `市法律援助中心`) names no body at all: every place has one.
fn unplaced(ornament: &str, body: &str, aliases: &BureauAliases) -> Option<BureauIdentity> {
    if aliases.department(body).is_some() || level_word(body, aliases, false).is_some() {
        return None;
    }
    let mut department = aliases.expand_tail(body);
    // `大河乡` is the township's government, as `大河乡人民政府`.
    if ["镇", "乡", "苏木"].iter().any(|s| department.ends_with(s)) {
        department.push_str("人民政府");
    }
    if !has_organisation_ending(&department) {
        return None;
    }
    Some(BureauIdentity {
        key: format!("{UNKNOWN_CODE}/{department}"),
        canonical: format!("{ornament}{department}"),
        department,
        typed: false,
    })
}

/// Complete a short self-reference (`市水务局`, `县司法局`, `省司法厅`,
/// `镇政府`) with the region's place at the level its first word names,
/// the department expanded: `庆阳市水务局`, `宁县司法局`, `早胜镇人民政府`.
/// `None` when it starts with no level word or the region lacks that level.
pub fn complete_short(short: &str, region: &Region, aliases: &BureauAliases) -> Option<String> {
    let cleaned = clean(short);
    let (ornament, body) = aliases.strip_prefix(&cleaned);
    let (level, rest) = level_word(body, aliases, false)?;
    let place = level.name(region)?;
    if let Some(government) = government_of(level, place, rest) {
        return Some(join_place(place, government));
    }
    if let Some(d) = aliases.department(rest) {
        let prefix = d.prefix.as_deref().unwrap_or("");
        return Some(format!("{prefix}{}", join_place(place, &d.name)));
    }
    let department = aliases.expand_tail(rest);
    has_organisation_ending(&department)
        .then(|| format!("{ornament}{}", join_place(place, &department)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::region::resolve;

    fn table() -> BureauAliases {
        BureauAliases::builtin()
    }

    /// Identity of `name` in the region its own text gives.
    fn id(name: &str) -> BureauIdentity {
        identify(name, &resolve(name, ""), &table()).expect(name)
    }

    /// Identity of `name` in a report whose region is that of `place`.
    fn id_in(name: &str, place: &str) -> Option<BureauIdentity> {
        identify(name, &resolve(place, ""), &table())
    }

    fn key(name: &str, place: &str) -> String {
        id_in(name, place).expect(name).key
    }

    #[test]
    fn builtin_table_parses() {
        let fresh = BureauAliases {
            departments: Vec::new(),
            suffixes: Vec::new(),
            by_spelling: HashMap::new(),
            prefixes: Vec::new(),
            fingerprint: 0,
        };
        let t = fresh
            .merged(BUILTIN_BUREAUS, "built-in")
            .expect("built-in table");
        assert!(t.departments().len() >= 60, "{}", t.departments().len());
        assert_eq!(t.department("人社局").unwrap().name, "人力资源和社会保障局");
        assert_eq!(t.department("市监局").unwrap().name, "市场监督管理局");
        assert_eq!(t.department("卫健委").unwrap().name, "卫生健康委员会");
        let suffixes = t.place_suffixes();
        assert!(suffixes.iter().any(|s| s == "局"));
        assert!(!suffixes.iter().any(|s| s == "街道"));
    }

    #[test]
    fn spellings_of_one_body_share_a_key() {
        let want = "6210/人力资源和社会保障局";
        for name in [
            "人社局",
            "人力资源和社会保障局",
            "庆阳市人社局",
            "庆阳人社局",
            "市人社局",
            "甘肃省庆阳市人力资源和社会保障局",
            "庆阳市　人社局 ",
        ] {
            let got = id_in(name, "庆阳市人力资源和社会保障局").expect(name);
            assert_eq!(got.key, want, "{name}");
            assert_eq!(got.canonical, "庆阳市人力资源和社会保障局", "{name}");
            assert_eq!(got.department, "人力资源和社会保障局");
            assert!(got.typed);
        }
    }

    #[test]
    fn same_department_of_different_places_differs() {
        assert_eq!(id("庆阳市司法局").key, "6210/司法局");
        assert_eq!(id("长春市司法局").key, "2201/司法局");
        assert_eq!(id("宁县司法局").key, "621026/司法局");
        assert_eq!(id("宁县司法局").canonical, "宁县司法局");
        // A county's body named in a report of its city keeps the county.
        assert_eq!(key("庆阳市宁县教育局", "庆阳市教育局"), "621026/教育局");
        assert_eq!(key("宁县教育局", "庆阳市教育局"), "621026/教育局");
        // An autonomous prefecture by its common form.
        assert_eq!(id("恩施州司法局").key, "4228/司法局");
        assert_eq!(id("恩施州司法局").canonical, "恩施土家族苗族自治州司法局");
        assert_eq!(key("州司法局", "恩施州司法局"), "4228/司法局");
        // A county whose name starts with its city's short name.
        for name in ["苏州工业园区管委会", "江苏省苏州工业园区管委会"] {
            assert_eq!(id(name).key, "320576/管理委员会", "{name}");
            assert_eq!(id(name).canonical, "苏州工业园区管理委员会", "{name}");
        }
    }

    #[test]
    fn ministries_short_and_full_agree() {
        for name in ["司法部", "中华人民共和国司法部"] {
            let got = identify(name, &Region::default(), &table()).unwrap();
            assert_eq!(got.key, "00/司法部");
            assert_eq!(got.canonical, "中华人民共和国司法部");
        }
        // National whatever region the report has.
        assert_eq!(key("司法部", "宁县教育局"), "00/司法部");
        // The older ministry is a body of its own.
        assert_eq!(id("环境保护部").key, "00/环境保护部");
        assert_ne!(id("环境保护部").key, id("生态环境部").key);
        assert_eq!(id("国家税务总局").canonical, "国家税务总局");
        assert_eq!(id("海关总署").canonical, "中华人民共和国海关总署");
        assert_eq!(id("人社部").canonical, "中华人民共和国人力资源和社会保障部");
        assert_eq!(id("国务院").canonical, "中华人民共和国国务院");
    }

    #[test]
    fn provincial_departments() {
        assert_eq!(id("甘肃省司法厅").key, "62/司法厅");
        assert_eq!(id("甘肃省司法厅").canonical, "甘肃省司法厅");
        assert_eq!(key("省司法厅", "宁县教育局"), "62/司法厅");
        assert_eq!(id("吉林省教育厅").canonical, "吉林省教育厅");
        // 吉林 is also a city of 吉林省: its short form does not eat 吉林市.
        assert_eq!(key("吉林市教育局", "吉林市教育局"), "2202/教育局");
        assert_eq!(key("吉林教育厅", "吉林省教育厅"), "22/教育厅");
    }

    #[test]
    fn governments_at_each_level() {
        for name in ["宁县人民政府", "宁县政府", "宁县", "县政府"] {
            let got = id_in(name, "宁县教育局").expect(name);
            assert_eq!(got.key, "621026/人民政府", "{name}");
            assert_eq!(got.canonical, "宁县人民政府", "{name}");
        }
        assert_eq!(key("市政府", "宁县教育局"), "6210/人民政府");
        assert_eq!(id("庆阳市政府").canonical, "庆阳市人民政府");
    }

    #[test]
    fn townships_without_suffix_are_their_government() {
        let place = "宁县早胜镇人民政府";
        for name in [
            "早胜镇",
            "早胜镇人民政府",
            "宁县早胜镇人民政府",
            "镇政府",
            "早胜镇政府",
        ] {
            let got = id_in(name, place).expect(name);
            assert_eq!(got.key, "621026102/人民政府", "{name}");
            assert_eq!(got.canonical, "早胜镇人民政府", "{name}");
        }
        // Resolved from the name alone.
        assert_eq!(id("早胜镇").key, "621026102/人民政府");
        // Its county's bodies keep the county's key.
        assert_eq!(key("县司法局", place), "621026/司法局");
    }

    #[test]
    fn streets_are_their_office() {
        for name in [
            "东华门街道",
            "东华门街道办事处",
            "东华门街道办",
            "北京市东城区东华门街道办事处",
        ] {
            let got = id(name);
            assert_eq!(got.key, "110101001/街道办事处", "{name}");
            assert_eq!(got.canonical, "东华门街道办事处", "{name}");
        }
        assert_eq!(key("街道办", "东华门街道"), "110101001/街道办事处");
    }

    #[test]
    fn ambiguous_township_has_no_township_key() {
        // 大河乡 is in five counties: unplaced without context …
        let got = identify("大河乡", &resolve("大河乡", ""), &table()).unwrap();
        assert_eq!(got.key, "?/大河乡人民政府");
        assert!(!got.typed);
        // … and the township once the text names its county.
        let region = resolve("大河乡", "巫溪县人民政府");
        let got = identify("大河乡人民政府", &region, &table()).unwrap();
        assert_eq!(got.key, "500238207/人民政府");
    }

    #[test]
    fn party_committees_and_prefixes() {
        for name in [
            "中共宁县县委",
            "宁县县委",
            "中共宁县委员会",
            "中国共产党宁县委员会",
        ] {
            let got = id(name);
            assert_eq!(got.key, "621026/委员会", "{name}");
            assert_eq!(got.canonical, "中共宁县委员会", "{name}");
        }
        assert_eq!(key("县委", "宁县教育局"), "621026/委员会");
        for name in ["国家税务总局宁县税务局", "宁县税务局"] {
            let got = id(name);
            assert_eq!(got.key, "621026/税务局", "{name}");
            assert_eq!(got.canonical, "国家税务总局宁县税务局", "{name}");
        }
    }

    #[test]
    fn municipality_city_is_the_province() {
        assert_eq!(id("北京市司法局").key, "11/司法局");
        assert_eq!(key("市司法局", "北京市朝阳区司法局"), "11/司法局");
        assert_eq!(id("北京市朝阳区司法局").key, "110105/司法局");
    }

    #[test]
    fn level_word_is_not_part_of_a_department() {
        // 市场监督管理局 of a county keeps its 市.
        let got = id_in("市场监督管理局", "宁县教育局").unwrap();
        assert_eq!(got.key, "621026/市场监督管理局");
        assert_eq!(key("市市场监管局", "宁县教育局"), "6210/市场监督管理局");
        assert_eq!(key("市监局", "庆阳市教育局"), "6210/市场监督管理局");
    }

    #[test]
    fn untyped_names_still_get_a_key() {
        for name in ["庆阳市法律援助中心", "法律援助中心", "市法律援助中心"] {
            let got = id_in(name, "庆阳市司法局").expect(name);
            assert_eq!(got.key, "6210/法律援助中心", "{name}");
            assert_eq!(got.canonical, "庆阳市法律援助中心", "{name}");
            assert!(!got.typed);
        }
        // A trailing abbreviation is expanded; 中共 is kept for the canonical form.
        let got = id("中共宁县县委宣传部");
        assert_eq!(got.key, "621026/县委宣传部");
        assert_eq!(got.canonical, "中共宁县县委宣传部");
        assert_eq!(id("宁县县委宣传部").key, got.key);
        assert_eq!(id("宁县政府办").canonical, "宁县人民政府办公室");
        // Unplaced (鼓楼区 is in four cities): the whole name stays in the key.
        assert_eq!(id("鼓楼区政府").key, "?/鼓楼区人民政府");
        assert_eq!(id("鼓楼区司法局").key, "?/鼓楼区司法局");
        assert_eq!(id("鼓楼区人社局").key, "?/鼓楼区人力资源和社会保障局");
    }

    #[test]
    fn nameless_or_placeless_types_give_none() {
        let none = Region::default();
        assert_eq!(identify("", &none, &table()), None);
        assert_eq!(identify(" \u{3000}", &none, &table()), None);
        assert_eq!(identify("人社局", &none, &table()), None);
        assert_eq!(identify("县司法局", &none, &table()), None);
        assert_eq!(id_in("法治政府建设", "庆阳市司法局"), None);
    }

    #[test]
    fn short_self_references_complete() {
        let t = table();
        let county = resolve("宁县早胜镇人民政府", "");
        let city = resolve("庆阳市教育局", "");
        let c = |s: &str, r: &Region| complete_short(s, r, &t);
        assert_eq!(c("市水务局", &city).as_deref(), Some("庆阳市水务局"));
        assert_eq!(
            c("市人社局", &city).as_deref(),
            Some("庆阳市人力资源和社会保障局")
        );
        assert_eq!(c("县司法局", &county).as_deref(), Some("宁县司法局"));
        assert_eq!(c("区教育局", &county).as_deref(), Some("宁县教育局"));
        assert_eq!(c("省司法厅", &city).as_deref(), Some("甘肃省司法厅"));
        assert_eq!(c("镇政府", &county).as_deref(), Some("早胜镇人民政府"));
        assert_eq!(c("县委", &county).as_deref(), Some("中共宁县委员会"));
        assert_eq!(
            c("市法律援助中心", &city).as_deref(),
            Some("庆阳市法律援助中心")
        );
        let street = resolve("东华门街道", "");
        assert_eq!(c("街道办", &street).as_deref(), Some("东华门街道办事处"));
        // The region lacks the level; no level word; 市 of 市场.
        assert_eq!(c("县司法局", &city), None);
        assert_eq!(c("镇政府", &city), None);
        assert_eq!(c("我局", &city), None);
        assert_eq!(c("市场监督管理局", &city), None);
        assert_eq!(c("", &city), None);
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Any text, Chinese place and department words mixed in: no panic.
        #[test]
        fn any_input_is_safe(
            parts in prop::collection::vec(
                prop_oneof![
                    prop::string::string_regex(".{0,4}").unwrap(),
                    prop::sample::select(vec![
                        "宁县", "早胜", "镇", "街道", "办", "市", "县委", "中共", "人社局",
                        "国家税务总局", "中华人民共和国", "司法部", "大河乡", "\u{3000}",
                    ]).prop_map(String::from),
                ],
                0..6,
            )
        ) {
            let name = parts.concat();
            let t = table();
            let region = resolve(&name, &name);
            let _ = identify(&name, &region, &t);
            let _ = identify(&name, &Region::default(), &t);
            let _ = complete_short(&name, &region, &t);
        }
    }

    fn user_file(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CORPUS_BUREAUS_FILE);
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn user_file_extends_and_overrides() {
        let (_dir, path) = user_file(
            r#"
suffixes = ["中心"]

[[department]]
name = "人力资源和社会保障局"
aliases = ["人保局"]

[[department]]
name = "大数据管理局"
aliases = ["数据局"]

[[department]]
name = "城市管理综合执法局"
aliases = ["城管局"]
"#,
        );
        let t = BureauAliases::load(&path).unwrap();
        assert_eq!(t.department("人保局").unwrap().name, "人力资源和社会保障局");
        assert_eq!(t.department("人社局").unwrap().name, "人力资源和社会保障局");
        assert_eq!(t.department("数据局").unwrap().name, "大数据管理局");
        // 城管局 moved from 城市管理局 to the user's choice.
        assert_eq!(t.department("城管局").unwrap().name, "城市管理综合执法局");
        let old = t.department("城市管理局").unwrap();
        assert!(!old.aliases.iter().any(|a| a == "城管局"));
        assert!(t.place_suffixes().iter().any(|s| s == "中心"));
        let region = resolve("庆阳市教育局", "");
        let got = identify("市数据局", &region, &t).unwrap();
        assert_eq!(got.canonical, "庆阳市大数据管理局");
        // Found beside the corpus; without one, the built-in table.
        let corpus = path.parent().unwrap();
        let beside = BureauAliases::load_for_corpus(corpus).unwrap();
        assert!(beside.department("数据局").is_some());
        let empty = tempfile::tempdir().unwrap();
        let plain = BureauAliases::load_for_corpus(empty.path()).unwrap();
        assert!(plain.department("数据局").is_none());
    }

    #[test]
    fn bad_user_files_name_file_and_line() {
        let cases = [
            (
                "[[department]]\nname = \"甲局\"\naliases = [\"乙局\"\n",
                "line",
            ),
            (
                "[[department]]\nname = \"甲局\"\naliases = [\"乙局\"]\n\n[[department]]\nname = \"丙局\"\naliases = [\"乙局\"]\n",
                "line 7: '乙局' already names department 甲局",
            ),
            (
                "[[department]]\nname = \" \"\n",
                "line 2: department name is empty",
            ),
            ("[[department]]\nname = \"甲局\"\ncolour = 1\n", "line 3"),
        ];
        for (text, want) in cases {
            let (_dir, path) = user_file(text);
            let err = BureauAliases::load(&path).unwrap_err();
            assert!(err.starts_with(&path.display().to_string()), "{err}");
            assert!(err.contains(want), "{err} lacks {want}");
        }
        let err = BureauAliases::load(Path::new("/nonexistent/bureaus.toml")).unwrap_err();
        assert!(err.starts_with("/nonexistent/bureaus.toml: "), "{err}");
    }
}
