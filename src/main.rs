//! The `fazhi` binary: arguments in, [`fazhi::cmd::run`] out.

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
    match fazhi::cmd::Cli::try_parse_from(protect_exclusions(std::env::args_os())) {
        Ok(cli) => fazhi::cmd::run(cli),
        Err(err) if !err.use_stderr() => err.exit(), // --help, --version
        Err(err) => {
            // Every error starts `fazhi:`, the argument parser's too.
            let text = err.render().to_string();
            let text = text.strip_prefix("error: ").unwrap_or(&text);
            eprint!("fazhi: {text}");
            ExitCode::from(2)
        }
    }
}
