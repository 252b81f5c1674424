//! Filters as people type them (issue 15.7, 15.8, 16.8): year forms, GB/T
//! 2260 codes, unknown or ambiguous places and empty values as usage
//! errors, administrative level and department type as filters and facets.

mod common;

use std::collections::BTreeSet;

use common::{Fixture, stderr, stdout};
use serde_json::Value;

/// Section ids of `search 法治` with `filters` (empty on exit 1).
fn ids(f: &Fixture, filters: &[&str]) -> BTreeSet<String> {
    let mut args = vec!["法治", "-n", "0"];
    args.extend_from_slice(filters);
    f.search_json(&args)
        .iter()
        .map(|h| h["section_id"].as_str().unwrap().to_string())
        .collect()
}

/// The hits of `search 法治` with `filters`.
fn hits(f: &Fixture, filters: &[&str]) -> Vec<Value> {
    let mut args = vec!["法治", "-n", "0"];
    args.extend_from_slice(filters);
    f.search_json(&args)
}

#[test]
fn year_forms_select_the_same_sections() {
    let f = Fixture::indexed();
    let all = ids(&f, &[]);
    let y2021 = ids(&f, &["--year", "2021"]);
    assert!(!y2021.is_empty() && y2021.len() < all.len());
    for form in ["2021年", "2021年度", "２０２１", "2021..2021", "2021-2021"] {
        assert_eq!(ids(&f, &["--year", form]), y2021, "--year {form}");
    }
    let range = ids(&f, &["--year", "2020..2021"]);
    assert!(range.len() > y2021.len());
    for form in [
        "2020-2021",
        "2020年-2021年",
        "2020—2021",
        "2020~2021",
        "2020至2021",
    ] {
        assert_eq!(ids(&f, &["--year", form]), range, "--year {form}");
    }
    for h in hits(&f, &["--year", "2021-2023"]) {
        let y = h["report_year"].as_u64().unwrap();
        assert!((2021..=2023).contains(&y), "{h}");
    }
    assert_eq!(ids(&f, &["--year=2021-"]), ids(&f, &["--year", "2021.."]));
    for bad in ["2023-2021", "21", "2021年年", "abc", "-"] {
        let out = f.run(&["search", "法治", "--year", bad]);
        assert_eq!(out.status.code(), Some(2), "--year {bad}");
        assert!(stderr(&out).contains("bad year range"), "{}", stderr(&out));
    }
}

#[test]
fn six_digit_codes_select_like_names() {
    let f = Fixture::indexed();
    let zhejiang = ids(&f, &["--province", "浙江"]);
    assert!(!zhejiang.is_empty());
    for form in ["浙江省", "33", "330000", "３３００００"] {
        assert_eq!(
            ids(&f, &["--province", form]),
            zhejiang,
            "--province {form}"
        );
    }
    let qingyang = ids(&f, &["--city", "庆阳"]);
    assert!(!qingyang.is_empty());
    for form in ["庆阳市", "6210", "621000"] {
        assert_eq!(ids(&f, &["--city", form]), qingyang, "--city {form}");
    }
    let ningxian = ids(&f, &["--county", "宁县"]);
    assert!(!ningxian.is_empty());
    assert_eq!(ids(&f, &["--county", "621026"]), ningxian);
    // A real place with no report: no hits (exit 1), not an error.
    let out = f.run(&["search", "法治", "--province", "110000"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn unknown_or_ambiguous_places_are_usage_errors_naming_candidates() {
    let f = Fixture::indexed();
    let cases: &[(&[&str], &[&str])] = &[
        (&["--province", "99"], &["99", "浙江省 (33)", "甘肃省 (62)"]),
        (
            &["--province", "江"],
            &["ambiguous", "江苏省", "江西省", "黑龙江省"],
        ),
        (&["--province", "火星"], &["火星"]),
        (&["--city", "9999"], &["9999"]),
        (&["--city", "330000"], &["--province"]),
        (&["--province", "621000"], &["--city"]),
        (&["--county", "12345"], &["GB/T 2260"]),
        (&["--city", "长"], &["ambiguous", "长春市", "长沙市"]),
    ];
    for (filter, names) in cases {
        let out = f.run(&[&["search", "法治"], *filter].concat());
        assert_eq!(out.status.code(), Some(2), "{filter:?}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(err.starts_with("fazhi: "), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        for name in *names {
            assert!(err.contains(name), "{filter:?}: {err}");
        }
    }
    // Every listing command refuses the same way; export leaves no file.
    let out_file = f.dir.path().join("x.csv");
    let out_arg = out_file.to_str().unwrap();
    for cmd in [
        vec!["search", "法治"],
        vec!["topic", "普法"],
        vec!["bureaus", "法治"],
        vec!["export", "法治", "-o", out_arg],
        vec!["topics"],
        vec!["matrix"],
    ] {
        let out = f.run(&[&cmd[..], &["--province", "江"]].concat());
        assert_eq!(out.status.code(), Some(2), "{cmd:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("江西省"), "{cmd:?}: {}", stderr(&out));
    }
    assert!(!out_file.exists());
}

#[test]
fn empty_filter_values_are_usage_errors() {
    let f = Fixture::indexed();
    for flag in [
        "--bureau",
        "--province",
        "--city",
        "--county",
        "--year",
        "--level",
        "--dept",
    ] {
        for value in ["", "  "] {
            let out = f.run(&["search", "法治", flag, value]);
            assert_eq!(out.status.code(), Some(2), "{flag} {value:?}");
            let err = stderr(&out);
            assert!(err.contains("empty value") && err.contains(flag), "{err}");
        }
    }
    let out = f.run(&["topic", "普法", "--county", ""]);
    assert_eq!(out.status.code(), Some(2));
}

/// Reports of several administrative levels and department types, written
/// for this test (bureau names in their titles).
fn levels_fixture() -> Fixture {
    let f = Fixture::new();
    for entry in std::fs::read_dir(f.corpus()).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    let reports = [
        ("nat", "中华人民共和国司法部", 2021),
        ("prov", "浙江省司法厅", 2021),
        ("city", "庆阳市人力资源和社会保障局", 2022),
        ("county", "宁县公安局", 2022),
        ("town", "宁县早胜镇人民政府", 2023),
        ("district", "杭州市西湖区教育局", 2020),
    ];
    for (file, bureau, year) in reports {
        let text = format!(
            "{bureau}{year}年法治政府建设工作报告\n\n今年以来，{bureau}认真贯彻落实法治政府建设各项部署，现将有关情况报告如下。\n\n\
             一、推进依法行政\n\n坚持依法决策，法律顾问参与合法性审查，普法宣传深入开展，法治宣传教育覆盖全体干部。\n\n\
             二、加强行政执法\n\n严格规范公正文明执法，落实行政执法公示制度和重大执法决定法制审核制度。\n\n{bureau}\n{}年1月10日\n",
            year + 1
        );
        std::fs::write(f.corpus().join(format!("{file}.txt")), text).unwrap();
    }
    f.cmd().args(["index", "--quiet"]).assert().success();
    f
}

/// Bureaus of the hits of `search 法治` with `filters`.
fn bureaus(f: &Fixture, filters: &[&str]) -> BTreeSet<String> {
    hits(f, filters)
        .iter()
        .map(|h| h["bureau"].as_str().unwrap().to_string())
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[test]
fn level_and_department_filter_every_command() {
    let f = levels_fixture();
    let expected = [
        ("national", set(&["中华人民共和国司法部"])),
        ("province", set(&["浙江省司法厅"])),
        ("city", set(&["庆阳市人力资源和社会保障局"])),
        ("county", set(&["宁县公安局", "西湖区教育局"])),
        ("township", set(&["早胜镇人民政府"])),
    ];
    for (level, want) in &expected {
        assert_eq!(&bureaus(&f, &["--level", level]), want, "--level {level}");
    }
    assert_eq!(bureaus(&f, &["--level", "省级"]), expected[1].1);
    assert_eq!(bureaus(&f, &["--level", "县"]), expected[3].1);
    let justice = set(&["中华人民共和国司法部", "浙江省司法厅"]);
    assert_eq!(bureaus(&f, &["--dept", "司法"]), justice);
    let hr = set(&["庆阳市人力资源和社会保障局"]);
    for alias in ["人社局", "人社", "人力资源和社会保障局"] {
        assert_eq!(bureaus(&f, &["--dept", alias]), hr, "--dept {alias}");
    }
    assert_eq!(
        bureaus(&f, &["--dept", "司法", "--level", "province"]),
        set(&["浙江省司法厅"])
    );
    // A known department type without reports: no hits; an unknown one: usage error.
    assert_eq!(
        f.run(&["search", "法治", "--dept", "税务"]).status.code(),
        Some(1)
    );
    let out = f.run(&["search", "法治", "--dept", "火星局"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("火星局"), "{}", stderr(&out));
    let out = f.run(&["search", "法治", "--level", "galaxy"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("national"), "{}", stderr(&out));

    // The other commands select the same reports.
    let out = f.run(&["bureaus", "法治", "--level", "county", "-f", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let names: BTreeSet<String> = rows
        .iter()
        .map(|r| r["bureau"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, expected[3].1);
    let out = f.run(&["topic", "普法", "-n", "0", "--dept", "司法", "-f", "jsonl"]);
    assert!(out.status.success(), "{}", stderr(&out));
    for line in stdout(&out).lines() {
        let h: Value = serde_json::from_str(line).unwrap();
        assert!(justice.contains(h["bureau"].as_str().unwrap()), "{h}");
    }
    let file = f.dir.path().join("city.jsonl");
    let out = f
        .cmd()
        .args(["export", "--all", "--level", "city", "-o"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = common::jsonl(&file);
    assert!(rows.len() >= hits(&f, &["--level", "city"]).len());
    for row in &rows {
        assert!(
            expected[2].1.contains(row["bureau"].as_str().unwrap()),
            "{row}"
        );
    }
    let out = f.run(&["topics", "--level", "township", "-f", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn stats_counts_reports_per_level_and_department() {
    let f = levels_fixture();
    let out = f.run(&["stats", "-f", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let stats: Value = serde_json::from_slice(&out.stdout).unwrap();
    let level = &stats["by_level"];
    for (name, n) in [
        ("national", 1),
        ("province", 1),
        ("city", 1),
        ("county", 2),
        ("township", 1),
    ] {
        assert_eq!(level[name], n, "{level}");
    }
    let dept = &stats["by_dept"];
    assert_eq!(dept["司法部"], 1, "{dept}");
    assert_eq!(dept["司法厅"], 1, "{dept}");
    assert_eq!(dept["人力资源和社会保障局"], 1, "{dept}");
    assert_eq!(dept["教育局"], 1, "{dept}");
    let total: u64 = dept
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(total, stats["reports"].as_u64().unwrap());
    // The table names them too.
    let table = stdout(&f.run(&["stats"]));
    assert!(
        table.contains("各层级报告  国家 1, 省 1, 市 1, 县 2, 乡镇 1"),
        "{table}"
    );
    assert!(table.contains("司法厅 1"), "{table}");
}
