//! Subcommands, one file each. Every `run` returns the process exit code:
//! 0 ok, 1 no hits, 2 usage or input error (see README "Exit codes").

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::query::{Filters, Query, parse_years};

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
    pub fn to_filters(&self) -> Result<Filters, String> {
        Ok(Filters {
            bureau: self.bureau.clone(),
            province: self.province.clone(),
            city: self.city.clone(),
            county: self.county.clone(),
            years: self.year.as_deref().map(parse_years).transpose()?,
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

/// Print a one-line error and return exit code 2.
pub fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("fazhi: {message}");
    ExitCode::from(2)
}

/// Parse a query, or print the error with a pointer and return exit code 2.
pub fn parse_query_or_exit(text: &str) -> Result<Query, ExitCode> {
    crate::query::parse::parse(text).map_err(|e| {
        eprintln!("fazhi: {e}");
        eprintln!("{}", e.pointer());
        ExitCode::from(2)
    })
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
        Ok(code) => code,
        Err(err) if crate::output::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => fail(format!("{err:#}")),
    }
}
