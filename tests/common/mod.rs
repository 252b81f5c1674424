//! Shared helpers for the CLI integration tests: a private copy of the bundled
//! corpus and an index built from it by the real binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temp folder with `corpus/` (copy of the bundled reports) and `index/`.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    /// Copy the corpus; do not index yet.
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir(&corpus).unwrap();
        for entry in std::fs::read_dir(repo().join("corpus")).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), corpus.join(entry.file_name())).unwrap();
        }
        Fixture { dir }
    }

    /// Copy the corpus and build the index.
    pub fn indexed() -> Fixture {
        let f = Fixture::new();
        f.cmd().args(["index", "--quiet"]).assert().success();
        f
    }

    /// Append `extra` to the first `.txt` report of the corpus; returns its
    /// path and new text (then re-index to get an incremental run).
    pub fn append_to_a_report(&self, extra: &str) -> (PathBuf, String) {
        let file = std::fs::read_dir(self.corpus())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "txt"))
            .expect("a .txt report in the corpus");
        let mut text = std::fs::read_to_string(&file).unwrap();
        text.push_str(extra);
        std::fs::write(&file, &text).unwrap();
        (file, text)
    }

    pub fn corpus(&self) -> PathBuf {
        self.dir.path().join("corpus")
    }

    pub fn index(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    /// `fazhi` run inside the fixture folder (so the defaults ./corpus and ./index apply).
    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("fazhi").unwrap();
        c.current_dir(self.dir.path())
            .env_remove("FAZHI_INDEX")
            .env_remove("FAZHI_CORPUS")
            .env_remove("FAZHI_TOPICS")
            .env_remove("FAZHI_METADATA")
            .env("NO_COLOR", "1");
        c
    }

    /// Run with arguments and return the output (any exit code).
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Run a search with JSON output and parse the hits (empty on exit 1).
    pub fn search_json(&self, args: &[&str]) -> Vec<serde_json::Value> {
        let mut all = vec!["search", "--format", "json"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        let code = out.status.code().unwrap();
        assert!(
            code == 0 || code == 1,
            "search {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if code == 1 {
            return Vec::new();
        }
        serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout).unwrap()
    }
}

/// The values of a JSON-lines file.
pub fn jsonl(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn file_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// `fazhi` run in the repository root, with the env overrides removed.
pub fn fazhi_in_repo() -> Command {
    let mut c = Command::cargo_bin("fazhi").expect("binary");
    c.current_dir(repo())
        .env_remove("FAZHI_INDEX")
        .env_remove("FAZHI_CORPUS")
        .env_remove("FAZHI_TAXONOMY")
        .env("NO_COLOR", "1");
    c
}

/// One index of the bundled corpus per test binary, built by `fazhi index`
/// into a temp folder that lives as long as the process.
pub fn shared_index() -> &'static Path {
    static INDEX: std::sync::OnceLock<(tempfile::TempDir, PathBuf)> = std::sync::OnceLock::new();
    &INDEX
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("tempdir");
            let index = dir.path().join("index");
            let out = fazhi_in_repo()
                .args(["--corpus", "corpus", "--index"])
                .arg(&index)
                .arg("index")
                .output()
                .expect("run fazhi index");
            assert!(out.status.success(), "fazhi index failed: {}", stderr(&out));
            (dir, index)
        })
        .1
}
