//! `fazhi trend`, `fazhi adoption` (and `--panel`) and `fazhi kwic` on a
//! generated corpus whose truth the test knows: which bureau reports in
//! which year (under which spelling of its name), and how often each
//! report mentions each practice. Every count the commands print is
//! compared with the count computed here from that table.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

/// A body: its official name and where it sits.
struct Body {
    name: &'static str,
    province: &'static str,
    city: &'static str,
    county: &'static str,
}

const BODIES: [Body; 6] = [
    Body {
        name: "庆阳市人力资源和社会保障局",
        province: "甘肃省",
        city: "庆阳市",
        county: "",
    },
    Body {
        name: "宁县教育局",
        province: "甘肃省",
        city: "庆阳市",
        county: "宁县",
    },
    Body {
        name: "杭州市司法局",
        province: "浙江省",
        city: "杭州市",
        county: "",
    },
    Body {
        name: "龙泉市教育局",
        province: "浙江省",
        city: "丽水市",
        county: "龙泉市",
    },
    Body {
        name: "南京市公安局",
        province: "江苏省",
        city: "南京市",
        county: "",
    },
    Body {
        name: "苏州市人民政府",
        province: "江苏省",
        city: "苏州市",
        county: "",
    },
];

const PRACTICES: [&str; 2] = ["府院联动", "首违不罚"];

/// One report: its body, year, the name as written, and how many times
/// it mentions each practice.
struct Report {
    body: usize,
    year: u16,
    written: &'static str,
    mentions: [usize; 2],
    /// Extra lines (for the concordance tests).
    extra: &'static [&'static str],
}

/// The corpus. Body 0 reports in 2020 and 2022 but not 2021, under two
/// spellings; body 2 has two reports in 2021.
fn reports() -> Vec<Report> {
    let r = |body, year, written, mentions| Report {
        body,
        year,
        written,
        mentions,
        extra: &[],
    };
    vec![
        r(0, 2020, "庆阳市人社局", [2, 0]),
        r(0, 2022, "庆阳市人力资源和社会保障局", [1, 1]),
        r(1, 2020, "宁县教育局", [0, 0]),
        r(1, 2021, "宁县教育局", [0, 3]),
        r(1, 2022, "宁县教育局", [0, 1]),
        r(2, 2019, "杭州市司法局", [1, 0]),
        r(2, 2020, "杭州市司法局", [0, 0]),
        r(2, 2021, "杭州市司法局", [1, 0]),
        r(2, 2021, "杭州市司法局", [0, 0]),
        r(2, 2022, "杭州市司法局", [2, 1]),
        r(3, 2021, "龙泉市教育局", [0, 0]),
        r(3, 2022, "龙泉市教育局", [0, 2]),
        Report {
            extra: &[
                "推行ＡＢＣ審查機制，每月通报一次。",
                "全年开展A B C培训3次。",
            ],
            ..r(4, 2020, "南京市公安局", [0, 0])
        },
        r(4, 2021, "南京市公安局", [1, 0]),
        r(5, 2022, "苏州市人民政府", [0, 1]),
    ]
}

/// The text of report `i`: a title, two sections, the practice sentences.
fn report_text(i: usize, r: &Report) -> String {
    let mut body = String::new();
    for (p, &n) in PRACTICES.iter().zip(&r.mentions) {
        for k in 0..n {
            body.push_str(&format!("第{}项工作中，我们推进{p}机制建设。\n", k + 1));
        }
    }
    for line in r.extra {
        body.push_str(line);
        body.push('\n');
    }
    format!(
        "{written}{year}年法治政府建设年度报告\n一、主要工作\n本年度共办理事项{i}件，依法行政水平持续提升。\n{body}二、下一步打算\n继续完善制度，提高依法决策水平。\n",
        written = r.written,
        year = r.year
    )
}

struct Corpus {
    dir: tempfile::TempDir,
}

impl Corpus {
    /// Write the reports and a metadata file naming bureau, year and place,
    /// and index them.
    fn build() -> Corpus {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir(&corpus).unwrap();
        let mut meta = String::from("path,bureau,report_year,province,city,county\n");
        for (i, r) in reports().iter().enumerate() {
            let name = format!("r{i:02}.txt");
            std::fs::write(corpus.join(&name), report_text(i, r)).unwrap();
            let b = &BODIES[r.body];
            meta.push_str(&format!(
                "{name},{},{},{},{},{}\n",
                r.written, r.year, b.province, b.city, b.county
            ));
        }
        std::fs::write(corpus.join("metadata.csv"), meta).unwrap();
        let c = Corpus { dir };
        let out = c.run(&["index", "--quiet"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        c
    }

    fn corpus(&self) -> PathBuf {
        self.dir.path().join("corpus")
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::cargo_bin("fazhi")
            .unwrap()
            .current_dir(self.dir.path())
            .env_remove("FAZHI_INDEX")
            .env_remove("FAZHI_CORPUS")
            .env_remove("FAZHI_METADATA")
            .env("NO_COLOR", "1")
            .args(args)
            .output()
            .unwrap()
    }

    /// Run and parse JSON output (exit 0 expected).
    fn json(&self, args: &[&str]) -> Vec<Value> {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap()
    }
}

/// Shared across tests: indexing is the slow part.
fn corpus() -> &'static Corpus {
    static CORPUS: std::sync::OnceLock<Corpus> = std::sync::OnceLock::new();
    CORPUS.get_or_init(Corpus::build)
}

/// A trend row as the truth computes it.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Clone)]
struct Row {
    query: String,
    year: Option<u64>,
    province: Option<String>,
    reports: u64,
    reports_matching: u64,
    bureaus: u64,
    bureaus_matching: u64,
    new_bureaus: Option<u64>,
}

/// The truth of `trend` for `practice` over the reports `keep` accepts.
fn truth_trend(
    practice: usize,
    keep: impl Fn(&Report) -> bool,
    by_year: bool,
    by_province: bool,
) -> Vec<Row> {
    let all = reports();
    let kept: Vec<&Report> = all.iter().filter(|r| keep(r)).collect();
    let first_year = |body: usize| {
        kept.iter()
            .filter(|r| r.body == body && r.mentions[practice] > 0)
            .map(|r| r.year)
            .min()
    };
    let mut groups: BTreeMap<(Option<u64>, Option<String>), Vec<&Report>> = BTreeMap::new();
    for r in &kept {
        let key = (
            by_year.then_some(u64::from(r.year)),
            by_province.then(|| BODIES[r.body].province.to_string()),
        );
        groups.entry(key).or_default().push(r);
    }
    groups
        .into_iter()
        .map(|((year, province), rs)| {
            let matching: Vec<&&Report> = rs.iter().filter(|r| r.mentions[practice] > 0).collect();
            let bodies: BTreeSet<usize> = rs.iter().map(|r| r.body).collect();
            let bodies_matching: BTreeSet<usize> = matching.iter().map(|r| r.body).collect();
            Row {
                query: PRACTICES[practice].to_string(),
                year,
                province,
                reports: rs.len() as u64,
                reports_matching: matching.len() as u64,
                bureaus: bodies.len() as u64,
                bureaus_matching: bodies_matching.len() as u64,
                new_bureaus: year.map(|y| {
                    bodies_matching
                        .iter()
                        .filter(|&&b| first_year(b).map(u64::from) == Some(y))
                        .count() as u64
                }),
            }
        })
        .collect()
}

/// `trend -f json` rows as [`Row`]s (share checked on the way).
fn rows(values: &[Value]) -> Vec<Row> {
    values
        .iter()
        .map(|v| {
            let n = |k: &str| v[k].as_u64().unwrap_or_else(|| panic!("{k} in {v}"));
            let share = v["share"].as_f64().unwrap();
            let want = n("reports_matching") as f64 / n("reports") as f64;
            assert!((share - want).abs() < 1e-9, "{v}");
            Row {
                query: v["query"].as_str().unwrap().to_string(),
                year: v.get("year").map(|y| y.as_u64().unwrap()),
                province: v.get("province").map(|p| p.as_str().unwrap().to_string()),
                reports: n("reports"),
                reports_matching: n("reports_matching"),
                bureaus: n("bureaus"),
                bureaus_matching: n("bureaus_matching"),
                new_bureaus: v.get("new_bureaus").map(|x| x.as_u64().unwrap()),
            }
        })
        .collect()
}

#[test]
fn trend_by_year_equals_the_truth_for_each_query() {
    let c = corpus();
    let got = rows(&c.json(&["trend", "府院联动", "首违不罚", "-f", "json"]));
    let mut want = truth_trend(0, |_| true, true, false);
    want.extend(truth_trend(1, |_| true, true, false));
    assert_eq!(got, want);
}

#[test]
fn trend_by_province_and_by_year_and_province() {
    let c = corpus();
    for (practice, &q) in PRACTICES.iter().enumerate() {
        let got = rows(&c.json(&["trend", q, "--by", "province", "-f", "json"]));
        assert_eq!(got, truth_trend(practice, |_| true, false, true), "{q}");
        let got = rows(&c.json(&["trend", q, "--by", "year,province", "-f", "json"]));
        assert_eq!(got, truth_trend(practice, |_| true, true, true), "{q}");
    }
}

#[test]
fn trend_with_filters_counts_only_the_filtered_reports() {
    let c = corpus();
    let got = rows(&c.json(&[
        "trend",
        "府院联动",
        "--province",
        "浙江",
        "--by",
        "year",
        "-f",
        "json",
    ]));
    let zhejiang = |r: &Report| BODIES[r.body].province == "浙江省";
    assert_eq!(got, truth_trend(0, zhejiang, true, false));
    // A year window: first mentions are counted inside it.
    let got = rows(&c.json(&[
        "trend",
        "首违不罚",
        "--year",
        "2022",
        "--by",
        "province",
        "-f",
        "json",
    ]));
    assert_eq!(got, truth_trend(1, |r| r.year == 2022, false, true));
    let got = rows(&c.json(&["trend", "府院联动", "--year", "2021..2022", "-f", "json"]));
    assert_eq!(got, truth_trend(0, |r| r.year >= 2021, true, false));
}

#[test]
fn trend_csv_and_table() {
    let c = corpus();
    let out = c.run(&["trend", "府院联动", "--by", "year", "-f", "csv"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "query,year,reports,reports_matching,share,bureaus,bureaus_matching,new_bureaus"
    );
    let truth = truth_trend(0, |_| true, true, false);
    for (line, row) in lines.zip(&truth) {
        let share = row.reports_matching as f64 / row.reports as f64;
        assert_eq!(
            line,
            format!(
                "府院联动,{},{},{},{:.4},{},{},{}",
                row.year.unwrap(),
                row.reports,
                row.reports_matching,
                share,
                row.bureaus,
                row.bureaus_matching,
                row.new_bureaus.unwrap()
            )
        );
    }
    let out = c.run(&["trend", "府院联动"]);
    let table = String::from_utf8(out.stdout).unwrap();
    for year in 2019..=2022 {
        assert!(table.contains(&year.to_string()), "{table}");
    }
    assert!(table.contains('█'), "{table}");
    // Nothing matches: exit 1.
    assert_eq!(c.run(&["trend", "不存在的做法"]).status.code(), Some(1));
    assert_eq!(c.run(&["trend", "\"未闭合"]).status.code(), Some(2));
}

/// Index of the body whose official name is `name`.
fn body_named(name: &str) -> usize {
    BODIES
        .iter()
        .position(|b| b.name == name)
        .unwrap_or_else(|| panic!("unknown bureau {name}"))
}

#[test]
fn adoption_first_years_equal_the_truth() {
    let c = corpus();
    let all = reports();
    for (practice, q) in PRACTICES.iter().enumerate() {
        let got = c.json(&["adoption", q, "-f", "json"]);
        // One row per body: its spellings and years are one bureau.
        assert_eq!(got.len(), BODIES.len(), "{got:#?}");
        let mut last_first: Option<u64> = Some(0);
        for row in &got {
            let b = body_named(row["bureau"].as_str().unwrap());
            let theirs: Vec<&Report> = all.iter().filter(|r| r.body == b).collect();
            let years = |f: &dyn Fn(&Report) -> bool| -> Vec<u64> {
                let set: BTreeSet<u64> = theirs
                    .iter()
                    .filter(|r| f(r))
                    .map(|r| u64::from(r.year))
                    .collect();
                set.into_iter().collect()
            };
            let mentioning = years(&|r| r.mentions[practice] > 0);
            let first = mentioning.first().copied();
            assert_eq!(row["first_year"].as_u64(), first, "{q}: {row}");
            let as_vec = |k: &str| -> Vec<u64> {
                row[k]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|y| y.as_u64().unwrap())
                    .collect()
            };
            assert_eq!(as_vec("years_reported"), years(&|_| true), "{row}");
            assert_eq!(as_vec("years_mentioning"), mentioning, "{row}");
            assert_eq!(row["province"], BODIES[b].province);
            // Adopters first, by first year; then the others.
            match (last_first, first) {
                (Some(prev), Some(y)) => assert!(prev <= y, "order: {got:#?}"),
                (None, Some(_)) => panic!("an adopter after a non-adopter: {got:#?}"),
                _ => {}
            }
            last_first = first;
        }
    }
    // A filter narrows the bureaus.
    let got = c.json(&["adoption", "府院联动", "--province", "江苏", "-f", "json"]);
    let names: BTreeSet<&str> = got.iter().map(|r| r["bureau"].as_str().unwrap()).collect();
    assert_eq!(names, BTreeSet::from(["南京市公安局", "苏州市人民政府"]));
}

#[test]
fn panel_equals_the_truth() {
    let c = corpus();
    let all = reports();
    let (first, last) = (2019u16, 2022u16);
    for (practice, q) in PRACTICES.iter().enumerate() {
        let got = c.json(&["adoption", q, "--panel", "-f", "json"]);
        assert_eq!(got.len(), BODIES.len() * usize::from(last - first + 1));
        for row in &got {
            let b = body_named(row["bureau"].as_str().unwrap());
            let year = row["year"].as_u64().unwrap() as u16;
            let that_year: Vec<&Report> = all
                .iter()
                .filter(|r| r.body == b && r.year == year)
                .collect();
            let mentions: usize = that_year.iter().map(|r| r.mentions[practice]).sum();
            let adopted = all
                .iter()
                .any(|r| r.body == b && r.year <= year && r.mentions[practice] > 0);
            assert_eq!(row["reported"], !that_year.is_empty(), "{q}: {row}");
            assert_eq!(row["mentions"], mentions, "{q}: {row}");
            assert_eq!(row["adopted"], adopted, "{q}: {row}");
            assert_eq!(row["province"], BODIES[b].province);
        }
    }
    // The body reporting in 2020 and 2022, not in 2021.
    let got = c.json(&["adoption", "府院联动", "--panel", "-f", "json"]);
    let reported = |year: u64| {
        got.iter()
            .find(|r| r["bureau"] == "庆阳市人力资源和社会保障局" && r["year"] == year)
            .unwrap()["reported"]
            .clone()
    };
    assert_eq!(
        [reported(2020), reported(2021), reported(2022)],
        [true, false, true]
    );
    // CSV: the documented columns, 1/0 flags, the gap year.
    let out = c.run(&["adoption", "府院联动", "--panel", "-f", "csv"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("bureau,province,city,county,year,reported,mentions,adopted,bureau_key\n")
    );
    let gap = text
        .lines()
        .find(|l| l.starts_with("庆阳市人力资源和社会保障局,") && l.contains(",2021,"))
        .unwrap();
    assert!(gap.contains(",2021,0,0,1,"), "{gap}");
    // Filtered by year: the panel spans the filtered years only.
    let got = c.json(&[
        "adoption",
        "府院联动",
        "--panel",
        "--year",
        "2021..2022",
        "-f",
        "json",
    ]);
    let years: BTreeSet<u64> = got.iter().map(|r| r["year"].as_u64().unwrap()).collect();
    assert_eq!(years, BTreeSet::from([2021, 2022]));
}

/// `text` with line breaks shown as spaces (as concordance lines show them).
fn flat(text: &str) -> String {
    text.replace(['\n', '\r', '\t'], " ")
}

#[test]
fn kwic_lines_reproduce_the_original_text() {
    let c = corpus();
    let files: BTreeMap<String, String> = std::fs::read_dir(c.corpus())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| (name_of(&p), std::fs::read_to_string(&p).unwrap()))
        .collect();
    let check = |query: &str, want_matches: &[&str], width: usize| {
        let w = width.to_string();
        let got = c.json(&["kwic", query, "--width", &w, "-n", "0", "-f", "json"]);
        let mut matched: Vec<String> = got
            .iter()
            .map(|l| l["matched"].as_str().unwrap().to_string())
            .collect();
        matched.sort();
        let mut want: Vec<String> = want_matches.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(matched, want, "{query}");
        for l in &got {
            let s = |k: &str| l[k].as_str().unwrap();
            let text = &files[&name_of(Path::new(s("path")))];
            let line = format!("{}{}{}", s("left"), s("matched"), s("right"));
            assert!(flat(text).contains(&line), "{line:?} not in the file");
            let n = l["line"].as_u64().unwrap() as usize;
            assert!(
                text.lines().nth(n - 1).unwrap().contains(s("matched")),
                "line {n}: {l}"
            );
            // Contexts fill the width unless the section ends.
            let cols =
                |t: &str| -> usize { t.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum() };
            assert!(cols(s("left")) <= width && cols(s("right")) <= width, "{l}");
        }
        got
    };
    // Full width and half width with spaces, one query.
    let got = check("abc", &["ＡＢＣ", "A B C"], 20);
    assert!(
        got.iter()
            .any(|l| l["left"].as_str().unwrap().ends_with("推行")
                && l["right"].as_str().unwrap().starts_with("審查機制"))
    );
    // Traditional script as written.
    check("審查機制", &["審查機制"], 10);
    let every: usize = reports().iter().map(|r| r.mentions[0]).sum();
    let got = check("府院联动", &vec!["府院联动"; every], 16);
    // Each line's source is a report of the truth.
    for l in &got {
        assert!(l["bureau"].is_string() && l["year"].is_u64(), "{l}");
    }
}

fn name_of(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn kwic_table_aligns_the_match_and_sorts() {
    let c = corpus();
    let out = c.run(&["kwic", "首违不罚", "--width", "12"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let cols = |t: &str| -> usize { t.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum() };
    let starts: BTreeSet<usize> = text
        .lines()
        .map(|l| cols(&l[..l.find('【').unwrap()]))
        .collect();
    assert_eq!(starts.len(), 1, "match column not aligned:\n{text}");
    let total: usize = reports().iter().map(|r| r.mentions[1]).sum();
    assert_eq!(text.lines().count(), total);
    // Sorted by year: non-decreasing.
    let got = c.json(&["kwic", "首违不罚", "--sort", "year", "-f", "json"]);
    let years: Vec<u64> = got.iter().map(|l| l["year"].as_u64().unwrap()).collect();
    assert!(years.windows(2).all(|w| w[0] <= w[1]), "{years:?}");
    // A limit.
    let out = c.run(&["kwic", "首违不罚", "-n", "2", "-f", "csv"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text.starts_with("left,matched,right,bureau,province,year,path,line"));
    assert_eq!(c.run(&["kwic", "不存在的做法"]).status.code(), Some(1));
}

/// Parse `text` as XML to the end: `Err` on the first well-formedness error.
fn well_formed(text: &str) -> Result<(), String> {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut depth = 0i64;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(_)) => depth += 1,
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(format!("at {}: {e}", reader.buffer_position())),
        }
    }
    if depth == 0 {
        Ok(())
    } else {
        Err(format!("{depth} elements left open"))
    }
}

/// The `data-series` names of a chart, in order.
fn series_names(text: &str) -> Vec<String> {
    text.split("data-series=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

#[test]
fn svg_and_html_charts_hold_every_series_and_year() {
    let c = corpus();
    let dir = tempfile::tempdir().unwrap();
    // Lines by year, one series per query.
    let svg = dir.path().join("t.svg");
    let out = c.run(&["trend", "府院联动", "首违不罚", "-o", svg.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&svg).unwrap();
    well_formed(&text).unwrap();
    assert!(text.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert_eq!(series_names(&text), ["府院联动", "首违不罚"]);
    for year in 2019..=2022 {
        assert!(text.contains(&format!(">{year}</text>")), "{year}");
    }
    assert_eq!(text.matches("<polyline").count(), 2);
    // Four points a line, each with its numbers.
    assert_eq!(text.matches("<circle").count(), 8);
    assert!(text.contains("年份") && text.contains("提及"));
    // An existing file is kept unless --force.
    let again = c.run(&["trend", "府院联动", "-o", svg.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    // Bars by province: a bar per province and query.
    let out = c.run(&[
        "trend",
        "府院联动",
        "首违不罚",
        "--by",
        "province",
        "-f",
        "svg",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    well_formed(&text).unwrap();
    assert_eq!(series_names(&text), ["府院联动", "首违不罚"]);
    for p in ["甘肃省", "浙江省", "江苏省"] {
        assert!(text.contains(&format!(">{p}</text>")), "{p}");
    }
    assert_eq!(
        text.matches("<rect x=").count(),
        2 * 3 + 2,
        "bars and legend keys"
    );
    // HTML: the chart and every row in a table.
    let out = c.run(&["trend", "府院联动", "--by", "year,province", "-f", "html"]);
    let text = String::from_utf8(out.stdout).unwrap();
    well_formed(text.trim_start_matches("<!DOCTYPE html>\n")).unwrap();
    let truth = truth_trend(0, |_| true, true, true);
    let provinces: BTreeSet<&str> = truth
        .iter()
        .map(|r| r.province.as_deref().unwrap())
        .collect();
    assert_eq!(
        series_names(&text).into_iter().collect::<BTreeSet<_>>(),
        provinces.iter().map(|p| p.to_string()).collect()
    );
    assert_eq!(text.matches("<tr><td>").count(), truth.len());
    assert!(!text.contains("http://") || !text.contains("<script src"));
}

/// The HTML chart in headless Chromium: the browser lays out every series
/// (the page's script records how many have a size on `data-drawn`).
#[test]
fn html_chart_is_drawn_in_headless_chromium() {
    let browser = ["chromium", "chromium-browser"].into_iter().find(|b| {
        std::process::Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let Some(browser) = browser else {
        if std::env::var_os("CI").is_some() {
            panic!("chromium is missing (CI is set): install it (see .ci/run)");
        }
        eprintln!("skipped: chromium not found (set CI to make this a failure)");
        return;
    };
    let c = corpus();
    let dir = tempfile::tempdir().unwrap();
    for (by, want) in [("year", 2), ("province", 2)] {
        let page = dir.path().join(format!("{by}.html"));
        let out = c.run(&[
            "trend",
            "府院联动",
            "首违不罚",
            "--by",
            by,
            "-o",
            page.to_str().unwrap(),
        ]);
        assert!(out.status.success());
        let out = std::process::Command::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--dump-dom",
                &format!("file://{}", page.display()),
            ])
            .output()
            .unwrap();
        let dom = String::from_utf8_lossy(&out.stdout);
        assert!(
            dom.contains(&format!("data-drawn=\"{want}\"")),
            "{by}: {}\n{dom}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// An index built in two runs (the second adds half the reports and
/// changes one: several segments, deleted sections) answers as one built
/// at once.
#[test]
fn an_incrementally_built_index_gives_the_same_rows() {
    let whole = corpus();
    let dir = tempfile::tempdir().unwrap();
    let corpus_dir = dir.path().join("corpus");
    std::fs::create_dir(&corpus_dir).unwrap();
    let files: Vec<PathBuf> = {
        let mut f: Vec<PathBuf> = std::fs::read_dir(whole.corpus())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        f.sort();
        f
    };
    let copy = |p: &Path| std::fs::copy(p, corpus_dir.join(p.file_name().unwrap())).unwrap();
    // First run: the metadata file and every other report, one of them
    // with a changed text the second run restores.
    for (i, p) in files.iter().enumerate() {
        if p.extension().is_some_and(|e| e == "csv") || i % 2 == 0 {
            copy(p);
        }
    }
    let changed = corpus_dir.join("r00.txt");
    std::fs::write(
        &changed,
        "庆阳市人社局2020年法治政府建设年度报告\n一、其他\n无关内容。\n",
    )
    .unwrap();
    let part = Corpus { dir };
    let run = |c: &Corpus, args: &[&str]| {
        let out = c.run(args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&part, &["index", "--quiet"]);
    for p in &files {
        copy(p);
    }
    run(&part, &["index", "--quiet"]);
    for args in [
        &[
            "trend",
            "府院联动",
            "首违不罚",
            "--by",
            "year,province",
            "-f",
            "json",
        ][..],
        &["trend", "府院联动", "--by", "bureau", "-f", "json"],
        &["adoption", "首违不罚", "--panel", "-f", "json"],
        &["adoption", "府院联动", "-f", "json"],
    ] {
        assert_eq!(part.json(args), whole.json(args), "{args:?}");
    }
}
