//! The JSON endpoints (documented with examples in docs/api.md). Each
//! turns its parameters into one of the engine's requests and returns the
//! records the CLI prints with `-f json` (same types, so same field names),
//! inside an object that adds what a page needs: totals, paging, facets.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State as AxState};
use serde::Serialize;
use serde_json::{Value, json};

use super::params::{MAX_PAGE, Params};
use super::{ApiError, State};
use crate::bureaus::BureauRow;
use crate::engine::{
    BureauRequest, CorpusStats, Engine, Facets, SearchRequest, TopicHit, TopicRequest,
};
use crate::query::{Hit, LIST_CHUNK, StoredSection};

type Shared = AxState<Arc<State>>;
/// The query string, or why it does not decode.
pub type RawQuery = Result<Query<HashMap<String, String>>, QueryRejection>;
type ApiResult<T> = Result<Json<T>, ApiError>;

/// The request's parameters, or a 400 when they do not decode.
pub fn params(raw: RawQuery) -> Result<Params, ApiError> {
    match raw {
        Ok(Query(map)) => Ok(Params(map)),
        Err(e) => Err(ApiError::bad_request(e.body_text())),
    }
}

/// Values listed per facet unless `facet_limit` says otherwise.
const FACET_LIMIT: usize = 20;
/// Hits per page unless `limit` says otherwise.
const PAGE: usize = 20;

/// `/api/search`: a page of hits, the total, and (with `facets=1`) the
/// facet counts.
#[derive(Serialize)]
pub struct SearchPage {
    pub total: usize,
    pub offset: usize,
    pub limit: usize,
    pub hits: Vec<Hit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<Facets>,
}

/// The hits of `req` ranked `offset + 1 ..= offset + limit`, and how
/// many hits there are in all.
///
/// Without `within`, a page of `offset + limit` (pruned like the CLI's)
/// and a count of postings. With `within`, every candidate's text must be
/// read to know whether it is a hit, so one pass over all of them gives
/// both the page and the total.
fn page_of_hits(
    engine: &Engine,
    req: &SearchRequest,
    offset: usize,
    limit: usize,
) -> anyhow::Result<(Vec<Hit>, usize)> {
    let mut hits = Vec::new();
    if req.within.is_some() {
        let end = offset + limit;
        let total = engine.search(req, LIST_CHUNK, &mut |chunk| {
            hits.extend(
                chunk
                    .into_iter()
                    .filter(|h| h.rank > offset && h.rank <= end),
            );
            Ok(())
        })?;
        return Ok((hits, total));
    }
    let ranked = SearchRequest {
        limit: Some(offset + limit),
        ..req.clone()
    };
    engine.search(&ranked, LIST_CHUNK, &mut |chunk| {
        hits.extend(chunk);
        Ok(())
    })?;
    hits.drain(..offset.min(hits.len()));
    Ok((hits, engine.count(req)?))
}

pub async fn search(AxState(state): Shared, raw: RawQuery) -> ApiResult<SearchPage> {
    let p = params(raw)?;
    let req = p.search_request()?;
    let (limit, offset) = p.page(PAGE, MAX_PAGE)?;
    let with_facets = p.flag("facets")?;
    let facet_limit = p.number("facet_limit", FACET_LIMIT, 1000)?;
    let page = state
        .run(move |engine| {
            let (hits, total) = page_of_hits(engine, &req, offset, limit)?;
            let facets = with_facets
                .then(|| engine.facets(&req, facet_limit))
                .transpose()?;
            Ok(SearchPage {
                total,
                offset,
                limit,
                hits,
                facets,
            })
        })
        .await?;
    Ok(Json(page))
}

/// `/api/facets`: the facet counts of a search alone.
pub async fn facets(AxState(state): Shared, raw: RawQuery) -> ApiResult<Facets> {
    let p = params(raw)?;
    let req = p.search_request()?;
    let facet_limit = p.number("facet_limit", FACET_LIMIT, 1000)?;
    let facets = state
        .run(move |engine| Ok(engine.facets(&req, facet_limit)?))
        .await?;
    Ok(Json(facets))
}

/// `/api/topic`: a page of a topic's sections, best topic score first.
#[derive(Serialize)]
pub struct TopicPage {
    /// The topic's name (the parameter may be an alias).
    pub topic: String,
    pub offset: usize,
    pub limit: usize,
    pub hits: Vec<TopicHit>,
    /// Whether there are hits after this page.
    pub more: bool,
}

pub async fn topic(AxState(state): Shared, raw: RawQuery) -> ApiResult<TopicPage> {
    let p = params(raw)?;
    let name = p.required("name")?;
    let filters = p.filters()?;
    let (limit, offset) = p.page(PAGE, MAX_PAGE)?;
    let explain = p.flag("explain")?;
    let page = state
        .run(move |engine| {
            let slot = engine.resolve_topic(&name)?;
            let topic = engine.scored_taxonomy()?.names[slot].clone();
            let req = TopicRequest {
                topic: name,
                filters,
                limit: Some(offset + limit + 1),
                explain,
            };
            let mut hits = Vec::new();
            engine.topic(&req, LIST_CHUNK, &mut |chunk| {
                hits.extend(chunk);
                Ok(())
            })?;
            let more = hits.len() > offset + limit;
            hits.truncate(offset + limit);
            hits.drain(..offset.min(hits.len()));
            Ok(TopicPage {
                topic,
                offset,
                limit,
                hits,
                more,
            })
        })
        .await?;
    Ok(Json(page))
}

/// A bureau row with the match positions in its snippet (which the CLI's
/// JSON leaves out: it marks them for terminals only).
#[derive(Serialize)]
pub struct BureauEntry {
    #[serde(flatten)]
    pub row: BureauRow,
    pub highlights: Vec<(usize, usize)>,
}

/// `/api/bureaus`: the bureaus that mention a query (with `all=1`, then
/// those that do not).
#[derive(Serialize)]
pub struct BureauPage {
    /// Rows in all, before the limit.
    pub total: usize,
    /// Rows that mention it.
    pub matching: usize,
    pub rows: Vec<BureauEntry>,
}

/// Most rows `/api/bureaus` returns at once.
const MAX_BUREAU_ROWS: usize = 5_000;

pub async fn bureaus(AxState(state): Shared, raw: RawQuery) -> ApiResult<BureauPage> {
    let p = params(raw)?;
    let req = BureauRequest {
        query: p.query()?,
        filters: p.filters()?,
        topic: p.text("topic")?,
        synonyms: p.flag("synonyms")?,
        all: p.flag("all")?,
        limit: Some(p.number("limit", 50, MAX_BUREAU_ROWS)?.max(1)),
        snippets: !p.flag("no_snippet")?,
    };
    let page = state
        .run(move |engine| {
            let table = engine.bureaus(&req)?;
            Ok(BureauPage {
                total: table.total,
                matching: table.matching,
                rows: table
                    .rows
                    .into_iter()
                    .map(|row| BureauEntry {
                        highlights: row.highlights.clone(),
                        row,
                    })
                    .collect(),
            })
        })
        .await?;
    Ok(Json(page))
}

/// `/api/matrix`: bureaus × topics, as `fazhi matrix -f json`; with
/// `limit=N`, only the N bureaus with the most sections (most first), and
/// `bureaus_total` says how many there are.
pub async fn matrix(AxState(state): Shared, raw: RawQuery) -> ApiResult<Value> {
    let p = params(raw)?;
    let topics: Vec<String> = p
        .text("topics")?
        .map(|t| {
            t.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let filters = p.filters()?;
    let limit = p
        .text("limit")?
        .map(|_| p.number("limit", 0, 100_000))
        .transpose()?;
    let value = state
        .run(move |engine| {
            let counts = engine.matrix(&topics, &filters)?;
            if counts.total.sections == 0 {
                return Ok(json!({"topics": [], "bureaus": [], "total": null, "bureaus_total": 0}));
            }
            let mut matrix = counts.matrix();
            let bureaus_total = matrix.bureaus.len();
            if let Some(n) = limit {
                matrix.bureaus.sort_by(|a, b| {
                    b.sections
                        .cmp(&a.sections)
                        .then_with(|| a.bureau.cmp(&b.bureau))
                });
                matrix.bureaus.truncate(n);
            }
            let mut value = serde_json::to_value(&matrix).map_err(anyhow::Error::from)?;
            value["bureaus_total"] = json!(bureaus_total);
            Ok(value)
        })
        .await?;
    Ok(Json(value))
}

/// `/api/stats`: as `fazhi stats -f json`.
pub async fn stats(AxState(state): Shared) -> ApiResult<CorpusStats> {
    Ok(Json(state.run(|engine| Ok(engine.stats()?)).await?))
}

/// `/api/report/{doc_id}`: a whole report, its metadata and sections.
#[derive(Serialize)]
pub struct Report {
    pub doc_id: String,
    pub path: String,
    pub title: Option<String>,
    pub bureau: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    pub report_year: Option<u64>,
    pub publish_date: Option<String>,
    pub doc_number: Option<String>,
    pub url: Option<String>,
    /// As `fazhi show DOC_ID -f json`: in document order.
    pub sections: Vec<StoredSection>,
}

/// A report id: 16 hex digits.
fn is_doc_id(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

pub async fn report(AxState(state): Shared, Path(doc_id): Path<String>) -> ApiResult<Report> {
    if !is_doc_id(&doc_id) {
        return Err(ApiError::not_found(format!("no report {doc_id}")));
    }
    let report = state
        .run(move |engine| {
            let sections = engine.report_sections(&doc_id)?;
            let Some(first) = sections.first() else {
                return Err(ApiError::not_found(format!("no report {doc_id}")));
            };
            Ok(Report {
                doc_id: first.doc_id.clone(),
                path: first.path.clone(),
                title: first.title.clone(),
                bureau: first.bureau.clone(),
                province: first.province.clone(),
                city: first.city.clone(),
                county: first.county.clone(),
                report_year: first.report_year,
                publish_date: first.publish_date.clone(),
                doc_number: first.doc_number.clone(),
                url: first.url.clone(),
                sections,
            })
        })
        .await?;
    Ok(Json(report))
}

/// Any other `/api/…` path.
pub async fn not_found() -> ApiError {
    ApiError::not_found("no such endpoint; see docs/api.md")
}
