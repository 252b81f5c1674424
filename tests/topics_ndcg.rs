//! Ranking quality of `fazhi topic` against the graded judgments in
//! `tests/data/qrels-seeds.tsv` (topic, file, heading substring, grade 0-2).
//!
//! For every judged topic the test runs the real CLI (`fazhi topic T -n 10
//! -f json`), maps each hit to a judgment (the hit's path ends with the file
//! and its heading contains the substring; otherwise grade 0) and computes
//! nDCG@10 with gain 2^grade − 1 and the ideal ranking taken from all the
//! topic's judgments. It prints the per-topic figures and requires a mean of
//! at least 0.85 with no topic below 0.6.

use std::collections::BTreeMap;
use std::path::PathBuf;

use assert_cmd::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fazhi(dir: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("fazhi").expect("binary");
    c.env_remove("FAZHI_TAXONOMY")
        .env("NO_COLOR", "1")
        .arg("--corpus")
        .arg(repo().join("corpus"))
        .arg("--index")
        .arg(dir.join("index"));
    c
}

struct Judgment {
    file: String,
    heading: String,
    grade: u32,
}

fn qrels() -> BTreeMap<String, Vec<Judgment>> {
    let text = std::fs::read_to_string(repo().join("tests/data/qrels-seeds.tsv")).unwrap();
    let mut out: BTreeMap<String, Vec<Judgment>> = BTreeMap::new();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 4, "bad qrels line: {line}");
        out.entry(cols[0].to_string()).or_default().push(Judgment {
            file: cols[1].to_string(),
            heading: cols[2].to_string(),
            grade: cols[3].parse().unwrap(),
        });
    }
    out
}

fn gain(grade: u32) -> f64 {
    f64::from((1u32 << grade) - 1)
}

fn dcg(grades: &[u32]) -> f64 {
    grades
        .iter()
        .enumerate()
        .map(|(i, &g)| gain(g) / ((i + 2) as f64).log2())
        .sum()
}

/// nDCG@k of ranked grades against the ideal ordering of all judged grades.
fn ndcg(ranked: &[u32], judged: &[u32], k: usize) -> f64 {
    let mut ideal = judged.to_vec();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    ideal.truncate(k);
    let ideal = dcg(&ideal);
    if ideal == 0.0 {
        0.0
    } else {
        dcg(&ranked[..ranked.len().min(k)]) / ideal
    }
}

#[test]
fn ndcg_helper_is_right() {
    assert!((ndcg(&[2, 1], &[2, 1], 10) - 1.0).abs() < 1e-12);
    assert!(
        (ndcg(&[1, 2], &[2, 1], 10) - (1.0 + 3.0 / 3f64.log2()) / (3.0 + 1.0 / 3f64.log2())).abs()
            < 1e-12
    );
    assert_eq!(ndcg(&[0, 0], &[2], 10), 0.0);
}

#[test]
fn topic_ranking_ndcg_at_10() {
    let dir = tempfile::tempdir().unwrap();
    fazhi(dir.path())
        .args(["index", "--quiet"])
        .assert()
        .success();
    let mut results = Vec::new();
    for (topic, judged) in qrels() {
        let out = fazhi(dir.path())
            .args(["topic", &topic, "-n", "10", "-f", "json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "fazhi topic {topic} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let hits: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        assert!(hits.len() <= 10);
        let ranked: Vec<u32> = hits
            .iter()
            .map(|h| {
                assert_eq!(h["topic"], topic.as_str());
                assert!(h["topic_score"].as_f64().unwrap() > 0.0);
                let path = h["path"].as_str().unwrap();
                let heading = h["heading"].as_str().unwrap();
                judged
                    .iter()
                    .find(|j| path.ends_with(&j.file) && heading.contains(&j.heading))
                    .map_or(0, |j| j.grade)
            })
            .collect();
        let grades: Vec<u32> = judged.iter().map(|j| j.grade).collect();
        let score = ndcg(&ranked, &grades, 10);
        println!("nDCG@10 {topic:<8} {score:.3}  grades {ranked:?}");
        results.push((topic, score));
    }
    let mean = results.iter().map(|r| r.1).sum::<f64>() / results.len() as f64;
    println!("nDCG@10 mean     {mean:.3} over {} topics", results.len());
    assert!(results.len() >= 7, "expected the seven judged topics");
    assert!(mean >= 0.85, "mean nDCG@10 {mean:.3} < 0.85");
    for (topic, score) in &results {
        assert!(*score >= 0.6, "nDCG@10 for {topic} is {score:.3} < 0.6");
    }
}
