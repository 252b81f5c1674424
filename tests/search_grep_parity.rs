//! Grep parity: for hundreds of strings drawn from the corpus, `fazhi search`
//! returns exactly the sections whose normalised text contains the string.
//!
//! The normaliser here is written independently from the library's, straight
//! from the contract: whole-string NFKC, lower-casing, then removal of
//! whitespace and of Unicode categories Z*, P*, S* and C*.

mod common;

use std::collections::BTreeSet;

use common::{Fixture, file_name};
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

fn contract_normalize(s: &str) -> String {
    s.nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| {
            !c.is_whitespace()
                && !matches!(
                    c.general_category_group(),
                    GeneralCategoryGroup::Separator
                        | GeneralCategoryGroup::Punctuation
                        | GeneralCategoryGroup::Symbol
                        | GeneralCategoryGroup::Other
                )
        })
        .collect()
}

/// splitmix64: a tiny deterministic PRNG for reproducible query draws.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Swap half- and full-width forms of ASCII punctuation and digits.
fn width_variant(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '!'..='~' if !c.is_ascii_alphabetic() => char::from_u32(c as u32 + 0xfee0).unwrap_or(c),
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '、' => ',',
            _ => c,
        })
        .collect()
}

struct Unit {
    key: (String, u64),
    normalized: String,
    original: Vec<char>,
}

fn corpus_sections(fx: &Fixture) -> Vec<Unit> {
    let mut files: Vec<String> = std::fs::read_dir(fx.corpus())
        .unwrap()
        .map(|e| format!("corpus/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    files.sort();
    let mut args = vec!["parse", "--format", "json"];
    args.extend(files.iter().map(String::as_str));
    let out = fx.run(&args);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let reports: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let mut units = Vec::new();
    for r in &reports {
        let name = file_name(r["path"].as_str().unwrap());
        let mut sections: Vec<&serde_json::Value> =
            r["sections"].as_array().unwrap().iter().collect();
        for extra in ["preamble", "closing"] {
            if r[extra].is_object() {
                sections.push(&r[extra]);
            }
        }
        for s in sections {
            let heading = s["heading"].as_str().unwrap();
            let body = s["body"].as_str().unwrap();
            let text = match (heading.is_empty(), body.is_empty()) {
                (true, _) => body.to_string(),
                (false, true) => heading.to_string(),
                _ => format!("{heading}\n{body}"),
            };
            units.push(Unit {
                key: (name.clone(), s["ordinal"].as_u64().unwrap()),
                normalized: contract_normalize(&text),
                original: text.chars().collect(),
            });
        }
    }
    units
}

fn is_query_syntax(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '＂' | '|' | '｜')
}

#[test]
fn search_equals_grep_on_normalised_text() {
    let fx = Fixture::indexed();
    let units = corpus_sections(&fx);
    assert!(
        units.len() > 80,
        "expected the five reports' sections, got {}",
        units.len()
    );
    let mut rng = Rng(20261122);
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut kinds = [0usize; 3];
    while checked < 320 {
        let u = &units[rng.below(units.len())];
        if u.original.is_empty() {
            continue;
        }
        let len = 1 + rng.below(8);
        let start = rng.below(u.original.len());
        let raw: String = u.original[start..(start + len).min(u.original.len())]
            .iter()
            .collect();
        if raw.chars().any(is_query_syntax) || contract_normalize(&raw).is_empty() {
            continue;
        }
        let variant = rng.below(3);
        let text = if variant == 2 {
            width_variant(&raw)
        } else {
            raw.clone()
        };
        let needle = contract_normalize(&text);
        if needle.is_empty() || text.chars().any(is_query_syntax) {
            continue;
        }
        // Bare terms only where the shell-level syntax allows it.
        let bare_ok = variant == 0
            && !text.chars().any(|c| c.is_whitespace() || c == '\u{3000}')
            && !text.starts_with(['-', '－'])
            && text != "OR";
        let query = if bare_ok {
            text.clone()
        } else {
            format!("\"{text}\"")
        };
        kinds[variant] += 1;
        let expected: BTreeSet<(String, u64)> = units
            .iter()
            .filter(|x| x.normalized.contains(&needle))
            .map(|x| x.key.clone())
            .collect();
        let hits = fx.search_json(&["--limit", "0", "--", &query]);
        let actual: BTreeSet<(String, u64)> = hits
            .iter()
            .map(|h| {
                let id = h["section_id"].as_str().unwrap();
                let ordinal = id.rsplit_once('-').unwrap().1.parse().unwrap();
                (file_name(h["path"].as_str().unwrap()), ordinal)
            })
            .collect();
        if expected != actual {
            failures.push(format!(
                "{query:?}: {} expected, {} found; missing {:?}; extra {:?}",
                expected.len(),
                actual.len(),
                expected.difference(&actual).take(3).collect::<Vec<_>>(),
                actual.difference(&expected).take(3).collect::<Vec<_>>()
            ));
        }
        checked += 1;
    }
    println!(
        "grep parity: {checked} queries (bare {}, quoted {}, width variants {})",
        kinds[0], kinds[1], kinds[2]
    );
    assert!(
        failures.is_empty(),
        "{} of {checked} queries differ from grep:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn matching_contract_examples() {
    let fx = Fixture::indexed();
    let count = |q: &str| fx.search_json(&["--limit", "0", "--", q]).len();
    // Punctuation, quotes and width never matter.
    assert_eq!(count("双随机一公开"), count("\"双随机、一公开\""));
    assert!(count("双随机一公开") > 0);
    assert_eq!(count("行政执法三项制度"), count("\"行政执法“三项制度”\""));
    assert!(count("行政执法三项制度") > 0);
    assert_eq!(
        count("\"(2021-2025年)\""),
        count("\"（２０２１－２０２５年）\"")
    );
    // A bare term is a string, not its words apart: 合法性审查 needs the whole string.
    let whole = fx.search_json(&["--limit", "0", "合法性审查"]);
    for h in &whole {
        let m: Vec<&str> = h["matched"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(m, vec!["合法性审查"]);
    }
    assert!(count("合法 审查") >= whole.len());
}
