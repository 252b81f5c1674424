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
use crate::index::IndexError;
use crate::output::printable;
use crate::query::{AdminLevel, Filters, parse_years};

pub mod adoption;
pub mod bureaus;
pub mod export;
pub mod index;
pub mod kwic;
pub mod matrix;
pub mod parse;
pub mod reuse;
pub mod search;
pub mod serve;
pub mod show;
pub mod stats;
pub mod topic;
pub mod topics;
pub mod trend;

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
    /// The engine over this invocation's index. Only the default index
    /// (`./index`) is built first when missing, as the README's first
    /// command expects; a folder the user named must hold an index.
    pub fn engine(&self) -> anyhow::Result<Engine> {
        if index_named_by_user() {
            return Engine::open_existing(&self.index, &self.corpus, self.taxonomy.as_deref());
        }
        Engine::open(
            &self.index,
            &self.corpus,
            self.taxonomy.as_deref(),
            self.metadata.as_deref(),
        )
    }
}

/// Whether this process was given an index folder (`--index DIR`,
/// `--index=DIR` or `FAZHI_INDEX`) rather than using the default. Read from
/// the process's arguments, since the parsed value cannot tell `--index
/// index` from the default; arguments after `--` are query text.
fn index_named_by_user() -> bool {
    if std::env::var_os("FAZHI_INDEX").is_some_and(|v| !v.is_empty()) {
        return true;
    }
    std::env::args_os()
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| a == "--index" || a.as_encoded_bytes().starts_with(b"--index="))
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
    /// Only this province: name (浙江, 浙江省) or GB/T 2260 code (33, 330000).
    #[arg(long)]
    pub province: Option<String>,
    /// Only this prefecture-level city: name (庆阳) or code (6210, 621000).
    #[arg(long)]
    pub city: Option<String>,
    /// Only this county-level unit: name (宁县) or 6-digit code (621026).
    #[arg(long)]
    pub county: Option<String>,
    /// Only bureaus of this administrative level: national, province, city,
    /// county or township (国家, 省, 市, 县, 乡镇).
    #[arg(long, value_name = "LEVEL")]
    pub level: Option<String>,
    /// Only bureaus of this department type, or types containing it (教育,
    /// 司法局, 人社局).
    #[arg(long, value_name = "TYPE")]
    pub dept: Option<String>,
    /// Report year or range: 2021, 2021年, 2021年度, 2020-2023, 2020..2023, 2020.., ..2023.
    #[arg(long)]
    pub year: Option<String>,
    /// The topic score from which a section counts as one of a topic's
    /// sections (`--topic`, `topic`, `topics`, `matrix`; default: the
    /// taxonomy's main_min, 6).
    #[arg(long, value_name = "SCORE")]
    pub min_score: Option<f64>,
}

impl FilterArgs {
    pub fn to_filters(&self) -> Result<Filters, engine::Error> {
        // An empty value would filter everything out (or in) silently.
        let given = |flag: &str, value: &Option<String>| -> Result<Option<String>, engine::Error> {
            match value {
                Some(v) if v.trim().is_empty() => Err(engine::Error::BadRequest(format!(
                    "--{flag}: empty value; leave the option out to keep every report"
                ))),
                Some(v) => Ok(Some(v.trim().to_string())),
                None => Ok(None),
            }
        };
        if let Some(x) = self.min_score
            && !(x.is_finite() && x >= 0.0)
        {
            return Err(engine::Error::BadRequest(format!(
                "--min-score {x}: use a number of 0 or more"
            )));
        }
        Ok(Filters {
            bureau: given("bureau", &self.bureau)?,
            province: given("province", &self.province)?,
            city: given("city", &self.city)?,
            county: given("county", &self.county)?,
            level: given("level", &self.level)?
                .map(|l| AdminLevel::parse(&l))
                .transpose()
                .map_err(engine::Error::BadRequest)?,
            dept: given("dept", &self.dept)?,
            years: given("year", &self.year)?
                .map(|y| parse_years(&y))
                .transpose()
                .map_err(engine::Error::BadRequest)?,
            topic: None,
            min_score: self.min_score,
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
    /// Pairs of reports that share passages (text reuse, copies, reposts).
    Reuse(reuse::ReuseArgs),
    /// Web page and JSON API over the index: `fazhi serve --addr 127.0.0.1:7878`.
    Serve(serve::ServeArgs),
    /// Share of reports mentioning queries per year or place (table, chart).
    Trend(trend::TrendArgs),
    /// When each bureau first mentions a practice; --panel: bureau × year.
    Adoption(adoption::AdoptionArgs),
    /// Concordance lines: each occurrence in its context.
    Kwic(kwic::KwicArgs),
}

pub fn run(cli: Cli) -> ExitCode {
    let global = cli.global;
    // Everything but `parse` works on the index: its panics and damage
    // errors become one typed error (engine::guard).
    let uses_index = !matches!(cli.command, Command::Parse(_));
    let index_dir = global.index.clone();
    let run_command = || match cli.command {
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
        Command::Trend(args) => trend::run(args, &global),
        Command::Adoption(args) => adoption::run(args, &global),
        Command::Kwic(args) => kwic::run(args, &global),
        Command::Reuse(args) => reuse::run(args, &global),
        Command::Serve(args) => serve::run(args, &global),
    };
    let result = if uses_index {
        engine::guarded(&index_dir, run_command)
    } else {
        run_command()
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
            ExitCode::from(exit_code(&err))
        }
    }
}

/// The exit code of a failed command: 2 for every usage or input error,
/// typed (a bad query, a locked, damaged or missing index …) or not.
fn exit_code(err: &anyhow::Error) -> u8 {
    match err.downcast_ref::<engine::Error>() {
        Some(
            engine::Error::BadQuery(_)
            | engine::Error::BadRequest(_)
            | engine::Error::UnknownTopic { .. }
            | engine::Error::MissingIndex { .. }
            | engine::Error::TaxonomyMismatch { .. },
        ) => 2,
        Some(engine::Error::Index(
            IndexError::Locked { .. }
            | IndexError::VersionMismatch { .. }
            | IndexError::Damaged { .. }
            | IndexError::Missing { .. }
            | IndexError::NotAnIndex { .. },
        )) => 2,
        None => 2,
    }
}
