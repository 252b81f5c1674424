//! From a parsed [`Query`] to tantivy queries: exact matching on the
//! bigram field, BM25 ranking on the jieba fields, and `--within` units.
//!
//! `A NEAR/n B` is matched in two steps: the sections holding both strings
//! (phrase queries on the bigram field), then each of those checked on its
//! stored text ([`NearQuery`]), so every command that matches through
//! [`match_query`] — search, bureaus, export, counts — agrees.

use std::collections::BTreeSet;

use tantivy::Searcher;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query as TQuery,
    RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Term};

use tantivy::query::{EnableScoring, Explanation, Scorer, Weight};
use tantivy::schema::Value;
use tantivy::store::StoreReader;
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyDocument};

use super::filters::{Filters, filter_queries};
use super::parse::{Expr, near};
use super::{Atom, Query, Within};
use crate::analysis::{RUN_SEPARATOR, exact_query_terms, join_runs, normalize};
use crate::index::Fields;

/// The exact-field query for one atom: matches exactly the sections whose
/// normalised text contains the atom.
pub fn atom_query(f: &Fields, atom: &Atom) -> Box<dyn TQuery> {
    let terms = exact_query_terms(&atom.normalized);
    match terms.len() {
        0 => Box::new(EmptyQuery),
        1 if terms[0].1.chars().count() == 1 => {
            // One character: any bigram starting with it (or the final unigram).
            // Normalised chars are letters and digits, never regex syntax.
            match RegexQuery::from_pattern(&format!("{}.*", terms[0].1), f.exact) {
                Ok(q) => Box::new(q),
                Err(_) => Box::new(EmptyQuery),
            }
        }
        1 => Box::new(TermQuery::new(
            Term::from_field_text(f.exact, &terms[0].1),
            IndexRecordOption::Basic,
        )),
        _ => Box::new(PhraseQuery::new_with_offset(
            terms
                .into_iter()
                .map(|(p, t)| (p, Term::from_field_text(f.exact, &t)))
                .collect(),
        )),
    }
}

/// The boolean matching query of a parsed query (scores nothing).
pub fn match_query(f: &Fields, query: &Query) -> Box<dyn TQuery> {
    expr_query(f, &query.expr)
}

fn expr_query(f: &Fields, expr: &Expr) -> Box<dyn TQuery> {
    match expr {
        Expr::Atom(atom) => atom_query(f, atom),
        Expr::Near(a, b, distance) => Box::new(NearQuery {
            fields: f.clone(),
            a: a.clone(),
            b: b.clone(),
            distance: *distance,
        }),
        Expr::All(parts) => Box::new(BooleanQuery::new(
            parts
                .iter()
                .map(|p| match p {
                    Expr::Not(inner) => (
                        Occur::MustNot,
                        Box::new(PlainSeek(expr_query(f, inner))) as Box<dyn TQuery>,
                    ),
                    p => (Occur::Must, expr_query(f, p)),
                })
                .collect(),
        )),
        Expr::Any(parts) => Box::new(BooleanQuery::new(
            parts
                .iter()
                .map(|p| (Occur::Should, expr_query(f, p)))
                .collect(),
        )),
        // The parser only puts exclusions inside `All`; alone, one matches
        // nothing (as a boolean query of exclusions only does).
        Expr::Not(inner) => Box::new(BooleanQuery::new(vec![(
            Occur::MustNot,
            expr_query(f, inner),
        )])),
    }
}

/// A query whose scorers answer `seek_danger` with a plain `seek`. Tantivy
/// tests exclusions with `seek_danger`, which a phrase scorer answers
/// leaving itself past the target, and its next call then trips a debug
/// assertion (tantivy 0.27); a plain seek never moves past a document it has
/// not checked.
#[derive(Debug)]
struct PlainSeek(Box<dyn TQuery>);

impl Clone for PlainSeek {
    fn clone(&self) -> Self {
        PlainSeek(self.0.box_clone())
    }
}

impl TQuery for PlainSeek {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(PlainSeekWeight(self.0.weight(scoring)?)))
    }
}

struct PlainSeekWeight(Box<dyn Weight>);

impl Weight for PlainSeekWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(PlainSeekScorer(self.0.scorer(reader, boost)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

struct PlainSeekScorer(Box<dyn Scorer>);

impl DocSet for PlainSeekScorer {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.0.doc() < target {
            self.0.seek(target)
        } else {
            self.0.doc()
        }
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }
}

impl Scorer for PlainSeekScorer {
    fn score(&mut self) -> Score {
        self.0.score()
    }
}

/// `a NEAR/distance b`: the sections holding both strings whose stored text
/// has them at most `distance` characters apart in one run.
#[derive(Debug, Clone)]
pub struct NearQuery {
    fields: Fields,
    a: Atom,
    b: Atom,
    distance: usize,
}

impl NearQuery {
    fn both(&self) -> BooleanQuery {
        BooleanQuery::new(vec![
            (Occur::Must, atom_query(&self.fields, &self.a)),
            (Occur::Must, atom_query(&self.fields, &self.b)),
        ])
    }
}

impl TQuery for NearQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(NearWeight {
            both: self.both().weight(scoring)?,
            query: self.clone(),
        }))
    }
}

struct NearWeight {
    both: Box<dyn Weight>,
    query: NearQuery,
}

impl Weight for NearWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut scorer = NearScorer {
            both: self.both.scorer(reader, boost)?,
            store: reader.get_store_reader(1)?,
            query: self.query.clone(),
        };
        scorer.settle();
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        Ok(Explanation::new("NEAR", scorer.score()))
    }
}

/// The documents of both strings, those failing the distance skipped.
struct NearScorer {
    both: Box<dyn Scorer>,
    store: StoreReader,
    query: NearQuery,
}

impl NearScorer {
    /// Whether the current document has the strings near each other.
    fn holds(&self, doc: DocId) -> bool {
        let Ok(stored) = self.store.get::<TantivyDocument>(doc) else {
            return false;
        };
        let f = &self.query.fields;
        let text = |field| {
            stored
                .get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or("")
        };
        let norm = normalize(&join_runs([
            text(f.lead_title),
            text(f.heading),
            text(f.body),
        ]));
        near(
            &norm,
            &self.query.a.normalized,
            &self.query.b.normalized,
            self.query.distance,
        )
    }

    /// Move on from the current document to the first that holds.
    fn settle(&mut self) -> DocId {
        let mut doc = self.both.doc();
        while doc != TERMINATED && !self.holds(doc) {
            doc = self.both.advance();
        }
        doc
    }
}

impl DocSet for NearScorer {
    fn advance(&mut self) -> DocId {
        self.both.advance();
        self.settle()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.both.doc() < target {
            self.both.seek(target);
        }
        self.settle()
    }

    fn doc(&self) -> DocId {
        self.both.doc()
    }

    fn size_hint(&self) -> u32 {
        self.both.size_hint()
    }
}

impl Scorer for NearScorer {
    fn score(&mut self) -> Score {
        self.both.score()
    }
}

/// Segment `text` into terms of `field`'s dictionary by greedy longest match.
fn dictionary_terms(searcher: &Searcher, field: Field, text: &str) -> Vec<String> {
    const MAX_WORD: usize = 8;
    let chars: Vec<char> = text.chars().collect();
    let in_dict = |word: &str| {
        searcher.segment_readers().iter().any(|s| {
            s.inverted_index(field)
                .ok()
                .and_then(|inv| {
                    inv.get_term_info(&Term::from_field_text(field, word))
                        .ok()
                        .flatten()
                })
                .is_some()
        })
    };
    if chars.len() <= 16 && in_dict(text) {
        return vec![text.to_string()];
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let longest = (1..=MAX_WORD.min(chars.len() - i)).rev().find(|&n| {
            let w: String = chars[i..i + n].iter().collect();
            in_dict(&w)
        });
        match longest {
            Some(n) => {
                out.push(chars[i..i + n].iter().collect());
                i += n;
            }
            None => i += 1,
        }
    }
    out
}

/// The BM25 ranking query for the positive atoms of `query`.
pub fn ranking_query(searcher: &Searcher, f: &Fields, query: &Query) -> Box<dyn TQuery> {
    let mut words = BTreeSet::new();
    for atom in query.positive_atoms() {
        words.extend(dictionary_terms(searcher, f.body, &atom.normalized));
    }
    let mut should: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
    // A heading or title term found in most sections (法治 of every
    // 法治政府建设年度报告 title) adds almost nothing to BM25 (its idf is
    // near 0) but makes every section a candidate for the top-k search:
    // leave such terms out. Body terms always count.
    let half = searcher.num_docs() / 2;
    for w in &words {
        let term = |field| Term::from_field_text(field, w);
        let tq = |field| TermQuery::new(term(field), IndexRecordOption::WithFreqs);
        let common = |field| searcher.doc_freq(&term(field)).is_ok_and(|df| df > half);
        should.push((Occur::Should, Box::new(tq(f.body))));
        // The title counts like a heading on the section it stands over.
        for (field, boost) in [(f.heading, 2.0), (f.lead_title, 2.0)] {
            if !common(field) {
                should.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(tq(field)), boost)),
                ));
            }
        }
    }
    Box::new(BooleanQuery::new(should))
}

/// The full query: must match, must pass the filters, ranked by BM25.
pub fn full_query(
    searcher: &Searcher,
    f: &Fields,
    query: &Query,
    filters: &Filters,
) -> anyhow::Result<Box<dyn TQuery>> {
    let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = vec![(
        Occur::Must,
        Box::new(ConstScoreQuery::new(match_query(f, query), 0.0)),
    )];
    for q in filter_queries(searcher, f, filters)? {
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0))));
    }
    clauses.push((Occur::Should, ranking_query(searcher, f, query)));
    Ok(Box::new(BooleanQuery::new(clauses)))
}

/// Split text into sentence or paragraph units for `--within` (a run
/// separator, between title, heading and body, ends both).
pub fn units(text: &str, within: Within) -> Vec<&str> {
    match within {
        Within::Paragraph => text.split(['\n', RUN_SEPARATOR]).collect(),
        Within::Sentence => text
            .split(['\n', RUN_SEPARATOR, '。', '！', '？', '；', '!', '?', ';'])
            .collect(),
    }
}

/// Whether the query, its exclusions aside, holds inside one unit of `text`
/// (a section's [`super::StoredSection::match_text`]).
pub fn matches_within(query: &Query, text: &str, within: Within) -> bool {
    units(text, within)
        .into_iter()
        .any(|u| query.positives_match(&normalize(u)))
}
