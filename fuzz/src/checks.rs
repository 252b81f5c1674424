//! Invariants checked by the fuzz targets. The same functions run under
//! proptest in `tests/robust_fuzz.rs` (included there with `#[path]`), so the
//! stable test suite and cargo-fuzz share one definition of "correct".
//!
//! Each entry point takes raw fuzzer bytes and panics when an invariant
//! breaks; returning normally means the input was handled.

use fazhi::ingest::extract::{Format, extract_bytes, html_to_text};
use fazhi::ingest::{LoadedText, clean};
use fazhi::query::parse::parse;
use fazhi::report::parse_report;

/// Formats, selected by the first byte of a `parse_file` input.
pub const FORMATS: [Format; 3] = [Format::Text, Format::Html, Format::Docx];

/// `parse_file` target: byte 0 picks the format, the rest is the file.
pub fn parse_file(data: &[u8]) {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    check_file(bytes, FORMATS[usize::from(selector) % FORMATS.len()]);
}

/// A file's bytes are either refused with a one-line cause, or become text
/// whose parsed sections point at lines that exist.
pub fn check_file(bytes: &[u8], format: Format) {
    let (text, encoding) = match extract_bytes(bytes, format) {
        Ok(ok) => ok,
        Err(cause) => {
            assert!(
                !cause.is_empty() && !cause.contains('\n'),
                "bad cause {cause:?}"
            );
            return;
        }
    };
    assert!(!encoding.is_empty());
    assert!(
        text.chars().any(|c| !c.is_whitespace() && c != '\u{feff}'),
        "blank text accepted"
    );
    assert!(!text.contains('\r'), "line breaks must be \\n only");
    let _ = clean::paragraphs(&text);
    let lines = text.split('\n').count();
    let loaded = LoadedText {
        text,
        encoding: encoding.to_string(),
        content_hash: String::new(),
    };
    let report = parse_report("fuzz.txt", "fuzz", &loaded);
    let mut ids = std::collections::HashSet::new();
    for s in report.searchable_sections() {
        assert!(
            s.line_start >= 1 && s.line_start <= s.line_end && s.line_end <= lines,
            "section lines {}..{} outside 1..{lines}",
            s.line_start,
            s.line_end
        );
        assert!(ids.insert(s.id.clone()), "duplicate section id {}", s.id);
    }
}

/// `html_extract` target: any bytes, read as (lossy) UTF-8 HTML.
pub fn html_extract(data: &[u8]) {
    check_html(&String::from_utf8_lossy(data));
}

/// HTML extraction never panics and its output stays proportional to the input.
pub fn check_html(html: &str) {
    let text = html_to_text(html);
    assert!(
        text.len() <= 4 * html.len() + 64,
        "{} bytes of text from {} bytes of HTML",
        text.len(),
        html.len()
    );
}

/// `query_parse` target: any bytes, read as (lossy) UTF-8.
pub fn query_parse(data: &[u8]) {
    check_query(&String::from_utf8_lossy(data));
}

/// A query parses into something searchable, or is an error that points
/// inside the query and can be printed.
pub fn check_query(query: &str) {
    match parse(query) {
        Ok(q) => {
            assert!(
                q.positive_atoms().next().is_some(),
                "{query:?}: no positive term"
            );
            let atoms = q.atoms();
            assert!(atoms.len() <= fazhi::query::parse::MAX_QUERY_CHARS);
            for a in atoms {
                assert!(!a.normalized.is_empty(), "{query:?}: empty atom {a:?}");
                assert_eq!(a.normalized, fazhi::analysis::normalize(&a.text));
            }
        }
        Err(e) => {
            assert!(
                e.position <= query.chars().count(),
                "{query:?}: position {} past the end",
                e.position
            );
            assert!(!e.message.is_empty());
            let shown = e.to_string();
            assert!(shown.starts_with("bad query at character "), "{shown}");
            assert!(!shown.contains('\n'), "{shown}");
            assert_eq!(e.pointer().lines().count(), 2, "{:?}", e.pointer());
        }
    }
}
