//! `fazhi export QUERY|--topic NAME|--all -o FILE`: every hit, not a top-N,
//! streamed to CSV, XLSX, JSON, JSONL or `_bulk` NDJSON (see
//! [`crate::export`]). Memory is 28 bytes per match plus one doc-store
//! block per thread; the file appears only when complete.
//!
//! `-o` is claimed through [`Destination`]: a regular file is written
//! under a temporary name and renamed, a device or FIFO is written
//! directly, `-o -` is standard output.

use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use super::{FilterArgs, Global, Outcome};
use crate::engine::{self, ExportRequest, parse_query};
use crate::export::DestinationWriter;
use crate::export::{
    BulkAction, Destination, EXPORT_THREADS, ExportFormat, ExportOptions, Exporter, export_matches,
};
use crate::output::printable;
use crate::query::worker_threads;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Query: terms (AND), `A OR B`, `-A` to exclude, "exact phrase".
    #[arg(num_args = 0.., required_unless_present_any = ["topic", "all"])]
    pub query: Vec<String>,
    /// Export the sections that discuss this topic (name or alias), best
    /// topic score first (with a QUERY: its hits within the topic).
    #[arg(long, value_name = "NAME")]
    pub topic: Option<String>,
    /// Export every section that passes the filters (e.g. the whole corpus
    /// as `--format ndjson-bulk` for a search cluster).
    #[arg(long, conflicts_with_all = ["query", "topic"])]
    pub all: bool,
    /// Destination file (`-` for standard output); never overwritten
    /// without --force.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,
    /// File format (default: from FILE's extension: .csv .xlsx .json .jsonl .ndjson).
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<ExportFormat>,
    /// CSV without the UTF-8 byte-order mark (which Excel needs to read UTF-8).
    #[arg(long)]
    pub no_bom: bool,
    /// Leave out the `text` column (each section's whole text, as written).
    #[arg(long)]
    pub no_text: bool,
    /// Replace FILE if it exists.
    #[arg(long)]
    pub force: bool,
    /// `_index` named in the action lines of `--format ndjson-bulk`.
    #[arg(long, default_value = "fazhi", value_name = "NAME")]
    pub bulk_index: String,
    /// Action of the `ndjson-bulk` lines: `create` (Quickwit and OpenSearch)
    /// or `index` (OpenSearch/Elasticsearch, replacing sections by id).
    #[arg(long, value_enum, default_value_t = BulkAction::Create)]
    pub bulk_action: BulkAction,
    #[command(flatten)]
    pub filters: FilterArgs,
}

pub fn run(args: ExportArgs, global: &Global) -> anyhow::Result<Outcome> {
    let Some(format) = args
        .format
        .or_else(|| ExportFormat::from_path(&args.output))
    else {
        return Err(engine::Error::BadRequest(format!(
            "cannot tell the format of {} from its extension; use --format csv|xlsx|json|jsonl|ndjson-bulk",
            printable(&args.output.display().to_string())
        ))
        .into());
    };
    let query = if args.query.is_empty() {
        None
    } else {
        Some(parse_query(&args.query.join(" "))?)
    };
    let req = ExportRequest {
        query,
        filters: args.filters.to_filters()?,
        topic: args.topic.clone(),
    };
    let engine = global.engine()?;
    // Resolve the topic before claiming the destination: an unknown one
    // must leave no file behind.
    if let Some(name) = &req.topic {
        engine.resolve_topic(name)?;
    }
    // Claim the destination before the work, so a refusal is immediate.
    let mut dest = Destination::create(&args.output, args.force)
        .map_err(|e| engine::Error::BadRequest(printable(&e.to_string()).into_owned()))?;
    if format == ExportFormat::Xlsx && dest.is_terminal() {
        return Err(engine::Error::BadRequest(format!(
            "will not write an XLSX workbook to a terminal ({}); redirect it or pass -o FILE.xlsx",
            dest.name()
        ))
        .into());
    }
    let name = printable(&dest.name()).into_owned();
    // Temporary files (the spill, XLSX's sheets) go beside a regular
    // destination, and to the system's folder for a stream (not /dev).
    let scratch = if dest.is_stream() {
        std::env::temp_dir()
    } else {
        folder_of(&args.output)
    };
    let matches = engine.export_matches(&req)?;
    let atoms: Vec<&crate::query::Atom> =
        req.query.iter().flat_map(|q| q.positive_atoms()).collect();
    let cannot_write = |e: anyhow::Error| e.context(format!("cannot write {name}"));
    let opts = ExportOptions {
        bom: !args.no_bom,
        text: !args.no_text,
        bulk_index: args.bulk_index.clone(),
        bulk_action: args.bulk_action,
        tempdir: Some(scratch.clone()),
    };
    let run = |out| -> anyhow::Result<u64> {
        let mut exporter = Exporter::new(format, out, &opts).map_err(cannot_write)?;
        export_matches(
            &engine.searcher(),
            &engine.handle().fields,
            &matches,
            &atoms,
            &mut exporter,
            &scratch,
            worker_threads().min(EXPORT_THREADS),
        )
        .map_err(cannot_write)?;
        let written = exporter.count();
        exporter.finish().map_err(cannot_write)?;
        Ok(written)
    };
    let written = if format == ExportFormat::Xlsx && dest.is_stream() {
        // A workbook is a zip that seeks back: built in a temporary file,
        // then copied into the stream.
        let mut workbook = tempfile::tempfile_in(&scratch)
            .with_context(|| format!("cannot create a temporary file in {}", scratch.display()))?;
        let written = run(DestinationWriter::File(&mut workbook))?;
        workbook.seek(SeekFrom::Start(0))?;
        std::io::copy(&mut workbook, &mut dest.writer()).map_err(|e| cannot_write(e.into()))?;
        written
    } else {
        run(dest.writer())?
    };
    drop(matches);
    dest.commit()?;
    eprintln!(
        "fazhi: wrote {written} hit{} to {name}",
        if written == 1 { "" } else { "s" },
    );
    Ok(Outcome::found(written as usize))
}

/// The folder holding `path` (for XLSX's temporary sheet files).
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}
