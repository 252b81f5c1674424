//! The index folder and single files (issues 15.9, 15.11, 16.3, 16.6–16.8):
//! a foreign folder is never written, an explicit missing index is never
//! built unasked, leftovers of a crash are removed, `parse` on a FIFO or a
//! missing file answers at once, a stray NUL is not "binary", an unreadable
//! file counts as removed, a heading bomb becomes one plain-text section.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fazhi() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fazhi"));
    cmd.env_remove("FAZHI_CORPUS")
        .env_remove("FAZHI_INDEX")
        .env_remove("FAZHI_TAXONOMY")
        .env_remove("FAZHI_METADATA")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    cmd
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A copy of the bundled corpus in `dir/corpus`.
fn corpus_in(dir: &Path) -> PathBuf {
    let corpus = dir.join("corpus");
    fs::create_dir_all(&corpus).unwrap();
    for entry in fs::read_dir(repo().join("corpus")).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), corpus.join(entry.file_name())).unwrap();
    }
    corpus
}

fn index(corpus: &Path, index: &Path, extra: &[&str]) -> Output {
    fazhi()
        .arg("--corpus")
        .arg(corpus)
        .arg("--index")
        .arg(index)
        .arg("index")
        .args(extra)
        .output()
        .unwrap()
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| text(&o.stdout).trim() == "0")
}

#[test]
fn a_folder_of_other_files_is_refused_and_left_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = corpus_in(tmp.path());
    let mine = tmp.path().join("mydocs");
    fs::create_dir_all(mine.join("sub")).unwrap();
    fs::write(mine.join("thesis.docx"), "mine").unwrap();
    let before = listing(&mine);

    let out = index(&corpus, &mine, &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.trim(),
        format!(
            "fazhi: {} is not a fazhi index and is not empty; give --index a new or empty folder (fazhi writes nothing here)",
            mine.display()
        )
    );
    assert_eq!(listing(&mine), before, "something was written");
    // --rebuild and searches are refused the same way.
    assert_eq!(index(&corpus, &mine, &["--rebuild"]).status.code(), Some(2));
    let out = fazhi()
        .arg("--corpus")
        .arg(&corpus)
        .env("FAZHI_INDEX", &mine)
        .args(["search", "法治"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("is not a fazhi index"));
    assert_eq!(listing(&mine), before, "something was written");

    // An empty folder is fine, and --rebuild there keeps files fazhi did not write.
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    assert_eq!(index(&corpus, &empty, &["-q"]).status.code(), Some(0));
    fs::write(empty.join("notes.txt"), "mine").unwrap();
    let out = index(&corpus, &empty, &["-q", "--rebuild"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(fs::read_to_string(empty.join("notes.txt")).unwrap(), "mine");
}

#[test]
fn only_the_default_index_is_built_unasked() {
    let tmp = tempfile::tempdir().unwrap();
    corpus_in(tmp.path());
    for cmd in [
        &["search", "法治"][..],
        &["stats"],
        &["show", "x"],
        &["topics"],
        &["matrix"],
        &["bureaus", "法治"],
        &["topic", "普法"],
    ] {
        // --index given (flag, flag=, env): an error saying how to build it.
        for how in ["flag", "equals", "env"] {
            let mut c = fazhi();
            c.current_dir(tmp.path());
            match how {
                "flag" => c.args(["--index", "typo"]),
                "equals" => c.arg("--index=typo"),
                _ => c.env("FAZHI_INDEX", "typo"),
            };
            let out = c.args(cmd).output().unwrap();
            let stderr = text(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{cmd:?} {how}: {stderr}");
            assert_eq!(
                stderr.trim(),
                "fazhi: no index at typo; build it with `fazhi index --index typo` (or leave out --index to use ./index)",
                "{cmd:?} {how}"
            );
            assert!(!tmp.path().join("typo").exists(), "{cmd:?} {how} built it");
        }
    }
    // The defaults build ./index from ./corpus, as the README's first command does.
    let out = fazhi()
        .current_dir(tmp.path())
        .args(["search", "法治"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(tmp.path().join("index/meta.json").is_file());
    // `index` itself builds wherever it is told.
    let out = fazhi()
        .current_dir(tmp.path())
        .args(["--index", "typo", "index", "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// Files of an interrupted run (segments no commit names, a second
/// manifest) are removed by the next run, even one that changes nothing.
#[test]
fn leftovers_are_removed_by_the_next_run() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = corpus_in(tmp.path());
    let idx = tmp.path().join("index");
    assert!(index(&corpus, &idx, &["-q"]).status.success());
    let clean = listing(&idx);

    // What a killed writer leaves: segment files tantivy registered but no
    // commit names, and a manifest of a commit that never happened.
    let orphan = "0123456789abcdef0123456789abcdef";
    let managed_path = idx.join(".managed.json");
    let mut managed: Vec<String> =
        serde_json::from_str(&fs::read_to_string(&managed_path).unwrap()).unwrap();
    for ext in ["idx", "pos", "store", "term"] {
        let name = format!("{orphan}.{ext}");
        fs::write(idx.join(&name), vec![7u8; 4096]).unwrap();
        managed.push(name);
    }
    fs::write(&managed_path, serde_json::to_string(&managed).unwrap()).unwrap();
    fs::write(idx.join("fazhi-manifest-1.json"), "{}").unwrap();
    assert_ne!(listing(&idx), clean);

    let out = index(&corpus, &idx, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("0 indexed"),
        "{}",
        text(&out.stdout)
    );
    let after = listing(&idx);
    assert!(
        !after.iter().any(|n| n.starts_with(orphan)),
        "orphan segment files stayed: {after:?}"
    );
    assert_eq!(after, clean, "leftovers stayed");
    let out = fazhi()
        .arg("--index")
        .arg(&idx)
        .args(["index", "--verify"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
}

fn parse_limited(args: &[&Path]) -> Output {
    let mut child = fazhi()
        .arg("parse")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("fazhi parse {args:?} hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn parse_on_special_and_missing_files_answers_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("pipe.txt");
    let status = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    let mut special = vec![fifo];
    if is_root() {
        let dev = tmp.path().join("zero.txt");
        let made = Command::new("mknod")
            .arg(&dev)
            .args(["c", "1", "5"])
            .status()
            .is_ok_and(|s| s.success());
        if made {
            special.push(dev);
        }
    }
    let good = repo().join("corpus/000_700b0228d684de86.txt");
    for path in &special {
        let out = parse_limited(&[path, &good]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert_eq!(
            stderr.trim(),
            format!(
                "fazhi: {}: not a regular file (a named pipe, device or socket), skipped",
                path.display()
            )
        );
        assert!(
            text(&out.stdout).contains("sections:"),
            "the good file is still parsed"
        );
    }
    let missing = tmp.path().join("nothere.txt");
    let out = parse_limited(&[&missing]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr).trim(),
        format!("fazhi: {}: no such file", missing.display())
    );
}

#[test]
fn one_nul_in_a_report_does_not_make_it_binary() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bytes = fs::read(repo().join("corpus/000_700b0228d684de86.txt")).unwrap();
    let middle = bytes.len() / 2;
    // A NUL at a line start, where it cannot split a UTF-8 sequence.
    let at = middle + bytes[middle..].iter().position(|&b| b == b'\n').unwrap() + 1;
    bytes.insert(at, 0);
    let file = tmp.path().join("nul.txt");
    fs::write(&file, &bytes).unwrap();
    let out = parse_limited(&[&file]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("encoding:    UTF-8"));
}

/// A file that was indexed and became unreadable leaves the index and the
/// summary counts it as removed (and as skipped, with the reason).
#[test]
fn an_unreadable_indexed_file_counts_as_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = corpus_in(tmp.path());
    let idx = tmp.path().join("index");
    assert!(index(&corpus, &idx, &["-q"]).status.success());
    let victim = corpus.join("001_dd28fcdd2941aef0.txt");
    // As root, permissions do not stop reads: replace it with a FIFO,
    // which is unreadable to `fazhi index` for any user.
    fs::remove_file(&victim).unwrap();
    assert!(
        Command::new("mkfifo")
            .arg(&victim)
            .status()
            .unwrap()
            .success()
    );
    let out = index(&corpus, &idx, &[]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.contains(" 1 removed"), "{stdout}");
    let out = fazhi()
        .arg("--index")
        .arg(&idx)
        .args(["stats", "--format", "json"])
        .output()
        .unwrap();
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stats["reports"], 4, "{stats}");
}

/// The heading bomb: far more `1.法` lines than MAX_HEADINGS. Bounded by
/// count: one plain-text section and a warning, not a section per line.
#[test]
fn a_heading_bomb_is_indexed_as_one_plain_text_section() {
    let max = fazhi::report::sections::MAX_HEADINGS;
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    fs::create_dir(&corpus).unwrap();
    fs::write(corpus.join("bomb.txt"), "1.法\n".repeat(max * 3)).unwrap();
    let mut under = String::from("某某县教育局2023年度法治政府建设工作报告\n");
    for i in 0..max {
        // Numbers past 99 are not headings: repeat 1–99 (siblings all).
        under.push_str(&format!("{}.要点{i}\n", i % 99 + 1));
    }
    fs::write(corpus.join("under.txt"), under).unwrap();
    let idx = tmp.path().join("index");
    let out = index(&corpus, &idx, &[]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        stderr.trim(),
        format!(
            "fazhi: warning: {}: more than {max} headings; indexed as plain text (one section)",
            corpus.join("bomb.txt").display()
        )
    );
    let manifest: serde_json::Value = {
        let name = listing(&idx)
            .into_iter()
            .find(|n| n.starts_with("fazhi-manifest-"))
            .unwrap();
        serde_json::from_str(&fs::read_to_string(idx.join(name)).unwrap()).unwrap()
    };
    assert_eq!(manifest["bomb.txt"]["sections"], 1);
    // At the limit, every heading is a section (plus the title's preamble).
    let under_sections = manifest["under.txt"]["sections"].as_u64().unwrap() as usize;
    assert!(
        (max..=max + 1).contains(&under_sections),
        "{under_sections}"
    );
}
