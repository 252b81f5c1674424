//! Shared fixtures of the benches: the bundled corpus, generated corpora
//! (via `examples/gen_corpus.rs`, included as a module) and a cached index
//! over a generated corpus.
//!
//! Environment:
//! - `FAZHI_BENCH_REPORTS` (default 3000): size of the generated corpus the
//!   query benches index (~8 KB a report);
//! - `FAZHI_BENCH_INDEX`: use this existing index instead (e.g. the one
//!   `benches/scale.sh` built over 100,000 reports); then
//!   `FAZHI_BENCH_RARE` names the rare term to query (default: the bureau of
//!   generated report 7, which matches the scale corpus of the same seed).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

#[allow(dead_code, clippy::all)]
#[path = "../../examples/gen_corpus.rs"]
pub mod gen_corpus;

use fazhi::engine::{BureauRequest, Engine, SearchRequest, TopicRequest};
use fazhi::index::BuildOptions;
use fazhi::query::{Filters, Within, parse::parse};
use fazhi::topics::Taxonomy;

/// Seed of every generated fixture (scale.sh uses the same default).
pub const SEED: u64 = 1;

/// The bundled corpus files: (file name, bytes).
pub fn bundled_corpus() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus/ folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

/// Generated reports `0..n` in memory: (relative path, bytes).
pub fn generated(n: u64) -> Vec<(PathBuf, Vec<u8>)> {
    (0..n).map(|i| gen_corpus::render(SEED, i, 0)).collect()
}

/// Folder for cached fixtures under `target/`.
pub fn fixture_root() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("fazhi-bench")
}

/// Number of reports of the query fixture.
pub fn fixture_reports() -> u64 {
    std::env::var("FAZHI_BENCH_REPORTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3_000)
}

/// Write a generated corpus of `n` reports (cached: reused when complete).
pub fn generated_corpus(n: u64) -> PathBuf {
    let dir = fixture_root().join(format!("corpus-{n}-s{SEED}"));
    let done = fixture_root().join(format!("corpus-{n}-s{SEED}.done"));
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        gen_corpus::generate(&dir, n, SEED, threads, None).expect("generate corpus");
        std::fs::write(&done, b"").unwrap();
    }
    dir
}

/// Build (or reuse) an index of a generated corpus, and open it as the
/// commands do (the built-in taxonomy: generated corpora have no `topics.toml`).
pub fn fixture_engine() -> Engine {
    let open = |index: &Path, corpus: &Path| Engine::open(index, corpus, None, None);
    if let Some(dir) = std::env::var_os("FAZHI_BENCH_INDEX") {
        // An existing index only (never built here); the built-in taxonomy.
        assert!(
            fazhi::index::exists(Path::new(&dir)),
            "no index at FAZHI_BENCH_INDEX"
        );
        return open(Path::new(&dir), Path::new(&dir)).expect("open FAZHI_BENCH_INDEX");
    }
    let n = fixture_reports();
    let corpus = generated_corpus(n);
    let index_dir = fixture_root().join(format!("index-{n}-s{SEED}"));
    if fazhi::index::open(&index_dir).is_err() {
        eprintln!(
            "building the query fixture: {n} generated reports into {}",
            index_dir.display()
        );
        let summary = fazhi::index::build(&BuildOptions {
            corpus: corpus.clone(),
            index_dir: index_dir.clone(),
            rebuild: true,
            progress: false,
            taxonomy: Taxonomy::load_for_corpus(&corpus, None).expect("taxonomy"),
            inputs: Default::default(),
            on_text: None,
        })
        .expect("build fixture index");
        eprintln!("{}", summary.describe());
    }
    open(&index_dir, &corpus).expect("open fixture index")
}

/// A rare term: the bureau of generated report 7 (a handful of reports).
pub fn rare_term() -> String {
    if let Ok(t) = std::env::var("FAZHI_BENCH_RARE") {
        return t;
    }
    let (rel, _) = gen_corpus::render(SEED, 7, 0);
    let stem = rel.file_stem().unwrap().to_string_lossy().into_owned();
    stem.rsplit_once('_')
        .map(|(b, _)| b.to_string())
        .unwrap_or(stem)
}

/// What a benchmark case runs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Runner {
    /// `fazhi search` (matching, ranking, stored fields, snippets).
    Search,
    /// `fazhi topic NAME`: sections ranked by a stored topic score; `text` is the topic.
    Topic,
    /// `fazhi bureaus QUERY`: per-bureau aggregation of all matches.
    Bureaus,
}

/// One query of the benchmark mix.
pub struct QueryCase {
    pub kind: &'static str,
    pub text: String,
    pub filters: Filters,
    pub within: Option<Within>,
    pub runner: Runner,
}

impl QueryCase {
    /// Run the case once through the engine, as the command would (limit
    /// 10, bureaus 50 rows with snippets); returns the number of results.
    pub fn run(&self, engine: &Engine) -> usize {
        match self.runner {
            Runner::Search => {
                let req = SearchRequest {
                    query: parse(&self.text).expect("query parses"),
                    filters: self.filters.clone(),
                    topic: None,
                    within: self.within,
                    limit: Some(10),
                };
                let mut hits = 0;
                engine
                    .search(&req, 10, &mut |page| {
                        hits += page.len();
                        Ok(())
                    })
                    .expect("search");
                hits
            }
            Runner::Topic => {
                let req = TopicRequest {
                    topic: self.text.clone(),
                    filters: self.filters.clone(),
                    limit: Some(10),
                    explain: false,
                };
                engine
                    .topic(&req, 10, &mut |_| Ok(()))
                    .expect("topic ranking")
            }
            Runner::Bureaus => {
                let req = BureauRequest {
                    query: parse(&self.text).expect("query parses"),
                    filters: self.filters.clone(),
                    topic: None,
                    synonyms: false,
                    all: false,
                    limit: Some(50),
                    snippets: true,
                };
                engine.bureaus(&req).expect("bureaus").rows.len()
            }
        }
    }
}

/// The query mix, one per kind (limit 10, like the CLI default).
pub fn query_mix() -> Vec<QueryCase> {
    let case = |kind, text: &str, runner| QueryCase {
        kind,
        text: text.to_string(),
        filters: Filters::default(),
        within: None,
        runner,
    };
    let plain = |kind, text: &str| case(kind, text, Runner::Search);
    vec![
        plain("common_word", "法治"),
        plain("domain_phrase", "\"双随机、一公开\""),
        plain("rare_term", &rare_term()),
        plain("two_term_and", "法律顾问 合法性审查"),
        plain("word_boundary", "法行政"),
        QueryCase {
            filters: Filters {
                province: Some("浙江".into()),
                years: Some((Some(2021), Some(2023))),
                ..Default::default()
            },
            ..plain("filters", "执法")
        },
        QueryCase {
            within: Some(Within::Sentence),
            ..plain("within_sentence", "法律顾问 合法性审查")
        },
        plain("exclusion", "普法 -宪法"),
        case("topic_ranking", "行政执法", Runner::Topic),
        case("bureaus_phrase", "\"执法\"", Runner::Bureaus),
    ]
}
