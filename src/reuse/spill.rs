//! Fingerprints computed during the build: `fazhi index` hands the build a
//! hook ([`Spill::add`]) that its parse workers call with every new or
//! changed file's bytes and decoded text, so each file is read and decoded
//! once. The fingerprints go to `INDEX/reuse/prints.spill` (records of
//! `reuse::codec`, appended as the workers finish them) rather than
//! memory, which the build's final merge needs; the update after the build
//! takes them from there and deletes the file.
//!
//! A record counts only for the report and content hash it was computed
//! for, so a spill left by a killed run, or by a build whose commit never
//! came, yields nothing but correct fingerprints (the same bytes give the
//! same fingerprints); a cut or damaged tail is ignored, and whatever the
//! spill lacks the update reads from the corpus.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::codec::{self, put_frame, read_frame};
use super::store::{self, ReportPrints};
use super::update::report_prints;
use crate::index::FileText;

const SPILL_MAGIC: &[u8; 4] = b"FZRS";

/// The spill file of an index folder.
pub fn path(index_dir: &Path) -> PathBuf {
    store::dir(index_dir).join("prints.spill")
}

/// Appends the fingerprints of the files a build parses.
pub struct Spill {
    path: PathBuf,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Opened (and a stale spill truncated) on the first file.
    out: Option<BufWriter<File>>,
    /// The write that failed: the rest is left to the update.
    failed: Option<std::io::Error>,
    written: usize,
}

impl Spill {
    /// A spill for the index in `index_dir`; no file is made until the
    /// first [`Spill::add`] (the build checks the folder first).
    pub fn new(index_dir: &Path) -> Spill {
        Spill {
            path: path(index_dir),
            state: Mutex::new(State::default()),
        }
    }

    /// Fingerprint one file and append its record; called by the build's
    /// workers. After a failure to write, the remaining files are left to
    /// the update (and [`Spill::finish`] reports it).
    pub fn add(&self, file: &FileText) {
        let prints = report_prints(file.doc_id, file.content_hash, file.bytes, file.text);
        let mut payload = Vec::new();
        codec::put_report(&mut payload, &prints);
        let mut frame = Vec::with_capacity(payload.len() + 8);
        put_frame(&mut frame, &payload);
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.failed.is_some() {
            return;
        }
        if state.out.is_none() {
            match self.create() {
                Ok(out) => state.out = Some(out),
                Err(e) => {
                    state.failed = Some(e);
                    return;
                }
            }
        }
        let result = match &mut state.out {
            Some(out) => out.write_all(&frame),
            None => Ok(()),
        };
        match result {
            Ok(()) => state.written += 1,
            Err(e) => {
                state.failed = Some(e);
                state.out = None;
            }
        }
    }

    fn create(&self) -> std::io::Result<BufWriter<File>> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut out = BufWriter::with_capacity(1 << 20, File::create(&self.path)?);
        out.write_all(&store::header(SPILL_MAGIC))?;
        Ok(out)
    }

    /// Write out what is buffered; how many reports were spilled, or why
    /// not all were (a warning at most: the update reads the rest). The
    /// caller says so only when the build itself succeeded, whose own error
    /// (a full disk) says it all.
    pub fn finish(self) -> anyhow::Result<usize> {
        let mut state = self.state.into_inner().unwrap_or_else(|e| e.into_inner());
        if let Some(mut out) = state.out.take()
            && let Err(e) = out.flush()
        {
            state.failed.get_or_insert(e);
        }
        match state.failed {
            None => Ok(state.written),
            Some(e) => Err(anyhow::anyhow!(
                "{}: cannot write ({e}); text reuse reads the files again",
                self.path.display()
            )),
        }
    }
}

/// The spilled fingerprints that `wanted(doc_id, content_hash)` accepts,
/// by doc id; nothing when there is no spill or it is of another version.
/// Reading stops at the first cut or damaged record.
pub fn read(
    index_dir: &Path,
    wanted: impl Fn(&str, &str) -> bool,
) -> HashMap<String, ReportPrints> {
    let mut out = HashMap::new();
    let Ok(file) = File::open(path(index_dir)) else {
        return out;
    };
    let mut r = BufReader::with_capacity(1 << 20, file);
    if !store::has_header(&mut r, SPILL_MAGIC) {
        return out;
    }
    let mut buf = Vec::new();
    while let Ok(Some(())) = read_frame(&mut r, &mut buf) {
        let Ok(report) = codec::get_report(&buf) else {
            break;
        };
        if wanted(&report.doc_id, &report.content_hash) {
            out.insert(report.doc_id.clone(), report);
        }
    }
    out
}

/// Delete the spill (consumed, or of no more use).
pub fn remove(index_dir: &Path) {
    let _ = std::fs::remove_file(path(index_dir));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(i: usize) -> String {
        format!("第{i}份报告：本机关依法行政，推进法治政府建设，完善行政执法程序。")
    }

    fn add(spill: &Spill, i: usize, hash: &str) {
        let t = text(i);
        spill.add(&FileText {
            rel_path: &format!("r{i}.txt"),
            doc_id: &format!("d{i}"),
            content_hash: hash,
            bytes: t.as_bytes(),
            text: &t,
        });
    }

    #[test]
    fn records_are_read_back_for_their_content_hash_only_and_a_cut_tail_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::new(dir.path());
        for i in 0..5 {
            add(&spill, i, &format!("h{i}"));
        }
        assert_eq!(spill.finish().unwrap(), 5);
        let all = read(dir.path(), |_, _| true);
        assert_eq!(all.len(), 5);
        let t = text(3);
        assert_eq!(all["d3"], report_prints("d3", "h3", t.as_bytes(), &t));
        // Another content hash (the file changed since): not taken.
        let some = read(dir.path(), |id, hash| id != "d1" && hash != "h2");
        assert_eq!(some.len(), 3);
        assert!(!some.contains_key("d1") && !some.contains_key("d2"));

        // A run killed while writing: the complete records still count.
        let bytes = std::fs::read(path(dir.path())).unwrap();
        std::fs::write(path(dir.path()), &bytes[..bytes.len() - 3]).unwrap();
        assert_eq!(read(dir.path(), |_, _| true).len(), 4);
        std::fs::write(path(dir.path()), &bytes[..5]).unwrap();
        assert!(read(dir.path(), |_, _| true).is_empty());
        remove(dir.path());
        assert!(read(dir.path(), |_, _| true).is_empty());
    }

    #[test]
    fn a_new_build_replaces_a_stale_spill() {
        let dir = tempfile::tempdir().unwrap();
        let old = Spill::new(dir.path());
        add(&old, 0, "old");
        add(&old, 1, "old");
        old.finish().unwrap();
        let new = Spill::new(dir.path());
        add(&new, 0, "new");
        new.finish().unwrap();
        let got = read(dir.path(), |_, _| true);
        assert_eq!(got.len(), 1);
        assert_eq!(got["d0"].content_hash, "new");
    }
}
