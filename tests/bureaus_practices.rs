//! `fazhi bureaus` against the hand-checked practices ground truth
//! (tests/data/practices-seeds.tsv), plus `--all`, `--synonyms`, filters,
//! output formats and exit codes — all through the real binary on an index
//! built from the bundled corpus in a temporary folder.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Output;

use fazhi::analysis::normalize;
use serde_json::Value;

mod common;

use common::{fazhi_in_repo as fazhi, shared_index as index};

fn root() -> PathBuf {
    common::repo()
}

fn bureaus(args: &[&str]) -> Output {
    fazhi()
        .args(["--corpus", "corpus", "--index"])
        .arg(index())
        .arg("bureaus")
        .args(args)
        .output()
        .expect("run fazhi bureaus")
}

fn bureaus_json(args: &[&str]) -> (i32, Vec<Value>) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let out = bureaus(&all);
    let code = out.status.code().expect("exit code");
    assert!(
        code == 0 || code == 1,
        "fazhi bureaus {args:?} failed ({code}): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "bad JSON from {args:?}: {e}\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (code, rows)
}

fn name(row: &Value) -> String {
    row["bureau"].as_str().unwrap_or("").to_string()
}

fn matching(rows: &[Value]) -> BTreeSet<String> {
    rows.iter()
        .filter(|r| r["sections"].as_u64().unwrap() > 0)
        .map(name)
        .collect()
}

fn practices() -> Vec<(String, String, BTreeSet<String>)> {
    let text = std::fs::read_to_string(root().join("tests/data/practices-seeds.tsv"))
        .expect("practices-seeds.tsv");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 3, "bad line: {l}");
            let want = cols[2].split(',').map(|s| s.trim().to_string()).collect();
            (cols[0].to_string(), cols[1].to_string(), want)
        })
        .collect()
}

#[test]
fn practices_ground_truth() {
    let practices = practices();
    assert_eq!(practices.len(), 20);
    let mut failures = Vec::new();
    for (practice, query, want) in &practices {
        let (code, rows) = bureaus_json(&[query]);
        assert_eq!(code, 0, "{practice}: exit code");
        let got = matching(&rows);
        if &got != want {
            failures.push(format!("{practice} ({query}): got {got:?}, want {want:?}"));
        }
        // Shape and consistency of every row.
        let atoms: Vec<String> = query
            .split(" OR ")
            .map(|a| a.trim().trim_matches('"').to_string())
            .collect();
        for r in &rows {
            let sections = r["sections"].as_u64().unwrap();
            let mentions = r["mentions"].as_u64().unwrap();
            assert!(sections > 0, "{practice}: non-matching row without --all");
            assert!(mentions >= sections, "{practice}: {r}");
            let variants: Vec<&str> = r["variants"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            assert!(!variants.is_empty(), "{practice}: no variant in {r}");
            assert!(
                variants.iter().all(|v| atoms.iter().any(|a| a == v)),
                "{practice}: variants {variants:?} not among {atoms:?}"
            );
            let snippet = normalize(r["snippet"].as_str().unwrap());
            assert!(
                variants.iter().any(|v| snippet.contains(&normalize(v))),
                "{practice}: snippet without a variant: {r}"
            );
            let path = r["path"].as_str().unwrap();
            assert!(root().join(path).is_file(), "{practice}: path {path}");
            assert!(r["line"].as_u64().unwrap() >= 1);
            assert!(!r["years"].as_array().unwrap().is_empty());
        }
        // Most mentions first, then by name.
        for w in rows.windows(2) {
            let (a, b) = (w[0]["mentions"].as_u64(), w[1]["mentions"].as_u64());
            assert!(
                a > b || (a == b && name(&w[0]) <= name(&w[1])),
                "{practice}: order"
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn mentions_count_every_occurrence() {
    // 长春市教育局's report repeats 合法性审查 in its section 六 alone four times.
    let (_, rows) = bureaus_json(&["\"合法性审查\""]);
    let changchun = rows
        .iter()
        .find(|r| name(r) == "长春市教育局")
        .expect("长春市教育局");
    assert!(changchun["mentions"].as_u64().unwrap() >= 4, "{changchun}");
    assert_eq!(changchun["years"], serde_json::json!([2020]));
    assert_eq!(changchun["province"], "吉林省");
    assert_eq!(changchun["city"], "长春市");
    assert_eq!(changchun["county"], Value::Null);
}

#[test]
fn all_lists_bureaus_that_do_not_mention_it() {
    let (code, rows) = bureaus_json(&["\"府院联动\"", "--all"]);
    assert_eq!(code, 0);
    assert_eq!(rows.len(), 5, "{rows:?}");
    assert_eq!(name(&rows[0]), "长春市教育局");
    assert!(rows[0]["sections"].as_u64().unwrap() > 0);
    for r in &rows[1..] {
        assert_eq!(r["sections"], 0, "{r}");
        assert_eq!(r["mentions"], 0, "{r}");
        assert_eq!(r["years"], serde_json::json!([]));
        assert_eq!(r["variants"], serde_json::json!([]));
        assert_eq!(r["snippet"], Value::Null);
        assert!(r["province"].is_string(), "region kept: {r}");
    }
    let rest: Vec<String> = rows[1..].iter().map(name).collect();
    let mut sorted = rest.clone();
    sorted.sort();
    assert_eq!(rest, sorted, "non-matching bureaus by name");

    // Nobody mentions it: exit 1 without --all; with --all exit 0 and everyone at 0.
    let out = bureaus(&["\"量子纠缠\"", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let (code, rows) = bureaus_json(&["\"量子纠缠\"", "--all"]);
    assert_eq!(code, 0);
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().all(|r| r["sections"] == 0));
}

#[test]
fn filters_restrict_the_universe() {
    let (code, rows) = bureaus_json(&["\"府院联动\"", "--all", "--province", "甘肃"]);
    assert_eq!(code, 0);
    assert_eq!(rows.len(), 1);
    assert_eq!(name(&rows[0]), "宁县教育局");
    assert_eq!(rows[0]["sections"], 0);
    let (code, rows) = bureaus_json(&["\"三项制度\"", "--year", "2023"]);
    assert_eq!(code, 0);
    assert_eq!(
        matching(&rows),
        BTreeSet::from(["宁县教育局".to_string(), "呼兰区教育局".to_string()])
    );
}

#[test]
fn synonyms_find_bureaus_that_use_another_variant() {
    // 许昌市教育局 writes only 合法性审核; 呼兰区/长春市 also write 法制审核.
    let (_, plain) = bureaus_json(&["合法性审查"]);
    assert!(!matching(&plain).contains("许昌市教育局"));
    let (code, rows) = bureaus_json(&["合法性审查", "--synonyms"]);
    assert_eq!(code, 0);
    let want: BTreeSet<String> = [
        "长春市教育局",
        "宁县教育局",
        "龙泉市教育局",
        "许昌市教育局",
        "呼兰区教育局",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(matching(&rows), want);
    let xuchang = rows.iter().find(|r| name(r) == "许昌市教育局").unwrap();
    assert_eq!(
        xuchang["variants"],
        serde_json::json!(["合法性审核"]),
        "{xuchang}"
    );
    let hulan = rows.iter().find(|r| name(r) == "呼兰区教育局").unwrap();
    let variants = hulan["variants"].as_array().unwrap();
    assert!(variants.contains(&Value::from("法制审核")), "{hulan}");
    // The plain query's row for 呼兰区 counts only 合法性审查.
    let plain_hulan = plain.iter().find(|r| name(r) == "呼兰区教育局").unwrap();
    assert!(hulan["mentions"].as_u64() > plain_hulan["mentions"].as_u64());
}

#[test]
fn table_and_csv_output() {
    let out = bureaus(&["\"府院联动\"", "--all"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("长春市教育局"), "{text}");
    assert!(text.contains("府院联动"), "{text}");
    assert!(text.contains("corpus/"), "{text}");
    assert!(text.contains("no mention"), "{text}");

    let out = bureaus(&["\"法律顾问\"", "--format", "csv"]);
    assert!(out.status.success());
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        vec![
            "bureau", "province", "city", "county", "years", "sections", "mentions", "variants",
            "path", "line", "snippet"
        ]
    );
    let names: BTreeSet<String> = reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    assert_eq!(
        names,
        BTreeSet::from(["长春市教育局".to_string(), "宁县教育局".to_string()])
    );
}

#[test]
fn bad_query_is_a_usage_error() {
    let out = bureaus(&["\"未闭合"]);
    assert_eq!(out.status.code(), Some(2));
}
