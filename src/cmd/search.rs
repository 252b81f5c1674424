//! `fazhi search QUERY`: ranked sections matching a query.

use clap::{Args, ValueEnum};

use super::{FilterArgs, Global, Outcome};
use crate::engine::{SearchRequest, parse_query};
use crate::output::{
    Format, HIT_COLUMNS, ListPrinter, counted, print_count, print_hit_chunk, totals_line,
};
use crate::query::{LIST_CHUNK, Within};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum WithinArg {
    /// All terms in one sentence (同句).
    Sentence,
    /// All terms in one paragraph (同段).
    Paragraph,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Query language (a term matches as the string typed; punctuation, spaces, width and
traditional/simplified script do not matter; no match spans title, heading and body):
  法律顾问 合法性审查              both (AND; also `AND`, or `，` `；` between terms)
  法律顾问 OR 公职律师              either (also `ＯＲ`, `|`)
  普法 -宪法                       普法 but not 宪法 (also `NOT 宪法`)
  \"双随机、一公开\"                 an exact phrase (`、` stays inside a term anyway)
  (法律顾问 OR 公职律师) 合法性审查   parentheses group (also `（ ）`)
  法律顾问 NEAR/10 合法性审查        both within 10 characters, either order
Precedence, tightest first: NEAR/n, then -/NOT, then OR, then AND: `A OR B C` is
`(A OR B) C`. Operators are written in capitals; quote them to search the word.
At most 1000 characters and 64 different terms. Latin exclusions: `-- 普法 -covid`.")]
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
    /// Print only how many sections, reports and bureaus match.
    #[arg(long)]
    pub count: bool,
}

pub fn run(args: SearchArgs, global: &Global) -> anyhow::Result<Outcome> {
    let req = SearchRequest {
        query: parse_query(&args.query.join(" "))?,
        filters: args.filters.to_filters()?,
        topic: args.topic.clone(),
        within: args.within.map(|w| match w {
            WithinArg::Sentence => Within::Sentence,
            WithinArg::Paragraph => Within::Paragraph,
        }),
        limit: (args.limit > 0).then_some(args.limit),
    };
    let engine = global.engine()?;
    if args.count {
        let totals = engine.search_totals(&req)?;
        let line = format!(
            "{} in {} from {}",
            counted(totals.sections, "section"),
            counted(totals.reports, "report"),
            counted(totals.bureaus, "bureau")
        );
        print_count(&mut std::io::stdout().lock(), args.format, &totals, &line)?;
        return Ok(Outcome::found(totals.sections));
    }
    let stdout = std::io::stdout();
    let mut printer = ListPrinter::new(std::io::BufWriter::new(stdout.lock()), args.format)
        .columns(HIT_COLUMNS.to_vec());
    let hits = engine.search(&req, LIST_CHUNK, &mut |chunk| {
        print_hit_chunk(&mut printer, &chunk)
    })?;
    printer.finish()?;
    if args.format == Format::Table {
        if hits == 0 {
            eprintln!("fazhi: no sections match");
        } else {
            let totals = engine.search_totals(&req)?;
            eprintln!("{}", totals_line(hits, totals.sections, totals.reports));
        }
    }
    Ok(Outcome::found(hits))
}
