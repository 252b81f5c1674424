//! `fazhi topics` (being written).

use std::process::ExitCode;

use clap::Args;

use super::Global;

#[derive(Debug, Args)]
pub struct TopicsArgs {}

pub fn run(_args: TopicsArgs, _global: &Global) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`fazhi topics` is not available yet")
}
