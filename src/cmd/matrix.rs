//! `fazhi matrix` (being written).

use std::process::ExitCode;

use clap::Args;

use super::Global;

#[derive(Debug, Args)]
pub struct MatrixArgs {}

pub fn run(_args: MatrixArgs, _global: &Global) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`fazhi matrix` is not available yet")
}
