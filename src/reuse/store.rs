//! The reuse sidecar on disk, `INDEX/reuse/`:
//! - `reports.bin`: per indexed report its doc id, the manifest's content
//!   hash (the change detector), the hash of its raw bytes (to notice a
//!   file edited since), its exact-copy hash, folded length and sampled
//!   fingerprints with positions, in the compact records of `reuse::codec`
//!   (about 1.6 KB a report; the path is the manifest's, by doc id);
//! - `result.bin`: what the last update derived for the whole corpus
//!   (formulaic fingerprints, candidate pairs, exact copies and reposts),
//!   with the name of the index manifest it was computed for;
//! - `copies.json`: the copies alone (read by `stats` and `bureaus`, which
//!   need not parse the rest), with the same manifest name;
//! - `prints.spill`, only between a build and the update after it: the
//!   fingerprints computed while the build had the text at hand
//!   ([`super::spill`]).
//!
//! Files are written to a temporary name and renamed, `result.bin` last:
//! a reader sees an old or a new state, and a state whose manifest is not
//! the index's is stale (the next `fazhi index` or `fazhi reuse` renews it).
//! Every record carries a checksum: damaged data is recomputed, never read
//! as wrong fingerprints.

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, ensure};
use serde::{Deserialize, Serialize};

use super::codec::{self, Reader, put_frame, put_str, put_varint, read_frame};
use crate::index::{self, CommitInfo};

/// Bumped when the format or the folding changes: a sidecar of another
/// version is recomputed from the corpus.
pub const FORMAT_VERSION: u32 = 2;
const REPORTS_MAGIC: &[u8; 4] = b"FZRU";
const RESULT_MAGIC: &[u8; 4] = b"FZRD";
/// The file of the derived state; `result.json` was version 1's.
const RESULT_FILE: &str = "result.bin";
const OLD_RESULT_FILE: &str = "result.json";

/// The sidecar folder of an index folder.
pub fn dir(index_dir: &Path) -> PathBuf {
    index_dir.join("reuse")
}

/// One report's entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportPrints {
    pub doc_id: String,
    /// The index manifest's content hash when this entry was computed.
    pub content_hash: String,
    /// xxh3 of the file's bytes.
    pub bytes_hash: u64,
    /// Hash of the folded text with digits (equal for exact copies).
    pub exact_hash: u64,
    /// Folded length in chars.
    pub chars: u32,
    /// `(fingerprint, position)` sorted by fingerprint, one each.
    pub prints: Vec<(u32, u32)>,
}

/// Write a file through a temporary file and a rename.
pub(super) fn replace(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<std::fs::File>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    let file = std::fs::File::create(&tmp)
        .with_context(|| format!("{}: cannot write the reuse data", tmp.display()))?;
    let mut w = BufWriter::new(file);
    write(&mut w)?;
    let file = w.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
        .with_context(|| format!("{}: cannot write the reuse data", path.display()))?;
    Ok(())
}

/// A file header: magic and format version.
pub(super) fn header(magic: &[u8; 4]) -> [u8; 8] {
    let mut out = [0u8; 8];
    out[..4].copy_from_slice(magic);
    out[4..].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    out
}

/// Whether a stream starts with the header of `magic` in this version.
pub(super) fn has_header(r: &mut impl Read, magic: &[u8; 4]) -> bool {
    let mut got = [0u8; 8];
    r.read_exact(&mut got).is_ok() && got == header(magic)
}

/// Write every report's entry.
pub fn write_reports(index_dir: &Path, reports: &[ReportPrints]) -> anyhow::Result<()> {
    let dir = dir(index_dir);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("{}: cannot create the reuse folder", dir.display()))?;
    replace(&dir.join("reports.bin"), |w| {
        w.write_all(&header(REPORTS_MAGIC))?;
        w.write_all(&(reports.len() as u64).to_le_bytes())?;
        let (mut payload, mut frame) = (Vec::new(), Vec::new());
        for r in reports {
            payload.clear();
            frame.clear();
            codec::put_report(&mut payload, r);
            put_frame(&mut frame, &payload);
            w.write_all(&frame)?;
        }
        Ok(())
    })
}

/// Every report's entry; empty when there is no sidecar or it is of
/// another version, or damaged (then everything is recomputed).
pub fn read_reports(index_dir: &Path) -> anyhow::Result<Vec<ReportPrints>> {
    let path = dir(index_dir).join("reports.bin");
    let Ok(file) = std::fs::File::open(&path) else {
        return Ok(Vec::new());
    };
    let mut r = BufReader::with_capacity(1 << 20, file);
    if !has_header(&mut r, REPORTS_MAGIC) {
        return Ok(Vec::new());
    }
    let read = |r: &mut BufReader<std::fs::File>| -> anyhow::Result<Vec<ReportPrints>> {
        let mut n = [0u8; 8];
        r.read_exact(&mut n)?;
        let n = u64::from_le_bytes(n);
        let mut out = Vec::with_capacity(n.min(1 << 20) as usize);
        let mut buf = Vec::new();
        for _ in 0..n {
            read_frame(r, &mut buf)?.context("cut short")?;
            out.push(codec::get_report(&buf)?);
        }
        ensure!(
            read_frame(r, &mut buf)?.is_none(),
            "data after the last report"
        );
        Ok(out)
    };
    match read(&mut r) {
        Ok(v) => Ok(v),
        Err(e) => {
            eprintln!(
                "fazhi: warning: {}: damaged reuse data ({e:#}); recomputing it",
                path.display()
            );
            Ok(Vec::new())
        }
    }
}

/// A pair of reports that may share passages, as found from fingerprints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// Indexes into [`Derived::reports`].
    pub a: u32,
    pub b: u32,
    /// Estimated shared chars (runs of shared fingerprints on a diagonal).
    pub estimate: u32,
}

/// What an update derives for the whole corpus.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Derived {
    /// The index manifest this state was computed for.
    pub manifest: String,
    /// Doc ids, in the order of `reports.bin`.
    pub reports: Vec<String>,
    /// Relative paths, in the same order. Not stored: [`read_state`] fills
    /// them in from the index manifest.
    pub paths: Vec<String>,
    /// Folded length of each report.
    pub chars: Vec<u32>,
    /// Raw-bytes hash of each report (to notice an edited file).
    pub bytes_hashes: Vec<u64>,
    /// Formulaic fingerprints, sorted.
    pub formulaic: Vec<u32>,
    pub candidates: Vec<Candidate>,
    /// Exact copies: (doc id of the copy, doc id of the report it copies).
    pub exact_copies: Vec<(String, String)>,
    /// Near-identical reposts: (doc id, duplicate_of doc id).
    pub reposts: Vec<(String, String)>,
}

/// The bytes of a derived state (without the paths).
fn encode_derived(d: &Derived) -> Vec<u8> {
    let mut out = Vec::new();
    put_str(&mut out, &d.manifest);
    put_varint(&mut out, d.reports.len() as u64);
    for ((id, chars), hash) in d.reports.iter().zip(&d.chars).zip(&d.bytes_hashes) {
        put_str(&mut out, id);
        put_varint(&mut out, u64::from(*chars));
        out.extend_from_slice(&hash.to_le_bytes());
    }
    put_varint(&mut out, d.formulaic.len() as u64);
    let mut last = 0u32;
    for f in &d.formulaic {
        put_varint(&mut out, u64::from(f.wrapping_sub(last)));
        last = *f;
    }
    put_varint(&mut out, d.candidates.len() as u64);
    for c in &d.candidates {
        for v in [c.a, c.b, c.estimate] {
            put_varint(&mut out, u64::from(v));
        }
    }
    for pairs in [&d.exact_copies, &d.reposts] {
        put_varint(&mut out, pairs.len() as u64);
        for (a, b) in pairs {
            put_str(&mut out, a);
            put_str(&mut out, b);
        }
    }
    out
}

/// Read what [`encode_derived`] wrote.
fn decode_derived(payload: &[u8]) -> anyhow::Result<Derived> {
    let mut r = Reader::new(payload);
    let mut d = Derived {
        manifest: r.string()?,
        ..Default::default()
    };
    let n = r.count()?;
    for _ in 0..n {
        d.reports.push(r.string()?);
        d.chars.push(r.varint_u32()?);
        d.bytes_hashes.push(r.u64_le()?);
    }
    let n = r.count()?;
    let mut last = 0u32;
    for _ in 0..n {
        last = last.wrapping_add(r.varint_u32()?);
        d.formulaic.push(last);
    }
    ensure!(
        d.formulaic.is_sorted(),
        "formulaic fingerprints out of order"
    );
    let n = r.count()?;
    for _ in 0..n {
        let c = Candidate {
            a: r.varint_u32()?,
            b: r.varint_u32()?,
            estimate: r.varint_u32()?,
        };
        ensure!(
            (c.a as usize) < d.reports.len() && (c.b as usize) < d.reports.len(),
            "candidate out of range"
        );
        d.candidates.push(c);
    }
    for pairs in [&mut d.exact_copies, &mut d.reposts] {
        let n = r.count()?;
        for _ in 0..n {
            pairs.push((r.string()?, r.string()?));
        }
    }
    r.finish()?;
    Ok(d)
}

/// The copies of a derived state, in their own small file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CopyLists {
    pub version: u32,
    pub manifest: String,
    pub exact_copies: Vec<(String, String)>,
    pub reposts: Vec<(String, String)>,
}

/// Write the derived state (`result.json` last: the commit point of an update).
pub fn write_derived(index_dir: &Path, derived: &Derived) -> anyhow::Result<()> {
    let copies = CopyLists {
        version: FORMAT_VERSION,
        manifest: derived.manifest.clone(),
        exact_copies: derived.exact_copies.clone(),
        reposts: derived.reposts.clone(),
    };
    replace(&dir(index_dir).join("copies.json"), |w| {
        serde_json::to_writer(&mut *w, &copies)?;
        Ok(())
    })?;
    replace(&dir(index_dir).join(RESULT_FILE), |w| {
        w.write_all(&header(RESULT_MAGIC))?;
        let mut frame = Vec::new();
        put_frame(&mut frame, &encode_derived(derived));
        w.write_all(&frame)?;
        Ok(())
    })?;
    // Version 1's state, 4 times the size, is of no use any more.
    let _ = std::fs::remove_file(dir(index_dir).join(OLD_RESULT_FILE));
    Ok(())
}

/// The copy lists, if there are some of this version.
pub fn read_copies(index_dir: &Path) -> Option<CopyLists> {
    let text = std::fs::read(dir(index_dir).join("copies.json")).ok()?;
    let copies: CopyLists = serde_json::from_slice(&text).ok()?;
    (copies.version == FORMAT_VERSION).then_some(copies)
}

/// The derived state, if there is one of this version (without its
/// paths: see [`read_state`]); an error when it is damaged.
fn load_derived(index_dir: &Path) -> anyhow::Result<Option<Derived>> {
    let Ok(bytes) = std::fs::read(dir(index_dir).join(RESULT_FILE)) else {
        return Ok(None);
    };
    if bytes.len() >= 8 && bytes[..4] == RESULT_MAGIC[..] && bytes[..8] != header(RESULT_MAGIC) {
        return Ok(None); // another version
    }
    let body = bytes
        .strip_prefix(&header(RESULT_MAGIC)[..])
        .context("not a reuse state")?;
    codec::open_frame(body).and_then(decode_derived).map(Some)
}

/// The derived state, if there is one of this version and it is intact
/// (without its paths: see [`read_state`]).
pub fn read_derived(index_dir: &Path) -> Option<Derived> {
    load_derived(index_dir).ok().flatten()
}

/// The derived state of the index commit `info`, with the paths of its
/// reports from that commit's manifest; `None` when there is none or it
/// is of another commit.
/// A damaged state is warned about and read as none (the update that
/// follows recomputes it).
pub fn read_state(index_dir: &Path, info: &CommitInfo) -> anyhow::Result<Option<Derived>> {
    let loaded = load_derived(index_dir).unwrap_or_else(|e| {
        eprintln!(
            "fazhi: warning: {}: damaged reuse data ({e:#}); recomputing it",
            dir(index_dir).join(RESULT_FILE).display()
        );
        None
    });
    let Some(mut d) = loaded.filter(|d| d.manifest == info.manifest) else {
        return Ok(None);
    };
    let by_id: std::collections::HashMap<String, String> = index::read_manifest(index_dir, info)?
        .into_iter()
        .map(|(rel_path, e)| (e.doc_id, rel_path))
        .collect();
    d.paths = Vec::with_capacity(d.reports.len());
    for id in &d.reports {
        match by_id.get(id) {
            Some(p) => d.paths.push(p.clone()),
            // Computed for this manifest, so every report is in it: a
            // mismatch is damage; recompute.
            None => return Ok(None),
        }
    }
    Ok(Some(d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn derived_strategy() -> impl Strategy<Value = Derived> {
        (
            "[a-z0-9.-]{0,30}",
            prop::collection::vec(("[0-9a-f]{16}", any::<u32>(), any::<u64>()), 0..20),
            prop::collection::btree_set(any::<u32>(), 0..50),
            prop::collection::vec((any::<u32>(), any::<u32>(), any::<u32>()), 0..10),
            prop::collection::vec(("[0-9a-f]{1,16}", "[0-9a-f]{1,16}"), 0..4),
            prop::collection::vec(("[0-9a-f]{1,16}", "[0-9a-f]{1,16}"), 0..4),
        )
            .prop_map(
                |(manifest, reports, formulaic, candidates, exact, reposts)| {
                    let n = reports.len() as u32;
                    Derived {
                        manifest,
                        chars: reports.iter().map(|r| r.1).collect(),
                        bytes_hashes: reports.iter().map(|r| r.2).collect(),
                        reports: reports.into_iter().map(|r| r.0).collect(),
                        paths: Vec::new(),
                        formulaic: formulaic.into_iter().collect(),
                        candidates: if n == 0 {
                            Vec::new()
                        } else {
                            candidates
                                .into_iter()
                                .map(|(a, b, estimate)| Candidate {
                                    a: a % n,
                                    b: b % n,
                                    estimate,
                                })
                                .collect()
                        },
                        exact_copies: exact,
                        reposts,
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn a_derived_state_reads_back_as_written(d in derived_strategy()) {
            prop_assert_eq!(decode_derived(&encode_derived(&d)).unwrap(), d);
        }

        #[test]
        fn a_cut_derived_state_is_an_error(
            d in derived_strategy(),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut frame = Vec::new();
            put_frame(&mut frame, &encode_derived(&d));
            let at = cut.index(frame.len());
            prop_assert!(codec::open_frame(&frame[..at]).and_then(decode_derived).is_err());
        }
    }

    #[test]
    fn reports_round_trip_through_the_file_and_damage_reads_as_none() {
        let dir = tempfile::tempdir().unwrap();
        let reports: Vec<ReportPrints> = (0..30u32)
            .map(|i| ReportPrints {
                doc_id: format!("{i:016x}"),
                content_hash: format!("h{i}"),
                bytes_hash: u64::from(i) * 7,
                exact_hash: u64::from(i) * 11,
                chars: i * 100,
                prints: (0..i).map(|k| (k * 1000 + i, k * 8)).collect(),
            })
            .collect();
        write_reports(dir.path(), &reports).unwrap();
        assert_eq!(read_reports(dir.path()).unwrap(), reports);
        let path = super::dir(dir.path()).join("reports.bin");
        let bytes = std::fs::read(&path).unwrap();
        // Cut anywhere, or one byte changed anywhere: nothing (recomputed),
        // never other fingerprints.
        for at in (0..bytes.len()).step_by(37) {
            std::fs::write(&path, &bytes[..at]).unwrap();
            assert_eq!(read_reports(dir.path()).unwrap(), Vec::new(), "cut at {at}");
            let mut changed = bytes.clone();
            changed[at] ^= 0x40;
            std::fs::write(&path, &changed).unwrap();
            assert_eq!(read_reports(dir.path()).unwrap(), Vec::new(), "byte {at}");
        }
    }
}
