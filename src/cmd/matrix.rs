//! `fazhi matrix`: bureaus × topics — for each bureau, how many of its
//! report sections discuss each topic substantively, and what share of its
//! sections that is. Formats: an aligned table, CSV, JSON, or a
//! self-contained HTML heatmap (inline CSS, no scripts) to open in a browser.
//!
//! A section counts for a topic when its score reaches the taxonomy's
//! `main_min` ([`crate::topics::Taxonomy::covers`]): a passing mention does not count, but a
//! section may count for several topics (a paragraph on 重大行政决策 that
//! also describes its 法律顾问 counts for both). `--topics a,b,c` picks the
//! columns.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{FilterArgs, Global, Outcome};
pub use crate::engine::matrix::{Cell, Matrix, Row};
use crate::engine::matrix::{Counts, share};

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
    #[arg(long, short = 'f', value_enum, default_value_t = MatrixFormat::Table)]
    pub format: MatrixFormat,
    /// Write to this file instead of stdout.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
}

pub fn run(args: MatrixArgs, global: &Global) -> anyhow::Result<Outcome> {
    let filters = args.filters.to_filters()?;
    let wanted: Vec<String> = args
        .only
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let engine = global.engine()?;
    let Some(counts) = engine.matrix(&wanted, &filters)? else {
        eprintln!("fazhi: no sections match the filters");
        return Ok(Outcome::NoHits);
    };
    let mut buf: Vec<u8> = Vec::new();
    match args.format {
        MatrixFormat::Table => write_table(&mut buf, &counts.matrix())?,
        MatrixFormat::Csv => write_csv(&mut buf, &counts)?,
        MatrixFormat::Json => {
            serde_json::to_writer_pretty(&mut buf, &counts.matrix())?;
            buf.push(b'\n');
        }
        MatrixFormat::Html => buf.extend_from_slice(html(&counts.matrix()).as_bytes()),
    }
    match &args.output {
        Some(path) => {
            std::fs::write(path, &buf)
                .map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", path.display()))?;
        }
        None => {
            let mut out = io::stdout().lock();
            out.write_all(&buf)?;
            out.flush()?;
        }
    }
    Ok(Outcome::Done)
}

/// Terminal columns of a string (CJK and other wide characters count 2).
fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let u = c as u32;
            let wide = (0x1100..=0x115f).contains(&u)
                || (0x2e80..=0xa4cf).contains(&u)
                || (0xac00..=0xd7a3).contains(&u)
                || (0xf900..=0xfaff).contains(&u)
                || (0xfe30..=0xfe4f).contains(&u)
                || (0xff00..=0xff60).contains(&u)
                || (0xffe0..=0xffe6).contains(&u)
                || (0x20000..=0x3fffd).contains(&u);
            if wide { 2 } else { 1 }
        })
        .sum()
}

fn pad(s: &str, width: usize, right: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(display_width(s)));
    if right {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

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
    let mut line = format!("{}  {:>4}  {:>4}", pad("单位", w0, false), "报告", "段落");
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
            pad(&r.bureau, w0, false),
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
        "\ncells: sections discussing the topic (score ≥ main_min), and their share of the bureau's sections"
    )
}

fn write_csv(out: &mut impl Write, m: &Counts) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec![
        "bureau".to_string(),
        "reports".to_string(),
        "sections".to_string(),
    ];
    for t in &m.topics {
        header.push(t.clone());
        header.push(format!("{t} share"));
    }
    w.write_record(&header)?;
    // Field by field into one reused buffer: 57,000 bureaus × 2 fields per
    // topic make a million fields at 100,000 reports, most of them 0.
    let mut field: Vec<u8> = Vec::new();
    for (bureau, acc) in &m.rows {
        w.write_field(bureau)?;
        for n in [acc.reports, acc.sections] {
            field.clear();
            push_int(&mut field, n);
            w.write_field(&field)?;
        }
        for &n in &acc.counts {
            if n == 0 {
                w.write_field(b"0")?;
                w.write_field(b"0.0000")?;
                continue;
            }
            field.clear();
            push_int(&mut field, n);
            w.write_field(&field)?;
            field.clear();
            write_share(&mut field, share(n, acc.sections));
            w.write_field(&field)?;
        }
        w.write_record(None::<&[u8]>)?;
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

/// Escape text for HTML (element content and attribute values).
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
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
         thead th { background: #f6f8fa; writing-mode: vertical-rl; white-space: nowrap; vertical-align: bottom; }\n\
         thead th.bureau, thead th.num { writing-mode: horizontal-tb; }\n\
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
        let _ = write!(h, "<th>{}</th>", e(t));
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
