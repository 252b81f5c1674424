//! Streaming export of hits to files: CSV, XLSX, JSON, JSONL and
//! Elasticsearch/OpenSearch `_bulk` NDJSON.
//!
//! Why a module of its own: an export is every hit, not a top-N, so it must
//! not hold them. [`Exporter`] writes one record per hit straight through
//! (XLSX in rust_xlsxwriter's constant-memory mode, which flushes each row
//! to a temporary file); the only thing it keeps is a per-bureau summary,
//! whose size is the number of bureaus, not of hits.
//!
//! `fazhi export` goes through [`export_matches`]: the matches are held as
//! `(score, DocAddress)` pairs (12 bytes each, from
//! [`crate::query::all_matches`], best first); the sections are read in
//! *index* order — one sequential pass over the doc store, each zstd block
//! decompressed once, two threads over halves of the hits — and each hit's
//! record ([`RecordEncoder`]: its CSV row or JSON line, or the XLSX cells)
//! goes to a temporary spill file beside the destination; then the records
//! are copied into the file in *rank* order. Memory is 28 bytes a hit plus
//! a block and a record per thread (peak heap 20 MB for 654,720 hits);
//! the spill takes as much disk as the export, and is removed at the end.
//! Reading in rank order instead decompressed a whole block per hit (12×
//! the CPU time). Snippets come from [`crate::query::Snippeter`] (same output as
//! [`crate::query::snippet`], text normalised once, buffers reused).
//!
//! Formula injection: a CSV cell that starts with `=`, `+`, `-`, `@`, tab
//! or CR would be run as a formula by Excel/LibreOffice, so text cells
//! starting so get a `'` in front (OWASP's advice; the numeric columns —
//! rank, score, year, lines — are never guarded). XLSX writes every text
//! cell as a string cell, never a formula, so it needs no prefix. JSON
//! formats are not spreadsheets and are written as is.
//!
//! Files are written through [`AtomicFile`]: a temporary `FILE.tmp-<pid>`
//! beside the destination, fsynced and renamed over it only when complete,
//! so an interrupted export never leaves a half-written FILE, and an
//! existing file is never replaced unless asked.
//!
//! CSV is UTF-8 with a byte-order mark by default: without it, Excel on a
//! Chinese Windows machine reads the file as GBK and shows mojibake.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Seek, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::ValueEnum;
use rust_xlsxwriter::{Format as XlsxFormat, Workbook, Worksheet};
use serde::Serialize;

use crate::index::HEADING_PATH_SEP;
use crate::output::HIT_COLUMNS;
use crate::query::{Hit, StoredSection};

mod doc_order;

pub use doc_order::{ExportStats, export_matches};

/// Threads an export encodes records on (at most): the setting the export
/// figures in docs/performance.md were measured with. Each thread holds a
/// doc-store block and writes a spill file of its own.
pub const EXPORT_THREADS: usize = 2;

/// File formats of `fazhi export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// RFC 4180 CSV, UTF-8 (with a BOM unless `--no-bom`).
    Csv,
    /// Excel workbook: a `hits` sheet and a `bureaus` summary sheet.
    Xlsx,
    /// One JSON array of hits.
    Json,
    /// One JSON hit per line.
    Jsonl,
    /// Elasticsearch/OpenSearch `_bulk` lines, one section per document.
    NdjsonBulk,
}

impl ExportFormat {
    /// The format implied by a file name's extension, if any.
    pub fn from_path(path: &Path) -> Option<ExportFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(ExportFormat::Csv),
            "xlsx" => Some(ExportFormat::Xlsx),
            "json" => Some(ExportFormat::Json),
            "jsonl" => Some(ExportFormat::Jsonl),
            "ndjson" => Some(ExportFormat::NdjsonBulk),
            _ => None,
        }
    }

    /// Whether the exporter needs each hit's stored section (full text).
    pub fn needs_section(self) -> bool {
        self == ExportFormat::NdjsonBulk
    }
}

/// Why a destination cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum DestinationError {
    #[error("{0} already exists; use --force to overwrite it")]
    Exists(PathBuf),
    #[error("cannot write to {path}: {source}")]
    Unwritable {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// A file written under a temporary name and renamed into place on
/// [`AtomicFile::commit`]; dropped uncommitted, the temporary is removed.
#[derive(Debug)]
pub struct AtomicFile {
    dest: PathBuf,
    tmp: PathBuf,
    file: Option<File>,
}

impl AtomicFile {
    /// Create `FILE.tmp-<pid>` beside `dest`. Refuses an existing `dest`
    /// unless `force`, and a destination that is a folder in any case.
    pub fn create(dest: &Path, force: bool) -> Result<AtomicFile, DestinationError> {
        if dest.is_dir() {
            return Err(DestinationError::Unwritable {
                path: dest.to_path_buf(),
                source: io::Error::other("is a folder"),
            });
        }
        if !force && dest.symlink_metadata().is_ok() {
            return Err(DestinationError::Exists(dest.to_path_buf()));
        }
        let name = dest
            .file_name()
            .ok_or_else(|| DestinationError::Unwritable {
                path: dest.to_path_buf(),
                source: io::Error::other("not a file name"),
            })?;
        let mut tmp_name = name.to_os_string();
        tmp_name.push(format!(".tmp-{}", std::process::id()));
        let tmp = dest.with_file_name(tmp_name);
        let file = OpenOptions::new()
            .write(true)
            .read(true)
            .create(true)
            .truncate(true)
            .open(&tmp)
            .map_err(|source| DestinationError::Unwritable {
                path: dest.to_path_buf(),
                source,
            })?;
        Ok(AtomicFile {
            dest: dest.to_path_buf(),
            tmp,
            file: Some(file),
        })
    }

    /// The final path.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// The temporary file, for writing.
    pub fn file(&mut self) -> &mut File {
        self.file.as_mut().expect("file present until commit")
    }

    /// Flush to disk and rename over the destination.
    pub fn commit(mut self) -> anyhow::Result<()> {
        let file = self.file.take().expect("file present until commit");
        file.sync_all()
            .with_context(|| format!("cannot write {}", self.dest.display()))?;
        drop(file);
        std::fs::rename(&self.tmp, &self.dest)
            .with_context(|| format!("cannot write {}", self.dest.display()))?;
        // Make the rename itself durable (best effort: not every platform
        // lets a folder be opened and synced).
        if let Some(dir) = self.dest.parent() {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Export settings.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// Start CSV with a UTF-8 byte-order mark.
    pub bom: bool,
    /// `_index` of the bulk action lines.
    pub bulk_index: String,
    /// Action of the bulk lines.
    pub bulk_action: BulkAction,
    /// Folder for XLSX's per-sheet temporary files (default: the system's).
    pub tempdir: Option<PathBuf>,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            bom: true,
            bulk_index: "fazhi".to_string(),
            bulk_action: BulkAction::Create,
            tempdir: None,
        }
    }
}

/// Field names of a bulk document ([`BulkDoc`]), in order; the mapping in
/// `docs/scale-out.md` declares exactly these.
pub const BULK_FIELDS: [&str; 22] = [
    "section_id",
    "doc_id",
    "path",
    "title",
    "bureau",
    "province",
    "province_code",
    "city",
    "city_code",
    "county",
    "county_code",
    "report_year",
    "publish_date",
    "doc_number",
    "heading",
    "heading_path",
    "level",
    "ordinal",
    "line_start",
    "line_end",
    "body",
    "topics",
];

/// One section as an Elasticsearch/OpenSearch/Quickwit document.
#[derive(Debug, Clone, Serialize)]
pub struct BulkDoc<'a> {
    pub section_id: &'a str,
    pub doc_id: &'a str,
    pub path: &'a str,
    pub title: Option<&'a str>,
    pub bureau: Option<&'a str>,
    pub province: Option<&'a str>,
    pub province_code: Option<&'a str>,
    pub city: Option<&'a str>,
    pub city_code: Option<&'a str>,
    pub county: Option<&'a str>,
    pub county_code: Option<&'a str>,
    pub report_year: Option<u64>,
    /// `YYYY-MM-DD`, or null (a malformed date would reject the document).
    pub publish_date: Option<&'a str>,
    pub doc_number: Option<&'a str>,
    pub heading: &'a str,
    pub heading_path: Strs<'a>,
    pub level: u64,
    pub ordinal: u64,
    pub line_start: u64,
    pub line_end: u64,
    pub body: &'a str,
    pub topics: Strs<'a>,
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

impl<'a> BulkDoc<'a> {
    pub fn from_section(s: &'a StoredSection) -> Self {
        BulkDoc::from_ref(&SectionRef::from_section(s))
    }

    pub fn from_ref(s: &SectionRef<'a>) -> Self {
        BulkDoc {
            section_id: s.section_id,
            doc_id: s.doc_id,
            path: s.path,
            title: s.title,
            bureau: s.bureau,
            province: s.province,
            province_code: s.province_code,
            city: s.city,
            city_code: s.city_code,
            county: s.county,
            county_code: s.county_code,
            report_year: s.report_year,
            publish_date: s.publish_date.filter(|d| is_iso_date(d)),
            doc_number: s.doc_number,
            heading: s.heading,
            heading_path: s.heading_path,
            level: s.level,
            ordinal: s.ordinal,
            line_start: s.line_start,
            line_end: s.line_end,
            body: s.body,
            topics: s.topics,
        }
    }
}

/// A list of strings as stored (one string split at a separator), owned
/// (`&[String]`) or borrowed (`&[&str]`); serialised as a JSON array.
#[derive(Debug, Clone, Copy)]
pub enum Strs<'a> {
    /// Split at the char; an empty string is an empty list.
    Joined(&'a str, char),
    Owned(&'a [String]),
    Borrowed(&'a [&'a str]),
}

impl<'a> Strs<'a> {
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + 'a {
        let (joined, owned, borrowed) = match *self {
            Strs::Joined(s, sep) => (
                (!s.is_empty()).then(|| s.split(sep)).into_iter().flatten(),
                None,
                None,
            ),
            Strs::Owned(v) => (
                None.into_iter().flatten(),
                Some(v.iter().map(String::as_str)),
                None,
            ),
            Strs::Borrowed(v) => (None.into_iter().flatten(), None, Some(v.iter().copied())),
        };
        joined
            .chain(owned.into_iter().flatten())
            .chain(borrowed.into_iter().flatten())
    }

    /// Append the strings joined by `sep` to `out`.
    pub fn join_into(&self, sep: &str, out: &mut String) {
        for (i, s) in self.iter().enumerate() {
            if i > 0 {
                out.push_str(sep);
            }
            out.push_str(s);
        }
    }
}

impl Serialize for Strs<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        ser.collect_seq(self.iter())
    }
}

/// The stored fields of one section, borrowed (from a [`StoredSection`],
/// a [`Hit`], or straight from the index's document bytes).
#[derive(Debug, Clone, Copy)]
pub struct SectionRef<'a> {
    pub doc_id: &'a str,
    pub section_id: &'a str,
    pub path: &'a str,
    pub title: Option<&'a str>,
    pub bureau: Option<&'a str>,
    pub province: Option<&'a str>,
    pub province_code: Option<&'a str>,
    pub city: Option<&'a str>,
    pub city_code: Option<&'a str>,
    pub county: Option<&'a str>,
    pub county_code: Option<&'a str>,
    pub report_year: Option<u64>,
    pub publish_date: Option<&'a str>,
    pub doc_number: Option<&'a str>,
    pub heading: &'a str,
    pub heading_path: Strs<'a>,
    pub level: u64,
    pub ordinal: u64,
    pub body: &'a str,
    pub line_start: u64,
    pub line_end: u64,
    pub topics: Strs<'a>,
}

impl<'a> SectionRef<'a> {
    pub fn from_section(s: &'a StoredSection) -> Self {
        SectionRef {
            doc_id: &s.doc_id,
            section_id: &s.section_id,
            path: &s.path,
            title: s.title.as_deref(),
            bureau: s.bureau.as_deref(),
            province: s.province.as_deref(),
            province_code: s.province_code.as_deref(),
            city: s.city.as_deref(),
            city_code: s.city_code.as_deref(),
            county: s.county.as_deref(),
            county_code: s.county_code.as_deref(),
            report_year: s.report_year,
            publish_date: s.publish_date.as_deref(),
            doc_number: s.doc_number.as_deref(),
            heading: &s.heading,
            heading_path: Strs::Owned(&s.heading_path),
            level: s.level,
            ordinal: s.ordinal,
            body: &s.body,
            line_start: s.line_start,
            line_end: s.line_end,
            topics: Strs::Owned(&s.topics),
        }
    }

    /// The fields a [`Hit`] carries (no body, codes or topics).
    pub fn from_hit(h: &'a Hit) -> Self {
        SectionRef {
            doc_id: &h.doc_id,
            section_id: &h.section_id,
            path: &h.path,
            title: h.title.as_deref(),
            bureau: h.bureau.as_deref(),
            province: h.province.as_deref(),
            province_code: None,
            city: h.city.as_deref(),
            city_code: None,
            county: h.county.as_deref(),
            county_code: None,
            report_year: h.report_year,
            publish_date: h.publish_date.as_deref(),
            doc_number: None,
            heading: &h.heading,
            heading_path: Strs::Owned(&h.heading_path),
            level: h.level,
            ordinal: 0,
            body: "",
            line_start: h.line_start,
            line_end: h.line_end,
            topics: Strs::Borrowed(&[]),
        }
    }

    /// `heading_path` as stored in the index (joined with
    /// [`HEADING_PATH_SEP`]).
    pub fn stored_heading_path(s: &'a str) -> Strs<'a> {
        Strs::Joined(s, HEADING_PATH_SEP)
    }
}

/// One hit to encode: rank, score, section, snippet and matched strings.
#[derive(Debug, Clone, Copy)]
pub struct RowInput<'a> {
    pub rank: usize,
    pub score: f32,
    pub section: &'a SectionRef<'a>,
    pub snippet: &'a str,
    pub highlights: &'a [(usize, usize)],
    pub matched: &'a [&'a str],
}

/// A [`Hit`] as JSON, field for field (same names, order and types), but
/// borrowed.
#[derive(Serialize)]
struct HitJson<'a> {
    rank: usize,
    score: f32,
    doc_id: &'a str,
    section_id: &'a str,
    path: &'a str,
    line_start: u64,
    line_end: u64,
    bureau: Option<&'a str>,
    province: Option<&'a str>,
    city: Option<&'a str>,
    county: Option<&'a str>,
    report_year: Option<u64>,
    publish_date: Option<&'a str>,
    title: Option<&'a str>,
    heading: &'a str,
    heading_path: Strs<'a>,
    level: u64,
    snippet: &'a str,
    highlights: &'a [(usize, usize)],
    matched: &'a [&'a str],
}

/// Whether a spreadsheet would read a text cell as a formula (OWASP's
/// "CSV injection" list: `=`, `+`, `-`, `@`, tab, carriage return).
pub fn needs_formula_guard(s: &str) -> bool {
    matches!(
        s.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

/// Encodes hits into records for an [`Exporter`] of one format; one per
/// thread (it holds reusable buffers). For CSV, JSON, JSONL and bulk
/// NDJSON a record is the hit's bytes in the file; for XLSX it is the
/// row's cells in a compact binary form ([`XlsxRow`]).
pub struct RecordEncoder {
    format: ExportFormat,
    bulk_index: String,
    bulk_action: BulkAction,
    joined: String,
    matched: String,
}

impl RecordEncoder {
    pub fn new(format: ExportFormat, opts: &ExportOptions) -> Self {
        RecordEncoder {
            format,
            bulk_index: opts.bulk_index.clone(),
            bulk_action: opts.bulk_action,
            joined: String::new(),
            matched: String::new(),
        }
    }

    /// Whether records need a snippet and matched strings (all but bulk).
    pub fn needs_snippet(&self) -> bool {
        self.format != ExportFormat::NdjsonBulk
    }

    /// Append the record of `row` to `out`.
    pub fn encode(&mut self, row: &RowInput<'_>, out: &mut Vec<u8>) -> anyhow::Result<()> {
        let s = row.section;
        match self.format {
            ExportFormat::Csv => {
                self.joined.clear();
                s.heading_path.join_into(" > ", &mut self.joined);
                self.matched.clear();
                Strs::Borrowed(row.matched).join_into(";", &mut self.matched);
                let mut itoa = itoa::Buffer::new();
                let mut ryu = ryu::Buffer::new();
                out.extend_from_slice(itoa.format(row.rank).as_bytes());
                out.push(b',');
                out.extend_from_slice(ryu.format(row.score).as_bytes());
                for v in [s.bureau, s.province, s.city, s.county] {
                    csv_text(out, v.unwrap_or(""));
                }
                out.push(b',');
                if let Some(y) = s.report_year {
                    out.extend_from_slice(itoa.format(y).as_bytes());
                }
                csv_text(out, s.publish_date.unwrap_or(""));
                csv_text(out, s.title.unwrap_or(""));
                csv_text(out, &self.joined);
                csv_text(out, row.snippet);
                csv_text(out, &self.matched);
                csv_text(out, s.path);
                out.push(b',');
                out.extend_from_slice(itoa.format(s.line_start).as_bytes());
                out.push(b',');
                out.extend_from_slice(itoa.format(s.line_end).as_bytes());
                csv_text(out, s.doc_id);
                csv_text(out, s.section_id);
                out.extend_from_slice(b"\r\n");
            }
            ExportFormat::Json | ExportFormat::Jsonl => {
                serde_json::to_writer(&mut *out, &hit_json(row))?;
                if self.format == ExportFormat::Jsonl {
                    out.push(b'\n');
                }
            }
            ExportFormat::NdjsonBulk => {
                let target = BulkTarget {
                    index: &self.bulk_index,
                    id: s.section_id,
                };
                let line = BTreeMap::from([(self.bulk_action.name(), target)]);
                serde_json::to_writer(&mut *out, &line)?;
                out.push(b'\n');
                serde_json::to_writer(&mut *out, &BulkDoc::from_ref(s))?;
                out.push(b'\n');
            }
            ExportFormat::Xlsx => {
                self.joined.clear();
                s.heading_path.join_into(" > ", &mut self.joined);
                self.matched.clear();
                Strs::Borrowed(row.matched).join_into(";", &mut self.matched);
                XlsxRow {
                    rank: row.rank as u64,
                    score: row.score,
                    report_year: s.report_year,
                    line_start: s.line_start,
                    line_end: s.line_end,
                    strs: [
                        s.bureau.unwrap_or(""),
                        s.province.unwrap_or(""),
                        s.city.unwrap_or(""),
                        s.county.unwrap_or(""),
                        s.publish_date.unwrap_or(""),
                        s.title.unwrap_or(""),
                        &self.joined,
                        row.snippet,
                        &self.matched,
                        s.path,
                        s.doc_id,
                        s.section_id,
                    ],
                }
                .encode(out);
            }
        }
        Ok(())
    }
}

fn hit_json<'a>(row: &RowInput<'a>) -> HitJson<'a> {
    let s = row.section;
    HitJson {
        rank: row.rank,
        score: row.score,
        doc_id: s.doc_id,
        section_id: s.section_id,
        path: s.path,
        line_start: s.line_start,
        line_end: s.line_end,
        bureau: s.bureau,
        province: s.province,
        city: s.city,
        county: s.county,
        report_year: s.report_year,
        publish_date: s.publish_date,
        title: s.title,
        heading: s.heading,
        heading_path: s.heading_path,
        level: s.level,
        snippet: row.snippet,
        highlights: row.highlights,
        matched: row.matched,
    }
}

/// Append `,` and a CSV text field: quoted when it holds `,` `"` CR or LF
/// (the csv crate's `QuoteStyle::Necessary`), with a `'` put before a
/// value a spreadsheet would take for a formula ([`needs_formula_guard`]).
fn csv_text(out: &mut Vec<u8>, v: &str) {
    out.push(b',');
    let guard = needs_formula_guard(v);
    let v = v.as_bytes();
    if memchr::memchr3(b',', b'"', b'\n', v).is_none() && memchr::memchr(b'\r', v).is_none() {
        if guard {
            out.push(b'\'');
        }
        out.extend_from_slice(v);
        return;
    }
    out.push(b'"');
    if guard {
        out.push(b'\'');
    }
    for part in v.split_inclusive(|&b| b == b'"') {
        out.extend_from_slice(part);
        if part.last() == Some(&b'"') {
            out.push(b'"');
        }
    }
    out.push(b'"');
}

fn csv_writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .has_headers(false)
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(out)
}

/// The cells of one XLSX hits row, as a record: fixed-size numbers, then
/// 12 length-prefixed strings (bureau, province, city, county,
/// publish_date, title, heading_path, snippet, matched, path, doc_id,
/// section_id).
struct XlsxRow<'a> {
    rank: u64,
    score: f32,
    report_year: Option<u64>,
    line_start: u64,
    line_end: u64,
    strs: [&'a str; 12],
}

impl<'a> XlsxRow<'a> {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.rank.to_le_bytes());
        out.extend_from_slice(&self.score.to_le_bytes());
        out.push(u8::from(self.report_year.is_some()));
        out.extend_from_slice(&self.report_year.unwrap_or(0).to_le_bytes());
        out.extend_from_slice(&self.line_start.to_le_bytes());
        out.extend_from_slice(&self.line_end.to_le_bytes());
        for s in self.strs {
            out.extend_from_slice(&(s.len() as u64).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
    }

    fn decode(mut rec: &'a [u8]) -> anyhow::Result<XlsxRow<'a>> {
        fn take<'b>(rec: &mut &'b [u8], n: usize) -> anyhow::Result<&'b [u8]> {
            anyhow::ensure!(rec.len() >= n, "truncated export record");
            let (head, tail) = rec.split_at(n);
            *rec = tail;
            Ok(head)
        }
        fn u64_of(rec: &mut &[u8]) -> anyhow::Result<u64> {
            Ok(u64::from_le_bytes(take(rec, 8)?.try_into()?))
        }
        let rank = u64_of(&mut rec)?;
        let score = f32::from_le_bytes(take(&mut rec, 4)?.try_into()?);
        let has_year = take(&mut rec, 1)?[0] == 1;
        let year = u64_of(&mut rec)?;
        let line_start = u64_of(&mut rec)?;
        let line_end = u64_of(&mut rec)?;
        let mut strs = [""; 12];
        for s in &mut strs {
            let n = u64_of(&mut rec)? as usize;
            *s = std::str::from_utf8(take(&mut rec, n)?)?;
        }
        Ok(XlsxRow {
            rank,
            score,
            report_year: has_year.then_some(year),
            line_start,
            line_end,
            strs,
        })
    }
}

/// The action of `_bulk` lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BulkAction {
    /// `create`: the only action Quickwit's `_elastic/_bulk` accepts;
    /// OpenSearch rejects (409) a section already in the index.
    Create,
    /// `index`: OpenSearch/Elasticsearch replace a section with the same id
    /// (re-ingesting a newer export); Quickwit ignores these lines.
    Index,
}

impl BulkAction {
    fn name(self) -> &'static str {
        match self {
            BulkAction::Create => "create",
            BulkAction::Index => "index",
        }
    }
}

#[derive(Serialize)]
struct BulkTarget<'a> {
    #[serde(rename = "_index")]
    index: &'a str,
    #[serde(rename = "_id")]
    id: &'a str,
}

/// Columns of the XLSX `bureaus` sheet.
pub const SUMMARY_COLUMNS: [&str; 8] = [
    "bureau",
    "province",
    "city",
    "county",
    "sections",
    "reports",
    "years",
    "best_rank",
];

#[derive(Debug, Default)]
struct BureauTally {
    sections: u64,
    /// Hashes of the reports' doc ids (8 bytes each, not the strings).
    reports: HashSet<u64>,
    years: BTreeSet<u64>,
    best_rank: usize,
}

type RegionKey = (String, String, String, String);

/// Excel's last row index (1,048,576 rows per sheet).
const XLSX_MAX_ROW: u32 = 1_048_575;

/// Column widths (in characters) of the hits sheet, by [`HIT_COLUMNS`] order.
const HIT_WIDTHS: [f64; 17] = [
    6.0, 8.0, 22.0, 10.0, 10.0, 10.0, 8.0, 12.0, 40.0, 40.0, 80.0, 18.0, 32.0, 8.0, 8.0, 18.0, 22.0,
];

/// Text for a cell: a line break in a cell is `\n`; a `\r` would be
/// stored as Excel's `_x000D_` escape, which other readers show literally.
fn cell_text(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('\r') {
        s.replace("\r\n", "\n").replace('\r', "\n").into()
    } else {
        s.into()
    }
}

struct XlsxSink {
    workbook: Workbook,
    bold: XlsxFormat,
    sheet: usize,
    row: u32,
    summary: BTreeMap<RegionKey, BureauTally>,
}

enum Sink<W: Write + Seek + Send> {
    /// CSV, JSONL, bulk NDJSON: records are written as they are.
    Plain(BufWriter<W>),
    Json {
        out: BufWriter<W>,
        first: bool,
    },
    Xlsx {
        xlsx: Box<XlsxSink>,
        out: W,
    },
}

/// Writes hits one at a time in one of the [`ExportFormat`]s: either
/// [`Exporter::push`] a [`Hit`], or [`Exporter::push_record`] a record
/// made by this exporter's [`Exporter::encoder`] (which is what `push`
/// does; [`export_matches`] encodes in index order and pushes in rank order).
pub struct Exporter<W: Write + Seek + Send> {
    sink: Sink<W>,
    count: u64,
    format: ExportFormat,
    opts: ExportOptions,
    encoder: RecordEncoder,
    record: Vec<u8>,
}

impl<W: Write + Seek + Send> Exporter<W> {
    /// Start an export into `out` (headers are written now).
    pub fn new(format: ExportFormat, mut out: W, opts: &ExportOptions) -> anyhow::Result<Self> {
        let sink = match format {
            ExportFormat::Csv => {
                let mut out = BufWriter::with_capacity(1 << 16, out);
                if opts.bom {
                    out.write_all("\u{feff}".as_bytes())?;
                }
                let mut w = csv_writer(&mut out);
                w.write_record(HIT_COLUMNS)?;
                w.flush()?;
                drop(w);
                Sink::Plain(out)
            }
            ExportFormat::Json => {
                let mut out = BufWriter::with_capacity(1 << 16, out);
                out.write_all(b"[")?;
                Sink::Json { out, first: true }
            }
            ExportFormat::Jsonl | ExportFormat::NdjsonBulk => {
                Sink::Plain(BufWriter::with_capacity(1 << 16, out))
            }
            ExportFormat::Xlsx => {
                out.flush()?;
                let mut workbook = Workbook::new();
                if let Some(dir) = &opts.tempdir {
                    workbook.set_tempdir(dir)?;
                }
                let bold = XlsxFormat::new().set_bold();
                let mut xlsx = Box::new(XlsxSink {
                    workbook,
                    bold,
                    sheet: 0,
                    row: 0,
                    summary: BTreeMap::new(),
                });
                xlsx.add_hits_sheet()?;
                Sink::Xlsx { xlsx, out }
            }
        };
        Ok(Exporter {
            sink,
            count: 0,
            format,
            opts: opts.clone(),
            encoder: RecordEncoder::new(format, opts),
            record: Vec::new(),
        })
    }

    /// A new encoder of records for this exporter (one per thread).
    pub fn encoder(&self) -> RecordEncoder {
        RecordEncoder::new(self.format, &self.opts)
    }

    /// Hits written so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Write one hit. `section` (the hit's stored section) is required by
    /// [`ExportFormat::NdjsonBulk`] and ignored by the other formats.
    pub fn push(&mut self, hit: &Hit, section: Option<&StoredSection>) -> anyhow::Result<()> {
        let sref = match (self.format, section) {
            (ExportFormat::NdjsonBulk, Some(s)) => SectionRef::from_section(s),
            (ExportFormat::NdjsonBulk, None) => {
                anyhow::bail!("a bulk export needs each hit's stored section")
            }
            _ => SectionRef::from_hit(hit),
        };
        let matched: Vec<&str> = hit.matched.iter().map(String::as_str).collect();
        let row = RowInput {
            rank: hit.rank,
            score: hit.score,
            section: &sref,
            snippet: &hit.snippet,
            highlights: &hit.highlights,
            matched: &matched,
        };
        let mut record = std::mem::take(&mut self.record);
        record.clear();
        self.encoder.encode(&row, &mut record)?;
        let pushed = self.push_record(&record);
        self.record = record;
        pushed
    }

    /// Write one record made by an [`Exporter::encoder`] of this exporter.
    pub fn push_record(&mut self, record: &[u8]) -> anyhow::Result<()> {
        match &mut self.sink {
            Sink::Plain(out) => out.write_all(record)?,
            Sink::Json { out, first } => {
                out.write_all(if *first { b"\n" } else { b",\n" })?;
                *first = false;
                out.write_all(record)?;
            }
            Sink::Xlsx { xlsx, .. } => xlsx.push(&XlsxRow::decode(record)?)?,
        }
        self.count += 1;
        Ok(())
    }

    /// Finish the file (closing brackets, the XLSX summary sheet) and hand
    /// back the writer.
    pub fn finish(self) -> anyhow::Result<W> {
        let inner = |b: BufWriter<W>| {
            b.into_inner()
                .map_err(|e| anyhow::Error::new(e.into_error()))
        };
        match self.sink {
            Sink::Plain(out) => inner(out),
            Sink::Json { mut out, first } => {
                out.write_all(if first { b"]\n" } else { b"\n]\n" })?;
                inner(out)
            }
            Sink::Xlsx { mut xlsx, mut out } => {
                xlsx.finish_hits_sheet()?;
                xlsx.write_summary()?;
                xlsx.workbook.save_to_writer(&mut out)?;
                Ok(out)
            }
        }
    }
}

impl XlsxSink {
    fn current(&mut self) -> anyhow::Result<&mut Worksheet> {
        Ok(self.workbook.worksheet_from_index(self.sheet)?)
    }

    /// A new constant-memory hits sheet with its header; `hits`, then
    /// `hits (2)`… when Excel's row limit is reached.
    fn add_hits_sheet(&mut self) -> anyhow::Result<()> {
        let n = self.workbook.worksheets().len();
        let name = if n == 0 {
            "hits".to_string()
        } else {
            format!("hits ({})", n + 1)
        };
        let bold = self.bold.clone();
        let ws = self.workbook.add_worksheet_with_constant_memory();
        ws.set_name(&name)?;
        for (col, (title, width)) in HIT_COLUMNS.iter().zip(HIT_WIDTHS).enumerate() {
            ws.set_column_width(col as u16, width)?;
            ws.write_string_with_format(0, col as u16, *title, &bold)?;
        }
        ws.set_freeze_panes(1, 0)?;
        self.sheet = n;
        self.row = 0;
        Ok(())
    }

    fn finish_hits_sheet(&mut self) -> anyhow::Result<()> {
        let last_row = self.row.max(1);
        let last_col = (HIT_COLUMNS.len() - 1) as u16;
        self.current()?.autofilter(0, 0, last_row, last_col)?;
        Ok(())
    }

    fn push(&mut self, row: &XlsxRow<'_>) -> anyhow::Result<()> {
        if self.row == XLSX_MAX_ROW {
            self.finish_hits_sheet()?;
            self.add_hits_sheet()?;
        }
        self.row += 1;
        let r = self.row;
        let [
            bureau,
            province,
            city,
            county,
            publish_date,
            title,
            heading_path,
            snippet,
            matched,
            path,
            doc_id,
            section_id,
        ] = row.strs;
        let ws = self.current()?;
        ws.write_number(r, 0, row.rank as f64)?;
        ws.write_number(r, 1, f64::from(row.score))?;
        // Text is always written as string cells, never as formulas, so a
        // cell starting with `=` cannot run in Excel.
        let strings: [(u16, &str); 6] = [
            (2, bureau),
            (3, province),
            (4, city),
            (5, county),
            (7, publish_date),
            (8, title),
        ];
        for (col, s) in strings {
            if !s.is_empty() {
                ws.write_string(r, col, cell_text(s))?;
            }
        }
        if let Some(y) = row.report_year {
            ws.write_number(r, 6, y as f64)?;
        }
        ws.write_string(r, 9, cell_text(heading_path))?;
        ws.write_string(r, 10, cell_text(snippet))?;
        ws.write_string(r, 11, cell_text(matched))?;
        ws.write_string(r, 12, cell_text(path))?;
        ws.write_number(r, 13, row.line_start as f64)?;
        ws.write_number(r, 14, row.line_end as f64)?;
        ws.write_string(r, 15, doc_id)?;
        ws.write_string(r, 16, section_id)?;

        let rank = row.rank as usize;
        let key = (
            bureau.to_string(),
            province.to_string(),
            city.to_string(),
            county.to_string(),
        );
        let tally = self.summary.entry(key).or_insert_with(|| BureauTally {
            best_rank: rank,
            ..BureauTally::default()
        });
        tally.sections += 1;
        tally
            .reports
            .insert(xxhash_rust::xxh3::xxh3_64(doc_id.as_bytes()));
        tally.years.extend(row.report_year);
        tally.best_rank = tally.best_rank.min(rank);
        Ok(())
    }

    /// The `bureaus` sheet: one row per bureau, most sections first.
    fn write_summary(&mut self) -> anyhow::Result<()> {
        let bold = self.bold.clone();
        let mut rows: Vec<(&RegionKey, &BureauTally)> = self.summary.iter().collect();
        rows.sort_by(|a, b| b.1.sections.cmp(&a.1.sections).then(a.0.cmp(b.0)));
        let mut ws = Worksheet::new();
        ws.set_name("bureaus")?;
        let widths = [22.0, 10.0, 10.0, 10.0, 9.0, 9.0, 24.0, 10.0];
        for (col, (title, width)) in SUMMARY_COLUMNS.iter().zip(widths).enumerate() {
            ws.set_column_width(col as u16, width)?;
            ws.write_string_with_format(0, col as u16, *title, &bold)?;
        }
        ws.set_freeze_panes(1, 0)?;
        for (i, ((bureau, province, city, county), t)) in rows.iter().enumerate() {
            let r = i as u32 + 1;
            for (col, s) in [bureau, province, city, county].into_iter().enumerate() {
                if !s.is_empty() {
                    ws.write_string(r, col as u16, cell_text(s))?;
                }
            }
            ws.write_number(r, 4, t.sections as f64)?;
            ws.write_number(r, 5, t.reports.len() as f64)?;
            let years: Vec<String> = t.years.iter().map(u64::to_string).collect();
            ws.write_string(r, 6, years.join(";"))?;
            ws.write_number(r, 7, t.best_rank as f64)?;
        }
        ws.autofilter(0, 0, (rows.len() as u32).max(1), 7)?;
        self.workbook.push_worksheet(ws);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_from_extension() {
        assert_eq!(
            ExportFormat::from_path(Path::new("a/b.CSV")),
            Some(ExportFormat::Csv)
        );
        assert_eq!(
            ExportFormat::from_path(Path::new("x.xlsx")),
            Some(ExportFormat::Xlsx)
        );
        assert_eq!(
            ExportFormat::from_path(Path::new("x.ndjson")),
            Some(ExportFormat::NdjsonBulk)
        );
        assert_eq!(ExportFormat::from_path(Path::new("x")), None);
        assert_eq!(ExportFormat::from_path(Path::new("x.txt")), None);
    }

    /// `csv_text` quotes exactly as the csv crate does (the header and
    /// files written before it came from the crate).
    #[test]
    fn csv_text_quotes_like_the_csv_crate() {
        let fields = [
            "",
            "a",
            "a,b",
            "\"q\"",
            "line\nbreak",
            "cr\r",
            "逗号，全角",
            "x\"",
            "\"",
            "tab\there",
            " lead",
            "#hash",
        ];
        for f in fields {
            let mut w = csv_writer(Vec::new());
            w.write_record(["x", f]).unwrap();
            let want = w.into_inner().unwrap();
            let mut got = b"x".to_vec();
            csv_text(&mut got, f);
            got.extend_from_slice(b"\r\n");
            assert_eq!(
                String::from_utf8(got).unwrap(),
                String::from_utf8(want).unwrap()
            );
        }
    }

    #[test]
    fn formula_guard() {
        for f in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(needs_formula_guard(f), "{f:?}");
        }
        for f in ["", "1-2", "法=律", "'=1", " =1", "…=1"] {
            assert!(!needs_formula_guard(f), "{f:?}");
        }
        let mut out = Vec::new();
        csv_text(&mut out, "=HYPERLINK(\"http://x\",\"y\")");
        assert_eq!(out, b",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
        out.clear();
        csv_text(&mut out, "-1");
        assert_eq!(out, b",'-1");
    }

    #[test]
    fn iso_dates_only() {
        assert!(is_iso_date("2020-12-28"));
        assert!(!is_iso_date("2020年12月28日"));
        assert!(!is_iso_date("2020-12-2"));
    }

    #[test]
    fn atomic_file_refuses_existing_and_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.csv");
        std::fs::write(&dest, "old").unwrap();
        assert!(matches!(
            AtomicFile::create(&dest, false),
            Err(DestinationError::Exists(_))
        ));
        {
            let mut f = AtomicFile::create(&dest, true).unwrap();
            f.file().write_all(b"half").unwrap();
            // Dropped without commit: the old file stays, the temporary goes.
        }
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let mut f = AtomicFile::create(&dest, true).unwrap();
        f.file().write_all(b"new").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
