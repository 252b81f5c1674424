//! Grep parity: for hundreds of strings drawn from the corpus — from titles,
//! preambles, sections and closings, crossing word boundaries, in half and
//! full width, in simplified and traditional script — `fazhi search` returns
//! exactly the sections whose folded text contains the string, run by run:
//! a report's title (searched on its first section), each heading and each
//! body are separate runs, and a string that exists only across two of them
//! finds nothing.
//!
//! The normaliser here is written independently from the library's, straight
//! from the contract: whole-string NFKC, lower-casing, removal of whitespace
//! and of Unicode categories Z*, P*, S* and C*, then traditional → simplified
//! by the first candidate of `data/opencc/TSCharacters.txt`.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use common::{Fixture, file_name};
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

/// Traditional → simplified (first candidate), and simplified → one
/// traditional form, from the shipped table.
fn script_tables() -> &'static (HashMap<char, char>, HashMap<char, char>) {
    static TABLES: OnceLock<(HashMap<char, char>, HashMap<char, char>)> = OnceLock::new();
    TABLES.get_or_init(|| {
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
    })
}

/// `s` in traditional script, where the table has a form.
fn traditional(s: &str) -> String {
    let back = &script_tables().1;
    s.chars().map(|c| *back.get(&c).unwrap_or(&c)).collect()
}

fn contract_normalize(s: &str) -> String {
    let fold = &script_tables().0;
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
        .map(|c| *fold.get(&c).unwrap_or(&c))
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

/// Where a run comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Title,
    Preamble,
    Heading,
    Body,
    Closing,
}

/// One indexed section: its key and its runs (part, original chars).
struct Unit {
    key: (String, u64),
    runs: Vec<(Part, Vec<char>)>,
    normalized: Vec<String>,
}

impl Unit {
    fn contains(&self, needle: &str) -> bool {
        self.normalized.iter().any(|r| r.contains(needle))
    }
}

fn corpus_units(fx: &Fixture) -> Vec<Unit> {
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
        // Indexed in this order; the first carries the title.
        let mut sections: Vec<(Part, &serde_json::Value)> = Vec::new();
        if r["preamble"].is_object() {
            sections.push((Part::Preamble, &r["preamble"]));
        }
        for s in r["sections"].as_array().unwrap() {
            sections.push((Part::Body, s));
        }
        if r["closing"].is_object() {
            sections.push((Part::Closing, &r["closing"]));
        }
        for (i, (part, s)) in sections.into_iter().enumerate() {
            let mut runs = Vec::new();
            if i == 0
                && let Some(title) = r["title"].as_str()
            {
                runs.push((Part::Title, title.chars().collect()));
            }
            runs.push((
                Part::Heading,
                s["heading"].as_str().unwrap().chars().collect(),
            ));
            runs.push((part, s["body"].as_str().unwrap().chars().collect()));
            runs.retain(|(_, text): &(Part, Vec<char>)| !text.is_empty());
            let normalized = runs
                .iter()
                .map(|(_, text)| contract_normalize(&text.iter().collect::<String>()))
                .collect();
            units.push(Unit {
                key: (name.clone(), s["ordinal"].as_u64().unwrap()),
                runs,
                normalized,
            });
        }
    }
    units
}

fn is_query_syntax(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '＂' | '|' | '｜')
}

/// A query that searches exactly `text`: bare where the query language
/// reads it as one term, quoted otherwise.
fn as_query(text: &str, prefer_bare: bool) -> String {
    let bare_ok = prefer_bare
        && !text.chars().any(|c| {
            c.is_whitespace() || matches!(c, '\u{3000}' | '，' | '；' | '(' | ')' | '（' | '）')
        })
        && !text.starts_with(['-', '－'])
        && !matches!(
            text.nfkc().collect::<String>().as_str(),
            "OR" | "AND" | "NOT"
        )
        && !text.nfkc().collect::<String>().starts_with("NEAR/");
    if bare_ok {
        text.to_string()
    } else {
        format!("\"{text}\"")
    }
}

fn found(fx: &Fixture, query: &str) -> BTreeSet<(String, u64)> {
    fx.search_json(&["--limit", "0", "--", query])
        .iter()
        .map(|h| {
            let id = h["section_id"].as_str().unwrap();
            let ordinal = id.rsplit_once('-').unwrap().1.parse().unwrap();
            (file_name(h["path"].as_str().unwrap()), ordinal)
        })
        .collect()
}

/// How a drawn string is typed.
#[derive(Debug, Clone, Copy)]
enum Variant {
    Bare,
    Quoted,
    Width,
    Traditional,
}

#[test]
fn search_equals_grep_on_normalised_text() {
    let fx = Fixture::indexed();
    let units = corpus_units(&fx);
    assert!(
        units.len() > 80,
        "expected the five reports' sections, got {}",
        units.len()
    );
    let mut rng = Rng(20261122);
    let mut failures = Vec::new();
    let mut per_part: HashMap<String, usize> = HashMap::new();
    let mut per_variant: HashMap<String, usize> = HashMap::new();
    let mut reports_checked = 0;
    let mut checked = 0;
    // Every part in turn, so titles, preambles and closings get their share.
    let parts = [
        Part::Title,
        Part::Preamble,
        Part::Heading,
        Part::Body,
        Part::Closing,
    ];
    while checked < 360 {
        let part = parts[checked % parts.len()];
        let candidates: Vec<(&Unit, &Vec<char>)> = units
            .iter()
            .flat_map(|u| u.runs.iter().map(move |(p, t)| (u, p, t)))
            .filter(|(_, p, _)| **p == part)
            .map(|(u, _, t)| (u, t))
            .collect();
        assert!(!candidates.is_empty(), "the corpus has a {part:?}");
        let (_, run) = candidates[rng.below(candidates.len())];
        let len = 1 + rng.below(8);
        let start = rng.below(run.len());
        let raw: String = run[start..(start + len).min(run.len())].iter().collect();
        if raw.chars().any(is_query_syntax) || contract_normalize(&raw).is_empty() {
            continue;
        }
        let variant = [
            Variant::Bare,
            Variant::Quoted,
            Variant::Width,
            Variant::Traditional,
        ][rng.below(4)];
        let text = match variant {
            Variant::Width => width_variant(&raw),
            Variant::Traditional => traditional(&raw),
            _ => raw.clone(),
        };
        let needle = contract_normalize(&text);
        if needle.is_empty() || text.chars().any(is_query_syntax) {
            continue;
        }
        let query = as_query(
            &text,
            matches!(variant, Variant::Bare | Variant::Traditional),
        );
        let expected: BTreeSet<(String, u64)> = units
            .iter()
            .filter(|u| u.contains(&needle))
            .map(|u| u.key.clone())
            .collect();
        let actual = found(&fx, &query);
        if expected != actual {
            failures.push(format!(
                "{part:?} {query:?}: {} expected, {} found; missing {:?}; extra {:?}",
                expected.len(),
                actual.len(),
                expected.difference(&actual).take(3).collect::<Vec<_>>(),
                actual.difference(&expected).take(3).collect::<Vec<_>>()
            ));
        }
        // Reports too: found reports are those whose text holds the string.
        let reports = |set: &BTreeSet<(String, u64)>| -> BTreeSet<String> {
            set.iter().map(|(r, _)| r.clone()).collect()
        };
        assert_eq!(reports(&expected), reports(&actual), "{query:?}");
        reports_checked += 1;
        *per_part.entry(format!("{part:?}")).or_default() += 1;
        *per_variant.entry(format!("{variant:?}")).or_default() += 1;
        checked += 1;
    }
    println!(
        "grep parity: {checked} queries ({reports_checked} report sets), by part {per_part:?}, by variant {per_variant:?}"
    );
    assert!(
        failures.is_empty(),
        "{} of {checked} queries differ from grep:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn strings_across_run_boundaries_find_nothing() {
    let fx = Fixture::indexed();
    let units = corpus_units(&fx);
    let mut rng = Rng(7);
    // The end of one run and the start of the next: title | heading,
    // heading | body, and a section's last run | the next section's first.
    let mut seams: Vec<(Vec<char>, Vec<char>)> = Vec::new();
    for (k, u) in units.iter().enumerate() {
        for w in u.runs.windows(2) {
            seams.push((w[0].1.clone(), w[1].1.clone()));
        }
        if let Some(next) = units.get(k + 1).filter(|n| n.key.0 == u.key.0) {
            seams.push((u.runs.last().unwrap().1.clone(), next.runs[0].1.clone()));
        }
    }
    let mut empty = 0;
    let mut checked = 0;
    let mut failures = Vec::new();
    for (left, right) in &seams {
        let (a, b) = (1 + rng.below(3), 1 + rng.below(3));
        let text: String = left[left.len().saturating_sub(a)..]
            .iter()
            .chain(&right[..b.min(right.len())])
            .collect();
        let needle = contract_normalize(&text);
        if text.chars().any(is_query_syntax) || needle.chars().count() < 2 {
            continue;
        }
        // Only seams whose both sides survive normalisation really cross.
        let l = contract_normalize(&left.iter().collect::<String>());
        let r = contract_normalize(&right.iter().collect::<String>());
        if l.is_empty() || r.is_empty() {
            continue;
        }
        let expected: BTreeSet<(String, u64)> = units
            .iter()
            .filter(|u| u.contains(&needle))
            .map(|u| u.key.clone())
            .collect();
        let actual = found(&fx, &as_query(&text, false));
        if expected != actual {
            failures.push(format!("{text:?}: expected {expected:?}, found {actual:?}"));
        }
        empty += usize::from(expected.is_empty());
        checked += 1;
    }
    println!("{checked} strings across boundaries, {empty} found nowhere else");
    assert!(
        checked > 60 && empty > 30,
        "{checked} checked, {empty} only across"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
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
