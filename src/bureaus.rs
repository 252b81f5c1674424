//! Which bureaus mention a practice: hits grouped by bureau.
//!
//! A researcher asks "who reports doing X — and who does not?". The answer
//! is one row per bureau (bureau, region, years, matching sections, total
//! mentions, best snippet, which variants occurred), not a list of sections.
//!
//! Cost: matching runs unscored (no BM25 over every match), and grouping
//! is done on fast fields — a collector reads the `doc_id` column ordinal
//! of each matching section and, only when the report changes (a report's
//! sections are contiguous and share their metadata), the `bureau`,
//! `province`, `city`, `county` ordinals and `report_year`; a bureau is
//! found by its ordinal in a dense array (a hash map only for a name seen
//! in two regions). Distinct ordinals are resolved to names in one sorted
//! pass over each column dictionary into one buffer per column, and since
//! ordinals order like names, rows are ordered without building strings;
//! only the rows returned get their names copied out. Counting sections
//! and years never touches the doc store, and the `--all` universe is a
//! pure fast-field scan.
//!
//! Mentions (and which variants occur) come from the `exact` field's
//! postings, not from the stored text ([`mention_counts`]): for each
//! segment and positive atom, the postings of the atom's covering bigrams
//! are walked once over the sorted matching sections (seeks, no doc store).
//! - A 2-char atom that cannot overlap itself (`执法`) counts its bigram's
//!   term frequency.
//! - A longer atom, or a self-overlapping one (`哈哈`), intersects the
//!   bigrams' positions shifted by their offsets in the atom (what a phrase
//!   scorer does) and counts the start positions greedily left to right,
//!   skipping starts inside the previous occurrence.
//! - A 1-char atom (matched by a prefix regex, see `atom_query`) sums the
//!   term frequencies of every term starting with the char: the exact
//!   tokenizer emits one token per char, beginning with it. This walks
//!   those terms' whole postings lists into a per-segment array — slower,
//!   but 1-char queries are rare.
//!
//! The rule is the one [`count_occurrences`] applies to normalised text —
//! non-overlapping occurrences, leftmost first, as `str::matches` — so
//! `哈哈哈哈哈` holds `哈哈` twice, not four times. Index and text counts
//! are equal (tests compare them on every section of the bundled reports
//! for thousands of needles, self-overlapping ones included): the exact
//! field indexes the same `heading\nbody` text, one position per normalised
//! char.
//!
//! Only the rows returned (`limit`, 50 by default on the command line) are
//! sorted fully, scored and snippeted: the best section of each (highest
//! BM25 score under the full query, ties to the lowest address — as
//! `search` ranks) is found by seeking the scorer to that bureau's sections
//! only, then loaded once from the doc store, in index order on all cores;
//! `snippets: false` skips scoring and loading.
//!
//! Grouping is split across cores: tantivy collects a segment on one
//! thread, so [`group`] cuts large segments into doc ranges, each grouped on
//! its own thread. Parts of one segment share its ordinals and are merged
//! by ordinal, then names are resolved once per segment (a dense
//! ordinal → name table, no search); segments are merged by name, the
//! largest keeping its slots so that its documents need no remapping.
//!
//! Measured on the generated 100,000-report index (1.75 M sections, 2
//! shared cores, release build, fresh process, hyperfine mean of 10):
//! `"执法"` (655 k matching sections, 57 k bureaus, 50 rows) 0.10–0.14 s
//! (0.16–0.20 s with one thread and per-bureau year lists; 12.9 s before
//! counting from postings); `"行政决策"` (217 k sections) 0.19 s, was 0.31
//! s. What is left for a phrase is tantivy's phrase matching (position
//! decoding), the recount of the same positions here and the per-report
//! fast-field reads; then 50 doc-store loads for the snippets (~15 ms).
//! Every row (`--limit 0`) adds a doc-store load per bureau: 4.2 s
//! for `"执法"` as CSV, 0.26 s with `--no-snippet`.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{BooleanQuery, EnableScoring, Occur, Query as TQuery};
use tantivy::schema::{IndexRecordOption, Term};
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED};

use crate::analysis::normalize;
use crate::index::IndexHandle;
use crate::query::{
    Atom, Clause, Filters, Query, SNIPPET_WIDTH, filter_queries, filter_query, full_query,
    map_sections, match_query, snippet, worker_threads,
};

/// A bureau and where it sits (the grouping key).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BureauKey {
    pub bureau: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
}

/// One row of `fazhi bureaus`. Field names are the JSON contract.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BureauRow {
    pub bureau: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    /// Report years of the matching sections, ascending.
    pub years: Vec<u64>,
    /// Matching sections (0 for a bureau listed by `--all` that does not match).
    pub sections: usize,
    /// Occurrences of the query's positive strings in the matching sections.
    pub mentions: usize,
    /// Best fragment of the best-ranked matching section.
    pub snippet: Option<String>,
    /// File and first line of that section.
    pub path: Option<String>,
    pub line: Option<u64>,
    /// The query strings (as typed, or the synonym variant) that occur.
    pub variants: Vec<String>,
    /// Char ranges of the matches inside `snippet` (for terminals).
    #[serde(skip)]
    pub highlights: Vec<(usize, usize)>,
}

impl BureauRow {
    fn empty(key: BureauKey) -> BureauRow {
        BureauRow {
            bureau: key.bureau,
            province: key.province,
            city: key.city,
            county: key.county,
            years: Vec::new(),
            sections: 0,
            mentions: 0,
            snippet: None,
            path: None,
            line: None,
            variants: Vec::new(),
            highlights: Vec::new(),
        }
    }
}

/// Replace each atom by its group of variants (`synonyms_of(text)`, the
/// atom first), skipping variants already present after normalisation.
/// Exclusions are expanded too: `-A` excludes every variant of A.
pub fn expand_synonyms(query: &Query, synonyms_of: impl Fn(&str) -> Vec<String>) -> Query {
    let variants = |atom: &Atom| -> Vec<Atom> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        let mut add = |a: Atom| {
            if seen.insert(a.normalized.clone()) {
                out.push(a);
            }
        };
        add(atom.clone());
        for v in synonyms_of(&atom.text) {
            let normalized = normalize(&v);
            if !normalized.is_empty() {
                add(Atom {
                    text: v,
                    normalized,
                    phrase: true,
                });
            }
        }
        out
    };
    let mut clauses = Vec::new();
    for clause in &query.clauses {
        match clause {
            Clause::Any(atoms) => {
                let mut group: Vec<Atom> = Vec::new();
                for a in atoms.iter().flat_map(variants) {
                    if !group.iter().any(|g| g.normalized == a.normalized) {
                        group.push(a);
                    }
                }
                clauses.push(Clause::Any(group));
            }
            Clause::Not(atom) => clauses.extend(variants(atom).into_iter().map(Clause::Not)),
        }
    }
    Query { clauses }
}

/// Non-overlapping occurrences of `needle` in `haystack`.
pub fn count_occurrences(haystack: &str, needle: &str) -> usize {
    if needle.is_empty() {
        0
    } else {
        haystack.matches(needle).count()
    }
}

/// Settings of [`bureaus`].
#[derive(Debug, Clone)]
pub struct BureauOptions {
    pub filters: Filters,
    /// Also list the bureaus (passing the filters) that do not match.
    pub all: bool,
    /// Return only the first rows (`None`: all); only they are snippeted.
    pub limit: Option<usize>,
    /// Snippet (with path and line) of each returned bureau's best section.
    pub snippets: bool,
}

impl Default for BureauOptions {
    fn default() -> Self {
        BureauOptions {
            filters: Filters::default(),
            all: false,
            limit: None,
            snippets: true,
        }
    }
}

/// Report years of one bureau's matching sections: a bit per year of
/// [`Years::BASE`]..[`Years::BASE`]+64 (every year a report can plausibly
/// carry), a list for any other. A bureau is one slot of hundreds of
/// thousands, so inserting must not allocate.
#[derive(Debug, Default, Clone)]
struct Years {
    bits: u64,
    other: Vec<u64>,
}

impl Years {
    const BASE: u64 = 1990;

    fn insert(&mut self, year: u64) {
        match year.checked_sub(Self::BASE).filter(|&d| d < 64) {
            Some(d) => self.bits |= 1 << d,
            None if !self.other.contains(&year) => self.other.push(year),
            None => {}
        }
    }

    fn union(&mut self, other: &Years) {
        self.bits |= other.bits;
        for &y in &other.other {
            self.insert(y);
        }
    }

    fn sorted(self) -> Vec<u64> {
        let mut years = self.other;
        years.extend(
            (0..64)
                .filter(|d| self.bits & (1 << d) != 0)
                .map(|d| Self::BASE + d),
        );
        years.sort_unstable();
        years
    }
}

/// Distinct names of one column, sorted, in one buffer (no allocation per
/// name): a name's index orders like the name.
#[derive(Debug, Default)]
struct Names {
    buf: String,
    ends: Vec<usize>,
}

impl Names {
    fn push(&mut self, name: &str) {
        self.buf.push_str(name);
        self.ends.push(self.buf.len());
    }

    fn get(&self, i: u32) -> &str {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.buf[start..self.ends[i]]
    }

    fn len(&self) -> usize {
        self.ends.len()
    }
}

/// Merge sorted, distinct name tables into `out` (sorted, distinct), and
/// give for each table the index in `out` of each of its names: one linear
/// pass (tables are per segment, so they are few).
fn merge_names(tables: &[&Names], out: &mut Names) -> Vec<Vec<u32>> {
    let mut maps: Vec<Vec<u32>> = tables.iter().map(|t| Vec::with_capacity(t.len())).collect();
    let mut heads = vec![0u32; tables.len()];
    fn head(t: &Names, h: u32) -> Option<&str> {
        (h < t.len() as u32).then(|| t.get(h))
    }
    loop {
        let next = tables
            .iter()
            .zip(&heads)
            .filter_map(|(t, &h)| head(t, h))
            .min();
        let Some(name) = next else {
            return maps;
        };
        let index = out.len() as u32;
        out.push(name);
        for (i, t) in tables.iter().enumerate() {
            if head(t, heads[i]) == Some(name) {
                maps[i].push(index);
                heads[i] += 1;
            }
        }
    }
}

/// A bureau as indices into the four name tables (bureau, province, city,
/// county). Compared as a tuple it orders like the names.
type Key = [Option<u32>; 4];

/// The matching sections grouped by bureau, from fast fields only.
#[derive(Debug, Default)]
struct Grouped {
    names: [Names; 4],
    /// One entry per bureau (the slot is the index).
    keys: Vec<Key>,
    years: Vec<Years>,
    sections: Vec<usize>,
    /// Every matching section (with `keep_docs`) and its bureau's slot, in
    /// address order.
    docs: Vec<(DocAddress, u32)>,
}

impl Grouped {
    fn name(&self, slot: usize, column: usize) -> Option<&str> {
        self.keys[slot][column].map(|i| self.names[column].get(i))
    }

    fn names_of(&self, slot: usize) -> [Option<&str>; 4] {
        [0, 1, 2, 3].map(|c| self.name(slot, c))
    }

    fn key(&self, slot: usize) -> BureauKey {
        let [bureau, province, city, county] = self.names_of(slot).map(|n| n.map(str::to_string));
        BureauKey {
            bureau,
            province,
            city,
            county,
        }
    }

    /// By bureau name (unnamed last), then region.
    fn order(&self, a: usize, b: usize) -> std::cmp::Ordering {
        let (ka, kb) = (&self.keys[a], &self.keys[b]);
        ka[0]
            .is_none()
            .cmp(&kb[0].is_none())
            .then_with(|| ka.cmp(kb))
    }
}

/// Groups matching documents by bureau using fast fields only (scores
/// nothing).
struct BureauCollector {
    keep_docs: bool,
}

/// Column ordinals of (bureau, province, city, county) in a segment.
type Ords = [Option<u64>; 4];

/// A multiply-rotate hasher (as rustc's FxHash) for small integer keys:
/// SipHash dominated the grouping of a few hundred thousand reports.
#[derive(Default, Clone, Copy)]
struct OrdHasher(u64);

impl std::hash::Hasher for OrdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut buf = [0u8; 8];
            buf[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(buf));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        // Mix the high bits down: the table indexes by the low ones.
        let h = self.0;
        (h ^ (h >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9) ^ (h >> 32)
    }
}

type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<OrdHasher>>;

struct SegmentBureaus {
    segment: u32,
    keep_docs: bool,
    columns: [Option<StrColumn>; 4],
    year: Option<Column<u64>>,
    slots: FastMap<Ords, u32>,
    /// Slot of the first key seen per bureau ordinal (`u32::MAX`: none
    /// yet): almost every bureau sits in one region, so this array answers
    /// before the map does.
    by_bureau: Vec<u32>,
    keys: Vec<Ords>,
    years: Vec<Years>,
    sections: Vec<usize>,
    docs: Vec<(DocAddress, u32)>,
    /// `doc_id` column: the sections of a report are contiguous and share
    /// its bureau, region and year, so a document of the same report as the
    /// previous one reads one column instead of five, and hashes nothing.
    report: Option<StrColumn>,
    /// The previous document's report ordinal and slot.
    last: Option<(u64, u32)>,
}

impl Collector for BureauCollector {
    type Fruit = Grouped;
    type Child = SegmentBureaus;

    fn for_segment(&self, segment: u32, reader: &SegmentReader) -> tantivy::Result<SegmentBureaus> {
        let ff = reader.fast_fields();
        let bureau = ff.str("bureau")?;
        let bureaus = bureau.as_ref().map_or(0, |c| c.dictionary().num_terms());
        Ok(SegmentBureaus {
            segment,
            keep_docs: self.keep_docs,
            columns: [
                bureau,
                ff.str("province")?,
                ff.str("city")?,
                ff.str("county")?,
            ],
            year: ff.u64("report_year").ok(),
            slots: FastMap::default(),
            by_bureau: vec![u32::MAX; bureaus],
            keys: Vec::new(),
            years: Vec::new(),
            sections: Vec::new(),
            docs: Vec::new(),
            report: ff.str("doc_id")?,
            last: None,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Grouped>) -> tantivy::Result<Grouped> {
        let mut fruits: Vec<Grouped> = fruits.into_iter().filter(|f| !f.keys.is_empty()).collect();
        if fruits.len() <= 1 {
            return Ok(fruits.pop().unwrap_or_default());
        }
        // One sorted name table per column over all segments; each
        // segment's indices are mapped into it, then equal keys merged.
        let mut out = Grouped::default();
        let mut maps: Vec<[Vec<u32>; 4]> = fruits.iter().map(|_| Default::default()).collect();
        for (c, names) in out.names.iter_mut().enumerate() {
            let tables: Vec<&Names> = fruits.iter().map(|f| &f.names[c]).collect();
            for (maps, map) in maps.iter_mut().zip(merge_names(&tables, names)) {
                maps[c] = map;
            }
        }
        // The largest fruit (usually the one big segment) keeps its slots,
        // so its documents need no remapping; the others' keys are found
        // by bureau name (a map only for a name seen in several regions).
        let base = (0..fruits.len())
            .max_by_key(|&i| fruits[i].docs.len().max(fruits[i].keys.len()))
            .unwrap_or(0);
        let global = |key: &Key, map: &[Vec<u32>; 4]| -> Key {
            [0, 1, 2, 3].map(|c| key[c].map(|k| map[c][k as usize]))
        };
        let mut by_bureau = vec![u32::MAX; out.names[0].len()];
        {
            let fruit = &mut fruits[base];
            out.keys = fruit.keys.iter().map(|k| global(k, &maps[base])).collect();
            out.years = std::mem::take(&mut fruit.years);
            out.sections = std::mem::take(&mut fruit.sections);
            for (slot, key) in out.keys.iter().enumerate() {
                if let Some(b) = key[0]
                    && by_bureau[b as usize] == u32::MAX
                {
                    by_bureau[b as usize] = slot as u32;
                }
            }
        }
        let mut slot_of: Option<FastMap<Key, u32>> = None;
        let total: usize = fruits.iter().map(|f| f.docs.len()).sum();
        if base == 0 {
            out.docs = std::mem::take(&mut fruits[0].docs);
        }
        out.docs.reserve_exact(total - out.docs.len());
        for (i, (fruit, map)) in fruits.into_iter().zip(&maps).enumerate() {
            if i == base {
                if i > 0 {
                    out.docs.extend_from_slice(&fruit.docs);
                }
                continue;
            }
            let mut remap = Vec::with_capacity(fruit.keys.len());
            for (k, key) in fruit.keys.iter().enumerate() {
                let key = global(key, map);
                let first = key[0].map_or(u32::MAX, |b| by_bureau[b as usize]);
                let slot = if first != u32::MAX && out.keys[first as usize] == key {
                    first
                } else {
                    let slot_of = slot_of.get_or_insert_with(|| {
                        (0..out.keys.len() as u32)
                            .map(|s| (out.keys[s as usize], s))
                            .collect()
                    });
                    *slot_of.entry(key).or_insert_with(|| {
                        out.keys.push(key);
                        out.years.push(Years::default());
                        out.sections.push(0);
                        let slot = (out.keys.len() - 1) as u32;
                        if let Some(b) = key[0]
                            && by_bureau[b as usize] == u32::MAX
                        {
                            by_bureau[b as usize] = slot;
                        }
                        slot
                    })
                };
                let s = slot as usize;
                out.years[s].union(&fruit.years[k]);
                out.sections[s] += fruit.sections[k];
                remap.push(slot);
            }
            out.docs.extend(
                fruit
                    .docs
                    .into_iter()
                    .map(|(addr, slot)| (addr, remap[slot as usize])),
            );
        }
        if !out.docs.is_sorted_by_key(|&(addr, _)| addr) {
            out.docs.sort_unstable_by_key(|&(addr, _)| addr);
        }
        Ok(out)
    }
}

impl SegmentBureaus {
    /// The slot of bureau `key`, added if new.
    fn slot_for(&mut self, key: Ords) -> u32 {
        let next = self.keys.len() as u32;
        let first = key[0].map_or(u32::MAX, |b| self.by_bureau[b as usize]);
        let slot = if first != u32::MAX && self.keys[first as usize] == key {
            first
        } else {
            let slot = *self.slots.entry(key).or_insert(next);
            if let Some(b) = key[0]
                && first == u32::MAX
            {
                self.by_bureau[b as usize] = slot;
            }
            slot
        };
        if slot == next {
            self.keys.push(key);
            self.years.push(Years::default());
            self.sections.push(0);
        }
        slot
    }

    /// Merge the groups of a later part of the same segment into these.
    fn absorb(&mut self, other: SegmentBureaus) {
        let remap: Vec<u32> = (0..other.keys.len())
            .map(|i| {
                let slot = self.slot_for(other.keys[i]) as usize;
                self.years[slot].union(&other.years[i]);
                self.sections[slot] += other.sections[i];
                slot as u32
            })
            .collect();
        self.docs.extend(
            other
                .docs
                .into_iter()
                .map(|(addr, slot)| (addr, remap[slot as usize])),
        );
    }

    /// Count `doc`, a section of the report with ordinal `report`.
    fn collect_in_report(&mut self, doc: DocId, report: Option<u64>) {
        let ord = |c: &Option<StrColumn>| c.as_ref().and_then(|c| c.term_ords(doc).next());
        let slot = match (report, self.last) {
            (Some(r), Some((last, slot))) if r == last => slot,
            _ => {
                let key = [
                    ord(&self.columns[0]),
                    ord(&self.columns[1]),
                    ord(&self.columns[2]),
                    ord(&self.columns[3]),
                ];
                let slot = self.slot_for(key);
                if let Some(y) = self.year.as_ref().and_then(|c| c.first(doc)) {
                    self.years[slot as usize].insert(y);
                }
                self.last = report.map(|r| (r, slot));
                slot
            }
        };
        self.sections[slot as usize] += 1;
        if self.keep_docs {
            self.docs.push((DocAddress::new(self.segment, doc), slot));
        }
    }
}

impl SegmentCollector for SegmentBureaus {
    type Fruit = Grouped;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let report = self.report.as_ref().and_then(|c| c.term_ords(doc).next());
        self.collect_in_report(doc, report);
    }

    /// Matching documents come in blocks: their report ordinals are read
    /// in one batch (a third of the time went to reading them one by one).
    fn collect_block(&mut self, docs: &[DocId]) {
        let mut reports = [None; tantivy::COLLECT_BLOCK_BUFFER_LEN];
        for chunk in docs.chunks(tantivy::COLLECT_BLOCK_BUFFER_LEN) {
            let reports = &mut reports[..chunk.len()];
            // `first_vals` leaves the entries of documents without a value.
            reports.fill(None);
            if let Some(column) = &self.report {
                column.ords().first_vals(chunk, reports);
            }
            for (&doc, &report) in chunk.iter().zip(reports.iter()) {
                self.collect_in_report(doc, report);
            }
        }
    }

    fn harvest(self) -> Grouped {
        // Resolve each column's distinct ordinals in one sorted pass over its
        // dictionary (one-by-one lookups would decompress a block each).
        // Ordinals order like their terms, so the name indices do too.
        let mut names: [Names; 4] = Default::default();
        // Per column: ordinal → index of its name (`u32::MAX`: unresolved).
        let mut index_of: [Vec<u32>; 4] = Default::default();
        for c in 0..4 {
            let Some(col) = &self.columns[c] else {
                continue;
            };
            let mut seen = vec![false; col.dictionary().num_terms()];
            for o in self.keys.iter().filter_map(|k| k[c]) {
                seen[o as usize] = true;
            }
            let distinct: Vec<u64> = (0..seen.len() as u64)
                .filter(|&o| seen[o as usize])
                .collect();
            let table = &mut names[c];
            let _ = col.dictionary().sorted_ords_to_term_cb(&distinct, |bytes| {
                table.push(&String::from_utf8_lossy(bytes));
            });
            index_of[c] = vec![u32::MAX; seen.len()];
            for (i, &o) in distinct.iter().take(table.len()).enumerate() {
                index_of[c][o as usize] = i as u32;
            }
        }
        let keys = self
            .keys
            .iter()
            .map(|k| {
                [0, 1, 2, 3].map(|c| {
                    k[c].map(|o| index_of[c][o as usize])
                        .filter(|&i| i != u32::MAX)
                })
            })
            .collect();
        Grouped {
            names,
            keys,
            years: self.years,
            sections: self.sections,
            docs: self.docs,
        }
    }
}

/// How one atom's mentions are counted in a segment's `exact` field.
enum AtomCounter {
    /// The atom cannot occur here (empty, or a bigram the segment lacks).
    Absent,
    /// Occurrences per document, precomputed for every document of the
    /// segment (one-char atoms: the sum of the term frequencies of every
    /// term starting with the char).
    Dense(Vec<u32>),
    /// A bigram that cannot overlap itself: its term frequency.
    TermFreq(Box<SegmentPostings>),
    /// The covering bigrams `(offset in the atom, postings)` of an atom of
    /// `len` chars: aligned positions give the starts, counted without
    /// overlap.
    Phrase {
        terms: Vec<(u32, SegmentPostings)>,
        len: u32,
    },
}

/// Whether `chars` has a proper border (a prefix that is also a suffix),
/// i.e. whether two occurrences of it can overlap.
fn self_overlapping(chars: &[char]) -> bool {
    (1..chars.len()).any(|k| chars[..k] == chars[chars.len() - k..])
}

/// Move `postings` to `doc` if it holds it.
fn on_doc(postings: &mut SegmentPostings, doc: DocId) -> bool {
    if postings.doc() < doc {
        postings.seek(doc);
    }
    postings.doc() == doc
}

impl AtomCounter {
    fn new(
        inverted: &tantivy::InvertedIndexReader,
        field: tantivy::schema::Field,
        max_doc: DocId,
        needle: &str,
    ) -> anyhow::Result<AtomCounter> {
        let chars: Vec<char> = needle.chars().collect();
        match chars.len() {
            0 => Ok(AtomCounter::Absent),
            1 => {
                // The exact tokenizer emits one token per char, starting with
                // that char (a bigram, or the final char alone), so the char's
                // occurrences are the summed frequencies of the terms it
                // starts — the terms `atom_query`'s prefix regex matches.
                let mut prefix = [0u8; 4];
                let prefix = chars[0].encode_utf8(&mut prefix).as_bytes().to_vec();
                let mut end = prefix.clone();
                *end.last_mut().expect("non-empty") += 1; // never 0xFF in UTF-8
                let mut dense = vec![0u32; max_doc as usize];
                let mut stream = inverted
                    .terms()
                    .range()
                    .ge(&prefix)
                    .lt(&end)
                    .into_stream()?;
                while stream.advance() {
                    let mut p = inverted.read_postings_from_terminfo(
                        stream.value(),
                        IndexRecordOption::WithFreqs,
                    )?;
                    while p.doc() != TERMINATED {
                        dense[p.doc() as usize] += p.term_freq();
                        p.advance();
                    }
                }
                Ok(AtomCounter::Dense(dense))
            }
            n => {
                // Bigrams at even offsets cover the atom, the last one
                // overlapping when the length is odd (as in exact_query_terms).
                let mut starts: Vec<usize> = (0..n - 1).step_by(2).collect();
                if n % 2 == 1 {
                    starts.push(n - 2);
                }
                let option = if n == 2 && !self_overlapping(&chars) {
                    IndexRecordOption::WithFreqs
                } else {
                    IndexRecordOption::WithFreqsAndPositions
                };
                let mut terms = Vec::with_capacity(starts.len());
                for i in starts {
                    let bigram: String = chars[i..i + 2].iter().collect();
                    let term = Term::from_field_text(field, &bigram);
                    match inverted.read_postings(&term, option)? {
                        Some(p) => terms.push((i as u32, p)),
                        None => return Ok(AtomCounter::Absent),
                    }
                }
                if option == IndexRecordOption::WithFreqs {
                    let (_, p) = terms.pop().expect("one bigram");
                    Ok(AtomCounter::TermFreq(Box::new(p)))
                } else {
                    Ok(AtomCounter::Phrase {
                        terms,
                        len: n as u32,
                    })
                }
            }
        }
    }

    /// Non-overlapping occurrences in `doc`; documents must be asked in
    /// increasing order. `a`, `b`: scratch buffers.
    fn count(&mut self, doc: DocId, a: &mut Vec<u32>, b: &mut Vec<u32>) -> u32 {
        match self {
            AtomCounter::Absent => 0,
            AtomCounter::Dense(counts) => counts[doc as usize],
            AtomCounter::TermFreq(p) => {
                if on_doc(p, doc) {
                    p.term_freq()
                } else {
                    0
                }
            }
            AtomCounter::Phrase { terms, len } => {
                for (_, p) in terms.iter_mut() {
                    if !on_doc(p, doc) {
                        return 0;
                    }
                }
                // Start positions where every bigram sits at its offset:
                // intersect the shifted position lists, rarest first.
                let rarest = (0..terms.len())
                    .min_by_key(|&k| terms[k].1.term_freq())
                    .expect("at least one bigram");
                let (offset, p) = &mut terms[rarest];
                p.positions(a);
                let offset = *offset;
                // A bigram at offset k of an occurrence sits at start + k
                // (an earlier one starts no occurrence).
                a.retain_mut(|pos| match pos.checked_sub(offset) {
                    Some(start) => {
                        *pos = start;
                        true
                    }
                    None => false,
                });
                for (k, (offset, p)) in terms.iter_mut().enumerate() {
                    if k == rarest || a.is_empty() {
                        continue;
                    }
                    p.positions(b);
                    let offset = *offset;
                    let mut j = 0;
                    a.retain(|&start| {
                        let want = start.wrapping_add(offset);
                        while j < b.len() && b[j] < want {
                            j += 1;
                        }
                        j < b.len() && b[j] == want
                    });
                }
                // Greedy left to right, like `str::matches`.
                let mut count = 0;
                let mut next = 0u32;
                for &start in a.iter() {
                    if start >= next {
                        count += 1;
                        next = start + *len;
                    }
                }
                count
            }
        }
    }
}

/// Mentions of each of `needles` (normalised strings) in each of `docs`,
/// counted from the `exact` field's postings: `out[d * needles.len() + i]`
/// is the number of non-overlapping occurrences of needle `i` in the
/// normalised text of section `docs[d]` — what [`count_occurrences`] gives
/// on the stored text, without loading it. `docs` must be sorted.
pub fn mention_counts(
    searcher: &Searcher,
    f: &crate::index::Fields,
    needles: &[&str],
    docs: &[DocAddress],
) -> anyhow::Result<Vec<u32>> {
    debug_assert!(docs.windows(2).all(|w| w[0] < w[1]), "docs sorted");
    let mut out = vec![0u32; docs.len() * needles.len()];
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let mut start = 0;
    while start < docs.len() {
        let segment = docs[start].segment_ord;
        let end = start + docs[start..].partition_point(|d| d.segment_ord == segment);
        let reader = searcher.segment_reader(segment);
        let inverted = reader.inverted_index(f.exact)?;
        for (i, needle) in needles.iter().enumerate() {
            let mut counter = AtomCounter::new(&inverted, f.exact, reader.max_doc(), needle)?;
            if matches!(counter, AtomCounter::Absent) {
                continue;
            }
            for (d, addr) in docs[start..end].iter().enumerate() {
                out[(start + d) * needles.len() + i] = counter.count(addr.doc_id, &mut a, &mut b);
            }
        }
        start = end;
    }
    Ok(out)
}

/// Segments of at least this many documents are grouped in parallel parts.
const SPLIT_SEGMENT_DOCS: u32 = 1 << 16;

/// The sections matching `query`, grouped by bureau. tantivy collects a
/// segment on one thread, and after a merge there is one segment: large
/// segments are cut into doc ranges grouped on all cores, whose groups
/// merge like those of separate segments (by name).
fn group(searcher: &Searcher, query: &dyn TQuery, keep_docs: bool) -> anyhow::Result<Grouped> {
    group_split(
        searcher,
        query,
        keep_docs,
        SPLIT_SEGMENT_DOCS,
        worker_threads(),
    )
}

/// [`group`], cutting segments of at least `min_docs` documents into
/// `threads` parts.
fn group_split(
    searcher: &Searcher,
    query: &dyn TQuery,
    keep_docs: bool,
    min_docs: u32,
    threads: usize,
) -> anyhow::Result<Grouped> {
    let collector = BureauCollector { keep_docs };
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut parts: Vec<(u32, DocId, DocId)> = Vec::new();
    for (segment, reader) in searcher.segment_readers().iter().enumerate() {
        let max = reader.max_doc();
        let n = if max >= min_docs { threads as u32 } else { 1 };
        for i in 0..n {
            let range = (
                max as u64 * i as u64 / n as u64,
                max as u64 * (i as u64 + 1) / n as u64,
            );
            parts.push((segment as u32, range.0 as DocId, range.1 as DocId));
        }
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let done: Vec<Vec<(usize, tantivy::Result<SegmentBureaus>)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.min(parts.len()))
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&(segment, start, end)) = parts.get(i) else {
                            return out;
                        };
                        let reader = searcher.segment_reader(segment);
                        out.push((
                            i,
                            collect_range(&collector, weight.as_ref(), reader, segment, start..end),
                        ));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("grouping thread panicked"))
            .collect()
    });
    let mut done: Vec<(usize, tantivy::Result<SegmentBureaus>)> =
        done.into_iter().flatten().collect();
    // In part order, so that the merged documents stay in address order.
    done.sort_unstable_by_key(|(i, _)| *i);
    // The parts of a segment share its ordinals: they are merged by
    // ordinal, and names are resolved once per segment.
    let mut fruits: Vec<Grouped> = Vec::new();
    let mut current: Option<SegmentBureaus> = None;
    for (_, part) in done {
        let part = part?;
        match &mut current {
            Some(c) if c.segment == part.segment => c.absorb(part),
            _ => {
                if let Some(c) = current.replace(part) {
                    fruits.push(c.harvest());
                }
            }
        }
    }
    fruits.extend(current.map(SegmentBureaus::harvest));
    Ok(collector.merge_fruits(fruits)?)
}

/// Group the live documents of `docs` in one segment that `weight` matches.
fn collect_range(
    collector: &BureauCollector,
    weight: &dyn tantivy::query::Weight,
    reader: &SegmentReader,
    segment: u32,
    docs: std::ops::Range<DocId>,
) -> tantivy::Result<SegmentBureaus> {
    let mut child = collector.for_segment(segment, reader)?;
    let mut scorer = weight.scorer(reader, 1.0)?;
    let mut doc = scorer.doc();
    if doc < docs.start {
        doc = scorer.seek(docs.start);
    }
    let alive = reader.alive_bitset();
    let mut block = [0; tantivy::COLLECT_BLOCK_BUFFER_LEN];
    let mut len = 0;
    while doc < docs.end {
        if alive.is_none_or(|a| a.is_alive(doc)) {
            block[len] = doc;
            len += 1;
            if len == block.len() {
                child.collect_block(&block);
                len = 0;
            }
        }
        doc = scorer.advance();
    }
    child.collect_block(&block[..len]);
    Ok(child)
}

/// The page of rows [`bureaus`] returns, and how many there are in all.
#[derive(Debug, Clone, PartialEq)]
pub struct BureauTable {
    /// The first `limit` rows (all with limit `None`), in order.
    pub rows: Vec<BureauRow>,
    /// Rows in all (before the limit).
    pub total: usize,
    /// Rows with at least one matching section (before the limit).
    pub matching: usize,
}

/// The bureaus whose sections match `query` (under `opts.filters`), most
/// mentions first, then by name; with `opts.all`, followed by every other
/// bureau that passes the filters (sections 0). Only the first
/// `opts.limit` rows are returned, and only they are snippeted.
pub fn bureaus(
    handle: &IndexHandle,
    query: &Query,
    opts: &BureauOptions,
) -> anyhow::Result<BureauTable> {
    let searcher = handle.reader.searcher();
    let f = &handle.fields;
    // Matching needs no scores: BM25 is computed later, for the sections
    // of the bureaus on the page only.
    let mut must = vec![(Occur::Must, match_query(f, query))];
    for q in filter_queries(&searcher, f, &opts.filters)? {
        must.push((Occur::Must, q));
    }
    let grouped = group(&searcher, &BooleanQuery::new(must), true)?;
    let atoms: Vec<&Atom> = query.positive_atoms().collect();
    let needles: Vec<&str> = atoms.iter().map(|a| a.normalized.as_str()).collect();
    // Mentions and variants per bureau, from the index.
    let docs: Vec<DocAddress> = grouped.docs.iter().map(|&(addr, _)| addr).collect();
    let counts = mention_counts(&searcher, f, &needles, &docs)?;
    drop(docs);
    let n = grouped.keys.len();
    let mut mentions = vec![0usize; n];
    let mut seen = vec![false; n * atoms.len()];
    for (d, &(_, slot)) in grouped.docs.iter().enumerate() {
        let slot = slot as usize;
        for i in 0..atoms.len() {
            let c = counts[d * atoms.len() + i];
            mentions[slot] += c as usize;
            seen[slot * atoms.len() + i] |= c > 0;
        }
    }
    drop(counts);
    // Order: most mentions first, then by name (unnamed last), then region.
    let mut order: Vec<usize> = (0..n).collect();
    let row_order = |&a: &usize, &b: &usize| {
        mentions[b]
            .cmp(&mentions[a])
            .then_with(|| grouped.order(a, b))
    };
    let matching = n;
    let limit = opts.limit.unwrap_or(usize::MAX);
    // Only the page needs sorting.
    if limit < n {
        order.select_nth_unstable_by(limit, row_order);
        order.truncate(limit);
    }
    order.sort_unstable_by(row_order);
    let mut rest: Vec<BureauKey> = Vec::new();
    let mut rest_total = 0;
    if opts.all {
        let universe = filter_query(&searcher, f, &opts.filters)?;
        let everyone = group(&searcher, universe.as_ref(), false)?;
        let matched: HashSet<[Option<&str>; 4]> = (0..n).map(|s| grouped.names_of(s)).collect();
        let mut others: Vec<usize> = (0..everyone.keys.len())
            .filter(|&s| !matched.contains(&everyone.names_of(s)))
            .collect();
        rest_total = others.len();
        let page = limit.saturating_sub(order.len().min(limit));
        if page < others.len() {
            others.select_nth_unstable_by(page, |&a, &b| everyone.order(a, b));
            others.truncate(page);
        }
        others.sort_unstable_by(|&a, &b| everyone.order(a, b));
        rest = others.into_iter().map(|s| everyone.key(s)).collect();
    }
    let total = matching + rest_total;
    order.truncate(limit);
    rest.truncate(limit - order.len());
    // Rows for the page only; the best section of each (highest BM25
    // score under the full query, on ties the lowest address).
    let best = if opts.snippets {
        best_sections(&searcher, f, query, &opts.filters, &grouped.docs, &order)?
    } else {
        HashMap::new()
    };
    let mut grouped = grouped;
    let mut rows: Vec<BureauRow> = Vec::with_capacity(order.len() + rest.len());
    let mut wanted: Vec<(DocAddress, usize)> = Vec::new();
    for &slot in &order {
        let mut row = BureauRow::empty(grouped.key(slot));
        row.years = std::mem::take(&mut grouped.years[slot]).sorted();
        row.sections = grouped.sections[slot];
        row.mentions = mentions[slot];
        for (i, a) in atoms.iter().enumerate() {
            if seen[slot * atoms.len() + i] && !row.variants.contains(&a.text) {
                row.variants.push(a.text.clone());
            }
        }
        if let Some(&(_, addr)) = best.get(&slot) {
            wanted.push((addr, rows.len()));
        }
        rows.push(row);
    }
    // Snippets: one stored-section load per row, in index order (bureaus
    // sharing a doc-store block decompress it once), in contiguous runs on
    // all cores.
    wanted.sort_unstable();
    let addrs: Vec<DocAddress> = wanted.iter().map(|&(addr, _)| addr).collect();
    let snippets = map_sections(&searcher, f, &addrs, |k, s| {
        let snip = snippet(&s.text(), &needles, SNIPPET_WIDTH);
        (wanted[k].1, snip, s.path, s.line_start)
    })?;
    for (i, snip, path, line) in snippets {
        let row = &mut rows[i];
        row.snippet = Some(snip.text);
        row.highlights = snip.highlights;
        row.path = Some(path);
        row.line = Some(line);
    }
    rows.extend(rest.into_iter().map(BureauRow::empty));
    Ok(BureauTable {
        rows,
        total,
        matching,
    })
}

/// The best-scoring section of each bureau in `slots`, scored with the
/// full (ranking) query by seeking its scorer to those sections only.
fn best_sections(
    searcher: &Searcher,
    f: &crate::index::Fields,
    query: &Query,
    filters: &Filters,
    docs: &[(DocAddress, u32)],
    slots: &[usize],
) -> anyhow::Result<HashMap<usize, (Score, DocAddress)>> {
    let mut wanted = vec![false; slots.iter().max().map_or(0, |m| m + 1)];
    for &s in slots {
        wanted[s] = true;
    }
    let q = full_query(searcher, f, query, filters)?;
    let weight = q.weight(EnableScoring::enabled_from_searcher(searcher))?;
    let mut best: HashMap<usize, (Score, DocAddress)> = HashMap::new();
    let mut scorer: Option<(u32, Box<dyn tantivy::query::Scorer>)> = None;
    for &(addr, slot) in docs {
        let slot = slot as usize;
        if !wanted.get(slot).copied().unwrap_or(false) {
            continue;
        }
        if scorer.as_ref().is_none_or(|(s, _)| *s != addr.segment_ord) {
            let reader = searcher.segment_reader(addr.segment_ord);
            scorer = Some((addr.segment_ord, weight.scorer(reader, 1.0)?));
        }
        let (_, sc) = scorer.as_mut().expect("scorer");
        if sc.doc() < addr.doc_id {
            sc.seek(addr.doc_id);
        }
        // Every matching section matches the full query too.
        let score = if sc.doc() == addr.doc_id {
            sc.score()
        } else {
            0.0
        };
        // Addresses ascend: on equal scores the first one stays.
        let b = best.entry(slot).or_insert((score, addr));
        if score > b.0 {
            *b = (score, addr);
        }
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse::parse;

    /// Grouping finds every bureau's sections and years, across segments
    /// (the larger one second) and deleted sections; cutting segments into
    /// parts (a report may straddle two) groups exactly as one pass does.
    #[test]
    fn split_segments_group_like_one_pass() {
        let (schema, f) = crate::index::schema();
        let index = tantivy::Index::create_in_ram(schema);
        crate::analysis::register_tokenizers(&index);
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        let places = [("杭州市", "浙江省"), ("南京市", "江苏省"), ("", "四川省")];
        // What grouping must find: sections and years per bureau.
        let mut want: std::collections::BTreeMap<BureauKey, (usize, BTreeSet<u64>)> =
            Default::default();
        for report in 0..120u64 {
            let kind = ["司法局", "教育局", "人民政府"][(report % 3) as usize];
            let (city, province) = places[(report % 7 % 3) as usize];
            // Years outside the bitmask's range too.
            let year = if report % 11 == 0 {
                1985
            } else {
                2015 + report % 9
            };
            for section in 0..(report % 5 + 1) {
                let mut doc = tantivy::TantivyDocument::default();
                doc.add_text(f.doc_id, format!("r{report}"));
                doc.add_text(f.bureau, format!("{city}{kind}"));
                doc.add_text(f.province, province);
                if !city.is_empty() {
                    doc.add_text(f.city, city);
                }
                doc.add_u64(f.report_year, year);
                let text = if section % 2 == 0 {
                    "严格执法"
                } else {
                    "普法宣传"
                };
                doc.add_text(f.exact, text);
                writer.add_document(doc).unwrap();
                if section % 2 == 0 && report != 7 {
                    let key = BureauKey {
                        bureau: Some(format!("{city}{kind}")),
                        province: Some(province.to_string()),
                        city: (!city.is_empty()).then(|| city.to_string()),
                        county: None,
                    };
                    let row = want.entry(key).or_default();
                    row.0 += 1;
                    row.1.insert(year);
                }
            }
            // Two segments, the second the larger: merging keeps its slots.
            if report == 19 {
                writer.commit().unwrap();
            }
        }
        writer.commit().unwrap();
        writer.delete_term(Term::from_field_text(f.doc_id, "r7"));
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let segments = searcher.segment_readers();
        assert_eq!(segments.len(), 2);
        assert!(segments.iter().any(|r| r.alive_bitset().is_some()));
        assert_ne!(segments[0].max_doc(), segments[1].max_doc());
        let query = match_query(&f, &crate::query::parse::parse("执法").unwrap());
        let summary = |g: &Grouped| {
            let by_key: std::collections::BTreeMap<BureauKey, (usize, Vec<u64>)> =
                (0..g.keys.len())
                    .map(|s| (g.key(s), (g.sections[s], g.years[s].clone().sorted())))
                    .collect();
            let docs: Vec<(DocAddress, BureauKey)> = g
                .docs
                .iter()
                .map(|&(a, s)| (a, g.key(s as usize)))
                .collect();
            (by_key, docs)
        };
        let one = group_split(&searcher, query.as_ref(), true, u32::MAX, 1).unwrap();
        assert!(
            one.keys.len() > 3 && one.docs.len() > 100,
            "{}",
            one.docs.len()
        );
        let want: std::collections::BTreeMap<BureauKey, (usize, Vec<u64>)> = want
            .into_iter()
            .map(|(k, (n, years))| (k, (n, years.into_iter().collect())))
            .collect();
        assert_eq!(summary(&one).0, want);
        // The larger fruit first and last: it keeps its slots either way.
        let collector = BureauCollector { keep_docs: true };
        let weight = query
            .weight(EnableScoring::disabled_from_searcher(&searcher))
            .unwrap();
        for reverse in [false, true] {
            let mut fruits: Vec<Grouped> = segments
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    collect_range(&collector, weight.as_ref(), r, i as u32, 0..r.max_doc())
                        .unwrap()
                        .harvest()
                })
                .collect();
            if reverse {
                fruits.reverse();
            }
            let merged = collector.merge_fruits(fruits).unwrap();
            assert_eq!(summary(&merged), summary(&one), "reversed: {reverse}");
        }
        for parts in [2, 3, 7] {
            let split = group_split(&searcher, query.as_ref(), true, 1, parts).unwrap();
            assert_eq!(summary(&split), summary(&one), "{parts} parts");
        }
    }

    #[test]
    fn occurrences_do_not_overlap() {
        assert_eq!(count_occurrences("哈哈哈哈哈", "哈哈"), 2);
        assert_eq!(count_occurrences("合法性审查和合法性审查", "合法性审查"), 2);
        assert_eq!(count_occurrences("abc", ""), 0);
    }

    /// Index `texts` (one section each, exact field only) in RAM.
    fn ram_index(texts: &[&str]) -> (tantivy::Index, crate::index::Fields) {
        let (schema, f) = crate::index::schema();
        let index = tantivy::Index::create_in_ram(schema);
        crate::analysis::register_tokenizers(&index);
        let mut writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        for t in texts {
            let mut doc = tantivy::TantivyDocument::default();
            doc.add_text(f.exact, t);
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        (index, f)
    }

    /// Index counts for every (section, needle), and the text counts.
    fn both_counts(texts: &[&str], needles: &[&str]) -> (Vec<u32>, Vec<u32>) {
        let (index, f) = ram_index(texts);
        let searcher = index.reader().unwrap().searcher();
        let mut docs: Vec<DocAddress> = (0..searcher.segment_readers().len() as u32)
            .flat_map(|s| {
                (0..searcher.segment_reader(s).max_doc()).map(move |d| DocAddress::new(s, d))
            })
            .collect();
        docs.sort();
        let got = mention_counts(&searcher, &f, needles, &docs).unwrap();
        let mut want = Vec::new();
        // One segment, documents in insertion order (the exact field is not
        // stored, so the text comes from `texts`).
        assert_eq!(searcher.segment_readers().len(), 1);
        for addr in &docs {
            let text = normalize(texts[addr.doc_id as usize]);
            for n in needles {
                want.push(count_occurrences(&text, n) as u32);
            }
        }
        (got, want)
    }

    #[test]
    fn index_counts_equal_text_counts() {
        let texts = [
            "哈哈哈哈哈",
            "合法性审查和合法性审查，合法性审核",
            "法法法、法",
            "ABAB-abab ab",
            "一一一一",
            "行政执法“三项制度”。行政\n执法",
            "",
            "法",
            "aaa",
        ];
        let needles = [
            "哈哈",
            "哈哈哈",
            "哈",
            "合法性审查",
            "合法性",
            "审查",
            "查",
            "法",
            "法法",
            "法法法",
            "abab",
            "ab",
            "ba",
            "b",
            "一一",
            "一一一",
            "行政执法",
            "执法",
            "政执",
            "三项制度",
            "aa",
            "a",
            "不存在",
            "审查和合",
        ];
        let (got, want) = both_counts(&texts, &needles);
        for (d, text) in texts.iter().enumerate() {
            for (i, n) in needles.iter().enumerate() {
                let k = d * needles.len() + i;
                assert_eq!(got[k], want[k], "{n:?} in {text:?}");
            }
        }
        // The rule itself: non-overlapping, left to right.
        let idx =
            |d: usize, n: &str| d * needles.len() + needles.iter().position(|x| *x == n).unwrap();
        assert_eq!(got[idx(0, "哈哈")], 2);
        assert_eq!(got[idx(0, "哈哈哈")], 1);
        assert_eq!(got[idx(0, "哈")], 5);
        assert_eq!(got[idx(1, "合法性审查")], 2);
        assert_eq!(got[idx(2, "法")], 4);
        assert_eq!(got[idx(2, "法法")], 2);
        assert_eq!(got[idx(3, "abab")], 2);
        assert_eq!(got[idx(3, "ab")], 5);
        assert_eq!(got[idx(4, "一一")], 2);
        assert_eq!(got[idx(5, "行政执法")], 2);
    }

    #[test]
    fn overlap_needs_a_border() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        assert!(self_overlapping(&chars("哈哈")));
        assert!(self_overlapping(&chars("abab")));
        assert!(self_overlapping(&chars("法治法")));
        assert!(!self_overlapping(&chars("执法")));
        assert!(!self_overlapping(&chars("合法性审查")));
    }

    #[test]
    fn synonyms_expand_groups_and_exclusions() {
        let syn = |t: &str| match t {
            "合法性审查" => vec![
                "合法性审查".to_string(),
                "合法性审核".to_string(),
                "法制审核".to_string(),
            ],
            "宪法" => vec!["宪法".to_string(), "憲法".to_string()],
            _ => vec![t.to_string()],
        };
        let q = expand_synonyms(&parse("合法性审查 OR 法制审核 普法 -宪法").unwrap(), syn);
        let texts = |c: &Clause| match c {
            Clause::Any(a) => a.iter().map(|a| a.text.clone()).collect::<Vec<_>>(),
            Clause::Not(a) => vec![format!("-{}", a.text)],
        };
        let got: Vec<Vec<String>> = q.clauses.iter().map(texts).collect();
        assert_eq!(
            got,
            vec![
                vec!["合法性审查", "合法性审核", "法制审核"],
                vec!["普法"],
                vec!["-宪法"],
                vec!["-憲法"],
            ]
        );
    }
}
