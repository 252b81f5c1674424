//! `fazhi topic` (being written).

use std::process::ExitCode;

use clap::Args;

use super::Global;

#[derive(Debug, Args)]
pub struct TopicArgs {}

pub fn run(_args: TopicArgs, _global: &Global) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`fazhi topic` is not available yet")
}
