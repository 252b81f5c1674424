//! The command-line surface, run as a user would with the real binary:
//! one CSV writer with the formula guard on every command that writes CSV,
//! `-f`/`-n` everywhere, totals and `--count`, the export's `text` column,
//! empty results that keep their shape, output files (matrix like export;
//! devices, FIFOs and `-o -`), one language per surface, and terminal
//! escapes from report text and file names shown, never obeyed.

use std::collections::HashSet;

use serde_json::Value;

mod common;

use common::{Fixture, stderr, stdout};

/// A report that opens with a spreadsheet formula and carries terminal
/// escapes: a title change (OSC 0), a screen clear, a clipboard write (OSC 52).
const HOSTILE: &str = "=SUM(1+2)某县司法局2021年度法治政府建设工作报告\n\
=SUM(1+2)开展普法宣传，深化普法教育，落实普法责任制。\n\
一、普法工作\n\
\u{1b}]0;owned\u{7}开展普法宣传\u{1b}[2J进校园活动，\u{1b}]52;c;ZWNobyBvd25lZA==\u{7}普法宣传月。\n";

/// The corpus plus the hostile report, whose bureau (from the metadata
/// file) starts with a formula too; indexed.
fn hostile_fixture() -> Fixture {
    let fx = Fixture::new();
    std::fs::write(fx.corpus().join("999_hostile.txt"), HOSTILE).unwrap();
    std::fs::write(
        fx.corpus().join("metadata.csv"),
        "path,bureau\n999_hostile.txt,=SUM(1+2)县司法局\n",
    )
    .unwrap();
    let out = fx.run(&["index", "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    fx
}

/// The cells of a CSV/TSV output.
fn cells(text: &str, delimiter: u8) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// No cell a spreadsheet would run as a formula, no raw ESC; and the
/// hostile text is there, guarded.
fn assert_guarded(what: &str, text: &str, delimiter: u8) {
    assert!(!text.contains('\u{1b}'), "{what}: raw ESC in {text}");
    let rows = cells(text, delimiter);
    let mut seen = false;
    for cell in rows.iter().flatten() {
        if cell.parse::<f64>().is_ok() {
            continue;
        }
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "{what}: unguarded cell {cell:?}"
        );
        seen |= cell.starts_with("'=SUM(1+2)");
    }
    assert!(seen, "{what}: the formula cell is missing:\n{text}");
}

#[test]
fn every_csv_is_written_with_the_formula_guard() {
    let fx = hostile_fixture();
    let runs: [(&str, &[&str], u8); 8] = [
        (
            "search csv",
            &["search", "普法宣传", "-n", "0", "-f", "csv"],
            b',',
        ),
        (
            "search tsv",
            &["search", "普法宣传", "-n", "0", "-f", "tsv"],
            b'\t',
        ),
        (
            "topic csv",
            &["topic", "普法", "-n", "0", "-f", "csv"],
            b',',
        ),
        (
            "topic tsv",
            &["topic", "普法", "-n", "0", "-f", "tsv"],
            b'\t',
        ),
        ("bureaus csv", &["bureaus", "普法宣传", "-f", "csv"], b','),
        ("bureaus tsv", &["bureaus", "普法宣传", "-f", "tsv"], b'\t'),
        ("matrix csv", &["matrix", "-f", "csv"], b','),
        (
            "stats --unknown csv",
            &["stats", "--unknown", "-f", "csv"],
            b',',
        ),
    ];
    for (what, args, delimiter) in runs {
        let out = fx.run(args);
        assert!(out.status.success(), "{what}: {}", stderr(&out));
        assert_guarded(what, &stdout(&out), delimiter);
    }
    let dest = fx.dir.path().join("x.csv");
    let out = fx.run(&["export", "普法宣传", "-o", dest.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_guarded("export csv", &std::fs::read_to_string(&dest).unwrap(), b',');
}

/// `search -n 0 -f csv` and `export --no-text --no-bom` write the same
/// bytes: one writer.
#[test]
fn search_csv_is_the_export_csv() {
    let fx = hostile_fixture();
    let dest = fx.dir.path().join("x.csv");
    let out = fx.run(&[
        "export",
        "普法",
        "-o",
        dest.to_str().unwrap(),
        "--no-text",
        "--no-bom",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let search = fx.run(&["search", "普法", "-n", "0", "-f", "csv"]);
    assert_eq!(stdout(&search), std::fs::read_to_string(&dest).unwrap());
}

#[test]
fn short_flags_everywhere() {
    let fx = Fixture::indexed();
    let file = fx.corpus().join("000_700b0228d684de86.txt");
    let runs: [&[&str]; 7] = [
        &["parse", "-f", "json", file.to_str().unwrap()],
        &["search", "普法", "-n", "1", "-f", "json"],
        &["topic", "普法", "-n", "1", "-f", "json"],
        &["bureaus", "普法", "-n", "1", "-f", "json"],
        &["topics", "-f", "json"],
        &["matrix", "-f", "json"],
        &["stats", "-f", "json"],
    ];
    for args in runs {
        let out = fx.run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        if args.contains(&"-n") {
            assert_eq!(v.as_array().unwrap().len(), 1, "{args:?}");
        }
    }
}

/// Sections, distinct reports and distinct bureaus of a JSON hit list.
fn totals_of(hits: &[Value]) -> Value {
    let distinct = |key: &str| {
        hits.iter()
            .filter_map(|h| h[key].as_str())
            .collect::<HashSet<_>>()
            .len()
    };
    serde_json::json!({
        "sections": hits.len(),
        "reports": distinct("doc_id"),
        "bureaus": distinct("bureau"),
    })
}

#[test]
fn totals_line_and_count() {
    let fx = Fixture::indexed();
    for (list, count) in [
        (vec!["search", "法治"], vec!["search", "法治", "--count"]),
        (
            vec!["search", "法律顾问", "合法性审查", "--within", "sentence"],
            vec![
                "search",
                "法律顾问",
                "合法性审查",
                "--within",
                "sentence",
                "--count",
            ],
        ),
        (vec!["topic", "普法"], vec!["topic", "普法", "--count"]),
    ] {
        let all: Vec<&str> = list
            .iter()
            .copied()
            .chain(["-n", "0", "-f", "json"])
            .collect();
        let hits: Vec<Value> = serde_json::from_slice(&fx.run(&all).stdout).unwrap();
        let want = totals_of(&hits);
        let json: Vec<&str> = count.iter().copied().chain(["-f", "json"]).collect();
        let out = fx.run(&json);
        assert!(out.status.success(), "{count:?}: {}", stderr(&out));
        assert_eq!(serde_json::from_slice::<Value>(&out.stdout).unwrap(), want);
        let csv: Vec<&str> = count.iter().copied().chain(["-f", "csv"]).collect();
        let n = &want["sections"];
        let (r, b) = (&want["reports"], &want["bureaus"]);
        assert_eq!(
            stdout(&fx.run(&csv)),
            format!("sections,reports,bureaus\r\n{n},{r},{b}\r\n")
        );

        // The table ends with the totals on stderr.
        let out = fx.run(&list);
        let last = stderr(&out);
        let last = last.lines().last().unwrap_or("");
        let shown = stdout(&out)
            .lines()
            .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
            .filter(|l| l.contains(". "))
            .count();
        let sections = want["sections"].as_u64().unwrap() as usize;
        let reports = want["reports"].as_u64().unwrap();
        let noun = |n: u64, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
        let expected = if shown < sections {
            format!(
                "{shown} of {} in {}; -n 0 for all",
                noun(sections as u64, "section"),
                noun(reports, "report")
            )
        } else {
            format!(
                "{} in {}",
                noun(sections as u64, "section"),
                noun(reports, "report")
            )
        };
        assert_eq!(last, expected, "{list:?}");
    }
    let out = fx.run(&["search", "不存在的词语组合", "--count"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "0 sections in 0 reports from 0 bureaus\n");
}

#[test]
fn export_carries_the_whole_text_unless_no_text() {
    let fx = Fixture::indexed();
    let dest = fx.dir.path().join("x.jsonl");
    let out = fx.run(&["export", "普法", "-o", dest.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let hits = common::jsonl(&dest);
    assert!(hits.len() > 3);
    for h in &hits {
        let shown = fx.run(&["show", h["section_id"].as_str().unwrap(), "-f", "json"]);
        let s: Value = serde_json::from_slice(&shown.stdout).unwrap();
        let s = if s.is_array() { s[0].clone() } else { s };
        let (heading, body) = (s["heading"].as_str().unwrap(), s["body"].as_str().unwrap());
        let whole = match (heading.is_empty(), body.is_empty()) {
            (true, _) => body.to_string(),
            (false, true) => heading.to_string(),
            _ => format!("{heading}\n{body}"),
        };
        assert_eq!(h["text"].as_str().unwrap(), whole);
    }
    // CSV: the last column; XLSX too; --no-text leaves it out.
    let csv_path = fx.dir.path().join("x.csv");
    fx.run(&["export", "普法", "-o", csv_path.to_str().unwrap()]);
    let rows = cells(&std::fs::read_to_string(&csv_path).unwrap(), b',');
    assert_eq!(rows[0].last().unwrap(), "text");
    assert_eq!(rows[1].last().unwrap(), hits[0]["text"].as_str().unwrap());
    let xlsx = fx.dir.path().join("x.xlsx");
    fx.run(&["export", "普法", "-o", xlsx.to_str().unwrap()]);
    use calamine::{Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let sheet = wb.worksheet_range("hits").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header.last().unwrap(), "text");
    let first: Vec<String> = sheet
        .rows()
        .nth(1)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(first.last().unwrap(), hits[0]["text"].as_str().unwrap());
    let out = fx.run(&[
        "export",
        "普法",
        "-o",
        csv_path.to_str().unwrap(),
        "--no-text",
        "--force",
    ]);
    assert!(out.status.success());
    let rows = cells(&std::fs::read_to_string(&csv_path).unwrap(), b',');
    assert_eq!(rows[0].last().unwrap(), "url");
}

#[test]
fn empty_results_keep_their_shape_and_exit_1() {
    let fx = Fixture::indexed();
    let nothing = "不存在的词语组合";
    let lists: [&[&str]; 4] = [
        &["search", nothing],
        &["topic", "普法", "--year", "1999"],
        &["bureaus", nothing],
        &["matrix", "--year", "1999"],
    ];
    for list in lists {
        let with = |f: &str| -> std::process::Output {
            let args: Vec<&str> = list.iter().copied().chain(["-f", f]).collect();
            fx.run(&args)
        };
        let csv = with("csv");
        assert_eq!(csv.status.code(), Some(1), "{list:?}");
        let text = stdout(&csv);
        assert_eq!(text.lines().count(), 1, "{list:?}: a header only: {text}");
        assert!(text.starts_with(|c: char| c.is_ascii_lowercase()), "{text}");
        if list[0] != "matrix" {
            let tsv = with("tsv");
            assert_eq!(tsv.status.code(), Some(1));
            assert_eq!(stdout(&tsv).lines().count(), 1);
            assert!(stdout(&tsv).contains('\t'));
            let json = with("json");
            assert_eq!(json.status.code(), Some(1));
            assert_eq!(stdout(&json).trim(), "[]", "{list:?}");
            let jsonl = with("jsonl");
            assert_eq!(jsonl.status.code(), Some(1));
            assert_eq!(stdout(&jsonl), "", "{list:?}");
        }
        let table = with("table");
        assert_eq!(table.status.code(), Some(1));
        assert!(stderr(&table).starts_with("fazhi: "), "{list:?}");
    }
    let dest = fx.dir.path().join("none.csv");
    let out = fx.run(&["export", nothing, "-o", dest.to_str().unwrap(), "--no-bom"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&dest).unwrap().lines().count(), 1);
    let dest = fx.dir.path().join("none.json");
    fx.run(&["export", nothing, "-o", dest.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&dest).unwrap().trim(), "[]");
}

#[test]
fn matrix_writes_files_like_export() {
    let fx = Fixture::indexed();
    let html = fx.dir.path().join("m.html");
    let out = fx.run(&["matrix", "-o", html.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    // Topic headers are horizontal text that wraps (第一责任人 kept whole).
    assert!(!page.contains("writing-mode: vertical"));
    assert!(page.contains(">第一责任人</th>"));
    // No overwrite without --force; the file is untouched.
    let out = fx.run(&["matrix", "-o", html.to_str().unwrap(), "-f", "csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&html).unwrap(), page);
    let out = fx.run(&[
        "matrix",
        "-o",
        html.to_str().unwrap(),
        "-f",
        "csv",
        "--force",
    ]);
    assert!(out.status.success());
    assert!(
        std::fs::read_to_string(&html)
            .unwrap()
            .starts_with("bureau,reports")
    );
    for (name, start) in [("m.csv", "bureau,"), ("m.json", "{"), ("m.txt", "单位")] {
        let path = fx.dir.path().join(name);
        let out = fx.run(&["matrix", "-o", path.to_str().unwrap()]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        assert!(
            std::fs::read_to_string(&path).unwrap().starts_with(start),
            "{name}"
        );
    }
    let out = fx.run(&["matrix", "-o", "m.unknown"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("fazhi: cannot tell the format"));
}

#[test]
fn one_language_per_surface() {
    let fx = Fixture::indexed();
    let matrix = stdout(&fx.run(&["matrix"]));
    assert!(
        !matrix.contains("main_min") && !matrix.contains("cells:"),
        "{matrix}"
    );
    let file = fx.corpus().join("000_700b0228d684de86.txt");
    let parse = stdout(&fx.run(&["parse", file.to_str().unwrap()]));
    assert!(
        parse.contains("(正文前言)") && !parse.contains("[preamble]"),
        "{parse}"
    );
    let stats = stdout(&fx.run(&["stats"]));
    assert!(!stats.contains("unknown"), "{stats}");
    // Values line up by display width.
    let starts: HashSet<usize> = stats
        .lines()
        .map(|l| {
            let label = l.split("  ").next().unwrap();
            label
                .chars()
                .map(|c| if c.is_ascii() { 1 } else { 2 })
                .sum::<usize>()
                + l[label.len()..].len()
                - l[label.len()..].trim_start().len()
        })
        .collect();
    assert_eq!(starts.len(), 1, "{stats}");
    // Plurals: one section is `1 section`; no rank mark `-.`.
    let bureaus = stdout(&fx.run(&["bureaus", "法律顾问", "--all"]));
    assert!(
        !bureaus.contains(" 1 sections") && !bureaus.contains("-."),
        "{bureaus}"
    );
    assert!(bureaus.contains("1 section,"), "{bureaus}");
    // Every error starts `fazhi:`, the argument parser's too.
    for args in [
        &["search"][..],
        &["search", "x", "--bogus"],
        &["nosuchcommand"],
        &["topic", "无此主题"],
    ] {
        let out = fx.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).starts_with("fazhi: "),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn topic_explain_columns_line_up() {
    let fx = Fixture::indexed();
    let out = stdout(&fx.run(&["topic", "普法", "-n", "3", "--explain"]));
    let width = |s: &str| -> usize { s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum() };
    let columns: HashSet<usize> = out
        .lines()
        .filter(|l| l.contains(" weight "))
        .map(|l| width(&l[..l.find(" weight ").unwrap()]))
        .collect();
    assert!(!columns.is_empty());
    // One column per ranked section at most (each pads to its own longest term).
    assert!(columns.len() <= 3, "{out}");
}

/// `-o -`, a FIFO and (as root) a device node are written directly:
/// the node stays what it was.
#[cfg(unix)]
#[test]
fn export_into_special_files() {
    use std::os::unix::fs::FileTypeExt;
    let fx = Fixture::indexed();
    let out = fx.run(&["export", "普法", "-o", "-", "-f", "csv", "--no-bom"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("rank,score,"));
    let out = fx.run(&["export", "普法", "-o", "-", "-f", "xlsx"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.starts_with(b"PK"), "a zip on a pipe");
    let out = fx.run(&["export", "普法", "-o", "-"]);
    assert_eq!(out.status.code(), Some(2), "no extension, no --format");

    let fifo = fx.dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(&fifo).unwrap())
    };
    let out = fx.run(&[
        "export",
        "普法",
        "-o",
        fifo.to_str().unwrap(),
        "-f",
        "jsonl",
        "--force",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let got = reader.join().unwrap();
    assert!(String::from_utf8(got).unwrap().lines().count() > 3);
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    // Without --force an existing FIFO is refused like any existing file.
    let out = fx.run(&["export", "普法", "-o", fifo.to_str().unwrap(), "-f", "csv"]);
    assert_eq!(out.status.code(), Some(2));

    let null = fx.dir.path().join("null");
    let made = std::process::Command::new("mknod")
        .arg(&null)
        .args(["c", "1", "3"])
        .status();
    if made.is_ok_and(|s| s.success()) {
        let out = fx.run(&[
            "export",
            "普法",
            "-o",
            null.to_str().unwrap(),
            "--force",
            "-f",
            "csv",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            std::fs::metadata(&null)
                .unwrap()
                .file_type()
                .is_char_device()
        );
        let out = fx.run(&[
            "matrix",
            "-o",
            null.to_str().unwrap(),
            "--force",
            "-f",
            "html",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            std::fs::metadata(&null)
                .unwrap()
                .file_type()
                .is_char_device()
        );
    }
}

/// Report text and file names never reach the terminal with their control
/// characters: tables, show, parse and warnings escape them; JSON as JSON;
/// CSV cells without raw ESC.
#[test]
fn terminal_escapes_are_shown_not_obeyed() {
    let fx = hostile_fixture();
    // A file name that would forge a warning line, and is skipped (empty).
    let forged = "a\nfazhi: warning: skipped SECRET.docx: permission denied\nx.txt";
    std::fs::write(fx.corpus().join(forged), "").unwrap();
    let out = fx.run(&["index"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        !err.lines()
            .any(|l| l.starts_with("fazhi: warning: skipped SECRET")),
        "{err}"
    );
    assert!(
        err.contains("a␊fazhi: warning: skipped SECRET.docx"),
        "{err}"
    );

    let search = fx.run(&["search", "普法宣传", "-n", "0"]);
    let table = stdout(&search);
    assert!(table.contains("␛]0;owned␇"), "{table}");
    let hit = fx.search_json(&["普法宣传", "-n", "0"]);
    let hostile = hit
        .iter()
        .find(|h| h["path"].as_str().unwrap().contains("999_hostile"))
        .expect("the hostile report is found");
    let id = hostile["section_id"].as_str().unwrap();
    let doc = hostile["doc_id"].as_str().unwrap();
    let file = fx.corpus().join("999_hostile.txt");
    let runs: [Vec<&str>; 8] = [
        vec!["search", "普法宣传", "-n", "0"],
        vec!["topic", "普法", "-n", "0"],
        vec!["bureaus", "普法宣传"],
        vec!["show", id],
        vec!["show", doc],
        vec!["parse", file.to_str().unwrap()],
        vec!["search", "普法宣传", "-n", "0", "-f", "csv"],
        vec!["search", "普法宣传", "-n", "0", "-f", "json"],
    ];
    for args in runs {
        let out = fx.run(&args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert!(!bytes.contains(&0x1b), "{args:?}: raw ESC on {name}");
            assert!(!bytes.contains(&0x07), "{args:?}: raw BEL on {name}");
        }
    }
    // JSON escapes as JSON does, and keeps the text.
    assert!(hostile["snippet"].as_str().unwrap().contains('\u{1b}'));
}
