//! Searching: from a parsed [`Query`] and filters to ranked [`Hit`]s.
//!
//! Matching and ranking are separate. A section matches when its normalised
//! text contains the query's strings — answered by phrase queries on the
//! `exact` bigram field, which is grep on normalised text. Among the matches,
//! BM25 on the jieba fields ranks (headings count double). The query's jieba
//! terms come from the index's own term dictionary by longest match, so a
//! search never loads jieba's dictionary (~100 ms of a cold query).

use std::collections::BTreeSet;
use std::ops::Bound;

use anyhow::Context;
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery,
    Query as TQuery, RangeQuery, RegexQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Term, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument};

use crate::analysis::{exact_query_terms, normalize, normalize_with_offsets};
use crate::index::{Fields, HEADING_PATH_SEP, IndexHandle};

pub mod parse;
pub mod topk;

pub use parse::{Atom, Clause, Query, QueryError};

/// Restrict a search to sections of some reports.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Bureau name contains this (after normalisation).
    pub bureau: Option<String>,
    /// Province name contains this, or equals its code.
    pub province: Option<String>,
    /// City name contains this, or equals its code.
    pub city: Option<String>,
    /// County-level unit name contains this, or equals its code.
    pub county: Option<String>,
    /// Inclusive range of report years.
    pub years: Option<(Option<u64>, Option<u64>)>,
    /// Only sections discussing a topic (resolved by the engine from a
    /// name or alias).
    pub topic: Option<TopicFilter>,
}

/// Sections whose score for topic `slot` is at least `min_score`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TopicFilter {
    pub slot: usize,
    pub min_score: f64,
}

impl Filters {
    /// Whether no filter is set (every section passes).
    pub fn is_empty(&self) -> bool {
        let Filters {
            bureau,
            province,
            city,
            county,
            years,
            topic,
        } = self;
        bureau.is_none()
            && province.is_none()
            && city.is_none()
            && county.is_none()
            && years.is_none()
            && topic.is_none()
    }
}

/// Parse `2021`, `2020..2023`, `2020..` or `..2023`.
pub fn parse_years(s: &str) -> Result<(Option<u64>, Option<u64>), String> {
    let bad = || format!("bad year range '{s}': use 2021, 2020..2023, 2020.. or ..2023");
    let year = |t: &str| -> Result<Option<u64>, String> {
        let t = t.trim();
        if t.is_empty() {
            return Ok(None);
        }
        t.parse::<u64>()
            .ok()
            .filter(|y| (1949..=2200).contains(y))
            .map(Some)
            .ok_or_else(bad)
    };
    match s.split_once("..") {
        Some((a, b)) => {
            let (a, b) = (year(a)?, year(b)?);
            if a.is_none() && b.is_none() {
                return Err(bad());
            }
            if let (Some(x), Some(y)) = (a, b)
                && x > y
            {
                return Err(bad());
            }
            Ok((a, b))
        }
        None => {
            let y = year(s)?.ok_or_else(bad)?;
            Ok((Some(y), Some(y)))
        }
    }
}

/// Match units for `--within`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Within {
    /// 同句: all terms in one sentence (split at 。！？；!?; and line breaks).
    Sentence,
    /// 同段: all terms in one paragraph.
    Paragraph,
}

/// Search settings.
#[derive(Debug, Clone, Default)]
pub struct SearchOptions {
    pub filters: Filters,
    /// Maximum hits; `None` for all.
    pub limit: Option<usize>,
    pub within: Option<Within>,
}

/// One ranked section. Field names are the JSON contract.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hit {
    pub rank: usize,
    pub score: f32,
    pub doc_id: String,
    pub section_id: String,
    pub path: String,
    pub line_start: u64,
    pub line_end: u64,
    pub bureau: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    pub report_year: Option<u64>,
    pub publish_date: Option<String>,
    pub title: Option<String>,
    pub heading: String,
    pub heading_path: Vec<String>,
    pub level: u64,
    /// The best fragment, original text, line breaks as spaces.
    pub snippet: String,
    /// Char ranges `[start, end)` of the matched text inside `snippet`.
    pub highlights: Vec<(usize, usize)>,
    /// The query strings (as typed) found in this section.
    pub matched: Vec<String>,
}

/// The stored fields of one section, read back from the index.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StoredSection {
    pub doc_id: String,
    pub section_id: String,
    pub path: String,
    pub title: Option<String>,
    pub bureau: Option<String>,
    pub province: Option<String>,
    pub province_code: Option<String>,
    pub city: Option<String>,
    pub city_code: Option<String>,
    pub county: Option<String>,
    pub county_code: Option<String>,
    pub report_year: Option<u64>,
    pub publish_date: Option<String>,
    pub doc_number: Option<String>,
    pub addressee: Option<String>,
    pub encoding: Option<String>,
    pub heading: String,
    pub heading_path: Vec<String>,
    pub level: u64,
    pub ordinal: u64,
    pub body: String,
    pub line_start: u64,
    pub line_end: u64,
    /// Main topics (names). Topic scores live in fast fields only.
    pub topics: Vec<String>,
}

impl StoredSection {
    /// Heading and body, as indexed in the exact field.
    pub fn text(&self) -> String {
        match (self.heading.is_empty(), self.body.is_empty()) {
            (true, _) => self.body.clone(),
            (false, true) => self.heading.clone(),
            (false, false) => format!("{}\n{}", self.heading, self.body),
        }
    }
}

fn text_of(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str().map(str::to_string))
}

fn u64_of(doc: &TantivyDocument, field: Field) -> Option<u64> {
    doc.get_first(field).and_then(|v| v.as_u64())
}

/// Threads for work split across cores (at most 8).
pub fn worker_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
}

/// Hit lists at least this long, or asked for in full (`--limit 0`), are
/// loaded by [`map_sections`]; shorter pages one by one in rank order.
pub const INDEX_ORDER_MIN: usize = 64;

/// Load the sections at `addrs` and map each (with its position in
/// `addrs`), in index order on all cores; results come back in the order
/// of `addrs`. Long hit lists (`--limit 0`) are loaded this way: in rank
/// order, every hit decompressed a whole doc-store block (256 KiB) of its
/// own — minutes for a topic's 770,000 sections at 100,000 reports.
pub fn map_sections<T: Send>(
    searcher: &Searcher,
    f: &Fields,
    addrs: &[DocAddress],
    map: impl Fn(usize, StoredSection) -> T + Sync,
) -> anyhow::Result<Vec<T>> {
    let mut order: Vec<usize> = (0..addrs.len()).collect();
    order.sort_unstable_by_key(|&i| addrs[i]);
    let run = order.len().div_ceil(worker_threads()).max(1);
    let map = &map;
    let parts: Vec<anyhow::Result<Vec<(usize, T)>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = order
            .chunks(run)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|&i| Ok((i, map(i, load_section(searcher, f, addrs[i])?))))
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("section loading thread panicked"))
            .collect()
    });
    let mut slots: Vec<Option<T>> = std::iter::repeat_with(|| None).take(addrs.len()).collect();
    for part in parts {
        for (i, t) in part? {
            slots[i] = Some(t);
        }
    }
    Ok(slots.into_iter().flatten().collect())
}

/// A ranked list's sections, mapped in parts of at most `chunk` (see
/// [`list_parts`]), each part loaded in index order by [`map_sections`];
/// `map` gets the section's position in `addrs` and may drop it. Each
/// non-empty part goes to `sink` in rank order; returns how many were kept.
pub fn map_ranked_parts<T: Send>(
    searcher: &Searcher,
    f: &Fields,
    addrs: &[DocAddress],
    chunk: usize,
    map: impl Fn(usize, StoredSection) -> Option<T> + Sync,
    sink: &mut dyn FnMut(Vec<T>) -> anyhow::Result<()>,
) -> anyhow::Result<usize> {
    let mut kept = 0;
    for range in list_parts(addrs.len(), chunk) {
        let start = range.start;
        let part = map_sections(searcher, f, &addrs[range], |i, s| map(start + i, s))?;
        let part: Vec<T> = part.into_iter().flatten().collect();
        kept += part.len();
        if !part.is_empty() {
            sink(part)?;
        }
    }
    Ok(kept)
}

/// Read a section's stored fields.
pub fn load_section(
    searcher: &Searcher,
    f: &Fields,
    addr: DocAddress,
) -> anyhow::Result<StoredSection> {
    let doc: TantivyDocument = searcher
        .doc(addr)
        .context("cannot read a document from the index")?;
    let heading_path = text_of(&doc, f.heading_path).unwrap_or_default();
    Ok(StoredSection {
        doc_id: text_of(&doc, f.doc_id).unwrap_or_default(),
        section_id: text_of(&doc, f.section_id).unwrap_or_default(),
        path: text_of(&doc, f.path).unwrap_or_default(),
        title: text_of(&doc, f.title),
        bureau: text_of(&doc, f.bureau),
        province: text_of(&doc, f.province),
        province_code: text_of(&doc, f.province_code),
        city: text_of(&doc, f.city),
        city_code: text_of(&doc, f.city_code),
        county: text_of(&doc, f.county),
        county_code: text_of(&doc, f.county_code),
        report_year: u64_of(&doc, f.report_year),
        publish_date: text_of(&doc, f.publish_date),
        doc_number: text_of(&doc, f.doc_number),
        addressee: text_of(&doc, f.addressee),
        encoding: text_of(&doc, f.encoding),
        heading: text_of(&doc, f.heading).unwrap_or_default(),
        heading_path: if heading_path.is_empty() {
            Vec::new()
        } else {
            heading_path
                .split(HEADING_PATH_SEP)
                .map(str::to_string)
                .collect()
        },
        level: u64_of(&doc, f.level).unwrap_or_default(),
        ordinal: u64_of(&doc, f.ordinal).unwrap_or_default(),
        body: text_of(&doc, f.body).unwrap_or_default(),
        line_start: u64_of(&doc, f.line_start).unwrap_or_default(),
        line_end: u64_of(&doc, f.line_end).unwrap_or_default(),
        topics: doc
            .get_all(f.topic)
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
    })
}

/// The exact-field query for one atom: matches exactly the sections whose
/// normalised text contains the atom.
pub fn atom_query(f: &Fields, atom: &Atom) -> Box<dyn TQuery> {
    let terms = exact_query_terms(&atom.normalized);
    match terms.len() {
        0 => Box::new(EmptyQuery),
        1 if terms[0].1.chars().count() == 1 => {
            // One character: any bigram starting with it (or the final unigram).
            // Normalised chars are letters and digits, never regex syntax.
            match RegexQuery::from_pattern(&format!("{}.*", terms[0].1), f.exact) {
                Ok(q) => Box::new(q),
                Err(_) => Box::new(EmptyQuery),
            }
        }
        1 => Box::new(TermQuery::new(
            Term::from_field_text(f.exact, &terms[0].1),
            IndexRecordOption::Basic,
        )),
        _ => Box::new(PhraseQuery::new_with_offset(
            terms
                .into_iter()
                .map(|(p, t)| (p, Term::from_field_text(f.exact, &t)))
                .collect(),
        )),
    }
}

/// The boolean matching query of a parsed query (scores nothing).
pub fn match_query(f: &Fields, query: &Query) -> Box<dyn TQuery> {
    let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
    for clause in &query.clauses {
        match clause {
            Clause::Any(atoms) if atoms.len() == 1 => {
                clauses.push((Occur::Must, atom_query(f, &atoms[0])))
            }
            Clause::Any(atoms) => {
                let any: Vec<(Occur, Box<dyn TQuery>)> = atoms
                    .iter()
                    .map(|a| (Occur::Should, atom_query(f, a)))
                    .collect();
                clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
            }
            Clause::Not(atom) => clauses.push((Occur::MustNot, atom_query(f, atom))),
        }
    }
    Box::new(BooleanQuery::new(clauses))
}

/// All distinct values of a raw string field whose value satisfies `keep`.
pub fn field_values(
    searcher: &Searcher,
    field: Field,
    mut keep: impl FnMut(&str) -> bool,
) -> anyhow::Result<Vec<String>> {
    let mut out = BTreeSet::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted.terms().stream()?;
        while stream.advance() {
            if let Ok(value) = std::str::from_utf8(stream.key())
                && !out.contains(value)
                && keep(value)
            {
                out.insert(value.to_string());
            }
        }
    }
    Ok(out.into_iter().collect())
}

fn name_or_code_filter(
    searcher: &Searcher,
    name: Field,
    code: Field,
    wanted: &str,
) -> anyhow::Result<Box<dyn TQuery>> {
    let wanted = wanted.trim();
    if !wanted.is_empty() && wanted.chars().all(|c| c.is_ascii_digit()) {
        return Ok(Box::new(TermQuery::new(
            Term::from_field_text(code, wanted),
            IndexRecordOption::Basic,
        )));
    }
    let needle = normalize(wanted);
    let values = field_values(searcher, name, |v| normalize(v).contains(&needle))?;
    Ok(Box::new(TermSetQuery::new(
        values.into_iter().map(|v| Term::from_field_text(name, &v)),
    )))
}

/// The filter clauses of `filters` (each must match).
pub fn filter_queries(
    searcher: &Searcher,
    f: &Fields,
    filters: &Filters,
) -> anyhow::Result<Vec<Box<dyn TQuery>>> {
    let mut out: Vec<Box<dyn TQuery>> = Vec::new();
    if let Some(b) = &filters.bureau {
        let needle = normalize(b);
        let values = field_values(searcher, f.bureau, |v| normalize(v).contains(&needle))?;
        out.push(Box::new(TermSetQuery::new(
            values
                .into_iter()
                .map(|v| Term::from_field_text(f.bureau, &v)),
        )));
    }
    if let Some(p) = &filters.province {
        out.push(name_or_code_filter(
            searcher,
            f.province,
            f.province_code,
            p,
        )?);
    }
    if let Some(c) = &filters.city {
        out.push(name_or_code_filter(searcher, f.city, f.city_code, c)?);
    }
    if let Some(c) = &filters.county {
        out.push(name_or_code_filter(searcher, f.county, f.county_code, c)?);
    }
    if let Some((lo, hi)) = filters.years {
        let bound = |y: Option<u64>| match y {
            Some(y) => Bound::Included(Term::from_field_u64(f.report_year, y)),
            None => Bound::Unbounded,
        };
        out.push(Box::new(RangeQuery::new(bound(lo), bound(hi))));
    }
    if let Some(t) = filters.topic {
        out.push(Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_f64(f.topic_scores[t.slot], t.min_score)),
            Bound::Unbounded,
        )));
    }
    Ok(out)
}

/// The sections that pass `filters` (all of them when none is set),
/// unscored.
pub fn filter_query(
    searcher: &Searcher,
    f: &Fields,
    filters: &Filters,
) -> anyhow::Result<Box<dyn TQuery>> {
    let clauses: Vec<(Occur, Box<dyn TQuery>)> = filter_queries(searcher, f, filters)?
        .into_iter()
        .map(|q| {
            (
                Occur::Must,
                Box::new(ConstScoreQuery::new(q, 0.0)) as Box<dyn TQuery>,
            )
        })
        .collect();
    Ok(if clauses.is_empty() {
        Box::new(AllQuery)
    } else {
        Box::new(BooleanQuery::new(clauses))
    })
}

/// A score that ranks: compared totally (NaN has a place), higher first.
pub trait RankScore: Copy {
    fn rank_cmp(&self, other: &Self) -> std::cmp::Ordering;
}

impl RankScore for f32 {
    fn rank_cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.total_cmp(self)
    }
}

impl RankScore for f64 {
    fn rank_cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.total_cmp(self)
    }
}

/// Sort `(score, address)` pairs best first; equal scores by address, so
/// that a ranking is the same on every run over the same index.
pub fn sort_ranked<S: RankScore, A: Ord>(list: &mut [(S, A)]) {
    list.sort_by(|a, b| a.0.rank_cmp(&b.0).then(a.1.cmp(&b.1)));
}

/// Replace the scores of `matches` by the sections' scores for topic
/// `slot`, and re-sort best first.
pub fn rescore_by_topic(searcher: &Searcher, slot: usize, matches: &mut [(f32, DocAddress)]) {
    let field = crate::topics::score_field(slot);
    let columns: Vec<_> = searcher
        .segment_readers()
        .iter()
        .map(|s| s.fast_fields().f64(&field).ok())
        .collect();
    for (score, addr) in matches.iter_mut() {
        *score = columns[addr.segment_ord as usize]
            .as_ref()
            .and_then(|c| c.first(addr.doc_id))
            .unwrap_or(0.0) as f32;
    }
    sort_ranked(matches);
}

/// Segment `text` into terms of `field`'s dictionary by greedy longest match.
fn dictionary_terms(searcher: &Searcher, field: Field, text: &str) -> Vec<String> {
    const MAX_WORD: usize = 8;
    let chars: Vec<char> = text.chars().collect();
    let in_dict = |word: &str| {
        searcher.segment_readers().iter().any(|s| {
            s.inverted_index(field)
                .ok()
                .and_then(|inv| {
                    inv.get_term_info(&Term::from_field_text(field, word))
                        .ok()
                        .flatten()
                })
                .is_some()
        })
    };
    if chars.len() <= 16 && in_dict(text) {
        return vec![text.to_string()];
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let longest = (1..=MAX_WORD.min(chars.len() - i)).rev().find(|&n| {
            let w: String = chars[i..i + n].iter().collect();
            in_dict(&w)
        });
        match longest {
            Some(n) => {
                out.push(chars[i..i + n].iter().collect());
                i += n;
            }
            None => i += 1,
        }
    }
    out
}

/// The BM25 ranking query for the positive atoms of `query`.
pub fn ranking_query(searcher: &Searcher, f: &Fields, query: &Query) -> Box<dyn TQuery> {
    let mut words = BTreeSet::new();
    for atom in query.positive_atoms() {
        words.extend(dictionary_terms(searcher, f.body, &atom.normalized));
    }
    let mut should: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
    // A heading or title term found in most sections (法治 of every
    // 法治政府建设年度报告 title) adds almost nothing to BM25 (its idf is
    // near 0) but makes every section a candidate for the top-k search:
    // leave such terms out. Body terms always count.
    let half = searcher.num_docs() / 2;
    for w in &words {
        let term = |field| Term::from_field_text(field, w);
        let tq = |field| TermQuery::new(term(field), IndexRecordOption::WithFreqs);
        let common = |field| searcher.doc_freq(&term(field)).is_ok_and(|df| df > half);
        should.push((Occur::Should, Box::new(tq(f.body))));
        for (field, boost) in [(f.heading, 2.0), (f.title, 0.5)] {
            if !common(field) {
                should.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(tq(field)), boost)),
                ));
            }
        }
    }
    Box::new(BooleanQuery::new(should))
}

/// The full query: must match, must pass the filters, ranked by BM25.
pub fn full_query(
    searcher: &Searcher,
    f: &Fields,
    query: &Query,
    filters: &Filters,
) -> anyhow::Result<Box<dyn TQuery>> {
    let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = vec![(
        Occur::Must,
        Box::new(ConstScoreQuery::new(match_query(f, query), 0.0)),
    )];
    for q in filter_queries(searcher, f, filters)? {
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0))));
    }
    clauses.push((Occur::Should, ranking_query(searcher, f, query)));
    Ok(Box::new(BooleanQuery::new(clauses)))
}

/// Split text into sentence or paragraph units for `--within`.
pub fn units(text: &str, within: Within) -> Vec<&str> {
    match within {
        Within::Paragraph => text.split('\n').collect(),
        Within::Sentence => text
            .split(['\n', '。', '！', '？', '；', '!', '?', ';'])
            .collect(),
    }
}

/// Whether all positive clauses of `query` hold inside one unit of `text`.
pub fn matches_within(query: &Query, text: &str, within: Within) -> bool {
    units(text, within)
        .into_iter()
        .any(|u| query.positives_match(&normalize(u)))
}

/// A display fragment with highlighted ranges (char offsets into `text`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    pub highlights: Vec<(usize, usize)>,
}

/// The best fragment of `text` (about `width` chars) for the normalised
/// `needles`: the window holding the most distinct needles, first such.
pub fn snippet(text: &str, needles: &[&str], width: usize) -> Snippet {
    let (norm, offsets) = normalize_with_offsets(text);
    // Occurrences as (start byte, end byte, needle index) in the original text.
    let mut occ: Vec<(usize, usize, usize)> = Vec::new();
    for (k, needle) in needles.iter().enumerate() {
        let nd: Vec<char> = needle.chars().collect();
        if nd.is_empty() || nd.len() > norm.len() {
            continue;
        }
        let mut i = 0;
        while i + nd.len() <= norm.len() {
            if norm[i..i + nd.len()] == nd[..] {
                occ.push((offsets[i].0, offsets[i + nd.len() - 1].1, k));
                i += nd.len();
            } else {
                i += 1;
            }
        }
    }
    occ.sort();
    let char_starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    let total = char_starts.len();
    let char_index = |byte: usize| char_starts.partition_point(|&b| b < byte);
    // Pick the occurrence whose window covers the most distinct needles.
    let mut best: Option<(usize, usize)> = None; // (distinct count, occ index)
    for (i, &(s, _, _)) in occ.iter().enumerate() {
        let cs = char_index(s);
        let distinct: BTreeSet<usize> = occ[i..]
            .iter()
            .take_while(|(s2, _, _)| char_index(*s2) < cs + width)
            .map(|(_, _, k)| *k)
            .collect();
        if best.is_none_or(|(n, _)| distinct.len() > n) {
            best = Some((distinct.len(), i));
        }
    }
    let start_char = match best {
        Some((_, i)) => char_index(occ[i].0).saturating_sub(width / 5),
        None => 0,
    };
    let end_char = (start_char + width).min(total);
    let start_char = end_char.saturating_sub(width).min(start_char);
    let byte_at = |c: usize| char_starts.get(c).copied().unwrap_or(text.len());
    let (sb, eb) = (byte_at(start_char), byte_at(end_char));
    let mut out = String::new();
    let mut highlights = Vec::new();
    if start_char > 0 {
        out.push('…');
    }
    let prefix = out.chars().count();
    out.extend(
        text[sb..eb]
            .chars()
            .map(|c| if c == '\n' || c == '\r' { ' ' } else { c }),
    );
    for &(s, e, _) in &occ {
        if s >= sb && e <= eb {
            let hs = prefix + char_index(s) - start_char;
            let he = prefix + char_index(e) - start_char;
            if highlights
                .last()
                .is_none_or(|&(_, last_end)| hs >= last_end)
            {
                highlights.push((hs, he));
            }
        }
    }
    if end_char < total {
        out.push('…');
    }
    Snippet {
        text: out,
        highlights,
    }
}

/// Snippet width in characters.
pub const SNIPPET_WIDTH: usize = 90;

/// Normalise `c` (see [`crate::analysis::fold_char`]) onto `norm`, recording
/// for each pushed char the index `at` of the original char.
#[inline]
fn fold_at(c: char, at: u32, norm: &mut Vec<char>, orig: &mut Vec<u32>) {
    crate::analysis::fold_char(c, |d| {
        norm.push(d);
        orig.push(at);
    });
}

/// [`snippet`] and [`make_hit`]'s matched strings in one pass over the text,
/// with buffers reused from hit to hit (exports build hundreds of thousands
/// of snippets). Output is identical to [`snippet`]'s; the text is
/// normalised once, and occurrences are kept as char indices, so no
/// per-char offset table of the original text is built.
#[derive(Debug, Default)]
pub struct Snippeter {
    needles: Vec<Vec<char>>,
    /// Normalised chars of the current text.
    norm: Vec<char>,
    /// For each normalised char, the index of the original char it came from.
    orig: Vec<u32>,
    /// Occurrences: (first char, char after the last, needle index).
    occ: Vec<(u32, u32, u32)>,
    found: Vec<bool>,
    distinct: BTreeSet<u32>,
    /// The fragment of the last [`Snippeter::run`].
    pub text: String,
    /// Highlighted char ranges inside [`Snippeter::text`].
    pub highlights: Vec<(usize, usize)>,
}

impl Snippeter {
    /// A snippeter for normalised `needles` (the query's positive atoms).
    pub fn new(needles: &[&str]) -> Self {
        Snippeter {
            needles: needles.iter().map(|n| n.chars().collect()).collect(),
            found: vec![false; needles.len()],
            ..Snippeter::default()
        }
    }

    /// Whether needle `k` occurs in the last text (as `normalize(text)
    /// .contains(needle)`: an empty needle always does).
    pub fn found(&self, k: usize) -> bool {
        self.found[k]
    }

    /// Compute the snippet of `text` (about `width` chars) into
    /// [`Snippeter::text`] and [`Snippeter::highlights`].
    pub fn run(&mut self, text: &str, width: usize) {
        if self.needles.len() == 1 && !self.needles[0].is_empty() {
            return self.run_one(text, width);
        }
        // Locals, not fields, in the hot loop: their lengths stay in registers.
        let mut norm = std::mem::take(&mut self.norm);
        let mut orig = std::mem::take(&mut self.orig);
        norm.clear();
        orig.clear();
        norm.reserve(text.len());
        orig.reserve(text.len());
        let mut total = 0u32;
        for c in text.chars() {
            fold_at(c, total, &mut norm, &mut orig);
            total += 1;
        }
        self.norm = norm;
        self.orig = orig;
        let total = total as usize;
        self.occ.clear();
        for (k, nd) in self.needles.iter().enumerate() {
            self.found[k] = nd.is_empty();
            if nd.is_empty() || nd.len() > self.norm.len() {
                continue;
            }
            let (first, len) = (nd[0], nd.len());
            let norm = &self.norm;
            let mut i = 0;
            while i + len <= norm.len() {
                if norm[i] == first && norm[i..i + len] == nd[..] {
                    self.occ
                        .push((self.orig[i], self.orig[i + len - 1] + 1, k as u32));
                    i += len;
                } else {
                    i += 1;
                }
            }
            if self.occ.last().is_some_and(|o| o.2 == k as u32) {
                self.found[k] = true;
            }
        }
        self.occ.sort_unstable();
        let occ = &self.occ;
        // The occurrence whose window covers the most distinct needles, first such.
        let mut best: Option<(usize, usize)> = None;
        for (i, &(cs, _, _)) in occ.iter().enumerate() {
            let limit = cs as usize + width;
            let window = occ[i..]
                .iter()
                .take_while(|o| (o.0 as usize) < limit)
                .map(|o| o.2);
            let n = if self.needles.len() <= 64 {
                window.fold(0u64, |m, k| m | 1 << k).count_ones() as usize
            } else {
                self.distinct.clear();
                self.distinct.extend(window);
                self.distinct.len()
            };
            if best.is_none_or(|(m, _)| n > m) {
                best = Some((n, i));
            }
        }
        let first = best.map(|(_, i)| occ[i].0 as usize);
        self.emit(text, width, total, first);
    }

    /// One needle: every window holds one distinct needle, so the best is
    /// the first occurrence, and only the text up to the end of its window
    /// needs normalising (the rest is only counted).
    fn run_one(&mut self, text: &str, width: usize) {
        let mut norm = std::mem::take(&mut self.norm);
        let mut orig = std::mem::take(&mut self.orig);
        norm.clear();
        orig.clear();
        self.occ.clear();
        let nd = &self.needles[0];
        let len = nd.len();
        let mut chars = text.chars();
        let mut seen = 0u32;
        let mut i = 0;
        // Once the first occurrence is known: no occurrence starting at or
        // after this char can be inside the snippet.
        let mut limit = usize::MAX;
        loop {
            while norm.len() < i + len {
                let Some(c) = chars.next() else { break };
                fold_at(c, seen, &mut norm, &mut orig);
                seen += 1;
            }
            if norm.len() < i + len || orig[i] as usize >= limit {
                break;
            }
            if norm[i] == nd[0] && norm[i..i + len] == nd[..] {
                if self.occ.is_empty() {
                    limit = (orig[i] as usize).saturating_sub(width / 5) + width;
                }
                self.occ.push((orig[i], orig[i + len - 1] + 1, 0));
                i += len;
            } else {
                i += 1;
            }
        }
        let total = seen as usize + chars.as_str().chars().count();
        self.found[0] = !self.occ.is_empty();
        let first = self.occ.first().map(|o| o.0 as usize);
        self.norm = norm;
        self.orig = orig;
        self.emit(text, width, total, first);
    }

    /// The fragment around the occurrence starting at char `first` (or the
    /// start of the text), with highlights from `self.occ`.
    fn emit(&mut self, text: &str, width: usize, total: usize, first: Option<usize>) {
        let occ = &self.occ;
        let start_char = match first {
            Some(c) => c.saturating_sub(width / 5),
            None => 0,
        };
        let end_char = (start_char + width).min(total);
        let start_char = end_char.saturating_sub(width).min(start_char);
        self.text.clear();
        self.highlights.clear();
        if start_char > 0 {
            self.text.push('…');
        }
        let prefix = usize::from(start_char > 0);
        for c in text.chars().skip(start_char).take(end_char - start_char) {
            self.text.push(if c == '\n' || c == '\r' { ' ' } else { c });
        }
        for &(s, e, _) in occ {
            let (s, e) = (s as usize, e as usize);
            if s >= start_char && e <= end_char {
                let (hs, he) = (prefix + s - start_char, prefix + e - start_char);
                if self
                    .highlights
                    .last()
                    .is_none_or(|&(_, last_end)| hs >= last_end)
                {
                    self.highlights.push((hs, he));
                }
            }
        }
        if end_char < total {
            self.text.push('…');
        }
    }
}

/// Every match of `q`, best first (ties by address): 12 bytes per match,
/// so a caller can hold millions of them and load documents one at a time
/// (exports stream this way). Without `scoring` all scores are 0 and the
/// order is the index order.
pub fn all_matches(
    searcher: &Searcher,
    q: &dyn TQuery,
    scoring: bool,
) -> anyhow::Result<Vec<(f32, DocAddress)>> {
    let mut all = searcher.search(q, &AllMatches { scoring })?;
    sort_ranked(&mut all);
    Ok(all)
}

/// Collects every matching document with its score.
struct AllMatches {
    scoring: bool,
}

struct SegmentMatches {
    segment: u32,
    docs: Vec<(f32, DocAddress)>,
}

impl tantivy::collector::Collector for AllMatches {
    type Fruit = Vec<(f32, DocAddress)>;
    type Child = SegmentMatches;

    fn for_segment(
        &self,
        segment: u32,
        _reader: &tantivy::SegmentReader,
    ) -> tantivy::Result<SegmentMatches> {
        Ok(SegmentMatches {
            segment,
            docs: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.scoring
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(f32, DocAddress)>>) -> tantivy::Result<Self::Fruit> {
        let mut out = Vec::with_capacity(fruits.iter().map(Vec::len).sum());
        fruits.into_iter().for_each(|f| out.extend(f));
        Ok(out)
    }
}

impl tantivy::collector::SegmentCollector for SegmentMatches {
    type Fruit = Vec<(f32, DocAddress)>;

    fn collect(&mut self, doc: tantivy::DocId, score: tantivy::Score) {
        self.docs.push((score, DocAddress::new(self.segment, doc)));
    }

    fn harvest(self) -> Self::Fruit {
        self.docs
    }
}

/// Run a search and return ranked hits.
pub fn search(
    handle: &IndexHandle,
    query: &Query,
    opts: &SearchOptions,
) -> anyhow::Result<Vec<Hit>> {
    search_with_topic(handle, query, opts, None)
}

/// Boost a search by one topic (`search --topic`; the restriction to the
/// topic's sections is [`Filters::topic`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TopicBoost {
    /// Slot of the topic (see [`crate::topics::score_field`]).
    pub slot: usize,
    /// Added to each hit's BM25 score: `weight × topic score`.
    pub weight: f32,
}

/// [`search`], optionally boosted by a topic's stored score.
pub fn search_with_topic(
    handle: &IndexHandle,
    query: &Query,
    opts: &SearchOptions,
    topic: Option<TopicBoost>,
) -> anyhow::Result<Vec<Hit>> {
    let mut hits = Vec::new();
    search_chunked(handle, query, opts, topic, usize::MAX, &mut |chunk| {
        hits.extend(chunk);
        Ok(())
    })?;
    Ok(hits)
}

/// Hits per chunk when a whole hit list is printed (`--limit 0`): a hit
/// takes a few KB in memory, so a chunk stays under ~200 MB however many
/// sections match. Each chunk is one more pass over the doc store blocks its
/// hits fall in.
pub const LIST_CHUNK: usize = 65_536;

/// The parts of a ranked list of `len` hits loaded together: a short first
/// part (output starts at once, and `| head` stops early), then `chunk` at
/// a time.
pub fn list_parts(len: usize, chunk: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    const FIRST: usize = 1024;
    let chunk = chunk.max(1);
    let first = chunk.min(FIRST).min(len);
    std::iter::once(0..first).filter(|r| !r.is_empty()).chain(
        (first..len)
            .step_by(chunk)
            .map(move |s| s..s.saturating_add(chunk).min(len)),
    )
}

/// [`search_with_topic`], handing the hits to `sink` in rank order, at most
/// `chunk` at a time (a page comes as one chunk); returns how many there
/// were. Only the ranked `(score, address)` list (12 bytes a match) is held
/// for the whole result.
pub fn search_chunked(
    handle: &IndexHandle,
    query: &Query,
    opts: &SearchOptions,
    topic: Option<TopicBoost>,
    chunk: usize,
    sink: &mut dyn FnMut(Vec<Hit>) -> anyhow::Result<()>,
) -> anyhow::Result<usize> {
    let searcher = handle.reader.searcher();
    let f = &handle.fields;
    let all = (searcher.num_docs() as usize).max(1);
    let needles: Vec<&str> = query
        .positive_atoms()
        .map(|a| a.normalized.as_str())
        .collect();
    // Ranked candidates → hits, skipping those that fail `--within`.
    let to_hit = |score: f32, s: StoredSection| -> Option<Hit> {
        let text = s.text();
        let within = opts.within.is_none_or(|w| matches_within(query, &text, w));
        within.then(|| make_hit(0, score, s, &text, query, &needles))
    };
    // A page: one by one in rank order, up to the limit.
    let page = |top: &[(f32, DocAddress)]| -> anyhow::Result<Vec<Hit>> {
        let mut hits = Vec::new();
        for &(score, addr) in top {
            if opts.limit.is_some_and(|n| n > 0 && hits.len() >= n) {
                break;
            }
            if let Some(mut hit) = to_hit(score, load_section(&searcher, f, addr)?) {
                hit.rank = hits.len() + 1;
                hits.push(hit);
            }
        }
        Ok(hits)
    };
    // Every candidate may be a hit: in index order (see `map_sections`),
    // a chunk at a time.
    let deliver = |top: &[(f32, DocAddress)],
                   sink: &mut dyn FnMut(Vec<Hit>) -> anyhow::Result<()>|
     -> anyhow::Result<usize> {
        // A short page, or one that stops before the end of the list.
        let page_only = opts
            .limit
            .is_some_and(|n| n > 0 && (n < top.len() || n < INDEX_ORDER_MIN));
        if page_only {
            let hits = page(top)?;
            let n = hits.len();
            sink(hits)?;
            return Ok(n);
        }
        let addrs: Vec<DocAddress> = top.iter().map(|&(_, a)| a).collect();
        let mut delivered = 0;
        let map = |i: usize, s: StoredSection| to_hit(top[i].0, s);
        map_ranked_parts(&searcher, f, &addrs, chunk, map, &mut |mut hits| {
            // Candidates rejected by `--within` leave no gap in the ranks.
            for hit in &mut hits {
                delivered += 1;
                hit.rank = delivered;
            }
            sink(hits)
        })
    };

    // A page of results for strings that match very many sections: let the
    // ranking drive (see `topk`). Filters usually make the matches few, and
    // then the plain evaluation, driven by the smallest posting list, is
    // faster. `--within` rejects some candidates after loading them: one
    // try with a few candidates more, then every candidate.
    if let Some(limit) = opts.limit.filter(|&n| n > 0 && n < all)
        && topic.is_none()
        && opts.filters.is_empty()
        && topk::worth_pruning(&searcher, f, query)
    {
        let k = if opts.within.is_some() {
            limit.saturating_mul(4).min(all)
        } else {
            limit
        };
        let top = topk::top_k(&searcher, f, query, &opts.filters, k)?;
        let exhausted = top.len() < k;
        let hits = if opts.within.is_some() {
            page(&top)?
        } else {
            let mut hits = Vec::new();
            deliver(&top, &mut |chunk| {
                hits.extend(chunk);
                Ok(())
            })?;
            hits
        };
        if hits.len() >= limit || exhausted {
            let n = hits.len();
            sink(hits)?;
            return Ok(n);
        }
    }

    let q = full_query(&searcher, f, query, &opts.filters)?;
    // --within filters after matching, so it needs every candidate.
    let fetch = match (opts.within, opts.limit) {
        (None, Some(n)) if n > 0 => n.min(all),
        _ => all,
    };
    let mut top = match topic {
        None => searcher.search(&q, &TopDocs::with_limit(fetch).order_by_score())?,
        Some(t) => {
            let name = crate::topics::score_field(t.slot);
            let collector =
                TopDocs::with_limit(fetch).tweak_score(move |segment: &tantivy::SegmentReader| {
                    let column = segment.fast_fields().f64(&name).ok();
                    move |doc: tantivy::DocId, score: tantivy::Score| {
                        score
                            + t.weight
                                * column.as_ref().and_then(|c| c.first(doc)).unwrap_or(0.0) as f32
                    }
                });
            searcher.search(&q, &collector)?
        }
    };
    sort_ranked(&mut top);
    deliver(&top, sink)
}

/// Build a [`Hit`] from a stored section.
pub fn make_hit(
    rank: usize,
    score: f32,
    s: StoredSection,
    text: &str,
    query: &Query,
    needles: &[&str],
) -> Hit {
    let norm = normalize(text);
    let matched = query
        .positive_atoms()
        .filter(|a| norm.contains(&a.normalized))
        .map(|a| a.text.clone())
        .collect();
    Hit::new(
        rank,
        score,
        s,
        snippet(text, needles, SNIPPET_WIDTH),
        matched,
    )
}

impl Hit {
    /// A hit for a stored section with its snippet and matched strings.
    pub fn new(
        rank: usize,
        score: f32,
        s: StoredSection,
        snip: Snippet,
        matched: Vec<String>,
    ) -> Hit {
        Hit {
            rank,
            score,
            doc_id: s.doc_id,
            section_id: s.section_id,
            path: s.path,
            line_start: s.line_start,
            line_end: s.line_end,
            bureau: s.bureau,
            province: s.province,
            city: s.city,
            county: s.county,
            report_year: s.report_year,
            publish_date: s.publish_date,
            title: s.title,
            heading: s.heading,
            heading_path: s.heading_path,
            level: s.level,
            snippet: snip.text,
            highlights: snip.highlights,
            matched,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_parts_cover_the_list_in_order() {
        for (len, chunk) in [
            (0, 5),
            (1, 5),
            (7, 3),
            (5000, 2000),
            (3000, 65_536),
            (3000, usize::MAX),
            (10, 0),
        ] {
            let parts: Vec<_> = list_parts(len, chunk).collect();
            let mut next = 0;
            for p in &parts {
                assert_eq!(p.start, next, "{len}/{chunk}: {parts:?}");
                assert!(
                    !p.is_empty() && p.len() <= chunk.max(1),
                    "{len}/{chunk}: {parts:?}"
                );
                next = p.end;
            }
            assert_eq!(next, len, "{len}/{chunk}: {parts:?}");
        }
        assert_eq!(list_parts(5000, 2000).next(), Some(0..1024));
    }

    /// [`Snippeter`] must reproduce [`snippet`] and `make_hit`'s matched
    /// strings exactly (exports rely on it for byte-identical files).
    fn same_as_reference(text: &str, needles: &[&str], width: usize) {
        let reference = snippet(text, needles, width);
        let mut s = Snippeter::new(needles);
        s.run(text, width);
        assert_eq!(s.text, reference.text, "text {text:?} needles {needles:?}");
        assert_eq!(s.highlights, reference.highlights, "text {text:?}");
        let norm = normalize(text);
        for (k, n) in needles.iter().enumerate() {
            assert_eq!(s.found(k), norm.contains(n), "needle {n:?} in {text:?}");
        }
    }

    #[test]
    fn snippeter_matches_reference_on_examples() {
        let long = "一二三四五六七八九十".repeat(30);
        let cases: Vec<(String, Vec<&str>)> = vec![
            (String::new(), vec!["执法"]),
            ("执法".into(), vec!["执法", ""]),
            (
                format!("{long}行政执法{long}合法性审查{long}"),
                vec!["执法", "合法性审查"],
            ),
            (
                format!("执法\r\n{long}执法执法 Ａｂ ＡＢ ab"),
                vec!["执法", "ab", "法执"],
            ),
            (
                "㈠ＦＩＬＥ ﬁle 第①条 执-法".into(),
                vec!["file", "执法", "1"],
            ),
            (format!("{long}\n{long}"), vec![]),
            ("执法执法执法".into(), vec!["执法执法", "法"]),
        ];
        for (text, needles) in &cases {
            for width in [0, 1, 5, 90, 1000] {
                same_as_reference(text, needles, width);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn snippeter_matches_reference(
            text in "[执法行政审查 \n\r,.Ａa1①ﬁ]{0,300}",
            n1 in "[执法行政a1]{0,3}",
            n2 in "[执法审查]{1,2}",
            width in 0usize..120,
        ) {
            let needles = [normalize(&n1), normalize(&n2)];
            let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
            same_as_reference(&text, &needles, width);
        }

        #[test]
        fn snippeter_matches_reference_one_needle(
            text in "[执法行政审查 \n\r,.Ａa1①ﬁ]{0,400}",
            n in "[执法a1Ａ]{0,3}",
            width in 0usize..120,
        ) {
            let needle = normalize(&n);
            same_as_reference(&text, &[needle.as_str()], width);
        }
    }

    #[test]
    fn years() {
        assert_eq!(parse_years("2021"), Ok((Some(2021), Some(2021))));
        assert_eq!(parse_years("2020..2023"), Ok((Some(2020), Some(2023))));
        assert_eq!(parse_years("2020.."), Ok((Some(2020), None)));
        assert_eq!(parse_years("..2023"), Ok((None, Some(2023))));
        assert!(parse_years("2023..2020").is_err());
        assert!(parse_years("..").is_err());
        assert!(parse_years("abc").is_err());
    }

    #[test]
    fn sentence_and_paragraph_units() {
        let q = parse::parse("法律顾问 合法性审查").unwrap();
        let text = "聘请法律顾问。开展合法性审查。\n法律顾问参与合法性审查工作";
        assert!(matches_within(&q, text, Within::Sentence));
        let text = "聘请法律顾问。开展合法性审查。";
        assert!(!matches_within(&q, text, Within::Sentence));
        assert!(matches_within(&q, text, Within::Paragraph));
        assert!(!matches_within(
            &q,
            "聘请法律顾问。\n开展合法性审查。",
            Within::Paragraph
        ));
    }

    #[test]
    fn snippet_highlights_original_text() {
        let text = "前文。落实“双随机、一公开”制度，后文。";
        let s = snippet(text, &["双随机一公开"], 90);
        let chars: Vec<char> = s.text.chars().collect();
        let (a, b) = s.highlights[0];
        assert_eq!(chars[a..b].iter().collect::<String>(), "双随机、一公开");
    }

    #[test]
    fn snippet_window_prefers_more_needles() {
        let filler = "无关内容".repeat(40);
        let text = format!("法律顾问{filler}法律顾问和合法性审查{filler}");
        let s = snippet(&text, &["法律顾问", "合法性审查"], 30);
        assert!(s.text.contains("合法性审查"), "{}", s.text);
        assert!(s.text.starts_with('…'));
        assert_eq!(s.highlights.len(), 2);
    }
}
