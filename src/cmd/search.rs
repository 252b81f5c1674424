//! `fazhi search QUERY`: ranked sections matching a query.

use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{FilterArgs, Global, parse_query_or_exit};
use crate::index::open_or_build;
use crate::output::{Format, ListPrinter, print_hit_chunk};
use crate::query::{LIST_CHUNK, SearchOptions, TopicBoost, Within, search_chunked};

/// `search --topic`: BM25 score + this × the section's topic score.
const TOPIC_BOOST: f32 = 0.25;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum WithinArg {
    /// All terms in one sentence (同句).
    Sentence,
    /// All terms in one paragraph (同段).
    Paragraph,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Query: terms (AND), `A OR B`, `-A` to exclude, "exact phrase".
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Require all terms inside one sentence or paragraph.
    #[arg(long, value_enum)]
    pub within: Option<WithinArg>,
    /// Only sections that discuss this topic (name or alias, see `fazhi topics`),
    /// ranked higher the more they do.
    #[arg(long)]
    pub topic: Option<String>,
    /// Maximum hits (0 = all).
    #[arg(long, short = 'n', default_value_t = 10)]
    pub limit: usize,
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn run(args: SearchArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let query = match parse_query_or_exit(&args.query.join(" ")) {
        Ok(q) => q,
        Err(code) => return Ok(code),
    };
    let filters = match args.filters.to_filters() {
        Ok(f) => f,
        Err(msg) => return Ok(super::fail(msg)),
    };
    let (handle, topic) = match &args.topic {
        None => (
            open_or_build(&global.index, &global.corpus, global.taxonomy.as_deref())?,
            None,
        ),
        Some(name) => {
            let (handle, taxonomy) = super::topic::open_scored(global)?;
            let slot = match super::topic::resolve_topic(&taxonomy, name) {
                Ok(slot) => slot,
                Err(code) => return Ok(code),
            };
            let boost = TopicBoost {
                slot,
                min_score: taxonomy.scoring().main_min,
                weight: TOPIC_BOOST,
            };
            (handle, Some(boost))
        }
    };
    let opts = SearchOptions {
        filters,
        limit: (args.limit > 0).then_some(args.limit),
        within: args.within.map(|w| match w {
            WithinArg::Sentence => Within::Sentence,
            WithinArg::Paragraph => Within::Paragraph,
        }),
    };
    let stdout = std::io::stdout();
    let mut printer = ListPrinter::new(std::io::BufWriter::new(stdout.lock()), args.format);
    let hits = search_chunked(&handle, &query, &opts, topic, LIST_CHUNK, &mut |chunk| {
        print_hit_chunk(&mut printer, &chunk)
    })?;
    printer.finish()?;
    if hits == 0 {
        if args.format == Format::Table {
            eprintln!("fazhi: no sections match");
        }
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
