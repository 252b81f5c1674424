//! Over time: how many reports mention a practice year by year and place
//! by place ([`trend`]), when each bureau first mentions it ([`adoption`],
//! with the bureau × year panel for event-history models), and every
//! occurrence in its context ([`kwic`]); [`chart`] draws a trend as SVG or
//! HTML.
//!
//! Counting unit: a *report* mentions a query when any of its sections
//! matches it — the sections the search matches, so whatever the search
//! matches (a heading, a title) counts here too. A *bureau* is one body
//! across its spellings and years (its `bureau_key`, see the bureau
//! identity module); reports naming no bureau count as reports, never as
//! bureaus. Everything is counted from the index: the reports, their years,
//! bureaus and places from fast fields ([`ReportTable`]), the matching
//! sections from postings, the panel's mentions from positions; no stored
//! text is read (only `kwic`, which prints it, does).

use std::collections::HashMap;

use clap::ValueEnum;
use serde::Serialize;
use tantivy::Searcher;

use crate::bureaus::mention_counts;
use crate::index::Fields;
use crate::query::{Filters, Query};

pub mod chart;
pub mod kwic;
pub mod reports;

pub use kwic::{KwicLine, KwicOptions, KwicSort, kwic};
pub use reports::{NONE, ReportTable, matching_sections};

/// What a trend row is grouped by (`--by year,province`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Year,
    Province,
    City,
    County,
    Bureau,
}

impl Level {
    /// The column name.
    pub fn name(self) -> &'static str {
        match self {
            Level::Year => "year",
            Level::Province => "province",
            Level::City => "city",
            Level::County => "county",
            Level::Bureau => "bureau",
        }
    }

    /// Its slot in a group key.
    fn slot(self) -> usize {
        self as usize
    }
}

/// One row of `fazhi trend`: one query in one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendRow {
    /// The query as typed (one series per query).
    pub query: String,
    /// The group's value of each level of [`TrendTable::levels`], in order
    /// (`None`: unknown, e.g. a report without a province).
    pub group: Vec<Option<String>>,
    /// The group's year, when grouped by year.
    pub year: Option<u16>,
    /// Reports in the group.
    pub reports: usize,
    /// Of them, reports mentioning the query.
    pub reports_matching: usize,
    /// `reports_matching / reports`.
    pub share: f64,
    /// Distinct bureaus with a report in the group.
    pub bureaus: usize,
    /// Of them, bureaus with a report mentioning the query.
    pub bureaus_matching: usize,
    /// Bureaus whose first mention (in the filtered corpus) is in this
    /// group's year; `None` when not grouped by year.
    pub new_bureaus: Option<usize>,
}

/// The rows of `fazhi trend`: for each query in turn, one row per group,
/// groups in order of their values (years ascending, names by code point).
#[derive(Debug, Clone, PartialEq)]
pub struct TrendTable {
    pub levels: Vec<Level>,
    pub queries: Vec<String>,
    pub rows: Vec<TrendRow>,
    /// Reports left out because they carry no year (when grouped by year).
    pub without_year: usize,
}

/// Reports matching a query, and what follows from them.
struct Matches {
    /// Per report: whether it mentions the query.
    report: Vec<bool>,
    /// Per bureau: the first year of a report mentioning it (0: never, or
    /// only in reports without a year).
    first_year: Vec<u16>,
    /// The matching sections (sorted) and their reports.
    docs: Vec<tantivy::DocAddress>,
    doc_reports: Vec<u32>,
}

fn matches(
    searcher: &Searcher,
    f: &Fields,
    table: &ReportTable,
    query: &Query,
    filters: &Filters,
) -> anyhow::Result<Matches> {
    let docs = matching_sections(searcher, f, query, filters)?;
    let doc_reports = table.reports_of(&docs);
    let mut report = vec![false; table.len()];
    for &r in &doc_reports {
        if r != NONE {
            report[r as usize] = true;
        }
    }
    let mut first_year = vec![0u16; table.bureaus.len()];
    for (r, _) in report.iter().enumerate().filter(|(_, m)| **m) {
        let (b, y) = (table.bureau_of[r], table.years[r]);
        if b != NONE && y > 0 {
            let first = &mut first_year[b as usize];
            if *first == 0 || y < *first {
                *first = y;
            }
        }
    }
    Ok(Matches {
        report,
        first_year,
        docs,
        doc_reports,
    })
}

/// A group key: for each [`Level`] slot, the year, a name id or a bureau
/// number ([`NONE`] when the level is not grouped by or unknown).
type GroupKey = [u32; 5];

/// The group of each report (`None`: left out, no year) and the groups'
/// keys in output order.
fn groups(table: &ReportTable, levels: &[Level]) -> (Vec<Option<u32>>, Vec<GroupKey>) {
    let mut index: HashMap<GroupKey, u32> = HashMap::new();
    let mut keys: Vec<GroupKey> = Vec::new();
    let mut of_report = Vec::with_capacity(table.len());
    for r in 0..table.len() {
        let mut key = [NONE; 5];
        let mut left_out = false;
        for &level in levels {
            key[level.slot()] = match level {
                Level::Year => {
                    left_out |= table.years[r] == 0;
                    u32::from(table.years[r])
                }
                Level::Province => table.places[r][0],
                Level::City => table.places[r][1],
                Level::County => table.places[r][2],
                Level::Bureau => table.bureau_of[r],
            };
        }
        if left_out {
            of_report.push(None);
            continue;
        }
        let next = keys.len() as u32;
        let g = *index.entry(key).or_insert(next);
        if g == next {
            keys.push(key);
        }
        of_report.push(Some(g));
    }
    // Output order: by the levels' values (unknown last), as named.
    let value = |key: &GroupKey, level: Level| -> (bool, String, u32) {
        let v = key[level.slot()];
        let name = match level {
            Level::Year => String::new(),
            Level::Bureau => table
                .bureaus
                .get(v as usize)
                .map(|b| b.name.clone())
                .unwrap_or_default(),
            _ => table.name(v).unwrap_or_default().to_string(),
        };
        (v == NONE, name, v)
    };
    let mut order: Vec<u32> = (0..keys.len() as u32).collect();
    let sort_keys: Vec<Vec<(bool, String, u32)>> = keys
        .iter()
        .map(|k| levels.iter().map(|&l| value(k, l)).collect())
        .collect();
    order.sort_by(|&a, &b| sort_keys[a as usize].cmp(&sort_keys[b as usize]));
    let mut rank = vec![0u32; keys.len()];
    for (i, &g) in order.iter().enumerate() {
        rank[g as usize] = i as u32;
    }
    let of_report = of_report
        .into_iter()
        .map(|g| g.map(|g| rank[g as usize]))
        .collect();
    let keys = order.iter().map(|&g| keys[g as usize]).collect();
    (of_report, keys)
}

/// Distinct bureaus per group among the reports `keep` accepts.
fn bureaus_per_group(
    table: &ReportTable,
    group_of: &[Option<u32>],
    groups: usize,
    keep: impl Fn(usize) -> bool,
) -> Vec<Vec<u32>> {
    let mut pairs: Vec<(u32, u32)> = (0..table.len())
        .filter(|&r| keep(r) && table.bureau_of[r] != NONE)
        .filter_map(|r| group_of[r].map(|g| (g, table.bureau_of[r])))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut out = vec![Vec::new(); groups];
    for (g, b) in pairs {
        out[g as usize].push(b);
    }
    out
}

/// `fazhi trend`: for each query, one row per group of `levels` over the
/// reports passing `filters`.
pub fn trend(
    searcher: &Searcher,
    f: &Fields,
    queries: &[(String, Query)],
    filters: &Filters,
    levels: &[Level],
) -> anyhow::Result<TrendTable> {
    let table = ReportTable::scan(searcher, f, filters)?;
    let (group_of, keys) = groups(&table, levels);
    let mut reports = vec![0usize; keys.len()];
    for g in group_of.iter().flatten() {
        reports[*g as usize] += 1;
    }
    let without_year = group_of.iter().filter(|g| g.is_none()).count();
    let bureaus = bureaus_per_group(&table, &group_of, keys.len(), |_| true);
    let group_names: Vec<Vec<Option<String>>> = keys
        .iter()
        .map(|key| {
            levels
                .iter()
                .map(|&l| {
                    let v = key[l.slot()];
                    match l {
                        Level::Year => Some(v.to_string()),
                        Level::Bureau => table.bureaus.get(v as usize).map(|b| b.name.clone()),
                        _ => table.name(v).map(str::to_string),
                    }
                })
                .collect()
        })
        .collect();
    let by_year = levels.contains(&Level::Year);
    let mut rows = Vec::with_capacity(keys.len() * queries.len());
    for (text, query) in queries {
        let m = matches(searcher, f, &table, query, filters)?;
        let mut matching = vec![0usize; keys.len()];
        for (r, g) in group_of.iter().enumerate() {
            if let Some(g) = g
                && m.report[r]
            {
                matching[*g as usize] += 1;
            }
        }
        let bureaus_matching = bureaus_per_group(&table, &group_of, keys.len(), |r| m.report[r]);
        for (g, key) in keys.iter().enumerate() {
            let year = by_year.then(|| key[Level::Year.slot()] as u16);
            rows.push(TrendRow {
                query: text.clone(),
                group: group_names[g].clone(),
                year,
                reports: reports[g],
                reports_matching: matching[g],
                share: share(matching[g], reports[g]),
                bureaus: bureaus[g].len(),
                bureaus_matching: bureaus_matching[g].len(),
                new_bureaus: year.map(|y| {
                    bureaus_matching[g]
                        .iter()
                        .filter(|&&b| m.first_year[b as usize] == y)
                        .count()
                }),
            });
        }
    }
    Ok(TrendTable {
        levels: levels.to_vec(),
        queries: queries.iter().map(|(t, _)| t.clone()).collect(),
        rows,
        without_year,
    })
}

/// `n / of`, 0 for an empty group.
pub fn share(n: usize, of: usize) -> f64 {
    if of == 0 { 0.0 } else { n as f64 / of as f64 }
}

/// One row of `fazhi adoption`: a bureau and when it took the practice up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdoptionRow {
    pub bureau: String,
    pub province: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    /// Year of its first report mentioning the query (`None`: none does).
    pub first_year: Option<u16>,
    /// Years it has a report for, ascending.
    pub years_reported: Vec<u16>,
    /// Years it has a report mentioning the query for, ascending.
    pub years_mentioning: Vec<u16>,
    /// Its identity (place code / department), stable across spellings.
    pub bureau_key: Option<String>,
}

/// One row of `fazhi adoption --panel`: a bureau in a year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PanelRow {
    pub bureau: String,
    pub province: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    pub year: u16,
    /// It has a report for this year.
    pub reported: bool,
    /// Occurrences of the query's strings in its sections matching the
    /// query in this year's reports.
    pub mentions: u64,
    /// It mentioned the query this year or before (`year >= first_year`).
    pub adopted: bool,
    pub bureau_key: Option<String>,
}

/// What `fazhi adoption` answers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Adoption {
    /// One row per bureau: adopters by first year, then the others; ties
    /// by province, city, county and name.
    pub rows: Vec<AdoptionRow>,
    /// With `panel`: every bureau × every year from the first to the last
    /// year of the reports, bureaus by province, city, county and name.
    pub panel: Vec<PanelRow>,
    /// Reports naming no bureau (in no row).
    pub unattributed: usize,
}

/// `fazhi adoption`: for each bureau with a report passing `filters`, when
/// it first mentions `query`; with `panel`, the bureau × year table too.
pub fn adoption(
    searcher: &Searcher,
    f: &Fields,
    query: &Query,
    filters: &Filters,
    panel: bool,
) -> anyhow::Result<Adoption> {
    let table = ReportTable::scan(searcher, f, filters)?;
    let m = matches(searcher, f, &table, query, filters)?;
    let n = table.bureaus.len();
    let mut reported: Vec<Vec<u16>> = vec![Vec::new(); n];
    let mut mentioning: Vec<Vec<u16>> = vec![Vec::new(); n];
    let mut unattributed = 0;
    for r in 0..table.len() {
        let (b, y) = (table.bureau_of[r], table.years[r]);
        if b == NONE {
            unattributed += 1;
            continue;
        }
        if y > 0 {
            reported[b as usize].push(y);
            if m.report[r] {
                mentioning[b as usize].push(y);
            }
        }
    }
    for years in reported.iter_mut().chain(mentioning.iter_mut()) {
        years.sort_unstable();
        years.dedup();
    }
    let name = |id: u32| table.name(id).map(str::to_string);
    let row = |b: usize| {
        let bureau = &table.bureaus[b];
        AdoptionRow {
            bureau: bureau.name.clone(),
            province: name(bureau.place[0]),
            city: name(bureau.place[1]),
            county: name(bureau.place[2]),
            first_year: (m.first_year[b] > 0).then_some(m.first_year[b]),
            years_reported: reported[b].clone(),
            years_mentioning: mentioning[b].clone(),
            bureau_key: bureau.key.clone(),
        }
    };
    // Bureaus by place and name (the panel's order).
    let mut rows: Vec<(usize, AdoptionRow)> = (0..n).map(|b| (b, row(b))).collect();
    rows.sort_by(|(_, a), (_, b)| {
        (&a.province, &a.city, &a.county, &a.bureau, &a.bureau_key).cmp(&(
            &b.province,
            &b.city,
            &b.county,
            &b.bureau,
            &b.bureau_key,
        ))
    });
    let panel = if panel {
        panel_rows(searcher, f, &table, &m, query, &rows)?
    } else {
        Vec::new()
    };
    // Adopters first, by first year (a stable sort keeps the place order).
    rows.sort_by_key(|(_, r)| (r.first_year.is_none(), r.first_year));
    Ok(Adoption {
        rows: rows.into_iter().map(|(_, r)| r).collect(),
        panel,
        unattributed,
    })
}

/// The bureau × year rows of `rows` (in their order).
fn panel_rows(
    searcher: &Searcher,
    f: &Fields,
    table: &ReportTable,
    m: &Matches,
    query: &Query,
    rows: &[(usize, AdoptionRow)],
) -> anyhow::Result<Vec<PanelRow>> {
    let years = table.years.iter().filter(|&&y| y > 0);
    let (Some(&first), Some(&last)) = (years.clone().min(), years.max()) else {
        return Ok(Vec::new());
    };
    // Occurrences per (bureau, year), from the matching sections' positions.
    let needles: Vec<&str> = query
        .positive_atoms()
        .map(|a| a.normalized.as_str())
        .collect();
    let counts = mention_counts(searcher, f, &needles, &m.docs)?;
    let span = usize::from(last - first) + 1;
    let mut mentions = vec![0u64; table.bureaus.len() * span];
    for (d, &r) in m.doc_reports.iter().enumerate() {
        if r == NONE {
            continue;
        }
        let (b, y) = (table.bureau_of[r as usize], table.years[r as usize]);
        if b == NONE || y == 0 {
            continue;
        }
        let c: u64 = counts[d * needles.len()..(d + 1) * needles.len()]
            .iter()
            .map(|&c| u64::from(c))
            .sum();
        mentions[b as usize * span + usize::from(y - first)] += c;
    }
    let mut out = Vec::with_capacity(rows.len() * span);
    for &(b, ref row) in rows {
        for year in first..=last {
            out.push(PanelRow {
                bureau: row.bureau.clone(),
                province: row.province.clone(),
                city: row.city.clone(),
                county: row.county.clone(),
                year,
                reported: row.years_reported.binary_search(&year).is_ok(),
                mentions: mentions[b * span + usize::from(year - first)],
                adopted: row.first_year.is_some_and(|y| y <= year),
                bureau_key: row.bureau_key.clone(),
            });
        }
    }
    Ok(out)
}
