//! The reports of a corpus as the over-time views see them: one row per
//! report (its year, its bureau, its place), read from fast fields only,
//! and which reports a query's matching sections belong to.
//!
//! A report is a set of sections sharing a `doc_id`; its sections are
//! contiguous in a segment and carry the same metadata, so a report's
//! facts are read once, at its first section. Reports are numbered across
//! segments by `doc_id` (an incrementally updated index may hold a report's
//! sections in two segments), and bureaus by identity: the `bureau_key`
//! (place code + department, so every spelling and year of one body is one
//! bureau), or, for a name no key was found for, the name with its place.

use std::collections::HashMap;

use tantivy::columnar::{Column, StrColumn};
use tantivy::query::{BooleanQuery, Occur, Query as TQuery};
use tantivy::{DocAddress, Searcher};

use crate::index::Fields;
use crate::query::{Filters, Query, all_matches, filter_queries, filter_query, match_query};

/// "Absent" in the dense number columns below.
pub const NONE: u32 = u32::MAX;

/// Sections read from a column at once.
const BLOCK: usize = 1024;

/// One body across its reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bureau {
    /// Its identity (`6210/人力资源和社会保障局`), if one was found.
    pub key: Option<String>,
    /// Its canonical name (as the index stores it).
    pub name: String,
    /// Name ids (see [`ReportTable::name`]) of its province, city, county.
    pub place: [u32; 3],
}

/// Identity of a bureau while numbering them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Identity {
    /// A `bureau_key` (name id).
    Key(u32),
    /// A name without a key, with its place (name ids).
    Named([u32; 4]),
}

/// The reports passing some filters, with what grouping needs.
#[derive(Debug, Default)]
pub struct ReportTable {
    /// Per report: its year (0 when unknown).
    pub years: Vec<u16>,
    /// Per report: its bureau's number, or [`NONE`].
    pub bureau_of: Vec<u32>,
    /// Per report: name ids of province, city, county ([`NONE`] if unknown).
    pub places: Vec<[u32; 3]>,
    /// Bureaus by number, in order of first appearance.
    pub bureaus: Vec<Bureau>,
    /// Distinct strings (places, names, keys) by id.
    names: Vec<String>,
    /// Per segment: the report number of each `doc_id` ordinal ([`NONE`]:
    /// no section of it passed the filters).
    report_of: Vec<Vec<u32>>,
    doc_ids: Vec<Option<StrColumn>>,
}

/// Strings to ids.
#[derive(Default)]
struct Interner {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(s.to_string());
        self.ids.insert(s.to_string(), id);
        id
    }
}

/// Every term of a string column interned, by ordinal (one pass over the
/// dictionary: looking terms up one by one decodes a block each time).
fn intern_column(col: &Option<StrColumn>, names: &mut Interner) -> anyhow::Result<Vec<u32>> {
    let Some(col) = col else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(crate::index::scan::term_count(col)?);
    let mut stream = col.dictionary().stream()?;
    while stream.advance() {
        out.push(names.id(&String::from_utf8_lossy(stream.key())));
    }
    Ok(out)
}

/// The first ordinal of `doc` in a string column, as a name id.
fn name_at(col: &Option<StrColumn>, ids: &[u32], doc: u32) -> u32 {
    col.as_ref()
        .and_then(|c| c.ords().first(doc))
        .and_then(|o| ids.get(o as usize).copied())
        .unwrap_or(NONE)
}

/// The docs of one segment in `addrs` (sorted by address).
fn segment_docs(addrs: &[DocAddress], segment: u32) -> &[DocAddress] {
    let start = addrs.partition_point(|a| a.segment_ord < segment);
    let end = addrs.partition_point(|a| a.segment_ord <= segment);
    &addrs[start..end]
}

impl ReportTable {
    /// Every report with a section passing `filters`.
    pub fn scan(searcher: &Searcher, f: &Fields, filters: &Filters) -> anyhow::Result<ReportTable> {
        // Unscored matches come sorted by address.
        let selected: Option<Vec<DocAddress>> = if filters.is_empty() {
            None
        } else {
            let q = filter_query(searcher, f, filters)?;
            Some(
                all_matches(searcher, q.as_ref(), false)?
                    .into_iter()
                    .map(|(_, a)| a)
                    .collect(),
            )
        };
        let mut table = ReportTable::default();
        let mut names = Interner::default();
        let mut identities: HashMap<Identity, u32> = HashMap::new();
        // Report numbers by doc id, needed only when a report may lie in
        // two segments: each segment's doc ids are numbered by streaming
        // its dictionary (a lookup per ordinal decodes a block each time).
        let several = searcher.segment_readers().len() > 1;
        let mut doc_id_numbers: HashMap<Vec<u8>, u32> = HashMap::new();
        let mut report_by_doc_id: Vec<u32> = Vec::new();
        let mut ords = vec![None; BLOCK];
        for (seg, reader) in searcher.segment_readers().iter().enumerate() {
            let ff = reader.fast_fields();
            let doc_id = ff.str("doc_id")?;
            let cols = [
                ff.str("bureau_key")?,
                ff.str("bureau")?,
                ff.str("province")?,
                ff.str("city")?,
                ff.str("county")?,
            ];
            let ids = cols
                .iter()
                .map(|c| intern_column(c, &mut names))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let year: Option<Column<u64>> = ff.u64("report_year").ok();
            let terms = match &doc_id {
                Some(c) => crate::index::scan::term_count(c)?,
                None => 0,
            };
            let mut report_of = vec![NONE; terms];
            let docs: Vec<u32> = match &selected {
                None => reader.doc_ids_alive().collect(),
                Some(addrs) => segment_docs(addrs, seg as u32)
                    .iter()
                    .map(|a| a.doc_id)
                    .collect(),
            };
            let Some(doc_col) = &doc_id else {
                table.report_of.push(report_of);
                table.doc_ids.push(doc_id);
                continue;
            };
            let doc_id_number: Vec<u32> = if several {
                let mut out = Vec::with_capacity(terms);
                let mut stream = doc_col.dictionary().stream()?;
                while stream.advance() {
                    let next = doc_id_numbers.len() as u32;
                    out.push(*doc_id_numbers.entry(stream.key().to_vec()).or_insert(next));
                }
                report_by_doc_id.resize(doc_id_numbers.len(), NONE);
                out
            } else {
                Vec::new()
            };
            for block in docs.chunks(BLOCK) {
                doc_col.ords().first_vals(block, &mut ords[..block.len()]);
                for (&doc, ord) in block.iter().zip(&ords) {
                    let Some(ord) = *ord else { continue };
                    if report_of[ord as usize] != NONE {
                        continue;
                    }
                    let next = table.years.len() as u32;
                    let number = if several {
                        let slot = &mut report_by_doc_id[doc_id_number[ord as usize] as usize];
                        if *slot == NONE {
                            *slot = next;
                        }
                        *slot
                    } else {
                        next
                    };
                    report_of[ord as usize] = number;
                    if (number as usize) < table.years.len() {
                        continue; // seen in an earlier segment
                    }
                    let at = |c: usize| name_at(&cols[c], &ids[c], doc);
                    let place = [at(2), at(3), at(4)];
                    let identity = match (at(0), at(1)) {
                        (k, _) if k != NONE => Some(Identity::Key(k)),
                        (_, n) if n != NONE => {
                            Some(Identity::Named([n, place[0], place[1], place[2]]))
                        }
                        _ => None,
                    };
                    let bureau = match identity {
                        None => NONE,
                        Some(id) => {
                            let next = table.bureaus.len() as u32;
                            let b = *identities.entry(id).or_insert(next);
                            if b == next {
                                let name = match at(1) {
                                    NONE => String::new(),
                                    n => names.names[n as usize].clone(),
                                };
                                table.bureaus.push(Bureau {
                                    key: match id {
                                        Identity::Key(k) => Some(names.names[k as usize].clone()),
                                        Identity::Named(_) => None,
                                    },
                                    name,
                                    place,
                                });
                            }
                            b
                        }
                    };
                    let y = year
                        .as_ref()
                        .and_then(|c| c.first(doc))
                        .and_then(|y| u16::try_from(y).ok())
                        .unwrap_or(0);
                    table.years.push(y);
                    table.bureau_of.push(bureau);
                    table.places.push(place);
                }
            }
            table.report_of.push(report_of);
            table.doc_ids.push(doc_id);
        }
        table.names = names.names;
        Ok(table)
    }

    /// How many reports.
    pub fn len(&self) -> usize {
        self.years.len()
    }

    pub fn is_empty(&self) -> bool {
        self.years.is_empty()
    }

    /// The string of a name id (`None` for [`NONE`]).
    pub fn name(&self, id: u32) -> Option<&str> {
        self.names.get(id as usize).map(String::as_str)
    }

    /// The report number of each of `docs` (sorted by address), [`NONE`]
    /// for a section of no report in the table.
    pub fn reports_of(&self, docs: &[DocAddress]) -> Vec<u32> {
        let mut out = Vec::with_capacity(docs.len());
        let mut ords = vec![None; BLOCK];
        let mut block = Vec::with_capacity(BLOCK);
        for (seg, (col, report_of)) in self.doc_ids.iter().zip(&self.report_of).enumerate() {
            let docs = segment_docs(docs, seg as u32);
            for chunk in docs.chunks(BLOCK) {
                let Some(col) = col else {
                    out.extend(std::iter::repeat_n(NONE, chunk.len()));
                    continue;
                };
                block.clear();
                block.extend(chunk.iter().map(|a| a.doc_id));
                col.ords().first_vals(&block, &mut ords[..block.len()]);
                out.extend(ords[..block.len()].iter().map(|o| {
                    o.and_then(|o| report_of.get(o as usize).copied())
                        .unwrap_or(NONE)
                }));
            }
        }
        out
    }
}

/// The sections matching `query` under `filters`, sorted by address. A
/// report "mentions" the query when any of these is one of its sections.
pub fn matching_sections(
    searcher: &Searcher,
    f: &Fields,
    query: &Query,
    filters: &Filters,
) -> anyhow::Result<Vec<DocAddress>> {
    let mut must: Vec<(Occur, Box<dyn TQuery>)> = vec![(Occur::Must, match_query(f, query))];
    for q in filter_queries(searcher, f, filters)? {
        must.push((Occur::Must, q));
    }
    // Unscored: sorted by address.
    let matches = all_matches(searcher, &BooleanQuery::new(must), false)?;
    Ok(matches.into_iter().map(|(_, a)| a).collect())
}
