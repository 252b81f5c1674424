//! The bureaus × topics matrix (`fazhi matrix`, the web UI's heatmap):
//! for each bureau, how many of its sections discuss each topic
//! substantively (its score reaches the one topic threshold, `--min-score`), and what share of its sections
//! that is. Counted from fast fields by [`Engine::scan_sections`]; the
//! command and the server print what this computes.

use serde::Serialize;

use super::Engine;
use crate::query::Filters;
use crate::topics::Taxonomy;

/// One bureau × topic cell.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Cell {
    pub topic: String,
    /// Sections discussing the topic substantively.
    pub sections: usize,
    /// `sections` / the bureau's sections.
    pub share: f64,
}

/// One bureau's row (also used for the total).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Row {
    pub bureau: String,
    pub reports: usize,
    pub sections: usize,
    pub cells: Vec<Cell>,
}

/// The whole matrix. Field names are the JSON contract.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Matrix {
    pub topics: Vec<String>,
    pub bureaus: Vec<Row>,
    pub total: Row,
}

/// Label of sections whose report has no recognised bureau.
pub const UNKNOWN_BUREAU: &str = "(未知单位)";

pub fn share(n: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        (n as f64 / of as f64 * 10_000.0).round() / 10_000.0
    }
}

impl Engine {
    /// The matrix over the sections passing `filters`, with a column for
    /// each topic named in `topics` (names or aliases, in that order,
    /// each once; all topics when empty). When no section passes, the
    /// topics with no rows and a zero total.
    pub fn matrix(&self, topics: &[String], filters: &Filters) -> anyhow::Result<Counts> {
        let taxonomy = self.scored_taxonomy()?;
        let mut slots: Vec<usize> = Vec::new();
        for name in topics {
            let slot = self.resolve_topic(name)?;
            if !slots.contains(&slot) {
                slots.push(slot);
            }
        }
        if slots.is_empty() {
            slots = (0..taxonomy.names.len()).collect();
        }
        compute(self, taxonomy, &slots, filters)
    }
}

/// Sections, reports and per-topic counts of one row.
#[derive(Debug, Default)]
pub struct Acc {
    pub sections: usize,
    /// Per entry of `slots`.
    pub counts: Vec<usize>,
    pub reports: usize,
}

/// The matrix as counts, before it is spelled out as a [`Matrix`] (the
/// CSV is written from these: at 100,000 reports a `Matrix` is 57,000
/// rows of 14 cells, each naming its topic).
#[derive(Debug)]
pub struct Counts {
    pub topics: Vec<String>,
    /// By bureau name.
    pub rows: Vec<(String, Acc)>,
    pub total: Acc,
}

impl Counts {
    pub fn matrix(&self) -> Matrix {
        let row = |bureau: &str, acc: &Acc| Row {
            bureau: bureau.to_string(),
            reports: acc.reports,
            sections: acc.sections,
            cells: self
                .topics
                .iter()
                .zip(&acc.counts)
                .map(|(topic, &n)| Cell {
                    topic: topic.clone(),
                    sections: n,
                    share: share(n, acc.sections),
                })
                .collect(),
        };
        Matrix {
            topics: self.topics.clone(),
            bureaus: self.rows.iter().map(|(b, acc)| row(b, acc)).collect(),
            total: row("(全部)", &self.total),
        }
    }
}

/// Count the sections discussing each chosen topic (`slots`) per bureau,
/// over the sections passing `filters`; `None` when none does.
fn compute(
    engine: &Engine,
    taxonomy: &Taxonomy,
    slots: &[usize],
    filters: &Filters,
) -> anyhow::Result<Counts> {
    let k = slots.len();
    // Row numbers are bureau numbers; NO_BUREAU until the names are known.
    const NO_BUREAU: u32 = u32::MAX;
    let mut sections: Vec<usize> = Vec::new();
    let mut counts: Vec<usize> = Vec::new();
    let mut unknown = Acc {
        counts: vec![0; k],
        ..Acc::default()
    };
    let mut total = Acc {
        counts: vec![0; k],
        ..Acc::default()
    };
    // (row, report) once per run of a report's sections: sorted and
    // deduplicated after the scan, they give each row's distinct reports.
    let mut pairs: Vec<u64> = Vec::new();
    let mut last: Option<(u32, u32)> = None;
    // A bit per report number: the reports of all rows.
    let mut all_reports: Vec<u64> = Vec::new();
    // The threshold of `topic` and `--topic` (`--min-score`).
    let threshold = engine.topic_threshold(filters)?;
    let scan = engine.scan_sections(filters, |s| {
        let row = s.bureau.unwrap_or(NO_BUREAU);
        let (n, c) = if row == NO_BUREAU {
            (&mut unknown.sections, &mut unknown.counts[..])
        } else {
            let b = row as usize;
            if sections.len() <= b {
                sections.resize(b + 1, 0);
                counts.resize((b + 1) * k, 0);
            }
            (&mut sections[b], &mut counts[b * k..(b + 1) * k])
        };
        *n += 1;
        total.sections += 1;
        for (n, &slot) in c.iter_mut().zip(slots) {
            *n += usize::from(s.scores[slot] > 0.0 && s.scores[slot] >= threshold);
        }
        if last != Some((row, s.report)) {
            last = Some((row, s.report));
            pairs.push(u64::from(row) << 32 | u64::from(s.report));
            let (word, bit) = (s.report as usize / 64, s.report % 64);
            if all_reports.len() <= word {
                all_reports.resize(word + 1, 0);
            }
            all_reports[word] |= 1 << bit;
        }
    })?;
    if total.sections == 0 {
        // No section: the matrix keeps its shape (the topics, no rows).
        return Ok(Counts {
            topics: slots.iter().map(|s| taxonomy.names[*s].clone()).collect(),
            rows: Vec::new(),
            total,
        });
    }
    total.reports = all_reports.iter().map(|w| w.count_ones() as usize).sum();
    // The total's counts: the rows' summed (once, not per section).
    for row in counts.chunks(k.max(1)).chain([&unknown.counts[..]]) {
        for (n, c) in total.counts.iter_mut().zip(row) {
            *n += c;
        }
    }
    // The sections without a bureau join a bureau literally named
    // UNKNOWN_BUREAU, if there is one (names are distinct and sorted).
    let unknown_row = scan
        .bureaus
        .binary_search_by(|b| b.as_str().cmp(UNKNOWN_BUREAU))
        .map_or(scan.bureaus.len(), |b| b);
    let mut rows: Vec<Acc> = (0..scan.bureaus.len().max(unknown_row + 1))
        .map(|b| Acc {
            sections: sections.get(b).copied().unwrap_or(0),
            counts: counts
                .get(b * k..(b + 1) * k)
                .map_or(vec![0; k], <[usize]>::to_vec),
            reports: 0,
        })
        .collect();
    let merged = &mut rows[unknown_row];
    merged.sections += unknown.sections;
    for (n, c) in merged.counts.iter_mut().zip(&unknown.counts) {
        *n += c;
    }
    for p in pairs.iter_mut() {
        if (*p >> 32) as u32 == NO_BUREAU {
            *p = (unknown_row as u64) << 32 | (*p & u64::from(u32::MAX));
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    for p in &pairs {
        rows[(p >> 32) as usize].reports += 1;
    }
    // Rows by name.
    let names = scan
        .bureaus
        .into_iter()
        .chain(std::iter::repeat_with(|| UNKNOWN_BUREAU.to_string()));
    let mut named: Vec<(String, Acc)> = names
        .zip(rows)
        .filter(|(_, acc)| acc.sections > 0)
        .collect();
    named.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(Counts {
        topics: slots.iter().map(|s| taxonomy.names[*s].clone()).collect(),
        rows: named,
        total,
    })
}
