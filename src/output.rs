//! Rendering results for people (terminal) and programs (JSON, JSONL, CSV, TSV).
//!
//! Colour only when stdout is a terminal and `NO_COLOR` is unset; piped output
//! is plain text, with matches marked 【like this】. A closed pipe (`fazhi
//! search … | head`) ends output quietly: see [`is_broken_pipe`].

use std::io::{self, IsTerminal, Write};

use clap::ValueEnum;
use serde::Serialize;

use crate::query::Hit;

/// Output formats of the listing commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable listing (coloured on a terminal).
    Table,
    /// One JSON array.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// RFC 4180 CSV with a header row.
    Csv,
    /// Tab-separated values with a header row.
    Tsv,
}

/// Whether to colour stdout: a terminal, `NO_COLOR` unset, `TERM` not dumb.
pub fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var("TERM").map(|t| t != "dumb").unwrap_or(true)
        && io::stdout().is_terminal()
}

/// ANSI styles used in terminal output.
pub mod style {
    pub const MATCH: &str = "\x1b[1;31m";
    pub const BOLD: &str = "\x1b[1m";
    pub const DIM: &str = "\x1b[2m";
    pub const PATH: &str = "\x1b[35m";
    pub const RESET: &str = "\x1b[0m";
}

/// Wrap `s` in an ANSI style when colouring.
pub fn paint(s: &str, ansi: &str, color: bool) -> String {
    if color {
        format!("{ansi}{s}{}", style::RESET)
    } else {
        s.to_string()
    }
}

/// Mark highlighted char ranges: colour on a terminal, 【】 otherwise.
pub fn mark(text: &str, highlights: &[(usize, usize)], color: bool) -> String {
    let (open, close) = if color {
        (style::MATCH, style::RESET)
    } else {
        ("【", "】")
    };
    let mut out = String::with_capacity(text.len() + highlights.len() * 8);
    let mut next = highlights.iter().peekable();
    let mut open_until: Option<usize> = None;
    for (i, c) in text.chars().enumerate() {
        if open_until == Some(i) {
            out.push_str(close);
            open_until = None;
        }
        if open_until.is_none()
            && let Some(&&(s, e)) = next.peek()
            && s == i
        {
            out.push_str(open);
            open_until = Some(e);
            next.next();
        }
        out.push(c);
    }
    if open_until.is_some() {
        out.push_str(close);
    }
    out
}

/// Whether an error is a closed stdout pipe (not worth reporting).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
            || e.downcast_ref::<csv::Error>().is_some_and(|c| matches!(c.kind(), csv::ErrorKind::Io(io) if io.kind() == io::ErrorKind::BrokenPipe))
            || e.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(io::ErrorKind::BrokenPipe))
    })
}

/// A flat row of a hit, for CSV/TSV/XLSX.
#[derive(Debug, Clone, Serialize)]
pub struct HitRow<'a> {
    pub rank: usize,
    pub score: f32,
    pub bureau: &'a str,
    pub province: &'a str,
    pub city: &'a str,
    pub county: &'a str,
    pub report_year: Option<u64>,
    pub publish_date: &'a str,
    pub title: &'a str,
    pub heading_path: String,
    pub snippet: &'a str,
    pub matched: String,
    pub path: &'a str,
    pub line_start: u64,
    pub line_end: u64,
    pub doc_id: &'a str,
    pub section_id: &'a str,
}

/// Column names of [`HitRow`], in order.
pub const HIT_COLUMNS: [&str; 17] = [
    "rank",
    "score",
    "bureau",
    "province",
    "city",
    "county",
    "report_year",
    "publish_date",
    "title",
    "heading_path",
    "snippet",
    "matched",
    "path",
    "line_start",
    "line_end",
    "doc_id",
    "section_id",
];

impl<'a> HitRow<'a> {
    pub fn from_hit(h: &'a Hit) -> Self {
        let s = |o: &'a Option<String>| o.as_deref().unwrap_or("");
        HitRow {
            rank: h.rank,
            score: h.score,
            bureau: s(&h.bureau),
            province: s(&h.province),
            city: s(&h.city),
            county: s(&h.county),
            report_year: h.report_year,
            publish_date: s(&h.publish_date),
            title: s(&h.title),
            heading_path: h.heading_path.join(" > "),
            snippet: &h.snippet,
            matched: h.matched.join(";"),
            path: &h.path,
            line_start: h.line_start,
            line_end: h.line_end,
            doc_id: &h.doc_id,
            section_id: &h.section_id,
        }
    }
}

/// Write items as a JSON array (pretty) or JSON lines.
pub fn write_json<T: Serialize>(
    out: &mut impl Write,
    items: &[T],
    lines: bool,
) -> anyhow::Result<()> {
    if lines {
        for item in items {
            serde_json::to_writer(&mut *out, item)?;
            out.write_all(b"\n")?;
        }
    } else {
        serde_json::to_writer_pretty(&mut *out, items)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

/// Write serialisable rows as CSV (`,`) or TSV (`\t`), with a header.
pub fn write_delimited<T: Serialize>(
    out: impl Write,
    rows: impl IntoIterator<Item = T>,
    delimiter: u8,
) -> anyhow::Result<()> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .from_writer(out);
    for row in rows {
        w.serialize(row)?;
    }
    w.flush()?;
    Ok(())
}

/// Print hits in the requested format.
pub fn print_hits(hits: &[Hit], format: Format) -> anyhow::Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match format {
        Format::Json => write_json(&mut out, hits, false)?,
        Format::Jsonl => write_json(&mut out, hits, true)?,
        Format::Csv => write_delimited(&mut out, hits.iter().map(HitRow::from_hit), b',')?,
        Format::Tsv => write_delimited(&mut out, hits.iter().map(HitRow::from_hit), b'\t')?,
        Format::Table => {
            let color = use_color();
            for h in hits {
                write_hit(&mut out, h, color)?;
            }
            out.flush()?;
        }
    }
    Ok(())
}

/// One hit as a block of three lines: rank, bureau · year · heading path;
/// `path:line`; the snippet.
pub fn write_hit(out: &mut impl Write, h: &Hit, color: bool) -> io::Result<()> {
    let bureau = h.bureau.as_deref().unwrap_or("(未知单位)");
    let year = h.report_year.map(|y| format!(" · {y}")).unwrap_or_default();
    let heading = if h.heading_path.is_empty() {
        "(正文前言)".to_string()
    } else {
        h.heading_path.join(" › ")
    };
    writeln!(
        out,
        "{} {}{} · {}",
        paint(&format!("{:>3}.", h.rank), style::DIM, color),
        paint(bureau, style::BOLD, color),
        year,
        heading
    )?;
    writeln!(
        out,
        "     {}",
        paint(&format!("{}:{}", h.path, h.line_start), style::PATH, color)
    )?;
    writeln!(out, "     {}", mark(&h.snippet, &h.highlights, color))?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mark_plain_and_colour() {
        assert_eq!(mark("abcdef", &[(1, 3), (4, 6)], false), "a【bc】d【ef】");
        assert_eq!(
            mark("法治政府", &[(0, 2)], true),
            "\x1b[1;31m法治\x1b[0m政府"
        );
        assert_eq!(mark("abc", &[], false), "abc");
    }
}
