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
//! rank, score, year, lines — are never guarded). The cells are written by
//! the one CSV writer of every command ([`crate::output::delimited`]). XLSX writes every text
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

use std::collections::BTreeMap;
use std::io::{BufWriter, Seek, Write};
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use rust_xlsxwriter::{Format as XlsxFormat, Workbook};

use crate::output::{Delimited, DelimitedWriter, HIT_COLUMNS};
use crate::query::{Hit, StoredSection};

mod atomic;
mod bulk;
mod doc_order;
mod record;
mod xlsx;

pub use crate::output::needs_formula_guard;
pub use atomic::{AtomicFile, Destination, DestinationError, DestinationWriter};
pub use bulk::{BULK_FIELDS, BulkAction, BulkDoc};
pub use record::{RecordEncoder, RowInput, SectionRef, Strs};
pub use xlsx::SUMMARY_COLUMNS;
use xlsx::{XlsxRow, XlsxSink};

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
/// The column (and JSON field) holding each section's whole text, after
/// the [`HIT_COLUMNS`] (`fazhi export` writes it unless `--no-text`).
pub const TEXT_COLUMN: &str = "text";

/// Export settings.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// Start CSV with a UTF-8 byte-order mark.
    pub bom: bool,
    /// Add the [`TEXT_COLUMN`]: the section's heading and body as written.
    pub text: bool,
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
            text: false,
            bulk_index: "fazhi".to_string(),
            bulk_action: BulkAction::Create,
            tempdir: None,
        }
    }
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
                let mut columns = HIT_COLUMNS.to_vec();
                if opts.text {
                    columns.push(TEXT_COLUMN);
                }
                DelimitedWriter::new(&mut out, Delimited::Csv).header(&columns)?;
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
                    text: opts.text,
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
    /// [`ExportFormat::NdjsonBulk`] and by the [`TEXT_COLUMN`].
    pub fn push(&mut self, hit: &Hit, section: Option<&StoredSection>) -> anyhow::Result<()> {
        let sref = match (self.format, section) {
            (_, Some(s)) => SectionRef::from_section(s),
            (ExportFormat::NdjsonBulk, None) => {
                anyhow::bail!("a bulk export needs each hit's stored section")
            }
            _ if self.opts.text => {
                anyhow::bail!("an export with the text column needs each hit's stored section")
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

#[cfg(test)]
mod tests {
    use super::bulk::is_iso_date;
    use super::record::csv_text;
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
            let mut w = csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(Vec::new());
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
