//! `fazhi trend QUERY… [--by year,province]`: the share of reports
//! mentioning each query per year and/or place (see [`crate::trends`]), as
//! a table with bars, JSON, CSV, or an SVG/HTML chart.

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::{FilterArgs, Global, Outcome};
use crate::engine::{TrendRequest, parse_query};
use crate::export::{AtomicFile, needs_formula_guard};
use crate::output::{paint, style, use_color};
use crate::trends::chart::{self, MAX_BARS, MAX_SERIES};
use crate::trends::kwic::display_width;
use crate::trends::{Level, TrendRow, TrendTable};

#[derive(Debug, Args)]
pub struct TrendArgs {
    /// One or more queries, one series each; quote a query of several
    /// terms ("府院联动 OR 府院协调").
    #[arg(required = true, num_args = 1..)]
    pub queries: Vec<String>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Group by year, province, city, county or bureau, or several joined
    /// by commas (year,province).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "year")]
    pub by: Vec<Level>,
    /// Output format (default: from the -o file's extension, else table).
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<TrendFormat>,
    /// Write to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Overwrite the -o file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Formats of `fazhi trend`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TrendFormat {
    /// Rows with a bar each.
    Table,
    Json,
    Csv,
    /// A chart (lines by year, bars otherwise).
    Svg,
    /// A page with the chart and the table.
    Html,
}

impl TrendFormat {
    fn from_extension(path: &std::path::Path) -> Option<TrendFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "json" => Some(TrendFormat::Json),
            "csv" => Some(TrendFormat::Csv),
            "svg" => Some(TrendFormat::Svg),
            "html" | "htm" => Some(TrendFormat::Html),
            _ => None,
        }
    }
}

pub fn run(args: TrendArgs, global: &Global) -> anyhow::Result<Outcome> {
    let mut by = Vec::new();
    for level in &args.by {
        if !by.contains(level) {
            by.push(*level);
        }
    }
    let queries = args
        .queries
        .iter()
        .map(|q| Ok((q.clone(), parse_query(q)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let format = args
        .format
        .or_else(|| args.output.as_deref().and_then(TrendFormat::from_extension))
        .unwrap_or(TrendFormat::Table);
    let req = TrendRequest {
        queries,
        filters: args.filters.to_filters()?,
        by,
    };
    let table = global.engine()?.trend(&req)?;
    if table.without_year > 0 {
        eprintln!(
            "fazhi: {} report{} without a year left out",
            table.without_year,
            if table.without_year == 1 { "" } else { "s" }
        );
    }
    let mut buf = Vec::new();
    match format {
        TrendFormat::Table => write_table(&mut buf, &table, use_color() && args.output.is_none())?,
        TrendFormat::Json => {
            let rows: Vec<JsonRow> = table.rows.iter().map(|r| json_row(&table, r)).collect();
            serde_json::to_writer_pretty(&mut buf, &rows)?;
            buf.push(b'\n');
        }
        TrendFormat::Csv => write_csv(&mut buf, &table)?,
        TrendFormat::Svg | TrendFormat::Html => {
            let (text, left_out) = if format == TrendFormat::Svg {
                let c = chart::svg(&table);
                (c.svg, c.left_out)
            } else {
                chart::html(&table)
            };
            if left_out > 0 {
                let (what, max) = if table.levels.contains(&Level::Year) {
                    ("series with the most matching reports", MAX_SERIES)
                } else {
                    ("groups with the highest shares", MAX_BARS)
                };
                eprintln!("fazhi: the chart shows the {max} {what}; {left_out} more are in -f csv");
            }
            buf.extend_from_slice(text.as_bytes());
        }
    }
    match &args.output {
        Some(path) => {
            let mut file = AtomicFile::create(path, args.force)?;
            file.file().write_all(&buf)?;
            file.commit()?;
            eprintln!("fazhi: wrote {}", path.display());
        }
        None => {
            let mut out = io::stdout().lock();
            out.write_all(&buf)?;
            out.flush()?;
        }
    }
    let matching: usize = table.rows.iter().map(|r| r.reports_matching).sum();
    Ok(Outcome::found(matching))
}

/// A row as JSON: the query, each grouped level, the counts.
#[derive(Serialize)]
struct JsonRow<'a> {
    query: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    year: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    province: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    city: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    county: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bureau: Option<Option<&'a str>>,
    reports: usize,
    reports_matching: usize,
    share: f64,
    bureaus: usize,
    bureaus_matching: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    new_bureaus: Option<usize>,
}

fn json_row<'a>(table: &TrendTable, r: &'a TrendRow) -> JsonRow<'a> {
    let level = |l: Level| {
        let i = table.levels.iter().position(|&x| x == l)?;
        Some(r.group[i].as_deref())
    };
    JsonRow {
        query: &r.query,
        year: r.year,
        province: level(Level::Province),
        city: level(Level::City),
        county: level(Level::County),
        bureau: level(Level::Bureau),
        reports: r.reports,
        reports_matching: r.reports_matching,
        share: r.share,
        bureaus: r.bureaus,
        bureaus_matching: r.bureaus_matching,
        new_bureaus: r.new_bureaus,
    }
}

/// A text cell a spreadsheet will not run as a formula.
fn guarded(s: &str) -> Cow<'_, str> {
    if needs_formula_guard(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

fn write_csv(out: &mut Vec<u8>, table: &TrendTable) -> anyhow::Result<()> {
    let by_year = table.levels.contains(&Level::Year);
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["query"];
    header.extend(table.levels.iter().map(|l| l.name()));
    header.extend([
        "reports",
        "reports_matching",
        "share",
        "bureaus",
        "bureaus_matching",
    ]);
    if by_year {
        header.push("new_bureaus");
    }
    w.write_record(&header)?;
    for r in &table.rows {
        let mut record: Vec<String> = vec![guarded(&r.query).into_owned()];
        record.extend(
            r.group
                .iter()
                .map(|v| guarded(v.as_deref().unwrap_or("")).into_owned()),
        );
        record.extend([
            r.reports.to_string(),
            r.reports_matching.to_string(),
            format!("{:.4}", r.share),
            r.bureaus.to_string(),
            r.bureaus_matching.to_string(),
        ]);
        if let Some(n) = r.new_bureaus {
            record.push(n.to_string());
        }
        w.write_record(&record)?;
    }
    w.flush()?;
    Ok(())
}

/// Columns of the bar in the table.
const BAR: usize = 24;

/// A bar of `share` (of the whole width), in eighths of a column.
fn bar(share: f64) -> String {
    const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let eighths = (share.clamp(0.0, 1.0) * (BAR * 8) as f64).round() as usize;
    let mut s = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        s.push(PARTS[eighths % 8]);
    }
    let fill = BAR - s.chars().count();
    s.extend(std::iter::repeat_n(' ', fill));
    s
}

fn pad(s: &str, width: usize) -> String {
    format!("{s}{}", " ".repeat(width.saturating_sub(display_width(s))))
}

/// One block per query: a header, then a line per group with its bar.
fn write_table(out: &mut impl Write, table: &TrendTable, color: bool) -> io::Result<()> {
    let labels: Vec<String> = table
        .rows
        .iter()
        .map(|r| {
            r.group
                .iter()
                .map(|v| v.as_deref().unwrap_or("(未知)"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let by: Vec<&str> = table.levels.iter().map(|l| l.name()).collect();
    let head = by.join(" ");
    let w0 = labels
        .iter()
        .map(|l| display_width(l))
        .chain([display_width(&head)])
        .max()
        .unwrap_or(0);
    let by_year = table.levels.contains(&Level::Year);
    let mut last_query: Option<&str> = None;
    for (r, label) in table.rows.iter().zip(&labels) {
        if last_query != Some(r.query.as_str()) {
            if last_query.is_some() {
                writeln!(out)?;
            }
            last_query = Some(&r.query);
            writeln!(out, "{}", paint(&r.query, style::BOLD, color))?;
            let new = if by_year { "  new" } else { "" };
            writeln!(
                out,
                "{}",
                paint(
                    &format!(
                        "{}  {:>7} {:>7} {:>6}  {}  {:>7} {:>7}{new}",
                        pad(&head, w0),
                        "reports",
                        "match",
                        "share",
                        " ".repeat(BAR),
                        "bureaus",
                        "match"
                    ),
                    style::DIM,
                    color
                )
            )?;
        }
        let new = r.new_bureaus.map_or(String::new(), |n| format!("  {n:>3}"));
        writeln!(
            out,
            "{}  {:>7} {:>7} {:>5.1}%  {}  {:>7} {:>7}{new}",
            pad(label, w0),
            r.reports,
            r.reports_matching,
            r.share * 100.0,
            paint(&bar(r.share), style::MATCH, color),
            r.bureaus,
            r.bureaus_matching
        )?;
    }
    out.flush()
}
