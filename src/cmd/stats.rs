//! `fazhi stats`: corpus totals and index size.

use std::collections::BTreeMap;
use std::io::Write;

use clap::Args;
use serde::Serialize;

use super::{Global, Outcome};
use crate::engine::CorpusStats;
use crate::index::scan;
use crate::output::{Delimited, display_width, pad, printable, write_delimited};
use crate::query::AdminLevel;

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
    let engine = global.engine()?.with_dedup(args.dedup);
    let handle = engine.handle();
    let searcher = handle.reader.searcher();
    if args.unknown {
        let mut reports = scan::reports(&searcher)?;
        let skipped = engine.skipped_reports();
        reports.retain(|id, _| !skipped.contains(id));
        for r in reports.values_mut() {
            r.path = handle.fields.paths.show(&r.path).into_owned();
        }
        return write_unknown(&mut out, &reports, &args.format);
    }
    if matches!(args.format.as_str(), "jsonl" | "csv") {
        anyhow::bail!(
            "stats: -f {} is for --unknown lists; use -f json",
            args.format
        );
    }
    let stats = engine.stats()?;
    if args.format == "json" {
        writeln!(out, "{}", serde_json::to_string_pretty(&stats)?)?;
        return Ok(Outcome::Done);
    }
    write_table(&mut out, &stats, args.dedup)?;
    if args.space {
        for (part, bytes) in space_usage(&searcher)? {
            writeln!(out, "  {:>10.3} MB  {part}", bytes as f64 / 1e6)?;
        }
    }
    Ok(Outcome::Done)
}

/// The table for people: Chinese labels (as in `matrix` and `search`),
/// padded by display width so the values line up.
fn write_table(out: &mut impl Write, stats: &CorpusStats, dedup: bool) -> std::io::Result<()> {
    let shown = |key: &str, unknown: &'static str| -> String {
        if key == UNKNOWN {
            unknown.to_string()
        } else {
            printable(key).into_owned()
        }
    };
    let listed = |counts: &mut dyn Iterator<Item = (String, usize)>| -> String {
        counts
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let years = listed(&mut (stats.years.iter()).map(|(y, n)| (shown(y, "(未知年度)"), *n)));
    let provinces =
        listed(&mut (stats.by_province.iter()).map(|(p, n)| (shown(p, "(未知地区)"), *n)));
    // Levels from national down; departments most reports first.
    let levels = listed(
        &mut AdminLevel::ALL
            .iter()
            .filter_map(|l| {
                let n = stats.by_level.get(l.as_str())?;
                Some((level_label(*l).to_string(), *n))
            })
            .chain(
                stats
                    .by_level
                    .get(UNKNOWN)
                    .map(|n| ("(未知层级)".to_string(), *n)),
            ),
    );
    let mut depts: Vec<(&String, &usize)> = stats.by_dept.iter().collect();
    depts.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    const SHOWN_DEPTS: usize = 12;
    let mut departments = listed(
        &mut depts
            .iter()
            .take(SHOWN_DEPTS)
            .map(|(d, n)| (shown(d, "(未知部门)"), **n)),
    );
    if depts.len() > SHOWN_DEPTS {
        departments.push_str(&format!(
            " … 另有 {} 类 (-f json)",
            depts.len() - SHOWN_DEPTS
        ));
    }
    let copies = match &stats.copies {
        Some(c) => format!(
            "{} 份完全相同 (只计一次), {} 份近似转载 ({})",
            c.exact_copies,
            c.reposts,
            if dedup {
                "只计一次"
            } else {
                "分别计数; --dedup 只计一次"
            }
        ),
        None => "未知; 请运行 fazhi index".to_string(),
    };
    let rows = [
        ("报告", stats.reports.to_string()),
        ("段落", stats.sections.to_string()),
        ("单位", stats.bureaus.to_string()),
        ("省份", stats.provinces.to_string()),
        ("各年度报告", years),
        ("各省报告", provinces),
        ("各层级报告", levels),
        ("各部门报告", departments),
        ("副本", copies),
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

/// A level as the table shows it.
fn level_label(level: AdminLevel) -> &'static str {
    match level {
        AdminLevel::National => "国家",
        AdminLevel::Province => "省",
        AdminLevel::City => "市",
        AdminLevel::County => "县",
        AdminLevel::Township => "乡镇",
    }
}

/// The key of reports without a year or province in the JSON maps.
const UNKNOWN: &str = "unknown";
