//! The records a search returns: [`Hit`] (a ranked section with its
//! snippet, the JSON contract) and [`StoredSection`] (a section's stored
//! fields as read back from the index).

use anyhow::Context;
use serde::Serialize;
use tantivy::schema::{Field, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument};

use super::Query;
use super::snippet::{SNIPPET_WIDTH, Snippet, snippet};
use crate::analysis::{join_runs, normalize};
use crate::index::{Fields, HEADING_PATH_SEP};

/// One ranked section. Field names are the JSON contract.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hit {
    pub rank: usize,
    pub score: f32,
    pub doc_id: String,
    pub section_id: String,
    pub path: String,
    pub line_start: u64,
    pub line_end: u64,
    pub bureau: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    pub report_year: Option<u64>,
    pub publish_date: Option<String>,
    pub title: Option<String>,
    /// Where the report came from (the user's metadata file), if known.
    pub url: Option<String>,
    pub heading: String,
    pub heading_path: Vec<String>,
    pub level: u64,
    /// The best fragment, original text, line breaks as spaces.
    pub snippet: String,
    /// Char ranges `[start, end)` of the matched text inside `snippet`.
    pub highlights: Vec<(usize, usize)>,
    /// The query strings (as typed) found in this section.
    pub matched: Vec<String>,
}

/// The stored fields of one section, read back from the index.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StoredSection {
    pub doc_id: String,
    pub section_id: String,
    pub path: String,
    pub title: Option<String>,
    pub bureau: Option<String>,
    pub province: Option<String>,
    pub province_code: Option<String>,
    pub city: Option<String>,
    pub city_code: Option<String>,
    pub county: Option<String>,
    pub county_code: Option<String>,
    pub report_year: Option<u64>,
    pub publish_date: Option<String>,
    pub doc_number: Option<String>,
    pub addressee: Option<String>,
    pub encoding: Option<String>,
    pub url: Option<String>,
    pub heading: String,
    pub heading_path: Vec<String>,
    pub level: u64,
    pub ordinal: u64,
    pub body: String,
    pub line_start: u64,
    pub line_end: u64,
    /// Main topics (names). Topic scores live in fast fields only.
    pub topics: Vec<String>,
    /// Whether the report's title is searched as part of this section (its
    /// first; see the index module docs).
    #[serde(skip)]
    pub carries_title: bool,
}

impl StoredSection {
    /// Heading and body, for display.
    pub fn text(&self) -> String {
        match (self.heading.is_empty(), self.body.is_empty()) {
            (true, _) => self.body.clone(),
            (false, true) => self.heading.clone(),
            (false, false) => format!("{}\n{}", self.heading, self.body),
        }
    }

    /// The title this section carries, if any.
    pub fn lead_title(&self) -> Option<&str> {
        self.title.as_deref().filter(|_| self.carries_title)
    }

    /// The text matching runs on, as indexed in the exact field: the title
    /// it carries, heading and body, as separate runs (see
    /// [`crate::analysis::RUN_SEPARATOR`]).
    pub fn match_text(&self) -> String {
        join_runs([self.lead_title().unwrap_or(""), &self.heading, &self.body])
    }
}

fn text_of(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str().map(str::to_string))
}

fn u64_of(doc: &TantivyDocument, field: Field) -> Option<u64> {
    doc.get_first(field).and_then(|v| v.as_u64())
}

/// Every section whose `field` holds `value` exactly (a report's doc id,
/// a stored path), loaded, in document order (by path, then ordinal).
pub fn sections_with(
    searcher: &Searcher,
    f: &Fields,
    field: Field,
    value: &str,
) -> anyhow::Result<Vec<StoredSection>> {
    use tantivy::collector::TopDocs;
    use tantivy::query::TermQuery;
    use tantivy::schema::{IndexRecordOption, Term};
    let q = TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    );
    let limit = (searcher.num_docs() as usize).max(1);
    let mut out = Vec::new();
    for (_, addr) in searcher.search(&q, &TopDocs::with_limit(limit).order_by_score())? {
        out.push(load_section(searcher, f, addr)?);
    }
    out.sort_by(|a, b| (a.path.as_str(), a.ordinal).cmp(&(b.path.as_str(), b.ordinal)));
    Ok(out)
}

/// Read a section's stored fields.
pub fn load_section(
    searcher: &Searcher,
    f: &Fields,
    addr: DocAddress,
) -> anyhow::Result<StoredSection> {
    let doc: TantivyDocument = searcher
        .doc(addr)
        .context("cannot read a document from the index")?;
    let heading_path = text_of(&doc, f.heading_path).unwrap_or_default();
    Ok(StoredSection {
        doc_id: text_of(&doc, f.doc_id).unwrap_or_default(),
        section_id: text_of(&doc, f.section_id).unwrap_or_default(),
        path: f
            .paths
            .show(&text_of(&doc, f.path).unwrap_or_default())
            .into_owned(),
        title: text_of(&doc, f.title),
        bureau: text_of(&doc, f.bureau),
        province: text_of(&doc, f.province),
        province_code: text_of(&doc, f.province_code),
        city: text_of(&doc, f.city),
        city_code: text_of(&doc, f.city_code),
        county: text_of(&doc, f.county),
        county_code: text_of(&doc, f.county_code),
        report_year: u64_of(&doc, f.report_year),
        publish_date: text_of(&doc, f.publish_date),
        doc_number: text_of(&doc, f.doc_number),
        addressee: text_of(&doc, f.addressee),
        encoding: text_of(&doc, f.encoding),
        url: text_of(&doc, f.url),
        heading: text_of(&doc, f.heading).unwrap_or_default(),
        heading_path: if heading_path.is_empty() {
            Vec::new()
        } else {
            heading_path
                .split(HEADING_PATH_SEP)
                .map(str::to_string)
                .collect()
        },
        level: u64_of(&doc, f.level).unwrap_or_default(),
        ordinal: u64_of(&doc, f.ordinal).unwrap_or_default(),
        body: text_of(&doc, f.body).unwrap_or_default(),
        line_start: u64_of(&doc, f.line_start).unwrap_or_default(),
        line_end: u64_of(&doc, f.line_end).unwrap_or_default(),
        topics: doc
            .get_all(f.topic)
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        carries_title: doc.get_first(f.lead_title).is_some(),
    })
}

/// Build a [`Hit`] from a stored section; `text` is its
/// [`StoredSection::match_text`].
pub fn make_hit(
    rank: usize,
    score: f32,
    s: StoredSection,
    text: &str,
    query: &Query,
    needles: &[&str],
) -> Hit {
    let norm = normalize(text);
    let matched = query
        .positive_atoms()
        .filter(|a| norm.contains(&a.normalized))
        .map(|a| a.text.clone())
        .collect();
    let snip = section_snippet(&s, needles, SNIPPET_WIDTH);
    Hit::new(rank, score, s, snip, matched)
}

/// The snippet of a section: from its heading and body, or, when neither
/// holds a needle but the title it carries does, from the title on.
pub fn section_snippet(s: &StoredSection, needles: &[&str], width: usize) -> Snippet {
    let own = join_runs([s.heading.as_str(), &s.body]);
    if let Some(title) = s.lead_title() {
        let (norm, in_title) = (normalize(&own), normalize(title));
        if !needles.iter().any(|n| norm.contains(n)) && needles.iter().any(|n| in_title.contains(n))
        {
            return snippet(&join_runs([title, &own]), needles, width);
        }
    }
    snippet(&own, needles, width)
}

impl Hit {
    /// A hit for a stored section with its snippet and matched strings.
    pub fn new(
        rank: usize,
        score: f32,
        s: StoredSection,
        snip: Snippet,
        matched: Vec<String>,
    ) -> Hit {
        Hit {
            rank,
            score,
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
            snippet: snip.text,
            highlights: snip.highlights,
            matched,
        }
    }
}
