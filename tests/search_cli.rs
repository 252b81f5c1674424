//! The real binary on the bundled corpus: flags, formats, filters, exit codes,
//! incremental indexing, auto-build, show and stats.

mod common;

use common::{Fixture, stderr, stdout};

#[test]
fn first_search_builds_the_index_and_says_so() {
    let fx = Fixture::new();
    let out = fx.run(&["search", "法律顾问"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("building it"), "{}", stderr(&out));
    assert!(fx.index().join("meta.json").is_file());
    // The second search uses it silently.
    let out = fx.run(&["search", "法律顾问"]);
    assert!(!stderr(&out).contains("building"));
}

#[test]
fn exit_codes() {
    let fx = Fixture::indexed();
    assert_eq!(fx.run(&["search", "法律顾问"]).status.code(), Some(0));
    let none = fx.run(&["search", "量子计算机"]);
    assert_eq!(none.status.code(), Some(1));
    assert!(stdout(&none).is_empty());
    let bad = fx.run(&["search", "普法 \"宪法"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("unbalanced quote"),
        "{}",
        stderr(&bad)
    );
    assert!(stderr(&bad).contains("character 4"), "{}", stderr(&bad));
    assert_eq!(fx.run(&["search", "OR"]).status.code(), Some(2));
    assert_eq!(
        fx.run(&["search", "普法", "--year", "20x"]).status.code(),
        Some(2)
    );
    assert_eq!(
        fx.run(&["search", "普法", "--format", "xml"]).status.code(),
        Some(2)
    );
    assert_eq!(fx.run(&["search"]).status.code(), Some(2));
    // No index and no corpus: a clear error.
    let empty = tempfile::tempdir().unwrap();
    let out = fx
        .cmd()
        .current_dir(empty.path())
        .args(["search", "普法"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no index"), "{}", stderr(&out));
}

#[test]
fn formats_carry_the_same_hits() {
    let fx = Fixture::indexed();
    let json = fx.search_json(&["合法性审查", "--limit", "0"]);
    assert!(json.len() >= 5);
    for (i, h) in json.iter().enumerate() {
        assert_eq!(h["rank"].as_u64(), Some(i as u64 + 1));
        for key in [
            "score",
            "doc_id",
            "section_id",
            "path",
            "line_start",
            "line_end",
            "bureau",
            "province",
            "city",
            "county",
            "report_year",
            "publish_date",
            "title",
            "heading",
            "heading_path",
            "snippet",
            "matched",
        ] {
            assert!(h.get(key).is_some(), "missing {key} in {h}");
        }
        assert!(h["snippet"].as_str().unwrap().contains("合法性审查"));
        assert_eq!(h["matched"][0], "合法性审查");
    }
    // Ranked by score, descending.
    let scores: Vec<f64> = json.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");

    let jsonl = stdout(&fx.run(&["search", "合法性审查", "--limit", "0", "--format", "jsonl"]));
    let lines: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines, json);

    for (format, delim) in [("csv", b','), ("tsv", b'\t')] {
        let out = fx.run(&["search", "合法性审查", "--limit", "0", "--format", format]);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delim)
            .from_reader(out.stdout.as_slice());
        let headers = reader.headers().unwrap().clone();
        assert_eq!(
            headers.iter().collect::<Vec<_>>(),
            fazhi::output::HIT_COLUMNS.to_vec()
        );
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), json.len());
        for (row, hit) in rows.iter().zip(&json) {
            assert_eq!(&row[16], hit["section_id"].as_str().unwrap());
            assert_eq!(&row[10], hit["snippet"].as_str().unwrap());
        }
    }

    // Plain text when piped: no colour codes, matches marked 【】, path:line cited.
    let table = stdout(&fx.run(&["search", "合法性审查", "-n", "2"]));
    assert!(!table.contains('\x1b'));
    assert!(table.contains("【合法性审查】"));
    assert!(table.contains(".txt:"));
    assert!(table.contains("  1.") && table.contains("  2.") && !table.contains("  3."));
}

#[test]
fn limit_zero_means_all() {
    let fx = Fixture::indexed();
    let all = fx.search_json(&["法治", "--limit", "0"]).len();
    assert!(all > 10);
    assert_eq!(fx.search_json(&["法治"]).len(), 10);
    assert_eq!(fx.search_json(&["法治", "-n", "3"]).len(), 3);
}

#[test]
fn boolean_operators() {
    let fx = Fixture::indexed();
    let n = |args: &[&str]| fx.search_json(&[&["--limit", "0"], args].concat()).len();
    let pufa = n(&["普法"]);
    let both = n(&["普法", "宪法"]);
    let without = n(&["普法", "-宪法"]);
    assert!(both > 0 && without > 0);
    assert_eq!(pufa, both + without);
    let or = n(&["府院联动 OR 最多跑一次"]);
    assert_eq!(
        or,
        n(&["府院联动"]) + n(&["最多跑一次"]) - n(&["府院联动", "最多跑一次"])
    );
    assert_eq!(or, n(&["府院联动", "|", "最多跑一次"]));
    let hits = fx.search_json(&["--limit", "0", "府院联动 OR 最多跑一次"]);
    for h in hits {
        let m = h["matched"].as_array().unwrap();
        assert!(!m.is_empty());
    }
}

#[test]
fn within_sentence_and_paragraph() {
    let fx = Fixture::indexed();
    let n = |extra: &[&str]| {
        fx.search_json(&[&["--limit", "0", "法律顾问", "合法性审查"], extra].concat())
            .len()
    };
    let section = n(&[]);
    let paragraph = n(&["--within", "paragraph"]);
    let sentence = n(&["--within", "sentence"]);
    assert!(sentence > 0);
    assert!(
        sentence <= paragraph && paragraph <= section,
        "{sentence} {paragraph} {section}"
    );
    // Checked independently: every sentence hit has both terms in one sentence.
    let hits = fx.search_json(&[
        "--limit",
        "0",
        "法律顾问",
        "合法性审查",
        "--within",
        "sentence",
    ]);
    for h in hits {
        let id = h["section_id"].as_str().unwrap();
        let shown: Vec<serde_json::Value> =
            serde_json::from_slice(&fx.run(&["show", id, "--format", "json"]).stdout).unwrap();
        let body = shown[0]["body"].as_str().unwrap();
        let ok = body
            .split(['。', '；', '！', '？', '\n'])
            .any(|s| s.contains("法律顾问") && s.contains("合法性审查"));
        assert!(ok, "{id}: no sentence with both terms");
    }
}

#[test]
fn filters() {
    let fx = Fixture::indexed();
    let all = fx.search_json(&["--limit", "0", "法治"]);
    let by = |args: &[&str]| fx.search_json(&[&["--limit", "0", "法治"], args].concat());
    let ning = by(&["--bureau", "宁县"]);
    assert!(!ning.is_empty() && ning.len() < all.len());
    assert!(ning.iter().all(|h| h["bureau"] == "宁县教育局"));
    let gansu = by(&["--province", "甘肃"]);
    assert_eq!(gansu.len(), ning.len());
    assert_eq!(by(&["--province", "62"]).len(), ning.len());
    assert_eq!(by(&["--city", "庆阳市"]).len(), ning.len());
    assert_eq!(by(&["--county", "621026"]).len(), ning.len());
    let y2020 = by(&["--year", "2020"]);
    assert!(!y2020.is_empty());
    assert!(y2020.iter().all(|h| h["report_year"] == 2020));
    let range = by(&["--year", "2021..2023"]);
    assert!(
        range
            .iter()
            .all(|h| (2021..=2023).contains(&h["report_year"].as_u64().unwrap()))
    );
    assert_eq!(range.len() + y2020.len(), all.len());
    assert!(by(&["--bureau", "不存在的局"]).is_empty());
}

#[test]
fn show_section_report_and_path_line() {
    let fx = Fixture::indexed();
    let hit = &fx.search_json(&["府院联动", "-n", "1"])[0];
    let id = hit["section_id"].as_str().unwrap();
    let out = fx.run(&["show", id]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("府院联动"));
    assert!(stdout(&out).contains("长春市教育局"));
    let doc = hit["doc_id"].as_str().unwrap();
    let whole = stdout(&fx.run(&["show", doc]));
    assert!(whole.contains("一、主要负责人") && whole.contains("八、明年工作打算"));
    let cite = format!("{}:{}", hit["path"].as_str().unwrap(), hit["line_start"]);
    let by_line: Vec<serde_json::Value> =
        serde_json::from_slice(&fx.run(&["show", &cite, "--format", "json"]).stdout).unwrap();
    assert_eq!(by_line[0]["section_id"], hit["section_id"]);
    assert_eq!(fx.run(&["show", "0000000000000000"]).status.code(), Some(2));
}

#[test]
fn stats_counts_the_corpus() {
    let fx = Fixture::indexed();
    let out = fx.run(&["stats", "--format", "json"]);
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stats["reports"], 5);
    assert_eq!(stats["bureaus"], 5);
    assert_eq!(stats["provinces"], 5);
    assert_eq!(stats["years"]["2020"], 2);
    assert!(stats["sections"].as_u64().unwrap() > 80);
    assert!(stats["index_bytes"].as_u64().unwrap() > 0);
    assert!(stdout(&fx.run(&["stats"])).contains("报告        5"));
}

fn summary(fx: &Fixture, extra: &[&str]) -> String {
    let out = fx.run(&[&["index"], extra].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn incremental_indexing() {
    let fx = Fixture::indexed();
    let first = "000_700b0228d684de86.txt";
    // Unchanged content (even with a new mtime) is skipped.
    let path = fx.corpus().join(first);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, &text).unwrap();
    let s = summary(&fx, &[]);
    assert!(s.contains("0 indexed") && s.contains("5 unchanged"), "{s}");
    // A changed file is replaced.
    std::fs::write(&path, text.replace("府院联动", "府院协同联动")).unwrap();
    let s = summary(&fx, &[]);
    assert!(s.contains("1 indexed") && s.contains("4 unchanged"), "{s}");
    assert!(!fx.search_json(&["府院协同联动"]).is_empty());
    assert_eq!(fx.search_json(&["--limit", "0", "府院联动"]).len(), 0);
    // A new file is added, a deleted one removed.
    std::fs::copy(
        fx.corpus().join("004_86065a5a5a10b58f.txt"),
        fx.corpus().join("copy.txt"),
    )
    .unwrap();
    std::fs::remove_file(fx.corpus().join("003_ac17fba514662512.txt")).unwrap();
    let s = summary(&fx, &[]);
    assert!(s.contains("1 indexed") && s.contains("1 removed"), "{s}");
    assert!(fx.search_json(&["--limit", "0", "许昌"]).is_empty());
    let stats: serde_json::Value =
        serde_json::from_slice(&fx.run(&["stats", "--format", "json"]).stdout).unwrap();
    // copy.txt is an exact copy of 004: stats counts it once (issue 19).
    assert_eq!(stats["reports"], 4);
    assert_eq!(stats["copies"]["exact_copies"], 1);
    // --rebuild re-indexes everything and gives the same hits.
    let before = fx.search_json(&["--limit", "0", "法治"]);
    let s = summary(&fx, &["--rebuild"]);
    assert!(s.contains("5 indexed"), "{s}");
    let after = fx.search_json(&["--limit", "0", "法治"]);
    let ids = |v: &[serde_json::Value]| {
        let mut ids: Vec<String> = v
            .iter()
            .map(|h| h["section_id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(&before), ids(&after));
}

#[test]
fn index_from_another_version_asks_for_rebuild() {
    let fx = Fixture::indexed();
    let meta_path = fx.index().join("meta.json");
    let meta = std::fs::read_to_string(&meta_path).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&meta).unwrap();
    let payload = v["payload"].as_str().unwrap().replace(
        &format!("\"schema_version\":{}", fazhi::index::SCHEMA_VERSION),
        "\"schema_version\":999",
    );
    v["payload"] = serde_json::Value::String(payload);
    std::fs::write(&meta_path, serde_json::to_string(&v).unwrap()).unwrap();
    let out = fx.run(&["search", "普法"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("fazhi index --rebuild"),
        "{}",
        stderr(&out)
    );
    let out = fx.run(&["index"]);
    assert_eq!(out.status.code(), Some(2));
    summary(&fx, &["--rebuild"]);
    assert_eq!(fx.run(&["search", "普法"]).status.code(), Some(0));
}

#[test]
fn a_second_writer_is_refused() {
    let fx = Fixture::indexed();
    let lock = fazhi::index::lock::acquire(&fx.index()).unwrap();
    let out = fx.run(&["index"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("index is locked by another fazhi index"),
        "{}",
        stderr(&out)
    );
    // Searching is never blocked by a writer.
    assert_eq!(fx.run(&["search", "普法"]).status.code(), Some(0));
    drop(lock);
    assert!(fx.run(&["index"]).status.success());
}

#[test]
fn global_options_and_env() {
    let fx = Fixture::new();
    let other = fx.dir.path().join("elsewhere");
    let out = fx
        .cmd()
        .args(["--index", other.to_str().unwrap(), "index", "--quiet"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(other.join("meta.json").is_file());
    let out = fx
        .cmd()
        .env("FAZHI_INDEX", &other)
        .args(["search", "普法"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        !fx.index().exists(),
        "FAZHI_INDEX must be used instead of ./index"
    );
}

#[test]
fn parse_prints_the_ids_the_index_uses() {
    let fx = Fixture::indexed();
    let out = fx.run(&[
        "parse",
        "corpus/000_700b0228d684de86.txt",
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let section = report["sections"][0]["id"].as_str().unwrap();
    let shown = fx.run(&["show", section, "--format", "json"]);
    assert!(shown.status.success(), "{}", stderr(&shown));
    let shown: Vec<serde_json::Value> = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(shown[0]["heading"], report["sections"][0]["heading"]);
}

#[test]
fn a_closed_pipe_ends_output_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let fx = Fixture::new();
    // Enough output to overflow a pipe buffer: 30 copies of the corpus.
    for i in 0..30 {
        for entry in std::fs::read_dir(common::repo().join("corpus")).unwrap() {
            let entry = entry.unwrap();
            let name = format!("{i}_{}", entry.file_name().to_string_lossy());
            std::fs::copy(entry.path(), fx.corpus().join(name)).unwrap();
        }
    }
    fx.cmd().args(["index", "--quiet"]).assert().success();
    for args in [
        &["search", "法治", "-n", "0"][..],
        &["search", "法治", "-n", "0", "-f", "json"],
        &["search", "法治", "-n", "0", "-f", "csv"],
        &["stats", "--space"],
    ] {
        let bin = assert_cmd::cargo::cargo_bin("fazhi");
        let mut child = std::process::Command::new(bin)
            .current_dir(fx.dir.path())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 16];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        // stdout is dropped here: the reader goes away like `| head -c 16`.
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    }
}

#[test]
fn full_hit_lists_equal_pages_loaded_in_rank_order() {
    // `--limit 0` (and pages of 64+) load the sections in index order on
    // several threads; short pages load them one by one in rank order. Both
    // must give the same hits, ranks and snippets.
    let fx = Fixture::indexed();
    for args in [
        &["法"][..],
        &["法治 OR 执法"],
        &["法律顾问 合法性审查", "--within", "sentence"],
        &["法律顾问 合法性审查", "--within", "paragraph"],
    ] {
        let mut full_args = args.to_vec();
        full_args.extend(["--limit", "0"]);
        let full = fx.search_json(&full_args);
        assert!(full.len() >= 2, "{args:?}: {}", full.len());
        let page = (full.len() - 1).min(60);
        let mut page_args = args.to_vec();
        let page_text = page.to_string();
        page_args.extend(["--limit", page_text.as_str()]);
        let paged = fx.search_json(&page_args);
        assert_eq!(paged[..], full[..page], "{args:?}");
    }
    assert!(fx.search_json(&["法", "--limit", "0"]).len() >= 64);
}
