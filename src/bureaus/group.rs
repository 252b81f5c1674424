//! Grouping matching sections by bureau on fast-field ordinals, in parallel
//! parts of large segments (see the module docs of [`super`]).

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::{EnableScoring, Query as TQuery};
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentReader};

use super::BureauKey;
use super::mentions::SegmentCounters;
use super::table::{BureauTables, SegmentTable};
use crate::query::worker_threads;

/// Report years of one bureau's matching sections: a bit per year of
/// [`Years::BASE`]..[`Years::BASE`]+64 (every year a report can plausibly
/// carry), a list for any other. A bureau is one slot of hundreds of
/// thousands, so inserting must not allocate.
#[derive(Debug, Default, Clone)]
pub(super) struct Years {
    bits: u64,
    other: Vec<u64>,
}

impl Years {
    const BASE: u64 = 1990;

    #[inline]
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

    pub(super) fn sorted(self) -> Vec<u64> {
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
/// county), or, while names are not resolved, the ordinals in the one
/// segment's columns. Compared as a tuple it orders like the names.
type Key = [Option<u32>; 4];

/// Matching sections of one segment, in address order, with their slots.
#[derive(Debug, Default)]
pub(super) struct DocRun {
    segment: u32,
    docs: Vec<(DocId, u32)>,
}

/// The matching sections grouped by bureau, from fast fields only.
#[derive(Debug, Default)]
pub(super) struct Grouped {
    names: [Names; 4],
    /// The columns of the one segment whose ordinals the keys still are
    /// (names not resolved yet, see [`Grouped::resolve_all`]).
    unresolved: Option<[Option<StrColumn>; 4]>,
    /// One entry per bureau (the slot is the index).
    pub(super) keys: Vec<Key>,
    pub(super) years: Vec<Years>,
    pub(super) sections: Vec<usize>,
    /// Mentions of the needles (see [`BureauCollector::needles`]) per slot.
    pub(super) mentions: Vec<usize>,
    /// Whether needle `i` occurs in a section of slot `s`:
    /// `seen[s * needles + i]`.
    pub(super) seen: Vec<bool>,
    /// Every matching section (with `keep_docs`) and its bureau's slot, in
    /// address order (see [`Grouped::docs`]).
    runs: Vec<DocRun>,
    /// The slot of each slot number in `runs`, if they differ (grouping
    /// with a report table numbers all the segment's bureaus; only the
    /// matched ones are kept, and a pass over every match to renumber them
    /// would cost more than this lookup as they are read).
    slot_map: Vec<u32>,
}

impl Grouped {
    /// Every matching section (with `keep_docs`) and its bureau's slot, in
    /// address order.
    pub(super) fn docs(&self) -> impl Iterator<Item = (DocAddress, u32)> + '_ {
        let map = &self.slot_map;
        self.runs.iter().flat_map(move |run| {
            run.docs.iter().map(move |&(doc, slot)| {
                let slot = if map.is_empty() {
                    slot
                } else {
                    map[slot as usize]
                };
                (DocAddress::new(run.segment, doc), slot)
            })
        })
    }

    /// Resolve the names of every slot (a no-op when they are).
    pub(super) fn resolve_all(&mut self) {
        let Some(columns) = self.unresolved.take() else {
            return;
        };
        let (names, index_of) = resolve_names(&columns, self.keys.iter());
        for key in &mut self.keys {
            *key = named_key(key, &index_of);
        }
        self.names = names;
    }

    /// The names of the bureaus in `slots`: a page of rows resolves only
    /// its own names (one sorted pass over each column's dictionary for
    /// those ordinals, not for the tens of thousands of bureaus matched).
    pub(super) fn keys_of(&self, slots: &[usize]) -> Vec<BureauKey> {
        let Some(columns) = &self.unresolved else {
            return slots.iter().map(|&s| self.key(s)).collect();
        };
        let (names, index_of) = resolve_names(columns, slots.iter().map(|&s| &self.keys[s]));
        slots
            .iter()
            .map(|&s| {
                let key = named_key(&self.keys[s], &index_of);
                let [bureau, province, city, county] =
                    [0, 1, 2, 3].map(|c| key[c].map(|i| names[c].get(i).to_string()));
                BureauKey {
                    bureau,
                    province,
                    city,
                    county,
                }
            })
            .collect()
    }

    /// Add an empty slot for `key`.
    fn push_slot(&mut self, key: Key, atoms: usize) {
        self.keys.push(key);
        self.years.push(Years::default());
        self.sections.push(0);
        self.mentions.push(0);
        self.seen.extend(std::iter::repeat_n(false, atoms));
    }

    fn name(&self, slot: usize, column: usize) -> Option<&str> {
        debug_assert!(self.unresolved.is_none(), "names resolved");
        self.keys[slot][column].map(|i| self.names[column].get(i))
    }

    /// The names of a slot (after [`Grouped::resolve_all`]).
    pub(super) fn names_of(&self, slot: usize) -> [Option<&str>; 4] {
        [0, 1, 2, 3].map(|c| self.name(slot, c))
    }

    /// The key of a slot (after [`Grouped::resolve_all`]).
    pub(super) fn key(&self, slot: usize) -> BureauKey {
        let [bureau, province, city, county] = self.names_of(slot).map(|n| n.map(str::to_string));
        BureauKey {
            bureau,
            province,
            city,
            county,
        }
    }

    /// By bureau name (unnamed last), then region.
    pub(super) fn order(&self, a: usize, b: usize) -> std::cmp::Ordering {
        let (ka, kb) = (&self.keys[a], &self.keys[b]);
        ka[0]
            .is_none()
            .cmp(&kb[0].is_none())
            .then_with(|| ka.cmp(kb))
    }
}

/// Resolve the distinct ordinals of `keys` (ordinals in `columns`) in one
/// sorted pass over each column's dictionary (one-by-one lookups would
/// decompress a block each): the name tables, and per column ordinal →
/// index of its name (`u32::MAX`: unresolved). Ordinals order like their
/// terms, so the name indices do too.
fn resolve_names<'a>(
    columns: &[Option<StrColumn>; 4],
    keys: impl Iterator<Item = &'a Key> + Clone,
) -> ([Names; 4], [Vec<u32>; 4]) {
    let mut names: [Names; 4] = Default::default();
    let mut index_of: [Vec<u32>; 4] = Default::default();
    for c in 0..4 {
        let Some(col) = &columns[c] else {
            continue;
        };
        // Sized by the page's largest ordinal, not the dictionary's claimed
        // size (a damaged header can claim trillions).
        let len = keys
            .clone()
            .filter_map(|k| k[c])
            .max()
            .map_or(0, |m| m as usize + 1);
        let mut seen = vec![false; len.min(col.dictionary().num_terms())];
        for o in keys.clone().filter_map(|k| k[c]) {
            if let Some(slot) = seen.get_mut(o as usize) {
                *slot = true;
            }
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
    (names, index_of)
}

/// `key` (ordinals) as name indices (see [`resolve_names`]).
fn named_key(key: &Key, index_of: &[Vec<u32>; 4]) -> Key {
    [0, 1, 2, 3].map(|c| {
        key[c]
            .and_then(|o| index_of[c].get(o as usize).copied())
            .filter(|&i| i != u32::MAX)
    })
}

/// Groups matching documents by bureau using fast fields only (scores
/// nothing).
pub(super) struct BureauCollector {
    pub(super) keep_docs: bool,
    /// The field and strings whose mentions are counted per bureau while
    /// grouping (by [`collect_range`]; none: mentions stay 0).
    pub(super) needles: Option<(tantivy::schema::Field, Vec<String>)>,
}

impl BureauCollector {
    fn atoms(&self) -> usize {
        self.needles.as_ref().map_or(0, |(_, n)| n.len())
    }
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

pub(super) struct SegmentBureaus {
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
    pub(super) years: Vec<Years>,
    pub(super) sections: Vec<usize>,
    /// Needles counted per section (0: none), their counters (set by
    /// [`collect_range`]) and the counts per slot, as in [`Grouped`].
    atoms: usize,
    counters: Option<SegmentCounters>,
    mentions: Vec<usize>,
    seen: Vec<bool>,
    /// This part's matching sections (with `keep_docs`) and those of the
    /// later parts absorbed (see [`SegmentBureaus::absorb`]).
    docs: Vec<(DocId, u32)>,
    later: Vec<Vec<(DocId, u32)>>,
    /// `doc_id` column: the sections of a report are contiguous and share
    /// its bureau, region and year, so a document of the same report as the
    /// previous one reads one column instead of five, and hashes nothing.
    report: Option<StrColumn>,
    /// The previous document's report ordinal and slot.
    last: Option<(u64, u32)>,
    /// The segment's report table, if kept: then slots are the table's,
    /// all of them allocated, and `keys` stays empty until
    /// [`SegmentBureaus::finish`] keeps the matched ones.
    table: Option<Arc<SegmentTable>>,
    /// Sections counted.
    collected: usize,
}

impl Collector for BureauCollector {
    type Fruit = Grouped;
    type Child = SegmentBureaus;

    fn for_segment(&self, segment: u32, reader: &SegmentReader) -> tantivy::Result<SegmentBureaus> {
        let ff = reader.fast_fields();
        let bureau = ff.str("bureau")?;
        let bureaus = match &bureau {
            Some(c) => crate::index::scan::term_count(c)?,
            None => 0,
        };
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
            atoms: self.atoms(),
            counters: None,
            mentions: Vec::new(),
            seen: Vec::new(),
            docs: Vec::new(),
            later: Vec::new(),
            report: ff.str("doc_id")?,
            last: None,
            table: None,
            collected: 0,
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
            .max_by_key(|&i| fruits[i].docs().count().max(fruits[i].keys.len()))
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
            out.mentions = std::mem::take(&mut fruit.mentions);
            out.seen = std::mem::take(&mut fruit.seen);
            for (slot, key) in out.keys.iter().enumerate() {
                if let Some(b) = key[0]
                    && by_bureau[b as usize] == u32::MAX
                {
                    by_bureau[b as usize] = slot as u32;
                }
            }
        }
        let mut slot_of: Option<FastMap<Key, u32>> = None;
        let atoms = self.atoms();
        for (i, (fruit, map)) in fruits.into_iter().zip(&maps).enumerate() {
            if i == base {
                out.runs.extend(fruit.runs);
                continue;
            }
            let mut remap = Vec::with_capacity(fruit.keys.len());
            for (k, key) in fruit.keys.iter().enumerate() {
                let key = global(key, map);
                let first = key[0].map_or(u32::MAX, |b| by_bureau[b as usize]);
                let slot = if first != u32::MAX && out.keys[first as usize] == key {
                    first
                } else if first == u32::MAX && key[0].is_some() && slot_of.is_none() {
                    // A bureau name not seen yet: a new slot (the map, once
                    // built, holds every slot).
                    out.push_slot(key, atoms);
                    let slot = (out.keys.len() - 1) as u32;
                    by_bureau[key[0].expect("named") as usize] = slot;
                    slot
                } else {
                    let slot_of = slot_of.get_or_insert_with(|| {
                        (0..out.keys.len() as u32)
                            .map(|s| (out.keys[s as usize], s))
                            .collect()
                    });
                    *slot_of.entry(key).or_insert_with(|| {
                        out.push_slot(key, atoms);
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
                out.mentions[s] += fruit.mentions[k];
                for i in 0..atoms {
                    out.seen[s * atoms + i] |= fruit.seen[k * atoms + i];
                }
                remap.push(slot);
            }
            for mut run in fruit.runs {
                for (_, slot) in &mut run.docs {
                    *slot = remap[*slot as usize];
                }
                out.runs.push(run);
            }
        }
        // Runs do not overlap: in order of their first sections, the
        // sections are in address order.
        out.runs.retain(|run| !run.docs.is_empty());
        out.runs
            .sort_unstable_by_key(|run| DocAddress::new(run.segment, run.docs[0].0));
        Ok(out)
    }
}

impl SegmentBureaus {
    /// The slot of bureau `key`, added if new.
    fn slot_for(&mut self, key: Ords) -> u32 {
        let next = self.keys.len() as u32;
        let first = key[0].map_or(u32::MAX, |b| self.by_bureau[b as usize]);
        // The first slot of each bureau ordinal is found in `by_bureau`,
        // any other (the name in another region) in the map: hashing every
        // key cost a tenth of the grouping.
        let slot = match key[0] {
            Some(b) if first == u32::MAX => {
                self.by_bureau[b as usize] = next;
                next
            }
            _ if first != u32::MAX && self.keys[first as usize] == key => first,
            _ => *self.slots.entry(key).or_insert(next),
        };
        if slot == next {
            self.keys.push(key);
            self.years.push(Years::default());
            self.sections.push(0);
            self.mentions.push(0);
            self.seen.extend(std::iter::repeat_n(false, self.atoms));
        }
        slot
    }

    /// Group with the segment's report table: every slot of the table at
    /// once.
    fn use_table(&mut self, table: Arc<SegmentTable>) {
        let n = table.keys.len();
        self.years = vec![Years::default(); n];
        self.sections = vec![0; n];
        self.mentions = vec![0; n];
        self.seen = vec![false; n * self.atoms];
        self.table = Some(table);
    }

    /// From the table's slots to the matched bureaus only (slots and
    /// keys as grouping without the table gives them); returns the new
    /// slot of each table slot, for the matched sections.
    fn keep_matched(&mut self, table: &SegmentTable) -> Vec<u32> {
        let atoms = self.atoms;
        let mut new_slot = vec![u32::MAX; table.keys.len()];
        let mut kept = 0;
        for (slot, key) in table.keys.iter().enumerate() {
            if self.sections[slot] == 0 {
                continue;
            }
            new_slot[slot] = kept as u32;
            self.keys.push(*key);
            self.years.swap(kept, slot);
            self.sections[kept] = self.sections[slot];
            self.mentions[kept] = self.mentions[slot];
            self.seen
                .copy_within(slot * atoms..(slot + 1) * atoms, kept * atoms);
            kept += 1;
        }
        self.years.truncate(kept);
        self.sections.truncate(kept);
        self.mentions.truncate(kept);
        self.seen.truncate(kept * atoms);
        new_slot
    }

    /// Merge the groups of a later part of the same segment into these.
    fn absorb(&mut self, other: SegmentBureaus) {
        self.collected += other.collected;
        if self.table.is_some() {
            // The same slots.
            for (slot, years) in other.years.iter().enumerate() {
                self.years[slot].union(years);
                self.sections[slot] += other.sections[slot];
                self.mentions[slot] += other.mentions[slot];
            }
            for (mine, theirs) in self.seen.iter_mut().zip(&other.seen) {
                *mine |= theirs;
            }
            self.later.push(other.docs);
            self.later.extend(other.later);
            return;
        }
        let remap: Vec<u32> = (0..other.keys.len())
            .map(|i| {
                let slot = self.slot_for(other.keys[i]) as usize;
                self.years[slot].union(&other.years[i]);
                self.sections[slot] += other.sections[i];
                self.mentions[slot] += other.mentions[i];
                for a in 0..self.atoms {
                    self.seen[slot * self.atoms + a] |= other.seen[i * self.atoms + a];
                }
                slot as u32
            })
            .collect();
        for mut run in std::iter::once(other.docs).chain(other.later) {
            for (_, slot) in &mut run {
                *slot = remap[*slot as usize];
            }
            self.later.push(run);
        }
    }

    /// The slot of a report's bureau `key` (its first section `doc`, its
    /// ordinal `report`), with the report's year.
    fn report_slot(&mut self, key: Ords, year: Option<u64>, report: Option<u64>) -> u32 {
        let slot = self.slot_for(key);
        if let Some(y) = year {
            self.years[slot as usize].insert(y);
        }
        self.last = report.map(|r| (r, slot));
        slot
    }

    /// Count matching documents with the report table: two array reads a
    /// section, a year at each new report.
    fn collect_with_table(&mut self, table: &SegmentTable, docs: &[DocId]) {
        let (mut last, mut slot) = self.last.unwrap_or((u64::MAX, 0));
        for &doc in docs {
            let report = table.doc_report[doc as usize] as u64;
            if report != last {
                let (report_slot, year) = table.reports[report as usize];
                slot = report_slot;
                if let Some(y) = year {
                    self.years[slot as usize].insert(y);
                }
                last = report;
            }
            self.count(doc, slot);
        }
        self.last = Some((last, slot));
    }

    /// Count `doc`, a matching section of bureau `slot`.
    #[inline]
    fn count(&mut self, doc: DocId, slot: u32) {
        self.collected += 1;
        self.sections[slot as usize] += 1;
        if let Some(counters) = &mut self.counters {
            let slot = slot as usize;
            for i in 0..self.atoms {
                let c = counters.count(i, doc);
                self.mentions[slot] += c as usize;
                self.seen[slot * self.atoms + i] |= c > 0;
            }
        }
        if self.keep_docs {
            self.docs.push((doc, slot));
        }
    }

    /// The grouping of one segment (or of the parts of one, absorbed):
    /// names resolved (`resolve`), for merging with other segments, or
    /// left as the column ordinals they are until a page asks for them.
    fn finish(mut self, resolve: bool) -> Grouped {
        let mut slot_map = match self.table.take() {
            Some(table) => self.keep_matched(&table),
            None => Vec::new(),
        };
        if resolve && !slot_map.is_empty() {
            // Merged with other segments by renumbering the sections.
            for run in std::iter::once(&mut self.docs).chain(self.later.iter_mut()) {
                for (_, slot) in run.iter_mut() {
                    *slot = slot_map[*slot as usize];
                }
            }
            slot_map.clear();
        }
        let runs = std::iter::once(self.docs)
            .chain(self.later)
            .filter(|docs| !docs.is_empty())
            .map(|docs| DocRun {
                segment: self.segment,
                docs,
            })
            .collect();
        let mut grouped = Grouped {
            names: Default::default(),
            unresolved: Some(self.columns),
            keys: self
                .keys
                .iter()
                .map(|k| k.map(|o| o.map(|o| o as u32)))
                .collect(),
            years: self.years,
            sections: self.sections,
            mentions: self.mentions,
            seen: self.seen,
            runs,
            slot_map,
        };
        if resolve {
            grouped.resolve_all();
        }
        grouped
    }
}

impl SegmentCollector for SegmentBureaus {
    type Fruit = Grouped;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(table) = self.table.take() {
            self.collect_with_table(&table, &[doc]);
            self.table = Some(table);
            return;
        }
        let report = self.report.as_ref().and_then(|c| c.term_ords(doc).next());
        let slot = match (report, self.last) {
            (Some(r), Some((last, slot))) if r == last => slot,
            _ => {
                let ord = |c: &Option<StrColumn>| c.as_ref().and_then(|c| c.term_ords(doc).next());
                let key = [0, 1, 2, 3].map(|c| ord(&self.columns[c]));
                let year = self.year.as_ref().and_then(|c| c.first(doc));
                self.report_slot(key, year, report)
            }
        };
        self.count(doc, slot);
    }

    /// Matching documents come in blocks: their report ordinals are read
    /// in one batch (a third of the time went to reading them one by one),
    /// then the bureau, region and year of the first section of each
    /// report in the block, again one batch per column.
    fn collect_block(&mut self, docs: &[DocId]) {
        if let Some(table) = self.table.take() {
            self.collect_with_table(&table, docs);
            self.table = Some(table);
            return;
        }
        const LEN: usize = tantivy::COLLECT_BLOCK_BUFFER_LEN;
        let mut reports = [None; LEN];
        // The documents starting a report, and their index in the chunk.
        let mut starts = [0 as DocId; LEN];
        let mut at = [0usize; LEN];
        let mut ords = [[None; LEN]; 4];
        let mut years = [None; LEN];
        for chunk in docs.chunks(LEN) {
            let reports = &mut reports[..chunk.len()];
            // `first_vals` leaves the entries of documents without a value.
            reports.fill(None);
            if let Some(column) = &self.report {
                column.ords().first_vals(chunk, reports);
            }
            let mut n = 0;
            let mut previous = self.last.map(|(r, _)| r);
            for (i, &report) in reports.iter().enumerate() {
                if report.is_none() || report != previous {
                    starts[n] = chunk[i];
                    at[n] = i;
                    n += 1;
                }
                previous = report;
            }
            for (column, ords) in self.columns.iter().zip(ords.iter_mut()) {
                ords[..n].fill(None);
                if let Some(column) = column {
                    column.ords().first_vals(&starts[..n], &mut ords[..n]);
                }
            }
            years[..n].fill(None);
            if let Some(column) = &self.year {
                column.first_vals(&starts[..n], &mut years[..n]);
            }
            let mut k = 0;
            let mut slot = self.last.map_or(0, |(_, s)| s);
            for (i, (&doc, &report)) in chunk.iter().zip(reports.iter()).enumerate() {
                if k < n && at[k] == i {
                    let key = [0, 1, 2, 3].map(|c| ords[c][k]);
                    slot = self.report_slot(key, years[k], report);
                    k += 1;
                }
                self.count(doc, slot);
            }
        }
    }

    fn harvest(self) -> Grouped {
        self.finish(true)
    }
}

/// Segments of at least this many documents are grouped in parallel parts.
const SPLIT_SEGMENT_DOCS: u32 = 1 << 16;

/// A segment's report table is read when at least 1 in this many of its
/// sections may match (the table costs about one such grouping).
const TABLE_SHARE: u64 = 16;

/// The sections matching `query`, grouped by bureau, with the mentions of
/// `needles` (in `field`) counted per bureau. tantivy collects a
/// segment on one thread, and a full build leaves two at most: large
/// segments are cut into doc ranges grouped on all cores, whose groups
/// merge like those of separate segments (by name).
pub(super) fn group(
    searcher: &Searcher,
    query: &dyn TQuery,
    collector: &BureauCollector,
    tables: Option<&BureauTables>,
) -> anyhow::Result<Grouped> {
    group_split(
        searcher,
        query,
        collector,
        tables,
        SPLIT_SEGMENT_DOCS,
        worker_threads(),
    )
}

/// [`group`], cutting segments of at least `min_docs` documents into
/// `threads` parts.
pub(super) fn group_split(
    searcher: &Searcher,
    query: &dyn TQuery,
    collector: &BureauCollector,
    tables: Option<&BureauTables>,
    min_docs: u32,
    threads: usize,
) -> anyhow::Result<Grouped> {
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut parts: Vec<(u32, DocId, DocId)> = Vec::new();
    let mut segment_tables: Vec<Option<Arc<SegmentTable>>> = Vec::new();
    if let Some(tables) = tables {
        let live: Vec<_> = searcher
            .segment_readers()
            .iter()
            .map(|r| r.segment_id())
            .collect();
        tables.retain(&live);
    }
    for (segment, reader) in searcher.segment_readers().iter().enumerate() {
        let max = reader.max_doc();
        segment_tables.push(match tables {
            Some(tables) => match tables.get(reader, false)? {
                Some(kept) => Some(kept),
                // Reading a whole segment's table pays when a good share
                // of it matches (and for the requests after this one).
                // The estimate needs a scorer, which for `NEAR` already
                // checks stored text: only asked when no table is kept.
                None => {
                    let matches = weight.scorer(reader, 1.0)?.size_hint();
                    tables.get(reader, matches as u64 * TABLE_SHARE >= max as u64)?
                }
            },
            None => None,
        });
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
    let done: Vec<Vec<(usize, anyhow::Result<SegmentBureaus>)>> = std::thread::scope(|scope| {
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
                        let table = segment_tables[segment as usize].clone();
                        out.push((
                            i,
                            collect_range(
                                collector,
                                weight.as_ref(),
                                reader,
                                segment,
                                start..end,
                                table,
                            ),
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
    let mut done: Vec<(usize, anyhow::Result<SegmentBureaus>)> =
        done.into_iter().flatten().collect();
    // In part order, so that the merged documents stay in address order.
    done.sort_unstable_by_key(|(i, _)| *i);
    // The parts of a segment share its ordinals: they are merged by
    // ordinal.
    let mut segments: Vec<SegmentBureaus> = Vec::new();
    for (_, part) in done {
        let part = part?;
        match segments.last_mut() {
            Some(c) if c.segment == part.segment => c.absorb(part),
            _ => segments.push(part),
        }
    }
    segments.retain(|s| s.collected > 0);
    if segments.len() <= 1 {
        // One segment (a fresh index): names wait for the page.
        return Ok(segments
            .pop()
            .map_or_else(Grouped::default, |s| s.finish(false)));
    }
    // Names are resolved once per segment, and segments merged by name.
    let fruits = segments.into_iter().map(SegmentBureaus::harvest).collect();
    Ok(collector.merge_fruits(fruits)?)
}

/// Group the live documents of `docs` in one segment that `weight` matches.
pub(super) fn collect_range(
    collector: &BureauCollector,
    weight: &dyn tantivy::query::Weight,
    reader: &SegmentReader,
    segment: u32,
    docs: std::ops::Range<DocId>,
    table: Option<Arc<SegmentTable>>,
) -> anyhow::Result<SegmentBureaus> {
    let mut child = collector.for_segment(segment, reader)?;
    if let Some((field, needles)) = &collector.needles {
        let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
        child.counters = Some(SegmentCounters::new(reader, *field, &needles)?);
    }
    let mut scorer = weight.scorer(reader, 1.0)?;
    // Room for this range's share of the matches and their bureaus at once
    // (grown by doubling, the lists were copied about twice at 100k reports).
    let share =
        scorer.size_hint() as u64 * (docs.end - docs.start) as u64 / reader.max_doc().max(1) as u64;
    let share = (share as usize + 64).min((docs.end - docs.start) as usize);
    if child.keep_docs {
        child.docs.reserve(share);
    }
    match table {
        Some(table) => child.use_table(table),
        None => {
            let slots = share.min(child.by_bureau.len());
            child.keys.reserve(slots);
            child.years.reserve(slots);
            child.sections.reserve(slots);
            child.mentions.reserve(slots);
            child.seen.reserve(slots * child.atoms);
        }
    }
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
