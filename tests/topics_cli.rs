//! `fazhi topic --explain`, `fazhi search --topic`, `fazhi topics` and
//! `fazhi matrix` in every format (the HTML heatmap must be well-formed and
//! name every bureau and topic).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use quick_xml::events::Event;

mod common;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One index of the bundled corpus, shared by the tests of this file.
fn index_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Command::cargo_bin("fazhi").unwrap();
        c.env_remove("FAZHI_TAXONOMY")
            .arg("--corpus")
            .arg(repo().join("corpus"))
            .arg("--index")
            .arg(dir.path().join("index"))
            .args(["index", "--quiet"])
            .assert()
            .success();
        dir
    })
    .path()
}

fn fazhi() -> Command {
    let mut c = Command::cargo_bin("fazhi").expect("binary");
    c.env_remove("FAZHI_TAXONOMY")
        .env("NO_COLOR", "1")
        .arg("--corpus")
        .arg(repo().join("corpus"))
        .arg("--index")
        .arg(index_dir().join("index"));
    c
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = fazhi().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn run_json(args: &[&str]) -> serde_json::Value {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap()
}

/// The five bureaus of the bundled corpus.
const BUREAUS: [&str; 5] = [
    "长春市教育局",
    "宁县教育局",
    "龙泉市教育局",
    "许昌市教育局",
    "呼兰区教育局",
];

fn topic_names() -> Vec<String> {
    fazhi::topics::Taxonomy::builtin().names
}

#[test]
fn topic_json_has_hit_shape_and_terms() {
    let hits = run_json(&["topic", "普法", "-n", "5", "-f", "json"]);
    let hits = hits.as_array().unwrap();
    assert_eq!(hits.len(), 5);
    let mut last = f64::INFINITY;
    for (i, h) in hits.iter().enumerate() {
        // The search hit shape …
        for key in [
            "rank",
            "score",
            "doc_id",
            "section_id",
            "path",
            "line_start",
            "heading",
            "heading_path",
            "snippet",
            "highlights",
            "matched",
        ] {
            assert!(h.get(key).is_some(), "missing {key}");
        }
        assert_eq!(h["rank"], i + 1);
        // … plus the topic fields.
        assert_eq!(h["topic"], "普法");
        let score = h["topic_score"].as_f64().unwrap();
        assert!(score > 0.0 && score <= last, "ranked by score");
        last = score;
        let terms = h["terms"].as_array().unwrap();
        assert!(!terms.is_empty());
        for t in terms {
            assert!(t["count"].as_u64().unwrap() >= 1);
            assert!(t["weight"].as_f64().unwrap() > 0.0);
            assert!(t["term"].as_str().is_some());
        }
        assert!(h.get("explain").is_none(), "explain only on request");
        // The snippet highlights topic terms.
        assert!(!h["highlights"].as_array().unwrap().is_empty());
    }
}

#[test]
fn explain_breaks_the_score_down() {
    let hits = run_json(&["topic", "行政执法", "-n", "3", "-f", "json", "--explain"]);
    for h in hits.as_array().unwrap() {
        let ex = &h["explain"];
        let total: f64 = ex["terms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["contribution"].as_f64().unwrap())
            .sum();
        let score = h["topic_score"].as_f64().unwrap();
        assert!(
            (total - score).abs() < 1e-3,
            "contributions {total} vs score {score}"
        );
        assert!((ex["score"].as_f64().unwrap() - score).abs() < 1e-3);
        assert!(ex["k"].as_f64().unwrap() > 0.0);
        assert!(ex["body_len"].as_u64().unwrap() > 0);
        // Counts agree with the terms list.
        let terms = h["terms"].as_array().unwrap();
        for (t, e) in terms.iter().zip(ex["terms"].as_array().unwrap()) {
            assert_eq!(t["term"], e["term"]);
            assert_eq!(
                t["count"].as_u64().unwrap(),
                e["body"].as_u64().unwrap() + e["heading"].as_u64().unwrap()
            );
        }
    }
    let (code, table, _) = run(&["topic", "行政执法", "-n", "1", "--explain"]);
    assert_eq!(code, 0);
    assert!(table.contains("score = Σ weight"), "{table}");
    assert!(table.contains("total"), "{table}");
    assert!(table.contains("行政执法"), "{table}");
    let (_, plain, _) = run(&["topic", "行政执法", "-n", "1"]);
    assert!(!plain.contains("score = Σ"));
    assert!(plain.contains("terms: "));
}

#[test]
fn topic_csv_and_limits() {
    let (code, csv, _) = run(&["topic", "政务公开", "-n", "0", "-f", "csv"]);
    assert_eq!(code, 0);
    let mut rdr = csv::Reader::from_reader(csv.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    assert!(headers.iter().any(|h| h == "topic_score") && headers.iter().any(|h| h == "terms"));
    let rows = rdr.records().count();
    let all = run_json(&["topic", "政务公开", "-n", "0", "-f", "json"]);
    assert_eq!(rows, all.as_array().unwrap().len());
    assert!(rows > 3);
    // The full list (loaded in index order) equals a page of the same
    // length (loaded in rank order).
    let page = run_json(&["topic", "政务公开", "-n", &rows.to_string(), "-f", "json"]);
    assert_eq!(page, all);
}

#[test]
fn search_topic_restricts_and_boosts() {
    let plain = run_json(&["search", "法治", "-n", "0", "-f", "json"]);
    let topical = run_json(&["search", "法治", "--topic", "普法", "-n", "0", "-f", "json"]);
    let plain: Vec<&serde_json::Value> = plain.as_array().unwrap().iter().collect();
    let topical: Vec<&serde_json::Value> = topical.as_array().unwrap().iter().collect();
    assert!(
        !topical.is_empty() && topical.len() < plain.len(),
        "{} vs {}",
        topical.len(),
        plain.len()
    );
    // Every restricted hit is a section that discusses 普法 substantively.
    let ranked = run_json(&["topic", "普法", "-n", "0", "-f", "json"]);
    let min = fazhi::topics::Taxonomy::builtin().scoring().main_min;
    let discussing: BTreeSet<&str> = ranked
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["topic_score"].as_f64().unwrap() >= min)
        .map(|h| h["section_id"].as_str().unwrap())
        .collect();
    for h in &topical {
        assert!(
            discussing.contains(h["section_id"].as_str().unwrap()),
            "{}",
            h["heading"]
        );
    }
    // Boosted: the best 普法 section comes first among the restricted hits.
    assert_eq!(topical[0]["section_id"], ranked[0]["section_id"]);
    // Unknown topic: usage error.
    let (code, _, err) = run(&["search", "法治", "--topic", "天气"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown topic"));
}

#[test]
fn topics_lists_taxonomy_with_counts() {
    let topics = run_json(&["topics", "-f", "json"]);
    let topics = topics.as_array().unwrap();
    let names: Vec<&str> = topics.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, topic_names());
    for t in topics {
        let (main, sections, mentions) = (
            t["main"].as_u64().unwrap(),
            t["sections"].as_u64().unwrap(),
            t["mentions"].as_u64().unwrap(),
        );
        assert!(main <= sections && sections <= mentions, "{t}");
        assert!(!t["terms"].as_array().unwrap().is_empty());
    }
    let pufa = &topics[0];
    assert_eq!(pufa["name"], "普法");
    assert!(pufa["sections"].as_u64().unwrap() >= 10);
    assert_eq!(pufa["reports"], 5);
    let (code, table, _) = run(&["topics"]);
    assert_eq!(code, 0);
    for name in topic_names() {
        assert!(table.contains(&name));
    }
    // Filters narrow the counts.
    let one = run_json(&["topics", "--bureau", "宁县", "-f", "json"]);
    assert!(one[0]["sections"].as_u64().unwrap() < pufa["sections"].as_u64().unwrap());
    assert_eq!(one[0]["reports"], 1);
}

#[test]
fn matrix_table_and_csv() {
    let (code, table, _) = run(&["matrix"]);
    assert_eq!(code, 0);
    for b in BUREAUS {
        assert!(table.contains(b), "table lacks {b}");
    }
    for t in topic_names() {
        assert!(table.contains(&t), "table lacks {t}");
    }
    let (code, csv, _) = run(&["matrix", "--only", "普法,法制审核", "-f", "csv"]);
    assert_eq!(code, 0);
    let mut rdr = csv::Reader::from_reader(csv.as_bytes());
    let headers: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        headers,
        [
            "bureau",
            "reports",
            "sections",
            "普法",
            "普法 share",
            "合法性审查",
            "合法性审查 share"
        ]
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 5);
    for r in &rows {
        assert!(BUREAUS.contains(&&r[0]));
        let sections: f64 = r[2].parse().unwrap();
        let n: f64 = r[3].parse().unwrap();
        let share: f64 = r[4].parse().unwrap();
        assert!((share - n / sections).abs() < 1e-3);
    }
}

#[test]
fn matrix_json_counts_agree_with_topics() {
    let m = run_json(&["matrix", "-f", "json"]);
    assert_eq!(m["topics"].as_array().unwrap().len(), topic_names().len());
    let bureaus = m["bureaus"].as_array().unwrap();
    let names: BTreeSet<&str> = bureaus
        .iter()
        .map(|b| b["bureau"].as_str().unwrap())
        .collect();
    assert_eq!(names, BUREAUS.into_iter().collect());
    // Column sums equal the totals and the `topics` counts.
    let topics = run_json(&["topics", "-f", "json"]);
    for (i, t) in topics.as_array().unwrap().iter().enumerate() {
        let sum: u64 = bureaus
            .iter()
            .map(|b| b["cells"][i]["sections"].as_u64().unwrap())
            .sum();
        assert_eq!(sum, m["total"]["cells"][i]["sections"].as_u64().unwrap());
        assert_eq!(sum, t["sections"].as_u64().unwrap(), "{}", t["name"]);
    }
    let sections: u64 = bureaus
        .iter()
        .map(|b| b["sections"].as_u64().unwrap())
        .sum();
    assert_eq!(sections, m["total"]["sections"].as_u64().unwrap());
    // --topics picks the columns (--only is an alias).
    let picked = run_json(&["matrix", "--topics", "行政执法,普法", "-f", "json"]);
    assert_eq!(picked["topics"], serde_json::json!(["行政执法", "普法"]));
    // Unknown selection: usage error.
    let (code, _, err) = run(&["matrix", "--only", "普法,天气"]);
    assert_eq!(code, 2);
    assert!(err.contains("天气"));
}

/// Parse with quick-xml, requiring balanced, properly nested tags; returns
/// the text content.
fn well_formed_text(html: &str) -> String {
    let mut reader = quick_xml::Reader::from_str(html);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<String> = Vec::new();
    let mut text = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                stack.push(String::from_utf8_lossy(e.name().as_ref()).into_owned())
            }
            Ok(Event::End(e)) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                assert_eq!(
                    stack.pop().as_deref(),
                    Some(name.as_str()),
                    "unbalanced </{name}>"
                );
            }
            Ok(Event::Text(t)) => text.push_str(&t.unescape().expect("valid entities")),
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}", reader.buffer_position()),
        }
    }
    assert!(stack.is_empty(), "unclosed tags: {stack:?}");
    text
}

#[test]
fn well_formedness_checker_rejects_broken_html() {
    let bad = std::panic::catch_unwind(|| well_formed_text("<html><body><p>x</body></html>"));
    assert!(bad.is_err());
    assert_eq!(well_formed_text("<a><b>x &amp; y</b></a>"), "x & y");
}

#[test]
fn matrix_html_is_a_well_formed_heatmap() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.html");
    let (code, stdout, err) = run(&["matrix", "-f", "html", "-o", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.is_empty(), "-o writes the file, not stdout");
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<meta charset=\"utf-8\"/>"));
    assert!(
        html.contains("<style>") && !html.contains("<script"),
        "self-contained, no scripts"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external resources"
    );
    assert!(html.contains("background: hsl("), "cells are coloured");
    let text = well_formed_text(&html);
    for b in BUREAUS {
        assert!(text.contains(b), "html lacks {b}");
    }
    for t in topic_names() {
        assert!(text.contains(&t), "html lacks {t}");
    }
    // Without -o the page goes to stdout.
    let (code, stdout, _) = run(&["matrix", "-f", "html", "--only", "普法"]);
    assert_eq!(code, 0);
    well_formed_text(&stdout);
    assert!(stdout.contains("普法"));
}

#[test]
fn html_escapes_text() {
    use fazhi::cmd::matrix::{Cell, Matrix, Row, html};
    let row = |b: &str| Row {
        bureau: b.to_string(),
        reports: 1,
        sections: 2,
        cells: vec![Cell {
            topic: "A&B<x>".into(),
            sections: 1,
            share: 0.5,
        }],
    };
    let m = Matrix {
        topics: vec!["A&B<x>".into()],
        bureaus: vec![row("\"局\"<script>")],
        total: row("(全部)"),
    };
    let page = html(&m);
    assert!(!page.contains("<script>"));
    let text = well_formed_text(&page);
    assert!(text.contains("\"局\"<script>") && text.contains("A&B<x>"));
}

/// `topic` reads its ranking straight from the score column; after an
/// incremental run the replaced sections are deleted documents there, and
/// must not come back. The ranking must equal a fresh index's.
#[test]
fn topic_ranking_skips_deleted_sections_after_an_incremental_run() {
    let updated = common::Fixture::indexed();
    let (file, text) = updated.append_to_a_report(
        "\n五、行政执法\n严格规范公正文明执法，全面推行行政执法三项制度，落实行政执法责任制。\n",
    );
    updated.cmd().args(["index", "--quiet"]).assert().success();
    let fresh = common::Fixture::new();
    std::fs::write(fresh.corpus().join(file.file_name().unwrap()), &text).unwrap();
    fresh.cmd().args(["index", "--quiet"]).assert().success();

    let ranking = |f: &common::Fixture, limit: &str| -> Vec<(String, String)> {
        let out = f.run(&["topic", "行政执法", "--limit", limit, "--format", "jsonl"]);
        assert!(out.status.success(), "{}", common::stderr(&out));
        common::stdout(&out)
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                (v["score"].to_string(), v["section_id"].to_string())
            })
            .collect()
    };
    // Every ranked section, as a set (ties may be ordered by address).
    let mut all_updated = ranking(&updated, "0");
    let mut all_fresh = ranking(&fresh, "0");
    assert!(!all_updated.is_empty());
    all_updated.sort();
    all_fresh.sort();
    assert_eq!(all_updated, all_fresh);
    // The first page: the same scores in the same order.
    let scores = |r: Vec<(String, String)>| r.into_iter().map(|h| h.0).collect::<Vec<_>>();
    assert_eq!(scores(ranking(&updated, "5")), scores(ranking(&fresh, "5")));
}
