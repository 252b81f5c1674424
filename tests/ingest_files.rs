//! Integration tests for the file-level ingest stages: crawl, decode, extract.
//!
//! Every encoding variant is generated here from the bundled UTF-8 seeds in
//! `corpus/`, so the expected text is always the seed itself.

use std::fs;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use fazhi::ingest::decode::decode;
use fazhi::ingest::extract::{
    self, BINARY_FILE, DOCX_NO_DOCUMENT, DOCX_TOO_LARGE, EMPTY_FILE, FILE_TOO_LARGE,
    MAX_DOCX_XML_SIZE, MAX_FILE_SIZE, NOT_A_ZIP,
};
use fazhi::ingest::{IngestError, crawl};
use proptest::prelude::*;
use zip::write::SimpleFileOptions;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// The bundled seed reports: (file name, UTF-8 text).
fn seeds() -> Vec<(String, String)> {
    let mut seeds: Vec<_> = fs::read_dir(corpus_dir())
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

fn utf16(text: &str, le: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if le { &[0xff, 0xfe] } else { &[0xfe, 0xff] });
    }
    for unit in text.encode_utf16() {
        out.extend_from_slice(&if le {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        });
    }
    out
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, bytes).unwrap();
    path
}

fn load_err(path: &Path) -> IngestError {
    match extract::load(path) {
        Ok(loaded) => panic!("{} loaded unexpectedly: {:?}", path.display(), loaded.text),
        Err(e) => e,
    }
}

// ---------------------------------------------------------------------------
// Encodings

#[test]
fn every_encoding_of_every_seed_decodes_to_the_seed() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in seeds() {
        let mut utf8_bom = vec![0xef, 0xbb, 0xbf];
        utf8_bom.extend_from_slice(text.as_bytes());
        let (gb, _, unmappable) = encoding_rs::GB18030.encode(&text);
        assert!(!unmappable);
        let variants: Vec<(&str, Vec<u8>, &str)> = vec![
            ("utf8", text.as_bytes().to_vec(), "UTF-8"),
            ("utf8bom", utf8_bom, "UTF-8"),
            ("gb18030", gb.into_owned(), "GB18030"),
            ("utf16le-bom", utf16(&text, true, true), "UTF-16LE"),
            ("utf16be-bom", utf16(&text, false, true), "UTF-16BE"),
            ("utf16le", utf16(&text, true, false), "UTF-16LE"),
            ("utf16be", utf16(&text, false, false), "UTF-16BE"),
        ];
        let mut hashes = Vec::new();
        for (label, bytes, encoding) in variants {
            assert_eq!(
                decode(&bytes),
                (text.clone(), encoding),
                "{name} as {label}"
            );
            let path = write(dir.path(), &format!("{label}-{name}"), &bytes);
            let loaded = extract::load(&path).unwrap();
            assert_eq!(loaded.text, text, "{name} as {label}");
            assert_eq!(loaded.encoding, encoding, "{name} as {label}");
            assert_eq!(
                loaded.content_hash,
                format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&bytes))
            );
            hashes.push(loaded.content_hash);
        }
        hashes.sort();
        hashes.dedup();
        assert_eq!(hashes.len(), 7, "content hash must depend on the bytes");
    }
}

#[test]
fn crlf_and_lone_cr_become_newlines() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in seeds() {
        for (label, eol) in [("crlf", "\r\n"), ("cr", "\r")] {
            let converted = text.replace('\n', eol);
            let path = write(dir.path(), &format!("{label}-{name}"), converted.as_bytes());
            assert_eq!(extract::load(&path).unwrap().text, text, "{name} {label}");
            // Also through UTF-16 and GB18030.
            let (gb, _, _) = encoding_rs::GB18030.encode(&converted);
            assert_eq!(decode(&gb).0, text);
            assert_eq!(decode(&utf16(&converted, true, false)).0, text);
        }
    }
}

#[test]
fn big5_sample() {
    let text = "臺中市政府法制局一一〇年度法治政府建設工作報告\n\
                一、落實依法行政，強化行政監督與資訊公開。\n\
                二、推動法規整理，辦理國家賠償及訴願案件共計一百件。\n";
    let (bytes, _, unmappable) = encoding_rs::BIG5.encode(text);
    assert!(!unmappable);
    let dir = tempfile::tempdir().unwrap();
    let loaded = extract::load(&write(dir.path(), "big5.txt", &bytes)).unwrap();
    assert_eq!(
        (loaded.text.as_str(), loaded.encoding.as_str()),
        (text, "Big5")
    );
}

// ---------------------------------------------------------------------------
// HTML

#[test]
fn html_report_extraction() {
    let html = r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>法治报告</title>
<style>.x { display: none }</style>
<script>document.write("<p>脚本文字</p>");</script></head>
<body>
<header><div class="logo">某市人民政府</div></header>
<div class="nav"><ul><li><a href="/">首页</a></li><li>信息公开</li></ul></div>
<div class="breadcrumb">您当前的位置：首页 &gt; 规划计划</div>
<div class="article">
  <h2>某市教育局关于2023年度法治政府建设情况的报告</h2>
  <table class="info"><tr><td>索引号:</td><td>621026/2024-1</td></tr>
  <tr><td>发布机构:</td><td>某市教育局</td></tr></table>
  <p>&#x3000;&#x3000;2023年，在市委的领导下&hellip;&ldquo;八五&rdquo;普法&amp;依法治校。</p>
  <p>一、主要工作<br/>（一）加强组织领导</p>
  <div>二、存在问题</div>
</div>
<div id="share-box">分享到：微信 微博</div>
<div class="login">登录 注册</div>
<footer>主办单位：某市教育局</footer>
</body></html>"#;
    let dir = tempfile::tempdir().unwrap();
    let loaded = extract::load(&write(dir.path(), "report.HTML", html.as_bytes())).unwrap();
    assert_eq!(loaded.encoding, "UTF-8");
    assert_eq!(
        loaded.text.lines().collect::<Vec<_>>(),
        [
            "法治报告",
            "某市教育局关于2023年度法治政府建设情况的报告",
            "索引号: | 621026/2024-1",
            "发布机构: | 某市教育局",
            "\u{3000}\u{3000}2023年，在市委的领导下…“八五”普法&依法治校。",
            "一、主要工作",
            "（一）加强组织领导",
            "二、存在问题",
        ]
    );
}

#[test]
fn html_gbk_with_meta_charset_and_utf16() {
    let dir = tempfile::tempdir().unwrap();
    let (_, text) = &seeds()[0];
    let body: String = text
        .lines()
        .map(|l| format!("<p>{}</p>\n", l.replace('&', "&amp;").replace('<', "&lt;")))
        .collect();
    let html = format!(
        "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body>{body}</body></html>"
    );
    let expected: String = text
        .lines()
        .map(|l| l.split_ascii_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.chars().all(char::is_whitespace))
        .map(|l| l + "\n")
        .collect();
    let (gb, _, _) = encoding_rs::GBK.encode(&html);
    let loaded = extract::load(&write(dir.path(), "gbk.htm", &gb)).unwrap();
    assert_eq!(loaded.encoding, "GB18030");
    assert_eq!(loaded.text, expected);
    let loaded = extract::load(&write(dir.path(), "u16.html", &utf16(&html, true, true))).unwrap();
    assert_eq!(loaded.encoding, "UTF-16LE");
    assert_eq!(loaded.text, expected);
}

#[test]
fn html_ten_thousand_nested_tags() {
    let dir = tempfile::tempdir().unwrap();
    let mut html = String::from("<html><body>");
    for i in 0..10_000 {
        html.push_str(if i % 2 == 0 { "<div>" } else { "<span>" });
    }
    html.push_str("最深处的文字");
    let path = write(dir.path(), "deep.html", html.as_bytes());
    // Run on a thread with a small stack: recursion would overflow it.
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || extract::load(&path))
        .unwrap();
    let loaded = handle.join().expect("no stack overflow").unwrap();
    assert_eq!(loaded.text, "最深处的文字\n");
}

// ---------------------------------------------------------------------------
// DOCX

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn document_xml(paragraphs: &[&str]) -> String {
    let body: String = paragraphs
        .iter()
        .map(|p| {
            format!(
                r#"<w:p><w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
                xml_escape(p)
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}<w:sectPr/></w:body></w:document>"#
    )
}

/// A minimal DOCX: content types plus the given parts, deflated.
fn docx(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("[Content_Types].xml", options).unwrap();
    zip.write_all(br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#)
        .unwrap();
    for (name, data) in parts {
        zip.start_file(*name, options).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn docx_from_every_seed() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in seeds() {
        let paragraphs: Vec<&str> = text.lines().collect();
        let bytes = docx(&[("word/document.xml", document_xml(&paragraphs).as_bytes())]);
        let path = write(dir.path(), &format!("{name}.docx"), &bytes);
        let loaded = extract::load(&path).unwrap();
        let expected: String = paragraphs
            .iter()
            .map(|p| p.trim_end_matches([' ', '\t']))
            .filter(|p| !p.chars().all(char::is_whitespace))
            .map(|p| format!("{p}\n"))
            .collect();
        assert_eq!(loaded.text, expected, "{name}");
        assert_eq!(loaded.encoding, "UTF-8");
    }
}

#[test]
fn docx_structure() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:r><w:t>一、</w:t></w:r><w:r><w:t>总体情况</w:t></w:r></w:p>
<w:p><w:r><w:t>项目</w:t><w:tab/><w:t>数量</w:t><w:br/><w:t>下一行 &lt;续&gt;</w:t></w:r></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>案件</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>430件</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
</w:body></w:document>"#;
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "s.DOCX",
        &docx(&[("word/document.xml", xml.as_bytes())]),
    );
    assert_eq!(
        extract::load(&path).unwrap().text,
        "一、总体情况\n项目\t数量\n下一行 <续>\n案件 | 430件\n"
    );
}

#[test]
fn docx_bad_files() {
    let dir = tempfile::tempdir().unwrap();
    let (_, text) = &seeds()[0];
    // A text file renamed to .docx.
    let e = load_err(&write(dir.path(), "text.docx", text.as_bytes()));
    assert_eq!(e.cause, NOT_A_ZIP);
    // A truncated real docx.
    let good = docx(&[("word/document.xml", document_xml(&["正文"]).as_bytes())]);
    let e = load_err(&write(dir.path(), "cut.docx", &good[..good.len() / 2]));
    assert_eq!(e.cause, NOT_A_ZIP);
    // A zip without word/document.xml.
    let e = load_err(&write(
        dir.path(),
        "nodoc.docx",
        &docx(&[("xl/workbook.xml", b"<x/>")]),
    ));
    assert_eq!(e.cause, DOCX_NO_DOCUMENT);
    // A docx with no text at all.
    let empty = docx(&[("word/document.xml", document_xml(&["", "  "]).as_bytes())]);
    assert_eq!(
        load_err(&write(dir.path(), "blank.docx", &empty)).cause,
        EMPTY_FILE
    );
    assert!(e.to_string().contains("nodoc.docx: "));
}

/// 100 MB of zeros deflates to about 100 KB; the archive header declares the
/// true size, so the fast path rejects it before inflating anything.
#[test]
fn docx_zip_bomb_rejected() {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    zip.start_file("word/document.xml", options).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..100 {
        zip.write_all(&zeros).unwrap();
    }
    let bytes = zip.finish().unwrap().into_inner();
    assert!(
        bytes.len() < 1 << 20,
        "bomb should be small, is {}",
        bytes.len()
    );
    const _: () = assert!(100 << 20 > MAX_DOCX_XML_SIZE);

    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let e = load_err(&write(dir.path(), "bomb.docx", &bytes));
    assert_eq!(e.cause, DOCX_TOO_LARGE);
    eprintln!("honest zip bomb rejected in {:?}", started.elapsed());

    // Same bomb with the declared uncompressed size forged to 1000 bytes in the
    // local and central headers: only the streaming cap can catch it.
    let mut forged = bytes.clone();
    let patch = |buf: &mut Vec<u8>, sig: &[u8], field: usize| {
        let at = buf
            .windows(4)
            .rposition(|w| w == sig)
            .expect("header present");
        buf[at + field..at + field + 4].copy_from_slice(&1000u32.to_le_bytes());
    };
    patch(&mut forged, b"PK\x01\x02", 24);
    patch(&mut forged, b"PK\x03\x04", 22);
    let started = std::time::Instant::now();
    let e = load_err(&write(dir.path(), "forged.docx", &forged));
    assert!(e.cause == DOCX_TOO_LARGE, "{}", e.cause);
    eprintln!(
        "forged zip bomb rejected in {:?}: {}",
        started.elapsed(),
        e.cause
    );
}

// ---------------------------------------------------------------------------
// Bad text files

#[test]
fn empty_binary_and_oversized_files() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["empty.txt", "empty.html", "empty.docx", "empty.md"] {
        assert_eq!(
            load_err(&write(dir.path(), name, b"")).cause,
            EMPTY_FILE,
            "{name}"
        );
    }
    assert_eq!(
        load_err(&write(dir.path(), "ws.txt", " \r\n\t\u{3000}\n".as_bytes())).cause,
        EMPTY_FILE
    );
    assert_eq!(
        load_err(&write(
            dir.path(),
            "ws.html",
            b"<html><body> </body></html>"
        ))
        .cause,
        EMPTY_FILE
    );

    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0\x5c\x72\xa8\x66\0\0\0\x04sBIT";
    assert_eq!(
        load_err(&write(dir.path(), "image.txt", png)).cause,
        BINARY_FILE
    );
    assert_eq!(
        load_err(&write(dir.path(), "image.html", png)).cause,
        BINARY_FILE
    );
    let zip = docx(&[("word/document.xml", b"<w:document/>")]);
    assert_eq!(
        load_err(&write(dir.path(), "archive.txt", &zip)).cause,
        BINARY_FILE
    );

    // Sparse file one byte over the limit: rejected without reading it.
    let big = dir.path().join("big.txt");
    fs::File::create(&big)
        .unwrap()
        .set_len(MAX_FILE_SIZE + 1)
        .unwrap();
    assert!(load_err(&big).cause.starts_with(FILE_TOO_LARGE));

    // A file the user names that does not exist (`fazhi parse nothere.txt`) …
    let gone = dir.path().join("gone.txt");
    let e = load_err(&gone);
    assert_eq!(e.cause, extract::NO_SUCH_FILE);
    assert_eq!(e.path, gone);
    // … and one that disappeared between crawl and read (`fazhi index`).
    let e = extract::read_capped(&gone).unwrap_err();
    assert_eq!(e.cause, "file vanished during crawl");
    assert_eq!(e.path, gone);
}

#[test]
fn twenty_megabyte_single_line() {
    let text = "法治政府建设2023年度报告，".repeat(20_000_000 / 37 + 1);
    assert!(text.len() >= 20_000_000);
    let started = std::time::Instant::now();
    let (decoded, enc) = decode(text.as_bytes());
    assert_eq!(enc, "UTF-8");
    assert_eq!(decoded.len(), text.len());
    let (gb, _, _) = encoding_rs::GB18030.encode(&text);
    let (decoded, enc) = decode(&gb);
    assert_eq!(enc, "GB18030");
    assert!(decoded == text);
    eprintln!("20 MB line decoded twice in {:?}", started.elapsed());
}

// ---------------------------------------------------------------------------
// Crawl

fn rels(files: &[fazhi::ingest::SourceFile]) -> Vec<&str> {
    files.iter().map(|f| f.rel_path.as_str()).collect()
}

#[test]
fn crawl_filters_sorts_and_skips_hidden() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for d in ["b", "a/c", ".hidden_dir", "a/.cache"] {
        fs::create_dir_all(root.join(d)).unwrap();
    }
    for f in [
        "z.txt",
        "B.TXT",
        "a/c/x.Docx",
        "a/y.htm",
        "b/w.html",
        "b/notes.MD",
        "b/scan.pdf",
        "b/raw",
        ".hidden.txt",
        ".hidden_dir/in.txt",
        "a/.cache/c.txt",
        "b/~$lock.docx",
    ] {
        fs::write(root.join(f), "内容").unwrap();
    }
    let (files, errors) = crawl(root);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        rels(&files),
        [
            "B.TXT",
            "a/c/x.Docx",
            "a/y.htm",
            "b/notes.MD",
            "b/w.html",
            "z.txt"
        ]
    );
    for f in &files {
        assert_eq!(
            f.doc_id,
            format!("{:016x}", xxhash_rust::xxh3::xxh3_64(f.rel_path.as_bytes()))
        );
        assert!(f.path.starts_with(root));
    }
    // Deterministic: same result again, and the same ids from another root path.
    assert_eq!(crawl(root).0, files);
    let moved = tempfile::tempdir().unwrap();
    let moved_root = moved.path().join("corpus");
    fs::rename(root, &moved_root).unwrap();
    let (again, _) = crawl(&moved_root);
    let ids =
        |fs: &[fazhi::ingest::SourceFile]| fs.iter().map(|f| f.doc_id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&again), ids(&files));
    fs::rename(&moved_root, root).unwrap();
}

#[test]
fn crawl_bundled_corpus() {
    let (files, errors) = crawl(&corpus_dir());
    assert!(errors.is_empty());
    let names: Vec<String> = seeds().into_iter().map(|(n, _)| n).collect();
    assert_eq!(rels(&files), names);
}

#[cfg(unix)]
#[test]
fn crawl_symlink_loop_and_broken_link() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("sub")).unwrap();
    fs::write(root.join("sub/r.txt"), "报告").unwrap();
    symlink(root, root.join("sub/loop")).unwrap();
    symlink(root.join("missing.txt"), root.join("dangling.txt")).unwrap();
    symlink(root.join("sub/r.txt"), root.join("alias.txt")).unwrap();

    let (files, errors) = crawl(root);
    // The linked file is followed; the loop is not.
    assert_eq!(rels(&files), ["alias.txt", "sub/r.txt"]);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|e| e.cause.contains("symlink loop") && e.path.ends_with("sub/loop"))
    );
    assert!(
        errors
            .iter()
            .any(|e| e.cause.contains("broken symlink") && e.path.ends_with("dangling.txt"))
    );
}

#[cfg(unix)]
#[test]
fn crawl_invalid_utf8_file_name() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let name = OsStr::from_bytes(b"bad\xff\xfename.txt");
    let path = dir.path().join(name);
    if fs::write(&path, "一、报告正文").is_err() {
        eprintln!("file system rejects non-UTF-8 names; skipping");
        return;
    }
    let (files, errors) = crawl(dir.path());
    assert!(errors.is_empty());
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].rel_path, "bad\u{fffd}\u{fffd}name.txt");
    assert_eq!(files[0].path, path);
    assert_eq!(extract::load(&files[0].path).unwrap().text, "一、报告正文");
}

#[cfg(unix)]
#[test]
fn crawl_and_load_unreadable() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("locked")).unwrap();
    fs::write(root.join("locked/in.txt"), "报告").unwrap();
    fs::write(root.join("secret.txt"), "报告").unwrap();
    fs::write(root.join("ok.txt"), "报告").unwrap();
    fs::set_permissions(root.join("locked"), fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(root.join("secret.txt"), fs::Permissions::from_mode(0o000)).unwrap();
    // Root (CAP_DAC_OVERRIDE) reads through chmod 000: assert what holds.
    let privileged = fs::read(root.join("secret.txt")).is_ok();

    let (files, errors) = crawl(root);
    let loaded = extract::load(&root.join("secret.txt"));
    // Restore permissions so the temp dir can be removed.
    fs::set_permissions(root.join("locked"), fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(root.join("secret.txt"), fs::Permissions::from_mode(0o644)).unwrap();

    if privileged {
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rels(&files), ["locked/in.txt", "ok.txt", "secret.txt"]);
        assert_eq!(loaded.unwrap().text, "报告");
    } else {
        // The crawl goes on past the locked folder and reports it.
        assert_eq!(rels(&files), ["ok.txt", "secret.txt"]);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].path.ends_with("locked"));
        assert_eq!(errors[0].cause, "permission denied");
        let e = loaded.unwrap_err();
        assert_eq!(e.cause, "permission denied");
        assert!(e.to_string().ends_with("secret.txt: permission denied"));
    }
}

#[test]
fn crawl_missing_root() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("does-not-exist");
    let (files, errors) = crawl(&root);
    assert!(files.is_empty());
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].path, root);
}

// ---------------------------------------------------------------------------
// Never panic

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let (text, _) = decode(&bytes);
        prop_assert!(!text.contains('\r'));
        let bom_first = text.starts_with('\u{feff}');
        prop_assert!(!bom_first);
    }

    #[test]
    fn load_never_panics(
        bytes in proptest::collection::vec(any::<u8>(), 0..4096),
        ext in prop::sample::select(vec!["txt", "html", "docx", "md"]),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), &format!("f.{ext}"), &bytes);
        if let Ok(loaded) = extract::load(&path) {
            prop_assert!(!loaded.text.trim().is_empty());
            prop_assert!(!loaded.text.contains('\r'));
        }
    }

    #[test]
    fn damaged_docx_never_panics(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = docx(&[("word/document.xml", document_xml(&["一、总体情况", "正文 & 数字 2023"]).as_bytes())]);
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let keep = bytes.len() - cut.index(bytes.len() / 4 + 1);
        bytes.truncate(keep);
        let dir = tempfile::tempdir().unwrap();
        let _ = extract::load(&write(dir.path(), "d.docx", &bytes));
    }
}

#[test]
fn limits_are_documented_values() {
    assert_eq!(MAX_FILE_SIZE, 32 * 1024 * 1024);
    assert_eq!(MAX_DOCX_XML_SIZE, 64 * 1024 * 1024);
}
