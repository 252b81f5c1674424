//! `fazhi export` through the real binary on an index of the bundled corpus:
//! every format is read back (CSV with a CSV reader, XLSX with calamine,
//! JSON/JSONL with serde) and compared with `fazhi search -n 0`; plus the
//! destination rules (no overwrite without --force, atomic rename, exit 2).

use std::path::Path;
use std::process::Output;

use calamine::{Data, Reader, Xlsx, open_workbook};
use fazhi::output::HIT_COLUMNS;
use serde_json::Value;

mod common;

use common::{fazhi_in_repo as base, jsonl, shared_index as index};

const QUERY: &str = "\"法治\" OR \"依法\" -\"量子\"";

fn run(args: &[&str]) -> Output {
    base()
        .args(["--corpus", "corpus", "--index"])
        .arg(index())
        .args(args)
        .output()
        .expect("run fazhi")
}

/// `fazhi export ARGS --no-text`: the columns of the search hits (the
/// `text` column is checked in tests/cli_surface.rs).
fn export(args: &[&str]) -> Output {
    let mut all = vec!["export"];
    all.extend(args);
    all.push("--no-text");
    run(&all)
}

/// `fazhi search QUERY -n 0 --format json`: the reference hit list.
fn search_hits() -> Vec<Value> {
    let out = run(&["search", QUERY, "-n", "0", "--format", "json"]);
    assert!(out.status.success());
    let hits: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(hits.len() > 10, "want a sizeable reference: {}", hits.len());
    hits
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn json_and_jsonl_equal_search_output() {
    let hits = search_hits();
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("hits.json");
    let out = export(&[QUERY, "-o", json.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let got: Vec<Value> = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(got, hits);

    let jsonl = dir.path().join("hits.jsonl");
    let out = export(&[QUERY, "-o", jsonl.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&jsonl).unwrap();
    let got: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(got, hits);
    assert_eq!(files_in(dir.path()), vec!["hits.json", "hits.jsonl"]);
}

fn check_rows(rows: &[Vec<String>], hits: &[Value]) {
    assert_eq!(rows.len(), hits.len());
    let col = |name: &str| HIT_COLUMNS.iter().position(|c| *c == name).unwrap();
    for (row, hit) in rows.iter().zip(hits) {
        assert_eq!(row[col("rank")], hit["rank"].to_string());
        for field in ["bureau", "title", "snippet", "path", "doc_id", "section_id"] {
            assert_eq!(
                row[col(field)],
                hit[field].as_str().unwrap_or(""),
                "{field}"
            );
        }
        assert_eq!(row[col("line_start")], hit["line_start"].to_string());
        assert_eq!(
            row[col("report_year")],
            hit["report_year"]
                .as_u64()
                .map(|y| y.to_string())
                .unwrap_or_default()
        );
        let heading: Vec<&str> = hit["heading_path"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(row[col("heading_path")], heading.join(" > "));
        let matched: Vec<&str> = hit["matched"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(row[col("matched")], matched.join(";"));
        let score: f64 = row[col("score")].parse().unwrap();
        assert!((score - hit["score"].as_f64().unwrap()).abs() < 1e-4);
    }
}

fn read_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new().from_reader(bytes);
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn csv_with_and_without_bom() {
    let hits = search_hits();
    let dir = tempfile::tempdir().unwrap();
    let with = dir.path().join("hits.csv");
    let out = export(&[QUERY, "-o", with.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(&with).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "BOM by default");
    assert!(bytes.windows(2).any(|w| w == b"\r\n"), "RFC 4180 CRLF");
    let (header, rows) = read_csv(&bytes[3..]);
    assert_eq!(header, HIT_COLUMNS);
    check_rows(&rows, &hits);
    // The corpus has commas in snippets: they must come back whole.
    assert!(rows.iter().any(|r| r[10].contains(',')));

    let without = dir.path().join("plain.csv");
    let out = export(&[QUERY, "-o", without.to_str().unwrap(), "--no-bom"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(&without).unwrap();
    assert!(bytes.starts_with(b"rank,score,"), "no BOM with --no-bom");
    let (header, rows) = read_csv(&bytes);
    assert_eq!(header, HIT_COLUMNS);
    check_rows(&rows, &hits);
}

fn cell(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        other => other.to_string(),
    }
}

#[test]
fn xlsx_hits_and_bureau_summary() {
    let hits = search_hits();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hits.xlsx");
    let out = export(&[QUERY, "-o", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(wb.sheet_names(), vec!["hits", "bureaus"]);
    let range = wb.worksheet_range("hits").unwrap();
    let mut rows = range.rows().map(|r| r.iter().map(cell).collect::<Vec<_>>());
    assert_eq!(rows.next().unwrap(), HIT_COLUMNS);
    let rows: Vec<Vec<String>> = rows
        .map(|mut r| {
            r.resize(HIT_COLUMNS.len(), String::new());
            r
        })
        .collect();
    check_rows(&rows, &hits);

    let summary = wb.worksheet_range("bureaus").unwrap();
    let rows: Vec<Vec<String>> = summary
        .rows()
        .map(|r| r.iter().map(cell).collect())
        .collect();
    assert_eq!(rows[0][0], "bureau");
    assert_eq!(rows[0][4], "sections");
    let total: u64 = rows[1..].iter().map(|r| r[4].parse::<u64>().unwrap()).sum();
    assert_eq!(total as usize, hits.len());
    let mut bureaus: Vec<&str> = hits.iter().map(|h| h["bureau"].as_str().unwrap()).collect();
    bureaus.sort();
    bureaus.dedup();
    assert_eq!(rows.len() - 1, bureaus.len());
}

#[test]
fn never_overwrites_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("hits.csv");
    std::fs::write(&dest, "precious").unwrap();
    let out = export(&[QUERY, "-o", dest.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(stderr(&out).trim().lines().count(), 1);
    assert_eq!(std::fs::read_to_string(&dest).unwrap(), "precious");
    assert_eq!(files_in(dir.path()), vec!["hits.csv"]);

    let out = export(&[QUERY, "-o", dest.to_str().unwrap(), "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::read(&dest)
            .unwrap()
            .starts_with(b"\xEF\xBB\xBFrank,")
    );
    assert_eq!(files_in(dir.path()), vec!["hits.csv"], "no temporary left");
}

#[test]
fn unwritable_destination_is_exit_2_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    // A "folder" that is a file: unwritable even for root.
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, "x").unwrap();
    let dest = file.join("hits.csv");
    let out = export(&[QUERY, "-o", dest.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(dest.to_str().unwrap()),
        "{}",
        stderr(&out)
    );

    let missing = dir.path().join("missing").join("hits.xlsx");
    let out = export(&[QUERY, "-o", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(missing.to_str().unwrap()));
}

#[test]
fn format_from_extension_or_flag() {
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("hits.txt");
    let out = export(&[QUERY, "-o", odd.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--format"));
    assert!(!odd.exists());

    let out = export(&[QUERY, "-o", odd.to_str().unwrap(), "--format", "jsonl"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let n = std::fs::read_to_string(&odd).unwrap().lines().count();
    assert_eq!(n, search_hits().len());
}

#[test]
fn no_hits_writes_an_empty_export_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("none.json");
    let out = export(&["\"量子纠缠\"", "-o", dest.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let got: Vec<Value> = serde_json::from_slice(&std::fs::read(&dest).unwrap()).unwrap();
    assert!(got.is_empty());
}

#[test]
fn all_sections_and_filters() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("all.jsonl");
    let out = export(&["--all", "-o", dest.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let all: Vec<Value> = std::fs::read_to_string(&dest)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let stats = run(&["search", "教育", "-n", "0", "--format", "json"]);
    let some: Vec<Value> = serde_json::from_slice(&stats.stdout).unwrap();
    assert!(all.len() > some.len());
    let ranks: Vec<u64> = all.iter().map(|h| h["rank"].as_u64().unwrap()).collect();
    assert_eq!(ranks, (1..=all.len() as u64).collect::<Vec<_>>());

    let dest = dir.path().join("gansu.jsonl");
    let out = export(&["--all", "--province", "甘肃", "-o", dest.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&dest).unwrap();
    assert!(text.lines().count() > 0);
    for l in text.lines() {
        let h: Value = serde_json::from_str(l).unwrap();
        assert_eq!(h["bureau"], "宁县教育局");
    }
}

#[test]
fn needs_a_query_topic_or_all() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("x.csv");
    let out = export(&["-o", dest.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let out = export(&["--topic", "没有这个主题", "-o", dest.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("没有这个主题"));
    assert!(!dest.exists());
}

#[test]
fn topic_export_is_ordered_by_topic_score() {
    let dir = tempfile::tempdir().unwrap();
    let topic = dir.path().join("pufa.jsonl");
    let out = export(&["--topic", "普法", "-o", topic.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let all = jsonl(&topic);
    assert!(!all.is_empty());
    let scores: Vec<f64> = all.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert!(scores[0] > 0.0);

    // With a query: its hits within the topic, still by topic score.
    let within = dir.path().join("pufa-xianfa.jsonl");
    let out = export(&["宪法", "--topic", "普法", "-o", within.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let some = jsonl(&within);
    assert!(!some.is_empty() && some.len() < all.len());
    let ids: Vec<&Value> = all.iter().map(|h| &h["section_id"]).collect();
    for h in &some {
        assert!(ids.contains(&&h["section_id"]), "{h}");
        assert_eq!(h["matched"], serde_json::json!(["宪法"]));
    }
    let scores: Vec<f64> = some.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
}
