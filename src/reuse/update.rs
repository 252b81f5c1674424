//! Keeping the sidecar up to date after an index commit, and deriving the
//! corpus-wide state from it.
//!
//! Only reports that are new or changed (their manifest content hash
//! differs from the sidecar's) are fingerprinted: most already were, by the
//! build that parsed them ([`super::spill`]); the others (e.g. the build
//! was interrupted, or the index was built without the hook) are read,
//! folded and fingerprinted here. Removed ones are dropped. The corpus-wide part — which fingerprints are
//! formulaic, which pairs are candidates, which reports are copies — is
//! then derived again from the stored fingerprints alone (a sort of about
//! 350 numbers per report, no text is read), because adding one report can
//! make a phrase formulaic for all.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use tantivy::Searcher;
use xxhash_rust::xxh3::xxh3_64;

use super::fold::{SHINGLE, fingerprints, fold};
use super::spill;
use super::store::{self, Candidate, Derived, ReportPrints};
use crate::index::{self, lock};
use crate::ingest::extract::{load_bytes, read_capped};

/// A fingerprint found in reports of at least this many distinct bodies
/// (`bureau_key`; a report without one is a body of its own) is formulaic.
/// Chosen from the data (README "Text reuse"): on the bundled reports and
/// on generated corpora, shingles of stock phrases occur in dozens to
/// thousands of bodies, while text copied from one report to another is
/// found in two or three.
pub const FORMULAIC_BODIES: usize = 5;
/// A fingerprint in more reports than this is formulaic whoever wrote
/// them (one body's boilerplate over many years), and pairing them all
/// would cost the square of their number.
pub const FORMULAIC_REPORTS: usize = 64;
/// A pair is a candidate when it shares this many non-formulaic fingerprints.
const MIN_SHARED_PRINTS: u32 = 2;
/// Shared fingerprints on one diagonal closer than this (in chars) belong
/// to one run (8 chars apart on average; a swapped name adds a few).
const RUN_GAP: u32 = 64;
/// Drift allowed along a run: inserted or deleted chars between two prints.
const RUN_DRIFT: i64 = 16;
/// Runs shorter than this are ignored in the estimate.
const MIN_RUN: u32 = 40;
/// Pairs with a smaller estimate are not kept as candidates.
const MIN_ESTIMATE: u32 = 40;
/// Reposts: the same body and year, and this share of fingerprints in common.
const REPOST_JACCARD: f64 = 0.8;

/// What an update did.
#[derive(Debug, Default)]
pub struct UpdateSummary {
    /// Reports fingerprinted in this run (by the build or after it).
    pub computed: usize,
    /// Of these, the reports read from the corpus after the build.
    pub read_again: usize,
    /// Reports whose fingerprints were kept from the last run.
    pub kept: usize,
    /// Reports that could not be read (warned on stderr).
    pub unreadable: usize,
    pub candidates: usize,
    pub exact_copies: usize,
    pub reposts: usize,
    /// False when the sidecar was already current.
    pub changed: bool,
    pub elapsed: Duration,
}

impl UpdateSummary {
    /// One line for `fazhi index`.
    pub fn describe(&self) -> String {
        format!(
            "reuse: {} reports fingerprinted ({} read after the build), {} kept; {} candidate pairs, {} exact copies, {} reposts — {:.2} s",
            self.computed,
            self.read_again,
            self.kept,
            self.candidates,
            self.exact_copies,
            self.reposts,
            self.elapsed.as_secs_f64()
        )
    }
}

/// Whether the sidecar matches the index's current commit.
pub fn is_current(index_dir: &Path) -> bool {
    let Ok(handle) = index::open(index_dir) else {
        return false;
    };
    store::read_derived(index_dir).is_some_and(|d| d.manifest == handle.info.manifest)
}

/// Bring `INDEX/reuse/` up to date with the index's current commit: new
/// and changed reports are taken from the build's spill, or else read from
/// `corpus`. Holds the index's writer lock, so it never runs beside
/// `fazhi index`.
pub fn update(index_dir: &Path, corpus: &Path) -> anyhow::Result<UpdateSummary> {
    let started = Instant::now();
    let _lock = lock::acquire(index_dir)?;
    let handle = index::open(index_dir)?;
    let mut summary = UpdateSummary::default();
    if store::read_derived(index_dir).is_some_and(|d| d.manifest == handle.info.manifest) {
        spill::remove(index_dir);
        return Ok(summary);
    }
    let manifest = index::read_manifest(index_dir, &handle.info)?;
    let mut old: HashMap<String, ReportPrints> = store::read_reports(index_dir)?
        .into_iter()
        .map(|r| (r.doc_id.clone(), r))
        .collect();
    let mut reports: Vec<Option<ReportPrints>> = Vec::with_capacity(manifest.len());
    let mut todo = Vec::new();
    for (rel_path, entry) in &manifest {
        match old.remove(&entry.doc_id) {
            // The doc id is the hash of the path: same id, same file.
            Some(r) if r.content_hash == entry.content_hash => {
                reports.push(Some(r));
                summary.kept += 1;
            }
            _ => {
                todo.push((reports.len(), rel_path, entry));
                reports.push(None);
            }
        }
    }
    let wanted: HashMap<&str, &str> = todo
        .iter()
        .map(|(_, _, e)| (e.doc_id.as_str(), e.content_hash.as_str()))
        .collect();
    let mut spilled = spill::read(index_dir, |id, hash| wanted.get(id) == Some(&hash));
    todo.retain(|(slot, _, entry)| match spilled.remove(&entry.doc_id) {
        Some(r) => {
            reports[*slot] = Some(r);
            summary.computed += 1;
            false
        }
        None => true,
    });
    drop(spilled);
    let computed = compute_parallel(&todo, |(_, rel_path, entry)| {
        let path = corpus.join(rel_path);
        let bytes = read_capped(&path).map_err(|e| e.to_string())?;
        let loaded = load_bytes(&path, &bytes).map_err(|e| e.to_string())?;
        Ok(report_prints(
            &entry.doc_id,
            &entry.content_hash,
            &bytes,
            &loaded.text,
        ))
    });
    for ((slot, _, _), result) in todo.iter().zip(computed) {
        match result {
            Ok(r) => {
                reports[*slot] = Some(r);
                summary.computed += 1;
                summary.read_again += 1;
            }
            Err(e) => {
                eprintln!("fazhi: warning: reuse: {e}");
                summary.unreadable += 1;
            }
        }
    }
    let reports: Vec<ReportPrints> = reports.into_iter().flatten().collect();
    let bodies = report_bodies(&handle.reader.searcher())?;
    let mut derived = derive(&reports, &bodies);
    derived.manifest = handle.info.manifest.clone();
    store::write_reports(index_dir, &reports)?;
    store::write_derived(index_dir, &derived)?;
    spill::remove(index_dir);
    summary.candidates = derived.candidates.len();
    summary.exact_copies = derived.exact_copies.len();
    summary.reposts = derived.reposts.len();
    summary.changed = true;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Fold and fingerprint one report's text.
pub fn report_prints(doc_id: &str, content_hash: &str, bytes: &[u8], text: &str) -> ReportPrints {
    let folded = fold(text);
    ReportPrints {
        doc_id: doc_id.to_string(),
        content_hash: content_hash.to_string(),
        bytes_hash: xxh3_64(bytes),
        exact_hash: folded.exact_hash,
        chars: folded.chars.len() as u32,
        prints: fingerprints(&folded.chars),
    }
}

/// `work` over `items` on all cores, results in input order.
fn compute_parallel<T: Sync, R: Send>(
    items: &[T],
    work: impl Fn(&T) -> Result<R, String> + Sync,
) -> Vec<Result<R, String>> {
    crate::parallel::map_in_order(items, work)
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err("internal error while fingerprinting".into())))
        .collect()
}

/// The body (`bureau_key`) and report year of every indexed report, by doc id.
pub type Bodies = HashMap<String, (Option<String>, Option<u64>)>;

/// Read [`Bodies`] from the index's per-report facts (fast fields only).
pub fn report_bodies(searcher: &Searcher) -> anyhow::Result<Bodies> {
    Ok(index::scan::reports(searcher)?
        .into_iter()
        .map(|(id, facts)| (id, (facts.bureau_key, facts.report_year)))
        .collect())
}

/// Derive the corpus-wide state from every report's fingerprints.
pub fn derive(reports: &[ReportPrints], bodies: &Bodies) -> Derived {
    // Body number per report: its bureau_key's, or one of its own.
    let mut body_numbers: HashMap<&str, u32> = HashMap::new();
    let body: Vec<u32> = reports
        .iter()
        .enumerate()
        .map(
            |(i, r)| match bodies.get(&r.doc_id).and_then(|b| b.0.as_deref()) {
                Some(key) => {
                    let next = body_numbers.len() as u32;
                    *body_numbers.entry(key).or_insert(next)
                }
                None => u32::MAX - i as u32,
            },
        )
        .collect();
    let year = |i: usize| bodies.get(&reports[i].doc_id).and_then(|b| b.1);

    // Exact copies: the first report (by path) of a group is the original.
    let mut by_exact: HashMap<u64, usize> = HashMap::new();
    let mut exact_of: Vec<Option<usize>> = vec![None; reports.len()];
    for (i, r) in reports.iter().enumerate() {
        if r.chars == 0 {
            continue;
        }
        match by_exact.get(&r.exact_hash) {
            Some(&first) => exact_of[i] = Some(first),
            None => {
                by_exact.insert(r.exact_hash, i);
            }
        }
    }

    // Postings (fingerprint, report), sorted; exact copies stand for their
    // original (a report saved twice is one body's text once).
    let mut postings: Vec<u64> = Vec::with_capacity(reports.iter().map(|r| r.prints.len()).sum());
    for (i, r) in reports.iter().enumerate() {
        if exact_of[i].is_some() {
            continue;
        }
        postings.extend(
            r.prints
                .iter()
                .map(|(f, _)| (u64::from(*f) << 32) | i as u64),
        );
    }
    postings.sort_unstable();

    // Per print of every report (flat, from `first_print[i]`): whether its
    // fingerprint is not formulaic. A report's prints are sorted as its
    // postings are, so its next posting is its next print (`next_print`).
    let mut first_print = Vec::with_capacity(reports.len());
    let mut total_prints = 0;
    for r in reports {
        first_print.push(total_prints);
        total_prints += r.prints.len();
    }
    let mut next_print = first_print.clone();
    let mut own = vec![true; total_prints];

    // Formulaic fingerprints, and a (report, report) key for every other
    // fingerprint two reports share; equal keys are counted after a sort.
    let mut formulaic = Vec::new();
    let mut shared: Vec<u64> = Vec::new();
    let mut group_bodies: Vec<u32> = Vec::new();
    let mut start = 0;
    while start < postings.len() {
        let fp = postings[start] >> 32;
        let mut end = start + 1;
        while end < postings.len() && postings[end] >> 32 == fp {
            end += 1;
        }
        let docs = &postings[start..end];
        group_bodies.clear();
        group_bodies.extend(docs.iter().map(|p| body[(*p & 0xffff_ffff) as usize]));
        group_bodies.sort_unstable();
        group_bodies.dedup();
        let is_formulaic = group_bodies.len() >= FORMULAIC_BODIES || docs.len() > FORMULAIC_REPORTS;
        for p in docs {
            let next = &mut next_print[(*p & 0xffff_ffff) as usize];
            own[*next] = !is_formulaic;
            *next += 1;
        }
        if is_formulaic {
            formulaic.push(fp as u32);
        } else if docs.len() > 1 {
            for (x, a) in docs.iter().enumerate() {
                for b in &docs[x + 1..] {
                    shared.push(((*a & 0xffff_ffff) << 32) | (*b & 0xffff_ffff));
                }
            }
        }
        start = end;
    }
    shared.sort_unstable();

    let mut candidates: Vec<Candidate> = shared
        .chunk_by(|x, y| x == y)
        .filter(|run| run.len() as u32 >= MIN_SHARED_PRINTS)
        .filter_map(|run| {
            let (a, b) = ((run[0] >> 32) as u32, run[0] as u32);
            let a_prints = &reports[a as usize].prints;
            let a_own = &own[first_print[a as usize]..][..a_prints.len()];
            let estimate = estimate_shared(a_prints, a_own, &reports[b as usize].prints);
            (estimate >= MIN_ESTIMATE).then_some(Candidate { a, b, estimate })
        })
        .collect();
    // Exact copies pair with their original (and share all its pairs, found
    // through it).
    for (i, of) in exact_of.iter().enumerate() {
        if let Some(first) = of {
            candidates.push(Candidate {
                a: *first as u32,
                b: i as u32,
                estimate: reports[i].chars,
            });
        }
    }
    candidates.sort_unstable_by(|x, y| {
        y.estimate
            .cmp(&x.estimate)
            .then((x.a, x.b).cmp(&(y.a, y.b)))
    });

    // Reposts: near-identical text of the same body and year.
    let mut repost_of: Vec<usize> = (0..reports.len()).collect();
    fn root(of: &mut [usize], mut i: usize) -> usize {
        while of[i] != i {
            of[i] = of[of[i]];
            i = of[i];
        }
        i
    }
    for c in &candidates {
        let (a, b) = (c.a as usize, c.b as usize);
        if exact_of[b] == Some(a) {
            continue;
        }
        let same_body = body[a] == body[b] || body[a] > u32::MAX / 2 || body[b] > u32::MAX / 2;
        let same_year = match (year(a), year(b)) {
            (Some(x), Some(y)) => x == y,
            _ => true,
        };
        if same_body
            && same_year
            && jaccard(&reports[a].prints, &reports[b].prints) >= REPOST_JACCARD
        {
            let (ra, rb) = (root(&mut repost_of, a), root(&mut repost_of, b));
            let (lo, hi) = (ra.min(rb), ra.max(rb));
            repost_of[hi] = lo;
        }
    }
    let mut reposts = Vec::new();
    for i in 0..reports.len() {
        let r = root(&mut repost_of, i);
        if r != i {
            reposts.push((reports[i].doc_id.clone(), reports[r].doc_id.clone()));
        }
    }
    let exact_copies = exact_of
        .iter()
        .enumerate()
        .filter_map(|(i, of)| of.map(|f| (reports[i].doc_id.clone(), reports[f].doc_id.clone())))
        .collect();

    Derived {
        manifest: String::new(),
        reports: reports.iter().map(|r| r.doc_id.clone()).collect(),
        paths: Vec::new(),
        chars: reports.iter().map(|r| r.chars).collect(),
        bytes_hashes: reports.iter().map(|r| r.bytes_hash).collect(),
        formulaic,
        candidates,
        exact_copies,
        reposts,
    }
}

/// Share of fingerprints two reports have in common (of their union).
fn jaccard(a: &[(u32, u32)], b: &[(u32, u32)]) -> f64 {
    let common = shared_prints(a, b).count();
    let union = a.len() + b.len() - common;
    if union == 0 {
        return 0.0;
    }
    common as f64 / union as f64
}

/// `(index in a, position in a, position in b)` of the fingerprints both have.
fn shared_prints<'a>(
    a: &'a [(u32, u32)],
    b: &'a [(u32, u32)],
) -> impl Iterator<Item = (usize, u32, u32)> + 'a {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || {
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    let hit = (i, a[i].1, b[j].1);
                    i += 1;
                    j += 1;
                    return Some(hit);
                }
            }
        }
        None
    })
}

/// Estimated shared chars of two reports: the shared fingerprints, in the
/// order of `a`, chained into runs that keep to one diagonal; a run counts
/// when it is long enough and at least half of its fingerprints are not
/// formulaic (the rule `align` applies to passages). `a_own` tells, per
/// print of `a`, whether its fingerprint is not formulaic.
pub fn estimate_shared(a: &[(u32, u32)], a_own: &[bool], b: &[(u32, u32)]) -> u32 {
    let mut hits: Vec<(u32, u32, bool)> = shared_prints(a, b)
        .map(|(i, pa, pb)| (pa, pb, a_own[i]))
        .collect();
    hits.sort_unstable();
    let mut total = 0;
    let close = |run: &Run| {
        let len = run.last_a - run.first_a + SHINGLE as u32;
        if run.own > 0 && run.own * 2 >= run.prints && len >= MIN_RUN {
            len
        } else {
            0
        }
    };
    let mut run: Option<Run> = None;
    for (pa, pb, own) in hits {
        let own = u32::from(own);
        match &mut run {
            Some(r)
                if pa - r.last_a <= RUN_GAP
                    && pb > r.last_b
                    && ((pb as i64 - r.last_b as i64) - (pa as i64 - r.last_a as i64)).abs()
                        <= RUN_DRIFT =>
            {
                r.last_a = pa;
                r.last_b = pb;
                r.prints += 1;
                r.own += own;
            }
            _ => {
                total += run.as_ref().map_or(0, close);
                run = Some(Run {
                    first_a: pa,
                    last_a: pa,
                    last_b: pb,
                    prints: 1,
                    own,
                });
            }
        }
    }
    total + run.as_ref().map_or(0, close)
}

/// A chain of shared fingerprints along one diagonal.
struct Run {
    first_a: u32,
    last_a: u32,
    last_b: u32,
    prints: u32,
    own: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text no other call returns: CJK chars from a per-seed stream.
    fn own(seed: u32, n: usize) -> String {
        let mut x = seed.wrapping_mul(2_654_435_761) | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                char::from_u32(0x4e00 + x % 0x5000).unwrap()
            })
            .collect()
    }

    fn reports(texts: &[String]) -> (Vec<ReportPrints>, Bodies) {
        let mut bodies = Bodies::new();
        let reports = texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let id = format!("d{i}");
                bodies.insert(id.clone(), (Some(format!("body{i}")), Some(2020)));
                report_prints(&id, "h", t.as_bytes(), t)
            })
            .collect();
        (reports, bodies)
    }

    #[test]
    fn text_of_five_bodies_is_formulaic_and_pairs_nobody() {
        let stock = own(999, 200);
        let texts: Vec<String> = (0..FORMULAIC_BODIES as u32)
            .map(|i| format!("{}{stock}{}", own(i, 300), own(i + 100, 300)))
            .collect();
        let (r, b) = reports(&texts);
        let d = derive(&r, &b);
        assert!(d.candidates.is_empty(), "{:?}", d.candidates);
        let stock_prints = fingerprints(&fold(&stock).chars);
        assert!(stock_prints.len() > 5);
        for (f, _) in &stock_prints {
            assert!(d.formulaic.binary_search(f).is_ok());
        }
    }

    #[test]
    fn text_of_two_bodies_is_a_candidate_pair_and_copies_are_found() {
        let shared = own(7, 400);
        let mut texts: Vec<String> = vec![
            format!("{}{shared}", own(1, 300)),
            format!("{shared}{}", own(2, 300)),
            own(3, 600),
        ];
        texts.push(format!("{}，。", texts[2])); // report 2 with punctuation: an exact copy
        texts.push(format!("{}{}", texts[0], own(4, 20))); // a repost of report 0
        let (r, mut b) = reports(&texts);
        b.insert("d4".into(), (Some("body0".into()), Some(2020)));
        let d = derive(&r, &b);
        let pair = d
            .candidates
            .iter()
            .find(|c| (c.a, c.b) == (0, 1))
            .expect("pair");
        assert!((350..=450).contains(&pair.estimate), "{pair:?}");
        assert_eq!(d.exact_copies, vec![("d3".to_string(), "d2".to_string())]);
        assert_eq!(d.reposts, vec![("d4".to_string(), "d0".to_string())]);
    }
}
