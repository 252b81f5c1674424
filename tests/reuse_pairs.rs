//! `fazhi reuse` and copy counting on corpora with planted copies (issue
//! 19): the bundled seed reports, copies of them with names and years
//! swapped, paragraphs reordered, characters changed, another script and
//! punctuation width, an exact copy in another encoding and a repost —
//! mixed with unrelated reports of many bureaus that share only stock
//! phrases. Everything runs through the real binary.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn seed(name: &str) -> String {
    let dir = repo().join("corpus");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(name))
        .unwrap_or_else(|| panic!("no seed {name}"));
    std::fs::read_to_string(file).unwrap()
}

fn fazhi(corpus: &Path, index: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fazhi"))
        .arg("--corpus")
        .arg(corpus)
        .arg("--index")
        .arg(index)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run fazhi")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "fazhi failed ({:?}): {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Sentences no other report has: words drawn by a fixed PRNG.
fn own_text(seed: u64, sentences: usize) -> String {
    const WORDS: &[&str] = &[
        "河道", "巡查", "档案", "窗口", "社区", "农机", "渔港", "茶园", "林场", "粮仓", "桥梁",
        "码头", "集市", "书屋", "驿站", "泵站", "苗圃", "牧场", "车站", "库区", "夜校", "广场",
        "堤坝", "果园", "菜场", "浴室", "食堂", "车间", "仓库", "电站", "灯塔", "水库", "公园",
        "剧场", "球馆", "园区", "港口", "客栈", "药房", "邮局",
    ];
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out = String::new();
    for _ in 0..sentences {
        let n = 8 + (next() % 6) as usize;
        for _ in 0..n {
            out.push_str(WORDS[(next() % WORDS.len() as u64) as usize]);
        }
        out.push('。');
    }
    out
}

/// Stock phrases every bureau writes.
const STOCK: &str = "深入学习贯彻习近平法治思想，全面贯彻党的二十大精神，坚持以人民为中心的发展思想，\
认真落实法治政府建设实施纲要，扎实推进严格规范公正文明执法，不断提升依法行政能力和水平。";

const UNRELATED: &[&str] = &[
    "杭州市司法局",
    "宁波市交通运输局",
    "温州市财政局",
    "嘉兴市民政局",
    "湖州市水利局",
    "绍兴市商务局",
    "金华市林业局",
    "衢州市审计局",
];

/// An unrelated report: stock phrases and text of its own.
fn unrelated(i: usize, bureau: &str, year: u32) -> String {
    format!(
        "{bureau}{year}年法治政府建设工作报告\n\n{STOCK}\n\n一、主要工作\n\n{}\n\n二、存在问题\n\n{}\n\n{STOCK}\n\n{bureau}\n{year}年12月28日\n",
        own_text(i as u64 * 7 + 1, 12),
        own_text(i as u64 * 7 + 2, 6)
    )
}

/// A few characters to their traditional forms, punctuation to half width
/// and digits to full width: what a repost on a Hong Kong or Taiwan site,
/// or a sloppy retyping, does to a paragraph.
fn other_script(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '国' => '國',
            '发' => '發',
            '务' => '務',
            '实' => '實',
            '机' => '機',
            '关' => '關',
            '设' => '設',
            '领' => '領',
            '导' => '導',
            '开' => '開',
            '会' => '會',
            '进' => '進',
            '动' => '動',
            '体' => '體',
            '规' => '規',
            '执' => '執',
            '责' => '責',
            '学' => '學',
            '习' => '習',
            '，' => ',',
            '。' => '.',
            '、' => ',',
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap(),
            other => other,
        })
        .collect()
}

/// 1-based number of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not found"))
        + 1
}

struct Planted {
    dir: tempfile::TempDir,
    /// (earlier file, later file, ordered)
    pairs: Vec<(&'static str, &'static str, bool)>,
    /// The lines the third copy's paragraphs start on: (in the seed, in the copy).
    script_lines: Vec<(usize, usize)>,
    /// Normalised chars of those paragraphs.
    script_chars: usize,
}

impl Planted {
    fn corpus(&self) -> PathBuf {
        self.dir.path().join("corpus")
    }
    fn index(&self) -> PathBuf {
        self.dir.path().join("index")
    }
    fn run(&self, args: &[&str]) -> Output {
        fazhi(&self.corpus(), &self.index(), args)
    }
    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.corpus().join(name), text).unwrap();
    }
}

/// The planted corpus, indexed.
fn planted() -> Planted {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("corpus")).unwrap();
    let mut p = Planted {
        dir,
        pairs: Vec::new(),
        script_lines: Vec::new(),
        script_chars: 0,
    };
    for name in ["000", "001", "002", "003", "004"] {
        p.write(&format!("seed{name}.txt"), &seed(name));
    }
    for (i, bureau) in UNRELATED.iter().enumerate() {
        p.write(&format!("other{i}.txt"), &unrelated(i, bureau, 2022));
    }

    // 1. A neighbour's report with the names and the year swapped.
    let copy = seed("000")
        .replace("长春市教育局", "吉林市民政局")
        .replace("长春", "吉林")
        .replace("2020", "2021");
    p.write("copy_names.txt", &copy);
    p.pairs.push(("seed000.txt", "copy_names.txt", true));

    // 2. Paragraphs reordered, a few characters changed, names and year swapped.
    let original = seed("001");
    let paras: Vec<&str> = original.lines().filter(|l| !l.trim().is_empty()).collect();
    let (head, body) = paras.split_at(6);
    let mut reordered: Vec<String> = head.iter().map(|s| s.to_string()).collect();
    reordered.extend(body.iter().rev().map(|s| s.to_string()));
    let copy = reordered
        .join("\n")
        .replace("宁县", "合水县")
        .replace("2023", "2024")
        .replacen("加强", "强化", 3)
        .replacen("工作", "事务", 2);
    p.write("copy_reordered.txt", &copy);
    p.pairs.push(("seed001.txt", "copy_reordered.txt", true));

    // 3. Two paragraphs of a report in another script and punctuation width,
    // inside a later report of another bureau.
    let source = seed("004");
    let lines: Vec<&str> = source.lines().collect();
    let picked: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("建立以局党组书记") || l.starts_with("区教育局依法落实"))
        .collect();
    assert_eq!(picked.len(), 2);
    let mut host = unrelated(20, "温岭市教育局", 2024);
    let own_end = host.find("二、存在问题").unwrap();
    let inserted = format!(
        "{}\n\n{}\n\n",
        other_script(picked[0]),
        other_script(picked[1])
    );
    host.insert_str(own_end, &inserted);
    p.script_chars = picked
        .iter()
        .map(|para| fazhi::analysis::normalize(para).chars().count())
        .sum();
    for para in &picked {
        let prefix: String = other_script(para).chars().take(12).collect();
        let key: String = para.chars().take(12).collect();
        p.script_lines
            .push((line_of(&source, &key), line_of(&host, &prefix)));
    }
    p.write("copy_script.txt", &host);
    p.pairs.push(("seed004.txt", "copy_script.txt", true));

    // 4. The same report saved from another site in GB18030: an exact copy.
    let text = seed("002");
    let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
    std::fs::write(p.corpus().join("exact_gbk.txt"), &gbk).unwrap();
    p.pairs.push(("exact_gbk.txt", "seed002.txt", false));

    // 5. A repost: a site header and one sentence changed.
    let repost = format!(
        "来源：教育信息网  发布时间：2022-03-01\n{}",
        seed("003").replacen("。", "，特此报告。", 1)
    );
    p.write("repost.txt", &repost);
    p.pairs.push(("repost.txt", "seed003.txt", false));

    ok(&p.run(&["index", "--quiet"]));
    p
}

fn file(path: &Value) -> String {
    Path::new(path.as_str().unwrap())
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

fn pairs_json(p: &Planted, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["reuse", "-f", "json"];
    all.extend(args);
    let out = p.run(&all);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn every_planted_pair_is_found_and_nothing_else() {
    let p = planted();
    let rows = pairs_json(&p, &["-n", "0"]);
    let found: BTreeSet<(String, String, bool)> = rows
        .iter()
        .map(|r| {
            (
                file(&r["earlier"]["path"]),
                file(&r["later"]["path"]),
                r["ordered"].as_bool().unwrap(),
            )
        })
        .collect();
    let planted: BTreeSet<(String, String, bool)> = p
        .pairs
        .iter()
        .map(|(a, b, o)| (a.to_string(), b.to_string(), *o))
        .collect();
    assert_eq!(found, planted, "{rows:#?}");

    for r in &rows {
        let earlier = std::fs::read_to_string(p.corpus().join(file(&r["earlier"]["path"])))
            .unwrap_or_default();
        let passages = r["passages"].as_array().unwrap();
        assert!(!passages.is_empty());
        let shared: u64 = passages.iter().map(|s| s["chars"].as_u64().unwrap()).sum();
        assert_eq!(shared, r["shared_chars"].as_u64().unwrap());
        let sim = r["similarity"].as_f64().unwrap();
        assert!(sim > 0.0 && sim <= 1.0);
        for s in passages {
            let line = s["earlier_line"].as_u64().unwrap() as usize;
            assert!(s["later_line"].as_u64().unwrap() >= 1);
            // The passage text starts on the line given (text files of the
            // earlier report that are UTF-8; the GB18030 one is checked by kind).
            if !earlier.is_empty() {
                let first: String = s["text"].as_str().unwrap().chars().take(4).collect();
                let at = earlier.lines().nth(line - 1).unwrap_or("");
                assert!(at.contains(&first), "line {line} {at:?} lacks {first:?}");
            }
        }
    }
    let kind = |later: &str| {
        rows.iter()
            .find(|r| file(&r["later"]["path"]) == later)
            .map(|r| r["kind"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(kind("seed002.txt"), "exact");
    assert_eq!(kind("seed003.txt"), "repost");
    assert_eq!(kind("copy_names.txt"), "reuse");

    // Whole copies share nearly all their text; the two paragraphs much less.
    let sim = |later: &str| {
        rows.iter()
            .find(|r| file(&r["later"]["path"]) == later)
            .unwrap()["similarity"]
            .as_f64()
            .unwrap()
    };
    assert!(sim("copy_names.txt") > 0.9);
    assert!(sim("copy_reordered.txt") > 0.8);
    assert!(sim("copy_script.txt") < 0.6);

    // The paragraphs in the other script: cited at their lines in both
    // files (the heading between them in the seed is a gap, so the two may
    // form one passage), nearly all of their text shared.
    let script = rows
        .iter()
        .find(|r| file(&r["later"]["path"]) == "copy_script.txt")
        .unwrap();
    let passages = script["passages"].as_array().unwrap();
    let starts: Vec<(usize, usize)> = passages
        .iter()
        .map(|s| {
            (
                s["earlier_line"].as_u64().unwrap() as usize,
                s["later_line"].as_u64().unwrap() as usize,
            )
        })
        .collect();
    assert_eq!(starts[0], p.script_lines[0], "{script:#?}");
    assert!(
        starts.iter().all(|s| p.script_lines.contains(s)),
        "{starts:?}"
    );
    let shared = script["shared_chars"].as_u64().unwrap() as usize;
    assert!(
        shared * 10 >= p.script_chars * 9 && shared <= p.script_chars,
        "{shared} of {}",
        p.script_chars
    );
}

#[test]
fn reposts_and_exact_copies_are_counted_once() {
    let p = planted();
    let rows = pairs_json(&p, &["-n", "0"]);
    let later = |name: &str| {
        rows.iter()
            .find(|r| file(&r["later"]["path"]) == name)
            .unwrap()
            .clone()
    };
    // The copy of a report points at it (the one first by path is the original).
    let exact = later("seed002.txt");
    assert_eq!(exact["later"]["duplicate_of"], exact["earlier"]["doc_id"]);
    let repost = later("seed003.txt");
    assert_eq!(repost["later"]["duplicate_of"], repost["earlier"]["doc_id"]);
    assert!(later("copy_names.txt")["later"]["duplicate_of"].is_null());

    let stats = |args: &[&str]| -> Value {
        let mut all = vec!["stats", "-f", "json"];
        all.extend(args);
        serde_json::from_str(&ok(&p.run(&all))).unwrap()
    };
    let files = 5 + UNRELATED.len() + 5;
    let plain = stats(&[]);
    assert_eq!(plain["reports"], files - 1);
    assert_eq!(plain["copies"]["exact_copies"], 1);
    assert_eq!(plain["copies"]["reposts"], 1);
    assert_eq!(stats(&["--dedup"])["reports"], files - 2);

    // bureaus: the exact copy adds nothing; --dedup also drops the repost.
    let sections = |args: &[&str], bureau: &str| -> u64 {
        let mut all = vec!["bureaus", "教育", "-f", "json", "--no-snippet", "-n", "0"];
        all.extend(args);
        let rows: Vec<Value> = serde_json::from_str(&ok(&p.run(&all))).unwrap();
        rows.iter()
            .filter(|r| r["bureau"].as_str().unwrap_or("").contains(bureau))
            .map(|r| r["sections"].as_u64().unwrap())
            .sum()
    };
    let lq_with_copy = sections(&[], "龙泉");
    let xc_with_repost = sections(&[], "许昌");
    let xc_dedup = sections(&["--dedup"], "许昌");
    std::fs::remove_file(p.corpus().join("exact_gbk.txt")).unwrap();
    std::fs::remove_file(p.corpus().join("repost.txt")).unwrap();
    ok(&p.run(&["index", "--quiet"]));
    assert_eq!(lq_with_copy, sections(&[], "龙泉"));
    assert_eq!(xc_dedup, sections(&[], "许昌"));
    assert!(xc_with_repost > xc_dedup);
}

#[test]
fn stock_phrases_alone_make_no_pair() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    let index = dir.path().join("index");
    std::fs::create_dir_all(&corpus).unwrap();
    for (i, bureau) in UNRELATED.iter().enumerate() {
        std::fs::write(
            corpus.join(format!("r{i}.txt")),
            unrelated(i, bureau, 2021 + i as u32 % 3),
        )
        .unwrap();
    }
    ok(&fazhi(&corpus, &index, &["index", "--quiet"]));
    let out = fazhi(&corpus, &index, &["reuse", "--min-chars", "30"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(out.stdout.is_empty());
    let out = fazhi(&corpus, &index, &["reuse", "-f", "json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "[]");
}

#[test]
fn doc_lists_one_reports_sources_and_copies_and_updates_incrementally() {
    let p = planted();
    let rows = pairs_json(&p, &["--doc", "seed000.txt"]);
    assert_eq!(rows.len(), 1);
    assert_eq!(file(&rows[0]["later"]["path"]), "copy_names.txt");
    let id = rows[0]["later"]["doc_id"].as_str().unwrap().to_string();
    let by_id = pairs_json(&p, &["--doc", &id]);
    assert_eq!(by_id, rows);
    let out = p.run(&["reuse", "--doc", "nonexistent.txt"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("fazhi: "));

    // Filters keep pairs with a report passing them.
    let rows = pairs_json(&p, &["--bureau", "吉林市民政局", "-n", "0"]);
    assert_eq!(rows.len(), 1, "{rows:#?}");

    // One new copy: only it is fingerprinted, and it is found.
    p.write(
        "copy_again.txt",
        &seed("000").replace("长春", "四平").replace("2020", "2022"),
    );
    let out = ok(&p.run(&["index"]));
    let line = out.lines().find(|l| l.starts_with("reuse:")).unwrap();
    assert!(line.starts_with("reuse: 1 reports fingerprinted"), "{line}");
    let rows = pairs_json(&p, &["--doc", "copy_again.txt"]);
    let partners: BTreeSet<String> = rows.iter().map(|r| file(&r["earlier"]["path"])).collect();
    assert!(partners.contains("seed000.txt"), "{rows:#?}");

    // CSV: one row per passage, with a header.
    let csv = ok(&p.run(&["reuse", "-f", "csv", "--doc", "seed000.txt"]));
    let header = csv.lines().next().unwrap();
    assert!(
        header.starts_with("earlier_doc_id,earlier_path"),
        "{header}"
    );
    assert!(csv.lines().count() >= 3);
}
