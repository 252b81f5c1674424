//! `parse_report` never panics and stays fast: mangled seed reports, random
//! strings full of heading markers, a huge single line, many headings.

use std::path::Path;
use std::time::{Duration, Instant};

use fazhi::ingest::LoadedText;
use fazhi::report::parse_report;
use proptest::prelude::*;

fn loaded(text: String) -> LoadedText {
    LoadedText {
        text,
        encoding: "UTF-8".into(),
        content_hash: String::new(),
    }
}

fn seed_lines() -> Vec<Vec<String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .split('\n')
                .map(str::to_string)
                .collect()
        })
        .collect()
}

/// Check invariants every report must satisfy.
fn check(text: String) {
    let n_lines = text.split('\n').count();
    let r = parse_report("x.txt", "x", &loaded(text));
    for s in r.searchable_sections() {
        assert!(
            s.line_start >= 1 && s.line_start <= s.line_end && s.line_end <= n_lines,
            "{s:?}"
        );
        assert_eq!(s.id, format!("x-{}", s.ordinal));
        if s.level > 0 {
            assert_eq!(s.heading_path.len(), usize::from(s.level));
            assert_eq!(s.heading_path.last(), Some(&s.heading));
        }
    }
    for (k, s) in r.sections.iter().enumerate() {
        assert_eq!(s.ordinal, k + 1);
    }
    for v in [
        &r.title,
        &r.bureau,
        &r.publish_date,
        &r.doc_number,
        &r.addressee,
    ] {
        assert_ne!(v.as_deref(), Some(""));
    }
}

#[derive(Debug, Clone)]
enum Edit {
    Delete(usize),
    Duplicate(usize),
    Cut(usize, usize),
    Insert(usize, String),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Delete),
        any::<usize>().prop_map(Edit::Duplicate),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::Cut(a, b)),
        (any::<usize>(), marker_text()).prop_map(|(a, s)| Edit::Insert(a, s)),
    ]
}

fn marker_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "一、",
        "二、",
        "十二、",
        "（一）",
        "(三)",
        "1.",
        "2、",
        "3．",
        "（1）",
        "(2)",
        "一是",
        "。",
        "，",
        ",",
        "：",
        "\u{a0}",
        "\u{3000}",
        " ",
        "\n",
        "\n\n",
        "市教育局",
        "关于",
        "2023年",
        "20201228",
        "2024年4月3日",
        "许教〔2022〕5号",
        "区政府：",
        "索引号: | ",
        "发布机构: | ",
        "您当前的位置:首页 > ",
        "【字体: 打印",
        "联系人：",
        "回顾",
        "一年来，",
        "报告",
        "年度报告",
        "《",
        "》",
        "“",
        "”",
        "宁县",
        "鼓楼区",
        "文件",
        "x",
        "é",
        "\u{feff}",
        "\r",
    ]);
    prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn mangled_seeds_do_not_panic(file in 0usize..5, edits in prop::collection::vec(edit(), 0..30)) {
        let seeds = seed_lines();
        let mut lines = seeds[file % seeds.len()].clone();
        for e in edits {
            let n = lines.len().max(1);
            match e {
                Edit::Delete(i) => { if !lines.is_empty() { lines.remove(i % n); } }
                Edit::Duplicate(i) => { if !lines.is_empty() { let l = lines[i % n].clone(); lines.insert(i % n, l); } }
                Edit::Cut(i, at) => {
                    if !lines.is_empty() {
                        let l = lines[i % n].clone();
                        let chars: Vec<char> = l.chars().collect();
                        let at = at % (chars.len() + 1);
                        lines[i % n] = chars[..at].iter().collect();
                        lines.insert(i % n + 1, chars[at..].iter().collect());
                    }
                }
                Edit::Insert(i, s) => lines.insert(i % (lines.len() + 1), s),
            }
        }
        check(lines.join("\n"));
    }

    #[test]
    fn random_marker_strings_do_not_panic(s in marker_text()) {
        check(s);
    }

    #[test]
    fn arbitrary_unicode_does_not_panic(s in "\\PC{0,300}") {
        check(s);
    }
}

#[test]
fn huge_single_line_is_bounded() {
    let unit = "我局推进依法行政，加强法治宣传教育（一）1.一、";
    let mut text = String::with_capacity(20 << 20);
    while text.len() < 20 << 20 {
        text.push_str(unit);
    }
    let start = Instant::now();
    let r = parse_report("big.txt", "big", &loaded(text));
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "took {:?}",
        start.elapsed()
    );
    assert!(r.sections.len() <= 1);
}

#[test]
fn twenty_thousand_headings_nested_deep() {
    let mut text = String::from("某某县教育局2023年度法治政府建设工作报告\n");
    for i in 0..2000 {
        text.push_str(&format!(
            "{}、第{i}部分\n",
            ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"][i % 10]
        ));
        for j in 1..=3 {
            text.push_str(&format!(
                "（{}）小节{j}\n1.要点\n（1）细节。正文内容，第{i}节。\n2.要点二。正文。\n",
                ["一", "二", "三"][j - 1]
            ));
        }
    }
    let start = Instant::now();
    let r = parse_report("many.txt", "many", &loaded(text));
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "took {:?}",
        start.elapsed()
    );
    assert!(r.sections.len() >= 20_000);
    assert_eq!(r.sections.iter().map(|s| s.level).max(), Some(4));
    // Ten levels of nesting styles in a row never exceed the four styles.
    let deep: String = (0..10)
        .map(|k| ["一、甲\n", "（一）乙\n", "1.丙\n", "（1）丁\n"][k % 4])
        .collect();
    let r = parse_report("deep.txt", "deep", &loaded(deep));
    assert!(r.sections.iter().all(|s| s.level >= 1 && s.level <= 4));
}
