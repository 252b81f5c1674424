//! Report metadata through the index (issue 12): one body under one name
//! whatever its reports call it, the user's metadata file (override, bad
//! rows, url in every output, incremental re-indexing), a `bureaus.toml`
//! beside the corpus, and `stats --unknown`. Real binary, fixtures written
//! here.

mod common;

use common::{Fixture, stderr, stdout};

/// A corpus of three reports: one body written two ways in two years, and
/// one report that names no one.
fn fixture() -> Fixture {
    let f = Fixture::new();
    for entry in std::fs::read_dir(f.corpus()).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    let write = |name: &str, text: &str| std::fs::write(f.corpus().join(name), text).unwrap();
    write(
        "a.txt",
        "市水务局2025年法治政府建设年度报告\n2026-01-20 17:01 | 许昌市水务局\n2025年，市水务局全面落实行政执法三项制度，推进依法治水。\n一、主要工作\n落实行政执法公示制度。\n",
    );
    write(
        "b.txt",
        "河南省许昌市水务局关于2024年度法治政府建设情况的报告\n2024年，我局落实行政执法三项制度，推进依法治水。\n一、主要工作\n推进行政执法规范化。\n",
    );
    write(
        "c.txt",
        "各项工作有序推进，行政执法水平持续提升。\n一、工作\n推进。\n",
    );
    f
}

fn index(f: &Fixture) -> std::process::Output {
    let out = f.run(&["index"]);
    assert!(out.status.success(), "{}", stderr(&out));
    out
}

#[test]
fn one_body_is_one_bureau_row_with_both_years_and_its_spellings() {
    let f = fixture();
    index(&f);
    let out = f.run(&["bureaus", "执法", "-f", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let named: Vec<&serde_json::Value> = rows.iter().filter(|r| !r["bureau"].is_null()).collect();
    assert_eq!(named.len(), 1, "{rows:?}");
    assert_eq!(named[0]["bureau"], "许昌市水务局");
    assert_eq!(named[0]["years"], serde_json::json!([2024, 2025]));
    assert_eq!(
        named[0]["aliases"],
        serde_json::json!(["河南省许昌市水务局", "许昌市水务局"])
    );
    let table = f.run(&["bureaus", "执法"]);
    assert!(
        stdout(&table).contains("also: 河南省许昌市水务局"),
        "{}",
        stdout(&table)
    );
}

#[test]
fn the_users_metadata_file_wins_and_its_url_travels() {
    let f = fixture();
    std::fs::write(
        f.corpus().join("metadata.csv"),
        "path,url,bureau,report_year\nc.txt,https://example.gov.cn/c.html,宁县司法局,2023\nb.txt,,,20x4\n",
    )
    .unwrap();
    let out = index(&f);
    assert!(
        stderr(&out).contains("metadata.csv: line 3: report_year \"20x4\" is not a year"),
        "{}",
        stderr(&out)
    );
    let hits = f.search_json(&["水平"]);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["bureau"], "宁县司法局");
    assert_eq!(hits[0]["report_year"], 2023);
    assert_eq!(
        hits[0]["province"], "甘肃省",
        "the region follows the given bureau"
    );
    assert_eq!(hits[0]["url"], "https://example.gov.cn/c.html");
    // The bad row's file keeps what was extracted.
    let b = f.search_json(&["规范化"]);
    assert_eq!(b[0]["report_year"], 2024);
    // Exports and show carry the url.
    let csv = f.dir.path().join("hits.csv");
    let out = f.run(&["export", "水平", "-o", csv.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.lines().next().unwrap().ends_with(",url,text"),
        "{text}"
    );
    assert!(text.contains("https://example.gov.cn/c.html"), "{text}");
    let shown = f.run(&["show", hits[0]["doc_id"].as_str().unwrap()]);
    assert!(
        stdout(&shown).contains("https://example.gov.cn/c.html"),
        "{}",
        stdout(&shown)
    );
    // `parse` reads the same file and says where each field came from.
    let parsed = f.run(&["parse", "--format", "json", "corpus/c.txt"]);
    let report: serde_json::Value = serde_json::from_slice(&parsed.stdout).unwrap();
    assert_eq!(report["sources"]["bureau"], "metadata file");
    assert_eq!(report["url"], "https://example.gov.cn/c.html");
}

#[test]
fn a_changed_row_re_indexes_its_file_only() {
    let f = fixture();
    index(&f);
    std::fs::write(
        f.corpus().join("metadata.csv"),
        "path,report_year\nc.txt,2022\n",
    )
    .unwrap();
    let out = index(&f);
    assert!(stdout(&out).contains("1 indexed"), "{}", stdout(&out));
    assert!(stdout(&out).contains("2 unchanged"), "{}", stdout(&out));
    assert_eq!(f.search_json(&["水平"])[0]["report_year"], 2022);
}

#[test]
fn a_bureaus_toml_beside_the_corpus_re_reads_every_report() {
    let f = fixture();
    index(&f);
    std::fs::write(
        f.corpus().join("bureaus.toml"),
        "[[department]]\nname = \"水务局\"\naliases = [\"水利水务局\"]\n",
    )
    .unwrap();
    let out = index(&f);
    assert!(stdout(&out).contains("3 indexed"), "{}", stdout(&out));
    std::fs::write(f.corpus().join("bureaus.toml"), "[[department]\n").unwrap();
    let out = f.run(&["index"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bureaus.toml"), "{}", stderr(&out));
}

#[test]
fn stats_unknown_lists_the_reports_to_fix() {
    let f = fixture();
    index(&f);
    let out = f.run(&["stats", "--unknown", "-f", "jsonl"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0]["path"].as_str().unwrap().ends_with("c.txt"));
    assert_eq!(rows[0]["missing"], "bureau;report_year;region");
    let table = f.run(&["stats", "--unknown"]);
    assert!(
        stderr(&table).contains("1 of 3 reports"),
        "{}",
        stderr(&table)
    );
}
