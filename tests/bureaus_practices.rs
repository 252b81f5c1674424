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
            "aliases", "path", "line", "snippet"
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

/// Every section of the shared index: address and normalised text.
fn all_sections() -> Vec<(tantivy::DocAddress, fazhi::query::StoredSection, String)> {
    let handle = fazhi::index::open(index()).expect("open index");
    let searcher = handle.reader.searcher();
    let mut docs: Vec<tantivy::DocAddress> = searcher
        .search(
            &tantivy::query::AllQuery,
            &tantivy::collector::DocSetCollector,
        )
        .unwrap()
        .into_iter()
        .collect();
    docs.sort();
    docs.into_iter()
        .map(|addr| {
            let s = fazhi::query::load_section(&searcher, &handle.fields, addr).unwrap();
            // As indexed: title (on its section), heading and body as runs.
            let norm = normalize(&s.match_text());
            (addr, s, norm)
        })
        .collect()
}

#[test]
fn index_mention_counts_equal_text_counts_on_real_reports() {
    // Needles cut from the reports themselves: substrings of 1 to 8 chars at
    // a stride, every doubled char (self-overlapping needles like 一一 and
    // their longer runs), and the practices queries.
    let sections = all_sections();
    assert!(sections.len() > 50, "{} sections", sections.len());
    let mut needles: BTreeSet<String> = BTreeSet::new();
    for (_, _, norm) in &sections {
        let chars: Vec<char> = norm.chars().collect();
        for i in (0..chars.len()).step_by(97) {
            for len in 1..=8 {
                if i + len <= chars.len() {
                    needles.insert(chars[i..i + len].iter().collect());
                }
            }
        }
        for i in 0..chars.len().saturating_sub(1) {
            if chars[i] == chars[i + 1] {
                for len in 2..=4 {
                    if i + len <= chars.len() {
                        needles.insert(chars[i..i + len].iter().collect());
                    }
                }
                needles.insert(std::iter::repeat_n(chars[i], 3).collect());
            }
        }
    }
    for (_, query, _) in practices() {
        for atom in query.split(" OR ") {
            needles.insert(normalize(atom.trim().trim_matches('"')));
        }
    }
    // No needle spans two runs (no query string can).
    needles.retain(|n| !n.contains(fazhi::analysis::RUN_BARRIER));
    let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
    assert!(needles.len() > 500, "{} needles", needles.len());
    assert!(
        needles.iter().any(|n| {
            let c: Vec<char> = n.chars().collect();
            c.len() >= 2 && c.windows(2).all(|w| w[0] == w[1])
        }),
        "the reports have a doubled char to test overlap on"
    );

    let handle = fazhi::index::open(index()).expect("open index");
    let searcher = handle.reader.searcher();
    let docs: Vec<tantivy::DocAddress> = sections.iter().map(|(a, _, _)| *a).collect();
    let got = fazhi::bureaus::mention_counts(&searcher, &handle.fields, &needles, &docs).unwrap();
    let mut mismatches = Vec::new();
    let mut total = 0u64;
    for (d, (_, s, norm)) in sections.iter().enumerate() {
        for (i, needle) in needles.iter().enumerate() {
            let want = fazhi::bureaus::count_occurrences(norm, needle) as u32;
            let have = got[d * needles.len() + i];
            total += u64::from(want);
            if have != want {
                mismatches.push(format!(
                    "{needle:?} in {} section {}: index {have}, text {want}",
                    s.path, s.section_id
                ));
            }
        }
    }
    assert!(total > 5_000, "the needles occur ({total})");
    assert!(
        mismatches.is_empty(),
        "{} mismatches, first: {:#?}",
        mismatches.len(),
        &mismatches[..mismatches.len().min(10)]
    );
}

#[test]
fn mentions_sections_and_variants_equal_a_text_scan() {
    // What `fazhi bureaus` prints for each practice, against a scan of every
    // section's stored text with the query's own matching rule.
    let sections = all_sections();
    for (practice, query, _) in practices() {
        let q = fazhi::query::parse::parse(&query).unwrap();
        let mut want: std::collections::BTreeMap<String, (u64, u64, BTreeSet<String>)> =
            Default::default();
        for (_, s, norm) in &sections {
            if !q.matches(norm) {
                continue;
            }
            let row = want
                .entry(s.bureau.clone().unwrap_or_default())
                .or_default();
            row.0 += 1;
            for a in q.positive_atoms() {
                let n = fazhi::bureaus::count_occurrences(norm, &a.normalized) as u64;
                row.1 += n;
                if n > 0 {
                    row.2.insert(a.text.clone());
                }
            }
        }
        let (_, rows) = bureaus_json(&[&query, "--limit", "0"]);
        let got: std::collections::BTreeMap<String, (u64, u64, BTreeSet<String>)> = rows
            .iter()
            .map(|r| {
                let variants = r["variants"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_string())
                    .collect();
                (
                    name(r),
                    (
                        r["sections"].as_u64().unwrap(),
                        r["mentions"].as_u64().unwrap(),
                        variants,
                    ),
                )
            })
            .collect();
        assert_eq!(got, want, "{practice} ({query})");
    }
}

#[test]
fn limit_prints_the_first_rows_and_counts_the_rest() {
    let (_, all) = bureaus_json(&["\"法律顾问\" OR 合法性审查 OR 执法", "--limit", "0"]);
    assert!(all.len() >= 3, "{all:?}");
    let out = bureaus(&[
        "\"法律顾问\" OR 合法性审查 OR 执法",
        "--limit",
        "2",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows, all[..2].to_vec(), "the first rows, unchanged");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{} more bureau", all.len() - 2)) && stderr.contains("--limit 0"),
        "{stderr}"
    );
    // --all rows come after the matching ones, under the same limit.
    let (_, everyone) = bureaus_json(&["\"府院联动\"", "--all", "--limit", "2"]);
    assert_eq!(everyone.len(), 2);
    assert!(everyone[0]["sections"].as_u64().unwrap() > 0);
    assert_eq!(everyone[1]["sections"], 0);
    // Default: 50 rows, no note when everything fits.
    let out = bureaus(&["\"府院联动\"", "--format", "json"]);
    assert!(String::from_utf8_lossy(&out.stderr).is_empty());
}

#[test]
fn no_snippet_keeps_the_counts() {
    let (_, with) = bureaus_json(&["合法性审查"]);
    let (code, without) = bureaus_json(&["合法性审查", "--no-snippet"]);
    assert_eq!(code, 0);
    assert_eq!(with.len(), without.len());
    for (a, b) in with.iter().zip(&without) {
        for key in [
            "bureau", "province", "city", "county", "years", "sections", "mentions", "variants",
        ] {
            assert_eq!(a[key], b[key], "{key}");
        }
        assert!(a["snippet"].is_string());
        assert_eq!(b["snippet"], Value::Null);
        assert_eq!(b["path"], Value::Null);
        assert_eq!(b["line"], Value::Null);
    }
}

#[test]
fn several_segments_give_the_same_rows() {
    // Index three reports, then all five: the second run adds segments, so
    // per-segment groups are merged by name.
    let fixture = common::Fixture::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixture.corpus())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let held = fixture.dir.path().join("held");
    std::fs::create_dir(&held).unwrap();
    for f in &files[3..] {
        std::fs::rename(f, held.join(f.file_name().unwrap())).unwrap();
    }
    fixture.cmd().args(["index", "--quiet"]).assert().success();
    for f in &files[3..] {
        std::fs::rename(held.join(f.file_name().unwrap()), f).unwrap();
    }
    fixture.cmd().args(["index", "--quiet"]).assert().success();
    let segments = std::fs::read_dir(fixture.index())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "store")
        })
        .count();
    assert!(segments > 1, "{segments} segment(s)");
    let strip = |rows: Vec<Value>| -> Vec<Value> {
        rows.into_iter()
            .map(|mut r| {
                for key in ["snippet", "path", "line"] {
                    r.as_object_mut().unwrap().remove(key);
                }
                r
            })
            .collect()
    };
    for args in [
        vec!["\"执法\"", "--limit", "0"],
        vec!["合法性审查 OR 法制审核", "--limit", "0"],
        vec!["\"府院联动\"", "--all"],
        vec!["法", "--limit", "3"],
    ] {
        let mut all = args.clone();
        all.extend(["--format", "json"]);
        let out = fixture.run(&[&["bureaus"][..], &all].concat());
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let got: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        let (_, want) = bureaus_json(&args);
        assert_eq!(strip(got), strip(want), "{args:?}");
    }
}
