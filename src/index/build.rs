//! `fazhi index`: build or update the index from a corpus folder.
//!
//! Incremental by default: files whose content hash is unchanged are skipped,
//! changed ones are replaced, deleted ones removed — all in one tantivy commit,
//! so readers see either the old or the new state, never a mix. Parsing runs
//! on worker threads in chunks; tantivy's writer threads tokenise.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tantivy::schema::Term;
use tantivy::{Index, IndexWriter, TantivyDocument};
use xxhash_rust::xxh3::xxh3_64;

use super::{
    CommitInfo, Fields, HEADING_PATH_SEP, Manifest, ManifestEntry, SCHEMA_VERSION, exists, lock,
    read_commit_info, read_manifest, schema,
};
use crate::analysis::{join_runs, register_tokenizers};
use crate::ingest::{self, IngestError, SourceFile};
use crate::report::Report;
use crate::report::inputs::ParseInputs;
use crate::topics::Taxonomy;

/// Memory budget of the tantivy writer, shared by its threads.
const WRITER_MEMORY: usize = 400_000_000;
/// Tantivy writer threads: 2, or `FAZHI_INDEX_THREADS`. With one, sections
/// enter the index in corpus order, the same on every build (two threads
/// interleave them by timing); rank ties and index-order exports follow
/// that order, so the golden test (`tests/golden.rs`) builds with one.
fn writer_threads() -> usize {
    std::env::var("FAZHI_INDEX_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(2)
}
/// Files parsed in parallel per chunk.
const PARSE_CHUNK: usize = 256;
/// Most source bytes parsed at once: parsed reports are held in memory until
/// handed to the writer, so a chunk of large files is split into batches of
/// at most this many bytes (a single file larger than this is its own batch).
const PARSE_BATCH_BYTES: u64 = 64 << 20;

/// A new or changed file as a parse worker read it, for
/// [`BuildOptions::on_text`].
pub struct FileText<'a> {
    pub rel_path: &'a str,
    pub doc_id: &'a str,
    /// The content hash the manifest records for the file.
    pub content_hash: &'a str,
    /// The file's bytes, as read (capped).
    pub bytes: &'a [u8],
    /// Its decoded text.
    pub text: &'a str,
}

/// What to index, and where.
pub struct BuildOptions<'a> {
    pub corpus: PathBuf,
    pub index_dir: PathBuf,
    /// Re-index every file, ignoring the manifest (and replace an index of another version).
    pub rebuild: bool,
    /// Show a progress bar (only ever drawn on a terminal).
    pub progress: bool,
    pub taxonomy: Taxonomy,
    /// The bureau alias table and the user's metadata file.
    pub inputs: ParseInputs,
    /// Called on the parse workers with every new or changed file that is
    /// indexed, while its text is at hand: a higher layer (the text-reuse
    /// fingerprints) need not read and decode the file again.
    pub on_text: Option<&'a (dyn Fn(&FileText) + Sync)>,
}

/// Counts of one indexing run.
#[derive(Debug, Default)]
pub struct BuildSummary {
    pub seen: usize,
    pub indexed: usize,
    pub unchanged: usize,
    pub removed: usize,
    pub sections: usize,
    pub bytes: u64,
    pub skipped: Vec<IngestError>,
    /// Files indexed, but not as usual (e.g. as plain text): path and why.
    pub warnings: Vec<IngestError>,
    pub elapsed: Duration,
    /// Whether a commit was made (false when nothing changed).
    pub committed: bool,
}

impl BuildSummary {
    /// One line per skipped file, on stderr.
    pub fn print_warnings(&self) {
        for e in &self.skipped {
            let e = e.to_string();
            eprintln!(
                "fazhi: warning: skipped {}",
                crate::text::printable::printable(&e)
            );
        }
        for e in &self.warnings {
            eprintln!("fazhi: warning: {e}");
        }
    }

    /// The human summary printed by `fazhi index`.
    pub fn describe(&self) -> String {
        let secs = self.elapsed.as_secs_f64();
        let mb = self.bytes as f64 / 1e6;
        format!(
            "{} files seen: {} indexed ({} sections, {:.1} MB), {} unchanged, {} removed, {} skipped — {:.2} s{}",
            self.seen,
            self.indexed,
            self.sections,
            mb,
            self.unchanged,
            self.removed,
            self.skipped.len(),
            secs,
            if secs > 0.0 && self.indexed > 0 {
                format!(", {:.1} MB/s", mb / secs)
            } else {
                String::new()
            }
        )
    }
}

/// Delete the index files in an index folder (not the lock, and nothing that
/// is not an index file: `--index` may point at a folder holding other files).
fn wipe_index_files(dir: &Path) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name == lock::LOCK_FILE || !super::folder::is_index_file(&name) {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            continue; // never ours to delete
        }
        std::fs::remove_file(&path)
            .with_context(|| format!("{}: cannot remove old index file", path.display()))?;
    }
    Ok(())
}

/// Build or update the index. Holds the writer lock for the whole run.
pub fn build(opts: &BuildOptions) -> anyhow::Result<BuildSummary> {
    let started = Instant::now();
    let dir = &opts.index_dir;
    super::folder::check_target(dir)?;
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{}: cannot create the index folder", dir.display()))?;
    let _lock = lock::acquire(dir)?;
    // Fail early and clearly where tantivy's writer threads would only say
    // that they died.
    let probe = dir.join(".fazhi-write-test");
    std::fs::write(&probe, b"")
        .and_then(|()| std::fs::remove_file(&probe))
        .with_context(|| {
            format!(
                "{}: the index folder is not writable; fix its permissions or use another --index",
                dir.display()
            )
        })?;
    if !opts.corpus.is_dir() {
        anyhow::bail!("{}: corpus folder not found", opts.corpus.display());
    }
    // Paths are stored relative to the corpus, which the commit records
    // (see `index::paths`).
    let corpus_root = std::fs::canonicalize(&opts.corpus)
        .with_context(|| format!("{}: cannot read the corpus folder", opts.corpus.display()))?
        .to_string_lossy()
        .into_owned();

    let (schema, fields) = schema();
    let mut full = opts.rebuild;
    // A first build killed before its commit leaves an index without any
    // commit; we hold the lock, so nobody is still writing it: start afresh.
    if exists(dir) && Index::open_in_dir(dir).is_ok_and(|i| super::never_committed(&i)) {
        wipe_index_files(dir)?;
    }
    let (index, old_info) = open_or_create(dir, &schema, opts.rebuild)?;
    register_tokenizers(&index);

    // Topic scores and bureau names are stored per section: a new taxonomy
    // or alias table means re-reading every report.
    let taxonomy_fp = opts.taxonomy.fingerprint();
    let aliases_fp = opts.inputs.aliases_fingerprint();
    let old_manifest = match &old_info {
        Some(info) if !full => {
            let reusable = previous_manifest(dir, info, &taxonomy_fp, &aliases_fp);
            full = reusable.is_none();
            reusable.unwrap_or_default()
        }
        _ => Manifest::new(),
    };

    let mut writer: IndexWriter<TantivyDocument> = index
        .writer_with_num_threads(writer_threads(), WRITER_MEMORY)
        .with_context(|| format!("{}: cannot open the index for writing", dir.display()))?;
    super::folder::remove_leftovers(&writer, dir, old_info.as_ref().map(|i| i.manifest.as_str()))?;
    if full || old_info.is_none() {
        // A full build ends with one merge of everything (below); merging
        // along the way would rewrite most postings several times over.
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    }
    // A corpus that moved keeps its reports, under a new root to record.
    let mut changed = old_info
        .as_ref()
        .is_some_and(|info| info.corpus_root != corpus_root);
    if full && old_info.is_some() {
        writer.delete_all_documents()?;
        changed = true;
    }

    let (files, crawl_errors) = crawl_unique(&opts.corpus);
    let mut summary = BuildSummary {
        seen: files.len(),
        skipped: crawl_errors,
        ..Default::default()
    };
    let progress = progress_bar(opts.progress, files.len() as u64);

    let mut manifest = Manifest::new();
    let mut next_file = 0;
    loop {
        // Fill a batch: unchanged files are settled at once; changed ones are
        // read once (capped) and wait for the workers. A batch is bounded in
        // files and bytes, so memory does not grow with the corpus.
        let mut batch: Vec<(&SourceFile, Vec<u8>)> = Vec::new();
        let mut batch_bytes = 0u64;
        while batch.len() < PARSE_CHUNK && batch_bytes < PARSE_BATCH_BYTES {
            let Some(file) = files.get(next_file) else {
                break;
            };
            next_file += 1;
            match ingest::extract::read_capped(&file.path) {
                Ok(bytes) => {
                    let hash = opts
                        .inputs
                        .file_fingerprint(&file.rel_path, &format!("{:016x}", xxh3_64(&bytes)));
                    match old_manifest.get(&file.rel_path) {
                        Some(old) if old.content_hash == hash => {
                            manifest.insert(file.rel_path.clone(), old.clone());
                            summary.unchanged += 1;
                            progress.inc(1);
                        }
                        _ => {
                            batch_bytes += bytes.len() as u64;
                            batch.push((file, bytes));
                        }
                    }
                }
                Err(e) => {
                    summary.skipped.push(e);
                    progress.inc(1);
                }
            }
        }
        if batch.is_empty() {
            break;
        }
        let parsed = parse_parallel(
            batch.iter().map(|(f, b)| (*f, b.as_slice())).collect(),
            &fields,
            opts,
        );
        for ((file, bytes), result) in batch.iter().zip(parsed) {
            progress.inc(1);
            if let Some(old) = old_manifest.get(&file.rel_path) {
                writer.delete_term(Term::from_field_text(fields.doc_id, &old.doc_id));
                changed = true;
            }
            match result {
                Ok(Prepared {
                    docs,
                    content_hash,
                    warnings,
                }) => {
                    summary.warnings.extend(
                        warnings
                            .into_iter()
                            .map(|w| IngestError::new(&file.path, w)),
                    );
                    let sections = docs.len();
                    for doc in docs {
                        if let Err(e) = writer.add_document(doc) {
                            return Err(writer_failure(&mut writer, e.into())).with_context(|| {
                                format!("{}: cannot write the index", dir.display())
                            });
                        }
                    }
                    changed = true;
                    let bytes = bytes.len() as u64;
                    summary.indexed += 1;
                    summary.sections += sections;
                    summary.bytes += bytes;
                    manifest.insert(
                        file.rel_path.clone(),
                        ManifestEntry {
                            doc_id: file.doc_id.clone(),
                            content_hash,
                            sections,
                            bytes,
                        },
                    );
                }
                Err(e) => summary.skipped.push(e),
            }
        }
    }
    progress.finish_and_clear();

    // Gone, or no longer readable: either way its sections leave the index.
    for (rel_path, old) in &old_manifest {
        if !manifest.contains_key(rel_path) {
            writer.delete_term(Term::from_field_text(fields.doc_id, &old.doc_id));
            changed = true;
            summary.removed += 1;
        }
    }

    if changed || old_info.is_none() {
        let info = CommitInfo {
            schema_version: SCHEMA_VERSION,
            manifest: String::new(),
            taxonomy: taxonomy_fp,
            bureau_aliases: aliases_fp,
            topics: opts.taxonomy.names.clone(),
            corpus_root,
        };
        let merge_all = full || old_info.is_none();
        commit(&index, writer, dir, &manifest, info, merge_all)?;
        summary.committed = true;
    }
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Open the index in `dir` with its last commit's record, or create it;
/// with `rebuild`, an index that cannot be opened or is of another version
/// is replaced (fazhi's files only).
fn open_or_create(
    dir: &Path,
    schema: &tantivy::schema::Schema,
    rebuild: bool,
) -> anyhow::Result<(Index, Option<CommitInfo>)> {
    if !exists(dir) {
        return Ok((super::create(dir, schema.clone())?, None));
    }
    let checked = Index::open_in_dir(dir)
        .with_context(|| {
            format!(
                "{}: cannot open index (damaged? `fazhi index --rebuild` rebuilds it)",
                dir.display()
            )
        })
        .and_then(|index| {
            let info = read_commit_info(&index, dir)?;
            if index.schema() != *schema {
                return Err(super::version_mismatch(dir, "different field layout"));
            }
            Ok((index, info))
        });
    match checked {
        Ok((index, info)) => Ok((index, Some(info))),
        Err(_) if rebuild => {
            wipe_index_files(dir)?;
            Ok((super::create(dir, schema.clone())?, None))
        }
        Err(err) => Err(err),
    }
}

/// The manifest of the last commit, if an incremental run may trust it:
/// `None` when every report must be read again (another taxonomy or alias
/// table, paths stored before the corpus root was recorded, or a manifest
/// that cannot be read).
fn previous_manifest(
    dir: &Path,
    info: &CommitInfo,
    taxonomy_fp: &str,
    aliases_fp: &str,
) -> Option<Manifest> {
    // Topic scores and bureau names are stored per section; an index
    // without a corpus root stored paths as found, not relative to it.
    if info.taxonomy != taxonomy_fp
        || info.bureau_aliases != aliases_fp
        || info.corpus_root.is_empty()
    {
        return None;
    }
    // The manifest only detects changes: without it, re-index everything.
    read_manifest(dir, info)
        .map_err(|err| eprintln!("fazhi: warning: {err:#}; re-indexing every file"))
        .ok()
}

/// The corpus's files, one per stored path. Two names that differ only in
/// invalid UTF-8 bytes share a lossy rel_path, hence a doc_id and a
/// manifest entry: indexing both would let each incremental run delete the
/// other's sections. The first is kept, the others are skipped with a reason.
fn crawl_unique(corpus: &Path) -> (Vec<SourceFile>, Vec<IngestError>) {
    let (files, mut errors) = ingest::crawl(corpus);
    let mut seen_paths = std::collections::HashSet::new();
    let files = files
        .into_iter()
        .filter(|f| {
            let first = seen_paths.insert(f.rel_path.clone());
            if !first {
                errors.push(IngestError::new(
                    &f.path,
                    "file name is not valid UTF-8 and clashes with another file's; rename it",
                ));
            }
            first
        })
        .collect();
    (files, errors)
}

/// Write `manifest`, commit with `info` (naming that manifest) as the
/// payload, and after a full build (`merge_all`) merge into
/// [`MERGED_SEGMENTS`] segments: term queries on one segment run about
/// twice as fast as on four, but a merge into one runs on one core while
/// the other idles (20% of a 10k build's CPU). Incremental runs leave their
/// small segments to tantivy's merge policy. A merge keeps the commit (and
/// its payload); if it fails, the commit still stands.
fn commit(
    index: &Index,
    mut writer: IndexWriter<TantivyDocument>,
    dir: &Path,
    manifest: &Manifest,
    mut info: CommitInfo,
    merge_all: bool,
) -> anyhow::Result<()> {
    let manifest_name = format!(
        "fazhi-manifest-{}.json",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    );
    let manifest_path = dir.join(&manifest_name);
    write_file_synced(&manifest_path, serde_json::to_vec(manifest)?.as_slice())
        .with_context(|| format!("{}: cannot write index manifest", manifest_path.display()))?;
    info.manifest = manifest_name.clone();
    let mut prepared = writer
        .prepare_commit()
        .with_context(|| format!("{}: cannot write the index", dir.display()))?;
    prepared.set_payload(&serde_json::to_string(&info)?);
    prepared
        .commit()
        .with_context(|| format!("{}: cannot commit the index", dir.display()))?;
    if merge_all {
        // Ids and sizes only: a `SegmentMeta` held here would keep its
        // files from being deleted once merged away.
        let sizes: Vec<_> = index
            .searchable_segment_metas()?
            .iter()
            .map(|m| (m.id(), m.num_docs()))
            .collect();
        if sizes.len() > MERGED_SEGMENTS {
            release_free_heap();
            // Both merges run at once, on tantivy's merge threads.
            let merges: Vec<_> = balanced_groups(&sizes, MERGED_SEGMENTS)
                .into_iter()
                .filter(|group| group.len() > 1)
                .map(|group| writer.merge(&group))
                .collect();
            for merge in merges {
                merge
                    .wait()
                    .with_context(|| format!("{}: merging segments failed", dir.display()))?;
            }
        }
    }
    writer
        .wait_merging_threads()
        .with_context(|| format!("{}: merging segments failed", dir.display()))?;
    remove_other_manifests(dir, &manifest_name);
    Ok(())
}

/// Segments a full build ends with: one per core, merged at the same time.
/// The index has one per writer thread before any merge, so a build that
/// fits in the writer's memory (10,000 reports) is not merged at all;
/// searches there ran as fast on two segments as on one. At 100k,
/// `bureaus` on a common phrase takes 203 instead of 140 ms
/// (docs/performance.md, issue 20).
const MERGED_SEGMENTS: usize = 2;

/// `items` (an id and its number of documents) in `n` groups of about equal
/// numbers of documents (largest first, each to the lightest group), each
/// group in input order.
fn balanced_groups<T: Copy>(items: &[(T, u32)], n: usize) -> Vec<Vec<T>> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(items[i].1));
    let mut groups: Vec<(u64, Vec<usize>)> = vec![(0, Vec::new()); n.max(1)];
    for i in order {
        if let Some(lightest) = groups.iter_mut().min_by_key(|(docs, _)| *docs) {
            lightest.0 += u64::from(items[i].1);
            lightest.1.push(i);
        }
    }
    groups
        .into_iter()
        .map(|(_, mut members)| {
            members.sort_unstable();
            members.into_iter().map(|i| items[i].0).collect()
        })
        .collect()
}

/// Give the heap that indexing freed back to the OS. glibc keeps freed
/// memory for reuse (after a 100k-report build 620 MB of it), and the final
/// merge then maps the whole index on top: peak RSS was retained heap plus
/// index. `malloc_trim` releases the free pages of every malloc arena.
fn release_free_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns unused pages of glibc's own heap to
    // the OS; it touches no memory the program uses.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Why tantivy's writer threads died: `add_document` only says that they
/// did; joining them, as `prepare_commit` does, returns their error (e.g.
/// "No space left on device"). Nothing is committed either way.
fn writer_failure(
    writer: &mut IndexWriter<TantivyDocument>,
    fallback: anyhow::Error,
) -> anyhow::Error {
    match writer.prepare_commit() {
        Err(e) => e.into(),
        Ok(prepared) => {
            let _ = prepared.abort();
            fallback
        }
    }
}

fn progress_bar(enabled: bool, len: u64) -> ProgressBar {
    if !enabled || !std::io::stderr().is_terminal() {
        return ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden());
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} indexing [{bar:40}] {pos}/{len} files ({per_sec}, eta {eta})",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// A file ready for the writer: one document per section.
struct Prepared {
    docs: Vec<TantivyDocument>,
    content_hash: String,
    /// The parser's warnings about this file.
    warnings: Vec<String>,
}

/// Load, parse, score and build the documents of files on all cores,
/// results in input order. Everything but `add_document` happens here, so
/// the main thread only feeds the writer and tantivy's indexing threads are
/// never starved. A panic on one file (a bug) skips that file alone.
fn parse_parallel(
    files: Vec<(&SourceFile, &[u8])>,
    fields: &Fields,
    opts: &BuildOptions,
) -> Vec<Result<Prepared, IngestError>> {
    let prepare = |&(file, bytes): &(&SourceFile, &[u8])| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            prepare_one(file, bytes, fields, opts)
        }))
        .unwrap_or_else(|_| Err(IngestError::new(&file.path, "internal error while parsing")))
    };
    // Work stealing by index: files differ a lot in size. `prepare`
    // catches panics, so every file has a result.
    crate::parallel::map_in_order(&files, prepare)
        .into_iter()
        .zip(&files)
        .map(|(r, (f, _))| {
            r.unwrap_or_else(|| Err(IngestError::new(&f.path, "internal error while parsing")))
        })
        .collect()
}

fn prepare_one(
    file: &SourceFile,
    bytes: &[u8],
    fields: &Fields,
    opts: &BuildOptions,
) -> Result<Prepared, IngestError> {
    let loaded = ingest::extract::load_bytes(&file.path, bytes)?;
    // Stored relative to the corpus; shown so that `path:line` opens from
    // wherever the user stands (see `index::paths`).
    let report = opts
        .inputs
        .parse(&file.rel_path, &file.rel_path, &file.doc_id, &loaded);
    if report.searchable_sections().next().is_none() {
        return Err(IngestError::new(&file.path, "no text found"));
    }
    let content_hash = opts
        .inputs
        .file_fingerprint(&file.rel_path, &loaded.content_hash);
    if let Some(on_text) = opts.on_text {
        on_text(&FileText {
            rel_path: &file.rel_path,
            doc_id: &file.doc_id,
            content_hash: &content_hash,
            bytes,
            text: &loaded.text,
        });
    }
    Ok(Prepared {
        docs: report_documents(fields, &report, &opts.taxonomy),
        content_hash,
        warnings: report.warnings.clone(),
    })
}

/// One document per section, with the report's metadata and topic scores.
/// The first section carries the title (see the index module docs).
fn report_documents(f: &Fields, report: &Report, taxonomy: &Taxonomy) -> Vec<TantivyDocument> {
    let mut docs = Vec::new();
    for (i, section) in report.searchable_sections().enumerate() {
        let lead_title = report.title.as_deref().filter(|_| i == 0);
        let mut doc = TantivyDocument::default();
        if let Some(title) = lead_title {
            doc.add_text(f.lead_title, title);
        }
        doc.add_text(f.doc_id, &report.doc_id);
        doc.add_text(f.section_id, &section.id);
        doc.add_text(f.path, &report.path);
        doc.add_text(f.encoding, &report.encoding);
        let optional = [
            (f.title, &report.title),
            (f.bureau, &report.bureau),
            (f.province, &report.region.province),
            (f.province_code, &report.region.province_code),
            (f.city, &report.region.city),
            (f.city_code, &report.region.city_code),
            (f.county, &report.region.county),
            (f.county_code, &report.region.county_code),
            (f.township, &report.region.township),
            (f.township_code, &report.region.township_code),
            (f.bureau_key, &report.bureau_key),
            (f.bureau_as_written, &report.bureau_as_written),
            (f.url, &report.url),
            (f.publish_date, &report.publish_date),
            (f.doc_number, &report.doc_number),
            (f.addressee, &report.addressee),
        ];
        for (field, value) in optional {
            if let Some(v) = value {
                doc.add_text(field, v);
            }
        }
        if let Some(year) = report.report_year.filter(|y| *y > 0) {
            doc.add_u64(f.report_year, year as u64);
        }
        doc.add_text(f.heading, &section.heading);
        let path: String = section.heading_path.join(&HEADING_PATH_SEP.to_string());
        doc.add_text(f.heading_path, &path);
        doc.add_u64(f.level, u64::from(section.level));
        doc.add_u64(f.ordinal, section.ordinal as u64);
        doc.add_text(f.body, &section.body);
        let runs = [lead_title.unwrap_or(""), &section.heading, &section.body];
        doc.add_text(f.exact, join_runs(runs));
        doc.add_u64(f.line_start, section.line_start as u64);
        doc.add_u64(f.line_end, section.line_end as u64);
        let topics = taxonomy.score_section(&section.heading, &section.body);
        // Only non-zero scores: most sections touch few topics, and a sparse
        // column costs a fraction of a dense one. Missing reads as 0.
        for (slot, score) in topics.scores.iter().enumerate().take(f.topic_scores.len()) {
            if *score > 0.0 {
                doc.add_f64(f.topic_scores[slot], *score);
            }
        }
        for slot in &topics.main {
            if let Some(name) = taxonomy.names.get(*slot) {
                doc.add_text(f.topic, name);
            }
        }
        docs.push(doc);
    }
    docs
}

fn write_file_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn remove_other_manifests(dir: &Path, keep: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("fazhi-manifest-") && name.ends_with(".json") && name != keep {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::balanced_groups;

    #[test]
    fn merge_groups_balance_documents_and_keep_order() {
        let sizes = [('a', 10), ('b', 50), ('c', 20), ('d', 30), ('e', 10)];
        let groups = balanced_groups(&sizes, 2);
        assert_eq!(groups, vec![vec!['a', 'b'], vec!['c', 'd', 'e']]);
        assert_eq!(
            balanced_groups(&sizes, 1),
            vec![vec!['a', 'b', 'c', 'd', 'e']]
        );
        assert_eq!(balanced_groups::<char>(&[], 2), vec![vec![], vec![]]);
    }
}
