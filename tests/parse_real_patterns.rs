//! `fazhi parse --format json` on fixtures that reproduce the patterns of
//! real report pages (issue 12): body-only openings, short self-references
//! completed from a source line, page chrome before the title, split titles,
//! metadata tables, ministry reposts with a mirror's name, traditional
//! script, townships, year traps and reports that call themselves `我局`.
//! The fixtures (tests/data/real-patterns/) are written for these tests; the
//! expected fields are in `expected.tsv` there (`-` for none).

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn dir() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/real-patterns"
    ))
}

fn parse(file: &str) -> Value {
    let out = Command::cargo_bin("fazhi")
        .expect("binary")
        .current_dir(dir())
        .args(["parse", "--format", "json", file])
        .output()
        .expect("run fazhi");
    assert!(
        out.status.success(),
        "{file}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn field<'a>(report: &'a Value, name: &str) -> &'a Value {
    match name {
        "province" | "city" | "county" | "township" => &report["region"][name],
        _ => &report[name],
    }
}

#[test]
fn every_pattern_parses_as_a_reader_reads_it() {
    let table = std::fs::read_to_string(dir().join("expected.tsv")).expect("expected.tsv");
    let mut lines = table.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let mut checked = 0;
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split('\t').collect();
        let report = parse(cells[0]);
        for (name, want) in header.iter().zip(&cells).skip(1) {
            let got = field(&report, name);
            let ok = match *want {
                "-" => got.is_null(),
                w => got.as_str() == Some(w) || got.as_i64().is_some_and(|n| n.to_string() == w),
            };
            assert!(ok, "{}: {name}: expected {want}, got {got}", cells[0]);
            checked += 1;
        }
    }
    assert_eq!(checked, 10 * 7, "every fixture and field was checked");
}

#[test]
fn sources_say_where_each_field_was_read() {
    let r = parse("02-short-name-source-line.txt");
    assert_eq!(
        r["sources"]["bureau"],
        "title line 2 (full name: source line line 3)"
    );
    assert_eq!(r["sources"]["report_year"], "title line 2");
    assert_eq!(
        r["bureau_as_written"], "许昌市水务局",
        "the spelling of the source line"
    );
    assert_eq!(r["bureau_key"], "4110/水务局");
    let r = parse("01-body-only.txt");
    assert_eq!(r["sources"]["bureau"], "first sentence line 1");
    assert!(r["title"].is_null());
    let r = parse("03-page-chrome.txt");
    assert_eq!(
        r["publish_date"], "2025-02-10",
        "the signature, not the crawl date"
    );
    assert_eq!(r["sources"]["publish_date"], "signature line 13");
    assert!(r["url"].is_null());
}

#[test]
fn one_body_gets_one_name_whatever_the_report_calls_it() {
    let a = parse("02-short-name-source-line.txt");
    let dir = tempfile::tempdir().expect("tempdir");
    let other = dir.path().join("b.txt");
    std::fs::write(
        &other,
        "河南省许昌市水务局关于2024年度法治政府建设情况的报告\n2024年，我局推进依法治水。\n一、主要工作\n推进。\n",
    )
    .expect("write");
    let b = parse(other.to_str().expect("utf-8 path"));
    assert_eq!(a["bureau"], b["bureau"]);
    assert_eq!(a["bureau_key"], b["bureau_key"]);
    assert_ne!(a["bureau_as_written"], b["bureau_as_written"]);
}
