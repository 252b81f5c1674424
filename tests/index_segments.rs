//! A full build ends with at most two segments (merged as two groups at
//! once, issue 20), and the merged-away segments' files are gone: the
//! folder holds only the files of the segments its `meta.json` names.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A corpus of `copies` renamed copies of each bundled report (every copy
/// a report of its own), so that four writer threads all get sections.
fn corpus(dir: &Path, copies: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for entry in std::fs::read_dir(repo().join("corpus")).unwrap() {
        let path = entry.unwrap().path();
        let Ok(text) = std::fs::read(&path) else {
            continue;
        };
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for i in 0..copies {
            let mut bytes = text.clone();
            // A different last line keeps each copy's content hash apart.
            bytes.extend_from_slice(format!("\n{i}\n").as_bytes());
            std::fs::write(dir.join(format!("{i:03}_{name}")), bytes).unwrap();
        }
    }
}

/// Segment ids named by `meta.json`.
fn live_segments(index: &Path) -> BTreeSet<String> {
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(index.join("meta.json")).unwrap()).unwrap();
    meta["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["segment_id"].as_str().unwrap().replace('-', ""))
        .collect()
}

/// Segment ids that have files in the folder (`<32 hex>.<ext>`).
fn segments_on_disk(index: &Path) -> BTreeSet<String> {
    std::fs::read_dir(index)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            let stem = name.split('.').next()?.to_string();
            (stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit())).then_some(stem)
        })
        .collect()
}

#[test]
fn full_build_ends_with_two_segments_and_no_merged_away_files() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = tmp.path().join("corpus");
    corpus(&docs, 12);
    let index = tmp.path().join("index");
    Command::cargo_bin("fazhi")
        .unwrap()
        .env("FAZHI_INDEX_THREADS", "4")
        .arg("--corpus")
        .arg(&docs)
        .arg("--index")
        .arg(&index)
        .args(["index", "-q"])
        .assert()
        .success();
    let live = live_segments(&index);
    assert!(
        (1..=2).contains(&live.len()),
        "segments after a full build: {live:?}"
    );
    assert_eq!(
        segments_on_disk(&index),
        live,
        "files of merged-away segments remain"
    );
    // Every report is still found once.
    let out = Command::cargo_bin("fazhi")
        .unwrap()
        .arg("--corpus")
        .arg(&docs)
        .arg("--index")
        .arg(&index)
        .args(["stats", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = std::fs::read_dir(&docs).unwrap().count() as u64;
    assert_eq!(stats["reports"].as_u64(), Some(files), "{stats}");
    // Totals over two segments count a report once (its sections may lie
    // in both): every report names 法治.
    let out = Command::cargo_bin("fazhi")
        .unwrap()
        .arg("--corpus")
        .arg(&docs)
        .arg("--index")
        .arg(&index)
        .args(["search", "法治", "--count", "-f", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let count: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(count["reports"].as_u64(), Some(files), "{count}");
    assert_eq!(count["bureaus"], stats["bureaus"], "{count} {stats}");
}
