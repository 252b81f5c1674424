//! `fazhi topics`: the taxonomy in use, with how many sections are mainly
//! about each topic and how many mention it at all.

use std::io::{self, Write};

use clap::Args;
use serde::Serialize;

use super::{FilterArgs, Global, Outcome};
use crate::engine::Engine;
use crate::output::{Delimited, Format, paint, style, use_color, write_delimited, write_json};
use crate::query::Filters;
use crate::topics::Taxonomy;

#[derive(Debug, Args)]
pub struct TopicsArgs {
    #[command(flatten)]
    pub filters: FilterArgs,
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also list every weighted term (table format).
    #[arg(long)]
    pub terms: bool,
}

#[derive(Debug, Serialize)]
struct WeightedTerm {
    term: String,
    weight: f64,
}

/// One topic with its section counts. Field names are the JSON contract.
#[derive(Debug, Serialize)]
struct TopicSummary {
    name: String,
    aliases: Vec<String>,
    description: String,
    /// Sections whose main topics include this one.
    main: usize,
    /// Sections discussing it substantively (score ≥ main_min).
    sections: usize,
    /// Sections scoring above 0 for it.
    mentions: usize,
    /// Reports with at least one section discussing it substantively.
    reports: usize,
    terms: Vec<WeightedTerm>,
    variants: Vec<Vec<String>>,
}

#[derive(Debug, Default, Serialize)]
struct SummaryRow<'a> {
    topic: &'a str,
    aliases: String,
    main: usize,
    sections: usize,
    mentions: usize,
    reports: usize,
    description: &'a str,
}

pub fn run(args: TopicsArgs, global: &Global) -> anyhow::Result<Outcome> {
    let filters = args.filters.to_filters()?;
    let engine = global.engine()?;
    let taxonomy = engine.scored_taxonomy()?;
    let (summaries, sections) = summarize(&engine, taxonomy, &filters)?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match args.format {
        Format::Json => write_json(&mut out, &summaries, false)?,
        Format::Jsonl => write_json(&mut out, &summaries, true)?,
        Format::Csv => write_delimited(&mut out, summaries.iter().map(row), Delimited::Csv)?,
        Format::Tsv => write_delimited(&mut out, summaries.iter().map(row), Delimited::Tsv)?,
        Format::Table => {
            let header = format!(
                "{} topics ({}), {} sections. Columns: sections mainly about the topic / discussing it / mentioning it / reports discussing it",
                taxonomy.names.len(),
                taxonomy.source(),
                sections
            );
            write_table(&mut out, &header, &summaries, args.terms)?;
        }
    }
    if sections == 0 {
        eprintln!("fazhi: no sections match the filters");
        return Ok(Outcome::NoHits);
    }
    Ok(Outcome::Done)
}

/// Each topic with its counts over the sections passing `filters` (from
/// fast fields), and how many sections passed.
fn summarize(
    engine: &Engine,
    taxonomy: &Taxonomy,
    filters: &Filters,
) -> anyhow::Result<(Vec<TopicSummary>, usize)> {
    let n = taxonomy.names.len();
    let mut main_counts = vec![0usize; n];
    let mut cover_counts = vec![0usize; n];
    let mut mention_counts = vec![0usize; n];
    // Per topic, a bit per report number: the reports discussing it.
    let mut reports: Vec<Vec<u64>> = vec![Vec::new(); n];
    let mut sections = 0usize;
    // The threshold of `topic` and `--topic` (`--min-score`).
    let threshold = engine.topic_threshold(filters)?;
    engine.scan_sections(filters, |s| {
        sections += 1;
        taxonomy.for_each_main_topic(s.scores, |slot| main_counts[slot] += 1);
        for (slot, &score) in s.scores.iter().enumerate() {
            if score > 0.0 {
                mention_counts[slot] += 1;
            }
            if score > 0.0 && score >= threshold {
                cover_counts[slot] += 1;
                let (word, bit) = (s.report as usize / 64, s.report % 64);
                let bits = &mut reports[slot];
                if bits.len() <= word {
                    bits.resize(word + 1, 0);
                }
                bits[word] |= 1 << bit;
            }
        }
    })?;
    let report_count =
        |slot: usize| -> usize { reports[slot].iter().map(|w| w.count_ones() as usize).sum() };
    let summaries = taxonomy
        .topics()
        .iter()
        .enumerate()
        .map(|(slot, t)| TopicSummary {
            name: t.name.clone(),
            aliases: t.aliases.clone(),
            description: t.description.clone(),
            main: main_counts[slot],
            sections: cover_counts[slot],
            mentions: mention_counts[slot],
            reports: report_count(slot),
            terms: t
                .terms()
                .into_iter()
                .map(|(term, weight)| WeightedTerm { term, weight })
                .collect(),
            variants: t.variants.clone(),
        })
        .collect();
    Ok((summaries, sections))
}

/// The CSV/TSV row of a topic.
fn row(s: &TopicSummary) -> SummaryRow<'_> {
    SummaryRow {
        topic: &s.name,
        aliases: s.aliases.join(";"),
        main: s.main,
        sections: s.sections,
        mentions: s.mentions,
        reports: s.reports,
        description: &s.description,
    }
}

/// The table: a dim header line, then a block per topic (with its
/// weighted terms when asked).
fn write_table(
    out: &mut impl Write,
    header: &str,
    summaries: &[TopicSummary],
    terms: bool,
) -> io::Result<()> {
    let color = use_color();
    writeln!(out, "{}", paint(header, style::DIM, color))?;
    for s in summaries {
        let aliases = if s.aliases.is_empty() {
            String::new()
        } else {
            format!(" ({})", s.aliases.join(", "))
        };
        writeln!(
            out,
            "{:>5} {:>5} {:>5} {:>4}  {}{}",
            s.main,
            s.sections,
            s.mentions,
            s.reports,
            paint(&s.name, style::BOLD, color),
            paint(&aliases, style::DIM, color)
        )?;
        if !s.description.is_empty() {
            writeln!(out, "                        {}", s.description)?;
        }
        if terms {
            let terms: Vec<String> = s
                .terms
                .iter()
                .map(|t| format!("{}:{}", t.term, t.weight))
                .collect();
            writeln!(
                out,
                "                        {}",
                paint(&terms.join(" "), style::DIM, color)
            )?;
        }
    }
    out.flush()
}
