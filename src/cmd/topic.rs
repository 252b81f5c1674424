//! `fazhi topic NAME`: sections ranked by their stored score for one topic,
//! with the terms that made each score (`--explain` for the arithmetic).
//!
//! Ranking reads only the `topic_score_<slot>` fast field (scores were
//! computed at index time); the term breakdown is recomputed from the stored
//! text of the top hits with the same taxonomy, which the index's commit
//! record guarantees by fingerprint. Also home of helpers shared with
//! `topics`, `matrix` and `search --topic`.

use std::collections::HashSet;
use std::io::{self, Write};
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;
use tantivy::collector::{DocSetCollector, TopDocs};
use tantivy::columnar::StrColumn;
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query as TQuery};
use tantivy::{DocAddress, Order, Searcher};

use super::{FilterArgs, Global};
use crate::analysis::normalize;
use crate::index::{self, BuildOptions, IndexHandle, MAX_TOPICS};
use crate::output::{Format, ListPrinter, mark, paint, style};
use crate::query::{
    Filters, Hit, INDEX_ORDER_MIN, LIST_CHUNK, SNIPPET_WIDTH, StoredSection, filter_queries,
    load_section, map_ranked_parts, snippet,
};
use crate::topics::{Explanation, Taxonomy};

#[derive(Debug, Args)]
pub struct TopicArgs {
    /// Topic name or alias (see `fazhi topics`).
    pub name: String,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Maximum hits (0 = all sections with a score above 0).
    #[arg(long, short = 'n', default_value_t = 10)]
    pub limit: usize,
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Show how each score was computed: per-term counts, weights and shares.
    #[arg(long)]
    pub explain: bool,
}

/// One term's part in a hit's score (the JSON `terms` entries).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TermCount {
    pub term: String,
    /// Occurrences in heading and body.
    pub count: u32,
    pub weight: f64,
}

/// A ranked section for a topic: the search hit shape plus topic fields.
#[derive(Debug, Clone, Serialize)]
pub struct TopicHit {
    #[serde(flatten)]
    pub hit: Hit,
    pub topic: String,
    pub topic_score: f64,
    pub terms: Vec<TermCount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Explanation>,
}

/// Flat row for CSV/TSV.
#[derive(Debug, Serialize)]
struct TopicRow<'a> {
    rank: usize,
    topic: &'a str,
    topic_score: f64,
    bureau: &'a str,
    province: &'a str,
    city: &'a str,
    county: &'a str,
    report_year: Option<u64>,
    title: &'a str,
    heading_path: String,
    terms: String,
    snippet: &'a str,
    path: &'a str,
    line_start: u64,
    line_end: u64,
    doc_id: &'a str,
    section_id: &'a str,
}

/// The taxonomy for this invocation and the index, checked to have been
/// scored with it. A missing index is built first (with this taxonomy).
pub(crate) fn open_scored(global: &Global) -> anyhow::Result<(IndexHandle, Taxonomy)> {
    let taxonomy = Taxonomy::load_for_corpus(&global.corpus, global.taxonomy.as_deref())?;
    if !index::exists(&global.index) && global.corpus.is_dir() {
        eprintln!(
            "fazhi: no index at {}; building it from {} first",
            global.index.display(),
            global.corpus.display()
        );
        let summary = index::build(&BuildOptions {
            corpus: global.corpus.clone(),
            index_dir: global.index.clone(),
            rebuild: false,
            progress: true,
            taxonomy: taxonomy.clone(),
        })?;
        summary.print_warnings();
    }
    let handle = index::open_or_build(&global.index, &global.corpus, global.taxonomy.as_deref())?;
    check_scored_with(&handle, &taxonomy)?;
    Ok((handle, taxonomy))
}

/// Fail clearly when the index's topic scores come from another taxonomy.
pub(crate) fn check_scored_with(handle: &IndexHandle, taxonomy: &Taxonomy) -> anyhow::Result<()> {
    if handle.info.taxonomy != taxonomy.fingerprint() || handle.info.topics != taxonomy.names {
        anyhow::bail!(
            "the index at {} was scored with another topic taxonomy than {}; run `fazhi index` to re-score it",
            handle.dir.display(),
            taxonomy.source()
        );
    }
    Ok(())
}

/// The slot of a topic name or alias; unknown → message with the list, exit 2.
pub(crate) fn resolve_topic(taxonomy: &Taxonomy, name: &str) -> Result<usize, ExitCode> {
    taxonomy.resolve(name).ok_or_else(|| {
        super::fail(format!(
            "unknown topic '{name}'; topics: {}",
            taxonomy.names.join(", ")
        ))
    })
}

/// The query selecting the sections that pass `filters`.
pub(crate) fn filtered_query(
    searcher: &Searcher,
    handle: &IndexHandle,
    filters: &Filters,
) -> anyhow::Result<Box<dyn TQuery>> {
    let clauses: Vec<(Occur, Box<dyn TQuery>)> = filter_queries(searcher, &handle.fields, filters)?
        .into_iter()
        .map(|q| {
            (
                Occur::Must,
                Box::new(ConstScoreQuery::new(q, 0.0)) as Box<dyn TQuery>,
            )
        })
        .collect();
    Ok(if clauses.is_empty() {
        Box::new(AllQuery)
    } else {
        Box::new(BooleanQuery::new(clauses))
    })
}

/// What the topic views need of one section, read from fast fields only.
#[derive(Debug, Clone)]
pub(crate) struct SectionFacts {
    pub doc_id: String,
    pub bureau: Option<String>,
    pub scores: Vec<f64>,
}

fn first_str(col: &Option<StrColumn>, doc: u32, buf: &mut String) -> Option<String> {
    let col = col.as_ref()?;
    let ord = col.term_ords(doc).next()?;
    buf.clear();
    matches!(col.ord_to_str(ord, buf), Ok(true)).then(|| buf.clone())
}

/// Every section passing `filters`, with its topic scores (`slots` of them).
pub(crate) fn scan_sections(
    handle: &IndexHandle,
    filters: &Filters,
    slots: usize,
) -> anyhow::Result<Vec<SectionFacts>> {
    let searcher = handle.reader.searcher();
    let q = filtered_query(&searcher, handle, filters)?;
    let selected: HashSet<DocAddress> = searcher.search(&q, &DocSetCollector)?;
    let mut out = Vec::with_capacity(selected.len());
    let mut buf = String::new();
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let ff = segment.fast_fields();
        let doc_id = ff.str("doc_id")?;
        let bureau = ff.str("bureau")?;
        let cols = (0..slots.min(MAX_TOPICS))
            .map(|s| ff.f64(&format!("topic_score_{s}")))
            .collect::<Result<Vec<_>, _>>()?;
        let mut docs: Vec<u32> = selected
            .iter()
            .filter(|a| a.segment_ord as usize == ord)
            .map(|a| a.doc_id)
            .collect();
        docs.sort_unstable();
        for doc in docs {
            out.push(SectionFacts {
                doc_id: first_str(&doc_id, doc, &mut buf).unwrap_or_default(),
                bureau: first_str(&bureau, doc, &mut buf),
                scores: cols.iter().map(|c| c.first(doc).unwrap_or(0.0)).collect(),
            });
        }
    }
    Ok(out)
}

/// Sections ranked by topic `slot` (score > 0 only), best first.
pub fn rank_topic(
    handle: &IndexHandle,
    taxonomy: &Taxonomy,
    slot: usize,
    filters: &Filters,
    limit: Option<usize>,
    explain: bool,
) -> anyhow::Result<Vec<TopicHit>> {
    let mut hits = Vec::new();
    let ranking = TopicRanking {
        handle,
        taxonomy,
        slot,
        explain,
    };
    ranking.run(filters, limit, usize::MAX, &mut |chunk| {
        hits.extend(chunk);
        Ok(())
    })?;
    Ok(hits)
}

/// One topic's ranking, for [`TopicRanking::run`].
pub struct TopicRanking<'a> {
    pub handle: &'a IndexHandle,
    pub taxonomy: &'a Taxonomy,
    pub slot: usize,
    pub explain: bool,
}

impl TopicRanking<'_> {
    /// [`rank_topic`], handing the hits to `sink` in rank order, at most
    /// `chunk` at a time (see [`crate::query::search_chunked`]); returns how
    /// many there were.
    pub fn run(
        &self,
        filters: &Filters,
        limit: Option<usize>,
        chunk: usize,
        sink: &mut dyn FnMut(Vec<TopicHit>) -> anyhow::Result<()>,
    ) -> anyhow::Result<usize> {
        let (handle, taxonomy, slot, explain) =
            (self.handle, self.taxonomy, self.slot, self.explain);
        let searcher = handle.reader.searcher();
        let all = (searcher.num_docs() as usize).max(1);
        let fetch = limit.filter(|&n| n > 0).map_or(all, |n| n.min(all));
        let name = format!("topic_score_{slot}");
        let mut top: Vec<(f64, DocAddress)> = if filters.is_empty() {
            top_of_column(&searcher, &name, fetch)?
        } else {
            let q = filtered_query(&searcher, handle, filters)?;
            let collector =
                TopDocs::with_limit(fetch).order_by_fast_field::<f64>(name, Order::Desc);
            searcher
                .search(&q, &collector)?
                .into_iter()
                .filter_map(|(score, addr)| score.filter(|s| *s > 0.0).map(|s| (s, addr)))
                .collect()
        };
        top.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        if limit.is_none() || top.len() >= INDEX_ORDER_MIN {
            let addrs: Vec<DocAddress> = top.iter().map(|&(_, a)| a).collect();
            let map = |i: usize, s| Some(topic_hit(i + 1, top[i].0, s, taxonomy, slot, explain));
            return map_ranked_parts(&searcher, &handle.fields, &addrs, chunk, map, sink);
        }
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let s = load_section(&searcher, &handle.fields, addr)?;
            hits.push(topic_hit(hits.len() + 1, score, s, taxonomy, slot, explain));
        }
        let n = hits.len();
        sink(hits)?;
        Ok(n)
    }
}

/// The `k` largest positive values of the f64 fast field `name` among live
/// sections, by a scan of the column's stored values only: the score
/// columns are sparse (a section has a value only for the topics it
/// touches), so this reads a fraction of the sections and never visits a
/// posting list — 20× faster than a collector over all documents. Ties keep
/// the lower address.
///
/// A short list (up to [`SMALL_K`]) is kept sorted while scanning; a list
/// that may hold every value (`--limit 0`) is collected and sorted once.
fn top_of_column(
    searcher: &Searcher,
    name: &str,
    k: usize,
) -> anyhow::Result<Vec<(f64, DocAddress)>> {
    let mut top: Vec<(f64, DocAddress)> = Vec::new();
    let mut chunk = vec![0f64; 4096];
    let mut candidates: Vec<(f64, u32)> = Vec::new();
    let mut rows: Vec<u32> = Vec::new();
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let column = reader.fast_fields().f64(name)?;
        let alive = reader.alive_bitset();
        let num_vals = column.values.num_vals() as u64;
        // Keep everything and sort once when the list may hold all values.
        let collect = k > SMALL_K || k as u64 >= num_vals;
        // (value, doc) of this segment's best, best first.
        let mut best: Vec<(f64, u32)> = Vec::new();
        let mut start = 0u64;
        while start < num_vals {
            let len = (num_vals - start).min(chunk.len() as u64) as usize;
            column.values.get_range(start, &mut chunk[..len]);
            // Values that would enter the list, with their value ranks…
            candidates.clear();
            for (i, &v) in chunk[..len].iter().enumerate() {
                if v > 0.0 && (collect || best.len() < k || v > best[k - 1].0) {
                    candidates.push((v, (start as usize + i) as u32));
                }
            }
            // …turned into doc ids (ascending ranks give ascending docs).
            rows.clear();
            rows.extend(candidates.iter().map(|c| c.1));
            column.index.select_batch_in_place(0, &mut rows);
            for (&(v, _), &doc) in candidates.iter().zip(&rows) {
                let live = alive.is_none_or(|a| a.is_alive(doc));
                if !live {
                    continue;
                }
                if collect {
                    best.push((v, doc));
                } else if best.len() < k || v > best[k - 1].0 {
                    let at = best.partition_point(|b| b.0 >= v);
                    best.insert(at, (v, doc));
                    best.truncate(k);
                }
            }
            start += len as u64;
        }
        if collect {
            best.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            best.truncate(k);
        }
        top.extend(
            best.iter()
                .map(|&(v, doc)| (v, DocAddress::new(ord as u32, doc))),
        );
    }
    top.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    top.truncate(k);
    Ok(top)
}

/// The longest top list [`top_of_column`] keeps sorted by insertion.
const SMALL_K: usize = 1024;

fn topic_hit(
    rank: usize,
    score: f64,
    s: StoredSection,
    taxonomy: &Taxonomy,
    slot: usize,
    explain: bool,
) -> TopicHit {
    let text = s.text();
    let ex = taxonomy.explain(slot, &s.heading, &s.body);
    let terms: Vec<TermCount> = ex
        .terms
        .iter()
        .map(|t| TermCount {
            term: t.term.clone(),
            count: t.body + t.heading,
            weight: t.weight,
        })
        .collect();
    let norms: Vec<String> = ex.terms.iter().map(|t| normalize(&t.term)).collect();
    let needles: Vec<&str> = norms.iter().map(String::as_str).collect();
    let snip = snippet(&text, &needles, SNIPPET_WIDTH);
    let matched = terms.iter().map(|t| t.term.clone()).collect();
    let hit = Hit::new(rank, score as f32, s, snip, matched);
    TopicHit {
        hit,
        topic: taxonomy.names[slot].clone(),
        topic_score: score,
        terms,
        explain: explain.then_some(ex),
    }
}

fn terms_line(terms: &[TermCount]) -> String {
    terms
        .iter()
        .map(|t| format!("{}×{}", t.term, t.count))
        .collect::<Vec<_>>()
        .join(" ")
}

fn write_topic_hit(out: &mut impl Write, h: &TopicHit, color: bool) -> io::Result<()> {
    let hit = &h.hit;
    let bureau = hit.bureau.as_deref().unwrap_or("(未知单位)");
    let year = hit
        .report_year
        .map(|y| format!(" · {y}"))
        .unwrap_or_default();
    let heading = if hit.heading_path.is_empty() {
        "(正文前言)".to_string()
    } else {
        hit.heading_path.join(" › ")
    };
    writeln!(
        out,
        "{} {}{} · {}  {}",
        paint(&format!("{:>3}.", hit.rank), style::DIM, color),
        paint(bureau, style::BOLD, color),
        year,
        heading,
        paint(&format!("[{:.2}]", h.topic_score), style::DIM, color)
    )?;
    writeln!(
        out,
        "     {}",
        paint(
            &format!("{}:{}", hit.path, hit.line_start),
            style::PATH,
            color
        )
    )?;
    writeln!(out, "     {}", mark(&hit.snippet, &hit.highlights, color))?;
    writeln!(
        out,
        "     {}",
        paint(
            &format!("terms: {}", terms_line(&h.terms)),
            style::DIM,
            color
        )
    )?;
    if let Some(ex) = &h.explain {
        writeln!(
            out,
            "     score = Σ weight × (k1+1)·f / (f + K),  f = body + {}×heading,  k1 = {},  K = {} (body {} chars)",
            ex.heading_weight, ex.k1, ex.k, ex.body_len
        )?;
        for t in &ex.terms {
            writeln!(
                out,
                "       {:<14} weight {:<4} body {:<3} heading {:<2} → {:.4}",
                t.term, t.weight, t.body, t.heading, t.contribution
            )?;
        }
        writeln!(
            out,
            "       {:<14} {:>36}",
            "total",
            format!("{:.4}", ex.score)
        )?;
    }
    writeln!(out)
}

/// Print the next chunk of a topic's hit list.
fn print_topic_chunk<W: Write>(
    printer: &mut ListPrinter<W>,
    hits: &[TopicHit],
) -> anyhow::Result<()> {
    fn s(o: &Option<String>) -> &str {
        o.as_deref().unwrap_or("")
    }
    let rows = hits.iter().map(|h| TopicRow {
        rank: h.hit.rank,
        topic: &h.topic,
        topic_score: h.topic_score,
        bureau: s(&h.hit.bureau),
        province: s(&h.hit.province),
        city: s(&h.hit.city),
        county: s(&h.hit.county),
        report_year: h.hit.report_year,
        title: s(&h.hit.title),
        heading_path: h.hit.heading_path.join(" > "),
        terms: h
            .terms
            .iter()
            .map(|t| format!("{}×{}", t.term, t.count))
            .collect::<Vec<_>>()
            .join(";"),
        snippet: &h.hit.snippet,
        path: &h.hit.path,
        line_start: h.hit.line_start,
        line_end: h.hit.line_end,
        doc_id: &h.hit.doc_id,
        section_id: &h.hit.section_id,
    });
    printer.write(hits, rows, |out, h, color| write_topic_hit(out, h, color))
}

pub fn run(args: TopicArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let filters = match args.filters.to_filters() {
        Ok(f) => f,
        Err(msg) => return Ok(super::fail(msg)),
    };
    let (handle, taxonomy) = open_scored(global)?;
    let slot = match resolve_topic(&taxonomy, &args.name) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let ranking = TopicRanking {
        handle: &handle,
        taxonomy: &taxonomy,
        slot,
        explain: args.explain,
    };
    let stdout = io::stdout();
    let mut printer = ListPrinter::new(io::BufWriter::new(stdout.lock()), args.format);
    let hits = ranking.run(
        &filters,
        (args.limit > 0).then_some(args.limit),
        LIST_CHUNK,
        &mut |chunk| print_topic_chunk(&mut printer, &chunk),
    )?;
    printer.finish()?;
    if hits == 0 {
        if args.format == Format::Table {
            eprintln!(
                "fazhi: no section scores above 0 for topic {}",
                taxonomy.names[slot]
            );
        }
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
