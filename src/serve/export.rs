//! `/api/export`: every hit of a search (or a topic's sections) as a
//! download, written by the same [`Exporter`] and [`export_matches`] as
//! `fazhi export`, so the file is byte for byte the command's (CSV with
//! the BOM and the formula guard).
//!
//! Streamed: the matches are found first (a bad query or unknown topic is
//! still a JSON 400), then the file is written on a blocking thread into
//! one end of an in-memory pipe while the response body reads the other,
//! so memory stays at the export's own (28 bytes a hit) plus the pipe.
//! XLSX is a zip whose directory comes last, so it is written to a private
//! temporary folder first and then streamed. The export's spill files go
//! to that temporary folder too, never to a path the client names.

use std::io::{self, Seek, SeekFrom, Write};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::State as AxState;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tokio_util::io::{ReaderStream, SyncIoBridge};

use super::api::{RawQuery, params};
use super::{ApiError, State};
use crate::engine::ExportRequest;
use crate::export::{EXPORT_THREADS, ExportFormat, ExportOptions, Exporter, export_matches};
use crate::query::{Atom, worker_threads};

/// Bytes buffered between the writing thread and the response.
const PIPE: usize = 1 << 16;

/// A `Write` into the response pipe. `Seek` only tells the position (the
/// exporter needs `Seek` for XLSX alone, which is not written here).
struct PipeWriter<W: Write> {
    inner: W,
    written: u64,
}

impl<W: Write> Write for PipeWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write> Seek for PipeWriter<W> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        match pos {
            SeekFrom::Current(0) => Ok(self.written),
            _ => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "cannot seek in a streamed download",
            )),
        }
    }
}

/// Media type and file extension of a format.
fn media(format: ExportFormat) -> (&'static str, &'static str) {
    match format {
        ExportFormat::Csv => ("text/csv; charset=utf-8", "csv"),
        ExportFormat::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        ExportFormat::Json => ("application/json", "json"),
        ExportFormat::Jsonl => ("application/x-ndjson", "jsonl"),
        ExportFormat::NdjsonBulk => ("application/x-ndjson", "ndjson"),
    }
}

fn parse_format(text: Option<&str>) -> Result<ExportFormat, ApiError> {
    match text.unwrap_or("csv") {
        "csv" => Ok(ExportFormat::Csv),
        "xlsx" => Ok(ExportFormat::Xlsx),
        "json" => Ok(ExportFormat::Json),
        "jsonl" => Ok(ExportFormat::Jsonl),
        other => Err(ApiError::bad_request(format!(
            "format: expected csv, xlsx, json or jsonl, got {other}"
        ))),
    }
}

pub async fn export(
    AxState(state): AxState<Arc<State>>,
    raw: RawQuery,
) -> Result<Response, ApiError> {
    let p = params(raw)?;
    let format = parse_format(p.text("format")?.as_deref())?;
    let query = match p.text("q")? {
        Some(_) => Some(p.query()?),
        None => None,
    };
    let topic = p.text("topic")?;
    if query.is_none() && topic.is_none() {
        return Err(ApiError::bad_request("missing parameter 'q' (or 'topic')"));
    }
    let bom = !p.flag("no_bom")?;
    // Each section's whole text, as `fazhi export` writes it (`no_text=1` leaves it out).
    let text = !p.flag("no_text")?;
    let req = ExportRequest {
        query,
        filters: p.filters()?,
        topic,
    };
    // The matches first: any error is still a JSON response.
    // The matches' addresses are only good on the engine they come from.
    let (matches, req, engine) = state
        .run(move |engine| {
            if let Some(name) = &req.topic {
                engine.resolve_topic(name)?;
            }
            Ok((engine.export_matches(&req)?, req, engine.clone()))
        })
        .await?;
    let permit = state.permit().await?;
    let (reader, writer) = tokio::io::duplex(PIPE);
    let writer = SyncIoBridge::new(writer);
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let atoms: Vec<&Atom> = req.query.iter().flat_map(|q| q.positive_atoms()).collect();
        let result = write_export(&engine, format, (bom, text), &matches, &atoms, writer);
        if let Err(e) = result {
            // The client sees a cut-off download; say why here.
            eprintln!("fazhi: serve: export failed: {e:#}");
        }
    });
    let (mime, ext) = media(format);
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"fazhi-export.{ext}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        Body::from_stream(ReaderStream::new(reader)),
    )
        .into_response())
}

/// Write the export of `matches` to `out` (XLSX through a temporary file).
fn write_export(
    engine: &crate::engine::Engine,
    format: ExportFormat,
    (bom, text): (bool, bool),
    matches: &[(f32, tantivy::DocAddress)],
    atoms: &[&Atom],
    mut out: impl Write + Send,
) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let opts = ExportOptions {
        bom,
        text,
        tempdir: Some(tmp.path().to_path_buf()),
        ..ExportOptions::default()
    };
    let threads = worker_threads().min(EXPORT_THREADS);
    let searcher = engine.searcher();
    let fields = &engine.handle().fields;
    if format == ExportFormat::Xlsx {
        let mut file = tempfile::tempfile_in(tmp.path())?;
        let mut exporter = Exporter::new(format, &mut file, &opts)?;
        export_matches(
            &searcher,
            fields,
            matches,
            atoms,
            &mut exporter,
            tmp.path(),
            threads,
        )?;
        exporter.finish()?;
        file.rewind()?;
        io::copy(&mut file, &mut out)?;
        out.flush()?;
        return Ok(());
    }
    let pipe = PipeWriter {
        inner: &mut out,
        written: 0,
    };
    let mut exporter = Exporter::new(format, pipe, &opts)?;
    export_matches(
        &searcher,
        fields,
        matches,
        atoms,
        &mut exporter,
        tmp.path(),
        threads,
    )?;
    let mut pipe = exporter.finish()?;
    pipe.flush()?;
    Ok(())
}
