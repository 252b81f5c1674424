//! Subcommands, one file each, thin: arguments → a request to the
//! [`Engine`] → output. No command module uses another; what two need is
//! in the library or here.
//!
//! Every `run` returns an [`Outcome`] or an error, and [`run`] alone turns
//! them into the exit code: 0 ok, 1 no hits, 2 usage or input error (see
//! README "Exit codes").

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::engine::{self, Engine};
use crate::output::printable;
use crate::query::{Filters, parse_years};

pub mod bureaus;
pub mod export;
pub mod index;
pub mod matrix;
pub mod parse;
pub mod search;
pub mod show;
pub mod stats;
pub mod topic;
pub mod topics;

/// Options every subcommand accepts.
#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Folder of reports (.txt, .html, .docx, .md).
    #[arg(long, global = true, default_value = "corpus", env = "FAZHI_CORPUS")]
    pub corpus: PathBuf,
    /// Index folder.
    #[arg(long, global = true, default_value = "index", env = "FAZHI_INDEX")]
    pub index: PathBuf,
    /// Topic taxonomy file (default: topics.toml beside the corpus, else built in).
    #[arg(long, global = true, env = "FAZHI_TAXONOMY", value_name = "FILE")]
    pub taxonomy: Option<PathBuf>,
    /// Your own metadata per file: CSV or JSONL with `path` plus any of url,
    /// bureau, title, report_year, publish_date, province, city, county
    /// (default: metadata.csv or metadata.jsonl in the corpus folder).
    #[arg(long, global = true, env = "FAZHI_METADATA", value_name = "FILE")]
    pub metadata: Option<PathBuf>,
}

impl Global {
    /// The engine over this invocation's index (built first when missing).
    pub fn engine(&self) -> anyhow::Result<Engine> {
        Engine::open(
            &self.index,
            &self.corpus,
            self.taxonomy.as_deref(),
            self.metadata.as_deref(),
        )
    }
}

/// How a command ended, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Done,
    /// Exit 1: nothing matched.
    NoHits,
    /// Exit 2: some inputs failed; each was reported on stderr.
    Incomplete,
}

impl Outcome {
    /// `Done` when something was found, else `NoHits`.
    pub fn found(n: usize) -> Outcome {
        if n == 0 {
            Outcome::NoHits
        } else {
            Outcome::Done
        }
    }
}

/// Filters shared by the listing commands.
#[derive(Debug, Clone, Default, Args)]
pub struct FilterArgs {
    /// Only bureaus whose name contains this (e.g. 教育局, 宁县).
    #[arg(long)]
    pub bureau: Option<String>,
    /// Only this province (name or part of it, or 2-digit code).
    #[arg(long)]
    pub province: Option<String>,
    /// Only this prefecture-level city (name or 4-digit code).
    #[arg(long)]
    pub city: Option<String>,
    /// Only this county-level unit (name or 6-digit code).
    #[arg(long)]
    pub county: Option<String>,
    /// Report year or range: 2021, 2020..2023, 2020.., ..2023.
    #[arg(long)]
    pub year: Option<String>,
}

impl FilterArgs {
    pub fn to_filters(&self) -> Result<Filters, engine::Error> {
        Ok(Filters {
            bureau: self.bureau.clone(),
            province: self.province.clone(),
            city: self.city.clone(),
            county: self.county.clone(),
            years: self
                .year
                .as_deref()
                .map(parse_years)
                .transpose()
                .map_err(engine::Error::BadRequest)?,
            topic: None,
        })
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "fazhi",
    version,
    about = "Search Chinese rule-of-law government reports (法治政府建设报告)",
    after_help = "Exit codes: 0 ok, 1 no hits, 2 usage or input error."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse report files and print their metadata and section outline.
    Parse(parse::ParseArgs),
    /// Build or update the index from the corpus (incremental).
    Index(index::IndexArgs),
    /// Search sections: `fazhi search 法律顾问 合法性审查 --within sentence`.
    Search(search::SearchArgs),
    /// Print a section or a whole report by id or path[:line].
    Show(show::ShowArgs),
    /// Corpus totals and index size.
    Stats(stats::StatsArgs),
    /// Sections ranked by a topic (普法, 行政执法, 合法性审查 …).
    Topic(topic::TopicArgs),
    /// The topic taxonomy with section counts.
    Topics(topics::TopicsArgs),
    /// Bureaus × topics coverage (table, CSV, JSON or an HTML heatmap).
    Matrix(matrix::MatrixArgs),
    /// Which bureaus mention a practice (`--all` lists those that do not).
    Bureaus(bureaus::BureausArgs),
    /// Export every hit of a query or topic to CSV, XLSX, JSON or JSONL.
    Export(export::ExportArgs),
}

pub fn run(cli: Cli) -> ExitCode {
    let global = cli.global;
    let result = match cli.command {
        Command::Parse(args) => parse::run(args, &global),
        Command::Index(args) => index::run(args, &global),
        Command::Search(args) => search::run(args, &global),
        Command::Show(args) => show::run(args, &global),
        Command::Stats(args) => stats::run(args, &global),
        Command::Topic(args) => topic::run(args, &global),
        Command::Topics(args) => topics::run(args, &global),
        Command::Matrix(args) => matrix::run(args, &global),
        Command::Bureaus(args) => bureaus::run(args, &global),
        Command::Export(args) => export::run(args, &global),
    };
    match result {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::NoHits) => ExitCode::from(1),
        Ok(Outcome::Incomplete) => ExitCode::from(2),
        Err(err) if crate::output::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("fazhi: {}", printable(&format!("{err:#}")));
            if let Some(engine::Error::BadQuery(e)) = err.downcast_ref() {
                eprintln!("{}", e.pointer());
            }
            ExitCode::from(2)
        }
    }
}
