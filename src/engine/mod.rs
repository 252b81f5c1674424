//! The engine: one opened index answering typed requests — search (a page
//! or a stream), topic ranking, bureau grouping, export lists and the
//! per-section facts behind the corpus overviews.
//!
//! Why one type: every front end (each CLI command, and the HTTP server
//! after it) needs "open the index once, run a query with filters, get
//! ranked hits, groups or counts". When each command did this itself the
//! copies drifted (filters, tie-breaks, topic names and aliases); here a
//! request is resolved the same way whoever asks. [`Engine`] owns the
//! index handle (reader and schema fields) and the topic taxonomy, loaded
//! only when a request needs it and checked against the scores stored in
//! the index.
//!
//! A `--topic` is resolved here, by name or alias, to a [`TopicFilter`]
//! (*the sections of a topic*: score at least [`Engine::topic_threshold`],
//! the taxonomy's `main_min` unless the request's `--min-score` says
//! otherwise) for every kind of request, so `topic`, `search`, `bureaus`
//! and `export` select the same sections; `search` also boosts by the
//! score, `export` and `topic` order by it.

use crate::report::inputs::ParseInputs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tantivy::{DocAddress, Searcher};

use crate::bureaus::{
    BureauOptions, BureauTable, BureauTables, bureaus_excluding, expand_synonyms,
};
use crate::index::{self, BuildOptions, IndexError, IndexHandle};
use crate::query::{
    self, Filters, Hit, Query, QueryError, SearchOptions, TopicBoost, TopicFilter, Within,
};
use crate::topics::Taxonomy;

pub mod facets;
pub mod guard;
pub mod matrix;
pub mod overview;
mod sections;
pub mod stats;
pub mod topic;
pub mod totals;
pub mod trend;

pub use facets::{Facet, FacetCount, Facets};
pub use guard::guarded;
pub use overview::{SectionRow, SectionScan};
pub use stats::CorpusStats;
pub use topic::{TermCount, TopicHit, TopicRanking, rank_topic};
pub use totals::Totals;
pub use trend::{AdoptionRequest, KwicRequest, TrendRequest};

/// `search --topic`: BM25 score + this × the section's topic score.
pub const TOPIC_BOOST: f32 = 0.25;

/// What a caller (a CLI command, an HTTP handler) must tell apart; any
/// other failure (I/O, a damaged index) comes as a plain `anyhow::Error`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The query text does not parse; the error knows where.
    #[error(transparent)]
    BadQuery(#[from] QueryError),
    /// A malformed argument (a year range, a file format …).
    #[error("{0}")]
    BadRequest(String),
    /// A topic name or alias the taxonomy does not know.
    #[error("unknown topic '{name}'; topics: {}", known.join(", "))]
    UnknownTopic { name: String, known: Vec<String> },
    /// Neither an index nor a corpus to build one from.
    #[error(
        "no index at {} and no corpus folder at {}; run `fazhi index --corpus DIR`",
        index.display(),
        corpus.display()
    )]
    MissingIndex { index: PathBuf, corpus: PathBuf },
    /// The index folder is locked, from another version, damaged, missing
    /// or not an index (see [`IndexError`]).
    #[error(transparent)]
    Index(#[from] IndexError),
    /// The index's topic scores come from another taxonomy.
    #[error(
        "the index at {} was scored with another topic taxonomy than {taxonomy}; run `fazhi index` to re-score it",
        index.display()
    )]
    TaxonomyMismatch { index: PathBuf, taxonomy: String },
}

/// Parse query text, as a typed error.
pub fn parse_query(text: &str) -> Result<Query, Error> {
    Ok(query::parse::parse(text)?)
}

/// A search: hits of `query` in rank order.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: Query,
    pub filters: Filters,
    /// Only sections discussing this topic (name or alias), boosted by it.
    pub topic: Option<String>,
    pub within: Option<Within>,
    /// Maximum hits; `None` for all.
    pub limit: Option<usize>,
}

/// A topic's sections, best topic score first.
#[derive(Debug, Clone)]
pub struct TopicRequest {
    /// Topic name or alias.
    pub topic: String,
    pub filters: Filters,
    /// Maximum hits; `None` for all the topic's sections.
    pub limit: Option<usize>,
    /// Attach the arithmetic of each score.
    pub explain: bool,
}

/// Hits of `query` grouped by bureau.
#[derive(Debug, Clone)]
pub struct BureauRequest {
    pub query: Query,
    pub filters: Filters,
    /// Only sections discussing this topic (name or alias).
    pub topic: Option<String>,
    /// Expand each term by the taxonomy's variants.
    pub synonyms: bool,
    /// Also list the bureaus that do not match.
    pub all: bool,
    /// Rows to return (`None`: all).
    pub limit: Option<usize>,
    /// Snippet each returned row.
    pub snippets: bool,
}

/// Every match of an export, unloaded: a query's hits (by BM25), a topic's
/// sections (by topic score), or with neither, every section passing the
/// filters (index order).
#[derive(Debug, Clone, Default)]
pub struct ExportRequest {
    pub query: Option<Query>,
    pub filters: Filters,
    /// Only sections discussing this topic (name or alias), best score first.
    pub topic: Option<String>,
}

/// An opened index and what requests on it need. Open once per process.
pub struct Engine {
    handle: IndexHandle,
    corpus: PathBuf,
    taxonomy_file: Option<PathBuf>,
    taxonomy: OnceLock<Taxonomy>,
    /// Also count near-identical reposts once (`--dedup`; exact copies always are).
    dedup: bool,
    /// Report tables of the segments `bureaus` has grouped, for the next
    /// requests (the server's, the latency bench's).
    bureau_tables: BureauTables,
}

/// [`index::open`], with what can be wrong with the folder as an [`Error`].
fn open_handle(index_dir: &Path) -> anyhow::Result<IndexHandle> {
    index::open(index_dir).map_err(lift)
}

/// An error with an [`IndexError`] inside as [`Error::Index`], so that
/// callers match one type; any other error as it is.
pub fn lift(err: anyhow::Error) -> anyhow::Error {
    match err.downcast::<IndexError>() {
        Ok(e) => Error::Index(e).into(),
        Err(other) => other,
    }
}

/// Bad rows of the user's metadata file, one warning line each.
pub fn print_metadata_warnings(warnings: &[String]) {
    for w in warnings {
        eprintln!("fazhi: warning: {}", crate::text::printable::printable(w));
    }
}

impl Engine {
    /// Open the index at `index_dir`; when there is none but a corpus
    /// folder, build it first (saying so on stderr), so that a first
    /// search on a fresh clone just works. `taxonomy_file` overrides the
    /// corpus's `topics.toml` (see [`Taxonomy::load_for_corpus`]).
    pub fn open(
        index_dir: &Path,
        corpus: &Path,
        taxonomy_file: Option<&Path>,
        metadata_file: Option<&Path>,
    ) -> anyhow::Result<Engine> {
        let taxonomy = OnceLock::new();
        if !index::exists(index_dir) {
            if !corpus.is_dir() {
                return Err(Error::MissingIndex {
                    index: index_dir.to_path_buf(),
                    corpus: corpus.to_path_buf(),
                }
                .into());
            }
            eprintln!(
                "fazhi: no index at {}; building it from {} first",
                index_dir.display(),
                corpus.display()
            );
            let loaded = Taxonomy::load_for_corpus(corpus, taxonomy_file)?;
            let (inputs, warnings) = ParseInputs::load_for_corpus(corpus, metadata_file)
                .map_err(|e| anyhow::anyhow!(e))?;
            print_metadata_warnings(&warnings);
            let spill = crate::reuse::Spill::new(index_dir);
            let summary = index::build(&BuildOptions {
                corpus: corpus.to_path_buf(),
                index_dir: index_dir.to_path_buf(),
                rebuild: false,
                progress: true,
                taxonomy: loaded.clone(),
                inputs,
                on_text: Some(&|file| spill.add(file)),
            });
            let spilled = spill.finish();
            let summary = summary?;
            if let Err(e) = spilled {
                eprintln!("fazhi: warning: {e:#}");
            }
            summary.print_warnings();
            crate::reuse::update(index_dir, corpus)?;
            let _ = taxonomy.set(loaded);
        }
        Ok(Engine {
            handle: open_handle(index_dir)?,
            corpus: corpus.to_path_buf(),
            taxonomy_file: taxonomy_file.map(Path::to_path_buf),
            taxonomy,
            dedup: false,
            bureau_tables: BureauTables::default(),
        })
    }

    /// Open the index at `index_dir`, which must exist: for an index folder
    /// the user named (`--index`, `FAZHI_INDEX`), where building one
    /// unasked would fill a mistyped or foreign folder.
    pub fn open_existing(
        index_dir: &Path,
        corpus: &Path,
        taxonomy_file: Option<&Path>,
    ) -> anyhow::Result<Engine> {
        Ok(Engine {
            handle: open_handle(index_dir)?,
            corpus: corpus.to_path_buf(),
            taxonomy_file: taxonomy_file.map(Path::to_path_buf),
            taxonomy: OnceLock::new(),
            dedup: false,
            bureau_tables: BureauTables::default(),
        })
    }

    /// Count near-identical reposts once too (`--dedup`).
    pub fn with_dedup(mut self, dedup: bool) -> Engine {
        self.dedup = dedup;
        self
    }

    /// Doc ids of the reports the counting commands leave out: exact copies
    /// of another report, and with `--dedup` reposts (see [`crate::reuse`]).
    pub fn skipped_reports(&self) -> std::collections::HashSet<String> {
        crate::reuse::Copies::load(&self.handle).skipped(self.dedup)
    }

    pub fn handle(&self) -> &IndexHandle {
        &self.handle
    }

    /// A searcher on the index as opened.
    pub fn searcher(&self) -> Searcher {
        self.handle.reader.searcher()
    }

    /// The taxonomy of this corpus (or the one named), loaded on first use;
    /// not checked against the index (synonyms need only its words).
    pub fn taxonomy(&self) -> anyhow::Result<&Taxonomy> {
        if let Some(t) = self.taxonomy.get() {
            return Ok(t);
        }
        let loaded = Taxonomy::load_for_corpus(&self.corpus, self.taxonomy_file.as_deref())?;
        Ok(self.taxonomy.get_or_init(|| loaded))
    }

    /// [`Engine::taxonomy`], checked to be the one the index's topic scores
    /// were computed with.
    pub fn scored_taxonomy(&self) -> anyhow::Result<&Taxonomy> {
        let taxonomy = self.taxonomy()?;
        let info = &self.handle.info;
        if info.taxonomy != taxonomy.fingerprint() || info.topics != taxonomy.names {
            return Err(Error::TaxonomyMismatch {
                index: self.handle.dir.clone(),
                taxonomy: taxonomy.source().to_string(),
            }
            .into());
        }
        Ok(taxonomy)
    }

    /// The slot of a topic name or alias.
    pub fn resolve_topic(&self, name: &str) -> anyhow::Result<usize> {
        let taxonomy = self.scored_taxonomy()?;
        taxonomy.resolve(name).ok_or_else(|| {
            Error::UnknownTopic {
                name: name.to_string(),
                known: taxonomy.names.clone(),
            }
            .into()
        })
    }

    /// The score from which a section is one of a topic's sections: the
    /// request's `--min-score`, else the taxonomy's `main_min`. The one
    /// threshold of every command (`topic`, `--topic`, `topics`, `matrix`).
    pub fn topic_threshold(&self, filters: &Filters) -> anyhow::Result<f64> {
        match filters.min_score {
            Some(x) => Ok(x),
            None => Ok(self.scored_taxonomy()?.scoring().main_min),
        }
    }

    /// The sections of topic `name` (a name or alias) under `filters`' threshold.
    pub fn topic_filter(&self, filters: &Filters, name: &str) -> anyhow::Result<TopicFilter> {
        Ok(TopicFilter {
            slot: self.resolve_topic(name)?,
            min_score: self.topic_threshold(filters)?,
        })
    }

    /// `filters` with the topic restriction of `topic` added.
    fn with_topic(&self, filters: &Filters, topic: Option<&str>) -> anyhow::Result<Filters> {
        let mut filters = filters.clone();
        if let Some(name) = topic {
            filters.topic = Some(self.topic_filter(&filters, name)?);
        }
        Ok(filters)
    }

    /// Run a search, handing the hits to `sink` in rank order, at most
    /// `chunk` at a time (a page comes as one chunk); returns how many.
    pub fn search(
        &self,
        req: &SearchRequest,
        chunk: usize,
        sink: &mut dyn FnMut(Vec<Hit>) -> anyhow::Result<()>,
    ) -> anyhow::Result<usize> {
        let opts = SearchOptions {
            filters: self.with_topic(&req.filters, req.topic.as_deref())?,
            limit: req.limit,
            within: req.within,
        };
        let boost = opts.filters.topic.map(|t| TopicBoost {
            slot: t.slot,
            weight: TOPIC_BOOST,
        });
        query::search_chunked(&self.handle, &req.query, &opts, boost, chunk, sink)
    }

    /// A topic's sections, best first, to `sink` at most `chunk` at a time;
    /// returns how many.
    pub fn topic(
        &self,
        req: &TopicRequest,
        chunk: usize,
        sink: &mut dyn FnMut(Vec<TopicHit>) -> anyhow::Result<()>,
    ) -> anyhow::Result<usize> {
        let ranking = TopicRanking {
            handle: &self.handle,
            taxonomy: self.scored_taxonomy()?,
            topic: self.topic_filter(&req.filters, &req.topic)?,
            explain: req.explain,
        };
        ranking.run(&req.filters, req.limit, chunk, sink)
    }

    /// The bureaus whose sections match (see [`crate::bureaus`]).
    pub fn bureaus(&self, req: &BureauRequest) -> anyhow::Result<BureauTable> {
        let query = if req.synonyms {
            let taxonomy = self.taxonomy()?;
            expand_synonyms(&req.query, |t| taxonomy.synonyms_of(t))
        } else {
            req.query.clone()
        };
        let opts = BureauOptions {
            filters: self.with_topic(&req.filters, req.topic.as_deref())?,
            all: req.all,
            limit: req.limit,
            snippets: req.snippets,
        };
        let mut skip: Vec<String> = self.skipped_reports().into_iter().collect();
        skip.sort();
        bureaus_excluding(
            &self.handle,
            &query,
            &opts,
            &skip,
            Some(&self.bureau_tables),
        )
    }

    /// The matches of an export, best first (ties by address): 12 bytes a
    /// match, loaded later in index order by [`crate::export::export_matches`].
    pub fn export_matches(&self, req: &ExportRequest) -> anyhow::Result<Vec<(f32, DocAddress)>> {
        let filters = self.with_topic(&req.filters, req.topic.as_deref())?;
        let searcher = self.searcher();
        let f = &self.handle.fields;
        let q = match &req.query {
            Some(q) => query::full_query(&searcher, f, q, &filters)?,
            None => query::filter_query(&searcher, f, &filters)?,
        };
        let scoring = req.query.is_some() && filters.topic.is_none();
        let mut matches = query::all_matches(&searcher, q.as_ref(), scoring)?;
        if let Some(t) = filters.topic {
            query::rescore_by_topic(&searcher, t.slot, &mut matches);
        }
        Ok(matches)
    }

    /// How many sections, reports and bureaus match a search, however
    /// many it lists (see [`totals`]).
    pub fn search_totals(&self, req: &SearchRequest) -> anyhow::Result<Totals> {
        let addrs = self.matching_docs(req)?;
        totals::totals_of(&self.searcher(), &addrs)
    }

    /// How many sections, reports and bureaus a topic's ranking holds
    /// (the topic's sections passing the filters: the one threshold).
    pub fn topic_totals(&self, req: &TopicRequest) -> anyhow::Result<Totals> {
        let topic = self.topic_filter(&req.filters, &req.topic)?;
        let slot = topic.slot;
        let mut sections = 0;
        let (mut reports, mut bureaus) = (Vec::<u64>::new(), Vec::<u64>::new());
        let set = |bits: &mut Vec<u64>, n: u32| {
            let (word, bit) = (n as usize / 64, n % 64);
            if bits.len() <= word {
                bits.resize(word + 1, 0);
            }
            bits[word] |= 1 << bit;
        };
        let scan = self.scan_sections(&req.filters, |s| {
            if topic.admits(s.scores[slot]) {
                sections += 1;
                set(&mut reports, s.report);
                if let Some(b) = s.bureau {
                    set(&mut bureaus, b);
                }
            }
        })?;
        // The empty bureau name (a report without one) is not a bureau.
        if let Some(empty) = scan.bureaus.iter().position(String::is_empty)
            && let Some(w) = bureaus.get_mut(empty / 64)
        {
            *w &= !(1 << (empty % 64));
        }
        let count = |bits: &[u64]| bits.iter().map(|w| w.count_ones() as usize).sum();
        Ok(Totals {
            sections,
            reports: count(&reports),
            bureaus: count(&bureaus),
        })
    }

    /// Hand every section passing `filters` to `visit`, with its scores for
    /// each topic of the (checked) taxonomy, from fast fields only.
    pub fn scan_sections(
        &self,
        filters: &Filters,
        visit: impl FnMut(SectionRow<'_>),
    ) -> anyhow::Result<SectionScan> {
        let slots = self.scored_taxonomy()?.names.len();
        overview::scan_sections(&self.handle, filters, slots, visit)
    }
}
