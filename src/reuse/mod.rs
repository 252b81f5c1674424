//! Text reuse: which reports copy each other, and which are copies of one
//! report (issue 19).
//!
//! At index time (while the build parses it, see [`spill`], or after the
//! tantivy commit, see [`update`]) every new or changed report is folded
//! ([`fold`]: width, punctuation, script and digit runs vanish) and its
//! character shingles are sampled into fingerprints, kept in a sidecar
//! folder `INDEX/reuse/` ([`store`]). From all fingerprints the update
//! derives, without reading any text: the
//! formulaic fingerprints (found in reports of many distinct bodies), the
//! candidate pairs (sharing fingerprints that are not formulaic, in runs
//! along one diagonal), the exact copies (same folded text) and the
//! reposts (near-identical text of the same body and year).
//!
//! A listing ([`pairs`]) aligns the candidate pairs exactly ([`align`])
//! from the files themselves and reports the shared passages with their
//! lines in both files. [`Copies`] tells the counting commands which
//! reports to count once.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::index::IndexHandle;

pub mod align;
mod codec;
pub mod fold;
pub mod pairs;
pub mod spill;
pub mod store;
pub mod update;

pub use pairs::{PassageRow, ReportRef, ReuseListing, ReusePair, ReuseRequest};
pub use spill::Spill;
pub use update::{UpdateSummary, is_current, update};

/// Which reports are copies of others, for counting each text once.
#[derive(Debug, Clone, Default)]
pub struct Copies {
    /// Exact copy → the report it copies (first by path of its group).
    pub exact: HashMap<String, String>,
    /// Near-identical repost → the report it reposts.
    pub reposts: HashMap<String, String>,
    /// False when the sidecar is missing or older than the index (then
    /// nothing is known to be a copy).
    pub current: bool,
}

impl Copies {
    /// The copies recorded for the index's current commit; empty when the
    /// sidecar is missing or stale.
    pub fn load(handle: &IndexHandle) -> Copies {
        match store::read_copies(&handle.dir) {
            Some(d) if d.manifest == handle.info.manifest => Copies {
                exact: d.exact_copies.into_iter().collect(),
                reposts: d.reposts.into_iter().collect(),
                current: true,
            },
            _ => Copies::default(),
        }
    }

    /// Doc ids to leave out when counting: the exact copies always, the
    /// reposts too with `dedup`.
    pub fn skipped(&self, dedup: bool) -> HashSet<String> {
        let mut out: HashSet<String> = self.exact.keys().cloned().collect();
        if dedup {
            out.extend(self.reposts.keys().cloned());
        }
        out
    }
}

/// The sidecar state of the index's current commit, updated first when it
/// is missing or stale (an index built by another path, e.g. the first
/// search, which indexes without it).
pub fn current_state(handle: &IndexHandle, corpus: &Path) -> anyhow::Result<store::Derived> {
    if let Some(d) = store::read_state(&handle.dir, &handle.info)? {
        return Ok(d);
    }
    update(&handle.dir, corpus)?;
    store::read_state(&handle.dir, &handle.info)?
        .ok_or_else(|| anyhow::anyhow!("{}: cannot read the reuse data", handle.dir.display()))
}
