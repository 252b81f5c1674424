//! `fazhi topic NAME`: sections ranked by their stored score for one topic,
//! with the terms that made each score (`--explain` for the arithmetic).
//! The ranking is [`crate::engine::Engine::topic`]; this file prints it.

use std::io::{self, Write};

use clap::Args;
use serde::Serialize;

use super::{FilterArgs, Global, Outcome};
use crate::engine::{TermCount, TopicHit, TopicRequest};
use crate::output::delimited::columns;
use crate::output::{
    Format, ListPrinter, counted, display_width, mark, pad, paint, print_count, printable, style,
    totals_line,
};
use crate::query::LIST_CHUNK;

#[derive(Debug, Args)]
pub struct TopicArgs {
    /// Topic name or alias (see `fazhi topics`).
    pub name: String,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Maximum hits (0 = all the topic's sections: score at least --min-score).
    #[arg(long, short = 'n', default_value_t = 10)]
    pub limit: usize,
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Show how each score was computed: per-term counts, weights and shares.
    #[arg(long)]
    pub explain: bool,
    /// Print only how many sections, reports and bureaus score for it.
    #[arg(long, conflicts_with = "explain")]
    pub count: bool,
}

/// Flat row for CSV/TSV.
#[derive(Debug, Default, Serialize)]
struct TopicRow<'a> {
    rank: usize,
    topic: &'a str,
    topic_score: f64,
    bureau: &'a str,
    province: &'a str,
    city: &'a str,
    county: &'a str,
    report_year: Option<u64>,
    title: &'a str,
    heading_path: String,
    terms: String,
    snippet: &'a str,
    path: &'a str,
    line_start: u64,
    line_end: u64,
    doc_id: &'a str,
    section_id: &'a str,
}

fn terms_line(terms: &[TermCount]) -> String {
    terms
        .iter()
        .map(|t| format!("{}×{}", t.term, t.count))
        .collect::<Vec<_>>()
        .join(" ")
}

fn write_topic_hit(out: &mut impl Write, h: &TopicHit, color: bool) -> io::Result<()> {
    let hit = &h.hit;
    let bureau = hit.bureau.as_deref().unwrap_or("(未知单位)");
    let year = hit
        .report_year
        .map(|y| format!(" · {y}"))
        .unwrap_or_default();
    let heading = if hit.heading_path.is_empty() {
        "(正文前言)".to_string()
    } else {
        hit.heading_path.join(" › ")
    };
    writeln!(
        out,
        "{} {}{} · {}  {}",
        paint(&format!("{:>3}.", hit.rank), style::DIM, color),
        paint(bureau, style::BOLD, color),
        year,
        printable(&heading),
        paint(&format!("[{:.2}]", h.topic_score), style::DIM, color)
    )?;
    writeln!(
        out,
        "     {}",
        paint(
            &format!("{}:{}", hit.path, hit.line_start),
            style::PATH,
            color
        )
    )?;
    writeln!(out, "     {}", mark(&hit.snippet, &hit.highlights, color))?;
    writeln!(
        out,
        "     {}",
        paint(
            &format!("terms: {}", terms_line(&h.terms)),
            style::DIM,
            color
        )
    )?;
    if let Some(ex) = &h.explain {
        writeln!(
            out,
            "     score = Σ weight × (k1+1)·f / (f + K),  f = body + {}×heading,  k1 = {},  K = {} (body {} chars)",
            ex.heading_weight, ex.k1, ex.k, ex.body_len
        )?;
        // Terms padded by display width (a CJK character takes two
        // columns), so the numbers line up.
        let width = ex
            .terms
            .iter()
            .map(|t| display_width(&t.term))
            .chain([14])
            .max()
            .unwrap_or(14);
        for t in &ex.terms {
            writeln!(
                out,
                "       {} weight {:<4} body {:<3} heading {:<2} → {:.4}",
                pad(&printable(&t.term), width, false),
                t.weight,
                t.body,
                t.heading,
                t.contribution
            )?;
        }
        writeln!(
            out,
            "       {} {:>36}",
            pad("total", width, false),
            format!("{:.4}", ex.score)
        )?;
    }
    writeln!(out)
}

/// Print the next chunk of a topic's hit list.
fn print_topic_chunk<W: Write>(
    printer: &mut ListPrinter<W>,
    hits: &[TopicHit],
) -> anyhow::Result<()> {
    fn s(o: &Option<String>) -> &str {
        o.as_deref().unwrap_or("")
    }
    let rows = hits.iter().map(|h| TopicRow {
        rank: h.hit.rank,
        topic: &h.topic,
        topic_score: h.topic_score,
        bureau: s(&h.hit.bureau),
        province: s(&h.hit.province),
        city: s(&h.hit.city),
        county: s(&h.hit.county),
        report_year: h.hit.report_year,
        title: s(&h.hit.title),
        heading_path: h.hit.heading_path.join(" > "),
        terms: h
            .terms
            .iter()
            .map(|t| format!("{}×{}", t.term, t.count))
            .collect::<Vec<_>>()
            .join(";"),
        snippet: &h.hit.snippet,
        path: &h.hit.path,
        line_start: h.hit.line_start,
        line_end: h.hit.line_end,
        doc_id: &h.hit.doc_id,
        section_id: &h.hit.section_id,
    });
    printer.write(hits, rows, |out, h, color| write_topic_hit(out, h, color))
}

pub fn run(args: TopicArgs, global: &Global) -> anyhow::Result<Outcome> {
    let req = TopicRequest {
        topic: args.name.clone(),
        filters: args.filters.to_filters()?,
        limit: (args.limit > 0).then_some(args.limit),
        explain: args.explain,
    };
    let engine = global.engine()?;
    let slot = engine.resolve_topic(&req.topic)?;
    if args.count {
        let totals = engine.topic_totals(&req)?;
        let line = format!(
            "{} in {} from {}",
            counted(totals.sections, "section"),
            counted(totals.reports, "report"),
            counted(totals.bureaus, "bureau")
        );
        print_count(&mut io::stdout().lock(), args.format, &totals, &line)?;
        return Ok(Outcome::found(totals.sections));
    }
    let stdout = io::stdout();
    let mut printer = ListPrinter::new(io::BufWriter::new(stdout.lock()), args.format)
        .columns(columns::<TopicRow>());
    let hits = engine.topic(&req, LIST_CHUNK, &mut |chunk| {
        print_topic_chunk(&mut printer, &chunk)
    })?;
    printer.finish()?;
    if args.format == Format::Table {
        if hits == 0 {
            eprintln!(
                "fazhi: no section reaches score {} for topic {} (--min-score to change it)",
                engine.topic_threshold(&req.filters)?,
                engine.scored_taxonomy()?.names[slot]
            );
        } else {
            let totals = engine.topic_totals(&req)?;
            eprintln!("{}", totals_line(hits, totals.sections, totals.reports));
        }
    }
    Ok(Outcome::found(hits))
}
