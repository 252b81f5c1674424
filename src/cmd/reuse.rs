//! `fazhi reuse`: pairs of reports that share passages, most shared text
//! first (see [`crate::reuse`]); `--doc` lists the sources and copies of
//! one report.

use std::io::{self, Write};

use clap::Args;
use serde::Serialize;

use super::{FilterArgs, Global, Outcome};
use crate::export::needs_formula_guard;
use crate::output::{Format, paint, style, use_color, write_json};
use crate::reuse::{self, ReusePair, ReuseRequest};

#[derive(Debug, Args)]
pub struct ReuseArgs {
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Least shared text of a pair, in characters (after folding: no
    /// punctuation or spaces).
    #[arg(long, default_value_t = DEFAULT_MIN_CHARS)]
    pub min_chars: usize,
    /// Only the sources and copies of this report (doc id or path).
    #[arg(long, value_name = "ID|PATH")]
    pub doc: Option<String>,
    /// Pairs to print (0 = all); the rest are counted on stderr.
    #[arg(long = "limit", short = 'n', default_value_t = DEFAULT_LIMIT)]
    pub limit: usize,
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Shared characters a pair needs by default: a long paragraph. Shorter
/// runs are mostly a common sentence with the same name in it.
pub const DEFAULT_MIN_CHARS: usize = 200;
/// Pairs printed unless `-n` says otherwise.
pub const DEFAULT_LIMIT: usize = 20;

pub fn run(args: ReuseArgs, global: &Global) -> anyhow::Result<Outcome> {
    let engine = global.engine()?;
    let handle = engine.handle();
    let state = reuse::current_state(handle, &global.corpus)?;
    let req = ReuseRequest {
        filters: args.filters.to_filters()?,
        min_chars: args.min_chars,
        doc: args.doc.clone(),
        limit: (args.limit > 0).then_some(args.limit),
    };
    let listing = reuse::pairs::list(handle, &global.corpus, &state, &req)?;
    for path in &listing.stale_files {
        eprintln!(
            "fazhi: warning: {path}: changed since indexing, not compared; run `fazhi index`"
        );
    }
    let mut out = io::stdout().lock();
    match args.format {
        Format::Json => write_json(&mut out, &listing.pairs, false)?,
        Format::Jsonl => write_json(&mut out, &listing.pairs, true)?,
        Format::Csv => write_rows(&mut out, &listing.pairs, b',')?,
        Format::Tsv => write_rows(&mut out, &listing.pairs, b'\t')?,
        Format::Table => {
            let color = use_color();
            for (i, pair) in listing.pairs.iter().enumerate() {
                write_pair(&mut out, i + 1, pair, color)?;
            }
            if listing.pairs.is_empty() {
                eprintln!(
                    "fazhi: no pair of reports shares {} characters or more",
                    args.min_chars
                );
            }
        }
    }
    out.flush()?;
    let more = listing.total - listing.pairs.len();
    if more > 0 {
        eprintln!(
            "fazhi: {more} more pair{} ({} in all); -n 0 shows all",
            if more == 1 { "" } else { "s" },
            listing.total
        );
    }
    Ok(Outcome::found(listing.total))
}

/// At most `n` chars of `s`, with `…` when cut.
fn clip(s: &str, n: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(n) {
        Some((at, _)) => format!("{}…", &flat[..at]),
        None => flat,
    }
}

fn side(r: &reuse::ReportRef) -> String {
    let year = r
        .report_year
        .map_or_else(|| "----".to_string(), |y| y.to_string());
    format!(
        "{year} {}",
        r.bureau.as_deref().unwrap_or("(bureau unknown)")
    )
}

fn write_pair(out: &mut impl Write, n: usize, p: &ReusePair, color: bool) -> io::Result<()> {
    let arrow = if p.ordered { "→" } else { "↔" };
    writeln!(
        out,
        "{n}. {} {arrow} {}  {} chars shared, {:.0}% of the later{}",
        paint(&side(&p.earlier), style::BOLD, color),
        paint(&side(&p.later), style::BOLD, color),
        p.shared_chars,
        p.similarity * 100.0,
        match p.kind {
            "exact" => ", exact copy",
            "repost" => ", repost",
            _ => "",
        }
    )?;
    writeln!(
        out,
        "   {} {arrow} {}",
        paint(&p.earlier.path, style::PATH, color),
        paint(&p.later.path, style::PATH, color)
    )?;
    for s in p.passages.iter().take(5) {
        writeln!(
            out,
            "   {}:{} {arrow} {}:{}  {} chars  {}",
            paint("line", style::DIM, color),
            s.earlier_line,
            paint("line", style::DIM, color),
            s.later_line,
            s.chars,
            clip(&s.text, 40)
        )?;
    }
    if p.passages.len() > 5 {
        writeln!(out, "   … {} more passages", p.passages.len() - 5)?;
    }
    Ok(())
}

/// One CSV/TSV row per shared passage, the pair repeated on each.
#[derive(Serialize)]
struct PassageCsvRow<'a> {
    earlier_doc_id: &'a str,
    earlier_path: String,
    earlier_bureau: String,
    earlier_report_year: Option<u64>,
    later_doc_id: &'a str,
    later_path: String,
    later_bureau: String,
    later_report_year: Option<u64>,
    ordered: bool,
    shared_chars: usize,
    similarity: f64,
    kind: &'a str,
    later_duplicate_of: Option<&'a str>,
    earlier_line: usize,
    later_line: usize,
    passage_chars: usize,
    text: String,
}

/// A text cell with the spreadsheet formula guard of `fazhi export`.
fn guarded(s: &str) -> String {
    if needs_formula_guard(s) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn write_rows(out: &mut impl Write, pairs: &[ReusePair], delimiter: u8) -> anyhow::Result<()> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .from_writer(out);
    for p in pairs {
        for s in &p.passages {
            w.serialize(PassageCsvRow {
                earlier_doc_id: &p.earlier.doc_id,
                earlier_path: guarded(&p.earlier.path),
                earlier_bureau: guarded(p.earlier.bureau.as_deref().unwrap_or("")),
                earlier_report_year: p.earlier.report_year,
                later_doc_id: &p.later.doc_id,
                later_path: guarded(&p.later.path),
                later_bureau: guarded(p.later.bureau.as_deref().unwrap_or("")),
                later_report_year: p.later.report_year,
                ordered: p.ordered,
                shared_chars: p.shared_chars,
                similarity: p.similarity,
                kind: p.kind,
                later_duplicate_of: p.later.duplicate_of.as_deref(),
                earlier_line: s.earlier_line,
                later_line: s.later_line,
                passage_chars: s.chars,
                text: guarded(&s.text),
            })?;
        }
    }
    w.flush()?;
    Ok(())
}
