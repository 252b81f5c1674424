use std::process::ExitCode;

use clap::Parser;

/// Rewrite query exclusions such as `-宪法` or `-"双随机"` to use the
/// full-width minus (which the query language also accepts), so that the
/// argument parser does not take them for flags. Latin exclusions need
/// `--` before the query, like any argument that starts with '-'.
fn protect_exclusions(args: impl Iterator<Item = std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let mut after_double_dash = false;
    args.map(|arg| {
        if after_double_dash {
            return arg;
        }
        if arg == "--" {
            after_double_dash = true;
            return arg;
        }
        match arg.to_str() {
            Some(s)
                if s.starts_with('-')
                    && s[1..].starts_with(|c: char| !c.is_ascii() || c == '"') =>
            {
                format!("－{}", &s[1..]).into()
            }
            _ => arg,
        }
    })
    .collect()
}

fn main() -> ExitCode {
    let cli = fazhi::cmd::Cli::parse_from(protect_exclusions(std::env::args_os()));
    fazhi::cmd::run(cli)
}
