//! Top-k for queries that match a large part of the corpus.
//!
//! A query's score is its BM25 *ranking* (jieba terms) while *matching* is
//! decided by the exact field; evaluated as one boolean query, every match is
//! phrase-verified and scored before the best ten are kept, which costs 30-60
//! ms when a string occurs in a million sections. Here the ranking query
//! drives instead: tantivy's block-max WAND visits only the sections that can
//! still enter the top k, and each of those is checked against the matching
//! query with [`DocSet::seek_danger`] (a membership test that never verifies
//! the sections in between). Sections that match without any ranking term
//! score 0, as in the plain evaluation, and fill the list in index order.
//!
//! This is the better plan only when matches are plentiful: for a rare string
//! the ranking terms (e.g. 人民政府 of 婺源县人民政府) may be far more common
//! than the matches, and the plain evaluation, driven by the rarest bigram,
//! is cheaper. [`worth_pruning`] decides from the exact field's document
//! frequencies, which bound the number of matches from above.

use std::collections::HashSet;

use tantivy::query::{BooleanQuery, EnableScoring, Occur, Query as TQuery};
use tantivy::schema::Term;
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SeekDangerResult, TERMINATED};

use super::parse::Expr;
use super::{Atom, Filters, Query, filter_queries, match_query, ranking_query};
use crate::analysis::exact_query_terms;
use crate::index::Fields;

/// Below this many possible matches the plain evaluation is cheap enough
/// (tens of thousands of postings take well under a few milliseconds).
pub const PRUNE_MIN_MATCHES: u64 = 20_000;

/// An upper bound of the number of sections matching `query`: for each
/// required clause the sum over its alternatives of the smallest document
/// frequency among each alternative's bigrams; the smallest such sum.
/// `u64::MAX` when nothing bounds it (only exclusions, one-char strings).
pub fn match_upper_bound(searcher: &Searcher, f: &Fields, query: &Query) -> u64 {
    expr_bound(searcher, f, &query.expr)
}

fn atom_bound(searcher: &Searcher, f: &Fields, atom: &Atom) -> u64 {
    let terms = exact_query_terms(&atom.normalized);
    match terms.as_slice() {
        [] => 0,
        [(_, t)] if t.chars().count() == 1 => u64::MAX,
        _ => terms
            .iter()
            .map(|(_, t)| {
                searcher
                    .doc_freq(&Term::from_field_text(f.exact, t))
                    .unwrap_or(u64::MAX)
            })
            .min()
            .unwrap_or(0),
    }
}

fn expr_bound(searcher: &Searcher, f: &Fields, expr: &Expr) -> u64 {
    match expr {
        Expr::Atom(a) => atom_bound(searcher, f, a),
        Expr::Near(a, b, _) => atom_bound(searcher, f, a).min(atom_bound(searcher, f, b)),
        Expr::All(parts) => parts
            .iter()
            .filter(|p| !matches!(p, Expr::Not(_)))
            .map(|p| expr_bound(searcher, f, p))
            .min()
            .unwrap_or(u64::MAX),
        Expr::Any(parts) => parts
            .iter()
            .map(|p| expr_bound(searcher, f, p))
            .fold(0u64, u64::saturating_add),
        Expr::Not(_) => u64::MAX,
    }
}

/// Whether ranking-driven top-k beats evaluating every match.
pub fn worth_pruning(searcher: &Searcher, f: &Fields, query: &Query) -> bool {
    match_upper_bound(searcher, f, query) > PRUNE_MIN_MATCHES
}

/// The `k` best matches of `query` within `filters`, best first, ties by
/// address — the same list as scoring every match with the full query.
pub fn top_k(
    searcher: &Searcher,
    f: &Fields,
    query: &Query,
    filters: &Filters,
    k: usize,
) -> anyhow::Result<Vec<(Score, DocAddress)>> {
    let mut required: Vec<(Occur, Box<dyn TQuery>)> = vec![(Occur::Must, match_query(f, query))];
    for q in filter_queries(searcher, f, filters)? {
        required.push((Occur::Must, q));
    }
    let matching = BooleanQuery::new(required);
    let match_weight = matching.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let rank_weight =
        ranking_query(searcher, f, query).weight(EnableScoring::enabled_from_searcher(searcher))?;

    let mut top = Top::new(k);
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let ord = ord as u32;
        let alive = reader.alive_bitset();
        let mut matcher = Matcher::new(match_weight.scorer(reader, 1.0)?);
        let mut threshold = top.threshold();
        rank_weight.for_each_pruning(threshold, reader, &mut |doc, score| {
            if alive.is_none_or(|a| a.is_alive(doc)) && matcher.contains(doc) {
                top.push(score, DocAddress::new(ord, doc));
                threshold = top.threshold();
            }
            threshold
        })?;
    }
    if top.hits.len() < k {
        // Matches without a ranking term (score 0), in index order.
        let ranked: HashSet<DocAddress> = top.hits.iter().map(|h| h.1).collect();
        'segments: for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            let alive = reader.alive_bitset();
            let mut scorer = match_weight.scorer(reader, 1.0)?;
            let mut doc = scorer.doc();
            while doc != TERMINATED {
                let addr = DocAddress::new(ord as u32, doc);
                if alive.is_none_or(|a| a.is_alive(doc)) && !ranked.contains(&addr) {
                    top.hits.push((0.0, addr));
                    if top.hits.len() >= k {
                        break 'segments;
                    }
                }
                doc = scorer.advance();
            }
        }
    }
    Ok(top.hits)
}

/// The best `k` so far, best first (k is small: a page of results).
struct Top {
    k: usize,
    hits: Vec<(Score, DocAddress)>,
}

impl Top {
    fn new(k: usize) -> Top {
        Top {
            k,
            hits: Vec::with_capacity(k + 1),
        }
    }

    /// Score a section must beat to enter: later sections lose ties, so
    /// equal to the k-th best is not enough.
    fn threshold(&self) -> Score {
        if self.hits.len() < self.k {
            Score::MIN
        } else {
            self.hits[self.k - 1].0
        }
    }

    fn push(&mut self, score: Score, addr: DocAddress) {
        let at = self
            .hits
            .partition_point(|h| h.0 > score || (h.0 == score && h.1 < addr));
        self.hits.insert(at, (score, addr));
        self.hits.truncate(self.k);
    }
}

/// Membership tests against a matching scorer for increasing doc ids.
struct Matcher {
    scorer: Box<dyn tantivy::query::Scorer>,
    /// No match below this doc (the scorer's doc before the first test).
    lower_bound: DocId,
    /// Whether `seek_danger` was called yet (after it, `doc()` may be invalid).
    started: bool,
}

impl Matcher {
    fn new(scorer: Box<dyn tantivy::query::Scorer>) -> Matcher {
        let lower_bound = scorer.doc();
        Matcher {
            scorer,
            lower_bound,
            started: false,
        }
    }

    /// Whether `doc` matches; `doc` must increase from call to call.
    fn contains(&mut self, doc: DocId) -> bool {
        if doc < self.lower_bound {
            return false;
        }
        if !self.started && doc == self.lower_bound {
            return self.lower_bound != TERMINATED;
        }
        self.started = true;
        match self.scorer.seek_danger(doc) {
            SeekDangerResult::Found => {
                self.lower_bound = doc + 1;
                true
            }
            SeekDangerResult::SeekLowerBound(bound) => {
                self.lower_bound = bound;
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_keeps_best_first_and_earlier_addresses_on_ties() {
        let a = |d| DocAddress::new(0, d);
        let mut top = Top::new(2);
        assert_eq!(top.threshold(), Score::MIN);
        top.push(1.0, a(5));
        top.push(3.0, a(7));
        assert_eq!(top.threshold(), 1.0);
        top.push(1.0, a(2));
        assert_eq!(top.hits, vec![(3.0, a(7)), (1.0, a(2))]);
        top.push(2.0, a(9));
        assert_eq!(top.hits, vec![(3.0, a(7)), (2.0, a(9))]);
    }
}
