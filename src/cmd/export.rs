//! `fazhi export QUERY|--topic NAME|--all -o FILE`: every hit, not a top-N,
//! streamed to CSV, XLSX, JSON, JSONL or `_bulk` NDJSON (see
//! [`crate::export`]). Memory is 28 bytes per match plus one doc-store
//! block per thread; the file appears only when complete.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use tantivy::columnar::Column;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query as TQuery};

use super::{FilterArgs, Global, fail, parse_query_or_exit};
use crate::export::{
    AtomicFile, BulkAction, ExportFormat, ExportOptions, Exporter, export_matches,
};
use crate::index::open_or_build;
use crate::query::{Query, all_matches, filter_queries, full_query};

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Query: terms (AND), `A OR B`, `-A` to exclude, "exact phrase".
    #[arg(num_args = 0.., required_unless_present_any = ["topic", "all"])]
    pub query: Vec<String>,
    /// Export the sections of this topic, best topic score first (with a
    /// QUERY: its hits within the topic).
    #[arg(long, value_name = "NAME")]
    pub topic: Option<String>,
    /// Export every section that passes the filters (e.g. the whole corpus
    /// as `--format ndjson-bulk` for a search cluster).
    #[arg(long, conflicts_with_all = ["query", "topic"])]
    pub all: bool,
    /// Destination file; never overwritten without --force.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,
    /// File format (default: from FILE's extension: .csv .xlsx .json .jsonl .ndjson).
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<ExportFormat>,
    /// CSV without the UTF-8 byte-order mark (which Excel needs to read UTF-8).
    #[arg(long)]
    pub no_bom: bool,
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

pub fn run(args: ExportArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let Some(format) = args
        .format
        .or_else(|| ExportFormat::from_path(&args.output))
    else {
        return Ok(fail(format!(
            "cannot tell the format of {} from its extension; use --format csv|xlsx|json|jsonl|ndjson-bulk",
            args.output.display()
        )));
    };
    let query = if args.query.is_empty() {
        None
    } else {
        match parse_query_or_exit(&args.query.join(" ")) {
            Ok(q) => Some(q),
            Err(code) => return Ok(code),
        }
    };
    let mut filters = match args.filters.to_filters() {
        Ok(f) => f,
        Err(msg) => return Ok(fail(msg)),
    };
    let handle = open_or_build(&global.index, &global.corpus, global.taxonomy.as_deref())?;
    let topic_slot = match &args.topic {
        None => None,
        Some(name) => match handle.info.topics.iter().position(|t| t == name) {
            Some(slot) => Some(slot),
            None if handle.info.topics.is_empty() => {
                return Ok(fail(format!(
                    "unknown topic '{name}': this index has no topics; rebuild it with `fazhi index --rebuild`"
                )));
            }
            None => {
                return Ok(fail(format!(
                    "unknown topic '{name}'; the index knows: {}",
                    handle.info.topics.join(", ")
                )));
            }
        },
    };
    filters.topic = args.topic.clone();

    // Claim the destination before the work, so a refusal is immediate.
    let mut dest = match AtomicFile::create(&args.output, args.force) {
        Ok(d) => d,
        Err(e) => return Ok(fail(e)),
    };

    let searcher = handle.reader.searcher();
    let f = &handle.fields;
    let tq: Box<dyn TQuery> = match &query {
        Some(q) => full_query(&searcher, f, q, &filters)?,
        None => {
            let clauses = filter_queries(&searcher, f, &filters)?;
            if clauses.is_empty() {
                Box::new(AllQuery)
            } else {
                Box::new(BooleanQuery::new(
                    clauses.into_iter().map(|q| (Occur::Must, q)).collect(),
                ))
            }
        }
    };
    let mut matches = all_matches(
        &searcher,
        tq.as_ref(),
        query.is_some() && topic_slot.is_none(),
    )?;
    if let Some(slot) = topic_slot {
        rescore_by_topic(&searcher, slot, &mut matches)?;
    }

    let query = query.unwrap_or(Query {
        clauses: Vec::new(),
    });
    let atoms: Vec<&crate::query::Atom> = query.positive_atoms().collect();
    let opts = ExportOptions {
        bom: !args.no_bom,
        bulk_index: args.bulk_index.clone(),
        bulk_action: args.bulk_action,
        tempdir: Some(folder_of(&args.output)),
    };
    let mut exporter = Exporter::new(format, dest.file(), &opts)
        .map_err(|e| e.context(format!("cannot write {}", args.output.display())))?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
    export_matches(
        &searcher,
        f,
        &matches,
        &atoms,
        &mut exporter,
        &folder_of(&args.output),
        threads,
    )
    .map_err(|e| e.context(format!("cannot write {}", args.output.display())))?;
    drop(matches);
    let written = exporter.count();
    exporter
        .finish()
        .map_err(|e| e.context(format!("cannot write {}", args.output.display())))?;
    dest.commit()?;
    eprintln!(
        "fazhi: wrote {written} hit{} to {}",
        if written == 1 { "" } else { "s" },
        args.output.display()
    );
    Ok(if written == 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The folder holding `path` (for XLSX's temporary sheet files).
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Replace scores by the `topic_score_<slot>` fast field, best first.
fn rescore_by_topic(
    searcher: &tantivy::Searcher,
    slot: usize,
    matches: &mut [(f32, tantivy::DocAddress)],
) -> anyhow::Result<()> {
    let field = format!("topic_score_{slot}");
    let columns: Vec<Option<Column<f64>>> = searcher
        .segment_readers()
        .iter()
        .map(|s| s.fast_fields().f64(&field).ok())
        .collect();
    for (score, addr) in matches.iter_mut() {
        *score = columns[addr.segment_ord as usize]
            .as_ref()
            .and_then(|c| c.first(addr.doc_id))
            .unwrap_or(0.0) as f32;
    }
    matches.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    Ok(())
}
