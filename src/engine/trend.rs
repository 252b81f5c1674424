//! Requests for the over-time views (`trend`, `adoption`, `kwic`): resolved
//! here like every other request, computed in the trends module.

use super::Engine;
use crate::query::{Filters, Query};
use crate::trends::{self, Adoption, KwicOptions, Level, TrendTable, kwic::Kwic};

/// `fazhi trend`: reports mentioning each query, per group.
#[derive(Debug, Clone)]
pub struct TrendRequest {
    /// Each query with its text as typed (one series each).
    pub queries: Vec<(String, Query)>,
    pub filters: Filters,
    /// Grouped by these, in this order (at least one).
    pub by: Vec<Level>,
}

/// `fazhi adoption`: when each bureau first mentions a query.
#[derive(Debug, Clone)]
pub struct AdoptionRequest {
    pub query: Query,
    pub filters: Filters,
    /// Also the bureau × year panel.
    pub panel: bool,
}

/// `fazhi kwic`: each occurrence in its context.
#[derive(Debug, Clone)]
pub struct KwicRequest {
    pub query: Query,
    pub filters: Filters,
    pub options: KwicOptions,
}

impl Engine {
    pub fn trend(&self, req: &TrendRequest) -> anyhow::Result<TrendTable> {
        let f = &self.handle().fields;
        trends::trend(&self.searcher(), f, &req.queries, &req.filters, &req.by)
    }

    pub fn adoption(&self, req: &AdoptionRequest) -> anyhow::Result<Adoption> {
        let f = &self.handle().fields;
        trends::adoption(&self.searcher(), f, &req.query, &req.filters, req.panel)
    }

    pub fn kwic(&self, req: &KwicRequest) -> anyhow::Result<Kwic> {
        let f = &self.handle().fields;
        trends::kwic(&self.searcher(), f, &req.query, &req.filters, &req.options)
    }
}
