//! Text extraction from .txt/.md, .html/.htm and .docx files.
//!
//! Everything downstream works on plain text with `\n` line breaks, so this
//! stage turns each supported format into exactly that:
//! - `.txt`/`.md` (and unknown extensions): [`decode`](super::decode::decode) only;
//!   line numbers then match the source file.
//! - `.html`/`.htm`: decoded (a `<meta charset>` is honoured when the bytes are
//!   not UTF-8), parsed with html5ever via `scraper`, and flattened to one line
//!   per block; navigation chrome (scripts, nav bars, breadcrumbs, share and
//!   login widgets, footers) is dropped. Table rows become lines with cells
//!   separated by ` | `. The tree is walked iteratively, so absurd nesting
//!   cannot overflow the stack.
//! - `.docx`: `word/document.xml` is streamed through quick-xml; one line per
//!   paragraph, table rows as ` | `-separated lines.
//!
//! Bad input is an error, never an empty report: empty files, binary files
//! with a text extension, oversized files and zip bombs are rejected with a
//! short cause that the caller prints as a warning.

use std::io::{BufReader, Cursor, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use encoding_rs::Encoding;
use quick_xml::events::Event;
use quick_xml::name::QName;
use scraper::{Html, Node};
use xxhash_rust::xxh3::xxh3_64;

use super::crawl::io_cause;
use super::decode::{decode, decode_declared, looks_binary};
use super::{IngestError, LoadedText};

/// Largest file `load` reads (32 MiB). Reports are a few hundred KiB at most;
/// anything near this is not a report and would only cost memory.
pub const MAX_FILE_SIZE: u64 = 32 << 20;

/// Largest decompressed `word/document.xml` accepted (64 MiB). Checked against
/// the size declared in the zip *and* enforced while inflating, so a zip bomb
/// (or a lying header) is stopped after at most this many bytes.
pub const MAX_DOCX_XML_SIZE: u64 = 64 << 20;

/// How many leading bytes of an HTML file are searched for `<meta charset>`.
pub const META_SNIFF_LEN: usize = 4096;

/// Error causes, shared with tests.
pub const EMPTY_FILE: &str = "empty file";
pub const BINARY_FILE: &str = "binary file, not text";
pub const FILE_TOO_LARGE: &str = "file too large";
pub const NOT_A_ZIP: &str = "not a valid DOCX (zip) file";
pub const DOCX_TOO_LARGE: &str = "docx too large when decompressed (zip bomb?)";
pub const DOCX_NO_DOCUMENT: &str = "not a Word document: word/document.xml missing from the DOCX";
pub const NOT_REGULAR: &str = "not a regular file (a named pipe, device or socket), skipped";
pub const NO_SUCH_FILE: &str = "no such file";

/// How a file is read, decided by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.txt`, `.md` and anything unknown.
    Text,
    /// `.html`, `.htm`.
    Html,
    /// `.docx`.
    Docx,
}

impl Format {
    /// The format for a path, by case-insensitive extension.
    pub fn of(path: &Path) -> Format {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("html" | "htm") => Format::Html,
            Some("docx") => Format::Docx,
            _ => Format::Text,
        }
    }
}

/// Read a file named by the user and return its text (decoded, HTML/DOCX
/// extracted). A missing file is "no such file" here: only during a crawl
/// does it mean that the file vanished.
pub fn load(path: &Path) -> Result<LoadedText, IngestError> {
    let bytes = read_capped(path).map_err(|e| match std::fs::symlink_metadata(path) {
        Err(io) if io.kind() == std::io::ErrorKind::NotFound => {
            IngestError::new(path, NO_SUCH_FILE)
        }
        _ => e,
    })?;
    load_bytes(path, &bytes)
}

/// [`load`] for bytes already read (with [`read_capped`]) from `path`.
pub fn load_bytes(path: &Path, bytes: &[u8]) -> Result<LoadedText, IngestError> {
    let content_hash = format!("{:016x}", xxh3_64(bytes));
    let (text, encoding) =
        extract_bytes(bytes, Format::of(path)).map_err(|cause| IngestError::new(path, cause))?;
    Ok(LoadedText {
        text,
        encoding: encoding.to_owned(),
        content_hash,
    })
}

/// Extract text from in-memory bytes of the given format; `Err` holds the cause.
pub fn extract_bytes(bytes: &[u8], format: Format) -> Result<(String, &'static str), String> {
    if bytes.is_empty() {
        return Err(EMPTY_FILE.into());
    }
    let (text, encoding) = match format {
        Format::Text => {
            let (text, encoding) = decode(bytes);
            if looks_binary(bytes, encoding, &text) {
                return Err(BINARY_FILE.into());
            }
            (text, encoding)
        }
        Format::Html => {
            let (text, encoding) = decode_html(bytes);
            if looks_binary(bytes, encoding, &text) {
                return Err(BINARY_FILE.into());
            }
            // A plain-text file saved as .html keeps its lines.
            if looks_like_markup(&text) {
                (html_to_text(&text), encoding)
            } else {
                (text, encoding)
            }
        }
        Format::Docx => {
            // Third-party parsers on untrusted archives: contain any panic.
            let text = catch_unwind(AssertUnwindSafe(|| docx_text(bytes)))
                .map_err(|_| "DOCX could not be parsed (internal parser error)".to_owned())??;
            (text, "UTF-8")
        }
    };
    if text.chars().all(|c| c.is_whitespace() || c == '\u{feff}') {
        return Err(EMPTY_FILE.into());
    }
    Ok((text, encoding))
}

/// Read at most [`MAX_FILE_SIZE`] bytes; IO errors become short causes.
pub fn read_capped(path: &Path) -> Result<Vec<u8>, IngestError> {
    let err = |cause: String| IngestError::new(path, cause);
    // Look before opening: opening a FIFO for reading blocks until a writer
    // comes, and a device may never end.
    let meta = std::fs::metadata(path).map_err(|e| err(io_cause(&e)))?;
    if meta.is_dir() {
        return Err(err("is a directory".into()));
    }
    if !meta.is_file() {
        return Err(err(NOT_REGULAR.into()));
    }
    let file = std::fs::File::open(path).map_err(|e| err(io_cause(&e)))?;
    let meta = file.metadata().map_err(|e| err(io_cause(&e)))?;
    if !meta.is_file() {
        return Err(err(NOT_REGULAR.into()));
    }
    let too_large = |size: u64| {
        err(format!(
            "{FILE_TOO_LARGE} ({size} bytes, limit {MAX_FILE_SIZE})"
        ))
    };
    if meta.len() > MAX_FILE_SIZE {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The file may grow between stat and read: the cap holds regardless.
    file.take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| err(io_cause(&e)))?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

// ---------------------------------------------------------------------------
// HTML

/// Decode HTML bytes: BOM or valid UTF-8 first, then a credible
/// `<meta charset>` declaration, then the generic detector.
fn decode_html(bytes: &[u8]) -> (String, &'static str) {
    if Encoding::for_bom(bytes).is_none()
        && std::str::from_utf8(bytes).is_err()
        && let Some(enc) = meta_charset(&bytes[..bytes.len().min(META_SNIFF_LEN)])
        && let Some(decoded) = decode_declared(bytes, enc)
    {
        return decoded;
    }
    decode(bytes)
}

/// The encoding named by `charset=` in the first bytes (covers both
/// `<meta charset="gbk">` and `<meta http-equiv content="text/html; charset=gb2312">`).
/// UTF-16 labels are ignored: an ASCII-readable declaration cannot be UTF-16.
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"charset") {
        let mut i = from + pos + b"charset".len();
        from = i;
        while lower.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        if lower.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        while lower
            .get(i)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'"' || *b == b'\'')
        {
            i += 1;
        }
        let start = i;
        while lower
            .get(i)
            .is_some_and(|b| b.is_ascii_alphanumeric() || b"-_:.".contains(b))
        {
            i += 1;
        }
        let enc = Encoding::for_label(&lower[start..i])?;
        return (enc != encoding_rs::UTF_16LE && enc != encoding_rs::UTF_16BE).then_some(enc);
    }
    None
}

/// True if the text contains a tag-like `<x`, `</`, `<!` or `<?` (a `<`
/// before CJK text, as in `<青少年法治教育大纲>`, is not markup).
fn looks_like_markup(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || b"!/?".contains(&w[1])))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Elements whose whole subtree is chrome or non-text.
const DROPPED_TAGS: &[&str] = &[
    "script", "style", "noscript", "nav", "header", "footer", "iframe", "form", "button",
    "template", "select", "textarea", "svg", "object", "embed", "canvas", "map",
];

/// Words in a class or id that mark navigation chrome. Each class token and
/// the id are split at `-`/`_`; a part matches if it *contains* one of
/// [`CHROME_WORDS`] (`bdsharebuttonbox`, `loginbox`, `topmenu`) or starts or
/// ends with one of [`CHROME_AFFIXES`] (`mainnav`, `navbar`, but not `canvas`).
const CHROME_WORDS: &[&str] = &["breadcrumb", "menu", "share", "footer", "login"];
const CHROME_AFFIXES: &[&str] = &["nav", "crumb"];

/// Elements that start and end a line.
const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "caption",
    "center",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "main",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "title",
    "tr",
    "ul",
    "body",
];

fn is_chrome_token(token: &str) -> bool {
    let token = token.to_ascii_lowercase();
    token.split(['-', '_']).any(|word| {
        CHROME_WORDS.iter().any(|w| word.contains(w))
            || CHROME_AFFIXES
                .iter()
                .any(|w| word.starts_with(w) || word.ends_with(w))
    })
}

fn is_dropped(el: &scraper::node::Element) -> bool {
    let name = el.name();
    if DROPPED_TAGS.contains(&name) {
        return true;
    }
    if name == "html" || name == "body" {
        return false;
    }
    if el.attr("hidden").is_some() || el.attr("aria-hidden") == Some("true") {
        return true;
    }
    el.id().is_some_and(is_chrome_token) || el.classes().any(is_chrome_token)
}

/// Accumulates extracted text, collapsing HTML whitespace.
#[derive(Default)]
struct Sink {
    out: String,
    pending_space: bool,
}

impl Sink {
    fn at_line_start(&self) -> bool {
        self.out.is_empty() || self.out.ends_with('\n')
    }

    /// Text outside `<pre>`: runs of ASCII whitespace collapse to one space.
    /// NBSP and U+3000 are content (indentation) and are kept.
    fn text(&mut self, text: &str) {
        for c in text.chars() {
            if matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c') {
                self.pending_space = true;
            } else {
                if self.pending_space && !self.at_line_start() && !self.out.ends_with(' ') {
                    self.out.push(' ');
                }
                self.pending_space = false;
                self.out.push(c);
            }
        }
    }

    fn pre_text(&mut self, text: &str) {
        if self.pending_space && !self.at_line_start() {
            self.out.push(' ');
        }
        self.pending_space = false;
        self.out.push_str(text);
    }

    fn trim_end(&mut self) {
        let len = self.out.trim_end_matches([' ', '\t']).len();
        self.out.truncate(len);
    }

    /// End the current line (if any). Inside a table cell a block boundary is
    /// only a space, so that a row stays on one line.
    fn block(&mut self, in_cell: bool) {
        if in_cell {
            self.pending_space = true;
            return;
        }
        self.trim_end();
        if !self.at_line_start() {
            self.out.push('\n');
        }
        self.pending_space = false;
    }

    fn cell_separator(&mut self) {
        self.trim_end();
        if !self.at_line_start() {
            self.out.push_str(" | ");
        }
        self.pending_space = false;
    }
}

/// Plain text of an HTML document, one line per block.
pub fn html_to_text(html: &str) -> String {
    let doc = Html::parse_document(html);
    let mut sink = Sink::default();
    let mut rows: Vec<usize> = Vec::new(); // cells seen per open <tr>
    let mut cell_depth = 0usize;
    let mut pre_depth = 0usize;

    // Iterative depth-first walk: open a node, descend unless dropped, then
    // close nodes while climbing back to the next sibling.
    let root = doc.tree.root();
    let mut node = root;
    'walk: loop {
        let mut descend = true;
        match node.value() {
            Node::Text(t) if pre_depth > 0 => sink.pre_text(t),
            Node::Text(t) => sink.text(t),
            Node::Element(el) if is_dropped(el) => descend = false,
            Node::Element(el) => match el.name() {
                "br" => {
                    sink.trim_end();
                    sink.out.push('\n');
                    sink.pending_space = false;
                }
                "td" | "th" => {
                    if let Some(cells) = rows.last_mut() {
                        if *cells > 0 {
                            sink.cell_separator();
                        }
                        *cells += 1;
                    }
                    cell_depth += 1;
                }
                name => {
                    if name == "tr" {
                        rows.push(0);
                    }
                    if name == "pre" {
                        pre_depth += 1;
                    }
                    if BLOCK_TAGS.contains(&name) {
                        sink.block(cell_depth > 0);
                    }
                }
            },
            _ => {}
        }
        if descend && let Some(child) = node.first_child() {
            node = child;
            continue;
        }
        loop {
            // Close `node`, unless it was dropped (then nothing was opened).
            if let Node::Element(el) = node.value()
                && !is_dropped(el)
            {
                let name = el.name();
                match name {
                    "td" | "th" => cell_depth = cell_depth.saturating_sub(1),
                    "tr" => {
                        rows.pop();
                    }
                    "pre" => pre_depth = pre_depth.saturating_sub(1),
                    _ => {}
                }
                if BLOCK_TAGS.contains(&name) {
                    sink.block(cell_depth > 0);
                }
            }
            if node == root {
                break 'walk;
            }
            if let Some(next) = node.next_sibling() {
                node = next;
                break;
            }
            match node.parent() {
                Some(parent) => node = parent,
                None => break 'walk,
            }
        }
    }
    tidy_lines(&sink.out)
}

/// Drop trailing blanks and lines that hold only whitespace (including NBSP
/// and U+3000); end with a newline. A CR (`&#13;` in DOCX XML) ends a line.
fn tidy_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split(['\n', '\r']) {
        let line = line.trim_end_matches([' ', '\t']);
        if line.chars().all(char::is_whitespace) {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------------------
// DOCX

/// Text of a DOCX file held in memory.
fn docx_text(bytes: &[u8]) -> Result<String, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| NOT_A_ZIP.to_owned())?;
    let file = match archive.by_name("word/document.xml") {
        Ok(file) => file,
        Err(zip::result::ZipError::FileNotFound) => return Err(DOCX_NO_DOCUMENT.into()),
        Err(e) => return Err(format!("cannot read word/document.xml: {e}")),
    };
    // Fast path: the declared size already exceeds the limit.
    if file.size() > MAX_DOCX_XML_SIZE {
        return Err(DOCX_TOO_LARGE.into());
    }
    document_xml_text(file, MAX_DOCX_XML_SIZE)
}

/// The local name of a WordprocessingML element (`w:` prefix or none).
fn w_name(name: QName<'_>) -> Option<&[u8]> {
    match name.prefix() {
        Some(p) if p.as_ref() != b"w" => None,
        _ => Some(name.local_name().into_inner()),
    }
}

/// Stream `word/document.xml`, reading at most `limit` bytes of it.
fn document_xml_text<R: Read>(reader: R, limit: u64) -> Result<String, String> {
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(reader.take(limit + 1)));
    xml.config_mut().check_end_names = false;
    let mut buf = Vec::new();
    let mut out = String::new();
    let mut in_text = 0usize; // inside <w:t>
    let mut in_run = 0usize; // inside <w:r>: tabs/breaks outside runs are tab stops etc.
    let mut fallback = 0usize; // inside <mc:Fallback>: duplicate of <mc:Choice>
    let mut cell_depth = 0usize;
    let mut rows: Vec<usize> = Vec::new();
    let mut pending_space = false;

    loop {
        let event = xml.read_event_into(&mut buf);
        // More than `limit` bytes were inflated: stop, whatever the parser says.
        if xml.get_ref().get_ref().limit() == 0 {
            return Err(DOCX_TOO_LARGE.into());
        }
        let event = event.map_err(|e| format!("damaged word/document.xml: {e}"))?;
        match event {
            Event::Eof => break,
            Event::Start(ref e) if e.local_name().as_ref() == b"Fallback" => fallback += 1,
            Event::End(ref e) if e.local_name().as_ref() == b"Fallback" => {
                fallback = fallback.saturating_sub(1)
            }
            _ if fallback > 0 => {}
            Event::Start(ref e) => match w_name(e.name()) {
                Some(b"t") => in_text += 1,
                Some(b"r") => in_run += 1,
                Some(b"tr") => rows.push(0),
                Some(b"tc") => {
                    if let Some(cells) = rows.last_mut() {
                        if *cells > 0 {
                            let len = out.trim_end_matches(' ').len();
                            out.truncate(len);
                            out.push_str(" | ");
                        }
                        *cells += 1;
                    }
                    pending_space = false;
                    cell_depth += 1;
                }
                _ => {}
            },
            Event::Empty(ref e) => match w_name(e.name()) {
                Some(b"tab") if in_run > 0 => out.push('\t'),
                Some(b"br" | b"cr") if in_run > 0 => out.push('\n'),
                Some(b"noBreakHyphen") if in_run > 0 => out.push('-'),
                Some(b"p") if cell_depth == 0 => out.push('\n'),
                _ => {}
            },
            Event::End(ref e) => match w_name(e.name()) {
                Some(b"t") => in_text = in_text.saturating_sub(1),
                Some(b"r") => in_run = in_run.saturating_sub(1),
                Some(b"p") if cell_depth > 0 => pending_space = true,
                Some(b"p") => out.push('\n'),
                Some(b"tc") => cell_depth = cell_depth.saturating_sub(1),
                Some(b"tr") => {
                    rows.pop();
                    out.push('\n');
                    pending_space = false;
                }
                _ => {}
            },
            Event::Text(ref t) if in_text > 0 => {
                let text = match t.unescape() {
                    Ok(s) => s.into_owned(),
                    Err(_) => String::from_utf8_lossy(t).into_owned(),
                };
                push_run_text(&mut out, &text, &mut pending_space);
            }
            Event::CData(ref t) if in_text > 0 => {
                push_run_text(&mut out, &String::from_utf8_lossy(t), &mut pending_space);
            }
            _ => {}
        }
        buf.clear();
    }
    Ok(tidy_lines(&out))
}

/// Append `<w:t>` text; a paragraph break inside a table cell is a space.
fn push_run_text(out: &mut String, text: &str, pending_space: &mut bool) {
    if text.is_empty() {
        return;
    }
    if *pending_space && !out.is_empty() && !out.ends_with([' ', '\n', '\t']) {
        out.push(' ');
    }
    *pending_space = false;
    out.push_str(text);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(html: &str) -> Vec<String> {
        html_to_text(html).lines().map(str::to_owned).collect()
    }

    #[test]
    fn html_blocks_entities_and_chrome() {
        let html = r#"<!DOCTYPE html><html><head><title>标题页</title>
            <style>p { color: red }</style><script>var x = "<p>不要</p>";</script></head>
            <body><nav>首页 &gt; 信息公开</nav>
            <div class="breadcrumb">您当前的位置：首页</div>
            <div id="mainNav"><a>菜单</a></div>
            <h1>关于2020年法治政府建设的报告</h1>
            <p>一、主要&nbsp;工作&amp;成效</p><p>第二段<br>换行  后
            的文字</p>
            <ul><li>甲</li><li>乙</li></ul>
            <div class="bdsharebuttonbox">分享到</div>
            <footer>版权所有</footer><noscript>请启用</noscript></body></html>"#;
        assert_eq!(
            lines(html),
            [
                "标题页",
                "关于2020年法治政府建设的报告",
                "一、主要\u{a0}工作&成效",
                "第二段",
                "换行 后 的文字",
                "甲",
                "乙"
            ]
        );
    }

    #[test]
    fn html_table_rows_and_cells() {
        let html = "<table><tr><th>索引号:</th><td>621026</td><td><p>发布</p><p>机构</p></td></tr>\
                    <tr><td>a</td><td></td><td>c</td></tr></table><p>后文</p>";
        assert_eq!(
            lines(html),
            ["索引号: | 621026 | 发布 机构", "a | | c", "后文"]
        );
    }

    #[test]
    fn html_pre_keeps_whitespace() {
        assert_eq!(lines("<pre>a  b\n c</pre>"), ["a  b", " c"]);
    }

    #[test]
    fn html_chrome_tokens() {
        for t in [
            "nav",
            "main-nav",
            "navbar",
            "Breadcrumb",
            "top_menu",
            "bdsharebuttonbox",
            "loginBox",
            "footer",
        ] {
            assert!(is_chrome_token(t), "{t}");
        }
        for t in ["content", "article", "TRS_Editor", "zoom", "canvas"] {
            assert!(!is_chrome_token(t), "{t}");
        }
    }

    #[test]
    fn html_deep_nesting_is_iterative() {
        let html = format!("{}深处{}", "<div>".repeat(10_000), "</div>".repeat(10_000));
        assert_eq!(html_to_text(&html), "深处\n");
    }

    #[test]
    fn meta_charset_variants() {
        assert_eq!(
            meta_charset(br#"<meta charset="gbk">"#),
            Some(encoding_rs::GBK)
        );
        assert_eq!(
            meta_charset(
                br#"<meta http-equiv="Content-Type" content="text/html; charset=GB2312">"#
            ),
            Some(encoding_rs::GBK)
        );
        assert_eq!(
            meta_charset(b"<meta charset='big5'>"),
            Some(encoding_rs::BIG5)
        );
        assert_eq!(meta_charset(b"<meta charset=utf-16>"), None);
        assert_eq!(meta_charset(b"no declaration, charset is mentioned"), None);
        assert_eq!(meta_charset(b"charset="), None);
    }

    #[test]
    fn html_meta_charset_used_for_short_gbk_page() {
        let html = "<html><head><meta charset=\"gb2312\"></head><body><p>报告</p></body></html>";
        let (bytes, _, _) = encoding_rs::GBK.encode(html);
        let (text, enc) = extract_bytes(&bytes, Format::Html).unwrap();
        assert_eq!((text.as_str(), enc), ("报告\n", "GB18030"));
    }

    fn document_xml(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
        )
    }

    #[test]
    fn docx_xml_paragraphs_tabs_breaks_tables() {
        let xml = document_xml(concat!(
            r#"<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs></w:pPr>"#,
            r#"<w:r><w:t>一、</w:t></w:r><w:r><w:t xml:space="preserve">主要工作 &amp; 成效</w:t></w:r></w:p>"#,
            r#"<w:p><w:r><w:t>甲</w:t><w:tab/><w:t>乙</w:t><w:br/><w:t>丙</w:t></w:r></w:p>"#,
            r#"<w:p/>"#,
            r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>索引号</w:t></w:r></w:p></w:tc>"#,
            r#"<w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p><w:p><w:r><w:t>2</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#,
            r#"<w:p><w:r><mc:AlternateContent xmlns:mc="m"><mc:Choice><w:t>选</w:t></mc:Choice>"#,
            r#"<mc:Fallback><w:t>重复</w:t></mc:Fallback></mc:AlternateContent></w:r>"#,
            r#"<w:r><w:delText>删</w:delText><w:instrText>PAGE</w:instrText></w:r></w:p>"#,
        ));
        assert_eq!(
            document_xml_text(xml.as_bytes(), MAX_DOCX_XML_SIZE).unwrap(),
            "一、主要工作 & 成效\n甲\t乙\n丙\n索引号 | 1 2\n选\n"
        );
    }

    #[test]
    fn docx_xml_limit_enforced_while_streaming() {
        // The declared-size fast path is bypassed: only the streaming cap applies.
        let xml = document_xml(&"<w:p><w:r><w:t>很长的文字</w:t></w:r></w:p>".repeat(1000));
        let limit = 10_000;
        assert!(xml.len() as u64 > limit);
        assert_eq!(
            document_xml_text(xml.as_bytes(), limit),
            Err(DOCX_TOO_LARGE.to_owned())
        );
        assert!(document_xml_text(xml.as_bytes(), xml.len() as u64).is_ok());
    }

    #[test]
    fn docx_xml_damaged_is_error() {
        let err =
            document_xml_text(&b"<w:document><w:body><w:p><w:t>x</w:t"[..], 1000).unwrap_err();
        assert!(err.starts_with("damaged"), "{err}");
    }

    #[test]
    fn html_wrong_meta_charset_falls_back_to_detection() {
        let html = "<html><head><meta charset=\"utf-8\"></head><body><p>依法行政工作报告，推进法治政府建设。</p></body></html>";
        let (gb, _, _) = encoding_rs::GBK.encode(html);
        let (text, enc) = extract_bytes(&gb, Format::Html).unwrap();
        assert_eq!(
            (text.as_str(), enc),
            ("依法行政工作报告，推进法治政府建设。\n", "GB18030")
        );
    }

    #[test]
    fn plain_text_named_html_keeps_lines() {
        let plain = "一、总体\n二、落实<青少年法治教育大纲>\n";
        let (text, _) = extract_bytes(plain.as_bytes(), Format::Html).unwrap();
        assert_eq!(text, plain);
        assert!(looks_like_markup("x<p>y") && looks_like_markup("<!DOCTYPE html>"));
    }

    #[test]
    fn docx_xml_carriage_return_entity() {
        let xml = document_xml("<w:p><w:r><w:t>甲&#13;乙</w:t></w:r></w:p>");
        assert_eq!(
            document_xml_text(xml.as_bytes(), MAX_DOCX_XML_SIZE).unwrap(),
            "甲\n乙\n"
        );
    }

    #[test]
    fn formats_by_extension() {
        assert_eq!(Format::of(Path::new("a.HTM")), Format::Html);
        assert_eq!(Format::of(Path::new("a.Docx")), Format::Docx);
        assert_eq!(Format::of(Path::new("a.md")), Format::Text);
        assert_eq!(Format::of(Path::new("noext")), Format::Text);
    }

    #[test]
    fn empty_and_whitespace_only() {
        for format in [Format::Text, Format::Html, Format::Docx] {
            assert_eq!(extract_bytes(b"", format), Err(EMPTY_FILE.to_owned()));
        }
        assert_eq!(
            extract_bytes(" \n\u{3000}\n".as_bytes(), Format::Text),
            Err(EMPTY_FILE.to_owned())
        );
        assert_eq!(
            extract_bytes(b"<html><script>x</script></html>", Format::Html),
            Err(EMPTY_FILE.to_owned())
        );
    }
}
