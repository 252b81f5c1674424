//! The query language on a small corpus written for it: `NEAR/n` (in and
//! out of range, either order, with OR and exclusions, never across runs),
//! titles searched on the section they stand over, parentheses, full-width
//! separators, operators, the bounds of a query, and `search --help`.

mod common;

use std::collections::BTreeSet;

use common::{Fixture, file_name};

const COUNTY: &str = "\
某县司法局关于2021年度法治政府建设情况的报告

县委依法治县委员会办公室：

2021年，我局坚持以法治思想为指导，全面推进依法行政。

一、聘请法律顾问
我局聘请法律顾问，参与重大决策的合法性审查，全年审查文件三十件。

二、公职律师工作
公职律师参与行政复议应诉工作，共办理案件十二件。

三、落实普法责任
落实谁执法谁普法责任制，开展宪法宣传周活动。

某县司法局
2022年1月10日
";

const CITY: &str = "\
某市教育局2021年度法治政府建设工作报告

一、健全审查制度
合法性审查制度进一步健全，由法规科负责，法律顾问列席会议并提出意见。

二、加强队伍建设
加强执法队伍建设，组织执法人员培训。
";

const DISTRICT: &str = "\
某区人民政府关于2021年度法治政府建设工作的报告

一、法律顾问
合法性审查全覆盖，重大行政决策均经审查。

二、行政复议
办理行政复议案件二十件。
";

/// The three reports above, indexed.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    for (name, text) in [
        ("county.txt", COUNTY),
        ("city.txt", CITY),
        ("district.txt", DISTRICT),
    ] {
        std::fs::write(corpus.join(name), text).unwrap();
    }
    let fx = Fixture { dir };
    fx.cmd().args(["index", "--quiet"]).assert().success();
    fx
}

/// (file, heading) of every hit.
fn found(fx: &Fixture, query: &str) -> BTreeSet<(String, String)> {
    fx.search_json(&["--limit", "0", "--", query])
        .iter()
        .map(|h| {
            (
                file_name(h["path"].as_str().unwrap()),
                h["heading"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn set(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items
        .iter()
        .map(|(f, h)| (f.to_string(), h.to_string()))
        .collect()
}

const COUNTY_ADVISERS: (&str, &str) = ("county.txt", "一、聘请法律顾问");
const COUNTY_LAWYERS: (&str, &str) = ("county.txt", "二、公职律师工作");
const CITY_REVIEW: (&str, &str) = ("city.txt", "一、健全审查制度");
const DISTRICT_ADVISERS: (&str, &str) = ("district.txt", "一、法律顾问");

#[test]
fn near_in_and_out_of_range_either_order() {
    let fx = fixture();
    // County: 参与重大决策的 (7 characters) between the two; city: 13.
    assert_eq!(
        found(&fx, "法律顾问 NEAR/7 合法性审查"),
        set(&[COUNTY_ADVISERS])
    );
    assert_eq!(
        found(&fx, "合法性审查 NEAR/7 法律顾问"),
        set(&[COUNTY_ADVISERS])
    );
    assert!(found(&fx, "法律顾问 NEAR/6 合法性审查").is_empty());
    assert_eq!(
        found(&fx, "合法性审查 NEAR/13 法律顾问"),
        set(&[COUNTY_ADVISERS, CITY_REVIEW])
    );
    assert_eq!(
        found(&fx, "合法性审查 ＮＥＡＲ／１３ 法律顾问"),
        set(&[COUNTY_ADVISERS, CITY_REVIEW])
    );
    // The district has 法律顾问 as a heading and 合法性审查 opening its
    // body: two runs, never near.
    assert!(!found(&fx, "法律顾问 NEAR/1000 合法性审查").contains(&(
        DISTRICT_ADVISERS.0.to_string(),
        DISTRICT_ADVISERS.1.to_string()
    )));
    assert_eq!(
        found(&fx, "法律顾问 合法性审查"),
        set(&[COUNTY_ADVISERS, CITY_REVIEW, DISTRICT_ADVISERS])
    );
}

#[test]
fn near_with_or_and_exclusions() {
    let fx = fixture();
    assert_eq!(
        found(&fx, "法律顾问 NEAR/7 合法性审查 OR 公职律师"),
        set(&[COUNTY_ADVISERS, COUNTY_LAWYERS])
    );
    assert_eq!(
        found(&fx, "法律顾问 NEAR/13 合法性审查 -法规科"),
        set(&[COUNTY_ADVISERS])
    );
    assert_eq!(
        found(&fx, "合法性审查 -(法律顾问 NEAR/7 合法性审查)"),
        set(&[CITY_REVIEW, DISTRICT_ADVISERS])
    );
    // Every command counts the same sections.
    let q = "法律顾问 NEAR/13 合法性审查";
    let out = fx.run(&["bureaus", "--format", "json", "--", q]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let sections: u64 = rows.iter().map(|r| r["sections"].as_u64().unwrap()).sum();
    assert_eq!(sections, 2);
    let dest = fx.dir.path().join("near.jsonl");
    let out = fx.run(&[
        "export",
        "--format",
        "jsonl",
        "-o",
        dest.to_str().unwrap(),
        "--",
        q,
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(common::jsonl(&dest).len(), 2);
}

#[test]
fn titles_are_searched_on_the_section_they_stand_over() {
    let fx = fixture();
    let hits = fx.search_json(&["--limit", "0", "关于2021年度法治政府建设"]);
    let got: BTreeSet<(String, u64)> = hits
        .iter()
        .map(|h| {
            let id = h["section_id"].as_str().unwrap();
            (
                file_name(h["path"].as_str().unwrap()),
                id.rsplit_once('-').unwrap().1.parse().unwrap(),
            )
        })
        .collect();
    // The county's preamble (ordinal 0); the district has none, so its
    // first heading's section (ordinal 1).
    let want: BTreeSet<(String, u64)> = [
        ("county.txt".to_string(), 0),
        ("district.txt".to_string(), 1),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, want);
    for h in &hits {
        assert_eq!(
            h["matched"],
            serde_json::json!(["关于2021年度法治政府建设"])
        );
        let snippet = h["snippet"].as_str().unwrap();
        assert!(snippet.contains("关于2021年度法治政府建设"), "{snippet}");
        assert!(!h["highlights"].as_array().unwrap().is_empty());
    }
    // The title ranks like a heading: a title hit comes before a body hit.
    let hits = fx.search_json(&["--limit", "0", "司法局"]);
    assert_eq!(file_name(hits[0]["path"].as_str().unwrap()), "county.txt");
    // A string across the end of the title and the start of the text is not there.
    assert!(found(&fx, "\"情况的报告县委\"").is_empty());
    assert!(found(&fx, "报告一").is_empty());
    // Across a heading and its body either.
    assert!(found(&fx, "顾问我局").is_empty());
    assert!(found(&fx, "法律顾问合法性").is_empty());
    let out = fx.run(&["bureaus", "--format", "json", "--", "某市教育局2021年度"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
}

#[test]
fn groups_separators_and_operators() {
    let fx = fixture();
    let grouped = fx.search_json(&["--limit", "0", "(法律顾问 OR 公职律师) 合法性审查"]);
    let keys: BTreeSet<(String, String)> = grouped
        .iter()
        .map(|h| {
            (
                file_name(h["path"].as_str().unwrap()),
                h["heading"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        keys,
        set(&[COUNTY_ADVISERS, CITY_REVIEW, DISTRICT_ADVISERS])
    );
    for h in &grouped {
        // `matched` lists what really matched, without brackets.
        assert_eq!(
            h["matched"],
            serde_json::json!(["法律顾问", "合法性审查"]),
            "{h}"
        );
    }
    let and = found(&fx, "法律顾问 合法性审查");
    assert_eq!(found(&fx, "法律顾问，合法性审查"), and);
    assert_eq!(found(&fx, "法律顾问；合法性审查"), and);
    assert_eq!(found(&fx, "法律顾问 AND 合法性审查"), and);
    assert_eq!(
        found(&fx, "法律顾问 ＯＲ 公职律师"),
        found(&fx, "法律顾问 OR 公职律师")
    );
    assert_eq!(
        found(&fx, "合法性审查 NOT 法规科"),
        set(&[COUNTY_ADVISERS, DISTRICT_ADVISERS])
    );
    // 、 stays inside a term.
    assert_eq!(found(&fx, "行政复议、应诉"), set(&[COUNTY_LAWYERS]));
}

#[test]
fn query_bounds_are_usage_errors() {
    let fx = fixture();
    let many: Vec<String> = (0..65).map(|i| format!("词{i}")).collect();
    let long = "法".repeat(1001);
    let repeated = vec!["法"; 3200].join(" ");
    for q in [many.join(" "), long, repeated] {
        let out = fx.run(&["search", "--", &q]);
        assert_eq!(out.status.code(), Some(2), "{}", common::stderr(&out));
        let err = common::stderr(&out);
        assert!(err.starts_with("fazhi:"), "{err}");
        assert!(
            err.contains("too many terms") || err.contains("too long"),
            "{err}"
        );
    }
    // Repeated terms merge: 400 copies are one term.
    let repeated = vec!["法律顾问"; 150].join(" ");
    assert_eq!(found(&fx, &repeated), found(&fx, "法律顾问"));
    for bad in ["(法律顾问", "法律顾问 OR", "A NEAR/5 (B C)", "() 法律顾问"] {
        let out = fx.run(&["search", "--", bad]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{bad}: {}",
            common::stderr(&out)
        );
    }
}

#[test]
fn search_help_shows_the_query_language() {
    let fx = fixture();
    let out = fx.run(&["search", "--help"]);
    assert!(out.status.success());
    let help = common::stdout(&out);
    for needle in [
        "NEAR/10",
        "Precedence",
        "ＯＲ",
        "(法律顾问 OR 公职律师) 合法性审查",
        "，",
    ] {
        assert!(help.contains(needle), "{needle} missing from:\n{help}");
    }
}
