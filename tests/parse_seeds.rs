//! `fazhi parse --format json` on the five bundled reports, compared field by
//! field with the hand-checked ground truth in tests/data/.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn truth(name: &str) -> Value {
    let text = std::fs::read_to_string(root().join("tests/data").join(name)).expect("ground truth");
    serde_json::from_str(&text).expect("ground truth json")
}

fn parse_json(file: &str) -> Value {
    let out = Command::cargo_bin("fazhi")
        .expect("binary")
        .current_dir(root())
        .args(["parse", &format!("corpus/{file}"), "--format", "json"])
        .output()
        .expect("run fazhi");
    assert!(
        out.status.success(),
        "fazhi parse {file} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json output")
}

fn squeeze(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{3000}')
        .collect()
}

const PLACEHOLDER: &str = "[隐含无编号章节：";

#[test]
fn metadata_matches_ground_truth() {
    let truth = truth("seeds-metadata.json");
    let mut failures = Vec::new();
    for (file, want) in truth.as_object().expect("object") {
        let got = parse_json(file);
        for key in [
            "title",
            "bureau",
            "report_year",
            "publish_date",
            "doc_number",
            "addressee",
        ] {
            if got[key] != want[key] {
                failures.push(format!("{file} {key}: got {} want {}", got[key], want[key]));
            }
        }
        for key in [
            "province",
            "province_code",
            "city",
            "city_code",
            "county",
            "county_code",
        ] {
            if got["region"][key] != want["region"][key] {
                failures.push(format!(
                    "{file} region.{key}: got {} want {}",
                    got["region"][key], want["region"][key]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn sections_match_ground_truth() {
    let truth = truth("seeds-sections.json");
    let mut failures = Vec::new();
    for (file, want) in truth.as_object().expect("object") {
        let got = parse_json(file);
        let sections = got["sections"].as_array().expect("sections array");
        let levels: Vec<u64> = sections
            .iter()
            .map(|s| s["level"].as_u64().unwrap_or(0))
            .collect();
        let leaves = (0..levels.len())
            .filter(|&i| levels.get(i + 1).is_none_or(|next| *next <= levels[i]))
            .count();
        let max_depth = levels.iter().copied().max().unwrap_or(0);
        let counts = [
            ("sections", sections.len() as u64, want["sections"].as_u64()),
            ("leaves", leaves as u64, want["leaves"].as_u64()),
            ("max_depth", max_depth, want["max_depth"].as_u64()),
        ];
        for (name, g, w) in counts {
            if Some(g) != w {
                failures.push(format!("{file} {name}: got {g} want {w:?}"));
            }
        }
        let outline = want["outline"].as_array().expect("outline");
        for (k, (entry, sec)) in outline.iter().zip(sections).enumerate() {
            let at = format!("{file} #{k}");
            if entry["level"] != sec["level"] {
                failures.push(format!(
                    "{at} level: got {} want {}",
                    sec["level"], entry["level"]
                ));
            }
            if entry["line"] != sec["line_start"] {
                failures.push(format!(
                    "{at} line: got {} want {}",
                    sec["line_start"], entry["line"]
                ));
            }
            let want_path: Vec<&str> = entry["heading_path"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            let got_path: Vec<&str> = sec["heading_path"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap_or(""))
                .collect();
            let same = want_path.len() == got_path.len()
                && want_path
                    .iter()
                    .zip(&got_path)
                    .all(|(w, g)| w.starts_with(PLACEHOLDER) || w == g);
            if !same {
                failures.push(format!(
                    "{at} heading_path: got {got_path:?} want {want_path:?}"
                ));
            }
            let body = squeeze(sec["body"].as_str().unwrap_or(""));
            match entry["body_starts"].as_str() {
                Some(start) if !body.starts_with(&squeeze(start)) => failures.push(format!(
                    "{at} body: got {:?} want prefix {start:?}",
                    body.chars().take(20).collect::<String>()
                )),
                None if !body.is_empty() => failures.push(format!(
                    "{at} body: want none, got {:?}",
                    body.chars().take(20).collect::<String>()
                )),
                _ => {}
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn closing_of_003_is_not_in_the_last_section() {
    let got = parse_json("003_ac17fba514662512.txt");
    let closing = &got["closing"];
    assert_eq!(closing["line_start"], 57);
    assert_eq!(closing["level"], 0);
    let last = got["sections"].as_array().unwrap().last().unwrap().clone();
    assert!(!last["body"].as_str().unwrap().contains("回顾今年以来"));
    assert!(!last["body"].as_str().unwrap().contains("联系人"));
}

#[test]
fn web_furniture_never_in_bodies() {
    let truth = truth("seeds-metadata.json");
    for file in truth.as_object().unwrap().keys() {
        let got = parse_json(file);
        let mut texts: Vec<String> = got["sections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["body"].as_str().unwrap().to_string())
            .collect();
        for k in ["preamble", "closing"] {
            if let Some(b) = got[k]["body"].as_str() {
                texts.push(b.to_string());
            }
        }
        for t in &texts {
            for bad in [
                "密码登录",
                "立即注册",
                "索引号",
                "发布机构",
                "字体",
                "当前的位置",
                "签发人",
                "联系电话",
                "20201228",
                "2024年4月3日",
            ] {
                assert!(!t.contains(bad), "{file}: {bad:?} in body {t:?}");
            }
        }
    }
}

#[test]
fn several_files_give_an_array_and_a_missing_one_exits_2() {
    let out = Command::cargo_bin("fazhi")
        .unwrap()
        .current_dir(root())
        .args([
            "parse",
            "corpus/000_700b0228d684de86.txt",
            "corpus/does-not-exist.txt",
            "corpus/004_86065a5a5a10b58f.txt",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("does-not-exist.txt"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().map(Vec::len), Some(2));
}

#[test]
fn text_format_prints_metadata_and_outline() {
    let out = Command::cargo_bin("fazhi")
        .unwrap()
        .current_dir(root())
        .args(["parse", "corpus/001_dd28fcdd2941aef0.txt"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("宁县教育局2023年度法治政府建设工作报告"),
        "{text}"
    );
    assert!(
        text.contains("   10      (一)强化组织保障,发挥法治引领作用"),
        "{text}"
    );
}
