//! Which bureaus mention a practice: hits grouped by bureau.
//!
//! A researcher asks "who reports doing X — and who does not?". The answer
//! is one row per bureau (bureau, region, years, matching sections, total
//! mentions, best snippet, which variants occurred), not a list of sections.
//!
//! Cost: grouping is done on fast fields — a collector reads the `bureau`,
//! `province`, `city`, `county` column ordinals and `report_year` of each
//! matching section, per segment, and resolves the distinct ordinals to
//! names in one sorted pass over each column dictionary, so counting
//! sections and years never touches the doc store, and the `--all` universe
//! is a pure fast-field scan. Mentions (and which variants occur) need the
//! text: each matching section's stored text is loaded once, in index order
//! (each doc-store block is decompressed once), in contiguous runs on all
//! cores; only the best section of each bureau is snippeted. That text pass
//! dominates and is linear in the matching sections: on a generated corpus
//! of 10,000 reports (175,000 sections, 2 cores, release build) a query
//! matching 2,800 sections takes 0.3 s, one matching 125,000 takes 1.8 s.
//! Counting mentions from the `exact` field's positions instead would avoid
//! the doc store entirely (future work if that matters).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query as TQuery};
use tantivy::{DocAddress, DocId, Score, SegmentReader};

use crate::analysis::normalize;
use crate::index::IndexHandle;
use crate::query::{
    Atom, Clause, Filters, Query, SNIPPET_WIDTH, filter_queries, full_query, load_section, snippet,
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
#[derive(Debug, Clone, Default)]
pub struct BureauOptions {
    pub filters: Filters,
    /// Also list the bureaus (passing the filters) that do not match.
    pub all: bool,
}

/// Matching sections of one bureau, from fast fields.
#[derive(Debug, Default)]
struct Group {
    years: BTreeSet<u64>,
    docs: Vec<(Score, DocAddress)>,
}

/// Groups matching documents by bureau using fast fields only.
struct BureauCollector {
    keep_docs: bool,
    scoring: bool,
}

struct SegmentBureaus {
    segment: u32,
    keep_docs: bool,
    columns: [Option<StrColumn>; 4],
    year: Option<Column<u64>>,
    groups: HashMap<[Option<u64>; 4], Group>,
}

impl Collector for BureauCollector {
    type Fruit = BTreeMap<BureauKey, Group>;
    type Child = SegmentBureaus;

    fn for_segment(&self, segment: u32, reader: &SegmentReader) -> tantivy::Result<SegmentBureaus> {
        let ff = reader.fast_fields();
        Ok(SegmentBureaus {
            segment,
            keep_docs: self.keep_docs,
            columns: [
                ff.str("bureau")?,
                ff.str("province")?,
                ff.str("city")?,
                ff.str("county")?,
            ],
            year: ff.u64("report_year").ok(),
            groups: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.scoring
    }

    fn merge_fruits(
        &self,
        fruits: Vec<BTreeMap<BureauKey, Group>>,
    ) -> tantivy::Result<Self::Fruit> {
        let mut out: BTreeMap<BureauKey, Group> = BTreeMap::new();
        for fruit in fruits {
            for (key, group) in fruit {
                let g = out.entry(key).or_default();
                g.years.extend(group.years);
                g.docs.extend(group.docs);
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for SegmentBureaus {
    type Fruit = BTreeMap<BureauKey, Group>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let ord = |c: &Option<StrColumn>| c.as_ref().and_then(|c| c.term_ords(doc).next());
        let key = [
            ord(&self.columns[0]),
            ord(&self.columns[1]),
            ord(&self.columns[2]),
            ord(&self.columns[3]),
        ];
        let group = self.groups.entry(key).or_default();
        if let Some(y) = self.year.as_ref().and_then(|c| c.first(doc)) {
            group.years.insert(y);
        }
        if self.keep_docs {
            group.docs.push((score, DocAddress::new(self.segment, doc)));
        }
    }

    fn harvest(self) -> Self::Fruit {
        // Resolve each column's distinct ordinals in one sorted pass over its
        // dictionary (one-by-one lookups would decompress a block each).
        let names: Vec<HashMap<u64, String>> = (0..4)
            .map(|c| {
                let Some(col) = &self.columns[c] else {
                    return HashMap::new();
                };
                let mut ords: Vec<u64> = self.groups.keys().filter_map(|k| k[c]).collect();
                ords.sort_unstable();
                ords.dedup();
                let mut terms = Vec::with_capacity(ords.len());
                let _ = col.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
                    terms.push(String::from_utf8_lossy(bytes).into_owned());
                });
                ords.into_iter().zip(terms).collect()
            })
            .collect();
        let name = |c: usize, ord: Option<u64>| ord.and_then(|o| names[c].get(&o).cloned());
        let mut out: BTreeMap<BureauKey, Group> = BTreeMap::new();
        for (ords, group) in self.groups {
            let key = BureauKey {
                bureau: name(0, ords[0]),
                province: name(1, ords[1]),
                city: name(2, ords[2]),
                county: name(3, ords[3]),
            };
            let g = out.entry(key).or_default();
            g.years.extend(group.years);
            g.docs.extend(group.docs);
        }
        out
    }
}

/// Mentions, variants seen and best section of one bureau's matches.
#[derive(Default)]
struct Tally {
    mentions: usize,
    /// Per positive atom: whether it occurs.
    seen: Vec<bool>,
    /// Best section so far: score, address, text, path, first line.
    best: Option<(Score, DocAddress, String, String, u64)>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.mentions += other.mentions;
        for (a, b) in self.seen.iter_mut().zip(other.seen) {
            *a |= b;
        }
        // Highest score; on ties the lowest address.
        let better = match (&self.best, &other.best) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(a), Some(b)) => b.0 > a.0 || (b.0 == a.0 && b.1 < a.1),
        };
        if better {
            self.best = other.best;
        }
    }
}

/// Tally a run of matching sections (sorted by address).
fn tally_run(
    searcher: &tantivy::Searcher,
    f: &crate::index::Fields,
    atoms: &[&Atom],
    run: &[(DocAddress, u32, Score)],
) -> anyhow::Result<HashMap<u32, Tally>> {
    let mut out: HashMap<u32, Tally> = HashMap::new();
    for &(addr, slot, score) in run {
        let t = out.entry(slot).or_insert_with(|| Tally {
            seen: vec![false; atoms.len()],
            ..Tally::default()
        });
        let s = load_section(searcher, f, addr)?;
        let text = s.text();
        let norm = normalize(&text);
        for (i, a) in atoms.iter().enumerate() {
            let n = count_occurrences(&norm, &a.normalized);
            t.mentions += n;
            t.seen[i] |= n > 0;
        }
        // Highest score; on ties the lowest address (visited first).
        if t.best.as_ref().is_none_or(|b| score > b.0) {
            t.best = Some((score, addr, text, s.path, s.line_start));
        }
    }
    Ok(out)
}

/// The bureaus whose sections match `query` (under `opts.filters`), most
/// mentions first, then by name; with `opts.all`, followed by every other
/// bureau that passes the filters (sections 0).
pub fn bureaus(
    handle: &IndexHandle,
    query: &Query,
    opts: &BureauOptions,
) -> anyhow::Result<Vec<BureauRow>> {
    let searcher = handle.reader.searcher();
    let f = &handle.fields;
    let q = full_query(&searcher, f, query, &opts.filters)?;
    let groups = searcher.search(
        &q,
        &BureauCollector {
            keep_docs: true,
            scoring: true,
        },
    )?;
    let atoms: Vec<&Atom> = query.positive_atoms().collect();
    let needles: Vec<&str> = atoms.iter().map(|a| a.normalized.as_str()).collect();
    // All matching sections in index order (so the doc store decompresses
    // each block once), split into contiguous runs, one per thread; each
    // run tallies into the bureaus' slots, and the runs are merged.
    let groups: Vec<(BureauKey, Group)> = groups.into_iter().collect();
    let mut order: Vec<(DocAddress, u32, Score)> = groups
        .iter()
        .enumerate()
        .flat_map(|(i, (_, g))| {
            g.docs
                .iter()
                .map(move |&(score, addr)| (addr, i as u32, score))
        })
        .collect();
    order.sort_unstable_by_key(|&(addr, _, _)| addr);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let run = order.len().div_ceil(threads).max(256);
    let partial: Vec<anyhow::Result<HashMap<u32, Tally>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = order
            .chunks(run)
            .map(|chunk| {
                let (searcher, atoms) = (&searcher, &atoms);
                scope.spawn(move || tally_run(searcher, f, atoms, chunk))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("bureau tally thread panicked"))
            .collect()
    });
    let mut tallies: HashMap<u32, Tally> = HashMap::new();
    for part in partial {
        for (slot, t) in part? {
            match tallies.get_mut(&slot) {
                None => {
                    tallies.insert(slot, t);
                }
                Some(acc) => acc.merge(t),
            }
        }
    }
    let mut rows = Vec::new();
    for (slot, (key, group)) in groups.into_iter().enumerate() {
        let tally = tallies.remove(&(slot as u32)).unwrap_or_default();
        let mut row = BureauRow::empty(key);
        row.years = group.years.into_iter().collect();
        row.sections = group.docs.len();
        row.mentions = tally.mentions;
        let mut variants = Vec::new();
        for (a, _) in atoms.iter().zip(&tally.seen).filter(|(_, s)| **s) {
            if !variants.contains(&a.text) {
                variants.push(a.text.clone());
            }
        }
        row.variants = variants;
        if let Some((_, _, text, path, line)) = tally.best {
            let snip = snippet(&text, &needles, SNIPPET_WIDTH);
            row.snippet = Some(snip.text);
            row.highlights = snip.highlights;
            row.path = Some(path);
            row.line = Some(line);
        }
        rows.push(row);
    }
    rows.sort_by(|a, b| b.mentions.cmp(&a.mentions).then_with(|| name_order(a, b)));
    if opts.all {
        let filters = filter_queries(&searcher, f, &opts.filters)?;
        let universe: Box<dyn TQuery> = if filters.is_empty() {
            Box::new(AllQuery)
        } else {
            Box::new(BooleanQuery::new(
                filters.into_iter().map(|q| (Occur::Must, q)).collect(),
            ))
        };
        let everyone = searcher.search(
            &universe,
            &BureauCollector {
                keep_docs: false,
                scoring: false,
            },
        )?;
        let matched: BTreeSet<BureauKey> = rows.iter().map(key_of).collect();
        let mut rest: Vec<BureauRow> = everyone
            .into_keys()
            .filter(|k| !matched.contains(k))
            .map(BureauRow::empty)
            .collect();
        rest.sort_by(name_order);
        rows.extend(rest);
    }
    Ok(rows)
}

fn key_of(row: &BureauRow) -> BureauKey {
    BureauKey {
        bureau: row.bureau.clone(),
        province: row.province.clone(),
        city: row.city.clone(),
        county: row.county.clone(),
    }
}

/// By bureau name (unnamed last), then region.
fn name_order(a: &BureauRow, b: &BureauRow) -> std::cmp::Ordering {
    let named = |r: &BureauRow| r.bureau.is_none();
    named(a)
        .cmp(&named(b))
        .then_with(|| key_of(a).cmp(&key_of(b)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse::parse;

    #[test]
    fn occurrences_do_not_overlap() {
        assert_eq!(count_occurrences("哈哈哈哈哈", "哈哈"), 2);
        assert_eq!(count_occurrences("合法性审查和合法性审查", "合法性审查"), 2);
        assert_eq!(count_occurrences("abc", ""), 0);
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
