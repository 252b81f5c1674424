//! `fazhi export` (being written).

use std::process::ExitCode;

use clap::Args;

use super::Global;

#[derive(Debug, Args)]
pub struct ExportArgs {}

pub fn run(_args: ExportArgs, _global: &Global) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`fazhi export` is not available yet")
}
