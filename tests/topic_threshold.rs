//! One meaning of "the sections of a topic" (issue 15.3): `topic NAME -n 0`,
//! `export --topic`, `search Q --topic`, `export Q --topic`, `bureaus Q
//! --topic`, `topics` and `matrix` select the same sections, by the
//! taxonomy's `main_min` unless `--min-score` sets another threshold.

mod common;

use std::collections::BTreeSet;

use common::{Fixture, stderr, stdout};
use serde_json::Value;

const TOPIC: &str = "普法";
const QUERY: &str = "教育";

fn lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn section_ids(rows: &[Value]) -> BTreeSet<String> {
    rows.iter()
        .map(|r| r["section_id"].as_str().unwrap().to_string())
        .collect()
}

/// The JSON lines a command prints (none on exit 1).
fn run_jsonl(f: &Fixture, args: &[&str]) -> Vec<Value> {
    let out = f.run(args);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        stderr(&out)
    );
    lines(&stdout(&out))
}

/// The rows `export` writes (none on exit 1).
fn export(f: &Fixture, args: &[&str]) -> Vec<Value> {
    let file = f.dir.path().join("out.jsonl");
    let out = f
        .cmd()
        .arg("export")
        .args(args)
        .arg("--force")
        .arg("-o")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        stderr(&out)
    );
    if file.exists() {
        common::jsonl(&file)
    } else {
        Vec::new()
    }
}

/// Sections per topic as `topics -f json` counts them.
fn topics_count(f: &Fixture, extra: &[&str]) -> u64 {
    let out = f.run(&[&["topics", "-f", "json"], extra].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = v.get("topics").unwrap_or(&v).as_array().unwrap().clone();
    let t = list.iter().find(|t| t["name"] == TOPIC).unwrap();
    t["sections"].as_u64().unwrap()
}

/// The topic's sections summed over the rows of `matrix -f json`.
fn matrix_count(f: &Fixture, extra: &[&str]) -> u64 {
    let out = f.run(&[&["matrix", "-f", "json"], extra].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["bureaus"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["cells"].as_array().unwrap())
        .filter(|c| c["topic"] == TOPIC)
        .map(|c| c["sections"].as_u64().unwrap())
        .sum()
}

/// The counts every command gives for one threshold (`extra`: `--min-score X` or nothing).
fn agree(f: &Fixture, extra: &[&str]) -> usize {
    let topic = run_jsonl(
        f,
        &[&["topic", TOPIC, "-n", "0", "-f", "jsonl"], extra].concat(),
    );
    let of_topic = section_ids(&topic);
    assert_eq!(of_topic.len(), topic.len());
    let exported = section_ids(&export(f, &[&["--topic", TOPIC], extra].concat()));
    assert_eq!(exported, of_topic, "export --topic {extra:?}");
    assert_eq!(
        topics_count(f, extra),
        of_topic.len() as u64,
        "topics {extra:?}"
    );

    assert_eq!(
        matrix_count(f, extra),
        of_topic.len() as u64,
        "matrix {extra:?}"
    );

    // With a query: the query's hits among the topic's sections.
    let query_hits = section_ids(&run_jsonl(f, &["search", QUERY, "-n", "0", "-f", "jsonl"]));
    let within: BTreeSet<String> = query_hits.intersection(&of_topic).cloned().collect();
    let searched = section_ids(&run_jsonl(
        f,
        &[
            &["search", QUERY, "--topic", TOPIC, "-n", "0", "-f", "jsonl"],
            extra,
        ]
        .concat(),
    ));
    assert_eq!(searched, within, "search --topic {extra:?}");
    let exported = section_ids(&export(f, &[&[QUERY, "--topic", TOPIC], extra].concat()));
    assert_eq!(exported, within, "export Q --topic {extra:?}");
    let out = f.run(&[&["bureaus", QUERY, "--topic", TOPIC, "-f", "json"], extra].concat());
    let grouped: u64 = if out.status.code() == Some(1) {
        0
    } else {
        assert!(out.status.success(), "{}", stderr(&out));
        let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        rows.iter().map(|r| r["sections"].as_u64().unwrap()).sum()
    };
    assert_eq!(grouped, within.len() as u64, "bureaus --topic {extra:?}");
    // Every listed score reaches the threshold.
    let min: f64 = extra.get(1).map_or(6.0, |x| x.parse().unwrap());
    for h in &topic {
        let score = h["topic_score"].as_f64().unwrap();
        assert!(score > 0.0 && score >= min, "{h}");
    }
    of_topic.len()
}

#[test]
fn every_command_selects_the_same_sections_of_a_topic() {
    let f = Fixture::indexed();
    let default = agree(&f, &[]);
    assert!(default > 0);
    let all = agree(&f, &["--min-score", "0"]);
    let strict = agree(&f, &["--min-score", "10"]);
    assert!(all > default, "{all} > {default}");
    assert!(strict < default, "{strict} < {default}");
    // The default is the documented main_min of 6.
    assert_eq!(agree(&f, &["--min-score", "6"]), default);
}

#[test]
fn a_threshold_no_section_reaches_is_no_hits() {
    let f = Fixture::indexed();
    let out = f.run(&["topic", TOPIC, "--min-score", "1000"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("1000"), "{}", stderr(&out));
    for bad in ["-1", "NaN", "x"] {
        let out = f.run(&["topic", TOPIC, &format!("--min-score={bad}")]);
        assert_eq!(out.status.code(), Some(2), "--min-score {bad}");
    }
}
