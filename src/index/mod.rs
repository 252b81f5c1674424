//! The index: one tantivy document per section, carrying its report's metadata.
//!
//! Layout of an index folder:
//! - tantivy's own files (`meta.json`, segments);
//! - `fazhi-manifest-<n>.json`: which files are indexed, with their content
//!   hashes, for incremental runs. The commit payload in `meta.json` names the
//!   manifest of that commit, so the manifest and the segments always agree:
//!   a run killed before its commit leaves only an orphan manifest behind;
//! - `.fazhi-index.lock`: held (OS file lock) by a running `fazhi index`.
//!
//! Fields: text is indexed twice — `exact` (normalised bigrams with
//! positions, the matching field) and `body`/`heading`/`lead_title`
//! through jieba (frequencies only, for BM25). The report's `title` is
//! stored on every section (for display) but indexed on one only. Filters use raw string and fast
//! fields.
//!
//! A report's title is searched on one section: the first one indexed (the
//! preamble, else the first heading's section), which the title stands over.
//! That section's `exact` field holds title, heading and body as three runs
//! (see the analysis module's run separator), and its `lead_title` field the
//! title again, ranked like a heading. Every command matching on `exact`
//! (search, bureaus, export, counts) thus reports a title match as that section.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexReader, ReloadPolicy};

use crate::analysis::{EXACT_TOKENIZER, JIEBA_TOKENIZER, register_tokenizers};
use crate::topics::{MAX_TOPICS, score_field};

pub mod build;
pub mod error;
pub mod folder;
pub mod lock;
pub mod paths;
pub mod scan;

pub use build::{BuildOptions, BuildSummary, FileText, build};
pub use error::IndexError;
pub use folder::{damage_cause, verify};
pub use paths::ShownPaths;

/// Bumped whenever the schema or the analysis changes incompatibly.
/// 4: `title` stored only (ranked on `lead_title`); ids, dates, topics
/// and township columns not indexed (never looked up by term).
/// 3: titles searched (`lead_title`, the title in the `exact` field of the
/// section it stands over), runs separated, traditional script folded.
pub const SCHEMA_VERSION: u32 = 4;

/// Stored text is compressed with zstd in 512 KiB blocks: Chinese text
/// compresses to about half with zstd and far less with lz4, and the stored
/// text is the largest part of the index. Reports repeat their metadata in
/// every section and bureaus repeat each other's phrasing, which zstd only
/// exploits within a block: 256 KiB blocks made the store about 40% smaller
/// than 64 KiB blocks, 512 KiB another 20% (the index 4%; see
/// docs/performance.md). A hit costs one block decompression (~0.3 ms),
/// and bulk readers go in doc order.
pub fn index_settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_compression: tantivy::store::Compressor::Zstd(tantivy::store::ZstdCompressor {
            compression_level: Some(3),
        }),
        docstore_blocksize: 524_288,
        ..Default::default()
    }
}

/// Create a new, empty index in `dir`.
pub fn create(dir: &Path, schema: Schema) -> anyhow::Result<Index> {
    Index::builder()
        .schema(schema)
        .settings(index_settings())
        .create_in_dir(dir)
        .with_context(|| format!("{}: cannot create index", dir.display()))
}

/// Handles of all schema fields.
#[derive(Debug, Clone)]
pub struct Fields {
    pub doc_id: Field,
    pub section_id: Field,
    pub path: Field,
    pub encoding: Field,
    pub title: Field,
    /// The title again, on the one section it stands over only (see the module docs).
    pub lead_title: Field,
    pub bureau: Field,
    /// The body's identity (place code / department), see [`crate::bureau_id`].
    pub bureau_key: Field,
    /// The bureau's name as the report writes it.
    pub bureau_as_written: Field,
    /// Where the report came from, from the user's metadata file.
    pub url: Field,
    pub province: Field,
    pub province_code: Field,
    pub city: Field,
    pub city_code: Field,
    pub county: Field,
    pub county_code: Field,
    pub township: Field,
    pub township_code: Field,
    pub report_year: Field,
    pub publish_date: Field,
    pub doc_number: Field,
    pub addressee: Field,
    pub heading: Field,
    /// Heading path joined with [`HEADING_PATH_SEP`].
    pub heading_path: Field,
    pub level: Field,
    pub ordinal: Field,
    pub body: Field,
    pub exact: Field,
    pub line_start: Field,
    pub line_end: Field,
    /// Main topics of the section (names), for filtering.
    pub topic: Field,
    /// [`score_field`]`(slot)`: the section's score for each taxonomy topic.
    pub topic_scores: Vec<Field>,
    /// How the stored (corpus-relative) `path` is shown: set by [`open`].
    pub paths: ShownPaths,
}

/// Separator of heading path elements in the stored `heading_path` field.
pub const HEADING_PATH_SEP: char = '\u{1f}';

/// The schema and its field handles.
pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let jieba = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(JIEBA_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let exact = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(EXACT_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions)
            .set_fieldnorms(false),
    );
    let stored_only = TextOptions::default().set_stored();
    // Raw string fields for filters and ids: no field norms (they only serve BM25).
    let raw = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false),
    );
    let raw_stored = raw.clone().set_stored();
    let raw_fast = raw_stored.clone().set_fast("raw");
    // Grouping and filtering only: read from fast columns, never as text.
    let raw_fast_only = raw.clone().set_fast("raw");
    // Read from fast columns, never looked up by term: not indexed.
    let fast_only = TextOptions::default().set_fast("raw");
    let fields = Fields {
        doc_id: b.add_text_field("doc_id", raw_fast.clone()),
        // Ids, dates and topics are shown, never looked up by term (a
        // section is found by its report's `doc_id`): stored only.
        section_id: b.add_text_field("section_id", stored_only.clone()),
        path: b.add_text_field("path", raw_fast.clone()),
        encoding: b.add_text_field("encoding", stored_only.clone()),
        // Stored only: indexing the report's title on each of its sections
        // cost 12% of a build's CPU; `lead_title` ranks it where it stands.
        title: b.add_text_field("title", stored_only.clone()),
        lead_title: b.add_text_field("lead_title", jieba.clone().set_stored()),
        bureau: b.add_text_field("bureau", raw_fast.clone()),
        bureau_key: b.add_text_field("bureau_key", raw_fast_only.clone()),
        bureau_as_written: b.add_text_field("bureau_as_written", fast_only.clone()),
        url: b.add_text_field("url", stored_only.clone()),
        province: b.add_text_field("province", raw_fast.clone()),
        province_code: b.add_text_field("province_code", raw_stored.clone()),
        city: b.add_text_field("city", raw_fast.clone()),
        city_code: b.add_text_field("city_code", raw_stored.clone()),
        county: b.add_text_field("county", raw_fast.clone()),
        county_code: b.add_text_field("county_code", raw_stored.clone()),
        township: b.add_text_field("township", fast_only.clone()),
        township_code: b.add_text_field("township_code", fast_only),
        report_year: b.add_u64_field("report_year", INDEXED | STORED | FAST),
        publish_date: b.add_text_field("publish_date", stored_only.clone()),
        doc_number: b.add_text_field("doc_number", stored_only.clone()),
        addressee: b.add_text_field("addressee", stored_only.clone()),
        heading: b.add_text_field("heading", jieba.clone().set_stored()),
        heading_path: b.add_text_field("heading_path", stored_only.clone()),
        level: b.add_u64_field("level", STORED | FAST),
        ordinal: b.add_u64_field("ordinal", STORED | FAST),
        body: b.add_text_field("body", jieba.set_stored()),
        exact: b.add_text_field("exact", exact),
        line_start: b.add_u64_field("line_start", STORED),
        line_end: b.add_u64_field("line_end", STORED),
        topic: b.add_text_field("topic", stored_only.clone()),
        topic_scores: (0..MAX_TOPICS)
            .map(|i| b.add_f64_field(&score_field(i), FAST))
            .collect(),
        paths: ShownPaths::default(),
    };
    (b.build(), fields)
}

/// What fazhi records in each commit's payload.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct CommitInfo {
    pub schema_version: u32,
    /// File name (inside the index folder) of this commit's manifest.
    pub manifest: String,
    /// Fingerprint of the topic taxonomy the scores were computed with.
    pub taxonomy: String,
    /// Names of the taxonomy's topics, in slot order.
    pub topics: Vec<String>,
    /// Fingerprint of the bureau alias table the bureau names were read with.
    #[serde(default)]
    pub bureau_aliases: String,
    /// The corpus folder, absolute, that the stored paths are relative to
    /// (empty in indexes that stored paths as found; see [`paths`]).
    #[serde(default)]
    pub corpus_root: String,
}

/// One indexed file in the manifest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ManifestEntry {
    pub doc_id: String,
    pub content_hash: String,
    pub sections: usize,
    pub bytes: u64,
}

/// rel_path → entry, for every file in the committed index.
pub type Manifest = BTreeMap<String, ManifestEntry>;

/// An opened index, ready for searching.
pub struct IndexHandle {
    pub dir: PathBuf,
    pub index: Index,
    pub fields: Fields,
    pub reader: IndexReader,
    pub info: CommitInfo,
}

/// Whether `dir` holds a tantivy index.
pub fn exists(dir: &Path) -> bool {
    dir.join("meta.json").is_file()
}

/// The error shown when an index comes from another version of fazhi.
pub fn version_mismatch(dir: &Path, found: &str) -> anyhow::Error {
    IndexError::version_mismatch(dir, found).into()
}

/// Read the commit payload of the index in `dir`.
pub fn read_commit_info(index: &Index, dir: &Path) -> anyhow::Result<CommitInfo> {
    let metas = index
        .load_metas()
        .map_err(|e| IndexError::damaged(dir, e))?;
    let Some(payload) = metas.payload else {
        if metas.segments.is_empty() {
            bail!(
                "the index at {} has nothing committed yet: a first `fazhi index` is running or was interrupted; wait for it, or run `fazhi index` again",
                dir.display()
            );
        }
        return Err(version_mismatch(dir, "no fazhi commit record"));
    };
    let info: CommitInfo = serde_json::from_str(&payload)
        .map_err(|_| version_mismatch(dir, "unreadable fazhi commit record"))?;
    if info.schema_version != SCHEMA_VERSION {
        return Err(version_mismatch(
            dir,
            &format!("schema {}", info.schema_version),
        ));
    }
    Ok(info)
}

/// Whether `index` was created but never committed by fazhi (no payload, no
/// segments): a first `fazhi index` is running, or was killed before its commit.
pub fn never_committed(index: &Index) -> bool {
    index
        .load_metas()
        .is_ok_and(|m| m.payload.is_none() && m.segments.is_empty())
}

/// Open the index in `dir` for searching, checking its version.
pub fn open(dir: &Path) -> anyhow::Result<IndexHandle> {
    if !exists(dir) {
        folder::check_target(dir)?;
        return Err(IndexError::Missing {
            dir: dir.to_path_buf(),
        }
        .into());
    }
    let index = lock::open_for_reading(dir).map_err(|e| open_error(dir, e))?;
    let info = read_commit_info(&index, dir)?;
    folder::check_files_present(&index, dir)?;
    let (schema, mut fields) = schema();
    if index.schema() != schema {
        return Err(version_mismatch(dir, "different field layout"));
    }
    fields.paths = ShownPaths::from_current_dir(&info.corpus_root);
    register_tokenizers(&index);
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map_err(|e| open_error(dir, e))?;
    Ok(IndexHandle {
        dir: dir.to_path_buf(),
        index,
        fields,
        reader,
        info,
    })
}

/// Why an index could not be opened: a permission problem as it is, anything
/// else as damage (fazhi never leaves a partial commit behind).
fn open_error(dir: &Path, err: tantivy::TantivyError) -> anyhow::Error {
    let denied = matches!(&err, tantivy::TantivyError::OpenReadError(
        tantivy::directory::error::OpenReadError::IoError { io_error, .. }
    ) if io_error.kind() == std::io::ErrorKind::PermissionDenied)
        || matches!(&err, tantivy::TantivyError::IoError(e) if e.kind() == std::io::ErrorKind::PermissionDenied);
    if denied {
        return anyhow::Error::new(err).context(format!("{}: cannot open index", dir.display()));
    }
    IndexError::damaged(dir, err).into()
}

/// Load the manifest named by a commit.
pub fn read_manifest(dir: &Path, info: &CommitInfo) -> anyhow::Result<Manifest> {
    if info.manifest.is_empty() {
        return Ok(Manifest::new());
    }
    let path = dir.join(&info.manifest);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("{}: cannot read index manifest", path.display()))?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "{}: damaged index manifest; run `fazhi index --rebuild`",
            path.display()
        )
    })
}
