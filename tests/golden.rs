//! Golden outputs: every command and machine-readable format on the bundled
//! corpus, compared byte for byte with `tests/data/golden/`.
//!
//! Why: refactors of the query path (issue 13) must not change a byte of
//! what scripts read. A deliberate change is re-recorded with
//! `FAZHI_BLESS=1 cargo test --test golden` and shows up in the diff of the
//! expectation files, where a reviewer sees it.
//!
//! The index is built with one writer thread (`FAZHI_INDEX_THREADS=1`), so
//! that its document order — which decides rank ties and the order of
//! index-order exports — is the same on every build. Two values depend on
//! the machine, not the code, and are replaced before comparing: `stats`' `index_dir` (a temp folder) and `index_bytes`.
//! XLSX is left out: the zip container stamps the time of writing
//! (`tests/export_formats.rs` reads XLSX back cell by cell instead).

mod common;

use std::path::{Path, PathBuf};

use common::{fazhi_in_repo, repo, stderr};

/// Where the expectations live.
fn golden_dir() -> PathBuf {
    repo().join("tests/data/golden")
}

fn blessing() -> bool {
    std::env::var_os("FAZHI_BLESS").is_some_and(|v| v == "1")
}

/// What a case produces for comparison.
enum Out {
    /// The command's stdout.
    Stdout,
    /// The file the command writes (`export -o FILE`); FILE's extension
    /// picks the format unless the arguments name one.
    File(&'static str),
}

struct Case {
    /// Name of the expectation file (without extension for stdout cases).
    name: &'static str,
    args: &'static [&'static str],
    out: Out,
    /// Expected exit code.
    code: i32,
}

const fn stdout(name: &'static str, args: &'static [&'static str]) -> Case {
    Case {
        name,
        args,
        out: Out::Stdout,
        code: 0,
    }
}

const fn export(name: &'static str, file: &'static str, args: &'static [&'static str]) -> Case {
    Case {
        name,
        args,
        out: Out::File(file),
        code: 0,
    }
}

/// The bundled corpus's first report (for `show` and `parse`).
const FIRST_REPORT: &str = "corpus/000_700b0228d684de86.txt";

const CASES: &[Case] = &[
    // search: every format, a page and the whole list, filters, --within, --topic.
    stdout("search-table", &["search", "法律顾问"]),
    stdout(
        "search-all.json",
        &["search", "法律顾问", "--limit", "0", "-f", "json"],
    ),
    stdout(
        "search-all.jsonl",
        &["search", "法律顾问", "--limit", "0", "-f", "jsonl"],
    ),
    stdout(
        "search-all.csv",
        &["search", "法律顾问", "--limit", "0", "-f", "csv"],
    ),
    stdout(
        "search-all.tsv",
        &["search", "法律顾问", "--limit", "0", "-f", "tsv"],
    ),
    stdout(
        "search-page.json",
        &["search", "合法性审查", "-n", "3", "-f", "json"],
    ),
    stdout(
        "search-or-not.json",
        &[
            "search",
            "普法 OR 宪法 －疫情",
            "--limit",
            "0",
            "-f",
            "json",
        ],
    ),
    stdout(
        "search-within.json",
        &[
            "search",
            "法律顾问",
            "合法性审查",
            "--within",
            "sentence",
            "--limit",
            "0",
            "-f",
            "json",
        ],
    ),
    stdout(
        "search-filters.json",
        &[
            "search",
            "法治",
            "--year",
            "2020..2021",
            "--bureau",
            "局",
            "--limit",
            "0",
            "-f",
            "json",
        ],
    ),
    stdout(
        "search-province.json",
        &[
            "search",
            "法治",
            "--province",
            "吉林",
            "--limit",
            "0",
            "-f",
            "json",
        ],
    ),
    stdout(
        "search-topic.json",
        &[
            "search",
            "审查",
            "--topic",
            "合法性审查",
            "--limit",
            "0",
            "-f",
            "json",
        ],
    ),
    stdout(
        "search-topic-alias.json",
        &[
            "search",
            "审查",
            "--topic",
            "法制审核",
            "--limit",
            "0",
            "-f",
            "json",
        ],
    ),
    // topic
    stdout("topic-table", &["topic", "普法"]),
    stdout(
        "topic-all.json",
        &["topic", "普法", "--limit", "0", "-f", "json"],
    ),
    stdout(
        "topic-all.csv",
        &["topic", "普法", "--limit", "0", "-f", "csv"],
    ),
    stdout(
        "topic-alias.jsonl",
        &["topic", "执法", "-n", "5", "-f", "jsonl"],
    ),
    stdout(
        "topic-explain.json",
        &["topic", "法律顾问", "-n", "3", "--explain", "-f", "json"],
    ),
    stdout(
        "topic-filters.json",
        &[
            "topic",
            "行政执法",
            "--year",
            "2021",
            "--limit",
            "0",
            "-f",
            "json",
        ],
    ),
    // bureaus
    stdout("bureaus-table", &["bureaus", "法律顾问"]),
    stdout("bureaus.json", &["bureaus", "法律顾问", "-f", "json"]),
    stdout("bureaus.csv", &["bureaus", "法律顾问", "-f", "csv"]),
    stdout(
        "bureaus-all.json",
        &["bureaus", "法律顾问", "--all", "-f", "json"],
    ),
    stdout(
        "bureaus-synonyms.json",
        &["bureaus", "合法性审查", "--synonyms", "-f", "json"],
    ),
    stdout(
        "bureaus-no-snippet.csv",
        &["bureaus", "普法 OR 宪法", "--no-snippet", "-f", "csv"],
    ),
    stdout(
        "bureaus-filters.json",
        &[
            "bureaus",
            "法治",
            "--year",
            "2020..",
            "--province",
            "吉林",
            "-f",
            "json",
        ],
    ),
    stdout(
        "bureaus-topic.json",
        &[
            "bureaus",
            "审查",
            "--topic",
            "法制审核",
            "--limit",
            "0",
            "-f",
            "json",
        ],
    ),
    // export
    export("export.csv", "out.csv", &["export", "法律顾问"]),
    export(
        "export-no-bom.csv",
        "out.csv",
        &["export", "法律顾问", "--no-bom"],
    ),
    export("export.json", "out.json", &["export", "法律顾问"]),
    export("export.jsonl", "out.jsonl", &["export", "法律顾问"]),
    export("export.ndjson", "out.ndjson", &["export", "法律顾问"]),
    export(
        "export-bulk-index.ndjson",
        "out.ndjson",
        &[
            "export",
            "法律顾问",
            "--bulk-action",
            "index",
            "--bulk-index",
            "reports",
        ],
    ),
    export(
        "export-topic.jsonl",
        "out.jsonl",
        &["export", "--topic", "普法"],
    ),
    export(
        "export-topic-alias.jsonl",
        "out.jsonl",
        &["export", "--topic", "法治宣传"],
    ),
    export(
        "export-query-topic.jsonl",
        "out.jsonl",
        &["export", "审查", "--topic", "合法性审查"],
    ),
    export(
        "export-filters.jsonl",
        "out.jsonl",
        &["export", "法治", "--year", "2020..2021", "--bureau", "局"],
    ),
    export("export-all.ndjson", "out.ndjson", &["export", "--all"]),
    export(
        "export-all-filters.csv",
        "out.csv",
        &["export", "--all", "--province", "吉林"],
    ),
    // overviews
    stdout("stats.json", &["stats", "-f", "json"]),
    stdout("topics-table", &["topics", "--terms"]),
    stdout("matrix-table", &["matrix"]),
    stdout("topics.json", &["topics", "-f", "json"]),
    stdout("topics.csv", &["topics", "-f", "csv"]),
    stdout(
        "topics-filters.json",
        &["topics", "--year", "2021", "-f", "json"],
    ),
    stdout("matrix.csv", &["matrix", "-f", "csv"]),
    stdout("matrix.json", &["matrix", "-f", "json"]),
    stdout(
        "matrix-some.json",
        &["matrix", "--topics", "普法,执法", "-f", "json"],
    ),
    stdout(
        "matrix-filters.csv",
        &["matrix", "--province", "吉林", "-f", "csv"],
    ),
    // single reports
    stdout(
        "show-line.json",
        &["show", "corpus/000_700b0228d684de86.txt:10", "-f", "json"],
    ),
    stdout("show-report.json", &["show", FIRST_REPORT, "-f", "json"]),
    stdout("parse.json", &["parse", "--format", "json", FIRST_REPORT]),
];

/// Machine-dependent values of `stats -f json` replaced by fixed ones.
fn redact_stats(text: &str) -> String {
    let mut v: serde_json::Value = serde_json::from_str(text).expect("stats JSON");
    v["index_dir"] = "INDEX".into();
    v["index_bytes"] = 0.into();
    serde_json::to_string_pretty(&v).unwrap() + "\n"
}

/// Run one case; its output bytes.
fn run(case: &Case, index: &Path, scratch: &Path) -> Vec<u8> {
    let mut cmd = fazhi_in_repo();
    cmd.args(["--corpus", "corpus", "--index"]).arg(index);
    cmd.args(case.args);
    let file = match case.out {
        Out::Stdout => None,
        Out::File(name) => {
            let file = scratch.join(case.name).join(name);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            cmd.arg("-o").arg(&file);
            Some(file)
        }
    };
    let out = cmd.output().expect("run fazhi");
    assert_eq!(
        out.status.code(),
        Some(case.code),
        "{}: fazhi {:?}: {}",
        case.name,
        case.args,
        stderr(&out)
    );
    match file {
        Some(file) => std::fs::read(&file).unwrap(),
        None if case.name == "stats.json" => {
            redact_stats(&String::from_utf8(out.stdout).unwrap()).into_bytes()
        }
        None => out.stdout,
    }
}

/// The bundled corpus indexed with one writer thread, into `dir`.
fn deterministic_index(dir: &Path) -> PathBuf {
    let index = dir.join("index");
    let out = fazhi_in_repo()
        .env("FAZHI_INDEX_THREADS", "1")
        .args(["--corpus", "corpus", "--index"])
        .arg(&index)
        .args(["index", "--quiet"])
        .output()
        .expect("run fazhi index");
    assert!(out.status.success(), "fazhi index: {}", stderr(&out));
    index
}

#[test]
fn every_command_and_format_matches_its_golden_file() {
    let scratch = tempfile::tempdir().unwrap();
    let index = &deterministic_index(scratch.path());
    let dir = golden_dir();
    if blessing() {
        std::fs::create_dir_all(&dir).unwrap();
    }
    let mut differ = Vec::new();
    for case in CASES {
        let got = run(case, index, scratch.path());
        let path = dir.join(case.name);
        if blessing() {
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        match std::fs::read(&path) {
            Ok(want) if want == got => {}
            Ok(_) => differ.push(format!("{} (differs)", case.name)),
            Err(_) => differ.push(format!("{} (no expectation)", case.name)),
        }
    }
    assert!(
        differ.is_empty(),
        "outputs differ from tests/data/golden/ (run with FAZHI_BLESS=1 to re-record \
         a deliberate change): {differ:?}"
    );
}

/// Every expectation file belongs to a case (none left behind by a rename).
#[test]
fn no_stray_golden_files() {
    if blessing() {
        return;
    }
    let names: Vec<&str> = CASES.iter().map(|c| c.name).collect();
    for entry in std::fs::read_dir(golden_dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(names.contains(&name.as_str()), "stray golden file {name}");
    }
}
