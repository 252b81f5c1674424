//! Filters: which reports' sections a request may return (bureau, region,
//! years, topic), as tantivy queries over raw and fast fields.

use std::collections::BTreeSet;
use std::ops::Bound;

use tantivy::Searcher;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query as TQuery, RangeQuery, TermQuery,
    TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Term};

use crate::analysis::normalize;
use crate::index::Fields;

/// Restrict a search to sections of some reports.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Bureau name contains this (after normalisation).
    pub bureau: Option<String>,
    /// Province name contains this, or equals its code.
    pub province: Option<String>,
    /// City name contains this, or equals its code.
    pub city: Option<String>,
    /// County-level unit name contains this, or equals its code.
    pub county: Option<String>,
    /// Inclusive range of report years.
    pub years: Option<(Option<u64>, Option<u64>)>,
    /// Only sections discussing a topic (resolved by the engine from a
    /// name or alias).
    pub topic: Option<TopicFilter>,
}

/// Sections whose score for topic `slot` is at least `min_score`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TopicFilter {
    pub slot: usize,
    pub min_score: f64,
}

impl Filters {
    /// Whether no filter is set (every section passes).
    pub fn is_empty(&self) -> bool {
        let Filters {
            bureau,
            province,
            city,
            county,
            years,
            topic,
        } = self;
        bureau.is_none()
            && province.is_none()
            && city.is_none()
            && county.is_none()
            && years.is_none()
            && topic.is_none()
    }
}

/// Parse `2021`, `2020..2023`, `2020..` or `..2023`.
pub fn parse_years(s: &str) -> Result<(Option<u64>, Option<u64>), String> {
    let bad = || format!("bad year range '{s}': use 2021, 2020..2023, 2020.. or ..2023");
    let year = |t: &str| -> Result<Option<u64>, String> {
        let t = t.trim();
        if t.is_empty() {
            return Ok(None);
        }
        t.parse::<u64>()
            .ok()
            .filter(|y| (1949..=2200).contains(y))
            .map(Some)
            .ok_or_else(bad)
    };
    match s.split_once("..") {
        Some((a, b)) => {
            let (a, b) = (year(a)?, year(b)?);
            if a.is_none() && b.is_none() {
                return Err(bad());
            }
            if let (Some(x), Some(y)) = (a, b)
                && x > y
            {
                return Err(bad());
            }
            Ok((a, b))
        }
        None => {
            let y = year(s)?.ok_or_else(bad)?;
            Ok((Some(y), Some(y)))
        }
    }
}

/// All distinct values of a raw string field whose value satisfies `keep`.
pub fn field_values(
    searcher: &Searcher,
    field: Field,
    mut keep: impl FnMut(&str) -> bool,
) -> anyhow::Result<Vec<String>> {
    let mut out = BTreeSet::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted.terms().stream()?;
        while stream.advance() {
            if let Ok(value) = std::str::from_utf8(stream.key())
                && !out.contains(value)
                && keep(value)
            {
                out.insert(value.to_string());
            }
        }
    }
    Ok(out.into_iter().collect())
}

fn name_or_code_filter(
    searcher: &Searcher,
    name: Field,
    code: Field,
    wanted: &str,
) -> anyhow::Result<Box<dyn TQuery>> {
    let wanted = wanted.trim();
    if !wanted.is_empty() && wanted.chars().all(|c| c.is_ascii_digit()) {
        return Ok(Box::new(TermQuery::new(
            Term::from_field_text(code, wanted),
            IndexRecordOption::Basic,
        )));
    }
    let needle = normalize(wanted);
    let values = field_values(searcher, name, |v| normalize(v).contains(&needle))?;
    Ok(Box::new(TermSetQuery::new(
        values.into_iter().map(|v| Term::from_field_text(name, &v)),
    )))
}

/// The filter clauses of `filters` (each must match).
pub fn filter_queries(
    searcher: &Searcher,
    f: &Fields,
    filters: &Filters,
) -> anyhow::Result<Vec<Box<dyn TQuery>>> {
    let mut out: Vec<Box<dyn TQuery>> = Vec::new();
    if let Some(b) = &filters.bureau {
        let needle = normalize(b);
        let values = field_values(searcher, f.bureau, |v| normalize(v).contains(&needle))?;
        out.push(Box::new(TermSetQuery::new(
            values
                .into_iter()
                .map(|v| Term::from_field_text(f.bureau, &v)),
        )));
    }
    if let Some(p) = &filters.province {
        out.push(name_or_code_filter(
            searcher,
            f.province,
            f.province_code,
            p,
        )?);
    }
    if let Some(c) = &filters.city {
        out.push(name_or_code_filter(searcher, f.city, f.city_code, c)?);
    }
    if let Some(c) = &filters.county {
        out.push(name_or_code_filter(searcher, f.county, f.county_code, c)?);
    }
    if let Some((lo, hi)) = filters.years {
        let bound = |y: Option<u64>| match y {
            Some(y) => Bound::Included(Term::from_field_u64(f.report_year, y)),
            None => Bound::Unbounded,
        };
        out.push(Box::new(RangeQuery::new(bound(lo), bound(hi))));
    }
    if let Some(t) = filters.topic {
        out.push(Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_f64(f.topic_scores[t.slot], t.min_score)),
            Bound::Unbounded,
        )));
    }
    Ok(out)
}

/// The sections that pass `filters` (all of them when none is set),
/// unscored.
pub fn filter_query(
    searcher: &Searcher,
    f: &Fields,
    filters: &Filters,
) -> anyhow::Result<Box<dyn TQuery>> {
    let clauses: Vec<(Occur, Box<dyn TQuery>)> = filter_queries(searcher, f, filters)?
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
