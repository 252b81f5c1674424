//! `fazhi parse FILE...`: print parsed reports.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::Global;

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Report files to parse.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
}

pub fn run(args: ParseArgs, _global: &Global) -> anyhow::Result<ExitCode> {
    let _ = args;
    todo!("helper B")
}
