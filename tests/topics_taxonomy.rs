//! Taxonomy loading, validation (errors name the line), overriding with
//! `--taxonomy FILE` or a `topics.toml` beside the corpus, and re-scoring when
//! the taxonomy changes.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use fazhi::topics::Taxonomy;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temp folder with a copy of the bundled corpus.
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    for entry in std::fs::read_dir(repo().join("corpus")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), corpus.join(entry.file_name())).unwrap();
    }
    dir
}

fn fazhi(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("fazhi").expect("binary");
    c.env_remove("FAZHI_TAXONOMY")
        .env("NO_COLOR", "1")
        .arg("--corpus")
        .arg(dir.join("corpus"))
        .arg("--index")
        .arg(dir.join("index"));
    c
}

fn json(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

const SMALL: &str = r#"
[[topic]]
name = "宪法"
aliases = ["宪法宣传"]
description = "宪法宣传"
[topic.terms]
"宪法" = 3
"宪法日" = 3

[[topic]]
name = "审批"
variants = [["行政审批", "审批服务"]]
[topic.terms]
"行政审批" = 3
"#;

fn err_of(text: &str) -> String {
    format!("{:#}", Taxonomy::parse(text, "my.toml").unwrap_err())
}

#[test]
fn broken_files_name_the_line() {
    // TOML syntax error on line 4.
    let e = err_of("[[topic]]\nname = \"a\"\n[topic.terms]\n\"a\" = = 3\n");
    assert!(e.starts_with("my.toml: line 4: "), "{e}");
    // Unknown field.
    let e = err_of("[[topic]]\nname = \"a\"\nweight = 2\n[topic.terms]\n\"a\" = 3\n");
    assert!(e.starts_with("my.toml: line "), "{e}");
    assert!(e.contains("weight"), "{e}");
    // Negative weight on line 5.
    let e = err_of("[[topic]]\nname = \"a\"\n[topic.terms]\n\"a\" = 3\n\"b\" = -1\n");
    assert!(e.starts_with("my.toml: line 5: "), "{e}");
    // A name reused as an alias of another topic, line 7.
    let e = err_of(
        "[[topic]]\nname = \"普法\"\n[topic.terms]\n\"普法\" = 3\n[[topic]]\nname = \"b\"\naliases = [\"普法\"]\n[topic.terms]\n\"b\" = 3\n",
    );
    assert!(e.starts_with("my.toml: line 7: "), "{e}");
    assert!(e.contains("普法"), "{e}");
    // Two spellings of one term once punctuation is ignored, line 5.
    let e = err_of(
        "[[topic]]\nname = \"a\"\n[topic.terms]\n\"双随机一公开\" = 3\n\"双随机、一公开\" = 2\n",
    );
    assert!(e.starts_with("my.toml: line "), "{e}");
    assert!(e.contains("punctuation"), "{e}");
    // A topic without scoring terms.
    let e = err_of("[[topic]]\nname = \"a\"\n[topic.terms]\n\"b\" = 0\n");
    assert!(e.contains("no terms"), "{e}");
    // No topics at all.
    assert!(err_of("").contains("no [[topic]]"));
    // Bad scoring parameter.
    let e = err_of("[scoring]\nb = 2\n[[topic]]\nname = \"a\"\n[topic.terms]\n\"a\" = 3\n");
    assert!(e.contains("between 0 and 1"), "{e}");
}

#[test]
fn too_many_topics_is_an_error() {
    let mut text = String::new();
    for i in 0..=fazhi::topics::MAX_TOPICS {
        text.push_str(&format!(
            "[[topic]]\nname = \"t{i}\"\n[topic.terms]\n\"词{i}\" = 1\n"
        ));
    }
    assert!(err_of(&text).contains("too many topics"));
}

#[test]
fn variants_and_fingerprint() {
    let t = Taxonomy::parse(SMALL, "small").unwrap();
    assert_eq!(t.names, vec!["宪法", "审批"]);
    assert_eq!(t.synonyms_of("审批服务"), vec!["审批服务", "行政审批"]);
    // An unweighted variant scores like its group's weighted member.
    let a = t.score_section("", "推进行政审批改革").scores[1];
    let b = t.score_section("", "推进审批服务改革").scores[1];
    assert!(a > 0.0 && (a - b).abs() < 1e-9, "{a} {b}");
    // Fingerprints: stable, sensitive to weights, blind to descriptions.
    let same = Taxonomy::parse(SMALL, "elsewhere").unwrap();
    assert_eq!(t.fingerprint(), same.fingerprint());
    let reweighted =
        Taxonomy::parse(&SMALL.replace("\"宪法日\" = 3", "\"宪法日\" = 2"), "x").unwrap();
    assert_ne!(t.fingerprint(), reweighted.fingerprint());
    let redescribed = Taxonomy::parse(
        &SMALL.replace("description = \"宪法宣传\"", "description = \"别的\""),
        "x",
    )
    .unwrap();
    assert_eq!(t.fingerprint(), redescribed.fingerprint());
    assert_ne!(t.fingerprint(), Taxonomy::builtin().fingerprint());
}

#[test]
fn load_for_corpus_prefers_explicit_then_beside_then_builtin() {
    let dir = fixture();
    let corpus = dir.path().join("corpus");
    assert_eq!(
        Taxonomy::load_for_corpus(&corpus, None).unwrap().source(),
        "built-in"
    );
    std::fs::write(corpus.join("topics.toml"), SMALL).unwrap();
    let beside = Taxonomy::load_for_corpus(&corpus, None).unwrap();
    assert_eq!(beside.names, vec!["宪法", "审批"]);
    let explicit = dir.path().join("other.toml");
    std::fs::write(
        &explicit,
        SMALL.replace("name = \"审批\"", "name = \"行政审批类\""),
    )
    .unwrap();
    let chosen = Taxonomy::load_for_corpus(&corpus, Some(&explicit)).unwrap();
    assert_eq!(chosen.names, vec!["宪法", "行政审批类"]);
    let missing = Taxonomy::load_for_corpus(&corpus, Some(&dir.path().join("nope.toml")));
    assert!(missing.is_err());
}

#[test]
fn cli_override_with_topics_file_and_rescoring() {
    let dir = fixture();
    let custom = dir.path().join("custom.toml");
    std::fs::write(&custom, SMALL).unwrap();
    // Built-in taxonomy first.
    fazhi(dir.path())
        .args(["index", "--quiet"])
        .assert()
        .success();
    let topics = json(
        &fazhi(dir.path())
            .args(["topics", "-f", "json"])
            .output()
            .unwrap(),
    );
    assert!(topics.as_array().unwrap().len() >= 14);
    // The index was scored with the built-in taxonomy: a custom one is refused clearly.
    let out = fazhi(dir.path())
        .arg("--taxonomy")
        .arg(&custom)
        .args(["topic", "宪法"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("fazhi index"), "{err}");
    // Re-indexing with it re-scores everything (no --rebuild needed).
    fazhi(dir.path())
        .arg("--taxonomy")
        .arg(&custom)
        .args(["index", "--quiet"])
        .assert()
        .success();
    let topics = json(
        &fazhi(dir.path())
            .arg("--taxonomy")
            .arg(&custom)
            .args(["topics", "-f", "json"])
            .output()
            .unwrap(),
    );
    let names: Vec<&str> = topics
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["宪法", "审批"]);
    let hits = json(
        &fazhi(dir.path())
            .arg("--taxonomy")
            .arg(&custom)
            .args(["topic", "宪法宣传", "-f", "json"])
            .output()
            .unwrap(),
    );
    let hits = hits.as_array().unwrap();
    assert!(!hits.is_empty());
    for h in hits {
        assert_eq!(h["topic"], "宪法");
        let terms: Vec<&str> = h["terms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["term"].as_str().unwrap())
            .collect();
        assert!(
            terms.iter().all(|t| *t == "宪法" || *t == "宪法日"),
            "{terms:?}"
        );
    }
    // Now the built-in taxonomy is the stranger.
    let out = fazhi(dir.path()).args(["topic", "普法"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn cli_topics_toml_beside_the_corpus() {
    let dir = fixture();
    std::fs::write(dir.path().join("corpus/topics.toml"), SMALL).unwrap();
    // Indexed (not crawled as a report) and used without any flag.
    let out = fazhi(dir.path()).args(["index"]).output().unwrap();
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("5 files seen"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let hits = json(
        &fazhi(dir.path())
            .args(["topic", "审批", "-f", "json"])
            .output()
            .unwrap(),
    );
    assert!(
        hits.as_array()
            .unwrap()
            .iter()
            .all(|h| h["topic"] == "审批")
    );
}

#[test]
fn cli_broken_file_is_a_usage_error_naming_the_line() {
    let dir = fixture();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[topic]]\nname = \"a\"\n[topic.terms]\n\"a\" = \"heavy\"\n",
    )
    .unwrap();
    let out = fazhi(dir.path())
        .arg("--taxonomy")
        .arg(&bad)
        .args(["index", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml: line 4:"), "{err}");
}

#[test]
fn cli_unknown_topic_and_no_hits() {
    let dir = fixture();
    fazhi(dir.path())
        .args(["index", "--quiet"])
        .assert()
        .success();
    let out = fazhi(dir.path())
        .args(["topic", "天气预报"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown topic") && err.contains("普法") && err.contains("未成年人保护"),
        "{err}"
    );
    // An alias resolves to its topic.
    let hits = json(
        &fazhi(dir.path())
            .args(["topic", "法制审核", "-n", "3", "-f", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(hits[0]["topic"], "合法性审查");
    // Filters that leave nothing: exit 1.
    let out = fazhi(dir.path())
        .args(["topic", "普法", "--bureau", "不存在的单位"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    // 疫情防控 only in reports about 2020-2021 here; 2023 reports barely mention it.
    let all = json(
        &fazhi(dir.path())
            .args(["topic", "疫情防控", "-n", "0", "-f", "json"])
            .output()
            .unwrap(),
    );
    let y2020 = json(
        &fazhi(dir.path())
            .args([
                "topic",
                "疫情防控",
                "--year",
                "2020",
                "-n",
                "0",
                "-f",
                "json",
            ])
            .output()
            .unwrap(),
    );
    assert!(y2020.as_array().unwrap().len() < all.as_array().unwrap().len());
    assert!(
        y2020
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["report_year"] == 2020)
    );
}
