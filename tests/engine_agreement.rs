//! One engine, one answer: for the same query, filters and topic,
//! `search --limit 0`, `export` and `bureaus --limit 0` (the real binary)
//! select the same sections — the export lists the search's hits (in the
//! same order when both rank by BM25), and the bureau rows add up to them,
//! bureau by bureau.

mod common;

use std::collections::BTreeMap;

use common::{fazhi_in_repo, jsonl, shared_index, stderr};
use serde_json::Value;

/// (query words, extra flags) run through all three commands.
const CASES: &[(&[&str], &[&str])] = &[
    (&["法律顾问"], &[]),
    (&["普法 OR 宪法"], &[]),
    (&["法治", "－疫情"], &[]),
    (&["法治"], &["--year", "2020..2021", "--bureau", "局"]),
    (&["法治"], &["--province", "吉林"]),
    (&["审查"], &["--topic", "合法性审查"]),
    // An alias of the same topic, and another topic by alias.
    (&["审查"], &["--topic", "法制审核"]),
    (&["宣传"], &["--topic", "法治宣传"]),
    (&["法治"], &["--topic", "执法", "--year", "2020.."]),
    // Nothing matches: all three agree on that too.
    (&["量子计算机"], &[]),
];

/// Run fazhi on the shared index; stdout on exit 0, `None` on exit 1.
fn run(args: &[&str]) -> Option<Vec<u8>> {
    let out = fazhi_in_repo()
        .args(["--corpus", "corpus", "--index"])
        .arg(shared_index())
        .args(args)
        .output()
        .expect("run fazhi");
    match out.status.code() {
        Some(0) => Some(out.stdout),
        Some(1) => None,
        code => panic!("fazhi {args:?} exited {code:?}: {}", stderr(&out)),
    }
}

fn args<'a>(command: &'a str, query: &[&'a str], flags: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec![command];
    all.extend_from_slice(query);
    all.extend_from_slice(flags);
    all
}

/// The bureau key of a hit or a row.
fn key(v: &Value) -> String {
    ["bureau", "province", "city", "county"]
        .iter()
        .map(|k| v[k].as_str().unwrap_or("").to_string())
        .collect::<Vec<_>>()
        .join("/")
}

fn section_ids(hits: &[Value]) -> Vec<String> {
    hits.iter()
        .map(|h| h["section_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn search_export_and_bureaus_agree() {
    let dir = tempfile::tempdir().unwrap();
    let mut nonempty = 0;
    for (i, (query, flags)) in CASES.iter().enumerate() {
        let what = format!("{query:?} {flags:?}");
        let mut search = args("search", query, flags);
        search.extend(["--limit", "0", "-f", "json"]);
        let hits: Vec<Value> = run(&search)
            .map(|out| serde_json::from_slice(&out).unwrap())
            .unwrap_or_default();

        let file = dir.path().join(format!("{i}.jsonl"));
        let mut export = args("export", query, flags);
        export.extend(["-o", file.to_str().unwrap()]);
        let exported = match run(&export) {
            Some(_) => jsonl(&file),
            None => Vec::new(),
        };

        let mut bureaus = args("bureaus", query, flags);
        bureaus.extend(["--limit", "0", "-f", "json"]);
        let rows: Vec<Value> = run(&bureaus)
            .map(|out| serde_json::from_slice(&out).unwrap())
            .unwrap_or_default();

        // Export: the same sections; in the same order unless a topic
        // ranks the export (best topic score first) and boosts the search.
        let (mut searched, mut written) = (section_ids(&hits), section_ids(&exported));
        if flags.contains(&"--topic") {
            searched.sort();
            written.sort();
        }
        assert_eq!(written, searched, "export vs search: {what}");

        // Bureaus: each row counts that bureau's hits.
        let mut per_bureau: BTreeMap<String, u64> = BTreeMap::new();
        for h in &hits {
            *per_bureau.entry(key(h)).or_default() += 1;
        }
        let rows: BTreeMap<String, u64> = rows
            .iter()
            .map(|r| (key(r), r["sections"].as_u64().unwrap()))
            .collect();
        assert_eq!(rows, per_bureau, "bureaus vs search: {what}");
        let total: u64 = rows.values().sum();
        assert_eq!(total as usize, hits.len(), "bureau sections sum: {what}");
        nonempty += usize::from(!hits.is_empty());
    }
    // The cases must exercise something: all but the last find hits.
    assert_eq!(nonempty, CASES.len() - 1);
}
