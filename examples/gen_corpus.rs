//! Deterministic scale-corpus generator for fazhi's benchmarks.
//!
//! ```text
//! cargo run --release --example gen_corpus -- --reports 100000 --out DIR --seed 1
//! cargo run --release --example gen_corpus -- --reports 100000 --out DIR --seed 1 --change 1 --round 1
//! ```
//!
//! Every report is built from the sentences and headings of the bundled
//! `corpus/` (compiled in with `include_str!`, so this runs from any folder),
//! with the bureau's own name, year and numbers substituted, and a bureau
//! drawn from the GB/T 2260 gazetteer in `data/china-division/` (all
//! provinces; province, city, county and street/township level; the usual
//! department kinds). Reports cover 2016–2025, use all four heading levels
//! (一、 （一） 1. （1）, sometimes run-in), start with a title (bureau + year)
//! and often web boilerplate, and end with a signature and a date. About 10%
//! are written in GB18030 and 5% as HTML pages; sizes are 3–15 KB.
//!
//! Files go to `OUT/<province>/<year>/<bureau>_<n>.<txt|html>`. The output is
//! a pure function of `--reports`, `--seed` (and `--change`/`--round`): each
//! report has its own PRNG stream (splitmix64 of seed and report number), so
//! the thread count does not matter.
//!
//! `--change P --round R` rewrites only a deterministic P% of the reports:
//! round 0 restores their original text, round R > 0 inserts one revision
//! sentence (same path, new content hash). `benches/scale.sh` uses this for
//! the incremental-indexing measurement.
//!
//! The module is also included by the criterion benches (`#[path]`), which
//! call [`generate`] to build their fixtures.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Instant;

// ---------------------------------------------------------------------------
// PRNG

/// splitmix64: tiny, fast, and good enough for synthetic text.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The splitmix64 finaliser.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The independent stream of report `n` (and a purpose tag).
fn stream(seed: u64, n: u64, tag: u64) -> Rng {
    Rng::new(
        mix(mix(seed ^ 0x5eed_0000_0000_0000).wrapping_add(n))
            .wrapping_add(tag.wrapping_mul(0x9e37_79b9)),
    )
}

// ---------------------------------------------------------------------------
// Source material

const CORPUS: &[&str] = &[
    include_str!("../corpus/000_700b0228d684de86.txt"),
    include_str!("../corpus/001_dd28fcdd2941aef0.txt"),
    include_str!("../corpus/002_d869763866082472.txt"),
    include_str!("../corpus/003_ac17fba514662512.txt"),
    include_str!("../corpus/004_86065a5a5a10b58f.txt"),
];
const PROVINCES_CSV: &str = include_str!("../data/china-division/provinces.csv");
const CITIES_CSV: &str = include_str!("../data/china-division/cities.csv");
const AREAS_CSV: &str = include_str!("../data/china-division/areas.csv");

/// Full bureau names of the bundled reports, replaced by the generated bureau.
const SOURCE_BUREAUS: &[&str] = &[
    "长春市教育局",
    "宁县教育局",
    "龙泉市教育局",
    "许昌市教育局",
    "呼兰区教育局",
];
/// Short self-references, replaced by the generated bureau's short form.
const SOURCE_SHORT: &[&str] = &["市教育局", "区教育局", "县教育局"];

/// Department kinds of city and county governments.
const DEPARTMENTS: &[&str] = &[
    "教育局",
    "司法局",
    "公安局",
    "民政局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化和旅游局",
    "卫生健康委员会",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "林业局",
    "退役军人事务局",
    "城市管理综合行政执法局",
    "行政审批局",
    "信访局",
    "体育局",
    "科学技术局",
    "工业和信息化局",
];
/// Province-level department kinds.
const PROVINCE_DEPARTMENTS: &[&str] = &[
    "教育厅",
    "司法厅",
    "公安厅",
    "民政厅",
    "财政厅",
    "自然资源厅",
    "生态环境厅",
    "住房和城乡建设厅",
    "交通运输厅",
    "水利厅",
    "农业农村厅",
    "商务厅",
    "卫生健康委员会",
    "市场监督管理局",
    "应急管理厅",
];
const STREETS: &[&str] = &[
    "城关", "东城", "西城", "南关", "北关", "新华", "人民", "建设", "解放", "和平", "城南", "城北",
    "江滨", "文化", "中山", "友谊", "长安", "东风", "胜利", "光明", "花园", "青年", "湖滨", "新城",
];
const TOWNS: &[&str] = &[
    "城关", "新集", "白马", "石桥", "桃园", "柳河", "黄庄", "清水", "龙门", "大河", "金山", "三河",
    "高坪", "双龙", "马坊", "古城", "新店", "河口", "杨柳", "太平",
];
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";
const GIVEN: &str = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬斌宇浩凯健俊帆帅旭宁龙林欣滨文博志诚振兴建国立新海波春晖晓东雪梅兰云飞鹏程思远宏亮德华";

/// Headings beyond those of the bundled corpus, so that headings vary.
const EXTRA_HEADINGS: &[&[&str]] = &[
    &[
        "主要工作及成效",
        "存在的问题和不足",
        "下一步工作打算",
        "深入学习贯彻习近平法治思想",
        "依法全面履行政府职能",
        "完善依法行政制度体系",
        "推进严格规范公正文明执法",
        "强化对行政权力的制约和监督",
        "依法有效化解社会矛盾纠纷",
        "全面提升工作人员法治素养",
        "党政主要负责人履行推进法治建设第一责任人职责情况",
        "加强法治政府建设的组织领导",
    ],
    &[
        "加强组织领导",
        "健全工作机制",
        "规范重大行政决策",
        "深化“放管服”改革",
        "全面推行行政执法三项制度",
        "加强行政规范性文件管理",
        "落实“谁执法谁普法”普法责任制",
        "推进政务公开",
        "强化行政复议和应诉工作",
        "优化法治化营商环境",
        "推进“双随机、一公开”监管",
        "加强法律顾问和公职律师工作",
        "开展合法性审查",
    ],
    &[
        "强化学法用法",
        "严格执法程序",
        "完善执法监督",
        "推进信用监管",
        "加强案卷评查",
        "规范证明事项",
        "落实包容审慎监管",
        "加强执法人员资格管理",
        "推行柔性执法",
        "深化以案释法",
    ],
    &[
        "制定年度学法计划",
        "开展专题培训",
        "组织旁听庭审",
        "编印执法手册",
        "开展案卷评查",
        "公示执法信息",
        "听取法律顾问意见",
        "开展普法宣传进社区",
    ],
];

/// One piece of a sentence template.
#[derive(Clone, Copy)]
enum Piece {
    /// Literal text: byte range in [`Pool::arena`].
    Lit(u32, u32),
    /// The bureau's full name.
    Bureau,
    /// The bureau's short self-reference (市教育局 → 县司法局).
    Short,
    /// The report year.
    Year,
    /// A number of this many digits.
    Num(u8),
}

/// Templates extracted from the bundled corpus and the gazetteer.
pub struct Pool {
    arena: String,
    sentences: Vec<Vec<Piece>>,
    /// Heading texts per level (0 = 一、 … 3 = （1））.
    headings: [Vec<Vec<Piece>>; 4],
    bureaus: Gazetteer,
}

struct Gazetteer {
    /// (code, name)
    provinces: Vec<(String, String)>,
    /// (province index, name) of real prefecture-level units.
    cities: Vec<(usize, String)>,
    /// (province index, name) of county-level units.
    areas: Vec<(usize, String)>,
}

fn csv_rows(text: &str) -> impl Iterator<Item = Vec<String>> + '_ {
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            l.split(',')
                .map(|f| f.trim().trim_matches('"').to_string())
                .collect()
        })
}

impl Gazetteer {
    fn load() -> Gazetteer {
        let provinces: Vec<(String, String)> = csv_rows(PROVINCES_CSV)
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect();
        let prov_index = |code: &str| provinces.iter().position(|(c, _)| c == code);
        let cities = csv_rows(CITIES_CSV)
            .filter(|r| !r[1].contains("直辖") && r[1] != "市辖区" && r[1] != "县")
            .filter_map(|r| Some((prov_index(&r[2])?, r[1].clone())))
            .collect();
        let areas = csv_rows(AREAS_CSV)
            .filter(|r| r[1] != "市辖区")
            .filter_map(|r| Some((prov_index(&r[3])?, r[1].clone())))
            .collect();
        Gazetteer {
            provinces,
            cities,
            areas,
        }
    }
}

fn is_heading_marker_line(line: &str) -> Option<(usize, &str)> {
    let chinese = |c: char| "一二三四五六七八九十".contains(c);
    let digits = |c: char| c.is_ascii_digit();
    let strip_num = |s: &str, f: &dyn Fn(char) -> bool| -> Option<usize> {
        let n: usize = s.chars().take_while(|c| f(*c)).map(char::len_utf8).sum();
        (n > 0).then_some(n)
    };
    if let Some(n) = strip_num(line, &chinese)
        && let Some(rest) = line[n..].strip_prefix('、')
    {
        return Some((0, rest));
    }
    for open in ["（", "("] {
        if let Some(inner) = line.strip_prefix(open) {
            for close in ["）", ")"] {
                if let Some(n) = strip_num(inner, &chinese)
                    && let Some(rest) = inner[n..].strip_prefix(close)
                {
                    return Some((1, rest));
                }
                if let Some(n) = strip_num(inner, &digits)
                    && let Some(rest) = inner[n..].strip_prefix(close)
                {
                    return Some((3, rest));
                }
            }
        }
    }
    if let Some(n) = strip_num(line, &digits) {
        for dot in [".", "．", "、"] {
            if let Some(rest) = line[n..].strip_prefix(dot) {
                return Some((2, rest));
            }
        }
    }
    None
}

impl Pool {
    fn load() -> Pool {
        let mut pool = Pool {
            arena: String::new(),
            sentences: Vec::new(),
            headings: Default::default(),
            bureaus: Gazetteer::load(),
        };
        let mut seen = HashSet::new();
        for text in CORPUS {
            for raw in text.lines() {
                let line = raw
                    .trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}');
                if line.chars().count() < 12 || line.contains('|') || line.contains("当前的位置")
                {
                    continue;
                }
                let body = match is_heading_marker_line(line) {
                    Some((level, rest)) => {
                        let rest = rest.trim();
                        // A run-in heading ends at the first full stop.
                        let (head, body) = match rest.find('。') {
                            Some(i) if i > 0 => (&rest[..i], &rest[i + '。'.len_utf8()..]),
                            _ => (rest, ""),
                        };
                        let head = head.trim_end_matches(['，', ',']);
                        if !head.is_empty()
                            && head.chars().count() <= 40
                            && seen.insert(head.to_string())
                        {
                            let t = pool.template(head);
                            pool.headings[level].push(t);
                        }
                        body
                    }
                    None => line,
                };
                for sentence in body.split_inclusive(['。', '；', '！', '？']) {
                    let s = sentence.trim();
                    if s.chars().count() >= 10 && seen.insert(s.to_string()) {
                        let t = pool.template(s);
                        pool.sentences.push(t);
                    }
                }
            }
        }
        for (level, extra) in EXTRA_HEADINGS.iter().enumerate() {
            for h in *extra {
                let t = pool.template(h);
                pool.headings[level].push(t);
            }
        }
        pool
    }

    /// Turn text into a template: bureau names, years and numbers become slots.
    fn template(&mut self, text: &str) -> Vec<Piece> {
        let mut out = Vec::new();
        let mut lit_start = self.arena.len();
        let mut rest = text;
        'outer: while !rest.is_empty() {
            for (names, piece) in [
                (SOURCE_BUREAUS, Piece::Bureau),
                (SOURCE_SHORT, Piece::Short),
            ] {
                for name in names {
                    if let Some(r) = rest.strip_prefix(name) {
                        self.flush(&mut out, &mut lit_start);
                        out.push(piece);
                        rest = r;
                        continue 'outer;
                    }
                }
            }
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits > 0 {
                let after = &rest[digits..];
                let piece = if digits == 4 && rest.starts_with("20") && after.starts_with('年') {
                    Some(Piece::Year)
                } else if after.starts_with(['月', '日']) || digits > 6 {
                    None // dates stay as they are
                } else {
                    Some(Piece::Num(digits as u8))
                };
                if let Some(p) = piece {
                    self.flush(&mut out, &mut lit_start);
                    out.push(p);
                } else {
                    self.arena.push_str(&rest[..digits]);
                }
                rest = after;
                continue;
            }
            let c = rest.chars().next().unwrap_or(' ');
            self.arena.push(c);
            rest = &rest[c.len_utf8()..];
        }
        self.flush(&mut out, &mut lit_start);
        out
    }

    fn flush(&self, out: &mut Vec<Piece>, lit_start: &mut usize) {
        if self.arena.len() > *lit_start {
            out.push(Piece::Lit(*lit_start as u32, self.arena.len() as u32));
        }
        *lit_start = self.arena.len();
    }
}

static POOL: LazyLock<Pool> = LazyLock::new(Pool::load);

// ---------------------------------------------------------------------------
// One report

/// What a report is about, drawn before its text.
struct Meta {
    province: String,
    province_code: String,
    bureau: String,
    short: String,
    /// Name of the superior government (for the addressee line).
    upper: &'static str,
    year: usize,
    html: bool,
    gb18030: bool,
    target_bytes: usize,
}

fn person_name(rng: &mut Rng) -> String {
    let s: Vec<char> = SURNAMES.chars().collect();
    let g: Vec<char> = GIVEN.chars().collect();
    let mut name = String::new();
    name.push(*rng.pick(&s));
    name.push(*rng.pick(&g));
    if rng.chance(70) {
        name.push(*rng.pick(&g));
    }
    name
}

fn draw_meta(pool: &Pool, rng: &mut Rng) -> Meta {
    let g = &pool.bureaus;
    let kind = rng.below(100);
    let (prov_idx, bureau, short, upper) = if kind < 5 {
        let p = rng.below(g.provinces.len());
        let name = &g.provinces[p].1;
        let municipality = name.ends_with('市') && name.chars().count() == 3;
        let dept = if municipality {
            rng.pick(DEPARTMENTS).to_string()
        } else {
            rng.pick(PROVINCE_DEPARTMENTS).to_string()
        };
        let level = if municipality { "市" } else { "省" };
        (
            p,
            format!("{name}{dept}"),
            format!("{level}{dept}"),
            "省委、省政府",
        )
    } else if kind < 33 {
        let (p, city) = g.cities[rng.below(g.cities.len())].clone();
        let dept = rng.pick(DEPARTMENTS);
        let level = city.chars().last().map(String::from).unwrap_or_default();
        (
            p,
            format!("{city}{dept}"),
            format!("{level}{dept}"),
            "市委依法治市委员会办公室",
        )
    } else {
        let (p, area) = g.areas[rng.below(g.areas.len())].clone();
        let level: String = area.chars().last().map(String::from).unwrap_or_default();
        let sub = rng.below(100);
        if sub < 70 {
            let dept = rng.pick(DEPARTMENTS);
            (
                p,
                format!("{area}{dept}"),
                format!("{level}{dept}"),
                "县委、县政府",
            )
        } else if sub < 85 {
            (
                p,
                format!("{area}人民政府"),
                format!("{level}政府"),
                "市人民政府",
            )
        } else if sub < 93 {
            let street = rng.pick(STREETS);
            (
                p,
                format!("{area}{street}街道办事处"),
                "街道办事处".to_string(),
                "区委、区政府",
            )
        } else {
            let town = rng.pick(TOWNS);
            (
                p,
                format!("{area}{town}镇人民政府"),
                "镇政府".to_string(),
                "县委、县政府",
            )
        }
    };
    let format = rng.below(100);
    // Sizes 3–15 KB, skewed towards the middle.
    let target_bytes = 2_600 + (rng.below(10_000) + rng.below(10_000)) / 2;
    Meta {
        province: g.provinces[prov_idx].1.clone(),
        province_code: g.provinces[prov_idx].0.clone(),
        bureau,
        short,
        upper,
        year: rng.range(2016, 2025),
        html: format < 5,
        gb18030: (5..15).contains(&format),
        target_bytes,
    }
}

const CHINESE_DIGITS: [&str; 21] = [
    "〇", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三",
    "十四", "十五", "十六", "十七", "十八", "十九", "二十",
];

struct Writer<'a> {
    pool: &'a Pool,
    meta: &'a Meta,
    rng: Rng,
    out: String,
}

impl Writer<'_> {
    fn fill(&mut self, t: &[Piece]) {
        for p in t {
            match *p {
                Piece::Lit(a, b) => self.out.push_str(&self.pool.arena[a as usize..b as usize]),
                Piece::Bureau => self.out.push_str(&self.meta.bureau),
                Piece::Short => self.out.push_str(&self.meta.short),
                Piece::Year => {
                    let _ = write!(self.out, "{}", self.meta.year);
                }
                Piece::Num(n) => {
                    let first = self.rng.range(1, 9);
                    let _ = write!(self.out, "{first}");
                    for _ in 1..n {
                        let d = self.rng.below(10);
                        let _ = write!(self.out, "{d}");
                    }
                }
            }
        }
    }

    fn sentence(&mut self) {
        let i = self.rng.below(self.pool.sentences.len());
        let pool = self.pool;
        self.fill(&pool.sentences[i]);
    }

    fn heading_text(&mut self, level: usize) {
        let pool = self.pool;
        let list = &pool.headings[level];
        let list = if list.is_empty() {
            &pool.headings[0]
        } else {
            list
        };
        let i = self.rng.below(list.len());
        self.fill(&list[i]);
    }

    /// A paragraph of `lo..=hi` sentences, newline-terminated.
    fn paragraph(&mut self, lo: usize, hi: usize) {
        let n = self.rng.range(lo, hi);
        for _ in 0..n {
            self.sentence();
        }
        self.out.push('\n');
    }

    fn marker(&mut self, level: usize, n: usize) {
        let full = self.rng.chance(85);
        let _ = match (level, full) {
            (0, _) => write!(self.out, "{}、", CHINESE_DIGITS[n.min(20)]),
            (1, true) => write!(self.out, "（{}）", CHINESE_DIGITS[n.min(20)]),
            (1, false) => write!(self.out, "({})", CHINESE_DIGITS[n.min(20)]),
            (2, true) => write!(self.out, "{n}."),
            (2, false) => write!(self.out, "{n}．"),
            (_, true) => write!(self.out, "（{n}）"),
            (_, false) => write!(self.out, "({n})"),
        };
    }

    /// A heading at `level` numbered `n`, with its content; deeper levels nest.
    fn section(&mut self, level: usize, n: usize, budget: usize) {
        let start = self.out.len();
        if level > 0 && self.rng.chance(45) {
            // Run-in heading: the heading ends with 。 and the body follows on the line.
            self.marker(level, n);
            self.heading_text(level);
            self.out.push('。');
            self.paragraph(1, 4);
        } else {
            self.marker(level, n);
            self.heading_text(level);
            self.out.push('\n');
            let nest = [80, 45, 30, 0][level.min(3)];
            let children = if level < 3 && budget > 400 && self.rng.chance(nest) {
                self.rng.range(2, 5)
            } else {
                0
            };
            if let Some(per) = budget.checked_div(children) {
                if self.rng.chance(30) {
                    self.paragraph(1, 3);
                }
                let per = per.max(500);
                for k in 1..=children {
                    self.section(level + 1, k, per);
                    if self.out.len() - start > budget * 2 {
                        break;
                    }
                }
            } else {
                let paras = 1 + budget / 1_200;
                for _ in 0..self.rng.range(1, paras.clamp(1, 4)) {
                    self.paragraph(2, 5);
                }
            }
        }
    }

    fn date(&mut self, year: usize) -> (usize, usize, usize) {
        (year, self.rng.range(1, 12), self.rng.range(1, 28))
    }

    fn report(&mut self, round: u64) {
        let m = self.meta;
        let (title, title_split) = match self.rng.below(5) {
            0 => (
                format!("{}关于{}年法治政府建设的工作报告", m.bureau, m.year),
                None,
            ),
            1 => (
                format!("{}{}年度法治政府建设工作报告", m.bureau, m.year),
                None,
            ),
            2 => (
                format!("{}{}年法治政府建设年度报告", m.bureau, m.year),
                Some(format!("{}{}年法治政府建设\n年度报告", m.bureau, m.year)),
            ),
            3 => (
                format!("{}关于{}年度法治政府建设情况的报告", m.bureau, m.year),
                None,
            ),
            _ => (format!("{}年度法治政府建设工作总结", m.year), None),
        };
        let (py, pm, pd) = self.date((m.year + 1).min(2026));
        // Web boilerplate or a masthead before the title.
        match self.rng.below(5) {
            0 => {
                let _ = writeln!(
                    self.out,
                    "您当前的位置：首页 > 信息公开 > 法定主动公开内容 > 法治政府建设年度报告"
                );
                let _ = writeln!(self.out, "{title}");
                let _ = writeln!(
                    self.out,
                    "时间：{py}-{pm:02}-{pd:02} 09:{:02} 来源：{}",
                    self.rng.below(60),
                    m.bureau
                );
                let _ = writeln!(self.out, "【字体：大 中 小】 打印 关闭");
            }
            1 => {
                let n = self.rng.range(1, 99_999);
                let _ = writeln!(
                    self.out,
                    "索引号: | {}{:04}/{py}{pm:02}{pd:02}-{n:05} | 发布机构: | {} |",
                    m.province_code,
                    self.rng.below(10_000),
                    m.bureau
                );
                let _ = writeln!(self.out, "生效日期: | {py}-{pm:02}-{pd:02} | 废止日期: | |");
                let _ = writeln!(self.out, "文 号: | | 所属主题: | 公示公告 |");
            }
            2 => {
                let _ = writeln!(self.out, "{}文件\n", m.bureau);
                let abbr: String = m.bureau.chars().take(1).collect();
                let _ = writeln!(self.out, "{abbr}发〔{py}〕{}号\n", self.rng.range(1, 60));
                let name = person_name(&mut self.rng);
                let _ = writeln!(self.out, "签发人：{name}\n");
            }
            _ => {}
        }
        let _ = writeln!(self.out, "{}", title_split.as_deref().unwrap_or(&title));
        if title.starts_with(|c: char| c.is_ascii_digit()) {
            let _ = writeln!(self.out, "{}", m.bureau);
        }
        if self.rng.chance(60) {
            let _ = writeln!(self.out, "{}：", m.upper);
        }
        // Preamble.
        let _ = write!(
            self.out,
            "{}年，{}在{}的正确领导下，认真贯彻落实法治政府建设各项决策部署。",
            m.year, m.short, m.upper
        );
        if round > 0 {
            let _ = write!(self.out, "（第{round}次修订）");
        }
        self.paragraph(1, 3);
        // Sections until the size target is met.
        let tail = 400;
        let body_budget = m.target_bytes.saturating_sub(self.out.len() + tail);
        let tops = (2 + body_budget / 2_500).clamp(2, 10);
        let per = body_budget / tops;
        let mut n = 1;
        while n <= 20 && (n <= 2 || self.out.len() + tail < m.target_bytes) {
            self.section(0, n, per);
            n += 1;
        }
        // Signature.
        let _ = writeln!(self.out, "{}", m.bureau);
        let (sy, sm, sd) = self.date((m.year + 1).min(2026));
        if self.rng.chance(85) {
            let _ = writeln!(self.out, "{sy}年{sm}月{sd}日");
        } else {
            let _ = writeln!(self.out, "{sy}-{sm:02}-{sd:02}");
        }
        if self.rng.chance(20) {
            let name = person_name(&mut self.rng);
            let _ = writeln!(
                self.out,
                "（联系人：{name}  联系电话：{}）",
                self.rng.range(2_000_000, 8_999_999)
            );
        }
        match self.rng.below(6) {
            0 => self
                .out
                .push_str("账号+密码登录\n手机+密码登录\n还没有账号？\n立即注册\n"),
            1 => {
                let _ = writeln!(
                    self.out,
                    "主办单位：{}  网站标识码：{}{:06}  备案号：ICP备{:08}号",
                    m.bureau,
                    m.province_code,
                    self.rng.below(1_000_000),
                    self.rng.below(100_000_000)
                );
            }
            _ => {}
        }
    }
}

fn html_escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
}

/// Wrap plain report text in a small government web page.
fn to_html(text: &str, meta: &Meta) -> String {
    let mut out = String::with_capacity(text.len() + 1_500);
    let title = text
        .lines()
        .find(|l| l.contains("法治政府建设"))
        .unwrap_or("法治政府建设年度报告");
    out.push_str(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
    );
    html_escape(title, &mut out);
    out.push_str("</title>\n<script>var _hmt = _hmt || [];</script>\n</head>\n<body>\n");
    out.push_str("<div class=\"nav\"><a href=\"/\">首页</a> <a href=\"/zwgk/\">政务公开</a> <a href=\"/bsfw/\">办事服务</a> <a href=\"/hdjl/\">互动交流</a></div>\n");
    out.push_str("<div class=\"breadcrumb\">您当前的位置：<a href=\"/\">首页</a> &gt; <a href=\"/zwgk/\">信息公开</a> &gt; 法治政府建设</div>\n");
    out.push_str("<div class=\"article\">\n");
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        out.push_str("<p>");
        html_escape(line, &mut out);
        out.push_str("</p>\n");
    }
    out.push_str("</div>\n<div class=\"footer\">主办单位：");
    html_escape(&meta.bureau, &mut out);
    out.push_str(" 版权所有 <a href=\"/sitemap\">网站地图</a> <a href=\"/contact\">联系我们</a></div>\n</body>\n</html>\n");
    out
}

/// Path (relative to the output folder) and bytes of report `n`.
pub fn render(seed: u64, n: u64, round: u64) -> (PathBuf, Vec<u8>) {
    let pool = &*POOL;
    let mut meta_rng = stream(seed, n, 1);
    let meta = draw_meta(pool, &mut meta_rng);
    let mut w = Writer {
        pool,
        meta: &meta,
        rng: stream(seed, n, 2),
        out: String::with_capacity(meta.target_bytes + 2_000),
    };
    w.report(round);
    let text = w.out;
    let ext = if meta.html { "html" } else { "txt" };
    let rel = PathBuf::from(&meta.province)
        .join(meta.year.to_string())
        .join(format!("{}_{n:06}.{ext}", meta.bureau));
    let bytes = if meta.html {
        to_html(&text, &meta).into_bytes()
    } else if meta.gb18030 {
        encoding_rs::GB18030.encode(&text).0.into_owned()
    } else {
        text.into_bytes()
    };
    (rel, bytes)
}

/// Whether report `n` is among the `percent`% that `--change` rewrites.
pub fn is_changed(seed: u64, n: u64, percent: f64) -> bool {
    let r = stream(seed, n, 3).next_u64() % 1_000_000;
    (r as f64) < percent * 10_000.0
}

/// What [`generate`] wrote.
#[derive(Debug, Default, Clone, Copy)]
pub struct Written {
    pub files: u64,
    pub bytes: u64,
}

/// Write reports `0..reports` (or only the changed ones when `change` is
/// given) under `out`, on `threads` threads.
pub fn generate(
    out: &Path,
    reports: u64,
    seed: u64,
    threads: usize,
    change: Option<(f64, u64)>,
) -> std::io::Result<Written> {
    LazyLock::force(&POOL);
    let threads = threads.max(1) as u64;
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || -> std::io::Result<Written> {
                    let mut made: HashSet<PathBuf> = HashSet::new();
                    let mut w = Written::default();
                    let mut n = t;
                    while n < reports {
                        let round = match change {
                            Some((pct, round)) if is_changed(seed, n, pct) => round,
                            Some(_) => {
                                n += threads;
                                continue;
                            }
                            None => 0,
                        };
                        let (rel, bytes) = render(seed, n, round);
                        let path = out.join(&rel);
                        if let Some(dir) = path.parent()
                            && !made.contains(dir)
                        {
                            std::fs::create_dir_all(dir)?;
                            made.insert(dir.to_path_buf());
                        }
                        std::fs::write(&path, &bytes)?;
                        w.files += 1;
                        w.bytes += bytes.len() as u64;
                        n += threads;
                    }
                    Ok(w)
                })
            })
            .collect();
        let mut total = Written::default();
        for h in handles {
            let w = h
                .join()
                .map_err(|_| std::io::Error::other("generator thread panicked"))??;
            total.files += w.files;
            total.bytes += w.bytes;
        }
        Ok(total)
    })
}

const USAGE: &str = "usage: gen_corpus --out DIR [--reports N] [--seed S] [--threads T] [--change PERCENT --round R]";

fn main() {
    let mut out: Option<PathBuf> = None;
    let mut reports: u64 = 1_000;
    let mut seed: u64 = 1;
    let mut threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let mut change: Option<f64> = None;
    let mut round: u64 = 1;
    let mut args = std::env::args().skip(1);
    let fail = |msg: &str| -> ! {
        eprintln!("gen_corpus: {msg}\n{USAGE}");
        std::process::exit(2)
    };
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| fail(&format!("{arg} needs a value")))
        };
        match arg.as_str() {
            "--out" => out = Some(PathBuf::from(value())),
            "--reports" => reports = value().parse().unwrap_or_else(|_| fail("bad --reports")),
            "--seed" => seed = value().parse().unwrap_or_else(|_| fail("bad --seed")),
            "--threads" => threads = value().parse().unwrap_or_else(|_| fail("bad --threads")),
            "--change" => change = Some(value().parse().unwrap_or_else(|_| fail("bad --change"))),
            "--round" => round = value().parse().unwrap_or_else(|_| fail("bad --round")),
            "-h" | "--help" => {
                println!("{USAGE}");
                return;
            }
            other => fail(&format!("unknown argument {other}")),
        }
    }
    let Some(out) = out else {
        fail("--out is required")
    };
    let started = Instant::now();
    match generate(&out, reports, seed, threads, change.map(|p| (p, round))) {
        Ok(w) => {
            let secs = started.elapsed().as_secs_f64();
            println!(
                "wrote {} files, {:.1} MB to {} in {:.2} s ({:.0} MB/s)",
                w.files,
                w.bytes as f64 / 1e6,
                out.display(),
                secs,
                w.bytes as f64 / 1e6 / secs.max(1e-9)
            );
        }
        Err(e) => {
            eprintln!("gen_corpus: {}: {e}", out.display());
            std::process::exit(1);
        }
    }
}
