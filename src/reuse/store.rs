//! The reuse sidecar on disk, `INDEX/reuse/`:
//! - `reports.bin`: per indexed report its doc id, relative path, the
//!   manifest's content hash (the change detector), the hash of its raw
//!   bytes (to notice a file edited since), its exact-copy hash, folded
//!   length and sampled fingerprints with positions;
//! - `result.json`: what the last update derived for the whole corpus
//!   (formulaic fingerprints, candidate pairs, exact copies and reposts),
//!   with the name of the index manifest it was computed for;
//! - `copies.json`: the copies alone (read by `stats` and `bureaus`, which
//!   need not parse the rest), with the same manifest name.
//!
//! Files are written to a temporary name and renamed, `result.json` last:
//! a reader sees an old or a new state, and a state whose manifest is not
//! the index's is stale (the next `fazhi index` or `fazhi reuse` renews it).

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

/// Bumped when the format or the folding changes: a sidecar of another
/// version is recomputed from the corpus.
pub const FORMAT_VERSION: u32 = 1;
const MAGIC: &[u8; 4] = b"FZRU";

/// The sidecar folder of an index folder.
pub fn dir(index_dir: &Path) -> PathBuf {
    index_dir.join("reuse")
}

/// One report's entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportPrints {
    pub doc_id: String,
    pub rel_path: String,
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

fn put_str(w: &mut impl Write, s: &str) -> std::io::Result<()> {
    w.write_all(&(s.len() as u32).to_le_bytes())?;
    w.write_all(s.as_bytes())
}

fn get_u32(r: &mut impl Read) -> std::io::Result<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

fn get_u64(r: &mut impl Read) -> std::io::Result<u64> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    Ok(u64::from_le_bytes(b))
}

fn get_str(r: &mut impl Read) -> anyhow::Result<String> {
    let n = get_u32(r)? as usize;
    if n > 1 << 20 {
        bail!("implausible string length {n}");
    }
    let mut b = vec![0u8; n];
    r.read_exact(&mut b)?;
    Ok(String::from_utf8(b)?)
}

/// Write `bytes` to `path` through a temporary file and a rename.
fn replace(
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

/// Write every report's entry.
pub fn write_reports(index_dir: &Path, reports: &[ReportPrints]) -> anyhow::Result<()> {
    let dir = dir(index_dir);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("{}: cannot create the reuse folder", dir.display()))?;
    replace(&dir.join("reports.bin"), |w| {
        w.write_all(MAGIC)?;
        w.write_all(&FORMAT_VERSION.to_le_bytes())?;
        w.write_all(&(reports.len() as u32).to_le_bytes())?;
        for r in reports {
            put_str(w, &r.doc_id)?;
            put_str(w, &r.rel_path)?;
            put_str(w, &r.content_hash)?;
            w.write_all(&r.bytes_hash.to_le_bytes())?;
            w.write_all(&r.exact_hash.to_le_bytes())?;
            w.write_all(&r.chars.to_le_bytes())?;
            w.write_all(&(r.prints.len() as u32).to_le_bytes())?;
            let mut buf = Vec::with_capacity(r.prints.len() * 8);
            for (f, p) in &r.prints {
                buf.extend_from_slice(&f.to_le_bytes());
                buf.extend_from_slice(&p.to_le_bytes());
            }
            w.write_all(&buf)?;
        }
        Ok(())
    })
}

/// Every report's entry; empty when there is no sidecar or it is of
/// another version (then everything is recomputed).
pub fn read_reports(index_dir: &Path) -> anyhow::Result<Vec<ReportPrints>> {
    let path = dir(index_dir).join("reports.bin");
    let Ok(file) = std::fs::File::open(&path) else {
        return Ok(Vec::new());
    };
    let mut r = BufReader::with_capacity(1 << 20, file);
    let mut magic = [0u8; 4];
    if r.read_exact(&mut magic).is_err() || &magic != MAGIC || get_u32(&mut r)? != FORMAT_VERSION {
        return Ok(Vec::new());
    }
    let read = |r: &mut BufReader<std::fs::File>| -> anyhow::Result<Vec<ReportPrints>> {
        let n = get_u32(r)? as usize;
        let mut out = Vec::with_capacity(n.min(1 << 20));
        for _ in 0..n {
            let doc_id = get_str(r)?;
            let rel_path = get_str(r)?;
            let content_hash = get_str(r)?;
            let bytes_hash = get_u64(r)?;
            let exact_hash = get_u64(r)?;
            let chars = get_u32(r)?;
            let k = get_u32(r)? as usize;
            if k > 1 << 24 {
                bail!("implausible fingerprint count {k}");
            }
            let mut buf = vec![0u8; k * 8];
            r.read_exact(&mut buf)?;
            let prints = buf
                .chunks_exact(8)
                .map(|c| {
                    (
                        u32::from_le_bytes([c[0], c[1], c[2], c[3]]),
                        u32::from_le_bytes([c[4], c[5], c[6], c[7]]),
                    )
                })
                .collect();
            out.push(ReportPrints {
                doc_id,
                rel_path,
                content_hash,
                bytes_hash,
                exact_hash,
                chars,
                prints,
            });
        }
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// Indexes into [`Derived::reports`].
    pub a: u32,
    pub b: u32,
    /// Estimated shared chars (runs of shared fingerprints on a diagonal).
    pub estimate: u32,
}

/// What an update derives for the whole corpus.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Derived {
    pub version: u32,
    /// The index manifest this state was computed for.
    pub manifest: String,
    /// Doc ids, in the order of `reports.bin`.
    pub reports: Vec<String>,
    /// Relative paths, in the same order.
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
        version: derived.version,
        manifest: derived.manifest.clone(),
        exact_copies: derived.exact_copies.clone(),
        reposts: derived.reposts.clone(),
    };
    replace(&dir(index_dir).join("copies.json"), |w| {
        serde_json::to_writer(&mut *w, &copies)?;
        Ok(())
    })?;
    replace(&dir(index_dir).join("result.json"), |w| {
        serde_json::to_writer(&mut *w, derived)?;
        Ok(())
    })
}

/// The copy lists, if there are some of this version.
pub fn read_copies(index_dir: &Path) -> Option<CopyLists> {
    let text = std::fs::read(dir(index_dir).join("copies.json")).ok()?;
    let copies: CopyLists = serde_json::from_slice(&text).ok()?;
    (copies.version == FORMAT_VERSION).then_some(copies)
}

/// The derived state, if there is one of this version.
pub fn read_derived(index_dir: &Path) -> Option<Derived> {
    let text = std::fs::read(dir(index_dir).join("result.json")).ok()?;
    let derived: Derived = serde_json::from_slice(&text).ok()?;
    (derived.version == FORMAT_VERSION).then_some(derived)
}
