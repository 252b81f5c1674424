//! `fazhi kwic QUERY`: concordance lines — each occurrence with the text
//! to its left and right, as written, aligned on the match (see
//! [`crate::trends::kwic`]).

use std::borrow::Cow;
use std::io::{self, Write};

use clap::{Args, ValueEnum};

use super::{FilterArgs, Global, Outcome};
use crate::engine::{KwicRequest, parse_query};
use crate::export::needs_formula_guard;
use crate::output::{paint, style, use_color, write_json};
use crate::trends::kwic::{KwicLine, display_width};
use crate::trends::{KwicOptions, KwicSort};

#[derive(Debug, Args)]
pub struct KwicArgs {
    /// Query: terms (AND), `A OR B`, `-A` to exclude, "exact phrase".
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Terminal columns of context on each side (a Chinese character takes 2).
    #[arg(long, default_value_t = 30)]
    pub width: usize,
    /// Order of the lines (default: as the reports are indexed).
    #[arg(long, value_enum)]
    pub sort: Option<KwicSort>,
    /// Lines at most (0 = all): the first found, in index order, then sorted.
    #[arg(long, short = 'n', default_value_t = 500)]
    pub limit: usize,
    #[arg(long, short = 'f', value_enum, default_value_t = KwicFormat::Table)]
    pub format: KwicFormat,
}

/// Formats of `fazhi kwic`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KwicFormat {
    /// Aligned on the match.
    Table,
    Json,
    Jsonl,
    Csv,
}

pub fn run(args: KwicArgs, global: &Global) -> anyhow::Result<Outcome> {
    let req = KwicRequest {
        query: parse_query(&args.query.join(" "))?,
        filters: args.filters.to_filters()?,
        options: KwicOptions {
            width: args.width,
            limit: (args.limit > 0).then_some(args.limit),
            sort: args.sort,
        },
    };
    let kwic = global.engine()?.kwic(&req)?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    match args.format {
        KwicFormat::Json => write_json(&mut out, &kwic.lines, false)?,
        KwicFormat::Jsonl => write_json(&mut out, &kwic.lines, true)?,
        KwicFormat::Csv => write_csv(&mut out, &kwic.lines)?,
        KwicFormat::Table => write_table(&mut out, &kwic.lines, args.width, use_color())?,
    }
    out.flush()?;
    if kwic.truncated {
        eprintln!(
            "fazhi: {} of {} occurrences (in {} sections); --limit 0 shows all",
            kwic.lines.len(),
            kwic.occurrences,
            kwic.sections
        );
    }
    Ok(Outcome::found(kwic.lines.len()))
}

/// A text cell a spreadsheet will not run as a formula.
fn guarded(s: &str) -> Cow<'_, str> {
    if needs_formula_guard(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

fn write_csv(out: &mut impl Write, lines: &[KwicLine]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "left", "matched", "right", "bureau", "province", "year", "path", "line",
    ])?;
    for l in lines {
        w.write_record([
            guarded(&l.left).as_ref(),
            &guarded(&l.matched),
            &guarded(&l.right),
            &guarded(l.bureau.as_deref().unwrap_or("")),
            &guarded(l.province.as_deref().unwrap_or("")),
            &l.year.map_or(String::new(), |y| y.to_string()),
            &guarded(&l.path),
            &l.line.to_string(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// Left context right-aligned to `width` columns, the match, the right
/// context padded to `width`, then bureau, year and `path:line`.
fn write_table(
    out: &mut impl Write,
    lines: &[KwicLine],
    width: usize,
    color: bool,
) -> io::Result<()> {
    let w_match = lines
        .iter()
        .map(|l| display_width(&l.matched))
        .max()
        .unwrap_or(0);
    for l in lines {
        let left_fill = " ".repeat(width.saturating_sub(display_width(&l.left)));
        let match_fill = " ".repeat(w_match - display_width(&l.matched));
        let right_fill = " ".repeat(width.saturating_sub(display_width(&l.right)));
        let matched = if color {
            paint(&l.matched, style::MATCH, true)
        } else {
            format!("【{}】", l.matched)
        };
        let year = l.year.map_or(String::new(), |y| format!(" {y}"));
        let source = format!(
            "{}{year} {}:{}",
            l.bureau.as_deref().unwrap_or("(未知单位)"),
            l.path,
            l.line
        );
        writeln!(
            out,
            "{left_fill}{} {matched}{match_fill} {}{right_fill}  {}",
            l.left,
            l.right,
            paint(&source, style::DIM, color)
        )?;
    }
    Ok(())
}
