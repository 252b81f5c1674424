//! `fazhi stats`: corpus totals and index size.

use std::collections::BTreeMap;
use std::io::Write;

use clap::Args;
use serde::Serialize;

use super::{Global, Outcome};
use crate::index::scan;
use crate::output::{Delimited, display_width, pad, printable, write_delimited};

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Output format (`jsonl` and `csv` with --unknown).
    #[arg(long, short = 'f', default_value = "table", value_parser = ["table", "json", "jsonl", "csv"])]
    pub format: String,
    /// List the reports whose bureau, year or region is unknown (to fill in
    /// with a metadata file, see docs/metadata.md).
    #[arg(long)]
    pub unknown: bool,
    /// Also print the index size per component and field (for tuning).
    #[arg(long)]
    pub space: bool,
}

/// Bytes per (component, field) over all segments, largest first.
fn space_usage(searcher: &tantivy::Searcher) -> anyhow::Result<Vec<(String, u64)>> {
    let usage = searcher.space_usage()?;
    let mut totals: BTreeMap<String, u64> = BTreeMap::new();
    for seg in usage.segments() {
        let parts = [
            ("terms", seg.termdict()),
            ("postings", seg.postings()),
            ("positions", seg.positions()),
            ("fast", seg.fast_fields()),
            ("norms", seg.fieldnorms()),
        ];
        for (component, per_field) in parts {
            for field in per_field.fields() {
                let name = field.field_name();
                *totals.entry(format!("{component} {name}")).or_default() +=
                    field.total().get_bytes();
            }
        }
        *totals.entry("store".to_string()).or_default() += seg.store().total().get_bytes();
    }
    let mut rows: Vec<(String, u64)> = totals.into_iter().filter(|(_, b)| *b > 0).collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(rows)
}

#[derive(Debug, Serialize)]
struct Stats {
    reports: usize,
    sections: u64,
    bureaus: usize,
    provinces: usize,
    /// Reports per report year ("unknown" for reports without one).
    years: BTreeMap<String, usize>,
    /// Reports per province ("unknown" when unresolved).
    by_province: BTreeMap<String, usize>,
    index_bytes: u64,
    index_dir: String,
}

fn dir_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// A report with a field fazhi could not find.
#[derive(Debug, Default, Serialize)]
struct Unknown<'a> {
    path: &'a str,
    doc_id: &'a str,
    bureau: Option<&'a str>,
    report_year: Option<u64>,
    province: Option<&'a str>,
    /// The unknown fields: `bureau`, `report_year`, `region`; `;`-joined in CSV.
    missing: String,
}

/// `stats --unknown`: one row per report missing a bureau, year or region.
fn write_unknown(
    out: &mut impl Write,
    reports: &BTreeMap<String, scan::ReportFacts>,
    format: &str,
) -> anyhow::Result<Outcome> {
    let mut rows: Vec<Unknown> = reports
        .values()
        .filter_map(|r| {
            let missing: Vec<&str> = [
                ("bureau", r.bureau.is_none()),
                ("report_year", r.report_year.is_none()),
                ("region", r.province.is_none()),
            ]
            .into_iter()
            .filter_map(|(name, gone)| gone.then_some(name))
            .collect();
            (!missing.is_empty()).then(|| Unknown {
                path: &r.path,
                doc_id: &r.doc_id,
                bureau: r.bureau.as_deref(),
                report_year: r.report_year,
                province: r.province.as_deref(),
                missing: missing.join(";"),
            })
        })
        .collect();
    rows.sort_by(|a, b| a.path.cmp(b.path));
    match format {
        "json" => writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?,
        "jsonl" => {
            for r in &rows {
                writeln!(out, "{}", serde_json::to_string(r)?)?;
            }
        }
        "csv" => write_delimited(&mut *out, rows, Delimited::Csv)?,
        _ => {
            for r in &rows {
                writeln!(
                    out,
                    "{}  缺少: {}",
                    printable(r.path),
                    r.missing.replace(';', ", ")
                )?;
            }
            eprintln!(
                "fazhi: {} of {} reports lack a bureau, year or region; fill them in with metadata.csv (docs/metadata.md)",
                rows.len(),
                reports.len()
            );
        }
    }
    Ok(Outcome::Done)
}

pub fn run(args: StatsArgs, global: &Global) -> anyhow::Result<Outcome> {
    // Writes, not println!: a closed pipe (`| head`) is an error to end on quietly, not a panic.
    let mut out = std::io::stdout().lock();
    let engine = global.engine()?;
    let handle = engine.handle();
    let searcher = handle.reader.searcher();
    let reports = scan::reports(&searcher)?;
    if args.unknown {
        return write_unknown(&mut out, &reports, &args.format);
    }
    if matches!(args.format.as_str(), "jsonl" | "csv") {
        anyhow::bail!(
            "stats: -f {} is for --unknown lists; use -f json",
            args.format
        );
    }
    let mut years = BTreeMap::new();
    let mut by_province = BTreeMap::new();
    let mut bureaus = std::collections::BTreeSet::new();
    for r in reports.values() {
        let y = r
            .report_year
            .map(|y| y.to_string())
            .unwrap_or_else(|| UNKNOWN.into());
        *years.entry(y).or_insert(0) += 1;
        *by_province
            .entry(r.province.clone().unwrap_or_else(|| UNKNOWN.into()))
            .or_insert(0) += 1;
        if let Some(b) = &r.bureau {
            bureaus.insert(b.clone());
        }
    }
    let stats = Stats {
        reports: reports.len(),
        sections: searcher.num_docs(),
        bureaus: bureaus.len(),
        provinces: by_province.keys().filter(|p| *p != UNKNOWN).count(),
        years,
        by_province,
        index_bytes: dir_size(&handle.dir),
        index_dir: handle.dir.display().to_string(),
    };
    if args.format == "json" {
        writeln!(out, "{}", serde_json::to_string_pretty(&stats)?)?;
        return Ok(Outcome::Done);
    }
    write_table(&mut out, &stats)?;
    if args.space {
        for (part, bytes) in space_usage(&searcher)? {
            writeln!(out, "  {:>10.3} MB  {part}", bytes as f64 / 1e6)?;
        }
    }
    Ok(Outcome::Done)
}

/// The table for people: Chinese labels (as in `matrix` and `search`),
/// padded by display width so the values line up.
fn write_table(out: &mut impl Write, stats: &Stats) -> std::io::Result<()> {
    let shown = |key: &str, unknown: &'static str| -> String {
        if key == UNKNOWN {
            unknown.to_string()
        } else {
            printable(key).into_owned()
        }
    };
    let years: Vec<String> = stats
        .years
        .iter()
        .map(|(y, n)| format!("{} {n}", shown(y, "(未知年度)")))
        .collect();
    let provinces: Vec<String> = stats
        .by_province
        .iter()
        .map(|(p, n)| format!("{} {n}", shown(p, "(未知地区)")))
        .collect();
    let rows = [
        ("报告", stats.reports.to_string()),
        ("段落", stats.sections.to_string()),
        ("单位", stats.bureaus.to_string()),
        ("省份", stats.provinces.to_string()),
        ("各年度报告", years.join(", ")),
        ("各省报告", provinces.join(", ")),
        (
            "索引",
            format!(
                "{} ({:.2} MB)",
                printable(&stats.index_dir),
                stats.index_bytes as f64 / 1e6
            ),
        ),
    ];
    let width = rows
        .iter()
        .map(|(k, _)| display_width(k))
        .max()
        .unwrap_or(0);
    for (label, value) in rows {
        writeln!(out, "{}  {value}", pad(label, width, false))?;
    }
    Ok(())
}

/// The key of reports without a year or province in the JSON maps.
const UNKNOWN: &str = "unknown";
