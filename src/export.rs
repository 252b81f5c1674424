//! Streaming export of hits to files: CSV, XLSX, JSON, JSONL and
//! Elasticsearch/OpenSearch `_bulk` NDJSON.
//!
//! Why a module of its own: an export is every hit, not a top-N, so it must
//! not hold them. [`Exporter`] takes one hit at a time and writes it through
//! (XLSX in rust_xlsxwriter's constant-memory mode, which flushes each row
//! to a temporary file); the only thing it keeps is a per-bureau summary,
//! whose size is the number of bureaus, not of hits. The caller holds the
//! matches as `(score, DocAddress)` pairs — 12 bytes each — and loads
//! sections one by one (see [`crate::query::all_matches`]).
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

use crate::output::{HIT_COLUMNS, HitRow};
use crate::query::{Hit, StoredSection};

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
    pub heading_path: &'a [String],
    pub level: u64,
    pub ordinal: u64,
    pub line_start: u64,
    pub line_end: u64,
    pub body: &'a str,
    pub topics: &'a [String],
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
        BulkDoc {
            section_id: &s.section_id,
            doc_id: &s.doc_id,
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
            publish_date: s.publish_date.as_deref().filter(|d| is_iso_date(d)),
            doc_number: s.doc_number.as_deref(),
            heading: &s.heading,
            heading_path: &s.heading_path,
            level: s.level,
            ordinal: s.ordinal,
            line_start: s.line_start,
            line_end: s.line_end,
            body: &s.body,
            topics: &s.topics,
        }
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
    Csv(Box<csv::Writer<BufWriter<W>>>),
    Json {
        out: BufWriter<W>,
        first: bool,
    },
    Jsonl(BufWriter<W>),
    Bulk {
        out: BufWriter<W>,
        index: String,
        action: BulkAction,
    },
    Xlsx {
        xlsx: Box<XlsxSink>,
        out: W,
    },
}

/// Writes hits one at a time in one of the [`ExportFormat`]s.
pub struct Exporter<W: Write + Seek + Send> {
    sink: Sink<W>,
    count: u64,
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
                let mut w = csv::WriterBuilder::new()
                    .has_headers(false)
                    .terminator(csv::Terminator::CRLF)
                    .quote_style(csv::QuoteStyle::Necessary)
                    .from_writer(out);
                w.write_record(HIT_COLUMNS)?;
                Sink::Csv(Box::new(w))
            }
            ExportFormat::Json => {
                let mut out = BufWriter::with_capacity(1 << 16, out);
                out.write_all(b"[")?;
                Sink::Json { out, first: true }
            }
            ExportFormat::Jsonl => Sink::Jsonl(BufWriter::with_capacity(1 << 16, out)),
            ExportFormat::NdjsonBulk => Sink::Bulk {
                out: BufWriter::with_capacity(1 << 16, out),
                index: opts.bulk_index.clone(),
                action: opts.bulk_action,
            },
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
        Ok(Exporter { sink, count: 0 })
    }

    /// Hits written so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Write one hit. `section` (the hit's stored section) is required by
    /// [`ExportFormat::NdjsonBulk`] and ignored by the other formats.
    pub fn push(&mut self, hit: &Hit, section: Option<&StoredSection>) -> anyhow::Result<()> {
        match &mut self.sink {
            Sink::Csv(w) => w.serialize(HitRow::from_hit(hit))?,
            Sink::Json { out, first } => {
                out.write_all(if *first { b"\n" } else { b",\n" })?;
                *first = false;
                serde_json::to_writer(&mut *out, hit)?;
            }
            Sink::Jsonl(out) => {
                serde_json::to_writer(&mut *out, hit)?;
                out.write_all(b"\n")?;
            }
            Sink::Bulk { out, index, action } => {
                let s = section.context("a bulk export needs each hit's stored section")?;
                let target = BulkTarget {
                    index,
                    id: &s.section_id,
                };
                let line = BTreeMap::from([(action.name(), target)]);
                serde_json::to_writer(&mut *out, &line)?;
                out.write_all(b"\n")?;
                serde_json::to_writer(&mut *out, &BulkDoc::from_section(s))?;
                out.write_all(b"\n")?;
            }
            Sink::Xlsx { xlsx, .. } => xlsx.push(hit)?,
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
            Sink::Csv(w) => {
                let buf = w
                    .into_inner()
                    .map_err(|e| anyhow::Error::new(e.into_error()))?;
                inner(buf)
            }
            Sink::Json { mut out, first } => {
                out.write_all(if first { b"]\n" } else { b"\n]\n" })?;
                inner(out)
            }
            Sink::Jsonl(out) | Sink::Bulk { out, .. } => inner(out),
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

    fn push(&mut self, hit: &Hit) -> anyhow::Result<()> {
        if self.row == XLSX_MAX_ROW {
            self.finish_hits_sheet()?;
            self.add_hits_sheet()?;
        }
        self.row += 1;
        let r = self.row;
        let row = HitRow::from_hit(hit);
        let ws = self.current()?;
        ws.write_number(r, 0, row.rank as f64)?;
        ws.write_number(r, 1, f64::from(row.score))?;
        let strings: [(u16, &str); 6] = [
            (2, row.bureau),
            (3, row.province),
            (4, row.city),
            (5, row.county),
            (7, row.publish_date),
            (8, row.title),
        ];
        for (col, s) in strings {
            if !s.is_empty() {
                ws.write_string(r, col, cell_text(s))?;
            }
        }
        if let Some(y) = row.report_year {
            ws.write_number(r, 6, y as f64)?;
        }
        ws.write_string(r, 9, cell_text(&row.heading_path))?;
        ws.write_string(r, 10, cell_text(row.snippet))?;
        ws.write_string(r, 11, cell_text(&row.matched))?;
        ws.write_string(r, 12, cell_text(row.path))?;
        ws.write_number(r, 13, row.line_start as f64)?;
        ws.write_number(r, 14, row.line_end as f64)?;
        ws.write_string(r, 15, row.doc_id)?;
        ws.write_string(r, 16, row.section_id)?;

        let key = (
            row.bureau.to_string(),
            row.province.to_string(),
            row.city.to_string(),
            row.county.to_string(),
        );
        let tally = self.summary.entry(key).or_insert_with(|| BureauTally {
            best_rank: hit.rank,
            ..BureauTally::default()
        });
        tally.sections += 1;
        tally
            .reports
            .insert(xxhash_rust::xxh3::xxh3_64(hit.doc_id.as_bytes()));
        tally.years.extend(hit.report_year);
        tally.best_rank = tally.best_rank.min(hit.rank);
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
