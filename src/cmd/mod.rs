//! Subcommands, one file each. Every `run` returns the process exit code:
//! 0 ok, 1 no hits, 2 usage or input error (see README "Exit codes").

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

pub mod parse;

/// Options every subcommand accepts.
#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Folder of reports (.txt, .html, .docx, .md).
    #[arg(long, global = true, default_value = "corpus", env = "FAZHI_CORPUS")]
    pub corpus: PathBuf,
    /// Index folder.
    #[arg(long, global = true, default_value = "index", env = "FAZHI_INDEX")]
    pub index: PathBuf,
}

#[derive(Debug, Parser)]
#[command(name = "fazhi", version, about = "Search Chinese rule-of-law government reports (法治政府建设报告)")]
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
}

/// An error that maps to exit code 2 with a one-line message.
pub fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("fazhi: {message}");
    ExitCode::from(2)
}

pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Parse(args) => parse::run(args, &cli.global),
    };
    match result {
        Ok(code) => code,
        Err(err) => fail(format!("{err:#}")),
    }
}
