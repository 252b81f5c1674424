//! Rendering results for people (terminal) and programs (JSON, JSONL, CSV, TSV).
//!
//! Colour only when stdout is a terminal and `NO_COLOR` is unset; piped output
//! is plain text, with matches marked 【like this】. A closed pipe (`fazhi
//! search … | head`) ends output quietly: see [`is_broken_pipe`].
//!
//! Text from reports and file names is untrusted: everything printed for
//! people goes through [`printable`] (or [`mark`]), which shows control
//! characters as visible stand-ins (ESC as `␛`, a line break as `␊`), so a
//! scraped page cannot retitle or clear the terminal or write its clipboard
//! (`ESC]0;…BEL`, `ESC[2J`, OSC 52), and a file name with a line break
//! cannot forge a line of output. JSON escapes them itself; CSV and TSV
//! cells go through [`delimited`].

use std::io::{self, IsTerminal, Write};

use clap::ValueEnum;
use serde::Serialize;

use crate::query::Hit;

pub mod delimited;

pub use crate::text::printable::{printable, printable_lines, visible_control};
pub use delimited::{Delimited, DelimitedWriter, needs_formula_guard};

pub use crate::text::printable::display_width;

/// `s` padded with spaces to `width` terminal columns (on the right, or on
/// the left when `right`-aligned).
pub fn pad(s: &str, width: usize, right: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(display_width(s)));
    if right {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

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

/// Wrap `s` in an ANSI style when colouring; `s` is made [`printable`].
pub fn paint(s: &str, ansi: &str, color: bool) -> String {
    let s = printable(s);
    if color {
        format!("{ansi}{s}{}", style::RESET)
    } else {
        s.into_owned()
    }
}

/// Mark highlighted char ranges: colour on a terminal, 【】 otherwise;
/// control characters are made visible (one char for one, so the ranges
/// still hold).
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
        out.push(if c.is_control() {
            visible_control(c)
        } else {
            c
        });
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
#[derive(Debug, Clone, Default, Serialize)]
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
    pub url: &'a str,
}

/// Column names of [`HitRow`], in order.
pub const HIT_COLUMNS: [&str; 18] = [
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
    "url",
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
            url: s(&h.url),
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

/// Write rows as CSV or TSV through the one writer ([`delimited`]), with
/// a header even when there are no rows (from `T::default()`).
pub fn write_delimited<T: Serialize + Default>(
    out: impl Write,
    rows: impl IntoIterator<Item = T>,
    kind: Delimited,
) -> anyhow::Result<()> {
    let mut w = DelimitedWriter::new(out, kind);
    w.header(&delimited::columns::<T>())?;
    for row in rows {
        w.row(&row)?;
    }
    w.flush()?;
    Ok(())
}

impl Format {
    /// CSV or TSV, if this is one of them.
    pub fn delimited(self) -> Option<Delimited> {
        match self {
            Format::Csv => Some(Delimited::Csv),
            Format::Tsv => Some(Delimited::Tsv),
            _ => None,
        }
    }
}

/// Prints a ranked list that arrives a chunk at a time (`--limit 0` loads
/// long lists chunk by chunk): the output is byte for byte what printing
/// the whole list at once gives — one JSON array, one CSV header. An empty
/// list keeps its shape: `[]`, a header (given by [`ListPrinter::columns`]),
/// or nothing.
pub struct ListPrinter<W: Write> {
    out: W,
    format: Format,
    color: bool,
    written: usize,
    columns: Vec<&'static str>,
}

impl<W: Write> ListPrinter<W> {
    pub fn new(out: W, format: Format) -> Self {
        ListPrinter {
            out,
            format,
            color: format == Format::Table && use_color(),
            written: 0,
            columns: Vec::new(),
        }
    }

    /// The CSV/TSV header of an empty list (a list with rows takes the
    /// rows' field names).
    pub fn columns(mut self, columns: Vec<&'static str>) -> Self {
        self.columns = columns;
        self
    }

    /// Items printed so far.
    pub fn written(&self) -> usize {
        self.written
    }

    /// Print the next `items`: `rows` are their CSV/TSV rows, `table`
    /// writes one item for people.
    pub fn write<T: Serialize, R: Serialize>(
        &mut self,
        items: &[T],
        rows: impl IntoIterator<Item = R>,
        table: impl Fn(&mut W, &T, bool) -> io::Result<()>,
    ) -> anyhow::Result<()> {
        match self.format {
            Format::Json => {
                for (i, item) in items.iter().enumerate() {
                    let first = self.written == 0 && i == 0;
                    self.out.write_all(if first { b"[\n" } else { b",\n" })?;
                    // An element of serde_json's pretty array: indented once
                    // (strings escape their line breaks, so lines split safely).
                    let text = serde_json::to_string_pretty(item)?;
                    for (j, line) in text.split('\n').enumerate() {
                        if j > 0 {
                            self.out.write_all(b"\n")?;
                        }
                        self.out.write_all(b"  ")?;
                        self.out.write_all(line.as_bytes())?;
                    }
                }
            }
            Format::Jsonl => {
                for item in items {
                    serde_json::to_writer(&mut self.out, item)?;
                    self.out.write_all(b"\n")?;
                }
            }
            Format::Csv | Format::Tsv => {
                let kind = self.format.delimited().expect("csv or tsv");
                let mut w = if self.written == 0 {
                    DelimitedWriter::new(&mut self.out, kind)
                } else {
                    DelimitedWriter::continuing(&mut self.out, kind)
                };
                for row in rows {
                    w.row(&row)?;
                }
            }
            Format::Table => {
                for item in items {
                    table(&mut self.out, item, self.color)?;
                }
            }
        }
        self.written += items.len();
        Ok(())
    }

    /// End the list (closes the JSON array, or writes the header of an
    /// empty CSV), flush, and give the writer back.
    pub fn finish(mut self) -> anyhow::Result<W> {
        if self.format == Format::Json {
            self.out
                .write_all(if self.written == 0 { b"[]\n" } else { b"\n]\n" })?;
        }
        if let Some(kind) = self.format.delimited()
            && self.written == 0
            && !self.columns.is_empty()
        {
            DelimitedWriter::new(&mut self.out, kind).header(&self.columns)?;
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

/// `n` and the noun, singular for 1 (`1 section`, `2 sections`).
pub fn counted(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// The line closing a table of `shown` hits out of `sections` in `reports`:
/// `10 of 382 sections in 41 reports; -n 0 for all`, or `382 sections in
/// 41 reports` when all are shown.
pub fn totals_line(shown: usize, sections: usize, reports: usize) -> String {
    if shown < sections {
        format!(
            "{shown} of {} in {}; -n 0 for all",
            counted(sections, "section"),
            counted(reports, "report")
        )
    } else {
        format!(
            "{} in {}",
            counted(sections, "section"),
            counted(reports, "report")
        )
    }
}

/// `--count`: only the numbers — a line for people, one JSON object (or
/// line), or a CSV/TSV header and row.
pub fn print_count<T: Serialize>(
    out: &mut impl Write,
    format: Format,
    counts: &T,
    line: &str,
) -> anyhow::Result<()> {
    match format {
        Format::Table => writeln!(out, "{line}")?,
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(counts)?)?,
        Format::Jsonl => writeln!(out, "{}", serde_json::to_string(counts)?)?,
        Format::Csv | Format::Tsv => {
            let kind = format.delimited().expect("csv or tsv");
            DelimitedWriter::new(&mut *out, kind).row(counts)?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Print the next chunk of a hit list.
pub fn print_hit_chunk<W: Write>(printer: &mut ListPrinter<W>, hits: &[Hit]) -> anyhow::Result<()> {
    printer.write(hits, hits.iter().map(HitRow::from_hit), |out, h, color| {
        write_hit(out, h, color)
    })
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
        printable(&heading)
    )?;
    writeln!(
        out,
        "     {}",
        paint(&format!("{}:{}", h.path, h.line_start), style::PATH, color)
    )?;
    if let Some(url) = &h.url {
        writeln!(out, "     {}", paint(url, style::DIM, color))?;
    }
    writeln!(out, "     {}", mark(&h.snippet, &h.highlights, color))?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Item {
        rank: usize,
        text: String,
    }

    fn print_in_chunks(items: &[Item], format: Format, chunk: usize) -> String {
        let mut printer = ListPrinter::new(Vec::new(), format);
        for part in items.chunks(chunk) {
            printer
                .write(part, part.iter(), |out, item, _| {
                    writeln!(out, "{}. {}", item.rank, item.text)
                })
                .unwrap();
        }
        String::from_utf8(printer.finish().unwrap()).unwrap()
    }

    /// A list printed a chunk at a time is the list printed at once: one
    /// JSON array exactly as serde_json pretty-prints it, one CSV header.
    #[test]
    fn chunked_lists_print_like_whole_lists() {
        let items: Vec<Item> = (1..=7)
            .map(|rank| Item {
                rank,
                text: format!("第{rank}条，\"引号\"\n换行,逗号"),
            })
            .collect();
        let json = serde_json::to_string_pretty(&items).unwrap() + "\n";
        assert_eq!(print_in_chunks(&items, Format::Json, 7), json);
        assert_eq!(print_in_chunks(&[], Format::Json, 1), "[]\n");
        for format in [
            Format::Json,
            Format::Jsonl,
            Format::Csv,
            Format::Tsv,
            Format::Table,
        ] {
            let whole = print_in_chunks(&items, format, items.len());
            for chunk in [1, 2, 3] {
                assert_eq!(print_in_chunks(&items, format, chunk), whole, "{format:?}");
            }
        }
        let csv = print_in_chunks(&items, Format::Csv, 2);
        assert_eq!(csv.matches("rank,text").count(), 1, "{csv}");
        assert_eq!(
            csv::Reader::from_reader(csv.as_bytes()).records().count(),
            7
        );
        assert_eq!(print_in_chunks(&[], Format::Csv, 1), "");
    }

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
