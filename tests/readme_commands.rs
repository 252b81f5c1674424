//! Every command line shown in the README's shell code blocks runs on the
//! bundled corpus and succeeds, so the README cannot drift from the CLI.
//!
//! A line counts when it starts with `fazhi ` or `cargo run … -- ` (then
//! the words after `--` are fazhi's); a trailing `# comment` and anything
//! after a pipe or a redirection are left out (the command itself is what
//! is checked). Other lines (`cargo test`, `cargo install`) are skipped.
//! `fazhi serve` runs until stopped: it is started on a free port, must
//! print its start line, and is then stopped.

mod common;

use common::{Fixture, repo, stderr};

/// The shell code blocks' lines (```sh, ```bash, ```console, or no language).
fn shell_lines(readme: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut in_shell: Option<bool> = None;
    for line in readme.lines() {
        let trimmed = line.trim_start();
        if let Some(lang) = trimmed.strip_prefix("```") {
            in_shell = match in_shell {
                Some(_) => None,
                None => Some(matches!(lang.trim(), "sh" | "bash" | "console" | "shell")),
            };
            continue;
        }
        if in_shell == Some(true) {
            lines.push(line.trim().trim_start_matches("$ ").to_string());
        }
    }
    lines
}

/// Split a command line into words: whitespace-separated, with '…' and
/// "…" quoting; stops at an unquoted `#` comment, `|`, `>` or `<`.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut has_word = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => word.push(c),
            None => match c {
                '\'' | '"' => {
                    quote = Some(c);
                    has_word = true;
                }
                '#' if !has_word => break,
                '|' | '>' | '<' => break,
                c if c.is_whitespace() => {
                    if has_word {
                        out.push(std::mem::take(&mut word));
                        has_word = false;
                    }
                }
                c => {
                    word.push(c);
                    has_word = true;
                }
            },
        }
    }
    if has_word {
        out.push(word);
    }
    out
}

/// fazhi's arguments on a README line, if it runs fazhi.
fn fazhi_args(line: &str) -> Option<Vec<String>> {
    let w = words(line);
    match w.first().map(String::as_str) {
        Some("fazhi") => Some(w[1..].to_vec()),
        Some("cargo") if w.get(1).is_some_and(|s| s == "run") => {
            let dash = w.iter().position(|s| s == "--")?;
            Some(w[dash + 1..].to_vec())
        }
        _ => None,
    }
}

#[test]
fn the_splitter_reads_shell_lines() {
    assert_eq!(
        words("fazhi search \"双随机、一公开\" -n 5 -f csv > hits.csv   # note"),
        ["fazhi", "search", "双随机、一公开", "-n", "5", "-f", "csv"]
    );
    assert_eq!(
        fazhi_args("cargo run --release -- search 法律顾问 --within sentence   # x").unwrap(),
        ["search", "法律顾问", "--within", "sentence"]
    );
    assert_eq!(fazhi_args("cargo test   # the tests"), None);
    assert_eq!(words("fazhi search '' x"), ["fazhi", "search", "", "x"]);
}

#[test]
fn every_readme_command_succeeds_on_the_bundled_corpus() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let commands: Vec<Vec<String>> = shell_lines(&readme)
        .iter()
        .filter_map(|l| fazhi_args(l))
        .collect();
    assert!(
        commands.len() >= 5,
        "the README shows fazhi commands: {commands:?}"
    );
    // One folder for all, in README order (the first builds the index).
    let fx = Fixture::new();
    for args in &commands {
        if args.first().is_some_and(|a| a == "serve") {
            serves(&fx, args);
            continue;
        }
        let out = fx.cmd().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "README command `fazhi {}` failed ({:?}): {}",
            args.join(" "),
            out.status.code(),
            stderr(&out)
        );
    }
}

/// Start a README `serve` line (on a free port, whatever address it
/// names), check that it says where it serves, and stop it.
fn serves(fx: &Fixture, args: &[String]) {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let mut args = args.to_vec();
    if let Some(at) = args.iter().position(|a| a == "--addr") {
        args.drain(at..(at + 2).min(args.len()));
    }
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("fazhi"))
        .current_dir(fx.dir.path())
        .args(&args)
        .args(["--addr", "127.0.0.1:0"])
        .env_remove("FAZHI_INDEX")
        .env_remove("FAZHI_CORPUS")
        .env_remove("FAZHI_METADATA")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        line.starts_with("fazhi: serving http://127.0.0.1:"),
        "README command `fazhi {}` did not start: {line:?}",
        args.join(" ")
    );
}
