//! One hit's record in the streamed formats: its CSV row or JSON line
//! ([`RecordEncoder`]), with the formula guard for spreadsheet cells.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::index::HEADING_PATH_SEP;
use crate::output::delimited::push_field;
use crate::query::{Hit, StoredSection};

use super::bulk::{BulkAction, BulkDoc, BulkTarget};
use super::xlsx::XlsxRow;
use super::{ExportFormat, ExportOptions};

/// A list of strings as stored (one string split at a separator), owned
/// (`&[String]`) or borrowed (`&[&str]`); serialised as a JSON array.
#[derive(Debug, Clone, Copy)]
pub enum Strs<'a> {
    /// Split at the char; an empty string is an empty list.
    Joined(&'a str, char),
    Owned(&'a [String]),
    Borrowed(&'a [&'a str]),
}

impl<'a> Strs<'a> {
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + 'a {
        let (joined, owned, borrowed) = match *self {
            Strs::Joined(s, sep) => (
                (!s.is_empty()).then(|| s.split(sep)).into_iter().flatten(),
                None,
                None,
            ),
            Strs::Owned(v) => (
                None.into_iter().flatten(),
                Some(v.iter().map(String::as_str)),
                None,
            ),
            Strs::Borrowed(v) => (None.into_iter().flatten(), None, Some(v.iter().copied())),
        };
        joined
            .chain(owned.into_iter().flatten())
            .chain(borrowed.into_iter().flatten())
    }

    /// Append the strings joined by `sep` to `out`.
    pub fn join_into(&self, sep: &str, out: &mut String) {
        for (i, s) in self.iter().enumerate() {
            if i > 0 {
                out.push_str(sep);
            }
            out.push_str(s);
        }
    }
}

impl Serialize for Strs<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        ser.collect_seq(self.iter())
    }
}

/// The stored fields of one section, borrowed (from a [`StoredSection`],
/// a [`Hit`], or straight from the index's document bytes).
#[derive(Debug, Clone, Copy)]
pub struct SectionRef<'a> {
    pub doc_id: &'a str,
    pub section_id: &'a str,
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
    pub publish_date: Option<&'a str>,
    pub doc_number: Option<&'a str>,
    pub url: Option<&'a str>,
    pub heading: &'a str,
    pub heading_path: Strs<'a>,
    pub level: u64,
    pub ordinal: u64,
    pub body: &'a str,
    pub line_start: u64,
    pub line_end: u64,
    pub topics: Strs<'a>,
}

impl<'a> SectionRef<'a> {
    pub fn from_section(s: &'a StoredSection) -> Self {
        SectionRef {
            doc_id: &s.doc_id,
            section_id: &s.section_id,
            path: &s.path,
            title: s.title.as_deref(),
            bureau: s.bureau.as_deref(),
            province: s.province.as_deref(),
            province_code: s.province_code.as_deref(),
            city: s.city.as_deref(),
            city_code: s.city_code.as_deref(),
            county: s.county.as_deref(),
            county_code: s.county_code.as_deref(),
            report_year: s.report_year,
            publish_date: s.publish_date.as_deref(),
            doc_number: s.doc_number.as_deref(),
            url: s.url.as_deref(),
            heading: &s.heading,
            heading_path: Strs::Owned(&s.heading_path),
            level: s.level,
            ordinal: s.ordinal,
            body: &s.body,
            line_start: s.line_start,
            line_end: s.line_end,
            topics: Strs::Owned(&s.topics),
        }
    }

    /// The fields a [`Hit`] carries (no body, codes or topics).
    pub fn from_hit(h: &'a Hit) -> Self {
        SectionRef {
            doc_id: &h.doc_id,
            section_id: &h.section_id,
            path: &h.path,
            title: h.title.as_deref(),
            bureau: h.bureau.as_deref(),
            province: h.province.as_deref(),
            province_code: None,
            city: h.city.as_deref(),
            city_code: None,
            county: h.county.as_deref(),
            county_code: None,
            report_year: h.report_year,
            publish_date: h.publish_date.as_deref(),
            doc_number: None,
            url: h.url.as_deref(),
            heading: &h.heading,
            heading_path: Strs::Owned(&h.heading_path),
            level: h.level,
            ordinal: 0,
            body: "",
            line_start: h.line_start,
            line_end: h.line_end,
            topics: Strs::Borrowed(&[]),
        }
    }

    /// `heading_path` as stored in the index (joined with
    /// [`HEADING_PATH_SEP`]).
    pub fn stored_heading_path(s: &'a str) -> Strs<'a> {
        Strs::Joined(s, HEADING_PATH_SEP)
    }
}

/// One hit to encode: rank, score, section, snippet and matched strings.
#[derive(Debug, Clone, Copy)]
pub struct RowInput<'a> {
    pub rank: usize,
    pub score: f32,
    pub section: &'a SectionRef<'a>,
    pub snippet: &'a str,
    pub highlights: &'a [(usize, usize)],
    pub matched: &'a [&'a str],
}

/// A [`Hit`] as JSON, field for field (same names, order and types), but
/// borrowed.
#[derive(Serialize)]
pub(super) struct HitJson<'a> {
    rank: usize,
    score: f32,
    doc_id: &'a str,
    section_id: &'a str,
    path: &'a str,
    line_start: u64,
    line_end: u64,
    bureau: Option<&'a str>,
    province: Option<&'a str>,
    city: Option<&'a str>,
    county: Option<&'a str>,
    report_year: Option<u64>,
    publish_date: Option<&'a str>,
    title: Option<&'a str>,
    url: Option<&'a str>,
    heading: &'a str,
    heading_path: Strs<'a>,
    level: u64,
    snippet: &'a str,
    highlights: &'a [(usize, usize)],
    matched: &'a [&'a str],
    /// The section's whole text (`export` without `--no-text`).
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
}

/// Encodes hits into records for an [`Exporter`] of one format; one per
/// thread (it holds reusable buffers). For CSV, JSON, JSONL and bulk
/// NDJSON a record is the hit's bytes in the file; for XLSX it is the
/// row's cells in a compact binary form ([`XlsxRow`]).
pub struct RecordEncoder {
    format: ExportFormat,
    bulk_index: String,
    bulk_action: BulkAction,
    /// Whether records carry the section's whole text.
    text: bool,
    joined: String,
    matched: String,
    whole: String,
}

impl RecordEncoder {
    pub fn new(format: ExportFormat, opts: &ExportOptions) -> Self {
        RecordEncoder {
            format,
            bulk_index: opts.bulk_index.clone(),
            bulk_action: opts.bulk_action,
            text: opts.text && format != ExportFormat::NdjsonBulk,
            joined: String::new(),
            matched: String::new(),
            whole: String::new(),
        }
    }

    /// Whether records need a snippet and matched strings (all but bulk).
    pub fn needs_snippet(&self) -> bool {
        self.format != ExportFormat::NdjsonBulk
    }

    /// Append the record of `row` to `out`.
    pub fn encode(&mut self, row: &RowInput<'_>, out: &mut Vec<u8>) -> anyhow::Result<()> {
        let s = row.section;
        self.whole.clear();
        if self.text {
            // The section as written: its heading line, then its body.
            self.whole.push_str(s.heading);
            if !s.heading.is_empty() && !s.body.is_empty() {
                self.whole.push('\n');
            }
            self.whole.push_str(s.body);
        }
        match self.format {
            ExportFormat::Csv => {
                self.joined.clear();
                s.heading_path.join_into(" > ", &mut self.joined);
                self.matched.clear();
                Strs::Borrowed(row.matched).join_into(";", &mut self.matched);
                let mut itoa = itoa::Buffer::new();
                let mut ryu = ryu::Buffer::new();
                out.extend_from_slice(itoa.format(row.rank).as_bytes());
                out.push(b',');
                out.extend_from_slice(ryu.format(row.score).as_bytes());
                for v in [s.bureau, s.province, s.city, s.county] {
                    csv_text(out, v.unwrap_or(""));
                }
                out.push(b',');
                if let Some(y) = s.report_year {
                    out.extend_from_slice(itoa.format(y).as_bytes());
                }
                csv_text(out, s.publish_date.unwrap_or(""));
                csv_text(out, s.title.unwrap_or(""));
                csv_text(out, &self.joined);
                csv_text(out, row.snippet);
                csv_text(out, &self.matched);
                csv_text(out, s.path);
                out.push(b',');
                out.extend_from_slice(itoa.format(s.line_start).as_bytes());
                out.push(b',');
                out.extend_from_slice(itoa.format(s.line_end).as_bytes());
                csv_text(out, s.doc_id);
                csv_text(out, s.section_id);
                csv_text(out, s.url.unwrap_or(""));
                if self.text {
                    csv_text(out, &self.whole);
                }
                out.extend_from_slice(b"\r\n");
            }
            ExportFormat::Json | ExportFormat::Jsonl => {
                let text = self.text.then_some(self.whole.as_str());
                serde_json::to_writer(&mut *out, &hit_json(row, text))?;
                if self.format == ExportFormat::Jsonl {
                    out.push(b'\n');
                }
            }
            ExportFormat::NdjsonBulk => {
                let target = BulkTarget {
                    index: &self.bulk_index,
                    id: s.section_id,
                };
                let line = BTreeMap::from([(self.bulk_action.name(), target)]);
                serde_json::to_writer(&mut *out, &line)?;
                out.push(b'\n');
                serde_json::to_writer(&mut *out, &BulkDoc::from_ref(s))?;
                out.push(b'\n');
            }
            ExportFormat::Xlsx => {
                self.joined.clear();
                s.heading_path.join_into(" > ", &mut self.joined);
                self.matched.clear();
                Strs::Borrowed(row.matched).join_into(";", &mut self.matched);
                XlsxRow {
                    rank: row.rank as u64,
                    score: row.score,
                    report_year: s.report_year,
                    line_start: s.line_start,
                    line_end: s.line_end,
                    strs: [
                        s.bureau.unwrap_or(""),
                        s.province.unwrap_or(""),
                        s.city.unwrap_or(""),
                        s.county.unwrap_or(""),
                        s.publish_date.unwrap_or(""),
                        s.title.unwrap_or(""),
                        &self.joined,
                        row.snippet,
                        &self.matched,
                        s.path,
                        s.doc_id,
                        s.section_id,
                        s.url.unwrap_or(""),
                        &self.whole,
                    ],
                }
                .encode(out);
            }
        }
        Ok(())
    }
}

pub(super) fn hit_json<'a>(row: &RowInput<'a>, text: Option<&'a str>) -> HitJson<'a> {
    let s = row.section;
    HitJson {
        rank: row.rank,
        score: row.score,
        doc_id: s.doc_id,
        section_id: s.section_id,
        path: s.path,
        line_start: s.line_start,
        line_end: s.line_end,
        bureau: s.bureau,
        province: s.province,
        city: s.city,
        county: s.county,
        report_year: s.report_year,
        publish_date: s.publish_date,
        title: s.title,
        url: s.url,
        heading: s.heading,
        heading_path: s.heading_path,
        level: s.level,
        snippet: row.snippet,
        highlights: row.highlights,
        matched: row.matched,
        text,
    }
}

/// Append `,` and a CSV text field, through the one CSV writer's
/// [`push_field`] (quoted when needed, formula guard, no raw controls).
pub(super) fn csv_text(out: &mut Vec<u8>, v: &str) {
    out.push(b',');
    push_field(out, v, b',');
}
