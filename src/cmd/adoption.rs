//! `fazhi adoption QUERY [--panel]`: when each bureau first mentions a
//! practice (one row per bureau), or the long bureau × year panel for
//! event-history models (see [`crate::trends`]).

use std::borrow::Cow;
use std::io::{self, Write};

use clap::{Args, ValueEnum};

use super::{FilterArgs, Global, Outcome};
use crate::engine::{AdoptionRequest, parse_query};
use crate::export::needs_formula_guard;
use crate::output::{paint, style, use_color, write_json};
use crate::trends::kwic::display_width;
use crate::trends::{AdoptionRow, PanelRow};

#[derive(Debug, Args)]
pub struct AdoptionArgs {
    /// Query: terms (AND), `A OR B`, `-A` to exclude, "exact phrase".
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// The long bureau × year table (bureau, province, city, county, year,
    /// reported, mentions, adopted, bureau_key) instead.
    #[arg(long)]
    pub panel: bool,
    #[arg(long, short = 'f', value_enum, default_value_t = AdoptionFormat::Table)]
    pub format: AdoptionFormat,
}

/// Formats of `fazhi adoption`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AdoptionFormat {
    Table,
    Json,
    Jsonl,
    /// CSV; in the panel, `reported` and `adopted` are 1 or 0.
    Csv,
}

pub fn run(args: AdoptionArgs, global: &Global) -> anyhow::Result<Outcome> {
    let req = AdoptionRequest {
        query: parse_query(&args.query.join(" "))?,
        filters: args.filters.to_filters()?,
        panel: args.panel,
    };
    let adoption = global.engine()?.adoption(&req)?;
    if adoption.unattributed > 0 {
        eprintln!(
            "fazhi: {} report{} naming no bureau left out",
            adoption.unattributed,
            if adoption.unattributed == 1 { "" } else { "s" }
        );
    }
    let mut out = io::BufWriter::new(io::stdout().lock());
    let color = use_color();
    match (args.panel, args.format) {
        (false, AdoptionFormat::Json) => write_json(&mut out, &adoption.rows, false)?,
        (false, AdoptionFormat::Jsonl) => write_json(&mut out, &adoption.rows, true)?,
        (false, AdoptionFormat::Csv) => write_rows_csv(&mut out, &adoption.rows)?,
        (false, AdoptionFormat::Table) => write_rows_table(&mut out, &adoption.rows, color)?,
        (true, AdoptionFormat::Json) => write_json(&mut out, &adoption.panel, false)?,
        (true, AdoptionFormat::Jsonl) => write_json(&mut out, &adoption.panel, true)?,
        (true, AdoptionFormat::Csv) => write_panel_csv(&mut out, &adoption.panel)?,
        (true, AdoptionFormat::Table) => write_panel_table(&mut out, &adoption.panel)?,
    }
    out.flush()?;
    let adopters = adoption
        .rows
        .iter()
        .filter(|r| r.first_year.is_some())
        .count();
    if adopters == 0 && args.format == AdoptionFormat::Table {
        eprintln!("fazhi: no bureau mentions it");
    }
    Ok(Outcome::found(adopters))
}

/// A text cell a spreadsheet will not run as a formula.
fn guarded(s: &str) -> Cow<'_, str> {
    if needs_formula_guard(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

fn text(v: &Option<String>) -> Cow<'_, str> {
    guarded(v.as_deref().unwrap_or(""))
}

fn years(ys: &[u16]) -> String {
    ys.iter().map(u16::to_string).collect::<Vec<_>>().join(";")
}

fn write_rows_csv(out: &mut impl Write, rows: &[AdoptionRow]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "bureau",
        "province",
        "city",
        "county",
        "first_year",
        "years_reported",
        "years_mentioning",
        "bureau_key",
    ])?;
    for r in rows {
        w.write_record([
            guarded(&r.bureau).as_ref(),
            &text(&r.province),
            &text(&r.city),
            &text(&r.county),
            &r.first_year.map_or(String::new(), |y| y.to_string()),
            &years(&r.years_reported),
            &years(&r.years_mentioning),
            &text(&r.bureau_key),
        ])?;
    }
    w.flush()?;
    Ok(())
}

fn write_panel_csv(out: &mut impl Write, rows: &[PanelRow]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "bureau",
        "province",
        "city",
        "county",
        "year",
        "reported",
        "mentions",
        "adopted",
        "bureau_key",
    ])?;
    let mut num = itoa::Buffer::new();
    let mut year = itoa::Buffer::new();
    for r in rows {
        w.write_record([
            guarded(&r.bureau).as_ref(),
            &text(&r.province),
            &text(&r.city),
            &text(&r.county),
            year.format(r.year),
            if r.reported { "1" } else { "0" },
            num.format(r.mentions),
            if r.adopted { "1" } else { "0" },
            &text(&r.bureau_key),
        ])?;
    }
    w.flush()?;
    Ok(())
}

fn place(province: &Option<String>, city: &Option<String>, county: &Option<String>) -> String {
    [province, city, county]
        .into_iter()
        .filter_map(|x| x.as_deref())
        .collect::<Vec<_>>()
        .join(" ")
}

fn pad(s: &str, width: usize) -> String {
    format!("{s}{}", " ".repeat(width.saturating_sub(display_width(s))))
}

/// Aligned columns: first year, bureau, place, years reported (the years
/// mentioning it marked).
fn write_rows_table(out: &mut impl Write, rows: &[AdoptionRow], color: bool) -> io::Result<()> {
    let w_bureau = rows
        .iter()
        .map(|r| display_width(&r.bureau))
        .max()
        .unwrap_or(0)
        .max(6);
    let places: Vec<String> = rows
        .iter()
        .map(|r| place(&r.province, &r.city, &r.county))
        .collect();
    let w_place = places
        .iter()
        .map(|p| display_width(p))
        .max()
        .unwrap_or(0)
        .max(5);
    writeln!(
        out,
        "{}",
        paint(
            &format!(
                "first  {}  {}  years reported (* mentioning)",
                pad("bureau", w_bureau),
                pad("place", w_place)
            ),
            style::DIM,
            color
        )
    )?;
    for (r, p) in rows.iter().zip(&places) {
        let first = r.first_year.map_or("-".to_string(), |y| y.to_string());
        let ys: Vec<String> = r
            .years_reported
            .iter()
            .map(|y| {
                if r.years_mentioning.contains(y) {
                    format!("{y}*")
                } else {
                    y.to_string()
                }
            })
            .collect();
        writeln!(
            out,
            "{first:<5}  {}  {}  {}",
            paint(&pad(&r.bureau, w_bureau), style::BOLD, color),
            pad(p, w_place),
            ys.join(" ")
        )?;
    }
    Ok(())
}

fn write_panel_table(out: &mut impl Write, rows: &[PanelRow]) -> io::Result<()> {
    let w_bureau = rows
        .iter()
        .map(|r| display_width(&r.bureau))
        .max()
        .unwrap_or(0)
        .max(6);
    writeln!(
        out,
        "{}  year  reported  mentions  adopted",
        pad("bureau", w_bureau)
    )?;
    for r in rows {
        writeln!(
            out,
            "{}  {}  {:>8}  {:>8}  {:>7}",
            pad(&r.bureau, w_bureau),
            r.year,
            r.reported,
            r.mentions,
            r.adopted
        )?;
    }
    Ok(())
}
