//! Paths that open (issue 15.2): the index stores paths relative to the
//! corpus; hits print them so that they open from the folder the user runs
//! fazhi in, and `show` reads back every spelling of them.

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::{Fixture, stderr, stdout};
use serde_json::Value;

/// `fazhi` run in `dir` on the fixture's index.
fn fazhi_in(f: &Fixture, dir: &Path) -> Command {
    let mut c = f.cmd();
    c.current_dir(dir).arg("--index").arg(f.index());
    c
}

/// The first hit of `search 法治` run in `dir`.
fn first_hit(f: &Fixture, dir: &Path) -> Value {
    let out = fazhi_in(f, dir)
        .args(["search", "法治", "-n", "1", "-f", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let hits: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    hits[0].clone()
}

fn canonical(p: &Path) -> std::path::PathBuf {
    std::fs::canonicalize(p).unwrap()
}

#[test]
fn printed_paths_open_from_where_the_user_stands() {
    let f = Fixture::indexed();
    let elsewhere = tempfile::tempdir().unwrap();
    let sub = f.dir.path().join("notes");
    std::fs::create_dir(&sub).unwrap();
    let root = f.dir.path().to_path_buf();
    let corpus = f.corpus();
    for (dir, shape) in [
        (&root, "relative"),
        (&corpus, "relative"),
        (&sub, "absolute"),
        (&elsewhere.path().to_path_buf(), "absolute"),
    ] {
        let hit = first_hit(&f, dir);
        let path = hit["path"].as_str().unwrap();
        assert_eq!(
            Path::new(path).is_absolute(),
            shape == "absolute",
            "{path} from {}",
            dir.display()
        );
        assert!(!path.contains(".."), "{path}");
        let opened = dir.join(path);
        assert!(
            opened.is_file(),
            "{path} does not open from {}",
            dir.display()
        );
        assert_eq!(
            canonical(&opened).parent().unwrap(),
            canonical(&corpus),
            "{path}"
        );
    }
    // Beside the corpus, as before: `corpus/…`.
    let hit = first_hit(&f, &root);
    assert!(
        hit["path"].as_str().unwrap().starts_with("corpus/"),
        "{hit}"
    );
    // Inside it: the file name alone.
    let hit = first_hit(&f, &corpus);
    assert!(!hit["path"].as_str().unwrap().contains('/'), "{hit}");
}

#[test]
fn an_index_built_with_an_absolute_corpus_path_prints_the_same_paths() {
    let f = Fixture::new();
    let out = f
        .cmd()
        .arg("--corpus")
        .arg(canonical(&f.corpus()))
        .args(["index", "--quiet"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let hit = first_hit(&f, f.dir.path());
    assert!(
        hit["path"].as_str().unwrap().starts_with("corpus/"),
        "{hit}"
    );
}

#[test]
fn show_accepts_every_spelling_of_a_printed_path() {
    let f = Fixture::indexed();
    let root = f.dir.path();
    let hit = first_hit(&f, root);
    let path = hit["path"].as_str().unwrap().to_string();
    let line = hit["line_start"].as_u64().unwrap();
    let id = hit["section_id"].as_str().unwrap().to_string();
    let abs = canonical(&root.join(&path));
    let name = Path::new(&path).file_name().unwrap().to_str().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let spellings: Vec<(std::path::PathBuf, String)> = vec![
        (root.to_path_buf(), format!("{path}:{line}")),
        (root.to_path_buf(), format!("./{path}:{line}")),
        (root.to_path_buf(), format!("{}:{line}", abs.display())),
        (root.to_path_buf(), format!("{name}:{line}")),
        (f.corpus(), format!("{name}:{line}")),
        (f.corpus(), format!("./{name}:{line}")),
        (
            elsewhere.path().to_path_buf(),
            format!("{}:{line}", abs.display()),
        ),
        // Typed as printed in another folder: its unique ending.
        (elsewhere.path().to_path_buf(), format!("{path}:{line}")),
    ];
    for (dir, spelled) in spellings {
        let out = fazhi_in(&f, &dir)
            .args(["show", &spelled, "-f", "json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "show {spelled} in {}: {}",
            dir.display(),
            stderr(&out)
        );
        let shown: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(shown.len(), 1, "{spelled}");
        assert_eq!(shown[0]["section_id"], id.as_str(), "{spelled}");
    }
    // The whole report, by its path alone.
    let out = f.run(&["show", &path, "-f", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let all: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(all.len() > 1);
}

#[test]
fn a_line_outside_the_report_is_an_error_not_the_last_section() {
    let f = Fixture::indexed();
    let hit = first_hit(&f, f.dir.path());
    let path = hit["path"].as_str().unwrap();
    for line in ["9999", "0"] {
        let out = f.run(&["show", &format!("{path}:{line}")]);
        assert_eq!(out.status.code(), Some(2), "{line}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(err.starts_with("fazhi: "), "{err}");
        assert!(err.contains(&format!("no section at line {line}")), "{err}");
        assert!(stdout(&out).is_empty());
    }
    let out = f.run(&["show", "corpus/nothere.txt:3"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no such section"), "{}", stderr(&out));
}

#[test]
fn exports_and_topic_hits_carry_the_same_openable_path_as_search() {
    let f = Fixture::indexed();
    let elsewhere = tempfile::tempdir().unwrap();
    let out_file = elsewhere.path().join("hits.jsonl");
    let out = fazhi_in(&f, elsewhere.path())
        .args(["export", "法治", "-o"])
        .arg(&out_file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    for row in common::jsonl(&out_file) {
        let path = row["path"].as_str().unwrap();
        assert!(Path::new(path).is_file(), "{path}");
    }
    let out = fazhi_in(&f, elsewhere.path())
        .args(["topic", "普法", "-n", "3", "-f", "jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    for line in stdout(&out).lines() {
        let row: Value = serde_json::from_str(line).unwrap();
        assert!(Path::new(row["path"].as_str().unwrap()).is_file(), "{row}");
    }
}

#[test]
fn a_moved_corpus_is_recorded_without_re_reading_its_reports() {
    let f = Fixture::indexed();
    let moved = f.dir.path().join("reports");
    std::fs::rename(f.corpus(), &moved).unwrap();
    let out = f.run(&["--corpus", "reports", "index"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = stdout(&out) + &stderr(&out);
    assert!(summary.contains("0 indexed"), "{summary}");
    let hit = first_hit(&f, f.dir.path());
    let path = hit["path"].as_str().unwrap();
    assert!(path.starts_with("reports/"), "{path}");
    assert!(f.dir.path().join(path).is_file(), "{path}");
}
