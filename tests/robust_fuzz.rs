//! Stable-toolchain twins of the cargo-fuzz targets in `fuzz/`: the same
//! invariants (`fuzz/src/checks.rs`), driven by proptest with a bounded
//! number of cases (`PROPTEST_CASES`, default below; `fuzz/run.sh` raises
//! it). Crash inputs found by either live in `fuzz/regressions/<target>/`
//! and are replayed here, plus the bad queries that must stay usage errors
//! through the real binary.

#[path = "../fuzz/src/checks.rs"]
mod checks;

use std::io::{Cursor, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use fazhi::ingest::extract::Format;
use proptest::prelude::*;
use zip::write::SimpleFileOptions;

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn seed_texts() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

/// A damaged copy of a seed: byte edits at random places.
#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Cut(usize),
    Insert(usize, Vec<u8>),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Flip(i, b)),
        (any::<usize>()).prop_map(Edit::Cut),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 0..16))
            .prop_map(|(i, v)| Edit::Insert(i, v)),
        (any::<usize>()).prop_map(Edit::Truncate),
    ]
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let n = bytes.len().max(1);
        match e {
            Edit::Flip(i, b) => {
                if !bytes.is_empty() {
                    bytes[i % n] ^= b;
                }
            }
            Edit::Cut(i) => {
                if !bytes.is_empty() {
                    let at = i % n;
                    let end = (at + 64).min(bytes.len());
                    bytes.drain(at..end);
                }
            }
            Edit::Insert(i, v) => {
                let at = i % (bytes.len() + 1);
                bytes.splice(at..at, v.iter().copied());
            }
            Edit::Truncate(i) => bytes.truncate(i % n),
        }
    }
    bytes
}

/// Encodings a scraped file may come in.
fn encode(text: &str, how: u8) -> Vec<u8> {
    match how % 5 {
        0 => text.as_bytes().to_vec(),
        1 => encoding_rs::GB18030.encode(text).0.into_owned(),
        2 => text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect(),
        3 => text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect(),
        _ => text.replace('\n', "\r\n").into_bytes(),
    }
}

fn docx(xml: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(xml).unwrap();
    zip.finish().unwrap().into_inner()
}

/// Tag soup: fragments of HTML, text, entities and broken markup.
fn html_soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<div>".to_string()),
        Just("</div>".to_string()),
        Just("<p class=\"nav-bar\">".to_string()),
        Just("<table><tr><td>".to_string()),
        Just("</td><td>".to_string()),
        Just("</tr></table>".to_string()),
        Just("<pre>".to_string()),
        Just("</pre>".to_string()),
        Just("<script>var a = '<p>';".to_string()),
        Just("</script>".to_string()),
        Just("<br>".to_string()),
        Just("<!-- x".to_string()),
        Just("-->".to_string()),
        Just("<![CDATA[".to_string()),
        Just("&amp;&#x4e00;&#0;&#xD800;&nbsp;&".to_string()),
        Just("<meta charset=\"gbk\">".to_string()),
        Just("<b><i><font>".to_string()),
        Just("一、总体情况\n".to_string()),
        Just("（一）加强领导\r\n".to_string()),
        Just("\u{3000}\u{a0}\t \r".to_string()),
        "\\PC{0,12}",
        "<[a-z]{1,6}( [a-z]{1,4}=\"[^\"]{0,6}\")?>",
        "</[a-z]{1,6}>",
    ];
    prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

/// Query-like strings: operators, quotes, minus signs, spaces and terms.
fn query_soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("OR".to_string()),
        Just("or".to_string()),
        Just("|".to_string()),
        Just("｜".to_string()),
        Just("-".to_string()),
        Just("－".to_string()),
        Just("\"".to_string()),
        Just("“".to_string()),
        Just("”".to_string()),
        Just("＂".to_string()),
        Just(" ".to_string()),
        Just("\u{3000}".to_string()),
        Just("\t\n".to_string()),
        Just("法律顾问".to_string()),
        Just("合法性审查".to_string()),
        Just("、，。".to_string()),
        Just("ＡＢＣ".to_string()),
        Just("\u{0}\u{200b}\u{feff}".to_string()),
        "[a-zA-Z0-9]{1,4}",
        "\\PC{1,3}",
    ];
    prop::collection::vec(piece, 0..16).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(48)))]

    #[test]
    fn parse_file_on_damaged_seeds(
        seed in 0usize..5,
        how in any::<u8>(),
        format in 0usize..3,
        edits in prop::collection::vec(edit(), 0..12),
    ) {
        let texts = seed_texts();
        let text = &texts[seed % texts.len()];
        let bytes = match FORMAT_OF[format] {
            Format::Docx => {
                let xml: String = text
                    .lines()
                    .map(|l| format!("<w:p><w:r><w:t>{}</w:t></w:r></w:p>", l.replace('&', "&amp;").replace('<', "&lt;")))
                    .collect();
                let doc = format!("<w:document xmlns:w=\"w\"><w:body>{xml}</w:body></w:document>");
                docx(&apply(doc.into_bytes(), &edits))
            }
            Format::Html => apply(format!("<html><body><p>{}</p></body></html>", text.replace('\n', "</p><p>")).into_bytes(), &edits),
            Format::Text => apply(encode(text, how), &edits),
        };
        checks::check_file(&bytes, FORMAT_OF[format]);
    }

    #[test]
    fn parse_file_on_arbitrary_bytes(data in prop::collection::vec(any::<u8>(), 0..2048)) {
        checks::parse_file(&data);
    }

    #[test]
    fn parse_file_on_damaged_zips(edits in prop::collection::vec(edit(), 1..8)) {
        let good = docx(b"<w:document><w:body><w:p><w:r><w:t>\xe4\xb8\x80\xe3\x80\x81\xe6\x80\xbb\xe4\xbd\x93</w:t></w:r></w:p></w:body></w:document>");
        checks::check_file(&apply(good, &edits), Format::Docx);
    }

    #[test]
    fn html_extract_on_tag_soup(html in html_soup()) {
        checks::check_html(&html);
        checks::check_file(html.as_bytes(), Format::Html);
    }

    #[test]
    fn html_extract_on_arbitrary_bytes(data in prop::collection::vec(any::<u8>(), 0..1024)) {
        checks::html_extract(&data);
    }

    #[test]
    fn query_parse_on_query_soup(q in query_soup()) {
        checks::check_query(&q);
    }

    #[test]
    fn query_parse_on_any_string(q in ".{0,40}") {
        checks::check_query(&q);
    }
}

const FORMAT_OF: [Format; 3] = [Format::Text, Format::Html, Format::Docx];

/// Every file in `fuzz/regressions/<target>/` (crash inputs kept from fuzzing)
/// and `fuzz/seeds/<target>/` goes through its target again.
#[test]
fn fuzz_regressions_and_seeds_replay() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    type Check = fn(&[u8]);
    let targets: [(&str, Check); 3] = [
        ("parse_file", checks::parse_file),
        ("html_extract", checks::html_extract),
        ("query_parse", checks::query_parse),
    ];
    let mut replayed = 0;
    for (target, run) in targets {
        for kind in ["regressions", "seeds"] {
            let Ok(entries) = std::fs::read_dir(root.join(kind).join(target)) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                if path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                {
                    continue;
                }
                let data = std::fs::read(&path).unwrap();
                let outcome = std::panic::catch_unwind(|| run(&data));
                assert!(
                    outcome.is_ok(),
                    "{} fails its invariants again",
                    path.display()
                );
                replayed += 1;
            }
        }
    }
    assert!(
        replayed >= 6,
        "fuzz seeds/regressions missing ({replayed} replayed)"
    );
}

/// Queries that broke or could break the parser: each parses or is a
/// positioned error (in-process), never a panic.
const TRICKY_QUERIES: &[&str] = &[
    "",
    " ",
    "\u{3000}",
    "-",
    "－",
    "--",
    "-|",
    "-\"",
    "-\"\"",
    "\"",
    "\"\"",
    "\" \"",
    "“",
    "”法律”",
    "＂法律",
    "|",
    "||",
    "｜",
    "OR",
    "OR OR",
    "a OR",
    "OR a",
    "a OR OR b",
    "a | | b",
    "a OR -b",
    "-a OR b",
    "-a",
    "-a -b",
    "a -",
    "a - b",
    "、，。",
    "\"、\"",
    "-、",
    "\u{0}",
    "\u{200b}",
    "\u{feff}",
    "法律\u{0}顾问",
    "a\"b",
    "a\"b\"c\"",
    "\"a\" OR",
    "“a” | “b”",
    "ｏｒ",
    "or",
    "Or",
    "OR-a",
    "-OR",
    "－\"宪法\"",
    "a\u{3000}OR\u{3000}b",
    // Found by query_parse_on_query_soup: the message quoted a tab and a line break.
    "ＡＢＣ＂\t\n|\"",
    "\"\n\"",
    "a\tOR\rb",
];

#[test]
fn tricky_queries_in_process() {
    for q in TRICKY_QUERIES {
        checks::check_query(q);
    }
}

/// Through the real binary: every bad query is a usage error (exit 2, a
/// `fazhi: bad query …` line and a pointer), before any index is touched.
#[test]
fn bad_queries_are_usage_errors_in_the_cli() {
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("no-index");
    let corpus = tmp.path().join("no-corpus");
    let mut bad = 0;
    for q in TRICKY_QUERIES {
        // (argv cannot carry NUL; the in-process test covers those.)
        if q.is_empty() || q.contains('\0') || fazhi::query::parse::parse(q).is_ok() {
            continue;
        }
        bad += 1;
        let out = Command::new(env!("CARGO_BIN_EXE_fazhi"))
            .arg("--index")
            .arg(&index)
            .arg("--corpus")
            .arg(&corpus)
            .args(["search", "--", q])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{q:?}: {stderr}");
        assert!(
            stderr.starts_with("fazhi: bad query at character "),
            "{q:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{q:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{q:?}");
        assert!(
            !index.exists(),
            "{q:?}: a bad query must not build an index"
        );
    }
    assert!(bad >= 30, "only {bad} bad queries tried");
}
