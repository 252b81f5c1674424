//! Crashes and concurrency: a `fazhi index` killed with SIGKILL, two
//! concurrent runs, searches during a run, a read-only index folder and a
//! full disk. The index must always answer from its last commit, and the
//! next run must leave it identical in content to a clean rebuild.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tantivy::schema::document::TantivyDocument;
use tantivy::{DocAddress, Document};

fn fazhi() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fazhi"));
    cmd.env_remove("FAZHI_CORPUS")
        .env_remove("FAZHI_INDEX")
        .env_remove("FAZHI_TAXONOMY")
        .stdin(Stdio::null());
    cmd
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn index_cmd(corpus: &Path, index: &Path) -> Command {
    let mut cmd = fazhi();
    cmd.arg("--corpus")
        .arg(corpus)
        .arg("--index")
        .arg(index)
        .args(["index", "-q"]);
    cmd
}

fn index_ok(corpus: &Path, index: &Path, extra: &[&str]) -> Output {
    let out = index_cmd(corpus, index).args(extra).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "fazhi index failed:\n{}",
        text(&out.stderr)
    );
    out
}

fn spawn_index(corpus: &Path, index: &Path) -> Child {
    index_cmd(corpus, index)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The bundled seed reports: (file name, UTF-8 text), sorted.
fn seeds() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut seeds: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    seeds.sort();
    assert!(seeds.len() >= 5, "bundled seeds missing");
    seeds
}

/// Write `count` reports named `<prefix>-<i>-<seed>`; each gets a unique
/// line so that no two files have the same content.
fn write_reports(corpus: &Path, prefix: &str, count: usize) -> Vec<PathBuf> {
    fs::create_dir_all(corpus).unwrap();
    let seeds = seeds();
    (0..count)
        .map(|i| {
            let (name, body) = &seeds[i % seeds.len()];
            let path = corpus.join(format!("{prefix}-{i:05}-{name}"));
            fs::write(&path, format!("{body}\n附：本报告副本编号{prefix}{i}。\n")).unwrap();
            path
        })
        .collect()
}

/// Every live document of the index as JSON, sorted: the index's content.
fn dump(index: &Path) -> Vec<String> {
    let handle = fazhi::index::open(index).expect("index opens");
    let searcher = handle.reader.searcher();
    let schema = handle.index.schema();
    let mut docs = Vec::new();
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        for doc in segment.doc_ids_alive() {
            let d: TantivyDocument = searcher.doc(DocAddress::new(ord as u32, doc)).unwrap();
            docs.push(d.to_json(&schema));
        }
    }
    docs.sort();
    docs
}

fn manifest(index: &Path) -> fazhi::index::Manifest {
    let handle = fazhi::index::open(index).expect("index opens");
    fazhi::index::read_manifest(index, &handle.info).expect("manifest reads")
}

/// Number of sections a search for 法治 returns (`Err` holds stderr).
fn search_count(index: &Path) -> Result<usize, String> {
    let out = fazhi()
        .arg("--index")
        .arg(index)
        .args(["search", "法治", "--limit", "0", "--format", "json"])
        .output()
        .unwrap();
    match out.status.code() {
        Some(0) | Some(1) => {
            let hits: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout)
                .map_err(|e| format!("bad JSON ({e}): {}", text(&out.stdout)))?;
            Ok(hits.len())
        }
        code => Err(format!("exit {code:?}: {}", text(&out.stderr))),
    }
}

/// (reports, sections) from `fazhi stats --format json`.
fn stats(index: &Path) -> Result<(u64, u64), String> {
    let out = fazhi()
        .arg("--index")
        .arg(index)
        .args(["stats", "--format", "json"])
        .output()
        .unwrap();
    if !out.status.success() {
        return Err(format!(
            "exit {:?}: {}",
            out.status.code(),
            text(&out.stderr)
        ));
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    Ok((
        v["reports"].as_u64().unwrap(),
        v["sections"].as_u64().unwrap(),
    ))
}

/// Wait until `fazhi index` (child) holds the writer lock of `index`.
fn wait_for_lock(child: &mut Child, index: &Path) {
    let lock = index.join(".fazhi-index.lock");
    let pid = child.id().to_string();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if fs::read_to_string(&lock).is_ok_and(|s| s.trim() == pid) {
            return;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("fazhi index ended ({status}) before it was seen holding the lock");
        }
        assert!(Instant::now() < deadline, "fazhi index never took the lock");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| text(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

// ---------------------------------------------------------------------------

/// SIGKILL at several points of an incremental run: searches answer from the
/// last commit every time, and the next run completes and leaves the same
/// content as a clean rebuild.
#[test]
fn sigkill_during_index_keeps_last_commit_and_next_run_recovers() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let index = tmp.path().join("index");
    let old = write_reports(&corpus, "a", 60);
    index_ok(&corpus, &index, &[]);
    let state_a = dump(&index);
    let count_a = search_count(&index).unwrap();
    let stats_a = stats(&index).unwrap();
    assert!(stats_a.0 == 60 && count_a > 0, "{stats_a:?} {count_a}");

    // Changes: many new files, some modified, some deleted.
    write_reports(&corpus, "b", 400);
    for path in old.iter().take(10) {
        let mut body = fs::read_to_string(path).unwrap();
        body.push_str("\n（七）补充说明\n本年度新增行政复议案件十二件。\n");
        fs::write(path, body).unwrap();
    }
    for path in old.iter().skip(50) {
        fs::remove_file(path).unwrap();
    }

    // What a completed run leaves: a kill after the commit (during the
    // text-reuse update that follows it) may leave this instead of A.
    let clean = tmp.path().join("clean");
    index_ok(&corpus, &clean, &["--rebuild"]);
    let state_b = (search_count(&clean), stats(&clean), dump(&clean));
    let mut killed_mid_run = 0;
    for delay_ms in [0, 400, 1500] {
        let mut child = spawn_index(&corpus, &index);
        wait_for_lock(&mut child, &index);
        std::thread::sleep(Duration::from_millis(delay_ms));
        if let Some(status) = child.try_wait().unwrap() {
            eprintln!("note: run finished ({status}) before the kill at {delay_ms} ms");
            break;
        }
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        assert!(!status.success(), "killed run reported success");
        killed_mid_run += 1;
        // The index still answers, from the last commit: all of state A,
        // or all of the completed run's state, never a mix.
        let now = (search_count(&index), stats(&index), dump(&index));
        let is_a = now.0 == Ok(count_a) && now.1 == Ok(stats_a) && now.2 == state_a;
        assert!(
            is_a || now == state_b,
            "after a kill at {delay_ms} ms the index is neither the last commit nor the next: search {:?}, stats {:?}",
            now.0,
            now.1
        );
    }
    assert!(
        killed_mid_run >= 2,
        "the indexing run was too fast to be killed mid-run; enlarge the corpus"
    );

    // The next run completes and equals a clean rebuild.
    let out = index_ok(&corpus, &index, &[]);
    assert!(text(&out.stderr).trim().is_empty(), "{}", text(&out.stderr));
    let recovered = dump(&index);
    assert_eq!(recovered.len(), dump(&clean).len());
    assert!(
        recovered == dump(&clean),
        "recovered index differs from a clean rebuild"
    );
    assert_eq!(manifest(&index), manifest(&clean));
    assert_eq!(stats(&index).unwrap().0, 450);
    // Killed runs leave orphan manifests; the completed run removes them.
    let manifests = fs::read_dir(&index)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("fazhi-manifest-")
        })
        .count();
    assert_eq!(manifests, 1, "orphan manifests left behind");
}

/// A first-ever `fazhi index` killed before its commit: searches say what
/// happened, and the next `fazhi index` completes without `--rebuild`.
#[test]
fn sigkill_during_first_build_then_index_again() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let index = tmp.path().join("index");
    write_reports(&corpus, "f", 250);
    let mut child = spawn_index(&corpus, &index);
    wait_for_lock(&mut child, &index);
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "first build finished before the kill; enlarge the corpus"
    );
    child.kill().unwrap();
    child.wait().unwrap();

    // Nothing was committed: a search must not pretend, nor blame versions.
    let out = fazhi()
        .arg("--index")
        .arg(&index)
        .args(["search", "法治"])
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("fazhi: ") && stderr.contains("fazhi index"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("another version"),
        "misleading error: {stderr}"
    );

    index_ok(&corpus, &index, &[]);
    assert_eq!(stats(&index).unwrap().0, 250);
    let clean = tmp.path().join("clean");
    index_ok(&corpus, &clean, &[]);
    assert!(
        dump(&index) == dump(&clean),
        "index differs from a clean build"
    );
}

/// A second `fazhi index` on the same folder fails at once, naming the
/// holder; once the holder is killed its lock is gone (the OS drops flocks),
/// even though the lock file with the dead pid stays.
#[test]
fn concurrent_index_fails_fast_and_stale_lock_does_not_block() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let index = tmp.path().join("index");
    write_reports(&corpus, "l", 200);
    let mut first = spawn_index(&corpus, &index);
    wait_for_lock(&mut first, &index);
    let pid = first.id();

    let started = Instant::now();
    let out = index_cmd(&corpus, &index).output().unwrap();
    let elapsed = started.elapsed();
    let stderr = text(&out.stderr);
    assert!(
        first.try_wait().unwrap().is_none(),
        "first run ended too early for the test"
    );
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "index is locked by another fazhi index (pid {pid})"
        )),
        "unexpected message: {stderr}"
    );
    assert_eq!(
        stderr.lines().count(),
        1,
        "one-line error expected: {stderr}"
    );
    assert!(
        elapsed < Duration::from_secs(10),
        "second run waited {elapsed:?} instead of failing at once"
    );
    eprintln!("second run refused in {elapsed:?}");

    // --rebuild does not get around the lock either.
    let out = index_cmd(&corpus, &index)
        .arg("--rebuild")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("index is locked"),
        "{}",
        text(&out.stderr)
    );

    first.kill().unwrap();
    first.wait().unwrap();
    let lock = index.join(".fazhi-index.lock");
    assert_eq!(
        fs::read_to_string(&lock).unwrap().trim(),
        pid.to_string(),
        "stale lock file expected"
    );

    let started = Instant::now();
    index_ok(&corpus, &index, &[]);
    eprintln!("run after the killed holder took {:?}", started.elapsed());
    assert_eq!(stats(&index).unwrap().0, 200);
}

/// Searches (separate processes) running while `fazhi index` adds, then
/// removes files: every answer is the old or the new committed count.
#[test]
fn searches_during_indexing_see_a_committed_state() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let index = tmp.path().join("index");
    write_reports(&corpus, "s", 40);
    index_ok(&corpus, &index, &[]);
    let count_a = search_count(&index).unwrap();
    let stats_a = stats(&index).unwrap();

    let extra = write_reports(&corpus, "t", 160);
    let mut observed = Vec::new();
    let mut run_with_searches = |expect_done: &dyn Fn() -> (usize, (u64, u64))| {
        let mut child = spawn_index(&corpus, &index);
        let done = AtomicBool::new(false);
        let results: Vec<Probe> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..2)
                .map(|_| {
                    s.spawn(|| {
                        let mut seen = Vec::new();
                        // At least a few probes, and keep going until the run ends.
                        while seen.len() < 3 || !done.load(Ordering::SeqCst) {
                            seen.push((search_count(&index), stats(&index)));
                        }
                        seen
                    })
                })
                .collect();
            let status = child.wait().unwrap();
            done.store(true, Ordering::SeqCst);
            assert!(status.success(), "index run failed");
            workers
                .into_iter()
                .flat_map(|w| w.join().unwrap())
                .collect()
        });
        let (count_new, stats_new) = expect_done();
        observed.push(results.len());
        (results, count_new, stats_new)
    };

    // A → B (files added).
    let (results, count_b, stats_b) =
        run_with_searches(&|| (search_count(&index).unwrap(), stats(&index).unwrap()));
    assert!(
        count_b > count_a && stats_b.0 == 200,
        "{count_a} {count_b} {stats_b:?}"
    );
    check_states(&results, &[count_a, count_b], &[stats_a, stats_b]);

    // B → A (files removed again).
    for path in &extra {
        fs::remove_file(path).unwrap();
    }
    let (results, count_back, stats_back) =
        run_with_searches(&|| (search_count(&index).unwrap(), stats(&index).unwrap()));
    assert_eq!((count_back, stats_back), (count_a, stats_a));
    check_states(&results, &[count_a, count_b], &[stats_a, stats_b]);
    eprintln!("probes per run: {observed:?}");
}

type Probe = (Result<usize, String>, Result<(u64, u64), String>);

fn check_states(results: &[Probe], counts: &[usize], stats: &[(u64, u64)]) {
    for (search, st) in results {
        match search {
            Ok(n) => assert!(
                counts.contains(n),
                "search saw {n} hits, committed states have {counts:?}"
            ),
            Err(e) => panic!("search failed during indexing: {e}"),
        }
        match st {
            Ok(s) => assert!(
                stats.contains(s),
                "stats saw {s:?}, committed states have {stats:?}"
            ),
            Err(e) => panic!("stats failed during indexing: {e}"),
        }
    }
}

// ---------------------------------------------------------------------------
// Permissions and disk space. Root ignores file permissions, so as root these
// tests run fazhi as `nobody` through setpriv.

/// A command running fazhi as an unprivileged user, or `None` (with the
/// reason printed) when that is impossible.
fn unprivileged(tmp: &Path) -> Option<Box<dyn Fn() -> Command>> {
    if !is_root() {
        return Some(Box::new(fazhi));
    }
    // The whole temp tree must be reachable for `nobody`.
    set_mode(tmp, 0o777);
    let probe = Command::new("setpriv")
        .args(["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"])
        .arg(env!("CARGO_BIN_EXE_fazhi"))
        .arg("--version")
        .output();
    match probe {
        Ok(out) if out.status.success() => Some(Box::new(|| {
            let mut cmd = Command::new("setpriv");
            cmd.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"])
                .arg(env!("CARGO_BIN_EXE_fazhi"))
                .env_remove("FAZHI_CORPUS")
                .env_remove("FAZHI_INDEX")
                .env_remove("FAZHI_TAXONOMY")
                .stdin(Stdio::null());
            cmd
        })),
        Ok(out) => {
            eprintln!(
                "note: cannot run as nobody via setpriv ({}); permission checks skipped",
                text(&out.stderr).trim()
            );
            None
        }
        Err(e) => {
            eprintln!("note: setpriv not available ({e}); permission checks skipped");
            None
        }
    }
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

fn chmod_tree(path: &Path, dirs: u32, files: u32) {
    for entry in fs::read_dir(path).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            chmod_tree(&entry.path(), dirs, files);
        } else {
            set_mode(&entry.path(), files);
        }
    }
    set_mode(path, dirs);
}

fn run_as(cmd: &mut Command) -> Output {
    cmd.output().unwrap()
}

/// Unreadable files and folders are skipped with "permission denied"; a
/// read-only index folder makes `fazhi index` fail with a clear one-line
/// error while the previous index keeps answering, and once writable again
/// the next run completes.
#[test]
fn unreadable_files_and_read_only_index_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(user) = unprivileged(tmp.path()) else {
        return;
    };
    let corpus = tmp.path().join("corpus");
    let index = tmp.path().join("index");
    write_reports(&corpus, "p", 20);
    let seeds = seeds();
    fs::write(corpus.join("secret.txt"), &seeds[0].1).unwrap();
    fs::create_dir_all(corpus.join("locked-dir")).unwrap();
    fs::write(corpus.join("locked-dir/inner.txt"), &seeds[1].1).unwrap();
    chmod_tree(&corpus, 0o755, 0o644);
    set_mode(&corpus.join("secret.txt"), 0o000);
    set_mode(&corpus.join("locked-dir"), 0o000);
    fs::create_dir_all(&index).unwrap();
    set_mode(&index, 0o777);

    let out = run_as(
        user()
            .arg("--corpus")
            .arg(&corpus)
            .arg("--index")
            .arg(&index)
            .args(["index", "-q"]),
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    for name in ["secret.txt", "locked-dir"] {
        assert!(
            stderr
                .lines()
                .any(|l| l.starts_with("fazhi: warning: skipped ")
                    && l.contains(name)
                    && l.contains("permission denied")),
            "no permission warning for {name}:\n{stderr}"
        );
    }
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    let count_a = search_count(&index).unwrap();
    let stats_a = stats(&index).unwrap();
    assert_eq!(stats_a.0, 20);

    // Read-only index folder: new files to index, but nowhere to write.
    write_reports(&corpus, "q", 10);
    chmod_tree(&corpus, 0o755, 0o644);
    set_mode(&corpus.join("secret.txt"), 0o000);
    set_mode(&corpus.join("locked-dir"), 0o000);
    chmod_tree(&index, 0o555, 0o444);
    let out = run_as(
        user()
            .arg("--corpus")
            .arg(&corpus)
            .arg("--index")
            .arg(&index)
            .args(["index", "-q"]),
    );
    let stderr = text(&out.stderr);
    eprintln!("read-only index folder: {}", stderr.trim());
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr
            .lines()
            .filter(|l| !l.contains("warning: skipped"))
            .count(),
        1,
        "{stderr}"
    );
    let error = stderr
        .lines()
        .find(|l| !l.contains("warning: skipped"))
        .unwrap();
    assert!(
        error.starts_with("fazhi: ") && error.contains(&index.display().to_string()),
        "{error}"
    );
    assert!(
        error.contains("ermission denied") || error.contains("read-only"),
        "{error}"
    );
    assert!(!error.contains("panicked"), "{error}");

    // The previous index still answers, for the unprivileged user too.
    let out = run_as(
        user()
            .arg("--index")
            .arg(&index)
            .args(["search", "法治", "--limit", "0", "--format", "json"]),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "search on a read-only index: {}",
        text(&out.stderr)
    );
    let hits: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(hits.len(), count_a);
    assert_eq!(stats(&index), Ok(stats_a));

    // Only the folder read-only (its files still writable): same story.
    chmod_tree(&index, 0o555, 0o666);
    let out = run_as(
        user()
            .arg("--corpus")
            .arg(&corpus)
            .arg("--index")
            .arg(&index)
            .args(["index", "-q"]),
    );
    let stderr = text(&out.stderr);
    eprintln!("read-only index folder, writable files: {}", stderr.trim());
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let error = stderr
        .lines()
        .find(|l| !l.contains("warning: skipped"))
        .unwrap();
    assert!(
        error.starts_with("fazhi: ") && error.contains(&index.display().to_string()),
        "{error}"
    );
    assert!(
        error.contains("ermission denied") || error.contains("read-only"),
        "{error}"
    );
    assert_eq!(stats(&index), Ok(stats_a));

    // Writable again: the next run completes.
    chmod_tree(&index, 0o777, 0o666);
    let out = run_as(
        user()
            .arg("--corpus")
            .arg(&corpus)
            .arg("--index")
            .arg(&index)
            .args(["index", "-q"]),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(stats(&index).unwrap().0, 30);
}

/// Unmounts a tmpfs on drop.
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Disk full during `fazhi index`: a clear error, the previous index still
/// answers, and with space again the next run completes. Uses a small tmpfs
/// when mounting is allowed (real ENOSPC), else a file size limit (EFBIG).
#[test]
fn disk_full_keeps_previous_index() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let disk = tmp.path().join("disk");
    fs::create_dir_all(&disk).unwrap();
    let index = disk.join("index");
    write_reports(&corpus, "d", 10);

    // ROBUST_NO_MOUNT=1 forces the file size limit, to test that path as root.
    let mounted = std::env::var_os("ROBUST_NO_MOUNT").is_none()
        && is_root()
        && Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
            .arg(&disk)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    let _guard = mounted.then(|| Mount(disk.clone()));
    let limited = |cmd: &mut Command| -> Output {
        if mounted {
            return cmd.output().unwrap();
        }
        // Ignore SIGXFSZ so that writes past the limit fail with EFBIG.
        let program = cmd.get_program().to_owned();
        let args: Vec<_> = cmd.get_args().map(|a| a.to_owned()).collect();
        Command::new("sh")
            .arg("-c")
            .arg("trap '' XFSZ; exec prlimit --fsize=400000 \"$@\"")
            .arg("sh")
            .arg(program)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    eprintln!(
        "disk full simulated with {}",
        if mounted {
            "a 2 MB tmpfs"
        } else {
            "prlimit --fsize"
        }
    );

    let out = limited(&mut index_cmd(&corpus, &index));
    assert_eq!(
        out.status.code(),
        Some(0),
        "small index must fit: {}",
        text(&out.stderr)
    );
    let state_a = dump(&index);
    let count_a = search_count(&index).unwrap();

    write_reports(&corpus, "e", 300);
    let out = limited(&mut index_cmd(&corpus, &index));
    let stderr = text(&out.stderr);
    eprintln!("disk full: {}", stderr.trim());
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        stderr.lines().count(),
        1,
        "one-line error expected: {stderr}"
    );
    assert!(
        stderr.starts_with("fazhi: ") && stderr.contains(&index.display().to_string()),
        "{stderr}"
    );
    assert!(
        stderr.contains("No space left on device") || stderr.contains("File too large"),
        "error does not say the disk is full: {stderr}"
    );
    assert_eq!(search_count(&index), Ok(count_a));
    assert!(dump(&index) == state_a, "a failed run changed the index");

    // With space again, the next run completes and equals a clean build.
    if mounted {
        let status = Command::new("mount")
            .args(["-o", "remount,size=256m"])
            .arg(&disk)
            .status()
            .unwrap();
        assert!(status.success());
    }
    index_ok(&corpus, &index, &[]);
    let clean = tmp.path().join("clean");
    index_ok(&corpus, &clean, &[]);
    assert!(
        dump(&index) == dump(&clean),
        "index after disk-full differs from a clean build"
    );
}

/// Damaged index files (not made by fazhi, but disks and users do this):
/// every error names the fix, and the fix works.
#[test]
fn damaged_index_files_have_a_working_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let index = tmp.path().join("index");
    write_reports(&corpus, "x", 12);
    index_ok(&corpus, &index, &[]);
    let clean = dump(&index);

    // A lost manifest: the next run re-indexes everything, with a warning.
    for entry in fs::read_dir(&index).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("fazhi-manifest-")
        {
            fs::remove_file(path).unwrap();
        }
    }
    let out = index_ok(&corpus, &index, &[]);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("re-indexing every file"), "{stderr}");
    assert!(dump(&index) == clean, "content differs after re-indexing");

    // A truncated meta.json: search and index say to rebuild; --rebuild works.
    let meta = index.join("meta.json");
    let bytes = fs::read(&meta).unwrap();
    fs::write(&meta, &bytes[..bytes.len() / 3]).unwrap();
    let expect_rebuild_hint = |out: Output| {
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.starts_with("fazhi: ") && stderr.contains("fazhi index --rebuild"),
            "{stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    };
    expect_rebuild_hint(
        fazhi()
            .arg("--index")
            .arg(&index)
            .args(["search", "法治"])
            .output()
            .unwrap(),
    );
    expect_rebuild_hint(index_cmd(&corpus, &index).output().unwrap());
    // --rebuild replaces the index files, and only those.
    fs::write(index.join("notes.txt"), "mine").unwrap();
    fs::write(index.join("meta.json.bak"), "mine").unwrap();
    index_ok(&corpus, &index, &["--rebuild"]);
    assert!(dump(&index) == clean, "content differs after --rebuild");
    assert_eq!(fs::read_to_string(index.join("notes.txt")).unwrap(), "mine");
    assert_eq!(
        fs::read_to_string(index.join("meta.json.bak")).unwrap(),
        "mine"
    );

    // Truncated segment files: the same.
    for entry in fs::read_dir(&index).unwrap() {
        let path = entry.unwrap().path();
        if path
            .extension()
            .is_some_and(|e| e == "store" || e == "term")
        {
            let bytes = fs::read(&path).unwrap();
            fs::write(&path, &bytes[..bytes.len().min(40)]).unwrap();
        }
    }
    expect_rebuild_hint(
        fazhi()
            .arg("--index")
            .arg(&index)
            .args(["search", "法治"])
            .output()
            .unwrap(),
    );
    index_ok(&corpus, &index, &["--rebuild"]);
    assert!(dump(&index) == clean, "content differs after --rebuild");
}
