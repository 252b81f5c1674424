use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = fazhi::cmd::Cli::parse();
    fazhi::cmd::run(cli)
}
