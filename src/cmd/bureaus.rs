//! `fazhi bureaus QUERY`: which bureaus mention a practice, one row each
//! (see [`crate::bureaus`]); `--all` also lists those that do not.

use std::io::{self, Write};

use clap::Args;
use serde::Serialize;

use super::{FilterArgs, Global, Outcome};
use crate::bureaus::BureauRow;
use crate::engine::{BureauRequest, parse_query};
use crate::output::{
    Delimited, Format, mark, paint, printable, style, use_color, write_delimited, write_json,
};

#[derive(Debug, Args)]
pub struct BureausArgs {
    /// Query: terms (AND), `A OR B`, `-A` to exclude, "exact phrase".
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Only sections that discuss this topic (name or alias, see `fazhi topics`).
    #[arg(long)]
    pub topic: Option<String>,
    /// Also list the bureaus that do not mention it (sections 0).
    #[arg(long)]
    pub all: bool,
    /// Expand each term with the variants the topic taxonomy knows
    /// (合法性审查 → 合法性审核, 法制审核 …).
    #[arg(long)]
    pub synonyms: bool,
    /// Rows to print, in order (0 = all); the rest are counted on stderr.
    #[arg(long, short = 'n', default_value_t = DEFAULT_LIMIT)]
    pub limit: usize,
    /// Leave out the snippet, path and line (no stored text is read).
    #[arg(long)]
    pub no_snippet: bool,
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Count near-identical reposts of a report once (exact copies always are).
    #[arg(long)]
    pub dedup: bool,
}

/// Rows printed unless `--limit` says otherwise.
pub const DEFAULT_LIMIT: usize = 50;

pub fn run(args: BureausArgs, global: &Global) -> anyhow::Result<Outcome> {
    let req = BureauRequest {
        query: parse_query(&args.query.join(" "))?,
        filters: args.filters.to_filters()?,
        topic: args.topic.clone(),
        synonyms: args.synonyms,
        all: args.all,
        limit: (args.limit > 0).then_some(args.limit),
        snippets: !args.no_snippet,
    };
    let table = global.engine()?.with_dedup(args.dedup).bureaus(&req)?;
    print_rows(&table.rows, args.format)?;
    let more = table.total - table.rows.len();
    if more > 0 {
        eprintln!(
            "fazhi: {} more bureau{} ({} in all, {} mention it); --limit 0 shows all",
            thousands(more),
            if more == 1 { "" } else { "s" },
            thousands(table.total),
            thousands(table.matching)
        );
    }
    if table.matching == 0 {
        if args.format == Format::Table {
            eprintln!("fazhi: no bureau mentions it");
        }
        if !args.all {
            return Ok(Outcome::NoHits);
        }
    }
    Ok(Outcome::Done)
}

/// A flat row for CSV/TSV.
#[derive(Default, Serialize)]
struct FlatRow<'a> {
    bureau: &'a str,
    province: &'a str,
    city: &'a str,
    county: &'a str,
    years: String,
    sections: usize,
    mentions: usize,
    variants: String,
    aliases: String,
    path: &'a str,
    line: Option<u64>,
    snippet: &'a str,
}

fn flat(r: &BureauRow) -> FlatRow<'_> {
    FlatRow {
        bureau: r.bureau.as_deref().unwrap_or(""),
        province: r.province.as_deref().unwrap_or(""),
        city: r.city.as_deref().unwrap_or(""),
        county: r.county.as_deref().unwrap_or(""),
        years: join(&r.years, ";"),
        sections: r.sections,
        mentions: r.mentions,
        variants: r.variants.join(";"),
        aliases: r.aliases.join(";"),
        path: r.path.as_deref().unwrap_or(""),
        line: r.line,
        snippet: r.snippet.as_deref().unwrap_or(""),
    }
}

/// "1 section, 2 mentions": each count with its noun, singular for 1.
fn counted(sections: usize, section: &str, mention: &str, mentions: usize) -> String {
    let noun = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!("{}, {}", noun(sections, section), noun(mentions, mention))
}

/// 57292 → "57,292".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn join(years: &[u64], sep: &str) -> String {
    years
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(sep)
}

fn print_rows(rows: &[BureauRow], format: Format) -> anyhow::Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match format {
        Format::Json => write_json(&mut out, rows, false)?,
        Format::Jsonl => write_json(&mut out, rows, true)?,
        Format::Csv => write_delimited(&mut out, rows.iter().map(flat), Delimited::Csv)?,
        Format::Tsv => write_delimited(&mut out, rows.iter().map(flat), Delimited::Tsv)?,
        Format::Table => {
            let color = use_color();
            for (i, r) in rows.iter().enumerate() {
                write_row(&mut out, i + 1, r, color)?;
            }
            out.flush()?;
        }
    }
    Ok(())
}

/// One bureau as a block: rank, name · region · years, counts and
/// variants; then `path:line` and the snippet when it matches.
fn write_row(out: &mut impl Write, n: usize, r: &BureauRow, color: bool) -> io::Result<()> {
    let bureau = r.bureau.as_deref().unwrap_or("(未知单位)");
    let region: Vec<&str> = [&r.province, &r.city, &r.county]
        .into_iter()
        .filter_map(|x| x.as_deref())
        .collect();
    let region = if region.is_empty() {
        String::new()
    } else {
        format!(" · {}", region.join(" "))
    };
    let region = printable(&region);
    if r.sections == 0 {
        // No rank: the bureau is listed for `--all`, not ranked.
        return writeln!(
            out,
            "{} {}{} · {}\n",
            paint("   –", style::DIM, color),
            paint(bureau, style::BOLD, color),
            region,
            paint("no mention", style::DIM, color)
        );
    }
    let years = if r.years.is_empty() {
        String::new()
    } else {
        format!(" · {}", join(&r.years, ", "))
    };
    writeln!(
        out,
        "{} {}{}{} · {} · {}",
        paint(&format!("{n:>3}."), style::DIM, color),
        paint(bureau, style::BOLD, color),
        region,
        years,
        counted(r.sections, "section", "mention", r.mentions),
        printable(&r.variants.join(", "))
    )?;
    // Other spellings of the name in its reports (`市人社局` …).
    let others: Vec<&str> = r
        .aliases
        .iter()
        .map(String::as_str)
        .filter(|a| Some(*a) != r.bureau.as_deref())
        .collect();
    if !others.is_empty() {
        writeln!(
            out,
            "     {}",
            paint(&format!("also: {}", others.join(", ")), style::DIM, color)
        )?;
    }
    if let (Some(path), Some(line)) = (&r.path, r.line) {
        writeln!(
            out,
            "     {}",
            paint(&format!("{path}:{line}"), style::PATH, color)
        )?;
    }
    if let Some(s) = &r.snippet {
        writeln!(out, "     {}", mark(s, &r.highlights, color))?;
    }
    writeln!(out)
}
