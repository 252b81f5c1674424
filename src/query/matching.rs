//! From a parsed [`Query`] to tantivy queries: exact matching on the
//! bigram field, BM25 ranking on the jieba fields, and `--within` units.

use std::collections::BTreeSet;

use tantivy::Searcher;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query as TQuery,
    RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Term};

use super::filters::{Filters, filter_queries};
use super::{Atom, Clause, Query, Within};
use crate::analysis::{exact_query_terms, normalize};
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
    let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
    for clause in &query.clauses {
        match clause {
            Clause::Any(atoms) if atoms.len() == 1 => {
                clauses.push((Occur::Must, atom_query(f, &atoms[0])))
            }
            Clause::Any(atoms) => {
                let any: Vec<(Occur, Box<dyn TQuery>)> = atoms
                    .iter()
                    .map(|a| (Occur::Should, atom_query(f, a)))
                    .collect();
                clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
            }
            Clause::Not(atom) => clauses.push((Occur::MustNot, atom_query(f, atom))),
        }
    }
    Box::new(BooleanQuery::new(clauses))
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
        for (field, boost) in [(f.heading, 2.0), (f.title, 0.5)] {
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

/// Split text into sentence or paragraph units for `--within`.
pub fn units(text: &str, within: Within) -> Vec<&str> {
    match within {
        Within::Paragraph => text.split('\n').collect(),
        Within::Sentence => text
            .split(['\n', '。', '！', '？', '；', '!', '?', ';'])
            .collect(),
    }
}

/// Whether all positive clauses of `query` hold inside one unit of `text`.
pub fn matches_within(query: &Query, text: &str, within: Within) -> bool {
    units(text, within)
        .into_iter()
        .any(|u| query.positives_match(&normalize(u)))
}
