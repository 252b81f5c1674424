//! Whole-index scans over fast fields: per-report facts without reading
//! stored documents (used by `stats` and by listings of all bureaus).

use std::collections::BTreeMap;

use tantivy::Searcher;
use tantivy::columnar::StrColumn;

/// What the index knows about one report, gathered from its sections.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFacts {
    pub doc_id: String,
    pub path: String,
    pub bureau: Option<String>,
    /// The bureau's identity key (`place code/department`).
    pub bureau_key: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    pub report_year: Option<u64>,
    pub sections: usize,
}

/// The number of terms of a string column's dictionary, checked: a damaged
/// header can claim trillions, and a table sized by it would abort the
/// process (an allocation failure is no panic that can be caught and
/// reported as damage). Every term takes at least one byte of the
/// dictionary.
pub fn term_count(col: &StrColumn) -> tantivy::Result<usize> {
    let terms = col.num_terms();
    let bytes = col.dictionary().num_bytes().get_bytes();
    if terms as u64 > bytes {
        return Err(tantivy::TantivyError::DataCorruption(
            tantivy::error::DataCorruption::comment_only(format!(
                "a column dictionary of {bytes} bytes claims {terms} terms"
            )),
        ));
    }
    Ok(terms)
}

/// Every term of a string column, by ordinal, in one pass over its
/// dictionary (looking terms up one by one decodes a dictionary block
/// each time: seconds for 100,000 reports × 6 columns).
fn terms(col: &Option<StrColumn>) -> anyhow::Result<Vec<String>> {
    let Some(col) = col else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(term_count(col)?);
    let mut stream = col.dictionary().stream()?;
    while stream.advance() {
        out.push(String::from_utf8_lossy(stream.key()).into_owned());
    }
    Ok(out)
}

/// A string column with its terms, for lookups by document.
struct Named {
    col: Option<StrColumn>,
    terms: Vec<String>,
}

impl Named {
    fn new(col: Option<StrColumn>) -> anyhow::Result<Named> {
        Ok(Named {
            terms: terms(&col)?,
            col,
        })
    }

    /// The first value of `doc`.
    fn get(&self, doc: u32) -> Option<String> {
        let ord = self.col.as_ref()?.ords().first(doc)?;
        self.terms.get(ord as usize).cloned()
    }
}

/// Sections read from the `doc_id` column at once.
const BLOCK: usize = 4096;

/// One entry per indexed report, keyed and sorted by doc id.
///
/// A report's facts are read once, at its first section in a segment;
/// the other sections only count, by their `doc_id` ordinal. Column terms
/// are read in one pass over each dictionary, and no string is built per
/// section.
pub fn reports(searcher: &Searcher) -> anyhow::Result<BTreeMap<String, ReportFacts>> {
    let mut out: BTreeMap<String, ReportFacts> = BTreeMap::new();
    let mut ords = vec![None; BLOCK];
    for segment in searcher.segment_readers() {
        let ff = segment.fast_fields();
        let Some(doc_id) = ff.str("doc_id")? else {
            continue;
        };
        // Per doc_id ordinal: sections in this segment, and a first doc.
        let reports = term_count(&doc_id)?;
        let mut sections = vec![0usize; reports];
        let mut first = vec![u32::MAX; reports];
        let docs: Vec<u32> = segment.doc_ids_alive().collect();
        for block in docs.chunks(BLOCK) {
            let ords = &mut ords[..block.len()];
            doc_id.ords().first_vals(block, ords);
            for (&doc, ord) in block.iter().zip(ords.iter()) {
                if let Some(ord) = *ord {
                    sections[ord as usize] += 1;
                    first[ord as usize] = first[ord as usize].min(doc);
                }
            }
        }
        let ids = terms(&Some(doc_id))?;
        let path = Named::new(ff.str("path")?)?;
        let bureau = Named::new(ff.str("bureau")?)?;
        let bureau_key = Named::new(ff.str("bureau_key")?)?;
        let province = Named::new(ff.str("province")?)?;
        let city = Named::new(ff.str("city")?)?;
        let county = Named::new(ff.str("county")?)?;
        let year = ff.u64("report_year").ok();
        for ((id, &n), &doc) in ids.into_iter().zip(&sections).zip(&first) {
            if n == 0 {
                continue;
            }
            if let Some(facts) = out.get_mut(&id) {
                facts.sections += n;
                continue;
            }
            let facts = ReportFacts {
                doc_id: id.clone(),
                path: path.get(doc).unwrap_or_default(),
                bureau: bureau.get(doc),
                bureau_key: bureau_key.get(doc),
                province: province.get(doc),
                city: city.get(doc),
                county: county.get(doc),
                report_year: year.as_ref().and_then(|c| c.first(doc)),
                sections: n,
            };
            out.insert(id, facts);
        }
    }
    Ok(out)
}
