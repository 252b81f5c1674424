//! `fazhi bureaus` (being written).

use std::process::ExitCode;

use clap::Args;

use super::Global;

#[derive(Debug, Args)]
pub struct BureausArgs {}

pub fn run(_args: BureausArgs, _global: &Global) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`fazhi bureaus` is not available yet")
}
