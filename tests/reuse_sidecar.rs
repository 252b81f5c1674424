//! The reuse sidecar `INDEX/reuse/` on disk (issue 20): the build's workers
//! fingerprint each file they parse (the update after the commit reads no
//! file again), a spill left behind counts only for the content it was
//! computed for, and damaged sidecar files are recomputed, never read as
//! other fingerprints. Runs the real binary on the bundled seed reports.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use fazhi::index::FileText;
use fazhi::reuse::Spill;
use serde_json::Value;

fn seed(name: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(name))
        .unwrap_or_else(|| panic!("no seed {name}"));
    std::fs::read_to_string(file).unwrap()
}

struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    /// Three reports: `a.txt`, its copy `b.txt` with other names and
    /// years, and an unrelated `c.txt`.
    fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let s = Setup { dir };
        std::fs::create_dir_all(s.corpus()).unwrap();
        s.write("a.txt", &seed("000"));
        s.write(
            "b.txt",
            &seed("000").replace("长春", "四平").replace("2020", "2022"),
        );
        s.write("c.txt", &seed("001"));
        s
    }
    fn corpus(&self) -> PathBuf {
        self.dir.path().join("corpus")
    }
    fn index(&self) -> PathBuf {
        self.dir.path().join("index")
    }
    fn reuse(&self) -> PathBuf {
        self.index().join("reuse")
    }
    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.corpus().join(name), text).unwrap();
    }
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_fazhi"))
            .arg("--corpus")
            .arg(self.corpus())
            .arg("--index")
            .arg(self.index())
            .args(args)
            .env("NO_COLOR", "1")
            .output()
            .expect("run fazhi")
    }
    /// The `reuse:` line of `fazhi index`, and its stderr.
    fn index_line(&self) -> (String, String) {
        let out = self.run(&["index"]);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{stderr}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let line = stdout
            .lines()
            .find(|l| l.starts_with("reuse:"))
            .unwrap_or_else(|| panic!("no reuse line in {stdout}"))
            .to_string();
        (line, stderr)
    }
    /// The partners of `a.txt`, by file name, and stderr.
    fn partners_of_a(&self) -> (Vec<String>, String) {
        let out = self.run(&["reuse", "--doc", "a.txt", "-f", "json"]);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{stderr}");
        let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        let mut names: Vec<String> = rows
            .iter()
            .flat_map(|r| [&r["earlier"]["path"], &r["later"]["path"]])
            .map(|p| {
                Path::new(p.as_str().unwrap())
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|n| n != "a.txt")
            .collect();
        names.sort();
        (names, stderr)
    }
    /// rel_path → (doc id, content hash) from the index manifest.
    fn manifest(&self) -> Value {
        let file = std::fs::read_dir(self.index())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("fazhi-manifest-")
            })
            .expect("a manifest");
        serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap()
    }
}

#[test]
fn the_build_fingerprints_every_file_and_leaves_no_spill() {
    let s = Setup::new();
    let (line, _) = s.index_line();
    assert!(
        line.starts_with("reuse: 3 reports fingerprinted (0 read after the build), 0 kept"),
        "{line}"
    );
    assert!(!s.reuse().join("prints.spill").exists());
    assert!(s.reuse().join("reports.bin").is_file());
    assert!(s.reuse().join("result.bin").is_file());
    assert_eq!(s.partners_of_a().0, vec!["b.txt"]);

    // A changed file: fingerprinted by the build, the others kept.
    s.write("c.txt", &format!("{}\n补充说明。\n", seed("001")));
    let (line, _) = s.index_line();
    assert!(
        line.starts_with("reuse: 1 reports fingerprinted (0 read after the build), 2 kept"),
        "{line}"
    );

    // Without a sidecar (an index built by an older fazhi): every report
    // is read again after a build that parsed none.
    std::fs::remove_dir_all(s.reuse()).unwrap();
    let (line, _) = s.index_line();
    assert!(
        line.starts_with("reuse: 3 reports fingerprinted (3 read after the build), 0 kept"),
        "{line}"
    );
    assert_eq!(s.partners_of_a().0, vec!["b.txt"]);
}

#[test]
fn a_left_over_spill_counts_only_for_the_content_it_was_computed_for() {
    let s = Setup::new();
    s.index_line();
    let manifest = s.manifest();
    let entry = |name: &str| {
        let e = &manifest[name];
        (
            e["doc_id"].as_str().unwrap().to_string(),
            e["content_hash"].as_str().unwrap().to_string(),
        )
    };
    // A spill of a run killed before its update: b.txt as it was before
    // (another content hash, other text), c.txt as it is.
    let spill = Spill::new(&s.index());
    let (b_id, _) = entry("b.txt");
    let other = seed("002");
    spill.add(&FileText {
        rel_path: "b.txt",
        doc_id: &b_id,
        content_hash: "0123456789abcdef",
        bytes: other.as_bytes(),
        text: &other,
    });
    let (c_id, c_hash) = entry("c.txt");
    let c = std::fs::read_to_string(s.corpus().join("c.txt")).unwrap();
    spill.add(&FileText {
        rel_path: "c.txt",
        doc_id: &c_id,
        content_hash: &c_hash,
        bytes: c.as_bytes(),
        text: &c,
    });
    assert_eq!(spill.finish().unwrap(), 2);
    for name in ["reports.bin", "result.bin"] {
        std::fs::remove_file(s.reuse().join(name)).unwrap();
    }
    let (line, _) = s.index_line();
    assert!(
        line.starts_with("reuse: 3 reports fingerprinted (2 read after the build), 0 kept"),
        "{line}"
    );
    assert!(!s.reuse().join("prints.spill").exists());
    // b.txt's stale record was not used: the copy is still found.
    assert_eq!(s.partners_of_a().0, vec!["b.txt"]);
}

#[test]
fn damaged_sidecar_files_are_recomputed() {
    let s = Setup::new();
    s.index_line();
    let (want, _) = s.partners_of_a();
    assert_eq!(want, vec!["b.txt"]);
    let result = s.reuse().join("result.bin");
    let reports = s.reuse().join("reports.bin");
    let (result_bytes, reports_bytes) = (
        std::fs::read(&result).unwrap(),
        std::fs::read(&reports).unwrap(),
    );

    for at in [9, result_bytes.len() / 2, result_bytes.len() - 1] {
        // Cut, then one byte changed: a warning and the same pairs.
        std::fs::write(&result, &result_bytes[..at]).unwrap();
        let (got, stderr) = s.partners_of_a();
        assert_eq!(got, want);
        assert!(stderr.contains("damaged reuse data"), "{stderr}");
        let mut changed = result_bytes.clone();
        changed[at] ^= 0x10;
        std::fs::write(&result, &changed).unwrap();
        let (got, stderr) = s.partners_of_a();
        assert_eq!(got, want);
        assert!(stderr.contains("damaged reuse data"), "{stderr}");
        std::fs::write(&result, &result_bytes).unwrap();
    }

    for (i, at) in [20, reports_bytes.len() / 2, reports_bytes.len() - 2]
        .into_iter()
        .enumerate()
    {
        let mut changed = reports_bytes[..at].to_vec();
        if i % 2 == 0 {
            changed.extend_from_slice(&reports_bytes[at..]);
            changed[at] ^= 0x01;
        }
        std::fs::write(&reports, &changed).unwrap();
        // Another change to index: the update reads the stored
        // fingerprints, finds them damaged and reads every report again.
        s.write("c.txt", &format!("{}\n补充说明第{i}条。\n", seed("001")));
        let (line, stderr) = s.index_line();
        assert!(stderr.contains("damaged reuse data"), "{stderr}");
        assert!(
            line.starts_with("reuse: 3 reports fingerprinted (2 read after the build), 0 kept"),
            "{line}"
        );
        assert_eq!(s.partners_of_a().0, want);
    }
}
