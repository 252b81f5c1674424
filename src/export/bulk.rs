//! Elasticsearch/OpenSearch/Quickwit `_bulk` lines: one document per
//! section ([`BulkDoc`], [`BULK_FIELDS`]) after its action line.

use clap::ValueEnum;
use serde::Serialize;

use crate::query::StoredSection;

use super::record::{SectionRef, Strs};

/// Field names of a bulk document ([`BulkDoc`]), in order; the mapping in
/// `docs/scale-out.md` declares exactly these.
pub const BULK_FIELDS: [&str; 23] = [
    "section_id",
    "doc_id",
    "path",
    "title",
    "bureau",
    "province",
    "province_code",
    "city",
    "city_code",
    "county",
    "county_code",
    "report_year",
    "publish_date",
    "doc_number",
    "url",
    "heading",
    "heading_path",
    "level",
    "ordinal",
    "line_start",
    "line_end",
    "body",
    "topics",
];

/// One section as an Elasticsearch/OpenSearch/Quickwit document.
#[derive(Debug, Clone, Serialize)]
pub struct BulkDoc<'a> {
    pub section_id: &'a str,
    pub doc_id: &'a str,
    pub path: &'a str,
    pub title: Option<&'a str>,
    pub bureau: Option<&'a str>,
    pub province: Option<&'a str>,
    pub province_code: Option<&'a str>,
    pub city: Option<&'a str>,
    pub city_code: Option<&'a str>,
    pub county: Option<&'a str>,
    pub county_code: Option<&'a str>,
    pub report_year: Option<u64>,
    /// `YYYY-MM-DD`, or null (a malformed date would reject the document).
    pub publish_date: Option<&'a str>,
    pub doc_number: Option<&'a str>,
    pub url: Option<&'a str>,
    pub heading: &'a str,
    pub heading_path: Strs<'a>,
    pub level: u64,
    pub ordinal: u64,
    pub line_start: u64,
    pub line_end: u64,
    pub body: &'a str,
    pub topics: Strs<'a>,
}

pub(super) fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

impl<'a> BulkDoc<'a> {
    pub fn from_section(s: &'a StoredSection) -> Self {
        BulkDoc::from_ref(&SectionRef::from_section(s))
    }

    pub fn from_ref(s: &SectionRef<'a>) -> Self {
        BulkDoc {
            section_id: s.section_id,
            doc_id: s.doc_id,
            path: s.path,
            title: s.title,
            bureau: s.bureau,
            province: s.province,
            province_code: s.province_code,
            city: s.city,
            city_code: s.city_code,
            county: s.county,
            county_code: s.county_code,
            report_year: s.report_year,
            publish_date: s.publish_date.filter(|d| is_iso_date(d)),
            doc_number: s.doc_number,
            url: s.url,
            heading: s.heading,
            heading_path: s.heading_path,
            level: s.level,
            ordinal: s.ordinal,
            line_start: s.line_start,
            line_end: s.line_end,
            body: s.body,
            topics: s.topics,
        }
    }
}
/// The action of `_bulk` lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BulkAction {
    /// `create`: the only action Quickwit's `_elastic/_bulk` accepts;
    /// OpenSearch rejects (409) a section already in the index.
    Create,
    /// `index`: OpenSearch/Elasticsearch replace a section with the same id
    /// (re-ingesting a newer export); Quickwit ignores these lines.
    Index,
}

impl BulkAction {
    pub(super) fn name(self) -> &'static str {
        match self {
            BulkAction::Create => "create",
            BulkAction::Index => "index",
        }
    }
}

#[derive(Serialize)]
pub(super) struct BulkTarget<'a> {
    #[serde(rename = "_index")]
    pub(super) index: &'a str,
    #[serde(rename = "_id")]
    pub(super) id: &'a str,
}
