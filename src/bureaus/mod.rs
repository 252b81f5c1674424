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
//! in two regions). When a good share of a segment matches, those five
//! columns are read once for the whole segment instead ([`BureauTables`],
//! kept by the engine for the next requests): each section's report, each
//! report's bureau slot and year, so grouping reads two arrays a section.
//! Since ordinals order like names, rows are ordered without building
//! strings; in a one-segment index only the rows returned get their names
//! resolved (one sorted pass over each column dictionary for those
//! ordinals), with several segments every name is, to merge them. Counting
//! sections and years never touches the doc store, and the `--all` universe
//! is a pure fast-field scan.
//!
//! Mentions (and which variants occur) come from the `exact` field's
//! postings, not from the stored text (see [`mention_counts`]), counted per
//! bureau while grouping: for each part of a segment and positive atom, the
//! postings of the atom's covering bigrams are walked once over the
//! matching sections in order (seeks, no doc store).
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
//! shared cores, release build): `"执法"` (655 k matching sections, 57 k
//! bureaus, 50 rows) takes 25–50 ms in process with the tables kept (was
//! 240–290 ms, of which 0.1 s went to reading the spellings of the page's
//! sections one dictionary lookup at a time) and about 0.1 s CPU as a fresh
//! process; see `docs/performance.md`, "Latency at 100k (issue 20)". What
//! is left: the per-section loop (counting, the mention postings, keeping
//! the section for the page), then scoring the page's sections and 50
//! doc-store loads for the snippets. Every row (`--limit 0`) adds a
//! doc-store load per bureau: 4.2 s for `"执法"` as CSV, 0.26 s with
//! `--no-snippet`.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::Serialize;
use tantivy::query::{BooleanQuery, EnableScoring, Occur, Query as TQuery};
use tantivy::{DocAddress, DocSet, Score, Searcher};

use crate::analysis::normalize;
use crate::index::IndexHandle;
use crate::query::{
    Atom, Filters, Query, SNIPPET_WIDTH, filter_queries, filter_query, full_query, map_sections,
    match_query, section_snippet,
};

mod group;
mod mentions;
mod table;

use group::{BureauCollector, group};
pub use mentions::{count_occurrences, mention_counts};
pub use table::BureauTables;

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
    /// The spellings of the bureau's name in its matching reports
    /// (`市人社局`, `庆阳市人力资源和社会保障局` …), sorted.
    pub aliases: Vec<String>,
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
            aliases: Vec::new(),
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
    query.map_atoms(&variants)
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
    bureaus_excluding(handle, query, opts, &[], None)
}

/// [`bureaus`] without the sections of the reports in `skip` (doc ids):
/// copies of another report, counted once (see the text reuse module);
/// with `tables`, the report tables of the segments are kept there for the
/// next requests (see [`BureauTables`]).
pub fn bureaus_excluding(
    handle: &IndexHandle,
    query: &Query,
    opts: &BureauOptions,
    skip: &[String],
    tables: Option<&BureauTables>,
) -> anyhow::Result<BureauTable> {
    let searcher = handle.reader.searcher();
    let f = &handle.fields;
    // Matching needs no scores: BM25 is computed later, for the sections
    // of the bureaus on the page only.
    let mut must = vec![(Occur::Must, match_query(f, query))];
    for q in filter_queries(&searcher, f, &opts.filters)? {
        must.push((Occur::Must, q));
    }
    if !skip.is_empty() {
        let terms = skip
            .iter()
            .map(|id| tantivy::Term::from_field_text(f.doc_id, id));
        let skipped: Box<dyn TQuery> = Box::new(tantivy::query::TermSetQuery::new(terms));
        must.push((Occur::MustNot, skipped));
    }
    let atoms: Vec<&Atom> = query.positive_atoms().collect();
    let needles: Vec<&str> = atoms.iter().map(|a| a.normalized.as_str()).collect();
    // Mentions and variants per bureau are counted from the index while
    // grouping.
    let collector = BureauCollector {
        keep_docs: true,
        needles: Some((f.exact, needles.iter().map(|n| n.to_string()).collect())),
    };
    let mut grouped = group(&searcher, &BooleanQuery::new(must), &collector, tables)?;
    let n = grouped.keys.len();
    let mentions = std::mem::take(&mut grouped.mentions);
    let seen = std::mem::take(&mut grouped.seen);
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
        let universe_collector = BureauCollector {
            keep_docs: false,
            needles: None,
        };
        let mut everyone = group(&searcher, universe.as_ref(), &universe_collector, None)?;
        grouped.resolve_all();
        everyone.resolve_all();
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
    // The sections of the page's bureaus, in one pass over the matches.
    let mut on_page = vec![false; n];
    for &slot in &order {
        on_page[slot] = true;
    }
    let page_docs: Vec<(DocAddress, u32)> = grouped
        .docs()
        .filter(|&(_, slot)| on_page[slot as usize])
        .collect();
    // Rows for the page only; the best section of each (highest BM25
    // score under the full query, on ties the lowest address).
    let best = if opts.snippets {
        best_sections(&searcher, f, query, &opts.filters, &page_docs, &order)?
    } else {
        HashMap::new()
    };
    let mut rows: Vec<BureauRow> = Vec::with_capacity(order.len() + rest.len());
    let mut wanted: Vec<(DocAddress, usize)> = Vec::new();
    for (&slot, key) in order.iter().zip(grouped.keys_of(&order)) {
        let mut row = BureauRow::empty(key);
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
        let snip = section_snippet(&s, &needles, SNIPPET_WIDTH);
        (wanted[k].1, snip, s.path, s.line_start)
    })?;
    for (i, snip, path, line) in snippets {
        let row = &mut rows[i];
        row.snippet = Some(snip.text);
        row.highlights = snip.highlights;
        row.path = Some(path);
        row.line = Some(line);
    }
    let page: Vec<(usize, usize)> = order
        .iter()
        .enumerate()
        .map(|(i, &slot)| (slot, i))
        .collect();
    for (i, aliases) in spellings(&searcher, &page_docs, &page)? {
        rows[i].aliases = aliases;
    }
    rows.extend(rest.into_iter().map(BureauRow::empty));
    Ok(BureauTable {
        rows,
        total,
        matching,
    })
}

/// The distinct `bureau_as_written` values of the sections of each page
/// row: `page` maps a group slot to its row. Read from the fast column, so
/// no stored text is loaded: the ordinals of the page's sections are
/// gathered first, and each segment's distinct ones resolved in one sorted
/// pass over its dictionary (a lookup per section decoded a dictionary
/// block each time: 0.1 s for the 50 largest bureaus at 100,000 reports).
fn spellings(
    searcher: &tantivy::Searcher,
    docs: &[(DocAddress, u32)],
    page: &[(usize, usize)],
) -> anyhow::Result<Vec<(usize, Vec<String>)>> {
    let mut row_of = vec![u32::MAX; page.iter().map(|&(slot, _)| slot + 1).max().unwrap_or(0)];
    for &(slot, row) in page {
        row_of[slot] = row as u32;
    }
    // (segment, ordinal, row) of every page section's spelling.
    let mut found: Vec<(u32, u64, u32)> = Vec::new();
    let mut column: Option<(u32, Option<tantivy::columnar::StrColumn>)> = None;
    for &(addr, slot) in docs {
        let row = row_of.get(slot as usize).copied().unwrap_or(u32::MAX);
        if row == u32::MAX {
            continue;
        }
        if column.as_ref().is_none_or(|(s, _)| *s != addr.segment_ord) {
            let reader = searcher.segment_reader(addr.segment_ord);
            column = Some((
                addr.segment_ord,
                reader.fast_fields().str("bureau_as_written")?,
            ));
        }
        let Some((_, Some(col))) = &column else {
            continue;
        };
        for ord in col.term_ords(addr.doc_id) {
            // A report's sections are contiguous and share the spelling.
            if found.last() != Some(&(addr.segment_ord, ord, row)) {
                found.push((addr.segment_ord, ord, row));
            }
        }
    }
    found.sort_unstable();
    found.dedup();
    let mut names: Vec<std::collections::BTreeSet<String>> = vec![Default::default(); page.len()];
    let mut start = 0;
    while start < found.len() {
        let segment = found[start].0;
        let end = start + found[start..].partition_point(|&(s, _, _)| s == segment);
        let part = &found[start..end];
        let mut ords: Vec<u64> = part.iter().map(|&(_, ord, _)| ord).collect();
        ords.dedup();
        let reader = searcher.segment_reader(segment);
        let Some(col) = reader.fast_fields().str("bureau_as_written")? else {
            start = end;
            continue;
        };
        let mut texts: Vec<String> = Vec::with_capacity(ords.len());
        let mut bad = false;
        col.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
            match std::str::from_utf8(bytes) {
                Ok(text) => texts.push(text.to_string()),
                Err(_) => bad = true,
            }
        })?;
        anyhow::ensure!(!bad, "a bureau spelling in the index is not UTF-8");
        // `part` is sorted by ordinal: walk it alongside the resolved names.
        let mut k = 0;
        for &(_, ord, row) in part {
            while k < ords.len() && ords[k] < ord {
                k += 1;
            }
            if let Some(text) = texts.get(k) {
                names[row as usize].insert(text.clone());
            }
        }
        start = end;
    }
    Ok(names
        .into_iter()
        .enumerate()
        .filter(|(_, set)| !set.is_empty())
        .map(|(row, set)| (row, set.into_iter().collect()))
        .collect())
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
    use super::group::{BureauCollector, Grouped, collect_range, group_split};
    use super::mentions::self_overlapping;
    use super::*;
    use crate::query::Expr;
    use crate::query::parse::parse;
    use tantivy::collector::{Collector, SegmentCollector};
    use tantivy::schema::Term;

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
        // What grouping must find: sections, years and mentions of 执法 per
        // bureau (宣传 is never in a matching section).
        let mut want: std::collections::BTreeMap<BureauKey, (usize, BTreeSet<u64>, usize)> =
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
                let text = match section % 4 {
                    0 => "严格执法",
                    2 => "严格执法，公正执法",
                    _ => "普法宣传",
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
                    row.2 += if section % 4 == 2 { 2 } else { 1 };
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
        type Row = (usize, Vec<u64>, usize, Vec<bool>);
        let summary = |g: &Grouped| {
            let all: Vec<usize> = (0..g.keys.len()).collect();
            let keys = g.keys_of(&all);
            let by_key: std::collections::BTreeMap<BureauKey, Row> = (0..g.keys.len())
                .map(|s| {
                    let row = (
                        g.sections[s],
                        g.years[s].clone().sorted(),
                        g.mentions[s],
                        g.seen[s * 2..s * 2 + 2].to_vec(),
                    );
                    (keys[s].clone(), row)
                })
                .collect();
            let docs: Vec<(DocAddress, BureauKey)> = g
                .docs()
                .map(|(a, s)| (a, keys[s as usize].clone()))
                .collect();
            (by_key, docs)
        };
        let collector = BureauCollector {
            keep_docs: true,
            needles: Some((f.exact, vec!["执法".to_string(), "宣传".to_string()])),
        };
        let one = group_split(&searcher, query.as_ref(), &collector, None, u32::MAX, 1).unwrap();
        assert!(
            one.keys.len() > 3 && one.docs().count() > 100,
            "{}",
            one.docs().count()
        );
        let want: std::collections::BTreeMap<BureauKey, Row> = want
            .into_iter()
            .map(|(k, (n, years, mentions))| {
                (
                    k,
                    (n, years.into_iter().collect(), mentions, vec![true, false]),
                )
            })
            .collect();
        assert_eq!(summary(&one).0, want);
        // The larger fruit first and last: it keeps its slots either way.
        let weight = query
            .weight(EnableScoring::disabled_from_searcher(&searcher))
            .unwrap();
        for reverse in [false, true] {
            let mut fruits: Vec<Grouped> = segments
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    collect_range(
                        &collector,
                        weight.as_ref(),
                        r,
                        i as u32,
                        0..r.max_doc(),
                        None,
                    )
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
        // The same with each segment's report table (built the first
        // time, kept the second).
        let tables = BureauTables::default();
        for parts in [2, 3, 7] {
            let split = group_split(&searcher, query.as_ref(), &collector, None, 1, parts).unwrap();
            assert_eq!(summary(&split), summary(&one), "{parts} parts");
            for round in 0..2 {
                let split = group_split(
                    &searcher,
                    query.as_ref(),
                    &collector,
                    Some(&tables),
                    1,
                    parts,
                )
                .unwrap();
                assert_eq!(
                    summary(&split),
                    summary(&one),
                    "{parts} parts, table {round}"
                );
            }
        }
        let single = group_split(&searcher, query.as_ref(), &collector, Some(&tables), 1, 1);
        assert_eq!(summary(&single.unwrap()), summary(&one), "tables, one part");
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
        fn texts(e: &Expr) -> Vec<String> {
            match e {
                Expr::Atom(a) => vec![a.text.clone()],
                Expr::Any(parts) => parts.iter().flat_map(texts).collect(),
                Expr::Not(inner) => texts(inner).iter().map(|t| format!("-{t}")).collect(),
                other => panic!("unexpected {other:?}"),
            }
        }
        let Expr::All(parts) = &q.expr else {
            panic!("{q:?}")
        };
        let got: Vec<Vec<String>> = parts.iter().map(texts).collect();
        // 憲法 folds to 宪法: one exclusion.
        assert_eq!(
            got,
            vec![
                vec!["合法性审查", "合法性审核", "法制审核"],
                vec!["普法"],
                vec!["-宪法"],
            ]
        );
    }
}
