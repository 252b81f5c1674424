//! Robustness of `fazhi index` against a hostile corpus, end to end.
//!
//! The corpus is generated here (no checked-in binaries): the five bundled
//! seed reports sit next to empty, binary, truncated, mis-encoded, huge,
//! deeply nested and otherwise hostile files, odd file names, symlink loops,
//! a FIFO and a device. Every file must end up either indexed (it is in the
//! committed manifest) or skipped with a one-line `warning: skipped <path>:
//! <reason>` on stderr — and the good reports are always indexed.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::fs;
use std::io::{Cursor, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use zip::write::SimpleFileOptions;

fn fazhi() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fazhi"));
    cmd.env_remove("FAZHI_CORPUS")
        .env_remove("FAZHI_INDEX")
        .env_remove("FAZHI_TAXONOMY")
        .stdin(Stdio::null());
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("fazhi runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The bundled seed reports: (file name, UTF-8 text), sorted.
fn seeds() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut seeds: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read_to_string(&p).unwrap())
        })
        .collect();
    seeds.sort();
    assert!(seeds.len() >= 5, "bundled seeds missing");
    seeds
}

/// A run of `len` consecutive CJK ideographs from the longest line of `text`:
/// a string that survives normalisation unchanged, for phrase searches.
fn phrase_of(text: &str, len: usize) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort_by_key(|l| std::cmp::Reverse(l.chars().count()));
    for line in lines {
        let chars: Vec<char> = line.chars().collect();
        let mut run = Vec::new();
        for c in chars {
            if ('\u{4e00}'..='\u{9fff}').contains(&c) {
                run.push(c);
                if run.len() == len {
                    return run.into_iter().collect();
                }
            } else {
                run.clear();
            }
        }
    }
    panic!("no CJK run of {len} in text");
}

fn utf16(text: &str, le: bool) -> Vec<u8> {
    text.encode_utf16()
        .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
        .collect()
}

fn zip_of(parts: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(method);
    for (name, data) in parts {
        zip.start_file(*name, options).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn docx_of(text: &str) -> Vec<u8> {
    let body: String = text
        .lines()
        .map(|p| {
            format!(
                r#"<w:p><w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
                xml_escape(p)
            )
        })
        .collect();
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}<w:sectPr/></w:body></w:document>"#
    );
    zip_of(
        &[
            (
                "[Content_Types].xml",
                b"<?xml version=\"1.0\"?><Types/>".as_slice(),
            ),
            ("word/document.xml", xml.as_bytes()),
        ],
        zip::CompressionMethod::Deflated,
    )
}

/// A zip bomb: `word/document.xml` inflates to 100 MB of spaces.
fn zip_bomb() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    zip.start_file("word/document.xml", options).unwrap();
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..100 {
        zip.write_all(&chunk).unwrap();
    }
    let bytes = zip.finish().unwrap().into_inner();
    assert!(bytes.len() < 1 << 20, "bomb should be small");
    bytes
}

/// What must become of one file.
#[derive(Debug, Clone)]
enum Expect {
    /// In the manifest; with `Some(n)`, with exactly `n` sections; with a
    /// phrase, a search for it finds this file.
    Indexed {
        sections: Option<usize>,
        phrase: Option<String>,
    },
    /// Named in a warning whose reason contains this text.
    Skipped(&'static str),
    /// Either indexed, or skipped with one of these reasons.
    Either(&'static [&'static str]),
    /// Not a regular file: neither indexed nor an error (must not hang either).
    Ignored,
}

struct Corpus {
    root: PathBuf,
    /// rel path (lossy, as fazhi reports it) → expectation.
    expect: BTreeMap<String, Expect>,
}

impl Corpus {
    fn add(&mut self, rel: impl AsRef<OsStr>, bytes: &[u8], expect: Expect) {
        let rel = rel.as_ref();
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&path, bytes).unwrap();
        self.expect
            .insert(rel.to_string_lossy().into_owned(), expect);
    }
}

fn indexed(phrase: Option<String>) -> Expect {
    Expect::Indexed {
        sections: None,
        phrase,
    }
}

/// Sections per report of the seeds, from a clean index of the seeds alone.
fn seed_sections(tmp: &Path, seeds: &[(String, String)]) -> BTreeMap<String, usize> {
    let corpus = tmp.join("seeds-only");
    fs::create_dir_all(&corpus).unwrap();
    for (name, body) in seeds {
        fs::write(corpus.join(name), body).unwrap();
    }
    let index = tmp.join("seeds-index");
    let out = run(fazhi()
        .arg("--corpus")
        .arg(&corpus)
        .arg("--index")
        .arg(&index)
        .args(["index", "-q"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    manifest(&index)
        .into_iter()
        .map(|(k, v)| (k, v.sections))
        .collect()
}

fn manifest(index: &Path) -> fazhi::index::Manifest {
    let handle = fazhi::index::open(index).expect("index opens");
    fazhi::index::read_manifest(index, &handle.info).expect("manifest reads")
}

/// Paths of all sections matching a quoted phrase.
fn search_paths(index: &Path, phrase: &str) -> BTreeSet<String> {
    let out = run(fazhi().arg("--index").arg(index).args([
        "search",
        &format!("\"{phrase}\""),
        "--limit",
        "0",
        "--format",
        "json",
    ]));
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "search {phrase}: {}",
        text(&out.stderr)
    );
    let hits: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("search JSON");
    hits.iter()
        .map(|h| h["path"].as_str().unwrap().to_string())
        .collect()
}

fn build_hostile_corpus(
    root: &Path,
    seeds: &[(String, String)],
    seed_secs: &BTreeMap<String, usize>,
) -> Corpus {
    let mut c = Corpus {
        root: root.to_path_buf(),
        expect: BTreeMap::new(),
    };
    let text_of = |i: usize| seeds[i].1.clone();
    let secs_of = |i: usize| Some(seed_secs[&seeds[i].0]);

    // The good reports, unchanged.
    for (name, body) in seeds {
        c.add(
            format!("good/{name}"),
            body.as_bytes(),
            Expect::Indexed {
                sections: Some(seed_secs[name]),
                phrase: Some(phrase_of(body, 12)),
            },
        );
    }

    // Empty and blank.
    c.add("empty.txt", b"", Expect::Skipped("empty file"));
    c.add(
        "blank.txt",
        b" \n\r\n\t\x0c \xe3\x80\x80\n",
        Expect::Skipped("empty file"),
    );
    c.add(
        "bom-only.txt",
        b"\xef\xbb\xbf",
        Expect::Skipped("empty file"),
    );

    // Binary files with text extensions.
    let mut png =
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0\x1f\xf3\xffa".to_vec();
    png.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    c.add("image.png.txt", &png, Expect::Skipped("binary"));
    let zipped = zip_of(
        &[("a.bin", &png), ("b.txt", text_of(0).as_bytes())],
        zip::CompressionMethod::Deflated,
    );
    c.add("archive.txt", &zipped, Expect::Skipped("binary"));
    c.add("archive.html", &zipped, Expect::Skipped("binary"));
    c.add("archive.md", &zipped, Expect::Skipped("binary"));

    // Truncated UTF-8: cut inside a multi-byte character.
    let t1 = text_of(1);
    let mut cut = t1.len() * 2 / 3;
    while t1.is_char_boundary(cut) {
        cut += 1;
    }
    c.add(
        "truncated-utf8.txt",
        &t1.as_bytes()[..cut],
        indexed(Some(phrase_of(&t1[..t1.len() / 2], 12))),
    );

    // Mixed encodings: UTF-8 first half, GB18030 second half. Whatever the
    // decoder picks, the file is read (or refused with a reason), never fatal.
    let t2 = text_of(2);
    let half = t2.char_indices().nth(t2.chars().count() / 2).unwrap().0;
    let mut mixed = t2.as_bytes()[..half].to_vec();
    mixed.extend_from_slice(&encoding_rs::GB18030.encode(&t2[half..]).0);
    c.add("mixed-encodings.txt", &mixed, Expect::Either(&["binary"]));

    // Other encodings of whole reports must decode and parse like the original.
    let t3 = text_of(3);
    c.add(
        "utf16le-nobom.txt",
        &utf16(&t3, true),
        Expect::Indexed {
            sections: secs_of(3),
            phrase: Some(phrase_of(&t3, 12)),
        },
    );
    c.add(
        "utf16be-nobom.txt",
        &utf16(&t3, false),
        Expect::Indexed {
            sections: secs_of(3),
            phrase: None,
        },
    );
    c.add(
        "gb18030.txt",
        &encoding_rs::GB18030.encode(&t2).0,
        Expect::Indexed {
            sections: secs_of(2),
            phrase: None,
        },
    );

    // Line endings.
    let t4 = text_of(4);
    c.add(
        "crlf.txt",
        t4.replace('\n', "\r\n").as_bytes(),
        Expect::Indexed {
            sections: secs_of(4),
            phrase: None,
        },
    );
    c.add(
        "lone-cr.txt",
        t4.replace('\n', "\r").as_bytes(),
        Expect::Indexed {
            sections: secs_of(4),
            phrase: None,
        },
    );
    c.add(
        "no-final-newline.txt",
        t4.trim_end().as_bytes(),
        Expect::Indexed {
            sections: secs_of(4),
            phrase: None,
        },
    );

    // NUL bytes and control characters sprinkled into a report.
    let t0 = text_of(0);
    let noisy: String = t0
        .chars()
        .enumerate()
        .map(|(i, ch)| if i % 97 == 0 { '\0' } else { ch })
        .collect();
    c.add(
        "with-nuls.txt",
        noisy.as_bytes(),
        Expect::Either(&["binary"]),
    );

    // (The 50 MB single-line file has its own test, to run in parallel.)

    // 20,000 headings, each with a line of body: all must be indexed.
    let mut many = String::from("某某县教育局2023年度法治政府建设工作报告\n");
    let cn = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    let mut headings = 0;
    'outer: for i in 0..100 {
        many.push_str(&format!("{}、第{i}部分工作\n", cn[i % 10]));
        headings += 1;
        for (j, cn_j) in cn.iter().enumerate() {
            many.push_str(&format!("（{cn_j}）第{i}部分第{j}项\n"));
            headings += 1;
            for k in 1..=19 {
                many.push_str(&format!(
                    "{k}.要点{i}之{j}之{k}\n正文内容记录第{i}部分第{j}项第{k}点的情况。\n"
                ));
                headings += 1;
                if headings >= 20_000 {
                    break 'outer;
                }
            }
        }
    }
    assert!(headings >= 20_000);
    c.add(
        "twenty-thousand-headings.txt",
        many.as_bytes(),
        Expect::Indexed {
            sections: None,
            phrase: None,
        },
    );
    let many_headings = headings;

    // Headings nested ten deep (styles repeat past the four conventional ones).
    let styles = [
        "一、",
        "（一）",
        "1.",
        "（1）",
        "①",
        "第一条",
        "1)",
        "a.",
        "（a）",
        "i.",
    ];
    let mut deep = String::from("某某市司法局2022年法治政府建设情况报告\n");
    for (k, marker) in styles.iter().enumerate() {
        deep.push_str(&format!(
            "{marker}第{}层标题\n本层正文说明第{}层嵌套的内容。\n",
            k + 1,
            k + 1
        ));
    }
    deep.push_str("最深一层的正文记录稳健性测试嵌套十层的结果。\n");
    c.add(
        "nested-ten-deep.txt",
        deep.as_bytes(),
        indexed(Some("稳健性测试嵌套十层".into())),
    );

    // HTML with 10,000 nested tags, text at the bottom.
    let mut html =
        String::from("<html><head><meta charset=\"utf-8\"><title>深层嵌套</title></head><body>");
    html.push_str(&"<div>".repeat(10_000));
    html.push_str("<p>深层嵌套网页正文记录行政复议案件办理情况。</p>");
    html.push_str(&"</div>".repeat(10_000));
    html.push_str("</body></html>");
    c.add(
        "deep-nesting.html",
        html.as_bytes(),
        indexed(Some("深层嵌套网页正文记录行政复议".into())),
    );
    // Unclosed, mis-nested formatting tags (a quadratic trap for naive parsers).
    let mut tags = String::from("<html><body><p>格式标签未闭合的网页记录普法宣传活动情况。");
    for _ in 0..5_000 {
        tags.push_str("<b><i><span><font>");
    }
    tags.push_str("<td><table><tr></p></div></b>");
    c.add(
        "unclosed-tags.htm",
        tags.as_bytes(),
        indexed(Some("格式标签未闭合的网页记录普法".into())),
    );
    c.add(
        "html-not-markup.html",
        t0.as_bytes(),
        Expect::Indexed {
            sections: secs_of(0),
            phrase: None,
        },
    );

    // DOCX: a real one, a fake one, a truncated one, a bomb, one without a document.
    let good_docx = docx_of(&t3);
    c.add("report.docx", &good_docx, indexed(Some(phrase_of(&t3, 12))));
    c.add(
        "text-renamed.docx",
        t0.as_bytes(),
        Expect::Skipped("not a valid DOCX"),
    );
    c.add(
        "truncated.docx",
        &good_docx[..good_docx.len() / 2],
        Expect::Skipped("not a valid DOCX"),
    );
    c.add("zip-bomb.docx", &zip_bomb(), Expect::Skipped("zip bomb"));
    c.add(
        "spreadsheet.docx",
        &zip_of(
            &[("xl/workbook.xml", b"<x/>")],
            zip::CompressionMethod::Stored,
        ),
        Expect::Skipped("word/document.xml missing"),
    );
    c.add("empty.docx", b"", Expect::Skipped("empty file"));

    // File names.
    c.add(
        "name with spaces 报告.txt",
        t0.as_bytes(),
        Expect::Indexed {
            sections: secs_of(0),
            phrase: None,
        },
    );
    c.add(
        "中文目录/浙江省某县司法局2021年法治政府建设年度报告.TXT",
        t1.as_bytes(),
        Expect::Indexed {
            sections: secs_of(1),
            phrase: None,
        },
    );
    c.add(
        OsStr::from_bytes(b"latin1-\xe9t\xe9.txt"),
        t2.as_bytes(),
        Expect::Indexed {
            sections: secs_of(2),
            phrase: None,
        },
    );
    c.add(
        "dir.txt/inside.txt",
        t4.as_bytes(),
        Expect::Indexed {
            sections: secs_of(4),
            phrase: None,
        },
    );

    // Symlinks: a loop back to the root, a self-loop, a dangling link.
    std::os::unix::fs::symlink(root, root.join("loop-to-root")).unwrap();
    c.expect
        .insert("loop-to-root".into(), Expect::Skipped("symlink loop"));
    std::os::unix::fs::symlink("self-link.txt", root.join("self-link.txt")).unwrap();
    c.expect.insert("self-link.txt".into(), Expect::Skipped(""));
    std::os::unix::fs::symlink("no-such-file.txt", root.join("dangling.txt")).unwrap();
    c.expect
        .insert("dangling.txt".into(), Expect::Skipped("broken symlink"));
    std::os::unix::fs::symlink(
        root.join("good").join(&seeds[0].0),
        root.join("link-to-good.txt"),
    )
    .unwrap();
    c.expect.insert(
        "link-to-good.txt".into(),
        Expect::Indexed {
            sections: secs_of(0),
            phrase: None,
        },
    );

    // Things that are not regular files and would block or never end if read.
    let fifo = root.join("fifo.txt");
    let status = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(status.success());
    c.expect.insert("fifo.txt".into(), Expect::Ignored);
    std::os::unix::fs::symlink("/dev/zero", root.join("dev-zero.txt")).unwrap();
    c.expect.insert("dev-zero.txt".into(), Expect::Ignored);

    // Unreadable (only binds when not root; see robust_permissions below).
    c.add(
        "unreadable.txt",
        t0.as_bytes(),
        Expect::Either(&["permission denied"]),
    );
    fs::set_permissions(
        root.join("unreadable.txt"),
        fs::Permissions::from_mode(0o000),
    )
    .unwrap();

    eprintln!(
        "hostile corpus: {} entries, {many_headings} headings in the big outline",
        c.expect.len()
    );
    c
}

/// Parse `fazhi: warning: skipped <path>: <reason>` lines: path → reason.
fn warnings(stderr: &str, root: &Path) -> BTreeMap<String, String> {
    let prefix = format!("{}/", root.display());
    let mut out = BTreeMap::new();
    for line in stderr.lines() {
        let Some(rest) = line.strip_prefix("fazhi: warning: skipped ") else {
            continue;
        };
        let rest = rest
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("warning path outside the corpus: {line}"));
        // The reason never contains ": " followed by the path, so split at the last path-like colon.
        let (path, reason) = split_warning(rest);
        assert!(
            !reason.trim().is_empty(),
            "warning without a reason: {line}"
        );
        out.insert(path.to_string(), reason.to_string());
    }
    out
}

/// Split `<rel path>: <reason>` where the path itself has no ": ".
fn split_warning(rest: &str) -> (&str, &str) {
    rest.split_once(": ")
        .unwrap_or_else(|| panic!("warning without a reason: {rest}"))
}

fn check(corpus: &Corpus, index: &Path, stderr: &str) {
    let warned = warnings(stderr, &corpus.root);
    let manifest = manifest(index);
    let mut failures = Vec::new();
    for (rel, expect) in &corpus.expect {
        let in_manifest = manifest.get(rel);
        let warning = warned.get(rel);
        if let (Some(_), Some(w)) = (in_manifest, warning) {
            failures.push(format!("{rel}: both indexed and skipped ({w})"));
            continue;
        }
        match expect {
            Expect::Indexed { sections, phrase } => {
                let Some(entry) = in_manifest else {
                    failures.push(format!("{rel}: not indexed (warning: {warning:?})"));
                    continue;
                };
                if let Some(n) = sections
                    && entry.sections != *n
                {
                    failures.push(format!("{rel}: {} sections, expected {n}", entry.sections));
                }
                if let Some(p) = phrase {
                    let paths = search_paths(index, p);
                    let want = corpus.root.join(rel).display().to_string();
                    if !paths.contains(&want) {
                        failures.push(format!(
                            "{rel}: search \"{p}\" does not find it (found {paths:?})"
                        ));
                    }
                }
            }
            Expect::Skipped(reason) => match warning {
                Some(w) if w.contains(reason) => {}
                Some(w) => failures.push(format!("{rel}: skipped with '{w}', expected '{reason}'")),
                None => failures.push(format!(
                    "{rel}: no warning (indexed: {})",
                    in_manifest.is_some()
                )),
            },
            Expect::Either(reasons) => match (in_manifest, warning) {
                (Some(_), None) => {}
                (None, Some(w)) if reasons.iter().any(|r| w.contains(r)) => {}
                (None, Some(w)) => {
                    failures.push(format!("{rel}: skipped with unexpected reason '{w}'"))
                }
                _ => failures.push(format!("{rel}: neither indexed nor skipped")),
            },
            Expect::Ignored => {
                if in_manifest.is_some() || warning.is_some() {
                    failures.push(format!(
                        "{rel}: should be ignored, indexed={} warning={warning:?}",
                        in_manifest.is_some()
                    ));
                }
            }
        }
    }
    // Nothing indexed or warned about that the test did not create.
    for rel in manifest.keys() {
        if !corpus.expect.contains_key(rel) {
            failures.push(format!("unexpected file indexed: {rel}"));
        }
    }
    for rel in warned.keys() {
        if !corpus.expect.contains_key(rel) {
            failures.push(format!("unexpected warning for: {rel}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}\n--- stderr:\n{stderr}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn hostile_corpus_is_indexed_or_skipped_with_reasons() {
    let tmp = tempfile::tempdir().unwrap();
    let seeds = seeds();
    let seed_secs = seed_sections(tmp.path(), &seeds);
    let root = tmp.path().join("corpus");
    fs::create_dir_all(&root).unwrap();
    let corpus = build_hostile_corpus(&root, &seeds, &seed_secs);
    let index = tmp.path().join("index");

    let started = Instant::now();
    let out = run(fazhi()
        .arg("--corpus")
        .arg(&root)
        .arg("--index")
        .arg(&index)
        .arg("index"));
    let stderr = text(&out.stderr);
    let stdout = text(&out.stdout);
    eprintln!("hostile index run took {:?}\n{stdout}", started.elapsed());
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    for line in stderr.lines() {
        assert!(line.starts_with("fazhi: "), "stray stderr line: {line}");
    }
    assert!(stdout.contains("files seen"), "no summary: {stdout}");
    check(&corpus, &index, &stderr);

    // The 20,000-heading outline is indexed whole.
    let m = manifest(&index);
    let outline = &m["twenty-thousand-headings.txt"];
    assert!(
        outline.sections >= 20_000,
        "only {} sections of the 20,000-heading file",
        outline.sections
    );
    // Nested ten deep: one section per heading at least (the ten styles are all kept).
    assert!(
        m["nested-ten-deep.txt"].sections >= 4,
        "{:?}",
        m["nested-ten-deep.txt"]
    );

    // Stats and searches still work on the result, and count the good reports.
    let out = run(fazhi()
        .arg("--index")
        .arg(&index)
        .args(["stats", "--format", "json"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(stats["reports"].as_u64().unwrap() >= 5, "{stats}");

    // A second run changes nothing and says the same things.
    let out2 = run(fazhi()
        .arg("--corpus")
        .arg(&root)
        .arg("--index")
        .arg(&index)
        .arg("index"));
    let stdout2 = text(&out2.stdout);
    assert_eq!(out2.status.code(), Some(0), "{}", text(&out2.stderr));
    assert!(
        stdout2.contains(" 0 indexed"),
        "second run re-indexed files: {stdout2}"
    );
    assert_eq!(manifest(&index), m, "second run changed the manifest");
    assert_eq!(
        warnings(&text(&out2.stderr), &root)
            .keys()
            .collect::<Vec<_>>(),
        warnings(&stderr, &root).keys().collect::<Vec<_>>(),
        "second run warns differently"
    );
}

/// Two files whose names differ only in invalid UTF-8 bytes have the same
/// display name. Each must be indexed, or skipped with a warning — and
/// incremental runs must never let one delete the other's sections (they
/// used to share a doc id, and every run dropped one of them).
#[test]
fn invalid_utf8_names_do_not_collide() {
    let tmp = tempfile::tempdir().unwrap();
    let seeds = seeds();
    let root = tmp.path().join("corpus");
    fs::create_dir_all(&root).unwrap();
    fs::write(root.join(OsStr::from_bytes(b"r\xff.txt")), &seeds[0].1).unwrap();
    fs::write(root.join(OsStr::from_bytes(b"r\xfe.txt")), &seeds[1].1).unwrap();
    let index = tmp.path().join("index");
    let p0 = phrase_of(&seeds[0].1, 12);
    let p1 = phrase_of(&seeds[1].1, 12);
    let mut first_round = None;
    for round in 0..3 {
        let out = run(fazhi()
            .arg("--corpus")
            .arg(&root)
            .arg("--index")
            .arg(&index)
            .args(["index", "-q"]));
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        let found = (
            search_paths(&index, &p0).len(),
            search_paths(&index, &p1).len(),
        );
        let warned = warnings(&stderr, &root).len();
        assert!(
            found == (1, 1) && warned == 0 || found.0 + found.1 == 1 && warned == 1,
            "round {round}: each file must be searchable or skipped: found {found:?}, {warned} warnings\n{stderr}"
        );
        match first_round {
            None => first_round = Some(found),
            Some(first) => assert_eq!(
                found, first,
                "round {round}: an incremental run changed what is searchable"
            ),
        }
    }
}

/// Files deleted (or replaced) while `fazhi index` runs: each is indexed or
/// skipped with a reason, the run completes, the other files are indexed.
#[test]
fn files_vanishing_during_the_crawl() {
    let tmp = tempfile::tempdir().unwrap();
    let seeds = seeds();
    let root = tmp.path().join("corpus");
    fs::create_dir_all(&root).unwrap();
    let mut stable = Vec::new();
    for i in 0..300 {
        let (name, body) = &seeds[i % seeds.len()];
        let rel = format!("a{i:04}-{name}");
        fs::write(root.join(&rel), body).unwrap();
        stable.push(rel);
    }
    let mut vanishing = Vec::new();
    for i in 0..300 {
        let rel = format!("z{i:04}-vanish.txt");
        fs::write(root.join(&rel), &seeds[i % seeds.len()].1).unwrap();
        vanishing.push(rel);
    }
    let index = tmp.path().join("index");
    let child = fazhi()
        .arg("--corpus")
        .arg(&root)
        .arg("--index")
        .arg(&index)
        .args(["index", "-q"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Delete the files one by one, from the last, while the run goes on.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut deleted = 0;
    for rel in vanishing.iter().rev() {
        let _ = fs::remove_file(root.join(rel));
        deleted += 1;
        std::thread::sleep(Duration::from_millis(3));
        if Instant::now() > deadline {
            break;
        }
    }
    let out = child.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let warned = warnings(&stderr, &root);
    let m = manifest(&index);
    for rel in &stable {
        assert!(m.contains_key(rel), "{rel} not indexed\n{stderr}");
    }
    let mut vanished_warnings = 0;
    for rel in &vanishing {
        if let Some(w) = warned.get(rel) {
            assert!(w.contains("vanished"), "{rel}: {w}");
            assert!(!m.contains_key(rel), "{rel} both indexed and skipped");
            vanished_warnings += 1;
        }
    }
    eprintln!("deleted {deleted} files during the run; {vanished_warnings} reported as vanished");
    for rel in warned.keys() {
        assert!(
            vanishing.contains(rel),
            "unexpected warning for {rel}: {stderr}"
        );
    }
    // The next run removes what is gone and keeps the rest.
    let out = run(fazhi()
        .arg("--corpus")
        .arg(&root)
        .arg("--index")
        .arg(&index)
        .args(["index", "-q"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let m = manifest(&index);
    let present: BTreeSet<String> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(m.keys().cloned().collect::<BTreeSet<_>>(), present);
}

/// A file whose first half is UTF-8 and second half GB18030 (pages pasted
/// together from two sites): decoded line by line, so the UTF-8 half is found.
#[test]
fn mixed_encoding_file_keeps_its_utf8_half_searchable() {
    let tmp = tempfile::tempdir().unwrap();
    let seeds = seeds();
    let root = tmp.path().join("corpus");
    fs::create_dir_all(&root).unwrap();
    let t = &seeds[2].1;
    let half = t.char_indices().nth(t.chars().count() / 2).unwrap().0;
    let mut mixed = t.as_bytes()[..half].to_vec();
    mixed.extend_from_slice(&encoding_rs::GB18030.encode(&t[half..]).0);
    fs::write(root.join("mixed.txt"), &mixed).unwrap();
    let index = tmp.path().join("index");
    let out = run(fazhi()
        .arg("--corpus")
        .arg(&root)
        .arg("--index")
        .arg(&index)
        .args(["index", "-q"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let phrase = phrase_of(&t[..half], 12);
    assert_eq!(
        search_paths(&index, &phrase).len(),
        1,
        "UTF-8 half not searchable: {phrase}"
    );
}

/// A 50 MB file on one line, next to a good report: indexed as one big
/// section (or refused as too large, should the limit go down), in bounded
/// time and memory, and the good report is indexed as usual.
#[test]
fn fifty_megabyte_single_line_file() {
    let tmp = tempfile::tempdir().unwrap();
    let seeds = seeds();
    let root = tmp.path().join("corpus");
    fs::create_dir_all(&root).unwrap();
    let unit = "我局推进依法行政加强法治宣传教育落实法律顾问制度，";
    let mut big = String::from("某县司法局2023年度法治政府建设工作报告");
    big.reserve(50 << 20);
    while big.len() < 50 << 20 {
        big.push_str(unit);
    }
    assert!(!big.contains('\n'));
    fs::write(root.join("huge-single-line.txt"), &big).unwrap();
    drop(big);
    fs::write(root.join(&seeds[0].0), &seeds[0].1).unwrap();
    let index = tmp.path().join("index");
    let started = Instant::now();
    let out = run(fazhi()
        .arg("--corpus")
        .arg(&root)
        .arg("--index")
        .arg(&index)
        .args(["index"]));
    let stderr = text(&out.stderr);
    eprintln!(
        "50 MB line indexed in {:?}: {}",
        started.elapsed(),
        text(&out.stdout).trim()
    );
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let m = manifest(&index);
    assert_eq!(
        m[&seeds[0].0].sections,
        seed_sections(tmp.path(), &seeds)[&seeds[0].0]
    );
    match m.get("huge-single-line.txt") {
        Some(entry) => assert!(entry.sections >= 1 && entry.bytes > 50 << 20, "{entry:?}"),
        None => {
            let w = warnings(&stderr, &root);
            assert!(
                w.get("huge-single-line.txt")
                    .is_some_and(|r| r.contains("too large")),
                "{stderr}"
            );
        }
    }
    let found = search_paths(&index, &phrase_of(&seeds[0].1, 12));
    assert_eq!(found.len(), 1, "{found:?}");
}
