//! A damaged index (issue 16.5): random bytes flipped in a copy of a small
//! index, then every read command run on it. No run may panic, hang or
//! print a backtrace; each either answers exactly as the undamaged index
//! does, or exits 2 with the one-line damaged-index message. An answer that
//! differs without an error (tantivy does not check its checksums when
//! reading, and checking a whole index on every search would cost more
//! than the search) must be caught by `fazhi index --verify`.
//!
//! A proptest with a few dozen cases, so it stays fast enough for CI; more
//! with `PROPTEST_CASES=500 cargo test --test robust_damage`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use proptest::prelude::*;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fazhi(index: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fazhi"));
    cmd.env_remove("FAZHI_CORPUS")
        .env_remove("FAZHI_INDEX")
        .env_remove("FAZHI_TAXONOMY")
        .env_remove("FAZHI_METADATA")
        .env_remove("RUST_BACKTRACE")
        .env("NO_COLOR", "1")
        .arg("--corpus")
        .arg(repo().join("corpus"))
        .arg("--index")
        .arg(index)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Run with a time limit: a damaged index must not make a command hang.
fn run_limited(mut cmd: Command) -> Output {
    let mut child = cmd.spawn().expect("spawn fazhi");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "{cmd:?} hung on a damaged index; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The read commands, as argument lists; `{out}` is an export file.
fn commands(section: &str) -> Vec<Vec<String>> {
    let list: &[&[&str]] = &[
        &["search", "法治", "-n", "0", "--format", "jsonl"],
        &["search", "\"法律顾问\"", "--format", "csv"],
        &["topic", "普法", "-n", "0", "--format", "jsonl"],
        &["bureaus", "法治", "--format", "json"],
        &["matrix", "--format", "csv"],
        &["export", "法治", "-f", "jsonl", "--force", "-o", "{out}"],
        &["stats", "--format", "json"],
        &["show", section, "--format", "json"],
    ];
    list.iter()
        .map(|args| args.iter().map(|a| a.to_string()).collect())
        .collect()
}

/// What a command answered: exit code, standard output, export file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Answer {
    code: Option<i32>,
    stdout: Vec<u8>,
    exported: Option<Vec<u8>>,
}

fn ask(index: &Path, args: &[String], scratch: &Path) -> (Answer, String) {
    let out_file = scratch.join("export.jsonl");
    let _ = std::fs::remove_file(&out_file);
    let mut cmd = fazhi(index);
    for a in args {
        if a == "{out}" {
            cmd.arg(&out_file);
        } else {
            cmd.arg(a);
        }
    }
    let out = run_limited(cmd);
    let answer = Answer {
        code: out.status.code(),
        stdout: out.stdout,
        exported: std::fs::read(&out_file).ok(),
    };
    (answer, String::from_utf8_lossy(&out.stderr).into_owned())
}

struct Baseline {
    _dir: tempfile::TempDir,
    index: PathBuf,
    /// Per command: its arguments and the undamaged answer.
    answers: Vec<(Vec<String>, Answer)>,
    /// Segment files (name, length), the targets of damage.
    files: Vec<(String, usize)>,
}

fn baseline() -> &'static Baseline {
    static BASELINE: OnceLock<Baseline> = OnceLock::new();
    BASELINE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        let out = Command::new(env!("CARGO_BIN_EXE_fazhi"))
            .env_remove("FAZHI_INDEX")
            .env("FAZHI_INDEX_THREADS", "1")
            .arg("--corpus")
            .arg(repo().join("corpus"))
            .arg("--index")
            .arg(&index)
            .args(["index", "-q"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // A section id to show: the first hit of a search.
        let (first, _) = ask(
            &index,
            &["search", "法治", "-n", "1", "--format", "jsonl"].map(String::from),
            dir.path(),
        );
        let hit: serde_json::Value =
            serde_json::from_slice(first.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
        let section = hit["section_id"].as_str().expect("section_id").to_string();
        let answers = commands(&section)
            .into_iter()
            .map(|args| {
                let (answer, stderr) = ask(&index, &args, dir.path());
                assert_eq!(
                    answer.code,
                    Some(0),
                    "{args:?} on the undamaged index: {stderr}"
                );
                (args, answer)
            })
            .collect();
        let mut files: Vec<(String, usize)> = std::fs::read_dir(&index)
            .unwrap()
            .map(|e| e.unwrap())
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let len = e.metadata().unwrap().len() as usize;
                // Segment files (tantivy's), not meta.json or fazhi's own.
                (name.len() > 33 && name.as_bytes()[32] == b'.' && len > 0).then_some((name, len))
            })
            .collect();
        files.sort();
        assert!(files.len() >= 5, "{files:?}");
        Baseline {
            _dir: dir,
            index,
            answers,
            files,
        }
    })
}

/// Copy a folder with its subfolders (the index keeps `reuse/` inside).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// How one run on a damaged copy ended.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Same,
    DamagedMessage,
    /// A different answer without an error.
    Different,
}

fn judge(
    index: &Path,
    args: &[String],
    expected: &Answer,
    answer: &Answer,
    stderr: &str,
) -> Verdict {
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{args:?} panicked on a damaged index: {stderr}"
    );
    assert!(
        matches!(answer.code, Some(0..=2)),
        "{args:?} ended with {:?} on a damaged index: {stderr}",
        answer.code
    );
    if answer == expected {
        return Verdict::Same;
    }
    if answer.code == Some(2) {
        let prefix = format!("fazhi: the index at {} is damaged (", index.display());
        assert!(
            stderr.starts_with(&prefix)
                && stderr.trim_end().ends_with("; run `fazhi index --rebuild`"),
            "{args:?}: exit 2 without the damaged-index message: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        return Verdict::DamagedMessage;
    }
    Verdict::Different
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn flipped_bytes_never_panic_and_never_pass_unnoticed(
        file in any::<prop::sample::Index>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..4),
    ) {
        let base = baseline();
        let tmp = tempfile::tempdir().unwrap();
        let index = tmp.path().join("index");
        copy_dir(&base.index, &index);
        let (name, len) = &base.files[file.index(base.files.len())];
        let path = index.join(name);
        let mut bytes = std::fs::read(&path).unwrap();
        for (at, xor) in &flips {
            bytes[at.index(*len)] ^= xor;
        }
        std::fs::write(&path, &bytes).unwrap();

        let mut different = Vec::new();
        for (args, expected) in &base.answers {
            let (answer, stderr) = ask(&index, args, tmp.path());
            if judge(&index, args, expected, &answer, &stderr) == Verdict::Different {
                different.push(args[0].clone());
            }
        }
        // Every flip is in a checksummed file: --verify names it.
        let out = run_limited({
            let mut c = fazhi(&index);
            c.args(["index", "--verify"]);
            c
        });
        let stderr = String::from_utf8_lossy(&out.stderr);
        prop_assert_eq!(out.status.code(), Some(2), "--verify missed damage in {}: {}", name, stderr);
        prop_assert!(stderr.contains(name.as_str()), "{}", stderr);
        if !different.is_empty() {
            eprintln!("{name}: answered differently without an error (found by --verify): {different:?}");
        }
    }
}

/// `--verify` on an intact index: exit 0, nothing on stderr.
#[test]
fn verify_passes_an_intact_index() {
    let base = baseline();
    let out = run_limited({
        let mut c = fazhi(&base.index);
        c.args(["index", "--verify"]);
        c
    });
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("is intact"));
}
