//! `fazhi stats`: corpus totals and index size.

use std::collections::BTreeMap;
use std::io::Write;

use clap::Args;
use serde::Serialize;

use super::{Global, Outcome};
use crate::index::scan;

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
    /// Count near-identical reposts of a report once (exact copies always are).
    #[arg(long)]
    pub dedup: bool,
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
    /// Reports that are exact copies of another (not counted above), and
    /// near-identical reposts (not counted with --dedup); `None` when the
    /// reuse data is missing or older than the index.
    copies: Option<CopyCounts>,
}

#[derive(Debug, Serialize)]
struct CopyCounts {
    exact_copies: usize,
    reposts: usize,
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
#[derive(Debug, Serialize)]
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
        "csv" => {
            let mut w = csv::Writer::from_writer(Vec::new());
            if rows.is_empty() {
                w.write_record([
                    "path",
                    "doc_id",
                    "bureau",
                    "report_year",
                    "province",
                    "missing",
                ])?;
            }
            for r in &rows {
                w.serialize(r)?;
            }
            out.write_all(&w.into_inner()?)?;
        }
        _ => {
            for r in &rows {
                writeln!(out, "{}  missing: {}", r.path, r.missing.replace(';', ", "))?;
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
    let mut reports = scan::reports(&searcher)?;
    let copies = crate::reuse::Copies::load(handle);
    // A report saved twice is one report (README "Text reuse").
    let skipped = copies.skipped(args.dedup);
    reports.retain(|id, _| !skipped.contains(id));
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
            .unwrap_or_else(|| "unknown".into());
        *years.entry(y).or_insert(0) += 1;
        *by_province
            .entry(r.province.clone().unwrap_or_else(|| "unknown".into()))
            .or_insert(0) += 1;
        if let Some(b) = &r.bureau {
            bureaus.insert(b.clone());
        }
    }
    let stats = Stats {
        reports: reports.len(),
        sections: reports.values().map(|r| r.sections as u64).sum(),
        bureaus: bureaus.len(),
        provinces: by_province.keys().filter(|p| *p != "unknown").count(),
        years,
        by_province,
        index_bytes: dir_size(&handle.dir),
        index_dir: handle.dir.display().to_string(),
        copies: copies.current.then_some(CopyCounts {
            exact_copies: copies.exact.len(),
            reposts: copies.reposts.len(),
        }),
    };
    if args.format == "json" {
        writeln!(out, "{}", serde_json::to_string_pretty(&stats)?)?;
        return Ok(Outcome::Done);
    }
    writeln!(out, "reports   {}", stats.reports)?;
    writeln!(out, "sections  {}", stats.sections)?;
    writeln!(out, "bureaus   {}", stats.bureaus)?;
    writeln!(out, "provinces {}", stats.provinces)?;
    let years: Vec<String> = stats
        .years
        .iter()
        .map(|(y, n)| format!("{y}: {n}"))
        .collect();
    writeln!(out, "years     {}", years.join(", "))?;
    let provs: Vec<String> = stats
        .by_province
        .iter()
        .map(|(p, n)| format!("{p} {n}"))
        .collect();
    writeln!(out, "by province  {}", provs.join(", "))?;
    match &stats.copies {
        Some(c) => writeln!(
            out,
            "copies    {} exact (counted once), {} near-identical reposts ({})",
            c.exact_copies,
            c.reposts,
            if args.dedup {
                "counted once"
            } else {
                "counted; --dedup counts them once"
            }
        )?,
        None => writeln!(out, "copies    unknown; run `fazhi index`")?,
    }
    writeln!(
        out,
        "index     {} ({:.2} MB)",
        stats.index_dir,
        stats.index_bytes as f64 / 1e6
    )?;
    if args.space {
        for (part, bytes) in space_usage(&searcher)? {
            writeln!(out, "  {:>10.3} MB  {part}", bytes as f64 / 1e6)?;
        }
    }
    Ok(Outcome::Done)
}
