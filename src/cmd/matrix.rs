//! `fazhi matrix`: bureaus × topics — for each bureau, how many of its
//! report sections discuss each topic substantively, and what share of its
//! sections that is. Formats: an aligned table, CSV, JSON, or a
//! self-contained HTML heatmap (inline CSS, no scripts) to open in a browser.
//!
//! A section counts for a topic when its score reaches the one topic
//! threshold (`--min-score`, default the taxonomy's `main_min`): a passing mention does not count, but a
//! section may count for several topics (a paragraph on 重大行政决策 that
//! also describes its 法律顾问 counts for both). `--topics a,b,c` picks the
//! columns.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, ValueEnum};

use super::{FilterArgs, Global, Outcome};
use crate::engine;
pub use crate::engine::matrix::{Cell, Matrix, Row};
use crate::engine::matrix::{Counts, share};
use crate::export::Destination;
use crate::output::delimited::Cell as CsvCell;
use crate::output::{Delimited, DelimitedWriter, display_width, pad, printable};
use crate::text::printable::escape_html;

/// Output formats of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatrixFormat {
    /// Aligned text table: sections (share) per cell.
    Table,
    /// One row per bureau; a count and a share column per topic.
    Csv,
    /// `{topics, bureaus: [{bureau, reports, sections, cells}], total}`.
    Json,
    /// A self-contained HTML heatmap page.
    Html,
}

#[derive(Debug, Args)]
pub struct MatrixArgs {
    /// Only these topics (names or aliases, comma-separated); default all.
    #[arg(long = "topics", alias = "only", value_delimiter = ',')]
    pub only: Vec<String>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Output format (default: table, or from FILE's extension: .html .csv
    /// .json .txt).
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<MatrixFormat>,
    /// Write to this file instead of stdout (`-` for stdout); never
    /// overwritten without --force.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

impl MatrixFormat {
    /// The format implied by a file name's extension, if any.
    pub fn from_path(path: &Path) -> Option<MatrixFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "html" | "htm" => Some(MatrixFormat::Html),
            "csv" => Some(MatrixFormat::Csv),
            "json" => Some(MatrixFormat::Json),
            "txt" => Some(MatrixFormat::Table),
            _ => None,
        }
    }
}

/// The format asked for, else the one of the output file's extension,
/// else the table (on stdout).
fn chosen_format(args: &MatrixArgs) -> Result<MatrixFormat, engine::Error> {
    if let Some(f) = args.format {
        return Ok(f);
    }
    match &args.output {
        Some(path) if path.as_os_str() != "-" => MatrixFormat::from_path(path).ok_or_else(|| {
            engine::Error::BadRequest(format!(
                "cannot tell the format of {} from its extension; use --format table|csv|json|html",
                printable(&path.display().to_string())
            ))
        }),
        _ => Ok(MatrixFormat::Table),
    }
}

pub fn run(args: MatrixArgs, global: &Global) -> anyhow::Result<Outcome> {
    let filters = args.filters.to_filters()?;
    let format = chosen_format(&args)?;
    let wanted: Vec<String> = args
        .only
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let engine = global.engine()?;
    // Claim the file before the work, so a refusal is immediate.
    let dest = match &args.output {
        Some(path) => Some(
            Destination::create(path, args.force)
                .map_err(|e| engine::Error::BadRequest(printable(&e.to_string()).into_owned()))?,
        ),
        None => None,
    };
    // No section passing the filters: the matrix keeps its shape (a CSV
    // header, JSON with no bureaus), says so on stderr and exits 1.
    let counts = engine.matrix(&wanted, &filters)?;
    let found_any = counts.total.sections > 0;
    if !found_any {
        eprintln!("fazhi: no sections match the filters");
    }
    let mut buf: Vec<u8> = Vec::new();
    match format {
        MatrixFormat::Table => write_table(&mut buf, &counts.matrix())?,
        MatrixFormat::Csv => write_csv(&mut buf, &counts)?,
        MatrixFormat::Json => {
            serde_json::to_writer_pretty(&mut buf, &counts.matrix())?;
            buf.push(b'\n');
        }
        MatrixFormat::Html => buf.extend_from_slice(html(&counts.matrix()).as_bytes()),
    }
    match dest {
        Some(mut dest) => {
            let name = printable(&dest.name()).into_owned();
            dest.writer()
                .write_all(&buf)
                .with_context(|| format!("cannot write {name}"))?;
            dest.commit()?;
        }
        None => {
            let mut out = io::stdout().lock();
            out.write_all(&buf)?;
            out.flush()?;
        }
    }
    Ok(if found_any {
        Outcome::Done
    } else {
        Outcome::NoHits
    })
}

/// A cell as the table shows it: sections and share, or `·` for none.
fn cell_text(c: &Cell) -> String {
    if c.sections == 0 {
        "·".to_string()
    } else {
        format!("{} {:.0}%", c.sections, c.share * 100.0)
    }
}

fn write_table(out: &mut impl Write, m: &Matrix) -> io::Result<()> {
    let rows: Vec<&Row> = m.bureaus.iter().chain(std::iter::once(&m.total)).collect();
    let w0 = rows
        .iter()
        .map(|r| display_width(&r.bureau))
        .chain([display_width("单位")])
        .max()
        .unwrap_or(4);
    let widths: Vec<usize> = m
        .topics
        .iter()
        .enumerate()
        .map(|(i, t)| {
            rows.iter()
                .map(|r| display_width(&cell_text(&r.cells[i])))
                .chain([display_width(t)])
                .max()
                .unwrap_or(1)
        })
        .collect();
    let mut line = format!(
        "{}  {}  {}",
        pad("单位", w0, false),
        pad("报告", 6, true),
        pad("段落", 6, true)
    );
    for (t, w) in m.topics.iter().zip(&widths) {
        line.push_str("  ");
        line.push_str(&pad(t, *w, true));
    }
    writeln!(out, "{}", line.trim_end())?;
    for (i, r) in rows.iter().enumerate() {
        if i + 1 == rows.len() {
            writeln!(out)?;
        }
        let mut line = format!(
            "{}  {:>6}  {:>6}",
            pad(&printable(&r.bureau), w0, false),
            r.reports,
            r.sections
        );
        for (c, w) in r.cells.iter().zip(&widths) {
            line.push_str("  ");
            line.push_str(&pad(&cell_text(c), *w, true));
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    writeln!(
        out,
        "\n每格：实质讨论该主题的段落数（主题得分达到阈值），及其占该单位全部段落的比例"
    )
}

/// The CSV, through the one CSV writer ([`DelimitedWriter`]: bureau names
/// are text cells, guarded like every command's).
fn write_csv(out: &mut impl Write, m: &Counts) -> anyhow::Result<()> {
    let mut w = DelimitedWriter::new(out, Delimited::Csv);
    let mut header = vec![
        "bureau".to_string(),
        "reports".to_string(),
        "sections".to_string(),
    ];
    for t in &m.topics {
        header.push(t.clone());
        header.push(format!("{t} share"));
    }
    w.header(&header.iter().map(String::as_str).collect::<Vec<_>>())?;
    // Digits into one reused buffer: 57,000 bureaus × 2 fields per topic
    // make a million fields at 100,000 reports, most of them 0.
    let mut digits: Vec<u8> = Vec::new();
    let mut ends: Vec<usize> = Vec::new();
    for (bureau, acc) in &m.rows {
        digits.clear();
        ends.clear();
        for n in [acc.reports, acc.sections] {
            push_int(&mut digits, n);
            ends.push(digits.len());
        }
        for &n in &acc.counts {
            if n == 0 {
                digits.extend_from_slice(b"0");
                ends.push(digits.len());
                digits.extend_from_slice(b"0.0000");
                ends.push(digits.len());
                continue;
            }
            push_int(&mut digits, n);
            ends.push(digits.len());
            write_share(&mut digits, share(n, acc.sections));
            ends.push(digits.len());
        }
        let numbers = ends.iter().scan(0, |start, &end| {
            let cell = CsvCell::Digits(&digits[*start..end]);
            *start = end;
            Some(cell)
        });
        w.fields(std::iter::once(CsvCell::Text(bureau)).chain(numbers))?;
    }
    w.flush()?;
    Ok(())
}

/// The decimal digits of `n` (as `n.to_string()`).
fn push_int(out: &mut Vec<u8>, n: usize) {
    let mut buf = [0u8; 20];
    let (mut i, mut n) = (buf.len(), n);
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// `format!("{:.4}", share)` for a [`share`] (a multiple of 1/10,000
/// between 0 and 1, rounded), without the general float formatter.
fn write_share(out: &mut Vec<u8>, share: f64) {
    let k = (share * 10_000.0).round();
    if (0.0..=10_000.0).contains(&k) {
        let k = k as usize;
        push_int(out, k / 10_000);
        out.push(b'.');
        let frac = k % 10_000;
        for d in [1000, 100, 10, 1] {
            out.push(b'0' + (frac / d % 10) as u8);
        }
    } else {
        out.extend_from_slice(format!("{share:.4}").as_bytes());
    }
}

/// Background and text colour of a cell whose share is `t` of the largest.
fn heat(t: f64) -> (String, &'static str) {
    let t = t.clamp(0.0, 1.0);
    let lightness = 97.0 - 60.0 * t;
    let text = if lightness < 60.0 { "#fff" } else { "#1a1a1a" };
    (format!("hsl(212, 72%, {lightness:.0}%)"), text)
}

/// The self-contained heatmap page (well-formed XHTML syntax, inline CSS).
pub fn html(m: &Matrix) -> String {
    let max = m
        .bureaus
        .iter()
        .flat_map(|r| r.cells.iter().map(|c| c.share))
        .fold(0.0, f64::max);
    let e = escape_html;
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\"/>\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n");
    h.push_str("<title>fazhi: 单位 × 主题</title>\n<style>\n");
    h.push_str(
        "body { font-family: system-ui, \"PingFang SC\", \"Microsoft YaHei\", \"Noto Sans CJK SC\", sans-serif; margin: 2em; color: #1a1a1a; }\n\
         h1 { font-size: 1.3em; }\n\
         p.note { color: #555; max-width: 60em; }\n\
         table { border-collapse: collapse; }\n\
         th, td { border: 1px solid #d0d7de; padding: 0.35em 0.6em; text-align: center; }\n\
         th.bureau, td.bureau { text-align: left; white-space: nowrap; }\n\
         thead th { background: #f6f8fa; vertical-align: bottom; }\n\
         thead th.topic { max-width: 4.6em; overflow-wrap: anywhere; word-break: break-all; line-height: 1.25; }\n\
         td.num { color: #555; }\n\
         td.cell { min-width: 3.2em; font-variant-numeric: tabular-nums; }\n\
         td.cell span { display: block; font-size: 0.75em; opacity: 0.85; }\n\
         tr.total td { border-top: 2px solid #888; font-weight: bold; }\n\
         .legend { margin-top: 1em; display: flex; align-items: center; gap: 0.3em; font-size: 0.85em; }\n\
         .legend i { display: inline-block; width: 2.2em; height: 1em; border: 1px solid #d0d7de; }\n",
    );
    h.push_str("</style>\n</head>\n<body>\n<h1>单位 × 主题：报告段落覆盖情况</h1>\n");
    let _ = writeln!(
        h,
        "<p class=\"note\">每格：实质讨论该主题的段落数，及其占该单位全部段落的比例（颜色越深比例越高，最深 = {:.0}%）。共 {} 个单位、{} 份报告、{} 个段落。</p>",
        max * 100.0,
        m.bureaus.len(),
        m.total.reports,
        m.total.sections
    );
    h.push_str("<table>\n<thead>\n<tr><th class=\"bureau\">单位</th><th class=\"num\">报告</th><th class=\"num\">段落</th>");
    for t in &m.topics {
        // Horizontal text wrapped in a narrow header: vertical writing
        // lost 一 (第一责任人) and let long names overflow the cell.
        let _ = write!(h, "<th class=\"topic\" title=\"{0}\">{0}</th>", e(t));
    }
    h.push_str("</tr>\n</thead>\n<tbody>\n");
    let write_row = |h: &mut String, r: &Row, class: &str| {
        let _ = write!(
            h,
            "<tr{class}><td class=\"bureau\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
            e(&r.bureau),
            r.reports,
            r.sections
        );
        for c in &r.cells {
            let (bg, fg) = heat(if max > 0.0 { c.share / max } else { 0.0 });
            let _ = write!(
                h,
                "<td class=\"cell\" style=\"background: {bg}; color: {fg}\" title=\"{} · {}：{} / {} 段 ({:.1}%)\">{}<span>{:.0}%</span></td>",
                e(&r.bureau),
                e(&c.topic),
                c.sections,
                r.sections,
                c.share * 100.0,
                c.sections,
                c.share * 100.0
            );
        }
        h.push_str("</tr>\n");
    };
    for r in &m.bureaus {
        write_row(&mut h, r, "");
    }
    write_row(&mut h, &m.total, " class=\"total\"");
    h.push_str("</tbody>\n</table>\n<div class=\"legend\">0%");
    for i in 0..=5 {
        let (bg, _) = heat(f64::from(i) / 5.0);
        let _ = write!(h, "<i style=\"background: {bg}\"></i>");
    }
    let _ = writeln!(h, "{:.0}%</div>", max * 100.0);
    h.push_str("<p class=\"note\">由 fazhi matrix 生成。</p>\n</body>\n</html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CSV's share digits are those of `{:.4}` for every share.
    #[test]
    fn write_share_matches_float_formatting() {
        let shares = (0..=10_000u32)
            .map(|k| f64::from(k) / 10_000.0)
            .chain((1..=400).flat_map(|of| (0..=of).map(move |n| share(n, of))))
            .chain([share(1, 1_748_582), share(1_748_581, 1_748_582)]);
        for s in shares {
            let mut fast = Vec::new();
            write_share(&mut fast, s);
            assert_eq!(
                String::from_utf8(fast).unwrap(),
                format!("{s:.4}"),
                "share {s}"
            );
        }
        assert_eq!(share(0, 7), 0.0, "a zero cell's share is written as 0.0000");
    }

    #[test]
    fn push_int_matches_to_string() {
        for n in (0..2_000).chain([9_999, 10_000, 1_748_582, usize::MAX]) {
            let mut fast = Vec::new();
            push_int(&mut fast, n);
            assert_eq!(String::from_utf8(fast).unwrap(), n.to_string());
        }
    }
}
